import CompDiagnostics
import Testing

@Suite("DiagnosticRenderer")
struct RendererTests {
    static let planText = """
        plan ae {
          measure bookings = sum(credit)
          let a = bookingz / quota(bookings)
        }
        """
    static let plan = SourceFile(path: "plans/ae.plan", text: planText)

    /// `unknown name 'bookingz'` with a range, a located note, an unlocated note and a hint.
    static func unknownName() -> Diagnostic {
        let use = byteOffset(of: "bookingz", in: planText)
        let declaration = byteOffset(of: "bookings", in: planText)
        return Diagnostic(
            .error, id: "plan.unknownName", message: "unknown name 'bookingz'", location: plan.location(of: use),
            range: SourceRange(start: use, end: use + 8),
            notes: [
                DiagnosticNote(
                    message: "'bookings' is declared here", location: plan.location(of: declaration),
                    range: SourceRange(start: declaration, end: declaration + 8)),
                DiagnosticNote(message: "names are case-sensitive"),
            ],
            hint: "did you mean `bookings`?")
    }

    static let badAmount = Diagnostic(
        .error, id: "data.badDecimal", message: "amount \"12,50\" is not a plain decimal",
        location: Location(file: "data/transactions.csv", line: 3, column: 4))

    /// A line longer than 160 characters is shown as a window of 160 around the caret (60 before
    /// it), with "…" where it is cut: 2,000 diagnostics on one long line printed it 2,000 times.
    @Test("long lines are shown as a window around the caret (golden)")
    func longLineWindow() {
        let line = (0..<60).map { "item\($0 < 10 ? "0" : "")\($0) " }.joined()  // 420 characters
        let text = line + "bad\n"
        let source = SourceFile(path: "long.plan", text: text)
        let offset = byteOffset(of: "bad", in: text)
        let diagnostic = Diagnostic(
            .error, id: "plan.unknownName", message: "unknown name 'bad'", location: source.location(of: offset),
            range: SourceRange(start: offset, end: offset + 3))
        #expect(diagnostic.location == Location(file: "long.plan", line: 1, column: 421))
        let shown = String(text.dropFirst(423 - 160).prefix(160))
        let expected = """
            long.plan:1:421: error: unknown name 'bad' [#plan.unknownName]
             1 | …\(shown)
               | \(String(repeating: " ", count: 421 - 1 - (423 - 160) + 1))^~~

            """
        #expect(DiagnosticRenderer().render(diagnostic, source: source) == expected)
        // Columns count characters on a line that is not ASCII, and bytes on one that is.
        let mixed = SourceFile(path: "m.plan", text: "abc\n\u{e9}\u{e9}x\n")
        #expect(mixed.location(of: 2).column == 3)
        #expect(mixed.location(of: 8).column == 3)
        #expect(mixed.length(ofLine: 2) == 3)
        #expect(mixed.scalars(ofLine: 2, columns: 1..<9) == ["\u{e9}", "x"])
        // Stray bytes decode to one U+FFFD each, and the length counts them the same way.
        let stray = SourceFile(path: "s.plan", bytes: Array("ab".utf8) + [0x80, 0x80, 0x80] + Array("cd".utf8))
        #expect(stray.length(ofLine: 1) == 7)
        #expect(stray.scalars(ofLine: 1, columns: 0..<7).count == 7)
        #expect(stray.scalars(ofLine: 1, columns: 5..<7) == ["c", "d"])
    }

    @Test("error with range, notes and hint (golden)")
    func fullDiagnostic() {
        let diagnostic = Self.unknownName()
        #expect(diagnostic.location == Location(file: "plans/ae.plan", line: 3, column: 11))
        let expected = """
            plans/ae.plan:3:11: error: unknown name 'bookingz' [#plan.unknownName]
             3 |   let a = bookingz / quota(bookings)
               |           ^~~~~~~~
            plans/ae.plan:2:11: note: 'bookings' is declared here
             2 |   measure bookings = sum(credit)
               |           ^~~~~~~~
                = note: names are case-sensitive
                = hint: did you mean `bookings`?

            """
        #expect(DiagnosticRenderer().render(diagnostic, source: Self.plan) == expected)
    }

    @Test("ids can be hidden and severities colored")
    func idsAndColors() {
        let plain = DiagnosticRenderer(colors: false, showIDs: false).render(Self.unknownName(), source: Self.plan)
        #expect(plain.hasPrefix("plans/ae.plan:3:11: error: unknown name 'bookingz'\n 3 | "))
        let colored = DiagnosticRenderer(colors: true, showIDs: true).render(Self.unknownName(), source: Self.plan)
        let expected = """
            plans/ae.plan:3:11: \u{1B}[1;31merror\u{1B}[0m: unknown name 'bookingz' [#plan.unknownName]
             3 |   let a = bookingz / quota(bookings)
               |           ^~~~~~~~
            plans/ae.plan:2:11: \u{1B}[1;36mnote\u{1B}[0m: 'bookings' is declared here
             2 |   measure bookings = sum(credit)
               |           ^~~~~~~~
                = note: names are case-sensitive
                = hint: did you mean `bookings`?

            """
        #expect(colored == expected)
    }

    @Test("CSV-style diagnostic without a range is one line (golden)")
    func csvDiagnostic() {
        let renderer = DiagnosticRenderer()
        #expect(
            renderer.render(Self.badAmount) == "data/transactions.csv:3:4: amount \"12,50\" is not a plain decimal\n")
        // A source without a range changes nothing; neither do colors for an error.
        let csv = SourceFile(
            path: "data/transactions.csv", text: "id,date,rep,amount\nt1,2027-01-05,r1,10\nt2,2027-01-06,r1,\"12,50\"\n"
        )
        #expect(
            renderer.render(Self.badAmount, source: csv)
                == "data/transactions.csv:3:4: amount \"12,50\" is not a plain decimal\n")
        #expect(
            DiagnosticRenderer(colors: true).render(Self.badAmount)
                == "data/transactions.csv:3:4: amount \"12,50\" is not a plain decimal\n")
        var hinted = Self.badAmount
        hinted.hint = "write 12.50"
        #expect(
            renderer.render(hinted)
                == "data/transactions.csv:3:4: amount \"12,50\" is not a plain decimal\n    = hint: write 12.50\n")
        let warning = Diagnostic(
            .warning, id: "data.noCap", message: "target_incentive is empty; no cap applies",
            location: Location(file: "data/roster.csv", line: 7, column: 9))
        #expect(renderer.render(warning) == "data/roster.csv:7:9: warning: target_incentive is empty; no cap applies\n")
        #expect(
            DiagnosticRenderer(colors: true).render(warning)
                == "data/roster.csv:7:9: \u{1B}[1;35mwarning\u{1B}[0m: target_incentive is empty; no cap applies\n")
        // A range without its source cannot be quoted, so it renders as one line too.
        #expect(
            DiagnosticRenderer().render(Self.unknownName()) == """
                plans/ae.plan:3:11: unknown name 'bookingz'
                plans/ae.plan:2:11: note: 'bookings' is declared here
                    = note: names are case-sensitive
                    = hint: did you mean `bookings`?

                """)
    }

    @Test("a two-digit line number widens the gutter; tabs count as one column")
    func gutterAndTabs() {
        let lines = (1...11).map { "# line \($0)" } + ["\tcap total at 3 * rep.target_incentive / 12"]
        let text = lines.joined(separator: "\n") + "\n"
        let file = SourceFile(path: "plans/cap.plan", text: text)
        let start = byteOffset(of: "rep.target_incentive", in: text)
        let diagnostic = Diagnostic(
            .warning, id: "plan.capUnits", message: "cap mixes a yearly and a monthly amount",
            location: file.location(of: start), range: SourceRange(start: start, end: start + 20))
        #expect(diagnostic.location == Location(file: "plans/cap.plan", line: 12, column: 19))
        let expected = """
            plans/cap.plan:12:19: warning: cap mixes a yearly and a monthly amount [#plan.capUnits]
             12 |  cap total at 3 * rep.target_incentive / 12
                |                   ^~~~~~~~~~~~~~~~~~~~

            """
        #expect(DiagnosticRenderer().render(diagnostic, source: file) == expected)
    }

    @Test("carets line up under multi-byte text; empty and multi-line ranges")
    func caretWidths() {
        let text = "  label = \"Prämie €\" + bonuz\n  next line\n"
        let file = SourceFile(path: "p.plan", text: text)
        let start = byteOffset(of: "bonuz", in: text)
        let renderer = DiagnosticRenderer(showIDs: false)
        let word = Diagnostic(
            .error, id: "x", message: "unknown name 'bonuz'", location: file.location(of: start),
            range: SourceRange(start: start, end: start + 5))
        #expect(
            renderer.render(word, source: file) == """
                p.plan:1:24: error: unknown name 'bonuz'
                 1 |   label = "Prämie €" + bonuz
                   |                        ^~~~~

                """)
        // An empty range still shows one caret.
        let point = Diagnostic(
            .error, id: "x", message: "expected ';'", location: file.location(of: start + 5),
            range: SourceRange(start: start + 5, end: start + 5))
        #expect(
            renderer.render(point, source: file) == """
                p.plan:1:29: error: expected ';'
                 1 |   label = "Prämie €" + bonuz
                   |                             ^

                """)
        // A range running onto the next line is underlined to the end of its first line.
        let label = byteOffset(of: "\"Prämie", in: text)
        let span = Diagnostic(
            .error, id: "x", message: "unterminated expression", location: file.location(of: label),
            range: SourceRange(start: label, end: byteOffset(of: "line", in: text)))
        #expect(
            renderer.render(span, source: file) == """
                p.plan:1:11: error: unterminated expression
                 1 |   label = "Prämie €" + bonuz
                   |           ^~~~~~~~~~~~~~~~~~

                """)
    }

    @Test("a note in another file is not quoted; many diagnostics render in order")
    func manyDiagnostics() {
        var diagnostic = Self.unknownName()
        diagnostic.notes = [
            DiagnosticNote(
                message: "plan 'base' declared here", location: Location(file: "plans/base.plan", line: 1, column: 6),
                range: SourceRange(start: 5, end: 9))
        ]
        diagnostic.hint = nil
        let output = DiagnosticRenderer().render([diagnostic, Self.badAmount], sources: ["plans/ae.plan": Self.plan])
        #expect(
            output == """
                plans/ae.plan:3:11: error: unknown name 'bookingz' [#plan.unknownName]
                 3 |   let a = bookingz / quota(bookings)
                   |           ^~~~~~~~
                plans/base.plan:1:6: note: plan 'base' declared here
                data/transactions.csv:3:4: amount "12,50" is not a plain decimal

                """)
        #expect(DiagnosticRenderer().render([]) == "")
    }

    @Test("one-line descriptions")
    func descriptions() {
        #expect(Self.badAmount.description == "data/transactions.csv:3:4: amount \"12,50\" is not a plain decimal")
        #expect(
            Self.unknownName().description == "plans/ae.plan:3:11: unknown name 'bookingz' (did you mean `bookings`?)")
        let note = Diagnostic(.note, id: "n", message: "m", location: Location(file: "f", line: 1, column: 2))
        #expect(note.description == "f:1:2: note: m")
        let warning = Diagnostic(.warning, id: "w", message: "m", location: Location(file: "f", line: 1, column: 2))
        #expect(warning.description == "f:1:2: warning: m")
        #expect(Severity.note < .warning && Severity.warning < .error)
        #expect([Severity.error, .note, .warning].sorted() == [.note, .warning, .error])
        let id: DiagnosticID = "plan.unknownName"
        #expect(id.rawValue == "plan.unknownName")
        #expect(id.description == "plan.unknownName")
        #expect(id == DiagnosticID(rawValue: "plan.unknownName"))
    }
}
