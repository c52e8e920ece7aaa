/// UTF-8 checked a sequence at a time, for readers that report a bad byte at its place.
public enum UTF8Bytes {
    /// Whether the `count` bytes at `bytes` start with a UTF-8 byte order mark (EF BB BF).
    @inlinable @inline(__always)
    public static func startsWithByteOrderMark(_ bytes: UnsafePointer<UInt8>, count: Int) -> Bool {
        count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF
    }

    /// The byte order of text that is UTF-16, not UTF-8, as its first bytes show: a UTF-16 byte
    /// order mark (FF FE, FE FF), or two characters each beside a NUL (what Excel's "Unicode
    /// Text" and PowerShell's default encoding write). `"little-endian"` or `"big-endian"`; nil
    /// for anything else.
    public static func utf16ByteOrder(_ bytes: UnsafePointer<UInt8>, count: Int) -> String? {
        guard count >= 2 else { return nil }
        if bytes[0] == 0xFF && bytes[1] == 0xFE { return "little-endian" }
        if bytes[0] == 0xFE && bytes[1] == 0xFF { return "big-endian" }
        guard count >= 4 else { return nil }
        if bytes[0] != 0 && bytes[1] == 0 && bytes[2] != 0 && bytes[3] == 0 { return "little-endian" }
        if bytes[0] == 0 && bytes[1] != 0 && bytes[2] == 0 && bytes[3] != 0 { return "big-endian" }
        return nil
    }

    /// ``utf16ByteOrder(_:count:)`` of an array's bytes.
    public static func utf16ByteOrder(_ bytes: [UInt8]) -> String? {
        bytes.withUnsafeBufferPointer { buffer in buffer.baseAddress.flatMap { utf16ByteOrder($0, count: buffer.count) } }
    }

    /// The length of the valid UTF-8 sequence starting at `index`, nil when there is none there
    /// (a stray continuation byte, an overlong form, a surrogate, a scalar past U+10FFFF, a cut
    /// sequence).
    public static func sequenceLength(_ bytes: [UInt8], at index: Int) -> Int? {
        let lead = bytes[index]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: return nil
        }
        guard index + length <= bytes.count else { return nil }
        guard (low...high).contains(bytes[index + 1]) else { return nil }
        for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 { return nil }
        return length
    }
}
