import CompCore
import CompDiagnostics

/// Thrown after a diagnostic has been emitted, to unwind to the nearest recovery point.
struct ParseFailure: Error {}

/// The words that start a declaration inside a plan or library block.
let declarationKeywords: Set<String> = [
    "currency", "period", "fiscal_year_start", "version", "rounding", "effective", "param", "attribute", "input",
    "credit", "measure", "let", "quota", "table", "component", "cap", "floor", "draw", "clawback", "holdback",
]

/// A recursive-descent parser that recovers at declarations and block lines, so one pass reports
/// every syntax error.
final class Parser {
    let bytes: [UInt8]
    let tokens: [Token]
    let comments: [Comment]
    let sink: DiagnosticSink
    let file: Int
    var index = 0
    var commentIndex = 0
    var depth = 0
    var lastEnd = 0
    var reportedDepth = false
    /// Keywords of the block being parsed: at the start of a line they end an expression.
    var lineKeywords: Set<String> = []
    /// The name of the declaration being parsed, if read yet.
    var declaringName: String?
    /// The column of the declaration being parsed (its first word's).
    var declarationColumn = 0
    /// Errors that leave the declaration whole (a block's missing `}`): it is still checked.
    var unclosedBlocks = 0
    /// Mistyped words reported and read as the word meant (`boundry`): the declaration is whole,
    /// and is checked as if it were written right.
    var wordsReadAsMeant = 0
    var failedNames: Set<String> = []
    var misspeltKeywords: Set<String> = []
    var lostDeclarations = false

    /// The text's lines (where each starts).
    let lines: SourceFile

    init(bytes: [UInt8], tokens: [Token], comments: [Comment], sink: DiagnosticSink, file: Int, lines: SourceFile? = nil) {
        self.lines = lines ?? SourceFile(path: "", bytes: bytes)
        self.bytes = bytes
        self.tokens = tokens
        self.comments = comments
        self.sink = sink
        self.file = file
    }

    // MARK: Tokens

    var current: Token { tokens[index] }
    var next: Token { tokens[min(index + 1, tokens.count - 1)] }

    func text(_ token: Token) -> String { String(decoding: bytes[token.range.start..<token.range.end], as: UTF8.self) }
    func text(_ range: SourceRange) -> String { String(decoding: bytes[range.start..<range.end], as: UTF8.self) }

    @discardableResult
    func advance() -> Token {
        let token = tokens[index]
        if token.kind != .eof { index += 1 }
        lastEnd = token.range.end
        return token
    }

    func check(_ kind: TokenKind) -> Bool { current.kind == kind }
    func isWord(_ word: String) -> Bool { current.kind == .identifier && text(current) == word }

    func describe(_ token: Token) -> String {
        switch token.kind {
        case .identifier: return "'\(text(token))'"
        case .eof, .invalid: return token.kind.spelling
        case .string, .integer, .decimal, .percent, .date, .month, .quarter: return "\(token.kind.spelling) \(text(token))"
        default: return token.kind.spelling
        }
    }

    func fail(_ message: PlanMessage, _ range: SourceRange, hint: String? = nil) -> ParseFailure {
        sink.emit(message, file: file, range, hint: hint)
        return ParseFailure()
    }

    func failExpected(_ what: String, hint: String? = nil) -> ParseFailure {
        // An invalid token has its own lexer diagnostic already.
        if current.kind == .invalid { return ParseFailure() }
        // What is missing was missed at the end of the line before the token found (an `if` with
        // no `else`, a `(` never closed): said there, with what the next line starts with. At the
        // next line's first token it had read as a mistake in a line that has none.
        // Only what continues that line: a closer, `then`/`else`, the header's `{`, or an operand
        // after an operator. What starts a line of its own (a declaration, a block line, a tier, a
        // match arm) is missing where the token found is.
        if index > 0, case let previous = tokens[index - 1], newlines(from: previous.range.end, to: current.range.start) > 0,
            Self.continuesLine(what) || (what == "an expression" && Self.expectsOperand(after: previous.kind))
        {
            let line = sink.sources[file].location(of: current.range.start).line
            let end = SourceRange(start: previous.range.end, end: previous.range.end)
            return fail(.expected(what, describe(current) + " on line \(line)"), end, hint: hint ?? habitHint(expecting: what))
        }
        return fail(.expected(what, describe(current)), current.range, hint: hint ?? habitHint(expecting: what) ?? leadingMinusHint())
    }

    /// When the line of the token at hand starts with `-`: that minus continued the line above
    /// (newlines separate nothing), so a tier or a match arm written `-1000 USD to …` was read as
    /// a subtraction from the line before, and the error said only what it found.
    func leadingMinusHint() -> String? {
        var first = index
        while first > 0 && !tokens[first].atLineStart { first -= 1 }
        // Only after a line that could have ended there (a value, a closing bracket): after `{`,
        // `,` or `=` the minus continued nothing.
        guard first > 0, first < index, tokens[first].kind == .minus else { return nil }
        switch tokens[first - 1].kind {
        case .identifier, .integer, .decimal, .percent, .string, .date, .month, .quarter, .rparen, .rbracket: break
        default: return nil
        }
        var operand = first + 1
        var shown = "-"
        // The negated value as written: a number and its currency or unit.
        while operand < index && operand <= first + 2 && !tokens[operand].atLineStart {
            shown += (shown == "-" ? "" : " ") + text(tokens[operand])
            operand += 1
        }
        return "a line that starts with '-' continues the line above as a subtraction; to start it with a negative value, "
            + "write it in brackets: (\(shown))"
    }

    /// Whether a missing `what` belongs at the end of the line it continues.
    static func continuesLine(_ what: String) -> Bool {
        // Everything but what starts a line of its own (a declaration, a block line, a block's
        // `}`) and an expression (which starts a tier or a match arm too: that one is judged by
        // the token before it).
        !["a declaration", "'plan' or 'library'", "a block line", "an expression"].contains(what) && !what.hasPrefix("'}'")
    }

    /// Whether a token leaves an expression wanting its operand (an operator, an opening bracket,
    /// `=`, `then`, `else`, `when`, …).
    static func expectsOperand(after kind: TokenKind) -> Bool {
        switch kind {
        case .plus, .minus, .star, .slash, .lparen, .lbracket, .comma, .assign, .less, .lessEqual, .greater, .greaterEqual,
            .equal, .notEqual, .kwAnd, .kwOr, .kwNot, .kwThen, .kwElse, .kwWhen, .kwIf, .kwIn, .kwTo, .fatArrow, .colon, .arrow:
            return true
        default:
            return false
        }
    }

    /// A hint for a token other languages use where the plan language has another (`what` is
    /// what the parser expected there).
    func habitHint(expecting what: String) -> String? {
        // Doubled with the token before it, with nothing between (`//`, `**`).
        let doubled = index > 0 && tokens[index - 1].kind == current.kind && tokens[index - 1].range.end == current.range.start
        switch current.kind {
        // Where a token such as '{' or ':' is expected (`credit sales = {`), '=' is no comparison.
        case .assign where what != "'{'" && what != "':'": return "compare with '==' ('=' only names a value: let x = …)"
        case .slash where doubled: return "comments start with '#'"
        // `//` or `/*` found where it starts: a comment from another language.
        case .slash where (next.kind == .slash || next.kind == .star) && next.range.start == current.range.end:
            return "comments start with '#'"
        case .star where index > 0 && tokens[index - 1].kind == .slash && tokens[index - 1].range.end == current.range.start:
            return "comments start with '#'"
        case .star where doubled: return "there is no power operator; multiply"
        case .comma where index > 0 && tokens[index - 1].kind == .integer && tokens[index - 1].range.end == current.range.start
            && next.range.start == current.range.end && [.integer, .decimal, .percent].contains(next.kind):
            // The number before the comma is not what was meant: nothing more is said of it (its
            // type had drawn "write the amount with its currency: 20 USD" for 20,000).
            sink.suppress(file: file, tokens[index - 1].range)
            return "numbers have no thousands separators: write \(text(tokens[index - 1]))\(text(next))"
        default: return nil
        }
    }

    @discardableResult
    func expect(_ kind: TokenKind, _ what: String? = nil) throws(ParseFailure) -> Token {
        guard check(kind) else { throw failExpected(what ?? kind.spelling) }
        return advance()
    }

    func identifier(_ what: String) throws(ParseFailure) -> Ident {
        guard check(.identifier) else { throw failExpected(what) }
        let token = advance()
        return Ident(name: text(token), range: token.range)
    }

    func word(_ word: String) throws(ParseFailure) -> Ident {
        guard isWord(word) else { throw failExpected("'\(word)'") }
        return try identifier(word)
    }

    /// The name a declaration introduces; remembered so a failed declaration does not cause
    /// "unknown name" errors at every use.
    func declaredName(_ what: String) throws(ParseFailure) -> Ident {
        let name = try identifier(what)
        declaringName = name.name
        return name
    }

    func enter() throws(ParseFailure) {
        depth += 1
        if depth > PlanLimits.maxNestingDepth {
            if !reportedDepth {
                reportedDepth = true
                sink.emit(
                    .nestingTooDeep, file: file, current.range,
                    hint: "split it into 'let' values (each operator of a chain such as a + b + c counts as a level)")
            }
            throw ParseFailure()
        }
    }

    func leave() { depth -= 1 }

    // MARK: Trivia

    func newlines(from start: Int, to end: Int) -> Int {
        var count = 0
        var i = start
        while i < end && i < bytes.count {
            if bytes[i] == UInt8(ascii: "\n") { count += 1 }
            i += 1
        }
        return count
    }

    func leadingTrivia() -> Trivia {
        var trivia = Trivia()
        let start = current.range.start
        var first = start
        while commentIndex < comments.count && comments[commentIndex].range.start < start {
            let comment = comments[commentIndex]
            if trivia.leading.isEmpty { first = comment.range.start }
            trivia.leading.append(text(comment.range))
            commentIndex += 1
        }
        trivia.blankBefore = newlines(from: lastEnd, to: first) >= 2
        return trivia
    }

    func trailingComment() -> String? {
        guard commentIndex < comments.count else { return nil }
        let comment = comments[commentIndex]
        guard comment.range.start >= lastEnd, comment.range.start < current.range.start || current.kind == .eof,
            newlines(from: lastEnd, to: comment.range.start) == 0
        else { return nil }
        commentIndex += 1
        return text(comment.range)
    }

    /// Comments inside what was just parsed (between the lines of an expression written over
    /// several), not taken by a part of it with comments of its own: printed before it. They had
    /// been the next declaration's, its blank line before them lost.
    func interiorComments() -> [String] { remainingComments(before: lastEnd) }

    func remainingComments(before offset: Int) -> [String] {
        var out: [String] = []
        while commentIndex < comments.count && comments[commentIndex].range.start < offset {
            out.append(text(comments[commentIndex].range))
            commentIndex += 1
        }
        return out
    }

    // MARK: Recovery

    /// Skips to the next declaration keyword at the start of a line, or to the `}` that closes
    /// the enclosing block, keeping nested braces balanced. A word starting a line no more
    /// indented than the failed declaration is taken as the next declaration too (an unknown
    /// one is then reported, not skipped); a more indented one continues the failed one.
    func synchronizeDeclaration(from start: Int) {
        var braces = unmatchedBraces(from: start)
        let indent = column(of: tokens[min(start, tokens.count - 1)])
        if index == start && !check(.rbrace) && !check(.eof) { advance() }
        while !check(.eof) {
            if braces == 0 && check(.rbrace) { return }
            if braces == 0 && current.atLineStart && current.kind == .identifier
                && (declarationKeywords.contains(text(current)) || column(of: current) <= indent && startsDeclarationShape())
            {
                return
            }
            // A brace the failed declaration opened and never closed (`match … {` without its `}`):
            // the next declaration as indented as it ends the skipping, not the plan's `}`.
            if braces > 0 && current.atLineStart && current.kind == .identifier && declarationKeywords.contains(text(current))
                && column(of: current) <= indent
            {
                return
            }
            if check(.lbrace) { braces += 1 }
            if check(.rbrace) { braces -= 1 }
            advance()
        }
    }

    /// The byte column of `token` on its line (0 at the line's start), found by the source's
    /// binary search of line starts (scanning back to the line's start cost a long line's length
    /// per declaration).
    func column(of token: Token) -> Int { token.range.start - lines.offset(ofLine: lines.line(containing: token.range.start)) }

    /// The line that holds `offset`, from 1.
    func line(of offset: Int) -> Int { lines.line(containing: offset) }

    /// After a plan or library header in error (`plan "A" "Title" "extra" {`): goes on with the
    /// body, just after its `{` when one comes before the first declaration, else at that
    /// declaration (the `{` is missing). False when neither is found.
    func resumeAfterHeader() -> Bool {
        var probe = index
        while tokens[probe].kind != .eof {
            let token = tokens[probe]
            if token.kind == .lbrace {
                while index <= probe { advance() }
                return true
            }
            // The header's line has ended without its `{`: the body starts here (a misspelt first
            // word is then reported as such; jumping to the first `{` of the file had entered the
            // first declaration's block).
            if token.atLineStart && probe > index || token.atLineStart && token.kind == .identifier {
                while index < probe { advance() }
                return true
            }
            probe += 1
        }
        return false
    }

    /// Whether the word at the current token is followed, on its line, by what follows a
    /// declaration's first word (a name, a number, a string, a `{`): `wibble 2` or `mesure
    /// bookings = …` start a declaration; `bookings * 2`, a flush-left continuation, does not.
    func startsDeclarationShape() -> Bool {
        let follower = next
        return !follower.atLineStart
            && [.identifier, .integer, .decimal, .string, .percent, .date, .month, .quarter, .lbrace].contains(follower.kind)
    }

    /// The `{` opened and not closed by the tokens read since `start` (a failed `match {` or
    /// block): recovery skips to their `}` first, not taking it for the end of the plan.
    func unmatchedBraces(from start: Int) -> Int {
        var open = 0
        for token in tokens[min(start, index)..<index] {
            if token.kind == .lbrace { open += 1 }
            if token.kind == .rbrace && open > 0 { open -= 1 }
        }
        return open
    }

    /// Skips to the next line inside a block, or to the block's `}`.
    func synchronizeLine(from start: Int) {
        var braces = unmatchedBraces(from: start)
        if index == start && !check(.rbrace) && !check(.eof) { advance() }
        while !check(.eof) {
            if braces == 0 && check(.rbrace) { return }
            if braces == 0 && current.atLineStart { return }
            if check(.lbrace) { braces += 1 }
            if check(.rbrace) { braces -= 1 }
            advance()
        }
    }

    // MARK: File

    func parseFile() -> FileNode {
        var node = FileNode()
        while isWord("use") {
            let trivia = leadingTrivia()
            let start = index
            do throws(ParseFailure) {
                let keyword = advance()
                let path = try expect(.string, "a file path in quotes")
                var use = UseDecl(path: unquote(text(path)), range: keyword.range.union(path.range))
                use.trivia = trivia
                use.trivia.trailing = trailingComment()
                node.uses.append(use)
            } catch {
                synchronizeLine(from: start)
            }
        }
        node.headerTrivia = leadingTrivia()
        // Lines before the header (`currency USD` above `plan "X" {`): said once, and the plan
        // after them is still checked (it had been the only error).
        if !isWord("plan") && !isWord("library") && !check(.eof),
            let header = tokens[index...].firstIndex(where: {
                $0.atLineStart && $0.kind == .identifier && String(decoding: bytes[$0.range.start..<$0.range.end], as: UTF8.self) == "plan"
            })
        {
            sink.emit(.expected("'plan' or 'library'", describe(current)), file: file, current.range,
                      hint: "the file starts with its header, plan \"ID\" { … }: settings and declarations go inside it")
            while index < header { advance() }
            node.headerTrivia = leadingTrivia()
        }
        do throws(ParseFailure) {
            let headerStart = current.range.start
            if isWord("plan") {
                advance()
                if current.kind != .string && current.kind != .lbrace && current.kind != .eof && !current.atLineStart {
                    // An id written without quotes (`plan AE-STD "Title" {`): said, and taken as
                    // written, so the rest of the file is still checked (it had been the only error).
                    let first = current
                    var last = current
                    while !check(.lbrace) && !check(.string) && !check(.eof) && !current.atLineStart { last = advance() }
                    let written = String(decoding: bytes[first.range.start..<last.range.end], as: UTF8.self)
                    sink.emit(.expected("the plan id in quotes", "'\(written)'"), file: file, first.range.union(last.range),
                              hint: "write the id in quotes: plan \"\(written)\"")
                    node.name = .string("\"" + written + "\"", first.range.union(last.range))
                } else {
                    let id = try expect(.string, "the plan id in quotes")
                    node.name = .string(text(id), id.range)
                }
                if check(.string) {
                    let display = advance()
                    node.displayName = .string(text(display), display.range)
                }
            } else if isWord("library") {
                advance()
                node.isLibrary = true
                let name = try identifier("a library name")
                node.name = .name(name)
            } else {
                throw failExpected("'plan' or 'library'")
            }
            node.headerRange = SourceRange(start: headerStart, end: lastEnd)
            try expect(.lbrace)
            node.headerTrivia.trailing = trailingComment()
        } catch {
            // With its name read, the body is still checked (every error at once); without, there
            // is nothing more to check.
            guard node.name != nil, resumeAfterHeader() else {
                node.name = nil
                return node
            }
        }
        node.decls = parseDeclarations()
        node.closing = remainingComments(before: current.range.start)
        let kind = node.isLibrary ? "library" : "plan"
        if check(.rbrace) {
            var brace = advance()
            // A stray '}' ended the block early, and declarations follow: said at that brace, and
            // what follows is still checked (it had been one error, everything after it unread).
            while current.kind == .identifier && declarationKeywords.contains(text(current)) {
                sink.emit(.unexpectedToken("'}': it ends the \(kind), but declarations follow; remove it, or move it after them"), file: file, brace.range)
                node.decls += parseDeclarations()
                guard check(.rbrace) else { break }
                brace = advance()
            }
            node.trailing = remainingComments(before: Int.max)
            if !check(.eof) && lastEnd == brace.range.end {
                sink.emit(.unexpectedToken(describe(current) + " after the end of the \(kind)"), file: file, current.range)
            }
        } else {
            sink.emit(.expected("'}' to close the \(kind)", describe(current)), file: file, current.range)
        }
        node.failedNames = failedNames
        node.misspeltKeywords = misspeltKeywords
        node.lostDeclarations = lostDeclarations
        return node
    }

    func parseDeclarations() -> [Decl] {
        var decls: [Decl] = []
        while !check(.rbrace) && !check(.eof) {
            let trivia = leadingTrivia()
            let start = index
            let problems = sink.count
            declaringName = nil
            declarationColumn = column(of: current)
            let unclosed = unclosedBlocks
            let readAsMeant = wordsReadAsMeant
            do throws(ParseFailure) {
                var decl = try parseDeclaration()
                decl.trivia = trivia
                decl.trivia.leading += interiorComments()
                decl.trivia.trailing = trailingComment()
                decl.recovered = sink.count - (unclosedBlocks - unclosed) - (wordsReadAsMeant - readAsMeant) > problems
                decls.append(decl)
            } catch {
                if let name = declaringName { failedNames.insert(name) }
                lostDeclarations = true
                // A setting written wrong (`currency "USD"`) is not also missing.
                if tokens[start].kind == .identifier, declarationKeywords.contains(text(tokens[start])) {
                    misspeltKeywords.insert(text(tokens[start]))
                }
                synchronizeDeclaration(from: start)
            }
        }
        return decls
    }

    func parseDeclaration() throws(ParseFailure) -> Decl {
        guard check(.identifier) else { throw failExpected("a declaration") }
        let keyword = try identifier("a declaration")
        let kind: DeclKind
        switch keyword.name {
        case "currency", "period", "rounding":
            kind = .setting(keyword, .name(try identifier("a \(keyword.name)")))
        case "fiscal_year_start":
            let token = try expect(.integer, "a month number 1-12")
            kind = .setting(keyword, .number(text(token), token.range))
        case "version":
            let token = try expect(.string, "a version in quotes")
            kind = .setting(keyword, .string(text(token), token.range))
        case "effective":
            let start = try parsePrimary()
            var end: ExprNode?
            if check(.kwTo) {
                advance()
                end = try parsePrimary()
            }
            kind = .effective(start, end)
        case "param":
            let name = try declaredName("a parameter name")
            try expect(.assign)
            kind = .param(name, try parseExpr())
        case "attribute":
            let scope = try identifier("'txn' or 'rep'")
            try expect(.dot)
            let name = try identifier("an attribute name")
            try expect(.colon)
            let type = try identifier("a type")
            var optional = false
            if isWord("optional") {
                advance()
                optional = true
            }
            kind = .attribute(scope: scope, name: name, type: type, optional: optional)
        case "input":
            let name = try declaredName("an input name")
            _ = try word("from")
            let path = try expect(.string, "a file name in quotes")
            _ = try word("column")
            let column = try expect(.string, "a column name in quotes")
            try expect(.colon)
            let type = try identifier("a type")
            kind = .input(name, file: .string(text(path), path.range), column: .string(text(column), column.range), type: type)
        case "credit":
            let name = try declaredName("a credit rule name")
            let (lines, closing) = try parseBlock(parseCreditLine)
            kind = .credit(name, lines, closing: closing)
        case "measure":
            let name = try declaredName("a measure name")
            try expect(.assign)
            let aggregation = try identifier("sum, count, min, max or avg")
            try expect(.lparen)
            let credit = try identifier("a credit rule name")
            try expect(.rparen)
            var window: Ident?
            if isWord("over") {
                advance()
                window = try identifier("'period', 'qtd' or 'ytd'")
            }
            kind = .measure(name, aggregation: aggregation, credit: credit, window: window, try parseRoundClause())
        case "let":
            let name = try declaredName("a name")
            try expect(.assign)
            let expr = try parseExpr()
            kind = .letValue(name, expr, try parseRoundClause())
        case "quota":
            let measure = try identifier("a measure name")
            var period: Ident?
            var prorate: Ident?
            if isWord("per") {
                advance()
                period = try identifier("'month', 'quarter' or 'year'")
            }
            if isWord("prorate") {
                advance()
                prorate = try identifier("'actual_days' or 'none'")
            }
            kind = .quota(measure: measure, period: period, prorate: prorate)
        case "table":
            let name = try declaredName("a table name")
            let mode = try identifier("a table mode (marginal, retroactive, per_transaction, interpolated)")
            _ = try word("on")
            let basis = try identifier("'amount' or 'attainment'")
            var boundary: Ident?
            if isWord("boundary") {
                advance()
                boundary = try identifier("'higher' or 'lower'")
            } else if check(.identifier) && !current.atLineStart, closestName(to: text(current), among: ["boundary"]) != nil {
                // `boundry lower`: said with the word meant, and read as it (what follows is checked).
                let typo = advance()
                sink.emit(.expected("'{'", describe(typo)), file: file, typo.range, hint: "did you mean `boundary`?")
                wordsReadAsMeant += 1
                boundary = try identifier("'higher' or 'lower'")
            }
            let (rows, closing) = try parseRows()
            kind = .table(name, mode: mode, basis: basis, boundary: boundary, rows, closing: closing)
        case "component":
            let name = try declaredName("a component name")
            var display: ExprNode?
            if check(.string) {
                let token = advance()
                display = .string(text(token), token.range)
            }
            try expect(.assign)
            let body = try parseComponentBody()
            kind = .component(name, display: display, body, try parseRoundClause())
        case "cap", "floor":
            let target = try identifier("'total' or a component name")
            _ = try word("at")
            let amount = try parseExpr()
            var per: Ident?
            if isWord("per") {
                advance()
                per = try identifier("'period' or 'year'")
            }
            kind = .limit(kind: keyword, target: target, amount: amount, per: per)
        case "draw":
            let name = try identifier("a draw name")
            let (lines, closing) = try parseBlock(parseDrawLine)
            kind = .draw(name, lines, closing: closing)
        case "clawback":
            let (lines, closing) = try parseBlock(parseClawbackLine)
            kind = .clawback(lines, closing: closing)
        case "holdback":
            let share = try parseAdditive()
            _ = try word("of")
            let target = try identifier("'total' or a component name")
            _ = try word("release")
            let release = try identifier("'quarter_end' or 'year_end'")
            kind = .holdback(share: share, target: target, release: release)
        default:
            // A misspelt declaration word (`mesure bookings = …`): the name it declares is not
            // reported as unknown at each use, and the setting it misspells not as missing.
            if check(.identifier) && [.assign, .lbrace, .string, .colon].contains(next.kind) { failedNames.insert(text(current)) }
            let closest = closestName(to: keyword.name, among: declarationKeywords)
            if let closest { misspeltKeywords.insert(closest) }
            throw fail(.unknownDeclaration(keyword.name), keyword.range, hint: closest.map { "did you mean `\($0)`?" })
        }
        return Decl(keyword: keyword, kind: kind, range: SourceRange(start: keyword.range.start, end: lastEnd))
    }

    static let roundingModes: Set<String> = ["half_even", "half_up", "down", "up", "floor", "ceiling"]

    func parseRoundClause() throws(ParseFailure) -> RoundClause? {
        guard isWord("round") else { return nil }
        // `round` with no mode after it on its line: said at its end, and the next line read as
        // the declaration it is (its mode had been taken from the next line's first word, the
        // declaration there lost with its own errors; at a block's end, `round` had been an
        // "unknown declaration").
        // (A mode itself on the next line is still the mode: newlines separate nothing.)
        // (`floor` starting a line is the declaration, not the mode.)
        if next.kind != .identifier
            || (next.atLineStart && (!Self.roundingModes.contains(text(next)) || declarationKeywords.contains(text(next))))
        {
            let round = advance()
            let line = sink.sources[file].location(of: current.range.start).line
            let ended = current.kind == .eof || current.kind == .rbrace || current.atLineStart
            let found = ended ? describe(current) + " on line \(line)" : describe(current)
            sink.emit(
                .expected("a rounding mode", found), file: file, ended ? SourceRange(start: round.range.end, end: round.range.end) : current.range,
                hint: "write the mode and the digits after 'round' on its line: round half_even 2")
            // What stood after `round` on its line is not read again as a declaration.
            if !current.atLineStart && current.kind != .eof && current.kind != .rbrace { throw ParseFailure() }
            return nil
        }
        let start = advance().range.start
        let mode = try identifier("a rounding mode")
        var digits: (String, SourceRange)?
        if check(.integer) {
            let token = advance()
            digits = (text(token), token.range)
        } else if check(.string) && !current.atLineStart {
            // `round half_even "2"`: the digits in quotes. Said, and read as the number.
            let token = advance()
            let inner = String(text(token).dropFirst().dropLast())
            sink.emit(.expected("the number of digits", describe(token)), file: file, token.range,
                      hint: "write the digits without quotes: round \(mode.name) \(inner)")
            if !inner.isEmpty && inner.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) { digits = (inner, token.range) }
            wordsReadAsMeant += 1
        }
        return RoundClause(mode: mode, digits: digits, range: SourceRange(start: start, end: lastEnd))
    }

    // MARK: Blocks

    /// At a line inside a block that starts a declaration no more indented than the one being
    /// parsed: the block's `}` is missing. Said once, here; the block ends before that line (each
    /// later declaration had been reported as unexpected in the block, and their own errors lost).
    func blockLeftOpen(_ opened: Token) -> Bool {
        guard current.atLineStart, current.kind == .identifier, declarationKeywords.contains(text(current)),
            column(of: current) <= declarationColumn
        else { return false }
        let line = line(of: opened.range.start)
        sink.emit(.expected("'}' to close the block opened on line \(line)", describe(current)), file: file, current.range)
        unclosedBlocks += 1
        return true
    }

    func parseBlock(_ line: (Ident) throws(ParseFailure) -> BlockLine) throws(ParseFailure) -> ([BlockLine], [String]) {
        let opened = try expect(.lbrace)
        try enter()
        defer { leave() }
        let outer = lineKeywords
        lineKeywords = Parser.blockKeywords
        defer { lineKeywords = outer }
        var lines: [BlockLine] = []
        while !check(.rbrace) && !check(.eof) {
            if blockLeftOpen(opened) { return (lines, []) }
            let trivia = leadingTrivia()
            let start = index
            do throws(ParseFailure) {
                let keyword: Ident
                if check(.kwTo) {
                    let token = advance()
                    keyword = Ident(name: "to", range: token.range)
                } else {
                    keyword = try identifier("a block line")
                }
                var parsed = try line(keyword)
                // What follows a line starts the next one (a word, or the block's end): after
                // `where txn.kind = "new"`, `txn.kind` was read as the line and `= "new"` left,
                // and the half line was then checked as if written so.
                if !current.atLineStart && !check(.rbrace) && !check(.eof) && !check(.identifier) && !check(.kwTo) {
                    throw failExpected("the end of the line")
                }
                parsed.trivia = trivia
                parsed.trivia.leading += interiorComments()
                parsed.trivia.trailing = trailingComment()
                lines.append(parsed)
            } catch {
                synchronizeLine(from: start)
            }
        }
        let closing = remainingComments(before: current.range.start)
        try expect(.rbrace, "'}' to close the block")
        return (lines, closing)
    }

    func blockLine(_ keyword: Ident, _ parts: [Part]) -> BlockLine {
        var line = BlockLine(keyword: keyword, exprs: [], words: [], shape: [], range: keyword.range)
        for part in parts {
            switch part {
            case .expr(let e):
                line.shape.append(.expr(line.exprs.count))
                line.exprs.append(e)
            case .word(let w):
                line.shape.append(.word(line.words.count))
                line.words.append(w)
            case .to: line.shape.append(.to)
            }
        }
        line.range = SourceRange(start: keyword.range.start, end: lastEnd)
        return line
    }

    enum Part {
        case expr(ExprNode)
        case word(Ident)
        case to
    }

    func unknownLine(_ keyword: Ident, _ allowed: [String], _ block: String) -> ParseFailure {
        fail(.unexpectedToken("'\(keyword.name)' in a \(block) block"), keyword.range,
             hint: suggestion(for: keyword.name, among: allowed) ?? "expected one of: \(allowed.joined(separator: ", "))")
    }

    /// Words that start a line inside a `credit`, `spiff`, `draw` or `clawback` block.
    static let blockKeywords: Set<String> = [
        "where", "amount", "weight", "window", "pay", "type", "periods", "recovery_start", "recovery_max", "charge",
        "share",
    ]

    func parseCreditLine(_ keyword: Ident) throws(ParseFailure) -> BlockLine {
        switch keyword.name {
        case "where", "amount", "weight":
            return blockLine(keyword, [.expr(try parseExpr())])
        case "to":
            let who = try identifier("'rep', 'splits' or 'managers'")
            var parts: [Part] = [.word(who)]
            if who.name == "splits" && isWord("overlay") { parts.append(.word(try identifier("overlay"))) }
            if who.name == "managers" {
                if check(.integer) {
                    let token = advance()
                    parts.append(.word(Ident(name: text(token), range: token.range)))
                } else {
                    parts.append(.word(try word("all")))
                }
                parts.append(.word(try word("levels")))
            }
            return blockLine(keyword, parts)
        default:
            throw unknownLine(keyword, ["where", "amount", "weight", "to"], "credit")
        }
    }

    func parseSpiffLine(_ keyword: Ident) throws(ParseFailure) -> BlockLine {
        switch keyword.name {
        case "window":
            let lower = try parseAdditive()
            try expect(.kwTo)
            var parts: [Part] = [.expr(lower), .to, .expr(try parseAdditive())]
            if isWord("by") {
                parts.append(.word(try identifier("by")))
                parts.append(.word(try identifier("'date' or 'effective_date'")))
            }
            return blockLine(keyword, parts)
        case "where":
            return blockLine(keyword, [.expr(try parseExpr())])
        case "pay":
            if isWord("table") {
                let table = try identifier("table")
                let name = try identifier("a table name")
                let by = try word("by")
                let count = try word("count")
                return blockLine(keyword, [.word(table), .word(name), .word(by), .word(count)])
            }
            let amount = try parseAdditive()
            if isWord("per") {
                let per = try identifier("per")
                let unit = try identifier("'unit' or 'deal'")
                return blockLine(keyword, [.expr(amount), .word(per), .word(unit)])
            }
            // `pay 150 USD` alone: what it is paid per is missing (it had said only "expected 'of'").
            guard isWord("of") else { throw failExpected("'per unit', 'per deal' or 'of amount'") }
            let of = try word("of")
            let what = try word("amount")
            return blockLine(keyword, [.expr(amount), .word(of), .word(what)])
        default:
            throw unknownLine(keyword, ["window", "where", "pay"], "spiff")
        }
    }

    func parseDrawLine(_ keyword: Ident) throws(ParseFailure) -> BlockLine {
        switch keyword.name {
        case "type":
            return blockLine(keyword, [.word(try identifier("a draw type"))])
        case "amount", "recovery_start", "recovery_max":
            return blockLine(keyword, [.expr(try parseAdditive())])
        case "periods":
            let first = try parsePrimary()
            if check(.kwTo) {
                advance()
                return blockLine(keyword, [.expr(first), .to, .expr(try parsePrimary())])
            }
            return blockLine(keyword, [.expr(first)])
        default:
            throw unknownLine(keyword, ["type", "amount", "periods", "recovery_start", "recovery_max"], "draw")
        }
    }

    func parseClawbackLine(_ keyword: Ident) throws(ParseFailure) -> BlockLine {
        switch keyword.name {
        case "charge":
            return blockLine(keyword, [.word(try identifier("'reversal_period' or 'original_period'"))])
        case "share":
            return blockLine(keyword, [.expr(try parseAdditive())])
        case "window":
            let days = try parsePrimary()
            return blockLine(keyword, [.expr(days), .word(try word("days"))])
        default:
            throw unknownLine(keyword, ["charge", "share", "window"], "clawback")
        }
    }

    func parseRows() throws(ParseFailure) -> ([TierRow], [String]) {
        let opened = try expect(.lbrace)
        var rows: [TierRow] = []
        while !check(.rbrace) && !check(.eof) {
            if blockLeftOpen(opened) { return (rows, []) }
            let trivia = leadingTrivia()
            let start = index
            do throws(ParseFailure) {
                let first = current.range.start
                var lower: ExprNode?
                var upper: ExprNode?
                if isWord("up") {
                    advance()
                    try expect(.kwTo)
                    upper = try parseAdditive()
                } else {
                    lower = try parseAdditive()
                    if check(.kwAnd) {
                        advance()
                        _ = try word("above")
                    } else {
                        // `1000 USD - 2000 USD : 8%` read as one subtraction: a dash between bounds.
                        if !check(.kwTo), case .binary(.subtract, let from, let to, _)? = lower,
                            let dash = tokens[..<index].lastIndex(where: { $0.kind == .minus && $0.range.start >= from.range.end && $0.range.end <= to.range.start })
                        {
                            throw fail(.expected("'to' between tier bounds", "'-'"), tokens[dash].range,
                                       hint: "write 'to' between the bounds of a tier: … to …")
                        }
                        try expect(.kwTo, "'to' or 'and above'")
                        upper = try parseAdditive()
                    }
                }
                try expect(.colon)
                let value = try parseAdditive()
                var endValue: ExprNode?
                if check(.arrow) {
                    advance()
                    endValue = try parseAdditive()
                }
                var gate: ExprNode?
                if check(.kwIf) {
                    advance()
                    // A level, as every expression has (`parseExpr`): a condition two levels
                    // deeper than a `let` allows had passed here, and its XML was then refused.
                    try enter()
                    defer { leave() }
                    gate = try parseOr()
                }
                var row = TierRow(lower: lower, upper: upper, value: value, endValue: endValue, gate: gate,
                                  range: SourceRange(start: first, end: lastEnd))
                row.trivia = trivia
                row.trivia.leading += interiorComments()
                row.trivia.trailing = trailingComment()
                rows.append(row)
            } catch {
                synchronizeLine(from: start)
            }
        }
        let closing = remainingComments(before: current.range.start)
        try expect(.rbrace, "'}' to close the table")
        return (rows, closing)
    }

    /// Whether the word at hand (`override`, `graduated`) starts its kind of body: something
    /// follows it that is not an operator, nor a declaration on a line of its own. Else it is a
    /// name (a `let override`): `component c = override` had read the next declaration as the
    /// override's rate. (A rate on the next line is a rate: XML's lowering writes it so.)
    func startsBody() -> Bool {
        if next.atLineStart && next.kind == .identifier && declarationKeywords.contains(text(next)) { return false }
        switch next.kind {
        case .eof, .rbrace, .rparen, .comma, .star, .slash, .plus, .kwWhen, .kwAnd, .kwOr, .less, .lessEqual, .greater, .greaterEqual,
            .equal, .notEqual:
            return false
        case .identifier:
            return text(next) != "round"
        case .minus:
            // `override - draws` subtracts from a name; `override -1% of team` is an override:
            // its `of` follows on the line.
            var ahead = index + 2
            while ahead < tokens.count && !tokens[ahead].atLineStart && tokens[ahead].kind != .eof {
                if tokens[ahead].kind == .identifier && text(tokens[ahead]) == "of" { return true }
                ahead += 1
            }
            return false
        default:
            return true
        }
    }

    func parseComponentBody() throws(ParseFailure) -> ComponentBodyNode {
        let start = current.range.start
        if isWord("spiff") && next.kind == .lbrace {
            advance()
            let (lines, closing) = try parseBlock(parseSpiffLine)
            return .spiff(lines, closing: closing, SourceRange(start: start, end: lastEnd))
        }
        if isWord("override") && startsBody() {
            advance()
            let rate = try parseAdditive()
            _ = try word("of")
            let credit = try identifier("a credit rule name")
            var levels: Ident?
            if isWord("levels") {
                advance()
                if check(.integer) {
                    let token = advance()
                    levels = Ident(name: text(token), range: token.range)
                } else {
                    levels = try word("all")
                }
            }
            var threshold: ExprNode?
            if check(.kwWhen) {
                advance()
                threshold = try parseOr()
            }
            return .override(rate: rate, credit: credit, levels: levels, threshold: threshold,
                             SourceRange(start: start, end: lastEnd))
        }
        if isWord("graduated") && next.kind != .lparen && startsBody() {
            advance()
            let value = try parseAdditive()
            _ = try word("above")
            let floor = try parseAdditive()
            _ = try word("pays")
            let amount = try parseAdditive()
            _ = try word("per")
            let step = try parseAdditive()
            var ceiling: ExprNode?
            if isWord("up") {
                advance()
                try expect(.kwTo)
                ceiling = try parseAdditive()
            }
            return .graduated(value: value, floor: floor, amount: amount, step: step, ceiling: ceiling,
                              SourceRange(start: start, end: lastEnd))
        }
        return .expr(try parseExpr())
    }

    // MARK: Expressions

    func parseExpr() throws(ParseFailure) -> ExprNode {
        try enter()
        defer { leave() }
        let value = try parseOr()
        if check(.kwWhen) {
            advance()
            let condition = try parseOr()
            return .when(value, condition, value.range.union(condition.range))
        }
        return value
    }

    func binaryChain(_ ops: [TokenKind: BinaryOp], _ operand: () throws(ParseFailure) -> ExprNode) throws(ParseFailure) -> ExprNode {
        var lhs = try operand()
        var links = 0
        defer { depth -= links }
        while let op = ops[current.kind] {
            advance()
            try enter()
            links += 1
            let rhs = try operand()
            lhs = .binary(op, lhs, rhs, lhs.range.union(rhs.range))
        }
        return lhs
    }

    func parseOr() throws(ParseFailure) -> ExprNode { try binaryChain([.kwOr: .or], parseAnd) }
    func parseAnd() throws(ParseFailure) -> ExprNode { try binaryChain([.kwAnd: .and], parseNot) }

    func parseNot() throws(ParseFailure) -> ExprNode {
        guard check(.kwNot) else { return try parseComparison() }
        let start = advance().range.start
        try enter()
        defer { leave() }
        let operand = try parseNot()
        return .not(operand, SourceRange(start: start, end: operand.range.end))
    }

    static let comparisons: [TokenKind: BinaryOp] = [
        .equal: .equal, .notEqual: .notEqual, .less: .less, .lessEqual: .lessEqual, .greater: .greater,
        .greaterEqual: .greaterEqual,
    ]

    func parseComparison() throws(ParseFailure) -> ExprNode {
        let lhs = try parseAdditive()
        if let op = Parser.comparisons[current.kind] {
            advance()
            let rhs = try parseAdditive()
            return .binary(op, lhs, rhs, lhs.range.union(rhs.range))
        }
        if check(.kwIn) {
            advance()
            if check(.lbracket) {
                advance()
                var items: [ExprNode] = []
                try enter()
                defer { leave() }
                if !check(.rbracket) {
                    items.append(try parseAdditive())
                    while check(.comma) {
                        advance()
                        items.append(try parseAdditive())
                    }
                }
                let close = try expect(.rbracket, "',' or ']'")
                return .inList(lhs, items, lhs.range.union(close.range))
            }
            let lower = try parseAdditive()
            if check(.kwTo) {
                advance()
                let upper = try parseAdditive()
                return .inRange(lhs, lower, upper, lhs.range.union(upper.range))
            }
            switch lower {
            case .month, .quarter: return .inRange(lhs, lower, lower, lhs.range.union(lower.range))
            default: throw failExpected("'to' (a range) after 'in'")
            }
        }
        return lhs
    }

    func parseAdditive() throws(ParseFailure) -> ExprNode {
        try binaryChain([.plus: .add, .minus: .subtract], parseMultiplicative)
    }

    func parseMultiplicative() throws(ParseFailure) -> ExprNode {
        try binaryChain([.star: .multiply, .slash: .divide], parseUnary)
    }

    func parseUnary() throws(ParseFailure) -> ExprNode {
        guard check(.minus) else { return try parsePrimary() }
        let start = advance().range.start
        try enter()
        defer { leave() }
        let operand = try parseUnary()
        return .negate(operand, SourceRange(start: start, end: operand.range.end))
    }

    func isCurrencyCode(_ token: Token) -> Bool {
        guard token.kind == .identifier, token.range.end - token.range.start == 3 else { return false }
        return bytes[token.range.start..<token.range.end].allSatisfy { $0 >= 65 && $0 <= 90 }
    }

    /// The ISO code a word after an amount most likely means (`usd`, `Eur`, `dollars`), if any.
    static func currencyMeant(by word: String) -> String? {
        let upper = word.uppercased()
        // (Not `all`, a word of the language, though it is Albania's code.)
        if upper != word && upper.utf8.count == 3 && word != "all" && Currency(code: upper) != nil { return upper }
        switch word.lowercased() {
        case "dollar", "dollars", "usd$": return "USD"
        case "euro", "euros": return "EUR"
        case "pound", "pounds", "sterling": return "GBP"
        case "yen": return "JPY"
        default: return nil
        }
    }

    func parsePrimary() throws(ParseFailure) -> ExprNode {
        let token = current
        switch token.kind {
        case .integer, .decimal:
            advance()
            if isCurrencyCode(current) && newlines(from: token.range.end, to: current.range.start) == 0 {
                let code = advance()
                return .money(text(token), Ident(name: text(code), range: code.range), token.range.union(code.range))
            }
            // `100 usd`, `100 dollars`: money meant, and said how to write it (it had been an
            // unknown declaration, and the number a count where money was needed). Read as the
            // code meant, so that nothing else follows from it.
            if current.kind == .identifier && newlines(from: token.range.end, to: current.range.start) == 0,
                let meant = Self.currencyMeant(by: text(current))
            {
                let word = advance()
                sink.emit(.unknownCurrency(text(word)), file: file, word.range, hint: "write currency codes in upper case after the amount: \(text(token)) \(meant)")
                return .money(text(token), Ident(name: meant, range: word.range), token.range.union(word.range))
            }
            return .number(text(token), token.range)
        case .percent:
            advance()
            return .percent(text(token), token.range)
        case .date:
            advance()
            return .date(text(token), token.range)
        case .month:
            advance()
            return .month(text(token), token.range)
        case .quarter:
            advance()
            return .quarter(text(token), token.range)
        case .string:
            advance()
            return .string(text(token), token.range)
        case .kwTrue, .kwFalse:
            advance()
            return .bool(token.kind == .kwTrue, token.range)
        case .identifier:
            // A declaration keyword at the start of a line means the expression before it is missing;
            // followed by `(` it is a function (`quota(bookings)` continuing an expression).
            if token.atLineStart && next.kind != .lparen && (declarationKeywords.contains(text(token)) || lineKeywords.contains(text(token))) {
                throw failExpected("an expression")
            }
            // The declaration's own `round half_even 2` or `per period` where an operand was due
            // (`2000 USD when round …`, `20000 USD * per period`): the expression ended too soon.
            // Read as names, they had been "unknown name 'round'" and then a second error on the
            // clause's next word, with nothing said of what is missing.
            if next.atLineStart == false, next.kind == .identifier,
                (text(token) == "round" && ["half_even", "half_up", "down", "up", "floor", "ceiling"].contains(text(next)))
                    || (text(token) == "per" && ["period", "quarter", "year", "month"].contains(text(next)))
            {
                let after = index > 0 ? " after \(describe(tokens[index - 1]))" : ""
                throw failExpected("an expression\(after)")
            }
            let name = try identifier("a name")
            if check(.dot) {
                advance()
                let field = try identifier("an attribute name after '.'")
                return .member(name, field)
            }
            // A call's `(` is on its name's line: one that starts a line starts something else (a
            // table's next tier, `(-1000 USD) to 0 USD`, after a tier paying `low_rate`, had been
            // read as a call of low_rate).
            if check(.lparen) && !current.atLineStart {
                advance()
                try enter()
                defer { leave() }
                var args: [ExprNode] = []
                if !check(.rparen) {
                    args.append(try parseExpr())
                    while check(.comma) {
                        advance()
                        args.append(try parseExpr())
                    }
                }
                let close = try expect(.rparen, "',' or ')'")
                return .call(name, args, name.range.union(close.range))
            }
            return .name(name)
        case .lparen:
            advance()
            // One level per parenthesis: parseExpr enters it (entering here too counted two).
            let inner = try parseExpr()
            let close = try expect(.rparen)
            return .paren(inner, token.range.union(close.range))
        case .kwIf:
            advance()
            try enter()
            defer { leave() }
            let condition = try parseOr()
            try expect(.kwThen)
            let then = try parseOr()
            try expect(.kwElse)
            let otherwise = try parseOr()
            return .ifThen(condition, then, otherwise, token.range.union(otherwise.range))
        case .kwMatch:
            advance()
            try enter()
            defer { leave() }
            let subject = try parseAdditive()
            try expect(.lbrace)
            var arms: [MatchArmNode] = []
            while !check(.rbrace) && !check(.eof) {
                let trivia = leadingTrivia()
                if check(.kwElse) {
                    advance()
                    try expect(.fatArrow)
                    var arm = MatchArmNode(patterns: [], result: try parseOr())
                    arm.trivia = trivia
                    arm.trivia.leading += interiorComments()
                    arm.trivia.trailing = trailingComment()
                    arms.append(arm)
                    continue
                }
                var patterns = [try parseAdditive()]
                while check(.comma) {
                    advance()
                    patterns.append(try parseAdditive())
                }
                try expect(.fatArrow, "'=>'")
                var arm = MatchArmNode(patterns: patterns, result: try parseOr())
                arm.trivia = trivia
                arm.trivia.leading += interiorComments()
                arm.trivia.trailing = trailingComment()
                arms.append(arm)
            }
            let close = try expect(.rbrace, "'}' to close the match")
            return .match(subject, arms, token.range.union(close.range))
        default:
            throw failExpected("an expression")
        }
    }
}

/// The contents of a string literal token (quotes removed, escapes resolved).
func unquote(_ literal: String) -> String {
    var out = ""
    var iterator = literal.dropFirst().dropLast().makeIterator()
    while let c = iterator.next() {
        if c == "\\", let escaped = iterator.next() {
            switch escaped {
            case "n": out.append("\n")
            case "t": out.append("\t")
            default: out.append(escaped)
            }
        } else {
            out.append(c)
        }
    }
    return out
}
