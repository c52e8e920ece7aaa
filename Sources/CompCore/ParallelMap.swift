import Dispatch
import Synchronization

/// Runs `body(i)` for `i` in `0..<count` on up to `threads` threads and returns the results in
/// index order: the one concurrency primitive of the ledger loader and the engine. Each iteration
/// writes only its own slot, so no lock is needed, and the result does not depend on the thread
/// count. Workers take the next index as they finish one (handing them out in turns in advance
/// left one worker idle while the other still had a chunk or two to go).
///
/// With a `gate`, a worker waits on it before it takes each index (and gives it back when none is
/// left): whoever consumes the results signals it as it goes, which bounds how far ahead of the
/// consumer the workers run. Indexes are taken in order after the wait, so the lowest ones not yet
/// consumed always have their permits.
public func parallelMap<T: Sendable>(
    _ count: Int, threads: Int, gate: DispatchSemaphore? = nil, _ body: @Sendable (Int) -> T
) -> [T] {
    if count == 0 { return [] }
    let workers = max(1, min(threads, count))
    if workers == 1 {
        return (0..<count).map { index in
            gate?.wait()
            return body(index)
        }
    }
    return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        // Invariant: slot i is initialized exactly once, by the worker that took index i.
        nonisolated(unsafe) let slots = buffer
        let next = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                gate?.wait()
                let index = next.add(1, ordering: .relaxed).oldValue
                if index >= count {
                    gate?.signal()
                    break
                }
                if let base = slots.baseAddress { (base + index).initialize(to: body(index)) }
            }
        }
        initialized = count
    }
}
