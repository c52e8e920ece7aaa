/// The length of a compensation period.
public enum PeriodKind: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    /// A calendar month.
    case month
    /// Three months starting at a fiscal quarter boundary.
    case quarter
    /// Twelve months starting at the fiscal year's first month.
    case year

    /// How many calendar months the period spans.
    @inlinable
    public var months: Int {
        switch self {
        case .month: return 1
        case .quarter: return 3
        case .year: return 12
        }
    }

    public static func < (lhs: PeriodKind, rhs: PeriodKind) -> Bool { lhs.months < rhs.months }
}

/// Where a company's fiscal year starts and how its years are named.
///
/// A fiscal year may start in any month. With `startMonth: 2` and ``YearNaming/endingYear`` (the
/// usual US convention), fiscal year 2028 runs from 2027-02-01 to 2028-01-31 and its first quarter
/// is February–April 2027. With ``YearNaming/startingYear`` the same span is fiscal 2027.
/// Months are always labelled by their calendar month (`2027-02`).
public struct FiscalCalendar: Sendable, Hashable, Codable {
    /// How a fiscal year that spans two calendar years is named.
    public enum YearNaming: String, Sendable, Hashable, Codable {
        /// Named after the calendar year in which it ends (FY2028 = Feb 2027 – Jan 2028).
        case endingYear = "ending-year"
        /// Named after the calendar year in which it starts (FY2027 = Feb 2027 – Jan 2028).
        case startingYear = "starting-year"
    }

    /// First month of the fiscal year, 1...12.
    public let startMonth: Int
    /// How years are named when they span two calendar years.
    public let naming: YearNaming

    /// A fiscal calendar; `nil` when `startMonth` is not 1...12.
    public init?(startMonth: Int, naming: YearNaming = .endingYear) {
        guard (1...12).contains(startMonth) else { return nil }
        self.startMonth = startMonth
        self.naming = naming
    }

    /// The calendar year (January start).
    public static let calendar = FiscalCalendar(uncheckedStartMonth: 1)

    private init(uncheckedStartMonth: Int) {
        self.startMonth = uncheckedStartMonth
        self.naming = .endingYear
    }

    /// The absolute month number (year × 12 + month − 1) on which the fiscal year containing
    /// `monthNumber` starts.
    @inlinable
    public func fiscalYearStart(containing monthNumber: Int) -> Int {
        let offset = startMonth - 1
        let shifted = monthNumber - offset
        let yearStart = shifted >= 0 ? shifted / 12 : (shifted - 11) / 12
        return yearStart * 12 + offset
    }

    /// The label year of the fiscal year that starts at absolute month `yearStart`.
    @inlinable
    public func labelYear(ofYearStartingAt yearStart: Int) -> Int {
        let calendarYear = yearStart >= 0 ? yearStart / 12 : (yearStart - 11) / 12
        return (startMonth == 1 || naming == .startingYear) ? calendarYear : calendarYear + 1
    }

    /// The absolute month on which fiscal year `labelYear` starts.
    @inlinable
    public func yearStart(ofLabelYear labelYear: Int) -> Int {
        let calendarYear = (startMonth == 1 || naming == .startingYear) ? labelYear : labelYear - 1
        return calendarYear * 12 + startMonth - 1
    }
}

/// A compensation period: a month, a fiscal quarter or a fiscal year.
///
/// Periods are ordered by start month and then by length. Labels follow `FORMATS.md`: `2027-03`
/// (calendar month), `2027-Q1` (fiscal quarter), `2027` (fiscal year).
public struct Period: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// Month, quarter or year.
    public let kind: PeriodKind
    /// The first month as an absolute month number (year × 12 + month − 1).
    public let firstMonth: Int
    /// The fiscal calendar the period belongs to.
    public let calendar: FiscalCalendar

    /// The period of `kind` that contains the absolute month `monthNumber`.
    public init(kind: PeriodKind, containingMonth monthNumber: Int, calendar: FiscalCalendar = .calendar) {
        self.kind = kind
        self.calendar = calendar
        switch kind {
        case .month: firstMonth = monthNumber
        case .year: firstMonth = calendar.fiscalYearStart(containing: monthNumber)
        case .quarter:
            let yearStart = calendar.fiscalYearStart(containing: monthNumber)
            firstMonth = yearStart + (monthNumber - yearStart) / 3 * 3
        }
    }

    /// The period of `kind` that contains `date`.
    public init(kind: PeriodKind, containing date: CivilDate, calendar: FiscalCalendar = .calendar) {
        self.init(kind: kind, containingMonth: date.monthNumber, calendar: calendar)
    }

    /// The calendar month `year-month`; `nil` for a month outside 1...12 or a year outside 1...9999.
    public static func month(_ year: Int, _ month: Int) -> Period? {
        guard (1...9999).contains(year), (1...12).contains(month) else { return nil }
        return Period(kind: .month, containingMonth: year * 12 + month - 1)
    }

    /// Parses `YYYY-MM`, `YYYY-Qn` or `YYYY` in `calendar`; `nil` when the text is none of them.
    public init?(parsing text: some StringProtocol, calendar: FiscalCalendar = .calendar) {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let d = bytes[index] &- UInt8(ascii: "0")
                guard d < 10 else { return nil }
                value = value * 10 + Int(d)
            }
            return value
        }
        guard bytes.count >= 4, let year = number(0..<4), year >= 1 else { return nil }
        if bytes.count == 4 {
            self.init(kind: .year, containingMonth: calendar.yearStart(ofLabelYear: year), calendar: calendar)
        } else if bytes.count == 7, bytes[4] == UInt8(ascii: "-"), bytes[5] == UInt8(ascii: "Q"),
            let quarter = number(6..<7), (1...4).contains(quarter)
        {
            let start = calendar.yearStart(ofLabelYear: year) + (quarter - 1) * 3
            self.init(kind: .quarter, containingMonth: start, calendar: calendar)
        } else if bytes.count == 7, bytes[4] == UInt8(ascii: "-"), let month = number(5..<7), (1...12).contains(month) {
            self.init(kind: .month, containingMonth: year * 12 + month - 1, calendar: calendar)
        } else {
            return nil
        }
    }

    /// The absolute month just after the period.
    @inlinable public var endMonth: Int { firstMonth + kind.months }

    /// The first day.
    public var startDate: CivilDate {
        CivilDate(uncheckedYear: firstMonth / 12, month: firstMonth % 12 + 1, day: 1)
    }

    /// The last day (inclusive).
    public var endDate: CivilDate {
        let next = endMonth
        return CivilDate(uncheckedYear: next / 12, month: next % 12 + 1, day: 1).adding(days: -1)
    }

    /// The number of days in the period.
    public var dayCount: Int { startDate.days(to: endDate) + 1 }

    /// True when `date` falls in the period.
    public func contains(_ date: CivilDate) -> Bool {
        let month = date.monthNumber
        return month >= firstMonth && month < endMonth
    }

    /// True when `other` lies entirely inside this period.
    public func contains(_ other: Period) -> Bool {
        other.firstMonth >= firstMonth && other.endMonth <= endMonth
    }

    /// The period of the same kind that follows.
    public var next: Period { Period(kind: kind, containingMonth: endMonth, calendar: calendar) }

    /// The period of the same kind that precedes.
    public var previous: Period { Period(kind: kind, containingMonth: firstMonth - 1, calendar: calendar) }

    /// The period of `larger` kind that contains this one (a month's quarter or year).
    public func enclosing(_ larger: PeriodKind) -> Period {
        Period(kind: larger, containingMonth: firstMonth, calendar: calendar)
    }

    /// The months of the period, in order.
    public var months: [Period] {
        (firstMonth..<endMonth).map { Period(kind: .month, containingMonth: $0, calendar: calendar) }
    }

    /// The months from the start of the enclosing fiscal quarter through the end of this period.
    public var quarterToDate: [Period] { toDate(.quarter) }

    /// The months from the start of the enclosing fiscal year through the end of this period.
    public var yearToDate: [Period] { toDate(.year) }

    private func toDate(_ kind: PeriodKind) -> [Period] {
        let start = enclosing(kind).firstMonth
        return (start..<endMonth).map { Period(kind: .month, containingMonth: $0, calendar: calendar) }
    }

    /// The label year of the fiscal year the period belongs to.
    public var fiscalYear: Int {
        calendar.labelYear(ofYearStartingAt: calendar.fiscalYearStart(containing: firstMonth))
    }

    /// The fiscal quarter number (1...4) the period starts in.
    public var fiscalQuarter: Int {
        (firstMonth - calendar.fiscalYearStart(containing: firstMonth)) / 3 + 1
    }

    /// `2027-03`, `2027-Q1` or `2027`.
    public var description: String {
        switch kind {
        case .month: return pad(firstMonth / 12, 4) + "-" + pad(firstMonth % 12 + 1, 2)
        case .quarter: return pad(fiscalYear, 4) + "-Q" + String(fiscalQuarter)
        case .year: return pad(fiscalYear, 4)
        }
    }

    public static func < (lhs: Period, rhs: Period) -> Bool {
        lhs.firstMonth != rhs.firstMonth ? lhs.firstMonth < rhs.firstMonth : lhs.kind < rhs.kind
    }
}

/// Proration by day count.
///
/// Convention: **actual/actual within the period**. A payee active on `d` of the period's `n`
/// calendar days (both ends inclusive) gets `d / n` of a per-period amount such as a quota or a
/// draw. Joining on 2027-02-15 gives 14/28 of February; a full period gives exactly 1.
public enum Proration {
    /// Days of `period` on which an assignment running from `start` through `end` (inclusive;
    /// `nil` = open-ended) is active.
    public static func activeDays(in period: Period, from start: CivilDate, through end: CivilDate?) -> Int {
        let first = max(start, period.startDate)
        let last = min(end ?? period.endDate, period.endDate)
        return last < first ? 0 : first.days(to: last) + 1
    }

    /// `amount × activeDays / periodDays`, rounded to six fraction digits by `mode`.
    public static func prorate(
        _ amount: FixedDecimal, in period: Period, from start: CivilDate, through end: CivilDate?,
        rounding mode: RoundingMode = .halfEven
    ) throws(ArithmeticError) -> FixedDecimal {
        let active = activeDays(in: period, from: start, through: end)
        let total = period.dayCount
        if active == total { return amount }
        guard let quotient = roundedQuotient(Int128(amount.units) * Int128(active), Int128(total), mode),
            let units = Int64(exactly: quotient)
        else { throw .overflow(operation: "prorating \(amount)") }
        return FixedDecimal(units: units)
    }
}
