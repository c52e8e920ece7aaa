import CompCore
import Foundation
import GRDB
import RunResults
@testable import Store
import Testing

/// A temporary database file, removed with its WAL files when released.
final class TemporaryDatabase {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "comp-store-\(UUID().uuidString).sqlite"
    }
    deinit {
        for suffix in ["", "-journal", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

func money(_ text: String) -> FixedDecimal {
    (try? FixedDecimal(parsing: text)) ?? .zero
}

let usd = Currency(code: "USD") ?? .usd
let jpy = Currency(code: "JPY") ?? .jpy

let sampleRun = RunRecord(
    startedAt: "2027-02-01T09:30:00Z", finishedAt: "2027-02-01T09:30:02Z", engineVersion: "0.1.0", threads: 2,
    plans: ["AE-STD"],
    inputs: [InputFingerprint(kind: "transactions", path: "data/transactions.csv", sha256: String(repeating: "a", count: 64), bytes: 123)],
    options: ["param.spiff_rate": "200 USD", "quarantine": "false"])

let sampleOutput = RunOutput(
    payouts: [
        // Deliberately unsorted; "R10" sorts before "R9" in byte order.
        PayoutLine(rep: "R9", period: "2027-01", plan: "AE-STD", component: "total", order: 3, amount: money("-0.004"), currency: usd),
        PayoutLine(rep: "R9", period: "2027-01", plan: "AE-STD", component: "commission", order: 0, amount: money("234.24"), currency: usd, trace: 0),
        PayoutLine(rep: "R10", period: "2027-01", plan: "AE-STD", component: "commission", order: 0, amount: money("-12.5"), currency: usd),
        PayoutLine(rep: "Rossi, Nils", period: "2027-01", plan: "AE-STD", component: "spiff", order: 1, amount: money("1500"), currency: jpy),
    ],
    measures: [
        MeasureValue(rep: "R9", period: "2027-01", plan: "AE-STD", measure: "attainment", order: 1, value: money("0.431384"), digits: 6, unit: .rate),
        MeasureValue(rep: "R9", period: "2027-01", plan: "AE-STD", measure: "bookings", order: 0, value: money("7808.05"), digits: 2, unit: .money("USD")),
    ],
    traces: [
        TraceRecord(
            plan: "AE-STD", component: "commission", rule: "marginal tiers on bookings", source: "Plans/ae.plan:14:3",
            tier: "0% ..< 50%", rate: "3%", base: "7808.05 USD", limit: nil, transactions: RowSet(rows: [5, 900, 17, 100_000]))
    ],
    rejects: [RejectRecord(file: "transactions.csv", line: 4, field: 2, code: "data.badDate", message: "date \"2027-02-30\" is not a valid date")],
    reconciliation: [ReconciliationRecord(file: "transactions.csv", rowsRead: 10, accepted: 9, rejected: 1, excluded: ["other plan MGR-OVR": 2])])

@Suite struct ResultStoreTests {
    /// A new database is made in memory: nothing is at its path until `persist()`, which puts it
    /// there whole; the file then opens as comp's, with the run, and the store still reads.
    @Test func aNewDatabaseAppearsWholeOnPersist() throws {
        let database = TemporaryDatabase()
        let store = try ResultStore(creating: database.path)
        let id = try store.record(sampleRun, output: sampleOutput)
        #expect(!FileManager.default.fileExists(atPath: database.path))
        try store.persist()
        #expect(try store.latestCompletedRun() == id)
        #expect(try ResultStore.vet(database.path))
        let reopened = try ResultStore(existing: database.path)
        #expect(try reopened.run(id) == sampleRun)
        #expect(try reopened.payouts(id).map(\.amount) == store.payouts(id).map(\.amount))
        #expect(try reopened.payouts(id).count == 4)
        // Nothing else beside it (no journal, no staging file).
        let directory = (database.path as NSString).deletingLastPathComponent
        let name = (database.path as NSString).lastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(name) } == [name])
    }

    /// A staging file left by a process that is gone (a run killed before it was stored), for a
    /// database of any name, is removed by the next run in that directory (into a new database or
    /// an existing one), once it is ten minutes old; one of a live process, a recent one, another
    /// host's, or a name of another shape is kept.
    @Test func abandonedStagingFilesAreRemoved() throws {
        let directory = NSTemporaryDirectory() + "comp-staging-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let prefix = ".r.sqlite.partial-\(ResultStore.hostName)@"
        let abandoned = prefix + "\(gone.processIdentifier)-1f"
        let recent = prefix + "\(gone.processIdentifier)-4c"
        let live = prefix + "\(getpid())-2e"
        let elsewhere = ".r.sqlite.partial-other.example@\(gone.processIdentifier)-3d"
        let otherShape = prefix + "\(gone.processIdentifier)-1f-x"
        let otherName = ".q.sqlite.partial-\(ResultStore.hostName)@\(gone.processIdentifier)-5a"
        let old = [abandoned, abandoned + "-journal", otherName, live, elsewhere, otherShape, "other.txt"]
        for file in old + [recent] { try Data("x".utf8).write(to: URL(fileURLWithPath: directory + "/" + file)) }
        // Written an hour ago, but `recent`.
        for file in old {
            var times = [timeval(tv_sec: time(nil) - 3600, tv_usec: 0), timeval(tv_sec: time(nil) - 3600, tv_usec: 0)]
            #expect(utimes(directory + "/" + file, &times) == 0)
        }
        let store = try ResultStore(creating: directory + "/r.sqlite")
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: directory))
        #expect(!left.contains(abandoned) && !left.contains(abandoned + "-journal") && !left.contains(otherName))
        #expect(left.isSuperset(of: [live, elsewhere, otherShape, recent, "other.txt"]))
        // Its own staging file (and journal), beside them.
        #expect(left.count == 7)
        store.discard()
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: directory)) == [live, elsewhere, otherShape, recent, "other.txt"])

        // A run into the database once it is there: another killed run's file goes too.
        let made = try ResultStore(creating: directory + "/r.sqlite")
        try made.persist()
        try Data("x".utf8).write(to: URL(fileURLWithPath: directory + "/" + otherName))
        var times = [timeval(tv_sec: time(nil) - 3600, tv_usec: 0), timeval(tv_sec: time(nil) - 3600, tv_usec: 0)]
        #expect(utimes(directory + "/" + otherName, &times) == 0)
        _ = try ResultStore(path: directory + "/r.sqlite")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: directory)) == [live, elsewhere, otherShape, recent, "other.txt", "r.sqlite"])
    }

    /// A file that appeared at the path while the run was computing (another run made it) is
    /// never overwritten: persisting fails, saying so, and that file is as it was.
    @Test func persistingNeverReplacesAFileThatAppeared() throws {
        let database = TemporaryDatabase()
        let store = try ResultStore(creating: database.path)
        _ = try store.record(sampleRun, output: sampleOutput)
        try Data("someone else's".utf8).write(to: URL(fileURLWithPath: database.path))
        let error = try #require(throws: StoreError.self) { try store.persist() }
        #expect(
            error.description
                == "storing the run in \(database.path): a file appeared there while this run was computing (another `comp run`?); "
                + "this run was not stored: run it again to add it to that database, or give another name")
        #expect(try String(contentsOfFile: database.path, encoding: .utf8) == "someone else's")
        let directory = (database.path as NSString).deletingLastPathComponent
        let name = (database.path as NSString).lastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(name) } == [name])
    }

    @Test func recordsAndReadsBackARun() throws {
        let database = TemporaryDatabase()
        let store = try ResultStore(path: database.path)
        #expect(try store.latestCompletedRun() == nil)
        let id = try store.record(sampleRun, output: sampleOutput)
        #expect(try store.latestCompletedRun() == id)
        #expect(try store.run(id) == sampleRun)
        let payouts = try store.payouts(id)
        #expect(payouts.map(\.rep) == ["R10", "R9", "R9", "Rossi, Nils"])
        #expect(payouts[1].component == "commission" && payouts[1].trace == 0)
        #expect(payouts[2].amount == money("-0.004"))
        #expect(try store.measures(id).map(\.measure) == ["bookings", "attainment"])
        let trace = try #require(try store.trace(id, 0))
        #expect(trace.transactions.rows == [5, 17, 900, 100_000])
        #expect(trace.tier == "0% ..< 50%")
        #expect(try store.rejects(id) == sampleOutput.rejects)
        // A second run becomes the latest; the first stays readable.
        let second = try store.record(sampleRun, output: RunOutput())
        #expect(try store.latestCompletedRun() == second)
        #expect(try store.runs() == [id, second])
        #expect(try store.payouts(id).count == 4)
        #expect(try store.payouts(second).isEmpty)
    }

    @Test func exportsFollowTheOutputContract() throws {
        let database = TemporaryDatabase()
        let store = try ResultStore(path: database.path)
        let id = try store.record(sampleRun, output: sampleOutput)
        #expect(
            ResultExport.payoutsCSV(try store.payouts(id)) == """
                rep,period,plan,component,amount,currency
                R10,2027-01,AE-STD,commission,-12.50,USD
                R9,2027-01,AE-STD,commission,234.24,USD
                R9,2027-01,AE-STD,total,0.00,USD
                "Rossi, Nils",2027-01,AE-STD,spiff,1500,JPY

                """)
        #expect(
            ResultExport.measuresCSV(try store.measures(id)) == """
                rep,period,plan,measure,value
                R9,2027-01,AE-STD,bookings,7808.05
                R9,2027-01,AE-STD,attainment,0.431384

                """)
    }

    @Test func aLineCarriesItsTraceOnItsOwnRow() throws {
        let database = TemporaryDatabase()
        let store = try ResultStore(path: database.path)
        var output = sampleOutput
        // A trace no line refers to is kept in the traces table.
        output.traces.append(
            TraceRecord(
                plan: "AE-STD", component: "audit", rule: "note", source: "Plans/ae.plan:1:1", tier: nil, rate: nil, base: nil,
                limit: "cap at 10.00 USD", transactions: RowSet(rows: [3])))
        let id = try store.record(sampleRun, output: output)
        let raw = try DatabaseQueue(path: database.path)
        let (traceRows, ruleOnLine, countOnLine) = try raw.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM traces") ?? -1,
                try String.fetchOne(db, sql: "SELECT rule FROM payouts WHERE trace = 0"),
                try Int.fetchOne(db, sql: "SELECT transaction_count FROM payouts WHERE trace = 0")
            )
        }
        #expect(traceRows == 1)
        #expect(ruleOnLine == "marginal tiers on bookings")
        #expect(countOnLine == 4)
        #expect(try store.trace(id, 0)?.transactions.rows == [5, 17, 900, 100_000])
        #expect(try store.trace(id, 1)?.limit == "cap at 10.00 USD")
        #expect(try store.trace(id, 2) == nil)
        let lines = try store.lines(id, rep: "R9", period: "2027-01")
        #expect(lines.map(\.line.component) == ["commission", "total"])
        #expect(lines.map(\.line.amount) == [money("234.24"), money("-0.004")])
        #expect(lines[0].trace?.tier == "0% ..< 50%")
        #expect(lines[0].trace?.base == "7808.05 USD")
        #expect(lines[1].trace == nil)
        #expect(try store.lines(id, rep: "R9", period: "2027-02").isEmpty)
        #expect(try store.measures(id, rep: "R9", period: "2027-01").map(\.measure) == ["bookings", "attainment"])
        #expect(try store.measures(id, rep: "R9", period: "2027-01").map(\.unit) == [.money("USD"), .rate])
        #expect(try store.measures(id, rep: "R10", period: "2027-01").isEmpty)
    }

    /// `export` hands the file over in pieces of whole reps, and the pieces make the same file as
    /// the whole-run path: with a piece of one byte, every rep's lines are a piece of their own.
    @Test func exportsComeInPiecesOfWholeRepsThatMakeTheWholeFile() throws {
        let database = TemporaryDatabase()
        let store = try ResultStore(path: database.path)
        let id = try store.record(sampleRun, output: sampleOutput)
        var pieces: [String] = []
        try store.export(.payouts, of: id, piece: 1) { pieces.append(String(decoding: $0, as: UTF8.self)) }
        #expect(
            pieces == [
                "rep,period,plan,component,amount,currency\nR10,2027-01,AE-STD,commission,-12.50,USD\n",
                "R9,2027-01,AE-STD,commission,234.24,USD\nR9,2027-01,AE-STD,total,0.00,USD\n",
                "\"Rossi, Nils\",2027-01,AE-STD,spiff,1500,JPY\n",
            ])
        #expect(pieces.joined() == ResultExport.payoutsCSV(try store.payouts(id)))
        // In the usual mebibyte pieces, the small file is one piece.
        var whole: [[UInt8]] = []
        try store.export(.measures, of: id) { whole.append($0) }
        #expect(whole.map { String(decoding: $0, as: UTF8.self) } == [ResultExport.measuresCSV(try store.measures(id))])
        // A run with no lines still gets its header.
        let empty = try store.record(sampleRun, output: RunOutput())
        var header: [String] = []
        try store.export(.measures, of: empty) { header.append(String(decoding: $0, as: UTF8.self)) }
        #expect(header == ["rep,period,plan,measure,value\n"])
        // What the writer throws comes back as it is, not as a failure to read the database.
        var calls = 0
        #expect {
            try store.export(.payouts, of: id, piece: 1) { _ throws(StoreError) in
                calls += 1
                if calls == 2 { throw StoreError(operation: "writing payouts.csv", underlying: "No space left on device") }
            }
        } throws: { error in
            (error as? StoreError)?.description == StoreError(operation: "writing payouts.csv", underlying: "No space left on device").description
        }
        #expect(calls == 2)
    }

    @Test func manyLinesAreWrittenInBatchesAndReadBackInOrder() throws {
        let database = TemporaryDatabase()
        let store = try ResultStore(path: database.path)
        // 70 lines (two batches of 32 and a tail of 6) and 45 measures, each line with its trace.
        var output = RunOutput()
        for index in 0..<70 {
            let rep = "R\(100 + index / 2)"
            output.traces.append(
                TraceRecord(
                    plan: "P", component: "c\(index % 2)", rule: "rule \(index)", source: "p.plan:1:1", tier: nil, rate: nil,
                    base: nil, limit: nil, transactions: RowSet(rows: [Int32(index), Int32(index + 1000)])))
            output.payouts.append(
                PayoutLine(
                    rep: rep, period: "2027-01", plan: "P", component: "c\(index % 2)", order: index % 2,
                    amount: FixedDecimal(units: Int64(index) * 10_000), currency: usd, trace: index))
        }
        for index in 0..<45 {
            output.measures.append(
                MeasureValue(
                    rep: "R\(100 + index)", period: "2027-01", plan: "P", measure: "m", order: 0,
                    value: FixedDecimal(units: Int64(index)), digits: 2))
        }
        let id = try store.record(sampleRun, output: output)
        #expect(try store.payouts(id) == output.payouts)
        #expect(try store.measures(id) == output.measures)
        #expect(try store.trace(id, 69)?.rule == "rule 69")
        #expect(try store.trace(id, 69)?.transactions.rows == [69, 1069])
        #expect(try store.lines(id, rep: "R134", period: "2027-01").map(\.trace?.rule) == ["rule 68", "rule 69"])
    }

    @Test func aRunStoredInPartsNumbersItsTracesAcrossParts() throws {
        let database = TemporaryDatabase()
        let store = try ResultStore(path: database.path)
        func part(_ rep: String) -> RunOutput {
            RunOutput(
                payouts: [PayoutLine(rep: rep, period: "2027-01", plan: "P", component: "c", order: 0, amount: money("1"), currency: usd, trace: 0)],
                traces: [
                    TraceRecord(
                        plan: "P", component: "c", rule: "rule of \(rep)", source: "p.plan:1:1", tier: nil, rate: nil, base: nil,
                        limit: nil, transactions: RowSet(rows: [1]))
                ])
        }
        let id = try store.record(sampleRun, finishedAt: { "2027-02-01T00:00:00Z" }) { write in
            try write(part("R1"))
            try write(part("R2"))
            return RunOutput(rejects: sampleOutput.rejects)
        }
        #expect(try store.payouts(id).map(\.trace) == [0, 1])
        #expect(try store.trace(id, 1)?.rule == "rule of R2")
        #expect(try store.rejects(id) == sampleOutput.rejects)
        #expect(try store.run(id)?.finishedAt == "2027-02-01T00:00:00Z")
    }

    @Test func aProducerThatFailsLeavesNothingAndItsErrorIsKept() throws {
        struct Boom: Error {}
        let database = TemporaryDatabase()
        let store = try ResultStore(path: database.path)
        let kept = try store.record(sampleRun, output: sampleOutput)
        do {
            _ = try store.record(sampleRun) { write in
                try write(sampleOutput)
                throw Boom()
            }
            Issue.record("the run was stored")
        } catch {
            #expect(error.cause is Boom)
        }
        #expect(try store.runs() == [kept])
        #expect(try store.payouts(kept).count == 4)
    }

    /// A run is written with foreign keys off (enforced, SQLite kept a statement journal for each
    /// multi-row insert); the store enforces them again afterwards, after a failed run too, and
    /// the rows written carry the run's id.
    @Test func foreignKeysAreEnforcedAgainAfterARun() throws {
        struct Boom: Error {}
        let database = TemporaryDatabase()
        let store = try ResultStore(path: database.path)
        #expect(try store.enforcesForeignKeys())
        #expect(store.writtenWithForeignKeys == nil)
        let id = try store.record(sampleRun, output: sampleOutput)
        #expect(store.writtenWithForeignKeys == false)
        #expect(try store.enforcesForeignKeys())
        #expect(throws: (any Error).self) {
            try store.record(sampleRun) { write in
                try write(sampleOutput)
                throw Boom()
            }
        }
        #expect(try store.enforcesForeignKeys())
        let raw = try DatabaseQueue(path: database.path)
        let (orphans, runs) = try raw.read { db in
            (try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").count, try Int64.fetchAll(db, sql: "SELECT DISTINCT run_id FROM statements"))
        }
        #expect(orphans == 0)
        #expect(runs == [id.rawValue])
    }

    /// Row sets are delta varints of the sorted, distinct rows: 0 → delta 1; 127 → 127; 128 → 1;
    /// 200,000 → 199,872 = C0 99 0C; Int32.max → 2,147,283,647 = BF E5 F3 FF 07.
    @Test func rowSetsEncodeSortedDeltas() throws {
        let set = RowSet(rows: [200_000, 0, 127, 128, Int32.max, 128])
        #expect(set.count == 5)
        #expect(set.encoded == [0x01, 0x7F, 0x01, 0xC0, 0x99, 0x0C, 0xBF, 0xE5, 0xF3, 0xFF, 0x07])
        #expect(set.rows == [0, 127, 128, 200_000, Int32.max])
        #expect(RowSet(encoded: set.encoded)?.rows == set.rows)
        #expect(RowSet(rows: []).encoded.isEmpty)
        // A negative row (never a ledger row) still encodes without running past its buffer.
        #expect(RowSet(rows: [Int32.min, -1, 5]).count == 3)
    }

    @Test func linesReadingTheSameTransactionsStoreThemOnce() throws {
        let database = TemporaryDatabase()
        let store = try ResultStore(path: database.path)
        let rows = RowSet(rows: [4, 8, 15, 16, 23, 42])
        func trace(_ component: String, _ set: RowSet) -> TraceRecord {
            TraceRecord(
                plan: "P", component: component, rule: "r", source: "p.plan:1:1", tier: nil, rate: nil, base: nil, limit: nil,
                transactions: set)
        }
        func line(_ component: String, _ order: Int, rep: String = "R1") -> PayoutLine {
            PayoutLine(rep: rep, period: "2027-01", plan: "P", component: component, order: order, amount: money("1"), currency: usd, trace: order)
        }
        let output = RunOutput(
            payouts: [line("commission", 0), line("spiff", 1), line("total", 2)],
            traces: [trace("commission", rows), trace("spiff", RowSet(rows: [8])), trace("total", rows)])
        let id = try store.record(sampleRun, output: output)
        let raw = try DatabaseQueue(path: database.path)
        // The statement's blob holds each set once; the view gives every line its own.
        let (blobBytes, perLine) = try raw.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT length(transactions) FROM statements") ?? -1,
                try Row.fetchAll(db, sql: "SELECT ord, transactions FROM payouts ORDER BY ord").map { [UInt8]($0[1] as Data) }
            )
        }
        #expect(blobBytes == rows.encoded.count + RowSet(rows: [8]).encoded.count)
        #expect(perLine == [rows.encoded, RowSet(rows: [8]).encoded, rows.encoded])
        #expect(try store.trace(id, 2)?.transactions.rows == [4, 8, 15, 16, 23, 42])
        #expect(try store.lines(id, rep: "R1", period: "2027-01").map { $0.trace?.transactions.count } == [6, 1, 6])
    }

    @Test func aDatabaseOfTheFirstSchemaIsMigratedAndItsRunsStayReadable() throws {
        let database = TemporaryDatabase()
        // A database as the first version wrote it: a run whose trace lives in the traces table.
        let old = try DatabaseQueue(path: database.path)
        try ResultStore.migrator.migrate(old, upTo: "v1: runs, payouts, measures, traces, rejects, reconciliation")
        try old.write { db in
            try db.execute(
                sql: """
                    INSERT INTO runs (id, started_at, finished_at, status, engine_version, threads, plans, options)
                    VALUES (1, 'a', 'b', 'completed', '0.1.0', 2, 'P', '');
                    INSERT INTO payouts (run_id, rep, period, plan, component, ord, amount, currency, trace)
                    VALUES (1, 'R1', '2027-01', 'P', 'commission', 0, 1500000, 'USD', 0),
                           (1, 'R1', '2027-01', 'P', 'total', 1, 1500000, 'USD', NULL);
                    INSERT INTO traces (run_id, id, plan, component, rule, source, tier, rate, base, limit_applied,
                        transaction_count, transactions)
                    VALUES (1, 0, 'P', 'commission', 'old rule', 'p.plan:3:1', NULL, '3%', NULL, NULL, 2, x'0203');
                    """)
        }
        let store = try ResultStore(path: database.path)
        let run = RunID(rawValue: 1)
        #expect(try store.payouts(run).map(\.amount) == [money("1.5"), money("1.5")])
        #expect(try store.trace(run, 0)?.rule == "old rule")
        #expect(try store.trace(run, 0)?.transactions.rows == [1, 4])
        let lines = try store.lines(run, rep: "R1", period: "2027-01")
        #expect(lines.map { $0.trace?.rule } == ["old rule", nil])
        // New runs go into the same database, with traces on their lines.
        let second = try store.record(sampleRun, output: sampleOutput)
        #expect(try store.runs() == [run, second])
        #expect(try store.trace(second, 0)?.tier == "0% ..< 50%")
    }

    @Test func aDatabaseOfTheFourthSchemaIsMovedIntoStatementsExactly() throws {
        let database = TemporaryDatabase()
        let old = try DatabaseQueue(path: database.path)
        try ResultStore.migrator.migrate(old, upTo: "v4: shared transaction sets")
        try old.write { db in
            try db.execute(
                sql: """
                    INSERT INTO runs (id, started_at, finished_at, status, engine_version, threads, plans, options)
                    VALUES (1, 'a', 'b', 'completed', '0.1.0', 2, 'P', '');
                    INSERT INTO payouts (run_id, rep, period, plan, component, ord, amount, currency, trace, rule, source, tier,
                        rate, base, limit_applied, transaction_count, transactions, same_transactions_as)
                    VALUES (1, 'R1', '2027-01', 'P', 'commission', 0, 1500000, 'USD', 0, 'tiers', 'p.plan:3:1', 'tier 1', '3%',
                               '50.00', NULL, 2, x'0203', NULL),
                           (1, 'R1', '2027-01', 'P', 'total', 1, 1500000, 'USD', 1, 'sum', 'p.plan:1:1', NULL, NULL, NULL,
                               'cap at 1.50 USD', 2, NULL, 0),
                           (1, 'R2', '2027-01', 'P', 'total', 1, -250000, 'EUR', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                               NULL, NULL);
                    INSERT INTO measures (run_id, rep, period, plan, measure, ord, value, digits)
                    VALUES (1, 'R1', '2027-01', 'P', 'bookings', 0, 50000000, 2),
                           (1, 'R3', '2027-02', 'P', 'bookings', 0, 7000000, 2);
                    """)
        }
        let store = try ResultStore(path: database.path)
        let run = RunID(rawValue: 1)
        #expect(try store.payouts(run).map { "\($0.rep) \($0.component) \($0.amount) \($0.currency.code) \($0.trace ?? -1)" } == [
            "R1 commission 1.5 USD 0", "R1 total 1.5 USD 1", "R2 total -0.25 EUR -1",
        ])
        #expect(try store.measures(run).map { "\($0.rep) \($0.period) \($0.valueText(fractionDigits: 0))" } == ["R1 2027-01 50", "R3 2027-02 7"])
        // The line that shared the commission's set has it.
        #expect(try store.trace(run, 1)?.transactions.rows == [1, 4])
        #expect(try store.trace(run, 1)?.limit == "cap at 1.50 USD")
        #expect(try store.trace(run, 0)?.tier == "tier 1")
        let stored = try old.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM statements") ?? -1,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM trace_rules") ?? -1,
                try Row.fetchAll(db, sql: "SELECT rule, transactions FROM payouts ORDER BY rep, ord").map {
                    "\(($0[0] as String?) ?? "-") \(($0[1] as Data?).map { [UInt8]($0) } ?? [])"
                }
            )
        }
        #expect(stored.0 == 3)
        #expect(stored.1 == 2)
        #expect(stored.2 == ["tiers [2, 3]", "sum [2, 3]", "- []"])
    }

    @Test func theViewsGiveTheColumnsOfTheTablesTheyReplace() throws {
        let database = TemporaryDatabase()
        let store = try ResultStore(path: database.path)
        _ = try store.record(sampleRun, output: sampleOutput)
        let raw = try DatabaseQueue(path: database.path)
        let (payoutColumns, measureColumns, line) = try raw.read { db in
            (
                try db.columns(in: "payouts").map(\.name), try db.columns(in: "measures").map(\.name),
                try Row.fetchOne(
                    db,
                    sql: """
                        SELECT amount, typeof(amount), trace, rule, source, tier, rate, base, transaction_count, length(transactions)
                        FROM payouts WHERE rep = 'R9' AND component = 'commission'
                        """)
            )
        }
        #expect(payoutColumns == [
            "run_id", "rep", "period", "plan", "component", "ord", "amount", "currency", "trace", "rule", "source", "tier", "rate",
            "base", "limit_applied", "transaction_count", "transactions",
        ])
        #expect(measureColumns == ["run_id", "rep", "period", "plan", "measure", "ord", "value", "digits", "unit", "text"])
        let row = try #require(line)
        #expect(row[0] as Int64 == 234_240_000)
        #expect(row[1] as String == "integer")
        #expect(row[2] as Int64 == 0)
        #expect(row[3] as String == "marginal tiers on bookings")
        #expect(row[4] as String == "Plans/ae.plan:14:3")
        #expect(row[5] as String == "0% ..< 50%")
        #expect(row[6] as String == "3%")
        #expect(row[7] as String == "7808.05 USD")
        #expect(row[8] as Int64 == 4)
        #expect(row[9] as Int64 == Int64(RowSet(rows: [5, 17, 900, 100_000]).encoded.count))
    }

    /// A measure's unit is stored with it (the currency of money, `rate`, `count`) and read back;
    /// one without a unit, as runs stored before units were, reads as nil and NULL in the view.
    @Test func measureUnitsAreStoredAndReadBack() throws {
        let database = TemporaryDatabase()
        let store = try ResultStore(path: database.path)
        var output = RunOutput()
        output.payouts = [
            PayoutLine(rep: "R1", period: "2027-01", plan: "P", component: "c", order: 0, amount: money("1"), currency: usd)
        ]
        output.measures = [
            MeasureValue(rep: "R1", period: "2027-01", plan: "P", measure: "deals", order: 0, value: money("7"), digits: 0, unit: .count),
            MeasureValue(rep: "R1", period: "2027-01", plan: "P", measure: "old", order: 1, value: money("2.5"), digits: 2),
            MeasureValue(rep: "R1", period: "2027-01", plan: "P", measure: "fee", order: 2, value: money("3"), digits: 0, unit: .money("JPY")),
        ]
        let id = try store.record(sampleRun, output: output)
        #expect(try store.measures(id).map(\.unit) == [.count, nil, .money("JPY")])
        let raw = try DatabaseQueue(path: database.path)
        let (units, stored) = try raw.read { db in
            (
                try Row.fetchAll(db, sql: "SELECT measure, unit FROM measures ORDER BY ord").map { "\($0[0] as String) \(($0[1] as String?) ?? "NULL")" },
                try String.fetchOne(db, sql: "SELECT measures FROM statements")
            )
        }
        #expect(units == ["deals count", "old NULL", "fee JPY"])
        #expect(stored == #"[["deals",0,7000000,0,"count"],["old",1,2500000,2],["fee",2,3000000,0,"JPY"]]"#)
        #expect(MeasureUnit(code: "usd") == nil && MeasureUnit(code: "US") == nil && MeasureUnit(code: "EUR") == .money("EUR"))
    }

    @Test func hostileTextIsStoredAndReadBackExactly() throws {
        let database = TemporaryDatabase()
        let store = try ResultStore(path: database.path)
        let names = ["Ünal \"the closer\" \\ O'Brien", "tab\there\nnewline\u{1}bell\u{7f}", "🚀 rep, with comma", "[1,2]\",\""]
        var output = RunOutput()
        for (index, name) in names.enumerated() {
            output.payouts.append(
                PayoutLine(rep: name, period: "2027-01", plan: "P\"", component: name, order: 0, amount: money("1.25"), currency: usd, trace: index))
            output.measures.append(MeasureValue(rep: name, period: "2027-01", plan: "P\"", measure: name, order: 0, value: money("-3"), digits: 2))
            output.traces.append(TraceRecord(plan: "P\"", component: name, rule: name, source: name, tier: name, rate: nil, base: name, limit: name))
        }
        let id = try store.record(sampleRun, output: output)
        let sortedNames = names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        #expect(try store.payouts(id).map(\.component) == sortedNames)
        #expect(try store.payouts(id).map(\.rep) == sortedNames)
        #expect(try store.measures(id).map(\.measure) == sortedNames)
        for (index, name) in names.enumerated() {
            let lines = try store.lines(id, rep: name, period: "2027-01")
            #expect(lines.count == 1)
            #expect(lines.first?.trace?.rule == name)
            #expect(lines.first?.trace?.tier == name)
            #expect(lines.first?.trace?.limit == name)
            #expect(try store.trace(id, index)?.source == name)
        }
        // SQLite's own JSON functions read the same texts.
        let raw = try DatabaseQueue(path: database.path)
        let viewed = try raw.read { db in try String.fetchAll(db, sql: "SELECT component FROM payouts ORDER BY rep") }
        #expect(viewed == sortedNames)
    }

    @Test func statementsGroupLinesAndMeasuresInAnyOrder() {
        func line(_ rep: String, _ period: String, _ order: Int) -> PayoutLine {
            PayoutLine(rep: rep, period: period, plan: "P", component: "c\(order)", order: order, amount: money("1"), currency: usd)
        }
        func measure(_ rep: String, _ period: String, _ order: Int) -> MeasureValue {
            MeasureValue(rep: rep, period: period, plan: "P", measure: "m\(order)", order: order, value: money("1"), digits: 2)
        }
        func shape(_ part: RunOutput) -> [String] {
            let grouping = StatementGroup.groups(of: part)
            return grouping.groups.map {
                "\($0.rep) \($0.period) lines \(grouping.lines(of: $0)) measures \(grouping.measures(of: $0))"
            }
        }
        // In order: grouped without hashing.
        let sorted = RunOutput(
            payouts: [line("R1", "2027-01", 0), line("R1", "2027-01", 1), line("R1", "2027-02", 0), line("R2", "2027-01", 0)],
            measures: [measure("R1", "2027-01", 0), measure("R1", "2027-02", 0), measure("R1", "2027-02", 1), measure("R2", "2027-01", 0)])
        #expect(shape(sorted) == [
            "R1 2027-01 lines [0, 1] measures [0]", "R1 2027-02 lines [2] measures [1, 2]", "R2 2027-01 lines [3] measures [3]",
        ])
        // A statement with measures only, lines coming back to an earlier statement, components
        // out of order: the same statements, found by hashing.
        let mixed = RunOutput(
            payouts: [line("R2", "2027-01", 1), line("R1", "2027-01", 0), line("R2", "2027-01", 0)],
            measures: [measure("R0", "2027-01", 0), measure("R2", "2027-01", 0)])
        #expect(shape(mixed) == ["R2 2027-01 lines [2, 0] measures [1]", "R1 2027-01 lines [1] measures []", "R0 2027-01 lines [] measures [0]"])
        // In statement order but a statement's components out of order, and a statement with no
        // measures between two with measures: sorted by order within the statement.
        let reordered = RunOutput(
            payouts: [line("R1", "2027-01", 1), line("R1", "2027-01", 0), line("R1", "2027-02", 0), line("R2", "2027-01", 0)],
            measures: [measure("R1", "2027-01", 1), measure("R1", "2027-01", 0), measure("R2", "2027-01", 0)])
        #expect(shape(reordered) == [
            "R1 2027-01 lines [1, 0] measures [1, 0]", "R1 2027-02 lines [2] measures []", "R2 2027-01 lines [3] measures [2]",
        ])
        // In order, with a statement that has no measures: no index lists at all.
        let plain = RunOutput(
            payouts: [line("R1", "2027-01", 0), line("R1", "2027-02", 0), line("R2", "2027-01", 0)],
            measures: [measure("R1", "2027-01", 0), measure("R2", "2027-01", 0), measure("R2", "2027-01", 1)])
        #expect(shape(plain) == ["R1 2027-01 lines [0] measures [0]", "R1 2027-02 lines [1] measures []", "R2 2027-01 lines [2] measures [1, 2]"])
        #expect(StatementGroup.groups(of: plain).lineOrder == nil && StatementGroup.groups(of: sorted).measureOrder == nil)
        #expect(StatementGroup.groups(of: reordered).lineOrder == [1, 0, 2, 3])
    }

    @Test func idsThatDifferOnlyInTheirBytesStayApart() throws {
        // "José" precomposed and with a combining accent: equal to Swift's `==`, different bytes.
        let composed = "Jos\u{E9}"
        let decomposed = "Jose\u{301}"
        let database = TemporaryDatabase()
        let store = try ResultStore(path: database.path)
        func line(_ rep: String, _ trace: Int) -> PayoutLine {
            PayoutLine(rep: rep, period: "2027-01", plan: "P", component: "c", order: 0, amount: money("1"), currency: usd, trace: trace)
        }
        let output = RunOutput(
            payouts: [line(decomposed, 0), line(composed, 1)],
            traces: [
                TraceRecord(plan: "P", component: "c", rule: "rate " + decomposed, source: "p.plan:1:1"),
                TraceRecord(plan: "P", component: "c", rule: "rate " + composed, source: "p.plan:1:1"),
            ])
        let id = try store.record(sampleRun, output: output)
        // Byte order: "e" (0x65) sorts before the precomposed é (0xC3 0xA9).
        #expect(try store.payouts(id).map { Array($0.rep.utf8) } == [Array(decomposed.utf8), Array(composed.utf8)])
        #expect(try store.lines(id, rep: composed, period: "2027-01").map { Array(($0.trace?.rule ?? "").utf8) } == [Array(("rate " + composed).utf8)])
        #expect(try store.lines(id, rep: decomposed, period: "2027-01").count == 1)
        #expect(try store.trace(id, 1).map { Array($0.rule.utf8) } == Array(("rate " + composed).utf8))
        #expect(ResultExport.precedes(line(decomposed, 0), line(composed, 0)))
        #expect(!ResultExport.precedes(line(composed, 0), line(decomposed, 0)))
    }

    @Test func aStatementWrittenInTwoPartsReadsBackInOrder() throws {
        let database = TemporaryDatabase()
        let store = try ResultStore(path: database.path)
        func line(_ order: Int) -> PayoutLine {
            PayoutLine(rep: "R1", period: "2027-01", plan: "P", component: "c\(order)", order: order, amount: money("1"), currency: usd)
        }
        func measure(_ order: Int) -> MeasureValue {
            MeasureValue(rep: "R1", period: "2027-01", plan: "P", measure: "m\(order)", order: order, value: money("1"), digits: 2)
        }
        let id = try store.record(sampleRun) { write in
            try write(RunOutput(payouts: [line(0), line(2)], measures: [measure(2)]))
            try write(RunOutput(payouts: [line(1)], measures: [measure(1)]))
            return RunOutput()
        }
        #expect(try store.payouts(id).map(\.order) == [0, 1, 2])
        #expect(try store.measures(id).map(\.order) == [1, 2])
        #expect(try store.lines(id, rep: "R1", period: "2027-01").map(\.line.order) == [0, 1, 2])
    }

    @Test func aDamagedStatementIsAnErrorNotACrash() throws {
        let database = TemporaryDatabase()
        let store = try ResultStore(path: database.path)
        let id = try store.record(sampleRun, output: sampleOutput)
        let raw = try DatabaseQueue(path: database.path)
        try raw.write { db in
            // A transaction span past the end of Int64, and a measure with more digits than stored.
            try db.execute(
                sql: """
                    UPDATE statements SET
                        lines = '[["commission",0,1,"USD",0,0,null,null,null,null,1,9223372036854775807,1]]',
                        measures = '[["bookings",0,1,99]]'
                    WHERE rep = 'R9'
                    """)
        }
        #expect(throws: StoreError.self) { try store.lines(id, rep: "R9", period: "2027-01") }
        #expect(throws: StoreError.self) { try store.trace(id, 0) }
        #expect(throws: StoreError.self) { try store.measures(id) }
        try raw.write { db in try db.execute(sql: "UPDATE statements SET lines = '[[\"commission\",0' WHERE rep = 'R9'") }
        let error = try #require(throws: StoreError.self) { try store.payouts(id) }
        #expect(
            error.description
                == "reading payouts of run 1: a stored statement is malformed: the text ends early (changed outside comp, or damaged); "
                + "restore it from a backup, or give a new --db")
        // Bad input (`comp export` exits 65), not an internal error (70).
        #expect(error.damaged)
    }

    /// A value of the wrong type in a run's own columns (a text where a count belongs) is an
    /// error naming the column, not a trap.
    @Test func aDamagedRunRecordIsAnErrorNotACrash() throws {
        let database = TemporaryDatabase()
        let store = try ResultStore(path: database.path)
        let id = try store.record(sampleRun, output: sampleOutput)
        let raw = try DatabaseQueue(path: database.path)
        try raw.write { db in try db.execute(sql: "UPDATE runs SET threads = 'many'") }
        let error = try #require(throws: StoreError.self) { try store.run(id) }
        #expect(error.description.hasPrefix("reading run 1: could not decode Int from database value \"many\" - column: \"threads\""))
        try raw.write { db in
            try db.execute(sql: "UPDATE runs SET threads = 2")
            try db.execute(sql: "UPDATE run_inputs SET bytes = 'lots'")
        }
        let inputs = try #require(throws: StoreError.self) { try store.run(id) }
        #expect(inputs.description.contains("column: \"bytes\""))
        // The run's payouts are still readable.
        #expect(try store.payouts(id).count == sampleOutput.payouts.count)
    }

    @Test func exportsFormattedPartByPartEqualTheWholeOrGiveWay() throws {
        let lines = sampleOutput.payouts.sorted { ResultExport.precedes($0, $1) }
        let measures = sampleOutput.measures.sorted { ResultExport.precedes($0, $1) }
        var inOrder = IncrementalExport()
        inOrder.append(RunOutput(payouts: Array(lines[0..<2]), measures: Array(measures[0..<1])))
        inOrder.append(RunOutput(payouts: Array(lines[2...]), measures: Array(measures[1...])))
        #expect(inOrder.texts?.payouts == ResultExport.payoutsCSV(sampleOutput.payouts))
        #expect(inOrder.texts?.measures == ResultExport.measuresCSV(sampleOutput.measures))
        // Parts out of export order (two plans, one after the other): the caller sorts the whole.
        var outOfOrder = IncrementalExport()
        outOfOrder.append(RunOutput(payouts: Array(lines[2...])))
        outOfOrder.append(RunOutput(payouts: Array(lines[0..<2])))
        #expect(outOfOrder.texts == nil)
        // Within one payee and period (whose first fields are written once), components out of
        // declaration order give way too.
        let pair = try #require(lines.indices.dropFirst().first { ResultExport.sameKey(lines[$0 - 1], lines[$0]) })
        var swapped = IncrementalExport()
        swapped.append(RunOutput(payouts: Array(lines[..<(pair - 1)]) + [lines[pair], lines[pair - 1]]))
        #expect(swapped.texts == nil)
        var kept = IncrementalExport()
        kept.append(RunOutput(payouts: Array(lines[...pair])))
        #expect(kept.texts?.payouts == ResultExport.payoutsCSV(Array(lines[...pair])))
    }

    /// A run killed while writing leaves a hot journal beside the database (here: the two files
    /// copied while a write transaction has spilled pages). Every comp command refused such a
    /// database as "not a comp results database"; it is rolled back instead, to the runs before.
    /// Also when the database is named through a symbolic link: SQLite's journal is then beside
    /// the link's target, and one looked for beside the link had been missed (every command then
    /// failed with "attempt to write a readonly database").
    @Test(arguments: [false, true])
    func aHotJournalIsRolledBackNotRefused(throughALink: Bool) throws {
        let database = TemporaryDatabase()
        let store = try ResultStore(path: database.path)
        let first = try store.record(sampleRun, output: sampleOutput)
        let copy = database.path + ".copy"
        let link = database.path + ".link"
        defer {
            unlink(copy)
            unlink(copy + "-journal")
            unlink(link)
        }
        if throughALink { try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: copy) }
        let opened = throughALink ? link : copy
        struct Abandon: Error {}
        let raw = try DatabaseQueue(path: database.path)
        do {
            try raw.write { db in
                try db.execute(sql: "PRAGMA cache_size = 2")
                for index in 0..<2_000 {
                    try db.execute(
                        sql: "INSERT INTO runs (started_at, finished_at, status, engine_version, threads, plans, options) VALUES (?, ?, 'completed', '0', 1, '[]', '{}')",
                        arguments: ["s\(index)", "f\(index)"])
                }
                // The files as a killed process would leave them.
                for (from, to) in [(database.path, copy), (database.path + "-journal", copy + "-journal")] {
                    unlink(to)
                    try FileManager.default.copyItem(atPath: from, toPath: to)
                }
                throw Abandon()
            }
        } catch is Abandon {}
        var journal = stat()
        #expect(stat(copy + "-journal", &journal) == 0 && journal.st_size > 0)
        #expect(try ResultStore.vet(opened) == true)
        let recovered = try ResultStore(existing: opened)
        #expect(try recovered.runs() == [first])
        #expect(try recovered.payouts(first).count == sampleOutput.payouts.count)
    }

    @Test func aFailedRunLeavesNothing() throws {
        let database = TemporaryDatabase()
        let store = try ResultStore(path: database.path)
        let kept = try store.record(sampleRun, output: sampleOutput)
        // Make the insert fail half-way through the run's transaction: the run's row and two
        // statements are written before the third is refused.
        let raw = try DatabaseQueue(path: database.path)
        try raw.write { db in
            try db.execute(
                sql: "CREATE TRIGGER boom BEFORE INSERT ON statements WHEN NEW.rep = 'Rossi, Nils' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END")
        }
        #expect(throws: StoreError.self) { try store.record(sampleRun, output: sampleOutput) }
        #expect(try store.runs() == [kept])
        let counts = try raw.read { db in
            (
                try Int.fetchOne(db, sql: "SELECT count(*) FROM payouts") ?? -1,
                try Int.fetchOne(db, sql: "SELECT count(*) FROM run_inputs") ?? -1
            )
        }
        #expect(counts.0 == 4)
        #expect(counts.1 == 1)
    }

    @Test func aKilledWriterLeavesNothing() throws {
        let database = TemporaryDatabase()
        let store = try ResultStore(path: database.path)
        _ = try store.record(sampleRun, output: sampleOutput)
        // Another process starts writing a run and is killed before it commits.
        let script = """
            import os, signal, sqlite3
            db = sqlite3.connect('\(database.path)', isolation_level=None)
            db.execute('BEGIN')
            db.execute("INSERT INTO runs (started_at, finished_at, status, engine_version, threads, plans, options) VALUES ('x', 'x', 'completed', 'x', 1, 'P', '')")
            db.execute("INSERT INTO statements (run_id, rep, period, plan, lines, measures, transactions) VALUES (2, 'R1', '2027-01', 'P', '[]', '[]', x'')")
            os.kill(os.getpid(), signal.SIGKILL)
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let reopened = try ResultStore(path: database.path)
        #expect(try reopened.runs().count == 1)
        #expect(try reopened.payouts(try #require(try reopened.latestCompletedRun())).count == 4)
    }
}

@Suite struct StatementJSONTests {
    @Test func integersAndStringsRoundTrip() throws {
        let integers: [Int64] = [0, 7, 9, 10, 42, 99, 100, 101, 12_345, -1, -9, -10, -99, -100, Int64.max, Int64.min]
        let strings = ["", "plain", "quote \" and \\ backslash", "tab\t newline\n bell\u{7}", "Ünal 🚀", "\u{1F}"]
        var json = JSONWriter()
        json.open()
        json.open()
        for (index, value) in integers.enumerated() {
            if index > 0 { json.comma() }
            json.integer(value)
        }
        json.close()
        json.comma()
        json.open()
        for (index, text) in strings.enumerated() {
            if index > 0 { json.comma() }
            json.string(text)
        }
        json.comma()
        json.null()
        json.close()
        json.close()
        #expect(String(decoding: json.bytes, as: UTF8.self).hasPrefix("[[0,7,9,10,42,99,100,101,12345,-1,-9,-10,-99,-100,9223372036854775807,-9223372036854775808]"))
        let rows = try json.bytes.withUnsafeBufferPointer { try JSONRows.parse($0, width: 1) }
        #expect(rows.count == 2)
        #expect(rows[0].map(\.integer) == integers.map { Optional($0) })
        #expect(rows[1].dropLast().map(\.string) == strings.map { Optional($0) })
        #expect(rows[1].last == .null)
    }

    /// The word-at-a-time check agrees with a byte-by-byte one for every byte value at every
    /// place of strings up to 19 bytes, beside letters and bytes past 0x7F.
    @Test func escapeCheckMatchesByteByByte() {
        var mismatches: [(length: Int, position: Int, value: Int)] = []
        for length in 1...19 {
            for position in 0..<length {
                for value in 0...255 {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    if length > 2 { bytes[(position + 1) % length] = 0xA0 }
                    bytes[position] = UInt8(value)
                    let expected = bytes.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
                    if bytes.withUnsafeBufferPointer({ JSONCursor.needsEscape($0) }) != expected { mismatches.append((length, position, value)) }
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    /// A line written through the room it sets aside reads back field for field, escapes and
    /// extreme integers included, with nothing past its closing bracket.
    @Test func storedLineWritesItsFieldsInItsRoom() throws {
        let hostile = "quote \" and \\ backslash, tab\t newline\n \u{1F} Ünal 🚀"
        let line = StoredLine(
            component: hostile, order: Int64.min, amount: Int64.max, currency: "\u{0}", trace: nil, rule: -1, tier: "", rate: nil,
            base: String(repeating: "\u{7}", count: 50), limit: "cap", count: 0, span: (offset: 9, bytes: 10))
        var json = JSONWriter()
        json.bytes = Array("x".utf8)
        line.write(to: &json)
        #expect(json.bytes.first == UInt8(ascii: "x"))
        #expect(json.bytes.last == UInt8(ascii: "]"))
        let text = String(decoding: json.bytes.dropFirst(), as: UTF8.self)
        #expect(text.hasPrefix(#"["quote \" and \\ backslash, tab\u0009 newline\u000a \u001f Ünal 🚀",-9223372036854775808,9223372036854775807,"\u0000",null,-1,"",null,"\u0007"#))
        #expect(text.hasSuffix(#""cap",0,9,10]"#))
        let rows = try Array(("[" + text + "]").utf8).withUnsafeBufferPointer { try JSONRows.parse($0, width: 13) }
        #expect(rows.count == 1)
        #expect(rows[0].map(\.string) == [hostile, nil, nil, "\u{0}", nil, nil, "", nil, String(repeating: "\u{7}", count: 50), "cap", nil, nil, nil])
        #expect(rows[0].map(\.integer) == [nil, Int64.min, Int64.max, nil, nil, -1, nil, nil, nil, nil, 0, 9, 10])
    }

    /// A line with a text past the room a writer keeps is written through memory of its own, and
    /// a copy of a writer writes on its own memory: each keeps exactly its own lines.
    @Test func hugeTextsAndCopiedWriters() throws {
        let huge = String(repeating: "a\u{1}", count: 100_000)
        let line = StoredLine(component: "c", order: 1, amount: 2, currency: "USD", trace: nil, rule: nil, tier: nil, rate: nil, base: huge, limit: nil, count: nil, span: nil)
        var first = JSONWriter()
        line.write(to: &first)
        #expect(JSONWriter.room(huge) > JSONWriter.keptRoom)
        let rows = try (Array("[".utf8) + first.bytes + Array("]".utf8)).withUnsafeBufferPointer { try JSONRows.parse($0, width: 13) }
        #expect(rows.first?[LineField.base].string == huge)
        let small = StoredLine(component: "x", order: 0, amount: -5, currency: "EUR", trace: 3, rule: 4, tier: "t", rate: "r", base: "b", limit: "l", count: 1, span: (offset: 0, bytes: 2))
        var a = JSONWriter()
        small.write(to: &a)
        var b = a
        line.write(to: &b)
        small.write(to: &b)
        small.write(to: &a)
        let one = #"["x",0,-5,"EUR",3,4,"t","r","b","l",1,0,2]"#
        #expect(String(decoding: a.bytes, as: UTF8.self) == one + one)
        #expect(b.bytes.count == one.utf8.count * 2 + first.bytes.count)
        #expect(String(decoding: b.bytes.suffix(one.utf8.count), as: UTF8.self) == one)
    }

    @Test(arguments: ["", "[", "[[1,]]", "[[1] x", "[[\"a]]", "[[99999999999999999999]]", "[[\"\\q\"]]", "[[\"\\ud800\"]]", "[[tru]]"])
    func malformedTextIsAnError(_ text: String) {
        let bytes = Array(text.utf8)
        #expect(throws: MalformedStatement.self) { try bytes.withUnsafeBufferPointer { try JSONRows.parse($0, width: 1) } }
    }
}

@Suite struct RowSetTests {
    @Test(arguments: [[Int32](), [0], [3, 1, 2, 2], [0, 127, 128, 16_383, 16_384, 2_000_000_000], Array(0..<1000).map { Int32($0 * 37) }])
    func roundTrip(rows: [Int32]) {
        let set = RowSet(rows: rows)
        #expect(set.rows == Array(Set(rows)).sorted())
        #expect(set.count == Set(rows).count)
        #expect(RowSet(encoded: set.encoded) == set)
    }

    /// Deltas at the edges of each length (1 to 5 bytes) and extreme first rows, against the varint
    /// written a byte at a time; a negative first row (10 bytes, wrapped) reads back (it had trapped).
    @Test func encodingMatchesTheByteLoop() {
        func reference(_ rows: [Int32]) -> [UInt8] {
            var bytes: [UInt8] = []
            var previous: Int64 = -1
            for row in rows {
                var delta = UInt64(bitPattern: Int64(row) - previous)
                previous = Int64(row)
                while delta >= 0x80 {
                    bytes.append(UInt8(truncatingIfNeeded: delta) | 0x80)
                    delta >>= 7
                }
                bytes.append(UInt8(delta))
            }
            return bytes
        }
        var rows: [Int32] = [0]
        for delta: Int32 in [1, 127, 128, 129, 16_383, 16_384, 2_097_151, 2_097_152, 268_435_455, 268_435_456, 268_435_457, 1_000_000_000] {
            rows.append(rows[rows.count - 1] + delta)
        }
        #expect(RowSet(rows: rows).encoded == reference(rows))
        #expect(RowSet(rows: rows).encoded.count == 1 + 1 + 1 + 2 + 2 + 2 + 3 + 3 + 4 + 4 + 5 + 5 + 5)
        #expect(RowSet(rows: rows).rows == rows)
        for first: Int32 in [126, 127, 16_382, 16_383, 268_435_454, 268_435_455, Int32.max, -1, Int32.min] {
            #expect(RowSet(rows: [first]).encoded == reference([first]))
            #expect(RowSet(rows: [first]).rows == [first])
        }
        #expect(RowSet(rows: [Int32.min, 0, Int32.max]).encoded == reference([Int32.min, 0, Int32.max]))
    }

    @Test func compactForNearbyRows() {
        let set = RowSet(rows: (0..<10_000).map { Int32($0 * 100) })
        #expect(set.encoded.count == 10_000)  // one byte per row when rows are < 128 apart
    }

    @Test func malformedEncodingIsRejected() {
        #expect(RowSet(encoded: [0x80]) == nil)
        #expect(RowSet(encoded: [UInt8](repeating: 0xFF, count: 10) + [1]) == nil)
    }
}

@Suite struct ByteOrderTests {
    /// Keys sort by their UTF-8 bytes, as memcmp does, a prefix first: "R10" < "R9" (0x31 < 0x39),
    /// "R1" < "R10", "Z" < "a" (0x5A < 0x61), precomposed "é" (C3 A9) after "e" + U+0301 (65 CC 81),
    /// which Swift's `<` calls equal.
    @Test func bytesPrecedeIsMemcmpOrder() {
        #expect(bytesPrecede("R10", "R9"))
        #expect(!bytesPrecede("R9", "R10"))
        #expect(bytesPrecede("R1", "R10"))
        #expect(!bytesPrecede("R10", "R1"))
        #expect(!bytesPrecede("R1", "R1"))
        #expect(bytesPrecede("", "a"))
        #expect(!bytesPrecede("", ""))
        #expect(bytesPrecede("Z", "a"))
        #expect(bytesPrecede("e\u{301}", "\u{e9}"))
        #expect(!bytesPrecede("\u{e9}", "e\u{301}"))
        let long = String(repeating: "x", count: 40)
        #expect(bytesPrecede(long, long + "y"))
        #expect(keyPrecedes(rep: "R1", period: "2027-02", plan: "A", rep: "R1", period: "2027-10", plan: "A"))
        #expect(!keyPrecedes(rep: "R1", period: "2027-10", plan: "A", rep: "R1", period: "2027-02", plan: "A"))
        #expect(keyPrecedes(rep: "R1", period: "2027-02", plan: "A", rep: "R1", period: "2027-02", plan: "B"))
    }
}

@Suite struct CSVLineTests {
    /// Export lines: fields with commas, quotes and line breaks quoted (quotes doubled), others as
    /// they are, amounts at the currency's digits, rounded half to even, the sign kept.
    @Test func linesQuoteWhatNeedsIt() throws {
        let usd = try #require(Currency(code: "USD"))
        let jpy = try #require(Currency(code: "JPY"))
        var buffer = CSVBuffer("", capacity: 0)
        buffer.line(
            PayoutLine(rep: "R,1", period: "2027-01", plan: "P \"x\"", component: "a\nb", order: 0, amount: FixedDecimal(units: -1_234_565_000), currency: usd))
        buffer.line(PayoutLine(rep: "Ünal 🚀", period: "2027-Q1", plan: "", component: "bonus", order: 1, amount: FixedDecimal(units: 2_500_000), currency: jpy))
        buffer.line(MeasureValue(rep: "r\r", period: "2027", plan: "PLAN-LONG-NAME,", measure: "attainment", order: 0, value: FixedDecimal(units: 873_393), digits: 6))
        buffer.line(MeasureValue(rep: "R", period: "2027", plan: "P", measure: "", order: 0, value: FixedDecimal(units: Int64.min), digits: 6))
        #expect(
            buffer.text == """
                "R,1",2027-01,"P ""x""\",\"a
                b",-1234.56,USD
                Ünal 🚀,2027-Q1,,bonus,2,JPY
                "r\r",2027,"PLAN-LONG-NAME,",attainment,0.873393
                R,2027,P,,-9223372036854.775808

                """)
    }
}

@Suite struct SortedByBytesTests {
    /// The word-keyed sort orders as a comparison of the whole bytes does: prefixes first, keys
    /// past 16 bytes, keys that differ only after 16 bytes, NUL bytes after a prefix, bytes past
    /// 0x7F, precomposed and decomposed accents.
    @Test func ordersAsBytesPrecede() {
        var keys = [
            "R10", "R9", "R1", "", "Z", "a", "e\u{301}", "\u{e9}", "R1\u{0}", "R1\u{0}\u{0}", "0123456789abcdef", "0123456789abcdef0",
            "0123456789abcdefZ", "0123456789abcdeZ", String(repeating: "x", count: 40), String(repeating: "x", count: 40) + "y", "Ünal 🚀", "\u{FF}",
        ]
        var generator = SystemRandomNumberGenerator()
        let alphabet: [Character] = ["A", "B", "0", "\u{0}", "é", "\u{7F}", "z"]
        for _ in 0..<300 {
            keys.append(String((0..<Int.random(in: 0...20, using: &generator)).map { _ in alphabet.randomElement(using: &generator) ?? "A" }))
        }
        let expected = keys.sorted { bytesPrecede($0, $1) }.map { Array($0.utf8) }
        #expect(sortedByBytes(keys) { $0 }.map { Array($0.utf8) } == expected)
    }
}
