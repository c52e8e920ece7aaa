import CompCore
import CompDiagnostics
import Engine
import Foundation
import Ledger
import PlanLanguage
import PlanModel
import RunResults
import SampleData
import Testing

let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// Pivots payouts and measures into REFERENCE_PLAN.md's wide form.
func referenceCSV(_ output: RunOutput) -> String {
    var measures: [String: [String: MeasureValue]] = [:]
    for value in output.measures { measures["\(value.rep),\(value.period)", default: [:]][value.measure] = value }
    var payouts: [String: [String: PayoutLine]] = [:]
    var keys: [(String, String)] = []
    for line in output.payouts {
        let key = "\(line.rep),\(line.period)"
        if payouts[key] == nil { keys.append((line.rep, line.period)) }
        payouts[key, default: [:]][line.component] = line
    }
    keys.sort { a, b in
        a.0 != b.0 ? Array(a.0.utf8).lexicographicallyPrecedes(Array(b.0.utf8)) : a.1 < b.1
    }
    var out = "rep,month,bookings,attainment,commission,spiff,bonus,capped_total\n"
    for (rep, period) in keys {
        let key = "\(rep),\(period)"
        func measure(_ name: String) -> String {
            guard let value = measures[key]?[name] else { return "?" }
            return value.valueText(fractionDigits: value.digits)
        }
        func payout(_ name: String) -> String {
            guard let line = payouts[key]?[name] else { return "?" }
            return line.amount.formatted(fractionDigits: line.currency.minorUnits)
        }
        out += [rep, period, measure("bookings"), measure("attainment"), payout("commission"), payout("spiff"), payout("bonus"), payout("total")]
            .joined(separator: ",") + "\n"
    }
    return out
}

@Suite struct ReferencePlan {
    @Test(arguments: ["ae-10k", "ae-100k"])
    func matchesTheExpectedPayouts(dataSet: String) throws {
        let data = packageRoot + "/Tests/ReferenceData/" + dataSet
        try #require(FileManager.default.fileExists(atPath: data + "/expected-payouts.csv"))
        let checked = PlanChecker.check(path: packageRoot + "/Plans/examples/ae-standard.plan")
        let plan = try #require(checked.plan, "\(checked.rendered())")
        let load = LedgerLoader.load(directory: data)
        #expect(load.errorCount == 0)
        let output = try ReferenceEvaluator.evaluate(plan, data: load.data)
        let expected = try String(contentsOfFile: data + "/expected-payouts.csv", encoding: .utf8)
        let actual = referenceCSV(output)
        if actual != expected {
            let a = actual.split(separator: "\n")
            let e = expected.split(separator: "\n")
            let firstDifference = zip(a, e).enumerated().first { $0.element.0 != $0.element.1 }
            Issue.record("first difference at line \((firstDifference?.offset ?? -1) + 1): \(firstDifference.map { "\($0.element.0) vs \($0.element.1)" } ?? "lengths \(a.count) vs \(e.count)")")
        }
        #expect(actual == expected)
    }
}

@Suite struct Determinism {
    @Test func sameOutputForAnyThreadCount() throws {
        let data = packageRoot + "/Tests/ReferenceData/ae-10k"
        try #require(FileManager.default.fileExists(atPath: data + "/transactions.csv"))
        let checked = PlanChecker.check(path: packageRoot + "/Plans/examples/ae-standard.plan")
        let plan = try #require(checked.plan)
        let load = LedgerLoader.load(directory: data)
        let single = try ReferenceEvaluator.evaluate(plan, data: load.data, threads: 1)
        #expect(single.payouts.count == 100 * 12 * 4)
        for threads in [2, 3, 8] {
            let parallel = try ReferenceEvaluator.evaluate(plan, data: load.data, threads: threads)
            #expect(parallel.payouts == single.payouts)
            #expect(parallel.measures == single.measures)
            #expect(parallel.traces == single.traces)
        }
    }
}

@Suite struct StreamedEvaluation {
    /// Parts arrive in payee order and join to what `evaluate` returns; a consumer's error stops
    /// the evaluation and comes back out.
    @Test func partsJoinToTheWholeAndAConsumerErrorStopsIt() throws {
        struct Stop: Error {}
        let data = packageRoot + "/Tests/ReferenceData/ae-10k"
        let plan = try #require(PlanChecker.check(path: packageRoot + "/Plans/examples/ae-standard.plan").plan)
        let load = LedgerLoader.load(directory: data)
        let whole = try ReferenceEvaluator.evaluate(plan, data: load.data, threads: 2)
        var joined = RunOutput()
        var parts = 0
        let credited = try ReferenceEvaluator.evaluate(plan, data: load.data, threads: 2) { part in
            joined.append(part)
            parts += 1
        }
        #expect(parts == 64)  // 32 shards a thread
        #expect(joined.payouts == whole.payouts)
        #expect(joined.traces == whole.traces)
        #expect(credited == whole.credited)
        var seen = 0
        #expect(throws: Stop.self) {
            _ = try ReferenceEvaluator.evaluate(plan, data: load.data, threads: 2) { _ in
                seen += 1
                if seen == 3 { throw Stop() }
            }
        }
        #expect(seen == 3)
    }
}

@Suite struct Graphs {
    @Test func referencePlanGraph() throws {
        let checked = PlanChecker.check(path: packageRoot + "/Plans/examples/ae-standard.plan")
        let graph = PlanGraph(try #require(checked.plan))
        #expect(
            graph.text == """
                plan AE-STD
                  constant:
                    table ae_tiers (marginal on attainment)
                  per transaction:
                    credit sales
                    spiff spiff (2027-03-01 to 2027-03-31 by effective_date; per unit)
                  per payee-period:
                    measure bookings = sum (period)  <- credit.sales
                    quota(bookings) per month
                    let attainment  <- measure.bookings, quota.bookings
                    component commission  <- table.ae_tiers, measure.bookings, quota.bookings
                    component spiff  <- spiff.spiff
                    component bonus  <- measure.bookings, quota.bookings
                    total  <- component.commission, component.spiff, component.bonus, limit.1
                    cap total per period

                """)
        #expect(graph.dot.hasPrefix("digraph \"AE-STD\" {\n  rankdir=LR;\n"))
        #expect(graph.dot.contains("  \"credit.sales\" -> \"measure.bookings\";\n"))
    }

    /// 3,000 components reading one measure: each listed once with its input, and the total
    /// reading all 3,000 in declaration order (the inputs are found once, not per node).
    @Test func aLargePlansGraphListsEveryNodeWithItsInputs() throws {
        var text = "plan \"D\" {\n  currency USD\n  period month\n  credit s { amount fx(txn.amount) }\n  measure b = sum(s)\n"
        for index in 0..<3_000 { text += "  component c\(index) = b\n" }
        text += "}\n"
        let checked = PlanChecker.check(source: SourceFile(path: "d.plan", text: text))
        let lines = PlanGraph(try #require(checked.plan)).text.split(separator: "\n")
        #expect(lines.count == 3_006)  // plan, 2 stage headers, credit, measure, 3,000 components, total
        #expect(lines.filter { $0.hasSuffix("  <- measure.b") }.count == 3_000)
        #expect(lines.contains("    component c2999  <- measure.b"))
        #expect(lines.last == "    total  <- " + (0..<3_000).map { "component.c\($0)" }.joined(separator: ", "))
    }

    /// The text graph shows the plan's texts safely: an input's file written with `\n` is one
    /// line, escaped (it had broken the line in two).
    @Test func theTextGraphEscapesTheFilesLineBreaks() throws {
        let text = "plan \"G\" {\n  currency USD\n  period quarter\n  input mbo from \"a\\nb.csv\" column \"score\": rate\n"
            + "  credit sales { amount fx(txn.amount) }\n  measure bookings = sum(sales)\n  component c = bookings * mbo\n}\n"
        let checked = PlanChecker.check(source: SourceFile(path: "g.plan", text: text))
        let lines = PlanGraph(try #require(checked.plan, "\(checked.rendered())")).text.split(separator: "\n")
        #expect(lines.contains("    input mbo (a\\nb.csv)"), "\(lines)")
        #expect(lines.count == 8)
    }

    /// A measure with a quota per year and one per month has two quota nodes, told apart by their
    /// ids (DOT had drawn them as one, the monthly attainment reading the yearly quota), and a
    /// table with a tier gated on a value is decided per payee-period, not constant.
    @Test func quotasOfTwoLengthsAndGatedTablesInTheGraph() throws {
        let checked = PlanChecker.check(path: packageRoot + "/Plans/examples/accelerators.plan")
        let graph = PlanGraph(try #require(checked.plan))
        #expect(
            graph.text == """
                plan ACCEL-DEMO
                  constant:
                    table payout_curve (interpolated on amount)
                  per transaction:
                    credit sales
                  per payee-period:
                    measure bookings = sum (period)  <- credit.sales
                    quota(bookings) per year
                    quota(bookings) per month
                    table commission_rates (marginal on attainment, gated tiers)  <- let.annual_attainment
                    let attainment  <- measure.bookings, quota.bookings.month
                    let annual_attainment  <- measure.bookings_ytd, quota.bookings.year
                    component commission  <- table.commission_rates, measure.bookings, quota.bookings.month
                    component incentive  <- table.payout_curve, let.attainment
                    total  <- component.commission, component.incentive
                  across periods:
                    measure bookings_ytd = sum (ytd)  <- credit.sales

                """)
        let nodes = graph.dot.split(separator: "\n").filter { $0.contains("[label=") }
        #expect(nodes.filter { $0.contains("\"quota.") } == [
            "    \"quota.bookings.year\" [label=\"quota(bookings) per year\"];", "    \"quota.bookings.month\" [label=\"quota(bookings) per month\"];",
        ])
        #expect(Set(nodes.map { $0.split(separator: " [")[0] }).count == nodes.count)
    }

    /// A holdback reads the component it withholds from (not the total), and the clawback policy
    /// is a node reading the credits.
    @Test func holdbacksAndClawbacksInTheGraph() throws {
        let checked = PlanChecker.check(path: packageRoot + "/Plans/examples/clawbacks-holdbacks.plan")
        let lines = PlanGraph(try #require(checked.plan)).text.split(separator: "\n")
        #expect(lines.suffix(2) == [
            "    holdback 10% (quarter_end)  <- component.commission",
            "    clawback 100% charged to original_period within 180 days  <- credit.sales",
        ])
    }

    /// Who a credit goes to is resolved per transaction (splits, roll-ups to managers), and a
    /// SPIFF qualifies its rows per transaction too: the component reads what they qualified.
    @Test func creditRecipientsAndSpiffsInTheGraph() throws {
        let team = PlanGraph(try #require(PlanChecker.check(path: packageRoot + "/Plans/examples/splits-and-rollup.plan").plan)).text
        #expect(team.contains("\n    credit split_sales to split partners\n    credit overlay_sales to split partners (overlay)\n"), "\(team)")
        #expect(team.contains("\n    credit team_sales to rep and managers 2 levels up\n"), "\(team)")
        let spiffs = PlanGraph(try #require(PlanChecker.check(path: packageRoot + "/Plans/examples/spiffs.plan").plan)).text
        #expect(spiffs.contains("\n    spiff widget_ladder (2027-10-01 to 2027-12-31 by date; table widget_steps by count)\n"), "\(spiffs)")
        #expect(spiffs.contains("\n    component widget_ladder  <- spiff.widget_ladder, table.widget_steps\n"), "\(spiffs)")
    }

    @Test func everyExamplePlanHasAGraphAndEvaluatesOrSaysWhy() throws {
        let directory = packageRoot + "/Plans/examples"
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".plan") }
        #expect(files.count >= 10)
        for file in files {
            let checked = PlanChecker.check(path: directory + "/" + file)
            guard let plan = checked.plan else { continue }  // shared-definition libraries have no plan
            let graph = PlanGraph(plan)
            #expect(graph.nodes.contains { $0.id == "total" }, "\(file)")
        }
    }
}

@Suite struct CompiledAgainstReference {
    /// Every example plan over a generated ledger (reps on several plans, four currencies, reversals,
    /// splits): the compiled per-transaction path and the SPIFF rows valued in the crediting pass
    /// give exactly the output of the plain reference walk, or the same error.
    @Test func examplePlansGiveTheSameOutput() throws {
        let directory = NSTemporaryDirectory() + "comp-differential-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try SampleGenerator.write(SampleOptions(reps: 60, transactions: 6_000, seed: 11, threads: 2), to: directory)
        let examples = packageRoot + "/Plans/examples"
        let roster = try String(contentsOfFile: directory + "/roster.csv", encoding: .utf8)
        var compared = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: examples).sorted() where name.hasSuffix(".plan") {
            guard let plan = PlanChecker.check(path: examples + "/" + name).plan, plan.inputs.isEmpty else { continue }
            // The sample's account executives are put on this plan.
            try Data(roster.replacingOccurrences(of: ",AE-STD,", with: ",\(plan.id),").utf8)
                .write(to: URL(fileURLWithPath: directory + "/roster.csv"))
            let load = LedgerLoader.load(directory: directory, options: ReferenceEvaluator.loadOptions(for: [plan]))
            let fast = Result { () throws(EvaluationError) -> RunOutput in try ReferenceEvaluator.evaluate(plan, data: load.data, threads: 2) }
            let slow = Result { () throws(EvaluationError) -> RunOutput in
                try ReferenceEvaluator.evaluate(plan, data: load.data, threads: 1, compiled: false)
            }
            switch (fast, slow) {
            case (.success(let a), .success(let b)):
                #expect(a.payouts == b.payouts, "\(name)")
                #expect(a.measures == b.measures, "\(name)")
                #expect(a.traces == b.traces, "\(name)")
                #expect(a.credited == b.credited, "\(name)")
                if !a.payouts.isEmpty { compared += 1 }
            case (.failure(let a), .failure(let b)):
                #expect(a.description == b.description, "\(name)")
            default:
                Issue.record("\(name): compiled \(fast), reference \(slow)")
            }
        }
        // Ten examples pay someone on this data (the rest need input tables or other columns).
        #expect(compared >= 10)
    }
}
