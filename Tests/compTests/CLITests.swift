import Foundation
import GRDB
import Testing

/// End-to-end tests of the `comp` binary: exit codes and what a user sees.
@Suite struct CLI {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url
    }()

    /// The built binary (swift test builds it, since this target depends on it).
    static var binary: URL? {
        let candidates = [".build/debug/comp", ".build/x86_64-unknown-linux-gnu/debug/comp", ".build/aarch64-unknown-linux-gnu/debug/comp"]
        return candidates.map { root.appendingPathComponent($0) }.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> Result {
        let binary = try #require(CLI.binary, "comp binary not built")
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        if let directory { process.currentDirectoryURL = directory }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("comp-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Standard output that cannot be written fails every command with 73 and says so (on a full
    /// disk `comp import x.xml > x.plan` had exited 0 with the plan lost).
    @Test func aFullStandardOutputFailsWith73() throws {
        let binary = try #require(CLI.binary)
        let plan = CLI.root.appendingPathComponent("Plans/examples/ae-standard.plan").path
        let xml = CLI.root.appendingPathComponent("Plans/examples/xml/ae-standard.xml").path
        for command in ["graph \(plan)", "graph --dot \(plan)", "import \(xml)", "check --dump \(plan)"] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "'\(binary.path)' \(command) > /dev/full"]
            let err = Pipe()
            process.standardError = err
            try process.run()
            let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 73, "\(command)")
            #expect(message == "comp: cannot write to standard output: No space left on device\n", "\(command)")
        }
    }

    /// Under a file-size limit (`ulimit -f`), a write past it fails like a full disk: exit 73 with
    /// a message, the run's staging database removed (the limit's signal had killed the process
    /// with exit 153, no word, and the staging file left behind).
    @Test func aFileSizeLimitFailsWith73AndSaysSo() throws {
        let binary = try #require(CLI.binary)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data").path
        #expect(try run(["sample", "--reps", "20", "--txns", "2000", "--out", data]).status == 0)
        let plan = CLI.root.appendingPathComponent("Plans/examples/ae-standard.plan").path
        let db = directory.appendingPathComponent("r.sqlite").path
        // The status and standard error through files: a pipe's status would be the last command's.
        let status = directory.appendingPathComponent("status").path
        let errors = directory.appendingPathComponent("errors").path
        func limited(_ kib: Int, _ arguments: String) throws -> (status: String, stderr: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -f \(kib); '\(binary.path)' \(arguments) >/dev/null 2>'\(errors)'; echo $? >'\(status)'"]
            try process.run()
            process.waitUntilExit()
            let text = try String(contentsOfFile: errors, encoding: .utf8)
            let said = text.split(separator: "\n").filter { !$0.hasPrefix("warning: ") }.map { $0 + "\n" }.joined()
            defer { for file in [status, errors] { try? FileManager.default.removeItem(atPath: file) } }
            return (try String(contentsOfFile: status, encoding: .utf8), said)
        }
        let made = try limited(100, "run --plans '\(plan)' --data '\(data)' --db '\(db)'")
        #expect(made.status == "73\n", "\(made.stderr)")
        // (In KiB: a shell's `ulimit -f` counts blocks of 512 bytes or of 1024.)
        #expect(made.stderr.hasPrefix("opening \(db): SQLite error 10: disk I/O error; this process may write files of at most "), "\(made.stderr)")
        #expect(made.stderr.hasSuffix(" KiB (`ulimit -f`): raise the limit, or look for a failing disk\n"), "\(made.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["data"])
        // Stored without a limit, then exported under one.
        #expect(try run(["run", "--plans", plan, "--data", data, "--db", db]).status == 0)
        let out = directory.appendingPathComponent("p.csv").path
        let exported = try limited(4, "export payouts --db '\(db)' --out '\(out)'")
        #expect(exported.status == "73\n", "\(exported.stderr)")
        #expect(exported.stderr == "cannot write \(out): File too large\n")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func validateSharedDataSet() throws {
        let data = CLI.root.appendingPathComponent("Tests/ReferenceData/ae-10k").standardizedFileURL.path
        try #require(FileManager.default.fileExists(atPath: data + "/transactions.csv"))
        let result = try run(["validate", "--data", data])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix(data + "/transactions.csv") && $0.hasSuffix("10,000      10,000           0") })
        #expect(lines.contains { $0.hasPrefix("USD") && $0.contains("34942377.34") })
        #expect(lines.last == "\(data): valid (10000 transactions, 115 reps)")
    }

    @Test func validateReportsEveryProblemAndExits65() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = [
            "roster.csv": "rep,name,plan,start\nR1,Ana,AE-STD,2026-01-01\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,100\n",
            "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-05,R1,12.5,USD\nT2,2027-02-30,R2,1.1234567,USD\n",
        ]
        for (name, text) in files { try Data(text.utf8).write(to: directory.appendingPathComponent(name)) }
        let result = try run(["validate", "--data", directory.path])
        #expect(result.status == 65)
        let path = directory.path + "/transactions.csv"
        #expect(
            result.stderr == """
                \(path):3:2: date "2027-02-30" is not a valid date; February 2027 has 28 days
                \(path):3:3: rep "R2" is not on the roster
                \(path):3:4: amount "1.1234567" has 7 fraction digits; at most 6 are allowed
                \(directory.path): 3 errors; the data is not valid

                """)
    }

    /// A line feed in a directory's or a file's name is written `\\n` wherever the name is shown:
    /// in the data's messages, the reconciliation, the verdict and the run's summary. It had been
    /// printed raw, so a directory named `x<LF>x: valid (…)` printed a line saying the data was valid.
    @Test func aLineFeedInAPathCannotForgeALine() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("bad\nbad: valid (3 transactions, 2 reps)")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        let files = [
            "roster.csv": "rep,name,plan,start\nR1,Ana,AE-STD,2026-01-01\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,100\n",
            "transactions.csv": "id,date,rep,amount,currency\nT1,2027-02-30,R1,12.5,USD\n",
        ]
        for (name, text) in files { try Data(text.utf8).write(to: data.appendingPathComponent(name)) }
        let shown = directory.path + "/bad\\nbad: valid (3 transactions, 2 reps)"
        let refused = try run(["validate", "--data", data.path])
        #expect(refused.status == 65)
        #expect(
            refused.stderr == """
                \(shown)/transactions.csv:2:2: date "2027-02-30" is not a valid date; February 2027 has 28 days
                \(shown): 1 error; the data is not valid

                """)
        let table = refused.stdout.split(separator: "\n")
        #expect(table.contains { $0.hasPrefix(shown + "/transactions.csv ") && $0.hasSuffix("1           0           1") }, "\(refused.stdout)")
        #expect(!table.contains { $0.hasPrefix("bad: valid") })
        try Data("id,date,rep,amount,currency\nT1,2027-01-05,R1,12.5,USD\n".utf8).write(to: data.appendingPathComponent("transactions.csv"))
        let plan = CLI.root.appendingPathComponent("Plans/examples/ae-standard.plan").path
        let database = directory.appendingPathComponent("r\nX.sqlite").path
        let ran = try run(["run", "--plans", plan, "--data", data.path, "--db", database], in: directory)
        #expect(ran.status == 0, "\(ran.stderr)")
        let lines = ran.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.contains("  \(shown)/transactions.csv: 1 row, 1 accepted, 0 rejected"), "\(ran.stdout)")
        let stored = try #require(lines.last { $0.hasPrefix("stored in ") })
        #expect(stored.hasPrefix("stored in \(directory.path)/r\\nX.sqlite in "))
        #expect(stored.hasSuffix(" s; `comp export payouts --db $'\(directory.path)/r\\nX.sqlite' --out payouts.csv` writes the payouts"))
        // No line of the summary starts inside a path.
        #expect(!lines.contains { $0.hasPrefix("X.sqlite") || $0.hasPrefix("bad: valid") })
        // Nor does a refusal's (a run's failures escape what they name).
        let missing = try run(["run", "--plans", "no\nsuch.plan", "--data", data.path, "--db", database], in: directory)
        #expect(missing.stderr == "no\\nsuch.plan: no such plan file or directory\n", "\(missing.stderr)")
    }

    @Test func usageErrorsExit64() throws {
        // `comp` alone prints the help on standard error as a usage error; `--help` is no error.
        let alone = try run([])
        #expect(alone.status == 64)
        #expect(alone.stdout.isEmpty)
        #expect(alone.stderr.hasPrefix("OVERVIEW: A sales-compensation batch engine"), "\(alone.stderr)")
        #expect(try run(["--help"]).status == 0)
        #expect(try run(["validate"]).status == 64)
        #expect(try run(["validate", "--data", "x", "--threads", "0"]).status == 64)
        #expect(try run(["sample", "--reps", "0", "--out", "x"]).status == 64)
        #expect(try run(["sample", "--reps", "99999999999", "--out", "x"]).status == 64)
        #expect(try run(["sample", "--reps", "10", "--txns", "-1", "--out", "x"]).status == 64)
        // A --param without a name is a usage error (it used to trap), for run and for check.
        for item in ["=1", "=", "rate"] {
            let result = try run(["run", "--plans", "x.plan", "--data", "x", "--db", "x.sqlite", "--param", item])
            #expect(result.status == 64, "\(item)")
            #expect(result.stderr.contains("--param takes name=value"), "\(item)")
            #expect(try run(["check", "x.plan", "--param", item]).status == 64, "\(item)")
        }
        let twice = try run(["run", "--plans", "x.plan", "--data", "x", "--db", "x.sqlite", "--param", "rate=5%", "--param", "rate=6%"])
        #expect(twice.status == 64)
        #expect(twice.stderr.contains("--param rate is given twice ('5%' and '6%'); give it once"))
    }

    /// A value the command line got is echoed in usage errors with its control characters
    /// escaped, as every other message is: an escape sequence in `--period` or in an argument the
    /// parser refuses had reached the terminal raw (an OSC sequence set its title).
    @Test func usageErrorsEscapeWhatTheyEcho() throws {
        let period = try run(["explain", "--db", "r.sqlite", "--rep", "R1", "--period", "2027\u{1B}]0;x\u{07}"])
        #expect(period.status == 64)
        #expect(
            period.stderr.hasPrefix(
                "Error: --period 2027\\u{1B}]0;x\\u{7} is not a period; write YYYY-MM (2027-03), YYYY-Qn (2027-Q1) or YYYY (2027)\n"))
        let what = try run(["export", "pay\u{1B}[2J", "--db", "r.sqlite", "--out", "-"])
        #expect(what.status == 64)
        #expect(what.stderr.hasPrefix("Error: The value 'pay\\u{1B}[2J' is invalid for '<what>'."))
        let threads = try run(["validate", "--data", "x", "--threads", "1\u{1B}[2J"])
        #expect(threads.status == 64)
        for result in [period, what, threads] { #expect(!result.stderr.contains("\u{1B}")) }
        // Help still goes to standard output, as it was.
        let help = try run(["export", "--help"])
        #expect(help.status == 0 && help.stdout.hasPrefix("OVERVIEW: Export payouts or measures of a run as CSV") && help.stderr.isEmpty)
    }

    @Test func sampleIsDeterministicAndValid() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let a = directory.appendingPathComponent("a").path
        let b = directory.appendingPathComponent("b").path
        #expect(try run(["sample", "--reps", "40", "--txns", "3000", "--seed", "9", "--out", a, "--threads", "1"]).status == 0)
        #expect(try run(["sample", "--reps", "40", "--txns", "3000", "--seed", "9", "--out", b, "--threads", "3"]).status == 0)
        for name in ["transactions.csv", "roster.csv", "quotas.csv", "fx.csv"] {
            let left = try Data(contentsOf: URL(fileURLWithPath: a + "/" + name))
            let right = try Data(contentsOf: URL(fileURLWithPath: b + "/" + name))
            #expect(left == right, "\(name) differs between thread counts")
        }
        let check = try run(["validate", "--data", a])
        #expect(check.status == 0)
        #expect(check.stdout.hasSuffix("\(a): valid (3000 transactions, \(40 + 5 + 1) reps)\n"))
        // Counts of one are singular.
        let small = try run(["sample", "--reps", "2", "--txns", "10", "--out", directory.appendingPathComponent("c").path])
        #expect(small.stdout.hasSuffix("\n2 reps, 1 manager, 1 VP; 10 transactions, 1 reversal\n"))
    }
}

/// What the command-line audit found: paths and directories a user gets wrong, said once, clearly,
/// before anything is written.
@Suite struct PathMistakes {
    let cli = CLI()

    /// An empty path (an unset shell variable) is a usage error: `sample --out ""` had written
    /// /roster.csv, `--data ""` read /transactions.csv.
    @Test func anEmptyPathIsAUsageError() throws {
        for (arguments, option) in [
            (["sample", "--out", ""], "--out"), (["demo", "--out", ""], "--out"), (["validate", "--data", ""], "--data"),
            (["run", "--plans", aeStandard, "--data", "", "--db", "x.sqlite"], "--data"),
            (["run", "--plans", aeStandard, "--data", "d", "--db", "x.sqlite", "--export-payouts", ""], "--export-payouts"),
            (["export", "payouts", "--db", "x.sqlite", "--out", ""], "--out"), (["explain", "--db", "", "--rep", "R1", "--period", "2027-01"], "--db"),
            (["fmt", ""], "a plan file"), (["check", ""], "a plan file"), (["graph", ""], "the plan file"),
            (["import", "x.xml", "--out", ""], "--out"),
        ] {
            let result = try cli.run(arguments)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.stderr.hasPrefix("Error: \(option) is empty; give a path (is a shell variable unset?)\n"), "\(arguments): \(result.stderr)")
        }
    }

    /// `comp sample` into a directory that already holds data refuses and writes nothing (it had
    /// replaced a ledger without a word); `--force` replaces it and removes the old splits.csv,
    /// whose transaction ids would not match the new ledger.
    @Test func sampleKeepsAnExistingDataSetUnlessForced() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try oneDeal(in: directory)
        try writeFiles(["splits.csv": "txn,rep,share\nT1,R1,1\n"], to: data)
        let before = try String(contentsOf: data.appendingPathComponent("transactions.csv"), encoding: .utf8)
        var result = try cli.run(["sample", "--reps", "5", "--txns", "50", "--out", data.path])
        #expect(result.status == 73)
        #expect(result.stderr == "comp sample: \(data.path) already holds transactions.csv, roster.csv, quotas.csv, splits.csv; nothing was written (give an empty or new directory, or --force to replace them)\n")
        #expect(try String(contentsOf: data.appendingPathComponent("transactions.csv"), encoding: .utf8) == before)
        result = try cli.run(["sample", "--reps", "5", "--txns", "50", "--out", data.path, "--force"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("splits.csv").path))
        #expect(try cli.run(["validate", "--data", data.path]).status == 0)
    }

    /// A one-character database name (Foundation's path call had trapped on it: exit 132).
    @Test func aOneCharacterDatabaseName() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try oneDeal(in: directory)
        let run = try cli.run(["run", "--plans", aeStandard, "--data", "data", "--db", "Z"], in: directory)
        #expect(run.status == 0, "\(run.stderr)")
        let payouts = try cli.run(["export", "payouts", "--db", "Z", "--out", "-"], in: directory)
        #expect(payouts.stdout.hasPrefix("rep,period,plan,component,amount,currency\nR1,2027-01,AE-STD,commission,"))
    }

    /// A --data that is missing or a file is one error, not one "file not found" per data file
    /// and a reconciliation of zeros.
    @Test func aMissingOrFileDataDirectoryIsOneError() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try oneDeal(in: directory)
        let missing = directory.appendingPathComponent("nodata").path
        let file = data.appendingPathComponent("roster.csv").path
        var result = try cli.run(["validate", "--data", missing])
        #expect(result.status == 65)
        #expect(result.stdout == "")
        #expect(result.stderr == "--data \(missing): no such directory\n")
        result = try cli.run(["run", "--plans", aeStandard, "--data", file, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(result.status == 65)
        #expect(result.stderr == "--data \(file): not a directory; give the directory that holds transactions.csv, roster.csv and quotas.csv\n")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("r.sqlite").path))
    }

    /// Without a readable roster, the files whose rows name reps are not checked (every quota had
    /// been "not on the roster", a hundred of them listed and the rest dropped without a word).
    @Test func withoutTheRosterItsDependentsAreNotChecked() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try oneDeal(in: directory)
        try FileManager.default.moveItem(at: data.appendingPathComponent("roster.csv"), to: data.appendingPathComponent("roster.txt"))
        try writeFiles(["splits.csv": "txn,rep,share\nT1,R1,1\n"], to: data)
        let prefix = data.path + "/"
        let result = try cli.run(["validate", "--data", data.path])
        #expect(result.status == 65)
        #expect(result.stderr == """
            \(prefix)roster.csv: file not found; a data directory needs transactions.csv, roster.csv and quotas.csv (splits.csv and fx.csv are optional)
            \(prefix)transactions.csv: warning: not checked, because roster.csv could not be read
            \(prefix)quotas.csv: warning: not checked, because roster.csv could not be read
            \(prefix)splits.csv: warning: not checked, because roster.csv could not be read
            \(data.path): 1 error; the data is not valid

            """)
    }

    /// `--data` naming the directory above the data (`--data demo` for `demo/data`): each missing
    /// file names the directory that has it.
    @Test func aMissingFileNamesTheDirectoryInsideThatHasIt() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try oneDeal(in: directory)
        let result = try cli.run(["validate", "--data", directory.path])
        #expect(result.status == 65)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(
            lines.first
                == "\(directory.path)/transactions.csv: file not found; a data directory needs transactions.csv, roster.csv and quotas.csv "
                + "(splits.csv and fx.csv are optional); \(directory.path)/data has one: is --data \(directory.path)/data meant?",
            "\(result.stderr)")
        #expect(lines.filter { $0.hasSuffix("is --data \(directory.path)/data meant?") }.count == 3)
    }

    /// A data file that is a link to a file no longer there is said to be one, also an optional
    /// file (a dangling fx.csv had been read as no fx.csv at all, and a roster as "not found").
    @Test func aDanglingLinkIsNamedAsOne() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try oneDeal(in: directory)
        try FileManager.default.removeItem(at: data.appendingPathComponent("roster.csv"))
        try FileManager.default.createSymbolicLink(atPath: data.appendingPathComponent("roster.csv").path, withDestinationPath: "old/roster.csv")
        try FileManager.default.createSymbolicLink(atPath: data.appendingPathComponent("fx.csv").path, withDestinationPath: "rates.csv")
        let prefix = data.path + "/"
        let result = try cli.run(["validate", "--data", data.path])
        #expect(result.status == 65)
        #expect(result.stderr.hasPrefix("""
            \(prefix)roster.csv: a symbolic link to old/roster.csv, which is not found; link an existing file, or remove the link
            \(prefix)fx.csv: a symbolic link to rates.csv, which is not found; link an existing file, or remove the link

            """), "\(result.stderr)")
    }

    /// An export named as a data file the next run would read, or with a name longer than the
    /// file system takes, is refused before the run (the run had been stored, then the export
    /// failed, exit 73, and a retry stored it twice).
    @Test func exportsThatWouldFailOrHarmAreRefusedBeforeTheRun() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try oneDeal(in: directory)
        let db = directory.appendingPathComponent("r.sqlite").path
        let splits = data.appendingPathComponent("splits.csv").path
        var result = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", db, "--export-payouts", splits])
        #expect(result.status == 73)
        #expect(result.stderr == "--export-payouts \(splits) is the name of a data file, which the next run would read (\(splits)); give another file name\n")
        // 240 bytes fit the file system's 255, but not with the 21 of the temporary name.
        let long = directory.appendingPathComponent(String(repeating: "p", count: 236) + ".csv").path
        result = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", db, "--export-measures", long])
        #expect(result.status == 73)
        #expect(result.stderr == "--export-measures \(long): the file name is 240 bytes long; give one of at most 234 (the file system takes 255, and the file is first written under its name with up to 21 more)\n")
        #expect(!FileManager.default.fileExists(atPath: db))
        #expect(!FileManager.default.fileExists(atPath: splits))
        // `comp export` the same, also the first time (it had failed only once the file was there).
        #expect(try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", db]).status == 0)
        let export = try cli.run(["export", "measures", "--db", db, "--out", long])
        #expect(export.status == 73)
        #expect(export.stderr.hasSuffix("the file name is 240 bytes long; give one of at most 234 (the file system takes 255, and the file is first written under its name with up to 21 more)\n"), "\(export.stderr)")
        #expect(!FileManager.default.fileExists(atPath: long))
    }

    /// A damaged results database is bad input (65) that says what to do, not an internal error
    /// (70) quoting SQLite.
    @Test func aDamagedDatabaseSaysSo() throws {
        let (directory, data, db) = try oneDealRun(cli)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Every page after the first (the schema) overwritten with garbage.
        let handle = try #require(FileHandle(forUpdatingAtPath: db))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: 16384)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: Int(size) - 16384))
        try handle.close()
        let result = try cli.run(["export", "payouts", "--db", db, "--out", "-"])
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("the database file is damaged (SQLite: "), "\(result.stderr)")
        #expect(result.stderr.contains("restore it from a backup, or give a new --db"))
        let run = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", db])
        #expect(run.status == 65, "\(run.stderr)")
        #expect(run.stderr.contains("the database file is damaged (SQLite: "), "\(run.stderr)")
    }

    /// A database whose statements table was dropped outside comp says so, 65, wherever it is
    /// met (it had quoted SQLite's "no such table", with 70 or 73).
    @Test func aDatabaseMissingATableSaysSo() throws {
        let (directory, data, db) = try oneDealRun(cli)
        defer { try? FileManager.default.removeItem(at: directory) }
        try DatabaseQueue(path: db).write { db in
            try db.execute(sql: "DROP VIEW IF EXISTS payouts; DROP VIEW IF EXISTS measures; DROP TABLE statements")
        }
        let said = "the database lacks comp's table statements (changed outside comp?); restore it from a backup, or give a new --db\n"
        let export = try cli.run(["export", "payouts", "--db", db, "--out", "-"])
        #expect(export.status == 65, "\(export.stderr)")
        #expect(export.stderr == "comp export: reading payouts of run 1: " + said, "\(export.stderr)")
        let explain = try cli.run(["explain", "--db", db, "--rep", "R1", "--period", "2027-01"])
        #expect(explain.status == 65, "\(explain.stderr)")
        #expect(explain.stderr.hasSuffix(said), "\(explain.stderr)")
        let run = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", db])
        #expect(run.status == 65, "\(run.stderr)")
        #expect(run.stderr.hasSuffix("recording the run: " + said), "\(run.stderr)")
        #expect(try DatabaseQueue(path: db).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM runs") } == 1)
    }

    /// Only the page of the runs table damaged: finding the latest run, listing runs and
    /// recording one say the same, 65 (they had quoted SQLite, with 70 and 73).
    @Test func aDamagedRunsTableSaysSo() throws {
        let (directory, data, db) = try oneDealRun(cli)
        defer { try? FileManager.default.removeItem(at: directory) }
        let page = try DatabaseQueue(path: db).read { db in try Int.fetchOne(db, sql: "SELECT rootpage FROM sqlite_master WHERE name = 'runs'") }
        let handle = try #require(FileHandle(forUpdatingAtPath: db))
        try handle.seek(toOffset: UInt64((try #require(page) - 1) * 16384))
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 16384))
        try handle.close()
        for arguments in [
            ["export", "payouts", "--db", db, "--out", "-"], ["explain", "--db", db, "--rep", "R1", "--period", "2027-01"],
            ["run", "--plans", aeStandard, "--data", data.path, "--db", db],
        ] {
            let result = try cli.run(arguments)
            #expect(result.status == 65, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("the database file is damaged (SQLite: "), "\(arguments): \(result.stderr)")
        }
    }
}
