import CompCore
import Testing

/// One row of the rounding table: a value, the fraction digits to keep, a mode, and the result.
struct RoundingCase: Sendable, CustomTestStringConvertible {
    let value: String
    let digits: Int
    let mode: RoundingMode
    let expected: String

    var testDescription: String { "\(value) → \(digits) digits \(mode.rawValue) = \(expected)" }

    /// Expands one row written as the results for every mode, in the order
    /// halfEven, halfUp, down, up, floor, ceiling.
    static func row(_ value: String, _ digits: Int, _ results: [String]) -> [RoundingCase] {
        let modes: [RoundingMode] = [.halfEven, .halfUp, .down, .up, .floor, .ceiling]
        precondition(results.count == modes.count)
        return zip(modes, results).map { RoundingCase(value: value, digits: digits, mode: $0, expected: $1) }
    }
}

/// The rounding table. Columns: half-even, half-up, down, up, floor, ceiling.
private let roundingRows: [[RoundingCase]] = [
    // Exact ties at two digits, positive and negative.
    RoundingCase.row("2.665", 2, ["2.66", "2.67", "2.66", "2.67", "2.66", "2.67"]),
    RoundingCase.row("2.675", 2, ["2.68", "2.68", "2.67", "2.68", "2.67", "2.68"]),
    RoundingCase.row("-2.665", 2, ["-2.66", "-2.67", "-2.66", "-2.67", "-2.67", "-2.66"]),
    RoundingCase.row("-2.675", 2, ["-2.68", "-2.68", "-2.67", "-2.68", "-2.68", "-2.67"]),
    RoundingCase.row("0.005", 2, ["0", "0.01", "0", "0.01", "0", "0.01"]),
    RoundingCase.row("-0.005", 2, ["0", "-0.01", "0", "-0.01", "-0.01", "0"]),
    RoundingCase.row("0.015", 2, ["0.02", "0.02", "0.01", "0.02", "0.01", "0.02"]),
    RoundingCase.row("-0.015", 2, ["-0.02", "-0.02", "-0.01", "-0.02", "-0.02", "-0.01"]),
    // Non-ties just either side of a tie, and ordinary non-ties.
    RoundingCase.row("2.665001", 2, ["2.67", "2.67", "2.66", "2.67", "2.66", "2.67"]),
    RoundingCase.row("2.664999", 2, ["2.66", "2.66", "2.66", "2.67", "2.66", "2.67"]),
    RoundingCase.row("-2.665001", 2, ["-2.67", "-2.67", "-2.66", "-2.67", "-2.67", "-2.66"]),
    RoundingCase.row("-2.664999", 2, ["-2.66", "-2.66", "-2.66", "-2.67", "-2.67", "-2.66"]),
    RoundingCase.row("2.664", 2, ["2.66", "2.66", "2.66", "2.67", "2.66", "2.67"]),
    RoundingCase.row("2.666", 2, ["2.67", "2.67", "2.66", "2.67", "2.66", "2.67"]),
    RoundingCase.row("-2.664", 2, ["-2.66", "-2.66", "-2.66", "-2.67", "-2.67", "-2.66"]),
    RoundingCase.row("-2.666", 2, ["-2.67", "-2.67", "-2.66", "-2.67", "-2.67", "-2.66"]),
    RoundingCase.row("0.000001", 2, ["0", "0", "0", "0.01", "0", "0.01"]),
    RoundingCase.row("-0.000001", 2, ["0", "0", "0", "-0.01", "-0.01", "0"]),
    RoundingCase.row("1234.999999", 2, ["1235", "1235", "1234.99", "1235", "1234.99", "1235"]),
    // Already representable: every mode leaves it alone.
    RoundingCase.row("2.67", 2, ["2.67", "2.67", "2.67", "2.67", "2.67", "2.67"]),
    RoundingCase.row("-2.67", 2, ["-2.67", "-2.67", "-2.67", "-2.67", "-2.67", "-2.67"]),
    RoundingCase.row("0", 2, ["0", "0", "0", "0", "0", "0"]),
    RoundingCase.row("0", 0, ["0", "0", "0", "0", "0", "0"]),
    RoundingCase.row("-80", 0, ["-80", "-80", "-80", "-80", "-80", "-80"]),
    // Whole numbers: ties go to the even neighbour (half-even) or away from zero (half-up).
    RoundingCase.row("2.5", 0, ["2", "3", "2", "3", "2", "3"]),
    RoundingCase.row("-2.5", 0, ["-2", "-3", "-2", "-3", "-3", "-2"]),
    RoundingCase.row("3.5", 0, ["4", "4", "3", "4", "3", "4"]),
    RoundingCase.row("-3.5", 0, ["-4", "-4", "-3", "-4", "-4", "-3"]),
    RoundingCase.row("0.5", 0, ["0", "1", "0", "1", "0", "1"]),
    RoundingCase.row("-0.5", 0, ["0", "-1", "0", "-1", "-1", "0"]),
    RoundingCase.row("1.5", 0, ["2", "2", "1", "2", "1", "2"]),
    RoundingCase.row("2.4", 0, ["2", "2", "2", "3", "2", "3"]),
    RoundingCase.row("2.6", 0, ["3", "3", "2", "3", "2", "3"]),
    RoundingCase.row("2.9", 0, ["3", "3", "2", "3", "2", "3"]),
    RoundingCase.row("-2.1", 0, ["-2", "-2", "-2", "-3", "-3", "-2"]),
    RoundingCase.row("-2.6", 0, ["-3", "-3", "-2", "-3", "-3", "-2"]),
    // Three digits (KWD), five digits, one digit.
    RoundingCase.row("1.0005", 3, ["1", "1.001", "1", "1.001", "1", "1.001"]),
    RoundingCase.row("1.0015", 3, ["1.002", "1.002", "1.001", "1.002", "1.001", "1.002"]),
    RoundingCase.row("-1.0005", 3, ["-1", "-1.001", "-1", "-1.001", "-1.001", "-1"]),
    RoundingCase.row("0.123455", 5, ["0.12346", "0.12346", "0.12345", "0.12346", "0.12345", "0.12346"]),
    RoundingCase.row("0.123465", 5, ["0.12346", "0.12347", "0.12346", "0.12347", "0.12346", "0.12347"]),
    RoundingCase.row("0.25", 1, ["0.2", "0.3", "0.2", "0.3", "0.2", "0.3"]),
    RoundingCase.row("-0.35", 1, ["-0.4", "-0.4", "-0.3", "-0.4", "-0.4", "-0.3"]),
    // Six digits is a no-op.
    RoundingCase.row("-1.234567", 6, ["-1.234567", "-1.234567", "-1.234567", "-1.234567", "-1.234567", "-1.234567"]),
    // Near the ends of the range, where the result still fits.
    RoundingCase.row(
        "9223372036854.765", 2,
        [
            "9223372036854.76", "9223372036854.77", "9223372036854.76", "9223372036854.77", "9223372036854.76",
            "9223372036854.77",
        ]),
    RoundingCase.row(
        "-9223372036853.5", 0,
        [
            "-9223372036854", "-9223372036854", "-9223372036853", "-9223372036854", "-9223372036854", "-9223372036853",
        ]),

]

let roundingTable: [RoundingCase] = roundingRows.flatMap { $0 }

@Suite("Rounding")
struct RoundingTests {
    @Test("FixedDecimal.rounded(toFractionDigits:)", arguments: roundingTable)
    func fixedDecimalRounding(_ row: RoundingCase) throws {
        let value = try FixedDecimal(parsing: row.value)
        let expected = try FixedDecimal(parsing: row.expected)
        let rounded = try value.rounded(toFractionDigits: row.digits, row.mode)
        #expect(rounded == expected)
        #expect(rounded.description == row.expected)
    }

    @Test("WideDecimal.rounded(toFractionDigits:) agrees with FixedDecimal", arguments: roundingTable)
    func wideDecimalRounding(_ row: RoundingCase) throws {
        // The same value carried at 13 fraction digits must round to the same result.
        let wide = try WideDecimal(try FixedDecimal(parsing: row.value)).rescaled(to: 13)
        let rounded = wide.rounded(toFractionDigits: row.digits, row.mode)
        #expect(rounded.scale == row.digits)
        #expect(rounded == WideDecimal(try FixedDecimal(parsing: row.expected)))
    }

    @Test("formatted(fractionDigits:rounding:) shows the rounded value", arguments: roundingTable)
    func formattedMatchesRounding(_ row: RoundingCase) throws {
        let value = try FixedDecimal(parsing: row.value)
        let expected = try FixedDecimal(parsing: row.expected)
        #expect(
            value.formatted(fractionDigits: row.digits, rounding: row.mode)
                == expected.formatted(fractionDigits: row.digits))
    }

    @Test("Money.rounded uses the currency's minor units")
    func moneyRoundsToMinorUnits() throws {
        let kwd = try #require(Currency(code: "KWD"))
        #expect(try Money(dec("2.665"), .usd).rounded() == Money(dec("2.66"), .usd))
        #expect(try Money(dec("2.665"), .usd).rounded(.halfUp) == Money(dec("2.67"), .usd))
        #expect(try Money(dec("-2.675"), .eur).rounded() == Money(dec("-2.68"), .eur))
        #expect(try Money(dec("2.5"), .jpy).rounded() == Money(dec("2"), .jpy))
        #expect(try Money(dec("3.5"), .jpy).rounded() == Money(dec("4"), .jpy))
        #expect(try Money(dec("1.0005"), kwd).rounded() == Money(dec("1"), kwd))
        #expect(try Money(dec("1.0015"), kwd).rounded() == Money(dec("1.002"), kwd))
        #expect(try Money(dec("1.0015"), kwd).rounded(.down) == Money(dec("1.001"), kwd))
        #expect(try Money(dec("12.345678"), .usd).rounded(toFractionDigits: 4, .ceiling) == Money(dec("12.3457"), .usd))
    }

    @Test("the default mode is half-even, and modes have stable names")
    func defaults() throws {
        #expect(RoundingMode.default == .halfEven)
        #expect(RoundingMode.allCases.map(\.rawValue) == ["half-even", "half-up", "down", "up", "floor", "ceiling"])
        #expect(RoundingMode(rawValue: "half-even") == .halfEven)
        #expect(RoundingMode(rawValue: "halfEven") == nil)
        #expect(try dec("2.665").rounded(toFractionDigits: 2) == dec("2.66"))
    }

    @Test("rounding that leaves the range throws overflow")
    func roundingOverflow() throws {
        #expect(throws: ArithmeticError.overflow(operation: "rounding 9223372036854.775807")) {
            try maxDecimal.rounded(toFractionDigits: 0, .halfEven)
        }
        #expect(throws: ArithmeticError.overflow(operation: "rounding 9223372036854.775807")) {
            try maxDecimal.rounded(toFractionDigits: 5, .up)
        }
        #expect(throws: ArithmeticError.overflow(operation: "rounding -9223372036854.775808")) {
            try minDecimal.rounded(toFractionDigits: 2, .floor)
        }
        #expect(try maxDecimal.rounded(toFractionDigits: 5, .down) == dec("9223372036854.7758"))
        #expect(try minDecimal.rounded(toFractionDigits: 2, .ceiling) == dec("-9223372036854.77"))
    }
}

/// One row of the `roundedQuotient` table.
struct QuotientCase: Sendable, CustomTestStringConvertible {
    let dividend: Int128
    let divisor: Int128
    let mode: RoundingMode
    let expected: Int128?

    var testDescription: String {
        "\(dividend) / \(divisor) \(mode.rawValue) = \(expected.map { String($0) } ?? "nil")"
    }

    /// Results in the order halfEven, halfUp, down, up, floor, ceiling.
    static func row(_ dividend: Int128, _ divisor: Int128, _ results: [Int128?]) -> [QuotientCase] {
        let modes: [RoundingMode] = [.halfEven, .halfUp, .down, .up, .floor, .ceiling]
        precondition(results.count == modes.count)
        return zip(modes, results).map { QuotientCase(dividend: dividend, divisor: divisor, mode: $0, expected: $1) }
    }

    static func all(_ dividend: Int128, _ divisor: Int128, _ result: Int128?) -> [QuotientCase] {
        row(dividend, divisor, Array(repeating: result, count: 6))
    }
}

/// 2^127 − 1 and −2^127 written out, so the table does not lean on the library's constants.
let int128Max: Int128 = 170_141_183_460_469_231_731_687_303_715_884_105_727
let int128Min: Int128 = -170_141_183_460_469_231_731_687_303_715_884_105_728
let twoTo126: Int128 = 85_070_591_730_234_615_865_843_651_857_942_052_864
/// ⌊(2^127 − 1) / 3⌋ = ⌊2^127 / 3⌋.
let int128MaxThird: Int128 = 56_713_727_820_156_410_577_229_101_238_628_035_242

private let quotientRows: [[QuotientCase]] = [
    // Small values: halfEven, halfUp, down, up, floor, ceiling.
    QuotientCase.row(7, 2, [4, 4, 3, 4, 3, 4]),
    QuotientCase.row(5, 2, [2, 3, 2, 3, 2, 3]),
    QuotientCase.row(-5, 2, [-2, -3, -2, -3, -3, -2]),
    QuotientCase.row(5, -2, [-2, -3, -2, -3, -3, -2]),
    QuotientCase.row(-5, -2, [2, 3, 2, 3, 2, 3]),
    QuotientCase.row(-7, 2, [-4, -4, -3, -4, -4, -3]),
    QuotientCase.row(7, 3, [2, 2, 2, 3, 2, 3]),
    QuotientCase.row(-7, 3, [-2, -2, -2, -3, -3, -2]),
    QuotientCase.row(8, 3, [3, 3, 2, 3, 2, 3]),
    QuotientCase.row(-8, 3, [-3, -3, -2, -3, -3, -2]),
    QuotientCase.row(1, 3, [0, 0, 0, 1, 0, 1]),
    QuotientCase.row(-1, 3, [0, 0, 0, -1, -1, 0]),
    QuotientCase.row(1, 2, [0, 1, 0, 1, 0, 1]),
    QuotientCase.row(-1, 2, [0, -1, 0, -1, -1, 0]),
    QuotientCase.row(15, 10, [2, 2, 1, 2, 1, 2]),
    QuotientCase.row(25, 10, [2, 3, 2, 3, 2, 3]),
    QuotientCase.all(6, 3, 2),
    QuotientCase.all(-6, 3, -2),
    QuotientCase.all(0, 5, 0),
    QuotientCase.all(0, -5, 0),
    QuotientCase.all(42, 1, 42),
    QuotientCase.all(42, -1, -42),
    // Int128 extremes.
    QuotientCase.all(int128Max, 1, int128Max),
    QuotientCase.all(int128Min, 1, int128Min),
    QuotientCase.all(int128Max, -1, -int128Max),
    QuotientCase.all(int128Min, -1, nil),  // 2^127 does not fit
    QuotientCase.all(int128Max, int128Max, 1),
    QuotientCase.all(int128Min, int128Min, 1),
    QuotientCase.all(int128Min, 2, -twoTo126),
    QuotientCase.all(int128Min, -2, twoTo126),
    // (2^127 − 1) / 2 = 2^126 − 0.5, an exact tie with an odd truncated quotient.
    QuotientCase.row(int128Max, 2, [twoTo126, twoTo126, twoTo126 - 1, twoTo126, twoTo126 - 1, twoTo126]),
    QuotientCase.row(int128Max, -2, [-twoTo126, -twoTo126, -(twoTo126 - 1), -twoTo126, -twoTo126, -(twoTo126 - 1)]),
    // (2^127 − 1) / 3 = q + 1/3; −2^127 / 3 = −(q + 2/3).
    QuotientCase.row(
        int128Max, 3,
        [int128MaxThird, int128MaxThird, int128MaxThird, int128MaxThird + 1, int128MaxThird, int128MaxThird + 1]),
    QuotientCase.row(
        int128Min, 3,
        [
            -int128MaxThird - 1, -int128MaxThird - 1, -int128MaxThird, -int128MaxThird - 1, -int128MaxThird - 1,
            -int128MaxThird,
        ]),
    // (2^127 − 1) / −2^127 is just above −1; −2^127 / (2^127 − 1) just below −1.
    QuotientCase.row(int128Max, int128Min, [-1, -1, 0, -1, -1, 0]),
    QuotientCase.row(int128Min, int128Max, [-1, -1, -1, -2, -2, -1]),
    // ±2^126 / −2^127 = ∓0.5 exactly: 2·|remainder| would overflow, the comparison must not.
    QuotientCase.row(twoTo126, int128Min, [0, -1, 0, -1, -1, 0]),
    QuotientCase.row(-twoTo126, int128Min, [0, 1, 0, 1, 0, 1]),
    // 1 / huge is a tiny non-tie.
    QuotientCase.row(1, int128Max, [0, 0, 0, 1, 0, 1]),
    QuotientCase.row(-1, int128Max, [0, 0, 0, -1, -1, 0]),

]

let quotientTable: [QuotientCase] = quotientRows.flatMap { $0 }

@Suite("roundedQuotient")
struct RoundedQuotientTests {
    @Test(arguments: quotientTable)
    func quotient(_ row: QuotientCase) {
        #expect(roundedQuotient(row.dividend, row.divisor, row.mode) == row.expected)
    }

    /// The 64-bit path (one hardware division) and the 128-bit one (a division, the remainder
    /// multiplied back) agree with quotient and remainder taken by Int128's own `/` and `%`, in
    /// every mode, around the edges of 64 bits: Int64.min and .max, one past them, ties (±5 / 10,
    /// ±15 / 10), divisors of 1, -1, 10^18 and Int64.max, and a divisor past 64 bits.
    @Test("64-bit and 128-bit paths agree at the edges")
    func widths() {
        func reference(_ dividend: Int128, _ divisor: Int128, _ mode: RoundingMode) -> Int128 {
            let quotient = dividend / divisor
            let remainder = dividend % divisor
            if remainder == 0 { return quotient }
            let negative = (dividend < 0) != (divisor < 0)
            let away = negative ? quotient - 1 : quotient + 1
            switch mode {
            case .down: return quotient
            case .up: return away
            case .floor: return negative ? away : quotient
            case .ceiling: return negative ? quotient : away
            case .halfUp, .halfEven:
                let twice = remainder.magnitude * 2
                if twice > divisor.magnitude { return away }
                if twice < divisor.magnitude { return quotient }
                return mode == .halfUp || quotient & 1 != 0 ? away : quotient
            }
        }
        let big = Int128(Int64.max)
        let small = Int128(Int64.min)
        let dividends: [Int128] = [0, 5, -5, 15, -15, 25, 999_999, -1_000_001, big, big + 1, big - 1, small, small - 1, small + 1, big * 7 + 3, small * 3 - 2]
        let divisors: [Int128] = [1, 2, -2, 10, -10, 7, -7, 1_000_000_000_000_000_000, big, small + 1, big + 1, -(big + 1), Int128(1) << 70]
        let modes: [RoundingMode] = [.down, .up, .floor, .ceiling, .halfUp, .halfEven]
        for dividend in dividends {
            for divisor in divisors {
                for mode in modes {
                    #expect(roundedQuotient(dividend, divisor, mode) == reference(dividend, divisor, mode), "\(dividend) / \(divisor) \(mode)")
                }
            }
        }
    }

    @Test("the written-out extremes are Int128's")
    func constants() {
        #expect(int128Max == Int128.max)
        #expect(int128Min == Int128.min)
        #expect(twoTo126 == Int128(1) << 126)
        #expect(int128MaxThird == Int128.max / 3)
    }

    @Test("powers of ten")
    func powers() {
        #expect(powerOfTen(0) == 1)
        #expect(powerOfTen(6) == 1_000_000)
        #expect(powerOfTen(18) == 1_000_000_000_000_000_000)
        #expect(powerOfTen(38) == 100_000_000_000_000_000_000_000_000_000_000_000_000)
    }
}
