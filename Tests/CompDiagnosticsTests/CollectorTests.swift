import CompDiagnostics
import Testing

@Suite("DiagnosticCollector")
struct CollectorTests {
    static func row(_ line: Int, _ severity: Severity = .error) -> Diagnostic {
        Diagnostic(
            severity, id: "data.badDecimal", message: "amount is not a plain decimal",
            location: Location(file: "data/transactions.csv", line: line, column: 4))
    }

    @Test("keeps the first `limit` diagnostics and counts all of them")
    func limitAndCounts() {
        var collector = DiagnosticCollector(limit: 3)
        for line in 2...6 { collector.add(Self.row(line)) }
        collector.add(Self.row(7, .warning))
        collector.add(Self.row(8, .warning))
        #expect(collector.limit == 3)
        #expect(collector.listed.map(\.location.line) == [2, 3, 4])
        #expect(collector.errorCount == 5)
        #expect(collector.warningCount == 2)
        #expect(collector.totalCount == 7)
        #expect(collector.unlistedCount == 4)
        #expect(collector.hasErrors)
    }

    @Test("a fresh collector is empty, with a default limit of 100")
    func empty() {
        let collector = DiagnosticCollector()
        #expect(collector.limit == 100)
        #expect(collector.listed.isEmpty)
        #expect(collector.totalCount == 0)
        #expect(collector.unlistedCount == 0)
        #expect(!collector.hasErrors)
    }

    @Test("a million bad rows: a hundred listed, the exact total counted")
    func manyRows() {
        var collector = DiagnosticCollector()
        collector.add(contentsOf: (2...1_000_001).lazy.map { Self.row($0) })
        #expect(collector.listed.count == 100)
        #expect(collector.listed.last?.location.line == 101)
        #expect(collector.errorCount == 1_000_000)
        #expect(collector.unlistedCount == 999_900)
    }

    @Test("warnings alone are not errors")
    func warningsOnly() {
        var collector = DiagnosticCollector(limit: 10)
        collector.add(contentsOf: [Self.row(2, .warning), Self.row(3, .warning)])
        #expect(!collector.hasErrors)
        #expect(collector.warningCount == 2)
        #expect(collector.totalCount == 2)
        #expect(collector.unlistedCount == 0)
    }

    @Test("a limit of zero lists nothing but counts everything")
    func zeroLimit() {
        var collector = DiagnosticCollector(limit: 0)
        collector.add(contentsOf: [Self.row(2), Self.row(3, .warning)])
        #expect(collector.listed.isEmpty)
        #expect(collector.totalCount == 2)
        #expect(collector.unlistedCount == 2)
        #expect(collector.hasErrors)
    }

    @Test("notes are listed but not counted, and do not hide unlisted errors")
    func notes() {
        var collector = DiagnosticCollector(limit: 2)
        collector.add(Self.row(2, .note))
        collector.add(Self.row(3))
        collector.add(Self.row(4))
        #expect(collector.listed.map(\.severity) == [.note, .error])
        #expect(collector.errorCount == 2)
        #expect(collector.totalCount == 2)
        // One of the two errors was not kept.
        #expect(collector.unlistedCount == 1)
        collector.add(Self.row(5, .note))
        #expect(collector.unlistedCount == 1)
    }
}
