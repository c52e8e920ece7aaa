import CompDiagnostics

/// Byte positions of the elements of a well-formed document, found by a small scan of the raw
/// bytes (libxml2 reports only line numbers). Used to point diagnostics at the exact element,
/// attribute or text, and to lay out the plan text an XML plan is checked as.
struct RawElement: Sendable {
    /// The element name.
    var name: String
    /// Offset of `<`.
    var start: Int
    /// Offset just past the start tag's `>`.
    var contentStart: Int
    /// Attribute name → (offset of the name, offset of the value, raw length of the value).
    var attributes: [String: (name: Int, value: Int, length: Int)]
}

enum RawXML {
    /// The elements of `bytes` in document order (the order of their start tags).
    static func elements(_ bytes: [UInt8]) -> [RawElement] {
        var result: [RawElement] = []
        var index = 0
        let count = bytes.count
        func skip(past terminator: [UInt8], from start: Int) -> Int {
            var position = start
            while position + terminator.count <= count {
                if bytes[position] == terminator[0] && bytes[position..<(position + terminator.count)].elementsEqual(terminator) {
                    return position + terminator.count
                }
                position += 1
            }
            return count
        }
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D }
        while index < count {
            guard bytes[index] == UInt8(ascii: "<"), index + 1 < count else {
                index += 1
                continue
            }
            let next = bytes[index + 1]
            if next == UInt8(ascii: "?") {
                index = skip(past: Array("?>".utf8), from: index + 2)
            } else if bytes[index...].starts(with: Array("<!--".utf8)) {
                index = skip(past: Array("-->".utf8), from: index + 4)
            } else if bytes[index...].starts(with: Array("<![CDATA[".utf8)) {
                index = skip(past: Array("]]>".utf8), from: index + 9)
            } else if next == UInt8(ascii: "!") || next == UInt8(ascii: "/") {
                index = skip(past: [UInt8(ascii: ">")], from: index + 2)
            } else {
                let start = index
                var position = index + 1
                while position < count && !isSpace(bytes[position]) && bytes[position] != UInt8(ascii: "/")
                    && bytes[position] != UInt8(ascii: ">")
                {
                    position += 1
                }
                let name = String(decoding: bytes[(start + 1)..<position], as: UTF8.self)
                var attributes: [String: (name: Int, value: Int, length: Int)] = [:]
                while position < count {
                    while position < count && isSpace(bytes[position]) { position += 1 }
                    guard position < count, bytes[position] != UInt8(ascii: "/"), bytes[position] != UInt8(ascii: ">") else { break }
                    let nameStart = position
                    while position < count && !isSpace(bytes[position]) && bytes[position] != UInt8(ascii: "=") { position += 1 }
                    let attributeName = String(decoding: bytes[nameStart..<position], as: UTF8.self)
                    while position < count && bytes[position] != UInt8(ascii: "\"") && bytes[position] != UInt8(ascii: "'") {
                        position += 1
                    }
                    guard position < count else { break }
                    let quote = bytes[position]
                    let valueStart = position + 1
                    position = valueStart
                    while position < count && bytes[position] != quote { position += 1 }
                    attributes[attributeName] = (nameStart, valueStart, position - valueStart)
                    position += 1
                }
                while position < count && bytes[position] != UInt8(ascii: ">") { position += 1 }
                result.append(RawElement(name: name, start: start, contentStart: min(count, position + 1), attributes: attributes))
                index = position + 1
            }
        }
        return result
    }
}

/// An element of the document with its byte positions (when the scan agrees with libxml2's tree).
struct PlacedElement {
    let element: XMLElement
    let raw: RawElement?
    let children: [PlacedElement]
    /// Offset of the start of the element's line (the fallback position).
    let lineStart: Int

    /// Where the element starts.
    var start: Int { raw?.start ?? lineStart }

    /// Where attribute `name`'s value starts.
    func valueOffset(_ name: String) -> Int { raw?.attributes[name]?.value ?? start }

    /// Where attribute `name` starts.
    func attributeOffset(_ name: String) -> Int { raw?.attributes[name]?.name ?? start }

    /// The value of attribute `name`.
    func attribute(_ name: String) -> String? { element.attribute(name) }

    /// The child elements named `name`.
    func children(_ name: String) -> [PlacedElement] { children.filter { $0.element.name == name } }

    /// The first child named `name`.
    func child(_ name: String) -> PlacedElement? { children.first { $0.element.name == name } }

    /// Pairs libxml2's tree with the raw scan (both in document order).
    static func place(_ root: XMLElement, bytes: [UInt8], source: SourceFile) -> PlacedElement {
        let raw = RawXML.elements(bytes)
        var next = 0
        func walk(_ element: XMLElement) -> PlacedElement {
            var match: RawElement?
            // The tree has local names; the raw tag may carry a prefix (`xi:include`).
            if next < raw.count, raw[next].name == element.name || raw[next].name.hasSuffix(":" + element.name) {
                match = raw[next]
            }
            next += 1
            let children = element.children.map(walk)
            return PlacedElement(element: element, raw: match, children: children, lineStart: source.offset(ofLine: element.line))
        }
        return walk(root)
    }
}
