/// An exact decimal intermediate: an `Int128` count of 10^-`scale` units, `scale` in 0...30.
///
/// Products and sums that must stay exact before their one rounding live here: an amount (6 digits)
/// times an fx rate (6 digits) times a 50% weight has 13 fraction digits, and the reference plan
/// sums those exactly before rounding bookings to cents. Every operation checks for overflow.
@frozen
public struct WideDecimal: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The value in units of 10^-scale.
    public var value: Int128
    /// Fraction digits, 0...30.
    public var scale: Int

    /// The largest scale a wide decimal may carry.
    public static let maxScale = 30

    /// Zero at scale 0.
    public static let zero = WideDecimal(value: 0, scale: 0)

    /// A value from its raw parts.
    @inlinable
    public init(value: Int128, scale: Int) {
        precondition(scale >= 0 && scale <= Self.maxScale, "scale must be 0...30")
        self.value = value
        self.scale = scale
    }

    /// The exact value of a six-digit fixed decimal.
    @inlinable
    public init(_ fixed: FixedDecimal) {
        self.init(value: Int128(fixed.units), scale: FixedDecimal.scale)
    }

    /// A whole number.
    @inlinable
    public init(_ integer: Int64) {
        self.init(value: Int128(integer), scale: 0)
    }

    /// The same value expressed with `newScale` fraction digits (must not be smaller than `scale`).
    @inlinable
    public func rescaled(to newScale: Int) throws(ArithmeticError) -> WideDecimal {
        precondition(newScale >= scale && newScale <= Self.maxScale)
        if newScale == scale { return self }
        // Most values and shifts fit 64 bits: one hardware multiply, which cannot overflow 128.
        if newScale - scale <= 18, let small = Int64(exactly: value) {
            return WideDecimal(value: Self.fullProduct(small, smallPowerOfTen(newScale - scale)), scale: newScale)
        }
        let (scaled, overflow) = value.multipliedReportingOverflow(by: powerOfTen(newScale - scale))
        if overflow { throw .overflow(operation: "rescaling \(self)") }
        return WideDecimal(value: scaled, scale: newScale)
    }

    /// The exact 128-bit product of two 64-bit integers (the hardware's widening multiply).
    @inlinable
    public static func fullProduct(_ a: Int64, _ b: Int64) -> Int128 {
        let (high, low) = a.multipliedFullWidth(by: b)
        return Int128(high) << 64 | Int128(low)
    }

    /// `self + other`, exactly, at the larger of the two scales.
    @inlinable
    public func adding(_ other: WideDecimal) throws(ArithmeticError) -> WideDecimal {
        // Sums of one column's values share a scale: nothing to rescale.
        if scale == other.scale {
            let (sum, overflow) = value.addingReportingOverflow(other.value)
            if overflow { throw .overflow(operation: "\(self) + \(other)") }
            return WideDecimal(value: sum, scale: scale)
        }
        // A sum that starts at zero: the other operand, at the larger scale already.
        if value == 0 && other.scale > scale { return other }
        if other.value == 0 && scale > other.scale { return self }
        let target = max(scale, other.scale)
        let a = scale == target ? self : try rescaled(to: target)
        let b = other.scale == target ? other : try other.rescaled(to: target)
        let (sum, overflow) = a.value.addingReportingOverflow(b.value)
        if overflow { throw .overflow(operation: "\(self) + \(other)") }
        return WideDecimal(value: sum, scale: target)
    }

    /// `self + other` carried to the most fraction digits that fit (at least ``carriedScale``),
    /// each operand finer than that rounded half-even to it: for a sum whose exact value needs more
    /// than 128 bits at the finer scale (two carried products of 29 and 30 fraction digits), which
    /// ``adding(_:)`` refuses. Overflow only when the sum's whole part does not fit beside
    /// ``carriedScale`` fraction digits.
    @inlinable
    public func addingCarried(_ other: WideDecimal) throws(ArithmeticError) -> WideDecimal {
        if let exact = try? adding(other) { return exact }
        return try carriedSum(other)
    }

    /// ``addingCarried(_:)`` past its exact sum (kept out of line: the exact sum is the hot path).
    @usableFromInline
    func carriedSum(_ other: WideDecimal) throws(ArithmeticError) -> WideDecimal {
        var target = max(scale, other.scale) - 1
        while target >= Self.carriedScale {
            func at(_ operand: WideDecimal) -> WideDecimal? {
                operand.scale > target ? operand.rounded(toFractionDigits: target, .halfEven) : try? operand.rescaled(to: target)
            }
            if let a = at(self), let b = at(other) {
                let (sum, overflow) = a.value.addingReportingOverflow(b.value)
                if !overflow { return WideDecimal(value: sum, scale: target) }
            }
            target -= 1
        }
        throw .overflow(operation: "\(self) + \(other)")
    }

    /// `self - other`, exactly, at the larger of the two scales.
    @inlinable
    public func subtracting(_ other: WideDecimal) throws(ArithmeticError) -> WideDecimal {
        try adding(other.negated())
    }

    /// `-self`, exactly.
    @inlinable
    public func negated() throws(ArithmeticError) -> WideDecimal {
        let (negated, overflow) = Int128(0).subtractingReportingOverflow(value)
        if overflow { throw .overflow(operation: "-(\(self))") }
        return WideDecimal(value: negated, scale: scale)
    }

    /// `self × other`, exactly; the scales add.
    @inlinable
    public func multiplied(by other: WideDecimal) throws(ArithmeticError) -> WideDecimal {
        let target = scale + other.scale
        if target > Self.maxScale {
            throw .overflow(
                operation: "\(self) × \(other): the exact product needs \(target) fraction digits, more than the \(Self.maxScale) kept; "
                    + "round a factor, or a product of several, first (round(x, 6), round(a * b * c, 6))")
        }
        // Two 64-bit factors (most amounts, rates and weights): their product always fits 128 bits.
        if let a = Int64(exactly: value), let b = Int64(exactly: other.value) {
            return WideDecimal(value: Self.fullProduct(a, b), scale: target)
        }
        let (product, overflow) = value.multipliedReportingOverflow(by: other.value)
        if overflow { throw .overflow(operation: "\(self) × \(other)") }
        return WideDecimal(value: product, scale: target)
    }

    /// The fewest fraction digits a product carried by ``multipliedCarried(by:)`` keeps: 12 more
    /// than a stored value's 6, so that the value's later rounding to its rule's digits is that of
    /// the exact product except on a tie within 10^-18.
    public static let carriedScale = 18

    /// `self × other` carried to the most fraction digits that fit (at most ``maxScale``, at least
    /// ``carriedScale``), rounded half-even: for a product whose exact value needs more than 128
    /// bits or 30 fraction digits (an fx rate, two weights and a split share on a ten-digit
    /// amount), which ``multiplied(by:)`` refuses. Overflow only when its whole part does not fit
    /// beside ``carriedScale`` fraction digits.
    public func multipliedCarried(by other: WideDecimal) throws(ArithmeticError) -> WideDecimal {
        let scale = self.scale + other.scale
        // The exact product's magnitude in 256 bits, divided by ten until it fits.
        var (high, low) = value.magnitude.multipliedFullWidth(by: other.value.magnitude)
        let negative = (value < 0) != (other.value < 0)
        var dropped = 0
        var lastDigit: UInt128 = 0
        var sticky = false
        func fits(_ high: UInt128, _ low: UInt128) -> Bool { high == 0 && low < UInt128(Int128.max) }
        while scale - dropped > Self.maxScale || !fits(high, low) {
            guard scale - dropped > Self.carriedScale else { throw .overflow(operation: "\(self) × \(other)") }
            sticky = sticky || lastDigit != 0
            let (highQuotient, highRemainder) = high.quotientAndRemainder(dividingBy: 10)
            let (lowQuotient, lowRemainder) = UInt128(10).dividingFullWidth((high: highRemainder, low: low))
            (high, low, lastDigit) = (highQuotient, lowQuotient, lowRemainder)
            dropped += 1
        }
        // Half-even on the digits dropped.
        if lastDigit > 5 || (lastDigit == 5 && (sticky || low % 2 == 1)) { low += 1 }
        let magnitude = Int128(low)
        return WideDecimal(value: negative ? -magnitude : magnitude, scale: scale - dropped)
    }

    /// `self ÷ divisor` rounded by `mode` to `resultScale` fraction digits.
    @inlinable
    public func divided(
        by divisor: WideDecimal, scale resultScale: Int, rounding mode: RoundingMode
    ) throws(ArithmeticError) -> WideDecimal {
        if divisor.value == 0 { throw .divisionByZero }
        // (a·10^-s) / (b·10^-t) in units of 10^-r  =  a · 10^(r + t - s) / b
        let shift = resultScale + divisor.scale - scale
        var numerator = value
        var denominator = divisor.value
        if shift >= 0 {
            if shift > 38 { throw .overflow(operation: "\(self) ÷ \(divisor)") }
            let (scaled, overflow) = numerator.multipliedReportingOverflow(by: powerOfTen(shift))
            if overflow { throw .overflow(operation: "\(self) ÷ \(divisor)") }
            numerator = scaled
        } else {
            if -shift > 38 { throw .overflow(operation: "\(self) ÷ \(divisor)") }
            let (scaled, overflow) = denominator.multipliedReportingOverflow(by: powerOfTen(-shift))
            if overflow { throw .overflow(operation: "\(self) ÷ \(divisor)") }
            denominator = scaled
        }
        guard let quotient = roundedQuotient(numerator, denominator, mode) else {
            throw .overflow(operation: "\(self) ÷ \(divisor)")
        }
        return WideDecimal(value: quotient, scale: resultScale)
    }

    /// The value rounded to `digits` fraction digits by `mode` (no-op when it already has no more).
    @inlinable
    public func rounded(toFractionDigits digits: Int, _ mode: RoundingMode = .halfEven) -> WideDecimal {
        precondition(digits >= 0 && digits <= Self.maxScale)
        if digits >= scale { return self }
        // A quotient by 10^k (k ≥ 1) always fits.
        let quotient = roundedQuotient(value, powerOfTen(scale - digits), mode) ?? 0
        return WideDecimal(value: quotient, scale: digits)
    }

    /// Rounds to six fraction digits by `mode` and narrows to a ``FixedDecimal``.
    @inlinable
    public func fixed(rounding mode: RoundingMode) throws(ArithmeticError) -> FixedDecimal {
        let six = scale > FixedDecimal.scale ? rounded(toFractionDigits: FixedDecimal.scale, mode) : try rescaled(to: FixedDecimal.scale)
        guard let units = Int64(exactly: six.value) else { throw .overflow(operation: "narrowing \(self)") }
        return FixedDecimal(units: units)
    }

    /// Narrows to a ``FixedDecimal`` only when no digit would be lost.
    @inlinable
    public func fixedExactly() throws(ArithmeticError) -> FixedDecimal {
        if scale > FixedDecimal.scale && value % powerOfTen(scale - FixedDecimal.scale) != 0 {
            throw .precisionLoss(operation: "narrowing \(self)")
        }
        return try fixed(rounding: .down)
    }

    /// The fewest fraction digits that show the value exactly (`12.50` at scale 6: 1).
    @inlinable public var exactFractionDigits: Int {
        if value == 0 { return 0 }
        // In 64 bits when it fits: an Int128 remainder is a library call per digit.
        if let small = Int64(exactly: value) { return Self.fractionDigits(small, scale: scale) }
        return Self.fractionDigits(value, scale: scale)
    }

    /// `scale` less the trailing zero digits of `units`.
    @inlinable static func fractionDigits<Units: BinaryInteger>(_ units: Units, scale: Int) -> Int {
        var units = units
        var digits = scale
        while digits > 0 && units % 10 == 0 {
            units /= 10
            digits -= 1
        }
        return digits
    }

    /// The value as an exact percentage (`0.0415384615` → `4.15384615%`), every digit kept.
    public var percentText: String {
        var percent = WideDecimal(value: value, scale: max(scale - 2, 0))
        if scale < 2 {
            let (scaled, overflow) = value.multipliedReportingOverflow(by: scale == 1 ? 10 : 100)
            // Too large to show as a percentage: shown as the number it is.
            if overflow { return formatted(fractionDigits: exactFractionDigits) }
            percent = WideDecimal(value: scaled, scale: 0)
        }
        return percent.formatted(fractionDigits: percent.exactFractionDigits) + "%"
    }

    /// The sign: -1, 0 or 1.
    @inlinable public var signum: Int { value < 0 ? -1 : (value == 0 ? 0 : 1) }

    public static func < (lhs: WideDecimal, rhs: WideDecimal) -> Bool {
        compare(lhs, rhs) < 0
    }

    public static func == (lhs: WideDecimal, rhs: WideDecimal) -> Bool {
        compare(lhs, rhs) == 0
    }

    public func hash(into hasher: inout Hasher) {
        // Equal values at different scales must hash alike: hash the trailing-zero-stripped form.
        var v = value
        var s = scale
        while s > 0 && v % 10 == 0 {
            v /= 10
            s -= 1
        }
        hasher.combine(v)
        hasher.combine(s)
    }

    /// -1, 0 or 1 as `lhs` is below, equal to or above `rhs`; exact at any scales.
    public static func compare(_ lhs: WideDecimal, _ rhs: WideDecimal) -> Int {
        if lhs.scale == rhs.scale { return lhs.value < rhs.value ? -1 : (lhs.value == rhs.value ? 0 : 1) }
        if lhs.signum != rhs.signum { return lhs.signum < rhs.signum ? -1 : 1 }
        let target = max(lhs.scale, rhs.scale)
        do {
            let a = try lhs.rescaled(to: target)
            let b = try rhs.rescaled(to: target)
            return a.value < b.value ? -1 : (a.value == b.value ? 0 : 1)
        } catch {
            // The one that overflowed when scaled up is the larger in magnitude.
            let lhsBigger = lhs.scale < rhs.scale
            let sign = lhs.signum
            return (lhsBigger ? 1 : -1) * sign
        }
    }

    /// Plain notation with all `scale` fraction digits.
    public var description: String { formatScaled(value, scale: scale, fractionDigits: scale) }

    /// Plain notation with exactly `fractionDigits` digits, rounding by `mode` when needed.
    public func formatted(fractionDigits: Int, rounding mode: RoundingMode = .halfEven) -> String {
        var bytes: [UInt8] = []
        appendFormatted(fractionDigits: fractionDigits, to: &bytes, rounding: mode)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends what ``formatted(fractionDigits:rounding:)`` returns, as UTF-8, to `bytes` (texts
    /// made of several numbers are then made into one `String`, not one per number and joined).
    public func appendFormatted(fractionDigits: Int, to bytes: inout [UInt8], rounding mode: RoundingMode = .halfEven) {
        precondition(fractionDigits >= 0 && fractionDigits <= Self.maxScale)
        // Most values fit 64 bits and need no rounding: one hardware division, or none.
        if let small = Int64(exactly: value) {
            if scale == fractionDigits { return appendDigits(Int128(small), fractionDigits: fractionDigits, to: &bytes) }
            if scale > fractionDigits && scale - fractionDigits <= 18 {
                let (quotient, remainder) = small.quotientAndRemainder(dividingBy: smallPowerOfTen(scale - fractionDigits))
                if remainder == 0 { return appendDigits(Int128(quotient), fractionDigits: fractionDigits, to: &bytes) }
            }
        }
        let shown = rounded(toFractionDigits: fractionDigits, mode)
        // Fewer digits than asked: pad with zeros.
        let padded = shown.scale == fractionDigits ? shown : ((try? shown.rescaled(to: fractionDigits)) ?? shown)
        appendDigits(padded.value, fractionDigits: padded.scale, to: &bytes)
    }
}

/// 10^`exponent` for 0...18 (a table in the binary: no global to initialise, no 128-bit value).
@inlinable
func smallPowerOfTen(_ exponent: Int) -> Int64 {
    switch exponent {
    case 0: return 1
    case 1: return 10
    case 2: return 100
    case 3: return 1_000
    case 4: return 10_000
    case 5: return 100_000
    case 6: return 1_000_000
    case 7: return 10_000_000
    case 8: return 100_000_000
    case 9: return 1_000_000_000
    case 10: return 10_000_000_000
    case 11: return 100_000_000_000
    case 12: return 1_000_000_000_000
    case 13: return 10_000_000_000_000
    case 14: return 100_000_000_000_000
    case 15: return 1_000_000_000_000_000
    case 16: return 10_000_000_000_000_000
    case 17: return 100_000_000_000_000_000
    default: return 1_000_000_000_000_000_000
    }
}
