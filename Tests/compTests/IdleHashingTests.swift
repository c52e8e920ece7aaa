import Foundation
import Ledger
import Runner
import Testing

@Suite struct IdleHashing {
    /// The run's idle-priority hashing is taken over wherever it got to: at once, after some
    /// blocks, after it finished. Whatever the moment, the fingerprints are those of hashing each
    /// file whole (three files of 3 MiB + 5 bytes, 1 byte and 2 MiB, so several takeovers land
    /// inside a file).
    @Test func takenOverAnywhereGivesWholeFileDigests() throws {
        let directory = NSTemporaryDirectory() + "comp-idle-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var state: UInt64 = 12345
        var paths: [String] = []
        for (index, size) in [3 << 20 + 5, 1, 2 << 20].enumerated() {
            var bytes = [UInt8](repeating: 0, count: size)
            for position in bytes.indices {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                bytes[position] = UInt8(truncatingIfNeeded: state >> 33)
            }
            let path = directory + "/f\(index)"
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            paths.append(path)
        }
        let whole = try paths.map { try Fingerprinter.fingerprint(path: $0) }
        for wait in [0, 100, 500, 1_000, 2_000, 5_000, 20_000, 200_000] {
            let hashing = IdleFingerprinter(paths: paths)
            usleep(UInt32(wait))
            var progress = hashing.takeOver()
            #expect(try progress.finish() == whole, "taken over after \(wait) µs")
        }
        // Stopped before it is taken over: nothing is lost either.
        let stopped = IdleFingerprinter(paths: paths)
        stopped.stop()
        var progress = stopped.takeOver()
        #expect(try progress.finish() == whole)
    }
}
