// Engine benchmarks (ordo-one/benchmark): each stage next to a peer measured in the same run, so
// a comparison holds on a shared, noisy machine. Run from `Benchmarks/`:
//
//   swift package --allow-writing-to-package-directory benchmark
//   swift package --allow-writing-to-package-directory benchmark --filter "money.*"
//
// The data set (10,000 reps, 1,000,000 transactions, `comp sample --seed 1`) is generated once
// into $TMPDIR/comp-bench-10000-1000000 (or read from $COMP_BENCH_DATA). The end-to-end peer,
// DuckDB, is a separate process: see `run-vs-duckdb.sh`.

import Benchmark
import CompCore
import Foundation
import Ledger
import Runner
import SampleData

// MARK: - Inputs, made once

/// The data directory, generated on first use.
let dataDirectory: String = {
    if let given = ProcessInfo.processInfo.environment["COMP_BENCH_DATA"], !given.isEmpty { return given }
    let directory = NSTemporaryDirectory() + "comp-bench-10000-1000000"
    // A marker written once the set is whole: a generation cut short is made again.
    let complete = directory + "/.complete"
    if !FileManager.default.fileExists(atPath: complete) {
        do {
            _ = try SampleGenerator.write(SampleOptions(reps: 10_000, transactions: 1_000_000, seed: 1), to: directory)
            FileManager.default.createFile(atPath: complete, contents: Data())
        } catch {
            fatalError("comp sample into \(directory) failed: \(error)")
        }
    }
    return directory
}()

/// The reference plan, found from this file's place in the repository.
let referencePlan: String = {
    let here = URL(fileURLWithPath: #filePath)
    // Benchmarks/Benchmarks/EngineBenchmarks/EngineBenchmarks.swift -> the repository root.
    let root = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return root.appendingPathComponent("Plans/examples/ae-standard.plan").path
}()

/// 1,000,000 (amount, rate) pairs: amounts up to ±1,000,000.00, fx-like rates with 6 digits.
let moneyPairs: [(amount: FixedDecimal, rate: FixedDecimal)] = {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    return (0..<1_000_000).map { _ in
        let cents = Int64(next() % 200_000_001) - 100_000_000
        let rate = Int64(next() % 2_000_000) + 1  // 0.000001 ... 2.000000
        return (FixedDecimal(units: cents * 10_000), FixedDecimal(units: rate))
    }
}()

/// The same pairs as Foundation decimals (the peer).
let decimalPairs: [(amount: Decimal, rate: Decimal)] = moneyPairs.map { pair in
    (Decimal(pair.amount.units) / 1_000_000, Decimal(pair.rate.units) / 1_000_000)
}

/// A fresh path for a results database, the old one (and its journal) removed.
func freshDatabase() -> String {
    let path = NSTemporaryDirectory() + "comp-bench-results.sqlite"
    for suffix in ["", "-journal", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    return path
}

// MARK: - Benchmarks

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .peakMemoryResident],
        timeUnits: .milliseconds,
        warmupIterations: 1,
        maxDuration: .seconds(20),
        maxIterations: 10)

    // Money: the engine's exact arithmetic against Foundation.Decimal on the same 1M products,
    // each rounded half-even to 6 fraction digits.
    Benchmark("money: 1M products, FixedDecimal half-even") { benchmark in
        let pairs = moneyPairs
        benchmark.startMeasurement()
        var total: Int64 = 0
        for pair in pairs {
            do {
                total &+= try pair.amount.multiplied(by: pair.rate, rounding: .halfEven).units
            } catch {
                fatalError("\(error)")
            }
        }
        benchmark.stopMeasurement()
        blackHole(total)
    }

    Benchmark("money peer: 1M products, Foundation.Decimal + NSDecimalRound") { benchmark in
        let pairs = decimalPairs
        benchmark.startMeasurement()
        var total = Decimal(0)
        for pair in pairs {
            var product = pair.amount * pair.rate
            var rounded = Decimal()
            NSDecimalRound(&rounded, &product, 6, .bankers)
            total += rounded
        }
        benchmark.stopMeasurement()
        blackHole(total)
    }

    // The ledger: a full, validated load (every column kept, as `comp validate` without plans
    // checks them) against reading the file's bytes once (the floor the engine is measured
    // against: "near the cost of reading the ledger once").
    Benchmark("ledger: load and validate 1M transactions") { benchmark in
        let directory = dataDirectory
        benchmark.startMeasurement()
        let load = LedgerLoader.load(directory: directory)
        benchmark.stopMeasurement()
        guard load.errorCount == 0, load.data.transactions.count == 1_000_000 else {
            fatalError("the benchmark ledger did not load cleanly: \(load.errorCount) errors")
        }
        blackHole(load)
    }

    Benchmark("ledger peer: read transactions.csv once, counting lines") { benchmark in
        let path = dataDirectory + "/transactions.csv"
        benchmark.startMeasurement()
        var lines = 0
        if let file = fopen(path, "r") {
            var buffer = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let got = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
                if got == 0 { break }
                buffer.withUnsafeBytes { bytes in
                    for byte in bytes[0..<got] where byte == 10 { lines &+= 1 }
                }
            }
            fclose(file)
        }
        benchmark.stopMeasurement()
        blackHole(lines)
    }

    // The whole run, as `comp run --export-payouts --export-measures` does it: load (the columns
    // AE-STD reads), credit, evaluate every payee and period, store the run in SQLite, write both
    // exports. Unlike `comp run`, which leaves them to the process's exit, it frees what the run
    // held before it returns (`RunRequest.freesMemory`): the benchmark runs it again.
    Benchmark("engine: comp run of AE-STD over 1M transactions, stored and exported", configuration: .init(maxIterations: 5)) {
        benchmark in
        let database = freshDatabase()
        let exports = NSTemporaryDirectory() + "comp-bench-"
        var request = RunRequest(plans: [referencePlan], data: dataDirectory, database: database)
        request.exportPayouts = exports + "payouts.csv"
        request.exportMeasures = exports + "measures.csv"
        benchmark.startMeasurement()
        let summary: RunSummary
        do {
            summary = try Runner.run(request)
        } catch {
            fatalError("the benchmark run failed: \(error)")
        }
        benchmark.stopMeasurement()
        blackHole(summary)
    }
}
