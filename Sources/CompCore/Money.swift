/// An exact amount of money in one currency.
///
/// The amount keeps six fraction digits so that intermediate values (a unit price times a rate)
/// stay exact; ``rounded(_:)`` brings it to the currency's minor units when a plan says so.
/// Combining two currencies without a conversion throws ``ArithmeticError/currencyMismatch(_:_:)``.
@frozen
public struct Money: Sendable, Hashable, CustomStringConvertible, Codable {
    /// The exact amount.
    public var amount: FixedDecimal
    /// The currency the amount is in.
    public var currency: Currency

    /// Money from an amount and a currency.
    @inlinable
    public init(_ amount: FixedDecimal, _ currency: Currency) {
        self.amount = amount
        self.currency = currency
    }

    /// Parses a plain decimal amount (at most six fraction digits) in `currency`.
    public init(parsing text: some StringProtocol, currency: Currency) throws(DecimalParseError) {
        self.amount = try FixedDecimal(parsing: text)
        self.currency = currency
    }

    /// Zero in `currency`.
    @inlinable
    public static func zero(_ currency: Currency) -> Money { Money(.zero, currency) }

    @inlinable
    func same(_ other: Money) throws(ArithmeticError) {
        if currency != other.currency { throw .currencyMismatch(currency, other.currency) }
    }

    /// `self + other`; both must be in the same currency.
    @inlinable
    public func adding(_ other: Money) throws(ArithmeticError) -> Money {
        try same(other)
        return Money(try amount.adding(other.amount), currency)
    }

    /// `self - other`; both must be in the same currency.
    @inlinable
    public func subtracting(_ other: Money) throws(ArithmeticError) -> Money {
        try same(other)
        return Money(try amount.subtracting(other.amount), currency)
    }

    /// `-self`.
    @inlinable
    public func negated() throws(ArithmeticError) -> Money { Money(try amount.negated(), currency) }

    /// `self × count` (units sold, months), exactly.
    @inlinable
    public func multiplied(by count: Int64) throws(ArithmeticError) -> Money {
        Money(try amount.multiplied(by: count), currency)
    }

    /// `self × rate`, rounded to six fraction digits by `mode`. Use ``exactProduct(_:)`` to keep every digit.
    @inlinable
    public func multiplied(by rate: Rate, rounding mode: RoundingMode = .halfEven) throws(ArithmeticError) -> Money {
        Money(try amount.multiplied(by: rate.value, rounding: mode), currency)
    }

    /// The exact product `self × rate` with twelve fraction digits.
    @inlinable
    public func exactProduct(_ rate: Rate) -> WideDecimal { amount.exactProduct(rate.value) }

    /// `self ÷ count`, rounded to six fraction digits by `mode` (an equal share of `count` parts).
    @inlinable
    public func divided(by count: Int64, rounding mode: RoundingMode = .halfEven) throws(ArithmeticError) -> Money {
        Money(try amount.divided(by: count, rounding: mode), currency)
    }

    /// The ratio `self ÷ other` as a rate (attainment = bookings ÷ quota), rounded to six digits by `mode`.
    @inlinable
    public func ratio(to other: Money, rounding mode: RoundingMode = .halfEven) throws(ArithmeticError) -> Rate {
        try same(other)
        return Rate(try amount.divided(by: other.amount, rounding: mode))
    }

    /// Converts to `target` at `rate` (units of `target` per unit of this currency), rounded to six digits.
    @inlinable
    public func converted(
        to target: Currency, at rate: FixedDecimal, rounding mode: RoundingMode = .halfEven
    ) throws(ArithmeticError) -> Money {
        Money(try amount.multiplied(by: rate, rounding: mode), target)
    }

    /// Rounded to the currency's minor units by `mode`.
    @inlinable
    public func rounded(_ mode: RoundingMode = .halfEven) throws(ArithmeticError) -> Money {
        Money(try amount.rounded(toFractionDigits: currency.minorUnits, mode), currency)
    }

    /// Rounded to `digits` fraction digits by `mode`.
    @inlinable
    public func rounded(toFractionDigits digits: Int, _ mode: RoundingMode = .halfEven) throws(ArithmeticError) -> Money {
        Money(try amount.rounded(toFractionDigits: digits, mode), currency)
    }

    /// The amount with the currency's minor-unit digits (`1234.50`), rounding half-even if needed.
    public var formattedAmount: String { amount.formatted(fractionDigits: currency.minorUnits) }

    /// `1234.50 USD`.
    public var description: String { "\(formattedAmount) \(currency.code)" }
}

extension Money: Comparable {
    /// Orders by currency code, then amount; compare amounts of one currency for business logic.
    public static func < (lhs: Money, rhs: Money) -> Bool {
        lhs.currency == rhs.currency ? lhs.amount < rhs.amount : lhs.currency < rhs.currency
    }
}
