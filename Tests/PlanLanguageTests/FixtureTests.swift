import CompDiagnostics
@testable import PlanLanguage
import Testing

/// One fixture plan with expectations written inline (STYLE G11):
/// `# error: LINE:COL: message [#id]` or `# warning: …`.
struct Fixture: CustomTestStringConvertible, Sendable {
    let name: String
    var testDescription: String { name }

    static func all() -> [Fixture] {
        Paths.files(under: Paths.fixtures, suffix: ".plan").map { Fixture(name: $0) }
    }

    var path: String { Paths.fixtures + "/" + name }

    /// The expectations in the file's comments.
    func expectations(in text: String) -> [String] {
        var out: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            for marker in ["# error: ", "# warning: "] {
                guard let range = line.range(of: marker) else { continue }
                let severity = marker == "# error: " ? "error" : "warning"
                out.append(severity + ": " + line[range.upperBound...].trimmingCharacters(in: " \r"))
            }
        }
        return out
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var text = self
        while let last = text.last, set.contains(last) { text.removeLast() }
        return String(text)
    }
}

@Suite("Fixtures with inline expectations")
struct FixtureTests {
    @Test("there are at least 40 error fixtures")
    func enoughFixtures() {
        let fixtures = Fixture.all()
        let errorCases = fixtures.filter { fixture in
            (Paths.read(fixture.path) ?? "").contains("# error: ")
        }
        #expect(errorCases.count >= 40, "found \(errorCases.count) error fixtures")
    }

    @Test("fixture diagnostics match the inline expectations", arguments: Fixture.all())
    func fixture(_ fixture: Fixture) throws {
        let text = try #require(Paths.read(fixture.path))
        let bytes = Array(text.utf8)
        let source = SourceFile(path: fixture.name, bytes: bytes)
        let library = Paths.fixtures + "/"
        let result = PlanChecker.check(source: source, loader: { path in
            Paths.read(library + path).map { Array($0.utf8) }
        })
        let actual = result.diagnostics.map { d in
            "\(d.severity.rawValue): \(d.location.line):\(d.location.column): \(d.message) [#\(d.id)]"
        }
        let expected = fixture.expectations(in: text)
        #expect(actual.sorted() == expected.sorted(), "\n\(result.rendered())")
    }

    @Test("fixtures that parse format idempotently and keep their comments", arguments: Fixture.all())
    func formatsIdempotently(_ fixture: Fixture) throws {
        let text = try #require(Paths.read(fixture.path))
        guard let once = PlanFormatter.format(SourceFile(path: fixture.name, text: text)).text else { return }
        let twice = PlanFormatter.format(SourceFile(path: fixture.name, text: once)).text
        #expect(twice == once)
        #expect(HostileInputTests.comments(Array(text.utf8)) == HostileInputTests.comments(Array(once.utf8)))
    }
}
