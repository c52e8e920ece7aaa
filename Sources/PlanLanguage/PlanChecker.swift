import CompCore
import CompDiagnostics
import Foundation
import PlanModel

/// The outcome of checking a plan file: the model when there are no errors, and every diagnostic.
public struct PlanCheckResult: Sendable {
    /// The checked plan; `nil` when there are errors, or when the file is a library.
    public let plan: Plan?
    /// Errors and warnings, in source order per file.
    public let diagnostics: [Diagnostic]
    /// The files read (the checked file first, then the libraries it uses).
    public let sources: [SourceFile]
    /// Overridden parameters the plan does not declare (each also an error).
    public var unknownOverrides: [String] = []
    /// Errors found past the listing limit (counted in the last diagnostic, `plan.moreProblems`).
    public var unlistedErrorCount = 0

    /// Every error found: those listed and those only counted.
    public var errorCount: Int {
        diagnostics.filter { $0.severity == .error && !$0.id.rawValue.hasSuffix(".moreProblems") }.count + unlistedErrorCount
    }

    /// A result; other front ends (XML) build theirs from the language's.
    public init(plan: Plan?, diagnostics: [Diagnostic], sources: [SourceFile]) {
        self.plan = plan
        self.diagnostics = diagnostics
        self.sources = sources
    }

    /// True when at least one diagnostic is an error.
    public var hasErrors: Bool { diagnostics.contains { $0.severity == .error } }

    /// The diagnostics in the swiftc layout, with source lines and carets.
    public func rendered(colors: Bool = false) -> String {
        var byPath: [String: SourceFile] = [:]
        for source in sources { byPath[source.path] = source }
        return DiagnosticRenderer(colors: colors).render(diagnostics, sources: byPath)
    }
}

/// Checks plan files: lexing, parsing, name resolution, type checking and lowering to ``PlanModel/Plan``.
public enum PlanChecker {
    /// Checks the files of one what-if run with `check` (a plan-language or an XML checker): a
    /// parameter override applies in the files that declare it, and only one that no file
    /// declares is an error, in each (it had to be declared by every file of the run).
    public static func checkRun(
        _ paths: [String], overrides: [String: String], check: (String, [String: String]) -> PlanCheckResult
    ) -> [PlanCheckResult] {
        var results = paths.map { check($0, overrides) }
        guard paths.count > 1 && !overrides.isEmpty else { return results }
        let unknownEverywhere = results.map { Set($0.unknownOverrides) }.reduce(Set(overrides.keys)) { $0.intersection($1) }
        for (index, result) in results.enumerated() where result.unknownOverrides.contains(where: { !unknownEverywhere.contains($0) }) {
            results[index] = check(paths[index], overrides.filter { !result.unknownOverrides.contains($0.key) || unknownEverywhere.contains($0.key) })
        }
        return results
    }

    /// What a check says of the problems past those it lists (plan text and XML alike): "3 more
    /// errors and 2 more warnings not listed (…)"; `atLeast` when only some were counted.
    public static func unlistedProblems(errors: Int, warnings: Int, listed: Int, atLeast: Bool = false) -> String {
        let counted = [
            errors > 0 ? "\(atLeast ? "at least " : "")\(errors) more error\(errors == 1 ? "" : "s")" : nil,
            warnings > 0 ? "\(warnings) more warning\(warnings == 1 ? "" : "s")" : nil,
        ].compactMap { $0 }.joined(separator: " and ")
        return "\(counted) not listed (a check lists its first \(listed), errors first): correct those listed and check again"
    }

    /// Reads `path` (and every library it uses) from disk and checks it.
    ///
    /// - Parameters:
    ///   - path: the plan or library file, as the user named it (used verbatim in messages).
    ///   - overrides: parameter values for a what-if run, by name (`["spiff_rate": "200 USD"]`).
    ///   - found: true when the file was found in a directory rather than named: one that does not
    ///     start like a plan file is then not parsed, so nothing of it is quoted (a link to
    ///     /etc/shadow among the plans printed its first line under a syntax error).
    public static func check(path: String, overrides: [String: String] = [:], found: Bool = false) -> PlanCheckResult {
        guard let bytes = readFile(path) else {
            let message = PlanMessage.readFailed(path, BoundedFile.problem(path))
            let diagnostic = Diagnostic(.error, id: message.id, message: message.text,
                                        location: SourceLocation(file: path, line: 0, column: 0))
            return PlanCheckResult(plan: nil, diagnostics: [diagnostic], sources: [])
        }
        // A file found in a directory is not quoted; a data file named by mistake (`comp check
        // roster.csv`) gets one error saying so, not one per accented name in it (a hundred
        // "invalid character" errors had never named the problem). The first line is looked at
        // first: a named plan file is not tokenized twice.
        if let refused = refuseDataFile(path: path, bytes: bytes, found: found) { return refused }
        return check(source: SourceFile(path: path, bytes: bytes), overrides: overrides, loader: readFile)
    }

    /// The one error for a file that is not a plan file (see ``check(path:overrides:found:)``):
    /// a data file named by mistake (its first line reads like a data file's header), or with
    /// `found`, any file that does not start like a plan file; nil for a file to parse. `comp fmt`
    /// says it too (it had printed a syntax error per accented name in a roster).
    public static func refuseDataFile(path: String, bytes: [UInt8], found: Bool = false) -> PlanCheckResult? {
        // A UTF-16 file's first line may read like a header: ``parse(_:file:sink:)`` says what it is.
        if UTF8Bytes.utf16ByteOrder(bytes) != nil { return nil }
        let header = found ? nil : csvHeader(bytes)
        guard (found || header != nil) && bytes.count <= PlanLimits.maxFileBytes && !startsLikePlanFile(bytes) else { return nil }
        let message = PlanMessage.notAPlanFile(path, used: false, header: header)
        let line = header == nil ? 0 : 1
        let diagnostic = Diagnostic(
            .error, id: message.id, message: message.text, location: SourceLocation(file: path, line: line, column: line))
        return PlanCheckResult(plan: nil, diagnostics: [diagnostic], sources: [])
    }

    /// The first line of `bytes`, shortened for a message, when it reads like the header of a data
    /// file: names separated by commas, tabs or semicolons, and no brace (a plan's first line with
    /// a typo in its first word has one).
    static func csvHeader(_ bytes: [UInt8]) -> String? {
        var line = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes[3...] : bytes[...]
        if let end = line.firstIndex(of: 10) { line = line[..<end] }
        if line.last == 13 { line = line.dropLast() }
        let separators: [UInt8] = [UInt8(ascii: ","), 9, UInt8(ascii: ";")]
        guard line.contains(where: separators.contains), !line.contains(UInt8(ascii: "{")), !line.contains(UInt8(ascii: "}")) else {
            return nil
        }
        // Shown with its tabs as blanks, short, and safe for a terminal.
        let text = String(decoding: line.map { $0 == 9 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
        return TerminalText.safe(text.count > 60 ? String(text.prefix(60)) + "…" : text)
    }

    /// Checks a plan held in memory; `loader` reads the files named by `use` (paths relative to the plan's directory).
    public static func check(
        source: SourceFile, overrides: [String: String] = [:],
        loader: @escaping @Sendable (String) -> [UInt8]? = { _ in nil }
    ) -> PlanCheckResult {
        withLargeStack { checkOnThisThread(source: source, overrides: overrides, loader: loader) }
    }

    static func checkOnThisThread(
        source: SourceFile, overrides: [String: String], loader: (String) -> [UInt8]?
    ) -> PlanCheckResult {
        let sink = DiagnosticSink(sources: [source])
        var parsed: [FileNode?] = [parse(source, file: 0, sink: sink)]
        var libraries: [Int] = []
        var reading: [String] = [source.path]
        func loadUses(of index: Int) {
            guard let node = parsed[index] else { return }
            for use in node.uses {
                // An empty path resolved to the plan's own directory, or to nothing, as the plan
                // was named: one message either way.
                if use.path.isEmpty {
                    sink.emit(.readFailed(use.path, "the use names no file; write the library's path (use \"rates.plan\")"), file: index, use.range)
                    if sink.unreadLibrary == nil { sink.unreadLibrary = use.path }
                    continue
                }
                // A path whose string had an error (a bad escape dropped from it) is not the one
                // meant: not read, so the error is said alone (not after "cannot read" of a
                // mangled name).
                if sink.hasError(in: index, within: use.range) {
                    if sink.unreadLibrary == nil { sink.unreadLibrary = use.path }
                    continue
                }
                let path = resolve(use.path, relativeTo: sink.sources[index].path)
                if reading.contains(path) {
                    sink.emit(.includeCycle(use.path), file: index, use.range)
                    continue
                }
                if let existing = sink.sources.firstIndex(where: { $0.path == path }) {
                    _ = existing
                    continue
                }
                guard let bytes = loader(path) else {
                    sink.emit(.readFailed(use.path, BoundedFile.problem(path)), file: index, use.range)
                    if sink.unreadLibrary == nil { sink.unreadLibrary = use.path }
                    continue
                }
                // Too large to be a plan file: said at the `use`, as every problem of the file
                // named (it had been said at the file alone, with no line of the plan).
                if bytes.count > PlanLimits.maxFileBytes {
                    sink.emit(.readFailed(use.path, PlanMessage.fileTooLarge.text), file: index, use.range)
                    if sink.unreadLibrary == nil { sink.unreadLibrary = use.path }
                    continue
                }
                // A file that does not start like a plan file is not parsed, so nothing of it is
                // quoted (`use "/etc/passwd"` printed its first line under a syntax error).
                if !startsLikePlanFile(bytes) {
                    let utf16 = UTF8Bytes.utf16ByteOrder(bytes) != nil
                    sink.emit(utf16 ? .invalidUTF8(0, utf16: true, path: use.path) : .notAPlanFile(use.path), file: index, use.range)
                    continue
                }
                let fileIndex = sink.sources.count
                sink.sources.append(SourceFile(path: path, bytes: bytes))
                parsed.append(parse(sink.sources[fileIndex], file: fileIndex, sink: sink))
                if let library = parsed[fileIndex], !library.isLibrary {
                    sink.emit(.notALibrary(use.path), file: index, use.range)
                    continue
                }
                libraries.append(fileIndex)
                reading.append(path)
                loadUses(of: fileIndex)
                reading.removeLast()
            }
        }
        loadUses(of: 0)
        let checker = Checker(sink: sink, overrides: overrides)
        let main = parsed[0]
        let plan = main.flatMap { checker.run(main: $0, libraries: libraries.compactMap { index in parsed[index].map { (index, $0) } }) }
        let diagnostics = sink.diagnostics
        let hasErrors = diagnostics.contains { $0.severity == .error }
        var result = PlanCheckResult(plan: hasErrors ? nil : plan, diagnostics: diagnostics, sources: sink.sources)
        result.unknownOverrides = checker.unknownOverrides
        result.unlistedErrorCount = sink.unlistedErrors
        return result
    }

    static func parse(_ source: SourceFile, file: Int, sink: DiagnosticSink) -> FileNode? {
        if source.bytes.count > PlanLimits.maxFileBytes {
            sink.emit(.fileTooLarge, file: file, nil)
            return nil
        }
        // UTF-16 (its byte order mark, or ASCII text with every other byte 0): one error, not one
        // per NUL byte (a UTF-16 plan had 289 "invalid character" errors and no word of UTF-8).
        let b = source.bytes
        if UTF8Bytes.utf16ByteOrder(b) != nil {
            sink.emit(.invalidUTF8(b[0], utf16: true), file: file, SourceRange(start: 0, end: 2))
            return nil
        }
        // An XML plan under a plan-language name: one error saying so (the lexer had said
        // "found '<'" and "invalid character '?'", nothing of XML).
        if let first = xmlStart(b) {
            sink.emit(.notAPlanFile(source.path, xml: true), file: file, SourceRange(start: first, end: first + 1))
            return nil
        }
        let lexer = Lexer.lexed(source.bytes)
        let (tokens, comments, problems) = (lexer.tokens, lexer.comments, lexer.problems)
        defer { sink.countUnlisted(errors: lexer.droppedProblems, file: file, at: lexer.firstDropped) }
        for (message, range) in problems {
            let hint: String?
            switch message.id.rawValue {
            case "plan.invalidCharacter": hint = Lexer.hint(forInvalid: String(decoding: source.bytes[range.start..<range.end], as: UTF8.self))
            case "plan.unterminatedString": hint = "close it with '\"' on the same line (a string cannot span lines)"
            default: hint = nil
            }
            sink.emit(message, file: file, range, hint: hint)
        }
        let parser = Parser(bytes: source.bytes, tokens: tokens, comments: comments, sink: sink, file: file, lines: source)
        return parser.parseFile()
    }

    /// Where `bytes` start like an XML document: the offset of a `<` after an optional byte order
    /// mark and white space; nil when they do not.
    public static func xmlStart(_ bytes: [UInt8]) -> Int? {
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        return index < bytes.count && bytes[index] == UInt8(ascii: "<") ? index : nil
    }

    /// Whether the first word of `bytes` (after comments) is one a plan file starts with.
    static func startsLikePlanFile(_ bytes: [UInt8]) -> Bool {
        let (tokens, _, _) = Lexer.tokenize(bytes)
        guard let first = tokens.first, first.kind == .identifier else { return false }
        let word = String(decoding: bytes[first.range.start..<first.range.end], as: UTF8.self)
        return word == "library" || word == "plan" || word == "use"
    }

    static func resolve(_ path: String, relativeTo base: String) -> String {
        if path.hasPrefix("/") { return path }
        guard let slash = base.lastIndex(of: "/") else { return path }
        // `.` components name nothing (a plan given as `./p.plan` had resolved `../lib.plan` to
        // `lib.plan`: its `..` took the `.` away).
        var parts = base[..<slash].split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        parts.removeAll { $0 == "." }
        for part in path.split(separator: "/") {
            if part == ".." && !parts.isEmpty && parts.last != ".." && parts.last != "" {
                parts.removeLast()
            } else if part != "." {
                parts.append(String(part))
            }
        }
        return parts.joined(separator: "/")
    }

    static func readFile(_ path: String) -> [UInt8]? {
        BoundedFile.read(path, limit: PlanLimits.maxFileBytes)
    }
}

/// The result of formatting: the canonical text, or the diagnostics that prevent formatting.
public struct FormatResult: Sendable {
    /// The canonical text; `nil` when the file has syntax errors.
    public let text: String?
    /// Syntax errors (formatting needs a file that parses).
    public let diagnostics: [Diagnostic]
    /// The formatted file.
    public let source: SourceFile

    /// The diagnostics in the swiftc layout.
    public func rendered(colors: Bool = false) -> String {
        DiagnosticRenderer(colors: colors).render(diagnostics, sources: [source.path: source])
    }
}

/// The canonical formatter (`comp fmt`).
public enum PlanFormatter {
    /// Formats a file. Formatting is idempotent: formatting the result again gives the same text.
    public static func format(_ source: SourceFile) -> FormatResult {
        withLargeStack { formatOnThisThread(source) }
    }

    static func formatOnThisThread(_ source: SourceFile) -> FormatResult {
        let sink = DiagnosticSink(sources: [source])
        let node = PlanChecker.parse(source, file: 0, sink: sink)
        guard let node, !sink.hasErrors else {
            return FormatResult(text: nil, diagnostics: sink.diagnostics, source: source)
        }
        return FormatResult(text: CanonicalPrinter.print(node), diagnostics: [], source: source)
    }
}

extension Checker {
    /// Checks the main file (a plan or a library) with the libraries it uses; returns the plan when it lowers.
    func run(main: FileNode, libraries: [(Int, FileNode)]) -> Plan? {
        failedNames = libraries.reduce(main.failedNames) { $0.union($1.1.failedNames) }
        for (index, library) in libraries { collect(library.decls, file: index, library: true) }
        collect(main.decls, file: 0, library: main.isLibrary)
        if !main.isLibrary && !currencySet && main.name != nil && !main.misspeltKeywords.contains("currency") {
            sink.emit(.missingSetting("currency"), file: 0, main.headerRange, hint: "add 'currency USD' (an ISO 4217 code)")
        }
        if !main.isLibrary && main.name != nil && !main.decls.contains(where: { $0.keyword.name == "period" })
            && !main.misspeltKeywords.contains("period")
        {
            sink.emit(.missingSetting("period"), file: 0, main.headerRange, hint: "add 'period month' or 'period quarter'")
        }
        // A display name of no text names nothing (and the XML form, which requires text, refused it).
        if case .string(let text, let range)? = main.displayName, unquote(text).isEmpty {
            sink.emit(.emptyText("plan name"), file: 0, range)
        }
        // The roster's plan column names the plan by its id: an empty one, or one with spaces at
        // either end, matched no payee (the run paid no one and exited 0).
        if !main.isLibrary, case .string(let text, let range)? = main.name {
            let id = unquote(text)
            // (A control character that is also a space, such as NEL, is the string's own error.)
            let space = { (scalar: Unicode.Scalar?) in scalar.map { $0.properties.isWhitespace && !TerminalText.isControl($0) } ?? false }
            if id.isEmpty || space(id.unicodeScalars.first) || space(id.unicodeScalars.last) {
                sink.emit(
                    .invalidValue("plan id", id, "a non-empty id with no spaces at either end (the roster's plan column names it)"), file: 0, range)
            } else if id.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                // `"AE-STD\nwarning: forged"`: an id is one line of text, like the roster's plan
                // column that names it (which refuses control characters).
                sink.emit(
                    .invalidValue("plan id", text, "an id without control characters such as \\n or \\t (the roster's plan column names it)"),
                    file: 0, range)
            } else if id.utf8.count > PlanLimits.maxIDBytes {
                // No roster row could name it: the roster refuses a longer plan column.
                sink.emit(
                    .invalidValue(
                        "plan id", String(id.prefix(40)) + "…",
                        "an id of at most \(PlanLimits.maxIDBytes) bytes, not \(id.utf8.count) (the roster's plan column, which names the plan, holds no longer one)"),
                    file: 0, range)
            } else if let hidden = id.unicodeScalars.first(where: TerminalText.isInvisible) {
                // `"AE\u{200B}-STD"` prints as AE-STD, yet no roster row could name it: the roster's
                // plan column refuses invisible characters (the plan had checked, and paid no one).
                let shown = id.unicodeScalars.map { TerminalText.isInvisible($0) ? "<\(codePoint($0.value))>" : String($0) }.joined()
                sink.emit(
                    .invalidValue(
                        "plan id", shown,
                        "an id without invisible characters such as \(codePoint(hidden.value)), which prints as nothing (the roster's plan "
                            + "column, which names the plan, refuses them)"),
                    file: 0, range, hint: "delete the \(codePoint(hidden.value))")
            }
        }
        derivedState = Array(repeating: .pending, count: letDecls.count)
        componentState = Array(repeating: .pending, count: componentDecls.count)
        tableState = Array(repeating: .pending, count: tableDecls.count)
        derived = Array(repeating: nil, count: letDecls.count)
        components = Array(repeating: nil, count: componentDecls.count)
        tables = Array(repeating: nil, count: tableDecls.count)
        lowerParameters()
        for name in overrides.keys.sorted() where !paramDecls.contains(where: { $0.value.0.name == name }) {
            unknownOverrides.append(name)
            sink.emit(.unknownParameter(name), file: 0, nil, hint: suggest(for: name, among: paramDecls.map { $0.value.0.name }))
        }
        lowerInputs()
        lowerCredits()
        lowerMeasures()
        for (index, library) in libraries { collectQuotaDeclarations(library.decls, file: index) }
        collectQuotaDeclarations(main.decls, file: 0)
        for index in tableDecls.indices { _ = tableValue(index) }
        checkConditionDepth()
        for index in letDecls.indices { _ = derivedValue(index) }
        for index in componentDecls.indices { _ = componentValue(index) }
        lowerPayoutRules(main.decls, file: 0)
        warnReadsBeforeLimits()
        // A declaration that could not be read may be what uses them; so may an expression that
        // had an error (`sum(sale)` had called credit rule 'sales' never used): said once the
        // plan has no error.
        if !main.isLibrary && !main.lostDeclarations && !sink.hasErrors { warnUnused() }
        guard !main.isLibrary, case .string(let idText, _)? = main.name else { return nil }
        var displayName: String?
        if case .string(let text, _)? = main.displayName { displayName = unquote(text) }
        let measureRefs = measures.indices.map { ValueRef.measure(MeasureID($0)) }
        return Plan(
            id: unquote(idText), displayName: displayName, currency: currency, period: periodKind, fiscalCalendar: fiscalCalendar,
            version: version, effective: effective, defaultRoundingMode: defaultMode, files: sink.sources.map(\.path),
            parameters: parameters.compactMap { $0 }, attributes: attributes, inputs: inputs.compactMap { $0 },
            creditRules: creditRules.compactMap { $0 }, measures: measures.compactMap { $0 }, derived: derived.compactMap { $0 },
            quotas: quotas, tables: tables.compactMap { $0 }, components: components.compactMap { $0 }, limits: limits,
            draws: draws, clawback: clawback, holdbacks: holdbacks, evaluationOrder: measureRefs + order,
            span: SourceSpan(file: 0, range: main.headerRange))
    }

    /// A component read by name where the plan caps or floors it: the reference reads the
    /// component as computed, before its limits (they bound what is paid, once every component
    /// is computed), which a designer who reads `kicker = commission * 10%` under a cap of
    /// commission may not expect (the kicker paid 10% of the uncapped commission without a word).
    func warnReadsBeforeLimits() {
        var seen = Set<[Int]>()
        // The limits of each component, by index (looked up per read: a plan of thousands of
        // reads and limits had compared every pair).
        var limitsOf: [Int: [Limit]] = [:]
        for limit in limits { if case .component(let id) = limit.target { limitsOf[id.index, default: []].append(limit) } }
        guard !limitsOf.isEmpty else { return }
        for read in componentReads where seen.insert([read.file, read.range.start]).inserted {
            guard let bounding = limitsOf[read.component], read.component < componentDecls.count,
                case .component(let name, _, _, _) = componentDecls[read.component].value.kind
            else { continue }
            let described = bounding.map { "\($0.kind.rawValue) at line \(lineNumber($0.span.range, $0.span.file))" }
            let hint =
                bounding.allSatisfy({ $0.per == .period })
                ? "to read what \(name.name) pays, bound it in its own formula with min(…) or max(…) instead" : nil
            sink.emit(
                .readBeforeLimit(name.name, limits: described.joined(separator: " and ")), file: read.file, read.range,
                notes: bounding.map { ("the \($0.kind.rawValue)", $0.span.file, $0.span.range) }, hint: hint)
        }
    }

    func warnUnused() {
        for (name, entry) in symbols.sorted(by: { ($0.value.file, $0.value.range.start) < ($1.value.file, $1.value.range.start) })
        where entry.file == 0 && !used.contains(name) {
            switch entry.symbol {
            case .parameter, .table, .credit, .input:
                sink.emit(.unusedDefinition(entry.symbol.kindName, name), file: 0, entry.range)
            default:
                break
            }
        }
        // A quota declared for a period no `quota(…)` reads: its proration changes nothing
        // (`quota bookings per quarter` in a monthly plan declares how quota(bookings, quarter)
        // is prorated; quota(bookings) reads the month's row).
        var unread: [(name: String, range: SourceRange)] = []
        for (measureName, byKind) in quotaDecls {
            guard case .measure(let index)? = symbols[measureName]?.symbol else { continue }
            for (kind, declared) in byKind where declared.1 == 0 && quotaIndex["\(index).\(kind.rawValue)"] == nil {
                unread.append(("\(measureName) per \(kind.rawValue)", declared.2))
            }
        }
        for quota in unread.sorted(by: { $0.range.start < $1.range.start }) {
            sink.emit(.unusedDefinition("quota", quota.name), file: 0, quota.range)
        }
    }
}
