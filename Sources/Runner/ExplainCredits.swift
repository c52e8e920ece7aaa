import CompCore
import CompDiagnostics
import Engine
import Foundation
import Ledger
import PlanModel
import RunResults

/// What each transaction behind a statement credited the payee, made again by the run's own
/// crediting from the run's plan files and data: `comp explain --transactions` shows it beside
/// each row (a renewal credited at 50 %, a deal converted from EUR, a rolled-up team deal).
struct CreditedRows {
    /// The plan's credit rules, in declaration order.
    let rules: [String]
    /// Per ledger row, the credits it gave the payee.
    let byRow: [Int: [RowCredit]]
    /// The period explained: credits booked in another one (earlier rows of a quarter-to-date
    /// window) say theirs.
    let period: String
    /// The plan's currency: what rules crediting money credit in.
    let currency: Currency
    /// The rules crediting money (the others credit counts).
    let moneyRules: Set<String>

    enum Outcome {
        case credits(CreditedRows)
        /// Why the credits cannot be shown.
        case unavailable(String)
    }

    /// The credits `rep` received on plan `planID` from ledger rows `rows`, when the run's plan
    /// files and their libraries are still the ones it read (by SHA-256) and `data` is its data,
    /// loaded again the same way. Input tables are not needed: no credit rule reads one.
    static func make(record: RunRecord, data: LedgerData, plan planID: String, rep: String, period: String, rows: [Int32]) -> Outcome {
        let planFiles = record.inputs.filter { $0.kind == "plan" }.map(\.path)
        guard !planFiles.isEmpty else { return .unavailable("the run did not record its plan files") }
        if let changed = TransactionNames.firstChanged(record.inputs.filter { $0.kind == "plan" || $0.kind == "library" }) {
            return .unavailable(changed)
        }
        // A what-if run's parameters, as it set them.
        var overrides: [String: String] = [:]
        for (key, value) in record.options where key.hasPrefix("param.") { overrides[String(key.dropFirst(6))] = value }
        do {
            let checked = try Runner.checkPlans(planFiles, overrides: overrides)
            guard checked.rendered.isEmpty, let plan = checked.plans.first(where: { $0.id == planID }) else {
                return .unavailable("the run's plan files no longer give plan \(TerminalText.safe(planID)) (check them with comp check)")
            }
            guard
                let credits = try ReferenceEvaluator.credits(
                    of: plan, data: data, runSpan: ReferenceEvaluator.runSpan(of: checked.plans, data: data, threads: activeProcessorCount()),
                    rep: rep, rows: rows.map(Int.init), threads: activeProcessorCount())
            else {
                return .unavailable("\(TerminalText.safe(rep)) is not a payee of plan \(TerminalText.safe(planID)) as the data reads now")
            }
            var moneyRules: Set<String> = []
            for rule in plan.creditRules { if case .money = rule.type { moneyRules.insert(rule.name) } }
            return .credits(
                CreditedRows(
                    rules: plan.creditRules.map(\.name), byRow: Dictionary(grouping: credits, by: \.row), period: period,
                    currency: plan.currency, moneyRules: moneyRules))
        } catch {
            // An overflow the run would have failed on, or plan files that no longer read.
            return .unavailable(TerminalText.safe(String(describing: error), lineBreaks: true))
        }
    }

    /// The rules that credited some listed row, in declaration order.
    var creditingRules: [String] {
        let used = Set(byRow.values.flatMap { $0.map(\.rule) })
        return rules.filter { used.contains($0) }
    }

    /// The column header of `rule`'s credits: `credited`, or `credited RULE` when several rules
    /// credited the rows.
    func header(_ rule: String, of shown: [String]) -> String { shown.count == 1 ? "credited" : "credited " + rule }

    /// What `row` credited by `rule`: the exact value, with what sets it apart from a credit of
    /// the period explained (another period, manager levels, a charge-back); empty when it
    /// credited nothing.
    func cell(row: Int, rule: String) -> String {
        let credits = (byRow[row] ?? []).filter { $0.rule == rule }
        return credits.map { credit in
            var notes: [String] = []
            if credit.period != period { notes.append(credit.period) }
            if credit.level > 0 { notes.append("\(credit.level) level\(credit.level == 1 ? "" : "s") down") }
            if let charged = credit.chargedTo { notes.append("charged to \(charged)") }
            let text = valueText(credit.value, rule: rule)
            return notes.isEmpty ? text : text + " (" + notes.joined(separator: ", ") + ")"
        }.joined(separator: " + ")
    }

    /// Per shown rule, what its credits of the period explained add up to (what the period's
    /// measure sums, before it rounds), then any listed credits of other periods and any
    /// reversals charged back to an earlier one, by period.
    func totals(of shown: [String]) -> [String] {
        var lines: [String] = []
        for rule in shown {
            let credits = byRow.values.flatMap { $0.filter { $0.rule == rule } }
            let own = credits.filter { $0.period == period && $0.chargedTo == nil }
            lines.append(
                "credited by rule \(TerminalText.safe(rule)) in \(period): \(sum(own, rule: rule)) from \(rowCount(own)) "
                    + "(exact; a measure rounds its sum)")
            let earlier = Dictionary(grouping: credits.filter { $0.period != period && $0.chargedTo == nil }, by: \.period)
            for (label, credits) in earlier.sorted(by: { $0.key < $1.key }) {
                lines.append("  and \(sum(credits, rule: rule)) in \(label) from \(rowCount(credits)) (listed for a measure over several periods)")
            }
            let charged = Dictionary(grouping: credits.filter { $0.chargedTo != nil }, by: { $0.chargedTo ?? "" })
            for (label, credits) in charged.sorted(by: { $0.key < $1.key }) {
                lines.append("  and \(sum(credits, rule: rule)) charged back to \(label) from \(rowCount(credits)) (restating that period)")
            }
        }
        return lines
    }

    /// The exact sum of `credits`, with the currency of a money rule.
    private func sum(_ credits: [RowCredit], rule: String) -> String {
        var total = WideDecimal(value: 0, scale: 0)
        for credit in credits {
            guard let added = try? total.adding(credit.value) else { return "more than this listing can add up" }
            total = added
        }
        return valueText(total, rule: rule) + (moneyRules.contains(rule) ? " \(currency.code)" : "")
    }

    /// `N transactions` (distinct rows).
    private func rowCount(_ credits: [RowCredit]) -> String {
        let rows = Set(credits.map(\.row)).count
        return "\(rows) transaction\(rows == 1 ? "" : "s")"
    }

    /// `value` exactly, with at least the currency's minor units for money (`1818.89`,
    /// `8.282608`), as a count or rate otherwise (`2`, `3.5`).
    func valueText(_ value: WideDecimal, rule: String) -> String {
        TransactionNames.exactText(value, least: moneyRules.contains(rule) ? currency.minorUnits : 0)
    }
}
