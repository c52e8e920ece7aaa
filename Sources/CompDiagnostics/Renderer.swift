/// Renders diagnostics in the swiftc layout:
///
/// ```
/// Plans/ae.plan:12:9: error: unknown name 'bookingz' [#plan.unknownName]
///  12 | let a = bookingz / quota(bookings)
///     |         ^~~~~~~~
///     = hint: did you mean `bookings`?
/// ```
///
/// Diagnostics without quotable source (CSV rows) render as one line, `file:line:field: message`.
public struct DiagnosticRenderer: Sendable {
    /// Whether to color the severity with ANSI escapes (for terminals).
    public var colors: Bool
    /// Whether to append the stable id (`[#plan.unknownName]`).
    public var showIDs: Bool

    /// A renderer.
    public init(colors: Bool = false, showIDs: Bool = true) {
        self.colors = colors
        self.showIDs = showIDs
    }

    /// Renders one diagnostic; `source` supplies the line to quote when the diagnostic has a range.
    public func render(_ diagnostic: Diagnostic, source: SourceFile? = nil) -> String {
        // The file's path and the message can quote untrusted text (a file name, a value): shown
        // with its control characters as escapes (``TerminalText``).
        let message = TerminalText.safe(diagnostic.message)
        var out = TerminalText.safe("\(diagnostic.location)") + ": "
        if let source, diagnostic.range != nil {
            out += severityLabel(diagnostic.severity) + ": " + message
            if showIDs { out += " [#\(diagnostic.id)]" }
            out += "\n"
            if let range = diagnostic.range { out += snippet(range, in: source) }
        } else if diagnostic.range == nil && (diagnostic.id.rawValue.hasPrefix("plan.") || diagnostic.id.rawValue.hasPrefix("xml.")) {
            // A plan's diagnostic with nothing to quote (a --param naming no parameter): still
            // with its severity and id, as the catalogue promises.
            out += severityLabel(diagnostic.severity) + ": " + message
            if showIDs { out += " [#\(diagnostic.id)]" }
            out += "\n"
        } else {
            if diagnostic.severity != .error { out += severityLabel(diagnostic.severity) + ": " }
            out += message
            out += "\n"
        }
        for note in diagnostic.notes {
            if let location = note.location {
                out += TerminalText.safe("\(location)") + ": \(severityLabel(.note)): \(TerminalText.safe(note.message))\n"
                if let range = note.range, let source, source.path == location.file { out += snippet(range, in: source) }
            } else {
                out += "    = note: \(TerminalText.safe(note.message))\n"
            }
        }
        if let hint = diagnostic.hint { out += "    = hint: \(TerminalText.safe(hint))\n" }
        return out
    }

    /// Renders many diagnostics; `sources` maps file paths to their text.
    public func render(_ diagnostics: [Diagnostic], sources: [String: SourceFile] = [:]) -> String {
        diagnostics.map { render($0, source: sources[$0.location.file]) }.joined()
    }

    private func severityLabel(_ severity: Severity) -> String {
        guard colors else { return severity.rawValue }
        switch severity {
        case .error: return "\u{1B}[1;31merror\u{1B}[0m"
        case .warning: return "\u{1B}[1;35mwarning\u{1B}[0m"
        case .note: return "\u{1B}[1;36mnote\u{1B}[0m"
        }
    }

    private func snippet(_ range: SourceRange, in source: SourceFile) -> String {
        let start = source.location(of: range.start)
        let number = String(start.line)
        let gutter = String(repeating: " ", count: number.count + 1)
        let lineLength = source.length(ofLine: start.line)
        let endLocation = source.location(of: range.end)
        let caretColumn = start.column
        var width = endLocation.line == start.line ? endLocation.column - start.column : lineLength - caretColumn + 1
        width = max(1, width)
        // A long line is shown as a window around the caret: printing the whole line for each of
        // many diagnostics on it made the output grow with the square of the line.
        var first = 0
        var last = lineLength
        var indent = max(0, caretColumn - 1)
        if lineLength > Self.maximumShownColumns {
            first = max(0, min(indent - Self.columnsBeforeCaret, lineLength - Self.maximumShownColumns))
            last = min(lineLength, first + Self.maximumShownColumns)
            width = max(1, min(width, last - indent))
            indent = indent - first + (first > 0 ? 1 : 0)
        }
        // Tabs become spaces so the caret lines up whatever the terminal's tab width; other control
        // characters (a NUL, an escape, a C1 control, a bidirectional override) become U+FFFD, so
        // they neither cut nor drive the terminal, nor reorder the line.
        var view = String.UnicodeScalarView()
        view.append(
            contentsOf: source.scalars(ofLine: start.line, columns: first..<last).lazy.map {
                $0 == "\t" ? " " : (TerminalText.isControl($0) ? "\u{FFFD}" : $0)
            })
        let text = (first > 0 ? "…" : "") + String(view) + (last < lineLength ? "…" : "")
        let marker = "^" + String(repeating: "~", count: max(0, width - 1))
        return " \(number) | \(text)\n\(gutter) | \(String(repeating: " ", count: max(0, indent)))\(marker)\n"
    }

    /// The widest source line shown in full, and how much of a longer one is shown before the caret.
    static let maximumShownColumns = 160
    static let columnsBeforeCaret = 60
}
