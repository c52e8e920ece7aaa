/// A calendar date with no time of day and no time zone (proleptic Gregorian), years 1...9999.
///
/// Stored as days since 1970-01-01, so comparisons, day counts and hashing are integer operations.
@frozen
public struct CivilDate: Sendable, Hashable, Comparable, CustomStringConvertible, Codable, Strideable {
    /// Days since 1970-01-01 (negative before).
    public var daysSinceEpoch: Int32

    /// The first and last representable dates.
    public static let minimum = CivilDate(uncheckedYear: 1, month: 1, day: 1)
    public static let maximum = CivilDate(uncheckedYear: 9999, month: 12, day: 31)

    /// A date from its day number.
    @inlinable
    public init(daysSinceEpoch: Int32) { self.daysSinceEpoch = daysSinceEpoch }

    /// The date `year-month-day`, or `nil` when no such day exists (2027-02-29, month 13, year 0).
    @inlinable
    public init?(year: Int, month: Int, day: Int) {
        guard year >= 1 && year <= 9999, month >= 1 && month <= 12, day >= 1,
            day <= CivilDate.daysInMonth(year: year, month: month)
        else { return nil }
        self.init(uncheckedYear: year, month: month, day: day)
    }

    @usableFromInline
    init(uncheckedYear year: Int, month: Int, day: Int) {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        daysSinceEpoch = Int32(era * 146097 + doe - 719468)
    }

    /// Parses `YYYY-MM-DD` exactly (ten characters, a real calendar day).
    public init?(parsing text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard let date = bytes.withUnsafeBufferPointer({ buffer -> CivilDate? in
            guard let base = buffer.baseAddress else { return nil }
            return CivilDate.parse(base, buffer.count)
        }) else { return nil }
        self = date
    }

    /// Parses `YYYY-MM-DD` from raw bytes (the CSV hot path).
    @inlinable
    public static func parse(_ start: UnsafePointer<UInt8>, _ count: Int) -> CivilDate? {
        guard count == 10, start[4] == UInt8(ascii: "-"), start[7] == UInt8(ascii: "-") else { return nil }
        @inline(__always) func digit(_ index: Int) -> Int? {
            let d = start[index] &- UInt8(ascii: "0")
            return d < 10 ? Int(d) : nil
        }
        guard let y0 = digit(0), let y1 = digit(1), let y2 = digit(2), let y3 = digit(3),
            let m0 = digit(5), let m1 = digit(6), let d0 = digit(8), let d1 = digit(9)
        else { return nil }
        return CivilDate(year: y0 * 1000 + y1 * 100 + y2 * 10 + y3, month: m0 * 10 + m1, day: d0 * 10 + d1)
    }

    /// Year, month (1...12) and day (1...31).
    @inlinable
    public var components: (year: Int, month: Int, day: Int) {
        // Howard Hinnant's civil_from_days.
        let z = Int(daysSinceEpoch) + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// The year.
    @inlinable public var year: Int { components.year }
    /// The month, 1...12.
    @inlinable public var month: Int { components.month }
    /// The day of the month, 1...31.
    @inlinable public var day: Int { components.day }

    /// The calendar month this date falls in, as an absolute month number (year × 12 + month − 1).
    @inlinable
    public var monthNumber: Int {
        let c = components
        return c.year * 12 + c.month - 1
    }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    @inlinable
    public var weekday: Int {
        let d = Int(daysSinceEpoch)
        // 1970-01-01 was a Thursday (4).
        return ((d % 7 + 7) % 7 + 3) % 7 + 1
    }

    /// True for leap years of the Gregorian calendar.
    @inlinable
    public static func isLeapYear(_ year: Int) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// The number of days in `month` of `year`.
    @inlinable
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The date `days` later (earlier when negative).
    @inlinable
    public func adding(days: Int) -> CivilDate { CivilDate(daysSinceEpoch: daysSinceEpoch + Int32(days)) }

    /// Days from `self` to `other` (positive when `other` is later).
    @inlinable
    public func days(to other: CivilDate) -> Int { Int(other.daysSinceEpoch) - Int(daysSinceEpoch) }

    public func distance(to other: CivilDate) -> Int { days(to: other) }
    public func advanced(by n: Int) -> CivilDate { adding(days: n) }

    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool { lhs.daysSinceEpoch < rhs.daysSinceEpoch }

    /// `YYYY-MM-DD`.
    public var description: String {
        let c = components
        return pad(c.year, 4) + "-" + pad(c.month, 2) + "-" + pad(c.day, 2)
    }
}

@usableFromInline
func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}
