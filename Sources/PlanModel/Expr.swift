import CompCore

/// The currency of a money type.
public enum MoneyCurrency: Sendable, Hashable, CustomStringConvertible {
    /// A known currency (the plan's, or a literal's).
    case fixed(Currency)
    /// The transaction's own `currency` column; convert with `fx` before combining with plan money.
    case transaction

    public var description: String {
        switch self {
        case .fixed(let currency): return currency.code
        case .transaction: return "txn.currency"
        }
    }
}

/// The type of a value in the plan: the checker keeps money, rates and counts apart.
public enum ValueType: Sendable, Hashable, CustomStringConvertible {
    /// Money in a currency.
    case money(MoneyCurrency)
    /// A dimensionless rate, percentage or ratio (exact to 6 fraction digits).
    case rate
    /// A whole number (units, deals, days).
    case count
    /// A calendar date.
    case date
    /// Text.
    case text
    /// True or false.
    case bool

    public var description: String {
        switch self {
        case .money(let currency): return "money(\(currency))"
        case .rate: return "rate"
        case .count: return "count"
        case .date: return "date"
        case .text: return "text"
        case .bool: return "bool"
        }
    }

    /// True for money of any currency.
    public var isMoney: Bool {
        if case .money = self { return true }
        return false
    }

    /// True for money, rates and counts.
    public var isNumeric: Bool {
        switch self {
        case .money, .rate, .count: return true
        default: return false
        }
    }
}

/// A constant.
public enum Value: Sendable, Hashable, CustomStringConvertible {
    /// Money.
    case money(Money)
    /// A rate (`50%` is 0.5).
    case rate(Rate)
    /// A whole number.
    case count(Int64)
    /// A date.
    case date(CivilDate)
    /// Text.
    case text(String)
    /// A boolean.
    case bool(Bool)

    /// The value's type.
    public var type: ValueType {
        switch self {
        case .money(let money): return .money(.fixed(money.currency))
        case .rate: return .rate
        case .count: return .count
        case .date: return .date
        case .text: return .text
        case .bool: return .bool
        }
    }

    public var description: String {
        switch self {
        case .money(let money): return "\(money.amount) \(money.currency.code)"
        case .rate(let rate): return rate.percentString
        case .count(let count): return String(count)
        case .date(let date): return date.description
        case .text(let text): return planStringLiteral(text)
        case .bool(let flag): return flag ? "true" : "false"
        }
    }
}

/// Arithmetic operators. Division is ``ExprKind/divide(_:_:_:)`` because it carries a rounding rule.
public enum ArithmeticOperator: String, Sendable, Hashable {
    /// `+`
    case add = "+"
    /// `-`
    case subtract = "-"
    /// `*`
    case multiply = "*"
}

/// Comparison operators.
public enum ComparisonOperator: String, Sendable, Hashable {
    /// `==`
    case equal = "=="
    /// `!=`
    case notEqual = "!="
    /// `<`
    case less = "<"
    /// `<=`
    case lessOrEqual = "<="
    /// `>`
    case greater = ">"
    /// `>=`
    case greaterOrEqual = ">="
}

/// Built-in functions of numeric values.
public enum Builtin: String, Sendable, Hashable {
    /// The smaller of two values of one type.
    case min
    /// The larger of two values of one type.
    case max
    /// The absolute value.
    case abs
}

/// One arm of a ``ExprKind/match(_:arms:otherwise:)``.
public struct MatchArm: Sendable, Hashable {
    /// Constants compared with the subject (any one matches).
    public var patterns: [Value]
    /// The result when one matches.
    public var result: Expr
    /// The arm.
    public var span: SourceSpan
    /// An arm.
    public init(patterns: [Value], result: Expr, span: SourceSpan) {
        self.patterns = patterns
        self.result = result
        self.span = span
    }
}

/// A typed expression node with its source span.
///
/// Intermediate arithmetic is exact; the only rounding happens in ``ExprKind/round(_:_:)``, in
/// ``ExprKind/divide(_:_:_:)`` (whose rule is the enclosing rounding when the division is the
/// outermost operation of a rounded value, so the quotient is rounded exactly once), and in the
/// ``RoundingRule`` of measures, derived values and components.
public struct Expr: Sendable, Hashable {
    /// What it computes.
    public var kind: ExprKind
    /// The checked type of the result.
    public var type: ValueType
    /// Where it was written.
    public var span: SourceSpan

    /// An expression.
    public init(_ kind: ExprKind, type: ValueType, span: SourceSpan) {
        self.kind = kind
        self.type = type
        self.span = span
    }
}

/// The expression forms.
public indirect enum ExprKind: Sendable, Hashable {
    /// A constant.
    case literal(Value)
    /// A parameter's value in force.
    case parameter(ParameterID)
    /// A transaction or rep attribute (per-transaction contexts read `txn.*`).
    case attribute(AttributeID)
    /// A per-rep, per-period input value.
    case input(InputID)
    /// A measure's value for the payee-period.
    case measure(MeasureID)
    /// A derived value's value.
    case derived(DerivedID)
    /// Another component's rounded payout.
    case component(ComponentID)
    /// A quota.
    case quota(QuotaID)
    /// `-x`.
    case negate(Expr)
    /// `a + b`, `a - b`, `a * b` (exact).
    case arithmetic(ArithmeticOperator, Expr, Expr)
    /// `a / b`, rounded by the rule.
    case divide(Expr, Expr, RoundingRule)
    /// A comparison (exact).
    case compare(ComparisonOperator, Expr, Expr)
    /// `a and b` (short-circuit).
    case and(Expr, Expr)
    /// `a or b` (short-circuit).
    case or(Expr, Expr)
    /// `not a`.
    case not(Expr)
    /// `x in [a, b, …]`.
    case member(Expr, [Expr])
    /// `x in lo to hi` (inclusive both ends).
    case inRange(Expr, lower: Expr, upper: Expr)
    /// `if c then a else b`; `a when c` lowers to `if c then a else zero`.
    case conditional(Expr, Expr, Expr)
    /// `match x { … else … }`.
    case match(Expr, arms: [MatchArm], otherwise: Expr)
    /// `min`, `max`, `abs`.
    case call(Builtin, [Expr])
    /// `round(x, digits, mode)`.
    case round(Expr, RoundingRule)
    /// `fx(x)`: money in the transaction's currency converted to `to` at the `fx.csv` rate of the
    /// transaction's month (exact product).
    case convert(Expr, to: Currency)
    /// A table applied to a period value (`quota` present for attainment tables).
    case applyTable(TableID, value: Expr, quota: Expr?)
    /// A per-transaction table applied to each credit of a rule, summed over the period.
    case applyTablePerTransaction(TableID, credits: CreditRuleID)
    /// `amountPerStep × (min(value, ceiling) − floor) ÷ step` when `value > floor`, else zero (proportional, not stepped).
    case graduated(value: Expr, floor: Expr, step: Expr, amountPerStep: Expr, ceiling: Expr?)
}

extension Expr {
    /// Whether the expression is the same every period and for every transaction: literals and
    /// parameters, arithmetic and rounding of them, and `let` values of those (`derived` gives a
    /// `let`'s expression, `nil` where it has none).
    public func isConstant(derived: (DerivedID) -> Expr?, depth: Int = 0) -> Bool {
        guard depth < 64 else { return false }
        switch kind {
        case .literal, .parameter: return true
        case .negate(let inner), .round(let inner, _): return inner.isConstant(derived: derived, depth: depth + 1)
        case .arithmetic(_, let a, let b), .divide(let a, let b, _):
            return a.isConstant(derived: derived, depth: depth + 1) && b.isConstant(derived: derived, depth: depth + 1)
        case .derived(let id):
            guard let value = derived(id) else { return false }
            return value.isConstant(derived: derived, depth: depth + 1)
        default: return false
        }
    }

    /// The direct subexpressions.
    public var children: [Expr] {
        switch kind {
        case .literal, .parameter, .attribute, .input, .measure, .derived, .component, .quota, .applyTablePerTransaction: return []
        case .negate(let e), .not(let e), .round(let e, _), .convert(let e, _): return [e]
        case .arithmetic(_, let a, let b), .divide(let a, let b, _), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b):
            return [a, b]
        case .member(let e, let list): return [e] + list
        case .inRange(let e, let lower, let upper): return [e, lower, upper]
        case .conditional(let c, let a, let b): return [c, a, b]
        case .match(let e, let arms, let otherwise): return [e] + arms.map(\.result) + [otherwise]
        case .call(_, let arguments): return arguments
        case .applyTable(_, let value, let quota): return [value] + (quota.map { [$0] } ?? [])
        case .graduated(let value, let floor, let step, let amount, let ceiling): return [value, floor, step, amount] + (ceiling.map { [$0] } ?? [])
        }
    }
}

/// `text` as the plan language writes a string, so it reads back: in quotes, with `\"`, `\\`,
/// `\n`, `\t` and `\r` escaped (shown bare, `"a\", x = \"b"` read as `"a", x = "b"`).
public func planStringLiteral(_ text: String) -> String {
    var written = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": written += "\\\""
        case "\\": written += "\\\\"
        case "\n": written += "\\n"
        case "\t": written += "\\t"
        case "\r": written += "\\r"
        default: written.unicodeScalars.append(scalar)
        }
    }
    return written + "\""
}
