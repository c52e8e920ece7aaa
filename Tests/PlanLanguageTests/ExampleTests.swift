import CompDiagnostics
import PlanLanguage
import PlanModel
import Testing

/// Every file under Plans/ (examples and shared libraries).
struct PlanFile: CustomTestStringConvertible, Sendable {
    let relativePath: String
    var testDescription: String { relativePath }
    var path: String { Paths.plans + "/" + relativePath }
    var snapshotName: String { relativePath.replacingSlashes() + ".dump.txt" }

    static func all() -> [PlanFile] { Paths.files(under: Paths.plans, suffix: ".plan").map { PlanFile(relativePath: $0) } }
}

extension String {
    fileprivate func replacingSlashes() -> String { String(map { $0 == "/" ? "_" : $0 }) }
}

@Suite("Plans/ examples")
struct ExampleTests {
    @Test("Plans/ holds the reference plan and one example per concept")
    func inventory() {
        let names = Set(PlanFile.all().map(\.relativePath))
        #expect(names.contains("examples/ae-standard.plan"))
        #expect(names.count >= 15, "found \(names.count) plan files")
    }

    @Test("every plan checks without errors or warnings", arguments: PlanFile.all())
    func checks(_ file: PlanFile) {
        let result = PlanChecker.check(path: file.path)
        #expect(result.diagnostics.isEmpty, "\n\(result.rendered())")
    }

    @Test("plan model dumps match the golden files", arguments: PlanFile.all())
    func goldenDump(_ file: PlanFile) throws {
        let result = PlanChecker.check(path: file.path)
        guard let plan = result.plan else { return }  // libraries have no model of their own
        var dump = plan.dump
        // File paths depend on the checkout; keep them relative.
        dump = dump.replacingOccurrences(of: Paths.plans + "/", with: "Plans/")
        if let problem = snapshotMismatch(dump, named: file.snapshotName) { Issue.record(Comment(rawValue: problem)) }
    }

    @Test("fmt leaves every plan unchanged and is idempotent", arguments: PlanFile.all())
    func formatRoundTrip(_ file: PlanFile) throws {
        let text = try #require(Paths.read(file.path))
        let once = try #require(PlanFormatter.format(SourceFile(path: file.path, text: text)).text)
        #expect(once == text, "the example is not in canonical form")
        let twice = try #require(PlanFormatter.format(SourceFile(path: file.path, text: once)).text)
        #expect(twice == once)
    }

    @Test("the reference plan has the shape of REFERENCE_PLAN.md")
    func referencePlan() throws {
        let plan = try #require(PlanChecker.check(path: Paths.plans + "/examples/ae-standard.plan").plan)
        #expect(plan.id == "AE-STD")
        #expect(plan.currency.code == "USD")
        #expect(plan.period == .month)
        #expect(plan.components.map(\.name) == ["commission", "spiff", "bonus"])
        #expect(plan.measures.map(\.name) + plan.derived.map(\.name) == ["bookings", "attainment"])
        #expect(plan.measures[0].rounding == RoundingRule(mode: .halfEven, digits: 2, origin: .declared))
        #expect(plan.derived[0].rounding == RoundingRule(mode: .halfEven, digits: 6, origin: .declared))
        let table = try #require(plan.tables.first)
        #expect(table.mode == .marginal)
        #expect(table.basis == .attainment)
        #expect(table.tiers.map { $0.value.description } == ["3%", "6%", "10%", "12%"])
        #expect(table.tiers.first?.lower == nil)
        #expect(table.tiers.last?.upper == nil)
        guard case .spiff(let spiff) = plan.components[1].body else {
            Issue.record("spiff is not a SPIFF")
            return
        }
        #expect(spiff.dateBasis == .effectiveDate)
        #expect(spiff.window.start.description == "2027-03-01")
        #expect(spiff.window.end?.description == "2027-03-31")
        #expect(plan.limits.count == 1)
        #expect(plan.limits[0].kind == .cap)
        #expect(plan.limits[0].target == .total)
    }

    @Test("a parameter override reaches the model; a bad one is reported")
    func overrides() throws {
        let path = Paths.plans + "/examples/parameters.plan"
        let plan = try #require(PlanChecker.check(path: path, overrides: ["spiff_rate": "200 USD"]).plan)
        let parameter = try #require(plan.parameters.first { $0.name == "spiff_rate" })
        #expect(parameter.overridden)
        #expect(parameter.value.description == "200 USD")
        let bad = PlanChecker.check(path: path, overrides: ["spiff_rate": "12%", "nope": "1"])
        #expect(bad.diagnostics.map(\.id.rawValue).sorted() == ["plan.badOverride", "plan.unknownParameter"])
        // A bare number over 1 for a rate is refused (it would be 400%); 4% and 0.04 are fine.
        let bare = PlanChecker.check(path: path, overrides: ["base_rate": "4"])
        #expect(bare.diagnostics.map(\.message) == [
            "cannot override parameter 'base_rate': '4' as a rate is 400%; write '4%' for 4 percent, or '400%' if that is meant"
        ])
        for text in ["4%", "0.04", "1"] {
            #expect(PlanChecker.check(path: path, overrides: ["base_rate": text]).diagnostics.isEmpty, "\(text)")
        }
        // What is wrong with a number is said (each had been only "is not a money (USD)").
        for (text, problem) in [
            ("99999999999999999999 USD", "99999999999999999999 is out of range (at most ±9223372036854.775807)"),
            // The most negative value has no positive twin: outside the range, as in a data file.
            ("-9223372036854.775808", "-9223372036854.775808 is out of range (at most ±9223372036854.775807)"),
            ("1e5", "1e5 is not a plain decimal, like 1234.56 or -80 (no exponent or thousands separator)"),
            ("5 EUR", "the parameter is in USD, not EUR"),
            ("1.1234567", "1.1234567 has 7 fraction digits, at most 6 are allowed"),
        ] {
            #expect(PlanChecker.check(path: path, overrides: ["spiff_rate": text]).diagnostics.map(\.message) == [
                "cannot override parameter 'spiff_rate': '\(text)' is not a money (USD): \(problem)"
            ])
        }
        // An empty value is said as one, with a value of the parameter's type to give (it had been
        // "'' is not a rate:  is empty").
        for (name, text, message) in [
            ("base_rate", "", "the value is empty; give a rate, like --param base_rate=4%"),
            ("spiff_rate", " ", "the value is empty; give a money (USD), like --param spiff_rate=\"150 USD\""),
        ] {
            #expect(PlanChecker.check(path: path, overrides: [name: text]).diagnostics.map(\.message) == [
                "cannot override parameter '\(name)': \(message)"
            ])
        }
        let counted = "plan \"C\" {\n  currency USD\n  period month\n  param n = 3\n  credit s { amount fx(txn.amount) }\n"
            + "  measure b = sum(s)\n  component c = b * 1% * n\n}\n"
        for (text, problem) in [
            ("99999999999999999999", "99999999999999999999 is out of range (at most ±9223372036854775807)"),
            ("-1.5", "write a whole number, like 12"), ("-abc", "write a whole number, like 12"),
        ] {
            let result = PlanChecker.check(source: SourceFile(path: "c.plan", text: counted), overrides: ["n": text])
            #expect(result.diagnostics.map(\.message) == ["cannot override parameter 'n': '\(text)' is not a count: \(problem)"])
        }
        // A rate the plan itself writes as a bare number is overridden the same way.
        let bareRate = "plan \"B\" {\n  currency USD\n  period month\n  param threshold = 1.2\n  credit s { amount fx(txn.amount) }\n"
            + "  measure b = sum(s)\n  component c = 100 USD when threshold > 1\n}\n"
        let overridden = PlanChecker.check(source: SourceFile(path: "b.plan", text: bareRate), overrides: ["threshold": "1.5"])
        #expect(overridden.diagnostics.isEmpty, "\(overridden.rendered())")
        // A text is written bare or in double quotes, which are not part of it ('"EMEA"' had been
        // the six-character text with its quotes, matching no region).
        let region = "plan \"R\" {\n  currency USD\n  period month\n  param region = \"NA\"\n  credit s { amount fx(txn.amount) }\n"
            + "  measure b = sum(s)\n  component c = 100 USD when region == \"EMEA\"\n}\n"
        for written in ["EMEA", "\"EMEA\""] {
            let checked = PlanChecker.check(source: SourceFile(path: "r.plan", text: region), overrides: ["region": written])
            #expect(checked.plan?.parameters.first?.value == .text("EMEA"), "\(written)")
        }
        for refused in ["\"EM\"EA\"", "\"EMEA", "EMEA\"", "\""] {
            #expect(PlanChecker.check(source: SourceFile(path: "r.plan", text: region), overrides: ["region": refused]).plan == nil, "\(refused)")
        }
        // What a string of the plan may not hold, an override may not either (they had passed).
        for (refused, code) in [
            ("N\u{202E}A", "U+202E"), ("N\u{1B}A", "U+001B"), ("N\nA", "U+000A"), ("\"N\u{2028}A\"", "U+2028"), ("N\u{FFFF}A", "U+FFFF"),
        ] {
            let checked = PlanChecker.check(source: SourceFile(path: "r.plan", text: region), overrides: ["region": refused])
            #expect(checked.plan == nil, "\(refused)")
            #expect(
                checked.diagnostics.map(\.message) == [
                    "cannot override parameter 'region': the text holds \(code), a control, line-separator, bidirectional formatting or "
                        + "noncharacter that a string in a plan may not hold; remove it"
                ], "\(refused)")
        }
        #expect(PlanChecker.check(source: SourceFile(path: "r.plan", text: region), overrides: ["region": "Zürich\tEast"]).plan != nil)
        // An unknown name, with nothing to quote, still says error and its id.
        #expect(bad.rendered().contains("parameters.plan: error: no parameter 'nope' to override [#plan.unknownParameter]\n"), "\(bad.rendered())")
    }

    /// A tier's rate or bound may be a parameter (a constant of the run): a what-if on a tier rate
    /// changes that tier, and the parameter is used (it had been "never used" beside an error
    /// saying its use must be a constant).
    @Test func aTierRateMayBeAParameter() throws {
        let text = """
            plan "W" {
              currency USD
              period month
              param top_rate = 10%
              param gate = 100%
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              table tiers marginal on attainment {
                up to gate    : 5%
                gate and above : top_rate
              }
              component commission = tiers(bookings, quota(bookings))
            }

            """
        let checked = PlanChecker.check(source: SourceFile(path: "w.plan", text: text))
        #expect(checked.diagnostics.isEmpty, "\(checked.rendered())")
        let plan = try #require(checked.plan)
        #expect(plan.tables[0].tiers.map { $0.value.description } == ["5%", "10%"])
        let whatIf = try #require(PlanChecker.check(source: SourceFile(path: "w.plan", text: text), overrides: ["top_rate": "12%", "gate": "80%"]).plan)
        #expect(whatIf.tables[0].tiers.map { $0.value.description } == ["5%", "12%"])
        #expect(whatIf.tables[0].tiers[1].lower?.description == "80%")
        // A bad override is one error, not a second one at the tier that uses the parameter.
        let bad = PlanChecker.check(source: SourceFile(path: "w.plan", text: text), overrides: ["top_rate": "15"])
        #expect(bad.diagnostics.map(\.id.rawValue) == ["plan.badOverride"], "\(bad.rendered())")
        // So is a refused override of a clawback window.
        let window = text.replacingOccurrences(
            of: "  component commission", with: "  param days = 90\n  clawback {\n    charge original_period\n    window days days\n  }\n  component commission")
        #expect(PlanChecker.check(source: SourceFile(path: "w.plan", text: window)).diagnostics.isEmpty)
        let badWindow = PlanChecker.check(source: SourceFile(path: "w.plan", text: window), overrides: ["days": "abc"])
        #expect(badWindow.diagnostics.map(\.id.rawValue) == ["plan.badOverride"], "\(badWindow.rendered())")
        // A parameter's own value may name a parameter declared before it, not one after.
        let later = PlanChecker.check(source: SourceFile(path: "l.plan", text: text.replacingOccurrences(of: "param top_rate = 10%", with: "param top_rate = other\n  param other = 9%")))
        #expect(later.diagnostics.map(\.message).contains("parameter 'other' must be a constant"), "\(later.rendered())")
    }
}
