import CompCore
import PropertyBased
import Testing

/// Rounds the six-digit plain text of a value (`-?digits.dddddd`) to `digits` fraction digits by
/// reasoning on the decimal digits alone: what is kept, what is dropped, and whether the dropped
/// part is below, at or above one half. Returns the text `formatted(fractionDigits:)` should print.
func referenceRound(_ text: String, digits: Int, mode: RoundingMode) -> String {
    var body = Substring(text)
    let negative = body.hasPrefix("-")
    if negative { body = body.dropFirst() }
    let parts = body.split(separator: ".", omittingEmptySubsequences: false)
    let integer = Array(parts[0])
    let fraction = parts.count > 1 ? Array(parts[1]) : []
    var kept = integer + fraction.prefix(digits)
    let dropped = Array(fraction.dropFirst(digits))
    let droppedNonZero = dropped.contains { $0 != "0" }
    let away: Bool
    if dropped.isEmpty || !droppedNonZero {
        away = false
    } else {
        // Digit strings of equal length compare like the numbers they spell.
        let half = ["5"] + Array(repeating: Character("0"), count: dropped.count - 1)
        let droppedText = String(dropped)
        let halfText = String(half)
        let lastKeptOdd = kept.last.map { "13579".contains($0) } ?? false
        switch mode {
        case .down: away = false
        case .up: away = true
        case .floor: away = negative
        case .ceiling: away = !negative
        case .halfUp: away = droppedText >= halfText
        case .halfEven: away = droppedText > halfText || (droppedText == halfText && lastKeptOdd)
        }
    }
    if away {
        // Add one in the last kept place, carrying leftwards.
        var index = kept.count - 1
        while true {
            if index < 0 {
                kept.insert("1", at: 0)
                break
            }
            if kept[index] == "9" {
                kept[index] = "0"
                index -= 1
            } else {
                kept[index] = Character(String(kept[index].wholeNumberValue! + 1))
                break
            }
        }
    }
    var integerPart = String(kept.prefix(kept.count - digits))
    while integerPart.count > 1 && integerPart.hasPrefix("0") { integerPart.removeFirst() }
    let fractionPart = String(kept.suffix(digits))
    let isZero = !kept.contains { $0 != "0" }
    return (negative && !isZero ? "-" : "") + integerPart + (digits > 0 ? "." + fractionPart : "")
}

@Suite("Properties")
struct PropertyTests {
    /// Every representable value, with the two ends of the range forced in one case in five.
    static let anyUnits = zip(Gen.int64(), Gen.int(in: 0...9)).map { units, pick in
        pick == 0 ? Int64.min : (pick == 1 ? Int64.max : units)
    }
    /// Values whose rounding to any number of digits still fits.
    static let roundableUnits = Gen.int64(in: -9_000_000_000_000_000_000...9_000_000_000_000_000_000)

    @Test("the reference rounding agrees with hand-worked cases")
    func referenceSanity() {
        #expect(referenceRound("2.665000", digits: 2, mode: .halfEven) == "2.66")
        #expect(referenceRound("2.675000", digits: 2, mode: .halfEven) == "2.68")
        #expect(referenceRound("-2.665000", digits: 2, mode: .halfEven) == "-2.66")
        #expect(referenceRound("-0.005000", digits: 2, mode: .halfEven) == "0.00")
        #expect(referenceRound("-0.005000", digits: 2, mode: .halfUp) == "-0.01")
        #expect(referenceRound("999.999500", digits: 3, mode: .halfEven) == "1000.000")
        #expect(referenceRound("0.500000", digits: 0, mode: .halfEven) == "0")
        #expect(referenceRound("1.500000", digits: 0, mode: .halfEven) == "2")
        #expect(referenceRound("-1.234567", digits: 6, mode: .up) == "-1.234567")
    }

    @Test("a sum does not depend on the order of its terms")
    func sumIsOrderIndependent() async {
        let terms = Gen.int64(in: -100_000_000_000_000_000...100_000_000_000_000_000).array(of: 0...60)
        await propertyCheck(count: 300, input: terms, Gen.uint64()) { units, seed in
            let values = units.map(FixedDecimal.init(units:))
            var rng = SplitMix64(seed: seed)
            let shuffled = values.shuffled(using: &rng)
            let forward = try values.reduce(FixedDecimal.zero) { try $0.adding($1) }
            #expect(try values.reversed().reduce(FixedDecimal.zero) { try $0.adding($1) } == forward)
            #expect(try shuffled.reduce(FixedDecimal.zero) { try $0.adding($1) } == forward)
            #expect(try values.sorted().reduce(FixedDecimal.zero) { try $0.adding($1) } == forward)
            #expect(forward.units == units.reduce(0, +))
        }
    }

    @Test("wide (Int128) sums of full-range values do not depend on order either")
    func wideSumIsOrderIndependent() async {
        await propertyCheck(count: 200, input: Self.anyUnits.array(of: 0...60), Gen.uint64()) { units, seed in
            let values = units.map { WideDecimal(FixedDecimal(units: $0)) }
            var rng = SplitMix64(seed: seed)
            let forward = try values.reduce(WideDecimal.zero) { try $0.adding($1) }
            let shuffled = try values.shuffled(using: &rng).reduce(WideDecimal.zero) { try $0.adding($1) }
            let reversed = try values.reversed().reduce(WideDecimal.zero) { try $0.adding($1) }
            #expect(shuffled == forward)
            #expect(reversed == forward)
            #expect(forward == WideDecimal(value: units.reduce(Int128(0)) { $0 + Int128($1) }, scale: 6))
        }
    }

    @Test("formatting then parsing is the identity")
    func formatParseRoundTrip() async {
        await propertyCheck(count: 500, input: Self.anyUnits) { units throws in
            let value = FixedDecimal(units: units)
            #expect(try FixedDecimal(parsing: value.description) == value)
            #expect(try FixedDecimal(parsing: value.formatted(fractionDigits: 6)) == value)
            #expect(try Money(parsing: value.description, currency: .eur).amount == value)
            // The description is minimal: no trailing zero after the point, no leading zeros.
            let text = value.description
            #expect(!(text.contains(".") && text.hasSuffix("0")))
            #expect(!text.hasSuffix("."))
            let magnitude = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
            #expect(!magnitude.hasPrefix("0") || magnitude == "0" || magnitude.hasPrefix("0."))
            #expect(text != "-0")
        }
    }

    @Test("short and long text parse alike (the byte parser's fast and slow paths agree)")
    func fastAndSlowPathsAgree() async {
        func parse(_ text: String, _ digits: Int) -> DecimalParseOutcome {
            var bytes = Array(text.utf8)
            return bytes.withUnsafeMutableBufferPointer { buffer in
                parseFixedDecimal(UnsafePointer(buffer.baseAddress!), buffer.count, maxFractionDigits: digits)
            }
        }
        // Random digit strings of up to 20 digits, a point anywhere (or none), an optional sign,
        // and any maxFractionDigits 0...6: padding with zeros must not change the outcome.
        await propertyCheck(
            count: 1_000, input: Gen.uint64(), Gen.int(in: -1...20), Gen.int(in: 0...2), Gen.int(in: 0...6)
        ) { magnitude, point, sign, digits in
            var text = String(magnitude)
            if point >= 0 && point <= text.count {
                text.insert(".", at: text.index(text.startIndex, offsetBy: text.count - point))
            }
            let prefix = ["", "-", "+"][sign]
            let short = parse(prefix + text, digits)
            let long = parse(prefix + String(repeating: "0", count: 20) + text, digits)
            #expect(short == long, "\(prefix + text) at \(digits) digits")
        }
    }

    @Test("fewer digits: the formatted text parses to the rounded value")
    func formattedMatchesRounded() async {
        await propertyCheck(count: 500, input: Self.roundableUnits, Gen.int(in: 0...6), Gen<RoundingMode>.case) {
            units, digits, mode throws in
            let value = FixedDecimal(units: units)
            let text = value.formatted(fractionDigits: digits, rounding: mode)
            #expect(try FixedDecimal(parsing: text) == value.rounded(toFractionDigits: digits, mode))
            if digits == 0 {
                #expect(!text.contains("."))
            } else {
                #expect(text.split(separator: ".").last?.count == digits)
            }
        }
    }

    @Test("a + b − b == a whenever a + b fits, and overflow is reported exactly when it does not")
    func addThenSubtract() async {
        await propertyCheck(count: 500, input: Self.anyUnits, Gen.int64()) { a, b in
            let x = FixedDecimal(units: a)
            let y = FixedDecimal(units: b)
            let exact = Int128(a) + Int128(b)
            if let fits = Int64(exactly: exact) {
                let sum = try x.adding(y)
                #expect(sum.units == fits)
                #expect(try sum.subtracting(y) == x)
                #expect(try y.adding(x) == sum)
            } else {
                #expect(throws: ArithmeticError.overflow(operation: "\(x) + \(y)")) { try x.adding(y) }
            }
        }
        // Values of everyday size never overflow.
        let everyday = Gen.int64(in: -1_000_000_000_000_000...1_000_000_000_000_000)
        await propertyCheck(count: 300, input: everyday, everyday) { a, b throws in
            let x = FixedDecimal(units: a)
            let y = FixedDecimal(units: b)
            #expect(try x.adding(y).subtracting(y) == x)
            #expect(try x.subtracting(y).adding(y) == x)
        }
    }

    @Test("rounding is idempotent, whichever mode rounds the second time")
    func roundingIsIdempotent() async {
        await propertyCheck(
            count: 500, input: Self.roundableUnits, Gen.int(in: 0...6), Gen<RoundingMode>.case, Gen<RoundingMode>.case
        ) { units, digits, first, second in
            let value = FixedDecimal(units: units)
            let once = try value.rounded(toFractionDigits: digits, first)
            #expect(try once.rounded(toFractionDigits: digits, first) == once)
            #expect(try once.rounded(toFractionDigits: digits, second) == once)
            // And it moved the value by less than one step.
            let step = Int64(powerOfTen(6 - digits))
            #expect(abs(once.units - units) < step)
            #expect(once.units % step == 0)
        }
    }

    @Test("rounding agrees with a digit-by-digit reference, ties included")
    func roundingMatchesReference() async {
        // Shape 0: any value. Shape 1: an exact tie at `digits`. Shape 2: a small value.
        await propertyCheck(
            count: 1_000, input: Self.roundableUnits, Gen.int(in: 0...6), Gen<RoundingMode>.case, Gen.int(in: 0...2)
        ) { raw, digits, mode, shape throws in
            var units = raw
            let step = Int64(powerOfTen(6 - digits))
            switch shape {
            case 1 where digits < 6:
                units = (raw / 1_000 / step) * step + (raw < 0 ? -step / 2 : step / 2)
            case 2:
                units = raw % 10_000_000
            default:
                break
            }
            let value = FixedDecimal(units: units)
            let expected = referenceRound(value.formatted(fractionDigits: 6), digits: digits, mode: mode)
            #expect(value.formatted(fractionDigits: digits, rounding: mode) == expected)
            #expect(try value.rounded(toFractionDigits: digits, mode) == FixedDecimal(parsing: expected))
            if mode == .halfEven {
                #expect(try value.rounded(toFractionDigits: digits) == FixedDecimal(parsing: expected))
            }
        }
    }

    @Test("division by a count agrees with roundedQuotient and brackets the exact quotient")
    func divisionBrackets() async {
        await propertyCheck(count: 300, input: Self.anyUnits, Gen.int64(in: 1...1_000_000), Gen<RoundingMode>.case) {
            units, count, mode in
            let value = FixedDecimal(units: units)
            let quotient = try value.divided(by: count, rounding: mode)
            let floor = try value.divided(by: count, rounding: .floor)
            let ceiling = try value.divided(by: count, rounding: .ceiling)
            #expect(floor <= quotient && quotient <= ceiling)
            #expect(ceiling.units - floor.units == (units % count == 0 ? 0 : 1))
            #expect(Int128(floor.units) * Int128(count) <= Int128(units))
            #expect(Int128(ceiling.units) * Int128(count) >= Int128(units))
        }
    }

    @Test("percentString round-trips every rate")
    func percentRoundTrip() async {
        await propertyCheck(count: 300, input: Self.anyUnits) { units throws in
            let rate = Rate(FixedDecimal(units: units))
            #expect(try Rate(parsing: rate.percentString) == rate)
            #expect(try Rate(parsing: rate.description) == rate)
        }
    }

    @Test("dates: day numbers and components agree across the whole range")
    func dateRoundTrip() async {
        let days = Gen.int32(in: CivilDate.minimum.daysSinceEpoch...CivilDate.maximum.daysSinceEpoch)
        await propertyCheck(count: 500, input: days) { day in
            let value = CivilDate(daysSinceEpoch: day)
            let c = value.components
            #expect(CivilDate(year: c.year, month: c.month, day: c.day) == value)
            #expect(CivilDate(parsing: value.description) == value)
            #expect(value.adding(days: 1).weekday == value.weekday % 7 + 1)
        }
    }
}
