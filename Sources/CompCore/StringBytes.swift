#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Strings compared, ordered and hashed by their UTF-8 bytes, as SQLite, the exports and the
// loader's tables see them (Swift's own `==` and `<` on strings use canonical equivalence).

/// The two words a `String` is made of. Equal bits are equal bytes (see ``sameBytes(_:_:)``)
/// for as long as one of the strings is alive: a cache keyed by them keeps its strings.
public struct StringBits: Equatable, Sendable {
    public let low: UInt64
    public let high: UInt64

    /// The bits of `string`; `nil` where a `String` is not two words.
    @inlinable @inline(__always)
    public init?(_ string: String) {
        guard MemoryLayout<String>.size == 16 else { return nil }
        (low, high) = withUnsafeBytes(of: string) { ($0.loadUnaligned(as: UInt64.self), $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) }
    }

    /// A mix of the bits, for a small table.
    @inlinable
    public var hash: UInt64 {
        let mixed = (low ^ (high &* 0x9E37_79B9_7F4A_7C15)) &* 0xBF58_476D_1CE4_E5B9
        return mixed ^ (mixed >> 31)
    }
}

/// True when `a` and `b` have the same UTF-8 bytes. Swift's `==` on strings compares canonical
/// equivalence ("é" precomposed equals "e" + combining accent): two rep ids or rule texts that
/// differ in their bytes are different here, as they are to SQLite and in the exports.
@inlinable @inline(__always)
public func sameBytes(_ a: String, _ b: String) -> Bool {
    // Equal bits are equal bytes: a small string holds its bytes inline, and a large one points
    // at storage no one can change while both strings share it. Most comparisons end here.
    if let x = StringBits(a), let y = StringBits(b), x == y { return true }
    guard a.utf8.count == b.utf8.count else { return false }
    var a = a
    var b = b
    return a.withUTF8 { x in
        b.withUTF8 { y in
            guard let p = x.baseAddress, let q = y.baseAddress else { return true }
            return memcmp(p, q, x.count) == 0
        }
    }
}

/// True when `a`'s UTF-8 bytes sort before `b`'s (memcmp order; a prefix first). The generic
/// `utf8.lexicographicallyPrecedes` walked the views byte by byte through their iterators.
@inlinable @inline(__always)
public func bytesPrecede(_ a: String, _ b: String) -> Bool {
    var a = a
    var b = b
    return a.withUTF8 { x in
        b.withUTF8 { y in
            let common = min(x.count, y.count)
            if common > 0, let p = x.baseAddress, let q = y.baseAddress {
                let order = memcmp(p, q, common)
                if order != 0 { return order < 0 }
            }
            return x.count < y.count
        }
    }
}

/// Feeds a string's UTF-8 bytes to `hasher` (the hash that goes with ``sameBytes(_:_:)``).
public func hashBytes(_ text: String, into hasher: inout Hasher) {
    var text = text
    text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    hasher.combine(0xFF as UInt8)  // ends the field: ("ab", "c") and ("a", "bc") differ
}


/// `items` sorted by the UTF-8 bytes of `key(item)`, as ``bytesPrecede(_:_:)`` orders them
/// (memcmp order, a prefix first); items with equal keys in no particular order. Each key's first
/// 16 bytes are read once, as two big-endian words compared as integers: sorting 10,000 rep ids
/// through ``bytesPrecede(_:_:)`` spent most of its time getting at the strings' bytes.
@inlinable
public func sortedByBytes<T>(_ items: [T], key: (T) -> String) -> [T] {
    // Zero-padded words order a shorter key first when it is a prefix of a longer one, unless
    // the longer continues with a NUL byte: such ties, and keys past 16 bytes, are compared whole.
    var keyed: [(high: UInt64, low: UInt64, length: Int, index: Int)] = []
    keyed.reserveCapacity(items.count)
    for (index, item) in items.enumerated() {
        var text = key(item)
        let (high, low, length) = text.withUTF8 { bytes -> (UInt64, UInt64, Int) in
            var high: UInt64 = 0
            var low: UInt64 = 0
            for position in 0..<min(16, bytes.count) {
                let shift = UInt64(8 * (7 - position % 8))
                if position < 8 { high |= UInt64(bytes[position]) << shift } else { low |= UInt64(bytes[position]) << shift }
            }
            return (high, low, bytes.count)
        }
        keyed.append((high, low, length, index))
    }
    keyed.sort { a, b in
        if a.high != b.high { return a.high < b.high }
        if a.low != b.low { return a.low < b.low }
        if a.length <= 16 && b.length <= 16 && a.length == b.length { return false }
        return bytesPrecede(key(items[a.index]), key(items[b.index]))
    }
    return keyed.map { items[$0.index] }
}

extension Array where Element == UInt8 {
    /// Appends `text`'s UTF-8 bytes in one copy (appending a `String.UTF8View` went through the
    /// generic sequence path: about 170 instructions for three bytes).
    @inlinable
    public mutating func appendUTF8(_ text: String) {
        let copied: Void? = text.utf8.withContiguousStorageIfAvailable { append(contentsOf: $0) }
        if copied == nil { append(contentsOf: text.utf8) }
    }

    /// Appends the bytes of a literal in one copy.
    @inlinable
    public mutating func appendLiteral(_ text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }
}

/// Whether a spreadsheet opening a CSV file may run a cell starting like `text` as a formula
/// (`=`, `+`, `-` or `@` first): a rep id or a text value written into an export.
public func startsLikeFormula(_ text: String) -> Bool {
    guard let first = text.utf8.first else { return false }
    return first == UInt8(ascii: "=") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-") || first == UInt8(ascii: "@")
}
