import ArgumentParser
import RunResults
import Runner

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain a rep's payout for a period: measures, tiers, rates, caps, transactions.")

    @Option(name: .long, help: "The results database.")
    var db: String

    // Taken whatever it looks like: an id may start with a dash (`--rep -R5`).
    @Option(name: .long, parsing: .unconditional, help: "Rep id.")
    var rep: String

    // Taken whatever it looks like, so that `--period -2027` is said to be no period.
    @Option(name: .long, parsing: .unconditional, help: "Period label (2027-03, 2027-Q1, 2027).")
    var period: String

    // Taken whatever it looks like, so that `--run -1` is said to be no run id, not a missing value.
    @Option(name: .customLong("run"), parsing: .unconditional, help: "Run id (default: the latest completed run).")
    var runID: Int64?

    @Flag(name: .long, help: "Also list every transaction behind the statement: its line in transactions.csv, id, date, rep, amount, what it credited by each credit rule, and its other columns.")
    var transactions = false

    func validate() throws {
        try refuseEmptyPaths([("--db", db)])
        try refuseImpossibleRunID(runID)
        // A month, a quarter or a year, as exports name periods.
        let bytes = Array(period.utf8)
        let digits = { (range: Range<Int>) in range.allSatisfy { bytes[$0] >= 48 && bytes[$0] <= 57 } }
        let valid: Bool
        switch bytes.count {
        case 4: valid = digits(0..<4)
        case 7 where bytes[4] == UInt8(ascii: "-") && bytes[5] == UInt8(ascii: "Q"): valid = digits(0..<4) && (49...52).contains(bytes[6])
        case 7 where bytes[4] == UInt8(ascii: "-"): valid = digits(0..<4) && digits(5..<7) && (1...12).contains(Int(period.suffix(2)) ?? 0)
        default: valid = false
        }
        if !valid { throw ValidationError("--period \(period) is not a period; write YYYY-MM (2027-03), YYYY-Qn (2027-Q1) or YYYY (2027)") }
    }

    func run() throws {
        do {
            print(try Explainer.explain(database: db, rep: rep, period: period, run: runID.map(RunID.init), transactions: transactions), terminator: "")
        } catch {
            printError("comp explain: \(error.description)")
            throw Exit.dataError
        }
    }
}
