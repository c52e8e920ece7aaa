import CompCore
import Foundation
import RunResults

// A run's results are stored one row per payee, period and plan (a "statement", schema v5): its
// payout lines and measures as JSON arrays, and the transaction sets their traces name as one
// blob. SQLite's cost is per row, and a payee-period has a handful of lines and measures: six
// rows became one. The views `payouts` and `measures` present one row per line and per measure,
// with the columns earlier schemas had (see ``ResultStore/migrator``).
//
// A line is the array
//   [component, ord, amount, currency, trace, rule, tier, rate, base, limit, transaction_count,
//    transactions_offset, transactions_bytes]
// where `amount` is in millionths, `trace` the run's trace number (or null), `rule` the id of the
// (rule, source) pair in `trace_rules` (null when the trace is not on the line), and the last two
// locate the line's transaction set in the statement's `transactions` blob (null: none).
// A measure is the array [measure, ord, value, digits, unit], `value` in millionths, `unit` the
// currency code of money, `rate` or `count` (absent in runs stored before units were, and for a
// value of another type).

/// Byte order of (rep, period, plan) keys, as exports sort.
func keyPrecedes(rep a0: String, period a1: String, plan a2: String, rep b0: String, period b1: String, plan b2: String) -> Bool {
    if !sameBytes(a0, b0) { return bytesPrecede(a0, b0) }
    if !sameBytes(a1, b1) { return bytesPrecede(a1, b1) }
    return bytesPrecede(a2, b2)
}

/// `items` in `precedes` order, keeping the given order among equals; returned as they are when
/// already in order (the usual case, checked in one pass).
func stablySorted<T>(_ items: [T], by precedes: (T, T) -> Bool) -> [T] {
    if items.indices.dropFirst().allSatisfy({ !precedes(items[$0], items[$0 - 1]) }) { return items }
    return items.enumerated().sorted { a, b in
        if precedes(a.element, b.element) { return true }
        if precedes(b.element, a.element) { return false }
        return a.offset < b.offset
    }.map(\.element)
}

/// Positions in a line's JSON array.
enum LineField {
    static let component = 0, order = 1, amount = 2, currency = 3, trace = 4, rule = 5, tier = 6, rate = 7, base = 8, limit = 9,
        count = 10, offset = 11, bytes = 12
    /// Values in a line.
    static let width = 13
}

/// Positions in a measure's JSON array.
enum MeasureField {
    static let name = 0, order = 1, value = 2, digits = 3, unit = 4, text = 5
    /// Values every measure has (the unit is optional).
    static let width = 4
}

/// Appends JSON values to a byte buffer: strings escaped as RFC 8259 requires, integers in
/// decimal, no whitespace.
struct JSONWriter {
    var bytes: [UInt8] = []

    // Values are written through a ``JSONCursor``, the one place that escapes and formats them.
    mutating func string(_ text: String?) { write(room: Self.room(text)) { $0.string(text) } }

    mutating func integer(_ value: Int64?) { write(room: Self.integerRoom) { $0.integer(value) } }

    mutating func null() { write(room: 4) { $0.null() } }

    /// Appends `[`, each item as `element` writes it (commas between), and `]`.
    mutating func array<Items: Sequence>(_ items: Items, _ element: (inout JSONWriter, Items.Element) throws -> Void) rethrows {
        open()
        for (position, item) in items.enumerated() {
            if position > 0 { comma() }
            try element(&self, item)
        }
        close()
    }

    mutating func open() { bytes.append(UInt8(ascii: "[")) }

    mutating func close() { bytes.append(UInt8(ascii: "]")) }

    mutating func comma() { bytes.append(UInt8(ascii: ",")) }

    /// Memory a ``JSONCursor`` writes into before its bytes are appended at once: made on the
    /// first ``write(room:_:)``, and again by a copy of the writer that writes (never shared).
    private var scratch: JSONScratch? = nil

    /// Room kept from value to value; a larger value's memory is given back once it is written.
    static let keptRoom = 1 << 20

    /// Appends what `body` writes through a ``JSONCursor`` given room for `room` bytes (what it
    /// writes must fit): one copy for a whole value, where appending byte by byte checked the
    /// array's uniqueness and capacity for each.
    mutating func write(room: Int, _ body: (inout JSONCursor) -> Void) {
        if room > Self.keptRoom {
            // A value with a huge text: its memory is not kept for the writer's life.
            let memory = UnsafeMutablePointer<UInt8>.allocate(capacity: room)
            defer { memory.deallocate() }
            var cursor = JSONCursor(base: memory, limit: room)
            body(&cursor)
            bytes.append(contentsOf: UnsafeBufferPointer(start: memory, count: cursor.count))
            return
        }
        if scratch == nil || !isKnownUniquelyReferenced(&scratch) { scratch = JSONScratch() }
        guard let memory = scratch?.memory(room) else { return }
        var cursor = JSONCursor(base: memory, limit: room)
        body(&cursor)
        bytes.append(contentsOf: UnsafeBufferPointer(start: memory, count: cursor.count))
    }

    /// The most bytes ``JSONCursor/string(_:)`` writes for `text` (every byte escaped as \u00XX).
    static func room(_ text: String?) -> Int { text.map { $0.utf8.count * 6 + 2 } ?? 4 }

    /// The most bytes ``JSONCursor/integer(_:)`` writes (Int64.min has 20 characters).
    static let integerRoom = 20
}

/// A writer's scratch memory, kept from value to value (one writer's own, used only within
/// ``JSONWriter/write(room:_:)``).
private final class JSONScratch {
    private var pointer: UnsafeMutablePointer<UInt8>
    private var capacity: Int

    init() {
        capacity = 4096
        pointer = .allocate(capacity: capacity)
    }

    deinit { pointer.deallocate() }

    /// At least `count` bytes.
    func memory(_ count: Int) -> UnsafeMutablePointer<UInt8> {
        if count > capacity {
            pointer.deallocate()
            capacity = max(count, capacity * 2)
            pointer = .allocate(capacity: capacity)
        }
        return pointer
    }
}

/// Bytes written through a pointer into room set aside for them (the JSON and CSV cursors'
/// memory). Writing past the room stops the process: a wrong bound is a bug.
struct RoomCursor {
    private let base: UnsafeMutablePointer<UInt8>
    private let limit: Int
    private(set) var count = 0

    init(base: UnsafeMutablePointer<UInt8>, limit: Int) {
        self.base = base
        self.limit = limit
    }

    @inline(__always)
    mutating func byte(_ value: UInt8) {
        precondition(count < limit, "written past its room")
        base[count] = value
        count &+= 1
    }

    /// Appends `source` as it is.
    @inline(__always)
    mutating func copy(_ source: UnsafeBufferPointer<UInt8>) {
        guard let start = source.baseAddress, !source.isEmpty else { return }
        precondition(count + source.count <= limit, "written past its room")
        (base + count).update(from: start, count: source.count)
        count &+= source.count
    }

    /// Lets `write` put at most `room` bytes at the end; it returns how many it wrote.
    @inline(__always)
    mutating func write(room: Int, _ write: (UnsafeMutablePointer<UInt8>) -> Int) {
        precondition(count + room <= limit, "written past its room")
        count &+= write(base + count)
    }
}

/// Writes JSON values into room a ``JSONWriter`` set aside: as the writer's own methods do,
/// through a pointer.
struct JSONCursor {
    private var room: RoomCursor
    var count: Int { room.count }

    init(base: UnsafeMutablePointer<UInt8>, limit: Int) { room = RoomCursor(base: base, limit: limit) }

    @inline(__always)
    mutating func byte(_ value: UInt8) { room.byte(value) }

    mutating func open() { byte(UInt8(ascii: "[")) }

    mutating func close() { byte(UInt8(ascii: "]")) }

    mutating func comma() { byte(UInt8(ascii: ",")) }

    mutating func null() {
        byte(UInt8(ascii: "n"))
        byte(UInt8(ascii: "u"))
        byte(UInt8(ascii: "l"))
        byte(UInt8(ascii: "l"))
    }

    mutating func string(_ text: String?) {
        guard let text else { return null() }
        byte(UInt8(ascii: "\""))
        // A native string's bytes are read where they are (a copy to call the mutating `withUTF8`
        // on had retained and released every text written).
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { escaped($0) }
        if done == nil {
            var copy = text
            copy.withUTF8 { escaped($0) }
        }
        byte(UInt8(ascii: "\""))
    }

    /// `utf8`, escaped for a JSON string (without its quotes).
    private mutating func escaped(_ utf8: UnsafeBufferPointer<UInt8>) {
            if !Self.needsEscape(utf8) {
                // Most texts: copied whole.
                room.copy(utf8)
                return
            }
            for value in utf8 {
                switch value {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                    byte(UInt8(ascii: "\\"))
                    byte(value)
                case 0..<0x20:
                    byte(UInt8(ascii: "\\"))
                    byte(UInt8(ascii: "u"))
                    byte(UInt8(ascii: "0"))
                    byte(UInt8(ascii: "0"))
                    byte(Self.hex(value >> 4))
                    byte(Self.hex(value & 15))
                default:
                    byte(value)
                }
            }
    }

    /// Whether some byte is a control character, a quote or a backslash: eight bytes at a time
    /// (each test is exact for the word as a whole: a borrow only follows a byte that matched).
    static func needsEscape(_ utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let start = utf8.baseAddress else { return false }
        let raw = UnsafeRawPointer(start)
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        @inline(__always) func hasZeroByte(_ word: UInt64) -> Bool { (word &- ones) & ~word & highs != 0 }
        var index = 0
        while index &+ 8 <= utf8.count {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            if (word &- ones &* 0x20) & ~word & highs != 0 || hasZeroByte(word ^ (ones &* 0x22)) || hasZeroByte(word ^ (ones &* 0x5C)) {
                return true
            }
            index &+= 8
        }
        while index < utf8.count {
            let value = start[index]
            if value < 0x20 || value == UInt8(ascii: "\"") || value == UInt8(ascii: "\\") { return true }
            index &+= 1
        }
        return false
    }

    @inline(__always)
    private static func hex(_ nibble: UInt8) -> UInt8 { nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "a") &+ nibble &- 10 }

    mutating func integer(_ value: Int64?) {
        guard let value else { return null() }
        if value < 0 { byte(UInt8(ascii: "-")) }
        // Two digits at a time, right to left into a small buffer, then copied whole.
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { raw in
            guard let end = raw.baseAddress?.assumingMemoryBound(to: UInt8.self).advanced(by: raw.count) else { return }
            let written = writeDecimalDigits(value.magnitude, endingAt: end)
            room.copy(UnsafeBufferPointer(start: end - written, count: written))
        }
    }
}

/// A JSON scalar as stored in a statement.
enum JSONScalar: Equatable {
    case string(String)
    case integer(Int64)
    case null

    var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }
}

/// Why a stored statement could not be read (a database written by something else, or damaged).
struct MalformedStatement: Error, CustomStringConvertible {
    let reason: String
    var description: String { "a stored statement is malformed: \(reason)" }
}

/// Reads what ``JSONWriter`` writes: an array of arrays of strings, integers and nulls (any JSON
/// whitespace allowed). Nothing else is accepted.
struct JSONRows {
    /// The rows of the array in `bytes`, each at least `width` long. Strings past the first
    /// `materialized` values of a row are checked but not made (an empty string stands for
    /// them): an export reads a line's first values, not its five trace texts.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>, width: Int, materialized: Int = .max) throws(MalformedStatement) -> [[JSONScalar]] {
        var rows: [[JSONScalar]] = []
        try walk(bytes, width: width, materialized: materialized, kept: .max) { row in rows.append(row) }
        return rows
    }

    /// Each row of the lines array in `bytes` (at least `width` values each), its first four
    /// values given to `body` (component, order, amount, currency), the rest checked, not made.
    static func forEachLine(
        _ bytes: UnsafeBufferPointer<UInt8>, width: Int,
        _ body: (_ component: String, _ order: Int64, _ amount: Int64, _ currency: String) throws(MalformedStatement) -> Void
    ) throws(MalformedStatement) {
        try walk(bytes, width: width, materialized: 4, kept: 4) { first throws(MalformedStatement) in
            guard let component = first[0].string, let order = first[1].integer, let amount = first[2].integer, let currency = first[3].string
            else { throw MalformedStatement(reason: "a payout line lacks a value") }
            try body(component, order, amount, currency)
        }
    }

    /// Reads the array of arrays in `bytes`, giving `body` each row's first `kept` values (strings
    /// past the first `materialized` checked, not made); every row must have `width` values.
    private static func walk(
        _ bytes: UnsafeBufferPointer<UInt8>, width: Int, materialized: Int, kept: Int,
        _ body: ([JSONScalar]) throws(MalformedStatement) -> Void
    ) throws(MalformedStatement) {
        var reader = Reader(bytes: bytes)
        try reader.expect(UInt8(ascii: "["))
        if try reader.peek() == UInt8(ascii: "]") {
            reader.position += 1
        } else {
            var row: [JSONScalar] = []
            row.reserveCapacity(min(width, kept))
            while true {
                try reader.expect(UInt8(ascii: "["))
                row.removeAll(keepingCapacity: true)
                var count = 0
                if try reader.peek() == UInt8(ascii: "]") {
                    reader.position += 1
                } else {
                    while true {
                        let value = try reader.scalar(keep: count < materialized)
                        if count < kept { row.append(value) }
                        count += 1
                        if try reader.separator(closing: UInt8(ascii: "]")) { break }
                    }
                }
                guard count >= width else { throw MalformedStatement(reason: "an entry has \(count) values, not \(width)") }
                try body(row)
                if try reader.separator(closing: UInt8(ascii: "]")) { break }
            }
        }
        reader.skipSpace()
        guard reader.position == bytes.count else { throw MalformedStatement(reason: "text after the array") }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        mutating func skipSpace() {
            while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
        }

        mutating func peek() throws(MalformedStatement) -> UInt8 {
            skipSpace()
            guard position < bytes.count else { throw MalformedStatement(reason: "the text ends early") }
            return bytes[position]
        }

        mutating func expect(_ byte: UInt8) throws(MalformedStatement) {
            guard try peek() == byte else { throw MalformedStatement(reason: "expected '\(Character(Unicode.Scalar(byte)))'") }
            position += 1
        }

        /// Consumes a comma (false) or `closing` (true).
        mutating func separator(closing: UInt8) throws(MalformedStatement) -> Bool {
            let byte = try peek()
            position += 1
            if byte == UInt8(ascii: ",") { return false }
            if byte == closing { return true }
            throw MalformedStatement(reason: "expected ',' or ']'")
        }

        mutating func scalar(keep: Bool = true) throws(MalformedStatement) -> JSONScalar {
            let first = try peek()
            switch first {
            case UInt8(ascii: "\""):
                return .string(try string(keep: keep))
            case UInt8(ascii: "n"):
                guard position + 4 <= bytes.count, bytes[position + 1] == UInt8(ascii: "u"), bytes[position + 2] == UInt8(ascii: "l"),
                    bytes[position + 3] == UInt8(ascii: "l")
                else { throw MalformedStatement(reason: "expected null") }
                position += 4
                return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                var negative = false
                if first == UInt8(ascii: "-") {
                    negative = true
                    position += 1
                }
                var magnitude: UInt64 = 0
                let start = position
                while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
                    let (times, overflow) = magnitude.multipliedReportingOverflow(by: 10)
                    let (sum, carry) = times.addingReportingOverflow(UInt64(bytes[position] - UInt8(ascii: "0")))
                    guard !overflow, !carry else { throw MalformedStatement(reason: "an integer out of range") }
                    magnitude = sum
                    position += 1
                }
                guard position > start else { throw MalformedStatement(reason: "expected a digit") }
                if negative {
                    guard magnitude <= UInt64(Int64.max) + 1 else { throw MalformedStatement(reason: "an integer out of range") }
                    return .integer(magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude))
                }
                guard magnitude <= UInt64(Int64.max) else { throw MalformedStatement(reason: "an integer out of range") }
                return .integer(Int64(magnitude))
            default:
                throw MalformedStatement(reason: "expected a string, an integer or null")
            }
        }

        /// A string, or with `keep` false an empty one once the string is checked.
        mutating func string(keep: Bool = true) throws(MalformedStatement) -> String {
            position += 1  // the opening quote
            let start = position
            // Fast path: no escapes.
            while position < bytes.count, bytes[position] != UInt8(ascii: "\""), bytes[position] != UInt8(ascii: "\\") { position += 1 }
            guard position < bytes.count else { throw MalformedStatement(reason: "a string is not closed") }
            if bytes[position] == UInt8(ascii: "\"") {
                position += 1
                return keep ? String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position - 1]), as: UTF8.self) : ""
            }
            var out = Array(bytes[start..<position])
            while true {
                guard position < bytes.count else { throw MalformedStatement(reason: "a string is not closed") }
                let byte = bytes[position]
                position += 1
                if byte == UInt8(ascii: "\"") { break }
                guard byte == UInt8(ascii: "\\") else {
                    out.append(byte)
                    continue
                }
                guard position < bytes.count else { throw MalformedStatement(reason: "a string is not closed") }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar), position + 6 <= bytes.count, bytes[position] == UInt8(ascii: "\\"),
                        bytes[position + 1] == UInt8(ascii: "u")
                    {
                        position += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw MalformedStatement(reason: "a broken surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw MalformedStatement(reason: "a broken surrogate pair") }
                    out.append(contentsOf: String(Character(unicode)).utf8)
                default:
                    throw MalformedStatement(reason: "an unknown escape")
                }
            }
            return keep ? String(decoding: out, as: UTF8.self) : ""
        }

        mutating func hex4() throws(MalformedStatement) -> UInt32 {
            guard position + 4 <= bytes.count else { throw MalformedStatement(reason: "a short \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[position]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw MalformedStatement(reason: "a bad \\u escape")
                }
                value = value << 4 | UInt32(digit)
                position += 1
            }
            return value
        }
    }
}

/// One payee-period-plan's lines and measures, as they are grouped for storage.
struct StatementGroup {
    let rep: String
    let period: String
    let plan: String
    /// Where the group's lines and measures are in ``StatementGroups/lineOrder`` and
    /// ``StatementGroups/measureOrder``.
    var lines: Range<Int>
    var measures: Range<Int>
}

/// A part's lines and measures grouped by (rep, period, plan), in first-seen order, each group's
/// sorted by order. A group is a range of positions: in a one-plan run's part they are the part's
/// own positions (no index list is made), otherwise positions in an index list.
struct StatementGroups {
    var groups: [StatementGroup] = []
    /// The part's payout indexes, group after group; `nil` when they are the positions themselves.
    var lineOrder: [Int]? = nil
    /// The part's measure indexes, likewise.
    var measureOrder: [Int]? = nil

    /// The payout index at `position` of a group's lines.
    @inline(__always)
    func line(_ position: Int) -> Int { lineOrder?[position] ?? position }

    /// The measure index at `position` of a group's measures.
    @inline(__always)
    func measure(_ position: Int) -> Int { measureOrder?[position] ?? position }

    /// The payout indexes of `group`'s lines.
    func lines(of group: StatementGroup) -> [Int] { group.lines.map(line) }

    /// The measure indexes of `group`'s measures.
    func measures(of group: StatementGroup) -> [Int] { group.measures.map(measure) }
}

extension StatementGroup {
    /// The part's lines and measures grouped by (rep, period, plan), in first-seen order.
    static func groups(of part: RunOutput) -> StatementGroups {
        if let sorted = sortedGroups(of: part) { return sorted }
        // By hashing: each group's indexes, sorted by order, then laid end to end.
        let lists = hashedGroups(of: part)
        var grouping = StatementGroups()
        var lineOrder: [Int] = []
        var measureOrder: [Int] = []
        lineOrder.reserveCapacity(part.payouts.count)
        measureOrder.reserveCapacity(part.measures.count)
        for list in lists {
            let lineStart = lineOrder.count
            lineOrder.append(contentsOf: stablySorted(list.lines) { part.payouts[$0].order < part.payouts[$1].order })
            let measureStart = measureOrder.count
            measureOrder.append(contentsOf: stablySorted(list.measures) { part.measures[$0].order < part.measures[$1].order })
            grouping.groups.append(
                StatementGroup(
                    rep: list.rep, period: list.period, plan: list.plan, lines: lineStart..<lineOrder.count,
                    measures: measureStart..<measureOrder.count))
        }
        grouping.lineOrder = lineOrder
        grouping.measureOrder = measureOrder
        return grouping
    }

    private static func precedes(_ a: (String, String, String), _ b: (String, String, String)) -> Bool {
        keyPrecedes(rep: a.0, period: a.1, plan: a.2, rep: b.0, period: b.1, plan: b.2)
    }

    /// The groups when lines and measures each come in (rep, period, plan) order, each statement's
    /// by order, and every measure's statement has lines (a one-plan run's parts): no hashing, no
    /// index lists. `nil` otherwise.
    private static func sortedGroups(of part: RunOutput) -> StatementGroups? {
        var groups: [StatementGroup] = []
        let ordered: Bool = part.payouts.withUnsafeBufferPointer { payouts in
            var start = 0
            while start < payouts.count {
                guard let end = statementEnd(payouts, from: start) else { return false }
                if let last = groups.last,
                    !precedes((last.rep, last.period, last.plan), (payouts[start].rep, payouts[start].period, payouts[start].plan))
                {
                    return false
                }
                groups.append(
                    StatementGroup(
                        rep: payouts[start].rep, period: payouts[start].period, plan: payouts[start].plan, lines: start..<end,
                        measures: 0..<0))
                start = end
            }
            return true
        }
        guard ordered else { return nil }
        var cursor = 0
        let found: Bool = part.measures.withUnsafeBufferPointer { measures in
            var position = 0
            while position < measures.count {
                while cursor < groups.count,
                    !sameBytes(groups[cursor].rep, measures[position].rep) || !sameBytes(groups[cursor].period, measures[position].period)
                        || !sameBytes(groups[cursor].plan, measures[position].plan)
                {
                    // Only forward: a measure before the cursor's statement has no statement of lines.
                    guard
                        precedes(
                            (groups[cursor].rep, groups[cursor].period, groups[cursor].plan),
                            (measures[position].rep, measures[position].period, measures[position].plan))
                    else { return false }
                    cursor += 1
                }
                guard cursor < groups.count, let end = statementEnd(measures, from: position) else { return false }
                groups[cursor].measures = position..<end
                position = end
                cursor += 1
            }
            return true
        }
        return found ? StatementGroups(groups: groups) : nil
    }

    /// Where the statement of `items[start]` ends: past the items after it with the same (rep,
    /// period, plan). `nil` when their orders do not ascend (the statement needs sorting).
    private static func statementEnd<Row: ExportRow>(_ items: UnsafeBufferPointer<Row>, from start: Int) -> Int? {
        var end = start + 1
        while end < items.count, sameBytes(items[start].rep, items[end].rep), sameBytes(items[start].period, items[end].period),
            sameBytes(items[start].plan, items[end].plan)
        {
            if items[end].order < items[end - 1].order { return nil }
            end += 1
        }
        return end
    }

    /// Each statement's indexes in first-seen order, found through a hash table.
    private static func hashedGroups(of part: RunOutput) -> [(rep: String, period: String, plan: String, lines: [Int], measures: [Int])] {
        var groups: [(rep: String, period: String, plan: String, lines: [Int], measures: [Int])] = []
        var index: [StatementKey: Int] = [:]
        func group(_ rep: String, _ period: String, _ plan: String) -> Int {
            // Lines of a statement come together: most lookups are the previous line's.
            if let last = groups.indices.last, sameBytes(groups[last].rep, rep), sameBytes(groups[last].period, period),
                sameBytes(groups[last].plan, plan)
            {
                return last
            }
            let key = StatementKey(rep: rep, period: period, plan: plan)
            if let found = index[key] { return found }
            groups.append((rep, period, plan, [], []))
            index[key] = groups.count - 1
            return groups.count - 1
        }
        for (position, line) in part.payouts.enumerated() { groups[group(line.rep, line.period, line.plan)].lines.append(position) }
        for (position, value) in part.measures.enumerated() {
            groups[group(value.rep, value.period, value.plan)].measures.append(position)
        }
        return groups
    }
}

/// A statement's (rep, period, plan), equal and hashed by bytes.
private struct StatementKey: Hashable {
    let rep: String
    let period: String
    let plan: String

    static func == (a: StatementKey, b: StatementKey) -> Bool {
        sameBytes(a.rep, b.rep) && sameBytes(a.period, b.period) && sameBytes(a.plan, b.plan)
    }

    func hash(into hasher: inout Hasher) {
        hashBytes(rep, into: &hasher)
        hashBytes(period, into: &hasher)
        hashBytes(plan, into: &hasher)
    }
}

/// The fields of one stored line, as the statement writer and the v5 migration hand them over.
struct StoredLine {
    var component: String
    var order: Int64
    var amount: Int64
    var currency: String
    var trace: Int64?
    var rule: Int64?
    var tier: String?
    var rate: String?
    var base: String?
    var limit: String?
    var count: Int64?
    /// Where the line's transaction set is in the statement's blob.
    var span: (offset: Int64, bytes: Int64)?

    func write(to json: inout JSONWriter) {
        Self.write(
            component: component, order: order, amount: amount, currency: currency, trace: trace, rule: rule, tier: tier, rate: rate,
            base: base, limit: limit, count: count, span: span, to: &json)
    }

    /// A line's JSON array from its fields, which a caller may pass from where they are stored
    /// (a ``StoredLine`` made of a run's line and trace retained and released each of its texts).
    static func write(
        component: String, order: Int64, amount: Int64, currency: String, trace: Int64?, rule: Int64?, tier: String?, rate: String?,
        base: String?, limit: String?, count: Int64?, span: (offset: Int64, bytes: Int64)?, to json: inout JSONWriter
    ) {
        // Brackets and commas, seven integers, six strings.
        let room =
            2 + 12 + 7 * JSONWriter.integerRoom + JSONWriter.room(component) + JSONWriter.room(currency) + JSONWriter.room(tier)
            + JSONWriter.room(rate) + JSONWriter.room(base) + JSONWriter.room(limit)
        json.write(room: room) { json in
            json.open()
            json.string(component)
            json.comma()
            json.integer(order)
            json.comma()
            json.integer(amount)
            json.comma()
            json.string(currency)
            json.comma()
            json.integer(trace)
            json.comma()
            json.integer(rule)
            json.comma()
            json.string(tier)
            json.comma()
            json.string(rate)
            json.comma()
            json.string(base)
            json.comma()
            json.string(limit)
            json.comma()
            json.integer(count)
            json.comma()
            json.integer(span?.offset)
            json.comma()
            json.integer(span?.bytes)
            json.close()
        }
    }
}

/// A statement's transaction sets, each stored once (most lines of a payee-period read the same
/// credits).
struct TransactionSets {
    var blob: [UInt8] = []
    private var stored: [(set: RowSet, offset: Int)] = []

    /// Where `set` is in the blob (appended the first time).
    mutating func span(of set: RowSet) -> (offset: Int64, bytes: Int64) {
        if let earlier = stored.first(where: { $0.set == set }) {
            return (Int64(earlier.offset), Int64(set.encoded.count))
        }
        let offset = blob.count
        blob.append(contentsOf: set.encoded)
        stored.append((set, offset))
        return (Int64(offset), Int64(set.encoded.count))
    }

    mutating func reset() {
        blob.removeAll(keepingCapacity: true)
        stored.removeAll(keepingCapacity: true)
    }
}

/// A measure's stored fields.
func writeMeasure(_ value: MeasureValue, to json: inout JSONWriter) {
    withUnsafePointer(to: value) { writeMeasure(at: $0, to: &json) }
}

/// ``writeMeasure(_:to:)`` of the measure at `value`, read in place (a copy of it retained and
/// released its texts).
func writeMeasure(at value: UnsafePointer<MeasureValue>, to json: inout JSONWriter) {
    // Brackets and commas, three integers, two strings (through room for the whole measure, as
    // a line is written).
    let unit = value.pointee.unit?.code
    let text = value.pointee.text
    let room = 2 + 4 + 3 * JSONWriter.integerRoom + JSONWriter.room(value.pointee.measure) + JSONWriter.room(unit) + JSONWriter.room(text)
    json.write(room: room) { json in
        json.open()
        json.string(value.pointee.measure)
        json.comma()
        json.integer(Int64(value.pointee.order))
        json.comma()
        // No value for the payee and period, or one that is not a number: null (the measures
        // view reads it as NULL).
        if let stored = value.pointee.value { json.integer(stored.units) } else { json.null() }
        json.comma()
        json.integer(Int64(value.pointee.digits))
        if let unit {
            json.comma()
            json.string(unit)
            // A condition's, date's or text's value, after its unit (its own column in the view).
            if let text {
                json.comma()
                json.string(text)
            }
        }
        json.close()
    }
}
