import CompCore
import Ledger
import PlanModel

/// What one ledger row credited one payee by one credit rule, as the run's crediting made it:
/// `comp explain` shows it beside each transaction (a renewal credited at 50 %, a deal converted
/// from EUR, a team member's deal rolled up to the manager).
public struct RowCredit: Sendable, Hashable {
    /// The credit rule's name.
    public let rule: String
    /// The ledger row.
    public let row: Int
    /// The credited value, exact (a measure rounds the sum, not each credit): money in the plan's
    /// currency, or a count (a rate, once weighted) for a rule crediting counts.
    public let value: WideDecimal
    /// 0 for the payee's own credit or a split share; k for a credit rolled up from k manager
    /// levels below.
    public let level: Int
    /// The label of the run period the credit is booked in (a reversal's own, when charged back).
    public let period: String
    /// For a reversal charged back to its deal's period (`clawback { charge original_period }`),
    /// the label of that period, whose restatement counts it; `nil` otherwise.
    public let chargedTo: String?

    public init(rule: String, row: Int, value: WideDecimal, level: Int, period: String, chargedTo: String?) {
        self.rule = rule
        self.row = row
        self.value = value
        self.level = level
        self.period = period
        self.chargedTo = chargedTo
    }
}

extension ReferenceEvaluator {
    /// Every credit that `rep` received on `plan` from the ledger rows `rows`, in any run period,
    /// in row order and then rule order, made by the same crediting as a run (`runSpan` as the
    /// run passed it; the ledger indexed on up to `threads` threads). `nil` when `rep` is not a
    /// payee of the plan.
    ///
    /// Only the blocks of rows holding one of `rows` are credited: a rep's few transactions cost
    /// a few blocks, not a pass over the ledger. Credit rules read no input table (the checker
    /// refuses them there), so none is needed.
    public static func credits(
        of plan: Plan, data: LedgerData, runSpan: TransactionSpan? = nil, rep: String, rows: [Int], threads: Int = 1
    ) throws(EvaluationError) -> [RowCredit]? {
        do {
            let evaluator = try PlanEvaluation(plan: plan, data: data, inputs: [:], runSpan: runSpan, requiringInputs: false, threads: threads)
            guard let repIndex = data.roster.repIDs.firstIndex(of: rep), let position = evaluator.payees.firstIndex(of: RepIndex(repIndex)) else {
                return nil
            }
            let wanted = Set(rows.filter { $0 >= 0 && $0 < data.transactions.count })
            let periods = evaluator.periods
            func label(_ period: Int) -> String { period >= 0 && period < periods.count ? periods[period].description : "?" }
            let block = 1 << 14
            var found: [RowCredit] = []
            for start in Set(wanted.map { $0 / block * block }).sorted() {
                try evaluator.credit(rows: start..<min(start + block, data.transactions.count))
                for (index, credit) in evaluator.shardCredits.enumerated() where wanted.contains(Int(credit.row)) {
                    let group = CreditTable.parts(ofGroup: Int(evaluator.shardGroups[index]), payees: evaluator.payees.count, periods: periods.count)
                    guard group.payee == position else { continue }
                    found.append(
                        RowCredit(
                            rule: plan.creditRules[group.rule].name, row: Int(credit.row), value: credit.value, level: Int(credit.level),
                            period: label(group.period), chargedTo: nil))
                }
                for (rule, byPayee) in evaluator.lateCredits.enumerated() {
                    for late in byPayee[position] where wanted.contains(Int(late.credit.row)) {
                        found.append(
                            RowCredit(
                                rule: plan.creditRules[rule].name, row: Int(late.credit.row), value: late.credit.value,
                                level: Int(late.credit.level), period: label(late.reversal), chargedTo: label(late.original)))
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
