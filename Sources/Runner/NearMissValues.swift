import CompDiagnostics
import Ledger
import PlanModel

extension Runner {
    /// Text values of the data that read as a value a plan compares the column with but are not
    /// it: `New`, `new ` or `n<U+200B>ew` where a plan matches `txn.kind` with `"new"`. Such rows
    /// take no arm naming `"new"` (a match's `else`, a filter's other side) without a word: a
    /// renewal written `Renewal` was credited 0%. One warning per column and value, with its row
    /// count and first line, at most `limit` of them (then a count of the rest).
    static func nearMissTextValues(plans: [Plan], data: LedgerData, limit: Int = 10) -> [String] {
        // The constants each text column is compared with, per scope, and a plan that does.
        var compared: [AttributeScope: [String: [String: String]]] = [:]  // scope → column → value → plan
        for plan in plans {
            func note(_ subject: Expr, _ values: [Value]) {
                guard case .attribute(let id) = subject.kind, id.index < plan.attributes.count else { return }
                let attribute = plan.attributes[id.index]
                guard attribute.type == .text else { return }
                for case .text(let text) in values where compared[attribute.scope, default: [:]][attribute.name, default: [:]][text] == nil {
                    compared[attribute.scope, default: [:]][attribute.name, default: [:]][text] = plan.id
                }
            }
            func literal(_ expr: Expr) -> Value? {
                if case .literal(let value) = expr.kind { return value }
                return nil
            }
            func walk(_ expr: Expr?, depth: Int = 0) {
                guard let expr, depth < 256 else { return }
                switch expr.kind {
                case .match(let subject, let arms, _): note(subject, arms.flatMap(\.patterns))
                case .compare(let op, let a, let b) where op == .equal || op == .notEqual:
                    if let value = literal(b) { note(a, [value]) }
                    if let value = literal(a) { note(b, [value]) }
                case .member(let subject, let list): note(subject, list.compactMap(literal))
                default: break
                }
                for child in expr.children { walk(child, depth: depth + 1) }
            }
            for rule in plan.creditRules { [rule.filter, rule.amount, rule.weight].forEach { walk($0) } }
            plan.derived.forEach { walk($0.expr) }
            for component in plan.components {
                switch component.body {
                case .formula(let expr): walk(expr)
                case .spiff(let spiff): walk(spiff.filter)
                case .override: break
                }
            }
            for table in plan.tables { table.tiers.forEach { walk($0.gate) } }
            plan.limits.forEach { walk($0.amount) }
        }
        guard !compared.isEmpty else { return [] }

        /// The value as it reads: no spaces at its ends, no invisible characters, in lower case.
        func reading(_ text: String) -> String {
            var scalars = String.UnicodeScalarView()
            scalars.append(contentsOf: text.unicodeScalars.filter { !TerminalText.isInvisible($0) })
            let visible = String(scalars)
            return String(visible.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed()).lowercased()
        }
        struct Finding {
            let file: String
            let column: String
            let value: String
            let meant: String
            let plan: String
            let scope: AttributeScope
            var rows: Int
            var firstLine: Int
        }
        var findings: [Finding] = []
        func nearMisses(_ scope: AttributeScope, _ column: String, _ values: [String]) -> [Int: (meant: String, plan: String)] {
            guard let constants = compared[scope]?[column] else { return [:] }
            var byReading: [String: (String, String)] = [:]
            for (text, plan) in constants.sorted(by: { $0.key < $1.key }) where byReading[reading(text)] == nil { byReading[reading(text)] = (text, plan) }
            var found: [Int: (meant: String, plan: String)] = [:]
            for (code, value) in values.enumerated() where constants[value] == nil && !value.isEmpty {
                if let meant = byReading[reading(value)] { found[code] = meant }
            }
            return found
        }
        // Transactions: the column's distinct values, then the rows of those that miss.
        for column in data.transactions.attributes {
            let misses = nearMisses(.transaction, column.name, column.values)
            guard !misses.isEmpty else { continue }
            var counts: [Int: (rows: Int, first: Int)] = [:]
            for row in 0..<data.transactions.count {
                let code = Int(column.code(at: row))
                guard misses[code] != nil else { continue }
                counts[code, default: (0, row)].rows += 1
            }
            for (code, count) in counts {
                guard let meant = misses[code] else { continue }
                findings.append(
                    Finding(
                        file: "transactions.csv", column: column.name, value: column.values[code], meant: meant.meant, plan: meant.plan,
                        scope: .transaction, rows: count.rows, firstLine: data.transactions.line(of: count.first)))
            }
        }
        // The roster's extra columns, row by row.
        for (index, column) in data.roster.attributeNames.enumerated() {
            var values: [String] = []
            var codes: [String: Int] = [:]
            for row in data.roster.rows where index < row.attributes.count && codes[row.attributes[index]] == nil {
                codes[row.attributes[index]] = values.count
                values.append(row.attributes[index])
            }
            let misses = nearMisses(.rep, column, values)
            guard !misses.isEmpty else { continue }
            var counts: [Int: (rows: Int, first: Int)] = [:]
            for row in data.roster.rows where index < row.attributes.count {
                guard let code = codes[row.attributes[index]], misses[code] != nil else { continue }
                counts[code, default: (0, row.line)].rows += 1
            }
            for (code, count) in counts {
                guard let meant = misses[code] else { continue }
                findings.append(
                    Finding(
                        file: "roster.csv", column: column, value: values[code], meant: meant.meant, plan: meant.plan, scope: .rep,
                        rows: count.rows, firstLine: count.first))
            }
        }
        /// The value with control and invisible characters written as escapes (`n\u{200B}ew`):
        /// shown as it prints, it would read as the value it is not.
        func shown(_ text: String) -> String {
            var out = ""
            for scalar in text.unicodeScalars {
                if TerminalText.isInvisible(scalar) && !TerminalText.isControl(scalar) {
                    out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
            return TerminalText.safe(out)
        }
        findings.sort { ($0.file, $0.firstLine, $0.column, $0.value) < ($1.file, $1.firstLine, $1.column, $1.value) }
        var warnings = findings.prefix(limit).map { found in
            let one = found.rows == 1
            return "\(found.file): \(found.rows) row\(one ? " has" : "s have") \(found.column) \"\(shown(found.value))\" (the first on line "
                + "\(found.firstLine)), which reads as \"\(shown(found.meant))\" but is not it (case, spaces or an invisible character): "
                + "plan \(found.plan) compares \(found.scope.rawValue).\(found.column) with \"\(shown(found.meant))\" exactly, so "
                + "\(one ? "this row does" : "these rows do") not count as it; correct the value"
        }
        if findings.count > limit { warnings.append("… and \(findings.count - limit) more values that read as one a plan compares with but are not it") }
        return warnings
    }
}
