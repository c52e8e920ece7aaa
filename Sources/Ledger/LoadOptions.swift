import CompCore
import CompDiagnostics

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// How to load a data directory.
public struct LedgerLoadOptions: Sendable {
    /// Worker threads for the transaction scan (default: every core).
    public var threads: Int
    /// The currency fx rates convert into; transactions in it need no rate.
    public var baseCurrency: Currency
    /// Fiscal calendar for quarter and year labels in `quotas.csv`.
    public var fiscalCalendar: FiscalCalendar
    /// Accept split shares that add up to more than 1 (overlay credit).
    public var allowOverlaySplits: Bool
    /// CSV limits against hostile files.
    public var limits: CSVLimits
    /// Longest id (transaction or rep), in bytes.
    public var maxIDBytes: Int
    /// Diagnostics kept in memory, the first ones by file and line (all are counted). A file of
    /// millions of bad rows keeps this many row errors, not one per row.
    public var storedDiagnosticLimit: Int
    /// Target bytes per parse chunk (more chunks than threads balances the load).
    public var chunkBytes: Int

    /// Options with defaults: all cores, USD, calendar year, no overlay splits.
    public init(
        threads: Int? = nil, baseCurrency: Currency = .usd, fiscalCalendar: FiscalCalendar = .calendar,
        allowOverlaySplits: Bool = false, limits: CSVLimits = CSVLimits(), maxIDBytes: Int = 256,
        storedDiagnosticLimit: Int = 1_000_000, chunkBytes: Int = 64 << 20
    ) {
        self.threads = max(1, threads ?? activeProcessorCount())
        self.baseCurrency = baseCurrency
        self.fiscalCalendar = fiscalCalendar
        self.allowOverlaySplits = allowOverlaySplits
        self.limits = limits
        self.maxIDBytes = maxIDBytes
        self.storedDiagnosticLimit = storedDiagnosticLimit
        self.chunkBytes = max(1 << 16, chunkBytes)
    }
}

/// Cores available to this process.
public func activeProcessorCount() -> Int {
    max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
}

/// The input files of a data directory, as `FORMATS.md` names them.
public struct LedgerFiles: Sendable {
    /// `transactions.csv` (required).
    public var transactions: String
    /// `roster.csv` (required).
    public var roster: String
    /// `quotas.csv` (required).
    public var quotas: String
    /// `splits.csv` (optional).
    public var splits: String
    /// `fx.csv` (optional).
    public var fx: String

    /// The standard file names inside `directory`.
    public init(directory: String) {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        transactions = prefix + "transactions.csv"
        roster = prefix + "roster.csv"
        quotas = prefix + "quotas.csv"
        splits = prefix + "splits.csv"
        fx = prefix + "fx.csv"
    }
}

/// How long one phase of a load took (for benchmarks and `--timings`).
public struct PhaseTiming: Sendable, Hashable {
    /// The phase.
    public let name: String
    /// Wall-clock time.
    public let duration: Duration
}

/// Records consecutive phase durations.
struct PhaseTimer {
    private let clock = ContinuousClock()
    private var last: ContinuousClock.Instant
    private(set) var timings: [PhaseTiming] = []

    init() { last = clock.now }

    mutating func mark(_ name: String) {
        let now = clock.now
        timings.append(PhaseTiming(name: name, duration: now - last))
        last = now
    }
}

/// The outcome of loading: the accepted data, every problem, and the reconciliation.
public struct LedgerLoad: Sendable {
    /// Wall-clock time per phase, in order.
    public let timings: [PhaseTiming]
    /// Accepted rows of every file.
    public let data: LedgerData
    /// Problems found, sorted by file (load order), line and field; at most
    /// ``LedgerLoadOptions/storedDiagnosticLimit`` are kept.
    public let diagnostics: [Diagnostic]
    /// Errors found (all counted, kept or not).
    public let errorCount: Int
    /// Warnings found.
    public let warningCount: Int
    /// Rows read, accepted, rejected; amounts per currency.
    public let reconciliation: Reconciliation

    /// True when nothing was rejected and no file-level error occurred.
    public var isClean: Bool { errorCount == 0 }
}

