import CompCore

/// Who receives a credit produced by a ``CreditRule``.
public enum Recipient: Sendable, Hashable {
    /// The transaction's `rep`.
    case rep
    /// The split partners listed in `splits.csv` for the transaction, each with its share of the credit.
    /// With `overlay`, shares may add up to more than 1 (overlay credit); otherwise they must add up to 1.
    case splits(overlay: Bool)
    /// The managers above the credited rep, up to `levels` levels (`nil` = all the way up). Each
    /// manager receives the full credit in addition to the rep (overlay credit).
    case managers(levels: Int?)
}

extension Recipient {
    /// True for `to rep`.
    public var isRep: Bool { if case .rep = self { true } else { false } }
    /// True for `to splits` (overlay or not).
    public var isSplits: Bool { if case .splits = self { true } else { false } }
    /// True for `to managers` (any levels).
    public var isManagers: Bool { if case .managers = self { true } else { false } }
}

/// One `to …` line of a credit rule.
public struct CreditRecipient: Sendable, Hashable {
    /// Who.
    public var kind: Recipient
    /// The `to …` line, or the rule's declaration for the implicit `to rep`.
    public var span: SourceSpan

    /// A recipient.
    public init(kind: Recipient, span: SourceSpan) {
        self.kind = kind
        self.span = span
    }
}

/// How each matching transaction becomes a credit: filter, amount, weight, recipients.
///
/// The credit is `amount × weight`, exact; it is credited to every ``recipients`` entry.
public struct CreditRule: Sendable, Hashable {
    /// The rule's name.
    public var name: String
    /// Boolean filter over `txn.*` and `rep.*` (all `where` lines joined by `and`); `nil` = every transaction.
    public var filter: Expr?
    /// Credit amount per transaction: money in the plan currency, or a count.
    public var amount: Expr
    /// The weight applied to the amount (a rate); `nil` = 100%.
    public var weight: Expr?
    /// Recipients, in declaration order (at least one).
    public var recipients: [CreditRecipient]
    /// The type of one credit.
    public var type: ValueType
    /// The declaration.
    public var span: SourceSpan

    /// A credit rule.
    public init(
        name: String, filter: Expr?, amount: Expr, weight: Expr?, recipients: [CreditRecipient], type: ValueType,
        span: SourceSpan
    ) {
        self.name = name
        self.filter = filter
        self.amount = amount
        self.weight = weight
        self.recipients = recipients
        self.type = type
        self.span = span
    }
}

/// How credits are aggregated.
public enum Aggregation: String, Sendable, Hashable {
    /// Sum of credits.
    case sum
    /// Number of credits (reversals count as minus one).
    case count
    /// Smallest credit.
    case min
    /// Largest credit.
    case max
    /// Mean credit (sum ÷ count, rounded by the measure's rule; zero credits → zero).
    case avg
}

/// The span of periods a measure aggregates over, relative to the period being computed.
public enum MeasureWindow: String, Sendable, Hashable {
    /// The payout period itself.
    case period
    /// From the start of the fiscal quarter through the end of the period.
    case quarterToDate = "qtd"
    /// From the start of the fiscal year through the end of the period.
    case yearToDate = "ytd"
}

/// An aggregation of one credit rule's credits per payee and period.
public struct Measure: Sendable, Hashable {
    /// The name (exported as a measure).
    public var name: String
    /// Sum, count, min, max or average.
    public var aggregation: Aggregation
    /// The credits aggregated.
    public var creditRule: CreditRuleID
    /// Period, QTD or YTD.
    public var window: MeasureWindow
    /// The value type.
    public var type: ValueType
    /// Applied once to the aggregate (never to single credits).
    public var rounding: RoundingRule
    /// The declaration.
    public var span: SourceSpan

    /// A measure.
    public init(
        name: String, aggregation: Aggregation, creditRule: CreditRuleID, window: MeasureWindow, type: ValueType,
        rounding: RoundingRule, span: SourceSpan
    ) {
        self.name = name
        self.aggregation = aggregation
        self.creditRule = creditRule
        self.window = window
        self.type = type
        self.rounding = rounding
        self.span = span
    }
}

/// A named value computed per payee and period from other values (`attainment = bookings / quota`).
public struct DerivedValue: Sendable, Hashable {
    /// The name (exported as a measure).
    public var name: String
    /// The expression.
    public var expr: Expr
    /// Applied once to the result.
    public var rounding: RoundingRule
    /// The declaration.
    public var span: SourceSpan

    /// A derived value.
    public init(name: String, expr: Expr, rounding: RoundingRule, span: SourceSpan) {
        self.name = name
        self.expr = expr
        self.rounding = rounding
        self.span = span
    }
}

/// How a per-period amount is reduced for a payee active on only part of the period.
public enum QuotaProration: String, Sendable, Hashable {
    /// No reduction.
    case none
    /// Actual/actual within the period: `amount × activeDays ÷ periodDays` (CompCore `Proration`).
    case actualDays = "actual_days"
}

/// A quota: the `quotas.csv` row for (rep, period of ``periodKind`` containing the payout period, measure).
public struct Quota: Sendable, Hashable {
    /// The measure it is the quota of; rows match on this name (or an empty `measure` column for the
    /// plan's first measure).
    public var measure: MeasureID
    /// The name matched against the `measure` column.
    public var measureName: String
    /// Month, quarter or year rows.
    public var periodKind: PeriodKind
    /// Mid-period joiners and plan changes.
    public var proration: QuotaProration
    /// The value type (the measure's).
    public var type: ValueType
    /// The declaration or first use.
    public var span: SourceSpan

    /// A quota.
    public init(
        measure: MeasureID, measureName: String, periodKind: PeriodKind, proration: QuotaProration, type: ValueType,
        span: SourceSpan
    ) {
        self.measure = measure
        self.measureName = measureName
        self.periodKind = periodKind
        self.proration = proration
        self.type = type
        self.span = span
    }
}
