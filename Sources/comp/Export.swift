import ArgumentParser
import CompCore
import RunResults
import Store

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export payouts or measures of a run as CSV (the columns are in docs/guide.md, \"comp export\").",
        discussion: """
            payouts:  rep,period,plan,component,amount,currency
            measures: rep,period,plan,measure,value
            Sorted by rep (byte order), period, then the plan's declaration order. Exports the latest \
            completed run unless --run names another.
            """)

    @Argument(help: "What to export: payouts or measures.")
    var what: ExportKind

    @Option(name: .long, help: "The results database.")
    var db: String

    @Option(name: .long, help: "Output file ('-' for standard output).")
    var out: String

    // Taken whatever it looks like, so that `--run -1` is said to be no run id, not a missing value.
    @Option(name: .customLong("run"), parsing: .unconditional, help: "Run id (default: the latest completed run).")
    var runID: Int64?

    func validate() throws {
        try refuseEmptyPaths([("--db", db), ("--out", out)])
        try refuseImpossibleRunID(runID)
    }

    func run() throws {
        try exportRun(what, db: db, out: out, runID: runID)
    }
}

/// What `comp export` takes as its argument (the store's own kinds of export).
extension ExportKind: ExpressibleByArgument {}

/// Exports payouts or measures of a run (the latest completed one when `runID` is nil).
func exportRun(_ kind: ExportKind, db: String, out: String, runID: Int64?) throws {
    let store: ResultStore
    do {
        store = try ResultStore(existing: db)
    } catch {
        printError("comp export: \(error)")
        throw Exit.dataError
    }
    let id: RunID
    do {
        if let runID {
            id = RunID(rawValue: runID)
            guard let status = try store.status(of: id) else {
                printError("comp export: \(terminalSafe(db)) has no run \(runID)")
                throw Exit.dataError
            }
            guard status == "completed" else {
                printError("comp export: run \(runID) of \(terminalSafe(db)) did not complete (\(status)): its results are not whole; give a completed run")
                throw Exit.dataError
            }
        } else {
            guard let latest = try store.latestCompletedRun() else {
                printError("comp export: \(terminalSafe(db)) has no completed run yet; run `comp run` first")
                throw Exit.dataError
            }
            id = latest
        }
        // The database, or a file SQLite keeps beside it: a CSV written as its journal had been
        // taken for an unfinished run's and deleted by the next command.
        let inputs = ResultStore.files(of: db).map { file in (what: file.kind == .database ? "an input of this command" : file.what, path: file.path) }
        try writeOutput(to: out, guarding: inputs) { write throws(StoreError) in try store.export(kind, of: id, write: write) }
    } catch let error as StoreError {
        printError("comp export: \(error)")
        throw error.damaged ? Exit.dataError : Exit.software
    }
}

/// Writes what `produce` hands its `write` function, piece by piece, to `path` (or standard output
/// for `-`), replacing the file atomically once it is whole, as ``writeOutput(_:to:inputs:)``
/// does: an export of any size is never held whole in memory. `inputs` (each with what it is)
/// are refused as the output. An error of `produce` other than
/// one `write` threw (reading the database) is rethrown as it is, and nothing is written.
func writeOutput(
    to path: String, guarding inputs: [(what: String, path: String)],
    produce: (_ write: ([UInt8]) throws(StoreError) -> Void) throws(StoreError) -> Void
) throws {
    if path == "-" {
        // Standard output gets the whole text or nothing: a failure halfway leaves no half file.
        var bytes: [UInt8] = []
        try produce { bytes.append(contentsOf: $0) }
        try writeOutput(String(decoding: bytes, as: UTF8.self), to: path)
        return
    }
    if let input = inputs.first(where: { OutputTarget.sameFile(path, $0.path) }) {
        printError("cannot write \(terminalSafe(path)): it is \(terminalSafe(input.path)), \(input.what); give another file name")
        throw Exit.cannotCreate
    }
    let staged: StagedOutput
    do throws(StagedOutput.StreamFailure) {
        staged = try StagedOutput.streamed(for: path, produce: produce)
    } catch {
        switch error {
        case .producing(let failure): throw failure  // reading failed: the caller says so
        case .writing(let failure):
            printError(cannotWrite(path, failure.underlying))
            throw Exit.cannotCreate
        }
    }
    do {
        try staged.commit()
    } catch {
        printError(cannotWrite(path, error.underlying))
        throw Exit.cannotCreate
    }
}

/// Why `path` cannot be written, with what to do when the cause is its directory: missing
/// ("make it first", as `comp run --export-payouts` says) or not writable; otherwise the system's
/// reason.
func cannotWrite(_ path: String, _ underlying: String) -> String {
    let directory = FilePaths.directory(of: path)
    var info = stat()
    if stat(directory, &info) != 0 || (info.st_mode & S_IFMT) != S_IFDIR {
        return "cannot write \(terminalSafe(path)): \(FilePaths.missingDirectory(directory))"
    }
    if access(directory, W_OK) != 0 {
        return "cannot write \(terminalSafe(path)): the directory \(terminalSafe(directory)) is not writable; choose another place"
    }
    return "cannot write \(terminalSafe(path)): \(underlying)"
}

/// Writes `text` to `path` (or standard output for `-`), replacing the file atomically (a device
/// or pipe is written in place, and a link's target is replaced: see ``OutputTarget``).
///
/// `inputs` are the files the output is made from: naming one of them as the output is refused
/// (`comp export --db r.sqlite --out r.sqlite` had replaced every stored run with a CSV).
func writeOutput(_ text: String, to path: String, inputs: [String] = []) throws {
    if path == "-" {
        writeStandardOutput(text)
        // A full disk or a closed pipe must not pass for success.
        if fflush(stdout) != 0 || ferror(stdout) != 0 {
            printError("cannot write to standard output: \(String(cString: strerror(errno)))")
            clearerr(stdout)  // said here: not again at exit
            throw Exit.cannotCreate
        }
        return
    }
    if let input = inputs.first(where: { OutputTarget.sameFile(path, $0) }) {
        printError("cannot write \(terminalSafe(path)): it is \(terminalSafe(input)), an input of this command; give another file name")
        throw Exit.cannotCreate
    }
    do {
        try StagedOutput(Array(text.utf8), for: path).commit()
    } catch {
        printError(cannotWrite(path, error.underlying))
        throw Exit.cannotCreate
    }
}
