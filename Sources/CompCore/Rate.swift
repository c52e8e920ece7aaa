/// A dimensionless rate or percentage (commission rate, credit weight, attainment), exact to six
/// decimal places of one: `Rate(parsing: "12.5%")` is 0.125.
///
/// Its own type, so a plan that adds a rate to money is a type error rather than a wrong payout.
@frozen
public struct Rate: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// The rate as a fraction of one (0.125 for 12.5%).
    public var value: FixedDecimal

    /// A rate from its value as a fraction of one.
    @inlinable
    public init(_ value: FixedDecimal) { self.value = value }

    /// Parses `0.125` or `12.5%` (the percentage needs at most four fraction digits, so that the
    /// fraction of one keeps at most six).
    public init(parsing text: some StringProtocol) throws(DecimalParseError) {
        if text.hasSuffix("%") {
            let number = text.dropLast()
            var utf8 = Array(number.utf8)
            let outcome = utf8.withUnsafeMutableBufferPointer { buffer -> DecimalParseOutcome in
                guard let base = buffer.baseAddress else { return .failure(.empty) }
                return parseFixedDecimal(UnsafePointer(base), buffer.count, maxFractionDigits: 4)
            }
            switch outcome {
            // Units of 10⁻⁴ percent are units of 10⁻⁶ of one.
            case .success(let units): self.value = FixedDecimal(units: units)
            case .failure(let error): throw error
            }
        } else {
            self.value = try FixedDecimal(parsing: text)
        }
    }

    /// Zero.
    public static let zero = Rate(.zero)
    /// One (100%).
    public static let one = Rate(.one)

    public static func < (lhs: Rate, rhs: Rate) -> Bool { lhs.value < rhs.value }

    /// The rate as a fraction of one (`0.125`).
    public var description: String { value.description }

    /// The rate as a percentage with the fewest digits that show it exactly (`12.5%`).
    public var percentString: String {
        // value·100 in units of 10⁻⁶ percent = units of 10⁻⁴ percent shown with four digits, trimmed.
        let percent = FixedDecimal(units: value.units).exactProduct(FixedDecimal(units: 100 * FixedDecimal.unitsPerOne))
        var text = percent.formatted(fractionDigits: 4)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text + "%"
    }
}
