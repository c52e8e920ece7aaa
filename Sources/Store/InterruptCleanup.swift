import Foundation
import GRDBSQLite

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
    /// stores nothing either, and says so. Read by the signal handler.
    nonisolated(unsafe) static let writingInPlace: UnsafeMutablePointer<Int> = {
        let count = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        count.initialize(to: 0)
        return count
    }()
    /// The SQLite connection writing a run in place, if one is (nil otherwise). On a signal the
    /// handler interrupts it (`sqlite3_interrupt` only sets a flag the connection reads), and the
    /// run's transaction is rolled back before the process ends: ended at once, the process had
    /// left the database file half-written beside a hot journal (a copy of the file alone was
    /// damaged, and a reader without write access could not open it until a writer had replayed
    /// the journal).
    nonisolated(unsafe) static let connection: UnsafeMutablePointer<OpaquePointer?> = {
        let connection = UnsafeMutablePointer<OpaquePointer?>.allocate(capacity: 1)
        connection.initialize(to: nil)
        return connection
    }()
    /// The signal received while a run was being written in place (0: none): the process ends by
    /// it once the run's transaction has been rolled back (``finishInterruptedWrite(stored:)``).
    /// Past ``rollbackWait`` (a run between two writes notices it at its next one) the alarm ends
    /// the process anyway, and SQLite rolls the run back from its journal when the database is
    /// next opened.
    nonisolated(unsafe) static let pending: UnsafeMutablePointer<Int32> = {
        let pending = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        pending.initialize(to: 0)
        return pending
    }()
    /// Seconds the rollback of a run interrupted while written in place is waited for.
    static let rollbackWait: UInt32 = 10

    /// Whether this process has stored a run (committed in place, or its new database put in
    /// place): until then an interruption says the run was not stored, also while the data is
    /// still being read (it had said nothing then).
    nonisolated(unsafe) static let stored: UnsafeMutablePointer<Bool> = {
        let stored = UnsafeMutablePointer<Bool>.allocate(capacity: 1)
        stored.initialize(to: false)
        return stored
    }()

    /// What an interruption says instead of whether the run was stored (nil: that), set with
    /// ``announce(_:)`` by a command around a step that is not a run.
    nonisolated(unsafe) static let announcement: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let text = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: 1)
        text.initialize(to: nil)
        return text
    }()

    /// Removes the registered files, says the run was not stored (unless it was, or `quietly`),
    /// and ends the process by `signalNumber`. Async-signal-safe.
    private static func end(by signalNumber: Int32, quietly: Bool = false) -> Never {
        var unstored = !stored.pointee || writingInPlace.pointee > 0
        for index in 0..<slotCount {
            if let path = slots[index] {
                _ = unlink(path)
                if !quiet[index] { unstored = true }
            }
        }
        if let text = announcement.pointee, !quietly {
            _ = write(2, text, strlen(text))
        } else if unstored && !quietly {
            let message: StaticString = "comp: interrupted; the run was not stored\n"
            _ = write(2, message.utf8Start, message.utf8CodeUnitCount)
        }
        _ = signal(signalNumber, SIG_DFL)
        _ = raise(signalNumber)
        // Inside its handler the signal is blocked: unblocked, it is delivered now.
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        sigaddset(&unblocked, signalNumber)
        _ = pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
        _exit(128 + signalNumber)
    }

    /// Removes the registered files when SIGINT, SIGTERM or SIGHUP arrives, says so on standard
    /// error, and ends the process by the signal (exit status 128 + signal).
    public static func install() {
        _ = slots
        _ = quiet
        _ = writingInPlace
        _ = connection
        _ = pending
        _ = stored
        _ = announcement
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
        // SIGALRM too: it ends a rollback that takes too long (the alarm in the handler).
        for signalNumber in handled + [SIGALRM] { sigaddset(&unblocked, signalNumber) }
        _ = pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
        for signalNumber in handled {
            _ = signal(signalNumber) { received in
                // A run being written in place: its connection is interrupted, and the writing
                // thread rolls the run back and ends the process by this signal. A second signal,
                // or none of that within the wait (the alarm), ends it at once.
                if InterruptCleanup.pending.pointee == 0, InterruptCleanup.writingInPlace.pointee > 0 {
                    // (Also before the transaction starts or just after it ends: the writer looks
                    // at the signal when it is over, and says whether the run was stored.)
                    InterruptCleanup.pending.pointee = received
                    if let connection = InterruptCleanup.connection.pointee { sqlite3_interrupt(connection) }
                    _ = alarm(InterruptCleanup.rollbackWait)
                    return
                }
                let first = InterruptCleanup.pending.pointee
                InterruptCleanup.end(by: first != 0 ? first : received)
            }
        }
        _ = signal(SIGALRM) { _ in
            let first = InterruptCleanup.pending.pointee
            InterruptCleanup.end(by: first != 0 ? first : SIGALRM)
        }
    }

    /// Marks `connection` as the one writing a run in place (nil when it is done).
    static func writing(on connection: OpaquePointer?) {
        lock.lock()
        defer { lock.unlock() }
        InterruptCleanup.connection.pointee = connection
    }

    /// Called once a run written in place has been committed or rolled back: if a signal came
    /// meanwhile, says what became of the run and ends the process by that signal.
    static func finishInterruptedWrite(stored: Int64?) {
        let received = pending.pointee
        guard received != 0 else { return }
        _ = alarm(0)
        if let stored {
            // The commit came first: the run is there (its exports are not written).
            FileHandle.standardError.write(Data("comp: interrupted after run \(stored) was stored\n".utf8))
            end(by: received, quietly: true)
        }
        end(by: received)
    }

    /// A busy handler for the commit: waits for readers up to ``ResultStore/busyWait`` in steps
    /// of 10 ms, and no longer once a signal has come (a wait on a timeout had outlasted the
    /// alarm, and the run was then left to SQLite's journal instead of rolled back).
    static let commitBusyHandler: @convention(c) (UnsafeMutableRawPointer?, Int32) -> Int32 = { _, count in
        if InterruptCleanup.pending.pointee != 0 || Double(count) >= ResultStore.busyWait * 100 { return 0 }
        usleep(10_000)
        return 1
    }

    /// Thrown by ``checkPending()``.
    struct Interrupted: Error, CustomStringConvertible {
        var description: String { "interrupted" }
    }

    /// Throws when a signal has come while a run is being written in place: checked before each
    /// part is written and before the commit (`sqlite3_interrupt` only stops a statement that is
    /// running, and between two parts none is).
    static func checkPending() throws {
        if pending.pointee != 0 { throw Interrupted() }
    }

    /// Notes that this process has stored a run.
    static func runStored() {
        lock.lock()
        defer { lock.unlock() }
        stored.pointee = true
    }

    /// From now on an interruption says `text` (a line; nil: whether the run was stored). The
    /// text before is not freed: the signal handler may be reading it.
    public static func announce(_ text: String?) {
        lock.lock()
        defer { lock.unlock() }
        announcement.pointee = text.flatMap { strdup($0.hasSuffix("\n") ? $0 : $0 + "\n") }
    }

    /// Registers `paths` (files being written, not whole yet) to be removed on an interruption;
    /// returns the slots, for ``unregister(_:)`` once they are whole.
    public static func register(_ paths: [String]) -> [Int] {
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
        stored.pointee = true
    }

    /// Counts a run being written into an existing database (`true`) or done with it (`false`).
    static func writing(_ started: Bool) {
        lock.lock()
        defer { lock.unlock() }
        writingInPlace.pointee += started ? 1 : -1
    }

    /// Forgets the files of `taken` (they were put in place or removed): an interruption now
    /// leaves them.
    public static func unregister(_ taken: [Int]) {
        lock.lock()
        defer { lock.unlock() }
        for index in taken {
            let copy = slots[index]
            slots[index] = nil
            free(copy)
        }
    }
}
