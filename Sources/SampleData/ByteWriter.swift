/// Appends ASCII and UTF-8 bytes to preallocated memory with no bounds checks and no
/// allocation: the transaction hot path writes every field through one of these.
///
/// The caller guarantees capacity (each writer is sized from a per-row upper bound).
struct ByteWriter {
    let base: UnsafeMutablePointer<UInt8>
    private(set) var count: Int = 0

    init(base: UnsafeMutablePointer<UInt8>) { self.base = base }

    @inline(__always)
    mutating func byte(_ value: UInt8) {
        base[count] = value
        count += 1
    }

    @inline(__always)
    mutating func bytes(_ source: UnsafePointer<UInt8>, count length: Int) {
        (base + count).update(from: source, count: length)
        count += length
    }

    mutating func bytes(_ source: [UInt8]) {
        source.withUnsafeBufferPointer { buffer in
            if let start = buffer.baseAddress { bytes(start, count: buffer.count) }
        }
    }

    /// A token from a ``BytePool``.
    @inline(__always)
    mutating func token(_ token: BytePool.Token, in pool: UnsafePointer<UInt8>) {
        bytes(pool + Int(token.offset), count: Int(token.length))
    }

    /// `value` (≥ 0) in decimal, zero-padded on the left to at least `width` digits.
    @inline(__always)
    mutating func padded(_ value: Int, width: Int) {
        var magnitude = UInt64(truncatingIfNeeded: value)
        var digits = 1
        var rest = magnitude
        while rest >= 10 {
            rest /= 10
            digits += 1
        }
        let length = max(digits, width)
        var position = count + length
        for _ in 0..<length {
            position -= 1
            base[position] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 0x30
            magnitude /= 10
        }
        count += length
    }

    /// `value` in plain decimal with a leading `-` when negative.
    @inline(__always)
    mutating func integer(_ value: Int64) {
        if value < 0 { byte(UInt8(ascii: "-")) }
        padded(Int(truncatingIfNeeded: value.magnitude), width: 1)
    }

    /// An amount held in minor units (cents) in plain notation with exactly `fractionDigits`
    /// digits after the point (none, and no point, when 0): `-1234.56`, `150000`.
    @inline(__always)
    mutating func minorUnits(_ value: Int64, fractionDigits: Int) {
        if value < 0 { byte(UInt8(ascii: "-")) }
        let magnitude = value.magnitude
        if fractionDigits == 0 {
            padded(Int(truncatingIfNeeded: magnitude), width: 1)
            return
        }
        var scale: UInt64 = 1
        for _ in 0..<fractionDigits { scale *= 10 }
        padded(Int(truncatingIfNeeded: magnitude / scale), width: 1)
        byte(UInt8(ascii: "."))
        padded(Int(truncatingIfNeeded: magnitude % scale), width: fractionDigits)
    }

    /// A CSV field: as is, or quoted with `"` doubled when it holds a comma, quote or line break.
    mutating func csvField(_ text: [UInt8]) {
        let needsQuotes = text.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else {
            bytes(text)
            return
        }
        byte(UInt8(ascii: "\""))
        for value in text {
            if value == UInt8(ascii: "\"") { byte(value) }
            byte(value)
        }
        byte(UInt8(ascii: "\""))
    }

    /// `YYYY-MM` (year 1...9999).
    mutating func month(year: Int, month: Int) {
        padded(year, width: 4)
        byte(UInt8(ascii: "-"))
        padded(month, width: 2)
    }

    /// `YYYY-MM-DD`.
    mutating func date(year: Int, month: Int, day: Int) {
        self.month(year: year, month: month)
        byte(UInt8(ascii: "-"))
        padded(day, width: 2)
    }
}

/// Short byte strings (product codes, dates, names) packed into one array, addressed by
/// offset and length, so the hot loop copies them with one `memcpy` each.
struct BytePool: Sendable {
    struct Token: Sendable {
        let offset: Int32
        let length: Int32
    }

    private(set) var bytes: [UInt8] = []

    /// Stores `text` as UTF-8 and returns its token.
    mutating func add(_ text: String) -> Token { add(Array(text.utf8)) }

    /// Stores `content` and returns its token.
    mutating func add(_ content: [UInt8]) -> Token {
        let token = Token(offset: Int32(bytes.count), length: Int32(content.count))
        bytes.append(contentsOf: content)
        return token
    }
}
