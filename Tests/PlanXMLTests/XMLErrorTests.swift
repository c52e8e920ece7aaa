import CompDiagnostics
import Foundation
import PlanLanguage
import PlanModel
import PlanXML
import Testing

/// Schema violations in words a comp admin understands, and semantic errors found after
/// validation, each with the XML file's line and column.
@Suite struct XMLErrors {
    let sales = """
          <credit name="sales">
            <amount>fx(txn.amount)</amount>
          </credit>
          <measure name="bookings" aggregate="sum" credit="sales"/>
        """

    /// The schema takes the levels comp takes (1 to 32, or all): it had taken up to 999, and
    /// leading zeros were refused by it while comp read them.
    @Test func levelsAreOneToThirtyTwoOrAll() {
        func plan(_ levels: String) -> String {
            planXML("  <credit name=\"team\">\n    <amount>fx(txn.amount)</amount>\n    <to recipient=\"managers\" levels=\"\(levels)\"/>\n  </credit>\n"
                + "  <measure name=\"b\" aggregate=\"sum\" credit=\"team\"/>\n  <component name=\"c\"><formula>b * 1%</formula></component>\n")
        }
        for good in ["1", "9", "10", "29", "32", "all"] { #expect(errors(plan(good)) == [], "\(good)") }
        for bad in ["0", "33", "99", "999", "01"] {
            #expect(
                errors(plan(bad)) == ["plan.xml:6:38: attribute 'levels' of <to>: '\(bad)' is not a number of levels; write a number of levels from 1 to 32, or all"],
                "\(errors(plan(bad)))")
        }
    }

    /// A raw '&' and a reference XML does not know are said at the '&' (libxml2 says them past
    /// the name), with how to write '&' itself (libxml2's words alone had been said).
    @Test func aRawAmpersandIsSaidAtItWithTheFix() {
        let raw = planXML("  <param name=\"k\" value=\"1\"/>\n  <input name=\"R&D\" file=\"m.csv\" column=\"s\" type=\"rate\"/>\n" + sales)
        #expect(
            errors(raw) == [
                "plan.xml:5:17: the XML is not well-formed: EntityRef: expecting ';': a '&' starts a reference such as &amp;; "
                    + "to write '&' itself, write &amp;"
            ])
        // libxml2 counts characters: after "für" and "—" on the line, and a right '&amp;' before it.
        let wide = planXML("  <input name=\"für &amp; — R&D\" file=\"m.csv\" column=\"s\" type=\"rate\"/>\n" + sales)
        #expect(errors(wide).map { $0.prefix(15) } == ["plan.xml:4:29: "], "\(errors(wide))")
        let unknown = planXML("  <param name=\"k\" value=\"&foo;\"/>\n" + sales)
        #expect(
            errors(unknown) == [
                "plan.xml:4:26: the XML is not well-formed: Entity 'foo' not defined: XML knows only &amp; &lt; &gt; &quot; &apos; "
                    + "and numeric references (&#38;); to write '&' itself, write &amp;"
            ])
    }

    /// An input table holds a number per rep and period: the schema takes count, rate or money
    /// for its type (text, date and bool had validated, and the plan paid 0).
    @Test func anInputTableIsANumber() {
        let xml = planXML("  <input name=\"score\" file=\"mbo.csv\" column=\"score\" type=\"text\"/>\n" + sales)
        #expect(errors(xml) == ["plan.xml:4:59: attribute 'type' of <input>: 'text' is not allowed; write one of count, rate, money"])
    }

    /// A parameter's value may name an earlier parameter, but a word of the language is no value:
    /// said at the attribute (it had read on into the next element).
    @Test func aLanguageWordAsAParameterValueIsSaidAtTheAttribute() {
        let xml = planXML("  <param name=\"k\" value=\"not\"/>\n" + sales)
        #expect(
            errors(xml) == [
                "plan.xml:4:26: 'not' is a word of the plan language, not a value; write a number (3), a percentage (5%), an amount "
                    + "(150 USD), a date, a quoted string (\"text\", written &quot;text&quot; in an attribute), true, false, or the name of a parameter declared before it"
            ])
    }

    /// A fiscal year's first month is a named type with words of its own (libxml2's "not a valid
    /// value of the local atomic type" had been shown).
    @Test func aFiscalYearStartThatIsNoMonthSaysSo() {
        let header = { (value: String) in "<header currency=\"USD\" period=\"month\" fiscal-year-start=\"\(value)\"/>" }
        #expect(
            errors(planXML(sales, header: header("abc"))) == [
                "plan.xml:3:60: attribute 'fiscal-year-start' of <header>: 'abc' is not a month number; write 1 to 12 (1 is January)"
            ])
        #expect(
            errors(planXML(sales, header: header("13"))) == [
                "plan.xml:3:60: attribute 'fiscal-year-start' of <header>: '13' is out of range; write a value at most 12"
            ])
        #expect(errors(planXML(sales, header: header("4"))).isEmpty)
    }

    /// `<` and `&` in an expression must be written `&lt;` and `&amp;` (or in CDATA): the plan
    /// text is one character shorter for each, so an error after one had a column 3 or 4 too far
    /// left. Errors point at the XML's own columns, past entities, CDATA markers and comments.
    @Test func columnsPastEntitiesCDATAAndComments() {
        let xml = planXML(sales + """

              <component name="a">
                <formula>if bookings &lt; 1000 USD then bookingz else 0 USD</formula>
              </component>
              <component name="b">
                <formula><![CDATA[if bookings < 5 USD then bokings else 0 USD]]></formula>
              </component>
              <component name="c">
                <formula>bookings <!-- per deal --> * rat</formula>
              </component>
              <component name="d">
                <formula>if bookings &gt; 0 USD and
              bookings &lt; 9 USD then 1 USD else zero</formula>
              </component>
            """)
        // Where each misspelt name is in the XML text itself (all ASCII: columns are bytes).
        func at(_ word: String) -> String {
            let lines = xml.split(separator: "\n", omittingEmptySubsequences: false)
            for (number, line) in lines.enumerated() {
                if let range = line.range(of: word) { return "plan.xml:\(number + 1):\(line.distance(from: line.startIndex, to: range.lowerBound) + 1)" }
            }
            return "?"
        }
        #expect(at("bookingz") == "plan.xml:9:45")  // after `&lt;`: the plan text's column was 42
        #expect(
            errors(xml) == [
                "\(at("bookingz")): unknown name 'bookingz'", "\(at("bokings")): unknown name 'bokings'",
                "\(at("rat</")): unknown name 'rat'",
                "\(at("zero")): unknown name 'zero'",
            ])
    }

    /// A line break written as a reference (`&#10;`, `&#xA;`) is not a line of the XML: the names
    /// after it are at their own columns of that line (they had been put at the next lines, one
    /// under another element, one past the end of the file), and the next element's at its own.
    @Test func lineBreaksWrittenAsReferences() {
        let xml = planXML(sales + """

              <component name="c"><formula>bookings &#10;* zz + &#xA;&#10; yy</formula></component>
              <component name="d"><formula>qq</formula></component>
            """)
        #expect(errors(xml) == ["plan.xml:8:48: unknown name 'zz'", "plan.xml:8:64: unknown name 'yy'", "plan.xml:9:32: unknown name 'qq'"])
        // It means what a space means: the plan checks, and computes bookings × 2.
        let valid = planXML(sales + "\n  <component name=\"c\"><formula>bookings&#10;*&#10;2</formula></component>\n")
        #expect(errors(valid).isEmpty)
    }

    /// The cases a first handling of `&#10;` missed: after an escaped backslash in a string, after
    /// an `&` inside a CDATA section, and inside a string (an error of its own, not a second
    /// "unterminated string" on the next element's line); a parse error's "on line N" is the XML's
    /// line; what does not lex is said with the structure errors; a caret covers a reference.
    @Test func referencesStringsAndCDATAInExpressions() {
        let escaped = planXML(
            "  <credit name=\"sales\">\n    <amount>fx(txn.amount)</amount>\n"
                + "    <weight>match txn.kind {&#10;\"a\\\\\" => 100%&#10;else => nosuch&#10;}</weight>\n  </credit>\n")
        #expect(errors(escaped) == ["plan.xml:6:60: unknown name 'nosuch'"])
        let cdata = planXML(sales + "\n  <component name=\"c\"><formula><![CDATA[bookings + \"a&b;\"]]> +&#10;  nosuch</formula></component>\n")
        #expect(errors(cdata).contains("plan.xml:8:70: unknown name 'nosuch'"), "\(errors(cdata))")
        let inString = planXML(sales + "\n  <component name=\"c\"><formula>if rep.name == \"A&#10;B\" then 1 USD else 0 USD</formula></component>\n")
        #expect(errors(inString) == [
            "plan.xml:8:49: a line break written as a reference (&#10;) cannot stand in a string; write \\n in the string instead"
        ])
        let lines = planXML(sales + "\n  <component name=\"c\"><formula>(bookings\n    + 1 USD\n    2 USD)</formula></component>\n")
        #expect(errors(lines) == ["plan.xml:9:12: expected ')', found number 2 on line 10"])
        let lexed = planXML(sales + "\n  <component name=\"c\"><formula>bookings $ 2</formula></component>\n",
                            header: "<header currency=\"USD\" period=\"month\" effective-to=\"2027-12-31\"/>")
        #expect(errors(lexed).count == 2 && errors(lexed).contains("plan.xml:8:41: invalid character '$'"), "\(errors(lexed))")
        let reference = planXML(sales + "\n  <component name=\"c\"><formula>bookings * &lt;= 1 USD</formula></component>\n")
        let result = XMLPlans.check(bytes: Array(reference.utf8), path: "plan.xml")
        #expect(result.diagnostics.first.map { ($0.range?.end ?? 0) - ($0.range?.start ?? 0) } == 5)  // `&lt;=`
    }

    /// Blanks written as references before an expression are trimmed with its text: its errors are
    /// at their own columns (each had been a reference's length back, inside it), and "found the
    /// end of" points just past a last character written as a reference, not inside it.
    @Test(arguments: [
        ("&#10;x * * 2", "plan.xml:8:41: expected an expression, found '*'"),
        ("&#32;bookings * bookingz", "plan.xml:8:48: unknown name 'bookingz'"),
        ("&#x0A;&#9;bookings * &#10; * 5%", "plan.xml:8:59: expected an expression, found '*'"),
        ("round(bookings, &#50;", "plan.xml:8:53: expected ',' or ')', found the end of <formula>"),
        ("<![CDATA[ ]]>&#10;bookings * bookingz", "plan.xml:8:61: unknown name 'bookingz'"),
        // A no-break space is no XML blank: it stays in the text, and is named where it is.
        ("&#160;bookings * bookingz", "plan.xml:8:32: invalid character '\u{A0}' (U+00A0)"),
    ])
    func blanksWrittenAsReferencesBeforeAnExpression(formula: String, said: String) {
        let xml = planXML(sales + "\n  <component name=\"c\"><formula>\(formula)</formula></component>\n")
        #expect(errors(xml) == [said])
    }

    /// A CDATA section left open is said in words (libxml2 quoted the rest of the file).
    @Test func anOpenCDATASectionIsSaidInWords() throws {
        let xml = planXML(sales + "\n  <component name=\"c\"><formula>round(bookings, 2<![CDATA[)</formula></component>\n")
        // Said where it opens (libxml2 put it at the end of the file), without the rest of the file.
        #expect(errors(xml) == ["plan.xml:8:49: the XML is not well-formed: a CDATA section (<![CDATA[) is not closed: no ]]> before the end of the file"])
        // An `&` inside a CDATA section is itself: a caret after it does not stretch to a later `;`.
        let cdata = planXML(sales + "\n  <component name=\"c\"><formula><![CDATA[bookings & 1]]><!-- a; b --></formula></component>\n")
        let result = XMLPlans.check(bytes: Array(cdata.utf8), path: "plan.xml")
        let ampersand = try #require(result.diagnostics.first)
        #expect(ampersand.location.column == 50 && (ampersand.range.map { $0.end - $0.start } ?? 0) == 1, "\(result.rendered())")
    }

    /// A character refused in a display name or plan name written as a reference is said at the
    /// reference, its caret over all of it (they had been placed as if each decoded character were
    /// one of the XML's: 8:40 and 8:44 for references at 8:39 and 8:48).
    @Test func referencesInAttributeStringsAreAtTheirColumns() {
        let xml = planXML(sales + "\n  <component name=\"c\" display-name=\"xx&#x202E;y&#x85;z\"><formula>1 USD</formula></component>\n")
        let result = XMLPlans.check(bytes: Array(xml.utf8), path: "plan.xml")
        let located = result.diagnostics.map { "\($0.location.line):\($0.location.column) \(($0.range?.end ?? 0) - ($0.range?.start ?? 0))" }
        #expect(located == ["8:39 8", "8:48 6"], "\(result.rendered())")
        // A quote written as a reference inside a name is escaped in the literal (two bytes for
        // one character): what follows is still at its place.
        let quoted = planXML(sales + "\n  <component name=\"c\" display-name=\"a&quot;b&#x85;\"><formula>1 USD</formula></component>\n")
        #expect(errors(quoted) == ["plan.xml:8:45: a string may not contain a control character (U+0085 here); remove it"])
    }

    /// Plan text laid over the XML can run longer than its XML (an override's `of team_sales
    /// levels all` is written after its `<rate>` line): the `<when>` expression then sat 11 bytes
    /// from its XML, which errors and trace quotes must undo.
    @Test func anExpressionPushedOnByEarlierPlanText() throws {
        let path = repositoryRoot.appendingPathComponent("Plans/examples/xml/manager-override.xml").path
        let good = try String(contentsOfFile: path, encoding: .utf8)
        let xml = good.replacingOccurrences(of: "<when>team_attainment >= 100%</when>", with: "<when>team_attainmnt >= 100%</when>")
        #expect(errors(xml) == ["plan.xml:19:13: unknown name 'team_attainmnt'"])
        // The checked plan maps the expression's span back onto the XML.
        let plan = try #require(XMLPlans.check(bytes: Array(good.utf8), path: "plan.xml").plan)
        let component = try #require(plan.components.first { $0.name == "deep_override" })
        guard case .override(let override) = component.body, let threshold = override.threshold else {
            Issue.record("deep_override is not a gated override")
            return
        }
        let bytes = Array(good.utf8)
        let start = plan.sourceOffset(threshold.span.range.start, file: threshold.span.file)
        #expect(String(decoding: bytes[start..<(start + 25)], as: UTF8.self) == "team_attainment >= 100%</")
    }

    /// Two expressions on one line (minified XML): an entity in the first no longer moves the
    /// second's columns (it had been reported 3 columns too far right); a CDATA section starting
    /// with blanks and a line break is read from its first character.
    @Test func expressionsSharingALineAndCDATAWithLeadingBlanks() {
        let xml = planXML(sales + """

              <component name="o"><override credit="sales" levels="1"><rate>if bookings &gt; 0 USD then 1% else 2%</rate><when>bookngs &gt; 5 USD</when></override></component>
              <component name="c">
                <formula><![CDATA[
                  100 USD when bookings @ 20000 USD]]></formula>
              </component>
            """)
        func at(_ word: String) -> String {
            let lines = xml.split(separator: "\n", omittingEmptySubsequences: false)
            for (number, line) in lines.enumerated() {
                if let range = line.range(of: word) { return "plan.xml:\(number + 1):\(line.distance(from: line.startIndex, to: range.lowerBound) + 1)" }
            }
            return "?"
        }
        // What does not lex is said first, with the XML's structure errors; then errors of meaning.
        #expect(errors(xml) == ["\(at("@")): invalid character '@'"])
        #expect(
            errors(xml.replacingOccurrences(of: "bookings @", with: "bookings +")) == [
                "\(at("bookngs")): unknown name 'bookngs'",
                "\(at("bookings @")): 'when' needs a condition, found money (USD)",
            ])
    }

    @Test func aMissingRequiredAttribute() {
        let xml = planXML("""
              <credit name="sales">
                <amount>fx(txn.amount)</amount>
              </credit>
              <measure name="bookings" credit="sales"/>
            """)
        #expect(errors(xml) == ["plan.xml:7:4: element <measure>: attribute 'aggregate' is required"])
    }

    @Test func aRateThatIsNotARate() {
        let xml = planXML(sales + """

              <table name="tiers" mode="marginal" on="amount">
                <tier to="1000 USD" rate="12.5x"/>
                <tier from="1000 USD" rate="8%"/>
              </table>
            """)
        #expect(
            errors(xml) == [
                "plan.xml:9:31: attribute 'rate' of <tier>: '12.5x' is not a rate; write a percentage like 12.5% or a decimal like 0.125, or a parameter's name"
            ])
    }

    @Test func anElementOutOfPlace() {
        let xml = planXML(sales + """

              <component name="commission">
                <foo/>
              </component>
            """)
        #expect(
            errors(xml) == [
                "plan.xml:9:6: element <foo> is not expected here; expected one of <formula>, <spiff>, <override>, <graduated>"
            ])
    }

    @Test func aWordThatIsNotOneOfTheChoices() {
        let xml = planXML("", header: "<header currency=\"USD\" period=\"monthly\"/>")
        #expect(errors(xml) == ["plan.xml:3:34: attribute 'period' of <header>: 'monthly' is not allowed; write one of month, quarter, year"])
    }

    @Test func anIncompleteElement() {
        let xml = planXML("""
              <credit name="sales">
                <where>txn.kind == "new"</where>
              </credit>
            """)
        #expect(errors(xml) == ["plan.xml:4:4: element <credit> is incomplete: expected one of <where>, <amount>"])
    }

    @Test func aDocumentThatIsNotAPlan() {
        let xml = "<?xml version=\"1.0\"?>\n<plans>\n</plans>\n"
        #expect(errors(xml) == ["plan.xml:2:2: the root element is <plans>; an XML plan has <plan> as its root"])
    }

    @Test func everySchemaErrorIsReportedInOnePass() {
        let xml = planXML("""
              <param name="2x" value="5"/>
              <measure name="bookings" aggregate="total" credit="sales" digits="9"/>
            """, header: "<header currency=\"usd\" period=\"month\" fiscal-year-start=\"13\"/>")
        #expect(
            errors(xml) == [
                "plan.xml:3:21: attribute 'currency' of <header>: 'usd' is not a currency code; write an ISO 4217 code in capitals, like USD",
                "plan.xml:3:60: attribute 'fiscal-year-start' of <header>: '13' is out of range; write a value at most 12",
                "plan.xml:4:16: attribute 'name' of <param>: '2x' is not a name; names start with a letter or _ and hold letters, digits and _",
                "plan.xml:5:39: attribute 'aggregate' of <measure>: 'total' is not allowed; write one of sum, count, min, max, avg",
                "plan.xml:5:69: attribute 'digits' of <measure>: '9' is out of range; write a value at most 6",
            ])
    }

    /// Too many fraction digits, said as the plan language says them (the pattern's message had
    /// called '0.0312345' "not a rate"); a name that is no parameter is not told to be quoted.
    @Test func aRateWithTooManyDigitsOrAnUnknownName() {
        let xml = planXML(sales + """

              <table name="tiers" mode="marginal" on="amount">
                <tier to="1000.1234567 USD" rate="3.12345%"/>
                <tier from="1000.1234567 USD" rate="0.0312345"/>
              </table>
              <table name="more" mode="marginal" on="amount">
                <tier to="100 USD" rate="base"/>
                <tier from="100 USD" rate="2%"/>
              </table>
              <component name="c"><formula>tiers(bookings) + more(bookings)</formula></component>
            """)
        #expect(
            errors(xml) == [
                "plan.xml:9:15: attribute 'to' of <tier>: '1000.1234567 USD' has 7 fraction digits, at most 6 are allowed",
                "plan.xml:9:39: attribute 'rate' of <tier>: '3.12345%' has 5 fraction digits, at most 4 are allowed in a percentage",
                "plan.xml:10:17: attribute 'from' of <tier>: '1000.1234567 USD' has 7 fraction digits, at most 6 are allowed",
                "plan.xml:10:41: attribute 'rate' of <tier>: '0.0312345' has 7 fraction digits, at most 6 are allowed",
            ])
        let named = planXML(sales + """

              <table name="more" mode="marginal" on="amount">
                <tier to="100 USD" rate="base"/>
                <tier from="100 USD" rate="2%"/>
              </table>
              <component name="c"><formula>more(bookings)</formula></component>
            """)
        let checked = XMLPlans.check(bytes: Array(named.utf8), path: "plan.xml", loader: XMLPlans.readFile)
        #expect(
            checked.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.message) / \($0.hint ?? "-")" } == [
                "9:30 unknown name 'base' / write a number such as 5%, 0.05 or 150 USD, or a parameter's name"
            ], "\(checked.rendered())")
    }

    /// An element of another namespace is said at itself, not at a plan element of the same local
    /// name before it on the line.
    @Test func aNamespacedElementBesideOneOfTheSameName() {
        let xml = planXML(sales + """

              <table name="tiers" mode="marginal" on="amount">
                <tier to="1000 USD" rate="5%"/><x:tier xmlns:x="urn:p" from="1000 USD" rate="8%"/>
              </table>
            """)
        #expect(errors(xml).first?.hasPrefix("plan.xml:9:37: element <{urn:p}tier> is not expected here") == true, "\(errors(xml))")
    }

    @Test func aTierNeedsARateOrAnAmount() {
        let xml = planXML(sales + """

              <table name="tiers" mode="marginal" on="amount">
                <tier to="1000 USD"/>
                <tier from="1000 USD" rate="8%" amount="5 USD"/>
              </table>
            """)
        #expect(
            errors(xml) == [
                "plan.xml:9:6: element <tier>: attribute 'rate' (or 'amount' for a money table) is required",
                "plan.xml:10:45: element <tier> has both 'rate' and 'amount'; give one",
            ])
    }

    @Test func moreSchemaMessagesInWords() {
        let xml = planXML("""
              <credit name="sales">stray text
                <amount>fx(txn.amount)</amount>
                <to recipient="managers"/>
              </credit>
              <let name="a"><b/></let>
              <clawback share="12 %" window-days="1.5"/>
              <draw name="d" type="recoverable"><amount>1 USD</amount></draw>
            """, header: "<header currency=\"USD\" period=\"month\" colour=\"red\"/>")
        #expect(
            errors(xml) == [
                "plan.xml:3:41: element <header> has no attribute 'colour'",
                "plan.xml:4:4: element <credit> holds text; it takes only child elements and attributes",
                "plan.xml:8:4: element <let> holds child elements; it takes only text",
                "plan.xml:9:20: attribute 'share' of <clawback>: '12 %' is not a rate; write a percentage like 12.5% or a decimal like 0.125, or a parameter's name",
                "plan.xml:9:39: attribute 'window-days' of <clawback>: '1.5' is not a number of days; write digits only, like 180, or a parameter's name",
                "plan.xml:10:4: element <draw> is not expected here; expected <holdback> (the children of <plan> come in this order: use, header, param, attribute, input, credit, then measure, quota and let in any order, table, component, then cap and floor in any order, draw, clawback, holdback)",
            ])
    }

    /// A carriage return written as a reference is said to be one (the plan text's advice, to save
    /// the file with LF or CRLF line ends, did not apply to an XML file whose line ends are fine).
    @Test func aCarriageReturnReferenceIsSaidToBeOne() {
        let xml = planXML(sales + "\n  <component name=\"c\"><formula>bookings &#13; * 1%</formula></component>\n")
        #expect(errors(xml) == ["plan.xml:8:41: a carriage return written as a reference (&#13;) may not stand in an expression or a value; remove it"])
    }

    /// An empty plan id is said in words (libxml2's "[facet 'minLength'] … underruns the allowed
    /// minimum length of '1'" had been shown).
    @Test func anEmptyPlanIDIsSaidInWords() {
        let xml = planXML(sales).replacingOccurrences(of: "<plan id=\"X\"", with: "<plan id=\"\"")
        #expect(errors(xml) == ["plan.xml:2:11: attribute 'id' of <plan> is empty; write a value"])
    }

    @Test func whatTheSchemaCannotSay() {
        let xml = planXML("""
              <credit name="sales">
                <amount>fx(txn.amount)</amount>
                <to recipient="managers"/>
                <to recipient="rep" overlay="true"/>
              </credit>
              <measure name="bookings" aggregate="sum" credit="sales" digits="2"/>
            """, header: "<header currency=\"USD\" period=\"month\" effective-to=\"2027-12-31\"/>")
        #expect(
            errors(xml) == [
                "plan.xml:3:55: 'effective-to' needs 'effective-from'",
                "plan.xml:6:6: element <to>: recipient=\"managers\" needs 'levels' (a number, or all)",
                "plan.xml:7:34: 'overlay' applies only to recipient=\"splits\"",
                "plan.xml:9:67: 'digits' needs 'round' (the rounding mode)",
            ])
    }

    // Semantic errors: the language's checker, at the XML's positions.

    @Test func anUnknownMeasure() {
        let xml = planXML(sales + """

              <quota measure="bookingz" per="month"/>
              <let name="attainment">bookings / quota(bookings)</let>
            """)
        #expect(errors(xml) == ["plan.xml:8:19: unknown name 'bookingz'"])
        let rendered = XMLPlans.check(bytes: Array(xml.utf8), path: "plan.xml").rendered()
        #expect(rendered.contains("    = hint: did you mean `bookings`?"))
    }

    /// Old Mac line ends (a CR alone) are line ends in XML: its errors are on their lines, as with
    /// LF or CRLF (each had been on line 1, at a column in the hundreds), and so is a schema error.
    @Test func loneCarriageReturnsEndLines() {
        let xml = planXML(sales + """

              <quota measure="bookingz" per="month"/>
              <let name="attainment">bookings / quota(bookings)</let>
            """)
        for ending in ["\r", "\r\n"] {
            let text = xml.replacingOccurrences(of: "\n", with: ending)
            #expect(errors(text) == ["plan.xml:8:19: unknown name 'bookingz'"], "\(ending.debugDescription)")
            let schema = text.replacingOccurrences(of: "per=\"month\"", with: "per=\"moon\"")
            #expect(errors(schema).first?.hasPrefix("plan.xml:8:") == true, "\(errors(schema))")
        }
    }

    @Test func aTierGap() {
        let xml = planXML(sales + """

              <table name="tiers" mode="marginal" on="amount">
                <tier to="1000 USD" rate="5%"/>
                <tier from="2000 USD" rate="8%"/>
              </table>
              <component name="commission">
                <formula>tiers(bookings)</formula>
              </component>
            """)
        let result = XMLPlans.check(bytes: Array(xml.utf8), path: "plan.xml")
        #expect(errors(xml) == ["plan.xml:10:17: gap between tiers: nothing covers 1000 USD to 2000 USD"])
        #expect(
            result.rendered().hasPrefix(
                """
                plan.xml:10:17: error: gap between tiers: nothing covers 1000 USD to 2000 USD [#plan.tierGap]
                 10 |     <tier from="2000 USD" rate="8%"/>
                    |                 ^~~~~~~~~~~~~~~~~~
                plan.xml:9:15: note: the previous tier ends here
                """))
    }

    @Test func aCurrencyMismatch() {
        let xml = planXML(sales + """

              <component name="commission">
                <formula>bookings * 5% + 100 EUR</formula>
              </component>
            """)
        // The whole sum, from the start of the formula's text.
        #expect(errors(xml) == ["plan.xml:9:14: currency mismatch: cannot add money (USD) and money (EUR)"])
    }

    @Test func anExpressionSyntaxErrorPointsIntoTheText() {
        let xml = planXML(sales + """

              <component name="commission">
                <formula>bookings * * 5%</formula>
              </component>
            """)
        #expect(errors(xml) == ["plan.xml:9:25: expected an expression, found '*'"])
    }

    /// An expression that stops short is said in the words of its own text ("found the end of
    /// <formula>", not the plan text written for the next element: "found 'component' on line
    /// 10"), and every expression that does not parse is said in one pass, with the XML's other
    /// problems of that pass (a date range missing its start), before any error of meaning.
    @Test func expressionsThatDoNotParseAreSaidTogetherInTheirOwnWords() {
        let xml = planXML(sales + """

              <component name="a"><formula>bookings * * 1%</formula></component>
              <component name="b"><formula>bookings +</formula></component>
              <component name="c"><formula>zz</formula></component>
            """, header: "<header currency=\"USD\" period=\"month\" effective-to=\"2027-12-31\"/>")
        let said = errors(xml)
        #expect(said.contains("plan.xml:8:43: expected an expression, found '*'"), "\(said)")
        #expect(said.contains("plan.xml:9:42: expected an expression, found the end of <formula>"), "\(said)")
        #expect(said.contains { $0.hasPrefix("plan.xml:3:") && $0.contains("effective-from") }, "\(said)")
        #expect(said.count == 3, "\(said)")
        #expect(!said.contains { $0.contains("'component'") || $0.contains("zz") }, "\(said)")
    }

    /// Expression text is written into plan text: a line after the expression would declare a
    /// component the XML does not have, and a comment would hide the rounding written after it.
    @Test(arguments: [
        ("bookings * 5%\n    component evil = 1000000 USD", "formula"),
        ("bookings * 5% # half", "formula"),
        ("bookings * 5%\n}\ncomponent evil = 1 USD", "formula"),
    ])
    func anExpressionTextHoldsOneExpression(text: String, element: String) {
        let xml = planXML(sales + """

              <component name="commission" round="half_even" digits="2">
                <\(element)>\(text)</\(element)>
              </component>
            """)
        #expect(
            errors(xml) == [
                "plan.xml:9:6: <formula> must hold one expression, with no comment and nothing after it (each declaration is an element of its own)"
            ])
    }

    @Test func multiLineExpressionsStayValid() {
        #expect(PlanSyntax.isSingleExpression("bookings *\n  5%"))
        #expect(PlanSyntax.isSingleExpression("match txn.kind {\n  \"new\" => 100%\n  else => 0%\n}"))
        #expect(PlanSyntax.isSingleExpression("\"# not a comment\""))
        #expect(!PlanSyntax.isSingleExpression("txn.product == \"W\"\n pay 150 USD per unit"))
        #expect(!PlanSyntax.isSingleExpression("1 # note"))
    }

    @Test func malformedXMLHasItsLineAndIsQuoted() {
        let xml = planXML("  <credit name=\"sales\">\n")
        let result = XMLPlans.check(bytes: Array(xml.utf8), path: "plan.xml")
        #expect(result.hasErrors)
        #expect(result.rendered().hasPrefix("plan.xml:"))
        #expect(result.rendered().contains("error: the XML is not well-formed"))
    }
}

/// The full path (read, validate, lower, check) refuses hostile input as the reader does.
@Suite struct XMLHostileThroughCheck {
    @Test func anExternalEntityIsRefusedBeforeValidation() {
        let xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE plan [ <!ENTITY x SYSTEM \"file:///etc/passwd\"> ]>\n<plan id=\"&x;\"/>\n"
        let found = errors(xml)
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("plan.xml:2:1: a DOCTYPE declaration is not allowed in a plan") == true, "\(found)")
    }

    @Test func deepNestingIsRefusedBeforeValidation() {
        let xml = "<?xml version=\"1.0\"?>\n<plan id=\"X\">" + String(repeating: "<a>", count: 10_000) + String(repeating: "</a>", count: 10_000)
            + "</plan>\n"
        let clock = ContinuousClock()
        let start = clock.now
        let found = errors(xml)
        #expect(clock.now - start < .seconds(2))
        #expect(found.count == 1)
        #expect(found.first?.contains("nested") == true, "\(found)")
    }

    @Test func aParameterOverrideAppliesToAnXMLPlan() throws {
        let path = repositoryRoot.appendingPathComponent("Plans/examples/parameters.plan").path
        let xml = try #require(XMLPlans.export(path: path).xml)
        let checked = XMLPlans.check(bytes: Array(xml.utf8), path: "parameters.xml", overrides: ["spiff_rate": "200 USD"])
        let plan = try #require(checked.plan)
        #expect(plan.parameters.first?.name == "spiff_rate")
        #expect(plan.parameters.first?.overridden == true)
        #expect("\(plan.parameters.first.map { "\($0.value)" } ?? "")" == "200 USD")
        let unknown = XMLPlans.check(bytes: Array(xml.utf8), path: "parameters.xml", overrides: ["spiff_rat": "200 USD"])
        #expect(unknown.diagnostics.map(\.id.rawValue).contains("plan.unknownParameter"))
    }
}

extension XMLHostileThroughCheck {
    @Test func anXMLPlanIsHeldToThePlanLanguagesSizeLimit() {
        let filler = String(repeating: "<!-- padding padding padding padding padding padding padding -->\n", count: 20_000)
        let xml = planXML(filler)
        let found = errors(xml)
        #expect(found == ["plan.xml: the file is larger than 1048576 bytes, the limit for XML plans"])
    }

    /// Two elements on one line: the schema error points at the one that holds the bad value (it
    /// pointed at the first tier's rate).
    @Test func aSchemaErrorPointsAtTheRightElementOfALine() {
        let xml = planXML(
            """
              <credit name="s"><amount>fx(txn.amount)</amount></credit>
              <table name="t" mode="retroactive" on="amount">
                <tier to="9 USD" rate="5%"/><tier from="9 USD" rate="8x"/>
              </table>
            """)
        #expect(errors(xml) == [
            "plan.xml:6:58: attribute 'rate' of <tier>: '8x' is not a rate; write a percentage like 12.5% or a decimal like 0.125, "
                + "or a parameter's name"
        ])
    }

    /// A device or a FIFO in place of an XML plan or a library it uses is refused at once: /dev/zero
    /// had been read until memory ran out, and a FIFO with no writer blocked for ever.
    @Test func devicesAndFIFOsAreNotRead() throws {
        let directory = NSTemporaryDirectory() + "comp-xml-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fifo = directory + "/plan.xml"
        #expect(mkfifo(fifo, 0o600) == 0)
        let zero = directory + "/zero.xml"
        try FileManager.default.createSymbolicLink(atPath: zero, withDestinationPath: "/dev/zero")
        let clock = ContinuousClock()
        let start = clock.now
        for path in [fifo, zero] {
            #expect(XMLPlans.check(path: path).diagnostics.map(\.description) == [
                "\(path): cannot read the file: not a regular file (a device, pipe or socket)"
            ])
        }
        let using = directory + "/using.xml"
        try Data(planXML("", header: "<use path=\"/dev/zero\"/>\n  <header currency=\"USD\" period=\"month\"/>").utf8).write(to: URL(fileURLWithPath: using))
        #expect(XMLPlans.check(path: using).diagnostics.map(\.message).contains("cannot read '/dev/zero': not a regular file (a device, pipe or socket)"))
        #expect(clock.now - start < .seconds(2))
    }
}

/// Mutated XML plans (bytes changed, deleted, duplicated; fixed seed) never crash the full path
/// and always come back as a plan or as errors. `XML_FUZZ_ITERATIONS=5000` runs longer.
@Suite struct XMLMutations {
    @Test func mutatedExamplePlansNeverCrash() throws {
        let directory = repositoryRoot.appendingPathComponent("Plans/examples/xml").path
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".xml") }.sorted()
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(max(1, bound)))
        }
        let alphabet = Array("<>/=\"'& \n?!-abcdefghijklmnopqrstuvwxyz%0123456789.".utf8)
        var outcomes = (plans: 0, errors: 0)
        for file in files {
            let original = Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + file)))
            let iterations = ProcessInfo.processInfo.environment["XML_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 60
            for _ in 0..<iterations {
                var bytes = original
                for _ in 0..<(1 + next(4)) {
                    let at = next(bytes.count)
                    switch next(3) {
                    case 0: bytes[at] = alphabet[next(alphabet.count)]
                    case 1: bytes.remove(at: at)
                    default: bytes.insert(contentsOf: bytes[at..<min(bytes.count, at + next(40))], at: at)
                    }
                }
                let result = XMLPlans.check(bytes: bytes, path: file)
                if result.plan != nil { outcomes.plans += 1 } else { outcomes.errors += 1 }
                #expect(result.plan != nil || result.hasErrors)
                _ = result.rendered()
            }
        }
        #expect(outcomes.errors > 0)
    }
}

extension XMLErrors {
    @Test func linesPast65535AreRight() {
        let padding = String(repeating: "\n", count: 70_000)
        let xml = planXML(padding + "  <measure name=\"bookings\" credit=\"sales\"/>")
        #expect(errors(xml) == ["plan.xml:70004:4: element <measure>: attribute 'aggregate' is required"])
    }
}
