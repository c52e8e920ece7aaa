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
        #expect(!file.changedWhileRead)
        #expect(truncate(path, 128) == 0)
        #expect(file.countNewlines(from: 0, to: file.count) == 2)
        #expect(file.changedWhileRead)
    }

    @Test func aMappingThatWasNeverCutIsNotFlagged() throws {
        let directory = try DataDirectory(["a.csv": "rep,x\nR1,1\n"])
        let file = try MappedFile(path: directory.path + "/a.csv")
        #expect(file.countNewlines(from: 0, to: file.count) == 2)
        #expect(!file.changedWhileRead)
    }
}
