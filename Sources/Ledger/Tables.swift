import CompCore

/// Index of a rep in ``RosterTable/repIDs`` (dense, first-seen order in `roster.csv`).
public typealias RepIndex = Int32

/// A column of interned strings: one code per row, and the distinct values by code.
public struct StringColumn: Sendable {
    /// Codes per row: 16 bits while the column has fewer than 65,535 distinct values, 32 bits after.
    public enum Codes: Sendable {
        case narrow(Column<UInt16>)
        case wide(Column<UInt32>)
    }

    /// The column's header name (`product`, `kind`, `region`, or any extra column).
    public let name: String
    /// Distinct values; a row's value is `values[code(at: row)]`. The empty string is a value like any other.
    public let values: [String]
    /// One code per row.
    public let codes: Codes

    /// The code of `row`.
    @inlinable
    public func code(at row: Int) -> UInt32 {
        switch codes {
        case .narrow(let column): return UInt32(column[row])
        case .wide(let column): return column[row]
        }
    }

    /// The value of `row`.
    public subscript(row: Int) -> String { values[Int(code(at: row))] }

    /// The code of `value`, or `nil` when no row has it.
    public func code(of value: String) -> UInt32? {
        values.firstIndex(of: value).map { UInt32($0) }
    }
}

/// Transaction ids, stored compactly: the bytes of every id in per-chunk arenas.
public struct TransactionIDs: Sendable {
    let arenas: [Column<UInt8>]
    /// First row of each arena.
    let arenaRowStarts: [Int]
    /// End offset of each row's id within its arena.
    let ends: Column<UInt32>

    /// The id of `row`.
    public subscript(row: Int) -> String {
        let (arena, start, end) = locate(row)
        return arenas[arena].withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self) }
    }

    func locate(_ row: Int) -> (arena: Int, start: Int, end: Int) {
        var arena = 0
        var low = 0
        var high = arenaRowStarts.count - 1
        while low <= high {
            let mid = (low + high) / 2
            if arenaRowStarts[mid] <= row {
                arena = mid
                low = mid + 1
            } else {
                high = mid - 1
            }
        }
        let start = row == arenaRowStarts[arena] ? 0 : Int(ends[row - 1])
        return (arena, start, Int(ends[row]))
    }

    /// Calls `body` with the bytes of `row`'s id.
    func withBytes<R>(_ row: Int, _ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
        let (arena, start, end) = locate(row)
        return arenas[arena].withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else {
                // An empty arena holds no bytes: hand out a valid pointer to nothing.
                var empty: UInt8 = 0
                return withUnsafePointer(to: &empty) { body($0, 0) }
            }
            return body(base + start, end - start)
        }
    }
}

/// Rows to file lines without a column: most rows sit at `row + constant`, so only the rows where
/// the constant changes (after a rejected row, a blank line or a field with a line break) are kept.
public struct LineMap: Sendable {
    let rows: [Int]
    let deltas: [Int]

    /// The 1-based line of `row`.
    public func line(of row: Int) -> Int {
        var low = 0
        var high = rows.count - 1
        var found = -1
        while low <= high {
            let mid = (low + high) / 2
            if rows[mid] <= row {
                found = mid
                low = mid + 1
            } else {
                high = mid - 1
            }
        }
        return found < 0 ? row + 2 : row + deltas[found]
    }
}

/// One bit per ledger row, set for the reversals: a test per row costs a load, where the
/// ``ReversalList``'s binary search per row was measurable. The loader's reversal checks and the
/// engine's crediting use it.
public struct ReversalBits: Sendable {
    @usableFromInline let words: [UInt64]

    /// The rows `marked` of a table of `rows` rows.
    public init(rows: Int, marking marked: some Sequence<Int>) {
        var words = [UInt64](repeating: 0, count: (rows + 63) / 64)
        for row in marked { words[row >> 6] |= 1 << (UInt64(row) & 63) }
        self.words = words
    }

    /// The reversals of a transaction table of `rows` rows.
    public init(rows: Int, reversals: ReversalList) {
        self.init(rows: rows, marking: reversals.rows.lazy.map { Int($0) })
    }

    @inlinable @inline(__always)
    public func contains(_ row: Int) -> Bool { words[row >> 6] & (1 << (UInt64(row) & 63)) != 0 }
}

/// Reversals, sparse (about 1% of a ledger): each reversal row and the row it cancels.
public struct ReversalList: Sendable {
    /// Reversal rows, ascending.
    public let rows: [Int32]
    /// The row each one cancels, parallel to ``rows``.
    public let targets: [Int32]

    /// Number of reversals.
    public var count: Int { rows.count }

    /// Per reversal, the deal at the root of its chain (parallel to ``rows``).
    let roots: [Int32]
    /// Per reversal, how far down its chain the deal is (parallel to ``rows``): 1 for a reversal
    /// of the deal (a cancellation), 2 for a reversal of that (the deal reinstated), and so on.
    let depths: [Int32]

    /// The reversals that take their deal back (an odd depth: a cancellation); a reversal of a
    /// cancellation puts it back, and counts as the deal again.
    public var cancellations: [Int] { rows.indices.filter { depths[$0] % 2 == 1 }.map { Int(rows[$0]) } }

    /// Reversals `rows` (ascending) and the rows they cancel.
    public init(rows: [Int32], targets: [Int32]) {
        self.rows = rows
        self.targets = targets
        // Each chain walked once: the rows on a walk get the root it ends at.
        var roots = [Int32](repeating: -1, count: rows.count)
        var depths = [Int32](repeating: 0, count: rows.count)
        func index(of row: Int32) -> Int? {
            var low = 0
            var high = rows.count - 1
            while low <= high {
                let mid = (low + high) / 2
                if rows[mid] == row { return mid }
                if rows[mid] < row { low = mid + 1 } else { high = mid - 1 }
            }
            return nil
        }
        var path: [Int] = []
        for start in rows.indices where roots[start] < 0 {
            path.removeAll(keepingCapacity: true)
            var current = start
            var root = targets[start]
            // The depth of where the walk stopped: a reversal already walked, or the deal (0).
            var base: Int32 = 0
            while true {
                if roots[current] >= 0 {
                    root = roots[current]
                    base = depths[current]
                    break
                }
                path.append(current)
                root = targets[current]
                // The loader refuses cycles; a walk longer than the list would be one.
                guard let next = index(of: root), path.count <= rows.count else { break }
                current = next
            }
            for (position, step) in path.enumerated() {
                roots[step] = root
                depths[step] = base + Int32(path.count - position)
            }
        }
        self.roots = roots
        self.depths = depths
    }

    /// The deal at the root of `row`'s chain of reversals (a reversal of a reversal reinstates
    /// the deal it reversed), or `row` itself when it reverses nothing.
    public func rootDeal(of row: Int) -> Int { position(of: row).map { Int(roots[$0]) } ?? row }

    /// The position of reversal `row` in ``rows``, or `nil` when it is not a reversal.
    public func position(of row: Int) -> Int? {
        var low = 0
        var high = rows.count - 1
        while low <= high {
            let mid = (low + high) / 2
            let value = Int(rows[mid])
            if value == row { return mid }
            if value < row { low = mid + 1 } else { high = mid - 1 }
        }
        return nil
    }

    /// The deal at the root of the chain of the reversal at `position` in ``rows``.
    public func root(at position: Int) -> Int { Int(roots[position]) }

    /// The row that `row` reverses, or `nil` when it is not a reversal.
    public func target(of row: Int) -> Int? { position(of: row).map { Int(targets[$0]) } }

    /// A value for every reversal (parallel to ``rows``) that depends on the chain above it, each
    /// chain walked once (walked up from each of its links, a chain of thousands was quadratic):
    /// `deal` gives the value above a chain's first link from its deal's row, and `link` a
    /// reversal's value from its position and the value of the row it reverses.
    public func resolvingChains<Value>(deal: (_ row: Int) -> Value, link: (_ position: Int, _ above: Value) -> Value) -> [Value] {
        var values: [Value?] = Array(repeating: nil, count: rows.count)
        var path: [Int] = []
        for start in rows.indices where values[start] == nil {
            path.removeAll(keepingCapacity: true)
            var current = start
            var above: Value
            while true {
                if let known = values[current] {
                    above = known
                    break
                }
                path.append(current)
                // The loader refuses cycles; a walk longer than the list would be one.
                guard let next = position(of: Int(targets[current])), path.count <= rows.count else {
                    above = deal(Int(targets[current]))
                    break
                }
                current = next
            }
            // From the top of the path down.
            for step in path.reversed() {
                above = link(step, above)
                values[step] = above
            }
        }
        // Every position was given its value (as a start or on the path of one).
        return values.compactMap { $0 }
    }
}

/// The accepted rows of `transactions.csv`, column by column.
///
/// Money is stored as exact millionths (`Int64`), dates as day numbers, reps as ``RepIndex``es
/// into the roster, currencies as indexes into ``currencies``. Rows keep the file's order.
public struct TransactionTable: Sendable {
    /// Number of rows.
    public let count: Int
    /// Transaction ids.
    public let ids: TransactionIDs
    /// Maps rows to their lines in `transactions.csv`, so any figure can be traced to its source row.
    public let lineMap: LineMap
    /// Credit dates.
    public let dates: Column<CivilDate>
    /// The rep credited, as an index into the roster's reps.
    public let reps: Column<RepIndex>
    /// Deal values in millionths of the row's currency.
    public let amounts: Column<Int64>
    /// Index into ``currencies`` per row.
    public let currencyCodes: Column<UInt8>
    /// The currencies rows may refer to, by index.
    public let currencies: [Currency]
    /// Quantity per row (0 when the column is absent or the field empty).
    public let quantities: Column<Int32>
    /// The reversal rows and the rows they cancel.
    public let reversals: ReversalList
    /// Every other column (product, kind, region, extras), in header order.
    public let attributes: [StringColumn]

    /// The line of `row` in `transactions.csv`.
    public func line(of row: Int) -> Int { lineMap.line(of: row) }

    /// The amount of `row` as money.
    public func money(at row: Int) -> Money {
        Money(FixedDecimal(units: amounts[row]), currencies[Int(currencyCodes[row])])
    }

    /// The string column called `name`, if the file had one.
    public func attribute(_ name: String) -> StringColumn? { attributes.first { $0.name == name } }

    /// Rows grouped by rep (a counting sort, stable): the rows of rep `r` are
    /// `rows[starts[r]..<starts[r + 1]]`, in file order.
    public func rowsByRep(repCount: Int) -> (starts: [Int], rows: [Int32]) {
        var starts = [Int](repeating: 0, count: repCount + 1)
        reps.withUnsafeBufferPointer { reps in
            for rep in reps { starts[Int(rep) + 1] += 1 }
        }
        for index in 0..<repCount { starts[index + 1] += starts[index] }
        var cursor = starts
        var rows = [Int32](repeating: 0, count: count)
        reps.withUnsafeBufferPointer { reps in
            for (row, rep) in reps.enumerated() {
                rows[cursor[Int(rep)]] = Int32(row)
                cursor[Int(rep)] += 1
            }
        }
        return (starts, rows)
    }
}

/// One row of `roster.csv`: a rep on a plan for a date range.
public struct RosterRow: Sendable, Hashable {
    /// The rep.
    public let rep: RepIndex
    /// Display name.
    public let name: String
    /// The manager, if any.
    public let manager: RepIndex?
    /// Comp plan id.
    public let plan: String
    /// First day on the plan.
    public let start: CivilDate
    /// Last day on the plan (`nil` = open).
    public let end: CivilDate?
    /// Payout currency (`nil` = the plan's).
    public let currency: Currency?
    /// Annual on-target variable pay.
    public let targetIncentive: FixedDecimal?
    /// Extra columns, parallel to ``RosterTable/attributeNames``.
    public let attributes: [String]
    /// Line in the file.
    public let line: Int

    /// True when the row covers `date`.
    public func covers(_ date: CivilDate) -> Bool { start <= date && (end.map { date <= $0 } ?? true) }
}

/// `roster.csv`: who the payees are, their managers and plan assignments.
public struct RosterTable: Sendable {
    /// Distinct rep ids by ``RepIndex``.
    public let repIDs: [String]
    /// Accepted rows, in file order.
    public let rows: [RosterRow]
    /// Names of extra columns (`segment`, `region`, ...).
    public let attributeNames: [String]
    /// Row indexes per rep, in date order.
    public let rowsByRep: [[Int]]
    let lookup: ByteStringTable
    /// The reps whose ids read the same as another spelling (a rep "not on the roster" that is).
    let lookalikes: LookalikeIDs
    /// Reps with a rejected row (`--quarantine`): a date no accepted row of theirs covers may be
    /// one a rejected row did.
    public let repsWithRejectedRows: Set<RepIndex>

    /// `caseFolds`: the rep ids in lower case, indexed by ``RepIndex`` (``CaseFoldIndex``).
    init(
        repIDs: [String], rows: [RosterRow], attributeNames: [String], rowsByRep: [[Int]], lookup: ByteStringTable,
        caseFolds: CaseFoldIndex, repsWithRejectedRows: Set<RepIndex> = []
    ) {
        self.repIDs = repIDs
        self.rows = rows
        self.attributeNames = attributeNames
        self.rowsByRep = rowsByRep
        self.lookup = lookup
        self.lookalikes = LookalikeIDs(repIDs, caseFolds: caseFolds)
        self.repsWithRejectedRows = repsWithRejectedRows
    }

    /// The index of `repID`, or `nil` when it is not on the roster.
    public func index(of repID: String) -> RepIndex? {
        var bytes = Array(repID.utf8)
        let code = bytes.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return lookup.find(UnsafePointer(base), buffer.count)
        }
        return code < 0 ? nil : code
    }

    /// The roster row of `rep` that covers `date`.
    public func assignment(of rep: RepIndex, on date: CivilDate) -> RosterRow? {
        assignmentIndex(of: rep, on: date).map { rows[$0] }
    }

    /// The index in ``rows`` of `rep`'s row that covers `date`, without copying the row.
    public func assignmentIndex(of rep: RepIndex, on date: CivilDate) -> Int? {
        let indexes = rowsByRep[Int(rep)]
        // Rows are in start order and never overlap: a rep with many is searched (walked, it cost
        // each of that rep's transactions every row).
        if indexes.count > 8 {
            guard let found = lastIndex(in: indexes.indices, startsBy: { rows[indexes[$0]].start <= date }) else { return nil }
            let index = indexes[found]
            return rows[index].end.map { date <= $0 } ?? true ? index : nil
        }
        for index in indexes where rows[index].start <= date && (rows[index].end.map { date <= $0 } ?? true) {
            return index
        }
        return nil
    }
}

/// One row of `quotas.csv`.
public struct QuotaRow: Sendable, Hashable {
    /// The rep.
    public let rep: RepIndex
    /// The period the quota is for.
    public let period: Period
    /// The quota.
    public let amount: FixedDecimal
    /// The measure it applies to (`nil` = the plan's primary measure).
    public let measure: String?
    /// Line in the file.
    public let line: Int
}

/// `quotas.csv`: quotas by rep, period and measure.
public struct QuotaTable: Sendable {
    /// Accepted rows, in file order.
    public let rows: [QuotaRow]
    let index: QuotaRowIndex
    /// Codes of the measure names the rows give (an empty cell is ``QuotaRowIndex/primary``).
    let measureCodes: [String: Int32]

    init(rows: [QuotaRow] = [], index: QuotaRowIndex = QuotaRowIndex(expectedRows: 0), measureCodes: [String: Int32] = [:]) {
        self.rows = rows
        self.index = index
        self.measureCodes = measureCodes
    }

    struct QuotaKey: Hashable {
        let rep: RepIndex
        let period: Period
        let measure: String?

        func hash(into hasher: inout Hasher) {
            // The period's calendar is the same for every key of one table: leave it out.
            hasher.combine(rep)
            hasher.combine(period.firstMonth)
            hasher.combine(period.kind.months)
            if let measure { hasher.combine(measure) }
        }
    }

    /// Lines of rows rejected for their amount (or another field after the rep and period), by
    /// the rep, period and measure they name: the first of each.
    var rejectedLines: [QuotaKey: Int] = [:]

    /// The quota of `rep` for exactly `period` and `measure` (`nil` measure = the primary one).
    public func quota(rep: RepIndex, period: Period, measure: String? = nil) -> FixedDecimal? {
        let code: Int32
        if let measure {
            guard let known = measureCodes[measure] else { return nil }
            code = known
        } else {
            code = QuotaRowIndex.primary
        }
        guard let key = QuotaRowIndex.Key(rep: rep, period: period, measure: code) else { return nil }
        return index.find(key).map { rows[$0].amount }
    }

    /// The line of a rejected row for `rep`, `period` and `measure`, if one was (`--quarantine`
    /// runs without it: a quota missing there is that row's).
    public func rejectedLine(rep: RepIndex, period: Period, measure: String? = nil) -> Int? {
        rejectedLines.isEmpty ? nil : rejectedLines[QuotaKey(rep: rep, period: period, measure: measure)]
    }
}

/// The accepted rows of quotas.csv by rep, period and measure code: an open-addressing table of
/// row numbers, with each row's key beside it. A `Dictionary` keyed by rep, period and measure
/// name had cost about 70 bytes and a SipHash a row: 13.7 million rows (a million reps) took
/// gigabytes and seconds.
struct QuotaRowIndex: Sendable {
    /// A row's key: its rep, measure code, and period (first month and length). Quota periods
    /// are read as `YYYY`, `YYYY-Qn` or `YYYY-MM`: their months fit 32 bits.
    struct Key: Equatable, Sendable {
        let rep: Int32
        let measure: Int32
        let firstMonth: Int32
        let months: Int32

        init?(rep: RepIndex, period: Period, measure: Int32) {
            guard let firstMonth = Int32(exactly: period.firstMonth) else { return nil }
            self.rep = rep
            self.measure = measure
            self.firstMonth = firstMonth
            self.months = Int32(period.kind.months)
        }

        /// Mixes the fields (the table's slots are picked by the low bits).
        var hash: Int {
            var h = (UInt64(UInt32(bitPattern: rep)) << 32 | UInt64(UInt32(bitPattern: firstMonth))) &* 0x9E37_79B9_7F4A_7C15
            h ^= (UInt64(UInt32(bitPattern: measure)) << 8 | UInt64(UInt32(bitPattern: months))) &* 0xC2B2_AE3D_27D4_EB4F
            h ^= h >> 31
            h &*= 0xD6E8_FEB8_6659_FD93
            h ^= h >> 32
            return Int(truncatingIfNeeded: h)
        }
    }

    /// The measure code of an empty `measure` cell (the plan's primary measure).
    static let primary: Int32 = -1

    /// Row numbers (-1: empty), at most half full.
    private var slots: [Int32]
    /// Each row's key, by row number.
    private var keys: [Key] = []

    init(expectedRows: Int) {
        var capacity = 16
        while capacity < expectedRows * 2 { capacity <<= 1 }
        slots = [Int32](repeating: -1, count: capacity)
        keys.reserveCapacity(expectedRows)
    }

    /// The row with `key`, if there is one.
    func find(_ key: Key) -> Int? {
        let mask = slots.count - 1
        var slot = key.hash & mask
        while true {
            let row = slots[slot]
            if row < 0 { return nil }
            if keys[Int(row)] == key { return Int(row) }
            slot = (slot + 1) & mask
        }
    }

    /// Adds the next row with `key`, or returns the row that already has it (nothing is added).
    mutating func insert(_ key: Key) -> Int? {
        if (keys.count + 1) * 2 > slots.count { grow() }
        let mask = slots.count - 1
        var slot = key.hash & mask
        while true {
            let row = slots[slot]
            if row < 0 { break }
            if keys[Int(row)] == key { return Int(row) }
            slot = (slot + 1) & mask
        }
        slots[slot] = Int32(keys.count)
        keys.append(key)
        return nil
    }

    private mutating func grow() {
        var bigger = [Int32](repeating: -1, count: slots.count * 2)
        let mask = bigger.count - 1
        for (row, key) in keys.enumerated() {
            var slot = key.hash & mask
            while bigger[slot] >= 0 { slot = (slot + 1) & mask }
            bigger[slot] = Int32(row)
        }
        slots = bigger
    }
}

/// One row of `splits.csv`.
public struct SplitRow: Sendable, Hashable {
    /// The transaction row in ``TransactionTable``.
    public let transaction: Int32
    /// The rep credited.
    public let rep: RepIndex
    /// Fraction of the credit.
    public let share: FixedDecimal
    /// Line in the file.
    public let line: Int
}

/// `splits.csv`: credit splits between reps.
public struct SplitTable: Sendable {
    /// Accepted rows, in file order.
    public let rows: [SplitRow]
    /// Split rows per transaction row.
    public let byTransaction: [Int32: [Int]]
    /// Transaction rows that splits.csv names in rows it rejected (with `--quarantine`): who
    /// shares their credit is not known, so a `to splits` rule credits no one with them.
    public var refused: Set<Int32> = []
    /// Transaction rows whose shares add up to more than 1 (accepted only for a run with a `to
    /// splits overlay` rule), with their total: a plain `to splits` rule must not credit them.
    public var overlaid: [Int32: FixedDecimal] = [:]
}

/// The transaction row whose split rows share each row's credit: its own when splits.csv names it
/// (or names it in rejected rows), otherwise, for a reversal, that of the row it reverses, down
/// the chain: a reinstatement (a reversal of a reversal) is split like the deal (one step down,
/// the cancellation named no partners and the booking rep took all of it back). Each chain of
/// reversals is walked once: walked down from each of its links, a chain of 30,000 reversals took
/// 14 s to reconcile.
public struct SplitSources: Sendable {
    private let splits: SplitTable
    private let reversals: ReversalList
    /// Per reversal (parallel to ``ReversalList/rows``), the row whose split rows share its credit;
    /// empty when splits.csv names no row.
    private let sources: [Int32]

    /// The sources of `splits` over the chains of `reversals` (with the rows `splits` refuses as
    /// they are now).
    public init(_ splits: SplitTable, reversals: ReversalList) {
        self.splits = splits
        self.reversals = reversals
        // Without split rows, every chain shares from its deal (none kept: ``source(of:)`` reads the root).
        sources =
            splits.byTransaction.isEmpty && splits.refused.isEmpty
            ? []
            : reversals.resolvingChains(deal: { Int32($0) }) { position, above in
                let own = reversals.rows[position]
                // A row named in splits.csv is its own source; another shares its target's.
                return splits.byTransaction[own] != nil || splits.refused.contains(own) ? own : above
            }
    }

    /// The transaction row whose split rows share `row`'s credit.
    public func source(of row: Int) -> Int32 {
        let own = Int32(row)
        if splits.byTransaction[own] != nil || splits.refused.contains(own) { return own }
        guard let position = reversals.position(of: row) else { return own }
        return sources.isEmpty ? Int32(reversals.root(at: position)) : sources[position]
    }
}

/// One row of `fx.csv`.
public struct FXRate: Sendable, Hashable {
    /// The currency converted from.
    public let currency: Currency
    /// The month (`YYYY-MM`).
    public let month: Period
    /// Units of the base currency for one unit of `currency`.
    public let rate: FixedDecimal
    /// Line in the file.
    public let line: Int
}

/// `fx.csv`: monthly exchange rates into the base currency.
public struct FXTable: Sendable {
    /// The currency rates convert into.
    public let base: Currency
    /// Accepted rows, in file order.
    public let rates: [FXRate]
    let index: [FXKey: Int]
    /// The line of the first rejected row for a (currency, month) no accepted row has: a
    /// transaction then lacks a rate because that row was rejected.
    var rejectedLines: [FXKey: Int] = [:]
    /// The first rejected row of a currency whose month could not be read, by currency code, and
    /// of a month whose currency could not be, by month number: a transaction of that currency
    /// or month without a rate may lack it because of that row.
    var rejectedByCurrency: [String: Int] = [:]
    var rejectedByMonth: [Int: Int] = [:]
    /// The line of the first rejected row whose currency and month could not be read (nor is it a
    /// repeated header): a transaction without a rate may lack it because of that row.
    var unkeyedRejectedLine: Int? = nil

    struct FXKey: Hashable {
        let currency: String
        let month: Int
    }

    /// The line of a rejected fx.csv row for `currency` in `monthNumber`, if one was.
    public func rejectedLine(_ currency: Currency, monthNumber: Int) -> Int? {
        rejectedLines.isEmpty ? nil : rejectedLines[FXKey(currency: currency.code, month: monthNumber)]
    }

    /// Units of ``base`` per unit of `currency` in the month containing `monthNumber`; 1 for the base.
    public func rate(_ currency: Currency, monthNumber: Int) -> FixedDecimal? {
        if currency == base { return .one }
        return index[FXKey(currency: currency.code, month: monthNumber)].map { rates[$0].rate }
    }
}

/// Everything a run reads, validated: the accepted rows of every input file.
public struct LedgerData: Sendable {
    /// `transactions.csv`.
    public let transactions: TransactionTable
    /// `roster.csv`.
    public let roster: RosterTable
    /// `quotas.csv`.
    public let quotas: QuotaTable
    /// `splits.csv` (empty when absent).
    public let splits: SplitTable
    /// `fx.csv` (empty when absent).
    public let fx: FXTable
}
