import Foundation

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// Files removed when the process is interrupted (SIGINT, SIGTERM, SIGHUP) before they are put in
/// place: a run stopped with Ctrl-C leaves no hidden staging database beside its `--db` (it had
/// been left until a run in that directory ten minutes later cleared it). A run killed outright
/// (SIGKILL) still leaves it, for that later run to clear.
///
/// ``ResultStore/init(creating:replacingEmpty:)`` registers its staging files and unregisters them
/// when they are persisted or discarded; the handlers are installed by ``install()`` (by the
/// command line, not by the library on its own).
public enum InterruptCleanup {
    static let slotCount = 32
    /// Paths to remove (C strings made with `strdup`), nil where free. Read by the signal handler,
    /// which only calls `unlink`, `write`, `signal` and `raise` (async-signal-safe).
    nonisolated(unsafe) static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let slots = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: slotCount)
        slots.initialize(repeating: nil, count: slotCount)
        return slots
    }()
    /// Per slot: its file may already hold a stored run (linked in place): removed, but the
    /// interruption does not say the run was not stored.
    nonisolated(unsafe) static let quiet: UnsafeMutablePointer<Bool> = {
        let quiet = UnsafeMutablePointer<Bool>.allocate(capacity: slotCount)
        quiet.initialize(repeating: false, count: slotCount)
        return quiet
    }()
    private static let lock = NSLock()
    /// Runs being written into a database in place (not a staging file): an interruption then
    /// stores nothing either (SQLite's journal rolls the run back), and says so. Read by the
    /// signal handler.
    nonisolated(unsafe) static let writingInPlace: UnsafeMutablePointer<Int> = {
        let count = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        count.initialize(to: 0)
        return count
    }()

    /// Removes the registered files when SIGINT, SIGTERM or SIGHUP arrives, says so on standard
    /// error, and ends the process by the signal (exit status 128 + signal).
    public static func install() {
        _ = slots
        _ = quiet
        _ = writingInPlace
        // A signal ignored on entry stays ignored: `nohup` ignores SIGHUP, a shell's background
        // job SIGINT (the handler had undone both). The others are delivered even where the
        // parent had them blocked (a blocked mask is inherited across exec: a test runner's child
        // ran on through SIGINT and stored the run).
        let handled = [SIGINT, SIGTERM, SIGHUP].filter { signalNumber in
            var current = sigaction()
            guard sigaction(signalNumber, nil, &current) == 0 else { return false }
            let handler = current.__sigaction_handler.sa_handler.map { unsafeBitCast($0, to: Int.self) } ?? 0
            return handler != unsafeBitCast(SIG_IGN, to: Int.self)
        }
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        for signalNumber in handled { sigaddset(&unblocked, signalNumber) }
        _ = pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
        for signalNumber in handled {
            _ = signal(signalNumber) { received in
                var unstored = InterruptCleanup.writingInPlace.pointee > 0
                for index in 0..<InterruptCleanup.slotCount {
                    if let path = InterruptCleanup.slots[index] {
                        _ = unlink(path)
                        if !InterruptCleanup.quiet[index] { unstored = true }
                    }
                }
                if unstored {
                    let message: StaticString = "comp: interrupted; the run was not stored\n"
                    _ = write(2, message.utf8Start, message.utf8CodeUnitCount)
                }
                _ = signal(received, SIG_DFL)
                _ = raise(received)
            }
        }
    }

    /// Registers `paths` to be removed on an interruption; returns the slots, for ``unregister(_:)``.
    static func register(_ paths: [String]) -> [Int] {
        lock.lock()
        defer { lock.unlock() }
        var taken: [Int] = []
        for path in paths {
            // No free slot (many stores at once in one process): that file is left to the
            // abandoned-file cleanup.
            guard let index = (0..<slotCount).first(where: { slots[$0] == nil }), let copy = strdup(path) else { continue }
            quiet[index] = false
            slots[index] = copy
            taken.append(index)
        }
        return taken
    }

    /// From now on an interruption still removes the files of `taken` but does not say the run
    /// was not stored (it is being put in place).
    static func quieten(_ taken: [Int]) {
        lock.lock()
        defer { lock.unlock() }
        for index in taken { quiet[index] = true }
    }

    /// Counts a run being written into an existing database (`true`) or done with it (`false`).
    static func writing(_ started: Bool) {
        lock.lock()
        defer { lock.unlock() }
        writingInPlace.pointee += started ? 1 : -1
    }

    /// Forgets the files of `taken` (they were put in place or removed).
    static func unregister(_ taken: [Int]) {
        lock.lock()
        defer { lock.unlock() }
        for index in taken {
            let copy = slots[index]
            slots[index] = nil
            free(copy)
        }
    }
}
