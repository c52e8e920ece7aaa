import CompCore
import Testing

@Suite("FixedDecimal arithmetic")
struct ArithmeticTests {
    @Test("addition and subtraction are exact")
    func addSubtract() throws {
        #expect(try dec("0.1").adding(dec("0.2")) == dec("0.3"))
        #expect(try dec("1234.56").adding(dec("-80")) == dec("1154.56"))
        #expect(try dec("-0.000001").adding(dec("0.000001")) == .zero)
        #expect(try dec("0.075").subtracting(dec("1")) == dec("-0.925"))
        #expect(try dec("-80").negated() == dec("80"))
        #expect(try FixedDecimal.zero.negated() == .zero)
    }

    @Test("sums right at the limits succeed")
    func atTheLimits() throws {
        #expect(try maxDecimal.adding(.zero) == maxDecimal)
        #expect(try maxDecimal.subtracting(maxDecimal) == .zero)
        #expect(try maxDecimal.adding(minDecimal) == dec("-0.000001"))
        #expect(try dec("9223372036854.775806").adding(dec("0.000001")) == maxDecimal)
        #expect(try minDecimal.adding(dec("0.000001")) == FixedDecimal(units: .min + 1))
        #expect(try minDecimal.subtracting(dec("-1")) == FixedDecimal(units: .min + 1_000_000))
        #expect(try maxDecimal.negated() == FixedDecimal(units: -.max))
        #expect(try dec("4611686018427.387903").multiplied(by: 2) == dec("9223372036854.775806"))
        #expect(try dec("-4611686018427.387904").multiplied(by: 2) == minDecimal)
        #expect(try maxDecimal.multiplied(by: -1) == FixedDecimal(units: -.max))
    }

    @Test("leaving the range throws overflow, naming the operation")
    func overflow() {
        #expect(throws: ArithmeticError.overflow(operation: "9223372036854.775807 + 0.000001")) {
            try maxDecimal.adding(dec("0.000001"))
        }
        #expect(throws: ArithmeticError.overflow(operation: "-9223372036854.775808 + -0.000001")) {
            try minDecimal.adding(dec("-0.000001"))
        }
        #expect(throws: ArithmeticError.overflow(operation: "5000000000000 + 5000000000000")) {
            try dec("5000000000000").adding(dec("5000000000000"))
        }
        #expect(throws: ArithmeticError.overflow(operation: "9223372036854.775807 - -1")) {
            try maxDecimal.subtracting(dec("-1"))
        }
        #expect(throws: ArithmeticError.overflow(operation: "-9223372036854.775808 - 0.000001")) {
            try minDecimal.subtracting(dec("0.000001"))
        }
        #expect(throws: ArithmeticError.overflow(operation: "-(-9223372036854.775808)")) {
            try minDecimal.negated()
        }
        #expect(throws: ArithmeticError.overflow(operation: "9223372036854.775807 × 2")) {
            try maxDecimal.multiplied(by: 2)
        }
        #expect(throws: ArithmeticError.overflow(operation: "4611686018427.387904 × 2")) {
            try dec("4611686018427.387904").multiplied(by: 2)
        }
        #expect(throws: ArithmeticError.overflow(operation: "-9223372036854.775808 × -1")) {
            try minDecimal.multiplied(by: -1)
        }
        #expect(throws: ArithmeticError.overflow(operation: "1 × -9223372036854775808")) {
            try dec("1").multiplied(by: Int64.min)
        }
        #expect(throws: ArithmeticError.overflow(operation: "narrowing 18446744073709.551614000000")) {
            try maxDecimal.multiplied(by: dec("2"), rounding: .halfEven)
        }
        #expect(throws: ArithmeticError.overflow(operation: "9223372036854.775807 ÷ 0.5")) {
            try maxDecimal.divided(by: dec("0.5"), rounding: .halfEven)
        }
        #expect(throws: ArithmeticError.overflow(operation: "-9223372036854.775808 ÷ -0.000001")) {
            try minDecimal.divided(by: dec("-0.000001"), rounding: .down)
        }
        #expect(throws: ArithmeticError.overflow(operation: "-9223372036854.775808 ÷ -1")) {
            try minDecimal.divided(by: -1 as Int64, rounding: .down)
        }
    }

    @Test("division by zero throws divisionByZero")
    func divisionByZero() {
        for mode in RoundingMode.allCases {
            #expect(throws: ArithmeticError.divisionByZero) {
                try dec("1").divided(by: FixedDecimal.zero, rounding: mode)
            }
            #expect(throws: ArithmeticError.divisionByZero) { try dec("1").divided(by: 0 as Int64, rounding: mode) }
            #expect(throws: ArithmeticError.divisionByZero) { try FixedDecimal.zero.divided(by: .zero, rounding: mode) }
        }
        #expect(throws: ArithmeticError.divisionByZero) { try Money(dec("10"), .usd).divided(by: 0) }
        #expect(throws: ArithmeticError.divisionByZero) { try Money(dec("10"), .usd).ratio(to: .zero(.usd)) }
    }

    @Test("multiplication by a decimal rounds once, by the mode given")
    func multiply() throws {
        #expect(try dec("1234.56").multiplied(by: dec("0.075"), rounding: .halfEven) == dec("92.592"))
        #expect(try dec("123.456789").multiplied(by: dec("1.000001"), rounding: .halfEven) == dec("123.456912"))
        #expect(try dec("123.456789").multiplied(by: dec("1.000001"), rounding: .up) == dec("123.456913"))
        #expect(dec("123.456789").exactProduct(dec("1.000001")).description == "123.456912456789")
        // 0.0000005 is an exact tie at six digits.
        #expect(try dec("0.000001").multiplied(by: dec("0.5"), rounding: .halfEven) == .zero)
        #expect(try dec("0.000001").multiplied(by: dec("0.5"), rounding: .halfUp) == dec("0.000001"))
        #expect(try dec("0.000003").multiplied(by: dec("0.5"), rounding: .halfEven) == dec("0.000002"))
        #expect(try dec("-0.000001").multiplied(by: dec("0.5"), rounding: .halfUp) == dec("-0.000001"))
        #expect(try dec("-0.000001").multiplied(by: dec("0.5"), rounding: .floor) == dec("-0.000001"))
        #expect(try dec("-0.000001").multiplied(by: dec("0.5"), rounding: .ceiling) == .zero)
        #expect(try dec("-2").multiplied(by: dec("-3.5"), rounding: .halfEven) == dec("7"))
        #expect(try dec("80").multiplied(by: 3) == dec("240"))
    }

    @Test("division rounds by the mode given")
    func divide() throws {
        #expect(try dec("10").divided(by: dec("3"), rounding: .halfEven) == dec("3.333333"))
        #expect(try dec("10").divided(by: dec("3"), rounding: .up) == dec("3.333334"))
        #expect(try dec("-10").divided(by: dec("3"), rounding: .floor) == dec("-3.333334"))
        #expect(try dec("-10").divided(by: dec("3"), rounding: .ceiling) == dec("-3.333333"))
        #expect(try dec("2").divided(by: dec("3"), rounding: .halfEven) == dec("0.666667"))
        #expect(try dec("2").divided(by: dec("3"), rounding: .down) == dec("0.666666"))
        #expect(try dec("1").divided(by: dec("8"), rounding: .halfEven) == dec("0.125"))
        #expect(try dec("1234.56").divided(by: dec("0.075"), rounding: .halfEven) == dec("16460.8"))
        #expect(try dec("1").divided(by: dec("0.000001"), rounding: .halfEven) == dec("1000000"))
        #expect(try dec("-7.5").divided(by: dec("-2.5"), rounding: .halfEven) == dec("3"))
        #expect(try dec("0.000001").divided(by: dec("2"), rounding: .halfEven) == .zero)
        #expect(try dec("0.000001").divided(by: dec("2"), rounding: .halfUp) == dec("0.000001"))
        #expect(try dec("0.000003").divided(by: dec("2"), rounding: .halfEven) == dec("0.000002"))
        #expect(try dec("100").divided(by: 3 as Int64, rounding: .halfEven) == dec("33.333333"))
        #expect(try dec("100").divided(by: 3 as Int64, rounding: .up) == dec("33.333334"))
        #expect(try dec("-100").divided(by: 3 as Int64, rounding: .halfEven) == dec("-33.333333"))
        #expect(try dec("0.000005").divided(by: 2 as Int64, rounding: .halfEven) == dec("0.000002"))
        #expect(try dec("0.000005").divided(by: 2 as Int64, rounding: .halfUp) == dec("0.000003"))
        #expect(try dec("0.000007").divided(by: -2 as Int64, rounding: .halfEven) == dec("-0.000004"))
        #expect(try maxDecimal.divided(by: 1 as Int64, rounding: .halfEven) == maxDecimal)
    }

    @Test("arithmetic errors describe themselves")
    func errorDescriptions() {
        #expect(ArithmeticError.overflow(operation: "1 + 2").description == "arithmetic overflow in 1 + 2")
        #expect(ArithmeticError.divisionByZero.description == "division by zero")
        #expect(
            ArithmeticError.currencyMismatch(.usd, .eur).description
                == "currency mismatch: USD and EUR cannot be combined without a conversion")
        #expect(
            ArithmeticError.precisionLoss(operation: "narrowing 0.0000001").description
                == "narrowing 0.0000001 needs more than 6 fraction digits; round it explicitly")
    }
}

@Suite("Money")
struct MoneyTests {
    @Test("same-currency arithmetic")
    func arithmetic() throws {
        let hundred = Money(dec("100"), .usd)
        #expect(try hundred.adding(Money(dec("0.5"), .usd)) == Money(dec("100.5"), .usd))
        #expect(try hundred.subtracting(Money(dec("100.01"), .usd)) == Money(dec("-0.01"), .usd))
        #expect(try hundred.negated() == Money(dec("-100"), .usd))
        #expect(try hundred.multiplied(by: 3) == Money(dec("300"), .usd))
        #expect(try hundred.divided(by: 3) == Money(dec("33.333333"), .usd))
        #expect(try hundred.divided(by: 3, rounding: .up) == Money(dec("33.333334"), .usd))
        #expect(try Money.zero(.eur).adding(Money(dec("1.5"), .eur)) == Money(dec("1.5"), .eur))
        #expect(try Money(parsing: "12.5", currency: .eur) == Money(dec("12.5"), .eur))
    }

    @Test("mixing currencies throws currencyMismatch")
    func currencyMismatch() {
        let usd = Money(dec("100"), .usd)
        let eur = Money(dec("100"), .eur)
        #expect(throws: ArithmeticError.currencyMismatch(.usd, .eur)) { try usd.adding(eur) }
        #expect(throws: ArithmeticError.currencyMismatch(.eur, .usd)) { try eur.subtracting(usd) }
        #expect(throws: ArithmeticError.currencyMismatch(.usd, .jpy)) { try usd.ratio(to: Money(dec("1"), .jpy)) }
        // Same code, different minor units: still not the same currency.
        let points = Currency(unlistedCode: "USD", minorUnits: 0)
        #expect(throws: ArithmeticError.currencyMismatch(.usd, points)) { try usd.adding(Money(dec("1"), points)) }
    }

    @Test("money overflow is reported, not wrapped")
    func overflow() {
        let big = Money(maxDecimal, .usd)
        #expect(throws: ArithmeticError.overflow(operation: "9223372036854.775807 + 0.000001")) {
            try big.adding(Money(dec("0.000001"), .usd))
        }
        #expect(throws: ArithmeticError.overflow(operation: "9223372036854.775807 × 2")) { try big.multiplied(by: 2) }
        #expect(throws: ArithmeticError.overflow(operation: "-(-9223372036854.775808)")) {
            try Money(minDecimal, .usd).negated()
        }
    }

    @Test("rates, ratios and conversions")
    func ratesAndConversions() throws {
        let thousand = Money(dec("1000"), .usd)
        #expect(try thousand.multiplied(by: Rate(parsing: "12.5%")) == Money(dec("125"), .usd))
        #expect(try Money(dec("1234.56"), .usd).multiplied(by: Rate(parsing: "3%")) == Money(dec("37.0368"), .usd))
        #expect(
            try Money(dec("1234.56"), .usd).multiplied(by: Rate(parsing: "3%")).rounded() == Money(dec("37.04"), .usd))
        #expect(try Money(dec("0.000001"), .usd).multiplied(by: Rate(parsing: "50%")) == Money(.zero, .usd))
        #expect(
            try Money(dec("0.000001"), .usd).multiplied(by: Rate(parsing: "50%"), rounding: .halfUp)
                == Money(dec("0.000001"), .usd))
        #expect(try Money(dec("1234.56"), .usd).exactProduct(Rate(parsing: "12.5%")).description == "154.320000000000")
        #expect(try Money(dec("750000"), .usd).ratio(to: Money(dec("1000000"), .usd)) == Rate(parsing: "75%"))
        #expect(try Money(dec("2"), .usd).ratio(to: Money(dec("3"), .usd)) == Rate(dec("0.666667")))
        #expect(try Money(dec("2"), .usd).ratio(to: Money(dec("3"), .usd), rounding: .down) == Rate(dec("0.666666")))
        #expect(try Money(dec("200"), .eur).converted(to: .usd, at: dec("1.085")) == Money(dec("217"), .usd))
        #expect(try Money(dec("10.01"), .eur).converted(to: .usd, at: dec("1.085123")) == Money(dec("10.862081"), .usd))
        #expect(
            try Money(dec("10.01"), .eur).converted(to: .usd, at: dec("1.085123"), rounding: .up)
                == Money(dec("10.862082"), .usd))
    }

    @Test("description uses the currency's minor units, rounding half-even")
    func description() throws {
        let kwd = try #require(Currency(code: "KWD"))
        #expect(Money(dec("1234.5"), .usd).description == "1234.50 USD")
        #expect(Money(dec("-80"), .eur).description == "-80.00 EUR")
        #expect(Money(dec("1234.5"), .jpy).description == "1234 JPY")
        #expect(Money(dec("1235.5"), .jpy).description == "1236 JPY")
        #expect(Money(dec("1.2345"), kwd).description == "1.234 KWD")
        #expect(Money(dec("2.665"), .gbp).description == "2.66 GBP")
        #expect(Money(dec("-0.001"), .usd).description == "0.00 USD")
        #expect(Money(dec("-0.001"), .usd).formattedAmount == "0.00")
        #expect(Money.zero(.jpy).description == "0 JPY")
    }

    @Test("ordering is by currency code, then amount")
    func ordering() {
        let sorted = [Money(dec("5"), .usd), Money(dec("1"), .usd), Money(dec("100"), .eur), Money(dec("-3"), .usd)]
            .sorted()
        #expect(sorted.map(\.description) == ["100.00 EUR", "-3.00 USD", "1.00 USD", "5.00 USD"])
    }
}

@Suite("Currency")
struct CurrencyTests {
    @Test(
        "ISO 4217 minor units",
        arguments: [
            ("USD", 2), ("EUR", 2), ("GBP", 2), ("JPY", 0), ("KRW", 0), ("KWD", 3), ("BHD", 3), ("CLF", 4), ("CHF", 2),
        ]
    )
    func minorUnits(code: String, digits: Int) throws {
        let currency = try #require(Currency(code: code))
        #expect(currency.code == code)
        #expect(currency.minorUnits == digits)
        #expect(currency.description == code)
    }

    @Test(
        "unknown or mis-cased codes are not currencies",
        arguments: ["XYZ", "usd", "Usd", "", "US", "USDX", " USD", "XAU"])
    func unknown(code: String) {
        #expect(Currency(code: code) == nil)
    }

    @Test("the named constants match the ISO table")
    func constants() throws {
        #expect(Currency(code: "USD") == .usd)
        #expect(Currency(code: "EUR") == .eur)
        #expect(Currency(code: "GBP") == .gbp)
        #expect(Currency(code: "JPY") == .jpy)
        #expect(Currency(code: "KWD")?.minorUnits == 3)
        #expect(Currency(code: "USD,EUR".prefix(3)) == .usd)
    }

    @Test("unlisted currencies and ordering")
    func unlisted() {
        let points = Currency(unlistedCode: "PTS", minorUnits: 0)
        #expect(points.code == "PTS")
        #expect(points.minorUnits == 0)
        #expect(Currency(code: "PTS") == nil)
        #expect(Money(dec("12.5"), points).description == "12 PTS")
        #expect([Currency.usd, .jpy, .eur, .gbp, points].sorted().map(\.code) == ["EUR", "GBP", "JPY", "PTS", "USD"])
    }
}

@Suite struct PagesMappedAhead {
    /// Mapping pages ahead is a hint: whole pages, parts of pages, empty ranges and an array's
    /// reserved room past its elements change nothing that is read or written.
    @Test func aHintThatChangesNothingRead() {
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { memory.deallocate() }
        populatePages(UnsafeRawBufferPointer(memory))
        populatePages(UnsafeRawBufferPointer(rebasing: memory[5..<4000]))
        populatePages(UnsafeRawBufferPointer(rebasing: memory[7..<7]), forWriting: false)
        for index in memory.indices { memory[index] = UInt8(truncatingIfNeeded: index &* 7) }
        #expect(memory.indices.allSatisfy { memory[$0] == UInt8(truncatingIfNeeded: $0 &* 7) })
        var values: [Int32] = [1, 2, 3]
        values.reserveCapacity(1 << 18)
        populateCapacity(of: &values, ahead: 1 << 20)
        populateCapacity(of: &values, ahead: 0)
        for value in 4...100_000 { values.append(Int32(value)) }
        #expect(values.count == 100_000 && values[0] == 1 && values[99_999] == 100_000)
        var empty: [UInt8] = []
        populateCapacity(of: &empty, ahead: 100)
        #expect(empty.isEmpty)
    }
}
