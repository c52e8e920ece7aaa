import CompCShims

/// Limits that keep a hostile file from exhausting memory or time.
public struct CSVLimits: Sendable, Hashable {
    /// Most fields a record may have.
    public var maxFields: Int
    /// Longest field, in bytes.
    public var maxFieldBytes: Int

    /// Limits.
    public init(maxFields: Int = 1024, maxFieldBytes: Int = 1 << 20) {
        self.maxFields = maxFields
        self.maxFieldBytes = maxFieldBytes
    }
}

/// The outcome of reading one record.
enum CSVRecordStatus: Equatable {
    case end
    case record
    case problem(CSVRecordProblem)
}

/// What went wrong tokenizing a record.
enum CSVRecordProblem: Equatable {
    /// A quote inside an unquoted field (`ab"c`), at the field index.
    case strayQuote(field: Int)
    /// Text after a closing quote (`"ab"c`).
    case textAfterQuote(field: Int)
    /// End of file inside a quoted field.
    case unterminatedQuote(field: Int)
    /// More fields than `maxFields`.
    case tooManyFields
    /// A field longer than `maxFieldBytes`.
    case fieldTooLong(field: Int)
    /// A quoted field that runs on over line ends past `maxFieldBytes`: its closing quote is
    /// most likely missing.
    case quoteRunsOn(field: Int)
}

/// A byte-level RFC 4180 tokenizer: quoted fields, `""` escapes, CRLF or LF, newlines inside
/// quotes. It hands out one record at a time as pointers to field bytes (into the file, or into a
/// scratch buffer for quoted fields that needed unescaping).
///
/// Not Sendable: each worker owns its own.
struct CSVTokenizer: ~Copyable {
    private(set) var base: UnsafePointer<UInt8>
    /// End of the readable bytes, the end of the input (a quoted field may run past the chunk end
    /// up to here).
    private(set) var end: Int
    let limits: CSVLimits
    /// Offset of the next unread byte.
    var position: Int
    /// Physical 1-based line of `position`.
    var line: Int

    /// Per field: start offset, length, whether it lives in `scratch`.
    private(set) var fieldStarts: UnsafeMutablePointer<Int>
    private(set) var fieldCounts: UnsafeMutablePointer<Int>
    private var fieldInScratch: UnsafeMutablePointer<Bool>
    /// False when no field of the current record lives in scratch (then `fieldInScratch` is stale).
    private var anyInScratch = false
    private(set) var fieldCount = 0
    private var scratch: UnsafeMutablePointer<UInt8>
    private var scratchCapacity: Int
    private var scratchUsed = 0
    /// Start line of the last record.
    private(set) var recordLine = 0
    /// Start offset of the last record.
    private(set) var recordStart = 0

    init(base: UnsafePointer<UInt8>, end: Int, position: Int, line: Int, limits: CSVLimits) {
        self.base = base
        self.end = end
        self.position = position
        self.line = line
        self.limits = limits
        let capacity = limits.maxFields + 1
        fieldStarts = .allocate(capacity: capacity)
        fieldCounts = .allocate(capacity: capacity)
        fieldInScratch = .allocate(capacity: capacity)
        scratchCapacity = 4096
        scratch = .allocate(capacity: scratchCapacity)
    }

    deinit {
        fieldStarts.deallocate()
        fieldCounts.deallocate()
        fieldInScratch.deallocate()
        scratch.deallocate()
    }

    /// Pointer to the bytes of field `index` of the current record.
    @inline(__always)
    func fieldPointer(_ index: Int) -> UnsafePointer<UInt8> {
        anyInScratch && fieldInScratch[index] ? UnsafePointer(scratch + fieldStarts[index]) : base + fieldStarts[index]
    }

    /// Bytes that may be read from field `index`'s pointer on: to the end of the file for a field
    /// in the file, 0 for one in scratch (so callers copy instead of over-reading).
    @inline(__always)
    func fieldReadable(_ index: Int) -> Int {
        anyInScratch && fieldInScratch[index] ? 0 : end &- fieldStarts[index]
    }

    /// Length of field `index` of the current record.
    @inline(__always)
    func fieldLength(_ index: Int) -> Int { fieldCounts[index] }

    /// The text of field `index` (for messages), lossily decoded and shortened.
    func fieldText(_ index: Int, limit: Int = 60) -> String {
        let count = fieldCounts[index]
        var shown = min(count, limit)
        // Cut at a character's start, not inside it (its first bytes had shown as U+FFFD).
        while shown < count && shown > 0 && fieldPointer(index)[shown] & 0xC0 == 0x80 { shown -= 1 }
        var text = String(decoding: UnsafeBufferPointer(start: fieldPointer(index), count: shown), as: UTF8.self)
        if shown < count { text += "…" }
        return text
    }

    /// True when the record is a single empty field (a blank line).
    var isBlankLine: Bool { fieldCount == 1 && fieldCounts[0] == 0 && !(anyInScratch && fieldInScratch[0]) }

    /// Reads the next record: `.end` at end of input, `.record` for a well-formed record, or the
    /// first problem (the tokenizer has then skipped to the end of the record).
    @inline(__always)
    mutating func next() -> CSVRecordStatus {
        if position >= end { return .end }
        if fastRecord() { return .record }
        fieldCount = 0
        scratchUsed = 0
        anyInScratch = true
        recordLine = line
        recordStart = position
        var problem: CSVRecordProblem? = nil
        var pos = position
        let stop = end
        while true {
            // One field per iteration.
            if fieldCount >= limits.maxFields {
                problem = problem ?? .tooManyFields
                // Skip the rest of the record, honouring quotes.
                pos = skipRecord(from: pos)
                break
            }
            if pos < stop && base[pos] == UInt8(ascii: "\"") {
                // Quoted field.
                let fieldIndex = fieldCount
                var scan = pos + 1
                let contentStart = scan
                var needsCopy = false
                var closed = false
                while scan < stop {
                    let byte = base[scan]
                    if byte == UInt8(ascii: "\"") {
                        if scan + 1 < stop && base[scan + 1] == UInt8(ascii: "\"") {
                            needsCopy = true
                            scan += 2
                            continue
                        }
                        closed = true
                        break
                    }
                    if byte == UInt8(ascii: "\n") { line += 1 }
                    scan += 1
                }
                let contentEnd = scan
                if !closed {
                    // A quote never closed before the end of the input: the record is taken to be
                    // its first line only, and reading goes on at the next line. Reading on to
                    // the end of the file hid every row after it from the reconciliation. (Which
                    // problem depends on the text only, not on where a buffer happens to end.)
                    let tooLong = contentEnd - contentStart > limits.maxFieldBytes
                    problem = problem ?? (tooLong ? .quoteRunsOn(field: fieldIndex) : .unterminatedQuote(field: fieldIndex))
                    line = recordLine
                    var next = recordStart
                    while next < stop && base[next] != UInt8(ascii: "\n") { next += 1 }
                    fieldCount += 1
                    fieldStarts[fieldIndex] = contentStart
                    fieldCounts[fieldIndex] = 0
                    fieldInScratch[fieldIndex] = false
                    if next < stop {
                        pos = next + 1
                        line += 1
                    } else {
                        pos = stop
                    }
                    break
                }
                if contentEnd - contentStart > limits.maxFieldBytes {
                    let runsOn = line > recordLine
                    problem = problem ?? (runsOn ? .quoteRunsOn(field: fieldIndex) : .fieldTooLong(field: fieldIndex))
                }
                if needsCopy {
                    let start = appendUnescaped(contentStart, contentEnd)
                    fieldStarts[fieldIndex] = start
                    fieldCounts[fieldIndex] = scratchUsed - start
                    fieldInScratch[fieldIndex] = true
                } else {
                    fieldStarts[fieldIndex] = contentStart
                    fieldCounts[fieldIndex] = contentEnd - contentStart
                    fieldInScratch[fieldIndex] = false
                }
                fieldCount += 1
                if !closed {
                    problem = problem ?? .unterminatedQuote(field: fieldIndex)
                    pos = stop
                    break
                }
                pos = scan + 1
                // After the closing quote: delimiter, line end, or end of input.
                if pos >= stop { break }
                let after = base[pos]
                if after == UInt8(ascii: ",") {
                    pos += 1
                    continue
                }
                if after == UInt8(ascii: "\n") {
                    pos += 1
                    line += 1
                    break
                }
                if after == UInt8(ascii: "\r") && pos + 1 < stop && base[pos + 1] == UInt8(ascii: "\n") {
                    pos += 2
                    line += 1
                    break
                }
                problem = problem ?? .textAfterQuote(field: fieldIndex)
                pos = skipRecord(from: pos)
                break
            } else {
                // Unquoted field: scan to a delimiter or line end.
                let start = pos
                var scan = pos
                var sawQuote = false
                while scan < stop {
                    let byte = base[scan]
                    if byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\n") { break }
                    if byte == UInt8(ascii: "\"") { sawQuote = true }
                    scan += 1
                }
                var fieldEnd = scan
                if scan < stop && base[scan] == UInt8(ascii: "\n") && fieldEnd > start && base[fieldEnd - 1] == UInt8(ascii: "\r") {
                    fieldEnd -= 1
                } else if scan >= stop && fieldEnd > start && base[fieldEnd - 1] == UInt8(ascii: "\r") {
                    fieldEnd -= 1
                }
                let fieldIndex = fieldCount
                fieldStarts[fieldIndex] = start
                fieldCounts[fieldIndex] = fieldEnd - start
                fieldInScratch[fieldIndex] = false
                fieldCount += 1
                if sawQuote { problem = problem ?? .strayQuote(field: fieldIndex) }
                if fieldEnd - start > limits.maxFieldBytes { problem = problem ?? .fieldTooLong(field: fieldIndex) }
                if scan >= stop {
                    pos = stop
                    break
                }
                if base[scan] == UInt8(ascii: ",") {
                    pos = scan + 1
                    continue
                }
                // Newline.
                pos = scan + 1
                line += 1
                break
            }
        }
        position = pos
        if let problem { return .problem(problem) }
        return .record
    }

    /// Reads the next record only when it is of the common shape (``fastRecord()``): false, having
    /// changed nothing, at the end of the input or for any other record.
    @inline(__always)
    mutating func nextPlain() -> Bool { position < end && fastRecord() }

    /// Puts the record just read back, so that ``next()`` reads it again.
    @inline(__always)
    mutating func unread() {
        position = recordStart
        line = recordLine
    }

    /// The common case, 32 bytes at a time (SSE2 compare + movemask; 16 in the file's last 32): a
    /// record without quotes that ends with a newline at least 16 bytes before `end`. Returns
    /// false, having changed nothing, for anything else; `next()` then reads the record byte by
    /// byte.
    @inline(__always)
    private mutating func fastRecord() -> Bool {
        let base = self.base
        let end = self.end
        let starts = fieldStarts
        let counts = fieldCounts
        var pos = position
        var fieldStart = pos
        var fields = 0
        let maxFields = limits.maxFields
        let maxBytes = limits.maxFieldBytes
        while pos &+ 16 <= end {
            let step: Int
            let newlines: UInt64
            let quotes: UInt64
            var commas: UInt64
            if pos &+ 32 <= end {
                var found: UInt32 = 0
                let classes = comp_csv_classify32(base + pos, &found)
                (step, newlines, quotes, commas) = (32, classes &>> 32, UInt64(found), classes & 0xFFFF_FFFF)
            } else {
                let classes = comp_csv_classify16(base + pos)
                (step, newlines, quotes, commas) = (16, (classes &>> 16) & 0xFFFF, classes &>> 32, classes & 0xFFFF)
            }
            // Only bytes before the first newline belong to this record.
            let scope: UInt64 = newlines == 0 ? (1 &<< UInt64(step)) &- 1 : ((newlines & (0 &- newlines)) &- 1)
            if quotes & scope != 0 { return false }
            commas &= scope
            // Possibly too many fields for the limit: let the careful path count and report it.
            if fields &+ step >= maxFields { return false }
            while commas != 0 {
                let offset = pos &+ commas.trailingZeroBitCount
                starts[fields] = fieldStart
                counts[fields] = offset &- fieldStart
                fields &+= 1
                fieldStart = offset &+ 1
                commas &= commas &- 1
            }
            if newlines != 0 {
                let newline = pos &+ newlines.trailingZeroBitCount
                var fieldEnd = newline
                if fieldEnd > fieldStart && base[fieldEnd &- 1] == UInt8(ascii: "\r") { fieldEnd &-= 1 }
                // A record no longer than the field limit cannot hold a field over it.
                if newline &- position > maxBytes { return false }
                starts[fields] = fieldStart
                counts[fields] = fieldEnd &- fieldStart
                fieldCount = fields &+ 1
                scratchUsed = 0
                anyInScratch = false
                recordLine = line
                recordStart = position
                position = newline &+ 1
                line &+= 1
                return true
            }
            pos &+= step
        }
        return false
    }

    /// Copies `start..<end` into scratch, turning `""` into `"`; returns the scratch start offset.
    private mutating func appendUnescaped(_ start: Int, _ end: Int) -> Int {
        let needed = scratchUsed + (end - start)
        if needed > scratchCapacity {
            var capacity = scratchCapacity
            while capacity < needed { capacity *= 2 }
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            grown.update(from: scratch, count: scratchUsed)
            scratch.deallocate()
            scratch = grown
            scratchCapacity = capacity
        }
        let first = scratchUsed
        var index = start
        while index < end {
            let byte = base[index]
            scratch[scratchUsed] = byte
            scratchUsed += 1
            index += byte == UInt8(ascii: "\"") ? 2 : 1
        }
        return first
    }

    /// Skips to just past the line end after `start`: a broken record ends there, whatever
    /// quotes follow (honouring them, a stray quote swallowed every row up to the next quote in
    /// the file), or the end of the input.
    private mutating func skipRecord(from start: Int) -> Int {
        var pos = start
        while pos < end {
            if base[pos] == UInt8(ascii: "\n") {
                line += 1
                return pos + 1
            }
            pos += 1
        }
        return end
    }

    /// True when the last record ran over more than one physical line (a quoted field held a line
    /// end), also when it is the file's last and has no line end of its own. Cheap: no scan.
    @inline(__always)
    var spansLines: Bool {
        let endsLine = position > recordStart && base[position - 1] == UInt8(ascii: "\n")
        return line - recordLine > (endsLine ? 1 : 0)
    }

    /// The physical lines the last record ran over (more than 1 when a quoted field held a line
    /// end).
    @inline(never) var recordLines: Int {
        var lines = 1
        var index = recordStart
        while index < position {
            if base[index] == UInt8(ascii: "\n") && index + 1 < position { lines += 1 }
            index += 1
        }
        return lines
    }

    /// The physical lines after the first of the last record, as the file has them, shaped like a
    /// record of `commas + 1` fields: `commas` commas before any quote (a row inside the text),
    /// or in all and the first before any quote (the row whose quote closed the text: the inch
    /// mark of `Monitor 27",new,…` closing `…,"Deluxe stand,…` on an earlier row). Such lines are
    /// most likely rows that a quote left open took for its text. The end of a text that is the
    /// record's first field (`line two",2027-01-05,…`) has its quote first: not counted.
    /// The line the quote closes on counts only when the record's first line is record-shaped
    /// too (all `commas` commas: the row that left its quote open was whole on its line); a
    /// valid text over lines (`T1,"Widget` then `blue, large",2027-01-05,…`) is not.
    @inline(never) func recordShapedLines(commas: Int) -> Int {
        guard commas > 0 else { return 0 }
        var found = 0
        var index = recordStart
        // Past the first line, counting its commas.
        var firstLineCommas = 0
        while index < position && base[index] != UInt8(ascii: "\n") {
            if base[index] == UInt8(ascii: ",") { firstLineCommas += 1 }
            index += 1
        }
        index += 1
        let closingLines = firstLineCommas == commas
        while index < position {
            var seen = 0
            var beforeQuote = -1
            while index < position && base[index] != UInt8(ascii: "\n") {
                let byte = base[index]
                if byte == UInt8(ascii: ",") {
                    seen += 1
                } else if byte == UInt8(ascii: "\"") && beforeQuote < 0 {
                    beforeQuote = seen
                }
                index += 1
            }
            if beforeQuote < 0 { beforeQuote = seen }
            if beforeQuote == commas || (closingLines && seen == commas && beforeQuote > 0) { found += 1 }
            index += 1
        }
        return found
    }

    /// The carriage returns in the last record not followed by a line feed: line ends of old Mac
    /// files (or of a file saved so after some point), which are text here, not line ends.
    /// (Outside quotes: a carriage return inside a quoted text is its text.)
    @inline(never) var loneCarriageReturns: Int {
        var count = 0
        var index = recordStart
        var quoted = false
        while index < position {
            let byte = base[index]
            if byte == UInt8(ascii: "\"") { quoted.toggle() }
            // (One ending the record, at the end of the file, ends its line.)
            if byte == 0x0D && !quoted && index + 1 < position && base[index + 1] != UInt8(ascii: "\n") { count += 1 }
            index += 1
        }
        return count
    }

    /// Whether every field of the last record is empty (`,,,,` or `"",""`): a spreadsheet's
    /// cleared row, as wide as the others.
    @inline(never) var isEmptyRecord: Bool { (0..<fieldCount).allSatisfy { fieldCounts[$0] == 0 } }

    /// What the last record is when not a row of commas: all its fields empty (`,,,,`), or
    /// separated by another character (`;`, a tab, `|`) at least `needed` times outside quotes.
    @inline(never) func otherShape(needed: Int) -> String? {
        if isEmptyRecord { return DataMessage.emptyRow().1 }
        // A row of Ctrl-Z (the end-of-file mark of old DOS files) or of NUL bytes alone: said as
        // what it is (it had been a row of one field, the character unnamed).
        let text = UnsafeBufferPointer(start: base + recordStart, count: max(0, position - recordStart)).prefix { $0 != 0x0A && $0 != 0x0D }
        if !text.isEmpty && text.allSatisfy({ $0 == 0x1A }) {
            return "the row is a Ctrl-Z (U+001A), the end-of-file mark of old DOS files; remove it"
        }
        if !text.isEmpty && text.allSatisfy({ $0 == 0 }) { return "the row is NUL bytes (U+0000) alone (binary data?); remove it" }
        // (A row with fields too many is no row of another separator.)
        guard needed > 0 else { return nil }
        var counts: [UInt8: Int] = [:]
        var quoted = false
        for index in recordStart..<position {
            let byte = base[index]
            if byte == UInt8(ascii: "\"") { quoted.toggle() }
            if !quoted && (byte == UInt8(ascii: ";") || byte == 0x09 || byte == UInt8(ascii: "|")) { counts[byte, default: 0] += 1 }
        }
        guard let (byte, count) = counts.max(by: { $0.value < $1.value }), count >= needed else { return nil }
        let shown = byte == 0x09 ? "tabs" : byte == UInt8(ascii: ";") ? "';'" : "'|'"
        return "the row looks separated by \(shown), not commas; save the file comma-separated (CSV)"
    }

    /// The error of a last record whose fields are not the header's `names` (`namedCount` of them
    /// up to the last with a name), at `line`: the columns it concerns, or, when lines ended by
    /// lone carriage returns are the cause, those alone.
    /// With `memo`, a message made for a row of the same shape before is used again (see
    /// ``FieldCountMessages``).
    @inline(never) func fieldCountError(line: Int, names: [String], namedCount: Int, memo: FieldCountMessages? = nil) -> RowError {
        let returns = loneCarriageReturns
        let shape = returns > 0 ? nil : otherShape(needed: namedCount - fieldCount)
        let key = FieldCountMessages.Key(found: fieldCount, lines: recordLines, returns: returns, shape: shape)
        if let memo, let made = memo.error(for: key) { return made.at(line: line) }
        let error = RowError(
            line: line,
            field: returns > 0 ? 1 : DataMessage.fieldCountField(found: fieldCount, expected: names.count, lines: recordLines),
            DataMessage.withLoneCarriageReturns(
                DataMessage.fieldCount(
                    found: fieldCount, expected: names.count, lines: recordLines, names: returns > 0 ? [] : names, shape: shape),
                returns))
        memo?.keep(error, for: key)
        return error
    }

    /// Gives the last record empty fields up to `count` (the header's columns without a name, a
    /// trailing comma the rows do not repeat: they read as empty, not as a field too few).
    mutating func padFields(to count: Int) {
        guard count > fieldCount && count <= limits.maxFields else { return }
        for index in fieldCount..<count {
            fieldStarts[index] = position
            fieldCounts[index] = 0
            if anyInScratch { fieldInScratch[index] = false }
        }
        fieldCount = count
    }

    /// The first field of the last record holding a line end (`nil` when none does).
    func firstFieldOverLines() -> Int? {
        (0..<fieldCount).first { fieldCounts[$0] > 0 && memchr(fieldPointer($0), Int32(UInt8(ascii: "\n")), fieldCounts[$0]) != nil }
    }

    /// Takes a broken last record (a syntax problem, or the wrong number of fields) to be its
    /// first line only when its quotes ran it over several: reading goes on at its second line,
    /// so the rows a stray quote swallowed are read, and counted, as rows of their own.
    @inline(never) mutating func resumeAfterFirstLine() {
        var index = recordStart
        while index < position && base[index] != UInt8(ascii: "\n") { index += 1 }
        if index + 1 < position {
            position = index + 1
            line = recordLine + 1
        }
    }
}

extension CSVRecordProblem {
    /// The 1-based field number the problem is at (or 1).
    var fieldNumber: Int {
        switch self {
        case .strayQuote(let f), .textAfterQuote(let f), .unterminatedQuote(let f), .fieldTooLong(let f), .quoteRunsOn(let f): return f + 1
        case .tooManyFields: return 1
        }
    }

    /// The message, in the reader's terms.
    func message(limits: CSVLimits) -> String {
        switch self {
        case .strayQuote: return "a quote (\") inside an unquoted field; quote the whole field and double inner quotes (\"\")"
        case .textAfterQuote: return "text after a closing quote; a quoted field must end at a comma or line end"
        case .unterminatedQuote: return "a quoted field is never closed (missing \")"
        case .tooManyFields: return "the row has more than \(limits.maxFields) fields"
        case .fieldTooLong: return "a field is longer than \(limits.maxFieldBytes) bytes"
        case .quoteRunsOn:
            return "a quoted field opened here runs on over line ends for more than \(limits.maxFieldBytes) bytes: its closing quote is "
                + "most likely missing; close it on this line (the lines after it are read as rows of their own)"
        }
    }
}

/// The field-count error last made for one file's rows, by what its message depends on (the
/// header is the file's): a file of junk repeats one shape of row millions of times, and its
/// message, columns named and made printable, had been built again for each (2 µs a row).
/// One per reader of one file; not shared between threads.
final class FieldCountMessages {
    struct Key: Equatable {
        let found: Int
        let lines: Int
        let returns: Int
        let shape: String?
    }

    private var last: (key: Key, error: RowError)? = nil

    func error(for key: Key) -> RowError? { last.flatMap { $0.key == key ? $0.error : nil } }
    func keep(_ error: RowError, for key: Key) { last = (key, error) }
}
