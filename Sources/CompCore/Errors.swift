/// An arithmetic operation on exact values that cannot produce an exact, representable result.
///
/// Money never wraps around and never silently loses digits: every such case is one of these.
public enum ArithmeticError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The result is outside the representable range. `operation` names what was attempted.
    case overflow(operation: String)
    /// A division or ratio with a zero divisor.
    case divisionByZero
    /// Two money values in different currencies were combined without a conversion.
    case currencyMismatch(Currency, Currency)
    /// A value needs more fraction digits than the target type holds (and no rounding was asked for).
    case precisionLoss(operation: String)

    public var description: String {
        switch self {
        case .overflow(let operation): return "arithmetic overflow in \(operation)"
        case .divisionByZero: return "division by zero"
        case .currencyMismatch(let a, let b): return "currency mismatch: \(a.code) and \(b.code) cannot be combined without a conversion"
        case .precisionLoss(let operation): return "\(operation) needs more than 6 fraction digits; round it explicitly"
        }
    }
}

/// Why a piece of text is not an acceptable plain decimal.
public enum DecimalParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Nothing to parse.
    case empty
    /// A character that has no place in a plain decimal (thousands separators, exponents, letters, spaces).
    case invalidCharacter
    /// More fraction digits than allowed; the value would need rounding.
    case tooManyFractionDigits(found: Int, allowed: Int)
    /// The value does not fit the fixed-point range.
    case outOfRange

    public var description: String {
        switch self {
        case .empty: return "is empty"
        case .invalidCharacter: return "is not a plain decimal"
        case .tooManyFractionDigits(let found, let allowed):
            return "has \(found) fraction digits, at most \(allowed) are allowed"
        case .outOfRange: return "is out of range"
        }
    }
}
