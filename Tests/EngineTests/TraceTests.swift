import CompCore
@testable import Engine
import RunResults
import Testing

/// What a payout line's trace says: its rule, tier, rate and base must give the amount, and its
/// transactions must be exactly the ledger rows that fed it (rows are 0-based ledger positions).
/// The trace of `rep`'s `component` line in `period`.
func trace(_ output: RunOutput, _ rep: String, _ period: String, _ component: String) throws -> TraceRecord {
    let line = try #require(output.payouts.first { $0.rep == rep && $0.period == period && $0.component == component })
    return try #require(line.trace.map { output.traces[$0] })
}

@Suite struct Traces {
    let tiers = """
        plan "TIERS" {
          currency USD
          period month
          credit sales { amount fx(txn.amount) }
          measure bookings = sum(sales)
          measure bookings_ytd = sum(sales) over ytd
          table steps marginal on amount {
            up to 1000 USD : 5%
            1000 USD to 2000 USD : 8%
            2000 USD and above : 10% if bookings_ytd >= 10000 USD
          }
          table ladder retroactive on amount {
            up to 5 : 0 USD
            5 and above : 500 USD
          }
          measure deals = count(sales)
          component commission = steps(bookings)
          component ladder_bonus = ladder(deals)
          component kicker = bookings_ytd * 1% round half_even 2
          cap total at 300 USD per period
        }
        """

    var files: [String: String] {
        [
            "roster.csv": "rep,name,plan,start\nR1,Ana,TIERS,2026-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            // January: 1,000 exactly (the first tier's top); February: 2,500 in five deals.
            "transactions.csv": ledger([
                ("2027-01-05", "R1", "1000"), ("2027-02-01", "R1", "500"), ("2027-02-02", "R1", "500"),
                ("2027-02-03", "R1", "500"), ("2027-02-04", "R1", "500"), ("2027-02-05", "R1", "500"),
            ]),
        ]
    }

    /// A marginal table shows every slice it paid, so rate and base give the amount: at exactly
    /// 1,000 only the first slice pays (5% × 1,000 = 50.00; it had shown tier 2's 8% alone).
    /// February's 2,500: 5% × 1,000 + 8% × 1,000 + the third tier's 500 at 8%, because its gate
    /// (year to date ≥ 10,000; it is 3,500) is closed: 50 + 80 + 40 = 170.00.
    @Test func marginalSlicesAndAClosedGate() throws {
        let output = try evaluate(plan: tiers, files: files)
        let january = try trace(output, "R1", "2027-01", "commission")
        #expect(totals(output, component: "commission") == ["R1 2027-01 50.00", "R1 2027-02 170.00"])
        #expect(january.rule == "marginal table steps on amount")
        #expect(january.tier == "tier 2: 1000 USD to 2000 USD")
        #expect(january.rate == "5% on 1000.00 USD")
        #expect(january.base == "1000.00 USD")
        let february = try trace(output, "R1", "2027-02", "commission")
        #expect(february.tier == "tier 3: 2000 USD and above (its condition is not met: it pays tier 2's rate)")
        #expect(february.rate == "5% on 1000.00 USD + 8% on 1000.00 USD + 8% on 500.00 USD")
        #expect(february.base == "2500.00 USD")
    }

    /// A table of amounts looked up with a count: the value is money, the base a whole number
    /// (it had shown "rate 500.00; on 5.00").
    @Test func countTableShowsMoneyAndACount() throws {
        let output = try evaluate(plan: tiers, files: files)
        let february = try trace(output, "R1", "2027-02", "ladder_bonus")
        #expect(totals(output, component: "ladder_bonus") == ["R1 2027-01 0.00", "R1 2027-02 500.00"])
        #expect(february.tier == "tier 2: 5 and above")
        #expect(february.rate == "500.00 USD")
        #expect(february.base == "5")
    }

    /// A line reading a year-to-date measure was fed by the year's rows, not only the period's:
    /// February's kicker is 1% of 3,500 (January's 1,000 and February's 2,500) = 35.00, and its
    /// trace holds all six rows. The total holds them too.
    @Test func yearToDateLinesListTheYearsTransactions() throws {
        let output = try evaluate(plan: tiers, files: files)
        #expect(totals(output, component: "kicker") == ["R1 2027-01 10.00", "R1 2027-02 35.00"])
        let kicker = try trace(output, "R1", "2027-02", "kicker")
        #expect(kicker.rule == "formula bookings_ytd * 1%")
        #expect(kicker.transactions.rows == [0, 1, 2, 3, 4, 5])
        // The commission's third tier is gated on bookings_ytd: January's row decided its rate too.
        #expect(try trace(output, "R1", "2027-02", "commission").transactions.rows == [0, 1, 2, 3, 4, 5])
        #expect(try trace(output, "R1", "2027-02", "ladder_bonus").transactions.rows == [1, 2, 3, 4, 5])
        #expect(try trace(output, "R1", "2027-02", "total").transactions.rows == [0, 1, 2, 3, 4, 5])
    }

    /// A cap says what it capped: February's 170 + 500 + 35 = 705.00 is capped at 300.00.
    @Test func capSaysWhatItCapped() throws {
        let output = try evaluate(plan: tiers, files: files)
        #expect(totals(output) == ["R1 2027-01 60.00", "R1 2027-02 300.00"])
        let total = try trace(output, "R1", "2027-02", "total")
        #expect(total.limit?.hasPrefix("cap at 300.00 USD, from 705.00 USD (") == true)
        #expect(total.limit?.hasSuffix("/test.plan:20:3)") == true)
        #expect(try trace(output, "R1", "2027-01", "total").limit == nil)
    }

    /// A reversal charged back to its deal's period is in the trace of the line that charges it:
    /// T3 (row 2) reverses January's T1 in March; March's total (−3,500.00) lists it.
    @Test func chargedBackReversalIsInTheTotalsTrace() throws {
        let output = try evaluate(
            plan: """
                plan "CLAW" {
                  currency USD
                  period month
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
                    T1,2027-01-05,R1,50000,USD,new,
                    T2,2027-02-10,R1,10000,USD,new,
                    T3,2027-03-20,R1,-50000,USD,new,T1

                    """,
            ])
        #expect(totals(output) == ["R1 2027-01 3500.00", "R1 2027-02 700.00", "R1 2027-03 -3500.00"])
        let march = try trace(output, "R1", "2027-03", "total")
        #expect(march.limit == "clawback of 2027-01: -3500.00 USD")
        #expect(march.transactions.rows == [2])
        // January's line still lists the deal itself, February only its own.
        #expect(try trace(output, "R1", "2027-01", "total").transactions.rows == [0])
        #expect(try trace(output, "R1", "2027-02", "total").transactions.rows == [1])
    }

    /// An override's trace: the credits of the levels it counts (a level-1 override of V1, whose
    /// manager M1 sold nothing, had listed R1's sale two levels down), its rate and base, and why
    /// a gated one paid nothing.
    @Test func overrideTraces() throws {
        let output = try evaluate(
            plan: managerOverridePlan,
            files: [
                "roster.csv": """
                    rep,name,manager,plan,start
                    V1,Vic,,MGR,2026-01-01
                    M1,Mia,V1,MGR,2026-01-01
                    R1,Ana,M1,AE,2026-01-01

                    """,
                "quotas.csv": "rep,period,amount\nV1,2027-01,50000\nM1,2027-01,200000\n",
                "transactions.csv": ledger([("2027-01-05", "R1", "100000")]),
            ])
        // V1: nothing from level 1 (M1 sold nothing); 0.5% of 100,000 = 500.00 from all levels
        // (200% of its quota). M1: 2% of 100,000 = 2,000.00; its deep override is gated (50%).
        #expect(totals(output, component: "direct_override") == ["M1 2027-01 2000.00", "V1 2027-01 0.00"])
        #expect(totals(output, component: "deep_override") == ["M1 2027-01 0.00", "V1 2027-01 500.00"])
        let direct = try trace(output, "V1", "2027-01", "direct_override")
        #expect(direct.rule == "manager override on team_sales credits from 1 level down")
        #expect(direct.rate == "2%")
        #expect(direct.base == "0.00 USD of team credits")
        #expect(direct.transactions.rows == [])
        let deep = try trace(output, "V1", "2027-01", "deep_override")
        #expect(deep.rule == "manager override on team_sales credits from every level down")
        #expect(deep.rate == "0.5%")
        #expect(deep.base == "100000.00 USD of team credits")
        #expect(deep.transactions.rows == [0])
        let gated = try trace(output, "M1", "2027-01", "deep_override")
        #expect(gated.tier == "its condition is not met (team_attainment >= 100%): it pays nothing")
        #expect(gated.rate == nil)
        // The team's row that fed the condition is listed (it had listed none).
        #expect(gated.transactions.rows == [0])
    }

    /// An interpolated rate is shown with every digit, so rate × base gives the amount: at 62.5%
    /// attainment between 50% (2%) and 100% (6%) the rate is 2% + 4% × 0.25 = 3%; at 1,000,000
    /// of a 1,300,000 quota (76.923076…%) it is 2% + 4% × 0.538461538… = 4.153846153…% (the
    /// position exact to 18 digits), and that of 1,000,000 is 41,538.46 (cut to 4.1538% it gave
    /// 41,538.00).
    @Test func interpolatedRatesShowEveryDigit() throws {
        let output = try evaluate(
            plan: """
                plan "CURVE" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  table sliding interpolated on attainment {
                    up to 50% : 2%
                    50% to 100% : 2% -> 6%
                    100% and above : 6%
                  }
                  component commission = sliding(bookings, quota(bookings)) round half_even 2
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,CURVE,2026-01-01\n",
                "quotas.csv": "rep,period,amount\nR1,2027-01,1600\nR1,2027-02,1300000\n",
                "transactions.csv": ledger([("2027-01-05", "R1", "1000"), ("2027-02-05", "R1", "1000000")]),
            ])
        #expect(totals(output, component: "commission") == ["R1 2027-01 30.00", "R1 2027-02 41538.46"])
        #expect(try trace(output, "R1", "2027-01", "commission").rate == "3%")
        let february = try trace(output, "R1", "2027-02", "commission")
        #expect(february.rate?.hasPrefix("4.1538461538461538") == true, "\(february.rate ?? "")")
        #expect(february.base == "1000000.00 USD against quota 1300000.00 USD")
    }

    /// A table inside a larger formula: the formula is the rule, the table's tier, rate and base
    /// its details (the line had read as the bare table: rate 220% on 160% for 22,000.00).
    @Test func aTableInsideAFormulaKeepsTheFormulaAsItsRule() throws {
        let output = try evaluate(
            plan: """
                plan "INC" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  let attainment = bookings / quota(bookings) round half_even 6
                  table curve retroactive on amount {
                    up to 100% : 50%
                    100% and above : 200%
                  }
                  component incentive = curve(attainment) * 1200 USD / 12 round half_even 2
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,INC,2026-01-01\n",
                "quotas.csv": "rep,period,amount\nR1,2027-01,1000\n",
                "transactions.csv": ledger([("2027-01-05", "R1", "1600")]),
            ])
        // 160% attainment: 200% × 1,200 / 12 = 200.00.
        #expect(totals(output, component: "incentive") == ["R1 2027-01 200.00"])
        let line = try trace(output, "R1", "2027-01", "incentive")
        #expect(line.rule == "formula curve(attainment) * 1200 USD / 12")
        #expect(line.tier == "retroactive table curve on amount, tier 2: 100% and above")
        #expect(line.rate == "200%")
        #expect(line.base == "160%")
    }

    /// An override's base has every digit of the team's credits: 2% of 100,000.749999 is
    /// 2,000.01499998, paid 2,000.01; the base cut to cents (100,000.75) gave 2,000.02.
    @Test func overrideBaseShowsEveryDigit() throws {
        let output = try evaluate(
            plan: managerOverridePlan,
            files: [
                "roster.csv": "rep,name,manager,plan,start\nM1,Mia,,MGR,2026-01-01\nR1,Ana,M1,AE,2026-01-01\n",
                "quotas.csv": "rep,period,amount\nM1,2027-01,1000000\n",
                "transactions.csv": ledger([("2027-01-05", "R1", "100000.749999")]),
            ])
        #expect(totals(output, component: "direct_override") == ["M1 2027-01 2000.01"])
        #expect(try trace(output, "M1", "2027-01", "direct_override").base == "100000.749999 USD of team credits")
    }

    /// A plan with no credit rule (SPIFFs only): the total's transactions are its SPIFF lines'
    /// (they had been "none"); lines that list nothing give a total that lists nothing.
    @Test func theTotalListsItsLinesTransactions() throws {
        let output = try evaluate(
            plan: """
                plan "SP" {
                  currency USD
                  period month
                  component units = spiff {
                    window 2027-01-01 to 2027-01-31
                    where txn.kind == "new"
                    pay 10 USD per deal
                  }
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,SP,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": ledger([("2027-01-05", "R1", "100"), ("2027-01-06", "R1", "200"), ("2027-02-06", "R1", "300")]),
            ])
        #expect(totals(output) == ["R1 2027-01 20.00", "R1 2027-02 0.00"])
        #expect(try trace(output, "R1", "2027-01", "total").transactions.rows == [0, 1])
        #expect(try trace(output, "R1", "2027-02", "total").transactions.rows == [])
    }

    /// Two closed gates in a row: the third tier pays what the second pays, which is the first
    /// tier's rate (the note had said "tier 2's rate"). 2,500: 5% of all of it = 125.00.
    @Test func stackedClosedGatesNameTheTierThatPays() throws {
        let output = try evaluate(
            plan: """
                plan "G" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  measure bookings_ytd = sum(sales) over ytd
                  table t marginal on amount {
                    up to 1000 USD : 5%
                    1000 USD to 2000 USD : 8% if bookings_ytd > 1000000 USD
                    2000 USD and above : 12% if bookings_ytd > 1000000 USD
                  }
                  component commission = t(bookings)
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,G,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": ledger([("2027-01-05", "R1", "2500")]),
            ])
        #expect(totals(output, component: "commission") == ["R1 2027-01 125.00"])
        let line = try trace(output, "R1", "2027-01", "commission")
        #expect(line.tier == "tier 3: 2000 USD and above (its condition is not met: it pays tier 1's rate)")
        // The second slice, paid at the first tier's rate, says why (only the tier reached had).
        #expect(line.rate == "5% on 1000.00 USD + 5% on 1000.00 USD (tier 2's condition is not met) + 5% on 500.00 USD")
    }

    /// A ytd measure of one rule widens only that rule's rows: March's line lists March's new
    /// business and the year's renewals, not January's new business (which it never read).
    @Test func aYearToDateWindowWidensOnlyItsOwnRule() throws {
        let output = try evaluate(
            plan: """
                plan "W" {
                  currency USD
                  period month
                  credit newbiz {
                    where txn.kind == "new"
                    amount fx(txn.amount)
                  }
                  credit renew {
                    where txn.kind == "renewal"
                    amount fx(txn.amount)
                  }
                  measure nb = sum(newbiz)
                  measure rn_ytd = sum(renew) over ytd
                  component commission = nb * 1% + 10 USD when rn_ytd > 0 USD
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,W,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind
                    T1,2027-01-05,R1,1000,USD,new
                    T2,2027-01-06,R1,500,USD,renewal
                    T3,2027-03-05,R1,2000,USD,new

                    """,
            ])
        // March: 1% of 2,000 + 10 (January's renewal counts year to date) = 30.00.
        #expect(totals(output, component: "commission") == ["R1 2027-01 20.00", "R1 2027-02 10.00", "R1 2027-03 30.00"])
        #expect(try trace(output, "R1", "2027-03", "commission").transactions.rows == [1, 2])
    }

    /// A ytd line lists the reversal charged back inside its window with its deal: February's
    /// b_ytd of 500 is T1 (1,000) + V1 (−1,000) + T2 (500), not T1 and T2 (1,500). The
    /// reversal had been listed in no line of the window.
    @Test func aYearToDateLineListsTheReversalsItCounts() throws {
        let output = try evaluate(
            plan: """
                plan "YT" {
                  currency USD
                  period month
                  credit sales {
                    amount fx(txn.amount)
                  }
                  measure b_ytd = sum(sales) over ytd
                  component ykick = b_ytd * 1%
                  clawback {
                    charge original_period
                  }
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,YT,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,reverses
                    T1,2027-01-10,R1,1000,USD,
                    T2,2027-02-10,R1,500,USD,
                    V1,2027-02-20,R1,-1000,USD,T1
                    T3,2027-03-05,R1,200,USD,

                    """,
            ])
        #expect(output.measures.filter { $0.measure == "b_ytd" }.map { $0.valueText(fractionDigits: 2) } == ["1000.00", "500.00", "700.00"])
        #expect(try trace(output, "R1", "2027-02", "ykick").transactions.rows == [0, 1, 2])
        #expect(try trace(output, "R1", "2027-03", "ykick").transactions.rows == [0, 1, 2, 3])
    }

    /// A formula reading two tables shows both, in the order it read them, each rate and base
    /// named by its table (only the last table had been shown: count_t's 10.00 USD beside a line
    /// of 84.00). A table read by a tier's gate is not one the line pays by, so it is not shown.
    /// 1,300 against a quota of 1,000: 5% × 1,000 + 8% × 300 = 74.00; 2 deals: 10.00; 84.00.
    @Test func aFormulaReadingTwoTablesShowsBoth() throws {
        let plan = """
            plan "T" {
              currency USD
              period month
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales) round half_even 2
              measure deals = count(sales)
              quota bookings per month
              table rate_t marginal on attainment {
                up to 100%     : 5%
                100% and above : 8%
              }
              table count_t retroactive on amount {
                up to 3     : 10 USD
                3 and above : 50 USD
              }
              table gated marginal on attainment {
                up to 100%     : 5%
                100% and above : 8% if count_t(deals) > 0 USD
              }
              component combo = rate_t(bookings, quota(bookings)) + count_t(deals) round half_even 2
              component plain = gated(bookings, quota(bookings)) round half_even 2
            }
            """
        let output = try evaluate(
            plan: plan,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,T,2026-01-01\n", "quotas.csv": "rep,period,amount\nR1,2027-01,1000\n",
                "transactions.csv": ledger([("2027-01-10", "R1", "600"), ("2027-01-11", "R1", "700")]),
            ])
        #expect(totals(output, component: "combo") == ["R1 2027-01 84.00"])
        let combo = try trace(output, "R1", "2027-01", "combo")
        #expect(combo.rule == "formula rate_t(bookings, quota(bookings)) + count_t(deals)")
        #expect(combo.tier == "marginal table rate_t on attainment, tier 2: 100% and above; retroactive table count_t on amount, tier 1: up to 3")
        #expect(combo.rate == "rate_t: 5% on 1000.00 USD + 8% on 300.00 USD; count_t: 10.00 USD")
        #expect(combo.base == "rate_t: 1300.00 USD against quota 1000.00 USD; count_t: 2")
        // The gate is open (10.00 > 0): 74.00, traced as the bare table it is.
        #expect(totals(output, component: "plain") == ["R1 2027-01 74.00"])
        let plain = try trace(output, "R1", "2027-01", "plain")
        #expect(plain.rule == "marginal table gated on attainment")
        #expect(plain.tier == "tier 2: 100% and above")
        #expect(plain.rate == "5% on 1000.00 USD + 8% on 300.00 USD")
        #expect(plain.base == "1300.00 USD against quota 1000.00 USD")
    }

    /// A table read only to decide (an override's or a formula's `when`, an `if`) is not one the
    /// line pays by: the line keeps its own trace (the override had shown kt's tier and its 1% or
    /// 2% as its rate). R1's 12,000 in January: kt = 2% × 12,000 = 240 > 100, the override pays
    /// 3% × 12,000 = 360.00 and the formula 120.00; February's 3,000 gives kt 60: both pay 0.
    @Test func aTableReadOnlyToDecideIsNotTheLinesTrace() throws {
        let output = try evaluate(
            plan: """
                plan "T" {
                  currency USD
                  period month
                  credit team {
                    amount fx(txn.amount)
                    to managers 1 levels
                  }
                  measure team_b = sum(team)
                  table kt retroactive on amount {
                    up to 1000 USD     : 1%
                    1000 USD and above : 2%
                  }
                  component o = override 3% of team levels 1 when kt(team_b) > 100 USD
                  component w = team_b * 1% when kt(team_b) > 100 USD
                  component i = if kt(team_b) > 100 USD then 5 USD else 1 USD
                }
                """,
            files: [
                "roster.csv": "rep,name,manager,plan,start\nM1,Mo,,T,2026-01-01\nR1,Ana,M1,AE,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": ledger([("2027-01-10", "R1", "12000"), ("2027-02-10", "R1", "3000")]),
            ])
        #expect(totals(output, component: "o") == ["M1 2027-01 360.00", "M1 2027-02 0.00"])
        #expect(totals(output, component: "w") == ["M1 2027-01 120.00", "M1 2027-02 0.00"])
        #expect(totals(output, component: "i") == ["M1 2027-01 5.00", "M1 2027-02 1.00"])
        let paid = try trace(output, "M1", "2027-01", "o")
        #expect(paid.rule == "manager override on team credits from 1 level down")
        #expect(paid.tier == nil)
        #expect(paid.rate == "3%")
        #expect(paid.base == "12000.00 USD of team credits")
        let unpaid = try trace(output, "M1", "2027-02", "o")
        #expect(unpaid.tier == "its condition is not met (kt(team_b) > 100 USD): it pays nothing")
        #expect(unpaid.rate == nil)
        for component in ["w", "i"] {
            let line = try trace(output, "M1", "2027-01", component)
            #expect(line.tier == nil && line.rate == nil && line.base == nil, "\(component): \(line)")
        }
        #expect(try trace(output, "M1", "2027-01", "i").rule == "formula if kt(team_b) > 100 USD then 5 USD else 1 USD")
    }

    /// Under `boundary lower` a value on a boundary is the lower tier's, in a marginal table's
    /// trace as in a retroactive one's (the tier above had been named, though it paid nothing):
    /// 5,000 pays 1% × 1,000 + 2% × 4,000 = 90.00 in tier 2; 1,000 pays 10.00 in tier 1.
    @Test func aMarginalTableWithBoundaryLowerNamesTheTierPaid() throws {
        let output = try evaluate(
            plan: """
                plan "T" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  table ml marginal on amount boundary lower {
                    up to 1000 USD       : 1%
                    1000 USD to 5000 USD : 2%
                    5000 USD and above   : 3%
                  }
                  component a = ml(bookings)
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,T,2026-01-01\n", "quotas.csv": "rep,period,amount\n",
                "transactions.csv": ledger([("2027-01-10", "R1", "5000"), ("2027-02-10", "R1", "1000")]),
            ])
        #expect(totals(output, component: "a") == ["R1 2027-01 90.00", "R1 2027-02 10.00"])
        let january = try trace(output, "R1", "2027-01", "a")
        #expect(january.tier == "tier 2: 1000 USD to 5000 USD")
        #expect(january.rate == "1% on 1000.00 USD + 2% on 4000.00 USD")
        #expect(try trace(output, "R1", "2027-02", "a").tier == "tier 1: up to 1000 USD")
    }

    /// A table read through a let is shown in the trace of every line that reads the let, also
    /// through another let (no line had shown it). 12,000 against a quota of 10,000: attainment
    /// 120%; the curve gives 100% + (300% − 100%) × (120% − 100%) / (200% − 100%) = 140%, so a
    /// pays 1,400.00, b 2,800.00 and e (r2 = 280%) 280.00; rt pays 3% × 12,000 = 360.00, so c
    /// pays 370.00.
    @Test func aTableReadThroughALetIsShownByEachReader() throws {
        let output = try evaluate(
            plan: """
                plan "T" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  quota bookings per month
                  let attainment = bookings / quota(bookings) round half_even 6
                  table curve interpolated on amount {
                    up to 50%      : 0%
                    50% to 100%    : 50% -> 100%
                    100% to 200%   : 100% -> 300%
                    200% and above : 300%
                  }
                  table rt retroactive on attainment {
                    up to 100%     : 2%
                    100% and above : 3%
                  }
                  let r = curve(attainment)
                  let r2 = r * 2
                  let base_comm = rt(bookings, quota(bookings))
                  component a = r * 1000 USD
                  component b = r * 2000 USD + r * 0 USD
                  component c = base_comm + 10 USD
                  component e = r2 * 100 USD
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,T,2026-01-01\n", "quotas.csv": "rep,period,amount\nR1,2027-01,10000\n",
                "transactions.csv": ledger([("2027-01-10", "R1", "12000")]),
            ])
        #expect(totals(output) == ["R1 2027-01 4850.00"])
        for (component, amount) in [("a", "1400.00"), ("b", "2800.00"), ("c", "370.00"), ("e", "280.00")] {
            #expect(totals(output, component: component) == ["R1 2027-01 \(amount)"])
        }
        for component in ["a", "b", "e"] {
            let line = try trace(output, "R1", "2027-01", component)
            // Once, however often the line reads the let.
            #expect(line.tier == "interpolated table curve on amount, tier 3: 100% to 200%", "\(component)")
            #expect(line.rate == "140%", "\(component)")
            #expect(line.base == "120%", "\(component)")
        }
        let c = try trace(output, "R1", "2027-01", "c")
        #expect(c.rule == "formula base_comm + 10 USD")
        #expect(c.tier == "retroactive table rt on attainment, tier 2: 100% and above")
        #expect(c.rate == "3%")
        #expect(c.base == "12000.00 USD against quota 10000.00 USD")
    }
}

/// A table applied to each credit of a rule (`deal_tiers(sales)`): the line's trace adds up what
/// every credit paid at each tier, so rate × base still gives the amount (it had shown the table's
/// formula alone: no tier, rate or base).
@Suite struct PerTransactionTraces {
    /// January: 4,000 pays 3% on all of it; 25,000 pays 3% on its first 10,000 and 5% on 15,000;
    /// 12,000.50 pays 3% on 10,000 and 5% on 2,000.50. So 3% on 24,000.00 (720.00) + 5% on
    /// 17,000.50 (850.025) = 1,570.025, paid 1,570.02 (half even). The highest tier is the second.
    /// February's one deal of 500 with a gate closed on the second tier pays 3% on all of it.
    @Test func ratesAndBasesAddUpOverTheCredits() throws {
        let plan = """
            plan "PT" {
              currency USD
              period month
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              table deal_tiers per_transaction on amount {
                up to 10000 USD     : 3%
                10000 USD and above : 5% if bookings >= 20000 USD
              }
              component per_deal = deal_tiers(sales)
            }
            """
        let output = try evaluate(
            plan: plan,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,PT,2026-01-01\n", "quotas.csv": "rep,period,amount\n",
                "transactions.csv": ledger([
                    ("2027-01-10", "R1", "4000.00"), ("2027-01-11", "R1", "25000.00"), ("2027-01-12", "R1", "12000.50"),
                    ("2027-02-01", "R1", "12000"),
                ]),
            ])
        #expect(totals(output, component: "per_deal") == ["R1 2027-01 1570.02", "R1 2027-02 360.00"])
        let january = try #require(output.payouts.first { $0.period == "2027-01" && $0.component == "per_deal" }?.trace.map { output.traces[$0] })
        #expect(january.rule == "per_transaction table deal_tiers on amount, on each credit of sales")
        #expect(january.tier == "tier 2: 10000 USD and above (the highest of 3 credits)")
        #expect(january.rate == "3% on 24000.00 USD + 5% on 17000.50 USD")
        #expect(january.base == "41000.50 USD in 3 credits")
        #expect(january.transactions.rows == [0, 1, 2])
        // February: 12,000 reaches the second tier, whose gate (bookings ≥ 20,000) is closed: its
        // 2,000 are paid at the first tier's 3% too: 3% × 12,000 = 360.00.
        let february = try #require(output.payouts.first { $0.period == "2027-02" && $0.component == "per_deal" }?.trace.map { output.traces[$0] })
        #expect(february.tier == "tier 2: 10000 USD and above (the highest of 1 credit, its condition not met: it pays tier 1's rate)")
        #expect(february.rate == "3% on 12000.00 USD")
        #expect(february.base == "12000.00 USD in 1 credit")
    }
}

/// Findings of a review of the per-transaction trace.
@Suite struct PerTransactionTraceReview {
    /// A tier's condition that applies another per-transaction table: only the outer table's own
    /// slices are its trace (the inner table's four tiers had been counted into the outer's two,
    /// past its end: the run crashed). 1,500 pays 5% × 1,000 + 10% × 500 (the inner table pays
    /// 1% × 100 + 2% × 100 + 3% × 100 + 4% × 1,200 + 1% × 100 + 2% × 100 + 3% × 100 + 4% × 100
    /// = 70 > 1 for the month: the gate is open); 400 pays 5%: 50 + 50 + 20 = 120.00.
    @Test func aTableInsideATiersConditionIsNotCountedInTheTrace() throws {
        let plan = """
            plan "G" {
              currency USD
              period month
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              table inner per_transaction on amount {
                up to 100 USD : 1%
                100 USD to 200 USD : 2%
                200 USD to 300 USD : 3%
                300 USD and above : 4%
              }
              table outer per_transaction on amount {
                up to 1000 USD : 5%
                1000 USD and above : 10% if inner(sales) > 1 USD
              }
              component c = outer(sales)
            }
            """
        let output = try evaluate(
            plan: plan,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,G,2026-01-01\n", "quotas.csv": "rep,period,amount\n",
                "transactions.csv": ledger([("2027-01-10", "R1", "1500"), ("2027-01-11", "R1", "400")]),
            ])
        #expect(totals(output, component: "c") == ["R1 2027-01 120.00"])
        let trace = try #require(output.payouts.first { $0.component == "c" }?.trace.map { output.traces[$0] })
        #expect(trace.rate == "5% on 1400.00 USD + 10% on 500.00 USD")
        #expect(trace.base == "1900.00 USD in 2 credits")
        #expect(trace.tier == "tier 2: 1000 USD and above (the highest of 2 credits)")
    }

    /// A component applying a table to the credits of two rules: each application writes every
    /// field of its part of the trace (the second, with no credits, had kept the first's tier and
    /// rate beside its own base), and both parts are shown (the last alone had been).
    @Test func eachApplicationWritesTheWholeTrace() throws {
        let plan = """
            plan "T" {
              currency USD
              period month
              credit sales { amount fx(txn.amount) }
              credit big {
                where txn.kind == "big"
                amount fx(txn.amount)
              }
              measure bookings = sum(sales)
              table deal_tiers per_transaction on amount {
                up to 10000 USD : 3%
                10000 USD and above : 5%
              }
              component c = deal_tiers(sales) + deal_tiers(big)
            }
            """
        let output = try evaluate(
            plan: plan,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,T,2026-01-01\n", "quotas.csv": "rep,period,amount\n",
                "transactions.csv": ledger([("2027-01-10", "R1", "15000")]),
            ])
        // 3% × 10,000 + 5% × 5,000 = 550.00; no "big" credit.
        #expect(totals(output, component: "c") == ["R1 2027-01 550.00"])
        let trace = try #require(output.payouts.first { $0.component == "c" }?.trace.map { output.traces[$0] })
        #expect(
            trace.tier
                == "per_transaction table deal_tiers on amount, on each credit of sales, tier 2: 10000 USD and above (the highest of 1 credit); "
                + "per_transaction table deal_tiers on amount, on each credit of big")
        #expect(trace.rate == "deal_tiers(sales): 3% on 10000.00 USD + 5% on 5000.00 USD")
        #expect(trace.base == "deal_tiers(sales): 15000.00 USD in 1 credit; deal_tiers(big): 0.00 USD in 0 credits")
    }
}

/// The per-transaction tally adds each slice to its tier's base in place (a copy taken to read
/// it had made each write copy every tier's base: a 1,000-tier table took minutes per run).
@Suite struct PerTransactionTallyAdding {
    @Test func slicesGoToTheirTierOrToUnpaid() throws {
        var tally = PerTransactionTally(table: 0, tiers: 3)
        try tally.add(WideDecimal(value: 10_000, scale: 2), paidAt: 0)  // 100.00 at tier 1
        try tally.add(WideDecimal(value: 2_500, scale: 3), paidAt: 0)  // + 2.500 = 102.500
        try tally.add(WideDecimal(value: 7, scale: 0), paidAt: 2)  // 7 at tier 3
        try tally.add(WideDecimal(value: 4, scale: 0), paidAt: -1)  // no rate: unpaid
        try tally.add(WideDecimal(value: 1, scale: 0), paidAt: 3)  // past the tiers: unpaid
        #expect(tally.bases.map { $0.formatted(fractionDigits: 3) } == ["102.500", "0.000", "7.000"])
        #expect(tally.unpaid.formatted(fractionDigits: 0) == "5")
    }
}
