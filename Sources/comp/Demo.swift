import ArgumentParser
import CompCore
import Foundation
import Ledger
import Runner
import SampleData
import Store

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The main job end to end on generated example data (the newcomer's first command).",
        discussion: """
            Writes a deterministic sample data set (1,000 reps, 100,000 transactions by default), \
            the reference plan AE-STD (the reps) and the managers' plan MGR-OVR (their managers and \
            VPs) into --out, runs both over every month, stores the results in \
            --out/results.sqlite, exports payouts.csv and measures.csv, and prints the summary and \
            where to look next.
            """)

    @Option(name: .long, help: "Where to write the example data and results.")
    var out: String = "demo"

    // Numbers are taken whatever they look like: `-1` is said to be out of range (or no number), not
    // a missing value.
    @Option(name: .long, parsing: .unconditional, help: "Number of AE reps.")
    var reps: Int = 1_000

    @Option(name: .long, parsing: .unconditional, help: "Number of transactions.")
    var txns: Int = 100_000

    func validate() throws {
        try refuseEmptyPaths([("--out", out)])
        if reps < 1 { throw ValidationError("--reps must be at least 1") }
        if txns < 0 { throw ValidationError("--txns must not be negative") }
    }

    func run() throws {
        InterruptCleanup.install()
        let base = out.hasSuffix("/") ? String(out.dropLast()) : out
        let data = base + "/data"
        // The demo's data set is written anew each time; a splits.csv in it is not the demo's (it
        // names other transactions, and had failed every later demo), so it goes, as with
        // `comp sample --force`.
        let staleSplits = data + "/splits.csv"
        if unlink(staleSplits) == 0 {
            print("Removed \(staleSplits) (the demo's data has no splits)")
        } else if errno != ENOENT && errno != ENOTDIR {
            printError("comp demo: cannot remove \(staleSplits): \(String(cString: strerror(errno)))")
            throw Exit.cannotCreate
        }
        let plan = base + "/ae-standard.plan"
        let managerPlan = base + "/manager-override.plan"
        let database = base + "/results.sqlite"
        // A demo always starts from a fresh results database, and the exports of the run before go
        // with it first: kept, they would be payouts no database explains (a demo interrupted
        // while it ran had left them beside no database). The journal too: a hot one left by a
        // killed run would be played back into the new file.
        let hadResults = FileManager.default.fileExists(atPath: database)
        ResultStore.removeFiles(at: database)
        let exports = ["payouts.csv", "measures.csv"].map { base + "/" + $0 }.filter { unlink($0) == 0 }
        // Ctrl-C while the data is written removes it, and says that the previous demo's results
        // are gone too.
        let previous = hadResults || !exports.isEmpty ? " (the previous demo's results and exports were removed first)" : ""
        let summary: SampleSummary
        do {
            summary = try writeSampleData(
                SampleOptions(reps: reps, transactions: txns, seed: 1), to: data,
                interrupted: "comp demo: interrupted while writing its sample data; removed the data files in \(terminalSafe(data)), nothing was run\(previous)",
                whole: nil)
        } catch {
            printError("comp demo: \(error)\(previous)")
            throw Exit.cannotCreate
        }
        print("Wrote \(summary.transactions) transactions for \(summary.reps) reps to \(terminalSafe(data))/")
        try writeOutput(demoPlanText, to: plan)
        try writeOutput(demoManagerPlanText, to: managerPlan)
        let result: RunSummary
        do {
            result = try Runner.run(RunRequest(plans: [plan, managerPlan], data: data, database: database))
        } catch {
            var text = error.description
            if case .badData = error {
                // `demo` has no --quarantine: what to do is to let it write its data again.
                text = text.replacingOccurrences(
                    of: RunFailure.quarantineHint,
                    with: "(the demo's data was changed after it was written: give another --out, or remove \(terminalSafe(data)))")
            }
            if !exports.isEmpty { text += "\nremoved the exports of the previous demo run: \(exports.map { terminalSafe($0) }.joined(separator: ", "))" }
            printError(text)
            // As `comp run` says it: a run that could not be written (a full disk) is not bad data.
            switch error {
            case .storage, .output: throw Exit.cannotCreate
            default: throw Exit.dataError
            }
        }
        // The exports are staged: an interruption leaves neither, and says how to write them.
        InterruptCleanup.announce(
            "comp demo: interrupted after run \(result.run) was stored in \(terminalSafe(database)), before its exports were written "
                + "(`comp export payouts|measures --db \(shellQuoted(database)) --out FILE` writes them)")
        for (what, file) in [(ExportKind.payouts, "payouts.csv"), (.measures, "measures.csv")] {
            try exportRun(what, db: database, out: base + "/" + file, runID: nil)
        }
        // Both written: an interruption now says nothing (the run is stored, the exports whole).
        InterruptCleanup.announce(nil)
        print(render(result, database: database, payouts: shellQuoted(base + "/payouts.csv"), measures: shellQuoted(base + "/measures.csv")))
        if let note = Runner.debugBuildNote(runSeconds: result.seconds, debugBuild: _isDebugAssertConfiguration()) { printError(note) }
        var next = [
            ("\(base)/payouts.csv", "every payee, month and component, then the total"),
            ("\(base)/measures.csv", "bookings and attainment per payee and month (a manager's: the team's)"),
            ("\(plan)", "the reps' plan (docs/language.md explains it)"),
            ("\(managerPlan)", "the managers' plan: overrides on their teams' deals"),
            ("comp validate --data \(shellQuoted(data))", "check a data directory (try breaking a row)"),
            ("comp run --help", "run your own plans and data"),
        ]
        if let (rep, period) = firstCommission(inPayouts: base + "/payouts.csv") {
            next.insert(
                ("comp explain --db \(shellQuoted(database)) --rep \(shellQuoted(rep)) --period \(period)", "why that rep's month pays what it pays"), at: 2)
        }
        // A long command (explain's) has its words on the next line, under the others'.
        let width = next.map(\.0.count).filter { $0 <= 40 }.max() ?? 0
        print("\nNext:")
        for (command, what) in next {
            if command.count > width {
                print("  " + command + "\n" + String(repeating: " ", count: width + 5) + what)
            } else {
                print("  " + command + String(repeating: " ", count: width - command.count + 3) + what)
            }
        }
    }

    /// The rep and period of the first commission line above zero in a payouts export, for an
    /// `explain` worth reading.
    private func firstCommission(inPayouts path: String) -> (rep: String, period: String)? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var line: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(line) }
        while getline(&line, &capacity, file) > 0 {
            guard let line else { break }
            // rep,period,plan,component,amount,currency (sample rep ids hold no comma or quote)
            let fields = String(cString: line).split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count == 6, fields[3] == "commission", fields[4] != "0.00", !fields[4].hasPrefix("-") else { continue }
            return (String(fields[0]), String(fields[1]))
        }
        return nil
    }
}
