import CompDiagnostics
import Testing

/// The diagnostics module's location type (Swift Testing has one of the same name).
typealias Location = CompDiagnostics.SourceLocation

/// The UTF-8 offset of the `occurrence`-th (0-based) appearance of `needle` in `text`.
func byteOffset(of needle: String, in text: String, occurrence: Int = 0) -> Int {
    let haystack = Array(text.utf8)
    let pattern = Array(needle.utf8)
    var seen = 0
    for start in 0...(haystack.count - pattern.count) where Array(haystack[start..<start + pattern.count]) == pattern {
        if seen == occurrence { return start }
        seen += 1
    }
    Issue.record("\"\(needle)\" not found in the test text")
    return 0
}

@Suite("SourceFile")
struct SourceFileTests {
    static let text = "let a = 1\nlet bb = 2\n\nlast"

    @Test("line starts and line lookup")
    func lines() {
        let file = SourceFile(path: "plans/a.plan", text: Self.text)
        #expect(file.lineStarts == [0, 10, 21, 22])
        #expect(file.bytes.count == 26)
        #expect([0, 9, 10, 20, 21, 22, 25, 26].map(file.line(containing:)) == [1, 1, 2, 2, 3, 4, 4, 4])
        #expect(SourceFile(path: "empty", text: "").lineStarts == [0])
        #expect(SourceFile(path: "x", text: "a\n").lineStarts == [0, 2])
    }

    @Test("locations of byte offsets on several lines")
    func locations() {
        let file = SourceFile(path: "plans/a.plan", text: Self.text)
        #expect(file.location(of: 0) == Location(file: "plans/a.plan", line: 1, column: 1))
        #expect(file.location(of: 4) == Location(file: "plans/a.plan", line: 1, column: 5))
        #expect(file.location(of: 9) == Location(file: "plans/a.plan", line: 1, column: 10))  // the newline itself
        #expect(file.location(of: 10) == Location(file: "plans/a.plan", line: 2, column: 1))
        #expect(file.location(of: 14) == Location(file: "plans/a.plan", line: 2, column: 5))
        #expect(file.location(of: 21) == Location(file: "plans/a.plan", line: 3, column: 1))
        #expect(file.location(of: 22) == Location(file: "plans/a.plan", line: 4, column: 1))
        #expect(file.location(of: 26) == Location(file: "plans/a.plan", line: 4, column: 5))  // end of file
        // Offsets outside the file are clamped.
        #expect(file.location(of: 1_000) == Location(file: "plans/a.plan", line: 4, column: 5))
        #expect(file.location(of: -5) == Location(file: "plans/a.plan", line: 1, column: 1))
        #expect(file.location(of: 14).description == "plans/a.plan:2:5")
    }

    @Test("columns count characters, not bytes, in multi-byte text")
    func multiByte() {
        // n é ␠ = ␠ 1 ⏎ | € x ␠ ✓ ␠ 😀 ␠ y  — é is 2 bytes, € and ✓ 3, 😀 4.
        let text = "né = 1\n€x ✓ 😀 y"
        let file = SourceFile(path: "u.plan", text: text)
        #expect(file.bytes.count == 23)
        #expect(file.lineStarts == [0, 8])
        #expect(file.location(of: 3).column == 3)
        #expect(file.location(of: 4).column == 4)
        #expect(file.location(of: 6) == Location(file: "u.plan", line: 1, column: 6))
        #expect(file.location(of: 8) == Location(file: "u.plan", line: 2, column: 1))
        #expect(file.location(of: byteOffset(of: "x", in: text)) == Location(file: "u.plan", line: 2, column: 2))
        #expect(file.location(of: byteOffset(of: "✓", in: text)) == Location(file: "u.plan", line: 2, column: 4))
        #expect(file.location(of: byteOffset(of: "😀", in: text)) == Location(file: "u.plan", line: 2, column: 6))
        #expect(file.location(of: byteOffset(of: "y", in: text)) == Location(file: "u.plan", line: 2, column: 8))
        #expect(file.location(of: 23) == Location(file: "u.plan", line: 2, column: 9))
        #expect(file.text(ofLine: 1) == "né = 1")
        #expect(file.text(ofLine: 2) == "€x ✓ 😀 y")
        // A combining accent is its own Unicode scalar, and so its own column; a tab is one column.
        let combining = SourceFile(path: "c", text: "e\u{301}x\tz")
        #expect(combining.location(of: 3).column == 3)
        #expect(combining.location(of: 5).column == 5)
    }

    /// A UTF-8 byte order mark before line 1 is not a column: editors show none (every column of
    /// line 1 had been one too far, and the quoted line began with the mark).
    @Test("a byte order mark is not a column of line 1")
    func byteOrderMark() {
        let text = "\u{FEFF}plan é USDD\nx"
        let file = SourceFile(path: "b.plan", text: text)
        #expect(file.lineStarts == [3, 16])
        #expect(file.location(of: byteOffset(of: "plan", in: text)) == Location(file: "b.plan", line: 1, column: 1))
        #expect(file.location(of: byteOffset(of: "USDD", in: text)) == Location(file: "b.plan", line: 1, column: 8))
        #expect(file.location(of: 1) == Location(file: "b.plan", line: 1, column: 1))
        #expect(file.location(of: byteOffset(of: "x", in: text)) == Location(file: "b.plan", line: 2, column: 1))
        #expect(file.text(ofLine: 1) == "plan é USDD")
        #expect(file.length(ofLine: 1) == 11)
        #expect(file.scalars(ofLine: 1, columns: 7..<11).map(Character.init).map(String.init).joined() == "USDD")
        // Two marks: the second is a character (the lexer says so).
        let twice = SourceFile(path: "b", text: "\u{FEFF}\u{FEFF}a")
        #expect(twice.location(of: 6).column == 2)
        // A mark alone, or cut short, is no line.
        #expect(SourceFile(path: "b", text: "\u{FEFF}").text(ofLine: 1) == "")
        #expect(SourceFile(path: "b", bytes: [0xEF, 0xBB]).lineStarts == [0])
    }

    @Test("text(ofLine:) drops LF and CRLF line ends")
    func lineText() {
        let crlf = SourceFile(path: "data/t.csv", text: "a,b\r\n1,2\r\n3,4")
        #expect(crlf.lineStarts == [0, 5, 10])
        #expect(crlf.text(ofLine: 1) == "a,b")
        #expect(crlf.text(ofLine: 2) == "1,2")
        #expect(crlf.text(ofLine: 3) == "3,4")
        #expect(crlf.text(ofLine: 0) == "")
        #expect(crlf.text(ofLine: 4) == "")
        #expect(crlf.location(of: byteOffset(of: "1,2", in: "a,b\r\n1,2\r\n3,4")).line == 2)
        #expect(crlf.location(of: byteOffset(of: "1,2", in: "a,b\r\n1,2\r\n3,4")).column == 1)

        let trailing = SourceFile(path: "t", text: "x\r\n")
        #expect(trailing.text(ofLine: 1) == "x")
        #expect(trailing.text(ofLine: 2) == "")
        let blankLines = SourceFile(path: "t", text: "\r\n\r\n")
        #expect((1...3).map(blankLines.text(ofLine:)) == ["", "", ""])
        // A carriage return inside a line is text, not a line end.
        #expect(SourceFile(path: "t", text: "a\rb\nc").text(ofLine: 1) == "a\rb")
        let lf = SourceFile(path: "t", text: Self.text)
        #expect((1...4).map(lf.text(ofLine:)) == ["let a = 1", "let bb = 2", "", "last"])
        #expect(SourceFile(path: "t", bytes: Array("é\n".utf8)).text(ofLine: 1) == "é")
    }

    @Test("ranges and locations")
    func rangesAndLocations() {
        let a = SourceRange(start: 4, end: 9)
        let b = SourceRange(start: 7, end: 12)
        #expect(a.union(b) == SourceRange(start: 4, end: 12))
        #expect(b.union(a) == SourceRange(start: 4, end: 12))
        #expect(a.union(SourceRange(start: 20, end: 20)) == SourceRange(start: 4, end: 20))
        #expect(Location(file: "a.plan", line: 2, column: 1) < Location(file: "a.plan", line: 10, column: 1))
        #expect(Location(file: "a.plan", line: 2, column: 3) < Location(file: "a.plan", line: 2, column: 12))
        #expect(Location(file: "a.plan", line: 99, column: 99) < Location(file: "b.plan", line: 1, column: 1))
        #expect(
            Location(file: "data/transactions.csv", line: 1042, column: 4).description == "data/transactions.csv:1042:4"
        )
    }

    /// Columns on long non-ASCII lines come from per-block counts: checked against Swift's own
    /// decoding (a character per scalar, an invalid byte or unfinished sequence one U+FFFD), at
    /// every offset, across block edges (blocks are 256 bytes) and line breaks.
    @Test("columns of long non-ASCII lines match decoding", arguments: [false, true])
    func longNonASCIILines(invalidBytes: Bool) {
        var pieces: [[UInt8]] = ["a", "é", "€", "𝄞", " ", "bc", "\t"].map { Array($0.utf8) }
        if invalidBytes { pieces += [[0x80], [0xE2, 0x82], [0xE0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0], [0xFF], [0xED, 0xA0, 0x80]] }
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        for line in 0..<4 {
            for _ in 0..<(line == 2 ? 5 : 700) { bytes += pieces.randomElement(using: &generator) ?? [] }
            bytes.append(UInt8(ascii: "\n"))
        }
        let file = SourceFile(path: "long.plan", bytes: bytes)
        func scalars(_ slice: ArraySlice<UInt8>) -> [Unicode.Scalar] { Array(String(decoding: slice, as: UTF8.self).unicodeScalars) }
        var line = 1
        var lineStart = 0
        for offset in 0...bytes.count {
            let column = scalars(bytes[lineStart..<offset]).count + 1
            #expect(file.location(of: offset) == Location(file: "long.plan", line: line, column: column), "offset \(offset)")
            if offset < bytes.count && bytes[offset] == UInt8(ascii: "\n") {
                line += 1
                lineStart = offset + 1
            }
        }
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { scalars($0) }
        for (index, characters) in lines.enumerated() {
            #expect(file.length(ofLine: index + 1) == characters.count)
            for window in [0..<10, 250..<400, 300..<300, 690..<2_000, 5_000..<6_000] {
                let low = min(characters.count, window.lowerBound)
                let expected = Array(characters[low..<min(characters.count, max(low, window.upperBound))])
                #expect(file.scalars(ofLine: index + 1, columns: window) == expected, "line \(index + 1), columns \(window)")
            }
        }
    }
}
