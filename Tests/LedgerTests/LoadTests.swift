import CompCore
import CompDiagnostics
import Foundation
import Ledger
import Testing

@Suite struct MinimalLoad {
    @Test func validDataLoadsEveryRow() throws {
        let directory = try DataDirectory(Minimal.files)
        let (load, messages) = directory.load()
        #expect(messages == [])
        #expect(load.isClean)
        let txns = load.data.transactions
        #expect(txns.count == 3)
        #expect(txns.ids[0] == "T1")
        #expect(txns.ids[2] == "T3")
        #expect(txns.amounts[0] == 1_000_500_000)
        #expect(txns.amounts[2] == -1_000_500_000)
        #expect(txns.money(at: 1) == Money(FixedDecimal(units: 200_000_000), Currency(code: "EUR")!))
        #expect(txns.dates[1] == CivilDate(year: 2027, month: 1, day: 6))
        #expect(load.data.roster.repIDs[Int(txns.reps[0])] == "R1")
        #expect(txns.quantities[2] == -2)
        #expect(txns.reversals.target(of: 2) == 0)
        #expect(txns.reversals.target(of: 0) == nil)
        #expect(txns.reversals.count == 1)
        #expect(txns.line(of: 2) == 4)
        #expect(txns.attribute("product")?[0] == "WIDGET-X")
        #expect(txns.attribute("kind")?[1] == "renewal")
        #expect(txns.attribute("region")?.values == ["NA", "EMEA"])
        // Roster: a quoted name with a comma, a plan change mid-year, manager links.
        let roster = load.data.roster
        #expect(roster.repIDs == ["M1", "R1", "R2"])
        #expect(roster.rows[1].name == "Rossi, Nils")
        #expect(roster.rows[1].manager == 0)
        #expect(roster.rows[1].targetIncentive == FixedDecimal(units: 24_000_000_000))
        #expect(roster.rowsByRep[2].count == 2)
        let july = try #require(CivilDate(year: 2027, month: 7, day: 15))
        #expect(roster.assignment(of: 2, on: july)?.line == 5)
        // Quotas of three period kinds.
        let quotas = load.data.quotas
        #expect(quotas.quota(rep: 1, period: Period(parsing: "2027-Q1")!) == FixedDecimal(units: 30_000_000_000))
        #expect(quotas.quota(rep: 2, period: Period(parsing: "2027")!) == FixedDecimal(units: 120_000_000_000))
        #expect(quotas.quota(rep: 2, period: Period(parsing: "2027-01")!) == nil)
        // Splits and fx.
        #expect(load.data.splits.rows.count == 2)
        #expect(load.data.splits.byTransaction[1]?.count == 2)
        #expect(load.data.fx.rate(Currency(code: "EUR")!, monthNumber: 2027 * 12) == FixedDecimal(units: 1_083_689))
        // Reconciliation.
        let files = load.reconciliation.files
        #expect(files.map(\.rowsRead) == [3, 4, 3, 2, 1])
        #expect(files.map(\.rejected) == [0, 0, 0, 0, 0])
        let usd = try #require(load.reconciliation.currencyTotals.first { $0.currency.code == "USD" })
        #expect(usd.acceptedRows == 2)
        #expect(usd.acceptedAmount == WideDecimal(value: 0, scale: 6))
    }

    @Test(arguments: [1, 2, 3, 8])
    func resultsDoNotDependOnThreadsOrChunks(threads: Int) throws {
        // Many rows and tiny chunks so that several chunks and quoted newlines meet at cut points.
        var text = "id,date,rep,amount,currency,product,kind,quantity,region,reverses\n"
        for index in 1...3000 {
            let note = index % 7 == 0 ? "\"multi\nline, \"\"quoted\"\"\"" : "plain"
            text += "T\(String(format: "%06d", index)),2027-01-05,R\(index % 2 + 1),\(index).25,USD,\(note),new,1,NA,\n"
        }
        var files = Minimal.with("transactions.csv", text)
        files["splits.csv"] = nil
        let directory = try DataDirectory(files)
        var options = LedgerLoadOptions(threads: threads)
        options.chunkBytes = 1 << 16
        let (load, messages) = directory.load(options)
        #expect(messages == [])
        #expect(load.data.transactions.count == 3000)
        let product = try #require(load.data.transactions.attribute("product"))
        #expect(product[6] == "multi\nline, \"quoted\"")
        #expect(product[0] == "plain")
        #expect(load.data.transactions.line(of: 7) == 10)  // T000008 starts after one two-line record
        #expect(load.data.transactions.line(of: 2999) == 2999 + 2 + 428)  // 428 records span two lines
        let usd = try #require(load.reconciliation.currencyTotals.first)
        // Σ (i + 0.25) for i in 1...3000 = 4,501,500 + 750.
        #expect(usd.acceptedAmount == WideDecimal(value: 4_502_250_000_000, scale: 6))
    }
}

@Suite struct SharedDataSets {
    @Test(arguments: [("ae-10k", 10_000, 115, 1_200, 24), ("ae-100k", 100_000, 1_141, 12_000, 24)])
    func loadWithDocumentedCounts(name: String, transactions: Int, reps: Int, quotas: Int, fx: Int) throws {
        let path = sharedData + "/" + name
        try #require(FileManager.default.fileExists(atPath: path + "/transactions.csv"))
        let load = LedgerLoader.load(directory: path)
        #expect(load.errorCount == 0)
        #expect(load.data.transactions.count == transactions)
        #expect(load.data.roster.repIDs.count == reps)
        #expect(load.data.quotas.rows.count == quotas)
        #expect(load.data.fx.rates.count == fx)
        #expect(load.data.transactions.reversals.count == transactions / 100)
        #expect(load.data.roster.rows.filter { $0.plan == "AE-STD" }.count == (name == "ae-10k" ? 100 : 1_000))
    }
}
