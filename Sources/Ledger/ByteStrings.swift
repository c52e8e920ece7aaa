import CompCShims

/// A fast, seeded hash of a byte string (multiply-xorshift over 8-byte words).
@inline(__always)
func hashBytes(_ start: UnsafePointer<UInt8>, _ count: Int, seed: UInt64) -> UInt64 {
    var hash = seed ^ (UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15)
    var index = 0
    let raw = UnsafeRawPointer(start)
    while index &+ 8 <= count {
        let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        hash = (hash ^ word) &* 0xBF58_476D_1CE4_E5B9
        hash ^= hash >> 31
        index &+= 8
    }
    if index < count {
        var word: UInt64 = 0
        var shift: UInt64 = 0
        while index < count {
            word |= UInt64(start[index]) << shift
            shift &+= 8
            index &+= 1
        }
        hash = (hash ^ word) &* 0x94D0_49BB_1331_11EB
        hash ^= hash >> 29
    }
    hash = (hash ^ (hash >> 32)) &* 0xD6E8_FEB8_6659_FD93
    return hash ^ (hash >> 32)
}

/// One random seed per process: hash-flooding a table with crafted ids then needs the seed.
/// Output never depends on it (tables are looked up, never iterated in hash order).
let processHashSeed: UInt64 = UInt64.random(in: 0...UInt64.max)

/// A key as the table sees it: up to 16 bytes inline (zero-padded), or a hash for longer keys.
struct KeyWords {
    var w0: UInt64
    var w1: UInt64
    var length: UInt32

    /// The key of `count` bytes at `start`. With `readable` ≥ 16 (bytes that may be read from
    /// `start` on), short keys are loaded as two words and masked instead of copied byte by byte.
    @inline(__always)
    init(_ start: UnsafePointer<UInt8>, _ count: Int, seed: UInt64, readable: Int = 0) {
        length = UInt32(truncatingIfNeeded: count)
        if count <= 16 {
            if readable >= 16 {
                let raw = UnsafeRawPointer(start)
                let a = raw.loadUnaligned(as: UInt64.self)
                let b = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                w0 = count >= 8 ? a : a & ((1 &<< UInt64(count &* 8)) &- 1)
                w1 = count >= 16 ? b : (count <= 8 ? 0 : b & ((1 &<< UInt64((count &- 8) &* 8)) &- 1))
            } else {
                var pair: (UInt64, UInt64) = (0, 0)
                withUnsafeMutableBytes(of: &pair) { $0.copyMemory(from: UnsafeRawBufferPointer(start: start, count: count)) }
                w0 = pair.0
                w1 = pair.1
            }
        } else {
            w0 = hashBytes(start, count, seed: seed)
            w1 = 0
        }
    }

    @inline(__always)
    func hash(_ seed: UInt64) -> UInt64 {
        var h = (w0 ^ seed) &* 0x9E37_79B9_7F4A_7C15
        h ^= (w1 &+ UInt64(length)) &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 29
        h = h &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 32)
    }
}

/// An interning table of byte strings: each distinct string gets a dense code in first-seen order.
///
/// Open addressing with linear probing. Keys of up to 16 bytes (most ids, products, regions) are
/// compared inline in the slot, without touching the arena; longer keys compare a hash and then
/// the bytes. Not thread-safe: each loader worker owns one, and tables are merged afterwards.
struct ByteStringTable: Sendable {
    private struct Slot: Sendable {
        var w0: UInt64 = 0
        var w1: UInt64 = 0
        var length: UInt32 = 0
        /// Code + 1; 0 = empty.
        var code: UInt32 = 0
    }

    private(set) var arena: [UInt8] = []
    /// Start offset of each string in `arena`, plus a final end offset.
    private(set) var offsets: [Int] = [0]
    private var slots: [Slot]
    private var mask: Int
    /// The hash seed, copied once from ``processHashSeed`` (no global access per lookup).
    let seed: UInt64 = processHashSeed

    init(expected: Int = 16) {
        var size = 16
        while size * 3 < expected * 4 { size <<= 1 }
        slots = [Slot](repeating: Slot(), count: size)
        mask = size - 1
    }

    var count: Int { offsets.count - 1 }

    /// The code of the string, or -1 when absent.
    @inline(__always)
    func find(_ start: UnsafePointer<UInt8>, _ length: Int, readable: Int = 0) -> Int32 {
        find(KeyWords(start, length, seed: seed, readable: readable), start, length)
    }

    /// The key of the string, and a request that the slot where its lookup starts be brought into
    /// the cache: a scan that does other work before ``find(_:_:_:)`` hides most of the miss (a
    /// table of 10,000 reps is larger than a core's L2 cache, and half the cost of a lookup had
    /// been that load).
    @inline(__always)
    func prefetch(_ start: UnsafePointer<UInt8>, _ length: Int, readable: Int = 0) -> KeyWords {
        let key = KeyWords(start, length, seed: seed, readable: readable)
        let slot = Int(truncatingIfNeeded: key.hash(seed)) & mask
        slots.withUnsafeBufferPointer { slots in
            if let base = slots.baseAddress { comp_prefetch(base + slot) }
        }
        return key
    }

    /// The code of the string of `key` (``KeyWords``, made from `start` and `length`), or -1.
    @inline(__always)
    func find(_ key: KeyWords, _ start: UnsafePointer<UInt8>, _ length: Int) -> Int32 {
        slots.withUnsafeBufferPointer { slots in
            var slot = Int(truncatingIfNeeded: key.hash(seed)) & mask
            while true {
                let entry = slots[slot]
                if entry.code == 0 { return -1 }
                if entry.w0 == key.w0 && entry.w1 == key.w1 && entry.length == key.length
                    && (length <= 16 || equals(Int(entry.code &- 1), start, length))
                {
                    return Int32(entry.code &- 1)
                }
                slot = (slot &+ 1) & mask
            }
        }
    }

    /// The code of the string, adding it when absent.
    @inline(__always)
    mutating func intern(_ start: UnsafePointer<UInt8>, _ length: Int, readable: Int = 0) -> UInt32 {
        let key = KeyWords(start, length, seed: seed, readable: readable)
        var slot = Int(truncatingIfNeeded: key.hash(seed)) & mask
        let found: UInt32? = slots.withUnsafeBufferPointer { slots in
            while true {
                let entry = slots[slot]
                if entry.code == 0 { return nil }
                if entry.w0 == key.w0 && entry.w1 == key.w1 && entry.length == key.length
                    && (length <= 16 || equals(Int(entry.code &- 1), start, length))
                {
                    return entry.code &- 1
                }
                slot = (slot &+ 1) & mask
            }
        }
        if let found { return found }
        let code = count
        arena.append(contentsOf: UnsafeBufferPointer(start: start, count: length))
        offsets.append(arena.count)
        slots[slot] = Slot(w0: key.w0, w1: key.w1, length: key.length, code: UInt32(code + 1))
        if count * 4 > slots.count * 3 { grow() }
        return UInt32(code)
    }

    @inline(__always)
    private func equals(_ code: Int, _ start: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        let lower = offsets[code]
        let upper = offsets[code + 1]
        if upper - lower != length { return false }
        return arena.withUnsafeBufferPointer { arena in
            guard let base = arena.baseAddress else { return length == 0 }
            return length == 0 || memcmpBytes(base + lower, start, length)
        }
    }

    private mutating func grow() {
        let old = slots
        let size = slots.count * 2
        slots = [Slot](repeating: Slot(), count: size)
        mask = size - 1
        for entry in old where entry.code != 0 {
            let key = KeyWords(w0: entry.w0, w1: entry.w1, length: entry.length)
            var slot = Int(truncatingIfNeeded: key.hash(seed)) & mask
            while slots[slot].code != 0 { slot = (slot + 1) & mask }
            slots[slot] = entry
        }
    }

    /// The bytes of `code`.
    func bytes(_ code: Int) -> ArraySlice<UInt8> { arena[offsets[code]..<offsets[code + 1]] }

    /// The string of `code` (bytes were validated as UTF-8 before interning).
    func string(_ code: Int) -> String { String(decoding: bytes(code), as: UTF8.self) }
}

extension KeyWords {
    @inline(__always)
    init(w0: UInt64, w1: UInt64, length: UInt32) {
        self.w0 = w0
        self.w1 = w1
        self.length = length
    }
}

@inline(__always)
func memcmpBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    var index = 0
    let ra = UnsafeRawPointer(a)
    let rb = UnsafeRawPointer(b)
    while index &+ 8 <= count {
        if ra.loadUnaligned(fromByteOffset: index, as: UInt64.self) != rb.loadUnaligned(fromByteOffset: index, as: UInt64.self) {
            return false
        }
        index &+= 8
    }
    while index < count {
        if a[index] != b[index] { return false }
        index &+= 1
    }
    return true
}

/// -1, 0, 1 comparing byte strings in byte order.
@inline(__always)
func compareBytes(_ a: UnsafePointer<UInt8>, _ aCount: Int, _ b: UnsafePointer<UInt8>, _ bCount: Int) -> Int {
    let common = min(aCount, bCount)
    var index = 0
    // Eight bytes at a time (the loader compares every id with the one before it, and ids share
    // long prefixes); as big-endian words, their order is the bytes' order.
    let ra = UnsafeRawPointer(a)
    let rb = UnsafeRawPointer(b)
    while index &+ 8 <= common {
        let x = ra.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        let y = rb.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        if x != y { return UInt64(bigEndian: x) < UInt64(bigEndian: y) ? -1 : 1 }
        index &+= 8
    }
    while index < common {
        let x = a[index]
        let y = b[index]
        if x != y { return x < y ? -1 : 1 }
        index &+= 1
    }
    return aCount == bCount ? 0 : (aCount < bCount ? -1 : 1)
}

/// True when the bytes are valid UTF-8 (ASCII fast path).
@inline(__always)
func isValidUTF8(_ start: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    var index = 0
    var accumulated: UInt8 = 0
    while index < count {
        accumulated |= start[index]
        index &+= 1
    }
    if accumulated < 0x80 { return true }
    return validateUTF8Slow(UnsafeBufferPointer(start: start, count: count))
}

/// ``isValidUTF8(_:_:)`` for a short field with at least 16 bytes readable from `start` (in the
/// read buffer): its bytes are checked as two words, without a loop.
@inline(__always)
func isValidUTF8(_ start: UnsafePointer<UInt8>, _ count: Int, readable: Int) -> Bool {
    guard count <= 16 && readable >= 16 else { return isValidUTF8(start, count) }
    let raw = UnsafeRawPointer(start)
    let a = raw.loadUnaligned(as: UInt64.self)
    let b = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
    // Only the field's own bytes count; what follows it in the buffer is masked off.
    let first = count >= 8 ? a : a & ((1 &<< UInt64(count &* 8)) &- 1)
    let second = count >= 16 ? b : (count <= 8 ? 0 : b & ((1 &<< UInt64((count &- 8) &* 8)) &- 1))
    if (first | second) & 0x8080_8080_8080_8080 == 0 { return true }
    return validateUTF8Slow(UnsafeBufferPointer(start: start, count: count))
}

private func validateUTF8Slow(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var decoder = UTF8()
    var iterator = bytes.makeIterator()
    while true {
        switch decoder.decode(&iterator) {
        case .scalarValue: continue
        case .emptyInput: return true
        case .error: return false
        }
    }
}

/// Whether the `length` bytes at `start` (valid UTF-8) start or end with a blank, or with a space
/// past ASCII: a next line or no-break space (C2 85, C2 A0), the Ogham space mark (E1 9A 80), the
/// spaces U+2000–U+200A, the line and paragraph separators, the narrow no-break space (E2 80 ..),
/// the medium mathematical space (E2 81 9F) or the ideographic space (E3 80 80). On the bytes, so
/// an id such as `Vertrag-Ü` stays on the scan's plain path.
@inline(__always)
func hasSpaceAround(_ start: UnsafePointer<UInt8>, _ length: Int) -> Bool {
    guard length > 0 else { return false }
    if start[0] == 0x20 || start[length &- 1] == 0x20 { return true }
    guard length >= 2 && (start[0] >= 0x80 || start[length &- 1] >= 0x80) else { return false }
    @inline(__always) func isWideSpace(_ a: UInt8, _ b: UInt8, _ c: UInt8?) -> Bool {
        if a == 0xC2 { return b == 0x85 || b == 0xA0 }
        guard let c else { return false }
        switch a {
        case 0xE1: return b == 0x9A && c == 0x80
        case 0xE2: return (b == 0x80 && (c <= 0x8A || c == 0xA8 || c == 0xA9 || c == 0xAF)) || (b == 0x81 && c == 0x9F)
        case 0xE3: return b == 0x80 && c == 0x80
        default: return false
        }
    }
    if isWideSpace(start[0], start[1], length >= 3 ? start[2] : nil) { return true }
    let end = length &- 1
    if isWideSpace(start[end &- 1], start[end], nil) { return true }
    return length >= 3 && isWideSpace(start[end &- 2], start[end &- 1], start[end])
}
