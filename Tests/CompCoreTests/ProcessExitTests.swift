import CompCore
import Testing

@Suite("ProcessExit")
struct ProcessExitTests {
    final class Tracked: @unchecked Sendable {
        let bytes: [UInt8]
        init(_ count: Int) { bytes = [UInt8](repeating: 7, count: count) }
    }

    @Test("a kept value outlives every reference to it; one that is not kept is freed")
    func keptValueIsNotFreed() {
        weak var kept: Tracked?
        weak var dropped: Tracked?
        do {
            let value = Tracked(1024)
            kept = value
            ProcessExit.keep((value, "and what it travels with"))
            let other = Tracked(16)
            dropped = other
            _ = other.bytes.count
        }
        #expect(kept?.bytes.count == 1024)
        #expect(kept?.bytes.last == 7)
        #expect(dropped == nil)
    }
}
