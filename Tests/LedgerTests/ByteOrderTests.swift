@testable import Ledger
import Testing

@Suite struct ByteOrderTests {
    func compare(_ a: String, _ b: String) -> Int {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        return x.withUnsafeBufferPointer { p in
            y.withUnsafeBufferPointer { q in
                var empty: UInt8 = 0
                return withUnsafePointer(to: &empty) { none in
                    compareBytes(p.baseAddress ?? none, p.count, q.baseAddress ?? none, q.count)
                }
            }
        }
    }

    /// Byte order, a prefix first, whether the first difference is in the first eight bytes, a
    /// later word, or the tail: "T000000009" < "T000000010" differ at byte 8 (0x30 < 0x31, in the
    /// tail after one word); "T00000001" < "T00000002" at byte 8 of nine; bytes ≥ 0x80 sort after
    /// ASCII (unsigned), and a difference in a word's first byte outweighs its later bytes.
    @Test func compareBytesIsMemcmpOrder() {
        #expect(compare("T000000009", "T000000010") == -1)
        #expect(compare("T000000010", "T000000009") == 1)
        #expect(compare("T00000001", "T00000002") == -1)
        #expect(compare("T0000000100000000", "T0000000100000001") == -1)
        #expect(compare("B0000000", "A9999999") == 1)
        #expect(compare("A9999999", "B0000000") == -1)
        #expect(compare("ABCDEFGH", "ABCDEFGH") == 0)
        #expect(compare("ABCDEFGH", "ABCDEFGHI") == -1)
        #expect(compare("ABCDEFGHI", "ABCDEFGH") == 1)
        #expect(compare("", "") == 0)
        #expect(compare("", "A") == -1)
        #expect(compare("AAAAAAA\u{e9}", "AAAAAAAz") == 1)
        #expect(compare("\u{e9}AAAAAAA", "zAAAAAAA") == 1)
        #expect(compare("aBCDEFGH", "AbCDEFGH") == 1)
    }
}

@Suite("UTF-8 check of short fields")
struct ShortFieldUTF8Tests {
    /// The two-word check sees exactly the field's bytes: a high byte inside a field of any length
    /// up to 16 is found (and judged as UTF-8), one just past its end is not.
    @Test func wordCheckSeesOnlyTheField() {
        for count in 0...16 {
            var buffer = [UInt8](repeating: UInt8(ascii: "a"), count: 32)
            buffer.withUnsafeBufferPointer { bytes in
                #expect(isValidUTF8(bytes.baseAddress!, count, readable: 32) == true)
            }
            // A lone continuation byte just after the field: not the field's.
            buffer[count] = 0x80
            buffer.withUnsafeBufferPointer { bytes in
                #expect(isValidUTF8(bytes.baseAddress!, count, readable: 32) == true, "count \(count)")
            }
            buffer[count] = UInt8(ascii: "a")
            for position in 0..<count {
                buffer[position] = 0x80
                buffer.withUnsafeBufferPointer { bytes in
                    #expect(isValidUTF8(bytes.baseAddress!, count, readable: 32) == false, "count \(count), byte \(position)")
                }
                buffer[position] = UInt8(ascii: "a")
            }
            // Valid multi-byte text in the field passes ("é" is C3 A9).
            if count >= 2 {
                buffer[count - 2] = 0xC3
                buffer[count - 1] = 0xA9
                buffer.withUnsafeBufferPointer { bytes in
                    #expect(isValidUTF8(bytes.baseAddress!, count, readable: 32) == true, "count \(count)")
                }
            }
        }
    }

    /// The byte test for a space past ASCII at an id's ends agrees with Unicode's White_Space for
    /// every scalar from U+0080 to U+FFFF (and a few past it), before and after a letter, alone
    /// and doubled; a letter whose last byte is a space's (é is C3 A9, U+2029 is E2 80 A9) is none.
    @Test func wideSpacesAroundAnIDAgreeWithUnicode() {
        func test(_ text: String) -> Bool {
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBufferPointer { hasSpaceAround($0.baseAddress!, $0.count) }
        }
        var checked = 0
        for value in UInt32(0x80)...0x1_0010 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let space = scalar.properties.isWhitespace
            let one = String(Character(scalar))
            for text in ["A" + one, one + "A", one + "AB", "AB" + one, one + one] {
                #expect(test(text) == space, "U+\(String(value, radix: 16)) in \(Array(text.utf8))")
            }
            checked += 1
        }
        #expect(checked > 60_000)
        #expect(!test("T1") && !test("Jos\u{E9}") && !test("\u{E9}t\u{E9}"))
        #expect(test(" T1") && test("T1 ") && test(" ") && !test("T 1"))
    }
}
