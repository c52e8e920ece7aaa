/// Values a process keeps until it exits, instead of freeing them.
///
/// A run's ledger, credits and outputs are hundreds of megabytes in many allocations. Freeing
/// them piece by piece cost about 0.35 CPU-seconds at 10 M transactions (each column handed back
/// with its own `munmap`, each page uncharged one by one), while the kernel takes back the whole
/// address space at exit in one sweep. A command-line tool that exits right after its work hands
/// them here, as clang's `-disable-free` does; a program that goes on running must not, since
/// what is kept is never freed.
public enum ProcessExit {
    /// Keeps `value` (and everything it references) alive until the process exits.
    public static func keep<Value>(_ value: Value) {
        _ = Unmanaged.passRetained(Kept(value))
    }

    private final class Kept<Value> {
        let value: Value
        init(_ value: Value) { self.value = value }
    }
}
