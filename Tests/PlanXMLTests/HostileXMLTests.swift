import CompDiagnostics
import Foundation
@testable import PlanXML
import Testing

/// Hostile XML must be refused quickly with a clear message, never crash, never touch the
/// network or the file system.
@Suite struct HostileXML {
    func refusal(_ text: String, limits: XMLLimits = XMLLimits()) -> String? {
        refusal(Array(text.utf8), limits: limits)
    }

    func refusal(_ bytes: [UInt8], limits: XMLLimits = XMLLimits()) -> String? {
        do {
            _ = try XMLReader.read(bytes, path: "plan.xml", limits: limits)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aPlainDocumentIsRead() throws {
        let root = try XMLReader.read(
            Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plan id=\"AE-STD\">\n  <currency>USD</currency>\n  <!-- a comment -->\n  <period>month</period>\n</plan>\n".utf8),
            path: "plan.xml")
        #expect(root.name == "plan")
        #expect(root.attribute("id") == "AE-STD")
        #expect(root.children.map(\.name) == ["currency", "period"])
        #expect(root.children.map(\.text) == ["USD", "month"])
        #expect(root.children.map(\.line) == [3, 5])
    }

    /// libxml2 reports every "--" in a comment with the whole comment so far (200,000 dashes took
    /// 16 s). XML forbids "--" inside a comment, so it is refused before libxml2 sees it; a "<!--"
    /// inside CDATA starts no comment, and a single hyphen is fine.
    @Test func aDoubleHyphenInsideACommentIsRefused() throws {
        let dashes = "<plan id=\"A\">\n<!--" + String(repeating: "-", count: 200_000) + "--></plan>\n"
        #expect(
            refusal(dashes)
                == "plan.xml:2:5: a comment may not contain \"--\" before its end (XML 1.0); remove the double hyphen or end the comment with -->")
        // At the "--": 13 characters of tag, 4 of "<!--", 3 of " a ", so column 21.
        #expect(refusal("<plan id=\"A\"><!-- a -- b --></plan>")?.hasPrefix("plan.xml:1:21: a comment may not contain") == true)
        #expect(XMLReader.doubleHyphenInComment(Array("<a><![CDATA[ <!-- x -- y ]]></a><?pi <!-- -- ?><!-- a - b --><!---->".utf8)) == nil)
        #expect(XMLReader.doubleHyphenInComment(Array("<a/><!-- ok --><!-- x--y -->".utf8)) == 21)
        let root = try XMLReader.read(Array("<plan id=\"A\"><!-- a - b --></plan>".utf8), path: "plan.xml")
        #expect(root.attribute("id") == "A")
    }

    /// The reader's own refusals count no column for a byte order mark before line 1, as the
    /// plan's diagnostics and editors do (each had been a column to the right).
    @Test func refusalsAfterAByteOrderMarkAreAtTheirColumns() {
        let mark: [UInt8] = [0xEF, 0xBB, 0xBF]
        #expect(refusal(mark + Array("<plan".utf8) + [0xFF] + Array(" id=\"A\"/>\n".utf8))?.hasPrefix("plan.xml:1:6: the file is not valid UTF-8") == true)
        #expect(refusal(mark + Array("<!DOCTYPE x><plan/>\n".utf8))?.hasPrefix("plan.xml:1:1: a DOCTYPE declaration is not allowed") == true)
        #expect(refusal(mark + Array("<pl".utf8) + [0] + Array("an/>\n".utf8))?.hasPrefix("plan.xml:1:4: the file holds a NUL byte") == true)
    }

    @Test func billionLaughs() {
        var text = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
        text += " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
        for level in 2...9 {
            text += " <!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1);", count: 10) + "\">\n"
        }
        text += "]>\n<plan>&lol9;</plan>\n"
        let clock = ContinuousClock()
        let start = clock.now
        let message = refusal(text)
        #expect(clock.now - start < .seconds(2))
        #expect(message?.hasPrefix("plan.xml:2:1: a DOCTYPE declaration is not allowed in a plan") == true, "\(message ?? "accepted")")
    }

    @Test(arguments: ["file:///etc/passwd", "http://127.0.0.1:9/secret.txt"])
    func externalEntity(target: String) {
        let text = "<?xml version=\"1.0\"?>\n<!DOCTYPE plan [ <!ENTITY x SYSTEM \"\(target)\"> ]>\n<plan>&x;</plan>\n"
        let message = refusal(text)
        #expect(message?.contains("a DOCTYPE declaration is not allowed in a plan") == true, "\(message ?? "accepted")")
        #expect(message?.contains("root:") != true)  // nothing of /etc/passwd leaks into the message
    }

    /// libxml2 checks an element's attributes for duplicates pairwise: 50,000 of them took
    /// minutes. The reader refuses them first.
    /// "<!DOCTYPE" in a comment or a CDATA section is text: it had been refused as a DOCTYPE. A
    /// real one after a comment is refused at its own column.
    @Test func doctypeOnlyInTheProlog() {
        #expect(refusal("<?xml version=\"1.0\"?>\n<!-- never add a <!DOCTYPE here -->\n<plan><x><![CDATA[a <!DOCTYPE b]]></x></plan>\n") == nil)
        #expect(
            refusal("<?xml version=\"1.0\"?>\n<!-- é -->  <!DOCTYPE plan [ <!ENTITY x \"y\"> ]>\n<plan/>\n")
                == "plan.xml:2:13: a DOCTYPE declaration is not allowed in a plan (no DTDs and no entities: they can read local files or expand "
                + "without bound)")
    }

    @Test func fiftyThousandAttributes() {
        let attributes = (0..<50_000).map { "a\($0)=\"1\"" }.joined(separator: " ")
        let text = "<?xml version=\"1.0\"?>\n<plan \(attributes) id=\"AE\">\n</plan>\n"
        // At a256, the 257th: "<plan " is 6 characters, then a0-a9 take 7 each with their blank,
        // a10-a99 8 and a100-a255 9: 7 + 70 + 720 + 1404 = column 2201.
        #expect(
            refusal(text)
                == "plan.xml:2:2201: an element has more than 256 attributes (this is its attribute 257); plan elements have only a few")
    }

    @Test func attributesAreCountedOnlyInTags() {
        func tag(_ count: Int) -> String { "<e " + (0..<count).map { "a\($0)='x=y'" }.joined(separator: " ") + "/>" }
        #expect(XMLReader.crowdedElement(Array(tag(256).utf8), limit: 256) == nil)
        // The 257th attribute's name: "<r><e " is 6 bytes, a0-a9 take 9 with their blank, a10-a99
        // 10 and a100-a255 11: 6 + 90 + 900 + 1716 = 2712.
        #expect(XMLReader.crowdedElement(Array(("<r>" + tag(257)).utf8), limit: 256) == 2712)
        // `=` in text, comments, CDATA and quoted values is not an attribute.
        let quiet = "<r a=\"=====\">" + String(repeating: "=", count: 300) + "<!-- " + String(repeating: "x= ", count: 300)
            + " --><![CDATA[" + String(repeating: "=", count: 300) + "]]></r>"
        #expect(XMLReader.crowdedElement(Array(quiet.utf8), limit: 256) == nil)
    }

    /// An attribute written twice is said at its second occurrence (libxml2 says it past the tag).
    @Test func aRepeatedAttributeIsSaidWhereItIsRepeated() {
        #expect(refusal("<plan id=\"A\"\n      name='n' id=\"B\"/>\n") == "plan.xml:2:16: the XML is not well-formed: Attribute id redefined")
        #expect(XMLReader.repeatedAttribute("id", in: Array("<p xid='1' id = '2' id='3'>".utf8), before: 27) == 20)
        // Said past the tag's values, at the end of the file: not taken for a file cut short.
        #expect(refusal("<plan id=\"A\" name=\"x\" id=\"B\"\n  >\n</plan>\n") == "plan.xml:1:23: the XML is not well-formed: Attribute id redefined")
    }

    @Test func tenThousandDeepNesting() {
        let text = "<?xml version=\"1.0\"?>\n" + String(repeating: "<a>", count: 10_000) + String(repeating: "</a>", count: 10_000)
        let clock = ContinuousClock()
        let start = clock.now
        let message = refusal(text)
        #expect(clock.now - start < .seconds(2))
        #expect(message?.contains("nested too deeply") == true || message?.contains("nested deeper than 64 levels") == true, "\(message ?? "accepted")")
    }

    @Test func nestingPastOurOwnLimit() {
        let text = String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100)
        // At the 65th "<a>", after 64 of 3 characters.
        #expect(refusal(text) == "plan.xml:1:193: elements are nested deeper than 64 levels (this one is level 65)")
        // Closed and self-closed elements, comments, CDATA and quoted '>' do not nest.
        let flat = "<r>" + String(repeating: "<a/><b x='>'></b><!-- <c> --><![CDATA[<d>]]>", count: 100) + "</r>"
        #expect(XMLReader.deepElement(Array(flat.utf8), limit: 2) == nil)
        #expect(XMLReader.deepElement(Array("<r><a><b/><c>".utf8), limit: 2) == 10)
    }

    @Test func nonUTF8EncodingDeclaration() {
        let text = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<plan/>\n"
        #expect(refusal(text) == "plan.xml:1:1: the file declares encoding \"ISO-8859-1\"; XML plans must be UTF-8")
    }

    @Test func invalidUTF8Bytes() {
        var bytes = Array("<?xml version=\"1.0\"?>\n<plan>\n<name>".utf8)
        bytes += [0xE9, 0x74, 0xE9]  // Latin-1 "été"
        bytes += Array("</name></plan>\n".utf8)
        #expect(refusal(bytes) == "plan.xml:3:7: the file is not valid UTF-8 (its first bad byte is here); save it as UTF-8")
        // A NUL byte is named as such, at its place (it read as a file cut short).
        #expect(refusal(Array("<?xml version=\"1.0\"?>\n<plan>ab".utf8) + [0] + Array("</plan>\n".utf8))
            == "plan.xml:2:9: the file holds a NUL byte, which XML does not allow (binary data?)")
    }

    /// A '<' in text is where libxml2 found it, with how to write it (the column was 1, and
    /// the message libxml2's alone).
    @Test func aLessThanInTextIsShownWhereItIs() {
        let text = "<?xml version=\"1.0\"?>\n<plan id=\"X\">\n  <where>fx(txn.amount) < 1000 USD</where>\n</plan>\n"
        #expect(refusal(text) == "plan.xml:3:26: the XML is not well-formed: StartTag: invalid element name (in text, write '<' as &lt; and '&' as &amp;)")
    }

    /// The first of libxml2's errors is reported, where it is (the last had been: "Extra content
    /// at the end of the document", a line later).
    @Test func theFirstMalformationIsReported() {
        let text = "<?xml version=\"1.0\"?>\n<plan id=\"A\" name=\"x<y\">\n  <header currency=\"USD\" period=\"month\"/>\n</plan>\n"
        #expect(refusal(text) == "plan.xml:2:21: the XML is not well-formed: Unescaped '<' not allowed in attributes values "
            + "(in text, write '<' as &lt; and '&' as &amp;)")
    }

    /// A stray continuation byte is a character of its own, as the reader counts it: the caret
    /// is on it, not after the bytes that follow.
    @Test func aStrayContinuationByteIsWhereTheCaretIs() throws {
        let bytes = Array("<?xml version=\"1.0\"?>\n<plan id=\"A\" name=\"a".utf8) + [0x80, 0x80, 0x80] + Array("bcd\"/>\n".utf8)
        let rendered = XMLPlans.check(bytes: bytes, path: "plan.xml").rendered()
        let lines = rendered.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first?.hasPrefix("plan.xml:2:21: error: the file is not valid UTF-8") == true, "\(rendered)")
        #expect(lines.count > 2 && lines[2] == "   |                     ^", "\(rendered)")
    }

    @Test func truncatedFile() {
        let text = "<?xml version=\"1.0\"?>\n<plan id=\"X\">\n  <currency>USD</currency>\n  <period>mo"
        let message = refusal(text)
        // At the end of the last line, where libxml2 found the file ended (column 1 before).
        #expect(message?.hasPrefix("plan.xml:4:13: the XML is not well-formed:") == true, "\(message ?? "accepted")")
        // Cut inside an attribute: its first error is said to be one of a file cut short.
        #expect(refusal("<?xml version=\"1.0\"?>\n<plan id=\"X\" name=\"ab")
            == "plan.xml:2:22: the XML is not well-formed: the file ends before the document does (is it truncated?): AttValue: ' expected")
    }

    @Test func twoHundredMegabytes() {
        let bytes = [UInt8](repeating: UInt8(ascii: " "), count: 200 << 20)
        let clock = ContinuousClock()
        let start = clock.now
        #expect(refusal(bytes) == "plan.xml: the file is larger than 16777216 bytes, the limit for XML plans")
        #expect(clock.now - start < .seconds(1))
    }

    @Test func randomBytesNeverCrash() {
        var state: UInt64 = 99
        for round in 0..<200 {
            var bytes = Array("<?xml version=\"1.0\"?><plan>".utf8)
            let alphabet = Array("<>/=\"'&;!?[]-aé DOCTYPE ENTITY".utf8)
            for _ in 0..<(round * 7 % 500) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                bytes.append(round % 3 == 0 ? UInt8(truncatingIfNeeded: state >> 33) : alphabet[Int(state >> 33) % alphabet.count])
            }
            _ = refusal(bytes)
        }
    }
}

extension HostileXML {
    @Test func elementLinesPast65535() throws {
        let text = "<plan>" + String(repeating: "\n", count: 70_000) + "<header/></plan>\n"
        let root = try XMLReader.read(Array(text.utf8), path: "plan.xml")
        #expect(root.children.map(\.line) == [70_001])
    }
}
