import Foundation
import Testing

/// `comp validate --base-currency` that names no currency says what is wrong with it.
@Suite struct BaseCurrencyArgument {
    let cli = CLI()

    @Test func aBaseCurrencyThatIsNoCurrencySaysWhatToGive() throws {
        for (code, message) in [
            ("usd", "--base-currency usd: write the code in upper case (USD)"),
            ("XAU", "--base-currency XAU is an ISO 4217 code of no currency (a metal, a unit of account or a test code); give the currency the plans pay in, like USD"),
            ("EURO", "--base-currency EURO is not an ISO 4217 currency code (three upper-case letters, like USD, EUR or JPY)"),
        ] {
            let result = try cli.run(["validate", "--data", "/nonexistent", "--base-currency", code])
            #expect(result.status == 64)
            #expect(result.stderr.hasPrefix("Error: \(message)\n"), "\(result.stderr)")
        }
    }
}
