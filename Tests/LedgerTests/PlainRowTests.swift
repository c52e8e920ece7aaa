import CompCore
import Foundation
@testable import Ledger
import Testing

/// The scan reads rows of the common shape in a loop of its own and hands every other record to
/// the general loop. Read both ways, a ledger must load to the same rows, columns, messages and
/// reconciliation, whatever its mix of clean rows and problems.
@Suite struct PlainRows {
    /// A ledger of `count` rows, deterministic for `seed`: mostly clean rows, with every kind of row
    /// the plain loop hands over (reversals, bad values, unknown reps, quotes, a byte order mark,
    /// short and long records, new and invalid attribute values, CRLF) mixed in.
    static func ledger(seed: UInt64, count: Int, problems: Bool) -> [UInt8] {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var text = Array("id,date,rep,amount,currency,product,kind,quantity,region,reverses\n".utf8)
        let products = ["WIDGET-X", "GADGET-S", "SUITE-ENTERPRISE-PLUS", "Güte", ""]
        for index in 0..<count {
            // Ids mostly ascending, sometimes not.
            let id = next(50) == 0 ? "T\(count - index)" : "T\(String(format: "%07d", index))"
            var fields = [
                id, "2027-0\(1 + next(9))-1\(next(10))", next(40) == 0 ? "R9" : "R\(1 + next(2))", "\(next(5000)).\(next(100))",
                next(10) == 0 ? "EUR" : "USD", products[next(products.count)], ["new", "renewal", "upsell"][next(3)], "\(next(5))",
                next(30) == 0 ? "region-\(next(200))" : "NA", "",
            ]
            var end = "\n"
            if problems {
                switch next(40) {
                case 0: fields[9] = "T\(String(format: "%07d", max(0, index - 1)))"  // a reversal
                case 1: fields[3] = ["1e5", "12.3.4", "+5", "", "1.1234567", "99999999999999"][next(6)]
                case 2: fields[1] = ["2027-13-01", "27-01-01", "", "9999-12-31", "2027-02-30"][next(5)]
                case 3: fields[4] = ["XXX", "", "usd", "JPY"][next(4)]
                case 4: fields[7] = ["x", "99999999999", "-3", "+2"][next(4)]
                case 5: fields[5] = "\"quoted, product\""
                case 6: fields.removeLast()
                case 7: fields.append("extra")
                case 8: fields[0] = "\u{FEFF}" + fields[0]
                case 9: fields[0] = ""
                case 10: fields[0] = String(repeating: "L", count: 300)
                case 11: end = "\r\n"
                case 12: fields[2] = ""
                case 13: fields[6] = "\"multi\nline\""
                default: break
                }
            }
            // Invalid UTF-8 in a region now and then (every later row with that value is refused too).
            let invalid: [UInt8] = problems && next(60) == 0 ? [0xFF, 0xFE] : []
            text += Array(fields[0...8].joined(separator: ",").utf8) + invalid
            text += Array(([""] + fields[9...]).joined(separator: ",").utf8)
            text += Array(end.utf8)
            if problems && next(200) == 0 { text += Array("\n".utf8) }  // a blank line
        }
        return text
    }

    /// Everything a load says and holds about the ledger.
    static func describe(_ load: LedgerLoad, _ messages: [String]) -> [String] {
        let transactions = load.data.transactions
        var lines = messages + [load.reconciliation.summary, "rows \(transactions.count)"]
        let attributes = ["product", "kind", "region"].map { transactions.attribute($0) }
        for row in 0..<transactions.count {
            var line = "\(transactions.ids[row]) \(transactions.dates[row]) \(transactions.reps[row]) \(transactions.amounts[row])"
            line += " \(transactions.money(at: row)) \(transactions.quantities[row]) line \(transactions.line(of: row))"
            line += " reverses \(transactions.reversals.target(of: row).map(String.init) ?? "-")"
            for column in attributes { line += " \(column.map { $0[row] } ?? "?")" }
            lines.append(line)
        }
        return lines
    }

    @Test(arguments: [(1, false), (2, true), (3, true), (4, true)])
    func bothLoopsReadTheSame(seed: UInt64, problems: Bool) throws {
        let directory = try DataDirectory(bytes: [
            "transactions.csv": Self.ledger(seed: seed, count: 4000, problems: problems),
            "roster.csv": Array(Minimal.roster.utf8), "quotas.csv": Array(Minimal.quotas.utf8), "fx.csv": Array(Minimal.fx.utf8),
        ])
        var described: [[String]] = []
        for plain in [true, false] {
            for threads in [1, 3] {
                var options = LedgerLoadOptions(threads: threads)
                options.chunkBytes = 1 << 16
                options.plainRows = plain
                let (load, messages) = directory.load(options)
                described.append(Self.describe(load, messages))
            }
        }
        #expect(described[0].count > 3000)
        // The first line that differs, if any (a whole ledger in a failure said nothing).
        for other in described.dropFirst() {
            #expect(other.count == described[0].count)
            if let first = other.indices.first(where: { $0 < described[0].count && other[$0] != described[0][$0] }) { #expect(other[first] == described[0][first]) }
        }
    }

    /// Columns no plan reads are checked, not stored: a ledger loaded keeping only `kind` says
    /// the same (a region's invalid UTF-8 refuses its row as before) and holds the same rows,
    /// with `kind` its only attribute column; by both loops, on 1 and 3 threads.
    @Test(arguments: [2, 3] as [UInt64])
    func columnsNoPlanReadsAreCheckedNotStored(seed: UInt64) throws {
        let directory = try DataDirectory(bytes: [
            "transactions.csv": Self.ledger(seed: seed, count: 4000, problems: true),
            "roster.csv": Array(Minimal.roster.utf8), "quotas.csv": Array(Minimal.quotas.utf8), "fx.csv": Array(Minimal.fx.utf8),
        ])
        func described(_ load: LedgerLoad, _ messages: [String]) -> [String] {
            let transactions = load.data.transactions
            var lines = messages + [load.reconciliation.summary, "rows \(transactions.count)"]
            let kind = transactions.attribute("kind")
            for row in 0..<transactions.count {
                lines.append("\(transactions.ids[row]) \(transactions.dates[row]) \(transactions.money(at: row)) \(kind.map { $0[row] } ?? "?")")
            }
            return lines
        }
        var options = LedgerLoadOptions(threads: 2)
        options.chunkBytes = 1 << 16
        let (all, allMessages) = directory.load(options)
        let expected = described(all, allMessages)
        #expect(all.data.transactions.attributes.map(\.name) == ["product", "kind", "region"])
        #expect(allMessages.contains { $0.contains("region") && $0.contains("UTF-8") })
        for plain in [true, false] {
            for threads in [1, 3] {
                var kept = LedgerLoadOptions(threads: threads)
                kept.chunkBytes = 1 << 16
                kept.plainRows = plain
                kept.transactionAttributes = ["kind"]
                let (load, messages) = directory.load(kept)
                #expect(load.data.transactions.attributes.map(\.name) == ["kind"])
                #expect(load.data.transactions.attribute("region") == nil)
                let lines = described(load, messages)
                #expect(lines.count == expected.count)
                if let first = lines.indices.first(where: { $0 < expected.count && lines[$0] != expected[$0] }) { #expect(lines[first] == expected[first]) }
            }
        }
    }
}
