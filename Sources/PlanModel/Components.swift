import CompCore

/// A payout component: what it pays and how it is rounded.
public struct Component: Sendable, Hashable {
    /// The name (exported as the component).
    public var name: String
    /// Display name for statements.
    public var displayName: String?
    /// What it computes.
    public var body: ComponentBody
    /// The payout type (money in the plan currency).
    public var type: ValueType
    /// Applied once per payee and period, at the end of the component.
    public var rounding: RoundingRule
    /// The declaration.
    public var span: SourceSpan

    /// A component.
    public init(
        name: String, displayName: String?, body: ComponentBody, type: ValueType, rounding: RoundingRule,
        span: SourceSpan
    ) {
        self.name = name
        self.displayName = displayName
        self.body = body
        self.type = type
        self.rounding = rounding
        self.span = span
    }
}

/// The kinds of component.
public enum ComponentBody: Sendable, Hashable {
    /// A formula over measures, derived values, quotas, tables and parameters (commissions via
    /// ``ExprKind/applyTable(_:value:quota:)``, threshold bonuses via ``ExprKind/conditional(_:_:_:)``,
    /// graduated bonuses via ``ExprKind/graduated(value:floor:step:amountPerStep:ceiling:)``, MBO via
    /// ``ExprKind/input(_:)``).
    case formula(Expr)
    /// A SPIFF over the payee's own transactions.
    case spiff(Spiff)
    /// A manager override on the team's credits.
    case override(ManagerOverride)
}

/// Which date of a transaction a SPIFF window tests.
public enum SpiffDateBasis: String, Sendable, Hashable {
    /// The row's own `date`.
    case transactionDate = "date"
    /// The row's date, or for a reversal the date of the row it reverses.
    case effectiveDate = "effective_date"
}

/// What a SPIFF pays per qualifying transaction.
public enum SpiffPayout: Sendable, Hashable {
    /// Money per unit of `quantity`.
    case perUnit(Expr)
    /// Money per transaction (a reversal takes one back).
    case perDeal(Expr)
    /// A rate of the transaction amount converted to the plan currency.
    case percentOfAmount(Expr)
    /// The number of qualifying transactions in the period looked up in a (retroactive or interpolated) table.
    case tieredByCount(TableID)
}

/// A sales performance incentive: a window, a filter and a payout.
public struct Spiff: Sendable, Hashable {
    /// Qualifying dates (inclusive).
    public var window: DateRange
    /// Which date is tested against the window.
    public var dateBasis: SpiffDateBasis
    /// Extra filter over `txn.*` and `rep.*`; `nil` = all.
    public var filter: Expr?
    /// The payout.
    public var payout: SpiffPayout
    /// The `spiff { … }` block.
    public var span: SourceSpan

    /// A SPIFF.
    public init(window: DateRange, dateBasis: SpiffDateBasis, filter: Expr?, payout: SpiffPayout, span: SourceSpan) {
        self.window = window
        self.dateBasis = dateBasis
        self.filter = filter
        self.payout = payout
        self.span = span
    }
}

/// A manager override: a rate of the credits of the reps below the payee.
public struct ManagerOverride: Sendable, Hashable {
    /// The override rate.
    public var rate: Expr
    /// Whose credits (the rule is evaluated for the team members' transactions).
    public var creditRule: CreditRuleID
    /// How many levels down the team reaches (`nil` = all).
    public var levels: Int?
    /// Paid only when this is true for the manager's period; `nil` = always.
    public var threshold: Expr?
    /// The `override …` expression.
    public var span: SourceSpan

    /// An override.
    public init(rate: Expr, creditRule: CreditRuleID, levels: Int?, threshold: Expr?, span: SourceSpan) {
        self.rate = rate
        self.creditRule = creditRule
        self.levels = levels
        self.threshold = threshold
        self.span = span
    }
}

/// What a cap, floor or holdback applies to.
public enum LimitTarget: Sendable, Hashable {
    /// The sum of every component.
    case total
    /// One component.
    case component(ComponentID)
}

/// Cap or floor.
public enum LimitKind: String, Sendable, Hashable {
    /// An upper bound; a value below it (including a negative one) passes through.
    case cap
    /// A lower bound.
    case floor
}

/// The horizon of a limit.
public enum LimitPeriod: String, Sendable, Hashable {
    /// Each payout period on its own.
    case period
    /// Cumulative over the fiscal year: paid-to-date is bounded.
    case year
}

/// A cap or a floor.
///
/// When the amount cannot be computed because an optional input is empty (for example an empty
/// `target_incentive`), the limit does not apply for that payee.
public struct Limit: Sendable, Hashable {
    /// Cap or floor.
    public var kind: LimitKind
    /// Total or one component.
    public var target: LimitTarget
    /// The bound (money in the plan currency).
    public var amount: Expr
    /// Per period or per year.
    public var per: LimitPeriod
    /// The declaration.
    public var span: SourceSpan

    /// A limit.
    public init(kind: LimitKind, target: LimitTarget, amount: Expr, per: LimitPeriod, span: SourceSpan) {
        self.kind = kind
        self.target = target
        self.amount = amount
        self.per = per
        self.span = span
    }
}

/// The kinds of draw.
public enum DrawKind: String, Sendable, Hashable {
    /// Paid in addition to earnings and recovered from later earnings.
    case recoverable
    /// Earnings are topped up to the draw amount; the top-up is owed and recovered later.
    case recoverableGuarantee = "recoverable_guarantee"
    /// Earnings are topped up to the draw amount; nothing is owed.
    case nonRecoverableGuarantee = "non_recoverable_guarantee"
}

/// The most that is recovered from one period's earnings.
public enum RecoveryLimit: Sendable, Hashable {
    /// A share of the period's earnings (a rate).
    case share(Expr)
    /// A fixed amount of money.
    case amount(Expr)
}

/// A draw against future earnings.
public struct Draw: Sendable, Hashable {
    /// The name.
    public var name: String
    /// Recoverable, recoverable guarantee or non-recoverable guarantee.
    public var kind: DrawKind
    /// Amount per payout period (money in the plan currency).
    public var amount: Expr
    /// First period paid (a month); `nil` = from the payee's start.
    public var start: Period?
    /// Last period paid (inclusive); `nil` = open.
    public var end: Period?
    /// First period from which the balance is recovered; `nil` = immediately.
    public var recoveryStart: Period?
    /// Per-period recovery limit; `nil` = no limit.
    public var recoveryLimit: RecoveryLimit?
    /// The declaration.
    public var span: SourceSpan

    /// A draw.
    public init(
        name: String, kind: DrawKind, amount: Expr, start: Period?, end: Period?, recoveryStart: Period?,
        recoveryLimit: RecoveryLimit?, span: SourceSpan
    ) {
        self.name = name
        self.kind = kind
        self.amount = amount
        self.start = start
        self.end = end
        self.recoveryStart = recoveryStart
        self.recoveryLimit = recoveryLimit
        self.span = span
    }
}

/// Which period a reversal is charged to.
public enum ClawbackCharge: String, Sendable, Hashable {
    /// The period in which the reversal is dated (a negative credit now).
    case reversalPeriod = "reversal_period"
    /// The period of the original transaction (a prior-period adjustment).
    case originalPeriod = "original_period"
}

/// How reversals (rows with `reverses`) claw back paid incentive.
public struct ClawbackPolicy: Sendable, Hashable {
    /// Reversal period or original period.
    public var charge: ClawbackCharge
    /// The share of the reversed credit charged back.
    public var share: Rate
    /// Only reversals dated within this many days of the original are clawed back; `nil` = always.
    public var windowDays: Int?
    /// The declaration.
    public var span: SourceSpan

    /// A policy.
    public init(charge: ClawbackCharge, share: Rate, windowDays: Int?, span: SourceSpan) {
        self.charge = charge
        self.share = share
        self.windowDays = windowDays
        self.span = span
    }

    /// Whether a reversal dated `reversal` of a deal dated `deal` falls inside the window.
    public func reaches(deal: CivilDate, reversal: CivilDate) -> Bool {
        windowDays.map { deal.days(to: reversal) <= $0 } ?? true
    }
}

/// When withheld money is released.
public enum HoldbackRelease: String, Sendable, Hashable {
    /// With the last period of each fiscal quarter.
    case quarterEnd = "quarter_end"
    /// With the last period of the fiscal year.
    case yearEnd = "year_end"
}

/// A share of a payout withheld and released later.
public struct Holdback: Sendable, Hashable {
    /// The share withheld.
    public var share: Rate
    /// Total or one component.
    public var target: LimitTarget
    /// When it is paid out.
    public var release: HoldbackRelease
    /// The declaration.
    public var span: SourceSpan

    /// A holdback.
    public init(share: Rate, target: LimitTarget, release: HoldbackRelease, span: SourceSpan) {
        self.share = share
        self.target = target
        self.release = release
        self.span = span
    }
}
