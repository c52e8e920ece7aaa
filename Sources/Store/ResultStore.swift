import CompCore
import Foundation
import GRDB
import GRDBSQLite
import RunResults

/// A storage failure, with the SQLite error (code, message and the SQL that failed) kept.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What was being done.
    public let operation: String
    /// The underlying error's description.
    public let underlying: String

    /// The error a run's producer threw, when the failure was not SQLite's (see
    /// ``ResultStore/record(_:inputs:produce:)``).
    public let cause: (any Error)?

    public init(operation: String, underlying: String, cause: (any Error)? = nil) {
        self.operation = operation
        self.underlying = underlying
        self.cause = cause
    }

    public var description: String { "\(operation): \(underlying)" }
}

/// The results database: runs, their inputs, payouts, measures, traces, rejects and the
/// reconciliation, in SQLite through GRDB.
///
/// A run is written in one transaction ([`record(_:output:)`](x-source-tag://record)): a failed or
/// killed run leaves the database as it was. Money is stored as INTEGER millionths, never REAL.
public final class ResultStore {
    private let queue: DatabaseQueue

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public init(path: String) throws(StoreError) {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = TRUNCATE")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(queue)
        } catch {
            throw StoreError(operation: "opening \(path)", underlying: String(describing: error))
        }
    }

    /// The schema, as an ordered list of named migrations.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: runs, payouts, measures, traces, rejects, reconciliation") { db in
            try db.execute(
                sql: """
                    CREATE TABLE runs (
                        id INTEGER PRIMARY KEY,
                        started_at TEXT NOT NULL,
                        finished_at TEXT NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('completed', 'failed')),
                        engine_version TEXT NOT NULL,
                        threads INTEGER NOT NULL,
                        plans TEXT NOT NULL,
                        options TEXT NOT NULL
                    );
                    CREATE TABLE run_inputs (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        kind TEXT NOT NULL,
                        path TEXT NOT NULL,
                        sha256 TEXT NOT NULL,
                        bytes INTEGER NOT NULL
                    );
                    CREATE TABLE payouts (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        rep TEXT NOT NULL,
                        period TEXT NOT NULL,
                        plan TEXT NOT NULL,
                        component TEXT NOT NULL,
                        ord INTEGER NOT NULL,
                        amount INTEGER NOT NULL,
                        currency TEXT NOT NULL,
                        trace INTEGER
                    );
                    CREATE INDEX payouts_by_run ON payouts(run_id, rep, period, ord);
                    CREATE TABLE measures (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        rep TEXT NOT NULL,
                        period TEXT NOT NULL,
                        plan TEXT NOT NULL,
                        measure TEXT NOT NULL,
                        ord INTEGER NOT NULL,
                        value INTEGER NOT NULL,
                        digits INTEGER NOT NULL
                    );
                    CREATE INDEX measures_by_run ON measures(run_id, rep, period, ord);
                    CREATE TABLE traces (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        id INTEGER NOT NULL,
                        plan TEXT NOT NULL,
                        component TEXT NOT NULL,
                        rule TEXT NOT NULL,
                        source TEXT NOT NULL,
                        tier TEXT,
                        rate TEXT,
                        base TEXT,
                        limit_applied TEXT,
                        transaction_count INTEGER NOT NULL,
                        transactions BLOB NOT NULL,
                        PRIMARY KEY (run_id, id)
                    );
                    CREATE TABLE rejects (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        file TEXT NOT NULL,
                        line INTEGER NOT NULL,
                        field INTEGER NOT NULL,
                        code TEXT NOT NULL,
                        message TEXT NOT NULL
                    );
                    CREATE TABLE reconciliation (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        file TEXT NOT NULL,
                        rows_read INTEGER NOT NULL,
                        accepted INTEGER NOT NULL,
                        rejected INTEGER NOT NULL,
                        excluded TEXT NOT NULL
                    );
                    """)
        }
        // A payout line's trace is stored on the line's own row: a separate trace row per line
        // doubled the rows a run writes (SQLite's cost is per row). The traces table keeps traces
        // no line refers to, and the traces of runs stored before this version.
        migrator.registerMigration("v2: traces on payout rows") { db in
            try db.execute(
                sql: """
                    ALTER TABLE payouts ADD COLUMN rule TEXT;
                    ALTER TABLE payouts ADD COLUMN source TEXT;
                    ALTER TABLE payouts ADD COLUMN tier TEXT;
                    ALTER TABLE payouts ADD COLUMN rate TEXT;
                    ALTER TABLE payouts ADD COLUMN base TEXT;
                    ALTER TABLE payouts ADD COLUMN limit_applied TEXT;
                    ALTER TABLE payouts ADD COLUMN transaction_count INTEGER;
                    ALTER TABLE payouts ADD COLUMN transactions BLOB;
                    """)
        }
        // Exports read a run in (rep, period, plan, order): indexes in exactly that order spare
        // SQLite a sort of every line.
        migrator.registerMigration("v3: indexes in export order") { db in
            try db.execute(
                sql: """
                    DROP INDEX payouts_by_run;
                    CREATE INDEX payouts_by_run ON payouts(run_id, rep, period, plan, ord);
                    DROP INDEX measures_by_run;
                    CREATE INDEX measures_by_run ON measures(run_id, rep, period, plan, ord);
                    """)
        }
        // Most lines of a rep-period read the same transactions (every credit rule's): the set is
        // stored on the first such line, and the others name that line's `ord`.
        migrator.registerMigration("v4: shared transaction sets") { db in
            try db.execute(sql: "ALTER TABLE payouts ADD COLUMN same_transactions_as INTEGER")
        }
        return migrator
    }

    /// Writes a completed run and everything it produced, in one transaction. Returns its id.
    /// If anything fails, nothing of the run is stored.
    ///
    /// `inputs`, when given, is called inside the transaction after the bulk rows are written and
    /// supplies the run's input fingerprints instead of `run.inputs`: the caller can hash the inputs
    /// while SQLite writes (the two are independent, and each takes one core).
    public func record(
        _ run: RunRecord, output: RunOutput, inputs: (() throws -> [InputFingerprint])? = nil
    ) throws(StoreError) -> RunID {
        try record(run, inputs: inputs) { write in
            try write(output)
            return output
        }
    }

    /// Writes a run whose results arrive in parts, in one transaction: `produce` is called inside
    /// the transaction and hands each part (payout lines, measures, traces; a part's trace indexes
    /// are its own) to `write` as soon as it has it, so that SQLite writes while the rest is being
    /// computed; it returns what comes last (rejects and reconciliation). If `produce` throws,
    /// nothing of the run is stored, and its error is the one thrown.
    ///
    /// `finishedAt`, when given, is the run's finishing time, asked for once `produce` is done.
    public func record(
        _ run: RunRecord, inputs: (() throws -> [InputFingerprint])? = nil, finishedAt: (() -> String)? = nil,
        produce: (_ write: (RunOutput) throws -> Void) throws -> RunOutput
    ) throws(StoreError) -> RunID {
        do {
            return try queue.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO runs (started_at, finished_at, status, engine_version, threads, plans, options)
                        VALUES (?, ?, 'completed', ?, ?, ?, ?)
                        """,
                    arguments: [
                        run.startedAt, run.finishedAt, run.engineVersion, run.threads, run.plans.joined(separator: ","),
                        run.options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n"),
                    ])
                let id = db.lastInsertedRowID
                let writer = try BulkWriter(db, run: id)
                let tail = try produce { part in try writer.write(part) }
                if let finishedAt {
                    try db.execute(sql: "UPDATE runs SET finished_at = ? WHERE id = ?", arguments: [finishedAt(), id])
                }
                let reject = try db.makeStatement(
                    sql: "INSERT INTO rejects (run_id, file, line, field, code, message) VALUES (?, ?, ?, ?, ?, ?)")
                for record in tail.rejects {
                    try reject.execute(arguments: [id, record.file, record.line, record.field, record.code, record.message])
                }
                let reconciliation = try db.makeStatement(
                    sql: """
                        INSERT INTO reconciliation (run_id, file, rows_read, accepted, rejected, excluded)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """)
                for record in tail.reconciliation {
                    let excluded = record.excluded.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                    try reconciliation.execute(arguments: [
                        id, record.file, record.rowsRead, record.accepted, record.rejected, excluded.joined(separator: "\n"),
                    ])
                }
                let input = try db.makeStatement(
                    sql: "INSERT INTO run_inputs (run_id, kind, path, sha256, bytes) VALUES (?, ?, ?, ?, ?)")
                for file in try inputs?() ?? run.inputs {
                    try input.execute(arguments: [id, file.kind, file.path, file.sha256, file.bytes])
                }
                return RunID(rawValue: id)
            }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            throw StoreError(operation: "recording the run", underlying: String(describing: error))
        } catch {
            // Not SQLite's: the producer's own failure, passed through in words.
            throw StoreError(operation: "recording the run", underlying: String(describing: error), cause: error)
        }
    }

    /// The most recent completed run, if any.
    public func latestCompletedRun() throws(StoreError) -> RunID? {
        do {
            return try queue.read { db in
                try Int64.fetchOne(db, sql: "SELECT max(id) FROM runs WHERE status = 'completed'").map(RunID.init)
            }
        } catch {
            throw StoreError(operation: "finding the latest run", underlying: String(describing: error))
        }
    }

    /// Ids of all runs, oldest first.
    public func runs() throws(StoreError) -> [RunID] {
        do {
            return try queue.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM runs ORDER BY id").map(RunID.init) }
        } catch {
            throw StoreError(operation: "listing runs", underlying: String(describing: error))
        }
    }

    /// The run's record, or `nil` when there is no such run.
    public func run(_ id: RunID) throws(StoreError) -> RunRecord? {
        do {
            return try queue.read { db -> RunRecord? in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE id = ?", arguments: [id.rawValue]) else {
                    return nil
                }
                let inputs = try Row.fetchAll(
                    db, sql: "SELECT kind, path, sha256, bytes FROM run_inputs WHERE run_id = ? ORDER BY rowid",
                    arguments: [id.rawValue]
                ).map { InputFingerprint(kind: $0["kind"], path: $0["path"], sha256: $0["sha256"], bytes: $0["bytes"]) }
                let options: String = row["options"]
                let plans: String = row["plans"]
                var optionMap: [String: String] = [:]
                for line in options.split(separator: "\n") {
                    let parts = line.split(separator: "=", maxSplits: 1)
                    if parts.count == 2 { optionMap[String(parts[0])] = String(parts[1]) }
                }
                return RunRecord(
                    startedAt: row["started_at"], finishedAt: row["finished_at"], engineVersion: row["engine_version"],
                    threads: row["threads"], plans: plans.isEmpty ? [] : plans.split(separator: ",").map(String.init),
                    inputs: inputs, options: optionMap)
            }
        } catch {
            throw StoreError(operation: "reading run \(id)", underlying: String(describing: error))
        }
    }

    /// The run's payout lines, sorted as exports want them: rep (byte order), period, component order.
    public func payouts(_ id: RunID) throws(StoreError) -> [PayoutLine] {
        var currencies: [String: Currency] = [:]
        do {
            return try queue.read { db in
                let statement = try db.makeStatement(
                    sql: """
                        SELECT rep, period, plan, component, ord, amount, currency, trace FROM payouts
                        WHERE run_id = ? ORDER BY rep, period, plan, ord
                        """)
                try statement.setArguments([id.rawValue])
                var lines: [PayoutLine] = []
                // Read through the C API: GRDB's rows cost about a microsecond each, most of an export.
                try RawReader.forEachRow(db, statement) { row in
                    let code = row.text(6)
                    let currency: Currency
                    if let known = currencies[code] {
                        currency = known
                    } else {
                        currency = Currency(code: code) ?? Currency(unlistedCode: code, minorUnits: 2)
                        currencies[code] = currency
                    }
                    lines.append(
                        PayoutLine(
                            rep: row.text(0), period: row.text(1), plan: row.text(2), component: row.text(3), order: Int(row.int64(4)),
                            amount: FixedDecimal(units: row.int64(5)), currency: currency, trace: row.isNull(7) ? nil : Int(row.int64(7))))
                }
                return lines
            }
        } catch {
            throw StoreError(operation: "reading payouts of run \(id)", underlying: String(describing: error))
        }
    }

    /// The run's measures, sorted like payouts.
    public func measures(_ id: RunID) throws(StoreError) -> [MeasureValue] {
        try measures(id, where: "", [])
    }

    /// One rep's measures in one period of a run, in order.
    public func measures(_ id: RunID, rep: String, period: String) throws(StoreError) -> [MeasureValue] {
        try measures(id, where: " AND rep = ? AND period = ?", [rep, period])
    }

    private func measures(_ id: RunID, where filter: String, _ values: [String]) throws(StoreError) -> [MeasureValue] {
        do {
            return try queue.read { db in
                let statement = try db.makeStatement(
                    sql: """
                        SELECT rep, period, plan, measure, ord, value, digits FROM measures
                        WHERE run_id = ?\(filter) ORDER BY rep, period, plan, ord
                        """)
                try statement.setArguments(StatementArguments([id.rawValue.databaseValue] + values.map(\.databaseValue)))
                var measures: [MeasureValue] = []
                try RawReader.forEachRow(db, statement) { row in
                    measures.append(
                        MeasureValue(
                            rep: row.text(0), period: row.text(1), plan: row.text(2), measure: row.text(3), order: Int(row.int64(4)),
                            value: FixedDecimal(units: row.int64(5)), digits: Int(row.int64(6))))
                }
                return measures
            }
        } catch {
            throw StoreError(operation: "reading measures of run \(id)", underlying: String(describing: error))
        }
    }

    /// The trace with index `trace` of a run: from the payout line that carries it, or from the
    /// traces table (traces no line refers to, and runs stored before traces moved onto lines).
    public func trace(_ id: RunID, _ trace: Int) throws(StoreError) -> TraceRecord? {
        do {
            return try queue.read { db -> TraceRecord? in
                if let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT rep, period, plan, component, rule, source, tier, rate, base, limit_applied, transactions,
                            same_transactions_as
                        FROM payouts WHERE run_id = ? AND trace = ? AND rule IS NOT NULL LIMIT 1
                        """,
                    arguments: [id.rawValue, trace])
                {
                    var shared: Data? = nil
                    if let ord: Int64 = row["same_transactions_as"] {
                        shared = try Data.fetchOne(
                            db,
                            sql: "SELECT transactions FROM payouts WHERE run_id = ? AND rep = ? AND period = ? AND plan = ? AND ord = ?",
                            arguments: [id.rawValue, row["rep"] as String, row["period"] as String, row["plan"] as String, ord])
                    }
                    return Self.traceRecord(row, shared: shared)
                }
                return try Row.fetchOne(
                    db, sql: "SELECT * FROM traces WHERE run_id = ? AND id = ?", arguments: [id.rawValue, trace]
                ).map { Self.traceRecord($0) }
            }
        } catch {
            throw StoreError(operation: "reading trace \(trace) of run \(id)", underlying: String(describing: error))
        }
    }

    /// One rep's payout lines in one period of a run, in component order, each with its trace
    /// (read through the `(run, rep, period)` index: `comp explain` on a large run).
    public func lines(_ id: RunID, rep: String, period: String) throws(StoreError) -> [(line: PayoutLine, trace: TraceRecord?)] {
        do {
            return try queue.read { db in
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT rep, period, plan, component, ord, amount, currency, trace,
                            rule, source, tier, rate, base, limit_applied, transactions, same_transactions_as
                        FROM payouts WHERE run_id = ? AND rep = ? AND period = ? ORDER BY plan, ord
                        """,
                    arguments: [id.rawValue, rep, period])
                // Transaction sets stored once per rep-period, by plan and ord.
                var sets: [String: Data] = [:]
                for row in rows {
                    if let blob: Data = row["transactions"] { sets["\(row["plan"] as String)\u{0}\(row["ord"] as Int64)"] = blob }
                }
                return try rows.map { row in
                    let code: String = row["currency"]
                    let line = PayoutLine(
                        rep: row["rep"], period: row["period"], plan: row["plan"], component: row["component"], order: row["ord"],
                        amount: FixedDecimal(units: row["amount"]),
                        currency: Currency(code: code) ?? Currency(unlistedCode: code, minorUnits: 2), trace: row["trace"])
                    var trace: TraceRecord? = nil
                    if let _: String = row["rule"] {
                        let shared = (row["same_transactions_as"] as Int64?).flatMap { sets["\(line.plan)\u{0}\($0)"] }
                        trace = Self.traceRecord(row, shared: shared)
                    } else if let index = line.trace {
                        trace = try Row.fetchOne(
                            db, sql: "SELECT * FROM traces WHERE run_id = ? AND id = ?", arguments: [id.rawValue, index]
                        ).map { Self.traceRecord($0) }
                    }
                    return (line, trace)
                }
            }
        } catch {
            throw StoreError(operation: "reading the payouts of \(rep) in \(period) of run \(id)", underlying: String(describing: error))
        }
    }

    /// A trace from a payout or trace row; `shared` is the transaction set of the line it names.
    private static func traceRecord(_ row: Row, shared: Data? = nil) -> TraceRecord {
        let blob: Data? = row["transactions"] ?? shared
        let bytes = blob.map { [UInt8]($0) } ?? []
        return TraceRecord(
            plan: row["plan"], component: row["component"], rule: row["rule"], source: row["source"],
            tier: row["tier"], rate: row["rate"], base: row["base"], limit: row["limit_applied"],
            transactions: RowSet(encoded: bytes) ?? RowSet(rows: []))
    }

    /// The run's rejected input rows, by file, line and field.
    public func rejects(_ id: RunID) throws(StoreError) -> [RejectRecord] {
        do {
            return try queue.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT file, line, field, code, message FROM rejects WHERE run_id = ? ORDER BY rowid",
                    arguments: [id.rawValue]
                ).map { RejectRecord(file: $0["file"], line: $0["line"], field: $0["field"], code: $0["code"], message: $0["message"]) }
            }
        } catch {
            throw StoreError(operation: "reading rejects of run \(id)", underlying: String(describing: error))
        }
    }
}

@available(*, unavailable)
extension ResultStore: Sendable {}

/// Binds and steps one row of a prepared insert through the C API (values are copied by SQLite).
/// The statement handle stays inside this module, owned by its GRDB `Statement`.
private struct RawRow {
    let handle: OpaquePointer

    init(_ handle: OpaquePointer) { self.handle = handle }

    /// SQLite's SQLITE_TRANSIENT (a macro, not imported): SQLite copies the bytes.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ value: String?) {
        guard let value else {
            sqlite3_bind_null(handle, index)
            return
        }
        var text = value
        text.withUTF8 { bytes in
            _ = bytes.withMemoryRebound(to: CChar.self) {
                sqlite3_bind_text(handle, index, $0.baseAddress, Int32($0.count), RawRow.transient)
            }
        }
    }

    func bind(_ index: Int32, blob: [UInt8]) {
        _ = blob.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32($0.count), RawRow.transient) }
    }

    /// Steps the insert and resets it; a failure is thrown as GRDB's `DatabaseError` with the SQL.
    func step(_ db: Database, _ statement: Statement) throws {
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                sql: statement.sql)
        }
    }
}

/// The text and blob values of one statement's rows, copied into one buffer and bound without a
/// further copy (SQLite's SQLITE_STATIC): binding each string as SQLITE_TRANSIENT cost SQLite a
/// malloc and a copy per value.
private struct BoundBytes {
    private var bytes: [UInt8] = []
    private var spans: [(index: Int32, offset: Int, count: Int, blob: Bool)] = []
    private var nulls: [Int32] = []

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
        nulls.removeAll(keepingCapacity: true)
    }

    mutating func text(_ index: Int32, _ value: String?) {
        guard let value else { return nulls.append(index) }
        let offset = bytes.count
        bytes.append(contentsOf: value.utf8)
        spans.append((index, offset, bytes.count - offset, false))
    }

    mutating func blob(_ index: Int32, _ value: [UInt8]) {
        let offset = bytes.count
        bytes.append(contentsOf: value)
        spans.append((index, offset, value.count, true))
    }

    /// Binds every value to `raw`'s statement and runs `body` (which steps it) while the bytes are
    /// valid; the statement is rebound before it is stepped again.
    func bound(to raw: RawRow, _ body: () throws -> Void) throws {
        for index in nulls { sqlite3_bind_null(raw.handle, index) }
        try bytes.withUnsafeBytes { buffer in
            // A zero-length value still needs a non-null pointer (a null one would bind NULL).
            let base = buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)
            for span in spans {
                let pointer = base.map { $0 + span.offset }
                if span.blob {
                    sqlite3_bind_blob(raw.handle, span.index, pointer, Int32(span.count), nil)
                } else {
                    sqlite3_bind_text(raw.handle, span.index, pointer?.assumingMemoryBound(to: CChar.self), Int32(span.count), nil)
                }
            }
            try body()
        }
    }
}

/// Steps a prepared query through the C API and hands each row's columns to `body`. The
/// statement handle stays inside this module, owned by its GRDB `Statement`.
private struct RawReader {
    let handle: OpaquePointer

    static func forEachRow(_ db: Database, _ statement: Statement, _ body: (RawReader) throws -> Void) throws {
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)),
                    sql: statement.sql)
            }
            try body(RawReader(handle: handle))
        }
    }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    /// The column as UTF-8 text (invalid bytes replaced; NUL bytes kept).
    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}

/// Writes the bulk rows of a run (payout lines with their traces, measures, traces no line
/// carries), part after part, through SQLite's C API: GRDB's generic arguments cost a few
/// microseconds a row, and a statement step per row was most of SQLite's time, so rows go 32 to
/// a statement.
private final class BulkWriter {
    let db: Database
    let id: Int64
    /// Traces written so far: a part's trace indexes are offset by it.
    var traceBase = 0
    let batch = 32
    let payoutColumns = """
        INSERT INTO payouts (run_id, rep, period, plan, component, ord, amount, currency, trace,
            rule, source, tier, rate, base, limit_applied, transaction_count, transactions, same_transactions_as) VALUES
        """
    let measureColumns = "INSERT INTO measures (run_id, rep, period, plan, measure, ord, value, digits) VALUES "
    let fullPayouts: Statement
    let fullMeasures: Statement
    let trace: Statement

    init(_ db: Database, run id: Int64) throws {
        self.db = db
        self.id = id
        fullPayouts = try db.makeStatement(sql: payoutColumns + Self.values(18, rows: batch))
        fullMeasures = try db.makeStatement(sql: measureColumns + Self.values(8, rows: batch))
        trace = try db.makeStatement(
            sql: """
                INSERT INTO traces (run_id, id, plan, component, rule, source, tier, rate, base, limit_applied,
                    transaction_count, transactions)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
    }

    static func values(_ columns: Int, rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        return Array(repeating: row, count: rows).joined(separator: ", ")
    }

    /// The rep-period (and plan) being written, and the transaction sets its lines stored so far.
    var groupRep = ""
    var groupPeriod = ""
    var groupPlan = ""
    var groupSets: [(order: Int, set: RowSet)] = []
    /// The text and blob values of the statement being filled.
    private var values = BoundBytes()

    /// Inserts `items`, `batch` rows to a statement; `bind` binds one item's values from its first
    /// column (integers to the statement, texts and blobs to `values`).
    private func insert<Item>(
        _ items: [Item], columns: Int, prefix: String, full: Statement, bind: (Item, Int32, RawRow) -> Void
    ) throws {
        var start = 0
        while start < items.count {
            let count = min(batch, items.count - start)
            let statement = count == batch ? full : try db.makeStatement(sql: prefix + Self.values(columns, rows: count))
            let raw = RawRow(statement.sqliteStatement)
            values.reset()
            for offset in 0..<count { bind(items[start + offset], Int32(offset * columns), raw) }
            try values.bound(to: raw) { try raw.step(db, statement) }
            start += count
        }
    }

    func write(_ part: RunOutput) throws {
        let base = traceBase
        traceBase += part.traces.count
        var onLines = [Bool](repeating: false, count: part.traces.count)
        try insert(part.payouts, columns: 18, prefix: payoutColumns, full: fullPayouts) { line, column, raw in
            if line.rep != groupRep || line.period != groupPeriod || line.plan != groupPlan {
                (groupRep, groupPeriod, groupPlan) = (line.rep, line.period, line.plan)
                groupSets.removeAll(keepingCapacity: true)
            }
            raw.bind(column + 1, id)
            values.text(column + 2, line.rep)
            values.text(column + 3, line.period)
            values.text(column + 4, line.plan)
            values.text(column + 5, line.component)
            raw.bind(column + 6, Int64(line.order))
            raw.bind(column + 7, line.amount.units)
            values.text(column + 8, line.currency.code)
            raw.bind(column + 9, line.trace.map { Int64($0 + base) })
            if let index = line.trace, index >= 0, index < part.traces.count {
                let record = part.traces[index]
                onLines[index] = true
                values.text(column + 10, record.rule)
                values.text(column + 11, record.source)
                values.text(column + 12, record.tier)
                values.text(column + 13, record.rate)
                values.text(column + 14, record.base)
                values.text(column + 15, record.limit)
                raw.bind(column + 16, Int64(record.transactions.count))
                if let earlier = groupSets.first(where: { $0.set == record.transactions }) {
                    raw.bind(column + 17, nil as Int64?)
                    raw.bind(column + 18, Int64(earlier.order))
                } else {
                    values.blob(column + 17, record.transactions.encoded)
                    raw.bind(column + 18, nil as Int64?)
                    groupSets.append((line.order, record.transactions))
                }
            } else {
                for index in (column + 10)...(column + 18) { raw.bind(index, nil as Int64?) }
            }
        }
        try insert(part.measures, columns: 8, prefix: measureColumns, full: fullMeasures) { value, column, raw in
            raw.bind(column + 1, id)
            values.text(column + 2, value.rep)
            values.text(column + 3, value.period)
            values.text(column + 4, value.plan)
            values.text(column + 5, value.measure)
            raw.bind(column + 6, Int64(value.order))
            raw.bind(column + 7, value.value.units)
            raw.bind(column + 8, Int64(value.digits))
        }
        // Traces no line carries keep their own rows.
        for (index, record) in part.traces.enumerated() where !onLines[index] {
            let raw = RawRow(trace.sqliteStatement)
            raw.bind(1, id)
            raw.bind(2, Int64(base + index))
            raw.bind(3, record.plan)
            raw.bind(4, record.component)
            raw.bind(5, record.rule)
            raw.bind(6, record.source)
            raw.bind(7, record.tier)
            raw.bind(8, record.rate)
            raw.bind(9, record.base)
            raw.bind(10, record.limit)
            raw.bind(11, Int64(record.transactions.count))
            raw.bind(12, blob: record.transactions.encoded)
            try raw.step(db, trace)
        }
    }
}
