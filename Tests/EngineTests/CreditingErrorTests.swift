import CompCore
import CompDiagnostics
import Engine
import Foundation
import Ledger
import PlanLanguage
import PlanModel
import RunResults
import Testing

/// Review of the chunked, rule-by-rule crediting (Crediting.swift) and the compiled path.
/// Found in review: crediting errors must not depend on how rows are cut into shards.
@Suite struct CreditingErrors {
    /// Loads `files` for the checked plan `text`.
    func load(_ text: String, _ files: [String: String]) throws -> (Plan, LedgerData) {
        let checked = PlanChecker.check(source: SourceFile(path: "test.plan", text: text))
        let plan = try #require(checked.plan, "\(checked.rendered())")
        let directory = NSTemporaryDirectory() + "comp-review-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, content) in files { try Data(content.utf8).write(to: URL(fileURLWithPath: directory + "/" + name)) }
        let load = LedgerLoader.load(directory: directory, options: ReferenceEvaluator.loadOptions(for: [plan]))
        #expect(load.errorCount == 0, "\(load.diagnostics.map(\.description))")
        return (plan, load.data)
    }

    func failure(_ plan: Plan, _ data: LedgerData, threads: Int, compiled: Bool) -> String? {
        do {
            _ = try ReferenceEvaluator.evaluate(plan, data: data, threads: threads, compiled: compiled)
            return nil
        } catch {
            return error.description
        }
    }

    /// A monthly plan whose attainment reads a monthly quota.
    static let quotaPlan = """
        plan "P" {
          currency USD
          period month
          credit sales { amount fx(txn.amount) }
          measure bookings = sum(sales)
          quota bookings per month
          let attainment = bookings / quota(bookings)
          component c = if attainment >= 100% then 100 USD else 0 USD
        }
        """

    /// A missing quota names the later periods of the run that miss it too, so a roster's
    /// quotas missing for the year are found in one run, not one month per run. A deal a month
    /// from January to `last`; quotas for January only, and June when the run reaches July.
    @Test(arguments: [
        (2, ""), (3, " (nor in 2027-03)"), (4, " (nor in 2027-03 and 2027-04)"),
        (7, " (nor in 4 later periods of the run, 2027-03, 2027-04, 2027-05, 2027-07)"), (5, " (nor in 3 later periods of the run, 2027-03 … 2027-05)"),
    ])
    func aMissingQuotaNamesTheLaterPeriodsMissingIt(last: Int, said: String) throws {
        var transactions = "id,date,rep,amount,currency\n"
        for month in 1...last { transactions += "T\(month),2027-0\(month)-10,R1,100,USD\n" }
        let quotas = "rep,period,amount\nR1,2027-01,1000\n" + (last == 7 ? "R1,2027-06,1000\n" : "")  // June given: not a range
        let (plan, data) = try load(
            Self.quotaPlan,
            ["roster.csv": "rep,name,plan,start\nR1,Ana,P,2026-01-01\n", "quotas.csv": quotas, "transactions.csv": transactions])
        let message = try #require(failure(plan, data, threads: 2, compiled: true))
        #expect(message.hasSuffix("rep R1, 2027-02: no quota for measure bookings in 2027-02 in quotas.csv\(said)"), "\(message)")
    }

    /// A quarterly plan given monthly quotas (a monthly plan's file) is told that they are there
    /// and are not added up: the message had read as though the rep had no quota at all.
    @Test(arguments: [("R1,2027-01,1000\nR1,2027-02,1000\nR1,2027-03,1000\n", "2027-01 … 2027-03"), ("R1,2027-02,1000\n", "2027-02")])
    func aMissingQuarterQuotaNamesTheMonthsGiven(quotas: String, said: String) throws {
        let plan = Self.quotaPlan.replacingOccurrences(of: "period month", with: "period quarter")
            .replacingOccurrences(of: "quota bookings per month", with: "quota bookings per quarter")
        let (checked, data) = try load(
            plan,
            [
                "roster.csv": "rep,name,plan,start\nR1,Ana,P,2026-01-01\n", "quotas.csv": "rep,period,amount\n" + quotas,
                "transactions.csv": "id,date,rep,amount,currency\nT1,2027-02-10,R1,100,USD\n",
            ])
        let message = try #require(failure(checked, data, threads: 2, compiled: true))
        #expect(
            message.hasSuffix(
                "rep R1, 2027-Q1: no quota for measure bookings in 2027-Q1 in quotas.csv; quotas.csv has this rep's quota for \(said), "
                    + "a shorter period: a quarter's quota is one row for 2027-Q1 (shorter periods' rows are not added up)"), "\(message)")
    }

    /// The later periods named are those the rep is on the plan in: R1 leaves at the end of
    /// February while R2 carries the run to May, so only February is missing for R1.
    @Test func aMissingQuotaNamesNoPeriodAfterTheRepLeft() throws {
        var transactions = "id,date,rep,amount,currency\n"
        for month in 1...5 { transactions += "T\(month),2027-0\(month)-10,\(month <= 2 ? "R1" : "R2"),100,USD\n" }
        var quotas = "rep,period,amount\nR1,2027-01,1000\n"
        for month in 1...5 { quotas += "R2,2027-0\(month),1000\n" }
        let (plan, data) = try load(
            Self.quotaPlan,
            [
                "roster.csv": "rep,name,plan,start,end\nR1,Ana,P,2026-01-01,2027-02-28\nR2,Ben,P,2026-01-01,\n", "quotas.csv": quotas,
                "transactions.csv": transactions,
            ])
        let message = try #require(failure(plan, data, threads: 2, compiled: true))
        #expect(message.hasSuffix("rep R1, 2027-02: no quota for measure bookings in 2027-02 in quotas.csv"), "\(message)")
    }

    /// A roll-up to every manager level makes a credit per level: a roster whose manager column
    /// chains 300 reps (R299 reports to R298 … to R0) would make 300 credits of each of R299's
    /// rows. Roll-ups follow at most 256 levels; deeper is an error naming the rep and its roster
    /// line, every such rep at once (R299 and R280, not R200, whose chain is 200 deep), at any
    /// thread count and in both evaluators.
    @Test(arguments: [(1, true), (2, true), (2, false)])
    func aManagerChainDeeperThanTheRollupLimitIsAnError(threads: Int, compiled: Bool) throws {
        var roster = "rep,name,manager,plan,start\n"
        for index in 0..<300 { roster += "R\(index),N\(index),\(index == 0 ? "" : "R\(index - 1)"),P,2026-01-01\n" }
        let (plan, data) = try load(
            """
            plan "P" {
              currency USD
              period month
              credit team { amount fx(txn.amount)
                to rep
                to managers all levels }
              measure bookings = sum(team)
              component commission = bookings * 1%
            }
            """,
            [
                "roster.csv": roster, "quotas.csv": "rep,period,amount\n",
                "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-05,R299,100,USD,new\n"
                    + "T2,2027-02-05,R200,100,USD,new\nT3,2027-03-05,R280,100,USD,new\nT4,2027-03-06,R299,100,USD,new\n",
            ])
        let limit = "is more than 256 levels deep; roll-ups follow at most 256 (check the roster's manager column)"
        #expect(
            failure(plan, data, threads: threads, compiled: compiled)
                == "test.plan: rep R299, 2027-01: credit team: the manager chain above R299 (roster.csv line 301) \(limit)\n"
                + "test.plan: rep R280, 2027-03: credit team: the manager chain above R280 (roster.csv line 282) \(limit)\n"
                + "2 credits failed"
        )
    }

    /// A mistyped year: T2 dated 9999-12-31 would make the run span 2027-01 … 9999-12, 95,676
    /// months (12 × 7,973 years), a statement per payee for each. The run refuses, naming both ends.
    @Test func aRunOfMoreThanACenturyOfPeriodsIsRefused() throws {
        let (plan, data) = try load(
            """
            plan "P" {
              currency USD
              period month
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              component commission = bookings * 10%
            }
            """,
            [
                "roster.csv": "rep,name,plan,start\nR1,Ana,P,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": "id,date,rep,amount,currency,kind\nT1,2027-01-05,R1,100,USD,new\nT2,9999-12-31,R1,100,USD,new\n",
            ])
        #expect(
            failure(plan, data, threads: 2, compiled: true)
                == "plan P: its transactions run from 2027-01-05 (T1) to 9999-12-31 (T2), 95676 month periods, and a run computes at most 1200; correct the date that is wrong, or give the plan `effective` dates"
        )
    }

    /// Two rows fail, each in a different credit rule: T1 (R1, January) in rule `b`, T2 (R2,
    /// February) in rule `a`. Rows are credited a chunk at a time, rule by rule, in shards whose
    /// number depends on the thread count (1 thread: T1 and T2 share a shard; 2 threads: they do
    /// not). Rule `a` reaches T2 before rule `b` reaches T1, but the error reported must be the
    /// first failing row in file order, T1 (rep R1, 2027-01), for any thread count and both paths.
    @Test func creditingErrorDoesNotDependOnThreadCount() throws {
        let text = """
            plan "ERR" {
              currency USD
              period month
              credit a {
                where txn.kind == "a"
                amount fx(txn.amount) / txn.quantity
              }
              credit b {
                where txn.kind == "b"
                amount fx(txn.amount) / txn.quantity
              }
              measure sa = sum(a)
              measure sb = sum(b)
              component commission = (sa + sb) * 10%
            }
            """
        var ledger = "id,date,rep,amount,currency,kind,quantity\n"
        ledger += "T1,2027-01-05,R1,100,USD,b,0\n"
        ledger += "T2,2027-02-05,R2,100,USD,a,0\n"
        for index in 3...8 { ledger += "T\(index),2027-03-05,R1,100,USD,a,1\n" }
        let (plan, data) = try load(
            text,
            [
                "roster.csv": "rep,name,plan,start\nR1,Ana,ERR,2026-01-01\nR2,Ben,ERR,2026-01-01\n",
                "quotas.csv": "rep,period,amount\n",
                "transactions.csv": ledger,
            ])
        let one = try #require(failure(plan, data, threads: 1, compiled: false))
        let two = try #require(failure(plan, data, threads: 2, compiled: false))
        let compiledTwo = try #require(failure(plan, data, threads: 2, compiled: true))
        #expect(one == two)
        #expect(two == compiledTwo)
        #expect(one.contains("rep R1, 2027-01"), "\(one)")
        #expect(two.contains("rep R1, 2027-01"), "\(two)")
        for threads in [3, 8] { #expect(failure(plan, data, threads: threads, compiled: true) == one) }
    }

    /// An overflow in a credit rule's amount, or in a cap's, names the rule or the cap at its
    /// place (they had said only "crediting", or nothing, with no file, line or column); one
    /// overflowing in every period of a payee, each of another amount, is one line naming the
    /// later periods, not a line a period.
    @Test(arguments: [true, false])
    func anOverflowNamesItsRuleOrCap(compiled: Bool) throws {
        // The plan as a file: a failure's place is read from it (file:line:column).
        let directory = NSTemporaryDirectory() + "comp-overflow-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func load(_ text: String, _ files: [String: String]) throws -> (Plan, LedgerData) {
            let (plan, data) = try self.load(text, files)
            try Data(text.utf8).write(to: URL(fileURLWithPath: directory + "/test.plan"))
            var located = plan
            located.files = [directory + "/test.plan"]
            return (located, data)
        }
        let files = [
            "roster.csv": "rep,name,plan,start\nR1,Ana,P,2026-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": "id,date,rep,amount,currency\nT1,2027-01-05,R1,100,USD\nT2,2027-02-05,R1,200,USD\nT3,2027-03-05,R1,300,USD\n",
        ]
        let credit = """
            plan "P" {
              currency USD
              period month
              param big = 2147483647000
              credit sales {
                amount fx(txn.amount) * big * big * big
              }
              measure bookings = sum(sales)
              component c = bookings * 1%
            }
            """
        let (creditPlan, creditData) = try load(credit, files)
        let creditFailure = try #require(failure(creditPlan, creditData, threads: 2, compiled: compiled))
        #expect(creditFailure.hasPrefix("\(directory)/test.plan:5:3: rep R1, 2027-01: credit rule sales: arithmetic overflow in "), "\(creditFailure)")
        let cap = """
            plan "P" {
              currency USD
              period month
              param big = 2147483647000
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              component c = bookings * 1%
              cap total at bookings * big * big * big per year
            }
            """
        let (capPlan, capData) = try load(cap, files)
        let message = try #require(failure(capPlan, capData, threads: 2, compiled: compiled))
        #expect(message.hasPrefix("\(directory)/test.plan:8:3: rep R1, 2027-01: cap on the total per year: arithmetic overflow in "), "\(message)")
        #expect(message.hasSuffix(" (likewise, with other amounts, in 2027-02, 2027-03)"), "\(message)")
        #expect(!message.contains("\n"), "\(message)")
        // The total past the stored range through a draw (each component fits): the total has no
        // line of its own, so its failure names the plan's (it had no place at all; found by
        // fuzzing). 1 + 9,223,372,036,854 = 9,223,372,036,855 > 9,223,372,036,854.775807.
        let total = """
            plan "P" {
              currency USD
              period month
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              component c = bookings * 1%
              draw d {
                type recoverable
                amount 9223372036854 USD
                periods 2027-01 to 2027-03
              }
            }
            """
        let (totalPlan, totalData) = try load(total, files)
        let totalFailure = try #require(failure(totalPlan, totalData, threads: 2, compiled: compiled))
        #expect(
            totalFailure.hasPrefix(
                "\(directory)/test.plan:1:1: rep R1, 2027-01: total: 9223372036855.00 does not fit the stored range (±9223372036854.775807)"),
            "\(totalFailure)")
    }
}


/// Columns past the tabulation limit (65,536 distinct values, stored with 32-bit codes) are read
/// through the reference evaluator; below it they are tables. Both give what the reference walk
/// gives (`evaluate(plan:files:)` runs both paths and compares them).
@Suite struct WideColumnsAndTables {
    func plan(_ customer: String) -> String {
        """
        plan "WIDE" {
          currency USD
          period month
          attribute txn.customer: text
          credit sales {
            where txn.customer != "\(customer)"
            amount fx(txn.amount)
            weight match txn.kind {
              "new" => 100%
              else  => 50%
            }
          }
          measure bookings = sum(sales) round half_even 2
          component commission = bookings * 10% round half_even 2
        }
        """
    }

    func files(customers: Int) -> [String: String] {
        var ledger = "id,date,rep,amount,currency,kind,customer\n"
        for index in 0..<customers {
            ledger += "T\(index),2027-01-05,R1,10,USD,\(index % 3 == 0 ? "new" : "renewal"),C\(index)\n"
        }
        return [
            "roster.csv": "rep,name,plan,start\nR1,Ana,WIDE,2026-01-01\n",
            "quotas.csv": "rep,period,amount\n",
            "transactions.csv": ledger,
        ]
    }

    @Test func aNarrowColumnIsTabulated() throws {
        // 300 rows: 100 new (10 each), 200 renewals (5 each), minus C0 (new): 990 + 1000 = 1990.
        let output = try evaluate(plan: plan("C0"), files: files(customers: 300))
        #expect(totals(output, component: "commission") == ["R1 2027-01 199.00"])
    }

    @Test func aColumnPastTheLimitIsReadRowByRow() throws {
        // 70,000 distinct customers: 23,334 new (10 each) and 46,666 renewals (5 each), minus C3 (new).
        let output = try evaluate(plan: plan("C3"), files: files(customers: 70_000))
        #expect(totals(output, component: "commission") == ["R1 2027-01 46666.00"])
    }
}
