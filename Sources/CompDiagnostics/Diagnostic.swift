/// How serious a diagnostic is.
public enum Severity: String, Sendable, Hashable, Codable, Comparable {
    /// Informational note attached to another diagnostic.
    case note
    /// Something suspicious that does not stop the work.
    case warning
    /// A problem that stops the work (a plan that does not check, a row that is rejected).
    case error

    private var rank: Int {
        switch self {
        case .note: return 0
        case .warning: return 1
        case .error: return 2
        }
    }

    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// A stable identifier for a kind of message (`data.badDecimal`, `plan.unknownName`), so tests and
/// tools can match on the kind rather than on the wording.
public struct DiagnosticID: RawRepresentable, Sendable, Hashable, Codable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
}

/// A secondary message pointing at a related place ("first defined here").
public struct DiagnosticNote: Sendable, Hashable, Codable {
    /// The note's text.
    public var message: String
    /// Where it points, if anywhere.
    public var location: SourceLocation?
    /// The byte range in the note's file, for a caret.
    public var range: SourceRange?

    /// A note.
    public init(message: String, location: SourceLocation? = nil, range: SourceRange? = nil) {
        self.message = message
        self.location = location
        self.range = range
    }
}

/// One problem found in a plan or a data file: what, where, and how to fix it.
public struct Diagnostic: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Error, warning or note.
    public var severity: Severity
    /// The stable kind of message.
    public var id: DiagnosticID
    /// The message: what is wrong, in the reader's terms.
    public var message: String
    /// Where: file, line and column (or field).
    public var location: SourceLocation
    /// The byte range in the source, when the source is text the renderer can quote.
    public var range: SourceRange?
    /// Related places.
    public var notes: [DiagnosticNote]
    /// How to fix it ("did you mean `bookings`?").
    public var hint: String?

    /// A diagnostic.
    public init(
        _ severity: Severity, id: DiagnosticID, message: String, location: SourceLocation,
        range: SourceRange? = nil, notes: [DiagnosticNote] = [], hint: String? = nil
    ) {
        self.severity = severity
        self.id = id
        self.message = message
        self.location = location
        self.range = range
        self.notes = notes
        self.hint = hint
    }

    /// One line: `file:line:col: message` for errors, `file:line:col: warning: message` otherwise,
    /// followed by the hint when there is one.
    public var description: String {
        var text = "\(location): "
        if severity != .error { text += "\(severity.rawValue): " }
        text += message
        if let hint { text += " (\(hint))" }
        return text
    }
}

/// Collects diagnostics up to a listing limit while counting every one, so that a file with a
/// million bad rows reports the first hundred and the exact total.
public struct DiagnosticCollector: Sendable {
    /// How many diagnostics are kept for listing.
    public let limit: Int
    /// The kept diagnostics, in the order they were added.
    public private(set) var listed: [Diagnostic] = []
    /// Errors seen, listed or not.
    public private(set) var errorCount = 0
    /// Warnings seen, listed or not.
    public private(set) var warningCount = 0
    /// Errors and warnings seen but not kept. Counted as they are dropped, because notes also take
    /// listing slots, so `totalCount - listed.count` would undercount.
    public private(set) var unlistedCount = 0

    /// A collector that keeps at most `limit` diagnostics.
    public init(limit: Int = 100) {
        self.limit = limit
    }

    /// Records a diagnostic.
    public mutating func add(_ diagnostic: Diagnostic) {
        switch diagnostic.severity {
        case .error: errorCount += 1
        case .warning: warningCount += 1
        case .note: break
        }
        if listed.count < limit {
            listed.append(diagnostic)
        } else if diagnostic.severity != .note {
            unlistedCount += 1
        }
    }

    /// Records several diagnostics.
    public mutating func add(contentsOf diagnostics: some Sequence<Diagnostic>) {
        for diagnostic in diagnostics { add(diagnostic) }
    }

    /// Every diagnostic seen (errors and warnings).
    public var totalCount: Int { errorCount + warningCount }

    /// True when at least one error was recorded.
    public var hasErrors: Bool { errorCount > 0 }
}
