import CompCore
import CompDiagnostics
import Engine
import Foundation
import Ledger
import PlanLanguage
import PlanModel
import PlanXML
import RunResults
import Store
import Synchronization

/// What `comp run` is asked to do.
public struct RunRequest: Sendable {
    /// Plan files (`.plan` or `.xml`), or directories whose `*.plan` and `*.xml` files are all run.
    public var plans: [String]
    /// The data directory.
    public var data: String
    /// The results database.
    public var database: String
    /// Worker threads for loading (results do not depend on it).
    public var threads: Int?
    /// Keep going when rows are rejected, recording each one, instead of refusing the data.
    public var quarantine: Bool
    /// Parameter overrides for a what-if run, by name.
    public var overrides: [String: String]
    /// Called at the start of each phase (`checking plans`, `loading data`, ...), for progress display.
    public var progress: (@Sendable (String) -> Void)?
    /// Called within a plan's evaluation with how far it got, each time another percent of its
    /// payees is done (`AE-STD: evaluating payees 40% (4,000 of 10,000)`), for a progress display;
    /// not a phase of its own (``RunSummary/phases`` do not list it).
    public var detail: (@Sendable (String) -> Void)? = nil
    /// Called once the plans have checked, with the warnings of those that have some, rendered as
    /// `comp check` renders them (a plan's warnings had been said only by `comp check`).
    public var planWarnings: (@Sendable (String) -> Void)? = nil
    /// Files to write the run's payouts and measures to (as `comp export` writes them), put in
    /// place only once the run is stored.
    public var exportPayouts: String? = nil
    public var exportMeasures: String? = nil
    /// Whether the run's large structures (the ledger, its credits, the outputs) are freed when
    /// the run returns. A process that exits right after the run, as `comp run` does, sets this to
    /// false: the kernel takes them back at exit far faster than they are freed one by one
    /// (``ProcessExit``). A program that runs more than once must leave it true.
    public var freesMemory = true

    public init(
        plans: [String], data: String, database: String, threads: Int? = nil, quarantine: Bool = false,
        overrides: [String: String] = [:], progress: (@Sendable (String) -> Void)? = nil
    ) {
        self.progress = progress
        self.plans = plans
        self.data = data
        self.database = database
        self.threads = threads
        self.quarantine = quarantine
        self.overrides = overrides
    }
}

extension RunRequest {
    /// The data directory with a trailing `/`, to put a file name after.
    var dataPrefix: String { data.hasSuffix("/") ? data : data + "/" }
}

/// What a run did, for the summary a person reads.
public struct RunSummary: Sendable {
    public let run: RunID
    public let plans: [String]
    public let payees: Int
    public let periods: [String]
    /// Totals per plan and component, in declaration order (`total` last).
    /// Exact sums: a total past what one payout line can hold (about ±9.2 trillion) is still right.
    public let componentTotals: [(plan: String, component: String, amount: WideDecimal, currency: Currency)]
    public let rejected: Int
    /// The errors stored in the run's rejects table: all of them, up to the first million
    /// (``LedgerLoadOptions/storedDiagnosticLimit``).
    public let storedRejects: Int
    /// The first rejected rows (with `--quarantine`), as `file:line:field: message`.
    public let firstRejects: [String]
    public let warnings: [String]
    public let reconciliation: [ReconciliationRecord]
    public let seconds: Double
    /// Wall time and CPU time (all threads) of each phase, in order (`comp run --timings`).
    public let phases: [(phase: String, seconds: Double, cpuSeconds: Double)]
    /// Why the exports asked for were not written, when the run was stored but they could not be
    /// (a full disk): neither is then in place, and the message says how to write them from the
    /// stored run. A caller says it after the summary, and fails (the run is there all the same).
    public var exportProblem: String? = nil
}

/// Why a run did not happen. Nothing was written.
public enum RunFailure: Error, Sendable, CustomStringConvertible {
    /// Plans have errors (rendered diagnostics).
    case badPlans(String)
    /// The data has errors and `--quarantine` was not given (the first diagnostics, and the count;
    /// `tableErrors` of them in input tables, which --quarantine does not leave out).
    case badData(listed: [String], total: Int, warnings: Int = 0, tableErrors: Int = 0)
    /// A plan's input table (MBO scores and the like) has errors: a score is read for a payee and
    /// period, so a row cannot be left out, even with `--quarantine`.
    case badInputTable(listed: [String], total: Int)
    /// A data file cannot be read row by row (unreadable, or its header in error): even with
    /// `--quarantine` the run does not go on without the whole file.
    case unusableFiles(listed: [String], files: [String], total: Int = 0)
    /// Evaluation failed (rep, period, rule in the message).
    case evaluation(String)
    /// The results could not be stored.
    case storage(String)
    /// A plan file or the data could not be read.
    case input(String)
    /// An output file (an export) could not be written, or would replace the results database,
    /// an input, or the other export.
    case output(String)

    /// What `.badData` tells the user to do, last in its text (a command without --quarantine
    /// replaces it with its own).
    public static let quarantineHint = "(use --quarantine to run without the rejected rows)"
    /// The last line of an evaluation failure.
    public static let evaluationStopped = "the run stopped; nothing was stored (correct the plan or the data, then run it again)"

    public var description: String {
        switch self {
        case .badPlans(let text): return text
        case .badData(let listed, let total, let warnings, let tableErrors):
            // Errors are listed first, then warnings.
            var text = listed.joined(separator: "\n")
            if total + warnings > listed.count {
                text += "\n… and \(total + warnings - listed.count) more (\(total) error\(total == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s") in all; "
                    + "`comp validate --max-errors N` lists more)"
            }
            // Input tables' errors are corrected whatever the options: said, lest --quarantine
            // be given and refused for them.
            let tables =
                tableErrors == 0
                ? ""
                : "; the input tables' \(tableErrors == 1 ? "error" : "\(tableErrors) errors") must be corrected whatever the options "
                    + "(--quarantine does not leave out input table rows: a payee's score is needed)"
            return text + "\nthe data has \(total) error\(total == 1 ? "" : "s"); nothing was run \(Self.quarantineHint)\(tables)"
        case .badInputTable(let listed, let total):
            var text = listed.joined(separator: "\n")
            if total > listed.count { text += "\n… and \(total - listed.count) more" }
            return text + "\nthe input tables have \(total) error\(total == 1 ? "" : "s"); nothing was run "
                + "(--quarantine does not leave out input table rows: a payee's score is needed; correct the file)"
        case .unusableFiles(let listed, let files, let total):
            // The rest are counted, not dropped without a word.
            let more = total > listed.count ? ["… and \(total - listed.count) more (`comp validate --max-errors N` lists more)"] : []
            return (listed + more + [
                "\(files.map { terminalSafe($0) }.joined(separator: ", ")) cannot be read row by row; nothing was run (correct \(files.count == 1 ? "it" : "them") "
                    + "first: --quarantine leaves out rejected rows, not whole files)"
            ]).joined(separator: "\n")
        // The last line says the run is not stored, as the others say nothing was run (a list of
        // failed payees had ended with their count alone).
        case .evaluation(let text): return text + "\n" + Self.evaluationStopped
        // One line each, naming paths and values as given: a control character in them (a line
        // feed in a directory's name) is escaped, so the message cannot forge a line.
        case .storage(let text), .input(let text), .output(let text): return terminalSafe(text)
        }
    }
}

/// Runs plans over a data directory and records the results: check the plans, load and validate
/// the data, evaluate every period the ledger covers, reconcile, and store everything in one
/// transaction.
public enum Runner {
    /// Why the environment's `COMP_MAX_CREDITS` cannot be used, or `nil` (unset, or a whole number
    /// above 0): a command that runs plans refuses to start with it.
    public static var creditLimitProblem: String? { ReferenceEvaluator.creditLimitProblem }

    /// The engine version recorded with every run.
    public static let engineVersion = "0.1.0"

    public static func run(_ request: RunRequest) throws(RunFailure) -> RunSummary {
        if let problem = creditLimitProblem { throw .input(problem) }
        let clock = ContinuousClock()
        let start = clock.now
        let startedAt = timestamp()

        let progress = request.progress ?? { _ in }
        var phases: [(phase: String, seconds: Double, cpuSeconds: Double)] = []
        var phaseStart = start
        var phaseCPU = processCPUSeconds()
        var phaseName: String? = nil
        func report(_ phase: String?) {
            let now = clock.now
            let cpu = processCPUSeconds()
            if let phaseName { phases.append((phaseName, seconds(now - phaseStart), cpu - phaseCPU)) }
            phaseName = phase
            phaseStart = now
            phaseCPU = cpu
            if let phase { progress(phase) }
        }
        // Plans.
        report("checking plans")
        let checked = try checkPlans(request.plans, overrides: request.overrides)
        let (planFiles, plans, planPathsByID, libraryFiles) = (checked.files, checked.plans, checked.pathsByID, checked.libraries)
        if !checked.rendered.isEmpty {
            // Said last, as for bad data: how many, that nothing ran, and that the data is yet to
            // be checked (it is read the way the plans say: their currency, their fiscal year).
            let planArguments = request.plans.map(shellQuoted).joined(separator: " ")
            let parameters = request.overrides.sorted { $0.key < $1.key }.map { " --param " + shellQuoted("\($0.key)=\($0.value)") }.joined()
            let validate = "comp validate --data \(shellQuoted(request.data))\(parameters) --plans \(planArguments)"
            let errors = checked.errorCount
            throw .badPlans(
                checked.rendered + (checked.rendered.hasSuffix("\n") ? "" : "\n")
                    + "the plans have \(errors) error\(errors == 1 ? "" : "s")\(checked.failedFiles > 1 ? " in \(checked.failedFiles) files" : ""); nothing was run, "
                    + "and the data was not read (`\(validate)` checks both)")
        }
        if !checked.warnings.isEmpty { request.planWarnings?(checked.warnings) }
        if plans.isEmpty { throw .input("no plan found in \(request.plans.joined(separator: ", "))") }
        let planIDs = Set(plans.map(\.id))
        if planIDs.count != plans.count { throw .badPlans(Self.repeatedPlanIDs(planPathsByID).joined(separator: "\n")) }

        if let differing = Self.differentReadings(plans, pathsByID: planPathsByID) { throw .badPlans(differing) }

        // Before anything is read: the database must be one comp can write, and no export may
        // replace it or an input.
        do throws(StoreError) {
            _ = try ResultStore.vet(request.database, checkingIntegrity: true)
        } catch {
            // A damaged database is bad input (65), not an output that cannot be written.
            throw error.damaged ? .input(error.description) : .storage(error.description)
        }
        // The file standard output or error goes to (`--db /dev/stdout > r.db`): the summary
        // printed into it had overwritten the database's header after the run was stored.
        var database = stat()
        if stat(request.database, &database) == 0 {
            for (descriptor, name) in [(Int32(1), "standard output"), (2, "standard error")] {
                var stream = stat()
                if fstat(descriptor, &stream) == 0 && stream.st_dev == database.st_dev && stream.st_ino == database.st_ino {
                    throw .storage("--db \(request.database): it is the file \(name) is written to; give another file name")
                }
            }
        }
        // ... and one this run can write, with its journal beside it: a missing directory or a
        // read-only file had failed with SQLite's words, the second only after computing it all.
        let folder = FilePaths.directory(of: request.database)
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) || !isDirectory.boolValue {
            throw .storage("--db \(request.database): \(FilePaths.missingDirectory(folder))")
        }
        if access(folder, W_OK) != 0 {
            throw .storage("--db \(request.database): the directory \(folder) is not writable (the database and its journal are written there)")
        }
        // A name the file system cannot hold with "-journal" after it (SQLite's journal beside
        // it) had failed only once the whole run was computed.
        let name = FilePaths.name(of: request.database)
        let longest = pathconf(folder, Int32(_PC_NAME_MAX))
        let journalSuffix = "-journal".utf8.count
        if longest > journalSuffix && name.utf8.count + journalSuffix > longest {
            throw .storage(
                "--db \(request.database): the file name is \(name.utf8.count) bytes long; give one of at most \(longest - journalSuffix) "
                    + "(the file system takes \(longest), and SQLite keeps a journal beside it under the name with -journal after it)")
        }
        if let problem = ResultStore.pathLengthProblem(request.database) { throw .storage("--db \(request.database): \(problem)") }
        if FileManager.default.fileExists(atPath: request.database) && access(request.database, W_OK) != 0 {
            throw .storage("--db \(request.database): the file is read-only; give one this run can write")
        }
        if let problem = LedgerLoader.directoryProblem(request.data) { throw .input("--data \(request.data): \(problem)") }
        try checkOutputs(
            request, planFiles: planFiles, libraryFiles: libraryFiles, inputTables: plans.flatMap { $0.inputs.map { request.dataPrefix + $0.file } })

        // Data. Its files are hashed from now on, on a thread that only takes a core no one else
        // wants (the load's serial steps and the ends of its parallel ones leave some); what is left
        // when evaluation starts is finished at normal priority (see ``IdleFingerprinter``).
        let hashingStop = StopFlag()
        let ledgerFiles = LedgerFiles(directory: request.data)
        let early = IdleFingerprinter(
            paths: [ledgerFiles.transactions, ledgerFiles.roster, ledgerFiles.quotas, ledgerFiles.fx, ledgerFiles.splits]
                .filter(FilePaths.isRegularFile))
        defer { early.stop() }
        let loading = "loading and validating \(request.data)"
        report(loading)
        var readOptions = ReferenceEvaluator.loadOptions(for: plans, threads: request.threads)
        // On a display, how far the ledger is read, a few times a second.
        let loadTicker = request.detail.map { detail in
            let read = LoadProgress()
            readOptions.progress = read
            let shown = Mutex(-1)
            return ProgressTicker(every: 0.25) {
                let total = read.total
                guard total > 0 else { return }
                let scanned = min(read.scanned, total)
                let percent = scanned * 100 / total
                guard shown.withLock({ shownPercent in
                    defer { shownPercent = percent }
                    return shownPercent != percent
                }) else { return }
                detail("\(loading): transactions.csv \(percent)% (\(grouped(scanned / 1_000_000)) of \(grouped(total / 1_000_000)) MB)")
            }
        }
        let load = LedgerLoader.load(directory: request.data, options: readOptions)
        // Stopped before anything else is said: a late tick would overwrite the next phase.
        loadTicker?.stop()
        // A file that cannot be read row by row stops the run whatever the options: --quarantine
        // cannot help (and is not suggested).
        if !load.unusableFiles.isEmpty {
            // What makes the files unusable first (a hundred row errors had hidden it), then the
            // other files' row errors, also under --quarantine: the run stops here either way,
            // and the next one should not bring news.
            let listed = load.fileProblems + load.diagnostics.filter { $0.severity == .error && !load.fileProblems.contains($0) }
            let total = listed.count + max(0, load.errorCount - load.diagnostics.filter { $0.severity == .error }.count)
            throw .unusableFiles(listed: listed.prefix(100).map(\.description), files: load.unusableFiles, total: total)
        }
        if load.errorCount > 0 && !request.quarantine {
            // The input tables' errors are listed with the data's (a bad score had been said only
            // once the ledger was corrected): errors first, then warnings.
            var tableErrors: [String] = []
            var tableTotal = 0
            do {
                _ = try loadInputTables(of: plans, roster: load.data.roster, dataPrefix: request.dataPrefix, threads: request.threads)
            } catch {
                if case .badInputTable(let listed, let total) = error { (tableErrors, tableTotal) = (listed, total) }
            }
            let listed = load.listed(limit: 100)
            let combined =
                listed.filter { $0.severity == .error }.map(\.description) + tableErrors
                + listed.filter { $0.severity != .error }.map(\.description)
            throw .badData(
                listed: Array(combined.prefix(100)), total: load.errorCount + tableTotal, warnings: load.warningCount, tableErrors: tableTotal)
        }
        let data = load.data

        // Input tables (MBO scores and the like) live in the data directory; all are read, and
        // refused with every error, before anything is written.
        let (inputsByPlan, inputFiles, tableWarnings) = try loadInputTables(
            of: plans, roster: data.roster, dataPrefix: request.dataPrefix, threads: request.threads)
        var inputWarnings = tableWarnings

        // Fingerprints of every input, finished on another thread while the plan is evaluated and
        // the run stored; stopped if the run fails.
        let inputTables = inputFiles
        let libraries = libraryFiles
        // Every data file and input table as its reader opened it: the fingerprints recorded with
        // the run must be of those very files (one hashed again after it changed had described a
        // file the run never read).
        var readStamps = load.stamps
        for inputs in inputsByPlan {
            for table in inputs.values { if let stamp = table.stamp { readStamps[table.file] = stamp } }
        }
        let stamps = readStamps
        @Sendable func changed(_ path: String) -> RunFailure {
            .input("\(path): the file changed while the run read it (is another program writing it?); run again once it is complete")
        }
        let fingerprint = { @Sendable () throws(RunFailure) -> [InputFingerprint] in
            var inputs: [InputFingerprint] = []
            let stop = { hashingStop.isSet }
            // The data files the early hashing got through (a file it could not read, or one that
            // appeared since, is hashed below, which reports why it cannot be).
            var progress = early.takeOver()
            _ = try? progress.finish(stop: stop)
            var hashed: [String: FileFingerprint] = [:]
            for fingerprint in progress.done { hashed[fingerprint.path] = fingerprint }
            do {
                for (kind, paths) in [("plan", planFiles), ("library", libraries), ("input", inputTables)] {
                    for path in paths {
                        let fingerprint = try Fingerprinter.fingerprint(path: path, stop: stop)
                        if kind == "input", let read = stamps[path], read != fingerprint.stamp { throw changed(path) }
                        inputs.append(InputFingerprint(kind: kind, path: path, sha256: fingerprint.sha256, bytes: fingerprint.bytes))
                    }
                }
                for file in load.reconciliation.files where file.present {
                    var fingerprint = try hashed[file.file] ?? Fingerprinter.fingerprint(path: file.file, stop: stop)
                    if let read = stamps[file.file], read != fingerprint.stamp, hashed[file.file] != nil {
                        // Hashed early, before the file the loader read was put in its place (an
                        // atomic replace just before the run): hashed again.
                        fingerprint = try Fingerprinter.fingerprint(path: file.file, stop: stop)
                    }
                    if let read = stamps[file.file], read != fingerprint.stamp { throw changed(file.file) }
                    let kind = String(file.file.split(separator: "/").last?.split(separator: ".").first ?? "data")
                    inputs.append(InputFingerprint(kind: kind, path: file.file, sha256: fingerprint.sha256, bytes: fingerprint.bytes))
                }
            } catch let failure as RunFailure {
                throw failure
            } catch {
                throw .input(String(describing: error))
            }
            return inputs
        }

        let threads = request.threads ?? activeProcessorCount()
        let loadOptions = ReferenceEvaluator.loadOptions(for: plans, threads: request.threads)
        // The load options are recorded so that `comp explain` can read the ledger the same way.
        var options: [String: String] = [
            "quarantine": String(request.quarantine), "base_currency": loadOptions.baseCurrency.code,
            "fiscal_year_start": String(loadOptions.fiscalCalendar.startMonth),
            "fiscal_year_naming": loadOptions.fiscalCalendar.naming.rawValue,
            "overlay_splits": String(loadOptions.allowOverlaySplits),
            "declared_columns": DeclaredColumn.recorded(loadOptions.declaredColumns),
        ]
        for (name, value) in request.overrides { options["param." + name] = value }
        // Which plans each override applies to (a run's plans need not all declare it): explain
        // names only a plan's own.
        for plan in plans where !request.overrides.isEmpty {
            let declared = plan.parameters.map(\.name).filter { request.overrides[$0] != nil }.sorted()
            if !declared.isEmpty { options[RunRecord.overriddenKey(plan: plan.id)] = declared.joined(separator: ",") }
        }
        let record = RunRecord(
            startedAt: startedAt, finishedAt: startedAt, engineVersion: engineVersion, threads: threads,
            plans: plans.map(\.id), inputs: [], options: options)

        // Evaluate and store in one transaction: each shard's lines are written while later shards
        // are still being evaluated. A failure anywhere leaves the database as it was.
        var output = RunOutput()
        // The summary's totals, gathered as the parts are stored (no part is kept: a run's lines
        // would be a tenth of its memory).
        var summary = SummaryTotals()
        summary.tracked = Set(plans.filter { !$0.inputs.isEmpty }.map(\.id))
        // Export files asked for are formatted on another thread as the parts come, and written to
        // temporary names as they are formatted.
        let exporting =
            request.exportPayouts != nil || request.exportMeasures != nil
            ? ExportFormatter(payouts: request.exportPayouts, measures: request.exportMeasures, merging: plans.count > 1) : nil
        var warnings: [String] = []
        var reconciliation: [ReconciliationRecord] = []
        var failure: RunFailure? = nil
        var temporaryFiles: Background<[StagedOutput]?>? = nil
        let id: RunID
        let store: ResultStore
        // A database this run creates is written under a hidden name and linked in at its path,
        // whole, once the run is stored: a failed or killed run leaves nothing there (a database
        // made at its path first was left with an empty schema).
        // An empty file there (made with `touch`) is no database yet either: it is replaced whole
        // by the stored run, and a failed run leaves it empty (it had kept the schema).
        var existing = stat()
        let absent = lstat(request.database, &existing) != 0
        let empty = !absent && (existing.st_mode & S_IFMT) == S_IFREG && existing.st_size == 0
        do {
            store = try absent || empty ? ResultStore(creating: request.database, replacingEmpty: empty) : ResultStore(path: request.database)
        } catch {
            throw .storage(error.description)
        }
        // What is left of the hashing goes on at normal priority from the first evaluated part on.
        var fingerprints: Background<[InputFingerprint]>? = nil
        do {
            id = try store.record(record, inputs: { try (fingerprints ?? Background(fingerprint)).value() }, finishedAt: { timestamp() }) {
                write in
                report("evaluating \(plans.map(\.id).joined(separator: ", ")) and storing the run in \(request.database)")
                // The plans of one run share its periods.
                let runSpan = ReferenceEvaluator.runSpan(of: plans, data: data, threads: threads)
                for (planIndex, plan) in plans.enumerated() {
                    // How far the plan's payees are, for a progress display: the parts come in
                    // payee order, each payee's lines together.
                    var evaluated = EvaluatedPayees(plan: plan, roster: data.roster, detail: request.detail)
                    do {
                        try ReferenceEvaluator.evaluate(
                            plan, data: data, inputs: inputsByPlan[planIndex], threads: threads, runSpan: runSpan, marking: &output.credited,
                            progress: { report("\(plan.id): \($0)") }
                        ) { part in
                            if fingerprints == nil { fingerprints = Background(fingerprint) }
                            evaluated.add(part)
                            try write(part)
                            summary.add(part.payouts)
                            summary.noteFormulaLikeTexts(part.measures)
                            exporting?.add(part)
                        }
                    } catch let error as EvaluationError {
                        var text = error.description
                        // The rows --quarantine left out may be why (a quota or rate missing is a
                        // rejected row's): they are said too, as no database holds them.
                        if request.quarantine && load.errorCount > 0 {
                            let listed = load.listed(limit: 10).filter { $0.severity == .error }
                            // Rows, as the reconciliation counts them (a row may have several errors).
                            let rows = load.reconciliation.files.reduce(0) { $0 + $1.rejected }
                            let errors = load.errorCount == rows ? "" : " (\(load.errorCount) error\(load.errorCount == 1 ? "" : "s"))"
                            text += "\n--quarantine left out \(rows) rejected row\(rows == 1 ? "" : "s")\(errors), which may be why"
                                + (load.errorCount > listed.count ? "; the first \(listed.count) errors:" : ":")
                            for diagnostic in listed { text += "\n  \(diagnostic.location): \(diagnostic.message)" }
                        }
                        // What the run would have warned of may say why (look-alike rep ids, a
                        // quarter's quota row beside a monthly plan): said first, as a run that
                        // goes on says it before its summary.
                        var caveats = Self.dataWarnings(load: load) + planDataWarnings(plans: plans, data: data) + inputWarnings.prefix(20)
                        if inputWarnings.count > 20 { caveats.append("… and \(inputWarnings.count - 20) more warnings about the input tables") }
                        if !caveats.isEmpty { text = caveats.map(Self.warningLine).joined(separator: "\n") + "\n" + text }
                        failure = .evaluation(text)
                        throw error
                    }
                }

                report("reconciling")
                (reconciliation, warnings) = reconcile(output.credited, plans: plans, data: data, load: load)
                // The plans' input tables: every row read is a value (a bad row stops the run).
                for path in inputTables {
                    guard let table = inputsByPlan.lazy.flatMap({ $0.values }).first(where: { $0.file == path }) else { continue }
                    reconciliation.append(ReconciliationRecord(file: path, rowsRead: table.count, accepted: table.count, rejected: 0))
                }
                warnings += clawbackPolicyWarnings(plans: plans, data: data)
                warnings += planDataWarnings(plans: plans, data: data)
                warnings += summary.formulaLikeTextWarnings
                warnings = Self.dataWarnings(load: load) + warnings
                inputWarnings += Self.unreadInputRows(plans: plans, tables: inputsByPlan, roster: data.roster, summary: summary)
                warnings += inputWarnings.prefix(20)
                if inputWarnings.count > 20 { warnings.append("… and \(inputWarnings.count - 20) more warnings about the input tables") }
                // Split rows no rule reads: the credit went whole to each deal's rep.
                if !plans.contains(where: \.creditsSplitPartners) && !data.splits.rows.isEmpty {
                    let count = data.splits.rows.count
                    warnings.append(
                        "splits.csv has \(count) row\(count == 1 ? "" : "s"), but no credit rule of the run's plans credits `to splits`; "
                            + "they are not used (each deal is credited to its own rep)")
                }
                // Kept with the run: its caveats outlive the terminal it ran in.
                output.warnings = warnings
                output.reconciliation = reconciliation
                output.rejects = load.diagnostics.filter { $0.severity == .error }.map {
                    RejectRecord(
                        file: $0.location.file, line: $0.location.line, field: $0.location.column, code: $0.id.rawValue, message: $0.message)
                }
                // The rest of the export files is written on another thread while SQLite finishes;
                // they are renamed into place once the run is stored.
                temporaryFiles = exporting.map { formatter in Background { () throws(RunFailure) in try formatter.finish() } }
                report("storing the run in \(request.database)")
                return output
            }
            try store.persist()
        } catch {
            hashingStop.set()
            if case .success(let files?)? = temporaryFiles?.result { for file in files { file.discard() } }
            exporting?.discard()
            store.discard()
            if let failure { throw failure }
            // A failure to read an input while hashing it is an input failure, not a storage one.
            if let cause = error.cause as? RunFailure { throw cause }
            throw error.damaged ? .input(error.description) : .storage(error.description)
        }
        var exported = temporaryFiles?.result
        if case .success(nil)? = exported {
            // The parts did not come in export order (nor, with several plans, each plan's in
            // its own): the files are made from the stored run, as `comp export` makes them.
            exported = exportFiles(from: store, run: id, payouts: request.exportPayouts, measures: request.exportMeasures)
        }
        // The run is there: the exports can be written from it (`comp export` says how). Said
        // after the run's summary, which is printed all the same (a full disk had left the
        // stored run without one).
        let asked = [request.exportPayouts, request.exportMeasures].compactMap { $0 }
        let recover = "; `comp export payouts|measures --db \(shellQuoted(request.database)) --run \(id) --out FILE` writes "
            + (asked.count > 1 ? "them" : "it") + " from the stored run"
        // Which of the exports asked for are not in place: both are staged and put in place
        // together, so a failure in one leaves out the other too unless it was already put there.
        func missing(_ files: [String]) -> String {
            files.count > 1 ? " (neither \(files[0]) nor \(files[1]) was written)" : ""
        }
        var exportProblem: String? = nil
        switch exported {
        case .failure(let failure)?:
            exportProblem = "run \(id) is stored, but \(asked.count > 1 ? "its exports were" : "its export was") not written: \(failure)"
                + missing(asked) + recover
        case .success(let files?)?:
            for (index, file) in files.enumerated() {
                do throws(StoreError) {
                    try file.commit()
                } catch {
                    for other in files[(index + 1)...] { other.discard() }
                    let notWritten = files[index...].map(\.target.path)
                    exportProblem = "run \(id) is stored, but \(file.target.path) could not be written: \(error.underlying)"
                        + (notWritten.count > 1 ? " (nor was \(notWritten.dropFirst().joined(separator: ", ")))" : "")
                        + (index > 0 ? " (\(files[0..<index].map(\.target.path).joined(separator: ", ")) was written)" : "") + recover
                    break
                }
            }
        case .success(nil)?, nil:
            break
        }

        // Summary.
        report(nil)
        let (totals, payees, periods) = (summary.totals, summary.payees, summary.periods)
        if !request.freesMemory { ProcessExit.keep((load, output, inputsByPlan)) }
        let elapsed = clock.now - start
        return RunSummary(
            run: id, plans: plans.map(\.id), payees: payees.count, periods: periods.sorted(),
            componentTotals: totals.enumerated().sorted {
                ($0.element.plan, $0.element.currency.code, $0.offset) < ($1.element.plan, $1.element.currency.code, $1.offset)
            }.map { ($0.element.plan, $0.element.component, WideDecimal(value: $0.element.units, scale: FixedDecimal.scale), $0.element.currency) },
            rejected: load.errorCount,
            storedRejects: load.diagnostics.reduce(0) { $0 + ($1.severity == .error ? 1 : 0) },
            firstRejects: load.listed(limit: 20).filter { $0.severity == .error }.map { "\($0.location): \($0.message)" },
            warnings: warnings, reconciliation: reconciliation,
            seconds: seconds(elapsed), phases: phases, exportProblem: exportProblem)
    }

    /// Who reads an input table, for its messages: `plan MBO (input score from "mbo.csv" column "score")`.
    public static func inputDeclaration(_ plan: Plan, _ input: InputTable) -> String {
        "plan \(plan.id) (input \(input.name) from \"\(input.file)\" column \"\(input.column)\")"
    }

    /// Each plan's input tables (MBO scores and the like), read from the data directory
    /// `dataPrefix` (ending in `/`): the tables by plan, the files read, and warnings of rows no
    /// plan reads (a period of another length), to say with the summary. A plan's tables with
    /// errors are refused with every error.
    static func loadInputTables(
        of plans: [Plan], roster: RosterTable, dataPrefix: String, threads: Int?
    ) throws(RunFailure) -> (byPlan: [[String: InputTableValues]], files: [String], warnings: [String]) {
        var inputsByPlan: [[String: InputTableValues]] = []
        var inputFiles: [String] = []
        var inputWarnings: [String] = []
        // The plans reading each file's column, with their period lengths: a row is never read
        // only when none of them pays by its length. Said once per file and column.
        let readers = inputReaders(of: plans)
        var warnedTables: Set<String> = []
        // Every plan's tables are read before any is refused: all their errors at once.
        var inputErrors: [String] = []
        for plan in plans {
            var inputs: [String: InputTableValues] = [:]
            for input in plan.inputs {
                let path = dataPrefix + input.file
                let (table, diagnostics) = InputTableReader.load(
                    path: path, column: input.column, roster: roster,
                    options: LedgerLoadOptions(threads: threads, fiscalCalendar: plan.fiscalCalendar),
                    readers: readers[input.key]?.periods ?? [], count: readers[input.key]?.count,
                    declaredBy: inputDeclaration(plan, input))
                inputErrors += diagnostics.filter { $0.severity == .error }.map(\.description)
                if warnedTables.insert(input.key).inserted {
                    // A file read for two columns says its header's warnings once.
                    for warning in diagnostics where warning.severity == .warning {
                        let text = "\(warning.location): warning: \(warning.message)"
                        if !inputWarnings.contains(text) { inputWarnings.append(text) }
                    }
                }
                inputs[input.name] = table
                if !inputFiles.contains(path) { inputFiles.append(path) }
            }
            inputsByPlan.append(inputs)
        }
        if !inputErrors.isEmpty { throw .badInputTable(listed: Array(inputErrors.prefix(100)), total: inputErrors.count) }
        return (inputsByPlan, inputFiles, inputWarnings)
    }

    /// Reversals whose deal was paid under one plan of the run and which come when the rep is on
    /// another, when the two plans charge reversals differently (`charge original_period` and
    /// `reversal_period`): each plan applies its own policy, so the reversal may be charged by
    /// both or by neither. Said with the count and the first transaction, so that the plans can be
    /// given the same policy.
    /// The plans of `paths` (files, or directories of `.plan` and `.xml` files) checked as a run
    /// takes them, with `overrides` applied: the plans that checked, and every diagnostic of the
    /// files with errors, rendered (empty when all checked).
    public static func checkPlans(_ paths: [String], overrides: [String: String]) throws(RunFailure) -> CheckedPlans {
        let (planFiles, foundPlanFiles) = try planPathsFound(paths)
        var checked = CheckedPlans(files: planFiles)
        func check(_ path: String, _ overrides: [String: String]) -> PlanCheckResult {
            let found = foundPlanFiles.contains(path)
            return XMLPlans.isXML(path)
                ? XMLPlans.check(path: path, overrides: overrides, found: found) : PlanChecker.check(path: path, overrides: overrides, found: found)
        }
        let results = PlanChecker.checkRun(planFiles, overrides: overrides, check: check)
        for (path, result) in zip(planFiles, results) {
            if result.hasErrors {
                checked.rendered += result.rendered()
                checked.errorCount += result.errorCount
                checked.failedFiles += 1
            } else if !result.diagnostics.isEmpty {
                checked.warnings += result.rendered()
            }
            // The libraries a plan uses are inputs of the run too (fingerprinted, never overwritten).
            for source in result.sources where source.path != path && !checked.libraries.contains(source.path) && !planFiles.contains(source.path) {
                checked.libraries.append(source.path)
            }
            if let plan = result.plan {
                checked.plans.append(plan)
                checked.pathsByID[plan.id, default: []].append(path)
            }
        }
        return checked
    }

    /// What a run refuses of checked plans as a set: no plan in `given`, one plan id in several
    /// files, plans that read the data differently (`comp validate --plans` says it too).
    public static func planSetProblems(_ checked: CheckedPlans, given: [String]) -> [String] {
        if checked.files.isEmpty { return ["no plan found in \(given.joined(separator: ", "))"] }
        var problems = repeatedPlanIDs(checked.pathsByID)
        if let differing = differentReadings(checked.plans, pathsByID: checked.pathsByID) { problems.append(differing) }
        return problems
    }

    /// One message per plan id defined by more than one file.
    public static func repeatedPlanIDs(_ pathsByID: [String: [String]]) -> [String] {
        pathsByID.filter { $0.value.count > 1 }.sorted { $0.key < $1.key }.map {
            "plan id \"\($0.key)\" is defined by more than one file: \($0.value.joined(separator: ", ")); a run takes each plan once"
        }
    }

    /// The data is read once for all plans, in one currency and one fiscal calendar: plans that
    /// differ are refused whatever their order (the first plan's had been used for all, so the
    /// order of --plans changed which quota rows were found). Every plan, grouped by how it reads
    /// the data, with its file (the first two that differed had been named, without files).
    static func differentReadings(_ plans: [Plan], pathsByID: [String: [String]]) -> String? {
        guard let first = plans.first, plans.contains(where: { $0.fiscalCalendar != first.fiscalCalendar || $0.currency != first.currency }) else {
            return nil
        }
        var groups: [(key: String, plans: [String])] = []
        for plan in plans {
            let key = "\(plan.currency.code), fiscal year from month \(plan.fiscalCalendar.startMonth)"
            let named = "\"\(plan.id)\" (\(pathsByID[plan.id]?.first ?? "?"))"
            if let index = groups.firstIndex(where: { $0.key == key }) { groups[index].plans.append(named) } else { groups.append((key, [named])) }
        }
        return "the plans of a run must read the data alike (one plan currency, one fiscal year start); these differ:\n"
            + groups.map { "  \($0.key): \($0.plans.joined(separator: ", "))" }.joined(separator: "\n")
            + "\nrun each group separately"
    }

    /// The note a run of a debug build prints when it took long enough for the optimized build to
    /// matter (`swift run comp` builds for debugging, about ten times as slow on a large ledger),
    /// or `nil`: an optimized build, or a run under `seconds` (a short run is not worth a word).
    public static func debugBuildNote(runSeconds: Double, debugBuild: Bool, seconds: Double = 10) -> String? {
        guard debugBuild, runSeconds >= seconds else { return nil }
        return "note: this comp is a debug build, and the run took \(String(format: "%.1f", runSeconds)) s; `swift build -c release` builds "
            + "`.build/release/comp`, about ten times as fast on a large ledger, with the same results"
    }

    /// A warning as a line of standard error: `file:line:field: warning: …` as it is, anything
    /// else after `warning: `.
    public static func warningLine(_ warning: String) -> String { warning.contains(": warning: ") ? warning : "warning: " + warning }

    /// The data's own warnings (a quoted text holding lines shaped like records, a rep id a
    /// spreadsheet would run as a formula, …): the first 20, located as `validate` and the
    /// compilers write them (`file:line:field: warning: …`), then the count of the rest (`comp
    /// validate` lists them all).
    static func dataWarnings(load: LedgerLoad) -> [String] {
        let found = load.diagnostics.filter { $0.severity == .warning }
        var lines = found.prefix(20).map { "\($0.location): warning: \($0.message)" }
        if found.count > 20 { lines.append("… and \(found.count - 20) more warnings about the data") }
        return lines
    }

    /// Rows of the plans' input tables that no statement of the run read: a rep the plans reading
    /// the table do not pay, not in that period, or a period they do not compute in this run (rows
    /// of a period length no reader pays by are said when the table is read). In line order, a
    /// row said once even when the file is read for several columns.
    static func unreadInputRows(plans: [Plan], tables: [[String: InputTableValues]], roster: RosterTable, summary: SummaryTotals) -> [String] {
        var warnings: [String] = []
        var said: Set<String> = []
        var seen: Set<String> = []
        for (planIndex, plan) in plans.enumerated() where planIndex < tables.count {
            for input in plan.inputs where seen.insert(input.key).inserted {
                guard let table = tables[planIndex][input.name] else { continue }
                let readers = plans.filter { reader in reader.inputs.contains { $0.key == input.key } }
                for row in table.rows {
                    let rep = roster.repIDs[Int(row.rep)]
                    // Only readers paying by the row's period length could read it.
                    let able = readers.filter { $0.period.months == row.months }
                    guard !able.isEmpty else { continue }
                    let periods = able.map { Period(kind: $0.period, containingMonth: row.firstMonth, calendar: $0.fiscalCalendar).description }
                    if able.indices.contains(where: { summary.hasStatement(plan: able[$0].id, rep: rep, period: periods[$0]) }) { continue }
                    let period = periods[0]
                    let names = (able.count == 1 ? "plan " : "plans ") + able.map(\.id).joined(separator: ", ")
                    let why: String
                    if !able.contains(where: { summary.hasStatement(plan: $0.id, rep: rep, period: nil) }) {
                        why = "rep \"\(rep)\" is not paid by \(names) in this run"
                    } else if able.indices.contains(where: { summary.trackedPeriods[able[$0].id]?.contains(periods[$0]) ?? false }) {
                        why = "rep \"\(rep)\" has no \(period) statement on \(names) in this run (not on the plan then)"
                    } else {
                        let computed = (summary.trackedPeriods[able[0].id] ?? []).sorted()
                        let range = computed.count == 1 ? "\(computed[0]) only" : "\(computed.first ?? "") … \(computed.last ?? "")"
                        why = "\(names) \(able.count == 1 ? "computes" : "compute") no \(period) in this run (\(range))"
                    }
                    let text = "\(table.file):\(row.line):\(table.repField): warning: \(why), so this run does not read this row"
                    if said.insert(text).inserted { warnings.append(text) }
                }
            }
        }
        return warnings
    }

    /// Who reads each input table's column, by ``InputTable/key``: the plans with their period
    /// lengths (a row for a period none of them pays by is never read), and the first plan that
    /// reads it as a count, with its declaration (the values must then be whole numbers).
    public static func inputReaders(of plans: [Plan]) -> [String: InputReaders] {
        var readers: [String: InputReaders] = [:]
        for plan in plans {
            for input in plan.inputs {
                readers[input.key, default: InputReaders()].periods.append((plan.id, plan.period))
                if input.type == .count && readers[input.key]?.count == nil {
                    readers[input.key]?.count = (plan.id, "input \(input.name) from \"\(input.file)\" column \"\(input.column)\": count")
                }
            }
        }
        return readers
    }

    /// What the data holds that the plans will not read as meant: ledger columns they read that are
    /// not there (``absentColumnWarnings(plans:data:)``), quota rows for a measure no plan has a
    /// quota for (a misspelt measure left every quota of it out without a word), and roster rows
    /// whose manager's rows were all rejected, where plans roll credits up to managers. For `comp
    /// run`, and `comp validate --plans`.
    /// A plan no roster row names pays no one: most likely its id and the roster's plan column
    /// differ (`AE_STD` for `AE-STD`), and a run of it had only said "0 payees". One warning per
    /// such plan, with the id it likely meant or the ids the roster names.
    public static func payeelessPlanWarnings(plans: [Plan], roster: RosterTable) -> [String] {
        let rosterPlans = Set(roster.rows.map(\.plan))
        var warnings: [String] = []
        for id in plans.map(\.id).sorted() where !rosterPlans.contains(id) {
            func folded(_ text: String) -> String { String(text.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.map(Character.init)) }
            let named = rosterPlans.sorted()
            let meant = named.first { folded($0) == folded(id) }
            let hint = meant.map { "; did you mean \($0)? (the plan file's id and the roster's plan column must match exactly)" }
                ?? (named.isEmpty ? "" : "; the roster names " + named.prefix(5).joined(separator: ", ") + (named.count > 5 ? ", …" : ""))
            warnings.append("plan \(id) has no payees: no roster row names it" + hint)
        }
        return warnings
    }

    /// A plan with effective dates that no transaction is dated within (data of another year,
    /// say): a run excludes every row of its payees as outside the plan's dates and pays only what
    /// needs no deal. Said by `comp validate --plans`, which had called such data valid. (One
    /// pass over the dates per plan with effective dates, stopping at the first one within.)
    public static func effectiveDateWarnings(plans: [Plan], transactions: TransactionTable) -> [String] {
        guard transactions.count > 0 else { return [] }
        var warnings: [String] = []
        for plan in plans {
            guard let effective = plan.effective else { continue }
            let end = effective.end ?? CivilDate.maximum
            // Any deal within the dates (a ledger of 2026 and 2028 spans 2027 without one in it).
            guard !transactions.dates.contains(where: { $0 >= effective.start && $0 <= end }) else { continue }
            let dates = "\(effective.start) to " + (effective.end.map { "\($0)" } ?? "open end")
            // The ledger's span, looked for only to say it.
            let first = transactions.dates.min() ?? effective.start
            let last = transactions.dates.max() ?? effective.start
            warnings.append(
                "plan \(plan.id) is effective \(dates), but no transaction is dated within it (the ledger runs from \(first) to \(last)): "
                    + "a run excludes every deal of its payees as outside the plan's dates")
        }
        return warnings
    }

    /// Measures without a plan's quota named one warning each; the rest are counted in one.
    static let unusedQuotaMeasuresShown = 10

    /// What a run and `comp validate --plans` say of the data as the plans read it: a ledger dated
    /// outside a plan's effective dates (a run had paid no one without a word on standard error),
    /// absent optional columns, quota rows no plan reads, and the like.
    public static func planDataWarnings(plans: [Plan], data: LedgerData) -> [String] {
        var warnings = effectiveDateWarnings(plans: plans, transactions: data.transactions) + absentColumnWarnings(plans: plans, data: data)
        // A ledger of its header alone (or every row rejected): a run had printed "0 payees, no
        // periods" and exited 0 without a word of why.
        if data.transactions.count == 0 && !plans.isEmpty {
            warnings.insert(
                "transactions.csv has no accepted transaction: no deal is credited, and a run computes no period; "
                    + "check that the export holds its rows", at: 0)
        }
        let quotaMeasures = Set(plans.flatMap { $0.quotas.map(\.measureName) })
        var unused: [String: (count: Int, line: Int)] = [:]
        for row in data.quotas.rows {
            guard let measure = row.measure, !quotaMeasures.contains(measure) else { continue }
            unused[measure, default: (0, row.line)].count += 1
        }
        // A manager whose roster rows were all rejected (--quarantine) ends every roll-up at the
        // reps under them: the managers above are paid overrides without those reps' credits.
        let rollsUp = plans.contains(where: \.creditsManagers)
        if rollsUp {
            let roster = data.roster
            var cut: [(rep: String, manager: String, line: Int)] = []
            for row in roster.rows {
                guard let manager = row.manager, Int(manager) < roster.rowsByRep.count, roster.rowsByRep[Int(manager)].isEmpty else { continue }
                cut.append((roster.repIDs[Int(row.rep)], roster.repIDs[Int(manager)], row.line))
            }
            if let first = cut.first {
                warnings.append(
                    "roster.csv: \(cut.count) row\(cut.count == 1 ? "" : "s") (the first on line \(first.line), rep \(first.rep)) name\(cut.count == 1 ? "s" : "") "
                        + "a manager whose roster rows were all rejected (\(first.manager)): roll-ups to managers stop there, and the "
                        + "managers above are paid without those reps' credits; correct the rejected rows")
            }
        }
        // A warning per measure, for the first few: a file of a million measures no plan has had
        // written a million warnings (139 MB on standard error, and as many rows in the run).
        // A name that differs from one with a quota only in case is said to be that one, and
        // comes first: past the first ten, a shared file's other measures had hidden the hint.
        // (Of plan measures differing only in case, the first by name.)
        let byLowercase = Dictionary(quotaMeasures.map { ($0.lowercased(), $0) }, uniquingKeysWith: { min($0, $1) })
        let unusedMeasures = unused.map { (key: $0.key, value: $0.value, meant: byLowercase[$0.key.lowercased()]) }
            .sorted { ($0.meant == nil ? 1 : 0, $0.key) < ($1.meant == nil ? 1 : 0, $1.key) }
        for (measure, found, meantName) in unusedMeasures.prefix(Self.unusedQuotaMeasuresShown) {
            let meant = meantName.map { " (did you mean \"\($0)\"?)" } ?? ""
            warnings.append(
                "quotas.csv has \(found.count) row\(found.count == 1 ? "" : "s") for measure \"\(measure)\" (the first on line \(found.line)), "
                    + "which none of the plans has a quota for\(meant); they are not used")
        }
        let rest = unusedMeasures.dropFirst(Self.unusedQuotaMeasuresShown)
        if let first = rest.min(by: { $0.value.line < $1.value.line }) {
            let rows = rest.reduce(0) { $0 + $1.value.count }
            warnings.append(
                "quotas.csv has \(grouped(rows)) more row\(rows == 1 ? "" : "s") for \(grouped(rest.count)) other measure\(rest.count == 1 ? "" : "s") none of the plans has a "
                    + "quota for (the first on line \(first.value.line), measure \"\(first.key)\"); they are not used")
        }
        if let warning = quotaRowsOfUnreadLength(plans: plans, data: data) { warnings.append(warning) }
        warnings += nearMissTextValues(plans: plans, data: data)
        return warnings
    }

    /// Quota rows for a period length that none of the rep's plans reads its quota by: a quarter's
    /// row for a rep whose plan reads monthly quotas (beside the monthly rows, it was ignored
    /// without a word), or months for a plan reading quarters. Rows of reps on none of the plans,
    /// or of a measure none of them has a quota for (said above), are not counted. One warning
    /// for all: the count, and the first row with why.
    static func quotaRowsOfUnreadLength(plans: [Plan], data: LedgerData) -> String? {
        let quotas = data.quotas.rows
        guard !quotas.isEmpty, plans.contains(where: { !$0.quotas.isEmpty }) else { return nil }
        // Per plan id: each quota's measure, whether it is the plan's first measure (an empty
        // measure cell means that one), and the length of the rows read for it (a plan paying by
        // quarter reads a monthly quota's quarter row).
        struct Reading {
            let measure: String
            let first: Bool
            let kind: PeriodKind
        }
        var readings: [String: [Reading]] = [:]
        for plan in plans where readings[plan.id] == nil {
            readings[plan.id] = plan.quotas.map { quota in
                let kind = max(quota.periodKind, plan.period)
                return Reading(measure: quota.measureName, first: quota.measure.index == 0, kind: kind)
            }
        }
        let roster = data.roster
        var plansOfRep: [Int: [String]] = [:]
        var count = 0
        var first: (row: QuotaRow, plan: String, reading: Reading)? = nil
        for row in quotas {
            let rep = Int(row.rep)
            let repPlans: [String]
            if let known = plansOfRep[rep] {
                repPlans = known
            } else {
                var names: [String] = []
                if rep < roster.rowsByRep.count {
                    for index in roster.rowsByRep[rep] where readings[roster.rows[index].plan] != nil && !names.contains(roster.rows[index].plan) {
                        names.append(roster.rows[index].plan)
                    }
                }
                plansOfRep[rep] = names
                repPlans = names
            }
            var reader: (plan: String, reading: Reading)? = nil
            var read = false
            for plan in repPlans {
                for reading in readings[plan] ?? [] where row.measure.map({ $0 == reading.measure }) ?? reading.first {
                    if reading.kind == row.period.kind { read = true }
                    if reader == nil { reader = (plan, reading) }
                }
            }
            guard !read, let reader else { continue }
            count += 1
            if first == nil { first = (row, reader.plan, reader.reading) }
        }
        guard let first else { return nil }
        let kind = first.row.period.kind
        let rep = Int(first.row.rep) < roster.repIDs.count ? roster.repIDs[Int(first.row.rep)] : "?"
        // Every length the plan reads that measure's quota by ("per month and per year").
        let lengths = PeriodKind.allCases.filter { length in
            (readings[first.plan] ?? []).contains { $0.measure == first.reading.measure && $0.kind == length }
        }
        return "quotas.csv has \(grouped(count)) row\(count == 1 ? "" : "s") for a period length the rep's plans do not read (the first on line "
            + "\(first.row.line): \(first.row.period), a \(kind.rawValue)'s quota of rep \"\(rep)\", whose plan \(first.plan) reads one "
            + "\(first.reading.measure) quota row per \(lengths.map(\.rawValue).joined(separator: " and per "))); "
            + "\(count == 1 ? "it is" : "they are") not used"
    }

    /// The optional ledger columns (`product`, `kind`, `region`) a plan reads that transactions.csv
    /// does not have: each reads empty on every row, so a filter on it takes nothing (valid, but
    /// rarely meant: a column named `Kind` is another column).
    /// Declared optional columns (`attribute txn.segment: text optional`, `rep.seats`) likewise:
    /// each reads as an empty cell on every row (text "", a count 0, other types no value).
    static func absentColumnWarnings(plans: [Plan], data: LedgerData) -> [String] {
        var warnings: [String] = []
        func warn(_ prefix: String, _ name: String, _ file: String, readers: [Plan]) {
            guard !readers.isEmpty else { return }
            warnings.append(
                "plan\(readers.count == 1 ? "" : "s") \(readers.map(\.id).joined(separator: ", ")) read\(readers.count == 1 ? "s" : "") \(prefix).\(name), "
                    + "but \(file) has no column \"\(name)\": it is empty on every row")
        }
        for name in ["product", "kind", "region"] where data.transactions.attribute(name) == nil {
            warn("txn", name, "transactions.csv", readers: plans.filter { plan in plan.attributes.contains { $0.builtIn && $0.scope == .transaction && $0.name == name } })
        }
        // Declared optional columns the plans' rules read (a declaration no rule uses reads nothing).
        for (scope, prefix, file) in [(PlanModel.AttributeScope.transaction, "txn", "transactions.csv"), (.rep, "rep", "roster.csv")] {
            let names = Set(plans.flatMap { plan in plan.attributes.filter { !$0.builtIn && $0.scope == scope }.map(\.name) })
            for name in names.sorted() {
                guard scope == .transaction ? data.transactions.attribute(name) == nil : !data.roster.attributeNames.contains(name) else { continue }
                warn(prefix, name, file, readers: plans.filter { plan in plan.reads { !$0.builtIn && $0.scope == scope && $0.name == name } })
            }
        }
        return warnings
    }

    static func clawbackPolicyWarnings(plans: [Plan], data: LedgerData) -> [String] {
        var charges: [String: ClawbackCharge] = [:]
        for plan in plans { charges[plan.id] = plan.clawback?.charge ?? .reversalPeriod }
        guard Set(charges.values).count > 1 else { return [] }
        let transactions = data.transactions
        let roster = data.roster
        var count = 0
        var first: (row: Int, deal: String, now: String, booker: RepIndex?)? = nil
        for (row, target) in zip(transactions.reversals.rows, transactions.reversals.targets) {
            let (row, target) = (Int(row), Int(target))
            let rep = transactions.reps[target]
            guard let dealIndex = roster.assignmentIndex(of: rep, on: transactions.dates[target]) else { continue }
            let deal = roster.rows[dealIndex].plan
            guard let dealCharge = charges[deal] else { continue }
            // The plan the deal's rep is on when the reversal comes, and the one of the rep who
            // booked it (a plan charging when reversals come charges the booking rep's row).
            var other: (plan: String, booker: RepIndex?)? = nil
            for booker in [rep, transactions.reps[row]] {
                guard let nowIndex = roster.assignmentIndex(of: booker, on: transactions.dates[row]) else { continue }
                let now = roster.rows[nowIndex].plan
                if now != deal, let nowCharge = charges[now], nowCharge != dealCharge {
                    other = (now, booker == rep ? nil : booker)
                    break
                }
            }
            guard let other else { continue }
            count += 1
            if first == nil || row < first?.row ?? 0 { first = (row, deal, other.plan, other.booker) }
        }
        guard let first else { return [] }
        let rest =
            "each applies its own `clawback`, so such a reversal may be charged twice or not at all; give both plans the same `charge`"
        let comes = first.booker.map { "is booked by a rep on plan \(first.now) (\(roster.repIDs[Int($0)]))" } ?? "comes when the rep is on plan \(first.now)"
        let named = "\(transactions.ids[first.row]), line \(transactions.line(of: first.row))"
        if count == 1 {
            return ["1 reversal (\(named)) of a deal paid under plan \(first.deal) \(comes), and the two charge reversals differently: \(rest)"]
        }
        // Several may go between the plans either way: the first is named, not a direction for all.
        return [
            "\(count) reversals come under another plan than their deal's, one that charges reversals differently (the first, "
                + "\(named), of a deal paid under plan \(first.deal), \(comes)): \(rest)"
        ]
    }

    /// Every accepted transaction is credited to a payee of a plan in this run, or excluded with
    /// the reason. Returns the reconciliation per input file, and warnings for left-out payees.
    static func reconcile(
        _ credited: [Bool], plans: [Plan], data: LedgerData, load: LedgerLoad
    ) -> (reconciliation: [ReconciliationRecord], warnings: [String]) {
        let planIDs = Set(plans.map(\.id))
        var warnings: [String] = []
        var otherPlans: [String: Set<RepIndex>] = [:]
        let transactions = data.transactions
        // Plans that charge reversals back to the deal's period leave reversals past their window uncredited.
        let chargeBacks = Dictionary(
            plans.compactMap { plan in plan.chargeBack.map { (plan.id, (chains: ChargeBackChains($0, transactions: transactions), windowDays: $0.windowDays)) } },
            uniquingKeysWith: { first, _ in first })
        let effectiveDates = Dictionary(plans.compactMap { plan in plan.effective.map { (plan.id, $0) } }, uniquingKeysWith: { first, _ in first })
        // Whether a plan of the run can credit another plan's rows (a roll-up, a split): then such
        // a row was left out by those rules too, not only for its rep's plan (a managers' plan
        // run alone takes its reps' new deals, not their renewals).
        let reachesOtherPlans = plans.contains { plan in
            plan.creditRules.contains { rule in rule.recipients.contains { !$0.kind.isRep } }
        }
        let notTaken = reachesOtherPlans ? ", and no roll-up or split of this run takes it" : ""
        // Per plan: whether its credit rules read splits.csv (only for such a plan do rejected
        // split rows leave a deal out: another credits its rep as if the file had no rows for
        // it), and whether it credits only managers (a rep without a manager that day gives it
        // nothing).
        let readsSplitsOfPlan = plans.map(\.creditsSplitPartners)
        let managersOnlyOfPlan = plans.map { plan in
            !plan.creditRules.isEmpty && plan.creditRules.allSatisfy { rule in rule.recipients.allSatisfy(\.kind.isManagers) }
        }
        let splitSources = SplitSources(data.splits, reversals: transactions.reversals)
        // Per roster row, its plan's place in `plans` (-1: not in this run), so that the rows are
        // judged by numbers: a reason built and hashed as text for every excluded row had cost
        // about 2 µs each (a ledger half outside a plan's dates took seconds longer).
        let planIndex = Dictionary(plans.enumerated().map { ($0.element.id, $0.offset) }, uniquingKeysWith: { first, _ in first })
        let planOfRosterRow = data.roster.rows.map { Int32(planIndex[$0.plan] ?? -1) }
        let chainsOfPlan = plans.map { plan in chargeBacks[plan.id] }
        let effectiveOfPlan = plans.map { plan in effectiveDates[plan.id] }
        let anyChargeBack = chainsOfPlan.contains { $0 != nil }
        /// Why a row was left out, in numbers: the reason's text is made once per key.
        struct ExclusionKey: Hashable {
            enum Kind: UInt8 {
                case otherPlan, pastWindow, reversesLeftOut, outsideEffective, splitsRejected, noManager, notCredited
                case allRosterRowsRejected, noAssignmentSomeRejected, noAssignment
            }
            var kind: Kind
            /// The roster row of the assignment (-1: none).
            var assignment: Int32
            var asDeal: Bool
        }
        func reasonText(_ key: ExclusionKey) -> String {
            let asDeal = key.asDeal
            let plan = key.assignment >= 0 ? data.roster.rows[Int(key.assignment)].plan : ""
            switch key.kind {
            case .otherPlan:
                return (asDeal ? "reverses a deal of a rep on plan \(plan), not in this run" : "rep on plan \(plan), not in this run") + notTaken
            case .pastWindow:
                let days = chargeBacks[plan]?.windowDays ?? 0
                return "reversal more than \(days) days after the row it reverses, outside the clawback window of plan \(plan)"
            case .reversesLeftOut:
                let days = chargeBacks[plan]?.windowDays ?? 0
                return "reverses a row of a chain of reversals that the clawback window of plan \(plan) left out (a "
                    + "reversal more than \(days) days after the row it reverses): the chain charges nothing"
            case .outsideEffective:
                guard let effective = effectiveDates[plan] else { return "dated outside the effective dates of plan \(plan)" }
                let end = effective.end.map { " to \($0)" } ?? " on"
                return (asDeal ? "reverses a deal dated" : "dated") + " outside the effective dates of plan \(plan) (\(effective.start)\(end))"
            case .splitsRejected:
                return "its rows in splits.csv were rejected (who shares the credit is not known)"
            case .noManager:
                return "rep has no manager to roll up to on \(asDeal ? "the deal's date" : "the transaction date"), and plan \(plan) credits managers only"
            case .notCredited:
                return "not credited by any credit rule or SPIFF of plan \(plan) (filters, dates, or split partners who are not payees of this run)"
            case .allRosterRowsRejected:
                // Known by id from roster rows that were all rejected (--quarantine): those rows
                // are the ones to correct, not the date.
                return (asDeal ? "reverses a deal of a rep" : "rep") + " whose roster rows were all rejected (see the rejects of roster.csv)"
            case .noAssignmentSomeRejected:
                // A rejected row may be the one that covered the date: that row is the one to correct.
                return (asDeal ? "reverses a deal whose rep had no roster assignment on the deal's date" : "rep has no roster assignment on the transaction date")
                    + ", and some of its roster rows were rejected (see the rejects of roster.csv)"
            case .noAssignment:
                return asDeal ? "reverses a deal whose rep had no roster assignment on the deal's date" : "rep has no roster assignment on the transaction date"
            }
        }
        // Excluded rows by key and currency: their count and exact sum, in flat arrays.
        let currencyCount = transactions.currencies.count
        var keyIDs: [ExclusionKey: Int] = [:]
        var keys: [ExclusionKey] = []
        var keyRows: [Int] = []
        var keyUnits: [Int128] = []
        let roster = data.roster
        for row in 0..<transactions.count where !(row < credited.count && credited[row]) {
            var rep = transactions.reps[row]
            var date = transactions.dates[row]
            // A reversal its rep's plan charges back to the deal is judged as the deal: the deal's
            // rep, on the deal's date (as the crediting does).
            var asDeal = false
            var splitRow = row
            if anyChargeBack, let own = roster.assignmentIndex(of: rep, on: date), case let plan = Int(planOfRosterRow[own]), plan >= 0,
                let chains = chainsOfPlan[plan]?.chains, case .reaches(_, let root) = chains.reach(of: row)
            {
                rep = transactions.reps[root]
                date = transactions.dates[root]
                asDeal = true
                splitRow = root
            }
            let key: ExclusionKey
            if let assignment = roster.assignmentIndex(of: rep, on: date) {
                let plan = Int(planOfRosterRow[assignment])
                let kind: ExclusionKey.Kind
                if plan < 0 {
                    kind = .otherPlan
                } else if let chargeBack = chainsOfPlan[plan], chargeBack.windowDays != nil,
                    case let reach = chargeBack.chains.reach(of: row), reach == .pastWindow || reach == .reversesLeftOut
                {
                    kind = reach == .pastWindow ? .pastWindow : .reversesLeftOut
                } else if let effective = effectiveOfPlan[plan], !effective.contains(date) {
                    kind = .outsideEffective
                } else if readsSplitsOfPlan[plan] && data.splits.refused.contains(splitSources.source(of: splitRow)) {
                    kind = .splitsRejected
                } else if managersOnlyOfPlan[plan] && roster.rows[assignment].manager == nil {
                    kind = .noManager
                } else {
                    kind = .notCredited
                }
                key = ExclusionKey(kind: kind, assignment: Int32(assignment), asDeal: asDeal)
            } else if Int(rep) < roster.rowsByRep.count && roster.rowsByRep[Int(rep)].isEmpty {
                key = ExclusionKey(kind: .allRosterRowsRejected, assignment: -1, asDeal: asDeal)
            } else if roster.repsWithRejectedRows.contains(rep) {
                key = ExclusionKey(kind: .noAssignmentSomeRejected, assignment: -1, asDeal: asDeal)
            } else {
                key = ExclusionKey(kind: .noAssignment, assignment: -1, asDeal: asDeal)
            }
            let id: Int
            if let known = keyIDs[key] {
                id = known
            } else {
                id = keys.count
                keyIDs[key] = id
                keys.append(key)
                keyRows += repeatElement(0, count: currencyCount)
                keyUnits += repeatElement(0, count: currencyCount)
            }
            let slot = id * currencyCount + Int(transactions.currencyCodes[row])
            keyRows[slot] += 1
            keyUnits[slot] += Int128(transactions.amounts[row])
        }
        // By reason: keys whose texts are the same (two roster rows on one plan) are added up.
        var excludedSums: [String: [Int: (rows: Int, units: Int128)]] = [:]
        for (id, key) in keys.enumerated() {
            let reason = reasonText(key)
            for code in 0..<currencyCount where keyRows[id * currencyCount + code] > 0 {
                let sum = excludedSums[reason]?[code] ?? (0, 0)
                excludedSums[reason, default: [:]][code] = (sum.rows + keyRows[id * currencyCount + code], sum.units + keyUnits[id * currencyCount + code])
            }
        }
        let excluded = excludedSums.mapValues { $0.values.reduce(0) { $0 + $1.rows } }
        // Per currency: credited = accepted less excluded; then each exclusion; then rejected.
        var amounts: [ReconciliationAmount] = []
        for total in load.reconciliation.currencyTotals {
            let code = transactions.currencies.firstIndex(of: total.currency)
            var creditedRows = total.acceptedRows
            var creditedSum = total.acceptedAmount
            var lines: [ReconciliationAmount] = []
            for (reason, byCurrency) in excludedSums.sorted(by: { $0.key < $1.key }) {
                guard let code, let sum = byCurrency[code] else { continue }
                let amount = WideDecimal(value: sum.units, scale: FixedDecimal.scale)
                creditedRows -= sum.rows
                creditedSum = (try? creditedSum.subtracting(amount)) ?? creditedSum
                lines.append(ReconciliationAmount(currency: total.currency.code, outcome: .excluded, reason: reason, rows: sum.rows, amount: amount))
            }
            if total.acceptedRows > 0 {
                amounts.append(ReconciliationAmount(currency: total.currency.code, outcome: .credited, rows: creditedRows, amount: creditedSum))
            }
            amounts += lines
            if total.rejectedRows > 0 {
                amounts.append(ReconciliationAmount(currency: total.currency.code, outcome: .rejected, rows: total.rejectedRows, amount: total.rejectedAmount))
            }
        }
        if load.reconciliation.rejectedWithoutCurrency > 0 {
            amounts.append(ReconciliationAmount(currency: "", outcome: .rejected, rows: load.reconciliation.rejectedWithoutCurrency, amount: nil))
        }
        for row in data.roster.rows where !planIDs.contains(row.plan) {
            otherPlans[row.plan, default: []].insert(row.rep)
        }
        warnings += payeelessPlanWarnings(plans: plans, roster: data.roster)
        for (plan, reps) in otherPlans.sorted(by: { $0.key < $1.key }) {
            warnings.append("\(reps.count) payee\(reps.count == 1 ? "" : "s") on plan \(plan) left out (no plan file for it in this run)")
        }
        var reconciliation: [ReconciliationRecord] = []
        for file in load.reconciliation.files where file.present {
            let isLedger = file.file.hasSuffix("transactions.csv")
            reconciliation.append(
                ReconciliationRecord(
                    file: file.file, rowsRead: file.rowsRead, accepted: file.accepted, rejected: file.rejected,
                    excluded: isLedger ? excluded : [:], amounts: isLedger ? amounts : []))
        }
        return (reconciliation, warnings)
    }

    /// Refuses an export naming the results database, a plan file, a file of the data directory,
    /// or the other export: the run would be stored and then replaced by a CSV, or its inputs by
    /// its outputs.
    static func checkOutputs(_ request: RunRequest, planFiles: [String], libraryFiles: [String] = [], inputTables: [String] = []) throws(RunFailure) {
        let exports = [("--export-payouts", request.exportPayouts), ("--export-measures", request.exportMeasures)]
            .compactMap { option, path in path.map { (option: option, path: $0) } }
        guard !exports.isEmpty else { return }
        // SQLite's own files beside the database are part of it.
        var guarded = ResultStore.files(of: request.database).map { (what: $0.what, path: $0.path) }
        guarded += planFiles.map { ("a plan file", $0) }
        guarded += libraryFiles.map { ("a library a plan uses", $0) }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: request.data)) ?? []
        guarded += names.sorted().map { ("an input file", request.dataPrefix + $0) }
        // A data file's name not in use yet: an export there is read as that file by the next run
        // (a payouts file as splits.csv stopped it).
        guarded += ["transactions.csv", "roster.csv", "quotas.csv", "splits.csv", "fx.csv"].filter { !names.contains($0) }.map {
            ("the name of a data file, which the next run would read", request.dataPrefix + $0)
        }
        // Input tables may sit in a folder of the data directory.
        guarded += inputTables.map { ("an input table of a plan", $0) }
        for (index, export) in exports.enumerated() {
            // A directory or a loop of links is refused now, not once the run is stored.
            let resolved: OutputTarget
            do throws(StoreError) {
                resolved = try OutputTarget(export.path)
            } catch {
                throw .output("\(export.option) \(export.path): \(error.underlying)")
            }
            // A device or pipe (/dev/null for both) is written in place and replaces nothing.
            if resolved.inPlace { continue }
            // The directory must be there: a run is stored before its exports are put in place.
            let target = resolved.path
            let directory = FilePaths.directory(of: target)
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) || !isDirectory.boolValue {
                throw .output("\(export.option) \(export.path): \(FilePaths.missingDirectory(directory))")
            }
            if access(directory, W_OK) != 0 {
                throw .output("\(export.option) \(export.path): the directory \(directory) is not writable")
            }
            for other in guarded + exports[..<index].map({ ("the \($0.option) file", $0.path) }) where OutputTarget.sameFile(export.path, other.path) {
                throw .output("\(export.option) \(export.path) is \(other.what) (\(other.path)); give another file name")
            }
        }
    }

    /// The requested export files made from a stored run, written to temporary names as the run
    /// is read (a rep at a time: see ``ResultStore/export(_:of:write:)``). On a failure, removes
    /// the ones staged.
    static func exportFiles(
        from store: ResultStore, run id: RunID, payouts: String?, measures: String?
    ) -> Result<[StagedOutput]?, RunFailure> {
        var written: [StagedOutput] = []
        for (kind, path) in [(ExportKind.payouts, payouts), (.measures, measures)] {
            guard let path else { continue }
            do throws(StagedOutput.StreamFailure) {
                written.append(try StagedOutput.streamed(for: path) { write throws(StoreError) in try store.export(kind, of: id, write: write) })
            } catch {
                for file in written { file.discard() }
                switch error {
                case .writing(let failure): return .failure(.output(failure.description))
                case .producing(let failure): return .failure(.storage(failure.description))
                }
            }
        }
        return .success(written)
    }

    /// CPU time used by the process so far (all threads).
    static func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Plan files named directly, or the `*.plan` and `*.xml` files of named directories (sorted).
    static func planPaths(_ paths: [String]) throws(RunFailure) -> [String] {
        try planPathsFound(paths).paths
    }

    /// The plan files `paths` name (directories give their `.plan` and `.xml` files, sorted), each
    /// once, and which of them were found in a directory.
    static func planPathsFound(_ paths: [String]) throws(RunFailure) -> (paths: [String], found: Set<String>) {
        var files: [String] = []
        var found = Set<String>()
        var seen = Set<String>()
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw .input("\(path): no such plan file or directory")
            }
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                let prefix = path.hasSuffix("/") ? path : path + "/"
                for name in names.filter({ $0.hasSuffix(".plan") || $0.lowercased().hasSuffix(".xml") }).sorted() {
                    files.append(prefix + name)
                    found.insert(prefix + name)
                }
            } else {
                files.append(path)
            }
        }
        // A file named twice (`a.plan a.plan`, or a file and its directory) is one plan, once.
        files = files.filter { seen.insert(resolvedPlanPath($0)).inserted }
        return (files, found)
    }

    /// The file `path` names, `.`, `..` and links resolved: two names of one file are one plan.
    public static func resolvedPlanPath(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    static func timestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }
}

/// The summary's totals, gathered part by part: per plan, component and payout currency
/// (amounts in different currencies never add up), in first-seen order, and the payees and
/// periods seen. Lines cycle through a handful of totals and come grouped by rep and period, so a
/// short list and "changed since the last line" checks do.
struct SummaryTotals {
    /// Sums in micro-units, in 128 bits: the sum of lines that each fit 64 bits may not (a total
    /// past ±9.2 trillion had silently kept its last value).
    var totals: [(plan: String, component: String, currency: Currency, units: Int128)] = []
    /// By their bytes: two ids that print the same (a composed é and e with an accent) are two
    /// reps to the loader and the exports, and had been counted as one.
    var payees = Set<[UInt8]>()
    var periods = Set<String>()
    /// Where each (plan, component, currency) total is in `totals`.
    private struct TotalKey: Hashable {
        let plan: String
        let component: String
        let currency: Currency
    }
    private var positions: [TotalKey: Int] = [:]
    private var lastRep: String? = nil
    private var lastPeriod: String? = nil
    /// Plans whose statements are kept in ``statements`` (those reading input tables), and the
    /// (plan, rep, period) of each of their statements, with (plan, rep, "") for each payee.
    var tracked: Set<String> = []
    private(set) var statements = Set<StatementKey>()
    /// The periods of each tracked plan's statements.
    private(set) var trackedPeriods: [String: Set<String>] = [:]
    /// Text `let` values that a spreadsheet may take for a formula, by plan and `let`: how many,
    /// and the first (rep, period, text), in export order.
    private var formulaLike: [String: [String: (count: Int, rep: String, period: String, text: String)]] = [:]

    /// Notes the text measure values starting with `=`, `+`, `-` or `@` (read in place: most
    /// measures are numbers, and a copy of each cost retains).
    mutating func noteFormulaLikeTexts(_ measures: [MeasureValue]) {
        measures.withUnsafeBufferPointer { values in
            guard let base = values.baseAddress else { return }
            for index in 0..<values.count {
                let value = base + index
                guard let text = value.pointee.text, startsLikeFormula(text), value.pointee.unit == .text else { continue }
                let plan = value.pointee.plan, name = value.pointee.measure
                if let seen = formulaLike[plan]?[name] {
                    formulaLike[plan]?[name]?.count = seen.count + 1
                } else {
                    formulaLike[plan, default: [:]][name] = (1, value.pointee.rep, value.pointee.period, text)
                }
            }
        }
    }

    /// A warning per (plan, `let`) with formula-like texts, as rep ids starting so are warned of.
    var formulaLikeTextWarnings: [String] {
        formulaLike.keys.sorted().flatMap { plan in
            (formulaLike[plan] ?? [:]).sorted { $0.key < $1.key }.map { name, seen in
                let shown = TerminalText.safe(seen.text.count > 40 ? String(seen.text.prefix(40)) + "…" : seen.text)
                let more = seen.count > 1 ? " and \(seen.count - 1) more payee-period\(seen.count == 2 ? "" : "s")" : ""
                return "plan \(plan): let \(name) is the text \"\(shown)\" for rep \(TerminalText.safe(seen.rep)) in \(seen.period)\(more), "
                    + "starting with \"\(seen.text.prefix(1))\": a spreadsheet opening the measures export may run it as a formula; check the data it reads"
            }
        }
    }
    /// The last line's statement, with its rep as the line wrote it.
    private var lastStatement: (key: StatementKey, rep: String)? = nil

    /// A statement by its plan, rep (bytes) and period name.
    struct StatementKey: Hashable {
        let plan: String
        let rep: [UInt8]
        let period: String
    }

    /// Whether `plan` has a statement for `rep` in `period` (any period: `nil`), of a tracked plan.
    func hasStatement(plan: String, rep: String, period: String?) -> Bool {
        statements.contains(StatementKey(plan: plan, rep: Array(rep.utf8), period: period ?? ""))
    }

    mutating func add(_ lines: [PayoutLine]) {
        if !tracked.isEmpty {
            // Lines come grouped by statement: only a new one is looked at.
            for index in lines.indices {
                if let last = lastStatement, sameBytes(lines[index].period, last.key.period), sameBytes(lines[index].plan, last.key.plan),
                    sameBytes(lines[index].rep, last.rep)
                {
                    continue
                }
                let key = StatementKey(plan: lines[index].plan, rep: Array(lines[index].rep.utf8), period: lines[index].period)
                lastStatement = (key, lines[index].rep)
                guard tracked.contains(key.plan) else { continue }
                statements.insert(key)
                statements.insert(StatementKey(plan: key.plan, rep: key.rep, period: ""))
                trackedPeriods[key.plan, default: []].insert(key.period)
            }
        }
        // Lines are read in place (a copy of each cost retains), and a line's total is looked for
        // from the one after the last line's: lines cycle through a plan's components.
        var next = 0
        for index in lines.indices {
            if lastRep.map({ !sameBytes($0, lines[index].rep) }) ?? true {
                payees.insert(Array(lines[index].rep.utf8))
                lastRep = lines[index].rep
            }
            if lastPeriod.map({ !sameBytes($0, lines[index].period) }) ?? true {
                periods.insert(lines[index].period)
                lastPeriod = lines[index].period
            }
            // The total after the last line's first; otherwise by key (a scan of every total for
            // each new one was quadratic in a plan's components).
            var found: Int? = nil
            if next < totals.count, totals[next].component == lines[index].component, totals[next].plan == lines[index].plan,
                totals[next].currency == lines[index].currency
            {
                found = next
            } else {
                found = positions[TotalKey(plan: lines[index].plan, component: lines[index].component, currency: lines[index].currency)]
            }
            if let found {
                totals[found].units += Int128(lines[index].amount.units)
                next = found + 1
            } else {
                positions[TotalKey(plan: lines[index].plan, component: lines[index].component, currency: lines[index].currency)] =
                    totals.count
                totals.append((lines[index].plan, lines[index].component, lines[index].currency, Int128(lines[index].amount.units)))
                next = totals.count
            }
        }
    }
}

/// A flag one thread sets and others read (to stop background work).
final class StopFlag: @unchecked Sendable {
    // `set` is guarded by `lock`; reads take it too.
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }

    var isSet: Bool { lock.withLock { value } }
}

/// Input files hashed on a thread of their own in the idle scheduling class (`SCHED_IDLE`: it runs
/// only on a core nothing else wants), so that hashing fills the gaps a run leaves instead of taking
/// a core from it. ``takeOver()`` stops the thread and hands over where it got to, to be finished
/// at normal priority: on a busy machine the idle thread may get no time at all.
///
/// The thread publishes its progress after each block into one of two slots, alternately, and
/// checks the stop flag before writing a slot. With sequentially consistent atomics, once
/// ``takeOver()`` has set the flag and read the count of published snapshots, the thread writes at
/// most the other slot again: the slot read is never being written.
public final class IdleFingerprinter: @unchecked Sendable {
    private let initial: FingerprintProgress
    private let slots: UnsafeMutablePointer<FingerprintProgress>
    /// Snapshots published; the latest is in `slots[published & 1]`.
    private let published = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)

    /// Starts hashing `paths`, in order.
    public init(paths: [String]) {
        initial = FingerprintProgress(paths: paths)
        slots = UnsafeMutablePointer<FingerprintProgress>.allocate(capacity: 2)
        slots.initialize(repeating: initial, count: 2)
        guard !paths.isEmpty else { return }
        let start = initial
        let thread = Thread { [self] in work(from: start) }
        thread.stackSize = 1 << 20
        thread.start()
    }

    deinit {
        slots.deinitialize(count: 2)
        slots.deallocate()
    }

    private func work(from start: FingerprintProgress) {
        var parameters = sched_param()
        parameters.sched_priority = 0
        // SCHED_IDLE (5), for this thread only; where it is refused, the thread runs as it is.
        _ = sched_setscheduler(0, 5, &parameters)
        var progress = start
        while true {
            let more: Bool
            do {
                more = try progress.step()
            } catch {
                return  // whoever takes over meets the same file and reports it
            }
            if stopped.load(ordering: .sequentiallyConsistent) { return }
            let next = published.load(ordering: .relaxed) + 1  // only this thread publishes
            slots[next & 1] = progress
            published.store(next, ordering: .sequentiallyConsistent)
            if !more { return }
        }
    }

    /// Stops the thread (at its next block) and returns how far it got, to be finished by the
    /// caller. Call once.
    public func takeOver() -> FingerprintProgress {
        stopped.store(true, ordering: .sequentiallyConsistent)
        let count = published.load(ordering: .sequentiallyConsistent)
        return count > 0 ? slots[count & 1] : initial
    }

    /// Stops the thread (a run that failed no longer needs the fingerprints).
    public func stop() { stopped.store(true, ordering: .sequentiallyConsistent) }
}


/// Formats a run's export files on a serial queue of its own, part by part, as the run's
/// results arrive, and writes them to their temporary files as it goes (what is formatted is
/// written out every few megabytes), so that little is left to write when the run is stored.
final class ExportFormatter: @unchecked Sendable {
    // `export`, `writers`, `started` and `failure` are only touched by blocks on `queue`, which
    // runs them one at a time, in order.
    private let queue = DispatchQueue(label: "comp.export")
    private var export = IncrementalExport()
    private let paths: [String?]
    /// The payouts and measures files being staged (made at the first write; nil when not asked).
    private var writers: [StagedOutput.Writer?] = []
    private var started = false
    private var failure: StoreError? = nil
    /// Bytes written out so far (tests: ``queueWrittenBytes()``).
    private var writtenBytes = 0
    /// Formatted bytes are written out once this many are held.
    private let flushBytes: Int

    /// A run of several plans: each plan's parts are formatted on their own, in order, spooled to
    /// temporary files with where each payee-period starts, and merged into the export files at
    /// the end (the plans come one after the other, their payees interleaved in export order:
    /// such runs had read the whole run back from the database to export it).
    private let merging: Bool
    private var planStreams: [(plan: String, export: IncrementalExport, spools: [Spool?])] = []
    private var mergeBroken = false

    init(payouts: String?, measures: String?, flushBytes: Int = 4 << 20, merging: Bool = false) {
        paths = [payouts, measures]
        self.flushBytes = flushBytes
        self.merging = merging
    }

    func add(_ part: RunOutput) {
        queue.async {
            if self.merging { return self.addToPlanStream(part) }
            self.export.append(part)
            if self.export.bufferedBytes >= self.flushBytes { self.flush() }
        }
    }

    /// (On `queue`.) Formats `part` into its plan's stream; a part of several plans, or a plan's
    /// parts out of order, leave the merge (the files are then made from the stored run).
    private func addToPlanStream(_ part: RunOutput) {
        guard !mergeBroken, failure == nil else { return }
        guard let plan = part.payouts.first?.plan ?? part.measures.first?.plan else { return }
        if part.payouts.contains(where: { $0.plan != plan }) || part.measures.contains(where: { $0.plan != plan }) {
            return abandonMerge()
        }
        var index = planStreams.firstIndex { $0.plan == plan }
        if index == nil {
            var spools: [Spool?] = []
            for path in paths {
                guard path != nil else {
                    spools.append(nil)
                    continue
                }
                // No temporary file (no room, no directory): the files are made from the stored
                // run, as without the merge.
                guard let spool = Spool() else { return abandonMerge() }
                spools.append(spool)
            }
            planStreams.append((plan, IncrementalExport(tracksBlocks: true), spools))
            index = planStreams.count - 1
        }
        guard let index else { return }
        planStreams[index].export.append(part)
        guard planStreams[index].export.isInOrder else { return abandonMerge() }
        if planStreams[index].export.bufferedBytes >= flushBytes { flushPlanStream(index) }
    }

    private func abandonMerge() {
        mergeBroken = true
        planStreams = []
    }

    /// (On `queue`.) Writes what plan stream `index` has formatted to its spools.
    private func flushPlanStream(_ index: Int) {
        guard failure == nil, let pieces = planStreams[index].export.drain() else { return }
        for (spool, bytes) in zip(planStreams[index].spools, [pieces.payouts, pieces.measures]) {
            guard let spool else { continue }
            if !spool.write(bytes) { return abandonMerge() }
        }
    }

    /// (On `queue`.) The export files merged from the plan streams; `nil` when the merge was left.
    private func finishMerge() -> Result<[StagedOutput]?, RunFailure> {
        guard !mergeBroken else { return .success(nil) }
        for index in planStreams.indices { flushPlanStream(index) }
        if let failure { return .failure(.output(failure.description)) }
        var staged: [StagedOutput] = []
        for (slot, path) in paths.enumerated() {
            guard let path else { continue }
            let streams = planStreams.compactMap { stream -> ExportMerge.Stream? in
                guard let spool = stream.spools[slot] else { return nil }
                return ExportMerge.Stream(plan: stream.plan, blocks: slot == 0 ? stream.export.payoutBlocks : stream.export.measureBlocks, spool: spool)
            }
            do throws(StoreError) {
                let writer = try StagedOutput.Writer(for: path)
                let merged: Bool
                do throws(StoreError) {
                    merged = try ExportMerge.merge(streams, kind: slot == 0 ? .payouts : .measures) { bytes throws(StoreError) in try writer.write(bytes) }
                } catch {
                    writer.discard()
                    throw error
                }
                guard merged else {
                    // A spool could not be read back: the files are made from the stored run.
                    writer.discard()
                    for file in staged { file.discard() }
                    planStreams = []
                    return .success(nil)
                }
                staged.append(try writer.finish())
            } catch {
                for file in staged { file.discard() }
                planStreams = []
                return .failure(.output(error.description))
            }
        }
        planStreams = []
        return .success(staged)
    }

    /// Writes what is formatted to the staged files (on `queue`). Parts out of export order are
    /// not written: the files are then made from the stored run.
    private func flush() {
        guard failure == nil, let pieces = export.drain() else { return }
        do throws(StoreError) {
            if !started {
                started = true
                for path in paths { writers.append(try path.map { path throws(StoreError) in try StagedOutput.Writer(for: path) }) }
            }
            try writers[0]?.write(pieces.payouts)
            try writers[1]?.write(pieces.measures)
            writtenBytes += (writers[0] == nil ? 0 : pieces.payouts.count) + (writers[1] == nil ? 0 : pieces.measures.count)
        } catch {
            failure = error
            discardWriters()
        }
    }

    private func discardWriters() {
        for writer in writers { writer?.discard() }
        writers = []
    }

    /// Waits for the parts added so far, writes the rest and stages the files; `nil` when the
    /// parts were not in export order (nothing is staged then).
    func finish() throws(RunFailure) -> [StagedOutput]? {
        let result = queue.sync { () -> Result<[StagedOutput]?, RunFailure> in
            if merging { return finishMerge() }
            guard export.isInOrder else {
                discardWriters()
                return .success(nil)
            }
            flush()
            if let failure { return .failure(.output(failure.description)) }
            var staged: [StagedOutput] = []
            for writer in writers {
                guard let writer else { continue }
                do throws(StoreError) {
                    staged.append(try writer.finish())
                } catch {
                    for file in staged { file.discard() }
                    discardWriters()
                    return .failure(.output(error.description))
                }
            }
            return .success(staged)
        }
        return try result.get()
    }

    /// Waits until the parts added so far are formatted (and written, when past the threshold).
    func waitForParts() {
        queue.sync {}
    }

    /// ``writtenBytes``, read on the queue (tests).
    func queueWrittenBytes() -> Int {
        queue.sync { writtenBytes }
    }

    /// Removes the files staged so far (the run failed).
    func discard() {
        queue.sync {
            discardWriters()
            planStreams = []
        }
    }
}


/// A value computed on a global Dispatch queue while the caller does something else.
final class Background<Value: Sendable>: @unchecked Sendable {
    // `outcome` is written once by the worker before `done` is signalled, and read only after
    // waiting on it: the semaphore orders the two accesses.
    private var outcome: Result<Value, RunFailure>?
    private let done = DispatchSemaphore(value: 0)

    /// Starts `work` on a thread of its own. Not on a Dispatch queue: while the evaluation's
    /// shards hold every worker thread of the global queues, a block put there waited for them to
    /// finish (hashing that should have gone alongside the evaluation ran after it).
    init(_ work: @escaping @Sendable () throws(RunFailure) -> Value) {
        let thread = Thread {
            do throws(RunFailure) {
                self.outcome = .success(try work())
            } catch {
                self.outcome = .failure(error)
            }
            self.done.signal()
        }
        thread.start()
    }

    /// Waits for the value (or its failure).
    var result: Result<Value, RunFailure> {
        done.wait()
        done.signal()  // later calls return at once
        return outcome ?? .failure(.input("background work did not finish"))
    }

    func value() throws(RunFailure) -> Value { try result.get() }
}

/// Plans checked as a run takes them (``Runner/checkPlans(_:overrides:)``).
public struct CheckedPlans: Sendable {
    /// The plan files, directories expanded, in order.
    public let files: [String]
    /// The plans that checked, in file order.
    public var plans: [Plan] = []
    /// The files defining each plan id (more than one is an error of the run).
    public var pathsByID: [String: [String]] = [:]
    /// Library files the plans use (`use "lib.plan"`).
    public var libraries: [String] = []
    /// Every diagnostic of the files with errors, rendered; empty when every file checked.
    public var rendered = ""
    /// The warnings of the files without errors, rendered (empty when they have none).
    public var warnings = ""
    /// Errors in all, and the files that have them.
    public var errorCount = 0
    public var failedFiles = 0

    init(files: [String]) { self.files = files }
}

/// The plans reading one input table's column (``Runner/inputReaders(of:)``).
public struct InputReaders: Sendable {
    /// Each plan with its period length.
    public var periods: [(plan: String, period: PeriodKind)] = []
    /// The first plan reading it as a count, with its declaration.
    public var count: (plan: String, declaration: String)? = nil
}

/// Counts the payees of a plan whose lines a run has taken, and says each new percent of them to
/// a progress display (``RunRequest/detail``); does nothing without one.
struct EvaluatedPayees {
    let plan: String
    let total: Int
    let detail: (@Sendable (String) -> Void)?
    private(set) var done = 0
    private var shownPercent = -1

    init(plan: Plan, roster: RosterTable, detail: (@Sendable (String) -> Void)?) {
        self.plan = plan.id
        self.detail = detail
        // The payees the engine evaluates: the reps the roster puts on the plan.
        total = detail == nil ? 0 : Set(roster.rows.lazy.filter { $0.plan == plan.id }.map(\.rep)).count
    }

    mutating func add(_ part: RunOutput) {
        guard let detail, total > 0 else { return }
        var previous: String? = nil
        for line in part.payouts where line.rep != previous {
            done += 1
            previous = line.rep
        }
        let percent = min(100, done * 100 / total)
        guard percent != shownPercent else { return }
        shownPercent = percent
        detail("\(plan): evaluating payees \(percent)% (\(grouped(min(done, total))) of \(grouped(total)))")
    }
}

/// Calls `tick` every `interval` seconds on a thread of its own until ``stop()``, which returns
/// once the thread has ended (at once: it waits on a semaphore, not in a sleep), so nothing is
/// said after it.
final class ProgressTicker: Sendable {
    private let stopped = DispatchSemaphore(value: 0)
    private let ended = DispatchSemaphore(value: 0)

    init(every interval: Double, tick: @escaping @Sendable () -> Void) {
        let (stopped, ended) = (self.stopped, self.ended)
        let thread = Thread {
            while stopped.wait(timeout: .now() + interval) == .timedOut { tick() }
            ended.signal()
        }
        thread.start()
    }

    func stop() {
        stopped.signal()
        ended.wait()
    }
}
