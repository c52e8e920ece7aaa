// Ledger load benchmark: loads a comp sample ledger into the in-memory tables (validated) and
// compares it with `wc -l` on the same file, in the same run. Each measurement runs in a child
// process so that its wall time and peak memory are its own.
//
//   swift run -c release LedgerLoad [--reps 10000] [--txns 10000000] [--runs 5] [--threads N] [--data DIR]

import Foundation
import Ledger
import SampleData

#if canImport(Glibc)
    import Glibc
#endif

struct Arguments {
    var reps = 10_000
    var txns = 10_000_000
    var runs = 5
    var threads: Int? = nil
    var data: String? = nil
    var once: String? = nil

    init(_ argv: [String]) {
        var index = 1
        func value() -> String {
            index += 1
            return index < argv.count ? argv[index] : ""
        }
        while index < argv.count {
            switch argv[index] {
            case "--reps": reps = Int(value()) ?? reps
            case "--txns": txns = Int(value()) ?? txns
            case "--runs": runs = Int(value()) ?? runs
            case "--threads": threads = Int(value())
            case "--data": data = value()
            case "--once": once = value()
            case "--help", "-h":
                print("usage: LedgerLoad [--reps N] [--txns N] [--runs N] [--threads N] [--data DIR]")
                exit(0)
            default:
                FileHandle.standardError.write(Data("unknown argument \(argv[index])\n".utf8))
                exit(64)
            }
            index += 1
        }
    }
}

let arguments = Arguments(CommandLine.arguments)

// Child mode: load once, print rows, exit.
if let directory = arguments.once {
    let load = LedgerLoader.load(directory: directory, options: LedgerLoadOptions(threads: arguments.threads))
    guard load.errorCount == 0 else {
        print("errors: \(load.errorCount)")
        exit(65)
    }
    print(load.data.transactions.count)
    for phase in load.timings {
        let ms = Double(phase.duration.components.seconds) * 1000 + Double(phase.duration.components.attoseconds) / 1e15
        print("  \(phase.name): \(String(format: "%.0f", ms)) ms")
    }
    exit(0)
}

/// Runs a command, returns (wall seconds, its peak RSS in KiB, stdout).
func measure(_ executable: String, _ args: [String]) -> (seconds: Double, peakKiB: Int, cpu: Double, output: String) {
    var pid: pid_t = 0
    var fileActions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&fileActions)
    var pipe: [Int32] = [0, 0]
    _ = Glibc.pipe(&pipe)
    posix_spawn_file_actions_adddup2(&fileActions, pipe[1], 1)
    posix_spawn_file_actions_addclose(&fileActions, pipe[0])
    let argv = ([executable] + args).map { strdup($0) } + [nil]
    let start = DispatchTime.now().uptimeNanoseconds
    let status = posix_spawn(&pid, executable, &fileActions, nil, argv, environ)
    close(pipe[1])
    guard status == 0 else {
        print("cannot run \(executable): \(status)")
        exit(70)
    }
    var output = Data()
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
        let got = read(pipe[0], &buffer, buffer.count)
        if got <= 0 { break }
        output.append(contentsOf: buffer[0..<got])
    }
    close(pipe[0])
    var waitStatus: Int32 = 0
    var usage = rusage()
    _ = wait4(pid, &waitStatus, 0, &usage)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    for pointer in argv { free(pointer) }
    let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
        + Double(usage.ru_stime.tv_usec) / 1e6
    return (seconds, Int(usage.ru_maxrss), cpu, String(decoding: output, as: UTF8.self))
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}

// The data set.
let directory: String
if let data = arguments.data {
    directory = data
} else {
    directory = NSTemporaryDirectory() + "comp-bench-\(arguments.reps)-\(arguments.txns)"
    let marker = directory + "/transactions.csv"
    if !FileManager.default.fileExists(atPath: marker) {
        print("generating \(arguments.txns) transactions for \(arguments.reps) reps in \(directory) …")
        do {
            _ = try SampleGenerator.write(SampleOptions(reps: arguments.reps, transactions: arguments.txns, seed: 1), to: directory)
        } catch {
            print("comp sample failed: \(error)")
            exit(73)
        }
    }
}
let ledger = directory + "/transactions.csv"
let bytes = (try? FileManager.default.attributesOfItem(atPath: ledger)[.size] as? Int) ?? 0
let executable = CommandLine.arguments[0].hasPrefix("/")
    ? CommandLine.arguments[0] : FileManager.default.currentDirectoryPath + "/" + CommandLine.arguments[0]
let threads = arguments.threads ?? ProcessInfo.processInfo.activeProcessorCount

// Warm the page cache so both sides read from memory.
_ = measure("/usr/bin/wc", ["-l", ledger])

var wcTimes: [Double] = []
var wcPeak = 0
var loadTimes: [Double] = []
var loadCPU: [Double] = []
var wcCPU: [Double] = []
var loadPeak = 0
var rows = 0
var lastPhases: [String] = []
for _ in 0..<arguments.runs {
    let wc = measure("/usr/bin/wc", ["-l", ledger])
    wcTimes.append(wc.seconds)
    wcCPU.append(wc.cpu)
    wcPeak = max(wcPeak, wc.peakKiB)
    var childArguments = ["--once", directory]
    if let threads = arguments.threads { childArguments += ["--threads", String(threads)] }
    let load = measure(executable, childArguments)
    loadTimes.append(load.seconds)
    loadCPU.append(load.cpu)
    loadPeak = max(loadPeak, load.peakKiB)
    let outputLines = load.output.split(separator: "\n")
    rows = outputLines.first.flatMap { Int($0) } ?? -1
    lastPhases = outputLines.dropFirst().map(String.init)
}

let megabytes = Double(bytes) / 1e6
let loadMedian = median(loadTimes)
let wcMedian = median(wcTimes)
func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
print("")
print("ledger: \(ledger)")
print("        \(fixed(megabytes, 1)) MB, \(rows) rows accepted, \(threads) threads, median of \(arguments.runs) runs")
print("")
print("| what | median s | MB/s | M rows/s | CPU s (user+sys) | peak RSS MiB |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
print("| `wc -l` | \(fixed(wcMedian, 3)) | \(fixed(megabytes / wcMedian, 0)) | \(fixed(Double(rows) / wcMedian / 1e6, 1)) | \(fixed(median(wcCPU), 2)) | \(fixed(Double(wcPeak) / 1024, 1)) |")
print("| load + validate | \(fixed(loadMedian, 3)) | \(fixed(megabytes / loadMedian, 0)) | \(fixed(Double(rows) / loadMedian / 1e6, 1)) | \(fixed(median(loadCPU), 2)) | \(fixed(Double(loadPeak) / 1024, 1)) |")
print("")
print("load / wc -l time ratio: \(fixed(loadMedian / wcMedian, 2))×; peak memory / file size: \(fixed(Double(loadPeak) * 1024 / Double(max(bytes, 1)), 2))")
print("")
print("phases of the last run:")
for phase in lastPhases { print(phase) }
