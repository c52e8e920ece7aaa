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
        /// What one plan compares a text column with, and whether it reads it on other plans' reps'
        /// rows (per transaction, crediting managers or split partners).
        struct Compared {
            var constants: Set<String> = []
            var perTransaction = false
        }
        var comparedByPlan: [[AttributeScope: [String: Compared]]] = []
        for plan in plans {
            var compared: [AttributeScope: [String: Compared]] = [:]
            func note(_ subject: Expr, _ values: [Value], perTransaction: Bool) {
                guard case .attribute(let id) = subject.kind, id.index < plan.attributes.count else { return }
                let attribute = plan.attributes[id.index]
                guard attribute.type == .text else { return }
                for case .text(let text) in values { compared[attribute.scope, default: [:]][attribute.name, default: Compared()].constants.insert(text) }
                if perTransaction { compared[attribute.scope, default: [:]][attribute.name, default: Compared()].perTransaction = true }
            }
            /// A constant the plan compares with: a literal, or a parameter's value in force.
            func constant(_ expr: Expr) -> Value? {
                switch expr.kind {
                case .literal(let value): return value
                case .parameter(let id) where id.index < plan.parameters.count: return plan.parameters[id.index].value
                default: return nil
                }
            }
            func walk(_ expr: Expr, perTransaction: Bool, depth: Int = 0) {
                guard depth < 256 else { return }
                switch expr.kind {
                case .match(let subject, let arms, _): note(subject, arms.flatMap(\.patterns), perTransaction: perTransaction)
                case .compare(let op, let a, let b) where op == .equal || op == .notEqual:
                    if let value = constant(b) { note(a, [value], perTransaction: perTransaction) }
                    if let value = constant(a) { note(b, [value], perTransaction: perTransaction) }
                case .member(let subject, let list): note(subject, list.compactMap(constant), perTransaction: perTransaction)
                default: break
                }
                for child in expr.children { walk(child, perTransaction: perTransaction, depth: depth + 1) }
            }
            // Read per transaction, a rep column is read on other plans' reps' rows only where the
            // plan credits others than the transaction's rep (managers, split partners).
            let readsOthers = plan.creditsManagers || plan.creditsSplitPartners
            for (expr, perTransaction) in plan.allExpressions { walk(expr, perTransaction: perTransaction && readsOthers) }
            comparedByPlan.append(compared)
        }
        guard comparedByPlan.contains(where: { !$0.isEmpty }) else { return [] }

        /// Characters a value shows as nothing, or that a terminal does not show as themselves:
        /// invisible ones (U+200B), and controls (an escape, a bidirectional override U+202E).
        func unseen(_ scalar: Unicode.Scalar) -> Bool { TerminalText.isInvisible(scalar) || TerminalText.isControl(scalar) }
        /// The value as it reads: no spaces at its ends, no invisible or control characters, in
        /// lower case. Scalar by scalar: trimming and lowering whole characters had cost 8 µs a
        /// value.
        func reading(_ text: String) -> String {
            let visible = text.unicodeScalars.filter { !unseen($0) }
            guard let first = visible.firstIndex(where: { !$0.properties.isWhitespace }),
                let last = visible.lastIndex(where: { !$0.properties.isWhitespace })
            else { return "" }
            var lowered = String.UnicodeScalarView()
            for scalar in visible[first...last] {
                if scalar.value < 0x80 {
                    lowered.append(scalar.value >= 0x41 && scalar.value <= 0x5A ? Unicode.Scalar(UInt8(scalar.value) | 0x20) : scalar)
                } else {
                    lowered.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
                }
            }
            return String(lowered)
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
        /// Per plan that compares the column: the values (by index) that read as one of its
        /// constants but are none of them, with the constant.
        func nearMisses(_ compared: Compared, _ values: [String]) -> [Int: String] {
            var byReading: [String: String] = [:]
            for text in compared.constants.sorted() where byReading[reading(text)] == nil { byReading[reading(text)] = text }
            // Most values are ASCII with no space at either end: such a value reads as itself in
            // lower case, so only the readings of its length are compared with it, byte by byte
            // (a `String` made for each of a million distinct products had cost 8 s).
            var asciiReadings: [Int: [(bytes: [UInt8], meant: String)]] = [:]
            for (text, meant) in byReading.sorted(by: { $0.key < $1.key }) { asciiReadings[text.utf8.count, default: []].append((Array(text.utf8), meant)) }
            enum Quick { case miss, match(String), unknown }
            /// The reading of a value of printable ASCII with no space at either end, compared
            /// with the readings of its length; `unknown` for any other value.
            func quick(_ value: String) -> Quick {
                value.utf8.withContiguousStorageIfAvailable { bytes -> Quick in
                    // No reading of its length: whatever the value holds, `mayRead` stops early.
                    guard let candidates = asciiReadings[bytes.count], let first = bytes.first, let last = bytes.last, first != 0x20,
                        last != 0x20, bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F })
                    else { return .unknown }
                    for candidate in candidates
                    where zip(bytes, candidate.bytes).allSatisfy({ (($0 >= 0x41 && $0 <= 0x5A) ? $0 | 0x20 : $0) == $1 }) {
                        return .match(candidate.meant)
                    }
                    return .miss
                } ?? .unknown
            }
            // Any other value is read whole only when its visible scalars, spaces at its ends left
            // out, are as many as a reading's (a million distinct names in another script had each
            // been read whole).
            // (and whose first such scalar, in lower case, starts one).
            let readingLengths = Set(byReading.keys.map(\.unicodeScalars.count))
            let longestReading = readingLengths.max() ?? 0
            let readingStarts = Set(byReading.keys.compactMap(\.unicodeScalars.first))
            func mayRead(_ value: String) -> Bool {
                var count = 0
                var trailing = 0
                for scalar in value.unicodeScalars where !unseen(scalar) {
                    if scalar.properties.isWhitespace {
                        if count > 0 { trailing += 1 }
                        continue
                    }
                    if count == 0, let lower = scalar.properties.lowercaseMapping.unicodeScalars.first, !readingStarts.contains(lower) { return false }
                    count += trailing + 1
                    trailing = 0
                    // Longer than every reading already (a 10 KB value is not read to its end).
                    if count > longestReading { return false }
                }
                return readingLengths.contains(count)
            }
            var found: [Int: String] = [:]
            for (code, value) in values.enumerated() where !value.isEmpty && !compared.constants.contains(value) {
                switch quick(value) {
                case .match(let meant): found[code] = meant
                case .miss: continue
                case .unknown:
                    guard mayRead(value) else { continue }
                    if let meant = byReading[reading(value)] { found[code] = meant }
                }
            }
            return found
        }
        // Transactions: the column's distinct values, then the rows of those that miss (each
        // value said for the first plan it misses).
        for column in data.transactions.attributes {
            var misses: [Int: (meant: String, plan: String)] = [:]
            for (plan, compared) in zip(plans, comparedByPlan) {
                guard let readings = compared[.transaction]?[column.name] else { continue }
                for (code, meant) in nearMisses(readings, column.values) where misses[code] == nil { misses[code] = (meant, plan.id) }
            }
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
        // The roster's extra columns: for each plan comparing one, the rows it reads (its own
        // reps', or every rep's when it reads the column per transaction).
        for (index, column) in data.roster.attributeNames.enumerated() {
            var said: Set<String> = []
            for (plan, compared) in zip(plans, comparedByPlan) {
                guard let readings = compared[.rep]?[column] else { continue }
                let rows = data.roster.rows.filter { index < $0.attributes.count && (readings.perTransaction || $0.plan == plan.id) }
                var values: [String] = []
                var codes: [String: Int] = [:]
                for row in rows where codes[row.attributes[index]] == nil {
                    codes[row.attributes[index]] = values.count
                    values.append(row.attributes[index])
                }
                let misses = nearMisses(readings, values)
                guard !misses.isEmpty else { continue }
                var counts: [Int: (rows: Int, first: Int)] = [:]
                for row in rows {
                    guard let code = codes[row.attributes[index]], misses[code] != nil else { continue }
                    counts[code, default: (0, row.line)].rows += 1
                }
                for (code, count) in counts where said.insert(values[code]).inserted {
                    guard let meant = misses[code] else { continue }
                    findings.append(
                        Finding(
                            file: "roster.csv", column: column, value: values[code], meant: meant, plan: plan.id, scope: .rep,
                            rows: count.rows, firstLine: count.first))
                }
            }
        }
        /// The value with control and invisible characters written as escapes (`n\u{200B}ew`):
        /// shown as it prints, it would read as the value it is not.
        func shown(_ text: String) -> String { TerminalText.showingInvisibles(text) }
        findings.sort { ($0.file, $0.firstLine, $0.column, $0.value) < ($1.file, $1.firstLine, $1.column, $1.value) }
        var warnings = findings.prefix(limit).map { found in
            let one = found.rows == 1
            return "\(found.file): \(found.rows) row\(one ? " has" : "s have") \(found.column) \"\(shown(found.value))\" (the first on line "
                + "\(found.firstLine)), which reads as \"\(shown(found.meant))\" but is not it (case, spaces, or an invisible or control character): "
                + "plan \(found.plan) compares \(found.scope.rawValue).\(found.column) with \"\(shown(found.meant))\" exactly, so "
                + "\(one ? "this row does" : "these rows do") not count as it; correct the value"
        }
        if findings.count > limit { warnings.append("… and \(findings.count - limit) more values that read as one a plan compares with but are not it") }
        return warnings
    }
}
