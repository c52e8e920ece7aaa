import ArgumentParser
import CompCore
import CompDiagnostics
import Engine
import Ledger
import Runner

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a data directory and print its reconciliation.",
        discussion: """
            Reads transactions.csv, roster.csv, quotas.csv and, when present, splits.csv and fx.csv \
            (see docs/formats.md). Prints rows read, accepted and rejected per file and the sum of amounts \
            per currency, or every problem as file:line:field: message (the first \
            --max-errors of them, then a count of the rest) and exits with status 65. With --plans, \
            the plans are checked too (every error of both is listed) and the data is read as the \
            plans that check read it: their currency and fiscal year, the columns they declare, \
            overlay splits, their input tables.
            """)

    @Option(name: .long, help: "The data directory.")
    var data: String

    @Option(name: .long, parsing: .upToNextOption, help: "Plan files (.plan or .xml), or directories of them, to check and read the data for.")
    var plans: [String] = []

    @Option(name: .customLong("param"), help: "With --plans: override a plan parameter, as for comp run: --param name=value (repeatable).")
    var overrides: [String] = []

    @Option(name: .long, help: "Currency the fx rates convert into (default: USD, or the plans').")
    var baseCurrency: String?

    // Numbers are taken whatever they look like: `-1` is said to be out of range (or no number), not
    // a missing value.
    @Option(name: .long, parsing: .unconditional, help: "First month of the fiscal year (1-12), for quarter and year quotas (default: 1, or the plans').")
    var fiscalYearStart: Int?

    @Option(name: .long, parsing: .unconditional, help: "Worker threads (default: every core).")
    var threads: Int?

    @Option(name: .long, parsing: .unconditional, help: "How many problems to list.")
    var maxErrors: Int = 100

    @Flag(name: .long, help: "Accept split shares that add up to more than 1 (overlay credit).")
    var overlaySplits = false

    @Flag(name: .long, help: "Print how long each loading phase took (to standard error).")
    var timings = false

    @Flag(name: .long, help: "Print the SHA-256 and size of every input file.")
    var fingerprints = false

    /// What is wrong with a `--base-currency` that is no currency, and what to give instead.
    static func baseCurrencyProblem(_ code: String) -> String {
        let upper = code.uppercased()
        if upper != code, Currency(code: upper) != nil {
            return "--base-currency \(code): write the code in upper case (\(upper))"
        }
        // ISO 4217's metals, units of account and test codes (`XAU`) are codes, of no currency.
        if Currency.isoCodesOfNoCurrency.contains(upper) {
            return "--base-currency \(code) is an ISO 4217 code of no currency (a metal, a unit of account or a test code); "
                + "give the currency the plans pay in, like USD"
        }
        return "--base-currency \(code) is not an ISO 4217 currency code (three upper-case letters, like USD, EUR or JPY)"
    }

    func validate() throws {
        try refuseEmptyPaths([("--data", data)] + plans.map { ("a plan file", $0) })
        if let baseCurrency, Currency(code: baseCurrency) == nil {
            throw ValidationError(Self.baseCurrencyProblem(baseCurrency))
        }
        if let fiscalYearStart, FiscalCalendar(startMonth: fiscalYearStart) == nil {
            throw ValidationError("--fiscal-year-start must be 1...12")
        }
        _ = try parameterOverrides(overrides)
        if plans.isEmpty && !overrides.isEmpty { throw ValidationError("--param overrides a parameter of the --plans; give them") }
        if !plans.isEmpty && (baseCurrency != nil || fiscalYearStart != nil) {
            throw ValidationError("--plans set the currency and fiscal year the data is read in; leave out --base-currency and --fiscal-year-start")
        }
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be from 1 to 1024") }
        if maxErrors < 0 { throw ValidationError("--max-errors must not be negative") }
    }

    func run() throws {
        guard let base = Currency(code: baseCurrency ?? "USD"), let calendar = FiscalCalendar(startMonth: fiscalYearStart ?? 1) else {
            throw Exit.usage
        }
        // Only --max-errors problems are listed: no more are kept in memory (all are counted).
        var options = LedgerLoadOptions(
            threads: threads, baseCurrency: base, fiscalCalendar: calendar, allowOverlaySplits: overlaySplits,
            storedDiagnosticLimit: max(1, maxErrors))
        // The ledger's other columns are checked, not kept: only plans read them (a free-text
        // column with a value per row had been interned for nothing).
        options.transactionAttributes = []
        // The plans first: their errors are listed, and the data is still read (as the plans that
        // checked read it), so that one call says everything that stops a run.
        var checked: CheckedPlans? = nil
        // What a run refuses of the plans as a set (the same id twice, plans that read the data
        // differently, no plan at all), each an error here too.
        var runErrors = 0
        if !plans.isEmpty {
            do {
                checked = try Runner.checkPlans(plans, overrides: try parameterOverrides(overrides))
            } catch let failure as RunFailure {
                printError("comp validate: \(failure.description)")
                throw Exit.dataError
            }
            if let checked, !checked.rendered.isEmpty { printError(checked.rendered, trusted: true) }
            if let checked {
                for problem in Runner.planSetProblems(checked, given: plans) {
                    printError("error: " + problem)
                    runErrors += 1
                }
            }
            if let read = checked?.plans, let first = read.first {
                let planOptions = ReferenceEvaluator.loadOptions(for: read, threads: threads)
                options.baseCurrency = planOptions.baseCurrency
                options.fiscalCalendar = planOptions.fiscalCalendar
                options.declaredColumns = planOptions.declaredColumns
                options.transactionAttributes = planOptions.transactionAttributes
                options.allowOverlaySplits = options.allowOverlaySplits || planOptions.allowOverlaySplits
                if read.contains(where: { $0.currency != first.currency || $0.fiscalCalendar != first.fiscalCalendar }) {
                    printError(
                        "comp validate: the data is read as plan \(first.id) reads it: \(first.currency.code), fiscal year from month "
                            + "\(first.fiscalCalendar.startMonth)")
                }
            }
        }
        if let problem = LedgerLoader.directoryProblem(data) {
            printError("--data \(terminalSafe(data)): \(problem)")
            throw Exit.dataError
        }
        let load = LedgerLoader.load(directory: data, options: options)
        if timings {
            for phase in load.timings {
                let ms = Double(phase.duration.components.attoseconds) / 1e15 + Double(phase.duration.components.seconds) * 1000
                printError("\(phase.name): \(Int(ms.rounded())) ms")
            }
        }
        print(load.reconciliation.summary, terminator: "")
        // A file read as nothing is not a file of no rows: said under the table (an unreadable
        // fx.csv's 0 rows, and the other rows "accepted" without their rates checked, had read as
        // a clean load).
        for file in load.unusableFiles {
            let checks = file.hasSuffix("fx.csv") ? "; transactions in other currencies are not checked for a rate" : ""
            print("\(TerminalText.safe(file)) cannot be read row by row (see its error on standard error): its rows are not counted\(checks)")
        }
        // Input tables are read only when roster.csv can be: every row would name an unknown rep.
        let rosterUsable = !load.unusableFiles.contains { $0.hasSuffix("roster.csv") }
        // Where the plans' input tables are.
        let prefix = data.hasSuffix("/") ? data : data + "/"
        if fingerprints {
            print("")
            for file in load.reconciliation.files where file.present {
                do {
                    let fingerprint = try Fingerprinter.fingerprint(path: file.file)
                    print("sha256 \(fingerprint.sha256)  \(fingerprint.bytes) bytes  \(terminalSafe(file.file))")
                } catch {
                    printError("comp validate: \(error)")
                }
            }
            // The plans' input tables, which a run records too (one that cannot be read is said
            // with the tables' errors below, when they are read: roster.csv is usable).
            var hashed: Set<String> = []
            for plan in checked?.plans ?? [] {
                for input in plan.inputs where hashed.insert(input.file).inserted {
                    do {
                        let fingerprint = try Fingerprinter.fingerprint(path: prefix + input.file)
                        print("sha256 \(fingerprint.sha256)  \(fingerprint.bytes) bytes  \(terminalSafe(prefix + input.file))")
                    } catch {
                        if !rosterUsable { printError("comp validate: \(error)") }
                    }
                }
            }
        }
        let listed = load.listed(limit: maxErrors)
        if !listed.isEmpty {
            printError(listed.map(\.description).joined(separator: "\n"))
            let rest = load.errorCount + load.warningCount - listed.count
            if rest > 0 {
                let errors = "\(load.errorCount) error\(load.errorCount == 1 ? "" : "s")"
                let warnings = "\(load.warningCount) warning\(load.warningCount == 1 ? "" : "s")"
                printError("… and \(rest) more (\(errors), \(warnings) in all; errors are listed first)")
            }
        }
        // What the plans will not read as meant (a column they read that is missing, quota rows
        // for a measure none of them has a quota for).
        var planWarnings = 0
        if let read = checked?.plans, !read.isEmpty, load.unusableFiles.isEmpty {
            // Mistakes a run would only say as it pays no one: a plan id no roster row names, a
            // ledger dated outside a plan's effective dates.
            let warnings =
                Runner.payeelessPlanWarnings(plans: read, roster: load.data.roster)
                + Runner.planDataWarnings(plans: read, data: load.data)
            for warning in warnings { printError("warning: " + warning) }
            planWarnings = warnings.count
        }
        // The plans' input tables (MBO scores and the like), as a run reads them.
        var inputErrors = 0
        var inputWarnings = 0
        var printedWarnings: Set<String> = []
        var readTables: Set<String> = []
        // The plans reading each file's column, with their period lengths (a row no reader pays
        // by is never read).
        let readers = Runner.inputReaders(of: checked?.plans ?? [])
        for plan in rosterUsable ? checked?.plans ?? [] : [] {
            for input in plan.inputs where readTables.insert(input.key).inserted {
                let (_, diagnostics) = InputTableReader.load(
                    path: prefix + input.file, column: input.column, roster: load.data.roster,
                    options: LedgerLoadOptions(threads: threads, fiscalCalendar: plan.fiscalCalendar),
                    readers: readers[input.key]?.periods ?? [], count: readers[input.key]?.count,
                    declaredBy: Runner.inputDeclaration(plan, input))
                let errors = diagnostics.filter { $0.severity == .error }
                inputErrors += errors.count
                // Errors first, then warnings (rows for periods the plan does not have).
                // (A file read for two columns says its header's warnings once.)
                let warnings = diagnostics.filter { $0.severity == .warning && printedWarnings.insert($0.description).inserted }
                let listed = errors + warnings
                inputWarnings += listed.count - errors.count
                if !listed.isEmpty { printError(listed.prefix(max(1, maxErrors)).map(\.description).joined(separator: "\n")) }
            }
        }
        // What a run of the plans over the accepted rows would refuse before evaluating anyone
        // (a date in year 9999 asking for 95,676 monthly statements per payee).
        // (Only for plans a run takes together: plans it refuses as a set, in two currencies say,
        // are said above.)
        if let read = checked?.plans, !read.isEmpty, load.unusableFiles.isEmpty, checked?.errorCount == 0, runErrors == 0 {
            let workers = threads ?? activeProcessorCount()
            let runSpan = ReferenceEvaluator.runSpan(of: read, data: load.data, threads: workers)
            for plan in read {
                guard let problem = ReferenceEvaluator.startProblem(of: plan, data: load.data, runSpan: runSpan, threads: workers) else {
                    continue
                }
                printError("error: \(problem)")
                inputErrors += 1
            }
        }
        let planErrors = (checked?.errorCount ?? 0) + runErrors
        if load.errorCount + inputErrors > 0 {
            let errors = load.errorCount + inputErrors
            printError("\(terminalSafe(data)): \(errors) error\(errors == 1 ? "" : "s"); the data is not valid")
        }
        if planErrors > 0 {
            let files = checked?.failedFiles ?? 0
            printError("the plans have \(planErrors) error\(planErrors == 1 ? "" : "s")\(files > 1 ? " in \(files) files" : "")")
        }
        if load.errorCount + inputErrors + planErrors > 0 { throw Exit.dataError }
        // Valid, but a warning may still mean a lost row (a quote left open): said with the verdict.
        let warnings = load.warningCount + inputWarnings + planWarnings
        let warned = warnings > 0 ? "; read the \(warnings) warning\(warnings == 1 ? "" : "s") above" : ""
        print("\(terminalSafe(data)): valid (\(load.data.transactions.count) transactions, \(load.data.roster.repIDs.count) reps)"
            + (checked.map { " for plan\($0.plans.count == 1 ? "" : "s") \($0.plans.map(\.id).joined(separator: ", "))" } ?? "") + warned)
    }
}
