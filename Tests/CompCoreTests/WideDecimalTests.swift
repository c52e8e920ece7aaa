import CompCore
import Testing

@Suite("WideDecimal")
struct WideDecimalTests {
    /// A credit: amount × fx × 50%, exact, with 13 fraction digits.
    static func credit(_ amount: String, fx: String) throws -> WideDecimal {
        try dec(amount).exactProduct(dec(fx)).multiplied(by: WideDecimal(value: 5, scale: 1))
    }

    @Test("amount × fx × 0.5 has 13 fraction digits and is exact")
    func thirteenDigitProducts() throws {
        let a = try Self.credit("1234.56", fx: "1.085123")
        let b = try Self.credit("980.10", fx: "1.085123")
        let c = try Self.credit("455.75", fx: "1.085123")
        #expect(a.scale == 13)
        #expect(a.description == "669.8247254400000")
        #expect(b.description == "531.7645261500000")
        #expect(c.description == "247.2724036250000")
        #expect(a == WideDecimal(value: 66_982_472_544, scale: 8))
    }

    @Test("summing exactly and rounding once differs from rounding each credit first")
    func roundOnce() throws {
        let credits = try [
            Self.credit("1234.56", fx: "1.085123"),
            Self.credit("980.10", fx: "1.085123"),
            Self.credit("455.75", fx: "1.085123"),
        ]
        var exact = WideDecimal.zero
        for credit in credits { exact = try exact.adding(credit) }
        #expect(exact.scale == 13)
        #expect(exact.description == "1448.8616552150000")
        let roundedOnce = exact.rounded(toFractionDigits: 2, .halfEven)
        #expect(roundedOnce.description == "1448.86")
        #expect(try roundedOnce.fixed(rounding: .halfEven) == dec("1448.86"))

        // Rounding each credit to cents first loses a cent: 669.82 + 531.76 + 247.27.
        var roundedFirst = WideDecimal.zero
        for credit in credits { roundedFirst = try roundedFirst.adding(credit.rounded(toFractionDigits: 2, .halfEven)) }
        #expect(roundedFirst.description == "1448.85")
        #expect(roundedFirst != roundedOnce)

        // Rounding each to six digits first (what FixedDecimal.multiplied does) does not help either:
        // 669.824725 + 531.764526 + 247.272404 = 1448.861655, the same cents here, but not exact.
        var sixFirst = FixedDecimal.zero
        for credit in credits { sixFirst = try sixFirst.adding(credit.fixed(rounding: .halfEven)) }
        #expect(sixFirst == dec("1448.861655"))
        #expect(WideDecimal(sixFirst) != exact)
    }

    @Test("a tie at 13 digits rounds half-even only once it is summed")
    func tieAcrossCredits() throws {
        // 0.01 × 1 × 0.5 = 0.005: each rounds (half-even) to 0.00, three sum to 0.015 → 0.02.
        let credit = try Self.credit("0.01", fx: "1")
        #expect(credit.rounded(toFractionDigits: 2, .halfEven) == WideDecimal.zero)
        let sum = try credit.adding(credit).adding(credit)
        #expect(sum.description == "0.0150000000000")
        #expect(sum.rounded(toFractionDigits: 2, .halfEven).description == "0.02")
        #expect(sum.rounded(toFractionDigits: 2, .down).description == "0.01")
    }

    @Test("comparison and equality are exact across scales")
    func compareAcrossScales() {
        let oneAndHalf = WideDecimal(value: 15, scale: 1)
        #expect(oneAndHalf == WideDecimal(value: 1_500, scale: 3))
        #expect(oneAndHalf == WideDecimal(value: 15 * powerOfTen(29), scale: 30))
        #expect(oneAndHalf < WideDecimal(value: 1_501, scale: 3))
        #expect(oneAndHalf > WideDecimal(value: 1_499, scale: 3))
        #expect(WideDecimal(value: -15, scale: 1) < WideDecimal(value: -149, scale: 2))
        #expect(WideDecimal(value: -15, scale: 1) > WideDecimal(value: -1_501, scale: 3))
        #expect(WideDecimal(value: -1, scale: 30) < WideDecimal.zero)
        #expect(WideDecimal(value: 0, scale: 12) == WideDecimal.zero)
        #expect(WideDecimal(value: -1, scale: 0) < WideDecimal(value: 1, scale: 30))
        #expect(WideDecimal.compare(WideDecimal(value: 2, scale: 0), WideDecimal(value: 20, scale: 1)) == 0)
        #expect(WideDecimal.compare(WideDecimal(value: 2, scale: 0), WideDecimal(value: 21, scale: 1)) == -1)
        #expect(WideDecimal.compare(WideDecimal(value: 22, scale: 1), WideDecimal(value: 2, scale: 0)) == 1)
        // Equal values hash alike whatever their scale.
        #expect(Set([oneAndHalf, WideDecimal(value: 1_500, scale: 3), WideDecimal(value: 150, scale: 2)]).count == 1)
        #expect(Set([WideDecimal.zero, WideDecimal(value: 0, scale: 30)]).count == 1)
    }

    @Test("comparison stays exact when rescaling would overflow")
    func compareHuge() {
        let huge = WideDecimal(value: .max, scale: 0)
        let tiny = WideDecimal(value: 1, scale: 30)
        #expect(WideDecimal.compare(huge, tiny) == 1)
        #expect(WideDecimal.compare(tiny, huge) == -1)
        #expect(tiny < huge)
        let hugeNegative = WideDecimal(value: -Int128.max, scale: 0)
        let tinyNegative = WideDecimal(value: -1, scale: 30)
        #expect(WideDecimal.compare(hugeNegative, tinyNegative) == -1)
        #expect(WideDecimal.compare(tinyNegative, hugeNegative) == 1)
        #expect(hugeNegative < tinyNegative)
        #expect(huge != WideDecimal(value: .max, scale: 1))
    }

    @Test("divided(by:scale:rounding:)")
    func divide() throws {
        let one = WideDecimal(1)
        let three = WideDecimal(3)
        #expect(try one.divided(by: three, scale: 10, rounding: .halfEven).description == "0.3333333333")
        #expect(try WideDecimal(2).divided(by: three, scale: 2, rounding: .halfEven).description == "0.67")
        #expect(try WideDecimal(2).divided(by: three, scale: 2, rounding: .down).description == "0.66")
        #expect(try WideDecimal(-2).divided(by: three, scale: 2, rounding: .floor).description == "-0.67")
        #expect(try one.divided(by: WideDecimal(8), scale: 2, rounding: .halfEven).description == "0.12")
        #expect(try one.divided(by: WideDecimal(8), scale: 2, rounding: .halfUp).description == "0.13")
        #expect(try one.divided(by: WideDecimal(8), scale: 3, rounding: .halfEven).description == "0.125")
        // The dividend has more digits than the result: the divisor is scaled instead.
        let exactOne = WideDecimal(value: 1_000_000_000_000, scale: 12)
        #expect(try exactOne.divided(by: three, scale: 2, rounding: .halfEven).description == "0.33")
        // Divisor with digits of its own: 1448.861655215 ÷ 1.5 = 965.907770143333…
        let sum = WideDecimal(value: 14_488_616_552_150_000, scale: 13)
        #expect(
            try sum.divided(by: WideDecimal(value: 15, scale: 1), scale: 6, rounding: .halfEven).description
                == "965.907770")
        #expect(
            try sum.divided(by: WideDecimal(value: 15, scale: 1), scale: 6, rounding: .up).description == "965.907771")
        // Attainment: bookings ÷ quota to six digits.
        #expect(
            try WideDecimal(dec("1448.86")).divided(by: WideDecimal(dec("2000")), scale: 6, rounding: .halfEven)
                .description == "0.724430")
        #expect(throws: ArithmeticError.divisionByZero) {
            try one.divided(by: WideDecimal(value: 0, scale: 6), scale: 2, rounding: .halfEven)
        }
    }

    @Test("add, subtract, multiply, negate and their overflow")
    func arithmetic() throws {
        let a = WideDecimal(value: 125, scale: 2)  // 1.25
        let b = WideDecimal(value: 5, scale: 3)  // 0.005
        #expect(try a.adding(b).description == "1.255")
        #expect(try a.subtracting(b).description == "1.245")
        #expect(try b.subtracting(a).description == "-1.245")
        #expect(try a.multiplied(by: b).description == "0.00625")
        #expect(try a.negated().description == "-1.25")
        #expect(try a.rescaled(to: 5).description == "1.25000")
        #expect(WideDecimal(dec("-80")).description == "-80.000000")
        #expect(WideDecimal(42 as Int64).description == "42")
        #expect(WideDecimal(value: -5, scale: 3).description == "-0.005")
        #expect(throws: ArithmeticError.overflow(operation: "170141183460469231731687303715884105727 + 1")) {
            try WideDecimal(value: .max, scale: 0).adding(WideDecimal(1))
        }
        #expect(throws: ArithmeticError.overflow(operation: "-(-170141183460469231731687303715884105728)")) {
            try WideDecimal(value: .min, scale: 0).negated()
        }
        #expect(throws: ArithmeticError.overflow(operation: "rescaling 170141183460469231731687303715884105727")) {
            try WideDecimal(value: .max, scale: 0).adding(WideDecimal(value: 1, scale: 1))
        }
        #expect(throws: ArithmeticError.overflow(operation: "170141183460469231731687303715884105727 × 2")) {
            try WideDecimal(value: .max, scale: 0).multiplied(by: WideDecimal(2))
        }
        #expect(
            throws: ArithmeticError.overflow(
                operation: "0.000000000000000001 × 0.0000000000001: the exact product needs 31 fraction digits, more than the 30 kept; round a factor, or a product of several, first (round(x, 6), round(a * b * c, 6))")
        ) {
            try WideDecimal(value: 1, scale: 18).multiplied(by: WideDecimal(value: 1, scale: 13))
        }
        #expect(try WideDecimal(value: 1, scale: 18).multiplied(by: WideDecimal(value: 1, scale: 12)).scale == 30)
    }

    /// A product past 128 bits or 30 fraction digits is carried to the most digits that fit,
    /// rounded half-even; only a whole part too large for 18 fraction digits beside it overflows.
    /// 457247084.096901750530251066320627 × 0.666667 = 304831541.813629199320750887630773440209
    /// (39 digits): one dropped, a 9, so …344021 at 29 digits. 25 × 10^-31 and 35 × 10^-31 drop a 5
    /// with nothing after it: to the even 2 and 4 × 10^-30.
    @Test("Products too wide to be exact are carried to the digits that fit")
    func carriedProducts() throws {
        let credit = try #require(WideDecimal(value: Int128("457247084096901750530251066320627") ?? 0, scale: 24) as WideDecimal?)
        let share = WideDecimal(value: 666_667, scale: 6)
        #expect(throws: ArithmeticError.self) { try credit.multiplied(by: share) }
        let carried = try credit.multipliedCarried(by: share)
        #expect(carried.description == "304831541.81362919932075088763077344021")
        #expect(carried.scale == 29)
        let tiny = WideDecimal(value: 1, scale: 13)
        #expect(try WideDecimal(value: 25, scale: 18).multipliedCarried(by: tiny) == WideDecimal(value: 2, scale: 30))
        #expect(try WideDecimal(value: 35, scale: 18).multipliedCarried(by: tiny) == WideDecimal(value: 4, scale: 30))
        #expect(try WideDecimal(value: -35, scale: 18).multipliedCarried(by: tiny) == WideDecimal(value: -4, scale: 30))
        #expect(try WideDecimal(value: 251, scale: 19).multipliedCarried(by: tiny) == WideDecimal(value: 3, scale: 30))
        #expect(throws: ArithmeticError.overflow(operation: "170141183460469231731687303715884105727 × 2")) {
            try WideDecimal(value: .max, scale: 0).multipliedCarried(by: WideDecimal(2))
        }
        // Sums likewise: 610929186.37208708416224779387334693269 (29 digits) +
        // 0.123456789012345678901234567891 (30) is 610929186.495543873174593472774581500581, 39
        // digits at 30: the finer one rounded to 29 (…56789|1 to …56789), the sum …150058.
        let carriedTier = WideDecimal(value: Int128("61092918637208708416224779387334693269") ?? 0, scale: 29)
        let fine = WideDecimal(value: Int128("123456789012345678901234567891") ?? 0, scale: 30)
        #expect(throws: ArithmeticError.self) { try carriedTier.adding(fine) }
        #expect(try carriedTier.addingCarried(fine).description == "610929186.49554387317459347277458150058")
        #expect(try WideDecimal(1).addingCarried(WideDecimal(2)) == WideDecimal(3))
        #expect(throws: ArithmeticError.self) { try WideDecimal(value: .max, scale: 0).addingCarried(WideDecimal(1)) }
    }

    /// Products and rescalings of 64-bit values take the hardware's widening multiply; they must
    /// equal the 128-bit ones at the edges: Int64.max² = 85070591730234615847396907784232501249,
    /// Int64.min² = 2^126 = 85070591730234615865843651857942052864, Int64.min × −1 = 2^63, and a
    /// factor just past 64 bits goes the 128-bit way (2^64 × 3 = 55340232221128654848).
    @Test("64-bit products and rescalings are exact at the edges")
    func widePaths() throws {
        let max = WideDecimal(value: Int128(Int64.max), scale: 2)
        let min = WideDecimal(value: Int128(Int64.min), scale: 3)
        #expect(try max.multiplied(by: max) == WideDecimal(value: Int128("85070591730234615847396907784232501249")!, scale: 4))
        #expect(try min.multiplied(by: min) == WideDecimal(value: Int128("85070591730234615865843651857942052864")!, scale: 6))
        #expect(try min.multiplied(by: WideDecimal(value: -1, scale: 0)).value == Int128(1) << 63)
        #expect(try max.multiplied(by: min).value == Int128(Int64.max) * Int128(Int64.min))
        let beyond = WideDecimal(value: Int128(1) << 64, scale: 0)
        #expect(try beyond.multiplied(by: WideDecimal(value: 3, scale: 1)) == WideDecimal(value: Int128("55340232221128654848")!, scale: 1))
        #expect(throws: ArithmeticError.self) { try beyond.multiplied(by: WideDecimal(value: Int128(1) << 64, scale: 0)) }
        // Rescaling: every shift of 0...18 on a 64-bit value, and the 128-bit way past it.
        for shift in 0...18 {
            var power: Int128 = 1
            for _ in 0..<shift { power *= 10 }
            #expect(try max.rescaled(to: 2 + shift) == WideDecimal(value: Int128(Int64.max) * power, scale: 2 + shift))
            #expect(try min.rescaled(to: 3 + shift).value == Int128(Int64.min) * power)
        }
        #expect(try WideDecimal(value: 7, scale: 0).rescaled(to: 30).value == Int128("7000000000000000000000000000000")!)
        #expect(throws: ArithmeticError.self) { try max.rescaled(to: 30) }
        // 1.25 × 0.5 at the scales credits have: 0.625, scale 3.
        #expect(try WideDecimal(value: 125, scale: 2).multiplied(by: WideDecimal(value: 5, scale: 1)) == WideDecimal(value: 625, scale: 3))
    }

    @Test("division overflow names both operands")
    func divisionOverflow() {
        let divisor = WideDecimal(value: 1, scale: 30)
        let operation = "1 ÷ 0." + String(repeating: "0", count: 29) + "1"
        #expect(divisor.description == "0." + String(repeating: "0", count: 29) + "1")
        #expect(throws: ArithmeticError.overflow(operation: operation)) {
            try WideDecimal(1).divided(by: divisor, scale: 30, rounding: .halfEven)
        }
        #expect(throws: ArithmeticError.overflow(operation: "-170141183460469231731687303715884105728 ÷ -1")) {
            try WideDecimal(value: .min, scale: 0).divided(by: WideDecimal(-1), scale: 0, rounding: .halfEven)
        }
    }

    @Test("narrowing to FixedDecimal")
    func narrowing() throws {
        let thirteen = WideDecimal(value: 14_488_616_552_150_000, scale: 13)  // 1448.861655215
        #expect(try thirteen.fixed(rounding: .halfEven) == dec("1448.861655"))
        #expect(try thirteen.fixed(rounding: .up) == dec("1448.861656"))
        #expect(throws: ArithmeticError.precisionLoss(operation: "narrowing 1448.8616552150000")) {
            try thirteen.fixedExactly()
        }
        #expect(try WideDecimal(value: 15_000_000, scale: 7).fixedExactly() == dec("1.5"))
        #expect(try WideDecimal(value: -1_234, scale: 2).fixedExactly() == dec("-12.34"))
        #expect(try WideDecimal(value: -1_234, scale: 2).fixed(rounding: .halfEven) == dec("-12.34"))
        #expect(try WideDecimal(7 as Int64).fixed(rounding: .halfEven) == dec("7"))
        let tooBig = WideDecimal(value: Int128(Int64.max) + 1, scale: 6)
        #expect(throws: ArithmeticError.overflow(operation: "narrowing 9223372036854.775808")) {
            try tooBig.fixed(rounding: .halfEven)
        }
        #expect(throws: ArithmeticError.overflow(operation: "rescaling 170141183460469231731687303715884105727")) {
            try WideDecimal(value: .max, scale: 0).fixed(rounding: .halfEven)
        }
    }

    @Test("formatting pads or rounds to the digits asked for, never printing -0")
    func formatting() {
        let value = WideDecimal(value: 14_488_616_552_150_000, scale: 13)
        #expect(value.formatted(fractionDigits: 2) == "1448.86")
        #expect(value.formatted(fractionDigits: 0) == "1449")
        #expect(value.formatted(fractionDigits: 9, rounding: .halfEven) == "1448.861655215")
        #expect(value.formatted(fractionDigits: 8, rounding: .halfEven) == "1448.86165522")
        #expect(value.formatted(fractionDigits: 8, rounding: .down) == "1448.86165521")
        #expect(WideDecimal(value: 125, scale: 2).formatted(fractionDigits: 5) == "1.25000")
        #expect(WideDecimal(value: -5, scale: 3).formatted(fractionDigits: 2) == "0.00")
        #expect(WideDecimal(value: -5, scale: 3).formatted(fractionDigits: 2, rounding: .halfUp) == "-0.01")
        #expect(WideDecimal(value: -5, scale: 3).formatted(fractionDigits: 5) == "-0.00500")
        #expect(WideDecimal(value: -4, scale: 13).formatted(fractionDigits: 6) == "0.000000")
        // Values that need no rounding take a 64-bit path: the same texts.
        #expect(WideDecimal(value: 144_886_000_000, scale: 8).formatted(fractionDigits: 2) == "1448.86")
        #expect(WideDecimal(value: -144_886_000_000, scale: 8).formatted(fractionDigits: 2) == "-1448.86")
        #expect(WideDecimal(value: 0, scale: 8).formatted(fractionDigits: 2) == "0.00")
        #expect(WideDecimal(value: -7, scale: 2).formatted(fractionDigits: 2) == "-0.07")
        #expect(WideDecimal(value: Int128(Int64.min), scale: 0).formatted(fractionDigits: 0) == "-9223372036854775808")
        #expect(WideDecimal(value: Int128(Int64.max) * 10, scale: 3).formatted(fractionDigits: 2) == "92233720368547758.07")
        #expect(WideDecimal(42 as Int64).formatted(fractionDigits: 0) == "42")
        #expect(WideDecimal.zero.formatted(fractionDigits: 3) == "0.000")
        // Beyond 64 bits, and the widest values and scales.
        #expect(WideDecimal(value: Int128.max, scale: 0).formatted(fractionDigits: 0) == "170141183460469231731687303715884105727")
        #expect(WideDecimal(value: Int128.min + 1, scale: 30).formatted(fractionDigits: 30) == "-170141183.460469231731687303715884105727")
        #expect(WideDecimal(value: 7, scale: 30).formatted(fractionDigits: 30) == "0.000000000000000000000000000007")
        var bytes: [UInt8] = Array("x=".utf8)
        appendDecimal(Int64.min, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "x=-9223372036854775808")
    }

    @Test("rounding a wide value is a no-op at or above its scale")
    func roundingNoOp() {
        let value = WideDecimal(value: 1_234, scale: 2)
        #expect(value.rounded(toFractionDigits: 2).scale == 2)
        #expect(value.rounded(toFractionDigits: 10).scale == 2)
        #expect(value.rounded(toFractionDigits: 1).description == "12.3")
        #expect(value.rounded(toFractionDigits: 0, .ceiling).description == "13")
        #expect(value.signum == 1)
        #expect(WideDecimal(value: -3, scale: 4).signum == -1)
        #expect(WideDecimal(value: 0, scale: 4).signum == 0)
    }

    /// What a trace shows: the fewest digits that keep the value exact, and a rate as an exact
    /// percentage; a value too large to scale by 100 is shown as it is (it had trapped).
    @Test("exact fraction digits and percentages")
    func exactDigitsAndPercentages() {
        #expect(WideDecimal(value: 12_500_000, scale: 6).exactFractionDigits == 1)
        #expect(WideDecimal(value: -1_230, scale: 3).exactFractionDigits == 2)
        #expect(WideDecimal(value: 0, scale: 9).exactFractionDigits == 0)
        #expect(WideDecimal(value: Int128(Int64.max) * 1_000, scale: 20).exactFractionDigits == 17)
        #expect(WideDecimal(value: 41_538_461_538_461_538, scale: 18).percentText == "4.1538461538461538%")
        #expect(WideDecimal(value: 6, scale: 2).percentText == "6%")
        #expect(WideDecimal(value: -125, scale: 3).percentText == "-12.5%")
        #expect(WideDecimal(value: 3, scale: 0).percentText == "300%")
        #expect(WideDecimal(value: 15, scale: 1).percentText == "150%")
        #expect(WideDecimal(value: Int128.max, scale: 0).percentText == "170141183460469231731687303715884105727")
    }
}

@Suite struct WideDecimalFormattingTests {
    /// `appendFormatted` against a reference made here: the quotient by 10^(scale − digits)
    /// rounded by the mode (or the value padded with zeros), written digit by digit with the
    /// point inserted; no "-0". Values of every size around the 64-bit path's edges.
    @Test func formatsAsTheReferenceDoes() {
        var generator = SystemRandomNumberGenerator()
        let modes: [RoundingMode] = [.halfEven, .halfUp, .down, .up, .floor, .ceiling]
        for _ in 0..<4000 {
            let magnitude: Int128
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: magnitude = Int128(Int.random(in: 0...1000, using: &generator))
            case 1: magnitude = Int128(Int64.random(in: 0...Int64.max, using: &generator))
            case 2: magnitude = Int128(Int64.max) + Int128(Int.random(in: -3...3, using: &generator))
            default: magnitude = Int128(Int64.random(in: 0...Int64.max, using: &generator)) * 1_000_003
            }
            let value = Bool.random(using: &generator) ? -magnitude : magnitude
            let scale = Int.random(in: 0...24, using: &generator)
            let digits = Int.random(in: 0...24, using: &generator)
            let mode = modes.randomElement(using: &generator) ?? .halfEven
            let shown: Int128
            if scale > digits {
                shown = roundedQuotient(value, powerOfTen(scale - digits), mode) ?? 0
            } else {
                let (padded, overflow) = value.multipliedReportingOverflow(by: powerOfTen(digits - scale))
                if overflow { continue }
                shown = padded
            }
            var text = String(shown.magnitude)
            if digits > 0 {
                text = String(repeating: "0", count: max(0, digits + 1 - text.count)) + text
                text.insert(".", at: text.index(text.endIndex, offsetBy: -digits))
            }
            if shown < 0 { text = "-" + text }
            let decimal = WideDecimal(value: value, scale: scale)
            #expect(decimal.formatted(fractionDigits: digits, rounding: mode) == text, "\(value) scale \(scale) to \(digits) \(mode)")
        }
    }
}

@Suite struct WideDecimalSumTests {
    /// `adding` against the sum of both operands brought to the larger scale here: value and
    /// scale, for equal scales, zeros at either scale and different scales, and overflow
    /// reported at the edge of the range.
    @Test func addsAsTheReferenceDoes() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<4000 {
            func operand() -> WideDecimal {
                let scale = Int.random(in: 0...14, using: &generator)
                let value: Int128 = Int.random(in: 0..<4, using: &generator) == 0 ? 0 : Int128(Int64.random(in: -1_000_000_000_000...1_000_000_000_000, using: &generator))
                return WideDecimal(value: value, scale: scale)
            }
            let a = operand()
            let b = Bool.random(using: &generator) ? WideDecimal(value: Int128(Int.random(in: -5...5, using: &generator)), scale: a.scale) : operand()
            let target = max(a.scale, b.scale)
            let expected = a.value * powerOfTen(target - a.scale) + b.value * powerOfTen(target - b.scale)
            let sum = try a.adding(b)
            #expect(sum.value == expected && sum.scale == target, "\(a) + \(b)")
        }
        let top = WideDecimal(value: Int128.max, scale: 2)
        #expect(throws: ArithmeticError.self) { try top.adding(WideDecimal(value: 1, scale: 2)) }
        #expect(throws: ArithmeticError.self) { try WideDecimal(value: 1, scale: 0).adding(WideDecimal(value: Int128.max, scale: 1)) }
        #expect(try WideDecimal.zero.adding(top) == top)
        #expect(try top.adding(WideDecimal.zero).scale == 2)
    }
}
