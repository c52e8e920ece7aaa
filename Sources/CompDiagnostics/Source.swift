/// A range of UTF-8 byte offsets in a source file, `start..<end`.
public struct SourceRange: Sendable, Hashable, Codable {
    /// Offset of the first byte.
    public var start: Int
    /// Offset just past the last byte.
    public var end: Int

    /// A range from `start` up to (not including) `end`.
    public init(start: Int, end: Int) {
        precondition(start <= end, "range start after end")
        self.start = start
        self.end = end
    }

    /// The smallest range covering both.
    public func union(_ other: SourceRange) -> SourceRange {
        SourceRange(start: min(start, other.start), end: max(end, other.end))
    }
}

/// The offset of the first `pattern` in `bytes` at or after `start` (`-->` closing an XML
/// comment, `]]>` a CDATA section), or `nil`.
public func byteOffset(of pattern: String, in bytes: [UInt8], from start: Int) -> Int? {
    let needle = Array(pattern.utf8)
    var index = max(0, start)
    while index + needle.count <= bytes.count {
        if bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
        index += 1
    }
    return nil
}

/// A human-facing position: file, 1-based line and 1-based column.
///
/// For plan files the column counts characters (Unicode scalars) from the start of the line; for
/// CSV files it is the 1-based field number, as `FORMATS.md` specifies.
public struct SourceLocation: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The file as the user named it.
    public var file: String
    /// 1-based line.
    public var line: Int
    /// 1-based column (or field number for CSV).
    public var column: Int

    /// A location.
    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, or just `file` for a problem with the whole file (line 0). A control
    /// character in the file's name is escaped (``TerminalText``): a line feed in a directory's
    /// name had made a line of its own.
    public var description: String {
        let file = TerminalText.safe(file)
        return line == 0 ? file : "\(file):\(line):\(column)"
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}

/// A source file's text with a line table, built once, to turn byte offsets into line:column.
public struct SourceFile: Sendable {
    /// The path as the user gave it (used verbatim in messages).
    public let path: String
    /// The raw bytes.
    public let bytes: [UInt8]
    /// Offsets at which each line starts (line 1 at 0, or at 3 after a UTF-8 byte order mark).
    public let lineStarts: [Int]
    /// Per line, whether it is all ASCII: its columns are then its bytes, found without counting
    /// (counting made many diagnostics on one long line quadratic).
    private let asciiLines: [Bool]
    /// Per block of ``blockSize`` bytes (and one for the end of the text), the columns between the
    /// start of the line holding the block's first byte and that byte, and where decoding stands
    /// there. A column of a non-ASCII line is then found by reading at most a block's bytes:
    /// counting from the line's start made thousands of diagnostics on one long line quadratic.
    private let blocks: [(column: Int, state: Decoding)]
    private static let blockSize = 256

    /// Where a UTF-8 decoder stands between bytes: the continuation bytes a character still
    /// needs, and the range its next byte must be in.
    private struct Decoding {
        var remaining: UInt8 = 0
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF

        /// Takes `byte`; true when it starts a column: a character, or the U+FFFD a decoder puts
        /// for an invalid byte or an unfinished sequence (one per maximal subpart, as Swift's
        /// `String(decoding:as:)` does).
        mutating func starts(_ byte: UInt8) -> Bool {
            if remaining > 0 && byte >= low && byte <= high {
                remaining -= 1
                low = 0x80
                high = 0xBF
                return false
            }
            low = 0x80
            high = 0xBF
            switch byte {
            case 0xC2...0xDF: remaining = 1
            case 0xE0: (remaining, low) = (2, 0xA0)
            case 0xE1...0xEC, 0xEE...0xEF: remaining = 2
            case 0xED: (remaining, high) = (2, 0x9F)
            case 0xF0: (remaining, low) = (3, 0x90)
            case 0xF1...0xF3: remaining = 3
            case 0xF4: (remaining, high) = (3, 0x8F)
            default: remaining = 0
            }
            return true
        }
    }

    /// A source file from its path and bytes.
    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
        // A UTF-8 byte order mark is not a character of line 1: editors show none, and every
        // column after it had been one too far (the excerpt under an error began with it too).
        let markLength = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var starts = [markLength]
        var ascii: [Bool] = []
        var blocks: [(column: Int, state: Decoding)] = []
        blocks.reserveCapacity(bytes.count / Self.blockSize + 1)
        var lineIsASCII = true
        var column = 0
        var state = Decoding()
        for (offset, byte) in bytes.enumerated() {
            if offset % Self.blockSize == 0 { blocks.append((column, state)) }
            if offset < markLength { continue }
            if byte == UInt8(ascii: "\n") {
                starts.append(offset + 1)
                ascii.append(lineIsASCII)
                lineIsASCII = true
                column = 0
                state = Decoding()
            } else {
                if byte >= 0x80 { lineIsASCII = false }
                if state.starts(byte) { column += 1 }
            }
        }
        if bytes.count % Self.blockSize == 0 { blocks.append((column, state)) }
        ascii.append(lineIsASCII)
        self.lineStarts = starts
        self.asciiLines = ascii
        self.blocks = blocks
    }

    /// The columns started in `lineStart..<offset`, `offset` on that line.
    private func columns(before offset: Int, lineStart: Int) -> Int {
        let block = offset / Self.blockSize
        var index = block * Self.blockSize
        var count = 0
        var state = Decoding()
        if index >= lineStart {
            (count, state) = blocks[block]
        } else {
            index = lineStart
        }
        while index < offset {
            if state.starts(bytes[index]) { count += 1 }
            index += 1
        }
        return count
    }

    /// The offset where 0-based `column` of the line `start..<end` starts, or `end` past its last.
    private func offset(ofColumn column: Int, start: Int, end: Int) -> Int {
        var index = start
        var count = 0
        var state = Decoding()
        // The last block starting on the line at or before the column.
        var low = (start + Self.blockSize - 1) / Self.blockSize
        var high = end / Self.blockSize
        if low <= high && blocks[low].column <= column {
            while low < high {
                let middle = (low + high + 1) / 2
                if blocks[middle].column <= column { low = middle } else { high = middle - 1 }
            }
            index = low * Self.blockSize
            (count, state) = blocks[low]
        }
        while index < end {
            if state.starts(bytes[index]) {
                if count == column { return index }
                count += 1
            }
            index += 1
        }
        return end
    }

    /// A source file from text.
    public init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }

    /// The offset where 1-based `line` starts: 0 before the first line, the end of the text past
    /// the last.
    public func offset(ofLine line: Int) -> Int {
        guard line >= 1 else { return 0 }
        return line <= lineStarts.count ? lineStarts[line - 1] : bytes.count
    }

    /// The 1-based line containing `offset`.
    public func line(containing offset: Int) -> Int {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return low + 1
    }

    /// `bytes` with each carriage return not followed by a line feed made a line feed: XML reads a
    /// lone CR (old Mac line ends) as a line end, and an XML file's lines are counted so. One byte
    /// for one: offsets do not move.
    public static func xmlLineEnds(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(0x0D) else { return bytes }
        var out = bytes
        for index in out.indices where out[index] == 0x0D && (index + 1 == out.count || out[index + 1] != 0x0A) { out[index] = 0x0A }
        return out
    }

    /// The location of a byte offset; the column counts Unicode scalars (tabs count as one).
    public func location(of offset: Int) -> SourceLocation {
        let clamped = max(0, min(offset, bytes.count))
        let line = line(containing: clamped)
        let start = lineStarts[line - 1]
        // (An offset inside the byte order mark is column 1.)
        if clamped < start { return SourceLocation(file: path, line: line, column: 1) }
        if asciiLines[line - 1] { return SourceLocation(file: path, line: line, column: clamped - start + 1) }
        // A multi-byte character is one column; an invalid byte is one, as it decodes to U+FFFD.
        return SourceLocation(file: path, line: line, column: columns(before: clamped, lineStart: start) + 1)
    }

    /// The length in characters (Unicode scalars) of 1-based `line`, without its line break.
    public func length(ofLine line: Int) -> Int {
        guard line >= 1 && line <= lineStarts.count else { return 0 }
        let (start, end) = bounds(ofLine: line)
        if asciiLines[line - 1] { return end - start }
        return columns(before: end, lineStart: start)
    }

    /// Characters `columns` (0-based) of 1-based `line`, read without the rest of the line.
    public func scalars(ofLine line: Int, columns: Range<Int>) -> [Unicode.Scalar] {
        guard line >= 1 && line <= lineStarts.count else { return [] }
        let (start, end) = bounds(ofLine: line)
        if asciiLines[line - 1] {
            let low = min(end, start + max(0, columns.lowerBound))
            let high = min(end, start + max(0, columns.upperBound))
            return bytes[low..<max(low, high)].map { Unicode.Scalar($0) }
        }
        // Only the wanted columns are decoded (a stray byte shows as U+FFFD).
        let low = offset(ofColumn: max(0, columns.lowerBound), start: start, end: end)
        let high = offset(ofColumn: max(columns.lowerBound, columns.upperBound), start: start, end: end)
        return Array(String(decoding: bytes[low..<max(low, high)], as: UTF8.self).unicodeScalars)
    }

    /// The offset of 1-based `column` (in characters) of 1-based `line`: its last character's
    /// end past the line's end, the text's end past the last line.
    public func offset(line: Int, column: Int) -> Int {
        guard line >= 1 && line <= lineStarts.count else { return bytes.count }
        let (start, end) = bounds(ofLine: line)
        if asciiLines[line - 1] { return min(end, start + max(0, column - 1)) }
        return offset(ofColumn: max(0, column - 1), start: start, end: end)
    }

    /// Where 1-based `line` starts and ends (before its line break).
    private func bounds(ofLine line: Int) -> (start: Int, end: Int) {
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return (start, max(start, end))
    }

    /// The text of 1-based `line`, without its line break.
    public func text(ofLine line: Int) -> String {
        guard line >= 1 && line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }
}
