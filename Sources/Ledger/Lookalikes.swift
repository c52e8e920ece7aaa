import Foundation

/// Ids that read the same but are written with other characters: "José" with a composed é and
/// with an e and a combining accent, "K1" and "K1" with a Kelvin sign. Swift compares and hashes
/// strings by canonical equivalence, so one dictionary of every id finds an id's twin; an id not
/// found is looked up here to say which one it reads as.
struct LookalikeIDs: Sendable {
    private var spellings: [String: String] = [:]

    init(_ ids: some Sequence<String>) {
        for id in ids where spellings[id] == nil { spellings[id] = id }
    }

    /// The id that reads as `text` but is written with other bytes; `nil` when there is none.
    func lookalike(of text: String) -> String? {
        guard !spellings.isEmpty, let found = spellings[text], !found.utf8.elementsEqual(text.utf8) else { return nil }
        return found
    }
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
