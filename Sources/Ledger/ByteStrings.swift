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

/// An interning table of byte strings: each distinct string gets a dense code in first-seen order.
///
/// Open addressing with linear probing; keys live in one arena. Not thread-safe: each loader worker
/// owns one, and tables are merged afterwards.
struct ByteStringTable {
    private(set) var arena: [UInt8] = []
    /// Start offset of each string in `arena`, plus a final end offset.
    private(set) var offsets: [Int] = [0]
    private var hashes: [UInt64] = []
    /// Code + 1 per slot; 0 = empty.
    private var slots: [UInt32]
    private var mask: Int

    init(expected: Int = 16) {
        var size = 16
        while size < expected * 2 { size <<= 1 }
        slots = [UInt32](repeating: 0, count: size)
        mask = size - 1
    }

    var count: Int { offsets.count - 1 }

    /// The code of the string, or -1 when absent.
    @inline(__always)
    func find(_ start: UnsafePointer<UInt8>, _ length: Int) -> Int32 {
        find(start, length, hash: hashBytes(start, length, seed: processHashSeed))
    }

    @inline(__always)
    func find(_ start: UnsafePointer<UInt8>, _ length: Int, hash: UInt64) -> Int32 {
        slots.withUnsafeBufferPointer { slots in
            var slot = Int(truncatingIfNeeded: hash) & mask
            while true {
                let entry = slots[slot]
                if entry == 0 { return -1 }
                let code = Int(entry &- 1)
                if hashes[code] == hash && equals(code, start, length) { return Int32(code) }
                slot = (slot &+ 1) & mask
            }
        }
    }

    /// The code of the string, adding it when absent.
    @inline(__always)
    mutating func intern(_ start: UnsafePointer<UInt8>, _ length: Int) -> UInt32 {
        let hash = hashBytes(start, length, seed: processHashSeed)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            let code = Int(entry &- 1)
            if hashes[code] == hash && equals(code, start, length) { return UInt32(code) }
            slot = (slot &+ 1) & mask
        }
        let code = count
        arena.append(contentsOf: UnsafeBufferPointer(start: start, count: length))
        offsets.append(arena.count)
        hashes.append(hash)
        slots[slot] = UInt32(code + 1)
        if count * 2 > slots.count { grow() }
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
        let size = slots.count * 2
        slots = [UInt32](repeating: 0, count: size)
        mask = size - 1
        for code in 0..<count {
            var slot = Int(truncatingIfNeeded: hashes[code]) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = UInt32(code + 1)
        }
    }

    /// The bytes of `code`.
    func bytes(_ code: Int) -> ArraySlice<UInt8> { arena[offsets[code]..<offsets[code + 1]] }

    /// The string of `code` (bytes were validated as UTF-8 before interning).
    func string(_ code: Int) -> String { String(decoding: bytes(code), as: UTF8.self) }
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
