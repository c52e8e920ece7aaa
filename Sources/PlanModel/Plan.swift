import CompCore
import CompDiagnostics

/// Where a node of the plan model came from: a file of ``Plan/files`` and a byte range in it.
///
/// Plans can pull shared definitions from other files (`use "shared/tiers.plan"`), so a range alone
/// is not enough; `file` indexes ``Plan/files``.
public struct SourceSpan: Sendable, Hashable {
    /// Index into ``Plan/files``.
    public var file: Int
    /// UTF-8 byte range in that file.
    public var range: SourceRange

    /// A span in file `file`.
    public init(file: Int, range: SourceRange) {
        self.file = file
        self.range = range
    }
}

/// A typed index of a node in one of the plan's arrays (a resolved reference, never a name).
public struct NodeID<Tag>: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Position in the owning array of ``Plan``.
    public var index: Int
    /// The id of the element at `index`.
    public init(_ index: Int) { self.index = index }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.index < rhs.index }
    public var description: String { "#\(index)" }
}

/// Tag types for ``NodeID``.
public enum ParameterTag {}
/// Tag for attributes.
public enum AttributeTag {}
/// Tag for input tables.
public enum InputTag {}
/// Tag for credit rules.
public enum CreditRuleTag {}
/// Tag for measures.
public enum MeasureTag {}
/// Tag for derived values.
public enum DerivedTag {}
/// Tag for quotas.
public enum QuotaTag {}
/// Tag for rate tables.
public enum TableTag {}
/// Tag for components.
public enum ComponentTag {}

/// A parameter (index into ``Plan/parameters``).
public typealias ParameterID = NodeID<ParameterTag>
/// An attribute (index into ``Plan/attributes``).
public typealias AttributeID = NodeID<AttributeTag>
/// An input table (index into ``Plan/inputs``).
public typealias InputID = NodeID<InputTag>
/// A credit rule (index into ``Plan/creditRules``).
public typealias CreditRuleID = NodeID<CreditRuleTag>
/// A measure (index into ``Plan/measures``).
public typealias MeasureID = NodeID<MeasureTag>
/// A derived value (index into ``Plan/derived``).
public typealias DerivedID = NodeID<DerivedTag>
/// A quota (index into ``Plan/quotas``).
public typealias QuotaID = NodeID<QuotaTag>
/// A rate table (index into ``Plan/tables``).
public typealias TableID = NodeID<TableTag>
/// A component (index into ``Plan/components``).
public typealias ComponentID = NodeID<ComponentTag>

/// The checked, typed compensation plan: everything the engine needs, and no syntax.
///
/// Produced by a front end (the plan language, later XML import). Every array is in declaration
/// order; references between nodes are typed indices (``NodeID``). ``evaluationOrder`` lists the
/// per-payee-period values in an order in which every value comes after what it reads.
public struct Plan: Sendable, Hashable {
    /// The plan id that roster rows name (`AE-STD`).
    public var id: String
    /// Display name for statements.
    public var displayName: String?
    /// The plan currency: credits, measures and payouts are in it.
    public var currency: Currency
    /// The payout period.
    public var period: PeriodKind
    /// The fiscal calendar (year start) for quarters, years, QTD and YTD.
    public var fiscalCalendar: FiscalCalendar
    /// A version label for audit (`2027.1`).
    public var version: String?
    /// The dates between which the plan is in force (inclusive; `nil` end = open).
    public var effective: DateRange?
    /// The rounding mode used wherever the plan names no mode.
    public var defaultRoundingMode: RoundingMode
    /// Source files the plan was read from; ``SourceSpan/file`` indexes this. The plan file is first.
    public var files: [String]
    /// Named values a what-if run can override.
    public var parameters: [Parameter]
    /// Transaction and rep attributes the plan reads (built-in and declared).
    public var attributes: [Attribute]
    /// Per-rep, per-period input tables (MBO scores and the like).
    public var inputs: [InputTable]
    /// How transactions become credits.
    public var creditRules: [CreditRule]
    /// Aggregations of credits per payee and period.
    public var measures: [Measure]
    /// Values computed from measures, quotas and other values (`attainment`).
    public var derived: [DerivedValue]
    /// Quotas read from `quotas.csv`.
    public var quotas: [Quota]
    /// Rate tables.
    public var tables: [RateTable]
    /// Payout components, in declaration (and export) order.
    public var components: [Component]
    /// Caps and floors.
    public var limits: [Limit]
    /// Draws.
    public var draws: [Draw]
    /// How reversals are charged back; `nil` = reversals are ordinary transactions in their own period.
    public var clawback: ClawbackPolicy?
    /// Holdbacks.
    public var holdbacks: [Holdback]
    /// Measures, derived values and components in dependency order.
    public var evaluationOrder: [ValueRef]
    /// The plan declaration.
    public var span: SourceSpan
    /// Per file index, where offsets of ``SourceSpan``s and the file's bytes part (an XML plan:
    /// spans are offsets into plan text laid over the XML, which an entity such as `&lt;` or a
    /// keyword longer than its XML moves). Empty for plan-language files.
    public var sourceShifts: [Int: [SourceShift]] = [:]

    /// The offset in file `file`'s bytes of span offset `offset`.
    public func sourceOffset(_ offset: Int, file: Int) -> Int {
        guard let shifts = sourceShifts[file] else { return offset }
        return SourceShift.apply(shifts, to: offset)
    }

    /// A plan; front ends fill every field.
    public init(
        id: String, displayName: String?, currency: Currency, period: PeriodKind, fiscalCalendar: FiscalCalendar,
        version: String?, effective: DateRange?, defaultRoundingMode: RoundingMode, files: [String],
        parameters: [Parameter], attributes: [Attribute], inputs: [InputTable], creditRules: [CreditRule],
        measures: [Measure], derived: [DerivedValue], quotas: [Quota], tables: [RateTable], components: [Component],
        limits: [Limit], draws: [Draw], clawback: ClawbackPolicy?, holdbacks: [Holdback], evaluationOrder: [ValueRef],
        span: SourceSpan
    ) {
        self.id = id
        self.displayName = displayName
        self.currency = currency
        self.period = period
        self.fiscalCalendar = fiscalCalendar
        self.version = version
        self.effective = effective
        self.defaultRoundingMode = defaultRoundingMode
        self.files = files
        self.parameters = parameters
        self.attributes = attributes
        self.inputs = inputs
        self.creditRules = creditRules
        self.measures = measures
        self.derived = derived
        self.quotas = quotas
        self.tables = tables
        self.components = components
        self.limits = limits
        self.draws = draws
        self.clawback = clawback
        self.holdbacks = holdbacks
        self.evaluationOrder = evaluationOrder
        self.span = span
    }
}

/// From span offset `at` up to `until` (a line's end), the file's bytes are `extra` further on
/// (negative: nearer).
public struct SourceShift: Sendable, Hashable {
    public var at: Int
    public var until: Int
    public var extra: Int

    /// A shift.
    public init(at: Int, until: Int, extra: Int) {
        self.at = at
        self.until = until
        self.extra = extra
    }

    /// `offset` moved by every shift that covers it.
    public static func apply(_ shifts: [SourceShift], to offset: Int) -> Int {
        var result = offset
        for shift in shifts where shift.at <= offset && offset <= shift.until { result += shift.extra }
        return max(0, result)
    }
}

/// An inclusive range of dates; `end == nil` is open-ended.
public struct DateRange: Sendable, Hashable {
    /// First day.
    public var start: CivilDate
    /// Last day (inclusive), or `nil` for open-ended.
    public var end: CivilDate?
    /// A range.
    public init(start: CivilDate, end: CivilDate?) {
        self.start = start
        self.end = end
    }

    /// Whether `date` falls in the range (both ends included).
    public func contains(_ date: CivilDate) -> Bool { date >= start && (end.map { date <= $0 } ?? true) }
}

/// A reference to a per-payee-period value, for ``Plan/evaluationOrder``.
public enum ValueRef: Sendable, Hashable {
    /// A measure.
    case measure(MeasureID)
    /// A derived value.
    case derived(DerivedID)
    /// A component.
    case component(ComponentID)
}

/// How and where a value is rounded: mode and number of fraction digits.
public struct RoundingRule: Sendable, Hashable {
    /// Where the rule came from.
    public enum Origin: String, Sendable, Hashable {
        /// Written in the plan.
        case declared
        /// The default: the plan's mode, the currency's minor units for money, 6 digits for rates, 0 for counts.
        case planDefault = "default"
    }
    /// The rounding mode.
    public var mode: RoundingMode
    /// Fraction digits kept (0...6).
    public var digits: Int
    /// Declared or defaulted.
    public var origin: Origin

    /// A rule.
    public init(mode: RoundingMode, digits: Int, origin: Origin) {
        self.mode = mode
        self.digits = digits
        self.origin = origin
    }
}

/// A named value with a default, overridable from the command line in a what-if run.
public struct Parameter: Sendable, Hashable {
    /// The name.
    public var name: String
    /// Its type.
    public var type: ValueType
    /// The value in force (the default, or the override).
    public var value: Value
    /// True when the value came from an override rather than the plan text.
    public var overridden: Bool
    /// The declaration.
    public var span: SourceSpan

    /// A parameter.
    public init(name: String, type: ValueType, value: Value, overridden: Bool, span: SourceSpan) {
        self.name = name
        self.type = type
        self.value = value
        self.overridden = overridden
        self.span = span
    }
}

/// Whose attribute: the transaction's or the payee's (roster row).
public enum AttributeScope: String, Sendable, Hashable {
    /// A `transactions.csv` column (`txn.kind`).
    case transaction = "txn"
    /// A `roster.csv` column (`rep.target_incentive`): per transaction, the row of the transaction's
    /// `rep` in force on its date; per period, the payee's row.
    case rep
}

/// A column the plan reads from a transaction or a roster row.
public struct Attribute: Sendable, Hashable {
    /// Transaction or rep.
    public var scope: AttributeScope
    /// The column name (`kind`), or a computed attribute (`effective_date`, `is_reversal`).
    public var name: String
    /// Its type.
    public var type: ValueType
    /// True when the column may be empty. Empty text reads as `""` and an empty count as 0; an empty
    /// money, rate or date has no value, and a limit whose amount has no value does not apply.
    public var optional: Bool
    /// True for columns every ledger has (FORMATS.md); false for declared extra columns.
    public var builtIn: Bool
    /// The declaration, or the first use for built-ins.
    public var span: SourceSpan
    /// False for a column the plan reads as text without declaring it (FORMATS.md: any other
    /// column is a string attribute); `span` is then its first use.
    public var declared: Bool

    /// An attribute.
    public init(scope: AttributeScope, name: String, type: ValueType, optional: Bool, builtIn: Bool, span: SourceSpan, declared: Bool = true) {
        self.scope = scope
        self.name = name
        self.type = type
        self.optional = optional
        self.builtIn = builtIn
        self.span = span
        self.declared = declared
    }
}

/// A per-rep, per-period table read from a CSV file (columns `rep`, `period` and the value column).
public struct InputTable: Sendable, Hashable {
    /// The name used in expressions.
    public var name: String
    /// The file, relative to the data directory.
    public var file: String
    /// The value column.
    public var column: String
    /// The value type.
    public var type: ValueType
    /// The declaration.
    public var span: SourceSpan

    /// The file and column (a NUL between): the tables of several plans reading one column are
    /// read alike.
    public var key: String { file + "\u{0}" + column }

    /// An input table.
    public init(name: String, file: String, column: String, type: ValueType, span: SourceSpan) {
        self.name = name
        self.file = file
        self.column = column
        self.type = type
        self.span = span
    }
}

extension Plan {
    /// The clawback policy when reversals are charged back to their deal's period (`charge
    /// original_period`); `nil` when they are ordinary credits in their own period.
    public var chargeBack: ClawbackPolicy? {
        guard let clawback, clawback.charge == .originalPeriod else { return nil }
        return clawback
    }
}

extension Plan {
    /// Whether a credit rule of the plan credits `to splits`: only then does splits.csv matter to it.
    public var creditsSplitPartners: Bool { creditRules.contains { rule in rule.recipients.contains { $0.kind.isSplits } } }
    /// Whether a credit rule of the plan rolls credits up `to managers`.
    public var creditsManagers: Bool { creditRules.contains { rule in rule.recipients.contains { $0.kind.isManagers } } }
}

extension Plan {
    /// Every top-level expression of the plan, with whether it is evaluated per transaction: a
    /// credit block's `where`, `amount` and `weight`, a SPIFF's filter and pay amount (`rep.*` is
    /// there the row of the transaction's rep, who may be on another plan), or per payee and
    /// period (`let` values, formulas, overrides, table gates, limits, draws).
    public var allExpressions: [(expr: Expr, perTransaction: Bool)] {
        var found: [(expr: Expr, perTransaction: Bool)] = []
        func add(_ expr: Expr?, _ perTransaction: Bool) { if let expr { found.append((expr, perTransaction)) } }
        for rule in creditRules {
            add(rule.filter, true)
            add(rule.amount, true)
            add(rule.weight, true)
        }
        for value in derived { add(value.expr, false) }
        for component in components {
            switch component.body {
            case .formula(let expr): add(expr, false)
            case .spiff(let spiff):
                add(spiff.filter, true)
                switch spiff.payout {
                case .perUnit(let expr), .perDeal(let expr), .percentOfAmount(let expr): add(expr, true)
                case .tieredByCount: break
                }
            case .override(let override):
                add(override.rate, false)
                add(override.threshold, false)
            }
        }
        for table in tables { for tier in table.tiers { add(tier.gate, false) } }
        for limit in limits { add(limit.amount, false) }
        for draw in draws {
            add(draw.amount, false)
            switch draw.recoveryLimit {
            case .share(let expr)?, .amount(let expr)?: add(expr, false)
            case nil: break
            }
        }
        return found
    }

    /// Whether the plan reads `rep.<name>` per transaction (``allExpressions``): for rows of reps
    /// on any plan, not only its own payees'.
    public func readsRepAttributePerTransaction(_ name: String) -> Bool {
        reads(perTransaction: true) { $0.scope == .rep && $0.name == name }
    }

    /// Whether an expression of the plan (``allExpressions``; with `perTransaction`, only those
    /// read per transaction) reads an attribute that `matches`. Past 256 levels of nesting it is
    /// taken to.
    public func reads(perTransaction: Bool = false, attribute matches: (Attribute) -> Bool) -> Bool {
        func reads(_ expr: Expr, depth: Int) -> Bool {
            guard depth < 256 else { return true }
            if case .attribute(let id) = expr.kind, id.index < attributes.count, matches(attributes[id.index]) { return true }
            return expr.children.contains { reads($0, depth: depth + 1) }
        }
        return allExpressions.contains { (!perTransaction || $0.perTransaction) && reads($0.expr, depth: 0) }
    }
}
