import CompDiagnostics
import PlanModel

/// The evaluation graph of a plan, for people: what is computed per transaction, per payee and
/// period, and across periods, and what each value reads. `comp graph` prints it as text or as
/// Graphviz DOT.
public struct PlanGraph: Sendable {
    /// How often a node is evaluated.
    public enum Stage: String, Sendable {
        case perTransaction = "per transaction"
        case perPayeePeriod = "per payee-period"
        case acrossPeriods = "across periods"
        case constant = "constant"
    }

    /// One node.
    public struct Node: Sendable {
        public let id: String
        public let label: String
        public let stage: Stage
    }

    public let plan: String
    public let nodes: [Node]
    /// Edges from what is read to what reads it.
    public let edges: [(from: String, to: String)]

    /// The graph of `plan`.
    public init(_ plan: Plan) {
        var nodes: [Node] = []
        var edges: [(String, String)] = []
        // A measure with quotas of several lengths (per month and per year) has a node for each:
        // their ids name the length, or DOT draws them as one node.
        var quotaKinds: [String: Set<String>] = [:]
        for quota in plan.quotas { quotaKinds[quota.measureName, default: []].insert(quota.periodKind.rawValue) }
        func quotaID(_ quota: Quota) -> String {
            (quotaKinds[quota.measureName]?.count ?? 0) > 1 ? "quota.\(quota.measureName).\(quota.periodKind.rawValue)" : "quota.\(quota.measureName)"
        }
        func id(_ ref: ExprKind) -> String? {
            switch ref {
            case .parameter(let p): return "param.\(plan.parameters[p.index].name)"
            case .input(let i): return "input.\(plan.inputs[i.index].name)"
            case .measure(let m): return "measure.\(plan.measures[m.index].name)"
            case .derived(let d): return "let.\(plan.derived[d.index].name)"
            case .component(let c): return "component.\(plan.components[c.index].name)"
            case .quota(let q): return quotaID(plan.quotas[q.index])
            case .applyTable(let t, _, _): return "table.\(plan.tables[t.index].name)"
            case .applyTablePerTransaction(let t, let rule):
                edges.append(("credit.\(plan.creditRules[rule.index].name)", "table.\(plan.tables[t.index].name)"))
                return "table.\(plan.tables[t.index].name)"
            default: return nil
            }
        }
        func references(_ expr: Expr?, into target: String) {
            guard let expr else { return }
            var seen = Set<String>()
            func walk(_ e: Expr) {
                if let source = id(e.kind), seen.insert(source).inserted { edges.append((source, target)) }
                for child in e.children { walk(child) }
            }
            walk(expr)
        }
        for parameter in plan.parameters {
            nodes.append(Node(id: "param.\(parameter.name)", label: "param \(parameter.name) = \(parameter.value)", stage: .constant))
        }
        for input in plan.inputs {
            nodes.append(Node(id: "input.\(input.name)", label: "input \(input.name) (\(input.file))", stage: .perPayeePeriod))
        }
        for rule in plan.creditRules {
            let target = "credit.\(rule.name)"
            // Who is credited, when not only the transaction's rep: splits and roll-ups to managers
            // are resolved here, per transaction, before any payee-period is evaluated.
            let recipients = rule.recipients.map { recipient -> String in
                switch recipient.kind {
                case .rep: return "rep"
                case .splits(let overlay): return overlay ? "split partners (overlay)" : "split partners"
                case .managers(let levels):
                    return "managers " + (levels.map { "\($0) level\($0 == 1 ? "" : "s")" } ?? "all levels") + " up"
                }
            }
            let to = recipients == ["rep"] ? "" : " to " + recipients.joined(separator: " and ")
            nodes.append(Node(id: target, label: "credit \(rule.name)\(to)", stage: .perTransaction))
            references(rule.filter, into: target)
            references(rule.amount, into: target)
            references(rule.weight, into: target)
        }
        for measure in plan.measures {
            let target = "measure.\(measure.name)"
            let stage: Stage = measure.window == .period ? .perPayeePeriod : .acrossPeriods
            nodes.append(Node(id: target, label: "measure \(measure.name) = \(measure.aggregation.rawValue) (\(measure.window.rawValue))", stage: stage))
            edges.append(("credit.\(plan.creditRules[measure.creditRule.index].name)", target))
        }
        for quota in plan.quotas {
            nodes.append(Node(id: quotaID(quota), label: "quota(\(quota.measureName)) per \(quota.periodKind.rawValue)", stage: .perPayeePeriod))
        }
        for table in plan.tables {
            // A tier gated on a value is decided per payee-period; a table of numbers alone is fixed.
            let gated = table.tiers.contains { $0.gate != nil }
            nodes.append(
                Node(
                    id: "table.\(table.name)", label: "table \(table.name) (\(table.mode.rawValue) on \(table.basis.rawValue)\(gated ? ", gated tiers" : ""))",
                    stage: gated ? .perPayeePeriod : .constant))
            for tier in table.tiers { references(tier.gate, into: "table.\(table.name)") }
        }
        for derived in plan.derived {
            let target = "let.\(derived.name)"
            nodes.append(Node(id: target, label: "let \(derived.name)", stage: .perPayeePeriod))
            references(derived.expr, into: target)
        }
        for component in plan.components {
            let target = "component.\(component.name)"
            nodes.append(Node(id: target, label: "component \(component.name)", stage: .perPayeePeriod))
            edges.append((target, "total"))
            switch component.body {
            case .formula(let expr): references(expr, into: target)
            case .spiff(let spiff):
                // Qualified and valued per transaction (in the crediting pass where it can be);
                // the component sums (or, by count, looks up) its period's qualifying rows.
                let qualifying = "spiff.\(component.name)"
                let window = "\(spiff.window.start) to \(spiff.window.end.map { "\($0)" } ?? "open end") by \(spiff.dateBasis.rawValue)"
                let pays: String
                switch spiff.payout {
                case .perUnit: pays = "per unit"
                case .perDeal: pays = "per deal"
                case .percentOfAmount: pays = "% of amount"
                case .tieredByCount(let t): pays = "table \(plan.tables[t.index].name) by count"
                }
                nodes.append(Node(id: qualifying, label: "spiff \(component.name) (\(window); \(pays))", stage: .perTransaction))
                references(spiff.filter, into: qualifying)
                edges.append((qualifying, target))
                switch spiff.payout {
                case .perUnit(let e), .perDeal(let e), .percentOfAmount(let e): references(e, into: qualifying)
                case .tieredByCount(let t): edges.append(("table.\(plan.tables[t.index].name)", target))
                }
            case .override(let override):
                references(override.rate, into: target)
                references(override.threshold, into: target)
                edges.append(("credit.\(plan.creditRules[override.creditRule.index].name)", target))
            }
        }
        nodes.append(Node(id: "total", label: "total", stage: .perPayeePeriod))
        for (index, limit) in plan.limits.enumerated() {
            let target = "limit.\(index + 1)"
            let what: String
            switch limit.target {
            case .total: what = "total"
            case .component(let c): what = plan.components[c.index].name
            }
            nodes.append(
                Node(id: target, label: "\(limit.kind.rawValue) \(what) per \(limit.per.rawValue)", stage: limit.per == .year ? .acrossPeriods : .perPayeePeriod))
            references(limit.amount, into: target)
            edges.append((target, limit.target == .total ? "total" : "component.\(what)"))
        }
        for draw in plan.draws {
            nodes.append(Node(id: "draw.\(draw.name)", label: "draw \(draw.name) (\(draw.kind.rawValue))", stage: .acrossPeriods))
            edges.append(("total", "draw.\(draw.name)"))
        }
        for (index, holdback) in plan.holdbacks.enumerated() {
            nodes.append(Node(id: "holdback.\(index + 1)", label: "holdback \(holdback.share.percentString) (\(holdback.release.rawValue))", stage: .acrossPeriods))
            // Withheld from what it names: a component, or the total.
            switch holdback.target {
            case .total: edges.append(("total", "holdback.\(index + 1)"))
            case .component(let c): edges.append(("component.\(plan.components[c.index].name)", "holdback.\(index + 1)"))
            }
        }
        if let clawback = plan.clawback {
            // Reversals are charged per the policy, back across periods: it reads the credits.
            var label = "clawback \(clawback.share.percentString) charged to \(clawback.charge.rawValue)"
            if let days = clawback.windowDays { label += " within \(days) days" }
            nodes.append(Node(id: "clawback", label: label, stage: .acrossPeriods))
            for rule in plan.creditRules { edges.append(("credit.\(rule.name)", "clawback")) }
        }
        self.plan = plan.id
        self.nodes = nodes
        self.edges = edges
    }

    /// The graph as indented text: nodes by stage, each with what it reads.
    public var text: String {
        // Names and file names are the plan's text: a line break or an escape in one (an input's
        // file written with `\n`) is shown escaped, not as a line of its own.
        var lines = ["plan \(TerminalText.safe(plan))"]
        // Each node's inputs, in edge order, found once (a scan of every edge per node was
        // quadratic: 58,000 components took 20 s).
        var inputsOf: [String: [String]] = [:]
        for edge in edges { inputsOf[edge.to, default: []].append(edge.from) }
        for stage in [Stage.constant, .perTransaction, .perPayeePeriod, .acrossPeriods] {
            let members = nodes.filter { $0.stage == stage }
            guard !members.isEmpty else { continue }
            lines.append("  \(stage.rawValue):")
            for node in members {
                let inputs = inputsOf[node.id] ?? []
                lines.append(
                    "    \(TerminalText.safe(node.label))" + (inputs.isEmpty ? "" : "  <- " + TerminalText.safe(inputs.joined(separator: ", "))))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The graph in Graphviz DOT, one cluster per stage.
    public var dot: String {
        func quoted(_ text: String) -> String {
            var out = "\""
            for character in text {
                if character == "\"" || character == "\\" { out.append("\\") }
                out.append(character == "\n" ? " " : character)
            }
            return out + "\""
        }
        var lines = ["digraph \(quoted(plan)) {", "  rankdir=LR;", "  node [shape=box, fontname=\"Helvetica\"];"]
        for (index, stage) in [Stage.constant, .perTransaction, .perPayeePeriod, .acrossPeriods].enumerated() {
            let members = nodes.filter { $0.stage == stage }
            guard !members.isEmpty else { continue }
            lines.append("  subgraph cluster_\(index) {")
            lines.append("    label=\(quoted(stage.rawValue));")
            for node in members { lines.append("    \(quoted(node.id)) [label=\(quoted(node.label))];") }
            lines.append("  }")
        }
        for edge in edges { lines.append("  \(quoted(edge.from)) -> \(quoted(edge.to));") }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}
