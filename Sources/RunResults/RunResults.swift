import CompCore

/// The identity of a stored run.
public struct RunID: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public static func < (lhs: RunID, rhs: RunID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// One input of a run and the exact bytes it had: kind (`plan`, `transactions`, `roster`, ...),
/// path as given, SHA-256 and size.
public struct InputFingerprint: Sendable, Hashable {
    public var kind: String
    public var path: String
    public var sha256: String
    public var bytes: Int

    public init(kind: String, path: String, sha256: String, bytes: Int) {
        self.kind = kind
        self.path = path
        self.sha256 = sha256
        self.bytes = bytes
    }
}

/// What identifies a run: when, with what engine, on what inputs, with which options.
public struct RunRecord: Sendable, Hashable {
    /// Start time, ISO 8601 UTC (`2027-02-01T09:30:00Z`).
    public var startedAt: String
    /// End time, ISO 8601 UTC.
    public var finishedAt: String
    /// The engine version that computed it.
    public var engineVersion: String
    /// Worker threads used (results do not depend on it; recorded for audit).
    public var threads: Int
    /// Plan ids run.
    public var plans: [String]
    /// Every input with its fingerprint.
    public var inputs: [InputFingerprint]
    /// Options that change results (parameter overrides, quarantine), as `key=value` pairs.
    public var options: [String: String]

    /// The option naming the parameters of plan `plan` that a run's overrides set (comma-separated
    /// names). Runs stored before it was recorded have none. Options are stored as `key=value`
    /// lines, so `%`, `=` and line breaks in the id are escaped (`A=B` had been read back as key
    /// `A`).
    public static func overriddenKey(plan: String) -> String {
        var escaped = ""
        for scalar in plan.unicodeScalars {
            switch scalar {
            case "%": escaped += "%25"
            case "=": escaped += "%3D"
            case "\n": escaped += "%0A"
            case "\r": escaped += "%0D"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return "overridden_in." + escaped
    }

    public init(
        startedAt: String, finishedAt: String, engineVersion: String, threads: Int, plans: [String],
        inputs: [InputFingerprint], options: [String: String] = [:]
    ) {
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.engineVersion = engineVersion
        self.threads = threads
        self.plans = plans
        self.inputs = inputs
        self.options = options
    }
}

/// One payout line: what a payee earns from one component (or `total`) in one period.
public struct PayoutLine: Sendable, Hashable {
    /// Rep id.
    public var rep: String
    /// Period label (`2027-03`, `2027-Q1`, `2027`).
    public var period: String
    /// Plan id.
    public var plan: String
    /// Component name, or `total`.
    public var component: String
    /// Position of the component in the plan's declaration order (`total` comes last).
    public var order: Int
    /// The amount, already rounded to what is paid.
    public var amount: FixedDecimal
    /// The payout currency (its minor units decide the exported digits).
    public var currency: Currency
    /// Index into ``RunOutput/traces``, when the line has a trace.
    public var trace: Int?

    @inlinable
    public init(
        rep: String, period: String, plan: String, component: String, order: Int, amount: FixedDecimal, currency: Currency,
        trace: Int? = nil
    ) {
        self.rep = rep
        self.period = period
        self.plan = plan
        self.component = component
        self.order = order
        self.amount = amount
        self.currency = currency
        self.trace = trace
    }
}

/// One measure or derived value of a payee in a period, at the precision the plan rounds it to.
public struct MeasureValue: Sendable, Hashable {
    public var rep: String
    public var period: String
    public var plan: String
    /// Measure or derived value name.
    public var measure: String
    /// Position in the plan's declaration order.
    public var order: Int
    /// The value; `nil` when it has none for the payee and period (a `let` reading an empty
    /// optional column): exported as an empty field. Also `nil` for a condition, date or text.
    public var value: FixedDecimal?
    /// The value of a `let` that is a condition, a date or a text, as exported (`true`,
    /// `2027-01-31`, the text); `nil` for a number, or when it has no value.
    public var text: String?
    /// Fraction digits to show (the plan's rounding for it).
    public var digits: Int
    /// What the value counts: money in a currency, a rate or a count; nil when not recorded (runs
    /// stored before units were).
    public var unit: MeasureUnit?

    @inlinable
    public init(
        rep: String, period: String, plan: String, measure: String, order: Int, value: FixedDecimal?, digits: Int, unit: MeasureUnit? = nil,
        text: String? = nil
    ) {
        self.rep = rep
        self.period = period
        self.plan = plan
        self.measure = measure
        self.order = order
        self.value = value
        self.digits = digits
        self.unit = unit
        self.text = text
    }
}

extension MeasureValue {
    /// The value with `fractionDigits` digits (a condition's, date's or text's as it is), or `""`
    /// when it has none (as the export writes it).
    public func valueText(fractionDigits: Int) -> String { text ?? value?.formatted(fractionDigits: fractionDigits) ?? "" }
}

/// What a measure's value counts.
public enum MeasureUnit: Sendable, Hashable {
    /// Money in the currency with this ISO 4217 code.
    case money(String)
    /// A rate or ratio (1 is 100%).
    case rate
    /// A whole number (deals, units).
    case count
    /// A condition (`true` or `false`), a date or a text: a `let` that is not a number.
    case condition, date, text

    /// The stored form: the currency code, `rate`, `count`, `bool`, `date` or `text`.
    public var code: String {
        switch self {
        case .money(let currency): return currency
        case .rate: return "rate"
        case .count: return "count"
        case .condition: return "bool"
        case .date: return "date"
        case .text: return "text"
        }
    }

    /// The unit of a stored form; nil for anything else.
    public init?(code: String) {
        switch code {
        case "rate": self = .rate
        case "count": self = .count
        case "bool": self = .condition
        case "date": self = .date
        case "text": self = .text
        default:
            guard code.utf8.count == 3, code.utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) else { return nil }
            self = .money(code)
        }
    }
}

/// Why a payout line is what it is: the rule, tier, rate, base, limit applied, and the
/// transactions (ledger rows) that fed it.
public struct TraceRecord: Sendable, Hashable {
    public var plan: String
    public var component: String
    /// The rule, as a reader would name it (`marginal tiers on bookings`).
    public var rule: String
    /// Where the rule is written (`Plans/ae.plan:14:3`).
    public var source: String
    /// The tier reached, if any (`100% ..< 150%`).
    public var tier: String?
    /// The rate applied, if any (`10%`).
    public var rate: String?
    /// The base the rate applied to, if any.
    public var base: String?
    /// A cap or floor that bound, if any (`cap total at 8750.00 USD`).
    public var limit: String?
    /// The ledger rows that fed it.
    public var transactions: RowSet

    // Inlinable: built where a run's evaluation appends it, without a temporary copied and destroyed.
    @inlinable
    public init(
        plan: String, component: String, rule: String, source: String, tier: String? = nil, rate: String? = nil,
        base: String? = nil, limit: String? = nil, transactions: RowSet = RowSet(rows: [])
    ) {
        self.plan = plan
        self.component = component
        self.rule = rule
        self.source = source
        self.tier = tier
        self.rate = rate
        self.base = base
        self.limit = limit
        self.transactions = transactions
    }
}

/// A set of ledger rows stored compactly: ascending rows as delta varints (one or two bytes per
/// row for a payee's transactions), so a trace never costs a database row per transaction.
public struct RowSet: Sendable, Hashable {
    /// The encoding.
    public let encoded: [UInt8]
    /// Number of rows.
    public let count: Int

    /// The set of `rows` (sorted and deduplicated first).
    public init(rows: [Int32]) {
        // No rows (a SPIFF line in most periods): no buffer to allocate.
        if rows.isEmpty {
            encoded = []
            count = 0
            return
        }
        // Usually already ascending (a payee's rows in file order): then no sort is needed.
        var sorted = rows
        let ascending = rows.withUnsafeBufferPointer { rows in
            var index = 1
            while index < rows.count && rows[index - 1] < rows[index] { index &+= 1 }
            return index >= rows.count
        }
        if !ascending {
            sorted.sort()
            var kept = 0
            for index in sorted.indices where index == 0 || sorted[index] != sorted[kept - 1] {
                sorted[kept] = sorted[index]
                kept += 1
            }
            sorted.removeLast(sorted.count - kept)
        }
        // Sorted distinct rows differ by less than 2^32: 5 bytes each at most, and 10 for the first
        // (a negative row wraps). Written through a buffer: an append per byte cost a uniqueness
        // and a capacity check each.
        encoded = [UInt8](unsafeUninitializedCapacity: sorted.count * 5 + 5) { bytes, written in
            guard let base = bytes.baseAddress else { return written = 0 }
            var out = base
            var previous: Int64 = -1
            sorted.withUnsafeBufferPointer { rows in
                for row in rows {
                    var delta = UInt64(bitPattern: Int64(row) &- previous)
                    previous = Int64(row)
                    while delta >= 0x80 {
                        out.pointee = UInt8(truncatingIfNeeded: delta) | 0x80
                        out += 1
                        delta &>>= 7
                    }
                    out.pointee = UInt8(truncatingIfNeeded: delta)
                    out += 1
                }
            }
            written = out - base
        }
        count = sorted.count
    }

    /// A set from its encoding (as read back from storage); `nil` when the bytes are malformed.
    public init?(encoded: [UInt8]) {
        var count = 0
        var shift: UInt64 = 0
        for byte in encoded {
            if byte & 0x80 == 0 {
                count += 1
                shift = 0
            } else {
                shift += 7
                if shift > 56 { return nil }
            }
        }
        if shift != 0 { return nil }
        self.encoded = encoded
        self.count = count
    }

    /// The rows, ascending.
    public var rows: [Int32] {
        var rows: [Int32] = []
        rows.reserveCapacity(count)
        var previous: Int64 = -1
        var delta: UInt64 = 0
        var shift: UInt64 = 0
        for byte in encoded {
            delta |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                previous &+= Int64(bitPattern: delta)  // wraps back for a negative first row
                rows.append(Int32(truncatingIfNeeded: previous))
                delta = 0
                shift = 0
            } else {
                shift += 7
            }
        }
        return rows
    }
}

/// An input row a run did not use, and why.
public struct RejectRecord: Sendable, Hashable {
    public var file: String
    public var line: Int
    public var field: Int
    /// Stable id of the reason (`data.badDecimal`, `run.otherPlan`).
    public var code: String
    public var message: String

    public init(file: String, line: Int, field: Int, code: String, message: String) {
        self.file = file
        self.line = line
        self.field = field
        self.code = code
        self.message = message
    }
}

/// Per input file: every row credited, excluded by a named rule, or rejected.
public struct ReconciliationRecord: Sendable, Hashable {
    public var file: String
    public var rowsRead: Int
    public var accepted: Int
    public var rejected: Int
    /// Accepted rows that no plan credited, by reason (`other plan: MGR-OVR`).
    public var excluded: [String: Int]
    /// The ledger's rows and exact sums by currency: credited, excluded (by reason) and
    /// rejected; for each currency they add up to what the file holds. Empty for other files.
    public var amounts: [ReconciliationAmount]

    public init(
        file: String, rowsRead: Int, accepted: Int, rejected: Int, excluded: [String: Int] = [:], amounts: [ReconciliationAmount] = []
    ) {
        self.file = file
        self.rowsRead = rowsRead
        self.accepted = accepted
        self.rejected = rejected
        self.excluded = excluded
        self.amounts = amounts
    }
}

/// Rows of one currency with one outcome, and the exact sum of their amounts.
public struct ReconciliationAmount: Sendable, Hashable {
    /// What became of the rows.
    public enum Outcome: String, Sendable, Hashable {
        /// Credited to a payee of the run.
        case credited
        /// Accepted but credited to no one, for ``ReconciliationAmount/reason``.
        case excluded
        /// Rejected by validation (or left out by `--quarantine`).
        case rejected
    }

    /// ISO 4217 code; empty for rejected rows whose currency could not be read.
    public var currency: String
    public var outcome: Outcome
    /// Why excluded rows were excluded; nil otherwise.
    public var reason: String?
    public var rows: Int
    /// The exact sum of their amounts; nil when they could not be read (rejected rows without a
    /// readable currency or amount).
    public var amount: WideDecimal?

    public init(currency: String, outcome: Outcome, reason: String? = nil, rows: Int, amount: WideDecimal?) {
        self.currency = currency
        self.outcome = outcome
        self.reason = reason
        self.rows = rows
        self.amount = amount
    }
}

/// Everything a run produces.
public struct RunOutput: Sendable {
    public var payouts: [PayoutLine]
    public var measures: [MeasureValue]
    public var traces: [TraceRecord]
    public var rejects: [RejectRecord]
    public var reconciliation: [ReconciliationRecord]
    /// Per ledger row: true when some credit rule credited it to a payee of the run (for the
    /// reconciliation; empty when unknown).
    public var credited: [Bool] = []
    /// What the run warned of (payees left out, data a plan cannot read, …), in the order said:
    /// stored with the run, so that its caveats outlive the terminal it ran in.
    public var warnings: [String] = []

    public init(
        payouts: [PayoutLine] = [], measures: [MeasureValue] = [], traces: [TraceRecord] = [], rejects: [RejectRecord] = [],
        reconciliation: [ReconciliationRecord] = []
    ) {
        self.payouts = payouts
        self.measures = measures
        self.traces = traces
        self.rejects = rejects
        self.reconciliation = reconciliation
    }

    /// Appends another output's lines, measures and traces (its trace indexes are its own: they
    /// are shifted past the traces already here).
    public mutating func append(_ part: RunOutput) {
        let offset = traces.count
        let first = payouts.count
        traces.append(contentsOf: part.traces)
        payouts.append(contentsOf: part.payouts)
        if offset > 0 {
            for index in first..<payouts.count { payouts[index].trace = payouts[index].trace.map { $0 + offset } }
        }
        measures.append(contentsOf: part.measures)
    }
}
