import CompCore
import Foundation
import Testing

@testable import SampleData

@Suite("Sample data files")
struct SampleDataFileTests {
    @Test("Headers are exactly the FORMATS.md shape")
    func headersAreExact() throws {
        let set = try GeneratedSet()
        defer { set.remove() }
        let expected = [
            "transactions.csv": "id,date,rep,amount,currency,product,kind,quantity,region,reverses",
            "roster.csv": "rep,name,manager,plan,start,end,currency,target_incentive,segment,region",
            "quotas.csv": "rep,period,amount",
            "fx.csv": "currency,period,rate",
        ]
        for (name, header) in expected {
            let text = try set.text(name)
            #expect(text.hasPrefix(header + "\n"), "\(name)")
            #expect(text.hasSuffix("\n"), "\(name)")
            #expect(!text.contains("\r"), "\(name)")
        }
        #expect(SampleGenerator.headers == expected)
    }

    @Test("Row counts and byte sizes match the summary")
    func rowCounts() throws {
        let set = try GeneratedSet()
        defer { set.remove() }
        let summary = set.summary
        #expect(summary.reps == 200)
        #expect(summary.managers == 25)
        #expect(summary.vps == 3)
        #expect(summary.transactions == 20_000)
        #expect(summary.files.map(\.name) == SampleGenerator.fileNames)
        let expectedRows = ["transactions.csv": 20_000, "roster.csv": 228, "quotas.csv": 2_736, "fx.csv": 36]
        for file in summary.files {
            let bytes = try set.bytes(file.name)
            #expect(file.bytes == bytes.count, "\(file.name)")
            #expect(file.rows == expectedRows[file.name], "\(file.name)")
            #expect(file.path == set.directory + "/" + file.name)
            // Physical lines = records + header (no field of these files holds a line break).
            #expect(bytes.filter { $0 == 0x0A }.count == file.rows + 1, "\(file.name)")
        }
        #expect(summary.totalBytes == summary.files.reduce(0) { $0 + $1.bytes })
        #expect(summary.transactionsByCurrency.values.reduce(0, +) == 20_000)
    }

    @Test("Same options give byte-identical files for every thread count")
    func deterministicAcrossThreads() throws {
        // 150,000 rows: three chunks, so workers really split the work.
        let sets = try [1, 2, 5].map { try GeneratedSet(reps: 300, transactions: 150_000, seed: 42, threads: $0) }
        defer { sets.forEach { $0.remove() } }
        for name in SampleGenerator.fileNames {
            let reference = try sets[0].bytes(name)
            #expect(!reference.isEmpty)
            for set in sets.dropFirst() {
                #expect(try set.bytes(name) == reference, "\(name) differs with \(set.summary)")
            }
        }
        #expect(sets[0].summary.reversals == sets[2].summary.reversals)
        #expect(sets[0].summary.transactionsByCurrency == sets[2].summary.transactionsByCurrency)
    }

    @Test("Another seed gives other data")
    func seedMatters() throws {
        let one = try GeneratedSet(seed: 1)
        let two = try GeneratedSet(seed: 2)
        defer {
            one.remove()
            two.remove()
        }
        #expect(try one.bytes("transactions.csv") != two.bytes("transactions.csv"))
        #expect(try one.bytes("roster.csv") != two.bytes("roster.csv"))
        #expect(try one.bytes("fx.csv") != two.bytes("fx.csv"))
    }

    @Test("Zero transactions and a single rep still make a complete set")
    func smallest() throws {
        let set = try GeneratedSet(reps: 1, transactions: 0)
        defer { set.remove() }
        #expect(set.summary.vps == 1 && set.summary.managers == 1 && set.summary.reps == 1)
        #expect(try set.text("transactions.csv") == SampleGenerator.headers["transactions.csv"].map { $0 + "\n" })
        let roster = try set.table("roster.csv").rows
        #expect(roster.map { $0["rep"] } == ["V001", "M00001", "R000001"])
        #expect(roster.map { $0["manager"] } == ["", "V001", "M00001"])
        // The rep's, the manager's and the VP's twelve months.
        #expect(try set.table("quotas.csv").rows.count == 36)
    }
}

@Suite("Transactions")
struct TransactionTests {
    static let products: Set = ["GADGET-M", "GADGET-S", "SUITE-ENT", "SUPPORT-PREM", "TRAINING", "WIDGET-PRO", "WIDGET-X"]

    @Test("Ids are sequential, dates non-decreasing in the year, fields well formed")
    func rowsAreWellFormed() throws {
        let set = try GeneratedSet()
        defer { set.remove() }
        let rows = try set.table("transactions.csv").rows
        #expect(rows.count == 20_000)
        var previous = ""
        var months = Set<String>()
        var currencies: [String: Int] = [:]
        for (index, row) in rows.enumerated() {
            let id = try #require(row["id"])
            #expect(id == "T" + String(repeating: "0", count: 9 - String(index + 1).count) + String(index + 1))
            let date = try #require(row["date"])
            let parsed = try #require(CivilDate(parsing: date), "\(date)")
            #expect(parsed.year == 2027)
            #expect(date >= previous, "\(id)")
            previous = date
            months.insert(String(date.prefix(7)))

            let currency = try #require(row["currency"])
            currencies[currency, default: 0] += 1
            let amountText = try #require(row["amount"])
            let amount = try FixedDecimal(parsing: amountText)
            #expect(!amount.isZero)
            #expect(fractionDigits(amountText) == (currency == "JPY" ? 0 : 2), "\(id) \(amountText)")
            let quantity = try #require(Int(row["quantity"] ?? ""))
            #expect(quantity != 0 && (quantity < 0) == amount.isNegative, "\(id)")
            #expect(amount.isNegative == !(row["reverses"] ?? "").isEmpty, "\(id)")
            #expect(Self.products.contains(row["product"] ?? ""))
            #expect(["new", "upsell", "renewal"].contains(row["kind"] ?? ""))
            #expect(["NA", "EMEA", "APAC", "LATAM"].contains(row["region"] ?? ""))
            #expect(["USD", "EUR", "GBP", "JPY"].contains(currency))
        }
        #expect(months.count == 12)
        #expect(currencies == set.summary.transactionsByCurrency)
        let usd = Double(currencies["USD", default: 0]) / Double(rows.count)
        #expect(usd > 0.7 && usd < 0.86, "USD share \(usd)")
        #expect(currencies["EUR", default: 0] > 0 && currencies["GBP", default: 0] > 0)
        #expect(currencies["JPY", default: 0] > 0 && currencies["JPY", default: 0] < rows.count / 20)
    }

    @Test("Each reversal cancels one earlier row of its chunk exactly")
    func reversalInvariants() throws {
        let set = try GeneratedSet(reps: 200, transactions: 140_000, seed: 3)
        defer { set.remove() }
        let rows = try set.table("transactions.csv").rows
        var position: [String: Int] = [:]
        var reversed = Set<String>()
        var reversals = 0
        for (index, row) in rows.enumerated() {
            let id = try #require(row["id"])
            position[id] = index
            guard let target = row["reverses"], !target.isEmpty else { continue }
            reversals += 1
            let originalIndex = try #require(position[target], "\(id) reverses unknown or later \(target)")
            let original = rows[originalIndex]
            #expect(originalIndex / SampleGenerator.chunkSize == index / SampleGenerator.chunkSize, "\(id) reaches into another chunk")
            #expect(original["reverses"] == "", "\(id) reverses a reversal")
            #expect(reversed.insert(target).inserted, "\(target) reversed twice")
            #expect((row["date"] ?? "") >= (original["date"] ?? ""))
            #expect(row["amount"] == "-" + (original["amount"] ?? ""), "\(id)")
            #expect(row["quantity"] == "-" + (original["quantity"] ?? ""), "\(id)")
            for column in ["rep", "currency", "product", "kind", "region"] {
                #expect(row[column] == original[column], "\(id) \(column)")
            }
        }
        #expect(reversals == set.summary.reversals)
        #expect(reversals > rows.count / 200 && reversals < rows.count * 3 / 200, "\(reversals) reversals")
    }

    @Test("Every rep with transactions is an AE-STD rep on the roster")
    func repsAreOnTheRoster() throws {
        let set = try GeneratedSet()
        defer { set.remove() }
        var plans: [String: String] = [:]
        for row in try set.table("roster.csv").rows { plans[row["rep"] ?? ""] = row["plan"] }
        var seen = Set<String>()
        for row in try set.table("transactions.csv").rows {
            let rep = row["rep"] ?? ""
            #expect(plans[rep] == "AE-STD", "\(rep)")
            seen.insert(rep)
        }
        // Skewed, but nearly everyone sells something at 100 deals per rep.
        #expect(seen.count > 190)
    }

    @Test("Every non-USD currency and month used has an fx rate")
    func ratesCoverUsage() throws {
        let set = try GeneratedSet()
        defer { set.remove() }
        var rates = Set<String>()
        for row in try set.table("fx.csv").rows {
            let rate = try #require(row["rate"])
            #expect(fractionDigits(rate) == 6, "\(rate)")
            #expect(try FixedDecimal(parsing: rate) > .zero)
            #expect(Period(parsing: row["period"] ?? "")?.kind == .month)
            rates.insert((row["currency"] ?? "") + " " + (row["period"] ?? ""))
        }
        #expect(rates.count == 36)
        for row in try set.table("transactions.csv").rows where row["currency"] != "USD" {
            let key = (row["currency"] ?? "") + " " + String((row["date"] ?? "").prefix(7))
            #expect(rates.contains(key), "\(key)")
        }
    }
}

@Suite("Roster and quotas")
struct RosterAndQuotaTests {
    @Test("Roster: VPs over managers over AE reps, one open row each, starting before the year")
    func rosterShape() throws {
        let set = try GeneratedSet()
        defer { set.remove() }
        let (header, rows) = try set.table("roster.csv")
        #expect(header.count == 10)
        var plans: [String: String] = [:]
        for row in rows {
            let rep = row["rep"] ?? ""
            #expect(plans.updateValue(row["plan"] ?? "", forKey: rep) == nil, "\(rep) twice")
        }
        var quotedNames = 0
        for row in rows {
            let rep = row["rep"] ?? ""
            let manager = row["manager"] ?? ""
            switch rep.first {
            case "V":
                #expect(rep.count == 4 && manager.isEmpty && row["plan"] == "MGR-OVR")
            case "M":
                #expect(rep.count == 6 && manager.hasPrefix("V") && plans[manager] == "MGR-OVR")
                #expect(row["plan"] == "MGR-OVR")
            default:
                #expect(rep.hasPrefix("R") && rep.count == 7)
                #expect(manager.hasPrefix("M") && plans[manager] == "MGR-OVR")
                #expect(row["plan"] == "AE-STD")
                #expect(["NA", "EMEA", "APAC", "LATAM"].contains(row["region"] ?? ""))
            }
            let start = try #require(CivilDate(parsing: row["start"] ?? ""))
            #expect(start < (try #require(CivilDate(year: 2027, month: 1, day: 1))))
            #expect(row["end"] == "" && row["currency"] == "USD")
            #expect(["SMB", "MM", "ENT"].contains(row["segment"] ?? ""))
            let incentive = row["target_incentive"] ?? ""
            #expect(fractionDigits(incentive) == 2)
            #expect(try FixedDecimal(parsing: incentive) > .zero)
            let name = row["name"] ?? ""
            #expect(name.split(separator: " ").count >= 2, "\(name)")
            if name.contains(",") || name.contains("\"") { quotedNames += 1 }
        }
        #expect(quotedNames > rows.count / 10)
        // Names with a comma or quote are quoted in the file, quotes doubled.
        let text = try set.text("roster.csv")
        for row in rows where (row["name"] ?? "").contains(",") || (row["name"] ?? "").contains("\"") {
            let name = row["name"] ?? ""
            #expect(text.contains(",\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\","))
        }
    }

    @Test("Quotas: twelve monthly rows for everyone; a manager's and a VP's are their team's share")
    func quotasCoverEveryone() throws {
        let set = try GeneratedSet()
        defer { set.remove() }
        let roster = try set.table("roster.csv").rows
        let managerOf = Dictionary(uniqueKeysWithValues: roster.map { ($0["rep"] ?? "", $0["manager"] ?? "") })
        var quotas: [String: [Int128]] = [:]  // whole dollars by month
        var months: [String: [String]] = [:]
        for row in try set.table("quotas.csv").rows {
            let amount = try FixedDecimal(parsing: row["amount"] ?? "")
            #expect(amount > .zero)
            let rep = row["rep"] ?? ""
            months[rep, default: []].append(row["period"] ?? "")
            quotas[rep, default: []].append(Int128(amount.units) / 1_000_000)
        }
        let year = (1...12).map { "2027-" + ($0 < 10 ? "0" : "") + String($0) }
        #expect(Set(months.keys) == Set(roster.map { $0["rep"] ?? "" }))
        for (rep, periods) in months { #expect(periods == year, "\(rep)") }
        // A team's AE quotas, month by month, for each manager and VP above the AE.
        var teams: [String: [Int128]] = [:]
        for row in roster where row["plan"] == "AE-STD" {
            let rep = row["rep"] ?? ""
            var above = managerOf[rep] ?? ""
            while !above.isEmpty {
                for month in 0..<12 { teams[above, default: [Int128](repeating: 0, count: 12)][month] += quotas[rep]?[month] ?? 0 }
                above = managerOf[above] ?? ""
            }
        }
        // New and upsell deals make 30094/36887 (about 81.6%) of the reference plan's credit:
        // Σ weight × price × (new + upsell) over Σ weight × price × (new + upsell + renewal / 2)
        // across the seven products. Whole hundreds, half up.
        for row in roster where row["plan"] == "MGR-OVR" {
            let rep = row["rep"] ?? ""
            let team = try #require(teams[rep], "\(rep) has no team")
            #expect(quotas[rep] == team.map { max(1, ($0 * 30094 / 36887 + 50) / 100) * 100 }, "\(rep)")
        }
        #expect(teams.count == 28)
    }

    @Test("Attainment under the reference plan spreads around 0.3 … 0.8 … 1.7")
    func attainmentSpread() throws {
        let set = try GeneratedSet()
        defer { set.remove() }
        var rates: [String: Int128] = [:]  // millionths
        for row in try set.table("fx.csv").rows {
            rates[(row["currency"] ?? "") + (row["period"] ?? "")] = Int128(try FixedDecimal(parsing: row["rate"] ?? "").units)
        }
        // Exact credit in 10⁻¹² USD, times two (the renewal half).
        var bookings: [String: Int128] = [:]
        for row in try set.table("transactions.csv").rows {
            let month = String((row["date"] ?? "").prefix(7))
            let currency = row["currency"] ?? ""
            let rate = currency == "USD" ? 1_000_000 : try #require(rates[currency + month])
            let halves: Int128 = row["kind"] == "renewal" ? 1 : 2
            let amount = Int128(try FixedDecimal(parsing: row["amount"] ?? "").units)
            bookings[(row["rep"] ?? "") + month, default: 0] += amount * rate * halves
        }
        var attainments: [Double] = []
        // The AEs' (a manager's quota is for the team's bookings).
        for row in try set.table("quotas.csv").rows where row["rep"]?.hasPrefix("R") == true {
            let quota = Int128(try FixedDecimal(parsing: row["amount"] ?? "").units) * 2_000_000
            let booked = bookings[(row["rep"] ?? "") + (row["period"] ?? ""), default: 0]
            attainments.append(Double(booked * 10_000 / quota) / 10_000)  // statistics only
        }
        attainments.sort()
        let p10 = attainments[attainments.count / 10]
        let p50 = attainments[attainments.count / 2]
        let p90 = attainments[attainments.count * 9 / 10]
        #expect(p10 > 0.15 && p10 < 0.45, "p10 \(p10)")
        #expect(p50 > 0.6 && p50 < 1.0, "p50 \(p50)")
        #expect(p90 > 1.3 && p90 < 2.2, "p90 \(p90)")
    }
}

@Suite("Errors")
struct ErrorTests {
    @Test("A file in the way of the directory is reported with its path")
    func cannotCreateDirectory() throws {
        let base = makeTemporaryDirectory()
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        let blocker = base + "/file"
        #expect(FileManager.default.createFile(atPath: blocker, contents: Data()))
        for target in [blocker, blocker + "/below"] {
            let error = #expect(throws: SampleDataError.self) {
                try SampleGenerator.write(SampleOptions(reps: 2, transactions: 10, seed: 1), to: target)
            }
            guard case .cannotCreateDirectory(let path, _)? = error else {
                Issue.record("unexpected \(String(describing: error))")
                continue
            }
            #expect(path == target)
            #expect(error?.description.contains(target) == true)
        }
    }

    @Test("An unwritable file is reported with its path")
    func cannotWrite() throws {
        let base = makeTemporaryDirectory()
        // A directory where transactions.csv should go.
        try FileManager.default.createDirectory(atPath: base + "/transactions.csv", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: base) }
        let error = #expect(throws: SampleDataError.self) {
            try SampleGenerator.write(SampleOptions(reps: 2, transactions: 10, seed: 1), to: base)
        }
        #expect(error == .cannotWrite(path: base + "/transactions.csv", reason: "Is a directory"))
        #expect(error?.description.hasPrefix("cannot write '\(base)/transactions.csv'") == true)
    }

    #if os(Linux)
        @Test("A failing write (disk full) is reported with the file's path", arguments: ["roster.csv", "transactions.csv"])
        func diskFull(name: String) throws {
            let base = makeTemporaryDirectory()
            try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: base) }
            try FileManager.default.createSymbolicLink(atPath: base + "/" + name, withDestinationPath: "/dev/full")
            // Five chunks with two threads: the transaction writer runs beside the generators.
            let error = #expect(throws: SampleDataError.self) {
                try SampleGenerator.write(SampleOptions(reps: 20, transactions: 300_000, seed: 1, threads: 2), to: base)
            }
            #expect(error == .cannotWrite(path: base + "/" + name, reason: "No space left on device"))
        }
    #endif

    @Test("Out-of-range options are rejected before anything is written", arguments: [
        SampleOptions(reps: 0, transactions: 10, seed: 1),
        SampleOptions(reps: 10, transactions: -1, seed: 1),
        SampleOptions(reps: 10, transactions: 10, seed: 1, year: 2),
        SampleOptions(reps: 10, transactions: 10, seed: 1, threads: 0),
    ])
    func invalidOptions(options: SampleOptions) {
        let directory = makeTemporaryDirectory()
        #expect {
            try SampleGenerator.write(options, to: directory)
        } throws: { error in
            guard case .invalidOptions = error as? SampleDataError else { return false }
            return true
        }
        #expect(!FileManager.default.fileExists(atPath: directory))
    }
}

@Suite("Building blocks")
struct BuildingBlockTests {
    func written(_ body: (inout ByteWriter) -> Void) -> String {
        var bytes = [UInt8](repeating: 0, count: 256)
        let count = bytes.withUnsafeMutableBufferPointer { buffer -> Int in
            guard let base = buffer.baseAddress else { return 0 }
            var writer = ByteWriter(base: base)
            body(&writer)
            return writer.count
        }
        return String(decoding: bytes.prefix(count), as: UTF8.self)
    }

    @Test("Numbers are written in plain notation")
    func numberFormatting() {
        #expect(written { $0.padded(42, width: 9) } == "000000042")
        #expect(written { $0.padded(1_234_567_890, width: 9) } == "1234567890")
        #expect(written { $0.padded(0, width: 1) } == "0")
        #expect(written { $0.minorUnits(123_456, fractionDigits: 2) } == "1234.56")
        #expect(written { $0.minorUnits(-5, fractionDigits: 2) } == "-0.05")
        #expect(written { $0.minorUnits(-150_000, fractionDigits: 0) } == "-150000")
        #expect(written { $0.minorUnits(6_712, fractionDigits: 6) } == "0.006712")
        #expect(written { $0.integer(Int64.min) } == "-9223372036854775808")
        #expect(written { $0.csvField(Array("Rossi, Nils".utf8)) } == "\"Rossi, Nils\"")
        #expect(written { $0.csvField(Array("Nils \"Kit\" Rossi".utf8)) } == "\"Nils \"\"Kit\"\" Rossi\"")
        #expect(written { $0.csvField(Array("Zoë Müller".utf8)) } == "Zoë Müller")
    }

    @Test("The generator is reproducible and streams are independent")
    func generator() {
        var a = Xoshiro256(seed: 9, stream: .transactions, index: 3)
        var b = Xoshiro256(seed: 9, stream: .transactions, index: 3)
        var c = Xoshiro256(seed: 9, stream: .transactions, index: 4)
        let first = (0..<8).map { _ in a.next() }
        #expect(first == (0..<8).map { _ in b.next() })
        #expect(first != (0..<8).map { _ in c.next() })
        for _ in 0..<1000 {
            let value = a.int(in: -3...3)
            #expect((-3...3).contains(value))
        }
    }

    @Test("The alias table draws in proportion to integer weights")
    func aliasTable() {
        let table = AliasTable(weights: [1, 3, 0, 6])
        var random = Xoshiro256(seed: 1, stream: .roster)
        var counts = [0, 0, 0, 0]
        for _ in 0..<100_000 { counts[table.draw(&random)] += 1 }
        #expect(counts[2] == 0)
        #expect(abs(counts[0] - 10_000) < 600 && abs(counts[1] - 30_000) < 900 && abs(counts[3] - 60_000) < 900, "\(counts)")
    }
}
