/// How a value that falls between two representable values is rounded.
///
/// The tie-breaking modes (`halfEven`, `halfUp`) only differ when the discarded part is
/// exactly one half; the directed modes (`down`, `up`, `floor`, `ceiling`) never look at ties.
/// Negative values mirror positive ones for the symmetric modes: `-2.665` rounds half-even to
/// `-2.66` and `-2.675` to `-2.68`.
public enum RoundingMode: String, Sendable, CaseIterable, Hashable, Codable {
    /// Round to nearest; ties go to the even neighbour ("banker's rounding"). The default.
    case halfEven = "half-even"
    /// Round to nearest; ties go away from zero (2.5 → 3, -2.5 → -3).
    case halfUp = "half-up"
    /// Toward zero (truncate): 2.9 → 2, -2.9 → -2.
    case down
    /// Away from zero: 2.1 → 3, -2.1 → -3.
    case up
    /// Toward negative infinity: 2.9 → 2, -2.1 → -3.
    case floor
    /// Toward positive infinity: 2.1 → 3, -2.9 → -2.
    case ceiling

    /// The mode used when a plan says nothing.
    public static let `default`: RoundingMode = .halfEven
}

/// Exact integer division with an explicit rounding mode.
///
/// - Precondition: `divisor != 0` (callers check and report `ArithmeticError.divisionByZero`).
/// - Returns: `dividend / divisor` rounded by `mode`, or `nil` when the result does not fit `Int128`
///   (only `Int128.min / -1`).
@inlinable
public func roundedQuotient(_ dividend: Int128, _ divisor: Int128, _ mode: RoundingMode) -> Int128? {
    precondition(divisor != 0, "division by zero")
    if divisor == -1 {
        let (negated, overflow) = Int128(0).subtractingReportingOverflow(dividend)
        return overflow ? nil : negated
    }
    // One hardware division when both fit 64 bits (most amounts and powers of ten); otherwise one
    // 128-bit division (a library call), the remainder taken back by a multiplication that cannot
    // overflow (|quotient × divisor| ≤ |dividend|).
    let quotient: Int128
    let remainder: Int128
    if let a = Int64(exactly: dividend), let b = Int64(exactly: divisor) {
        let (q, r) = a.quotientAndRemainder(dividingBy: b)
        quotient = Int128(q)
        remainder = Int128(r)
    } else {
        quotient = dividend / divisor
        remainder = dividend &- quotient &* divisor
    }
    if remainder == 0 { return quotient }
    let negative = (dividend < 0) != (divisor < 0)
    // quotient is truncated toward zero; `away` moves it one step away from zero.
    let away = negative ? quotient - 1 : quotient + 1
    switch mode {
    case .down: return quotient
    case .up: return away
    case .floor: return negative ? away : quotient
    case .ceiling: return negative ? quotient : away
    case .halfUp, .halfEven:
        // Compare |r| with |d| - |r| instead of 2|r| with |d|, which could overflow.
        let absR = remainder.magnitude
        let rest = divisor.magnitude - absR
        if absR > rest { return away }
        if absR < rest { return quotient }
        if mode == .halfUp { return away }
        return quotient & 1 == 0 ? quotient : away
    }
}

/// Powers of ten that fit in `Int128` (10⁰ … 10³⁸).
@usableFromInline
let powersOfTen128: [Int128] = {
    var table: [Int128] = []
    var value: Int128 = 1
    for exponent in 0...38 {
        table.append(value)
        if exponent < 38 { value *= 10 }
    }
    return table
}()

/// 10^exponent as `Int128`, for exponents 0...38.
@inlinable
public func powerOfTen(_ exponent: Int) -> Int128 {
    precondition(exponent >= 0 && exponent <= 38, "10^\(exponent) does not fit Int128")
    return powersOfTen128[exponent]
}
