import Foundation
import Testing

/// `comp import`, `comp export-plan`, and XML plans in `comp check` and `comp run`.
@Suite struct XMLCommands {
    let cli = CLI()
    let examples = CLI.root.appendingPathComponent("Plans/examples").path

    @Test func exportPlanWritesTheCanonicalXML() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("draws.xml").path
        let result = try cli.run(["export-plan", examples + "/draws.plan", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        let written = try String(contentsOfFile: out, encoding: .utf8)
        #expect(written == (try String(contentsOfFile: examples + "/xml/draws.xml", encoding: .utf8)))
        #expect(try cli.run(["check", out]).status == 0)
    }

    /// Printed to standard output, a `use` path stays relative to the plan file, wherever comp
    /// runs (it had been rewritten relative to the working directory).
    @Test func exportPlanToStandardOutputKeepsUsePathsRelativeToThePlan() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try cli.run(["export-plan", examples + "/shared-definitions.plan", "--out", "-"], in: directory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("<use path=\"../shared/standard-tiers.plan\"/>"))
        #expect(!result.stdout.contains(directory.path))
    }

    @Test func exportPlanRefusesAPlanWithErrors() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = directory.appendingPathComponent("broken.plan").path
        try Data("plan \"X\" {\n  currency USD\n  period month\n  component a = bookingz * 5%\n}\n".utf8).write(to: URL(fileURLWithPath: plan))
        let out = directory.appendingPathComponent("broken.xml").path
        let result = try cli.run(["export-plan", plan, "--out", out])
        #expect(result.status == 65)
        #expect(result.stderr.hasPrefix(plan + ":4:17: error: unknown name 'bookingz'"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// A plan of 33,331 one-line measures (1,000,044 bytes, under the 1 MiB plan limit) exports
    /// to 1,933,448 bytes of XML, more than `comp import` reads back: refused with the sizes, not
    /// as an internal error, and nothing is written.
    /// A problem with a whole XML file has its severity and id like any other (it had neither).
    @Test func aWholeFileXMLProblemShowsItsID() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let empty = directory.appendingPathComponent("empty.xml").path
        try Data().write(to: URL(fileURLWithPath: empty))
        let result = try cli.run(["check", empty])
        #expect(result.status == 65)
        #expect(result.stderr == "\(empty): error: the file is empty; expected an XML plan [#xml.empty]\n")
    }

    @Test func exportPlanRefusesXMLOverTheImportLimit() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var lines = ["plan \"BIG\" {", "  currency USD", "  period month", "  credit sales { amount fx(txn.amount) }"]
        for index in 0..<33_331 { lines.append("  measure m\(String(repeating: "0", count: 5 - String(index).count))\(index) = sum(sales)") }
        lines += ["  component c = m00000 * 1%", "}"]
        let plan = directory.appendingPathComponent("big.plan").path
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: plan))
        let out = directory.appendingPathComponent("big.xml").path
        let result = try cli.run(["export-plan", plan, "--out", out])
        #expect(result.status == 65)
        #expect(
            result.stderr
                == "\(plan): error: the plan exports to 1933448 bytes of XML, and XML plans may be at most 1048576 bytes; split it into files joined with `use`\n"
        )
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// A plan file given to `import`, or XML to `export-plan`, is said to be one, with the command
    /// that reads it (libxml2's "Start tag expected" and the parser's "found '<'" had been said); a
    /// file that is neither keeps the reader's own error.
    @Test func theWrongKindOfPlanFileIsNamed() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = examples + "/ae-standard.plan"
        let xml = examples + "/xml/ae-standard.xml"
        let imported = try cli.run(["import", plan])
        #expect(imported.status == 65)
        #expect(
            imported.stderr
                == "\(plan): error: this is not XML but a plan file in the plan language (its first declaration is 'plan'); `comp check` "
                + "and `comp run` read it as it is, and `comp export-plan \(plan) --out FILE.xml` writes it as XML\n")
        let out = directory.appendingPathComponent("x.xml").path
        let exported = try cli.run(["export-plan", xml, "--out", out])
        #expect(exported.status == 65)
        #expect(
            exported.stderr
                == "\(xml): error: this is XML (it starts with '<'), not a plan file; if it is an XML plan, `comp import \(xml)` converts "
                + "it to the plan language, and `comp check` and `comp run` read it as it is\n")
        #expect(!FileManager.default.fileExists(atPath: out))
        // A byte order mark and blank lines before `plan` are passed over; `planning` is no plan word.
        let marked = directory.appendingPathComponent("m.plan").path
        try Data([0xEF, 0xBB, 0xBF] + Array("\n  plan \"X\" {\n}\n".utf8)).write(to: URL(fileURLWithPath: marked))
        #expect(try cli.run(["import", marked]).stderr.contains("(its first declaration is 'plan')"))
        // Neither `planning` nor a Markdown title over text is a plan file.
        for text in ["planning notes\n", "# Notes\n\nSome text\n"] {
            let other = directory.appendingPathComponent("o.txt").path
            try Data(text.utf8).write(to: URL(fileURLWithPath: other))
            #expect(try cli.run(["import", other]).stderr.hasPrefix("\(other):1:1: error: the XML is not well-formed: Start tag expected"))
        }
    }

    @Test func importPrintsThePlanFormattedAndWritesItWithOut() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let printed = try cli.run(["import", examples + "/xml/clawbacks-holdbacks.xml"])
        #expect(printed.status == 0, "\(printed.stderr)")
        #expect(
            printed.stdout == """
                plan "CLAW-DEMO" "Clawbacks and holdbacks" {
                  currency USD
                  period month

                  credit sales {
                    amount fx(txn.amount)
                  }

                  measure bookings = sum(sales)

                  component commission = bookings * 7%

                  clawback {
                    charge original_period
                    share 100%
                    window 180 days
                  }

                  holdback 10% of commission release quarter_end
                }

                """)
        let out = directory.appendingPathComponent("ae.plan").path
        let written = try cli.run(["import", examples + "/xml/ae-standard.xml", "--out", out])
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stdout.isEmpty)
        #expect(try cli.run(["fmt", "--check", out]).status == 0)
        let fromXML = try cli.run(["check", "--dump", examples + "/xml/ae-standard.xml"])
        let fromPlan = try cli.run(["check", "--dump", out])
        #expect(fromXML.status == 0 && fromPlan.status == 0)
        func withoutPositions(_ dump: String) -> String {
            dump.split(separator: "\n").filter { !$0.contains(" file 0 ") }.map { $0.replacing(#/ @\d+:\d+-\d+/#, with: "") }
                .joined(separator: "\n")
        }
        #expect(withoutPositions(fromXML.stdout) == withoutPositions(fromPlan.stdout))
    }

    @Test func useIsRewrittenRelativeToTheFileWritten() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("shared.plan").path
        let result = try cli.run(["import", examples + "/xml/shared-definitions.xml", "--out", out])
        #expect(result.status == 0, "\(result.stderr)")
        let text = try String(contentsOfFile: out, encoding: .utf8)
        let library = URL(fileURLWithPath: examples + "/../shared/standard-tiers.plan").standardizedFileURL.path
        #expect(text.hasPrefix("use \"..") && text.contains("/Plans/shared/standard-tiers.plan\"\n"))
        #expect(try cli.run(["check", out]).status == 0)
        #expect(FileManager.default.fileExists(atPath: library))
        // Printed to standard output, the path stays relative to the XML file.
        let printed = try cli.run(["import", examples + "/xml/shared-definitions.xml"])
        #expect(printed.stdout.hasPrefix("use \"../../shared/standard-tiers.plan\"\n"))
    }

    /// A plan given with `.` in its path (`./p.plan`) resolves its `use` paths as the same plan
    /// given plainly (`..` had taken the `.` away: `../lib.plan` was looked for as `lib.plan`), and
    /// XML written beside the plan names its library from there (it had gone through the folder's
    /// parent: `../relt/lib/l.plan`, broken once the folder was renamed).
    @Test func usePathsResolveFromDotPathsAndStayInsideTheFolder() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plans = directory.appendingPathComponent("plans")
        try FileManager.default.createDirectory(at: plans.appendingPathComponent("lib"), withIntermediateDirectories: true)
        try Data("library l {\n  param rate = 10%\n}\n".utf8).write(to: plans.appendingPathComponent("lib/l.plan"))
        try Data(
            ("use \"lib/l.plan\"\nplan \"P\" {\n  currency USD\n  period month\n  credit sales {\n    amount fx(txn.amount)\n  }\n"
                + "  measure bookings = sum(sales)\n  component c = bookings * rate\n}\n").utf8
        ).write(to: plans.appendingPathComponent("p.plan"))
        try Data("use \"../lib/l.plan\"\nlibrary m {\n  param other = 5%\n}\n".utf8).write(to: plans.appendingPathComponent("lib/m.plan"))
        #expect(try cli.run(["check", "./p.plan"], in: plans).status == 0)
        #expect(try cli.run(["check", "./lib/../p.plan"], in: plans).status == 0)
        let dotted = try cli.run(["check", "./m.plan"], in: plans.appendingPathComponent("lib"))
        #expect(dotted.status == 0, "\(dotted.stderr)")
        let beside = try cli.run(["export-plan", "p.plan", "--out", "p.xml"], in: plans)
        #expect(beside.status == 0, "\(beside.stderr)")
        #expect(try String(contentsOf: plans.appendingPathComponent("p.xml"), encoding: .utf8).contains("<use path=\"lib/l.plan\"/>"))
        try FileManager.default.createDirectory(at: plans.appendingPathComponent("out"), withIntermediateDirectories: true)
        let below = try cli.run(["export-plan", "./p.plan", "--out", "./out/p.xml"], in: plans)
        #expect(below.status == 0, "\(below.stderr)")
        #expect(try String(contentsOf: plans.appendingPathComponent("out/p.xml"), encoding: .utf8).contains("<use path=\"../lib/l.plan\"/>"))
        #expect(try cli.run(["check", "out/p.xml"], in: plans).status == 0)
        // Renamed, the folder still checks.
        let renamed = directory.appendingPathComponent("renamed")
        try FileManager.default.moveItem(at: plans, to: renamed)
        #expect(try cli.run(["check", renamed.appendingPathComponent("p.xml").path]).status == 0)
    }

    /// A tier with a negative lower bound after one ending in a name (`: low_rate`, `if big`):
    /// the bracketed bound starts a tier, not a call of the name (the XML that export-plan wrote,
    /// which validates, had been refused: "expected an expression, found 'to'").
    @Test func aNegativeTierAfterANameStartsATier() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = directory.appendingPathComponent("t.plan").path
        try Data(
            """
            plan "NT" {
              currency USD
              period month
              param low_rate = 1%
              param big = 1000 USD
              credit sales {
                amount fx(txn.amount)
              }
              measure bookings = sum(sales)
              table t retroactive on amount {
                up to -1000 USD      : low_rate
                (-1000 USD) to 0 USD : 2% if bookings > big
                (0 USD) and above    : 3%
              }
              component c = t(bookings)
            }

            """.utf8
        ).write(to: URL(fileURLWithPath: plan))
        let xml = directory.appendingPathComponent("t.xml").path
        #expect(try cli.run(["export-plan", plan, "--out", xml]).status == 0)
        let fromPlan = try cli.run(["check", "--dump", plan])
        let fromXML = try cli.run(["check", "--dump", xml])
        #expect(fromPlan.status == 0 && fromXML.status == 0, "\(fromPlan.stderr)\(fromXML.stderr)")
        func tiers(_ dump: String) -> [Substring] {
            dump.split(separator: "\n").filter { $0.contains("tier") }.map { $0.replacing(#/ @\d+:\d+-\d+/#, with: "") }
        }
        #expect(tiers(fromPlan.stdout).count == 3 && tiers(fromPlan.stdout) == tiers(fromXML.stdout), "\(fromXML.stdout)")
    }

    /// A tier's condition nests as deep as any expression: the deepest one `check` accepts
    /// exports to XML that checks too (it had been allowed two levels more, and its XML refused).
    @Test func theDeepestTierConditionRoundTrips() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func plan(_ depth: Int) -> String {
            let condition = String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth) + " == 1"
            return "plan \"T\" {\n  currency USD\n  period month\n  credit sales {\n    amount fx(txn.amount)\n  }\n"
                + "  measure bookings = sum(sales)\n  table t marginal on amount {\n    up to 0 USD     : 1% if \(condition)\n"
                + "    0 USD and above : 2%\n  }\n  component c = t(bookings)\n}\n"
        }
        let path = directory.appendingPathComponent("t.plan").path
        let xml = directory.appendingPathComponent("t.xml").path
        try Data(plan(64).utf8).write(to: URL(fileURLWithPath: path))
        let tooDeep = try cli.run(["check", path])
        #expect(tooDeep.status == 65 && tooDeep.stderr.contains("nesting is deeper than 64 levels"), "\(tooDeep.stderr)")
        try Data(plan(63).utf8).write(to: URL(fileURLWithPath: path))
        #expect(try cli.run(["check", path]).status == 0)
        #expect(try cli.run(["export-plan", path, "--out", xml]).status == 0)
        let back = try cli.run(["check", xml])
        #expect(back.status == 0, "\(back.stderr)")
    }

    @Test func checkReportsSchemaAndSemanticErrorsOfXMLWithTheLine() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = directory.appendingPathComponent("bad.xml").path
        try Data(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <plan id="X">
              <header currency="USD" period="month"/>
              <credit name="sales">
                <amount>fx(txn.amount)</amount>
              </credit>
              <measure name="bookings" aggregate="sum" credit="sales"/>
              <table name="tiers" mode="marginal" on="amount">
                <tier to="1000 USD" rate="12.5x"/>
              </table>
            </plan>

            """.utf8
        ).write(to: URL(fileURLWithPath: bad))
        let result = try cli.run(["check", bad])
        #expect(result.status == 65)
        #expect(
            result.stderr == """
                \(bad):9:31: error: attribute 'rate' of <tier>: '12.5x' is not a rate; write a percentage like 12.5% or a decimal like 0.125, or a parameter's name [#xml.schema]
                 9 |     <tier to="1000 USD" rate="12.5x"/>
                   |                               ^~~~~

                """)
        let xml = try String(contentsOfFile: bad, encoding: .utf8).replacingOccurrences(of: "12.5x", with: "5%")
            .replacingOccurrences(of: "credit=\"sales\"", with: "credit=\"salez\"")
        try Data(xml.utf8).write(to: URL(fileURLWithPath: bad))
        let semantic = try cli.run(["check", bad])
        #expect(semantic.status == 65)
        #expect(semantic.stderr.contains("\(bad):7:52: error: unknown name 'salez' [#plan.unknownName]\n"))
        #expect(semantic.stderr.contains(" 7 |   <measure name=\"bookings\" aggregate=\"sum\" credit=\"salez\"/>\n"))
    }

    @Test func importOfAnInvalidPlanExits65() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bad = directory.appendingPathComponent("bad.xml").path
        try Data("<?xml version=\"1.0\"?>\n<plan id=\"X\"/>\n".utf8).write(to: URL(fileURLWithPath: bad))
        let result = try cli.run(["import", bad])
        #expect(result.status == 65)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("\(bad):2:2: error: element <plan> is incomplete: expected one of <use>, <header> [#xml.schema]"))
    }

    @Test func runAcceptsXMLPlansAndADirectoryOfThem() throws {
        let data = CLI.root.appendingPathComponent("Tests/ReferenceData/ae-10k").standardizedFileURL.path
        try #require(FileManager.default.fileExists(atPath: data + "/expected-payouts.csv"))
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plans = directory.appendingPathComponent("plans")
        try FileManager.default.createDirectory(at: plans, withIntermediateDirectories: true)
        // The bonus's `>=` written as an entity, as XML tools often write it: the same plan.
        let xml = try String(contentsOfFile: examples + "/xml/ae-standard.xml", encoding: .utf8)
        let escaped = xml.replacingOccurrences(of: "bookings >= quota(bookings)", with: "bookings &gt;= quota(bookings)")
        #expect(escaped != xml)
        try Data(escaped.utf8).write(to: plans.appendingPathComponent("ae-standard.xml"))
        let db = directory.appendingPathComponent("results.sqlite").path
        let run = try cli.run(["run", "--plans", plans.path, "--data", data, "--db", db])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("run 1: plan AE-STD, 100 payees, 12 periods (2027-01 … 2027-12)\n"))
        let payouts = try cli.run(["export", "payouts", "--db", db, "--out", "-"])
        let measures = try cli.run(["export", "measures", "--db", db, "--out", "-"])
        let expected = try String(contentsOfFile: data + "/expected-payouts.csv", encoding: .utf8)
        #expect(RunCommand().pivot(payouts: payouts.stdout, measures: measures.stdout) == expected)
        // Traces name the XML file and the line of the component (line 21: <component name="commission" …>).
        let explained = try cli.run(["explain", "--db", db, "--rep", "R000001", "--period", "2027-04"])
        #expect(explained.stdout.contains("on 104275.73 USD against quota 33700.00 USD   [\(plans.path)/ae-standard.xml:21:3]"), "\(explained.stdout)")
        // A formula's trace quotes it as the plan means it: the entity decoded.
        #expect(
            explained.stdout.contains("  bonus              2000.00 USD   formula 2000 USD when bookings >= quota(bookings)   ["),
            "\(explained.stdout)")
    }

    /// A `let` written between two measures keeps its place through `comp export-plan`, so the
    /// text plan and its XML export the same measures rows in the same order (the XML had put
    /// every measure before every let: rows a, b, half against the plan's a, half, b).
    @Test func measuresAndLetsKeepTheirOrderThroughXML() throws {
        let data = CLI.root.appendingPathComponent("Tests/ReferenceData/ae-10k").standardizedFileURL.path
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = directory.appendingPathComponent("order.plan").path
        try Data(
            """
            plan "AE-STD" {
              currency USD
              period month
              credit sales { amount fx(txn.amount) }
              measure a = sum(sales)
              let half = a / 2 round half_even 2
              quota a per month
              measure b = count(sales)
              let share = b / 4 round half_even 1
              component c = half * 1%
            }

            """.utf8
        ).write(to: URL(fileURLWithPath: plan))
        let xml = directory.appendingPathComponent("order.xml").path
        let exported = try cli.run(["export-plan", plan, "--out", xml])
        #expect(exported.status == 0, "\(exported.stderr)")
        let text = try String(contentsOfFile: xml, encoding: .utf8)
        let order = text.split(separator: "\n").filter { $0.contains("<measure ") || $0.contains("<let ") || $0.contains("<quota ") }
            .map { $0.trimmingCharacters(in: .whitespaces).prefix(20) }
        #expect(
            order == [
                "<measure name=\"a\" ag", "<let name=\"half\" rou", "<quota measure=\"a\" p", "<measure name=\"b\" ag",
                "<let name=\"share\" ro",
            ], "\(text)")
        var exports: [String] = []
        for (index, file) in [plan, xml].enumerated() {
            let db = directory.appendingPathComponent("r\(index).sqlite").path
            let run = try cli.run(["run", "--plans", file, "--data", data, "--db", db])
            #expect(run.status == 0, "\(run.stderr)")
            exports.append(try cli.run(["export", "measures", "--db", db, "--out", "-"]).stdout)
        }
        let rows = exports[0].split(separator: "\n")
        #expect(rows.count == 1 + 100 * 12 * 4)
        #expect(rows[1...4].map { $0.split(separator: ",")[3] } == ["a", "half", "b", "share"])
        #expect(exports[1] == exports[0])
    }

    /// A graduated formula, written in XML as elements rather than one text, is quoted part by
    /// part (its line had said only "formula"). April's bookings of 113,262.42 pass 10,000:
    /// (10,000 − 1,000) / 1,000 = 9 steps of 10 USD = 90.00.
    @Test func aGraduatedFormulaInXMLIsQuoted() throws {
        let data = CLI.root.appendingPathComponent("Tests/ReferenceData/ae-10k").standardizedFileURL.path
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = directory.appendingPathComponent("graduated.xml").path
        try Data(
            """
            <?xml version="1.0" encoding="UTF-8"?>
            <plan id="AE-STD" name="Graduated">
              <header currency="USD" period="month"/>
              <credit name="sales">
                <amount>fx(txn.amount)</amount>
              </credit>
              <measure name="bookings" aggregate="sum" credit="sales"/>
              <component name="gr">
                <graduated>
                  <value>bookings</value>
                  <above>1000 USD</above>
                  <pays>10 USD</pays>
                  <per>1000 USD</per>
                  <up-to>10000 USD</up-to>
                </graduated>
              </component>
            </plan>

            """.utf8
        ).write(to: URL(fileURLWithPath: plan))
        let db = directory.appendingPathComponent("r.sqlite").path
        let run = try cli.run(["run", "--plans", plan, "--data", data, "--db", db])
        #expect(run.status == 0, "\(run.stderr)")
        let explained = try cli.run(["explain", "--db", db, "--rep", "R000001", "--period", "2027-04"])
        #expect(
            explained.stdout.contains(
                "  gr              90.00 USD   formula graduated bookings above 1000 USD pays 10 USD per 1000 USD up to 10000 USD   [\(plan):8:3]"),
            "\(explained.stdout)")
    }

    /// A formula's trace quotes the plan as it reads the XML: `&lt;` as `<`, a CDATA section's
    /// text, a comment left out (the quote had stopped at the comment, or shown `&lt;`), also in
    /// a file that starts with a byte-order mark (it was then quoted raw).
    @Test func formulaTracesOfXMLPlansReadTheTextAsThePlanDoes() throws {
        let data = CLI.root.appendingPathComponent("Tests/ReferenceData/ae-10k").standardizedFileURL.path
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = directory.appendingPathComponent("formulas.xml").path
        try Data(
            """
            \u{FEFF}<?xml version="1.0" encoding="UTF-8"?>
            <plan id="AE-STD" name="Formulas">
              <header currency="USD" period="month"/>
              <credit name="sales">
                <amount>fx(txn.amount)</amount>
              </credit>
              <measure name="bookings" aggregate="sum" credit="sales"/>
              <component name="small">
                <formula>if bookings &lt; 1000 USD then 1 USD else 0 USD</formula>
              </component>
              <component name="cdata">
                <formula><![CDATA[
                  if bookings < 5 USD then 2 USD else 0 USD]]></formula>
              </component>
              <component name="commented">
                <formula>bookings <!-- per deal --> * 1%</formula>
              </component>
            </plan>

            """.utf8
        ).write(to: URL(fileURLWithPath: plan))
        let db = directory.appendingPathComponent("r.sqlite").path
        let run = try cli.run(["run", "--plans", plan, "--data", data, "--db", db])
        #expect(run.status == 0, "\(run.stderr)")
        let explained = try cli.run(["explain", "--db", db, "--rep", "R000001", "--period", "2027-04"])
        let lines = explained.stdout.split(separator: "\n").map(String.init)
        // April's credits, renewals at full value here, are 113,262.42: 1% is 1,132.62.
        #expect(lines.contains("  small                0.00 USD   formula if bookings < 1000 USD then 1 USD else 0 USD   [\(plan):8:3]"), "\(explained.stdout)")
        #expect(lines.contains("  cdata                0.00 USD   formula if bookings < 5 USD then 2 USD else 0 USD   [\(plan):11:3]"))
        #expect(lines.contains("  commented         1132.62 USD   formula bookings * 1%   [\(plan):15:3]"))
    }
}
