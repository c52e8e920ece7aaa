import CompCore
import CompDiagnostics
import PlanLanguage
import PlanModel

/// Writes the plan-language text of a validated XML plan.
///
/// In the *aligned* layout every fragment is written at the byte offset of the XML it comes from
/// (the element, the attribute value, the text), with the XML's line breaks kept and everything
/// else blank. The language's checker then reports positions that are the XML file's own lines
/// and columns, and the engine's traces point into the XML file. In the *plain* layout the text is
/// ordinary plan text (one declaration per line), which `comp import` formats.
final class PlanTextWriter {
    enum Layout {
        case aligned
        case plain
    }

    let layout: Layout
    let path: String
    /// The XML bytes with every byte except line feeds blanked (aligned layout).
    private let canvas: [UInt8]
    private var canvasPosition = 0
    private(set) var out: [UInt8] = []
    private(set) var problems: [Diagnostic] = []
    let lines: SourceFile
    private var lastGroup: String?
    /// Rewrites a `<use>` path (for `comp import --out` into another directory).
    var relocateUse: (String) -> String = { $0 }

    init(layout: Layout, path: String, xml: [UInt8]) {
        self.layout = layout
        self.path = path
        self.canvas = xml.map { $0 == 0x0A ? 0x0A : 0x20 }
        self.canvasSource = xml
        self.lines = SourceFile(path: path, bytes: xml)
    }

    var text: String { String(decoding: out, as: UTF8.self) }

    /// Writes `fragment` at `offset` (aligned) or after a space (plain). Where earlier plan text
    /// ran past the blanks before `offset` (a line of plan text longer than its XML), the
    /// fragment lands further on: a shift maps it back, so a declaration's location is its
    /// element's (a cap after such a line had been located mid-word). `shifted: false` leaves
    /// that to the caller (an expression's lines record their own). `located` maps a fragment
    /// written where it must be (not at its element: `plan` after the `use` lines) back to it.
    func put(_ fragment: String, at offset: Int?, shifted: Bool = true, located: Int? = nil) {
        switch layout {
        case .plain:
            if let last = out.last, last != 0x0A, last != 0x20 { out.append(0x20) }
            out += Array(fragment.utf8)
        case .aligned:
            if let offset, offset > canvasPosition {
                // Blank (and line breaks) up to the offset, absorbing what earlier fragments overran.
                var debt = out.count - canvasPosition
                for index in canvasPosition..<min(offset, canvas.count) {
                    if canvas[index] == 0x0A {
                        out.append(0x0A)
                    } else if debt > 0 {
                        debt -= 1
                    } else {
                        out.append(0x20)
                    }
                }
                canvasPosition = min(offset, canvas.count)
            }
            if let last = out.last, last != 0x0A, last != 0x20 { out.append(0x20) }
            let written = out.count
            out += Array(fragment.utf8)
            if shifted, let target = located ?? offset, target != written {
                sourceShifts.append(SourceShift(at: written, until: out.count, extra: target - written))
            }
        }
    }

    /// Writes `value` (attribute `attribute` of `element`, as read) as a string literal over the
    /// attribute's value, its quotes over the XML's: each character at its own place, past
    /// references and the escapes the literal adds, so an error inside it (a control character
    /// in a display name) is at its column (it had been at the value's start plus its place in
    /// the literal).
    func putString(_ given: String, of element: PlacedElement, attribute: String) {
        // A carriage return (only a reference, `&#13;`, puts one in an attribute's value) has no
        // escape in a plan string: said here in the XML's words, at the reference, and written
        // as a space (the string is in error anyway); as `\r` it had been reported as an escape
        // the author never wrote.
        let carriageReturn: Unicode.Scalar = "\r"
        let value = given.unicodeScalars.contains(carriageReturn)
            ? String(String.UnicodeScalarView(given.unicodeScalars.map { $0 == carriageReturn ? " " : $0 })) : given
        let returnMessage = "a carriage return written as a reference (&#13;) cannot stand in a string; remove it"
        let literal = Array(PlanSyntax.stringLiteral(value).utf8)
        guard layout == .aligned, let valueStart = element.raw?.attributes[attribute]?.value, valueStart > 0 else {
            if value != given { problem(returnMessage, element, attribute: attribute) }
            return put(String(decoding: literal, as: UTF8.self), at: element.valueOffset(attribute))
        }
        let xml = canvasSource
        // Where each character of the value starts in the XML (a reference at its `&`; a CR LF,
        // read as one blank, at its CR), and where the value ends (its closing quote).
        var starts: [Int] = []
        var raw = valueStart
        let quote = xml[valueStart - 1]
        while raw < xml.count && xml[raw] != quote {
            starts.append(raw)
            if xml[raw] == UInt8(ascii: "&"), let semicolon = xml[raw...].prefix(40).firstIndex(of: UInt8(ascii: ";")) {
                raw = semicolon + 1
            } else if xml[raw] == 0x0D && raw + 1 < xml.count && xml[raw + 1] == 0x0A {
                raw += 2
            } else {
                raw += UTF8Bytes.sequenceLength(xml, at: raw) ?? 1
            }
        }
        if value != given {
            for (index, scalar) in given.unicodeScalars.enumerated() where scalar == carriageReturn {
                let at = index < starts.count ? starts[index] : raw
                let end = index + 1 < starts.count ? starts[index + 1] : raw
                problem(returnMessage, at: at, length: max(1, end - at))
            }
        }
        put(String(decoding: literal, as: UTF8.self), at: valueStart - 1, shifted: false)
        let written = out.count - literal.count
        // The literal's bytes beside the value's characters: its opening quote at the XML's, each
        // character (escaped or not) at its start, the closing quote at the XML's.
        var targets: [Int] = [valueStart - 1]
        for (index, scalar) in value.unicodeScalars.enumerated() {
            let at = index < starts.count ? starts[index] : raw
            // As many bytes as the literal gives it (an escape is two).
            let bytes = PlanSyntax.stringLiteral(String(scalar)).utf8.count - 2
            targets += Array(repeating: at, count: bytes)
        }
        targets.append(raw)
        guard targets.count == literal.count else {
            // Not matched (cannot happen while the literal escapes scalar by scalar): the whole
            // literal at the attribute's quote, as any other fragment is placed.
            sourceShifts.append(SourceShift(at: written, until: out.count, extra: valueStart - 1 - written))
            return
        }
        var extra = 0
        for (index, target) in targets.enumerated() where index == 0 || literal[index] & 0xC0 != 0x80 {
            let shift = target - (written + index)
            if shift != extra {
                sourceShifts.append(SourceShift(at: written + index, until: out.count, extra: shift - extra))
                extra = shift
            }
        }
    }

    /// Writes glue (`=`, `{`, `}`) right after what was written last.
    func glue(_ fragment: String) { put(fragment, at: nil) }

    /// Writes an expression held as an element's text, line by line at the lines of the XML text.
    func expression(_ element: PlacedElement) {
        let text = element.element.text
        // The text goes into plan text as it is: one expression, or it could add lines of its own.
        if !PlanSyntax.isSingleExpression(text) {
            problem(
                "<\(element.element.name)> must hold one expression, with no comment and nothing after it "
                    + "(each declaration is an element of its own)", element)
        }
        let start = textOffset(element)
        var bytes = Array(text.utf8)
        // Where each byte of the text is in the XML (a reference's character at its `&`), for
        // the aligned layout's errors and shifts.
        let (offsets, lengths) = layout == .aligned ? xmlOffsets(of: bytes, from: start) : ([], [])
        if layout == .aligned {
            // Only the XML's own line breaks start lines: one written as a reference (`&#10;`) is
            // a space, as a line break is outside a string; else the lines after it were placed at
            // the XML's next lines (an error there pointed under another element, or past the end
            // of the file). In a string, where it is no space, it is an error of its own.
            var inString = false
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                if inString && byte == UInt8(ascii: "\\") {
                    index += 2
                    continue
                }
                if byte == UInt8(ascii: "\"") { inString.toggle() }
                if byte == 0x0A {
                    if index < offsets.count && canvasSource[offsets[index]] == UInt8(ascii: "&") {
                        if inString {
                            problem(
                                "a line break written as a reference (&#10;) cannot stand in a string; write \\n in the string instead",
                                at: offsets[index], length: lengths[index])
                        }
                        bytes[index] = 0x20
                    } else {
                        inString = false
                    }
                }
                index += 1
            }
            // One that does not lex or parse is said in words of its own text, at its place, with
            // the XML's other such errors: checked in place, what was found after it was the plan
            // text written for the next element ("found 'component' on line 10").
            let name = element.element.name
            let firstLine = lines.line(containing: start)
            for (diagnostic, range) in PlanSyntax.expressionSyntaxErrors(String(decoding: bytes, as: UTF8.self)) {
                // Past the end: just after the last character (all of a reference).
                let offset = range.start < offsets.count ? offsets[range.start] : (offsets.last.map { $0 + (lengths.last ?? 1) } ?? start)
                let last = max(range.start, range.end - 1)
                let end = last < offsets.count ? offsets[last] + lengths[last] : offset + max(1, range.end - range.start)
                var located = diagnostic
                located.message = Self.inXMLWords(diagnostic, element: name, firstLine: firstLine)
                located.location = lines.location(of: offset)
                located.location.file = path
                located.range = SourceRange(start: offset, end: max(offset + 1, end))
                problems.append(located)
            }
        }
        let parts = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        let firstLine = lines.line(containing: start)
        var lineStarts: [Int] = []
        var lineEnds: [Int] = []
        for (index, part) in parts.enumerated() {
            let xmlOffset = index == 0 ? start : lines.offset(ofLine: firstLine + index)
            if index == 0 {
                put(String(part), at: start, shifted: false)
            } else {
                switch layout {
                case .plain: out.append(0x0A)
                case .aligned: break
                }
                put(String(part), at: xmlOffset, shifted: false)
            }
            let written = out.count - part.utf8.count
            lineStarts.append(written)
            lineEnds.append(out.count)
            // Plan text written before it on the line (a keyword longer than its XML) can push a
            // line of the expression further on than its XML.
            if layout == .aligned && written != xmlOffset {
                sourceShifts.append(SourceShift(at: written, until: out.count, extra: xmlOffset - written))
            }
        }
        if layout == .aligned { recordShifts(text: bytes, offsets: offsets, lineStarts: lineStarts, lineEnds: lineEnds, xmlStart: start) }
    }

    /// A message about an expression read alone, in the XML's words: the end of its text is the
    /// end of the element, and its lines are the XML's (the text's line 1 is the element's).
    static func inXMLWords(_ diagnostic: Diagnostic, element: String, firstLine: Int) -> String {
        if diagnostic.id.rawValue == "plan.loneCarriageReturn" { return XMLPlans.carriageReturnReference }
        var message = diagnostic.message.replacingOccurrences(of: "found end of file", with: "found the end of <\(element)>")
        if let range = message.range(of: " on line ", options: .backwards),
            let line = Int(message[range.upperBound...].prefix { $0.isNumber })
        {
            let digits = message[range.upperBound...].prefix { $0.isNumber }
            message.replaceSubrange(range.upperBound..<digits.endIndex, with: String(firstLine + line - 1))
        }
        return message
    }

    /// Where each byte of `text` (an element's text, as read) is in the XML, from `xmlStart` on,
    /// and how many bytes of the XML its character takes there: a reference's character at its
    /// `&`, all of the reference long (an `&` inside a CDATA section is itself, one byte); as far
    /// as the two can be matched (the rest is left out).
    private func xmlOffsets(of text: [UInt8], from xmlStart: Int) -> (offsets: [Int], lengths: [Int]) {
        let xml = canvasSource
        var offsets: [Int] = []
        var lengths: [Int] = []
        var raw = xmlStart
        var index = 0
        // Inside a CDATA section every character is itself (`&` and `<!--` too) until `]]>`; the
        // text may start inside one (``textOffset(_:)`` steps past its opening and blanks).
        var before = xmlStart
        while before > 0 && [0x20, 0x09, 0x0A, 0x0D].contains(xml[before - 1]) { before -= 1 }
        var inCDATA = before >= 9 && xml[(before - 9)..<before].elementsEqual("<![CDATA[".utf8)
        /// Takes the character at `raw` as the text's own (a CR LF or lone CR as its line feed);
        /// false where the two part.
        func literal() -> Bool {
            if xml[raw] == 0x0D && text[index] == 0x0A {
                offsets.append(raw)
                let length = raw + 1 < xml.count && xml[raw + 1] == 0x0A ? 2 : 1
                lengths.append(length)
                raw += length
            } else if xml[raw] == text[index] {
                offsets.append(raw)
                lengths.append(1)
                raw += 1
            } else {
                return false
            }
            index += 1
            return true
        }
        while index < text.count && raw < xml.count {
            if inCDATA {
                if xml[raw...].starts(with: "]]>".utf8) {
                    raw += 3
                    inCDATA = false
                } else if !literal() {
                    break
                }
                continue
            }
            if xml[raw] == UInt8(ascii: "&") {
                guard let semicolon = xml[raw...].prefix(40).firstIndex(of: UInt8(ascii: ";")) else { break }
                var width = 1
                while index + width < text.count && text[index + width] & 0xC0 == 0x80 { width += 1 }
                for _ in 0..<width {
                    offsets.append(raw)
                    lengths.append(semicolon + 1 - raw)
                }
                raw = semicolon + 1
                index += width
            } else if xml[raw...].starts(with: "<![CDATA[".utf8) {
                raw += 9
                inCDATA = true
            } else if xml[raw...].starts(with: "<!--".utf8) {
                guard let end = byteOffset(of: "-->", in: xml, from: raw + 4) else { break }
                raw = end + 3
            } else if xml[raw...].starts(with: "<?".utf8) {
                guard let end = byteOffset(of: "?>", in: xml, from: raw + 2) else { break }
                raw = end + 2
            } else if !literal() {
                break
            }
        }
        return (offsets, lengths)
    }

    /// Where the aligned text and the XML part within an expression's line: from aligned offset
    /// `at` to the end of that line of the expression (not of the line: another expression
    /// further on is placed anew), the XML is `extra` bytes further on (an entity such as `&lt;`
    /// is one character of plan text, a CDATA section's or a comment's markup none; negative
    /// where plan text written earlier on the line pushed the expression on).
    private(set) var sourceShifts: [SourceShift] = []

    /// Records where the aligned text and the XML part within each line of an expression: at
    /// each character whose XML position (`offsets`, from ``xmlOffsets(of:from:)``) is not its aligned column
    /// plus the shift before it (past a reference, a CDATA marker, a comment or a processing
    /// instruction). Stops where the two cannot be matched (nothing is recorded past that point).
    private func recordShifts(text: [UInt8], offsets: [Int], lineStarts: [Int], lineEnds: [Int], xmlStart: Int) {
        let firstLine = lines.line(containing: xmlStart)
        var line = 0
        var column = 0  // bytes of plan text into the current line
        var base = xmlStart  // where the line's text starts in the XML
        var extra = 0  // the shift so far on this line
        for index in offsets.indices {
            if text[index] == 0x0A {
                // A line break of the XML's own (one written as a reference is a space by now).
                line += 1
                guard line < lineStarts.count else { return }
                column = 0
                extra = 0
                base = lines.offset(ofLine: firstLine + line)
                continue
            }
            // At the first byte of each character (a reference's bytes all stand at its `&`).
            if text[index] & 0xC0 != 0x80 {
                let shift = offsets[index] - base - column
                if shift != extra {
                    sourceShifts.append(SourceShift(at: lineStarts[line] + column, until: lineEnds[line], extra: shift - extra))
                    extra = shift
                }
            }
            column += 1
        }
    }

    /// Where an element's text starts in the XML.
    func textOffset(_ element: PlacedElement) -> Int {
        guard let raw = element.raw else { return element.lineStart }
        var offset = raw.contentStart
        let bytes = canvasSource
        // The text as the reader gives it (trimmed) starts after leading blanks, blanks written as
        // references (`&#10;`, `&#x20;`: every error in the text had been placed a reference's
        // length on), comments and processing instructions, and inside a CDATA section it starts
        // with (past the blanks there too, where a reference is text).
        var inCDATA = false
        while offset < bytes.count {
            if bytes[offset] == 0x20 || bytes[offset] == 0x0A || bytes[offset] == 0x09 || bytes[offset] == 0x0D {
                offset += 1
            } else if inCDATA {
                guard bytes[offset...].starts(with: "]]>".utf8) else { break }
                offset += 3
                inCDATA = false
            } else if let length = Self.blankReferenceLength(bytes, at: offset) {
                offset += length
            } else if bytes[offset...].starts(with: "<!--".utf8), let end = byteOffset(of: "-->", in: bytes, from: offset + 4) {
                offset = end + 3
            } else if bytes[offset...].starts(with: "<?".utf8), let end = byteOffset(of: "?>", in: bytes, from: offset + 2) {
                offset = end + 2
            } else if bytes[offset...].starts(with: "<![CDATA[".utf8) {
                offset += 9
                inCDATA = true
            } else {
                break
            }
        }
        return offset
    }

    /// The length of a character reference at `offset` that writes a blank (a space, tab, line
    /// feed or carriage return: `&#10;`, `&#x0A;`), or `nil`.
    static func blankReferenceLength(_ bytes: [UInt8], at offset: Int) -> Int? {
        guard bytes[offset...].starts(with: "&#".utf8), let semicolon = bytes[offset...].prefix(16).firstIndex(of: UInt8(ascii: ";")) else {
            return nil
        }
        let body = String(decoding: bytes[(offset + 2)..<semicolon], as: UTF8.self)
        let value = body.hasPrefix("x") || body.hasPrefix("X") ? UInt32(body.dropFirst(), radix: 16) : UInt32(body, radix: 10)
        guard let value, [0x20, 0x09, 0x0A, 0x0D].contains(value) else { return nil }
        return semicolon + 1 - offset
    }

    /// The XML bytes (for locating text).
    let canvasSource: [UInt8]

    /// Ends a declaration: a line break in the plain layout, with a blank line between groups.
    /// Writes `keyword` where attribute `attribute` of `element` is, and `value` where its value is.
    func put(_ keyword: String, _ value: String, attribute: String, of element: PlacedElement) {
        put(keyword, at: element.attributeOffset(attribute))
        put(value, at: element.valueOffset(attribute))
    }

    /// Writes `keyword FROM [to TO]` from attributes `from` and `to` of `element`, ending the
    /// declaration in `group`; `to` without `from` is the problem `message`.
    func putRange(_ keyword: String, from: String, to: String, of element: PlacedElement, group: String, missingFrom message: String) {
        if let start = element.attribute(from) {
            put(keyword, start, attribute: from, of: element)
            if let end = element.attribute(to) { put("to", end, attribute: to, of: element) }
            endDeclaration(group: group)
        } else if element.attribute(to) != nil {
            problem(message, element, attribute: to)
        }
    }

    func endDeclaration(group: String) {
        guard layout == .plain else { return }
        out.append(0x0A)
        lastGroup = group
    }

    /// Starts a declaration of `group` (a blank line before the first of a new group, plain layout).
    func startDeclaration(group: String) {
        guard layout == .plain else { return }
        if let lastGroup, lastGroup != group { out.append(0x0A) }
    }

    /// Starts a line of plan text for what goes at `offset` of the XML if the XML has no line
    /// break before it and the current line holds text already (aligned layout; the plain one
    /// starts each declaration on a line of its own): a tier whose negative lower bound is in
    /// brackets, on the XML line of the tier before, had read `… : lo (-1000 USD) to 0 USD : 2%`
    /// as a call of `lo`. The text after it is mapped back to its XML by the shifts
    /// ``put(_:at:shifted:located:)`` records; a line number quoted in a message after it is one
    /// more than the XML's.
    func startLine(before offset: Int) {
        guard layout == .aligned else { return }
        if offset > canvasPosition, canvas[canvasPosition..<min(offset, canvas.count)].contains(0x0A) { return }
        var index = out.count
        while index > 0 && out[index - 1] != 0x0A {
            if out[index - 1] != 0x20 {
                out.append(0x0A)
                return
            }
            index -= 1
        }
    }

    /// Records a problem the schema cannot express (a tier with both a rate and an amount, …).
    /// An error at `offset` of the XML, `length` bytes long.
    func problem(_ message: String, at offset: Int, length: Int) {
        problems.append(
            Diagnostic(
                .error, id: "xml.invalid", message: message, location: SourceLocation(file: path, line: lines.location(of: offset).line,
                                                                                      column: lines.location(of: offset).column),
                range: SourceRange(start: offset, end: offset + max(1, length))))
    }

    func problem(_ message: String, _ element: PlacedElement, attribute: String? = nil) {
        let offset = attribute.map { element.valueOffset($0) } ?? (element.raw.map { $0.start + 1 } ?? element.start)
        let line = lines.line(containing: offset)
        let column = offset - lines.offset(ofLine: line) + 1
        let length = attribute.flatMap { element.raw?.attributes[$0]?.length } ?? element.element.name.utf8.count
        problems.append(
            Diagnostic(
                .error, id: "xml.invalid", message: message, location: SourceLocation(file: path, line: line, column: column),
                range: SourceRange(start: offset, end: offset + max(1, length))))
    }
}

/// Lowers a validated `<plan>` element to plan text.
enum Lowering {
    /// The plan language's reserved words that are no value (`true` and `false` are).
    static let languageWords = PlanSyntax.reservedWords.subtracting(["true", "false"])

    /// An `xs:boolean` attribute's value as the schema reads it: `true` or `1`, with the white
    /// space it collapses (`optional=" true "` passed validation and had read as false).
    static func isTrue(_ value: String?) -> Bool {
        guard let value else { return false }
        let space: Set<Character> = [" ", "\t", "\n", "\r", "\r\n"]
        let trimmed = String(value.drop(while: { space.contains($0) }).reversed().drop(while: { space.contains($0) }).reversed())
        return trimmed == "true" || trimmed == "1"
    }

    static func write(_ plan: PlacedElement, into w: PlanTextWriter) {
        let uses = plan.children("use")
        for use in uses {
            w.startDeclaration(group: "use")
            w.put("use", at: use.start)
            w.put(PlanSyntax.stringLiteral(w.relocateUse(use.attribute("path") ?? "")), at: use.valueOffset("path"))
            w.endDeclaration(group: "use")
        }
        w.startDeclaration(group: "plan")
        w.put("plan", at: uses.isEmpty ? plan.start : nil, located: plan.start)
        w.putString(plan.attribute("id") ?? "", of: plan, attribute: "id")
        if let name = plan.attribute("name") { w.putString(name, of: plan, attribute: "name") }
        w.glue("{")
        w.endDeclaration(group: "")
        for child in plan.children {
            declaration(child, w)
        }
        w.glue("}")
        w.endDeclaration(group: "end")
    }

    /// An `xs:integer` attribute as the plan language writes the number: the schema also takes
    /// `+2` and `002`, which the language does not (they had been refused as "found '+'"). Also
    /// how `export-plan` writes a roll-up's levels (`001` is `1`; `all` stays `all`).
    static func integerText(_ value: String) -> String {
        var text = Substring(value)
        while let first = text.first, first == " " || first == "\t" || first == "\n" || first == "\r" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" || last == "\n" || last == "\r" { text = text.dropLast() }
        if text.first == "+" { text = text.dropFirst() }
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return value }
        let digits = text.drop { $0 == "0" }
        return digits.isEmpty ? "0" : String(digits)
    }

    static func roundClause(_ e: PlacedElement, _ w: PlanTextWriter) {
        if let mode = e.attribute("round") {
            w.put("round", mode, attribute: "round", of: e)
            if let digits = e.attribute("digits") { w.put(integerText(digits), at: e.valueOffset("digits")) }
        } else if e.attribute("digits") != nil {
            w.problem("'digits' needs 'round' (the rounding mode)", e, attribute: "digits")
        }
    }

    static func declaration(_ e: PlacedElement, _ w: PlanTextWriter) {
        let name = e.element.name
        switch name {
        case "use":
            return
        case "header":
            w.startDeclaration(group: "header")
            let settings: [(String, String)] = [
                ("currency", "currency"), ("period", "period"), ("fiscal-year-start", "fiscal_year_start"), ("version", "version"),
                ("rounding", "rounding"),
            ]
            for (attribute, keyword) in settings {
                guard let value = e.attribute(attribute) else { continue }
                if attribute == "version" {
                    w.put(keyword, at: e.attributeOffset(attribute))
                    w.putString(value, of: e, attribute: attribute)
                } else {
                    w.put(keyword, attribute == "fiscal-year-start" ? integerText(value) : value, attribute: attribute, of: e)
                }
                w.endDeclaration(group: "header")
            }
            w.putRange(
                "effective", from: "effective-from", to: "effective-to", of: e, group: "header",
                missingFrom: "'effective-to' needs 'effective-from'")
            return
        default:
            break
        }
        let group = name == "floor" ? "cap" : name
        w.startDeclaration(group: group)
        defer { w.endDeclaration(group: group) }
        let value = { (attribute: String) in e.attribute(attribute) ?? "" }
        switch name {
        case "param":
            // The schema takes a name for a value (an earlier parameter's); a word of the language
            // is none (it had read on into the next element: "expected an expression, found 'credit'").
            if Self.languageWords.contains(value("value")) {
                w.problem(
                    "'\(value("value"))' is a word of the plan language, not a value; write a number (3), a percentage (5%), an amount "
                        + "(150 USD), a date, a quoted string (\"text\", written &quot;text&quot; in an attribute), true, false, or the name of a parameter declared before it",
                    e, attribute: "value")
                return
            }
            w.put("param", at: e.start)
            w.put(value("name"), at: e.valueOffset("name"))
            w.glue("=")
            w.put(value("value"), at: e.valueOffset("value"))
        case "attribute":
            w.put("attribute", at: e.start)
            w.put("\(value("scope")).\(value("name")):", at: e.valueOffset("name"))
            w.put(value("type"), at: e.valueOffset("type"))
            if Self.isTrue(e.attribute("optional")) { w.put("optional", at: e.valueOffset("optional")) }
        case "input":
            w.put("input", at: e.start)
            w.put(value("name"), at: e.valueOffset("name"))
            // Texts as literals placed character by character (``PlanTextWriter/putString``), so
            // an error inside one, after a character reference too, is at its column.
            w.put("from", at: e.attributeOffset("file"))
            w.putString(value("file"), of: e, attribute: "file")
            w.put("column", at: e.attributeOffset("column"))
            w.putString(value("column"), of: e, attribute: "column")
            w.glue(":")
            w.put(value("type"), at: e.valueOffset("type"))
        case "credit":
            w.put("credit", at: e.start)
            w.put(value("name"), at: e.valueOffset("name"))
            w.glue("{")
            w.endDeclaration(group: "")
            for line in e.children {
                switch line.element.name {
                case "to":
                    w.put("to", at: line.start)
                    let recipient = line.attribute("recipient") ?? "rep"
                    w.put(recipient, at: line.valueOffset("recipient"))
                    let overlay = line.attribute("overlay")
                    if recipient == "splits" {
                        if Self.isTrue(overlay) { w.put("overlay", at: line.valueOffset("overlay")) }
                    } else if overlay != nil {
                        w.problem("'overlay' applies only to recipient=\"splits\"", line, attribute: "overlay")
                    }
                    if recipient == "managers" {
                        if let levels = line.attribute("levels") {
                            w.put(levels, at: line.valueOffset("levels"))
                            w.glue("levels")
                        } else {
                            w.problem("element <to>: recipient=\"managers\" needs 'levels' (a number, or all)", line)
                        }
                    } else if line.attribute("levels") != nil {
                        w.problem("'levels' applies only to recipient=\"managers\"", line, attribute: "levels")
                    }
                default:
                    w.put(line.element.name, at: line.start)
                    w.expression(line)
                }
                w.endDeclaration(group: "")
            }
            w.glue("}")
        case "measure":
            w.put("measure", at: e.start)
            w.put(value("name"), at: e.valueOffset("name"))
            w.glue("=")
            w.put(value("aggregate") + "(", at: e.valueOffset("aggregate"))
            w.put(value("credit"), at: e.valueOffset("credit"))
            w.glue(")")
            if let over = e.attribute("over") {
                w.put("over", over, attribute: "over", of: e)
            }
            roundClause(e, w)
        case "quota":
            w.put("quota", at: e.start)
            w.put(value("measure"), at: e.valueOffset("measure"))
            if let per = e.attribute("per") {
                w.put("per", per, attribute: "per", of: e)
            }
            if let prorate = e.attribute("prorate") {
                w.put("prorate", prorate, attribute: "prorate", of: e)
            }
        case "let":
            w.put("let", at: e.start)
            w.put(value("name"), at: e.valueOffset("name"))
            w.glue("=")
            w.expression(e)
            roundClause(e, w)
        case "table":
            w.put("table", at: e.start)
            w.put(value("name"), at: e.valueOffset("name"))
            w.put(value("mode"), at: e.valueOffset("mode"))
            w.put("on", value("on"), attribute: "on", of: e)
            if let boundary = e.attribute("boundary") {
                w.put("boundary", boundary, attribute: "boundary", of: e)
            }
            w.glue("{")
            w.endDeclaration(group: "")
            for tier in e.children("tier") { self.tier(tier, w) }
            w.glue("}")
        case "component":
            component(e, w)
        case "cap", "floor":
            w.put(name, at: e.start)
            w.put(value("target"), at: e.valueOffset("target"))
            w.glue("at")
            w.expression(e)
            if let per = e.attribute("per") {
                w.put("per", at: nil)
                w.put(per, at: e.valueOffset("per"))
            }
        case "draw":
            w.put("draw", at: e.start)
            w.put(value("name"), at: e.valueOffset("name"))
            w.glue("{")
            w.endDeclaration(group: "")
            w.put("type", value("type"), attribute: "type", of: e)
            w.endDeclaration(group: "")
            w.putRange("periods", from: "from", to: "to", of: e, group: "", missingFrom: "'to' needs 'from' (the first period of the draw)")
            if let start = e.attribute("recovery-start") {
                w.put("recovery_start", start, attribute: "recovery-start", of: e)
                w.endDeclaration(group: "")
            }
            for line in e.children {
                w.put(line.element.name == "recovery-max" ? "recovery_max" : line.element.name, at: line.start)
                w.expression(line)
                w.endDeclaration(group: "")
            }
            w.glue("}")
        case "clawback":
            w.put("clawback", at: e.start)
            w.glue("{")
            w.endDeclaration(group: "")
            if let charge = e.attribute("charge") {
                w.put("charge", charge, attribute: "charge", of: e)
                w.endDeclaration(group: "")
            }
            if let share = e.attribute("share") {
                w.put("share", share, attribute: "share", of: e)
                w.endDeclaration(group: "")
            }
            if let days = e.attribute("window-days") {
                w.put("window", days, attribute: "window-days", of: e)
                w.glue("days")
                w.endDeclaration(group: "")
            }
            w.glue("}")
        case "holdback":
            w.put("holdback", at: e.start)
            w.put(value("share"), at: e.valueOffset("share"))
            w.glue("of")
            w.put(value("target"), at: e.valueOffset("target"))
            w.put("release", value("release"), attribute: "release", of: e)
        default:
            w.problem("element <\(name)> is not part of a plan", e)
        }
    }

    static func tier(_ t: PlacedElement, _ w: PlanTextWriter) {
        let from = t.attribute("from")
        let to = t.attribute("to")
        /// A tier's line starts with its lower bound: a negative one in brackets, or the plan reads
        /// its sign as a minus continuing the tier above (`… : 1%` then `- 1000 USD to …`). The
        /// bracket goes where the attribute's opening quote is, so columns stay the XML's.
        func putLower(_ lower: String) {
            guard lower.hasPrefix("-") else { return w.put(lower, at: t.valueOffset("from")) }
            w.startLine(before: t.valueOffset("from") - 1)
            w.put("(" + lower + ")", at: t.valueOffset("from") - 1)
        }
        switch (from, to) {
        case (nil, let upper?):
            w.put("up to", at: t.start)
            w.put(upper, at: t.valueOffset("to"))
        case (let lower?, nil):
            putLower(lower)
            w.glue("and above")
        case (let lower?, let upper?):
            putLower(lower)
            w.glue("to")
            w.put(upper, at: t.valueOffset("to"))
        case (nil, nil):
            w.problem("element <tier> needs 'from', 'to' or both (its band)", t)
            return
        }
        let rate = t.attribute("rate")
        let amount = t.attribute("amount")
        let endRate = t.attribute("end-rate")
        let endAmount = t.attribute("end-amount")
        w.glue(":")
        switch (rate, amount) {
        case (let rate?, nil):
            w.put(rate, at: t.valueOffset("rate"))
            if endAmount != nil { w.problem("a tier with a 'rate' ends with 'end-rate', not 'end-amount'", t, attribute: "end-amount") }
            if let endRate {
                w.glue("->")
                w.put(endRate, at: t.valueOffset("end-rate"))
            }
        case (nil, let amount?):
            w.put(amount, at: t.valueOffset("amount"))
            if endRate != nil { w.problem("a tier with an 'amount' ends with 'end-amount', not 'end-rate'", t, attribute: "end-rate") }
            if let endAmount {
                w.glue("->")
                w.put(endAmount, at: t.valueOffset("end-amount"))
            }
        case (_?, _?):
            w.problem("element <tier> has both 'rate' and 'amount'; give one", t, attribute: "amount")
        case (nil, nil):
            w.problem("element <tier>: attribute 'rate' (or 'amount' for a money table) is required", t)
        }
        if let gate = t.child("if") {
            w.put("if", at: gate.start)
            w.expression(gate)
        }
        w.endDeclaration(group: "")
    }

    static func component(_ e: PlacedElement, _ w: PlanTextWriter) {
        w.put("component", at: e.start)
        w.put(e.attribute("name") ?? "", at: e.valueOffset("name"))
        if let display = e.attribute("display-name") {
            w.putString(display, of: e, attribute: "display-name")
        }
        w.glue("=")
        guard let body = e.children.first else { return }
        switch body.element.name {
        case "formula":
            w.expression(body)
        case "spiff":
            w.put("spiff", at: body.start)
            w.glue("{")
            w.endDeclaration(group: "")
            w.put("window", at: body.attributeOffset("from"))
            w.put(body.attribute("from") ?? "", at: body.valueOffset("from"))
            w.put("to", at: body.attributeOffset("to"))
            w.put(body.attribute("to") ?? "", at: body.valueOffset("to"))
            if let by = body.attribute("by") {
                w.put("by", at: body.attributeOffset("by"))
                w.put(by, at: body.valueOffset("by"))
            }
            w.endDeclaration(group: "")
            for line in body.children {
                switch line.element.name {
                case "where":
                    w.put("where", at: line.start)
                    w.expression(line)
                case "pay-per-unit", "pay-per-deal":
                    w.put("pay", at: line.start)
                    w.expression(line)
                    w.glue(line.element.name == "pay-per-unit" ? "per unit" : "per deal")
                case "pay-of-amount":
                    w.put("pay", at: line.start)
                    w.expression(line)
                    w.glue("of amount")
                case "pay-by-count":
                    w.put("pay table", at: line.start)
                    w.put(line.attribute("table") ?? "", at: line.valueOffset("table"))
                    w.glue("by count")
                default:
                    break
                }
                w.endDeclaration(group: "")
            }
            w.glue("}")
        case "override":
            w.put("override", at: body.start)
            if let rate = body.child("rate") { w.expression(rate) }
            w.glue("of")
            w.put(body.attribute("credit") ?? "", at: body.valueOffset("credit"))
            if let levels = body.attribute("levels") {
                w.glue("levels")
                w.put(levels, at: body.valueOffset("levels"))
            }
            if let condition = body.child("when") {
                w.put("when", at: condition.start)
                w.expression(condition)
            }
        case "graduated":
            w.put("graduated", at: body.start)
            let words = ["value": "", "above": "above", "pays": "pays", "per": "per", "up-to": "up to"]
            for part in body.children {
                if let word = words[part.element.name], !word.isEmpty { w.put(word, at: part.start) }
                w.expression(part)
            }
        default:
            break
        }
        roundClause(e, w)
    }
}
