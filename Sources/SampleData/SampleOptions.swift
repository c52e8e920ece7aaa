import Foundation

/// What to generate: how many AE reps and transactions, from which seed, for which year.
///
/// The output depends only on `reps`, `transactions`, `seed` and `year`: the same values give
/// byte-identical files on every machine, for every `threads`.
public struct SampleOptions: Sendable, Hashable {
    /// Number of AE reps (plan `AE-STD`). Managers (about `reps / 8`) and VPs (about `reps / 64`)
    /// come on top. At least 1.
    public var reps: Int
    /// Number of transaction rows, reversals included. At least 0.
    public var transactions: Int
    /// The random seed.
    public var seed: UInt64
    /// The calendar year the transactions, quotas and rates cover (roster rows start before it).
    /// 3...9998.
    public var year: Int
    /// Worker threads for generating transactions (at least 1; more than 8 are not used). The
    /// output does not depend on it.
    public var threads: Int

    /// Options for a data set; `threads` defaults to the number of active processors.
    public init(
        reps: Int = 1_000,
        transactions: Int = 100_000,
        seed: UInt64 = 1,
        year: Int = 2027,
        threads: Int = ProcessInfo.processInfo.activeProcessorCount
    ) {
        self.reps = reps
        self.transactions = transactions
        self.seed = seed
        self.year = year
        self.threads = threads
    }
}

/// What ``SampleGenerator/write(_:to:)`` wrote.
public struct SampleSummary: Sendable, Hashable {
    /// One written file.
    public struct File: Sendable, Hashable {
        /// File name (`transactions.csv`).
        public let name: String
        /// Full path.
        public let path: String
        /// Data rows, the header not counted.
        public let rows: Int
        /// Size in bytes, header included.
        public let bytes: Int
    }

    /// The output directory.
    public let directory: String
    /// The files in the order written: `roster.csv`, `quotas.csv`, `fx.csv`, `transactions.csv`.
    public let files: [File]
    /// AE reps (plan `AE-STD`).
    public let reps: Int
    /// Managers (`M…`, plan `MGR-OVR`).
    public let managers: Int
    /// VPs (`V…`, plan `MGR-OVR`).
    public let vps: Int
    /// Transaction rows, reversals included.
    public let transactions: Int
    /// Transaction rows that reverse an earlier row.
    public let reversals: Int
    /// Transaction rows per currency code.
    public let transactionsByCurrency: [String: Int]

    /// The file called `name`, if written.
    public func file(_ name: String) -> File? { files.first { $0.name == name } }

    /// Total bytes written.
    public var totalBytes: Int { files.reduce(0) { $0 + $1.bytes } }
}

/// Why a sample data set could not be written. Every case names the path or option at fault.
public enum SampleDataError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The output directory does not exist and could not be created (or is a file).
    case cannotCreateDirectory(path: String, reason: String)
    /// A file could not be opened, written or closed.
    case cannotWrite(path: String, reason: String)
    /// An option is out of range.
    case invalidOptions(String)

    public var description: String {
        switch self {
        case .cannotCreateDirectory(let path, let reason): return "cannot create directory '\(path)': \(reason)"
        case .cannotWrite(let path, let reason): return "cannot write '\(path)': \(reason)"
        case .invalidOptions(let message): return "invalid sample options: \(message)"
        }
    }
}
