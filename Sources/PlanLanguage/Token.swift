import CompCore
import CompDiagnostics

/// The kinds of token of the plan language.
enum TokenKind: UInt8, Sendable, Hashable {
    case identifier, integer, decimal, percent, date, month, quarter, string
    case lbrace, rbrace, lparen, rparen, lbracket, rbracket, comma, colon, dot
    case assign, equal, notEqual, less, lessEqual, greater, greaterEqual
    case plus, minus, star, slash, arrow, fatArrow
    // Reserved words.
    case kwAnd, kwOr, kwNot, kwIn, kwTo, kwWhen, kwIf, kwThen, kwElse, kwMatch, kwTrue, kwFalse
    case invalid, eof

    /// How the token reads in messages.
    var spelling: String {
        switch self {
        case .identifier: return "name"
        case .integer, .decimal: return "number"
        case .percent: return "percentage"
        case .date: return "date"
        case .month: return "month"
        case .quarter: return "quarter"
        case .string: return "string"
        case .lbrace: return "'{'"
        case .rbrace: return "'}'"
        case .lparen: return "'('"
        case .rparen: return "')'"
        case .lbracket: return "'['"
        case .rbracket: return "']'"
        case .comma: return "','"
        case .colon: return "':'"
        case .dot: return "'.'"
        case .assign: return "'='"
        case .equal: return "'=='"
        case .notEqual: return "'!='"
        case .less: return "'<'"
        case .lessEqual: return "'<='"
        case .greater: return "'>'"
        case .greaterEqual: return "'>='"
        case .plus: return "'+'"
        case .minus: return "'-'"
        case .star: return "'*'"
        case .slash: return "'/'"
        case .arrow: return "'->'"
        case .fatArrow: return "'=>'"
        case .kwAnd: return "'and'"
        case .kwOr: return "'or'"
        case .kwNot: return "'not'"
        case .kwIn: return "'in'"
        case .kwTo: return "'to'"
        case .kwWhen: return "'when'"
        case .kwIf: return "'if'"
        case .kwThen: return "'then'"
        case .kwElse: return "'else'"
        case .kwMatch: return "'match'"
        case .kwTrue: return "'true'"
        case .kwFalse: return "'false'"
        case .invalid: return "invalid character"
        case .eof: return "end of file"
        }
    }

    static let reserved: [String: TokenKind] = [
        "and": .kwAnd, "or": .kwOr, "not": .kwNot, "in": .kwIn, "to": .kwTo, "when": .kwWhen, "if": .kwIf,
        "then": .kwThen, "else": .kwElse, "match": .kwMatch, "true": .kwTrue, "false": .kwFalse,
    ]
}

extension PlanSyntax {
    /// The language's reserved words (`and`, `if`, `match`, …, `true`, `false`): no name can be one.
    public static let reservedWords: Set<String> = Set(TokenKind.reserved.keys)
}

/// A token: kind and byte range (G7: offsets only; line and column are computed when rendering).
struct Token: Sendable, Hashable {
    var kind: TokenKind
    var range: SourceRange
    /// True when only spaces precede the token on its line.
    var atLineStart: Bool
}

/// A `#` comment, kept beside the tokens so the formatter can put it back.
struct Comment: Sendable, Hashable {
    var range: SourceRange
    /// True when the comment is alone on its line.
    var ownLine: Bool
}

/// Splits plan text into tokens and comments. Never fails: bad bytes become `.invalid` tokens and
/// diagnostics.
struct Lexer {
    let bytes: [UInt8]
    var position = 0
    var lineStart = true
    var tokens: [Token] = []
    var comments: [Comment] = []
    var problems: [(PlanMessage, SourceRange)] = []
    /// Problems past ``problemLimit`` are counted, not kept (a megabyte of invalid characters is a
    /// million of them; a check lists a hundred), with the place of the first.
    var droppedProblems = 0
    var firstDropped: SourceRange? = nil
    static let problemLimit = 1_000

    init(bytes: [UInt8]) { self.bytes = bytes }

    static func tokenize(_ bytes: [UInt8]) -> (tokens: [Token], comments: [Comment], problems: [(PlanMessage, SourceRange)]) {
        var lexer = Lexer(bytes: bytes)
        lexer.run()
        return (lexer.tokens, lexer.comments, lexer.problems)
    }

    /// The lexer itself, run (for its counts of problems not kept).
    static func lexed(_ bytes: [UInt8]) -> Lexer {
        var lexer = Lexer(bytes: bytes)
        lexer.run()
        return lexer
    }

    private mutating func report(_ problem: (PlanMessage, SourceRange)) {
        if problems.count < Self.problemLimit {
            problems.append(problem)
        } else {
            droppedProblems += 1
            if firstDropped == nil { firstDropped = problem.1 }
        }
    }

    private func peek(_ offset: Int = 0) -> UInt8 {
        let index = position + offset
        return index < bytes.count ? bytes[index] : 0
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
    private static func isIdentStart(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 }
    private static func isIdentPart(_ b: UInt8) -> Bool { isIdentStart(b) || isDigit(b) }

    private mutating func add(_ kind: TokenKind, _ start: Int) {
        tokens.append(Token(kind: kind, range: SourceRange(start: start, end: position), atLineStart: lineStart))
        lineStart = false
    }

    mutating func run() {
        // A UTF-8 byte order mark is allowed and dropped.
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { position = 3 }
        while position < bytes.count {
            let b = bytes[position]
            let start = position
            switch b {
            case UInt8(ascii: "\n"):
                position += 1
                lineStart = true
            case UInt8(ascii: " "), UInt8(ascii: "\t"):
                position += 1
            case UInt8(ascii: "\r"):
                checkLoneCarriageReturn(at: position)
                position += 1
            case UInt8(ascii: "#"):
                while position < bytes.count && bytes[position] != UInt8(ascii: "\n") {
                    // A lone CR ends the line for some editors, not here: what follows it would be
                    // hidden in the comment.
                    if bytes[position] == UInt8(ascii: "\r") { checkLoneCarriageReturn(at: position) }
                    // So would text after a line separator, a vertical tab or a form feed, and a
                    // bidirectional override shows code as comment or the reverse ("Trojan
                    // Source"); an escape sequence drives the terminal that shows the plan. What a
                    // string may not hold, a comment may not either.
                    if Lexer.isControlInString(bytes[position]) {
                        report((.controlCharacterInComment(UInt32(bytes[position])), SourceRange(start: position, end: position + 1)))
                    } else if let (scalar, length) = Lexer.invisibleControl(bytes, at: position) {
                        report((.controlCharacterInComment(scalar), SourceRange(start: position, end: position + length)))
                        position += length
                        continue
                    }
                    position += bytes[position] < 0x80 ? 1 : checkedUTF8Length(at: position)
                }
                var end = position
                if end > start && bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                comments.append(Comment(range: SourceRange(start: start, end: end), ownLine: lineStart))
            case UInt8(ascii: "\""):
                lexString(start)
            case _ where Lexer.isDigit(b):
                lexNumber(start)
            case _ where Lexer.isIdentStart(b):
                while position < bytes.count && Lexer.isIdentPart(bytes[position]) { position += 1 }
                let text = String(decoding: bytes[start..<position], as: UTF8.self)
                add(TokenKind.reserved[text] ?? .identifier, start)
            default:
                lexPunctuation(start, b)
            }
        }
        tokens.append(Token(kind: .eof, range: SourceRange(start: bytes.count, end: bytes.count), atLineStart: true))
    }

    /// A byte a string may not hold: a control character other than a tab or a carriage return,
    /// or DEL.
    static func isControlInString(_ byte: UInt8) -> Bool {
        (byte < 0x20 && byte != UInt8(ascii: "\t") && byte != UInt8(ascii: "\r")) || byte == 0x7F
    }

    /// A character a string may not hold that UTF-8 writes in several bytes, and its length: a C1
    /// control (U+0080–U+009F, such as a terminal's CSI), a bidirectional formatting character
    /// (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069: it makes the plan, and every trace
    /// quoting it, read differently from what it computes), or a line or paragraph separator
    /// (U+2028, U+2029), or a noncharacter (U+FFFE, U+FFFF).
    static func invisibleControl(_ bytes: [UInt8], at index: Int) -> (scalar: UInt32, length: Int)? {
        guard index + 1 < bytes.count else { return nil }
        let (b0, b1) = (bytes[index], bytes[index + 1])
        if b0 == 0xC2 && (0x80...0x9F).contains(b1) { return (UInt32(b1), 2) }
        if b0 == 0xD8 && b1 == 0x9C { return (0x061C, 2) }
        // The noncharacters U+FFFE and U+FFFF: no XML document can hold them (`comp export-plan`
        // had failed on one with an internal error).
        if b0 == 0xEF && b1 == 0xBF, index + 2 < bytes.count, bytes[index + 2] == 0xBE || bytes[index + 2] == 0xBF {
            return (bytes[index + 2] == 0xBE ? 0xFFFE : 0xFFFF, 3)
        }
        guard b0 == 0xE2, index + 2 < bytes.count, bytes[index + 2] & 0xC0 == 0x80 else { return nil }
        let b2 = bytes[index + 2]
        let scalar = 0x2000 | (UInt32(b1 & 0x3F) << 6) | UInt32(b2 & 0x3F)
        guard b1 == 0x80 || b1 == 0x81 else { return nil }
        switch scalar {
        case 0x200E, 0x200F, 0x2028...0x202E, 0x2066...0x2069: return (scalar, 3)
        default: return nil
        }
    }

    /// Reports a carriage return not followed by a line feed: line ends are LF or CRLF, and text
    /// after a lone CR (shown on a line of its own by some editors) would be read as the same line.
    private mutating func checkLoneCarriageReturn(at index: Int) {
        if index + 1 >= bytes.count || bytes[index + 1] != UInt8(ascii: "\n") {
            report((.loneCarriageReturn, SourceRange(start: index, end: index + 1)))
        }
    }

    /// The length of the UTF-8 character at `index` (a byte of 0x80 or more), or 1 after reporting
    /// the byte when it starts no valid character: decoded as U+FFFD it would change the plan's
    /// text (a name, a label, a file name) without a word.
    private mutating func checkedUTF8Length(at index: Int) -> Int {
        if let length = UTF8Bytes.sequenceLength(bytes, at: index) { return length }
        report((.invalidUTF8(bytes[index]), SourceRange(start: index, end: index + 1)))
        return 1
    }

    private mutating func lexString(_ start: Int) {
        position += 1
        while position < bytes.count {
            let c = bytes[position]
            if c == UInt8(ascii: "\"") {
                position += 1
                add(.string, start)
                return
            }
            if c == UInt8(ascii: "\n") { break }
            // A carriage return alone inside a string is a lone one like any other (it had passed,
            // and returned the terminal's cursor wherever the string was shown).
            if c == UInt8(ascii: "\r") { checkLoneCarriageReturn(at: position) }
            // A NUL or other control character would be cut or garbled where the string is used
            // (a file name stops at a NUL).
            if Lexer.isControlInString(c) {
                report((.controlCharacterInString(UInt32(c)), SourceRange(start: position, end: position + 1)))
            }
            if let (scalar, length) = Lexer.invisibleControl(bytes, at: position) {
                report((.controlCharacterInString(scalar), SourceRange(start: position, end: position + length)))
                position += length
                continue
            }
            if c >= 0x80 {
                position += checkedUTF8Length(at: position)
                continue
            }
            if c == UInt8(ascii: "\\") && position + 1 < bytes.count && bytes[position + 1] != UInt8(ascii: "\n") {
                // An escaped character is kept as it is: a control character is no better escaped.
                if Lexer.isControlInString(bytes[position + 1]) {
                    report((.controlCharacterInString(UInt32(bytes[position + 1])), SourceRange(start: position + 1, end: position + 2)))
                }
                if let (scalar, length) = Lexer.invisibleControl(bytes, at: position + 1) {
                    report((.controlCharacterInString(scalar), SourceRange(start: position + 1, end: position + 1 + length)))
                    position += 1 + length
                    continue
                }
                // Only \" \\ \n \t: "C:\Temp" had read as "C:Temp" and never matched.
                let escaped = bytes[position + 1]
                if !Lexer.isControlInString(escaped)
                    && escaped != UInt8(ascii: "\"") && escaped != UInt8(ascii: "\\") && escaped != UInt8(ascii: "n") && escaped != UInt8(ascii: "t")
                {
                    let length = escaped >= 0x80 ? max(1, checkedUTF8Length(at: position + 1)) : 1
                    // A tab or carriage return is shown as its code, not put raw into the message.
                    let text = escaped < 0x20 || escaped == 0x7F
                        ? "x" + hex(escaped)
                        : String(decoding: bytes[(position + 1)..<min(bytes.count, position + 1 + length)], as: UTF8.self)
                    report((.invalidEscape(text), SourceRange(start: position, end: position + 1 + length)))
                    position += 1 + length
                    continue
                }
                position += 2
            } else {
                position += 1
            }
        }
        report((.unterminatedString, SourceRange(start: start, end: position)))
        add(.invalid, start)
    }

    private mutating func lexNumber(_ start: Int) {
        // Dates and periods: 4 digits, '-', then 2 digits (month, maybe followed by -DD) or Qn.
        do {
            let fourDigits = (0..<4).allSatisfy { Lexer.isDigit(peek($0)) }
            if fourDigits && peek(4) == UInt8(ascii: "-") {
                if Lexer.isDigit(peek(5)) && Lexer.isDigit(peek(6)) && !Lexer.isIdentPart(peek(7)) {
                    if peek(7) == UInt8(ascii: "-") && Lexer.isDigit(peek(8)) && Lexer.isDigit(peek(9))
                        && !Lexer.isIdentPart(peek(10))
                    {
                        position += 10
                        add(.date, start)
                        return
                    }
                    if peek(7) != UInt8(ascii: "-") {
                        position += 7
                        add(.month, start)
                        return
                    }
                }
                if peek(5) == UInt8(ascii: "Q") && Lexer.isDigit(peek(6)) && !Lexer.isIdentPart(peek(7)) {
                    position += 7
                    add(.quarter, start)
                    return
                }
            }
        }
        while position < bytes.count && Lexer.isDigit(bytes[position]) { position += 1 }
        var kind = TokenKind.integer
        if peek() == UInt8(ascii: ".") && Lexer.isDigit(peek(1)) {
            position += 1
            while position < bytes.count && Lexer.isDigit(bytes[position]) { position += 1 }
            kind = .decimal
        }
        if peek() == UInt8(ascii: "%") {
            position += 1
            kind = .percent
        }
        // A letter straight after the digits (`1e10`, `10k`): not a number of this language, and
        // read as two tokens it became "unknown declaration 'e10'".
        if kind != .percent && Lexer.isIdentPart(peek()) {
            while position < bytes.count && Lexer.isIdentPart(bytes[position]) { position += 1 }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            report((
                .invalidNumber(text, "is not a number: write plain digits with an optional decimal point (no exponent or suffix), and a space before a currency"),
                SourceRange(start: start, end: position)))
            add(.invalid, start)
            return
        }
        add(kind, start)
    }

    private mutating func lexPunctuation(_ start: Int, _ b: UInt8) {
        let next = peek(1)
        var kind: TokenKind
        var length = 1
        switch b {
        case UInt8(ascii: "{"): kind = .lbrace
        case UInt8(ascii: "}"): kind = .rbrace
        case UInt8(ascii: "("): kind = .lparen
        case UInt8(ascii: ")"): kind = .rparen
        case UInt8(ascii: "["): kind = .lbracket
        case UInt8(ascii: "]"): kind = .rbracket
        case UInt8(ascii: ","): kind = .comma
        case UInt8(ascii: ":"): kind = .colon
        case UInt8(ascii: "."): kind = .dot
        case UInt8(ascii: "+"): kind = .plus
        case UInt8(ascii: "*"): kind = .star
        case UInt8(ascii: "/"): kind = .slash
        case UInt8(ascii: "-"):
            if next == UInt8(ascii: ">") { kind = .arrow; length = 2 } else { kind = .minus }
        case UInt8(ascii: "="):
            if next == UInt8(ascii: "=") {
                kind = .equal; length = 2
            } else if next == UInt8(ascii: ">") {
                kind = .fatArrow; length = 2
            } else {
                kind = .assign
            }
        case UInt8(ascii: "!"):
            if next == UInt8(ascii: "=") { kind = .notEqual; length = 2 } else { kind = .invalid }
        case UInt8(ascii: "<"):
            if next == UInt8(ascii: "=") { kind = .lessEqual; length = 2 } else { kind = .less }
        case UInt8(ascii: ">"):
            if next == UInt8(ascii: "=") { kind = .greaterEqual; length = 2 } else { kind = .greater }
        case UInt8(ascii: "&"), UInt8(ascii: "|"):
            // `&&` and `||` are one mistake each, not two.
            kind = .invalid
            if next == b { length = 2 }
        default:
            kind = .invalid
            // Take a whole UTF-8 sequence so the caret covers one character.
            if b >= 0xC0 {
                while position + length < bytes.count && bytes[position + length] & 0xC0 == 0x80 && length < 4 {
                    length += 1
                }
            }
        }
        position += length
        if kind == .invalid {
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            let scalars = Array(text.unicodeScalars)
            let shown = scalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0xFFFD }) ? text : "\\x" + hex(b)
            // A character outside ASCII is named by its code point too: a no-break space or a
            // zero-width one cannot be told apart from nothing by looking.
            var code: String? = nil
            if scalars.count == 1, let scalar = scalars.first, scalar.value >= 0x80, shown == text {
                code = codePoint(scalar.value)
            }
            report((.invalidCharacter(shown, code: code), SourceRange(start: start, end: position)))
            // A special or invisible space separates like a space once it has been reported: `100`
            // and `USD` either side of a no-break space had each been an error of its own too.
            if Lexer.separatesLikeSpace(text) { return }
        }
        add(kind, start)
    }

    /// Characters that, once reported, are read as a space: special spaces and Unicode line
    /// separators.
    static func separatesLikeSpace(_ text: String) -> Bool {
        guard text.unicodeScalars.count == 1, let scalar = text.unicodeScalars.first else { return false }
        // (Not the zero-width ones: they sit inside names more than between words.)
        return [0x00A0, 0x2007, 0x202F, 0x2009, 0x200A, 0x3000, 0x2028, 0x2029, 0x0085].contains(scalar.value)
    }

    /// How to write what an invalid character was likely meant for (habits from other
    /// languages), or nil.
    static func hint(forInvalid text: String) -> String? {
        switch text {
        case "&&", "&": return "write 'and' (a and b)"
        case "||", "|": return "write 'or' (a or b)"
        case "!": return "write 'not' (not a), or '!=' for 'is not equal to'"
        case "'": return "text is in double quotes: \"new\""
        case "$", "€", "£", "¥": return "write money with its currency code after the amount: 100 USD"
        case ";": return "a declaration ends with its line; remove the ';'"
        case "%", "\u{FF05}": return "write the percent sign right after the number: 5%"
        case "\u{00A0}", "\u{2007}", "\u{202F}", "\u{2009}", "\u{200A}", "\u{3000}": return "a special space (pasted from a document?); write a plain space"
        case "\u{200B}", "\u{200C}", "\u{200D}", "\u{2060}", "\u{FEFF}": return "an invisible character (pasted from a document?); delete it"
        case "\u{2028}", "\u{2029}", "\u{0085}": return "a Unicode line separator; end the line with a plain line break"
        case "\u{201C}", "\u{201D}", "\u{201E}", "\u{00AB}", "\u{00BB}": return "write text in straight double quotes: \"new\""
        case "\u{2018}", "\u{2019}", "\u{201A}": return "text is in straight double quotes: \"new\""
        case "\u{2212}", "\u{2013}", "\u{2014}": return "write '-' for minus, or 'to' between two bounds"
        case "\u{00D7}", "\u{2715}", "\u{22C5}": return "write '*' to multiply"
        case "\u{00F7}": return "write '/' to divide"
        case "\u{2264}": return "write '<='"
        case "\u{2265}": return "write '>='"
        case "\u{2260}": return "write '!='"
        default:
            // A letter of another alphabet inside a name (a Cyrillic о for o): names are ASCII.
            if let scalar = text.unicodeScalars.first, text.unicodeScalars.count == 1, scalar.properties.isAlphabetic {
                return "names are written in ASCII letters, digits and '_'; this letter only looks like one (retype the name)"
            }
            return nil
        }
    }

    private func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
    }
}
