import Engine
import Foundation
import RunResults
import Testing

/// What a review of table traces through lets and of holdbacks beside clawbacks found.
@Suite struct TraceAndHoldbackReview {
    /// A SPIFF's `pay` reading a table is valued in the crediting pass, before any trace note
    /// exists (through a let, which `pay` may no longer read, the run had crashed there). A target
    /// incentive of 60,000 reaches the second tier: 20 USD a deal, two deals in March: 40.00.
    @Test func aSpiffPayingByATable() throws {
        let output = try evaluate(
            plan: """
                plan "T" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  table curve retroactive on amount {
                    up to 50000 USD     : 10 USD
                    50000 USD and above : 20 USD
                  }
                  component s = spiff {
                    window 2027-03-01 to 2027-03-31
                    pay curve(rep.target_incentive) per deal
                  }
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start,target_incentive\nR1,Ana,T,2026-01-01,60000\n", "quotas.csv": "rep,period,amount\n",
                "transactions.csv": ledger([("2027-03-05", "R1", "100"), ("2027-03-06", "R1", "200")]),
            ])
        #expect(totals(output, component: "s") == ["R1 2027-03 40.00"])
        #expect(try trace(output, "R1", "2027-03", "s").rule == "spiff: 2 qualifying transactions in the window")
    }

    /// An override's rate read through a let that reads a table: the line stays the override's
    /// (the table's rule had replaced it). Team credits of 15,000: the table gives 2% × 15,000 =
    /// 300, the rate 300 / 15,000 = 2%, the override 2% × 15,000 = 300.00.
    @Test func anOverrideRateThroughALetKeepsTheOverridesTrace() throws {
        let output = try evaluate(
            plan: """
                plan "T" {
                  currency USD
                  period month
                  credit team {
                    amount fx(txn.amount)
                    to managers 1 levels
                  }
                  measure team_bookings = sum(team)
                  table ovr_rate retroactive on amount {
                    up to 10000 USD     : 1%
                    10000 USD and above : 2%
                  }
                  let r = ovr_rate(team_bookings) / team_bookings round half_even 6
                  component o = override r of team levels 1
                }
                """,
            files: [
                "roster.csv": "rep,name,manager,plan,start\nM1,Mo,,T,2026-01-01\nR1,Ana,M1,AE,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": ledger([("2027-01-10", "R1", "15000")]),
            ])
        #expect(totals(output, component: "o") == ["M1 2027-01 300.00"])
        let line = try trace(output, "M1", "2027-01", "o")
        #expect(line.rule == "manager override on team credits from 1 level down")
        #expect(line.tier == nil)
        #expect(line.rate == "2%")
        #expect(line.base == "15000.00 USD of team credits")
    }

    /// A let of a let carries the inner let's table: a line reading both shows it once, in
    /// either order, and bounds of `in … to …` or items of `in [...]` decide, so their tables are
    /// not shown. 15,000 reaches curve's second tier: 8% × 15,000 = 1,200 = a; b = 2,400.
    @Test func aLetOfALetShowsItsTableOnceAndRangeBoundsDecide() throws {
        let output = try evaluate(
            plan: """
                plan "T" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  table curve retroactive on amount {
                    up to 10000 USD     : 4%
                    10000 USD and above : 8%
                  }
                  table kick retroactive on amount {
                    up to 10000 USD     : 1%
                    10000 USD and above : 2%
                  }
                  let a = curve(bookings)
                  let b = a * 2
                  component c1 = b + a
                  component c2 = a + b
                  component c3 = a when bookings in kick(bookings) to 1000000 USD
                  component c4 = a when bookings in [kick(bookings), 15000 USD]
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,T,2026-01-01\n", "quotas.csv": "rep,period,amount\n",
                "transactions.csv": ledger([("2027-01-10", "R1", "15000")]),
            ])
        #expect(totals(output, component: "c1") == ["R1 2027-01 3600.00"])
        #expect(totals(output, component: "c3") == ["R1 2027-01 1200.00"])
        #expect(totals(output, component: "c4") == ["R1 2027-01 1200.00"])
        for component in ["c1", "c2", "c3", "c4"] {
            let line = try trace(output, "R1", "2027-01", component)
            #expect(line.tier == "retroactive table curve on amount, tier 2: 10000 USD and above", "\(component)")
            #expect(line.rate == "8%", "\(component)")
            #expect(line.base == "15000.00 USD", "\(component)")
        }
    }

    /// A recoverable guarantee's top-up is a loan also when a clawback restates a period it
    /// covers: the yearly cap does not count it (it had counted 1,000.00 of it).
    /// January's 12,000 deal pays 1,200 (counted); reversed in February it restates January to 0
    /// topped up to 1,000 (lent): −200 paid back, and the year has earned 0. February and March
    /// lend 1,000 each. April's 60,000 earns 6,000, capped at the year's 5,000, of which the
    /// 3,000 owed is recovered: 2,000.00.
    @Test func aRestatedRecoverableGuaranteeIsNotCountedUnderAYearlyCap() throws {
        let output = try evaluate(
            plan: """
                plan "T" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component commission = bookings * 10%
                  cap total at 5000 USD per year
                  draw g {
                    type recoverable_guarantee
                    amount 1000 USD
                    periods 2027-01 to 2027-03
                  }
                  clawback {
                    charge original_period
                    share 100%
                    window 365 days
                  }
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,T,2026-01-01\n", "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,reverses
                    T1,2027-01-10,R1,12000,USD,new,
                    T2,2027-02-10,R1,-12000,USD,new,T1
                    T3,2027-04-10,R1,60000,USD,new,

                    """,
            ])
        #expect(totals(output) == ["R1 2027-01 1200.00", "R1 2027-02 800.00", "R1 2027-03 1000.00", "R1 2027-04 2000.00"])
        let april = try trace(output, "R1", "2027-04", "total")
        #expect(april.limit?.hasPrefix("cap per year at 5000.00 USD (0.00 USD paid in the year so far: 5000.00 USD left), from 6000.00 USD") == true, "\(april.limit ?? "")")
    }

    /// A holdback of a component holds nothing of a month its part of a clawback takes below
    /// zero (it had held 10.00 of February's 100.00 commission beside a −3,000.00 charge-back).
    /// January's 30,000 deal pays 3,000, 300 held; reversed in February beside a 1,000 deal:
    /// 100 − 3,000 = −2,900.00, nothing held.
    @Test func aComponentHoldbackHoldsNothingOfANegativeMonth() throws {
        let output = try evaluate(
            plan: """
                plan "T" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component commission = bookings * 10%
                  clawback {
                    charge original_period
                    share 100%
                    window 365 days
                  }
                  holdback 10% of commission release quarter_end
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,T,2026-01-01\n", "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,reverses
                    T1,2027-01-10,R1,30000,USD,new,
                    T2,2027-02-10,R1,-30000,USD,new,T1
                    T3,2027-02-11,R1,1000,USD,new,

                    """,
            ])
        #expect(totals(output) == ["R1 2027-01 2700.00", "R1 2027-02 -2900.00"])
        #expect(try trace(output, "R1", "2027-02", "total").limit == "clawback of 2027-01: -3000.00 USD")
    }

    /// A SPIFF paying by a count table shows the table's tier, rate and base (a change that kept
    /// tables out of SPIFF lines had left only the count). Three deals a month: January's
    /// bookings of 17,000 open the third tier's gate (300.00); February's 9,000 do not, so it
    /// pays the second tier's 100.00.
    @Test func aCountTableSpiffShowsItsTier() throws {
        let output = try evaluate(
            plan: """
                plan "T" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  table ladder retroactive on amount {
                    up to 2     : 0 USD
                    2 to 3      : 100 USD
                    3 and above : 300 USD if bookings > 15000 USD
                  }
                  component s = spiff {
                    window 2027-01-01 to 2027-12-31
                    pay table ladder by count
                  }
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,T,2026-01-01\n", "quotas.csv": "rep,period,amount\n",
                "transactions.csv": ledger([
                    ("2027-01-10", "R1", "10000"), ("2027-01-11", "R1", "6000"), ("2027-01-12", "R1", "1000"),
                    ("2027-02-10", "R1", "3000"), ("2027-02-11", "R1", "3000"), ("2027-02-12", "R1", "3000"),
                ]),
            ])
        #expect(totals(output, component: "s") == ["R1 2027-01 300.00", "R1 2027-02 100.00"])
        let january = try trace(output, "R1", "2027-01", "s")
        #expect(january.rule == "retroactive table ladder by count of qualifying deals")
        #expect(january.tier == "tier 3: 3 and above")
        #expect(january.rate == "300.00 USD")
        #expect(january.base == "3 qualifying deals")
        let february = try trace(output, "R1", "2027-02", "s")
        #expect(february.tier == "tier 3: 3 and above (its condition is not met: it pays tier 2's rate)")
        #expect(february.rate == "100.00 USD")
    }

    /// A reversal in a count table SPIFF's window takes a deal back, and its trace says how many
    /// rows it counted: 3 deals and 1 reversal of one of them are 2 qualifying deals (tier 2).
    @Test func aCountTableSpiffSaysWhatItsReversalsTakeBack() throws {
        let output = try evaluate(
            plan: """
                plan "T" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  table ladder retroactive on amount {
                    up to 2     : 0 USD
                    2 to 3      : 100 USD
                    3 and above : 300 USD
                  }
                  component s = spiff {
                    window 2027-01-01 to 2027-12-31
                    pay table ladder by count
                  }
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,T,2026-01-01\n", "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,reverses
                    A,2027-01-10,R1,1000,USD,new,
                    B,2027-01-11,R1,1000,USD,new,
                    C,2027-01-12,R1,1000,USD,new,
                    XC,2027-01-20,R1,-1000,USD,new,C

                    """,
            ])
        #expect(totals(output, component: "s") == ["R1 2027-01 100.00"])
        let january = try trace(output, "R1", "2027-01", "s")
        #expect(january.tier == "tier 2: 2 to 3")
        #expect(january.base == "2 qualifying deals (4 in the window, 1 of them a reversal)")
    }

    /// A reinstated deal (a reversal of its reversal) pays back what its cancellation took only
    /// within what the year has left under a yearly cap: the room the cancellation freed was paid
    /// out since, and the year had been paid 5,000.00 past its 3,000.00 cap.
    /// January's 20,000 deal pays 2,000; cancelled in February (−2,000: the year has paid 0), where
    /// a 30,000 deal pays 3,000 (the year: 3,000); March's 100 meets the used-up cap; April's
    /// reinstatement would add 2,000 to January, but the year has 0 left: 0.00.
    @Test func aReinstatementPaysWithinTheYearlyCap() throws {
        let output = try evaluate(
            plan: Self.clawbackPlan("  cap total at 3000 USD per year"),
            files: Self.oneRep(
                """
                A,2027-01-10,R1,20000,USD,new,
                XA,2027-02-05,R1,-20000,USD,new,A
                B,2027-02-10,R1,30000,USD,new,
                C,2027-03-10,R1,1000,USD,new,
                XXA,2027-04-10,R1,20000,USD,new,XA
                """))
        #expect(totals(output) == ["R1 2027-01 2000.00", "R1 2027-02 1000.00", "R1 2027-03 0.00", "R1 2027-04 0.00"])
        #expect(
            try trace(output, "R1", "2027-04", "total").limit
                == "restated 2027-01: +0.00 USD (of +2000.00 USD, cut to what the cap per year at 3000.00 USD leaves)")
    }

    /// What a period takes back frees the year's room for what it adds back in the same period,
    /// whichever original it restates first (February's clawback had not freed room for January's
    /// reinstatement: the year ended at 2,000 under a 3,000 cap). January 2,000 and February 1,000;
    /// March cancels January's deal (−2,000) and books 2,000 (the year: 3,000); April reinstates
    /// January's deal and cancels February's: −1,000 frees 1,000, so +1,000 of the +2,000; 3,000.
    @Test func aClawbackFreesRoomForAReinstatementInTheSamePeriod() throws {
        let output = try evaluate(
            plan: Self.clawbackPlan("  cap total at 3000 USD per year"),
            files: Self.oneRep(
                """
                A,2027-01-10,R1,20000,USD,new,
                B,2027-02-10,R1,10000,USD,new,
                XA,2027-03-05,R1,-20000,USD,new,A
                C,2027-03-10,R1,20000,USD,new,
                XXA,2027-04-10,R1,20000,USD,new,XA
                XB,2027-04-11,R1,-10000,USD,new,B
                """))
        #expect(totals(output) == ["R1 2027-01 2000.00", "R1 2027-02 1000.00", "R1 2027-03 0.00", "R1 2027-04 0.00"])
        #expect(
            try trace(output, "R1", "2027-04", "total").limit
                == "restated 2027-01: +1000.00 USD (of +2000.00 USD, cut to what the cap per year at 3000.00 USD leaves); clawback of 2027-02: -1000.00 USD")
    }

    /// A loan a recoverable guarantee no longer makes is given back when it was already recovered:
    /// R1's January deal (10,000: 1,000.00, above the 1,000.00 guarantee) is cancelled in February,
    /// so January is guaranteed and its 1,000.00 lent; March earns 1,500.00 and pays 500.00 after
    /// recovering the loan; April reinstates the deal, so nothing was ever lent, and pays back the
    /// 1,000.00 recovered (it had been kept: R1 ended 1,000.00 short of R2, who kept the deal).
    /// Both are paid 2,500.00, what they earned.
    @Test func aReinstatementGivesBackARecoveredLoanNoLongerOwed() throws {
        let output = try evaluate(
            plan: Self.guaranteePlan("2027-01 to 2027-01"),
            files: Self.cancelledAndKept("B,2027-03-10,R1,15000,USD,new,\nB2,2027-03-10,R2,15000,USD,new,"))
        #expect(
            totals(output) == [
                "R1 2027-01 1000.00", "R1 2027-02 0.00", "R1 2027-03 500.00", "R1 2027-04 1000.00",
                "R2 2027-01 1000.00", "R2 2027-02 0.00", "R2 2027-03 1500.00", "R2 2027-04 0.00",
            ])
        #expect(try trace(output, "R1", "2027-03", "total").limit == "recovered for safety_net -1000.00 USD, 0.00 USD still owed")
        #expect(
            try trace(output, "R1", "2027-04", "total").limit
                == "given back for safety_net +1000.00 USD: recovered for a loan it no longer makes")
    }

    /// The plan of the give-back tests: 10% of bookings, a recoverable guarantee of 1,000.00 over
    /// `guaranteed`, charge-backs to the deal's period, and `more` (a cap, another guarantee).
    static func guaranteePlan(_ guaranteed: String, _ more: String = "") -> String {
        clawbackPlan(
            """
              draw safety_net {
                type recoverable_guarantee
                amount 1000 USD
                periods \(guaranteed)
              }
            \(more)
            """)
    }

    /// The plan of the reinstatement tests: 10% of bookings, charge-backs to the deal's period,
    /// and `more` (limits, draws).
    static func clawbackPlan(_ more: String) -> String {
        commissionPlan("  clawback {\n    charge original_period\n  }\n" + more)
    }

    /// One rep, R1, on plan G, with `rows` of the ledger.
    static func oneRep(_ rows: String) -> [String: String] {
        oneRepFiles("id,date,rep,amount,currency,kind,reverses\n" + rows + "\n")
    }

    /// R1's deal cancelled and reinstated against R2's kept deal, with `later` rows for both.
    static func cancelledAndKept(_ later: String) -> [String: String] {
        [
            "roster.csv": "rep,name,plan,start\nR1,Ana,G,2026-01-01\nR2,Ben,G,2026-01-01\n", "quotas.csv": "rep,period,amount\n",
            "transactions.csv": """
                id,date,rep,amount,currency,kind,reverses
                A,2027-01-10,R1,10000,USD,new,
                XA,2027-02-05,R1,-10000,USD,new,A
                XXA,2027-04-10,R1,10000,USD,new,XA
                A2,2027-01-10,R2,10000,USD,new,
                Z2,2027-04-10,R2,0,USD,new,
                \(later)

                """,
        ]
    }

    /// Under a yearly cap of the total, the loan no longer made counts as pay again within the
    /// year's room: the cancellation had freed 1,000.00 of it, which March's 3,500.00 used (paid
    /// 3,000.00, less 1,000.00 recovered); reinstated, January is pay again and the year is at its
    /// 3,000.00, so nothing is given back (4,000.00 had been paid, R2 3,000.00). With March at
    /// 2,500.00 the year has 500.00 left: 500.00 of the 1,000.00 recovered is given back.
    @Test func aGivenBackLoanStaysWithinTheYearlyCap() throws {
        let plan = Self.guaranteePlan("2027-01 to 2027-01", "  cap total at 3000 USD per year")
        let capped = try evaluate(plan: plan, files: Self.cancelledAndKept("B,2027-03-10,R1,35000,USD,new,\nB2,2027-03-10,R2,35000,USD,new,"))
        #expect(
            totals(capped) == [
                "R1 2027-01 1000.00", "R1 2027-02 0.00", "R1 2027-03 2000.00", "R1 2027-04 0.00",
                "R2 2027-01 1000.00", "R2 2027-02 0.00", "R2 2027-03 2000.00", "R2 2027-04 0.00",
            ])
        #expect(
            try trace(capped, "R1", "2027-04", "total").limit
                == "restated 2027-01: +0.00 USD (of +1000.00 USD with the loan no longer made, cut to what the cap per year at 3000.00 USD leaves; "
                + "1000.00 USD of the loan is kept: owed still, or not given back where recovered)")
        let room = try evaluate(plan: plan, files: Self.cancelledAndKept("B,2027-03-10,R1,25000,USD,new,\nB2,2027-03-10,R2,25000,USD,new,"))
        #expect(
            totals(room) == [
                "R1 2027-01 1000.00", "R1 2027-02 0.00", "R1 2027-03 1500.00", "R1 2027-04 500.00",
                "R2 2027-01 1000.00", "R2 2027-02 0.00", "R2 2027-03 2000.00", "R2 2027-04 0.00",
            ])
    }

    /// What was recovered for the loan no longer made is given back before the period's own
    /// top-up (netted against it, the 1,000.00 recovered in February and March had vanished, and
    /// the rep owed nothing where R2 owes April's top-up): both are paid 5,000.00 and owe 1,000.00,
    /// recovered from May's 2,000.00.
    @Test func aGivenBackLoanIsNotNettedAgainstTheSamePeriodsTopUp() throws {
        let output = try evaluate(
            plan: Self.guaranteePlan("2027-01 to 2027-04"),
            files: Self.cancelledAndKept(
                """
                F,2027-02-10,R1,15000,USD,new,
                B,2027-03-10,R1,15000,USD,new,
                M,2027-05-10,R1,20000,USD,new,
                F2,2027-02-10,R2,15000,USD,new,
                B2,2027-03-10,R2,15000,USD,new,
                M2,2027-05-10,R2,20000,USD,new,
                """))
        #expect(
            totals(output) == [
                "R1 2027-01 1000.00", "R1 2027-02 1000.00", "R1 2027-03 1000.00", "R1 2027-04 2000.00", "R1 2027-05 1000.00",
                "R2 2027-01 1000.00", "R2 2027-02 1500.00", "R2 2027-03 1500.00", "R2 2027-04 1000.00", "R2 2027-05 1000.00",
            ])
        #expect(
            try trace(output, "R1", "2027-04", "total").limit
                == "given back for safety_net +1000.00 USD: recovered for a loan it no longer makes; "
                + "guarantee safety_net +1000.00 USD (owed back from later earnings; 1000.00 USD owed)")
    }

    /// What was recovered for the loan no longer made first settles another guarantee's loan: March
    /// recovered January's 1,000.00 first, so February's guarantee was still owed 500.00 (R2 had
    /// repaid it in March); April settles it and gives back the other 500.00. Both are paid
    /// 2,500.00 and owe nothing.
    @Test func aGivenBackLoanSettlesAnotherGuaranteeFirst() throws {
        let plan = Self.guaranteePlan(
            "2027-01 to 2027-01",
            """
              draw later_net {
                type recoverable_guarantee
                amount 1000 USD
                periods 2027-02 to 2027-02
              }
            """)
        let output = try evaluate(plan: plan, files: Self.cancelledAndKept("B,2027-03-10,R1,15000,USD,new,\nB2,2027-03-10,R2,15000,USD,new,"))
        #expect(
            totals(output) == [
                "R1 2027-01 1000.00", "R1 2027-02 1000.00", "R1 2027-03 0.00", "R1 2027-04 500.00",
                "R2 2027-01 1000.00", "R2 2027-02 1000.00", "R2 2027-03 500.00", "R2 2027-04 0.00",
            ])
        #expect(
            try trace(output, "R1", "2027-04", "total").limit
                == "recovered for safety_net's loan no longer made, 500.00 USD settles later_net: 0.00 USD still owed; "
                + "given back for safety_net +500.00 USD: recovered for a loan it no longer makes")
    }

    /// A year paid past its cap already (the target incentive, and the cap with it, fell in July)
    /// pays nothing more, and the note says why: it is not a rounding inside the cap.
    @Test func aYearPastItsCapSaysSo() throws {
        let output = try evaluate(
            plan: """
                plan "T" {
                  currency USD
                  period month
                  credit sales { amount fx(txn.amount) }
                  measure bookings = sum(sales)
                  component commission = bookings * 10%
                  cap total at rep.target_incentive / 10 per year
                }
                """,
            files: [
                "roster.csv": "rep,name,plan,start,end,target_incentive\nR1,Ana,T,2026-01-01,2027-06-30,120000\nR1,Ana,T,2027-07-01,,12000\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": "id,date,rep,amount,currency,kind\nA,2027-01-10,R1,100000,USD,new\nB,2027-07-10,R1,5000,USD,new\n",
            ])
        #expect(totals(output).filter { !$0.hasSuffix(" 0.00") } == ["R1 2027-01 10000.00"])
        let limit = try #require(try trace(output, "R1", "2027-07", "total").limit)
        #expect(
            limit.hasPrefix(
                "cap per year at 1200.00 USD (10000.00 USD paid in the year so far: -8800.00 USD left), from 500.00 USD, "
                    + "paid as 0.00 USD: the year is past the cap already ("),
            "\(limit)")
        #expect(limit.hasSuffix("/test.plan:7:3)"))
    }

    /// A reinstatement pays a component back only within what its yearly cap leaves: R1's January
    /// 1,000.00 is cancelled in February, which frees the commission's room; February and March
    /// pay 1,500.00 each (the year's 3,000.00); April's reinstatement is cut to 0.00 (it had paid
    /// 1,000.00, and R1 4,000.00 against R2's 3,000.00, who kept the deal).
    @Test func aReinstatementPaysAComponentWithinItsYearlyCap() throws {
        let output = try evaluate(
            plan: Self.clawbackPlan("  cap commission at 3000 USD per year"),
            files: Self.cancelledAndKept(
                """
                F,2027-02-10,R1,15000,USD,new,
                B,2027-03-10,R1,15000,USD,new,
                F2,2027-02-10,R2,15000,USD,new,
                B2,2027-03-10,R2,15000,USD,new,
                """))
        #expect(
            totals(output) == [
                "R1 2027-01 1000.00", "R1 2027-02 500.00", "R1 2027-03 1500.00", "R1 2027-04 0.00",
                "R2 2027-01 1000.00", "R2 2027-02 1500.00", "R2 2027-03 500.00", "R2 2027-04 0.00",
            ])
        #expect(
            try trace(output, "R1", "2027-04", "total").limit
                == "restated 2027-01: +0.00 USD (commission of +1000.00 USD, cut to what its cap per year at 3000.00 USD leaves)")
    }

    /// A component cut to its yearly room is restated at that amount under the total's own cap:
    /// January's 1,500.00 commission is paid 1,200.00 under the cap per period; reinstated in
    /// April with 500.00 of the commission's year left, January's commission is 500.00 and its
    /// total 500.00 (not 1,200.00 − 1,000.00 = 200.00: the cap per period had held 300.00 of the
    /// cut back already). R2, who kept the deal, would be paid 300.00 less: see language.md.
    @Test func aComponentsYearlyCapCutsTheTotalOnlyByWhatItsOwnCapLeft() throws {
        let output = try evaluate(
            plan: Self.clawbackPlan("  cap commission at 3000 USD per year\n  cap total at 1200 USD per period"),
            files: Self.oneRep(
                """
                A,2027-01-10,R1,15000,USD,new,
                XA,2027-02-05,R1,-15000,USD,new,A
                F,2027-02-10,R1,15000,USD,new,
                B,2027-03-10,R1,10000,USD,new,
                XXA,2027-04-10,R1,15000,USD,new,XA
                """))
        #expect(totals(output) == ["R1 2027-01 1200.00", "R1 2027-02 0.00", "R1 2027-03 1000.00", "R1 2027-04 500.00"])
        #expect(
            try trace(output, "R1", "2027-04", "total").limit
                == "restated 2027-01: +500.00 USD (commission of +1500.00 USD, cut to what its cap per year at 3000.00 USD leaves)")
    }

    /// A component's cut comes off the total below zero when the same original period takes
    /// another component back: April reinstates January's new deal (its commission cut to 0.00:
    /// February used the year) and cancels January's renewal (its kicker −50.00), so April pays
    /// −50.00, as for R2 who kept the deal (the cut had stopped at zero: +950.00 became 0.00, and
    /// R1 was paid 3,050.00 against 3,000.00).
    @Test func aComponentsCutTakesTheTotalBelowZero() throws {
        let output = try evaluate(
            plan: """
                plan "G" {
                  currency USD
                  period month
                  credit newb {
                    where txn.kind == "new"
                    amount fx(txn.amount)
                  }
                  credit renew {
                    where txn.kind == "renewal"
                    amount fx(txn.amount)
                  }
                  measure new_bookings = sum(newb)
                  measure renew_bookings = sum(renew)
                  component commission = new_bookings * 10%
                  component kicker = renew_bookings * 10%
                  clawback {
                    charge original_period
                  }
                  cap commission at 3000 USD per year
                }
                """,
            files: Self.cancelledAndKept(
                """
                K,2027-01-11,R1,500,USD,renewal,
                F,2027-02-10,R1,30000,USD,new,
                XK,2027-04-11,R1,-500,USD,renewal,K
                K2,2027-01-11,R2,500,USD,renewal,
                F2,2027-02-10,R2,30000,USD,new,
                XK2,2027-04-11,R2,-500,USD,renewal,K2
                """))
        #expect(
            totals(output) == [
                "R1 2027-01 1050.00", "R1 2027-02 2000.00", "R1 2027-03 0.00", "R1 2027-04 -50.00",
                "R2 2027-01 1050.00", "R2 2027-02 2000.00", "R2 2027-03 0.00", "R2 2027-04 -50.00",
            ])
        #expect(
            try trace(output, "R1", "2027-04", "total").limit
                == "clawback of 2027-01: -50.00 USD (commission of +1000.00 USD, cut to what its cap per year at 3000.00 USD leaves)")
    }

    /// A component cut to its yearly room restates the period again with the component there, so
    /// the total's floors and guarantees apply to what is left: January (a 300.00 guarantee, not
    /// recoverable) restated with the commission cut from 500.00 to 400.00 pays +100.00 over the
    /// guarantee it was left with (the cut had been lost behind the guarantee: +200.00, and R1 was
    /// paid 700.00 against R2's 600.00). With a floor of 800.00 a period instead, a commission cut
    /// to 500.00 leaves January at its floor, already paid: +0.00 (it had paid +200.00).
    @Test func aComponentsCutRestatesThePeriodUnderItsFloorsAndGuarantees() throws {
        let guaranteed = try evaluate(
            plan: Self.clawbackPlan(
                """
                  draw floor {
                    type non_recoverable_guarantee
                    amount 300 USD
                    periods 2027-01 to 2027-01
                  }
                  cap commission at 600 USD per year
                """),
            files: [
                "roster.csv": "rep,name,plan,start\nR1,Ana,G,2026-01-01\nR2,Ben,G,2026-01-01\n", "quotas.csv": "rep,period,amount\n",
                "transactions.csv": """
                    id,date,rep,amount,currency,kind,reverses
                    A,2027-01-10,R1,5000,USD,new,
                    XA,2027-02-05,R1,-5000,USD,new,A
                    F,2027-02-10,R1,2000,USD,new,
                    XXA,2027-04-10,R1,5000,USD,new,XA
                    A2,2027-01-10,R2,5000,USD,new,
                    F2,2027-02-10,R2,2000,USD,new,
                    Z2,2027-04-10,R2,0,USD,new,

                    """,
            ])
        #expect(
            totals(guaranteed) == [
                "R1 2027-01 500.00", "R1 2027-02 0.00", "R1 2027-03 0.00", "R1 2027-04 100.00",
                "R2 2027-01 500.00", "R2 2027-02 100.00", "R2 2027-03 0.00", "R2 2027-04 0.00",
            ])
        #expect(
            try trace(guaranteed, "R1", "2027-04", "total").limit
                == "restated 2027-01: +100.00 USD (commission of +500.00 USD, cut to what its cap per year at 600.00 USD leaves)")
        let floored = try evaluate(
            plan: Self.clawbackPlan("  cap commission at 3000 USD per year\n  floor total at 800 USD per period"),
            files: Self.oneRep(
                """
                A,2027-01-10,R1,10000,USD,new,
                XA,2027-02-05,R1,-10000,USD,new,A
                F,2027-02-10,R1,25000,USD,new,
                XXA,2027-04-10,R1,10000,USD,new,XA
                """))
        #expect(totals(floored) == ["R1 2027-01 1000.00", "R1 2027-02 2300.00", "R1 2027-03 800.00", "R1 2027-04 800.00"])
        #expect(
            try trace(floored, "R1", "2027-04", "total").limit?.hasSuffix(
                "restated 2027-01: +0.00 USD (commission of +1000.00 USD, cut to what its cap per year at 3000.00 USD leaves)") == true)
    }
}
