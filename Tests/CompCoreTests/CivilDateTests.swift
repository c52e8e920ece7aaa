import CompCore
import Testing

@Suite("CivilDate")
struct CivilDateTests {
    @Test(
        "valid dates parse to their components and day numbers",
        arguments: [
            ("1970-01-01", 1970, 1, 1, 0), ("2027-01-01", 2027, 1, 1, 20_819), ("2028-02-29", 2028, 2, 29, 21_243),
            ("2000-01-01", 2000, 1, 1, 10_957), ("2000-02-29", 2000, 2, 29, 11_016), ("1969-12-31", 1969, 12, 31, -1),
            ("1900-01-01", 1900, 1, 1, -25_567), ("2100-03-01", 2100, 3, 1, 47_541), ("0001-01-01", 1, 1, 1, -719_162),
            ("9999-12-31", 9999, 12, 31, 2_932_896), ("2027-12-31", 2027, 12, 31, 21_183),
        ])
    func parsesValid(text: String, year: Int, month: Int, day: Int, daysSinceEpoch: Int32) throws {
        let parsed = try #require(CivilDate(parsing: text))
        #expect(parsed.daysSinceEpoch == daysSinceEpoch)
        #expect(parsed.year == year)
        #expect(parsed.month == month)
        #expect(parsed.day == day)
        #expect(parsed == CivilDate(year: year, month: month, day: day))
        #expect(parsed.description == text)
    }

    @Test(
        "invalid dates are rejected",
        arguments: [
            "2027-02-29", "1900-02-29", "2100-02-29", "2027-13-01", "2027-00-10", "2027-01-00", "2027-04-31",
            "2027-01-32", "27-01-01", "0000-01-01", "2027/01/01", "2027-1-01", "2027-01-1", "2027-01-011", "",
            " 2027-01-01", "2027-01-01 ", "2027-0a-01", "+027-01-01", "2027-01-01T00:00", "20270101", "10000-01-01",
            "2027-01/01", "2027_01-01",
            "２０２７-01-01",
        ])
    func rejectsInvalid(text: String) {
        #expect(CivilDate(parsing: text) == nil)
    }

    @Test("component constructor checks the calendar")
    func componentChecks() {
        #expect(CivilDate(year: 2027, month: 2, day: 29) == nil)
        #expect(CivilDate(year: 2028, month: 2, day: 29) != nil)
        #expect(CivilDate(year: 0, month: 1, day: 1) == nil)
        #expect(CivilDate(year: 10_000, month: 1, day: 1) == nil)
        #expect(CivilDate(year: 2027, month: 6, day: 31) == nil)
        #expect(CivilDate(year: 2027, month: 7, day: 31)?.description == "2027-07-31")
        #expect(CivilDate(year: 2027, month: 1, day: -1) == nil)
        #expect(CivilDate.minimum.description == "0001-01-01")
        #expect(CivilDate.maximum.description == "9999-12-31")
    }

    @Test("parsing from substrings and raw bytes")
    func substringsAndBytes() {
        let row = "t-1,2027-03-15,r-118"
        let field = row.split(separator: ",")[1]
        #expect(CivilDate(parsing: field)?.description == "2027-03-15")
        let bytes = Array("2028-02-29".utf8)
        let parsed = bytes.withUnsafeBufferPointer { CivilDate.parse($0.baseAddress!, $0.count) }
        #expect(parsed?.daysSinceEpoch == 21_243)
        let short = Array("2028-02-2".utf8)
        #expect(short.withUnsafeBufferPointer { CivilDate.parse($0.baseAddress!, $0.count) } == nil)
    }

    @Test(
        "leap years",
        arguments: [
            (1900, false), (2000, true), (2100, false), (2400, true), (2027, false), (2028, true), (4, true),
            (1, false),
            (1600, true), (1800, false), (2200, false), (2300, false), (9996, true), (9999, false),
        ])
    func leapYears(year: Int, leap: Bool) {
        #expect(CivilDate.isLeapYear(year) == leap)
        #expect(CivilDate.daysInMonth(year: year, month: 2) == (leap ? 29 : 28))
        #expect((CivilDate(year: year, month: 2, day: 29) != nil) == leap)
        let length = CivilDate(year: year, month: 1, day: 1)!.days(to: CivilDate(year: year, month: 12, day: 31)!) + 1
        #expect(length == (leap ? 366 : 365))
    }

    @Test("days in each month")
    func monthLengths() {
        #expect(
            (1...12).map { CivilDate.daysInMonth(year: 2027, month: $0) } == [
                31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
            ])
        #expect((1...12).map { CivilDate.daysInMonth(year: 2028, month: $0) }.reduce(0, +) == 366)
    }

    /// Walks day by day with a plain (year, month, day) counter and checks the day-number
    /// conversion in both directions against it.
    func walk(from start: (Int, Int, Int), days: Int) {
        var (year, month, day) = start
        guard var current = CivilDate(year: year, month: month, day: day) else {
            Issue.record("bad start")
            return
        }
        for _ in 0..<days {
            let c = current.components
            if c.year != year || c.month != month || c.day != day {
                Issue.record("day \(current.daysSinceEpoch) is \(c), expected \((year, month, day))")
                return
            }
            if CivilDate(year: year, month: month, day: day) != current {
                Issue.record("\((year, month, day)) does not map back to day \(current.daysSinceEpoch)")
                return
            }
            day += 1
            if day > CivilDate.daysInMonth(year: year, month: month) {
                day = 1
                month += 1
                if month > 12 {
                    month = 1
                    year += 1
                }
            }
            current = current.adding(days: 1)
        }
        let last = current.components
        #expect(last.year == year && last.month == month && last.day == day)
    }

    @Test("components round-trip over every day from 1899 to 2101 (1900, 2000 and 2100 included)")
    func componentsRoundTrip() {
        let start = CivilDate(year: 1899, month: 1, day: 1)!
        let end = CivilDate(year: 2101, month: 12, day: 31)!
        walk(from: (1899, 1, 1), days: start.days(to: end) + 1)
        #expect(start.days(to: end) + 1 == 74_144)
    }

    @Test("components round-trip at both ends of the range")
    func componentsAtEnds() {
        walk(from: (1, 1, 1), days: 3 * 365)
        walk(from: (9996, 1, 1), days: CivilDate(year: 9996, month: 1, day: 1)!.days(to: .maximum))
        walk(from: (1599, 12, 1), days: 500)  // across the 1600 leap century
    }

    @Test(
        "ISO weekdays of known dates",
        arguments: [
            ("2027-01-01", 5), ("1970-01-01", 4), ("2000-01-01", 6), ("1969-12-31", 3), ("2028-02-29", 2),
            ("0001-01-01", 1),
            ("2024-12-25", 3), ("1900-01-01", 1), ("2027-03-07", 7), ("9999-12-31", 5), ("2100-03-01", 1),
        ])
    func weekday(text: String, weekday: Int) {
        #expect(date(text).weekday == weekday)
    }

    @Test("day arithmetic and ordering")
    func arithmetic() {
        let start = date("2027-02-15")
        #expect(start.adding(days: 14).description == "2027-03-01")
        #expect(start.adding(days: -46).description == "2026-12-31")
        #expect(date("2028-02-28").adding(days: 1).description == "2028-02-29")
        #expect(date("2027-02-28").adding(days: 1).description == "2027-03-01")
        #expect(start.days(to: date("2027-03-01")) == 14)
        #expect(date("2027-03-01").days(to: start) == -14)
        #expect(start.distance(to: start.advanced(by: 10)) == 10)
        #expect(
            Array(stride(from: start, to: date("2027-02-18"), by: 1)).map(\.description) == [
                "2027-02-15", "2027-02-16", "2027-02-17",
            ])
        #expect(date("2026-12-31") < date("2027-01-01"))
        #expect(date("2027-03-15").monthNumber == 2027 * 12 + 2)
        #expect(date("2027-01-01").monthNumber == date("2026-12-31").monthNumber + 1)
        #expect(CivilDate.minimum < CivilDate.maximum)
    }
}
