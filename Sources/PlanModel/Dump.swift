import CompCore

extension Plan {
    /// A stable, line-oriented text rendering of the whole model, for golden tests and reviews.
    ///
    /// Every node shows its span as `@file:start-end` (file index and byte offsets). The format only
    /// changes when the model changes.
    public var dump: String {
        let out = DumpWriter()
        out.line("plan \(quoted(id))\(displayName.map { " " + quoted($0) } ?? "") \(at(span))")
        out.indent {
            out.line("currency \(currency.code)")
            out.line("period \(period.rawValue)")
            out.line("fiscal_year_start \(fiscalCalendar.startMonth)")
            if let version { out.line("version \(quoted(version))") }
            if let effective { out.line("effective \(effective.start) to \(effective.end.map { "\($0)" } ?? "open")") }
            out.line("rounding \(defaultRoundingMode.rawValue)")
            for (index, file) in files.enumerated() { out.line("file \(index) \(quoted(file))") }
            for (index, p) in parameters.enumerated() {
                out.line("param #\(index) \(p.name): \(p.type) = \(p.value)\(p.overridden ? " (overridden)" : "") \(at(p.span))")
            }
            for (index, a) in attributes.enumerated() {
                let flags = (a.optional ? " optional" : "") + (a.builtIn ? " builtin" : "")
                out.line("attribute #\(index) \(a.scope.rawValue).\(a.name): \(a.type)\(flags) \(at(a.span))")
            }
            for (index, input) in inputs.enumerated() {
                out.line("input #\(index) \(input.name) from \(quoted(input.file)) column \(quoted(input.column)): \(input.type) \(at(input.span))")
            }
            for (index, rule) in creditRules.enumerated() {
                out.line("credit #\(index) \(rule.name): \(rule.type) \(at(rule.span))")
                out.indent {
                    if let filter = rule.filter { out.expr("where", filter) }
                    out.expr("amount", rule.amount)
                    if let weight = rule.weight { out.expr("weight", weight) }
                    for recipient in rule.recipients {
                        switch recipient.kind {
                        case .rep: out.line("to rep \(at(recipient.span))")
                        case .splits(let overlay): out.line("to splits\(overlay ? " overlay" : "") \(at(recipient.span))")
                        case .managers(let levels):
                            out.line("to managers \(levels.map(String.init) ?? "all") levels \(at(recipient.span))")
                        }
                    }
                }
            }
            for (index, m) in measures.enumerated() {
                out.line("measure #\(index) \(m.name) = \(m.aggregation.rawValue)(credit #\(m.creditRule.index)) over \(m.window.rawValue): \(m.type) \(rule(m.rounding)) \(at(m.span))")
            }
            for (index, q) in quotas.enumerated() {
                out.line("quota #\(index) for measure #\(q.measure.index) (\(q.measureName)) per \(q.periodKind.rawValue) prorate \(q.proration.rawValue): \(q.type) \(at(q.span))")
            }
            for (index, d) in derived.enumerated() {
                out.line("let #\(index) \(d.name): \(d.expr.type) \(rule(d.rounding)) \(at(d.span))")
                out.indent { out.expr("=", d.expr) }
            }
            for (index, t) in tables.enumerated() {
                out.line("table #\(index) \(t.name) \(t.mode.rawValue) on \(t.basis.rawValue) boundary \(t.boundary.rawValue) bounds \(t.boundType) values \(t.valueType) \(at(t.span))")
                out.indent {
                    for tier in t.tiers {
                        let lower = tier.lower.map { "\($0)" } ?? "-inf"
                        let upper = tier.upper.map { "\($0)" } ?? "+inf"
                        let end = tier.endValue.map { " -> \($0)" } ?? ""
                        out.line("tier \(lower) to \(upper): \(tier.value)\(end) \(at(tier.span))")
                        if let gate = tier.gate { out.indent { out.expr("gate", gate) } }
                    }
                }
            }
            for (index, c) in components.enumerated() {
                out.line("component #\(index) \(c.name)\(c.displayName.map { " " + quoted($0) } ?? ""): \(c.type) \(rule(c.rounding)) \(at(c.span))")
                out.indent {
                    switch c.body {
                    case .formula(let expr): out.expr("formula", expr)
                    case .spiff(let s):
                        out.line("spiff window \(s.window.start) to \(s.window.end.map { "\($0)" } ?? "open") by \(s.dateBasis.rawValue) \(at(s.span))")
                        out.indent {
                            if let filter = s.filter { out.expr("where", filter) }
                            switch s.payout {
                            case .perUnit(let e): out.expr("pay per unit", e)
                            case .perDeal(let e): out.expr("pay per deal", e)
                            case .percentOfAmount(let e): out.expr("pay of amount", e)
                            case .tieredByCount(let t): out.line("pay table #\(t.index) by count")
                            }
                        }
                    case .override(let o):
                        out.line("override of credit #\(o.creditRule.index) levels \(o.levels.map(String.init) ?? "all") \(at(o.span))")
                        out.indent {
                            out.expr("rate", o.rate)
                            if let threshold = o.threshold { out.expr("when", threshold) }
                        }
                    }
                }
            }
            for l in limits {
                out.line("\(l.kind.rawValue) \(target(l.target)) per \(l.per.rawValue) \(at(l.span))")
                out.indent { out.expr("at", l.amount) }
            }
            for d in draws {
                out.line("draw \(d.name) \(d.kind.rawValue) from \(d.start.map { "\($0)" } ?? "start") to \(d.end.map { "\($0)" } ?? "open") recovery_start \(d.recoveryStart.map { "\($0)" } ?? "immediate") \(at(d.span))")
                out.indent {
                    out.expr("amount", d.amount)
                    switch d.recoveryLimit {
                    case .share(let e): out.expr("recovery_max share", e)
                    case .amount(let e): out.expr("recovery_max amount", e)
                    case nil: break
                    }
                }
            }
            if let c = clawback {
                out.line("clawback charge \(c.charge.rawValue) share \(c.share.percentString) window \(c.windowDays.map { "\($0) days" } ?? "none") \(at(c.span))")
            }
            for h in holdbacks {
                out.line("holdback \(h.share.percentString) of \(target(h.target)) release \(h.release.rawValue) \(at(h.span))")
            }
            out.line("order " + evaluationOrder.map { ref -> String in
                switch ref {
                case .measure(let id): return measures[id.index].name
                case .derived(let id): return derived[id.index].name
                case .component(let id): return components[id.index].name
                }
            }.joined(separator: " "))
        }
        return out.text

        func target(_ target: LimitTarget) -> String {
            switch target {
            case .total: return "total"
            case .component(let id): return "component #\(id.index) (\(components[id.index].name))"
            }
        }
    }
}

private func quoted(_ text: String) -> String { planStringLiteral(text) }
private func at(_ span: SourceSpan) -> String { "@\(span.file):\(span.range.start)-\(span.range.end)" }
private func rule(_ r: RoundingRule) -> String { "round \(r.mode.rawValue) \(r.digits) (\(r.origin.rawValue))" }

private final class DumpWriter {
    var text = ""
    var depth = 0

    func line(_ s: String) {
        text += String(repeating: "  ", count: depth) + s + "\n"
    }

    func indent(_ body: () -> Void) {
        depth += 1
        body()
        depth -= 1
    }

    func expr(_ label: String, _ e: Expr) {
        line("\(label): \(e.type) \(at(e.span))")
        depth += 1
        node(e)
        depth -= 1
    }

    func node(_ e: Expr) {
        switch e.kind {
        case .literal(let v): line("literal \(v)")
        case .parameter(let id): line("parameter #\(id.index)")
        case .attribute(let id): line("attribute #\(id.index)")
        case .input(let id): line("input #\(id.index)")
        case .measure(let id): line("measure #\(id.index)")
        case .derived(let id): line("derived #\(id.index)")
        case .component(let id): line("component #\(id.index)")
        case .quota(let id): line("quota #\(id.index)")
        case .negate(let a):
            line("negate")
            expr("operand", a)
        case .arithmetic(let op, let a, let b):
            line("arithmetic \(op.rawValue)")
            expr("lhs", a)
            expr("rhs", b)
        case .divide(let a, let b, let r):
            line("divide \(rule(r))")
            expr("lhs", a)
            expr("rhs", b)
        case .compare(let op, let a, let b):
            line("compare \(op.rawValue)")
            expr("lhs", a)
            expr("rhs", b)
        case .and(let a, let b):
            line("and")
            expr("lhs", a)
            expr("rhs", b)
        case .or(let a, let b):
            line("or")
            expr("lhs", a)
            expr("rhs", b)
        case .not(let a):
            line("not")
            expr("operand", a)
        case .member(let a, let list):
            line("member")
            expr("subject", a)
            for item in list { expr("item", item) }
        case .inRange(let a, let lower, let upper):
            line("in range")
            expr("subject", a)
            expr("lower", lower)
            expr("upper", upper)
        case .conditional(let c, let a, let b):
            line("conditional")
            expr("if", c)
            expr("then", a)
            expr("else", b)
        case .match(let subject, let arms, let otherwise):
            line("match")
            expr("subject", subject)
            for arm in arms {
                expr("case " + arm.patterns.map { "\($0)" }.joined(separator: ", ") + " \(at(arm.span))", arm.result)
            }
            expr("else", otherwise)
        case .call(let builtin, let args):
            line("call \(builtin.rawValue)")
            for arg in args { expr("arg", arg) }
        case .round(let a, let r):
            line("round \(rule(r))")
            expr("operand", a)
        case .convert(let a, let currency):
            line("convert to \(currency.code) at fx(txn.currency, month of txn.date)")
            expr("operand", a)
        case .applyTable(let table, let value, let quota):
            line("apply table #\(table.index)")
            expr("value", value)
            if let quota { expr("quota", quota) }
        case .applyTablePerTransaction(let table, let credits):
            line("apply table #\(table.index) per transaction of credit #\(credits.index)")
        case .graduated(let value, let floor, let step, let amount, let ceiling):
            line("graduated")
            expr("value", value)
            expr("floor", floor)
            expr("step", step)
            expr("amount_per_step", amount)
            if let ceiling { expr("ceiling", ceiling) }
        }
    }
}
