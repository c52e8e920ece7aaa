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
