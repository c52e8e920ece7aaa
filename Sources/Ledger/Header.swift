import CompCore
import CompDiagnostics

/// A row-level problem found while loading: where and what.
struct RowError: Sendable {
    let line: Int
    let field: Int
    let id: DiagnosticID
    let message: String
    let severity: Severity
    /// True for an error another row's error causes (a split row of a transaction with a rejected
    /// split row, a transaction whose fx row was rejected): listed after the causes, so that a
    /// million of them do not push the one row to correct out of the listing.
    let followOn: Bool

    init(line: Int, field: Int, _ entry: (DiagnosticID, String), severity: Severity = .error, followOn: Bool = false) {
        self.line = line
        self.field = field
        self.id = entry.0
        self.message = Self.printable(entry.1)
        self.severity = severity
        self.followOn = followOn
    }

    /// `text` with control characters written as escapes (`\u{0}`, `\t`, `\u{1B}`, `\u{202E}`): a
    /// value quoted in a message can hold them, and a NUL cut the message short on the terminal and
    /// in SQLite (``TerminalText``).
    static func printable(_ text: String) -> String { TerminalText.safe(text) }

    private init(line: Int, field: Int, id: DiagnosticID, message: String, severity: Severity, followOn: Bool) {
        self.line = line
        self.field = field
        self.id = id
        self.message = message
        self.severity = severity
        self.followOn = followOn
    }

    /// The same problem on another line (its message, already printable, is shared).
    func at(line: Int) -> RowError {
        RowError(line: line, field: field, id: id, message: message, severity: severity, followOn: followOn)
    }

    func diagnostic(file: String) -> Diagnostic {
        Diagnostic(severity, id: id, message: message, location: SourceLocation(file: file, line: line, column: field))
    }
}

/// A parsed header: column names and where the data starts.
struct CSVHeader {
    let names: [String]
    /// Offset of the first data byte.
    let bodyStart: Int
    /// Line of the first data byte.
    let bodyLine: Int

    /// Field index of `name`.
    func field(_ name: String) -> Int? { names.firstIndex(of: name) }

    /// The columns up to the last with a name: rows may leave out the unnamed ones after it.
    var namedCount: Int { Self.namedCount(of: names) }

    /// The columns of `names` up to the last with a name.
    static func namedCount(of names: [String]) -> Int { (names.lastIndex { !$0.isEmpty } ?? -1) + 1 }
}

/// Reads and checks the header of `file`. Returns `nil` (with errors added) when the file cannot
/// be read as CSV at all.
func readHeader(
    _ file: MappedFile, display: String, required: [String], optional: [String] = [], limits: CSVLimits, errors: inout [RowError]
) -> CSVHeader? {
    guard let base = file.base, file.count > 0 else {
        errors.append(RowError(line: 1, field: 1, DataMessage.emptyFile()))
        return nil
    }
    if let byteOrder = UTF8Bytes.utf16ByteOrder(base, count: file.count) {
        errors.append(RowError(line: 1, field: 1, DataMessage.utf16(byteOrder)))
        return nil
    }
    // A workbook named .csv (a quote inside an unquoted field had been said of its zip bytes).
    if let workbook = workbookKind(UnsafeBufferPointer(start: base, count: min(file.count, 8))) {
        errors.append(RowError(line: 1, field: 1, DataMessage.workbook(workbook)))
        return nil
    }
    var start = 0
    if UTF8Bytes.startsWithByteOrderMark(base, count: file.count) { start = 3 }
    // Lines ended by CR alone (old Mac files) read as one endless line: say so, rather than
    // "more than 1024 fields" or a field too long.
    let head = UnsafeBufferPointer(start: base + start, count: min(file.count - start, 1 << 16))
    if let firstBreak = head.firstIndex(where: { $0 == 0x0A || $0 == 0x0D }), head[firstBreak] == 0x0D,
        firstBreak + 1 >= head.count || head[firstBreak + 1] != 0x0A,
        !head[..<firstBreak].contains(UInt8(ascii: "\""))  // a CR inside a quoted name is the tokenizer's to judge
    {
        errors.append(RowError(line: 1, field: 1, DataMessage.notCSV("lines end with a carriage return alone; save the file with LF or CRLF line ends")))
        return nil
    }
    var tokenizer = CSVTokenizer(base: base, end: file.count, position: start, line: 1, limits: limits)
    // Blank lines are skipped, before the header too: the header is the first line with text (a
    // blank first line had been read as a header naming no column, and the file refused).
    var status = tokenizer.next()
    while status == .record && tokenizer.isBlankLine { status = tokenizer.next() }
    switch status {
    case .end:
        errors.append(RowError(line: 1, field: 1, DataMessage.emptyFile()))
        return nil
    case .problem(let problem):
        // `"id";"date";…`: every name quoted, and another separator between them.
        if let separator = quotedSeparator(UnsafeBufferPointer(start: base + start, count: min(file.count - start, 1 << 16))) {
            errors.append(
                RowError(line: tokenizer.recordLine, field: 1, DataMessage.notCommaSeparated(separator.shown, kind: separator.kind, quoted: true)))
            return nil
        }
        // Valid CSV, only wider than read here: said as such (it had been "not CSV").
        if case .tooManyFields = problem {
            errors.append(RowError(line: tokenizer.recordLine, field: 1, DataMessage.tooManyColumns(limits.maxFields)))
            return nil
        }
        errors.append(RowError(line: tokenizer.recordLine, field: problem.fieldNumber, DataMessage.notCSV(problem.message(limits: limits))))
        return nil
    case .record:
        break
    }
    let headerLine = tokenizer.recordLine
    var names: [String] = []
    let errorsBefore = errors.count
    var firstField: [String: Int] = [:]
    var ok = true
    for index in 0..<tokenizer.fieldCount {
        let pointer = tokenizer.fieldPointer(index)
        let length = tokenizer.fieldLength(index)
        let bytes = UnsafeBufferPointer(start: pointer, count: length)
        let valid = isValidUTF8(pointer, length)
        if !valid || bytes.contains(where: { $0 < 0x20 && $0 != 0x09 }) {
            // A quoted name holding a line break is valid CSV, but no plan could name the column:
            // said as what it is (it had been called binary data).
            // (A line feed: only quotes hold one in a field; a lone carriage return may be a
            // file's own line end, which is said elsewhere.)
            let lineBreak = valid && bytes.contains(0x0A)
                && !bytes.contains(where: { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D })
            let message: (DiagnosticID, String)
            if lineBreak {
                message = DataMessage.nameOverLines(index + 1)
            } else if !valid && !bytes.contains(where: { $0 < 0x20 && $0 != 0x09 }) {
                // Text in another encoding (an é of Latin-1 or Windows-1252), not binary data.
                message = DataMessage.invalidUTF8("column name \(index + 1)")
            } else {
                message = DataMessage.notCSV("field \(index + 1) holds a control character or bytes that are not UTF-8 (binary data?)")
            }
            errors.append(RowError(line: headerLine, field: index + 1, message))
            return nil
        }
        let name = String(decoding: bytes, as: UTF8.self).trimmingSpaces()
        if name.isEmpty {
            // A trailing comma in the header (some exports write one): valid CSV, a column no plan
            // can name, so its values are not read. Said, not refused (the whole file had been).
            errors.append(
                RowError(
                    line: headerLine, field: index + 1,
                    ("data.emptyColumnName", "column \(index + 1) has no name in the header, so its values are not read; name it, or remove it"),
                    severity: .warning))
        } else if let first = firstField[name] {
            errors.append(RowError(line: headerLine, field: index + 1, DataMessage.duplicateColumn(name, firstField: first)))
            ok = false
        } else {
            firstField[name] = index + 1
        }
        names.append(name)
    }
    // One field holding another separator: the file is not comma-separated.
    let separator: (shown: String, kind: String)? = names.count == 1
        ? [(";", "';'", "semicolon"), ("\t", "a tab", "tab"), ("|", "'|'", "pipe")].first { names[0].contains($0.0) }.map { ($0.1, $0.2) } : nil
    if let separator, required.contains(where: { firstField[$0] == nil }) {
        errors.append(RowError(line: headerLine, field: 1, DataMessage.notCommaSeparated(separator.shown, kind: separator.kind)))
        return nil
    }
    // Lines above the header (Excel's `sep=,` line, a report's title): said once, with the line
    // the header is on, rather than every required column missing.
    let missing = required.filter { firstField[$0] == nil }
    let sepLine = names.first?.lowercased().hasPrefix("sep=") == true
    if !missing.isEmpty, missing.count == required.count || sepLine,
        let below = headerLineBelow(
            UnsafeBufferPointer(start: base + start, count: min(file.count - start, 1 << 16)), after: headerLine, required: required)
    {
        // What was said of this line's names is moot.
        errors.removeSubrange(errorsBefore...)
        errors.append(
            RowError(
                line: headerLine, field: 1,
                DataMessage.headerBelow(line: below, after: headerLine, sepLine: sepLine)))
        return nil
    }
    for column in missing {
        var hint: String? = nil
        // At the field that is most likely the column, misnamed; else at the header's start.
        var field = 1
        if let found = names.first(where: { visibleName($0).lowercased() == column }) {
            field = firstField[found] ?? 1
            let visible = visibleName(found)
            let marks = Array(found.unicodeScalars.filter { $0 == "\u{FEFF}" || String.isInvisible($0) })
            let lowerCase = visible == column ? "" : ", and write the name in lower case"
            if marks.isEmpty {
                hint = "field \((firstField[found] ?? 0)) is \"\(found)\"; names are matched exactly, in lower case"
            } else if marks.allSatisfy({ $0 == "\u{FEFF}" }) {
                hint = "field \((firstField[found] ?? 0)) is \"\(visible)\" with a byte order mark (U+FEFF) inside; save the file as UTF-8 without it"
                    + lowerCase
            } else {
                hint = "field \((firstField[found] ?? 0)) is \"\(visible)\" with \(invisibleNames(marks)) inside; remove it" + lowerCase
            }
        }
        errors.append(RowError(line: headerLine, field: field, DataMessage.missingColumn(column, hint: hint)))
        ok = false
    }
    if !ok { return nil }
    // An optional column named in another case (`Kind`, `Reverses`) is an extra column of that
    // name, and the column itself empty on every row: valid, but it silently changes the pay (a
    // reversal no longer reverses, a filter on `kind` takes nothing). Said, not refused.
    // So is one with an invisible character inside (`ki` U+200D `nd`).
    for column in optional where firstField[column] == nil {
        if let found = names.first(where: { $0.lowercased() == column }) {
            errors.append(RowError(line: headerLine, field: firstField[found] ?? 1, DataMessage.columnNameCase(found, column), severity: .warning))
        } else if let found = names.first(where: { visibleName($0).lowercased() == column }) {
            let marks = Array(found.unicodeScalars.filter { $0 == "\u{FEFF}" || String.isInvisible($0) })
            errors.append(
                RowError(
                    line: headerLine, field: firstField[found] ?? 1,
                    DataMessage.columnNameInvisible(visibleName(found), column, invisibleNames(marks)), severity: .warning))
        }
    }
    return CSVHeader(names: names, bodyStart: tokenizer.position, bodyLine: tokenizer.line)
}

/// What a spreadsheet file named .csv is, by its first bytes: a zip archive (an .xlsx or .ods
/// workbook) or an OLE compound file (an .xls workbook); `nil` for anything else.
func workbookKind(_ head: UnsafeBufferPointer<UInt8>) -> String? {
    if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return "a zip archive, as an Excel workbook (.xlsx) or an OpenDocument sheet (.ods) is" }
    if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) { return "an Excel 97-2003 workbook (.xls)" }
    return nil
}

/// The separator of a first line whose names are all quoted and separated by another character
/// than a comma (`"id";"date"`), which the tokenizer refuses as text after a closing quote.
func quotedSeparator(_ head: UnsafeBufferPointer<UInt8>) -> (shown: String, kind: String)? {
    let line = head.prefix { $0 != 0x0A && $0 != 0x0D }
    guard line.first == UInt8(ascii: "\""), !contains(line, [0x22, 0x2C, 0x22]) else { return nil }
    for (byte, shown, kind) in [(UInt8(ascii: ";"), "';'", "semicolon"), (0x09, "a tab", "tab"), (UInt8(ascii: "|"), "'|'", "pipe")]
    where contains(line, [0x22, byte, 0x22]) {
        return (shown, kind)
    }
    return nil
}

/// Whether `bytes` holds `pattern` somewhere.
private func contains(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, _ pattern: [UInt8]) -> Bool {
    guard bytes.count >= pattern.count else { return false }
    var index = bytes.startIndex
    while index + pattern.count <= bytes.endIndex {
        if bytes[index..<(index + pattern.count)].elementsEqual(pattern) { return true }
        index += 1
    }
    return false
}

/// The line (1-based, counting from `head`'s start) of the first of the 20 lines after line
/// `after` that names every `required` column, read simply (split at commas, quotes and spaces
/// taken off, any case): the header, under a title or Excel's `sep=,` line. `nil` if none does.
func headerLineBelow(_ head: UnsafeBufferPointer<UInt8>, after: Int, required: [String]) -> Int? {
    var lineStart = head.startIndex
    var line = 1
    while lineStart < head.endIndex && line <= after + 20 {
        let end = head[lineStart...].firstIndex(of: 0x0A) ?? head.endIndex
        if line > after {
            let names = Set(
                head[lineStart..<end].split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false).map { field in
                    String(decoding: field, as: UTF8.self).filter { $0 != "\"" && $0 != "\r" }.trimmingSpaces().lowercased()
                })
            if required.allSatisfy(names.contains) { return line }
        }
        lineStart = end + 1
        line += 1
    }
    return nil
}

/// `name` without its byte order marks and invisible characters (``String/isInvisible(_:)``).
func visibleName(_ name: String) -> String {
    String(String.UnicodeScalarView(name.unicodeScalars.filter { $0 != "\u{FEFF}" && !String.isInvisible($0) }))
}

/// The invisible characters `marks` named, each kind once: `a zero-width joiner (U+200D)`.
func invisibleNames(_ marks: [Unicode.Scalar]) -> String {
    var seen: [Unicode.Scalar] = []
    for mark in marks where !seen.contains(mark) { seen.append(mark) }
    let named = seen.map { mark -> String in
        let name: String
        switch mark.value {
        case 0xFEFF: name = "a byte order mark"
        case 0x200B: name = "a zero-width space"
        case 0x200C: name = "a zero-width non-joiner"
        case 0x200D: name = "a zero-width joiner"
        case 0x2060: name = "a word joiner"
        case 0x2061...0x2064: name = "an invisible operator"
        case 0x00AD: name = "a soft hyphen"
        default: name = "an invisible character"
        }
        return "\(name) (\(codePoint(mark.value)))"
    }
    return named.count == 1 ? named[0] : named.dropLast().joined(separator: ", ") + " and " + (named.last ?? "")
}

/// Whether the field `bytes` names the header column `name` again (spaces around it and case
/// ignored): a row of such fields repeats the header, as files joined with `cat` leave it.
func isHeaderName(_ bytes: UnsafeBufferPointer<UInt8>, _ name: String) -> Bool {
    // ASCII on both sides (most): a byte at a time, blanks around and case aside (the first field
    // of every quota row of a rep with a short id is asked: decoding it had cost 0.3 µs a row).
    if bytes.allSatisfy({ $0 < 0x80 }) && name.utf8.allSatisfy({ $0 < 0x80 }) {
        var start = bytes.startIndex
        var end = bytes.endIndex
        while start < end && (bytes[start] == 0x20 || bytes[start] == 0x09) { start += 1 }
        while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09) { end -= 1 }
        guard end - start == name.utf8.count else { return false }
        @inline(__always) func lower(_ byte: UInt8) -> UInt8 { byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte }
        return zip(bytes[start..<end], name.utf8).allSatisfy { lower($0) == lower($1) }
    }
    return String(decoding: bytes, as: UTF8.self).trimmingSpaces().lowercased() == name.lowercased()
}

extension CSVTokenizer {
    /// Whether the current record repeats `names`, the header, field by field (spaces around a
    /// field, case, and a byte order mark before the first aside): files joined one after the
    /// other leave such a row. Out of line: the scan's loop calls it on its error path only.
    @inline(never)
    func repeatsHeader(_ names: [String]) -> Bool {
        guard fieldCount == names.count else { return false }
        for field in 0..<fieldCount {
            let skip = field == 0 && UTF8Bytes.startsWithByteOrderMark(fieldPointer(0), count: fieldLength(0)) ? 3 : 0
            let bytes = UnsafeBufferPointer(start: fieldPointer(field) + skip, count: max(0, fieldLength(field) - skip))
            if !isHeaderName(bytes, names[field]) { return false }
        }
        return true
    }
}

extension String {
    /// The text without the spaces around it: blanks and tabs, and the other Unicode spaces and
    /// the zero-width characters a spreadsheet cell can end with (a no-break space, U+00A0; a
    /// zero-width space, U+200B). A header naming `kind` and a no-break space had been another
    /// column, and `kind` empty on every row, without a word.
    func trimmingSpaces() -> String {
        var scalars = Substring(self).unicodeScalars
        while let first = scalars.first, Self.isSpaceAround(first) { scalars.removeFirst() }
        while let last = scalars.last, Self.isSpaceAround(last) { scalars.removeLast() }
        return String(scalars)
    }

    /// A space, or a character that shows as nothing, that ``trimmingSpaces()`` takes off.
    static func isSpaceAround(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace || isInvisible(scalar)
    }

    /// A character that shows as nothing (``TerminalText/isInvisible(_:)``) but the byte order
    /// mark (U+FEFF), which is said on its own.
    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        scalar != "\u{FEFF}" && TerminalText.isInvisible(scalar)
    }
}

