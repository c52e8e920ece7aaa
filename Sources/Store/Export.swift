import CompCore
import RunResults

/// The output files of `FORMATS.md` ("Outputs"): payouts and measures as CSV, sorted by rep
/// (byte order), period and declaration order, amounts in plain notation with the currency's
/// minor-unit digits, never `-0.00`, quoted only when a field needs it, LF line ends.
public enum ResultExport {
    /// `rep,period,plan,component,amount,currency`.
    public static func payoutsCSV(_ lines: [PayoutLine]) -> String {
        var out = "rep,period,plan,component,amount,currency\n"
        for line in sorted(lines, by: { ($0.rep, $0.period + "\u{0}" + $0.plan, $0.order) }) {
            out += [
                line.rep, line.period, line.plan, line.component,
                line.amount.formatted(fractionDigits: line.currency.minorUnits), line.currency.code,
            ].map(csvField).joined(separator: ",")
            out += "\n"
        }
        return out
    }

    /// `rep,period,plan,measure,value`.
    public static func measuresCSV(_ values: [MeasureValue]) -> String {
        var out = "rep,period,plan,measure,value\n"
        for value in sorted(values, by: { ($0.rep, $0.period + "\u{0}" + $0.plan, $0.order) }) {
            out += [value.rep, value.period, value.plan, value.measure, value.value.formatted(fractionDigits: value.digits)]
                .map(csvField).joined(separator: ",")
            out += "\n"
        }
        return out
    }

    /// Sorts by (rep bytes, period bytes, order), stable.
    static func sorted<T>(_ items: [T], by key: (T) -> (String, String, Int)) -> [T] {
        items.enumerated().sorted { a, b in
            let x = key(a.element)
            let y = key(b.element)
            if x.0 != y.0 { return x.0.utf8.lexicographicallyPrecedes(y.0.utf8) }
            if x.1 != y.1 { return x.1.utf8.lexicographicallyPrecedes(y.1.utf8) }
            if x.2 != y.2 { return x.2 < y.2 }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// A CSV field, quoted only when it holds a comma, quote or line break.
    public static func csvField(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 })
        else { return text }
        var quoted = "\""
        for character in text {
            if character == "\"" { quoted += "\"\"" } else { quoted.append(character) }
        }
        return quoted + "\""
    }
}
