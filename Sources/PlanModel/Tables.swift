import CompCore

/// How a rate table turns a value into a payout.
public enum TableMode: String, Sendable, Hashable {
    /// Each tier's rate applies to the slice of the cumulative period value inside the tier.
    case marginal
    /// The rate of the highest tier reached applies to the whole value.
    case retroactive
    /// Marginal within each transaction's credit, with no accumulation across transactions.
    case perTransaction = "per_transaction"
    /// The tier's value is interpolated linearly between its start and end values inside the band.
    case interpolated
}

/// What the tier bounds are measured in.
public enum TierBasis: String, Sendable, Hashable {
    /// Bounds are in the unit of the value (money, count or rate).
    case amount
    /// Bounds are fractions of a quota; the table is applied to a value and its quota.
    case attainment
}

/// Which tier an exact boundary belongs to.
public enum BoundaryRule: String, Sendable, Hashable {
    /// `[lo, hi)`: a value equal to a boundary takes the higher tier (the default).
    case higherTier = "higher"
    /// `(lo, hi]`: a value equal to a boundary stays in the lower tier.
    case lowerTier = "lower"
}

/// One band of a rate table.
public struct Tier: Sendable, Hashable {
    /// Lower bound; `nil` = unbounded below (the first tier only).
    public var lower: Value?
    /// Upper bound; `nil` = unbounded above (the last tier only).
    public var upper: Value?
    /// The tier's rate or amount (at the lower bound for interpolated tables).
    public var value: Value
    /// For interpolated tables, the value at the upper bound.
    public var endValue: Value?
    /// A gate: when present and false for the payee-period, the tier pays the rate of the highest
    /// tier below it that pays its own: ungated, or gated with its gate true (a gated accelerator).
    public var gate: Expr?
    /// The row.
    public var span: SourceSpan

    /// A tier.
    public init(lower: Value?, upper: Value?, value: Value, endValue: Value?, gate: Expr?, span: SourceSpan) {
        self.lower = lower
        self.upper = upper
        self.value = value
        self.endValue = endValue
        self.gate = gate
        self.span = span
    }
}

/// A tier table with an explicit mode, basis and boundary rule. Tiers are sorted, contiguous and
/// non-overlapping (the checker rejects gaps and overlaps).
public struct RateTable: Sendable, Hashable {
    /// The name.
    public var name: String
    /// Marginal, retroactive, per-transaction or interpolated.
    public var mode: TableMode
    /// Amount or attainment bounds.
    public var basis: TierBasis
    /// Exact-boundary rule.
    public var boundary: BoundaryRule
    /// The type of the bounds.
    public var boundType: ValueType
    /// The type of the tier values (a rate, or money for amount tables).
    public var valueType: ValueType
    /// The tiers, ascending.
    public var tiers: [Tier]
    /// The declaration.
    public var span: SourceSpan

    /// A table.
    public init(
        name: String, mode: TableMode, basis: TierBasis, boundary: BoundaryRule, boundType: ValueType,
        valueType: ValueType, tiers: [Tier], span: SourceSpan
    ) {
        self.name = name
        self.mode = mode
        self.basis = basis
        self.boundary = boundary
        self.boundType = boundType
        self.valueType = valueType
        self.tiers = tiers
        self.span = span
    }
}
