import CompCore
import Foundation
import RunResults
import Store
import Testing

@testable import Runner

/// A run's exports are written to their temporary files as the parts come, and put in place only
/// once the run is stored.
@Suite struct ExportStreaming {
    /// Three payees, two periods, two components and a total each; measures alongside.
    func parts() -> [RunOutput] {
        (1...3).map { rep in
            var part = RunOutput()
            for period in ["2027-01", "2027-02"] {
                for (order, component) in ["commission", "bonus", "total"].enumerated() {
                    part.payouts.append(
                        PayoutLine(
                            rep: rep == 2 ? "R2, \"Nils\"" : "R\(rep)", period: period, plan: "AE", component: component, order: order,
                            amount: FixedDecimal(units: Int64(rep * 100 + order) * FixedDecimal.unitsPerOne / 100), currency: .usd))
                }
                part.measures.append(
                    MeasureValue(
                        rep: rep == 2 ? "R2, \"Nils\"" : "R\(rep)", period: period, plan: "AE", measure: "bookings", order: 0,
                        value: FixedDecimal(units: Int64(rep) * FixedDecimal.unitsPerOne), digits: 2))
            }
            return part
        }
    }

    func temporaries(in directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".tmp-") }.sorted()
    }

    @Test func partsAreWrittenAsTheyComeAndPutInPlaceWhole() throws {
        let directory = NSTemporaryDirectory() + "comp-stream-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let payouts = directory + "/payouts.csv"
        let measures = directory + "/measures.csv"
        // Written out past 64 bytes: after the first part, both temporary files hold its lines.
        let formatter = ExportFormatter(payouts: payouts, measures: measures, flushBytes: 64)
        let all = parts()
        formatter.add(all[0])
        formatter.waitForParts()
        // The first part's lines and measures, with the headers, are written (to files that have
        // no name yet, where the system allows it); nothing is in place.
        let firstPart = ResultExport.payoutsCSV(all[0].payouts).utf8.count + ResultExport.measuresCSV(all[0].measures).utf8.count
        #expect(formatter.queueWrittenBytes() == firstPart)
        #expect(!FileManager.default.fileExists(atPath: payouts))
        #expect(!FileManager.default.fileExists(atPath: measures))
        formatter.add(all[1])
        formatter.add(all[2])
        let files = try #require(try formatter.finish())
        #expect(files.map(\.target.path) == [payouts, measures])
        for file in files { try file.commit() }
        #expect(try temporaries(in: directory).isEmpty)
        let lines = all.flatMap(\.payouts)
        #expect(try String(contentsOfFile: payouts, encoding: .utf8) == ResultExport.payoutsCSV(lines))
        #expect(try String(contentsOfFile: measures, encoding: .utf8) == ResultExport.measuresCSV(all.flatMap(\.measures)))
        #expect(try String(contentsOfFile: payouts, encoding: .utf8).contains("\n\"R2, \"\"Nils\"\"\",2027-02,AE,total,2.02,USD\n"))
    }

    /// Parts out of export order (several plans) after some were written: nothing is staged and
    /// the pieces written are removed (the run makes the files from the database instead).
    @Test func partsOutOfOrderStageNothing() throws {
        let directory = NSTemporaryDirectory() + "comp-stream-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let formatter = ExportFormatter(payouts: directory + "/p.csv", measures: nil, flushBytes: 64)
        let all = parts()
        formatter.add(all[1])
        formatter.waitForParts()
        #expect(formatter.queueWrittenBytes() > 0)
        formatter.add(all[0])
        #expect(try formatter.finish() == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)

        // A failed run discards what was written.
        let failed = ExportFormatter(payouts: directory + "/p.csv", measures: directory + "/m.csv", flushBytes: 64)
        failed.add(all[0])
        failed.waitForParts()
        #expect(failed.queueWrittenBytes() > 0)
        failed.discard()
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }

    /// A run of several plans: each plan's parts come in order, the plans one after the other,
    /// their payees interleaved in export order (a rep on both plans in one month, the other
    /// plan's payees before and between the first's). Merged, the files are what `comp export`
    /// writes: sorted by rep, period, then plan id. A plan's parts out of order leave the merge.
    @Test func thePlansOfARunAreMerged() throws {
        let directory = NSTemporaryDirectory() + "comp-stream-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func part(_ plan: String, _ reps: [String], periods: [String] = ["2027-01", "2027-02"]) -> RunOutput {
            var part = RunOutput()
            for rep in reps {
                for period in periods {
                    for (order, component) in ["c", "total"].enumerated() {
                        part.payouts.append(
                            PayoutLine(rep: rep, period: period, plan: plan, component: component, order: order,
                                amount: FixedDecimal(units: Int64(order + 1) * FixedDecimal.unitsPerOne), currency: .usd))
                    }
                    part.measures.append(
                        MeasureValue(rep: rep, period: period, plan: plan, measure: "b", order: 0, value: FixedDecimal(units: 0), digits: 2))
                }
            }
            return part
        }
        // "R1" is on both plans in 2027-02; "M1" (ZZ) sorts before the Rs, "R10" between R1 and R2;
        // "R1,x" needs quotes (its quoted form sorts otherwise than its bytes).
        let parts = [
            part("AE", ["R1", "R1,x", "R2"]), part("AE", ["R3"]),
            part("ZZ", ["M1"]), part("ZZ", ["R1"], periods: ["2027-02"]), part("ZZ", ["R10"]),
        ]
        let payouts = directory + "/p.csv"
        let measures = directory + "/m.csv"
        let formatter = ExportFormatter(payouts: payouts, measures: measures, flushBytes: 64, merging: true)
        for part in parts { formatter.add(part) }
        let files = try #require(try formatter.finish())
        for file in files { try file.commit() }
        let merged = try String(contentsOfFile: payouts, encoding: .utf8)
        #expect(merged == ResultExport.payoutsCSV(parts.flatMap(\.payouts)))
        #expect(try String(contentsOfFile: measures, encoding: .utf8) == ResultExport.measuresCSV(parts.flatMap(\.measures)))
        #expect(merged.split(separator: "\n").map { $0.split(separator: ",").prefix(3).joined(separator: ",") }.filter { $0.hasPrefix("R1,2027-02") }
            == ["R1,2027-02,AE", "R1,2027-02,AE", "R1,2027-02,ZZ", "R1,2027-02,ZZ"])
        #expect(merged.hasPrefix("rep,period,plan,component,amount,currency\nM1,2027-01,ZZ,c,1.00,USD\n"))
        #expect(try temporaries(in: directory).isEmpty)

        // One plan's parts out of order: nothing is staged (the run reads the files back).
        let broken = ExportFormatter(payouts: directory + "/q.csv", measures: nil, flushBytes: 64, merging: true)
        broken.add(parts[1])
        broken.add(parts[0])
        #expect(try broken.finish() == nil)
        #expect(!FileManager.default.fileExists(atPath: directory + "/q.csv"))
    }

    /// A file that cannot be made (its directory went away) fails the export, not the run's
    /// formatting, and leaves nothing behind.
    @Test func aWriteFailureIsReportedAtTheEnd() throws {
        let directory = NSTemporaryDirectory() + "comp-stream-\(UUID().uuidString)"
        let formatter = ExportFormatter(payouts: directory + "/p.csv", measures: nil, flushBytes: 64)
        formatter.add(parts()[0])
        let error = try #require(throws: RunFailure.self) { try formatter.finish() }
        #expect(error.description == "writing \(directory)/p.csv: No such file or directory")
    }
}
