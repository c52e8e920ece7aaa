import CompDiagnostics
import Testing

/// Untrusted text shown on a terminal: control characters become escapes, so a value can neither
/// drive the terminal (clear it, set its title) nor reorder or forge a line.
@Suite("TerminalText")
struct TerminalTextTests {
    @Test("C0, DEL, C1, bidirectional and line-separator characters are written as escapes")
    func escapes() {
        #expect(TerminalText.safe("R1") == "R1")
        #expect(TerminalText.safe("Zoë 🎉") == "Zoë 🎉")
        #expect(TerminalText.safe("a\u{1B}]0;owned\u{07}b") == "a\\u{1B}]0;owned\\u{7}b")
        #expect(TerminalText.safe("x\u{9B}31m") == "x\\u{9B}31m")
        #expect(TerminalText.safe("T2\u{202E}DSU") == "T2\\u{202E}DSU")
        #expect(TerminalText.safe("a\u{7F}b\u{2028}c") == "a\\u{7F}b\\u{2028}c")
        #expect(TerminalText.safe("one\ntwo\tthree\r") == "one\\ntwo\\tthree\\r")
        // A whole report keeps its own lines and tabs; a carriage return is still written out.
        #expect(TerminalText.safe("one\ntwo\tthree\r\u{1B}[2J", lineBreaks: true) == "one\ntwo\tthree\\r\\u{1B}[2J")
    }

    /// Plain ASCII is returned as it is after one pass over its bytes; a control character at any
    /// place of a long or a short text (the check runs over the bytes in place, in vector code) is
    /// still found.
    @Test("printable ASCII passes whole; a control character is found at any place")
    func plainTextAndEveryPlace() {
        let printable = String(decoding: Array(0x20...0x7E).map(UInt8.init), as: UTF8.self)
        #expect(TerminalText.safe(printable) == printable)
        let long = String(repeating: "the row has 1 field; the header has 10 ", count: 5)
        #expect(TerminalText.safe(long) == long)
        for text in [long, "short"] {
            for place in [0, 1, text.utf8.count / 2, text.utf8.count - 1, text.utf8.count] {
                for control in ["\u{0}", "\u{1F}", "\u{7F}", "\u{85}"] {
                    var bytes = Array(text.utf8)
                    bytes.insert(contentsOf: Array(control.utf8), at: place)
                    let escaped = control == "\u{0}" ? "\\u{0}" : control == "\u{1F}" ? "\\u{1F}" : control == "\u{7F}" ? "\\u{7F}" : "\\u{85}"
                    var expected = Array(text.utf8)
                    expected.insert(contentsOf: Array(escaped.utf8), at: place)
                    #expect(TerminalText.safe(String(decoding: bytes, as: UTF8.self)) == String(decoding: expected, as: UTF8.self))
                }
            }
        }
    }

    @Test("a control character anywhere in UTF-8 bytes is found; other non-ASCII text is not one")
    func containsControl() {
        #expect(!TerminalText.containsControl(Array("R000001".utf8)))
        #expect(!TerminalText.containsControl(Array("José Müller – 東京".utf8)))
        #expect(TerminalText.containsControl(Array("T\u{9B}1".utf8)))
        #expect(TerminalText.containsControl(Array("T\u{200F}1".utf8)))
        #expect(TerminalText.containsControl(Array("T\u{61C}1".utf8)))
        #expect(TerminalText.containsControl([0x54, 0x09, 0x31]))
    }

    @Test("a diagnostic's file name and message are shown with their control characters escaped")
    func renderedPathsAreSafe() {
        let diagnostic = Diagnostic(
            .error, id: "data.badDate", message: "date \"\u{1B}[2J\" is not a valid date",
            location: SourceLocation(file: "plans/\u{1B}]0;x\u{07}.plan", line: 3, column: 1))
        #expect(DiagnosticRenderer().render(diagnostic) == "plans/\\u{1B}]0;x\\u{7}.plan:3:1: date \"\\u{1B}[2J\" is not a valid date\n")
    }
}
