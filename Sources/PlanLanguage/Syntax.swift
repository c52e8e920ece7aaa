import CompDiagnostics

/// The structure of a plan file as written, for other front ends (the XML export): declarations in
/// source order, names and keywords as text, expressions printable in the canonical layout.
///
/// Comments and blank lines are not part of it. Build one with ``PlanSyntax/parse(_:)``.
public struct PlanSyntax: Sendable, Hashable {
    /// The `use` paths, as written (relative to the plan file).
    public var uses: [String]
    /// True for a `library` file.
    public var isLibrary: Bool
    /// The plan id (unquoted) or the library name.
    public var name: String
    /// The plan's display name (unquoted).
    public var displayName: String?
    /// The declarations, in source order.
    public var declarations: [Declaration]

    /// Parses `source` (syntax only: names and types are not checked); `nil` with the syntax errors
    /// when it does not parse.
    public static func parse(_ source: SourceFile) -> (syntax: PlanSyntax?, diagnostics: [Diagnostic]) {
        withLargeStack {
            let sink = DiagnosticSink(sources: [source])
            guard let node = PlanChecker.parse(source, file: 0, sink: sink), !sink.hasErrors else {
                return (nil, sink.diagnostics)
            }
            return (PlanSyntax(node), sink.diagnostics)
        }
    }

    /// `text` as a plan-language string literal (quotes and escapes added).
    public static func stringLiteral(_ text: String) -> String { quote(text) }

    init(_ file: FileNode) {
        uses = file.uses.map(\.path)
        isLibrary = file.isLibrary
        name = file.name.map { node in PlanExpression(node).stringValue ?? PlanExpression(node).text() } ?? ""
        displayName = file.displayName.flatMap { PlanExpression($0).stringValue }
        declarations = file.decls.map(Declaration.init)
    }
}

/// An expression as written, printed in the canonical layout.
public struct PlanExpression: Sendable, Hashable {
    let node: ExprNode

    init(_ node: ExprNode) { self.node = node }

    /// The canonical text. `indent` is the indentation level (two spaces each) of the line the
    /// expression starts on; only multi-line `match` expressions use it. Comments inside it (on a
    /// `match` arm) are left out: the text is the expression alone.
    public func text(indent: Int = 0) -> String { CanonicalPrinter(comments: false).expr(node, indent) }

    /// The value of a string literal (unquoted, escapes resolved); `nil` for anything else.
    public var stringValue: String? {
        if case .string(let text, _) = node { return unquote(text) }
        return nil
    }
}

extension PlanSyntax {
    /// `round MODE [DIGITS]`.
    public struct Rounding: Sendable, Hashable {
        /// The mode (`half_even`, …).
        public var mode: String
        /// The digits, as written.
        public var digits: String?
    }

    /// One part of a block line, in order.
    public enum Part: Sendable, Hashable {
        /// An expression.
        case expr(PlanExpression)
        /// A bare word (`splits`, `per`, `unit`, `days`, …).
        case word(String)
        /// The keyword `to`.
        case to
    }

    /// A line of a `credit`, `spiff`, `draw` or `clawback` block.
    public struct Line: Sendable, Hashable {
        /// The line's keyword (`where`, `amount`, `to`, `window`, …).
        public var keyword: String
        /// What follows the keyword.
        public var parts: [Part]

        /// The expressions of the line, in order.
        public var expressions: [PlanExpression] {
            parts.compactMap { if case .expr(let e) = $0 { return e } else { return nil } }
        }
        /// The bare words of the line, in order.
        public var words: [String] {
            parts.compactMap { if case .word(let w) = $0 { return w } else { return nil } }
        }
    }

    /// A table row.
    public struct Tier: Sendable, Hashable {
        /// Lower bound (`nil` for `up to`).
        public var lower: PlanExpression?
        /// Upper bound (`nil` for `and above`).
        public var upper: PlanExpression?
        /// The rate or amount.
        public var value: PlanExpression
        /// The end value of an interpolated band.
        public var endValue: PlanExpression?
        /// The gate (`if …`).
        public var gate: PlanExpression?
    }

    /// The right-hand side of a component.
    public enum Body: Sendable, Hashable {
        /// A formula.
        case formula(PlanExpression)
        /// `spiff { … }`.
        case spiff([Line])
        /// `override RATE of CREDIT [levels N|all] [when COND]`.
        case override(rate: PlanExpression, credit: String, levels: String?, threshold: PlanExpression?)
        /// `graduated VALUE above FLOOR pays AMOUNT per STEP [up to CEILING]`.
        case graduated(
            value: PlanExpression, floor: PlanExpression, amount: PlanExpression, step: PlanExpression, ceiling: PlanExpression?)
    }

    /// A declaration.
    public enum Declaration: Sendable, Hashable {
        /// `currency`, `period`, `fiscal_year_start`, `version` or `rounding`, with its value.
        case setting(name: String, value: PlanExpression?)
        /// `effective FROM [to TO]`.
        case effective(from: PlanExpression, to: PlanExpression?)
        /// `param NAME = VALUE`.
        case param(name: String, value: PlanExpression)
        /// `attribute SCOPE.NAME: TYPE [optional]`.
        case attribute(scope: String, name: String, type: String, optional: Bool)
        /// `input NAME from "FILE" column "COLUMN": TYPE` (file and column unquoted).
        case input(name: String, file: String, column: String, type: String)
        /// `credit NAME { … }`.
        case credit(name: String, lines: [Line])
        /// `measure NAME = AGGREGATION(CREDIT) [over WINDOW] [round …]`.
        case measure(name: String, aggregation: String, credit: String, window: String?, rounding: Rounding?)
        /// `let NAME = EXPR [round …]`.
        case letValue(name: String, value: PlanExpression, rounding: Rounding?)
        /// `quota MEASURE [per PERIOD] [prorate PRORATION]`.
        case quota(measure: String, per: String?, prorate: String?)
        /// `table NAME MODE on BASIS [boundary RULE] { … }`.
        case table(name: String, mode: String, basis: String, boundary: String?, tiers: [Tier])
        /// `component NAME ["DISPLAY"] = BODY [round …]`.
        case component(name: String, displayName: String?, body: Body, rounding: Rounding?)
        /// `cap|floor TARGET at AMOUNT [per PERIOD]`.
        case limit(kind: String, target: String, amount: PlanExpression, per: String?)
        /// `draw NAME { … }`.
        case draw(name: String, lines: [Line])
        /// `clawback { … }`.
        case clawback(lines: [Line])
        /// `holdback SHARE of TARGET release WHEN`.
        case holdback(share: PlanExpression, target: String, release: String)

        init(_ decl: Decl) {
            func rounding(_ clause: RoundClause?) -> Rounding? {
                clause.map { Rounding(mode: $0.mode.name, digits: $0.digits?.0) }
            }
            switch decl.kind {
            case .setting(let name, let value): self = .setting(name: name.name, value: value.map(PlanExpression.init))
            case .effective(let from, let to): self = .effective(from: PlanExpression(from), to: to.map(PlanExpression.init))
            case .param(let name, let value): self = .param(name: name.name, value: PlanExpression(value))
            case .attribute(let scope, let name, let type, let optional):
                self = .attribute(scope: scope.name, name: name.name, type: type.name, optional: optional)
            case .input(let name, let file, let column, let type):
                self = .input(
                    name: name.name, file: PlanExpression(file).stringValue ?? PlanExpression(file).text(),
                    column: PlanExpression(column).stringValue ?? PlanExpression(column).text(), type: type.name)
            case .credit(let name, let lines, _): self = .credit(name: name.name, lines: lines.map(Line.init))
            case .measure(let name, let aggregation, let credit, let window, let round):
                self = .measure(
                    name: name.name, aggregation: aggregation.name, credit: credit.name, window: window?.name,
                    rounding: rounding(round))
            case .letValue(let name, let value, let round):
                self = .letValue(name: name.name, value: PlanExpression(value), rounding: rounding(round))
            case .quota(let measure, let period, let prorate):
                self = .quota(measure: measure.name, per: period?.name, prorate: prorate?.name)
            case .table(let name, let mode, let basis, let boundary, let rows, _):
                self = .table(
                    name: name.name, mode: mode.name, basis: basis.name, boundary: boundary?.name,
                    tiers: rows.map {
                        Tier(
                            lower: $0.lower.map(PlanExpression.init), upper: $0.upper.map(PlanExpression.init),
                            value: PlanExpression($0.value), endValue: $0.endValue.map(PlanExpression.init),
                            gate: $0.gate.map(PlanExpression.init))
                    })
            case .component(let name, let display, let body, let round):
                let converted: Body
                switch body {
                case .expr(let value): converted = .formula(PlanExpression(value))
                case .spiff(let lines, _, _): converted = .spiff(lines.map(Line.init))
                case .override(let rate, let credit, let levels, let threshold, _):
                    converted = .override(
                        rate: PlanExpression(rate), credit: credit.name, levels: levels?.name,
                        threshold: threshold.map(PlanExpression.init))
                case .graduated(let value, let floor, let amount, let step, let ceiling, _):
                    converted = .graduated(
                        value: PlanExpression(value), floor: PlanExpression(floor), amount: PlanExpression(amount),
                        step: PlanExpression(step), ceiling: ceiling.map(PlanExpression.init))
                }
                self = .component(
                    name: name.name, displayName: display.flatMap { PlanExpression($0).stringValue }, body: converted,
                    rounding: rounding(round))
            case .limit(let kind, let target, let amount, let per):
                self = .limit(kind: kind.name, target: target.name, amount: PlanExpression(amount), per: per?.name)
            case .draw(let name, let lines, _): self = .draw(name: name.name, lines: lines.map(Line.init))
            case .clawback(let lines, _): self = .clawback(lines: lines.map(Line.init))
            case .holdback(let share, let target, let release):
                self = .holdback(share: PlanExpression(share), target: target.name, release: release.name)
            }
        }
    }
}

extension PlanSyntax.Line {
    init(_ line: BlockLine) {
        keyword = line.keyword.name
        parts = line.shape.map { slot in
            switch slot {
            case .expr(let index): return .expr(PlanExpression(line.exprs[index]))
            case .word(let index): return .word(line.words[index].name)
            case .to: return .to
            }
        }
    }
}

extension PlanSyntax {
    /// The syntax errors of `text` read alone as one expression (an XML element's), each with its
    /// byte range in `text`: what the lexer refuses, else what the parser does; empty when it is
    /// an expression (perhaps with more after it: see ``isSingleExpression(_:)``).
    public static func expressionSyntaxErrors(_ text: String) -> [(diagnostic: Diagnostic, range: SourceRange)] {
        readAlone(text).errors
    }

    /// Whether `text` is one expression and nothing more: no comment, nothing after it. XML plans
    /// hold expressions as element text, which is written into plan text; more than an expression
    /// there would add lines the XML does not show (a `component` after a line break, a `#` that
    /// hides the rounding written after it). Text that does not lex or parse is not judged here
    /// (true): its errors are ``expressionSyntaxErrors(_:)``.
    public static func isSingleExpression(_ text: String) -> Bool {
        let read = readAlone(text)
        return !read.errors.isEmpty || (!read.hasComments && read.endsAtExpression)
    }

    /// `text` lexed and parsed alone as one expression: its errors (with their ranges), whether
    /// it holds a comment, and whether the expression ends it.
    private static func readAlone(_ text: String) -> (errors: [(diagnostic: Diagnostic, range: SourceRange)], hasComments: Bool, endsAtExpression: Bool) {
        let bytes = Array(text.utf8)
        let (tokens, comments, problems) = Lexer.tokenize(bytes)
        let hasComments = !comments.isEmpty
        return withLargeStack {
            let sink = DiagnosticSink(sources: [SourceFile(path: "expression", bytes: bytes)])
            var ends = false
            if !problems.isEmpty {
                for (message, range) in problems { sink.emit(message, file: 0, range) }
            } else {
                let parser = Parser(bytes: bytes, tokens: tokens, comments: [], sink: sink, file: 0)
                if (try? parser.parseExpr()) != nil { ends = parser.current.kind == .eof }
            }
            let errors = sink.diagnostics.filter { $0.severity == .error }.compactMap { diagnostic in diagnostic.range.map { (diagnostic, $0) } }
            return (errors, hasComments, ends)
        }
    }
}
