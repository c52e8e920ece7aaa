import CompCore
import Foundation
import Testing

@Suite struct FilePathsTests {
    /// Paths as a shell reads them in the commands comp suggests: plain ones as they are, others
    /// in single quotes (a quote inside closed, escaped and reopened), and the empty path as ''.
    @Test func shellQuoting() {
        #expect(shellQuoted("/tmp/demo/results.sqlite") == "/tmp/demo/results.sqlite")
        #expect(shellQuoted("de mo") == "'de mo'")
        #expect(shellQuoted("it's") == "'it'\\''s'")
        #expect(shellQuoted("$HOME") == "'$HOME'")
        #expect(shellQuoted("") == "''")
    }

    /// A path holding a control character is written in ANSI-C quotes with each one escaped: it
    /// stays on its line (a line feed in `--db` had broken the suggested command over two), and
    /// bash reads it back as the same path.
    @Test func controlCharactersInANSICQuotes() throws {
        #expect(shellQuoted("r\nX.sqlite") == "$'r\\nX.sqlite'")
        #expect(shellQuoted("a\tb's\\c") == "$'a\\tb\\'s\\\\c'")
        #expect(shellQuoted("x\u{1B}[2J\u{7F}") == "$'x\\x1B[2J\\x7F'")
        #expect(shellQuoted("T2 \u{202E}DSU") == "$'T2 \\u202EDSU'")
        #expect(shellQuoted("\r\u{1}") == "$'\\r\\x01'")
        // What bash makes of each: the path itself (printf %s, so nothing is added).
        for path in ["r\nX.sqlite", "a\tb's\\c", "x\u{1B}[2J\u{7F}", "né\n'\"$HOME`x`", "\r\u{1}\u{1F}9"] {
            #expect(try bash("printf %s \(shellQuoted(path))") == Array(path.utf8), "\(Array(path.utf8))")
        }
    }

    @Test func terminalSafeText() {
        #expect(terminalSafe("plain/path.csv") == "plain/path.csv")
        #expect(terminalSafe("a\nb\tc\r\u{1B}[2J\u{202E}") == "a\\nb\\tc\\r\\u{1B}[2J\\u{202E}")
        #expect(terminalSafe("a\nb\tc\u{1B}", keepingLineBreaks: true) == "a\nb\tc\\u{1B}")
        #expect(terminalSafe("né ok") == "né ok")
    }

    /// Standard output of `bash -c script`, byte for byte.
    private func bash(_ script: String) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(data)
    }

    @Test func directories() {
        #expect(FilePaths.directory(of: "Z") == ".")
        #expect(FilePaths.directory(of: "/r.sqlite") == "/")
        #expect(FilePaths.directory(of: "a/b/r.sqlite") == "a/b")
    }
}
