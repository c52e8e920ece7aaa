import CompCore
import Foundation
import Ledger
import Testing

@Suite struct Fingerprints {
    @Test(arguments: [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 100_003])
    func matchesTheReferenceImplementation(length: Int) {
        var generator = SplitMix(seed: UInt64(length))
        let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        #expect(Fingerprinter.sha256(bytes) == SHA256.hex(of: bytes))
    }

    @Test func knownVector() {
        #expect(Fingerprinter.sha256(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func sharedDataFilesHaveTheirDocumentedHashes() throws {
        let path = sharedData + "/ae-100k/transactions.csv"
        try #require(FileManager.default.fileExists(atPath: path))
        let fingerprint = try Fingerprinter.fingerprint(path: path)
        #expect(fingerprint.sha256 == "ea778b758ec583de3cd1634f8ffefac5aeb5128d5b5656af94ce183af54d2bad")
        #expect(fingerprint.bytes == 6_582_915)
        let roster = try Fingerprinter.fingerprint(path: sharedData + "/ae-100k/roster.csv")
        #expect(roster.sha256 == "d25b7d3e33cd6a4c474f4a82ae3a2193406bd8e0a8684082bac02b82e9eefcf1")
    }

    @Test func missingFileIsAClearError() {
        #expect(throws: FingerprintError.self) { try Fingerprinter.fingerprint(path: "/nonexistent/x.csv") }
    }
}

@Suite struct FingerprintProgressTests {
    /// Hashing can stop after any block and be finished from a copy (as the run's idle-priority
    /// thread hands over): every split gives the digests of whole-file hashing. The files span
    /// several blocks (2.5 MiB: blocks of 1 MiB, 1 MiB and 0.5 MiB), one block, and nothing.
    @Test func finishedFromACopyAfterAnyStep() throws {
        let directory = try DataDirectory([:])
        var generator = SplitMix(seed: 7)
        let sizes = [FingerprintProgress.blockSize * 5 / 2, 100, 0]
        var paths: [String] = []
        for (index, size) in sizes.enumerated() {
            let path = directory.path + "/f\(index).bin"
            let bytes = (0..<size).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        let whole = try paths.map { try Fingerprinter.fingerprint(path: $0) }
        #expect(whole.map(\.bytes) == sizes)
        #expect(whole[2].sha256 == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // Three blocks for the first file, one each for the others: five steps in all.
        for split in 0...5 {
            var first = FingerprintProgress(paths: paths)
            for _ in 0..<split { _ = try first.step() }
            var second = first
            #expect(try second.finish() == whole, "split after \(split) steps")
            #expect(first.done == Array(whole.prefix(split <= 2 ? 0 : split - 2)), "split after \(split) steps")
        }
    }

    @Test func anUnreadableFileStopsTheStepsWithItsName() throws {
        var progress = FingerprintProgress(paths: ["/nonexistent/a.csv"])
        #expect(throws: FingerprintError.self) { try progress.finish() }
        #expect(progress.done.isEmpty)
        #expect(!progress.isFinished)
    }
}

/// A file that another program truncates while it is mapped and read: the reads past its new end
/// find zeros (the guard maps them in) instead of ending the process with SIGBUS, and the reader
/// is told.
@Suite struct TruncatedWhileRead {
    /// 3 MiB of 'x' and a newline every 64 bytes, cut to 100 bytes after the first block is hashed.
    private static func file(in directory: DataDirectory) throws -> String {
        let path = directory.path + "/shrinking.csv"
        var bytes = [UInt8](repeating: UInt8(ascii: "x"), count: 3 << 20)
        for index in stride(from: 63, to: bytes.count, by: 64) { bytes[index] = 10 }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func hashingSaysTheFileChanged() throws {
        let directory = try DataDirectory([:])
        let path = try Self.file(in: directory)
        var progress = FingerprintProgress(paths: [path])
        #expect(try progress.step())
        #expect(truncate(path, 100) == 0)
        #expect {
            try progress.finish()
        } throws: { error in
            (error as? FingerprintError)?.description
                == "cannot read \(path): the file changed while it was read (is another program writing it?); run again once it is complete"
        }
        #expect(progress.done.isEmpty)
    }
}
