import Foundation

/// The stack size of the thread that checks and formats plans.
///
/// Checking recurses over expressions (at most ``PlanLimits/maxNestingDepth`` deep) and over
/// definitions that refer to each other (at most ``PlanLimits/maxDependencyDepth``), and debug
/// builds use large frames, so hostile input could exhaust a default 512 KiB or 8 MiB stack. The
/// memory is reserved, not committed: only the pages actually used cost anything.
let checkerStackBytes = 512 << 20

/// Marks the threads ``withLargeStack(_:)`` starts, in their thread dictionaries.
private let largeStackKey = "comp.checkerStack"

/// Runs `body` on a thread with a ``checkerStackBytes`` stack and returns its result; on such a
/// thread already, runs it there (a thread each call had cost the XML lowering, which reads each
/// expression of a plan alone, a thread per expression: 15 s for 40,000 of them).
func withLargeStack<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
    if Thread.current.threadDictionary[largeStackKey] != nil { return body() }
    let slot = ResultSlot<T>()
    let thread = Thread {
        Thread.current.threadDictionary[largeStackKey] = true
        slot.put(body())
    }
    thread.stackSize = checkerStackBytes
    thread.start()
    return slot.take()
}

/// Runs `body` on a thread with the stack the plan checker and parser need, and waits for it:
/// for a front end of this package that parses many expressions one by one (the XML lowering),
/// so that they all run on one such thread, sharing its stack, rather than each on its own.
/// (`package`: it hands a closure that is not `Sendable` to another thread, sound only because
/// the caller blocks until that thread is done with it.)
package func withCheckerStack<T>(_ body: @escaping () -> T) -> T {
    if Thread.current.threadDictionary[largeStackKey] != nil { return body() }
    // The caller waits for the thread to finish `body`: it and its result are never used by two
    // threads at once.
    let job = UncheckedSendable(body)
    return withLargeStack { UncheckedSendable(job.value()) }.value
}

/// A value handed to another thread while its owner waits for that thread.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
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
