import CompCShims
import CompCore
import CompDiagnostics

#if canImport(Glibc)
    @preconcurrency import Glibc
#endif

/// Field roles in `transactions.csv`.
private enum Role: UInt8 {
    case id, date, rep, amount, currency, quantity, reverses, attribute
    /// A column no plan of the run reads (``LedgerLoadOptions/transactionAttributes``): checked
    /// as an attribute is (valid UTF-8), not stored.
    case skipped
}

/// Everything a parse worker needs, shared read-only (the column storages are written in
/// disjoint row ranges, one range per chunk).
private struct ScanContext: Sendable {
    let file: MappedFile
    let roles: [Role]
    let attributeSlot: [Int]
    let attributeCount: Int
    let fields: Int
    let idField: Int
    let reversesField: Int
    let currencyField: Int
    /// The `quantity` column, -1 when the file has none.
    let quantityField: Int
    let reps: ByteStringTable
    /// The roster's reps, to say which one a rep not found reads as.
    let lookalikes: LookalikeIDs
    let fx: FXAvailability
    let isoTable: [UInt8]
    let limits: CSVLimits
    let maxIDBytes: Int
    let names: [String]
    let baseCode: String
    let columns: Columns
    /// Row errors a chunk keeps (the first ones; the rest are counted): a file of millions of bad
    /// rows kept a message for each, gigabytes, though only the first few are ever shown.
    let keptErrors: Int
    /// Per attribute slot, the plans' declarations of the column (checked once per distinct value).
    let declared: [[DeclaredColumn]]
    /// The fiscal calendar, and the absolute months of the first and last day whose fiscal year
    /// is named with four digits (0…9999): a date past them (9999-11-05 with a February start
    /// is in fiscal 10000) made periods no quota, export or `comp explain` could name.
    let calendar: FiscalCalendar
    let monthFloor: Int
    let monthCeiling: Int
    /// ``LedgerLoadOptions/plainRows``.
    let plainRows: Bool
    /// ``LedgerLoadOptions/progress``.
    let progress: LoadProgress?
}

/// The column storages being filled.
///
/// String columns start narrow (`UInt16` codes, 0xFFFF marking a code kept in the chunk's wide
/// list) and become wide (`UInt32`) after the merge only when a column has 65,535 or more
/// distinct values. Invariant behind `@unchecked Sendable`: `wide` changes only between the
/// parallel phases; during a phase each worker writes only its own rows.
private final class Columns: @unchecked Sendable {
    let idEnds: ColumnStorage<UInt32>
    let dates: ColumnStorage<CivilDate>
    let reps: ColumnStorage<RepIndex>
    let amounts: ColumnStorage<Int64>
    let currencies: ColumnStorage<UInt8>
    let quantities: ColumnStorage<Int32>
    let attributes: [ColumnStorage<UInt16>]
    var wide: [ColumnStorage<UInt32>?]

    init(capacity: Int, attributes: Int) {
        idEnds = ColumnStorage(capacity: capacity)
        dates = ColumnStorage(capacity: capacity)
        reps = ColumnStorage(capacity: capacity)
        amounts = ColumnStorage(capacity: capacity)
        currencies = ColumnStorage(capacity: capacity)
        quantities = ColumnStorage(capacity: capacity)
        self.attributes = (0..<attributes).map { _ in ColumnStorage(capacity: capacity) }
        self.wide = [ColumnStorage<UInt32>?](repeating: nil, count: attributes)
    }

    /// Moves `count` rows from `from` to `to` in every column (regions may overlap).
    func move(from: Int, to: Int, count: Int) {
        guard from != to && count > 0 else { return }
        func shift<T>(_ storage: ColumnStorage<T>) {
            memmove(storage.pointer + to, storage.pointer + from, count * MemoryLayout<T>.stride)
        }
        shift(idEnds)
        shift(dates)
        shift(reps)
        shift(amounts)
        shift(currencies)
        shift(quantities)
        for (slot, column) in attributes.enumerated() {
            if let wide = wide[slot] { shift(wide) } else { shift(column) }
        }
    }

    /// Maps `rows` of every column at once, before a worker writes them
    /// (``ColumnStorage/populate(rows:)``).
    func populate(rows: Range<Int>) {
        idEnds.populate(rows: rows)
        dates.populate(rows: rows)
        reps.populate(rows: rows)
        amounts.populate(rows: rows)
        currencies.populate(rows: rows)
        quantities.populate(rows: rows)
        for column in attributes { column.populate(rows: rows) }
    }

    func setCount(_ count: Int) {
        idEnds.count = count
        dates.count = count
        reps.count = count
        amounts.count = count
        currencies.count = count
        quantities.count = count
        for column in attributes { column.count = count }
        for column in wide { column?.count = count }
    }
}

/// A reversal reference found by a worker: local row and the target id's bytes in a side arena.
private struct ReversalRef: Sendable {
    let localRow: Int
    let line: Int
    let start: Int
    let count: Int
}

/// Per-currency running totals (count and exact sum in millionths).
struct CurrencyAccumulator: Sendable {
    var acceptedRows: [Int]
    var acceptedSum: [Int128]
    var rejectedRows: [Int]
    var rejectedSum: [Int128]
    var rejectedWithoutCurrency = 0

    init() {
        let count = ISOCurrencies.list.count
        acceptedRows = [Int](repeating: 0, count: count)
        acceptedSum = [Int128](repeating: 0, count: count)
        rejectedRows = [Int](repeating: 0, count: count)
        rejectedSum = [Int128](repeating: 0, count: count)
    }

    mutating func merge(_ other: CurrencyAccumulator) {
        for index in acceptedRows.indices {
            acceptedRows[index] += other.acceptedRows[index]
            acceptedSum[index] += other.acceptedSum[index]
            rejectedRows[index] += other.rejectedRows[index]
            rejectedSum[index] += other.rejectedSum[index]
        }
        rejectedWithoutCurrency += other.rejectedWithoutCurrency
    }

    var totals: [CurrencyTotal] {
        ISOCurrencies.list.indices.compactMap { index in
            guard acceptedRows[index] > 0 || rejectedRows[index] > 0 else { return nil }
            return CurrencyTotal(
                currency: ISOCurrencies.list[index], acceptedRows: acceptedRows[index],
                acceptedAmount: WideDecimal(value: acceptedSum[index], scale: 6), rejectedRows: rejectedRows[index],
                rejectedAmount: WideDecimal(value: rejectedSum[index], scale: 6))
        }
    }
}

/// Keeps the first `count` of `errors` by line and field, errors before warnings (a hundred
/// warnings kept had left out the error that refuses the data), and counts the rest by severity
/// into `dropped`. What is kept stays in line order.
private func keepFirst(_ count: Int, of errors: inout [RowError], dropped: inout (errors: Int, warnings: Int)) {
    guard errors.count > count else { return }
    // Errors before warnings, and an error another row caused (``RowError/followOn``) after the
    // rest: the cause is what to keep.
    let rank = { (error: RowError) in error.severity != .error ? 2 : error.followOn ? 1 : 0 }
    let precedes = { (a: RowError, b: RowError) in (rank(a), a.line, a.field) < (rank(b), b.line, b.field) }
    errors.sort(by: precedes)
    for error in errors[count...] {
        if error.severity == .error { dropped.errors += 1 } else { dropped.warnings += 1 }
    }
    errors.removeLast(errors.count - count)
    errors.sort { ($0.line, $0.field) < ($1.line, $1.field) }
}

/// What one chunk worker produced.
private struct ChunkResult: Sendable {
    /// Keeps the first `count` errors and counts the rest.
    mutating func keepErrors(_ count: Int) { keepFirst(count, of: &errors, dropped: &dropped) }

    var start: Int
    var rowBase: Int
    var rowCount = 0
    /// True when the chunk held more records than the newline count made room for: the file
    /// changed between the two passes (the scan stopped there rather than write past its rows).
    var overran = false
    var endPosition: Int
    var endLine: Int
    var rowsRead = 0
    var rejected = 0
    var errors: [RowError] = []
    /// Errors and warnings past the ones kept, counted only.
    var dropped = (errors: 0, warnings: 0)
    var attributeTables: [ByteStringTable]
    /// Per string column: local rows whose local code did not fit 16 bits, and the code.
    var wideCodes: [[(row: Int, code: UInt32)]]
    var idArena = Column<UInt8>([])
    var monotonic = true
    var reversals: [ReversalRef] = []
    /// Local rows where `line - localRow` changes, and the new difference.
    var lineBreakRows: [Int] = []
    var lineBreakDeltas: [Int] = []
    var reversalArena: [UInt8] = []
    var totals = CurrencyAccumulator()
    /// The ids of rows rejected for another field (their id is well formed), end offsets into
    /// `rejectedIDArena`, and lines: a later row with the same id is still a duplicate.
    var rejectedIDArena: [UInt8] = []
    var rejectedIDEnds: [Int] = []
    var rejectedIDLines: [Int] = []
    /// What rows rejected for another field reverse (end offsets into `rejectedReversalArena`,
    /// and lines): a target that is nowhere in the ledger is said at once, with the other error.
    var rejectedReversalArena: [UInt8] = []
    var rejectedReversalEnds: [Int] = []
    var rejectedReversalLines: [Int] = []
    /// Rows rejected for their shape (a quoting problem, a wrong number of fields): their ids are
    /// not known, so a reversal of one cannot be told from one of an id that is nowhere.
    var shapeRejected = 0

    init(start: Int, rowBase: Int, line: Int, attributes: Int) {
        self.start = start
        self.rowBase = rowBase
        self.endPosition = start
        self.endLine = line
        self.attributeTables = (0..<attributes).map { _ in ByteStringTable(expected: 64) }
        self.wideCodes = [[(row: Int, code: UInt32)]](repeating: [], count: attributes)
    }
}

/// The result of loading `transactions.csv`.
struct TransactionsOutcome: Sendable {
    let timings: [PhaseTiming]
    let table: TransactionTable
    let index: TransactionIDIndex
    let errors: [RowError]
    /// Errors and warnings found beyond those kept (``LedgerLoadOptions/storedDiagnosticLimit``).
    let droppedErrors: Int
    let droppedWarnings: Int
    let rowsRead: Int
    let rejected: Int
    let totals: CurrencyAccumulator
    /// True when a chunk held more records than counted: the file changed while it was read.
    var overran = false
    /// The ids of rejected rows (where they could be read), for telling a split row of a rejected
    /// transaction from one naming an id found nowhere.
    var rejectedIDs = RejectedIDs()
}

/// Hashes of the ids of rejected transactions, kept up to a bound: past it (or where a row was
/// rejected for its shape, its id unread) any id may be one of them (``mayHold(_:)`` is true).
struct RejectedIDs: Sendable {
    private var hashes = Set<UInt64>()
    /// Whether every rejected row's id is in ``hashes``.
    var complete = true
    static let maximum = 2_000_000

    mutating func insert(_ start: UnsafePointer<UInt8>, _ count: Int) {
        guard complete else { return }
        if hashes.count >= Self.maximum {
            complete = false
            hashes = []
            return
        }
        hashes.insert(Self.hash(start, count))
    }

    /// True when `id` is, or may be, a rejected transaction's (a hash can collide: then a split row
    /// naming an unknown id is only listed after the causes, still listed).
    func mayHold(_ id: String) -> Bool {
        guard complete else { return true }
        var id = id
        return id.withUTF8 { buffer in buffer.baseAddress.map { hashes.contains(Self.hash($0, buffer.count)) } ?? false }
    }

    /// FNV-1a, 64 bits.
    static func hash(_ start: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for index in 0..<count { value = (value ^ UInt64(start[index])) &* 0x0000_0100_0000_01B3 }
        return value
    }
}

/// Finds a row by transaction id: binary search when ids are strictly increasing (the usual
/// ledger), a hash table otherwise.
struct TransactionIDIndex: Sendable {
    let ids: TransactionIDs
    let count: Int
    let sorted: Bool
    let slots: [Int32]

    init(ids: TransactionIDs, count: Int, sorted: Bool) {
        self.ids = ids
        self.count = count
        self.sorted = sorted
        if sorted {
            slots = []
        } else {
            var size = 16
            while size < count * 2 { size <<= 1 }
            var slots = [Int32](repeating: -1, count: size)
            let mask = size - 1
            for row in 0..<count {
                // A repeated id is not entered again: ``find(_:_:)`` gives the first row, and every
                // repeat had probed past all the earlier ones (100,000 rows of one id took seconds).
                let slot: Int? = ids.withBytes(row) { start, length in
                    var slot = Int(truncatingIfNeeded: hashBytes(start, length, seed: processHashSeed)) & mask
                    while slots[slot] >= 0 {
                        if ids.withBytes(Int(slots[slot]), { $1 == length && memcmpBytes($0, start, length) }) { return nil }
                        slot = (slot + 1) & mask
                    }
                    return slot
                }
                if let slot { slots[slot] = Int32(row) }
            }
            self.slots = slots
        }
    }

    /// The first row with this id, or -1.
    func find(_ start: UnsafePointer<UInt8>, _ length: Int) -> Int32 {
        if sorted {
            // Binary search straight over the id bytes: pick the arena, then the row.
            let ends = ids.ends.storage.pointer
            let starts = ids.arenaRowStarts
            var arena = 0
            var low = 1
            var high = starts.count - 1
            while low <= high {
                let mid = (low + high) / 2
                let firstEnd = Int(ends[starts[mid]])
                if compareBytes(ids.arenas[mid].storage.pointer, firstEnd, start, length) <= 0 {
                    arena = mid
                    low = mid + 1
                } else {
                    high = mid - 1
                }
            }
            guard arena < starts.count else { return -1 }
            let bytes = ids.arenas[arena].storage.pointer
            let first = starts[arena]
            var lowRow = first
            var highRow = (arena + 1 < starts.count ? starts[arena + 1] : count) - 1
            while lowRow <= highRow {
                let mid = (lowRow + highRow) / 2
                let idStart = mid == first ? 0 : Int(ends[mid - 1])
                let order = compareBytes(bytes + idStart, Int(ends[mid]) - idStart, start, length)
                if order == 0 { return Int32(mid) }
                if order < 0 { lowRow = mid + 1 } else { highRow = mid - 1 }
            }
            return -1
        }
        guard !slots.isEmpty else { return -1 }
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hashBytes(start, length, seed: processHashSeed)) & mask
        while slots[slot] >= 0 {
            let row = Int(slots[slot])
            if ids.withBytes(row, { $1 == length && memcmpBytes($0, start, length) }) { return Int32(row) }
            slot = (slot + 1) & mask
        }
        return -1
    }

    /// The row with the id `text`, or -1.
    func find(_ text: String) -> Int32 {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return -1 }
            return find(UnsafePointer(base), buffer.count)
        }
    }
}

/// Loads `transactions.csv` in parallel: split at newlines into chunks, scan every chunk on its own
/// thread into preallocated columns, then stitch (re-scanning a chunk whose cut fell inside a quoted
/// field), merge the string tables, and check ids and reversals across the whole file.
func loadTransactions(
    file: MappedFile, display: String, header: CSVHeader, reps: ByteStringTable, lookalikes: LookalikeIDs = LookalikeIDs([], caseFolds: CaseFoldIndex()),
    fx: FXAvailability, options: LedgerLoadOptions
) -> TransactionsOutcome {
    // Roles by field.
    var roles: [Role] = []
    var attributeSlot: [Int] = []
    var attributeNames: [String] = []
    for name in header.names {
        let role: Role
        switch name {
        case "id": role = .id
        case "date": role = .date
        case "rep": role = .rep
        case "amount": role = .amount
        case "currency": role = .currency
        case "quantity": role = .quantity
        case "reverses": role = .reverses
        default:
            // A declared column is kept whatever the caller asks: its values are checked as its type.
            let kept = options.transactionAttributes.map { names in
                names.contains(name) || options.declaredColumns.contains { $0.file == .transactions && $0.name == name }
            } ?? true
            role = kept ? .attribute : .skipped
        }
        roles.append(role)
        if role == .attribute {
            attributeSlot.append(attributeNames.count)
            attributeNames.append(name)
        } else {
            attributeSlot.append(-1)
        }
    }
    let base = file.base
    let size = file.count

    // Chunk boundaries, cut just after a newline.
    let bodyStart = header.bodyStart
    let bodyBytes = size - bodyStart
    let chunkCount = max(1, min(max(options.threads, (bodyBytes + options.chunkBytes - 1) / options.chunkBytes), max(1, bodyBytes / 4096)))
    var cuts = [bodyStart]
    if let base {
        for k in 1..<chunkCount {
            var cut = bodyStart + bodyBytes / chunkCount * k
            cut = max(cut, cuts[cuts.count - 1])
            if let found = memchr(base + cut, Int32(UInt8(ascii: "\n")), size - cut) {
                cut = UnsafePointer<UInt8>(found.assumingMemoryBound(to: UInt8.self)) - base + 1
            } else {
                cut = size
            }
            if cut > cuts[cuts.count - 1] && cut < size { cuts.append(cut) }
        }
    }
    cuts.append(size)
    let chunks = cuts.count - 1
    let chunkCuts = cuts

    // Pass 1: newlines per chunk bound the rows per chunk and give each chunk's first line.
    var timer = PhaseTimer()
    let newlineCounts: [Int] = parallelMap(chunks, threads: options.threads) { k in
        file.countNewlines(from: chunkCuts[k], to: chunkCuts[k + 1])
    }
    var rowBases = [Int](repeating: 0, count: chunks + 1)
    var firstLines = [Int](repeating: header.bodyLine, count: chunks + 1)
    for k in 0..<chunks {
        // Every chunk but the last ends just after a newline, so its records number at most its
        // newlines; the last may end without one.
        rowBases[k + 1] = rowBases[k] + newlineCounts[k] + (k == chunks - 1 ? 1 : 0)
        firstLines[k + 1] = firstLines[k] + newlineCounts[k]
    }
    let capacity = rowBases[chunks]
    let bases = rowBases
    let lines = firstLines
    let columns = Columns(capacity: capacity, attributes: attributeNames.count)
    let context = ScanContext(
        file: file, roles: roles, attributeSlot: attributeSlot, attributeCount: attributeNames.count,
        fields: header.names.count, idField: roles.firstIndex(of: .id) ?? 0,
        reversesField: roles.firstIndex(of: .reverses) ?? -1, currencyField: roles.firstIndex(of: .currency) ?? 0,
        quantityField: roles.firstIndex(of: .quantity) ?? -1, reps: reps, lookalikes: lookalikes, fx: fx, isoTable: ISOCurrencies.table, limits: options.limits, maxIDBytes: options.maxIDBytes,
        names: header.names, baseCode: options.baseCurrency.code, columns: columns,
        // Bounded: the limit is added to and doubled (`--max-errors 9223372036854775807` overflowed).
        keptErrors: max(1, min(options.storedDiagnosticLimit, 1 << 30)),
        declared: attributeNames.map { name in options.declaredColumns.filter { $0.file == .transactions && $0.name == name } },
        calendar: options.fiscalCalendar, monthFloor: options.fiscalCalendar.yearStart(ofLabelYear: 0),
        monthCeiling: options.fiscalCalendar.yearStart(ofLabelYear: 10_000) - 1, plainRows: options.plainRows,
        progress: options.progress)
    options.progress?.start(total: bodyBytes)
    timer.mark("transactions: count lines")
    // Pass 2: scan.
    var results: [ChunkResult] = parallelMap(chunks, threads: options.threads) { k in
        scanChunk(context, start: chunkCuts[k], end: chunkCuts[k + 1], line: lines[k], rowBase: bases[k], rowEnd: bases[k + 1])
    }
    // Stitch: a chunk must start where the previous one's last record ended.
    for k in 1..<max(1, chunks) {
        let expected = results[k - 1].endPosition
        if results[k].start != expected {
            if expected >= cuts[k + 1] {
                var empty = ChunkResult(start: expected, rowBase: rowBases[k], line: results[k - 1].endLine, attributes: attributeNames.count)
                empty.endPosition = expected
                results[k] = empty
            } else {
                results[k] = scanChunk(
                    context, start: expected, end: cuts[k + 1], line: results[k - 1].endLine, rowBase: rowBases[k], rowEnd: rowBases[k + 1])
            }
        }
    }

    timer.mark("transactions: scan and validate")
    // Merge string tables; remap each chunk's local codes to global ones.
    var globalTables = (0..<attributeNames.count).map { _ in ByteStringTable(expected: 256) }
    var remaps: [[[UInt32]]] = []
    for result in results {
        var chunkRemap: [[UInt32]] = []
        for (slot, local) in result.attributeTables.enumerated() {
            var remap = [UInt32](repeating: 0, count: local.count)
            for code in 0..<local.count {
                let bytes = Array(local.bytes(code))
                remap[code] = bytes.withUnsafeBufferPointer { buffer in
                    guard let start = buffer.baseAddress else {
                        var empty: UInt8 = 0
                        return withUnsafePointer(to: &empty) { globalTables[slot].intern($0, 0) }
                    }
                    return globalTables[slot].intern(start, buffer.count)
                }
            }
            chunkRemap.append(remap)
        }
        remaps.append(chunkRemap)
    }
    let finalRemaps = remaps
    let chunkSpans = results.map { ($0.rowBase, $0.rowCount) }
    let wideCodes = results.map(\.wideCodes)
    for slot in 0..<attributeNames.count where globalTables[slot].count > Int(UInt16.max) {
        columns.wide[slot] = ColumnStorage<UInt32>(capacity: capacity)
    }
    let wideColumns = columns.wide
    _ = parallelMap(chunks, threads: options.threads) { k in
        let (rowBase, rowCount) = chunkSpans[k]
        for (slot, column) in columns.attributes.enumerated() {
            let remap = finalRemaps[k][slot]
            remap.withUnsafeBufferPointer { remap in
                if let wide = wideColumns[slot] {
                    for row in rowBase..<(rowBase + rowCount) where column.pointer[row] != UInt16.max {
                        wide.pointer[row] = remap[Int(column.pointer[row])]
                    }
                    for entry in wideCodes[k][slot] { wide.pointer[rowBase + entry.row] = remap[Int(entry.code)] }
                } else {
                    for row in rowBase..<(rowBase + rowCount) where column.pointer[row] != UInt16.max {
                        column.pointer[row] = UInt16(truncatingIfNeeded: remap[Int(column.pointer[row])])
                    }
                    for entry in wideCodes[k][slot] {
                        column.pointer[rowBase + entry.row] = UInt16(truncatingIfNeeded: remap[Int(entry.code)])
                    }
                }
            }
        }
        return 0
    }

    timer.mark("transactions: merge string tables")
    // Compact the chunks into one contiguous run of rows (a no-op when no chunk left a hole).
    var arenas: [Column<UInt8>] = []
    var arenaRowStarts: [Int] = []
    var breakRows: [Int] = []
    var breakDeltas: [Int] = []
    var next = 0
    var sorted = true
    var lastIDChunk = -1
    for k in 0..<chunks where results[k].rowCount > 0 {
        columns.move(from: results[k].rowBase, to: next, count: results[k].rowCount)
        results[k].rowBase = next
        arenas.append(results[k].idArena)
        arenaRowStarts.append(next)
        for (row, delta) in zip(results[k].lineBreakRows, results[k].lineBreakDeltas) {
            // line = localRow + delta = globalRow - next + delta
            if breakDeltas.last != delta - next {
                breakRows.append(next + row)
                breakDeltas.append(delta - next)
            }
        }
        if !results[k].monotonic { sorted = false }
        if lastIDChunk >= 0 && sorted {
            // The last id of the previous chunk must be below the first id of this one.
            let previous = results[lastIDChunk]
            let lastEnd = Int(columns.idEnds.pointer[next - 1])
            let lastStart = previous.rowCount > 1 ? Int(columns.idEnds.pointer[next - 2]) : 0
            let firstEnd = Int(columns.idEnds.pointer[next])
            let order = compareBytes(
                previous.idArena.storage.pointer + lastStart, lastEnd - lastStart, results[k].idArena.storage.pointer, firstEnd)
            if order >= 0 { sorted = false }
        }
        lastIDChunk = k
        next += results[k].rowCount
    }
    var count = next
    columns.setCount(count)
    var ids = TransactionIDs(arenas: arenas, arenaRowStarts: arenaRowStarts, ends: Column(columns.idEnds))
    var lineMap = LineMap(rows: breakRows, deltas: breakDeltas)

    var errors: [RowError] = []
    var dropped = (errors: 0, warnings: 0)
    var totals = CurrencyAccumulator()
    var rowsRead = 0
    var rejected = 0
    for result in results {
        errors.append(contentsOf: result.errors)
        dropped.errors += result.dropped.errors
        dropped.warnings += result.dropped.warnings
        totals.merge(result.totals)
        rowsRead += result.rowsRead
        rejected += result.rejected
    }

    timer.mark("transactions: compact")
    // Across rows: duplicate ids, then reversals.
    var reject = [Bool]()
    var postErrors: [RowError] = []
    /// Keeps an error found across rows. They are found in no particular line order (duplicates,
    /// then reversals, then chains), so the first ones by line are kept: past twice the number
    /// kept, the list is sorted and cut back, and the rest only counted.
    func addPostError(_ error: RowError) {
        postErrors.append(error)
        if postErrors.count >= 2 * context.keptErrors + 16 { keepFirstPostErrors() }
    }
    func keepFirstPostErrors() { keepFirst(context.keptErrors, of: &postErrors, dropped: &dropped) }
    func markRejected(_ row: Int) {
        if reject.isEmpty { reject = [Bool](repeating: false, count: count) }
        reject[row] = true
    }
    /// The row whose id holds byte `offset` of its arena (rows `rowStart..<rowEnd`): the first
    /// with its end past it.
    func rowHolding(_ offset: Int, _ rowStart: Int, _ rowEnd: Int) -> Int {
        var low = rowStart
        var high = rowEnd - 1
        while low < high {
            let middle = (low + high) / 2
            if Int(columns.idEnds.pointer[middle]) > offset { high = middle } else { low = middle + 1 }
        }
        return low
    }
    /// Calls `body` with each id arena's bytes and the rows whose ids it holds.
    func forEachArena(_ body: (UnsafePointer<UInt8>, UnsafeBufferPointer<UInt8>, Int, Int) -> Void) {
        for (number, arena) in ids.arenas.enumerated() {
            let rowStart = ids.arenaRowStarts[number]
            let rowEnd = number + 1 < ids.arenaRowStarts.count ? ids.arenaRowStarts[number + 1] : count
            arena.withUnsafeBufferPointer { bytes in
                guard let base = bytes.baseAddress else { return }
                body(base, bytes, rowStart, rowEnd)
            }
        }
    }
    // Ids are printable: a NUL in one was cut short by SQLite and could not be named on the
    // command line. Found in the id arenas at memory speed, not per row in the scan.
    forEachArena { base, bytes, rowStart, rowEnd in
        var offset = 0
        while offset < bytes.count {
            let found = comp_find_control(base + offset, bytes.count - offset)
            if found < 0 { break }
            let position = offset + found
            // A byte that may start a multi-byte control (a C1 control, a bidirectional
            // override) or an invisible character (a zero-width space): decoded to see
            // whether it does.
            var message = DataMessage.controlCharacter("id")
            if base[position] >= 0x80 {
                var iterator = UnsafeBufferPointer(rebasing: bytes[position..<min(bytes.count, position + 4)]).makeIterator()
                var decoder = UTF8()
                guard case .scalarValue(let scalar) = decoder.decode(&iterator),
                    TerminalText.isControl(scalar) || TerminalText.isInvisible(scalar)
                else {
                    offset = position + 1
                    continue
                }
                message = DataMessage.unprintable("id", scalar)
            }
            let low = rowHolding(position, rowStart, rowEnd)
            markRejected(low)
            addPostError(RowError(line: lineMap.line(of: low), field: context.idField + 1, message))
            offset = Int(columns.idEnds.pointer[low])
        }
    }
    var index = TransactionIDIndex(ids: ids, count: count, sorted: sorted)
    // Ids that read the same but are written with other characters (a composed é and an e with a
    // combining accent, a K and a Kelvin sign) are two transactions: a deal entered twice so is
    // paid twice. Of two such ids one is not in composed form (NFC); ids outside ASCII are found
    // in the arenas a word at a time, those certainly composed passed over in place, and only the
    // rest (rare) normalized and looked up, in the index and among themselves.
    var uncomposed: [String: (line: Int, bytes: [UInt8])] = [:]
    forEachArena { base, bytes, rowStart, rowEnd in
        var offset = 0
        while offset < bytes.count {
            // The next byte with its high bit set.
            while offset + 8 <= bytes.count
                && UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0
            {
                offset += 8
            }
            while offset < bytes.count && base[offset] < 0x80 { offset += 1 }
            guard offset < bytes.count else { break }
            let low = rowHolding(offset, rowStart, rowEnd)
            let idStart = low == rowStart ? 0 : Int(columns.idEnds.pointer[low - 1])
            offset = Int(columns.idEnds.pointer[low])
            if !reject.isEmpty && reject[low] { continue }
            if isCertainlyComposed(base + idStart, offset - idStart) { continue }
            let spelled = Array(UnsafeBufferPointer(start: base + idStart, count: offset - idStart))
            let text = String(decoding: spelled, as: UTF8.self)
            let line = lineMap.line(of: low)
            // Its composed spelling, written so elsewhere in the ledger.
            let composed = composedBytes(text)
            if composed != spelled {
                let twin = composed.withUnsafeBufferPointer { buffer in buffer.baseAddress.map { index.find($0, buffer.count) } ?? -1 }
                if twin >= 0 && Int(twin) != low && (reject.isEmpty || !reject[Int(twin)]) {
                    let twinLine = lineMap.line(of: Int(twin))
                    let (later, first) = twinLine < line ? (line, twinLine) : (twinLine, line)
                    let laterText = twinLine < line ? text : String(decoding: composed, as: UTF8.self)
                    addPostError(RowError(line: later, field: context.idField + 1, DataMessage.lookalikeID(laterText, firstLine: first), severity: .warning))
                    continue
                }
            }
            // Or another uncomposed spelling.
            if let first = uncomposed[text] {
                if first.bytes != spelled {
                    addPostError(RowError(line: line, field: context.idField + 1, DataMessage.lookalikeID(text, firstLine: first.line), severity: .warning))
                }
            } else {
                uncomposed[text] = (line, spelled)
            }
        }
    }
    // The first line of each id among the rows rejected for another field: a duplicate names the
    // id's first line in the file, rejected or not (a third T1 had named the second, when the
    // first was rejected for its amount).
    // (Interned by their bytes: a dictionary keyed by arrays had made an array of every id, a
    // quarter of `validate`'s time over two million rejected rows.)
    var rejectedTable = ByteStringTable(expected: results.reduce(0) { $0 + $1.rejectedIDLines.count })
    var rejectedFirstLines: [Int] = []
    for result in results {
        result.rejectedIDArena.withUnsafeBufferPointer { arena in
            guard let base = arena.baseAddress else { return }
            var start = 0
            for (end, line) in zip(result.rejectedIDEnds, result.rejectedIDLines) {
                // Codes are given in first-seen order, and chunks come in file order.
                if Int(rejectedTable.intern(base + start, end - start)) == rejectedFirstLines.count { rejectedFirstLines.append(line) }
                start = end
            }
        }
    }
    let rejectedIDTable = rejectedTable
    let rejectedLines = rejectedFirstLines
    /// The first line of a rejected row with the id `count` bytes at `start` hold, if any.
    func rejectedFirstLine(_ start: UnsafePointer<UInt8>, _ count: Int) -> Int? {
        guard !rejectedLines.isEmpty else { return nil }
        let code = rejectedIDTable.find(start, count)
        return code >= 0 ? rejectedLines[Int(code)] : nil
    }
    func rejectedFirstLine(_ bytes: ArraySlice<UInt8>) -> Int? {
        bytes.withUnsafeBufferPointer { buffer in buffer.baseAddress.flatMap { rejectedFirstLine($0, buffer.count) } }
    }
    if !sorted {
        // The index holds every row, inserted in file order, so a lookup finds the earliest row
        // with an id; any other row with that id is a later duplicate.
        for row in 0..<count {
            let first = Int(ids.withBytes(row) { index.find($0, $1) })
            if first >= 0 && first != row {
                markRejected(row)
                var firstLine = lineMap.line(of: first)
                if !rejectedLines.isEmpty, let rejected = ids.withBytes(row, { rejectedFirstLine($0, $1) }) {
                    firstLine = min(firstLine, rejected)
                }
                addPostError(
                    RowError(
                        line: lineMap.line(of: row), field: context.idField + 1, DataMessage.duplicateID(ids[row], firstLine: firstLine)))
            }
        }
    }
    // Rows rejected for their shape (a quoting problem, a wrong number of fields) have no id read.
    let anyShapeRejected = results.contains { $0.shapeRejected > 0 }
    // The ids of the rejected rows, for splits.csv (``RejectedIDs``): those rejected in the scan
    // here, those rejected across rows below.
    var rejectedIDs = RejectedIDs()
    rejectedIDs.complete = !anyShapeRejected
    // Rows rejected for another field still hold their id: a row with the same id, before or
    // after, is a duplicate, said now rather than once the first is corrected.
    for result in results {
        var start = 0
        for (end, line) in zip(result.rejectedIDEnds, result.rejectedIDLines) {
            let bytes = result.rejectedIDArena[start..<end]
            start = end
            bytes.withUnsafeBufferPointer { buffer in if let base = buffer.baseAddress { rejectedIDs.insert(base, buffer.count) } }
            // Made only for a message (most rejected rows' ids are no one's duplicate).
            var text: String { String(decoding: bytes, as: UTF8.self) }
            let accepted = bytes.withUnsafeBufferPointer { buffer in buffer.baseAddress.map { index.find($0, buffer.count) } ?? -1 }
            let acceptedLine = accepted >= 0 ? lineMap.line(of: Int(accepted)) : Int.max
            // A later one names the id's first line, accepted or rejected.
            if let earlier = rejectedFirstLine(bytes), earlier < line {
                addPostError(RowError(line: line, field: context.idField + 1, DataMessage.duplicateID(text, firstLine: min(earlier, acceptedLine))))
                continue
            }
            guard accepted >= 0 else { continue }
            if acceptedLine < line {
                addPostError(RowError(line: line, field: context.idField + 1, DataMessage.duplicateID(text, firstLine: acceptedLine)))
            } else if reject.isEmpty || !reject[Int(accepted)] {
                markRejected(Int(accepted))
                addPostError(RowError(line: acceptedLine, field: context.idField + 1, DataMessage.duplicateID(text, firstLine: line)))
            }
        }
    }
    // A rejected row's reversal of an id the ledger does not hold at all is a second error of
    // the row, said now rather than once the first is corrected (one of a rejected row is not:
    // that row's own error says what to correct). Not said where a row was rejected for its
    // shape: its id is not known, and may be the one reversed.
    for result in results where !anyShapeRejected {
        var start = 0
        for (end, line) in zip(result.rejectedReversalEnds, result.rejectedReversalLines) {
            let bytes = result.rejectedReversalArena[start..<end]
            start = end
            let found = bytes.withUnsafeBufferPointer { buffer in buffer.baseAddress.map { index.find($0, buffer.count) } ?? -1 }
            guard found < 0, rejectedFirstLine(bytes) == nil else { continue }
            let malformed = bytes.withUnsafeBufferPointer { DataMessage.malformedID("reverses", $0) }
            addPostError(
                RowError(
                    line: line, field: context.reversesField + 1,
                    malformed ?? DataMessage.unknownReversal(String(decoding: bytes, as: UTF8.self))))
        }
    }
    // Reversals: resolve each target id to its row. The lookups (most of the time here) are made
    // for every chunk's reversals in parallel, then read in order.
    let scanned = results
    let lookup = index
    let anyReversal = scanned.contains { !$0.reversals.isEmpty }
    let foundTargets: [[Int32]] = parallelMap(anyReversal ? scanned.count : 0, threads: options.threads) { k in
        scanned[k].reversalArena.withUnsafeBufferPointer { arena -> [Int32] in
            scanned[k].reversals.map { reference in
                guard let start = arena.baseAddress else { return -1 }
                return lookup.find(start + reference.start, reference.count)
            }
        }
    }
    var pairs: [(row: Int, target: Int, line: Int)] = []
    for (k, result) in results.enumerated() {
        for (position, reference) in result.reversals.enumerated() {
            let row = result.rowBase + reference.localRow
            if !reject.isEmpty && reject[row] { continue }
            let target = foundTargets[k][position]
            var text: String {
                String(decoding: result.reversalArena[reference.start..<(reference.start + reference.count)], as: UTF8.self)
            }
            if target < 0 || (!reject.isEmpty && reject[Int(target)]) {
                markRejected(row)
                let bytes = result.reversalArena[reference.start..<(reference.start + reference.count)]
                let malformed = bytes.withUnsafeBufferPointer { DataMessage.malformedID("reverses", $0) }
                // The reversal of a row rejected for its own error follows from that error.
                let followOn = target >= 0 || rejectedFirstLine(bytes) != nil
                addPostError(
                    RowError(
                        line: reference.line, field: context.reversesField + 1, malformed ?? DataMessage.unknownReversal(text),
                        followOn: malformed == nil && followOn))
            } else if Int(target) == row {
                markRejected(row)
                addPostError(RowError(line: reference.line, field: context.reversesField + 1, DataMessage.reversalOfItself(text)))
            } else {
                pairs.append((row, Int(target), reference.line))
            }
        }
    }
    // Reversals that lead back to themselves (T1 reverses T2, T2 reverses T1) are rejected: each
    // row reverses at most one other, so the rows on a cycle are found by following targets once.
    // Most ledgers reverse only deals, never reversals: then there is no chain to follow.
    var reversesAReversal = false
    if pairs.count > 1 {
        let isReversal = ReversalBits(rows: count, marking: pairs.lazy.map(\.row))
        reversesAReversal = pairs.contains { isReversal.contains($0.target) }
    }
    if reversesAReversal {
        var targetOf: [Int: Int] = [:]
        for (position, pair) in pairs.enumerated() { targetOf[pair.row] = position }
        var state: [Int: UInt8] = [:]  // 1: on the current path, 2: done
        for start in pairs.indices where state[pairs[start].row] == nil {
            var path: [Int] = []
            var position: Int? = start
            while let current = position, state[pairs[current].row] == nil {
                state[pairs[current].row] = 1
                path.append(current)
                position = targetOf[pairs[current].target]
            }
            if let current = position, state[pairs[current].row] == 1, let first = path.firstIndex(of: current) {
                let cycle = path[first...]
                for member in cycle {
                    markRejected(pairs[member].row)
                    addPostError(
                        RowError(
                            line: pairs[member].line, field: context.reversesField + 1,
                            DataMessage.reversalCycle(ids[pairs[member].target], length: cycle.count)))
                }
            }
            for member in path { state[pairs[member].row] = 2 }
        }
    }
    // A reversal of a rejected reversal is rejected too, and so on down a chain: followed from the
    // rejected rows through the reversals of each (a pass over every pair until nothing changed
    // was quadratic in a chain's length).
    if !reject.isEmpty && !pairs.isEmpty {
        var reversalsOf: [Int: [Int]] = [:]
        for (position, pair) in pairs.enumerated() { reversalsOf[pair.target, default: []].append(position) }
        var pending = (0..<count).filter { reject[$0] && reversalsOf[$0] != nil }
        while let target = pending.popLast() {
            for position in reversalsOf[target] ?? [] where !reject[pairs[position].row] {
                let pair = pairs[position]
                reject[pair.row] = true
                addPostError(
                    RowError(line: pair.line, field: context.reversesField + 1, DataMessage.unknownReversal(ids[pair.target]), followOn: true))
                pending.append(pair.row)
            }
        }
        pairs.removeAll { reject[$0.row] }
    }

    // Reversals that look wrong but follow the format (a reversal is an ordinary row): warnings.
    // One dated before its deal, and reversals of a deal adding up to more than the deal.
    if !pairs.isEmpty {
        var reversedTotal: [Int: Int128] = [:]
        // Room for every deal at once: growing it rehashed it again and again.
        reversedTotal.reserveCapacity(pairs.count)
        for pair in pairs where reject.isEmpty || !reject[pair.row] {
            let dealDate = columns.dates.pointer[pair.target]
            let dealRep = columns.reps.pointer[pair.target]
            if columns.reps.pointer[pair.row] != dealRep {
                // Which rep is charged depends on the plan's clawback policy: worth a look either way.
                addPostError(
                    RowError(
                        line: pair.line, field: context.reversesField + 1,
                        DataMessage.reversalByOtherRep(ids[pair.target], dealRep: context.reps.string(Int(dealRep))),
                        severity: .warning))
            }
            if columns.dates.pointer[pair.row] < dealDate {
                addPostError(
                    RowError(
                        line: pair.line, field: context.reversesField + 1,
                        DataMessage.reversalBeforeDeal(ids[pair.target], dealDate: dealDate.description), severity: .warning))
            }
            let reversalAmount = columns.amounts.pointer[pair.row]
            let dealAmount = columns.amounts.pointer[pair.target]
            // A quantity with its deal's sign: a per-unit SPIFF pays the units again instead of
            // taking them back.
            let reversalQuantity = columns.quantities.pointer[pair.row]
            let dealQuantity = columns.quantities.pointer[pair.target]
            if context.quantityField >= 0 && hasSameSign(reversalQuantity, dealQuantity) {
                addPostError(
                    RowError(
                        line: pair.line, field: context.quantityField + 1,
                        DataMessage.reversalQuantityWithDealsSign(ids[pair.target], reversalQuantity, deal: dealQuantity), severity: .warning))
            }
            guard columns.currencies.pointer[pair.row] == columns.currencies.pointer[pair.target] else {
                // Valued at its own currency and month: it does not take back what the deal paid.
                addPostError(
                    RowError(
                        line: pair.line, field: context.currencyField + 1,
                        DataMessage.reversalInOtherCurrency(
                            ids[pair.target], ISOCurrencies.list[Int(columns.currencies.pointer[pair.row])].code,
                            deal: ISOCurrencies.list[Int(columns.currencies.pointer[pair.target])].code),
                        severity: .warning))
                continue
            }
            if hasSameSign(reversalAmount, dealAmount) {
                // Same sign as its deal: it adds to the deal instead of taking it back.
                addPostError(
                    RowError(
                        line: pair.line, field: context.reversesField + 1,
                        DataMessage.reversalWithDealsSign(
                            ids[pair.target], FixedDecimal(units: reversalAmount).description, deal: FixedDecimal(units: dealAmount).description),
                        severity: .warning))
            }
            let total = reversedTotal[pair.target, default: 0] + Int128(reversalAmount)
            reversedTotal[pair.target] = total
            let deal = Int128(dealAmount)
            // Past the deal's size, in the other direction (each reversal warns once it is past).
            if (deal >= 0 && total < -deal) || (deal < 0 && total > -deal) {
                let code = ISOCurrencies.list[Int(columns.currencies.pointer[pair.row])].code
                addPostError(
                    RowError(
                        line: pair.line, field: context.reversesField + 1,
                        DataMessage.overReversed(
                            ids[pair.target], total: "\(exactUnits(total)) \(code)", deal: "\(FixedDecimal(units: dealAmount)) \(code)"),
                        severity: .warning))
            }
        }
    }

    // Drop rows rejected across rows: move the totals, compact the columns, renumber reversals.
    if !reject.isEmpty {
        var newIndex = [Int32](repeating: -1, count: count)
        var kept = 0
        var newArena = ByteArena(capacity: 64)
        var newBreakRows: [Int] = []
        var newBreakDeltas: [Int] = []
        // The loop rewrites `idEnds` in place, so read ids through a copy of the old offsets.
        let oldIDs = TransactionIDs(
            arenas: ids.arenas, arenaRowStarts: ids.arenaRowStarts,
            ends: Column(Array(UnsafeBufferPointer(start: columns.idEnds.pointer, count: count))))
        for row in 0..<count {
            let currency = Int(columns.currencies.pointer[row])
            if reject[row] {
                rejected += 1
                totals.acceptedRows[currency] -= 1
                totals.acceptedSum[currency] -= Int128(columns.amounts.pointer[row])
                totals.rejectedRows[currency] += 1
                totals.rejectedSum[currency] += Int128(columns.amounts.pointer[row])
                oldIDs.withBytes(row) { rejectedIDs.insert($0, $1) }
                continue
            }
            oldIDs.withBytes(row) { start, length in newArena.append(start, length) }
            newIndex[row] = Int32(kept)
            let delta = lineMap.line(of: row) - kept
            if newBreakDeltas.last != delta {
                newBreakRows.append(kept)
                newBreakDeltas.append(delta)
            }
            columns.move(from: row, to: kept, count: 1)
            columns.idEnds.pointer[kept] = UInt32(newArena.count)
            kept += 1
        }
        pairs = pairs.map { ($0.row == -1 ? -1 : Int(newIndex[$0.row]), Int(newIndex[$0.target]), $0.line) }
        count = kept
        columns.setCount(count)
        ids = TransactionIDs(arenas: [newArena.finish()], arenaRowStarts: [0], ends: Column(columns.idEnds))
        lineMap = LineMap(rows: newBreakRows, deltas: newBreakDeltas)
        index = TransactionIDIndex(ids: ids, count: count, sorted: sorted)
    }

    timer.mark("transactions: ids and reversals")
    keepFirstPostErrors()
    errors.append(contentsOf: postErrors)
    errors.sort { ($0.line, $0.field) < ($1.line, $1.field) }

    let table = TransactionTable(
        count: count, ids: ids, lineMap: lineMap, dates: Column(columns.dates), reps: Column(columns.reps),
        amounts: Column(columns.amounts), currencyCodes: Column(columns.currencies), currencies: ISOCurrencies.list,
        quantities: Column(columns.quantities),
        reversals: ReversalList(rows: pairs.map { Int32($0.row) }, targets: pairs.map { Int32($0.target) }),
        attributes: attributeNames.enumerated().map { slot, name in
            StringColumn(
                name: name, values: (0..<globalTables[slot].count).map { globalTables[slot].string($0) },
                codes: columns.wide[slot].map { .wide(Column($0)) } ?? .narrow(Column(columns.attributes[slot])))
        })
    return TransactionsOutcome(
        timings: timer.timings, table: table, index: index, errors: errors, droppedErrors: dropped.errors,
        droppedWarnings: dropped.warnings, rowsRead: rowsRead, rejected: rejected, totals: totals,
        overran: results.contains { $0.overran }, rejectedIDs: rejectedIDs)
}

/// One entry of the scan's per-column key cache (code + 1; 0 = empty).
/// A chunk's values of declared columns that their declaration cannot read, by attribute slot
/// and code. Used by one scan at a time.
private final class DeclaredProblems {
    private let declared: [[DeclaredColumn]]
    private var byCode: [[UInt32: (DiagnosticID, String)]]
    /// Whether any value was found bad (checked per row before anything else).
    private(set) var any = false

    init(declared: [[DeclaredColumn]]) {
        self.declared = declared
        byCode = declared.map { _ in [:] }
    }

    /// Whether attribute `slot` is declared by a plan.
    func checks(_ slot: Int) -> Bool { !declared[slot].isEmpty }

    /// Judges a new value of attribute `slot` (valid UTF-8).
    func judge(slot: Int, code: UInt32, _ pointer: UnsafePointer<UInt8>, _ length: Int) {
        let text = String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
        if let problem = declared[slot].lazy.compactMap({ $0.problem(with: text) }).first {
            byCode[slot][code] = problem
            any = true
        }
    }

    func problem(slot: Int, code: UInt32) -> (DiagnosticID, String)? { byCode[slot][code] }
}

/// An entry of the scan's direct-mapped cache of short string values (64 entries per string
/// column): the value's key and its code + 1 (0: empty).
private struct CachedKey {
    var w0: UInt64 = 0
    var w1: UInt64 = 0
    var length: UInt32 = 0
    var code: UInt32 = 0

    /// The cache entry of `key` in string column `slot`.
    @inline(__always)
    static func position(of key: KeyWords, slot: Int) -> Int {
        let mix = (key.w0 ^ (key.w1 &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(key.length)) &* 0xBF58_476D_1CE4_E5B9
        return slot &* 64 &+ Int(truncatingIfNeeded: mix &>> 58)
    }

    /// The code this entry holds for `key` of `length` bytes, if it holds one (only values of up
    /// to 16 bytes are cached: a longer key's words are a hash).
    @inline(__always)
    func code(of key: KeyWords, length: Int) -> UInt32? {
        length <= 16 && code != 0 && w0 == key.w0 && w1 == key.w1 && self.length == key.length ? code &- 1 : nil
    }

    /// Makes this entry hold `code` for `key` of `length` bytes, when the value is short enough to
    /// be cached (``code(of:length:)``).
    @inline(__always)
    mutating func remember(_ key: KeyWords, length: Int, code: UInt32) {
        if length <= 16 { self = CachedKey(w0: key.w0, w1: key.w1, length: key.length, code: code &+ 1) }
    }
}

/// The scan's date field read as both loops read it: the last date parsed again when the ten
/// bytes repeat (sorted ledgers repeat a date many times), else parsed; `nil` when it is not a
/// date, `outside` true when it is one in a fiscal year past 9999 (or before 0).
private struct DateCache {
    var word: UInt64 = 0
    var tail: UInt16 = 0
    var days: Int32 = 0
    var month = 0
    var valid = false

    @inline(__always)
    mutating func read(_ pointer: UnsafePointer<UInt8>, _ length: Int, readable: Int, floor: Int, ceiling: Int) -> (days: Int32, month: Int, outside: Bool)? {
        if length == 10 && readable >= 16 {
            let raw = UnsafeRawPointer(pointer)
            let word = raw.loadUnaligned(as: UInt64.self)
            let tail = raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
            if valid && word == self.word && tail == self.tail { return (days, month, false) }
            guard let parsed = parseDateFields(pointer, length) else { return nil }
            guard parsed.month >= floor && parsed.month <= ceiling else { return (parsed.days, parsed.month, true) }
            (self.word, self.tail, days, month, valid) = (word, tail, parsed.days, parsed.month, true)
            return (parsed.days, parsed.month, false)
        }
        guard let parsed = parseDateFields(pointer, length) else { return nil }
        return (parsed.days, parsed.month, !(parsed.month >= floor && parsed.month <= ceiling))
    }
}

/// A growable byte buffer for id arenas. Its storage is reserved, not touched, until written, so
/// a generous first capacity costs no memory.
private struct ByteArena {
    var storage: ColumnStorage<UInt8>
    var count = 0

    init(capacity: Int) { storage = ColumnStorage(capacity: max(64, capacity)) }

    @inline(__always)
    mutating func append(_ start: UnsafePointer<UInt8>, _ length: Int) {
        if count &+ length > storage.capacity {
            let grown = ColumnStorage<UInt8>(capacity: max(storage.capacity * 2, count + length))
            grown.pointer.update(from: storage.pointer, count: count)
            storage = grown
        }
        (storage.pointer + count).update(from: start, count: length)
        count &+= length
    }

    /// ``append(_:_:)`` for bytes with at least 16 readable from `start` (in the read buffer): an
    /// id of up to 16 bytes is copied as two words, not through a `memmove` call per row. The
    /// bytes stored past the id are slack, overwritten by the next one and never read.
    @inline(__always)
    mutating func append(_ start: UnsafePointer<UInt8>, _ length: Int, readable: Int) {
        guard length <= 16 && readable >= 16 && count &+ 16 <= storage.capacity else { return append(start, length) }
        let source = UnsafeRawPointer(start)
        let target = UnsafeMutableRawPointer(storage.pointer + count)
        target.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
        target.storeBytes(of: source.loadUnaligned(fromByteOffset: 8, as: UInt64.self), toByteOffset: 8, as: UInt64.self)
        count &+= length
    }

    /// Maps the pages of the next `bytes` bytes of room at once, before ids are written there
    /// (``populatePages(_:forWriting:)``).
    func populate(ahead bytes: Int) {
        let end = min(storage.capacity, count + bytes)
        guard end > count else { return }
        populatePages(UnsafeRawBufferPointer(start: storage.pointer + count, count: end - count))
    }

    /// The bytes as a column.
    func finish() -> Column<UInt8> {
        storage.count = count
        return Column(storage)
    }
}

/// Scans the records that start in `start..<end`, writing accepted rows from `rowBase` on, and
/// none at `rowEnd` or past it (the next chunk's: a file rewritten since its newlines were counted
/// can hold more records than counted).
private func scanChunk(_ context: ScanContext, start: Int, end: Int, line: Int, rowBase: Int, rowEnd: Int) -> ChunkResult {
    var result = ChunkResult(start: start, rowBase: rowBase, line: line, attributes: context.attributeCount)
    let file = context.file
    guard let mapped = file.base else { return result }
    // The file is read in place through its mapping (a record may run past `end`, to the file's
    // end); what is scanned is given back every few megabytes, so little of it stays resident.
    var tokenizer = CSVTokenizer(base: mapped, end: file.count, position: start, line: line, limits: context.limits)
    let releaseBytes = 4 << 20
    var released = start & ~(MappedFile.pageSize - 1)
    // Bytes of the chunk said to ``ScanContext/progress`` so far end here.
    var counted = start
    file.populate(start..<min(end, start + releaseBytes))
    context.columns.populate(rows: rowBase..<rowEnd)
    var row = rowBase
    var tables = result.attributeTables
    var invalidCodes = [Set<UInt32>](repeating: [], count: context.attributeCount)
    // Checked before `invalidCodes` is touched: reading an array of sets per row set up its
    // uniqueness every time (1.8 % of a 10M run).
    var anyInvalidCode = false
    // Values a plan's declaration of the column cannot read, by code, with what is wrong (a
    // class: arrays of dictionaries mutated in the loop had their uniqueness set up per row).
    let declaredProblems = DeclaredProblems(declared: context.declared)
    var idArena = ByteArena(capacity: (end - start) / 5)
    var previousIDStart = -1
    var monotonic = true
    let fieldCount = context.fields
    let namedFields = CSVHeader.namedCount(of: context.names)
    let roles = context.roles
    // Field indexes by role (-1 when the optional column is absent).
    let idField = roles.firstIndex(of: .id) ?? 0
    let dateField = roles.firstIndex(of: .date) ?? 0
    let repField = roles.firstIndex(of: .rep) ?? 0
    let amountField = roles.firstIndex(of: .amount) ?? 0
    let currencyField = roles.firstIndex(of: .currency) ?? 0
    let quantityField = roles.firstIndex(of: .quantity) ?? -1
    let reversesField = roles.firstIndex(of: .reverses) ?? -1
    let attributeFields = roles.indices.filter { roles[$0] == .attribute }
    let skippedFields = roles.indices.filter { roles[$0] == .skipped }
    let reps = context.reps
    let fx = context.fx
    let maxID = context.maxIDBytes
    // Output columns.
    let idEnds = context.columns.idEnds.pointer
    let dates = context.columns.dates.pointer
    let repColumn = context.columns.reps.pointer
    let amounts = context.columns.amounts.pointer
    let currencies = context.columns.currencies.pointer
    let quantities = context.columns.quantities.pointer
    var lineDelta = Int.min
    // True once the errors kept are as many as are kept, each a row's own (see below).
    var saturated = false
    let fieldCountMessages = FieldCountMessages()
    var pendingWide: [(slot: Int, code: UInt32)] = []
    // The attribute fields and their columns through pointers: walking the arrays per row
    // retained and released them each time.
    let attributeCount = attributeFields.count
    let attributeFieldList = UnsafeMutablePointer<Int>.allocate(capacity: max(1, attributeCount))
    let attributeColumns = UnsafeMutablePointer<UnsafeMutablePointer<UInt16>>.allocate(capacity: max(1, attributeCount))
    for slot in 0..<attributeCount {
        attributeFieldList.advanced(by: slot).initialize(to: attributeFields[slot])
        attributeColumns.advanced(by: slot).initialize(to: context.columns.attributes[slot].pointer)
    }
    let skippedCount = skippedFields.count
    let skippedFieldList = UnsafeMutablePointer<Int>.allocate(capacity: max(1, skippedCount))
    skippedFieldList.initialize(from: skippedFields, count: skippedCount)
    defer {
        attributeFieldList.deallocate()
        attributeColumns.deallocate()
        skippedFieldList.deallocate()
    }
    var totals = result.totals
    let seed = reps.seed
    let attributeCache = UnsafeMutablePointer<CachedKey>.allocate(capacity: max(1, context.attributeCount * 64))
    attributeCache.initialize(repeating: CachedKey(), count: max(1, context.attributeCount * 64))
    defer { attributeCache.deallocate() }
    let currencyCount = ISOCurrencies.list.count
    let acceptedRows = UnsafeMutablePointer<Int>.allocate(capacity: currencyCount)
    acceptedRows.initialize(repeating: 0, count: currencyCount)
    let acceptedSums = UnsafeMutablePointer<Int128>.allocate(capacity: currencyCount)
    acceptedSums.initialize(repeating: 0, count: currencyCount)
    defer {
        acceptedRows.deallocate()
        acceptedSums.deallocate()
    }
    // Sorted ledgers repeat a date many times: the last one parsed is remembered.
    var dateCache = DateCache()
    // A valid date in a fiscal year past 9999 (or before 0), said as such.
    var outsideYears = false
    let monthFloor = context.monthFloor
    let monthCeiling = context.monthCeiling
    // Rows of the common shape go through a loop of their own (``scanPlainRows``).
    let plainContext = PlainRowContext(
        fieldCount: fieldCount, idField: idField, dateField: dateField, repField: repField, amountField: amountField,
        currencyField: currencyField, quantityField: quantityField, reversesField: reversesField, attributeCount: attributeCount,
        attributeFields: attributeFieldList, attributeColumns: attributeColumns, attributeCache: attributeCache,
        skippedCount: skippedCount, skippedFields: skippedFieldList, maxID: maxID,
        monthFloor: monthFloor, monthCeiling: monthCeiling, seed: seed, idEnds: idEnds, dates: dates, reps: repColumn, amounts: amounts,
        currencies: currencies, quantities: quantities, acceptedRows: acceptedRows, acceptedSums: acceptedSums, end: end,
        rowBase: rowBase, rowEnd: rowEnd)
    // Calls in a row that took no record, and records the general loop reads before the next call
    // (a ledger whose every row is unusual, a reversal on each, is then read as before).
    var plainMisses = 0
    var plainPause = context.plainRows ? 0 : Int.max

    context.isoTable.withUnsafeBufferPointer { isoTable in
      blocks: do {
        while tokenizer.position < end {
            // Only the first errors are kept (see ``ScanContext/keptErrors``).
            // (Cut back every few thousand at least: cut every few dozen, a limit of 100 sorted the
            // kept errors again every 41 rows refused.)
            if result.errors.count > context.keptErrors + max(context.keptErrors / 4, 4096) {
                result.keepErrors(context.keptErrors)
                // Every error kept is one a row caused itself, from a line before this row's: no
                // later row's problem can be among the first (``keepFirst(_:of:dropped:)``), so a
                // row refused for its shape is only counted from here on. Building each message
                // had cost 1.3 µs a row: 5 million junk lines took `validate` 6.4 s.
                saturated = result.errors.count >= context.keptErrors && result.errors.allSatisfy { $0.severity == .error && !$0.followOn }
            }
            if tokenizer.position - released >= releaseBytes {
                if let progress = context.progress {
                    let reached = min(tokenizer.position, end)
                    progress.add(reached - counted)
                    counted = max(counted, reached)
                }
                file.release(upTo: tokenizer.position, from: released)
                released = tokenizer.position & ~(MappedFile.pageSize - 1)
                file.populate(tokenizer.position..<min(end, tokenizer.position + releaseBytes))
                // The ids of the next stretch, as many bytes as those so far took per byte read.
                idArena.populate(ahead: idArena.count * releaseBytes / max(1, tokenizer.position - start))
            }
            // The common rows, once a row has set the line offset; not once a value of a string
            // column is invalid or breaks a plan's declaration (every row holding it is then said).
            if plainPause > 0 {
                plainPause -= 1
            } else if lineDelta != Int.min && row < rowEnd && !anyInvalidCode && !declaredProblems.any {
                var state = PlainRowState(
                    row: row, dateCache: dateCache, previousIDStart: previousIDStart, monotonic: monotonic, lineDelta: lineDelta)
                scanPlainRows(
                    &tokenizer, &state, plainContext, releaseAt: released + releaseBytes, tables: &tables, idArena: &idArena, reps: reps,
                    fx: fx, isoTable: isoTable)
                (row, dateCache, previousIDStart, monotonic) = (state.row, state.dateCache, state.previousIDStart, state.monotonic)
                result.rowsRead += state.rowsRead
                if state.rowsRead == 0 {
                    plainMisses += 1
                    if plainMisses == 8 { (plainMisses, plainPause) = (0, 256) }
                } else {
                    plainMisses = 0
                }
                // The chunk's end, or the stretch to give back, before the next record.
                if tokenizer.position >= end || tokenizer.position - released >= releaseBytes { continue }
            }
            let status = tokenizer.next()
            if status == .end { break blocks }
            // Every record here may write row `row` (its attributes before it is accepted).
            if row >= rowEnd {
                result.overran = true
                break blocks
            }
            let recordLine = tokenizer.recordLine
            if case .problem(let problem) = status {
                result.rowsRead += 1
                result.rejected += 1
                result.shapeRejected += 1
                totals.rejectedWithoutCurrency += 1
                if saturated {
                    result.dropped.errors += 1
                } else {
                    result.errors.append(
                        RowError(
                            line: recordLine, field: problem.fieldNumber,
                            DataMessage.withLoneCarriageReturns(
                                DataMessage.csvSyntax(problem.message(limits: context.limits)), tokenizer.loneCarriageReturns)))
                }
                // Quotes that ran it over several lines: the lines after its first are rows.
                tokenizer.resumeAfterFirstLine()
                continue
            }
            if tokenizer.isBlankLine { continue }
            result.rowsRead += 1
            // Unnamed columns at the header's end that the row leaves out read as empty.
            if tokenizer.fieldCount < fieldCount && tokenizer.fieldCount >= namedFields { tokenizer.padFields(to: fieldCount) }
            // A row of empty fields as wide as the header (a spreadsheet's cleared row) is said as
            // a shorter row of commas is: one error for the row, not one per required column.
            let emptyRow = tokenizer.fieldCount == fieldCount && tokenizer.fieldLength(idField) == 0 && tokenizer.isEmptyRecord
            if tokenizer.fieldCount != fieldCount || emptyRow {
                result.rejected += 1
                result.shapeRejected += 1
                totals.rejectedWithoutCurrency += 1
                if saturated {
                    result.dropped.errors += 1
                } else if emptyRow {
                    result.errors.append(RowError(line: recordLine, field: 1, DataMessage.emptyRow()))
                } else {
                    result.errors.append(tokenizer.fieldCountError(line: recordLine, names: context.names, namedCount: namedFields, memo: fieldCountMessages))
                }
                tokenizer.resumeAfterFirstLine()
                continue
            }
            let firstError = result.errors.count
            // A byte order mark at the start of the row (files joined with `cat`): the row is
            // rejected, its other fields read as usual (its amount counts among the rejected).
            // (On the field's bytes, not through a function taking the tokenizer: passing it cost
            // the whole loop its registers, 0.3 CPU-s over 10M rows.)
            var markLength = 0
            if UTF8Bytes.startsWithByteOrderMark(tokenizer.fieldPointer(0), count: tokenizer.fieldLength(0)) {
                result.errors.append(RowError(line: recordLine, field: 1, DataMessage.byteOrderMarkInRow()))
                markLength = 3
            }
            // Whether quotes ran the record over several lines (rare: checked once).
            let spansLines = tokenizer.spansLines

            // id
            // The id without a byte order mark before it (a mark alone is an empty id).
            let idSkipped = idField == 0 ? markLength : 0
            let idStart = tokenizer.fieldPointer(idField) + idSkipped
            let idLength = tokenizer.fieldLength(idField) - idSkipped
            let idErrors = result.errors.count
            if idLength == 0 {
                result.errors.append(RowError(line: recordLine, field: idField + 1, DataMessage.missingValue("id")))
            } else if idLength > maxID {
                result.errors.append(RowError(line: recordLine, field: idField + 1, DataMessage.idTooLong("id", limit: maxID)))
            } else if !isValidUTF8(idStart, idLength, readable: max(0, tokenizer.fieldReadable(idField) - idSkipped)) {
                result.errors.append(RowError(line: recordLine, field: idField + 1, DataMessage.invalidUTF8("id")))
            } else if hasSpaceAround(idStart, idLength) {
                // Another id than the one without them ("T1 " beside "T1": a deal paid twice).
                let text = String(decoding: UnsafeBufferPointer(start: idStart, count: idLength), as: UTF8.self)
                result.errors.append(RowError(line: recordLine, field: idField + 1, DataMessage.spacesAroundID("id", shorten(text))))
            } else if spansLines && memchr(idStart, 0x0A, idLength) != nil {
                // An id over several lines is rejected here, not after the scan, so that the rows
                // its quote took are read (see below).
                result.errors.append(RowError(line: recordLine, field: idField + 1, DataMessage.controlCharacter("id")))
            }

            // date
            var days: Int32 = 0
            var month = 0
            var dateOK = false
            let dateLength = tokenizer.fieldLength(dateField)
            if let date = dateCache.read(
                tokenizer.fieldPointer(dateField), dateLength, readable: tokenizer.fieldReadable(dateField), floor: monthFloor, ceiling: monthCeiling)
            {
                (days, month, dateOK, outsideYears) = (date.days, date.month, !date.outside, date.outside)
            }
            if outsideYears {
                outsideYears = false
                let year = context.calendar.labelYear(ofYearStartingAt: context.calendar.fiscalYearStart(containing: month))
                result.errors.append(
                    RowError(line: recordLine, field: dateField + 1, DataMessage.fiscalYearOutOfRange("date", tokenizer.fieldText(dateField), year: year)))
            } else if !dateOK {
                result.errors.append(
                    RowError(
                        line: recordLine, field: dateField + 1,
                        dateLength == 0 ? DataMessage.missingValue("date") : DataMessage.badDate("date", tokenizer.fieldText(dateField))))
            }

            // rep
            var rep: Int32 = -1
            let repPointer = tokenizer.fieldPointer(repField)
            let repLength = tokenizer.fieldLength(repField)
            if repLength == 0 {
                result.errors.append(RowError(line: recordLine, field: repField + 1, DataMessage.missingValue("rep")))
            } else {
                rep = reps.find(repPointer, repLength, readable: tokenizer.fieldReadable(repField))
                if rep < 0 {
                    // (No closure over the tokenizer here: see the byte order mark above.)
                    if let malformed = DataMessage.malformedID("rep", UnsafeBufferPointer(start: repPointer, count: repLength)) {
                        result.errors.append(RowError(line: recordLine, field: repField + 1, malformed))
                    } else {
                        result.errors.append(RowError(line: recordLine, field: repField + 1, DataMessage.unknownRep(tokenizer.fieldText(repField), length: repLength, maxBytes: maxID, lookalikes: context.lookalikes)))
                    }
                }
            }

            // amount
            var amount: Int64 = 0
            var amountOK = false
            let amountLength = tokenizer.fieldLength(amountField)
            if amountLength == 0 {
                result.errors.append(RowError(line: recordLine, field: amountField + 1, DataMessage.missingValue("amount")))
            } else {
                let pointer = tokenizer.fieldPointer(amountField)
                if let units = parsePlainAmount(pointer, amountLength) {
                    amount = units
                    amountOK = true
                } else {
                    switch parseFixedDecimal(pointer, amountLength) {
                    case .success(let units) where units == .min:
                        // The type's most negative value has no positive twin: outside the
                        // documented ±9223372036854.775807, and negating it would overflow.
                        result.errors.append(
                            RowError(
                                line: recordLine, field: amountField + 1,
                                DataMessage.badDecimal("amount", tokenizer.fieldText(amountField), .outOfRange)))
                    case .success(let units):
                        amount = units
                        amountOK = true
                    case .failure(let error):
                        result.errors.append(
                            RowError(
                                line: recordLine, field: amountField + 1,
                                DataMessage.badDecimal("amount", tokenizer.fieldText(amountField), error)))
                    }
                }
            }

            // currency, and its fx rate for the month
            var currency = -1
            let currencyLength = tokenizer.fieldLength(currencyField)
            if currencyLength == 0 {
                result.errors.append(RowError(line: recordLine, field: currencyField + 1, DataMessage.missingValue("currency")))
            } else {
                currency = ISOCurrencies.index(tokenizer.fieldPointer(currencyField), currencyLength, table: isoTable)
                if currency < 0 {
                    result.errors.append(
                        RowError(line: recordLine, field: currencyField + 1, DataMessage.badCurrency(tokenizer.fieldText(currencyField))))
                } else if dateOK && !fx.has(currency, month) {
                    let label = Period(kind: .month, containingMonth: month).description
                    // A rate whose fx row was rejected: that row is the one to correct.
                    let rejectedLine = fx.rejectedLine(currency, month)
                    // Else a rejected row whose month, currency, or both are unreadable may be it.
                    let possible = rejectedLine == nil ? fx.possibleRow(currency, month) : nil
                    result.errors.append(
                        RowError(
                            line: recordLine, field: currencyField + 1,
                            DataMessage.missingFX(
                                ISOCurrencies.list[currency].code, label, base: context.baseCode, rejectedLine: rejectedLine,
                                possibleRow: possible),
                            followOn: rejectedLine != nil || possible != nil))
                }
            }

            // quantity
            var quantity: Int32 = 0
            if quantityField >= 0 {
                let length = tokenizer.fieldLength(quantityField)
                if length > 0 {
                    if let value = parseInt32(tokenizer.fieldPointer(quantityField), length) {
                        quantity = value
                    } else {
                        result.errors.append(
                            RowError(line: recordLine, field: quantityField + 1, DataMessage.badQuantity(tokenizer.fieldText(quantityField))))
                    }
                }
            }

            // reverses
            var reversesLength = 0
            if reversesField >= 0 {
                reversesLength = tokenizer.fieldLength(reversesField)
                if reversesLength > maxID {
                    result.errors.append(RowError(line: recordLine, field: reversesField + 1, DataMessage.idTooLong("reverses", limit: maxID)))
                }
            }

            // string attributes
            if !pendingWide.isEmpty { pendingWide.removeAll(keepingCapacity: true) }
            for slot in 0..<attributeCount {
                let field = attributeFieldList[slot]
                let pointer = tokenizer.fieldPointer(field)
                let length = tokenizer.fieldLength(field)
                let available = tokenizer.fieldReadable(field)
                var code: UInt32
                // Attribute columns have few distinct values: a small direct-mapped cache of short
                // keys answers most rows without hashing into the table.
                let key = KeyWords(pointer, length, seed: seed, readable: available)
                let cacheSlot = CachedKey.position(of: key, slot: slot)
                if let cached = attributeCache[cacheSlot].code(of: key, length: length) {
                    code = cached
                } else {
                    let found = tables[slot].find(pointer, length, readable: available)
                    if found >= 0 {
                        code = UInt32(found)
                    } else {
                        code = tables[slot].intern(pointer, length, readable: available)
                        if !isValidUTF8(pointer, length) {
                            invalidCodes[slot].insert(code)
                            anyInvalidCode = true
                        } else if declaredProblems.checks(slot) {
                            declaredProblems.judge(slot: slot, code: code, pointer, length)
                        }
                    }
                    attributeCache[cacheSlot].remember(key, length: length, code: code)
                }
                if anyInvalidCode && invalidCodes[slot].contains(code) {
                    result.errors.append(RowError(line: recordLine, field: field + 1, DataMessage.invalidUTF8(context.names[field])))
                } else if declaredProblems.any, let problem = declaredProblems.problem(slot: slot, code: code) {
                    result.errors.append(RowError(line: recordLine, field: field + 1, problem))
                }
                if code < UInt32(UInt16.max) {
                    attributeColumns[slot][row] = UInt16(truncatingIfNeeded: code)
                } else {
                    // Committed to the chunk's wide list only if the row is accepted.
                    attributeColumns[slot][row] = UInt16.max
                    pendingWide.append((slot, code))
                }
            }
            // Columns no plan of the run reads: checked as attributes are, not stored.
            for index in 0..<skippedCount {
                let field = skippedFieldList[index]
                if !isValidUTF8(tokenizer.fieldPointer(field), tokenizer.fieldLength(field)) {
                    result.errors.append(RowError(line: recordLine, field: field + 1, DataMessage.invalidUTF8(context.names[field])))
                }
            }

            if result.errors.count != firstError {
                // The header again, as files joined one after the other leave it: one error for
                // the row, not one per field ("date \"date\" is not a valid date", …).
                let repeatsHeader = result.errors.count - firstError > 1 && tokenizer.repeatsHeader(context.names)
                if repeatsHeader {
                    result.errors.removeSubrange(firstError...)
                    result.errors.append(RowError(line: recordLine, field: 1, DataMessage.repeatedHeader()))
                }
                // A well-formed id of a rejected row is kept: a later row with it is a duplicate.
                // (Not the header's words: "id" and "reverses" are no deal's.)
                if !repeatsHeader && idLength > 0 && !result.errors[idErrors...].contains(where: { $0.field == idField + 1 }) {
                    if let scalar = TerminalText.firstUnprintable(UnsafeBufferPointer(start: idStart, count: idLength)) {
                        // An id with a control or invisible character is found after the scan
                        // among the accepted rows' ids; a row rejected for another field is said
                        // to hold one here (every problem of a row is listed; it had been left out).
                        result.errors.append(RowError(line: recordLine, field: idField + 1, DataMessage.unprintable("id", scalar)))
                    } else {
                        result.rejectedIDArena.append(contentsOf: UnsafeBufferPointer(start: idStart, count: idLength))
                        result.rejectedIDEnds.append(result.rejectedIDArena.count)
                        result.rejectedIDLines.append(recordLine)
                    }
                }
                if !repeatsHeader && reversesLength > 0 && reversesLength <= maxID {
                    result.rejectedReversalArena.append(contentsOf: UnsafeBufferPointer(start: tokenizer.fieldPointer(reversesField), count: reversesLength))
                    result.rejectedReversalEnds.append(result.rejectedReversalArena.count)
                    result.rejectedReversalLines.append(recordLine)
                }
                // Report the row's problems in field order.
                if result.errors.count - firstError > 1 { result.errors[firstError...].sort { $0.field < $1.field } }
                result.rejected += 1
                if currency >= 0 && amountOK {
                    totals.rejectedRows[currency] += 1
                    totals.rejectedSum[currency] += Int128(amount)
                } else {
                    totals.rejectedWithoutCurrency += 1
                }
                // A well-formed record keeps its quoted text whole, as RFC 4180 reads it, also when
                // the text holds lines shaped like records (a quote left open that a later quote
                // closed): they are said, as for an accepted row, not read as rows (read as rows,
                // they had been credited from inside a quoted field of a valid record).
                if spansLines, let field = tokenizer.firstFieldOverLines() {
                    let lines = tokenizer.recordShapedLines(commas: fieldCount - 1)
                    if lines > 0 && !saturated {
                        result.errors.append(
                            RowError(
                                line: recordLine, field: field + 1, DataMessage.recordsInField(context.names[field], lines: lines),
                                severity: .warning))
                    }
                }
                continue
            }

            // Accepted: write the row.
            for (slot, code) in pendingWide { result.wideCodes[slot].append((row - rowBase, code)) }
            plainContext.writeAccepted(
                row: row, id: idStart, idLength: idLength, idReadable: max(0, tokenizer.fieldReadable(idField) - idSkipped), days: days,
                rep: rep, amount: amount, currency: currency, quantity: quantity, idArena: &idArena, previousIDStart: &previousIDStart,
                monotonic: &monotonic)
            if recordLine - (row - rowBase) != lineDelta {
                lineDelta = recordLine - (row - rowBase)
                result.lineBreakRows.append(row - rowBase)
                result.lineBreakDeltas.append(lineDelta)
            }
            if reversesLength > 0 {
                result.reversals.append(
                    ReversalRef(localRow: row - rowBase, line: recordLine, start: result.reversalArena.count, count: reversesLength))
                result.reversalArena.append(
                    contentsOf: UnsafeBufferPointer(start: tokenizer.fieldPointer(reversesField), count: reversesLength))
            }
            row += 1
            // A record over several lines: a field holding lines shaped like records (a comma for
            // every field) is likely a quote left open that a later quote closed, the rows
            // between taken for its text. Valid CSV, so a warning, not a rejection.
            if spansLines, let field = tokenizer.firstFieldOverLines() {
                let lines = tokenizer.recordShapedLines(commas: fieldCount - 1)
                if lines > 0 {
                    result.errors.append(
                        RowError(
                            line: recordLine, field: field + 1, DataMessage.recordsInField(context.names[field], lines: lines),
                            severity: .warning))
                }
            }
        }
      }
    }
    file.release(upTo: min(tokenizer.position, end), from: released)
    for index in 0..<currencyCount {
        totals.acceptedRows[index] += acceptedRows[index]
        totals.acceptedSum[index] += acceptedSums[index]
    }
    result.attributeTables = tables
    result.totals = totals
    result.idArena = idArena.finish()
    result.monotonic = monotonic
    result.rowCount = row - rowBase
    context.progress?.add(end - counted)
    result.endPosition = tokenizer.position
    result.endLine = tokenizer.line
    result.keepErrors(context.keptErrors)
    return result
}

/// What ``scanPlainRows(_:_:_:releaseAt:tables:idArena:reps:fx:isoTable:)`` reads, fixed for a
/// chunk, with the columns an accepted row is written to (``writeAccepted``, for both loops).
private struct PlainRowContext {
    let fieldCount: Int
    let idField: Int
    let dateField: Int
    let repField: Int
    let amountField: Int
    let currencyField: Int
    /// -1 when the column is absent.
    let quantityField: Int
    let reversesField: Int
    let attributeCount: Int
    let attributeFields: UnsafeMutablePointer<Int>
    let attributeColumns: UnsafeMutablePointer<UnsafeMutablePointer<UInt16>>
    let attributeCache: UnsafeMutablePointer<CachedKey>
    /// The fields of columns no plan reads (``Role/skipped``): only checked to be UTF-8.
    let skippedCount: Int
    let skippedFields: UnsafeMutablePointer<Int>
    let maxID: Int
    let monthFloor: Int
    let monthCeiling: Int
    let seed: UInt64
    let idEnds: UnsafeMutablePointer<UInt32>
    let dates: UnsafeMutablePointer<CivilDate>
    let reps: UnsafeMutablePointer<RepIndex>
    let amounts: UnsafeMutablePointer<Int64>
    let currencies: UnsafeMutablePointer<UInt8>
    let quantities: UnsafeMutablePointer<Int32>
    let acceptedRows: UnsafeMutablePointer<Int>
    let acceptedSums: UnsafeMutablePointer<Int128>
    /// The chunk's end: records starting there or past it are the next chunk's.
    let end: Int
    let rowBase: Int
    let rowEnd: Int

    /// Writes accepted row `row` into the columns and its currency's totals, and its id into
    /// `idArena`, noting in `monotonic` whether the ids still ascend (both loops of the scan write
    /// an accepted row through this). `idReadable`: bytes that may be read from `id` on.
    @inline(__always)
    func writeAccepted(
        row: Int, id: UnsafePointer<UInt8>, idLength: Int, idReadable: Int, days: Int32, rep: RepIndex, amount: Int64, currency: Int,
        quantity: Int32, idArena: inout ByteArena, previousIDStart: inout Int, monotonic: inout Bool
    ) {
        let idOffset = idArena.count
        idArena.append(id, idLength, readable: idReadable)
        if monotonic && previousIDStart >= 0 {
            let arena = idArena.storage.pointer
            if compareBytes(arena + previousIDStart, idOffset - previousIDStart, arena + idOffset, idLength) >= 0 { monotonic = false }
        }
        previousIDStart = idOffset
        idEnds[row] = UInt32(truncatingIfNeeded: idArena.count)
        dates[row] = CivilDate(daysSinceEpoch: days)
        reps[row] = rep
        amounts[row] = amount
        currencies[row] = UInt8(truncatingIfNeeded: currency)
        quantities[row] = quantity
        // Int128 sums of Int64 amounts cannot overflow below 2⁶³ rows.
        acceptedRows[currency] &+= 1
        acceptedSums[currency] &+= Int128(amount)
    }
}

/// What the scan carries from row to row that ``scanPlainRows(_:_:_:releaseAt:tables:idArena:reps:fx:isoTable:)``
/// reads and writes as ``scanChunk(_:start:end:line:rowBase:rowEnd:)`` does.
private struct PlainRowState {
    var row: Int
    var rowsRead = 0
    var dateCache: DateCache
    var previousIDStart: Int
    var monotonic: Bool
    var lineDelta: Int
}

/// Reads rows of the common shape, each accepted: a record on one line without quotes, every field
/// well formed, a known rep, a currency with its fx rate, string values seen before, no reversal,
/// and on the same line offset as the row before. Writes each as the general loop of
/// ``scanChunk(_:start:end:line:rowBase:rowEnd:)`` would, with the same checks, and returns at the
/// first record that is not one of them (put back for the general loop), at the chunk's end, at
/// `releaseAt` (the general loop then gives back what was read), or at the chunk's last row.
///
/// (A loop of its own, without the general loop's error paths: in that loop every value lived in
/// memory, not in a register, and a clean row cost 1,300 instructions.)
@inline(never)
private func scanPlainRows(
    _ tokenizer: inout CSVTokenizer, _ state: inout PlainRowState, _ context: PlainRowContext, releaseAt: Int,
    tables: inout [ByteStringTable], idArena: inout ByteArena, reps: ByteStringTable, fx: FXAvailability,
    isoTable: UnsafeBufferPointer<UInt8>
) {
    let end = min(context.end, releaseAt)
    while state.row < context.rowEnd && tokenizer.position < end {
        guard tokenizer.nextPlain() else { return }
        let row = state.row
        // The same line offset as the row before: otherwise the general loop notes the change.
        guard tokenizer.fieldCount == context.fieldCount, tokenizer.recordLine - (row - context.rowBase) == state.lineDelta,
            !UTF8Bytes.startsWithByteOrderMark(tokenizer.fieldPointer(0), count: tokenizer.fieldLength(0))
        else { return tokenizer.unread() }

        // The rep's slot is asked for first: the id and date are read while it arrives.
        let repLength = tokenizer.fieldLength(context.repField)
        let repStart = tokenizer.fieldPointer(context.repField)
        let repKey = reps.prefetch(repStart, repLength, readable: tokenizer.fieldReadable(context.repField))

        // id
        let idStart = tokenizer.fieldPointer(context.idField)
        let idLength = tokenizer.fieldLength(context.idField)
        let idReadable = tokenizer.fieldReadable(context.idField)
        // An id starting or ending with a space (a blank, a no-break space) is judged by the
        // general loop.
        guard
            idLength > 0 && idLength <= context.maxID && isValidUTF8(idStart, idLength, readable: idReadable)
                && !hasSpaceAround(idStart, idLength)
        else { return tokenizer.unread() }

        // date, inside the fiscal years a run can hold
        guard
            let date = state.dateCache.read(
                tokenizer.fieldPointer(context.dateField), tokenizer.fieldLength(context.dateField),
                readable: tokenizer.fieldReadable(context.dateField), floor: context.monthFloor, ceiling: context.monthCeiling),
            !date.outside
        else { return tokenizer.unread() }
        let (days, month) = (date.days, date.month)

        // rep
        guard repLength > 0 else { return tokenizer.unread() }
        let rep = reps.find(repKey, repStart, repLength)
        guard rep >= 0 else { return tokenizer.unread() }

        // amount
        let amountLength = tokenizer.fieldLength(context.amountField)
        guard amountLength > 0, let amount = parsePlainAmount(tokenizer.fieldPointer(context.amountField), amountLength) else {
            return tokenizer.unread()
        }

        // currency, with its fx rate for the month
        let currencyLength = tokenizer.fieldLength(context.currencyField)
        guard currencyLength > 0 else { return tokenizer.unread() }
        let currency = ISOCurrencies.index(tokenizer.fieldPointer(context.currencyField), currencyLength, table: isoTable)
        guard currency >= 0 && fx.has(currency, month) else { return tokenizer.unread() }

        // quantity
        var quantity: Int32 = 0
        if context.quantityField >= 0 {
            let length = tokenizer.fieldLength(context.quantityField)
            if length > 0 {
                guard let value = parseInt32(tokenizer.fieldPointer(context.quantityField), length) else { return tokenizer.unread() }
                quantity = value
            }
        }

        // No reversal: the general loop records it.
        if context.reversesField >= 0 && tokenizer.fieldLength(context.reversesField) > 0 { return tokenizer.unread() }

        // String attributes: values seen before (a new one is interned and checked by the general loop).
        for slot in 0..<context.attributeCount {
            let field = context.attributeFields[slot]
            let pointer = tokenizer.fieldPointer(field)
            let length = tokenizer.fieldLength(field)
            let available = tokenizer.fieldReadable(field)
            let key = KeyWords(pointer, length, seed: context.seed, readable: available)
            let cacheSlot = CachedKey.position(of: key, slot: slot)
            var code: UInt32
            if let cached = context.attributeCache[cacheSlot].code(of: key, length: length) {
                code = cached
            } else {
                let found = tables[slot].find(pointer, length, readable: available)
                guard found >= 0 else { return tokenizer.unread() }
                code = UInt32(found)
                context.attributeCache[cacheSlot].remember(key, length: length, code: code)
            }
            guard code < UInt32(UInt16.max) else { return tokenizer.unread() }
            // Written before the row is known to be accepted, as the general loop writes them: the
            // next record writes this row again if this one is put back.
            context.attributeColumns[slot][row] = UInt16(truncatingIfNeeded: code)
        }
        // Columns no plan reads: valid UTF-8, or the general loop says which is not.
        for index in 0..<context.skippedCount {
            let field = context.skippedFields[index]
            guard isValidUTF8(tokenizer.fieldPointer(field), tokenizer.fieldLength(field), readable: tokenizer.fieldReadable(field))
            else { return tokenizer.unread() }
        }

        // Accepted: write the row.
        context.writeAccepted(
            row: row, id: idStart, idLength: idLength, idReadable: idReadable, days: days, rep: rep, amount: amount, currency: currency,
            quantity: quantity, idArena: &idArena, previousIDStart: &state.previousIDStart, monotonic: &state.monotonic)
        state.row = row + 1
        state.rowsRead += 1
    }
}

/// `units` millionths in plain notation without trailing zeros, also past what an Int64 holds
/// (reversals that add up beyond it had been shown clamped, as -9223372036854.775808).
func exactUnits(_ units: Int128) -> String {
    if let small = Int64(exactly: units) { return FixedDecimal(units: small).description }
    var text = WideDecimal(value: units, scale: FixedDecimal.scale).description
    while text.hasSuffix("0") { text.removeLast() }
    if text.hasSuffix(".") { text.removeLast() }
    return text
}

/// Whether `a` and `b` are both above zero or both below it (a reversal with its deal's sign).
private func hasSameSign<T: SignedInteger>(_ a: T, _ b: T) -> Bool { (a > 0 && b > 0) || (a < 0 && b < 0) }
