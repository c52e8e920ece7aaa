import CompDiagnostics

/// A name as written, with its range.
struct Ident: Sendable, Hashable {
    var name: String
    var range: SourceRange
}

/// Comments and blank lines around a line-level item, kept for the formatter.
struct Trivia: Sendable, Hashable {
    var leading: [String] = []
    var blankBefore = false
    var trailing: String?
}

/// Operators of the surface syntax.
enum BinaryOp: String, Sendable, Hashable {
    case or, and
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case add = "+", subtract = "-", multiply = "*", divide = "/"

    /// Binding strength; higher binds tighter.
    var precedence: Int {
        switch self {
        case .or: return 1
        case .and: return 2
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: return 4
        case .add, .subtract: return 5
        case .multiply, .divide: return 6
        }
    }
}

/// A match arm: patterns (constants) and a result.
struct MatchArmNode: Sendable, Hashable {
    var patterns: [ExprNode]
    var result: ExprNode
    var trivia = Trivia()
}

/// Expressions as written.
indirect enum ExprNode: Sendable, Hashable {
    case number(String, SourceRange)
    case percent(String, SourceRange)
    case money(String, Ident, SourceRange)
    case date(String, SourceRange)
    case month(String, SourceRange)
    case quarter(String, SourceRange)
    case string(String, SourceRange)
    case bool(Bool, SourceRange)
    case name(Ident)
    case member(Ident, Ident)
    case call(Ident, [ExprNode], SourceRange)
    case negate(ExprNode, SourceRange)
    case not(ExprNode, SourceRange)
    case binary(BinaryOp, ExprNode, ExprNode, SourceRange)
    case inList(ExprNode, [ExprNode], SourceRange)
    case inRange(ExprNode, ExprNode, ExprNode, SourceRange)
    case when(ExprNode, ExprNode, SourceRange)
    case ifThen(ExprNode, ExprNode, ExprNode, SourceRange)
    case match(ExprNode, [MatchArmNode], SourceRange)  // an arm without patterns is `else`
    case paren(ExprNode, SourceRange)

    var range: SourceRange {
        switch self {
        case .number(_, let r), .percent(_, let r), .money(_, _, let r), .date(_, let r), .month(_, let r),
            .quarter(_, let r), .string(_, let r), .bool(_, let r), .call(_, _, let r), .negate(_, let r),
            .not(_, let r), .binary(_, _, _, let r), .inList(_, _, let r), .inRange(_, _, _, let r),
            .when(_, _, let r), .ifThen(_, _, _, let r), .match(_, _, let r), .paren(_, let r):
            return r
        case .name(let i): return i.range
        case .member(let a, let b): return a.range.union(b.range)
        }
    }
}

/// `round MODE [DIGITS]` after a measure, let or component.
struct RoundClause: Sendable, Hashable {
    var mode: Ident
    var digits: (String, SourceRange)?
    var range: SourceRange

    static func == (a: RoundClause, b: RoundClause) -> Bool {
        a.mode == b.mode && a.digits?.0 == b.digits?.0 && a.range == b.range
    }
    func hash(into h: inout Hasher) { h.combine(mode); h.combine(digits?.0); h.combine(range) }
}

/// A line inside a block (`credit`, `spiff`, `draw`, `clawback`): a keyword and its operands.
struct BlockLine: Sendable, Hashable {
    /// The keyword (`where`, `amount`, `to`, …).
    var keyword: Ident
    /// Expressions (in order).
    var exprs: [ExprNode]
    /// Bare words after the keyword or between expressions (`splits`, `overlay`, `per`, `unit`).
    var words: [Ident]
    /// The shape, for printing: a sequence of expression and word slots.
    var shape: [Slot]
    var range: SourceRange
    var trivia = Trivia()

    enum Slot: Sendable, Hashable {
        case expr(Int)
        case word(Int)
        case to
    }
}

/// One row of a table: `LO to HI : V [-> W] [if GATE]`, `up to HI : V`, `LO and above : V`.
struct TierRow: Sendable, Hashable {
    var lower: ExprNode?
    var upper: ExprNode?
    var value: ExprNode
    var endValue: ExprNode?
    var gate: ExprNode?
    var range: SourceRange
    var trivia = Trivia()
}

/// The right-hand side of a component.
enum ComponentBodyNode: Sendable, Hashable {
    case expr(ExprNode)
    case spiff([BlockLine], closing: [String], SourceRange)
    case override(rate: ExprNode, credit: Ident, levels: Ident?, threshold: ExprNode?, SourceRange)
    case graduated(value: ExprNode, floor: ExprNode, amount: ExprNode, step: ExprNode, ceiling: ExprNode?, SourceRange)
}

/// Declarations.
enum DeclKind: Sendable, Hashable {
    case setting(Ident, ExprNode?)  // currency USD, period month, fiscal_year_start 2, version "x", rounding half_even
    case effective(ExprNode, ExprNode?)
    case param(Ident, ExprNode)
    case attribute(scope: Ident, name: Ident, type: Ident, optional: Bool)
    case input(Ident, file: ExprNode, column: ExprNode, type: Ident)
    case credit(Ident, [BlockLine], closing: [String])
    case measure(Ident, aggregation: Ident, credit: Ident, window: Ident?, RoundClause?)
    case letValue(Ident, ExprNode, RoundClause?)
    case quota(measure: Ident, period: Ident?, prorate: Ident?)
    case table(Ident, mode: Ident, basis: Ident, boundary: Ident?, [TierRow], closing: [String])
    case component(Ident, display: ExprNode?, ComponentBodyNode, RoundClause?)
    case limit(kind: Ident, target: Ident, amount: ExprNode, per: Ident?)
    case draw(Ident, [BlockLine], closing: [String])
    case clawback([BlockLine], closing: [String])
    case holdback(share: ExprNode, target: Ident, release: Ident)
}

/// A declaration with its keyword, range and trivia.
struct Decl: Sendable, Hashable {
    var keyword: Ident
    var kind: DeclKind
    var range: SourceRange
    var trivia = Trivia()
    /// True when a line inside the declaration had a syntax error (and was skipped); the checker
    /// then stays quiet about the declaration rather than report follow-on errors.
    var recovered = false
}

/// A `use "file"` line.
struct UseDecl: Sendable, Hashable {
    var path: String
    var range: SourceRange
    var trivia = Trivia()
}

/// A whole file: uses, then one plan or library block.
struct FileNode: Sendable, Hashable {
    /// Names of declarations that failed to parse; references to them are not reported again.
    var failedNames: Set<String> = []
    /// Declaration words an unknown declaration was a likely misspelling of (`peroid month`), or
    /// that start a declaration that could not be read (`currency "USD"`): their missing-setting
    /// errors would only repeat it.
    var misspeltKeywords: Set<String> = []
    /// True when some declaration could not be read: what is unused then may be used by it.
    var lostDeclarations = false
    var uses: [UseDecl] = []
    var isLibrary = false
    /// Plan id (string) or library name.
    var name: ExprNode?
    var displayName: ExprNode?
    var headerTrivia = Trivia()
    var headerRange = SourceRange(start: 0, end: 0)
    var decls: [Decl] = []
    var closing: [String] = []
    var trailing: [String] = []
}
