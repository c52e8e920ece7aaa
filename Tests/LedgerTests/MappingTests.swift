import Foundation
@testable import Ledger
import Testing

@Suite struct GuardedMappings {
    /// Mapped at 3 MiB (a newline every 64 bytes: 49,152), cut to 128 bytes (2 newlines): the
    /// count reads zeros past the cut, where an unguarded read had raised SIGBUS.
    @Test func aFileCutWhileMappedReadsZerosAndSaysSo() throws {
        let directory = try DataDirectory([:])
        let path = directory.path + "/shrinking.csv"
        var bytes = [UInt8](repeating: UInt8(ascii: "x"), count: 3 << 20)
        for index in stride(from: 63, to: bytes.count, by: 64) { bytes[index] = 10 }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let file = try MappedFile(path: path)
        #expect(file.countNewlines(from: 0, to: 4096) == 64)
        #expect(file.readProblem == nil)
        #expect(truncate(path, 128) == 0)
        // Mapping the pages ahead of a read (a hint) past the cut neither faults nor changes what is read.
        file.populate(0..<file.count)
        file.populate(4096..<4096)
        #expect(file.countNewlines(from: 0, to: file.count) == 2)
        #expect(file.readProblem == .changed)
    }

    /// Every byte a newline: each of the counters the count keeps per 16 bytes takes the most it
    /// can before it is summed (4 a round, 63 rounds: 252 of 255), and a longer stretch between
    /// sums would have wrapped them. Lengths around a round (64 bytes), a stretch (4,032) and a
    /// read block (256 KiB), from offsets that are not multiples of 16.
    @Test func aFileOfOnlyNewlinesCountsEveryByte() throws {
        let directory = try DataDirectory([:])
        let path = directory.path + "/newlines.csv"
        let bytes = [UInt8](repeating: 10, count: (256 << 10) + 5000)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let file = try MappedFile(path: path)
        for start in [0, 1, 15, 17] {
            for length in [0, 15, 16, 63, 64, 65, 127, 4031, 4032, 4033, 4095, 4096, 8064, 8065, 100_000, 256 << 10, (256 << 10) + 4999 - start] {
                #expect(file.countNewlines(from: start, to: start + length) == length, "\(start)..<\(start + length)")
            }
        }
        #expect(file.countNewlines(from: 0, to: bytes.count) == bytes.count)
    }

    /// Lines counted with `pread` in blocks of 256 KiB: ranges that start and end inside blocks,
    /// and cross them, count what the bytes hold; `read` hands over exactly the range's bytes.
    @Test func readsAndCountsRangesAcrossBlocks() throws {
        let directory = try DataDirectory([:])
        let path = directory.path + "/lines.csv"
        // 1 MiB + 1000 bytes, a newline wherever the index is a multiple of 7 (a pattern no block
        // size lines up with).
        let bytes = (0..<((1 << 20) + 1000)).map { index in index % 7 == 0 ? UInt8(10) : UInt8(ascii: "a") }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let file = try MappedFile(path: path)
        func expected(_ range: Range<Int>) -> Int { range.filter { $0 % 7 == 0 }.count }
        for range in [0..<bytes.count, 1..<(256 << 10) + 1, 100_000..<900_001, (256 << 10)..<(512 << 10), 5..<5, 0..<1] {
            #expect(file.countNewlines(from: range.lowerBound, to: range.upperBound) == expected(range), "\(range)")
        }
        // Past the end is cut to it.
        #expect(file.countNewlines(from: bytes.count - 10, to: bytes.count + 4096) == expected((bytes.count - 10)..<bytes.count))
        var seen: [UInt8] = []
        #expect(file.read(300_000..<600_123) { seen.append(contentsOf: $0) } == 300_123)
        #expect(seen == Array(bytes[300_000..<600_123]))
        #expect(file.read(bytes.count..<bytes.count + 10) { _ in Issue.record("nothing to read") } == 0)
        #expect(file.readProblem == nil)
    }

    @Test func aMappingThatWasNeverCutIsNotFlagged() throws {
        let directory = try DataDirectory(["a.csv": "rep,x\nR1,1\n"])
        let file = try MappedFile(path: directory.path + "/a.csv")
        #expect(file.countNewlines(from: 0, to: file.count) == 2)
        #expect(file.readProblem == nil)
    }

    /// A cut within the last page faults nothing (the kernel zeroes the page's tail), and a
    /// rewrite in place of the same size faults nothing either: both are seen by the file's size
    /// and modification time, and a file read twice unchanged has the same stamp.
    @Test func aCutInTheLastPageOrARewriteIsSeen() throws {
        let directory = try DataDirectory(["a.csv": "rep,x\nR1,1\nR2,2\n", "b.csv": "rep,x\nR1,1\nR2,2\n"])
        let cut = try MappedFile(path: directory.path + "/a.csv")
        #expect(truncate(directory.path + "/a.csv", 12) == 0)  // "rep,x\nR1,1\nR": 2 newlines of 3
        #expect(cut.countNewlines(from: 0, to: cut.count) == 2)
        #expect(cut.readProblem == .changed)
        let path = directory.path + "/b.csv"
        let first = try MappedFile(path: path)
        #expect(try MappedFile(path: path).stamp == first.stamp)
        // A rewrite a moment later (the file system keeps nanoseconds).
        usleep(20_000)
        try Data("rep,x\nR1,9\nR2,9\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(first.readProblem == .changed)
        #expect(try MappedFile(path: path).stamp != first.stamp)
    }
}

@Suite struct ColumnPages {
    /// Pages mapped ahead of the rows written (a hint): ranges past the column's capacity are cut
    /// to it, and what is written reads back.
    @Test func pagesMappedAheadHoldWhatIsWritten() {
        let column = ColumnStorage<Int64>(capacity: 100_000)
        column.populate(rows: 0..<100_000)
        column.populate(rows: 99_000..<200_000)
        column.populate(rows: -5..<3)
        column.populate(rows: 50..<50)
        for row in 0..<100_000 { column.pointer[row] = Int64(row) * 3 }
        #expect(column.pointer[0] == 0)
        #expect(column.pointer[99_999] == 299_997)
        #expect((0..<100_000).allSatisfy { column.pointer[$0] == Int64($0) * 3 })
    }
}

/// A date written right but past its month's last day says how many days the month has (the
/// Gregorian leap years: 2028 and 2000 have a February 29th, 2100 has not); any other bad date
/// asks for YYYY-MM-DD.
@Suite struct DayPastMonth {
    @Test func saysTheMonthsDays() {
        #expect(DataMessage.dayPastMonth("2027-02-29") == "February 2027 has 28 days")
        #expect(DataMessage.dayPastMonth("2100-02-29") == "February 2100 has 28 days")
        #expect(DataMessage.dayPastMonth("2028-02-30") == "February 2028 has 29 days")
        #expect(DataMessage.dayPastMonth("2027-04-31") == "April 2027 has 30 days")
        #expect(DataMessage.dayPastMonth("2027-12-32") == "December 2027 has 31 days")
        for fine in ["2028-02-29", "2000-02-29", "2027-04-30"] { #expect(DataMessage.dayPastMonth(fine) == nil, "\(fine)") }
        for other in ["2027-13-01", "2027-00-10", "2027-01-00", "27-01-05", "2027/01/05", "2027-1-5", "2027-+1-05", "abcd-ef-gh"] {
            #expect(DataMessage.dayPastMonth(other) == nil, "\(other)")
            #expect(DataMessage.badDate("date", other).1 == "date \"\(other)\" is not a valid date; write YYYY-MM-DD")
        }
    }
}
