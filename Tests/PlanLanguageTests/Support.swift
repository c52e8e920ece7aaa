import CompDiagnostics
import Foundation

/// Paths of the repository, found from this file (fixtures are plain files, not SwiftPM resources).
enum Paths {
    static let testsDirectory: String = {
        let file = #filePath
        return String(file[..<(file.lastIndex(of: "/") ?? file.endIndex)])
    }()
    static let fixtures = testsDirectory + "/Fixtures"
    static let snapshots = testsDirectory + "/Snapshots"
    static let repository: String = {
        var parts = testsDirectory.split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(2)
        return parts.joined(separator: "/")
    }()
    static let plans = repository + "/Plans"

    /// Every file under `directory` with `suffix`, sorted, as paths relative to `directory`.
    static func files(under directory: String, suffix: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        var found: [String] = []
        while let item = enumerator.nextObject() as? String {
            if item.hasSuffix(suffix) { found.append(item) }
        }
        return found.sorted()
    }

    static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// Compares `actual` with the golden file `name` in Snapshots/; `RECORD_SNAPSHOTS=1` rewrites it (G12).
func snapshotMismatch(_ actual: String, named name: String) -> String? {
    let path = Paths.snapshots + "/" + name
    if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
        _ = FileManager.default.createFile(atPath: path, contents: Data(actual.utf8))
        return nil
    }
    guard let expected = Paths.read(path) else {
        return "missing snapshot \(name); run with RECORD_SNAPSHOTS=1 to record it"
    }
    if expected == actual { return nil }
    let a = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let b = actual.split(separator: "\n", omittingEmptySubsequences: false)
    for index in 0..<max(a.count, b.count) where index >= a.count || index >= b.count || a[index] != b[index] {
        let want = index < a.count ? String(a[index]) : "<end>"
        let got = index < b.count ? String(b[index]) : "<end>"
        return "\(name):\(index + 1): expected\n  \(want)\nfound\n  \(got)\n(RECORD_SNAPSHOTS=1 to accept)"
    }
    return "\(name) differs"
}

/// A small deterministic generator (SplitMix64) so randomized tests repeat exactly.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
