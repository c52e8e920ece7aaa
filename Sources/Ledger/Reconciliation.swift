import CompCore

/// Rows read, accepted and rejected for one input file.
public struct FileReconciliation: Sendable, Hashable {
    /// The file as named.
    public let file: String
    /// False when an optional file was absent.
    public let present: Bool
    /// Data rows read (the header and blank lines excluded).
    public let rowsRead: Int
    /// Rows accepted.
    public let accepted: Int
    /// Rows rejected, each with at least one error.
    public let rejected: Int
}

/// Transaction amounts per currency, accepted and rejected.
public struct CurrencyTotal: Sendable, Hashable {
    /// The currency.
    public let currency: Currency
    /// Accepted rows in this currency.
    public let acceptedRows: Int
    /// Sum of their amounts, exact.
    public let acceptedAmount: WideDecimal
    /// Rejected rows in this currency (whose amount could be read).
    public let rejectedRows: Int
    /// Sum of their amounts, exact.
    public let rejectedAmount: WideDecimal
}

/// The reconciliation of a load: every row read is accepted or rejected with a reason, and the
/// totals add up (`rowsRead == accepted + rejected` for every file).
public struct Reconciliation: Sendable, Hashable {
    /// Per input file, in load order.
    public let files: [FileReconciliation]
    /// Transaction totals per currency, by currency code.
    public let currencyTotals: [CurrencyTotal]
    /// Transaction rows rejected whose currency could not be read.
    public let rejectedWithoutCurrency: Int

    /// A printable summary: one line per file, then one per currency.
    public var summary: String {
        var lines: [String] = []
        // A control character in a file's name is escaped (a line feed had made a line of its own).
        let names = files.map { terminalSafe($0.file) }
        let width = max(12, names.map(\.count).max() ?? 0)
        func padded(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
        }
        func right(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
        }
        lines.append(padded("file", width) + right("read", 12) + right("accepted", 12) + right("rejected", 12))
        for (file, name) in zip(files, names) {
            if file.present {
                lines.append(
                    padded(name, width) + right(grouped(file.rowsRead), 12) + right(grouped(file.accepted), 12)
                        + right(grouped(file.rejected), 12))
            } else {
                lines.append(padded(name, width) + "  (absent, optional)")
            }
        }
        if !currencyTotals.isEmpty {
            lines.append("")
            lines.append(padded("currency", 10) + right("rows", 12) + right("accepted amount", 24) + right("rejected rows", 15) + right("rejected amount", 22))
            for total in currencyTotals {
                let digits = total.currency.minorUnits
                lines.append(
                    padded(total.currency.code, 10) + right(grouped(total.acceptedRows), 12)
                        + right(total.acceptedAmount.formatted(fractionDigits: max(digits, scaleNeeded(total.acceptedAmount))), 24)
                        + right(grouped(total.rejectedRows), 15)
                        + right(total.rejectedAmount.formatted(fractionDigits: max(digits, scaleNeeded(total.rejectedAmount))), 22))
            }
        }
        if rejectedWithoutCurrency > 0 {
            lines.append(
                rejectedWithoutCurrency == 1
                    ? "1 rejected transaction row had no readable currency or amount, so it is not in the table above"
                    : "\(grouped(rejectedWithoutCurrency)) rejected transaction rows had no readable currency or amount, so they are not in the table above")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Fraction digits needed to show `value` exactly (so a summary never rounds).
    private func scaleNeeded(_ value: WideDecimal) -> Int {
        var digits = value.scale
        var units = value.value
        while digits > 0 && units % 10 == 0 {
            units /= 10
            digits -= 1
        }
        return digits
    }
}

