import CompCore
import CompDiagnostics
import PlanModel

/// Where an expression is evaluated, which decides the names it may read.
enum EvaluationContext {
    /// Once per transaction: `txn.*`, `rep.*`, parameters.
    case transaction
    /// Once per payee and period: measures, derived values, quotas, components, `rep.*`, parameters.
    case period
    /// At check time: literals only.
    case constant
}

/// A declared name and what it denotes.
enum Symbol {
    case parameter(Int)
    case table(Int)
    case credit(Int)
    case measure(Int)
    case derived(Int)
    case component(Int)
    case input(Int)

    var kindName: String {
        switch self {
        case .parameter: return "parameter"
        case .table: return "table"
        case .credit: return "credit rule"
        case .measure: return "measure"
        case .derived: return "value"
        case .component: return "component"
        case .input: return "input"
        }
    }
}

/// The state of a lazily checked node, for cycle detection.
enum NodeState {
    case pending
    case visiting
    case done(Bool)
}

/// A declaration with the file it came from.
struct Located<T> {
    var value: T
    var file: Int
}

/// Name resolution, type checking and lowering to ``Plan`` in one pass over the declarations.
final class Checker {
    let sink: DiagnosticSink
    let overrides: [String: String]

    // Settings.
    var currency = Currency.usd
    var currencySet = false
    /// The plan's `currency` is not an ISO 4217 currency: amounts are then not checked against
    /// the code it most likely means (`currency XAU` had been checked as XAF, five errors about a
    /// currency the plan does not name, after the one that matters).
    var currencyUnknown = false
    var periodKind = PeriodKind.month
    var fiscalCalendar = FiscalCalendar.calendar
    var defaultMode = RoundingMode.halfEven
    var version: String?
    var effective: DateRange?

    // Symbols.
    var symbols: [String: (symbol: Symbol, file: Int, range: SourceRange)] = [:]
    var used: Set<String> = []
    /// Where each component is read by name (component index, file, range), for
    /// ``warnReadsBeforeLimits()``.
    var componentReads: [(component: Int, file: Int, range: SourceRange)] = []

    // Declarations by kind (AST).
    var paramDecls: [Located<(Ident, ExprNode)>] = []
    var tableDecls: [Located<Decl>] = []
    var creditDecls: [Located<Decl>] = []
    var measureDecls: [Located<Decl>] = []
    var letDecls: [Located<Decl>] = []
    var componentDecls: [Located<Decl>] = []
    var inputDecls: [Located<Decl>] = []
    var quotaDecls: [String: [PeriodKind: (QuotaProration, Int, SourceRange)]] = [:]

    // Lowered model parts.
    var parameters: [Parameter?] = []
    var attributes: [Attribute] = []
    var attributeIndex: [String: Int] = [:]
    var inputs: [InputTable?] = []
    var creditRules: [CreditRule?] = []
    var measures: [Measure?] = []
    var derived: [DerivedValue?] = []
    var quotas: [Quota] = []
    var quotaIndex: [String: Int] = [:]
    var tables: [RateTable?] = []
    var components: [Component?] = []
    var limits: [Limit] = []
    /// Per target and period, the lowest constant cap and the highest constant floor so far.
    var constantLimitBounds: [LimitBoundKey: LimitBounds] = [:]
    var draws: [Draw] = []
    var clawback: ClawbackPolicy?
    var holdbacks: [Holdback] = []
    var order: [ValueRef] = []

    var derivedState: [NodeState] = []
    var componentState: [NodeState] = []
    var tableState: [NodeState] = []
    var stack: [String] = []
    /// Overridden parameters the plan does not declare.
    var unknownOverrides: [String] = []
    /// Depth of each finished definition (1 + its deepest dependency's), and per definition being
    /// lowered the deepest dependency so far (see ``endNode(_:_:_:)``).
    var depthOf: [String: Int] = [:]
    var childDepth: [Int] = []
    var reportedCycles: Set<[String]> = []
    /// Per definition, the strongly connected part of the plan text's references it is in, when
    /// that part has more than one definition (made once, when a chain first passes the depth
    /// limit: see ``cycle(through:)``).
    var cyclicParts: [String: Int]? = nil
    /// The cyclic parts searched for a cycle already.
    var searchedParts: Set<Int> = []
    var hintsLeft = PlanLimits.maxHints
    /// Declarations that failed to parse: uses of these names are not reported again.
    var failedNames: Set<String> = []
    /// Declarations parsed with a skipped line: they are declared but not checked further.
    var poisoned: Set<String> = []
    /// How many `if`/`when`/`match` branches the expression being lowered is inside.
    var guardedBranches = 0

    /// True (and nothing is reported) when `name` is unknown only because its declaration had a syntax error.
    func knownBroken(_ name: String) -> Bool { failedNames.contains(name) || poisoned.contains(name) }

    /// The declared names whose symbol matches (candidates for a "did you mean" hint).
    func names(where matches: (Symbol) -> Bool) -> [String] {
        symbols.compactMap { key, value in matches(value.symbol) ? key : nil }
    }

    /// A "did you mean" hint, within the per-check budget so hostile input cannot make it quadratic.
    /// The candidates are built only while the budget lasts: a plan with thousands of unknown
    /// names copied every declared name for each of them.
    func suggest<Candidates: Sequence<String>>(for name: String, among candidates: @autoclosure () -> Candidates) -> String? {
        guard hintsLeft > 0 else { return nil }
        hintsLeft -= 1
        return suggestion(for: name, among: candidates())
    }

    init(sink: DiagnosticSink, overrides: [String: String]) {
        self.sink = sink
        self.overrides = overrides
    }

    func span(_ file: Int, _ range: SourceRange) -> SourceSpan { SourceSpan(file: file, range: range) }

    /// The line of `range` in `file`, from 1.
    func lineNumber(_ range: SourceRange, _ file: Int) -> Int { sink.sources[file].location(of: range.start).line }

    /// Emits `message` (an error or a warning, as the message is).
    func error(_ message: PlanMessage, _ file: Int, _ range: SourceRange, hint: String? = nil,
               notes: [(String, Int, SourceRange)] = []) {
        // Amounts are not held against a currency the plan does not name (see `currencyUnknown`).
        if currencyUnknown && Self.aboutPlanCurrency.contains(message.id) { return }
        sink.emit(message, file: file, range, notes: notes, hint: hint)
    }

    /// Diagnostics that hold a plan's amounts or rounding against its currency.
    static let aboutPlanCurrency: Set<DiagnosticID> = ["plan.moneyNotInPlanCurrency", "plan.roundingFinerThanCurrency"]

    // MARK: Symbols

    func declare(_ name: Ident, _ symbol: Symbol, file: Int) {
        if let existing = symbols[name.name] {
            error(.duplicateDefinition(name.name), file, name.range, hint: "rename one of them: a name is defined once",
                  notes: [("'\(name.name)' is first defined here", existing.file, existing.range)])
            return
        }
        if ["txn", "rep", "total"].contains(name.name) {
            error(.duplicateDefinition(name.name), file, name.range, hint: "'\(name.name)' is a built-in name")
            return
        }
        symbols[name.name] = (symbol, file, name.range)
    }

    func collect(_ decls: [Decl], file: Int, library: Bool) {
        var seenSettings: [String: SourceRange] = [:]
        for decl in decls {
            if decl.recovered, let name = declaredName(decl) { poisoned.insert(name) }
            if library {
                switch decl.kind {
                case .param, .table, .attribute: break
                default:
                    error(.libraryNotAllowed, file, decl.keyword.range)
                    continue
                }
            }
            switch decl.kind {
            case .setting, .effective:
                let key = decl.keyword.name
                if let first = seenSettings[key] {
                    error(.duplicateSetting(key), file, decl.keyword.range, notes: [("first set here", file, first)])
                    continue
                }
                seenSettings[key] = decl.keyword.range
                setting(decl, file: file)
            case .param(let name, let value):
                declare(name, .parameter(paramDecls.count), file: file)
                paramDecls.append(Located(value: (name, value), file: file))
            case .attribute(let scope, let name, let type, let optional):
                declareAttribute(scope: scope, name: name, type: type, optional: optional, file: file)
            case .input(let name, _, _, _):
                declare(name, .input(inputDecls.count), file: file)
                inputDecls.append(Located(value: decl, file: file))
            case .credit(let name, _, _):
                declare(name, .credit(creditDecls.count), file: file)
                creditDecls.append(Located(value: decl, file: file))
            case .measure(let name, _, _, _, _):
                declare(name, .measure(measureDecls.count), file: file)
                measureDecls.append(Located(value: decl, file: file))
            case .letValue(let name, _, _):
                declare(name, .derived(letDecls.count), file: file)
                letDecls.append(Located(value: decl, file: file))
            case .table(let name, _, _, _, _, _):
                declare(name, .table(tableDecls.count), file: file)
                tableDecls.append(Located(value: decl, file: file))
            case .component(let name, _, _, _):
                declare(name, .component(componentDecls.count), file: file)
                componentDecls.append(Located(value: decl, file: file))
            case .quota, .limit, .draw, .clawback, .holdback:
                break
            }
        }
    }

    func declaredName(_ decl: Decl) -> String? {
        switch decl.kind {
        case .param(let name, _), .input(let name, _, _, _), .credit(let name, _, _), .measure(let name, _, _, _, _),
            .letValue(let name, _, _), .table(let name, _, _, _, _, _), .component(let name, _, _, _), .draw(let name, _, _):
            return name.name
        default:
            return nil
        }
    }

    // MARK: Settings

    static let modeNames: [String: RoundingMode] = [
        "half_even": .halfEven, "half_up": .halfUp, "down": .down, "up": .up, "floor": .floor, "ceiling": .ceiling,
    ]

    func setting(_ decl: Decl, file: Int) {
        switch decl.kind {
        case .effective(let start, let end):
            // Both ends read before either is given up on: two bad dates are two errors.
            let from = constantDate(start, file)
            let to = end.map { constantDate($0, file) }
            guard let first = from else { return }
            var last: CivilDate?
            if let end, let to {
                guard let date = to else { return }
                last = date
                if date < first {
                    error(.rangeReversed("the effective end date is before the start date"), file, end.range)
                }
            }
            effective = DateRange(start: first, end: last)
        case .setting(let keyword, let value):
            guard let value else { return }
            switch (keyword.name, value) {
            case ("currency", .name(let code)):
                if let parsed = Currency(code: code.name) {
                    currency = parsed
                    currencySet = true
                } else {
                    // The code it most likely means is checked against from here on: `currency EURO`
                    // had left the plan in USD, and every EUR amount in it a mismatch.
                    let meant = closestName(to: code.name, among: Currency.isoMinorUnits.keys.sorted())
                        ?? (code.name.count > 3 ? Currency(code: String(code.name.uppercased().prefix(3)))?.code : nil)
                    if let meant, let parsed = Currency(code: meant) { currency = parsed }
                    let guessed = Currency.isoCodesOfNoCurrency.contains(code.name) ? nil : meant
                    error(.unknownCurrency(code.name), file, code.range, hint: guessed.map { "did you mean `\($0)`?" })
                    currencySet = true
                    currencyUnknown = true
                }
            case ("period", .name(let word)):
                switch word.name {
                case "month": periodKind = .month
                case "quarter": periodKind = .quarter
                case "year": periodKind = .year
                default:
                    error(.invalidValue("payout period", word.name, "'month', 'quarter' or 'year'"), file, word.range,
                          hint: suggest(for: word.name, among: ["month", "quarter", "year"]))
                }
            case ("rounding", .name(let word)):
                if let mode = Checker.modeNames[word.name] {
                    defaultMode = mode
                } else {
                    badMode(word, file)
                }
            case ("fiscal_year_start", .number(let text, let range)):
                if let month = Int(text), let calendar = FiscalCalendar(startMonth: month) {
                    fiscalCalendar = calendar
                } else {
                    error(.invalidValue("fiscal year start", text, "a month number 1-12"), file, range)
                }
            case ("version", .string(let text, let range)):
                version = unquote(text)
                // Empty, it says nothing (and the XML form, which requires text, refused it).
                if version?.isEmpty ?? false { error(.emptyText("version"), file, range) }
            default:
                break
            }
        default:
            break
        }
    }

    func badMode(_ word: Ident, _ file: Int) {
        error(.invalidValue("rounding mode", word.name, "half_even, half_up, down, up, floor or ceiling"), file,
              word.range, hint: suggest(for: word.name, among: Checker.modeNames.keys))
    }

    func roundingRule(_ clause: RoundClause?, type: ValueType, file: Int) -> RoundingRule {
        let defaultDigits: Int
        switch type {
        case .money: defaultDigits = currency.minorUnits
        case .count: defaultDigits = 0
        default: defaultDigits = 6
        }
        guard let clause else { return RoundingRule(mode: defaultMode, digits: defaultDigits, origin: .planDefault) }
        var mode = defaultMode
        if let parsed = Checker.modeNames[clause.mode.name] { mode = parsed } else { badMode(clause.mode, file) }
        var digits = defaultDigits
        if let (text, range) = clause.digits {
            if let value = Int(text), (0...6).contains(value) {
                digits = value
            } else {
                error(.invalidValue("number of fraction digits", text, "0 to 6"), file, range)
            }
        }
        return RoundingRule(mode: mode, digits: digits, origin: .declared)
    }

    var defaultDivision: RoundingRule { RoundingRule(mode: defaultMode, digits: 6, origin: .planDefault) }

    // MARK: Attributes

    static let builtinAttributes: [AttributeScope: [String: (ValueType?, Bool)]] = [
        .transaction: [
            "id": (.text, false), "date": (.date, false), "rep": (.text, false), "amount": (nil, false),
            "currency": (.text, false), "product": (.text, true), "kind": (.text, true), "quantity": (.count, true),
            "region": (.text, true), "reverses": (.text, true), "effective_date": (.date, false),
            "is_reversal": (.bool, false),
        ],
        .rep: [
            "id": (.text, false), "name": (.text, false), "manager": (.text, true), "plan": (.text, false),
            "start": (.date, false), "end": (.date, true), "currency": (.text, true), "target_incentive": (nil, true),
        ],
    ]

    func builtinType(_ scope: AttributeScope, _ name: String) -> (ValueType, Bool)? {
        guard let entry = Checker.builtinAttributes[scope]?[name] else { return nil }
        if let type = entry.0 { return (type, entry.1) }
        // Money columns: the transaction's own currency, or the plan currency for the roster.
        return (scope == .transaction ? .money(.transaction) : .money(.fixed(currency)), entry.1)
    }

    func typeNamed(_ word: Ident, scope: AttributeScope, file: Int) -> ValueType? {
        switch word.name {
        case "text": return .text
        case "count": return .count
        case "rate", "number": return .rate
        case "date": return .date
        case "bool": return .bool
        case "money": return scope == .transaction ? .money(.transaction) : .money(.fixed(currency))
        default:
            error(.invalidValue("type", word.name, "text, count, rate, money, date or bool"), file, word.range,
                  hint: suggest(for: word.name, among: ["text", "count", "rate", "money", "date", "bool"]))
            return nil
        }
    }

    var declaredAttributes: [String: (ValueType, Bool, Int, SourceRange)] = [:]
    /// Columns read as text without a declaration (``attribute(_:_:_:file:)``), by `scope.name`.
    var implicitAttributes: Set<String> = []
    /// The type an undeclared attribute being lowered is compared with (``lowerBeside``), for the
    /// hint on how to declare it.
    var undeclaredAttributeType: String?

    func declareAttribute(scope: Ident, name: Ident, type: Ident, optional: Bool, file: Int) {
        guard let attributeScope = AttributeScope(rawValue: scope.name) else {
            error(.invalidValue("attribute scope", scope.name, "'txn' or 'rep'"), file, scope.range)
            return
        }
        let key = "\(scope.name).\(name.name)"
        if builtinType(attributeScope, name.name) != nil {
            error(.duplicateDefinition(key), file, name.range, hint: "'\(key)' is a built-in attribute")
            return
        }
        if let existing = declaredAttributes[key] {
            error(.duplicateDefinition(key), file, name.range, notes: [("first declared here", existing.2, existing.3)])
            return
        }
        guard let valueType = typeNamed(type, scope: attributeScope, file: file) else { return }
        declaredAttributes[key] = (valueType, optional, file, name.range)
        // The plan's own declaration is part of its model even when nothing reads it: the data is
        // checked against it (a column it requires must be there, every value must read as its
        // type). Unread, it had checked nothing. A library's declarations count where they are used.
        if file == 0 && attributeIndex[key] == nil {
            attributeIndex[key] = attributes.count
            attributes.append(Attribute(scope: attributeScope, name: name.name, type: valueType, optional: optional,
                                        builtIn: false, span: span(file, scope.range.union(name.range))))
        }
    }

    func attribute(_ scope: Ident, _ name: Ident, _ context: EvaluationContext, file: Int) -> Expr? {
        guard let attributeScope = AttributeScope(rawValue: scope.name) else {
            // A declared name with a dot after it (`bookings.x`): it is known, it has no parts.
            if symbols[scope.name] != nil || knownBroken(scope.name) {
                error(.unexpectedToken("'.' after '\(scope.name)': only txn.… and rep.… have attributes"), file, scope.range.union(name.range))
                return nil
            }
            error(.unknownName(scope.name), file, scope.range, hint: suggest(for: scope.name, among: ["txn", "rep"]))
            return nil
        }
        let key = "\(scope.name).\(name.name)"
        var found: (ValueType, Bool, Bool)?
        if let builtin = builtinType(attributeScope, name.name) {
            found = (builtin.0, builtin.1, true)
        } else if let declared = declaredAttributes[key] {
            found = (declared.0, declared.1, false)
        } else {
            found = nil
        }
        if found == nil {
            // Known names only (built-in and declared ones), not columns taken as text before:
            // `rep.tier2` after `rep.tier1` is another column, not a misspelling of it.
            // Read as text, only a text one can be the one meant (`txn.account == "ACME"` is no
            // misspelt `amount`).
            let asText = undeclaredAttributeType == "text"
            let builtins = (Checker.builtinAttributes[attributeScope] ?? [:]).filter { !asText || $0.value.0 == .text }.keys
            let known = Array(builtins)
                + declaredAttributes.filter { $0.key.hasPrefix(scope.name + ".") && !implicitAttributes.contains($0.key) && (!asText || $0.value.0 == .text) }
                .keys.map { String($0.dropFirst(scope.name.count + 1)) }
            // Any other column is a text attribute (FORMATS.md: "any other column becomes a
            // string attribute"), read from the column of that name, which the data must then
            // have: where the plan reads it as text (compared with a text, matched against texts,
            // looked up in a list of texts). Not when it is spelt like a known one (whatever hints
            // are left), nor where a number, an amount, a date or a condition is meant: then it is
            // said, with how to declare it.
            let misspelt = closestName(to: name.name, among: known)
            if misspelt == nil && undeclaredAttributeType == "text" {
                declaredAttributes[key] = (.text, false, file, name.range)
                implicitAttributes.insert(key)
                found = (.text, false, false)
            } else {
                let declare = undeclaredAttributeType.map {
                    $0 == "number"
                        ? "declare it as a number: 'attribute \(key): rate' (or money, count)"
                        : "declare extra columns with 'attribute \(key): \($0)'"
                } ?? "declare extra columns with 'attribute \(key): TYPE', TYPE one of text, count, rate, money, date, bool"
                error(.unknownAttribute(scope.name, name.name), file, name.range,
                      hint: misspelt.flatMap { suggest(for: name.name, among: [$0]).map { $0 + " (or, if it is another column, " + declare + ")" } }
                        ?? declare)
                return nil
            }
        }
        guard let (type, optional, builtIn) = found else { return nil }
        if attributeScope == .transaction && context != .transaction {
            error(.transactionOutsideCredit(key), file, scope.range.union(name.range))
            return nil
        }
        let index: Int
        if let existing = attributeIndex[key] {
            index = existing
        } else {
            index = attributes.count
            attributeIndex[key] = index
            attributes.append(Attribute(scope: attributeScope, name: name.name, type: type, optional: optional,
                                        builtIn: builtIn, span: span(file, scope.range.union(name.range)),
                                        declared: !implicitAttributes.contains(key)))
        }
        return Expr(.attribute(AttributeID(index)), type: type, span: span(file, scope.range.union(name.range)))
    }
}

/// A limit's target and period: caps and floors that bound the same amount.
struct LimitBoundKey: Hashable {
    let target: LimitTarget
    let per: LimitPeriod
}

/// The tightest constant limits of one target and period, with where each is declared.
struct LimitBounds {
    var lowestCap: (FixedDecimal, SourceSpan)?
    var highestFloor: (FixedDecimal, SourceSpan)?
}
