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

    /// `file:line:column`, or just `file` for a problem with the whole file (line 0).
    public var description: String { line == 0 ? file : "\(file):\(line):\(column)" }

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
    /// Offsets at which each line starts (line 1 starts at 0).
    public let lineStarts: [Int]
    /// Per line, whether it is all ASCII: its columns are then its bytes, found without counting
    /// (counting made many diagnostics on one long line quadratic).
    private let asciiLines: [Bool]

    /// A source file from its path and bytes.
    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
        var starts = [0]
        var ascii: [Bool] = []
        var lineIsASCII = true
        for (offset, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: "\n") {
                starts.append(offset + 1)
                ascii.append(lineIsASCII)
                lineIsASCII = true
            } else if byte >= 0x80 {
                lineIsASCII = false
            }
        }
        ascii.append(lineIsASCII)
        self.lineStarts = starts
        self.asciiLines = ascii
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

    /// The location of a byte offset; the column counts Unicode scalars (tabs count as one).
    public func location(of offset: Int) -> SourceLocation {
        let clamped = max(0, min(offset, bytes.count))
        let line = line(containing: clamped)
        let start = lineStarts[line - 1]
        if asciiLines[line - 1] { return SourceLocation(file: path, line: line, column: clamped - start + 1) }
        var column = 1
        var index = start
        while index < clamped {
            // Count lead bytes only, so a multi-byte character is one column.
            if bytes[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        return SourceLocation(file: path, line: line, column: column)
    }

    /// The length in characters (Unicode scalars) of 1-based `line`, without its line break.
    public func length(ofLine line: Int) -> Int {
        guard line >= 1 && line <= lineStarts.count else { return 0 }
        let (start, end) = bounds(ofLine: line)
        if asciiLines[line - 1] { return end - start }
        // Counted as ``scalars(ofLine:columns:)`` decodes the line (a stray byte is one U+FFFD).
        return text(ofLine: line).unicodeScalars.count
    }

    /// Characters `columns` (0-based) of 1-based `line`: on an ASCII line, without reading the rest.
    public func scalars(ofLine line: Int, columns: Range<Int>) -> [Unicode.Scalar] {
        guard line >= 1 && line <= lineStarts.count else { return [] }
        let (start, end) = bounds(ofLine: line)
        if asciiLines[line - 1] {
            let low = min(end, start + max(0, columns.lowerBound))
            let high = min(end, start + max(0, columns.upperBound))
            return bytes[low..<max(low, high)].map { Unicode.Scalar($0) }
        }
        let all = Array(text(ofLine: line).unicodeScalars)
        let low = min(all.count, max(0, columns.lowerBound))
        return Array(all[low..<max(low, min(all.count, columns.upperBound))])
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
