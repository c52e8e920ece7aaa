import CompCore
import CompDiagnostics
import Foundation
@testable import Ledger
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
        let files = Minimal.ledgerOnly(text)
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

    /// The tokenizer reads 32 bytes at a time (16 in the file's last 32): rows of 64 lengths in a
    /// row (37 to 102 bytes with LF, one more with CRLF) put commas, line ends and the file's end
    /// at every offset of a step. Each row's fields must read as written.
    @Test(arguments: [false, true])
    func rowsOfEveryLengthReadTheirFields(crlf: Bool) throws {
        let end = crlf ? "\r\n" : "\n"
        var text = "id,date,rep,amount,currency,product,kind,quantity,region,reverses" + end
        var expected: [(id: String, product: String, amount: Int64)] = []
        for index in 0..<64 {
            let product = String(repeating: "P", count: index + 1)
            let id = "T\(index)"
            text += "\(id),2027-01-05,R1,\(index).5,USD,\(product),new,\(index % 9),NA," + end
            expected.append((id, product, Int64(index) * 1_000_000 + 500_000))
        }
        let directory = try DataDirectory(Minimal.ledgerOnly(text))
        let (load, messages) = directory.load(LedgerLoadOptions(threads: 1))
        #expect(messages == [])
        let transactions = load.data.transactions
        #expect(transactions.count == 64)
        let product = try #require(transactions.attribute("product"))
        let region = try #require(transactions.attribute("region"))
        for (row, want) in expected.enumerated() {
            #expect(transactions.ids[row] == want.id)
            #expect(product[row] == want.product)
            #expect(transactions.amounts[row] == want.amount)
            #expect(transactions.quantities[row] == Int32(row % 9))
            #expect(region[row] == "NA")
        }
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

@Suite struct UnsortedLedgers {
    /// Ids out of order take the hash-index path; a duplicate far from its first occurrence (in
    /// another chunk) must still be found, and reversals must resolve to the right rows.
    @Test(arguments: [1, 2, 4])
    func duplicatesAcrossChunksAndReversals(threads: Int) throws {
        var text = "id,date,rep,amount,currency,product,kind,quantity,region,reverses\n"
        var generator = SplitMix(seed: 7)
        var ids = (1...4000).map { "X\($0)" }
        for index in stride(from: ids.count - 1, to: 0, by: -1) {
            ids.swapAt(index, Int(generator.next() % UInt64(index + 1)))
        }
        for id in ids { text += "\(id),2027-02-01,R1,10,USD,P,new,1,NA,\n" }
        text += "X17,2027-03-01,R1,99,USD,P,new,1,NA,\n"  // duplicate of a row far above
        text += "Y1,2027-03-02,R1,-10,USD,P,new,-1,NA,X17\n"  // reverses the first X17
        let files = Minimal.ledgerOnly(text)
        let directory = try DataDirectory(files)
        var options = LedgerLoadOptions(threads: threads)
        options.chunkBytes = 1 << 16
        let (load, messages) = directory.load(options)
        let firstLine = (ids.firstIndex(of: "X17") ?? 0) + 2
        #expect(messages == ["transactions.csv:4002:1: duplicate transaction id \"X17\" (first on line \(firstLine))"])
        let table = load.data.transactions
        #expect(table.count == 4001)
        let reversal = table.count - 1
        #expect(table.ids[reversal] == "Y1")
        let target = try #require(table.reversals.target(of: reversal))
        #expect(table.ids[target] == "X17")
        #expect(table.line(of: target) == firstLine)
        #expect(table.line(of: reversal) == 4003)
        let usd = try #require(load.reconciliation.currencyTotals.first)
        #expect(usd.acceptedAmount == WideDecimal(value: 39_990_000_000, scale: 6))
        #expect(usd.rejectedRows == 1)
        #expect(usd.rejectedAmount == WideDecimal(value: 99_000_000, scale: 6))
    }

    @Test func oversizedFieldIsRejectedAndLoadingContinues() throws {
        var text = "id,date,rep,amount,currency,product,kind,quantity,region,reverses\n"
        text += "T1,2027-01-05,R1,1,USD," + String(repeating: "W", count: 1_200_000) + ",new,1,NA,\n"
        text += "T2,2027-01-06,R1,2,USD,P,new,1,NA,\n"
        let files = Minimal.ledgerOnly(text)
        let directory = try DataDirectory(files)
        let (load, messages) = directory.load()
        #expect(messages == ["transactions.csv:2:6: a field is longer than 1048576 bytes"])
        #expect(load.data.transactions.count == 1)
        #expect(load.data.transactions.ids[0] == "T2")
    }
}

@Suite struct Differential {
    /// A random ledger with good rows, bad rows, duplicates, quoted fields with line breaks,
    /// ids with control characters and reversals (some of unknown ids), loaded in one chunk on one thread and in many small chunks
    /// on several threads: tables, line numbers and diagnostics must be identical.
    @Test(arguments: 1...12)
    func chunkedLoadEqualsSingleChunkLoad(seed: Int) throws {
        var generator = SplitMix(seed: UInt64(seed))
        func pick(_ n: Int) -> Int { Int(generator.next() % UInt64(n)) }
        var text = "id,date,rep,amount,currency,product,kind,quantity,region,reverses\n"
        var ids: [String] = []
        let sorted = seed % 2 == 0
        for index in 0..<3000 {
            // Now and then a control character in an id (rejected from the id arenas after the scan).
            let mark = pick(100) == 0 ? "\u{0}" : ""
            let id = sorted ? "T\(mark)\(String(format: "%06d", index))" : "T\(pick(100_000))\(mark)"
            let reverses = pick(20) == 0 && !ids.isEmpty ? (pick(4) == 0 ? "NOPE\(pick(9))" : ids[pick(ids.count)]) : ""
            // Now and then a quote never closed: reading goes on at the next line.
            let product = pick(300) == 0 ? "\"open" : ["P1", "\"multi\nline\"", "\"with \"\"quote\"\"\"", "WIDGET-X", ""][pick(5)]
            let amount = ["12.50", "-3", "1.1234567", "x", "99999999999999", "0.000001"][pick(6)]
            let date = ["2027-01-05", "2027-02-30", "2027-03-31"][pick(3)]
            let rep = ["R1", "R2", "R9"][pick(3)]
            let currency = ["USD", "EUR", "usd"][pick(3)]
            switch pick(40) {
            case 0: text += "\n"
            case 1: text += "broken,row\n"
            default: text += "\(id),\(date),\(rep),\(amount),\(currency),\(product),new,\(pick(9)),NA,\(reverses)\n"
            }
            ids.append(id)
        }
        let files = Minimal.ledgerOnly(text)
        let directory = try DataDirectory(files)
        let (single, singleMessages) = directory.load(LedgerLoadOptions(threads: 1, chunkBytes: 1 << 30))
        var options = LedgerLoadOptions(threads: 3)
        options.chunkBytes = 1 << 16
        let (chunked, chunkedMessages) = directory.load(options)
        #expect(singleMessages == chunkedMessages)
        #expect(single.errorCount == chunked.errorCount)
        #expect(single.reconciliation == chunked.reconciliation)
        let a = single.data.transactions
        let b = chunked.data.transactions
        try #require(a.count == b.count)
        #expect(a.count > 100)
        for row in 0..<a.count {
            #expect(a.ids[row] == b.ids[row])
            #expect(a.amounts[row] == b.amounts[row])
            #expect(a.dates[row] == b.dates[row])
            #expect(a.reps[row] == b.reps[row])
            #expect(a.line(of: row) == b.line(of: row))
            #expect(a.attribute("product")?[row] == b.attribute("product")?[row])
            #expect(a.reversals.target(of: row) == b.reversals.target(of: row))
        }
        // Nothing lost.
        let file = chunked.reconciliation.files[0]
        #expect(file.rowsRead == file.accepted + file.rejected)
        #expect(file.accepted == b.count)
    }
}

@Suite struct WideStringColumns {
    /// A column with more distinct values than 16-bit codes hold switches to 32-bit codes; values
    /// still come back exactly, across chunks and threads, and rejected rows leave no trace.
    @Test(arguments: [1, 3])
    func highCardinalityExtraColumn(threads: Int) throws {
        var text = "id,date,rep,amount,currency,opportunity\n"
        for index in 0..<70_000 {
            // Every 1000th row is bad (unknown rep) and carries a value no accepted row has.
            let rep = index % 1000 == 999 ? "R9" : "R1"
            let opportunity = index % 1000 == 999 ? "REJECTED-\(index)" : "O\(index)"
            text += "T\(String(format: "%06d", index)),2027-01-05,\(rep),1,USD,\(opportunity)\n"
        }
        let files = Minimal.ledgerOnly(text)
        let directory = try DataDirectory(files)
        var options = LedgerLoadOptions(threads: threads)
        options.chunkBytes = 1 << 18
        let (load, _) = directory.load(options)
        #expect(load.errorCount == 70)
        let table = load.data.transactions
        #expect(table.count == 69_930)
        let column = try #require(table.attribute("opportunity"))
        guard case .wide = column.codes else {
            Issue.record("expected 32-bit codes for \(column.values.count) values")
            return
        }
        // Row r is the (r + r/999)-th input row: one in every 1000 input rows was rejected.
        for row in [0, 998, 999, 65_534, 65_535, 69_929] {
            let input = row + row / 999
            #expect(column[row] == "O\(input)")
            #expect(table.ids[row] == "T\(String(format: "%06d", input))")
        }
    }
}

/// Ids out of order (looked up by hash) with one repeated: each repeat is a duplicate of the
/// first, and a reversal finds that first row (repeats are no longer entered in the table: a
/// ledger of one id repeated was quadratic).
@Suite struct RepeatedIDs {
    @Test func repeatsOfAnIdPointAtItsFirstRow() throws {
        let ledger = "id,date,rep,amount,currency,reverses\nT9,2027-01-05,R1,10,USD,\nT1,2027-01-06,R1,20,USD,\n"
            + "T1,2027-01-07,R1,30,USD,\nT1,2027-01-08,R1,40,USD,\nX,2027-02-01,R1,-20,USD,T1\n"
        let (load, messages) = try DataDirectory(Minimal.ledgerOnly(ledger)).load()
        #expect(messages == [
            "transactions.csv:4:1: duplicate transaction id \"T1\" (first on line 3)",
            "transactions.csv:5:1: duplicate transaction id \"T1\" (first on line 3)",
        ])
        let transactions = load.data.transactions
        #expect((0..<transactions.count).map { transactions.ids[$0] } == ["T9", "T1", "X"])
        #expect(transactions.reversals.target(of: 2) == 1)
    }
}

/// A reversal of a reversal reinstates the deal: every link of a chain leads back to the deal,
/// however long the chain and wherever its rows stand in the file.
@Suite struct ReversalChains {
    @Test func everyLinkLeadsToTheRootDeal() {
        // Rows 0 and 500 are deals; 1...300 a chain on row 0 (each reversing the one before),
        // and 400 (before 450 in the file) reverses 450, which reverses 500.
        var pairs: [(row: Int32, target: Int32)] = (1...300).map { (Int32($0), Int32($0 - 1)) }
        pairs.append((400, 450))
        pairs.append((450, 500))
        let list = ReversalList(rows: pairs.map(\.row), targets: pairs.map(\.target))
        #expect(list.rootDeal(of: 300) == 0)
        #expect(list.rootDeal(of: 1) == 0)
        #expect(list.rootDeal(of: 400) == 500)
        #expect(list.rootDeal(of: 450) == 500)
        #expect(list.rootDeal(of: 0) == 0)
        #expect(list.rootDeal(of: 500) == 500)
        #expect(list.target(of: 400) == 450)
    }
}

/// quotas.csv's rows are found by rep, period and measure in a table of their own (it grows as
/// rows come): every row of a large file is found again, and a second row for the same key is
/// refused wherever it stands. A year, a quarter and a month starting on the same month are
/// different keys, as are the same period of two measures.
@Suite struct QuotaIndexing {
    @Test func everyRowIsFoundAndDuplicatesAreRefusedFarApart() throws {
        // 3 reps (M1, R1, R2) × 40 years × (12 months + 4 quarters + 1 year) × 2 measures = 4,080 rows.
        var text = "rep,period,amount,measure\n"
        var line = 1
        var expected: [(rep: RepIndex, period: String, measure: String?, units: Int64)] = []
        for rep in ["M1", "R1", "R2"] {
            for year in 2000..<2040 {
                let periods = (1...12).map { "\(year)-" + ($0 < 10 ? "0\($0)" : "\($0)") } + (1...4).map { "\(year)-Q\($0)" } + ["\(year)"]
                for period in periods {
                    for measure in ["", "units"] {
                        line += 1
                        text += "\(rep),\(period),\(line),\(measure)\n"
                        expected.append((rep == "M1" ? 0 : rep == "R1" ? 1 : 2, period, measure.isEmpty ? nil : measure, Int64(line) * 1_000_000))
                    }
                }
            }
        }
        // Repeats of the first row and of a row in the middle (R1 starts on line 1362, 2020 at
        // 1362 + 20 × 34 = 2042, its Q3 of `units` 24 + 2 + 2 + 1 rows on), at the end.
        text += "M1,2000-01,7,\nR1,2020-Q3,8,units\n"
        let directory = try DataDirectory(Minimal.with("quotas.csv", text))
        let (load, messages) = directory.load()
        #expect(
            messages == [
                "quotas.csv:\(line + 1):2: second quota for rep \"M1\", period 2000-01 (first on line 2)",
                "quotas.csv:\(line + 2):2: second quota for rep \"R1\", period 2020-Q3 and measure \"units\" (first on line 2071)",
            ])
        let quotas = load.data.quotas
        #expect(quotas.rows.count == 4_080)
        var missing = 0
        for row in expected where quotas.quota(rep: row.rep, period: Period(parsing: row.period)!, measure: row.measure) != FixedDecimal(units: row.units) {
            missing += 1
        }
        #expect(missing == 0)
        #expect(quotas.quota(rep: 1, period: Period(parsing: "2040-01")!) == nil)
        #expect(quotas.quota(rep: 1, period: Period(parsing: "2001-01")!, measure: "revenue") == nil)
    }
}

extension QuotaIndexing {
    /// The table grows from nothing: 100,000 keys added one by one are all found again, each once.
    @Test func theIndexGrowsAndFindsEveryKey() throws {
        var index = QuotaRowIndex(expectedRows: 0)
        func key(_ number: Int) -> QuotaRowIndex.Key? {
            QuotaRowIndex.Key(rep: RepIndex(number / 40), period: Period(kind: .month, containingMonth: 24_000 + number % 40), measure: Int32(number % 3) - 1)
        }
        for number in 0..<100_000 {
            let made = try #require(key(number))
            #expect(index.insert(made) == nil)
        }
        var wrong = 0
        for number in 0..<100_000 {
            let made = try #require(key(number))
            if index.find(made) != number || index.insert(made) != number { wrong += 1 }
        }
        #expect(wrong == 0)
        #expect(index.find(try #require(QuotaRowIndex.Key(rep: 99_999, period: Period(kind: .month, containingMonth: 24_000), measure: -1))) == nil)
    }

    /// A measure name written two ways that read the same (`é` as one character, or as `e` and
    /// an accent) is one measure: the second row is a duplicate (telling them apart had stopped
    /// the process on building the names' table).
    @Test func aMeasureNameIsOneWhicheverWayItsLettersAreWritten() throws {
        let composed = "r\u{E9}vision"
        let decomposed = "re\u{301}vision"
        let text = "rep,period,amount,measure\nR1,2027-01,10,\(composed)\nR1,2027-01,20,\(decomposed)\n"
        let directory = try DataDirectory(Minimal.with("quotas.csv", text))
        let (load, messages) = directory.load()
        #expect(messages == ["quotas.csv:3:2: second quota for rep \"R1\", period 2027-01 and measure \"\(decomposed)\" (first on line 2)"])
        #expect(load.data.quotas.quota(rep: 1, period: Period(parsing: "2027-01")!, measure: composed) == FixedDecimal(units: 10_000_000))
        #expect(load.data.quotas.quota(rep: 1, period: Period(parsing: "2027-01")!, measure: decomposed) == FixedDecimal(units: 10_000_000))
    }
}
