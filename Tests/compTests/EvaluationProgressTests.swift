import Foundation
import Synchronization
import Testing

@testable import Runner

/// A long run on a terminal says how far a plan's payees are, percent by percent.
@Suite struct EvaluationProgress {
    let cli = CLI()

    final class Said: Sendable {
        let lines = Mutex<[String]>([])
        func add(_ line: String) { lines.withLock { $0.append(line) } }
    }

    @Test func eachNewPercentOfThePayeesIsSaidUpToAll() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data").path
        #expect(try cli.run(["sample", "--reps", "300", "--txns", "3000", "--out", data]).status == 0)
        let plan = CLI.root.appendingPathComponent("Plans/examples/ae-standard.plan").path
        let details = Said()
        let phases = Said()
        var request = RunRequest(plans: [plan], data: data, database: directory.appendingPathComponent("r.sqlite").path, threads: 2)
        request.progress = { phases.add($0) }
        request.detail = { details.add($0) }
        let summary = try Runner.run(request)
        #expect(summary.payees == 300)
        let said = details.lines.withLock { $0 }
        // Every percent at most once, rising, the last one all 300 (parts of a few payees each:
        // more than one line, fewer than a hundred and one).
        #expect(said.last == "AE-STD: evaluating payees 100% (300 of 300)", "\(said)")
        #expect(said.count > 1 && said.count <= 101, "\(said)")
        let percents = said.compactMap { line in
            line.split(separator: " ").first { $0.hasSuffix("%") }.flatMap { Int($0.dropLast()) }
        }
        #expect(percents.count == said.count)
        #expect(percents == percents.sorted() && Set(percents).count == percents.count, "\(said)")
        // Not phases: the timings list none of them.
        #expect(!summary.phases.contains { $0.phase.contains("%") })
        #expect(!phases.lines.withLock { $0 }.contains { $0.contains("%") })
    }
}
