/// What one generated chunk of `transactions.csv` holds.
struct ChunkStats: Sendable {
    /// Bytes written (rows only, no header).
    var bytes = 0
    var rows = 0
    var reversals = 0
    /// Rows per currency, indexed like `Catalog.currencies`.
    var currencyRows = [Int](repeating: 0, count: Catalog.currencies.count)
}

/// Per-worker memory a chunk needs besides its output bytes: what a reversal copies from the row
/// it cancels. Allocated once per worker and reused from chunk to chunk; every slot is written
/// before it is read, so it is never cleared.
final class ChunkScratch {
    let rep = UnsafeMutablePointer<Int32>.allocate(capacity: Blueprint.chunkSize)
    let amount = UnsafeMutablePointer<Int64>.allocate(capacity: Blueprint.chunkSize)
    let quantity = UnsafeMutablePointer<Int32>.allocate(capacity: Blueprint.chunkSize)
    /// currency << 5 | product << 2 | kind
    let code = UnsafeMutablePointer<UInt8>.allocate(capacity: Blueprint.chunkSize)
    /// The row is a reversal, or has been reversed.
    let taken = UnsafeMutablePointer<Bool>.allocate(capacity: Blueprint.chunkSize)

    deinit {
        rep.deallocate()
        amount.deallocate()
        quantity.deallocate()
        code.deallocate()
        taken.deallocate()
    }
}

extension Blueprint {
    /// Number of chunks `transactions.csv` is generated in.
    var chunkCount: Int { (options.transactions + Self.chunkSize - 1) / Self.chunkSize }

    /// An upper bound on the bytes of one transaction row.
    var maxTransactionRowBytes: Int { 2 * (transactionIDWidth + 1) + repIDWidth + 1 + 120 }

    /// An upper bound on the bytes of one chunk.
    var maxChunkBytes: Int { Self.chunkSize * maxTransactionRowBytes }

    /// Generates chunk `index` (rows `index × chunkSize ..< min((index + 1) × chunkSize,
    /// transactions)`) into `output`, which holds at least ``maxChunkBytes`` bytes.
    ///
    /// Depends on nothing but the blueprint and `index`: its own generator, its own dates (from the
    /// global row number), and reversals that only reach back within the chunk.
    func transactionChunk(_ index: Int, into output: UnsafeMutablePointer<UInt8>, scratch: ChunkScratch) -> ChunkStats {
        let first = index * Self.chunkSize
        let count = max(0, min(Self.chunkSize, options.transactions - first))
        var stats = ChunkStats()
        stats.rows = count
        guard count > 0 else { return stats }
        var random = Xoshiro256(seed: options.seed, stream: .transactions, index: UInt64(index))
        let window = max(1, min(Self.chunkSize, options.transactions * Catalog.reversalWindowDays / daysInYear))

        let minorDigits = Catalog.currencies.map(\.minorUnits)
        var out = ByteWriter(base: output)
        pool.bytes.withUnsafeBufferPointer { poolBuffer in
            guard let pool = poolBuffer.baseAddress else { return }
            var day = dayStart.partitioningIndex { $0 > first } - 1
            for offset in 0..<count {
                let row = first + offset
                while row >= dayStart[day + 1] { day += 1 }

                var original = -1
                if offset > 0 && random.chance(perTenThousand: Catalog.reversalPerTenThousand) {
                    let reach = min(offset, window)
                    for _ in 0..<4 {
                        let candidate = offset - 1 - random.below(reach)
                        if !scratch.taken[candidate] {
                            original = candidate
                            break
                        }
                    }
                }

                let rep: Int
                let amount: Int64
                let quantity: Int32
                let code: UInt8
                if original >= 0 {
                    scratch.taken[original] = true
                    rep = Int(scratch.rep[original])
                    amount = -scratch.amount[original]
                    quantity = -scratch.quantity[original]
                    code = scratch.code[original]
                    stats.reversals += 1
                } else {
                    rep = repTable.draw(&random)
                    let segment = Int(repSegment[rep])
                    let region = Int(repRegion[rep])
                    let product = Int(productByPercent[random.below(100)])
                    let kind = Int(kindByPercent[product * 100 + random.below(100)])
                    let currency = Int(currencyByPercent[region * 100 + random.below(100)])
                    var units = random.int(in: 1...Catalog.segmentMaxQuantity[segment])
                    if random.chance(perTenThousand: Catalog.bulkDealPerTenThousand) {
                        units *= Catalog.bulkDealMultiplier
                    }
                    let paid = Int64(random.int(in: Catalog.pricePaidPerMille))
                    let usdCents = Catalog.products[product].unitPriceCents * Int64(units) * paid
                        * Catalog.segmentDealSizePercent[segment] / 100_000
                    // To the deal currency at its long-run rate, in its minor units.
                    let scale: Int64 = minorDigits[currency] == 0 ? 100 : 1
                    amount = max(1, usdCents * 1_000_000 / (Catalog.baseRateMicros[currency] * scale))
                    quantity = Int32(units)
                    code = UInt8(currency << 5 | product << 2 | kind)
                }
                scratch.taken[offset] = original >= 0
                scratch.rep[offset] = Int32(truncatingIfNeeded: rep)
                scratch.amount[offset] = amount
                scratch.quantity[offset] = quantity
                scratch.code[offset] = code
                let currency = Int(code >> 5)
                stats.currencyRows[currency] += 1

                out.byte(UInt8(ascii: "T"))
                out.padded(row + 1, width: transactionIDWidth)
                out.byte(UInt8(ascii: ","))
                out.token(dateTokens[day], in: pool)
                out.byte(UInt8(ascii: ","))
                out.byte(UInt8(ascii: "R"))
                out.padded(rep + 1, width: repIDWidth)
                out.byte(UInt8(ascii: ","))
                out.minorUnits(amount, fractionDigits: minorDigits[currency])
                out.byte(UInt8(ascii: ","))
                out.token(currencyTokens[currency], in: pool)
                out.byte(UInt8(ascii: ","))
                out.token(productTokens[Int(code >> 2 & 7)], in: pool)
                out.byte(UInt8(ascii: ","))
                out.token(kindTokens[Int(code & 3)], in: pool)
                out.byte(UInt8(ascii: ","))
                out.integer(Int64(quantity))
                out.byte(UInt8(ascii: ","))
                out.token(regionTokens[Int(repRegion[rep])], in: pool)
                out.byte(UInt8(ascii: ","))
                if original >= 0 {
                    out.byte(UInt8(ascii: "T"))
                    out.padded(first + original + 1, width: transactionIDWidth)
                }
                out.byte(0x0A)
            }
        }
        stats.bytes = out.count
        return stats
    }
}

extension Array where Element: Comparable {
    /// The first index whose element satisfies `predicate`, for a predicate that is false and then
    /// true along the array (binary search).
    func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if predicate(self[middle]) { high = middle } else { low = middle + 1 }
        }
        return low
    }
}
