import CompCore
import Foundation
import GRDB
import RunResults
import Store
import Testing

@Suite struct ExportCommand {
    let cli = CLI()

    func storeWithTwoRuns(_ path: String) throws {
        let store = try ResultStore(path: path)
        let run = RunRecord(startedAt: "2027-02-01T00:00:00Z", finishedAt: "2027-02-01T00:00:01Z", engineVersion: "test", threads: 1, plans: ["AE-STD"], inputs: [])
        let usd = try #require(Currency(code: "USD"))
        let first = RunOutput(payouts: [
            PayoutLine(rep: "R1", period: "2027-01", plan: "AE-STD", component: "commission", order: 0, amount: FixedDecimal(units: 1_000_000), currency: usd)
        ])
        let second = RunOutput(
            payouts: [
                PayoutLine(rep: "R2", period: "2027-01", plan: "AE-STD", component: "total", order: 1, amount: FixedDecimal(units: 2_500_000), currency: usd),
                PayoutLine(rep: "R2", period: "2027-01", plan: "AE-STD", component: "commission", order: 0, amount: FixedDecimal(units: 2_500_000), currency: usd),
            ],
            measures: [
                MeasureValue(rep: "R2", period: "2027-01", plan: "AE-STD", measure: "attainment", order: 0, value: FixedDecimal(units: 431_384), digits: 6)
            ])
        _ = try store.record(run, output: first)
        _ = try store.record(run, output: second)
    }

    @Test func exportsTheLatestRunOrTheNamedOne() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("results.sqlite").path
        try storeWithTwoRuns(db)
        let out = directory.appendingPathComponent("payouts.csv").path
        #expect(try cli.run(["export", "payouts", "--db", db, "--out", out]).status == 0)
        #expect(
            try String(contentsOfFile: out, encoding: .utf8) == """
                rep,period,plan,component,amount,currency
                R2,2027-01,AE-STD,commission,2.50,USD
                R2,2027-01,AE-STD,total,2.50,USD

                """)
        #expect(try cli.run(["export", "payouts", "--db", db, "--out", out, "--run", "1"]).status == 0)
        #expect(try String(contentsOfFile: out, encoding: .utf8).hasSuffix("R1,2027-01,AE-STD,commission,1.00,USD\n"))
        let measures = try cli.run(["export", "measures", "--db", db, "--out", "-"])
        #expect(measures.stdout == "rep,period,plan,measure,value\nR2,2027-01,AE-STD,attainment,0.431384\n")
    }

    /// `--out` through a symbolic link replaces the file it points to and keeps the link; a device
    /// is written in place (renaming a temporary file over /dev/null would replace the device); a
    /// directory is refused.
    @Test func writesThroughLinksAndIntoDevices() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("results.sqlite").path
        try storeWithTwoRuns(db)
        let target = directory.appendingPathComponent("target.csv").path
        let link = directory.appendingPathComponent("link.csv").path
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: target))
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "target.csv")
        #expect(try cli.run(["export", "payouts", "--db", db, "--out", link]).status == 0)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "target.csv")
        #expect(try String(contentsOfFile: target, encoding: .utf8).hasPrefix("rep,period,plan,component,amount,currency\nR2,"))

        #expect(try cli.run(["export", "payouts", "--db", db, "--out", "/dev/null"]).status == 0)
        let null = try FileManager.default.attributesOfItem(atPath: "/dev/null")
        #expect(null[.type] as? FileAttributeType == .typeCharacterSpecial)

        // /dev/stdout on a pipe (the test reads standard output through one) is written in place.
        let piped = try cli.run(["export", "payouts", "--db", db, "--out", "/dev/stdout"])
        #expect(piped.status == 0)
        #expect(piped.stdout.hasPrefix("rep,period,plan,component,amount,currency\nR2,"))

        let loop = directory.appendingPathComponent("loop").path
        try FileManager.default.createSymbolicLink(atPath: loop, withDestinationPath: "loop")
        let looped = try cli.run(["export", "payouts", "--db", db, "--out", loop])
        #expect(looped.status == 73)
        #expect(looped.stderr == "cannot write \(loop): too many levels of symbolic links\n")

        let refused = try cli.run(["export", "payouts", "--db", db, "--out", directory.path])
        #expect(refused.status == 73)
        #expect(refused.stderr == "cannot write \(directory.path): it is a directory; give a file name\n")

        // A file no one may write (a payroll file locked once final) is left as it is, also
        // through a link, as `comp fmt` leaves one (it had been replaced, even as root).
        let final = directory.appendingPathComponent("final.csv").path
        try Data("final\n".utf8).write(to: URL(fileURLWithPath: final))
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: final)
        let finalLink = directory.appendingPathComponent("final-link.csv").path
        try FileManager.default.createSymbolicLink(atPath: finalLink, withDestinationPath: "final.csv")
        for out in [final, finalLink] {
            let locked = try cli.run(["export", "payouts", "--db", db, "--out", out])
            #expect(locked.status == 73)
            #expect(locked.stderr == "cannot write \(out): the file is read-only; make it writable or give another name\n")
        }
        #expect(try String(contentsOfFile: final, encoding: .utf8) == "final\n")

        // A directory that is not there is named, with what to do (as `comp run --export-payouts` says).
        let missing = directory.appendingPathComponent("no-such-dir/p.csv").path
        let nowhere = try cli.run(["export", "payouts", "--db", db, "--out", missing])
        #expect(nowhere.status == 73)
        #expect(nowhere.stderr == "cannot write \(missing): no directory \(directory.path)/no-such-dir; make it first\n")
        // A file where the directory should be is not a directory to make (the database here).
        let underFile = try cli.run(["export", "payouts", "--db", db, "--out", db + "/p.csv"])
        #expect(underFile.status == 73)
        #expect(underFile.stderr == "cannot write \(db)/p.csv: \(db) is a file, not a directory; give another path\n")
        // Also further up: no directory made could get past it.
        let deeper = try cli.run(["export", "payouts", "--db", db, "--out", db + "/out/p.csv"])
        #expect(deeper.status == 73)
        #expect(deeper.stderr == "cannot write \(db)/out/p.csv: \(db) is a file, not a directory; give another path\n")
    }

    @Test func explainsWhatIsMissing() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("empty.sqlite").path
        // No database at the path: said so, and none is left behind (export and explain only read).
        let absent = try cli.run(["export", "payouts", "--db", db, "--out", "-"])
        #expect(absent.status == 65)
        #expect(absent.stderr == "comp export: opening \(db): no results database there; `comp run --db \(db)` makes one\n")
        let explained = try cli.run(["explain", "--db", db, "--rep", "R1", "--period", "2027-01"])
        #expect(explained.status == 65)
        #expect(!FileManager.default.fileExists(atPath: db))
        _ = try ResultStore(path: db)
        let empty = try cli.run(["export", "payouts", "--db", db, "--out", "-"])
        #expect(empty.status == 65)
        #expect(empty.stderr == "comp export: \(db) has no completed run yet; run `comp run` first\n")
        try storeWithTwoRuns(db)
        let missing = try cli.run(["export", "payouts", "--db", db, "--out", "-", "--run", "9"])
        #expect(missing.status == 65)
        #expect(missing.stderr == "comp export: \(db) has no run 9\n")
        // A number no run can have is a usage error, however it is written (`--run -1` had been
        // read as a missing value, `--run=-1` as a run not found).
        // An option where the id should be is said to be no id (taken as the value, it is not read
        // as the option too).
        let option = try cli.run(["export", "payouts", "--out", "-", "--run", "--db", db])
        #expect(option.status == 64)
        #expect(option.stderr.hasPrefix("Error: The value '--db' is invalid for '--run <run>'"), "\(option.stderr)")
        for arguments in [["--run", "-1"], ["--run=-1"], ["--run", "0"]] {
            let export = try cli.run(["export", "payouts", "--db", db, "--out", "-"] + arguments)
            let explain = try cli.run(["explain", "--db", db, "--rep", "R1", "--period", "2027-01"] + arguments)
            for result in [export, explain] {
                #expect(result.status == 64, "\(arguments)")
                let id = arguments.last == "0" ? "0" : "-1"
                #expect(result.stderr.hasPrefix("Error: --run \(id) is not a run id; runs are numbered from 1 (the runs table of the database lists them)\n"))
            }
        }
        // A run recorded as failed (comp stores a run whole or not at all; an older engine or
        // another tool may not): refused by number, skipped by default.
        try DatabaseQueue(path: db).write { try $0.execute(sql: "UPDATE runs SET status = 'failed' WHERE id = 2") }
        let failed = try cli.run(["export", "payouts", "--db", db, "--out", "-", "--run", "2"])
        #expect(failed.status == 65)
        #expect(failed.stderr == "comp export: run 2 of \(db) did not complete (failed): its results are not whole; give a completed run\n")
        let failedExplained = try cli.run(["explain", "--db", db, "--rep", "R1", "--period", "2027-01", "--run", "2"])
        #expect(failedExplained.status == 65)
        #expect(failedExplained.stderr.contains("run 2 of \(db) did not complete (failed): its results are not whole; give a completed run"))
        let latest = try cli.run(["export", "payouts", "--db", db, "--out", "-"])
        let first = try cli.run(["export", "payouts", "--db", db, "--out", "-", "--run", "1"])
        #expect(latest.status == 0 && latest.stdout == first.stdout && !first.stdout.isEmpty)
    }
}
