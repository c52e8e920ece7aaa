/// An ISO 4217 currency: its three-letter code and the number of minor-unit digits it is paid in.
@frozen
public struct Currency: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// The three-letter code, upper case (`USD`).
    public let code: String
    /// Digits after the decimal point in payments: 2 for USD/EUR/GBP, 0 for JPY, 3 for KWD.
    public let minorUnits: Int

    /// The currency with an ISO 4217 `code` (exact, upper case), or `nil` when the code is not a
    /// current ISO 4217 currency.
    public init?(code: some StringProtocol) {
        guard let digits = Currency.isoMinorUnits[String(code)] else { return nil }
        self.code = String(code)
        self.minorUnits = digits
    }

    /// A currency that is not in the ISO table, for tests and private units (points, credits).
    public init(unlistedCode code: String, minorUnits: Int) {
        precondition(minorUnits >= 0 && minorUnits <= FixedDecimal.scale)
        self.code = code
        self.minorUnits = minorUnits
    }

    public var description: String { code }

    public static func < (lhs: Currency, rhs: Currency) -> Bool { lhs.code < rhs.code }

    /// US dollar.
    public static let usd = Currency(unlistedCode: "USD", minorUnits: 2)
    /// Euro.
    public static let eur = Currency(unlistedCode: "EUR", minorUnits: 2)
    /// Pound sterling.
    public static let gbp = Currency(unlistedCode: "GBP", minorUnits: 2)
    /// Japanese yen.
    public static let jpy = Currency(unlistedCode: "JPY", minorUnits: 0)

    /// ISO 4217's codes of no currency: precious metals, bond-market units, the SDR, the test and
    /// "no currency" codes. Codes all the same (a message says so, and guesses no currency meant:
    /// `XAU` is gold, not a misspelt `XAF`), and nobody is paid in one.
    public static let isoCodesOfNoCurrency: Set<String> = [
        "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU", "XTS", "XUA", "XXX",
    ]

    /// Every current ISO 4217 code with its minor units (funds and precious-metal codes without
    /// minor units are left out: nobody is paid in XAU).
    public static let isoMinorUnits: [String: Int] = {
        var table: [String: Int] = [:]
        let zero = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
        let three = "BHD IQD JOD KWD LYD OMR TND"
        let four = "CLF UYW"
        let two = """
            AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD \
            CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL \
            GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD \
            LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN \
            PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL \
            THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL
            """
        for (list, digits) in [(zero, 0), (two, 2), (three, 3), (four, 4)] {
            for code in list.split(separator: " ") { table[String(code)] = digits }
        }
        return table
    }()
}
