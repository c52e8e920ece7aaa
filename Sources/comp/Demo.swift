import ArgumentParser
import Ledger
import SampleData

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Generate example data and check it end to end (the newcomer's first command).",
        discussion: """
            Writes a deterministic sample data set (1,000 reps, 100,000 transactions by default) into \
            --out, loads and validates it, and prints the reconciliation and where to look next.
            """)

    @Option(name: .long, help: "Where to write the example data.")
    var out: String = "demo"

    @Option(name: .long, help: "Number of AE reps.")
    var reps: Int = 1_000

    @Option(name: .long, help: "Number of transactions.")
    var txns: Int = 100_000

    func validate() throws {
        if reps < 1 { throw ValidationError("--reps must be at least 1") }
        if txns < 0 { throw ValidationError("--txns must not be negative") }
    }

    func run() throws {
        let data = out.hasSuffix("/") ? out + "data" : out + "/data"
        let summary: SampleSummary
        do {
            summary = try SampleGenerator.write(SampleOptions(reps: reps, transactions: txns, seed: 1), to: data)
        } catch {
            printError("comp demo: \(error)")
            throw Exit.cannotCreate
        }
        print("Wrote \(summary.transactions) transactions for \(summary.reps) reps to \(data)/")
        let clock = ContinuousClock()
        let start = clock.now
        let load = LedgerLoader.load(directory: data)
        let elapsed = clock.now - start
        print("")
        print(load.reconciliation.summary, terminator: "")
        print("")
        if load.errorCount > 0 {
            printError(load.diagnostics.prefix(20).map(\.description).joined(separator: "\n"))
            throw Exit.dataError
        }
        let milliseconds = elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000
        print("Loaded and validated in \(milliseconds) ms.")
        let next = [
            ("comp validate --data \(data)", "check a data directory (try breaking a row)"),
            ("comp sample --help", "bigger data sets (10M rows: --reps 10000 --txns 10000000)"),
            ("docs/guide.md", "the user guide; docs/formats.md describes the input files"),
        ]
        let width = next.map(\.0.count).max() ?? 0
        print("\nNext:")
        for (command, what) in next {
            print("  " + command + String(repeating: " ", count: width - command.count + 3) + what)
        }
    }
}
