import ArgumentParser
import RunResults
import Runner

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain a rep's payout for a period: measures, tiers, rates, caps, transactions.")

    @Option(name: .long, help: "The results database.")
    var db: String

    @Option(name: .long, help: "Rep id.")
    var rep: String

    @Option(name: .long, help: "Period label (2027-03, 2027-Q1, 2027).")
    var period: String

    @Option(name: .customLong("run"), help: "Run id (default: the latest completed run).")
    var runID: Int64?

    func run() throws {
        do {
            print(try Explainer.explain(database: db, rep: rep, period: period, run: runID.map(RunID.init)), terminator: "")
        } catch {
            printError("comp explain: \(error.description)")
            throw Exit.dataError
        }
    }
}
