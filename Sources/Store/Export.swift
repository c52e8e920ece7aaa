import CompCore
import Foundation
import RunResults

/// The output files of `FORMATS.md` ("Outputs"): payouts and measures as CSV, sorted by rep
/// (byte order), period and declaration order, amounts in plain notation with the currency's
/// minor-unit digits, never `-0.00`, quoted only when a field needs it, LF line ends.
public enum ResultExport {
    /// `rep,period,plan,component,amount,currency`.
    public static func payoutsCSV(_ lines: [PayoutLine]) -> String {
        var out = CSVBuffer("rep,period,plan,component,amount,currency\n", capacity: lines.count * 48)
        for line in sorted(lines) {
            out.field(line.rep)
            out.field(line.period)
            out.field(line.plan)
            out.field(line.component)
            out.field(line.amount.formatted(fractionDigits: line.currency.minorUnits))
            out.field(line.currency.code, last: true)
        }
        return out.text
    }

    /// `rep,period,plan,measure,value`.
    public static func measuresCSV(_ values: [MeasureValue]) -> String {
        var out = CSVBuffer("rep,period,plan,measure,value\n", capacity: values.count * 40)
        for value in sorted(values) {
            out.field(value.rep)
            out.field(value.period)
            out.field(value.plan)
            out.field(value.measure)
            out.field(value.value.formatted(fractionDigits: value.digits), last: true)
        }
        return out.text
    }

    /// Sorts by (rep bytes, period bytes, plan bytes, order), stable; the store reads rows in this
    /// order already, so usually this only checks it.
    static func sorted<T: ExportRow>(_ items: [T]) -> [T] {
        func precedes(_ a: T, _ b: T) -> Bool {
            if a.rep != b.rep { return a.rep.utf8.lexicographicallyPrecedes(b.rep.utf8) }
            if a.period != b.period { return a.period.utf8.lexicographicallyPrecedes(b.period.utf8) }
            if a.plan != b.plan { return a.plan.utf8.lexicographicallyPrecedes(b.plan.utf8) }
            return a.order < b.order
        }
        if items.indices.dropFirst().allSatisfy({ !precedes(items[$0], items[$0 - 1]) }) { return items }
        return items.enumerated().sorted { a, b in
            if precedes(a.element, b.element) { return true }
            if precedes(b.element, a.element) { return false }
            return a.offset < b.offset
        }.map(\.element)
    }

    /// Writes `text` to the file at `path` (created or truncated).
    public static func write(_ text: String, to path: String) throws(StoreError) {
        guard let file = fopen(path, "w") else {
            throw StoreError(operation: "writing \(path)", underlying: String(cString: strerror(errno)))
        }
        var text = text
        let written = text.withUTF8 { fwrite($0.baseAddress, 1, $0.count, file) == $0.count }
        if fclose(file) != 0 || !written {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw StoreError(operation: "writing \(path)", underlying: reason)
        }
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

/// What exports sort by.
protocol ExportRow {
    var rep: String { get }
    var period: String { get }
    var plan: String { get }
    var order: Int { get }
}

extension PayoutLine: ExportRow {}
extension MeasureValue: ExportRow {}

/// CSV text built as bytes (a `String` per field and `joined` per line was most of an export).
struct CSVBuffer {
    private var bytes: [UInt8]

    init(_ header: String, capacity: Int) {
        bytes = []
        bytes.reserveCapacity(capacity + header.utf8.count)
        bytes.append(contentsOf: header.utf8)
    }

    /// Appends one field (quoted when it needs it) and a comma, or the line end after the last.
    mutating func field(_ text: String, last: Bool = false) {
        let utf8 = text.utf8
        var needsQuotes = false
        for byte in utf8 where byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 10 || byte == 13 {
            needsQuotes = true
            break
        }
        if needsQuotes {
            bytes.append(UInt8(ascii: "\""))
            for byte in utf8 {
                if byte == UInt8(ascii: "\"") { bytes.append(byte) }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        } else {
            bytes.append(contentsOf: utf8)
        }
        bytes.append(last ? 10 : UInt8(ascii: ","))
    }

    var text: String { String(decoding: bytes, as: UTF8.self) }
}
