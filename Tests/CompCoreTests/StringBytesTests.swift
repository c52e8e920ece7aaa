import CompCore
import Testing

@Suite("String bytes")
struct StringBytesTests {
    @Test("a string's bits are a copy's bits; texts made apart differ in bits, not in bytes")
    func bits() throws {
        // Longer than 15 bytes: held out of line, so two texts built apart are two buffers.
        let word = "qualifying"
        let first = "spiff: 12 \(word) transactions"
        let copy = first
        let second = "spiff: 12 \(word) transactions"
        let a = try #require(StringBits(first))
        #expect(try #require(StringBits(copy)) == a)
        #expect(try #require(StringBits(second)) != a)
        #expect(sameBytes(first, second))
        #expect(!sameBytes(first, "spiff: 13 \(word) transactions"))
        // Up to 15 bytes the bytes are the bits: equal texts have equal bits however made.
        #expect(StringBits("tier \(1)") == StringBits("tier 1"))
        #expect(StringBits("tier 1") != StringBits("tier 2"))
    }
}
