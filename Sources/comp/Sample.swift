import ArgumentParser
import CompCore
import Foundation
import SampleData
import Store

struct Sample: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a realistic, deterministic sample data set (the files of docs/formats.md).",
        discussion: """
            Writes transactions.csv, roster.csv, quotas.csv and fx.csv: AE reps on plan AE-STD under \
            managers and VPs on plan MGR-OVR, several currencies with monthly fx, products including WIDGET-X, kinds \
            new/upsell/renewal, about 1% reversals, monthly quotas and target incentives. The same \
            arguments always give byte-identical files, whatever --threads is.
            """)

    // Numbers are taken whatever they look like: `-1` is said to be out of range (or no number), not
    // a missing value.
    @Option(name: .long, parsing: .unconditional, help: "Number of AE reps.")
    var reps: Int = 1_000

    @Option(name: .long, parsing: .unconditional, help: "Number of transactions.")
    var txns: Int = 100_000

    @Option(name: .long, parsing: .unconditional, help: "Random seed: a whole number from 0 (the same seed writes the same data).")
    var seed: UInt64 = 1

    @Option(name: .long, parsing: .unconditional, help: "Calendar year of the transactions.")
    var year: Int = 2027

    @Option(name: .long, help: "Output directory (created if missing).")
    var out: String

    @Option(name: .long, parsing: .unconditional, help: "Worker threads (default: every core); does not change the output.")
    var threads: Int?

    @Flag(name: .long, help: "Replace the data files already in --out (and remove its splits.csv, which names other transactions).")
    var force = false

    /// The files of a data directory (docs/formats.md).
    static let dataFiles = ["transactions.csv", "roster.csv", "quotas.csv", "fx.csv", "splits.csv"]

    func validate() throws {
        try refuseEmptyPaths([("--out", out)])
        if !(1...10_000_000).contains(reps) { throw ValidationError("--reps must be 1...10000000") }
        if !(0...1_000_000_000).contains(txns) { throw ValidationError("--txns must be 0...1000000000") }
        if !(1900...9998).contains(year) { throw ValidationError("--year must be 1900...9998") }
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be from 1 to 1024") }
    }

    func run() throws {
        var options = SampleOptions(reps: reps, transactions: txns, seed: seed, year: year)
        if let threads { options.threads = threads }
        // A data set already there is not replaced without --force: `--out` naming the real data
        // directory had replaced its ledger without a word.
        let base = out.hasSuffix("/") ? out : out + "/"
        let present = Self.dataFiles.filter { FileManager.default.fileExists(atPath: base + $0) }
        if !present.isEmpty && !force {
            printError(
                "comp sample: \(terminalSafe(out)) already holds \(present.joined(separator: ", ")); nothing was written "
                    + "(give an empty or new directory, or --force to replace them)")
            throw Exit.cannotCreate
        }
        if force && present.contains("splits.csv") && unlink(base + "splits.csv") != 0 {
            printError("comp sample: cannot remove \(base)splits.csv: \(String(cString: strerror(errno)))")
            throw Exit.cannotCreate
        }
        InterruptCleanup.install()
        do {
            let summary = try writeSampleData(
                options, to: out,
                interrupted: "comp sample: interrupted; removed the data files it was writing in \(terminalSafe(out)) (run it again to write them whole)",
                whole: "comp sample: interrupted; the data files in \(terminalSafe(out)) were written whole")
            for file in summary.files {
                print("\(file.path): \(file.rows) rows, \(file.bytes) bytes")
            }
            func counted(_ count: Int, _ noun: String) -> String { "\(count) \(noun)\(count == 1 ? "" : "s")" }
            print(
                [counted(summary.reps, "rep"), counted(summary.managers, "manager"), counted(summary.vps, "VP")].joined(separator: ", ") + "; "
                    + counted(summary.transactions, "transaction") + ", " + counted(summary.reversals, "reversal"))
        } catch {
            // What was written is half a data set: removed (the files were not there before,
            // unless --force was given).
            for name in Self.dataFiles where !present.contains(name) { unlink(base + name) }
            var leftBehind = false
            if case .cannotWrite = error { leftBehind = present.isEmpty }
            printError("comp sample: \(error)\(leftBehind ? "; nothing was left behind" : "")")
            throw Exit.cannotCreate
        }
    }
}

/// Writes the sample data set of `options` into `directory` (``SampleGenerator/write(_:to:)``),
/// its files removed if the process is interrupted before they are whole, saying `interrupted`;
/// once they are whole, an interruption says `whole` (nil: what the run says). Ctrl-C had left a
/// ledger cut mid-row, and the next `comp sample` into the directory refused it as a data set
/// already there. `comp sample` and `comp demo` write their data through it.
func writeSampleData(_ options: SampleOptions, to directory: String, interrupted: String, whole: String?) throws(SampleDataError) -> SampleSummary {
    InterruptCleanup.announce(interrupted)
    let base = directory.hasSuffix("/") ? directory : directory + "/"
    let writing = InterruptCleanup.register(SampleGenerator.fileNames.map { base + $0 })
    let summary: SampleSummary
    do {
        summary = try SampleGenerator.write(options, to: directory)
    } catch {
        InterruptCleanup.unregister(writing)
        throw error
    }
    InterruptCleanup.unregister(writing)
    InterruptCleanup.announce(whole)
    return summary
}
