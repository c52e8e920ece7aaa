import ArgumentParser
import CompCore
import CompDiagnostics
import Ledger

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a data directory and print its reconciliation.",
        discussion: """
            Reads transactions.csv, roster.csv, quotas.csv and, when present, splits.csv and fx.csv \
            (see FORMATS.md). Prints rows read, accepted and rejected per file and the sum of amounts \
            per currency, or every problem as file:line:field: message (the first \
            --max-errors of them, then a count of the rest) and exits with status 65.
            """)

    @Option(name: .long, help: "The data directory.")
    var data: String

    @Option(name: .long, help: "Currency the fx rates convert into.")
    var baseCurrency: String = "USD"

    @Option(name: .long, help: "First month of the fiscal year (1-12), for quarter and year quotas.")
    var fiscalYearStart: Int = 1

    @Option(name: .long, help: "Worker threads (default: every core).")
    var threads: Int?

    @Option(name: .long, help: "How many problems to list.")
    var maxErrors: Int = 100

    @Flag(name: .long, help: "Accept split shares that add up to more than 1 (overlay credit).")
    var overlaySplits = false

    @Flag(name: .long, help: "Print how long each loading phase took (to standard error).")
    var timings = false

    @Flag(name: .long, help: "Print the SHA-256 and size of every input file.")
    var fingerprints = false

    func validate() throws {
        try refuseEmptyPaths([("--data", data)])
        guard Currency(code: baseCurrency) != nil else {
            throw ValidationError("--base-currency \(baseCurrency) is not an ISO 4217 code")
        }
        guard FiscalCalendar(startMonth: fiscalYearStart) != nil else {
            throw ValidationError("--fiscal-year-start must be 1...12")
        }
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be from 1 to 1024") }
        if maxErrors < 0 { throw ValidationError("--max-errors must not be negative") }
    }

    func run() throws {
        guard let base = Currency(code: baseCurrency), let calendar = FiscalCalendar(startMonth: fiscalYearStart) else {
            throw Exit.usage
        }
        // Only --max-errors problems are listed: no more are kept in memory (all are counted).
        let options = LedgerLoadOptions(
            threads: threads, baseCurrency: base, fiscalCalendar: calendar, allowOverlaySplits: overlaySplits,
            storedDiagnosticLimit: max(1, maxErrors))
        if let problem = LedgerLoader.directoryProblem(data) {
            printError("--data \(data): \(problem)")
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
        if fingerprints {
            print("")
            for file in load.reconciliation.files where file.present {
                do {
                    let fingerprint = try Fingerprinter.fingerprint(path: file.file)
                    print("sha256 \(fingerprint.sha256)  \(fingerprint.bytes) bytes  \(file.file)")
                } catch {
                    printError("comp validate: \(error)")
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
        if load.errorCount > 0 {
            printError("\(data): \(load.errorCount) error\(load.errorCount == 1 ? "" : "s"); the data is not valid")
            throw Exit.dataError
        }
        print("\(data): valid (\(load.data.transactions.count) transactions, \(load.data.roster.repIDs.count) reps)")
    }
}
