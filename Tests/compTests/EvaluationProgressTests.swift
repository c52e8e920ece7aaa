import Foundation
import Ledger
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

/// How far a load has read the ledger, and the ticker that shows it.
@Suite struct LoadProgressDisplay {
    let cli = CLI()

    /// After a load, every byte of the ledger's rows has been counted once: the bytes after the
    /// header, whatever the threads and chunks.
    @Test func aLoadCountsEveryByteOfTheRowsOnce() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data").path
        #expect(try cli.run(["sample", "--reps", "50", "--txns", "20000", "--out", data]).status == 0)
        let text = try String(contentsOfFile: data + "/transactions.csv", encoding: .utf8)
        let header = try #require(text.firstIndex(of: "\n"))
        let rowBytes = text.utf8.count - text[...header].utf8.count
        for (threads, chunkBytes) in [(1, 64 << 20), (2, 1 << 16), (3, 100_000)] {
            let progress = LoadProgress()
            var options = LedgerLoadOptions(threads: threads, chunkBytes: chunkBytes)
            options.progress = progress
            let load = LedgerLoader.load(directory: data, options: options)
            #expect(load.errorCount == 0)
            #expect(progress.total == rowBytes)
            #expect(progress.scanned == rowBytes, "\(threads) threads, chunks of \(chunkBytes) bytes")
        }
    }

    /// The ticker ticks until stopped, and stopping it returns at once and ends its ticks.
    @Test func aTickerStopsAtOnceAndTicksNoMore() throws {
        let ticks = Mutex(0)
        let ticker = ProgressTicker(every: 0.01) { ticks.withLock { $0 += 1 } }
        let deadline = Date().addingTimeInterval(5)
        while ticks.withLock({ $0 }) < 3 && Date() < deadline { usleep(1_000) }
        let clock = ContinuousClock()
        let started = clock.now
        ticker.stop()
        #expect(clock.now - started < .seconds(1))
        let atStop = ticks.withLock { $0 }
        #expect(atStop >= 3)
        usleep(50_000)
        #expect(ticks.withLock { $0 } == atStop)
    }
}
