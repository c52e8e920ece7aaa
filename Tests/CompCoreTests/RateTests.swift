import CompCore
import Testing

@Suite("Rate")
struct RateTests {
    @Test(
        "percentages and fractions parse to the same value",
        arguments: [
            ("12.5%", "0.125"), ("0.125", "0.125"), ("100%", "1"), ("0%", "0"), ("3%", "0.03"), ("-5%", "-0.05"),
            ("150%", "1.5"), ("0.0001%", "0.000001"), ("+7.25%", "0.0725"), (".5%", "0.005"), ("33.3333%", "0.333333"),
            ("922337203685477.5807%", "9223372036854.775807"), ("-922337203685477.5808%", "-9223372036854.775808"),
            ("0.075", "0.075"),
        ])
    func parses(text: String, value: String) throws {
        #expect(try Rate(parsing: text).value == dec(value))
    }

    @Test(
        "bad rates are rejected with the exact error",
        arguments: [
            ("0.00001%", DecimalParseError.tooManyFractionDigits(found: 5, allowed: 4)),
            ("12.34567%", .tooManyFractionDigits(found: 5, allowed: 4)),
            ("0.1234567", .tooManyFractionDigits(found: 7, allowed: 6)),
            ("%", .empty),
            ("", .empty),
            ("12,5%", .invalidCharacter),
            ("12.5 %", .invalidCharacter),
            ("%12", .invalidCharacter),
            ("12.5%%", .invalidCharacter),
            ("-%", .invalidCharacter),
            ("1e2%", .invalidCharacter),
            ("922337203685477.5808%", .outOfRange),
        ])
    func rejects(text: String, error: DecimalParseError) {
        #expect(throws: error) { try Rate(parsing: text) }
    }

    @Test(
        "percentString shows the fewest digits and round-trips",
        arguments: [
            ("0.125", "12.5%"), ("1", "100%"), ("0", "0%"), ("-0.05", "-5%"), ("0.000001", "0.0001%"), ("1.5", "150%"),
            ("0.333333", "33.3333%"), ("0.03", "3%"), ("0.1", "10%"), ("-0.000001", "-0.0001%"),
            ("9223372036854.775807", "922337203685477.5807%"), ("-9223372036854.775807", "-922337203685477.5807%"),
            ("-9223372036854.775808", "-922337203685477.5808%"),
        ])
    func percentString(value: String, expected: String) throws {
        let rate = Rate(dec(value))
        #expect(rate.percentString == expected)
        #expect(try Rate(parsing: rate.percentString) == rate)
        #expect(rate.description == value)
        #expect(try Rate(parsing: rate.description) == rate)
    }

    @Test("constants and ordering")
    func constants() throws {
        #expect(Rate.zero.value == .zero)
        #expect(Rate.one.value == .one)
        #expect(try Rate(parsing: "100%") == .one)
        #expect(Rate.one.percentString == "100%")
        let sorted = try ["12.5%", "0.1", "-5%", "100%", "0"].map { try Rate(parsing: $0) }.sorted()
        #expect(sorted.map(\.percentString) == ["-5%", "0%", "10%", "12.5%", "100%"])
    }
}
