import CompCore
import CompDiagnostics
import Dispatch

/// Loads and validates a data directory (`FORMATS.md`): every row is accepted or rejected with a
/// reason, every problem is reported as `file:line:field: message`, and the counts reconcile.
///
/// Bad bytes never crash the loader: the CSV reader has field-count and field-size limits, ids
/// have a length limit, and text must be UTF-8.
public enum LedgerLoader {
    /// Loads the standard files of `directory`.
    /// Why `path` cannot be a data directory (it does not exist, or is a file), in words for
    /// `--data`; nil for a directory. A missing directory had been five "file not found" errors,
    /// one per data file, and a reconciliation of zeros.
    public static func directoryProblem(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return errno == ENOENT_CODE ? "no such directory" : "cannot read it: \(systemErrorMessage(errno))"
        }
        if (info.st_mode & S_IFMT) == S_IFDIR { return nil }
        return "not a directory; give the directory that holds transactions.csv, roster.csv and quotas.csv"
    }

    public static func load(directory: String, options: LedgerLoadOptions = LedgerLoadOptions()) -> LedgerLoad {
        load(files: LedgerFiles(directory: directory), options: options)
    }

    /// Loads the given files.
    public static func load(files: LedgerFiles, options: LedgerLoadOptions = LedgerLoadOptions()) -> LedgerLoad {
        var perFile: [String: [RowError]] = [:]
        // Problems past those kept in memory, counted only (see `storedDiagnosticLimit`).
        var droppedErrors = 0
        var droppedWarnings = 0
        var timer = PhaseTimer()
        var timings: [PhaseTiming] = []
        var reconciliation: [String: FileReconciliation] = [:]
        // Files that cannot be read row by row (unreadable, or a header in error): leaving out
        // their rows would leave out the whole file.
        var unusable: Set<String> = []
        var fileProblems: [Diagnostic] = []

        // Every file opened, to check at the end that none changed while it was read.
        var opened: [MappedFile] = []
        func open(_ path: String, required: Bool) -> MappedFile? {
            do {
                let file = try MappedFile(path: path)
                opened.append(file)
                return file
            } catch {
                let reason: String
                if case .cannotOpen(_, let code) = error, code == ENOENT_CODE, let target = danglingLinkTarget(path) {
                    // A link whose file is gone, also for an optional file: it was meant to be read.
                    reason = "a symbolic link to \(TerminalText.safe(target)), which is not found; link an existing file, or remove the link"
                } else if case .cannotOpen(_, let code) = error, code == ENOENT_CODE {
                    if !required { return nil }
                    reason = "file not found; a data directory needs transactions.csv, roster.csv and quotas.csv (splits.csv and fx.csv are optional)"
                        + (subdirectoryHolding(path).map { "; \(TerminalText.safe($0)) has one: is --data \(TerminalText.safe($0)) meant?" } ?? "")
                } else {
                    reason = "cannot read the file: \(error.reason)"
                }
                let problem = RowError(line: 0, field: 0, DataMessage.fileMissing(reason))
                perFile[path, default: []].append(problem)
                unusable.insert(path)
                fileProblems.append(problem.diagnostic(file: path))
                return nil
            }
        }

        func header(_ file: MappedFile, _ path: String, _ required: [String], optional: [String] = []) -> CSVHeader? {
            var errors: [RowError] = []
            let result = readHeader(file, display: path, required: required, optional: optional, limits: options.limits, errors: &errors)
            // A column a plan reads (not optional) must be there.
            let declaredIn: DeclaredColumn.File? = path == files.transactions ? .transactions : path == files.roster ? .roster : nil
            if let result, let declaredIn {
                for column in options.declaredColumns where column.file == declaredIn && !column.optional && result.field(column.name) == nil {
                    errors.append(
                        RowError(
                            line: max(1, result.bodyLine - 1), field: 1,
                            DataMessage.declaredColumnMissing(column.name, by: column.declaredBy, column.declaration)))
                }
            }
            perFile[path, default: []].append(contentsOf: errors)
            if result == nil || errors.contains(where: { $0.severity == .error }) {
                unusable.insert(path)
                fileProblems += errors.filter { $0.severity == .error }.map { $0.diagnostic(file: path) }
            }
            return result
        }

        func record(_ path: String, present: Bool, read: Int, rejected: Int) {
            reconciliation[path] = FileReconciliation(file: path, present: present, rowsRead: read, accepted: read - rejected, rejected: rejected)
        }

        // fx.csv first: the transaction scan checks every (currency, month) against it.
        var fx = FXTable(base: options.baseCurrency, rates: [], index: [:])
        if let file = open(files.fx, required: false) {
            if let head = header(file, files.fx, ["currency", "period", "rate"]) {
                var errors: [RowError] = []
                let outcome = loadFX(file, header: head, options: options, errors: &errors)
                perFile[files.fx, default: []].append(contentsOf: errors)
                fx = outcome.table
                record(files.fx, present: true, read: outcome.rowsRead, rejected: outcome.rejected)
            } else {
                record(files.fx, present: true, read: 0, rejected: 0)
            }
        } else {
            record(files.fx, present: perFile[files.fx] != nil, read: 0, rejected: 0)
        }

        timer.mark("fx.csv")
        // roster.csv: the reps everything else refers to.
        var roster = RosterTable(repIDs: [], rows: [], attributeNames: [], rowsByRep: [], lookup: ByteStringTable(), caseFolds: CaseFoldIndex())
        var rosterReadable = false
        if let file = open(files.roster, required: true), let head = header(file, files.roster, ["rep", "name", "plan", "start"], optional: ["manager", "end", "currency", "target_incentive"]) {
            var errors: [RowError] = []
            let outcome = loadRoster(file, header: head, options: options, errors: &errors)
            perFile[files.roster, default: []].append(contentsOf: errors)
            roster = outcome.table
            rosterReadable = true
            record(files.roster, present: true, read: outcome.rowsRead, rejected: outcome.rejected)
        } else {
            record(files.roster, present: true, read: 0, rejected: 0)
        }

        timer.mark("roster.csv")
        timings += timer.timings
        // quotas.csv needs only the roster: it is read on a queue of its own while the transactions
        // are, filling the cores the scan's serial steps leave idle.
        let quotaFile = open(files.quotas, required: true)
        let quotaHeader = quotaFile.flatMap { header($0, files.quotas, ["rep", "period", "amount"], optional: ["measure"]) }
        let quotaLoad = QuotaLoad()
        /// A file whose rows name reps is not checked without the roster: every row had been "not on
        /// the roster", thousands of errors burying the one to correct.
        func notChecked(_ path: String, because unread: String = "roster.csv") {
            perFile[path, default: []].append(
                RowError(line: 0, field: 0, ("data.notChecked", "not checked, because \(unread) could not be read"), severity: .warning))
        }
        if quotaHeader != nil && !rosterReadable {
            notChecked(files.quotas)
        } else if let quotaFile, let quotaHeader {
            let rosterForQuotas = roster
            quotaLoad.start { [options] in
                var errors: [RowError] = []
                let outcome = loadQuotas(quotaFile, header: quotaHeader, roster: rosterForQuotas, options: options, errors: &errors)
                return (outcome.table, outcome.rowsRead, outcome.rejected, errors)
            }
        }
        // transactions.csv.
        var transactions = TransactionTable.empty
        var index = TransactionIDIndex(ids: transactions.ids, count: 0, sorted: true)
        var totals = CurrencyAccumulator()
        var rejectedTransactions = RejectedIDs()
        // Problems of the scan past those kept (dropped with the rows if the file changed).
        var transactionsDropped = (errors: 0, warnings: 0)
        var transactionsOverran = false
        var transactionsReadable = false
        if let file = open(files.transactions, required: true),
            let head = header(file, files.transactions, ["id", "date", "rep", "amount", "currency"], optional: ["product", "kind", "quantity", "region", "reverses"])
        {
            if rosterReadable {
                let outcome = loadTransactions(
                    file: file, display: files.transactions, header: head, reps: roster.lookup, lookalikes: roster.lookalikes,
                    fx: FXAvailability(fx, unknown: unusable.contains(files.fx)),
                    options: options)
                perFile[files.transactions, default: []].append(contentsOf: outcome.errors)
                droppedErrors += outcome.droppedErrors
                droppedWarnings += outcome.droppedWarnings
                transactionsDropped = (outcome.droppedErrors, outcome.droppedWarnings)
                transactionsOverran = outcome.overran
                transactions = outcome.table
                timings += outcome.timings
                index = outcome.index
                totals = outcome.totals
                rejectedTransactions = outcome.rejectedIDs
                transactionsReadable = true
                record(files.transactions, present: true, read: outcome.rowsRead, rejected: outcome.rejected)
            } else {
                notChecked(files.transactions)
                record(files.transactions, present: true, read: 0, rejected: 0)
            }
        } else {
            record(files.transactions, present: true, read: 0, rejected: 0)
        }

        timer = PhaseTimer()
        // quotas.csv (read alongside the transactions).
        var quotas = QuotaTable()
        if let outcome = quotaLoad.wait() {
            perFile[files.quotas, default: []].append(contentsOf: outcome.errors)
            quotas = outcome.table
            record(files.quotas, present: true, read: outcome.rowsRead, rejected: outcome.rejected)
        } else {
            record(files.quotas, present: true, read: 0, rejected: 0)
        }

        // splits.csv (optional).
        var splits = SplitTable(rows: [], byTransaction: [:])
        if let file = open(files.splits, required: false) {
            if !rosterReadable || !transactionsReadable {
                // Every row would name an unknown rep or transaction.
                notChecked(files.splits, because: rosterReadable ? "transactions.csv" : "roster.csv")
                record(files.splits, present: true, read: 0, rejected: 0)
            } else if let head = header(file, files.splits, ["txn", "rep", "share"]) {
                var errors: [RowError] = []
                let outcome = loadSplits(
                    file, header: head, roster: roster, transactions: index, options: options,
                    rejectedTransactions: rejectedTransactions, errors: &errors)
                // A partner off the roster on the deal's date is credited nothing: its share of the
                // credit goes to no one, while the row counts as credited (said, not refused: the
                // file may be right, the roster not).
                let repField = (head.field("rep") ?? 0) + 1
                // Not while roster rows are rejected: a rep's rejected row may be the one that
                // covered the date (its error says what to correct).
                let rosterRejected = (perFile[files.roster] ?? []).contains { $0.severity == .error }
                for row in outcome.table.rows where !rosterRejected && Int(row.transaction) < transactions.count {
                    let date = transactions.dates[Int(row.transaction)]
                    guard roster.assignmentIndex(of: row.rep, on: date) == nil else { continue }
                    errors.append(
                        RowError(
                            line: row.line, field: repField,
                            DataMessage.splitPartnerOffRoster(roster.repIDs[Int(row.rep)], transactions.ids[Int(row.transaction)], date.description),
                            severity: .warning))
                }
                perFile[files.splits, default: []].append(contentsOf: errors)
                splits = outcome.table
                record(files.splits, present: true, read: outcome.rowsRead, rejected: outcome.rejected)
            } else {
                record(files.splits, present: true, read: 0, rejected: 0)
            }
        } else {
            record(files.splits, present: perFile[files.splits] != nil, read: 0, rejected: 0)
        }

        timer.mark("quotas.csv and splits.csv")
        timings += timer.timings
        // A file another program truncated or rewrote while it was read (its rows past a new end
        // read as zeros, not a crash) is refused as a whole: what was read of it is not the file,
        // so its row problems and counts are dropped with it.
        var stamps: [String: FileStamp] = [:]
        for file in opened {
            stamps[file.path] = file.stamp
            guard let readProblem = file.readProblem ?? (file.path == files.transactions && transactionsOverran ? .changed : nil) else {
                continue
            }
            let problem = RowError(line: 0, field: 0, DataMessage.changedWhileRead(readProblem))
            perFile[file.path] = [problem]
            if file.path == files.transactions {
                droppedErrors -= transactionsDropped.errors
                droppedWarnings -= transactionsDropped.warnings
                totals = CurrencyAccumulator()
            }
            if let read = reconciliation[file.path], read.present { record(file.path, present: true, read: 0, rejected: 0) }
            unusable.insert(file.path)
            fileProblems.append(problem.diagnostic(file: file.path))
        }
        // Diagnostics in a stable order: problems with a whole file first (a missing or unreadable
        // fx.csv explains thousands of rows without a rate), then row problems by file as
        // FORMATS.md lists them, line and field, and last the rows another row's error refused (a
        // rejected fx row leaves every transaction of its month without a rate).
        let order = [files.transactions, files.roster, files.quotas, files.splits, files.fx]
        var ordered: [(path: String, error: RowError)] = []
        var errorCount = droppedErrors
        var warningCount = droppedWarnings
        /// 0: the whole file, 1: a row, 2: a row refused for another row's error.
        func rank(_ error: RowError) -> Int { error.line == 0 ? 0 : error.followOn ? 2 : 1 }
        for group in 0..<3 {
            for path in order {
                guard let errors = perFile[path] else { continue }
                let sorted = errors.enumerated().filter { rank($0.element) == group }
                    .sorted { ($0.element.line, $0.element.field, $0.offset) < ($1.element.line, $1.element.field, $1.offset) }
                for (_, error) in sorted {
                    if error.severity == .error { errorCount += 1 } else { warningCount += 1 }
                    ordered.append((path, error))
                }
            }
        }
        // Only so many are kept: errors first, then warnings, each in that order (warnings kept
        // first had left out the error that refuses the data); kept ones stay in that order.
        let errorPositions = ordered.indices.filter { ordered[$0].error.severity == .error }
        let warningPositions = ordered.indices.filter { ordered[$0].error.severity != .error }
        let kept = (errorPositions.prefix(options.storedDiagnosticLimit)
            + warningPositions.prefix(max(0, options.storedDiagnosticLimit - errorPositions.count))).sorted()
        let diagnostics = kept.map { ordered[$0].error.diagnostic(file: ordered[$0].path) }
        let data = LedgerData(transactions: transactions, roster: roster, quotas: quotas, splits: splits, fx: fx)
        let summary = Reconciliation(
            files: order.compactMap { reconciliation[$0] }, currencyTotals: totals.totals,
            rejectedWithoutCurrency: totals.rejectedWithoutCurrency)
        return LedgerLoad(
            timings: timings, data: data, diagnostics: diagnostics, errorCount: errorCount, warningCount: warningCount, reconciliation: summary,
            unusableFiles: order.filter(unusable.contains),
            fileProblems: fileProblems.sorted { (order.firstIndex(of: $0.location.file) ?? 0) < (order.firstIndex(of: $1.location.file) ?? 0) },
            stamps: stamps)
    }
}

#if canImport(Glibc)
    @preconcurrency import Glibc
    let ENOENT_CODE = ENOENT
#elseif canImport(Darwin)
    import Darwin
    let ENOENT_CODE = ENOENT
#endif

/// Where `path` points when it is a symbolic link (whose target is then missing, as the caller
/// found); `nil` when it is no link.
func danglingLinkTarget(_ path: String) -> String? {
    var info = stat()
    guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK else { return nil }
    var buffer = [CChar](repeating: 0, count: 4097)
    let count = readlink(path, &buffer, 4096)
    guard count >= 0 else { return "" }
    return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// A directory right inside the one holding `path` that has a file of `path`'s name (the first
/// by name, among at most 200 entries): `demo/data` for `--data demo`.
func subdirectoryHolding(_ path: String) -> String? {
    guard let slash = path.lastIndex(of: "/"), let directory = opendir(FilePaths.directory(of: path)) else { return nil }
    var entries: [String] = []
    while let entry = readdir(directory) {
        var name = entry.pointee.d_name
        entries.append(withUnsafeBytes(of: &name) { bytes in String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self) })
        if entries.count > 200 { break }
    }
    closedir(directory)
    guard entries.count <= 200 else { return nil }
    let name = path[path.index(after: slash)...]
    let prefix = path[..<slash]
    for entry in entries.sorted() where !entry.hasPrefix(".") {
        let candidate = prefix + "/" + entry
        if FilePaths.isRegularFile(candidate + "/" + name) { return String(candidate) }
    }
    return nil
}

extension TransactionTable {
    /// A table with no rows.
    static var empty: TransactionTable {
        TransactionTable(
            count: 0, ids: TransactionIDs(arenas: [], arenaRowStarts: [], ends: Column([])),
            lineMap: LineMap(rows: [], deltas: []), dates: Column([]), reps: Column([]), amounts: Column([]),
            currencyCodes: Column([]), currencies: ISOCurrencies.list, quantities: Column([]),
            reversals: ReversalList(rows: [], targets: []), attributes: [])
    }
}

/// quotas.csv read on a serial queue of its own (it gets a thread even while the transaction
/// scan holds the shared workers).
private final class QuotaLoad: @unchecked Sendable {
    typealias Outcome = (table: QuotaTable, rowsRead: Int, rejected: Int, errors: [RowError])
    // `outcome` is written once on the queue before `done` is signalled, and read only after
    // waiting on it.
    private var outcome: Outcome? = nil
    private var started = false
    private let done = DispatchSemaphore(value: 0)
    private let queue = DispatchQueue(label: "comp.ledger.quotas")

    func start(_ work: @escaping @Sendable () -> Outcome) {
        started = true
        queue.async {
            self.outcome = work()
            self.done.signal()
        }
    }

    /// The outcome, once read; nil when it was never started.
    func wait() -> Outcome? {
        guard started else { return nil }
        done.wait()
        return outcome
    }
}
