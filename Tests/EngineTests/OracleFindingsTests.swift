import CompCore
import CompDiagnostics
import Engine
import Foundation
import Ledger
import PlanLanguage
import PlanModel
import RunResults
import Testing

/// Findings of an independent Python `decimal` oracle of draws, clawbacks, caps and floors and
/// gated tables: each test fails on the engine before its fix.
@Suite struct OracleFindings {
    /// Draws of `draws.plan` (ramp 3,000 recoverable January–March, recovered 50% from April;
    /// safety net guarantee 2,000 April–June; onboarding guarantee 1,500 January–February) written
    /// in `order`.
    func draws(_ order: [String]) -> String {
        let blocks = [
            "ramp": """
              draw ramp {
                type recoverable
                amount 3000 USD
                periods 2027-01 to 2027-03
                recovery_start 2027-04
                recovery_max 50%
              }
            """,
            "safety_net": """
              draw safety_net {
                type recoverable_guarantee
                amount 2000 USD
                periods 2027-04 to 2027-06
                recovery_max 1000 USD
              }
            """,
            "onboarding": """
              draw onboarding {
                type non_recoverable_guarantee
                amount 1500 USD
                periods 2027-01 to 2027-02
              }
            """,
        ]
        return """
            plan "DRAW" {
              currency USD
              period month
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              component commission = bookings * 8%
            \(order.compactMap { blocks[$0] }.joined(separator: "\n"))
            }
            """
    }

    /// January earns 8% × 7,500 = 600: the onboarding guarantee tops the earnings up to 1,500
    /// (+900) and the ramp draw pays 3,000 on top: 4,500 (written ramp first, the guarantee had
    /// counted the draw's 3,000 as earnings and topped up nothing: 3,600). February earns 0:
    /// 1,500 + 3,000 = 4,500. March: the draw alone, 3,000. April earns 8% × 50,000 = 4,000, above
    /// the safety net: the ramp's 9,000 is recovered at most 50% of 4,000 = 2,000 → 2,000. The same
    /// in every order the draws are written in.
    @Test func drawsLookAtTheEarningsWhateverTheirOrder() throws {
        let files = [
            "roster.csv": "rep,name,plan,start\nR1,Ana,DRAW,2026-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": ledger([("2027-01-05", "R1", "7500"), ("2027-04-05", "R1", "50000")]),
        ]
        let expected = ["R1 2027-01 4500.00", "R1 2027-02 4500.00", "R1 2027-03 3000.00", "R1 2027-04 2000.00"]
        for order in [["ramp", "safety_net", "onboarding"], ["onboarding", "safety_net", "ramp"], ["safety_net", "ramp", "onboarding"]] {
            let output = try evaluate(plan: draws(order), files: files)
            #expect(totals(output) == expected, "\(order)")
        }
    }

    /// A graduated bonus pays amount × (value − floor) ÷ step exactly, rounded once: 30,000 USD per
    /// 3% above 80% at an attainment of 90% is 30,000 × 10% ÷ 3% = 100,000.00 exactly, under any
    /// rounding mode. The number of steps had been rounded first (3.333… to 18 digits), so
    /// `rounding down` and `floor` paid 99,999.99, and at 91% (30,000 × 11% ÷ 3% = 110,000.00,
    /// 3.666…7 steps) `up` and `ceiling` paid 110,000.01. At 80.5%,
    /// 30,000 × 0.5% ÷ 3% = 5,000.00; at 80.01%: 30,000 × 0.01% ÷ 3% = 100.00.
    @Test func aGraduatedBonusDividesLast() throws {
        for mode in ["down", "up", "floor", "ceiling", "half_even", "half_up"] {
            let plan = """
                plan "G" {
                  currency USD
                  period month
                  rounding \(mode)
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  quota bookings per month
                  let attainment = bookings / quota(bookings) round half_even 6
                  component grad = graduated attainment above 80% pays 30000 USD per 3% up to 150%
                }
                """
            let files = [
                "roster.csv": "rep,name,plan,start\nR1,Ana,G,2026-01-01\n",
                "quotas.csv": "rep,period,amount\nR1,2027-01,10000\nR1,2027-02,10000\nR1,2027-03,10000\nR1,2027-04,10000\n",
                "transactions.csv": ledger([("2027-01-05", "R1", "9000"), ("2027-02-05", "R1", "9100"), ("2027-03-05", "R1", "8050"), ("2027-04-05", "R1", "8001")]),
            ]
            let output = try evaluate(plan: plan, files: files)
            #expect(totals(output, component: "grad") == ["R1 2027-01 100000.00", "R1 2027-02 110000.00", "R1 2027-03 5000.00", "R1 2027-04 100.00"], "\(mode)")
        }
    }

    /// The errors of evaluating `text` over `files` by the compiled and by the reference walk.
    func failures(plan text: String, files: [String: String]) throws -> [String] {
        let directory = NSTemporaryDirectory() + "comp-engine-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (plan, load) = try checkedAndLoaded(plan: text, files: files, in: directory)
        return [true, false].map { compiled in
            do {
                _ = try ReferenceEvaluator.evaluate(plan, data: load.data, inputs: [:], threads: compiled ? 2 : 1, compiled: compiled)
                return "no error"
            } catch {
                return String(describing: error).replacingOccurrences(of: directory + "/", with: "")
            }
        }
    }

    /// A credit weight or a SPIFF's pay with no value (an empty optional column) stops the run at
    /// the payee's row, as a component with no value does: R1's weight (`rep.wr`, or the ledger's
    /// `txn.wt`, the compiled fast path) is empty. It had credited nothing, without a word (the
    /// row counted as left out by a filter), and the SPIFF had paid 0.00. A row of a rep on
    /// another plan (R3, also without a weight) credits no payee and stops nothing: without T1,
    /// R2 is paid 10% × 50% × 4,000 = 200.00.
    @Test func aCreditWeightOrSpiffPayWithNoValueStopsTheRun() throws {
        let roster = "rep,name,plan,start,wr,bounty\nR1,Ana,W,2026-01-01,,\nR2,Ben,W,2026-01-01,0.5,20\nR3,Cy,OTHER,2026-01-01,,\n"
        let ledger = "id,date,rep,amount,currency,wt\nT1,2027-01-05,R1,1000,USD,\nT2,2027-01-06,R2,4000,USD,0.5\nT3,2027-01-07,R3,500,USD,\n"
        let withoutT1 = "id,date,rep,amount,currency,wt\nT2,2027-01-06,R2,4000,USD,0.5\nT3,2027-01-07,R3,500,USD,\n"
        func plan(_ weight: String, spiff: Bool = false) -> String {
            """
            plan "W" {
              currency USD
              period month
              attribute rep.wr: rate optional
              attribute txn.wt: rate optional
              attribute rep.bounty: money optional
              credit sales {
                amount fx(txn.amount)
                \(weight)
              }
              measure bookings = sum(sales)
              component commission = bookings * 10%
            \(spiff ? "  component s = spiff {\n    window 2027-01-01 to 2027-12-31\n    pay rep.bounty per deal\n  }" : "")
            }
            """
        }
        let files = ["roster.csv": roster, "quotas.csv": "rep,period,amount\n", "transactions.csv": ledger]
        let said = { (part: String) in
            "the \(part) has no value for transaction \"T1\" (transactions.csv line 2): a value it reads has none (an empty optional column, "
                + "such as a rate or money column of the roster or the ledger, has no value); fill it in, or write it as 'if … > 0 then … else 0': "
                + "a comparison with no value is false"
        }
        for weight in ["weight rep.wr", "weight txn.wt"] {
            let found = try failures(plan: plan(weight), files: files)
            #expect(found == Array(repeating: "test.plan:7:3: rep R1, 2027-01: credit sales: " + said("weight"), count: 2), "\(found)")
            var others = files
            others["transactions.csv"] = withoutT1
            let output = try evaluate(plan: plan(weight), files: others)
            #expect(totals(output, component: "commission") == ["R1 2027-01 0.00", "R2 2027-01 200.00"], "\(weight)")
        }
        // Credited to a manager (M1, the payee; R1 is on another plan), the error names M1.
        let rollup = plan("weight rep.wr\n    to managers all levels")
        var managed = files
        managed["roster.csv"] = "rep,name,manager,plan,start,wr\nM1,Mo,,W,2026-01-01,0.5\nR1,Ana,M1,OTHER,2026-01-01,\n"
        managed["transactions.csv"] = "id,date,rep,amount,currency,wt\nT1,2027-01-05,R1,1000,USD,\n"
        let named = try failures(plan: rollup, files: managed)
        #expect(named == Array(repeating: "test.plan:7:3: rep M1, 2027-01: credit sales: " + said("weight"), count: 2), "\(named)")
        let found = try failures(plan: plan("", spiff: true), files: files)
        #expect(found == Array(repeating: "test.plan:15:9: rep R1, 2027-01: s: " + said("pay amount"), count: 2), "\(found)")
    }

    /// Two recoverable draws: `a` pays 1,000 in January, `b` 1,000 in February. February earns 0:
    /// `a`'s recovery (at most 50% of the month's earnings) takes nothing, whichever is written
    /// first; it had taken 500 of `b`'s advance when `b` came first. So February pays 1,000.
    @Test func aRecoveryNeverTakesAnotherDrawsAdvance() throws {
        let a = "  draw a {\n    type recoverable\n    amount 1000 USD\n    periods 2027-01 to 2027-01\n    recovery_max 50%\n  }\n"
        let b = "  draw b {\n    type recoverable\n    amount 1000 USD\n    periods 2027-02 to 2027-02\n    recovery_max 50%\n  }\n"
        for body in [a + b, b + a] {
            let output = try evaluate(
                plan: commissionPlan(body, id: "TWO"),
                files: oneRepFiles(ledger([("2027-01-05", "R1", "0"), ("2027-02-05", "R1", "0")]), plan: "TWO"))
            #expect(totals(output) == ["R1 2027-01 1000.00", "R1 2027-02 1000.00"])
        }
    }

    /// A draw of `rep.target_incentive / 12` with a target incentive of 1,000 is 83.333…: it pays
    /// 83.33 in January–March (it had paid 83.333333, shown as 83.33), and April's commission of
    /// 1,000 recovers the 249.99 advanced: 750.01. The four months add up to the 1,000 earned.
    @Test func aComputedDrawAmountIsPaidInCents() throws {
        let output = try evaluate(
            plan: commissionPlan("""
                  draw ramp {
                    type recoverable
                    amount rep.target_incentive / 12
                    periods 2027-01 to 2027-03
                  }
                """, id: "SUB"),
            files: [
                "roster.csv": "rep,name,plan,start,target_incentive\nR1,Ana,SUB,2026-01-01,1000\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": ledger([("2027-01-05", "R1", "0"), ("2027-04-05", "R1", "10000")]),
            ])
        #expect(totals(output) == ["R1 2027-01 83.33", "R1 2027-02 83.33", "R1 2027-03 83.33", "R1 2027-04 750.01"])
        #expect(output.payouts.filter { $0.component == "total" }.map(\.amount.units) == [83_330_000, 83_330_000, 83_330_000, 750_010_000])
    }

    /// A draw whose amount comes out negative for a payee stops the run, naming the draw: as an
    /// advance it would take money from the rep (the checker refuses a negative constant).
    @Test func aNegativeDrawAmountStopsTheRun() throws {
        let error = try #require(throws: EvaluationError.self) {
            _ = try evaluate(
                plan: commissionPlan("""
                      draw ramp {
                        type recoverable
                        amount 1000 USD - commission
                      }
                    """, id: "NEG"),
                files: oneRepFiles(ledger([("2027-01-05", "R1", "20000")]), plan: "NEG"))
        }
        #expect(error.what == "draw ramp")
        #expect(error.rep == "R1")
        #expect(error.period == "2027-01")
        #expect(error.message == "amount is -1000.00 USD: a draw pays a positive amount (write it as max(…, 0 USD) to pay nothing then)")
    }

    /// A yearly commission cap of 1,000 and a floor of 50 a month: January earns 1,000 and uses
    /// the year's cap; February and March earn 0. The floor lifts them to 50 and the cap, with
    /// nothing left, takes them back to 0, in either order (the cap written first had let the
    /// floor pay 50 twice: a year of 1,100 past its cap). Caps win.
    @Test func capsWinOverFloorsWhateverTheirOrder() throws {
        let cap = "  cap commission at 1000 USD per year\n"
        let floor = "  floor commission at 50 USD per period\n"
        for body in [cap + floor, floor + cap] {
            let output = try evaluate(
                plan: commissionPlan(body, id: "LIM"),
                files: oneRepFiles(ledger([("2027-01-05", "R1", "10000"), ("2027-02-05", "R1", "0"), ("2027-03-05", "R1", "0")]), plan: "LIM"))
            #expect(totals(output) == ["R1 2027-01 1000.00", "R1 2027-02 0.00", "R1 2027-03 0.00"])
        }
    }

    /// A plan effective January–June with a yearly floor of 5,000: January earns 100, March 200;
    /// the ledger runs on to September. June, the plan's last period, tops the year up to
    /// 5,000 − 300 = 4,700 (no later period of the plan would; it had paid 0).
    @Test func aYearlyFloorIsToppedUpWhenThePlanEnds() throws {
        let output = try evaluate(
            plan: """
                plan "END" {
                  currency USD
                  period month
                  effective 2027-01-01 to 2027-06-30
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component commission = bookings * 10%
                  floor total at 5000 USD per year
                }
                """,
            files: oneRepFiles(ledger([("2027-01-05", "R1", "1000"), ("2027-03-05", "R1", "2000"), ("2027-09-05", "R1", "10")]), plan: "END"))
        #expect(
            totals(output) == [
                "R1 2027-01 100.00", "R1 2027-02 0.00", "R1 2027-03 200.00", "R1 2027-04 0.00", "R1 2027-05 0.00", "R1 2027-06 4700.00",
            ])
    }

    /// A rep with many roster rows (24: on plan P from the 1st to the 15th of each month, on Q
    /// from the 16th) has each deal credited under the row of its own date, as with one row: the
    /// rows are searched, not walked (walking cost each transaction the rep's every row). P pays
    /// 10% of the 100 sold on the 10th: 10.00 a month; the 1,000 sold on the 20th is Q's.
    @Test func aRepWithManyRosterRowsIsCreditedByTheRowOfEachDate() throws {
        var roster = "rep,name,plan,start,end\n"
        var deals: [(String, String, String)] = []
        for month in 1...12 {
            let m = month < 10 ? "0\(month)" : "\(month)"
            let last = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
            roster += "R1,Ana,P,2027-\(m)-01,2027-\(m)-15\nR1,Ana,Q,2027-\(m)-16,2027-\(m)-\(last)\n"
            deals += [("2027-\(m)-10", "R1", "100"), ("2027-\(m)-20", "R1", "1000")]
        }
        let output = try evaluate(
            plan: commissionPlan("", id: "P"),
            files: ["roster.csv": roster, "quotas.csv": "rep,period,amount\n", "transactions.csv": ledger(deals)])
        #expect(totals(output) == (1...12).map { "R1 2027-\($0 < 10 ? "0\($0)" : "\($0)") 10.00" })
    }

    /// A January deal of 100,000 (with another of 100,000) reversed in March, charged back to
    /// January. The cap is 3 × target incentive / 12: 30,000 in January (incentive 120,000), 3,000
    /// from February (12,000). January paid 20,000; restated without the deal it earns 10,000
    /// under January's own cap: March pays −10,000 (it was restated under March's cap of 3,000
    /// and took back 0).
    @Test func aRestatedPeriodKeepsItsOwnRosterRow() throws {
        let output = try evaluate(
            plan: commissionPlan("""
                  cap total at round(3 * rep.target_incentive / 12, 2) per period
                  clawback {
                    charge original_period
                    share 100%
                    window 365 days
                  }
                """, id: "RT"),
            files: [
                "roster.csv": "rep,name,plan,start,end,target_incentive\nR1,Ana,RT,2026-01-01,2027-01-31,120000\nR1,Ana,RT,2027-02-01,,12000\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": "id,date,rep,amount,currency,reverses\nT1,2027-01-10,R1,100000,USD,\nT2,2027-01-11,R1,100000,USD,\n"
                    + "R1,2027-03-10,R1,-100000,USD,T1\n",
            ])
        #expect(totals(output) == ["R1 2027-01 20000.00", "R1 2027-02 0.00", "R1 2027-03 -10000.00"])
    }

    /// An interpolated table with a gated top tier: 2% up to 50%, 2% → 6% from 50% to 100%, 8%
    /// above if the year's attainment reaches 100% (it does not here). At 99% the band pays
    /// 2% + 4% × 49/50 = 5.92% of 9,900 = 586.08; at 120% the closed tier pays the band's rate
    /// where it ends, 6% of 12,000 = 720.00 (it had paid the band's start, 2%: 240, less for more).
    @Test func aClosedGateAboveAnInterpolatedBandPaysTheBandsEnd() throws {
        let output = try evaluate(
            plan: """
                plan "G" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  measure bookings_ytd = sum(sales) over ytd
                  let annual_attainment = bookings_ytd / quota(bookings, year) round half_even 6
                  table curve interpolated on attainment {
                    up to 50%      : 2%
                    50% to 100%    : 2% -> 6%
                    100% and above : 8% if annual_attainment >= 100%
                  }
                  component commission = curve(bookings, quota(bookings))
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,G,2026-01-01\n",
                "quotas.csv": "rep,period,amount\nR1,2027-01,10000\nR1,2027-02,10000\nR1,2027,1000000\n",
                "transactions.csv": ledger([("2027-01-15", "R1", "9900"), ("2027-02-15", "R1", "12000")]),
            ])
        #expect(totals(output, component: "commission") == ["R1 2027-01 586.08", "R1 2027-02 720.00"])
    }
    /// A rep paid in EUR at 3 USD per EUR: commission 1.00 USD and bonus 1.00 USD are 0.33 EUR
    /// each (0.333… rounded half even), and the total is their sum, 0.66 EUR (converted on its
    /// own, 2.00 USD had paid 0.67: a statement whose lines did not add up to its total). A total
    /// that a cap changed is converted whole: 1.50 USD pays 0.50 EUR (the capped amount, not the
    /// lines' 0.66 less 0.50 USD converted apart, 0.49).
    @Test func linesInAPayoutCurrencyAddUpToTheTotal() throws {
        for (cap, expected) in [("", "R1 2027-01 0.66"), ("  cap total at 1.50 USD per period\n", "R1 2027-01 0.50")] {
            let output = try evaluate(
                plan: """
                    plan "FX" {
                      currency USD
                      period month
                      credit sales { amount fx(txn.amount) }
                      measure bookings = sum(sales)
                      component commission = bookings * 1%
                      component bonus = 1 USD
                    \(cap)}
                    """,
                files: [
                    "roster.csv": "rep,name,plan,start,currency\nR1,Ana,FX,2026-01-01,EUR\n",
                    "quotas.csv": "rep,period,amount\n",
                    "fx.csv": "currency,period,rate\nEUR,2027-01,3\n",
                    "transactions.csv": ledger([("2027-01-05", "R1", "100")]),
                ])
            #expect(totals(output, component: "commission") == ["R1 2027-01 0.33"])
            #expect(totals(output, component: "bonus") == ["R1 2027-01 0.33"])
            #expect(totals(output) == [expected])
            // Every line says it was converted: its rate and base are in USD.
            let notes = output.payouts.map { line in line.trace.flatMap { output.traces[$0].limit } ?? "" }
            #expect(notes.allSatisfy { $0.hasSuffix("paid in EUR at 3 USD per EUR") }, "\(notes)")
        }
    }
    /// A recoverable draw advances 1,000 in January; a guarantee of 5,000 covers February, which
    /// earns 2,000: February pays the guarantee, 5,000, and recovers nothing (a recovery bounded
    /// by the earnings alone had taken it to 4,000). March earns 6,000 and recovers the 1,000:
    /// 5,000. In either order of the draws.
    @Test func aRecoveryNeverTakesAGuaranteedPeriodBelowItsGuarantee() throws {
        let advance = "  draw adv {\n    type recoverable\n    amount 1000 USD\n    periods 2027-01 to 2027-01\n  }\n"
        let guarantee = "  draw g {\n    type non_recoverable_guarantee\n    amount 5000 USD\n    periods 2027-02 to 2027-02\n  }\n"
        for body in [advance + guarantee, guarantee + advance] {
            let output = try evaluate(
                plan: commissionPlan(body, id: "P"),
                files: oneRepFiles(ledger([("2027-01-10", "R1", "10000"), ("2027-02-10", "R1", "20000"), ("2027-03-10", "R1", "60000")]), plan: "P"))
            #expect(totals(output) == ["R1 2027-01 2000.00", "R1 2027-02 5000.00", "R1 2027-03 5000.00"])
        }
    }

    /// A draw of `3000 USD - commission` paying in January only: March's commission of 6,000
    /// makes the amount negative there, but the draw does not pay in March, so the run goes on
    /// (the amount had been read, and refused, in every period).
    @Test func aDrawAmountIsReadOnlyWhereTheDrawPays() throws {
        let output = try evaluate(
            plan: commissionPlan("""
                  draw g {
                    type non_recoverable_guarantee
                    amount 3000 USD - commission
                    periods 2027-01 to 2027-01
                  }
                """, id: "P"),
            files: oneRepFiles(ledger([("2027-01-10", "R1", "10000"), ("2027-03-10", "R1", "60000")]), plan: "P"))
        // January: the guarantee is 3,000 − 1,000 = 2,000, above the 1,000 earned: 2,000.
        #expect(totals(output) == ["R1 2027-01 2000.00", "R1 2027-02 0.00", "R1 2027-03 6000.00"])
    }

    /// A plan effective through December with a yearly floor of 5,000: a June deal of 10,000
    /// (1,000 commission) reversed in January 2028 is charged back to June; January 2028, a
    /// period after the plan's end, pays the clawback, −1,000, and no floor for a year the plan
    /// never covered (it had topped 2028 up to 5,000: 4,000).
    @Test func aYearlyFloorIsNotToppedUpAfterThePlanEnds() throws {
        let output = try evaluate(
            plan: """
                plan "END" {
                  currency USD
                  period month
                  effective 2027-01-01 to 2027-12-31
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component commission = bookings * 10%
                  floor total at 5000 USD per year
                  clawback {
                    charge original_period
                    window 365 days
                  }
                }
                """,
            files: oneRepFiles("id,date,rep,amount,currency,reverses\nT1,2027-06-10,R1,10000,USD,\nT2,2028-01-10,R1,-10000,USD,T1\n", plan: "END"))
        #expect(totals(output).last == "R1 2028-01 -1000.00")
    }
    /// A deal of March (quantity 2) cancelled in April and reinstated in May (a reversal of the
    /// reversal): May counts the deal again, +1, as the sums already add it back. The per-deal
    /// SPIFF pays 250, −250, 250 (it took another 250 back in May); deals are 1, −1, 1, deals so
    /// far this year 1, 0, 1, and May's average so far is 1,000 over 1 deal (it had been −1
    /// deal, and an average of 0.00).
    @Test func aReinstatedDealCountsAgain() throws {
        let output = try evaluate(
            plan: """
                plan "S" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  measure deals = count(sales)
                  measure deals_ytd = count(sales) over ytd
                  measure average_ytd = avg(sales) over ytd round half_up 2
                  component per_deal = spiff {
                    window 2027-01-01 to 2027-12-31
                    pay 250 USD per deal
                  }
                  component per_unit = spiff {
                    window 2027-01-01 to 2027-12-31
                    pay 150 USD per unit
                  }
                }
                """,
            files: oneRepFiles("id,date,rep,amount,currency,quantity,reverses\nT1,2027-03-10,R1,1000,USD,2,\n"
                    + "T2,2027-04-10,R1,-1000,USD,-2,T1\nT3,2027-05-10,R1,1000,USD,2,T2\n", plan: "S"))
        #expect(totals(output, component: "per_deal") == ["R1 2027-03 250.00", "R1 2027-04 -250.00", "R1 2027-05 250.00"])
        #expect(totals(output, component: "per_unit") == ["R1 2027-03 300.00", "R1 2027-04 -300.00", "R1 2027-05 300.00"])
        func measure(_ name: String) -> [String] {
            output.measures.filter { $0.measure == name }.map { "\($0.period) \($0.valueText(fractionDigits: $0.digits))" }
        }
        #expect(measure("deals") == ["2027-03 1", "2027-04 -1", "2027-05 1"])
        #expect(measure("deals_ytd") == ["2027-03 1", "2027-04 0", "2027-05 1"])
        #expect(measure("average_ytd") == ["2027-03 1000.00", "2027-04 0.00", "2027-05 1000.00"])
        // May's SPIFF line says its transaction qualified, not that it was a reversal.
        let rules = output.payouts.filter { $0.component == "per_deal" }.map { line in line.trace.flatMap { output.traces[$0].rule } ?? "" }
        #expect(rules == [
            "spiff: 1 qualifying transaction in the window", "spiff: 1 qualifying transaction in the window, a reversal",
            "spiff: 1 qualifying transaction in the window",
        ])
    }
    /// A plan in force from 2027-03-16 to 2027-09-10, its rep on the roster all year: March's
    /// quota of 3,100 is for the 16 days the plan is in force, 3,100 × 16/31 = 1,600.00 (the
    /// whole 3,100 had been asked of half a month whose first deals were excluded); September's
    /// 10/30 of 3,100 = 1,033.333333 (shown in cents); the year's 36,500 × 179/365 = 17,900.00.
    @Test func aQuotaIsProratedToThePlansEffectiveDates() throws {
        let output = try evaluate(
            plan: """
                plan "E" {
                  currency USD
                  period month
                  effective 2027-03-16 to 2027-09-10
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  let q = quota(bookings)
                  let year_q = quota(bookings, year)
                  component c = bookings * 1%
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,E,2027-01-01\n",
                "quotas.csv": "rep,period,amount\nR1,2027-03,3100\nR1,2027-09,3100\nR1,2027,36500\n"
                    + (4...8).map { "R1,2027-0\($0),3100\n" }.joined(),
                "transactions.csv": ledger([("2027-03-20", "R1", "100"), ("2027-09-05", "R1", "100")]),
            ])
        func values(_ name: String) -> [String] {
            output.measures.filter { $0.measure == name }.map { "\($0.period) \($0.valueText(fractionDigits: 6))" }
        }
        #expect(values("q").first == "2027-03 1600.000000")
        #expect(values("q").last == "2027-09 1033.330000")  // the value a `let` of money shows: cents
        #expect(values("q").dropFirst().dropLast().allSatisfy { $0.hasSuffix(" 3100.000000") })
        #expect(Set(values("year_q").map { $0.split(separator: " ")[1] }) == ["17900.000000"])
    }
    /// A division at the top of a `match` arm is rounded once, by the value's rule, as in an `if`:
    /// 50 / 10,001 = 0.0049995… rounds half up to 0.00 (rounded to 6 digits first, 0.005000, it
    /// had paid 0.01 where the same `if` paid 0.00).
    @Test func aDivisionInAMatchArmIsRoundedOnce() throws {
        let output = try evaluate(
            plan: """
                plan "M" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  measure deals = count(sales)
                  let by_match = match deals { 1 => bookings / 10001 else => 0 USD } round half_up 2
                  let by_if = if deals == 1 then bookings / 10001 else 0 USD round half_up 2
                  component c = by_match + by_if
                }
                """,
            files: oneRepFiles(ledger([("2027-01-10", "R1", "50")]), plan: "M"))
        let values = output.measures.filter { $0.measure.hasPrefix("by_") }.map { "\($0.measure) \($0.valueText(fractionDigits: 2))" }
        #expect(values == ["by_match 0.00", "by_if 0.00"])
    }
    /// A plan in force from 2027-01-16: B's roster row ends on the 10th, so B has no day on the
    /// plan in January and no statement for it (the quota prorated to 0 had stopped the whole run
    /// with a division by zero); A is paid as usual, on a quota of 3,100 × 16/31 = 1,600.
    @Test func aRepWithNoDayOnThePlanInAPeriodHasNoStatementForIt() throws {
        let output = try evaluate(
            plan: """
                plan "E" {
                  currency USD
                  period month
                  effective 2027-01-16 to 2027-12-31
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  let attainment = bookings / quota(bookings) round half_even 6
                  component c = 100 USD when attainment >= 100%
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start,end\nA,Ana,E,2026-01-01,\nB,Ben,E,2026-01-01,2027-01-10\n",
                "quotas.csv": "rep,period,amount\nA,2027-01,3100\nB,2027-01,3100\n",
                "transactions.csv": ledger([("2027-01-05", "B", "500"), ("2027-01-20", "A", "1600")]),
            ])
        #expect(totals(output) == ["A 2027-01 100.00"])
    }
    /// A cap of 125 a period and of 1,000 a year on the total: September earns 600, the cap per
    /// period takes it to 125 and the year, paid 1,000 by August, to 0. The note says both (the
    /// yearly cap's alone, "from 125.00 USD", had hidden the step from 600).
    @Test func everyLimitThatBindsIsInTheNote() throws {
        let output = try evaluate(
            plan: """
                plan "CAPS" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component commission = bookings * 6%
                  cap total at 125 USD per period
                  cap total at 1000 USD per year
                }
                """,
            files: oneRepFiles(ledger((1...9).map { ("2027-0\($0)-10", "R1", "10000") }), plan: "CAPS"))
        #expect(totals(output).last == "R1 2027-09 0.00")
        let september = try #require(output.payouts.last { $0.component == "total" })
        let note = try #require(september.trace.flatMap { output.traces[$0].limit })
        #expect(
            note.replacingOccurrences(of: #" \([^()]*test\.plan:\d+:\d+\)"#, with: "", options: .regularExpression)
                == "cap at 125.00 USD, from 600.00 USD; cap per year at 1000.00 USD (1000.00 USD paid in the year so far: 0.00 USD left), from 125.00 USD")
    }
}

/// Counts made fractional by a rate: a count credit weighted by 50%, or shared out by splits.csv,
/// is a rate (count × rate), summed and paid exactly; the measure rounded 0 digits, as a count,
/// had paid units never sold.
@Suite struct FractionalCounts {
    /// 3 units at 50% are 1.5 (10 USD × 1.5 = 15.00), 5 at 50% are 2.5 (25.00): rounded as a
    /// count they had been 2 and 2 (20.00 each).
    @Test func aWeightedCountIsNotRoundedToWholeUnits() throws {
        let plan = """
            plan "T" {
              currency USD
              period month
              credit units {
                amount txn.quantity
                weight 50%
              }
              measure u = sum(units)
              component c = 10 USD * u
            }
            """
        let checked = PlanChecker.check(source: SourceFile(path: "t.plan", text: plan))
        #expect(try #require(checked.plan).creditRules[0].type == ValueType.rate)
        let output = try evaluate(
            plan: plan,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,T,2026-01-01\n", "quotas.csv": "rep,period,amount\n",
                "transactions.csv": "id,date,rep,amount,currency,quantity\nT1,2027-01-05,R1,1,USD,3\nT2,2027-02-05,R1,1,USD,5\n",
            ])
        #expect(output.measures.map { "\($0.period) \($0.valueText(fractionDigits: $0.digits))" } == ["2027-01 1.500000", "2027-02 2.500000"])
        #expect(output.payouts.filter { $0.component == "c" }.map { $0.amount.formatted(fractionDigits: 2) } == ["15.00", "25.00"])
    }

    /// A 3-unit deal split 50/50 credits 1.5 units to each partner: 150.00 each at 100 USD a unit,
    /// 300.00 in all (rounded as counts, each had been 2 units: 400.00 for 3 units sold). Without a
    /// weight or splits the credit stays a count.
    @Test func aCountSharedBySplitsIsNotRoundedToWholeUnits() throws {
        let plan = """
            plan "T" {
              currency USD
              period month
              credit units {
                amount txn.quantity
                to splits
              }
              credit whole { amount txn.quantity }
              measure u = sum(units)
              measure w = sum(whole)
              component unit_bonus = 100 USD * u
            }
            """
        let checked = PlanChecker.check(source: SourceFile(path: "t.plan", text: plan)).plan
        #expect(checked?.creditRules.map(\.type) == [ValueType.rate, ValueType.count])
        let output = try evaluate(
            plan: plan,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,T,2026-01-01\nR2,Ben,T,2026-01-01\n", "quotas.csv": "rep,period,amount\n",
                "transactions.csv": "id,date,rep,amount,currency,quantity\nT1,2027-01-05,R1,1000,USD,3\n",
                "splits.csv": "txn,rep,share\nT1,R1,0.5\nT1,R2,0.5\n",
            ])
        #expect(
            output.measures.map { "\($0.rep) \($0.measure) \($0.valueText(fractionDigits: $0.digits))" }
                == ["R1 u 1.500000", "R1 w 3", "R2 u 1.500000", "R2 w 0"])
        #expect(output.payouts.filter { $0.component == "unit_bonus" }.map { $0.amount.formatted(fractionDigits: 2) } == ["150.00", "150.00"])
    }

}

/// Findings of the oracle and docs reviews of reinstatements under a share and of yearly limits
/// without an amount in some periods.
@Suite struct ReinstatementsAndYearlyLimits {
    /// Commission 5% and a 250 SPIFF per deal in `window`, reversals charged back to the deal's
    /// period, with `effective` dates if given.
    static func bountyPlan(effective: String = "", window: String) -> String {
        """
        plan "P" {
          currency USD
          period month
        \(effective)  clawback {
            charge original_period
            window 365 days
          }
          credit sales { amount fx(txn.amount) }
          measure bookings = sum(sales)
          component commission = bookings * 5%
          component bounty = spiff {
            window \(window)
            pay 250 USD per deal
          }
        }
        """
    }

    /// Marginal tiers on a month's bookings, a quarterly bonus and a year-to-date rate, with
    /// charge-backs to the deal's period at `share`, and `more` lines (a cap).
    static func tieredChains(share: String, more: String = "") -> String {
        """
        plan "F3" {
          currency USD
          period month
          clawback {
            charge original_period
            share \(share)
            window 365 days
          }
          table tiers marginal on amount {
            up to 10000 USD           : 5%
            10000 USD to 30000 USD    : 8%
            30000 USD and above       : 12%
          }
          credit sales { amount fx(txn.amount) }
          measure bookings = sum(sales)
          measure bq = sum(sales) over qtd
          measure by = sum(sales) over ytd
          component commission = tiers(bookings)
          component qbonus = 500 USD when bq >= 20000 USD
          component ytdc = by * 1%
        \(more)}
        """
    }

    /// What `rep` is paid over every period of the run.
    static func paidInAll(_ output: RunOutput, rep: String) throws -> String {
        var sum = WideDecimal.zero
        for line in output.payouts where line.rep == rep && line.component == "total" { sum = try sum.adding(WideDecimal(line.amount)) }
        return sum.formatted(fractionDigits: 2)
    }

    /// Commission 7% and a 1,000 quarterly bonus at 60,000 of quarter-to-date bookings; half of a
    /// charge-back is taken back.
    static let halfClawback = """
        plan "CLW" {
          currency USD
          period month
          credit sales { amount fx(txn.amount) }
          measure bookings = sum(sales)
          measure bookings_qtd = sum(sales) over qtd
          component commission = bookings * 7%
          component qbonus = 1000 USD when bookings_qtd >= 60000 USD
          clawback {
            charge original_period
            share 50%
            window 180 days
          }
        }
        """

    /// A cancellation takes the share of a period it is charged back to but the whole of a period
    /// that counted it itself; a reinstatement gives back what was taken, so the rep ends paid as
    /// one who kept the deal (it gave back the share everywhere, and underpaid).
    @Test(arguments: [
        // T1 50,000 in January, T2 20,000 in February; T1 cancelled in March, reinstated in April.
        // Kept: January 3,500; February 1,400 + the bonus (70,000 in the quarter) = 2,400; March
        // the bonus, 1,000: 6,900. Cancelled: March takes back half of January's 3,500 (−1,750)
        // and of February's bonus (−500), and loses its own bonus whole (its quarter counted the
        // cancellation itself): −2,250. April gives back +1,750, +500 and March's +1,000 whole:
        // 3,250. 3,500 + 2,400 − 2,250 + 3,250 = 6,900.
        (
            "T1,2027-01-05,R1,50000,USD,\nT2,2027-02-05,R1,20000,USD,\nX1,2027-03-10,R1,-50000,USD,T1\nY1,2027-04-10,R1,50000,USD,X1\n",
            ["R1 2027-01 3500.00", "R1 2027-02 2400.00", "R1 2027-03 -2250.00", "R1 2027-04 3250.00"]
        ),
        // Cancelled in its own month (January pays nothing for it), reinstated in April: April
        // pays January's 3,500 whole, as kept.
        (
            "T1,2027-01-05,R1,50000,USD,\nX1,2027-01-20,R1,-50000,USD,T1\nY1,2027-04-10,R1,50000,USD,X1\n",
            ["R1 2027-01 0.00", "R1 2027-02 0.00", "R1 2027-03 0.00", "R1 2027-04 3500.00"]
        ),
        // Both in April: T1 (cancelled in January itself) reinstated, and T2 (30,000, paid in
        // January: 2,100) cancelled. January restated with T1 back: 80,000 → 5,600 + the bonus,
        // +4,500 whole; then without T2: 50,000 → 3,500, no bonus: half of −3,100, −1,550.
        // February and March: the bonus back whole (+1,000 each), then half of it taken (−500
        // each). April: 4,500 − 1,550 + 2 × 500 = 3,950; with January's 2,100, 6,050: as one who
        // kept T1 (January 6,600, February and March 1,000 each) and had T2 charged back in April
        // (−1,550 − 500 − 500).
        (
            "T1,2027-01-05,R1,50000,USD,\nT2,2027-01-10,R1,30000,USD,\nX1,2027-01-20,R1,-50000,USD,T1\n"
                + "Y1,2027-04-10,R1,50000,USD,X1\nZ2,2027-04-12,R1,-30000,USD,T2\n",
            ["R1 2027-01 2100.00", "R1 2027-02 0.00", "R1 2027-03 0.00", "R1 2027-04 3950.00"]
        ),
    ])
    func aReinstatementGivesBackWhatItsCancellationTook(ledger: String, expected: [String]) throws {
        let output = try evaluate(
            plan: Self.halfClawback,
            files: oneRepFiles("id,date,rep,amount,currency,reverses\n" + ledger, plan: "CLW"))
        #expect(totals(output) == expected)
    }

    /// A deal the plan never paid (dated before its effective dates: R1's T1; booked before R2
    /// joined: U1) is not paid by its reinstatement either: its cancellation took nothing back,
    /// and the reinstatement's 250 SPIFF per deal had been paid. R3's deal, paid, shows the chain
    /// still pays a reinstated deal that was paid: 250 in March, −250 with its cancellation in
    /// April, +250 with its reinstatement in May.
    @Test func aReinstatementOfADealNeverPaidPaysNoSpiff() throws {
        let plan = Self.bountyPlan(effective: "  effective 2027-02-01 to 2027-12-31\n", window: "2027-01-01 to 2027-12-31 by date")
        let output = try evaluate(
            plan: plan,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,A,P,2026-01-01\nR2,B,P,2027-02-10\nR3,C,P,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": "id,date,rep,amount,currency,reverses\nT1,2027-01-05,R1,3000,USD,\nT2,2027-03-05,R1,-3000,USD,T1\n"
                    + "T3,2027-05-05,R1,3000,USD,T2\nU1,2027-02-03,R2,1000,USD,\nU2,2027-03-05,R2,-1000,USD,U1\nU3,2027-05-05,R2,1000,USD,U2\n"
                    + "V1,2027-03-03,R3,1000,USD,\nV2,2027-04-05,R3,-1000,USD,V1\nV3,2027-05-05,R3,1000,USD,V2\n",
            ])
        #expect(totals(output, component: "bounty").filter { !$0.hasSuffix(" 0.00") } == ["R3 2027-03 250.00", "R3 2027-04 -250.00", "R3 2027-05 250.00"])
        #expect(totals(output).filter { !$0.hasSuffix(" 0.00") } == ["R3 2027-03 300.00", "R3 2027-04 -300.00", "R3 2027-05 300.00"])
    }

    /// A reinstated deal ends as if it had stood also when other charge-backs were made while it
    /// was cancelled, and when a month lost only the share of it: the period is restated against
    /// what it first paid with the deal standing and what it has been paid since. A keeps and
    /// cancels what B does, and has one more chain (cancelled and reinstated): both end paid
    /// alike.
    @Test(arguments: [
        // 1,000 when a month's bookings reach 30,000; a quarter of a charge-back taken back.
        // A1 25,000 and A2 10,000 in January, A1 cancelled in January itself (January pays
        // nothing), A2 cancelled in February (charged back: nothing to take, January paid
        // nothing), A1 reinstated in April. As kept: January 1,000, less a quarter of it for A2's
        // charge-back: 750, paid in April (it had paid nothing: step by step, 0).
        (
            """
            plan "F3" {
              currency USD
              period month
              clawback {
                charge original_period
                share 25%
                window 365 days
              }
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              component bonus = 1000 USD when bookings >= 30000 USD
            }
            """,
            "A1,2027-01-10,A,25000,USD,\nB1,2027-01-10,B,25000,USD,\nA2,2027-01-11,A,10000,USD,\nB2,2027-01-11,B,10000,USD,\n"
                + "A3,2027-01-20,A,-25000,USD,A1\nA4,2027-02-10,A,-10000,USD,A2\nB4,2027-02-10,B,-10000,USD,B2\nA5,2027-04-10,A,25000,USD,A3\n",
            ["A 2027-04 750.00", "B 2027-01 1000.00", "B 2027-02 -250.00"]
        ),
        // 500 when the quarter's bookings reach 20,000; 60% of a charge-back taken back. A2
        // (22,000, January) cancelled in March (the quarter still holds A1's 25,000: nothing
        // lost), A1 cancelled in April: 60% of 500 taken from each of January, February and
        // March (−900). Both reinstated in May: +900, what was taken (March lost 300, not the
        // 500 it had been given back, step by step, as a month that counted A2's cancellation).
        (
            """
            plan "F3" {
              currency USD
              period month
              clawback {
                charge original_period
                share 60%
                window 365 days
              }
              credit sales { amount fx(txn.amount) }
              measure bq = sum(sales) over qtd
              component qbonus = 500 USD when bq >= 20000 USD
            }
            """,
            "A1,2027-01-10,A,25000,USD,\nB1,2027-01-10,B,25000,USD,\nA2,2027-01-20,A,22000,USD,\nB2,2027-01-20,B,22000,USD,\n"
                + "A3,2027-03-10,A,-22000,USD,A2\nA4,2027-04-05,A,-25000,USD,A1\nA5,2027-05-10,A,22000,USD,A3\nA6,2027-05-20,A,25000,USD,A4\n",
            [
                "A 2027-01 500.00", "A 2027-02 500.00", "A 2027-03 500.00", "A 2027-04 -900.00", "A 2027-05 900.00",
                "B 2027-01 500.00", "B 2027-02 500.00", "B 2027-03 500.00",
            ]
        ),
    ])
    func aReinstatedDealEndsAsIfItHadStood(plan: String, ledger: String, expected: [String]) throws {
        let output = try evaluate(
            plan: plan,
            files: [
                "roster.csv": "rep,name,plan,start\nA,A,F3,2027-01-01\nB,B,F3,2027-01-01\n", "quotas.csv": "rep,period,amount\n",
                "transactions.csv": "id,date,rep,amount,currency,reverses\n" + ledger,
            ])
        #expect(totals(output).filter { !$0.hasSuffix(" 0.00") } == expected)
    }

    /// Three chains of one rep (A1), each ending reinstated, one of them cancelled and reinstated
    /// twice, under 60% charge-backs, tiers, a quarterly bonus and a year-to-date rate: the year
    /// pays A1 what it pays B1, who kept every deal (a later reinstatement had restated May
    /// against May as first paid, without the deal an earlier reinstatement had put back: 47.68
    /// short; step by step, June had been given back a cent more than it lost).
    @Test func reinstatementsOfSeveralChainsEndAsIfTheDealsHadStood() throws {
        let plan = Self.tieredChains(share: "60%")
        let ledger = """
            id,date,rep,amount,currency,reverses
            T19,2027-01-15,A1,9299.42,USD,
            T20,2027-01-15,B1,9299.42,USD,
            T21,2027-03-01,A1,-9299.42,USD,T19
            T22,2027-03-02,A1,9299.42,USD,T21
            T35,2027-04-08,A1,11919.5,USD,
            T36,2027-04-08,B1,11919.5,USD,
            T37,2027-05-23,A1,-11919.5,USD,T35
            T31,2027-06-20,A1,39278.16,USD,
            T32,2027-06-20,B1,39278.16,USD,
            T38,2027-06-22,A1,11919.5,USD,T37
            T39,2027-08-06,A1,-11919.5,USD,T38
            T33,2027-09-18,A1,-39278.16,USD,T31
            T40,2027-11-04,A1,11919.5,USD,T39
            T34,2027-11-17,A1,39278.16,USD,T33

            """
        let output = try evaluate(
            plan: plan,
            files: ["roster.csv": "rep,name,plan,start\nA1,A,F3,2027-01-01\nB1,B,F3,2027-01-01\n", "quotas.csv": "rep,period,amount\n", "transactions.csv": ledger])
        #expect(try Self.paidInAll(output, rep: "B1") == "9165.08")
        #expect(try Self.paidInAll(output, rep: "A1") == "9165.08")
        // November gives back what each month lost: May 71.52 (60% of 119.20), June 2,535.21
        // (71.51 + 2,463.70, not a cent more).
        let november = try #require(output.payouts.first { $0.rep == "A1" && $0.period == "2027-11" && $0.component == "total" })
        let note = try #require(november.trace.map { output.traces[$0].limit }) ?? ""
        #expect(note.contains("restated 2027-05: +71.52 USD; restated 2027-06: +2535.21 USD"), "\(note)")
    }

    /// A rep who left has a SPIFF taken back with a cancellation and given back with the
    /// reinstatement, as one who stayed: both judged on the deal's date (the reinstatement had been
    /// judged on its cancellation's, after R3 left: the 250 stayed taken).
    @Test func aRepWhoLeftGetsASpiffBackWithAReinstatement() throws {
        let plan = Self.bountyPlan(window: "2027-04-01 to 2027-08-31 by effective_date")
        let output = try evaluate(
            plan: plan,
            files: [
                "roster.csv": "rep,name,plan,start,end\nR1,A,P,2027-01-01,\nR3,C,P,2027-01-01,2027-06-15\n", "quotas.csv": "rep,period,amount\n",
                "transactions.csv": "id,date,rep,amount,currency,reverses\nT1,2027-05-18,R3,2000,USD,\nT2,2027-06-27,R3,-2000,USD,T1\n"
                    + "T3,2027-07-17,R3,2000,USD,T2\nU1,2027-05-18,R1,2000,USD,\nU2,2027-06-27,R1,-2000,USD,U1\nU3,2027-07-17,R1,2000,USD,U2\n",
            ])
        for rep in ["R1", "R3"] {
            #expect(totals(output, component: "bounty").filter { $0.hasPrefix(rep) && !$0.hasSuffix(" 0.00") }
                == ["\(rep) 2027-05 250.00", "\(rep) 2027-06 -250.00", "\(rep) 2027-07 250.00"])
            #expect(totals(output).filter { $0.hasPrefix(rep) && !$0.hasSuffix(" 0.00") } == ["\(rep) 2027-05 350.00", "\(rep) 2027-06 -350.00", "\(rep) 2027-07 350.00"])
        }
    }

    /// A reinstated deal's period is restated with the charge-backs made since as they would have
    /// been made with the deal standing, each rounded as it was made: the rep ends paid to the
    /// cent as one who kept the deal (rounded once, 599.99 + a cent off). Commission 5%, half of a
    /// charge-back taken back. X 10,000 (January) is cancelled in January itself and reinstated
    /// in April; Y1 and Y2 (2,000.20 each) are cancelled in February and March. Kept: January
    /// 700.02, each cancellation half of 100.01 = 50.005 → 50.00 (half even): 600.02. Reinstated:
    /// January 200.02, February and March −50.00 each, April 500.00: 600.02.
    @Test func aReinstatedDealIsPaidToTheCentAsIfItHadStood() throws {
        let plan = """
            plan "C" {
              currency USD
              period month
              clawback {
                charge original_period
                share 50%
                window 365 days
              }
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              component commission = bookings * 5%
            }
            """
        let output = try evaluate(
            plan: plan,
            files: [
                "roster.csv": "rep,name,plan,start\nA,A,C,2027-01-01\nK,K,C,2027-01-01\n", "quotas.csv": "rep,period,amount\n",
                "transactions.csv": "id,date,rep,amount,currency,reverses\nX,2027-01-05,A,10000,USD,\nY1,2027-01-06,A,2000.20,USD,\n"
                    + "Y2,2027-01-07,A,2000.20,USD,\nXK,2027-01-05,K,10000,USD,\nY1K,2027-01-06,K,2000.20,USD,\nY2K,2027-01-07,K,2000.20,USD,\n"
                    + "XC,2027-01-20,A,-10000,USD,X\nY1C,2027-02-10,A,-2000.20,USD,Y1\nY1KC,2027-02-10,K,-2000.20,USD,Y1K\n"
                    + "Y2C,2027-03-10,A,-2000.20,USD,Y2\nY2KC,2027-03-10,K,-2000.20,USD,Y2K\nXR,2027-04-10,A,10000,USD,XC\n",
            ])
        #expect(totals(output).filter { !$0.hasSuffix(" 0.00") } == [
            "A 2027-01 200.02", "A 2027-02 -50.00", "A 2027-03 -50.00", "A 2027-04 500.00",
            "K 2027-01 700.02", "K 2027-02 -50.00", "K 2027-03 -50.00",
        ])
    }

    /// A yearly cap's cut is not revisited by a later reinstatement: both reps have a restatement
    /// of September cut to nothing by the 6,000 cap in October; A also cancels a September deal in
    /// December and reinstates it in March 2028. The reinstatement gives back what the December
    /// cancellation took, not the October cut too (172.33 more had been paid, past the cap).
    @Test func aReinstatementDoesNotPayBackAYearlyCapsCut() throws {
        let plan = Self.tieredChains(share: "87.5%", more: "  cap total at 6000 USD per year\n")
        var ledger = "id,date,rep,amount,currency,reverses\n"
        for rep in ["A1", "B1"] {
            let k = rep == "A1" ? "" : "K"
            ledger += "T19\(k),2027-05-10,\(rep),17233,USD,\nT27\(k),2027-05-14,\(rep),26807.48,USD,\nT21\(k),2027-08-08,\(rep),-17233,USD,T19\(k)\n"
                + "T11\(k),2027-09-06,\(rep),3027.1,USD,\nT23\(k),2027-10-07,\(rep),17233,USD,T21\(k)\nT25\(k),2027-12-06,\(rep),-17233,USD,T23\(k)\n"
        }
        ledger += "T13,2027-12-05,A1,-3027.1,USD,T11\nT14,2028-03-04,A1,3027.1,USD,T13\n"
        let output = try evaluate(
            plan: plan,
            files: ["roster.csv": "rep,name,plan,start\nA1,A,F3,2027-01-01\nB1,B,F3,2027-01-01\n", "quotas.csv": "rep,period,amount\n", "transactions.csv": ledger])
        #expect(try Self.paidInAll(output, rep: "A1") == "3939.47")
        #expect(try Self.paidInAll(output, rep: "B1") == "3939.47")
    }

    /// A reinstatement restates the later months whose year-to-date measures held the deal only
    /// where the plan computed the rep: R1 leaves at the end of March, so April, restated, had
    /// been paid 10.00 (in full: it never counted the cancellation) for a month off the plan.
    /// Commission 10% and 1% of year-to-date bookings; D 1,000 in January, cancelled in
    /// February, reinstated in May (half of a charge-back taken back). Kept: January 110.00,
    /// February 1% of 1,010 + 1.00 = 11.10, March 11.20: 132.30. Cancelled: February takes back
    /// half of January's 110 and pays its own 0.10 + 1.00 = −53.90, March 1.20; May gives back
    /// 55.00 for January, and February's and March's 10.00 whole (they counted the
    /// cancellation themselves): 75.00. 110 − 53.90 + 1.20 + 75 = 132.30.
    @Test func aReinstatementRestatesOnlyMonthsThePlanComputed() throws {
        let plan = """
            plan "G" {
              currency USD
              period month
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              measure ytdb = sum(sales) over ytd
              component commission = bookings * 10%
              component ytdc = ytdb * 1%
              clawback {
                charge original_period
                share 50%
                window 365 days
              }
            }
            """
        let output = try evaluate(
            plan: plan,
            files: [
                "roster.csv": "rep,name,plan,start,end\nR1,Ana,G,2026-01-01,2027-03-31\nR2,Bo,G,2026-01-01,\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": "id,date,rep,amount,currency,reverses\nD,2027-01-05,R1,1000,USD,\nX2,2027-02-15,R1,10,USD,\n"
                    + "X3,2027-03-15,R1,10,USD,\nC,2027-02-10,R1,-1000,USD,D\nR,2027-05-10,R1,1000,USD,C\nZ,2027-06-10,R2,10,USD,\n",
            ])
        #expect(totals(output).filter { $0.hasPrefix("R1") && !$0.hasSuffix(" 0.00") } == [
            "R1 2027-01 110.00", "R1 2027-02 -53.90", "R1 2027-03 1.20", "R1 2027-05 75.00",
        ])
    }

    /// R1 has no target incentive until March, then 30,000: the yearly cap is 30,000 / 30 = 1,000
    /// from March. January pays 6% × 20,000 = 1,200 (no cap yet); March earns 1,200 again, but the
    /// year has paid 1,200 already, past the cap: 0 (the month without a bound had not been
    /// counted, and March paid 1,000 more). The same for a cap on the component.
    @Test(arguments: ["total", "commission"])
    func aYearlyCapCountsMonthsItHadNoAmountFor(target: String) throws {
        let plan = """
            plan "F1" {
              currency USD
              period month
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              component commission = bookings * 6%
              cap \(target) at rep.target_incentive / 30 per year
            }
            """
        let output = try evaluate(
            plan: plan,
            files: [
                "roster.csv": "rep,name,plan,start,end,target_incentive\nR1,A,F1,2026-01-01,2027-02-28,\nR1,A,F1,2027-03-01,,30000\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-05,R1,20000,USD\nT2,2027-03-05,R1,20000,USD\n",
            ])
        #expect(totals(output) == ["R1 2027-01 1200.00", "R1 2027-02 0.00", "R1 2027-03 0.00"])
        #expect(totals(output, component: "commission") == ["R1 2027-01 1200.00", "R1 2027-02 0.00", "R1 2027-03 \(target == "total" ? "1200.00" : "0.00")"])
    }
}

/// A limit's bound that reads only the roster row is evaluated once per payee and row; one that
/// reads a measure, every period.
@Suite struct LimitBoundsPerRosterRow {
    /// Commission is 10% of sales. R1's cap is 3 × incentive / 12: 30,000 in January and
    /// February (incentive 120,000), 3,000 from March (a new row, 12,000), 30,000 again in May
    /// (a third row). R2, after R1 in the same shard, has its own incentive, 24,000: cap 6,000.
    /// Sales of 500,000 a month earn 50,000, so every month pays its cap.
    @Test func aBoundOfTheRosterRowFollowsEachRowAndPayee() throws {
        var deals: [(String, String, String)] = []
        for month in 1...6 {
            deals.append(("2027-0\(month)-10", "R1", "500000"))
            deals.append(("2027-0\(month)-11", "R2", "500000"))
        }
        let output = try evaluate(
            plan: commissionPlan("  cap total at round(3 * rep.target_incentive / 12, 2) per period", id: "LB"),
            files: [
                "roster.csv": "rep,name,plan,start,end,target_incentive\nR1,Ana,LB,2026-01-01,2027-02-28,120000\n"
                    + "R1,Ana,LB,2027-03-01,2027-04-30,12000\nR1,Ana,LB,2027-05-01,,120000\nR2,Bo,LB,2026-01-01,,24000\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": ledger(deals),
            ])
        #expect(
            totals(output) == [
                "R1 2027-01 30000.00", "R1 2027-02 30000.00", "R1 2027-03 3000.00", "R1 2027-04 3000.00", "R1 2027-05 30000.00",
                "R1 2027-06 30000.00", "R2 2027-01 6000.00", "R2 2027-02 6000.00", "R2 2027-03 6000.00", "R2 2027-04 6000.00",
                "R2 2027-05 6000.00", "R2 2027-06 6000.00",
            ])
    }

    /// Twenty reps, more than a shard's one payee (each shard evaluates several payees with one
    /// evaluator): rep n's incentive is 12,000 × n, its cap 3,000 × n, and January's sales of
    /// 1,000,000 (commission 100,000) pay each its own cap.
    @Test func eachPayeeOfAShardHasItsOwnBound() throws {
        let reps = (1...20).map { $0 < 10 ? "R0\($0)" : "R\($0)" }
        var roster = "rep,name,plan,start,target_incentive\n"
        for (index, rep) in reps.enumerated() { roster += "\(rep),N,LB,2026-01-01,\(12000 * (index + 1))\n" }
        let output = try evaluate(
            plan: commissionPlan("  cap total at round(3 * rep.target_incentive / 12, 2) per period", id: "LB"),
            files: [
                "roster.csv": roster, "quotas.csv": "rep,period,amount\n",
                "transactions.csv": ledger(reps.map { ("2027-01-10", $0, "1000000") }),
            ])
        #expect(totals(output) == reps.enumerated().map { "\($0.element) 2027-01 \(3000 * ($0.offset + 1)).00" })
    }

    /// A cap of 2.5% of the month's bookings reads a measure; the commission's cap of 40 USD
    /// plus the incentive (120) over 1,000 reads only the rep's row: 40.12 every month.
    /// January: sales 1,000, commission 100 capped at 40.12, total capped at 25.00. February:
    /// 10,000,000, commission 40.12, total cap 250,000 (January's 25.00 kept would have paid
    /// 25.00). March: 60, commission 6.00, total capped at 1.50.
    @Test func aBoundReadingAMeasureIsEvaluatedEachPeriod() throws {
        let output = try evaluate(
            plan: commissionPlan("""
                  cap total at round(bookings / 40, 2) per period
                  cap commission at round(40 USD + rep.target_incentive / 1000, 2) per period
                """, id: "LM"),
            files: [
                "roster.csv": "rep,name,plan,start,target_incentive\nR1,Ana,LM,2026-01-01,120\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": ledger([("2027-01-10", "R1", "1000"), ("2027-02-10", "R1", "10000000"), ("2027-03-10", "R1", "60")]),
            ])
        #expect(totals(output, component: "commission") == ["R1 2027-01 40.12", "R1 2027-02 40.12", "R1 2027-03 6.00"])
        #expect(totals(output) == ["R1 2027-01 25.00", "R1 2027-02 40.12", "R1 2027-03 1.50"])
    }
}
