import Foundation
import CompCore
import GRDB
import RunResults
import Store
import Testing

/// An empty `data` directory inside `directory`.
func dataDirectory(in directory: URL) throws -> URL {
    let data = directory.appendingPathComponent("data")
    try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
    return data
}

/// A data directory in `directory` with one rep (R1 on AE-STD), a January quota and one deal.
func oneDealData(in directory: URL) throws -> URL {
    let data = try dataDirectory(in: directory)
    try writeFiles([
        "roster.csv": "rep,name,plan,start\nR1,Ana,AE-STD,2026-01-01\n",
        "quotas.csv": "rep,period,amount\nR1,2027-01,1000\n",
        "transactions.csv": "id,date,rep,amount,currency,product,kind\nT1,2027-01-05,R1,500,USD,P,new\n",
    ], to: data)
    return data
}

/// Writes each file (name → text) into `directory`.
func writeFiles(_ files: [String: String], to directory: URL) throws {
    for (name, text) in files { try Data(text.utf8).write(to: directory.appendingPathComponent(name)) }
}

/// The reference plan's file.
let aeStandard = CLI.root.appendingPathComponent("Plans/examples/ae-standard.plan").path

/// A `data` directory inside `directory` with one AE-STD rep, R1 (target incentive 12,000, a
/// 2027-01 quota of 1,000), and one 1,500 USD deal on 2027-01-05.
/// A temporary directory with one deal (``oneDeal(in:)``) and a results database, `r.sqlite`,
/// holding its run of the reference plan.
func oneDealRun(_ cli: CLI) throws -> (directory: URL, data: URL, db: String) {
    let directory = try cli.temporaryDirectory()
    let data = try oneDeal(in: directory)
    let db = directory.appendingPathComponent("r.sqlite").path
    let run = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", db])
    try #require(run.status == 0, "\(run.stderr)")
    return (directory, data, db)
}

func oneDeal(in directory: URL) throws -> URL {
    let data = try dataDirectory(in: directory)
    try writeFiles([
        "roster.csv": "rep,name,plan,start,target_incentive\nR1,Ana,AE-STD,2026-01-01,12000\n",
        "quotas.csv": "rep,period,amount\nR1,2027-01,1000\n",
        "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-05,R1,1500,USD,new\n",
    ], to: data)
    return data
}


/// The last line of a run that stopped on a payee it could not compute.
let runStopped = "the run stopped; nothing was stored (correct the plan or the data, then run it again)"

@Suite struct RunCommand {
    let cli = CLI()

    /// A plan crediting `to splits` and paying 10% of the credits.
    static let splitPlan = """
        plan "SPL" {
          currency USD
          period month
          credit sales {
            amount fx(txn.amount)
            to splits
          }
          measure bookings = sum(sales)
          component commission = bookings * 10%
        }

        """

    /// The pivot of REFERENCE_PLAN.md from the two exports.
    func pivot(payouts: String, measures: String) -> String {
        var values: [String: [String: String]] = [:]
        var keys: [String] = []
        for line in measures.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let key = fields[0] + "," + fields[1]
            if values[key] == nil { keys.append(key) }
            values[key, default: [:]][fields[3]] = fields[4]
        }
        for line in payouts.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            values[fields[0] + "," + fields[1], default: [:]][fields[3]] = fields[4]
        }
        var out = "rep,month,bookings,attainment,commission,spiff,bonus,capped_total\n"
        for key in keys {
            let v = values[key] ?? [:]
            out += [key, v["bookings"], v["attainment"], v["commission"], v["spiff"], v["bonus"], v["total"]].map { $0 ?? "?" }
                .joined(separator: ",") + "\n"
        }
        return out
    }

    /// What a run stores (statements, traces, rejects, reconciliation, inputs) is the same
    /// whatever the thread count: shards end at payee boundaries, and trace numbers run on.
    @Test func theStoredRunIsTheSameForAnyThreadCount() throws {
        let data = CLI.root.appendingPathComponent("Tests/ReferenceData/ae-10k").standardizedFileURL.path
        try #require(FileManager.default.fileExists(atPath: data + "/transactions.csv"))
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = aeStandard
        var dumps: [String] = []
        for threads in ["1", "3", "8"] {
            let db = directory.appendingPathComponent("run-\(threads).sqlite").path
            let run = try cli.run(["run", "--plans", plan, "--data", data, "--db", db, "--threads", threads])
            #expect(run.status == 0, "\(run.stderr)")
            dumps.append(
                try DatabaseQueue(path: db).read { db in
                    var text = ""
                    for query in [
                        "SELECT run_id, rep, period, plan, trace_first, trace_last, lines, measures, hex(transactions) FROM statements ORDER BY rowid",
                        "SELECT * FROM trace_rules ORDER BY run_id, id",
                        "SELECT run_id, id, plan, component, rule, source, tier, rate, base, limit_applied, hex(transactions) FROM traces ORDER BY id",
                        "SELECT * FROM rejects ORDER BY rowid", "SELECT * FROM reconciliation ORDER BY rowid",
                        "SELECT * FROM run_inputs ORDER BY rowid",
                    ] {
                        for row in try Row.fetchAll(db, sql: query) { text += row.description + "\n" }
                    }
                    return text
                })
        }
        #expect(dumps[0].contains("rep:\"R000001\" period:\"2027-01\""))
        // The data files are hashed while the run goes on (partly on an idle-priority thread, then
        // finished on another): what is stored is `sha256sum` of each file.
        for (file, sha256) in [
            ("transactions.csv", "ff18df658b18f8b4323a969f4f90a427b360f2e54816a54530ceab4f1b28251d"),
            ("roster.csv", "0a3fd22aadfe9729acd7f2724bdb48bab0ecec574af6295db7675d102deceb7a"),
            ("quotas.csv", "a28ad0d9dac5e869983bfe9e45068bdda50eb3df9240f3a47d2190fe735a11ea"),
            ("fx.csv", "3abc72545d1c96955ceff3ad23dec9d0f3f14963ad525a8ddcbec8c6f09e75d6"),
        ] {
            #expect(dumps[0].contains("path:\"\(data)/\(file)\" sha256:\"\(sha256)\""), "\(file)")
        }
        #expect(dumps[1] == dumps[0])
        #expect(dumps[2] == dumps[0])
    }

    /// Two rep ids that print the same but differ in bytes (a composed é, and e with an accent)
    /// are two payees in the summary as in the exports (they had been counted as one); `comp
    /// explain` quotes an id with a comma in it, so its list reads one way only.
    @Test func idsAreCountedByTheirBytesAndListedUnambiguously() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = [
            "roster.csv": "rep,name,plan,start\nR\u{E9},Ana,AE-STD,2026-01-01\nRe\u{301},Ben,AE-STD,2026-01-01\n",
            "quotas.csv": "rep,period,amount\nR\u{E9},2027-01,1000\nRe\u{301},2027-01,1000\n",
            "transactions.csv": "id,date,rep,amount,currency,kind\n\"T1, T2\",2027-01-05,R\u{E9},100,USD,new\nT3,2027-01-06,R\u{E9},50,USD,new\n"
                + "T4,2027-01-07,Re\u{301},10,USD,new\n",
        ]
        for (name, text) in files { try Data(text.utf8).write(to: directory.appendingPathComponent(name)) }
        let plan = directory.appendingPathComponent("one-month.plan").path
        let text = try String(contentsOfFile: aeStandard, encoding: .utf8)
            .replacingOccurrences(of: "effective 2027-01-01 to 2027-12-31", with: "effective 2027-01-01 to 2027-01-31")
        try text.write(toFile: plan, atomically: true, encoding: .utf8)
        let db = directory.appendingPathComponent("r.sqlite").path
        let run = try cli.run(["run", "--plans", plan, "--data", directory.path, "--db", db])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("run 1: plan AE-STD, 2 payees, 1 period (2027-01)\n"), "\(run.stdout)")
        let explain = try cli.run(["explain", "--db", db, "--rep", "R\u{E9}", "--period", "2027-01"], in: directory)
        #expect(explain.stdout.hasSuffix("transactions: (2) \"T1, T2\", T3\n"), "\(explain.stdout)")
    }

    /// Credit rules that would credit more than a run keeps in memory stop the run with a
    /// message, and leave nothing behind (100 rules over 1M rows had run the machine out of memory
    /// and been killed). COMP_MAX_CREDITS sets the limit low here; the 10,000 rows need 10,000.
    @Test func creditsPastTheMemoryLimitStopTheRunWithAMessage() throws {
        let data = CLI.root.appendingPathComponent("Tests/ReferenceData/ae-10k").standardizedFileURL.path
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("r.sqlite").path
        let stopped = try cli.run(["run", "--plans", aeStandard, "--data", data, "--db", db], environment: ["COMP_MAX_CREDITS": "5000"])
        #expect(stopped.status == 65)
        #expect(stopped.stderr.hasPrefix(
            "plan AE-STD: its credit rule credits more than 5000 times (each rule, each row it takes, each recipient), more than "
                + "COMP_MAX_CREDITS allows (about 16 bytes a credit); raise it, use fewer credit rules, or run the ledger in parts"),
            "\(stopped.stderr)")
        #expect(!FileManager.default.fileExists(atPath: db))
        // A value that is no limit is refused, not ignored.
        let unread = try cli.run(["run", "--plans", aeStandard, "--data", data, "--db", db], environment: ["COMP_MAX_CREDITS": "5k"])
        #expect(unread.status == 64)
        #expect(unread.stderr.hasPrefix("Error: COMP_MAX_CREDITS=\"5k\": give a whole number above 0 (the most credits a run keeps), or unset it"), "\(unread.stderr)")
        let huge = try cli.run(["run", "--plans", aeStandard, "--data", data, "--db", db], environment: ["COMP_MAX_CREDITS": "99999999999999999999"])
        #expect(huge.status == 64)
        #expect(huge.stderr.hasPrefix("Error: COMP_MAX_CREDITS=\"99999999999999999999\" is more than this machine counts to (9223372036854775807)"), "\(huge.stderr)")
        // Empty is unset: the run is stored.
        let emptyDB = directory.appendingPathComponent("empty.sqlite").path
        let empty = try cli.run(["run", "--plans", aeStandard, "--data", data, "--db", emptyDB], environment: ["COMP_MAX_CREDITS": ""])
        #expect(empty.status == 0, "\(empty.stderr)")
        // The limit is on the run's total, whatever the threads and wherever the credits fall in
        // the file (a share per shard had refused a run at one thread count and not another): the
        // 10,000 credits pass a limit of 10,000 and are refused at 9,999, at 1 and 2 threads.
        try expectCreditLimit(exactly: 10000, plan: aeStandard, data: data, db: db)
    }

    /// Runs `plan` under `COMP_MAX_CREDITS` of `credits` (it must run) and one less (it must be
    /// refused), at 1 and 2 threads.
    func expectCreditLimit(exactly credits: Int, plan: String, data: String, db: String) throws {
        for (limit, status) in [(credits, Int32(0)), (credits - 1, Int32(65))] {
            for threads in ["1", "2"] {
                try? FileManager.default.removeItem(atPath: db)
                let run = try cli.run(
                    ["run", "--plans", plan, "--data", data, "--db", db, "--threads", threads], environment: ["COMP_MAX_CREDITS": "\(limit)"])
                #expect(run.status == status, "limit \(limit), threads \(threads): \(run.stderr)")
            }
        }
    }

    /// Credits charged back to their deal's earlier period (`charge original_period`) count
    /// toward the limit like the others (they had not: a run over the limit passed). The sample
    /// on the clawback plan credits 2,000 times in all.
    @Test func creditsChargedBackCountTowardTheLimit() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data").path
        #expect(try cli.run(["sample", "--reps", "10", "--txns", "2000", "--out", data]).status == 0)
        let roster = try String(contentsOfFile: data + "/roster.csv", encoding: .utf8).replacingOccurrences(of: ",AE-STD,", with: ",CLAW-DEMO,")
        try roster.write(toFile: data + "/roster.csv", atomically: true, encoding: .utf8)
        let plan = CLI.root.appendingPathComponent("Plans/examples/clawbacks-holdbacks.plan").path
        let db = directory.appendingPathComponent("r.sqlite").path
        try expectCreditLimit(exactly: 2000, plan: plan, data: data, db: db)
    }

    /// A plan whose id no roster row names pays no one, and says why, with the id it most likely
    /// means (it had said "0 payees" and nothing more).
    @Test func aPlanIDTheRosterDoesNotNameIsWarnedWithTheOneMeant() throws {
        let data = CLI.root.appendingPathComponent("Tests/ReferenceData/ae-10k").standardizedFileURL.path
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = directory.appendingPathComponent("typo.plan").path
        let text = try String(contentsOfFile: aeStandard, encoding: .utf8).replacingOccurrences(of: "\"AE-STD\"", with: "\"AE_STD\"")
        try text.write(toFile: plan, atomically: true, encoding: .utf8)
        let run = try cli.run(["run", "--plans", plan, "--data", data, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("run 1: plan AE_STD, 0 payees, no periods\n"))
        #expect(run.stderr.contains(
            "warning: plan AE_STD has no payees: no roster row names it; did you mean AE-STD? (the plan file's id and the roster's plan column must match exactly)\n"))
    }

    @Test func referencePlanOnTheSharedTenThousandSet() throws {
        let data = CLI.root.appendingPathComponent("Tests/ReferenceData/ae-10k").standardizedFileURL.path
        try #require(FileManager.default.fileExists(atPath: data + "/expected-payouts.csv"))
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("results.sqlite").path
        let plan = aeStandard
        let run = try cli.run(["run", "--plans", plan, "--data", data, "--db", db])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("run 1: plan AE-STD, 100 payees, 12 periods (2027-01 … 2027-12)\n"))
        #expect(run.stderr.contains("warning: 15 payees on plan MGR-OVR left out (no plan file for it in this run)"))
        #expect(!run.stdout.contains("warning:"))
        let payouts = try cli.run(["export", "payouts", "--db", db, "--out", "-"])
        let measures = try cli.run(["export", "measures", "--db", db, "--out", "-"])
        let expected = try String(contentsOfFile: data + "/expected-payouts.csv", encoding: .utf8)
        #expect(pivot(payouts: payouts.stdout, measures: measures.stdout) == expected)

        // The run can write the same two files itself, and they are the exports of the run it stored.
        let payoutsFile = directory.appendingPathComponent("payouts.csv").path
        let measuresFile = directory.appendingPathComponent("measures.csv").path
        let second = try cli.run([
            "run", "--plans", plan, "--data", data, "--db", db, "--export-payouts", payoutsFile, "--export-measures", measuresFile,
        ])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.hasPrefix("run 2: "))
        #expect(try String(contentsOfFile: payoutsFile, encoding: .utf8) == payouts.stdout)
        #expect(try String(contentsOfFile: measuresFile, encoding: .utf8) == measures.stdout)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.contains(".tmp-") }.isEmpty)
    }

    @Test func anEvaluationErrorLeavesTheDatabaseAsItWas() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start,target_incentive\nR1,Ana,AE-STD,2026-01-01,12000\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,1000\nR1,2027-02,1000\n",
            "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-05,R1,1500,USD,new\nT2,2027-02-06,R1,500,USD,new\n",
        ], to: data)
        let db = directory.appendingPathComponent("r.sqlite").path
        let plan = aeStandard
        let first = try cli.run(["run", "--plans", plan, "--data", data.path, "--db", db])
        #expect(first.status == 0, "\(first.stderr)")
        // February's quota is gone: evaluating February fails after January's lines were written.
        try writeFiles(["quotas.csv": "rep,period,amount\nR1,2027-01,1000\n"], to: data)
        let payoutsFile = directory.appendingPathComponent("payouts.csv").path
        let failed = try cli.run(["run", "--plans", plan, "--data", data.path, "--db", db, "--export-payouts", payoutsFile])
        #expect(failed.status == 65)
        #expect(failed.stderr.contains("ae-standard.plan:25:31: rep R1, 2027-02: no quota for measure bookings in 2027-02 in quotas.csv"), "\(failed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: payoutsFile))
        let payouts = try cli.run(["export", "payouts", "--db", db, "--out", "-"])
        #expect(payouts.stdout.split(separator: "\n").count == 1 + 8)  // run 1's two months, four lines each
        let second = try cli.run(["export", "payouts", "--db", db, "--out", "-", "--run", "2"])
        #expect(second.status == 65)
        #expect(second.stderr.contains("has no run 2"))
    }

    /// An export that cannot be written once the run is stored (a full disk: /dev/full) says the
    /// run is there and how to write the export from it: exit 73, and that command works.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func anExportThatFailsAfterTheRunIsStoredSaysHowToWriteIt() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start,target_incentive\nR1,Ana,AE-STD,2026-01-01,12000\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,1000\n",
            "transactions.csv": "id,date,rep,amount,currency,kind,product\nT1,2027-01-05,R1,1500,USD,new,A\n",
        ], to: data)
        let db = directory.appendingPathComponent("r.sqlite").path
        let run = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", db, "--export-payouts", "/dev/full"])
        #expect(run.status == 73)
        #expect(
            run.stderr == "run 1 is stored, but /dev/full could not be written: No space left on device; "
                + "`comp export payouts|measures --db \(db) --run 1 --out FILE` writes it from the stored run\n", "\(run.stderr)")
        // The stored run's summary is printed all the same, naming no export.
        #expect(run.stdout.hasPrefix("run 1: plan AE-STD, 1 payee, 1 period (2027-01)\n"), "\(run.stdout)")
        let stored = try #require(run.stdout.split(separator: "\n").last { $0.hasPrefix("stored in \(db) in ") })
        #expect(stored.hasSuffix("s; `comp export payouts --db \(db) --out payouts.csv` writes the payouts"), "\(run.stdout)")
        #expect(!run.stdout.contains("/dev/full"), "\(run.stdout)")
        let payouts = try cli.run(["export", "payouts", "--db", db, "--run", "1", "--out", "-"])
        #expect(payouts.status == 0)
        #expect(payouts.stdout.split(separator: "\n").count == 1 + 4)
    }

    /// An export naming the database, an input or the other export is refused before anything
    /// is read (the run was stored, then replaced by a CSV); so is a database path that is not a
    /// file comp can use. Each with exit 73 and nothing changed.
    @Test func outputsNeverReplaceTheDatabaseOrTheInputs() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        let ledger = "id,date,rep,amount,currency,kind\nT1,2027-01-05,R1,1500,USD,new\n"
        try writeFiles([
            "roster.csv": "rep,name,plan,start,target_incentive\nR1,Ana,AE-STD,2026-01-01,12000\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,1000\n",
            "transactions.csv": ledger,
        ], to: data)
        let db = directory.appendingPathComponent("r.sqlite").path
        let plan = aeStandard
        let first = try cli.run(["run", "--plans", plan, "--data", data.path, "--db", db])
        #expect(first.status == 0, "\(first.stderr)")
        let stored = try Data(contentsOf: URL(fileURLWithPath: db))
        let base = ["run", "--plans", plan, "--data", data.path, "--db", db]
        let ledgerPath = data.path + "/transactions.csv"
        let cases: [([String], String)] = [
            (["--export-payouts", db], "--export-payouts \(db) is the results database (\(db)); give another file name"),
            (["--export-measures", db + "-journal"],
             "--export-measures \(db)-journal is the results database's journal (\(db)-journal); give another file name"),
            (["--export-measures", data.path + "/../data/transactions.csv"],
             "--export-measures \(data.path)/../data/transactions.csv is an input file (\(ledgerPath)); give another file name"),
            (["--export-payouts", plan], "--export-payouts \(plan) is a plan file (\(plan)); give another file name"),
            (["--export-payouts", directory.path + "/p.csv", "--export-measures", directory.path + "/./p.csv"],
             "--export-measures \(directory.path)/./p.csv is the --export-payouts file (\(directory.path)/p.csv); give another file name"),
            (["--export-payouts", directory.path + "/missing/p.csv"],
             "--export-payouts \(directory.path)/missing/p.csv: no directory \(directory.path)/missing; make it first"),
            (["--export-payouts", db + "/p.csv"], "--export-payouts \(db)/p.csv: \(db) is a file, not a directory; give another path"),
            // Refused before the run, not once it is stored.
            (["--export-payouts", directory.path + "/outdir"], "--export-payouts \(directory.path)/outdir: it is a directory; give a file name"),
            (["--export-payouts", directory.path + "/loopa"], "--export-payouts \(directory.path)/loopa: too many levels of symbolic links"),
            // One new file, reached through a linked directory and directly.
            (["--export-payouts", directory.path + "/dl/p.csv", "--export-measures", directory.path + "/p.csv"],
             "--export-measures \(directory.path)/p.csv is the --export-payouts file (\(directory.path)/dl/p.csv); give another file name"),
        ]
        try FileManager.default.createDirectory(atPath: directory.path + "/outdir", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/loopa", withDestinationPath: "loopb")
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/loopb", withDestinationPath: "loopa")
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/dl", withDestinationPath: directory.path)
        for (options, message) in cases {
            let refused = try cli.run(base + options)
            #expect(refused.status == 73)
            #expect(refused.stderr == message + "\n")
        }
        let underFile = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", db + "/r.sqlite"])
        #expect(underFile.status == 73)
        #expect(underFile.stderr.contains("--db \(db)/r.sqlite: \(db) is a file, not a directory; give another path"), "\(underFile.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == stored)
        #expect(try String(contentsOfFile: ledgerPath, encoding: .utf8) == ledger)
        #expect(try cli.run(["export", "payouts", "--db", db, "--out", "-"]).stdout.split(separator: "\n").count == 5)  // run 1 only
        // A new database, named again through a linked directory by an export: refused, nothing made.
        let newDatabase = directory.path + "/new.sqlite"
        let replacing = try cli.run(["run", "--plans", plan, "--data", data.path, "--db", newDatabase, "--export-payouts", directory.path + "/dl/new.sqlite"])
        #expect(replacing.status == 73)
        #expect(replacing.stderr == "--export-payouts \(directory.path)/dl/new.sqlite is the results database (\(newDatabase)); give another file name\n")
        #expect(!FileManager.default.fileExists(atPath: newDatabase))
        // A plan's input table in a folder of the data directory is an input too.
        try FileManager.default.createDirectory(atPath: data.path + "/sub", withIntermediateDirectories: true)
        let scores = "rep,period,score\nR1,2027-01,80%\n"
        try writeFiles(["sub/mbo.csv": scores], to: data)
        let mboPlan = directory.path + "/mbo.plan"
        try Data(
            """
            plan "AE-STD" {
              currency USD
              period month
              input mbo from "sub/mbo.csv" column "score": rate
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              component bonus = 100 USD * mbo
            }

            """.utf8
        ).write(to: URL(fileURLWithPath: mboPlan))
        let table = data.path + "/sub/mbo.csv"
        let overTable = try cli.run(["run", "--plans", mboPlan, "--data", data.path, "--db", db, "--export-payouts", table])
        #expect(overTable.status == 73)
        #expect(overTable.stderr == "--export-payouts \(table) is an input table of a plan (\(table)); give another file name\n")
        #expect(try String(contentsOfFile: table, encoding: .utf8) == scores)
        // A device replaces nothing: both exports may go to /dev/null.
        let discarded = try cli.run(base + ["--export-payouts", "/dev/null", "--export-measures", "/dev/null"])
        #expect(discarded.status == 0, "\(discarded.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/p.csv"))

        // A database path that is a directory, or another program's file, is refused and left alone.
        let foreign = directory.appendingPathComponent("notes.sqlite").path
        try DatabaseQueue(path: foreign).write { try $0.execute(sql: "CREATE TABLE notes (text TEXT)") }
        let foreignBytes = try Data(contentsOf: URL(fileURLWithPath: foreign))
        for (path, reason) in [
            (foreign, "not a comp results database; give a new file name or one `comp run` made"),
            (data.path, "not a regular file (a directory, device or pipe); give a database file name"),
        ] {
            let refused = try cli.run(["run", "--plans", plan, "--data", data.path, "--db", path])
            #expect(refused.status == 73)
            #expect(refused.stderr == "opening \(path): \(reason)\n")
            let exported = try cli.run(["export", "payouts", "--db", path, "--out", "-"])
            #expect(exported.status == 65)
            #expect(exported.stderr == "comp export: opening \(path): \(reason)\n")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: foreign)) == foreignBytes)
    }

    /// A run into a database another connection holds (a writer mid-transaction, its journal
    /// beside the file) waits for it, as it waits at its commit: it had failed at once, "in use".
    @Test func aRunWaitsForADatabaseHeldAMoment() throws {
        let (directory, data, db) = try oneDealRun(cli)
        defer { try? FileManager.default.removeItem(at: directory) }
        let holder = try DatabaseQueue(path: db)
        let holding = DispatchSemaphore(value: 0)
        let released = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            try? holder.writeWithoutTransaction { db in
                // A write, so that its journal holds pages (a run looks at a journal beside the
                // file as a killed run's before anything else).
                try db.execute(sql: "BEGIN EXCLUSIVE; CREATE TABLE scratch (x)")
                holding.signal()
                Thread.sleep(forTimeInterval: 1)
                try db.execute(sql: "ROLLBACK")
            }
            released.signal()
        }
        holding.wait()
        let run = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", db])
        released.wait()
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try holder.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM runs") } == 2)
    }

    /// A run into a database SQLite finds damaged is refused before anything is read, and the file
    /// is left as it was (it had been written into, and an export of an earlier run then failed on
    /// a malformed statement).
    @Test func aDamagedDatabaseIsNotWrittenInto() throws {
        let (directory, data, db) = try oneDealRun(cli)
        defer { try? FileManager.default.removeItem(at: directory) }
        // The page of the statements' index, its b-tree header overwritten: the migrations' table
        // still reads, so the file is comp's, but its index is no b-tree.
        let root = try DatabaseQueue(path: db).read { db in
            try Int.fetchOne(db, sql: "SELECT rootpage FROM sqlite_master WHERE name = 'statements_by_run'")
        }
        let page = try #require(root)
        let handle = try #require(FileHandle(forUpdatingAtPath: db))
        try handle.seek(toOffset: UInt64((page - 1) * 16384))
        try handle.write(contentsOf: Data(repeating: 0x7F, count: 12))
        try handle.close()
        let damaged = try Data(contentsOf: URL(fileURLWithPath: db))
        let refused = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", db])
        #expect(refused.status == 65)
        #expect(refused.stderr.hasPrefix("opening \(db): the database file is damaged (SQLite's quick_check: "), "\(refused.stderr)")
        #expect(refused.stderr.hasSuffix("); nothing was written to it; restore it from a backup, or give a new --db\n"), "\(refused.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == damaged)
    }

    /// A database path is a file name, never an SQLite URI or in-memory name (a run "stored" in
    /// `:memory:` kept nothing, and `file:r.sqlite` slipped past the export check); and no command
    /// writes its output over one of its inputs.
    @Test func pathsAreFilesAndOutputsAreNotInputs() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try oneDeal(in: directory)  // read as "data", relative to the directory
        let plan = aeStandard
        for name in ["file:r.sqlite", ":memory:"] {
            let run = try cli.run(["run", "--plans", plan, "--data", "data", "--db", name], in: directory)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path), "\(name)")
        }
        let empty = try cli.run(["run", "--plans", plan, "--data", "data", "--db", ""], in: directory)
        #expect(empty.status == 64)
        #expect(empty.stderr.hasPrefix("Error: --db is empty; give a path (is a shell variable unset?)\n"))

        let export = try cli.run(["export", "payouts", "--db", "file:r.sqlite", "--out", "./file:r.sqlite"], in: directory)
        #expect(export.status == 73)
        #expect(export.stderr == "cannot write ./file:r.sqlite: it is file:r.sqlite, an input of this command; give another file name\n")
        // Nor over a file SQLite keeps beside it: a CSV written as the journal was taken by the next
        // command for an unfinished run's journal, and deleted.
        let journal = try cli.run(["export", "payouts", "--db", "file:r.sqlite", "--out", "file:r.sqlite-journal"], in: directory)
        #expect(journal.status == 73)
        #expect(
            journal.stderr
                == "cannot write file:r.sqlite-journal: it is file:r.sqlite-journal, the results database's journal; give another file name\n")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("file:r.sqlite-journal").path))
        let copy = directory.appendingPathComponent("ae.plan").path
        try FileManager.default.copyItem(atPath: plan, toPath: copy)
        let original = try String(contentsOfFile: copy, encoding: .utf8)
        let exportPlan = try cli.run(["export-plan", copy, "--out", copy])
        #expect(exportPlan.status == 73)
        #expect(try String(contentsOfFile: copy, encoding: .utf8) == original)
        let xml = directory.appendingPathComponent("ae.xml").path
        #expect(try cli.run(["export-plan", copy, "--out", xml]).status == 0)
        #expect(try cli.run(["import", xml, "--out", directory.path + "/./ae.xml"]).status == 73)
    }

    /// An export replacing a file keeps its mode, and its temporary file is made new, never
    /// through a link someone put in its place.
    @Test func exportsKeepTheModeOfTheFileTheyReplace() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try oneDeal(in: directory)
        let payouts = directory.appendingPathComponent("payouts.csv").path
        try Data("old".utf8).write(to: URL(fileURLWithPath: payouts))
        #expect(chmod(payouts, 0o600) == 0)
        let plan = aeStandard
        let run = try cli.run([
            "run", "--plans", plan, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path,
            "--export-payouts", payouts,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: payouts)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try String(contentsOfFile: payouts, encoding: .utf8).hasPrefix("rep,period,plan,component,amount,currency\nR1,2027-01,AE-STD,"))
        // A new database is put there whole, with no journal beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["data", "payouts.csv", "r.sqlite"])
    }

    /// With --quarantine, a transaction whose split rows were all rejected is credited to no one
    /// (its own rep was never named by splits.csv), and the reconciliation says why; every
    /// rejected split row has its reason stored.
    @Test func aTransactionWithRejectedSplitsIsCreditedToNoOne() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,SPL,2026-01-01\nR2,Ben,SPL,2026-01-01\nR3,Cy,SPL,2026-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv":
                "id,date,rep,amount,currency\nT1,2027-01-05,R1,1000,USD\nT2,2027-01-06,R1,2000,USD\nT3,2027-01-07,R1,4000,USD\nT4,2027-01-08,R1,8000,USD\n",
            // T1: 0.5 + 0.2 (both rows rejected); T2: a share of 0 (rejected); T3 split evenly;
            // T4: R9's row rejected, so R2's half is not used either (it had been credited alone).
            "splits.csv": "txn,rep,share\nT1,R2,0.5\nT1,R3,0.2\nT2,R2,0\nT3,R2,0.5\nT3,R3,0.5\nT4,R2,0.5\nT4,R9,0.5\n",
        ], to: data)
        let plan = directory.appendingPathComponent("spl.plan")
        try Data(Self.splitPlan.utf8).write(to: plan)
        let db = directory.appendingPathComponent("r.sqlite").path
        let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", db, "--quarantine"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("transactions.csv: 4 rows, 4 accepted, 0 rejected; 3 excluded: its rows in splits.csv were rejected (who shares the credit is not known)"))
        #expect(run.stdout.contains("splits.csv: 7 rows, 2 accepted, 5 rejected"))
        // Only T3 is credited: 2,000 each to R2 and R3, 10% of it paid; R1 gets nothing.
        let payouts = try cli.run(["export", "payouts", "--db", db, "--out", "-"])
        #expect(payouts.stdout.split(separator: "\n").filter { $0.contains(",commission,") } == [
            "R1,2027-01,SPL,commission,0.00,USD", "R2,2027-01,SPL,commission,200.00,USD", "R3,2027-01,SPL,commission,200.00,USD",
        ])
        let rejects = try DatabaseQueue(path: db).read { db in
            try String.fetchAll(db, sql: "SELECT line || ': ' || message FROM rejects WHERE file LIKE '%splits.csv' ORDER BY line")
        }
        #expect(rejects == [
            "2: split shares of transaction \"T1\" add up to 0.7, not 1",
            "3: split shares of transaction \"T1\" add up to 0.7, not 1",
            "4: share \"0\" must be greater than 0 and at most 1",
            "7: transaction \"T4\" has a rejected split row (line 8): its other rows are not used until that row is corrected",
            "8: rep \"R9\" is not on the roster",
        ])
    }

    /// A what-if run's explanation says the parameter values it ran with: the plan file its lines
    /// cite says otherwise (4% paid where the file says 3%, and nothing had told them apart). Only
    /// those of the rep's own plan: another plan of the run that declares no such parameter was
    /// said to have been given it.
    @Test func explainSaysAWhatIfRunsParameters() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,PARAM=DEMO,2026-01-01\nR2,Bo,FLAT,2026-01-01\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,1000\nR2,2027-01,1000\n",
            "transactions.csv": "id,date,rep,amount,currency,product\nT1,2027-01-05,R1,1500,USD,WIDGET-Y\nT2,2027-01-06,R2,1000,USD,WIDGET-Y\n",
        ], to: data)
        // The plan's id holds a '=' (options are stored as key=value lines).
        let plan = directory.appendingPathComponent("parameters.plan").path
        try Data(
            try String(contentsOfFile: CLI.root.appendingPathComponent("Plans/examples/parameters.plan").path, encoding: .utf8)
                .replacingOccurrences(of: "\"PARAM-DEMO\"", with: "\"PARAM=DEMO\"").utf8
        ).write(to: URL(fileURLWithPath: plan))
        let flat = directory.appendingPathComponent("flat.plan")
        try Data(
            "plan \"FLAT\" {\n  currency USD\n  period month\n  credit sales {\n    amount fx(txn.amount)\n  }\n  measure bookings = sum(sales)\n  component commission = bookings * 1%\n}\n"
                .utf8
        ).write(to: flat)
        let db = directory.appendingPathComponent("r.sqlite").path
        let run = try cli.run(["run", "--plans", plan, "--plans", flat.path, "--data", data.path, "--db", db, "--param", "base_rate=4%"])
        #expect(run.status == 0, "\(run.stderr)")
        let explain = try cli.run(["explain", "--db", db, "--rep", "R1", "--period", "2027-01"])
        let lines = explain.stdout.split(separator: "\n").map(String.init)
        #expect(lines.dropFirst().first == "parameters set for this run (the plan file says otherwise): base_rate=4%", "\(explain.stdout)")
        // 4% of 1,500.
        #expect(lines.contains { $0.hasPrefix("  commission") && $0.contains("60.00 USD") }, "\(explain.stdout)")
        // FLAT pays 1% of 1,000 and has no parameter: nothing said of one.
        let other = try cli.run(["explain", "--db", db, "--rep", "R2", "--period", "2027-01"])
        #expect(other.status == 0, "\(other.stderr)")
        #expect(!other.stdout.contains("parameters set"), "\(other.stdout)")
        #expect(other.stdout.contains("10.00 USD"), "\(other.stdout)")
        // A run stored before the plans of each override were recorded names every override, for
        // every plan (nothing says which plan declares which).
        try DatabaseQueue(path: db).write { db in
            let options = try String.fetchOne(db, sql: "SELECT options FROM runs") ?? ""
            let older = options.split(separator: "\n").filter { !$0.hasPrefix("overridden_in.") }.joined(separator: "\n")
            #expect(older != options)
            try db.execute(sql: "UPDATE runs SET options = ?", arguments: [older])
        }
        let older = try cli.run(["explain", "--db", db, "--rep", "R2", "--period", "2027-01"])
        #expect(older.stdout.contains("\nparameters set for this run (the plan file says otherwise): base_rate=4%\n"), "\(older.stdout)")
        // A line break in --rep is escaped in the message, not printed as a line of its own.
        let odd = try cli.run(["explain", "--db", db, "--rep", "R1\nforged", "--period", "2027-01"])
        #expect(odd.status == 65)
        #expect(odd.stderr.contains("no payouts for rep \"R1\\nforged\""), "\(odd.stderr)")
    }

    /// Rejected split rows leave a deal out only for a plan that reads splits: the reference plan
    /// credits its rep, and its row left out for its date is said to be so (both had been
    /// "its rows in splits.csv were rejected"). A managers-only plan run alone leaves a manager's
    /// own deal out because there is no manager above to roll it up to, and says that.
    @Test func exclusionReasonsOfPlansWithoutSplitsAndOfManagersOnlyPlans() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,manager,plan,start,end,currency,target_incentive\n"
                + "V1,Vi,,MGR-OVR,2026-01-01,,USD,50000\nR1,Ana,V1,AE-STD,2026-01-01,,USD,12000\n",
            "quotas.csv": "rep,period,amount\nV1,2026-12,1000\nR1,2027-01,1000\nV1,2027-01,1000\nR1,2027-02,1000\nV1,2027-02,1000\n",
            "transactions.csv": "id,date,rep,amount,currency,product,kind\n"
                + "H0,2026-12-15,R1,100,USD,P,new\nH1,2027-01-05,R1,200,USD,P,new\nH2,2027-02-05,V1,300,USD,P,new\n",
            // H0's and H1's shares add up to 0.9: both rows rejected.
            "splits.csv": "txn,rep,share\nH0,R1,0.5\nH0,V1,0.4\nH1,R1,0.5\nH1,V1,0.4\n",
        ], to: data)
        let db = directory.appendingPathComponent("r.sqlite").path
        let reference = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", db, "--quarantine"])
        #expect(reference.status == 0, "\(reference.stderr)")
        #expect(
            reference.stdout.contains(
                "transactions.csv: 3 rows, 3 accepted, 0 rejected; 1 excluded: dated outside the effective dates of plan AE-STD "
                    + "(2027-01-01 to 2027-12-31); 1 excluded: rep on plan MGR-OVR, not in this run\n"), "\(reference.stdout)")
        let managers = CLI.root.appendingPathComponent("Plans/examples/manager-override.plan").path
        let alone = try cli.run(["run", "--plans", managers, "--data", data.path, "--db", db, "--quarantine"])
        #expect(alone.status == 0, "\(alone.stderr)")
        #expect(
            alone.stdout.contains(
                "transactions.csv: 3 rows, 3 accepted, 0 rejected; 1 excluded: rep has no manager to roll up to on the transaction date, "
                    + "and plan MGR-OVR credits managers only\n"), "\(alone.stdout)")
    }

    /// A deal split 60/40, cancelled in February and reinstated in March (a reversal of the
    /// reversal): the reinstatement is split like the deal, so A is paid 10% of 600 and B of 400
    /// in January, back in February, and again in March (it had credited all of it to the booking
    /// rep, A: 100 and 0 in March).
    @Test func aReinstatedSplitDealIsSplitLikeTheDeal() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nA,Ana,SPL,2026-01-01\nB,Ben,SPL,2026-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv":
                "id,date,rep,amount,currency,reverses\nT1,2027-01-05,A,1000,USD,\nT2,2027-02-05,A,-1000,USD,T1\nT3,2027-03-05,A,1000,USD,T2\n",
            "splits.csv": "txn,rep,share\nT1,A,0.6\nT1,B,0.4\n",
        ], to: data)
        let plan = directory.appendingPathComponent("spl.plan")
        try Data(Self.splitPlan.utf8).write(to: plan)
        let db = directory.appendingPathComponent("r.sqlite").path
        let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", db])
        #expect(run.status == 0, "\(run.stderr)")
        let payouts = try cli.run(["export", "payouts", "--db", db, "--out", "-"])
        #expect(payouts.stdout.split(separator: "\n").filter { $0.contains(",total,") } == [
            "A,2027-01,SPL,total,60.00,USD", "A,2027-02,SPL,total,-60.00,USD", "A,2027-03,SPL,total,60.00,USD",
            "B,2027-01,SPL,total,40.00,USD", "B,2027-02,SPL,total,-40.00,USD", "B,2027-03,SPL,total,40.00,USD",
        ])
    }

    /// Two managers each earn an override of 5 trillion: the run's summary says 10 trillion (a
    /// sum past what one line can hold had kept its last value, 5 trillion, with no error).
    @Test func summaryTotalsPastALinesRangeAreExact() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,manager,plan,start\nM,Mo,,P,2027-01-01\nN,Ned,,P,2027-01-01\nA,Ana,M,AE,2027-01-01\nB,Ben,N,AE,2027-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-10,A,5000000000000,USD\nT2,2027-01-11,B,5000000000000,USD\n",
        ], to: data)
        let plan = directory.appendingPathComponent("p.plan")
        try Data(
            """
            plan "P" {
              currency USD
              period month
              credit sales {
                amount fx(txn.amount)
                to managers 1 levels
              }
              measure team = sum(sales)
              component o = override 100% of sales levels 1
            }

            """.utf8
        ).write(to: plan)
        let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("  o           10,000,000,000,000.00 USD\n"), "\(run.stdout)")
        #expect(run.stdout.contains("  total       10,000,000,000,000.00 USD\n"), "\(run.stdout)")
    }

    /// Shares over 1 are accepted for a run with a `to splits overlay` rule, but a plain `to splits`
    /// rule must not credit them: 100,000 split 1.0 + 0.5 had credited 150,000 of bookings.
    @Test func aPlainSplitRuleRefusesOverlayShares() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,SPL,2026-01-01\nR2,Ben,SPL,2026-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            // T3 reverses T1: split like it, and the same conflict (listed once). T2 is a second.
            "transactions.csv": "id,date,rep,amount,currency,product,reverses\nT1,2027-01-05,R1,100000,USD,SECURITY,\n"
                + "T2,2027-02-06,R2,100,USD,SECURITY,\nT3,2027-03-07,R1,-100000,USD,SECURITY,T1\nT4,2027-03-08,R2,50,USD,OTHER,\n",
            "splits.csv": "txn,rep,share\nT1,R1,1.0\nT1,R2,0.5\nT2,R2,1\nT2,R1,0.25\nT4,R1,0.5\nT4,R2,0.5\n",
        ], to: data)
        let plan = directory.appendingPathComponent("spl.plan")
        try Data(
            """
            plan "SPL" {
              currency USD
              period month
              credit split_sales {
                amount fx(txn.amount)
                to splits
              }
              credit overlay_sales {
                where txn.product == "SECURITY"
                amount fx(txn.amount)
                to splits overlay
              }
              measure bookings = sum(split_sales)
              measure overlay_bookings = sum(overlay_sales)
              component commission = bookings * 5% + overlay_bookings * 1%
            }

            """.utf8
        ).write(to: plan)
        // Every such transaction at once, with its rows in splits.csv (the first had stopped the run).
        for quarantine in [false, true] {
            let run = try cli.run(
                ["run", "--plans", plan.path, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path]
                    + (quarantine ? ["--quarantine"] : []))
            #expect(run.status == 65)
            let advice = "rule 'split_sales' credits 'to splits', which needs exactly 1 (shares over 1 were accepted for the 'to splits overlay' "
                + "rules of this run): give the transaction shares that add up to 1, or leave it out of the rule with a `where`"
            #expect(
                run.stderr.split(separator: "\n").map(String.init) == [
                    "\(plan.path):4:3: rep R1, 2027-01: split_sales: the split shares of transaction \"T1\" add up to 1.5 (splits.csv lines 2, 3); " + advice,
                    "\(plan.path):4:3: rep R2, 2027-02: split_sales: the split shares of transaction \"T2\" add up to 1.25 (splits.csv lines 4, 5); " + advice,
                    "2 credits failed",
                    runStopped,
                ], "\(run.stderr)")
            #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("r.sqlite").path))
        }
    }

    /// A plain `to splits` rule passes over another plan's overlay deal it would credit none of
    /// its payees from (the run had stopped over it); a deal it would credit a payee from is still
    /// refused, naming that payee (the rep who booked it is on the other plan).
    @Test func aPlainSplitRulePassesOverAnotherPlansOverlayDeal() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        func write(splits: String) throws {
            try writeFiles([
                "roster.csv": "rep,name,plan,start\nR1,Ana,OVA,2026-01-01\nR2,Ben,OVA,2026-01-01\nR3,Cy,OVB,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-05,R1,100000,USD\nT2,2027-01-06,R3,1000,USD\n",
                "splits.csv": splits,
            ], to: data)
        }
        let overlay = directory.appendingPathComponent("a.plan")
        let plain = directory.appendingPathComponent("b.plan")
        for (url, id, recipients) in [(overlay, "OVA", "to splits overlay"), (plain, "OVB", "to splits")] {
            try Data(
                """
                plan "\(id)" {
                  currency USD
                  period month
                  credit sales {
                    amount fx(txn.amount)
                    \(recipients)
                  }
                  measure bookings = sum(sales)
                  component c = bookings * 1%
                }

                """.utf8
            ).write(to: url)
        }
        let database = directory.appendingPathComponent("r.sqlite").path
        let payouts = directory.appendingPathComponent("p.csv").path
        try write(splits: "txn,rep,share\nT1,R1,1.0\nT1,R2,0.5\n")
        let run = try cli.run(["run", "--plans", overlay.path, "--plans", plain.path, "--data", data.path, "--db", database, "--export-payouts", payouts])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            try String(contentsOfFile: payouts, encoding: .utf8)
                == """
                rep,period,plan,component,amount,currency
                R1,2027-01,OVA,c,1000.00,USD
                R1,2027-01,OVA,total,1000.00,USD
                R2,2027-01,OVA,c,500.00,USD
                R2,2027-01,OVA,total,500.00,USD
                R3,2027-01,OVB,c,10.00,USD
                R3,2027-01,OVB,total,10.00,USD

                """)
        try write(splits: "txn,rep,share\nT1,R1,1.0\nT1,R3,0.5\n")
        let refused = try cli.run(["run", "--plans", overlay.path, "--plans", plain.path, "--data", data.path, "--db", database])
        #expect(refused.status == 65)
        #expect(
            refused.stderr.hasPrefix(
                "\(plain.path):4:3: rep R3, 2027-01: sales: the split shares of transaction \"T1\" add up to 1.5 (splits.csv lines 2, 3); "),
            "\(refused.stderr)")
    }

    /// A reversal is split as its deal: when the rule takes the reversal but not the deal (the
    /// deal's product is left out by the rule's `where`), the conflict names the reversal too (the
    /// `where` the advice suggests had to leave out the reversal, which was not named).
    @Test func aSplitConflictMetByAReversalNamesIt() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,SPL,2026-01-01\nR2,Ben,SPL,2026-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": "id,date,rep,amount,currency,product,reverses\nA,2027-03-10,R1,1000,USD,SECURITY,\nB,2027-04-11,R1,-1000,USD,SUPPORT,A\n",
            "splits.csv": "txn,rep,share\nA,R1,1\nA,R2,0.5\n",
        ], to: data)
        let plan = directory.appendingPathComponent("spl.plan")
        try Data(
            """
            plan "SPL" {
              currency USD
              period month
              credit split_sales {
                where txn.product != "SECURITY"
                amount fx(txn.amount)
                to splits
              }
              credit overlay_sales {
                amount fx(txn.amount)
                to splits overlay
              }
              measure bookings = sum(split_sales)
              measure overlay_bookings = sum(overlay_sales)
              component commission = bookings * 5% + overlay_bookings * 1%
            }

            """.utf8
        ).write(to: plan)
        let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(run.status == 65)
        #expect(
            run.stderr.hasPrefix(
                "\(plan.path):4:3: rep R1, 2027-04: split_sales: the split shares of transaction \"A\" add up to 1.5 (splits.csv lines 2, 3, "
                    + "met by reversal \"B\" (transactions.csv line 3), split as its deal); rule 'split_sales' credits 'to splits'"),
            "\(run.stderr)")
    }

    /// Split conflicts are listed the same at any thread count: a deal and its reversal are one
    /// conflict (they had taken two of a shard's hundred places, and `--threads 1` then said
    /// there might be more); an outright failure (a division by zero) in any shard is said
    /// instead of them, whatever shard the conflicts were in.
    @Test func splitConflictsAreListedAlikeAtAnyThreadCount() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        var transactions = "id,date,rep,amount,currency,product,quantity,reverses\n"
        var splits = "txn,rep,share\n"
        for k in 1...60 {
            transactions += "D\(k),2027-01-05,R1,100,USD,X,1,\n"
            splits += "D\(k),R1,1.0\nD\(k),R2,0.5\n"
        }
        for k in 1...60 { transactions += "V\(k),2027-02-05,R1,-100,USD,X,-1,D\(k)\n" }
        for k in 1...360 { transactions += "F\(k),2027-03-05,R2,10,USD,P,1,\n" }
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,S,2026-01-01\nR2,Ben,S,2026-01-01\n",
            "quotas.csv": "rep,period,amount\n", "transactions.csv": transactions, "splits.csv": splits,
        ], to: data)
        let plan = directory.appendingPathComponent("s.plan")
        func writePlan(_ amount: String) throws {
            try Data(
                ("plan \"S\" {\n  currency USD\n  period month\n  credit plain {\n    where txn.product != \"SEC\"\n    amount \(amount)\n    to splits\n  }\n"
                    + "  credit over {\n    where txn.product == \"SEC\"\n    amount fx(txn.amount)\n    to splits overlay\n  }\n"
                    + "  measure b = sum(plain)\n  component c = b * 5%\n}\n").utf8
            ).write(to: plan)
        }
        try writePlan("fx(txn.amount)")
        var outputs: [String] = []
        for threads in ["1", "2", "3"] {
            let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path, "--threads", threads])
            #expect(run.status == 65)
            outputs.append(run.stderr)
        }
        #expect(Set(outputs).count == 1)
        // The plan's warning first (its overlay rule is never measured), then the failures.
        let warning = "\(plan.path):9:10: warning: credit rule 'over' is never used [#plan.unusedDefinition]\n 9 |   credit over {\n   |          ^~~~\n"
        #expect(outputs[0].hasPrefix(warning), "\(outputs[0])")
        let lines = outputs[0].dropFirst(warning.count).split(separator: "\n")
        #expect(lines.count == 62)
        #expect(lines.suffix(2) == ["60 credits failed", Substring(runStopped)])
        // Two plain rules meeting the same shares, summed or not (credits kept per row, the
        // shards then cut by thread count): the same listing, by row and then rule.
        try Data(
            ("plan \"S\" {\n  currency USD\n  period month\n  credit plain {\n    where txn.product != \"SEC\"\n    amount fx(txn.amount)\n    to splits\n  }\n"
                + "  credit other {\n    where txn.product != \"SEC\"\n    amount fx(txn.amount)\n    to splits\n  }\n"
                + "  credit over {\n    where txn.product == \"SEC\"\n    amount fx(txn.amount)\n    to splits overlay\n  }\n"
                + "  measure b = sum(plain)\n  measure m = max(other)\n  component c = b * 5% + m * 1%\n}\n").utf8
        ).write(to: plan)
        var twoRules: [String] = []
        for threads in ["1", "2", "3"] {
            let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path, "--threads", threads])
            #expect(run.status == 65)
            twoRules.append(run.stderr)
        }
        #expect(Set(twoRules).count == 1, "\(twoRules.map { $0.split(separator: "\n").count })")
        #expect(twoRules[0].hasPrefix("\(plan.path):14:10: warning: credit rule 'over' is never used [#plan.unusedDefinition]\n"), "\(twoRules[0])")
        let listed = Array(twoRules[0].split(separator: "\n").dropFirst(3))
        #expect(listed.count == 102)
        #expect(listed.suffix(2) == ["the first 100 credits that failed are listed; there may be more", Substring(runStopped)])
        #expect(listed[0].contains("plain: the split shares of transaction \"D1\"") && listed[1].contains("other: the split shares of transaction \"D1\""))
        // A quantity of 0 in the last row (the rule divides by it), in a later shard than the
        // conflicts: that is said, at any thread count.
        try writeFiles(["transactions.csv": transactions.replacingOccurrences(of: "F360,2027-03-05,R2,10,USD,P,1,", with: "F360,2027-03-05,R2,10,USD,P,0,")], to: data)
        try writePlan("fx(txn.amount) / txn.quantity")
        for threads in ["1", "2", "3"] {
            let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path, "--threads", threads])
            #expect(run.status == 65)
            #expect(run.stderr.contains("division by zero"), "\(threads): \(run.stderr)")
            #expect(!run.stderr.contains("split shares"), "\(threads): \(run.stderr)")
        }
    }

    /// A product whose exact value needs more than 30 fraction digits is carried to 30 (it had
    /// stopped the run as an overflow): 1234.57 (2 digits) × 0.123457 × 0.654321 × 0.333333 ×
    /// 0.987653 × 0.111111 (6 digits each, no trailing zero to drop) needs 32; exactly
    /// 3.64806066910564385597826575070831, so 3.65.
    @Test func aProductPastTheScaleLimitIsCarried() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,P,2026-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-05,R1,1234.57,USD\n",
        ], to: data)
        let plan = directory.appendingPathComponent("p.plan")
        try Data(
            """
            plan "P" {
              currency USD
              period month
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              component c = round(bookings * 0.123457 * 0.654321 * 0.333333 * 0.987653 * 0.111111, 2)
            }

            """.utf8
        ).write(to: plan)
        let db = directory.appendingPathComponent("r.sqlite").path
        let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", db])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            try cli.run(["export", "payouts", "--db", db, "--out", "-"]).stdout
                == "rep,period,plan,component,amount,currency\nR1,2027-01,P,c,3.65,USD\nR1,2027-01,P,total,3.65,USD\n")
    }

    /// A sum of carried values of different digits is carried too, in ledger order (the same at any
    /// thread count): a per-transaction table over two split deals, one of 854,155,288,908.168333
    /// EUR, whose tier amounts are carried to 29 and 30 digits, had stopped the run at the sum.
    /// Exactly (marginal per deal, 33.3333% weight, shares 0.333333 / 0.666667, fx 0.257478): R1
    /// 610929186.372440257…, R2 1221860332.094652101….
    @Test func aSumOfCarriedValuesIsCarried() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,P,2027-01-01\nR2,Ben,P,2027-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            "fx.csv": "currency,period,rate\nEUR,2027-01,0.257478\n",
            "splits.csv": "txn,rep,share\nT00,R1,0.333333\nT00,R2,0.666667\nT01,R1,0.333333\nT01,R2,0.666667\n",
            "transactions.csv": "id,date,rep,amount,currency\nT00,2027-01-05,R1,854155288908.168333,EUR\nT01,2027-01-05,R1,1,EUR\n",
        ], to: data)
        let plan = directory.appendingPathComponent("p.plan")
        try Data(
            """
            plan "P" {
              currency USD
              period month
              credit sales {
                amount fx(txn.amount)
                weight 33.3333%
                to splits
              }
              table deal_tiers per_transaction on amount {
                up to 10000 USD     : 1.2345%
                10000 USD and above : 2.5001%
              }
              component per_deal = deal_tiers(sales) round half_even 2
            }

            """.utf8
        ).write(to: plan)
        for threads in ["1", "3"] {
            let db = directory.appendingPathComponent("r\(threads).sqlite").path
            let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", db, "--threads", threads])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(
                try cli.run(["export", "payouts", "--db", db, "--out", "-"]).stdout
                    == "rep,period,plan,component,amount,currency\nR1,2027-01,P,per_deal,610929186.37,USD\nR1,2027-01,P,total,610929186.37,USD\n"
                    + "R2,2027-01,P,per_deal,1221860332.09,USD\nR2,2027-01,P,total,1221860332.09,USD\n")
        }
    }

    /// Credits whose exact values need more than 128 bits are carried too, and the measures are
    /// those of the exact credits: a 1,234,567,891.123457 EUR deal at 1.234567, weighted 33.3333% ×
    /// 90.0001% and split 0.333333 / 0.666667, credits exactly 152415542.2759… and
    /// 304831541.8136… (the second product has 39 digits; it had stopped the run as an overflow).
    @Test func aCreditPast128BitsIsCarried() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,P,2027-01-01\nR2,Ben,P,2027-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            "fx.csv": "currency,period,rate\nEUR,2027-01,1.234567\n",
            "splits.csv": "txn,rep,share\nT1,R1,0.333333\nT1,R2,0.666667\n",
            "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-05,R1,1234567891.123457,EUR\n",
        ], to: data)
        let plan = directory.appendingPathComponent("p.plan")
        try Data(
            """
            plan "P" {
              currency USD
              period month
              credit sales {
                amount fx(txn.amount)
                weight 33.3333% * 90.0001%
                to splits
              }
              measure b = sum(sales) round half_even 2
            }

            """.utf8
        ).write(to: plan)
        let db = directory.appendingPathComponent("r.sqlite").path
        let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", db, "--threads", "1"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            try cli.run(["export", "measures", "--db", db, "--out", "-"]).stdout
                == "rep,period,plan,measure,value\nR1,2027-01,P,b,152415542.28\nR2,2027-01,P,b,304831541.81\n")
    }

    /// Two files defining one plan id are named, with the id; a file in the way of a sample's
    /// directory is named too (the message had been Foundation's "error 512").
    @Test func conflictsNameTheirFiles() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = aeStandard
        let xml = CLI.root.appendingPathComponent("Plans/examples/xml/ae-standard.xml").path
        let data = CLI.root.appendingPathComponent("Tests/ReferenceData/ae-10k").standardizedFileURL.path
        let run = try cli.run(["run", "--plans", plan, xml, "--data", data, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(run.status == 65)
        #expect(run.stderr == "plan id \"AE-STD\" is defined by more than one file: \(plan), \(xml); a run takes each plan once\n")
        // `comp check` of the same files says so too (it had passed them).
        let checked = try cli.run(["check", plan, xml])
        #expect(checked.status == 65)
        #expect(checked.stderr == "error: plan id \"AE-STD\" is defined by more than one file: \(plan), \(xml); a run takes each plan once\n")
        // Plans that read the data differently (another fiscal calendar, another currency) are
        // refused in either order, every plan named with its file, grouped by how it reads.
        let shifted = directory.appendingPathComponent("shifted.plan")
        try Data("plan \"H2\" {\n  currency USD\n  period quarter\n  fiscal_year_start 2\n}\n".utf8).write(to: shifted)
        let euro = directory.appendingPathComponent("euro.plan")
        try Data("plan \"EU\" {\n  currency EUR\n  period month\n}\n".utf8).write(to: euro)
        for order in [[plan, shifted.path, euro.path], [shifted.path, euro.path, plan]] {
            let mixed = try cli.run(["run", "--plans"] + order + ["--data", data, "--db", directory.appendingPathComponent("m.sqlite").path])
            #expect(mixed.status == 65)
            let groups = [
                order[0] == plan ? "  USD, fiscal year from month 1: \"AE-STD\" (\(plan))" : "  USD, fiscal year from month 2: \"H2\" (\(shifted.path))",
                order[0] == plan ? "  USD, fiscal year from month 2: \"H2\" (\(shifted.path))" : "  EUR, fiscal year from month 1: \"EU\" (\(euro.path))",
                order[0] == plan ? "  EUR, fiscal year from month 1: \"EU\" (\(euro.path))" : "  USD, fiscal year from month 1: \"AE-STD\" (\(plan))",
            ]
            #expect(
                mixed.stderr == "the plans of a run must read the data alike (one plan currency, one fiscal year start); these differ:\n"
                    + groups.joined(separator: "\n") + "\nrun each group separately\n", "\(mixed.stderr)")
            // `validate` says the same of the plans, and no more: the data itself is valid (what a
            // run would refuse of one plan, paying in another currency than the data is read in,
            // is not said again as an error of the data).
            let validated = try cli.run(["validate", "--plans"] + order + ["--data", data])
            #expect(validated.status == 65)
            #expect(validated.stderr.hasPrefix("error: the plans of a run must read the data alike"), "\(validated.stderr)")
            #expect(validated.stderr.hasSuffix("the plans have 1 error\n"), "\(validated.stderr)")
            #expect(!validated.stderr.contains("the data is not valid"), "\(validated.stderr)")
        }
        let file = directory.appendingPathComponent("file").path
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        let sample = try cli.run(["sample", "--reps", "2", "--txns", "2", "--out", file + "/data"])
        #expect(sample.status == 73)
        #expect(sample.stderr == "comp sample: cannot create directory '\(file)/data': \(file) is a file, not a directory\n")
    }

    /// An input table read as a count takes whole numbers only, written as a quantity is (0.5 had
    /// been read as half a unit); `validate --fingerprints` hashes the table with the ledger's files.
    @Test func aCountInputTakesWholeNumbers() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,CNT,2026-01-01\nR2,Ben,CNT,2026-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-05,R1,1500,USD\nT2,2027-01-05,R2,1500,USD\n",
            "calls.csv": "rep,period,calls\nR1,2027-01,3\nR2,2027-01,0.5\n",
        ], to: data)
        let plan = directory.appendingPathComponent("cnt.plan")
        try Data(
            """
            plan "CNT" {
              currency USD
              period month
              credit sales {
                amount fx(txn.amount)
              }
              measure bookings = sum(sales)
              input calls from "calls.csv" column "calls": count
              component per_call = calls * 10 USD
            }

            """.utf8
        ).write(to: plan)
        let table = data.path + "/calls.csv"
        let message = "\(table):3:3: calls \"0.5\" is not a whole number; plan CNT reads it as a count "
            + "(input calls from \"calls.csv\" column \"calls\": count)"
        let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(run.status == 65)
        #expect(run.stderr.hasPrefix(message + "\n"), "\(run.stderr)")
        let validate = try cli.run(["validate", "--data", data.path, "--plans", plan.path, "--fingerprints"])
        #expect(validate.status == 65)
        #expect(validate.stderr.hasPrefix(message + "\n"), "\(validate.stderr)")
        // 45 bytes: the header and two rows.
        let hashed = validate.stdout.split(separator: "\n").filter { $0.hasSuffix("  45 bytes  \(table)") }
        #expect(hashed.count == 1 && hashed[0].hasPrefix("sha256 ") && hashed[0].dropFirst(7).prefix(64).allSatisfy(\.isHexDigit), "\(validate.stdout)")
        try Data("rep,period,calls\nR1,2027-01,3\nR2,2027-01,2.0\n".utf8).write(to: URL(fileURLWithPath: table))
        let decimals = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(decimals.stderr.hasPrefix("\(table):3:3: calls \"2.0\" is not a whole number; plan CNT reads it as a count"), "\(decimals.stderr)")
        try Data("rep,period,calls\nR1,2027-01,3\nR2,2027-01,2\n".utf8).write(to: URL(fileURLWithPath: table))
        let payouts = directory.appendingPathComponent("p.csv").path
        let good = try cli.run(
            ["run", "--plans", plan.path, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path, "--export-payouts", payouts])
        #expect(good.status == 0, "\(good.stderr)")
        #expect(
            try String(contentsOfFile: payouts, encoding: .utf8)
                == "rep,period,plan,component,amount,currency\nR1,2027-01,CNT,per_call,30.00,USD\nR1,2027-01,CNT,total,30.00,USD\n"
                + "R2,2027-01,CNT,per_call,20.00,USD\nR2,2027-01,CNT,total,20.00,USD\n")
    }

    /// An input table's errors stop the run even with --quarantine, and the message says why
    /// (it had told the user to use --quarantine, which was given).
    @Test func inputTableErrorsAreNotQuarantined() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,BONUS-DEMO,2026-01-01\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,1000\n",
            "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-05,R1,1500,USD,new\n",
            "mbo.csv": "rep,period,score\nR1,2027-Q1,abc\n",
        ], to: data)
        let plan = CLI.root.appendingPathComponent("Plans/examples/bonuses.plan").path
        let run = try cli.run(["run", "--plans", plan, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path, "--quarantine"])
        #expect(run.status == 65)
        #expect(run.stderr.hasSuffix(
            "the input tables have 1 error; nothing was run (--quarantine does not leave out input table rows: a payee's score is needed; correct the file)\n"),
            "\(run.stderr)")
    }

    /// A text value that reads as one a plan compares the column with, but is not it (`New`,
    /// `new `, `n<U+200B>ew` where the plan matches `"new"`), is warned of with its rows: such
    /// rows had been credited 0% without a word. Roster columns a plan compares are looked at too
    /// (on its own reps' rows), and so are comparisons with a parameter.
    @Test func valuesThatReadAsAComparedValueAreWarnedOf() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        let plan = directory.appendingPathComponent("p.plan")
        try Data(
            """
            plan "P" {
              currency USD
              period month
              param skipped = "SKIP"
              credit sales {
                where txn.product != skipped and rep.region in ["EMEA", "APAC"]
                amount fx(txn.amount)
                weight match txn.kind {
                  "new" => 100%
                  else => 0%
                }
              }
              measure bookings = sum(sales)
              component commission = bookings * 10%
            }

            """.utf8
        ).write(to: plan)
        try writeFiles([
            "roster.csv": "rep,name,plan,start,region\nR1,Ana,P,2026-01-01,EMEA\nR2,Ben,P,2026-01-01,emea\nR3,Cy,P,2026-01-01,LATAM\n"
                // Another plan's rep: P reads its own reps' regions only (it credits no manager).
                + "R4,Di,OTHER,2026-01-01,emea\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": "id,date,rep,amount,currency,product,kind\nT1,2027-01-05,R1,100,USD,A,new\nT2,2027-01-05,R1,100,USD,A,New\n"
                + "T3,2027-01-05,R1,100,USD,skip ,n\u{200B}ew\nT4,2027-01-05,R1,100,USD,A,New\nT5,2027-01-05,R1,100,USD,A,renewal\n"
                // Controls read as nothing too: a bidirectional override, an escape.
                + "T6,2027-01-05,R1,100,USD,A,new\u{202E}\nT7,2027-01-05,R1,100,USD,A,\u{2066}new\u{2069}\nT8,2027-01-05,R1,100,USD,A,new\u{1B}\n",
        ], to: data)
        let run = try cli.run(["validate", "--plans", plan.path, "--data", data.path])
        #expect(run.status == 0, "\(run.stderr)")
        let warnings = run.stderr.split(separator: "\n").filter { $0.contains("which reads as") }
        let tail = " but is not it (case, spaces, or an invisible or control character): plan P compares "
        let expected: [String] = [
            "warning: roster.csv: 1 row has region \"emea\" (the first on line 3), which reads as \"EMEA\"" + tail
                + "rep.region with \"EMEA\" exactly, so this row does not count as it; correct the value",
            "warning: transactions.csv: 2 rows have kind \"New\" (the first on line 3), which reads as \"new\"" + tail
                + "txn.kind with \"new\" exactly, so these rows do not count as it; correct the value",
            "warning: transactions.csv: 1 row has kind \"n\\u{200B}ew\" (the first on line 4), which reads as \"new\"" + tail
                + "txn.kind with \"new\" exactly, so this row does not count as it; correct the value",
            "warning: transactions.csv: 1 row has product \"skip \" (the first on line 4), which reads as \"SKIP\"" + tail
                + "txn.product with \"SKIP\" exactly, so this row does not count as it; correct the value",
            "warning: transactions.csv: 1 row has kind \"new\\u{202E}\" (the first on line 7), which reads as \"new\"" + tail
                + "txn.kind with \"new\" exactly, so this row does not count as it; correct the value",
            "warning: transactions.csv: 1 row has kind \"\\u{2066}new\\u{2069}\" (the first on line 8), which reads as \"new\"" + tail
                + "txn.kind with \"new\" exactly, so this row does not count as it; correct the value",
            "warning: transactions.csv: 1 row has kind \"new\\u{1B}\" (the first on line 9), which reads as \"new\"" + tail
                + "txn.kind with \"new\" exactly, so this row does not count as it; correct the value",
        ]
        #expect(warnings.map(String.init) == expected, "\(run.stderr)")
    }

    /// validate says under its table that a file it could not read row by row is not counted (an
    /// unreadable fx.csv's 0 rows, with the other currencies' rows "accepted", had read as clean).
    @Test func validateSaysAnUnreadableFileIsNotCounted() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nA,Ann,AE-STD,2026-01-01\n", "quotas.csv": "rep,period,amount\n",
            "transactions.csv": "id,date,rep,amount,currency\nA1,2027-01-10,A,200,EUR\n", "fx.csv": "cur,period,rate\nEUR,2027-01,1.1\n",
        ], to: data)
        let validate = try cli.run(["validate", "--data", data.path])
        #expect(validate.status == 65)
        #expect(validate.stdout.hasSuffix(
            "\(data.path)/fx.csv cannot be read row by row (see its error on standard error): its rows are not counted; transactions in other "
                + "currencies are not checked for a rate\n"), "\(validate.stdout)")
    }

    /// A plan's warnings are printed by the run, first, as `comp check` prints them (they had been
    /// said only by `comp check`: a kicker reading a capped commission ran without a word).
    @Test func aRunPrintsThePlansWarnings() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        let plan = directory.appendingPathComponent("k.plan")
        try Data(
            ("plan \"K\" {\n  currency USD\n  period month\n  credit sales {\n    amount fx(txn.amount)\n  }\n"
                + "  measure bookings = sum(sales)\n  component commission = bookings * 10%\n  component kicker = commission * 10%\n"
                + "  cap commission at 1000 USD per period\n}\n").utf8
        ).write(to: plan)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nA,Ann,K,2026-01-01\n", "quotas.csv": "rep,period,amount\n",
            "transactions.csv": "id,date,rep,amount,currency\nA1,2027-01-10,A,20000,USD\n",
        ], to: data)
        let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.hasPrefix(
            "\(plan.path):9:22: warning: commission is read here as computed, before its cap at line 10: caps and floors bound what is paid, "
                + "once every component is computed [#plan.readBeforeLimit]\n"), "\(run.stderr)")
        #expect(run.stdout.contains("  kicker                  200.00 USD"), "\(run.stdout)")
    }

    /// An empty field of an input table is said to be empty, as in every other file (an empty
    /// score had been `score "" is not a plain decimal`).
    @Test func anEmptyInputTableFieldIsSaidToBeEmpty() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,BONUS-DEMO,2026-01-01\n",
            "quotas.csv": "rep,period,amount\nR1,2027-Q1,1000\n",
            "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-05,R1,1500,USD,new\n",
            "mbo.csv": "rep,period,score\nR1,2027-Q1,\n,2027-Q2,0.5\nR1,,0.5\n",
        ], to: data)
        let plan = CLI.root.appendingPathComponent("Plans/examples/bonuses.plan").path
        let run = try cli.run(["validate", "--plans", plan, "--data", data.path])
        #expect(run.status == 65)
        for expected in [
            "mbo.csv:2:3: score is empty; it is required", "mbo.csv:3:1: rep is empty; it is required", "mbo.csv:4:2: period is empty; it is required",
        ] {
            #expect(run.stdout.contains(expected) || run.stderr.contains(expected), "\(expected): \(run.stdout)\(run.stderr)")
        }
    }

    /// Without --quarantine, the input tables' errors are listed with the ledger's, and every
    /// plan's tables are read before any is refused (a bad score had been said only once the
    /// ledger was corrected, and a second plan's table only once the first plan's was).
    @Test func inputTableErrorsAreListedWithTheLedgers() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        let bonus = CLI.root.appendingPathComponent("Plans/examples/bonuses.plan").path
        let text = try String(contentsOfFile: bonus, encoding: .utf8)
        let second = directory.appendingPathComponent("second.plan")
        try Data(text.replacingOccurrences(of: "\"BONUS-DEMO\"", with: "\"BONUS-TWO\"").replacingOccurrences(of: "mbo.csv", with: "mbo2.csv").utf8)
            .write(to: second)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,BONUS-DEMO,2026-01-01\nR2,Ben,BONUS-TWO,2026-01-01\n",
            "quotas.csv": "rep,period,amount\nR1,2027-Q1,1000\nR2,2027-Q1,1000\n",
            "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-05,R1,1500,USD,new\nT2,2027-01-99,R2,1500,USD,new\n",
            "mbo.csv": "rep,period,score\nR1,2027-Q1,abc\n",
            "mbo2.csv": "rep,period,score\nR2,2027-Q1,0.5x\n",
        ], to: data)
        let db = directory.appendingPathComponent("r.sqlite").path
        let run = try cli.run(["run", "--plans", bonus, second.path, "--data", data.path, "--db", db])
        #expect(run.status == 65)
        #expect(
            run.stderr == """
                \(data.path)/transactions.csv:3:2: date "2027-01-99" is not a valid date; January 2027 has 31 days
                \(data.path)/mbo.csv:2:3: score "abc" is not a plain decimal (like 1234.56 or -80)
                \(data.path)/mbo2.csv:2:3: score "0.5x" is not a plain decimal (like 1234.56 or -80)
                the data has 3 errors; nothing was run (use --quarantine to run without the rejected rows); the input tables' 2 errors \
                must be corrected whatever the options (--quarantine does not leave out input table rows: a payee's score is needed)

                """, "\(run.stderr)")
        // With the ledger corrected, both tables' errors still come at once.
        try writeFiles(["transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-05,R1,1500,USD,new\n"], to: data)
        let tables = try cli.run(["run", "--plans", bonus, second.path, "--data", data.path, "--db", db])
        #expect(tables.status == 65)
        #expect(tables.stderr.contains("mbo.csv:2:3: score \"abc\"") && tables.stderr.contains("mbo2.csv:2:3: score \"0.5x\""), "\(tables.stderr)")
        #expect(tables.stderr.hasSuffix("the input tables have 2 errors; nothing was run (--quarantine does not leave out input table rows: a payee's score is needed; correct the file)\n"), "\(tables.stderr)")
        #expect(!FileManager.default.fileExists(atPath: db))
    }

    /// A score written for a period of another length than the plan's is never read: validate
    /// and run warn of it, and a payee left without a score is told which periods the file has.
    @Test func inputRowsOfAnotherPeriodLengthAreWarnedOf() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,BONUS-DEMO,2026-01-01\nR2,Ben,BONUS-DEMO,2026-01-01\n",
            "quotas.csv": "rep,period,amount\nR1,2027-Q1,1000\nR2,2027-Q1,1000\n",
            "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-05,R1,1500,USD,new\nT2,2027-01-05,R2,1500,USD,new\n",
            "mbo.csv": "rep,period,score\nR1,2027-Q1,0.5\nR2,2027-01,0.5\nR2,2027,0.5\n",
        ], to: data)
        let plan = CLI.root.appendingPathComponent("Plans/examples/bonuses.plan").path
        let table = data.path + "/mbo.csv"
        let month = "\(table):3:2: warning: period 2027-01 is a month; plan BONUS-DEMO pays by quarter, so this row is never read: "
            + "write the quarter it is in (2027-Q1)"
        let year = "\(table):4:2: warning: period 2027 is a year; plan BONUS-DEMO pays by quarter, so this row is never read: "
            + "write a row for each quarter in it (2027-Q1 … 2027-Q4)"
        let validate = try cli.run(["validate", "--data", data.path, "--plans", plan])
        #expect(validate.status == 0)
        #expect(validate.stderr.hasPrefix(month + "\n" + year + "\n"), "\(validate.stderr)")
        #expect(validate.stdout.hasSuffix("for plan BONUS-DEMO; read the 2 warnings above\n"))
        let run = try cli.run(["run", "--plans", plan, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(run.status == 65)
        #expect(run.stderr.contains(
            "rep R2, 2027-Q1: input mbo_score: no score in mbo.csv for this rep and period; it has 2027-01, 2027, but this plan's "
                + "periods are quarters (write 2027-Q1)"), "\(run.stderr)")
    }

    /// A score for a rep no reading plan pays, for a period a rep is not on the plan, or for a
    /// period the run does not compute, is not read: the run says so for each such row (they had
    /// passed without a word), once even when the file is read for two columns.
    @Test func inputRowsNoStatementReadsAreWarnedOf() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start,end\nR1,Ana,MBO,2026-01-01,\nR2,Ben,MBO,2026-01-01,2027-03-31\nM1,Max,MGR-OVR,2026-01-01,\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-05,R1,1500,USD\nT2,2027-04-05,R1,1500,USD\n",
            "mbo.csv": "period,rep,score,target\n2027-Q1,R1,0.5,1\n2027-Q1,M1,0.5,1\n2026-Q4,R1,0.5,1\n2027-Q2,R2,0.5,1\n2027-Q2,R1,0.5,1\n"
                + "2027-Q1,R2,0.5,1\n",
        ], to: data)
        let plan = directory.appendingPathComponent("mbo.plan")
        try Data(
            """
            plan "MBO" {
              currency USD
              period quarter
              credit sales {
                amount fx(txn.amount)
              }
              measure bookings = sum(sales)
              input score from "mbo.csv" column "score": rate
              input target from "mbo.csv" column "target": rate
              component bonus = score * target * 1000 USD
            }

            """.utf8
        ).write(to: plan)
        let table = data.path + "/mbo.csv"
        let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(run.status == 0, "\(run.stderr)")
        let warned = run.stderr.split(separator: "\n").filter { $0.hasPrefix(table) }
        #expect(
            warned == [
                "\(table):3:2: warning: rep \"M1\" is not paid by plan MBO in this run, so this run does not read this row",
                "\(table):4:2: warning: plan MBO computes no 2026-Q4 in this run (2027-Q1 … 2027-Q2), so this run does not read this row",
                "\(table):5:2: warning: rep \"R2\" has no 2027-Q2 statement on plan MBO in this run (not on the plan then), so this run does "
                    + "not read this row",
            ], "\(run.stderr)")
        // The table is in the reconciliation, once though two columns are read from it.
        #expect(run.stdout.contains("  \(table): 6 rows, 6 accepted, 0 rejected\n"), "\(run.stdout)")
        let stored = try DatabaseQueue(path: directory.appendingPathComponent("r.sqlite").path).read { db in
            try Row.fetchAll(db, sql: "SELECT rows_read, accepted, rejected FROM reconciliation WHERE file = ?", arguments: [table])
                .map { [$0[0] as Int, $0[1] as Int, $0[2] as Int] }
        }
        #expect(stored == [[6, 6, 0]])

        // Missing, it is said with the plan that reads it and the columns it needs.
        try FileManager.default.removeItem(atPath: table)
        let missing = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", directory.appendingPathComponent("r2.sqlite").path])
        #expect(missing.status == 65)
        #expect(missing.stderr.hasPrefix(
            "\(table): cannot read the input table: No such file or directory; plan MBO (input score from \"mbo.csv\" column \"score\") "
                + "reads it: give a CSV file with the columns rep, period and score\n"), "\(missing.stderr)")
    }

    /// Two plans reading one score file by different period lengths: a month's row is read by
    /// the monthly plan, so only a row no plan pays by is warned of, once, naming both plans.
    @Test func inputRowsAreWarnedOfOnlyWhenNoPlanReadsThem() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,BONUS-DEMO,2026-01-01\nR2,Ben,MON,2026-01-01\n",
            "quotas.csv": "rep,period,amount\nR1,2027-Q1,1000\n",
            "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-05,R1,1500,USD,new\nT2,2027-01-05,R2,1500,USD,new\n",
            "mbo.csv": "rep,period,score\nR1,2027-Q1,0.5\nR2,2027-01,0.5\nR2,2027,0.5\n",
        ], to: data)
        let monthly = directory.appendingPathComponent("mon.plan").path
        try Data(
            """
            plan "MON" {
              currency USD
              period month
              input mbo from "mbo.csv" column "score": rate
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              component c = bookings * mbo
            }

            """.utf8
        ).write(to: URL(fileURLWithPath: monthly))
        let bonuses = CLI.root.appendingPathComponent("Plans/examples/bonuses.plan").path
        let warning = "\(data.path)/mbo.csv:4:2: warning: period 2027 is a year; plans BONUS-DEMO (by quarter), MON (by month) read it, "
            + "so this row is never read: write a row for each quarter in it (2027-Q1 … 2027-Q4)"
        let validate = try cli.run(["validate", "--data", data.path, "--plans", bonuses, monthly])
        #expect(validate.stderr.components(separatedBy: "warning: period").count == 2, "\(validate.stderr)")
        #expect(validate.stderr.contains(warning + "\n"))
        let run = try cli.run(["run", "--plans", bonuses, monthly, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.components(separatedBy: "period 2027 is a year").count + run.stderr.components(separatedBy: "period 2027 is a year").count == 3,
            "\(run.stdout)\(run.stderr)")
    }

    /// A column a plan reads as text without declaring it is one the data must have: its absence
    /// is said as such (not as a declaration the plan does not hold); present, it filters.
    @Test func anUndeclaredTextColumnIsReadFromTheData() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try oneDeal(in: directory)
        let plan = directory.appendingPathComponent("web.plan").path
        try Data(
            """
            plan "AE-STD" {
              currency USD
              period month
              credit sales {
                amount fx(txn.amount)
                where txn.channel == "web"
              }
              measure bookings = sum(sales)
              component c = bookings * 1%
            }

            """.utf8
        ).write(to: URL(fileURLWithPath: plan))
        let missing = try cli.run(["run", "--plans", plan, "--data", data.path, "--db", directory.appendingPathComponent("a.sqlite").path])
        #expect(missing.status == 65)
        #expect(missing.stderr.hasPrefix(
            "\(data.path)/transactions.csv:1:1: missing column \"channel\" in the header; plan AE-STD reads it (txn.channel, a column "
                + "it does not declare, read as text): add it, or declare it optional\n"), "\(missing.stderr)")
        try Data("id,date,rep,amount,currency,channel\nT1,2027-01-05,R1,1500,USD,web\nT2,2027-01-06,R1,700,USD,store\n".utf8)
            .write(to: data.appendingPathComponent("transactions.csv"))
        let run = try cli.run(["run", "--plans", plan, "--data", data.path, "--db", directory.appendingPathComponent("b.sqlite").path])
        #expect(run.status == 0, "\(run.stderr)")
        // 1% of T1's 1,500 (T2 is sold in a store).
        #expect(run.stdout.contains("  c                        15.00 USD\n"), "\(run.stdout)")
    }

    /// SQLite opens a database by a full path of at most 511 bytes: a longer one is refused
    /// before anything is read, by `run` and by `export`, with its length (it had failed with
    /// SQLite's "unable to open database file").
    @Test func aDatabasePathLongerThanSQLiteTakesIsRefusedClearly() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try oneDealData(in: directory)
        var deep = directory.resolvingSymlinksInPath()
        for letter in ["a", "b", "c"] { deep.appendPathComponent(String(repeating: letter, count: 200)) }
        try FileManager.default.createDirectory(at: deep, withIntermediateDirectories: true)
        let db = deep.appendingPathComponent("r.sqlite").path
        let length = db.utf8.count
        let run = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", db])
        #expect(run.status == 73)
        #expect(
            run.stderr.hasSuffix(
                "--db \(db): its full path is \(length) bytes long, and SQLite opens a database by a path of at most 511 bytes; "
                    + "use a shorter directory or file name\n"), "\(run.stderr)")
        // A database made elsewhere and moved there is refused by the readers the same way.
        let short = directory.appendingPathComponent("r.sqlite").path
        #expect(try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", short]).status == 0)
        try FileManager.default.moveItem(atPath: short, toPath: db)
        let export = try cli.run(["export", "payouts", "--db", db, "--out", "-"])
        #expect(export.status == 65)
        #expect(export.stderr.contains("opening \(db): its full path is \(length) bytes long"), "\(export.stderr)")
    }

    /// `--db` naming the file standard output goes to (`--db /dev/stdout > r.db`) is refused
    /// before anything is read: the summary printed there had overwritten the stored database's
    /// header, and the run had said it was stored.
    @Test func aDatabaseThatIsStandardOutputIsRefused() throws {
        let binary = try #require(CLI.binary)
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try oneDealData(in: directory)
        let db = directory.appendingPathComponent("r.db").path
        #expect(FileManager.default.createFile(atPath: db, contents: nil))
        let out = try #require(FileHandle(forWritingAtPath: db))
        for name in ["/dev/stdout", db] {
            let process = Process()
            process.executableURL = binary
            process.arguments = ["run", "--plans", aeStandard, "--data", data.path, "--db", name]
            let err = Pipe()
            process.standardError = err
            process.standardOutput = out
            try process.run()
            let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 73)
            #expect(said == "--db \(name): it is the file standard output is written to; give another file name\n")
        }
        try out.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)).isEmpty)
    }

    /// The reconciliation's sums are stored beside its counts: per currency, the credited,
    /// excluded (by reason) and rejected rows and their exact sums add up to the file's.
    /// USD: T1 1,500 and T4 −200.50 credited (1,299.50); T3 250.25 dated after the plan's
    /// effective end, excluded. EUR: T2 700 credited at 1.1; T6 90.125 rejected (an unknown rep).
    /// T5 ("12;5") is rejected with no amount to add: a line of its own.
    @Test func theReconciliationStoresSumsByCurrency() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start,target_incentive\nR1,Ana,AE-STD,2026-01-01,120000\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,10000\nR1,2027-02,10000\n",
            "fx.csv": "currency,period,rate\nEUR,2027-01,1.1\nEUR,2027-02,1.1\nEUR,2028-01,1.1\n",
            "transactions.csv": """
                id,date,rep,amount,currency,kind
                T1,2027-01-05,R1,1500,USD,new
                T2,2027-01-06,R1,700,EUR,new
                T3,2028-01-07,R1,250.25,USD,new
                T4,2027-02-08,R1,-200.50,USD,new
                T5,2027-02-09,R1,12;5,USD,new
                T6,2027-02-10,R9,90.125,EUR,new

                """,
        ], to: data)
        let db = directory.appendingPathComponent("r.sqlite").path
        let run = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", db, "--quarantine"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("\n    EUR: 1 credited 700.00, 1 rejected 90.125\n"), "\(run.stdout)")
        #expect(run.stdout.contains("\n    USD: 2 credited 1,299.50, 1 excluded 250.25\n    (currency or amount unreadable): 1 rejected\n"), "\(run.stdout)")
        let rows = try DatabaseQueue(path: db).read { db in
            try Row.fetchAll(db, sql: "SELECT currency, outcome, reason, rows, amount FROM reconciliation_amounts ORDER BY rowid").map {
                "\($0[0] as String) \($0[1] as String) \(($0[2] as String?) ?? "-") \($0[3] as Int) \(($0[4] as String?) ?? "-")"
            }
        }
        #expect(rows == [
            "EUR credited - 1 700",
            "EUR rejected - 1 90.125",
            "USD credited - 2 1299.5",
            "USD excluded dated outside the effective dates of plan AE-STD (2027-01-01 to 2027-12-31) 1 250.25",
            " rejected - 1 -",
        ])
    }

    /// Rows left out for one reason are one line per currency, whichever rep or roster row they
    /// are judged by: R1 has two roster rows on AE-STD, R2 one. USD: X1 100 (R1's first row),
    /// X2 20.5 (R1's second) and X3 3 (R2) dated 2028, outside the plan's dates: 3 rows, 123.50.
    /// EUR: X4 7 (R2), 2028: 1 row. X5 (R3, on a plan not in the run) is its own line.
    @Test func exclusionsOfOneReasonAddUpAcrossRepsAndRosterRows() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start,end\nR1,Ana,AE-STD,2026-01-01,2028-01-31\nR1,Ana,AE-STD,2028-02-01,\n"
                + "R2,Bo,AE-STD,2026-01-01,\nR3,Cy,OTHER,2026-01-01,\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,1000\nR2,2027-01,1000\n",
            "fx.csv": "currency,period,rate\nEUR,2027-01,1.1\nEUR,2028-03,1.1\n",
            "transactions.csv": """
                id,date,rep,amount,currency,product,kind
                T1,2027-01-05,R1,500,USD,P,new
                X1,2028-01-07,R1,100,USD,P,new
                X2,2028-03-07,R1,20.5,USD,P,new
                X3,2028-03-08,R2,3,USD,P,new
                X4,2028-03-09,R2,7,EUR,P,new
                X5,2027-01-09,R3,9,USD,P,new

                """,
        ], to: data)
        let db = directory.appendingPathComponent("r.sqlite").path
        let run = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", db])
        #expect(run.status == 0, "\(run.stderr)")
        let rows = try DatabaseQueue(path: db).read { db in
            try Row.fetchAll(db, sql: "SELECT currency, outcome, reason, rows, amount FROM reconciliation_amounts ORDER BY rowid").map {
                "\($0[0] as String) \($0[1] as String) \(($0[2] as String?) ?? "-") \($0[3] as Int) \(($0[4] as String?) ?? "-")"
            }
        }
        #expect(rows == [
            "EUR credited - 0 0",
            "EUR excluded dated outside the effective dates of plan AE-STD (2027-01-01 to 2027-12-31) 1 7",
            "USD credited - 1 500",
            "USD excluded dated outside the effective dates of plan AE-STD (2027-01-01 to 2027-12-31) 3 123.5",
            "USD excluded rep on plan OTHER, not in this run 1 9",
        ])
    }

    /// A library a plan uses is an input of the run: an export onto it is refused (it had become
    /// the payouts CSV), and its SHA-256 is recorded with the plan's. A plan named twice is run
    /// once; a file among the plans of a directory that is not a plan file is not quoted.
    @Test func librariesArePlanInputs() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,LIB,2026-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-05,R1,1000,USD\n",
        ], to: data)
        let plans = directory.appendingPathComponent("plans")
        try FileManager.default.createDirectory(at: plans, withIntermediateDirectories: true)
        try writeFiles([
            "lib.plan": "library rates {\n  param rate = 5%\n}\n",
            "p.plan": "use \"lib.plan\"\nplan \"LIB\" {\n  currency USD\n  period month\n  credit s {\n    amount fx(txn.amount)\n  }\n"
                + "  measure b = sum(s)\n  component c = b * rate\n}\n",
        ], to: plans)
        let plan = plans.appendingPathComponent("p.plan").path
        let library = plans.appendingPathComponent("lib.plan").path
        let db = directory.appendingPathComponent("r.sqlite").path
        let refused = try cli.run(["run", "--plans", plan, "--data", data.path, "--db", db, "--export-payouts", library])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("--export-payouts \(library) is a library a plan uses (\(library)); give another file name"), "\(refused.stderr)")
        #expect(try String(contentsOfFile: library, encoding: .utf8).hasPrefix("library rates"))
        let run = try cli.run(["run", "--plans", plan, plan, "--data", data.path, "--db", db])
        #expect(run.status == 0, "\(run.stderr)")
        let kinds = try DatabaseQueue(path: db).read { db in
            try Row.fetchAll(db, sql: "SELECT kind, path FROM run_inputs WHERE kind IN ('plan', 'library')").map { "\($0[0] as String) \($0[1] as String)" }
        }
        #expect(kinds == ["plan \(plan)", "library \(library)"])
        // A link among the plans to a file that is not a plan: named, not quoted.
        try FileManager.default.createSymbolicLink(atPath: plans.path + "/secret.plan", withDestinationPath: data.path + "/roster.csv")
        let scanned = try cli.run(["run", "--plans", plans.path, "--data", data.path, "--db", db])
        #expect(scanned.status == 65)
        #expect(!scanned.stderr.contains("R1,Ana"), "\(scanned.stderr)")
        #expect(scanned.stderr.contains("secret.plan' is not a plan file (it does not start with 'library', 'plan' or 'use')"), "\(scanned.stderr)")
        // The same as an .xml file.
        try FileManager.default.removeItem(atPath: plans.path + "/secret.plan")
        try FileManager.default.createSymbolicLink(atPath: plans.path + "/secret.xml", withDestinationPath: data.path + "/roster.csv")
        let scannedXML = try cli.run(["run", "--plans", plans.path, "--data", data.path, "--db", db])
        #expect(scannedXML.status == 65)
        #expect(!scannedXML.stderr.contains("R1,Ana"), "\(scannedXML.stderr)")
        #expect(scannedXML.stderr.contains("secret.xml' is not an XML plan (it does not start with '<')"), "\(scannedXML.stderr)")
    }

    /// `--param` in a run of several plans overrides the parameter in the plans that declare it
    /// (it had been refused for the others, so it could not be overridden at all); a name no plan
    /// declares is refused. P1: 10% × 1,000 = 100.00 (its own 5% would pay 50.00); P2: 2% × 500.
    @Test func aParameterOfOnePlanIsOverriddenInAMultiPlanRun() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,P1,2026-01-01\nR2,Ben,P2,2026-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-05,R1,1000,USD\nT2,2027-01-06,R2,500,USD\n",
        ], to: data)
        let plans = directory.appendingPathComponent("plans")
        try FileManager.default.createDirectory(at: plans, withIntermediateDirectories: true)
        let body = "  currency USD\n  period month\n  credit s {\n    amount fx(txn.amount)\n  }\n  measure b = sum(s)\n"
        try writeFiles([
            "p1.plan": "plan \"P1\" {\n" + body + "  param rate = 5%\n  component c = b * rate\n}\n",
            "p2.plan": "plan \"P2\" {\n" + body + "  component c = b * 2%\n}\n",
        ], to: plans)
        let db = directory.appendingPathComponent("r.sqlite").path
        let run = try cli.run(["run", "--plans", plans.path, "--data", data.path, "--db", db, "--param", "rate=10%", "--export-payouts", directory.path + "/p.csv"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(try String(contentsOfFile: directory.path + "/p.csv", encoding: .utf8).split(separator: "\n").filter { $0.contains(",c,") } == [
            "R1,2027-01,P1,c,100.00,USD", "R2,2027-01,P2,c,10.00,USD",
        ])
        let unknown = try cli.run(["run", "--plans", plans.path, "--data", data.path, "--db", db, "--param", "rte=10%"])
        #expect(unknown.status == 65)
        #expect(unknown.stderr.contains("no parameter 'rte' to override"), "\(unknown.stderr)")
    }

    /// `comp explain` takes a rep id that starts with a dash (the loader accepts it, with a
    /// warning), cuts a long unknown id short, and lists at most a dozen of a rep's periods.
    @Test func explainTakesAnyRepIDAndListsFewPeriods() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\n-R5,Ana,P1,2026-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            // 2027-01 to 2028-06: 18 months.
            "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-05,-R5,1000,USD\nT2,2028-06-06,-R5,500,USD\n",
        ], to: data)
        let plan = directory.appendingPathComponent("p1.plan")
        try Data("plan \"P1\" {\n  currency USD\n  period month\n  credit s {\n    amount fx(txn.amount)\n  }\n  measure b = sum(s)\n  component c = b * 5%\n}\n".utf8)
            .write(to: plan)
        let db = directory.appendingPathComponent("r.sqlite").path
        let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", db])
        #expect(run.status == 0, "\(run.stderr)")
        let explained = try cli.run(["explain", "--db", db, "--rep", "-R5", "--period", "2028-06"])
        #expect(explained.status == 0, "\(explained.stderr)")
        #expect(explained.stdout.contains("\n  c               25.00 USD   formula b * 5%   ["), "\(explained.stdout)")
        #expect(explained.stdout.hasSuffix("\ntransactions: (1) T2\n"))
        let elsewhere = try cli.run(["explain", "--db", db, "--rep", "-R5", "--period", "2026"])
        #expect(elsewhere.status == 65)
        #expect(elsewhere.stderr == "comp explain: run 1 has no payouts for rep \"-R5\" in 2026; it has "
            + "2027-01, 2027-02, 2027-03, 2027-04, 2027-05, 2027-06, … (6 more), 2028-01, 2028-02, 2028-03, 2028-04, 2028-05, 2028-06\n")
        let long = String(repeating: "X", count: 5_000)
        let unknown = try cli.run(["explain", "--db", db, "--rep", long, "--period", "2027-01"])
        #expect(unknown.status == 65)
        #expect(
            unknown.stderr
                == "comp explain: run 1 has no payouts for rep \"\(String(repeating: "X", count: 60))…\"; the rep is none of its 1 payee (plan P1)\n")
        // An id as a person may type it: another case, spaces, the number without its zeros.
        for typed in ["-r5", " -R5 ", "-R005"] {
            let near = try cli.run(["explain", "--db", db, "--rep", typed, "--period", "2027-01"])
            #expect(near.status == 65)
            #expect(near.stderr == "comp explain: run 1 has no payouts for rep \"\(typed)\"; did you mean \"-R5\"?\n")
        }
    }

    /// A rep on a plan the run did not compute: the run's stored warning says why it may have no
    /// payouts (said as a possibility: it had been said of any rep the run did not pay). A run
    /// that paid no one says so, with its warnings.
    @Test func explainSaysARunLeftOutAPlansPayees() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try oneDeal(in: directory)
        try writeFiles(["roster.csv": "rep,name,plan,start,target_incentive\nR1,Ana,AE-STD,2026-01-01,12000\nM1,Mia,MGR-OVR,2026-01-01,\n"], to: data)
        let run = try cli.run(["run", "--plans", aeStandard, "--data", "data", "--db", "r.sqlite"], in: directory)
        try #require(run.status == 0, "\(run.stderr)")
        let explained = try cli.run(["explain", "--db", "r.sqlite", "--rep", "M1", "--period", "2027-01"], in: directory)
        #expect(explained.status == 65)
        #expect(
            explained.stderr
                == "comp explain: run 1 has no payouts for rep \"M1\"; the rep is none of its 1 payee (plan AE-STD); "
                + "if the rep is on a plan the run was not given, it was left out: 1 payee on plan MGR-OVR left out (no plan file for it in this run)\n")
        // Every deal outside the plan's dates (2027): the run pays no one.
        try writeFiles(["transactions.csv": "id,date,rep,amount,currency,kind\nT1,2030-03-05,R1,1000,USD,new\n"], to: data)
        let outside = try cli.run(["run", "--plans", aeStandard, "--data", "data", "--db", "r2.sqlite"], in: directory)
        try #require(outside.status == 0, "\(outside.stderr)")
        let none = try cli.run(["explain", "--db", "r2.sqlite", "--rep", "R1", "--period", "2030-03"], in: directory)
        #expect(none.status == 65)
        #expect(
            none.stderr.hasPrefix(
                "comp explain: run 1 has no payouts for rep \"R1\"; it paid no one (plan AE-STD), and warned: 1 payee on plan MGR-OVR left out "),
            "\(none.stderr)")
    }

    /// Options are checked before anything runs: a period that is none, an export to standard
    /// output beside the summary (it had made a file named "-"), a thread count past reason.
    @Test func optionsAreCheckedFirst() throws {
        let cases: [([String], String)] = [
            (["explain", "--db", "x.sqlite", "--rep", "R1", "--period", "2027-13"],
             "Error: --period 2027-13 is not a period; write YYYY-MM (2027-03), YYYY-Qn (2027-Q1) or YYYY (2027)"),
            (["explain", "--db", "x.sqlite", "--rep", "R1", "--period", "2027-Q5"],
             "Error: --period 2027-Q5 is not a period; write YYYY-MM (2027-03), YYYY-Qn (2027-Q1) or YYYY (2027)"),
            (["run", "--plans", "p.plan", "--data", "d", "--db", "x.sqlite", "--export-measures", "-"],
             "Error: --export-measures -: the run prints its summary on standard output; give a file name (or use `comp export measures --out -`)"),
            (["run", "--plans", "p.plan", "--data", "d", "--db", "x.sqlite", "--threads", "99999"], "Error: --threads must be from 1 to 1024"),
            // A negative number is a value out of range, not a missing one (it had read as an option).
            (["run", "--plans", "p.plan", "--data", "d", "--db", "x.sqlite", "--threads", "-1"], "Error: --threads must be from 1 to 1024"),
            (["validate", "--data", "d", "--max-errors", "-1"], "Error: --max-errors must not be negative"),
            (["validate", "--data", "d", "--fiscal-year-start", "-3"], "Error: --fiscal-year-start must be 1...12"),
            (["sample", "--out", "s", "--reps", "-1"], "Error: --reps must be 1...10000000"),
            (["sample", "--out", "s", "--year", "-5"], "Error: --year must be 1900...9998"),
            (["sample", "--out", "s", "--seed", "-1"], "Error: The value '-1' is invalid for '--seed <seed>'"),
            (["demo", "--txns", "-10"], "Error: --txns must not be negative"),
            (["explain", "--db", "x.sqlite", "--rep", "R1", "--period", "-2027"],
             "Error: --period -2027 is not a period; write YYYY-MM (2027-03), YYYY-Qn (2027-Q1) or YYYY (2027)"),
        ]
        for (arguments, message) in cases {
            let result = try cli.run(arguments)
            #expect(result.status == 64, "\(arguments)")
            #expect(result.stderr.hasPrefix(message), "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: "-"))
        // A database in a directory that does not exist is refused before anything is read.
        let missing = try cli.run(["run", "--plans", aeStandard, "--data", "/nonexistent-data", "--db", "/nonexistent-dir/r.sqlite"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("--db /nonexistent-dir/r.sqlite: no directory /nonexistent-dir; make it first"), "\(missing.stderr)")
        // A database name the file system cannot hold with its journal beside it is refused before
        // anything is read (it had failed once the whole run was computed): 250 bytes + 8 > 255.
        let folder = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let long = folder.path + "/" + String(repeating: "r", count: 243) + ".sqlite"
        let tooLong = try cli.run(["run", "--plans", aeStandard, "--data", "/nonexistent-data", "--db", long])
        #expect(tooLong.status == 73)
        #expect(
            tooLong.stderr.contains(
                "--db \(long): the file name is 250 bytes long; give one of at most 247 (the file system takes 255, and SQLite keeps a "
                    + "journal beside it under the name with -journal after it)"), "\(tooLong.stderr)")
    }

    /// The data's errors are listed before its warnings: a hundred warnings (reversals in another
    /// currency than their deal) had filled the list, and the one error that refused the data was
    /// never shown, by `run` or by `validate`.
    @Test func errorsAreListedBeforeWarnings() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        var transactions = "id,date,rep,amount,currency,kind,reverses\nD0,2027-01-05,R1,100,USD,new,\n"
        for index in 1...100 { transactions += "V\(index),2027-01-06,R1,-1,EUR,new,D0\n" }
        transactions += "X1,2027-01-07,R1,1e3,USD,new,\n"
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,AE-STD,2026-01-01\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,1000\n",
            "transactions.csv": transactions,
            "fx.csv": "currency,period,rate\nEUR,2027-01,1.1\n",
        ], to: data)
        let run = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(run.status == 65)
        let lines = run.stderr.split(separator: "\n").map(String.init)
        #expect(lines.first == "\(data.path)/transactions.csv:103:4: amount \"1e3\" is not a plain decimal (like 1234.56 or -80)")
        #expect(lines.count == 102)
        #expect(lines[1].hasPrefix("\(data.path)/transactions.csv:3:5: warning: this reversal of D0 is in EUR"))
        #expect(lines.suffix(2) == [
            "… and 1 more (1 error, 100 warnings in all; `comp validate --max-errors N` lists more)",
            "the data has 1 error; nothing was run (use --quarantine to run without the rejected rows)",
        ])
        let validate = try cli.run(["validate", "--data", data.path, "--max-errors", "3"])
        #expect(validate.status == 65)
        let listed = validate.stderr.split(separator: "\n").map(String.init)
        #expect(listed.first == "\(data.path)/transactions.csv:103:4: amount \"1e3\" is not a plain decimal (like 1234.56 or -80)")
        #expect(listed.suffix(2) == [
            "… and 98 more (1 error, 100 warnings in all; errors are listed first)", "\(data.path): 1 error; the data is not valid",
        ])
        // As many as asked, however many (the largest number had overflowed and crashed).
        let all = try cli.run(["validate", "--data", data.path, "--max-errors", "\(Int.max)"])
        #expect(all.status == 65)
        #expect(all.stderr.split(separator: "\n").count == 102, "\(all.stderr)")
    }

    /// What makes a file unusable is listed first: an empty fx.csv had come 101st from
    /// `validate`, after a hundred rows in EUR without a rate, past the end of the list (found by
    /// fuzzing). It is now the one error: the rows do not each say they have no rate.
    @Test func aFileThatCannotBeReadIsListedBeforeTheRowsItLeavesWanting() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        var transactions = "id,date,rep,amount,currency,kind\n"
        for index in 1...120 { transactions += "T\(index),2027-01-06,R1,10,EUR,new\n" }
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,AE-STD,2026-01-01\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,1000\n",
            "transactions.csv": transactions,
            "fx.csv": "",
        ], to: data)
        let emptyFX = "\(data.path)/fx.csv:1:1: the file is empty; it needs a header row"
        let validate = try cli.run(["validate", "--data", data.path])
        #expect(validate.status == 65)
        let listed = validate.stderr.split(separator: "\n").map(String.init)
        #expect(listed.first == emptyFX)
        #expect(listed == [emptyFX, "\(data.path): 1 error; the data is not valid"], "\(validate.stderr)")
        let run = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(run.status == 65)
        #expect(run.stderr.split(separator: "\n").first.map(String.init) == emptyFX)
    }

    /// A split partner with no roster row on the deal's date is credited nothing: its share goes to
    /// no one. `validate` and `run` say so, naming the row (it had been silent).
    @Test func aSplitPartnerOffTheRosterOnTheDealsDateIsWarnedOf() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,AE-STD,2026-01-01\nR3,Cy,AE-STD,2027-02-01\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,1000\n",
            "transactions.csv": "id,date,rep,amount,currency,kind\nA,2027-01-10,R1,1000,USD,new\n",
            "splits.csv": "txn,rep,share\nA,R1,0.5\nA,R3,0.5\n",
        ], to: data)
        let message =
            "\(data.path)/splits.csv:3:2: warning: rep \"R3\" has no roster assignment on 2027-01-10, the date of transaction \"A\": "
            + "this share of its credit goes to no one (give the rep a roster row that covers the date, or move the share to another partner)"
        let validate = try cli.run(["validate", "--data", data.path])
        #expect(validate.status == 0)
        #expect(validate.stderr.contains(message), "\(validate.stderr)")
        // R3 on the roster from the deal's date: nothing to say.
        try writeFiles(["roster.csv": "rep,name,plan,start\nR1,Ana,AE-STD,2026-01-01\nR3,Cy,AE-STD,2027-01-10\n"], to: data)
        let fixed = try cli.run(["validate", "--data", data.path])
        #expect(!fixed.stderr.contains("no roster assignment"), "\(fixed.stderr)")
    }

    /// A quota of 0 that attainment divides by stops the run: the message names the quota row
    /// (it had said "in quotas.csv" only), and `validate` warns of it beforehand.
    @Test func aZeroQuotaNamesItsRow() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,AE-STD,2026-01-01\nR2,Ben,AE-STD,2026-01-01\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,1000\nR2,2027-01,0\n",
            "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-05,R1,1500,USD,new\nT2,2027-01-06,R2,10,USD,new\n",
        ], to: data)
        let validate = try cli.run(["validate", "--data", data.path])
        #expect(validate.status == 0)
        #expect(validate.stderr.contains(
            "\(data.path)/quotas.csv:3:3: warning: a quota of 0: a plan that divides by it (attainment) stops the run at this rep and period, and a comparison with it (bookings >= quota) holds for any bookings of 0 or more"),
            "\(validate.stderr)")
        let run = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(run.status == 65)
        #expect(run.stderr.hasSuffix(
            "rep R2, 2027-01: attainment: division by zero (the quota is 0 on line 3 of quotas.csv; set a quota above 0 there)\n"
                + runStopped + "\n"),
            "\(run.stderr)")
    }

    /// With --quarantine, a quota or payout rate whose row was rejected is named as that row
    /// (the message had said to add a row that is there), and a failed run lists the rows it left
    /// out: no database holds them.
    @Test func aQuarantinedRowBehindAFailureIsNamed() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start,currency\nR1,Ana,AE-STD,2026-01-01,\nR2,Ben,AE-STD,2026-01-01,CHF\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,-5\nR2,2027-01,1000\n",
            "fx.csv": "currency,period,rate\nCHF,2027-01,0\n",
            "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-05,R1,1500,USD,new\nT2,2027-01-06,R2,10,USD,new\n"
                + "T3,2027-13-01,R9,5,USD,new\n",
        ], to: data)
        let run = try cli.run(
            ["run", "--plans", aeStandard, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path, "--quarantine"])
        #expect(run.status == 65)
        let lines = run.stderr.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasSuffix("rep R1, 2027-01: no quota for measure bookings in 2027-01 in quotas.csv; its row (line 2) was rejected: correct that row") },
            "\(run.stderr)")
        #expect(lines.contains { $0.hasSuffix("rep R2, 2027-01: no fx rate for CHF in 2027-01 to pay this rep in CHF: its row in fx.csv (line 2) was rejected; correct that row") })
        // Rows as the reconciliation counts them: T3 is one row with two errors.
        #expect(Array(lines.suffix(6)) == [
            "--quarantine left out 3 rejected rows (4 errors), which may be why:",
            "  \(data.path)/transactions.csv:4:2: date \"2027-13-01\" is not a valid date; write YYYY-MM-DD",
            "  \(data.path)/transactions.csv:4:3: rep \"R9\" is not on the roster",
            "  \(data.path)/quotas.csv:2:3: amount \"-5\" is negative",
            "  \(data.path)/fx.csv:2:3: rate \"0\" must be greater than zero",
            runStopped,
        ], "\(run.stderr)")
    }

    /// Payees that fail are all listed, not only the first (fixing them one run at a time): R2's
    /// quota is 0 and R3 is paid in EUR with no EUR rate; R1 is fine. The list is the same for
    /// any thread count, and nothing is stored.
    @Test func everyPayeeThatFailsIsListed() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start,currency\nR1,Ana,AE-STD,2026-01-01,\nR2,Ben,AE-STD,2026-01-01,\nR3,Cy,AE-STD,2026-01-01,EUR\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,1000\nR2,2027-01,0\nR3,2027-01,1000\n",
            "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-05,R1,1500,USD,new\nT2,2027-01-06,R2,10,USD,new\nT3,2027-01-07,R3,10,USD,new\n",
        ], to: data)
        var errors: [String] = []
        for threads in ["1", "2", "3"] {
            let db = directory.appendingPathComponent("r\(threads).sqlite").path
            let run = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", db, "--threads", threads])
            #expect(run.status == 65)
            #expect(!FileManager.default.fileExists(atPath: db))
            errors.append(run.stderr)
        }
        #expect(errors[0].hasSuffix(
            "rep R2, 2027-01: attainment: division by zero (the quota is 0 on line 3 of quotas.csv; set a quota above 0 there)\n"
                + "rep R3, 2027-01: no fx rate for EUR in 2027-01 to pay this rep in EUR: add that month's EUR rate to fx.csv, or leave the rep's currency on the roster empty (roster.csv line 4) to pay in USD\n"
                + "2 payees failed\n" + runStopped + "\n"), "\(errors[0])")
        #expect(errors[1] == errors[0])
        #expect(errors[2] == errors[0])
    }

    /// A payee's failing period does not end its evaluation: its later periods' failures are said
    /// in the same run. R1's quota is 0 in January and in March (two rows to correct, two lines);
    /// R2 misses its quota from February on (one line naming the later month, which is not said
    /// again); R3 is paid in EUR, with a rate for January only (one line naming the later months
    /// and R3's roster row; one a month had been said). The same for any thread count.
    /// A quota so small that the rep's share of it rounds to 0 says so: it had said the rep was on
    /// the plan for no day of a month it joined halfway through (0.000001 × 14/28 rounds to 0).
    @Test func aQuotaProratedToZeroByRoundingSaysSo() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,P,2027-02-15\n",
            "quotas.csv": "rep,period,amount\nR1,2027-02,0.000001\n",
            "transactions.csv": "id,date,rep,amount,currency\nT1,2027-02-20,R1,10,USD\n",
        ], to: data)
        let plan = directory.appendingPathComponent("p.plan")
        try Data(
            "plan \"P\" {\n  currency USD\n  period month\n  credit sales { amount fx(txn.amount) }\n  measure b = sum(sales)\n  quota b per month prorate actual_days\n  let att = b / quota(b) round half_even 6\n}\n"
                .utf8
        ).write(to: plan)
        let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(run.status == 65)
        #expect(
            run.stderr.hasPrefix(
                "\(plan.path):7:13: rep R1, 2027-02: att: division by zero (the quota (0.000001 on line 2 of quotas.csv) is prorated to 0 at six "
                    + "digits for the rep's days on the plan in 2027-02; set a larger quota there)\n"), "\(run.stderr)")
    }

    @Test func everyFailingPeriodOfAPayeeIsListed() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start,currency\nR1,Ana,AE-STD,2026-01-01,\nR2,Ben,AE-STD,2026-01-01,\nR3,Cy,AE-STD,2026-01-01,EUR\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,0\nR1,2027-02,1000\nR1,2027-03,0\nR2,2027-01,1000\n"
                + "R3,2027-01,1000\nR3,2027-02,1000\nR3,2027-03,1000\n",
            "fx.csv": "currency,period,rate\nEUR,2027-01,1.1\n",
            "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-05,R1,1500,USD,new\nT2,2027-01-06,R2,10,USD,new\n"
                + "T3,2027-01-07,R3,10,USD,new\nT4,2027-03-07,R3,10,USD,new\n",
        ], to: data)
        var errors: [String] = []
        for threads in ["1", "2"] {
            let run = try cli.run([
                "run", "--plans", aeStandard, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path, "--threads", threads,
            ])
            #expect(run.status == 65)
            errors.append(run.stderr)
        }
        let expected: [String] = [
            "\(aeStandard):25:20: rep R1, 2027-01: attainment: division by zero (the quota is 0 on line 2 of quotas.csv; set a quota above 0 there)",
            "\(aeStandard):25:20: rep R1, 2027-03: attainment: division by zero (the quota is 0 on line 4 of quotas.csv; set a quota above 0 there)",
            "\(aeStandard):25:31: rep R2, 2027-02: no quota for measure bookings in 2027-02 in quotas.csv (nor in 2027-03)",
            "rep R3, 2027-02: no fx rate for EUR in 2027-02 to pay this rep in EUR: add that month's EUR rate to fx.csv, or leave the rep's currency on the roster empty (roster.csv line 4) to pay in USD (the same in 2027-03)",
            "3 payees failed",
            runStopped,
        ]
        let said = errors[0].split(separator: "\n").map(String.init)
        #expect(Array(said.suffix(expected.count)) == expected, "\(errors[0])")
        #expect(errors[1] == errors[0])
    }

    /// A missing quota's line names the later periods missing it, and only that failure there is
    /// not said again: March misses the bookings quota too, but fails first on its units quota
    /// of 0 (a failure of its own, said on its own line).
    @Test func aMissingQuotasLaterPeriodsHideOnlyThatFailure() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,P,2027-01-01\n",
            "quotas.csv": "rep,period,amount,measure\nR1,2027-01,1000,bookings\nR1,2027-01,1,u\nR1,2027-02,1,u\nR1,2027-03,0,u\n"
                + "R1,2027-04,1,u\nR1,2027-04,1000,bookings\n",
            "transactions.csv": "id,date,rep,amount,currency,quantity\nT1,2027-01-05,R1,1000,USD,1\nT2,2027-02-05,R1,100,USD,1\n"
                + "T3,2027-03-06,R1,100,USD,1\nT4,2027-04-06,R1,100,USD,1\n",
        ], to: data)
        let plan = directory.appendingPathComponent("p.plan")
        try Data(
            """
            plan "P" {
              currency USD
              period month
              credit sales { amount fx(txn.amount) }
              credit units { amount txn.quantity }
              measure u = sum(units)
              measure bookings = sum(sales)
              quota u
              quota bookings
              let uatt = u / quota(u) round half_even 6
              let att = bookings / quota(bookings) round half_even 6
              component a = bookings * uatt * 1%
              component b = bookings * att * 1%
            }

            """.utf8
        ).write(to: plan)
        let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(run.status == 65)
        #expect(
            run.stderr.split(separator: "\n").map(String.init) == [
                // The load's warning, said first as a run that goes on says it.
                "\(data.path)/quotas.csv:5:3: warning: a quota of 0: a plan that divides by it (attainment) stops the run at this rep and period, and a comparison with it (bookings >= quota) holds for any bookings of 0 or more",
                "\(plan.path):11:24: rep R1, 2027-02: no quota for measure bookings in 2027-02 in quotas.csv (nor in 2027-03)",
                "\(plan.path):10:14: rep R1, 2027-03: uatt: division by zero (the quota is 0 on line 5 of quotas.csv; set a quota above 0 there)",
                runStopped,
            ], "\(run.stderr)")
    }

    /// A table on attainment applied against a quota of 0 stops the run as `bookings / quota(…)`
    /// does: its bands (50% to 100% of the quota...) are all 0 then, so R1's 1,000 of bookings in
    /// March had sat past the last one and paid the top rate on all of it, 6% = 60.00. With the
    /// quota corrected to 2,000, each month with 1,000 of bookings pays 2% × 1,000 = 20.00 (the
    /// first band, up to 50% of 2,000).
    @Test func aTableOnAttainmentAgainstAQuotaOfZeroStopsTheRun() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,P,2027-01-01\nR2,Ben,P,2027-01-01\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,2000\nR1,2027-02,2000\nR1,2027-03,0\nR2,2027-01,2000\nR2,2027-02,2000\n"
                + "R2,2027-03,2000\n",
            "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-05,R1,1000,USD\nT2,2027-03-05,R1,1000,USD\n"
                + "T3,2027-03-06,R2,1000,USD\n",
        ], to: data)
        let plan = directory.appendingPathComponent("p.plan")
        let text = """
            plan "P" {
              currency USD
              period month
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              quota bookings per month
              table rates marginal on attainment {
                up to 50%     : 2%
                50% to 100%   : 4%
                100% and above : 6%
              }
              component commission = rates(bookings, quota(bookings)) round half_even 2
            }

            """
        try Data(text.utf8).write(to: plan)
        let database = directory.appendingPathComponent("r.sqlite").path
        let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", database])
        #expect(run.status == 65)
        #expect(
            run.stderr.split(separator: "\n").map(String.init) == [
                "\(data.path)/quotas.csv:4:3: warning: a quota of 0: a plan that divides by it (attainment) stops the run at this rep and period, and a comparison with it (bookings >= quota) holds for any bookings of 0 or more",
                "\(plan.path):12:26: rep R1, 2027-03: commission: division by zero: table rates is on attainment, so it places the value "
                    + "against bands that are fractions of the quota, and the quota is 0 (the quota is 0 on line 4 of quotas.csv; set a "
                    + "quota above 0 there)",
                runStopped,
            ], "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: database))
        // Corrected, the run pays 20.00 in each month with 1,000 of bookings against 2,000.
        try writeFiles(["quotas.csv": "rep,period,amount\nR1,2027-01,2000\nR1,2027-02,2000\nR1,2027-03,2000\nR2,2027-01,2000\n"
            + "R2,2027-02,2000\nR2,2027-03,2000\n"], to: data)
        let fixed = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", database, "--export-payouts", directory.appendingPathComponent("p.csv").path])
        #expect(fixed.status == 0, "\(fixed.stderr)")
        let payouts = try String(contentsOf: directory.appendingPathComponent("p.csv"), encoding: .utf8)
        #expect(payouts.split(separator: "\n").filter { $0.hasSuffix(",commission,20.00,USD") }.count == 3, "\(payouts)")
    }

    /// A failure that is the same in later periods is said once, with those periods: named, not
    /// as a range, since R1 is off the plan from March to June.
    @Test func aFailureRepeatedInLaterPeriodsIsSaidOnce() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start,end,target_incentive\nR1,Ana,TI,2027-01-01,2027-02-28,\nR1,Ana,TI,2027-07-01,,\n"
                + "R2,Ben,TI,2027-01-01,,1200\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-05,R1,10,USD\nT2,2027-12-05,R2,10,USD\n",
        ], to: data)
        let plan = directory.appendingPathComponent("ti.plan")
        try Data(
            """
            plan "TI" {
              currency USD
              period month
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales) round half_even 2
              component c = rep.target_incentive / 12 round half_even 2
            }

            """.utf8
        ).write(to: plan)
        let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(run.status == 65)
        #expect(
            run.stderr.hasSuffix(
                "\(plan.path):6:3: rep R1, 2027-01: c: did not produce an amount: rep.target_incentive (empty on this rep's roster.csv "
                    + "row, or not a column of roster.csv) has no value for this payee; fill it in on the roster, or write the component as 'if rep.target_incentive > 0 "
                    + "USD then … else 0 USD': a comparison with no value is false (the same in 7 later "
                    + "periods: 2027-02, 2027-07, 2027-08, …, 2027-12)\n" + runStopped + "\n"), "\(run.stderr)")
        #expect(run.stderr.components(separatedBy: "\n").filter { !$0.isEmpty }.count == 2, "\(run.stderr)")
    }

    /// A component with no amount names the attributes it reads that have none, through its `let`s,
    /// and where they are empty: it had named rep.target_incentive whatever the component read.
    /// One the plan already guards (`if rep.cap > 0 USD then … else …`) is not blamed.
    @Test func aComponentWithNoAmountNamesWhatIsEmpty() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start,boost\nR1,Ana,OPT,2027-01-01,\nR2,Ben,OPT,2027-01-01,0.02\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-05,R1,10,USD\nT2,2027-01-05,R2,10,USD\n",
        ], to: data)
        let plan = directory.appendingPathComponent("opt.plan")
        try Data(
            """
            plan "OPT" {
              currency USD
              period month
              attribute rep.bonus: money optional
              attribute rep.boost: rate optional
              attribute rep.cap: money optional
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              let guarded = if rep.cap > 0 USD then rep.cap else 0 USD
              let extra = guarded + rep.bonus + bookings * rep.boost
              component e = extra
            }

            """.utf8
        ).write(to: plan)
        let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(run.status == 65)
        let failures = run.stderr.split(separator: "\n").map(String.init).filter { $0.contains("did not produce") || $0.contains("the same for") }
        let hint = ", or write the component as 'if rep.bonus > 0 USD then … else 0 USD': a comparison with no value is false"
        let bonus = "rep.bonus (roster.csv has no column \"bonus\")"
        let first = "\(plan.path):11:3: rep R1, 2027-01: e: did not produce an amount: \(bonus) and rep.boost (empty on this rep's roster.csv row) "
        let second = "\(plan.path):11:3: rep R2, 2027-01: e: did not produce an amount: \(bonus) has no value for this payee; "
        #expect(
            failures == [first + "have no value for this payee; fill them in on the roster" + hint, second + "fill it in on the roster" + hint],
            "\(run.stderr)")
    }

    /// A period restated by a later period's clawback fails again the same way: it is not said
    /// twice (nor as "the same in" itself).
    @Test func aRestatedPeriodThatFailsIsSaidOnce() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,CB,2027-01-01\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,0\nR1,2027-02,100\nR1,2027-03,100\n",
            "transactions.csv": "id,date,rep,amount,currency,reverses\nT1,2027-01-05,R1,100,USD,\nT2,2027-03-05,R1,-100,USD,T1\n",
        ], to: data)
        let plan = directory.appendingPathComponent("cb.plan")
        try Data(
            """
            plan "CB" {
              currency USD
              period month
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              quota bookings per month
              let attainment = bookings / quota(bookings) round half_even 6
              component commission = bookings * 7% when attainment >= 0% round half_even 2
              clawback {
                charge original_period
                share 100%
                window 180 days
              }
            }

            """.utf8
        ).write(to: plan)
        let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(run.status == 65)
        #expect(
            run.stderr == "\(data.path)/quotas.csv:2:3: warning: a quota of 0: a plan that divides by it (attainment) stops the run at this rep and period, and a comparison with it (bookings >= quota) holds for any bookings of 0 or more\n"
                + "\(plan.path):7:20: rep R1, 2027-01: attainment: division by zero (the quota is 0 on line 2 of quotas.csv; "
                + "set a quota above 0 there)\n" + runStopped + "\n", "\(run.stderr)")
    }

    /// Payees that fail alike are one line under the first's: 150 payees whose quotas are all 0
    /// (each on its own quotas.csv line, so "with other numbers") are said in two lines and
    /// counted, for any thread count; R1151, whose quota is there, fails otherwise (no EUR rate)
    /// and is said too, after them, though it comes past a hundred failing payees.
    @Test func payeesThatFailAlikeAreSaidOnce() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        var roster = "rep,name,plan,start,currency\n"
        var quotas = "rep,period,amount\n"
        var transactions = "id,date,rep,amount,currency,kind\n"
        for index in 1...151 {
            let rep = "R" + String(1000 + index)
            roster += "\(rep),Rep \(index),AE-STD,2026-01-01,\(index == 151 ? "EUR" : "")\n"
            quotas += "\(rep),2027-01,\(index == 151 ? 1000 : 0)\n"
            transactions += "T\(index),2027-01-05,\(rep),10,USD,new\n"
        }
        try writeFiles(["roster.csv": roster, "quotas.csv": quotas, "transactions.csv": transactions], to: data)
        var errors: [String] = []
        for threads in ["1", "2", "5"] {
            let run = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path, "--threads", threads])
            #expect(run.status == 65)
            errors.append(run.stderr)
        }
        let lines = errors[0].split(separator: "\n").map(String.init)
        #expect(
            lines.suffix(5) == [
                "\(aeStandard):25:20: rep R1001, 2027-01: attainment: division by zero (the quota is 0 on line 2 of quotas.csv; set a quota above 0 there)",
                "  likewise, with other numbers, for 149 more payees: R1002, R1003, R1004, …, R1150",
                "rep R1151, 2027-01: no fx rate for EUR in 2027-01 to pay this rep in EUR: add that month's EUR rate to fx.csv, or leave the rep's currency on the roster empty (roster.csv line 152) to pay in USD",
                "151 payees failed",
                runStopped,
            ], "\(errors[0])")
        #expect(errors[1] == errors[0])
        #expect(errors[2] == errors[0])
    }

    /// Payees are said alike only when they failed in the same periods and places: R1 and R2 have
    /// a quota of 0 in January (on other quotas.csv lines: one line, "with other numbers"), R3 in
    /// February, which is its own line (it had been grouped under R1's, its month never said).
    @Test func payeesFailingInOtherPeriodsAreSaidApart() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,AE-STD,2026-01-01\nR2,Ben,AE-STD,2026-01-01\nR3,Cy,AE-STD,2026-01-01\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,0\nR1,2027-02,1000\nR2,2027-01,0\nR2,2027-02,1000\nR3,2027-01,1000\nR3,2027-02,0\n",
            "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-05,R1,10,USD,new\nT2,2027-02-05,R3,10,USD,new\n",
        ], to: data)
        let run = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(run.status == 65)
        let lines = run.stderr.split(separator: "\n").map(String.init).filter { !$0.contains("warning") }
        #expect(lines == [
            "\(aeStandard):25:20: rep R1, 2027-01: attainment: division by zero (the quota is 0 on line 2 of quotas.csv; set a quota above 0 there)",
            "  likewise, with other numbers, for 1 more payee: R2",
            "\(aeStandard):25:20: rep R3, 2027-02: attainment: division by zero (the quota is 0 on line 7 of quotas.csv; set a quota above 0 there)",
            "3 payees failed",
            runStopped,
        ], "\(run.stderr)")
    }

    /// Past a hundred different failures the list stops, and the last line says how many payees
    /// failed in all and how many of them otherwise than listed: 101 reps paid in 101 currencies
    /// with no rate (a failure each, their words differing), and a 102nd like the first.
    @Test func theListOfDifferentFailuresStopsAtAHundred() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        // 101 currencies with 2 minor digits, in code order; the 102nd rep is paid like the first.
        let codes = Currency.isoMinorUnits.filter { $0.value == 2 && $0.key != "USD" }.keys.sorted().prefix(101)
        var roster = "rep,name,plan,start,currency\n"
        var quotas = "rep,period,amount\n"
        var transactions = "id,date,rep,amount,currency,kind\n"
        for index in 0..<102 {
            let rep = "R" + String(1000 + index)
            let currency = Array(codes)[index == 101 ? 0 : index]
            roster += "\(rep),Rep \(index),AE-STD,2026-01-01,\(currency)\n"
            quotas += "\(rep),2027-01,1000\n"
            transactions += "T\(index),2027-01-05,\(rep),10,USD,new\n"
        }
        try writeFiles(["roster.csv": roster, "quotas.csv": quotas, "transactions.csv": transactions], to: data)
        var errors: [String] = []
        for threads in ["1", "2"] {
            let run = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path, "--threads", threads])
            #expect(run.status == 65)
            errors.append(run.stderr)
        }
        let lines = errors[0].split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.contains(", 2027-01: no fx rate for ") }.count == 100, "\(errors[0])")
        #expect(lines.contains { $0.hasPrefix("rep R1099, 2027-01: no fx rate for \(Array(codes)[99]) ") })
        #expect(!lines.contains { $0.hasPrefix("rep R1100, ") })
        let first = lines.firstIndex { $0.hasPrefix("rep R1000, 2027-01: no fx rate for \(Array(codes)[0]) ") } ?? lines.count - 1
        #expect(lines[first + 1] == "  likewise, with other numbers, for 1 more payee: R1101", "\(errors[0])")
        #expect(lines.suffix(2) == ["102 payees failed; 1 of them otherwise than listed (only the first 100 different failures are)", runStopped], "\(errors[0])")
        #expect(errors[1] == errors[0])
    }

    /// A run that fails while evaluating leaves no database behind where there was none (it had
    /// left an empty one with the schema), and an existing one as it was.
    @Test func aFailedRunCreatesNoDatabase() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,AE-STD,2026-01-01\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,1000\n",
            "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-02-05,R1,1500,USD,new\n",
        ], to: data)
        let db = directory.appendingPathComponent("new.sqlite").path
        let run = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", db])
        #expect(run.status == 65)
        #expect(run.stderr.contains("no quota for measure bookings in 2027-02 in quotas.csv"), "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["data"])
        // An empty file there (made with `touch`) stays empty after a failed run (it had been given
        // the schema), and a run that is stored replaces it.
        try Data().write(to: URL(fileURLWithPath: db))
        let again = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", db])
        #expect(again.status == 65)
        #expect(try FileManager.default.attributesOfItem(atPath: db)[.size] as? Int == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["data", "new.sqlite"])
        try writeFiles(["quotas.csv": "rep,period,amount\nR1,2027-02,1000\n"], to: data)
        let stored = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", db])
        #expect(stored.status == 0, "\(stored.stderr)")
        #expect(try ResultStore.vet(db))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["data", "new.sqlite"])
    }

    /// A file whose header is in error cannot be read row by row: with --quarantine it had been
    /// left out whole (0 rows, 0 payees, exit 0, a run stored). Even with --quarantine the run is
    /// refused, with every header problem, and nothing is stored.
    @Test func aFileWithABadHeaderIsNotQuarantined() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,AE-STD,2026-01-01\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,1000\n",
            "transactions.csv": "id,date,rep,amt,currency,kind\nT1,2027-01-05,R1,1500,USD,new\n",
            "fx.csv": "currency,month,rate\nEUR,2027-01,1.1\n",
        ], to: data)
        let db = directory.appendingPathComponent("r.sqlite").path
        let run = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", db, "--quarantine"])
        #expect(run.status == 65)
        #expect(
            run.stderr == """
                \(data.path)/transactions.csv:1:1: missing required column "amount" in the header
                \(data.path)/fx.csv:1:1: missing required column "period" in the header
                \(data.path)/transactions.csv, \(data.path)/fx.csv cannot be read row by row; nothing was run (correct them first: \
                --quarantine leaves out rejected rows, not whole files)

                """, "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: db))
        // Without --quarantine the same: --quarantine is not suggested, since it cannot help.
        let plain = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", db])
        #expect(plain.status == 65)
        #expect(plain.stderr == run.stderr, "\(plain.stderr)")
    }

    /// The other files' row errors are listed after the header problems, with --quarantine too:
    /// the run stops either way (with --quarantine they had been said only by the next run).
    @Test func rowErrorsAreListedBesideAnUnusableFile() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,AE-STD,2025-13-01\nR2,Ben,AE-STD,2026-01-01\n",
            "quotas.csv": "rep,period,amount\nR2,2027-01,abc\n",
            "transactions.csv": "id,date,rep,amt,currency,kind\nT1,2027-01-05,R2,1500,USD,new\n",
        ], to: data)
        let db = directory.appendingPathComponent("r.sqlite").path
        let expected = """
            \(data.path)/transactions.csv:1:1: missing required column "amount" in the header
            \(data.path)/roster.csv:2:4: start "2025-13-01" is not a valid date; write YYYY-MM-DD
            \(data.path)/quotas.csv:2:3: amount "abc" is not a plain decimal (like 1234.56 or -80)
            \(data.path)/transactions.csv cannot be read row by row; nothing was run (correct it first: --quarantine leaves out rejected \
            rows, not whole files)

            """
        for options in [["--quarantine"], []] {
            let run = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", db] + options)
            #expect(run.status == 65)
            #expect(run.stderr == expected, "\(options): \(run.stderr)")
            #expect(!FileManager.default.fileExists(atPath: db))
        }
    }

    /// explain run elsewhere than the run says the ledger is not found from there (a relative path
    /// is recorded as given), not that it changed; where it is found unchanged, ids are shown.
    @Test func explainTellsMissingFromChanged() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try oneDeal(in: directory)
        let plan = aeStandard
        #expect(try cli.run(["run", "--plans", plan, "--data", "data", "--db", "r.sqlite"], in: directory).status == 0)
        let db = directory.appendingPathComponent("r.sqlite").path
        let here = try cli.run(["explain", "--db", "r.sqlite", "--rep", "R1", "--period", "2027-01"], in: directory)
        #expect(here.stdout.contains("T1"), "\(here.stdout)")
        let elsewhere = try cli.run(["explain", "--db", db, "--rep", "R1", "--period", "2027-01"], in: data)
        #expect(elsewhere.stdout.contains(
            "data/transactions.csv is not found from this directory (the run read it from where it was started), so ids are not shown"))
        // Where another ledger is at that path, it is not said to have changed: it may be another file.
        let other = directory.appendingPathComponent("other")
        _ = try oneDeal(in: other)
        try Data("id,date,rep,amount,currency\nT9,2027-01-05,R1,1,USD\n".utf8).write(to: other.appendingPathComponent("data/transactions.csv"))
        let another = try cli.run(["explain", "--db", db, "--rep", "R1", "--period", "2027-01"], in: other)
        #expect(another.stdout.contains(
            "data/transactions.csv is not the file the run read (it has changed since, or the run was started in another directory: "
                + "a relative path is read from here), so ids are not shown"), "\(another.stdout)")
    }

    /// `--transactions` shows ledger text as text: a control sequence in a column is escaped (it
    /// had cleared the screen), and an invisible character (a zero-width space, which had printed
    /// the product as another), a long value is cut, an amount keeps the digits it has.
    @Test func explainedTransactionRowsAreSafeToShow() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try oneDeal(in: directory)
        let long = String(repeating: "A", count: 60)
        try Data(
            "id,date,rep,amount,currency,product,kind\nT1,2027-01-05,R1,100.5,USD,\"WIDGET\u{1B}[2J\u{200B}\",new\nT2,2027-01-06,R1,0.125,USD,\(long),new\n"
                .utf8
        ).write(to: data.appendingPathComponent("transactions.csv"))
        #expect(try cli.run(["run", "--plans", aeStandard, "--data", "data", "--db", "r.sqlite"], in: directory).status == 0)
        let result = try cli.run(["explain", "--db", "r.sqlite", "--rep", "R1", "--period", "2027-01", "--transactions"], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        let table = result.stdout.split(separator: "\n").map(String.init).drop { !$0.hasPrefix("transaction rows (") }
        #expect(Array(table) == [
            "transaction rows (data/transactions.csv):",
            "  line  id  date        rep  amount  currency  credited  product                                   kind",
            "     2  T1  2027-01-05  R1   100.50  USD         100.50  WIDGET\\u{1B}[2J\\u{200B}                   new",
            "     3  T2  2027-01-06  R1    0.125  USD          0.125  \(String(repeating: "A", count: 39))…  new",
            // Each row's credit, exact: the month's bookings are their sum, rounded once to 100.63.
            "credited by rule sales in 2027-01: 100.625 USD from 2 transactions (exact; a measure rounds its sum)",
        ])
    }

    /// A rep who changed plans within a month is explained plan by plan (the two statements had run
    /// together under the first plan's name).
    @Test func explainShowsEachPlanOfAPeriod() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start,end,target_incentive\nR1,One,AE-STD,2026-01-01,2027-01-15,120000\nR1,One,AE2,2027-01-16,,60000\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,31000\n",
            "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-05,R1,10000,USD,new\nT2,2027-01-20,R1,20000,USD,new\n",
        ], to: data)
        let plan = aeStandard
        let second = directory.appendingPathComponent("ae2.plan")
        try String(contentsOfFile: plan, encoding: .utf8).replacingOccurrences(of: "plan \"AE-STD\"", with: "plan \"AE2\"")
            .write(to: second, atomically: false, encoding: .utf8)
        let db = directory.appendingPathComponent("r.sqlite").path
        #expect(try cli.run(["run", "--plans", plan, second.path, "--data", data.path, "--db", db]).status == 0)
        let explained = try cli.run(["explain", "--db", db, "--rep", "R1", "--period", "2027-01"])
        let lines = explained.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("R1, 2027-01 (run 1, plans AE-STD, AE2, computed ") == true, "\(explained.stdout)")
        #expect(lines.filter { $0.hasPrefix("plan ") } == ["plan AE-STD:", "plan AE2:"])
        #expect(lines.filter { $0.hasPrefix("transactions: ") } == ["transactions: (1) T1", "transactions: (1) T2"])
    }

    /// Quota rows for a measure no plan of the run has a quota for are not used, and the run says so.
    @Test func unusedQuotaRowsAreWarnedAbout() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start,target_incentive\nR1,Ana,AE-STD,2026-01-01,12000\n",
            "quotas.csv": "rep,period,amount,measure\nR1,2027-01,1000,\nR1,2027-01,900,bookingz\nR1,2027-02,900,bookingz\n",
            "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-05,R1,1500,USD,new\n",
        ], to: data)
        let plan = aeStandard
        let run = try cli.run(["run", "--plans", plan, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains(
            "warning: quotas.csv has 2 rows for measure \"bookingz\" (the first on line 3), which none of the plans has a quota for; they are not used\n"))

        // Checked with the plans before any run: the same warning, and a name differing only in
        // case is said to be the measure meant. The run then names the row where the quota is missing.
        try writeFiles(["quotas.csv": "rep,period,amount,measure\nR1,2027-01,1000,\nR1,2027-02,900,Bookings\n",
                        "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-05,R1,1500,USD,new\nT2,2027-02-05,R1,15,USD,new\n"], to: data)
        let validate = try cli.run(["validate", "--data", data.path, "--plans", plan])
        #expect(validate.status == 0, "\(validate.stderr)")
        #expect(validate.stderr.contains(
            "warning: quotas.csv has 1 row for measure \"Bookings\" (the first on line 3), which none of the plans has a quota for "
                + "(did you mean \"bookings\"?); they are not used\n"), "\(validate.stderr)")
        let failed = try cli.run(["run", "--plans", plan, "--data", data.path, "--db", directory.appendingPathComponent("r2.sqlite").path])
        #expect(failed.status == 65)
        #expect(failed.stderr.contains(
            "rep R1, 2027-02: no quota for measure bookings in 2027-02 in quotas.csv; line 3 names measure \"Bookings\" for this rep and "
                + "period (measure names must match exactly)\n"), "\(failed.stderr)")
    }

    /// Many measures no plan has a quota for: the first ten by name each get a warning, the rest
    /// one more (a million such measures had written a million warnings).
    @Test func unusedQuotaMeasuresPastTenAreCountedInOneWarning() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        // Measures m00 … m13 on lines 3 to 16 (m13 twice, on lines 16 and 17), and the plan's own.
        let rows = (0..<14).map { "R1,2027-01,5,m\(String(format: "%02d", $0))\n" }.joined() + "R1,2027-02,5,m13\n"
        try writeFiles([
            "roster.csv": "rep,name,plan,start,target_incentive\nR1,Ana,AE-STD,2026-01-01,12000\n",
            "quotas.csv": "rep,period,amount,measure\nR1,2027-01,1000,\n" + rows,
            "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-05,R1,1500,USD,new\n",
        ], to: data)
        let validate = try cli.run(["validate", "--data", data.path, "--plans", aeStandard])
        #expect(validate.status == 0, "\(validate.stderr)")
        let warnings = validate.stderr.split(separator: "\n").filter { $0.contains("which none of the plans has a quota for") }
        #expect(warnings.count == 10)
        #expect(warnings.first == "warning: quotas.csv has 1 row for measure \"m00\" (the first on line 3), which none of the plans has a quota for; they are not used")
        #expect(validate.stderr.contains(
            "warning: quotas.csv has 5 more rows for 4 other measures none of the plans has a quota for (the first on line 13, measure \"m10\"); they are not used\n"),
            "\(validate.stderr)")
    }

    /// A measure that differs from a plan's only in case is named first, with its hint, however
    /// many other measures the file has (past ten, the hint had been left in the count).
    @Test func aCaseOnlyMeasureIsNamedBeforeTheOthers() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        let rows = (1...11).map { "R1,2027-01,5,a\(String(format: "%02d", $0))\n" }.joined() + "R1,2027-01,5,Bookings\n"
        try writeFiles([
            "roster.csv": "rep,name,plan,start,target_incentive\nR1,Ana,AE-STD,2026-01-01,12000\n",
            "quotas.csv": "rep,period,amount,measure\nR1,2027-01,1000,\n" + rows,
            "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-05,R1,1500,USD,new\n",
        ], to: data)
        let validate = try cli.run(["validate", "--data", data.path, "--plans", aeStandard])
        let warnings = validate.stderr.split(separator: "\n").filter { $0.contains("none of the plans has a") }
        #expect(warnings.first == "warning: quotas.csv has 1 row for measure \"Bookings\" (the first on line 14), which none of the plans has a quota for (did you mean \"bookings\"?); they are not used")
        #expect(warnings.count == 11)
        #expect(warnings.last == "warning: quotas.csv has 2 more rows for 2 other measures none of the plans has a quota for (the first on line 12, measure \"a10\"); they are not used")
    }

    /// A ledger column no plan reads is checked, not kept: its invalid UTF-8 refuses the row as
    /// before (the run stops; with --quarantine the row is left out), a plan reading another extra
    /// column (`txn.channel`) pays as before, and `comp explain` names the same transactions and
    /// still shows the unread column with --transactions. Commission: 10% of the web deals T1 and
    /// T4 (100 + 800), 90.00; T2 is by phone, T3 rejected.
    @Test func aColumnNoPlanReadsIsCheckedNotKept() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        let plan = directory.appendingPathComponent("ch.plan")
        try """
            plan "CH" "Channel" {
              currency USD
              period month
              credit sales {
                where txn.channel == "web"
                amount fx(txn.amount)
              }
              measure bookings = sum(sales) round half_even 2
              component commission = bookings * 10% round half_even 2
            }
            """.write(to: plan, atomically: false, encoding: .utf8)
        try writeFiles(["roster.csv": "rep,name,plan,start\nR1,Ana,CH,2026-01-01\n", "quotas.csv": "rep,period,amount\n"], to: data)
        let ledger = Array("id,date,rep,amount,currency,channel,note\nT1,2027-01-05,R1,100,USD,web,\"Deal, one\"\nT2,2027-01-06,R1,200,USD,phone,n2\n".utf8)
            + Array("T3,2027-01-07,R1,400,USD,web,bad".utf8) + [0xFF] + Array("\nT4,2027-01-08,R1,800,USD,web,note 4\n".utf8)
        try Data(ledger).write(to: data.appendingPathComponent("transactions.csv"))
        let db = directory.appendingPathComponent("r.sqlite").path
        let refused = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", db])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("transactions.csv:4:7: note is not valid UTF-8; save the file as UTF-8\n"), "\(refused.stderr)")
        let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", db, "--quarantine"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("  commission               90.00 USD\n"), "\(run.stdout)")
        #expect(run.stdout.contains("USD: 2 credited 900.00, 1 excluded 200.00, 1 rejected 400.00\n"), "\(run.stdout)")
        let explained = try cli.run(["explain", "--db", db, "--rep", "R1", "--period", "2027-01"])
        #expect(explained.stdout.contains("\ntransactions: (2) T1, T4\n"), "\(explained.stdout)")
        let listed = try cli.run(["explain", "--db", db, "--rep", "R1", "--period", "2027-01", "--transactions"])
        #expect(listed.stdout.contains("\n  line  id  date        rep  amount  currency  credited  channel  note\n"), "\(listed.stdout)")
        #expect(listed.stdout.contains("\n     2  T1  2027-01-05  R1   100.00  USD         100.00  web      Deal, one\n"))
        #expect(listed.stdout.contains("\n     5  T4  2027-01-08  R1   800.00  USD         800.00  web      note 4\n"))
    }

    /// `comp validate --plans` says the mistakes that make a run pay no one, which it had called
    /// valid without a word: a plan id no roster row names, a ledger dated outside the plan's
    /// effective dates (2030 data for the 2027 reference plan). Still valid (exit 0), with the
    /// warnings counted in the verdict.
    /// A plan whose rules credit the row's own rep evaluates them on its payees' rows (and
    /// reversals) only: a row of a rep on another plan cannot stop its run. A filter dividing by
    /// the quantity had stopped a run of P1 at R2's row of quantity 0, R2 being on P2; it still
    /// stops it at a payee's own such row.
    @Test func anotherPlansRowDoesNotStopARun() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        let plan = { (id: String) in
            "plan \"\(id)\" {\n  currency USD\n  period month\n  credit sales {\n    where fx(txn.amount) / txn.quantity > 50 USD\n"
                + "    amount fx(txn.amount)\n  }\n  measure bookings = sum(sales)\n  component commission = bookings * 5%\n}\n"
        }
        try writeFiles(["p1.plan": plan("P1"), "p2.plan": plan("P2")], to: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ann,P1,2027-01-01\nR2,Bob,P2,2027-01-01\n",
            "transactions.csv": "id,date,rep,amount,currency,quantity\nT1,2027-01-05,R1,1000,USD,2\nT2,2027-01-06,R2,500,USD,0\n",
            "quotas.csv": "rep,period,amount\n",
        ], to: data)
        let p1 = directory.appendingPathComponent("p1.plan").path
        let alone = try cli.run(["run", "--plans", p1, "--data", data.path, "--db", directory.appendingPathComponent("a.sqlite").path])
        #expect(alone.status == 0, "\(alone.stderr)")
        // 1,000 USD at 500 USD a unit passes the filter: 5% of it.
        #expect(alone.stdout.contains("  commission               50.00 USD\n"), "\(alone.stdout)")
        #expect(alone.stdout.contains("1 excluded: rep on plan P2, not in this run"), "\(alone.stdout)")
        // With P2 in the run, R2's row is P2's: its division by zero stops the run, at P2, named as R2's.
        let both = try cli.run([
            "run", "--plans", p1, "--plans", directory.appendingPathComponent("p2.plan").path, "--data", data.path,
            "--db", directory.appendingPathComponent("b.sqlite").path,
        ])
        #expect(both.status == 65)
        #expect(both.stderr.contains("p2.plan:5:11: rep R2, 2027-01: division by zero"), "\(both.stderr)")
        #expect(!both.stderr.contains("p1.plan"), "\(both.stderr)")
    }

    @Test func validateWarnsOfPlansThatWouldPayNoOne() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start,target_incentive\nR1,Ana,AE-STD,2026-01-01,12000\n",
            "quotas.csv": "rep,period,amount\nR1,2030-01,1000\n",
            "transactions.csv": "id,date,rep,amount,currency,kind,product\nT1,2030-01-05,R1,1500,USD,new,A\nT2,2030-03-09,R1,700,USD,new,B\n",
        ], to: data)
        let outside = try cli.run(["validate", "--data", data.path, "--plans", aeStandard])
        #expect(outside.status == 0, "\(outside.stderr)")
        #expect(
            outside.stderr
                == "warning: plan AE-STD is effective 2027-01-01 to 2027-12-31, but no transaction is dated within it (the ledger runs "
                + "from 2030-01-05 to 2030-03-09): a run excludes every deal of its payees as outside the plan's dates\n")
        #expect(outside.stdout.hasSuffix("\(data.path): valid (2 transactions, 1 reps) for plan AE-STD; read the 1 warning above\n"), "\(outside.stdout)")
        // A run says it too, on standard error (it had paid no one with only the summary's
        // exclusion count to say why), and stores it with the run's warnings.
        let db = directory.appendingPathComponent("outside.sqlite").path
        let run = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", db])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").filter { $0.contains("no transaction is dated within it") }.count == 1, "\(run.stderr)")
        let stored = try DatabaseQueue(path: db).read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM run_warnings WHERE message LIKE '%no transaction is dated within it%'")
        }
        #expect(stored == 1)
        // A ledger around the plan's year without a deal in it (2026 and 2028) is said too; one deal in it is enough.
        try writeFiles([
            "transactions.csv": "id,date,rep,amount,currency,kind,product\nT1,2026-06-05,R1,1500,USD,new,A\nT2,2028-02-09,R1,700,USD,new,B\n"
        ], to: data)
        let around = try cli.run(["validate", "--data", data.path, "--plans", aeStandard])
        #expect(around.stderr.contains("but no transaction is dated within it (the ledger runs from 2026-06-05 to 2028-02-09)"), "\(around.stderr)")
        try writeFiles([
            "transactions.csv": "id,date,rep,amount,currency,kind,product\nT1,2026-06-05,R1,1500,USD,new,A\nT2,2027-12-31,R1,700,USD,new,B\n"
        ], to: data)
        let within = try cli.run(["validate", "--data", data.path, "--plans", aeStandard])
        #expect(!within.stderr.contains("no transaction is dated within"), "\(within.stderr)")
        #expect(!within.stderr.contains("has no accepted transaction"), "\(within.stderr)")

        let typo = directory.appendingPathComponent("typo.plan")
        let text = try String(contentsOfFile: aeStandard, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "plan \"AE-STD\"", with: "plan \"AE_STD\"").utf8).write(to: typo)
        let unnamed = try cli.run(["validate", "--data", data.path, "--plans", typo.path])
        #expect(unnamed.status == 0, "\(unnamed.stderr)")
        #expect(
            unnamed.stderr.hasPrefix(
                "warning: plan AE_STD has no payees: no roster row names it; did you mean AE-STD? (the plan file's id and the roster's plan "
                    + "column must match exactly)\n"), "\(unnamed.stderr)")
        #expect(unnamed.stdout.hasSuffix("; read the 1 warning above\n"), "\(unnamed.stdout)")

        // A ledger of its header alone: said by validate and by a run (which had printed "0
        // payees, no periods" and exited 0 without a word).
        try writeFiles(["transactions.csv": "id,date,rep,amount,currency,kind,product\n"], to: data)
        let empty = try cli.run(["validate", "--data", data.path, "--plans", aeStandard])
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(
            empty.stderr
                == "warning: transactions.csv has no accepted transaction: no deal is credited, and a run computes no period; check that "
                + "the export holds its rows\n")
        let emptyRun = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", directory.appendingPathComponent("empty.sqlite").path])
        #expect(emptyRun.stderr.contains("warning: transactions.csv has no accepted transaction"), "\(emptyRun.stderr)")
    }

    /// Quota rows for a period length the rep's plan does not read (a quarter beside the months a
    /// monthly plan reads) are not used, and the run says so; rows of reps on no plan of the run
    /// and of the length read are not counted.
    @Test func quotaRowsOfAnUnreadPeriodLengthAreWarnedAbout() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start,target_incentive\nR1,Ana,AE-STD,2026-01-01,12000\nR2,Bo,OTHER,2026-01-01,12000\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,1000\nR1,2027-Q1,3000\nR2,2027-Q1,3000\nR1,2027,12000\nR1,2027-02,1000\n",
            "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-05,R1,1500,USD,new\n",
        ], to: data)
        let run = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains(
            "warning: quotas.csv has 2 rows for a period length the rep's plans do not read (the first on line 3: 2027-Q1, a quarter's "
                + "quota of rep \"R1\", whose plan AE-STD reads one bookings quota row per month); they are not used\n"), "\(run.stderr)")
        let validate = try cli.run(["validate", "--data", data.path, "--plans", aeStandard])
        #expect(validate.stderr.contains("warning: quotas.csv has 2 rows for a period length"), "\(validate.stderr)")

        // A plan reading monthly and yearly quotas (quotas.plan): the quarter is not read, the year is.
        let quotasPlan = CLI.root.appendingPathComponent("Plans/examples/quotas.plan").path
        try writeFiles([
            "roster.csv": "rep,name,plan,start,target_incentive\nR1,Ana,QUOTA-DEMO,2026-01-01,12000\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,1000\nR1,2027,12000\nR1,2027-Q1,3000\n",
        ], to: data)
        let both = try cli.run(["run", "--plans", quotasPlan, "--data", data.path, "--db", directory.appendingPathComponent("r4.sqlite").path])
        #expect(both.status == 0, "\(both.stderr)")
        #expect(both.stderr.contains(
            "warning: quotas.csv has 1 row for a period length the rep's plans do not read (the first on line 4: 2027-Q1, a quarter's "
                + "quota of rep \"R1\", whose plan QUOTA-DEMO reads one bookings quota row per month and per year); it is not used\n"),
            "\(both.stderr)")
        try writeFiles(["roster.csv": "rep,name,plan,start,target_incentive\nR1,Ana,AE-STD,2026-01-01,12000\nR2,Bo,OTHER,2026-01-01,12000\n"], to: data)

        // Only the months: nothing to say.
        try writeFiles(["quotas.csv": "rep,period,amount\nR1,2027-01,1000\nR2,2027-Q1,3000\n"], to: data)
        let quiet = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", directory.appendingPathComponent("r2.sqlite").path])
        #expect(quiet.status == 0, "\(quiet.stderr)")
        #expect(!quiet.stderr.contains("period length"), "\(quiet.stderr)")

        // Only the quarter: the run fails on the missing month, and says what it would have
        // warned of, which is why.
        try writeFiles(["quotas.csv": "rep,period,amount\nR1,2027-Q1,3000\n"], to: data)
        let failed = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", directory.appendingPathComponent("r3.sqlite").path])
        #expect(failed.status == 65)
        #expect(failed.stderr == 
            "warning: plan AE-STD reads txn.product, but transactions.csv has no column \"product\": it is empty on every row\n"
                + "warning: quotas.csv has 1 row for a period length the rep's plans do not read (the first on line 2: 2027-Q1, a quarter's "
                + "quota of rep \"R1\", whose plan AE-STD reads one bookings quota row per month); it is not used\n"
                + "\(aeStandard):25:31: rep R1, 2027-01: no quota for measure bookings in 2027-01 in quotas.csv\n" + runStopped + "\n",
            "\(failed.stderr)")
    }

    /// Under --quarantine, a manager whose roster rows were all rejected ends the roll-ups at the
    /// reps under them: the run says so (the override above had silently dropped), and the credit
    /// still reaches the reps.
    @Test func aRollUpCutByARejectedManagerIsWarnedAbout() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            // M1's row is rejected (a lower-case currency): R1 and R2 roll up no further.
            "roster.csv": "rep,name,manager,plan,start,currency\nV1,Vi,,T,2026-01-01,\nM1,Mo,V1,T,2026-01-01,usd\n"
                + "R1,Ana,M1,T,2026-01-01,\nR2,Ben,M1,T,2026-01-01,\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-05,R1,100,USD\nT2,2027-01-06,R2,50,USD\n",
        ], to: data)
        let plan = directory.appendingPathComponent("t.plan")
        try Data(
            """
            plan "T" {
              currency USD
              period month
              credit team {
                amount fx(txn.amount)
                to rep
                to managers all levels
              }
              measure bookings = sum(team)
              component commission = bookings * 10%
            }

            """.utf8
        ).write(to: plan)
        let db = directory.appendingPathComponent("r.sqlite").path
        let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", db, "--quarantine"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains(
            "warning: roster.csv: 2 rows (the first on line 4, rep R1) name a manager whose roster rows were all rejected (M1): roll-ups "
                + "to managers stop there, and the managers above are paid without those reps' credits; correct the rejected rows\n"),
            "\(run.stdout)")
        let payouts = try cli.run(["export", "payouts", "--db", db, "--out", "-"])
        #expect(payouts.stdout.split(separator: "\n").filter { $0.contains(",total,") } == [
            "R1,2027-01,T,total,10.00,USD", "R2,2027-01,T,total,5.00,USD", "V1,2027-01,T,total,0.00,USD",
        ])
    }

    /// A ledger without a column the plan filters on (`kind`, `product`) runs, every row reading
    /// it empty, and the run says so: a commission of 0.00 had been paid without a word.
    @Test func columnsThePlanReadsButTheLedgerLacksAreWarnedAbout() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start,target_incentive\nR1,Ana,AE-STD,2026-01-01,12000\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,1000\n",
            "transactions.csv": "id,date,rep,amount,currency,Kind\nT1,2027-01-05,R1,1500,USD,new\n",
        ], to: data)
        let run = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("  commission                0.00 USD\n"), "\(run.stdout)")
        // A warning at a place is written as validate writes it (`file:line:field: warning: …`).
        let warnings = run.stderr.split(separator: "\n").filter { $0.hasPrefix("warning: ") || $0.contains(": warning: ") }
        #expect(warnings == [
            "\(data.path)/transactions.csv:1:6: warning: column \"Kind\" is not the column \"kind\" (names are matched exactly, in lower case): it is read as an extra column, and kind is empty on every row; rename it \"kind\"",
            "warning: plan AE-STD reads txn.product, but transactions.csv has no column \"product\": it is empty on every row",
            "warning: plan AE-STD reads txn.kind, but transactions.csv has no column \"kind\": it is empty on every row",
        ])
    }

    /// A declared optional column the file does not have reads as an empty one on every row (text
    /// "", a count 0), and the run says it is absent: `txn.segment != "SMB"` had taken no deal and
    /// `100 USD * rep.seats` had stopped the run, where the same columns present but empty paid
    /// 10% of 1,000 = 100.00 and a seat bonus of 0.00. The same with the columns there, empty.
    @Test func anAbsentOptionalColumnReadsAsAnEmptyOne() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = directory.appendingPathComponent("p.plan")
        try Data(
            """
            plan "P" {
              currency USD
              period month
              attribute txn.segment: text optional
              attribute rep.seats: count optional
              attribute rep.team: text optional
              attribute rep.unused: text optional
              credit sales {
                where txn.segment != "SMB"
                amount fx(txn.amount)
              }
              measure bookings = sum(sales)
              component commission = bookings * 10% when rep.team == ""
              component seat_bonus = 100 USD * rep.seats
            }

            """.utf8
        ).write(to: plan)
        for present in [false, true] {
            let data = try dataDirectory(in: directory.appendingPathComponent(present ? "present" : "absent"))
            try writeFiles([
                "roster.csv": present ? "rep,name,plan,start,seats,team\nR1,Ana,P,2026-01-01,,\n" : "rep,name,plan,start\nR1,Ana,P,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": present ? "id,date,rep,amount,currency,segment\nT1,2027-01-05,R1,1000,USD,\n" : "id,date,rep,amount,currency\nT1,2027-01-05,R1,1000,USD\n",
            ], to: data)
            let db = data.appendingPathComponent("r.sqlite").path
            let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", db, "--export-payouts", data.appendingPathComponent("p.csv").path])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(
                try String(contentsOf: data.appendingPathComponent("p.csv"), encoding: .utf8)
                    == "rep,period,plan,component,amount,currency\nR1,2027-01,P,commission,100.00,USD\nR1,2027-01,P,seat_bonus,0.00,USD\nR1,2027-01,P,total,100.00,USD\n")
            let warnings = run.stderr.split(separator: "\n").filter { $0.hasPrefix("warning: ") }
            // rep.unused is declared but read by no rule: its absence is not said.
            #expect(warnings == (present ? [] : [
                "warning: plan P reads txn.segment, but transactions.csv has no column \"segment\": it is empty on every row",
                "warning: plan P reads rep.seats, but roster.csv has no column \"seats\": it is empty on every row",
                "warning: plan P reads rep.team, but roster.csv has no column \"team\": it is empty on every row",
            ]), "\(run.stderr)")
        }
    }

    /// A `let` with no value for a payee and period (it reads an empty optional column) has its row
    /// in the measures export, with an empty value, as FORMATS.md has a row per payee, period and
    /// measure (it had been left out), from the run and from the stored run; explain says it has none.
    @Test func aLetWithNoValueHasAnEmptyMeasureRow() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = directory.appendingPathComponent("p.plan")
        try Data(
            """
            plan "P" {
              currency USD
              period month
              attribute rep.ratex: rate optional
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              let r = rep.ratex
              component c = bookings * 1% when r > 0%
            }

            """.utf8
        ).write(to: plan)
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start,ratex\nR1,Ana,P,2026-01-01,\nR2,Ben,P,2026-01-01,0.05\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-05,R1,1000,USD\nT2,2027-01-05,R2,1000,USD\n",
        ], to: data)
        let db = directory.appendingPathComponent("r.sqlite").path
        let measures = directory.appendingPathComponent("m.csv")
        let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", db, "--export-measures", measures.path])
        #expect(run.status == 0, "\(run.stderr)")
        let expected = "rep,period,plan,measure,value\nR1,2027-01,P,bookings,1000.00\nR1,2027-01,P,r,\nR2,2027-01,P,bookings,1000.00\nR2,2027-01,P,r,0.050000\n"
        #expect(try String(contentsOf: measures, encoding: .utf8) == expected)
        #expect(try cli.run(["export", "measures", "--db", db, "--out", "-"]).stdout == expected)
        let explained = try cli.run(["explain", "--db", db, "--rep", "R1", "--period", "2027-01"])
        #expect(explained.stdout.contains("\n  r         no value (it reads an empty optional column)\n"), "\(explained.stdout)")
    }

    /// A `let` that is a condition, a date or a text has its row in the measures export too, with
    /// its value as it reads (`true`, `2027-01-31`, the text, quoted as CSV needs), from the run, the
    /// stored run and the `measures` view; explain shows it. Such rows had been left out, against
    /// FORMATS.md's row for every measure or derived value the plan defines.
    @Test func conditionDateAndTextLetsHaveMeasureRows() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = directory.appendingPathComponent("p.plan")
        try Data(
            """
            plan "P" {
              currency USD
              period month
              attribute rep.team: text optional
              attribute rep.hired: date optional
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              let big = bookings > 1500 USD
              let hired = rep.hired
              let team = rep.team
              component c = bookings * 1% when big
            }

            """.utf8
        ).write(to: plan)
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start,team,hired\nR1,Ana,P,2026-01-01,\"East, \"\"A\"\"\",2026-03-31\nR2,Ben,P,2026-01-01,,\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-05,R1,1000,USD\nT2,2027-01-05,R2,2000,USD\n",
        ], to: data)
        let db = directory.appendingPathComponent("r.sqlite").path
        let measures = directory.appendingPathComponent("m.csv")
        let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", db, "--export-measures", measures.path])
        #expect(run.status == 0, "\(run.stderr)")
        // R2's hired date is empty: no value. An empty text is the text "".
        let expected = "rep,period,plan,measure,value\nR1,2027-01,P,bookings,1000.00\nR1,2027-01,P,big,false\nR1,2027-01,P,hired,2026-03-31\n"
            + "R1,2027-01,P,team,\"East, \"\"A\"\"\"\nR2,2027-01,P,bookings,2000.00\nR2,2027-01,P,big,true\nR2,2027-01,P,hired,\nR2,2027-01,P,team,\n"
        #expect(try String(contentsOf: measures, encoding: .utf8) == expected)
        #expect(try cli.run(["export", "measures", "--db", db, "--out", "-"]).stdout == expected)
        // In the view a text of its own: `value` stays a number or NULL. R2's empty text is '', its
        // empty date NULL (the CSV writes both as an empty field).
        let view = try DatabaseQueue(path: db).read { db in
            try String.fetchAll(
                db, sql: "SELECT rep || ' ' || measure || '=' || quote(value) || ' ' || quote(text) || ' ' || unit FROM measures ORDER BY rep, ord")
        }
        #expect(
            view == [
                "R1 bookings=1000000000 NULL USD", "R1 big=NULL 'false' bool", "R1 hired=NULL '2026-03-31' date",
                "R1 team=NULL 'East, \"A\"' text", "R2 bookings=2000000000 NULL USD", "R2 big=NULL 'true' bool", "R2 hired=NULL NULL date",
                "R2 team=NULL '' text",
            ])
        let explained = try cli.run(["explain", "--db", db, "--rep", "R1", "--period", "2027-01"])
        #expect(
            explained.stdout.contains("\n  bookings  1000.00 USD\n  big       false\n  hired     2026-03-31\n  team      \"East, \\\"A\\\"\"\n"),
            "\(explained.stdout)")
        let second = try cli.run(["explain", "--db", db, "--rep", "R2", "--period", "2027-01"])
        #expect(second.stdout.contains("\n  hired     no value (it reads an empty optional column)\n  team      \"\"\n"), "\(second.stdout)")
    }

    /// A text `let` value a spreadsheet may run as a formula is warned of, once per `let`, as a rep
    /// id starting so is (it went to the measures export without a word).
    @Test func aFormulaLikeTextLetIsWarnedOf() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = directory.appendingPathComponent("p.plan")
        try Data(
            "plan \"P\" {\n  currency USD\n  period month\n  credit sales { amount fx(txn.amount) }\n  measure bookings = sum(sales)\n  attribute rep.team: text\n  let team = rep.team\n}\n"
                .utf8
        ).write(to: plan)
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start,team\nR1,Ana,P,2026-01-01,East\nR2,Ben,P,2026-01-01,=HYPERLINK(1)\nR3,Cy,P,2026-01-01,@x\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-05,R1,10,USD\nT2,2027-01-05,R2,10,USD\nT3,2027-02-05,R3,10,USD\n",
        ], to: data)
        let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(run.status == 0, "\(run.stderr)")
        let warnings = run.stderr.split(separator: "\n").filter { $0.contains("formula") }
        // R2 and R3 in January and February: four payee-periods, the first R2's.
        #expect(
            warnings == [
                "warning: plan P: let team is the text \"=HYPERLINK(1)\" for rep R2 in 2027-01 and 3 more payee-periods, starting with \"=\": "
                    + "a spreadsheet opening the measures export may run it as a formula; check the data it reads"
            ], "\(run.stderr)")
    }

    @Test func summaryShowsWhatCapsTookOffTheTotal() throws {
        // ae-10k's capped_total is below the sum of its components wherever the cap bound: the
        // summary shows that difference as its own line, so the lines add up to the total.
        let data = CLI.root.appendingPathComponent("Tests/ReferenceData/ae-10k").standardizedFileURL.path
        let expected = try String(contentsOfFile: data + "/expected-payouts.csv", encoding: .utf8)
        var sums = [Int](repeating: 0, count: 4)  // commission, spiff, bonus, capped_total in cents
        for row in expected.split(separator: "\n").dropFirst() {
            let fields = row.split(separator: ",")
            for column in 4..<8 { sums[column - 4] += try #require(Int(fields[column].replacingOccurrences(of: ".", with: ""))) }
        }
        let adjustment = sums[3] - sums[0] - sums[1] - sums[2]
        #expect(adjustment < 0)
        func shown(_ cents: Int) -> String {
            let whole = abs(cents) / 100
            var digits = String(whole)
            var grouped = ""
            while digits.count > 3 {
                grouped = "," + digits.suffix(3) + grouped
                digits.removeLast(3)
            }
            return (cents < 0 ? "-" : "") + digits + grouped + "." + String(format: "%02d", abs(cents) % 100)
        }
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let run = try cli.run([
            "run", "--plans", aeStandard, "--data", data, "--db", directory.appendingPathComponent("results.sqlite").path,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        let summary = lines.filter { $0.hasPrefix("  ") && $0.hasSuffix("USD") || $0.contains(" USD  (") }
        #expect(summary.count == 5, "\(run.stdout)")
        for (name, cents) in [("commission", sums[0]), ("spiff", sums[1]), ("bonus", sums[2]), ("total", sums[3])] {
            #expect(lines.contains { $0.hasPrefix("  \(name) ") && $0.hasSuffix(" \(shown(cents)) USD") }, "\(name): \(run.stdout)")
        }
        #expect(
            lines.contains {
                $0.hasPrefix("  adjustments ")
                    && $0.hasSuffix(" \(shown(adjustment)) USD  (caps, floors, clawbacks, draws and holdbacks on the total)")
            }, "\(run.stdout)")
        // Right before the total.
        let position = try #require(lines.firstIndex { $0.hasPrefix("  adjustments ") })
        #expect(lines[position + 1].hasPrefix("  total "))
    }

    @Test func twoPlansExportInExportOrder() throws {
        // R1 and R3 are on AE-STD, R2 on FLAT: the plans are evaluated one after the other, and
        // the run's exports must still come out sorted by rep, like `comp export`'s.
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        let files = [
            "roster.csv": "rep,name,plan,start,target_incentive\nR1,Ana,AE-STD,2026-01-01,12000\nR2,Ben,FLAT,2026-01-01,\nR3,Cy,AE-STD,2026-01-01,12000\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,1000\nR3,2027-01,1000\n",
            "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-05,R1,1500,USD,new\nT2,2027-01-06,R2,800,USD,new\nT3,2027-01-07,R3,500,USD,new\n",
        ]
        try writeFiles(files, to: data)
        let flat = directory.appendingPathComponent("flat.plan")
        try Data(
            """
            plan "FLAT" {
              currency USD
              period month
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales) round half_even 2
              component commission = bookings * 5% round half_even 2
            }

            """.utf8
        ).write(to: flat)
        let db = directory.appendingPathComponent("results.sqlite").path
        let plan = aeStandard
        let payoutsFile = directory.appendingPathComponent("payouts.csv").path
        let measuresFile = directory.appendingPathComponent("measures.csv").path
        let run = try cli.run([
            "run", "--plans", plan, flat.path, "--data", data.path, "--db", db, "--export-payouts", payoutsFile,
            "--export-measures", measuresFile,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        // Each plan's totals are labelled with it: R1 95 + R3 15 = 110 commission, 2000 bonus
        // (R1), total 2110; FLAT: 40.
        #expect(
            run.stdout.contains(
                """
                  AE-STD commission              110.00 USD
                  AE-STD spiff                     0.00 USD
                  AE-STD bonus                 2,000.00 USD
                  AE-STD total                 2,110.00 USD
                  FLAT commission                 40.00 USD
                  FLAT total                      40.00 USD

                """), "\(run.stdout)")
        let payouts = try cli.run(["export", "payouts", "--db", db, "--out", "-"])
        let measures = try cli.run(["export", "measures", "--db", db, "--out", "-"])
        #expect(try String(contentsOfFile: payoutsFile, encoding: .utf8) == payouts.stdout)
        #expect(try String(contentsOfFile: measuresFile, encoding: .utf8) == measures.stdout)
        // 800 × 5% = 40.00 for R2 between R1's and R3's lines.
        #expect(
            payouts.stdout == """
                rep,period,plan,component,amount,currency
                R1,2027-01,AE-STD,commission,95.00,USD
                R1,2027-01,AE-STD,spiff,0.00,USD
                R1,2027-01,AE-STD,bonus,2000.00,USD
                R1,2027-01,AE-STD,total,2095.00,USD
                R2,2027-01,FLAT,commission,40.00,USD
                R2,2027-01,FLAT,total,40.00,USD
                R3,2027-01,AE-STD,commission,15.00,USD
                R3,2027-01,AE-STD,spiff,0.00,USD
                R3,2027-01,AE-STD,bonus,0.00,USD
                R3,2027-01,AE-STD,total,15.00,USD

                """)
    }

    /// The plans of one run share its periods, from the first to the last transaction of any of
    /// them: R1 (plan DR) has no deal in January, but R2 (plan OT) has, so January is computed for
    /// R1 too and its scheduled 3,000 draw paid; R2 gets zero rows for February to April. April:
    /// commission 100,000 × 8% = 8,000.00, recovery min(50% × 8,000, 9,000 owed) = 4,000.00.
    @Test func thePlansOfARunShareItsPeriods() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,DR,2027-01-01\nR2,Ben,OT,2027-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": "id,date,rep,amount,currency\nt1,2027-01-10,R2,5000,USD\nt2,2027-02-10,R1,10000,USD\nt3,2027-04-10,R1,100000,USD\n",
        ], to: data)
        let plans = directory.appendingPathComponent("plans")
        try FileManager.default.createDirectory(at: plans, withIntermediateDirectories: true)
        try writeFiles([
            "dr.plan": """
                plan "DR" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component commission = bookings * 8%
                  draw ramp {
                    type recoverable
                    amount 3000 USD
                    periods 2027-01 to 2027-03
                    recovery_start 2027-04
                    recovery_max 50%
                  }
                }

                """,
            "ot.plan": """
                plan "OT" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component commission = bookings * 1%
                }

                """,
        ], to: plans)
        let db = directory.appendingPathComponent("r.sqlite").path
        let run = try cli.run(["run", "--plans", plans.path, "--data", data.path, "--db", db])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("run 1: plan DR, OT, 2 payees, 4 periods (2027-01 … 2027-04)\n"), "\(run.stdout)")
        let totals = try cli.run(["export", "payouts", "--db", db, "--out", "-"]).stdout.split(separator: "\n")
            .filter { $0.contains(",total,") }
        #expect(
            totals == [
                "R1,2027-01,DR,total,3000.00,USD", "R1,2027-02,DR,total,3800.00,USD", "R1,2027-03,DR,total,3000.00,USD",
                "R1,2027-04,DR,total,4000.00,USD", "R2,2027-01,OT,total,50.00,USD", "R2,2027-02,OT,total,0.00,USD",
                "R2,2027-03,OT,total,0.00,USD", "R2,2027-04,OT,total,0.00,USD",
            ])
        // OT's deal in the next fiscal year gives OT January 2028, not DR, whose own transactions
        // are all in 2027 (a plan's payees would need quotas for months another plan added).
        try writeFiles([
            "transactions.csv": "id,date,rep,amount,currency\nt1,2027-01-10,R2,5000,USD\nt2,2027-02-10,R1,10000,USD\nt8,2028-01-10,R2,100,USD\n"
        ], to: data)
        let nextYear = try cli.run(["run", "--plans", plans.path, "--data", data.path, "--db", db])
        #expect(nextYear.status == 0, "\(nextYear.stderr)")
        let lines = try cli.run(["export", "payouts", "--db", db, "--out", "-"]).stdout.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("R1,2028") }.isEmpty)
        #expect(lines.contains("R2,2028-01,OT,total,1.00,USD"))
        #expect(lines.contains("R1,2027-12,DR,total,0.00,USD"))
        // A plan none of whose reps has a deal yet takes the run's whole span: the new hire is paid
        // the scheduled draw (3 × 3,000.00), with nothing to recover in April.
        try writeFiles([
            "transactions.csv": "id,date,rep,amount,currency\nt1,2027-01-10,R2,5000,USD\nt3,2027-04-10,R2,100,USD\n"
        ], to: data)
        let noDeals = try cli.run(["run", "--plans", plans.path, "--data", data.path, "--db", db])
        #expect(noDeals.status == 0, "\(noDeals.stderr)")
        let drawn = try cli.run(["export", "payouts", "--db", db, "--out", "-"]).stdout.split(separator: "\n")
            .filter { $0.hasPrefix("R1,") && $0.contains(",total,") }
        #expect(drawn == ["R1,2027-01,DR,total,3000.00,USD", "R1,2027-02,DR,total,3000.00,USD", "R1,2027-03,DR,total,3000.00,USD", "R1,2027-04,DR,total,0.00,USD"])
        // A plan with no deal yet that reads quotas, in a run whose other plan has a deal in the
        // next year: the missing quota says which plan's transactions brought the month.
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,AE-STD,2027-01-01\nR2,Ben,OT,2027-01-01\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,1000\n",
            "transactions.csv": "id,date,rep,amount,currency\nt1,2027-01-10,R2,5000,USD\nt8,2027-02-10,R2,100,USD\n",
        ], to: data)
        let withAE = try cli.run(["run", "--plans", aeStandard, plans.path + "/ot.plan", "--data", data.path, "--db", db])
        #expect(withAE.status == 65)
        #expect(
            withAE.stderr.contains(
                "rep R1, 2027-02: no quota for measure bookings in 2027-02 in quotas.csv; 2027-02 is in this run for plan OT's "
                    + "transactions (plan AE-STD has none then): add the quota, or give plan AE-STD `effective` dates that leave it out"),
            "\(withAE.stderr)")
        try writeFiles(["roster.csv": "rep,name,plan,start\nR1,Ana,DR,2027-01-01\nR2,Ben,OT,2027-01-01\n"], to: data)
        // A mistyped year in a transaction of DR's rep: DR fails on the span (OT, whose own
        // transactions are all in 2027, takes the run's months of 2027 only), and the message
        // names the plans whose transactions make it.
        try writeFiles([
            "transactions.csv": "id,date,rep,amount,currency\nt1,2027-01-10,R2,5000,USD\nt2,2027-02-10,R1,10000,USD\nt9,2299-06-15,R1,1,USD\n"
        ], to: data)
        let stretched = try cli.run(["run", "--plans", plans.path + "/ot.plan", plans.path + "/dr.plan", "--data", data.path, "--db", db])
        #expect(stretched.status == 65)
        #expect(
            stretched.stderr.contains(
                "plan DR: the run's transactions run from 2027-01-10 (t1, plan OT) to 2299-06-15 (t9, plan DR), 3270 month periods, "
                    + "and a run computes at most 1200; correct the date that is wrong, or give plan DR and OT `effective` dates"),
            "\(stretched.stderr)")
        // `validate` with the same plans says what the run refuses (it had called the data valid).
        let validated = try cli.run(["validate", "--plans", plans.path + "/ot.plan", plans.path + "/dr.plan", "--data", data.path])
        #expect(validated.status == 65)
        #expect(
            validated.stderr.split(separator: "\n").map(String.init) == [
                "error: plan DR: the run's transactions run from 2027-01-10 (t1, plan OT) to 2299-06-15 (t9, plan DR), 3270 month "
                    + "periods, and a run computes at most 1200; correct the date that is wrong, or give plan DR and OT `effective` dates",
                "\(data.path): 1 error; the data is not valid",
            ], "\(validated.stderr)")
        #expect(!validated.stdout.contains("valid ("), "\(validated.stdout)")
    }

    /// `/dev/stdout` is written through the process's own standard output: a shell's `>>` keeps
    /// what the file held, and with `>` the run's summary comes after the CSV instead of over it.
    @Test func anExportToStandardOutputKeepsTheShellsRedirection() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try oneDeal(in: directory)
        let db = directory.appendingPathComponent("r.sqlite").path
        let binary = try #require(CLI.binary).path
        let appended = directory.appendingPathComponent("appended.txt").path
        let written = directory.appendingPathComponent("written.txt").path
        try Data("KEEP ME\n".utf8).write(to: URL(fileURLWithPath: appended))
        let script = """
            '\(binary)' run --plans '\(aeStandard)' --data '\(data.path)' --db '\(db)' --export-payouts /dev/stdout > '\(written)' &&
            '\(binary)' export payouts --db '\(db)' --out /dev/stdout >> '\(appended)'
            """
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        shell.arguments = ["-c", script]
        try shell.run()
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0)
        let csv = """
            rep,period,plan,component,amount,currency
            R1,2027-01,AE-STD,commission,95.00,USD
            R1,2027-01,AE-STD,spiff,0.00,USD
            R1,2027-01,AE-STD,bonus,2000.00,USD
            R1,2027-01,AE-STD,total,2095.00,USD

            """
        #expect(try String(contentsOfFile: appended, encoding: .utf8) == "KEEP ME\n" + csv)
        let run = try String(contentsOfFile: written, encoding: .utf8)
        #expect(run.hasPrefix(csv + "run 1: plan AE-STD, 1 payee, 1 period (2027-01)\n"), "\(run)")
    }

    /// A rep who moves from a plan that charges reversals back to the deal's period to one that
    /// charges them when they come: the reversal of an old deal is handled by each plan under its
    /// own policy (charged twice here), and the run says so, naming the first such reversal.
    @Test func differentClawbackPoliciesAcrossAPlanChangeAreWarnedOf() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start,end\nR3,Ana,OLD,2027-01-01,2027-03-31\nR3,Ana,NEW,2027-04-01,\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": "id,date,rep,amount,currency,reverses\nc1,2027-01-10,R3,5000,USD,\nc2,2027-05-10,R3,-5000,USD,c1\n",
        ], to: data)
        let plans = directory.appendingPathComponent("plans")
        try FileManager.default.createDirectory(at: plans, withIntermediateDirectories: true)
        func plan(_ id: String, _ rate: String, _ charge: String) -> String {
            """
            plan "\(id)" {
              currency USD
              period month
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              component commission = bookings * \(rate)
              clawback {
                charge \(charge)
              }
            }

            """
        }
        try writeFiles(["old.plan": plan("OLD", "10%", "original_period"), "new.plan": plan("NEW", "20%", "reversal_period")], to: plans)
        let db = directory.appendingPathComponent("r.sqlite").path
        let run = try cli.run(["run", "--plans", plans.path, "--data", data.path, "--db", db])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stderr.contains(
                "warning: 1 reversal (c2, line 3) of a deal paid under plan OLD comes when the rep is on plan NEW, and the two "
                    + "charge reversals differently: each applies its own `clawback`, so such a reversal may be charged twice or not at all; "
                    + "give both plans the same `charge`"), "\(run.stdout)")
        // Two, one each way (a deal of each plan, reversed under the other): counted together, the
        // first named, no one direction said of both.
        try writeFiles([
            "roster.csv": "rep,name,plan,start,end\nR3,Ana,OLD,2027-01-01,2027-03-31\nR3,Ana,NEW,2027-04-01,2027-06-30\nR3,Ana,OLD,2027-07-01,\n",
            "transactions.csv": "id,date,rep,amount,currency,reverses\nc1,2027-01-10,R3,5000,USD,\nc2,2027-05-10,R3,-5000,USD,c1\n"
                + "c3,2027-05-12,R3,3000,USD,\nc4,2027-08-10,R3,-3000,USD,c3\n",
        ], to: data)
        let both = try cli.run(["run", "--plans", plans.path, "--data", data.path, "--db", db])
        #expect(both.status == 0, "\(both.stderr)")
        #expect(
            both.stderr.contains(
                "warning: 2 reversals come under another plan than their deal's, one that charges reversals differently (the first, c2, "
                    + "line 3, of a deal paid under plan OLD, comes when the rep is on plan NEW): each applies its own `clawback`, so such "
                    + "a reversal may be charged twice or not at all; give both plans the same `charge`"), "\(both.stdout)")
        // The same policy on both: no warning.
        try writeFiles(["new.plan": plan("NEW", "20%", "original_period")], to: plans)
        let same = try cli.run(["run", "--plans", plans.path, "--data", data.path, "--db", db])
        #expect(same.status == 0, "\(same.stderr)")
        #expect(!same.stdout.contains("charge reversals differently"))
    }

    /// The same warning when another rep, on a plan that charges reversals differently, books the
    /// reversal: V1 cancels R1's deal on plan C (charged back to January there) and is booked by
    /// R2 on plan B (charged in March there too).
    @Test func aReversalBookedUnderAPlanThatChargesDifferentlyIsWarnedOf() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,C,2026-01-01\nR2,Ben,B,2026-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": "id,date,rep,amount,currency,reverses\nD1,2027-01-10,R1,1000,USD,\nV1,2027-03-10,R2,-1000,USD,D1\n",
        ], to: data)
        let plans = directory.appendingPathComponent("plans")
        try FileManager.default.createDirectory(at: plans, withIntermediateDirectories: true)
        func plan(_ id: String, _ charge: String) -> String {
            "plan \"\(id)\" {\n  currency USD\n  period month\n  credit sales { amount fx(txn.amount) }\n"
                + "  measure bookings = sum(sales)\n  component commission = bookings * 10%\n  clawback { charge \(charge) }\n}\n"
        }
        try writeFiles(["c.plan": plan("C", "original_period"), "b.plan": plan("B", "reversal_period")], to: plans)
        let run = try cli.run(["run", "--plans", plans.path, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stderr.contains(
                "warning: 1 reversal (V1, line 3) of a deal paid under plan C is booked by a rep on plan B (R2), and the two "
                    + "charge reversals differently: each applies its own `clawback`, so such a reversal may be charged twice or not at all; "
                    + "give both plans the same `charge`"), "\(run.stdout)")
    }

    /// Under `charge original_period` a reversal is split as its deal was, whatever rows
    /// splits.csv has for the reversal itself: A (10,000) was split R1/R2 50/50, so its cancellation
    /// takes 10% × 5,000 = 500.00 back from each. VA's own row (all of it to R3) had charged R3
    /// 1,000.00 for a deal R3 was never paid, and left R1 and R2 paid.
    @Test func aChargedBackReversalIsSplitAsItsDealWas() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,P,2026-01-01\nR2,Ben,P,2026-01-01\nR3,Cy,P,2026-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": "id,date,rep,amount,currency,reverses\nA,2027-01-10,R1,10000.00,USD,\nVA,2027-03-03,R1,-10000.00,USD,A\n",
            "splits.csv": "txn,rep,share\nA,R1,0.5\nA,R2,0.5\nVA,R3,1\n",
        ], to: data)
        let plan = directory.appendingPathComponent("p.plan")
        try Data(
            """
            plan "P" {
              currency USD
              period month
              credit s {
                amount fx(txn.amount)
                to splits
              }
              measure b = sum(s)
              component commission = b * 10%
              clawback { charge original_period }
            }

            """.utf8
        ).write(to: plan)
        let db = directory.appendingPathComponent("r.sqlite").path
        let run = try cli.run(["run", "--plans", plan.path, "--data", data.path, "--db", db])
        #expect(run.status == 0, "\(run.stderr)")
        let payouts = try cli.run(["export", "payouts", "--db", db, "--out", "-"])
        let totals = payouts.stdout.split(separator: "\n").filter { $0.contains(",total,") && !$0.contains(",0.00,") }
        #expect(
            totals == [
                "R1,2027-01,P,total,500.00,USD", "R1,2027-03,P,total,-500.00,USD", "R2,2027-01,P,total,500.00,USD",
                "R2,2027-03,P,total,-500.00,USD",
            ], "\(payouts.stdout)")
    }

    /// splits.csv rows no credit rule reads are said to be unused (they had been "accepted" and
    /// silently had no effect).
    @Test func splitsNoRuleReadsAreWarnedOf() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try oneDeal(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start,target_incentive\nR1,Ana,AE-STD,2026-01-01,12000\nR2,Ben,AE-STD,2026-01-01,12000\n",
            "splits.csv": "txn,rep,share\nT1,R1,0.5\nT1,R2,0.5\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,1000\nR2,2027-01,1000\n",
        ], to: data)
        let db = directory.appendingPathComponent("r.sqlite").path
        let run = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", db])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stderr.contains(
                "warning: splits.csv has 2 rows, but no credit rule of the run's plans credits `to splits`; they are not used "
                    + "(each deal is credited to its own rep)"), "\(run.stdout)")
        // Kept with the run, as said (the plan reads txn.product, which this ledger lacks).
        #expect(try ResultStore(existing: db).warnings(RunID(rawValue: 1)) == [
            "plan AE-STD reads txn.product, but transactions.csv has no column \"product\": it is empty on every row",
            "splits.csv has 2 rows, but no credit rule of the run's plans credits `to splits`; they are not used "
                + "(each deal is credited to its own rep)",
        ])
    }

    @Test func aRunThatIsNotStoredWritesNoExport() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = CLI.root.appendingPathComponent("Tests/ReferenceData/ae-10k").standardizedFileURL.path
        let plan = aeStandard
        // The database path is a directory: the run cannot be stored.
        let db = directory.appendingPathComponent("not-a-file")
        try FileManager.default.createDirectory(at: db, withIntermediateDirectories: true)
        let payoutsFile = directory.appendingPathComponent("payouts.csv").path
        let run = try cli.run(["run", "--plans", plan, "--data", data, "--db", db.path, "--export-payouts", payoutsFile])
        #expect(run.status == 73, "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: payoutsFile))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["not-a-file"])
    }

    /// Bookings past the stored range from a mistyped amount: the message names that transaction,
    /// the payee-period's largest credit, and its line.
    @Test func anAmountPastTheRangeNamesTheLargestCredit() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles(
            [
                "roster.csv": "rep,name,plan,start,target_incentive\nR1,Ana,AE-STD,2026-01-01,12000\n",
                "quotas.csv": "rep,period,amount\nR1,2027-01,1000\n",
                "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-05,R1,1500,USD,new\n"
                    + "T2,2027-01-06,R1,9223372036854.775807,USD,new\nT3,2027-01-07,R1,9000000000,USD,new\n",
            ], to: data)
        let failed = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(failed.status == 65)
        #expect(failed.stderr.contains(
            "rep R1, 2027-01: bookings: 9232372038354.78 does not fit the stored range (±9223372036854.775807); "
                + "the payee-period's largest credit is transactions.csv line 3, 9223372036854.775807 USD: check it\n"), "\(failed.stderr)")
    }

    /// A run that fails while it is evaluated (a payout past the stored range) stores nothing:
    /// a database that held a run holds the same run, and a new one holds none.
    @Test func aRunThatFailsStoresNothing() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles(
            [
                "roster.csv": "rep,name,plan,start\nR1,Ana,BIG,2026-01-01\n",
                "quotas.csv": "rep,period,amount\nR1,2027-01,1000\n",
                "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-05,R1,1500,USD\n",
            ], to: data)
        let plans = directory.appendingPathComponent("plans")
        try FileManager.default.createDirectory(at: plans, withIntermediateDirectories: true)
        func write(_ factor: String) throws {
            try Data(
                """
                plan "BIG" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component commission = bookings * \(factor)
                }

                """.utf8
            ).write(to: plans.appendingPathComponent("big.plan"))
        }
        // 1500 × 10,000,000,000 = 15,000,000,000,000: past the stored range of ±9,223,372,036,854.775807.
        try write("10000000000")
        let fresh = directory.appendingPathComponent("fresh.sqlite").path
        let failed = try cli.run(["run", "--plans", plans.path, "--data", data.path, "--db", fresh])
        #expect(failed.status != 0)
        // The plan's factor is the cause, not the 1500 USD deal: no transaction is blamed.
        #expect(failed.stderr.contains(
            "rep R1, 2027-01: commission: 15000000000000.00 does not fit the stored range (±9223372036854.775807)\n"), "\(failed.stderr)")
        if FileManager.default.fileExists(atPath: fresh) {
            #expect(try DatabaseQueue(path: fresh).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM runs") } == 0)
        }
        // A database with a run in it keeps that run, and only it.
        let db = directory.appendingPathComponent("r.sqlite").path
        try write("2")
        #expect(try cli.run(["run", "--plans", plans.path, "--data", data.path, "--db", db]).status == 0)
        try write("10000000000")
        #expect(try cli.run(["run", "--plans", plans.path, "--data", data.path, "--db", db]).status != 0)
        let payouts = try cli.run(["export", "payouts", "--db", db, "--out", "-"])
        #expect(payouts.stdout == "rep,period,plan,component,amount,currency\nR1,2027-01,BIG,commission,3000.00,USD\nR1,2027-01,BIG,total,3000.00,USD\n")
        #expect(try DatabaseQueue(path: db).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM runs") } == 1)
    }

    @Test func badDataIsRefusedUnlessQuarantined() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        let files = [
            "roster.csv": "rep,name,plan,start,target_incentive\nR1,Ana,AE-STD,2026-01-01,12000\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,1000\n",
            "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-05,R1,1500,USD,new\nT2,2027-01-06,R1,12;5,USD,new\n",
        ]
        try writeFiles(files, to: data)
        let db = directory.appendingPathComponent("r.sqlite").path
        let plan = aeStandard
        let refused = try cli.run(["run", "--plans", plan, "--data", data.path, "--db", db])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("transactions.csv:3:4: amount \"12;5\" is not a plain decimal"))
        #expect(refused.stderr.contains("nothing was run (use --quarantine to run without the rejected rows)"))
        #expect(!FileManager.default.fileExists(atPath: db))
        let quarantined = try cli.run(["run", "--plans", plan, "--data", data.path, "--db", db, "--quarantine"])
        #expect(quarantined.status == 0, "\(quarantined.stderr)")
        #expect(quarantined.stdout.contains("transactions.csv: 2 rows, 1 accepted, 1 rejected"))
        // Which row was left out, and why, is said too (it had been counted only).
        #expect(quarantined.stdout.contains(
            "rejected (left out of the run, recorded with it):\n  \(data.path)/transactions.csv:3:4: amount \"12;5\" is not a plain decimal"),
            "\(quarantined.stdout)")
        // 1500 on a 1000 quota: 3% × 500 + 6% × 500 + 10% × 500 = 95.00, bonus 2000, cap 12000 / 4 = 3000.
        let payouts = try cli.run(["export", "payouts", "--db", db, "--out", "-"])
        #expect(
            payouts.stdout == """
                rep,period,plan,component,amount,currency
                R1,2027-01,AE-STD,commission,95.00,USD
                R1,2027-01,AE-STD,spiff,0.00,USD
                R1,2027-01,AE-STD,bonus,2000.00,USD
                R1,2027-01,AE-STD,total,2095.00,USD

                """)
    }

    @Test func badPlansAreRefusedWithDiagnostics() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = directory.appendingPathComponent("broken.plan").path
        try Data("plan \"X\" {\n  currency USD\n  period month\n  measure m = sum(nothing)\n}\n".utf8).write(to: URL(fileURLWithPath: plan))
        let data = CLI.root.appendingPathComponent("Tests/ReferenceData/ae-10k").standardizedFileURL.path
        let result = try cli.run(["run", "--plans", plan, "--data", data, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(result.status == 65)
        #expect(result.stderr.contains(plan + ":4:"))
        #expect(result.stderr.contains("error:"))
        // Said last: how many, and that the data is yet to be checked (with a command that pastes).
        #expect(
            result.stderr.hasSuffix(
                "\nthe plans have 1 error; nothing was run, and the data was not read (`comp validate --data \(data) --plans \(plan)` checks both)\n"),
            "\(result.stderr)")
        let spaced = directory.appendingPathComponent("my data").path
        let other = directory.appendingPathComponent("broken-too.plan").path
        try Data("plan \"Y\" {\n  currency USD\n  period month\n  measure m = sum(nothing)\n}\n".utf8).write(to: URL(fileURLWithPath: other))
        let second = try cli.run(["run", "--plans", plan, other, "--data", spaced, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(
            second.stderr.hasSuffix(
                "\nthe plans have 2 errors in 2 files; nothing was run, and the data was not read (`comp validate --data '\(spaced)' --plans \(plan) \(other)` checks both)\n"),
            "\(second.stderr)")
        // That check lists the plans' errors and the data's, the data read as the plans that
        // checked read it: their currency (EUR here: USD rows have no rate into it).
        let euro = directory.appendingPathComponent("euro.plan").path
        try Data(
            "plan \"E\" {\n  currency EUR\n  period month\n  fiscal_year_start 4\n  credit s { amount fx(txn.amount) }\n  measure m = sum(s)\n  component c = m * 1%\n}\n"
                .utf8
        ).write(to: URL(fileURLWithPath: euro))
        let third = try cli.run(["run", "--plans", euro, plan, "--data", data, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(third.stderr.hasSuffix("(`comp validate --data \(data) --plans \(euro) \(plan)` checks both)\n"), "\(third.stderr)")
        let validated = try cli.run(["validate", "--data", data, "--plans", euro, plan, "--max-errors", "1"])
        #expect(validated.status == 65)
        let lines = validated.stderr.split(separator: "\n").map(String.init)
        #expect(lines.first == "\(plan):4:19: error: unknown name 'nothing' [#plan.unknownName]", "\(validated.stderr)")
        #expect(lines.contains("\(data)/transactions.csv:3:5: no fx rate for USD in 2027-01; add a row \"USD,2027-01,<EUR per USD>\" to fx.csv"))
        #expect(Array(lines.suffix(2)) == ["\(data): 7811 errors; the data is not valid", "the plans have 1 error"])
        // Valid data for valid plans says for which; the plans decide the currency, not a flag.
        let valid = try cli.run(["validate", "--data", data, "--plans", CLI.root.appendingPathComponent("Plans/examples/ae-standard.plan").path])
        #expect(valid.status == 0, "\(valid.stderr)")
        #expect(valid.stdout.hasSuffix("\(data): valid (10000 transactions, 115 reps) for plan AE-STD\n"), "\(valid.stdout)")
        // A column the plan declares (without `optional`) must be in the header: said by validate
        // with the plans (without them, the data is valid).
        let boosted = directory.appendingPathComponent("boost.plan").path
        try Data(
            "plan \"B\" {\n  currency USD\n  period month\n  attribute txn.boost: rate\n  credit s {\n    amount fx(txn.amount)\n    weight txn.boost\n  }\n  measure m = sum(s)\n  component c = m * 1%\n}\n"
                .utf8
        ).write(to: URL(fileURLWithPath: boosted))
        let declared = try cli.run(["validate", "--data", data, "--plans", boosted])
        #expect(declared.status == 65)
        #expect(declared.stderr.contains(
            "\(data)/transactions.csv:1:1: missing column \"boost\" in the header; plan B reads it (attribute txn.boost: rate): add it, or declare it optional"),
            "\(declared.stderr)")
        #expect(try cli.run(["validate", "--data", data]).status == 0)
        let both = try cli.run(["validate", "--data", data, "--plans", euro, "--base-currency", "USD"])
        #expect(both.status == 64)
        #expect(both.stderr.contains("--plans set the currency and fiscal year the data is read in; leave out --base-currency and --fiscal-year-start"))
    }

    /// `comp validate --plans` refuses what a run refuses of the plans as a set (one id in two
    /// files, plans that read the data differently, no plan at all); `comp check` takes one file
    /// named twice as one plan, as a run does; the run's suggested command keeps its --param.
    @Test func validateRefusesWhatARunRefusesOfThePlans() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = CLI.root.appendingPathComponent("Tests/ReferenceData/ae-10k").standardizedFileURL.path
        let copy = directory.appendingPathComponent("copy.plan").path
        try FileManager.default.copyItem(atPath: aeStandard, toPath: copy)
        let twice = try cli.run(["validate", "--data", data, "--plans", aeStandard, copy])
        #expect(twice.status == 65)
        #expect(twice.stderr.contains("error: plan id \"AE-STD\" is defined by more than one file: \(aeStandard), \(copy); a run takes each plan once\n"))
        let euro = directory.appendingPathComponent("euro.plan").path
        try Data("plan \"E\" {\n  currency EUR\n  period month\n  credit s { amount fx(txn.amount) }\n  measure m = sum(s)\n  component c = m * 1%\n}\n".utf8)
            .write(to: URL(fileURLWithPath: euro))
        let differ = try cli.run(["validate", "--data", data, "--plans", aeStandard, euro])
        #expect(differ.status == 65)
        #expect(differ.stderr.contains("error: the plans of a run must read the data alike"), "\(differ.stderr)")
        let empty = directory.appendingPathComponent("none")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let nothing = try cli.run(["validate", "--data", data, "--plans", empty.path])
        #expect(nothing.status == 65)
        #expect(nothing.stderr.contains("error: no plan found in \(empty.path)"), "\(nothing.stderr)")
        let dotted = try cli.run(["check", copy, directory.path + "/./copy.plan"])
        #expect(dotted.status == 0, "\(dotted.stderr)")
        // A bad override: the suggested check carries it, and finds it.
        let parameters = CLI.root.appendingPathComponent("Plans/examples/parameters.plan").path
        let run = try cli.run(["run", "--plans", parameters, "--param", "rte=1", "--data", data, "--db", directory.appendingPathComponent("r.sqlite").path])
        #expect(run.status == 65)
        #expect(run.stderr.hasSuffix("(`comp validate --data \(data) --param 'rte=1' --plans \(parameters)` checks both)\n"), "\(run.stderr)")
        let suggested = try cli.run(["validate", "--data", data, "--param", "rte=1", "--plans", parameters])
        #expect(suggested.status == 65)
        #expect(suggested.stderr.contains("no parameter 'rte' to override"), "\(suggested.stderr)")
    }

    @Test func demoPlansAreTheExamplePlans() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let demo = try cli.run(["demo", "--out", directory.path, "--reps", "20", "--txns", "2000"])
        #expect(demo.status == 0, "\(demo.stderr)")
        for file in ["ae-standard.plan", "manager-override.plan"] {
            let example = try String(contentsOfFile: CLI.root.appendingPathComponent("Plans/examples/" + file).path, encoding: .utf8)
            let written = try String(contentsOfFile: directory.appendingPathComponent(file).path, encoding: .utf8)
            #expect(written == example, "\(file)")
        }
        // Every payee is run: the reps on AE-STD, their 3 managers and 1 VP on MGR-OVR (no one is
        // left out, so there is no warning).
        #expect(demo.stdout.contains("run 1: plan AE-STD, MGR-OVR, 24 payees, 12 periods (2027-01 … 2027-12)\n"), "\(demo.stdout)")
        #expect(!demo.stderr.contains("left out"), "\(demo.stderr)")
        let payouts = try String(contentsOfFile: directory.appendingPathComponent("payouts.csv").path, encoding: .utf8)
        // 20 reps × 12 months × (3 components + total) rows, 4 managers × 12 × (2 overrides + total),
        // plus the header.
        #expect(payouts.split(separator: "\n").count == 20 * 12 * 4 + 4 * 12 * 3 + 1)
        // Two plans' exports are merged as they are made: the same bytes as `comp export`; and the
        // same when no temporary file can be made for the merge (the files come from the stored run).
        let db = directory.appendingPathComponent("results.sqlite").path
        let exported = try cli.run(["export", "payouts", "--db", db, "--out", "-"])
        #expect(exported.stdout == payouts)
        let measures = try String(contentsOfFile: directory.appendingPathComponent("measures.csv").path, encoding: .utf8)
        #expect(try cli.run(["export", "measures", "--db", db, "--out", "-"]).stdout == measures)
        let again = directory.appendingPathComponent("again")
        let spoolless = try cli.run(
            ["demo", "--out", again.path, "--reps", "20", "--txns", "2000"], environment: ["TMPDIR": directory.appendingPathComponent("no-such-dir").path])
        #expect(spoolless.status == 0, "\(spoolless.stderr)")
        #expect(try String(contentsOfFile: again.appendingPathComponent("payouts.csv").path, encoding: .utf8) == payouts)
        #expect(try String(contentsOfFile: again.appendingPathComponent("measures.csv").path, encoding: .utf8) == measures)
        // The explain command it suggests names the first commission above zero, and works.
        let suggested = try #require(demo.stdout.split(separator: "\n").first { $0.hasPrefix("  comp explain --db ") })
        let firstPaid = try #require(
            payouts.split(separator: "\n").map { $0.split(separator: ",") }.first { $0[3] == "commission" && $0[4] != "0.00" })
        #expect(suggested.hasSuffix(" --rep \(firstPaid[0]) --period \(firstPaid[1])"))
        let explained = try cli.run(Array(suggested.split(separator: " ").dropFirst().map(String.init)))
        #expect(explained.status == 0, "\(explained.stderr)")
        #expect(explained.stdout.hasPrefix("\(firstPaid[0]), \(firstPaid[1]) (run 1, plan AE-STD"))
        #expect(explained.stdout.contains("  commission  "))
    }

    @Test func demoRerunsOverItsOwnDirectory() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = ["demo", "--out", directory.path, "--reps", "3", "--txns", "200"]
        #expect(try cli.run(arguments).status == 0)
        let payoutsPath = directory.appendingPathComponent("payouts.csv").path
        let payouts = try String(contentsOfFile: payoutsPath, encoding: .utf8)
        // A splits.csv the demo did not write (it names other transactions) had failed every later
        // demo, after its results had been deleted: it is removed, and the demo runs as before.
        let splits = directory.appendingPathComponent("data/splits.csv").path
        try "txn,rep,share\nT000000020,R000002,1\n".write(toFile: splits, atomically: true, encoding: .utf8)
        let again = try cli.run(arguments)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("Removed \(splits) (the demo's data has no splits)\n"), "\(again.stdout)")
        #expect(!FileManager.default.fileExists(atPath: splits))
        #expect(try String(contentsOfFile: payoutsPath, encoding: .utf8) == payouts)
        // A demo that fails leaves no exports of the run before it behind (its database is gone).
        let database = directory.appendingPathComponent("results.sqlite").path
        try FileManager.default.removeItem(atPath: database)
        try FileManager.default.createDirectory(atPath: database, withIntermediateDirectories: false)
        let failed = try cli.run(arguments)
        #expect(failed.status != 0)
        #expect(failed.stderr.hasSuffix(
            "removed the exports of the previous demo run: \(directory.path)/payouts.csv, \(directory.path)/measures.csv\n"), "\(failed.stderr)")
        #expect(!FileManager.default.fileExists(atPath: payoutsPath))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("measures.csv").path))
    }
}

@Suite struct ExplainCommand {
    let cli = CLI()

    @Test func explainsTiersCapsAndTransactions() throws {
        let data = CLI.root.appendingPathComponent("Tests/ReferenceData/ae-10k").standardizedFileURL.path
        try #require(FileManager.default.fileExists(atPath: data + "/transactions.csv"))
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("results.sqlite").path
        let plan = aeStandard
        #expect(try cli.run(["run", "--plans", plan, "--data", data, "--db", db]).status == 0)
        let result = try cli.run(["explain", "--db", db, "--rep", "R000001", "--period", "2027-04"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("R000001, 2027-04 (run 1, plan AE-STD, computed ") == true)
        // Each measure with its unit: money with its currency, a rate also as a percentage.
        #expect(lines.contains("  bookings    104275.73 USD"))
        #expect(lines.contains("  attainment  3.094235 (309.4235%)"))
        // Bookings are 3.09 quotas: the 12% tier. Each slice is shown, so rate and base give the
        // amount: 3% × 16,850 + 6% × 16,850 + 10% × 16,850 + 12% × (104,275.73 − 50,550) =
        // 505.50 + 1,011.00 + 1,685.00 + 6,447.0876 = 9,648.59. The total 9,648.59 + 2,000 bonus =
        // 11,648.59 is capped at 35,000 × 0.25, and the line says from what.
        #expect(
            lines.contains {
                $0.hasPrefix(
                    "  commission         9648.59 USD   marginal table ae_tiers on attainment; tier 4: 150% and above; "
                        + "rate 3% on 16850.00 USD + 6% on 16850.00 USD + 10% on 16850.00 USD + 12% on 53725.73 USD; "
                        + "on 104275.73 USD against quota 33700.00 USD   [")
            })
        #expect(lines.contains { $0.hasPrefix("  bonus              2000.00 USD   formula 2000 USD when bookings >= quota(bookings)   [") })
        #expect(lines.contains { $0.hasPrefix("  total              8750.00 USD   sum of the components; cap at 8750.00 USD, from 11648.59 USD (") })
        #expect(lines.last?.hasPrefix("transactions: (12) T000002552, T000002638,") == true)
        // In March a WIDGET-X sale qualifies for the SPIFF: that line names its own transaction.
        let march = try cli.run(["explain", "--db", db, "--rep", "R000001", "--period", "2027-03"])
        #expect(march.stdout.contains("spiff: 1 qualifying transaction in the window"))
        #expect(march.stdout.contains("\ntransactions of spiff: (1) T000002072\n"))
        // --transactions lists each row behind the statement: its line in the ledger and what it
        // says (R000001's March); a reversal's row names the deal it takes back (R000015's
        // February, below).
        let listed = try cli.run(["explain", "--db", db, "--rep", "R000001", "--period", "2027-03", "--transactions"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let table = listed.stdout.split(separator: "\n").map(String.init).drop { !$0.hasPrefix("transaction rows (") }
        #expect(table.first == "transaction rows (\(data)/transactions.csv):")
        #expect(table.count == 13)
        // Beside each row, what it credited: a USD deal its amount, a GBP one converted at
        // March's rate (6960.35 × 1.221740 = 8503.738009), a renewal at 50 % (5138.69 EUR ×
        // 1.085951 × 50 % = 2790.182772095). The credits add up, exactly, to the bookings that
        // the month's measure rounds to 67496.51.
        #expect(Array(table.dropFirst().prefix(4)) == [
            "  line  id          date        rep        amount  currency  quantity        credited  product     kind     region  reverses",
            "  1546  T000001545  2027-03-02  R000001   4194.17  USD       9                4194.17  GADGET-M    new      EMEA",
            "  1555  T000001554  2027-03-03  R000001   6960.35  GBP       8            8503.738009  GADGET-S    new      EMEA",
            "  1712  T000001711  2027-03-08  R000001   5138.69  EUR       11        2790.182772095  WIDGET-PRO  renewal  EMEA",
        ])
        #expect(Array(table.suffix(2)) == [
            "  2205  T000002204  2027-03-23  R000001   1769.07  USD       1                1769.07  WIDGET-PRO  new      EMEA",
            "credited by rule sales in 2027-03: 67496.505986905 USD from 10 transactions (exact; a measure rounds its sum)",
        ])
        #expect(listed.stdout.contains("\n  bookings    67496.51 USD\n"))
        let reversal = try cli.run(["explain", "--db", db, "--rep", "R000015", "--period", "2027-02", "--transactions"])
        // A reversal in the deal's own month credits its negative amount.
        #expect(reversal.stdout.contains("\n   851  T000000850  2027-02-04  R000015   7245.42  USD       14         7245.42  SUITE-ENT     upsell   NA\n"))
        #expect(reversal.stdout.contains("\n  1127  T000001126  2027-02-15  R000015  -7245.42  USD       -14       -7245.42  SUITE-ENT     upsell   NA      T000000850\n"))
        // Without the flag, no table.
        #expect(!march.stdout.contains("transaction rows ("))
        let missing = try cli.run(["explain", "--db", db, "--rep", "R000001", "--period", "2026-04"])
        #expect(missing.status == 65)
        #expect(missing.stderr.hasPrefix("comp explain: run 1 has no payouts for rep \"R000001\" in 2026-04; it has 2027-01, 2027-02,"))
    }

    /// A manager's statement for a quarter-to-date measure lists the team's rows of the quarter so
    /// far: each credit says the levels it rolled up and, for an earlier month's row, its month;
    /// the total is the month's own credits (what `bookings` sums), the earlier ones said apart.
    /// A library edited since the run hides the credits, not the rows.
    @Test func explainSaysWhereEachCreditComesFrom() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "lib.plan": "library rates {\n  param team_rate = 1%\n}\n",
            "team.plan": """
                use "lib.plan"
                plan "TEAM" "Team" {
                  currency USD
                  period month
                  credit sales {
                    amount fx(txn.amount)
                    to rep
                    to managers all levels
                  }
                  measure bookings = sum(sales)
                  measure bookings_qtd = sum(sales) over qtd
                  component commission = bookings_qtd * team_rate
                }

                """,
        ], to: directory)
        try writeFiles([
            "roster.csv": "rep,name,manager,plan,start\nM1,Mia,,TEAM,2026-01-01\nR1,Ana,M1,TEAM,2026-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-10,R1,100,USD\nT2,2027-02-10,R1,250.5,USD\nT3,2027-02-11,M1,40,USD\n",
        ], to: data)
        let run = try cli.run(["run", "--plans", "team.plan", "--data", "data", "--db", "r.sqlite"], in: directory)
        try #require(run.status == 0, "\(run.stderr)")
        func listing() throws -> [String] {
            let result = try cli.run(["explain", "--db", "r.sqlite", "--rep", "M1", "--period", "2027-02", "--transactions"], in: directory)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("\n  bookings      290.50 USD\n  bookings_qtd  390.50 USD\n"), "\(result.stdout)")
            return Array(result.stdout.split(separator: "\n").map(String.init).drop { !$0.hasPrefix("transaction rows (") })
        }
        #expect(try listing() == [
            "transaction rows (data/transactions.csv):",
            "  line  id  date        rep  amount  currency                        credited",
            "     2  T1  2027-01-10  R1   100.00  USD       100.00 (2027-01, 1 level down)",
            "     3  T2  2027-02-10  R1   250.50  USD                250.50 (1 level down)",
            "     4  T3  2027-02-11  M1    40.00  USD                                40.00",
            "credited by rule sales in 2027-02: 290.50 USD from 2 transactions (exact; a measure rounds its sum)",
            "  and 100.00 USD in 2027-01 from 1 transaction (listed for a measure over several periods)",
        ])
        try writeFiles(["lib.plan": "library rates {\n  param team_rate = 2%\n}\n"], to: directory)
        let edited = try listing()
        #expect(edited.count == 6)
        #expect(edited[1] == "  line  id  date        rep  amount  currency")
        #expect(edited.last == "credited amounts are not shown: lib.plan is not the file the run read (it has changed since, or the run was started in another directory: a relative path is read from here)")
    }

    /// A quota prorated to the rep's days on the plan says from what: R1 joins on 2027-01-12, so
    /// January's 31,000 counts 20 of 31 days, 20,000.00; 15,000 of bookings reach 75 %, paying
    /// 3 % × 10,000 + 6 % × 5,000 = 600.00. A whole month says nothing more.
    @Test func explainSaysHowAQuotaWasProrated() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles([
            "roster.csv": "rep,name,plan,start,target_incentive\nR1,Ana,AE-STD,2027-01-12,12000\n",
            "quotas.csv": "rep,period,amount\nR1,2027-01,31000\nR1,2027-02,31000\n",
            "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-15,R1,15000,USD,new\nT2,2027-02-15,R1,15000,USD,new\n",
        ], to: data)
        let run = try cli.run(["run", "--plans", aeStandard, "--data", "data", "--db", "r.sqlite"], in: directory)
        try #require(run.status == 0, "\(run.stderr)")
        func commission(_ period: String) throws -> String? {
            let result = try cli.run(["explain", "--db", "r.sqlite", "--rep", "R1", "--period", period], in: directory)
            return result.stdout.split(separator: "\n").map(String.init).first { $0.hasPrefix("  commission") }
        }
        #expect(try commission("2027-01")?.hasPrefix(
            "  commission          600.00 USD   marginal table ae_tiers on attainment; tier 2: 50% to 100%; "
                + "rate 3% on 10000.00 USD + 6% on 5000.00 USD; on 15000.00 USD against quota 20000.00 USD "
                + "(31000.00 USD prorated to 20 of 31 days on the plan)   [") == true)
        // February: 15,000 of 31,000 is 48.39 %, all at 3 %: 450.00.
        #expect(try commission("2027-02")?.hasPrefix(
            "  commission          450.00 USD   marginal table ae_tiers on attainment; tier 1: up to 50%; "
                + "rate 3% on 15000.00 USD; on 15000.00 USD against quota 31000.00 USD   [") == true)
    }

    /// `--transactions` shows what each row credited by each rule, made again by the run's own
    /// crediting: with the run's parameters, a reversal charged back to its deal's month, counts
    /// beside money. Once a plan file has changed, it says so instead.
    @Test func explainShowsWhatEachTransactionCredited() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        let plan = """
            plan "CB" "Charge-backs" {
              currency USD
              period month
              param new_share = 100%
              credit sales {
                amount fx(txn.amount)
                weight match txn.kind {
                  "new" => new_share
                  else  => 50%
                }
              }
              credit units {
                amount txn.quantity
              }
              measure bookings = sum(sales)
              measure deals = sum(units)
              component commission = bookings * 10%
              clawback {
                charge original_period
                window 90 days
              }
            }

            """
        try writeFiles([
            "roster.csv": "rep,name,plan,start\nR1,Ana,CB,2026-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            "fx.csv": "currency,period,rate\nEUR,2027-01,1.1\nEUR,2027-02,1.2\n",
            "transactions.csv": "id,date,rep,amount,currency,kind,quantity,reverses\n"
                + "T1,2027-01-10,R1,1000,EUR,new,2,\nT2,2027-01-20,R1,400,USD,renewal,1,\nT3,2027-02-05,R1,-1000,EUR,new,-2,T1\n",
        ], to: data)
        try writeFiles(["cb.plan": plan], to: directory)
        let run = try cli.run(["run", "--plans", "cb.plan", "--data", "data", "--db", "r.sqlite", "--param", "new_share=50%"], in: directory)
        try #require(run.status == 0, "\(run.stderr)")
        func listing(_ period: String) throws -> [String] {
            let result = try cli.run(["explain", "--db", "r.sqlite", "--rep", "R1", "--period", period, "--transactions"], in: directory)
            #expect(result.status == 0, "\(result.stderr)")
            return Array(result.stdout.split(separator: "\n").map(String.init).drop { !$0.hasPrefix("transaction rows (") })
        }
        // January: the new EUR deal at the run's 50 % (1000 × 1.1 × 50 % = 550.00), the renewal
        // at 50 % (200.00); 2 and 1 units. Bookings 750.00 pay 75.00.
        #expect(try listing("2027-01") == [
            "transaction rows (data/transactions.csv):",
            "  line  id  date        rep   amount  currency  quantity  credited sales  credited units  kind     reverses",
            "     2  T1  2027-01-10  R1   1000.00  EUR       2                 550.00               2  new",
            "     3  T2  2027-01-20  R1    400.00  USD       1                 200.00               1  renewal",
            "credited by rule sales in 2027-01: 750.00 USD from 2 transactions (exact; a measure rounds its sum)",
            "credited by rule units in 2027-01: 3 from 2 transactions (exact; a measure rounds its sum)",
        ])
        // February: the reversal is sized by its deal (the deal's kind, so 50 %) but converts its
        // own amount at its own month's rate: -1000 × 1.2 × 50 % = -600.00, charged to January.
        #expect(try listing("2027-02") == [
            "transaction rows (data/transactions.csv):",
            "  line  id  date        rep    amount  currency  quantity                credited sales           credited units  kind  reverses",
            "     4  T3  2027-02-05  R1   -1000.00  EUR       -2        -600.00 (charged to 2027-01)  -2 (charged to 2027-01)  new   T1",
            // February's own credits are none: the reversal restates January.
            "credited by rule sales in 2027-02: 0.00 USD from 0 transactions (exact; a measure rounds its sum)",
            "  and -600.00 USD charged back to 2027-01 from 1 transaction (restating that period)",
            "credited by rule units in 2027-02: 0 from 0 transactions (exact; a measure rounds its sum)",
            "  and -2 charged back to 2027-01 from 1 transaction (restating that period)",
        ])
        // A plan file edited since the run: its credits are not made up from the new text.
        try writeFiles(["cb.plan": plan.replacingOccurrences(of: "50%", with: "40%")], to: directory)
        let changed = try listing("2027-01")
        #expect(changed.count == 5)
        #expect(changed.last == "credited amounts are not shown: cb.plan is not the file the run read (it has changed since, or the run was started in another directory: a relative path is read from here)")
        #expect(changed[1] == "  line  id  date        rep   amount  currency  quantity  kind     reverses")
    }
}

@Suite struct Reconciliation {
    let cli = CLI()

    @Test func everyRowIsCreditedOrExcludedWithItsReason() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        let files = [
            "roster.csv": "rep,name,plan,start\nR1,Ana,P,2026-01-01\nR9,Zed,OTHER,2026-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            "splits.csv": "txn,rep,share\nT3,R1,1\n",
            // T1 is credited; T2 is filtered out by the rule; T3 belongs to a rep on another plan but
            // is credited to R1 through its split; T4 is a rep on another plan, not credited.
            "transactions.csv": """
                id,date,rep,amount,currency,kind
                T1,2027-01-05,R1,100,USD,new
                T2,2027-01-06,R1,200,USD,renewal
                T3,2027-01-07,R9,300,USD,new
                T4,2027-01-08,R9,400,USD,new

                """,
        ]
        try writeFiles(files, to: data)
        let plan = directory.appendingPathComponent("p.plan").path
        try Data(
            """
            plan "P" {
              currency USD
              period month
              credit sales {
                where txn.kind == "new"
                amount fx(txn.amount)
                to splits
              }
              measure bookings = sum(sales)
              component commission = bookings * 10%
            }

            """.utf8
        ).write(to: URL(fileURLWithPath: plan))
        let db = directory.appendingPathComponent("r.sqlite").path
        let result = try cli.run(["run", "--plans", plan, "--data", data.path, "--db", db])
        #expect(result.status == 0, "\(result.stderr)")
        let line = result.stdout.split(separator: "\n").first { $0.contains("transactions.csv:") }.map(String.init) ?? ""
        #expect(
            line.hasSuffix(
                "transactions.csv: 4 rows, 4 accepted, 0 rejected; 1 excluded: not credited by any credit rule or SPIFF of plan P (filters, dates, or split partners who are not payees of this run); 1 excluded: rep on plan OTHER, not in this run, and no roll-up or split of this run takes it"
            ), "\(line)")
        // T1 and T3 are credited to R1: 10% of 400.
        let payouts = try cli.run(["export", "payouts", "--db", db, "--out", "-"])
        #expect(payouts.stdout.contains("R1,2027-01,P,commission,40.00,USD\n"))
    }

    /// A row that only a SPIFF pays is credited (it had been "not credited by any credit rule",
    /// beside the SPIFF line paid for it); a row no rule nor SPIFF takes is excluded, saying so.
    /// With the plan's own credit rule (a per-transaction one, compiled) and without (the SPIFF
    /// read from the payee's rows).
    @Test(arguments: [true, false]) func aRowOnlyASpiffPaysIsCredited(withCreditRule: Bool) throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles(
            [
                "roster.csv": "rep,name,plan,start\nR1,Ana,S,2026-01-01\n", "quotas.csv": "rep,period,amount\n",
                "transactions.csv": "id,date,rep,amount,currency,product,quantity\nA,2027-03-10,R1,1000,USD,WIDGET-X,2\nB,2027-03-11,R1,500,USD,GADGET,1\n",
            ], to: data)
        let plan = directory.appendingPathComponent("s.plan").path
        let rule = withCreditRule ? "  credit widgets {\n    where txn.product == \"NONE\"\n    amount fx(txn.amount)\n  }\n" : ""
        try Data(
            ("plan \"S\" {\n  currency USD\n  period month\n" + rule
                + "  component push = spiff {\n    window 2027-03-01 to 2027-03-31\n    where txn.product == \"WIDGET-X\"\n    pay 150 USD per unit\n  }\n}\n").utf8
        ).write(to: URL(fileURLWithPath: plan))
        let db = directory.appendingPathComponent("r.sqlite").path
        let result = try cli.run(["run", "--plans", plan, "--data", data.path, "--db", db])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("  push                    300.00 USD"), "\(result.stdout)")
        #expect(
            lines.contains {
                $0.hasSuffix(
                    "transactions.csv: 2 rows, 2 accepted, 0 rejected; 1 excluded: not credited by any credit rule or SPIFF of plan S (filters, dates, or split partners who are not payees of this run)")
            }, "\(result.stdout)")
        #expect(lines.contains("    USD: 1 credited 1,000.00, 1 excluded 500.00"), "\(result.stdout)")
    }

    /// A chain of 3,000 reversals: K1…K1999 (February, inside the 180-day window) reverse each
    /// other down from the January deal K0, so it ends cancelled (1,999 links: January's 100.00
    /// taken back in February); K2000 comes 203 days after K1999, past the window, and K2001…K2999
    /// reverse a chain the window left out. Each link's chain is known at once (walked up from
    /// every link, 45,000 links took minutes).
    @Test func aLongChainOfReversalsIsJudgedLinkByLink() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        var ledger = "id,date,rep,amount,currency,reverses\nK0,2027-01-05,R1,1000,USD,\n"
        for link in 1..<3_000 {
            let date = link < 2_000 ? "2027-02-10" : link == 2_000 ? "2027-09-01" : "2027-09-02"
            ledger += "K\(link),\(date),R1,\(link % 2 == 1 ? "-" : "")1000,USD,K\(link - 1)\n"
        }
        try writeFiles(["roster.csv": "rep,name,plan,start\nR1,Ana,G,2026-01-01\n", "quotas.csv": "rep,period,amount\n", "transactions.csv": ledger], to: data)
        let plan = directory.appendingPathComponent("g.plan").path
        let text = """
            plan "G" {
              currency USD
              period month
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              component commission = bookings * 10%
              clawback {
                charge original_period
                window 180 days
              }
            }

            """
        try Data(text.utf8).write(to: URL(fileURLWithPath: plan))
        let db = directory.appendingPathComponent("r.sqlite").path
        let result = try cli.run(["run", "--plans", plan, "--data", data.path, "--db", db])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout.contains(
                "transactions.csv: 3,000 rows, 3,000 accepted, 0 rejected; 1 excluded: reversal more than 180 days after the row it reverses, outside "
                    + "the clawback window of plan G; 999 excluded: reverses a row of a chain of reversals that the clawback window of plan G "
                    + "left out (a reversal more than 180 days after the row it reverses): the chain charges nothing\n"), "\(result.stdout)")
        let payouts = try cli.run(["export", "payouts", "--db", db, "--out", "-"])
        let totals = payouts.stdout.split(separator: "\n").filter { $0.contains(",total,") && !$0.hasSuffix(",total,0.00,USD") }
        #expect(totals == ["R1,2027-01,G,total,100.00,USD", "R1,2027-02,G,total,-100.00,USD"])
    }

    /// Under --quarantine, a rep whose every roster row was rejected is known by id: its
    /// transactions are excluded naming the rejected rows (not a date without an assignment), and
    /// a rep id past the length limit says so (not that it is off the roster).
    @Test func rowsOfRepsWithRejectedRosterRowsSayWhy() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        let long = String(repeating: "L", count: 257)
        try writeFiles([
            "roster.csv": "rep,name,plan,start,end\nR1,Ana,P,2026-01-01,\nR2,Ben,P,2026-13-01,\n\(long),Lee,P,2026-01-01,\n"
                + "R3,Cy,P,2026-01-01,2026-12-31\nR3,Cy,P,2027-01-01,2027-13-31\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-05,R1,100,USD\nT2,2027-01-06,R2,200,USD\nT3,2027-01-07,\(long),300,USD\n"
                + "T4,2027-01-08,R3,400,USD\n",
        ], to: data)
        let plan = directory.appendingPathComponent("p.plan").path
        try Data("plan \"P\" {\n  currency USD\n  period month\n  credit sales {\n    amount fx(txn.amount)\n  }\n  measure b = sum(sales)\n  component c = b * 10%\n}\n".utf8)
            .write(to: URL(fileURLWithPath: plan))
        let db = directory.appendingPathComponent("r.sqlite").path
        let refused = try cli.run(["run", "--plans", plan, "--data", data.path, "--db", db])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains(
            "\(data.path)/transactions.csv:4:3: rep \"\(String(repeating: "L", count: 60))…\" is longer than 256 bytes, so no roster row can name it"),
            "\(refused.stderr)")
        let result = try cli.run(["run", "--plans", plan, "--data", data.path, "--db", db, "--quarantine"])
        #expect(result.status == 0, "\(result.stderr)")
        let line = result.stdout.split(separator: "\n").first { $0.contains("transactions.csv:") }.map(String.init) ?? ""
        #expect(
            line.hasSuffix(
                "transactions.csv: 4 rows, 3 accepted, 1 rejected; 1 excluded: rep has no roster assignment on the transaction date, and some "
                    + "of its roster rows were rejected (see the rejects of roster.csv); 1 excluded: rep whose roster rows were all rejected (see "
                    + "the rejects of roster.csv)"),
            "\(line)")
    }

    /// The reference plan counts transactions dated in 2027 (REFERENCE_PLAN.md): rows of
    /// 2026-12-31 and 2028-01-01 are excluded by name, not paid (with quotas for those months they
    /// had paid 15.00 and 27.00 more), and June's 100 USD pays 3% = 3.00.
    @Test func rowsOutsideThePlansEffectiveDatesAreExcludedByName() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        var quotas = "rep,period,amount\nR1,2026-12,1000\nR1,2028-01,1000\n"
        for month in 1...12 { quotas += "R1,2027-\(month < 10 ? "0" : "")\(month),1000\n" }
        try writeFiles(
            [
                "roster.csv": "rep,name,plan,start,target_incentive\nR1,Ana,AE-STD,2026-01-01,12000\n",
                "quotas.csv": quotas,
                "transactions.csv": """
                    id,date,rep,amount,currency,product,kind,quantity
                    T1,2026-12-31,R1,500,USD,GADGET,new,1
                    T2,2027-06-10,R1,100,USD,GADGET,new,1
                    T3,2028-01-01,R1,700,USD,GADGET,new,1

                    """,
            ], to: data)
        let db = directory.appendingPathComponent("r.sqlite").path
        let result = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", db])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("run 1: plan AE-STD, 1 payee, 1 period (2027-06)\n"), "\(result.stdout)")
        #expect(
            result.stdout.contains(
                "transactions.csv: 3 rows, 3 accepted, 0 rejected; 2 excluded: dated outside the effective dates of plan AE-STD (2027-01-01 to 2027-12-31)\n"
            ), "\(result.stdout)")
        let payouts = try cli.run(["export", "payouts", "--db", db, "--out", "-"])
        #expect(payouts.stdout.split(separator: "\n").filter { $0.contains(",total,") } == ["R1,2027-06,AE-STD,total,3.00,USD"])
    }

    /// Under `charge original_period` a reversal is judged as its deal (the deal's rep on the
    /// deal's date): R1 was on plan OTHER when T1 was made, R2 not on the roster yet, and EF's
    /// T4 is dated before the plan's start; their reversals say so (they had been "not credited
    /// by any credit rule", and X4 "dated outside the effective dates" though March is inside).
    @Test func reversalsChargedBackAreReconciledAsTheirDeals() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles(
            [
                "roster.csv": """
                    rep,name,plan,start,end
                    R1,One,OTHER,2027-01-01,2027-01-31
                    R1,One,CB,2027-02-01,
                    R2,Two,CB,2027-02-01,
                    R3,Three,CB,2027-01-01,

                    """,
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,reverses
                    T1,2027-01-10,R1,10000,USD,
                    X1,2027-03-10,R1,-10000,USD,T1
                    T2,2027-01-10,R2,10000,USD,
                    X2,2027-03-10,R2,-10000,USD,T2
                    T3,2027-02-10,R3,1000,USD,

                    """,
            ], to: data)
        let plan = directory.appendingPathComponent("cb.plan").path
        try Data(
            """
            plan "CB" {
              currency USD
              period month
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              component commission = bookings * 10%
              clawback {
                charge original_period
              }
            }

            """.utf8
        ).write(to: URL(fileURLWithPath: plan))
        let db = directory.appendingPathComponent("r.sqlite").path
        let result = try cli.run(["run", "--plans", plan, "--data", data.path, "--db", db])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout.contains(
                "transactions.csv: 5 rows, 5 accepted, 0 rejected; 1 excluded: rep has no roster assignment on the transaction date; "
                    + "1 excluded: rep on plan OTHER, not in this run; 1 excluded: reverses a deal of a rep on plan OTHER, not in this run; "
                    + "1 excluded: reverses a deal whose rep had no roster assignment on the deal's date\n"), "\(result.stdout)")
    }

    /// Runs R1's `transactions` under plan P (10% commission, `extra` components, charged back
    /// within 30 days); returns the summary's transactions.csv line and the payouts export.
    func runWithinThirtyDays(_ transactions: String, extra: String = "") throws -> (line: String, payouts: String) {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try dataDirectory(in: directory)
        try writeFiles(
            ["roster.csv": "rep,name,plan,start\nR1,Ana,P,2026-01-01\n", "quotas.csv": "rep,period,amount\n", "transactions.csv": transactions],
            to: data)
        let plan = directory.appendingPathComponent("p.plan").path
        try Data(
            """
            plan "P" {
              currency USD
              period month
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              component commission = bookings * 10%
            \(extra)  clawback {
                charge original_period
                window 30 days
              }
            }

            """.utf8
        ).write(to: URL(fileURLWithPath: plan))
        let db = directory.appendingPathComponent("r.sqlite").path
        let result = try cli.run(["run", "--plans", plan, "--data", data.path, "--db", db])
        #expect(result.status == 0, "\(result.stderr)")
        let line = result.stdout.split(separator: "\n").first { $0.contains("transactions.csv:") }.map(String.init) ?? ""
        return (line, try cli.run(["export", "payouts", "--db", db, "--out", "-"]).stdout)
    }

    @Test func aReversalPastTheClawbackWindowIsExcludedWithThatReason() throws {
        // T2 reverses T1 105 days later, past the 30-day window: it is not clawed back.
        let (line, payouts) = try runWithinThirtyDays(
            """
            id,date,rep,amount,currency,kind,reverses
            T1,2027-01-05,R1,100,USD,new,
            T2,2027-04-20,R1,-100,USD,new,T1

            """)
        #expect(
            line.hasSuffix(
                "transactions.csv: 2 rows, 2 accepted, 0 rejected; 1 excluded: reversal more than 30 days after the row it reverses, outside the clawback window of plan P"
            ), "\(line)")
        #expect(payouts.contains("R1,2027-01,P,total,10.00,USD\n"))
        #expect(payouts.contains("R1,2027-04,P,total,0.00,USD\n"))
    }

    /// A reinstatement of a cancellation the window left out reinstates nothing: nothing was
    /// taken back. T2 cancels T1 (100) 105 days after it, past the 30-day window, and T3 reverses
    /// T2 5 days later, inside the window from T2: T1 had been paid a second time in April (10.00
    /// more commission, and its 100 USD bounty again). Both rows are excluded with their reasons.
    @Test func aReinstatementOfACancellationPastTheWindowIsExcludedToo() throws {
        let (line, payouts) = try runWithinThirtyDays(
            """
            id,date,rep,amount,currency,kind,reverses
            T1,2027-01-05,R1,100,USD,new,
            T2,2027-04-20,R1,-100,USD,new,T1
            T3,2027-04-25,R1,100,USD,new,T2

            """,
            extra: "  component bounty = spiff {\n    window 2027-01-01 to 2027-12-31 by effective_date\n    pay 100 USD per deal\n  }\n")
        #expect(
            line.hasSuffix(
                "transactions.csv: 3 rows, 3 accepted, 0 rejected; 1 excluded: reversal more than 30 days after the row it reverses, outside the "
                    + "clawback window of plan P; 1 excluded: reverses a row of a chain of reversals that the clawback window of plan P "
                    + "left out (a reversal more than 30 days after the row it reverses): the chain charges nothing"), "\(line)")
        #expect(payouts.contains("R1,2027-01,P,total,110.00,USD\n"), "\(payouts)")
        #expect(payouts.contains("R1,2027-04,P,total,0.00,USD\n"), "\(payouts)")
    }
}

/// A database a newer comp has changed (a schema step this version does not know) is neither
/// written nor read: it had been written into, the newer tables left as they were.
@Suite struct NewerDatabases {
    let cli = CLI()

    @Test func aDatabaseANewerCompMadeIsRefused() throws {
        let (directory, data, db) = try oneDealRun(cli)
        defer { try? FileManager.default.removeItem(at: directory) }
        try DatabaseQueue(path: db).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: a newer schema')")
        }
        let said = "a newer comp made it (its schema has \"v99: a newer schema\", which this version does not know); use that version, or give a new --db"
        let run = try cli.run(["run", "--plans", aeStandard, "--data", data.path, "--db", db])
        #expect(run.status == 73)  // a database this run cannot write, as for another program's
        #expect(run.stderr.contains(said), "\(run.stderr)")
        let export = try cli.run(["export", "payouts", "--db", db, "--out", "-"])
        #expect(export.status == 65)
        #expect(export.stderr.contains(said), "\(export.stderr)")
        let runs = try DatabaseQueue(path: db).read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM runs") }
        #expect(runs == 1)
    }
}

/// Ctrl-C during a run into a new database removes its hidden staging file at once (it had been
/// left until a run in that directory ten minutes later cleared it) and says the run was not
/// stored; the process ends by the signal.
@Suite struct Interruptions {
    let cli = CLI()

    /// Waits (up to 30 s) until the run `process` makes `r.sqlite`'s hidden staging database in
    /// `directory`; fails the test if the run ends first.
    func waitForStaging(of process: Process, in directory: URL) throws {
        var staged = false
        for _ in 0..<6000 where process.isRunning {
            if try FileManager.default.contentsOfDirectory(atPath: directory.path).contains(where: { $0.hasPrefix(".r.sqlite.partial-") }) {
                staged = true
                break
            }
            usleep(5_000)
        }
        try #require(staged, "the run ended before its staging database was seen")
    }

    /// A ledger large enough for a run to be caught storing (300 reps, 200,000 transactions).
    func sampleLedger(in directory: URL) throws -> String {
        let data = directory.appendingPathComponent("data").path
        try #require(try cli.run(["sample", "--reps", "300", "--txns", "200000", "--seed", "5", "--out", data]).status == 0)
        return data
    }

    /// A signal ignored on entry stays ignored: `nohup comp run … &` survives SIGHUP (the
    /// handler had undone `nohup`, and the run died unstored).
    @Test func anIgnoredSignalStaysIgnored() throws {
        let binary = try #require(CLI.binary)
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try sampleLedger(in: directory)
        let db = directory.appendingPathComponent("r.sqlite").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "trap '' HUP; exec '\(binary.path)' run --plans '\(aeStandard)' --data '\(data)' --db '\(db)' > /dev/null"]
        try process.run()
        try waitForStaging(of: process, in: directory)
        kill(process.processIdentifier, SIGHUP)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        let payouts = try cli.run(["export", "payouts", "--db", db, "--out", "-"])
        #expect(payouts.status == 0)
        #expect(payouts.stdout.split(separator: "\n").count == 1 + 300 * 12 * 4)
    }

    @Test func anInterruptedRunLeavesNothingBehind() throws {
        let binary = try #require(CLI.binary)
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try sampleLedger(in: directory)
        let results = directory.appendingPathComponent("results")
        try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = binary
        process.arguments = ["run", "--plans", aeStandard, "--data", data, "--db", results.appendingPathComponent("r.sqlite").path]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Interrupted once its staging database is there (while it evaluates).
        try waitForStaging(of: process, in: results)
        kill(process.processIdentifier, SIGINT)
        let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(process.terminationStatus == SIGINT)
        #expect(said.hasSuffix("comp: interrupted; the run was not stored\n"), "\(said)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: results.path) == [])
    }

    /// `comp sample` interrupted while it writes removes its files and says so: a ledger cut
    /// mid-row had stayed, silently, and the next `comp sample` into the directory refused it as
    /// a data set already there.
    @Test func anInterruptedSampleLeavesNoHalfDataSet() throws {
        let binary = try #require(CLI.binary)
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("data")
        let process = Process()
        process.executableURL = binary
        // Far more than it writes before the signal (the ledger is written last).
        process.arguments = ["sample", "--reps", "1000", "--txns", "20000000", "--threads", "1", "--out", out.path]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        var writing = false
        for _ in 0..<6000 where process.isRunning {
            if FileManager.default.fileExists(atPath: out.appendingPathComponent("transactions.csv").path) {
                writing = true
                break
            }
            usleep(2_000)
        }
        kill(process.processIdentifier, SIGINT)
        let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(writing, "the sample ended before its ledger was seen")
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(process.terminationStatus == SIGINT)
        #expect(
            said == "comp sample: interrupted; removed the data files it was writing in \(out.path) (run it again to write them whole)\n",
            "\(said)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out.path) == [])
    }

    /// A run into an existing database whose writes fail (here a file size limit, as a full disk
    /// would) leaves the file byte for byte as it was and no hot journal: SQLite leaves the
    /// rollback to the next read after an I/O error, and the run had ended before it. The message
    /// is SQLite's, without the statement (sixteen rows of placeholders had filled the line).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit")))
    func aRunWhoseWritesFailLeavesTheDatabaseAsItWas() throws {
        let binary = try #require(CLI.binary)
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try sampleLedger(in: directory)
        let db = directory.appendingPathComponent("r.sqlite").path
        #expect(try cli.run(["run", "--plans", aeStandard, "--data", data, "--db", db]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        // Writes past 256 KiB more than the file has fail (EFBIG, the signal ignored).
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c",
            "trap '' XFSZ; exec /usr/bin/prlimit --fsize=\(before.count + 262_144) '\(binary.path)' run --plans '\(aeStandard)' --data '\(data)' --db '\(db)'",
        ]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 73)
        // The limit is said: SQLite's "disk I/O error" alone had not said what to do.
        #expect(
            said.hasSuffix(
                "recording the run: SQLite error 10: disk I/O error writing \(db); nothing was stored; this process may write files of at most "
                    + "\((before.count + 262_144) / 1024) KiB (`ulimit -f`): raise the limit, or look for a failing disk\n"), "\(said)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        var journal = stat()
        #expect(stat(db + "-journal", &journal) != 0 || journal.st_size == 0)
    }

    /// A reader holding the database (a `sqlite3` shell in a transaction) makes a run wait 15 s
    /// at its commit, then stop with the database as it was: the run had waited at each of its
    /// page spills too, and so for as long as the reader held on (here: for ever).
    @Test func aRunWaitsForAHoldingReaderOnlyAtItsCommit() throws {
        let binary = try #require(CLI.binary)
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try sampleLedger(in: directory)
        let db = directory.appendingPathComponent("r.sqlite").path
        #expect(try cli.run(["run", "--plans", aeStandard, "--data", data, "--db", db]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let reader = try DatabaseQueue(path: db)
        var status: Int32 = -1
        var said = ""
        var seconds = 0.0
        try reader.read { held in
            // The reader's lock is taken by its first read and kept until the block ends.
            _ = try Int.fetchOne(held, sql: "SELECT count(*) FROM runs")
            let process = Process()
            process.executableURL = binary
            process.arguments = ["run", "--plans", aeStandard, "--data", data, "--db", db]
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            let start = Date()
            try process.run()
            // Not for ever, whatever happens.
            let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
            DispatchQueue.global().asyncAfter(deadline: .now() + 150, execute: watchdog)
            said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            watchdog.cancel()
            seconds = Date().timeIntervalSince(start)
            status = process.terminationStatus
        }
        #expect(status == 73)
        #expect(said.hasSuffix("the database is in use (a reader or another `comp run` holds it); nothing was stored; run again when it is free\n"), "\(said)")
        #expect(seconds >= 15 && seconds < 120, "\(seconds) s")
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
    }

    /// A run into an existing database, interrupted while it stores, says so too (it had ended
    /// without a word), and the database keeps only the runs before it: its transaction is rolled
    /// back before the process ends, so the file is byte for byte what it was, with no hot journal
    /// beside it (ended at once, the process had left the file half-written: a copy of the file
    /// alone was damaged, and a reader without write access could not open it).
    @Test func anInterruptedRunIntoAnExistingDatabaseSaysSo() throws {
        let binary = try #require(CLI.binary)
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = try sampleLedger(in: directory)
        let db = directory.appendingPathComponent("r.sqlite").path
        #expect(try cli.run(["run", "--plans", aeStandard, "--data", data, "--db", db]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        let process = Process()
        process.executableURL = binary
        process.arguments = ["run", "--plans", aeStandard, "--data", data, "--db", db]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Interrupted once its transaction has written (the journal holds the pages it changed).
        var writing = false
        for _ in 0..<6000 where process.isRunning {
            var journal = stat()
            if stat(db + "-journal", &journal) == 0 && journal.st_size > 0 {
                writing = true
                break
            }
            usleep(2_000)
        }
        try #require(writing, "the run ended before it was seen writing")
        kill(process.processIdentifier, SIGTERM)
        let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(process.terminationStatus == SIGTERM)
        #expect(said.hasSuffix("comp: interrupted; the run was not stored\n"), "\(said)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        var journal = stat()
        #expect(stat(db + "-journal", &journal) != 0 || journal.st_size == 0)
        let runs = try cli.run(["export", "payouts", "--db", db, "--out", "-", "--run", "2"])
        #expect(runs.status == 65 && runs.stderr.contains("has no run 2"), "\(runs.stderr)")
    }
}
