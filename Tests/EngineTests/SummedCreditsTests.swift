import CompCore
import CompDiagnostics
@testable import Engine
import Foundation
import Ledger
import PlanLanguage
import PlanModel
import RunResults
import Testing

/// Plans that only sum, count and average their credits have them summed per group as they are
/// made (`CreditTable` summed), instead of keeping every credit's value. The `evaluate(plan:files:)`
/// helper compares every such run with the plain reference walk, which keeps every credit.
@Suite struct SummedCredits {
    func plan(_ path: String) throws -> Plan {
        let checked = PlanChecker.check(path: packageRoot + "/Plans/examples/" + path)
        return try #require(checked.plan, "\(checked.rendered())")
    }

    /// Which plans qualify: sums, counts and averages do; a minimum or maximum, a table applied
    /// per transaction, or a manager override reading credits by level need every credit.
    @Test func plansThatOnlySumQualify() throws {
        #expect(PlanEvaluation.creditsAreSummed(try plan("ae-standard.plan")))
        #expect(!PlanEvaluation.creditsAreSummed(try plan("measures.plan")))  // min(sales), max(sales)
        #expect(!PlanEvaluation.creditsAreSummed(try plan("rate-tables.plan")))  // table … per_transaction
        #expect(!PlanEvaluation.creditsAreSummed(try plan("manager-override.plan")))
    }

    /// Sum, count and average of January with a reversal: T1 1,000 and T2 500 are deals, T3 reverses
    /// T1 (−1,000). Sum = 1,000 + 500 − 1,000 = 500.00; count = 1 + 1 − 1 = 1 (a reversal takes its
    /// deal back out); average = 500 / 1 = 500.00. February: T4 300 alone, so 300.00, 1, 300.00.
    /// The year to date in February: 800.00 over 2 deals.
    @Test func sumsCountsAndAveragesWithReversals() throws {
        let output = try evaluate(
            plan: """
                plan "SUMS" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure booked = sum(sales) round half_even 2
                  measure deals = count(sales)
                  measure average_deal = avg(sales) round half_even 2
                  measure booked_ytd = sum(sales) over ytd round half_even 2
                  measure deals_ytd = count(sales) over ytd
                  component commission = booked * 10% round half_even 2
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,SUMS,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,reverses
                    T1,2027-01-05,R1,1000,USD,new,
                    T2,2027-01-10,R1,500,USD,new,
                    T3,2027-01-20,R1,-1000,USD,new,T1
                    T4,2027-02-03,R1,300,USD,new,

                    """,
            ])
        let values = output.measures.map { "\($0.period) \($0.measure) \($0.valueText(fractionDigits: $0.digits))" }
        #expect(
            values == [
                "2027-01 booked 500.00", "2027-01 deals 1", "2027-01 average_deal 500.00", "2027-01 booked_ytd 500.00",
                "2027-01 deals_ytd 1",
                "2027-02 booked 300.00", "2027-02 deals 1", "2027-02 average_deal 300.00", "2027-02 booked_ytd 800.00",
                "2027-02 deals_ytd 2",
            ])
        #expect(totals(output, component: "commission") == ["R1 2027-01 50.00", "R1 2027-02 30.00"])
        // The line's transactions are the credits' rows, as when every credit is kept.
        let january = try #require(output.payouts.first { $0.period == "2027-01" && $0.component == "commission" })
        #expect(january.trace.map { output.traces[$0].transactions.count } == 3)
    }

    /// Three credits of 9,000,000,000,000 EUR at 9,000,000,000,000.000001 USD per EUR are each 8.1e25 USD
    /// with 12 fraction digits (8.1e37 units, where 128 bits hold 1.7e38): each fits, their sum
    /// does not. Summed as they are made, the
    /// overflow is reported where the measure reads the sum, naming the rep, period and measure.
    @Test func anOverflowingSumNamesTheMeasure() throws {
        let text = """
            plan "BIG" {
              currency USD
              period month
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              component commission = bookings * 0
            }
            """
        let checked = PlanChecker.check(source: SourceFile(path: "big.plan", text: text))
        let plan = try #require(checked.plan, "\(checked.rendered())")
        let directory = NSTemporaryDirectory() + "comp-summed-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = [
            "roster.csv": "rep,name,plan,start\nR1,Ana,BIG,2026-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            "fx.csv": "currency,period,rate\nEUR,2027-01,9000000000000.000001\n",
            "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-05,R1,9000000000000,EUR,new\nT2,2027-01-06,R1,9000000000000,EUR,new\n"
                + "T3,2027-01-07,R1,9000000000000,EUR,new\n",
        ]
        for (name, content) in files { try Data(content.utf8).write(to: URL(fileURLWithPath: directory + "/" + name)) }
        let load = LedgerLoader.load(directory: directory, options: ReferenceEvaluator.loadOptions(for: [plan]))
        #expect(load.errorCount == 0, "\(load.diagnostics.map(\.description))")
        for compiled in [true, false] {
            do throws(EvaluationError) {
                _ = try ReferenceEvaluator.evaluate(plan, data: load.data, threads: 2, compiled: compiled)
                Issue.record("expected an overflow (compiled: \(compiled))")
            } catch {
                #expect(error.rep == "R1")
                #expect(error.period == "2027-01")
                #expect(error.what == "bookings")
                if compiled {
                    #expect(
                        error.message
                            == "the exact sum of the sales credits of 2027-01 overflows 38 digits: its credits are too large, or carry too many "
                            + "fraction digits (an fx rate, weights and split shares multiplied: round the rule's weight, as in "
                            + "'weight round(33.3333% * 90.0001%, 6)')")
                }
            }
        }
        // A measure that only counts the same credits has its count: 3 deals, on both paths.
        let counting = try #require(
            PlanChecker.check(
                source: SourceFile(path: "count.plan", text: text.replacingOccurrences(of: "measure bookings = sum(sales)", with: "measure deals = count(sales)")
                    .replacingOccurrences(of: "bookings * 0", with: "deals * 0 USD"))
            ).plan)
        for compiled in [true, false] {
            let output = try ReferenceEvaluator.evaluate(counting, data: load.data, threads: 2, compiled: compiled)
            #expect(output.measures.map { "\($0.measure) \($0.valueText(fractionDigits: $0.digits))" } == ["deals 3"])
        }
    }
}

/// A plan's transaction span is found over ranges of rows read in parallel and joined in row
/// order: the same first and last dates and rows as one pass, whatever the ranges and threads.
/// Credit groups are numbered rule, then period, then payee (a stretch of the date-ordered ledger
/// reaches one period's groups side by side); `parts(ofGroup:)` is the numbering's inverse, which
/// `comp explain --transactions` relies on to name a credit's rule, payee and period.
@Suite struct CreditGroupNumbers {
    @Test func groupsAreNumberedByRuleThenPeriodThenPayee() {
        let table = CreditTable(payees: 3, periods: 5)
        // Rule 1, period 2, payee 1: (1 × 5 + 2) × 3 + 1 = 22.
        #expect(table.group(rule: 1, payee: 1, period: 2) == 22)
        #expect(table.group(rule: 0, payee: 2, period: 0) == 2)
        #expect(table.group(rule: 0, payee: 0, period: 1) == 3)
        var seen: [Int] = []
        for rule in 0..<2 {
            for period in 0..<5 {
                for payee in 0..<3 {
                    let group = table.group(rule: rule, payee: payee, period: period)
                    seen.append(group)
                    let parts = CreditTable.parts(ofGroup: group, payees: 3, periods: 5)
                    #expect(parts.rule == rule && parts.payee == payee && parts.period == period)
                }
            }
        }
        #expect(seen == Array(0..<30))  // every group once, in that order
    }
}

@Suite struct TransactionSpans {
    @Test func rangesGiveTheSpanOnePassGives() throws {
        let text = """
            plan "P" {
              currency USD
              period month
              effective 2027-01-01 to 2027-06-30
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              component commission = bookings * 10%
              holdback 10% of commission release quarter_end
            }
            """
        // R2 is on no plan of the run (its rows do not count); the earliest date (2027-02-01)
        // and the latest inside the plan's dates (2027-05-31) each come twice, in different
        // ranges; rows after the plan's end extend it to its end (its holdback pays there).
        var files = [
            "roster.csv": "rep,name,plan,start\nR1,A,P,2026-01-01\nR2,B,Q,2026-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": "id,date,rep,amount,currency\n"
                + "T1,2027-03-01,R1,1,USD\nT2,2026-12-31,R2,1,USD\nT3,2027-02-01,R1,1,USD\nT4,2027-05-31,R1,1,USD\n"
                + "T5,2027-04-01,R1,1,USD\nT6,2027-02-01,R1,1,USD\nT7,2027-05-31,R1,1,USD\nT8,2027-01-15,R2,1,USD\n"
                + "T9,2027-03-03,R1,1,USD\nT10,2027-09-01,R2,1,USD\nT11,2027-04-04,R1,1,USD\nT12,2027-03-30,R1,1,USD\n",
        ]
        let (plan, data) = try CreditingErrors().load(text, files)
        let onePass = PlanEvaluation.transactionSpan(of: plan, data: data, rowsPerPart: Int.max)
        #expect(onePass?.first == CivilDate(year: 2027, month: 2, day: 1))
        #expect(onePass?.firstRow == 2)
        #expect(onePass?.last == CivilDate(year: 2027, month: 5, day: 31))
        #expect(onePass?.lastRow == 3)
        for rowsPerPart in [1, 2, 3, 5] {
            for threads in [1, 2, 3] {
                let ranges = PlanEvaluation.transactionSpan(of: plan, data: data, threads: threads, rowsPerPart: rowsPerPart)
                #expect(ranges == onePass, "rows per part \(rowsPerPart), threads \(threads)")
            }
        }
        // Past its end with a holdback to release: the plan is covered to its end, 2027-06-30.
        files["transactions.csv", default: ""] += "T13,2027-07-02,R1,1,USD\n"
        let (_, extended) = try CreditingErrors().load(text, files)
        let extendedOnePass = PlanEvaluation.transactionSpan(of: plan, data: extended, rowsPerPart: Int.max)
        #expect(extendedOnePass?.last == CivilDate(year: 2027, month: 6, day: 30))
        #expect(PlanEvaluation.transactionSpan(of: plan, data: extended, threads: 2, rowsPerPart: 2) == extendedOnePass)
    }
}
