import CompDiagnostics
import CompCore
import Engine
import Foundation
import Ledger
import PlanLanguage
import PlanModel
import RunResults
import Testing

/// Review findings: each test states the documented behaviour and fails on the current engine.
@Suite struct ReviewFindings {
    /// docs/language.md: "`per year` bounds the fiscal-year-to-date payout" and `floor total at 500
    /// USD per year`. A ledger that covers exactly the fiscal year (the normal case) never gets the
    /// floor: ReferenceEvaluator.applyLimits only tops up when a *next* run period exists.
    @Test func perYearFloorAppliesInTheLastPeriodOfTheRun() throws {
        let output = try evaluate(
            plan: """
                plan "FLOOR" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component commission = bookings * 10%
                  floor total at 500 USD per year
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,FLOOR,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": ledger([("2027-01-05", "R1", "1000"), ("2027-12-05", "R1", "0")]),
            ])
        // January pays 100.00; December must top the year up to 500.00.
        #expect(totals(output).last == "R1 2027-12 400.00")
    }

    /// docs/language.md (Quotas): "rows with an empty `measure` column belong to the plan's first
    /// measure". The engine uses them for *any* measure without its own row (Expressions.swift:204),
    /// so `quota(deals)` silently reads the bookings quota instead of failing.
    @Test func emptyMeasureQuotaRowsBelongOnlyToTheFirstMeasure() throws {
        #expect(throws: EvaluationError.self) {
            _ = try evaluate(
                plan: """
                    plan "Q2" {
                      currency USD
                      period month
                      credit sales { amount fx(txn.amount) }
                      measure bookings = sum(sales)
                      measure deals = count(sales)
                      quota bookings per month
                      quota deals per month
                      let attainment = bookings / quota(bookings) round half_even 6
                      let deal_attainment = deals / quota(deals) round half_even 6
                      component commission = bookings * 1%
                    }
                    """,
                files: [
                    "roster.csv": "rep,name,plan,start\nR1,Ana,Q2,2026-01-01\n",
                    "quotas.csv": "rep,period,amount,measure\nR1,2027-01,10000,\n",
                    "transactions.csv": ledger([("2027-01-05", "R1", "1000"), ("2027-01-06", "R1", "1000")]),
                ])
        }
    }

    /// docs/language.md (Accelerators): the payout curve "is a multiplier on target incentive: at
    /// 75% attainment it is 75%; with a target incentive of 120,000 the month pays 75% × 10,000 =
    /// 7,500.00". The engine multiplies the looked-up rate by the value again (Expressions.swift:332):
    /// 75% × 75% × 10,000 = 5,625.00.
    @Test func payoutCurveIsAMultiplierOnTargetIncentive() throws {
        let output = try evaluate(
            plan: """
                plan "CURVE" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  let attainment = bookings / quota(bookings) round half_even 6
                  table payout_curve interpolated on amount {
                    up to 50%      : 0%
                    50% to 100%    : 50% -> 100%
                    100% to 200%   : 100% -> 300%
                    200% and above : 300%
                  }
                  component incentive = payout_curve(attainment) * rep.target_incentive / 12 round half_even 2
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start,target_incentive\nR1,Ana,CURVE,2026-01-01,120000\n",
                "quotas.csv": "rep,period,amount\nR1,2027-01,10000\n",
                "transactions.csv": ledger([("2027-01-05", "R1", "7500")]),
            ])
        #expect(totals(output, component: "incentive") == ["R1 2027-01 7500.00"])
    }

    /// docs/language.md (Header): with `fiscal_year_start 2`, quarter `2028-Q1` is February–April
    /// 2027. quotas.csv is parsed with the calendar year (Runner.swift:112 passes no fiscal calendar,
    /// and the test helper mirrors it), so the plan's 2028-Q1 quota row is filed under Jan–Mar 2028
    /// and the evaluator reports "no quota" for a row that is there.
    @Test func fiscalQuarterQuotaIsFound() throws {
        let output = try evaluate(
            plan: """
                plan "FY" {
                  currency USD
                  period quarter
                  fiscal_year_start 2
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  quota bookings per quarter
                  let attainment = bookings / quota(bookings) round half_even 6
                  component commission = bookings * 4%
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,FY,2026-01-01\n",
                "quotas.csv": "rep,period,amount\nR1,2028-Q1,10000\n",
                "transactions.csv": ledger([("2027-02-10", "R1", "5000")]),
            ])
        #expect(output.measures.first { $0.measure == "attainment" }?.valueText(fractionDigits: 6) == "0.500000")
    }

    /// A reversal row of a split deal has no splits.csv rows of its own (splits name the deal). The
    /// engine credits it 100% to the transaction's rep (ReferenceEvaluator.swift:356-364), so the
    /// owner is charged the whole deal and the partner keeps its 40% forever.
    @Test func reversalOfASplitDealIsSplitLikeTheDeal() throws {
        let output = try evaluate(
            plan: """
                plan "SPLIT" {
                  currency USD
                  period month
                  credit sales {
                    amount fx(txn.amount)
                    to splits
                  }
                  measure bookings = sum(sales)
                  component commission = bookings * 10%
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,SPLIT,2026-01-01\nR2,Ben,SPLIT,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "splits.csv": "txn,rep,share\nT1,R1,0.6\nT1,R2,0.4\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,reverses
                    T1,2027-01-05,R1,100000,USD,new,
                    T2,2027-02-05,R1,-100000,USD,new,T1

                    """,
            ])
        #expect(
            totals(output, component: "commission") == [
                "R1 2027-01 6000.00", "R1 2027-02 -6000.00", "R2 2027-01 4000.00", "R2 2027-02 -4000.00",
            ])
    }

    /// `period year`, the payout period FORMATS.md names `YYYY`. Fiscal years from April, named
    /// after the year they end in: 2027 is April 2026 to March 2027.
    /// - R1, 2027: 60,000 + 50,000 = 110,000 against 100,000 (110%): retroactive 8% = 8,800.00,
    ///   the 1,000 kicker; 10% of the commission held is released with the period (a year ends a
    ///   quarter): 9,800.00. 2028: 10,000 of 50,000 (20%): 5% = 500.00.
    /// - R2 joins 2026-10-01: 182 of 2027's 365 days, a quota of 100,000 × 182/365 = 49,863.013699;
    ///   30,000 is 60.1648%: 5% = 1,500.00. 2028: 100,000 of 80,000: 8% = 8,000 + 1,000 = 9,000.00.
    @Test func aYearlyPlanPaysPerFiscalYear() throws {
        let output = try evaluate(
            plan: """
                plan "YR" {
                  currency USD
                  period year
                  fiscal_year_start 4
                  credit sales {
                    amount fx(txn.amount)
                  }
                  measure bookings = sum(sales)
                  measure bookings_ytd = sum(sales) over ytd
                  quota bookings per year prorate actual_days
                  let attainment = bookings / quota(bookings) round half_even 6
                  table tiers retroactive on attainment {
                    up to 100%     : 5%
                    100% and above : 8%
                  }
                  component commission = tiers(bookings, quota(bookings))
                  component kicker = 1000 USD when bookings >= quota(bookings)
                  cap total at 10000 USD per year
                  holdback 10% of commission release quarter_end
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,YR,2026-04-01\nR2,Ben,YR,2026-10-01\n",
                "quotas.csv": "rep,period,amount\nR1,2027,100000\nR2,2027,100000\nR1,2028,50000\nR2,2028,80000\n",
                "transactions.csv": """
                    id,date,rep,amount,currency
                    T1,2026-05-10,R1,60000,USD
                    T2,2027-02-10,R1,50000,USD
                    T3,2026-12-01,R2,30000,USD
                    T4,2027-06-01,R1,10000,USD
                    T5,2027-07-01,R2,100000,USD

                    """,
            ])
        #expect(totals(output, component: "commission") == ["R1 2027 8800.00", "R1 2028 500.00", "R2 2027 1500.00", "R2 2028 8000.00"])
        #expect(totals(output) == ["R1 2027 9800.00", "R1 2028 500.00", "R2 2027 1500.00", "R2 2028 9000.00"])
        #expect(output.measures.filter { $0.measure == "attainment" }.map { $0.valueText(fractionDigits: 6) } == [
            "1.100000", "0.200000", "0.601648", "1.250000",
        ])
    }

    /// A holdback is released with the plan's last effective period when the plan ends before the
    /// quarter does: no later period of the plan would ever release it. January: 10% × 1,000 =
    /// 100, 10.00 held, pays 90.00; February: 50, 5.00 held, and the 15.00 held is released:
    /// 45.00 + 15.00 = 60.00 (it had paid 45.00 and kept the 15.00 for good). T4 (March) is
    /// outside the effective dates.
    @Test func aHoldbackIsReleasedWhenThePlanEnds() throws {
        let output = try evaluate(
            plan: """
                plan "HE" {
                  currency USD
                  period month
                  effective 2027-01-01 to 2027-02-28
                  credit sales {
                    amount fx(txn.amount)
                  }
                  measure bookings = sum(sales)
                  component commission = bookings * 10%
                  holdback 10% of commission release quarter_end
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,HE,2027-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-10,R1,1000,USD\nT3,2027-02-27,R1,500,USD\nT4,2027-03-15,R1,700,USD\n",
            ])
        #expect(totals(output) == ["R1 2027-01 90.00", "R1 2027-02 60.00"])
    }

    /// The plan's last effective period is computed when the ledger runs past it, even without a
    /// row of its own: it releases what is held. May: 3% × 1,000 = 30.00, 25% held: 22.50; June
    /// (the plan ends 2027-06-13; T2 in July is outside its dates): the 7.50 released. June had
    /// not been a period, and the 7.50 was never paid.
    @Test func thePlansLastEffectivePeriodIsComputed() throws {
        let output = try evaluate(
            plan: """
                plan "PM" {
                  currency USD
                  period month
                  effective 2027-05-09 to 2027-06-13
                  credit sales {
                    amount fx(txn.amount)
                  }
                  measure bookings = sum(sales)
                  component commission = bookings * 3%
                  holdback 25% of commission release year_end
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,PM,2027-04-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": "id,date,rep,amount,currency\nT1,2027-05-15,R1,1000,USD\nT2,2027-07-05,R1,500,USD\n",
            ])
        #expect(totals(output) == ["R1 2027-05 22.50", "R1 2027-06 7.50"])
        #expect(output.credited == [true, false])
    }

    /// A yearly cap whose bound falls mid-year (the target incentive drops from 120,000 to 1,000)
    /// never takes money back: January pays 1,000 and February 100 under a cap of 1,200; March's
    /// cap of 10 was passed already (room 10 − 1,100 = −1,090), so March pays 0.00, not −1,090.
    @Test func aYearlyCapPassedAlreadyPaysNothingMore() throws {
        let output = try evaluate(
            plan: """
                plan "YC" {
                  currency USD
                  period month
                  credit s {
                    amount fx(txn.amount)
                  }
                  measure b = sum(s)
                  component commission = b * 10%
                  cap total at rep.target_incentive * 1% per year
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start,end,target_incentive\nR1,Ana,YC,2027-01-01,2027-02-28,120000\nR1,Ana,YC,2027-03-01,,1000\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-10,R1,10000,USD\nT2,2027-02-10,R1,1000,USD\nT3,2027-03-10,R1,1000,USD\n",
            ])
        #expect(totals(output) == ["R1 2027-01 1000.00", "R1 2027-02 100.00", "R1 2027-03 0.00"])
    }

    /// Tables whose tier condition applies the table before it twice: each application evaluated
    /// the conditions below again, 2^40 evaluations for 40 tables (a run never finished). Each
    /// condition is now evaluated once per payee and period. Bookings of 500: every condition
    /// holds (t0(500) = 2% × 500 = 10 ≥ 0), so t39 pays 2% = 10.00.
    @Test func tierConditionsAreEvaluatedOncePerPeriod() throws {
        var text = "plan \"G\" {\n  currency USD\n  period month\n  credit s {\n    amount fx(txn.amount)\n  }\n  measure b = sum(s)\n"
        text += "  table t0 retroactive on amount {\n    up to 100 USD : 1%\n    100 USD and above : 2%\n  }\n"
        for index in 1..<40 {
            text += "  table t\(index) retroactive on amount {\n    up to 100 USD : 1%\n"
                + "    100 USD and above : 2% if t\(index - 1)(b) >= 0 USD and t\(index - 1)(b) >= 0 USD\n  }\n"
        }
        text += "  component c = t39(b)\n}\n"
        let output = try evaluate(
            plan: text,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,G,2027-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-10,R1,500,USD\n",
            ])
        #expect(totals(output) == ["R1 2027-01 10.00"])
    }

    /// A plan that ended before the ledger begins gets no period, holdback or not: its last
    /// effective period had been added (and looked up a December quota no one had).
    @Test func aPlanThatEndedBeforeTheLedgerGetsNoPeriod() throws {
        let output = try evaluate(
            plan: """
                plan "OLD" {
                  currency USD
                  period month
                  effective 2026-01-01 to 2026-12-31
                  credit s {
                    amount fx(txn.amount)
                  }
                  measure b = sum(s)
                  let att = b / quota(b)
                  component c = b * 10% when att > 50%
                  holdback 10% of total release quarter_end
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start,end\nR1,Ana,OLD,2026-01-01,2026-12-31\nR1,Ana,NEW,2027-01-01,\n",
                "quotas.csv": "rep,period,amount\nR1,2027-01,1000\n",
                "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-05,R1,1000,USD\n",
            ])
        #expect(output.payouts.isEmpty)
    }

    /// A yearly floor is not applied again when its top-up period is restated: a deal reversed
    /// after its year's last period is taken back whole (language.md). January 5% × 1,000 = 50;
    /// December 5% × 4,000 = 200, topped up to the floor: 450 (the year pays 500). T2 reversed in
    /// January 2028: −200.00 (the restated December had been floored again, and nothing was
    /// taken back).
    @Test func aYearlyFloorIsNotAppliedAgainWhenRestating() throws {
        let output = try evaluate(
            plan: """
                plan "MO" {
                  currency USD
                  period month
                  credit sales {
                    amount fx(txn.amount)
                  }
                  measure bookings = sum(sales)
                  component commission = bookings * 5%
                  floor total at 500 USD per year
                  clawback {
                    charge original_period
                    share 100%
                    window 180 days
                  }
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,MO,2027-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,reverses
                    T1,2027-01-10,R1,1000,USD,
                    T2,2027-12-10,R1,4000,USD,
                    V2,2028-01-15,R1,-4000,USD,T2

                    """,
            ])
        let paid = totals(output)
        #expect(paid.first == "R1 2027-01 50.00")
        #expect(paid.contains("R1 2027-12 450.00"))
        #expect(paid.last == "R1 2028-01 -200.00")
    }

    /// A cap or floor that binds pays its bound at the digits of what it bounds, rounded inside
    /// it, and a yearly limit counts what was paid. Fiscal year from March, so January and
    /// February end the year.
    /// - `c` (10%, whole units) earns 200 in January against a yearly cap of 150.50: it pays 150
    ///   (its own half-up rounding had paid 151, past the cap); February's 200 has 0.50 of room
    ///   left: 0. The year pays 150 ≤ 150.50.
    /// - `d` (1%, whole units) earns 20 and 20 against a yearly floor of 100.40: February tops up
    ///   to 100.40 − 20 = 80.40 → 81 (it had paid 80: a year of 100, below the floor).
    /// - The commission of MIN3 (`rounding down`) is capped at 0.1% of a target incentive of
    ///   1,000.01 = 1.00001 a month: January pays 1.00 and counts 1.00 (it had counted 1.00001), so
    ///   the yearly floor of 25 on the total tops February up to 24.00 (it had paid 23.99: a year of
    ///   24.99).
    @Test func boundLimitsArePaidInsideTheirBound() throws {
        let whole = try evaluate(
            plan: """
                plan "MIN4" {
                  currency USD
                  period month
                  fiscal_year_start 3
                  credit sales {
                    amount fx(txn.amount)
                  }
                  measure bookings = sum(sales)
                  component c = bookings * 10% round half_up 0
                  component d = bookings * 1% round half_up 0
                  cap c at 150.50 USD per year
                  floor d at 100.40 USD per year
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,MIN4,2027-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-10,R1,2000,USD\nT2,2027-02-10,R1,2000,USD\n",
            ])
        #expect(totals(whole, component: "c") == ["R1 2027-01 150.00", "R1 2027-02 0.00"])
        #expect(totals(whole, component: "d") == ["R1 2027-01 20.00", "R1 2027-02 81.00"])
        #expect(totals(whole) == ["R1 2027-01 170.00", "R1 2027-02 81.00"])
        // The notes say what the year had paid, and that the bound was paid rounded inside it.
        let limits = whole.traces.compactMap(\.limit).map { $0.replacingOccurrences(of: #" \([^()]*test\.plan:\d+:\d+\)"#, with: "", options: .regularExpression) }
        #expect(limits == [
            "cap per year at 150.50 USD (0.00 USD paid in the year so far: 150.50 USD left), from 200.00 USD, paid as 150.00 USD: "
                + "rounded inside the cap to whole units",
            "cap per year at 150.50 USD (150.00 USD paid in the year so far: 0.50 USD left), from 200.00 USD, paid as 0.00 USD: "
                + "rounded inside the cap to whole units",
            "floor per year at 100.40 USD (20.00 USD paid in the year so far: 80.40 USD to reach it), from 20.00 USD, paid as 81.00 USD: "
                + "rounded inside the floor to whole units",
        ])
        let total = try evaluate(
            plan: """
                plan "MIN3" {
                  currency USD
                  period month
                  fiscal_year_start 3
                  rounding down
                  credit sales {
                    amount fx(txn.amount)
                  }
                  measure bookings = sum(sales)
                  component commission = bookings * 10%
                  cap commission at rep.target_incentive * 0.1% per period
                  floor total at 25 USD per year
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start,target_incentive\nR1,Ana,MIN3,2027-01-01,1000.01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-10,R1,1000,USD\nT2,2027-02-10,R1,0,USD\n",
            ])
        #expect(totals(total) == ["R1 2027-01 1.00", "R1 2027-02 24.00"])
    }

    /// An interpolated rate is exact: the position in the band (50/3000, 0.175/0.75) seldom ends
    /// as a decimal, and rounding it first moved amounts on a rounding edge.
    /// - `amt` on 1,050: 1% + 3% × 50/3000 = 1.05%, × 1,050 = 11.025 → half even **11.02** (was
    ///   11.03); on 3,150: 1% + 3% × 2150/3000 = 3.15%, × 3,150 = 99.225 → **99.22**.
    /// - `curve` at 850 of quota 2,000 (band 500 to 2,000): 15% − 12% × 350/1500 = 12.2%, × 850 =
    ///   103.70 exactly, so `round up` gives **103.70** (was 103.71); at 2,000 of 3,000 (band 750
    ///   to 3,000): 15% − 12% × 1250/2250 = 8.333…%, × 2,000 = 166.666… → up 166.67, down 166.66;
    ///   R3's 3,150 of 3,000 is past 100%: 6% × 3,150 = 189.00. `amt` on 850: 1% → 8.50; on 2,000:
    ///   1% + 3% × 1000/3000 = 2% → 40.00.
    @Test func interpolatedRatesAreExact() throws {
        let output = try evaluate(
            plan: """
                plan "MIN" {
                  currency USD
                  period month
                  credit sales {
                    amount fx(txn.amount)
                  }
                  measure bookings = sum(sales)
                  quota bookings per month prorate none
                  table curve interpolated on attainment {
                    up to 25%      : 4%
                    25% to 100%    : 15% -> 3%
                    100% and above : 6%
                  }
                  table amt interpolated on amount {
                    up to 1000 USD       : 1%
                    1000 USD to 4000 USD : 1% -> 4%
                    4000 USD and above   : 4%
                  }
                  component up = curve(bookings, quota(bookings)) round up 2
                  component down = curve(bookings, quota(bookings)) round down 2
                  component even = amt(bookings)
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,MIN,2027-01-01\nR2,Ben,MIN,2027-01-01\nR3,Cy,MIN,2027-01-01\n",
                "quotas.csv": "rep,period,amount\nR1,2027-05,2000\nR2,2027-05,3000\nR3,2027-05,3000\n",
                "transactions.csv": "id,date,rep,amount,currency\nT1,2027-05-07,R1,850,USD\nT2,2027-05-07,R2,2000,USD\nT3,2027-05-07,R3,1050,USD\nT4,2027-05-08,R3,2100,USD\n",
            ])
        #expect(totals(output, component: "up") == ["R1 2027-05 103.70", "R2 2027-05 166.67", "R3 2027-05 189.00"])
        #expect(totals(output, component: "down") == ["R1 2027-05 103.70", "R2 2027-05 166.66", "R3 2027-05 189.00"])
        #expect(totals(output, component: "even") == ["R1 2027-05 8.50", "R2 2027-05 40.00", "R3 2027-05 99.22"])
        // The trace gives the exact rate.
        #expect(output.traces.contains { $0.component == "up" && $0.rate == "12.2%" })
    }

    /// A deal booked by a rep outside the run (X1 on plan PX) and split 50/50 with R1: R1's
    /// January share is 0.5 × 1,000 × 10% = 50.00. January had not been a period of the run (only
    /// R1's own March deal counted), so the share was lost, and the deal was reported as excluded.
    /// Now the run's periods include the months of deals split to its payees.
    @Test func aSplitPartnersShareMakesItsMonthAPeriod() throws {
        let output = try evaluate(
            plan: """
                plan "P1" {
                  currency USD
                  period month
                  credit sales {
                    amount fx(txn.amount)
                    to splits
                  }
                  measure bookings = sum(sales)
                  component commission = bookings * 10%
                }
                """,
            files: [
                "roster.csv": "rep,name,manager,plan,start,end\nX1,Owner,,PX,2027-01-01,\nR1,Partner,,P1,2027-01-01,\n",
                "quotas.csv": "rep,period,amount\n",
                "splits.csv": "txn,rep,share\nT1,X1,0.5\nT1,R1,0.5\n",
                "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-15,X1,1000.00,USD\nT2,2027-03-10,R1,200.00,USD\n",
            ])
        // March: 200 × 10% = 20.00; February has no credit.
        #expect(totals(output, component: "commission") == ["R1 2027-01 50.00", "R1 2027-02 0.00", "R1 2027-03 20.00"])
        // Both rows are credited (to R1): nothing is excluded.
        #expect(output.credited == [true, true])
    }

    /// Under `charge original_period` with a 30-day window, a reversal 55 days after its deal is
    /// excluded (the deal stays paid). It had still taken back the deal's SPIFF: March paid
    /// −250.00 while the reconciliation said the reversal was outside the window. January:
    /// 7% × 1,000 + 250 = 320.00; March: nothing.
    @Test func aReversalPastTheClawbackWindowTakesBackNoSpiff() throws {
        let output = try evaluate(
            plan: """
                plan "P1" {
                  currency USD
                  period month
                  credit sales {
                    amount fx(txn.amount)
                  }
                  measure bookings = sum(sales)
                  component commission = bookings * 7%
                  component logos = spiff {
                    window 2027-01-01 to 2027-03-31
                    where txn.kind == "new"
                    pay 250 USD per deal
                  }
                  clawback {
                    charge original_period
                    share 100%
                    window 30 days
                  }
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,P1,2027-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,reverses
                    T1,2027-01-05,R1,1000.00,USD,new,
                    V1,2027-03-01,R1,-1000.00,USD,new,T1

                    """,
            ])
        #expect(totals(output, component: "logos") == ["R1 2027-01 250.00", "R1 2027-02 0.00", "R1 2027-03 0.00"])
        #expect(totals(output) == ["R1 2027-01 320.00", "R1 2027-02 0.00", "R1 2027-03 0.00"])
        #expect(output.credited == [true, false])
    }

    /// `clawback { charge original_period share 50% }` only applies to `to rep` credits: for `to
    /// splits` (and `to managers`) the reversal is a plain negative credit in the reversal period
    /// (ReferenceEvaluator.swift:355-376 ignore `chargedTo`), so the share is not applied.
    @Test func clawbackPolicyAppliesToSplitCredits() throws {
        let output = try evaluate(
            plan: """
                plan "CLAW" {
                  currency USD
                  period month
                  credit sales {
                    amount fx(txn.amount)
                    to splits
                  }
                  measure bookings = sum(sales)
                  component commission = bookings * 7%
                  clawback {
                    charge original_period
                    share 50%
                    window 180 days
                  }
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,CLAW,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "splits.csv": "txn,rep,share\nT1,R1,1\nT3,R1,1\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,reverses
                    T1,2027-01-05,R1,50000,USD,new,
                    T2,2027-02-10,R1,10000,USD,new,
                    T3,2027-03-20,R1,-50000,USD,new,T1

                    """,
            ])
        // Same as Clawbacks.aShareOfTheDifference, which uses `to rep`.
        #expect(totals(output) == ["R1 2027-01 3500.00", "R1 2027-02 700.00", "R1 2027-03 -1750.00"])
    }

    /// A clawback restates the original period with `applyLimits`, which reads `paidPerYear` as it
    /// is *now* (including later periods). Once a per-year cap is used up, the restated period's
    /// room is 0 both before and after the reversal, and the clawback disappears.
    /// A yearly cap counts what was paid, after every limit of its target, whatever the order the
    /// limits are written in. 2,000 earned a month, capped at 1,500 a month and 5,000 a year:
    /// 1,500, 1,500, 1,500, then the 500 left, then nothing. Written year cap first, the year cap
    /// had counted the 2,000 before the monthly cap (paying 1,500, 1,500, 1,000, 0, 0: 4,000).
    @Test(arguments: [
        "cap commission at 5000 USD per year\n  cap commission at 1500 USD per period",
        "cap commission at 1500 USD per period\n  cap commission at 5000 USD per year",
        "cap total at 5000 USD per year\n  cap total at 1500 USD per period",
    ])
    func aYearlyCapCountsWhatIsPaidAfterEveryLimit(limits: String) throws {
        let output = try evaluate(
            plan: """
                plan "YC" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component commission = bookings * 10%
                  \(limits)
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,YC,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": ledger((1...5).map { ("2027-0\($0)-10", "R1", "20000") }),
            ])
        #expect(
            totals(output) == ["R1 2027-01 1500.00", "R1 2027-02 1500.00", "R1 2027-03 1500.00", "R1 2027-04 500.00", "R1 2027-05 0.00"])
    }

    /// A clawback paid back in a period is no longer paid in the year: yearly caps and floors count
    /// it from that period on (they had counted the deal's whole commission, and took the
    /// clawback a second time). Commission 10%: January 20,000 + 10,000 = 3,000.00.
    /// Cap 5,000 a year, T2 reversed in March: January restated is 2,000, so −1,000 in March and
    /// 2,000 counted as paid; March earns 2,500 (3,000 left), paying 2,500 − 1,000 = 1,500;
    /// April's 1,000 finds 500 left. The year pays 5,000, as it does without the charge-back.
    /// Floor 5,000 a year, T2 reversed in December: 2,000 counted, so December is raised to 3,000
    /// and pays 3,000 − 1,000 = 2,000: the year reaches 5,000.
    @Test(arguments: [
        ("cap", "T3,2027-03-10,R1,25000,USD,new,\nR2,2027-03-15,R1,-10000,USD,new,T2\nT4,2027-04-10,R1,10000,USD,new,\n",
         ["2027-01 3000.00", "2027-03 1500.00", "2027-04 500.00"]),
        ("floor", "R2,2027-12-15,R1,-10000,USD,new,T2\n", ["2027-01 3000.00", "2027-12 2000.00"]),
    ])
    func aClawbackCountsAgainstTheYearsLimits(kind: String, rows: String, paid: [String]) throws {
        let output = try evaluate(
            plan: """
                plan "Y" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component commission = bookings * 10% round half_even 2
                  \(kind) total at 5000 USD per year
                  clawback {
                    charge original_period
                  }
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,Y,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": "id,date,rep,amount,currency,kind,reverses\nT1,2027-01-10,R1,20000,USD,new,\nT2,2027-01-20,R1,10000,USD,new,\n" + rows,
            ])
        let lines = output.payouts.filter { $0.component == "total" }
        #expect(lines.filter { $0.amount.units != 0 }.map { "\($0.period) \($0.amount.formatted(fractionDigits: 2))" } == paid)
        #expect(lines.reduce(Int64(0)) { $0 + $1.amount.units } == 5_000 * FixedDecimal.unitsPerOne)
    }

    /// A guarantee and a charge-back: the restated January still pays its 1,800.00 guarantee
    /// (the cancelled 50,000 deal takes back 5,000.00 − 1,800.00 = 3,200.00), and a guarantee in
    /// the reversal's month tops up that month's own earnings, not the charge-back. Reversed in
    /// February (guaranteed): 1,800.00 − 3,200.00 = −1,400.00; in March: 100.00 − 3,200.00 =
    /// −3,100.00. Either way the year pays what it would have without the deal (G: 3,610.00,
    /// as for a rep who never had it; the charge-back had been wiped out by February's guarantee,
    /// and had taken January's guarantee with it).
    @Test(arguments: [
        ("2027-02-10", "2027-03-10,R1,100", ["2027-01 5000.00", "2027-02 -1400.00", "2027-03 10.00"]),
        ("2027-03-10", "2027-03-11,R1,1000", ["2027-01 5000.00", "2027-02 1800.00", "2027-03 -3100.00"]),
    ])
    func aGuaranteeNeitherAbsorbsNorLosesToAChargeBack(reversal: String, later: String, paid: [String]) throws {
        let output = try evaluate(
            plan: """
                plan "GC" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component commission = bookings * 10%
                  clawback {
                    charge original_period
                  }
                  draw onboarding {
                    type non_recoverable_guarantee
                    amount 1800 USD
                    periods 2027-01 to 2027-02
                  }
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,GC,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,reverses
                    T1,2027-01-10,R1,50000,USD,new,
                    T2,\(reversal),R1,-50000,USD,new,T1
                    T3,\(later),USD,new,

                    """,
            ])
        #expect(totals(output).map { String($0.dropFirst(3)) } == paid)
    }

    /// A per-deal SPIFF counts a reversal as taking a deal back: a deal and its reversal in the
    /// window pay 0 × 100 = 0.00, and the trace says the second transaction is a reversal (it
    /// said "2 qualifying transactions" next to 0.00).
    @Test func aSpiffTraceNamesTheReversalsItCounts() throws {
        let output = try evaluate(
            plan: """
                plan "SP" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component commission = bookings * 10%
                  component perdeal = spiff {
                    window 2027-01-01 to 2027-03-31 by effective_date
                    where txn.product == "W"
                    pay 100 USD per deal
                  }
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,SP,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,product,kind,reverses
                    T1,2027-01-05,R1,9500,USD,W,new,
                    T2,2027-02-05,R1,-9500,USD,W,new,T1
                    T3,2027-02-06,R1,100,USD,W,new,

                    """,
            ])
        #expect(totals(output, component: "perdeal") == ["R1 2027-01 100.00", "R1 2027-02 0.00"])
        let february = try #require(output.payouts.first { $0.period == "2027-02" && $0.component == "perdeal" })
        let trace = try #require(february.trace.map { output.traces[$0] })
        #expect(trace.rule == "spiff: 2 qualifying transactions in the window, 1 of them a reversal")
        // What it paid on: 100.00 USD a deal, the reversal taking T1 back: 1 − 1 = 0 deals.
        #expect(trace.rate == "100.00 USD per deal" && trace.base == "0 deals", "\(trace)")
        let january = try #require(output.payouts.first { $0.period == "2027-01" && $0.component == "perdeal" }.flatMap { $0.trace.map { output.traces[$0] } })
        #expect(january.base == "1 deal")
    }

    /// A SPIFF paying a constant says its rate and what it was paid on (the line had only its
    /// count of transactions: the 150 USD a unit and the units were nowhere). March: 3 + 10 units
    /// of W at 150.00 = 1,950.00; a 2% SPIFF on 1,000 USD and 500 EUR at 1.10 = 1,550.00 → 31.00.
    @Test func aSpiffTraceSaysItsRateAndBase() throws {
        let output = try evaluate(
            plan: """
                plan "SP" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component units = spiff {
                    window 2027-03-01 to 2027-03-31
                    where txn.product == "W"
                    pay 150 USD per unit
                  }
                  component share = spiff {
                    window 2027-03-01 to 2027-03-31
                    pay 2% of amount
                  }
                  param bounty = 250 USD
                  component deals = spiff {
                    window 2027-03-01 to 2027-03-31
                    pay bounty per deal
                  }
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,SP,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "fx.csv": "currency,period,rate\nEUR,2027-03,1.10\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,product,quantity
                    T1,2027-03-05,R1,1000,USD,W,3
                    T2,2027-03-06,R1,500,EUR,W,10

                    """,
            ])
        #expect(totals(output, component: "units") == ["R1 2027-03 1950.00"])
        let units = try trace(output, "R1", "2027-03", "units")
        #expect(units.rate == "150.00 USD per unit" && units.base == "13 units", "\(units)")
        #expect(totals(output, component: "share") == ["R1 2027-03 31.00"])
        let share = try trace(output, "R1", "2027-03", "share")
        #expect(share.rate == "2%" && share.base == "1550.00 USD", "\(share)")
        // A parameter is a constant of the run: 250.00 a deal, 2 deals.
        let deals = try trace(output, "R1", "2027-03", "deals")
        #expect(deals.rate == "250.00 USD per deal" && deals.base == "2 deals", "\(deals)")
    }

    /// A quota row naming the plan's first measure and one leaving the measure empty (which means
    /// that measure) are the same quota twice: the run stops and names both lines (the named row
    /// had silently won, 500 against 1,000, paying a 2,000 bonus).
    @Test func theSameQuotaNamedAndUnnamedStopsTheRun() throws {
        let error = try #require(throws: EvaluationError.self) {
            _ = try evaluate(
                plan: """
                    plan "Q" {
                      currency USD
                      period month
                      credit sales { amount fx(txn.amount) }
                      measure bookings = sum(sales)
                      quota bookings per month
                      component bonus = 2000 USD when bookings >= quota(bookings)
                    }
                    """,
                files: [
                    "roster.csv": "rep,name,plan,start\nR1,Ana,Q,2026-01-01\n",
                    "quotas.csv": "rep,period,amount,measure\nR1,2027-01,1000,\nR1,2027-01,500,bookings\n",
                    "transactions.csv": ledger([("2027-01-05", "R1", "500")]),
                ])
        }
        #expect(
            error.description.contains(
                "rep R1, 2027-01: two quotas for measure bookings in 2027-01 in quotas.csv: line 3 names it and line 2 leaves the "
                    + "measure empty, which means the plan's first measure, bookings; keep one"), "\(error.description)")
    }

    /// Cap 5,000 a year, commission 10%, `charge original_period`. Two deals, each reversed: A
    /// (January, 5,000.00) is taken back in March, which frees the room B (March, 5,000.00) is
    /// paid in; B is taken back in April. Restating March must see that room (its snapshot is taken
    /// after March's clawback is counted), or B's −5,000.00 is lost and the year keeps 5,000.00.
    /// A December deal reversed in January frees December's year, not January's: the new year's
    /// 100,000 deal pays 5,000.00 and no more, as without the cancelled deal.
    @Test(arguments: [
        ("A,2027-01-10,R1,50000,USD,\nARev,2027-03-05,R1,-50000,USD,A\nB,2027-03-10,R1,50000,USD,\nBRev,2027-04-05,R1,-50000,USD,B\n",
         ["2027-01 5000.00", "2027-04 -5000.00"], Int64(0)),
        ("A,2027-12-10,R1,50000,USD,\nARev,2028-01-05,R1,-50000,USD,A\nB,2028-01-10,R1,100000,USD,\n",
         ["2027-12 5000.00"], Int64(5_000)),
    ])
    func aClawbackFreesTheRoomOfTheDealsYear(rows: String, paid: [String], sum: Int64) throws {
        let output = try evaluate(
            plan: """
                plan "CC" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component commission = bookings * 10%
                  cap total at 5000 USD per year
                  clawback {
                    charge original_period
                  }
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,CC,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": "id,date,rep,amount,currency,reverses\n" + rows,
            ])
        let lines = output.payouts.filter { $0.component == "total" }
        #expect(lines.filter { $0.amount.units != 0 }.map { "\($0.period) \($0.amount.formatted(fractionDigits: 2))" } == paid)
        #expect(lines.reduce(Int64(0)) { $0 + $1.amount.units } == sum * FixedDecimal.unitsPerOne)
    }

    /// A recoverable guarantee's month restated by a charge-back advances what it would have
    /// without the deal, and that is owed: R1's January deal (3,000.00) is reversed in February,
    /// R2 never had one; both earn 10,000.00 a month from April and are paid the same, R1 still
    /// owing 1,000.00 after June as R2 does (R1 had owed only February's top-up).
    @Test func aChargedBackGuaranteedMonthIsOwedAsWithoutTheDeal() throws {
        let output = try evaluate(
            plan: commissionPlan(
                """
                  draw safety_net {
                    type recoverable_guarantee
                    amount 2000 USD
                    periods 2027-01 to 2027-02
                    recovery_max 1000 USD
                  }
                  clawback {
                    charge original_period
                  }
                """),
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,G,2026-01-01\nR2,Ben,G,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,reverses
                    D1,2027-01-10,R1,30000,USD,
                    D2,2027-02-10,R1,-30000,USD,D1
                    Z,2027-01-10,R2,0,USD,
                    \((4...6).map { "A\($0)1,2027-0\($0)-10,R1,100000,USD,\nA\($0)2,2027-0\($0)-10,R2,100000,USD," }.joined(separator: "\n"))

                    """,
            ])
        func paid(_ rep: String) -> Int64 {
            output.payouts.filter { $0.rep == rep && $0.component == "total" }.reduce(0) { $0 + $1.amount.units }
        }
        #expect(paid("R1") == 31_000 * FixedDecimal.unitsPerOne)
        #expect(paid("R2") == 31_000 * FixedDecimal.unitsPerOne)
        let june = try #require(output.payouts.first { $0.rep == "R1" && $0.period == "2027-06" && $0.component == "total" })
        #expect(june.trace.map { output.traces[$0].limit } == "recovered for safety_net -1000.00 USD, 1000.00 USD still owed")
    }

    @Test func clawbackIsNotLostUnderAPerYearCap() throws {
        let output = try evaluate(
            plan: """
                plan "CLAWCAP" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component commission = bookings * 7%
                  cap total at 5000 USD per year
                  clawback {
                    charge original_period
                    share 100%
                    window 180 days
                  }
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,CLAWCAP,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,reverses
                    T1,2027-01-05,R1,50000,USD,new,
                    T2,2027-02-10,R1,30000,USD,new,
                    T3,2027-03-20,R1,-50000,USD,new,T1

                    """,
            ])
        // January 3,500.00, February 2,100.00 capped to the 1,500.00 left. The January deal is
        // reversed: something must be clawed back in March (the engine pays 0.00).
        let march = totals(output).last
        // January is restated against what had been paid by January (nothing): the whole 3,500.00 comes back.
        #expect(march == "R1 2027-03 -3500.00")
    }

    /// FORMATS.md: roster `currency` is the payout currency (default: the plan's). The engine
    /// ignores it and always pays in the plan currency.
    @Test func payoutCurrencyFollowsTheRoster() throws {
        let output = try evaluate(
            plan: """
                plan "CUR" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component commission = bookings * 10%
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start,currency\nR1,Ana,CUR,2026-01-01,EUR\n",
                "quotas.csv": "rep,period,amount\n",
                "fx.csv": "currency,period,rate\nEUR,2027-01,1.25\n",
                "transactions.csv": ledger([("2027-01-05", "R1", "1000")]),
            ])
        #expect(output.payouts.allSatisfy { $0.currency.code == "EUR" })
        // 10% of 1,000 USD = 100 USD, paid at 1.25 USD per EUR: 80.00 EUR.
        #expect(totals(output) == ["R1 2027-01 80.00"])
    }

    /// docs/language.md lists `txn.effective_date` and `txn.is_reversal` as built-in attributes (the
    /// checker accepts them), but `attribute(_:_:_:)` (Expressions.swift:150-163) has no case for
    /// them and falls through to a ledger column that does not exist: they are always missing, so
    /// `where not txn.is_reversal` keeps reversals and `where txn.is_reversal` matches nothing.
    @Test func isReversalAndEffectiveDateAreComputed() throws {
        let output = try evaluate(
            plan: """
                plan "REV" {
                  currency USD
                  period month
                  credit sales {
                    where not txn.is_reversal
                    amount fx(txn.amount)
                  }
                  credit march_effective {
                    where txn.effective_date in 2027-03-01 to 2027-03-31
                    amount fx(txn.amount)
                  }
                  measure bookings = sum(sales)
                  measure march_bookings = sum(march_effective)
                  component commission = bookings * 10% + march_bookings * 1%
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,REV,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,reverses
                    T1,2027-03-05,R1,1000,USD,new,
                    T2,2027-04-05,R1,-1000,USD,new,T1

                    """,
            ])
        let measures = output.measures.map { "\($0.period) \($0.measure) \($0.valueText(fractionDigits: 2))" }
        #expect(
            measures == [
                "2027-03 bookings 1000.00", "2027-03 march_bookings 1000.00", "2027-04 bookings 0.00",
                "2027-04 march_bookings -1000.00",
            ])
    }

    /// docs/language.md: "Empty optional columns: text reads as `""`". `txn.reverses` and
    /// `rep.manager` read as *missing* instead (Expressions.swift:158, :170), and any comparison
    /// with missing is false, so `txn.reverses == ""` excludes every ordinary deal.
    @Test func emptyReversesReadsAsEmptyText() throws {
        let output = try evaluate(
            plan: """
                plan "ORIG" {
                  currency USD
                  period month
                  credit sales {
                    where txn.reverses == ""
                    amount fx(txn.amount)
                  }
                  measure bookings = sum(sales)
                  component commission = bookings * 10%
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,ORIG,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": ledger([("2027-01-05", "R1", "1000")]),
            ])
        #expect(totals(output, component: "commission") == ["R1 2027-01 100.00"])
    }

    /// `effective 2027-02-01 to 2027-12-31` (docs/language.md, header) is parsed into
    /// `Plan.effective` but the engine never reads it: January deals are paid under a plan that was
    /// not in force.
    @Test func planEffectiveDatesAreHonoured() throws {
        let output = try evaluate(
            plan: """
                plan "EFF" {
                  currency USD
                  period month
                  effective 2027-02-01 to 2027-12-31
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component commission = bookings * 10%
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,EFF,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": ledger([("2027-01-05", "R1", "1000"), ("2027-02-05", "R1", "1000")]),
            ])
        #expect(!totals(output).contains("R1 2027-01 100.00"))
    }

    /// docs/language.md: a reversal "counts −1 in `count`". `avg` divides the sum by that count, so a
    /// month whose only credit is a −1,000 reversal reports an average deal of **+1,000.00**
    /// (ReferenceEvaluator.swift:633), and a month with one deal and one reversal averages 0.
    @Test func averageOfAReversalIsNotPositive() throws {
        let output = try evaluate(
            plan: """
                plan "AVG" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure average_deal = avg(sales) round half_up 2
                  component commission = average_deal * 10%
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,AVG,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,reverses
                    T1,2027-01-05,R1,1000,USD,new,
                    T2,2027-02-05,R1,-1000,USD,new,T1

                    """,
            ])
        let february = try #require(output.measures.first { $0.period == "2027-02" })
        #expect(try #require(february.value).units <= 0)
    }

    /// docs/language.md: "Exports round each measure and component to its rule". A cap (or floor)
    /// replaces the rounded component with the raw bound (ReferenceEvaluator.swift:542-544), which
    /// is stored as is and exported half-even: `round down 2` capped at 100.015 exports 100.02.
    @Test func aCappedComponentKeepsItsRoundingRule() throws {
        let output = try evaluate(
            plan: """
                plan "CAPR" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component commission = bookings * 10% round down 2
                  cap commission at 100.015 USD per period
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,CAPR,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": ledger([("2027-01-05", "R1", "5000")]),
            ])
        #expect(output.payouts.first { $0.component == "commission" }?.amount.formatted(fractionDigits: 6) == "100.010000")
    }

    /// A holdback withheld while the payee is on the plan is never released when the payee leaves
    /// the plan before the quarter ends: periods without an assignment are skipped
    /// (ReferenceEvaluator.swift `guard let assignment else { continue }`), and the balance is
    /// dropped with the payee. 100.00 of January's commission is never paid.
    @Test func holdbackIsReleasedWhenThePayeeLeavesThePlan() throws {
        let output = try evaluate(
            plan: """
                plan "HL" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component commission = bookings * 10%
                  holdback 10% of commission release quarter_end
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start,end\nR1,Ana,HL,2026-01-01,2027-02-15\nR1,Ana,OTHER,2027-02-16,\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": ledger([("2027-01-05", "R1", "10000"), ("2027-03-05", "R1", "10000")]),
            ])
        let paid = output.payouts.filter { $0.component == "total" }.reduce(0) { $0 + $1.amount.units }
        let earned = output.payouts.filter { $0.component == "commission" }.reduce(0) { $0 + $1.amount.units }
        #expect(paid == earned)
    }

    /// docs/language.md (Crediting): `to splits overlay` lets shares add up to more than 1 (1.0 and
    /// 0.5 credit 100,000 and 50,000). The data is loaded with `LedgerLoadOptions` defaults, which
    /// reject such splits: Runner.swift:111-112 never sets `allowOverlaySplits` (nor the plan's
    /// `fiscalCalendar`), and this helper loads the same way, so `comp run` refuses the data (or,
    /// with --quarantine, drops the split rows and credits no one with the deal).
    @Test func overlaySplitsAreAcceptedForAnOverlayPlan() throws {
        let output = try evaluate(
            plan: """
                plan "OVL" {
                  currency USD
                  period month
                  credit overlay_sales {
                    amount fx(txn.amount)
                    to splits overlay
                  }
                  measure bookings = sum(overlay_sales)
                  component commission = bookings * 1%
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,OVL,2026-01-01\nR2,Ben,OVL,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "splits.csv": "txn,rep,share\nT1,R1,1.0\nT1,R2,0.5\n",
                "transactions.csv": ledger([("2027-01-05", "R1", "100000")]),
            ])
        #expect(totals(output, component: "commission") == ["R1 2027-01 1000.00", "R2 2027-01 500.00"])
    }

    /// Run periods run from the first to the last date of the *whole* ledger
    /// (ReferenceEvaluator.swift:234-251), including rows of reps on other plans, which the run
    /// excludes. One December 2026 row of a manager on MGR-OVR adds 2026-12 to every AE payee, whose
    /// `quota(bookings)` has no row there, and the whole run fails.
    @Test func anExcludedRowDoesNotAddPeriodsToThePlan() throws {
        let output = try evaluate(
            plan: """
                plan "AE" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  let attainment = bookings / quota(bookings) round half_even 6
                  component commission = bookings * 5%
                }
                """,
            files: [
                "roster.csv": "rep,name,manager,plan,start\nM1,Mia,,MGR-OVR,2026-01-01\nR1,Ana,M1,AE,2026-01-01\n",
                "quotas.csv": "rep,period,amount\nR1,2027-01,10000\n",
                "transactions.csv": ledger([("2026-12-15", "M1", "500"), ("2027-01-05", "R1", "1000")]),
            ])
        #expect(totals(output) == ["R1 2027-01 50.00"])
    }

    /// "A runtime failure, naming the rep, period and rule". Arithmetic errors (overflow in
    /// `Exact.*`, `toFixed`) are not `EvaluationError`s; `ReferenceEvaluator.wrap` (line 98-101)
    /// turns them into one with rep, period, rule and source all nil.
    @Test func overflowNamesRepPeriodAndComponent() throws {
        do {
            _ = try evaluate(
                plan: """
                    plan "BIG" {
                      currency USD
                      period month
                      credit sales { amount fx(txn.amount) }
                      measure bookings = sum(sales)
                      component commission = bookings * 100000000
                    }
                    """,
                files: [
                    "roster.csv": "rep,name,plan,start\nR1,Ana,BIG,2026-01-01\n",
                    "quotas.csv": "rep,period,amount\n",
                    "transactions.csv": ledger([("2027-01-05", "R1", "1000000")]),
                ])
            Issue.record("expected an overflow error")
        } catch let error as EvaluationError {
            #expect(error.rep == "R1")
            #expect(error.period == "2027-01")
            #expect(error.what == "commission")
        }
    }

    /// A zero quota fails with "division by zero" and no rule name (`failure` at
    /// Expressions.swift:48 passes no `what`); in a credit rule it does not name the transaction.
    @Test func divisionByZeroNamesTheRule() throws {
        do {
            _ = try evaluate(
                plan: """
                    plan "Z" {
                      currency USD
                      period month
                      credit sales { amount fx(txn.amount) }
                      measure bookings = sum(sales)
                      let attainment = bookings / quota(bookings) round half_even 6
                      component commission = bookings * 10%
                    }
                    """,
                files: [
                    "roster.csv": "rep,name,plan,start\nR1,Ana,Z,2026-01-01\n",
                    "quotas.csv": "rep,period,amount\nR1,2027-01,0\n",
                    "transactions.csv": ledger([("2027-01-05", "R1", "1000")]),
                ])
            Issue.record("expected a division by zero")
        } catch let error as EvaluationError {
            #expect(error.what == "attainment")
        }
    }
}

/// A roster column a plan declares is checked on its own reps' rows only, unless the plan reads
/// it per transaction (a credit block's `weight rep.x`, where `rep` is the transaction's rep, on
/// any plan): then on every row (a bad weight of another plan's rep had left its row out of a
/// manager's roll-up without a word).
@Suite struct DeclaredRosterColumnScope {
    func plan(_ text: String) throws -> Plan {
        let checked = PlanChecker.check(source: SourceFile(path: "p.plan", text: text))
        return try #require(checked.plan, "\(checked.rendered())")
    }

    @Test func aColumnReadPerTransactionIsCheckedOnEveryRow() throws {
        let rollUp = try plan(
            """
            plan "MGR-X" {
              currency USD
              period month
              attribute rep.weightx: rate
              attribute rep.bounty: money optional
              credit team_sales {
                amount fx(txn.amount)
                weight rep.weightx
                to managers all levels
              }
              measure team_bookings = sum(team_sales)
              component direct_override = team_bookings * 2% + rep.bounty
            }
            """)
        let columns = ReferenceEvaluator.declaredColumns(of: [rollUp])
        #expect(columns.map { "\($0.name) \($0.plan ?? "every row")" } == ["weightx every row", "bounty MGR-X"])
        #expect(rollUp.readsRepAttributePerTransaction("weightx") && !rollUp.readsRepAttributePerTransaction("bounty"))
    }
}
