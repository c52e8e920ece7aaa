import CompDiagnostics
import Foundation
import PlanLanguage
import PlanModel
import PlanXML
import Testing

/// An XML plan means what the same plan in the plan language means, and the two convert both ways
/// without loss.
@Suite struct XMLRoundTrip {
    @Test func everyExamplePlanIsCovered() {
        #expect(examplePlans().count >= 17)
    }

    @Test(arguments: examplePlans())
    func planToXMLToPlanGivesTheSameModel(path: String) throws {
        let original = PlanChecker.check(path: path)
        let plan = try #require(original.plan, "\(original.rendered())")
        let exported = XMLPlans.export(path: path)
        let xml = try #require(exported.xml)
        #expect(XMLPlans.validate(bytes: Array(xml.utf8), path: "export.xml").isEmpty)
        // Beside the plan, so that a <use> path resolves the same way.
        let xmlPath = String(path.dropLast(".plan".count)) + ".xml"
        let checked = XMLPlans.check(bytes: Array(xml.utf8), path: xmlPath, loader: XMLPlans.readFile)
        let lowered = try #require(checked.plan, "\(checked.rendered())")
        #expect(meaning(lowered) == meaning(plan))
        #expect(lowered.files.first == xmlPath)
        #expect(checked.diagnostics.map(\.message) == original.diagnostics.map(\.message))
    }

    /// Parameters where the plan language asks for a constant (a tier's rate and bounds, a
    /// clawback's share and window) export to XML that validates and reads back the same: the
    /// export had failed its own validation (exit 70).
    @Test func parametersInTiersAndClawbacksRoundTrip() throws {
        let directory = NSTemporaryDirectory() + "comp-xml-param-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/p.plan"
        try Data(
            """
            plan "P" {
              currency USD
              period month
              param cut = 50%
              param top_rate = 10%
              param share = 50%
              param days = 90
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              quota bookings per month
              table tiers marginal on attainment {
                up to cut     : 3%
                cut and above : top_rate
              }
              component commission = tiers(bookings, quota(bookings))
              param start_amt = 2000 USD
              table ramp interpolated on amount {
                up to 1000 USD       : 0 USD
                1000 USD to 3000 USD : start_amt -> 3000 USD
                3000 USD and above   : top_amt
              }
              param top_amt = 3000 USD
              component ramp_bonus = ramp(bookings)
              clawback {
                charge original_period
                share share
                window days days
              }
            }

            """.utf8
        ).write(to: URL(fileURLWithPath: path))
        try planToXMLToPlanGivesTheSameModel(path: path)
        try xmlToPlanToXMLIsByteIdentical(path: path)
        let xml = try #require(XMLPlans.export(path: path).xml)
        #expect(xml.contains("rate=\"top_rate\""))
        #expect(xml.contains("window-days=\"days\""))
        // A money parameter starting an interpolated tier is an amount, as its end value says.
        #expect(xml.contains("amount=\"start_amt\" end-amount=\"3000 USD\""))
        #expect(xml.contains("from=\"3000 USD\" amount=\"top_amt\""))
    }

    /// What the plan language takes and the schema had not: a parameter whose value names an
    /// earlier parameter, a double negation (`- -5%`), and a yearly plan's draw periods (years).
    /// Their export had failed its own validation (exit 70).
    @Test func parameterAliasesNegationsAndYearlyDrawsRoundTrip() throws {
        let directory = NSTemporaryDirectory() + "comp-xml-alias-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/p.plan"
        try Data(
            """
            plan "YD" {
              currency USD
              period year
              param base = 3%
              param top = base
              param off = - -1%
              param neg = -(base)
              param odd = -(-1%)
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              component c = bookings * top + bookings * off + bookings * neg + bookings * odd
              draw d {
                type recoverable
                amount 2000 USD
                periods 2027 to 2028
                recovery_start 2029
              }
            }

            """.utf8
        ).write(to: URL(fileURLWithPath: path))
        try planToXMLToPlanGivesTheSameModel(path: path)
        try xmlToPlanToXMLIsByteIdentical(path: path)
        let xml = try #require(XMLPlans.export(path: path).xml)
        #expect(xml.contains("<param name=\"top\" value=\"base\"/>"))
        #expect(xml.contains("<param name=\"off\" value=\"1%\"/>"))
        #expect(xml.contains("<param name=\"neg\" value=\"-base\"/>"))
        #expect(xml.contains("<param name=\"odd\" value=\"1%\"/>"))
        #expect(xml.contains("from=\"2027\" to=\"2028\" recovery-start=\"2029\""))
    }

    /// Negated parameters, brackets and double signs in tiers, shares, windows and levels (all
    /// accepted by `check`) export to XML that validates and reads back the same: the export had
    /// stopped with "internal error: the exported XML does not validate". A negative lower bound
    /// comes back in brackets: on a tier line of its own, its sign had continued the tier above.
    @Test func negatedAndBracketedConstantsRoundTrip() throws {
        let directory = NSTemporaryDirectory() + "comp-xml-neg-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/p.plan"
        try Data(
            """
            plan "NEG" {
              currency USD
              period month
              param penalty = 2%
              param m = 10 USD
              param r = 1%
              credit sales { amount fx(txn.amount) to managers 001 levels }
              measure bookings = sum(sales)
              table t retroactive on amount {
                up to 1000 USD     : -penalty
                1000 USD and above : (5%)
              }
              table u retroactive on amount {
                up to (-1000 USD)    : - -1%
                (-1000 USD) to 0 USD : 2%
                0 USD and above      : 3%
              }
              table w interpolated on amount {
                0 USD to 1000 USD : 1% -> -r
              }
              table mt retroactive on amount {
                up to 1000 USD     : -m
                1000 USD and above : 5 USD
              }
              component c = t(bookings) + u(bookings) + w(bookings) + mt(bookings)
              holdback (10%) of c release quarter_end
              clawback { charge original_period share (50%) window (90) days }
            }

            """.utf8
        ).write(to: URL(fileURLWithPath: path))
        try planToXMLToPlanGivesTheSameModel(path: path)
        try xmlToPlanToXMLIsByteIdentical(path: path)
        let xml = try #require(XMLPlans.export(path: path).xml)
        for expected in [
            "<to recipient=\"managers\" levels=\"1\"/>", "<tier to=\"1000 USD\" rate=\"-penalty\"/>", "<tier from=\"1000 USD\" rate=\"5%\"/>",
            "<tier to=\"-1000 USD\" rate=\"1%\"/>", "<tier from=\"-1000 USD\" to=\"0 USD\" rate=\"2%\"/>",
            "<tier from=\"0 USD\" to=\"1000 USD\" rate=\"1%\" end-rate=\"-r\"/>", "<tier to=\"1000 USD\" amount=\"-m\"/>",
            "<clawback charge=\"original_period\" share=\"50%\" window-days=\"90\"/>", "<holdback share=\"10%\" target=\"c\" release=\"quarter_end\"/>",
        ] {
            #expect(xml.contains(expected), "\(expected)")
        }
        // An error in a negative lower bound is at its place in the XML.
        let broken = xml.replacingOccurrences(of: "<tier from=\"-1000 USD\" to=\"0 USD\"", with: "<tier from=\"-nope\" to=\"0 USD\"")
        let checked = XMLPlans.check(bytes: Array(broken.utf8), path: directory + "/b.xml", loader: XMLPlans.readFile)
        let line = broken.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("-nope") }.map { $0 + 1 } ?? 0
        #expect(checked.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.message)" } == ["\(line):18 unknown name 'nope'"])
    }

    /// Leading zeros, money tiers in brackets or negated, a money table of parameters, and an
    /// override's levels written `01` (all accepted by `check`) export to XML that validates and
    /// reads back byte for byte: a money value in brackets had been written as a rate (an
    /// internal error), `levels="01"` refused, `02` read back as `2`, and a table of money
    /// parameters read back as rates.
    @Test func moneyTiersParametersAndLeadingZerosRoundTrip() throws {
        let directory = NSTemporaryDirectory() + "comp-xml-zeros-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/p.plan"
        try Data(
            """
            plan "Z" {
              currency USD
              period month
              fiscal_year_start 03
              param small = 100 USD
              param base = 500 USD
              param large = base
              credit sales { amount fx(txn.amount) to managers 1 levels }
              measure bookings = sum(sales)
              table steps retroactive on amount {
                up to 1000 USD     : (0 USD)
                1000 USD and above : -(200 USD)
              }
              table named retroactive on amount {
                up to 1000 USD     : small
                1000 USD and above : large
              }
              component c = steps(bookings) + named(bookings) round half_even 02
              component ovr = override 2% of sales levels 01
            }

            """.utf8
        ).write(to: URL(fileURLWithPath: path))
        try planToXMLToPlanGivesTheSameModel(path: path)
        try xmlToPlanToXMLIsByteIdentical(path: path)
        let xml = try #require(XMLPlans.export(path: path).xml)
        for expected in [
            "fiscal-year-start=\"3\"", "<tier to=\"1000 USD\" amount=\"0 USD\"/>", "<tier from=\"1000 USD\" amount=\"-200 USD\"/>",
            "<tier to=\"1000 USD\" amount=\"small\"/>", "<tier from=\"1000 USD\" amount=\"large\"/>", "round=\"half_even\" digits=\"2\"",
            "<override credit=\"sales\" levels=\"1\">",
        ] {
            #expect(xml.contains(expected), "\(expected)")
        }
        // The parameters of a library the plan uses decide too.
        try Data("library L {\n  param small = 100 USD\n  param large = 200 USD\n}\n".utf8).write(to: URL(fileURLWithPath: directory + "/lib.plan"))
        try Data(
            ("use \"lib.plan\"\nplan \"U\" {\n  currency USD\n  period month\n  credit sales { amount fx(txn.amount) }\n  measure bookings = sum(sales)\n"
                + "  table named retroactive on amount {\n    up to 1000 USD     : small\n    1000 USD and above : large\n  }\n"
                + "  component c = named(bookings)\n}\n").utf8
        ).write(to: URL(fileURLWithPath: directory + "/u.plan"))
        let used = try #require(XMLPlans.export(path: directory + "/u.plan").xml)
        #expect(used.contains("<tier to=\"1000 USD\" amount=\"small\"/>") && used.contains("<tier from=\"1000 USD\" amount=\"large\"/>"), "\(used)")
    }

    /// A table's tiers on one XML line (as other tools write XML) check as on lines of their own:
    /// `… rate="lo"/><tier from="-1000 USD" …` had been read as a call of `lo`, and a gate
    /// ending in a name likewise; an error after them is still at its XML column.
    @Test func tiersOnOneXMLLineAreTiers() throws {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plan id=\"OL\"><header currency=\"USD\" period=\"month\"/>"
            + "<param name=\"lo\" value=\"1%\"/><param name=\"lim\" value=\"5 USD\"/><credit name=\"sales\"><amount>fx(txn.amount)</amount></credit>"
            + "<measure name=\"bookings\" aggregate=\"sum\" credit=\"sales\"/><table name=\"t\" mode=\"marginal\" on=\"amount\">"
            + "<tier to=\"-1000 USD\" rate=\"lo\"/><tier from=\"-1000 USD\" to=\"-500 USD\" rate=\"2%\"><if>bookings > lim</if></tier>"
            + "<tier from=\"-500 USD\" to=\"0 USD\" rate=\"2%\"/><tier from=\"0 USD\" rate=\"lo\"/></table>"
            + "<component name=\"c\"><formula>t(bookings)</formula></component></plan>\n"
        #expect(errors(xml) == [])
        let broken = xml.replacingOccurrences(of: "<formula>t(bookings)", with: "<formula>t(bookingz)")
        let column = broken.split(separator: "\n")[1].utf8.count - "bookingz)</formula></component></plan>".utf8.count + 1
        #expect(errors(broken) == ["plan.xml:2:\(column): unknown name 'bookingz'"])
        // Tiers on lines of their own (negative bounds too) keep the XML's lines: a line a message
        // quotes is the XML's (a line had been added before each tier, and "its cap at line 16"
        // said of a cap on line 13).
        let lines = """
            <?xml version="1.0" encoding="UTF-8"?>
            <plan id="OL">
              <header currency="USD" period="month"/>
              <credit name="sales"><amount>fx(txn.amount)</amount></credit>
              <measure name="bookings" aggregate="sum" credit="sales"/>
              <table name="t" mode="marginal" on="amount">
                <tier to="-1000 USD" rate="1%"/>
                <tier from="-1000 USD" to="2000 USD" rate="2%"/>
                <tier from="2000 USD" rate="3%"/>
              </table>
              <component name="a"><formula>t(bookings)</formula></component>
              <component name="b"><formula>a * 10%</formula></component>
              <cap target="a">100 USD</cap>
            </plan>

            """
        let warnings = XMLPlans.check(bytes: Array(lines.utf8), path: "plan.xml").diagnostics.map { "\($0.location): \($0.message)" }
        #expect(
            warnings == [
                "plan.xml:12:32: a is read here as computed, before its cap at line 13: caps and floors bound what is paid, once every "
                    + "component is computed"
            ], "\(warnings)")
    }

    /// Comments on a `match` arm (kept by `fmt`) are not carried into the XML: the exported
    /// element had held `# renewals count half`, and its own import refused it.
    @Test func commentsInAMatchAreNotExported() throws {
        let directory = NSTemporaryDirectory() + "comp-xml-match-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/p.plan"
        try Data(
            """
            plan "M" {
              currency USD
              period month
              credit sales {
                amount fx(txn.amount)
                weight match txn.kind {
                  # new business counts whole
                  "new"     => 100%
                  "renewal" => 50%  # renewals count half
                  else      => 0%
                }
              }
              measure bookings = sum(sales)
              component commission = bookings * 5%
            }

            """.utf8
        ).write(to: URL(fileURLWithPath: path))
        try planToXMLToPlanGivesTheSameModel(path: path)
        try xmlToPlanToXMLIsByteIdentical(path: path)
        let xml = try #require(XMLPlans.export(path: path).xml)
        #expect(!xml.contains("#"))
        #expect(xml.contains("    \"renewal\" => 50%\n"))
        // `fmt` keeps them.
        let formatted = try #require(PlanFormatter.format(SourceFile(path: path, bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))).text)
        #expect(formatted.contains("\"renewal\" => 50%  # renewals count half"))
        #expect(formatted.contains("      # new business counts whole\n"))
    }

    @Test(arguments: examplePlans())
    func xmlToPlanToXMLIsByteIdentical(path: String) throws {
        let xml = try #require(XMLPlans.export(path: path).xml)
        let xmlPath = String(path.dropLast(".plan".count)) + ".xml"
        let (text, result) = XMLPlans.planText(bytes: Array(xml.utf8), path: xmlPath)
        let planText = try #require(text, "\(result.rendered())")
        // The imported plan is formatted as `comp fmt` would write it.
        #expect(PlanFormatter.format(SourceFile(path: "imported.plan", text: planText)).text == planText)
        let (syntax, diagnostics) = PlanSyntax.parse(SourceFile(path: "imported.plan", text: planText))
        let reparsed = try #require(syntax, "\(diagnostics)")
        #expect(XMLPlans.export(reparsed) == xml)
    }

    @Test func exampleXMLFilesAreTheCurrentExportAndMeanTheSame() throws {
        let directory = repositoryRoot.appendingPathComponent("Plans/examples/xml").path
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".xml") }.sorted()
        #expect(files.count >= 3)
        for file in files {
            let xmlPath = directory + "/" + file
            let planPath = repositoryRoot.appendingPathComponent("Plans/examples/" + file.dropLast(4) + ".plan").path
            let stored = try String(contentsOfFile: xmlPath, encoding: .utf8)
            #expect(XMLPlans.export(path: planPath, outputPath: xmlPath).xml == stored, "\(file): run comp export-plan again")
            let fromXML = XMLPlans.check(path: xmlPath)
            let fromPlan = PlanChecker.check(path: planPath)
            let lowered = try #require(fromXML.plan, "\(fromXML.rendered())")
            #expect(meaning(lowered) == meaning(try #require(fromPlan.plan)))
        }
    }

    @Test func spansPointIntoTheXMLFile() throws {
        let path = repositoryRoot.appendingPathComponent("Plans/examples/xml/ae-standard.xml").path
        let plan = try #require(XMLPlans.check(path: path).plan)
        let source = SourceFile(path: path, bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))
        let text = String(decoding: source.bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        func line(_ span: SourceSpan) -> String { String(text[source.line(containing: span.range.start) - 1]) }
        #expect(line(plan.components[0].span) == "  <component name=\"commission\" round=\"half_even\" digits=\"2\">")
        #expect(line(plan.tables[0].tiers[2].span) == "    <tier from=\"100%\" to=\"150%\" rate=\"10%\"/>")
        #expect(line(plan.limits[0].span) == "  <cap target=\"total\" per=\"period\">round(3 * rep.target_incentive / 12, 2, half_even)</cap>")
        #expect(source.location(of: plan.measures[0].span.range.start).column == 3)
    }

    /// A declaration after a line whose plan text is longer than its XML (`per period` written
    /// after the expression) is located at its element, as is `plan` after `use` lines: the
    /// second cap had been located at 34:6, mid-word, and the plan at the end of the `use` line.
    @Test func declarationsAfterALongLineAreLocatedAtTheirElements() throws {
        let xml = planXML(
            """
              <credit name="sales">
                <amount>fx(txn.amount)</amount>
              </credit>
              <measure name="bookings" aggregate="sum" credit="sales"/>
              <component name="a">
                <formula>bookings * 1%</formula>
              </component>
              <cap target="a" per="period">bookings * 3</cap>
              <cap target="total" per="period">bookings * 2</cap>
              <floor target="total" per="period">0 USD</floor>
            """, header: "<use path=\"lib.plan\"/>\n  <header currency=\"USD\" period=\"month\"/>")
        let directory = NSTemporaryDirectory() + "comp-xml-shift-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data("library lib {\n  param unused = 1\n}\n".utf8).write(to: URL(fileURLWithPath: directory + "/lib.plan"))
        let path = directory + "/plan.xml"
        let checked = XMLPlans.check(bytes: Array(xml.utf8), path: path, loader: XMLPlans.readFile)
        let plan = try #require(checked.plan, "\(checked.rendered())")
        let source = SourceFile(path: path, bytes: Array(xml.utf8))
        func at(_ span: SourceSpan) -> String {
            let location = source.location(of: plan.sourceOffset(span.range.start, file: span.file))
            return "\(location.line):\(location.column)"
        }
        #expect(plan.limits.map { at($0.span) } == ["12:3", "13:3", "14:3"])
        #expect(at(plan.span) == "2:1")
    }

    @Test func exportEscapesTextAndAttributes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("xml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("escapes.plan").path
        try Data(
            """
            plan "A&B" "Sales <EMEA> \\"Q\\" & more" {
              currency USD
              period month
              credit sales {
                where txn.kind != "a<b&c"
                amount fx(txn.amount)
              }
              measure bookings = sum(sales)
              component commission = bookings * 5% when bookings < 1000 USD
            }

            """.utf8
        ).write(to: URL(fileURLWithPath: path))
        let xml = try #require(XMLPlans.export(path: path).xml)
        #expect(xml.contains("<plan id=\"A&amp;B\" name=\"Sales &lt;EMEA> &quot;Q&quot; &amp; more\">"))
        #expect(xml.contains("<where>txn.kind != \"a&lt;b&amp;c\"</where>"))
        #expect(xml.contains("<formula>bookings * 5% when bookings &lt; 1000 USD</formula>"))
        let lowered = try #require(XMLPlans.check(bytes: Array(xml.utf8), path: "escapes.xml").plan)
        #expect(meaning(lowered) == meaning(try #require(PlanChecker.check(path: path).plan)))
        #expect(lowered.displayName == "Sales <EMEA> \"Q\" & more")
    }
}

@Suite struct XMLSchemaFile {
    @Test func embeddedSchemaEqualsTheFile() throws {
        let file = try Data(contentsOf: repositoryRoot.appendingPathComponent("Plans/schema/plan.xsd"))
        // Compared as text (a failure then prints a readable difference), then byte for byte.
        #expect(String(decoding: file, as: UTF8.self) == PlanSchema.text, "run scripts/embed-schema.sh")
        #expect(file.count == PlanSchema.text.utf8.count && file.elementsEqual(PlanSchema.text.utf8))
    }

    @Test func theSchemaImportsAndIncludesNothing() {
        #expect(!PlanSchema.text.contains("xs:import"))
        #expect(!PlanSchema.text.contains("xs:include"))
        #expect(!PlanSchema.text.contains("xs:redefine"))
    }
}

/// `xs:boolean` attributes read as the schema reads them, with the white space it collapses:
/// `optional=" true "` and `overlay="true "` passed validation and had been imported as false.
@Suite struct XMLBooleans {
    @Test func booleansWithWhiteSpaceReadAsTheSchemaReadsThem() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <plan id="B" name="b">
              <header currency="USD" period="month"/>
              <attribute scope="txn" name="seg" type="text" optional=" true "/>
              <attribute scope="txn" name="tag" type="text" optional=" 0"/>
              <credit name="sales">
                <where>txn.seg != "Z" and txn.tag != "Y"</where>
                <amount>fx(txn.amount)</amount>
                <to recipient="splits" overlay="true "/>
              </credit>
              <measure name="bookings" aggregate="sum" credit="sales"/>
              <component name="c">
                <formula>bookings * 10%</formula>
              </component>
            </plan>
            """
        let (text, result) = XMLPlans.planText(bytes: Array(xml.utf8), path: "b.xml")
        let plan = try #require(text, "\(result.rendered())")
        #expect(plan.contains("  attribute txn.seg: text optional\n"), "\(plan)")
        #expect(plan.contains("  attribute txn.tag: text\n"), "\(plan)")
        #expect(plan.contains("    to splits overlay\n"), "\(plan)")
    }

    /// Errors in the texts of `version` and of an input's `file` and `column` are at their
    /// characters, character references counted as the XML writes them (they had been a column
    /// late and off by each reference's length); a NEL in the plan id is one error, the string's.
    @Test func errorsInAttributeTextsAreAtTheirColumns() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <plan id="V&#x85;" name="v">
              <header currency="USD" period="month" version="a&#x85;b&#x85;c"/>
              <input name="mbo" file="m&#x85;.csv" column="s&#x85;" type="rate"/>
              <credit name="sales">
                <amount>fx(txn.amount)</amount>
              </credit>
              <measure name="bookings" aggregate="sum" credit="sales"/>
              <component name="c">
                <formula>bookings * mbo</formula>
              </component>
            </plan>
            """
        let checked = XMLPlans.check(bytes: Array(xml.utf8), path: "v.xml", loader: XMLPlans.readFile)
        #expect(checked.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.id.rawValue)" } == [
            "2:12 plan.controlCharacterInString", "3:51 plan.controlCharacterInString", "3:58 plan.controlCharacterInString",
            "4:28 plan.controlCharacterInString", "4:49 plan.controlCharacterInString",
        ], "\(checked.rendered())")
    }

    /// A carriage return written as a reference in an attribute (`&#13;`, `&#xD;`) is said as what
    /// it is, at its reference: it had been written into the plan text as `\r`, and reported as an
    /// escape the author never wrote (found by fuzzing). A line feed and a tab are escapes.
    @Test func aCarriageReturnReferenceInAnAttributeIsSaidAtIt() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <plan id="C" name="a&#10;b&#13;c&#9;d&#xD;">
              <header currency="USD" period="month"/>
              <credit name="sales">
                <amount>fx(txn.amount)</amount>
              </credit>
              <measure name="bookings" aggregate="sum" credit="sales"/>
              <component name="c">
                <formula>bookings * 7%</formula>
              </component>
            </plan>
            """
        let checked = XMLPlans.check(bytes: Array(xml.utf8), path: "c.xml", loader: XMLPlans.readFile)
        #expect(checked.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.id.rawValue) \($0.message)" } == [
            "2:27 xml.invalid a carriage return written as a reference (&#13;) cannot stand in a string; remove it",
            "2:38 xml.invalid a carriage return written as a reference (&#13;) cannot stand in a string; remove it",
        ], "\(checked.rendered())")
        // Without them the name is read with its line break and tab.
        let fixed = xml.replacingOccurrences(of: "&#13;", with: "").replacingOccurrences(of: "&#xD;", with: "")
        let plan = try #require(XMLPlans.check(bytes: Array(fixed.utf8), path: "c.xml", loader: XMLPlans.readFile).plan)
        #expect(plan.displayName == "a\nbc\td")
    }

    /// An element of another namespace (an XInclude) is said at its prefixed name, not at column 1.
    @Test func aNamespacedElementIsSaidAtItsName() {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <plan id="X" name="x" xmlns:xi="http://www.w3.org/2001/XInclude">
              <xi:include href="/etc/passwd" parse="text"/>
            </plan>
            """
        let checked = XMLPlans.check(bytes: Array(xml.utf8), path: "x.xml", loader: XMLPlans.readFile)
        #expect(checked.diagnostics.first.map { "\($0.location.line):\($0.location.column) \($0.message)" }
            == "3:4 element <{http://www.w3.org/2001/XInclude}include> is not expected here; expected one of <use>, <header>",
            "\(checked.rendered())")
    }

    /// Integers as the schema takes them (`+2`, `002`, blanks around) read as the number: they
    /// had passed the schema and then been refused as "expected a month number, found '+'".
    @Test func integersReadAsTheSchemaReadsThem() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <plan id="I" name="i">
              <header currency="USD" period="month" fiscal-year-start=" +02 "/>
              <credit name="sales">
                <amount>fx(txn.amount)</amount>
              </credit>
              <measure name="bookings" aggregate="sum" credit="sales" round="half_even" digits="+2"/>
              <component name="c" round="floor" digits="000">
                <formula>bookings * 10%</formula>
              </component>
            </plan>
            """
        let (text, result) = XMLPlans.planText(bytes: Array(xml.utf8), path: "i.xml")
        let plan = try #require(text, "\(result.rendered())")
        #expect(plan.contains("  fiscal_year_start 2\n"), "\(plan)")
        #expect(plan.contains("  measure bookings = sum(sales) round half_even 2\n"), "\(plan)")
        #expect(plan.contains("  component c = bookings * 10% round floor 0\n"), "\(plan)")
        #expect(XMLPlans.check(bytes: Array(xml.utf8), path: "i.xml", loader: XMLPlans.readFile).diagnostics.isEmpty)
    }
}
