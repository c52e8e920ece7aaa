import CompCore
import CompDiagnostics

/// A record of a small file with its fields as strings.
struct TextRecord {
    let line: Int
    let fields: [String]
    /// Per field: the bytes were valid UTF-8.
    let valid: [Bool]
}

/// Reads every record of a small file (roster, quotas, splits, fx) as strings; syntax problems and
/// field-count mismatches become errors and the record is skipped. Returns the records and the
/// number of data rows read (blank lines excluded).
func readTextRecords(
    _ file: MappedFile, header: CSVHeader, limits: CSVLimits, errors: inout [RowError], rejectedKeys: RejectedKeys? = nil
) -> (records: [TextRecord], rowsRead: Int) {
    guard let base = file.base else { return ([], 0) }
    var tokenizer = CSVTokenizer(base: base, end: file.count, position: header.bodyStart, line: header.bodyLine, limits: limits)
    var records: [TextRecord] = []
    var rowsRead = 0
    let fieldCountMessages = FieldCountMessages()
    while nextDataRecord(
        &tokenizer, header: header, limits: limits, errors: &errors, rowsRead: &rowsRead, rejectedKeys: rejectedKeys,
        fieldCountMessages: fieldCountMessages)
    {
        let line = tokenizer.recordLine
        var fields: [String] = []
        var valid: [Bool] = []
        fields.reserveCapacity(tokenizer.fieldCount)
        for index in 0..<tokenizer.fieldCount {
            let pointer = tokenizer.fieldPointer(index)
            let length = tokenizer.fieldLength(index)
            fields.append(String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self))
            valid.append(isValidUTF8(pointer, length))
        }
        records.append(TextRecord(line: line, fields: fields, valid: valid))
    }
    return (records, rowsRead)
}

/// The key column's values of rows rejected for their shape, where they can still be read: a
/// rep whose roster row is rejected is still known by id, whatever the row's error.
final class RejectedKeys {
    /// The key column's field index.
    let field: Int
    /// By the row's first line, the key as written.
    private(set) var entries: [(line: Int, key: String)] = []

    init(field: Int) { self.field = field }

    /// Keeps the key field of the tokenizer's record when it was read whole: before the field a
    /// quoting problem is in, or, for a row with the wrong number of fields, when it is the first
    /// (a comma too many or too few further on cannot have moved it).
    func keep(_ tokenizer: borrowing CSVTokenizer, problemField: Int?) {
        let readable = problemField.map { field < $0 } ?? (field == 0)
        guard readable, field < tokenizer.fieldCount else { return }
        let pointer = tokenizer.fieldPointer(field)
        let length = tokenizer.fieldLength(field)
        guard length > 0, isValidUTF8(pointer, length) else { return }
        entries.append((tokenizer.recordLine, String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)))
    }
}

/// Advances to the next well-formed data record of a small file. Blank lines are skipped; rows
/// with a syntax problem or the wrong number of fields are counted, reported and skipped (their
/// key kept in `rejectedKeys` when it can be read). Returns false at the end of the file.
func nextDataRecord(
    _ tokenizer: inout CSVTokenizer, header: CSVHeader, limits: CSVLimits, errors: inout [RowError], rowsRead: inout Int,
    rejectedKeys: RejectedKeys? = nil, fieldCountMessages: FieldCountMessages? = nil
) -> Bool {
    while true {
        let status = tokenizer.next()
        if status == .end { return false }
        let line = tokenizer.recordLine
        if case .problem(let problem) = status {
            rowsRead += 1
            errors.append(
                RowError(
                    line: line, field: problem.fieldNumber,
                    DataMessage.withLoneCarriageReturns(DataMessage.csvSyntax(problem.message(limits: limits)), tokenizer.loneCarriageReturns)))
            if let rejectedKeys {
                // Too many fields: none is known to be where it belongs.
                let field: Int
                if case .tooManyFields = problem { field = 0 } else { field = problem.fieldNumber - 1 }
                rejectedKeys.keep(tokenizer, problemField: field)
            }
            tokenizer.resumeAfterFirstLine()
            continue
        }
        if tokenizer.isBlankLine { continue }
        rowsRead += 1
        if tokenizer.fieldCount < header.names.count && tokenizer.fieldCount >= header.namedCount {
            tokenizer.padFields(to: header.names.count)
        }
        if tokenizer.fieldCount != header.names.count {
            errors.append(tokenizer.fieldCountError(line: line, names: header.names, namedCount: header.namedCount, memo: fieldCountMessages))
            rejectedKeys?.keep(tokenizer, problemField: nil)
            tokenizer.resumeAfterFirstLine()
            continue
        }
        // Every field empty (a spreadsheet's cleared row): one error, not one per required column.
        if tokenizer.isEmptyRecord {
            errors.append(RowError(line: line, field: 1, DataMessage.emptyRow()))
            continue
        }
        // The header again (files joined one after the other): one error, not one per field.
        if header.names[0].utf8.count <= tokenizer.fieldLength(0) && tokenizer.fieldLength(0) <= header.names[0].utf8.count + 3
            && tokenizer.repeatsHeader(header.names)
        {
            errors.append(RowError(line: line, field: 1, DataMessage.repeatedHeader()))
            continue
        }
        if UTF8Bytes.startsWithByteOrderMark(tokenizer.fieldPointer(0), count: tokenizer.fieldLength(0)) {
            errors.append(RowError(line: line, field: 1, DataMessage.byteOrderMarkInRow()))
            continue
        }
        // A quote left open that a later quote closed took the rows between for its text: valid
        // CSV, so a warning (as in transactions.csv), not a rejection.
        if tokenizer.spansLines, let field = tokenizer.firstFieldOverLines() {
            let lines = tokenizer.recordShapedLines(commas: header.names.count - 1)
            if lines > 0 {
                errors.append(RowError(line: line, field: field + 1, DataMessage.recordsInField(header.names[field], lines: lines), severity: .warning))
            }
        }
        return true
    }
}

/// Field access by column name for one record, collecting errors for the row.
struct RecordReader {
    let header: CSVHeader
    let record: TextRecord
    var errors: [RowError] = []

    init(header: CSVHeader, record: TextRecord) {
        self.header = header
        self.record = record
    }

    var line: Int { record.line }

    func fieldNumber(_ column: String) -> Int { (header.field(column) ?? 0) + 1 }

    /// The value of `column` as the file writes it, shortened for a message (`-0.000`, not the
    /// `0` it reads as).
    func written(_ column: String) -> String { header.field(column).map { shorten(record.fields[$0]) } ?? "" }

    /// The text of `column` (`nil` when the column is absent or the value empty and optional).
    mutating func text(_ column: String, required: Bool, maxBytes: Int? = nil) -> String? {
        guard let index = header.field(column) else { return nil }
        let value = record.fields[index]
        if !record.valid[index] {
            errors.append(RowError(line: line, field: index + 1, DataMessage.invalidUTF8(column)))
            return nil
        }
        if value.isEmpty {
            if required { errors.append(RowError(line: line, field: index + 1, DataMessage.missingValue(column))) }
            return nil
        }
        if let maxBytes, value.utf8.count > maxBytes {
            errors.append(RowError(line: line, field: index + 1, DataMessage.idTooLong(column, limit: maxBytes)))
            return nil
        }
        // Ids (the fields with a length limit) are printable: a NUL in one was cut short by SQLite
        // and could not be named on the command line.
        if maxBytes != nil, let scalar = TerminalText.firstUnprintable(value.utf8) {
            errors.append(RowError(line: line, field: index + 1, DataMessage.unprintable(column, scalar)))
            return nil
        }
        // And matched exactly: spaces around one make another id (a roster's plan "AE-STD " is
        // no plan of the run, and its rep was left unpaid).
        if maxBytes != nil, hasSpacesAround(value) {
            errors.append(RowError(line: line, field: index + 1, DataMessage.spacesAroundID(column, shorten(value))))
            return nil
        }
        return value
    }

    mutating func date(_ column: String, required: Bool) -> CivilDate? {
        guard let value = text(column, required: required) else { return nil }
        guard let date = CivilDate(parsing: value) else {
            error(column, DataMessage.badDate(column, shorten(value)))
            return nil
        }
        return date
    }

    mutating func decimal(_ column: String, required: Bool) -> FixedDecimal? {
        guard let value = text(column, required: required) else { return nil }
        do {
            return try FixedDecimal(parsing: value)
        } catch {
            self.error(column, DataMessage.badDecimal(column, shorten(value), error))
            return nil
        }
    }

    mutating func currency(_ column: String, required: Bool) -> Currency? {
        guard let value = text(column, required: required) else { return nil }
        guard let currency = Currency(code: value) else {
            error(column, DataMessage.badCurrency(shorten(value)))
            return nil
        }
        return currency
    }

    mutating func error(_ column: String, _ entry: (DiagnosticID, String), followOn: Bool = false) {
        errors.append(RowError(line: line, field: fieldNumber(column), entry, followOn: followOn))
    }
}

/// Shortens a value for a message.
func shorten(_ text: String, limit: Int = 60) -> String {
    text.count <= limit ? text : String(text.prefix(limit)) + "…"
}

// MARK: - roster.csv

struct RosterOutcome {
    let table: RosterTable
    let rowsRead: Int
    let rejected: Int
}

func loadRoster(
    _ file: MappedFile, header: CSVHeader, options: LedgerLoadOptions, errors: inout [RowError]
) -> RosterOutcome {
    let rejectedKeys = header.field("rep").map { RejectedKeys(field: $0) }
    let (records, rowsRead) = readTextRecords(file, header: header, limits: options.limits, errors: &errors, rejectedKeys: rejectedKeys)
    var lookup = ByteStringTable(expected: max(16, records.count))
    var repIDs: [String] = []
    var candidates: [(row: RosterRow, managerID: String?)] = []
    let attributeColumns = header.names.filter {
        !["rep", "name", "manager", "plan", "start", "end", "currency", "target_incentive"].contains($0)
    }
    let declared = options.declaredColumns.filter { $0.file == .roster }
    // Ids by their text (Swift compares strings by canonical equivalence): "José" written with a
    // composed é and with e plus an accent are two reps that print the same, and so are a K and a
    // Kelvin sign (which is why ASCII ids are kept too).
    var lookalikes: [String: Int] = [:]  // text → line of its first spelling
    // The first rep of each id in lower case (kept by the roster table, to name a rep not on the roster).
    var caseTwins = CaseFoldIndex(expected: max(16, records.count))
    var firstLines: [Int] = []  // by rep, the line that named it first
    func intern(_ id: String, line: Int) -> RepIndex {
        var bytes = Array(id.utf8)
        let code = bytes.withUnsafeMutableBufferPointer { buffer -> UInt32 in
            guard let base = buffer.baseAddress else { return 0 }
            return lookup.intern(UnsafePointer(base), buffer.count)
        }
        if Int(code) == repIDs.count {
            repIDs.append(id)
            // Said once per rep, at its first row: the id is written into every export line.
            if startsLikeFormula(id) {
                errors.append(RowError(line: line, field: header.field("rep").map { $0 + 1 } ?? 1, DataMessage.formulaLikeRep(id), severity: .warning))
            }
            let lookalike = lookalikes[id]
            if let firstLine = lookalike {
                errors.append(
                    RowError(
                        line: line, field: header.field("rep").map { $0 + 1 } ?? 1, DataMessage.lookalikeRep(id, firstLine: firstLine),
                        severity: .warning))
            } else {
                lookalikes[id] = line
            }
            // `r000030` beside `R000030`: two reps, most likely one written by two systems (said
            // once: not of one that reads the same as another, said just above).
            firstLines.append(line)
            if let twin = caseTwins.add(id, index: Int(code)), lookalike == nil {
                errors.append(
                    RowError(
                        line: line, field: header.field("rep").map { $0 + 1 } ?? 1,
                        DataMessage.caseTwinRep(id, twin: repIDs[twin], firstLine: firstLines[twin]), severity: .warning))
            }
        }
        return RepIndex(code)
    }
    // A rep whose row was rejected for its shape (a comma too many in its name, a stray quote) is
    // known by id too, when the id could be read (the same limits and characters as any id); in
    // file order with the others.
    let salvaged = rejectedKeys?.entries ?? []
    var nextSalvaged = 0
    // Reps with a row rejected for any reason (a transaction on a date only that row covered is
    // said to be excluded because of it).
    var rejectedReps = Set<RepIndex>()
    func internSalvaged(before line: Int) {
        while nextSalvaged < salvaged.count && salvaged[nextSalvaged].line < line {
            let (at, id) = salvaged[nextSalvaged]
            nextSalvaged += 1
            if id.utf8.count <= options.maxIDBytes && TerminalText.firstUnprintable(id.utf8) == nil { rejectedReps.insert(intern(id, line: at)) }
        }
    }
    for record in records {
        internSalvaged(before: record.line)
        var reader = RecordReader(header: header, record: record)
        let repID = reader.text("rep", required: true, maxBytes: options.maxIDBytes)
        // A rep with a valid id is known even when its row is rejected, so that its transactions
        // are not reported a second time as "not on the roster".
        let rep = repID.map { intern($0, line: record.line) }
        let name = reader.text("name", required: true)
        let managerID = reader.text("manager", required: false, maxBytes: options.maxIDBytes)
        // A plan id, printed in run summaries and stored with the run: an id's rules (a control
        // character in it had driven the terminal and forged lines of the summary).
        let plan = reader.text("plan", required: true, maxBytes: options.maxIDBytes)
        let start = reader.date("start", required: true)
        let end = reader.date("end", required: false)
        let currency = reader.currency("currency", required: false)
        let target = reader.decimal("target_incentive", required: false)
        if let start, let end, end < start { reader.error("end", DataMessage.endBeforeStart(start, end)) }
        if let target, target.isNegative { reader.error("target_incentive", DataMessage.negative("target_incentive", reader.written("target_incentive"))) }
        let attributes = attributeColumns.map { reader.text($0, required: false) ?? "" }
        // Columns a plan declares with a type: each value must be one.
        for (column, value) in zip(attributeColumns, attributes) {
            // A rep's value is read by the plan of its row only: another plan's declaration (a
            // required `rep.bounty` of one plan) had rejected the rows of every other plan's reps.
            for declaration in declared where declaration.name == column && declaration.checks(rowOf: plan) {
                if let problem = declaration.problem(with: value) {
                    reader.error(column, problem)
                    break
                }
            }
        }
        if reader.errors.isEmpty, let rep, let name, let plan, let start {
            candidates.append(
                (
                    RosterRow(
                        rep: rep, name: name, manager: nil, plan: plan, start: start, end: end, currency: currency,
                        targetIncentive: target, attributes: attributes, line: record.line), managerID
                ))
        } else {
            errors.append(contentsOf: reader.errors)
            if let rep { rejectedReps.insert(rep) }
        }
    }
    internSalvaged(before: Int.max)
    // Managers must be reps on the roster.
    var rows: [RosterRow] = []
    for (row, managerID) in candidates {
        var manager: RepIndex? = nil
        if let managerID {
            var bytes = Array(managerID.utf8)
            let code = bytes.withUnsafeMutableBufferPointer { buffer -> Int32 in
                guard let base = buffer.baseAddress else { return -1 }
                return lookup.find(UnsafePointer(base), buffer.count)
            }
            if code < 0 {
                errors.append(RowError(line: row.line, field: (header.field("manager") ?? 0) + 1, DataMessage.unknownManager(shorten(managerID))))
                rejectedReps.insert(row.rep)
                continue
            }
            manager = code
        }
        rows.append(
            RosterRow(
                rep: row.rep, name: row.name, manager: manager, plan: row.plan, start: row.start, end: row.end,
                currency: row.currency, targetIncentive: row.targetIncentive, attributes: row.attributes, line: row.line))
    }
    // Overlapping date ranges for one rep.
    var byRep = [[Int]](repeating: [], count: repIDs.count)
    for (index, row) in rows.enumerated() { byRep[Int(row.rep)].append(index) }
    var overlapping = Set<Int>()
    for rep in byRep.indices where byRep[rep].count > 1 {
        let ordered = byRep[rep].sorted { (rows[$0].start, rows[$0].line) < (rows[$1].start, rows[$1].line) }
        var kept = ordered[0]
        for index in ordered.dropFirst() {
            let earlier = rows[kept]
            let later = rows[index]
            if earlier.end.map({ later.start <= $0 }) ?? true {
                // The row that starts later is rejected; the one it collides with stays.
                errors.append(
                    RowError(
                        line: later.line, field: (header.field("start") ?? 0) + 1,
                        DataMessage.rosterOverlap(repIDs[rep], otherLine: earlier.line, rangeText(later), rangeText(earlier))))
                overlapping.insert(index)
            } else {
                kept = index
            }
        }
    }
    // Manager cycles: a rep who is, through the chain on some date, their own manager. Rows hold
    // from their start to their end, so A under B until June and B under A from July is no cycle
    // (joining every row regardless of dates had refused it). On a date each rep has one row (an
    // overlap is rejected above), and a cycle of rows that hold together holds on the latest of
    // their starts: the chains are followed on each start date.
    var managerRows = [[Int]](repeating: [], count: repIDs.count)
    for (index, row) in rows.enumerated() where !overlapping.contains(index) && row.manager != nil {
        managerRows[Int(row.rep)].append(index)
    }
    // Only reps on a cycle of the rows of all dates can be on one on a date: the others (no
    // manager, or no one under them, repeatedly) are set aside first.
    var outDegree = managerRows.map(\.count)
    var inDegree = [Int](repeating: 0, count: repIDs.count)
    var reportsTo = [[Int]](repeating: [], count: repIDs.count)
    for rep in managerRows.indices {
        for index in managerRows[rep] {
            if let manager = rows[index].manager {
                inDegree[Int(manager)] += 1
                reportsTo[Int(manager)].append(rep)
            }
        }
    }
    var candidate = [Bool](repeating: true, count: repIDs.count)
    var setAside = (0..<repIDs.count).filter { outDegree[$0] == 0 || inDegree[$0] == 0 }
    for rep in setAside { candidate[rep] = false }
    while let rep = setAside.popLast() {
        for index in managerRows[rep] {
            guard let manager = rows[index].manager.map(Int.init), candidate[manager] else { continue }
            inDegree[manager] -= 1
            if inDegree[manager] == 0 {
                candidate[manager] = false
                setAside.append(manager)
            }
        }
        for below in reportsTo[rep] where candidate[below] {
            outDegree[below] -= 1
            if outDegree[below] == 0 {
                candidate[below] = false
                setAside.append(below)
            }
        }
    }
    // A cycle of rows holds from the latest of their starts, and a row starting then closes it:
    // on each start date, the chains are followed from the reps whose rows start that day (the
    // latest row in the file first). On a date each rep has at most one manager, so a chain that
    // comes back on itself is a cycle, and one that ends, or reaches a rep already followed that
    // day, is none: each rep is followed once a day (a ring of 100,000 reps whose rows all start
    // on one day is one walk). Of a cycle's rows, the one starting that day (the file's latest
    // first) is rejected. Chains are followed for at most `budget` steps in all: a roster that
    // needs more (a hostile ring whose every row starts on another day) is refused as a whole.
    var cycleLines = Set<Int>()
    // Where this check's errors start: a roster refused as a whole takes back the cycles found
    // before the budget ran out (which ones those were depended on the order of the rows).
    let firstCycleError = errors.count
    var startingRows: [(date: CivilDate, line: Int, index: Int)] = []
    for rep in 0..<repIDs.count where candidate[rep] {
        for index in managerRows[rep] where rows[index].manager.map({ candidate[Int($0)] }) ?? false {
            startingRows.append((rows[index].start, rows[index].line, index))
        }
    }
    startingRows.sort { ($0.date, $1.line) < ($1.date, $0.line) }
    // A rep's rows with a manager, by start (they do not overlap): the one in force on a date is
    // found by a binary search (a scan of them all per step was quadratic for a rep of many rows).
    for rep in managerRows.indices where managerRows[rep].count > 1 { managerRows[rep].sort { rows[$0].start < rows[$1].start } }
    var rejectedRows = Set<Int>()
    // Per rep, the day it was last followed (its position in `startingRows`' days) and whether the
    // walk that followed it is still going (on the path) or done.
    var followedOn = [Int](repeating: -1, count: repIDs.count)
    var onPath = [Bool](repeating: false, count: repIDs.count)
    var day = -1
    var previousDate: CivilDate? = nil
    let budget = options.managerChainSteps
    var steps = 0
    walks: for starting in startingRows {
        let date = starting.date
        if date != previousDate {
            day += 1
            previousDate = date
        }
        /// The row of `rep` in force on `date` with a manager, if any.
        func edge(_ rep: Int) -> Int? {
            let candidates = managerRows[rep]
            var low = 0
            var high = candidates.count
            while low < high {
                let middle = (low + high) / 2
                if rows[candidates[middle]].start <= date { low = middle + 1 } else { high = middle }
            }
            guard low > 0 else { return nil }
            let index = candidates[low - 1]
            guard !rejectedRows.contains(index), rows[index].end.map({ date <= $0 }) ?? true else { return nil }
            return index
        }
        let origin = Int(rows[starting.index].rep)
        if followedOn[origin] == day || rejectedRows.contains(starting.index) { continue }
        var path: [(rep: Int, row: Int)] = []
        var current = origin
        while followedOn[current] != day, let index = edge(current), let manager = rows[index].manager.map(Int.init) {
            followedOn[current] = day
            onPath[current] = true
            path.append((current, index))
            current = manager
            steps += 1
            if steps > budget {
                for step in path { onPath[step.rep] = false }
                errors.removeSubrange(firstCycleError...)
                cycleLines.removeAll()
                errors.append(
                    RowError(line: max(1, header.bodyLine - 1), field: (header.field("manager") ?? 0) + 1, DataMessage.managerChainsTooLong(steps: budget)))
                break walks
            }
        }
        if followedOn[current] == day && onPath[current], let first = path.firstIndex(where: { $0.rep == current }) {
            let cycle = path[first...]
            // The cycle's row that starts this day (the file's latest of them) closes it.
            let closing = cycle.filter { rows[$0.row].start == date }.max { rows[$0.row].line < rows[$1.row].line } ?? cycle[cycle.endIndex - 1]
            let members = cycle.map(\.rep)
            // Said from the first rep of the cycle in roster order, the same whichever row closed it.
            let lowest = members.indices.min { members[$0] < members[$1] } ?? members.startIndex
            // A long cycle is said by its first 20 reps and its length (one of 100,000 long ids
            // had made a message of megabytes, and many of them gigabytes).
            let ordered = Array(members[lowest...] + members[..<lowest])
            var text = ordered.prefix(20).map { shorten(repIDs[$0]) }
            if ordered.count > 20 { text.append("… (\(ordered.count) reps in all)") }
            text.append(shorten(repIDs[members[lowest]]))
            rejectedRows.insert(closing.row)
            cycleLines.insert(rows[closing.row].line)
            errors.append(RowError(line: rows[closing.row].line, field: (header.field("manager") ?? 0) + 1, DataMessage.managerCycle(text)))
        }
        for step in path { onPath[step.rep] = false }
    }
    let accepted = rows.enumerated().filter { !overlapping.contains($0.offset) && !cycleLines.contains($0.element.line) }.map(\.element)
    for (index, row) in rows.enumerated() where overlapping.contains(index) || cycleLines.contains(row.line) { rejectedReps.insert(row.rep) }
    var rowsByRep = [[Int]](repeating: [], count: repIDs.count)
    for (index, row) in accepted.enumerated() { rowsByRep[Int(row.rep)].append(index) }
    for rep in rowsByRep.indices { rowsByRep[rep].sort { accepted[$0].start < accepted[$1].start } }
    let table = RosterTable(
        repIDs: repIDs, rows: accepted, attributeNames: attributeColumns, rowsByRep: rowsByRep, lookup: lookup, caseFolds: caseTwins,
        repsWithRejectedRows: rejectedReps)
    return RosterOutcome(table: table, rowsRead: rowsRead, rejected: rowsRead - accepted.count)
}

private func rangeText(_ row: RosterRow) -> String {
    "\(row.start)…\(row.end.map(\.description) ?? "open")"
}

// MARK: - quotas.csv

func loadQuotas(
    _ file: MappedFile, header: CSVHeader, roster: RosterTable, options: LedgerLoadOptions, errors: inout [RowError]
) -> (table: QuotaTable, rowsRead: Int, rejected: Int) {
    // Byte-level, like the transaction scan: a quota file has a row per rep and period, which is
    // over a million rows for 100,000 payees.
    guard let base = file.base else { return (QuotaTable(), 0, 0) }
    let repField = header.field("rep") ?? 0
    let periodField = header.field("period") ?? 0
    let amountField = header.field("amount") ?? 0
    let measureField = header.field("measure") ?? -1
    let calendar = options.fiscalCalendar
    var tokenizer = CSVTokenizer(base: base, end: file.count, position: header.bodyStart, line: header.bodyLine, limits: options.limits)
    var rows: [QuotaRow] = []
    // The shortest row ("R1,2027,1") is 10 bytes; most are over 20.
    rows.reserveCapacity(file.count / 24)
    var index = QuotaRowIndex(expectedRows: file.count / 20)
    var measures = ByteStringTable(expected: 8)
    var measureNames: [String] = []
    // Per interned name, its measure code; per name (as a String), its code.
    var codeOfInterned: [Int32] = []
    var measureCodes: [String: Int32] = [:]
    var rejectedLines: [QuotaTable.QuotaKey: Int] = [:]
    var rowsRead = 0
    let fieldCountMessages = FieldCountMessages()
    while nextDataRecord(&tokenizer, header: header, limits: options.limits, errors: &errors, rowsRead: &rowsRead, fieldCountMessages: fieldCountMessages) {
        let line = tokenizer.recordLine
        var rowErrors: [RowError] = []
        // rep
        var rep: RepIndex = -1
        let repLength = tokenizer.fieldLength(repField)
        if repLength == 0 {
            rowErrors.append(RowError(line: line, field: repField + 1, DataMessage.missingValue("rep")))
        } else {
            rep = roster.lookup.find(tokenizer.fieldPointer(repField), repLength)
            if rep < 0 {
                // A control or invisible character, or bytes that are not UTF-8: the ids' rule, as
                // in every other file's rep column (it had been "not on the roster").
                let message = DataMessage.malformedID("rep", UnsafeBufferPointer(start: tokenizer.fieldPointer(repField), count: repLength))
                    ?? DataMessage.unknownRep(tokenizer.fieldText(repField), length: repLength, maxBytes: options.maxIDBytes, lookalikes: roster.lookalikes)
                rowErrors.append(RowError(line: line, field: repField + 1, message))
            }
        }
        // period
        var period: Period? = nil
        let periodLength = tokenizer.fieldLength(periodField)
        if periodLength == 0 {
            rowErrors.append(RowError(line: line, field: periodField + 1, DataMessage.missingValue("period")))
        } else {
            period = parsePeriod(tokenizer.fieldPointer(periodField), periodLength, calendar: calendar)
            if period == nil {
                rowErrors.append(
                    RowError(line: line, field: periodField + 1, DataMessage.badPeriod(tokenizer.fieldText(periodField), monthOnly: false)))
            }
        }
        // amount
        var amount: Int64 = 0
        let amountLength = tokenizer.fieldLength(amountField)
        if amountLength == 0 {
            rowErrors.append(RowError(line: line, field: amountField + 1, DataMessage.missingValue("amount")))
        } else if let units = parsePlainAmount(tokenizer.fieldPointer(amountField), amountLength) {
            amount = units
        } else {
            switch parseFixedDecimal(tokenizer.fieldPointer(amountField), amountLength) {
            case .success(let units): amount = units
            case .failure(let error):
                rowErrors.append(
                    RowError(line: line, field: amountField + 1, DataMessage.badDecimal("amount", tokenizer.fieldText(amountField), error)))
            }
        }
        if amount < 0 {
            rowErrors.append(
                RowError(line: line, field: amountField + 1, DataMessage.negative("amount", FixedDecimal(units: amount).description)))
        }
        // measure (optional)
        var measure: String? = nil
        var measureCode = QuotaRowIndex.primary
        if measureField >= 0 && tokenizer.fieldLength(measureField) > 0 {
            let pointer = tokenizer.fieldPointer(measureField)
            let length = tokenizer.fieldLength(measureField)
            if !isValidUTF8(pointer, length) {
                rowErrors.append(RowError(line: line, field: measureField + 1, DataMessage.invalidUTF8("measure")))
            } else {
                let code = Int(measures.intern(pointer, length))
                if code == measureNames.count {
                    // Names are compared as Strings, as the engine compares them: `é` written as
                    // one character or as `e` and an accent is one measure (one code), not two.
                    let name = measures.string(code)
                    measureNames.append(name)
                    let same = measureCodes[name] ?? Int32(measureCodes.count)
                    measureCodes[name] = same
                    codeOfInterned.append(same)
                }
                measure = measureNames[code]
                measureCode = codeOfInterned[code]
            }
        }
        let key = period.flatMap { QuotaRowIndex.Key(rep: rep, period: $0, measure: measureCode) }
        // (Read as `YYYY`, `YYYY-Qn` or `YYYY-MM`, a period always has a key: this only keeps a
        // row from being dropped without a word if that changed.)
        if rowErrors.isEmpty, period != nil, key == nil {
            rowErrors.append(RowError(line: line, field: periodField + 1, DataMessage.badPeriod(tokenizer.fieldText(periodField), monthOnly: false)))
        }
        if rowErrors.isEmpty, let period, let key {
            // One lookup a row: a duplicate is not added.
            if let first = index.insert(key) {
                rowErrors.append(
                    RowError(
                        line: line, field: periodField + 1,
                        DataMessage.duplicateQuota(roster.repIDs[Int(rep)], period.description, measure, firstLine: rows[first].line)))
            } else {
                rows.append(QuotaRow(rep: rep, period: period, amount: FixedDecimal(units: amount), measure: measure, line: line))
                // Accepted (a plan may only compare with it), but a plan dividing by it stops the run.
                if amount == 0 {
                    errors.append(RowError(line: line, field: amountField + 1, DataMessage.zeroQuota(), severity: .warning))
                }
                continue
            }
        }
        // A rejected row still names its rep and period: a quota found missing there is its.
        if rep >= 0, let period, !rowErrors.isEmpty {
            let named = QuotaTable.QuotaKey(rep: rep, period: period, measure: measure)
            if rejectedLines[named] == nil && key.flatMap({ index.find($0) }) == nil { rejectedLines[named] = line }
        }
        errors.append(contentsOf: rowErrors)
    }
    var table = QuotaTable(rows: rows, index: index, measureCodes: measureCodes)
    table.rejectedLines = rejectedLines
    return (table, rowsRead, rowsRead - rows.count)
}

/// Parses `YYYY`, `YYYY-Qn` or `YYYY-MM` from bytes in `calendar`.
func parsePeriod(_ start: UnsafePointer<UInt8>, _ count: Int, calendar: FiscalCalendar) -> Period? {
    func digit(_ index: Int) -> Int? {
        let value = start[index] &- 48
        return value < 10 ? Int(value) : nil
    }
    guard count == 4 || count == 7, let y0 = digit(0), let y1 = digit(1), let y2 = digit(2), let y3 = digit(3) else { return nil }
    let year = y0 * 1000 + y1 * 100 + y2 * 10 + y3
    guard year >= 1 else { return nil }
    if count == 4 { return Period(kind: .year, containingMonth: calendar.yearStart(ofLabelYear: year), calendar: calendar) }
    guard start[4] == UInt8(ascii: "-") else { return nil }
    if start[5] == UInt8(ascii: "Q") {
        guard let quarter = digit(6), (1...4).contains(quarter) else { return nil }
        return Period(kind: .quarter, containingMonth: calendar.yearStart(ofLabelYear: year) + (quarter - 1) * 3, calendar: calendar)
    }
    guard let m0 = digit(5), let m1 = digit(6) else { return nil }
    let month = m0 * 10 + m1
    guard (1...12).contains(month) else { return nil }
    return Period(kind: .month, containingMonth: year * 12 + month - 1, calendar: calendar)
}

// MARK: - fx.csv

func loadFX(
    _ file: MappedFile, header: CSVHeader, options: LedgerLoadOptions, errors: inout [RowError]
) -> (table: FXTable, rowsRead: Int, rejected: Int) {
    let errorsBefore = errors.count
    let (records, rowsRead) = readTextRecords(file, header: header, limits: options.limits, errors: &errors)
    // The first rejected row whose currency and month cannot be told (a row of the wrong shape,
    // a rate written "1,08", a currency written "e u r"): a transaction without a rate may lack it
    // because of that row, which is then the one to correct. A repeated header holds no rate.
    let repeatedHeader = DataMessage.repeatedHeader().1
    var unkeyedLine = errors[errorsBefore...].lazy.filter { $0.severity == .error && $0.message != repeatedHeader }.map(\.line).min()
    var rates: [FXRate] = []
    var index: [FXTable.FXKey: Int] = [:]
    var rejectedLines: [FXTable.FXKey: Int] = [:]
    // Rejected rows of which only the currency, or only the month, could be read.
    var byCurrency: [String: Int] = [:]
    var byMonth: [Int: Int] = [:]
    /// The value of `column` trimmed of spaces (`" EUR"`), for a rejected row's currency and month.
    func trimmed(_ reader: RecordReader, _ column: String) -> String? {
        guard let field = reader.header.field(column), field < reader.record.fields.count else { return nil }
        let text = reader.record.fields[field]
        return String(text.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
    for record in records {
        var reader = RecordReader(header: header, record: record)
        let currency = reader.currency("currency", required: true)
        var month: Period? = nil
        if let text = reader.text("period", required: true) {
            month = Period(parsing: text)
            if month?.kind != .month {
                month = nil
                reader.error("period", DataMessage.badPeriod(shorten(text), monthOnly: true))
            }
        }
        let rate = reader.decimal("rate", required: true)
        if let rate, rate.units <= 0 { reader.error("rate", DataMessage.nonPositive("rate", reader.written("rate"))) }
        // The base currency converts at 1: a rate for it is either redundant or a mistake.
        if let currency, currency == options.baseCurrency, let rate, rate.units > 0 {
            if rate == .one {
                errors.append(RowError(line: record.line, field: reader.fieldNumber("currency"), DataMessage.baseCurrencyRate(currency.code), severity: .warning))
            } else {
                reader.error("rate", DataMessage.baseCurrencyRate(currency.code, rate: rate.description))
            }
        }
        if reader.errors.isEmpty, let currency, let month, let rate {
            let key = FXTable.FXKey(currency: currency.code, month: month.firstMonth)
            if let first = index[key] {
                reader.error("period", DataMessage.duplicateFX(currency.code, month.description, firstLine: rates[first].line))
            } else {
                index[key] = rates.count
                rates.append(FXRate(currency: currency, month: month, rate: rate, line: record.line))
                continue
            }
        }
        errors.append(contentsOf: reader.errors)
        // The row's currency and month, also when written loosely (`eur`, ` 2027-01`): it is the
        // row to correct for that currency's transactions.
        let keyCurrency = currency ?? trimmed(reader, "currency").flatMap { Currency(code: $0.uppercased()) }
        let keyMonth = month ?? trimmed(reader, "period").flatMap { Period(parsing: $0) }.flatMap { $0.kind == .month ? $0 : nil }
        switch (keyCurrency, keyMonth) {
        case (let currency?, let month?):
            let key = FXTable.FXKey(currency: currency.code, month: month.firstMonth)
            if rejectedLines[key] == nil { rejectedLines[key] = record.line }
        case (let currency?, nil):
            if byCurrency[currency.code] == nil { byCurrency[currency.code] = record.line }
        case (nil, let month?):
            if byMonth[month.firstMonth] == nil { byMonth[month.firstMonth] = record.line }
        case (nil, nil):
            unkeyedLine = min(unkeyedLine ?? record.line, record.line)
        }
    }
    var table = FXTable(base: options.baseCurrency, rates: rates, index: index)
    table.rejectedLines = rejectedLines.filter { index[$0.key] == nil }
    table.rejectedByCurrency = byCurrency
    table.rejectedByMonth = byMonth
    table.unkeyedRejectedLine = unkeyedLine
    return (table, rowsRead, rowsRead - rates.count)
}

// MARK: - splits.csv

///   - rejectedTransactions: the ids of transactions.csv's rejected rows: a split row naming one
///     follows from that row's error, and is listed after the causes.
func loadSplits(
    _ file: MappedFile, header: CSVHeader, roster: RosterTable, transactions: TransactionIDIndex,
    options: LedgerLoadOptions, rejectedTransactions: RejectedIDs = RejectedIDs(), errors: inout [RowError]
) -> (table: SplitTable, rowsRead: Int, rejected: Int) {
    let (records, rowsRead) = readTextRecords(file, header: header, limits: options.limits, errors: &errors)
    var candidates: [SplitRow] = []
    var seen: [[Int32]: Int] = [:]
    var texts: [Int32: String] = [:]
    var refused = Set<Int32>()
    var refusedLines: [Int32: Int] = [:]
    for record in records {
        var reader = RecordReader(header: header, record: record)
        let txnID = reader.text("txn", required: true, maxBytes: options.maxIDBytes)
        var txn: Int32 = -1
        if let txnID {
            txn = transactions.find(txnID)
            if txn < 0 {
                reader.error("txn", DataMessage.unknownTransaction(shorten(txnID)), followOn: rejectedTransactions.mayHold(txnID))
            }
        }
        let repID = reader.text("rep", required: true, maxBytes: options.maxIDBytes)
        let rep = repID.flatMap { roster.index(of: $0) }
        if let repID, rep == nil { reader.error("rep", DataMessage.unknownRep(shorten(repID), length: repID.utf8.count, maxBytes: options.maxIDBytes, lookalikes: roster.lookalikes)) }
        let share = reader.decimal("share", required: true)
        if let share, share.units <= 0 || share > .one { reader.error("share", DataMessage.shareOutOfRange(share.description)) }
        if reader.errors.isEmpty, let rep, let share, let txnID, txn >= 0 {
            if let first = seen[[txn, rep]] {
                reader.error("rep", DataMessage.duplicateSplit(txnID, roster.repIDs[Int(rep)], firstLine: candidates[first].line))
            } else {
                seen[[txn, rep]] = candidates.count
                texts[txn] = txnID
                candidates.append(SplitRow(transaction: txn, rep: rep, share: share, line: record.line))
                continue
            }
        }
        errors.append(contentsOf: reader.errors)
        if txn >= 0 {
            refused.insert(txn)
            if refusedLines[txn] == nil { refusedLines[txn] = record.line }
        }
    }
    // Shares of one transaction must add up to exactly 1 (or more, with overlay credit).
    var byTransaction: [Int32: [Int]] = [:]
    for (index, row) in candidates.enumerated() { byTransaction[row.transaction, default: []].append(index) }
    var bad = Set<Int32>()
    var overlaid: [Int32: FixedDecimal] = [:]
    for (txn, indexes) in byTransaction {
        // A transaction with a rejected split row is credited to no one by `to splits`: its other
        // rows are not used, and say why (what they add up to says nothing).
        if let line = refusedLines[txn] {
            bad.insert(txn)
            for index in indexes {
                errors.append(
                    RowError(
                        line: candidates[index].line, field: (header.field("txn") ?? 0) + 1,
                        DataMessage.splitWithRejectedRow(texts[txn] ?? "?", line: line), followOn: true))
            }
            continue
        }
        var total = FixedDecimal.zero
        for index in indexes { total = (try? total.adding(candidates[index].share)) ?? total }
        let ok = options.allowOverlaySplits ? total >= .one : total == .one
        if ok && total != .one { overlaid[txn] = total }
        if !ok {
            bad.insert(txn)
            // Every row of the transaction is rejected, each with the reason.
            for index in indexes {
                errors.append(
                    RowError(
                        line: candidates[index].line, field: (header.field("share") ?? 0) + 1,
                        DataMessage.splitShares(texts[txn] ?? "?", total)))
            }
        }
    }
    let rows = candidates.filter { !bad.contains($0.transaction) }
    var finalIndex: [Int32: [Int]] = [:]
    for (index, row) in rows.enumerated() { finalIndex[row.transaction, default: []].append(index) }
    // Transactions named only in rejected rows are refused: crediting their own rep instead (as
    // for a transaction splits.csv does not name) would pay someone the file never named.
    refused.formUnion(bad)
    refused.subtract(finalIndex.keys)
    return (SplitTable(rows: rows, byTransaction: finalIndex, refused: refused, overlaid: overlaid), rowsRead, rowsRead - rows.count)
}
