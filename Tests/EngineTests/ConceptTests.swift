import CompCore
import CompDiagnostics
import Engine
import Foundation
import Ledger
import PlanLanguage
import PlanModel
import RunResults
import Testing

/// `text` checked as the plan `directory/test.plan`, and `files` written to `directory` and loaded
/// as a run of the plan loads them. On disk, as a run has it: traces quote the plan's text (a
/// formula) and errors its locations.
func checkedAndLoaded(plan text: String, files: [String: String], in directory: String) throws -> (plan: Plan, load: LedgerLoad) {
    let path = directory + "/test.plan"
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    let checked = PlanChecker.check(source: SourceFile(path: path, text: text))
    let plan = try #require(checked.plan, "\(checked.rendered())")
    for (name, content) in files { try Data(content.utf8).write(to: URL(fileURLWithPath: directory + "/" + name)) }
    return (plan, LedgerLoader.load(directory: directory, options: ReferenceEvaluator.loadOptions(for: [plan])))
}

/// A plan checked from text, evaluated over CSV files written to a temporary directory.
func evaluate(plan text: String, files: [String: String]) throws -> RunOutput {
    let directory = NSTemporaryDirectory() + "comp-engine-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let (plan, load) = try checkedAndLoaded(plan: text, files: files, in: directory)
    #expect(load.errorCount == 0, "\(load.diagnostics.map(\.description))")
    var inputs: [String: InputTableValues] = [:]
    for input in plan.inputs {
        let (table, diagnostics) = InputTableReader.load(
            path: directory + "/" + input.file, column: input.column, roster: load.data.roster,
            options: LedgerLoadOptions(fiscalCalendar: plan.fiscalCalendar))
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.description))")
        inputs[input.name] = table
    }
    let output = try ReferenceEvaluator.evaluate(plan, data: load.data, inputs: inputs, threads: 2)
    // Differential: the compiled per-transaction path gives exactly what the plain reference walk gives.
    let reference = try ReferenceEvaluator.evaluate(plan, data: load.data, inputs: inputs, threads: 1, compiled: false)
    #expect(output.payouts == reference.payouts)
    #expect(output.measures == reference.measures)
    #expect(output.traces == reference.traces)
    #expect(output.credited == reference.credited)
    return output
}

/// `rep period component` → amount text, for a compact expectation.
func totals(_ output: RunOutput, component: String = "total") -> [String] {
    output.payouts.filter { $0.component == component }.map { "\($0.rep) \($0.period) \($0.amount.formatted(fractionDigits: 2))" }
}

/// A monthly USD plan `id` paying 10% of its sales as `commission`, with `more` lines inside it
/// (limits, draws, holdbacks, a clawback block), from line 7 on.
func commissionPlan(_ more: String, id: String = "G") -> String {
    "plan \"\(id)\" {\n  currency USD\n  period month\n  credit sales { amount fx(txn.amount) }\n  measure bookings = sum(sales)\n"
        + "  component commission = bookings * 10%\n" + more + (more.hasSuffix("\n") || more.isEmpty ? "" : "\n") + "}\n"
}

/// The data of one rep, R1, on plan `plan` since 2026: `transactions` is the whole ledger file,
/// no quotas.
func oneRepFiles(_ transactions: String, plan: String = "G") -> [String: String] {
    ["roster.csv": "rep,name,plan,start\nR1,Ana,\(plan),2026-01-01\n", "quotas.csv": "rep,period,amount\n", "transactions.csv": transactions]
}

/// Transactions for one rep: (date, amount) pairs, kind new, USD.
func ledger(_ rows: [(String, String, String)]) -> String {
    var text = "id,date,rep,amount,currency,kind\n"
    for (index, row) in rows.enumerated() { text += "T\(index + 1),\(row.0),\(row.1),\(row.2),USD,new\n" }
    return text
}

@Suite struct Draws {
    /// Earnings are 8% of bookings: 0 in January–March, 8,000 in April–June.
    let files = [
        "roster.csv": "rep,name,plan,start\nR1,Ana,DRAW,2026-01-01\n",
        "quotas.csv": "rep,period,amount\n",
        "transactions.csv": ledger([
            ("2027-01-05", "R1", "0"), ("2027-04-05", "R1", "100000"), ("2027-05-05", "R1", "100000"),
            ("2027-06-05", "R1", "100000"),
        ]),
    ]

    func plan(_ draw: String) -> String {
        """
        plan "DRAW" {
          currency USD
          period month
          credit sales { amount fx(txn.amount) }
          measure bookings = sum(sales)
          component commission = bookings * 8%
          \(draw)
        }
        """
    }

    @Test func recoverableDrawIsPaidThenRecoveredAtMostHalfAMonth() throws {
        let output = try evaluate(
            plan: plan("draw ramp {\n type recoverable\n amount 3000 USD\n periods 2027-01 to 2027-03\n recovery_start 2027-04\n recovery_max 50%\n}"),
            files: files)
        // 9,000 paid in Q1; April and May recover 4,000 each (50% of 8,000); June the last 1,000.
        #expect(
            totals(output) == [
                "R1 2027-01 3000.00", "R1 2027-02 3000.00", "R1 2027-03 3000.00", "R1 2027-04 4000.00", "R1 2027-05 4000.00",
                "R1 2027-06 7000.00",
            ])
        // The advance is said to be a loan, with what is owed after it; its recovery too.
        #expect(try trace(output, "R1", "2027-02", "total").limit == "draw ramp +3000.00 USD (owed back from later earnings; 6000.00 USD owed)")
        #expect(try trace(output, "R1", "2027-04", "total").limit == "recovered for ramp -4000.00 USD, 5000.00 USD still owed")
    }

    @Test func recoverableGuaranteeTopsUpAndRecovers() throws {
        var files = self.files
        // April earnings 1,200 (bookings 15,000); May 5,000 (62,500).
        files["transactions.csv"] = ledger([("2027-04-05", "R1", "15000"), ("2027-05-05", "R1", "62500")])
        let output = try evaluate(
            plan: plan("draw safety_net {\n type recoverable_guarantee\n amount 2000 USD\n periods 2027-04 to 2027-06\n recovery_max 1000 USD\n}"),
            files: files)
        // April topped up to 2,000 (800 owed); May pays 5,000 − 800 = 4,200.
        #expect(totals(output) == ["R1 2027-04 2000.00", "R1 2027-05 4200.00"])
        #expect(
            try trace(output, "R1", "2027-04", "total").limit
                == "guarantee safety_net +800.00 USD (owed back from later earnings; 800.00 USD owed)")
    }

    @Test func nonRecoverableGuaranteeOwesNothing() throws {
        var files = self.files
        files["transactions.csv"] = ledger([("2027-01-05", "R1", "7500"), ("2027-03-05", "R1", "100000")])
        let output = try evaluate(
            plan: plan("draw onboarding {\n type non_recoverable_guarantee\n amount 1500 USD\n periods 2027-01 to 2027-02\n}"),
            files: files)
        // January 600 → 1,500; February 0 → 1,500; March 8,000, nothing recovered.
        #expect(totals(output) == ["R1 2027-01 1500.00", "R1 2027-02 1500.00", "R1 2027-03 8000.00"])
        #expect(try trace(output, "R1", "2027-01", "total").limit == "guarantee onboarding +900.00 USD (not owed back)")
    }
}

@Suite struct Holdbacks {
    @Test func tenPercentWithheldAndReleasedAtQuarterEnd() throws {
        let output = try evaluate(
            plan: """
                plan "HOLD" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component commission = bookings * 7%
                  holdback 10% of commission release quarter_end
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,HOLD,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": ledger([("2027-01-05", "R1", "50000"), ("2027-04-05", "R1", "10000")]),
            ])
        // January 3,500 commission pays 3,150; the 350 comes back with March. April 700 pays 630.
        #expect(totals(output, component: "commission").first == "R1 2027-01 3500.00")
        #expect(totals(output) == ["R1 2027-01 3150.00", "R1 2027-02 0.00", "R1 2027-03 350.00", "R1 2027-04 630.00"])
    }
}

/// Overrides of 2% on the first level down and, once the team is on quota, 0.5% on all levels.
let managerOverridePlan = """
    plan "MGR" {
      currency USD
      period month
      credit team_sales {
        where txn.kind in ["new", "upsell"]
        amount fx(txn.amount)
        to managers all levels
      }
      measure team_bookings = sum(team_sales)
      let team_attainment = team_bookings / quota(team_bookings) round half_even 6
      component direct_override = override 2% of team_sales levels 1
      component deep_override = override 0.5% of team_sales levels all when team_attainment >= 100%
    }
    """

@Suite struct ManagerOverrides {
    @Test func directAndDeepOverrides() throws {
        let output = try evaluate(
            plan: managerOverridePlan,
            files: [
                "roster.csv": """
                    rep,name,manager,plan,start
                    M1,Mia,,MGR,2026-01-01
                    R1,Ana,M1,AE,2026-01-01
                    R2,Ben,M1,AE,2026-01-01
                    R3,Cy,R1,AE,2026-01-01

                    """,
                "quotas.csv": "rep,period,amount\nM1,2027-01,250000\nM1,2027-02,300000\n",
                "transactions.csv": ledger([
                    ("2027-01-05", "R1", "100000"), ("2027-01-06", "R2", "100000"), ("2027-01-07", "R3", "50000"),
                    ("2027-02-05", "R1", "100000"), ("2027-02-06", "R2", "100000"), ("2027-02-07", "R3", "50000"),
                ]),
            ])
        // Direct reports R1 and R2 bring 200,000: 2% = 4,000. All levels 250,000 at 100% of the
        // January quota: 0.5% = 1,250; in February the quota is 300,000 (83%): no deep override.
        #expect(totals(output, component: "direct_override") == ["M1 2027-01 4000.00", "M1 2027-02 4000.00"])
        #expect(totals(output, component: "deep_override") == ["M1 2027-01 1250.00", "M1 2027-02 0.00"])
        #expect(totals(output) == ["M1 2027-01 5250.00", "M1 2027-02 4000.00"])
    }
}

@Suite struct InputTables {
    let mboPlan = """
        plan "MBO" {
          currency USD
          period quarter
          input mbo_score from "mbo.csv" column "score": rate
          credit sales { amount fx(txn.amount) }
          measure bookings = sum(sales)
          component mbo_bonus = mbo_score * 3000 USD
        }
        """

    @Test func mboScoresFromAnInputTable() throws {
        let output = try evaluate(
            plan: mboPlan,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,MBO,2026-01-01\nR2,Ben,MBO,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "mbo.csv": "rep,period,score\nR1,2027-Q1,0.8\nR2,2027-Q1,1.05\n",
                "transactions.csv": ledger([("2027-01-05", "R1", "10"), ("2027-02-05", "R2", "10")]),
            ])
        // A score of 0.8 pays 2,400.00; 1.05 pays 3,150.00.
        #expect(totals(output) == ["R1 2027-Q1 2400.00", "R2 2027-Q1 3150.00"])
        // Each line says the score it read and its line in the table.
        let bases = output.payouts.filter { $0.component == "mbo_bonus" }.map { line in line.trace.map { output.traces[$0].base ?? "" } ?? "" }
        #expect(bases == ["mbo_score 0.8 (mbo.csv line 2)", "mbo_score 1.05 (mbo.csv line 3)"])
    }

    /// A score read through a let is said on the lines reading the let.
    @Test func aScoreReadThroughALetIsSaid() throws {
        let plan = """
            plan "MBO" {
              currency USD
              period quarter
              input mbo_score from "mbo.csv" column "score": rate
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              let weighted = mbo_score * 2
              component mbo_bonus = weighted * 1000 USD
            }
            """
        let output = try evaluate(
            plan: plan,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,MBO,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "mbo.csv": "rep,period,score\nR1,2027-Q1,0.8\n",
                "transactions.csv": ledger([("2027-01-05", "R1", "10")]),
            ])
        // 0.8 × 2 × 1,000 = 1,600.00.
        #expect(totals(output) == ["R1 2027-Q1 1600.00"])
        let line = output.payouts.first { $0.component == "mbo_bonus" }
        #expect(line?.trace.map { output.traces[$0].base } == "mbo_score 0.8 (mbo.csv line 2)")
    }

    @Test func aMissingScoreNamesRepPeriodAndFile() throws {
        #expect(throws: EvaluationError.self) {
            _ = try evaluate(
                plan: mboPlan,
                files: [
                    "roster.csv": "rep,name,plan,start\nR1,Ana,MBO,2026-01-01\n",
                    "quotas.csv": "rep,period,amount\n",
                    "mbo.csv": "rep,period,score\n",
                    "transactions.csv": ledger([("2027-01-05", "R1", "10")]),
                ])
        }
    }
}

@Suite struct Clawbacks {
    func plan(_ clawback: String) -> String {
        """
        plan "CLAW" {
          currency USD
          period month
          credit sales { amount fx(txn.amount) }
          measure bookings = sum(sales)
          component commission = bookings * 7%
          \(clawback)
        }
        """
    }

    func files(reversalDate: String) -> [String: String] {
        [
            "roster.csv": "rep,name,plan,start\nR1,Ana,CLAW,2026-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": """
                id,date,rep,amount,currency,kind,reverses
                T1,2027-01-05,R1,50000,USD,new,
                T2,2027-02-10,R1,10000,USD,new,
                T3,\(reversalDate),R1,-50000,USD,new,T1

                """,
        ]
    }

    @Test func chargedBackToTheOriginalPeriod() throws {
        let output = try evaluate(
            plan: plan("clawback {\n charge original_period\n share 100%\n window 180 days\n}"),
            files: files(reversalDate: "2027-03-20"))
        // January paid 3,500.00 and stays as paid; March pays the −3,500.00 adjustment.
        #expect(totals(output, component: "commission") == ["R1 2027-01 3500.00", "R1 2027-02 700.00", "R1 2027-03 0.00"])
        #expect(totals(output) == ["R1 2027-01 3500.00", "R1 2027-02 700.00", "R1 2027-03 -3500.00"])
        let march = try #require(output.payouts.first { $0.period == "2027-03" && $0.component == "total" })
        let trace = try #require(march.trace.map { output.traces[$0] })
        #expect(trace.limit == "clawback of 2027-01: -3500.00 USD")
    }

    /// Under `charge original_period` a reversal is judged on its deal's date, also within the
    /// deal's own month: a deal of 50,000 on March 10 reversed on March 20, after the plan's
    /// effective end (March 15), takes the 3,500.00 back (the reversal had been dropped, and
    /// the deal stayed paid). T1 in January pays 7% of 1,000 = 70.00.
    @Test func aSameMonthReversalAfterTheEffectiveEndIsJudgedOnItsDeal() throws {
        let output = try evaluate(
            plan: """
                plan "CLAW" {
                  currency USD
                  period month
                  effective 2027-01-01 to 2027-03-15
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component commission = bookings * 7%
                  clawback {
                    charge original_period
                  }
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,CLAW,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,reverses
                    T1,2027-01-05,R1,1000,USD,new,
                    T2,2027-03-10,R1,50000,USD,new,
                    T3,2027-03-20,R1,-50000,USD,new,T2

                    """,
            ])
        #expect(totals(output, component: "commission") == ["R1 2027-01 70.00", "R1 2027-02 0.00", "R1 2027-03 0.00"])
        #expect(output.credited == [true, true, true])
    }

    /// A charge-back restates every period of the deal's year whose qtd/ytd measures counted the
    /// deal, and a restated period counts the charge-backs its windows had by then. T1 (January,
    /// 20,000) is reversed in March and T3 (March, 25,000) in April; commission 5% once the year
    /// reaches 20,000 (else 2%), 300 when the quarter reaches 30,000.
    /// - Paid: January 1,000; February 5% of 10,000 + 300 = 800; March 5% of 25,000 (year 35,000)
    ///   + 300 (quarter 35,000) = 1,550, less March's charge-backs.
    /// - Charged back in March, as if without T1: January −1,000; February −600 (2% of 10,000,
    ///   no bonus: it paid 800); March pays 1,550 − 1,600 = −50.00.
    /// - Charged back in April, as if without T3 too: March 2% of 0, no bonus: −1,550.00.
    /// Both reversals in April give the same total, −3,150.00 (the adjustments add up).
    @Test func chargeBacksRestateTheLaterPeriodsTheirDealLifted() throws {
        let plan = """
            plan "YT" {
              currency USD
              period month
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              measure ytd = sum(sales) over ytd
              measure qtd = sum(sales) over qtd
              component commission = bookings * (if ytd >= 20000 USD then 5% else 2%)
              component qbonus = 300 USD when qtd >= 30000 USD
              clawback {
                charge original_period
              }
            }
            """
        func files(_ x1: String) -> [String: String] {
            [
                "roster.csv": "rep,name,plan,start\nR1,Ana,YT,2027-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,reverses
                    T1,2027-01-10,R1,20000,USD,new,
                    T2,2027-02-10,R1,10000,USD,new,
                    X1,\(x1),R1,-20000,USD,new,T1
                    T3,2027-03-12,R1,25000,USD,new,
                    X3,2027-04-12,R1,-25000,USD,new,T3

                    """,
            ]
        }
        let apart = try evaluate(plan: plan, files: files("2027-03-10"))
        #expect(totals(apart) == ["R1 2027-01 1000.00", "R1 2027-02 800.00", "R1 2027-03 -50.00", "R1 2027-04 -1550.00"])
        let together = try evaluate(plan: plan, files: files("2027-04-10"))
        // March paid 1,550 with T1 in its year; April takes back 1,000 + 600 + 1,550.
        #expect(totals(together) == ["R1 2027-01 1000.00", "R1 2027-02 800.00", "R1 2027-03 1550.00", "R1 2027-04 -3150.00"])
    }

    /// A deal reversed and then reinstated (a reversal of the reversal), both booked by the
    /// rep's manager on another plan: each follows the deal to its rep. February pays 5% of
    /// 2,000 = 100 and the 250 SPIFF; May charges back −100 and takes back the SPIFF (−250);
    /// June charges May back in turn: +100 (the reinstated commission; the SPIFF's effective
    /// date is May, outside the window). The reinstatement had been excluded ("rep on plan MGR").
    @Test func aReinstatementBookedByAnotherRepFollowsTheDeal() throws {
        let output = try evaluate(
            plan: """
                plan "SP" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component commission = bookings * 5%
                  component bounty = spiff {
                    window 2027-02-01 to 2027-02-28 by effective_date
                    pay 250 USD per deal
                  }
                  clawback {
                    charge original_period
                  }
                }
                """,
            files: [
                "roster.csv": "rep,name,manager,plan,start\nM1,Mia,,MGR,2027-01-01\nR1,Ana,M1,SP,2027-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,reverses
                    T1,2027-02-10,R1,2000,USD,new,
                    X1,2027-05-10,M1,-2000,USD,new,T1
                    Y1,2027-06-10,M1,2000,USD,new,X1

                    """,
            ])
        #expect(totals(output) == ["R1 2027-02 350.00", "R1 2027-03 0.00", "R1 2027-04 0.00", "R1 2027-05 -350.00", "R1 2027-06 100.00"])
        #expect(output.credited == [true, true, true])
    }

    /// A deal cancelled and then reinstated ends as if it had stood: T1 (January, 20,000) is
    /// reversed in March and reinstated in May. Standing, it pays January 1,000, February 5% of
    /// 10,000 + 300 (quarter 30,000) = 800 and March 300 (the quarter still 30,000), 2,100 in all.
    /// March charges back January −1,000 and February −600; May restates January, February and
    /// March with the deal back: +1,000 + 600 + 300 = 1,900 (the reinstatement had gone to March
    /// alone, and February's −600 stayed).
    @Test func aReinstatedDealEndsAsIfItHadStood() throws {
        let output = try evaluate(
            plan: """
                plan "YT" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  measure ytd = sum(sales) over ytd
                  measure qtd = sum(sales) over qtd
                  component commission = bookings * (if ytd >= 20000 USD then 5% else 2%)
                  component qbonus = 300 USD when qtd >= 30000 USD
                  clawback {
                    charge original_period
                  }
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,YT,2027-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,reverses
                    T1,2027-01-10,R1,20000,USD,new,
                    T2,2027-02-10,R1,10000,USD,new,
                    X1,2027-03-10,R1,-20000,USD,new,T1
                    Y1,2027-05-10,R1,20000,USD,new,X1

                    """,
            ])
        #expect(totals(output) == ["R1 2027-01 1000.00", "R1 2027-02 800.00", "R1 2027-03 -1600.00", "R1 2027-04 0.00", "R1 2027-05 1900.00"])
    }

    /// A rep who has left, on a plan of SPIFFs only: a reversal of a February deal in May takes
    /// the 250 back on a clawback-only line (there is no commission to charge back).
    @Test func aLeaversSpiffOnlyTakeBack() throws {
        let output = try evaluate(
            plan: """
                plan "SO" {
                  currency USD
                  period month
                  component bounty = spiff {
                    window 2027-02-01 to 2027-02-28 by effective_date
                    pay 250 USD per deal
                  }
                  clawback {
                    charge original_period
                  }
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start,end\nR1,Ana,SO,2027-01-01,2027-03-31\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,reverses
                    T1,2027-02-10,R1,2000,USD,new,
                    X1,2027-05-10,R1,-2000,USD,new,T1

                    """,
            ])
        #expect(totals(output) == ["R1 2027-02 250.00", "R1 2027-03 0.00", "R1 2027-05 -250.00"])
    }

    /// Under `charge original_period` a SPIFF's take-back of a reversed deal is the deal's rep's,
    /// whoever booked the reversal and whether or not the rep has left: R1 (left on March 31)
    /// and R2 each sold 10,000 in March (commission 1,000, SPIFF 100 by effective date, 10 by
    /// date); both deals are reversed in April, R2's booked by R3. Each pays back −1,000 and the
    /// 100 in April (R1 had kept the SPIFF; R3, who never had the deal, had paid it).
    @Test func aSpiffTakeBackIsTheDealsRepsUnderOriginalPeriod() throws {
        let output = try evaluate(
            plan: """
                plan "SP" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component commission = bookings * 10%
                  component push = spiff {
                    window 2027-03-01 to 2027-03-31 by effective_date
                    pay 100 USD per deal
                  }
                  component bydate = spiff {
                    window 2027-03-01 to 2027-03-31 by date
                    pay 10 USD per deal
                  }
                  clawback {
                    charge original_period
                  }
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start,end\nR1,Ana,SP,2027-01-01,2027-03-31\nR2,Ben,SP,2027-01-01,\nR3,Cy,SP,2027-01-01,\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,reverses
                    T1,2027-03-10,R1,10000,USD,new,
                    X1,2027-04-10,R1,-10000,USD,new,T1
                    T2,2027-03-10,R2,10000,USD,new,
                    X2,2027-04-10,R3,-10000,USD,new,T2

                    """,
            ])
        #expect(totals(output) == ["R1 2027-03 1110.00", "R1 2027-04 -1100.00", "R2 2027-03 1110.00", "R2 2027-04 -1100.00", "R3 2027-03 0.00", "R3 2027-04 0.00"])
        #expect(totals(output, component: "push") == ["R1 2027-03 100.00", "R1 2027-04 -100.00", "R2 2027-03 100.00", "R2 2027-04 -100.00", "R3 2027-03 0.00", "R3 2027-04 0.00"])
        // R1's April line is a clawback-only line: the commission is zero, the SPIFF takes its part back.
        #expect(totals(output, component: "commission").filter { $0.hasPrefix("R1 2027-04") } == ["R1 2027-04 0.00"])
    }

    /// A plan that ended on March 15 has April as a period only for a charge-back: a deal of
    /// April 5 in a SPIFF window running to April 30 is after the plan, and pays no SPIFF (it had
    /// paid 250). March: 5% of 2,000 + 250; April: T1's charge-back −100 and its SPIFF −250.
    @Test func aSpiffPaysNothingAfterThePlansEffectiveEnd() throws {
        let output = try evaluate(
            plan: """
                plan "SE" {
                  currency USD
                  period month
                  effective 2027-01-01 to 2027-03-15
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component commission = bookings * 5%
                  component bounty = spiff {
                    window 2027-03-01 to 2027-04-30 by effective_date
                    pay 250 USD per deal
                  }
                  clawback {
                    charge original_period
                  }
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,SE,2027-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,reverses
                    T1,2027-03-10,R1,2000,USD,new,
                    T2,2027-04-05,R1,1000,USD,new,
                    X1,2027-04-10,R1,-2000,USD,new,T1

                    """,
            ])
        #expect(totals(output, component: "bounty") == ["R1 2027-03 250.00", "R1 2027-04 -250.00"])
        #expect(totals(output) == ["R1 2027-03 350.00", "R1 2027-04 -350.00"])
    }

    /// A reversal booked by a rep on a plan outside the run still charges the deal's rep: its
    /// month is a period of the plan (it had been left out with its month, R1 keeping 1,000.00).
    @Test func aReversalBookedOnAnotherPlanMakesItsMonthAPeriod() throws {
        let output = try evaluate(
            plan: plan("clawback {\n charge original_period\n}"),
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,CLAW,2027-01-01\nR9,Zed,OTHER,2027-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,reverses
                    T1,2027-01-10,R1,10000,USD,new,
                    X1,2027-03-10,R9,-10000,USD,new,T1

                    """,
            ])
        // January 7% of 10,000 = 700.00, charged back in March.
        #expect(totals(output) == ["R1 2027-01 700.00", "R1 2027-02 0.00", "R1 2027-03 -700.00"])
        #expect(output.credited == [true, true])
    }

    /// A reversal booked by R2 of R1's January deal: under `charge original_period` R1, who was
    /// paid for it, is charged (−3,500.00 in March); by default the reversal is R2's own row.
    @Test func aReversalByAnotherRepChargesTheDealsRep() throws {
        var files = files(reversalDate: "2027-03-20")
        files["roster.csv"] = "rep,name,plan,start\nR1,Ana,CLAW,2026-01-01\nR2,Ben,CLAW,2026-01-01\n"
        files["transactions.csv"] = (files["transactions.csv"] ?? "").replacingOccurrences(of: "2027-03-20,R1,", with: "2027-03-20,R2,")
        let charged = try evaluate(plan: plan("clawback {\n charge original_period\n share 100%\n window 180 days\n}"), files: files)
        #expect(totals(charged).filter { $0.hasSuffix("2027-03 -3500.00") || $0.contains("R2") } == [
            "R1 2027-03 -3500.00", "R2 2027-01 0.00", "R2 2027-02 0.00", "R2 2027-03 0.00",
        ])
        let ordinary = try evaluate(plan: plan(""), files: files)
        #expect(totals(ordinary).filter { $0.contains("2027-03") } == ["R1 2027-03 0.00", "R2 2027-03 -3500.00"])
    }

    @Test func inTheReversalPeriodByDefault() throws {
        let output = try evaluate(plan: plan(""), files: files(reversalDate: "2027-03-20"))
        #expect(totals(output) == ["R1 2027-01 3500.00", "R1 2027-02 700.00", "R1 2027-03 -3500.00"])
        #expect(totals(output, component: "commission").last == "R1 2027-03 -3500.00")
    }

    @Test func notClawedBackOutsideTheWindow() throws {
        let output = try evaluate(
            plan: plan("clawback {\n charge original_period\n share 50%\n window 30 days\n}"),
            files: files(reversalDate: "2027-03-20"))
        #expect(totals(output) == ["R1 2027-01 3500.00", "R1 2027-02 700.00", "R1 2027-03 0.00"])
    }

    @Test func aShareOfTheDifference() throws {
        let output = try evaluate(
            plan: plan("clawback {\n charge original_period\n share 50%\n window 180 days\n}"),
            files: files(reversalDate: "2027-03-20"))
        #expect(totals(output) == ["R1 2027-01 3500.00", "R1 2027-02 700.00", "R1 2027-03 -1750.00"])
    }
}

@Suite struct TableModes {
    /// Six deals of one month, 3,000.00 in all, none above 2,000.
    let files = [
        "roster.csv": "rep,name,plan,start\nR1,Ana,T,2026-01-01\n",
        "quotas.csv": "rep,period,amount\n",
        "transactions.csv": ledger([
            ("2027-01-02", "R1", "300"), ("2027-01-03", "R1", "500"), ("2027-01-04", "R1", "700"),
            ("2027-01-05", "R1", "400"), ("2027-01-06", "R1", "200"), ("2027-01-07", "R1", "900"),
        ]),
    ]

    func plan(mode: String, middle: String = "6%", boundary: String = "", apply: String = "tiers(bookings)") -> String {
        """
        plan "T" {
          currency USD
          period month
          credit sales { amount fx(txn.amount) }
          measure bookings = sum(sales)
          table tiers \(mode) on amount \(boundary){
            up to 2000 USD           : 4%
            2000 USD to 4000 USD     : \(middle)
            4000 USD and above       : 10%
          }
          component commission = \(apply)
        }
        """
    }

    @Test func sameDealsFourModesFourTotals() throws {
        // marginal: 4% × 2,000 + 6% × 1,000 = 140.00
        #expect(totals(try evaluate(plan: plan(mode: "marginal"), files: files)) == ["R1 2027-01 140.00"])
        // retroactive: the tier reached (6%) on all of 3,000 = 180.00
        #expect(totals(try evaluate(plan: plan(mode: "retroactive"), files: files)) == ["R1 2027-01 180.00"])
        // per transaction: every deal is below 2,000, so 4% of each: 120.00
        #expect(
            totals(try evaluate(plan: plan(mode: "per_transaction", apply: "tiers(sales)"), files: files)) == ["R1 2027-01 120.00"])
        // interpolated: 5% → 9% across 2,000–4,000; at 3,000 the rate is 7%: 210.00
        #expect(totals(try evaluate(plan: plan(mode: "interpolated", middle: "5% -> 9%"), files: files)) == ["R1 2027-01 210.00"])
    }

    /// Past a closed last tier (no `and above`), the last tier is the one reached: bookings of
    /// 5,000 with tiers up to 4,000 pay 6% of all of it (retroactive: 300.00), the band's end rate
    /// (interpolated 5% → 9%: 9% × 5,000 = 450.00), and marginal pays the slices it covers (4% ×
    /// 2,000 + 6% × 2,000 = 200.00). They had paid 0.00 for selling more.
    @Test func pastAClosedLastTierTheLastTierApplies() throws {
        var files = self.files
        files["transactions.csv"] = ledger([("2027-01-02", "R1", "3000"), ("2027-01-03", "R1", "2000")])
        func closed(_ mode: String, _ middle: String) -> String {
            plan(mode: mode, middle: middle).replacingOccurrences(of: "    4000 USD and above       : 10%\n", with: "")
        }
        #expect(totals(try evaluate(plan: closed("retroactive", "6%"), files: files)) == ["R1 2027-01 300.00"])
        #expect(totals(try evaluate(plan: closed("interpolated", "5% -> 9%"), files: files)) == ["R1 2027-01 450.00"])
        #expect(totals(try evaluate(plan: closed("marginal", "6%"), files: files)) == ["R1 2027-01 200.00"])
    }

    @Test func exactBoundaryTakesTheHigherTierUnlessToldOtherwise() throws {
        var files = self.files
        files["transactions.csv"] = ledger([("2027-01-02", "R1", "1500"), ("2027-01-03", "R1", "500")])  // exactly 2,000
        #expect(totals(try evaluate(plan: plan(mode: "retroactive"), files: files)) == ["R1 2027-01 120.00"])
        #expect(
            totals(try evaluate(plan: plan(mode: "retroactive", boundary: "boundary lower "), files: files)) == ["R1 2027-01 80.00"])
        // Marginal is the same either way: 4% of 2,000.
        #expect(totals(try evaluate(plan: plan(mode: "marginal"), files: files)) == ["R1 2027-01 80.00"])
    }

    /// A marginal table pays the signed integral of its rates from 0 to the value, for tables of
    /// every shape (open or closed ends, straddling 0, all below or all above it) and values on
    /// and around every bound: worked here in whole cents, independently of the engine.
    @Test func marginalIsTheIntegralOfTheRatesFromZero() throws {
        // (lower, upper, rate in percent); nil is open.
        let tables: [[(Int?, Int?, Int)]] = [
            [(nil, -1000, 1), (-1000, 0, 2), (0, nil, 5)],
            [(nil, 500, 3), (500, 2000, 6), (2000, nil, 10)],
            [(-3000, -1000, 4), (-1000, 1000, 2)],
            [(1000, 3000, 5), (3000, nil, 7)],
            [(nil, -2000, 3), (-2000, -500, 5)],
            [(-500, 500, 8)],
        ]
        let values = [-5000, -3000, -2000, -1500, -1000, -501, -500, 0, 1, 499, 500, 1000, 1999, 2000, 2500, 3000, 4000]
        func bound(_ value: Int) -> String { value < 0 ? "(\(value) USD)" : "\(value) USD" }
        var plan = "plan \"T\" {\n  currency USD\n  period month\n  credit sales { amount fx(txn.amount) }\n  measure bookings = sum(sales)\n"
        for (index, tiers) in tables.enumerated() {
            plan += "  table t\(index) marginal on amount {\n"
            for (lower, upper, rate) in tiers {
                switch (lower, upper) {
                case (nil, let upper?): plan += "    up to \(bound(upper)) : \(rate)%\n"
                case (let lower?, nil): plan += "    \(bound(lower)) and above : \(rate)%\n"
                case (let lower?, let upper?): plan += "    \(bound(lower)) to \(bound(upper)) : \(rate)%\n"
                case (nil, nil): break
                }
            }
            plan += "  }\n  component c\(index) = t\(index)(bookings)\n"
        }
        plan += "}\n"
        var roster = "rep,name,plan,start\n"
        var ledger = "id,date,rep,amount,currency,kind\n"
        for (index, value) in values.enumerated() {
            roster += "R\(index + 10),N,T,2026-01-01\n"
            ledger += "T\(index),2027-01-05,R\(index + 10),\(value),USD,new\n"
        }
        let output = try evaluate(plan: plan, files: ["roster.csv": roster, "quotas.csv": "rep,period,amount\n", "transactions.csv": ledger])
        for (tableIndex, tiers) in tables.enumerated() {
            for (index, x) in values.enumerated() {
                // Σ rate × (the part of the tier between 0 and x), negative below 0; in cents: USD × percent.
                var cents = 0
                for (lower, upper, rate) in tiers {
                    let low = lower ?? Int.min / 4
                    let high = upper ?? Int.max / 4
                    if x >= 0 {
                        cents += rate * max(0, min(x, high) - max(low, 0))
                    } else {
                        cents -= rate * max(0, min(0, high) - max(x, low))
                    }
                }
                let expected = (cents < 0 ? "-" : "") + "\(abs(cents) / 100).\(String(format: "%02d", abs(cents) % 100))"
                let paid = output.payouts.first { $0.rep == "R\(index + 10)" && $0.component == "c\(tableIndex)" }
                #expect(paid?.amount.formatted(fractionDigits: 2) == expected, "table \(tableIndex), bookings \(x)")
            }
        }
    }

    /// Tiers below 0 (`up to -1000 USD : 1%`, `(-1000 USD) to 0 USD : 2%`, `0 USD and above :
    /// 5%`): a marginal table pays each tier's rate on its part between 0 and the value, negative
    /// below 0. Bookings of 0 pay 0.00; -500 pay 2% × -500 = -10.00; 500 pay 5% × 500 = 25.00;
    /// -1500 pay 2% × -1,000 + 1% × -500 = -25.00. The band from -1000 to 0 had been counted from
    /// its lower bound, once negative and once positive: 10.00 on 0, 0.00 on -500, 35.00 on 500.
    @Test func tiersBelowZeroPayTheirPartBetweenZeroAndTheValue() throws {
        let negative = """
            plan "T" {
              currency USD
              period month
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              table tiers MODE on amount {
                up to -1000 USD      : 1%
                (-1000 USD) to 0 USD : 2%
                0 USD and above      : 5%
              }
              component commission = APPLY
            }
            """
        var files = self.files
        files["transactions.csv"] = ledger([
            ("2027-01-10", "R1", "0"), ("2027-02-10", "R1", "-500"), ("2027-03-10", "R1", "500"), ("2027-04-10", "R1", "-1500"),
        ])
        let marginal = negative.replacingOccurrences(of: "MODE", with: "marginal").replacingOccurrences(of: "APPLY", with: "tiers(bookings)")
        #expect(
            totals(try evaluate(plan: marginal, files: files))
                == ["R1 2027-01 0.00", "R1 2027-02 -10.00", "R1 2027-03 25.00", "R1 2027-04 -25.00"])
        // Per transaction, the same inside each credit: deals of -500 and 500 in one month pay
        // -10.00 + 25.00 = 15.00 (they had paid 0.00 + 35.00); deals of -1500 and 0 pay -25.00.
        files["transactions.csv"] = ledger([
            ("2027-01-10", "R1", "-500"), ("2027-01-11", "R1", "500"), ("2027-02-10", "R1", "-1500"), ("2027-02-11", "R1", "0"),
        ])
        let perDeal = negative.replacingOccurrences(of: "MODE", with: "per_transaction").replacingOccurrences(of: "APPLY", with: "tiers(sales)")
        #expect(totals(try evaluate(plan: perDeal, files: files)) == ["R1 2027-01 15.00", "R1 2027-02 -25.00"])
    }
}

@Suite struct ClawbacksAndWindows {
    @Test func aChargedBackReversalLeavesTheYearToDateMeasure() throws {
        let output = try evaluate(
            plan: """
                plan "CLAWYTD" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  measure ytd_bookings = sum(sales) over ytd
                  component commission = bookings * 7%
                  clawback {
                    charge original_period
                    share 100%
                    window 180 days
                  }
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,CLAWYTD,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,reverses
                    T1,2027-01-05,R1,50000,USD,new,
                    T2,2027-02-10,R1,10000,USD,new,
                    T3,2027-03-20,R1,-50000,USD,new,T1

                    """,
            ])
        let ytd = output.measures.filter { $0.measure == "ytd_bookings" }.map { "\($0.period) \($0.valueText(fractionDigits: 2))" }
        // The January deal is reversed in March: from March on it no longer counts year to date.
        #expect(ytd == ["2027-01 50000.00", "2027-02 60000.00", "2027-03 10000.00"])
        #expect(totals(output) == ["R1 2027-01 3500.00", "R1 2027-02 700.00", "R1 2027-03 -3500.00"])
    }
}

@Suite struct ClawbacksAndTeams {
    static let plan = """
        plan "MGRCLAW" {
          currency USD
          period month
          credit team_sales {
            amount fx(txn.amount)
            to managers 1 levels
          }
          component direct_override = override 2% of team_sales levels 1
          clawback {
            charge original_period
            share 100%
            window 180 days
          }
        }
        """

    /// R1 reports to M1 in January and to M2 from February. The January deal, reversed in March,
    /// is charged back to the manager who was paid for it in January, not to the new one.
    @Test func aReversalIsChargedToTheManagerWhoWasPaidForTheDeal() throws {
        let output = try evaluate(
            plan: Self.plan,
            files: [
                "roster.csv": """
                    rep,name,manager,plan,start,end
                    M1,Mia,,MGRCLAW,2026-01-01,
                    M2,Max,,MGRCLAW,2026-01-01,
                    R1,Ana,M1,AE,2026-01-01,2027-01-31
                    R1,Ana,M2,AE,2027-02-01,

                    """,
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,reverses
                    T1,2027-01-05,R1,100000,USD,new,
                    T2,2027-02-10,R1,10000,USD,new,
                    T3,2027-03-20,R1,-100000,USD,new,T1

                    """,
            ])
        // M1 earned 2,000 in January for T1 and pays it back in March; M2 keeps its 200 for T2.
        #expect(totals(output) == [
            "M1 2027-01 2000.00", "M1 2027-02 0.00", "M1 2027-03 -2000.00",
            "M2 2027-01 0.00", "M2 2027-02 200.00", "M2 2027-03 0.00",
        ])
    }
}

@Suite struct ClawbacksAcrossPlanChanges {
    /// 7% of bookings, reversals charged back to the deal's month within 180 days.
    static func plan(effective: String = "") -> String {
        """
        plan "CLAWX" {
          currency USD
          period month
          \(effective)
          credit sales { amount fx(txn.amount) }
          measure bookings = sum(sales)
          component commission = bookings * 7%
          clawback {
            charge original_period
            window 180 days
          }
        }
        """
    }

    /// The plan is effective in January only; the January deal reversed in March is still charged
    /// back to January.
    @Test func aReversalAfterThePlansEffectiveEndIsStillRecovered() throws {
        let output = try evaluate(
            plan: Self.plan(effective: "effective 2027-01-01 to 2027-01-31"),
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,CLAWX,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,reverses
                    T1,2027-01-05,R1,50000,USD,new,
                    T2,2027-03-10,R1,10000,USD,new,
                    T3,2027-03-20,R1,-50000,USD,new,T1

                    """,
            ])
        // T2 falls after the effective end and earns nothing; T3 takes back January's 3,500 on a
        // clawback-only line. February, after the plan's end with nothing taken back, has no line.
        #expect(totals(output) == ["R1 2027-01 3500.00", "R1 2027-03 -3500.00"])
    }

    /// R1 leaves the company at the end of February (no roster row after it). The January deal
    /// reversed in March is still recovered: a clawback-only line in March.
    @Test func aReversalAfterTheRepLeftIsStillRecovered() throws {
        let output = try evaluate(
            plan: Self.plan(),
            files: [
                "roster.csv": "rep,name,plan,start,end\nR1,Ana,CLAWX,2026-01-01,2027-02-28\nR2,Ben,CLAWX,2026-01-01,\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,reverses
                    T1,2027-01-05,R1,50000,USD,new,
                    T2,2027-03-10,R2,10000,USD,new,
                    T3,2027-03-20,R1,-50000,USD,new,T1

                    """,
            ])
        #expect(totals(output) == [
            "R1 2027-01 3500.00", "R1 2027-02 0.00", "R1 2027-03 -3500.00",
            "R2 2027-01 0.00", "R2 2027-02 0.00", "R2 2027-03 700.00",
        ])
        #expect(output.credited.filter { $0 }.count == 3)
    }

    /// R1 leaves the CLAWX plan at the end of January for another plan. The January deal reversed in
    /// March is still recovered from what CLAWX paid for it.
    @Test func aReversalAfterAPlanChangeIsStillRecovered() throws {
        let output = try evaluate(
            plan: Self.plan(),
            files: [
                "roster.csv": """
                    rep,name,manager,plan,start,end
                    R1,Ana,,CLAWX,2026-01-01,2027-01-31
                    R1,Ana,,OTHER,2027-02-01,

                    """,
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,reverses
                    T1,2027-01-05,R1,50000,USD,new,
                    T3,2027-03-20,R1,-50000,USD,new,T1

                    """,
            ])
        // January paid 3,500.00; in March, off the plan, R1 gets a clawback-only line of -3,500.00.
        #expect(totals(output) == ["R1 2027-01 3500.00", "R1 2027-03 -3500.00"])
        #expect(totals(output, component: "commission") == ["R1 2027-01 3500.00", "R1 2027-03 0.00"])
        let march = try #require(output.payouts.first { $0.period == "2027-03" && $0.component == "total" })
        let note = output.traces[try #require(march.trace)].limit
        #expect(note == "clawback of 2027-01: -3500.00 USD")
        #expect(output.measures.filter { $0.period == "2027-03" }.isEmpty)
    }
}

@Suite struct HoldbacksAndRosterChanges {
    static let plan = """
        plan "HOLD" {
          currency USD
          period month
          credit sales { amount fx(txn.amount) }
          measure bookings = sum(sales)
          component commission = bookings * 7%
          holdback 10% of commission release quarter_end
        }
        """

    /// A new roster row on the same plan (a manager change at the end of January) is not leaving
    /// the plan: the holdback is still released with March, the quarter's last month.
    @Test func aManagerChangeOnTheSamePlanKeepsTheHoldback() throws {
        let output = try evaluate(
            plan: Self.plan,
            files: [
                "roster.csv": """
                    rep,name,manager,plan,start,end
                    M1,Mia,,MGR,2026-01-01,
                    M2,Max,,MGR,2026-01-01,
                    R1,Ana,M1,HOLD,2026-01-01,2027-01-31
                    R1,Ana,M2,HOLD,2027-02-01,

                    """,
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": ledger([("2027-01-05", "R1", "50000"), ("2027-02-05", "R1", "10000"), ("2027-03-05", "R1", "10000")]),
            ])
        // Commission 3,500 / 700 / 700; 10% held each month and the 490 released in March.
        #expect(totals(output) == ["R1 2027-01 3150.00", "R1 2027-02 630.00", "R1 2027-03 1120.00"])
    }

    /// Leaving the plan releases what is held in the last month on it.
    @Test func leavingThePlanReleasesTheHoldback() throws {
        let output = try evaluate(
            plan: Self.plan,
            files: [
                "roster.csv": "rep,name,manager,plan,start,end\nR1,Ana,,HOLD,2026-01-01,2027-02-28\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": ledger([("2027-01-05", "R1", "50000"), ("2027-02-05", "R1", "10000")]),
            ])
        #expect(totals(output) == ["R1 2027-01 3150.00", "R1 2027-02 1050.00"])
    }
}

/// A reversal is judged by its deal's size: in a rule's or a SPIFF's `where` and a rule's
/// `weight`, `txn.amount` (and `fx` of it) reads the deal it reverses, so a filter on the amount
/// neither keeps a cancelled deal paid (the reversal's own amount is negative and had failed
/// `> 10000 USD`) nor takes back a deal it never credited, and a weight takes back what it gave.
/// Everything else is the reversal's own, as REFERENCE_PLAN.md has it ("their own kind"):
/// `txn.kind`, `txn.is_reversal`, the amount credited.
@Suite struct ReversalsAreSizedByTheirDeal {
    let plan = """
        plan "BIG" {
          currency USD
          period month
          credit big {
            where fx(txn.amount) > 10000 USD
            amount fx(txn.amount)
          }
          credit kept {
            where not txn.is_reversal
            amount fx(txn.amount)
          }
          credit weighted {
            amount fx(txn.amount)
            weight if fx(txn.amount) > 10000 USD then 150% else 100%
          }
          credit news {
            where txn.kind == "new"
            amount fx(txn.amount)
          }
          measure bookings = sum(big)
          measure gross = sum(kept)
          measure weighted_bookings = sum(weighted)
          measure new_bookings = sum(news)
          component commission = bookings * 5%
          component gross_pay = gross * 1%
          component weighted_pay = weighted_bookings * 1%
          component new_pay = new_bookings * 1%
          component logos = spiff {
            window 2027-01 to 2027-12
            where fx(txn.amount) >= 5000 USD
            pay 250 USD per deal
          }
        }
        """

    @Test func aCancelledBigDealIsTakenBackAndASmallOneIsNot() throws {
        let files = [
            "roster.csv": "rep,name,plan,start\nR1,Ana,BIG,2026-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": """
                id,date,rep,amount,currency,kind,reverses
                T1,2027-01-05,R1,50000,USD,new,
                T2,2027-01-06,R1,4000,USD,new,
                T6,2027-01-07,R1,1000,USD,new,
                T3,2027-02-10,R1,-50000,USD,new,T1
                T4,2027-02-11,R1,-4000,USD,new,T2
                T7,2027-02-12,R1,-1000,USD,cancellation,T6
                T5,2027-03-01,R1,20000,USD,new,T3

                """,
        ]
        let output = try evaluate(plan: plan, files: files)
        // January: T1 passes `> 10000` (T2 and T6 do not): 5% of 50,000 = 2,500.00. February: T1's
        // reversal T3 is sized by T1 and takes it back, 5% of −50,000 = −2,500.00; T2's reversal
        // T4 stays out as T2 did (it had been left out only by its own sign, and would have taken
        // back 200.00 never paid). March: T5 reverses the reversal (T1 reinstated, 20,000 of it),
        // sized by T1: +1,000.00.
        #expect(totals(output, component: "commission") == ["R1 2027-01 2500.00", "R1 2027-02 -2500.00", "R1 2027-03 1000.00"])
        // `not txn.is_reversal` reads the row's own flag: only the deals count, 1% of 55,000.
        #expect(totals(output, component: "gross_pay") == ["R1 2027-01 550.00", "R1 2027-02 0.00", "R1 2027-03 0.00"])
        // The SPIFF pays T1 (≥ 5,000) in January, takes it back with T3 in February and pays it
        // again with T5's reinstatement in March; T2 (4,000) and T6 are never paid nor taken back.
        #expect(totals(output, component: "logos") == ["R1 2027-01 250.00", "R1 2027-02 -250.00", "R1 2027-03 250.00"])
        // A reversal is weighted by its deal's size: T1's 150% (50,000 > 10,000) is taken back at
        // 150% by T3 (its own −50,000 had taken 100%, leaving 250.00 paid on a cancelled deal);
        // T2, T4, T6 and T7 at 100%; T5 reinstates 20,000 of T1 at 150%. January 1% of 75,000 +
        // 4,000 + 1,000 = 800.00, February −800.00, March 1% of 30,000 = 300.00.
        #expect(totals(output, component: "weighted_pay") == ["R1 2027-01 800.00", "R1 2027-02 -800.00", "R1 2027-03 300.00"])
        // The kind is the reversal's own: T7 (kind "cancellation") does not pass `kind == "new"`,
        // so the "new" rule keeps T6's 1,000 (REFERENCE_PLAN.md: reversals are ordinary rows
        // with their own kind). January 1% of 55,000; February −54,000; March +20,000.
        #expect(totals(output, component: "new_pay") == ["R1 2027-01 550.00", "R1 2027-02 -540.00", "R1 2027-03 200.00"])
    }

    /// Only the deal's amount is converted at the deal's row: another money column of the
    /// reversal (its own) is converted at its own month's rate. D4 lists at 9,500 EUR in January
    /// (× 1.10 = 10,450 > 10,000: credited 11,000); its March reversal R4 lists at 20,000 EUR
    /// (× 0.40 = 8,000: not credited). It had been converted at January's 1.10 (22,000) and
    /// taken −4,000 × 1% = −40.00.
    @Test func anotherMoneyColumnIsConvertedAtTheReversalsOwnRate() throws {
        let output = try evaluate(
            plan: """
                plan "LIST" {
                  currency USD
                  period month
                  attribute txn.list_price: money
                  credit listed {
                    where fx(txn.list_price) > 10000 USD
                    amount fx(txn.amount)
                  }
                  measure listed_bookings = sum(listed)
                  component list_commission = listed_bookings * 1%
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nC,Cy,LIST,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "fx.csv": "currency,period,rate\nEUR,2027-01,1.10\nEUR,2027-03,0.40\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,list_price,reverses
                    D4,2027-01-10,C,10000,EUR,new,9500,
                    R4,2027-03-10,C,-10000,EUR,new,20000,D4

                    """,
            ])
        #expect(totals(output, component: "list_commission") == ["C 2027-01 110.00", "C 2027-02 0.00", "C 2027-03 0.00"])
    }
}
