import CompCore
import CompDiagnostics
import PlanLanguage
import PlanModel

/// XML plans: check (parse, validate against ``PlanSchema``, lower through the plan language's
/// checker), import to plan-language text, and export a plan file as XML.
///
/// An XML plan means exactly what the same plan written in the plan language means: it is lowered
/// to plan text and checked by ``PlanChecker``, so every semantic check (unknown names, tier gaps,
/// currency mismatches, types) is the language's, reported at the XML file's own lines.
public enum XMLPlans {
    /// The limits for XML plans: the plan language's size limit (an XML plan becomes plan text of
    /// the same size), and the reader's depth limit.
    public static let limits = XMLLimits(maxBytes: PlanLimits.maxFileBytes)

    /// True for paths that name an XML plan (`.xml`).
    public static func isXML(_ path: String) -> Bool { path.lowercased().hasSuffix(".xml") }

    /// Reads, validates and checks the XML plan at `path`.
    ///   - found: true when the file was found in a directory rather than named: one that does not
    ///     start like an XML document is then not parsed, so nothing of it is quoted (a link to
    ///     /etc/shadow among the plans printed its first line under a parse error).
    public static func check(
        path: String, overrides: [String: String] = [:], limits: XMLLimits = XMLPlans.limits, found: Bool = false
    ) -> PlanCheckResult {
        func refused(_ id: DiagnosticID, _ message: String) -> PlanCheckResult {
            PlanCheckResult(
                plan: nil, diagnostics: [Diagnostic(.error, id: id, message: message, location: SourceLocation(file: path, line: 0, column: 0))],
                sources: [])
        }
        guard let data = BoundedFile.read(path, limit: limits.maxBytes) else {
            return refused("xml.readFailed", "cannot read the file: \(BoundedFile.problem(path))")
        }
        if found && !data.isEmpty && PlanChecker.xmlStart(data) == nil {
            return refused("xml.notAPlanFile", "'\(path)' is not an XML plan (it does not start with '<')")
        }
        return check(bytes: data, path: path, overrides: overrides, limits: limits, loader: readFile)
    }

    /// Validates and checks an XML plan held in memory; `loader` reads the plan-language libraries
    /// named by `<use>` (paths relative to `path`'s directory).
    public static func check(
        bytes: [UInt8], path: String, overrides: [String: String] = [:], limits: XMLLimits = XMLPlans.limits,
        loader: @escaping @Sendable (String) -> [UInt8]? = { _ in nil }
    ) -> PlanCheckResult {
        let bytes = SourceFile.xmlLineEnds(bytes)
        let xmlSource = SourceFile(path: path, bytes: bytes)
        switch lower(bytes: bytes, path: path, layout: .aligned, limits: limits) {
        case .failure(let list):
            // The first hundred problems listed, as for plan text (with at most a thousand read).
            guard list.diagnostics.count > 100 else { return PlanCheckResult(plan: nil, diagnostics: list.diagnostics, sources: [xmlSource]) }
            let rest = list.diagnostics.dropFirst(100)
            let errors = rest.filter { $0.severity == .error }.count
            let warnings = rest.count - errors
            let summary = Diagnostic(
                errors > 0 ? .error : .warning, id: "xml.moreProblems",
                message: PlanChecker.unlistedProblems(errors: errors, warnings: warnings, listed: 100, atLeast: list.diagnostics.count >= 1_000),
                location: rest.first?.location ?? SourceLocation(file: path, line: 0, column: 0))
            var result = PlanCheckResult(plan: nil, diagnostics: Array(list.diagnostics.prefix(100)) + [summary], sources: [xmlSource])
            result.unlistedErrorCount = errors
            return result
        case .success(let lowered):
            // The aligned text has the XML's offsets, so positions are the XML file's; quote the XML.
            let result = PlanChecker.check(source: SourceFile(path: path, text: lowered.text), overrides: overrides, loader: loader)
            var sources = result.sources
            if !sources.isEmpty { sources[0] = xmlSource }
            var plan = result.plan
            if !lowered.shifts.isEmpty { plan?.sourceShifts[0] = lowered.shifts }
            // Past an entity (`&lt;`), a CDATA section or a comment in an expression, the XML's
            // columns run ahead of the plan text's: positions are moved onto the XML's own.
            func moved(_ range: SourceRange) -> (range: SourceRange, location: SourceLocation) {
                let start = SourceShift.apply(lowered.shifts, to: range.start)
                let end = max(start, SourceShift.apply(lowered.shifts, to: range.end))
                return (SourceRange(start: start, end: end), xmlSource.location(of: start))
            }
            let diagnostics = result.diagnostics.map { diagnostic in
                var diagnostic = diagnostic
                if diagnostic.location.file == path, let range = diagnostic.range {
                    (diagnostic.range, diagnostic.location) = moved(range)
                    // The file's own line ends are read as XML reads them: a carriage return left
                    // in an expression was written as a reference (the plan text's advice to save
                    // the file with other line ends did not apply).
                    if diagnostic.id.rawValue == "plan.loneCarriageReturn" { diagnostic.message = carriageReturnReference }
                }
                for index in diagnostic.notes.indices where diagnostic.notes[index].location?.file == path {
                    guard let range = diagnostic.notes[index].range else { continue }
                    (diagnostic.notes[index].range, diagnostic.notes[index].location) = moved(range)
                }
                return diagnostic
            }
            var checked = PlanCheckResult(plan: plan, diagnostics: diagnostics, sources: sources)
            checked.unknownOverrides = result.unknownOverrides
            checked.unlistedErrorCount = result.unlistedErrorCount
            return checked
        }
    }

    /// The schema problems of `bytes` (no semantic checks): empty when the document is a valid plan.
    public static func validate(bytes: [UInt8], path: String, limits: XMLLimits = XMLPlans.limits) -> [Diagnostic] {
        let bytes = SourceFile.xmlLineEnds(bytes)
        do {
            let (root, problems) = try XMLReader.readValidated(bytes, path: path, limits: limits)
            let lines = SourceFile(path: path, bytes: bytes)
            return diagnostics(for: problems, root: PlacedElement.place(root, bytes: bytes, source: lines), lines: lines, path: path)
        } catch {
            return [located(error.diagnostic, bytes: bytes)]
        }
    }

    /// The plan in the plan language, formatted as `comp fmt` would (`comp import`). The XML is
    /// checked first: with errors, `text` is `nil`. With `outputPath`, `<use>` paths are rewritten
    /// relative to where the plan will be written.
    public static func planText(
        bytes: [UInt8], path: String, outputPath: String? = nil, limits: XMLLimits = XMLPlans.limits,
        loader: @escaping @Sendable (String) -> [UInt8]? = readFile
    ) -> (text: String?, result: PlanCheckResult) {
        let bytes = SourceFile.xmlLineEnds(bytes)
        let checked = check(bytes: bytes, path: path, limits: limits, loader: loader)
        let rewrite: (String) -> String = { use in outputPath.map { relocate(use, from: path, to: $0) } ?? use }
        guard !checked.hasErrors,
            case .success(let plain) = lower(bytes: bytes, path: path, layout: .plain, limits: limits, relocateUse: rewrite).map(\.text)
        else {
            return (nil, checked)
        }
        let formatted = PlanFormatter.format(SourceFile(path: path, text: plain))
        return (formatted.text, checked)
    }

    /// Reads the file at `path` (the default loader for `<use>`).
    @Sendable public static func readFile(_ path: String) -> [UInt8]? {
        BoundedFile.read(path, limit: PlanLimits.maxFileBytes)
    }

    // MARK: - Lowering

    /// `bytes` have XML's line ends already (``SourceFile/xmlLineEnds(_:)``: the callers made them).
    static func lower(
        bytes: [UInt8], path: String, layout: PlanTextWriter.Layout, limits: XMLLimits,
        relocateUse: @escaping (String) -> String = { $0 }
    ) -> Result<(text: String, shifts: [SourceShift]), DiagnosticList> {
        let root: XMLElement
        let problems: [SchemaProblem]
        do {
            (root, problems) = try XMLReader.readValidated(bytes, path: path, limits: limits)
        } catch {
            return .failure(DiagnosticList([located(error.diagnostic, bytes: bytes)]))
        }
        let lines = SourceFile(path: path, bytes: bytes)
        let placed = PlacedElement.place(root, bytes: bytes, source: lines)
        let schemaDiagnostics = diagnostics(for: problems, root: placed, lines: lines, path: path)
        if !schemaDiagnostics.isEmpty { return .failure(DiagnosticList(schemaDiagnostics)) }
        let writer = PlanTextWriter(layout: layout, path: path, xml: bytes)
        writer.relocateUse = relocateUse
        // Every expression is parsed alone on the way (to tell one from several): on one thread
        // with the parser's stack, not one each.
        withCheckerStack { Lowering.write(placed, into: writer) }
        if !writer.problems.isEmpty { return .failure(DiagnosticList(writer.problems)) }
        return .success((writer.text, writer.sourceShifts))
    }

    /// What a carriage return left in an XML plan's text is: one written as a reference (the
    /// file's own line ends are read as XML reads them).
    static let carriageReturnReference = "a carriage return written as a reference (&#13;) may not stand in an expression or a value; remove it"

    /// Gives a reader error a one-byte range at its line, so that it renders with the line quoted.
    static func located(_ diagnostic: Diagnostic, bytes: [UInt8]) -> Diagnostic {
        var diagnostic = diagnostic
        guard diagnostic.location.line > 0 else { return diagnostic }
        let lines = SourceFile(path: diagnostic.location.file, bytes: bytes)
        // A file cut short is reported on the line after its end: quote its last line instead.
        var line = diagnostic.location.line
        while line > 1 && lines.offset(ofLine: line) >= bytes.count { line -= 1 }
        var start = lines.offset(ofLine: line)
        if start < bytes.count {
            // At its column when it has one (the caret had been drawn at column 1): the byte where
            // that character starts, characters counted as Unicode scalars.
            if line == diagnostic.location.line && diagnostic.location.column > 1 {
                var characters = 1
                var index = start
                while index < bytes.count && bytes[index] != UInt8(ascii: "\n") && characters < diagnostic.location.column {
                    // A whole UTF-8 sequence is one character; a byte that starts none is one too,
                    // as the reader counts it (a stray continuation byte had joined the one before).
                    index += UTF8Bytes.sequenceLength(bytes, at: index) ?? 1
                    characters += 1
                }
                if characters == diagnostic.location.column { start = index } else { diagnostic.location.column = characters }
            } else {
                diagnostic.location.column = 1
            }
            diagnostic.range = SourceRange(start: start, end: start + 1)
            diagnostic.location.line = line
        }
        return diagnostic
    }

    /// The value libxml2 quotes for `attribute` ("…, attribute 'rate': [facet 'pattern'] The
    /// value '8x' is not …", or "…: '8x' is not …"), if any.
    static func quotedValue(of attribute: String, in message: String) -> String? {
        guard let start = message.range(of: "attribute '\(attribute)':") else { return nil }
        var rest = message[start.upperBound...]
        if let value = rest.range(of: "The value '") {
            rest = rest[value.upperBound...]
        } else if let quote = rest.firstIndex(of: "'"), !rest[..<quote].contains("[") {
            rest = rest[rest.index(after: quote)...]
        } else {
            return nil
        }
        guard let end = rest.firstIndex(of: "'") else { return nil }
        return String(rest[..<end])
    }

    /// Schema problems in the reader's words, each pointing at its element or attribute.
    static func diagnostics(for problems: [SchemaProblem], root: PlacedElement, lines: SourceFile, path: String) -> [Diagnostic] {
        let translated = problems.map { (problem: $0, text: SchemaMessages.translate($0.message)) }
        var seen = Set<String>()
        var result: [Diagnostic] = []
        var all: [PlacedElement] = []
        func collect(_ element: PlacedElement) {
            all.append(element)
            element.children.forEach(collect)
        }
        collect(root)
        for (index, entry) in translated.enumerated() {
            let (problem, text) = entry
            // A facet message is followed by a type message on the same value; keep the clearer one.
            if text.isFacet, translated.indices.contains(where: { other in
                other != index && translated[other].problem.line == problem.line && translated[other].text.element == text.element
                    && translated[other].text.attribute == text.attribute && !translated[other].text.isFacet
            }) {
                continue
            }
            // An element that holds child elements where text is expected is also "empty": say it once.
            if text.message.hasSuffix("is empty; write a formula in the plan language's expression syntax"),
                translated.contains(where: {
                    $0.problem.line == problem.line && $0.text.element == text.element && $0.text.message.contains("holds child elements")
                })
            {
                continue
            }
            // Several such elements on the line: the one whose attribute holds the value libxml2
            // quotes (the first had always been taken: the caret went under another tier's rate).
            // libxml2 names a namespaced element "{uri}name"; the tree has its local name. A plan's
            // own elements have no namespace: one of another is most likely the one written with a
            // prefix (`xi:include`), which is taken first.
            let namespaced = text.element?.hasPrefix("{") ?? false
            let name = text.element.map { element in
                namespaced ? element.firstIndex(of: "}").map { String(element[element.index(after: $0)...]) } ?? element : element
            }
            let sameName = all.filter { $0.element.name == name && $0.element.line == problem.line }
            let prefixed = sameName.filter { $0.raw?.name.contains(":") ?? false }
            let onLine = namespaced && !prefixed.isEmpty ? prefixed : sameName
            var element = onLine.first
            if onLine.count > 1, let attribute = text.attribute, let value = quotedValue(of: attribute, in: problem.message) {
                element = onLine.first { candidate in
                    guard let position = candidate.raw?.attributes[attribute], position.value + position.length <= lines.bytes.count else { return false }
                    return lines.bytes[position.value..<(position.value + position.length)].elementsEqual(value.utf8)
                } ?? element
            }
            element = element ?? all.first { $0.element.name == name && lines.line(containing: $0.start) == problem.line }
            var range: SourceRange?
            var offset = problem.line > 0 ? lines.offset(ofLine: problem.line) : 0
            if let element, let raw = element.raw {
                if let attribute = text.attribute, let position = raw.attributes[attribute] {
                    if text.message.contains("has no attribute") {
                        // An attribute that should not be there: point at its name.
                        offset = position.name
                        range = SourceRange(start: position.name, end: position.name + attribute.utf8.count)
                    } else {
                        offset = position.value
                        range = SourceRange(start: position.value, end: position.value + max(1, position.length))
                    }
                } else {
                    offset = raw.start + 1
                    range = SourceRange(start: raw.start + 1, end: raw.start + 1 + raw.name.utf8.count)
                }
            } else if problem.line > 0 {
                range = SourceRange(start: offset, end: offset + 1)
            }
            let line = problem.line > 0 ? lines.line(containing: offset) : 0
            let column = problem.line > 0 ? offset - lines.offset(ofLine: line) + 1 : 0
            if !seen.insert("\(line):\(column)\u{0}\(text.message)").inserted { continue }
            result.append(
                Diagnostic(
                    .error, id: "xml.schema", message: text.message, location: SourceLocation(file: path, line: line, column: column),
                    range: range))
        }
        return result
    }
}

/// Diagnostics as an `Error`, for `Result`.
struct DiagnosticList: Error {
    let diagnostics: [Diagnostic]
    init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
}
