/// An exact decimal number with six fraction digits, stored as a count of millionths in an `Int64`.
///
/// This is the storage form of every amount, quota, rate and fx rate that comp reads: the input
/// contract (`FORMATS.md`) allows at most six fraction digits, and parsing more is an error, never
/// a silent rounding. The range is -9,223,372,036,854.775808 ... 9,223,372,036,854.775807 (the
/// `Int64` range); text parses back for every value in it. Every operation that can leave the
/// range or lose digits throws ``ArithmeticError``; none wraps and none traps.
///
/// Binary floating point never touches a `FixedDecimal`: there is no conversion from or to `Double`.
@frozen
public struct FixedDecimal: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// The value in millionths (10⁻⁶).
    public var units: Int64

    /// Number of fraction digits held.
    public static let scale = 6
    /// Units per whole one (10⁶).
    public static let unitsPerOne: Int64 = 1_000_000

    /// Zero.
    public static let zero = FixedDecimal(units: 0)
    /// One.
    public static let one = FixedDecimal(units: unitsPerOne)

    /// A value from its raw count of millionths.
    @inlinable
    public init(units: Int64) { self.units = units }

    /// A whole number, or `nil` when it does not fit.
    @inlinable
    public init?(exactly integer: Int) {
        let (product, overflow) = Int64(integer).multipliedReportingOverflow(by: Self.unitsPerOne)
        if overflow { return nil }
        self.units = product
    }

    /// Parses plain decimal notation: an optional `-` (or `+`), digits, optionally `.` and up to six
    /// fraction digits. No exponent, no grouping separators, no surrounding spaces.
    public init(parsing text: some StringProtocol) throws(DecimalParseError) {
        var utf8 = Array(text.utf8)
        let outcome = utf8.withUnsafeMutableBufferPointer { buffer -> DecimalParseOutcome in
            guard let base = buffer.baseAddress else { return .failure(.empty) }
            return parseFixedDecimal(UnsafePointer(base), buffer.count, maxFractionDigits: Self.scale)
        }
        switch outcome {
        case .success(let units): self.units = units
        case .failure(let error): throw error
        }
    }

    @inlinable public static func < (lhs: Self, rhs: Self) -> Bool { lhs.units < rhs.units }

    /// True when the value is below zero.
    @inlinable public var isNegative: Bool { units < 0 }
    /// True when the value is zero.
    @inlinable public var isZero: Bool { units == 0 }

    // MARK: Exact arithmetic

    /// `self + other`, exactly.
    @inlinable
    public func adding(_ other: Self) throws(ArithmeticError) -> Self {
        let (sum, overflow) = units.addingReportingOverflow(other.units)
        if overflow { throw .overflow(operation: "\(self) + \(other)") }
        return Self(units: sum)
    }

    /// `self - other`, exactly.
    @inlinable
    public func subtracting(_ other: Self) throws(ArithmeticError) -> Self {
        let (difference, overflow) = units.subtractingReportingOverflow(other.units)
        if overflow { throw .overflow(operation: "\(self) - \(other)") }
        return Self(units: difference)
    }

    /// `-self`, exactly.
    @inlinable
    public func negated() throws(ArithmeticError) -> Self {
        let (negated, overflow) = Int64(0).subtractingReportingOverflow(units)
        if overflow { throw .overflow(operation: "-(\(self))") }
        return Self(units: negated)
    }

    /// `self × count`, exactly.
    @inlinable
    public func multiplied(by count: Int64) throws(ArithmeticError) -> Self {
        let (product, overflow) = units.multipliedReportingOverflow(by: count)
        if overflow { throw .overflow(operation: "\(self) × \(count)") }
        return Self(units: product)
    }

    /// The exact product `self × other` (twelve fraction digits), with no rounding.
    @inlinable
    public func exactProduct(_ other: Self) -> WideDecimal {
        WideDecimal(value: Int128(units) * Int128(other.units), scale: 2 * Self.scale)
    }

    /// `self × other` rounded to six fraction digits by `mode`.
    @inlinable
    public func multiplied(by other: Self, rounding mode: RoundingMode) throws(ArithmeticError) -> Self {
        try exactProduct(other).fixed(rounding: mode)
    }

    /// `self ÷ divisor` rounded to six fraction digits by `mode`.
    @inlinable
    public func divided(by divisor: Self, rounding mode: RoundingMode) throws(ArithmeticError) -> Self {
        if divisor.units == 0 { throw .divisionByZero }
        // (a/10⁶) / (b/10⁶) = a/b, so the quotient in millionths is a·10⁶ / b.
        guard let quotient = roundedQuotient(Int128(units) * Int128(Self.unitsPerOne), Int128(divisor.units), mode),
            let result = Int64(exactly: quotient)
        else { throw .overflow(operation: "\(self) ÷ \(divisor)") }
        return Self(units: result)
    }

    /// `self ÷ count` rounded to six fraction digits by `mode`.
    @inlinable
    public func divided(by count: Int64, rounding mode: RoundingMode) throws(ArithmeticError) -> Self {
        if count == 0 { throw .divisionByZero }
        guard let quotient = roundedQuotient(Int128(units), Int128(count), mode), let result = Int64(exactly: quotient)
        else { throw .overflow(operation: "\(self) ÷ \(count)") }
        return Self(units: result)
    }

    /// The value rounded to `digits` fraction digits (0...6) by `mode`.
    @inlinable
    public func rounded(toFractionDigits digits: Int, _ mode: RoundingMode = .halfEven) throws(ArithmeticError) -> Self {
        precondition(digits >= 0 && digits <= Self.scale, "fraction digits must be 0...6")
        if digits == Self.scale { return self }
        let step = Int128(powerOfTen(Self.scale - digits))
        guard let steps = roundedQuotient(Int128(units), step, mode), let result = Int64(exactly: steps * step) else {
            throw .overflow(operation: "rounding \(self)")
        }
        return Self(units: result)
    }

    // MARK: Text

    /// Plain notation with the fewest fraction digits that show the value exactly (`12.5`, `-80`, `0.075`).
    public var description: String {
        var digits = Self.scale
        var units = self.units
        while digits > 0 && units % 10 == 0 {
            units /= 10
            digits -= 1
        }
        return formatScaled(Int128(self.units), scale: Self.scale, fractionDigits: digits)
    }

    /// Plain notation with exactly `fractionDigits` digits (0...6) after the point, rounding by `mode`
    /// when the value has more. Never prints `-0.00`.
    public func formatted(fractionDigits: Int, rounding mode: RoundingMode = .halfEven) -> String {
        precondition(fractionDigits >= 0 && fractionDigits <= Self.scale)
        let step = powerOfTen(Self.scale - fractionDigits)
        // Cannot overflow: the quotient is smaller in magnitude than the Int64 it came from (plus one).
        let steps = roundedQuotient(Int128(units), step, mode) ?? 0
        return formatScaled(steps * step, scale: Self.scale, fractionDigits: fractionDigits)
    }

    /// Appends what ``formatted(fractionDigits:rounding:)`` returns, as UTF-8, to `bytes`
    /// (without making a `String`: exports format millions of amounts).
    public func appendFormatted(fractionDigits: Int, to bytes: inout [UInt8], rounding mode: RoundingMode = .halfEven) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: digitsRoom) { room in
            guard let base = room.baseAddress else { return }
            let count = writeFormatted(fractionDigits: fractionDigits, to: base, rounding: mode)
            bytes.append(contentsOf: UnsafeBufferPointer(start: base, count: count))
        }
    }

    /// Writes what ``appendFormatted(fractionDigits:to:rounding:)`` appends into `out`, which has
    /// room for ``digitsRoom`` bytes; returns the number of bytes written.
    public func writeFormatted(fractionDigits: Int, to out: UnsafeMutablePointer<UInt8>, rounding mode: RoundingMode = .halfEven) -> Int {
        precondition(fractionDigits >= 0 && fractionDigits <= Self.scale)
        // Most amounts have no more digits than shown: one 64-bit division, no rounding.
        let step = smallPowerOfTen(Self.scale - fractionDigits)
        let (quotient, remainder) = units.quotientAndRemainder(dividingBy: step)
        let shown = remainder == 0 ? Int128(quotient) : (roundedQuotient(Int128(units), Int128(step), mode) ?? 0)
        return writeDigits(shown, fractionDigits: fractionDigits, to: out)
    }
}

/// The result of parsing a decimal from bytes (no existential, no allocation).
@frozen
public enum DecimalParseOutcome: Sendable, Equatable {
    /// The parsed value in units of 10^-maxFractionDigits.
    case success(Int64)
    /// Why the text is not acceptable.
    case failure(DecimalParseError)
}

/// Parses a plain decimal from `count` bytes at `start` into units of 10^-`maxFractionDigits`.
///
/// Accepts `[+-]?digits[.digits]` and `[+-]?.digits`; at least one digit. Fewer fraction digits are
/// scaled up; more are an error. This is the hot-path parser used by the CSV readers.
@inlinable
public func parseFixedDecimal(
    _ start: UnsafePointer<UInt8>, _ count: Int, maxFractionDigits: Int = 6
) -> DecimalParseOutcome {
    if count == 0 { return .failure(.empty) }
    var index = 0
    var negative = false
    let first = start[0]
    if first == UInt8(ascii: "-") {
        negative = true
        index = 1
    } else if first == UInt8(ascii: "+") {
        index = 1
    }
    // Fast path: at most 19 characters after the sign cannot overflow a UInt64 of digits.
    if count &- index <= 19 && count > index {
        var value: UInt64 = 0
        var point = -1
        var position = index
        while position < count {
            let byte = start[position]
            let digit = byte &- UInt8(ascii: "0")
            if digit < 10 {
                value = value &* 10 &+ UInt64(digit)
            } else if byte == UInt8(ascii: ".") && point < 0 {
                point = position
            } else {
                return .failure(.invalidCharacter)
            }
            position &+= 1
        }
        let fraction = point < 0 ? 0 : count &- point &- 1
        let digits = count &- index &- (point < 0 ? 0 : 1)
        if digits == 0 { return .failure(.invalidCharacter) }
        if fraction > maxFractionDigits {
            // Zeros past the last digit allowed change nothing (a spreadsheet's "472.4100000000"):
            // dropped. Any other digit there is one the value cannot hold.
            let extra = fraction &- maxFractionDigits
            var position = count &- extra
            while position < count && start[position] == UInt8(ascii: "0") { position &+= 1 }
            if position < count { return .failure(.tooManyFractionDigits(found: fraction, allowed: maxFractionDigits)) }
            value /= powersOfTen64[extra]
            return .success(negative ? -Int64(value) : Int64(value))
        }
        let missing = maxFractionDigits &- fraction
        if missing > 0 {
            if missing > 19 { return value == 0 ? .success(0) : .failure(.outOfRange) }
            let (scaled, overflow) = value.multipliedReportingOverflow(by: powersOfTen64[missing])
            if overflow { return .failure(.outOfRange) }
            value = scaled
        }
        if value > UInt64(Int64.max) {
            // As on the slow path below: the most negative value parses.
            if negative && value == UInt64(Int64.max) + 1 { return .success(.min) }
            return .failure(.outOfRange)
        }
        return .success(negative ? -Int64(value) : Int64(value))
    }
    var value: UInt64 = 0
    var significant = 0  // digits accumulated after leading zeros
    var sawDigit = false
    var fractionDigits = 0
    var inFraction = false
    while index < count {
        let byte = start[index]
        let digit = byte &- UInt8(ascii: "0")
        if digit < 10 {
            sawDigit = true
            if inFraction {
                fractionDigits &+= 1
                if fractionDigits > maxFractionDigits {
                    // Count every fraction digit for the message, then fail, unless every digit
                    // past the last allowed is a zero (dropped: it changes nothing).
                    var total = fractionDigits
                    var zeros = digit == 0
                    var rest = index + 1
                    while rest < count, start[rest] &- UInt8(ascii: "0") < 10 {
                        zeros = zeros && start[rest] == UInt8(ascii: "0")
                        total += 1
                        rest += 1
                    }
                    if rest < count { return .failure(.invalidCharacter) }
                    if !zeros { return .failure(.tooManyFractionDigits(found: total, allowed: maxFractionDigits)) }
                    break
                }
            }
            if value != 0 || digit != 0 {
                significant &+= 1
                if significant > 19 { return .failure(.outOfRange) }
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (next, o2) = times10.addingReportingOverflow(UInt64(digit))
                if o1 || o2 { return .failure(.outOfRange) }
                value = next
            }
        } else if byte == UInt8(ascii: ".") && !inFraction {
            inFraction = true
        } else {
            return .failure(.invalidCharacter)
        }
        index &+= 1
    }
    if !sawDigit { return .failure(.invalidCharacter) }
    var scaled = value
    var missing = maxFractionDigits - fractionDigits
    while missing > 0 {
        let (times10, overflow) = scaled.multipliedReportingOverflow(by: 10)
        if overflow { return .failure(.outOfRange) }
        scaled = times10
        missing -= 1
    }
    if scaled > UInt64(Int64.max) {
        // The most negative value has no positive twin, but arithmetic can produce it and
        // `description` prints it, so it must parse back.
        if negative && scaled == UInt64(Int64.max) + 1 { return .success(.min) }
        return .failure(.outOfRange)
    }
    let signed = Int64(scaled)
    return .success(negative ? -signed : signed)
}

/// 10⁰ … 10¹⁹ as `UInt64`.
@usableFromInline
let powersOfTen64: [UInt64] = (0...19).map { exponent in (0..<exponent).reduce(UInt64(1)) { value, _ in value &* 10 } }

/// Formats `value / 10^scale` with exactly `fractionDigits` digits, which must already be exact.
@usableFromInline
func formatScaled(_ value: Int128, scale: Int, fractionDigits: Int) -> String {
    precondition(fractionDigits <= scale)
    var out: [UInt8] = []
    appendDigits(value / powerOfTen(scale - fractionDigits), fractionDigits: fractionDigits, to: &out)
    return String(decoding: out, as: UTF8.self)
}

/// Appends `value` in decimal as UTF-8 (a minus sign when negative), without making a `String`.
public func appendDecimal(_ value: Int64, to out: inout [UInt8]) {
    appendDigits(Int128(value), fractionDigits: 0, to: &out)
}

/// Appends `shown / 10^fractionDigits` as UTF-8 with exactly `fractionDigits` digits after the
/// point (none: no point), a minus sign when negative.
@usableFromInline
func appendDigits(_ shown: Int128, fractionDigits: Int, to out: inout [UInt8]) {
    // Written into a fixed buffer, then appended at once: an append per byte cost a uniqueness
    // and a capacity check each.
    var buffer: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    withUnsafeMutableBytes(of: &buffer) { raw in
        guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
        let count = writeDigits(shown, fractionDigits: fractionDigits, to: base)
        out.append(contentsOf: UnsafeBufferPointer(start: base, count: count))
    }
}

/// The most bytes ``writeDigits(_:fractionDigits:to:)`` writes.
public let digitsRoom = 64

/// Writes what ``appendDigits(_:fractionDigits:to:)`` appends to `out`, which has room for
/// ``digitsRoom`` bytes; returns the number of bytes written. (An Int128 has at most 39 digits;
/// with the point, the sign and the zeros that pad a small value, 64 bytes.)
public func writeDigits(_ shown: Int128, fractionDigits: Int, to out: UnsafeMutablePointer<UInt8>) -> Int {
    precondition(fractionDigits >= 0, "negative fraction digits")
    let magnitude = shown.magnitude
    if magnitude <= UInt128(UInt64.max) && fractionDigits <= 40 {
        // The common case: the digits two at a time, then laid out around the point.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &digits) { raw -> Int in
            guard let end = raw.baseAddress?.assumingMemoryBound(to: UInt8.self).advanced(by: raw.count) else { return 0 }
            let count = writeDecimalDigits(UInt64(magnitude), endingAt: end)
            var position = 0
            if shown < 0 {
                out[0] = UInt8(ascii: "-")
                position = 1
            }
            if count > fractionDigits {
                let whole = count - fractionDigits
                (out + position).update(from: end - count, count: whole)
                position += whole
                if fractionDigits > 0 {
                    out[position] = UInt8(ascii: ".")
                    (out + position + 1).update(from: end - fractionDigits, count: fractionDigits)
                    position += 1 + fractionDigits
                }
            } else {
                // "0.", zeros, then the digits (fractionDigits > 0 here: count is at least 1).
                out[position] = UInt8(ascii: "0")
                out[position + 1] = UInt8(ascii: ".")
                position += 2
                (out + position).update(repeating: UInt8(ascii: "0"), count: fractionDigits - count)
                position += fractionDigits - count
                (out + position).update(from: end - count, count: count)
                position += count
            }
            return position
        }
    }
    // Right to left, from the end of the room, then moved to its start.
    var position = digitsRoom
    var count = 0
    @inline(__always) func put(_ digit: UInt8) {
        if count == fractionDigits && fractionDigits > 0 {
            position -= 1
            out[position] = UInt8(ascii: ".")
        }
        position -= 1
        out[position] = UInt8(ascii: "0") &+ digit
        count += 1
    }
    // Values past 64 bits, or more than 40 fraction digits (the fast path above takes the rest).
    var large = magnitude
    repeat {
        put(UInt8(truncatingIfNeeded: large % 10))
        large /= 10
    } while large != 0
    // At least one digit before the point.
    while count <= fractionDigits && position > 2 { put(0) }
    if shown < 0 {
        position -= 1
        out[position] = UInt8(ascii: "-")
    }
    let written = digitsRoom - position
    // The regions may overlap: copyMemory moves as memmove does.
    if position > 0 { UnsafeMutableRawPointer(out).copyMemory(from: out + position, byteCount: written) }
    return written
}

/// "00", "01", … "99": the two digits of each number below 100, for writing two at a time.
@inlinable
var digitPairs: StaticString {
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
}

/// Writes `value` in decimal right to left, its last digit just before `end`; returns the number
/// of digits (1 to 20). The 20 bytes before `end` must be writable.
@inlinable
public func writeDecimalDigits(_ value: UInt64, endingAt end: UnsafeMutablePointer<UInt8>) -> Int {
    let pairs = digitPairs.utf8Start
    var value = value
    var position = end
    while value >= 100 {
        let pair = Int(value % 100) &* 2
        value /= 100
        position -= 2
        position[0] = pairs[pair]
        position[1] = pairs[pair &+ 1]
    }
    if value >= 10 {
        let pair = Int(value) &* 2
        position -= 2
        position[0] = pairs[pair]
        position[1] = pairs[pair &+ 1]
    } else {
        position -= 1
        position[0] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value)
    }
    return end - position
}
