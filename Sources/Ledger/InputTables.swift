import CompCore
import CompDiagnostics

/// Values of a plan's input table (`input mbo_score from "mbo.csv" column "score": rate`): one
/// decimal per rep and period, read from a CSV with columns `rep`, `period` and the named column.
public struct InputTableValues: Sendable {
    struct Key: Hashable {
        let rep: RepIndex
        let firstMonth: Int
        let months: Int
    }

    /// The file read.
    public let file: String
    let values: [Key: FixedDecimal]
    /// The line of each value.
    let lines: [Key: Int]
    /// The field of the rep column (1-based), for messages about a row.
    public let repField: Int
    /// The file as it was opened (`nil` when it could not be): a run's fingerprint of it must be
    /// of this very file.
    public let stamp: FileStamp?

    init(file: String, values: [Key: FixedDecimal], lines: [Key: Int] = [:], repField: Int = 1, stamp: FileStamp? = nil) {
        self.file = file
        self.values = values
        self.lines = lines
        self.repField = repField
        self.stamp = stamp
    }

    /// Every value's rep, period (by its first month and length) and line, in line order.
    public var rows: [(rep: RepIndex, firstMonth: Int, months: Int, line: Int)] {
        lines.map { (rep: $0.key.rep, firstMonth: $0.key.firstMonth, months: $0.key.months, line: $0.value) }.sorted { $0.line < $1.line }
    }

    /// The value for `rep` in exactly `period`, if the file has one.
    public func value(rep: RepIndex, period: Period) -> FixedDecimal? {
        values[Key(rep: rep, firstMonth: period.firstMonth, months: period.kind.months)]
    }

    /// The line of the value for `rep` in exactly `period`, if the file has one.
    public func line(rep: RepIndex, period: Period) -> Int? {
        lines[Key(rep: rep, firstMonth: period.firstMonth, months: period.kind.months)]
    }

    /// Number of values.
    public var count: Int { values.count }

    /// The periods the file gives `rep` a value for that are not as long as `period` (a month's
    /// score for a quarterly plan), in order: a value not found for the plan's period may be
    /// there, written for the wrong length.
    public func otherLengths(rep: RepIndex, than period: Period) -> [Period] {
        values.keys.filter { $0.rep == rep && $0.months != period.kind.months }
            .compactMap { key -> Period? in
                PeriodKind.allCases.first { $0.months == key.months }.map { Period(kind: $0, containingMonth: key.firstMonth, calendar: period.calendar) }
            }
            .sorted { ($0.firstMonth, $0.kind.months) < ($1.firstMonth, $1.kind.months) }
    }
}

/// Reads input tables with the same rules and messages as the other data files.
public enum InputTableReader {
    /// Reads `path`, taking the value from `column`; every problem is a diagnostic. With
    /// `readers` (each plan reading this column, with its period length), a row for a period no
    /// reader pays by is a warning: no plan reads it. With `count` (a plan reading the column as
    /// a count, and its declaration), a value must be a whole number.
    public static func load(
        path: String, column: String, roster: RosterTable, options: LedgerLoadOptions = LedgerLoadOptions(),
        readers: [(plan: String, period: PeriodKind)] = [], count: (plan: String, declaration: String)? = nil,
        declaredBy: String? = nil
    ) -> (table: InputTableValues, diagnostics: [Diagnostic]) {
        var errors: [RowError] = []
        var values: [InputTableValues.Key: FixedDecimal] = [:]
        var lines: [InputTableValues.Key: Int] = [:]
        var repColumn = 1
        var opened: MappedFile? = nil
        func finish() -> (InputTableValues, [Diagnostic]) {
            // Read, but not as the file is now: what was read is refused.
            if let problem = opened?.readProblem { errors.append(RowError(line: 0, field: 0, DataMessage.changedWhileRead(problem))) }
            let sorted = errors.sorted { ($0.line, $0.field) < ($1.line, $1.field) }
            return (
                InputTableValues(file: path, values: values, lines: lines, repField: repColumn, stamp: opened?.stamp),
                sorted.map { $0.diagnostic(file: path) }
            )
        }
        let file: MappedFile
        do {
            file = try MappedFile(path: path)
        } catch {
            // Said with who reads it and what it must hold: the plan's declaration is the only
            // place the file is named.
            let reader = declaredBy.map { "; \($0) reads it" } ?? ""
            errors.append(
                RowError(
                    line: 0, field: 0,
                    DataMessage.fileMissing(
                        "cannot read the input table: \(error.reason)\(reader): give a CSV file with the columns rep, period and \(column)")))
            return finish()
        }
        opened = file
        guard let header = readHeader(file, display: path, required: ["rep", "period", column], limits: options.limits, errors: &errors),
            let base = file.base
        else { return finish() }
        let repField = header.field("rep") ?? 0
        repColumn = repField + 1
        let periodField = header.field("period") ?? 0
        let valueField = header.field(column) ?? 0
        var tokenizer = CSVTokenizer(base: base, end: file.count, position: header.bodyStart, line: header.bodyLine, limits: options.limits)
        var rowsRead = 0
        let fieldCountMessages = FieldCountMessages()
        while nextDataRecord(&tokenizer, header: header, limits: options.limits, errors: &errors, rowsRead: &rowsRead, fieldCountMessages: fieldCountMessages) {
            let line = tokenizer.recordLine
            let rep = roster.lookup.find(tokenizer.fieldPointer(repField), tokenizer.fieldLength(repField))
            // An empty field is said to be empty, as in every other file (an empty score had been
            // `score "" is not a plain decimal`).
            if tokenizer.fieldLength(repField) == 0 {
                errors.append(RowError(line: line, field: repField + 1, DataMessage.missingValue("rep")))
            } else if rep < 0 {
                let bytes = UnsafeBufferPointer(start: tokenizer.fieldPointer(repField), count: tokenizer.fieldLength(repField))
                errors.append(
                    RowError(
                        line: line, field: repField + 1,
                        DataMessage.malformedID("rep", bytes)
                            ?? DataMessage.unknownRep(tokenizer.fieldText(repField), length: tokenizer.fieldLength(repField), maxBytes: options.maxIDBytes, lookalikes: roster.lookalikes)))
            }
            let period = parsePeriod(tokenizer.fieldPointer(periodField), tokenizer.fieldLength(periodField), calendar: options.fiscalCalendar)
            if tokenizer.fieldLength(periodField) == 0 {
                errors.append(RowError(line: line, field: periodField + 1, DataMessage.missingValue("period")))
            } else if period == nil {
                errors.append(
                    RowError(line: line, field: periodField + 1, DataMessage.badPeriod(tokenizer.fieldText(periodField), monthOnly: false)))
            }
            var value: FixedDecimal? = nil
            switch parseFixedDecimal(tokenizer.fieldPointer(valueField), tokenizer.fieldLength(valueField)) {
            case .failure(.empty):
                errors.append(RowError(line: line, field: valueField + 1, DataMessage.missingValue(column)))
            case .success(let units):
                // A count is written as a whole number, as quantities and the roster's counts are.
                if let count, parseInt32(tokenizer.fieldPointer(valueField), tokenizer.fieldLength(valueField)) == nil {
                    errors.append(
                        RowError(
                            line: line, field: valueField + 1,
                            DataMessage.notWholeNumber(column, tokenizer.fieldText(valueField), by: "plan \(count.plan)", count.declaration)))
                } else {
                    value = FixedDecimal(units: units)
                }
            case .failure(let error):
                errors.append(
                    RowError(line: line, field: valueField + 1, DataMessage.badDecimal(column, tokenizer.fieldText(valueField), error)))
            }
            guard rep >= 0, let period, let value else { continue }
            let key = InputTableValues.Key(rep: rep, firstMonth: period.firstMonth, months: period.kind.months)
            if let first = lines[key] {
                errors.append(
                    RowError(
                        line: line, field: periodField + 1,
                        ("data.duplicateInput", "second \(column) for rep \"\(roster.repIDs[Int(rep)])\" in \(period) (first on line \(first))")))
                continue
            }
            values[key] = value
            lines[key] = line
            if let reader = readers.first, !readers.contains(where: { $0.period == period.kind }) {
                let periods = reader.period
                let first = Period(kind: periods, containingMonth: period.firstMonth, calendar: period.calendar)
                let last = Period(kind: periods, containingMonth: period.endMonth - 1, calendar: period.calendar)
                let instead = period.kind < periods
                    ? "write the \(periods.rawValue) it is in (\(first))"
                    : "write a row for each \(periods.rawValue) in it (\(first) … \(last))"
                let who = readers.count == 1
                    ? "plan \(reader.plan) pays by \(periods.rawValue)"
                    : "plans " + readers.map { "\($0.plan) (by \($0.period.rawValue))" }.joined(separator: ", ") + " read it"
                errors.append(
                    RowError(
                        line: line, field: periodField + 1,
                        ("data.inputPeriod", "period \(period) is a \(period.kind.rawValue); \(who), so this row is never read: " + instead),
                        severity: .warning))
            }
        }
        return finish()
    }
}
