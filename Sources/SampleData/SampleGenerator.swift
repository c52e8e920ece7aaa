import CompCore
import Dispatch
import Foundation
import Synchronization

/// Writes a realistic, deterministic sample data set in the `FORMATS.md` input formats:
/// `roster.csv`, `quotas.csv`, `fx.csv` and `transactions.csv`.
///
/// The shape follows the shared reference data: VPs (`V001`…, plan `MGR-OVR`), managers
/// (`M00001`…, `MGR-OVR`) under them, AE reps (`R000001`…, plan `AE-STD`) under the managers,
/// each with one open-ended roster row starting before the year; monthly quotas for every AE,
/// and team quotas for every manager and VP (the shared data has none: its managers are left out);
/// monthly rates for EUR, GBP and JPY; and a year of transactions with about 1% reversals.
///
/// Everything random comes from the seed through a private xoshiro256** generator, and the
/// transactions are generated in fixed chunks of 65,536 rows with a generator per chunk, so the
/// same options give byte-identical files whatever `threads` is. No binary floating point touches
/// an amount: amounts are drawn as integer minor units and written digit by digit.
public enum SampleGenerator {
    /// Transaction rows per generation chunk. Part of the output's definition: chunk `k` covers rows
    /// `k × chunkSize + 1 …` and draws from its own generator, and a reversal always cancels a row
    /// of its own chunk.
    public static let chunkSize = 65_536

    /// File names, in the order they are written.
    public static let fileNames = ["roster.csv", "quotas.csv", "fx.csv", "transactions.csv"]

    /// Headers, exactly as written (without the line feed).
    public static let headers: [String: String] = [
        "transactions.csv": "id,date,rep,amount,currency,product,kind,quantity,region,reverses",
        "roster.csv": "rep,name,manager,plan,start,end,currency,target_incentive,segment,region",
        "quotas.csv": "rep,period,amount",
        "fx.csv": "currency,period,rate",
    ]

    /// Generates the data set for `options` into `directory` (created with its parents when
    /// missing; existing files of the same names are replaced).
    ///
    /// - Throws: ``SampleDataError/invalidOptions(_:)`` for out-of-range options,
    ///   ``SampleDataError/cannotCreateDirectory(path:reason:)`` and
    ///   ``SampleDataError/cannotWrite(path:reason:)`` naming the path that failed.
    @discardableResult
    public static func write(_ options: SampleOptions, to directory: String) throws(SampleDataError) -> SampleSummary {
        try validate(options)
        try createDirectory(directory)
        let blueprint = Blueprint(options)
        let base = directory.hasSuffix("/") ? directory : directory + "/"

        var files: [SampleSummary.File] = []
        files.append(try writeRoster(blueprint, path: base + "roster.csv"))
        files.append(try writeQuotas(blueprint, path: base + "quotas.csv"))
        files.append(try writeRates(blueprint, path: base + "fx.csv"))
        let (transactions, reversals, byCurrency) = try writeTransactions(blueprint, path: base + "transactions.csv")
        files.append(transactions)

        var currencyRows: [String: Int] = [:]
        for (index, currency) in Catalog.currencies.enumerated() where byCurrency[index] > 0 {
            currencyRows[currency.code] = byCurrency[index]
        }
        return SampleSummary(
            directory: directory, files: files, reps: blueprint.reps, managers: blueprint.managers,
            vps: blueprint.vps, transactions: options.transactions, reversals: reversals,
            transactionsByCurrency: currencyRows)
    }

    // MARK: Checks

    static func validate(_ options: SampleOptions) throws(SampleDataError) {
        guard (1...100_000_000).contains(options.reps) else {
            throw .invalidOptions("reps must be 1...100,000,000, not \(options.reps)")
        }
        guard (0...1_000_000_000_000).contains(options.transactions) else {
            throw .invalidOptions("transactions must be 0...1,000,000,000,000, not \(options.transactions)")
        }
        guard (3...9998).contains(options.year) else {
            throw .invalidOptions("year must be 3...9998, not \(options.year)")
        }
        guard options.threads >= 1 else { throw .invalidOptions("threads must be at least 1, not \(options.threads)") }
    }

    static func createDirectory(_ path: String) throws(SampleDataError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .cannotCreateDirectory(path: path, reason: "a file is in the way") }
            return
        }
        // Each missing directory on the way, with mkdir, so that the failure names the part of the
        // path and the system's reason (Foundation said "NSCocoaErrorDomain error 512").
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += (prefix.isEmpty || prefix.hasSuffix("/") ? "" : "/") + component
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: prefix, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else { throw .cannotCreateDirectory(path: path, reason: "\(prefix) is a file, not a directory") }
                continue
            }
            if mkdir(prefix, 0o777) != 0 && errno != EEXIST {
                throw .cannotCreateDirectory(path: path, reason: String(cString: strerror(errno)))
            }
        }
    }

    // MARK: roster.csv

    static func writeRoster(_ blueprint: Blueprint, path: String) throws(SampleDataError) -> SampleSummary.File {
        let file = try OutputFile(path: path)
        try header("roster.csv", file)
        var random = Xoshiro256(seed: blueprint.options.seed, stream: .roster, index: 1)
        let year = blueprint.options.year
        let maxBytes = 512

        func person(
            _ writer: inout ByteWriter, prefix: UInt8, number: Int, width: Int, name: [UInt8],
            manager: (prefix: UInt8, number: Int, width: Int)?, plan: String, startOffset: Int,
            incentiveThousands: Int, segment: Int, region: Int?
        ) {
            writer.byte(prefix)
            writer.padded(number, width: width)
            writer.byte(UInt8(ascii: ","))
            writer.csvField(name)
            writer.byte(UInt8(ascii: ","))
            if let manager {
                writer.byte(manager.prefix)
                writer.padded(manager.number, width: manager.width)
            }
            writer.byte(UInt8(ascii: ","))
            writer.bytes(Array(plan.utf8))
            writer.byte(UInt8(ascii: ","))
            // Starts on the first of a month in the two years before the data year; open-ended.
            writer.date(year: year - 2 + startOffset / 12, month: startOffset % 12 + 1, day: 1)
            writer.bytes(Array(",,USD,".utf8))
            writer.padded(incentiveThousands, width: 1)
            writer.bytes(Array("000.00,".utf8))
            writer.bytes(Array(Catalog.segments[segment].utf8))
            writer.byte(UInt8(ascii: ","))
            if let region { writer.bytes(Array(Catalog.regions[region].utf8)) }
            writer.byte(0x0A)
        }

        for vp in 0..<blueprint.vps {
            let name = randomName(&random)
            let start = random.below(24)
            let incentive = random.int(in: Catalog.vpIncentiveThousands)
            let segment = random.below(3)
            try file.record(maxBytes: maxBytes) { writer in
                person(
                    &writer, prefix: UInt8(ascii: "V"), number: vp + 1, width: blueprint.vpIDWidth, name: name,
                    manager: nil, plan: "MGR-OVR", startOffset: start, incentiveThousands: incentive,
                    segment: segment, region: nil)
            }
        }
        for manager in 0..<blueprint.managers {
            let name = randomName(&random)
            let start = random.below(24)
            let incentive = random.int(in: Catalog.managerIncentiveThousands)
            let segment = random.below(3)
            let vp = manager * blueprint.vps / blueprint.managers
            try file.record(maxBytes: maxBytes) { writer in
                person(
                    &writer, prefix: UInt8(ascii: "M"), number: manager + 1, width: blueprint.managerIDWidth,
                    name: name, manager: (UInt8(ascii: "V"), vp + 1, blueprint.vpIDWidth), plan: "MGR-OVR",
                    startOffset: start, incentiveThousands: incentive, segment: segment, region: nil)
            }
        }
        for rep in 0..<blueprint.reps {
            let name = randomName(&random)
            let start = random.below(24)
            let segment = Int(blueprint.repSegment[rep])
            let incentive = random.int(in: Catalog.segmentIncentiveThousands[segment])
            let manager = rep * blueprint.managers / blueprint.reps
            try file.record(maxBytes: maxBytes) { writer in
                person(
                    &writer, prefix: UInt8(ascii: "R"), number: rep + 1, width: blueprint.repIDWidth, name: name,
                    manager: (UInt8(ascii: "M"), manager + 1, blueprint.managerIDWidth), plan: "AE-STD",
                    startOffset: start, incentiveThousands: incentive, segment: segment,
                    region: Int(blueprint.repRegion[rep]))
            }
        }
        try file.close()
        return SampleSummary.File(
            name: "roster.csv", path: path, rows: blueprint.vps + blueprint.managers + blueprint.reps,
            bytes: file.bytesWritten)
    }

    /// "First Last"; one in five "Last, First" (which needs CSV quoting); one in two hundred with a
    /// quoted nickname, `Nils "Kit" Rossi` (which needs `""` escaping).
    static func randomName(_ random: inout Xoshiro256) -> [UInt8] {
        let first = Catalog.firstNames[random.below(Catalog.firstNames.count)]
        let last = Catalog.lastNames[random.below(Catalog.lastNames.count)]
        let style = random.below(1000)
        if style < 200 { return Array("\(last), \(first)".utf8) }
        if style < 205 {
            let nickname = Catalog.nicknames[random.below(Catalog.nicknames.count)]
            return Array("\(first) \"\(nickname)\" \(last)".utf8)
        }
        return Array("\(first) \(last)".utf8)
    }

    // MARK: quotas.csv

    static func writeQuotas(_ blueprint: Blueprint, path: String) throws(SampleDataError) -> SampleSummary.File {
        let file = try OutputFile(path: path)
        try header("quotas.csv", file)
        let expected = (0..<Catalog.segments.count).map { Blueprint.expectedCreditMicroCents(segment: $0) }
        let year = blueprint.options.year
        /// Twelve monthly rows for one person.
        func write(prefix: UInt8, number: Int, width: Int, _ quotas: [Int64]) throws(SampleDataError) {
            try file.record(maxBytes: 12 * (width + 40)) { writer in
                for (month, amount) in quotas.enumerated() {
                    writer.byte(prefix)
                    writer.padded(number, width: width)
                    writer.byte(UInt8(ascii: ","))
                    writer.month(year: year, month: month + 1)
                    writer.byte(UInt8(ascii: ","))
                    writer.integer(amount)
                    writer.byte(0x0A)
                }
            }
        }
        // The AE quotas of each manager's team, month by month, for the team quotas below.
        var teams = [[Int64]](repeating: [Int64](repeating: 0, count: 12), count: blueprint.managers)
        for rep in 0..<blueprint.reps {
            let quotas = blueprint.quotaDollars(rep: rep, expected: expected)
            let manager = rep * blueprint.managers / blueprint.reps
            for month in 0..<12 { teams[manager][month] += quotas[month] }
            try write(prefix: UInt8(ascii: "R"), number: rep + 1, width: blueprint.repIDWidth, quotas)
        }
        // Managers and VPs (plan MGR-OVR) get a quota for the plan's first measure, the team's
        // new and upsell bookings at every level below (`Plans/examples/manager-override.plan`).
        var divisions = [[Int64]](repeating: [Int64](repeating: 0, count: 12), count: blueprint.vps)
        for manager in 0..<blueprint.managers {
            let vp = manager * blueprint.vps / blueprint.managers
            for month in 0..<12 { divisions[vp][month] += teams[manager][month] }
            try write(
                prefix: UInt8(ascii: "M"), number: manager + 1, width: blueprint.managerIDWidth, teams[manager].map(Blueprint.teamQuotaDollars))
        }
        for vp in 0..<blueprint.vps {
            try write(prefix: UInt8(ascii: "V"), number: vp + 1, width: blueprint.vpIDWidth, divisions[vp].map(Blueprint.teamQuotaDollars))
        }
        try file.close()
        return SampleSummary.File(
            name: "quotas.csv", path: path, rows: 12 * (blueprint.reps + blueprint.managers + blueprint.vps), bytes: file.bytesWritten)
    }

    // MARK: fx.csv

    /// Monthly rates (USD per unit, 6 fraction digits) for every non-USD transaction currency:
    /// a random walk around the long-run rate, pulled back towards it.
    static func writeRates(_ blueprint: Blueprint, path: String) throws(SampleDataError) -> SampleSummary.File {
        let file = try OutputFile(path: path)
        try header("fx.csv", file)
        var random = Xoshiro256(seed: blueprint.options.seed, stream: .fx)
        var rows = 0
        for (index, currency) in Catalog.currencies.enumerated() where index > 0 {
            let base = Catalog.baseRateMicros[index]
            var rate = base * Int64(1000 + random.int(in: -20...20)) / 1000
            for month in 1...12 {
                if month > 1 { rate += rate * Int64(random.int(in: -15...15)) / 1000 + (base - rate) / 5 }
                rate = max(1, rate)
                let code = Array(currency.code.utf8)
                let value = rate
                try file.record(maxBytes: 64) { writer in
                    writer.bytes(code)
                    writer.byte(UInt8(ascii: ","))
                    writer.month(year: blueprint.options.year, month: month)
                    writer.byte(UInt8(ascii: ","))
                    writer.minorUnits(value, fractionDigits: 6)
                    writer.byte(0x0A)
                }
                rows += 1
            }
        }
        try file.close()
        return SampleSummary.File(name: "fx.csv", path: path, rows: rows, bytes: file.bytesWritten)
    }

    // MARK: transactions.csv

    /// The most worker threads that generate transactions at once.
    static let maxWorkers = 8

    /// Writes the transactions in batches of chunks: while up to `threads` workers generate one
    /// batch (each claiming the next chunk of the batch), one more writes the previous batch in
    /// order. With `threads == 1`, chunks are generated and written one after the other. At most
    /// ``maxWorkers`` generate: past that the disk is the limit, and each worker holds two batches
    /// of chunk buffers (about 5 MB each).
    static func writeTransactions(
        _ blueprint: Blueprint, path: String
    ) throws(SampleDataError) -> (SampleSummary.File, reversals: Int, byCurrency: [Int]) {
        let file = try OutputFile(path: path)
        try header("transactions.csv", file)
        let workers = min(blueprint.options.threads, maxWorkers, max(1, blueprint.chunkCount))
        let batch = workers == 1 ? 1 : 2 * workers
        let pipeline = ChunkPipeline(batch: batch, sets: workers == 1 ? 1 : 2, lanes: workers, chunkBytes: blueprint.maxChunkBytes)
        var reversals = 0
        var byCurrency = [Int](repeating: 0, count: Catalog.currencies.count)
        func account(_ stats: ChunkStats) {
            reversals += stats.reversals
            for index in byCurrency.indices { byCurrency[index] += stats.currencyRows[index] }
        }

        if workers == 1 {
            for chunk in 0..<blueprint.chunkCount {
                pipeline.generate(blueprint, chunk: chunk, set: 0, slot: 0, lane: 0)
                try pipeline.write(set: 0, count: 1, to: file)
                account(pipeline.stats(set: 0, slot: 0))
            }
        } else {
            let output = UncheckedSendable(file)
            var pending: (set: Int, count: Int)? = nil
            var next = 0
            var set = 0
            while next < blueprint.chunkCount || pending != nil {
                let first = next
                let count = min(batch, blueprint.chunkCount - next)
                let generating = set
                let writing = pending
                let lanes = min(workers, count)
                let writerLanes = writing == nil ? 0 : 1
                let claimed = ChunkCounter()
                DispatchQueue.concurrentPerform(iterations: writerLanes + lanes) { lane in
                    if let writing, lane == 0 {
                        pipeline.writeRecordingError(set: writing.set, count: writing.count, to: output.value)
                        return
                    }
                    while true {
                        let slot = claimed.next()
                        guard slot < count else { break }
                        pipeline.generate(blueprint, chunk: first + slot, set: generating, slot: slot, lane: lane - writerLanes)
                    }
                }
                try pipeline.rethrowWriteError()
                if let writing {
                    for slot in 0..<writing.count { account(pipeline.stats(set: writing.set, slot: slot)) }
                }
                pending = count > 0 ? (generating, count) : nil
                next += count
                set ^= 1
            }
        }
        try file.close()
        let summary = SampleSummary.File(
            name: "transactions.csv", path: path, rows: blueprint.options.transactions, bytes: file.bytesWritten)
        return (summary, reversals, byCurrency)
    }

    static func header(_ name: String, _ file: OutputFile) throws(SampleDataError) {
        let line = Array(((headers[name] ?? "") + "\n").utf8)
        try file.record(maxBytes: line.count) { writer in writer.bytes(line) }
    }
}

/// Output buffers for `sets × batch` chunks and scratch memory for each worker lane, allocated
/// once and reused for the whole file.
///
/// Concurrent access is partitioned by construction: during one `concurrentPerform`, each slot of
/// the generating set is claimed by exactly one worker, each lane's scratch is used by one worker,
/// and the writer only reads the other set. `concurrentPerform` returning orders everything
/// written inside it before what follows, hence `@unchecked Sendable`.
private final class ChunkPipeline: @unchecked Sendable {
    private let batch: Int
    private let sets: Int
    private let buffers: [UnsafeMutablePointer<UInt8>]
    private let results: UnsafeMutablePointer<ChunkStats>
    private let scratch: [ChunkScratch]
    private var writeError: SampleDataError?

    init(batch: Int, sets: Int, lanes: Int, chunkBytes: Int) {
        self.batch = batch
        self.sets = sets
        buffers = (0..<batch * sets).map { _ in UnsafeMutablePointer<UInt8>.allocate(capacity: chunkBytes) }
        results = .allocate(capacity: batch * sets)
        results.initialize(repeating: ChunkStats(), count: batch * sets)
        scratch = (0..<lanes).map { _ in ChunkScratch() }
    }

    deinit {
        for buffer in buffers { buffer.deallocate() }
        results.deinitialize(count: batch * sets)
        results.deallocate()
    }

    func generate(_ blueprint: Blueprint, chunk: Int, set: Int, slot: Int, lane: Int) {
        let index = set * batch + slot
        results[index] = blueprint.transactionChunk(chunk, into: buffers[index], scratch: scratch[lane])
    }

    func stats(set: Int, slot: Int) -> ChunkStats { results[set * batch + slot] }

    /// Writes the first `count` chunks of `set`, in order.
    func write(set: Int, count: Int, to file: OutputFile) throws(SampleDataError) {
        for slot in 0..<count {
            let index = set * batch + slot
            try file.write(UnsafeRawPointer(buffers[index]), count: results[index].bytes)
        }
    }

    func writeRecordingError(set: Int, count: Int, to file: OutputFile) {
        do throws(SampleDataError) {
            try write(set: set, count: count, to: file)
        } catch {
            writeError = error
        }
    }

    func rethrowWriteError() throws(SampleDataError) {
        if let writeError { throw writeError }
    }
}

/// Hands out 0, 1, 2, … to concurrent callers.
private final class ChunkCounter: Sendable {
    private let value = Atomic<Int>(0)

    func next() -> Int { value.wrappingAdd(1, ordering: .relaxed).oldValue }
}

/// A value handed to another thread while its owner waits (`concurrentPerform` blocks the caller),
/// so it is never used by two threads at once.
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
