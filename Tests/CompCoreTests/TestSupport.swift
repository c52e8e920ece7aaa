import CompCore
import Testing

/// Parses a decimal literal that the test guarantees is valid; records an issue (and returns zero)
/// when it is not, so a typo in a table fails loudly instead of crashing the runner.
func dec(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> FixedDecimal {
    do {
        return try FixedDecimal(parsing: text)
    } catch {
        Issue.record("test literal \"\(text)\" does not parse: \(error)", sourceLocation: sourceLocation)
        return .zero
    }
}

/// Parses a date literal that the test guarantees is valid.
func date(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> CivilDate {
    guard let value = CivilDate(parsing: text) else {
        Issue.record("test literal \"\(text)\" is not a date", sourceLocation: sourceLocation)
        return CivilDate(daysSinceEpoch: 0)
    }
    return value
}

/// Parses a period label that the test guarantees is valid.
func period(
    _ text: String, _ calendar: FiscalCalendar = .calendar, sourceLocation: SourceLocation = #_sourceLocation
) -> Period {
    guard let value = Period(parsing: text, calendar: calendar) else {
        Issue.record("test literal \"\(text)\" is not a period", sourceLocation: sourceLocation)
        return Period(kind: .month, containingMonth: 2027 * 12)
    }
    return value
}

/// A fiscal year starting in February, named after the year in which it ends (FY2028 = Feb 2027 – Jan 2028).
let februaryEnding = FiscalCalendar(startMonth: 2, naming: .endingYear)!
/// A fiscal year starting in February, named after the year in which it starts (FY2027 = Feb 2027 – Jan 2028).
let februaryStarting = FiscalCalendar(startMonth: 2, naming: .startingYear)!

/// The largest and smallest fixed decimals.
let maxDecimal = FixedDecimal(units: .max)
let minDecimal = FixedDecimal(units: .min)

/// A small deterministic random number generator (SplitMix64) for shuffles inside property tests.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
