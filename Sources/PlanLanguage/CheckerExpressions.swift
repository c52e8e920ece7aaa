import CompCore
import CompDiagnostics
import PlanModel

extension Checker {
    // MARK: Types

    func sameCurrency(_ a: MoneyCurrency, _ b: MoneyCurrency) -> Bool {
        switch (a, b) {
        case (.transaction, .transaction): return true
        case (.fixed(let x), .fixed(let y)): return x.code == y.code
        default: return false
        }
    }

    /// The common type of two values that may meet (branches, comparisons, list items): counts widen to rates.
    func unify(_ a: ValueType, _ b: ValueType) -> ValueType? {
        switch (a, b) {
        case (.money(let x), .money(let y)): return sameCurrency(x, y) ? a : nil
        case (.count, .count): return .count
        case (.count, .rate), (.rate, .count), (.rate, .rate): return .rate
        default: return a == b ? a : nil
        }
    }

    /// The whole numbers of 2 or more that `node` can give (itself, or its branches' and arms'
    /// results): read as a rate, `50` is 5000%, which a plan that means 50% never wants.
    func wholeNumbers(_ node: ExprNode) -> [(text: String, range: SourceRange)] {
        switch node {
        case .number(let text, let range):
            guard !text.contains("."), let value = Int64(text), value >= 2 else { return [] }
            return [(text, range)]
        case .paren(let inner, _), .negate(let inner, _), .when(let inner, _, _): return wholeNumbers(inner)
        case .ifThen(_, let a, let b, _): return wholeNumbers(a) + wholeNumbers(b)
        case .match(_, let arms, _): return arms.flatMap { wholeNumbers($0.result) }
        default: return []
        }
    }

    /// Where an attainment (a ratio of two amounts of money) meets counts, compared or added,
    /// refuses the whole numbers of 2 or more among the counts: `attainment >= 100` is a
    /// percentage written without its `%`. A rate scaled by a number (`bookings / quota * 100`),
    /// a score or a multiplier is compared with whole numbers as it is. Returns whether there was none.
    func refuseCountsBesideRates(_ operands: [(Expr, ExprNode)], _ role: String, _ file: Int) -> Bool {
        refuseCounts(in: operands, role, file) { rate, _ in isMoneyRatio(rate) }
    }

    /// Where branches or arms meet (an `if`, a `match`), refuses the whole numbers of 2 or more
    /// among the counts when another gives a rate written as a percentage (`=> 50` beside
    /// `=> 100%`). Beside decimals (`then 2 else 1.5`) they are multipliers as written.
    func refuseCountsBesidePercentages(_ operands: [(Expr, ExprNode)], _ role: String, _ file: Int) -> Bool {
        refuseCounts(in: operands, role, file) { _, node in writtenAsPercentage(node) }
    }

    /// Refuses the whole numbers of 2 or more among the counts of `operands` when one of them is a
    /// rate that `means` a percentage. Returns whether there was none.
    private func refuseCounts(in operands: [(Expr, ExprNode)], _ role: String, _ file: Int, when means: (Expr, ExprNode) -> Bool) -> Bool {
        guard operands.contains(where: { $0.0.type == .rate && means($0.0, $0.1) }) else { return true }
        var none = true
        for (operand, node) in operands where operand.type == .count {
            if !refuseWholeNumbersAsRates(node, role, file) { none = false }
        }
        return none
    }

    /// Whether `node` is, or chooses between, percentages as written (`50%`, `-5%`, `(5%)`).
    func writtenAsPercentage(_ node: ExprNode) -> Bool {
        switch node {
        case .percent: return true
        case .paren(let inner, _), .negate(let inner, _), .when(let inner, _, _): return writtenAsPercentage(inner)
        case .ifThen(_, let a, let b, _): return writtenAsPercentage(a) || writtenAsPercentage(b)
        case .match(_, let arms, _): return arms.contains { writtenAsPercentage($0.result) }
        default: return false
        }
    }

    /// Whether `expr` is a ratio of two amounts of money (an attainment, `bookings / quota`),
    /// through `let` values and roundings, and not scaled: divided by a written amount
    /// (`bookings / 1000 USD`) it counts thousands, not a share.
    func isMoneyRatio(_ expr: Expr, depth: Int = 0) -> Bool {
        guard depth < 64 else { return false }
        switch expr.kind {
        case .divide(let a, let b, _):
            // Divided by a constant amount (`1000 USD`, a parameter, a `let` of one) it counts units.
            return a.type.isMoney && b.type.isMoney && !isConstant(b)
        case .round(let inner, _): return isMoneyRatio(inner, depth: depth + 1)
        // A capped or floored attainment (`min(attainment, 150%)`) is one still.
        case .call(.min, let args), .call(.max, let args): return args.contains { isMoneyRatio($0, depth: depth + 1) }
        case .derived(let id):
            guard let value = derived[safe: id.index] ?? nil else { return false }
            return isMoneyRatio(value.expr, depth: depth + 1)
        default: return false
        }
    }

    /// Whether `expr` is the same every period: a literal, a parameter, a `let` of one.
    func isConstant(_ expr: Expr) -> Bool {
        expr.isConstant { id in (derived[safe: id.index] ?? nil)?.expr }
    }

    /// Refuses each whole number of 2 or more that `node` gives where a rate is meant (`weight
    /// 50`, a tier `: 3`, `attainment >= 100`): they had paid 5000%, 300%, or never. `role` says
    /// how it is used ("as a weight"). Returns whether there was none.
    @discardableResult
    func refuseWholeNumbersAsRates(_ node: ExprNode, _ role: String, _ file: Int, atLeast least: Int64 = 2) -> Bool {
        let found = wholeNumbers(node).filter { (Int64($0.text) ?? 0) >= least }
        for (text, range) in found {
            let percent = (Int64(text) ?? 0).multipliedReportingOverflow(by: 100)
            let shown = percent.overflow ? "\(text)00%" : "\(percent.partialValue)%"
            error(.wholeNumberAsRate(text, role, shown), file, range,
                  hint: "write '\(text)%' for \(text) percent, or '\(shown)' if that is meant")
        }
        return found.isEmpty
    }

    func describe(_ type: ValueType) -> String {
        switch type {
        case .money(let c): return "money (\(c))"
        default: return type.description
        }
    }

    /// `2027-1-1` (read as 2027 − 1 − 1) as the date it was meant to be, `2027-01-01`, if it is one.
    static func unpaddedDate(_ node: ExprNode) -> String? {
        guard case .binary(.subtract, let left, .number(let day, _), _) = node,
            case .binary(.subtract, .number(let year, _), .number(let month, _), _) = left,
            let y = Int(year), let m = Int(month), let d = Int(day), CivilDate(year: y, month: m, day: d) != nil
        else { return nil }
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(y)-\(two(m))-\(two(d))"
    }

    /// "write 500000 USD" for a bare number where money of a currency is meant (`ytd > 500000`,
    /// `floor … at 500`), or nil.
    func moneyHint(for node: ExprNode, beside type: ValueType) -> String? {
        guard case .money(.fixed(let currency)) = type else { return nil }
        switch node {
        case .number(let text, _): return "write the amount with its currency: \(text) \(currency.code)"
        case .negate(.number(let text, _), _): return "write the amount with its currency: -\(text) \(currency.code)"
        case .name(let name):
            // A parameter declared as a bare number (`param spiff_amt = 150`).
            guard case .parameter(let index)? = symbols[name.name]?.symbol, paramDecls.indices.contains(index),
                case .number(let text, _) = paramDecls[index].value.1
            else { return nil }
            return "parameter '\(name.name)' is declared as \(text), a count: declare it with its currency, param \(name.name) = \(text) \(currency.code)"
        default: return nil
        }
    }

    func mismatch(_ a: ValueType, _ b: ValueType, _ verb: String, _ file: Int, _ range: SourceRange, hint: String? = nil) {
        // Money of two currencies is a currency mismatch; money and money of one currency that
        // cannot be combined (multiplied) is a type error, not a "currency mismatch".
        if case .money(let x) = a, case .money(let y) = b, x != y {
            // A plan whose own currency is no currency is checked as the one it most likely means
            // (`XAU` as `XAF`); a mismatch with that one would name a code the author never wrote.
            // (Transaction amounts beside it are still a mismatch: fx(txn.amount) is the fix.)
            if currencyUnknown && x != .transaction && y != .transaction && (x == .fixed(currency) || y == .fixed(currency)) { return }
            let hint = (x == .transaction || y == .transaction) ? "convert transaction amounts with fx(txn.amount)" : nil
            error(.currencyMismatch(describe(a), describe(b), verb), file, range, hint: hint)
        } else {
            error(.typeMismatch("cannot \(verb) \(describe(a)) and \(describe(b))"), file, range, hint: hint)
        }
    }

    func arithmeticType(_ op: BinaryOp, _ a: ValueType, _ b: ValueType) -> ValueType? {
        switch op {
        case .add, .subtract:
            switch (a, b) {
            case (.money(let x), .money(let y)): return sameCurrency(x, y) ? a : nil
            default: return (a.isMoney || b.isMoney || !a.isNumeric || !b.isNumeric) ? nil : unify(a, b)
            }
        case .multiply:
            switch (a, b) {
            case (.money, .money): return nil
            case (.money, .rate), (.money, .count): return a
            case (.rate, .money), (.count, .money): return b
            default: return (a.isNumeric && b.isNumeric) ? unify(a, b) : nil
            }
        case .divide:
            switch (a, b) {
            case (.money(let x), .money(let y)): return sameCurrency(x, y) ? .rate : nil
            case (.money, .rate), (.money, .count): return a
            case (.rate, .money), (.count, .money): return nil
            default: return (a.isNumeric && b.isNumeric) ? .rate : nil
            }
        default: return nil
        }
    }

    func verb(_ op: BinaryOp) -> String {
        switch op {
        case .add: return "add"
        case .subtract: return "subtract"
        case .multiply: return "multiply"
        case .divide: return "divide"
        default: return "compare"
        }
    }

    // MARK: Constants

    /// Whether a constant is zero (a divisor that fails every period).
    static func isZero(_ value: Value) -> Bool {
        switch value {
        case .money(let money): return money.amount.isZero
        case .rate(let rate): return rate.value.isZero
        case .count(let count): return count == 0
        default: return false
        }
    }

    /// The value of a constant number: a money, rate or count literal, or a negated one. With
    /// `folding`, also a parameter's value and + − × of such values (`z`, `(d - 2)`, `-rate`).
    /// Only values of one type are compared with each other. `nil` otherwise.
    func constantNumber(_ expr: Expr, folding: Bool = false) -> FixedDecimal? {
        func number(_ value: Value?) -> FixedDecimal? {
            switch value {
            case .money(let money)?: return money.amount
            case .rate(let rate)?: return rate.value
            case .count(let count)?: return FixedDecimal(exactly: Int(count))
            default: return nil
            }
        }
        switch expr.kind {
        case .literal(let value): return number(value)
        case .negate(let inner): return constantNumber(inner, folding: folding).flatMap { try? FixedDecimal.zero.subtracting($0) }
        case .parameter(let id) where folding: return number(parameterValue(id.index)?.value)
        case .arithmetic(let op, let left, let right) where folding:
            guard let a = constantNumber(left, folding: true), let b = constantNumber(right, folding: true) else { return nil }
            switch op {
            case .add: return try? a.adding(b)
            case .subtract: return try? a.subtracting(b)
            case .multiply: return a.isZero || b.isZero ? .zero : nil
            }
        default: return nil
        }
    }

    /// The text of a simple literal or name for a message, or "this value".
    func shown(_ node: ExprNode) -> String {
        switch node {
        case .number(let t, _), .percent(let t, _), .date(let t, _), .month(let t, _), .quarter(let t, _), .string(let t, _):
            return t
        case .money(let t, let code, _): return "\(t) \(code.name)"
        case .name(let i): return i.name
        case .negate(let inner, _):
            let text = shown(inner)
            return text == "this value" ? text : "-" + text
        default: return "this value"
        }
    }

    func constantDate(_ node: ExprNode, _ file: Int) -> CivilDate? {
        guard case .date(let text, let range) = node else {
            error(.expected("a date (YYYY-MM-DD)", "an expression"), file, node.range)
            return nil
        }
        guard let date = CivilDate(parsing: text) else {
            error(.invalidDate(text), file, range)
            return nil
        }
        return date
    }

    /// A payout period literal: a month (`2027-01`) in a monthly plan, a quarter (`2027-Q1`) in a
    /// quarterly one, a fiscal year (`2027`) in a yearly one.
    func constantPeriod(_ node: ExprNode, _ file: Int) -> Period? {
        let expected: String
        switch periodKind {
        case .month: expected = "a month (YYYY-MM)"
        case .quarter: expected = "a quarter (YYYY-Qn)"
        case .year: expected = "a fiscal year (YYYY)"
        }
        let text: String
        let range: SourceRange
        switch node {
        case .month(let t, let r) where periodKind == .month: (text, range) = (t, r)
        case .quarter(let t, let r) where periodKind == .quarter: (text, range) = (t, r)
        case .number(let t, let r) where periodKind == .year && t.utf8.count == 4 && t.utf8.allSatisfy({ (48...57).contains($0) }):
            (text, range) = (t, r)
        default:
            error(.expected(expected, shown(node) == "this value" ? "an expression" : "'\(shown(node))'"), file, node.range)
            return nil
        }
        guard let period = Period(parsing: text, calendar: fiscalCalendar) else {
            error(.invalidDate(text), file, range)
            return nil
        }
        return period
    }

    /// A literal (with an optional leading minus) as a value. `expecting`: what can stand here
    /// when a quoted text cannot (a tier's rate or bound, a share, a window's days; not a
    /// parameter's value or a match pattern), for the hint an unknown name gets.
    func literal(_ node: ExprNode, _ file: Int, expecting: String? = nil) -> Value? {
        switch node {
        case .number(let text, let range):
            if text.contains(".") {
                do throws(DecimalParseError) {
                    return .rate(Rate(try FixedDecimal(parsing: text)))
                } catch {
                    self.error(.invalidNumber(text, error.description), file, range)
                    return nil
                }
            }
            guard let value = Int64(text), value <= Int64(Int32.max) * 1000 else {
                error(.invalidNumber(text, "is too large (a whole number is at most \(Int64(Int32.max) * 1000))"), file, range)
                return nil
            }
            return .count(value)
        case .percent(let text, let range):
            do throws(DecimalParseError) {
                return .rate(try Rate(parsing: text))
            } catch {
                self.error(.invalidNumber(text, error.description), file, range)
                return nil
            }
        case .money(let text, let code, let range):
            guard let money = moneyCurrency(code, file) else { return nil }
            do throws(DecimalParseError) {
                return .money(Money(try FixedDecimal(parsing: text), money))
            } catch {
                self.error(.invalidNumber(text, error.description), file, range)
                return nil
            }
        case .date(let text, let range):
            guard let date = CivilDate(parsing: text) else {
                error(.invalidDate(text), file, range)
                return nil
            }
            return .date(date)
        case .string(let text, _): return .text(unquote(text))
        case .bool(let flag, _): return .bool(flag)
        case .negate(let inner, _):
            guard let value = literal(inner, file, expecting: expecting) else { return nil }
            switch value {
            case .money(let m): return .money(Money(FixedDecimal(units: -m.amount.units), m.currency))
            case .rate(let r): return .rate(Rate(FixedDecimal(units: -r.value.units)))
            case .count(let c): return .count(-c)
            default:
                error(.typeMismatch("cannot negate \(value.type)"), file, node.range)
                return nil
            }
        case .paren(let inner, _): return literal(inner, file, expecting: expecting)
        case .month(let text, let range), .quarter(let text, let range):
            error(.typeMismatch("'\(text)' is a period; use it after 'in' or in 'periods'"), file, range)
            return nil
        case .name(let name):
            // A parameter is a constant of the run (its overridden value in a what-if run): a tier's
            // rate or bound, a share or a window may be one.
            if let entry = symbols[name.name], case .parameter(let index) = entry.symbol {
                used.insert(name.name)
                if let parameter = parameterValue(index) { return parameter.value }
                // Declared after the parameter being lowered, or itself in error.
                if knownBroken(name.name) { return nil }
                error(.notConstant("parameter '\(name.name)'"), file, node.range, hint: "a parameter's value may name only parameters declared before it")
                return nil
            }
            // A name that is nothing: a misspelt parameter, most likely.
            if symbols[name.name] == nil {
                if knownBroken(name.name) { return nil }
                let parameters = names { if case .parameter = $0 { true } else { false } }
                error(
                    .unknownName(name.name), file, name.range,
                    hint: suggest(for: name.name, among: parameters)
                        ?? (expecting.map { "write \($0), or a parameter's name" }
                            ?? "write a parameter's name, or a text in quotes: \"\(name.name)\""))
                return nil
            }
            fallthrough
        default:
            error(.notConstant("this value"), file, node.range, hint: "write a literal such as 150 USD, 5%, 3, \"text\" or a parameter")
            return nil
        }
    }

    func moneyCurrency(_ code: Ident, _ file: Int) -> Currency? {
        guard let parsed = Currency(code: code.name) else {
            error(.unknownCurrency(code.name), file, code.range,
                  hint: Currency.isoCodesOfNoCurrency.contains(code.name) ? nil : suggest(for: code.name, among: Currency.isoMinorUnits.keys))
            return nil
        }
        return parsed
    }

    func numeric(_ value: Value) -> FixedDecimal? {
        switch value {
        case .money(let m): return m.amount
        case .rate(let r): return r.value
        case .count(let c): return FixedDecimal(exactly: Int(c))
        default: return nil
        }
    }

    func zero(_ type: ValueType) -> Value? {
        switch type {
        case .money(.fixed(let c)): return .money(Money(.zero, c))
        case .rate: return .rate(.zero)
        case .count: return .count(0)
        default: return nil
        }
    }

    // MARK: Expressions

    /// Lowers `node`, an operand beside `other`: an undeclared attribute compared with a literal
    /// (`rep.tier >= 2`) is told to be declared with the literal's type (`count`), not `text`,
    /// which the comparison would then refuse.
    /// With `numeric` (an operand of arithmetic or of an ordering), an undeclared attribute is not
    /// taken for text: it is said, with how to declare it as a number.
    func lowerBeside(_ node: ExprNode, _ other: ExprNode?, _ context: EvaluationContext, _ file: Int, numeric: Bool = false) -> Expr? {
        guard case .member = node,
            let type = other.flatMap(Self.literalTypeName) ?? (other.map(isTextAttribute) == true ? "text" : nil)
                ?? (other.map(isTextParameter) == true ? "text" : nil) ?? (numeric ? "number" : nil)
        else {
            return lower(node, context, file)
        }
        let outer = undeclaredAttributeType
        undeclaredAttributeType = type
        defer { undeclaredAttributeType = outer }
        return lower(node, context, file)
    }

    /// Whether `node` names a text attribute already known: built in, declared, or an undeclared
    /// column read as text before (compared with it, another column is text too).
    func isTextAttribute(_ node: ExprNode) -> Bool {
        guard case .member(let scope, let name) = node, let attributeScope = AttributeScope(rawValue: scope.name) else { return false }
        if let builtin = Checker.builtinAttributes[attributeScope]?[name.name] { return builtin.0 == .text }
        return declaredAttributes["\(scope.name).\(name.name)"]?.0 == .text
    }

    /// Whether `node` names a text parameter (`rep.region != wanted` with `param wanted = "EMEA"`
    /// reads the undeclared column as text, as beside the literal it holds).
    func isTextParameter(_ node: ExprNode) -> Bool {
        guard case .name(let name) = node, case .parameter(let index)? = symbols[name.name]?.symbol, let parameter = parameterValue(index)
        else { return false }
        return parameter.type == .text
    }

    /// The attribute type a literal reads as (`2` count, `2.5` and `5%` rate, `10 USD` money).
    static func literalTypeName(_ node: ExprNode) -> String? {
        switch node {
        case .number(let text, _): return text.contains(".") ? "rate" : "count"
        case .percent: return "rate"
        case .money: return "money"
        case .date, .month, .quarter: return "date"
        case .string: return "text"
        case .bool: return "bool"
        case .paren(let inner, _), .negate(let inner, _): return literalTypeName(inner)
        default: return nil
        }
    }

    /// Reports a constant zero divisor, which fails every period: said here, not at run time (also
    /// a parameter of 0, `--param` included, or `(1 - 1)`). A parameter of 0 in a branch is what
    /// `if team_size > 0 then … / team_size` guards against: only a literal 0 is refused there.
    /// Whether it reported one.
    @discardableResult
    func refuseZeroDivisor(_ divisor: Expr, _ file: Int, _ range: SourceRange) -> Bool {
        let literalZero: Bool
        if case .literal = divisor.kind { literalZero = true } else { literalZero = false }
        guard let value = constantNumber(divisor, folding: true), value.isZero, guardedBranches == 0 || literalZero else { return false }
        var hint: String? = nil
        if case .parameter(let id) = divisor.kind, let parameter = parameterValue(id.index) {
            hint = "parameter '\(parameter.name)' is 0" + (parameter.overridden ? " (--param \(parameter.name)=…)" : "")
        }
        error(.divisionByZero, file, range, hint: hint)
        return true
    }

    /// Checks and lowers an expression. Returns `nil` after reporting an error.
    ///
    /// - Parameter top: the rounding rule of the value this expression is the whole of; a division
    ///   at the top uses it, so the quotient is rounded exactly once.
    func lower(_ node: ExprNode, _ context: EvaluationContext, _ file: Int, top: RoundingRule? = nil) -> Expr? {
        let at = span(file, node.range)
        if context == .constant {
            guard let value = literal(node, file) else { return nil }
            return Expr(.literal(value), type: value.type, span: at)
        }
        switch node {
        case .number, .percent, .money, .date, .string, .bool, .month, .quarter:
            guard let value = literal(node, file) else { return nil }
            return Expr(.literal(value), type: value.type, span: at)
        case .paren(let inner, _):
            return lower(inner, context, file, top: top)
        case .name(let name):
            return reference(name, context, file)
        case .member(let scope, let name):
            return attribute(scope, name, context, file: file)
        case .negate(let inner, _):
            guard let operand = lowerBeside(inner, nil, context, file, numeric: true) else { return nil }
            guard operand.type.isNumeric else {
                error(.typeMismatch("cannot negate \(describe(operand.type))"), file, node.range)
                return nil
            }
            return Expr(.negate(operand), type: operand.type, span: at)
        case .not(let inner, _):
            guard let operand = lowerBeside(inner, .bool(true, inner.range), context, file) else { return nil }
            guard operand.type == .bool else {
                error(.typeMismatch("'not' needs a condition, found \(describe(operand.type))"), file, inner.range)
                return nil
            }
            return Expr(.not(operand), type: .bool, span: at)
        case .binary(let op, let a, let b, _):
            // Sides of a comparison or a sum share a type (a product's do not: `x * 2` may be money).
            let sameType = op != .multiply && op != .divide
            let numeric = [.add, .subtract, .multiply, .divide, .less, .lessEqual, .greater, .greaterEqual].contains(op)
            let lhs = lowerBeside(a, sameType ? b : nil, context, file, numeric: numeric)
            let rhs = lowerBeside(b, sameType ? a : nil, context, file, numeric: numeric)
            guard let lhs, let rhs else {
                // A constant zero divisor is an error whatever the dividend: said also when the
                // dividend had its own error (a measure of a credit block that could not be read).
                if op == .divide, let rhs { refuseZeroDivisor(rhs, file, node.range) }
                return nil
            }
            switch op {
            case .and, .or:
                for (operand, source) in [(lhs, a), (rhs, b)] where operand.type != .bool {
                    error(.typeMismatch("'\(op.rawValue)' needs conditions, found \(describe(operand.type))"), file, source.range)
                    return nil
                }
                return Expr(op == .and ? .and(lhs, rhs) : .or(lhs, rhs), type: .bool, span: at)
            case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual:
                guard let common = unify(lhs.type, rhs.type) else {
                    // `txn.date > 2027-1-1` is 2027 minus 1 minus 1: say how a date is written.
                    if lhs.type == .date || rhs.type == .date, let written = Self.unpaddedDate(lhs.type == .date ? b : a) {
                        error(.typeMismatch("cannot compare date and count"), file, node.range,
                              hint: "a date is written YYYY-MM-DD with two-digit months and days: \(written)")
                        return nil
                    }
                    mismatch(lhs.type, rhs.type, "compare", file, node.range,
                             hint: moneyHint(for: b, beside: lhs.type) ?? moneyHint(for: a, beside: rhs.type))
                    return nil
                }
                if op != .equal && op != .notEqual && (common == .text || common == .bool) {
                    error(.typeMismatch("cannot order \(describe(common)) values with '\(op.rawValue)'"), file, node.range)
                    return nil
                }
                if !refuseCountsBesideRates([(lhs, a), (rhs, b)], "compared with a rate", file) { return nil }
                let comparison = ComparisonOperator(rawValue: op.rawValue) ?? .equal
                return Expr(.compare(comparison, lhs, rhs), type: .bool, span: at)
            case .add, .subtract, .multiply, .divide:
                guard let type = arithmeticType(op, lhs.type, rhs.type) else {
                    mismatch(lhs.type, rhs.type, verb(op), file, node.range,
                             hint: moneyHint(for: b, beside: lhs.type) ?? moneyHint(for: a, beside: rhs.type))
                    return nil
                }
                // `attainment - 100`; a product or quotient of a rate and a count is a scaling.
                if op == .add || op == .subtract, !refuseCountsBesideRates([(lhs, a), (rhs, b)], "in a sum with a rate", file) {
                    return nil
                }
                switch op {
                case .add: return Expr(.arithmetic(.add, lhs, rhs), type: type, span: at)
                case .subtract: return Expr(.arithmetic(.subtract, lhs, rhs), type: type, span: at)
                case .multiply: return Expr(.arithmetic(.multiply, lhs, rhs), type: type, span: at)
                default:
                    if refuseZeroDivisor(rhs, file, node.range) { return nil }
                    return Expr(.divide(lhs, rhs, top ?? defaultDivision), type: type, span: at)
                }
            }
        case .inList(let subject, let items, _):
            guard let lhs = lowerBeside(subject, items.first, context, file) else { return nil }
            var lowered: [Expr] = []
            for item in items {
                guard let value = lower(item, context, file) else { return nil }
                guard unify(lhs.type, value.type) != nil else {
                    mismatch(lhs.type, value.type, "compare", file, item.range)
                    return nil
                }
                if !refuseCountsBesideRates([(lhs, subject), (value, item)], "compared with a rate", file) { return nil }
                lowered.append(value)
            }
            return Expr(.member(lhs, lowered), type: .bool, span: at)
        case .inRange(let subject, let lowerNode, let upperNode, _):
            guard let lhs = lowerBeside(subject, lowerNode, context, file) else { return nil }
            let lowerBound: Expr?
            let upperBound: Expr?
            if case .month(let text, let range) = lowerNode, lowerNode == upperNode {
                lowerBound = periodBound(text, range, file, start: true)
                upperBound = lowerBound == nil ? nil : periodBound(text, range, file, start: false)
            } else if case .quarter(let text, let range) = lowerNode, lowerNode == upperNode {
                lowerBound = periodBound(text, range, file, start: true)
                upperBound = lowerBound == nil ? nil : periodBound(text, range, file, start: false)
            } else {
                lowerBound = rangeBound(lowerNode, context, file, start: true)
                upperBound = rangeBound(upperNode, context, file, start: false)
            }
            guard let lowerBound, let upperBound else { return nil }
            for bound in [lowerBound, upperBound] where unify(lhs.type, bound.type) == nil || lhs.type == .text || lhs.type == .bool {
                mismatch(lhs.type, bound.type, "compare", file, node.range)
                return nil
            }
            if !refuseCountsBesideRates([(lhs, subject), (lowerBound, lowerNode), (upperBound, upperNode)], "compared with a rate", file) {
                return nil
            }
            // Constant bounds the wrong way round hold nothing: `txn.date in 2027-12-31 to
            // 2027-01-01` had matched no row, and paid nothing, without a word.
            if let first = constantBound(lowerBound), let last = constantBound(upperBound), first > last {
                error(.rangeReversed("the range ends before it starts: \(shown(lowerNode)) to \(shown(upperNode)) holds nothing"), file,
                      node.range, hint: "write the earlier bound first: \(shown(upperNode)) to \(shown(lowerNode))")
                return nil
            }
            return Expr(.inRange(lhs, lower: lowerBound, upper: upperBound), type: .bool, span: at)
        case .when(let valueNode, let conditionNode, _):
            // The chosen value is the whole value: a division there is rounded once, by `top`.
            guardedBranches += 1
            let value = lower(valueNode, context, file, top: top)
            guardedBranches -= 1
            let condition = lowerBeside(conditionNode, .bool(true, conditionNode.range), context, file)
            guard let value, let condition else { return nil }
            guard condition.type == .bool else {
                error(.typeMismatch("'when' needs a condition, found \(describe(condition.type))"), file, conditionNode.range)
                return nil
            }
            guard let zeroValue = zero(value.type) else {
                error(.typeMismatch("'when' needs an amount, rate or count, found \(describe(value.type))"), file, valueNode.range)
                return nil
            }
            let otherwise = Expr(.literal(zeroValue), type: value.type, span: at)
            return Expr(.conditional(condition, value, otherwise), type: value.type, span: at)
        case .ifThen(let c, let a, let b, _):
            let condition = lowerBeside(c, .bool(true, c.range), context, file)
            // Either branch is the whole value when chosen: a division there is rounded once, by `top`.
            guardedBranches += 1
            let then = lower(a, context, file, top: top)
            let otherwise = lower(b, context, file, top: top)
            guardedBranches -= 1
            guard let condition, let then, let otherwise else { return nil }
            guard condition.type == .bool else {
                error(.typeMismatch("'if' needs a condition, found \(describe(condition.type))"), file, c.range)
                return nil
            }
            guard let type = unify(then.type, otherwise.type) else {
                mismatch(then.type, otherwise.type, "choose between", file, node.range)
                return nil
            }
            if !refuseCountsBesidePercentages([(then, a), (otherwise, b)], "as a rate (the other branch gives a percentage)", file) { return nil }
            return Expr(.conditional(condition, then, otherwise), type: type, span: at)
        case .match(let subjectNode, let armNodes, _):
            // The subject beside the first pattern: matched against texts, an undeclared column is text.
            guard let subject = lowerBeside(subjectNode, armNodes.first { !$0.patterns.isEmpty }?.patterns.first, context, file) else {
                // The subject's error is said; the arms are still checked (their mistakes had
                // waited for the subject's fix to be seen).
                var resultType: ValueType?
                var elseArm: SourceRange?
                for arm in armNodes {
                    if arm.patterns.isEmpty {
                        if let first = elseArm {
                            error(.unexpectedToken("second 'else' in a match (the first is on line \(lineNumber(first, file))); a match has one"),
                                  file, arm.result.range)
                        }
                        elseArm = elseArm ?? arm.result.range
                    }
                    guardedBranches += 1
                    let lowered = lower(arm.result, context, file, top: top)
                    guardedBranches -= 1
                    guard let result = lowered else { continue }
                    if let current = resultType {
                        if let common = unify(current, result.type) { resultType = common } else {
                            mismatch(current, result.type, "choose between", file, arm.result.range)
                        }
                    } else {
                        resultType = result.type
                    }
                }
                return nil
            }
            var arms: [MatchArm] = []
            var otherwise: Expr?
            var resultType: ValueType?
            var failed = false
            // The arm that first names each value: a later one never applies to it (the first
            // match wins), which had passed without a word.
            var firstArm: [Value: (range: SourceRange, arm: Int)] = [:]
            var elseArm: SourceRange?
            var results: [(Expr, ExprNode)] = []
            for (armIndex, arm) in armNodes.enumerated() {
                if arm.patterns.isEmpty {
                    if let first = elseArm {
                        error(.unexpectedToken("second 'else' in a match (the first is on line \(lineNumber(first, file))); a match has one"), file,
                              arm.result.range)
                        failed = true
                    }
                    elseArm = elseArm ?? arm.result.range
                }
                guardedBranches += 1
                // An arm is a branch like an `if`'s: a division at its top is rounded once, by the
                // rule of the value the match is the whole of (it had been rounded to 6 digits
                // first, paying 0.01 where the same `if` paid 0.00).
                let lowered = lower(arm.result, context, file, top: top)
                guardedBranches -= 1
                guard let result = lowered else {
                    failed = true
                    continue
                }
                results.append((result, arm.result))
                if let current = resultType {
                    guard let common = unify(current, result.type) else {
                        mismatch(current, result.type, "choose between", file, arm.result.range)
                        failed = true
                        continue
                    }
                    resultType = common
                } else {
                    resultType = result.type
                }
                if arm.patterns.isEmpty {
                    otherwise = result
                    continue
                }
                var values: [Value] = []
                for pattern in arm.patterns {
                    guard let value = literal(pattern, file) else {
                        failed = true
                        continue
                    }
                    if unify(subject.type, value.type) == nil {
                        mismatch(subject.type, value.type, "compare", file, pattern.range)
                        failed = true
                    }
                    if let first = firstArm[value] {
                        if first.arm == armIndex {
                            error(.unreachableArm(shown(pattern), line: nil), file, pattern.range)
                        } else {
                            error(.unreachableArm(shown(pattern), line: lineNumber(first.range, file)), file, pattern.range)
                        }
                    } else {
                        firstArm[value] = (pattern.range, armIndex)
                    }
                    values.append(value)
                }
                let armRange = (arm.patterns.first?.range ?? arm.result.range).union(arm.result.range)
                arms.append(MatchArm(patterns: values, result: result, span: span(file, armRange)))
            }
            if failed || !refuseCountsBesidePercentages(results, "as a rate (other arms give percentages)", file) { return nil }
            guard let otherwise, let resultType else {
                error(.matchWithoutElse, file, node.range)
                return nil
            }
            return Expr(.match(subject, arms: arms, otherwise: otherwise), type: resultType, span: at)
        case .call(let callee, let args, _):
            return call(callee, args, context, file, node: node, top: top)
        }
    }

    /// A constant bound of a range as a number to order by: a date's day, or a literal number.
    func constantBound(_ expr: Expr) -> FixedDecimal? {
        if case .literal(.date(let date)) = expr.kind { return FixedDecimal(exactly: Int(date.daysSinceEpoch)) }
        return constantNumber(expr)
    }

    func periodBound(_ text: String, _ range: SourceRange, _ file: Int, start: Bool) -> Expr? {
        guard let period = Period(parsing: text, calendar: fiscalCalendar) else {
            error(.invalidDate(text), file, range)
            return nil
        }
        return Expr(.literal(.date(start ? period.startDate : period.endDate)), type: .date, span: span(file, range))
    }

    func rangeBound(_ node: ExprNode, _ context: EvaluationContext, _ file: Int, start: Bool) -> Expr? {
        switch node {
        case .month(let text, let range), .quarter(let text, let range):
            return periodBound(text, range, file, start: start)
        default:
            return lower(node, context, file)
        }
    }

    // MARK: Names

    func reference(_ name: Ident, _ context: EvaluationContext, _ file: Int) -> Expr? {
        let at = span(file, name.range)
        guard let entry = symbols[name.name] else {
            if knownBroken(name.name) { return nil }
            error(.unknownName(name.name), file, name.range, hint: suggest(for: name.name, among: Array(symbols.keys) + ["txn", "rep"]))
            return nil
        }
        used.insert(name.name)
        switch entry.symbol {
        case .parameter(let index):
            guard let parameter = parameterValue(index) else { return nil }
            return Expr(.parameter(ParameterID(index)), type: parameter.type, span: at)
        case .table:
            error(.nameNotUsable(name.name, "table", "as a value"), file, name.range, hint: "apply it: \(name.name)(value)")
            return nil
        case .credit:
            error(.nameNotUsable(name.name, "credit rule", "as a value"), file, name.range,
                  hint: "aggregate it in a measure: measure m = sum(\(name.name))")
            return nil
        case .measure(let index), .derived(let index), .component(let index), .input(let index):
            guard context == .period else {
                error(.periodValueInCredit(name.name), file, name.range)
                return nil
            }
            switch entry.symbol {
            case .measure:
                guard let measure = measureValue(index) else { return nil }
                return Expr(.measure(MeasureID(index)), type: measure.type, span: at)
            case .derived:
                guard let value = derivedValue(index) else { return nil }
                return Expr(.derived(DerivedID(index)), type: value.expr.type, span: at)
            case .component:
                guard let component = componentValue(index) else { return nil }
                componentReads.append((index, file, name.range))
                return Expr(.component(ComponentID(index)), type: component.type, span: at)
            default:
                guard let input = inputValue(index) else { return nil }
                return Expr(.input(InputID(index)), type: input.type, span: at)
            }
        }
    }

    // MARK: Calls

    func call(_ callee: Ident, _ args: [ExprNode], _ context: EvaluationContext, _ file: Int, node: ExprNode,
              top: RoundingRule?) -> Expr? {
        let at = span(file, node.range)
        func arity(_ expected: ClosedRange<Int>) -> Bool {
            if expected.contains(args.count) { return true }
            let text = expected.lowerBound == expected.upperBound ? "\(expected.lowerBound)" : "\(expected.lowerBound) or \(expected.upperBound)"
            error(.badArgumentCount(callee.name, text, args.count), file, node.range)
            return false
        }
        switch callee.name {
        case "min", "max":
            guard arity(2...2) else { return nil }
            let a = lower(args[0], context, file)
            let b = lower(args[1], context, file)
            guard let a, let b else { return nil }
            guard a.type.isNumeric || a.type == .date, let type = unify(a.type, b.type) else {
                mismatch(a.type, b.type, "compare", file, node.range)
                return nil
            }
            return Expr(.call(callee.name == "min" ? .min : .max, [a, b]), type: type, span: at)
        case "abs":
            guard arity(1...1), let a = lower(args[0], context, file) else { return nil }
            guard a.type.isNumeric else {
                error(.typeMismatch("'abs' needs a number, found \(describe(a.type))"), file, args[0].range)
                return nil
            }
            return Expr(.call(.abs, [a]), type: a.type, span: at)
        case "round":
            guard arity(2...3) else { return nil }
            guard case .number(let digitsText, _) = args[1], let digits = Int(digitsText), (0...6).contains(digits) else {
                error(.invalidValue("number of fraction digits", shown(args[1]), "an integer 0 to 6"), file, args[1].range)
                return nil
            }
            var mode = defaultMode
            if args.count == 3 {
                guard case .name(let word) = args[2], let parsed = Checker.modeNames[word.name] else {
                    if case .name(let word) = args[2] { badMode(word, file) } else {
                        error(.expected("a rounding mode", "an expression"), file, args[2].range)
                    }
                    return nil
                }
                mode = parsed
            }
            let rule = RoundingRule(mode: mode, digits: digits, origin: .declared)
            guard let value = lower(args[0], context, file, top: rule) else { return nil }
            guard value.type.isNumeric else {
                error(.typeMismatch("'round' needs a number, found \(describe(value.type))"), file, args[0].range)
                return nil
            }
            return Expr(.round(value, rule), type: value.type, span: at)
        case "fx":
            guard arity(1...1), let value = lower(args[0], context, file) else { return nil }
            guard context == .transaction else {
                error(.transactionOutsideCredit("fx"), file, callee.range)
                return nil
            }
            guard value.type == .money(.transaction) else {
                error(.typeMismatch("'fx' converts money in the transaction's currency, found \(describe(value.type))"), file,
                      args[0].range, hint: "fx(txn.amount)")
                return nil
            }
            return Expr(.convert(value, to: currency), type: .money(.fixed(currency)), span: at)
        case "quota":
            return quotaCall(callee, args, context, file, at: at)
        case "sum", "count", "avg":
            error(.aggregateOutsideMeasure(callee.name), file, callee.range)
            return nil
        default:
            break
        }
        guard let entry = symbols[callee.name] else {
            if knownBroken(callee.name) { return nil }
            func candidates() -> [String] { ["min", "max", "abs", "round", "fx", "quota"] + names { if case .table = $0 { true } else { false } } }
            // Names other languages give the same functions (`maximum`, `ceil`): too far apart to
            // be a typo of the one meant.
            let synonyms = ["maximum": "max", "greatest": "max", "minimum": "min", "least": "min", "absolute": "abs",
                            "round_half_even": "round", "convert": "fx", "target": "quota"]
            let hint = synonyms[callee.name.lowercased()].map { "did you mean `\($0)`?" } ?? suggest(for: callee.name, among: candidates())
            error(.unknownFunction(callee.name), file, callee.range, hint: hint)
            return nil
        }
        guard case .table(let index) = entry.symbol else {
            error(.nameNotUsable(callee.name, entry.symbol.kindName, "as a function"), file, callee.range)
            return nil
        }
        used.insert(callee.name)
        guard context == .period else {
            error(.periodValueInCredit(callee.name), file, callee.range)
            return nil
        }
        guard let table = tableValue(index) else {
            // The table has errors of its own (said at the table); its arguments are still checked,
            // so that a typo in them is not found only once the table is fixed. A credit rule's
            // bare name (a per_transaction table's argument) is no value to check.
            for argument in args {
                if case .name(let name) = argument, let symbol = symbols[name.name], case .credit = symbol.symbol { continue }
                _ = lower(argument, context, file)
            }
            return nil
        }
        let id = TableID(index)
        if table.mode == .perTransaction {
            guard arity(1...1) else { return nil }
            guard case .name(let creditName) = args[0], let creditEntry = symbols[creditName.name],
                case .credit(let creditIndex) = creditEntry.symbol
            else {
                error(.typeMismatch("a per_transaction table is applied to a credit rule: \(callee.name)(credits)"), file, args[0].range)
                return nil
            }
            used.insert(creditName.name)
            guard let rule = creditValue(creditIndex) else { return nil }
            guard unify(rule.type, table.boundType) != nil else {
                mismatch(rule.type, table.boundType, "compare", file, args[0].range)
                return nil
            }
            guard let type = resultType(table, rule.type) else {
                mismatch(table.valueType, rule.type, "multiply", file, node.range)
                return nil
            }
            return Expr(.applyTablePerTransaction(id, credits: CreditRuleID(creditIndex)), type: type, span: at)
        }
        if table.basis == .attainment {
            guard args.count == 2 else {
                error(.tableNeedsQuota, file, node.range)
                return nil
            }
            let value = lower(args[0], context, file)
            let quota = lower(args[1], context, file)
            guard let value, let quota else { return nil }
            guard value.type.isNumeric, unify(value.type, quota.type) != nil else {
                mismatch(value.type, quota.type, "compare", file, node.range)
                return nil
            }
            guard let type = resultType(table, value.type) else {
                mismatch(table.valueType, value.type, "multiply", file, node.range)
                return nil
            }
            return Expr(.applyTable(id, value: value, quota: quota), type: type, span: at)
        }
        guard arity(1...1), let value = lower(args[0], context, file) else { return nil }
        guard unify(value.type, table.boundType) != nil else {
            mismatch(value.type, table.boundType, "compare", file, args[0].range)
            return nil
        }
        guard let type = resultType(table, value.type) else {
            mismatch(table.valueType, value.type, "multiply", file, node.range)
            return nil
        }
        return Expr(.applyTable(id, value: value, quota: nil), type: type, span: at)
    }

    /// What applying `table` to a value of type `valueType` produces: rates multiply the value, amounts are paid as they are.
    func resultType(_ table: RateTable, _ valueType: ValueType) -> ValueType? {
        if table.valueType.isMoney { return table.valueType }
        return arithmeticType(.multiply, table.valueType, valueType)
    }

    func quotaCall(_ callee: Ident, _ args: [ExprNode], _ context: EvaluationContext, _ file: Int, at: SourceSpan) -> Expr? {
        guard (1...2).contains(args.count) else {
            error(.badArgumentCount("quota", "1 or 2", args.count), file, at.range)
            return nil
        }
        guard context == .period else {
            error(.periodValueInCredit("quota"), file, callee.range)
            return nil
        }
        guard case .name(let measureName) = args[0], let entry = symbols[measureName.name], case .measure(let index) = entry.symbol else {
            func candidates() -> [String] { names { if case .measure = $0 { true } else { false } } }
            if case .name(let word) = args[0], knownBroken(word.name) {
                return nil
            } else if case .name(let word) = args[0], symbols[word.name] == nil {
                error(.unknownName(word.name), file, word.range, hint: suggest(for: word.name, among: candidates()))
            } else {
                error(.typeMismatch("'quota' takes a measure name"), file, args[0].range)
            }
            return nil
        }
        used.insert(measureName.name)
        var kind = periodKind
        if args.count == 2 {
            guard let parsed = quotaPeriod(shown(args[1]), file, args[1].range) else { return nil }
            kind = parsed
        }
        guard let measure = measureValue(index) else { return nil }
        let key = "\(index).\(kind.rawValue)"
        let quotaIndex: Int
        if let existing = self.quotaIndex[key] {
            quotaIndex = existing
        } else {
            quotaIndex = quotas.count
            self.quotaIndex[key] = quotaIndex
            let declared = quotaDecls[measure.name]?[kind]
            quotas.append(Quota(measure: MeasureID(index), measureName: measure.name, periodKind: kind,
                                proration: declared?.0 ?? .actualDays, type: measure.type,
                                span: declared.map { span($0.1, $0.2) } ?? at))
        }
        return Expr(.quota(QuotaID(quotaIndex)), type: measure.type, span: at)
    }
}
