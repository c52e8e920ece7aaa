import ArgumentParser
import CompCore
import CompDiagnostics
import RunResults
import Runner
import Store

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run plans over a data directory and store the results.",
        discussion: """
            Checks the plans, loads and validates the data (refusing bad data with every error listed, \
            unless --quarantine is given, which runs without the rejected rows and records each one), \
            computes every period the ledger covers, and stores the run in one database transaction: \
            a failed run leaves the database as it was.
            """)

    @Option(name: .long, parsing: .upToNextOption, help: "Plan files (.plan or .xml), or directories of them.")
    var plans: [String]

    @Option(name: .long, help: "The data directory.")
    var data: String

    @Option(name: .long, help: "The results database (created if missing).")
    var db: String

    // Numbers are taken whatever they look like: `-1` is said to be out of range (or no number), not
    // a missing value.
    @Option(name: .long, parsing: .unconditional, help: "Worker threads (default: every core); results do not depend on it.")
    var threads: Int?

    @Flag(name: .long, help: "Run without rejected rows instead of refusing the data; each is recorded.")
    var quarantine = false

    @Option(name: .customLong("param"), help: "Override a plan parameter for a what-if run: --param name=value (repeatable).")
    var overrides: [String] = []

    @Option(name: .customLong("export-payouts"), help: "Also write the payouts CSV (as `comp export payouts` does) to this file.")
    var exportPayouts: String?

    @Option(name: .customLong("export-measures"), help: "Also write the measures CSV (as `comp export measures` does) to this file.")
    var exportMeasures: String?

    @Flag(name: .long, help: "Print the wall and CPU time of each phase to standard error.")
    var timings = false

    func validate() throws {
        try refuseEmptyPaths(
            plans.map { ("--plans", $0) } + [("--data", data), ("--db", db), ("--export-payouts", exportPayouts), ("--export-measures", exportMeasures)])
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be from 1 to 1024") }
        if let problem = Runner.creditLimitProblem { throw ValidationError(problem) }
        _ = try parameterOverrides(overrides)
        for (option, path) in [("--export-payouts", exportPayouts), ("--export-measures", exportMeasures)] where path == "-" {
            throw ValidationError(
                "\(option) -: the run prints its summary on standard output; give a file name (or use `comp export \(option.dropFirst(9)) --out -`)")
        }
    }

    func run() throws {
        // Ctrl-C leaves no hidden staging database behind.
        InterruptCleanup.install()
        let parameters = try parameterOverrides(overrides)
        var request = RunRequest(plans: plans, data: data, database: db, threads: threads, quarantine: quarantine, overrides: parameters)
        request.exportPayouts = exportPayouts
        request.exportMeasures = exportMeasures
        // The process ends with the run: what it holds is left to the exit to take back.
        request.freesMemory = false
        // The plans' warnings first, as `comp check` says them (on a terminal, over the progress line).
        request.planWarnings = { text in
            if stderrIsTerminal { printError("\u{1B}[2K\r", newline: false, trusted: true) }
            printError(text, newline: !text.hasSuffix("\n"), trusted: true)
        }
        if stderrIsTerminal {
            // On a terminal, show the phase being worked on; the line is cleared when the run ends.
            request.progress = { phase in printError("\u{1B}[2K\r… " + TerminalText.safe(phase), newline: false, trusted: true) }
            request.detail = request.progress
        }
        let summary: RunSummary
        do {
            summary = try Runner.run(request)
        } catch {
            if stderrIsTerminal { printError("\u{1B}[2K\r", newline: false, trusted: true) }
            printError(error.description)
            switch error {
            case .badPlans, .badData, .badInputTable, .unusableFiles, .input: throw Exit.dataError
            case .evaluation: throw Exit.dataError
            case .storage, .output: throw Exit.cannotCreate
            }
        }
        if stderrIsTerminal { printError("\u{1B}[2K\r", newline: false, trusted: true) }
        // The summary on standard output; its warnings, diagnostics like any other, on standard
        // error (a script reading the errors had not seen them).
        // An export to a device or pipe (/dev/null, a link to it) is no file to look at.
        // Exports that were not written (a full disk) are not named, whatever a file of the name holds.
        func shown(_ path: String?) -> String? {
            summary.exportProblem != nil ? nil : path.flatMap { FilePaths.isRegularFile($0) ? shellQuoted($0) : nil }
        }
        print(render(summary, database: db, warnings: false, payouts: shown(exportPayouts), measures: shown(exportMeasures)))
        for warning in summary.warnings { printError(Runner.warningLine(warning)) }
        if let note = Runner.debugBuildNote(runSeconds: summary.seconds, debugBuild: _isDebugAssertConfiguration()) { printError(note) }
        if timings {
            printError("  wall s    cpu s  phase")
            for (phase, seconds, cpu) in summary.phases {
                printError(String(format: "%8.3f %8.3f  ", seconds, cpu) + phase)
            }
        }
        // The run is stored; its exports are not (a full disk): said last, and the run fails.
        if let problem = summary.exportProblem {
            printError(problem)
            throw Exit.cannotCreate
        }
    }
}

/// The run summary a person reads; with `warnings`, its warnings in it (before the last line).
/// `payouts` and `measures`: the export files the run wrote, named in its last line.
func render(_ summary: RunSummary, database: String, warnings: Bool = true, payouts: String? = nil, measures: String? = nil) -> String {
    var lines: [String] = []
    let periods: String
    switch summary.periods.count {
    case 0: periods = "no periods"
    case 1: periods = "1 period (\(summary.periods[0]))"
    default: periods = "\(summary.periods.count) periods (\(summary.periods.first ?? "") … \(summary.periods.last ?? ""))"
    }
    lines.append("run \(summary.run): plan \(summary.plans.joined(separator: ", ")), \(counted(summary.payees, "payee")), \(periods)")
    // With several plans, each total names its plan (two unlabelled `total` lines had followed
    // each other).
    let label = { (total: (plan: String, component: String, amount: WideDecimal, currency: Currency)) in
        summary.plans.count > 1 ? "\(total.plan) \(total.component)" : total.component
    }
    // A cap, floor, clawback, draw or holdback on the total makes it differ from the sum of the
    // components: that difference gets its own line, so the summary adds up (a total far below
    // the components above it read as a wrong sum).
    var shown: [(name: String, amount: WideDecimal, currency: Currency, note: String)] = []
    var componentsSum: WideDecimal? = .zero
    for total in summary.componentTotals {
        if total.component == "total" {
            if let sum = componentsSum, let difference = try? total.amount.subtracting(sum), difference != .zero {
                let name = summary.plans.count > 1 ? "\(total.plan) adjustments" : "adjustments"
                shown.append((name, difference, total.currency, "  (caps, floors, clawbacks, draws and holdbacks on the total)"))
            }
            componentsSum = .zero
        } else {
            componentsSum = componentsSum.flatMap { try? $0.adding(total.amount) }
        }
        shown.append((label(total), total.amount, total.currency, ""))
    }
    let width = max(10, shown.map(\.name.count).max() ?? 0)
    for entry in shown {
        let amount = grouped(decimal: entry.amount.formatted(fractionDigits: entry.currency.minorUnits))
        lines.append(
            "  " + entry.name.padding(width) + "  " + String(repeating: " ", count: max(0, 18 - amount.count)) + amount + " "
                + entry.currency.code + entry.note)
    }
    for record in summary.reconciliation {
        var text = "  \(terminalSafe(record.file)): \(counted(record.rowsRead, "row")), \(grouped(record.accepted)) accepted, \(grouped(record.rejected)) rejected"
        for (reason, count) in record.excluded.sorted(by: { $0.key < $1.key }) { text += "; \(grouped(count)) excluded: \(reason)" }
        lines.append(text)
        // The sums by currency: credited, excluded and rejected add up to the file's.
        var currencies: [String] = []
        for line in record.amounts where !currencies.contains(line.currency) { currencies.append(line.currency) }
        for currency in currencies {
            let minor = Currency(code: currency)?.minorUnits ?? 2
            var parts: [String] = []
            for outcome in [ReconciliationAmount.Outcome.credited, .excluded, .rejected] {
                let matching = record.amounts.filter { $0.currency == currency && $0.outcome == outcome }
                guard !matching.isEmpty else { continue }
                let rows = matching.reduce(0) { $0 + $1.rows }
                var sum: WideDecimal? = .zero
                for line in matching { sum = sum.flatMap { total in line.amount.flatMap { try? total.adding($0) } } }
                let shown = sum.map { " " + grouped(decimal: $0.formatted(fractionDigits: max(minor, $0.exactFractionDigits))) } ?? ""
                parts.append("\(grouped(rows)) \(outcome.rawValue)\(shown)")
            }
            lines.append("    \(currency.isEmpty ? "(currency or amount unreadable)" : currency): " + parts.joined(separator: ", "))
        }
    }
    // With --quarantine, which rows were left out and why (they had been counted only).
    if summary.rejected > 0 {
        lines.append("rejected (left out of the run, recorded with it):")
        for reject in summary.firstRejects { lines.append("  " + reject) }
        if summary.rejected > summary.firstRejects.count {
            // Counted as errors (a row may have several); the run's `rejects` table has them all, up
            // to the first million (it had said "all" of ten million).
            let more = summary.rejected - summary.firstRejects.count
            let table = "the rejects table of run \(summary.run) in \(shellQuoted(database))"
            lines.append(
                "  … and \(grouped(more)) more error\(more == 1 ? "" : "s")"
                    + (summary.storedRejects >= summary.rejected
                        ? ", all in \(table)"
                        : "; \(table) keeps the first \(grouped(summary.storedRejects)) (the reconciliation counts them all)"))
        }
    }
    if warnings { for warning in summary.warnings { lines.append(Runner.warningLine(warning)) } }
    // Where the payouts are: the export the run wrote, or the command that writes it.
    let files = [payouts.map { "payouts in \($0)" }, measures.map { "measures in \($0)" }].compactMap { $0 }
    var written = files.isEmpty ? [] : [files.joined(separator: ", ")]
    if payouts == nil { written.append("`comp export payouts --db \(shellQuoted(database)) --out payouts.csv` writes the payouts") }
    lines.append("stored in \(terminalSafe(database)) in \(String(format: "%.2f", summary.seconds)) s; " + written.joined(separator: "; "))
    return lines.joined(separator: "\n")
}

/// `count` grouped by thousands, with `noun` in the singular for one ("1 payee", "1,200 payees").
func counted(_ count: Int, _ noun: String) -> String {
    "\(grouped(count)) \(noun)\(count == 1 ? "" : "s")"
}

func grouped(decimal text: String) -> String {
    let negative = text.hasPrefix("-")
    let body = negative ? String(text.dropFirst()) : text
    let parts = body.split(separator: ".", maxSplits: 1)
    let integer = Int(parts[0]).map(grouped) ?? String(parts[0])
    return (negative ? "-" : "") + integer + (parts.count > 1 ? "." + parts[1] : "")
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}

/// `--param name=value` options as a dictionary; a missing `=` or an empty name is a usage error
/// (an empty value is the plan checker's to judge).
func parameterOverrides(_ items: [String]) throws -> [String: String] {
    var overrides: [String: String] = [:]
    for item in items {
        guard let equals = item.firstIndex(of: "=") else { throw ValidationError("--param takes name=value, not '\(item)'") }
        let name = String(item[..<equals])
        guard !name.isEmpty else { throw ValidationError("--param takes name=value; '\(item)' has no name") }
        // The same name twice is a mistake, not "the last one wins".
        if let earlier = overrides[name] {
            throw ValidationError("--param \(name) is given twice ('\(earlier)' and '\(item[item.index(after: equals)...])'); give it once")
        }
        overrides[name] = String(item[item.index(after: equals)...])
    }
    return overrides
}
