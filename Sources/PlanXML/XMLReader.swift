internal import CLibXML2
import CompDiagnostics

/// An element of an XML document, copied out of libxml2 into plain Swift values (no C pointer
/// leaves this module; the libxml2 document is freed before `read` returns).
public struct XMLElement: Sendable, Hashable {
    /// The element name.
    public let name: String
    /// Attributes in document order.
    public let attributes: [(name: String, value: String)]
    /// Child elements in document order.
    public let children: [XMLElement]
    /// The element's own text (whitespace-only text is dropped).
    public let text: String
    /// Line of the start tag (libxml2 reports the line where the tag ends for long tags).
    public let line: Int

    /// The value of attribute `name`.
    public func attribute(_ name: String) -> String? { attributes.first { $0.name == name }?.value }

    public static func == (lhs: XMLElement, rhs: XMLElement) -> Bool {
        lhs.name == rhs.name && lhs.attributes.map(\.name) == rhs.attributes.map(\.name)
            && lhs.attributes.map(\.value) == rhs.attributes.map(\.value) && lhs.children == rhs.children
            && lhs.text == rhs.text && lhs.line == rhs.line
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(line)
    }
}

/// Limits for untrusted XML.
public struct XMLLimits: Sendable, Hashable {
    /// Largest document accepted, in bytes.
    public var maxBytes: Int
    /// Deepest element nesting accepted.
    public var maxDepth: Int
    /// Most attributes on one element (a plan's elements have a handful; libxml2 checks an
    /// element's attributes for duplicates pairwise, so 50,000 of them took minutes).
    public var maxAttributes: Int

    public init(maxBytes: Int = 16 << 20, maxDepth: Int = 64, maxAttributes: Int = 256) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxAttributes = maxAttributes
    }
}

/// Reads XML plans safely: no network, no DTDs (so no entity expansion and no external
/// entities), UTF-8 only, bounded size and depth. Every refusal is a diagnostic with the file
/// and line, in words a comp admin understands.
public enum XMLReader {
    /// Parses `bytes` (the content of `path`) into an element tree.
    public static func read(_ bytes: [UInt8], path: String, limits: XMLLimits = XMLLimits()) throws(XMLReadError) -> XMLElement {
        func fail(_ line: Int, _ id: DiagnosticID, _ message: String) -> XMLReadError {
            XMLReadError(
                diagnostic: Diagnostic(.error, id: id, message: message, location: SourceLocation(file: path, line: line, column: line == 0 ? 0 : 1)))
        }
        try precheck(bytes, limits: limits, fail: fail)
        return try withDocument(bytes, path: path, limits: limits, fail: fail) { root throws(XMLReadError) in
            try convert(root, depth: 1, limits: limits, fail: fail)
        }
    }

    /// Parses `bytes` and validates the document against ``PlanSchema/text``: the element tree and
    /// every schema problem (libxml2's line and message), in document order.
    static func readValidated(
        _ bytes: [UInt8], path: String, limits: XMLLimits = XMLLimits()
    ) throws(XMLReadError) -> (root: XMLElement, problems: [SchemaProblem]) {
        func fail(_ line: Int, _ id: DiagnosticID, _ message: String) -> XMLReadError {
            XMLReadError(
                diagnostic: Diagnostic(.error, id: id, message: message, location: SourceLocation(file: path, line: line, column: line == 0 ? 0 : 1)))
        }
        try precheck(bytes, limits: limits, fail: fail)
        return try withDocument(bytes, path: path, limits: limits, fail: fail) { root throws(XMLReadError) in
            let element = try convert(root, depth: 1, limits: limits, fail: fail)
            guard let document = root.pointee.doc else { throw fail(0, "xml.internal", "libxml2 lost the document") }
            return (element, try SchemaValidation.validate(document, fail: fail))
        }
    }

    /// The checks made before libxml2 sees the bytes: size, encoding, no DOCTYPE.
    static func precheck(_ bytes: [UInt8], limits: XMLLimits, fail: (Int, DiagnosticID, String) -> XMLReadError) throws(XMLReadError) {
        if bytes.count > limits.maxBytes {
            // Files are read no further than the limit: say "more than", not a size.
            throw fail(0, "xml.tooLarge", "the file is larger than \(limits.maxBytes) bytes, the limit for XML plans")
        }
        if bytes.isEmpty { throw fail(0, "xml.empty", "the file is empty; expected an XML plan") }
        if let encoding = declaredEncoding(bytes), encoding.lowercased() != "utf-8" {
            throw fail(1, "xml.encoding", "the file declares encoding \"\(encoding)\"; XML plans must be UTF-8")
        }
        if let (line, column) = firstInvalidUTF8(bytes) {
            throw fail(line, "xml.encoding", "the file is not valid UTF-8 (its first bad byte is here); save it as UTF-8").at(column: column)
        }
        // A NUL is no XML character: libxml2 took it for the end of the document.
        // Line and column of a byte, as the parser's errors get them (the bytes are UTF-8 here).
        func position(of offset: Int) -> (line: Int, column: Int) {
            let location = SourceFile(path: "", bytes: bytes).location(of: offset)
            return (location.line, location.column)
        }
        if let nul = bytes.firstIndex(of: 0) {
            let (line, column) = position(of: nul)
            throw fail(line, "xml.encoding", "the file holds a NUL byte, which XML does not allow (binary data?)").at(column: column)
        }
        // Refuse DTDs before libxml2 sees them: no entity can then be declared, expanded or fetched.
        if let (line, column) = doctypeInProlog(bytes) {
            throw fail(
                line, "xml.doctype",
                "a DOCTYPE declaration is not allowed in a plan (no DTDs and no entities: they can read local files or expand without bound)"
            ).at(column: column)
        }
        if let offset = crowdedElement(bytes, limit: limits.maxAttributes) {
            let (line, column) = position(of: offset)
            throw fail(
                line, "xml.tooManyAttributes",
                "an element has more than \(limits.maxAttributes) attributes (this is its attribute \(limits.maxAttributes + 1)); plan elements have only a few"
            ).at(column: column)
        }
        if let offset = deepElement(bytes, limit: limits.maxDepth) {
            let (line, column) = position(of: offset)
            throw fail(line, "xml.tooDeep", "elements are nested deeper than \(limits.maxDepth) levels (this one is level \(limits.maxDepth + 1))")
                .at(column: column)
        }
        // libxml2 reports every "--" inside a comment with the whole comment so far: a comment of
        // 200,000 dashes took 16 s. XML forbids "--" there anyway.
        if let offset = doubleHyphenInComment(bytes) {
            let (line, column) = position(of: offset)
            throw fail(
                line, "xml.comment",
                "a comment may not contain \"--\" before its end (XML 1.0); remove the double hyphen or end the comment with -->"
            ).at(column: column)
        }
    }

    /// Calls `body` with each tag outside comments, CDATA sections, processing instructions and
    /// declarations: the offset of its `<`, of its `>` (`bytes.count` when it has none; quoted
    /// attribute values may hold `>`), and whether it is an end tag. `body` returns false to
    /// stop; so does a comment or other construct left unterminated (libxml2 reports those).
    static func forEachTag(_ bytes: [UInt8], _ body: (_ start: Int, _ end: Int, _ closing: Bool) -> Bool) {
        let count = bytes.count
        let scan = RawScan(bytes: bytes)
        var index = 0
        while index < count {
            guard bytes[index] == UInt8(ascii: "<") else {
                index += 1
                continue
            }
            let skipped: Int?
            if scan.starts("<!--", at: index) {
                skipped = scan.end(of: "-->", from: index + 4)
            } else if scan.starts("<![CDATA[", at: index) {
                skipped = scan.end(of: "]]>", from: index + 9)
            } else if scan.starts("<?", at: index) {
                skipped = scan.end(of: "?>", from: index + 2)
            } else if scan.starts("<!", at: index) {
                skipped = scan.end(of: ">", from: index + 2)
            } else {
                let position = outsideQuotes(bytes, from: index + 1, to: count) { bytes[$0] != UInt8(ascii: ">") }
                guard body(index, position, scan.starts("</", at: index)) else { return }
                skipped = position + 1
            }
            guard let next = skipped else { return }
            index = next
        }
    }

    /// The offset of the name of the first attribute past `limit` on one tag (attributes counted
    /// as `=` outside quoted values), or `nil`.
    static func crowdedElement(_ bytes: [UInt8], limit: Int) -> Int? {
        var found: Int? = nil
        forEachTag(bytes) { tag, end, closing in
            guard !closing else { return true }
            var attributes = 0
            let equals = outsideQuotes(bytes, from: tag + 1, to: end) { position in
                guard bytes[position] == UInt8(ascii: "=") else { return true }
                attributes += 1
                return attributes <= limit
            }
            guard equals < end else { return true }
            // Where its name starts (before any blanks around the '=').
            var start = equals
            while start > tag + 1 && isXMLBlank(bytes[start - 1]) { start -= 1 }
            while start > tag + 1 && !isXMLBlank(bytes[start - 1]) && bytes[start - 1] != UInt8(ascii: "\"")
                && bytes[start - 1] != UInt8(ascii: "'")
            {
                start -= 1
            }
            found = start
            return false
        }
        return found
    }

    /// The offset of the first start tag nested deeper than `limit` elements (the root is level
    /// 1), or `nil`. Found here, before parsing, so the error has the tag's column (libxml2's
    /// nodes keep only a line); anything malformed is left to libxml2 to report.
    static func deepElement(_ bytes: [UInt8], limit: Int) -> Int? {
        var depth = 0
        var found: Int? = nil
        forEachTag(bytes) { tag, end, closing in
            guard end < bytes.count else { return false }
            if closing {
                depth -= 1
            } else if bytes[end - 1] != UInt8(ascii: "/") {
                depth += 1
                if depth > limit {
                    found = tag
                    return false
                }
            }
            return true
        }
        return found
    }

    /// The offset of the second `name=` in the tag that is open at `end` (the last `<` before it),
    /// or `nil`.
    static func repeatedAttribute(_ name: String, in bytes: [UInt8], before end: Int) -> Int? {
        let end = min(end, bytes.count)
        guard let tag = bytes[..<end].lastIndex(of: UInt8(ascii: "<")) else { return nil }
        let wanted = Array(name.utf8)
        var seen = 0
        let second = outsideQuotes(bytes, from: tag + 1, to: end) { position in
            guard isXMLBlank(bytes[position - 1]), bytes[position...].starts(with: wanted) else { return true }
            var after = position + wanted.count
            while after < end && isXMLBlank(bytes[after]) { after += 1 }
            guard after < end && bytes[after] == UInt8(ascii: "=") else { return true }
            seen += 1
            return seen < 2
        }
        return second < end ? second : nil
    }

    /// Calls `body` with each offset in `start..<end` outside a quoted attribute value (`"…"` or
    /// `'…'`) that is no quote mark itself, until `body` returns false; returns the offset it
    /// stopped at, or `end`.
    static func outsideQuotes(_ bytes: [UInt8], from start: Int, to end: Int, _ body: (Int) -> Bool) -> Int {
        var quote: UInt8? = nil
        var position = start
        while position < end {
            let byte = bytes[position]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if !body(position) {
                return position
            }
            position += 1
        }
        return end
    }

    /// The offset of the first "--" inside a comment that does not end it, or `nil`. CDATA
    /// sections and processing instructions are skipped (a "<!--" inside them starts no comment);
    /// an unterminated construct is left to libxml2 to report.
    static func doubleHyphenInComment(_ bytes: [UInt8]) -> Int? {
        let count = bytes.count
        let scan = RawScan(bytes: bytes)
        var index = 0
        while index < count {
            guard bytes[index] == UInt8(ascii: "<") else {
                index += 1
                continue
            }
            if scan.starts("<!--", at: index) {
                var position = index + 4
                while position + 1 < count && !(bytes[position] == UInt8(ascii: "-") && bytes[position + 1] == UInt8(ascii: "-")) {
                    position += 1
                }
                guard position + 1 < count else { return nil }
                guard position + 2 < count, bytes[position + 2] == UInt8(ascii: ">") else { return position }
                index = position + 3
            } else if scan.starts("<![CDATA[", at: index) {
                guard let next = scan.end(of: "]]>", from: index + 9) else { return nil }
                index = next
            } else if scan.starts("<?", at: index) {
                guard let next = scan.end(of: "?>", from: index + 2) else { return nil }
                index = next
            } else {
                index += 1
            }
        }
        return nil
    }

    /// Parses `bytes` with the safe options and calls `body` with the root element; the parser
    /// context and the document are freed when `body` returns.
    private static func withDocument<T>(
        _ bytes: [UInt8], path: String, limits: XMLLimits, fail: (Int, DiagnosticID, String) -> XMLReadError,
        _ body: (xmlNodePtr) throws(XMLReadError) -> T
    ) throws(XMLReadError) -> T {
        comp_xml_install_silence()
        guard let context = xmlNewParserCtxt() else { throw fail(0, "xml.internal", "libxml2 could not create a parser") }
        defer { xmlFreeParserCtxt(context) }
        // NONET: never fetch anything. No NOENT (entities are not substituted), no DTDLOAD, no
        // HUGE (libxml2 keeps its depth and amplification limits). BIG_LINES: element line
        // numbers past 65,535 stay right (it changes nothing else).
        let options = Int32(
            XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue | XML_PARSE_BIG_LINES.rawValue)
        // The first error is the one to report: the context keeps the last, often a consequence
        // ("Extra content at the end of the document" after an unescaped '<' in an attribute).
        let first = FirstParseError()
        let handler: xmlStructuredErrorFunc = { userData, error in
            guard let userData, let error else { return }
            let first = Unmanaged<FirstParseError>.fromOpaque(userData).takeUnretainedValue()
            let message = error.pointee.message.map { String(cString: $0) } ?? "malformed XML"
            // A file cut short says so in a later error ("Premature end of data"): kept for the words.
            if message.contains("Premature end of data") || message.contains("end of document") { first.truncated = true }
            // The first fatal one: what stopped the parse (a namespace error before it is not).
            guard error.pointee.level.rawValue >= XML_ERR_FATAL.rawValue, first.line == nil else { return }
            first.line = Int(error.pointee.line)
            first.column = Int(error.pointee.int2)
            first.message = message
        }
        let document: xmlDocPtr? = withExtendedLifetime(first) {
            xmlSetStructuredErrorFunc(Unmanaged.passUnretained(first).toOpaque(), handler)
            defer { xmlSetStructuredErrorFunc(nil, nil) }
            return bytes.withUnsafeBufferPointer { buffer in
                buffer.withMemoryRebound(to: CChar.self) { chars in
                    // No URL for the document (messages name the file themselves): with one,
                    // libxml2 walks back over every earlier sibling of each element a schema
                    // error names, looking for an XInclude start, so that ten thousand errors in a
                    // plan of ten thousand elements took seconds, and twice as many a minute.
                    xmlCtxtReadMemory(context, chars.baseAddress, Int32(chars.count), nil, "UTF-8", options)
                }
            }
        }
        guard let document else {
            if var line = first.line {
                let source = SourceFile(path: path, bytes: bytes)
                // A CDATA section left open is said where it opens (libxml2 says it at the end).
                if first.message.contains("CData section not finished"), let opened = Self.unclosedCDATA(in: bytes) {
                    let location = source.location(of: opened)
                    line = location.line
                    first.column = location.column
                    first.truncated = false
                }
                let lineStart = source.offset(ofLine: line)
                // A reference's error is said at its '&' (libxml2 says it past the name; its column
                // counts characters).
                if first.message.contains("EntityRef") || first.message.hasPrefix("Entity '") {
                    var offset = min(bytes.count - 1, source.offset(line: line, column: first.column))
                    while offset > lineStart && bytes[offset] != UInt8(ascii: "&") { offset -= 1 }
                    if offset >= lineStart && offset < bytes.count && bytes[offset] == UInt8(ascii: "&") {
                        first.column = source.location(of: offset).column
                    }
                }
                // An error at the very end of the file is one of a file cut short, too (where
                // libxml2 says it).
                if lineStart + max(0, first.column - 1) >= bytes.count - 1 { first.truncated = true }
                // An attribute written twice is said at its second occurrence (libxml2 says it past
                // the tag's values, which may be the end of the file: it is not cut short).
                if first.message.hasPrefix("Attribute "), first.message.contains(" redefined"),
                    let name = first.message.split(separator: " ").dropFirst().first,
                    let offset = Self.repeatedAttribute(String(name), in: bytes, before: source.offset(line: line, column: first.column))
                {
                    let location = source.location(of: offset)
                    line = location.line
                    first.column = location.column
                    first.truncated = false
                }
                let said = explain(first.message)
                let message = first.truncated && !said.contains("truncated") ? "the file ends before the document does (is it truncated?): \(said)" : said
                let failure = fail(line, "xml.malformed", "the XML is not well-formed: \(message)")
                throw line > 0 && first.column > 0 ? failure.at(column: first.column) : failure
            }
            if let error = xmlCtxtGetLastError(context) {
                let line = Int(error.pointee.line)
                let message = error.pointee.message.map { String(cString: $0) } ?? "malformed XML"
                let failure = fail(line, "xml.malformed", "the XML is not well-formed: \(explain(message))")
                // libxml2 keeps the column of a parser error in `int2` (it had been column 1).
                let column = Int(error.pointee.int2)
                throw line > 0 && column > 0 ? failure.at(column: column) : failure
            }
            throw fail(0, "xml.malformed", "the XML is not well-formed")
        }
        defer { xmlFreeDoc(document) }
        if document.pointee.intSubset != nil || document.pointee.extSubset != nil {
            let line = document.pointee.intSubset.map { Int(xmlGetLineNo(UnsafeMutablePointer(OpaquePointer($0)))) } ?? 1
            throw fail(
                max(1, line), "xml.doctype",
                "a DOCTYPE declaration is not allowed in a plan (no DTDs and no entities: they can read local files or expand without bound)")
        }
        guard let root = xmlDocGetRootElement(document) else { throw fail(1, "xml.empty", "the document has no root element") }
        return try body(root)
    }

    private static func convert(
        _ node: xmlNodePtr, depth: Int, limits: XMLLimits, fail: (Int, DiagnosticID, String) -> XMLReadError
    ) throws(XMLReadError) -> XMLElement {
        let line = Int(xmlGetLineNo(node))
        if depth > limits.maxDepth {
            throw fail(line, "xml.tooDeep", "elements are nested deeper than \(limits.maxDepth) levels")
        }
        var attributes: [(String, String)] = []
        var attribute = node.pointee.properties
        while let current = attribute {
            let name = current.pointee.name.map { String(cString: $0) } ?? ""
            var value = ""
            var child = current.pointee.children
            while let text = child {
                if let content = text.pointee.content { value += String(cString: content) }
                child = text.pointee.next
            }
            attributes.append((name, value))
            attribute = current.pointee.next
        }
        var children: [XMLElement] = []
        var text = ""
        var child = node.pointee.children
        while let current = child {
            switch current.pointee.type {
            case XML_ELEMENT_NODE:
                children.append(try convert(current, depth: depth + 1, limits: limits, fail: fail))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = current.pointee.content { text += String(cString: content) }
            case XML_ENTITY_REF_NODE:
                throw fail(Int(xmlGetLineNo(current)), "xml.entity", "entity references are not allowed in a plan")
            default:
                break  // comments, processing instructions
            }
            child = current.pointee.next
        }
        let name = node.pointee.name.map { String(cString: $0) } ?? ""
        let trimmed = text.drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        return XMLElement(
            name: name, attributes: attributes.map { (name: $0.0, value: $0.1) }, children: children,
            text: trimmed.isEmpty ? "" : text.trimmingXMLWhitespace(), line: line)
    }

    /// The encoding named in the XML declaration, if any.
    static func declaredEncoding(_ bytes: [UInt8]) -> String? {
        let head = Array(bytes.prefix(200))
        guard head.starts(with: Array("<?xml".utf8)) else { return nil }
        // The declaration ends at "?>"; look for encoding="..." or encoding='...' inside it.
        var end = head.count
        for index in 0..<max(0, head.count - 1) where head[index] == UInt8(ascii: "?") && head[index + 1] == UInt8(ascii: ">") {
            end = index
            break
        }
        let declaration = Array(head[0..<end])
        let key = Array("encoding".utf8)
        guard let start = (0...max(0, declaration.count - key.count)).first(where: { declaration[$0...].starts(with: key) }) else {
            return nil
        }
        var index = start + key.count
        while index < declaration.count, declaration[index] == UInt8(ascii: " ") || declaration[index] == UInt8(ascii: "=") {
            index += 1
        }
        guard index < declaration.count, declaration[index] == UInt8(ascii: "\"") || declaration[index] == UInt8(ascii: "'") else {
            return nil
        }
        let quote = declaration[index]
        let value = declaration[(index + 1)...].prefix { $0 != quote }
        return String(decoding: value, as: UTF8.self)
    }

    /// The 1-based line where `needle` first occurs in `bytes`, or `nil`.
    /// Line and column of a DOCTYPE declaration in the prolog (before the root element, after the
    /// XML declaration, processing instructions, comments and white space), the only place one
    /// can be. "<!DOCTYPE" inside a comment or a CDATA section is text, and had been refused.
    static func doctypeInProlog(_ bytes: [UInt8]) -> (line: Int, column: Int)? {
        func starts(_ text: String, at index: Int) -> Bool {
            let needle = Array(text.utf8)
            return index + needle.count <= bytes.count && bytes[index..<(index + needle.count)].elementsEqual(needle)
        }
        func skip(past end: String, from index: Int) -> Int {
            var index = index
            while index < bytes.count && !starts(end, at: index) { index += 1 }
            return index + end.utf8.count
        }
        var index = starts("\u{FEFF}", at: 0) ? 3 : 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D {
                index += 1
            } else if starts("<?", at: index) {
                index = skip(past: "?>", from: index + 2)
            } else if starts("<!--", at: index) {
                index = skip(past: "-->", from: index + 4)
            } else if starts("<!DOCTYPE", at: index) {
                let lineStart = bytes[..<index].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
                let line = bytes[..<index].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
                return (line, Self.column(bytes, lineStart: lineStart, at: index))
            } else {
                return nil
            }
        }
        return nil
    }

    /// The 1-based column of `index` on the line starting at `lineStart`, in characters; a byte
    /// order mark before line 1 is no column (editors show none, and `SourceFile` counts none).
    static func column(_ bytes: [UInt8], lineStart: Int, at index: Int) -> Int {
        let start = lineStart == 0 && bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : lineStart
        guard index > start else { return 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self).unicodeScalars.count + 1
    }

    /// Line and column (in characters) of the first byte that is not valid UTF-8, or `nil` (a
    /// byte order mark before line 1 is no column).
    static func firstInvalidUTF8(_ bytes: [UInt8]) -> (line: Int, column: Int)? {
        var decoder = UTF8()
        var iterator = bytes[(bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0)...].makeIterator()
        var line = 1
        var column = 1
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar == "\n" {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            case .emptyInput: return nil
            case .error: return (line, column)
            }
        }
    }

    /// Where the last CDATA section with no `]]>` after it opens, if any.
    static func unclosedCDATA(in bytes: [UInt8]) -> Int? {
        var opened: Int? = nil
        var offset = 0
        while let start = byteOffset(of: "<![CDATA[", in: bytes, from: offset) {
            guard let end = byteOffset(of: "]]>", in: bytes, from: start + 9) else {
                opened = start
                break
            }
            offset = end + 3
        }
        return opened
    }

    /// libxml2's messages, made friendlier where they are cryptic.
    static func explain(_ message: String) -> String {
        let trimmed = message.trimmingWhitespace()
        if trimmed.contains("Excessive depth") { return "elements are nested too deeply" }
        // libxml2 quotes the rest of the file after it.
        if trimmed.hasPrefix("CData section not finished") {
            return "a CDATA section (<![CDATA[) is not closed: no ]]> before the end of the file"
        }
        if trimmed.contains("StartTag: invalid element name") || trimmed.contains("xmlParseEntityRef: no name")
            || trimmed.contains("Unescaped '<'")
        {
            return "\(trimmed) (in text, write '<' as &lt; and '&' as &amp;)"
        }
        // A raw '&' (`R&D`) before a name and no ';', and a reference to an entity XML does not have.
        if trimmed.contains("EntityRef: expecting ';'") {
            return "\(trimmed): a '&' starts a reference such as &amp;; to write '&' itself, write &amp;"
        }
        if trimmed.hasPrefix("Entity '") && trimmed.contains("not defined") {
            return "\(trimmed): XML knows only &amp; &lt; &gt; &quot; &apos; and numeric references (&#38;); to write '&' itself, write &amp;"
        }
        if trimmed.contains("Premature end of data") || trimmed.contains("EndTag") || trimmed.contains("end of document") {
            return "the file ends before the document does (is it truncated?): \(trimmed)"
        }
        return trimmed
    }
}

/// The first error libxml2 raised while parsing (filled from its structured error handler).
private final class FirstParseError {
    var truncated = false
    var line: Int? = nil
    var column = 0
    var message = ""
}

/// Why an XML plan was refused.
public struct XMLReadError: Error, Sendable, CustomStringConvertible {
    /// The problem, with file and line.
    public let diagnostic: Diagnostic
    public var description: String { diagnostic.description }

    /// The same problem at `column` of its line.
    func at(column: Int) -> XMLReadError {
        var moved = diagnostic
        moved.location.column = column
        return XMLReadError(diagnostic: moved)
    }
}

extension String {
    /// Without XML's blanks (space, tab, line feed, carriage return) at either end: a no-break or
    /// other Unicode space stays, for the plan's check to name (trimmed too, the positions of an
    /// expression's errors were off by its length).
    fileprivate func trimmingXMLWhitespace() -> String {
        var scalars = Substring(self).unicodeScalars
        let blank: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        while let first = scalars.first, blank(first) { scalars.removeFirst() }
        while let last = scalars.last, blank(last) { scalars.removeLast() }
        return String(scalars)
    }

    fileprivate func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}

/// Prefix and terminator searches over a document's raw bytes, for the checks made before libxml2
/// sees it.
private struct RawScan {
    let bytes: [UInt8]

    /// Whether `prefix` starts at `index`.
    func starts(_ prefix: StaticString, at index: Int) -> Bool {
        let length = prefix.utf8CodeUnitCount
        guard index + length <= bytes.count else { return false }
        return prefix.withUTF8Buffer { prefix in (0..<length).allSatisfy { bytes[index + $0] == prefix[$0] } }
    }

    /// The index just past the first `terminator` at or after `index`, or `nil`.
    func end(of terminator: StaticString, from index: Int) -> Int? {
        var position = index
        while position < bytes.count {
            if starts(terminator, at: position) { return position + terminator.utf8CodeUnitCount }
            position += 1
        }
        return nil
    }
}

/// XML's white space (space, tab, line feed, carriage return).
private func isXMLBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
