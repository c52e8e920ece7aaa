import CompDiagnostics
import PlanLanguage
import Testing

@Suite("Diagnostic catalogue")
struct CatalogueTests {
    /// The ids declared in Sources/PlanLanguage/PlanDiagnostics.swift, in file order.
    static func catalogueIDs() -> [String] {
        let text = Paths.read(Paths.repository + "/Sources/PlanLanguage/PlanDiagnostics.swift") ?? ""
        var ids: [String] = []
        for line in text.split(separator: "\n") {
            let trimmed = line.drop { $0 == " " }
            for prefix in ["static func ", "static let "] where trimmed.hasPrefix(prefix) {
                let rest = trimmed.dropFirst(prefix.count)
                let name = rest.prefix { $0.isLetter || $0.isNumber }
                if ["maxFileBytes", "maxNestingDepth"].contains(String(name)) { continue }
                ids.append(String(name))
            }
        }
        return ids
    }

    @Test("the catalogue is sorted alphabetically")
    func sorted() {
        let ids = Self.catalogueIDs()
        #expect(ids.count >= 40)
        #expect(ids == ids.sorted(), "out of order: \(zip(ids, ids.sorted()).filter { $0 != $1 }.first.map { "\($0.0) vs \($0.1)" } ?? "")")
    }

    @Test("every message id is exercised by a fixture or a test")
    func covered() {
        var seen: Set<String> = [
            "fileTooLarge", "includeCycle", "badOverride", "unknownParameter", "dependencyTooDeep",
            "controlCharacterInString",  // HostileInputTests (a NUL cannot sit in a fixture file)
            "controlCharacterInComment",  // HostileInputTests (nor an escape or a bidirectional override)
            "invalidUTF8",  // HostileInputTests (fixtures are read as UTF-8 text)
            "conditionsTooDeep",  // HostileInputTests (a generated plan of 48 tables)
            "loneCarriageReturn",  // HostileInputTests (fixtures are read as text lines)
            "notAPlanFile",  // HostileInputTests (a fixture would need a file outside the plans)
            "moreProblems",  // HostileInputTests (past the first hundred problems of a check)
        ]
        for name in Paths.files(under: Paths.fixtures, suffix: ".plan") {
            let text = Paths.read(Paths.fixtures + "/" + name) ?? ""
            var rest = Substring(text)
            while let range = rest.range(of: "[#plan.") {
                let id = rest[range.upperBound...].prefix { $0 != "]" }
                seen.insert(String(id))
                rest = rest[range.upperBound...]
            }
        }
        let missing = Self.catalogueIDs().filter { !seen.contains($0) }
        #expect(missing.isEmpty, "no fixture for: \(missing)")
    }

    @Test("files that use each other in a cycle are reported")
    func includeCycle() {
        let files: [String: String] = [
            "lib/a.plan": "use \"b.plan\"\nlibrary a {\n  param x = 1\n}\n",
            "lib/b.plan": "use \"a.plan\"\nlibrary b {\n  param y = 2\n}\n",
        ]
        let main = SourceFile(path: "main.plan", text: "use \"lib/a.plan\"\nplan \"P\" {\n  currency USD\n  period month\n}\n")
        let result = PlanChecker.check(source: main, loader: { path in files[path].map { Array($0.utf8) } })
        #expect(result.diagnostics.map(\.id.rawValue) == ["plan.includeCycle"])
        #expect(result.diagnostics.first?.location.file == "lib/b.plan")
    }

    /// `use ""` had said "a directory, not a file" or "no such file", as the plan was named by an
    /// absolute or a relative path (found by fuzzing); the loader is not asked.
    @Test(arguments: ["main.plan", "/plans/main.plan"])
    func anEmptyUsePathSaysSo(planPath: String) {
        let main = SourceFile(path: planPath, text: "use \"\"\nplan \"P\" {\n  currency USD\n  period month\n}\n")
        let result = PlanChecker.check(source: main, loader: { path in
            Issue.record("read \(path)")
            return nil
        })
        #expect(result.diagnostics.map(\.message) == [
            "cannot read '': the use names no file; write the library's path (use \"rates.plan\")"
        ])
        #expect(result.diagnostics.map { "\($0.location.line):\($0.location.column)" } == ["1:1"])
    }

    @Test("rendered diagnostics of a file with several errors (golden)")
    func renderedGolden() throws {
        let name = "several-errors-one-pass.plan"
        let text = try #require(Paths.read(Paths.fixtures + "/" + name))
        let result = PlanChecker.check(source: SourceFile(path: name, text: text))
        if let problem = snapshotMismatch(result.rendered(), named: "several-errors-one-pass.rendered.txt") {
            Issue.record(Comment(rawValue: problem))
        }
    }
}
