import CompCShims
import CompCore
import Foundation
import RunResults
import Synchronization

/// The output files of `FORMATS.md` ("Outputs"): payouts and measures as CSV, sorted by rep
/// (byte order), period and declaration order, amounts in plain notation with the currency's
/// minor-unit digits, never `-0.00`, quoted only when a field needs it, LF line ends.
public enum ResultExport {
    static let payoutsHeader = "rep,period,plan,component,amount,currency\n"
    static let measuresHeader = "rep,period,plan,measure,value\n"

    /// `rep,period,plan,component,amount,currency`.
    public static func payoutsCSV(_ lines: [PayoutLine]) -> String {
        var out = CSVBuffer(payoutsHeader, capacity: lines.count * 48)
        for line in sorted(lines) { out.line(line) }
        return out.text
    }

    /// `rep,period,plan,measure,value`.
    public static func measuresCSV(_ values: [MeasureValue]) -> String {
        var out = CSVBuffer(measuresHeader, capacity: values.count * 40)
        for value in sorted(values) { out.line(value) }
        return out.text
    }

    /// Sorts by (rep bytes, period bytes, plan bytes, order), stable; the store reads rows in this
    /// order already, so usually this only checks it.
    static func precedes<T: ExportRow>(_ a: T, _ b: T) -> Bool {
        sameKey(a, b) ? a.order < b.order : keyPrecedes(a, b)
    }

    /// Same rep, period and plan, by bytes (`==` on strings would call canonically equivalent
    /// ids equal).
    static func sameKey<T: ExportRow>(_ a: T, _ b: T) -> Bool {
        sameBytes(a.rep, b.rep) && sameBytes(a.period, b.period) && sameBytes(a.plan, b.plan)
    }

    /// Whether `a`'s (rep, period, plan) comes before `b`'s, by bytes.
    static func keyPrecedes<T: ExportRow>(_ a: T, _ b: T) -> Bool {
        Store.keyPrecedes(rep: a.rep, period: a.period, plan: a.plan, rep: b.rep, period: b.period, plan: b.plan)
    }

    static func sorted<T: ExportRow>(_ items: [T]) -> [T] { stablySorted(items) { precedes($0, $1) } }

    /// Writes `bytes` (UTF-8 text) to the device or pipe at `path` (see ``OutputTarget``; regular
    /// files go through ``StagedOutput``'s temporary files).
    static func writeInPlace(_ bytes: [UInt8], to path: String) throws(StoreError) {
        // The process's own standard output or error (`--out /dev/stdout >> file`, `> file`): written
        // through its descriptor, so the shell's append and the offset the summary is printed at
        // hold. Opening the path again truncated a redirected file, and started a second offset
        // at 0 that the summary then overwrote.
        if let descriptor = Self.standardDescriptor(of: path) {
            if let failure = writeAll(descriptor, bytes) {
                throw StoreError(operation: "writing \(path)", underlying: String(cString: strerror(failure)))
            }
            return
        }
        guard let file = fopen(path, "w") else {
            throw StoreError(operation: "writing \(path)", underlying: String(cString: strerror(errno)))
        }
        let written = bytes.isEmpty || bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) } == bytes.count
        let writeError = errno
        if fclose(file) != 0 || !written {
            throw StoreError(operation: "writing \(path)", underlying: String(cString: strerror(written ? errno : writeError)))
        }
    }

    /// 1 or 2 when `path` is the file this process's standard output or error is (the same device
    /// and inode: `/dev/stdout`, `/dev/fd/1`, a pipe or a redirected file); nil otherwise.
    static func standardDescriptor(of path: String) -> Int32? {
        var target = stat()
        guard stat(path, &target) == 0 else { return nil }
        for descriptor: Int32 in [1, 2] {
            var open = stat()
            if fstat(descriptor, &open) == 0 && open.st_dev == target.st_dev && open.st_ino == target.st_ino { return descriptor }
        }
        return nil
    }

    /// A CSV field, quoted only when it holds a comma, quote or line break.
    public static func csvField(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 })
        else { return text }
        var quoted = "\""
        for character in text {
            if character == "\"" { quoted += "\"\"" } else { quoted.append(character) }
        }
        return quoted + "\""
    }
}

/// The two exports of a run.
public enum ExportKind: String, Sendable, CaseIterable {
    /// `rep,period,plan,component,amount,currency`.
    case payouts
    /// `rep,period,plan,measure,value`.
    case measures
}

/// What exports sort by.
protocol ExportRow {
    var rep: String { get }
    var period: String { get }
    var plan: String { get }
    var order: Int { get }
}

extension PayoutLine: ExportRow {}
extension MeasureValue: ExportRow {}

/// CSV text built as bytes (a `String` per field and `joined` per line was most of an export).
/// A line is written through a ``CSVCursor`` into room for the whole line and appended at once.
struct CSVBuffer: Sendable {
    private var bytes: [UInt8]

    init(_ header: String, capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity + header.utf8.count)
        bytes.append(contentsOf: header.utf8)
    }

    /// Appends what `body` writes through a cursor given room for `room` bytes (what it writes
    /// must fit): one append for a line, where appending field by field checked the array's
    /// uniqueness and capacity several times a line.
    mutating func write(room: Int, _ body: (inout CSVCursor) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: room) { memory in
            guard let base = memory.baseAddress else { return }
            var cursor = CSVCursor(base: base, limit: room)
            body(&cursor)
            bytes.append(contentsOf: UnsafeBufferPointer(start: base, count: cursor.count))
        }
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Bytes held.
    var count: Int { bytes.count }

    /// The bytes held, leaving the buffer empty (with room for as many again).
    mutating func take() -> [UInt8] {
        let taken = bytes
        bytes = []
        bytes.reserveCapacity(taken.count)
        return taken
    }

    mutating func line(_ line: PayoutLine) { self.line(line, prefix: Self.prefix(line)) }

    mutating func line(_ value: MeasureValue) { line(value, prefix: Self.prefix(value)) }

    /// A payout line whose first fields, `rep,period,plan,`, are `prefix` (see ``prefix(_:)``).
    mutating func line(_ line: PayoutLine, prefix: [UInt8]) {
        payoutLine(prefix: prefix, component: line.component, amount: line.amount, currency: line.currency)
    }

    /// A measure line whose first fields, `rep,period,plan,`, are `prefix` (see ``prefix(_:)``).
    mutating func line(_ value: MeasureValue, prefix: [UInt8]) {
        measureLine(prefix: prefix, measure: value.measure, value: value.value, digits: value.digits, text: value.text)
    }

    // The lines' fields are passed one by one: a closure that captured a whole line copied it.
    mutating func payoutLine(prefix: [UInt8], component: String, amount: FixedDecimal, currency: Currency) {
        let code = currency.code
        write(room: prefix.count + CSVCursor.room(component) + CSVCursor.amountRoom + CSVCursor.room(code)) { cursor in
            cursor.bytes(prefix)
            cursor.field(component)
            cursor.field(amount, digits: currency.minorUnits)
            cursor.field(code, last: true)
        }
    }

    /// A value with none for the payee and period (`nil`) is an empty field.
    /// A condition's, date's or text's value is `text`, written as it is (quoted when it needs it).
    mutating func measureLine(prefix: [UInt8], measure: String, value: FixedDecimal?, digits: Int, text: String? = nil) {
        write(room: prefix.count + CSVCursor.room(measure) + CSVCursor.amountRoom + (text.map(CSVCursor.room) ?? 0)) { cursor in
            cursor.bytes(prefix)
            cursor.field(measure)
            if let text {
                cursor.field(text, last: true)
            } else if let value {
                cursor.field(value, digits: digits, last: true)
            } else {
                cursor.field("", last: true)
            }
        }
    }

    /// Replaces `prefix` with ``prefix(_:)`` of `row`, in the room it has (a new array per
    /// payee-period cost an allocation in each export).
    static func setPrefix<T: ExportRow>(_ prefix: inout [UInt8], of row: T) {
        let rep = row.rep, period = row.period, plan = row.plan
        let room = CSVCursor.room(rep) + CSVCursor.room(period) + CSVCursor.room(plan)
        prefix.removeAll(keepingCapacity: true)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: room) { memory in
            guard let base = memory.baseAddress else { return }
            var cursor = CSVCursor(base: base, limit: room)
            cursor.field(rep)
            cursor.field(period)
            cursor.field(plan)
            prefix.append(contentsOf: UnsafeBufferPointer(start: base, count: cursor.count))
        }
    }

    /// `rep,period,plan,` of a line, each field quoted when it needs it.
    static func prefix<T: ExportRow>(_ row: T) -> [UInt8] {
        var bytes: [UInt8] = []
        setPrefix(&bytes, of: row)
        return bytes
    }
}

/// Writes CSV fields into room a ``CSVBuffer`` set aside.
struct CSVCursor {
    private var room: RoomCursor
    var count: Int { room.count }

    init(base: UnsafeMutablePointer<UInt8>, limit: Int) { room = RoomCursor(base: base, limit: limit) }

    /// The most bytes ``field(_:last:)`` writes for `text`: every byte a doubled quote, the
    /// quotes around them and the separator.
    static func room(_ text: String) -> Int { text.utf8.count * 2 + 3 }

    /// The most bytes ``field(_:digits:last:)`` writes.
    static let amountRoom = digitsRoom + 1

    @inline(__always)
    private mutating func byte(_ value: UInt8) { room.byte(value) }

    /// Appends `source` as it is.
    mutating func bytes(_ source: [UInt8]) {
        source.withUnsafeBufferPointer { room.copy($0) }
    }

    /// One field (quoted when it holds a comma, a quote or a line end; quotes doubled) and a
    /// comma, or the line end after the last.
    mutating func field(_ text: String, last: Bool = false) {
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { write($0) }
        if done == nil {
            var copy = text
            copy.withUTF8 { write($0) }
        }
        byte(last ? 10 : UInt8(ascii: ","))
    }

    private mutating func write(_ utf8: UnsafeBufferPointer<UInt8>) {
        var needsQuotes = false
        for byte in utf8 where byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 10 || byte == 13 {
            needsQuotes = true
            break
        }
        guard needsQuotes else { return room.copy(utf8) }
        byte(UInt8(ascii: "\""))
        for value in utf8 {
            if value == UInt8(ascii: "\"") { byte(value) }
            byte(value)
        }
        byte(UInt8(ascii: "\""))
    }

    /// An amount with `digits` fraction digits (never quoted) and a comma, or the line end.
    mutating func field(_ amount: FixedDecimal, digits: Int, last: Bool = false) {
        room.write(room: digitsRoom) { amount.writeFormatted(fractionDigits: digits, to: $0) }
        byte(last ? 10 : UInt8(ascii: ","))
    }
}

/// The two export files of a run, formatted part by part as a run's results arrive (in payee
/// order), so that they are ready when the run is. If the lines do not arrive in export order
/// (several plans), ``texts`` is `nil` and the caller formats the whole output instead.
public struct IncrementalExport: Sendable {
    private var payouts = CSVBuffer(ResultExport.payoutsHeader, capacity: 1 << 20)
    private var measures = CSVBuffer(ResultExport.measuresHeader, capacity: 1 << 20)
    private var lastLine: PayoutLine? = nil
    private var lastMeasure: MeasureValue? = nil
    /// `rep,period,plan,` of the last line and of the last measure, as written: the lines of one
    /// payee and period share it (formatting it field by field was most of an export's time).
    private var payoutPrefix: [UInt8] = []
    private var measurePrefix: [UInt8] = []
    private var inOrder = true
    /// With ``tracksBlocks``: where each payee-period's lines start in each file, to merge the
    /// files of several plans (``ExportMerge``); and the bytes drained so far.
    public private(set) var payoutBlocks = ExportBlocks()
    public private(set) var measureBlocks = ExportBlocks()
    private var drainedPayouts = 0
    private var drainedMeasures = 0
    private let tracksBlocks: Bool

    /// `tracksBlocks`: record where each payee-period starts (for ``ExportMerge``).
    public init(tracksBlocks: Bool = false) { self.tracksBlocks = tracksBlocks }

    /// Formats one part's lines and measures after the previous parts'.
    public mutating func append(_ part: RunOutput) {
        guard inOrder else { return }
        guard
            Self.format(
                part.payouts, after: &lastLine, prefix: &payoutPrefix, into: &payouts, blocks: &payoutBlocks, tracking: tracksBlocks,
                drained: drainedPayouts,
                line: { buffer, prefix, lines, index in
                    buffer.payoutLine(
                        prefix: prefix, component: lines[index].component, amount: lines[index].amount, currency: lines[index].currency)
                })
        else { return inOrder = false }
        guard
            Self.format(
                part.measures, after: &lastMeasure, prefix: &measurePrefix, into: &measures, blocks: &measureBlocks, tracking: tracksBlocks,
                drained: drainedMeasures,
                line: { buffer, prefix, values, index in
                    buffer.measureLine(
                        prefix: prefix, measure: values[index].measure, value: values[index].value, digits: values[index].digits,
                        text: values[index].text)
                })
        else { return inOrder = false }
    }

    /// Formats `rows` into `buffer` after `last` (which becomes the last of them), each through
    /// `line` with its `rep,period,plan,` prefix; with `blocks`, notes where each payee-period
    /// starts. False when a row is out of export order (the rows before it are formatted).
    /// Rows are read in place (copying each row retained and released its texts; `line` gets
    /// the rows and the index), and each is checked against the one before it: the previous
    /// part's last row is kept once per part.
    private static func format<Row: ExportRow>(
        _ rows: [Row], after last: inout Row?, prefix: inout [UInt8], into buffer: inout CSVBuffer, blocks: inout ExportBlocks,
        tracking: Bool, drained: Int, line: (inout CSVBuffer, [UInt8], UnsafeBufferPointer<Row>, Int) -> Void
    ) -> Bool {
        let inOrder = rows.withUnsafeBufferPointer { rows -> Bool in
            guard let base = rows.baseAddress else { return true }
            for index in rows.indices {
                let newKey: Bool
                if index > 0 {
                    guard let follows = follows(base + index - 1, base + index) else { return false }
                    newKey = follows
                } else if let last {
                    guard let follows = withUnsafePointer(to: last, { follows($0, base) }) else { return false }
                    newKey = follows
                } else {
                    newKey = true
                }
                if newKey {
                    CSVBuffer.setPrefix(&prefix, of: rows[index])
                    if tracking { blocks.add(rows[index], at: drained + buffer.count) }
                }
                line(&buffer, prefix, rows, index)
            }
            return true
        }
        if inOrder, let final = rows.last { last = final }
        return inOrder
    }

    /// Whether `row` may come after `previous` in export order (`nil` when not), and whether it
    /// starts a new payee, period or plan. Their fields are read in place (a row taken by value
    /// is copied, its texts retained and released).
    private static func follows<Row: ExportRow>(_ previous: UnsafePointer<Row>, _ row: UnsafePointer<Row>) -> Bool? {
        let sameKey = sameBytes(previous.pointee.rep, row.pointee.rep) && sameBytes(previous.pointee.period, row.pointee.period)
            && sameBytes(previous.pointee.plan, row.pointee.plan)
        if sameKey { return previous.pointee.order < row.pointee.order ? false : nil }
        let precedes = keyPrecedes(
            rep: previous.pointee.rep, period: previous.pointee.period, plan: previous.pointee.plan,
            rep: row.pointee.rep, period: row.pointee.period, plan: row.pointee.plan)
        return precedes ? true : nil
    }

    /// Bytes formatted and not yet drained.
    public var bufferedBytes: Int { payouts.count + measures.count }

    /// Whether every part so far came in export order.
    public var isInOrder: Bool { inOrder }

    /// The payouts and measures bytes formatted since the last drain (the headers come with the
    /// first), taken out of the buffers; `nil` once the parts are known not to be in export order.
    /// The drained pieces, in order, make the whole files.
    public mutating func drain() -> (payouts: [UInt8], measures: [UInt8])? {
        guard inOrder else { return nil }
        let pieces = (payouts.take(), measures.take())
        drainedPayouts += pieces.0.count
        drainedMeasures += pieces.1.count
        return pieces
    }

    /// The payouts and measures files, or `nil` when the parts were not in export order.
    public var texts: (payouts: String, measures: String)? {
        inOrder ? (payouts.text, measures.text) : nil
    }

}

/// Where each payee-period's rows start in one plan's export file: its key (the rep's bytes, a
/// NUL, the period's bytes; NUL is below every byte of an id, so keys order as (rep, period)
/// do) and its offset.
public struct ExportBlocks: Sendable {
    var keys: [UInt8] = []
    var keyEnds: [Int] = []
    var starts: [Int] = []

    /// Number of blocks.
    public var count: Int { starts.count }

    mutating func add<Row: ExportRow>(_ row: Row, at offset: Int) {
        keys.append(contentsOf: row.rep.utf8)
        keys.append(0)
        keys.append(contentsOf: row.period.utf8)
        keyEnds.append(keys.count)
        starts.append(offset)
    }

    func key(_ index: Int) -> ArraySlice<UInt8> { keys[(index == 0 ? 0 : keyEnds[index - 1])..<keyEnds[index]] }
}

/// Merges the export files of the plans of one run, each in export order on its own, into one
/// in export order: payee-period blocks by (rep, period) bytes, and of one payee-period the
/// plans by their ids' bytes (as ``ResultExport`` sorts). Each file starts with the header, which
/// is written once.
public enum ExportMerge {
    /// One plan's file, spooled, with where its payee-periods start.
    public struct Stream {
        public let plan: String
        public let blocks: ExportBlocks
        public let spool: Spool

        public init(plan: String, blocks: ExportBlocks, spool: Spool) {
            self.plan = plan
            self.blocks = blocks
            self.spool = spool
        }
    }

    /// Writes the header of `kind` and every stream's blocks, merged, through `write` (in pieces
    /// of about `piece` bytes). False when a stream could not be read back.
    public static func merge(
        _ streams: [Stream], kind: ExportKind, piece: Int = 1 << 20, write: ([UInt8]) throws(StoreError) -> Void
    ) throws(StoreError) -> Bool {
        var out: [UInt8] = Array((kind == .payouts ? ResultExport.payoutsHeader : ResultExport.measuresHeader).utf8)
        out.reserveCapacity(piece + (1 << 16))
        var next = streams.map { _ in 0 }
        // Each stream is read ahead in chunks, in order (its blocks are taken in order).
        var buffers = streams.map { _ in [UInt8]() }
        var bufferStart = streams.map { _ in 0 }
        func bytes(_ stream: Int, _ start: Int, _ end: Int) -> ArraySlice<UInt8>? {
            if start < bufferStart[stream] || end > bufferStart[stream] + buffers[stream].count {
                let count = max(end - start, min(piece, streams[stream].spool.size - start))
                guard let read = streams[stream].spool.read(start, count), read.count >= end - start else { return nil }
                buffers[stream] = read
                bufferStart[stream] = start
            }
            return buffers[stream][(start - bufferStart[stream])..<(end - bufferStart[stream])]
        }
        while true {
            var best: Int? = nil
            for index in streams.indices where next[index] < streams[index].blocks.count {
                guard let current = best else {
                    best = index
                    continue
                }
                let a = streams[index].blocks.key(next[index])
                let b = streams[current].blocks.key(next[current])
                if a.lexicographicallyPrecedes(b) || (a.elementsEqual(b) && Array(streams[index].plan.utf8).lexicographicallyPrecedes(Array(streams[current].plan.utf8))) {
                    best = index
                }
            }
            guard let stream = best else { break }
            let block = next[stream]
            let start = streams[stream].blocks.starts[block]
            let end = block + 1 < streams[stream].blocks.count ? streams[stream].blocks.starts[block + 1] : streams[stream].spool.size
            guard let slice = bytes(stream, start, end) else { return false }
            out.append(contentsOf: slice)
            next[stream] += 1
            if out.count >= piece {
                try write(out)
                out.removeAll(keepingCapacity: true)
            }
        }
        try write(out)
        return true
    }
}

/// A temporary file in `$TMPDIR` (or /tmp), unnamed once made (removed when closed), written at
/// its end and read at any offset.
public final class Spool {
    private let descriptor: Int32
    /// Bytes written.
    public private(set) var size = 0

    /// A new empty spool; `nil` when no temporary file can be made.
    public init?() {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((directory.hasSuffix("/") ? directory : directory + "/").utf8CString.dropLast()) + Array("comp-spool-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            let made = mkstemp(base)
            if made >= 0 { unlink(base) }
            return made
        }
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
    }

    /// Appends `bytes`; false on a write error.
    public func write(_ bytes: [UInt8]) -> Bool {
        guard writeAll(descriptor, bytes) == nil else { return false }
        size += bytes.count
        return true
    }

    /// `count` bytes from `offset` (fewer at the end); `nil` on a read error.
    public func read(_ offset: Int, _ count: Int) -> [UInt8]? {
        let descriptor = self.descriptor
        var bytes = [UInt8](repeating: 0, count: max(0, min(count, size - offset)))
        var done = 0
        while done < bytes.count {
            let got = bytes.withUnsafeMutableBufferPointer { buffer in pread(descriptor, buffer.baseAddress.map { $0 + done }, buffer.count - done, off_t(offset + done)) }
            if got < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if got == 0 { return nil }
            done += got
        }
        return bytes
    }

    deinit { _ = closeDescriptor(descriptor) }
}

/// Where an output file goes. Output files are written to a temporary name and renamed into
/// place, so a failed write leaves the old file whole; but a symbolic link is followed first (the
/// file it points to is replaced, not the link), and a path that exists and is not a regular file
/// (a device such as /dev/null, a pipe) is written in place: renaming over it would replace the
/// device with a file.
public struct OutputTarget: Sendable, Equatable {
    /// The file to replace, or the device or pipe to write.
    public let path: String
    /// True for a device or pipe: written directly, never renamed over or removed.
    public let inPlace: Bool

    /// The target of `requested`; a directory is an error.
    public init(_ requested: String) throws(StoreError) {
        var info = stat()
        // What the path reaches, links followed by the kernel: a device or pipe (/dev/null,
        // /dev/stdout on a pipe, a FIFO) is written as it is, under the name given; so is anything
        // under /dev or /proc, whatever it leads to (`--out /dev/stdout >> file` appends).
        if stat(requested, &info) == 0 {
            let kind = info.st_mode & S_IFMT
            if kind == S_IFDIR { throw StoreError(operation: "writing \(requested)", underlying: "it is a directory; give a file name") }
            if kind != S_IFREG || requested.hasPrefix("/dev/") || requested.hasPrefix("/proc/") {
                self.init(path: requested, inPlace: true)
                return
            }
        }
        // A regular file, or nothing yet: follow links by hand, so that the file a link points to
        // is replaced (or made), not the link.
        var path = requested
        var hops = 0
        while lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK {
            hops += 1
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(path, &buffer, Int(PATH_MAX))
            guard hops <= 40, length > 0 else {
                throw StoreError(operation: "writing \(requested)", underlying: "too many levels of symbolic links")
            }
            let link = String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if link.hasPrefix("/") {
                path = link
            } else if let slash = path.lastIndex(of: "/") {
                path = String(path[...slash]) + link
            } else {
                path = link
            }
        }
        // A file no one may write (mode 0444: a payroll file locked once final) is left as it is,
        // as `comp fmt` leaves one: being replaced by a rename, it had been replaced, even by
        // its owner and without root.
        if FilePaths.isReadOnly(path) {
            throw StoreError(operation: "writing \(requested)", underlying: "the file is read-only; make it writable or give another name")
        }
        // The file is first written under its name with `.tmp-PID-RANDOM` after it (up to 21
        // bytes more): a name the file system cannot hold with them failed only once a file was
        // there to replace (the second export, or a run already stored).
        let name = FilePaths.name(of: path)
        let longest = pathconf(FilePaths.directory(of: path), Int32(_PC_NAME_MAX))
        if longest > Self.temporarySuffixBytes && name.utf8.count + Self.temporarySuffixBytes > longest {
            throw StoreError(
                operation: "writing \(requested)",
                underlying: "the file name is \(name.utf8.count) bytes long; give one of at most \(longest - Self.temporarySuffixBytes) "
                    + "(the file system takes \(longest), and the file is first written under its name with up to \(Self.temporarySuffixBytes) more)")
        }
        self.init(path: path, inPlace: false)
    }

    /// The most bytes ``StagedOutput/temporaryName(beside:_:)`` adds to a name.
    static let temporarySuffixBytes = 21

    private init(path: String, inPlace: Bool) {
        self.path = path
        self.inPlace = inPlace
    }

    /// Whether two paths name the same file: the same inode when both exist, else the same path
    /// once links are followed and `.` and `..` resolved. An output must never be one of the
    /// inputs it is made from.
    public static func sameFile(_ first: String, _ second: String) -> Bool {
        var a = stat()
        var b = stat()
        if stat(first, &a) == 0 && stat(second, &b) == 0 { return a.st_dev == b.st_dev && a.st_ino == b.st_ino }
        // A file not made yet: the same name in the same directory, the directory compared as the
        // kernel resolves it (a directory reached through a link, `..` after a link).
        func normalized(_ path: String) -> String {
            let resolved = (try? OutputTarget(path).path) ?? path
            let absolute = resolved.hasPrefix("/") ? resolved : FileManager.default.currentDirectoryPath + "/" + resolved
            let slash = absolute.lastIndex(of: "/") ?? absolute.startIndex
            let name = String(absolute[absolute.index(after: slash)...])
            let directory = String(absolute[..<slash])
            if let real = realpath(directory.isEmpty ? "/" : directory, nil) {
                defer { free(real) }
                let canonical = String(cString: real)
                return (canonical == "/" ? "" : canonical) + "/" + name
            }
            var parts: [Substring] = []
            for part in absolute.split(separator: "/") where part != "." {
                if part == ".." { _ = parts.popLast() } else { parts.append(part) }
            }
            return "/" + parts.joined(separator: "/")
        }
        return normalized(first) == normalized(second)
    }
}

/// An output file written but not yet in place: a regular file's bytes wait in a file with no
/// name (where the system has them) or in a temporary file beside it, to be named or renamed over
/// it; a device's or pipe's bytes are kept, to be written in place. `comp export` puts it in place
/// at once; a run, once the run is stored.
public struct StagedOutput: Sendable {
    public let target: OutputTarget
    private let staged: Staged

    fileprivate enum Staged: Sendable {
        /// The bytes for a device or pipe.
        case kept([UInt8])
        /// A temporary file under this name.
        case named(String)
        /// A file with no name yet: a run killed before its commit leaves nothing on disk.
        case unnamed(UnnamedFile)
    }

    /// Stages `bytes` for the file at `path` (see ``OutputTarget``).
    public init(_ bytes: [UInt8], for path: String) throws(StoreError) {
        let writer = try Writer(for: path)
        do throws(StoreError) {
            try writer.write(bytes)
            self = try writer.finish()
        } catch {
            writer.discard()
            throw error
        }
    }

    /// Why ``streamed(for:produce:)`` failed: the file could not be made or written, or what was
    /// to go in it could not be produced (a database that could not be read). Nothing is staged.
    public enum StreamFailure: Error {
        case writing(StoreError)
        case producing(StoreError)
    }

    /// Stages for the file at `path` what `produce` hands its `write` function, piece by piece
    /// (see ``Writer``): an output of any size is never held whole in memory.
    public static func streamed(
        for path: String, produce: (_ write: ([UInt8]) throws(StoreError) -> Void) throws(StoreError) -> Void
    ) throws(StreamFailure) -> StagedOutput {
        let writer: Writer
        do throws(StoreError) {
            writer = try Writer(for: path)
        } catch {
            throw .writing(error)
        }
        var writeFailure: StoreError? = nil
        do throws(StoreError) {
            try produce { bytes throws(StoreError) in
                do throws(StoreError) {
                    try writer.write(bytes)
                } catch {
                    writeFailure = error
                    throw error
                }
            }
        } catch {
            writer.discard()
            // What `write` threw is the file's; anything else the producer's.
            throw writeFailure.map { .writing($0) } ?? .producing(error)
        }
        do throws(StoreError) {
            return try writer.finish()
        } catch {
            writer.discard()
            throw .writing(error)
        }
    }

    fileprivate init(target: OutputTarget, staged: Staged) {
        self.target = target
        self.staged = staged
    }

    /// Stages an output given piece by piece: a regular file's pieces go to a new file in its
    /// directory as they come (a run's exports are written while the run is still being
    /// evaluated, not all at its end); a device's or pipe's are kept until
    /// ``StagedOutput/commit()``. Where the system allows, the new file has no name until it is
    /// committed: a run killed before then leaves nothing behind. Used from one thread at a time;
    /// ``finish()`` or ``discard()`` ends it.
    public final class Writer {
        public let target: OutputTarget
        private enum Staging {
            /// A device or pipe: the bytes, kept.
            case inPlace
            /// A file with no name yet (O_TMPFILE).
            case unnamed(UnnamedFile)
            /// A temporary file under this name, open as `descriptor`.
            case named(String)
            /// Finished or discarded.
            case done
        }
        private var staging: Staging
        private var descriptor: Int32 = -1
        private var kept: [UInt8] = []
        /// Bytes written to the staged file so far.
        private var written = 0

        /// Starts staging the file at `path`: for a regular file, a new file in its directory is
        /// made now (see ``StagedOutput/makeTemporary(beside:)``).
        public init(for path: String) throws(StoreError) {
            let target = try OutputTarget(path)
            self.target = target
            if target.inPlace {
                staging = .inPlace
                return
            }
            var info = stat()
            let replaced = stat(target.path, &info) == 0
            let mode: mode_t = replaced ? info.st_mode & 0o7777 : 0o666
            let unnamed = comp_open_unnamed(FilePaths.directory(of: target.path), UInt32(mode))
            if unnamed >= 0 {
                let file = UnnamedFile(unnamed)
                // The mode of the file it replaces (a 0600 export stays 0600), whatever the umask.
                if replaced && fchmod(unnamed, mode) != 0 {
                    let failure = errno
                    file.close()
                    throw StoreError(operation: "writing \(target.path)", underlying: String(cString: strerror(failure)))
                }
                descriptor = unnamed
                staging = .unnamed(file)
            } else {
                let (name, named) = try StagedOutput.makeTemporary(beside: target.path)
                descriptor = named
                staging = .named(name)
            }
        }

        deinit {
            if case .named = staging, descriptor >= 0 { close(descriptor) }
        }

        /// Appends `bytes` to the staged file.
        public func write(_ bytes: [UInt8]) throws(StoreError) {
            switch staging {
            case .inPlace: return kept.append(contentsOf: bytes)
            case .done: throw StoreError(operation: "writing \(target.path)", underlying: "the staged file is closed")
            case .unnamed, .named: break
            }
            if let failure = writeAll(descriptor, bytes) {
                discard()
                throw StoreError(operation: "writing \(target.path)", underlying: String(cString: strerror(failure)))
            }
            // Sent to disk as it comes: at the end, renaming the file over the one it replaces
            // made ext4 submit all of it (27 ms for a 10M-transaction run's two exports, with
            // nothing else left to do).
            comp_start_writeback(descriptor, Int64(written), Int64(bytes.count))
            written += bytes.count
        }

        /// The staged output, ready to be committed (an unnamed file stays unnamed until then).
        public func finish() throws(StoreError) -> StagedOutput {
            switch staging {
            case .inPlace:
                staging = .done
                return StagedOutput(target: target, staged: .kept(kept))
            case .done:
                throw StoreError(operation: "writing \(target.path)", underlying: "the staged file is closed")
            case .unnamed(let file):
                // The descriptor now belongs to the staged output.
                staging = .done
                descriptor = -1
                return StagedOutput(target: target, staged: .unnamed(file))
            case .named(let name):
                let closed = close(descriptor)
                let failure = errno
                descriptor = -1
                staging = .done
                if closed != 0 {
                    unlink(name)
                    throw StoreError(operation: "writing \(target.path)", underlying: String(cString: strerror(failure)))
                }
                return StagedOutput(target: target, staged: .named(name))
            }
        }

        /// Removes what was staged and not yet finished; nothing is put in place.
        public func discard() {
            switch staging {
            case .unnamed(let file): file.close()
            case .named(let name):
                if descriptor >= 0 { close(descriptor) }
                unlink(name)
            case .inPlace, .done: break
            }
            descriptor = -1
            staging = .done
            kept = []
        }

        /// Whether the staged bytes are in a file that has no name yet (tests).
        var isUnnamed: Bool {
            if case .unnamed = staging { return true }
            return false
        }
    }

    /// Makes a new file beside `path`, to be renamed over it, and returns its name and open
    /// descriptor. The file is made with `O_EXCL | O_NOFOLLOW` under a name with a random part: a
    /// link planted under a name that could be guessed is never followed. It gets the mode of the
    /// file it replaces (a 0600 export stays 0600).
    static func makeTemporary(beside path: String) throws(StoreError) -> (name: String, descriptor: Int32) {
        var info = stat()
        let mode: mode_t? = stat(path, &info) == 0 ? info.st_mode & 0o7777 : nil
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<100 {
            let name = temporaryName(beside: path, &generator)
            let descriptor = open(name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode ?? 0o666)
            if descriptor < 0 {
                if errno == EEXIST { continue }
                throw StoreError(operation: "writing \(path)", underlying: String(cString: strerror(errno)))
            }
            if let mode, fchmod(descriptor, mode) != 0 {
                let failure = errno
                close(descriptor)
                unlink(name)
                throw StoreError(operation: "writing \(path)", underlying: String(cString: strerror(failure)))
            }
            return (name, descriptor)
        }
        throw StoreError(operation: "writing \(path)", underlying: "no free temporary name beside it")
    }

    /// `path.tmp-PID-xxxxxxxx`, the random part from `generator`.
    static func temporaryName(beside path: String, _ generator: inout SystemRandomNumberGenerator) -> String {
        path + ".tmp-\(getpid())-" + String(generator.next() & 0xFFFF_FFFF, radix: 16)
    }

    /// Puts the file in place: renames the temporary file over the target, or names the unnamed
    /// one (straight as the target when nothing is there, else under a temporary name renamed over
    /// it), or writes a device's bytes. On a failure nothing is left behind.
    public func commit() throws(StoreError) {
        switch staged {
        case .kept(let bytes):
            try ResultExport.writeInPlace(bytes, to: target.path)
        case .named(let temporary):
            guard rename(temporary, target.path) == 0 else {
                let reason = String(cString: strerror(errno))
                unlink(temporary)
                throw StoreError(operation: "writing \(target.path)", underlying: reason)
            }
        case .unnamed(let file):
            try file.place(at: target.path)
        }
    }

    /// Removes what was staged: nothing is put in place.
    public func discard() {
        switch staged {
        case .kept: break
        case .named(let temporary): unlink(temporary)
        case .unnamed(let file): file.close()
        }
    }
}

/// An open file with no name (O_TMPFILE), closed once: whichever copy of a staged output commits
/// or discards it first closes it (a descriptor closed twice could close a file opened since).
final class UnnamedFile: Sendable {
    private let descriptor: Mutex<Int32>

    init(_ descriptor: Int32) { self.descriptor = Mutex(descriptor) }

    deinit { close() }

    /// Closes the file; with no name it is gone.
    func close() {
        descriptor.withLock { descriptor in
            if descriptor >= 0 { _ = closeDescriptor(descriptor) }
            descriptor = -1
        }
    }

    /// Names the file `path`, replacing what is there, and closes it.
    func place(at path: String) throws(StoreError) {
        let result: StoreError? = descriptor.withLock { descriptor in
            guard descriptor >= 0 else { return StoreError(operation: "writing \(path)", underlying: "the staged file is closed") }
            defer {
                _ = closeDescriptor(descriptor)
                descriptor = -1
            }
            // Nothing there: named in one step.
            if comp_name_unnamed(descriptor, path) == 0 { return nil }
            guard errno == EEXIST else { return StoreError(operation: "writing \(path)", underlying: String(cString: strerror(errno))) }
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<100 {
                let temporary = StagedOutput.temporaryName(beside: path, &generator)
                if comp_name_unnamed(descriptor, temporary) != 0 {
                    if errno == EEXIST { continue }
                    return StoreError(operation: "writing \(path)", underlying: String(cString: strerror(errno)))
                }
                guard rename(temporary, path) == 0 else {
                    let reason = String(cString: strerror(errno))
                    unlink(temporary)
                    return StoreError(operation: "writing \(path)", underlying: reason)
                }
                return nil
            }
            return StoreError(operation: "writing \(path)", underlying: "no free temporary name beside it")
        }
        if let result { throw result }
    }
}

/// Writes all of `bytes` to `descriptor` (`write(2)` again after a short write or EINTR); the
/// error number of a failure, nil when all were written.
private func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Int32? {
    var done = 0
    while done < bytes.count {
        let wrote = bytes.withUnsafeBufferPointer { buffer in
            write(descriptor, buffer.baseAddress.map { $0 + done }, buffer.count - done)
        }
        if wrote < 0 {
            if errno == EINTR { continue }
            return errno
        }
        done += wrote
    }
    return nil
}

/// `close(2)`, under a name no method shadows.
private func closeDescriptor(_ descriptor: Int32) -> Int32 {
    close(descriptor)
}
