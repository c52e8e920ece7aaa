import CompCore
import Foundation
import GRDB
import RunResults

/// Moves the runs stored by schemas v1–v4 (a row per payout line and per measure) into
/// statements (schema v5), exactly: every line keeps its amount, order, currency, trace number
/// and the trace stored on it; a trace kept in the traces table stays there.
enum StatementMigration {
    /// A statement of a run, equal and hashed by bytes (see ``sameBytes(_:_:)``).
    private struct Key: Hashable {
        let run: Int64
        let rep: String
        let period: String
        let plan: String

        init(run: Int64, rep: String, period: String, plan: String) {
            self.run = run
            self.rep = rep
            self.period = period
            self.plan = plan
        }

        /// The key of a row of the old payouts or measures table.
        init(_ row: Row) throws {
            self.init(
                run: try row.decode(forColumn: "run_id"), rep: try row.decode(forColumn: "rep"),
                period: try row.decode(forColumn: "period"), plan: try row.decode(forColumn: "plan"))
        }

        static func == (a: Key, b: Key) -> Bool {
            a.run == b.run && sameBytes(a.rep, b.rep) && sameBytes(a.period, b.period) && sameBytes(a.plan, b.plan)
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(run)
            hashBytes(rep, into: &hasher)
            hashBytes(period, into: &hasher)
            hashBytes(plan, into: &hasher)
        }
    }

    static func run(_ db: Database) throws {
        // Measures by statement, in order.
        var measures: [Key: [MeasureValue]] = [:]
        var measureKeys: [Key] = []
        for row in try Row.fetchAll(
            db, sql: "SELECT run_id, rep, period, plan, measure, ord, value, digits FROM measures ORDER BY run_id, rep, period, plan, ord")
        {
            let key = try Key(row)
            if measures[key] == nil { measureKeys.append(key) }
            measures[key, default: []].append(
                MeasureValue(
                    rep: key.rep, period: key.period, plan: key.plan, measure: try row.decode(forColumn: "measure"),
                    order: try row.decode(forColumn: "ord"), value: FixedDecimal(units: try row.decode(forColumn: "value")),
                    digits: try row.decode(forColumn: "digits")))
        }
        let insertStatement = try db.makeStatement(
            sql: """
                INSERT INTO statements (run_id, rep, period, plan, trace_first, trace_last, lines, measures, transactions)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        let insertRule = try db.makeStatement(sql: "INSERT INTO trace_rules (run_id, id, rule, source) VALUES (?, ?, ?, ?)")
        // By bytes: a rule text and its source, with a separator no UTF-8 text contains.
        var rules: [Int64: [[UInt8]: Int64]] = [:]
        func ruleID(run: Int64, rule: String, source: String) throws -> Int64 {
            let name = Array(rule.utf8) + [0xFF] + Array(source.utf8)
            if let id = rules[run]?[name] { return id }
            let id = Int64(rules[run]?.count ?? 0)
            rules[run, default: [:]][name] = id
            try insertRule.execute(arguments: [run, id, rule, source])
            return id
        }
        func store(_ key: Key, lines: [StoredLine], blob: [UInt8]) throws {
            var json = JSONWriter()
            json.array(lines) { json, line in line.write(to: &json) }
            let linesText = String(decoding: json.bytes, as: UTF8.self)
            json = JSONWriter()
            json.array(measures.removeValue(forKey: key) ?? []) { json, value in writeMeasure(value, to: &json) }
            let carried = lines.filter { $0.rule != nil }.compactMap(\.trace)
            try insertStatement.execute(arguments: [
                key.run, key.rep, key.period, key.plan, carried.min(), carried.max(), linesText, String(decoding: json.bytes, as: UTF8.self),
                Data(blob),
            ])
        }

        // Lines, a statement at a time.
        let cursor = try Row.fetchCursor(
            db,
            sql: """
                SELECT run_id, rep, period, plan, component, ord, amount, currency, trace, rule, source, tier, rate, base,
                    limit_applied, transaction_count, transactions, same_transactions_as
                FROM payouts ORDER BY run_id, rep, period, plan, ord
                """)
        var current: Key? = nil
        var lines: [StoredLine] = []
        var sets = TransactionSets()
        var byOrder: [Int64: RowSet] = [:]
        var pendingShared: [(line: Int, order: Int64)] = []
        func flush() throws {
            guard let key = current else { return }
            // A line that shared an earlier line's set (v4) gets that set.
            for (index, order) in pendingShared {
                if let set = byOrder[order] { lines[index].span = sets.span(of: set) }
            }
            try store(key, lines: lines, blob: sets.blob)
            lines.removeAll()
            sets.reset()
            byOrder.removeAll()
            pendingShared.removeAll()
        }
        while let row = try cursor.next() {
            let key = try Key(row)
            if key != current {
                try flush()
                current = key
            }
            let order: Int64 = try row.decode(forColumn: "ord")
            var line = StoredLine(
                component: try row.decode(forColumn: "component"), order: order, amount: try row.decode(forColumn: "amount"),
                currency: try row.decode(forColumn: "currency"), trace: try row.decode(forColumn: "trace"))
            if let rule: String = try row.decode(forColumn: "rule") {
                line.rule = try ruleID(run: key.run, rule: rule, source: (try row.decode(forColumn: "source")) ?? "")
                line.tier = try row.decode(forColumn: "tier")
                line.rate = try row.decode(forColumn: "rate")
                line.base = try row.decode(forColumn: "base")
                line.limit = try row.decode(forColumn: "limit_applied")
                line.count = try row.decode(forColumn: "transaction_count")
                if let blob: Data = try row.decode(forColumn: "transactions") {
                    let set = RowSet(encoded: [UInt8](blob)) ?? RowSet(rows: [])
                    byOrder[order] = set
                    line.span = sets.span(of: set)
                } else if let shared: Int64 = try row.decode(forColumn: "same_transactions_as") {
                    pendingShared.append((lines.count, shared))
                }
            }
            lines.append(line)
        }
        try flush()
        // Statements with measures and no lines.
        for key in measureKeys where measures[key] != nil { try store(key, lines: [], blob: []) }
    }
}
