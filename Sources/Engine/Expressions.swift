import CompCore
import Ledger
import PlanModel

extension PlanEvaluation {
    /// Evaluates an expression in a payee-period context, or a transaction context when
    /// `context.row` is set. Exact throughout; only `divide` and `round` round, by their rules.
    func eval(_ expr: Expr, _ context: Context) throws -> EvalValue {
        switch expr.kind {
        case .literal(let value):
            return EvalValue(value)
        case .parameter(let id):
            return EvalValue(plan.parameters[id.index].value)
        case .attribute(let id):
            if let pinnedAttribute, pinnedAttribute.id == id.index { return pinnedAttribute.value }
            return try attribute(plan.attributes[id.index], context, expr.span)
        case .input(let id):
            let input = plan.inputs[id.index]
            guard let table = inputs[input.name],
                let value = table.value(rep: payees[payee], period: periods[periodIndex])
            else {
                // Rows for the rep written for periods of another length (a month's score for a
                // quarterly plan): read as no value, and said so (they had passed without a word).
                let period = periods[periodIndex]
                let others = inputs[input.name]?.otherLengths(rep: payees[payee], than: period) ?? []
                let hint = others.isEmpty
                    ? ""
                    : "; it has \(others.prefix(3).map(\.description).joined(separator: ", "))\(others.count > 3 ? ", …" : ""), "
                        + "but this plan's periods are \(period.kind.rawValue)s "
                        + "(write \(period))"
                throw failure("no \(input.column) in \(input.file) for this rep and period" + hint, what: "input \(input.name)", span: expr.span)
            }
            // Said on the line of the formula that read it (the score behind an MBO bonus).
            if !restating, let slot = noteSlot {
                let text = "\(input.name) \(value) (\(input.file) line \(table.line(rep: payees[payee], period: periods[periodIndex]) ?? 0))"
                if !notes[slot].inputs.contains(text) { notes[slot].inputs.append(text) }
            }
            return .number(WideDecimal(value))
        case .measure(let id):
            return try value(of: .measure(id), context)
        case .derived(let id):
            let value = try value(of: .derived(id), context)
            noteTablesOfLet(id.index)
            return value
        case .component(let id):
            return try value(of: .component(id), context)
        case .quota(let id):
            if let known = quotaMemo[id.index] { return known }
            let value = try quota(plan.quotas[id.index], code: quotaCodes[id.index], context, expr.span)
            quotaMemo[id.index] = value
            return value
        case .negate(let operand):
            guard case .number(let value) = try eval(operand, context) else { return .missing }
            return .number(try value.negated())
        case .arithmetic(let op, let left, let right):
            guard case .number(let a) = try eval(left, context), case .number(let b) = try eval(right, context) else {
                return .missing
            }
            switch op {
            case .add: return .number(try Exact.add(a, b))
            case .subtract: return .number(try Exact.subtract(a, b))
            case .multiply: return .number(try Exact.multiply(a, b))
            }
        case .divide(let left, let right, let rule):
            guard case .number(let a) = try eval(left, context), case .number(let b) = try eval(right, context) else {
                return .missing
            }
            if b.value == 0 {
                throw failure("division by zero (\(zeroDivisorHint(right, context)))", what: evaluatingName, span: expr.span)
            }
            return .number(try Exact.trim(a).divided(by: Exact.trim(b), scale: rule.digits, rounding: rule.mode))
        case .compare(let op, let left, let right):
            return comparison(op, try evalDeciding(left, context), try evalDeciding(right, context))
        case .and(let left, let right):
            guard try eval(left, context) == .bool(true) else { return .bool(false) }
            return .bool(try eval(right, context) == .bool(true))
        case .or(let left, let right):
            if try eval(left, context) == .bool(true) { return .bool(true) }
            return .bool(try eval(right, context) == .bool(true))
        case .not(let operand):
            return .bool(try eval(operand, context) != .bool(true))
        case .member(let subject, let list):
            let value = try evalDeciding(subject, context)
            for candidate in list where compare(value, try evalDeciding(candidate, context)) == 0 { return .bool(true) }
            return .bool(false)
        case .inRange(let subject, let lower, let upper):
            let value = try evalDeciding(subject, context)
            guard let low = compare(value, try evalDeciding(lower, context)), let high = compare(value, try evalDeciding(upper, context)) else {
                return .bool(false)
            }
            return .bool(low >= 0 && high <= 0)
        case .conditional(let condition, let then, let otherwise):
            return try eval(condition, context) == .bool(true) ? eval(then, context) : eval(otherwise, context)
        case .match(let subject, let arms, let otherwise):
            let value = try evalDeciding(subject, context)
            for arm in arms where arm.patterns.contains(where: { compare(value, EvalValue($0)) == 0 }) {
                return try eval(arm.result, context)
            }
            return try eval(otherwise, context)
        case .call(let builtin, let arguments):
            let values = try arguments.map { try eval($0, context) }
            var numbers: [WideDecimal] = []
            for value in values {
                guard case .number(let number) = value else { return .missing }
                numbers.append(number)
            }
            guard let first = numbers.first else { return .missing }
            switch builtin {
            case .min: return .number(numbers.dropFirst().reduce(first) { $1 < $0 ? $1 : $0 })
            case .max: return .number(numbers.dropFirst().reduce(first) { $1 > $0 ? $1 : $0 })
            case .abs: return .number(first.signum < 0 ? try first.negated() : first)
            }
        case .round(let operand, let rule):
            return rounded(try eval(operand, context), rule)
        case .convert(let operand, _):
            guard case .number(let amount) = try eval(operand, context) else { return .missing }
            guard let row = context.row else { throw failure("fx() needs a transaction", span: expr.span) }
            // A reversal's size (its deal's amount) is converted as its deal's, anything else at
            // its own row (``dealSized(_:row:)``).
            let rate = context.deal != nil && readsTransactionAmount(operand) ? (context.deal ?? row) : row
            return .number(try convertToPlan(amount, row: rate))
        case .applyTable(let id, let valueExpr, let quotaExpr):
            guard case .number(let value) = try eval(valueExpr, context) else { return .missing }
            var quota: WideDecimal? = nil
            if let quotaExpr {
                guard case .number(let q) = try eval(quotaExpr, context) else { return .missing }
                // Bands that are fractions of a quota of 0 all collapse to 0: every amount had sat
                // past the last one and paid the top rate (an accelerator on every deal). Placing
                // a value against a quota divides by it, as `bookings / quota(…)` does: stopped alike.
                if q.value == 0 && plan.tables[id.index].basis == .attainment {
                    throw failure(
                        "division by zero: table \(plan.tables[id.index].name) is on attainment, so it places the value against "
                            + "bands that are fractions of the quota, and the quota is 0 (\(zeroDivisorHint(quotaExpr, context)))",
                        what: evaluatingName, span: expr.span)
                }
                quota = q
            }
            return .number(try applyTable(id, value: value, quota: quota, context, valueIsRate: valueExpr.type == .rate && quotaExpr == nil))
        case .applyTablePerTransaction(let id, let rule):
            // The line's trace sums up what each credit paid at each tier (`3% on 12000.00 USD + 6%
            // on 4000.00 USD`): rate × base still gives the amount.
            let noting = noteSlot != nil && !restating && perTransactionTally == nil
            if noting { perTransactionTally = PerTransactionTally(table: id.index, tiers: plan.tables[id.index].tiers.count) }
            defer { if noting { perTransactionTally = nil } }
            var total = WideDecimal.zero
            for credit in try creditGroup(rule.index, payee, periodIndex) {
                total = try Exact.add(total, applyTable(id, value: credit.value, quota: nil, context, forcing: .marginal))
                if noting {
                    perTransactionTally?.credits += 1
                    if let sum = perTransactionTally?.total { perTransactionTally?.total = try Exact.add(sum, credit.value) }
                }
            }
            if noting, let tally = perTransactionTally { notePerTransaction(id, tally, ruleName: plan.creditRules[rule.index].name) }
            return .number(total)
        case .graduated(let valueExpr, let floorExpr, let stepExpr, let perStepExpr, let ceilingExpr):
            guard case .number(var value) = try eval(valueExpr, context), case .number(let floor) = try eval(floorExpr, context),
                case .number(let step) = try eval(stepExpr, context), case .number(let perStep) = try eval(perStepExpr, context)
            else { return .missing }
            if let ceilingExpr, case .number(let ceiling) = try eval(ceilingExpr, context), value > ceiling { value = ceiling }
            guard value > floor else { return .zero }
            if step.value == 0 { throw failure("graduated step is zero", span: expr.span) }
            // amount × (value − floor) ÷ step, divided last: the quotient of steps, rounded first,
            // had made 30000 USD × 10% ÷ 3% (exactly 100,000) 99,999.99 under `rounding down`.
            return .number(try Self.quotient(try Exact.multiply(perStep, try Exact.subtract(value, floor)), step))
        }
    }

    /// `a op b`; false when the values cannot be compared (one is missing).
    func comparison(_ op: ComparisonOperator, _ a: EvalValue, _ b: EvalValue) -> EvalValue {
        guard let order = compare(a, b) else { return .bool(false) }
        switch op {
        case .equal: return .bool(order == 0)
        case .notEqual: return .bool(order != 0)
        case .less: return .bool(order < 0)
        case .lessOrEqual: return .bool(order <= 0)
        case .greater: return .bool(order > 0)
        case .greaterOrEqual: return .bool(order >= 0)
        }
    }

    /// -1, 0, 1, or `nil` when the values cannot be compared (one is missing).
    func compare(_ a: EvalValue, _ b: EvalValue) -> Int? {
        switch (a, b) {
        case (.number(let x), .number(let y)): return WideDecimal.compare(x, y)
        case (.date(let x), .date(let y)): return x < y ? -1 : (x == y ? 0 : 1)
        case (.text(let x), .text(let y)): return x == y ? 0 : (x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : 1)
        case (.bool(let x), .bool(let y)): return x == y ? 0 : (x ? 1 : -1)
        default: return nil
        }
    }

    // MARK: Attributes

    func attribute(_ attribute: Attribute, _ context: Context, _ span: SourceSpan) throws -> EvalValue {
        switch attribute.scope {
        case .transaction:
            guard let row = context.row else { throw failure("txn.\(attribute.name) is read outside a transaction", span: span) }
            switch attribute.name {
            case "id": return .text(transactions.ids[row])
            case "date": return .date(transactions.dates[row])
            case "rep": return .text(roster.repIDs[Int(transactions.reps[row])])
            case "amount": return .number(WideDecimal(FixedDecimal(units: transactions.amounts[context.deal ?? row])))
            case "currency": return .text(transactions.currencies[Int(transactions.currencyCodes[row])].code)
            case "quantity": return .number(WideDecimal(Int64(transactions.quantities[context.deal ?? row])))
            case "reverses":
                guard let target = reversalTarget(of: row) else { return .text("") }
                return .text(transactions.ids[target])
            case "is_reversal":
                return .bool(reversalTarget(of: row) != nil)
            case "effective_date":
                // A reversal's effective date is the date of the deal it reverses.
                return .date(transactions.dates[reversalTarget(of: row) ?? row])
            default:
                // An optional column the file does not have reads as empty on every row, as an
                // empty cell does (text "", a count 0): it had read as no value, so `!= "SMB"`
                // took no deal and a count stopped the run where an empty column paid.
                guard let column = transactions.attribute(attribute.name) else { return typed("", attribute) }
                return typed(column[row], attribute)
            }
        case .rep:
            let row = roster.rows[context.assignmentIndex]
            switch attribute.name {
            case "id", "rep": return .text(roster.repIDs[Int(row.rep)])
            case "name": return .text(row.name)
            case "plan": return .text(row.plan)
            case "manager": return .text(row.manager.map { roster.repIDs[Int($0)] } ?? "")
            case "start": return .date(row.start)
            case "end": return row.end.map { .date($0) } ?? .missing
            case "currency": return .text((row.currency ?? plan.currency).code)
            case "target_incentive": return row.targetIncentive.map { .number(WideDecimal($0)) } ?? .missing
            default:
                guard let index = roster.attributeNames.firstIndex(of: attribute.name) else { return typed("", attribute) }
                return typed(row.attributes[index], attribute)
            }
        }
    }

    /// A text attribute read as the type the plan declares for it.
    func typed(_ text: String, _ attribute: Attribute) -> EvalValue {
        switch attribute.type {
        case .text: return .text(text)
        case .count where text.isEmpty:
            return .zero  // an empty count column counts as 0 (docs/language.md)
        case .money, .rate, .count:
            if text.isEmpty { return .missing }
            guard let value = try? FixedDecimal(parsing: text) else { return .missing }
            return .number(WideDecimal(value))
        case .date: return CivilDate(parsing: text).map { .date($0) } ?? .missing
        case .bool: return text == "true" ? .bool(true) : (text == "false" ? .bool(false) : .missing)
        }
    }

    // MARK: Quotas

    /// `code` is the quota's measure in ``QuotaIndex``.
    func quota(_ quota: Quota, code: Int32, _ context: Context, _ span: SourceSpan) throws -> EvalValue {
        let current = periods[periodIndex]
        let target = quota.periodKind <= current.kind ? current : current.enclosing(quota.periodKind)
        let rep = payees[payee]
        /// The rep's quota for `period`: its measure's row, or for the plan's first measure a row
        /// leaving the measure empty.
        func quotaRow(_ period: Period) -> FixedDecimal? {
            quotaIndex.amount(rep: rep, period: period, measure: code)
                ?? (quota.measure.index == 0 ? quotaIndex.amount(rep: rep, period: period, measure: QuotaIndex.primary) : nil)
        }
        let found = quotaRow(target)
        // A row naming the plan's first measure and one leaving the measure empty are the same
        // quota twice: which one is meant is not known (the named one had silently won).
        if quota.measure.index == 0, let lines = quotaIndex.conflict(rep: rep, period: target, measure: code) {
            throw failure(
                "two quotas for measure \(quota.measureName) in \(target) in quotas.csv: line \(lines.named) names it and line "
                    + "\(lines.empty) leaves the measure empty, which means the plan's first measure, \(quota.measureName); keep one",
                span: span)
        }
        guard let found else {
            // A month only another plan's transactions brought into the run: say so.
            let added = addedBy[periodIndex].map { other in
                "; \(periods[periodIndex]) is in this run for plan \(other)'s transactions (plan \(plan.id) has none then): "
                    + "add the quota, or give plan \(plan.id) `effective` dates that leave it out"
            } ?? ""
            // The later periods of the run missing it too, said now: a roster's quotas missing
            // for the year had been found one run, and one month, at a time.
            var later: [Period] = []
            // The run's later periods this names (their own failures are not said again).
            var covered: Set<String> = []
            // Only periods the rep is on the plan in (a rep who leaves needs no quota after).
            for index in (periodIndex + 1)..<max(periodIndex + 1, periods.count) where hasDaysOnPlan(rep, in: index) {
                let period = periods[index].kind >= quota.periodKind ? periods[index] : periods[index].enclosing(quota.periodKind)
                if period == target || later.last == period {
                    if period == target || quotaRow(period) == nil { covered.insert(periods[index].description) }
                    continue
                }
                if quotaRow(period) == nil {
                    later.append(period)
                    covered.insert(periods[index].description)
                }
            }
            let alsoMissing: String
            switch later.count {
            case 0: alsoMissing = ""
            case 1: alsoMissing = " (nor in \(later[0]))"
            case 2: alsoMissing = " (nor in \(later[0]) and \(later[1]))"
            default:
                // A range only where they follow one another (a rep off the plan for months in
                // between had read as one unbroken range).
                let unbroken = zip(later, later.dropFirst()).allSatisfy { $1.firstMonth == $0.firstMonth + $0.kind.months }
                let named = unbroken ? "\(later[0]) … \(later[later.count - 1])" : EvaluationError.naming(later.map(\.description))
                alsoMissing = " (nor in \(later.count) later periods of the run, \(named))"
            }
            // A row for the rep and period naming a measure no quota of the plan reads: most likely
            // the one meant, misspelt (measure names are matched exactly).
            // Only a name that differs in case, spaces, '_' or '-' (another plan of the run may
            // read a name of its own).
            func plain(_ name: String) -> String { String(name.lowercased().filter { $0 != " " && $0 != "_" && $0 != "-" }) }
            let misnamed = quotaIndex.otherMeasures(rep: rep, period: target, known: Set(plan.quotas.map(\.measureName)))
                .first { plain($0.measure) == plain(quota.measureName) }.map {
                    "; line \($0.line) names measure \"\($0.measure)\" for this rep and period (measure names must match exactly)"
                } ?? ""
            // Its row was rejected (`--quarantine` ran without it): that row is the one to correct.
            let rejected = (data.quotas.rejectedLine(rep: rep, period: target, measure: quota.measureName)
                ?? (quota.measure.index == 0 ? data.quotas.rejectedLine(rep: rep, period: target) : nil))
                .map { "; its row (line \($0)) was rejected: correct that row" } ?? ""
            // Rows for shorter periods inside it (a quarterly plan given the monthly quotas of a
            // monthly one): they are not added up, which the message had not said.
            var shorter = ""
            if target.kind > .month {
                for kind in [PeriodKind.quarter, .month] where kind < target.kind {
                    let inside = stride(from: target.firstMonth, to: target.firstMonth + target.kind.months, by: kind.months)
                        .map { Period(kind: kind, containingMonth: $0, calendar: target.calendar) }
                        .filter { quotaRow($0) != nil }
                    guard let first = inside.first, let last = inside.last else { continue }
                    shorter = "; quotas.csv has this rep's quota for " + (inside.count == 1 ? "\(first)" : "\(first) … \(last)")
                        + ", a shorter period: a \(target.kind)'s quota is one row for \(target) (shorter periods' rows are not added up)"
                    break
                }
            }
            var missing = failure(
                "no quota for measure \(quota.measureName) in \(target) in quotas.csv" + rejected + alsoMissing + misnamed + shorter + added,
                span: span)
            missing.coveredPeriods = covered
            missing.missingQuota = quota.measureName
            throw missing
        }
        var amount = WideDecimal(found)
        if quota.proration == .actualDays {
            // Days on the plan: on a roster row of the plan and inside its effective dates (a
            // plan in force from the 16th had counted the whole month's quota, its first half's
            // deals excluded).
            var active = 0
            for entry in Int(assignments.starts[Int(rep)])..<Int(assignments.starts[Int(rep) + 1]) {
                guard let days = daysOnPlan(entry) else { continue }
                active += Proration.activeDays(
                    in: target, from: CivilDate(daysSinceEpoch: days.lowerBound),
                    through: days.upperBound == Int32.max ? nil : CivilDate(daysSinceEpoch: days.upperBound))
            }
            let days = target.dayCount
            if active < days {
                amount = try Exact.multiply(amount, WideDecimal(Int64(active))).divided(
                    by: WideDecimal(Int64(days)), scale: 6, rounding: plan.defaultRoundingMode)
                proratedQuotas.append((amount, WideDecimal(found), active, days))
            }
        }
        return .number(amount)
    }

    // MARK: Rate tables

    /// A rate as a trace shows it, every digit kept (`6%`, `4.15384615%`): a rate cut to six
    /// digits did not give the amount. Rates of six digits or fewer repeat on every line: their
    /// text is made once.
    func percentText(_ value: WideDecimal) -> String {
        guard value.exactFractionDigits <= FixedDecimal.scale, let rate = try? value.fixed(rounding: .halfEven) else {
            return value.percentText
        }
        if let known = rateTexts[rate] { return known }
        let text = Rate(rate).percentString
        rateTexts[rate] = text
        return text
    }

    /// Evaluates `expr` where its value decides rather than pays (a comparison's operands, a
    /// `match` subject): a table read there is not one the line pays by, so its trace is not
    /// noted (an override's `when kt(team_b) > 100 USD` had shown kt's tier and rate as its own).
    func evalDeciding(_ expr: Expr, _ context: Context) throws -> EvalValue {
        guard evaluatingComponent != nil || evaluatingLet != nil else { return try eval(expr, context) }
        let (component, derived) = (evaluatingComponent, evaluatingLet)
        evaluatingComponent = nil
        evaluatingLet = nil
        defer { (evaluatingComponent, evaluatingLet) = (component, derived) }
        return try eval(expr, context)
    }

    /// A table value as a trace shows it: a rate as a percentage (``percentText(_:)``), an amount
    /// with every digit it has and the plan's currency (`500.00 USD`).
    func tableValueText(_ value: WideDecimal, rateValued: Bool) -> String {
        if rateValued { return percentText(value) }
        return value.formatted(fractionDigits: max(plan.currency.minorUnits, value.exactFractionDigits)) + " " + plan.currency.code
    }

    /// The trace of a table applied to each credit of a rule: the tiers' rates with the base each
    /// paid over all the credits, the highest tier reached, and how many credits there were.
    func notePerTransaction(_ id: TableID, _ tally: PerTransactionTally, ruleName: String) {
        guard let component = noteSlot, let constants = try? tierConstants(of: id) else { return }
        let texts = tableTexts(id)
        let money = constants.boundIsMoney
        func shown(_ value: WideDecimal) -> String {
            guard money else { return value.formatted(fractionDigits: value.exactFractionDigits) }
            let digits = value.scale <= plan.currency.minorUnits ? plan.currency.minorUnits : max(plan.currency.minorUnits, value.exactFractionDigits)
            return value.formatted(fractionDigits: digits) + " " + plan.currency.code
        }
        // Every field is written (an earlier table of the same component had left its tier and
        // rate beside this one's base); an earlier table's trace is kept beside it.
        notes[component].keepTableNote()
        notes[component].table = plan.tables[id.index].name + "(" + ruleName + ")"
        notes[component].tableVia = nil
        notes[component].rule = texts.rule + ", on each credit of \(ruleName)"
        let credits = tally.credits == 1 ? "1 credit" : "\(tally.credits) credits"
        notes[component].tier = tally.highest.flatMap { highest -> String? in
            guard highest < texts.tiers.count else { return nil }
            // A tier whose condition is not met pays another's rate, as a single lookup's trace says.
            let pays =
                tally.highestPays == highest
                ? "" : tally.highestPays >= 0 ? ", its condition not met: it pays tier \(tally.highestPays + 1)'s rate" : ", its condition not met: it pays nothing"
            return "\(texts.tiers[highest]) (the highest of \(credits)\(pays))"
        }
        // Only a rate table's slices add up to the amount as rate × base.
        var parts: [String] = []
        if constants.rateValued {
            for (tier, base) in tally.bases.enumerated() where base.signum != 0 && tier < constants.valueTexts.count {
                parts.append(String(decoding: constants.valueTexts[tier], as: UTF8.self) + " on " + shown(base))
            }
            if tally.unpaid.signum != 0 { parts.append(tableValueText(.zero, rateValued: true) + " on " + shown(tally.unpaid)) }
        }
        notes[component].rate = parts.isEmpty ? nil : parts.joined(separator: " + ")
        notes[component].base = shown(tally.total) + " in " + credits
    }

    /// A table's trace texts: its rule and each tier's label (made once per evaluator).
    func tableTexts(_ id: TableID) -> (rule: String, tiers: [String]) {
        if id.index < tableTextCache.count, let known = tableTextCache[id.index] { return known }
        let table = plan.tables[id.index]
        let tiers = table.tiers.enumerated().map { index, tier -> String in
            let label: String
            switch (tier.lower, tier.upper) {
            case (nil, nil): label = "all"
            case (nil, let upper?): label = "up to \(upper)"
            case (let lower?, nil): label = "\(lower) and above"
            case (let lower?, let upper?): label = "\(lower) to \(upper)"
            }
            return "tier \(index + 1): \(label)"
        }
        let texts = (rule: "\(table.mode.rawValue) table \(table.name) on \(table.basis.rawValue)", tiers: tiers)
        if tableTextCache.count <= id.index { tableTextCache += Array(repeating: nil, count: id.index + 1 - tableTextCache.count) }
        tableTextCache[id.index] = texts
        return texts
    }

    /// A table's tiers as numbers, made once per evaluator (converting each tier's values per
    /// lookup cost copies and retains on every payee-period).
    func tierConstants(of id: TableID) throws -> TierConstants {
        if id.index < tierConstantsCache.count, let known = tierConstantsCache[id.index] { return known }
        let table = plan.tables[id.index]
        func number(_ value: Value?) -> WideDecimal? {
            guard let value, case .number(let number) = EvalValue(value) else { return nil }
            return number
        }
        var values: [WideDecimal] = []
        for tier in table.tiers {
            guard let rate = number(tier.value) else { throw failure("tier value is not a number", span: tier.span) }
            values.append(rate)
        }
        let constants = TierConstants(
            values: values, ends: table.tiers.map { number($0.endValue) }, lowers: table.tiers.map { number($0.lower) },
            uppers: table.tiers.map { number($0.upper) }, gates: table.tiers.map(\.gate),
            hasGates: table.tiers.contains { $0.gate != nil }, attainmentBasis: table.basis == .attainment,
            rateValued: table.valueType == .rate,
            valueTexts: values.map { Array(tableValueText($0, rateValued: table.valueType == .rate).utf8) },
            boundIsRate: table.boundType == .rate,
            boundIsMoney: { if case .money = table.boundType { return true } else { return false } }(), higherTierBoundary: table.boundary == .higherTier, mode: table.mode)
        if tierConstantsCache.count <= id.index { tierConstantsCache += Array(repeating: nil, count: id.index + 1 - tierConstantsCache.count) }
        tierConstantsCache[id.index] = constants
        return constants
    }

    /// What a divisor of 0 is, for the message: the quotas.csv row of a quota of 0 (found as
    /// `quota` finds it: this rep, the quota's period, its measure or, for the first, an empty
    /// one), a quota prorated to 0, or a value that is 0 in this period.
    func zeroDivisorHint(_ divisor: Expr, _ context: Context) -> String {
        guard case .quota(let id) = divisor.kind else {
            return "the divisor is 0 in this period; guard it with 'if divisor != 0 then … else …'"
        }
        let quota = plan.quotas[id.index]
        let current = periods[periodIndex]
        let target = quota.periodKind <= current.kind ? current : current.enclosing(quota.periodKind)
        let rows = data.quotas.rows.filter { $0.rep == context.rep && $0.period == target }
        let row = rows.first { $0.measure == quota.measureName } ?? (quota.measure.index == 0 ? rows.first { $0.measure == nil } : nil)
        if let row, row.amount.isZero { return "the quota is 0 on line \(row.line) of quotas.csv; set a quota above 0 there" }
        // Prorated to 0: the rep has no day on the plan in the period, or its share of a quota
        // this small rounds to 0 at six digits (0.000001 for half of February).
        if let row {
            return hasDaysOnPlan(context.rep, from: target.startDate, to: target.endDate)
                ? "the quota (\(row.amount) on line \(row.line) of quotas.csv) is prorated to 0 at six digits for the rep's days on the plan "
                    + "in \(target); set a larger quota there"
                : "the quota is prorated to 0: the rep is on the plan for no day of \(target)"
        }
        return "the quota is 0 in quotas.csv"
    }

    /// Applies a rate table to `value`; with `quota`, attainment bounds are scaled by it.
    func applyTable(
        _ id: TableID, value x: WideDecimal, quota: WideDecimal?, _ context: Context, forcing: TableMode? = nil,
        valueIsRate: Bool = false
    ) throws -> WideDecimal {
        let constants = try tierConstants(of: id)
        let scaledByQuota = constants.attainmentBasis ? quota : nil
        func bound(_ number: WideDecimal?) throws -> WideDecimal? {
            guard let number else { return nil }
            if let scaledByQuota { return try Exact.multiply(number, scaledByQuota) }
            return number
        }
        // Effective tier values: a tier whose gate is closed pays what the tier below it pays.
        var values = constants.values
        var ends = constants.ends
        // With gates: per tier, the tier whose value it pays (itself, unless its gate is closed; -1: none).
        var paidTier: [Int] = []
        if constants.hasGates {
            paidTier = Array(values.indices)
            for (index, gate) in constants.gates.enumerated() {
                guard let gate else { continue }
                // A gate is a payee-period condition: evaluated once per period (a row's context
                // is not cached).
                let key = id.index << 32 | index
                let open: Bool
                if context.row == nil, let known = gateMemo[key] {
                    open = known
                } else {
                    // A table the gate reads is not one the line pays by: its trace is not noted.
                    open = try evalDeciding(gate, context) == .bool(true)
                    if context.row == nil { gateMemo[key] = open }
                }
                if !open {
                    // The tier below's rate where it ends: an interpolated tier's end value (its
                    // start had paid less for selling more).
                    values[index] = index > 0 ? (ends[index - 1] ?? values[index - 1]) : .zero
                    ends[index] = nil
                    paidTier[index] = index > 0 ? paidTier[index - 1] : -1
                }
            }
        }
        let tierCount = values.count
        let rateValued = constants.rateValued
        let wantsNote = noteSlot != nil && forcing == nil && !restating
        let minorUnits = plan.currency.minorUnits
        let code = plan.currency.code
        /// Appends `value` as the kind of number it is: money with its currency, a rate as a
        /// percentage, a count as a whole number (an attainment of 0.873393 had shown as "0.87").
        func appendValue(_ value: WideDecimal, money: Bool, to text: inout [UInt8]) {
            // Every digit the value has: a base cut to cents did not give the amount.
            if money {
                value.appendFormatted(fractionDigits: value.scale <= minorUnits ? minorUnits : max(minorUnits, value.exactFractionDigits), to: &text)
                text.append(0x20)
                text.appendUTF8(code)
            } else if constants.boundIsRate {
                text.append(contentsOf: percentText(value).utf8)
            } else {
                value.appendFormatted(fractionDigits: value.exactFractionDigits, to: &text)
            }
        }
        /// Records the tier reached, its value (a marginal table: every slice it paid) and the base.
        func note(tier index: Int?, value: WideDecimal?, slices: [(tier: Int, size: WideDecimal)] = []) {
            guard wantsNote, let component = noteSlot else { return }
            // Written in place (a copy of the note retained and released its texts).
            let texts = tableTexts(id)
            notes[component].keepTableNote()
            notes[component].table = plan.tables[id.index].name
            notes[component].tableVia = nil
            notes[component].rule = texts.rule
            if let index {
                notes[component].tier =
                    paidTier.isEmpty || paidTier[index] == index
                    ? texts.tiers[index]
                    : texts.tiers[index] + " (its condition is not met: it pays "
                        + (paidTier[index] >= 0 ? "tier \(paidTier[index] + 1)'s rate" : "nothing") + ")"
            } else {
                notes[component].tier = "below the first tier"
            }
            let money = quota != nil || constants.boundIsMoney
            if !slices.isEmpty {
                // "3% on 384000.00 + 6% on 172084.22": what each slice paid, so the rate and base
                // shown give the amount (the top slice's rate alone did not).
                textScratch.removeAll(keepingCapacity: true)
                for (position, slice) in slices.enumerated() {
                    if position > 0 { textScratch.appendLiteral(" + ") }
                    // Tier values' texts are made once per table.
                    let paid = paidTier.isEmpty ? slice.tier : paidTier[slice.tier]
                    if paid >= 0 {
                        textScratch.append(contentsOf: constants.valueTexts[paid])
                    } else {
                        textScratch.append(contentsOf: tableValueText(.zero, rateValued: rateValued).utf8)
                    }
                    textScratch.appendLiteral(" on ")
                    appendValue(slice.size, money: money, to: &textScratch)
                    // A slice of a lower tier whose condition is not met says so (the tier
                    // reached says it for its own slice): its rate is the tier below's.
                    if paid != slice.tier && slice.tier != index {
                        textScratch.append(contentsOf: " (tier \(slice.tier + 1)'s condition is not met)".utf8)
                    }
                }
                notes[component].rate = String(decoding: textScratch, as: UTF8.self)
            } else if let value {
                notes[component].rate = tableValueText(value, rateValued: rateValued)
            } else {
                notes[component].rate = nil
            }
            // "282102.40 USD against quota 383500.00 USD": the numbers and words in one buffer, one string.
            textScratch.removeAll(keepingCapacity: true)
            appendValue(x, money: money, to: &textScratch)
            if let quota {
                textScratch.appendLiteral(" against quota ")
                // Every digit a prorated quota has (the bands are built from it).
                quota.appendFormatted(fractionDigits: max(minorUnits, quota.exactFractionDigits), to: &textScratch)
                textScratch.append(0x20)
                textScratch.appendUTF8(code)
                // A quota prorated to the payee's days on the plan says from what.
                if let prorated = proratedQuotas.first(where: { $0.value == quota }) {
                    textScratch.appendLiteral(" (")
                    prorated.full.appendFormatted(fractionDigits: max(minorUnits, prorated.full.exactFractionDigits), to: &textScratch)
                    textScratch.append(contentsOf: " \(code) prorated to \(prorated.active) of \(prorated.days) days on the plan)".utf8)
                }
            }
            notes[component].base = String(decoding: textScratch, as: UTF8.self)
        }
        switch forcing ?? constants.mode {
        case .marginal, .perTransaction:
            guard rateValued else { fallthrough }
            var total = WideDecimal.zero
            var reachedTier: Int? = nil
            var slices = sliceScratch
            slices.removeAll(keepingCapacity: true)
            defer { sliceScratch = slices }
            for index in 0..<tierCount {
                let low = try bound(constants.lowers[index])
                let high = try bound(constants.uppers[index])
                // Reached as a retroactive lookup reaches it: under `boundary lower` a value on a
                // boundary is the lower tier's (the tier above had been named, paying nothing).
                if let low {
                    if constants.higherTierBoundary ? x >= low : x > low { reachedTier = index }
                } else {
                    reachedTier = index
                }
                // The part of the tier between 0 and the value: the rates summed from 0 up to a
                // value above it, or down to one below it (negative). A tier below 0 had also been
                // counted from its lower bound up to a value above it: a table with a band from
                // -1000 to 0 paid on it twice (once negative, once positive), 10.00 on nothing.
                var slice: WideDecimal
                if x.signum >= 0 {
                    var top = x
                    if let high, top > high { top = high }
                    if let low, low.signum > 0 {
                        slice = try Exact.subtract(top, low)
                    } else {
                        slice = top
                    }
                    if slice.signum < 0 { slice = .zero }
                } else {
                    var bottom = x
                    if let low, low > bottom { bottom = low }
                    if let high, high.signum < 0 {
                        slice = try Exact.subtract(bottom, high)
                    } else {
                        slice = bottom
                    }
                    if slice.signum > 0 { slice = .zero }
                }
                total = try Exact.add(total, Exact.multiply(values[index], slice))
                if wantsNote && slice.signum != 0 { slices.append((index, slice)) }
                // Only this table's own slices: another table applied inside it (a tier's
                // condition) is not part of its trace.
                if forcing != nil, perTransactionTally?.table == id.index, slice.signum != 0 {
                    let paid = paidTier.isEmpty ? index : paidTier[index]
                    // In place: a copy of the tally taken to read it had made the write copy every
                    // tier's base, for every slice (a table of 1,000 tiers: minutes).
                    try perTransactionTally?.add(slice, paidAt: paid)
                }
            }
            if forcing != nil, let reached = reachedTier, perTransactionTally?.table == id.index, reached >= perTransactionTally?.highest ?? reached {
                perTransactionTally?.highest = reached
                perTransactionTally?.highestPays = paidTier.isEmpty ? reached : paidTier[reached]
            }
            note(tier: reachedTier, value: reachedTier.map { values[$0] }, slices: slices)
            return total
        case .retroactive, .interpolated:
            var reached: Int? = nil
            for index in 0..<tierCount {
                let low = try bound(constants.lowers[index])
                let high = try bound(constants.uppers[index])
                let aboveLow: Bool
                let belowHigh: Bool
                if constants.higherTierBoundary {
                    aboveLow = low.map { x >= $0 } ?? true
                    belowHigh = high.map { x < $0 } ?? true
                } else {
                    aboveLow = low.map { x > $0 } ?? true
                    belowHigh = high.map { x <= $0 } ?? true
                }
                if aboveLow && belowHigh {
                    reached = index
                    break
                }
            }
            // Past a closed last tier the highest tier is still the one reached (it had paid 0:
            // selling more paid nothing); an interpolated band gives its end value there.
            var pastTop = false
            if reached == nil, tierCount > 0, let high = try bound(constants.uppers[tierCount - 1]),
                constants.higherTierBoundary ? x >= high : x > high
            {
                reached = tierCount - 1
                pastTop = true
            }
            guard let index = reached else {
                note(tier: nil, value: nil)
                return .zero
            }
            var value = values[index]
            if pastTop, (forcing ?? constants.mode) == .interpolated, let end = ends[index] {
                value = end
            } else if (forcing ?? constants.mode) == .interpolated, let end = ends[index], let low = try bound(constants.lowers[index]),
                let high = try bound(constants.uppers[index]), high > low
            {
                // value + (end − value) × (x − low) / (high − low), divided last: the position
                // alone (50/3000) seldom ends, and its rounding had moved a cent (1.05% on 1,050
                // paid 11.03, not 11.025 → 11.02).
                let span = try Exact.subtract(high, low)
                let along = try Exact.multiply(Exact.subtract(end, value), Exact.subtract(x, low))
                let start = value
                value = try Exact.add(start, Self.quotient(along, span))
                note(tier: index, value: value)
                guard rateValued && !valueIsRate else { return value }
                // The amount likewise: start × x + along × x / (high − low), one division.
                return try Exact.add(Exact.multiply(start, x), Self.quotient(Exact.multiply(along, x), span))
            }
            note(tier: index, value: value)
            // A rate table looked up with a rate (a payout curve on attainment) gives the rate itself,
            // a multiplier; looked up with an amount it pays the rate on the amount.
            return rateValued && !valueIsRate ? try Exact.multiply(value, x) : value
        }
    }
}

extension PlanEvaluation {
    /// `numerator ÷ divisor`, exact when the quotient ends within 24 fraction digits (rounded half
    /// even past them otherwise: it then never ends, so no rounding tie is at stake), with fewer
    /// digits where 24 would overflow.
    static func quotient(_ numerator: WideDecimal, _ divisor: WideDecimal) throws -> WideDecimal {
        let (numerator, divisor) = (Exact.trim(numerator), Exact.trim(divisor))
        var failure: ArithmeticError = .divisionByZero
        for scale in [24, 18, 12] {
            do {
                return Exact.trim(try numerator.divided(by: divisor, scale: scale, rounding: .halfEven))
            } catch {
                failure = error
            }
        }
        throw failure
    }
}

/// A rate table's tiers as exact numbers: each tier's value, end value (interpolation), bounds
/// (`nil`: open) and gate, with what the lookup needs of the table. A class: a lookup then takes
/// one reference, not a retain per array.
final class TierConstants {
    let values: [WideDecimal]
    let ends: [WideDecimal?]
    let lowers: [WideDecimal?]
    let uppers: [WideDecimal?]
    let gates: [Expr?]
    let hasGates: Bool
    let attainmentBasis: Bool
    let rateValued: Bool
    /// Each tier's value as a trace shows it (`6%`, `500.00 USD`), made once.
    let valueTexts: [[UInt8]]
    /// The bounds are rates (attainment) or money; otherwise counts.
    let boundIsRate: Bool
    let boundIsMoney: Bool
    let higherTierBoundary: Bool
    let mode: TableMode

    init(
        values: [WideDecimal], ends: [WideDecimal?], lowers: [WideDecimal?], uppers: [WideDecimal?], gates: [Expr?], hasGates: Bool,
        attainmentBasis: Bool, rateValued: Bool, valueTexts: [[UInt8]], boundIsRate: Bool, boundIsMoney: Bool, higherTierBoundary: Bool, mode: TableMode
    ) {
        self.values = values
        self.ends = ends
        self.lowers = lowers
        self.uppers = uppers
        self.gates = gates
        self.hasGates = hasGates
        self.attainmentBasis = attainmentBasis
        self.rateValued = rateValued
        self.valueTexts = valueTexts
        self.boundIsRate = boundIsRate
        self.boundIsMoney = boundIsMoney
        self.higherTierBoundary = higherTierBoundary
        self.mode = mode
    }
}
