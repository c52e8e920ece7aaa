import CompCore
import CompDiagnostics
import Foundation
import Ledger
import PlanModel
import RunResults
import Store

/// Why a rep's numbers are what they are, from a stored run: measures, each payout line with its
/// rule, tier, rate, base and any cap or floor, and the transactions that fed them.
public enum Explainer {
    /// The explanation of `rep` in `period` of run `run` (the latest completed one when `nil`).
    /// With `transactions`, every transaction behind the statement is listed too, a row each: its
    /// line in transactions.csv, id, date, rep, amount, currency, quantity, other columns and the
    /// id it reverses.
    public static func explain(
        database: String, rep: String, period: String, run: RunID? = nil, transactions: Bool = false
    ) throws(RunFailure) -> String {
        do {
            let store = try ResultStore(existing: database)
            guard let id = try run ?? store.latestCompletedRun() else {
                throw RunFailure.input("\(database) has no completed run yet; run `comp run` first")
            }
            guard let record = try store.run(id) else { throw RunFailure.input("\(database) has no run \(id)") }
            if let status = try store.status(of: id), status != "completed" {
                throw RunFailure.input("run \(id) of \(database) did not complete (\(status)): its results are not whole; give a completed run")
            }
            let found = try store.lines(id, rep: rep, period: period)
            let payouts = found.map(\.line)
            let measures = try store.measures(id, rep: rep, period: period)
            if payouts.isEmpty {
                let periods = try store.periods(id, rep: rep)
                // The id as given, cut short (it may be any text); the periods at most a dozen
                // (a run may hold a century of months).
                // (Escaped: a line break in it had printed a line of its own on standard error.)
                let shown = TerminalText.safe(rep.count > 60 ? String(rep.prefix(60)) + "…" : rep)
                if periods.isEmpty {
                    throw RunFailure.input(
                        "run \(id) has no payouts for rep \"\(shown)\"" + (try whyNoPayouts(rep, run: id, plans: record.plans, store: store)))
                }
                let listed =
                    periods.count <= 12
                    ? periods.joined(separator: ", ")
                    : periods.prefix(6).joined(separator: ", ") + ", … (\(periods.count - 12) more), " + periods.suffix(6).joined(separator: ", ")
                throw RunFailure.input("run \(id) has no payouts for rep \"\(shown)\" in \(period); it has \(listed)")
            }
            var lines: [String] = []
            // A rep who changed plans within the period has a statement per plan: one section each
            // (their measures and lines had run together under the first plan's name).
            var plans: [String] = []
            for line in payouts where !plans.contains(line.plan) { plans.append(line.plan) }
            let resolver = try TransactionNames(record: record, attributes: transactions)
            if plans.count == 1 {
                lines.append("\(rep), \(period) (run \(id), plan \(plans[0]), computed \(record.finishedAt))")
            } else {
                lines.append("\(rep), \(period) (run \(id), plans \(plans.joined(separator: ", ")), computed \(record.finishedAt))")
            }
            // A what-if run's parameter values: the plan file cited below says others. Only those
            // of the plans shown (a run's other plans may declare parameters these do not);
            // a run stored before that was recorded names them all.
            let recordsPlans = record.options.keys.contains { $0.hasPrefix(RunRecord.overriddenKey(plan: "")) }
            let declared = Set(plans.flatMap { record.options[RunRecord.overriddenKey(plan: $0)]?.split(separator: ",").map(String.init) ?? [] })
            let parameters = record.options.filter { $0.key.hasPrefix("param.") }.sorted { $0.key < $1.key }
                .map { (name: String($0.key.dropFirst(6)), value: $0.value) }
                .filter { !recordsPlans || declared.contains($0.name) }
            if !parameters.isEmpty {
                lines.append(
                    "parameters set for this run (the plan \(plans.count == 1 ? "file says" : "files say") otherwise): "
                        + parameters.map { $0.name + "=" + $0.value }.joined(separator: ", "))
            }
            for plan in plans {
                if plans.count > 1 { lines.append("plan \(plan):") }
                // With the listing, what each transaction credited, made again as the run did.
                let credited: (LedgerData, [Int32]) -> CreditedRows.Outcome = { data, rows in
                    CreditedRows.make(record: record, data: data, plan: plan, rep: rep, period: period, rows: rows)
                }
                section(
                    found.filter { $0.line.plan == plan }, measures: measures.filter { $0.plan == plan }, resolver: resolver,
                    listing: transactions ? credited : nil, into: &lines)
            }
            return lines.joined(separator: "\n") + "\n"
        } catch let error as RunFailure {
            throw error
        } catch {
            throw RunFailure.storage(String(describing: error))
        }
    }
}

extension Explainer {
    /// Why a run may have no payouts for `rep`: the payee the id was likely meant for (another
    /// case, spaces around it, or its number without the leading zeros, `R1` for `R000001`), or
    /// the payees the run left out, on plans it did not compute.
    static func whyNoPayouts(_ rep: String, run id: RunID, plans: [String], store: ResultStore) throws(StoreError) -> String {
        /// Lower case, trimmed, each run of digits without its leading zeros.
        func plain(_ text: String) -> String {
            var out = ""
            var digits = ""
            func flushDigits() {
                guard !digits.isEmpty else { return }
                let significant = digits.drop { $0 == "0" }
                out += significant.isEmpty ? "0" : String(significant)
                digits = ""
            }
            for character in text.trimmingCharacters(in: .whitespacesAndNewlines).lowercased() {
                if character.isASCII && character.isNumber {
                    digits.append(character)
                } else {
                    flushDigits()
                    out.append(character)
                }
            }
            flushDigits()
            return out
        }
        let wanted = plain(rep)
        let payees = try store.reps(id)
        let meant = payees.filter { plain($0) == wanted }
        if !meant.isEmpty {
            let named = meant.prefix(3).map { "\"\(TerminalText.safe($0))\"" }.joined(separator: " or ")
            return "; did you mean \(named)?"
        }
        let warnings = try store.warnings(id)
        let plansText = (plans.count == 1 ? "plan " : "plans ") + plans.joined(separator: ", ")
        // A run that paid no one says so, with its warnings (data outside the plans' dates): the
        // plans left out had been blamed for a rep of a plan in the run.
        guard !payees.isEmpty else {
            return "; it paid no one (\(plansText))" + (warnings.isEmpty ? "" : ", and warned: " + warnings.prefix(3).joined(separator: "; "))
        }
        var text = "; the rep is none of its \(payees.count) payee\(payees.count == 1 ? "" : "s") (\(plansText))"
        // Payees of plans not in the run may include the rep: said as a possibility, with the warning.
        let leftOut = warnings.filter { $0.hasSuffix("left out (no plan file for it in this run)") }
        if !leftOut.isEmpty {
            text += "; if the rep is on a plan the run was not given, it was left out: " + leftOut.prefix(3).joined(separator: "; ")
        }
        return text
    }

    /// A measure's value with its unit: `2402.73 USD`, `0.086429 (8.6429%)`, `7`.
    /// One with no value for the payee and period says so.
    static func measureText(_ value: MeasureValue) -> String {
        if let text = value.text {
            // A text as a plan writes it (quoted, its quotes and backslashes escaped), so it reads back.
            return TerminalText.safe(value.unit == .text ? planStringLiteral(text) : text)
        }
        guard let stored = value.value else { return "no value (it reads an empty optional column)" }
        let number = stored.formatted(fractionDigits: value.digits)
        switch value.unit {
        case .money(let currency): return number + " " + currency
        case .rate: return number + " (" + WideDecimal(value: Int128(stored.units), scale: FixedDecimal.scale).percentText + ")"
        case .count, .condition, .date, .text, nil: return number
        }
    }

    /// One plan's measures, payout lines (rule, tier, rate, base, limit, source) and transactions.
    /// With `listing`, every transaction is listed too, with what `listing` says it credited.
    static func section(
        _ found: [(line: PayoutLine, trace: TraceRecord?)], measures: [MeasureValue], resolver: TransactionNames,
        listing: ((LedgerData, [Int32]) -> CreditedRows.Outcome)? = nil, into lines: inout [String]
    ) {
        let payouts = found.map(\.line)
        if !measures.isEmpty {
            lines.append("measures:")
            let width = measures.map(\.measure.count).max() ?? 0
            for value in measures {
                lines.append("  \(value.measure.padded(width))  \(measureText(value))")
            }
        }
        lines.append("payouts:")
        let width = payouts.map(\.component.count).max() ?? 0
        var rowsByLine: [[Int32]] = []
        for (line, trace) in found {
            let amount = line.amount.formatted(fractionDigits: line.currency.minorUnits) + " " + line.currency.code
            var text = "  \(line.component.padded(width))  \(amount.leftPadded(18))"
            var rows: [Int32] = []
            if let trace {
                var parts = [trace.rule]
                if let tier = trace.tier { parts.append(tier) }
                if let rate = trace.rate { parts.append("rate \(rate)") }
                if let base = trace.base { parts.append("on \(base)") }
                if let limit = trace.limit { parts.append(limit) }
                text += "   " + parts.joined(separator: "; ") + "   [\(trace.source)]"
                rows = trace.transactions.rows
            }
            lines.append(text)
            rowsByLine.append(rows)
        }
        // The transactions behind each line that has its own (a SPIFF's qualifying deals), then all.
        let all = rowsByLine.last ?? []
        for (index, rows) in rowsByLine.enumerated().dropLast() where !rows.isEmpty && rows != all {
            lines.append("transactions of \(payouts[index].component): " + resolver.describe(rows))
        }
        lines.append(all.isEmpty ? "transactions: none in this period" : "transactions: " + resolver.describe(all))
        if let listing, !all.isEmpty, let data = resolver.data {
            let outcome = listing(data, all)
            if case .credits(let credited) = outcome {
                lines += resolver.table(all, credited: credited) ?? []
                lines += credited.totals(of: credited.creditingRules)
            } else if case .unavailable(let why) = outcome {
                lines += resolver.table(all, credited: nil) ?? []
                lines.append("credited amounts are not shown: \(why)")
            }
        }
    }
}

/// Turns ledger rows into transaction ids, when the ledger is still the one the run read.
struct TransactionNames {
    let ids: TransactionIDs?
    let count: Int
    let note: String?
    /// The ledger and the roster's rep ids, when the ledger is the one the run read.
    let transactions: TransactionTable?
    let repIDs: [String]
    /// The ledger's path, as the run recorded it.
    let path: String
    /// The data the run read, loaded again the same way (`nil` when it has changed since).
    let data: LedgerData?

    /// `attributes`: whether the ledger's other columns are loaded too (the `--transactions`
    /// table shows them, and its crediting reads them); the ids alone need none of them.
    init(record: RunRecord, attributes: Bool = true) throws {
        guard let ledger = record.inputs.first(where: { $0.kind == "transactions" }) else {
            ids = nil
            count = 0
            note = "the run did not record its ledger"
            transactions = nil
            repIDs = []
            path = ""
            data = nil
            return
        }
        // Row numbers are only meaningful for exactly the data the run read, read the same way
        // (its data files: plans, their libraries and input tables do not number rows).
        if let changed = Self.firstChanged(record.inputs.filter { !["plan", "library", "input"].contains($0.kind) }) {
            ids = nil
            count = 0
            transactions = nil
            repIDs = []
            path = ledger.path
            data = nil
            note = changed + ", so ids are not shown"
            return
        }
        let options = record.options
        let calendar = FiscalCalendar(
            startMonth: options["fiscal_year_start"].flatMap { Int($0) } ?? 1,
            naming: options["fiscal_year_naming"].flatMap(FiscalCalendar.YearNaming.init(rawValue:)) ?? .endingYear)
        var loadOptions = LedgerLoadOptions(
            baseCurrency: options["base_currency"].flatMap { Currency(code: $0) } ?? .usd, fiscalCalendar: calendar ?? .calendar,
            allowOverlaySplits: options["overlay_splits"] == "true")
        // Rows the run rejected for a declared column's value are left out again, so row numbers match.
        loadOptions.declaredColumns = DeclaredColumn.parse(recorded: options["declared_columns"] ?? "")
        // Without the table, no other column is kept: a free-text column on every row (an
        // opportunity name) had cost each explain its interning. The rows are the same.
        if !attributes { loadOptions.transactionAttributes = [] }
        let load = LedgerLoader.load(directory: FilePaths.directory(of: ledger.path), options: loadOptions)
        ids = load.data.transactions.ids
        count = load.data.transactions.count
        note = nil
        transactions = load.data.transactions
        repIDs = load.data.roster.repIDs
        path = ledger.path
        data = load.data
    }

    /// What is said of the first of `inputs` whose SHA-256 is no longer the one the run recorded
    /// (`nil`: none). Missing is not changed: the run records paths as given, relative to where
    /// it ran.
    static func firstChanged(_ inputs: [InputFingerprint]) -> String? {
        for input in inputs where (try? Fingerprinter.fingerprint(path: input.path))?.sha256 != input.sha256 {
            let path = TerminalText.safe(input.path)
            guard FileManager.default.fileExists(atPath: input.path) else {
                return "\(path) is not found from this directory (the run read it from where it was started)"
            }
            return input.path.hasPrefix("/")
                ? "\(path) has changed since the run"
                : "\(path) is not the file the run read (it has changed since, or the run was started in another directory: "
                    + "a relative path is read from here)"
        }
        return nil
    }

    /// A line per row, in ledger order, under a header naming the columns: where it is in the
    /// ledger, what it says, and the id a reversal reverses. `nil` when the ledger is not the
    /// one the run read (``describe(_:)`` says why).
    func table(_ rows: [Int32], credited: CreditedRows? = nil) -> [String]? {
        guard let transactions, let ids else { return nil }
        let rows = rows.map(Int.init).filter { $0 >= 0 && $0 < transactions.count }.sorted()
        var reverses: [Int: Int] = [:]
        for (index, row) in transactions.reversals.rows.enumerated() { reverses[Int(row)] = Int(transactions.reversals.targets[index]) }
        let hasQuantity = rows.contains { transactions.quantities[$0] != 0 }
        var header = ["line", "id", "date", "rep", "amount", "currency"]
        if hasQuantity { header.append("quantity") }
        // What each row credited, by rule, beside its amount.
        let creditRules = credited?.creditingRules ?? []
        let creditColumns = header.count..<(header.count + creditRules.count)
        header += creditRules.map { credited?.header($0, of: creditRules) ?? $0 }
        header += transactions.attributes.map(\.name)
        if !reverses.isEmpty { header.append("reverses") }
        var cells: [[String]] = [header]
        for row in rows {
            let money = transactions.money(at: row)
            var line = [
                String(transactions.line(of: row)), ids[row], transactions.dates[row].description,
                Int(transactions.reps[row]) < repIDs.count ? repIDs[Int(transactions.reps[row])] : "?",
                Self.amountText(money.amount, minorUnits: money.currency.minorUnits), money.currency.code,
            ]
            if hasQuantity { line.append(String(transactions.quantities[row])) }
            // Invisible characters too (`n\u{200B}ew` printed as `new`, the kind it is not).
            line += transactions.attributes.map { TerminalText.showingInvisibles($0[row]) }
            if !reverses.isEmpty { line.append(reverses[row].map { ids[$0] } ?? "") }
            // Ledger text is anyone's: controls are escaped, and a long value is cut (not a
            // credit: its annotations are the engine's, and a cut one had lost its period).
            line = line.map { Self.cell(TerminalText.safe($0)) }
            if let credited {
                line.insert(contentsOf: creditRules.map { credited.cell(row: row, rule: $0) }, at: creditColumns.lowerBound)
            }
            cells.append(line)
        }
        let amountColumn = 4
        let widths = header.indices.map { column in cells.map { $0[column].count }.max() ?? 0 }
        var lines = ["transaction rows (\(TerminalText.safe(path))):"]
        for line in cells {
            let padded = line.indices.map { column -> String in
                let text = line[column]
                let room = String(repeating: " ", count: widths[column] - text.count)
                // Numbers to the right, so that their digits line up.
                return column == 0 || column == amountColumn || creditColumns.contains(column) ? room + text : text + room
            }
            var text = "  " + padded.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            lines.append(text)
        }
        return lines
    }

    /// An amount with its currency's minor units, or more digits when it has them (`706.32`,
    /// `0.125`, `1200`).
    static func amountText(_ amount: FixedDecimal, minorUnits: Int) -> String { exactText(WideDecimal(amount), least: minorUnits) }

    /// `value` exactly, with at least `least` fraction digits and none past them that are zeros
    /// (`706.32`, `0.125`, `8.282608`).
    static func exactText(_ value: WideDecimal, least: Int) -> String {
        value.formatted(fractionDigits: max(least, value.exactFractionDigits))
    }

    /// At most 40 characters of `text` (an id or a column's value), with `…` where it is cut.
    static func cell(_ text: String) -> String { text.count > 40 ? String(text.prefix(39)) + "…" : text }

    /// `(n) T1, T2, …` (at most 50 ids), or the count and why ids are missing.
    func describe(_ rows: [Int32]) -> String {
        guard let ids else { return "\(rows.count) (\(note ?? ""))" }
        // An id with a comma, a space or a quote in it is quoted (as in CSV, `"T1, T2"`): listed
        // bare, `T1, T2, T3` read the same for the ids `T1, T2` and `T3` as for three.
        let names = rows.compactMap { Int($0) < count ? ids[Int($0)] : nil }.map { id -> String in
            guard id.contains(where: { $0 == "," || $0 == " " || $0 == "\"" }) else { return id }
            return "\"" + id.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return "(\(names.count)) " + names.prefix(50).joined(separator: ", ") + (names.count > 50 ? ", …" : "")
    }
}
extension String {
    fileprivate func padded(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    fileprivate func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
