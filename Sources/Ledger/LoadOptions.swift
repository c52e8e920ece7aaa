import CompCore
import CompDiagnostics
import Synchronization

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
    /// Columns the plans declare with a type (`attribute txn.boost: rate`): their values are
    /// checked as that type, each bad one rejecting its row like a bad built-in value.
    public var declaredColumns: [DeclaredColumn] = []
    /// The columns of `transactions.csv` beyond the built-in ones (`id`, `date`, `rep`,
    /// `amount`, `currency`, `quantity`, `reverses`) to keep, by name; `nil` keeps them all. The
    /// others are checked as kept ones are (each cell valid UTF-8) but not stored (a column of
    /// ``declaredColumns`` is always kept, and checked as its type): a run keeps
    /// the columns its plans read, so a ledger's free-text columns (an opportunity name on every
    /// row, millions of distinct values) cost it no memory.
    public var transactionAttributes: Set<String>? = nil
    /// Most steps the roster's manager chains may take to check for cycles over its dates: a
    /// roster that needs more (a hostile one) is refused, in bounded time.
    public var managerChainSteps = 20_000_000
    /// Where the load says how far it has read the ledger (for a progress display); `nil` says
    /// nothing.
    public var progress: LoadProgress? = nil
    /// Whether rows of the common shape are read by the scan's loop for them (the general loop
    /// reads the same rows to the same result); false in tests that compare the two.
    var plainRows = true

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

/// A column a plan declares with a type (`attribute txn.boost: rate`, `attribute rep.tier: count
/// optional`): its values are checked as that type when the data is loaded, so that a value the
/// plan cannot read is a data error at its file, line and field, not a row quietly left out.
public struct DeclaredColumn: Sendable, Hashable {
    /// Which file the column is in.
    public enum File: String, Sendable, Hashable {
        case transactions, roster
    }
    /// The declared type.
    public enum Kind: String, Sendable, Hashable {
        case text, money, rate, count, date, bool
    }
    public var file: File
    public var name: String
    public var kind: Kind
    /// An optional column may be empty (and missing from the header).
    public var optional: Bool
    /// Who declares it, for messages (`plan AE-STD`).
    public var declaredBy: String
    /// A column read as text without a declaration (``declaration`` says so).
    public var implicit: Bool
    /// The plan whose roster rows the declaration checks (a rep's value is read only by the plan
    /// of its row); nil: every row (a transaction column's declaration, or a run recorded before
    /// declarations named their plan).
    public var plan: String?

    public init(
        file: File, name: String, kind: Kind, optional: Bool, declaredBy: String, implicit: Bool = false, plan: String? = nil
    ) {
        self.file = file
        self.name = name
        self.kind = kind
        self.optional = optional
        self.declaredBy = declaredBy
        self.implicit = implicit
        self.plan = plan
    }

    /// Whether the declaration checks a roster row of `plan` (nil: a row whose plan is unreadable).
    public func checks(rowOf plan: String?) -> Bool { self.plan == nil || self.plan == plan }

    /// The columns as one line, to record with a run (`comp explain` reads the ledger again the
    /// same way): `transactions.boost:rate;roster.tier:count?@AE-STD` (`?` for optional, `@` and
    /// the plan, percent-encoded, for a roster column).
    public static func recorded(_ columns: [DeclaredColumn]) -> String {
        columns.map {
            "\($0.file.rawValue).\($0.name):\($0.kind.rawValue)\($0.optional ? "?" : "")" + ($0.plan.map { "@" + percentEncoded($0) } ?? "")
        }.joined(separator: ";")
    }

    /// The columns of a ``recorded(_:)`` line (entries it cannot read are left out).
    public static func parse(recorded text: String) -> [DeclaredColumn] {
        text.split(separator: ";").compactMap { whole in
            // Names and kinds hold no `@`: the first one starts the plan.
            var entry = whole
            var plan: String? = nil
            if let at = whole.firstIndex(of: "@") {
                guard let decoded = percentDecoded(whole[whole.index(after: at)...]) else { return nil }
                plan = decoded
                entry = whole[..<at]
            }
            guard let dot = entry.firstIndex(of: "."), let colon = entry.lastIndex(of: ":"), dot < colon,
                let file = File(rawValue: String(entry[..<dot]))
            else { return nil }
            var kindText = entry[entry.index(after: colon)...]
            let optional = kindText.hasSuffix("?")
            if optional { kindText = kindText.dropLast() }
            guard let kind = Kind(rawValue: String(kindText)) else { return nil }
            return DeclaredColumn(
                file: file, name: String(entry[entry.index(after: dot)..<colon]), kind: kind, optional: optional,
                declaredBy: plan.map { "plan \($0)" } ?? "the run's plans", plan: plan)
        }
    }

    /// `text` with every byte but ASCII letters, digits, `-`, `_` and `.` written `%XX` (a plan id
    /// may hold `;` or `@`).
    static func percentEncoded(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count < 2 ? "0" + hex : hex)
            }
        }
        return out
    }

    /// The text ``percentEncoded(_:)`` wrote, or nil when `text` is not such (or not UTF-8).
    static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var utf8 = text.utf8.makeIterator()
        while let byte = utf8.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = utf8.next(), let low = utf8.next(), let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            else { return nil }
            bytes.append(value)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// `txn.boost: rate` or `rep.tier: count optional`, as the plan declares it.
    var declaration: String {
        let reference = "\(file == .transactions ? "txn" : "rep").\(name)"
        if implicit { return "\(reference), a column it does not declare, read as text" }
        return "attribute \(reference): \(kind.rawValue)\(optional ? " optional" : "")"
    }

    /// What is wrong with `text` as a value of the column, or nil when it is one.
    func problem(with text: String) -> (DiagnosticID, String)? {
        if text.isEmpty {
            return optional || kind == .text ? nil : DataMessage.declaredValueMissing(name, by: declaredBy, declaration)
        }
        switch kind {
        case .text: return nil
        case .money, .rate:
            // As the engine reads the value (and as the roster's own decimals are checked).
            do throws(DecimalParseError) {
                _ = try FixedDecimal(parsing: text)
                return nil
            } catch {
                return DataMessage.badDecimal(name, text, error)
            }
        case .count:
            var bytes = Array(text.utf8)
            let whole = bytes.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress.flatMap { parseInt32(UnsafePointer($0), buffer.count) } != nil
            }
            return whole ? nil : DataMessage.notWholeNumber(name, text, by: declaredBy, declaration)
        case .date:
            return CivilDate(parsing: text) == nil ? DataMessage.badDate(name, text) : nil
        case .bool:
            return text == "true" || text == "false" ? nil : DataMessage.notBoolean(name, text)
        }
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
    /// Up to `limit` diagnostics to show: what makes a file unusable first (``fileProblems``: an
    /// empty fx.csv had come after a hundred rows without a rate, past the list's end), then the
    /// other errors, then warnings, each in file and line order (in plain file order, a hundred
    /// warnings had hidden the error that stopped a run).
    public func listed(limit: Int) -> [Diagnostic] {
        let causes = fileProblems.prefix(limit)
        let errors = diagnostics.lazy.filter { $0.severity == .error && !causes.contains($0) }.prefix(max(0, limit - causes.count))
        let warnings = diagnostics.lazy.filter { $0.severity != .error }.prefix(max(0, limit - causes.count - errors.count))
        return Array(causes) + Array(errors) + Array(warnings)
    }

    /// Errors found (all counted, kept or not).
    public let errorCount: Int
    /// Warnings found.
    public let warningCount: Int
    /// Rows read, accepted, rejected; amounts per currency.
    public let reconciliation: Reconciliation
    /// Files that could not be read row by row: unreadable, or with a header in error (a
    /// required or declared column missing, a duplicate column, not CSV). Their rows cannot be
    /// left out one by one, so `--quarantine` does not run without them.
    public var unusableFiles: [String] = []
    /// What makes each of ``unusableFiles`` unusable.
    public var fileProblems: [Diagnostic] = []
    /// Each file read, as it was opened: a run's fingerprints must be of these very files.
    public var stamps: [String: FileStamp] = [:]

    /// True when nothing was rejected and no file-level error occurred.
    public var isClean: Bool { errorCount == 0 }
}

/// How far a load has read `transactions.csv`: bytes of its rows scanned, of all of them. The
/// loading threads add to it every few megabytes; another thread may read it at any time.
public final class LoadProgress: Sendable {
    private let scannedBytes = Atomic<Int>(0)
    private let totalBytes = Atomic<Int>(0)

    public init() {}

    /// Bytes of the file's rows scanned so far.
    public var scanned: Int { scannedBytes.load(ordering: .relaxed) }
    /// Bytes of the file's rows (0 until the file is opened).
    public var total: Int { totalBytes.load(ordering: .relaxed) }

    func start(total: Int) { totalBytes.store(total, ordering: .relaxed) }
    func add(_ bytes: Int) {
        guard bytes > 0 else { return }
        scannedBytes.wrappingAdd(bytes, ordering: .relaxed)
    }
}
