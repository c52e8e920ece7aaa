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
