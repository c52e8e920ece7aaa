import CompCore
import CompDiagnostics
import PlanModel

extension Checker {
    // MARK: Values looked up by index (lowered on first use)

    func parameterValue(_ index: Int) -> Parameter? { index < parameters.count ? parameters[index] : nil }
    func inputValue(_ index: Int) -> InputTable? { index < inputs.count ? inputs[index] : nil }
    func creditValue(_ index: Int) -> CreditRule? { index < creditRules.count ? creditRules[index] : nil }
    func measureValue(_ index: Int) -> Measure? { index < measures.count ? measures[index] : nil }

    func enterNode(_ state: NodeState, _ name: String, _ file: Int, _ range: SourceRange) -> Bool? {
        if case .pending = state, stack.count >= PlanLimits.maxDependencyDepth {
            // A cycle longer than the limit is still a cycle, spelled out as one (it had been "a
            // chain of more than 128 definitions", whose fix, a shorter chain, cannot end it).
            if let path = cycle(through: name) {
                // Said where the cycle's first definition is (not at the one the limit stopped at).
                let first = path.first.flatMap { symbols[$0] }
                if !path.isEmpty && reportedCycles.insert(Set(path).sorted()).inserted {
                    error(.cycle(path), first?.file ?? file, first?.range ?? range)
                }
                return false
            }
            error(.dependencyTooDeep(name), file, range)
            return false
        }
        switch state {
        case .done(let ok):
            // A finished dependency: the node being lowered is at least one deeper.
            if let depth = depthOf[name], !childDepth.isEmpty { childDepth[childDepth.count - 1] = max(childDepth[childDepth.count - 1], depth) }
            return ok
        case .visiting:
            if let start = stack.firstIndex(of: name) {
                let path = Array(stack[start...]) + [name]
                if reportedCycles.insert(Set(path).sorted()).inserted {
                    // The first 20 members' definitions (a long cycle's thousands are not listed).
                    let notes = path.dropFirst().dropLast().prefix(20).compactMap { member -> (String, Int, SourceRange)? in
                        symbols[member].map { ("'\(member)' is defined here", $0.file, $0.range) }
                    }
                    error(.cycle(path), file, range, notes: Array(notes))
                }
            }
            return false
        case .pending: return nil
        }
    }

    /// The cycle `name` closes with the definitions being lowered, found in the plan's text
    /// (without lowering, which the depth limit stops): the stack from the first definition it
    /// leads back to, `name`, and the definitions between; empty when a cycle of its part was
    /// said already; `nil` when it leads back to none.
    func cycle(through name: String) -> [String]? {
        // Only a definition in a cyclic part can lead back (the stack leads to it): others are
        // answered at once, so a long chain that is no cycle stays linear to check, and a part
        // is searched once (a cycle of thousands is entered again and again, a limit's length on).
        if cyclicParts == nil { cyclicParts = Self.cyclicParts(symbols.keys.sorted(), references: syntacticReferences(of:)) }
        guard let part = cyclicParts?[name] else { return nil }
        if !searchedParts.insert(part).inserted { return [] }
        let onStack = Dictionary(stack.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        var parent: [String: String] = [name: name]
        var pending = [name]
        // Breadth first, each definition once: linear in the plan's size.
        while !pending.isEmpty {
            var next: [String] = []
            for current in pending {
                for referenced in syntacticReferences(of: current) {
                    if let position = onStack[referenced] {
                        var chain: [String] = []
                        var step = current
                        while step != name {
                            chain.append(step)
                            step = parent[step] ?? name
                        }
                        return Array(stack[position...]) + [name] + chain.reversed() + [referenced]
                    }
                    guard parent[referenced] == nil, cyclicParts?[referenced] == part else { continue }
                    parent[referenced] = current
                    next.append(referenced)
                }
            }
            pending = next
        }
        return nil
    }

    /// The strongly connected parts of more than one name of the graph `references` gives over
    /// `names` (Tarjan's algorithm, iterative: a chain of thousands of definitions must not
    /// recurse), as each name's part number.
    static func cyclicParts(_ names: [String], references: (String) -> [String]) -> [String: Int] {
        let known = Set(names)
        var index: [String: Int] = [:]
        var low: [String: Int] = [:]
        var onStack: Set<String> = []
        var stack: [String] = []
        var parts: [String: Int] = [:]
        var partCount = 0
        var counter = 0
        for root in names where index[root] == nil {
            // Frames: a name and its references still to visit.
            var frames: [(name: String, next: [String])] = []
            func open(_ name: String) {
                index[name] = counter
                low[name] = counter
                counter += 1
                stack.append(name)
                onStack.insert(name)
                frames.append((name, references(name).filter { known.contains($0) }.reversed()))
            }
            open(root)
            while let top = frames.last {
                if let next = frames[frames.count - 1].next.popLast() {
                    if index[next] == nil {
                        open(next)
                    } else if onStack.contains(next) {
                        low[top.name] = min(low[top.name] ?? 0, index[next] ?? 0)
                    }
                    continue
                }
                frames.removeLast()
                if let parent = frames.last { low[parent.name] = min(low[parent.name] ?? 0, low[top.name] ?? 0) }
                guard low[top.name] == index[top.name] else { continue }
                var members: [String] = []
                while let member = stack.popLast() {
                    onStack.remove(member)
                    members.append(member)
                    if member == top.name { break }
                }
                if members.count > 1 {
                    for member in members { parts[member] = partCount }
                    partCount += 1
                }
            }
        }
        return parts
    }

    /// The names a `let`, component or table definition's text reads (tables applied as calls).
    func syntacticReferences(of name: String) -> [String] {
        guard let entry = symbols[name] else { return [] }
        var roots: [ExprNode] = []
        switch entry.symbol {
        case .derived(let index):
            if index < letDecls.count, case .letValue(_, let expr, _) = letDecls[index].value.kind { roots = [expr] }
        case .component(let index):
            guard index < componentDecls.count, case .component(_, _, let body, _) = componentDecls[index].value.kind else { break }
            switch body {
            case .expr(let expr): roots = [expr]
            case .override(let rate, _, _, let threshold, _): roots = [rate] + (threshold.map { [$0] } ?? [])
            case .graduated(let value, let floor, let amount, let step, let ceiling, _):
                roots = [value, floor, amount, step] + (ceiling.map { [$0] } ?? [])
            case .spiff: break
            }
        case .table(let index):
            if index < tableDecls.count, case .table(_, _, _, _, let rows, _) = tableDecls[index].value.kind {
                for row in rows { roots += [row.lower, row.upper, row.value, row.endValue, row.gate].compactMap { $0 } }
            }
        default:
            break
        }
        var names: [String] = []
        var nodes = roots
        while let node = nodes.popLast() {
            switch node {
            case .name(let ident): names.append(ident.name)
            case .call(let function, let arguments, _):
                names.append(function.name)
                nodes += arguments
            case .negate(let a, _), .not(let a, _), .paren(let a, _): nodes.append(a)
            case .binary(_, let a, let b, _), .when(let a, let b, _): nodes += [a, b]
            case .inList(let a, let items, _): nodes += [a] + items
            case .inRange(let a, let b, let c, _), .ifThen(let a, let b, let c, _): nodes += [a, b, c]
            case .match(let subject, let arms, _):
                nodes.append(subject)
                for arm in arms { nodes += arm.patterns + [arm.result] }
            default: break
            }
        }
        return names
    }

    /// Refuses a table whose tier conditions nest deeper than ``PlanLimits/maxConditionDepth``
    /// counting the tables they apply, whose conditions are evaluated in turn: a run evaluates them
    /// by recursion (values and components are evaluated in order, one by one; conditions are
    /// not), and 48 tables whose conditions each applied the one before in a 58-level expression
    /// overflowed a worker thread's stack.
    func checkConditionDepth() {
        var tableDepth: [Int: Int] = [:]
        func depth(ofTable index: Int) -> Int {
            if let known = tableDepth[index] { return known }
            tableDepth[index] = 0  // a cycle is reported elsewhere
            var deepest = 0
            for tier in tables[index]?.tiers ?? [] { if let gate = tier.gate { deepest = max(deepest, depth(of: gate)) } }
            tableDepth[index] = deepest
            return deepest
        }
        func depth(of expr: Expr) -> Int {
            var inner = 0
            switch expr.kind {
            case .applyTable(let id, _, _), .applyTablePerTransaction(let id, _): inner = depth(ofTable: id.index)
            default: break
            }
            for child in expr.children { inner = max(inner, depth(of: child)) }
            return inner + 1
        }
        for index in tableDecls.indices where tables[index] != nil && depth(ofTable: index) > PlanLimits.maxConditionDepth {
            let located = tableDecls[index]
            guard case .table(let name, _, _, _, _, _) = located.value.kind else { continue }
            error(.conditionsTooDeep(name.name), located.file, name.range)
            return
        }
    }

    /// Starts lowering a definition: its dependencies' depths are collected from here.
    func beginNode(_ name: String) {
        stack.append(name)
        childDepth.append(0)
    }

    /// Ends lowering a definition: records its depth (1 + its deepest dependency's), and reports
    /// it (returning false) past the limit. The stack alone caught only chains lowered from the
    /// top: declared in order (`let l1 = l0 + …`, `let l2 = l1 + …`) each link was already done,
    /// and 5,000 links crashed the run with a stack overflow.
    func endNode(_ name: String, _ file: Int, _ range: SourceRange, failed: Bool) -> Bool {
        stack.removeLast()
        let deepest = childDepth.popLast() ?? 0
        // A definition that failed already fails its dependents, each without an error.
        let depth = failed ? 0 : deepest + 1
        depthOf[name] = depth
        if !childDepth.isEmpty { childDepth[childDepth.count - 1] = max(childDepth[childDepth.count - 1], depth) }
        guard depth <= PlanLimits.maxDependencyDepth else {
            error(.dependencyTooDeep(name), file, range)
            // Its dependents fail with it, without an error each.
            depthOf[name] = 0
            return false
        }
        return true
    }

    /// `expr` with the divisions that are the whole value (at the top, or a branch of an `if` or
    /// `when` at the top) rounded by `rule`: a ratio is rounded once.
    static func roundingTopDivisions(_ expr: Expr, _ rule: RoundingRule) -> Expr {
        switch expr.kind {
        case .divide(let a, let b, _):
            return Expr(.divide(a, b, rule), type: expr.type, span: expr.span)
        case .conditional(let condition, let then, let otherwise):
            return Expr(
                .conditional(condition, roundingTopDivisions(then, rule), roundingTopDivisions(otherwise, rule)), type: expr.type,
                span: expr.span)
        case .match(let subject, let arms, let otherwise):
            let rounded = arms.map { MatchArm(patterns: $0.patterns, result: roundingTopDivisions($0.result, rule), span: $0.span) }
            return Expr(.match(subject, arms: rounded, otherwise: roundingTopDivisions(otherwise, rule)), type: expr.type, span: expr.span)
        default:
            return expr
        }
    }

    func derivedValue(_ index: Int) -> DerivedValue? {
        // Lowered once, wherever it is first used: a use inside an `if` does not guard it (it is
        // computed every period).
        let guarded = guardedBranches
        guardedBranches = 0
        defer { guardedBranches = guarded }
        let located = letDecls[index]
        guard case .letValue(let name, let valueNode, let clause) = located.value.kind else { return nil }
        if poisoned.contains(name.name) { derivedState[index] = .done(false) }
        if let done = enterNode(derivedState[index], name.name, located.file, name.range) {
            return done ? derived[index] : nil
        }
        derivedState[index] = .visiting
        beginNode(name.name)
        // The rule's digits depend on the type, so look at the type first with the default rule.
        var result: DerivedValue?
        if let probe = lower(valueNode, .period, located.file) {
            let rule = roundingRule(clause, type: probe.type, file: located.file)
            let expr = Self.roundingTopDivisions(probe, rule)
            result = DerivedValue(name: name.name, expr: expr, rounding: rule, span: span(located.file, located.value.range))
        } else if clause != nil {
            // Its rounding clause is still checked (an error in the value had hidden a bad mode).
            _ = roundingRule(clause, type: .rate, file: located.file)
        }
        if !endNode(name.name, located.file, name.range, failed: result == nil) { result = nil }
        derived[index] = result
        derivedState[index] = .done(result != nil)
        if result != nil { order.append(.derived(DerivedID(index))) }
        return result
    }

    func componentValue(_ index: Int) -> Component? {
        // Lowered once, wherever it is first used: a use inside an `if` does not guard it (it is
        // computed every period).
        let guarded = guardedBranches
        guardedBranches = 0
        defer { guardedBranches = guarded }
        let located = componentDecls[index]
        guard case .component(let name, let display, let body, let clause) = located.value.kind else { return nil }
        if poisoned.contains(name.name) { componentState[index] = .done(false) }
        if let done = enterNode(componentState[index], name.name, located.file, name.range) {
            return done ? components[index] : nil
        }
        componentState[index] = .visiting
        beginNode(name.name)
        let file = located.file
        let moneyType = ValueType.money(.fixed(currency))
        let rule = roundingRule(clause, type: moneyType, file: file)
        // A payout line is paid in the currency's minor units: finer digits would be rounded
        // again where it is paid, and the lines would not add up to the total.
        if let (_, range) = clause?.digits, rule.digits > currency.minorUnits {
            error(
                .roundingFinerThanCurrency(name.name, rule.digits, currency.code, currency.minorUnits), file, range,
                hint: currency.minorUnits == 0
                    ? "round it to 0 digits, or leave the digits out"
                    : "round it to at most \(currency.minorUnits) digit\(currency.minorUnits == 1 ? "" : "s"), or leave the digits out")
        }
        var lowered: ComponentBody?
        switch body {
        case .expr(let node):
            if let expr = lower(node, .period, file, top: rule) {
                if expr.type == moneyType {
                    lowered = .formula(expr)
                } else {
                    error(.moneyNotInPlanCurrency("a component", describe(expr.type), currency.code), file, node.range,
                          hint: moneyHint(for: node, beside: moneyType))
                }
            }
        case .spiff(let lines, _, let range):
            lowered = spiff(lines, file, range).map { .spiff($0) }
        case .override(let rateNode, let creditName, let levels, let thresholdNode, let range):
            lowered = override(rateNode, creditName, levels, thresholdNode, file, range).map { .override($0) }
        case .graduated(let valueNode, let floorNode, let amountNode, let stepNode, let ceilingNode, let range):
            let value = lower(valueNode, .period, file)
            let floor = lower(floorNode, .period, file)
            let amount = lower(amountNode, .period, file)
            let step = lower(stepNode, .period, file)
            let ceiling = ceilingNode.flatMap { lower($0, .period, file) }
            if let value, let floor, let amount, let step, ceilingNode == nil || ceiling != nil {
                var ok = true
                // Whether the floor and ceiling passed: only then are they compared below (a bound
                // already refused is not compared again; a refused step leaves them to be).
                var boundsOK = true
                let bounds = [(floor, floorNode)] + (ceiling.map { [($0, ceilingNode ?? floorNode)] } ?? [])
                for (index, (part, source)) in (bounds + [(step, stepNode)]).enumerated()
                where unify(part.type, value.type) == nil || !value.type.isNumeric {
                    mismatch(value.type, part.type, "compare", file, source.range)
                    ok = false
                    if index < bounds.count { boundsOK = false }
                }
                // `graduated attainment above 80 … per 1 up to 120`: 8000% had never been reached.
                if ok {
                    if !refuseCountsBesideRates([(value, valueNode)] + bounds, "compared with a rate", file) {
                        ok = false
                        boundsOK = false
                    }
                    if !refuseCountsBesideRates([(value, valueNode), (step, stepNode)], "compared with a rate", file) { ok = false }
                }
                if amount.type != moneyType {
                    error(.moneyNotInPlanCurrency("a graduated bonus pays an amount that", describe(amount.type), currency.code), file, amountNode.range)
                    ok = false
                }
                // A constant zero step divides every period by zero: say so here, not at run time.
                if case .literal(let value) = step.kind, Self.isZero(value) {
                    error(.divisionByZero, file, stepNode.range)
                    ok = false
                } else if let constant = constantNumber(step), constant.isNegative {
                    // A negative step paid negative bonuses (-4,000.00 for a rep above the floor).
                    error(.invalidValue("graduated step", shown(stepNode), "a step above 0"), file, stepNode.range)
                    ok = false
                }
                // A ceiling at or below the floor paid 0 in every period, without a word.
                if boundsOK, let ceiling, let ceilingNode, let top = constantNumber(ceiling), let bottom = constantNumber(floor),
                    top <= bottom
                {
                    error(
                        .tierOrder("a graduated bonus's ceiling ('up to \(shown(ceilingNode))') must be above its floor ('above \(shown(floorNode))')"),
                        file, ceilingNode.range)
                    ok = false
                }
                if ok {
                    let expr = Expr(.graduated(value: value, floor: floor, step: step, amountPerStep: amount, ceiling: ceiling),
                                    type: moneyType, span: span(file, range))
                    lowered = .formula(expr)
                }
            }
        }
        var result: Component?
        if let lowered {
            var displayName: String?
            if case .string(let text, let range) = display {
                displayName = unquote(text)
                if displayName?.isEmpty ?? false { error(.emptyText("component name"), file, range) }
            }
            result = Component(name: name.name, displayName: displayName, body: lowered, type: moneyType, rounding: rule,
                               span: span(file, located.value.range))
        }
        if !endNode(name.name, file, name.range, failed: result == nil) { result = nil }
        components[index] = result
        componentState[index] = .done(result != nil)
        if result != nil { order.append(.component(ComponentID(index))) }
        return result
    }

    func spiff(_ lines: [BlockLine], _ file: Int, _ range: SourceRange) -> Spiff? {
        var window: DateRange?
        var basis = SpiffDateBasis.transactionDate
        var filters: [Expr] = []
        var payout: SpiffPayout?
        var ok = singleLines(lines, ["window", "pay"], file)
        let moneyType = ValueType.money(.fixed(currency))
        for line in lines {
            switch line.keyword.name {
            case "window":
                // Both ends read before either is given up on: two bad dates are two errors.
                let (first, last) = (spiffDate(line.exprs[0], file, start: true), spiffDate(line.exprs[1], file, start: false))
                guard let start = first, let end = last else {
                    ok = false
                    continue
                }
                if end < start {
                    error(.rangeReversed("the window ends before it starts"), file, line.range)
                    ok = false
                } else if let effective,
                    end < effective.start && !(line.words.count == 2 && line.words[1].name == "effective_date")
                        || effective.end.map({ start > $0 }) == true
                {
                    // (A window before the plan by `effective_date` does apply: a reversal in the
                    // plan's dates of a deal from before takes its SPIFF back.)
                    // No credited deal can fall in it (a 2029 window in a 2027 plan passed silently).
                    let dates = "\(effective.start) to " + (effective.end.map { "\($0)" } ?? "open")
                    error(.neverApplies("the window \(start) to \(end) is outside the plan's effective dates (\(dates)): this SPIFF never pays"),
                          file, line.range)
                }
                window = DateRange(start: start, end: end)
                if line.words.count == 2 {
                    if let parsed = SpiffDateBasis(rawValue: line.words[1].name) {
                        basis = parsed
                    } else {
                        error(.invalidValue("window date", line.words[1].name, "'date' or 'effective_date'"), file, line.words[1].range,
                              hint: suggest(for: line.words[1].name, among: ["date", "effective_date"]))
                        ok = false
                    }
                }
            case "where":
                guard let filter = lowerBeside(line.exprs[0], .bool(true, line.exprs[0].range), .transaction, file) else {
                    ok = false
                    continue
                }
                if filter.type != .bool {
                    error(.typeMismatch("'where' needs a condition, found \(describe(filter.type))"), file, line.exprs[0].range)
                    ok = false
                }
                filters.append(filter)
            case "pay":
                if line.exprs.isEmpty {
                    let tableName = line.words[1]
                    guard let entry = symbols[tableName.name], case .table(let index) = entry.symbol else {
                        if !knownBroken(tableName.name) { error(.unknownName(tableName.name), file, tableName.range) }
                        ok = false
                        continue
                    }
                    used.insert(tableName.name)
                    guard let table = tableValue(index) else {
                        ok = false
                        continue
                    }
                    if (table.valueType != moneyType && !currencyUnknown) || unify(table.boundType, .count) == nil {
                        error(.typeMismatch("a spiff table is looked up by a count and pays money in \(currency.code)"), file, tableName.range)
                        ok = false
                    }
                    payout = .tieredByCount(TableID(index))
                    continue
                }
                guard let amount = lower(line.exprs[0], .period, file) else {
                    ok = false
                    continue
                }
                // Each deal is paid as it qualifies, and a reversal takes back what its deal was
                // paid: a period's value (its bookings, a let) cannot size that (it had paid 0.00).
                if let found = firstPeriodValue(in: amount) {
                    let through = found.table.map { "table '\($0)' reads it in a tier's condition; " } ?? ""
                    error(.periodValueInCredit(found.name), file, found.range,
                          hint: through + "a SPIFF's pay is valued per deal: use literals, parameters, rep attributes and tables of "
                            + "them, 'pay table NAME by count', or a component to pay by the period's values")
                    ok = false
                    continue
                }
                let unit = line.words.last?.name ?? ""
                if unit == "amount" {
                    if amount.type != .rate {
                        error(.typeMismatch("'pay … of amount' needs a rate, found \(describe(amount.type))"), file, line.exprs[0].range)
                        ok = false
                    }
                    payout = .percentOfAmount(amount)
                } else {
                    if amount.type != moneyType {
                        error(.moneyNotInPlanCurrency("a spiff payout", describe(amount.type), currency.code), file, line.exprs[0].range,
                              hint: moneyHint(for: line.exprs[0], beside: moneyType))
                        ok = false
                    }
                    switch unit {
                    case "unit": payout = .perUnit(amount)
                    case "deal": payout = .perDeal(amount)
                    default:
                        error(.invalidValue("spiff unit", unit, "'unit' or 'deal'"), file, line.words.last?.range ?? line.range,
                              hint: suggest(for: unit, among: ["unit", "deal"]))
                        ok = false
                    }
                }
            default: break
            }
        }
        let keywords = Set(lines.map(\.keyword.name))
        if !keywords.contains("window") { error(.missingSetting("window"), file, range) }
        if !keywords.contains("pay") { error(.missingSetting("pay"), file, range) }
        guard ok, let window, let payout else { return nil }
        return Spiff(window: window, dateBasis: basis, filter: conjunction(filters), payout: payout, span: span(file, range))
    }

    func spiffDate(_ node: ExprNode, _ file: Int, start: Bool) -> CivilDate? {
        switch node {
        case .month(let text, let range), .quarter(let text, let range):
            guard let period = Period(parsing: text, calendar: fiscalCalendar) else {
                error(.invalidDate(text), file, range)
                return nil
            }
            return start ? period.startDate : period.endDate
        default:
            return constantDate(node, file)
        }
    }

    func conjunction(_ filters: [Expr]) -> Expr? {
        guard var combined = filters.first else { return nil }
        for next in filters.dropFirst() {
            combined = Expr(.and(combined, next), type: .bool,
                            span: SourceSpan(file: combined.span.file, range: combined.span.range.union(next.span.range)))
        }
        return combined
    }

    func levels(_ word: Ident?, _ file: Int) -> (Int?, Bool) {
        guard let word else { return (nil, true) }
        if word.name == "all" { return (nil, true) }
        guard let count = Int(word.name), count >= 1, count <= 32 else {
            error(.invalidValue("number of levels", word.name, "1 to 32 or 'all'"), file, word.range)
            return (nil, false)
        }
        return (count, true)
    }

    func override(_ rateNode: ExprNode, _ creditName: Ident, _ levelWord: Ident?, _ thresholdNode: ExprNode?, _ file: Int,
                  _ range: SourceRange) -> ManagerOverride? {
        let rate = lower(rateNode, .period, file)
        let threshold = thresholdNode.flatMap { lower($0, .period, file) }
        guard let entry = symbols[creditName.name], case .credit(let index) = entry.symbol else {
            if knownBroken(creditName.name) { return nil }
            func candidates() -> [String] { names { if case .credit = $0 { true } else { false } } }
            if let other = symbols[creditName.name] {
                // Defined, but not a credit rule (`override 2% of bookings`, a measure): said as such.
                used.insert(creditName.name)
                let rules = candidates().sorted()
                error(.nameNotUsable(creditName.name, other.symbol.kindName, "in an override, which pays on a credit rule's credits"), file,
                      creditName.range,
                      hint: rules.isEmpty ? "declare a credit rule" : "name a credit rule: override … of \(rules.prefix(5).joined(separator: ", "))")
                return nil
            }
            error(.unknownName(creditName.name), file, creditName.range, hint: suggest(for: creditName.name, among: candidates()))
            return nil
        }
        used.insert(creditName.name)
        let (count, levelsOK) = levels(levelWord, file)
        guard let rate, thresholdNode == nil || threshold != nil, levelsOK, let rule = creditValue(index) else { return nil }
        if rate.type != .rate {
            error(.typeMismatch("an override rate must be a rate, found \(describe(rate.type))"), file, rateNode.range)
            return nil
        }
        if rule.type != .money(.fixed(currency)) {
            error(.moneyNotInPlanCurrency("overridden credits", describe(rule.type), currency.code), file, creditName.range)
            return nil
        }
        if let threshold, threshold.type != .bool {
            error(.typeMismatch("'when' needs a condition, found \(describe(threshold.type))"), file, thresholdNode?.range ?? range)
            return nil
        }
        // Overrides pay on the credits managers receive through the rule's roll-up: without one,
        // the override pays nothing, ever.
        if !rule.recipients.contains(where: \.kind.isManagers) {
            error(
                .neverApplies("credit rule '\(creditName.name)' has no 'to managers' line, so no manager is credited with the team's deals "
                    + "and this override pays nothing; add 'to managers 1 levels' (or more) to the rule"),
                file, creditName.range)
        }
        return ManagerOverride(rate: rate, creditRule: CreditRuleID(index), levels: levelWord == nil ? 1 : count,
                               threshold: threshold, span: span(file, range))
    }

    // MARK: Tables

    /// The first payee-period value `expr` reads (a measure, let, component, quota, input table,
    /// a rule's credits, or one a table's tier condition reads), with its name and where (for a
    /// table's condition: the table applied, and the table's name).
    func firstPeriodValue(in expr: Expr) -> (name: String, range: SourceRange, table: String?)? {
        func named(_ span: SourceSpan) -> String {
            guard span.file < sink.sources.count else { return "value" }
            let bytes = sink.sources[span.file].bytes
            let start = min(span.range.start, bytes.count)
            let end = min(max(start, span.range.end), bytes.count)
            let text = String(decoding: bytes[start..<end], as: UTF8.self)
            return String(text.prefix { $0 != "(" && $0 != " " })
        }
        switch expr.kind {
        case .measure, .derived, .component, .quota, .input, .applyTablePerTransaction:
            return (named(expr.span), expr.span.range, nil)
        case .applyTable(let id, _, _):
            if let table = tableValue(id.index) {
                for tier in table.tiers {
                    if let gate = tier.gate, let found = firstPeriodValue(in: gate) { return (found.name, expr.span.range, table.name) }
                }
            }
        default:
            break
        }
        for child in expr.children {
            if let found = firstPeriodValue(in: child) { return found }
        }
        return nil
    }

    func tableValue(_ index: Int) -> RateTable? {
        // Lowered once, wherever it is first used: a use inside an `if` does not guard it (it is
        // computed every period).
        let guarded = guardedBranches
        guardedBranches = 0
        defer { guardedBranches = guarded }
        let located = tableDecls[index]
        guard case .table(let name, let modeWord, let basisWord, let boundaryWord, let rows, _) = located.value.kind else { return nil }
        if poisoned.contains(name.name) { tableState[index] = .done(false) }
        if let done = enterNode(tableState[index], name.name, located.file, name.range) {
            return done ? tables[index] : nil
        }
        tableState[index] = .visiting
        beginNode(name.name)
        var result = table(name, modeWord, basisWord, boundaryWord, rows, located.file, located.value.range)
        if !endNode(name.name, located.file, name.range, failed: result == nil) { result = nil }
        tables[index] = result
        tableState[index] = .done(result != nil)
        return result
    }

    func table(_ name: Ident, _ modeWord: Ident, _ basisWord: Ident, _ boundaryWord: Ident?, _ rows: [TierRow], _ file: Int,
               _ range: SourceRange) -> RateTable? {
        var ok = true
        let modes = ["marginal", "retroactive", "per_transaction", "interpolated"]
        let mode = TableMode(rawValue: modeWord.name)
        if mode == nil {
            error(.invalidValue("table mode", modeWord.name, modes.joined(separator: ", ")), file, modeWord.range,
                  hint: suggest(for: modeWord.name, among: modes))
            ok = false
        }
        let basis = TierBasis(rawValue: basisWord.name)
        if basis == nil {
            error(.invalidValue("tier basis", basisWord.name, "'amount' or 'attainment'"), file, basisWord.range,
                  hint: suggest(for: basisWord.name, among: ["amount", "attainment"]))
            ok = false
        } else if basis == .attainment && mode == .perTransaction {
            // Each deal's credit is looked up on its own: a deal has no quota to be a share of
            // (it had failed at its use with "cannot compare money and rate").
            error(.invalidValue("tier basis of a per_transaction table", basisWord.name, "'amount' (each deal's credit is looked up)"),
                  file, basisWord.range)
            ok = false
        }
        var boundary = BoundaryRule.higherTier
        if let boundaryWord {
            if let parsed = BoundaryRule(rawValue: boundaryWord.name) {
                boundary = parsed
            } else {
                error(.invalidValue("boundary rule", boundaryWord.name, "'higher' or 'lower'"), file, boundaryWord.range,
                      hint: suggest(for: boundaryWord.name, among: ["higher", "lower"]))
                ok = false
            }
        }
        guard !rows.isEmpty else {
            error(.emptyTable, file, name.range, hint: "give it tiers, one per line: up to 10000 USD : 3%  …  10000 USD and above : 5%")
            return nil
        }
        var boundType: ValueType?
        var valueType: ValueType?
        var tiers: [Tier] = []
        var previousMisordered = false
        // Tiers not in ascending order of their lower bounds: the order error says it, and no gap
        // or overlap is reported in that table (they only followed from it).
        let lowers = rows.compactMap { row in row.lower.flatMap { literal($0, file, expecting: Self.tierValue) }.flatMap(numeric) }
        let unordered = zip(lowers, lowers.dropFirst()).contains { $0.0 > $0.1 }
        var highestLower: FixedDecimal? = nil
        for (position, row) in rows.enumerated() {
            let lower = row.lower.flatMap { literal($0, file, expecting: Self.tierValue) }
            let upper = row.upper.flatMap { literal($0, file, expecting: Self.tierValue) }
            let value = literal(row.value, file, expecting: Self.tierValue)
            let endValue = row.endValue.flatMap { literal($0, file, expecting: Self.tierValue) }
            if (row.lower != nil && lower == nil) || (row.upper != nil && upper == nil) || value == nil
                || (row.endValue != nil && endValue == nil)
            {
                ok = false
                continue
            }
            for (bound, node) in [(lower, row.lower), (upper, row.upper)] {
                guard let bound, let node else { continue }
                guard bound.type.isNumeric else {
                    error(.typeMismatch("tier bounds are numbers, found \(describe(bound.type))"), file, node.range)
                    ok = false
                    continue
                }
                if let current = boundType {
                    if let common = unify(current, bound.type) { boundType = common } else {
                        mismatch(current, bound.type, "mix tier bounds of", file, node.range)
                        ok = false
                    }
                } else {
                    boundType = bound.type
                }
            }
            for (candidate, node) in [(value, Optional(row.value)), (endValue, row.endValue)] {
                guard let candidate, let node else { continue }
                guard candidate.type == .rate || candidate.type == .count || candidate.type.isMoney else {
                    error(.typeMismatch("tier values are rates or amounts, found \(describe(candidate.type))"), file, node.range)
                    ok = false
                    continue
                }
                // A tier's count is paid as a rate: `: 3` had paid 300%. In a marginal or
                // per-transaction table (a rate on money) always; elsewhere beside tiers written as
                // percentages (a payout curve's `: 2`, on attainment or applied to it, is a
                // multiplier).
                let mixed = rows.contains { writtenAsPercentage($0.value) || $0.endValue.map(writtenAsPercentage) == true }
                if candidate.type == .count && (mode == .marginal || mode == .perTransaction || mixed)
                    && !refuseWholeNumbersAsRates(node, "as a tier rate", file)
                {
                    ok = false
                    continue
                }
                if let current = valueType {
                    if let common = unify(current, candidate.type) { valueType = common } else {
                        mismatch(current, candidate.type, "mix tier values of", file, node.range)
                        ok = false
                    }
                } else {
                    valueType = candidate.type == .count ? .rate : candidate.type
                }
            }
            if row.endValue != nil && mode != .interpolated && mode != nil {
                error(.typeMismatch("'->' end values are only for interpolated tables"), file, row.endValue?.range ?? row.range)
                ok = false
            } else if let endNode = row.endValue, row.lower == nil || row.upper == nil {
                // An open band has no far end to move towards: its end value was never paid.
                error(
                    .typeMismatch("'->' needs a band with two bounds to move across; an open tier ('up to', 'and above') pays one value"),
                    file, endNode.range)
                ok = false
            }
            // A tier out of order: no gap or overlap is reported beside it (they only followed
            // from it: tiers written in the wrong order had a bogus gap besides).
            var misordered = false
            if row.lower == nil && position != 0 {
                error(.tierOrder("only the first tier can be 'up to'"), file, row.range)
                ok = false
                misordered = true
            }
            if row.upper == nil && position != rows.count - 1 {
                error(.tierOrder("only the last tier can be 'and above'"), file, row.range)
                ok = false
                misordered = true
            }
            var gate: Expr?
            if let gateNode = row.gate {
                gate = self.lowerBeside(gateNode, .bool(true, gateNode.range), .period, file)
                if let g = gate, g.type != .bool {
                    error(.typeMismatch("a tier gate needs a condition, found \(describe(g.type))"), file, gateNode.range)
                    ok = false
                }
                if gate == nil { ok = false }
            }
            if let lower, let upper, unify(lower.type, upper.type) != nil, let lowerValue = numeric(lower),
                let upperValue = numeric(upper), lowerValue >= upperValue
            {
                error(.tierOrder("a tier's lower bound must be below its upper bound"), file, row.range)
                ok = false
                misordered = true
            }
            // A tier that starts below the one before it is out of order (two middle tiers
            // swapped had given gaps and an overlap, and no word of order).
            if let start = lower.flatMap(numeric) {
                if !misordered, let highest = highestLower, start < highest {
                    error(.tierOrder("tiers go in ascending order: this one starts below one before it"), file, row.range)
                    ok = false
                    misordered = true
                }
                highestLower = max(highestLower ?? start, start)
            }
            defer { previousMisordered = misordered }
            // Against the row just above only: when that one could not be read (its error is given),
            // a gap to the one before it is not real.
            if !unordered && !misordered && !previousMisordered, let previous = tiers.last, let previousUpper = previous.upper.flatMap(numeric),
                let start = lower.flatMap(numeric), let previousRow = rows[safe: position - 1], tiers.count == position
            {
                if start > previousUpper {
                    error(.tierGap(previous.upper?.description ?? "", lower?.description ?? ""), file, row.range,
                          hint: "start each tier where the one before it ends (… to \(previous.upper?.description ?? "X"), \(previous.upper?.description ?? "X") to …)",
                          notes: [("the previous tier ends here", file, previousRow.upper?.range ?? previousRow.range)])
                    ok = false
                } else if start < previousUpper {
                    // The overlap ends where the first of the two tiers does: a tier lying wholly
                    // inside the one before it (`up to 1000 USD`, then `-1000 USD to 0 USD`) had been
                    // said to overlap it up to 1000.
                    let ends = upper.flatMap(numeric).map { $0 < previousUpper } ?? false
                    let end = ends ? upper?.description ?? "" : previous.upper?.description ?? ""
                    error(.tierOverlap(lower?.description ?? "", end), file, row.range,
                          hint: ends ? "write the tiers in ascending order, each starting where the one before it ends" : nil,
                          notes: [("the previous tier ends here", file, previousRow.upper?.range ?? previousRow.range)])
                    ok = false
                }
            }
            if let value {
                tiers.append(Tier(lower: lower, upper: upper, value: value, endValue: endValue,
                                  gate: gate, span: span(file, row.range)))
            }
        }
        guard ok, let mode, let basis, let boundType, let valueType else { return nil }
        if basis == .attainment && boundType != .rate {
            error(.typeMismatch("attainment tiers are bounded by rates (percentages of quota), found \(describe(boundType))"), file,
                  rows[0].range)
            return nil
        }
        if (mode == .marginal || mode == .perTransaction) && valueType != .rate {
            error(.tableValueType(mode.rawValue), file, modeWord.range)
            return nil
        }
        if case .money(.fixed(let c)) = valueType, c.code != currency.code, currencySet {
            error(.moneyNotInPlanCurrency("tier amounts", describe(valueType), currency.code), file, rows[0].value.range)
            return nil
        }
        // Tiers of count bounds keep counts; mixed bounds were widened to rates.
        let finalTiers = tiers.map { tier -> Tier in
            var copy = tier
            if boundType == .rate {
                copy.lower = tier.lower.map(asRate)
                copy.upper = tier.upper.map(asRate)
            }
            if valueType == .rate {
                copy.value = asRate(tier.value)
                copy.endValue = tier.endValue.map(asRate)
            }
            return copy
        }
        return RateTable(name: name.name, mode: mode, basis: basis, boundary: boundary, boundType: boundType, valueType: valueType,
                         tiers: finalTiers, span: span(file, range))
    }

    func asRate(_ value: Value) -> Value {
        if case .count(let c) = value, let fixed = FixedDecimal(exactly: Int(c)) { return .rate(Rate(fixed)) }
        return value
    }

    // MARK: Eager declarations

    func lowerParameters() {
        parameters = Array(repeating: nil, count: paramDecls.count)
        for (index, located) in paramDecls.enumerated() {
            let (name, node) = located.value
            guard let (value, overridden) = lowerParameter(name, node, located.file) else {
                // A parameter that fails here has had its error: a use of it is not reported again.
                failedNames.insert(name.name)
                continue
            }
            parameters[index] = Parameter(name: name.name, type: value.type, value: value, overridden: overridden,
                                          span: span(located.file, name.range.union(node.range)))
        }
    }

    /// A parameter's value, its override applied (and whether there was one); `nil` after the
    /// error when either cannot be read.
    func lowerParameter(_ name: Ident, _ node: ExprNode, _ file: Int) -> (Value, overridden: Bool)? {
        guard let value = literal(node, file) else { return nil }
        guard let text = overrides[name.name] else { return (value, false) }
        // A bare number over 1 for a rate the plan writes as a percentage is most likely meant as
        // one: --param base_rate=4 for `base_rate = 3%` had silently paid 400%. Only when the plan
        // itself writes the rate as a percentage: a threshold declared as 1.2 is overridden as 1.5.
        if case .rate = value, case .percent = node, !text.contains("%"), let rate = try? Rate(parsing: text), rate > .one {
            error(
                .badOverride(name.name, "'\(text)' as a rate is \(rate.percentString); write '\(text)%' for \(text) percent, or '\(rate.percentString)' if that is meant"),
                file, name.range)
            return nil
        }
        // A text override may hold what a string of the plan may (a bidirectional override or an
        // escape sequence had passed from the command line into the run and its record).
        if case .text = value, let scalar = Self.forbiddenInString(text) {
            error(
                .badOverride(
                    name.name,
                    "the text holds \(codePoint(scalar)), a control, line-separator, bidirectional formatting or "
                        + "noncharacter that a string in a plan may not hold; remove it"),
                file, name.range)
            return nil
        }
        // An empty value (`--param base_rate=`) is said as one: "'' is not a rate:  is empty" had
        // named nothing twice.
        if text.allSatisfy({ $0 == " " }), let example = Self.overrideExample(like: value) {
            error(.badOverride(name.name, "the value is empty; give a \(describe(value.type)), like --param \(name.name)=\(example)"), file, name.range)
            return nil
        }
        guard let parsed = parseOverride(text, like: value) else {
            error(.badOverride(name.name, "'\(text)' is not a \(describe(value.type))" + overrideProblem(text, like: value)), file, name.range)
            return nil
        }
        return (parsed, true)
    }

    /// What is wrong with an override of a money, rate or count, after a colon (`1e5` is not plain
    /// notation, `99999999999999999999` is out of range: both had been only "not a money"); empty
    /// when there is no more to say.
    func overrideProblem(_ text: String, like value: Value) -> String {
        func words(_ number: Substring, _ error: DecimalParseError) -> String {
            switch error {
            case .outOfRange: return ": \(number) is out of range (at most ±\(FixedDecimal(units: .max)))"
            case .invalidCharacter: return ": \(number) is not a plain decimal, like 1234.56 or -80 (no exponent or thousands separator)"
            case .tooManyFractionDigits, .empty: return ": \(number) \(error)"
            }
        }
        switch value {
        case .money(let money):
            let parts = text.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 1 || parts.count == 2 else { return ": write an amount, and optionally its currency (like '150 \(money.currency.code)')" }
            if parts.count == 2 && String(parts[1]) != money.currency.code { return ": the parameter is in \(money.currency.code), not \(parts[1])" }
            do {
                // The most negative value has no positive twin: out of the range data files and
                // plan literals take (it had been taken as a parameter).
                if try FixedDecimal(parsing: parts[0]).units == .min { return words(parts[0], .outOfRange) }
            } catch {
                return words(parts[0], error)
            }
        case .rate:
            do {
                if try Rate(parsing: text).value.units == .min { return words(Substring(text), .outOfRange) }
            } catch {
                return words(Substring(text), error)
            }
        case .count:
            let digits = text.hasPrefix("-") ? text.dropFirst() : text[...]
            if !digits.isEmpty && digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
                return ": \(text) is out of range (at most ±\(Int64.max))"
            }
            return ": write a whole number, like 12"
        default: break
        }
        return ""
    }

    /// A value an override of a parameter like `value` could give, for a message; `nil` for a text
    /// (an empty text is a text).
    static func overrideExample(like value: Value) -> String? {
        switch value {
        case .money(let money): return "\"150 \(money.currency.code)\""
        case .rate: return "4%"
        case .count: return "12"
        case .date: return "2027-06-30"
        case .bool: return "true"
        case .text: return nil
        }
    }

    /// The first character of `text` that a plan's string may not hold (``Lexer``'s rules), if any.
    static func forbiddenInString(_ text: String) -> UInt32? {
        let bytes = Array(text.utf8)
        for index in bytes.indices {
            if Lexer.isControlInString(bytes[index]) || bytes[index] == UInt8(ascii: "\r") { return UInt32(bytes[index]) }
            if let (scalar, _) = Lexer.invisibleControl(bytes, at: index) { return scalar }
        }
        return nil
    }

    func parseOverride(_ text: String, like value: Value) -> Value? {
        let trimmed = text.split(separator: " ", omittingEmptySubsequences: true)
        switch value {
        case .money(let m):
            guard trimmed.count == 1 || trimmed.count == 2 else { return nil }
            if trimmed.count == 2 && String(trimmed[1]) != m.currency.code { return nil }
            guard let amount = try? FixedDecimal(parsing: trimmed[0]), amount.units != .min else { return nil }
            return .money(Money(amount, m.currency))
        case .rate:
            guard let rate = try? Rate(parsing: text), rate.value.units != .min else { return nil }
            return .rate(rate)
        case .count:
            return Int64(text).map { .count($0) }
        case .date:
            return CivilDate(parsing: text).map { .date($0) }
        case .text:
            // Written as in a plan (`--param region='"EMEA"'`) or bare (`--param region=EMEA`): the
            // quotes are not part of the text (kept, it had matched nothing).
            if text.count >= 2 && text.hasPrefix("\"") && text.hasSuffix("\"") {
                let inner = text.dropFirst().dropLast()
                guard !inner.contains("\"") && !inner.contains("\\") else { return nil }
                return .text(String(inner))
            }
            // A quote opened and not closed (`"EMEA`) is a typo, not a text to match.
            if text.hasPrefix("\"") || text.hasSuffix("\"") { return nil }
            return .text(text)
        case .bool:
            return text == "true" ? .bool(true) : (text == "false" ? .bool(false) : nil)
        }
    }

    func lowerInputs() {
        inputs = Array(repeating: nil, count: inputDecls.count)
        for (index, located) in inputDecls.enumerated() {
            guard case .input(let name, let fileNode, let columnNode, let typeWord) = located.value.kind,
                case .string(let fileText, _) = fileNode, case .string(let columnText, _) = columnNode,
                let type = typeNamed(typeWord, scope: .rep, file: located.file)
            else { continue }
            // A table holds one number per rep and period: a text, date or condition read as one
            // had compared as nothing, and the plan paid 0 without a word.
            switch type {
            case .count, .rate, .money: break
            default:
                error(
                    .invalidValue("input type", typeWord.name, "count, rate or money: an input table holds a number per rep and period"),
                    located.file, typeWord.range)
                continue
            }
            let file = unquote(fileText)
            // An input table is a file of the data directory: a plan must not reach outside it.
            if file.isEmpty || file.hasPrefix("/") || file.split(separator: "/", omittingEmptySubsequences: false).contains("..") {
                error(
                    .invalidValue("input file", file, "a file name inside the data directory (no leading /, no ..)"),
                    located.file, located.value.range)
                continue
            }
            // A header names no column "" (and the XML form, which requires text, refused it).
            if unquote(columnText).isEmpty {
                error(.emptyText("input column", fix: "write the name of the file's column to read"), located.file, columnNode.range)
                continue
            }
            inputs[index] = InputTable(name: name.name, file: file, column: unquote(columnText), type: type,
                                       span: span(located.file, located.value.range))
        }
    }

    func lowerCredits() {
        creditRules = Array(repeating: nil, count: creditDecls.count)
        let moneyType = ValueType.money(.fixed(currency))
        for (index, located) in creditDecls.enumerated() {
            guard case .credit(let name, let lines, _) = located.value.kind else { continue }
            // A rule with a line that could not be read is still checked line by line (a typo in
            // one line had hidden the type errors of the others), but not made: its other uses
            // are not reported again, and a line it lacks may be the one that failed.
            let checkOnly = poisoned.contains(name.name)
            let file = located.file
            var filters: [Expr] = []
            var amount: Expr?
            var weight: Expr?
            var recipients: [CreditRecipient] = []
            // Recipient kinds written so far: the same ones twice credit them twice (`to managers 2
            // levels` and `to managers all levels` had doubled every manager's credit and override).
            var recipientWords = Set<String>()
            var ok = singleLines(lines, ["amount", "weight"], file)
            for line in lines {
                switch line.keyword.name {
                case "where", "amount", "weight":
                    // What the line needs, for an undeclared column's hint: a condition or a number.
                    let range = line.exprs[0].range
                    let needed: ExprNode = line.keyword.name == "where"
                        ? .bool(true, range) : line.keyword.name == "amount" ? .money("1", Ident(name: "USD", range: range), range) : .percent("1%", range)
                    guard let expr = lowerBeside(line.exprs[0], needed, .transaction, file) else {
                        ok = false
                        continue
                    }
                    if line.keyword.name == "where" {
                        if expr.type != .bool {
                            error(.typeMismatch("'where' needs a condition, found \(describe(expr.type))"), file, line.exprs[0].range)
                            ok = false
                        }
                        filters.append(expr)
                    } else if line.keyword.name == "amount" {
                        if expr.type == .money(.transaction) {
                            error(.currencyMismatch(describe(expr.type), describe(moneyType), "credit"), file, line.exprs[0].range,
                                  hint: "convert transaction amounts with fx(txn.amount)")
                            ok = false
                        } else if expr.type != moneyType && expr.type != .count {
                            error(.moneyNotInPlanCurrency("a credit amount", describe(expr.type), currency.code), file, line.exprs[0].range,
                                  hint: "credits are money in the plan currency or counts")
                            ok = false
                        }
                        amount = expr
                    } else {
                        if expr.type != .rate && expr.type != .count {
                            error(.typeMismatch("a weight must be a rate, found \(describe(expr.type))"), file, line.exprs[0].range)
                            ok = false
                        } else if expr.type == .count, !refuseWholeNumbersAsRates(line.exprs[0], "as a weight", file, atLeast: 5) {
                            // `weight 2` doubles a deal's credit; `weight 50` is 50% written without its `%`.
                            ok = false
                        }
                        weight = expr
                    }
                case "to":
                    let who = line.words[0]
                    let at = span(file, line.range)
                    if !recipientWords.insert(who.name).inserted {
                        error(.duplicateSetting("to \(who.name)"), file, line.range)
                        ok = false
                        continue
                    }
                    switch who.name {
                    case "rep": recipients.append(CreditRecipient(kind: .rep, span: at))
                    case "splits": recipients.append(CreditRecipient(kind: .splits(overlay: line.words.count > 1), span: at))
                    case "managers":
                        let (count, levelsOK) = levels(line.words[1], file)
                        if levelsOK { recipients.append(CreditRecipient(kind: .managers(levels: count), span: at)) } else { ok = false }
                    default:
                        error(.invalidValue("recipient", who.name, "'rep', 'splits' or 'managers'"), file, who.range,
                              hint: suggest(for: who.name, among: ["rep", "splits", "managers"]))
                        ok = false
                    }
                default: break
                }
            }
            if recipientWords.contains("rep") && recipientWords.contains("splits"),
                let line = lines.first(where: { $0.keyword.name == "to" && $0.words.first?.name == "splits" })
            {
                error(.repAndSplits(overlay: recipients.contains { $0.kind == .splits(overlay: true) }), file, line.range)
            }
            if checkOnly { continue }
            if !lines.contains(where: { $0.keyword.name == "amount" }) { error(.missingSetting("amount"), file, name.range) }
            guard ok, let amount else {
                // Its error is said; the rule still stands for what reads it, as money of the plan
                // (or the count it is), so that a measure of it and the components above it are
                // checked too: one mistake in a credit rule had hidden every later one. (A plan
                // with an error is never run.)
                // Only when its amount was read (its type is then known, or is the plan's money it
                // was meant to be converted to): an amount that could not be read at all leaves the
                // rule unknown, and what reads it unchecked, as before (a count rule stood in as
                // money had made `units * 10 USD` a false error).
                // (Money of another currency, or a transaction's, was meant as the plan's; a rate, a
                // text or a date is no amount at all.)
                let type = amount.flatMap { $0.type == .count ? ValueType.count : ($0.type.isMoney ? moneyType : nil) }
                if let type, let zero = zero(type) {
                    let at = span(file, name.range)
                    creditRules[index] = CreditRule(
                        name: name.name, filter: nil, amount: Expr(.literal(zero), type: type, span: at), weight: nil,
                        recipients: recipients.isEmpty ? [CreditRecipient(kind: .rep, span: at)] : recipients, type: type,
                        span: span(file, located.value.range))
                } else {
                    failedNames.insert(name.name)
                }
                continue
            }
            // A count weighted by a rate, or shared out by splits.csv's shares, is a whole number no
            // more: count × rate is a rate, and its measures round to 6 digits, not 0 (3 units at
            // 50% had summed to 1.5 and been paid as 2).
            var type = amount.type
            let shared = recipients.contains(where: \.kind.isSplits)
            if type == .count && (weight?.type == .rate || shared) { type = .rate }
            creditRules[index] = CreditRule(name: name.name, filter: conjunction(filters), amount: amount, weight: weight,
                                            recipients: recipients.isEmpty ? [CreditRecipient(kind: .rep, span: span(file, name.range))] : recipients,
                                            type: type,
                                            span: span(file, located.value.range))
        }
    }

    func lowerMeasures() {
        measures = Array(repeating: nil, count: measureDecls.count)
        for (index, located) in measureDecls.enumerated() {
            guard case .measure(let name, let aggregationWord, let creditName, let windowWord, let clause) = located.value.kind else { continue }
            let file = located.file
            let aggregations = ["sum", "count", "min", "max", "avg"]
            guard let aggregation = Aggregation(rawValue: aggregationWord.name) else {
                error(.invalidValue("aggregation", aggregationWord.name, aggregations.joined(separator: ", ")), file, aggregationWord.range,
                      hint: suggest(for: aggregationWord.name, among: aggregations))
                continue
            }
            var window = MeasureWindow.period
            if let windowWord {
                guard let parsed = MeasureWindow(rawValue: windowWord.name) else {
                    error(.invalidValue("measure window", windowWord.name, "'period', 'qtd' or 'ytd'"), file, windowWord.range,
                          hint: suggest(for: windowWord.name, among: ["period", "qtd", "ytd"]))
                    continue
                }
                window = parsed
                // A year holds several quarters: "to date" from which one?
                if window == .quarterToDate && periodKind == .year {
                    error(
                        .invalidValue("measure window of a yearly plan", windowWord.name, "'period' or 'ytd' (a year holds four quarters)"),
                        file, windowWord.range)
                    // Checked on as a period measure: its credit rule is used.
                    window = .period
                }
            }
            guard let entry = symbols[creditName.name], case .credit(let creditIndex) = entry.symbol else {
                func candidates() -> [String] { names { if case .credit = $0 { true } else { false } } }
                if knownBroken(creditName.name) {
                    continue
                } else if let entry = symbols[creditName.name] {
                    error(.nameNotUsable(creditName.name, entry.symbol.kindName, "in a measure; aggregate a credit rule"), file, creditName.range)
                } else {
                    error(.unknownName(creditName.name), file, creditName.range, hint: suggest(for: creditName.name, among: candidates()))
                }
                continue
            }
            used.insert(creditName.name)
            guard let rule = creditValue(creditIndex) else { continue }
            var type = rule.type
            if aggregation == .count { type = .count }
            if aggregation == .avg && type == .count { type = .rate }
            measures[index] = Measure(name: name.name, aggregation: aggregation, creditRule: CreditRuleID(creditIndex), window: window,
                                      type: type, rounding: roundingRule(clause, type: type, file: file),
                                      span: span(file, located.value.range))
        }
    }

    /// The period kind a quota is written for (`month`, `quarter`, `year`), reported when it is
    /// none, or shorter than the plan's period: a quarterly plan has no month to read a month's
    /// quota for (the quarter's row had been read instead, silently).
    func quotaPeriod(_ text: String, _ file: Int, _ range: SourceRange) -> PeriodKind? {
        guard let kind = PeriodKind(rawValue: text) else {
            error(.invalidValue("quota period", text, "month, quarter or year"), file, range)
            return nil
        }
        if kind < periodKind {
            error(.invalidValue("quota period", text, "the plan's period (\(periodKind.rawValue)) or longer"), file, range)
            return nil
        }
        return kind
    }

    func collectQuotaDeclarations(_ decls: [Decl], file: Int) {
        for decl in decls {
            guard case .quota(let measure, let periodWord, let prorateWord) = decl.kind else { continue }
            guard let entry = symbols[measure.name], case .measure = entry.symbol else {
                error(.unknownName(measure.name), file, measure.range,
                      hint: suggest(for: measure.name, among: measureDecls.compactMap { decl -> String? in
                          if case .measure(let n, _, _, _, _) = decl.value.kind { return n.name }
                          return nil
                      }))
                continue
            }
            var kind = periodKind
            if let periodWord {
                guard let parsed = quotaPeriod(periodWord.name, file, periodWord.range) else { continue }
                kind = parsed
            }
            var proration = QuotaProration.actualDays
            if let prorateWord {
                guard let parsed = QuotaProration(rawValue: prorateWord.name) else {
                    error(.invalidValue("proration", prorateWord.name, "'actual_days' or 'none'"), file, prorateWord.range,
                          hint: suggest(for: prorateWord.name, among: ["actual_days", "none"]))
                    continue
                }
                proration = parsed
            }
            if quotaDecls[measure.name]?[kind] != nil {
                error(.duplicateSetting("quota \(measure.name)"), file, decl.keyword.range)
                continue
            }
            quotaDecls[measure.name, default: [:]][kind] = (proration, file, decl.range)
        }
    }

    func target(_ word: Ident, _ file: Int) -> LimitTarget? {
        if word.name == "total" { return .total }
        guard let entry = symbols[word.name], case .component(let index) = entry.symbol else {
            if knownBroken(word.name) { return nil }
            func candidates() -> [String] { ["total"] + names { if case .component = $0 { true } else { false } } }
            if let other = symbols[word.name] {
                // Defined, but not a component (`cap sales`, a credit rule): said as such.
                used.insert(word.name)
                error(.nameNotUsable(word.name, other.symbol.kindName, "as what a cap, floor or holdback bounds"), file, word.range,
                      hint: "name a component or 'total': \(candidates().prefix(6).joined(separator: ", "))")
                return nil
            }
            error(.unknownName(word.name), file, word.range, hint: suggest(for: word.name, among: candidates()))
            return nil
        }
        used.insert(word.name)
        return .component(ComponentID(index))
    }

    /// The most payout periods of the plan that one fiscal year holds inside its effective dates
    /// (12 months, 4 quarters or 1 year for a plan without an end; fewer for one that covers part
    /// of a year only). A yearly floor applies in every such year: it is topped up in the year's
    /// last period, or in the plan's last one when the plan ends first.
    func mostPeriodsInAFiscalYear() -> Int64 {
        let full: Int64 = periodKind == .month ? 12 : periodKind == .quarter ? 4 : 1
        guard let effective, let end = effective.end else { return full }
        let first = effective.start.monthNumber
        let last = end.monthNumber
        var most: Int64 = 0
        var yearStart = fiscalCalendar.fiscalYearStart(containing: first)
        while yearStart <= last && most < full {
            let low = max(yearStart, first)
            let high = min(yearStart + 11, last)
            if low <= high {
                switch periodKind {
                case .month: most = max(most, Int64(high - low + 1))
                case .quarter: most = max(most, Int64((high - yearStart) / 3 - (low - yearStart) / 3 + 1))
                case .year: most = max(most, 1)
                }
            }
            yearStart += 12
        }
        return max(1, min(full, most))
    }

    /// What a tier's bound or value can be, for the hint an unknown name gets there.
    static let tierValue = "a number such as 5%, 0.05 or 150 USD"

    /// A constant rate; a share (`share: true`) must be more than 0% and at most 100%: a holdback
    /// of 200% withheld twice the pay, and one of -50% paid 150% and took it back later.
    func constantRate(_ node: ExprNode, _ file: Int, _ what: String, share: Bool = false) -> Rate? {
        guard let value = literal(node, file, expecting: share ? "a share such as 50%" : "a rate such as 5% or 0.05") else { return nil }
        switch value {
        case .rate(let rate):
            if share && (rate <= .zero || rate > .one) {
                let setting = what.hasPrefix("a ") ? String(what.dropFirst(2)) : what
                error(.invalidValue(setting, shown(node), "a share above 0% and at most 100%"), file, node.range)
                return nil
            }
            return rate
        default:
            error(.typeMismatch("\(what) must be a rate, found \(describe(value.type))"), file, node.range)
            return nil
        }
    }

    func lowerPayoutRules(_ decls: [Decl], file: Int) {
        let moneyType = ValueType.money(.fixed(currency))
        for decl in decls {
            switch decl.kind {
            case .limit(let kindWord, let targetWord, let amountNode, let perWord):
                let target = self.target(targetWord, file)
                let amount = lower(amountNode, .period, file)
                var per = LimitPeriod.period
                if let perWord {
                    if let parsed = LimitPeriod(rawValue: perWord.name) { per = parsed } else {
                        error(.invalidValue("limit period", perWord.name, "'period' or 'year'"), file, perWord.range,
                              hint: suggest(for: perWord.name, among: ["period", "year"]))
                        continue
                    }
                }
                guard let target, let amount else { continue }
                guard amount.type == moneyType else {
                    error(.moneyNotInPlanCurrency("a \(kindWord.name)", describe(amount.type), currency.code), file, amountNode.range,
                          hint: moneyHint(for: amountNode, beside: moneyType))
                    continue
                }
                let kind: LimitKind = kindWord.name == "cap" ? .cap : .floor
                // A constant floor above a constant cap of the same target and period: no amount
                // meets both (a cap of -100 with a floor of 100 paid the floor everywhere).
                // Checked against the tightest earlier limit of the other kind (the lowest cap, the
                // highest floor): a limit contradicts some earlier one exactly when it contradicts
                // that one, and comparing every pair was quadratic in the number of limits.
                let here = span(file, decl.range)
                // A parameter is a constant of the run (with its `--param` value, when given).
                if let value = constantNumber(amount, folding: true) {
                    let key = LimitBoundKey(target: target, per: per)
                    var bounds = constantLimitBounds[key] ?? LimitBounds()
                    let opposite = kind == .floor ? bounds.lowestCap : bounds.highestFloor
                    if let (otherValue, otherSpan) = opposite {
                        let (floor, cap) = kind == .floor ? (value, otherValue) : (otherValue, value)
                        if floor > cap {
                            error(
                                .limitsContradict(targetWord.name, floor: "\(floor) \(currency.code)", cap: "\(cap) \(currency.code)"), file,
                                decl.range, notes: [("the other limit", otherSpan.file, otherSpan.range)])
                        }
                    }
                    // Across periods: a floor per period adds up, over a year, past a yearly cap
                    // (once the year's cap is used up, the floor is not paid: caps win), or a
                    // yearly floor needs more than the cap per period lets a year pay.
                    let periodsPerYear = mostPeriodsInAFiscalYear()
                    let otherPer: LimitPeriod = per == .period ? .year : .period
                    let otherBounds = constantLimitBounds[LimitBoundKey(target: target, per: otherPer)] ?? LimitBounds()
                    if periodsPerYear > 0, let (otherValue, otherSpan) = kind == .floor ? otherBounds.lowestCap : otherBounds.highestFloor,
                        let yearly = try? (per == .period ? value : otherValue).multiplied(by: periodsPerYear)
                    {
                        let perPeriod = per == .period ? value : otherValue
                        let (floor, cap): (String, String)
                        let contradicts: Bool
                        let spread = "\(perPeriod) \(currency.code) per period, \(yearly) \(currency.code) in a year of \(periodsPerYear) periods"
                        if (kind == .floor) == (per == .period) {
                            // A floor per period against a yearly cap.
                            let yearCap = per == .period ? otherValue : value
                            contradicts = yearly > yearCap
                            (floor, cap) = (spread, "\(yearCap) \(currency.code) per year")
                        } else {
                            // A cap per period against a yearly floor.
                            let yearFloor = per == .period ? otherValue : value
                            contradicts = yearly < yearFloor
                            (floor, cap) = ("\(yearFloor) \(currency.code) per year", spread)
                        }
                        if contradicts {
                            error(
                                .limitsContradict(targetWord.name, floor: floor, cap: cap), file, decl.range,
                                notes: [("the other limit", otherSpan.file, otherSpan.range)])
                        }
                    }
                    if kind == .cap, bounds.lowestCap.map({ value < $0.0 }) ?? true { bounds.lowestCap = (value, here) }
                    if kind == .floor, bounds.highestFloor.map({ value > $0.0 }) ?? true { bounds.highestFloor = (value, here) }
                    constantLimitBounds[key] = bounds
                }
                limits.append(Limit(kind: kind, target: target, amount: amount, per: per, span: here))
            case .draw(let name, let lines, _):
                draw(name, lines, file, decl.range)
            case .clawback(let lines, _):
                if clawback != nil {
                    error(.duplicateSetting("clawback"), file, decl.keyword.range)
                    continue
                }
                var charge = ClawbackCharge.reversalPeriod
                var share = Rate.one
                var window: Int?
                var ok = singleLines(lines, ["charge", "share", "window"], file)
                for line in lines {
                    switch line.keyword.name {
                    case "charge":
                        if let parsed = ClawbackCharge(rawValue: line.words[0].name) { charge = parsed } else {
                            error(.invalidValue("clawback charge", line.words[0].name, "'reversal_period' or 'original_period'"), file,
                                  line.words[0].range, hint: suggest(for: line.words[0].name, among: ["reversal_period", "original_period"]))
                            ok = false
                        }
                    case "share":
                        if let rate = constantRate(line.exprs[0], file, "a clawback share", share: true) { share = rate } else { ok = false }
                    case "window":
                        // No value: its error has been given (a refused parameter, an unknown name).
                        guard let value = literal(line.exprs[0], file, expecting: "a number of days such as 90") else {
                            ok = false
                            continue
                        }
                        if case .count(let days) = value, days > 0 { window = Int(days) } else {
                            error(.invalidValue("clawback window", shown(line.exprs[0]), "a positive number of days"), file, line.exprs[0].range)
                            ok = false
                        }
                    default: break
                    }
                }
                // `share` and `window` shape a charge-back; under `reversal_period` a reversal is an
                // ordinary negative credit, charged whole whenever it comes: they would be ignored
                // (a share of 100% says just that).
                if ok && charge == .reversalPeriod {
                    for line in lines where (line.keyword.name == "share" && share != .one) || line.keyword.name == "window" {
                        error(.clawbackNeedsOriginalPeriod(line.keyword.name), file, line.keyword.range)
                        ok = false
                    }
                }
                if ok { clawback = ClawbackPolicy(charge: charge, share: share, windowDays: window, span: span(file, decl.range)) }
            case .holdback(let shareNode, let targetWord, let releaseWord):
                let share = constantRate(shareNode, file, "a holdback share", share: true)
                let target = self.target(targetWord, file)
                let release = HoldbackRelease(rawValue: releaseWord.name)
                if release == nil {
                    error(.invalidValue("release", releaseWord.name, "'quarter_end' or 'year_end'"), file, releaseWord.range,
                          hint: suggest(for: releaseWord.name, among: ["quarter_end", "year_end"]))
                }
                guard let share, let target, let release else { continue }
                holdbacks.append(Holdback(share: share, target: target, release: release, span: span(file, decl.range)))
            default:
                break
            }
        }
    }

    /// Reports each of `keywords` set on more than one line of a block (the last one had silently
    /// won); false when one was.
    func singleLines(_ lines: [BlockLine], _ keywords: Set<String>, _ file: Int) -> Bool {
        var first: [String: SourceRange] = [:]
        var ok = true
        for line in lines where keywords.contains(line.keyword.name) {
            if let earlier = first[line.keyword.name] {
                error(.duplicateSetting(line.keyword.name), file, line.keyword.range, notes: [("first set here", file, earlier)])
                ok = false
            } else {
                first[line.keyword.name] = line.keyword.range
            }
        }
        return ok
    }

    func draw(_ name: Ident, _ lines: [BlockLine], _ file: Int, _ range: SourceRange) {
        let moneyType = ValueType.money(.fixed(currency))
        var kind: DrawKind?
        var amount: Expr?
        var start: Period?
        var end: Period?
        var recoveryStart: Period?
        var recoveryLimit: RecoveryLimit?
        var ok = singleLines(lines, ["type", "amount", "periods", "recovery_start", "recovery_max"], file)
        for line in lines {
            switch line.keyword.name {
            case "type":
                let kinds = ["recoverable", "recoverable_guarantee", "non_recoverable_guarantee"]
                if let parsed = DrawKind(rawValue: line.words[0].name) { kind = parsed } else {
                    error(.invalidValue("draw type", line.words[0].name, kinds.joined(separator: ", ")), file, line.words[0].range,
                          hint: suggest(for: line.words[0].name, among: kinds))
                    ok = false
                }
            case "amount":
                guard let expr = lower(line.exprs[0], .period, file) else {
                    ok = false
                    continue
                }
                if expr.type != moneyType {
                    error(.moneyNotInPlanCurrency("a draw amount", describe(expr.type), currency.code), file, line.exprs[0].range,
                          hint: moneyHint(for: line.exprs[0], beside: moneyType))
                    ok = false
                } else if constantNumber(expr).map({ $0 <= .zero }) ?? false {
                    // A draw advances money to the rep: one of -3,000 charged the rep every period.
                    error(.invalidValue("draw amount", shown(line.exprs[0]), "an amount above zero"), file, line.exprs[0].range)
                    ok = false
                }
                amount = expr
            case "periods":
                start = constantPeriod(line.exprs[0], file)
                if line.exprs.count > 1 { end = constantPeriod(line.exprs[1], file) }
                if start == nil || (line.exprs.count > 1 && end == nil) { ok = false }
                if let start, let end, end < start {
                    error(.rangeReversed("the draw's last period is before its first"), file, line.range)
                    ok = false
                }
            case "recovery_start":
                recoveryStart = constantPeriod(line.exprs[0], file)
                if recoveryStart == nil { ok = false }
            case "recovery_max":
                guard let expr = lower(line.exprs[0], .period, file) else {
                    ok = false
                    continue
                }
                if expr.type == .rate {
                    recoveryLimit = .share(expr)
                } else if expr.type == moneyType {
                    recoveryLimit = .amount(expr)
                } else {
                    error(.typeMismatch("'recovery_max' is a share of earnings or money in \(currency.code), found \(describe(expr.type))"),
                          file, line.exprs[0].range)
                    ok = false
                }
            default: break
            }
        }
        let keywords = Set(lines.map(\.keyword.name))
        if !keywords.contains("type") {
            error(.missingSetting("type"), file, name.range, hint: "add a line 'type recoverable' (or recoverable_guarantee, non_recoverable_guarantee)")
        }
        if !keywords.contains("amount") {
            error(.missingSetting("amount"), file, name.range, hint: "add a line 'amount 1000 USD': what is advanced, or guaranteed, per period")
        }
        guard ok, let kind, let amount else { return }
        if kind == .nonRecoverableGuarantee && (recoveryStart != nil || recoveryLimit != nil) {
            error(.typeMismatch("a non-recoverable guarantee is never recovered; remove 'recovery_start' and 'recovery_max'"), file, name.range)
            return
        }
        // A recoverable draw recovers nothing while it pays: a recovery start inside its periods
        // waited silently for their end (or, with no end, for ever).
        if kind == .recoverable, let recoveryStart, start.map({ $0 <= recoveryStart }) ?? true, end.map({ recoveryStart <= $0 }) ?? true,
            let line = lines.first(where: { $0.keyword.name == "recovery_start" })
        {
            let paid = start.map { first in end.map { "\(first) to \($0)" } ?? "from \(first) on" } ?? "every period"
            let starts = end.map { "recovery starts after \($0)" } ?? "nothing is ever recovered"
            error(
                .neverApplies("recovery_start \(recoveryStart) is inside the draw's periods (\(paid)): nothing is recovered while the draw pays, so \(starts)"),
                file, line.range)
        }
        draws.append(Draw(name: name.name, kind: kind, amount: amount, start: start, end: end, recoveryStart: recoveryStart,
                          recoveryLimit: recoveryLimit, span: span(file, range)))
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
