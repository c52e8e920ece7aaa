import Engine
import Foundation
import RunResults
import Testing

/// Holdbacks beside draws, guarantees and yearly limits: a holdback holds a share of positive
/// earnings only, a recovery takes at most what the holdback leaves, and a guarantee's top-up is
/// pay for the year's limits.
@Suite struct HoldbackInteractions {
    /// A recovery takes at most the earnings less what the holdback withholds: a recovery of all
    /// of April's 1,000.00 had left the holdback to take the month to −100.00.
    /// Commission 10% of 5,000 / 20,000 / 3,000 / 10,000 / 50,000 / 2,000 = 500 / 2,000 / 300 /
    /// 1,000 / 5,000 / 200; 10% held each month, released with March and June.
    /// - January: 500 + 1,000 advance − 50 held = 1,450.00 (owed 1,000).
    /// - February: 2,000 + 1,000 − 200 = 2,800.00 (owed 2,000).
    /// - March: 300 + 1,000 − 30 + 280 released = 1,550.00 (owed 3,000).
    /// - April: 100 held, 900 left to recover from: 1,000 − 100 − 900 = 0.00 (owed 2,100).
    /// - May: 500 held, 2,100 recovered: 5,000 − 500 − 2,100 = 2,400.00 (owed 0).
    /// - June: 200 − 20 + 620 released = 800.00. The half-year pays 9,000.00, its earnings.
    @Test func aRecoveryLeavesWhatTheHoldbackHolds() throws {
        let output = try evaluate(
            plan: commissionPlan(
                """
                  draw ramp {
                    type recoverable
                    amount 1000 USD
                    periods 2027-01 to 2027-03
                    recovery_start 2027-04
                    recovery_max 100%
                  }
                  holdback 10% of total release quarter_end
                """),
            files: oneRepFiles(
                ledger([
                    ("2027-01-05", "R1", "5000"), ("2027-02-05", "R1", "20000"), ("2027-03-05", "R1", "3000"),
                    ("2027-04-05", "R1", "10000"), ("2027-05-05", "R1", "50000"), ("2027-06-05", "R1", "2000"),
                ])))
        #expect(
            totals(output) == [
                "R1 2027-01 1450.00", "R1 2027-02 2800.00", "R1 2027-03 1550.00", "R1 2027-04 0.00", "R1 2027-05 2400.00",
                "R1 2027-06 800.00",
            ])
        let april = try trace(output, "R1", "2027-04", "total")
        #expect(april.limit == "recovered for ramp -900.00 USD, 2100.00 USD still owed; holdback -100.00 USD")
    }

    /// Negative earnings withhold nothing and give nothing back: a reversal's −2,000.00 month had
    /// "given back" 200.00 that was not held, and June's release had then taken 190.00 from a
    /// month that earned 100.00, paying it below its 1,000.00 guarantee.
    /// A 20,000 March deal pays 2,000 (200 held, released with March); reversed in May (no
    /// clawback block: a credit of May) it pays −2,000. June earns 100, topped up to the
    /// 1,000 guarantee; 10 held and released with June: 1,000.00. July earns 100, 10 held: 90.00.
    @Test func negativeEarningsHoldNothing() throws {
        let output = try evaluate(
            plan: commissionPlan(
                """
                  draw g {
                    type non_recoverable_guarantee
                    amount 1000 USD
                    periods 2027-06 to 2027-06
                  }
                  holdback 10% of total release quarter_end
                """),
            files: oneRepFiles(
                """
                    id,date,rep,amount,currency,kind,reverses
                    T1,2027-03-05,R1,20000,USD,new,
                    T2,2027-05-05,R1,-20000,USD,new,T1
                    T3,2027-06-05,R1,1000,USD,new,
                    T4,2027-07-05,R1,1000,USD,new,

                    """))
        #expect(totals(output) == ["R1 2027-03 2000.00", "R1 2027-04 0.00", "R1 2027-05 -2000.00", "R1 2027-06 1000.00", "R1 2027-07 90.00"])
        let may = try trace(output, "R1", "2027-05", "total")
        #expect(may.limit == nil)
    }

    /// A non-recoverable guarantee's top-up is pay for the year: a yearly floor counts it (it had
    /// paid the guaranteed months a second time, 8,900.00 for a 6,000.00 floor).
    /// Commission 10% of 1,000 in January and December. January pays 100 + 900 top-up, February
    /// and March 1,000 each (all top-up): 3,000 paid by December, whose 100 is raised to the
    /// 3,000 the floor still needs. The year pays 6,000.00.
    @Test func aYearlyFloorCountsGuaranteeTopUps() throws {
        let output = try evaluate(
            plan: commissionPlan(
                """
                  floor total at 6000 USD per year
                  draw g {
                    type non_recoverable_guarantee
                    amount 1000 USD
                    periods 2027-01 to 2027-03
                  }
                """),
            files: oneRepFiles(
                ledger([("2027-01-05", "R1", "1000"), ("2027-12-05", "R1", "1000")])))
        let paid = totals(output)
        #expect(paid.first == "R1 2027-01 1000.00")
        #expect(paid.last == "R1 2027-12 3000.00")
        #expect(paid == ["R1 2027-01 1000.00", "R1 2027-02 1000.00", "R1 2027-03 1000.00"] + (4...11).map { "R1 2027-\($0 < 10 ? "0" : "")\($0) 0.00" } + ["R1 2027-12 3000.00"])
        let december = try trace(output, "R1", "2027-12", "total")
        #expect(december.limit?.hasPrefix("floor per year at 6000.00 USD (3000.00 USD paid in the year so far: 3000.00 USD to reach it), from 100.00 USD") == true, "\(december.limit ?? "")")
    }
}
