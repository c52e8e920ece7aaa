import CompCore
import CompDiagnostics

/// Whether `text` starts or ends with a space of any kind (a blank, a no-break space).
func hasSpacesAround(_ text: String) -> Bool {
    guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
    return first.properties.isWhitespace || last.properties.isWhitespace
}

/// The catalogue of data-file messages, alphabetical by id. Each says what is wrong and, where it
/// helps, how to fix it. Tests match on the ids.
enum DataMessage {
    /// "; remove the spaces around it" for a value with a space or tab at either end: CSV keeps
    /// them, and " 10" reads as no number and " R1" as no rep.
    @inline(never) static func spaces(_ text: String) -> String {
        // Printable ASCII throughout (most values): no invisible character, and a space is the
        // only kind at its ends; nothing to decode (looking up each scalar's properties had cost
        // 12 % of a run refusing millions of rows).
        let ascii = text.utf8.withContiguousStorageIfAvailable { bytes -> String? in
            guard TerminalText.isPrintableASCII(bytes) else { return nil }
            return bytes.first == 0x20 || bytes.last == 0x20 ? "; remove the spaces around it" : ""
        }
        if let ascii, let answer = ascii { return answer }
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return "" }
        // An invisible character anywhere: the value as quoted looks right, so it is named.
        if let invisible = text.unicodeScalars.first(where: TerminalText.isInvisible) {
            return "; it holds an invisible character (\(codePoint(invisible.value))), which prints as nothing: delete it"
        }
        // A no-break space (pasted from a web page or a spreadsheet) is a space too.
        let space: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0.properties.isWhitespace }
        guard space(first) || space(last) else { return "" }
        // Every kind of space at either end but the plain ones is named: a quoted "506.88\r\n"
        // had been told of a space, U+000A, and not of its carriage return.
        let scalars = Array(text.unicodeScalars)
        let leading = scalars.prefix(while: space)
        let trailing = leading.count == scalars.count ? [] : scalars.reversed().prefix(while: space)
        var odd: [Unicode.Scalar] = []
        for scalar in leading + trailing.reversed() where scalar != " " && scalar != "\t" && !odd.contains(scalar) { odd.append(scalar) }
        let lineBreak = odd.contains { $0 == "\n" || $0 == "\r" || $0 == "\u{85}" || $0 == "\u{2028}" || $0 == "\u{2029}" }
        func named(_ scalar: Unicode.Scalar) -> String {
            let name: String
            switch scalar {
            case "\n": name = "a line feed"
            case "\r": name = "a carriage return"
            case "\u{A0}": name = "a no-break space"
            case "\u{85}", "\u{2028}", "\u{2029}": name = "a line break"
            default: name = "a space"
            }
            return "\(name), \(codePoint(scalar.value))"
        }
        let advice = lineBreak ? "; remove the spaces and line breaks around it" : "; remove the spaces around it"
        switch odd.count {
        case 0: return advice
        case 1: return advice + " (one is \(named(odd[0])))"
        default: return advice + " (among them: \(odd.map(named).joined(separator: "; ")))"
        }
    }


    @inline(never) static func badCurrency(_ text: String) -> (DiagnosticID, String) {
        // Three capitals that are no currency (XYZ) are not helped by being told the shape.
        let shaped = text.utf8.count == 3 && text.utf8.allSatisfy { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
        // A code in lower or mixed case (`usd`, `Eur`) is told the code to write.
        if !shaped, text.utf8.count == 3, text.utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0 & 0xDF) }),
            Currency(code: text.uppercased()) != nil
        {
            return ("data.badCurrency", "currency \"\(text)\" is not an ISO 4217 code; write it in upper case: \(text.uppercased())")
        }
        return (
            "data.badCurrency",
            shaped
                ? "currency \"\(text)\" is not an ISO 4217 currency (e.g. USD, EUR, JPY; codes of metals, funds and tests, such as XAU or XTS, are not)"
                : "currency \"\(text)\" is not an ISO 4217 code (three upper-case letters, e.g. USD)"
                + spaces(text))
    }

    @inline(never) static func badDate(_ column: String, _ text: String) -> (DiagnosticID, String) {
        ("data.badDate", "\(column) \"\(text)\" is not a valid date; " + (dayPastMonth(text) ?? "write YYYY-MM-DD") + spaces(text))
    }

    /// For a date written right but whose day the month has not (`2027-02-30`, `2027-04-31`,
    /// `2027-02-29`): how many days the month has.
    static func dayPastMonth(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = Int(String(decoding: bytes[0..<4], as: UTF8.self)), let month = Int(String(decoding: bytes[5..<7], as: UTF8.self)),
            let day = Int(String(decoding: bytes[8..<10], as: UTF8.self)), (1...12).contains(month), day >= 1,
            bytes.allSatisfy({ $0 == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        let days = CivilDate.daysInMonth(year: year, month: month)
        guard day > days else { return nil }
        let names = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        return "\(names[month - 1]) \(year) has \(days) days"
    }

    @inline(never) static func fiscalYearOutOfRange(_ column: String, _ text: String, year: Int) -> (DiagnosticID, String) {
        (
            "data.fiscalYearOutOfRange",
            "\(column) \"\(text)\" is in fiscal year \(year), which periods cannot name (fiscal years run from 0 to 9999 here); "
                + "correct the date, or start the fiscal year in January"
        )
    }

    @inline(never) static func badDecimal(_ column: String, _ text: String, _ error: DecimalParseError) -> (DiagnosticID, String) {
        switch error {
        case .tooManyFractionDigits(let found, let allowed):
            return ("data.tooManyFractionDigits", "\(column) \"\(text)\" has \(found) fraction digits; at most \(allowed) are allowed")
        case .outOfRange:
            return ("data.decimalOutOfRange", "\(column) \"\(text)\" is out of range (at most ±9223372036854.775807)")
        case .empty, .invalidCharacter:
            return ("data.badDecimal", "\(column) \"\(text)\" is not a plain decimal (like 1234.56 or -80)" + (spreadsheetNumber(text) ?? spaces(text)))
        }
    }

    /// How to write `text` as a plain decimal when it is a number as a spreadsheet shows one:
    /// `"; write it as -1234.56 (no currency symbol, no thousands separators, a minus sign for the
    /// parentheses)"`; Excel's scientific notation and percentages are said as what they are.
    /// `nil` when it is none of these. On the bytes (a file of a million such amounts is said
    /// row by row).
    static func spreadsheetNumber(_ text: String) -> String? {
        var body = Array(text.utf8)[...]
        guard let first = body.first, let last = body.last else { return nil }
        // Spaces around it are said on their own (``spaces(_:)``).
        if hasSpacesAround(text) { return nil }
        let isDigit: (UInt8) -> Bool = { $0 &- UInt8(ascii: "0") < 10 }
        let (point, comma, minus, plus) = (UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "-"), UInt8(ascii: "+"))
        // 1.23457E+11, as a spreadsheet shows a number too long for its column: the digits past
        // the sixth are gone already.
        if let e = body.firstIndex(of: UInt8(ascii: "E")), body[..<e].contains(where: isDigit),
            body[..<e].allSatisfy({ isDigit($0) || $0 == point || $0 == minus }),
            case let exponent = body[(e + 1)...], exponent.first == plus || exponent.first == minus,
            exponent.count >= 3, exponent.dropFirst().allSatisfy(isDigit)
        {
            return "; it is in scientific notation, as a spreadsheet shows a long number, and may have lost digits: format the column "
                + "as a number with its decimals in the spreadsheet and save it again"
        }
        if body.count > 1, last == UInt8(ascii: "%"), body.dropLast().allSatisfy({ isDigit($0) || $0 == point || $0 == minus }) {
            return "; write a percentage as a decimal (50% is 0.5)"
        }
        var reasons: [String] = []
        var negative = false
        if body.count > 2, first == UInt8(ascii: "("), last == UInt8(ascii: ")") {
            body = body.dropFirst().dropLast()
            negative = true
            reasons.append("a minus sign for the parentheses")
        }
        if body.first == minus || body.first == plus {
            negative = negative || body.first == minus
            body = body.dropFirst()
        }
        // $ £ ¥ € ₹ ₩, before the number or after it.
        let symbols: [[UInt8]] = [[0x24], [0xC2, 0xA3], [0xC2, 0xA5], [0xE2, 0x82, 0xAC], [0xE2, 0x82, 0xB9], [0xE2, 0x82, 0xA9]]
        if let symbol = symbols.first(where: { body.starts(with: $0) }) {
            body = body.dropFirst(symbol.count)
            reasons.append("no currency symbol")
        } else if let symbol = symbols.first(where: { body.count > $0.count && body.suffix($0.count).elementsEqual($0) }) {
            body = body.dropLast(symbol.count)
            reasons.append("no currency symbol")
        }
        if body.first == minus && !negative {
            negative = true
            body = body.dropFirst()
        }
        // Spaces (a blank, a no-break space, a narrow one) or apostrophes between digit groups.
        var digits: [UInt8] = []
        var index = body.startIndex
        var grouped = false
        while index < body.endIndex {
            let byte = body[index]
            if byte == 0x20 || byte == UInt8(ascii: "'") {
                grouped = true
                index += 1
            } else if byte == 0xC2, index + 1 < body.endIndex, body[index + 1] == 0xA0 {
                grouped = true
                index += 2
            } else if byte == 0xE2, index + 2 < body.endIndex, body[index + 1] == 0x80, body[index + 2] == 0xAF {
                grouped = true
                index += 3
            } else {
                digits.append(byte)
                index += 1
            }
        }
        if grouped { reasons.append("no spaces or apostrophes between its digits") }
        let commas = digits.filter { $0 == comma }.count
        let points = digits.filter { $0 == point }.count
        var plain = digits
        if commas > 0 && points > 0 {
            // Whichever comes last is the decimal point.
            if let lastComma = digits.lastIndex(of: comma), let lastPoint = digits.lastIndex(of: point), lastComma < lastPoint {
                plain = digits.filter { $0 != comma }
                reasons.append("no thousands separators")
            } else {
                plain = digits.filter { $0 != point }.map { $0 == comma ? point : $0 }
                reasons.append("a decimal point, not a comma")
            }
        } else if commas > 0 {
            let groups = digits.split(separator: comma, omittingEmptySubsequences: false)
            if groups.count > 1, (1...3).contains(groups[0].count), groups.dropFirst().allSatisfy({ $0.count == 3 }) {
                plain = digits.filter { $0 != comma }
                let decimal = String(decoding: digits.map { $0 == comma ? point : $0 }, as: UTF8.self)
                reasons.append("no thousands separators; or, if the comma is a decimal comma, \(negative ? "-" : "")\(decimal)")
            } else if commas == 1 {
                plain = digits.map { $0 == comma ? point : $0 }
                reasons.append("a decimal point, not a comma")
            }
        }
        guard !reasons.isEmpty, plain.contains(where: isDigit), plain.filter({ $0 == point }).count <= 1,
            plain.allSatisfy({ isDigit($0) || $0 == point })
        else { return nil }
        return "; write it as \(negative ? "-" : "")\(String(decoding: plain, as: UTF8.self)) (\(reasons.joined(separator: ", ")))"
    }

    @inline(never) static func badPeriod(_ text: String, monthOnly: Bool) -> (DiagnosticID, String) {
        monthOnly
            ? ("data.badPeriod", "period \"\(text)\" is not a month; write YYYY-MM" + spaces(text))
            : ("data.badPeriod", "period \"\(text)\" is not a period; write YYYY (year), YYYY-Qn (quarter) or YYYY-MM (month)" + spaces(text))
    }

    @inline(never) static func badQuantity(_ text: String) -> (DiagnosticID, String) {
        // All digits but too many: say it is the size, not the shape.
        let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        if !digits.isEmpty && digits.allSatisfy({ $0.isASCII && $0.isNumber }) {
            return ("data.badQuantity", "quantity \"\(text)\" is out of range (at most ±999,999,999)")
        }
        return ("data.badQuantity", "quantity \"\(text)\" is not a whole number" + spaces(text))
    }

    @inline(never) static func csvSyntax(_ message: String) -> (DiagnosticID, String) { ("data.csvSyntax", message) }

    @inline(never) static func byteOrderMarkInRow() -> (DiagnosticID, String) {
        ("data.csvSyntax", "the row starts with a byte order mark (U+FEFF), as files joined one after the other leave it; remove it")
    }

    @inline(never) static func repeatedHeader() -> (DiagnosticID, String) {
        ("data.csvSyntax", "the row repeats the header, as files joined one after the other leave it; remove it")
    }

    @inline(never) static func duplicateColumn(_ name: String, firstField: Int) -> (DiagnosticID, String) {
        ("data.duplicateColumn", "column \"\(name)\" appears twice in the header (first as field \(firstField))")
    }

    @inline(never) static func duplicateFX(_ currency: String, _ month: String, firstLine: Int) -> (DiagnosticID, String) {
        ("data.duplicateFX", "second fx rate for \(currency) in \(month) (first on line \(firstLine))")
    }

    @inline(never) static func duplicateID(_ id: String, firstLine: Int?) -> (DiagnosticID, String) {
        if let firstLine {
            return ("data.duplicateID", "duplicate transaction id \"\(id)\" (first on line \(firstLine))")
        }
        return ("data.duplicateID", "duplicate transaction id \"\(id)\"")
    }

    @inline(never) static func duplicateQuota(_ rep: String, _ period: String, _ measure: String?, firstLine: Int) -> (DiagnosticID, String) {
        let what = measure.map { " and measure \"\($0)\"" } ?? ""
        return ("data.duplicateQuota", "second quota for rep \"\(rep)\", period \(period)\(what) (first on line \(firstLine))")
    }

    @inline(never) static func duplicateSplit(_ txn: String, _ rep: String, firstLine: Int) -> (DiagnosticID, String) {
        ("data.duplicateSplit", "second split of transaction \"\(txn)\" to rep \"\(rep)\" (first on line \(firstLine))")
    }

    /// A row whose every field is empty, as wide as the header.
    @inline(never) static func emptyRow() -> (DiagnosticID, String) {
        ("data.fieldCount", "the row is empty but for its commas; remove it")
    }

    @inline(never) static func emptyFile() -> (DiagnosticID, String) {
        ("data.emptyFile", "the file is empty; it needs a header row")
    }

    /// A file saved as UTF-16 (``UTF8Bytes/utf16ByteOrder(_:count:)``): every byte of its text
    /// had been "a control character or bytes that are not UTF-8".
    @inline(never) static func utf16(_ byteOrder: String) -> (DiagnosticID, String) {
        ("data.utf16", "the file is UTF-16 text (\(byteOrder)), not UTF-8, as Excel's \"Unicode Text\" saves it; save it as \"CSV UTF-8\"")
    }

    /// A header wider than ``CSVLimits/maxFields``.
    @inline(never) static func tooManyColumns(_ limit: Int) -> (DiagnosticID, String) {
        ("data.tooManyColumns", "the header has more than \(limit) columns, more than a data file may have; remove the columns no plan reads")
    }

    /// A spreadsheet workbook named .csv (``workbookKind(_:)``).
    @inline(never) static func workbook(_ kind: String) -> (DiagnosticID, String) {
        ("data.notCSV", "the file is \(kind), not CSV text; open it and save the sheet as \"CSV UTF-8\"")
    }

    /// Lines above the header (``headerLineBelow(_:after:required:)``).
    @inline(never) static func headerBelow(line: Int, after: Int, sepLine: Bool) -> (DiagnosticID, String) {
        (
            "data.headerBelow",
            (sepLine ? "line \(after) is Excel's \"sep=\" line, not the header" : "line \(after) is not the header")
                + "; the header is on line \(line): remove the lines above it"
        )
    }

    @inline(never) static func endBeforeStart(_ start: CivilDate, _ end: CivilDate) -> (DiagnosticID, String) {
        ("data.endBeforeStart", "end \(end) is before start \(start)")
    }

    @inline(never) static func fieldCount(
        found: Int, expected: Int, lines: Int = 1, names: [String] = [], shape: String? = nil
    ) -> (DiagnosticID, String) {
        // A row of commas only, or one separated by another character: said so.
        if let shape, lines == 1 {
            return ("data.fieldCount", "the row has \(found) field\(found == 1 ? "" : "s"); the header has \(expected): " + shape)
        }
        if lines > 1 {
            return (
                "data.fieldCount",
                "a quoted field opened on this line runs on over \(lines) lines, and the row then has \(found) field\(found == 1 ? "" : "s"), "
                    + "not the header's \(expected): close the quote on this line (a quote inside a quoted field is written \"\"); "
                    + "the lines after it are read as rows of their own"
            )
        }
        // The columns it concerns, named (FORMATS.md: the message names the column).
        guard names.count == expected, found != expected else {
            return ("data.fieldCount", "the row has \(found) field\(found == 1 ? "" : "s"); the header has \(expected)")
        }
        /// A column as messages name it: its name in quotes, or its number when it has none.
        func column(_ index: Int) -> String { names[index].isEmpty ? "column \(index + 1) (no name)" : "\"\(TerminalText.safe(names[index]))\"" }
        func listed(_ columns: Range<Int>) -> String {
            let quoted = columns.prefix(5).map(column)
            let more = columns.count > 5 ? " and \(columns.count - 5) more" : ""
            return quoted.count == 1 ? quoted[0] : quoted.dropLast().joined(separator: ", ") + (more.isEmpty ? " and " + (quoted.last ?? "") : ", " + (quoted.last ?? "") + more)
        }
        if found < expected {
            let missing = found..<expected
            return (
                "data.fieldCount",
                "the row has \(found) field\(found == 1 ? "" : "s"); the header has \(expected): \(listed(missing)) "
                    + "\(missing.count == 1 ? "has" : "have") no field (a comma too few, or a line cut short)"
            )
        }
        return (
            "data.fieldCount",
            "the row has \(found) fields; the header has \(expected), the last \(column(expected - 1)): a value "
                + "holding a comma must be quoted (\"1,000\"), or a comma is too many"
        )
    }

    /// The field to report a row of `found` fields at, against a header of `expected`: the first
    /// with no column, or the first column with no field.
    static func fieldCountField(found: Int, expected: Int, lines: Int) -> Int {
        lines > 1 || found == expected ? 1 : min(found, expected) + 1
    }

    /// `message` (a row with the wrong number of fields) with why, when the row holds
    /// `returns` carriage returns not followed by a line feed: the lines they end were one row.
    @inline(never) static func withLoneCarriageReturns(_ message: (DiagnosticID, String), _ returns: Int) -> (DiagnosticID, String) {
        guard returns > 0 else { return message }
        return (
            message.0,
            message.1 + "; the row holds \(returns) carriage return\(returns == 1 ? "" : "s") not followed by a line feed, a line end "
                + "of old Mac files but not of CSV: its \(returns + 1) lines were read as this one row (save the file with LF or CRLF "
                + "line ends)"
        )
    }

    @inline(never) static func fileMissing(_ reason: String) -> (DiagnosticID, String) { ("data.fileMissing", reason) }

    /// A file that another program truncated or rewrote while it was read, or one with a page
    /// that could not be read: what was read is not the file.
    @inline(never) static func changedWhileRead(_ problem: ReadProblem = .changed) -> (DiagnosticID, String) {
        (problem == .changed ? "data.fileChanged" : "data.fileUnreadable", problem.reason)
    }

    /// An id with a space at either end (``hasSpacesAround(_:)``): ids are matched exactly.
    @inline(never) static func spacesAroundID(_ column: String, _ text: String) -> (DiagnosticID, String) {
        ("data.spacesAroundID", "\(column) \"\(text)\" has spaces around it, so it is another id than the same without them" + spaces(text))
    }

    @inline(never) static func idTooLong(_ column: String, limit: Int) -> (DiagnosticID, String) {
        ("data.valueTooLong", "\(column) is longer than \(limit) bytes")
    }

    @inline(never) static func recordsInField(_ column: String, lines: Int) -> (DiagnosticID, String) {
        (
            "data.recordsInField",
            "\(column) is a quoted text holding \(lines) line\(lines == 1 ? "" : "s") shaped like records; "
                + "if a closing quote is missing, those rows were read as this text"
        )
    }

    @inline(never) static func splitPartnerOffRoster(_ rep: String, _ txn: String, _ date: String) -> (DiagnosticID, String) {
        (
            "data.splitPartnerOffRoster",
            "rep \"\(rep)\" has no roster assignment on \(date), the date of transaction \"\(txn)\": this share of its credit goes "
                + "to no one (give the rep a roster row that covers the date, or move the share to another partner)"
        )
    }

    @inline(never) static func zeroQuota() -> (DiagnosticID, String) {
        ("data.zeroQuota", "a quota of 0: a plan that divides by it (attainment) stops the run at this rep and period, and a comparison with it (bookings >= quota) holds for any bookings of 0 or more")
    }

    @inline(never) static func controlCharacter(_ column: String) -> (DiagnosticID, String) {
        ("data.controlCharacter", "\(column) holds a control character (a NUL, tab, line break, escape or bidirectional control); ids must be printable")
    }

    /// An id holding `scalar`, a control or an invisible character (``TerminalText/firstUnprintable(_:)``).
    @inline(never) static func unprintable(_ column: String, _ scalar: Unicode.Scalar) -> (DiagnosticID, String) {
        guard TerminalText.isInvisible(scalar) else { return controlCharacter(column) }
        let code = codePoint(scalar.value)
        return (
            "data.controlCharacter",
            "\(column) holds an invisible character (\(code)), which prints as nothing: it reads the same as the id without it "
                + "but is another id; ids must be printable: delete it"
        )
    }

    /// For an id that matched nothing, what is wrong with it when it is not a well-formed id at
    /// all (bytes that are not UTF-8, a control character such as a tab or the CR of a `\r\r\n`
    /// line end); `nil` when it is one (then it is not on the roster, or not an accepted transaction).
    @inline(never) static func malformedID(_ column: String, _ bytes: UnsafeBufferPointer<UInt8>) -> (DiagnosticID, String)? {
        guard let base = bytes.baseAddress else { return nil }
        if !isValidUTF8(base, bytes.count) { return invalidUTF8(column) }
        if let scalar = TerminalText.firstUnprintable(bytes) { return unprintable(column, scalar) }
        return nil
    }

    @inline(never) static func invalidUTF8(_ column: String) -> (DiagnosticID, String) {
        ("data.invalidUTF8", "\(column) is not valid UTF-8; save the file as UTF-8")
    }

    @inline(never) static func managerCycle(_ cycle: [String]) -> (DiagnosticID, String) {
        ("data.managerCycle", "managers form a cycle: \(cycle.joined(separator: " → "))")
    }

    @inline(never) static func managerChainsTooLong(steps: Int) -> (DiagnosticID, String) {
        ("data.managerCycle", "the manager chains are too long to check for cycles (more than \(steps) steps over the roster's dates): check the manager column")
    }

    @inline(never) static func declaredValueMissing(_ column: String, by plan: String, _ declaration: String) -> (DiagnosticID, String) {
        ("data.missingValue", "\(column) is empty; \(plan) reads it (\(declaration)): fill it in, or declare it optional")
    }

    @inline(never) static func declaredColumnMissing(_ column: String, by plan: String, _ declaration: String) -> (DiagnosticID, String) {
        ("data.missingColumn", "missing column \"\(column)\" in the header; \(plan) reads it (\(declaration)): add it, or declare it optional")
    }

    @inline(never) static func notWholeNumber(_ column: String, _ text: String, by plan: String, _ declaration: String) -> (DiagnosticID, String) {
        // All digits but too many (leading zeros aside): the size is wrong, not the shape.
        let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        if !digits.isEmpty && digits.allSatisfy({ $0.isASCII && $0.isNumber }) && digits.drop(while: { $0 == "0" }).count > 9 {
            return ("data.badCount", "\(column) \"\(text)\" is out of range (at most ±999,999,999); \(plan) reads it as a count (\(declaration))")
        }
        return ("data.badCount", "\(column) \"\(text)\" is not a whole number; \(plan) reads it as a count (\(declaration))" + spaces(text))
    }

    @inline(never) static func notBoolean(_ column: String, _ text: String) -> (DiagnosticID, String) {
        ("data.badBool", "\(column) \"\(text)\" is not true or false")
    }

    @inline(never) static func baseCurrencyRate(_ code: String, rate: String? = nil) -> (DiagnosticID, String) {
        guard let rate else { return ("data.baseCurrencyRate", "\(code) is the base currency, which converts at 1; this row is not needed") }
        return ("data.baseCurrencyRate", "\(code) is the base currency, which converts at 1, not \(rate); remove the row")
    }

    @inline(never) static func formulaLikeRep(_ id: String) -> (DiagnosticID, String) {
        ("data.formulaLikeRep",
         "rep \"\(id)\" starts with \"\(id.prefix(1))\": a spreadsheet opening an export (payouts.csv) may run it as a formula; "
            + "exports write ids as they are, so give the rep an id that starts with a letter or digit")
    }

    @inline(never) static func lookalikeID(_ id: String, firstLine: Int) -> (DiagnosticID, String) {
        ("data.lookalikeID",
         "transaction id \"\(id)\" reads the same as the id on line \(firstLine) but is written with other Unicode characters "
            + "(such as an accent composed in one and added in the other); they are two transactions, both credited: if they are one "
            + "deal, delete one")
    }

    @inline(never) static func lookalikeRep(_ id: String, firstLine: Int) -> (DiagnosticID, String) {
        ("data.lookalikeRep",
         "rep \"\(id)\" reads the same as the rep on line \(firstLine) but is written with other Unicode characters (such as an "
            + "accent composed in one and added in the other); they are two reps: write the id the same way in every file")
    }

    @inline(never) static func reversalInOtherCurrency(_ id: String, _ code: String, deal: String) -> (DiagnosticID, String) {
        ("data.reversalCurrency",
         "this reversal of \(id) is in \(code) and the deal in \(deal): it is valued in its own currency and month, so it may not "
            + "take back what the deal paid; write it in the deal's currency")
    }

    @inline(never) static func reversalWithDealsSign(_ id: String, _ amount: String, deal: String) -> (DiagnosticID, String) {
        ("data.reversalSign", "this reversal of \(id) (\(amount)) has the sign of its deal (\(deal)): it adds to the deal instead of taking it back")
    }

    @inline(never) static func reversalQuantityWithDealsSign(_ id: String, _ quantity: Int32, deal: Int32) -> (DiagnosticID, String) {
        ("data.reversalQuantitySign",
         "this reversal of \(id) has quantity \(quantity), the sign of its deal's (\(deal)): a per-unit SPIFF pays those units again "
            + "instead of taking them back; write it as \(-Int64(quantity))")
    }

    /// `quoted`: every name quoted, with `separator` between them (`"id";"date"`).
    @inline(never) static func notCommaSeparated(_ separator: String, kind: String, quoted: Bool = false) -> (DiagnosticID, String) {
        (
            "data.notCommaSeparated",
            (quoted ? "the header's names are quoted and separated by \(separator)" : "the header is one field holding \(separator)")
                + ": the file looks \(kind)-separated; save it comma-separated (CSV)"
        )
    }

    @inline(never) static func missingColumn(_ name: String, hint: String? = nil) -> (DiagnosticID, String) {
        ("data.missingColumn", "missing required column \"\(name)\" in the header" + (hint.map { " (\($0))" } ?? ""))
    }

    @inline(never) static func columnNameCase(_ found: String, _ column: String) -> (DiagnosticID, String) {
        (
            "data.columnNameCase",
            "column \"\(found)\" is not the column \"\(column)\" (names are matched exactly, in lower case): it is read as an "
                + "extra column, and \(column) is empty on every row; rename it \"\(column)\""
        )
    }

    @inline(never) static func columnNameInvisible(_ shown: String, _ column: String, _ marks: String) -> (DiagnosticID, String) {
        (
            "data.columnNameCase",
            "column \"\(shown)\" has \(marks) inside, so it is not the column \"\(column)\": it is read as an extra column, and "
                + "\(column) is empty on every row; remove it"
        )
    }

    /// - possibleRow: a rejected fx.csv row that may be this one's (its month, its currency, or
    ///   both could not be read), with what could be read of it.
    @inline(never) static func missingFX(
        _ currency: String, _ month: String, base: String, rejectedLine: Int? = nil, possibleRow: (line: Int, readable: String?)? = nil
    ) -> (DiagnosticID, String) {
        if let rejectedLine {
            return ("data.missingFX", "no fx rate for \(currency) in \(month): its row in fx.csv (line \(rejectedLine)) was rejected; correct that row")
        }
        if let possibleRow {
            return (
                "data.missingFX",
                "no fx rate for \(currency) in \(month): a rejected row of fx.csv\(possibleRow.readable.map { " for \($0)" } ?? "") (line "
                    + "\(possibleRow.line)) may be it; correct that row, or add a row \"\(currency),\(month),<\(base) per \(currency)>\" to fx.csv"
            )
        }
        return ("data.missingFX", "no fx rate for \(currency) in \(month); add a row \"\(currency),\(month),<\(base) per \(currency)>\" to fx.csv")
    }

    @inline(never) static func missingValue(_ column: String) -> (DiagnosticID, String) {
        ("data.missingValue", "\(column) is empty; it is required")
    }

    @inline(never) static func negative(_ column: String, _ text: String) -> (DiagnosticID, String) {
        ("data.negativeValue", "\(column) \"\(text)\" is negative")
    }

    @inline(never) static func nameOverLines(_ field: Int) -> (DiagnosticID, String) {
        ("data.nameOverLines", "column name \(field) holds a line break inside its quotes; a column name is one line of text: join its lines")
    }

    @inline(never) static func notCSV(_ reason: String) -> (DiagnosticID, String) {
        ("data.notCSV", "the header is not CSV: \(reason)")
    }

    @inline(never) static func nonPositive(_ column: String, _ text: String) -> (DiagnosticID, String) {
        ("data.nonPositiveValue", "\(column) \"\(text)\" must be greater than zero")
    }

    @inline(never) static func reversalOfItself(_ id: String) -> (DiagnosticID, String) {
        ("data.unknownReversal", "transaction \"\(id)\" reverses itself")
    }

    @inline(never) static func rosterOverlap(_ rep: String, otherLine: Int, _ range: String, _ otherRange: String) -> (DiagnosticID, String) {
        ("data.rosterOverlap", "roster rows for rep \"\(rep)\" overlap: \(range) overlaps \(otherRange) on line \(otherLine)")
    }

    @inline(never) static func shareOutOfRange(_ text: String) -> (DiagnosticID, String) {
        ("data.badShare", "share \"\(text)\" must be greater than 0 and at most 1")
    }

    @inline(never) static func splitWithRejectedRow(_ txn: String, line: Int) -> (DiagnosticID, String) {
        ("data.splitShares", "transaction \"\(txn)\" has a rejected split row (line \(line)): its other rows are not used until that row is corrected")
    }

    @inline(never) static func splitShares(_ txn: String, _ total: FixedDecimal) -> (DiagnosticID, String) {
        ("data.splitShares", "split shares of transaction \"\(txn)\" add up to \(total), not 1")
    }

    @inline(never) static func unknownManager(_ manager: String) -> (DiagnosticID, String) {
        ("data.unknownManager", "manager \"\(manager)\" is not a rep on the roster" + spaces(manager))
    }

    /// A rep id no roster row has; one longer than the roster's ids may be (`maxBytes`) says so
    /// (its roster row, if any, was rejected for it: "not on the roster" hid why).
    /// `lookalikes`: the roster's reps, to say which one a rep not found reads as.
    @inline(never) static func unknownRep(_ rep: String, length: Int, maxBytes: Int, lookalikes: LookalikeIDs? = nil) -> (DiagnosticID, String) {
        if length > maxBytes {
            return ("data.valueTooLong", "rep \"\(rep)\" is longer than \(maxBytes) bytes, so no roster row can name it")
        }
        if let twin = lookalikes?.lookalike(of: rep) {
            return (
                "data.unknownRep",
                "rep \"\(rep)\" is not on the roster; the roster's \"\(twin)\" reads the same but is written with other Unicode "
                    + "characters (such as an accent composed in one and added in the other): write the id the same way in every file"
            )
        }
        // An id from another system that writes it in other capitals (`r000030` for `R000030`).
        if let twin = lookalikes?.caseTwin(of: rep) {
            return (
                "data.unknownRep",
                "rep \"\(rep)\" is not on the roster; the roster's \"\(twin)\" differs from it only in case (ids are matched exactly): "
                    + "write the id the same way in every file"
            )
        }
        return ("data.unknownRep", "rep \"\(rep)\" is not on the roster" + spaces(rep))
    }

    /// A roster rep whose id differs from an earlier one's only in case (a warning: two reps).
    @inline(never) static func caseTwinRep(_ id: String, twin: String, firstLine: Int) -> (DiagnosticID, String) {
        ("data.lookalikeRep",
         "rep \"\(id)\" differs from the rep \"\(twin)\" on line \(firstLine) only in case; they are two reps: if they are one, write "
            + "the id the same way in every file")
    }

    @inline(never) static func reversalCycle(_ id: String, length: Int) -> (DiagnosticID, String) {
        ("data.reversalCycle", "reverses \"\(id)\", which leads back to this transaction through \(length) reversal\(length == 1 ? "" : "s") (a cycle); a reversal cancels an earlier deal")
    }

    @inline(never) static func reversalBeforeDeal(_ id: String, dealDate: String) -> (DiagnosticID, String) {
        ("data.reversalBeforeDeal", "reverses \"\(id)\", dated \(dealDate), later than this reversal")
    }

    @inline(never) static func reversalByOtherRep(_ id: String, dealRep: String) -> (DiagnosticID, String) {
        (
            "data.reversalByOtherRep",
            "reverses \"\(id)\", a deal of rep \"\(dealRep)\": this row's rep is charged, or under 'charge original_period' the deal's"
        )
    }

    @inline(never) static func overReversed(_ id: String, total: String, deal: String) -> (DiagnosticID, String) {
        ("data.overReversed", "reversals of \"\(id)\" add up to \(total), more than the deal's \(deal)")
    }

    @inline(never) static func unknownReversal(_ id: String) -> (DiagnosticID, String) {
        ("data.unknownReversal", "reverses \"\(id)\", which is not an accepted transaction in this ledger" + spaces(id))
    }

    @inline(never) static func unknownTransaction(_ id: String) -> (DiagnosticID, String) {
        ("data.unknownTransaction", "transaction \"\(id)\" is not an accepted transaction in transactions.csv" + spaces(id))
    }
}
