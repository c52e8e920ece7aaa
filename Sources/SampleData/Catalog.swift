import CompCore

/// The fixed vocabulary and proportions of the sample data. Every share is an integer out of
/// 100 (or a weight), so the data set never depends on floating-point rounding.
enum Catalog {
    /// A product: its share of deals, list price, and how its deals split into kinds.
    struct Product {
        let code: String
        /// Relative share of transactions (the weights add up to 100).
        let weight: Int
        /// List price of one unit, US cents.
        let unitPriceCents: Int64
        /// Percent of deals that are `new`, `upsell` and `renewal` (adding up to 100).
        let kindPercents: (new: Int, upsell: Int, renewal: Int)
    }

    static let products: [Product] = [
        Product(code: "GADGET-M", weight: 15, unitPriceCents: 26_000, kindPercents: (50, 25, 25)),
        Product(code: "GADGET-S", weight: 18, unitPriceCents: 9_500, kindPercents: (55, 25, 20)),
        Product(code: "SUITE-ENT", weight: 12, unitPriceCents: 90_000, kindPercents: (40, 25, 35)),
        Product(code: "SUPPORT-PREM", weight: 15, unitPriceCents: 31_000, kindPercents: (20, 25, 55)),
        Product(code: "TRAINING", weight: 10, unitPriceCents: 15_000, kindPercents: (70, 25, 5)),
        Product(code: "WIDGET-PRO", weight: 20, unitPriceCents: 42_000, kindPercents: (45, 30, 25)),
        Product(code: "WIDGET-X", weight: 10, unitPriceCents: 18_000, kindPercents: (55, 25, 20)),
    ]

    /// Transaction kinds, in the order of `Product.kindPercents`.
    static let kinds = ["new", "upsell", "renewal"]
    /// A kind's credit weight in the reference plan, in halves (new/upsell 1, renewal 0.5).
    static let kindCreditHalves = [2, 2, 1]

    /// Sales regions and the percent of AE reps in each.
    static let regions = ["NA", "EMEA", "APAC", "LATAM"]
    static let regionPercents = [50, 22, 17, 11]

    /// Transaction currencies (USD first, the plan currency).
    static let currencies: [Currency] = [.usd, .eur, .gbp, .jpy]
    /// The long-run value of one unit in US dollars, in millionths (the fx series wanders around it).
    static let baseRateMicros: [Int64] = [1_000_000, 1_080_000, 1_270_000, 6_700]
    /// Percent of a region's deals in each of `currencies`.
    static let currencyPercentsByRegion: [[Int]] = [
        [100, 0, 0, 0],  // NA
        [15, 52, 33, 0],  // EMEA
        [85, 0, 0, 15],  // APAC
        [100, 0, 0, 0],  // LATAM
    ]

    /// Segments and the percent of AE reps in each.
    static let segments = ["SMB", "MM", "ENT"]
    static let segmentPercents = [46, 36, 18]
    /// Deal count relative to MM, percent: SMB reps close more, smaller deals.
    static let segmentDealCountPercent: [UInt64] = [130, 100, 60]
    /// Deal size relative to MM, percent.
    static let segmentDealSizePercent: [Int64] = [80, 100, 220]
    /// Largest ordinary quantity per deal (uniform from 1).
    static let segmentMaxQuantity = [10, 20, 30]
    /// Annual target incentive range, thousands of USD.
    static let segmentIncentiveThousands: [ClosedRange<Int>] = [10...30, 20...45, 35...76]
    static let managerIncentiveThousands = 50...90
    static let vpIncentiveThousands = 80...150

    /// Discount off list price: the price paid is this many per mille of list, uniform.
    static let pricePaidPerMille = 700...1000
    /// Multi-unit deals: this share (per 10,000) has five times the usual quantity.
    static let bulkDealPerTenThousand = 200
    static let bulkDealMultiplier = 5
    /// Share of transaction rows (per 10,000) that reverse an earlier row.
    static let reversalPerTenThousand = 100
    /// How far back (in days' worth of rows) a reversal reaches for the row it cancels.
    static let reversalWindowDays = 60

    /// Relative transaction volume per month: quarter ends are busier, August is quiet.
    static let monthWeights: [Int64] = [70, 72, 98, 74, 78, 101, 70, 65, 96, 77, 81, 114]

    static let firstNames = [
        "Ana", "Ben", "Chloe", "Dev", "Elif", "Femi", "Grace", "Hiro", "Ines", "Jon", "Kofi", "Lars",
        "Maya", "Nils", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Vera", "Wei", "Yara",
        "Zoë", "José", "Søren", "Aoife", "Mateo", "Leila", "Ravi", "Noor", "Emma", "Lucas", "Sofia",
        "Omar", "Hana", "Ivan", "Nadia", "Kai",
    ]
    static let lastNames = [
        "Smith", "Garcia", "Okafor", "Rossi", "Silva", "Haddad", "Cohen", "Tanaka", "Kowalski", "Patel",
        "Moreau", "Svensson", "O'Brien", "Müller", "Núñez", "Nguyen", "Kim", "Ivanova", "Dubois",
        "Jensen", "Costa", "Mehta", "Sato", "Novak", "Fischer", "Walsh", "Ahmed", "Lopez", "Schmidt",
        "Yilmaz",
    ]
    static let nicknames = ["AJ", "Bo", "Kit", "Sunny", "Red"]
}
