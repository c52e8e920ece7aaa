import CompCore

/// Everything about a data set that is decided before its rows are written: the people, the
/// calendar, and the lookup tables the transaction hot loop reads. Immutable and shared by
/// every worker thread.
struct Blueprint: Sendable {
    /// Transaction rows per chunk. Fixed: chunk `k` always covers the same rows and draws from its
    /// own generator, which is what makes the output independent of the thread count.
    static var chunkSize: Int { SampleGenerator.chunkSize }

    let options: SampleOptions
    let vps: Int
    let managers: Int
    let reps: Int
    let daysInYear: Int

    // Id widths (zero-padded, at least the shared data's widths).
    let transactionIDWidth: Int
    let repIDWidth: Int
    let managerIDWidth: Int
    let vpIDWidth: Int

    // AE reps, by index (R000001 is index 0).
    let repSegment: [UInt8]
    let repRegion: [UInt8]
    /// Relative deal count: the chance that a transaction belongs to the rep.
    let repWeight: [UInt64]
    /// The deal count the quota setter believes in (between the rep's and the segment's average).
    let repQuotaWeight: [UInt64]
    /// Quota stretch over expected bookings, per mille.
    let repQuotaLoadPerMille: [Int64]
    let repTable: AliasTable

    /// `dayStart[d]` is the first transaction row (0-based) dated on day `d` of the year;
    /// `dayStart[daysInYear] == transactions`.
    let dayStart: [Int]
    /// Month (1...12) of each day of the year.
    let dayMonth: [UInt8]
    /// Transaction rows per month (index 0 = January).
    let monthRows: [Int]

    /// Product (index into `Catalog.products`) for a draw in 0..<100.
    let productByPercent: [UInt8]
    /// Kind for (product × 100 + draw in 0..<100).
    let kindByPercent: [UInt8]
    /// Currency for (region × 100 + draw in 0..<100).
    let currencyByPercent: [UInt8]

    /// Byte strings the hot loop copies.
    let pool: BytePool
    let dateTokens: [BytePool.Token]
    let productTokens: [BytePool.Token]
    let kindTokens: [BytePool.Token]
    let regionTokens: [BytePool.Token]
    let currencyTokens: [BytePool.Token]

    init(_ options: SampleOptions) {
        self.options = options
        let reps = options.reps
        self.reps = reps
        vps = max(1, (reps + 32) / 64)
        managers = max(1, (reps + 4) / 8)
        transactionIDWidth = max(9, Self.digits(options.transactions))
        repIDWidth = max(6, Self.digits(reps))
        managerIDWidth = max(5, Self.digits(managers))
        vpIDWidth = max(3, Self.digits(vps))

        // AE reps: segment, region, productivity and quota stretch.
        var random = Xoshiro256(seed: options.seed, stream: .roster, index: 0)
        var segment = [UInt8](repeating: 0, count: reps)
        var region = [UInt8](repeating: 0, count: reps)
        var weight = [UInt64](repeating: 0, count: reps)
        var load = [Int64](repeating: 0, count: reps)
        for rep in 0..<reps {
            segment[rep] = UInt8(Self.pick(Catalog.segmentPercents, &random))
            region[rep] = UInt8(Self.pick(Catalog.regionPercents, &random))
            // Skill: a sum of three uniforms (bell-shaped), squared (skewed: a few stars).
            let skill = UInt64(300 + random.below(700) + random.below(700) + random.below(700))
            weight[rep] = max(1, skill * skill / 1000 * Catalog.segmentDealCountPercent[Int(segment[rep])] / 100)
            load[rep] = Int64(random.int(in: 900...1150))
        }
        var segmentTotal = [UInt64](repeating: 0, count: 3)
        var segmentCount = [UInt64](repeating: 0, count: 3)
        for rep in 0..<reps {
            segmentTotal[Int(segment[rep])] += weight[rep]
            segmentCount[Int(segment[rep])] += 1
        }
        repQuotaWeight = (0..<reps).map { rep in
            let s = Int(segment[rep])
            let mean = segmentTotal[s] / max(1, segmentCount[s])
            return max(1, (7 * weight[rep] + mean) / 8)
        }
        repSegment = segment
        repRegion = region
        repWeight = weight
        repQuotaLoadPerMille = load
        repTable = AliasTable(weights: weight)

        // Calendar: a weight per day (month volume, weekdays over weekends, a push in the last
        // ten days of each quarter), cut into exact row boundaries.
        let year = options.year
        var dayWeight: [Int64] = []
        var dayMonth: [UInt8] = []
        var pool = BytePool()
        var dateTokens: [BytePool.Token] = []
        for month in 1...12 {
            let length = CivilDate.daysInMonth(year: year, month: month)
            var factors: [Int64] = []
            for day in 1...length {
                let weekday = CivilDate(year: year, month: month, day: day)?.weekday ?? 1
                var factor: Int64 = weekday == 6 ? 3 : weekday == 7 ? 2 : 10
                if month % 3 == 0 && day > length - 10 { factor *= 2 }
                factors.append(factor)
                var writer = [UInt8](repeating: 0, count: 10)
                writer.withUnsafeMutableBufferPointer { buffer in
                    guard let base = buffer.baseAddress else { return }
                    var bytes = ByteWriter(base: base)
                    bytes.date(year: year, month: month, day: day)
                }
                dateTokens.append(pool.add(writer))
                dayMonth.append(UInt8(month))
            }
            let total = factors.reduce(0, +)
            for factor in factors { dayWeight.append(Catalog.monthWeights[month - 1] * factor * 1_000_000 / total) }
        }
        daysInYear = dayWeight.count
        let weightTotal = Int128(dayWeight.reduce(0, +))
        var dayStart = [Int](repeating: 0, count: daysInYear + 1)
        var cumulative: Int128 = 0
        for day in 0..<daysInYear {
            dayStart[day] = Int(Int128(options.transactions) * cumulative / weightTotal)
            cumulative += Int128(dayWeight[day])
        }
        dayStart[daysInYear] = options.transactions
        var monthRows = [Int](repeating: 0, count: 12)
        for day in 0..<daysInYear { monthRows[Int(dayMonth[day]) - 1] += dayStart[day + 1] - dayStart[day] }
        self.dayStart = dayStart
        self.dayMonth = dayMonth
        self.monthRows = monthRows
        self.dateTokens = dateTokens

        // Draw tables.
        var productByPercent: [UInt8] = []
        var kindByPercent: [UInt8] = []
        for (index, product) in Catalog.products.enumerated() {
            productByPercent += [UInt8](repeating: UInt8(index), count: product.weight)
            let (new, upsell, renewal) = product.kindPercents
            kindByPercent += [UInt8](repeating: 0, count: new) + [UInt8](repeating: 1, count: upsell)
                + [UInt8](repeating: 2, count: renewal)
        }
        var currencyByPercent: [UInt8] = []
        for percents in Catalog.currencyPercentsByRegion {
            for (currency, percent) in percents.enumerated() {
                currencyByPercent += [UInt8](repeating: UInt8(currency), count: percent)
            }
        }
        self.productByPercent = productByPercent
        self.kindByPercent = kindByPercent
        self.currencyByPercent = currencyByPercent
        productTokens = Catalog.products.map { pool.add($0.code) }
        kindTokens = Catalog.kinds.map { pool.add($0) }
        regionTokens = Catalog.regions.map { pool.add($0) }
        currencyTokens = Catalog.currencies.map { pool.add($0.code) }
        self.pool = pool
    }

    /// Decimal digits of `value` (≥ 0).
    static func digits(_ value: Int) -> Int {
        var count = 1
        var rest = value
        while rest >= 10 {
            rest /= 10
            count += 1
        }
        return count
    }

    /// An index drawn in proportion to `percents` (which add up to 100).
    static func pick(_ percents: [Int], _ random: inout Xoshiro256) -> Int {
        var draw = random.below(100)
        for (index, percent) in percents.enumerated() {
            if draw < percent { return index }
            draw -= percent
        }
        return percents.count - 1
    }

    // MARK: Quotas

    /// Expected credit (reference-plan bookings) of one transaction of a rep in `segment`, in
    /// millionths of a US cent: the catalog's averages multiplied out.
    static func expectedCreditMicroCents(segment: Int) -> Int128 {
        var perRow: Int128 = 0  // Σ weight × price × credit halves (out of 100 × 200)
        for product in Catalog.products {
            let (new, upsell, renewal) = product.kindPercents
            let halves = new * Catalog.kindCreditHalves[0] + upsell * Catalog.kindCreditHalves[1]
                + renewal * Catalog.kindCreditHalves[2]
            perRow += Int128(product.weight) * Int128(product.unitPriceCents) * Int128(halves)
        }
        let quantityTwice = Int128(1 + Catalog.segmentMaxQuantity[segment])  // mean quantity × 2
        let bulk = Int128(10_000 + Catalog.bulkDealPerTenThousand * (Catalog.bulkDealMultiplier - 1))  // / 10,000
        let paid = Int128(Catalog.pricePaidPerMille.lowerBound + Catalog.pricePaidPerMille.upperBound)  // / 2,000
        let size = Int128(Catalog.segmentDealSizePercent[segment])  // / 100
        // Each reversal cancels an original: net, 1 − 2 × share of the rows count.
        let kept = Int128(10_000 - 2 * Catalog.reversalPerTenThousand)  // / 10,000
        let numerator = perRow * quantityTwice * bulk * paid * size * kept * 1_000_000
        let denominator: Int128 = 100 * 200 * 2 * 10_000 * 2_000 * 100 * 10_000
        return numerator / denominator
    }

    /// A team quota in whole US dollars, multiples of 100, at least 100: the team's AE quotas
    /// (`aeQuotas`, summed) times the share of the reference plan's credit that new and upsell deals
    /// make (a manager's team bookings leave renewals out).
    static func teamQuotaDollars(_ aeQuotas: Int64) -> Int64 {
        let hundreds = (Int128(aeQuotas) * teamShare.newAndUpsell / max(1, teamShare.all) + 50) / 100
        return Int64(clamping: max(1, hundreds) * 100)
    }

    /// New and upsell deals' part of the reference plan's credit, over all of it (in the catalog's
    /// weight × price × credit halves), worked out once.
    static let teamShare: (newAndUpsell: Int128, all: Int128) = {
        var newAndUpsell: Int128 = 0
        var all: Int128 = 0
        for product in Catalog.products {
            let (new, upsell, renewal) = product.kindPercents
            let value = Int128(product.weight) * Int128(product.unitPriceCents)
            newAndUpsell += value * Int128((new + upsell) * 2)
            all += value * Int128(new * Catalog.kindCreditHalves[0] + upsell * Catalog.kindCreditHalves[1] + renewal * Catalog.kindCreditHalves[2])
        }
        return (newAndUpsell, all)
    }()

    /// The monthly quotas of AE rep `rep` in whole US dollars, multiples of 100, at least 100: the
    /// bookings the quota setter expects of the rep that month (seasonal like the calendar),
    /// stretched by the rep's load. `expected` is ``expectedCreditMicroCents(segment:)`` by segment.
    func quotaDollars(rep: Int, expected: [Int128]) -> [Int64] {
        let perRow = expected[Int(repSegment[rep])]
        let scale = Int128(repTable.totalWeight) * 1_000 * 1_000_000  // weight share, load ‰, micro
        return monthRows.map { rows in
            let cents = Int128(rows) * Int128(repQuotaWeight[rep]) * perRow * Int128(repQuotaLoadPerMille[rep]) / scale
            let hundreds = (cents + 5_000) / 10_000
            return Int64(clamping: max(1, hundreds) * 100)
        }
    }
}
