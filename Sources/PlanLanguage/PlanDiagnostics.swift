import CompCore
import CompDiagnostics

/// One message of the plan-language catalogue: a stable id, a severity and the text.
struct PlanMessage: Sendable, Hashable {
    let id: DiagnosticID
    let severity: Severity
    let text: String

    init(_ id: String, _ severity: Severity = .error, _ text: String) {
        self.id = DiagnosticID(rawValue: "plan." + id)
        self.severity = severity
        self.text = text
    }
}

// The catalogue, alphabetical by id. Tests match ids, not wording; see docs/language.md.
extension PlanMessage {
    static func aggregateOutsideMeasure(_ name: String) -> Self {
        .init("aggregateOutsideMeasure", .error, "'\(name)' aggregates credits; use it in a 'measure' declaration")
    }
    static func badArgumentCount(_ name: String, _ expected: String, _ found: Int) -> Self {
        .init("badArgumentCount", .error, "'\(name)' takes \(expected) argument\(expected == "1" ? "" : "s"), found \(found)")
    }
    static func badOverride(_ name: String, _ reason: String) -> Self {
        .init("badOverride", .error, "cannot override parameter '\(name)': \(reason)")
    }
    static func clawbackNeedsOriginalPeriod(_ setting: String) -> Self {
        .init(
            "clawbackNeedsOriginalPeriod", .error,
            "'\(setting)' applies only to reversals charged back with 'charge original_period'; under 'charge reversal_period' "
                + "(the default) a reversal is an ordinary negative credit in its own period, charged whole; "
                + "add 'charge original_period' or remove '\(setting)'")
    }
    static func conditionsTooDeep(_ table: String) -> Self {
        .init(
            "conditionsTooDeep", .error,
            "the tier conditions of table '\(table)' nest more than \(PlanLimits.maxConditionDepth) levels deep through the tables they "
                + "apply; simplify them, or compute what they compare in a 'let'")
    }
    static func controlCharacterInComment(_ scalar: UInt32) -> Self {
        .init(
            "controlCharacterInComment", .error,
            isBidirectionalFormatting(scalar)
                ? "a comment may not contain a bidirectional formatting character (\(codePoint(scalar)) here): it can show code as comment, or a comment as code; remove it"
                : scalar == 0xFFFE || scalar == 0xFFFF
                    ? "a comment may not contain the noncharacter \(codePoint(scalar)); remove it"
                    : "a comment may not contain a control character (\(codePoint(scalar)) here): an editor or terminal may show a line break or hide text there; remove it")
    }
    static func controlCharacterInString(_ scalar: UInt32) -> Self {
        .init(
            "controlCharacterInString", .error,
            isBidirectionalFormatting(scalar)
                ? "a string may not contain a bidirectional formatting character (\(codePoint(scalar)) here): it makes the plan read differently from what it computes; remove it"
                : scalar == 0xFFFE || scalar == 0xFFFF
                    ? "a string may not contain the noncharacter \(codePoint(scalar)) (no XML plan can hold it); remove it"
                    : "a string may not contain a control character (\(codePoint(scalar)) here); remove it")
    }
    static func currencyMismatch(_ a: String, _ b: String, _ operation: String) -> Self {
        .init("currencyMismatch", .error, "currency mismatch: cannot \(operation) \(a) and \(b)")
    }
    /// A long cycle is said by its first 20 definitions, its length and the one closing it (one
    /// of 5,000 definitions had made a line of 44 KB).
    static func cycle(_ path: [String]) -> Self {
        let shown = path.count > 22 ? path.prefix(20) + ["… (\(path.count - 1) definitions in all)", path[path.count - 1]] : path[...]
        return .init("cycle", .error, "definitions form a cycle: \(shown.joined(separator: " -> "))")
    }
    static func dependencyTooDeep(_ name: String) -> Self {
        .init("dependencyTooDeep", .error, "'\(name)' depends on a chain of more than \(PlanLimits.maxDependencyDepth) definitions")
    }
    static let divisionByZero = PlanMessage(
        "divisionByZero", .error, "division by zero: the divisor is a constant 0, so every period would fail")
    static func duplicateDefinition(_ name: String) -> Self {
        .init("duplicateDefinition", .error, "'\(name)' is already defined")
    }
    static func duplicateSetting(_ name: String) -> Self {
        .init("duplicateSetting", .error, "'\(name)' is set more than once")
    }
    static let emptyTable = PlanMessage("emptyTable", .error, "a table needs at least one tier")
    static func emptyText(_ what: String, fix: String = "write some text, or leave it out") -> Self {
        .init("emptyText", .error, "the \(what) is empty; \(fix)")
    }
    static func expected(_ what: String, _ found: String) -> Self {
        .init("expected", .error, "expected \(what), found \(found)")
    }
    static let fileTooLarge = PlanMessage(
        "fileTooLarge", .error, "the file is larger than the \(PlanLimits.maxFileBytes / 1024) KiB limit for plan files")
    static func includeCycle(_ path: String) -> Self {
        .init("includeCycle", .error, "'\(path)' is already being read (files use each other in a cycle)")
    }
    static func invalidCharacter(_ text: String, code: String? = nil) -> Self {
        .init("invalidCharacter", .error, "invalid character '\(text)'" + (code.map { " (\($0))" } ?? ""))
    }
    static func invalidDate(_ text: String) -> Self {
        // Said as what it is written as: a month, a quarter or a day.
        let parts = text.split(separator: "-")
        if parts.count == 2, parts[1].first == "Q" {
            return .init("invalidDate", .error, "'\(text)' is not a quarter (Q1 to Q4)")
        }
        if parts.count == 2 { return .init("invalidDate", .error, "'\(text)' is not a month (01 to 12)") }
        return .init("invalidDate", .error, "'\(text)' is not a calendar date")
    }
    static func invalidEscape(_ text: String) -> Self {
        .init(
            "invalidEscape", .error,
            "'\\\(text)' is not an escape in a string (the escapes are \\\" \\\\ \\n \\t); write \\\\ for a backslash")
    }
    static func invalidNumber(_ text: String, _ reason: String) -> Self {
        // A 100,000-digit literal was quoted whole.
        let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
        return .init("invalidNumber", .error, "'\(shown)' \(reason)")
    }
    /// `utf16`: the whole file is UTF-16 (``UTF8Bytes/utf16ByteOrder(_:)``); `path` names it
    /// where the message stands elsewhere (at a `use`).
    static func invalidUTF8(_ byte: UInt8, utf16: Bool = false, path: String? = nil) -> Self {
        if utf16 {
            return .init("invalidUTF8", .error, "\(path.map { "'\($0)'" } ?? "the file") is UTF-16 text: a plan file must be UTF-8; save it as UTF-8")
        }
        let hex = String(byte, radix: 16, uppercase: true)
        return .init(
            "invalidUTF8", .error,
            "byte \\x\(hex.count < 2 ? "0" + hex : hex) is not UTF-8 text: a plan file must be UTF-8; save it as UTF-8 or remove the byte")
    }
    static func invalidValue(_ setting: String, _ text: String, _ allowed: String) -> Self {
        .init("invalidValue", .error, "'\(text)' is not a valid \(setting); expected \(allowed)")
    }
    static let libraryNotAllowed = PlanMessage(
        "libraryNotAllowed", .error, "a library may only hold 'param', 'table' and 'attribute' declarations")
    static func limitsContradict(_ target: String, floor: String, cap: String) -> Self {
        .init("limitsContradict", .error, "the floor of \(target) (\(floor)) is above its cap (\(cap)): no amount meets both")
    }
    static let loneCarriageReturn = PlanMessage(
        "loneCarriageReturn", .error,
        "a carriage return (CR) without a line feed ends no line here; save the file with LF or CRLF line ends")
    static let matchWithoutElse = PlanMessage("matchWithoutElse", .error, "a match needs an 'else' arm")
    static func missingSetting(_ name: String) -> Self {
        .init("missingSetting", .error, "missing '\(name)'")
    }
    static func moneyNotInPlanCurrency(_ what: String, _ type: String, _ currency: String) -> Self {
        .init("moneyNotInPlanCurrency", .error, "\(what) must be money in \(currency), found \(type)")
    }
    static func moreProblems(errors: Int, warnings: Int, listed: Int) -> Self {
        .init(
            "moreProblems", errors > 0 ? .error : .warning,
            PlanChecker.unlistedProblems(errors: errors, warnings: warnings, listed: listed) + " (a file that is all errors may not be a plan file)")
    }
    static func nameNotUsable(_ name: String, _ kind: String, _ use: String) -> Self {
        .init("nameNotUsable", .error, "'\(name)' is a \(kind) and cannot be used \(use)")
    }
    static let nestingTooDeep = PlanMessage(
        "nestingTooDeep", .error, "nesting is deeper than \(PlanLimits.maxNestingDepth) levels")
    static func neverApplies(_ text: String) -> Self {
        .init("neverApplies", .warning, text)
    }
    static func notALibrary(_ path: String) -> Self {
        .init("notALibrary", .error, "'\(path)' is a plan; 'use' needs a library file")
    }
    /// `header`: its first line, when that reads like a data file's header.
    static func notAPlanFile(_ path: String, used: Bool = true, header: String? = nil, xml: Bool = false) -> Self {
        if xml {
            return .init(
                "notAPlanFile", .error,
                "this is XML (it starts with '<'), not the plan language; name an XML plan with .xml (comp check and comp run read it "
                    + "as it is), or convert it with `comp import \(path)`")
        }
        if let header {
            return .init(
                "notAPlanFile", .error,
                "'\(path)' is not a plan file: its first line (\(header)) looks like a data file's header; a plan file starts with 'plan', 'library' or 'use'")
        }
        return .init(
            "notAPlanFile", .error,
            "'\(path)' is not a plan file (it does not start with 'library', 'plan' or 'use')" + (used ? "; 'use' needs a library file" : ""))
    }
    static func notConstant(_ what: String) -> Self {
        .init("notConstant", .error, "\(what) must be a constant")
    }
    static func periodValueInCredit(_ name: String) -> Self {
        .init("periodValueInCredit", .error, "'\(name)' is a per-period value and cannot be used per transaction")
    }
    /// A range of dates or periods that ends before it starts: it holds nothing.
    static func rangeReversed(_ what: String) -> Self {
        .init("rangeReversed", .error, what)
    }
    static func readBeforeLimit(_ component: String, limits: String) -> Self {
        .init(
            "readBeforeLimit", .warning,
            "\(component) is read here as computed, before its \(limits): caps and floors bound what is paid, once every component is computed")
    }
    static func readFailed(_ path: String, _ reason: String) -> Self {
        .init("readFailed", .error, "cannot read '\(path)': \(reason)")
    }
    static func repAndSplits(overlay: Bool = false) -> Self {
        // Under 'to splits overlay' the advice to write it is already followed: 'to rep' is the line to drop.
        if overlay {
            return .init(
                "repAndSplits", .warning,
                "'to rep' with 'to splits overlay' credits the rep twice for a deal that splits.csv names no partners for (whole as "
                    + "'rep', and whole again as the deal's own split) and for the rep's own share of a split deal; write 'to splits "
                    + "overlay' alone (it credits the rep's share, and the partners' on top)")
        }
        return .init(
            "repAndSplits", .warning,
            "'to rep' with 'to splits' credits a deal that splits.csv names no partners for twice to its rep (whole as 'rep', and "
                + "whole again as the deal's own split); write 'to splits' alone (such a deal goes whole to its rep), or 'to splits "
                + "overlay' to credit partners on top of the rep's share")
    }

    static func roundingFinerThanCurrency(_ component: String, _ digits: Int, _ code: String, _ minorUnits: Int) -> Self {
        .init(
            "roundingFinerThanCurrency", .error,
            "component '\(component)' rounds to \(digits) fraction digits, but \(code) is paid in \(minorUnits): a payout line is paid in the "
                + "currency's minor units")
    }
    static let tableNeedsQuota = PlanMessage(
        "tableNeedsQuota", .error, "an attainment table is applied to a value and its quota: table(value, quota)")
    static func tableValueType(_ mode: String) -> Self {
        .init("tableValueType", .error, "a \(mode) table pays rates; use a retroactive or interpolated table for amounts")
    }
    static func tierGap(_ a: String, _ b: String) -> Self {
        .init("tierGap", .error, "gap between tiers: nothing covers \(a) to \(b)")
    }
    static func tierOrder(_ reason: String) -> Self {
        .init("tierOrder", .error, reason)
    }
    static func tierOverlap(_ a: String, _ b: String) -> Self {
        .init("tierOverlap", .error, "tiers overlap between \(a) and \(b)")
    }
    static func transactionOutsideCredit(_ name: String) -> Self {
        .init("transactionOutsideCredit", .error, "'\(name)' is a transaction attribute; it can only be used in a credit rule and a SPIFF's 'where'")
    }
    static func typeMismatch(_ text: String) -> Self {
        .init("typeMismatch", .error, text)
    }
    static func unexpectedToken(_ found: String) -> Self {
        .init("unexpectedToken", .error, "unexpected \(found)")
    }
    static func unknownAttribute(_ scope: String, _ name: String) -> Self {
        .init("unknownAttribute", .error, "unknown attribute '\(scope).\(name)'")
    }
    static func unknownCurrency(_ code: String) -> Self {
        // Codes all the same: said so, not that they are none.
        if Currency.isoCodesOfNoCurrency.contains(code) {
            return .init(
                "unknownCurrency", .error, "'\(code)' is an ISO 4217 code of no currency (a metal, a unit of account or a test code): a plan pays in a currency")
        }
        return .init("unknownCurrency", .error, "'\(code)' is not an ISO 4217 currency code")
    }
    static func unknownDeclaration(_ word: String) -> Self {
        .init("unknownDeclaration", .error, "unknown declaration '\(word)'")
    }
    static func unknownFunction(_ name: String) -> Self {
        .init("unknownFunction", .error, "unknown function '\(name)'")
    }
    static func unknownName(_ name: String) -> Self {
        .init("unknownName", .error, "unknown name '\(name)'")
    }
    static func unknownParameter(_ name: String) -> Self {
        .init("unknownParameter", .error, "no parameter '\(name)' to override")
    }
    static func unreachableArm(_ pattern: String, line: Int?) -> Self {
        guard let line else { return .init("unreachableArm", .warning, "\(pattern) is named twice in this arm") }
        return .init("unreachableArm", .warning, "\(pattern) is matched by an earlier arm (line \(line)): this arm never applies to it")
    }
    static let unterminatedString = PlanMessage("unterminatedString", .error, "unterminated string")
    static func unusedDefinition(_ kind: String, _ name: String) -> Self {
        .init("unusedDefinition", .warning, "\(kind) '\(name)' is never used")
    }
    /// A whole number of 2 or more where a rate is meant: `role` is how it is used ("as a weight").
    static func wholeNumberAsRate(_ text: String, _ role: String, _ percent: String) -> Self {
        .init("wholeNumberAsRate", .error, "'\(text)' \(role) is \(percent)")
    }
}

/// Limits that keep hostile input from exhausting memory or the stack.
public enum PlanLimits {
    /// The largest plan file accepted, in bytes.
    public static let maxFileBytes = 1 << 20
    /// The deepest nesting of expressions and blocks accepted.
    public static let maxNestingDepth = 64
    /// The longest chain of definitions that refer to each other (`let a = b`, `let b = c`, …).
    public static let maxDependencyDepth = 128
    /// The deepest tier conditions, counting the tables they apply in turn (expression levels).
    public static let maxConditionDepth = 256
    /// How many "did you mean" hints one check computes (each compares a name with every declaration).
    public static let maxHints = 100
    /// The longest plan id, in bytes: the roster's plan column, which names the plan, holds no
    /// longer id (``Ledger/LedgerLoadOptions/maxIDBytes``).
    public static let maxIDBytes = 256
}

/// Collects diagnostics for the files of one check.
final class DiagnosticSink {
    private var entries: [(file: Int, offset: Int, sequence: Int, diagnostic: Diagnostic)] = []
    /// What has been said where: a value the checker meets twice (a tier bound is both one tier's
    /// end and the next one's start) is reported once.
    private var said = Set<SaidKey>()
    private struct SaidKey: Hashable {
        let file: Int
        let range: SourceRange?
        let id: String
        let text: String
    }
    var sources: [SourceFile]
    /// Diagnostics past ``limit`` are counted, not kept: a megabyte of invalid characters had made
    /// a million diagnostics, each quoting its line (minutes, gigabytes of output).
    private let limit: Int
    private var droppedErrors = 0
    private var droppedWarnings = 0
    /// The file and place of the first diagnostic not kept.
    private var firstDropped: (file: Int, range: SourceRange?)? = nil

    /// Whether an error was said inside `range` of `file` (a `use` whose path had a bad escape).
    func hasError(in file: Int, within range: SourceRange) -> Bool {
        entries.contains { $0.file == file && $0.offset >= range.start && $0.offset < range.end && $0.diagnostic.severity == .error }
    }

    /// Every diagnostic, in file order, then source order (stable for equal positions); when some
    /// were not kept, a last error says how many.
    var diagnostics: [Diagnostic] {
        var kept = entries.sorted { ($0.file, $0.offset, $0.sequence) < ($1.file, $1.offset, $1.sequence) }.map(\.diagnostic)
        if let firstDropped {
            let source = sources[firstDropped.file]
            let location = firstDropped.range.map { source.location(of: $0.start) } ?? SourceLocation(file: source.path, line: 0, column: 0)
            let message = PlanMessage.moreProblems(errors: droppedErrors, warnings: droppedWarnings, listed: limit)
            kept.append(Diagnostic(message.severity, id: message.id, message: message.text, location: location))
        }
        return kept
    }

    init(sources: [SourceFile] = [], limit: Int = 100) {
        self.sources = sources
        self.limit = limit
    }

    var hasErrors: Bool { droppedErrors > 0 || entries.contains { $0.diagnostic.severity == .error } }

    /// How many diagnostics have been emitted so far (to tell whether a stretch of parsing failed).
    var count: Int { entries.count + droppedErrors + droppedWarnings }

    /// A library named by `use` that could not be read (its path as written): a name it would
    /// have defined is unknown, and says so.
    var unreadLibrary: String? = nil

    /// Places a parse error has said all of: later diagnostics within them are dropped.
    private var suppressed: [(file: Int, range: SourceRange)] = []

    /// Drops the diagnostics emitted from now on whose range lies within `range` of `file`.
    func suppress(file: Int, _ range: SourceRange) { suppressed.append((file, range)) }

    /// Errors found but not listed.
    var unlistedErrors: Int { droppedErrors }

    /// Counts errors found but never emitted (the lexer keeps its first thousand).
    func countUnlisted(errors: Int, file: Int, at range: SourceRange?) {
        guard errors > 0 else { return }
        droppedErrors += errors
        if firstDropped == nil { firstDropped = (file, range) }
    }

    func emit(
        _ message: PlanMessage, file: Int, _ range: SourceRange?, notes: [(String, Int, SourceRange)] = [],
        hint: String? = nil
    ) {
        if let range, suppressed.contains(where: { $0.file == file && $0.range.start <= range.start && range.end <= $0.range.end }) { return }
        guard said.insert(SaidKey(file: file, range: range, id: message.id.rawValue, text: message.text)).inserted else { return }
        // Notes do not count: they belong to a kept diagnostic. Errors are kept before warnings:
        // a hundred warnings had hidden the one error that stops the plan.
        if entries.count >= limit && message.severity != .note {
            if message.severity == .error, let warning = entries.lastIndex(where: { $0.diagnostic.severity == .warning }) {
                entries.remove(at: warning)
                droppedWarnings += 1
            } else {
                if message.severity == .error { droppedErrors += 1 } else { droppedWarnings += 1 }
                if firstDropped == nil { firstDropped = (file, range) }
                return
            }
        }
        let source = sources[file]
        let location = range.map { source.location(of: $0.start) } ?? SourceLocation(file: source.path, line: 0, column: 0)
        let rendered = notes.map { note -> DiagnosticNote in
            let noteSource = sources[note.1]
            return DiagnosticNote(message: note.0, location: noteSource.location(of: note.2.start), range: note.2)
        }
        var hint = hint
        if hint == nil, let unreadLibrary, ["plan.unknownName", "plan.unknownFunction"].contains(message.id.rawValue) {
            hint = "it may be defined in '\(unreadLibrary)', which could not be read (see above)"
        }
        let diagnostic = Diagnostic(
            message.severity, id: message.id, message: message.text, location: location, range: range, notes: rendered,
            hint: hint)
        entries.append((file, range?.start ?? -1, entries.count, diagnostic))
    }
}

/// The longest name, in characters, that gets a "did you mean" hint.
let suggestionLength = 64

/// Edits (insert, delete, replace, or swap two neighbours: `wehre` is one from `where`) from `x`
/// to `y`, or `nil` when they are more than `limit`. Rows are reused from `rows`, and the walk
/// stops at the first row whose every entry is past the limit (a hint compares a name with every
/// name the plan defines: 100 misspelled names against 12,000 long ones had taken 16 s).
func editDistance(_ x: [Unicode.Scalar], _ y: [Unicode.Scalar], limit: Int, rows: inout [[Int]]) -> Int? {
    if x.isEmpty { return y.count <= limit ? y.count : nil }
    if y.isEmpty { return x.count <= limit ? x.count : nil }
    if rows.count < 3 || rows[0].count < y.count + 1 { rows = Array(repeating: [Int](repeating: 0, count: y.count + 1), count: 3) }
    var beforePrevious = 0
    var previous = 1
    var current = 2
    for j in 0...y.count { rows[previous][j] = j }
    var previousSmallest = 0
    for i in 1...x.count {
        rows[current][0] = i
        var smallest = i
        for j in 1...y.count {
            let cost = x[i - 1] == y[j - 1] ? 0 : 1
            var value = min(rows[previous][j] + 1, rows[current][j - 1] + 1, rows[previous][j - 1] + cost)
            if i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] {
                value = min(value, rows[beforePrevious][j - 2] + 1)
            }
            rows[current][j] = value
            smallest = min(smallest, value)
        }
        // Every later entry is at least the smallest of this row or the row before (a swap
        // reaches back two rows): once both are past the limit, so is the distance.
        if smallest > limit && previousSmallest > limit { return nil }
        previousSmallest = smallest
        (beforePrevious, previous, current) = (previous, current, beforePrevious)
    }
    let distance = rows[previous][y.count]
    return distance <= limit ? distance : nil
}

/// "did you mean `x`?" for the closest candidate within a third of the name's length, if any.
/// Names longer than ``suggestionLength`` characters get none: a typo is made in a name someone
/// writes, and the distance costs the product of the lengths (a hostile plan's 200,000-character
/// names took a minute).
func suggestion(for name: String, among candidates: some Sequence<String>) -> String? {
    closestName(to: name, among: candidates).map { "did you mean `\($0)`?" }
}

/// The candidate ``suggestion(for:among:)`` names, if any.
func closestName(to name: String, among candidates: some Sequence<String>) -> String? {
    guard name.utf8.count <= 4 * suggestionLength, name.unicodeScalars.count <= suggestionLength else { return nil }
    var best: (name: String, distance: Int, prefix: Int)?
    let limit = max(1, name.count / 3)
    let lowered = Array(name.lowercased().unicodeScalars)
    var rows: [[Int]] = []
    for candidate in candidates
    where candidate != name && candidate.utf8.count <= 4 * suggestionLength && abs(candidate.count - name.count) <= limit {
        // No closer than the best so far: not looked at (ties are settled below).
        guard let distance = editDistance(lowered, Array(candidate.lowercased().unicodeScalars), limit: best?.distance ?? limit, rows: &rows)
        else { continue }
        let prefix = zip(name, candidate).prefix { $0 == $1 }.count
        // Closest first; on a tie the longer common prefix, then alphabetical, so hints are stable.
        if let current = best, (current.distance, -current.prefix, current.name) <= (distance, -prefix, candidate) { continue }
        best = (candidate, distance, prefix)
    }
    return best?.name
}


/// Whether `scalar` is a bidirectional formatting character (U+061C, U+200E, U+200F,
/// U+202A–U+202E, U+2066–U+2069: ``Lexer/invisibleControl(_:at:)`` finds them).
func isBidirectionalFormatting(_ scalar: UInt32) -> Bool {
    scalar == 0x061C || (0x200E...0x200F).contains(scalar) || (0x202A...0x202E).contains(scalar) || (0x2066...0x2069).contains(scalar)
}
