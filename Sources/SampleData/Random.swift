/// SplitMix64 (Steele, Lea & Flood, 2014): a tiny generator used to seed ``Xoshiro256`` and to
/// hash `(seed, stream, index)` into independent starting states.
struct SplitMix64 {
    var state: UInt64

    init(state: UInt64) { self.state = state }

    @inline(__always)
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// One SplitMix64 output for `value`: a strong 64-bit mixing function.
    static func mix(_ value: UInt64) -> UInt64 {
        var generator = SplitMix64(state: value)
        return generator.next()
    }
}

/// The independent random streams of one data set. Each part of the output draws from its own
/// stream, so changing how much of one part is generated never shifts another.
enum RandomStream: UInt64 {
    case roster = 1
    case fx = 2
    case transactions = 3
}

/// xoshiro256** (Blackman & Vigna, 2018): the generator behind every random choice in the sample
/// data. Never the system generator, so a seed means the same bytes on every machine and run.
struct Xoshiro256 {
    private var s0: UInt64
    private var s1: UInt64
    private var s2: UInt64
    private var s3: UInt64

    /// The generator for `index` (a transaction chunk, say) of `stream` under `seed`.
    init(seed: UInt64, stream: RandomStream, index: UInt64 = 0) {
        let key = SplitMix64.mix(seed) ^ SplitMix64.mix(stream.rawValue << 56 ^ SplitMix64.mix(index))
        var seeder = SplitMix64(state: key)
        s0 = seeder.next()
        s1 = seeder.next()
        s2 = seeder.next()
        s3 = seeder.next()
        if s0 | s1 | s2 | s3 == 0 { s0 = 1 }  // the one state xoshiro cannot leave
    }

    @inline(__always)
    private static func rotate(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 &- k)) }

    /// The next 64 random bits.
    @inline(__always)
    mutating func next() -> UInt64 {
        let result = Self.rotate(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotate(s3, 45)
        return result
    }

    /// A number in `0..<bound` (`bound` > 0), by the multiply-high method (Lemire). The bias is
    /// below `bound / 2⁶⁴`, far under anything a sample data set can show.
    @inline(__always)
    mutating func below(_ bound: UInt64) -> UInt64 {
        next().multipliedFullWidth(by: bound).high
    }

    /// A number in `0..<bound` (`bound` > 0).
    @inline(__always)
    mutating func below(_ bound: Int) -> Int { Int(truncatingIfNeeded: below(UInt64(bound))) }

    /// A number in `range`.
    @inline(__always)
    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// True with probability `perTenThousand / 10,000`.
    @inline(__always)
    mutating func chance(perTenThousand: Int) -> Bool { below(10_000) < perTenThousand }
}

/// Walker's alias method (Vose's construction) in exact integer arithmetic: O(1) draws of an
/// index in proportion to integer weights.
struct AliasTable: Sendable {
    /// A draw `r < total` in slot `i` keeps `i` when `r < threshold[i]`, else takes `alias[i]`.
    private let threshold: [UInt64]
    private let alias: [Int32]
    private let total: UInt64

    /// Σ weights.
    var totalWeight: UInt64 { total }

    /// A table for `weights` (at least one, all > 0, `weights.count × Σ weights` below 2⁶⁴).
    init(weights: [UInt64]) {
        let n = weights.count
        let total = weights.reduce(0, +)
        // Slot i holds weight × n in units where a full slot is `total`.
        var scaled = weights.map { $0 * UInt64(n) }
        var threshold = [UInt64](repeating: total, count: n)
        var alias = (0..<n).map { Int32(truncatingIfNeeded: $0) }
        var small: [Int] = []
        var large: [Int] = []
        for index in 0..<n {
            if scaled[index] < total { small.append(index) } else { large.append(index) }
        }
        while let s = small.popLast() {
            guard let l = large.popLast() else { break }
            threshold[s] = scaled[s]
            alias[s] = Int32(truncatingIfNeeded: l)
            scaled[l] -= total - scaled[s]
            if scaled[l] < total { small.append(l) } else { large.append(l) }
        }
        // Whatever is left is (exactly, in integers) a full slot: it always keeps itself.
        self.threshold = threshold
        self.alias = alias
        self.total = total
    }

    /// An index drawn in proportion to the weights.
    @inline(__always)
    func draw(_ random: inout Xoshiro256) -> Int {
        let slot = random.below(threshold.count)
        return random.below(total) < threshold[slot] ? slot : Int(alias[slot])
    }
}
