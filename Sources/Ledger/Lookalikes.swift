import Foundation

/// Ids that read the same but are written with other characters: "José" with a composed é and
/// with an e and a combining accent, "K1" and "K1" with a Kelvin sign. Swift compares and hashes
/// strings by canonical equivalence, so one dictionary of every id finds an id's twin; an id not
/// found is looked up here to say which one it reads as.
struct LookalikeIDs: Sendable {
    private var spellings: [String: String] = [:]
    private let ids: [String]
    /// The ids in lower case, as the roster's load made them (it warns of two that differ only
    /// in case), indexed as `ids`.
    private let folded: CaseFoldIndex

    init(_ ids: [String], caseFolds: CaseFoldIndex) {
        self.ids = ids
        folded = caseFolds
        for id in ids where spellings[id] == nil { spellings[id] = id }
    }

    /// The id that reads as `text` but is written with other bytes; `nil` when there is none.
    func lookalike(of text: String) -> String? {
        guard !spellings.isEmpty, let found = spellings[text], !found.utf8.elementsEqual(text.utf8) else { return nil }
        return found
    }

    /// The id that differs from `text` only in case (`R000030` for `r000030`); `nil` when there
    /// is none.
    func caseTwin(of text: String) -> String? {
        guard let index = folded.first(like: text), index < ids.count, !ids[index].utf8.elementsEqual(text.utf8) else { return nil }
        return ids[index]
    }
}

/// Ids by their spelling in lower case, in a byte-string table (a dictionary of lower-cased
/// strings had cost about 1 µs an id on a roster of 200,000 reps): for each, the caller's index
/// of the first id so spelled.
struct CaseFoldIndex: Sendable {
    private var table: ByteStringTable
    private var firsts: [Int] = []

    /// Room for about `expected` ids without growing.
    init(expected: Int = 16) { table = ByteStringTable(expected: expected) }

    /// Adds `id`, the caller's `index`; returns the index of an earlier id that differs from it
    /// only in case, or `nil` when it is the first so spelled.
    mutating func add(_ id: String, index: Int) -> Int? {
        let bytes = caseFolded(id)
        let code = bytes.withUnsafeBufferPointer { buffer -> Int in
            guard let base = buffer.baseAddress else { return -1 }
            return Int(table.intern(base, buffer.count))
        }
        guard code >= 0 else { return nil }
        if code == firsts.count {
            firsts.append(index)
            return nil
        }
        return firsts[code]
    }

    /// The index of the first id spelled as `id` in lower case, if any.
    func first(like id: String) -> Int? {
        let bytes = caseFolded(id)
        let code = bytes.withUnsafeBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return table.find(base, buffer.count)
        }
        return code >= 0 && Int(code) < firsts.count ? firsts[Int(code)] : nil
    }
}

/// `id` in lower case: an ASCII id (most) a byte at a time (`lowercased()` had cost 1 µs an id
/// on a roster of 200,000 reps), any other as Unicode lowers it.
func caseFolded(_ id: String) -> [UInt8] {
    let ascii = id.utf8.withContiguousStorageIfAvailable { bytes -> [UInt8]? in
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        return bytes.map { $0 &- UInt8(ascii: "A") < 26 ? $0 | 0x20 : $0 }
    }
    if let ascii, let folded = ascii { return folded }
    return Array(id.lowercased().utf8)
}

/// Whether the UTF-8 `bytes` (valid) are certainly in Unicode's composed form (NFC), read without
/// building a string: every character is below U+0300 (Latin and its precomposed letters, no
/// combining mark), a CJK ideograph, a Hangul syllable or a kana (not the combining sound marks).
/// Two ids that read the same but differ in bytes cannot both be composed: the one that is not
/// is found by this, and only those few are normalized.
func isCertainlyComposed(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    var index = 0
    while index < count {
        let byte = bytes[index]
        if byte < 0x80 {
            index += 1
            continue
        }
        var scalar: UInt32
        let length: Int
        if byte < 0xE0 {
            length = 2
            scalar = UInt32(byte & 0x1F)
        } else if byte < 0xF0 {
            length = 3
            scalar = UInt32(byte & 0x0F)
        } else {
            return false
        }
        guard index + length <= count else { return false }
        for offset in 1..<length { scalar = scalar << 6 | UInt32(bytes[index + offset] & 0x3F) }
        switch scalar {
        case 0..<0x300, 0x3041...0x3096, 0x30A1...0x30FA, 0x4E00...0x9FFF, 0xAC00...0xD7A3: index += length
        default: return false
        }
    }
    return true
}

/// The composed form (NFC) of `text`'s bytes.
func composedBytes(_ text: String) -> [UInt8] { Array(text.precomposedStringWithCanonicalMapping.utf8) }
