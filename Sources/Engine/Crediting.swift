import CompCShims
import CompCore
import Ledger
import PlanModel

/// A credit rule in the shape most plans have, reduced to columns and tables: credit the rep
/// (`to rep`), an amount of `txn.amount` or `fx(txn.amount)`, and a filter and a weight that are
/// constants or read one string column (`txn.kind == "new"`, `match txn.kind { … }`). Such a rule
/// credits a row with a few array reads and one or two exact multiplications; any other rule goes
/// through ``RowExpr`` (the results are the same; the differential tests check it).
struct FastCreditRule: Sendable {
    /// A per-code table over one string column.
    struct Coded<Value: Sendable>: Sendable {
        let codes: StringColumn.Codes
        let table: [Value]

        @inline(__always)
        func callAsFunction(_ row: Int) -> Value {
            switch codes {
            case .narrow(let column): return table[Int(column[row])]
            case .wide(let column): return table[Int(column[row])]
            }
        }
    }

    /// True for `fx(txn.amount)`, false for `txn.amount`.
    let converted: Bool
    /// Whether a row passes the filter (none: every row).
    let filter: Coded<Bool>?
    let constantFilter: Bool
    /// The weight by code (`nil`: no number, so no credit), or a constant one.
    let weight: Coded<WideDecimal?>?
    let constantWeight: WideDecimal??

    /// A code column as one of its two widths.
    static func columns(_ codes: StringColumn.Codes?) -> (Column<UInt16>?, Column<UInt32>?) {
        switch codes {
        case .narrow(let column)?: return (column, nil)
        case .wide(let column)?: return (nil, column)
        case nil: return (nil, nil)
        }
    }

    /// The fast form of a compiled rule, when it has one.
    init?(filter: RowExpr?, amount: RowExpr, weight: RowExpr?, recipients: [Recipient]) {
        guard recipients.count == 1, case .rep = recipients[0] else { return nil }
        switch amount {
        case .amount: converted = false
        case .convert(.amount): converted = true
        default: return nil
        }
        switch filter {
        case nil:
            self.filter = nil
            constantFilter = true
        case .constant(let value)?:
            self.filter = nil
            constantFilter = value == .bool(true)
        case .coded(let codes, let table, _)?:
            var flags: [Bool] = []
            for entry in table {
                guard let entry else { return nil }  // an entry that failed: the general path reports it
                flags.append(entry == .bool(true))
            }
            self.filter = Coded(codes: codes, table: flags)
            constantFilter = true
        default:
            return nil
        }
        switch weight {
        case nil:
            self.weight = nil
            constantWeight = .some(nil)
        case .constant(let value)?:
            self.weight = nil
            if case .number(let number) = value { constantWeight = .some(number) } else { constantWeight = nil }
        case .coded(let codes, let table, _)?:
            var factors: [WideDecimal?] = []
            for entry in table {
                guard let entry else { return nil }
                if case .number(let number) = entry { factors.append(number) } else { factors.append(nil) }
            }
            self.weight = Coded(codes: codes, table: factors)
            constantWeight = .some(nil)
        default:
            return nil
        }
    }
}

extension PlanEvaluation {
    /// Credits ledger rows `rows` (all by default) into this evaluator's shard buffers: credits by
    /// (rule, payee, period) group, reversals charged back to earlier periods, SPIFF rows, and the
    /// rows credited at all (in ``creditedFlags``). With `summingGroups`, the credits' values are
    /// not kept but added up per group (``SummedCredits``), for plans that only sum and count them.
    ///
    /// The rows are taken in file order, a chunk at a time: first what every rule needs (the run
    /// period, the roster assignment, a charge-back), then each rule over the chunk. Credits of one
    /// rule therefore come out in row order, as the reference walk gives them.
    func credit(rows: Range<Int>? = nil, summingGroups: Int? = nil) throws {
        // Payee position by rep (-1: not a payee of this plan).
        var payeeOfRep = [Int32](repeating: -1, count: roster.repIDs.count)
        for (position, rep) in payees.enumerated() { payeeOfRep[Int(rep)] = Int32(position) }
        let repInfo = RepCreditInfo.table(payeeOfRep: payeeOfRep, assignments: assignments)
        shardCredits = []
        shardGroups = []
        lateCredits = plan.creditRules.map { _ in payees.map { _ in [] } }
        shardSpiffHits = []
        shardSpiffGroups = []
        spiffFallback = []
        // Every transaction is looked at, not only the payees' own: a credit can roll up to a
        // manager on this plan from a rep on another plan.
        let range = rows ?? 0..<transactions.count
        let ruleCount = plan.creditRules.count
        let recipients = plan.creditRules.map { $0.recipients.map(\.kind) }
        let fastRules = compiled.fastRules
        let spiffs = compiled.spiffs
        let dates = transactions.dates
        let reps = transactions.reps
        let chargeBack = plan.chargeBack
        let effective = plan.effective
        let onPlan = assignments.onPlan
        let periodCount = periods.count
        let payeeCount = payees.count
        // What the loops read, in locals: reading them through `self` cost a retain or an
        // exclusivity check per row.
        let amounts = transactions.amounts
        let currencyCodes = transactions.currencyCodes
        let monthTable = months
        let table = assignments
        let reversals = reversalBits
        let cancellations = cancellationBits
        let periodsByMonth = runPeriods
        let spiffWindows = spiffs.map { (window: $0.window, byEffectiveDate: $0.byEffectiveDate) }
        // A plan whose rules credit only the row's own rep (most plans) takes nothing from a row of
        // a rep who is not its payee, save a reversal (charged to its deal's rep, and a SPIFF's
        // take-back): such a row is passed over before anything of it is computed. Each plan of a
        // run had computed every row of the ledger: a run of 20 such plans, 20 whole passes.
        let ownRowsOnly = plan.creditRules.allSatisfy { rule in rule.recipients.allSatisfy(\.kind.isRep) }
        /// The run period of a date (``periodIndex(of:)``).
        @inline(__always) func runPeriod(of date: CivilDate) -> Int? { periodsByMonth.period(ofMonth: monthTable.month(of: date)) }
        @inline(__always) func isReversal(_ row: Int) -> Bool { reversals.contains(row) }

        // One chunk's rows that reach the rules, with what the rules need.
        let chunkSize = 4096
        // Fixed buffers of a chunk's size, filled from the start each chunk (appending to arrays
        // checked their uniqueness and capacity five times a row).
        let chunkRows = UnsafeMutablePointer<Int32>.allocate(capacity: chunkSize)
        let chunkPeriods = UnsafeMutablePointer<Int32>.allocate(capacity: chunkSize)
        let chunkEntries = UnsafeMutablePointer<Int32>.allocate(capacity: chunkSize)
        let chunkCharged = UnsafeMutablePointer<Int32>.allocate(capacity: chunkSize)  // run period a reversal is charged back to, or -1
        let chunkDates = UnsafeMutablePointer<CivilDate>.allocate(capacity: chunkSize)
        let chunkReps = UnsafeMutablePointer<RepIndex>.allocate(capacity: chunkSize)  // the rep credited (a deal's, for a charged-back reversal)
        let chunkCredited = UnsafeMutablePointer<Bool>.allocate(capacity: chunkSize)
        // The credited rep's payee position and the row's month (its fx month), found once a row
        // for every rule.
        let chunkPositions = UnsafeMutablePointer<Int32>.allocate(capacity: chunkSize)
        let chunkMonths = UnsafeMutablePointer<Int32>.allocate(capacity: chunkSize)
        let stagedGroups = UnsafeMutablePointer<UInt32>.allocate(capacity: chunkSize)
        let stagedRows = UnsafeMutablePointer<Int32>.allocate(capacity: chunkSize)
        let stagedCredits = UnsafeMutablePointer<Credit>.allocate(capacity: chunkSize)
        defer {
            stagedGroups.deallocate()
            stagedRows.deallocate()
            stagedCredits.deallocate()
            chunkRows.deallocate()
            chunkPeriods.deallocate()
            chunkEntries.deallocate()
            chunkCharged.deallocate()
            chunkDates.deallocate()
            chunkReps.deallocate()
            chunkCredited.deallocate()
            chunkPositions.deallocate()
            chunkMonths.deallocate()
        }
        /// Rows of the current chunk that reach the rules.
        var chunkCount = 0
        var localCredits: [Credit] = []
        var localGroups: [UInt32] = []
        // Summed credits: rows, and per group the partial sum and count (plain locals: reaching
        // them through an optional or a struct cost a copy check per credit).
        let summing = summingGroups != nil
        var summedRows: [Int32] = []
        var partialTotals = [GroupTotal](repeating: GroupTotal(), count: summingGroups ?? 0)
        // A rule's credits of one chunk, added to their groups after the rule's pass over the chunk
        // (``PendingCredits``).
        var pending = PendingCredits()
        // Room for a credit per row and rule up front (up to four rules): reserved pages that are
        // never written cost nothing, while growing by doubling copied the shard and faulted in
        // fresh pages for each copy.
        if summing {
            summedRows.reserveCapacity(range.count * min(ruleCount, 4))
        } else {
            localCredits.reserveCapacity(range.count * min(ruleCount, 4))
        }
        localGroups.reserveCapacity(range.count * min(ruleCount, 4))
        // Rows credited to some payee, marked in the run's shared flags (this shard's rows only).
        let creditedFlags = self.creditedFlags

        // Credits this shard had made at the end of the chunk before (for the run's count).
        var keptBefore = 0
        // How far the room for credits has been mapped ahead.
        var populatedUpTo = 0
        var chunkStart = range.lowerBound
        while chunkStart < range.upperBound {
            let chunk = chunkStart..<min(chunkStart + chunkSize, range.upperBound)
            chunkStart = chunk.upperBound
            chunkCount = 0
            for row in chunk {
                let rep = reps[row]
                let info = repInfo[Int(rep)]
                let position = info.position
                if ownRowsOnly && position < 0 && !isReversal(row) { continue }
                let date = dates[row]
                let month = monthTable.month(of: date)
                guard let period = periodsByMonth.period(ofMonth: month) else { continue }
                // SPIFFs look at the payee's own rows by their own date (also reversals no credit rule
                // takes); a reversal charged back to its deal is the deal's rep's (``spiffOwner(of:)``).
                var spiffPosition = position
                var spiffRep = rep
                if chargeBack != nil && !spiffs.isEmpty && isReversal(row) {
                    spiffRep = spiffOwner(of: row).rep
                    spiffPosition = payeeOfRep[Int(spiffRep)]
                }
                if spiffPosition >= 0 && !spiffs.isEmpty {
                    for slot in spiffs.indices {
                        // Most rows are outside a SPIFF's window: that is checked here first.
                        let basis = spiffWindows[slot].byEffectiveDate && isReversal(row) ? dates[reversalTarget(of: row) ?? row] : date
                        guard spiffWindows[slot].window.contains(basis) else { continue }
                        payee = Int(spiffPosition)
                        periodIndex = period
                        let group = CreditTable.group(rule: slot, payee: Int(spiffPosition), period: period, payees: payeeCount, periods: periodCount)
                        do {
                            guard let contribution = try spiffContribution(spiffs[slot], row: row, rep: spiffRep) else { continue }
                            shardSpiffHits.append(Credit(value: contribution, row: Int32(row)))
                            shardSpiffGroups.append(UInt32(truncatingIfNeeded: group))
                        } catch {
                            spiffFallback.insert(group)
                        }
                    }
                }
                // A reversal under `charge original_period` is charged back to the original's period
                // when it falls inside the window; outside it, it is not clawed back. Whoever was
                // credited for the deal on its own date is charged: the rep's manager, plan or
                // employment may have changed since.
                var chargedTo: Int32 = -1
                var payeeDate = date
                var creditedRep = rep
                var creditedInfo = info
                if chargeBack != nil && isReversal(row) {
                    // Past the window it is not clawed back.
                    guard let deal = chargedBack(row) else { continue }
                    // The deal's rep is charged, also when another rep booked the reversal, on the
                    // deal's date (its plan, manager and effective dates), also within the deal's own
                    // period (a same-month reversal dated after the rep left or the plan ended had
                    // been dropped, and the deal stayed paid). A reversal of a reversal goes back to
                    // the deal itself, so every period the cancellation restated is restated again.
                    creditedRep = reps[deal.root]
                    creditedInfo = repInfo[Int(creditedRep)]
                    payeeDate = dates[deal.root]
                    if let dealPeriod = runPeriod(of: dates[deal.root]), dealPeriod < period {
                        chargedTo = Int32(dealPeriod)
                    }
                }
                // A rep with one roster entry (most) is checked against its days in place.
                let entry: Int
                if creditedInfo.entry >= 0 {
                    let day = payeeDate.daysSinceEpoch
                    guard creditedInfo.first <= day && day <= creditedInfo.last else { continue }
                    entry = Int(creditedInfo.entry)
                } else {
                    guard let found = table.entry(of: creditedRep, on: payeeDate) else { continue }
                    entry = found
                }
                // Outside the plan's effective dates nothing is credited.
                if let effective, !effective.contains(payeeDate) { continue }
                chunkPositions[chunkCount] = creditedInfo.position
                chunkMonths[chunkCount] = Int32(truncatingIfNeeded: month)
                chunkRows[chunkCount] = Int32(row)
                chunkPeriods[chunkCount] = Int32(period)
                chunkEntries[chunkCount] = Int32(entry)
                chunkCharged[chunkCount] = chargedTo
                chunkDates[chunkCount] = payeeDate
                chunkReps[chunkCount] = creditedRep
                chunkCount += 1
            }
            for index in 0..<chunkCount { chunkCredited[index] = false }
            // The room reserved for credits is mapped a stretch at a time before it is written
            // (``populateCapacity(of:ahead:)``): written page by page, each page had faulted.
            if localGroups.count + chunkSize * ruleCount > populatedUpTo {
                let stretch = 1 << 18
                populateCapacity(of: &localGroups, ahead: stretch)
                if summing { populateCapacity(of: &summedRows, ahead: stretch) } else { populateCapacity(of: &localCredits, ahead: stretch) }
                populatedUpTo = localGroups.count + stretch
            }
            var chunkFailure: (index: Int, rule: Int, error: any Error, payee: Int, period: Int)? = nil
            func record(_ index: Int, _ rule: Int, _ error: any Error, payee: Int, period: Int) {
                if chunkFailure.map({ index < $0.index }) ?? true { chunkFailure = (index, rule, error, payee, period) }
            }

            for rule in 0..<ruleCount {
                if let fast = fastRules[rule] {
                    // The fast path: the rep credits itself; filter and weight by code.
                    let constantWeight = fast.constantWeight
                    // The tables and code columns as plain locals (a struct holding them was copied,
                    // with two retains, per row).
                    let hasWeight = fast.weight != nil
                    let weightTable = fast.weight?.table ?? []
                    let (weightNarrow, weightWide) = FastCreditRule.columns(fast.weight?.codes)
                    let hasFilter = fast.filter != nil
                    let filterTable = fast.filter?.table ?? []
                    let (filterNarrow, filterWide) = FastCreditRule.columns(fast.filter?.codes)
                    // A rule credits a row at most once here: its credits of the chunk are staged in
                    // buffers of the chunk's size.
                    var staged = 0
                    // Rows past an earlier rule's failing row need not be credited: the run stops there.
                    for index in 0..<(chunkFailure?.index ?? chunkCount) {
                        guard fast.constantFilter else { break }
                        let row = Int(chunkRows[index])
                        if hasFilter {
                            let code = filterNarrow.map { Int($0[row]) } ?? filterWide.map { Int($0[row]) } ?? 0
                            if !filterTable[code] { continue }
                        }
                        let position = Int(chunkPositions[index])
                        let period = Int(chunkPeriods[index])
                        // The amount is computed for every row that passes the filter, payee or not,
                        // as the reference walk does (so an error in it is an error either way).
                        var value: WideDecimal
                        do {
                            value = WideDecimal(value: Int128(amounts[row]), scale: FixedDecimal.scale)
                            if fast.converted {
                                if let rate = monthTable.rate(currency: Int(currencyCodes[row]), month: Int(chunkMonths[index])) {
                                    value = try Exact.multiply(value, rate)
                                } else {
                                    payee = position >= 0 ? position : payeeCount
                                    periodIndex = period
                                    value = try convertToPlan(value, row: row)
                                }
                            }
                            // The weight: by code, or constant (`.some(nil)`: none), or `nil` when it has no value.
                            let weight: WideDecimal??
                            if hasWeight {
                                let code = weightNarrow.map { Int($0[row]) } ?? weightWide.map { Int($0[row]) } ?? 0
                                weight = weightTable[code].map { .some($0) }
                            } else {
                                weight = constantWeight
                            }
                            // A weight with no value credits no one; a payee's row stops the run.
                            guard let weight else {
                                guard position >= 0, onPlan[Int(chunkEntries[index])] else { continue }
                                throw noCreditValue("weight", rule: rule, row: row, payee: position, period: period)
                            }
                            if let factor = weight { value = try Exact.multiply(value, factor) }
                        } catch {
                            // Reported like the general path's errors, with this row's payee and period.
                            record(index, rule, error, payee: position >= 0 ? position : payeeCount, period: period)
                            break
                        }
                        guard position >= 0, onPlan[Int(chunkEntries[index])] else { continue }
                        let credit = Credit(value: value, row: Int32(row))
                        let charged = Int(chunkCharged[index])
                        if charged >= 0 {
                            lateCredits[rule][position].append(LateCredit(credit: credit, original: charged, reversal: period))
                            lateCreditsMade &+= 1
                        } else {
                            let group = CreditTable.group(rule: rule, payee: position, period: period, payees: payeeCount, periods: periodCount)
                            stagedGroups[staged] = UInt32(truncatingIfNeeded: group)
                            stagedRows[staged] = Int32(row)
                            stagedCredits[staged] = credit
                            staged += 1
                        }
                        chunkCredited[index] = true
                    }
                    // The chunk's credits of this rule, appended at once.
                    localGroups.append(contentsOf: UnsafeBufferPointer(start: stagedGroups, count: staged))
                    if summing {
                        summedRows.append(contentsOf: UnsafeBufferPointer(start: stagedRows, count: staged))
                        pending.credits.append(contentsOf: UnsafeBufferPointer(start: stagedCredits, count: staged))
                    } else {
                        localCredits.append(contentsOf: UnsafeBufferPointer(start: stagedCredits, count: staged))
                    }
                    pending.add(groups: localGroups, to: &partialTotals, cancellations: cancellations)
                } else {
                    for index in 0..<(chunkFailure?.index ?? chunkCount) {
                        do {
                            if try creditGeneral(
                                rule: rule, row: Int(chunkRows[index]), period: Int(chunkPeriods[index]), entry: Int(chunkEntries[index]),
                                chargedTo: chunkCharged[index] >= 0 ? Int(chunkCharged[index]) : nil, payeeDate: chunkDates[index],
                                creditedRep: chunkReps[index],
                                recipients: recipients[rule], payeeOfRep: payeeOfRep)
                            {
                                chunkCredited[index] = true
                            }
                        } catch {
                            record(index, rule, error, payee: payee, period: periodIndex)
                            break
                        }
                    }
                    // The general path files through `give` into `shardCredits`; keep row order per rule.
                    if !shardCredits.isEmpty {
                        localGroups.append(contentsOf: shardGroups)
                        if summing {
                            for credit in shardCredits { summedRows.append(credit.row) }
                            pending.credits.append(contentsOf: shardCredits)
                            pending.add(groups: localGroups, to: &partialTotals, cancellations: cancellations)
                        } else {
                            localCredits.append(contentsOf: shardCredits)
                        }
                        shardGroups.removeAll(keepingCapacity: true)
                        shardCredits.removeAll(keepingCapacity: true)
                    }
                }
            }
            // The chunk's first failure in row order (then rule order) is the run's, whatever the
            // shards are: the same error for any thread count, as walking row by row would give.
            if let failure = chunkFailure {
                payee = failure.payee
                periodIndex = failure.period
                if failure.error is EvaluationError { throw failure.error }
                // An arithmetic failure (an overflow) names its rule, at its place.
                let rule = plan.creditRules[failure.rule]
                throw self.failure(String(describing: failure.error), what: "credit rule \(rule.name)", span: rule.span)
            }
            if let creditedFlags {
                for index in 0..<chunkCount where chunkCredited[index] { creditedFlags[Int(chunkRows[index])] = true }
            }
            // More credits than the machine's memory holds: stopped with a message, not killed.
            let kept = (summing ? summedRows.count : localCredits.count) + lateCreditsMade
            let madeByAll = creditCounter?.add(kept - keptBefore) ?? kept
            keptBefore = kept
            if madeByAll > creditLimit {
                let bytes = summing ? CreditTable.bytesPerSummedCredit : CreditTable.bytesPerCredit
                throw EvaluationError(
                    rep: nil, period: nil, what: "plan \(plan.id)",
                    message: "its \(ruleCount == 1 ? "credit rule credits" : "\(ruleCount) credit rules credit") more than "
                        + "\(CreditTable.maximumCredits(summed: summing)) times (each rule, each row it takes, each recipient), more than "
                        + (CreditTable.creditsSet != nil
                            ? "COMP_MAX_CREDITS allows (about \(bytes) bytes a credit); raise it, "
                            : "a run keeps in memory (60% of this machine's, about \(bytes) bytes a credit; COMP_MAX_CREDITS sets another limit); ")
                        + "use fewer credit rules, or run the ledger in parts (a period or a region at a time)",
                    source: nil)
            }
        }
        shardCredits = localCredits
        shardGroups = localGroups
        if summing {
            var summed = SummedCredits(rows: summedRows, totals: partialTotals)
            summed.overflowed = pending.overflowed.sorted()
            shardSums = summed
        }
    }

    /// Notes a problem of the data met while crediting, listed with every other once crediting is
    /// done (the run then fails): each `identity` once, at its first (row, rule). A shard keeps the
    /// hundred first by (row, rule), whatever order it met them in (it credits a chunk of rows
    /// rule by rule), so the run lists the same ones at any thread count. `make` builds the
    /// message only when it is kept (a deal reversed thousands of times had its message made
    /// each time).
    func noteCreditConflict(_ key: SplitConflictKey, identity: String, _ make: () -> EvaluationError) {
        let known = splitConflicts.firstIndex { $0.identity == identity }
        // Past the hundred kept, and after all of them: nothing to keep.
        if splitConflictsCut, let last = splitConflicts.last?.key, !(key < last) { return }
        // Met before at an earlier row (a deal, or an earlier reversal of it).
        if let known, !(key < splitConflicts[known].key) { return }
        let conflict = make()
        if let known {
            splitConflicts[known] = (key, identity, conflict)
        } else {
            splitConflicts.append((key, identity, conflict))
        }
        splitConflicts.sort { $0.key < $1.key }
        if splitConflicts.count > Self.listedPayeeFailures {
            splitConflicts.removeLast()
            splitConflictsCut = true
        }
    }

    /// The most manager levels a roll-up follows (``Credit/maximumLevel`` bounds what a credit can
    /// carry; this bounds what a run makes).
    static let maximumRollupLevels = 256

    /// Credits one row by one rule through the compiled expressions and any recipients; true when
    /// some payee was credited.
    private func creditGeneral(
        rule ruleIndex: Int, row: Int, period: Int, entry assignmentEntry: Int, chargedTo: Int?, payeeDate: CivilDate,
        creditedRep rep: RepIndex, recipients: [Recipient], payeeOfRep: [Int32]
    ) throws -> Bool {
        let position = payeeOfRep[Int(rep)]
        payee = position >= 0 ? Int(position) : payees.count
        periodIndex = period
        func isPayee(_ rep: RepIndex, on date: CivilDate) -> Int? {
            let position = payeeOfRep[Int(rep)]
            guard position >= 0, let entry = assignments.entry(of: rep, on: date), assignments.onPlan[entry] else { return nil }
            return Int(position)
        }
        let context = Context(rep: rep, row: row, assignmentIndex: Int(assignments.rosterRow[assignmentEntry]))
        // A reversal's filters and weight read its deal's size (``dealSized(_:row:)``); the amount
        // credited is its own.
        let sized = dealSized(context, row: row)
        if let filter = compiled.filters[ruleIndex], try evalRow(filter, sized, row: row) != .bool(true) { return false }
        // An amount or weight with no value (an empty optional column) credits no one; crediting
        // a payee with it stops the run (it had credited nothing without a word, the row counted
        // as left out by a filter).
        var known: WideDecimal? = nil
        var missing = "amount"
        if case .number(let amount) = try evalRow(compiled.amounts[ruleIndex], context, row: row) {
            known = amount
            if let weight = compiled.weights[ruleIndex] {
                if case .number(let factor) = try evalRow(weight, sized, row: row) {
                    known = try Exact.multiply(amount, factor)
                } else {
                    (known, missing) = (nil, "weight")
                }
            }
        }
        /// The credit's value for the payee at `position` (the rep, a manager, a split partner).
        func value(for position: Int) throws -> WideDecimal {
            if let known { return known }
            throw noCreditValue(missing, rule: ruleIndex, row: row, payee: position, period: period)
        }
        var credited = false
        for recipient in recipients {
            switch recipient {
            case .rep:
                // The rep's own assignment on that date is `assignmentEntry`.
                if payee < payees.count, assignments.onPlan[assignmentEntry] {
                    give(Credit(value: try value(for: payee), row: Int32(row)), rule: ruleIndex, to: payee, in: period, chargedTo: chargedTo)
                    credited = true
                }
            case .splits(let overlay):
                // A reversal is split like the deal it reverses (splits.csv names the deal). One
                // charged back to its deal is split as the deal was, whatever rows splits.csv has
                // for the reversal: the charge falls on whoever was credited with the deal (the
                // reversal's own rows had charged a rep the deal never paid).
                let splitSource = splitSources.source(of: chargedBack(row)?.root ?? row)
                if data.splits.refused.contains(splitSource) {
                    // Its split rows were rejected (--quarantine): who shares the credit is not
                    // known, so no one is credited (the reconciliation says why).
                } else if let splits = data.splits.byTransaction[splitSource] {
                    // Shares over 1 are accepted when some rule of the run credits `to splits
                    // overlay`; a plain `to splits` rule must not credit more than the deal.
                    if !overlay, let total = data.splits.overlaid[splitSource] {
                        // A rule that would credit none of its plan's payees from the deal passes
                        // over it (another plan's overlay deal); otherwise the error names the
                        // first of them.
                        guard let partner = splits.lazy.compactMap({ isPayee(self.data.splits.rows[$0].rep, on: payeeDate) }).first else {
                            continue
                        }
                        // Listed with every other such transaction once crediting is done; nothing
                        // is credited for it meanwhile.
                        // Each (transaction, rule) once, by its first row and the rule's place: a deal
                        // and its reversal meet the same shares. A shard keeps the hundred first by
                        // (row, rule), whatever order it met them in (it credits a chunk of rows rule
                        // by rule), so the run lists the same ones at any thread count.
                        // One conflict for a deal and its reversals: the first met, by row.
                        noteCreditConflict(SplitConflictKey(row: row, rule: ruleIndex), identity: "\(splitSource) \(ruleIndex)") {
                            let lines = splits.map { String(data.splits.rows[$0].line) }
                            // A reversal is split as its deal: the row the rule took is named too
                            // (a `where` leaving the deal out does not leave its reversal out).
                            let met =
                                row == Int(splitSource)
                                ? ""
                                : ", met by reversal \"\(transactions.ids[row])\" (transactions.csv line \(transactions.line(of: row))), split as its deal"
                            let booking = payee
                            payee = partner
                            defer { payee = booking }
                            return failure(
                                "the split shares of transaction \"\(transactions.ids[Int(splitSource)])\" add up to \(total) "
                                    + "(splits.csv line\(lines.count == 1 ? "" : "s") \(lines.joined(separator: ", "))\(met)); "
                                    + "rule '\(plan.creditRules[ruleIndex].name)' credits 'to splits', which needs exactly 1 (shares over 1 "
                                    + "were accepted for the 'to splits overlay' rules of this run): give the transaction shares that "
                                    + "add up to 1, or leave it out of the rule with a `where`",
                                what: plan.creditRules[ruleIndex].name, span: plan.creditRules[ruleIndex].span)
                        }
                        continue
                    }
                    for splitIndex in splits {
                        let split = data.splits.rows[splitIndex]
                        guard let partner = isPayee(split.rep, on: payeeDate) else { continue }
                        let share = try Exact.multiply(try value(for: partner), WideDecimal(split.share))
                        give(Credit(value: share, row: Int32(row)), rule: ruleIndex, to: partner, in: period, chargedTo: chargedTo)
                        credited = true
                    }
                } else if let position = isPayee(rep, on: payeeDate) {
                    give(Credit(value: try value(for: position), row: Int32(row)), rule: ruleIndex, to: position, in: period, chargedTo: chargedTo)
                    credited = true
                }
            case .managers(let levels):
                var manager: RepIndex? = assignments.manager[assignmentEntry] >= 0 ? assignments.manager[assignmentEntry] : nil
                var level = 0
                let repCount = roster.repIDs.count
                while let current = manager, level < (levels ?? Int.max), level <= repCount {
                    // Each level is another credit of the row: a chain of thousands of managers (a
                    // roster error) would multiply the ledger by thousands.
                    // Listed with every other rep's once crediting is done (the run fails then).
                    if level + 1 > Self.maximumRollupLevels {
                        noteCreditConflict(SplitConflictKey(row: row, rule: ruleIndex), identity: "chain \(rep)") {
                            let line = data.roster.rows[Int(assignments.rosterRow[assignmentEntry])].line
                            return failure(
                                "the manager chain above \(roster.repIDs[Int(rep)]) (roster.csv line \(line)) is more than "
                                    + "\(Self.maximumRollupLevels) levels deep; roll-ups follow at most \(Self.maximumRollupLevels) "
                                    + "(check the roster's manager column)",
                                what: "credit \(plan.creditRules[ruleIndex].name)", span: plan.creditRules[ruleIndex].span)
                        }
                        break
                    }
                    if let target = isPayee(current, on: payeeDate) {
                        give(
                            Credit(value: try value(for: target), row: Int32(row), level: Int32(level + 1)), rule: ruleIndex, to: target, in: period,
                            chargedTo: chargedTo)
                        credited = true
                    }
                    manager = assignments.entry(of: current, on: payeeDate).flatMap {
                        assignments.manager[$0] >= 0 ? assignments.manager[$0] : nil
                    }
                    level += 1
                }
            }
        }
        return credited
    }
}

extension PlanEvaluation {
    /// A credit rule's amount or weight with no value for a row it credits a payee with.
    func noCreditValue(_ part: String, rule: Int, row: Int, payee position: Int, period: Int) -> EvaluationError {
        let booking = (payee, periodIndex)
        (payee, periodIndex) = (position, period)
        defer { (payee, periodIndex) = booking }
        let rule = plan.creditRules[rule]
        return failure(noValue(part, row: row), what: "credit \(rule.name)", span: rule.span)
    }
}

/// Credits made but not yet added to their groups' totals. The groups are reached at random:
/// adding a chunk's credits in a tight loop that prefetches a few ahead hides most of the cache
/// misses (adding each as it was made stalled on every one). A struct passed `inout`, not locals
/// captured by a nested function: captured variables are boxed and every access to them was
/// checked for exclusivity at run time.
struct PendingCredits {
    var credits: [Credit] = []
    /// Groups whose sum overflowed.
    var overflowed = Set<Int>()

    /// Adds the pending credits, which are the last of `groups`' credits, to `totals`.
    /// A cancellation counts −1 (``PlanEvaluation/cancellationBits``).
    mutating func add(groups: [UInt32], to totals: inout [GroupTotal], cancellations: ReversalBits) {
        guard !credits.isEmpty else { return }
        let first = groups.count - credits.count
        let ahead = 8
        let count = credits.count
        credits.withUnsafeBufferPointer { credits in
            groups.withUnsafeBufferPointer { groups in
                totals.withUnsafeMutableBufferPointer { totals in
                    guard let base = totals.baseAddress else { return }
                    for index in 0..<count {
                        if index + ahead < count { comp_prefetch_for_write(base + Int(groups[first + index + ahead])) }
                        let group = Int(groups[first + index])
                        let credit = credits[index]
                        if !totals[group].add(credit.value, cancels: cancellations.contains(Int(credit.row))) { overflowed.insert(group) }
                    }
                }
            }
        }
        credits.removeAll(keepingCapacity: true)
    }
}

/// What the pass over the rows reads of a rep, in one place: its payee position on the plan and,
/// when it has exactly one roster entry (most reps), that entry and its days. Reading them from
/// the payee table and the assignment table took four dependent loads a row.
struct RepCreditInfo {
    /// Payee position on the plan (-1: not a payee of it).
    var position: Int32
    /// The rep's only roster entry, or -1 when it has none or several (then the assignment
    /// table is searched).
    var entry: Int32
    /// First and last day of that entry (inclusive).
    var first: Int32
    var last: Int32

    static func table(payeeOfRep: [Int32], assignments: AssignmentTable) -> [RepCreditInfo] {
        payeeOfRep.indices.map { rep in
            guard rep + 1 < assignments.starts.count, assignments.starts[rep + 1] - assignments.starts[rep] == 1 else {
                return RepCreditInfo(position: payeeOfRep[rep], entry: -1, first: 0, last: 0)
            }
            let start = Int(assignments.starts[rep])
            return RepCreditInfo(
                position: payeeOfRep[rep], entry: Int32(start), first: assignments.first[start], last: assignments.last[start])
        }
    }
}
