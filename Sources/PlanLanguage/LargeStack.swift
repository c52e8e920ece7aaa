import Foundation

/// The stack size of the thread that checks and formats plans.
///
/// Checking recurses over expressions (at most ``PlanLimits/maxNestingDepth`` deep) and over
/// definitions that refer to each other (at most ``PlanLimits/maxDependencyDepth``), and debug
/// builds use large frames, so hostile input could exhaust a default 512 KiB or 8 MiB stack. The
/// memory is reserved, not committed: only the pages actually used cost anything.
let checkerStackBytes = 512 << 20

/// Runs `body` on a thread with a ``checkerStackBytes`` stack and returns its result.
func withLargeStack<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
    let slot = ResultSlot<T>()
    let thread = Thread {
        slot.put(body())
    }
    thread.stackSize = checkerStackBytes
    thread.start()
    return slot.take()
}

/// A one-shot hand-off from the worker thread to the caller.
///
/// `@unchecked Sendable` is sound because `value` is only read and written while `condition` is
/// locked: the worker writes it exactly once, the caller waits until it is set.
private final class ResultSlot<T>: @unchecked Sendable {
    private let condition = NSCondition()
    private var value: T?

    func put(_ result: T) {
        condition.lock()
        value = result
        condition.signal()
        condition.unlock()
    }

    func take() -> T {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if let value { return value }
            condition.wait()
        }
    }
}
