import CompCore
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

    @Test func directories() {
        #expect(FilePaths.directory(of: "Z") == ".")
        #expect(FilePaths.directory(of: "/r.sqlite") == "/")
        #expect(FilePaths.directory(of: "a/b/r.sqlite") == "a/b")
    }
}
