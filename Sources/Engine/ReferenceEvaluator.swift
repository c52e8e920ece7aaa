import CompCore
import CompDiagnostics
import Dispatch
import Ledger
import PlanModel
import RunResults
import Synchronization

/// A straightforward, single-threaded evaluator of the plan model: the semantics everything
/// faster is checked against (STYLE.md G12, "differential"). It walks the expressions of
/// ``PlanModel/Plan`` per payee and period with exact decimals and produces payout lines,
/// measures and traces.
///
/// Supported: crediting (filters, amounts with fx, weights, the rep, split partners, managers up
/// n levels), measures (sum, count, min, max, average; period, QTD, YTD), quotas with actual-day
/// proration, derived values, rate tables (marginal, retroactive, per-transaction, interpolated;
/// amount or attainment tiers; gates), SPIFFs, conditional and graduated bonuses, MBO input
/// tables, manager overrides, caps and floors per period or year on components or the total,
/// draws, holdbacks, clawbacks (in the reversal's period, or charged back to the original period
/// within a window), and rounding rules.
public enum ReferenceEvaluator {
    /// Evaluates `plan` over every period the ledger covers, for every payee on the plan.
    ///
    /// Crediting runs once (a credit can go to another payee: split partners, managers); then the
    /// payees are cut into shards evaluated on `threads` threads, each shard writing only its own
    /// result slot, and the results are joined in payee order. The output is therefore the same
    /// for any thread count (tested byte for byte).
    ///
    /// With `compiled` false the plan is evaluated by the plain reference walk: per-transaction
    /// expressions walked as written, SPIFFs row by row, every credit kept and added up where a
    /// measure reads it. The tests hold the default, compiled path to it.
    public static func evaluate(
        _ plan: Plan, data: LedgerData, inputs: [String: InputTableValues] = [:], threads: Int = 1,
        compiled: Bool = true, runSpan: TransactionSpan? = nil, progress: (String) -> Void = { _ in }
    ) throws(EvaluationError) -> RunOutput {
        var parts: [RunOutput] = []
        let credited: [Bool]
        do {
            credited = try evaluate(
                plan, data: data, inputs: inputs, threads: threads, compiled: compiled, runSpan: runSpan, progress: progress
            ) {
                parts.append($0)
            }
        } catch {
            throw wrap(error)
        }
        progress("joining shards")
        var output = RunOutput()
        output.payouts.reserveCapacity(parts.reduce(0) { $0 + $1.payouts.count })
        output.measures.reserveCapacity(parts.reduce(0) { $0 + $1.measures.count })
        output.traces.reserveCapacity(parts.reduce(0) { $0 + $1.traces.count })
        for part in parts { output.append(part) }
        output.credited = credited
        return output
    }

    /// What stops a run of `plan` over `data` before any payee is evaluated (a ledger whose dates
    /// span more periods than a run computes, a plan paying in another currency than the one the
    /// data was converted into), as the run would say it; `nil` when nothing does. `runSpan` as a
    /// run passes it (``runSpan(of:data:threads:)``). For `comp validate --plans`, which had
    /// called valid data that every run then refused.
    public static func startProblem(of plan: Plan, data: LedgerData, runSpan: TransactionSpan? = nil, threads: Int = 1) -> EvaluationError? {
        do {
            _ = try PlanEvaluation(plan: plan, data: data, inputs: [:], runSpan: runSpan, requiringInputs: false, threads: threads)
            return nil
        } catch {
            return wrap(error)
        }
    }

    /// Why the environment's `COMP_MAX_CREDITS` cannot be used, or `nil` (unset, or a whole
    /// number above 0). A run refuses to start with it.
    public static var creditLimitProblem: String? { CreditTable.creditsSetProblem }

    /// The span of every plan of a run (the union of each plan's ``TransactionSpan``), to pass as
    /// `runSpan` when a run evaluates several plans over one ledger: every payee then gets the
    /// same periods. `nil` for one plan (its own span is used) or when no plan has a transaction.
    /// The ledger is read on up to `threads` threads (the result is the same for any).
    public static func runSpan(of plans: [Plan], data: LedgerData, threads: Int = 1) -> TransactionSpan? {
        guard plans.count > 1 else { return nil }
        var joined: TransactionSpan? = nil
        for plan in plans {
            guard let span = PlanEvaluation.transactionSpan(of: plan, data: data, threads: threads) else { continue }
            joined = joined?.union(span) ?? span
        }
        return joined
    }

    /// Evaluates `plan` like ``evaluate(_:data:inputs:threads:compiled:progress:)``, handing each
    /// shard's output (payees in order; trace indexes are the part's own) to `consume` on the
    /// calling thread as soon as it and every shard before it are done, while later shards are
    /// still being evaluated: a caller can store results as they come. Returns, per ledger row,
    /// whether some payee was credited by it. An error of `consume` stops the evaluation and is
    /// rethrown; evaluation errors are ``EvaluationError``s.
    public static func evaluate(
        _ plan: Plan, data: LedgerData, inputs: [String: InputTableValues] = [:], threads: Int = 1,
        compiled: Bool = true, runSpan: TransactionSpan? = nil, progress: (String) -> Void = { _ in },
        consume: (RunOutput) throws -> Void
    ) throws -> [Bool] {
        var credited: [Bool] = []
        try evaluate(
            plan, data: data, inputs: inputs, threads: threads, compiled: compiled, runSpan: runSpan, marking: &credited, progress: progress,
            consume: consume)
        return credited
    }

    /// ``evaluate(_:data:inputs:threads:compiled:runSpan:progress:consume:)`` marking the rows
    /// this plan credits in `credited`, a flag per ledger row (made, all false, when it has
    /// another count): a run of several plans passes the same flags to each, so a row credited by
    /// any is marked once (each plan had made, filled and merged a flag per row of the ledger).
    public static func evaluate(
        _ plan: Plan, data: LedgerData, inputs: [String: InputTableValues] = [:], threads: Int = 1,
        compiled: Bool = true, runSpan: TransactionSpan? = nil, marking credited: inout [Bool], progress: (String) -> Void = { _ in },
        consume: (RunOutput) throws -> Void
    ) throws {
        progress("indexing")
        let snapshot: EvaluationSnapshot
        do {
            // Credit in parallel by source rep: each shard credits its reps' transactions into its own
            // buffers; the buffers are joined in shard order. Sums, counts, minima and maxima do not
            // depend on the order of credits, and traces sort their rows, so neither does the output.
            let prototype = try PlanEvaluation(plan: plan, data: data, inputs: inputs, compiling: compiled, runSpan: runSpan, threads: threads)
            let empty = prototype.snapshot
            progress("crediting")
            // Rows are credited in file order, in contiguous ranges: walking them rep by rep read the
            // columns at random (a cache miss per row).
            let rowCount = data.transactions.count
            let groups = plan.creditRules.count * empty.payees.count * empty.periods.count
            // A plan that only sums and counts its credits keeps, per shard, each group's partial sum
            // and count instead of every credit's value (``CreditTable/summed``), when those fit the
            // budget. The shards are then a fixed number, whatever the threads: partial sums are
            // exact, but where a sum overflows must not depend on the thread count.
            let summing = compiled && PlanEvaluation.creditsAreSummed(plan)
                && CreditTable.summingShards * groups * CreditTable.summingBytesPerGroup <= CreditTable.summingBudget
            let creditShards = max(1, min(rowCount, summing ? CreditTable.summingShards : max(1, threads) * 4))
            if max(groups, empty.compiled.spiffComponents.count * empty.payees.count * empty.periods.count) > CreditTable.maximumGroups {
                throw EvaluationError(
                    rep: nil, period: nil, what: "plan \(plan.id)",
                    message: "\(plan.creditRules.count) credit rules × \(empty.payees.count) payees × \(empty.periods.count) periods is more than this engine can hold; split the plan",
                    source: nil)
            }
            let spiffGroups = empty.compiled.spiffComponents.count * empty.payees.count * empty.periods.count
            if credited.count != rowCount {
                credited = [Bool](unsafeUninitializedCapacity: rowCount) { flags, count in
                    // Every page is written: mapped at once (``populatePages(_:forWriting:)``).
                    populatePages(UnsafeRawBufferPointer(flags))
                    flags.initialize(repeating: false)
                    count = rowCount
                }
            }
            let counter = CreditCounter()
            let parts: [Result<CreditShard, EvaluationError>] = credited.withUnsafeMutableBufferPointer { flags in
                // Invariant: a shard writes the flags of its own rows only (the ranges are disjoint).
                nonisolated(unsafe) let flags = flags
                return parallelMap(creditShards, threads: max(1, threads)) { shard in
                    let evaluator = PlanEvaluation(snapshot: empty)
                    evaluator.creditedFlags = flags
                    // The credits the run may keep, counted over every shard: whether a run is
                    // refused depends on its total only (a share per shard had refused a run whose
                    // credits bunched in one range of rows, and at one thread count, not another).
                    evaluator.creditLimit = CreditTable.maximumCredits(summed: summing)
                    evaluator.creditCounter = counter
                    do {
                        let rows = (rowCount * shard / creditShards)..<(rowCount * (shard + 1) / creditShards)
                        try evaluator.credit(rows: rows, summingGroups: summing ? groups : nil)
                        return .success(
                            CreditShard(
                                credits: evaluator.shardCredits, creditGroups: evaluator.shardGroups, summed: evaluator.shardSums,
                                lateCredits: evaluator.lateCredits, spiffHits: evaluator.shardSpiffHits,
                                spiffHitGroups: evaluator.shardSpiffGroups, spiffFallback: Array(evaluator.spiffFallback),
                                splitConflicts: evaluator.splitConflicts, splitConflictsCut: evaluator.splitConflictsCut))
                    } catch let error as EvaluationError {
                        return .failure(error)
                    } catch {
                        return .failure(evaluator.failure(String(describing: error), what: "crediting"))
                    }
                }
            }
            progress("merging credits")
            var creditParts: [[Credit]] = []
            var creditGroupParts: [[UInt32]] = []
            var summedParts: [SummedCredits] = []
            var spiffParts: [[Credit]] = []
            var spiffGroupParts: [[UInt32]] = []
            var lateCredits = plan.creditRules.map { _ in empty.payees.map { _ in [LateCredit]() } }
            // Every shard's split conflicts, in row order, each transaction and rule once (a deal and
            // its reversal name the same transaction).
            // A shard that failed outright (an overflow, a division by zero) is said first: the
            // first such shard holds the first such row, whatever the shards. Conflicts only then.
            for part in parts { if case .failure(let error) = part { throw error } }
            // Each conflict at its first place over every shard, in (row, rule) order.
            var firstPlaces: [String: (key: SplitConflictKey, error: EvaluationError)] = [:]
            var conflictsCut = false
            for part in parts {
                guard case .success(let part) = part else { continue }
                // A shard cut its list only past a hundred distinct ones: the run has more.
                conflictsCut = conflictsCut || part.splitConflictsCut
                for conflict in part.splitConflicts where firstPlaces[conflict.identity].map({ conflict.key < $0.key }) ?? true {
                    firstPlaces[conflict.identity] = (conflict.key, conflict.error)
                }
            }
            let conflicts = firstPlaces.values.sorted { $0.key < $1.key }.map(\.error)
            if !conflicts.isEmpty {
                let listed = Array(conflicts.prefix(PlanEvaluation.listedPayeeFailures))
                var error = EvaluationError(listing: listed, complete: !conflictsCut && listed.count == conflicts.count)
                // One per transaction and rule.
                error.listedKind = "credits"
                throw error
            }
            for part in parts {
                switch part {
                case .failure(let error): throw error
                case .success(let part):
                    let partLate = part.lateCredits
                    creditParts.append(part.credits)
                    creditGroupParts.append(part.creditGroups)
                    if let summed = part.summed { summedParts.append(summed) }
                    spiffParts.append(part.spiffHits)
                    spiffGroupParts.append(part.spiffHitGroups)
                    prototype.spiffFallback.formUnion(part.spiffFallback)
                    for rule in lateCredits.indices {
                        for payee in lateCredits[rule].indices where !partLate[rule][payee].isEmpty {
                            lateCredits[rule][payee] += partLate[rule][payee]
                        }
                    }
                }
            }
            if summing {
                prototype.credits = CreditTable(
                    payees: empty.payees.count, periods: empty.periods.count, groups: groups, summing: summedParts,
                    partGroups: creditGroupParts, threads: threads)
            } else {
                prototype.credits = CreditTable(
                    payees: empty.payees.count, periods: empty.periods.count, groups: groups, parts: creditParts,
                    partGroups: creditGroupParts, threads: threads)
            }
            prototype.spiffHits = CreditTable(
                payees: empty.payees.count, periods: empty.periods.count, groups: spiffGroups, parts: spiffParts,
                partGroups: spiffGroupParts, threads: threads)
            let hasSpiffs = plan.components.contains { if case .spiff = $0.body { return true } else { return false } }
            if hasSpiffs && (!compiled || !prototype.spiffFallback.isEmpty) {
                prototype.rowsByRep = data.transactions.rowsByRep(repCount: data.roster.repIDs.count)
            }
            // By original period (then row and level): a window's or a restated period's late
            // credits are found by binary search, not by a walk over all of the payee's (a payee
            // with thousands, over a long ledger, had each measure of each period walk them all).
            for rule in lateCredits.indices {
                for payee in lateCredits[rule].indices where lateCredits[rule][payee].count > 1 {
                    lateCredits[rule][payee].sort { ($0.original, $0.credit.row, $0.credit.level) < ($1.original, $1.credit.row, $1.credit.level) }
                }
            }
            prototype.lateCredits = lateCredits
            snapshot = prototype.snapshot
        } catch {
            throw wrap(error)
        }
        progress("evaluating payees")
        let payees = snapshot.payees.count
        // Small shards: the shards still being stored when the last one is evaluated are the
        // run's tail, stored on one core while the other waits (at 8 a thread, about 0.3 s of a
        // 10M-transaction run; at 32, about 0.1 s). A shard costs an evaluator's setup (about
        // 250,000 instructions), so their number is bounded for a run given many threads.
        let shards = max(1, min(payees, max(1, threads) * 32, max(4096, threads)))
        // At most a shard per thread and one more run ahead of the consumer: when storing is slower
        // than evaluating (many payees, few transactions), finished shards no longer pile up in
        // memory (each holds thousands of lines and traces).
        let slots = OrderedSlots<Result<(RunOutput, [EvaluationError], [Int32]), EvaluationError>>(count: shards, window: max(1, threads) + 1)
        // The shards run on Dispatch's threads; this thread takes their outputs in order.
        DispatchQueue.global().async {
            _ = parallelMap(shards, threads: max(1, threads), gate: slots.gate) { shard -> Int in
                if slots.isCancelled {
                    slots.put(shard, .success((RunOutput(), [], [])))
                    return 0
                }
                let range = (payees * shard / shards)..<(payees * (shard + 1) / shards)
                let evaluator = PlanEvaluation(snapshot: snapshot)
                do {
                    let part = try evaluator.evaluate(payees: range)
                    slots.put(shard, .success((part, evaluator.payeeFailures, evaluator.spiffRows)))
                } catch let error as EvaluationError {
                    slots.put(shard, .failure(error))
                } catch {
                    // Arithmetic failures (overflow) get the rep, period and value being evaluated.
                    slots.put(shard, .failure(evaluator.failure(String(describing: error), what: evaluator.evaluatingName)))
                }
                return 0
            }
        }
        do {
            // Payees that failed, in payee order: once one has, nothing more is consumed (the run
            // fails), but every payee is still evaluated, so the run says every different failure
            // (a plan failing for every payee, and one rep's bad quota row besides) and how many
            // payees failed each way.
            var failures = PayeeFailureList()
            for shard in 0..<shards {
                switch slots.take(shard) {
                case .failure(let error)?:
                    // A shard that failed as a whole (not one of its payees).
                    if failures.isEmpty { throw error }
                    throw failures.error(endedBy: error)
                case .success(let (part, partFailures, spiffRows))?:
                    if failures.isEmpty && partFailures.isEmpty { try consume(part) }
                    for row in spiffRows where Int(row) < credited.count { credited[Int(row)] = true }
                    for failure in partFailures { failures.add(failure) }
                case nil:
                    throw EvaluationError(rep: nil, period: nil, what: nil, message: "shard \(shard) of \(shards) gave no result", source: nil)
                }
            }
            if !failures.isEmpty { throw failures.error }
        } catch {
            // Stop the shards not started yet, and wait for the running ones to finish.
            slots.cancel()
            slots.drain()
            throw error
        }
    }

    static func wrap(_ error: any Error) -> EvaluationError {
        if let error = error as? EvaluationError { return error }
        return EvaluationError(rep: nil, period: nil, what: nil, message: String(describing: error), source: nil)
    }
}

/// Quota amounts by rep, period and measure: each rep's rows side by side, found by a short scan
/// (a hashed lookup into one table of every rep's rows missed the cache on most payee-periods).
struct QuotaIndex: Sendable {
    /// One quotas.csv row: its period (first month and length, whatever calendar labelled it),
    /// measure code and amount.
    private struct Entry: Sendable {
        let firstMonth: Int32
        let months: Int32
        let measure: Int32
        let amount: FixedDecimal
        let line: Int32
    }

    /// Code of a measure name in quotas.csv; an empty `measure` cell (the plan's primary
    /// measure) is `primary`, a name no row has is `absent`.
    private let codes: [String: Int32]
    /// Rep `r`'s rows are `entries[starts[r]..<starts[r + 1]]`, in file order.
    private let starts: [Int32]
    private let entries: [Entry]
    static let primary: Int32 = -1
    static let absent: Int32 = -2

    init(_ rows: [QuotaRow]) {
        var codes: [String: Int32] = [:]
        let repCount = (rows.map { Int($0.rep) }.max() ?? -1) + 1
        var starts = [Int32](repeating: 0, count: repCount + 1)
        for row in rows { starts[Int(row.rep) + 1] += 1 }
        for rep in 0..<repCount { starts[rep + 1] += starts[rep] }
        var cursor = starts
        var entries = [Entry](repeating: Entry(firstMonth: 0, months: 0, measure: 0, amount: .zero, line: 0), count: rows.count)
        for row in rows {
            var code = Self.primary
            if let name = row.measure {
                code = codes[name] ?? Int32(codes.count)
                codes[name] = code
            }
            entries[Int(cursor[Int(row.rep)])] = Entry(
                firstMonth: Int32(row.period.firstMonth), months: Int32(row.period.kind.months), measure: code, amount: row.amount,
                line: Int32(clamping: row.line))
            cursor[Int(row.rep)] += 1
        }
        self.codes = codes
        self.starts = starts
        self.entries = entries
    }

    /// The code of a measure name (``absent`` when no row names it).
    func code(of measure: String) -> Int32 { codes[measure] ?? Self.absent }

    /// `rep`'s rows for `period` that name a measure other than those in `known`: their lines and
    /// measure names, in file order (a misspelt measure, `Bookings` for `bookings`).
    func otherMeasures(rep: RepIndex, period: Period, known: Set<String>) -> [(line: Int, measure: String)] {
        guard Int(rep) + 1 < starts.count else { return [] }
        let firstMonth = Int32(period.firstMonth)
        let months = Int32(period.kind.months)
        var names: [Int32: String] = [:]
        for (name, code) in codes where !known.contains(name) { names[code] = name }
        return entries[Int(starts[Int(rep)])..<Int(starts[Int(rep) + 1])].compactMap { entry in
            guard entry.firstMonth == firstMonth, entry.months == months, let name = names[entry.measure] else { return nil }
            return (Int(entry.line), name)
        }
    }

    /// The lines of `rep`'s two rows for `period` when one names `measure` and the other leaves
    /// the measure empty (the plan's first measure, which `measure` is): the same quota twice.
    func conflict(rep: RepIndex, period: Period, measure: Int32) -> (named: Int, empty: Int)? {
        guard measure >= 0, Int(rep) + 1 < starts.count else { return nil }
        let firstMonth = Int32(period.firstMonth)
        let months = Int32(period.kind.months)
        var named: Int32? = nil
        var empty: Int32? = nil
        for entry in entries[Int(starts[Int(rep)])..<Int(starts[Int(rep) + 1])] where entry.firstMonth == firstMonth && entry.months == months {
            if entry.measure == measure { named = entry.line }
            if entry.measure == Self.primary { empty = entry.line }
        }
        guard let named, let empty else { return nil }
        return (Int(named), Int(empty))
    }

    /// The amount of `rep`'s row for `period` and `measure`; of several such rows, the last.
    func amount(rep: RepIndex, period: Period, measure: Int32) -> FixedDecimal? {
        guard measure != Self.absent, Int(rep) + 1 < starts.count else { return nil }
        let firstMonth = Int32(period.firstMonth)
        let months = Int32(period.kind.months)
        var index = Int(starts[Int(rep) + 1])
        let first = Int(starts[Int(rep)])
        while index > first {
            index -= 1
            let entry = entries[index]
            if entry.firstMonth == firstMonth && entry.months == months && entry.measure == measure { return entry.amount }
        }
        return nil
    }
}

/// The immutable state of a plan evaluation after crediting, shared by every shard.
struct EvaluationSnapshot: Sendable {
    let plan: Plan
    let data: LedgerData
    let payees: [RepIndex]
    let periods: [Period]
    let addedBy: [String?]
    let credits: CreditTable
    let rowsByRep: (starts: [Int], rows: [Int32])
    let sources: [SourceFile?]
    let quotaIndex: QuotaIndex
    /// Per plan quota, its measure's code in `quotaIndex`.
    let quotaCodes: [Int32]
    let inputs: [String: InputTableValues]
    let lateCredits: [[[LateCredit]]]
    let reversalBits: ReversalBits
    let cancellationBits: ReversalBits
    let chargeBackChains: ChargeBackChains?
    let splitSources: SplitSources
    let compiled: CompiledRows
    let months: MonthTable
    let spiffHits: CreditTable
    let spiffFallback: Set<Int>
    let assignments: AssignmentTable
}

/// The roster's assignments in flat arrays, for the pass over the rows: reading a `RosterRow`
/// (names, plan, attributes) per transaction cost retains and a string compare.
struct AssignmentTable: Sendable {
    /// Entries of rep `r` are `starts[r]..<starts[r + 1]`, in date order.
    let starts: [Int32]
    /// Per entry: the roster row, its first and last day (inclusive), whether it is on the plan, and
    /// the manager's rep index (-1: none).
    let rosterRow: [Int32]
    let first: [Int32]
    let last: [Int32]
    let onPlan: [Bool]
    let manager: [Int32]

    init(roster: RosterTable, plan: String) {
        var starts: [Int32] = [0]
        var rosterRow: [Int32] = []
        var first: [Int32] = []
        var last: [Int32] = []
        var onPlan: [Bool] = []
        var manager: [Int32] = []
        for indexes in roster.rowsByRep {
            for index in indexes {
                let row = roster.rows[index]
                rosterRow.append(Int32(index))
                first.append(row.start.daysSinceEpoch)
                last.append(row.end?.daysSinceEpoch ?? Int32.max)
                onPlan.append(row.plan == plan)
                manager.append(row.manager.map { Int32($0) } ?? -1)
            }
            starts.append(Int32(rosterRow.count))
        }
        self.starts = starts
        self.rosterRow = rosterRow
        self.first = first
        self.last = last
        self.onPlan = onPlan
        self.manager = manager
    }

    /// The entry of `rep` covering `date` (the same row as ``RosterTable/assignmentIndex(of:on:)``).
    @inline(__always)
    func entry(of rep: RepIndex, on date: CivilDate) -> Int? {
        let day = date.daysSinceEpoch
        var entry = Int(starts[Int(rep)])
        let end = Int(starts[Int(rep) + 1])
        // A rep with many rows (a plan change a week for years) is searched: the rows are in date
        // order and never overlap.
        if end - entry > 8 {
            guard let found = lastIndex(in: entry..<end, startsBy: { first[$0] <= day }) else { return nil }
            return day <= last[found] ? found : nil
        }
        while entry < end {
            if first[entry] <= day && day <= last[entry] { return entry }
            entry += 1
        }
        return nil
    }
}


/// Which run period a month falls in: periods of `monthsPerPeriod` months from `firstMonth`.
struct RunPeriodIndex: Sendable {
    let firstMonth: Int
    let monthsPerPeriod: Int
    let count: Int

    @inline(__always)
    func period(ofMonth month: Int) -> Int? {
        guard count > 0, month >= firstMonth else { return nil }
        // Monthly plans (most) skip the division: crediting asks once a row.
        let index = monthsPerPeriod == 1 ? month - firstMonth : (month - firstMonth) / monthsPerPeriod
        return index < count ? index : nil
    }
}

/// Month numbers by day over the ledger's span, and fx rates by currency and month, so that the
/// pass over the rows converts no dates and hashes no keys.
struct MonthTable: Sendable {
    /// Day number (days since the epoch) of `byDay[0]`.
    var firstDay = 0
    var byDay: [Int32] = []
    /// First month number of the span and the number of months.
    var firstMonth = 0
    var count = 0
    /// `fx[currency × count + month − firstMonth]`: the rate into the plan currency, when fx.csv has one.
    var fx: [WideDecimal?] = []

    init() {}

    /// The month number of `date` (a table lookup inside the ledger's span).
    @inline(__always)
    func month(of date: CivilDate) -> Int {
        let day = Int(date.daysSinceEpoch) - firstDay
        return day >= 0 && day < byDay.count ? Int(byDay[day]) : date.monthNumber
    }

    /// The rate into the plan currency of currency `code` in `month`, when the table has it.
    @inline(__always)
    func rate(currency code: Int, month: Int) -> WideDecimal? {
        let offset = month - firstMonth
        guard offset >= 0, offset < count else { return nil }
        return fx[code * count + offset]
    }

    init(transactions: TransactionTable, fx table: FXTable) {
        guard transactions.count > 0 else { return }
        var low = Int32.max
        var high = Int32.min
        transactions.dates.withUnsafeBufferPointer { dates in
            for date in dates {
                low = min(low, date.daysSinceEpoch)
                high = max(high, date.daysSinceEpoch)
            }
        }
        // A span of centuries (a mistyped year) is not tabulated; lookups then compute the month.
        guard Int(high) - Int(low) < 200_000 else { return }
        let first = CivilDate(daysSinceEpoch: low).monthNumber
        let last = CivilDate(daysSinceEpoch: high).monthNumber
        firstDay = Int(low)
        byDay = (low...high).map { Int32(CivilDate(daysSinceEpoch: $0).monthNumber) }
        firstMonth = first
        count = last - first + 1
        self.fx = transactions.currencies.flatMap { currency in
            (first...last).map { month in table.rate(currency, monthNumber: month).map { Exact.trim(WideDecimal($0)) } }
        }
    }
}

/// The per-transaction expressions of a plan, compiled once (see ``RowExpr``).
struct CompiledRows: Sendable {
    var filters: [RowExpr?] = []
    var amounts: [RowExpr] = []
    var weights: [RowExpr?] = []
    /// Per component: a SPIFF's filter and payout amount (or rate).
    /// SPIFFs by slot.
    var spiffs: [CompiledSpiff] = []
    /// Per credit rule: its fast form, when it has one.
    var fastRules: [FastCreditRule?] = []
    /// SPIFF components in order (by slot), and each one's slot.
    var spiffComponents: [Int] = []
    var spiffSlots: [Int: Int] = [:]
}

/// A SPIFF's per-row test and payout, compiled.
final class CompiledSpiff: Sendable {
    enum Payout: Sendable {
        case perUnit, perDeal, percentOfAmount, tieredByCount
    }

    let window: DateRange
    let byEffectiveDate: Bool
    let filter: RowExpr?
    /// The per-unit or per-deal amount, or the rate of a percentage; `.constant(.missing)` when tiered.
    let amount: RowExpr
    let payout: Payout
    /// Where the amount is written (for the error when it has no value).
    let amountSpan: SourceSpan?

    init(window: DateRange, byEffectiveDate: Bool, filter: RowExpr?, amount: RowExpr, payout: Payout, amountSpan: SourceSpan?) {
        self.window = window
        self.byEffectiveDate = byEffectiveDate
        self.filter = filter
        self.amount = amount
        self.payout = payout
        self.amountSpan = amountSpan
    }
}

/// What one crediting shard produced.
struct CreditShard: Sendable {
    /// The credits (none when they are summed).
    var credits: [Credit]
    /// Each credit's (rule, payee, period) group, parallel to `credits` or to `summed.rows`.
    var creditGroups: [UInt32]
    /// When the plan's credits are summed: their rows, and per group their partial sum and count.
    var summed: SummedCredits?
    var lateCredits: [[[LateCredit]]]
    var spiffHits: [Credit]
    var spiffHitGroups: [UInt32]
    var spiffFallback: [Int]
    var splitConflicts: [(key: SplitConflictKey, identity: String, error: EvaluationError)]
    var splitConflictsCut: Bool
}

/// Where a split conflict is first met: its row, then its rule's place in the plan.
struct SplitConflictKey: Comparable, Sendable {
    let row: Int
    let rule: Int
    static func < (a: Self, b: Self) -> Bool { (a.row, a.rule) < (b.row, b.rule) }
}

/// One crediting shard's credits of a plan that only sums and counts them: each credit's row (in
/// row order, with its group in ``CreditShard/creditGroups``), and per group the exact sum of the
/// values and the count, a reversal counting −1. A group whose sum overflowed is listed instead.
struct SummedCredits: Sendable {
    var rows: [Int32] = []
    var totals: [GroupTotal]
    var overflowed: [Int] = []

    init(rows: [Int32], totals: [GroupTotal]) {
        self.rows = rows
        self.totals = totals
    }
}

/// A group's exact sum of credits and its count (a reversal counts −1), side by side: adding a
/// credit, made in random group order, then touches one cache line (two arrays cost two misses).
struct GroupTotal: Sendable {
    var sum = WideDecimal.zero
    var count: Int32 = 0

    /// Adds one credit; false when the sum overflows (the sum is then left as it was, the group is
    /// marked by the caller, and the count still counts the credit).
    @inline(__always)
    mutating func add(_ value: WideDecimal, cancels: Bool) -> Bool {
        count &+= cancels ? -1 : 1
        if sum.scale == value.scale {
            let (next, overflow) = sum.value.addingReportingOverflow(value.value)
            if overflow { return false }
            sum = WideDecimal(value: next, scale: sum.scale)
        } else {
            guard let next = try? sum.adding(value) else { return false }
            sum = next
        }
        return true
    }
}

/// A reversal's credit charged back to the period of the transaction it reverses.
struct LateCredit: Sendable {
    let credit: Credit
    /// Run period of the original transaction.
    let original: Int
    /// Run period of the reversal (where the adjustment is paid).
    let reversal: Int
}

/// What a component's trace says beyond its rule and source.
struct TraceNote {
    /// Ledger rows that fed the line when they are not simply its credit rules' credits (SPIFFs).
    var rows: [Int32]? = nil
    var rule: String? = nil
    var tier: String? = nil
    var rate: String? = nil
    var base: String? = nil
    var limit: String? = nil
    /// The table whose trace `rule`, `tier`, `rate` and `base` hold, when they hold a table's.
    var table: String? = nil
    /// The let that table was read through, if any (the innermost, for a let of a let).
    var tableVia: Int? = nil
    /// Tables read before that one while the component was evaluated (a formula reading several
    /// tables shows each, in the order it read them; the last alone had been shown).
    var earlierTables: [TableNote] = []
    /// The lets whose tables are in this trace (each once, however often it is read).
    var lets: [Int] = []
    /// Input-table values the formula read (`mbo_score 0.8 (mbo.csv line 5)`), each once.
    var inputs: [String] = []

    /// The table trace held now, if the fields hold one.
    var currentTable: TableNote? {
        guard let table, let rule else { return nil }
        return TableNote(table: table, rule: rule, tier: tier, rate: rate, base: base, via: tableVia)
    }

    /// Every table trace noted, in the order the tables were read.
    var tableParts: [TableNote] { earlierTables + (currentTable.map { [$0] } ?? []) }

    /// Keeps the table trace held so far in ``earlierTables``, before the next table's is written.
    mutating func keepTableNote() {
        if let currentTable { earlierTables.append(currentTable) }
    }

    /// Notes `part` after the table traces held so far.
    mutating func addTable(_ part: TableNote) {
        keepTableNote()
        (table, tableVia, rule, tier, rate, base) = (part.table, part.via, part.rule, part.tier, part.rate, part.base)
    }
}

/// One table's part of a component's trace (``TraceNote/earlierTables``).
struct TableNote {
    let table: String
    let rule: String
    let tier: String?
    let rate: String?
    let base: String?
    /// The let it was read through, if any.
    let via: Int?
}

/// One credit: its exact value in the plan currency and the ledger row it came from, in 24
/// bytes (ten million of them are a run's largest table): the value's 128 bits as two words, the
/// row, and the scale and roll-up level packed in one word.
struct Credit: Sendable {
    private let low: UInt64
    private let high: Int64
    let row: Int32
    /// The scale in the low 8 bits, the level above them.
    private let packed: UInt32

    /// The deepest roll-up level a credit can carry.
    static let maximumLevel: Int32 = (1 << 24) - 1

    /// `level` must be at most ``maximumLevel`` (crediting checks it).
    init(value: WideDecimal, row: Int32, level: Int32 = 0) {
        low = UInt64(truncatingIfNeeded: value.value)
        high = Int64(truncatingIfNeeded: value.value >> 64)
        self.row = row
        packed = UInt32(truncatingIfNeeded: value.scale) & 0xFF | UInt32(truncatingIfNeeded: level) << 8
    }

    var value: WideDecimal { WideDecimal(value: Int128(high) << 64 | Int128(low), scale: Int(packed & 0xFF)) }

    /// 0 for the payee's own (or split) credit; k for a credit rolled up from k levels below.
    var level: Int32 { Int32(packed >> 8) }
}

/// A plan's credits grouped by rule, payee and period, each group in ledger row order, in one
/// flat array (a small array per group cost an allocation and a cache miss per append).
///
/// A *summed* table (``init(payees:periods:groups:summing:partGroups:threads:)``) keeps only each
/// credit's row, with each group's exact sum and signed count: all that a plan reads which only
/// sums, counts and averages its credits. At ten million credits that is 40 MB of rows instead of
/// 240 MB of credits (and the shards' 200 MB of values before them), and a measure reads one sum
/// instead of adding up its credits again.
struct CreditTable: Sendable {
    let payees: Int
    let periods: Int
    /// Group `g` is `credits[starts[g]..<starts[g + 1]]` (`rows[…]` in a summed table).
    let starts: [Int]
    /// The credits; empty in a summed table.
    let credits: [Credit]
    /// A summed table's rows, and per group the exact sum of the values and the count (a reversal
    /// counts −1); empty in a full table.
    let rows: [Int32]
    let sums: [WideDecimal]
    let signedCounts: [Int]
    /// Groups of a summed table whose sum overflowed.
    let overflowed: Set<Int>
    let isSummed: Bool

    /// The most groups a table may have (a group number is stored in 32 bits).
    static let maximumGroups = Int(UInt32.max)
    /// Crediting shards of a plan whose credits are summed, and what their partial sums may take.
    static let summingShards = 8
    static let summingBytesPerGroup = MemoryLayout<GroupTotal>.stride
    static let summingBudget = 128 << 20
    /// What one credit costs in memory from crediting through merging (its value, row and group,
    /// and the placed copy), measured at about 55 bytes kept, twice that at the merge's peak.
    static let bytesPerCredit = 110
    /// A summed table keeps a credit's row only (4 bytes, with the merge's copy and slack).
    static let bytesPerSummedCredit = 16
    /// The most credits a run keeps: what 60% of the machine's memory holds. A plan whose credit
    /// rules make more (100 rules over 1M rows, each row credited by each) is stopped with a
    /// message; it had run the machine out of memory and been killed.
    /// `COMP_MAX_CREDITS` sets the most credits instead (to bound a run's memory below the
    /// machine's, or in tests).
    static func maximumCredits(summed: Bool) -> Int {
        creditsSet ?? memoryForCredits / (summed ? bytesPerSummedCredit : bytesPerCredit)
    }
    static var creditsSet: Int? { creditsSetting.limit }
    /// Why `COMP_MAX_CREDITS` cannot be read, when it is set to something other than a whole
    /// number above 0 (it had been ignored without a word); empty is unset.
    static var creditsSetProblem: String? { creditsSetting.problem }
    private static let creditsSetting: (limit: Int?, problem: String?) = {
        guard let raw = getenv("COMP_MAX_CREDITS") else { return (nil, nil) }
        let text = String(cString: raw)
        if text.isEmpty { return (nil, nil) }
        if let value = Int(text), value > 0 { return (value, nil) }
        let shown = "COMP_MAX_CREDITS=\"" + TerminalText.safe(text) + "\""
        if text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            return (nil, "\(shown) is more than this machine counts to (\(Int.max)); give a smaller whole number, or unset it")
        }
        return (nil, "\(shown): give a whole number above 0 (the most credits a run keeps), or unset it")
    }()
    /// The memory credits may take: 60% of the machine's.
    private static let memoryForCredits: Int = {
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let size = sysconf(Int32(_SC_PAGESIZE))
        let memory = pages > 0 && size > 0 ? pages.multipliedReportingOverflow(by: size) : (partialValue: 0, overflow: true)
        let bytes = memory.overflow || memory.partialValue <= 0 ? 8 << 30 : memory.partialValue
        return max(1 << 30, bytes / 10 * 6)
    }()

    init(payees: Int, periods: Int, starts: [Int] = [0], credits: [Credit] = []) {
        self.payees = payees
        self.periods = periods
        self.starts = starts
        self.credits = credits
        rows = []
        sums = []
        signedCounts = []
        overflowed = []
        isSummed = false
    }

    /// Groups are numbered by rule, then period, then payee: the ledger is in date order, so a
    /// stretch of rows credits one or two periods, and the groups it reaches (totals, placing
    /// cursors) are one period's payees side by side. Numbered by payee, then period, the same
    /// stretch reached a cache line per group over all periods' span.
    @inline(__always)
    func group(rule: Int, payee: Int, period: Int) -> Int { Self.group(rule: rule, payee: payee, period: period, payees: payees, periods: periods) }

    /// ``group(rule:payee:period:)`` of a table of `payees` and `periods`.
    @inline(__always)
    static func group(rule: Int, payee: Int, period: Int, payees: Int, periods: Int) -> Int { (rule * periods + period) * payees + payee }

    /// The rule, payee and period of `group` (the inverse of ``group(rule:payee:period:)``).
    static func parts(ofGroup group: Int, payees: Int, periods: Int) -> (rule: Int, payee: Int, period: Int) {
        (group / payees / periods, group % payees, group / payees % periods)
    }

    /// The credits of one rule, payee and period (a full table's).
    @inline(__always)
    subscript(rule: Int, payee: Int, period: Int) -> ArraySlice<Credit> {
        let group = group(rule: rule, payee: payee, period: period)
        guard group + 1 < starts.count else { return [] }
        return credits[starts[group]..<starts[group + 1]]
    }

    /// How many credits group `group` holds.
    @inline(__always)
    func count(of group: Int) -> Int { group >= 0 && group + 1 < starts.count ? starts[group + 1] - starts[group] : 0 }

    /// Appends the ledger rows of group `group`'s credits, in row order.
    @inline(__always)
    func appendRows(of group: Int, to target: inout [Int32]) {
        guard group + 1 < starts.count else { return }
        if isSummed {
            target.append(contentsOf: rows[starts[group]..<starts[group + 1]])
        } else {
            for credit in credits[starts[group]..<starts[group + 1]] { target.append(credit.row) }
        }
    }

    /// A summed table's sum and signed count of group `group`; the sum is `nil` when it overflowed
    /// (a measure that only counts still has its count).
    @inline(__always)
    func summary(of group: Int) -> (sum: WideDecimal?, count: Int) {
        guard group < sums.count else { return (.zero, 0) }
        if !overflowed.isEmpty && overflowed.contains(group) { return (nil, signedCounts[group]) }
        return (sums[group], signedCounts[group])
    }

    /// Joins the shards' credits (each in row order, shards in row order) by group, keeping row
    /// order.
    init(payees: Int, periods: Int, groups: Int, parts: [[Credit]], partGroups: [[UInt32]], threads: Int) {
        let (starts, placed) = Self.place(parts, partGroups: partGroups, groups: groups, threads: threads)
        self.init(payees: payees, periods: periods, starts: starts, credits: placed)
    }

    /// Joins the shards' summed credits: their rows by group, keeping row order, and per group the
    /// shards' partial sums and counts added in shard order. With several threads the groups are
    /// cut into one range per thread.
    init(payees: Int, periods: Int, groups: Int, summing parts: [SummedCredits], partGroups: [[UInt32]], threads: Int) {
        let (starts, rows) = Self.place(parts.map(\.rows), partGroups: partGroups, groups: groups, threads: threads)
        var sums = [WideDecimal](repeating: .zero, count: groups)
        var counts = [Int](repeating: 0, count: groups)
        var overflowed = Set<Int>()
        for part in parts { overflowed.formUnion(part.overflowed) }
        let workers = max(1, min(threads, groups / 4096 + 1))
        let bounds = (0...workers).map { groups * $0 / workers }
        let failed: [[Int]] = sums.withUnsafeMutableBufferPointer { sumBuffer in
            counts.withUnsafeMutableBufferPointer { countBuffer in
                // Invariant: a group's sum and count are written only by the worker whose range holds it.
                nonisolated(unsafe) let sumSlots = sumBuffer
                nonisolated(unsafe) let countSlots = countBuffer
                return parallelMap(workers, threads: workers) { worker in
                    var failed: [Int] = []
                    for group in bounds[worker]..<bounds[worker + 1] {
                        var sum = WideDecimal.zero
                        var count = 0
                        var sumOverflowed = false
                        // By index, reading in place: `for part in parts` copied each part, with a
                        // retain and a release of its arrays per part and group.
                        for part in parts.indices {
                            count += Int(parts[part].totals[group].count)
                            guard !sumOverflowed else { continue }
                            if let next = try? sum.adding(parts[part].totals[group].sum) {
                                sum = next
                            } else {
                                sumOverflowed = true
                                failed.append(group)
                            }
                        }
                        sumSlots[group] = sum
                        countSlots[group] = count
                    }
                    return failed
                }
            }
        }
        for list in failed { overflowed.formUnion(list) }
        self.payees = payees
        self.periods = periods
        self.starts = starts
        self.credits = []
        self.rows = rows
        self.sums = sums
        self.signedCounts = counts
        self.overflowed = overflowed
        isSummed = true
    }

    /// Places the shards' items (each shard in row order, shards in row order) by group, keeping
    /// row order; returns the group starts and the items. With several threads the shards are
    /// counted and placed in parallel: each shard's items of a group go to their own stretch of it.
    static func place<Item: Sendable>(
        _ parts: [[Item]], partGroups: [[UInt32]], groups: Int, threads: Int
    ) -> (starts: [Int], items: [Item]) {
        let partCount = parts.count
        guard threads > 1, partCount > 1, partCount * groups <= 1 << 23 else {
            var starts = [Int](repeating: 0, count: groups + 1)
            for groupsOfPart in partGroups { for group in groupsOfPart { starts[Int(group) + 1] += 1 } }
            for group in 0..<groups { starts[group + 1] += starts[group] }
            var cursor = starts
            let total = starts[groups]
            let placed = [Item](unsafeUninitializedCapacity: total) { buffer, count in
                populatePages(UnsafeRawBufferPointer(buffer))
                for (part, groups) in zip(parts, partGroups) {
                    for (item, group) in zip(part, groups) {
                        buffer.initializeElement(at: cursor[Int(group)], to: item)
                        cursor[Int(group)] += 1
                    }
                }
                count = total
            }
            return (starts, placed)
        }
        let counts: [[Int32]] = parallelMap(partCount, threads: threads) { part in
            var counts = [Int32](repeating: 0, count: groups)
            for group in partGroups[part] { counts[Int(group)] += 1 }
            return counts
        }
        var starts = [Int](repeating: 0, count: groups + 1)
        var offsets = [[Int]](repeating: [Int](repeating: 0, count: groups), count: partCount)
        var running = 0
        for group in 0..<groups {
            starts[group] = running
            for part in 0..<partCount {
                offsets[part][group] = running
                running += Int(counts[part][group])
            }
        }
        starts[groups] = running
        let total = running
        let firstPlaces = offsets
        let placed = [Item](unsafeUninitializedCapacity: total) { buffer, count in
            // Every page is written: mapped at once (``populatePages(_:forWriting:)``).
            populatePages(UnsafeRawBufferPointer(buffer))
            // Invariant: every slot is written exactly once, by the shard whose stretch it is in.
            nonisolated(unsafe) let slots = buffer
            _ = parallelMap(partCount, threads: threads) { part in
                // Cursors of 32 bits when the items allow: half the cache lines for a table
                // reached at random, one cursor per group.
                if total <= Int(Int32.max) {
                    var cursor = firstPlaces[part].map { Int32(truncatingIfNeeded: $0) }
                    for (item, group) in zip(parts[part], partGroups[part]) {
                        slots.initializeElement(at: Int(cursor[Int(group)]), to: item)
                        cursor[Int(group)] &+= 1
                    }
                    return 0
                }
                var cursor = firstPlaces[part]
                for (item, group) in zip(parts[part], partGroups[part]) {
                    slots.initializeElement(at: cursor[Int(group)], to: item)
                    cursor[Int(group)] += 1
                }
                return 0
            }
            count = total
        }
        return (starts, placed)
    }
}

/// The evaluation of one plan by one thread: a shard makes its own from the shared snapshot.
///
/// Its mutable state is marked `@exclusivity(unchecked)`: the dynamic exclusivity checks on
/// these properties cost about a twentieth of evaluation. That is sound because an instance is
/// used by one thread only, and no method keeps an access to one of these properties open (an
/// `inout` or a `modify`) across a call that could touch the same property; debug builds of the
/// test suite ran with the checks on before they were turned off here.
final class PlanEvaluation {
    let plan: Plan
    let data: LedgerData
    let transactions: TransactionTable
    let roster: RosterTable
    /// Payees on the plan, in rep-id byte order.
    let payees: [RepIndex]
    /// Run periods (the plan's payout period kind), in order.
    let periods: [Period]
    /// Per period, the plan of the run whose transactions brought it when the plan's own do not
    /// reach it (for messages: a quota missing there is explained).
    let addedBy: [String?]
    /// credits[rule, payee, period], after crediting.
    @exclusivity(unchecked) var credits: CreditTable
    /// While crediting: this shard's credits, in row order, and each one's group.
    @exclusivity(unchecked) var shardCredits: [Credit] = []
    @exclusivity(unchecked) var shardGroups: [UInt32] = []
    /// While crediting a plan whose credits are summed: this shard's rows and partial sums.
    @exclusivity(unchecked) var shardSums: SummedCredits? = nil
    /// While restating an earlier period: late credits added to groups, by group.
    @exclusivity(unchecked) var restatedCredits: [Int: [Credit]] = [:]
    /// Rows grouped by rep; built only when SPIFFs are evaluated row by row (see `payeeRows`).
    @exclusivity(unchecked) var rowsByRep: (starts: [Int], rows: [Int32]) = ([], [])
    let sources: [SourceFile?]
    /// The payee and period being evaluated, and memoized values.
    @exclusivity(unchecked) var payee = 0
    @exclusivity(unchecked) var periodIndex = 0
    /// Values computed in the current payee-period, by slot (``memoSlot(_:)``): a dictionary
    /// lookup and insert per value was measurable.
    @exclusivity(unchecked) var memo: [EvalValue?] = []
    /// Trace texts of tables, and of tier rates, made once.
    /// By table index (a dictionary's hashing cost more than the texts' use on every payee-period).
    @exclusivity(unchecked) var tableTextCache: [(rule: String, tiers: [String])?] = []
    @exclusivity(unchecked) var rateTexts: [FixedDecimal: String] = [:]
    /// Source locations of the plan's limits, for their trace notes (made once).
    @exclusivity(unchecked) var limitLocations: [String] = []
    /// Per table, its tiers' constant parts (``TierConstants``), made once.
    @exclusivity(unchecked) var tierConstantsCache: [TierConstants?] = []
    /// Quotas looked up in the current payee-period, by quota id (``resetMemo()`` sizes it).
    @exclusivity(unchecked) var quotaMemo: [EvalValue?] = []
    /// Quotas of the current payee-period prorated to the days on the plan: the value used, the
    /// quota's row, and the days counted of the period's (a trace says "against quota 20000.00
    /// USD" where quotas.csv says 31,000: it says why).
    @exclusivity(unchecked) var proratedQuotas: [(value: WideDecimal, full: WideDecimal, active: Int, days: Int)] = []
    /// Tier gates of the payee-period evaluated, by table and tier: a gate reading another table
    /// (whose gates read another...) was evaluated again at every application, exponentially.
    @exclusivity(unchecked) var gateMemo: [Int: Bool] = [:]
    /// The component being evaluated, and what its trace will say (tier, rate, base, limit).
    @exclusivity(unchecked) var evaluatingComponent: Int? = nil
    /// The let (derived value) being computed: a table it reads is noted for it, and shown in the
    /// trace of every line that reads the let (``noteSlot``).
    @exclusivity(unchecked) var evaluatingLet: Int? = nil
    /// The measure, value or component being evaluated, for error messages.
    @exclusivity(unchecked) var evaluatingName: String? = nil
    /// By component, then by let (``noteSlot``) (``resetMemo()`` sizes it, ``resetNotes()``
    /// empties it); an untouched note is empty.
    @exclusivity(unchecked) var notes: [TraceNote] = []

    /// Where a table read now is noted: the let being computed, else the component being
    /// evaluated (`nil`: neither, or a value read only to decide).
    /// Only while a payee-period is evaluated (a SPIFF's `pay` is valued in the crediting pass,
    /// before any note exists), and only for a formula or a SPIFF paying by a count table (whose
    /// trace is that table's): an override's trace says what it is, which a table its rate read
    /// (through a let) had replaced.
    var noteSlot: Int? {
        let slot: Int
        if let evaluatingLet {
            slot = plan.components.count + evaluatingLet
        } else if let evaluatingComponent {
            switch plan.components[evaluatingComponent].body {
            case .formula: slot = evaluatingComponent
            case .spiff(let spiff):
                guard case .tieredByCount = spiff.payout else { return nil }
                slot = evaluatingComponent
            case .override: return nil
            }
        } else {
            return nil
        }
        return slot < notes.count ? slot : nil
    }

    /// The notes' count: one per component, then one per let.
    var noteCount: Int { plan.components.count + plan.derived.count }

    /// Adds the tables (and input-table values) the let `id` read to the trace of what reads it
    /// now (a line reading a let's `curve(attainment)` had shown no table at all), once per reader.
    func noteTablesOfLet(_ id: Int) {
        guard !restating, let slot = noteSlot else { return }
        let own = plan.components.count + id
        // The input-table values the let read are said by its readers too.
        if own < notes.count && own != slot {
            for text in notes[own].inputs where !notes[slot].inputs.contains(text) { notes[slot].inputs.append(text) }
        }
        guard own < notes.count, notes[own].table != nil || !notes[own].earlierTables.isEmpty, !notes[slot].lets.contains(id) else { return }
        let read = notes[own]
        let parts = read.tableParts
        // A let of a let carries the inner let's tables: each is shown once (`b + a` with
        // `let b = a * 2` had shown a's table twice).
        let known = notes[slot].lets
        notes[slot].lets.append(id)
        for inner in read.lets where !notes[slot].lets.contains(inner) { notes[slot].lets.append(inner) }
        for part in parts {
            let via = part.via ?? id
            guard !known.contains(via) else { continue }
            notes[slot].addTable(TableNote(table: part.table, rule: part.rule, tier: part.tier, rate: part.rate, base: part.base, via: via))
        }
    }
    /// The slices a marginal table paid, for its trace (reused).
    @exclusivity(unchecked) var sliceScratch: [(tier: Int, size: WideDecimal)] = []
    /// A buffer trace texts are put together in, reused.
    @exclusivity(unchecked) var textScratch: [UInt8] = []
    /// While a table is applied to each credit of a rule (`table(rule)` per transaction), what the
    /// trace of the line says: the base paid at each tier's rate over all the credits, and the
    /// highest tier reached. Nil otherwise.
    @exclusivity(unchecked) var perTransactionTally: PerTransactionTally? = nil
    /// SPIFF rule texts by qualifying count (``spiffRuleText(count:)``).
    @exclusivity(unchecked) var spiffRuleTexts: [String] = []
    @exclusivity(unchecked) var totalLimitNote: String? = nil
    /// Reversals charged back to their original period (`clawback { charge original_period }`),
    /// by rule and payee.
    @exclusivity(unchecked) var lateCredits: [[[LateCredit]]] = []
    /// True while an earlier period is re-evaluated for a clawback (no carried state changes),
    /// and the last run period whose reversals that restatement counts.
    @exclusivity(unchecked) var restating = false
    /// Rows that qualified for a SPIFF of a payee of ``evaluate(payees:)``: credited for the
    /// reconciliation too (a row that only a SPIFF pays had been called "not credited").
    @exclusivity(unchecked) var spiffRows: [Int32] = []
    /// Payees of ``evaluate(payees:)`` whose evaluation failed, in payee order: their lines are
    /// left out, and the run fails listing them (``PayeeFailureList``).
    var payeeFailures: [EvaluationError] = []
    /// Transactions with shares over 1 that a plain `to splits` rule met while crediting (at most
    /// ``listedPayeeFailures``, in row order), and how many in all: the run fails listing them all
    /// (it had stopped at the first, one per run).
    /// `identity` is the conflict's shares and rule, the same for a deal and its reversals.
    var splitConflicts: [(key: SplitConflictKey, identity: String, error: EvaluationError)] = []
    /// Whether more were found than kept.
    var splitConflictsCut = false
    /// Floors first, then caps (``applyLimits(to:_:_:)``).
    static let limitKindsInOrder: [LimitKind] = [.floor, .cap]
    /// The most different payee failures a run lists (payees failing alike are one line).
    static let listedPayeeFailures = 100
    @exclusivity(unchecked) var restatedThrough = 0
    /// While restating: rows of reversals charged after `restatedThrough` that the restatement
    /// counts too (reinstated deals standing as the period was first paid).
    @exclusivity(unchecked) var restatedAdding: Set<Int32> = []
    /// While restating: rows of reversals the restatement leaves out (a cancellation and its
    /// reinstatement, both charged after the period: as if neither had been).
    @exclusivity(unchecked) var restatedLeavingOut: Set<Int32> = []
    /// Fx rates by currency index and month (a string-keyed lookup per transaction was measurable).
    @exclusivity(unchecked) var fxCache: [Int: WideDecimal] = [:]
    /// Per ledger row, whether crediting gave it to some payee (for the reconciliation): the run's
    /// flags, shared by the crediting shards, each writing only its own rows.
    @exclusivity(unchecked) var creditedFlags: UnsafeMutableBufferPointer<Bool>? = nil
    /// The most credits the run may keep (``CreditTable/maximumCredits(summed:)``), and the count
    /// of those made, shared by the shards.
    var creditLimit = Int.max
    var creditCounter: CreditCounter? = nil
    /// Credits charged back to an earlier period made so far (counted with the others).
    var lateCreditsMade = 0
    @exclusivity(unchecked) var feedingRulesCache: [[Int: MeasureWindow]]? = nil
    /// Per draw: what the current payee owes. Per holdback: what has been withheld and not released.
    @exclusivity(unchecked) var drawBalances: [WideDecimal] = []
    @exclusivity(unchecked) var heldBack: [WideDecimal] = []
    /// By earlier period of the current payee, what the clawbacks of its later periods have
    /// changed of it so far, as asked before any yearly cap cut them (the total, each component,
    /// each recoverable guarantee's loan): with what it first paid, what a reinstatement restates
    /// against.
    @exclusivity(unchecked) var adjustedSoFar: [Int: RestatedEarnings] = [:]
    /// The current payee's late credits by the period they are charged in (made once per payee
    /// that has any: each period had walked all of them).
    @exclusivity(unchecked) var lateByReversal: [[LateCredit]] = []
    @exclusivity(unchecked) var lateByReversalOwner = -1
    /// The current payee's ledger rows by run period (built once per payee).
    @exclusivity(unchecked) var payeeRowsByPeriod: [[Int32]] = []
    /// Reversals charged back to a deal of a rep other than the one who booked them, by the deal's
    /// rep (built when first needed, for SPIFFs evaluated row by row).
    @exclusivity(unchecked) var foreignReversals: [RepIndex: [Int32]]? = nil
    /// The payee `payeeRowsByPeriod` was built for (-1: none).
    @exclusivity(unchecked) var payeeRowsOwner = -1
    /// SPIFF rows qualified and valued in the crediting pass, grouped by (SPIFF slot, payee, period);
    /// while crediting, this shard's hits.
    @exclusivity(unchecked) var spiffHits: CreditTable
    @exclusivity(unchecked) var shardSpiffHits: [Credit] = []
    @exclusivity(unchecked) var shardSpiffGroups: [UInt32] = []
    /// Groups whose rows could not all be valued in the pass (an evaluation error): evaluated row by
    /// row instead, where the error is reported with its rep and period.
    @exclusivity(unchecked) var spiffFallback: Set<Int> = []
    /// Quotas by rep, period (first month and length, whatever calendar labelled them) and measure.
    let quotaIndex: QuotaIndex
    /// Per plan quota, its measure's code in `quotaIndex`.
    let quotaCodes: [Int32]
    /// Input tables by name.
    let inputs: [String: InputTableValues]
    /// Per payee: paid amounts by limit index and fiscal year, for per-year caps and floors.
    @exclusivity(unchecked) var paidPerYear: [Int: [Int: WideDecimal]] = [:]
    /// `paidPerYear` as it was at the start of each period of the current payee.
    @exclusivity(unchecked) var paidSnapshots: [Int: [Int: [Int: WideDecimal]]] = [:]
    /// Which rows are reversals.
    let reversalBits: ReversalBits
    /// The plan's clawback window over the ledger's chains of reversals (`charge original_period`).
    let chargeBackChains: ChargeBackChains?
    /// Whose split rows share each row's credit (for `to splits` rules).
    let splitSources: SplitSources
    /// Which reversals take their deal back (a reinstatement, a reversal of one, puts it back):
    /// they count −1 deal, the others +1.
    let cancellationBits: ReversalBits
    let months: MonthTable
    let assignments: AssignmentTable
    /// The plan's per-transaction expressions, compiled.
    @exclusivity(unchecked) var compiled = CompiledRows()
    /// While tabulating a compiled expression: the attribute (by id) read as a fixed value.
    @exclusivity(unchecked) var pinnedAttribute: (id: Int, value: EvalValue)? = nil
    /// Per limit, the bound last evaluated, for the payee and roster row it was evaluated for: a
    /// bound that reads only constants and the rep's roster row (`3 * rep.target_incentive / 12`)
    /// is the same in every period of that row (``LimitBounds``).
    @exclusivity(unchecked) var limitBounds = LimitBounds()

    /// What shards share: everything but the per-payee evaluation state.
    var snapshot: EvaluationSnapshot {
        EvaluationSnapshot(
            plan: plan, data: data, payees: payees, periods: periods, addedBy: addedBy, credits: credits, rowsByRep: rowsByRep,
            sources: sources, quotaIndex: quotaIndex, quotaCodes: quotaCodes, inputs: inputs, lateCredits: lateCredits, reversalBits: reversalBits,
            cancellationBits: cancellationBits, chargeBackChains: chargeBackChains, splitSources: splitSources,
            compiled: compiled, months: months, spiffHits: spiffHits, spiffFallback: spiffFallback, assignments: assignments)
    }

    init(snapshot: EvaluationSnapshot) {
        plan = snapshot.plan
        data = snapshot.data
        transactions = snapshot.data.transactions
        roster = snapshot.data.roster
        payees = snapshot.payees
        periods = snapshot.periods
        addedBy = snapshot.addedBy
        credits = snapshot.credits
        rowsByRep = snapshot.rowsByRep
        sources = snapshot.sources
        quotaIndex = snapshot.quotaIndex
        quotaCodes = snapshot.quotaCodes
        inputs = snapshot.inputs
        lateCredits = snapshot.lateCredits
        reversalBits = snapshot.reversalBits
        chargeBackChains = snapshot.chargeBackChains
        splitSources = snapshot.splitSources
        cancellationBits = snapshot.cancellationBits
        compiled = snapshot.compiled
        months = snapshot.months
        spiffHits = snapshot.spiffHits
        spiffFallback = snapshot.spiffFallback
        assignments = snapshot.assignments
    }

    /// With `compiling` false, per-transaction expressions are walked by ``eval(_:_:)`` and SPIFFs
    /// are evaluated row by row per payee: the plain reference semantics, which the tests hold the
    /// compiled path to.
    /// The evaluation of `plan` over `data`; `runSpan` is the span of every plan of the run
    /// (``TransactionSpan``), when it has several.
    /// Without `requiringInputs`, input tables not given are not an error (crediting alone reads
    /// none: the checker refuses them in credit rules).
    /// The ledger is indexed on up to `threads` threads (the evaluation is the same for any).
    init(
        plan: Plan, data: LedgerData, inputs: [String: InputTableValues], compiling: Bool = true, runSpan: TransactionSpan? = nil,
        requiringInputs: Bool = true, threads: Int = 1
    ) throws {
        self.plan = plan
        self.inputs = inputs
        self.data = data
        self.transactions = data.transactions
        self.roster = data.roster
        for input in plan.inputs where requiringInputs && inputs[input.name] == nil {
            throw EvaluationError(
                rep: nil, period: nil, what: "plan \(plan.id)", message: "input table \(input.name) (\(input.file)) was not loaded",
                source: nil)
        }
        if plan.currency != data.fx.base {
            throw EvaluationError(
                rep: nil, period: nil, what: "plan \(plan.id)",
                message: "the plan pays in \(plan.currency.code) but the data was loaded with fx.csv converting into \(data.fx.base.code); run this plan on its own (comp validate takes --base-currency \(plan.currency.code))",
                source: nil)
        }
        var onPlan = Set<RepIndex>()
        for row in data.roster.rows where row.plan == plan.id { onPlan.insert(row.rep) }
        // By the ids' bytes (the generic walk of two UTF-8 views per comparison cost about 30 ms
        // at 10,000 payees).
        let repIDs = data.roster.repIDs
        payees = sortedByBytes(Array(onPlan)) { repIDs[Int($0)] }
        // Periods: from the first to the last date of a transaction of this plan's (see
        // ``transactionSpan(of:data:chains:splitSources:)``), widened to the run's span when the run has several plans,
        // so that every payee of the run gets the same months (a payee with no deal yet is still
        // paid a scheduled draw); the run's span counts only inside this plan's effective dates
        // and the fiscal years of its own transactions.
        let transactions = data.transactions
        // Made once, for the span and for crediting.
        let chargeBackChains = plan.chargeBack.map { ChargeBackChains($0, transactions: transactions) }
        let splitSources = SplitSources(data.splits, reversals: transactions.reversals)
        var span = Self.transactionSpan(of: plan, data: data, chains: chargeBackChains, splitSources: splitSources, threads: threads)
        let ownSpan = span
        if var wider = runSpan {
            if let effective = plan.effective { wider.clip(from: effective.start, to: effective.end, by: plan.id) }
            // Only within the fiscal years of the plan's own transactions: another plan's deal a
            // year away would add months whose quotas this plan's payees were never given. A plan
            // with none of its own yet (new hires on a draw) takes the run's whole span.
            if let own = span {
                let firstYear = Period(kind: .month, containing: own.first, calendar: plan.fiscalCalendar).enclosing(.year)
                let lastYear = Period(kind: .month, containing: own.last, calendar: plan.fiscalCalendar).enclosing(.year)
                wider.clip(from: firstYear.startDate, to: lastYear.endDate, by: plan.id)
            }
            if wider.first <= wider.last { span = span.map { $0.union(wider) } ?? wider }
        }
        let first = span?.first ?? CivilDate.maximum
        let last = span?.last ?? CivilDate.minimum
        var periods: [Period] = []
        if first <= last {
            var period = Period(kind: plan.period, containing: first, calendar: plan.fiscalCalendar)
            let end = Period(kind: plan.period, containing: last, calendar: plan.fiscalCalendar)
            // A mistyped year (9999-12-31) would otherwise ask for a statement per payee for every
            // period of eight thousand years, and run the machine out of memory.
            let count = (end.firstMonth - period.firstMonth) / plan.period.months + 1
            if count > Self.maximumPeriods {
                // The span may come from another plan of the run: name the plans of its ends.
                let own = span?.firstPlan == plan.id && span?.lastPlan == plan.id
                func end(_ row: Int?, _ owner: String?) -> String {
                    let parts = [row.map { transactions.ids[$0] }, own ? nil : owner.map { "plan \($0)" }].compactMap { $0 }
                    return parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))"
                }
                let culprits = Set([span?.firstPlan, span?.lastPlan].compactMap { $0 }).sorted()
                throw EvaluationError(
                    rep: nil, period: nil, what: "plan \(plan.id)",
                    message: "\(own ? "its" : "the run's") transactions run from \(first)\(end(span?.firstRow, span?.firstPlan)) "
                        + "to \(last)\(end(span?.lastRow, span?.lastPlan)), "
                        + "\(count) \(plan.period.rawValue) periods, and a run computes at most \(Self.maximumPeriods); "
                        + "correct the date that is wrong, or give "
                        + (own || culprits.isEmpty ? "the plan" : "plan \(culprits.joined(separator: " and "))") + " `effective` dates",
                    source: nil)
            }
            while period <= end {
                periods.append(period)
                period = period.next
            }
        }
        self.periods = periods
        self.addedBy = periods.map { period in
            if let own = ownSpan, period.endDate >= own.first && period.startDate <= own.last { return nil }
            guard let runSpan else { return nil }
            return ownSpan.map { period.endDate < $0.first } ?? true ? runSpan.firstPlan : runSpan.lastPlan
        }
        let quotaIndex = QuotaIndex(data.quotas.rows)
        self.quotaIndex = quotaIndex
        self.quotaCodes = plan.quotas.map { quotaIndex.code(of: $0.measureName) }
        self.credits = CreditTable(payees: payees.count, periods: periods.count)
        self.spiffHits = CreditTable(payees: payees.count, periods: periods.count)
        self.sources = plan.files.map { path in
            guard let bytes = try? readWholeFile(path) else { return nil }
            // An XML plan's lines as its messages count them (a lone CR ends a line).
            return SourceFile(path: path, bytes: path.lowercased().hasSuffix(".xml") ? SourceFile.xmlLineEnds(bytes) : bytes)
        }
        self.reversalBits = ReversalBits(rows: transactions.count, reversals: transactions.reversals)
        self.chargeBackChains = chargeBackChains
        self.splitSources = splitSources
        self.cancellationBits = ReversalBits(rows: transactions.count, marking: transactions.reversals.cancellations)
        self.months = MonthTable(transactions: transactions, fx: data.fx)
        self.assignments = AssignmentTable(roster: data.roster, plan: plan.id)
        var compiled = CompiledRows()
        let row: (Expr) -> RowExpr = { compiling ? self.compileRow($0) : .generic($0) }
        compiled.filters = plan.creditRules.map { $0.filter.map(row) }
        compiled.amounts = plan.creditRules.map { row($0.amount) }
        compiled.weights = plan.creditRules.map { $0.weight.map(row) }
        compiled.fastRules = plan.creditRules.indices.map { index in
            guard compiling else { return nil }
            return FastCreditRule(
                filter: compiled.filters[index], amount: compiled.amounts[index], weight: compiled.weights[index],
                recipients: plan.creditRules[index].recipients.map(\.kind))
        }
        for (index, component) in plan.components.enumerated() where compiling {
            guard case .spiff(let spiff) = component.body else { continue }
            compiled.spiffSlots[index] = compiled.spiffComponents.count
            compiled.spiffComponents.append(index)
            compiled.spiffs.append(compileSpiff(spiff))
        }
        self.compiled = compiled
    }

    /// The first and last date of a transaction whose rep is on `plan` on that date, or reports to
    /// someone on it (roll-ups), inside the plan's effective dates (a reversal charged back to its
    /// deal's period counts when the deal does: its clawback is paid in the reversal's period,
    /// after the plan's end); `nil` when there is none. Rows of reps on no plan of the run do not
    /// count: one stray row of another plan's rep would add a period whose quotas no payee has.
    /// `chains` and `splitSources`, when the caller has them, are the plan's (made here otherwise).
    /// The rows are read in ranges of about `rowsPerPart` (at most 8), on up to `threads` threads;
    /// the span is the same for any.
    static func transactionSpan(
        of plan: Plan, data: LedgerData, chains: ChargeBackChains? = nil, splitSources: SplitSources? = nil, threads: Int = 1,
        rowsPerPart: Int = 500_000
    ) -> TransactionSpan? {
        // A `to splits` rule credits the partners splits.csv names, whoever booked the deal: a
        // deal of a rep outside the run is a partner's (its month had not been a period, and the
        // partner's share was lost).
        let splitsCredited = plan.creditsSplitPartners
        var onPlan = [Bool](repeating: false, count: data.roster.repIDs.count)
        for row in data.roster.rows where row.plan == plan.id { onPlan[Int(row.rep)] = true }
        var relevant = onPlan
        var changed = true
        while changed {
            changed = false
            for row in data.roster.rows where !relevant[Int(row.rep)] {
                if let manager = row.manager, relevant[Int(manager)] {
                    relevant[Int(row.rep)] = true
                    changed = true
                }
            }
        }
        let transactions = data.transactions
        let chains = chains ?? plan.chargeBack.map { ChargeBackChains($0, transactions: transactions) }
        let splitSources = splitsCredited ? splitSources ?? SplitSources(data.splits, reversals: transactions.reversals) : nil
        let paysAtItsEnd = !plan.holdbacks.isEmpty || plan.limits.contains { $0.kind == .floor && $0.per == .year }
        let (effective, planID, splits, reps) = (plan.effective, plan.id, data.splits, relevant)
        // Ranges of rows scanned at once (one pass over ten million rows had been a serial tenth
        // of a second), their spans joined in row order: the first row of the earliest date and
        // the first of the latest are those one pass finds, whatever the ranges.
        let count = transactions.count
        let parts = max(1, min(8, count / max(1, rowsPerPart)))
        let found: [(span: TransactionSpan?, coveredTo: CivilDate?)] = parallelMap(parts, threads: max(1, threads)) { part in
            var finder = SpanFinder(effective: effective, paysAtItsEnd: paysAtItsEnd)
            let rows = (count * part / parts)..<(count * (part + 1) / parts)
            if chains == nil && splitSources == nil {
                // Each row is its own rep's on its own date: the loop below without its cases,
                // through the columns' memory (it had taken 120 instructions a row).
                transactions.dates.withUnsafeBufferPointer { dates in
                    transactions.reps.withUnsafeBufferPointer { repColumn in
                        reps.withUnsafeBufferPointer { relevant in
                            for row in rows where relevant[Int(repColumn[row])] { finder.take(row, date: dates[row], judged: dates[row]) }
                        }
                    }
                }
                return (finder.span(of: planID), finder.coveredTo)
            }
            for row in rows {
                let date = transactions.dates[row]
                // A reversal charged back to its deal is the deal's rep's, whoever booked it: its
                // month is a period of the plan (a reversal booked by a rep on another plan had been
                // left out with its month, and the deal stayed paid).
                var judged = date
                var rep = transactions.reps[row]
                // Split like the deal too (its partners are charged).
                var splitRow = row
                if let deal = chargedBack(row, chains: chains) {
                    judged = transactions.dates[deal.root]
                    rep = transactions.reps[deal.root]
                    splitRow = deal.root
                }
                guard reps[Int(rep)] || (splitSources.map { hasPartner(splitRow, in: reps, splits: splits, sources: $0) } ?? false) else {
                    continue
                }
                finder.take(row, date: date, judged: judged)
            }
            return (finder.span(of: planID), finder.coveredTo)
        }
        var coveredTo: CivilDate? = nil
        var span: TransactionSpan? = nil
        for part in found {
            if let end = part.coveredTo { coveredTo = end }
            // Strictly earlier or later only: a tie keeps the earlier range's row.
            if let own = part.span { span = span?.union(own) ?? own }
        }
        // The ledger runs past the plan's end: its last effective period is in the run.
        if let end = coveredTo, var found = span, end > found.last {
            found.last = end
            span = found
        }
        return span
    }

    /// Whether splits.csv names a partner in `reps` for `row`: its own split rows, or for a
    /// reversal without any, those of the deal it reverses (``SplitSources``, as crediting splits
    /// it).
    static func hasPartner(_ row: Int, in reps: [Bool], splits: SplitTable, sources: SplitSources) -> Bool {
        if splits.byTransaction.isEmpty { return false }
        let source = sources.source(of: row)
        return splits.byTransaction[source]?.contains { reps[Int(splits.rows[$0].rep)] } ?? false
    }

    /// True when the plan reads its credits only through sums, counts and averages: no measure
    /// takes a minimum or maximum, no table is applied per transaction and no manager override
    /// reads credits by level. Its credits can then be summed as they are made (``CreditTable``).
    static func creditsAreSummed(_ plan: Plan) -> Bool {
        if plan.measures.contains(where: { $0.aggregation == .min || $0.aggregation == .max }) { return false }
        func perTransaction(_ expr: Expr) -> Bool {
            if case .applyTablePerTransaction = expr.kind { return true }
            return expr.children.contains { perTransaction($0) }
        }
        if plan.components.contains(where: { if case .override = $0.body { return true } else { return false } }) { return false }
        return !plan.allExpressions.contains { perTransaction($0.expr) }
    }

    /// The most payout periods one run computes (a century of months).
    static let maximumPeriods = 1_200

    /// A SPIFF's per-row parts, compiled (``compileRow(_:)``) or left to the reference evaluator.
    func compileSpiff(_ spiff: Spiff, compiling: Bool = true) -> CompiledSpiff {
        let row: (Expr) -> RowExpr = { compiling ? self.compileRow($0) : .generic($0) }
        let amount: RowExpr
        let payout: CompiledSpiff.Payout
        var span: SourceSpan? = nil
        switch spiff.payout {
        case .perUnit(let each): (amount, payout, span) = (row(each), .perUnit, each.span)
        case .perDeal(let each): (amount, payout, span) = (row(each), .perDeal, each.span)
        case .percentOfAmount(let rate): (amount, payout, span) = (row(rate), .percentOfAmount, rate.span)
        case .tieredByCount: (amount, payout) = (.constant(.missing), .tieredByCount)
        }
        return CompiledSpiff(
            window: spiff.window, byEffectiveDate: spiff.dateBasis == .effectiveDate, filter: spiff.filter.map(row), amount: amount,
            payout: payout, amountSpan: span)
    }

    /// True when `row` reverses another.
    @inline(__always)
    func isReversal(_ row: Int) -> Bool { reversalBits.contains(row) }

    /// The row that `row` reverses, or `nil` when it is not a reversal.
    @inline(__always)
    func reversalTarget(of row: Int) -> Int? {
        guard reversalBits.contains(row) else { return nil }
        return transactions.reversals.target(of: row)
    }

    /// For a reversal `plan` charges back to its deal (`charge original_period`, inside the
    /// window): the row it reverses, and the deal at the root of its chain (a reversal of a
    /// reversal reinstates that deal), whose rep is charged whoever booked the reversal. `nil` for
    /// any other row.
    static func chargedBack(_ row: Int, chains: ChargeBackChains?) -> (original: Int, root: Int)? {
        guard let chains, case .reaches(let original, let root) = chains.reach(of: row) else { return nil }
        return (original, root)
    }

    /// ``chargedBack(_:chains:)`` of this plan (a bit test first: most rows are not reversals).
    func chargedBack(_ row: Int) -> (original: Int, root: Int)? {
        guard chargeBackChains != nil, reversalBits.contains(row) else { return nil }
        return Self.chargedBack(row, chains: chargeBackChains)
    }

    /// Whose a row is for SPIFFs, and on what date its rep's assignment is judged: a reversal the
    /// plan charges back is the deal's rep's, on the deal's date (a reinstatement's too, as its
    /// credit is: judged on its cancellation's date, a rep who had left by then was given back
    /// nothing, and a deal never paid was), whether or not the rep has left since; any other row
    /// its own rep's on its own date.
    func spiffOwner(of row: Int) -> (rep: RepIndex, date: CivilDate) {
        guard let deal = chargedBack(row) else { return (transactions.reps[row], transactions.dates[row]) }
        return (transactions.reps[deal.root], transactions.dates[deal.root])
    }

    /// Whether a payee has a SPIFF take-back (a reversal qualifying in a window) in a period.
    func hasSpiffTakeBack(payee position: Int, period: Int) -> Bool {
        if !compiled.spiffSlots.isEmpty {
            for slot in compiled.spiffSlots.values {
                let group = spiffHits.group(rule: slot, payee: position, period: period)
                if spiffFallback.contains(group) { return true }
                if spiffHits[slot, position, period].contains(where: { reversalBits.contains(Int($0.row)) }) { return true }
            }
            return false
        }
        // Row by row (the reference walk): a reversal among the payee's rows that a SPIFF takes.
        let saved = payee
        payee = position
        defer { payee = saved }
        for component in plan.components {
            guard case .spiff(let spiff) = component.body else { continue }
            let compiledSpiff = compileSpiff(spiff, compiling: false)
            for row in payeeRows(period: period) where reversalBits.contains(Int(row)) {
                if (try? spiffContribution(compiledSpiff, row: Int(row), rep: payees[position])) ?? nil != nil { return true }
            }
        }
        return false
    }

    // MARK: Locations

    func location(_ span: SourceSpan) -> String {
        guard span.file < sources.count, let source = sources[span.file] else {
            return span.file < plan.files.count ? plan.files[span.file] : "?"
        }
        return source.location(of: plan.sourceOffset(span.range.start, file: span.file)).description
    }

    /// The plan text of `span` on one line, for a trace (`formula if attainment >= 100% then …`):
    /// comments dropped, each run of spaces and line breaks one space, at most 200 characters.
    /// `nil` where the plan's text is not at hand.
    func sourceText(_ span: SourceSpan) -> String? {
        guard span.file < sources.count, let source = sources[span.file] else { return nil }
        var bytes = source.bytes
        var start = max(0, min(plan.sourceOffset(span.range.start, file: span.file), bytes.count))
        var end = max(start, min(plan.sourceOffset(span.range.end, file: span.file), bytes.count))
        if isXML(source) {
            // An XML plan: the expression is a text node, whose raw bytes may hold entities
            // (`&gt;=`), so its span's length does not fit them; the node is read to its end,
            // from before a CDATA section it starts with (the span starts at its text).
            var before = start
            while before > 0 && [0x20, 0x09, 0x0A, 0x0D].contains(bytes[before - 1]) { before -= 1 }
            if before >= 9 && bytes[(before - 9)..<before].elementsEqual("<![CDATA[".utf8) { start = before - 9 }
            guard let node = xmlTextNode(bytes, from: start) else { return nil }
            bytes = node
            start = 0
            end = node.count
        }
        var text: [UInt8] = []
        var inString = false
        var escaped = false
        var inComment = false
        for byte in bytes[start..<end] {
            if inComment {
                if byte == 0x0A { inComment = false } else { continue }
            }
            if escaped {
                escaped = false
            } else if inString && byte == UInt8(ascii: "\\") {
                escaped = true
            } else if byte == UInt8(ascii: "\"") {
                inString.toggle()
            }
            if byte == UInt8(ascii: "#") && !inString {
                inComment = true
                continue
            }
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                if let last = text.last, last != 0x20 { text.append(0x20) }
            } else {
                text.append(byte)
            }
        }
        while text.last == 0x20 { text.removeLast() }
        if text.isEmpty { return nil }
        let line = String(decoding: text, as: UTF8.self)
        return line.count > 200 ? String(line.prefix(199)) + "…" : line
    }

    /// Whether a plan file is XML: named `.xml`, or starting with markup after any byte-order
    /// mark and blanks.
    func isXML(_ source: SourceFile) -> Bool {
        if source.path.lowercased().hasSuffix(".xml") { return true }
        var bytes = source.bytes[...]
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        return bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == UInt8(ascii: "<")
    }

    /// An element's text in an XML document from `start` to the next tag, as the plan reads it:
    /// references decoded, CDATA sections' text kept, comments and processing instructions left
    /// out; `nil` where it cannot be read (a reference it does not know, unclosed markup).
    func xmlTextNode(_ bytes: [UInt8], from start: Int) -> [UInt8]? {
        var node: [UInt8] = []
        var index = start
        func end(of marker: String, from position: Int) -> Int? { byteOffset(of: marker, in: bytes, from: position) }
        while index < bytes.count {
            if bytes[index...].starts(with: "<![CDATA[".utf8) {
                guard let close = end(of: "]]>", from: index + 9) else { return nil }
                node += bytes[(index + 9)..<close]
                index = close + 3
                continue
            } else if bytes[index...].starts(with: "<!--".utf8) {
                guard let close = end(of: "-->", from: index + 4) else { return nil }
                index = close + 3
                continue
            } else if bytes[index...].starts(with: "<?".utf8) {
                guard let close = end(of: "?>", from: index + 2) else { return nil }
                index = close + 2
                continue
            } else if bytes[index] == UInt8(ascii: "<") {
                break
            }
            guard bytes[index] == UInt8(ascii: "&") else {
                node.append(bytes[index])
                index += 1
                continue
            }
            guard let semicolon = bytes[index...].prefix(40).firstIndex(of: UInt8(ascii: ";")) else { return nil }
            let name = String(decoding: bytes[(index + 1)..<semicolon], as: UTF8.self)
            let scalar: Unicode.Scalar?
            switch name {
            case "lt": scalar = "<"
            case "gt": scalar = ">"
            case "amp": scalar = "&"
            case "quot": scalar = "\""
            case "apos": scalar = "'"
            default:
                if name.hasPrefix("#x") {
                    scalar = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init)
                } else if name.hasPrefix("#") {
                    scalar = UInt32(name.dropFirst(), radix: 10).flatMap(Unicode.Scalar.init)
                } else {
                    scalar = nil
                }
            }
            guard let scalar else { return nil }
            node.append(contentsOf: String(Character(scalar)).utf8)
            index = semicolon + 1
        }
        return node
    }

    /// The words for a transaction's credit or SPIFF value that has none (an empty optional
    /// column it reads): which row, and how to give it one.
    func noValue(_ part: String, row: Int) -> String {
        "the \(part) has no value for transaction \"\(transactions.ids[row])\" (transactions.csv line \(transactions.line(of: row))): "
            + "a value it reads has none (an empty optional column, such as a rate or money column of the roster or the ledger, has "
            + "no value); fill it in, or write it as 'if … > 0 then … else 0': a comparison with no value is false"
    }

    func failure(_ message: String, what: String? = nil, span: SourceSpan? = nil) -> EvaluationError {
        EvaluationError(
            rep: payee < payees.count ? roster.repIDs[Int(payees[payee])] : nil,
            period: periodIndex < periods.count ? periods[periodIndex].description : nil, what: what, message: message,
            source: span.map(location))
    }

    // MARK: Crediting

    /// The run periods by month.
    var runPeriods: RunPeriodIndex {
        RunPeriodIndex(firstMonth: periods.first?.firstMonth ?? 0, monthsPerPeriod: plan.period.months, count: periods.count)
    }

    func periodIndex(of date: CivilDate) -> Int? {
        runPeriods.period(ofMonth: months.month(of: date))
    }

    // MARK: Evaluation

    /// Files one credit: in its own period, or, for a reversal charged back to an earlier period,
    /// among the late credits that restate that period.
    @inline(__always)
    func give(_ credit: Credit, rule: Int, to position: Int, in period: Int, chargedTo original: Int?) {
        if let original {
            lateCredits[rule][position].append(LateCredit(credit: credit, original: original, reversal: period))
            lateCreditsMade += 1
        } else {
            shardCredits.append(credit)
            shardGroups.append(UInt32(truncatingIfNeeded: credits.group(rule: rule, payee: position, period: period)))
        }
    }

    /// The credits of one rule, payee and period (with the late credits of a restatement). A summed
    /// table has no credits to give: the plans it is made for read only sums and counts
    /// (``creditsAreSummed(_:)``), so reaching here with one is a defect, reported, not a wrong
    /// number.
    @inline(__always)
    func creditGroup(_ rule: Int, _ payee: Int, _ period: Int) throws -> ArraySlice<Credit> {
        if credits.isSummed {
            throw failure("internal error: the credits of rule \(plan.creditRules[rule].name) were summed, not kept; please report this plan")
        }
        let found = credits[rule, payee, period]
        if restatedCredits.isEmpty { return found }
        guard let extra = restatedCredits[credits.group(rule: rule, payee: payee, period: period)] else { return found }
        return ArraySlice(Array(found) + extra)
    }

    func evaluate(payees range: Range<Int>) throws -> RunOutput {
        var output = RunOutput()
        // Texts every line repeats, made once.
        let periodNames = periods.map(\.description)
        let componentLocations = plan.components.map { location($0.span) }
        let componentNames = plan.components.map(\.name)
        let componentKinds = plan.components.map { describe($0.body) }
        let feeding = feedingRules
        let readsEveryRule = feeding.map { $0.count == plan.creditRules.count && $0.values.allSatisfy { $0 == .period } }
        // Per component, whether it is a formula, and a table looked up and nothing more (its
        // trace is then the table's).
        let isFormula = plan.components.map { component -> Bool in
            if case .formula = component.body { return true } else { return false }
        }
        let isSpiff = plan.components.map { component -> Bool in
            if case .spiff = component.body { return true } else { return false }
        }
        let bareTable = plan.components.map { component -> Bool in
            guard case .formula(let expr) = component.body else { return false }
            switch expr.kind {
            case .applyTable, .applyTablePerTransaction: return true
            default: return false
            }
        }
        // Room for every line up front: growing by doubling copied the shard's lines each time.
        let statements = range.count * periods.count
        output.payouts.reserveCapacity(statements * (plan.components.count + 1))
        output.traces.reserveCapacity(statements * (plan.components.count + 1))
        output.measures.reserveCapacity(statements * (plan.measures.count + plan.derived.count))
        let planLocation = location(plan.span)
        var componentValues: [WideDecimal] = []
        componentValues.reserveCapacity(plan.components.count)
        let measureOrder = (plan.measures.indices.map { (ValueRef.measure(MeasureID($0)), plan.measures[$0].span) }
            + plan.derived.indices.map { (ValueRef.derived(DerivedID($0)), plan.derived[$0].span) })
            .sorted { ($0.1.file, $0.1.range.start) < ($1.1.file, $1.1.range.start) }
        // Name, shown digits and unit of each, in that order.
        let measureInfo: [(String, Int, MeasureUnit?)] = measureOrder.map { entry in
            switch entry.0 {
            case .measure(let id):
                let measure = plan.measures[id.index]
                return (measure.name, measure.rounding.digits, ReferenceEvaluator.unit(of: measure.type))
            case .derived(let id):
                let derived = plan.derived[id.index]
                return (derived.name, derived.rounding.digits, ReferenceEvaluator.unit(of: derived.expr.type))
            case .component(let id):
                let component = plan.components[id.index]
                return (component.name, component.rounding.digits, ReferenceEvaluator.unit(of: component.type))
            }
        }
        for position in range {
            // The room for the next 64 payees' lines is mapped at once (``populateCapacity(of:ahead:)``):
            // a page at a time, each had faulted. Not all of it at once: a payee with no assignment
            // in a period leaves its room unused.
            if (position - range.lowerBound) % 64 == 0 {
                let statementsAhead = min(64, range.upperBound - position) * periods.count
                populateCapacity(of: &output.payouts, ahead: statementsAhead * (plan.components.count + 1))
                populateCapacity(of: &output.traces, ahead: statementsAhead * (plan.components.count + 1))
                populateCapacity(of: &output.measures, ahead: statementsAhead * (plan.measures.count + plan.derived.count))
            }
            let marks = (payouts: output.payouts.count, traces: output.traces.count, measures: output.measures.count)
            // The payee's first failure, with those of its later periods: a failing period does not
            // end the payee's evaluation, so one run says every period to correct (its lines are
            // taken back at the end; the run stores nothing anyway).
            var payeeFailure: EvaluationError? = nil
            payee = position
            drawBalances = [WideDecimal](repeating: .zero, count: plan.draws.count)
            // Per-year limit state belongs to one payee; snapshots per period let a clawback
            // restate an earlier period against what had been paid by then.
            paidPerYear = [:]
            paidSnapshots = [:]
            adjustedSoFar = [:]
            heldBack = [WideDecimal](repeating: .zero, count: plan.holdbacks.count)
            let rep = payees[position]
            let repID = roster.repIDs[Int(rep)]
            for period in periods.indices {
                do {
                    periodIndex = period
                    resetMemo()
                    resetNotes()
                    // Only a plan with per-year limits pays into `paidPerYear`; an empty one needs no
                    // snapshot (a missing snapshot reads as empty).
                    if !paidPerYear.isEmpty { paidSnapshots[period] = paidPerYear }
                    totalLimitNote = nil
                    guard let current = currentAssignment(of: rep, in: period) else { continue }
                    let assignmentIndex = Int(assignments.rosterRow[current])
                    // A rep who has left the plan still pays back a deal reversed after leaving that was
                    // charged back to a period the plan paid for: that period gets a clawback-only payout.
                    // So has one with no day on the plan inside its effective dates in the period (a row that
                    // ended before a plan in force from the 16th): its quota prorated to 0.
                    let departed = !computedOnPlan(rep, in: period, assignment: current)
                    if departed && lateCredits(chargedIn: period).isEmpty
                        && !hasSpiffTakeBack(payee: position, period: period)
                    {
                        continue
                    }
                    let context = Context(rep: rep, row: nil, assignmentIndex: assignmentIndex)
                    if !departed { for ref in plan.evaluationOrder { _ = try value(of: ref, context) } }
                    for (order, entry) in measureOrder.enumerated() where !departed {
                        let (name, digits, unit) = measureInfo[order]
                        let found = try value(of: entry.0, context)
                        // A value that is not a number (a condition, a date, a text), or none for this
                        // payee and period (a `let` reading an empty optional column), has its row
                        // too: FORMATS.md's row per payee, period and every measure or derived value
                        // (they had been left out).
                        guard case .number(let number) = found else {
                            let text: String?
                            switch found {
                            case .bool(let condition): text = condition ? "true" : "false"
                            case .date(let date): text = date.description
                            case .text(let value): text = value
                            case .number, .missing: text = nil
                            }
                            output.measures.append(
                                MeasureValue(
                                    rep: repID, period: periodNames[period], plan: plan.id, measure: name, order: order, value: nil,
                                    digits: digits, unit: unit, text: text))
                            continue
                        }
                        output.measures.append(
                            MeasureValue(
                                rep: repID, period: periodNames[period], plan: plan.id, measure: name, order: order,
                                value: try fixed(number, name, span: self.span(of: entry.0)), digits: digits, unit: unit))
                    }
                    // Clawbacks paid in this period are known before its limits: what they take back is
                    // no longer paid in the year, so a yearly cap or floor counts it from this period on.
                    let clawback = try clawbackAdjustment(in: period, context)
                    try countPaid(clawback)
                    // Restating this period later must see what the year had paid once its clawbacks
                    // were counted (the room they freed was spent here).
                    if !paidPerYear.isEmpty { paidSnapshots[period] = paidPerYear }
                    componentValues.removeAll(keepingCapacity: true)
                    for index in plan.components.indices {
                        // A payee who has left has only what is taken back: the clawback on the total,
                        // and a SPIFF's take-back of a reversed deal on its own line.
                        if departed && !isSpiff[index] {
                            componentValues.append(.zero)
                            continue
                        }
                        guard case .number(var amount) = try value(of: .component(ComponentID(index)), context) else {
                            throw failure(
                                "did not produce an amount: " + noAmountReason(plan.components[index], context),
                                what: plan.components[index].name, span: plan.components[index].span)
                        }
                        amount = try applyLimits(to: .component(ComponentID(index)), amount, context)
                        // A cap or floor does not undo the component's rounding rule.
                        amount = Exact.round(amount, plan.components[index].rounding)
                        componentValues.append(amount)
                    }
                    var total = WideDecimal.zero
                    if departed {
                        for amount in componentValues { total = try Exact.add(total, amount) }
                        total = try Exact.add(total, clawback.total)
                        var given: [String] = []
                        total = try Exact.add(total, try giveBackOverRecovered(&given))
                        if !given.isEmpty { Self.add(given.joined(separator: "; "), to: &totalLimitNote) }
                    } else {
                        for amount in componentValues { total = try Exact.add(total, amount) }
                        total = try applyLimits(to: .total, total, context)
                        total = Exact.round(
                            total, RoundingRule(mode: plan.defaultRoundingMode, digits: plan.currency.minorUnits, origin: .planDefault))
                        total = try Exact.add(total, clawback.total)
                        // A holdback of a component holds a share of it after its part of the
                        // period's clawbacks (it had held from a month the charge-back took below zero).
                        var earned = componentValues
                        if !plan.holdbacks.isEmpty {
                            for change in clawback.byOriginal {
                                for index in earned.indices where index < change.components.count {
                                    earned[index] = try Exact.add(earned[index], change.components[index])
                                }
                            }
                        }
                        total = try applyDrawsAndHoldbacks(total, clawback: clawback.total, components: earned, context)
                    }
                    if let note = clawback.note { Self.add(note, to: &totalLimitNote) }
                    // The roster's payout currency (default: the plan's): lines are converted at the fx
                    // rate of the period's last month and rounded to that currency's minor units.
                    let payout = roster.rows[assignmentIndex].currency ?? plan.currency
                    var paidComponents = componentValues
                    var paidTotal = total
                    // Said on every line: a line's rate and base are in the plan's currency.
                    var conversionNote: String? = nil
                    if payout != plan.currency {
                        let month = periods[period].endMonth - 1
                        guard let rate = data.fx.rate(payout, monthNumber: month), rate.units > 0 else {
                            if let line = data.fx.rejectedLine(payout, monthNumber: month) {
                                throw failure(
                                    "no fx rate for \(payout.code) in \(Period(kind: .month, containingMonth: month)) to pay this rep in "
                                        + "\(payout.code): its row in fx.csv (line \(line)) was rejected; correct that row")
                            }
                            // The same for every month missing the currency's rate: one line names
                            // them all (one a month had been said). A plan paying by quarter or
                            // year says each period's month on its own line.
                            var missing = failure(
                                "no fx rate for \(payout.code) in \(Period(kind: .month, containingMonth: month)) to pay this rep in \(payout.code): "
                                    + "add that month's \(payout.code) rate to fx.csv, or leave the rep's currency on the roster empty (roster.csv "
                                    + "line \(roster.rows[assignmentIndex].line)) to pay in \(plan.currency.code)")
                            if plan.period == .month {
                                missing.foldKey = "no fx rate for \(payout.code), roster.csv line \(roster.rows[assignmentIndex].line)"
                            }
                            throw missing
                        }
                        let rule = RoundingRule(mode: plan.defaultRoundingMode, digits: payout.minorUnits, origin: .planDefault)
                        let convert = { (amount: WideDecimal) throws in try amount.divided(by: WideDecimal(rate), scale: rule.digits, rounding: rule.mode) }
                        let text = "paid in \(payout.code) at \(rate) \(plan.currency.code) per \(payout.code)"
                        Self.add(text, to: &totalLimitNote)
                        conversionNote = text
                        // Each line converted and rounded on its own. A total that is the sum of its
                        // lines is the sum of the converted lines: the statement adds up (converted
                        // apart, it had been a minor unit off in about one statement in thirty). One
                        // that a cap, clawback, draw or holdback changed is converted whole (the note
                        // says why it differs).
                        var componentsSum = WideDecimal.zero
                        var convertedSum = WideDecimal.zero
                        for index in paidComponents.indices {
                            componentsSum = try Exact.add(componentsSum, componentValues[index])
                            paidComponents[index] = try convert(componentValues[index])
                            convertedSum = try Exact.add(convertedSum, paidComponents[index])
                        }
                        paidTotal = total == componentsSum ? convertedSum : try convert(total)
                    }
                    let rows = creditRows(forPayee: position, period: period)
                    // Most lines read every credit rule: their row set is the total's, encoded once.
                    let allRows = RowSet(rows: rows)
                    let periodName = periodNames[period]
                    // The total's rows are its lines' (with any reversal charged back here): the
                    // period's credits when a line reads every credit rule, plus the rows of lines that
                    // have their own (a SPIFF's, an override's, earlier periods' under a ytd measure).
                    var totalReadsAll = false
                    var otherRows = clawback.rows
                    for index in plan.components.indices {
                        // Moved out, not copied (a copy retained and released each of its texts):
                        // nothing reads the period's notes after its lines, and the next period resets them.
                        var note = TraceNote()
                        swap(&note, &notes[index])
                        // The line's own transactions: a SPIFF's qualifying rows, or the credits of the
                        // rules it reads through its measures and values.
                        let fed: RowSet
                        if let own = note.rows {
                            fed = RowSet(rows: own)
                            otherRows += own
                        } else if readsEveryRule[index] {
                            fed = allRows
                            totalReadsAll = true
                        } else {
                            var own: [Int32] = []
                            for (rule, window) in feeding[index].sorted(by: { $0.key < $1.key }) {
                                let range = periods(of: window, through: period)
                                for earlier in range {
                                    own += creditRows(forPayee: position, period: earlier, rules: [rule])
                                }
                                // A reversal charged back to an earlier period of the window counts in
                                // it from its own period on (as the measure does): listed with its deal.
                                if range.count > 1 {
                                    for late in lateCredits(rule, position, originals: range.lowerBound..<period) where late.reversal <= period {
                                        own.append(late.credit.row)
                                    }
                                }
                            }
                            fed = RowSet(rows: own)
                            otherRows += own
                        }
                        // A formula that uses a table in a larger expression (`curve(attainment) * target
                        // / 12`): the formula is the rule, the table's tier, rate and base its details.
                        var rule = componentKinds[index]
                        var tier = note.tier
                        var rate = note.rate
                        var base = note.base
                        if !note.earlierTables.isEmpty, note.currentTable != nil {
                            // Several tables: each one's tier, and its rate and base named by the table.
                            let tables = note.tableParts
                            tier = tables.map { $0.rule + ($0.tier.map { ", " + $0 } ?? "") }.joined(separator: "; ")
                            let rates = tables.compactMap { part in part.rate.map { part.table + ": " + $0 } }
                            let bases = tables.compactMap { part in part.base.map { part.table + ": " + $0 } }
                            rate = rates.isEmpty ? nil : rates.joined(separator: "; ")
                            base = bases.isEmpty ? nil : bases.joined(separator: "; ")
                        } else if let noted = note.rule {
                            if isFormula[index] && !bareTable[index] {
                                tier = noted + (note.tier.map { ", " + $0 } ?? "")
                            } else {
                                rule = noted
                            }
                        }
                        // The input-table values a formula read, with their lines, after its base.
                        if !note.inputs.isEmpty {
                            base = ([base].compactMap { $0 } + note.inputs).joined(separator: "; ")
                        }
                        output.traces.append(
                            TraceRecord(
                                plan: plan.id, component: componentNames[index], rule: rule,
                                source: componentLocations[index], tier: tier, rate: rate, base: base,
                                limit: conversionNote.map { text in note.limit.map { $0 + "; " + text } ?? text } ?? note.limit, transactions: fed))
                        output.payouts.append(
                            PayoutLine(
                                rep: repID, period: periodName, plan: plan.id, component: componentNames[index],
                                order: index, amount: try fixed(paidComponents[index], componentNames[index], span: plan.components[index].span),
                                currency: payout,
                                trace: output.traces.count - 1))
                    }
                    let totalRows: RowSet
                    if totalReadsAll {
                        totalRows = otherRows.isEmpty ? allRows : RowSet(rows: rows + otherRows)
                    } else {
                        totalRows = RowSet(rows: otherRows)
                    }
                    output.traces.append(
                        TraceRecord(
                            plan: plan.id, component: "total", rule: "sum of the components", source: planLocation,
                            limit: totalLimitNote, transactions: totalRows))
                    output.payouts.append(
                        PayoutLine(
                            rep: repID, period: periodName, plan: plan.id, component: "total",
                            order: plan.components.count, amount: try fixed(paidTotal, "total", span: plan.span), currency: payout,
                            trace: output.traces.count - 1))
                } catch {
                    let failed = error as? EvaluationError ?? failure(String(describing: error), what: evaluatingName)
                    evaluatingComponent = nil
                    restating = false
                    if payeeFailure == nil { payeeFailure = failed } else { payeeFailure?.addLater(failed) }
                }
            }
            if let payeeFailure {
                // The payee is left out and the next one evaluated: a run that fails lists every
                // payee that failed (the first ones), not only the first (fixing one after another,
                // a run at a time).
                payeeFailures.append(payeeFailure)
                output.payouts.removeSubrange(marks.payouts...)
                output.traces.removeSubrange(marks.traces...)
                output.measures.removeSubrange(marks.measures...)
            }
        }
        return output
    }

    /// Why `component` has no amount for the payee and period: the rep attributes with none that
    /// left it without one (followed through the parts of it that have no value, its `let`s, and
    /// the branch an `if` took; one already guarded is not blamed), named, with where they are
    /// empty and how to write the component around them (the message had named
    /// rep.target_incentive, whatever the component read).
    func noAmountReason(_ component: Component, _ context: Context) -> String {
        var empty: [Attribute] = []
        var seenLets = Set<Int>()
        func walk(_ expr: Expr, depth: Int) {
            // Only a part with no value is followed (the failure path: evaluating again is cheap,
            // and the period's lines are dropped anyway).
            guard depth < 256, (try? eval(expr, context)) == .missing else { return }
            switch expr.kind {
            case .attribute(let id) where id.index < plan.attributes.count:
                let attribute = plan.attributes[id.index]
                if attribute.scope == .rep, !empty.contains(attribute) { empty.append(attribute) }
            case .derived(let id) where id.index < plan.derived.count:
                if seenLets.insert(id.index).inserted { walk(plan.derived[id.index].expr, depth: depth + 1) }
            case .conditional(let condition, let then, let otherwise):
                // The branch taken (a condition with no value is false).
                walk((try? eval(condition, context)) == .bool(true) ? then : otherwise, depth: depth + 1)
            default:
                for child in expr.children { walk(child, depth: depth + 1) }
            }
        }
        if case .formula(let expr) = component.body { walk(expr, depth: 0) }
        guard let first = empty.first else {
            return "a value it reads has none for this payee and period (an empty optional column has no value; fill it in, or write "
                + "the component as 'if … > 0 … then … else 0 \(plan.currency.code)': a comparison with no value is false)"
        }
        let names = empty.map { attribute -> String in
            // (Whether the roster has the built-in optional columns is not kept.)
            let place =
                ["end", "target_incentive"].contains(attribute.name)
                ? "empty on this rep's roster.csv row, or not a column of roster.csv"
                : roster.attributeNames.contains(attribute.name)
                    ? "empty on this rep's roster.csv row" : "roster.csv has no column \"\(attribute.name)\""
            return "rep.\(attribute.name) (\(place))"
        }
        let zero: String?
        switch first.type {
        case .money: zero = "0 \(plan.currency.code)"
        case .rate: zero = "0%"
        case .count: zero = "0"
        default: zero = nil
        }
        let fill = names.count == 1 ? "fill it in on the roster" : "fill them in on the roster"
        let hint = zero.map { "\(fill), or write the component as 'if rep.\(first.name) > \($0) then … else 0 \(plan.currency.code)': a comparison with no value is false" }
            ?? fill
        return (names.count == 1 ? "\(names[0]) has no value for this payee" : "\(names.joined(separator: " and ")) have no value for this payee")
            + "; \(hint)"
    }

    /// Where a measure, value or component is declared.
    func span(of ref: ValueRef) -> SourceSpan {
        switch ref {
        case .measure(let id): return plan.measures[id.index].span
        case .derived(let id): return plan.derived[id.index].span
        case .component(let id): return plan.components[id.index].span
        }
    }

    /// Narrows an exact value to the stored form; an overflow names the rep, period and line.
    /// `span` is read only on a failure (a component's span copied on every line cost retains).
    func fixed(_ value: WideDecimal, _ name: String, span: @autoclosure () -> SourceSpan? = nil) throws -> FixedDecimal {
        do {
            return try Exact.toFixed(value)
        } catch {
            throw failure(
                "\(value) does not fit the stored range (±9223372036854.775807)\(largestCreditNote(value))", what: name, span: span())
        }
    }

    /// Where an amount past the stored range most likely came from: the payee-period's credited
    /// transaction of the largest amount, with its line, when that amount alone is at least a
    /// thousandth of `value` (a mistyped amount); empty otherwise (a plan's factor, a parameter,
    /// a table: the transactions are not to blame).
    func largestCreditNote(_ value: WideDecimal) -> String {
        guard payee >= 0, periodIndex >= 0 else { return "" }
        let transactions = data.transactions
        var largest: Int? = nil
        for row in creditRows(forPayee: payee, period: periodIndex) where Int(row) < transactions.count {
            if let known = largest, transactions.amounts[known].magnitude >= transactions.amounts[Int(row)].magnitude { continue }
            largest = Int(row)
        }
        guard let row = largest else { return "" }
        // Compared in whole units, whatever the currencies: a rough test of "the cause is this row".
        let units = Int128(transactions.amounts[row].magnitude) / 1_000_000
        let whole = value.value.magnitude / UInt128(powerOfTen(value.scale))
        guard units > 0, UInt128(units) * 1_000 >= whole else { return "" }
        let amount = "\(FixedDecimal(units: transactions.amounts[row])) \(transactions.money(at: row).currency.code)"
        return "; the payee-period's largest credit is transactions.csv line \(transactions.line(of: row)), \(amount): check it"
    }

    func creditRows(forPayee position: Int, period: Int, rules: Set<Int>? = nil) -> [Int32] {
        var rows: [Int32] = []
        func append(_ rule: Int) {
            let group = credits.group(rule: rule, payee: position, period: period)
            credits.appendRows(of: group, to: &rows)
            if !restatedCredits.isEmpty, let extra = restatedCredits[group] { for credit in extra { rows.append(credit.row) } }
        }
        // The rules asked for, in rule order (looking each of the plan's rules up in them made a
        // component's rows cost every rule of the plan: quadratic in a plan of many rules).
        if let rules {
            for rule in rules.count == 1 ? Array(rules) : rules.sorted() { append(rule) }
            return rows
        }
        // Every rule (each payee-period's lines): room for all their rows first (grown row by row,
        // the array was copied five or six times for a month's credits).
        var count = 0
        for rule in plan.creditRules.indices { count += credits.count(of: credits.group(rule: rule, payee: position, period: period)) }
        rows.reserveCapacity(count)
        for rule in plan.creditRules.indices { append(rule) }
        return rows
    }

    /// Per component, the credit rules it reads (through measures, derived values, other
    /// components, table gates, per-transaction tables and overrides), each with the widest window
    /// it is read over: a line reading a year-to-date measure of a rule was fed by the year's rows
    /// of that rule (not of every rule it reads).
    var feedingRules: [[Int: MeasureWindow]] {
        if let cached = feedingRulesCache { return cached }
        typealias Feed = [Int: MeasureWindow]
        var memo: [ValueRef: Feed] = [:]
        // What each table's gates read, once per table (a gate reading another table, whose gates
        // read another, was walked again at every use: exponentially).
        var gateMemo: [Int: Feed] = [:]
        func merge(_ found: inout Feed, _ more: Feed) {
            found.merge(more) { $0.widest($1) }
        }
        func gates(of table: TableID) -> Feed {
            if let known = gateMemo[table.index] { return known }
            gateMemo[table.index] = [:]
            var found: Feed = [:]
            for tier in plan.tables[table.index].tiers { merge(&found, feed(tier.gate)) }
            gateMemo[table.index] = found
            return found
        }
        func feed(_ expr: Expr?) -> Feed {
            guard let expr else { return [:] }
            var found: Feed = [:]
            switch expr.kind {
            case .measure(let id): merge(&found, feed(of: .measure(id)))
            case .derived(let id): merge(&found, feed(of: .derived(id)))
            case .component(let id): merge(&found, feed(of: .component(id)))
            // A quota is looked up, not summed: its measure's rule is read, over no window.
            case .quota(let id): merge(&found, feed(of: .measure(plan.quotas[id.index].measure)).mapValues { _ in .period })
            case .applyTablePerTransaction(let table, let rule):
                merge(&found, [rule.index: .period])
                merge(&found, gates(of: table))
            case .applyTable(let table, _, _):
                // A tier's gate (`if annual_attainment >= 100%`) decides the rate: what it reads fed the line.
                merge(&found, gates(of: table))
            default: break
            }
            for child in expr.children { merge(&found, feed(child)) }
            return found
        }
        func feed(of ref: ValueRef) -> Feed {
            if let known = memo[ref] { return known }
            memo[ref] = [:]  // the checker rejects cycles; this only stops a runaway walk
            let result: Feed
            switch ref {
            case .measure(let id): result = [plan.measures[id.index].creditRule.index: plan.measures[id.index].window]
            case .derived(let id): result = feed(plan.derived[id.index].expr)
            case .component(let id):
                switch plan.components[id.index].body {
                case .formula(let expr): result = feed(expr)
                case .spiff: result = [:]
                case .override(let override):
                    var found = feed(override.threshold)
                    merge(&found, [override.creditRule.index: .period])
                    result = found
                }
            }
            memo[ref] = result
            return result
        }
        let computed = plan.components.indices.map { feed(of: .component(ComponentID($0))) }
        feedingRulesCache = computed
        return computed
    }

    /// The run periods a measure over `window` reads in `period`: the period itself, or the run's
    /// periods from the start of its fiscal quarter or year (as ``aggregate(_:_:)`` sums them).
    func periods(of window: MeasureWindow, through period: Int) -> ClosedRange<Int> {
        guard window != .period else { return period...period }
        let start = periods[period].enclosing(window == .quarterToDate ? .quarter : .year).firstMonth
        let first = periods.firstIndex { $0.firstMonth >= start } ?? period
        return min(first, period)...period
    }

    func describe(_ body: ComponentBody) -> String {
        switch body {
        case .formula(let expr):
            // An XML plan writes a graduated formula as elements, not one text: each part is
            // quoted (the line had said only "formula").
            if case .graduated(let value, let floor, let step, let amount, let ceiling) = expr.kind,
                expr.span.file < sources.count, let source = sources[expr.span.file], isXML(source),
                let value = sourceText(value.span), let floor = sourceText(floor.span), let step = sourceText(step.span),
                let amount = sourceText(amount.span)
            {
                let upTo = ceiling.flatMap { sourceText($0.span) }.map { " up to " + $0 } ?? ""
                return "formula graduated \(value) above \(floor) pays \(amount) per \(step)" + upTo
            }
            return sourceText(expr.span).map { "formula " + $0 } ?? "formula"
        case .spiff: return "spiff"
        case .override: return "manager override"
        }
    }

    /// Caps and floors on a component or the total, per period or per fiscal year.
    func applyLimits(to target: LimitTarget, _ amount: WideDecimal, _ context: Context) throws -> WideDecimal {
        var applying: Int? = nil
        do {
            return try applyLimits(to: target, amount, context, applying: &applying)
        } catch let error as EvaluationError {
            throw error
        } catch {
            // An arithmetic failure (an overflow) names the cap or floor it came from, at its place.
            guard let index = applying else { throw error }
            let limit = plan.limits[index]
            let bounded: String
            switch limit.target {
            case .total: bounded = "the total"
            case .component(let id): bounded = plan.components[id.index].name
            }
            throw failure(
                String(describing: error), what: "\(limit.kind.rawValue) on \(bounded)\(limit.per == .year ? " per year" : "")", span: limit.span)
        }
    }

    /// ``applyLimits(to:_:_:)``, with the limit being applied in `applying`.
    private func applyLimits(to target: LimitTarget, _ amount: WideDecimal, _ context: Context, applying: inout Int?) throws -> WideDecimal {
        prepareLimitBounds()
        switch target {
        case .component(let id): if id.index < limitBounds.componentLimited.count && !limitBounds.componentLimited[id.index] { return amount }
        case .total: if !limitBounds.totalLimited { return amount }
        }
        var result = amount
        // A bound is paid at the digits of what it bounds, rounded inside it: a cap of 150.50 on
        // a component rounded to whole units pays 150 (its own rounding had made it 151), a floor
        // of 100.40 pays 101. What a yearly limit counts is then what was paid.
        let digits: Int
        switch target {
        case .component(let id): digits = plan.components[id.index].rounding.digits
        case .total: digits = plan.currency.minorUnits
        }
        let belowCap = RoundingRule(mode: .floor, digits: digits, origin: .planDefault)
        let aboveFloor = RoundingRule(mode: .ceiling, digits: digits, origin: .planDefault)
        // Each yearly limit counts what is paid once every limit of the target has been applied,
        // not what it let through itself: a per-year cap declared before a per-period cap had
        // counted the amount before the period cap as paid, and underpaid the year.
        var yearly: [(index: Int, year: Int)] = []
        // Floors first, then caps, whatever order they are written in: where a floor and a cap
        // cannot both hold (a yearly cap used up, then a floor per period), the cap wins, and the
        // order had decided which one did.
        for kind in Self.limitKindsInOrder {
            // Indices first: enumerating the limits copied each one, a plan's every limit for
            // every component and period.
            for index in plan.limits.indices where plan.limits[index].target == target && plan.limits[index].kind == kind {
                let limit = plan.limits[index]
                applying = index
                let value = try limitBound(index, context)
                guard case .number(let bound) = value else {
                    // Missing (e.g. no target incentive): no limit this period. A yearly one still
                    // counts what the period pays: a bound set later in the year leaves room only
                    // for what the year has not paid already (months without one had been left out).
                    if limit.per == .year { yearly.append((index, periods[periodIndex].fiscalYear)) }
                    continue
                }
                let before = result
                // What the note adds: a yearly limit's year so far, and a bound paid rounded inside it.
                var yearText = ""
                // What the limit set before it was rounded inside itself.
                var reached = bound
                defer {
                    if result != before {
                        if limitLocations.isEmpty { limitLocations = plan.limits.map { location($0.span) } }
                        // "cap at 18250.00 USD, from 32045.05 USD": what the limit bound, and what it bound.
                        // (Written as bytes into one buffer: string appends were a tenth of a period's evaluation.)
                        textScratch.removeAll(keepingCapacity: true)
                        textScratch.appendUTF8(limit.kind.rawValue)
                        if limit.per == .year { textScratch.appendLiteral(" per year") }
                        textScratch.appendLiteral(" at ")
                        appendLimitMoney(bound, to: &textScratch)
                        textScratch.appendUTF8(yearText)
                        textScratch.appendLiteral(", from ")
                        appendLimitMoney(before, to: &textScratch)
                        if limit.per == .year && limit.kind == .cap && reached.signum < 0 {
                            // Not a rounding: the year was paid past the cap before (the bound fell
                            // mid-year), and a cap takes nothing back.
                            textScratch.appendLiteral(", paid as ")
                            appendLimitMoney(result, to: &textScratch)
                            textScratch.appendLiteral(": the year is past the cap already")
                        } else if result != reached {
                            let unit = digits == 0 ? "whole units" : "\(digits) digit\(digits == 1 ? "" : "s")"
                            textScratch.appendLiteral(", paid as ")
                            appendLimitMoney(result, to: &textScratch)
                            textScratch.appendUTF8(": rounded inside the \(limit.kind.rawValue) to \(unit)")
                        }
                        textScratch.appendLiteral(" (")
                        textScratch.appendUTF8(limitLocations[index])
                        textScratch.appendLiteral(")")
                        let text = String(decoding: textScratch, as: UTF8.self)
                        // Each limit that bound is said, in the order they applied (a yearly cap's
                        // note alone had hidden the cap per period that bound before it).
                        if case .component(let id) = target {
                            Self.add(text, to: &notes[id.index].limit)
                        } else {
                            Self.add(text, to: &totalLimitNote)
                        }
                    }
                }
                switch limit.per {
                case .period:
                    if limit.kind == .cap && result > bound { result = Exact.round(bound, belowCap) }
                    if limit.kind == .floor && result < bound { result = Exact.round(bound, aboveFloor) }
                case .year:
                    let year = periods[periodIndex].fiscalYear
                    let paid = paidPerYear[paidKey(limit: index)]?[year] ?? .zero
                    let room = try Exact.subtract(bound, paid)
                    reached = room
                    yearText = " (\(limitMoney(paid)) paid in the year so far: \(limitMoney(room)) \(limit.kind == .cap ? "left" : "to reach it"))"
                    // A year that has paid past its cap already (the bound fell mid-year) pays nothing
                    // more; a cap never takes money back (a negative amount passes through).
                    if limit.kind == .cap && result > room {
                        result = room.signum >= 0 ? Exact.round(room, belowCap) : min(result, .zero)
                    }
                    // The year ends here, or the plan does (its last effective period tops the
                    // year up: no later period of the plan would).
                    let yearEnds =
                        periods[periodIndex].endMonth == periods[periodIndex].enclosing(.year).endMonth || holdsPlanEnd(periods[periodIndex])
                    // A restated period is not topped up again: the year's floor was settled when it
                    // was paid, and a deal reversed after it is taken back whole.
                    if limit.kind == .floor && result < room && yearEnds && !restating {
                        result = Exact.round(room, aboveFloor)
                    }
                    yearly.append((index, year))
                }
            }
        }
        if !restating {
            for entry in yearly {
                applying = entry.index
                try countPaid(result, limit: entry.index, year: entry.year)
            }
        }
        return result
    }

    /// Fills ``limitBounds``' per-plan facts, once.
    @inline(__always)
    func prepareLimitBounds() {
        guard limitBounds.invariant.count != plan.limits.count || limitBounds.componentLimited.count != plan.components.count else { return }
        limitBounds.invariant = plan.limits.map { LimitBounds.readsOnlyRosterRow($0.amount, plan) }
        limitBounds.known = plan.limits.map { _ in nil }
        limitBounds.componentLimited = plan.components.indices.map { index in
            plan.limits.contains { $0.target == .component(ComponentID(index)) }
        }
        limitBounds.totalLimited = plan.limits.contains { $0.target == .total }
    }

    /// The bound of limit `index` for the current payee and period: evaluated once per payee and
    /// roster row when it reads only constants and the rep's roster row.
    func limitBound(_ index: Int, _ context: Context) throws -> EvalValue {
        prepareLimitBounds()
        guard limitBounds.invariant[index], context.row == nil, pinnedAttribute == nil else { return try eval(plan.limits[index].amount, context) }
        if let known = limitBounds.known[index], known.payee == payee, known.assignment == context.assignmentIndex { return known.value }
        let value = try eval(plan.limits[index].amount, context)
        limitBounds.known[index] = (payee, context.assignmentIndex, value)
        return value
    }

    /// An amount in a limit's note, in the plan's currency with every digit it has (at least the
    /// currency's): a bound of 1.00001 is not shown as 1.00.
    func limitMoney(_ value: WideDecimal) -> String {
        var text: [UInt8] = []
        appendLimitMoney(value, to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends ``limitMoney(_:)``'s text of `value` to `text`.
    func appendLimitMoney(_ value: WideDecimal, to text: inout [UInt8]) {
        value.appendFormatted(fractionDigits: max(plan.currency.minorUnits, value.exactFractionDigits), to: &text)
        text.append(0x20)
        text.appendUTF8(plan.currency.code)
    }

    /// The key of the current payee's counter for yearly limit `limit` in ``paidPerYear``.
    func paidKey(limit: Int) -> Int { payee * 1_000_003 + limit }

    /// Adds `amount`, paid on top of the total in the current period, to what the current payee
    /// was paid in the period's fiscal year under every yearly limit of the total.
    func countPaidPerYear(_ amount: WideDecimal) throws {
        guard !restating else { return }
        let year = periods[periodIndex].fiscalYear
        for (index, limit) in plan.limits.enumerated() where limit.per == .year {
            if case .total = limit.target { try countPaid(amount, limit: index, year: year) }
        }
    }

    /// Adds `amount` to what the current payee was paid in fiscal `year` under yearly limit `limit`.
    func countPaid(_ amount: WideDecimal, limit: Int, year: Int) throws {
        let key = paidKey(limit: limit)
        paidPerYear[key, default: [:]][year] = try Exact.add(paidPerYear[key]?[year] ?? .zero, amount)
    }

    // MARK: Values

    struct Context {
        let rep: RepIndex
        let row: Int?
        /// Index of the roster row in force (not the row itself: copying it per context costs retains).
        let assignmentIndex: Int
        /// For a reversal's filters and credit weight: the deal it reverses (the root of a chain),
        /// whose `txn.amount` and `txn.quantity` (and `fx` of them) are read instead of the
        /// reversal's own (``PlanEvaluation/dealSized(_:row:)``).
        var deal: Int? = nil
    }

    /// ``Context`` for the filters and credit weight of `row`: a reversal's size is its deal's. A
    /// size threshold judges a reversal by the deal it cancels, so a cancelled 50,000 deal of a
    /// rule `where fx(txn.amount) > 10000 USD` is taken back (its own −50,000 had failed the
    /// filter, and the deal stayed paid) and a 4,000 deal the rule left out is not. Everything
    /// else (kind, product, dates, `is_reversal`) is the reversal's own, as REFERENCE_PLAN.md has
    /// reversals ("ordinary rows: … their own kind, date and month's rate"); so is the amount
    /// credited.
    func dealSized(_ context: Context, row: Int) -> Context {
        guard reversalBits.contains(row) else { return context }
        return Context(
            rep: context.rep, row: context.row, assignmentIndex: context.assignmentIndex,
            deal: transactions.reversals.rootDeal(of: row))
    }

    func value(of ref: ValueRef, _ context: Context) throws -> EvalValue {
        let slot = memoSlot(ref)
        if memo.count > slot, let known = memo[slot] { return known }
        let outerName = evaluatingName
        defer { evaluatingName = outerName }
        let name: String
        switch ref {
        case .measure(let id): name = plan.measures[id.index].name
        case .derived(let id): name = plan.derived[id.index].name
        case .component(let id): name = plan.components[id.index].name
        }
        evaluatingName = name
        do {
            return try computeValue(of: ref, context)
        } catch let error as EvaluationError {
            throw error
        } catch {
            // Arithmetic failures (overflow) name the rep, period and value being computed, and
            // where the value is written.
            throw failure(String(describing: error), what: name, span: span(of: ref))
        }
    }

    func computeValue(of ref: ValueRef, _ context: Context) throws -> EvalValue {
        let result: EvalValue
        // Fields are read in place: copying a measure or a component (names, expressions) cost
        // retains and releases per value.
        switch ref {
        case .measure(let id):
            result = try aggregate(plan.measures[id.index], context)
        case .derived(let id):
            let outer = evaluatingLet
            evaluatingLet = id.index
            defer { evaluatingLet = outer }
            result = try rounded(eval(plan.derived[id.index].expr, context), plan.derived[id.index].rounding)
        case .component(let id):
            let outer = evaluatingComponent
            let outerLet = evaluatingLet
            evaluatingComponent = id.index
            evaluatingLet = nil
            defer {
                evaluatingComponent = outer
                evaluatingLet = outerLet
            }
            let raw: EvalValue
            switch plan.components[id.index].body {
            case .formula(let expr): raw = try eval(expr, context)
            case .spiff(let spiff): raw = try evaluateSpiff(spiff, context)
            case .override(let override): raw = try evaluateOverride(override, context)
            }
            result = rounded(raw, plan.components[id.index].rounding)
        }
        let slot = memoSlot(ref)
        if memo.count <= slot { resetMemo() }
        memo[slot] = result
        return result
    }

    /// The memo slot of a measure, derived value or component.
    @inline(__always)
    func memoSlot(_ ref: ValueRef) -> Int {
        switch ref {
        case .measure(let id): return id.index
        case .derived(let id): return plan.measures.count + id.index
        case .component(let id): return plan.measures.count + plan.derived.count + id.index
        }
    }

    /// Forgets the values and quotas of the payee-period evaluated last.
    func resetMemo() {
        if !gateMemo.isEmpty { gateMemo.removeAll(keepingCapacity: true) }
        let count = plan.measures.count + plan.derived.count + plan.components.count
        if memo.count == count {
            for index in memo.indices { memo[index] = nil }
        } else {
            memo = [EvalValue?](repeating: nil, count: count)
        }
        if !proratedQuotas.isEmpty { proratedQuotas.removeAll(keepingCapacity: true) }
        if quotaMemo.count == plan.quotas.count {
            for index in quotaMemo.indices { quotaMemo[index] = nil }
        } else {
            quotaMemo = [EvalValue?](repeating: nil, count: plan.quotas.count)
        }
        // Notes are kept (a restatement saves and restores them), but must exist before any
        // component is evaluated.
        if notes.count != noteCount { notes = [TraceNote](repeating: TraceNote(), count: noteCount) }
    }

    /// Empties every component's trace note (arrays by component: a dictionary cost a hash per
    /// note read and written, several per payee-period).
    func resetNotes() {
        if notes.count == noteCount {
            for index in notes.indices { notes[index] = TraceNote() }
        } else {
            notes = [TraceNote](repeating: TraceNote(), count: noteCount)
        }
    }

    func rounded(_ value: EvalValue, _ rule: RoundingRule) -> EvalValue {
        if case .number(let number) = value { return .number(Exact.round(number, rule)) }
        return value
    }

    func aggregate(_ measure: Measure, _ context: Context) throws -> EvalValue {
        let rule = measure.creditRule.index
        let range = periods(of: measure.window, through: periodIndex)
        var sum = WideDecimal.zero
        var count = 0
        var low: WideDecimal? = nil
        var high: WideDecimal? = nil
        // Only what the aggregation needs is tracked (a sum of ~100 credits per payee-period is the
        // common case).
        let aggregation = measure.aggregation
        let needsSum = aggregation == .sum || aggregation == .avg
        let needsCount = aggregation == .count || aggregation == .avg
        func add(_ credit: Credit) throws {
            let value = credit.value
            switch aggregation {
            case .min: if low.map({ value < $0 }) ?? true { low = value }
            case .max: if high.map({ value > $0 }) ?? true { high = value }
            default: break
            }
            if needsSum { sum = try Exact.add(sum, value) }
            // A reversal takes its deal back out of a count (a reversal of it puts it back).
            if needsCount { count += cancellationBits.contains(Int(credit.row)) ? -1 : 1 }
        }
        for period in range {
            if credits.isSummed {
                // Summed in the crediting pass.
                let group = credits.group(rule: rule, payee: payee, period: period)
                let (groupSum, groupCount) = credits.summary(of: group)
                if needsSum {
                    guard let groupSum else {
                        // Too large, or (realistic amounts) too many fraction digits: said how to
                        // shorten the latter.
                        throw failure(
                            "the exact sum of the \(plan.creditRules[rule].name) credits of \(periods[period]) overflows 38 digits: its "
                                + "credits are too large, or carry too many fraction digits (an fx rate, weights and split shares "
                                + "multiplied: round the rule's weight, as in 'weight round(33.3333% * 90.0001%, 6)')",
                            what: measure.name)
                    }
                    sum = try Exact.add(sum, groupSum)
                }
                if needsCount { count += groupCount }
                if !restatedCredits.isEmpty, let extra = restatedCredits[group] { for credit in extra { try add(credit) } }
            } else {
                for credit in try creditGroup(rule, payee, period) { try add(credit) }
            }
        }
        // Reversals charged back to an earlier period of a QTD/YTD window count in the window from
        // the period they happen in (the period itself is restated by the clawback instead). A
        // restated period's window counts those its restatement has reached: restated as of
        // April, March's quarter no longer holds a January deal reversed in March (it had, and a
        // quarterly bonus that deal had lifted stayed paid).
        if range.count > 1 {
            let through = restating ? restatedThrough : periodIndex
            for late in lateCredits(rule, payee, originals: range.lowerBound..<periodIndex)
            where (late.reversal <= through || (!restatedAdding.isEmpty && restatedAdding.contains(late.credit.row)))
                && (restatedLeavingOut.isEmpty || !restatedLeavingOut.contains(late.credit.row))
            {
                try add(late.credit)
            }
        }
        let value: WideDecimal
        switch measure.aggregation {
        case .sum: value = sum
        case .count: value = WideDecimal(Int64(count))
        case .min: value = low ?? .zero
        case .max: value = high ?? .zero
        case .avg:
            // The average deal: reversals take deals back out of the count; with none left, 0.
            value = count <= 0 ? .zero : try sum.divided(by: WideDecimal(Int64(count)), scale: 18, rounding: measure.rounding.mode)
        }
        return .number(Exact.round(value, measure.rounding))
    }

    /// "spiff: 3 qualifying transactions in the window", made once per count (every payee-period
    /// with a SPIFF has one).
    /// How many of `rows` take a deal back (a reinstatement puts it back: it qualifies as the
    /// deal does).
    func reversalCount(_ rows: [Int32]) -> Int {
        rows.reduce(0) { $0 + (cancellationBits.contains(Int($1)) ? 1 : 0) }
    }

    func spiffRuleText(count: Int, reversals: Int = 0) -> String {
        // A reversal in the window qualifies too, and takes back what its deal paid: said, so
        // that "2 qualifying transactions" paying 0.00 reads right.
        if reversals > 0 {
            return "spiff: \(count) qualifying transaction\(count == 1 ? "" : "s") in the window, "
                + (reversals == count ? (count == 1 ? "a reversal" : "all reversals") : reversals == 1 ? "1 of them a reversal" : "\(reversals) of them reversals")
        }
        if count < spiffRuleTexts.count { return spiffRuleTexts[count] }
        let text = "spiff: \(count) qualifying transaction\(count == 1 ? "" : "s") in the window"
        if count == spiffRuleTexts.count && count < 4096 { spiffRuleTexts.append(text) }
        return text
    }

    func evaluateSpiff(_ spiff: Spiff, _ context: Context) throws -> EvalValue {
        var total = WideDecimal.zero
        var qualifying: [Int32] = []
        defer {
            if !restating { spiffRows.append(contentsOf: qualifying) }
            if let component = evaluatingComponent {
                notes[component].rows = qualifying
                if notes[component].rule == nil {
                    notes[component].rule = spiffRuleText(count: qualifying.count, reversals: reversalCount(qualifying))
                }
            }
        }
        if let component = evaluatingComponent, let slot = compiled.spiffSlots[component],
            !spiffFallback.contains(spiffHits.group(rule: slot, payee: payee, period: periodIndex))
        {
            // Qualified and valued in the crediting pass.
            for hit in spiffHits[slot, payee, periodIndex] {
                qualifying.append(hit.row)
                total = try Exact.add(total, hit.value)
            }
        } else {
            let rep = payees[payee]
            let compiledSpiff = evaluatingComponent.flatMap { compiled.spiffSlots[$0] }.map { compiled.spiffs[$0] }
                ?? compileSpiff(spiff, compiling: false)
            for stored in payeeRows(period: periodIndex) {
                let row = Int(stored)
                guard let contribution = try spiffContribution(compiledSpiff, row: row, rep: rep) else { continue }
                qualifying.append(Int32(row))
                total = try Exact.add(total, contribution)
            }
        }
        if case .tieredByCount(let tableID) = spiff.payout {
            let paid = try applyTable(tableID, value: total, quota: nil, context)
            // Said as what it is: a count of deals looked up (the table's own rule, "on amount",
            // and a bare "3" had read as a rate paid on 3).
            let table = plan.tables[tableID.index]
            if let component = evaluatingComponent, notes[component].table == table.name {
                let count = total.formatted(fractionDigits: 0)
                notes[component].rule = "\(table.mode.rawValue) table \(table.name) by count of qualifying deals"
                var base = "\(count) qualifying deal\(count == "1" || count == "-1" ? "" : "s")"
                // A reversal in the window takes one back: the rows counted say so.
                let reversals = reversalCount(qualifying)
                if reversals > 0 {
                    base += " (\(qualifying.count) in the window, " + (reversals == 1 ? "1 of them a reversal" : "\(reversals) of them reversals") + ")"
                }
                notes[component].base = base
            }
            return .number(paid)
        }
        if let component = evaluatingComponent, !qualifying.isEmpty, notes[component].rate == nil {
            noteSpiffRate(spiff, rows: qualifying, context, component: component)
        }
        return .number(total)
    }

    /// A SPIFF line's rate and base, when it pays a constant: "150.00 USD per unit" on "13
    /// units", "500.00 USD per deal" on "3 deals" (a cancellation counts one back), "2%" on the
    /// qualifying amounts in the plan's currency. (A pay that depends on the transaction has no
    /// one rate: the rows are the trace.)
    func noteSpiffRate(_ spiff: Spiff, rows: [Int32], _ context: Context, component: Int) {
        let expr: Expr
        switch spiff.payout {
        case .perUnit(let e), .perDeal(let e), .percentOfAmount(let e): expr = e
        case .tieredByCount: return
        }
        guard expr.isConstant(derived: { $0.index < plan.derived.count ? plan.derived[$0.index].expr : nil }), case .number(let value)? = try? eval(expr, context) else { return }
        func plural(_ count: Int64, _ noun: String) -> String { "\(count) \(noun)\(count == 1 || count == -1 ? "" : "s")" }
        switch spiff.payout {
        case .perUnit:
            var units: Int64 = 0
            for row in rows { units &+= Int64(transactions.quantities[Int(row)]) }
            notes[component].rate = tableValueText(value, rateValued: false) + " per unit"
            notes[component].base = plural(units, "unit")
        case .perDeal:
            var deals: Int64 = 0
            for row in rows { deals += cancellationBits.contains(Int(row)) ? -1 : 1 }
            notes[component].rate = tableValueText(value, rateValued: false) + " per deal"
            notes[component].base = plural(deals, "deal")
        case .percentOfAmount:
            var amount = WideDecimal.zero
            for row in rows {
                guard let converted = try? convertToPlan(WideDecimal(FixedDecimal(units: transactions.amounts[Int(row)])), row: Int(row)),
                    let sum = try? Exact.add(amount, converted)
                else { return }
                amount = sum
            }
            notes[component].rate = percentText(value)
            notes[component].base = tableValueText(amount, rateValued: false)
        case .tieredByCount:
            return
        }
    }

    /// What one of the payee's rows adds to a SPIFF (for a count-tiered SPIFF, +1 or −1 for a
    /// reversal), or `nil` when it does not qualify: the rep is on the plan on its date, its date
    /// (or its deal's, by effective date) is in the window, and it passes the filter.
    func spiffContribution(_ spiff: CompiledSpiff, row: Int, rep: RepIndex) throws -> WideDecimal? {
        let date = transactions.dates[row]
        var basis = date
        let original = reversalTarget(of: row)
        // A reversal past the clawback window is excluded, as it is from credits: it takes back
        // no SPIFF (it had taken back the SPIFF of a deal it no longer charges, and one never paid).
        if original != nil && plan.chargeBack != nil && chargedBack(row) == nil { return nil }
        if spiff.byEffectiveDate, let original { basis = transactions.dates[original] }
        guard spiff.window.contains(basis) else { return nil }
        // The rep's assignment on the date the row is judged by (a charged-back reversal: its
        // deal's), inside the plan's effective dates, as for credits.
        let judged = spiffOwner(of: row).date
        if let effective = plan.effective, !effective.contains(judged) { return nil }
        guard let entry = assignments.entry(of: rep, on: judged), assignments.onPlan[entry] else { return nil }
        let rowContext = Context(rep: rep, row: row, assignmentIndex: Int(assignments.rosterRow[entry]))
        if let filter = spiff.filter, try evalRow(filter, dealSized(rowContext, row: row), row: row) != .bool(true) { return nil }
        // A cancellation counts a deal less; a reinstatement (a reversal of one) a deal more.
        let cancels = cancellationBits.contains(row)
        if spiff.payout == .tieredByCount { return WideDecimal(Int64(cancels ? -1 : 1)) }
        // A qualifying row whose amount has no value stops the run, as a component with no value
        // does (it had paid nothing without a word).
        guard case .number(let value) = try evalRow(spiff.amount, rowContext, row: row) else {
            throw failure(noValue("pay amount", row: row), what: evaluatingName, span: spiff.amountSpan)
        }
        switch spiff.payout {
        case .perUnit:
            return try Exact.multiply(value, WideDecimal(Int64(transactions.quantities[row])))
        case .perDeal:
            return cancels ? try value.negated() : value
        case .percentOfAmount:
            let amount = try convertToPlan(WideDecimal(FixedDecimal(units: transactions.amounts[row])), row: row)
            return try Exact.multiply(amount, value)
        case .tieredByCount:
            return WideDecimal(Int64(cancels ? -1 : 1))
        }
    }

    /// The current payee's ledger rows in a run period, in file order (built once per payee, when a
    /// SPIFF is evaluated row by row).
    func payeeRows(period: Int) -> [Int32] {
        if payeeRowsOwner != payee {
            payeeRowsOwner = payee
            let rep = payees[payee]
            payeeRowsByPeriod = [[Int32]](repeating: [], count: periods.count)
            var rows: [Int32] = []
            if rowsByRep.starts.count > Int(rep) + 1 {
                rows = Array(rowsByRep.rows[rowsByRep.starts[Int(rep)]..<rowsByRep.starts[Int(rep) + 1]])
            } else {
                // Not grouped in advance (evaluate groups them when it knows SPIFFs go row by row).
                for row in 0..<transactions.count where transactions.reps[row] == rep { rows.append(Int32(row)) }
            }
            // Reversals charged back to a deal are the deal's rep's, whoever booked them.
            if plan.chargeBack != nil {
                rows.removeAll { spiffOwner(of: Int($0)).rep != rep }
                if foreignReversals == nil {
                    // Once per evaluator: reversals whose SPIFF owner is not the rep who booked them.
                    var found: [RepIndex: [Int32]] = [:]
                    for row in transactions.reversals.rows {
                        let owner = spiffOwner(of: Int(row)).rep
                        if owner != transactions.reps[Int(row)] { found[owner, default: []].append(row) }
                    }
                    foreignReversals = found
                }
                rows += foreignReversals?[rep] ?? []
                rows.sort()
            }
            for row in rows {
                if let period = periodIndex(of: transactions.dates[Int(row)]) { payeeRowsByPeriod[period].append(row) }
            }
        }
        return payeeRowsByPeriod[period]
    }

    func convertToPlan(_ amount: WideDecimal, row: Int) throws -> WideDecimal {
        let code = Int(transactions.currencyCodes[row])
        let month = months.month(of: transactions.dates[row])
        if let rate = months.rate(currency: code, month: month) { return try Exact.multiply(amount, rate) }
        let key = code &* 1_000_000 &+ month
        if let rate = fxCache[key] { return try Exact.multiply(amount, rate) }
        let currency = transactions.currencies[code]
        guard let rate = data.fx.rate(currency, monthNumber: month) else {
            throw failure("no fx rate for \(currency.code) in \(Period(kind: .month, containing: transactions.dates[row]))")
        }
        let wide = Exact.trim(WideDecimal(rate))
        fxCache[key] = wide
        return try Exact.multiply(amount, wide)
    }
}

func readWholeFile(_ path: String) throws -> [UInt8] {
    guard let file = fopen(path, "rb") else { throw EvaluationError(rep: nil, period: nil, what: nil, message: "cannot read \(path)", source: nil) }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let got = fread(&chunk, 1, chunk.count, file)
        if got <= 0 { break }
        bytes += chunk[0..<got]
    }
    return bytes
}

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif


/// Results of shards handed from the workers that compute them to one consumer that takes them in
/// order: slot `i` is written once by its worker, then read once by the consumer.
final class OrderedSlots<Value: Sendable>: @unchecked Sendable {
    // Each slot is written before its semaphore is signalled and read after it is waited on, so
    // the semaphore orders the two accesses; no slot is written twice.
    private let values: UnsafeMutableBufferPointer<Value?>
    private let ready: [DispatchSemaphore]
    private let state = DispatchSemaphore(value: 1)
    private var cancelled = false
    private var taken: Int = 0
    /// Permits for workers to start a slot: `window` at first, one more each time a slot is taken.
    let gate: DispatchSemaphore

    init(count: Int, window: Int) {
        values = UnsafeMutableBufferPointer<Value?>.allocate(capacity: count)
        values.initialize(repeating: nil)
        ready = (0..<count).map { _ in DispatchSemaphore(value: 0) }
        gate = DispatchSemaphore(value: window)
    }

    deinit {
        values.deinitialize()
        values.deallocate()
    }

    func put(_ index: Int, _ value: Value) {
        values[index] = value
        ready[index].signal()
    }

    /// Waits for slot `index` and takes its value (`nil` only if it was taken before); a worker
    /// waiting at the ``gate`` may then start the next slot.
    func take(_ index: Int) -> Value? {
        ready[index].wait()
        state.wait()
        taken = max(taken, index + 1)
        state.signal()
        defer {
            values[index] = nil
            gate.signal()
        }
        return values[index]
    }

    var isCancelled: Bool {
        state.wait()
        defer { state.signal() }
        return cancelled
    }

    func cancel() {
        state.wait()
        cancelled = true
        state.signal()
        // Workers waiting at the gate go on, find the run cancelled and fill their slots at once.
        for _ in 0..<ready.count { gate.signal() }
    }

    /// Waits until every slot not taken yet has been written (the workers are done with it).
    func drain() {
        state.wait()
        let first = taken
        state.signal()
        for index in first..<ready.count {
            ready[index].wait()
            values[index] = nil
        }
    }
}

extension PlanEvaluation {
    /// A manager override: the rate times the credits of the rule that came from reps below the
    /// payee, down to `levels` (all when `nil`), when the threshold (if any) holds.
    func evaluateOverride(_ override: ManagerOverride, _ context: Context) throws -> EvalValue {
        // The trace: which credits of the team fed it, at what rate, or why it paid nothing.
        let noting = restating ? nil : evaluatingComponent
        let levels = override.levels.map { $0 == 1 ? "1 level down" : "up to \($0) levels down" } ?? "every level down"
        if let component = noting {
            notes[component].rule = "manager override on \(plan.creditRules[override.creditRule.index].name) credits from \(levels)"
            notes[component].rows = []
        }
        // The team's credits at the levels counted: what the override is a rate of, and the rows
        // a line lists, also when its condition is not met (it had listed none).
        var team = WideDecimal.zero
        var rows: [Int32] = []
        for credit in try creditGroup(override.creditRule.index, payee, periodIndex)
        where credit.level >= 1 && override.levels.map({ Int(credit.level) <= $0 }) ?? true {
            team = try Exact.add(team, credit.value)
            if noting != nil { rows.append(credit.row) }
        }
        if let threshold = override.threshold, try eval(threshold, context) != .bool(true) {
            if let component = noting {
                notes[component].tier = "its condition is not met (" + (sourceText(threshold.span) ?? "when …") + "): it pays nothing"
                notes[component].rows = rows
            }
            return .zero
        }
        guard case .number(let rate) = try eval(override.rate, context) else { return .missing }
        if let component = noting {
            notes[component].rows = rows
            notes[component].rate = override.rate.type == .rate ? percentText(rate) : rate.formatted(fractionDigits: rate.exactFractionDigits)
            // Every digit of the credits' sum: cut to cents, rate × base did not give the amount.
            let digits = max(plan.currency.minorUnits, team.exactFractionDigits)
            notes[component].base = "\(team.formatted(fractionDigits: digits)) \(plan.currency.code) of team credits"
        }
        return .number(try Exact.multiply(rate, team))
    }

    /// Draws and holdbacks turn earnings (the total after caps and floors) into what is payable,
    /// period by period with balances carried per payee:
    /// - recoverable draw: paid on top of earnings in its periods; the balance is recovered from
    ///   `recovery_start` (or the first period after the draw) at most the recovery limit a period;
    /// - recoverable guarantee: earnings below the amount are topped up in its periods and the top-up
    ///   is owed, recovered from later periods (never below the guarantee inside its periods);
    /// - non-recoverable guarantee: topped up, nothing owed;
    /// - holdback: a share of the target withheld each period and released at quarter or year end.
    /// `earnings` includes `clawback`, the charge-backs paid in this period: a guarantee tops up
    /// the period's own earnings, never a charge-back (it had paid back the cancelled deal).
    func applyDrawsAndHoldbacks(
        _ earnings: WideDecimal, clawback: WideDecimal = .zero, components: [WideDecimal], _ context: Context
    ) throws -> WideDecimal {
        // A plan without draws or holdbacks (most) pays its earnings: the steps below would give
        // them back unchanged, at the cost of their lists and sets on every payee-period. The one
        // check kept is the subtraction that can overflow.
        if plan.draws.isEmpty && plan.holdbacks.isEmpty {
            _ = try Exact.subtract(earnings, clawback)
            return earnings
        }
        let period = periods[periodIndex]
        let money = RoundingRule(mode: plan.defaultRoundingMode, digits: plan.currency.minorUnits, origin: .planDefault)
        var payable = earnings
        var notes: [String] = []
        // Every draw looks at the period's own earnings, not at what another draw added or took:
        // a guarantee written after a recoverable draw had counted the draw's advance as earnings
        // (and topped up nothing), a recovery had taken back another draw's advance of the same
        // period, so a plan paid differently with its draws written in another order.
        let own = try Exact.subtract(earnings, clawback)
        let amounts = try drawAmounts(in: period, context)
        // Before this period lends anything: a loan no longer made gives back what was recovered
        // for it (given back after a top-up of the same guarantee, it had been netted against the
        // new loan, and the rep no longer owed it).
        payable = try Exact.add(payable, try giveBackOverRecovered(&notes))
        // Advances of recoverable draws, paid on top of the earnings.
        for (index, draw) in plan.draws.enumerated() where draw.kind == .recoverable && draw.covers(period) {
            guard let amount = amounts[index] else { continue }
            payable = try Exact.add(payable, amount)
            drawBalances[index] = try Exact.add(drawBalances[index], amount)
            // An advance is a loan: said, with what is owed now (it had read as pay).
            notes.append("draw \(draw.name) +\(format(amount)) (owed back from later earnings; \(format(drawBalances[index])) owed)")
        }
        // Guarantees top up the period's own earnings (not a clawback paid in it).
        var toppedUp = Set<Int>()
        for (index, topUp) in try guaranteeTopUps(of: own, amounts: amounts) {
            payable = try Exact.add(payable, topUp)
            if plan.draws[index].kind == .recoverableGuarantee {
                drawBalances[index] = try Exact.add(drawBalances[index], topUp)
                notes.append("guarantee \(plan.draws[index].name) +\(format(topUp)) (owed back from later earnings; \(format(drawBalances[index])) owed)")
            } else {
                // Not owed: the rep's pay for the year, as earnings are, under every yearly limit of
                // the total (a yearly floor had paid the guaranteed months' top-ups a second time).
                try countPaidPerYear(topUp)
                notes.append("guarantee \(plan.draws[index].name) +\(format(topUp)) (not owed back)")
            }
            toppedUp.insert(index)
        }
        // What the holdbacks withhold: a share of the earnings (or of a component) when they are
        // above zero, never of a top-up or an advance; negative earnings withhold nothing and give
        // nothing back (a negative "holdback" had been released as a negative amount later).
        // In all never more than the earnings: a component's holdback holds nothing of a month
        // that other components or clawbacks take below zero.
        var withheldAmounts: [WideDecimal] = []
        var withheldInAll = WideDecimal.zero
        var room = earnings.signum > 0 ? earnings : .zero
        for holdback in plan.holdbacks {
            let base: WideDecimal
            switch holdback.target {
            case .total: base = earnings
            case .component(let id): base = components[id.index]
            }
            var withheld = base.signum > 0 ? Exact.round(try Exact.multiply(WideDecimal(holdback.share.value), base), money) : .zero
            if withheld > room { withheld = room }
            room = try Exact.subtract(room, withheld)
            withheldAmounts.append(withheld)
            withheldInAll = try Exact.add(withheldInAll, withheld)
        }
        // Recovery, in plan order, from the period's earnings after its clawbacks and what its
        // holdbacks withhold: never more than that (an advance paid in the same period is not taken
        // back; a recovery of all the earnings had left the holdback to take the month below zero),
        // at most a draw's `recovery_max` of the earnings, and in a period a guarantee covers, never
        // below the highest guarantee (any of them: a recovery of another draw had taken the pay
        // below it).
        var recoverable = try Exact.subtract(earnings, withheldInAll)
        let highestGuarantee = plan.draws.indices.filter { plan.draws[$0].kind != .recoverable }.compactMap { amounts[$0] }.max()
        if let highestGuarantee {
            let room = try Exact.subtract(own, highestGuarantee)
            if room < recoverable { recoverable = room }
        }
        for (index, draw) in plan.draws.enumerated() {
            guard draw.kind != .nonRecoverableGuarantee, !toppedUp.contains(index), drawBalances[index].signum > 0, recoverable.signum > 0 else {
                continue
            }
            if draw.kind == .recoverable && draw.covers(period) { continue }
            if let start = draw.recoveryStart, period < start { continue }
            var recover = drawBalances[index]
            switch draw.recoveryLimit {
            case .share(let expr)?:
                if case .number(let share) = try eval(expr, context) {
                    let limit = Exact.round(try Exact.multiply(share, earnings), money)
                    if limit < recover { recover = limit }
                }
            case .amount(let expr)?:
                if case .number(let limit) = try eval(expr, context) {
                    let limit = Exact.round(limit, money)
                    if limit < recover { recover = limit }
                }
            case nil:
                break
            }
            if recover > recoverable { recover = recoverable }
            guard recover.signum > 0 else { continue }
            payable = try Exact.subtract(payable, recover)
            recoverable = try Exact.subtract(recoverable, recover)
            drawBalances[index] = try Exact.subtract(drawBalances[index], recover)
            notes.append("recovered for \(draw.name) -\(format(recover)), \(format(drawBalances[index])) still owed")
        }
        for (index, holdback) in plan.holdbacks.enumerated() {
            let withheld = withheldAmounts[index]
            payable = try Exact.subtract(payable, withheld)
            heldBack[index] = try Exact.add(heldBack[index], withheld)
            if withheld.signum > 0 { notes.append("holdback -\(format(withheld))") }
            let releaseKind: PeriodKind = holdback.release == .quarterEnd ? .quarter : .year
            // Released at the end of the quarter or year, or when the payee leaves the plan.
            // A following roster row on the same plan (a new manager, say) is not leaving it.
            let leaves = roster.rows[context.assignmentIndex].end.map { end in
                end <= period.endDate
                    && roster.assignmentIndex(of: context.rep, on: end.adding(days: 1)).map { roster.rows[$0].plan != plan.id } ?? true
            } ?? false
            // The plan's last effective period releases it too: no period of the plan follows, so
            // it had been held for good.
            // (A yearly plan's period ends a quarter: it releases every period.)
            let isLast = period.endMonth >= period.enclosing(releaseKind).endMonth || leaves || holdsPlanEnd(period)
            if isLast && heldBack[index].signum > 0 {
                payable = try Exact.add(payable, heldBack[index])
                notes.append("holdback released +\(format(heldBack[index]))")
                heldBack[index] = .zero
            }
        }
        if !notes.isEmpty { Self.add(notes.joined(separator: "; "), to: &totalLimitNote) }
        return payable
    }

    /// What is given back of loans recovered that a recoverable guarantee no longer makes: a
    /// restated period (a cancelled deal reinstated) above the guarantee again owes nothing, and
    /// what was recovered for it already is the rep's (kept, the rep had been paid less than one
    /// who never lost the deal). A balance below zero is that; it is paid, and the balance cleared.
    /// Not counted again under the yearly limits here: the restatement that made the loan smaller
    /// counted it (within their room).
    /// What was recovered first settles what the rep still owes on the other draws that recover
    /// in the period (recovered in plan order, it had gone to this loan instead of theirs: a rep
    /// who kept the deal had repaid them, and owed nothing).
    func giveBackOverRecovered(_ notes: inout [String]) throws -> WideDecimal {
        var given = WideDecimal.zero
        let period = periods[periodIndex]
        for (index, draw) in plan.draws.enumerated() where drawBalances[index].signum < 0 {
            var amount = try Exact.subtract(.zero, drawBalances[index])
            drawBalances[index] = .zero
            for (other, owing) in plan.draws.enumerated() where other != index && amount.signum > 0 && drawBalances[other].signum > 0 {
                // Only a draw a recovery would take from now; not limited by its `recovery_max`,
                // which bounds what is taken of a period's earnings, not of money owed to the rep.
                if owing.kind == .nonRecoverableGuarantee || (owing.kind == .recoverable && owing.covers(period)) { continue }
                if let start = owing.recoveryStart, period < start { continue }
                let settled = min(amount, drawBalances[other])
                drawBalances[other] = try Exact.subtract(drawBalances[other], settled)
                amount = try Exact.subtract(amount, settled)
                notes.append(
                    "recovered for \(draw.name)'s loan no longer made, \(format(settled)) settles \(owing.name): "
                        + "\(format(drawBalances[other])) still owed")
            }
            guard amount.signum > 0 else { continue }
            given = try Exact.add(given, amount)
            notes.append(
                "given back for \(draw.name) +\(format(amount)): recovered for a loan it no longer makes")
        }
        return given
    }

    func format(_ value: WideDecimal) -> String {
        value.formatted(fractionDigits: plan.currency.minorUnits) + " " + plan.currency.code
    }

    /// Adds `text` to a trace note, after what it says already ("; " between).
    static func add(_ text: String, to note: inout String?) {
        note = note.map { $0 + "; " + text } ?? text
    }

    /// A draw's amount for the current payee and period, rounded to money (an amount such as
    /// `rep.target_incentive / 12` had paid 83.333333 and left the sub-cent owed); `nil` when it has
    /// no value (an empty target incentive: no draw). A negative amount stops the run: it would
    /// take money from the rep as an advance.
    func drawAmount(_ draw: Draw, _ context: Context) throws -> WideDecimal? {
        guard case .number(let amount) = try eval(draw.amount, context) else { return nil }
        let money = RoundingRule(mode: plan.defaultRoundingMode, digits: plan.currency.minorUnits, origin: .planDefault)
        let rounded = Exact.round(amount, money)
        if rounded.signum < 0 {
            throw failure(
                "amount is \(format(rounded)): a draw pays a positive amount (write it as max(…, 0 USD) to pay nothing then)",
                what: "draw \(draw.name)", span: draw.span)
        }
        return rounded
    }

    /// The amounts of the draws that pay in `period` (``drawAmount(_:_:)``), by draw; `nil` for the
    /// others (one outside its periods is not read).
    func drawAmounts(in period: Period, _ context: Context) throws -> [WideDecimal?] {
        var amounts: [WideDecimal?] = []
        for draw in plan.draws { amounts.append(draw.covers(period) ? try drawAmount(draw, context) : nil) }
        return amounts
    }

    /// What the guarantees among `amounts` (``drawAmounts(in:_:)``) add to earnings of `own`: the
    /// earnings are topped up to the highest of them, each topping up what the lower ones left
    /// (lowest first, then in plan order), so the order they are written in changes nothing.
    func guaranteeTopUps(of own: WideDecimal, amounts: [WideDecimal?]) throws -> [(index: Int, topUp: WideDecimal)] {
        var guarantees: [(index: Int, amount: WideDecimal)] = []
        for (index, draw) in plan.draws.enumerated() where draw.kind != .recoverable {
            if let amount = amounts[index] { guarantees.append((index, amount)) }
        }
        var topUps: [(index: Int, topUp: WideDecimal)] = []
        var guaranteed = own
        for (index, amount) in guarantees.sorted(by: { ($0.amount, $0.index) < ($1.amount, $1.index) }) where guaranteed < amount {
            topUps.append((index, try Exact.subtract(amount, guaranteed)))
            guaranteed = amount
        }
        return topUps
    }
}

extension PlanEvaluation {
    /// What the clawbacks paid in `period` take back: the change of each earlier period's
    /// restated earnings by the reversals charged to it in `period`, times the clawback share,
    /// rounded to money, in total and per component (after its limits); and the note for the line.
    func clawbackAdjustment(in period: Int, _ context: Context) throws -> Clawback {
        guard let clawback = plan.chargeBack else { return Clawback() }
        var originals = Set<Int>()
        var rows: [Int32] = []
        // A reinstatement must leave a period as if its deal had stood: paid what the period
        // earned with the deal, less the share of what charge-backs took since. So a period it
        // touches is restated against its earnings as first paid with the reinstated deals
        // standing (``standingReinstatements(of:through:)``), and what it has been paid. Restated
        // step by step instead, the share had applied to what the period lost whole (its own
        // month, which counted the cancellation itself), and charge-backs made while the deal was
        // cancelled were not redone.
        var reinstating = Set<Int>()
        func touch(_ original: Int, _ row: Int32) {
            originals.insert(original)
            if !cancellationBits.contains(Int(row)) { reinstating.insert(original) }
        }
        for late in lateCredits(chargedIn: period) {
            rows.append(late.credit.row)
            for restated in restatedPeriods(of: late, chargedIn: period, rep: context.rep) { touch(restated, late.credit.row) }
        }
        guard !originals.isEmpty else { return Clawback() }
        let money = RoundingRule(mode: plan.defaultRoundingMode, digits: plan.currency.minorUnits, origin: .planDefault)
        let share = WideDecimal(clawback.share.value)
        var result = Clawback()
        result.rows = rows
        /// What restating `original` through this period changes: from `base` (its earnings before
        /// this period's reversals) to `after`, times the share, less what was paid for it beyond
        /// `base` (`paid`: the same as `base` but for a reinstatement), rounded to money: the
        /// total, each component, and each recoverable guarantee's loan.
        func restatement(
            _ base: RestatedEarnings, _ after: RestatedEarnings, paid: RestatedEarnings? = nil
        ) throws -> (change: WideDecimal, components: [WideDecimal], loans: WideDecimal, owed: [Int: WideDecimal]) {
            func change(_ base: WideDecimal, _ after: WideDecimal, _ paid: WideDecimal?) throws -> WideDecimal {
                let taken = try Exact.multiply(share, Exact.subtract(after, base))
                guard let paid else { return Exact.round(taken, money) }
                return Exact.round(try Exact.add(taken, Exact.subtract(base, paid)), money)
            }
            let total = try change(base.total, after.total, paid?.total)
            var components: [WideDecimal] = []
            for index in plan.components.indices {
                components.append(try change(base.components[index], after.components[index], paid?.components[index]))
            }
            // A recoverable guarantee now advancing more (the deal had lifted the month above it)
            // is owed that much more, as for a rep who never had the deal.
            var loans = WideDecimal.zero
            var owed: [Int: WideDecimal] = [:]
            for index in Set(base.owed.keys).union(after.owed.keys).union(paid?.owed.keys ?? [:].keys) {
                let more = try change(base.owed[index] ?? .zero, after.owed[index] ?? .zero, paid.map { $0.owed[index] ?? .zero })
                if more.signum != 0 { owed[index] = more }
                loans = try Exact.add(loans, more)
            }
            return (total, components, loans, owed)
        }
        var changes: [(
            original: Int, change: WideDecimal, components: [WideDecimal], loans: WideDecimal, owed: [Int: WideDecimal], base: RestatedEarnings,
            paid: RestatedEarnings?
        )] = []
        for original in originals.sorted() {
            let after = try restatedEarnings(original, throughReversalPeriod: period, context)
            guard reinstating.contains(original) else {
                let before = try restatedEarnings(original, throughReversalPeriod: period - 1, context)
                let restated = try restatement(before, after)
                changes.append((original, restated.change, restated.components, restated.loans, restated.owed, before, nil))
                continue
            }
            // As first paid with the reinstated deals standing, and as paid since (first paid, and
            // every adjustment made for it).
            let standing = standingReinstatements(of: original, through: period)
            let base = try restatedEarnings(original, throughReversalPeriod: original, context, adding: standing.adding)
            let first = try restatedEarnings(original, throughReversalPeriod: original, context)
            var paid = first
            if let since = adjustedSoFar[original] { try Self.add(since, to: &paid) }
            // The charge-backs since, as they would have been made with the deals standing, each
            // rounded as it was made (rounded once, the reinstated rep had been paid a cent off
            // one who kept the deal), and what was paid beyond that first payment settled.
            let settled = try restatement(base, base, paid: paid)
            var restated: RestatedEarnings = (settled.change, settled.components, settled.owed)
            var previous = base
            for charged in (original + 1)...period
            where charged == period || lateCredits(chargedIn: charged).contains(where: {
                restatedPeriods(of: $0, chargedIn: charged, rep: context.rep).contains(original)
            }) {
                let state = try restatedEarnings(
                    original, throughReversalPeriod: charged, context, adding: standing.adding, leavingOut: standing.leavingOut)
                let step = try restatement(previous, state)
                try Self.add((step.change, step.components, step.owed), to: &restated)
                previous = state
            }
            var loans = WideDecimal.zero
            for more in restated.owed.values { loans = try Exact.add(loans, more) }
            changes.append((original, restated.total, restated.components, loans, restated.owed.filter { $0.value.signum != 0 }, base, paid))
        }
        // Yearly caps of the total, and of components.
        let yearlyCaps = plan.limits.indices.filter { index in
            guard plan.limits[index].per == .year, plan.limits[index].kind == .cap, case .total = plan.limits[index].target else { return false }
            return true
        }
        let componentYearlyCaps: [(limit: Int, component: Int)] = plan.limits.indices.compactMap { index in
            guard plan.limits[index].per == .year, plan.limits[index].kind == .cap, case .component(let id) = plan.limits[index].target else { return nil }
            return (index, id.index)
        }
        // What this period's restatements count under each yearly cap, by fiscal year.
        var addedBack: [Int: [Int: WideDecimal]] = [:]
        func addBack(_ amount: WideDecimal, limit: Int, year: Int) throws {
            addedBack[limit, default: [:]][year] = try Exact.add(addedBack[limit]?[year] ?? .zero, amount)
        }
        /// What yearly cap `limit` leaves of fiscal `year` (never below zero), rounded down to
        /// `digits`, with its bound; `nil` when the cap has no amount for this payee.
        func yearlyRoom(_ limit: Int, year: Int, digits: Int) throws -> (bound: WideDecimal, allowed: WideDecimal)? {
            guard case .number(let bound) = try eval(plan.limits[limit].amount, context) else { return nil }
            let paid = try Exact.add(paidPerYear[paidKey(limit: limit)]?[year] ?? .zero, addedBack[limit]?[year] ?? .zero)
            let room = Exact.round(try Exact.subtract(bound, paid), RoundingRule(mode: .floor, digits: digits, origin: .planDefault))
            return (bound, room.signum > 0 ? room : .zero)
        }
        // What this period takes back frees room first, whichever original period it restates.
        for entry in changes {
            let counted = try Exact.subtract(entry.change, entry.loans)
            let year = periods[entry.original].fiscalYear
            if counted.signum < 0 { for limit in yearlyCaps { try addBack(counted, limit: limit, year: year) } }
            for cap in componentYearlyCaps where cap.component < entry.components.count && entry.components[cap.component].signum < 0 {
                try addBack(entry.components[cap.component], limit: cap.limit, year: year)
            }
        }
        for entry in changes {
            var change = entry.change
            var owed = entry.owed
            var components = entry.components
            var loans = entry.loans
            // What the yearly limits count: the change less what a recoverable guarantee now lends
            // (a loan, not pay: counted, it had used a yearly cap's room).
            var counted = try Exact.subtract(change, entry.loans)
            // A reinstated deal pays back what its cancellation took only within what its year
            // has left under a yearly cap: the room the cancellation freed may have been paid out
            // since (the year had been paid past its cap).
            var cutTexts: [String] = []
            let year = periods[entry.original].fiscalYear
            var keptLoan = WideDecimal.zero
            // A component's yearly cap first: the component is paid back within its room, and the
            // period is restated again with it bounded there, so the total's own limits and the
            // guarantees apply to what is left (inferred from the components, a floor or a
            // guarantee that had lifted the total was taken for a cap, and the cut was lost).
            var ceilings: [Int: WideDecimal] = [:]
            for cap in componentYearlyCaps where cap.component < components.count && components[cap.component].signum > 0 && share.signum > 0 {
                guard let (bound, allowed) = try yearlyRoom(cap.limit, year: year, digits: plan.components[cap.component].rounding.digits),
                    components[cap.component] > allowed
                else { continue }
                cutTexts.append(
                    "\(plan.components[cap.component].name) of +\(format(components[cap.component])), cut to what its cap per year at "
                        + "\(limitMoney(bound)) leaves")
                // What the component may come to, before the clawback's share: a ceiling rounded
                // down, so that its share never passes the room (less what a reinstatement pays
                // back beyond the share: what was taken whole, or by charge-backs since).
                var room = allowed
                if let paid = entry.paid {
                    room = try Exact.add(room, Exact.subtract(paid.components[cap.component], entry.base.components[cap.component]))
                }
                let more = try room.divided(by: share, scale: max(room.scale, 6) + 6, rounding: .floor)
                let ceiling = try Exact.add(entry.base.components[cap.component], more)
                ceilings[cap.component] = min(ceiling, ceilings[cap.component] ?? ceiling)
            }
            if !ceilings.isEmpty {
                let bounded = try restatement(
                    entry.base, try restatedEarnings(entry.original, throughReversalPeriod: period, context, ceilings: ceilings), paid: entry.paid)
                change = bounded.change
                components = bounded.components
                owed = bounded.owed
                loans = bounded.loans
                // What the guarantee's loan shrinks by less: kept (owed still, or not given back).
                let kept = try Exact.subtract(bounded.loans, entry.loans)
                if kept.signum > 0 { keptLoan = try Exact.add(keptLoan, kept) }
                counted = try Exact.subtract(change, bounded.loans)
            }
            for cap in componentYearlyCaps where cap.component < components.count && components[cap.component].signum > 0 {
                try addBack(components[cap.component], limit: cap.limit, year: year)
            }
            // Then the total's yearly caps, on what the year counts: the pay, and what a
            // recoverable guarantee no longer lends (pay again). What a cap cuts comes off the pay
            // first, then off what the loan shrinks by (the rep owes it, or is given back less of
            // what was recovered for it: a later month paid out the room the cancellation freed,
            // and had been paid past the cap). The two cover the cut: it is at most what is
            // counted, the pay and the loan's shrinking.
            if counted.signum > 0 && loans.signum <= 0 {
                let asked = counted
                var binding: String? = nil
                for limit in yearlyCaps {
                    guard let (bound, allowed) = try yearlyRoom(limit, year: year, digits: plan.currency.minorUnits), counted > allowed else { continue }
                    binding = limitMoney(bound)
                    var cut = try Exact.subtract(counted, allowed)
                    counted = allowed
                    if change.signum > 0 {
                        let fromPay = min(cut, change)
                        change = try Exact.subtract(change, fromPay)
                        cut = try Exact.subtract(cut, fromPay)
                    }
                    for index in owed.keys.sorted() where cut.signum > 0 {
                        guard let less = owed[index], less.signum < 0 else { continue }
                        let kept = min(cut, try Exact.subtract(.zero, less))
                        owed[index] = try Exact.add(less, kept)
                        keptLoan = try Exact.add(keptLoan, kept)
                        cut = try Exact.subtract(cut, kept)
                    }
                }
                if let binding {
                    cutTexts.append(
                        loans.signum == 0 && ceilings.isEmpty
                            ? "of +\(format(entry.change)), cut to what the cap per year at \(binding) leaves"
                            : "of +\(format(asked))\(loans.signum == 0 ? "" : " with the loan no longer made"), cut to what the cap per year at \(binding) leaves")
                }
            }
            // What of the loan the cut keeps: still owed, or (recovered already) not given back.
            if keptLoan.signum > 0 { cutTexts.append("\(format(keptLoan)) of the loan is kept: owed still, or not given back where recovered") }
            for (index, more) in owed where more.signum != 0 { result.owed[index] = try Exact.add(result.owed[index] ?? .zero, more) }
            if counted.signum > 0 { for limit in yearlyCaps { try addBack(counted, limit: limit, year: year) } }
            result.total = try Exact.add(result.total, change)
            result.byOriginal.append((entry.original, change, components, counted))
            if !restating {
                // Counted as the restatement asked, before a yearly cap cut it: a cut is not
                // revisited (a later reinstatement had paid it back, past the cap).
                var so = adjustedSoFar[entry.original] ?? (.zero, [WideDecimal](repeating: .zero, count: entry.components.count), [:])
                try Self.add((entry.change, entry.components, entry.owed), to: &so)
                adjustedSoFar[entry.original] = so
            }
            if change.signum != 0 || !cutTexts.isEmpty {
                // A reinstated deal pays back what its cancellation took: not a clawback.
                var text =
                    change.signum < 0 ? "clawback of \(periods[entry.original]): \(format(change))" : "restated \(periods[entry.original]): +\(format(change))"
                if !cutTexts.isEmpty { text += " (" + cutTexts.joined(separator: "; ") + ")" }
                Self.add(text, to: &result.note)
            }
        }
        return result
    }

    /// The periods a late credit charged in `period` restates: its deal's, and the later periods of
    /// the deal's fiscal quarter or year whose qtd/ytd measures counted the deal too (restated,
    /// they change as well: a quarterly bonus, a ytd rate; only so do a period's adjustments add
    /// up to what it paid less what it earns in the end), where the plan computed the rep (not a
    /// period after the rep left, moved to another plan or the plan ended: it had no measures and
    /// paid nothing for the deal).
    func restatedPeriods(of late: LateCredit, chargedIn period: Int, rep: RepIndex) -> [Int] {
        var restated = [late.original]
        guard let window = widestMeasureWindow else { return restated }
        // A window is one run of periods: the first that does not hold the deal's ends it.
        var later = late.original + 1
        while later < period && periods(of: window, through: later).contains(late.original) {
            if computedOnPlan(rep, in: later) { restated.append(later) }
            later += 1
        }
        return restated
    }

    /// The current payee's late credits of every rule charged in `period` (rule by rule, each in
    /// its order).
    func lateCredits(chargedIn period: Int) -> [LateCredit] {
        if lateByReversalOwner != payee {
            lateByReversalOwner = payee
            lateByReversal = []
            if lateCredits.contains(where: { !$0[payee].isEmpty }) {
                lateByReversal = Array(repeating: [], count: periods.count)
                for rule in lateCredits.indices {
                    for late in lateCredits[rule][payee] where late.reversal >= 0 && late.reversal < periods.count { lateByReversal[late.reversal].append(late) }
                }
            }
        }
        return period >= 0 && period < lateByReversal.count ? lateByReversal[period] : []
    }

    /// The late credits of `rule` and payee `position` charged back to a period of `originals`
    /// (they are sorted by original period).
    func lateCredits(_ rule: Int, _ position: Int, originals: Range<Int>) -> ArraySlice<LateCredit> {
        let all = lateCredits[rule][position]
        guard !originals.isEmpty, !all.isEmpty else { return all[all.startIndex..<all.startIndex] }
        func first(from period: Int) -> Int {
            var low = all.startIndex
            var high = all.endIndex
            while low < high {
                let mid = (low + high) / 2
                if all[mid].original < period { low = mid + 1 } else { high = mid }
            }
            return low
        }
        let start = first(from: originals.lowerBound)
        return all[start..<max(start, first(from: originals.upperBound))]
    }

    /// The current payee's reinstatements (reversals of cancellations) charged in or before
    /// `period`: to add, those whose cancellation fell in or before `original` (the period
    /// counted the cancellation itself and was first paid without the deal; with the
    /// reinstatement added it stands as first paid had the deal stood), and to leave out, the
    /// others with their cancellations (both charged after the period: as if neither had been).
    func standingReinstatements(of original: Int, through period: Int) -> (adding: Set<Int32>, leavingOut: Set<Int32>) {
        var adding = Set<Int32>()
        var leavingOut = Set<Int32>()
        for charged in (original + 1)..<max(original + 1, period + 1) {
            for late in lateCredits(chargedIn: charged) where !cancellationBits.contains(Int(late.credit.row)) {
                let row = Int(late.credit.row)
                guard let cancellation = reversalTarget(of: row) else { continue }
                if let cancelled = periodIndex(of: transactions.dates[cancellation]), cancelled <= original {
                    adding.insert(late.credit.row)
                } else {
                    // Both charged after the period: as if neither had been.
                    leavingOut.insert(late.credit.row)
                    leavingOut.insert(Int32(cancellation))
                }
            }
        }
        return (adding, leavingOut)
    }

    /// The widest window a measure sums over (quarter or year to date), if any: a charge-back
    /// then restates the later periods whose windows hold its deal's period too.
    var widestMeasureWindow: MeasureWindow? {
        let widest = plan.measures.reduce(MeasureWindow.period) { $0.widest($1.window) }
        return widest == .period ? nil : widest
    }

    /// What the clawbacks paid in a period take back: in all, and per original period (the
    /// total's change and each component's, after its limits).
    struct Clawback {
        var total = WideDecimal.zero
        var byOriginal: [(original: Int, total: WideDecimal, components: [WideDecimal], counted: WideDecimal)] = []
        var note: String? = nil
        /// The reversals charged back (their ledger rows), for the total's trace.
        var rows: [Int32] = []
        /// By recoverable guarantee (draw index), how much more its restated periods advanced.
        var owed: [Int: WideDecimal] = [:]
    }

    /// Counts each clawback as no longer paid in the fiscal year of the deal it takes back (whose
    /// room the deal had used), for every yearly limit: of the total, or of a component by the
    /// component's part. Counted against the year it is paid in, a December deal reversed in
    /// January had freed the new year's room and paid it twice.
    func countPaid(_ clawback: Clawback) throws {
        guard !restating else { return }
        for (index, more) in clawback.owed { drawBalances[index] = try Exact.add(drawBalances[index], more) }
        for change in clawback.byOriginal {
            let year = periods[change.original].fiscalYear
            for (index, limit) in plan.limits.enumerated() where limit.per == .year {
                let amount: WideDecimal
                switch limit.target {
                case .total: amount = change.counted
                case .component(let id): amount = change.components[id.index]
                }
                guard amount.signum != 0 else { continue }
                try countPaid(amount, limit: index, year: year)
            }
        }
    }

    /// The rep's assignment to this plan in force in `period`: the last one that starts by the
    /// period's end. A rep's rows are sorted by start and never overlap, so if it ended before the
    /// period, none is current. (Read from the flat assignment table: a roster row per period cost
    /// retains and a string compare per row.)
    func currentAssignment(of rep: RepIndex, in period: Int) -> Int? {
        let periodEnd = periods[period].endDate.daysSinceEpoch
        var current: Int? = nil
        for entry in Int(assignments.starts[Int(rep)])..<Int(assignments.starts[Int(rep) + 1])
        where assignments.onPlan[entry] && assignments.first[entry] <= periodEnd {
            current = entry
        }
        return current
    }

    /// Whether the plan computed `rep`'s earnings in `period` (measures and components): on a roster
    /// row of the plan in it, with a day on the plan inside its effective dates, as
    /// ``evaluate(payees:)`` decides (a departed rep's period pays only what is taken back).
    /// `assignment` is the rep's ``currentAssignment(of:in:)`` when known.
    func computedOnPlan(_ rep: RepIndex, in period: Int, assignment: Int? = nil) -> Bool {
        guard let current = assignment ?? currentAssignment(of: rep, in: period) else { return false }
        return assignments.last[current] >= periods[period].startDate.daysSinceEpoch && hasDaysOnPlan(rep, in: period)
    }

    /// Whether the rep is on this plan (a roster row of it) on some day of `period` inside the
    /// plan's effective dates.
    func hasDaysOnPlan(_ rep: RepIndex, in period: Int) -> Bool {
        hasDaysOnPlan(rep, from: periods[period].startDate, to: periods[period].endDate)
    }

    /// Whether the rep is on this plan on some day from `first` to `last` inside the plan's
    /// effective dates (a quota's quarter or year, as well as a run period).
    func hasDaysOnPlan(_ rep: RepIndex, from first: CivilDate, to last: CivilDate) -> Bool {
        let start = first.daysSinceEpoch
        let end = last.daysSinceEpoch
        for entry in Int(assignments.starts[Int(rep)])..<Int(assignments.starts[Int(rep) + 1]) {
            if let days = daysOnPlan(entry), days.lowerBound <= end && start <= days.upperBound { return true }
        }
        return false
    }

    /// The days of assignment `entry` on this plan inside its effective dates (days since the
    /// epoch; `Int32.max` for an open end), `nil` when there is none.
    func daysOnPlan(_ entry: Int) -> ClosedRange<Int32>? {
        guard assignments.onPlan[entry] else { return nil }
        let first = max(assignments.first[entry], plan.effective?.start.daysSinceEpoch ?? Int32.min)
        let last = min(assignments.last[entry], plan.effective?.end?.daysSinceEpoch ?? Int32.max)
        return first <= last ? first...last : nil
    }

    /// Whether `period` holds the last day of the plan's effective dates (its last period: it
    /// releases what is held and tops a yearly floor up).
    func holdsPlanEnd(_ period: Period) -> Bool {
        plan.effective?.end.map { period.startDate <= $0 && $0 <= period.endDate } ?? false
    }

    /// A period's earnings as restated: the total, each component, and what each recoverable
    /// guarantee (by draw index) lent. Also a change of them.
    typealias RestatedEarnings = (total: WideDecimal, components: [WideDecimal], owed: [Int: WideDecimal])

    /// Adds `more` to `sum`: the totals, the components (position by position) and the loans (by
    /// draw).
    static func add(_ more: RestatedEarnings, to sum: inout RestatedEarnings) throws {
        sum.total = try Exact.add(sum.total, more.total)
        for index in sum.components.indices where index < more.components.count {
            sum.components[index] = try Exact.add(sum.components[index], more.components[index])
        }
        for (index, amount) in more.owed { sum.owed[index] = try Exact.add(sum.owed[index] ?? .zero, amount) }
    }

    /// The earnings of an earlier period (components after their caps and floors, and their sum
    /// after the total's), with the reversals charged back to it up to `last` included.
    /// `ceilings` bound components after their limits (a reinstatement cut to what a component's
    /// yearly cap leaves): the total's limits and guarantees then apply to what is left. Reversals
    /// of later periods whose rows are in `adding` are counted too, and none whose rows are in
    /// `leavingOut`.
    func restatedEarnings(
        _ original: Int, throughReversalPeriod last: Int, _ context: Context, ceilings: [Int: WideDecimal] = [:],
        adding: Set<Int32> = [], leavingOut: Set<Int32> = []
    ) throws -> RestatedEarnings {
        let savedPeriod = periodIndex
        let savedMemo = memo
        let savedGates = gateMemo
        let savedQuotas = (quotaMemo, proratedQuotas)
        let savedNotes = notes
        let savedTotalNote = totalLimitNote
        let savedCredits = restatedCredits
        let savedPaid = paidPerYear
        let savedAdding = (restatedAdding, restatedLeavingOut)
        paidPerYear = paidSnapshots[original] ?? [:]
        defer {
            (restatedAdding, restatedLeavingOut) = savedAdding
            periodIndex = savedPeriod
            memo = savedMemo
            gateMemo = savedGates
            (quotaMemo, proratedQuotas) = savedQuotas
            notes = savedNotes
            totalLimitNote = savedTotalNote
            restatedCredits = savedCredits
            paidPerYear = savedPaid
            restating = false
        }
        restating = true
        restatedThrough = last
        (restatedAdding, restatedLeavingOut) = (adding, leavingOut)
        periodIndex = original
        resetMemo()
        // The period is restated with the roster row it was paid with (its target incentive, its
        // attributes), not the one in force when the reversal came: a raise in between had moved
        // the restated cap, and the clawback with it.
        let context = currentAssignment(of: context.rep, in: original).map {
            Context(rep: context.rep, row: nil, assignmentIndex: Int(assignments.rosterRow[$0]))
        } ?? context
        for rule in lateCredits.indices {
            // Gathered, then filed once (filed one by one, each credit had hashed its group; and
            // the sets, mostly empty, are asked only when they hold something).
            var taken: [Credit] = []
            for late in lateCredits(rule, payee, originals: original..<(original + 1)) {
                guard late.reversal <= last || (!adding.isEmpty && adding.contains(late.credit.row)),
                    leavingOut.isEmpty || !leavingOut.contains(late.credit.row)
                else { continue }
                taken.append(late.credit)
            }
            if !taken.isEmpty { restatedCredits[credits.group(rule: rule, payee: payee, period: original), default: []] += taken }
        }
        var total = WideDecimal.zero
        var components: [WideDecimal] = []
        for index in plan.components.indices {
            guard case .number(var amount) = try value(of: .component(ComponentID(index)), context) else {
                components.append(.zero)
                continue
            }
            amount = try applyLimits(to: .component(ComponentID(index)), amount, context)
            if let ceiling = ceilings[index], amount > ceiling { amount = ceiling }
            components.append(amount)
            total = try Exact.add(total, amount)
        }
        total = try applyLimits(to: .total, total, context)
        // The period paid at least its guarantee: restated, it still does (a cancelled deal
        // takes back what it added above the guarantee, not the guarantee); what a recoverable
        // guarantee advances is owed, by draw.
        let period = periods[original]
        var owed: [Int: WideDecimal] = [:]
        // As the period was paid (``applyDrawsAndHoldbacks``).
        for (index, topUp) in try guaranteeTopUps(of: total, amounts: drawAmounts(in: period, context)) {
            if plan.draws[index].kind == .recoverableGuarantee { owed[index] = topUp }
            total = try Exact.add(total, topUp)
        }
        return (total, components, owed)
    }
}

extension ReferenceEvaluator {
    /// How to load data for `plans`: fx into the (first) plan's currency, quota periods in its
    /// fiscal calendar, and overlay split shares accepted when a plan credits `to splits overlay`.
    public static func loadOptions(for plans: [Plan], threads: Int? = nil) -> LedgerLoadOptions {
        let overlay = plans.contains { plan in
            plan.creditRules.contains { rule in
                rule.recipients.contains { if case .splits(overlay: true) = $0.kind { return true } else { return false } }
            }
        }
        var options = LedgerLoadOptions(
            threads: threads, baseCurrency: plans.first?.currency ?? .usd,
            fiscalCalendar: plans.first?.fiscalCalendar ?? .calendar, allowOverlaySplits: overlay)
        options.declaredColumns = declaredColumns(of: plans)
        // Only the ledger columns the plans read are stored (the others are still checked).
        options.transactionAttributes = Set(plans.flatMap { plan in plan.attributes.filter { $0.scope == .transaction }.map(\.name) })
        return options
    }

    /// The extra columns the plans declare with a type (`attribute txn.boost: rate`), for the
    /// loader to check.
    public static func declaredColumns(of plans: [Plan]) -> [DeclaredColumn] {
        var columns: [DeclaredColumn] = []
        for plan in plans {
            for attribute in plan.attributes where !attribute.builtIn {
                let kind: DeclaredColumn.Kind
                switch attribute.type {
                case .money: kind = .money
                case .rate: kind = .rate
                case .count: kind = .count
                case .date: kind = .date
                case .text: kind = .text
                case .bool: kind = .bool
                }
                let column = DeclaredColumn(
                    file: attribute.scope == .transaction ? .transactions : .roster, name: attribute.name, kind: kind,
                    optional: attribute.optional, declaredBy: "plan \(plan.id)", implicit: !attribute.declared,
                    // A rep column the plan reads per transaction (a credit block's `weight
                    // rep.x`) is read on the rows of reps on any plan (a roll-up's reps): every
                    // row is checked. Else only its own reps' rows.
                    plan: attribute.scope == .transaction || plan.readsRepAttributePerTransaction(attribute.name) ? nil : plan.id)
                if !columns.contains(column) { columns.append(column) }
            }
        }
        return columns
    }
}

/// A plan's transaction span as rows are taken into it, in row order (``PlanEvaluation/transactionSpan(of:data:chains:splitSources:threads:rowsPerPart:)``).
/// Its ends are kept as dates and rows (a span kept whole had been copied, with its plan ids
/// retained and released, for every row).
private struct SpanFinder {
    let effective: DateRange?
    /// Whether the plan's last period pays out (held money released, a yearly floor's top-up).
    let paysAtItsEnd: Bool
    /// The earliest and latest dates taken, and the first row of each (`first` nil: none yet).
    private var first: CivilDate? = nil
    private var last = CivilDate(daysSinceEpoch: 0)
    private var firstRow = 0
    private var lastRow = 0
    /// The plan's end, when a row after it shows the ledger covers it.
    private(set) var coveredTo: CivilDate? = nil

    init(effective: DateRange?, paysAtItsEnd: Bool) {
        self.effective = effective
        self.paysAtItsEnd = paysAtItsEnd
    }

    /// Takes row `row`, dated `date`, into the span, judged on `judged` against the plan's dates.
    @inline(__always)
    mutating func take(_ row: Int, date: CivilDate, judged: CivilDate) {
        // A row after the plan's dates is not credited, but the ledger covers the plan to its
        // end: where a last period pays out, the plan's last effective period is computed even
        // without a row of its own in it (that money had been lost).
        if let effective, !effective.contains(judged) {
            // Only a plan the ledger covers (a row of it inside its dates, below) is extended:
            // one that ended before the ledger begins gets no period.
            if paysAtItsEnd, let end = effective.end, judged > end { coveredTo = end }
            return
        }
        guard let earliest = first else {
            (first, last, firstRow, lastRow) = (date, date, row, row)
            return
        }
        if date < earliest { (first, firstRow) = (date, row) }
        if date > last { (last, lastRow) = (date, row) }
    }

    /// The span of the rows taken, of plan `plan`.
    func span(of plan: String) -> TransactionSpan? {
        first.map { TransactionSpan(first: $0, last: last, firstRow: firstRow, lastRow: lastRow, firstPlan: plan, lastPlan: plan) }
    }
}

/// The dates a plan's transactions span (``PlanEvaluation/transactionSpan(of:data:chains:splitSources:threads:rowsPerPart:)``), with the
/// rows that have the first and last (nil where an effective date cut the span).
public struct TransactionSpan: Sendable, Equatable {
    public var first: CivilDate
    public var last: CivilDate
    public var firstRow: Int?
    public var lastRow: Int?
    /// The plans whose transactions the first and last are.
    public var firstPlan: String?
    public var lastPlan: String?

    /// Cuts the span to `start`…`end` (`nil`: open); an end moved to a bound is `plan`'s and
    /// has no row.
    public mutating func clip(from start: CivilDate, to end: CivilDate?, by plan: String) {
        if first < start { (first, firstRow, firstPlan) = (start, nil, plan) }
        if let end, last > end { (last, lastRow, lastPlan) = (end, nil, plan) }
    }

    /// The span covering both.
    public func union(_ other: TransactionSpan) -> TransactionSpan {
        var joined = self
        if other.first < first { (joined.first, joined.firstRow, joined.firstPlan) = (other.first, other.firstRow, other.firstPlan) }
        if other.last > last { (joined.last, joined.lastRow, joined.lastPlan) = (other.last, other.lastRow, other.lastPlan) }
        return joined
    }
}

extension Draw {
    /// Whether `period` is one of the draw's (its first to its last; open ends reach every period).
    func covers(_ period: Period) -> Bool {
        (start.map { period >= $0 } ?? true) && (end.map { period <= $0 } ?? true)
    }
}

extension MeasureWindow {
    /// The wider of two windows (a year holds its quarters, a quarter its periods).
    func widest(_ other: MeasureWindow) -> MeasureWindow {
        if self == .yearToDate || other == .yearToDate { return .yearToDate }
        return self == .quarterToDate || other == .quarterToDate ? .quarterToDate : .period
    }
}

extension ReferenceEvaluator {
    /// What a measure of `type` counts, as stored with its value.
    static func unit(of type: ValueType) -> MeasureUnit? {
        switch type {
        case .money(.fixed(let currency)): return .money(currency.code)
        case .rate: return .rate
        case .count: return .count
        case .bool: return .condition
        case .date: return .date
        case .text: return .text
        case .money(.transaction): return nil
        }
    }
}

/// The credits a run's shards have made so far (they add theirs after each chunk of rows).
final class CreditCounter: Sendable {
    private let made = Atomic<Int>(0)

    /// Adds `count` credits; returns the total made so far.
    func add(_ count: Int) -> Int {
        made.wrappingAdd(count, ordering: .relaxed).newValue
    }
}

extension ReferenceEvaluator {
    /// How a row stands against a plan's clawback window (`charge original_period`).
    public enum ChargeBackReach: Sendable, Equatable {
        /// Not a reversal.
        case notAReversal
        /// Charged back: the row it reverses, and the deal at the root of its chain.
        case reaches(original: Int, root: Int)
        /// Past the window from the row it reverses.
        case pastWindow
        /// Inside the window itself, but it reverses a reversal the window left out (somewhere up
        /// its chain): nothing was taken back, so there is nothing for it to reinstate.
        case reversesLeftOut
    }
}

/// Whether each reversal of a ledger is charged back under one clawback policy: every link of its
/// chain must be inside the window (a reinstatement of a cancellation the window left out had
/// credited the deal a second time: the deal was never taken back). Each chain is walked once:
/// walked up from each of its links, a chain thousands of reversals deep took seconds (8,000
/// links) to minutes (45,000).
public struct ChargeBackChains: Sendable {
    private let policy: ClawbackPolicy
    private let transactions: TransactionTable
    /// Per reversal (parallel to ``ReversalList/rows``): every link from it up to its deal is
    /// inside the window.
    private let intact: [Bool]

    /// The chains of `transactions`' reversals under `policy`.
    public init(_ policy: ClawbackPolicy, transactions: TransactionTable) {
        self.policy = policy
        self.transactions = transactions
        let reversals = transactions.reversals
        // Each link intact when it and everything above it are (a deal is).
        intact = reversals.resolvingChains(deal: { _ in true }) { position, above in
            above && policy.reaches(deal: transactions.dates[Int(reversals.targets[position])], reversal: transactions.dates[Int(reversals.rows[position])])
        }
    }

    /// How `row` stands against the policy's window.
    public func reach(of row: Int) -> ReferenceEvaluator.ChargeBackReach {
        let reversals = transactions.reversals
        guard let position = reversals.position(of: row) else { return .notAReversal }
        let original = Int(reversals.targets[position])
        guard policy.reaches(deal: transactions.dates[original], reversal: transactions.dates[row]) else { return .pastWindow }
        if let above = reversals.position(of: original), !intact[above] { return .reversesLeftOut }
        return .reaches(original: original, root: reversals.root(at: position))
    }
}

/// What a rate table applied to each credit of a rule paid, over all of them, for the line's trace.
struct PerTransactionTally {
    /// Per tier, the base paid at the rate that tier pays (a tier whose gate is closed pays another
    /// tier's rate: its base is counted there).
    var bases: [WideDecimal]
    /// Base paid at no rate (below the first tier with its gate closed).
    var unpaid: WideDecimal = .zero
    /// The highest tier a credit reached, and the tier whose rate it pays (-1: none).
    var highest: Int? = nil
    var highestPays = -1
    /// The credits the table was applied to.
    var credits = 0
    /// The sum of their values.
    var total: WideDecimal = .zero

    /// The table applied (another table applied inside it, in a tier's condition, is not tallied).
    let table: Int

    init(table: Int, tiers: Int) {
        self.table = table
        bases = [WideDecimal](repeating: .zero, count: tiers)
    }

    /// Counts `slice` as paid at tier `paid`'s rate (below 0, or past the tiers: at no rate).
    mutating func add(_ slice: WideDecimal, paidAt paid: Int) throws {
        if paid >= 0 && paid < bases.count {
            bases[paid] = try Exact.add(bases[paid], slice)
        } else {
            unpaid = try Exact.add(unpaid, slice)
        }
    }
}

/// Bounds of limits that are the same in every period of a roster row, kept per evaluator.
struct LimitBounds {
    /// Per component, whether some limit bounds it, and the same for the total (made with
    /// ``invariant``): most components have none, and finding that out limit by limit cost a
    /// copy of each limit per component and period.
    var componentLimited: [Bool] = []
    var totalLimited = false
    /// Per limit: whether its bound reads only constants and the rep's roster row.
    var invariant: [Bool] = []
    /// Per limit: the bound last evaluated, and for which payee and roster row.
    var known: [(payee: Int, assignment: Int, value: EvalValue)?] = []

    /// Whether `expr` reads nothing but literals, parameters and the rep's roster attributes,
    /// through arithmetic, rounding, comparisons and conditions: its value then depends on the
    /// roster row alone (no period, measure, quota, table, input or transaction).
    static func readsOnlyRosterRow(_ expr: Expr, _ plan: Plan) -> Bool {
        switch expr.kind {
        case .literal, .parameter:
            return true
        case .attribute(let id):
            return plan.attributes[id.index].scope == .rep
        case .negate(let inner), .round(let inner, _), .not(let inner):
            return readsOnlyRosterRow(inner, plan)
        case .arithmetic(_, let a, let b), .divide(let a, let b, _), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b):
            return readsOnlyRosterRow(a, plan) && readsOnlyRosterRow(b, plan)
        case .conditional(let condition, let a, let b):
            return readsOnlyRosterRow(condition, plan) && readsOnlyRosterRow(a, plan) && readsOnlyRosterRow(b, plan)
        default:
            return false
        }
    }
}
