import CompCore
import Ledger
import PlanModel

/// What one ledger row credited one payee in one period by one credit rule, as the run's crediting
/// made it: `comp explain` shows it beside each transaction (a renewal credited at 50 %, a deal
/// converted from EUR, a team member's deal rolled up to the manager).
public struct RowCredit: Sendable, Hashable {
    /// The credit rule's name.
    public let rule: String
    /// The ledger row.
    public let row: Int
    /// The credited value, exact (a measure rounds the sum, not each credit): money in the plan's
    /// currency, or a count for a rule crediting counts.
    public let value: WideDecimal
    /// 0 for the payee's own credit or a split share; k for a credit rolled up from k manager
    /// levels below.
    public let level: Int
    /// For a reversal charged back to its deal's period (`clawback { charge original_period }`),
    /// the label of that period; `nil` otherwise.
    public let chargedTo: String?

    public init(rule: String, row: Int, value: WideDecimal, level: Int, chargedTo: String?) {
        self.rule = rule
        self.row = row
        self.value = value
        self.level = level
        self.chargedTo = chargedTo
    }
}

extension ReferenceEvaluator {
    /// Every credit that `rep` received on `plan` in the run period labelled `period` from the
    /// ledger rows `rows`, in row order and then rule order, made by the same crediting as a run
    /// (`inputs` and `runSpan` as the run passed them). A reversal charged back to its deal's
    /// period is the period's where it was booked. `nil` when `rep` is not a payee of the plan or
    /// `period` is not one of its run periods.
    ///
    /// Only the blocks of rows holding one of `rows` are credited: a rep's few transactions cost
    /// a few blocks, not a pass over the ledger.
    public static func credits(
        of plan: Plan, data: LedgerData, inputs: [String: InputTableValues] = [:], runSpan: TransactionSpan? = nil,
        rep: String, period: String, rows: [Int]
    ) throws(EvaluationError) -> [RowCredit]? {
        do {
            let evaluator = try PlanEvaluation(plan: plan, data: data, inputs: inputs, compiling: true, runSpan: runSpan)
            guard let repIndex = data.roster.repIDs.firstIndex(of: rep),
                let position = evaluator.payees.firstIndex(of: RepIndex(repIndex)),
                let periodIndex = evaluator.periods.firstIndex(where: { $0.description == period })
            else { return nil }
            let wanted = Set(rows.filter { $0 >= 0 && $0 < data.transactions.count })
            let payeeCount = evaluator.payees.count
            let periodCount = evaluator.periods.count
            let block = 1 << 14
            var found: [RowCredit] = []
            for start in Set(wanted.map { $0 / block * block }).sorted() {
                try evaluator.credit(rows: start..<min(start + block, data.transactions.count))
                for (index, credit) in evaluator.shardCredits.enumerated() where wanted.contains(Int(credit.row)) {
                    let group = Int(evaluator.shardGroups[index])
                    guard group % periodCount == periodIndex, group / periodCount % payeeCount == position else { continue }
                    let rule = group / periodCount / payeeCount
                    found.append(
                        RowCredit(
                            rule: plan.creditRules[rule].name, row: Int(credit.row), value: credit.value, level: Int(credit.level),
                            chargedTo: nil))
                }
                for (rule, byPayee) in evaluator.lateCredits.enumerated() {
                    for late in byPayee[position] where late.reversal == periodIndex && wanted.contains(Int(late.credit.row)) {
                        let original = late.original >= 0 && late.original < periodCount ? evaluator.periods[late.original].description : nil
                        found.append(
                            RowCredit(
                                rule: plan.creditRules[rule].name, row: Int(late.credit.row), value: late.credit.value,
                                level: Int(late.credit.level), chargedTo: original))
                    }
                }
            }
            let order = Dictionary(uniqueKeysWithValues: plan.creditRules.enumerated().map { ($0.element.name, $0.offset) })
            return found.sorted { ($0.row, order[$0.rule] ?? 0, $0.level) < ($1.row, order[$1.rule] ?? 0, $1.level) }
        } catch {
            throw wrap(error)
        }
    }
}
