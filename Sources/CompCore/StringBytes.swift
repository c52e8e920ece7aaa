#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Strings compared, ordered and hashed by their UTF-8 bytes, as SQLite, the exports and the
// loader's tables see them (Swift's own `==` and `<` on strings use canonical equivalence).

/// True when `a` and `b` have the same UTF-8 bytes. Swift's `==` on strings compares canonical
/// equivalence ("é" precomposed equals "e" + combining accent): two rep ids or rule texts that
/// differ in their bytes are different here, as they are to SQLite and in the exports.
@inlinable @inline(__always)
public func sameBytes(_ a: String, _ b: String) -> Bool {
    // Equal bits are equal bytes: a small string holds its bytes inline, and a large one points
    // at storage no one can change while both strings share it. Most comparisons end here.
    if MemoryLayout<String>.size == 16 {
        let identical = withUnsafeBytes(of: a) { x in
            withUnsafeBytes(of: b) { y in
                x.loadUnaligned(as: UInt64.self) == y.loadUnaligned(as: UInt64.self)
                    && x.loadUnaligned(fromByteOffset: 8, as: UInt64.self) == y.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
            }
        }
        if identical { return true }
    }
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

