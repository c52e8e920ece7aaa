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
    /// Per ledger row, the credits it gave the payee in the period.
    let byRow: [Int: [RowCredit]]
    /// The plan's currency: what rules crediting money credit in.
    let currency: Currency
    /// The rules crediting money (the others credit counts).
    let moneyRules: Set<String>

    enum Outcome {
        case credits(CreditedRows)
        /// Why the credits cannot be shown.
        case unavailable(String)
    }

    /// The credits `rep` received on plan `planID` in `period` from ledger rows `rows`, when the
    /// run's plan files, libraries and input tables are still the ones it read (by SHA-256) and
    /// `data` is its data, loaded again the same way.
    static func make(record: RunRecord, data: LedgerData, plan planID: String, rep: String, period: String, rows: [Int32]) -> Outcome {
        let planFiles = record.inputs.filter { $0.kind == "plan" }.map(\.path)
        guard !planFiles.isEmpty, let ledger = record.inputs.first(where: { $0.kind == "transactions" }) else {
            return .unavailable("the run did not record its plan files")
        }
        for input in record.inputs where input.kind == "plan" || input.kind == "library" || input.kind == "input" {
            guard (try? Fingerprinter.fingerprint(path: input.path))?.sha256 == input.sha256 else {
                let path = TerminalText.safe(input.path)
                return .unavailable(
                    FileManager.default.fileExists(atPath: input.path)
                        ? "\(path) is not the file the run read (it has changed since, or the run was started in another directory)"
                        : "\(path) is not found from this directory (the run read it from where it was started)")
            }
        }
        // A what-if run's parameters, as it set them.
        var overrides: [String: String] = [:]
        for (key, value) in record.options where key.hasPrefix("param.") { overrides[String(key.dropFirst(6))] = value }
        do {
            let checked = try Runner.checkPlans(planFiles, overrides: overrides)
            guard checked.rendered.isEmpty, let index = checked.plans.firstIndex(where: { $0.id == planID }) else {
                return .unavailable("the run's plan files no longer give plan \(TerminalText.safe(planID)) (check them with comp check)")
            }
            let plans = checked.plans
            let plan = plans[index]
            let tables = try Runner.loadInputTables(
                of: plans, roster: data.roster, dataPrefix: FilePaths.directory(of: ledger.path) + "/", threads: nil)
            guard
                let credits = try ReferenceEvaluator.credits(
                    of: plan, data: data, inputs: tables.byPlan[index], runSpan: ReferenceEvaluator.runSpan(of: plans, data: data),
                    rep: rep, period: period, rows: rows.map(Int.init))
            else {
                return .unavailable("\(TerminalText.safe(rep)) is not a payee of plan \(TerminalText.safe(planID)) in \(period) as the data reads now")
            }
            var moneyRules: Set<String> = []
            for rule in plan.creditRules { if case .money = rule.type { moneyRules.insert(rule.name) } }
            return .credits(
                CreditedRows(
                    rules: plan.creditRules.map(\.name), byRow: Dictionary(grouping: credits, by: \.row), currency: plan.currency,
                    moneyRules: moneyRules))
        } catch {
            // A plan's input table with errors now, or an overflow the run would have failed on.
            return .unavailable(TerminalText.safe(String(describing: error), lineBreaks: true))
        }
    }

    /// The rules that credited some listed row, in declaration order.
    var creditingRules: [String] {
        let used = Set(byRow.values.flatMap { $0.map(\.rule) })
        return rules.filter { used.contains($0) }
    }

    /// The column header of `rule`'s credits.
    func header(_ rule: String, of shown: [String]) -> String { shown.count == 1 ? "credited" : "credited " + rule }

    /// What `row` credited by `rule`: the exact value, with the manager levels it rolled up and
    /// the period a reversal is charged back to; empty when it credited nothing.
    func cell(row: Int, rule: String) -> String {
        let credits = (byRow[row] ?? []).filter { $0.rule == rule }
        return credits.map { credit in
            var text = valueText(credit.value, rule: rule)
            if credit.level > 0 { text += " (\(credit.level) level\(credit.level == 1 ? "" : "s") down)" }
            if let charged = credit.chargedTo { text += " (charged to \(charged))" }
            return text
        }.joined(separator: " + ")
    }

    /// Each shown rule's total over the listed rows, and how many rows it credited.
    func totals(of shown: [String]) -> [String] {
        shown.map { rule in
            let credits = byRow.values.flatMap { $0.filter { $0.rule == rule } }
            var sum = WideDecimal(value: 0, scale: 0)
            var overflowed = false
            for credit in credits {
                do { sum = try sum.adding(credit.value) } catch { overflowed = true }
            }
            let rows = Set(credits.map(\.row)).count
            let total = overflowed ? "more than this listing can add up" : valueText(sum, rule: rule) + (moneyRules.contains(rule) ? " \(currency.code)" : "")
            return "credited by rule \(TerminalText.safe(rule)): \(total) from \(rows) transaction\(rows == 1 ? "" : "s") (exact; a measure rounds its sum)"
        }
    }

    /// `value` exactly, with at least the currency's minor units for money (`1818.89`,
    /// `8.282608`) and no trailing zeros past them.
    func valueText(_ value: WideDecimal, rule: String) -> String {
        let least = moneyRules.contains(rule) ? currency.minorUnits : 0
        var text = value.description
        guard let point = text.firstIndex(of: ".") else {
            return least > 0 ? text + "." + String(repeating: "0", count: least) : text
        }
        let fraction = text.distance(from: point, to: text.endIndex) - 1
        var drop = 0
        for character in text.reversed() {
            guard character == "0", fraction - drop > least else { break }
            drop += 1
        }
        text.removeLast(drop)
        if fraction < least { text += String(repeating: "0", count: least - fraction) }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
