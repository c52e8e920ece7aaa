import CompDiagnostics
import Foundation
@testable import PlanLanguage
import Testing

/// Bounded randomized tests: random bytes and random token soup must never crash or hang, and
/// whatever formats must format idempotently.
///
/// This is also the fuzz entry point: `PLAN_FUZZ_ITERATIONS=200000 PLAN_FUZZ_SEED=7 swift test
/// --filter HostileInputTests` runs longer with other seeds.
@Suite("Hostile input")
struct HostileInputTests {
    static var iterations: Int {
        ProcessInfo.processInfo.environment["PLAN_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 200
    }
    static var seeds: [UInt64] {
        if let seed = ProcessInfo.processInfo.environment["PLAN_FUZZ_SEED"].flatMap(UInt64.init) { return [seed] }
        return [1, 2, 3]
    }

    static let vocabulary: [String] = [
        "plan", "\"AE\"", "library", "use", "\"x.plan\"", "{", "}", "(", ")", "[", "]", ",", ":", ".", "=", "==", "!=", "<",
        "<=", ">", ">=", "+", "-", "*", "/", "->", "=>", "and", "or", "not", "in", "to", "when", "if", "then", "else",
        "match", "true", "false", "currency", "USD", "period", "month", "quarter", "rounding", "half_even", "param", "credit",
        "measure", "let", "quota", "table", "component", "cap", "floor", "draw", "clawback", "holdback", "spiff", "override",
        "graduated", "above", "pays", "per", "up", "amount", "weight", "where", "sum", "count", "bookings", "sales", "txn",
        "rep", "fx", "round", "2", "0.5", "50%", "150", "2027-03-01", "2027-03", "2027-Q1", "marginal", "on", "attainment",
        "and", "above", "total", "at", "window", "pay", "unit", "#c\n", "\n", "\n", " ", "\"s\"", "é", "\u{0}", "\"",
    ]

    static func exercise(_ bytes: [UInt8]) {
        let source = SourceFile(path: "fuzz.plan", bytes: bytes)
        let result = PlanChecker.check(source: source)
        _ = result.rendered()
        let formatted = PlanFormatter.format(source)
        if let text = formatted.text {
            let again = PlanFormatter.format(SourceFile(path: "fuzz.plan", text: text))
            #expect(again.text == text, "formatting is not idempotent for:\n\(String(decoding: bytes, as: UTF8.self))")
            // No comment is lost or changed.
            #expect(Self.comments(bytes) == Self.comments(Array(text.utf8)), "comments changed for:\n\(String(decoding: bytes, as: UTF8.self))")
        }
    }

    static func comments(_ bytes: [UInt8]) -> [String] {
        Lexer.tokenize(bytes).comments.map { String(decoding: bytes[$0.range.start..<$0.range.end], as: UTF8.self) }.sorted()
    }

    @Test("random bytes never crash", arguments: seeds)
    func randomBytes(seed: UInt64) {
        var generator = SeededGenerator(seed: seed)
        for _ in 0..<Self.iterations {
            let count = Int.random(in: 0...200, using: &generator)
            let bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            Self.exercise(bytes)
        }
    }

    @Test("random token soup never crashes", arguments: seeds)
    func tokenSoup(seed: UInt64) {
        var generator = SeededGenerator(seed: seed &+ 100)
        for _ in 0..<Self.iterations {
            let count = Int.random(in: 0...80, using: &generator)
            var text = Bool.random(using: &generator) ? "plan \"P\" {\n currency USD\n period month\n" : ""
            for _ in 0..<count {
                text += Self.vocabulary.randomElement(using: &generator) ?? ""
                text += " "
            }
            Self.exercise(Array(text.utf8))
        }
    }

    @Test("mutations of the reference plan never crash", arguments: seeds)
    func mutatedExample(seed: UInt64) throws {
        let original = Array(try #require(Paths.read(Paths.plans + "/examples/ae-standard.plan")).utf8)
        var generator = SeededGenerator(seed: seed &+ 200)
        for _ in 0..<(Self.iterations / 4) {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &generator) where !bytes.isEmpty {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0...2, using: &generator) {
                case 0: bytes.remove(at: index)
                case 1: bytes.insert(UInt8.random(in: 32...126, using: &generator), at: index)
                default: bytes[index] = UInt8.random(in: 32...126, using: &generator)
                }
            }
            Self.exercise(bytes)
        }
    }

    /// Parsing on the checker's stack inside `withCheckerStack` runs on its thread, not on a new
    /// one per call: the XML lowering reads every expression of a plan alone, and a thread each
    /// had made a 1 MiB plan of 42,000 `<let>`s take 15 s to check (0.5 s now).
    @Test("checker-stack work nested in withCheckerStack stays on its thread")
    func nestedLargeStackWorkStaysOnItsThread() {
        let threads = withCheckerStack { () -> [ObjectIdentifier] in
            let outer = ObjectIdentifier(Thread.current)
            let inner = (0..<3).map { _ in withLargeStack { ObjectIdentifier(Thread.current) } }
            return [outer] + inner
        }
        #expect(Set(threads).count == 1)
        #expect(threads[0] != ObjectIdentifier(Thread.current))
        // Each call outside one starts its own thread (with the large stack).
        let apart = withLargeStack { ObjectIdentifier(Thread.current) }
        #expect(apart != ObjectIdentifier(Thread.current))
        #expect(PlanSyntax.isSingleExpression("a + b") && !PlanSyntax.isSingleExpression("a b"))
        #expect(withCheckerStack { PlanSyntax.isSingleExpression("a + b") && !PlanSyntax.isSingleExpression("a b") })
    }

    /// A NUL in a file name would cut it where the file is opened ("mbo.csv\0x" read mbo.csv); a
    /// control character in a string is an error at its place, and the snippet shows U+FFFD for it.
    /// "did you mean" compares a name with every declaration at a cost of the product of their
    /// lengths: a plan of two 200,000-character names took a minute. Names past 64 characters
    /// get no hint (and the check is immediate); a typo in a name one writes still gets one.
    @Test("a very long unknown name gets no hint")
    func longNamesGetNoHint() {
        let long = String(repeating: "a", count: 200_000)
        #expect(suggestion(for: long + "b", among: [long + "c"]) == nil)
        #expect(suggestion(for: String(repeating: "x", count: 65), among: [String(repeating: "x", count: 64) + "y"]) == nil)
        #expect(suggestion(for: "bookingz", among: ["bookings", long]) == "did you mean `bookings`?")
        let sixtyFour = String(repeating: "x", count: 63)
        #expect(suggestion(for: sixtyFour + "y", among: [sixtyFour + "z"]) == "did you mean `\(sixtyFour)z`?")
        let plan = "plan \"L\" {\n  currency USD\n  period month\n  let \(long) = 1\n  let b = \(long)b\n}\n"
        let result = PlanChecker.check(source: SourceFile(path: "long.plan", bytes: Array(plan.utf8)))
        #expect(result.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.id) \($0.hint ?? "-")" } == ["5:11 plan.unknownName -"])
    }

    /// Habits from other languages get a hint on how the plan language writes it (`&&` had been
    /// two "invalid character" errors and no word of 'and').
    @Test("habits from other languages get a hint")
    func habitsGetHints() {
        let plan = """
            plan "A" {
              currency USD
              period month
              credit sales {
                where txn.kind = "new"
                amount fx(txn.amount)
              }
              measure bookings = sum(sales)
              component c = bookings * 1% ;
              component d = bookings * 1% // a comment
              let e = bookings > 0 USD && bookings < 10 USD or not (bookings == 5 USD || bookings == 6 USD)
              let f = $100
              let g = 5 %
              let h = bookings ** 2
              let j = bookings
              // a comment on its own line
              let k = bookings
              /* a block comment */
              let i = txn.kind == 'new'
            }
            """
        let result = PlanChecker.check(source: SourceFile(path: "habits.plan", bytes: Array(plan.utf8)))
        let shown = result.diagnostics.filter { $0.severity == .error }.map { "\($0.location.line):\($0.location.column) \($0.hint ?? "-")" }
        #expect(shown == [
            "5:20 compare with '==' ('=' only names a value: let x = …)",
            "9:31 a declaration ends with its line; remove the ';'",
            "10:32 comments start with '#'",
            "11:28 write 'and' (a and b)",
            "11:75 write 'or' (a or b)",
            "12:11 write money with its currency code after the amount: 100 USD",
            "13:13 write the percent sign right after the number: 5%",
            "14:21 there is no power operator; multiply",
            "16:4 comments start with '#'",
            "18:4 comments start with '#'",
            "19:23 text is in double quotes: \"new\"",
            "19:27 text is in double quotes: \"new\"",
        ], "\(result.rendered())")
    }

    /// Common mistakes say how to fix them, not only what is wrong.
    @Test("common mistakes have a how-to-fix hint")
    func commonMistakesHaveHints() {
        let plan = """
            plan "A" {
              currency USD
              period month
              credit sales {
                amount fx(txn.amount)
              }
              measure bookings = sum(sales)
              measure bookings = sum(sales)
              table empty marginal on amount {
              }
              table gap marginal on amount {
                up to 1000 USD : 1%
                2000 USD and above : 2%
              }
              component c = gap(bookings) + empty(bookings)
              let s = "open
            }
            """
        let result = PlanChecker.check(source: SourceFile(path: "hints.plan", bytes: Array(plan.utf8)))
        let shown = result.diagnostics.filter { $0.severity == .error }.map { "\($0.location.line) \($0.id.rawValue): \($0.hint ?? "-")" }
        #expect(shown == [
            "8 plan.duplicateDefinition: rename one of them: a name is defined once",
            "9 plan.emptyTable: give it tiers, one per line: up to 10000 USD : 3%  …  10000 USD and above : 5%",
            "13 plan.tierGap: start each tier where the one before it ends (… to 1000 USD, 1000 USD to …)",
            "16 plan.unterminatedString: close it with '\"' on the same line (a string cannot span lines)",
        ], "\(result.rendered())")
    }

    @Test("a control character inside a string is an error")
    func controlCharacterInString() {
        let text = "plan \"P\" {\n  currency USD\n  period month\n  input m from \"mbo.csv\u{0}x\" column \"score\": rate\n}\n"
        let result = PlanChecker.check(source: SourceFile(path: "p.plan", text: text))
        #expect(result.hasErrors)
        #expect(
            result.rendered().contains(
                """
                p.plan:4:24: error: a string may not contain a control character (U+0000 here); remove it [#plan.controlCharacterInString]
                 4 |   input m from "mbo.csv\u{FFFD}x" column "score": rate
                   |                        ^

                """))
    }

    /// Escaped, a control character is no better: `"A\<NUL>B"` and a DEL are refused too.
    @Test("an escaped control character or a DEL inside a string is an error")
    func escapedControlCharacterInString() {
        for (inner, code) in [("A\\\u{0}B", "U+0000"), ("A\u{7F}B", "U+007F")] {
            let text = "plan \"\(inner)\" {\n  currency USD\n  period month\n}\n"
            let rendered = PlanChecker.check(source: SourceFile(path: "p.plan", text: text)).rendered()
            #expect(rendered.contains("error: a string may not contain a control character (\(code) here); remove it"), "\(rendered)")
        }
    }

    /// A right-to-left override makes a formula display differently from what it computes (and
    /// every trace quoting it); a C1 control such as CSI drives a terminal; a line separator breaks
    /// a line where none is seen. Each is refused in a string, escaped or not, at its place.
    @Test("bidirectional formatting, C1 controls and line separators inside a string are errors")
    func invisibleCharactersInString() {
        let cases: [(String, String, String)] = [
            ("A\u{202E}B", "4:34", "a bidirectional formatting character (U+202E here): it makes the plan read differently from what it computes"),
            ("A\\\u{2067}B", "4:35", "a bidirectional formatting character (U+2067 here): it makes the plan read differently from what it computes"),
            ("A\u{9B}31m", "4:34", "a control character (U+009B here)"),
            ("A\u{2028}B", "4:34", "a control character (U+2028 here)"),
            // No XML can hold it: `comp export-plan` had failed with an internal error.
            ("A\u{FFFF}B", "4:34", "the noncharacter U+FFFF (no XML plan can hold it)"),
            ("A\u{FFFE}B", "4:34", "the noncharacter U+FFFE (no XML plan can hold it)"),
        ]
        for (inner, location, message) in cases {
            let text = "plan \"P\" {\n  currency USD\n  period month\n  component c = if rep.name == \"\(inner)\" then 1 USD else 0 USD\n}\n"
            let rendered = PlanChecker.check(source: SourceFile(path: "p.plan", text: text)).rendered()
            #expect(rendered.contains("p.plan:\(location): error: a string may not contain \(message); remove it [#plan.controlCharacterInString]"), "\(rendered)")
        }
        // Other non-ASCII text is fine: "Zürich", "東京", a right-to-left script itself.
        let text = "plan \"P\" {\n  currency USD\n  period month\n  component c = if rep.name == \"Zürich 東京 שלום\" then 1 USD else 0 USD\n}\n"
        #expect(!PlanChecker.check(source: SourceFile(path: "p.plan", text: text)).hasErrors)
    }

    /// What a string may not hold, a comment may not either: a right-to-left override ("Trojan
    /// Source": code shown as a comment, or a comment as code), a line separator, NEL, vertical tab
    /// or form feed (shown as a line break by some editors, so that what follows reads as a line
    /// of code while it is comment), an escape sequence (it drives the terminal showing the plan).
    /// They had all passed `comp check`, and `fmt` kept them. A tab and other text are fine.
    @Test("bidirectional formatting and control characters inside a comment are errors")
    func invisibleCharactersInComment() {
        let cases: [(String, String, String)] = [
            ("a \u{202E} } let evil = 1", "4:7",
             "a bidirectional formatting character (U+202E here): it can show code as comment, or a comment as code"),
            ("a\u{2028} let hidden = 1", "4:6", "a control character (U+2028 here): an editor or terminal may show a line break or hide text there"),
            ("a\u{85} let hidden = 1", "4:6", "a control character (U+0085 here): an editor or terminal may show a line break or hide text there"),
            ("a\u{0B}\u{0C}b", "4:6", "a control character (U+000B here): an editor or terminal may show a line break or hide text there"),
            ("\u{1B}[2J red", "4:5", "a control character (U+001B here): an editor or terminal may show a line break or hide text there"),
        ]
        for (comment, location, message) in cases {
            let text = "plan \"P\" {\n  currency USD\n  period month\n  # \(comment)\n}\n"
            let result = PlanChecker.check(source: SourceFile(path: "p.plan", text: text))
            let rendered = result.rendered()
            #expect(rendered.contains("p.plan:\(location): error: a comment may not contain \(message); remove it [#plan.controlCharacterInComment]"), "\(rendered)")
            // `fmt` refuses the file, as one with such a string (it had kept the comment).
            #expect(PlanFormatter.format(SourceFile(path: "p.plan", text: text)).text == nil)
        }
        // Both of vertical tab and form feed are said.
        let both = PlanChecker.check(source: SourceFile(path: "p.plan", text: "plan \"P\" {\n  currency USD\n  period month\n  # a\u{0B}\u{0C}b\n}\n"))
        #expect(both.diagnostics.filter { $0.id == "plan.controlCharacterInComment" }.count == 2)
        let fine = "plan \"P\" {\n  currency USD\n  period month\n  #\tZürich 東京 שלום ✓\n}\n"
        #expect(!PlanChecker.check(source: SourceFile(path: "p.plan", text: fine)).hasErrors)
    }

    /// A UTF-16 plan (with or without its byte order mark, either byte order) is one error that
    /// says so, not one "invalid character" per NUL byte.
    @Test("a UTF-16 plan is one error that says so")
    func utf16() {
        let text = "plan \"P\" {\n  currency USD\n  period month\n}\n"
        let little = text.utf16.flatMap { [UInt8(truncatingIfNeeded: $0), UInt8(truncatingIfNeeded: $0 >> 8)] }
        let big = text.utf16.flatMap { [UInt8(truncatingIfNeeded: $0 >> 8), UInt8(truncatingIfNeeded: $0)] }
        for bytes in [little, big, [0xFF, 0xFE] + little, [0xFE, 0xFF] + big] {
            let result = PlanChecker.check(source: SourceFile(path: "p.plan", bytes: bytes))
            #expect(result.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.message)" } == [
                "1:1 the file is UTF-16 text: a plan file must be UTF-8; save it as UTF-8"
            ])
        }
    }

    /// Bytes that are not UTF-8 inside a string or a comment were read as U+FFFD: a plan named
    /// "a\xFFb" became "a\u{FFFD}b" in every statement without a word. Each bad byte is an error at
    /// its place; a stray continuation byte, an overlong form, a surrogate and a cut sequence too.
    @Test("bytes that are not UTF-8 inside a string or a comment are errors at their place")
    func invalidUTF8() {
        func bytes(_ parts: [UInt8]...) -> [UInt8] { parts.flatMap { $0 } }
        let head = Array("plan \"P\" {\n  currency USD\n  period month\n  component c = if rep.name == \"A".utf8)
        let tail = Array("B\" then 1 USD else 0 USD  # caf".utf8)
        let source = bytes(
            head, [0xFF, 0x80, 0xC0, 0xAF, 0xED, 0xA0, 0x80, 0xE2, 0x82], tail, [0xE9], Array("\n}\n".utf8))
        let result = PlanChecker.check(source: SourceFile(path: "p.plan", bytes: source))
        let lines = result.rendered().split(separator: "\n").filter { $0.hasPrefix("p.plan:") }
        let message = "is not UTF-8 text: a plan file must be UTF-8; save it as UTF-8 or remove the byte [#plan.invalidUTF8]"
        #expect(
            lines == [
                "p.plan:4:34: error: byte \\xFF \(message)",
                "p.plan:4:35: error: byte \\x80 \(message)",
                "p.plan:4:36: error: byte \\xC0 \(message)",
                "p.plan:4:37: error: byte \\xAF \(message)",
                "p.plan:4:38: error: byte \\xED \(message)",
                "p.plan:4:39: error: byte \\xA0 \(message)",
                "p.plan:4:40: error: byte \\x80 \(message)",
                "p.plan:4:41: error: byte \\xE2 \(message)",
                "p.plan:4:42: error: byte \\x82 \(message)",
                "p.plan:4:73: error: byte \\xE9 \(message)",
            ], "\(result.rendered())")
        // Valid UTF-8 of every length is fine, in a string and in a comment.
        let good = "plan \"P\" {\n  currency USD\n  period month\n  component c = if rep.name == \"é東😀\" then 1 USD else 0 USD  # café 😀\n}\n"
        #expect(!PlanChecker.check(source: SourceFile(path: "p.plan", text: good)).hasErrors)
    }

    /// An input table is read from the data directory: a plan cannot name a file outside it.
    @Test("an input file outside the data directory is refused", arguments: ["/etc/passwd", "../x.csv", "a/../../x.csv", ""])
    func inputOutsideTheDataDirectory(_ file: String) {
        let text = "plan \"P\" {\n  currency USD\n  period month\n  input m from \"\(file)\" column \"score\": rate\n  component c = m * 1 USD\n}\n"
        let result = PlanChecker.check(source: SourceFile(path: "p.plan", text: text))
        #expect(
            result.rendered().hasPrefix(
                "p.plan:4:3: error: '\(file)' is not a valid input file; expected a file name inside the data directory (no leading /, no ..) [#plan.invalidValue]\n"
            ))
        let inside = PlanChecker.check(source: SourceFile(path: "p.plan", text: text.replacingOccurrences(of: "\"\(file)\"", with: "\"inputs/x.csv\"")))
        #expect(!inside.hasErrors, "\(inside.rendered())")
    }

    @Test("deep nesting gives a diagnostic, not a stack overflow")
    func deepNesting() {
        let depth = 100_000
        let text = "plan \"P\" {\n currency USD\n period month\n let x = " + String(repeating: "(", count: depth) + "1"
            + String(repeating: ")", count: depth) + "\n}\n"
        let result = PlanChecker.check(source: SourceFile(path: "deep.plan", text: text))
        #expect(result.diagnostics.map(\.id.rawValue) == ["plan.nestingTooDeep"])
        let chain = "plan \"P\" {\n currency USD\n period month\n let x = 1" + String(repeating: " + 1", count: 50_000) + "\n}\n"
        let long = PlanChecker.check(source: SourceFile(path: "chain.plan", text: chain))
        #expect(long.diagnostics.map(\.id.rawValue) == ["plan.nestingTooDeep"])
        let unary = "plan \"P\" {\n let x = " + String(repeating: "-", count: 50_000) + "1\n}\n"
        #expect(PlanChecker.check(source: SourceFile(path: "neg.plan", text: unary)).hasErrors)
    }

    @Test("long chains of definitions give a diagnostic, not a stack overflow")
    func longChains() {
        var text = "plan \"P\" {\n currency USD\n period month\n"
        for index in 0..<1000 { text += " let v\(index) = v\(index + 1) + 1\n" }
        text += " let v1000 = 1\n}\n"
        let result = PlanChecker.check(source: SourceFile(path: "chain.plan", text: text))
        #expect(result.hasErrors)
        #expect(Set(result.diagnostics.map(\.id.rawValue)) == ["plan.dependencyTooDeep"])
    }

    /// A cycle longer than the depth limit is a cycle, spelled out once (it had been "a chain of
    /// more than 128 definitions", whose fix cannot end it; 39 of them for a cycle of 5,000),
    /// while a long chain that is no cycle stays `dependencyTooDeep`. It is said at its first
    /// definition, by its first 20 and its length (5,000 had made a line of 44 KB, at v128).
    @Test("a cycle longer than the depth limit is said to be a cycle", arguments: [30, 130, 5_000])
    func longCycles(length: Int) {
        var text = "plan \"P\" {\n currency USD\n period month\n"
        for index in 0..<length { text += " let v\(index) = v\((index + 1) % length) + 1\n" }
        text += "}\n"
        let result = PlanChecker.check(source: SourceFile(path: "cycle.plan", text: text))
        #expect(result.diagnostics.map(\.id.rawValue) == ["plan.cycle"], "\(result.diagnostics.prefix(3).map(\.message))")
        let message = result.diagnostics.first?.message ?? ""
        let first20 = (0..<20).map { "v\($0)" }.joined(separator: " -> ")
        #expect(message == "definitions form a cycle: \(first20) -> … (\(length) definitions in all) -> v0")
        #expect(result.diagnostics.first?.location.line == 4)
        #expect(result.diagnostics.first?.notes.count ?? 0 <= 20)
    }

    /// A `use` whose path has a bad escape is not read: its error is said alone (it had come
    /// after "cannot read 'dd.planu0000x'", the path with the escape dropped).
    @Test("a use path with a bad escape is not read")
    func useWithABadEscape() {
        let text = "use \"dd.plan\\u0000x\"\nplan \"P\" {\n currency USD\n period month\n}\n"
        let result = PlanChecker.check(source: SourceFile(path: "nul.plan", text: text), loader: { path in
            Issue.record("read \(path)")
            return nil
        })
        #expect(result.diagnostics.map(\.id.rawValue) == ["plan.invalidEscape"], "\(result.diagnostics.map(\.message))")
        #expect(result.diagnostics.first?.location.line == 1 && result.diagnostics.first?.location.column == 13)
    }

    /// A carriage return without a line feed ends no line: after one in a comment, a cap was
    /// silently part of the comment (an editor that breaks lines at a lone CR showed it as code).
    /// It is an error at its place; CRLF line ends are fine.
    @Test("a lone carriage return is an error")
    func loneCarriageReturn() {
        let text = "plan \"P\" {\n  currency USD\n  period month\n  credit s {\n    amount fx(txn.amount)\n  }\n  measure b = sum(s)\n"
            + "  component c = b * 5%  # note\r  cap total at 100 USD per period\n}\n"
        #expect(PlanChecker.check(source: SourceFile(path: "cr.plan", text: text)).diagnostics.map(\.description) == [
            "cr.plan:8:31: a carriage return (CR) without a line feed ends no line here; save the file with LF or CRLF line ends"
        ])
        let crlf = text.replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\n", with: "\r\n")
        #expect(!PlanChecker.check(source: SourceFile(path: "crlf.plan", text: crlf)).hasErrors)
    }

    /// A file of 200,000 invalid characters lists its first hundred problems and counts the rest
    /// in one last error (each had been a diagnostic quoting its line: a megabyte of them made
    /// 340 MB of output in 43 s).
    @Test("past a hundred problems, the rest are counted")
    func problemsPastTheLimitAreCounted() {
        let text = "plan \"P\" {\n  currency USD\n  #\n" + String(repeating: "@", count: 200_000) + "\n}\n"
        let result = PlanChecker.check(source: SourceFile(path: "junk.plan", text: text))
        let descriptions = result.diagnostics.map(\.description)
        #expect(result.hasErrors)
        #expect(descriptions.count == 101)
        #expect(descriptions.first == "junk.plan:4:1: invalid character '@'")
        #expect(descriptions.dropFirst(99).first == "junk.plan:4:100: invalid character '@'")
        #expect(
            descriptions.last
                == "junk.plan:4:101: 199901 more errors not listed (a check lists its first 100, errors first): correct those listed and check again"
                + " (a file that is all errors may not be a plan file)")
        // Rendered with source lines, it stays small.
        #expect(result.rendered().utf8.count < 200_000)
        // Warnings past the limit are counted as warnings.
        let noted = "plan \"P\" {\n  currency USD\n  period month\n" + (0..<150).map { "  param unused\($0) = 1\n" }.joined()
            + "  credit s {\n    amount fx(txn.amount)\n  }\n  measure b = sum(s)\n  component c = b * 5%\n}\n"
        let warned = PlanChecker.check(source: SourceFile(path: "w.plan", text: noted))
        #expect(!warned.hasErrors)
        #expect(warned.diagnostics.count == 101)
        #expect(warned.diagnostics.last?.description.hasPrefix("w.plan:104:9: warning: ") == true, "\(warned.diagnostics.last?.description ?? "")")
        #expect(warned.diagnostics.last?.description.hasSuffix(": warning: 50 more warnings not listed (a check lists its first 100, errors first): correct those listed and check again (a file that is all errors may not be a plan file)") == true, "\(warned.diagnostics.last?.description ?? "")")
    }

    /// A library that cannot be read leaves the names it defines unknown: each says where it may
    /// have been defined (it had read as a typo).
    @Test("names a missing library would define say so")
    func namesOfAMissingLibrary() {
        let text = "use \"missing.plan\"\nplan \"P\" {\n  currency USD\n  period month\n  credit s {\n    amount fx(txn.amount)\n  }\n"
            + "  measure b = sum(s)\n  component c = tiers(b) + bonus_rate * b\n}\n"
        let result = PlanChecker.check(source: SourceFile(path: "p.plan", text: text), loader: { _ in nil })
        #expect(result.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.id.rawValue): \($0.hint ?? "-")" } == [
            "1:1 plan.readFailed: -",
            "9:17 plan.unknownFunction: it may be defined in 'missing.plan', which could not be read (see above)",
            "9:28 plan.unknownName: it may be defined in 'missing.plan', which could not be read (see above)",
        ])
    }

    /// Errors are listed before warnings: 120 warnings ahead of the one error had hidden it (the
    /// error counted, never said). The result counts every error, listed or not.
    @Test("errors are kept ahead of warnings past the limit")
    func errorsAheadOfWarnings() {
        var text = "plan \"P\" {\n  currency USD\n  period month\n"
        for index in 0..<120 { text += "  credit s\(index) {\n    amount fx(txn.amount)\n    to rep\n    to splits\n  }\n" }
        text += "  measure b = sum(s0)\n  component c = bb * 5%\n}\n"
        let result = PlanChecker.check(source: SourceFile(path: "w.plan", text: text))
        #expect(result.diagnostics.count == 101)
        #expect(result.diagnostics.contains { $0.description == "w.plan:605:17: unknown name 'bb' (did you mean `b`?)" }, "\(result.diagnostics.filter { $0.severity == .error }.map(\.description))")
        #expect(result.diagnostics.last?.description.hasSuffix("warning: 21 more warnings not listed (a check lists its first 100, errors first): correct those listed and check again (a file that is all errors may not be a plan file)") == true, "\(result.diagnostics.last?.description ?? "")")
        #expect(result.errorCount == 1)
        // 300 unknown names: 100 listed, 300 counted.
        var many = "plan \"P\" {\n  currency USD\n  period month\n"
        for index in 0..<300 { many += "  component c\(index) = bb\(index) * 5%\n" }
        many += "}\n"
        let counted = PlanChecker.check(source: SourceFile(path: "m.plan", text: many))
        #expect(counted.errorCount == 300)
        #expect(counted.diagnostics.count == 101)
    }

    /// Tier conditions that apply other tables, whose conditions apply others, are evaluated by
    /// recursion: 48 tables whose conditions each applied the one before inside a 58-level
    /// expression overflowed a run's worker stack. Refused at the first table past the limit.
    @Test("tier conditions nesting too deep through tables are refused")
    func conditionsTooDeep() {
        var text = "plan \"P\" {\n currency USD\n period month\n credit s {\n  amount fx(txn.amount)\n }\n measure b = sum(s)\n"
        text += " table t0 retroactive on amount {\n  up to 100 USD : 1%\n  100 USD and above : 2%\n }\n"
        let padding = String(repeating: " + b * 0%", count: 58)
        for index in 1..<48 {
            text += " table t\(index) retroactive on amount {\n  up to 100 USD : 1%\n  100 USD and above : 2% if t\(index - 1)(b)\(padding) >= 0 USD\n }\n"
        }
        text += " component c = t47(b)\n}\n"
        let result = PlanChecker.check(source: SourceFile(path: "gates.plan", text: text))
        #expect(result.diagnostics.map(\.description) == [
            "gates.plan:28:8: the tier conditions of table 't5' nest more than 256 levels deep through the tables they apply; simplify them, "
                + "or compute what they compare in a 'let'"
        ])
    }

    /// Declared in order, each link of a chain was already checked when the next named it: the
    /// checker's stack stayed shallow, 5,000 links passed, and `comp run` overflowed its stack.
    /// The chain is refused once, at the link past the limit; the links after it fail with it.
    @Test("a long chain declared in order is refused once")
    func longChainInOrder() {
        var text = "plan \"P\" {\n currency USD\n period month\n credit s {\n  amount fx(txn.amount)\n }\n measure b = sum(s)\n let l0 = b\n"
        for index in 1..<5_000 { text += " let l\(index) = l\(index - 1) + b * 0%\n" }
        text += " component c = l4999 * 1%\n}\n"
        let result = PlanChecker.check(source: SourceFile(path: "chain.plan", text: text))
        #expect(result.diagnostics.map(\.description) == [
            "chain.plan:136:6: 'l128' depends on a chain of more than 128 definitions"
        ])
    }

    @Test("many unknown names stay fast (hints have a budget)")
    func manyUnknownNames() {
        var text = "plan \"P\" {\n currency USD\n period month\n"
        for index in 0..<1000 { text += " let name\(index) = nmae\(index) + 1\n" }
        text += "}\n"
        let result = PlanChecker.check(source: SourceFile(path: "names.plan", text: text))
        // The first hundred listed, the rest counted.
        #expect(result.diagnostics.count == 101)
        #expect(result.diagnostics.last?.message.hasPrefix("900 more errors not listed") == true)
        let hinted = result.diagnostics.filter { $0.hint != nil }.count
        #expect(hinted > 0 && hinted <= PlanLimits.maxHints)
    }

    /// 20,000 unknown names on one non-ASCII line: each copied every declared name for its hint
    /// (after the hint budget too) and each snippet recounted the line, minutes in all.
    @Test("thousands of unknown names on one long line stay fast")
    func unknownNamesOnOneLine() {
        let count = 20_000
        let text = "plan \"P\" \"Prämie\" { currency USD period month "
            + (0..<count).map { "let a\($0) = z" }.joined(separator: " ") + " }"
        let clock = ContinuousClock()
        let start = clock.now
        let result = PlanChecker.check(source: SourceFile(path: "line.plan", text: text))
        let rendered = result.rendered()
        #expect(clock.now - start < .seconds(10))
        // The first hundred listed, the rest counted from the 101st (its column counts "ä" as one
        // character: its byte offset, less the extra byte of "ä", plus 1).
        #expect(result.diagnostics.count == 101)
        let bytes = Array(text.utf8)
        let zs = bytes.indices.filter { bytes[$0] == UInt8(ascii: "z") && bytes[$0 - 2] == UInt8(ascii: "=") }
        #expect(result.diagnostics.last?.location == SourceLocation(file: "line.plan", line: 1, column: zs[100]))
        #expect(result.diagnostics.last?.message.hasPrefix("\(count - 100) more errors not listed") == true)
        #expect(rendered.hasPrefix("line.plan:1:56: error: unknown name 'z' [#plan.unknownName]\n"))
    }

    /// `use` can name any file; one that does not start like a plan file is refused at the `use`
    /// and nothing of it is shown (a syntax error quoted /etc/passwd's first line).
    @Test("a used file that is not a plan file is not quoted")
    func usedFileThatIsNotAPlan() {
        let text = "use \"/etc/passwd\"\nplan \"P\" {\n  currency USD\n  period month\n}\n"
        let result = PlanChecker.check(
            source: SourceFile(path: "p.plan", text: text), overrides: [:],
            loader: { _ in Array("root:x:0:0:secret:/root:/bin/bash\n".utf8) })
        #expect(result.diagnostics.map(\.description) == [
            "p.plan:1:1: '/etc/passwd' is not a plan file (it does not start with 'library', 'plan' or 'use'); 'use' needs a library file"
        ])
        #expect(!result.rendered().contains("secret"))
    }

    /// A data file named as a plan (`comp check roster.csv`) gets one error naming what it is, not
    /// an error per accented name in it; a plan with a typo in its first word is still parsed.
    @Test("a CSV file named as a plan is said to be one")
    func csvNamedAsAPlan() throws {
        let directory = NSTemporaryDirectory() + "comp-csv-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let roster = directory + "/roster.csv"
        try Data("rep,name,plan,start\r\nR1,Zoë Ångström,AE-STD,2027-01-01\r\nR2,Chloë,AE-STD,2027-01-01\r\n".utf8).write(to: URL(fileURLWithPath: roster))
        #expect(PlanChecker.check(path: roster).diagnostics.map(\.description) == [
            "\(roster):1:1: '\(roster)' is not a plan file: its first line (rep,name,plan,start) looks like a data file's header; a plan "
                + "file starts with 'plan', 'library' or 'use'"
        ])
        // Tabs, semicolons and accents too (shown with the tabs as blanks).
        let tabs = directory + "/people.tsv"
        try Data("rep\tnom\trégion\nR1\tZoë\tNA\n".utf8).write(to: URL(fileURLWithPath: tabs))
        #expect(PlanChecker.check(path: tabs).diagnostics.map(\.message) == [
            "'\(tabs)' is not a plan file: its first line (rep nom région) looks like a data file's header; a plan file starts with "
                + "'plan', 'library' or 'use'"
        ])
        let typo = directory + "/typo.plan"
        try Data("pln \"P\" {\n  currency USD\n}\n".utf8).write(to: URL(fileURLWithPath: typo))
        #expect(PlanChecker.check(path: typo).diagnostics.first?.id.rawValue != "plan.notAPlanFile")
        #expect(PlanChecker.csvHeader(Array("a b, c\n".utf8)) == "a b, c")
        #expect(PlanChecker.csvHeader(Array("pln \"P\", \"x\" {\n".utf8)) == nil)
        #expect(PlanChecker.csvHeader(Array("no commas here\n".utf8)) == nil)
    }

    /// A plan saved as UTF-16 is said to be one, named or used (whose first line has a comma had
    /// been said to look like a data file's header; a used one, not to be a plan file).
    @Test("a UTF-16 plan file is said to be one")
    func utf16PlanFile() throws {
        let directory = NSTemporaryDirectory() + "comp-utf16-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let text = "# Shared, for every plan\nlibrary\nlet x = 1\n"
        let path = directory + "/lib.plan"
        try Data([0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }).write(to: URL(fileURLWithPath: path))
        #expect(PlanChecker.check(path: path).diagnostics.map(\.description) == [
            "\(path):1:1: the file is UTF-16 text: a plan file must be UTF-8; save it as UTF-8"
        ])
        let source = "use \"lib.plan\"\nplan \"P\" {\n  currency USD\n  period month\n}\n"
        let result = PlanChecker.check(
            source: SourceFile(path: "p.plan", text: source), overrides: [:],
            loader: { _ in text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] } })
        #expect(result.diagnostics.map(\.description) == ["p.plan:1:1: 'lib.plan' is UTF-16 text: a plan file must be UTF-8; save it as UTF-8"])
    }

    /// An unknown name where no quoted text can stand is not told to be quoted: the hint says
    /// what can stand there.
    @Test("unknown names get the hint of their place")
    func unknownNameHints() throws {
        let text = try String(contentsOfFile: Paths.plans + "/examples/clawbacks-holdbacks.plan", encoding: .utf8)
            .replacingOccurrences(of: "window 180 days", with: "window zzz days")
            .replacingOccurrences(of: "holdback 10% of", with: "holdback yyy of")
        let result = PlanChecker.check(source: SourceFile(path: "c.plan", text: text))
        #expect(result.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.message) / \($0.hint ?? "-")" } == [
            "18:12 unknown name 'zzz' / write a number of days such as 90, or a parameter's name",
            "21:12 unknown name 'yyy' / write a share such as 50%, or a parameter's name",
        ])
    }

    /// An XML plan under a plan-language name is one error saying it is XML (the lexer had said
    /// "found '<'" and "invalid character '?'"), also after a byte order mark and blank lines.
    @Test("XML in a plan file is said to be XML")
    func xmlInAPlanFile() {
        for text in ["<?xml version=\"1.0\"?>\n<plan id=\"X\"/>\n", "\u{FEFF}\n  <plan id=\"X\"/>\n"] {
            let result = PlanChecker.check(source: SourceFile(path: "x.plan", text: text))
            #expect(result.diagnostics.map { "\($0.location) \($0.message)" } == [
                "x.plan:\(text.hasPrefix("<") ? 1 : 2):\(text.hasPrefix("<") ? 1 : 3) this is XML (it starts with '<'), not the plan language; name an "
                    + "XML plan with .xml (comp check and comp run read it as it is), or convert it with `comp import x.plan`"
            ])
        }
    }

    @Test("an oversized file gives a diagnostic")
    func oversized() {
        let text = "# " + String(repeating: "x", count: PlanLimits.maxFileBytes) + "\n"
        let result = PlanChecker.check(source: SourceFile(path: "big.plan", text: text))
        #expect(result.diagnostics.map(\.id.rawValue) == ["plan.fileTooLarge"])
        #expect(PlanFormatter.format(SourceFile(path: "big.plan", text: text)).text == nil)
        // A library too large is said at its `use`, with the plan's line (it had been said at the
        // library's path alone).
        let plan = "use \"lib/big.plan\"\nplan \"P\" {\n  currency USD\n  period month\n}\n"
        let big = Array(text.utf8)
        let using = PlanChecker.check(source: SourceFile(path: "p.plan", text: plan)) { path in path == "lib/big.plan" ? big : nil }
        #expect(using.diagnostics.map { "\($0.location) \($0.message)" } == [
            "p.plan:1:1 cannot read 'lib/big.plan': the file is larger than the 1024 KiB limit for plan files"
        ])
    }
}

/// The "did you mean" distance stops as soon as it must be past its limit, and gives the full
/// walk's answer otherwise: checked against a plain table of every prefix pair.
@Suite struct BoundedEditDistance {
    /// The distance with every entry of the table computed (insert, delete, replace, swap).
    func plain(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in stride(from: 1, through: a.count, by: 1) {
            for j in stride(from: 1, through: b.count, by: 1) {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[a.count][b.count]
    }

    @Test func knownDistances() {
        var rows: [[Int]] = []
        func distance(_ a: String, _ b: String, _ limit: Int) -> Int? {
            editDistance(Array(a.unicodeScalars), Array(b.unicodeScalars), limit: limit, rows: &rows)
        }
        #expect(distance("wehre", "where", 1) == 1)  // one swap
        #expect(distance("kitten", "sitting", 3) == 3)
        #expect(distance("kitten", "sitting", 2) == nil)  // past the limit
        #expect(distance("", "abc", 3) == 3)
        #expect(distance("abc", "", 2) == nil)
        #expect(distance("bookings", "bookings", 1) == 0)
    }

    @Test func agreesWithThePlainTable() {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let letters = Array("abcd".unicodeScalars)
        var rows: [[Int]] = []
        for _ in 0..<2000 {
            let a = (0..<next(9)).map { _ in letters[next(letters.count)] }
            let b = (0..<next(9)).map { _ in letters[next(letters.count)] }
            let limit = next(6)
            let exact = plain(a, b)
            #expect(editDistance(a, b, limit: limit, rows: &rows) == (exact <= limit ? exact : nil), "\(a) \(b) \(limit)")
        }
    }
}
