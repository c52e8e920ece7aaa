import Foundation
import SampleData

/// A generated data set in a fresh temporary directory, read back as parsed CSV.
struct GeneratedSet {
    let directory: String
    let summary: SampleSummary

    init(reps: Int = 200, transactions: Int = 20_000, seed: UInt64 = 7, threads: Int = 2) throws {
        directory = makeTemporaryDirectory()
        summary = try SampleGenerator.write(
            SampleOptions(reps: reps, transactions: transactions, seed: seed, threads: threads), to: directory)
    }

    func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)))
    }

    func text(_ name: String) throws -> String { String(decoding: try bytes(name), as: UTF8.self) }

    /// Header and records as dictionaries keyed by column name.
    func table(_ name: String) throws -> (header: [String], rows: [[String: String]]) {
        let records = parseCSV(try text(name))
        guard let header = records.first else { return ([], []) }
        let rows = records.dropFirst().map { fields in
            Dictionary(uniqueKeysWithValues: zip(header, fields))
        }
        return (header, Array(rows))
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

func makeTemporaryDirectory() -> String {
    NSTemporaryDirectory() + "sample-data-tests-" + UUID().uuidString
}

/// RFC 4180 records (quoted fields, `""` escapes, LF or CRLF line ends).
func parseCSV(_ text: String) -> [[String]] {
    var records: [[String]] = []
    var fields: [String] = []
    var field: [UInt8] = []
    var quoted = false
    var afterQuote = false
    let bytes = Array(text.utf8)
    var index = 0
    func endField() {
        fields.append(String(decoding: field, as: UTF8.self))
        field = []
    }
    while index < bytes.count {
        let byte = bytes[index]
        if quoted {
            if byte == UInt8(ascii: "\"") {
                if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\"") {
                    field.append(byte)
                    index += 1
                } else {
                    quoted = false
                    afterQuote = true
                }
            } else {
                field.append(byte)
            }
        } else if byte == UInt8(ascii: "\"") && field.isEmpty && !afterQuote {
            quoted = true
        } else if byte == UInt8(ascii: ",") {
            endField()
            afterQuote = false
        } else if byte == 0x0A {
            endField()
            records.append(fields)
            fields = []
            afterQuote = false
        } else if byte != 0x0D {
            field.append(byte)
        }
        index += 1
    }
    if !field.isEmpty || !fields.isEmpty {
        endField()
        records.append(fields)
    }
    return records
}

/// Fraction digits of a plain decimal (`12.50` → 2, `-80` → 0).
func fractionDigits(_ text: String) -> Int {
    guard let dot = text.firstIndex(of: ".") else { return 0 }
    return text.distance(from: dot, to: text.endIndex) - 1
}
