import CompCore

/// ISO 4217 currencies by a direct 26³ table: three upper-case letters → index, no hashing.
enum ISOCurrencies {
    /// Every ISO currency, sorted by code; a table's currency index points here.
    static let list: [Currency] = Currency.isoMinorUnits.keys.sorted().compactMap { Currency(code: $0) }

    /// Index + 1 per three-letter combination; 0 = not a currency.
    static let table: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 26 * 26 * 26)
        for (index, currency) in list.enumerated() {
            let bytes = Array(currency.code.utf8)
            let slot = Int(bytes[0] - 65) * 676 + Int(bytes[1] - 65) * 26 + Int(bytes[2] - 65)
            table[slot] = UInt8(index + 1)
        }
        return table
    }()

    /// The index of the currency spelled by the bytes, or -1.
    @inline(__always)
    static func index(_ start: UnsafePointer<UInt8>, _ count: Int, table: UnsafeBufferPointer<UInt8>) -> Int {
        guard count == 3 else { return -1 }
        let a = start[0] &- 65
        let b = start[1] &- 65
        let c = start[2] &- 65
        guard a < 26 && b < 26 && c < 26 else { return -1 }
        return Int(table[Int(a) * 676 + Int(b) * 26 + Int(c)]) - 1
    }

    /// The index of `currency`, or -1 when it is not an ISO currency.
    static func index(of currency: Currency) -> Int {
        list.firstIndex(of: currency) ?? -1
    }
}

/// Which (currency, month) pairs have an fx rate, as a flat bit table for the scan.
struct FXAvailability: Sendable {
    let baseIndex: Int
    let minMonth: Int
    let span: Int
    let available: [Bool]
    /// Lines of rejected fx.csv rows by currency index and month number (see
    /// ``FXTable/rejectedLines``).
    var rejectedLines: [Int: Int] = [:]
    /// Rejected fx.csv rows of which only the currency (by index) or only the month could be
    /// read, and the first of which neither could (see ``FXTable/rejectedByCurrency``).
    var rejectedByCurrency: [Int: Int] = [:]
    let rejectedByMonth: [Int: Int]
    let unkeyedRejectedLine: Int?

    /// True when fx.csv could not be read at all (its header): every rate counts as there, so
    /// the file's one error is not followed by a "no fx rate" for each row in another currency
    /// (a run is refused over the file anyway).
    let unknown: Bool

    /// The rates of `table`, with its rejected rows' lines; `unknown` when fx.csv could not be
    /// read at all.
    init(_ table: FXTable, unknown: Bool = false) {
        self.unknown = unknown
        baseIndex = ISOCurrencies.index(of: table.base)
        let rates = table.rates
        let months = rates.map { $0.month.firstMonth }
        minMonth = months.min() ?? 0
        span = rates.isEmpty ? 0 : (months.max() ?? 0) - minMonth + 1
        var available = [Bool](repeating: false, count: span * ISOCurrencies.list.count)
        for rate in rates {
            let index = ISOCurrencies.index(of: rate.currency)
            if index >= 0 { available[index * span + rate.month.firstMonth - minMonth] = true }
        }
        self.available = available
        for (key, line) in table.rejectedLines {
            guard let currency = Currency(code: key.currency) else { continue }
            rejectedLines[ISOCurrencies.index(of: currency) * 1_000_000 + key.month] = line
        }
        for (code, line) in table.rejectedByCurrency {
            guard let currency = Currency(code: code) else { continue }
            rejectedByCurrency[ISOCurrencies.index(of: currency)] = line
        }
        rejectedByMonth = table.rejectedByMonth
        unkeyedRejectedLine = table.unkeyedRejectedLine
    }

    /// The line of a rejected fx.csv row for `currency` (an index) in `month`, if one was.
    func rejectedLine(_ currency: Int, _ month: Int) -> Int? { rejectedLines.isEmpty ? nil : rejectedLines[currency * 1_000_000 + month] }

    /// The first rejected row that may hold the rate of `currency` in `month` (one whose currency,
    /// or month, or neither could be read, in that order), with what of it could be read.
    func possibleRow(_ currency: Int, _ month: Int) -> (line: Int, readable: String?)? {
        if let line = rejectedByCurrency[currency] { return (line, ISOCurrencies.list[currency].code) }
        if let line = rejectedByMonth[month] { return (line, Period(kind: .month, containingMonth: month).description) }
        return unkeyedRejectedLine.map { ($0, nil) }
    }

    @inline(__always)
    func has(_ currency: Int, _ month: Int) -> Bool {
        if currency == baseIndex || unknown { return true }
        let offset = month - minMonth
        guard offset >= 0 && offset < span else { return false }
        return available[currency * span + offset]
    }
}

/// Date parsing for the scan: day number and absolute month in one pass over the ten bytes.
@inline(__always)
func parseDateFields(_ start: UnsafePointer<UInt8>, _ count: Int) -> (days: Int32, month: Int)? {
    guard count == 10, start[4] == UInt8(ascii: "-"), start[7] == UInt8(ascii: "-") else { return nil }
    @inline(__always) func d(_ i: Int) -> Int? {
        let v = start[i] &- 48
        return v < 10 ? Int(v) : nil
    }
    guard let y0 = d(0), let y1 = d(1), let y2 = d(2), let y3 = d(3), let m0 = d(5), let m1 = d(6), let d0 = d(8),
        let d1 = d(9)
    else { return nil }
    let year = y0 * 1000 + y1 * 100 + y2 * 10 + y3
    let month = m0 * 10 + m1
    let day = d0 * 10 + d1
    guard let date = CivilDate(year: year, month: month, day: day) else { return nil }
    return (date.daysSinceEpoch, year * 12 + month - 1)
}

/// Parses an optional sign and up to nine digits as an `Int32`.
@inline(__always)
func parseInt32(_ start: UnsafePointer<UInt8>, _ count: Int) -> Int32? {
    var index = 0
    var negative = false
    if count > 0 && (start[0] == UInt8(ascii: "-") || start[0] == UInt8(ascii: "+")) {
        negative = start[0] == UInt8(ascii: "-")
        index = 1
    }
    // Leading zeros take no room (`0000000001` is 1, as the engine reads it).
    while index < count - 1 && start[index] == UInt8(ascii: "0") { index &+= 1 }
    guard index < count, count - index <= 9 else { return nil }
    var value: Int32 = 0
    while index < count {
        let digit = start[index] &- 48
        guard digit < 10 else { return nil }
        value = value &* 10 &+ Int32(digit)
        index &+= 1
    }
    return negative ? -value : value
}

/// The common amount shape, `-?digits(.digits)?` with at most 12 integer and 6 fraction digits, in
/// millionths; `nil` for anything else (the full parser then decides and explains).
@inline(__always)
func parsePlainAmount(_ start: UnsafePointer<UInt8>, _ count: Int) -> Int64? {
    var index = 0
    var negative = false
    if count > 0 && start[0] == UInt8(ascii: "-") {
        negative = true
        index = 1
    }
    var integer: Int64 = 0
    var digits = 0
    while index < count {
        let digit = start[index] &- 48
        if digit >= 10 { break }
        integer = integer &* 10 &+ Int64(digit)
        digits &+= 1
        index &+= 1
    }
    if digits == 0 || digits > 12 { return nil }
    var fraction: Int64 = 0
    var fractionDigits = 0
    if index < count {
        guard start[index] == UInt8(ascii: ".") else { return nil }
        index &+= 1
        while index < count {
            let digit = start[index] &- 48
            if digit >= 10 { return nil }
            fraction = fraction &* 10 &+ Int64(digit)
            fractionDigits &+= 1
            index &+= 1
        }
        if fractionDigits == 0 || fractionDigits > 6 { return nil }
    }
    let scale: Int64
    switch fractionDigits {
    case 0: scale = 1_000_000
    case 1: scale = 100_000
    case 2: scale = 10_000
    case 3: scale = 1_000
    case 4: scale = 100
    case 5: scale = 10
    default: scale = 1
    }
    let value = integer &* 1_000_000 &+ fraction &* scale
    return negative ? -value : value
}
