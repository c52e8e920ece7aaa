import CompCore
import Testing

/// A period label in a calendar with its first and last day and its length.
struct PeriodSpan: Sendable, CustomTestStringConvertible {
    let label: String
    let calendar: FiscalCalendar
    let kind: PeriodKind
    let start: String
    let end: String
    let days: Int

    var testDescription: String { "\(label) (start month \(calendar.startMonth), \(calendar.naming.rawValue))" }
}

/// A table row: label, calendar, kind, first day, last day, day count.
func span(
    _ label: String, _ calendar: FiscalCalendar, _ kind: PeriodKind, _ start: String, _ end: String, _ days: Int
) -> PeriodSpan {
    PeriodSpan(label: label, calendar: calendar, kind: kind, start: start, end: end, days: days)
}

/// Months starting in July, named after the ending year (FY2028 = Jul 2027 – Jun 2028).
let julyEnding = FiscalCalendar(startMonth: 7, naming: .endingYear)!
/// Months starting in October, named after the starting year (FY2027 = Oct 2027 – Sep 2028).
let octoberStarting = FiscalCalendar(startMonth: 10, naming: .startingYear)!

@Suite("Period")
struct PeriodTests {
    static let spans: [PeriodSpan] = [
        // Calendar months, including every February rule.
        span("2027-03", .calendar, .month, "2027-03-01", "2027-03-31", 31),
        span("2027-04", .calendar, .month, "2027-04-01", "2027-04-30", 30),
        span("2027-02", .calendar, .month, "2027-02-01", "2027-02-28", 28),
        span("2028-02", .calendar, .month, "2028-02-01", "2028-02-29", 29),
        span("1900-02", .calendar, .month, "1900-02-01", "1900-02-28", 28),
        span("2000-02", .calendar, .month, "2000-02-01", "2000-02-29", 29),
        span("2100-02", .calendar, .month, "2100-02-01", "2100-02-28", 28),
        span("2027-12", .calendar, .month, "2027-12-01", "2027-12-31", 31),
        // Calendar quarters and years.
        span("2027-Q1", .calendar, .quarter, "2027-01-01", "2027-03-31", 90),
        span("2028-Q1", .calendar, .quarter, "2028-01-01", "2028-03-31", 91),
        span("2028-Q3", .calendar, .quarter, "2028-07-01", "2028-09-30", 92),
        span("2027-Q4", .calendar, .quarter, "2027-10-01", "2027-12-31", 92),
        span("2027", .calendar, .year, "2027-01-01", "2027-12-31", 365),
        span("2028", .calendar, .year, "2028-01-01", "2028-12-31", 366),
        // Fiscal year from February, named after the ending year.
        span("2028", februaryEnding, .year, "2027-02-01", "2028-01-31", 365),
        span("2029", februaryEnding, .year, "2028-02-01", "2029-01-31", 366),
        span("2028-Q1", februaryEnding, .quarter, "2027-02-01", "2027-04-30", 89),
        span("2028-Q2", februaryEnding, .quarter, "2027-05-01", "2027-07-31", 92),
        span("2028-Q3", februaryEnding, .quarter, "2027-08-01", "2027-10-31", 92),
        span("2028-Q4", februaryEnding, .quarter, "2027-11-01", "2028-01-31", 92),
        span("2029-Q1", februaryEnding, .quarter, "2028-02-01", "2028-04-30", 90),
        span("2027-02", februaryEnding, .month, "2027-02-01", "2027-02-28", 28),
        span("2028-01", februaryEnding, .month, "2028-01-01", "2028-01-31", 31),
        // The same span named after the starting year.
        span("2027", februaryStarting, .year, "2027-02-01", "2028-01-31", 365),
        span("2027-Q1", februaryStarting, .quarter, "2027-02-01", "2027-04-30", 89),
        span("2027-Q4", februaryStarting, .quarter, "2027-11-01", "2028-01-31", 92),
        // Other start months.
        span("2028", julyEnding, .year, "2027-07-01", "2028-06-30", 366),
        span("2028-Q3", julyEnding, .quarter, "2028-01-01", "2028-03-31", 91),
        span("2027", octoberStarting, .year, "2027-10-01", "2028-09-30", 366),
        span("2027-Q2", octoberStarting, .quarter, "2028-01-01", "2028-03-31", 91),
    ]

    @Test("labels parse to the right span and print back", arguments: spans)
    func spansAndLabels(_ span: PeriodSpan) throws {
        let parsed = try #require(Period(parsing: span.label, calendar: span.calendar))
        #expect(parsed.kind == span.kind)
        #expect(parsed.calendar == span.calendar)
        #expect(parsed.startDate == date(span.start))
        #expect(parsed.endDate == date(span.end))
        #expect(parsed.dayCount == span.days)
        #expect(parsed.description == span.label)
        #expect(parsed.months.count == span.kind.months)
        // Every day of the span (and no day either side) is contained.
        #expect(parsed.contains(date(span.start)))
        #expect(parsed.contains(date(span.end)))
        #expect(!parsed.contains(date(span.start).adding(days: -1)))
        #expect(!parsed.contains(date(span.end).adding(days: 1)))
        // The period containing its first and last day is itself.
        #expect(Period(kind: span.kind, containing: date(span.start), calendar: span.calendar) == parsed)
        #expect(Period(kind: span.kind, containing: date(span.end), calendar: span.calendar) == parsed)
    }

    @Test(
        "text that is not a period label",
        arguments: [
            "2027-13", "2027-00", "2027-Q0", "2027-Q5", "27-01", "2027-1", "0000", "2027-q1", "abcd", "", "2027-Q1 ",
            "20270",
            "2027-", "2027-Q", "-2027", "2027/01", " 2027", "2027-Q12", "2027-001",
        ])
    func rejectsInvalid(text: String) {
        #expect(Period(parsing: text) == nil)
        #expect(Period(parsing: text, calendar: februaryEnding) == nil)
    }

    @Test("Period.month checks its arguments")
    func monthConstructor() {
        #expect(Period.month(2027, 3)?.description == "2027-03")
        #expect(Period.month(2027, 3) == Period(parsing: "2027-03"))
        #expect(Period.month(2027, 13) == nil)
        #expect(Period.month(2027, 0) == nil)
        #expect(Period.month(0, 1) == nil)
        #expect(Period.month(10_000, 1) == nil)
        #expect(Period.month(1, 1)?.startDate == CivilDate.minimum)
        #expect(Period.month(9999, 12)?.endDate == CivilDate.maximum)
    }

    @Test("fiscal calendars need a month 1...12")
    func fiscalCalendarChecks() {
        #expect(FiscalCalendar(startMonth: 0) == nil)
        #expect(FiscalCalendar(startMonth: 13) == nil)
        #expect(FiscalCalendar(startMonth: 1) == FiscalCalendar.calendar)
        #expect(FiscalCalendar(startMonth: 2)?.naming == .endingYear)
        #expect(FiscalCalendar.calendar.startMonth == 1)
        #expect(FiscalCalendar.YearNaming(rawValue: "starting-year") == .startingYear)
    }

    @Test("fiscal year and quarter of months")
    func fiscalNumbers() {
        let jan2028 = period("2028-01", februaryEnding)
        #expect(jan2028.fiscalYear == 2028)
        #expect(jan2028.fiscalQuarter == 4)
        #expect(jan2028.enclosing(.quarter).description == "2028-Q4")
        #expect(jan2028.enclosing(.year).description == "2028")
        #expect(jan2028.enclosing(.month) == jan2028)
        let feb2027 = period("2027-02", februaryEnding)
        #expect(feb2027.fiscalYear == 2028)
        #expect(feb2027.fiscalQuarter == 1)
        #expect(feb2027.enclosing(.quarter) == period("2028-Q1", februaryEnding))
        let jan2027 = period("2027-01", februaryEnding)
        #expect(jan2027.enclosing(.year).description == "2027")
        #expect(jan2027.enclosing(.quarter).startDate == date("2026-11-01"))
        // Starting-year naming labels the same spans one lower.
        #expect(period("2028-01", februaryStarting).enclosing(.year).description == "2027")
        #expect(period("2028-01", februaryStarting).enclosing(.quarter).description == "2027-Q4")
        #expect(period("2027-02", februaryStarting).fiscalYear == 2027)
        // Calendar months.
        #expect(period("2027-08").fiscalQuarter == 3)
        #expect(period("2027-08").enclosing(.quarter).description == "2027-Q3")
        #expect(period("2027-08").enclosing(.year).description == "2027")
        // Other start months.
        #expect(period("2027-07", julyEnding).enclosing(.year).description == "2028")
        #expect(period("2027-06", julyEnding).enclosing(.year).description == "2027")
        #expect(period("2027-12", octoberStarting).enclosing(.quarter).description == "2027-Q1")
        #expect(period("2027-09", octoberStarting).enclosing(.quarter).description == "2026-Q4")
    }

    @Test("periods containing a date")
    func containingDate() {
        let may15 = date("2027-05-15")
        #expect(Period(kind: .month, containing: may15).description == "2027-05")
        #expect(Period(kind: .quarter, containing: may15).description == "2027-Q2")
        #expect(Period(kind: .year, containing: may15).description == "2027")
        #expect(Period(kind: .quarter, containing: may15, calendar: februaryEnding).description == "2028-Q2")
        #expect(Period(kind: .year, containing: may15, calendar: februaryEnding).description == "2028")
        #expect(Period(kind: .quarter, containing: may15, calendar: februaryStarting).description == "2027-Q2")
        #expect(
            Period(kind: .quarter, containing: date("2028-01-31"), calendar: februaryEnding).description == "2028-Q4")
        #expect(
            Period(kind: .quarter, containing: date("2028-02-01"), calendar: februaryEnding).description == "2029-Q1")
    }

    @Test("next and previous cross year boundaries")
    func nextAndPrevious() {
        #expect(period("2027-12").next.description == "2028-01")
        #expect(period("2028-01").previous.description == "2027-12")
        #expect(period("2027-Q4").next.description == "2028-Q1")
        #expect(period("2027-Q1").previous.description == "2026-Q4")
        #expect(period("2027").next.description == "2028")
        #expect(period("2027").previous.description == "2026")
        // Fiscal quarters from February: Q4 ends in January of the label year.
        let q4 = period("2028-Q4", februaryEnding)
        #expect(q4.next.description == "2029-Q1")
        #expect(q4.next.startDate == date("2028-02-01"))
        #expect(period("2028-Q1", februaryEnding).previous.description == "2027-Q4")
        #expect(period("2028-Q1", februaryEnding).previous.startDate == date("2026-11-01"))
        #expect(period("2028-Q1", februaryEnding).previous.endDate == date("2027-01-31"))
        #expect(period("2028", februaryEnding).next.startDate == date("2028-02-01"))
        #expect(period("2028", februaryEnding).previous.description == "2027")
        #expect(period("2028", februaryEnding).previous.startDate == date("2026-02-01"))
        #expect(period("2028-01", februaryEnding).next.description == "2028-02")
        #expect(period("2028-01", februaryEnding).next.calendar == februaryEnding)
    }

    @Test("next, previous and labels stay consistent over many periods")
    func walkPeriods() {
        let calendars: [FiscalCalendar] = [
            .calendar, februaryEnding, februaryStarting, julyEnding, octoberStarting,
            FiscalCalendar(startMonth: 12, naming: .endingYear)!,
        ]
        for calendar in calendars {
            for kind in PeriodKind.allCases {
                var current = Period(kind: kind, containingMonth: 2019 * 12, calendar: calendar)
                for _ in 0..<60 {
                    let next = current.next
                    #expect(next.firstMonth == current.endMonth)
                    #expect(next.previous == current)
                    #expect(next.startDate == current.endDate.adding(days: 1))
                    #expect(current < next)
                    #expect(Period(parsing: current.description, calendar: calendar) == current)
                    #expect(current.months.map(\.dayCount).reduce(0, +) == current.dayCount)
                    current = next
                }
            }
        }
    }

    @Test("a period contains the periods inside it")
    func containsPeriod() {
        let fy = period("2028", februaryEnding)
        let q4 = period("2028-Q4", februaryEnding)
        #expect(fy.contains(q4))
        #expect(fy.contains(period("2027-02", februaryEnding)))
        #expect(fy.contains(fy))
        #expect(!q4.contains(fy))
        #expect(q4.contains(period("2028-01", februaryEnding)))
        #expect(!q4.contains(period("2028-02", februaryEnding)))
        #expect(!fy.contains(period("2027-01", februaryEnding)))
        #expect(period("2028-02").contains(date("2028-02-29")))
        #expect(!period("2028-02").contains(date("2028-03-01")))
    }

    @Test("quarter-to-date and year-to-date month lists")
    func toDate() {
        func labels(_ periods: [Period]) -> [String] { periods.map(\.description) }
        #expect(labels(period("2027-03").quarterToDate) == ["2027-01", "2027-02", "2027-03"])
        #expect(labels(period("2027-01").quarterToDate) == ["2027-01"])
        #expect(labels(period("2027-05").quarterToDate) == ["2027-04", "2027-05"])
        #expect(labels(period("2027-05").yearToDate) == ["2027-01", "2027-02", "2027-03", "2027-04", "2027-05"])
        #expect(period("2027-12").yearToDate.count == 12)
        #expect(
            labels(period("2027-Q2").yearToDate) == ["2027-01", "2027-02", "2027-03", "2027-04", "2027-05", "2027-06"])
        #expect(labels(period("2027-Q2").quarterToDate) == ["2027-04", "2027-05", "2027-06"])
        // Fiscal year from February.
        #expect(labels(period("2027-04", februaryEnding).quarterToDate) == ["2027-02", "2027-03", "2027-04"])
        #expect(labels(period("2027-05", februaryEnding).quarterToDate) == ["2027-05"])
        #expect(labels(period("2028-01", februaryEnding).quarterToDate) == ["2027-11", "2027-12", "2028-01"])
        #expect(labels(period("2027-03", februaryEnding).yearToDate) == ["2027-02", "2027-03"])
        #expect(labels(period("2027-02", februaryEnding).yearToDate) == ["2027-02"])
        let ytd = period("2028-01", februaryEnding).yearToDate
        #expect(ytd.count == 12)
        #expect(ytd.first?.description == "2027-02")
        #expect(ytd.last?.description == "2028-01")
        #expect(ytd.allSatisfy { $0.kind == .month && $0.calendar == februaryEnding })
        #expect(
            labels(period("2028-Q2", februaryEnding).yearToDate) == [
                "2027-02", "2027-03", "2027-04", "2027-05", "2027-06", "2027-07",
            ])
        #expect(labels(period("2028", februaryEnding).yearToDate) == labels(period("2028", februaryEnding).months))
        #expect(labels(period("2027-01", februaryEnding).yearToDate).count == 12)
    }

    @Test("ordering: by first month, then shorter first")
    func ordering() {
        let sorted = [period("2027-02"), period("2027"), period("2027-Q1"), period("2027-01"), period("2026-12")]
            .sorted()
        #expect(sorted.map(\.description) == ["2026-12", "2027-01", "2027-Q1", "2027", "2027-02"])
        #expect(PeriodKind.month < .quarter)
        #expect(PeriodKind.quarter < .year)
        #expect(PeriodKind.allCases.map(\.months) == [1, 3, 12])
    }
}

@Suite("Proration")
struct ProrationTests {
    @Test("joining on 2027-02-15 is active 14 of February's 28 days")
    func joinMidFebruary() throws {
        let february = period("2027-02")
        #expect(Proration.activeDays(in: february, from: date("2027-02-15"), through: nil) == 14)
        #expect(try Proration.prorate(dec("1000"), in: february, from: date("2027-02-15"), through: nil) == dec("500"))
        #expect(
            try Proration.prorate(dec("-1000"), in: february, from: date("2027-02-15"), through: nil) == dec("-500"))
        // In a leap February the same join is 15 of 29 days.
        let leap = period("2028-02")
        #expect(Proration.activeDays(in: leap, from: date("2028-02-15"), through: nil) == 15)
        #expect(try Proration.prorate(dec("29"), in: leap, from: date("2028-02-15"), through: nil) == dec("15"))
        #expect(
            try Proration.prorate(dec("1000"), in: leap, from: date("2028-02-15"), through: nil) == dec("517.241379"))
    }

    @Test("active days for assignments around a period")
    func activeDays() {
        let march = period("2027-03")
        #expect(Proration.activeDays(in: march, from: date("2026-01-01"), through: nil) == 31)
        #expect(Proration.activeDays(in: march, from: date("2027-03-01"), through: date("2027-03-31")) == 31)
        #expect(Proration.activeDays(in: march, from: date("2027-03-01"), through: date("2027-03-10")) == 10)
        #expect(Proration.activeDays(in: march, from: date("2027-03-10"), through: date("2027-03-20")) == 11)
        #expect(Proration.activeDays(in: march, from: date("2027-03-31"), through: nil) == 1)
        #expect(Proration.activeDays(in: march, from: date("2027-03-31"), through: date("2027-03-31")) == 1)
        #expect(Proration.activeDays(in: march, from: date("2027-04-01"), through: nil) == 0)
        #expect(Proration.activeDays(in: march, from: date("2027-01-01"), through: date("2027-02-28")) == 0)
        #expect(Proration.activeDays(in: march, from: date("2027-03-20"), through: date("2027-03-10")) == 0)
        #expect(Proration.activeDays(in: march, from: date("2027-02-01"), through: date("2027-03-01")) == 1)
        let fy = period("2028", februaryEnding)
        #expect(Proration.activeDays(in: fy, from: date("2027-08-01"), through: nil) == 184)
        #expect(Proration.activeDays(in: period("2027"), from: date("2027-07-01"), through: nil) == 184)
    }

    @Test("prorate rounds once by the mode given")
    func prorate() throws {
        let march = period("2027-03")
        let tenDays = (from: date("2027-03-01"), through: date("2027-03-10"))
        #expect(
            try Proration.prorate(dec("3100"), in: march, from: tenDays.from, through: tenDays.through) == dec("1000"))
        // 100 × 10 / 31 = 32.258064516…
        #expect(
            try Proration.prorate(dec("100"), in: march, from: tenDays.from, through: tenDays.through)
                == dec("32.258065"))
        #expect(
            try Proration.prorate(dec("100"), in: march, from: tenDays.from, through: tenDays.through, rounding: .down)
                == dec("32.258064"))
        // 0.000001 × 14 / 28 is an exact tie at six digits.
        let february = period("2027-02")
        #expect(try Proration.prorate(dec("0.000001"), in: february, from: date("2027-02-15"), through: nil) == .zero)
        #expect(
            try Proration.prorate(
                dec("0.000001"), in: february, from: date("2027-02-15"), through: nil, rounding: .halfUp)
                == dec("0.000001"))
        // Whole period: exactly the amount, even at the ends of the range.
        #expect(try Proration.prorate(maxDecimal, in: march, from: date("2027-01-01"), through: nil) == maxDecimal)
        #expect(
            try Proration.prorate(maxDecimal, in: march, from: date("2027-03-02"), through: nil)
                == dec("8925843906633.654007"))
        // Not active at all: zero.
        #expect(try Proration.prorate(dec("1000"), in: march, from: date("2027-04-01"), through: nil) == .zero)
        // A year: joining 1 July is 184 of 365 days.
        #expect(
            try Proration.prorate(dec("1000"), in: period("2027"), from: date("2027-07-01"), through: nil)
                == dec("504.109589"))
    }
}
