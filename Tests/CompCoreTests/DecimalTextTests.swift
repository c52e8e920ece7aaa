import CompCore
import Testing

/// A plain decimal that must parse, with its exact value in millionths and its minimal description.
struct ValidDecimal: Sendable, CustomTestStringConvertible {
    let text: String
    let units: Int64
    let description: String
    var testDescription: String { "\"\(text)\"" }
}

/// Text that must be rejected, with the exact error.
struct InvalidDecimal: Sendable, CustomTestStringConvertible {
    let text: String
    let error: DecimalParseError
    var testDescription: String { "\"\(text)\" → \(error)" }
}

/// A value formatted with a fixed number of fraction digits.
struct FormatCase: Sendable, CustomTestStringConvertible {
    let value: String
    let digits: Int
    let mode: RoundingMode
    let expected: String
    var testDescription: String { "\(value) at \(digits) \(mode.rawValue) → \"\(expected)\"" }
}

@Suite("FixedDecimal text")
struct DecimalTextTests {
    static let valid: [ValidDecimal] = [
        ValidDecimal(text: "1234.56", units: 1_234_560_000, description: "1234.56"),
        // Zeros past the sixth fraction digit change nothing: dropped (a spreadsheet's
        // "472.4100000000"), on the short path and the long one.
        ValidDecimal(text: "1.0000000", units: 1_000_000, description: "1"),
        ValidDecimal(text: "-472.4100000000", units: -472_410_000, description: "-472.41"),
        ValidDecimal(text: "0.12345600000000000000000", units: 123_456, description: "0.123456"),
        ValidDecimal(text: "-80", units: -80_000_000, description: "-80"),
        ValidDecimal(text: "0.075", units: 75_000, description: "0.075"),
        ValidDecimal(text: ".5", units: 500_000, description: "0.5"),
        ValidDecimal(text: "-.5", units: -500_000, description: "-0.5"),
        ValidDecimal(text: "+3", units: 3_000_000, description: "3"),
        ValidDecimal(text: "+0.25", units: 250_000, description: "0.25"),
        ValidDecimal(text: "000012.100000", units: 12_100_000, description: "12.1"),
        ValidDecimal(text: "0", units: 0, description: "0"),
        ValidDecimal(text: "-0", units: 0, description: "0"),
        ValidDecimal(text: "-0.000000", units: 0, description: "0"),
        ValidDecimal(text: "0.000001", units: 1, description: "0.000001"),
        ValidDecimal(text: "-0.000001", units: -1, description: "-0.000001"),
        ValidDecimal(text: "1.000000", units: 1_000_000, description: "1"),
        ValidDecimal(text: "100", units: 100_000_000, description: "100"),
        ValidDecimal(text: "-1234.5", units: -1_234_500_000, description: "-1234.5"),
        ValidDecimal(text: "0.1", units: 100_000, description: "0.1"),
        ValidDecimal(text: "12.345678", units: 12_345_678, description: "12.345678"),
        // Leading zeros are not significant digits, however many there are.
        ValidDecimal(text: "0000000000000000000000000001", units: 1_000_000, description: "1"),
        // The ends of the range.
        ValidDecimal(text: "9223372036854.775807", units: .max, description: "9223372036854.775807"),
        ValidDecimal(text: "-9223372036854.775807", units: -.max, description: "-9223372036854.775807"),
        // The most negative value has no positive twin, but it prints, so it parses.
        ValidDecimal(text: "-9223372036854.775808", units: .min, description: "-9223372036854.775808"),
        ValidDecimal(text: "9223372036853", units: 9_223_372_036_853_000_000, description: "9223372036853"),
    ]

    static let invalid: [InvalidDecimal] = [
        InvalidDecimal(text: "", error: .empty),
        InvalidDecimal(text: "12,50", error: .invalidCharacter),
        InvalidDecimal(text: "1,234.56", error: .invalidCharacter),
        InvalidDecimal(text: "1e5", error: .invalidCharacter),
        InvalidDecimal(text: "1E5", error: .invalidCharacter),
        InvalidDecimal(text: " 1", error: .invalidCharacter),
        InvalidDecimal(text: "1 ", error: .invalidCharacter),
        InvalidDecimal(text: "1 000", error: .invalidCharacter),
        InvalidDecimal(text: "-", error: .invalidCharacter),
        InvalidDecimal(text: "+", error: .invalidCharacter),
        InvalidDecimal(text: ".", error: .invalidCharacter),
        InvalidDecimal(text: "-.", error: .invalidCharacter),
        InvalidDecimal(text: "--1", error: .invalidCharacter),
        InvalidDecimal(text: "+-1", error: .invalidCharacter),
        InvalidDecimal(text: "1-", error: .invalidCharacter),
        InvalidDecimal(text: "1.2.3", error: .invalidCharacter),
        InvalidDecimal(text: "$12", error: .invalidCharacter),
        InvalidDecimal(text: "0x1F", error: .invalidCharacter),
        InvalidDecimal(text: "NaN", error: .invalidCharacter),
        InvalidDecimal(text: "inf", error: .invalidCharacter),
        InvalidDecimal(text: "１２", error: .invalidCharacter),  // full-width digits
        InvalidDecimal(text: "١٢", error: .invalidCharacter),  // Arabic-Indic digits
        InvalidDecimal(text: "1.2345678", error: .tooManyFractionDigits(found: 7, allowed: 6)),
        InvalidDecimal(text: "-0.0000001", error: .tooManyFractionDigits(found: 7, allowed: 6)),
        InvalidDecimal(text: "1.00000001", error: .tooManyFractionDigits(found: 8, allowed: 6)),
        InvalidDecimal(text: "0.0000001000000000000000000", error: .tooManyFractionDigits(found: 25, allowed: 6)),
        InvalidDecimal(text: "0.12345678901", error: .tooManyFractionDigits(found: 11, allowed: 6)),
        // A bad character after too many digits is reported as the bad character.
        InvalidDecimal(text: "1.2345678x", error: .invalidCharacter),
        InvalidDecimal(text: "9223372036854.775808", error: .outOfRange),
        InvalidDecimal(text: "-9223372036854.775809", error: .outOfRange),
        InvalidDecimal(text: "9223372036855", error: .outOfRange),
        InvalidDecimal(text: "10000000000000", error: .outOfRange),
        InvalidDecimal(text: "18446744073709.551616", error: .outOfRange),
        InvalidDecimal(text: "99999999999999999999", error: .outOfRange),
        InvalidDecimal(text: "123456789012345678901234567890", error: .outOfRange),
        InvalidDecimal(text: "-123456789012345678901234567890.5", error: .outOfRange),
    ]

    @Test("valid plain decimals parse exactly", arguments: valid)
    func parsesValid(_ row: ValidDecimal) throws {
        let value = try FixedDecimal(parsing: row.text)
        #expect(value.units == row.units)
        #expect(value.description == row.description)
        // The description parses back to the same value.
        #expect(try FixedDecimal(parsing: value.description) == value)
        // So does the six-digit form.
        #expect(try FixedDecimal(parsing: value.formatted(fractionDigits: 6)) == value)
        // Leading zeros make the text longer than the parser's short fast path; the value is the same.
        #expect(try FixedDecimal(parsing: padded(row.text)).units == row.units)
    }

    /// `text` with twenty zeros inserted after its sign.
    func padded(_ text: String) -> String {
        let sign = text.first == "-" || text.first == "+" ? String(text.prefix(1)) : ""
        return sign + String(repeating: "0", count: 20) + text.dropFirst(sign.count)
    }

    @Test(
        "long text (past the fast path) is rejected with the same errors",
        arguments: [
            InvalidDecimal(text: "0000000000000000000012,50", error: .invalidCharacter),
            InvalidDecimal(text: "00000000000000000000001e5", error: .invalidCharacter),
            InvalidDecimal(
                text: "-0000000000000000000001.2345678", error: .tooManyFractionDigits(found: 7, allowed: 6)),
            InvalidDecimal(text: "00000000000000000000.1.2", error: .invalidCharacter),
            InvalidDecimal(text: "-00000000000000000009223372036854.775809", error: .outOfRange),
            InvalidDecimal(text: "+00000000000000000009223372036855", error: .outOfRange),
        ])
    func rejectsLongInvalid(_ row: InvalidDecimal) {
        #expect(throws: row.error) { try FixedDecimal(parsing: row.text) }
    }

    @Test("invalid text is rejected with the exact error", arguments: invalid)
    func rejectsInvalid(_ row: InvalidDecimal) {
        #expect(throws: row.error) { try FixedDecimal(parsing: row.text) }
        #expect(throws: row.error) { try Money(parsing: row.text, currency: .usd) }
    }

    @Test("parsing works on substrings")
    func substrings() throws {
        let line = "r-118,12.5,USD"
        let fields = line.split(separator: ",")
        #expect(try FixedDecimal(parsing: fields[1]) == FixedDecimal(units: 12_500_000))
        #expect(throws: DecimalParseError.invalidCharacter) { try FixedDecimal(parsing: fields[0]) }
    }

    @Test("the byte parser honours maxFractionDigits")
    func byteParser() {
        func parse(_ text: String, _ digits: Int) -> DecimalParseOutcome {
            var bytes = Array(text.utf8)
            return bytes.withUnsafeMutableBufferPointer { buffer in
                parseFixedDecimal(UnsafePointer(buffer.baseAddress!), buffer.count, maxFractionDigits: digits)
            }
        }
        #expect(parse("1.5", 2) == .success(150))
        #expect(parse("-1.05", 2) == .success(-105))
        #expect(parse("1.234", 2) == .failure(.tooManyFractionDigits(found: 3, allowed: 2)))
        #expect(parse("12", 0) == .success(12))
        #expect(parse("12.5", 0) == .failure(.tooManyFractionDigits(found: 1, allowed: 0)))
        #expect(parse("12.000", 0) == .success(12))
        #expect(parse("-1.2300", 2) == .success(-123))
        #expect(parse("12.5%", 4) == .failure(.invalidCharacter))
        #expect(parse("9223372036854775807", 0) == .success(.max))
        #expect(parse("9223372036854775808", 0) == .failure(.outOfRange))
        #expect(parse("-9223372036854775808", 0) == .success(.min))
        #expect(parse("-9223372036854775809", 0) == .failure(.outOfRange))
        #expect(parse("-922337203685477.5808", 4) == .success(.min))
        #expect(parse("-00009223372036854775808", 0) == .success(.min))
        #expect(parse("-9223372036854775.808", 3) == .success(.min))
        #expect(parse("0.075", 6) == .success(75_000))
        #expect(parse("", 6) == .failure(.empty))
    }

    @Test("parse errors describe themselves")
    func errorDescriptions() {
        #expect(DecimalParseError.empty.description == "is empty")
        #expect(DecimalParseError.invalidCharacter.description == "is not a plain decimal")
        #expect(
            DecimalParseError.tooManyFractionDigits(found: 7, allowed: 6).description
                == "has 7 fraction digits, at most 6 are allowed")
        #expect(DecimalParseError.outOfRange.description == "is out of range")
    }

    static let formats: [FormatCase] = [
        FormatCase(value: "1234.5", digits: 2, mode: .halfEven, expected: "1234.50"),
        FormatCase(value: "-80", digits: 2, mode: .halfEven, expected: "-80.00"),
        FormatCase(value: "-80", digits: 0, mode: .halfEven, expected: "-80"),
        FormatCase(value: "0.075", digits: 6, mode: .halfEven, expected: "0.075000"),
        FormatCase(value: "0.075", digits: 2, mode: .halfEven, expected: "0.08"),
        FormatCase(value: "0.065", digits: 2, mode: .halfEven, expected: "0.06"),
        FormatCase(value: "0.065", digits: 2, mode: .halfUp, expected: "0.07"),
        FormatCase(value: "2.665", digits: 2, mode: .halfEven, expected: "2.66"),
        FormatCase(value: "2.675", digits: 2, mode: .halfEven, expected: "2.68"),
        FormatCase(value: "-2.665", digits: 2, mode: .halfEven, expected: "-2.66"),
        FormatCase(value: "-2.675", digits: 2, mode: .halfEven, expected: "-2.68"),
        FormatCase(value: "0", digits: 2, mode: .halfEven, expected: "0.00"),
        FormatCase(value: "0", digits: 0, mode: .halfEven, expected: "0"),
        FormatCase(value: "5", digits: 3, mode: .halfEven, expected: "5.000"),
        FormatCase(value: "0.5", digits: 1, mode: .halfEven, expected: "0.5"),
        FormatCase(value: "-0.5", digits: 1, mode: .halfEven, expected: "-0.5"),
        FormatCase(value: "-0.05", digits: 2, mode: .halfEven, expected: "-0.05"),
        FormatCase(value: "-0.000001", digits: 6, mode: .halfEven, expected: "-0.000001"),
        // Never "-0.00": small negatives that round to zero print as plain zero.
        FormatCase(value: "-0.001", digits: 2, mode: .halfEven, expected: "0.00"),
        FormatCase(value: "-0.004999", digits: 2, mode: .halfUp, expected: "0.00"),
        FormatCase(value: "-0.005", digits: 2, mode: .halfEven, expected: "0.00"),
        FormatCase(value: "-0.009", digits: 2, mode: .down, expected: "0.00"),
        FormatCase(value: "-0.009", digits: 2, mode: .ceiling, expected: "0.00"),
        FormatCase(value: "-0.4", digits: 0, mode: .halfEven, expected: "0"),
        FormatCase(value: "-0.5", digits: 0, mode: .halfEven, expected: "0"),
        FormatCase(value: "-0.000001", digits: 0, mode: .down, expected: "0"),
        // ...but a value that rounds away from zero keeps its sign.
        FormatCase(value: "-0.005", digits: 2, mode: .halfUp, expected: "-0.01"),
        FormatCase(value: "-0.001", digits: 2, mode: .floor, expected: "-0.01"),
        FormatCase(value: "-0.001", digits: 2, mode: .up, expected: "-0.01"),
        FormatCase(value: "-0.5", digits: 0, mode: .halfUp, expected: "-1"),
        FormatCase(value: "0.001", digits: 2, mode: .ceiling, expected: "0.01"),
        FormatCase(value: "1234.999999", digits: 2, mode: .halfEven, expected: "1235.00"),
        // The ends of the range format even where rounding would leave it.
        FormatCase(value: "9223372036854.775807", digits: 2, mode: .halfEven, expected: "9223372036854.78"),
        FormatCase(value: "9223372036854.775807", digits: 0, mode: .halfEven, expected: "9223372036855"),
        FormatCase(value: "-9223372036854.775807", digits: 6, mode: .halfEven, expected: "-9223372036854.775807"),
    ]

    @Test("formatted(fractionDigits:rounding:)", arguments: formats)
    func formatting(_ row: FormatCase) throws {
        let text = try FixedDecimal(parsing: row.value).formatted(fractionDigits: row.digits, rounding: row.mode)
        #expect(text == row.expected)
        // Written through a pointer (the export's path), the same bytes, in at most `digitsRoom`.
        var room = [UInt8](repeating: 0xAA, count: digitsRoom + 1)
        let written = try room.withUnsafeMutableBufferPointer { buffer in
            try FixedDecimal(parsing: row.value).writeFormatted(fractionDigits: row.digits, to: buffer.baseAddress!, rounding: row.mode)
        }
        #expect(String(decoding: room[..<written], as: UTF8.self) == row.expected)
        #expect(room[digitsRoom] == 0xAA)
        // Appended (through the same writer), after what the bytes held.
        var appended = Array("x".utf8)
        try FixedDecimal(parsing: row.value).appendFormatted(fractionDigits: row.digits, to: &appended, rounding: row.mode)
        #expect(String(decoding: appended, as: UTF8.self) == "x" + row.expected)
        // A minus sign only ever comes with a non-zero digit.
        #expect(text.first != "-" || text.contains(where: { "123456789".contains($0) }))
    }

    @Test("the smallest value formats and describes itself")
    func minimumValue() throws {
        #expect(minDecimal.description == "-9223372036854.775808")
        #expect(try FixedDecimal(parsing: minDecimal.description) == minDecimal)
        #expect(minDecimal.formatted(fractionDigits: 2) == "-9223372036854.78")
        #expect(maxDecimal.description == "9223372036854.775807")
        #expect(FixedDecimal.zero.description == "0")
        #expect(FixedDecimal.one.description == "1")
        #expect(FixedDecimal(units: 10).description == "0.00001")
        #expect(FixedDecimal(units: -120_000_000).description == "-120")
    }

    @Test("integers convert exactly or not at all")
    func integers() {
        #expect(FixedDecimal(exactly: 0) == .zero)
        #expect(FixedDecimal(exactly: -80)?.units == -80_000_000)
        #expect(FixedDecimal(exactly: 9_223_372_036_854)?.units == 9_223_372_036_854_000_000)
        #expect(FixedDecimal(exactly: 9_223_372_036_855) == nil)
        #expect(FixedDecimal(exactly: -9_223_372_036_855) == nil)
        #expect(FixedDecimal(exactly: .max) == nil)
    }

    @Test("ordering and predicates")
    func ordering() {
        let sorted = ["3", "-80", "0.075", "-0.000001", "0", "1234.56", "12.1"].map { dec($0) }.sorted()
        #expect(sorted.map(\.description) == ["-80", "-0.000001", "0", "0.075", "3", "12.1", "1234.56"])
        #expect(dec("-0.000001").isNegative)
        #expect(!dec("0").isNegative)
        #expect(dec("-0").isZero)
        #expect(!dec("0.000001").isZero)
        #expect(dec("12.10") == dec("12.1"))
        #expect(Set([dec("12.10"), dec("12.1"), dec("012.100000")]).count == 1)
    }
}
