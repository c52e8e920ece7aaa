import CompCore
@testable import Ledger
import Testing

/// Whose split rows share a row's credit, down a chain of reversals: the first row from it down to
/// the deal that splits.csv names (or names in rejected rows), else the deal.
@Suite struct SplitSourceChains {
    /// Rows 0 and 500 are deals; 1…300 a chain on row 0, and 400 reverses 450, which reverses 500.
    let reversals: ReversalList = {
        var pairs: [(row: Int32, target: Int32)] = (1...300).map { (Int32($0), Int32($0 - 1)) }
        pairs.append((400, 450))
        pairs.append((450, 500))
        return ReversalList(rows: pairs.map(\.row), targets: pairs.map(\.target))
    }()

    func splits(naming rows: [Int32], refusing refused: Set<Int32> = []) -> SplitTable {
        var byTransaction: [Int32: [Int]] = [:]
        var splitRows: [SplitRow] = []
        for row in rows {
            byTransaction[row] = [splitRows.count]
            splitRows.append(SplitRow(transaction: row, rep: 0, share: FixedDecimal(units: 1_000_000), line: splitRows.count + 2))
        }
        return SplitTable(rows: splitRows, byTransaction: byTransaction, refused: refused)
    }

    @Test func theFirstNamedRowDownTheChain() {
        // 150 and 500 named, 200 named in rejected rows.
        let sources = SplitSources(splits(naming: [150, 500], refusing: [200]), reversals: reversals)
        #expect(sources.source(of: 300) == 200)
        #expect(sources.source(of: 201) == 200)
        #expect(sources.source(of: 200) == 200)
        #expect(sources.source(of: 199) == 150)
        #expect(sources.source(of: 150) == 150)
        #expect(sources.source(of: 149) == 0)
        #expect(sources.source(of: 0) == 0)
        #expect(sources.source(of: 400) == 500)
        #expect(sources.source(of: 450) == 500)
        #expect(sources.source(of: 777) == 777)
    }

    @Test func withoutSplitRowsEveryChainSharesFromItsDeal() {
        let sources = SplitSources(splits(naming: []), reversals: reversals)
        #expect(sources.source(of: 300) == 0)
        #expect(sources.source(of: 1) == 0)
        #expect(sources.source(of: 400) == 500)
        #expect(sources.source(of: 777) == 777)
    }
}
