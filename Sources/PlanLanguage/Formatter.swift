import CompDiagnostics
import PlanModel

/// Prints a parsed file in the canonical layout: two-space indentation, one declaration per line,
/// single spaces around operators, aligned table and match columns, comments and single blank
/// lines kept. Printing its own output again changes nothing.
struct CanonicalPrinter {
    var out = ""
    /// Whether comments inside expressions (a `match` arm's) are printed: `fmt` keeps them; an
    /// expression's text alone (an XML element's) has none.
    var comments = true

    static func print(_ file: FileNode) -> String {
        var printer = CanonicalPrinter()
        printer.file(file)
        return printer.out
    }

    mutating func emit(_ indent: Int, _ text: String) {
        out += String(repeating: "  ", count: indent) + text + "\n"
    }

    mutating func leading(_ trivia: Trivia, _ indent: Int, first: Bool) {
        if trivia.blankBefore && !first && !out.isEmpty { out += "\n" }
        for comment in trivia.leading { emit(indent, comment) }
    }

    func withTrailing(_ text: String, _ trivia: Trivia) -> String {
        trivia.trailing.map { text + "  " + $0 } ?? text
    }

    mutating func file(_ file: FileNode) {
        for (index, use) in file.uses.enumerated() {
            leading(use.trivia, 0, first: index == 0)
            emit(0, withTrailing("use \(quote(use.path))", use.trivia))
        }
        if !file.uses.isEmpty { out += "\n" }
        for comment in file.headerTrivia.leading { emit(0, comment) }
        var header = file.isLibrary ? "library " : "plan "
        if let name = file.name { header += expr(name, 0) }
        if let display = file.displayName { header += " " + expr(display, 0) }
        emit(0, withTrailing(header + " {", file.headerTrivia))
        for (index, decl) in file.decls.enumerated() {
            leading(decl.trivia, 1, first: index == 0)
            declaration(decl, 1)
        }
        for comment in file.closing { emit(1, comment) }
        emit(0, "}")
        for comment in file.trailing { emit(0, comment) }
    }

    mutating func declaration(_ decl: Decl, _ indent: Int) {
        let k = decl.keyword.name
        switch decl.kind {
        case .setting(_, let value):
            emit(indent, withTrailing(k + (value.map { " " + expr($0, indent) } ?? ""), decl.trivia))
        case .effective(let start, let end):
            emit(indent, withTrailing("effective \(expr(start, indent))" + (end.map { " to " + expr($0, indent) } ?? ""), decl.trivia))
        case .param(let name, let value):
            emit(indent, withTrailing("param \(name.name) = \(expr(value, indent))", decl.trivia))
        case .attribute(let scope, let name, let type, let optional):
            emit(indent, withTrailing("attribute \(scope.name).\(name.name): \(type.name)\(optional ? " optional" : "")", decl.trivia))
        case .input(let name, let file, let column, let type):
            emit(indent, withTrailing("input \(name.name) from \(expr(file, indent)) column \(expr(column, indent)): \(type.name)", decl.trivia))
        case .credit(let name, let lines, let closing):
            emit(indent, "credit \(name.name) {")
            block(lines, closing, indent, trailing: decl.trivia)
        case .measure(let name, let aggregation, let credit, let window, let round):
            var text = "measure \(name.name) = \(aggregation.name)(\(credit.name))"
            if let window { text += " over \(window.name)" }
            emit(indent, withTrailing(text + roundText(round), decl.trivia))
        case .letValue(let name, let value, let round):
            emit(indent, withTrailing("let \(name.name) = \(expr(value, indent))" + roundText(round), decl.trivia))
        case .quota(let measure, let period, let prorate):
            var text = "quota \(measure.name)"
            if let period { text += " per \(period.name)" }
            if let prorate { text += " prorate \(prorate.name)" }
            emit(indent, withTrailing(text, decl.trivia))
        case .table(let name, let mode, let basis, let boundary, let rows, let closing):
            var text = "table \(name.name) \(mode.name) on \(basis.name)"
            if let boundary { text += " boundary \(boundary.name)" }
            emit(indent, text + " {")
            let bounds = rows.map { row -> String in
                switch (row.lower, row.upper) {
                case (nil, let upper?): return "up to \(expr(upper, indent))"
                case (let lower?, nil): return "\(expr(lower, indent)) and above"
                case (let lower?, let upper?): return "\(expr(lower, indent)) to \(expr(upper, indent))"
                case (nil, nil): return ""
                }
            }
            let width = bounds.map(\.count).max() ?? 0
            for (index, row) in rows.enumerated() {
                leading(row.trivia, indent + 1, first: index == 0)
                var line = bounds[index].padding(width) + " : " + expr(row.value, indent + 1)
                if let end = row.endValue { line += " -> " + expr(end, indent + 1) }
                if let gate = row.gate { line += " if " + expr(gate, indent + 1) }
                emit(indent + 1, withTrailing(line, row.trivia))
            }
            for comment in closing { emit(indent + 1, comment) }
            emit(indent, withTrailing("}", decl.trivia))
        case .component(let name, let display, let body, let round):
            var head = "component \(name.name)"
            if let display { head += " " + expr(display, indent) }
            head += " = "
            switch body {
            case .expr(let value):
                emit(indent, withTrailing(head + expr(value, indent) + roundText(round), decl.trivia))
            case .spiff(let lines, let closing, _):
                emit(indent, head + "spiff {")
                block(lines, closing, indent, suffix: roundText(round), trailing: decl.trivia)
            case .override(let rate, let credit, let levels, let threshold, _):
                var text = head + "override \(expr(rate, indent)) of \(credit.name)"
                if let levels { text += " levels \(levels.name)" }
                if let threshold { text += " when \(expr(threshold, indent))" }
                emit(indent, withTrailing(text + roundText(round), decl.trivia))
            case .graduated(let value, let floor, let amount, let step, let ceiling, _):
                var text = head + "graduated \(expr(value, indent)) above \(expr(floor, indent)) pays \(expr(amount, indent)) per \(expr(step, indent))"
                if let ceiling { text += " up to \(expr(ceiling, indent))" }
                emit(indent, withTrailing(text + roundText(round), decl.trivia))
            }
        case .limit(let kind, let target, let amount, let per):
            var text = "\(kind.name) \(target.name) at \(expr(amount, indent))"
            if let per { text += " per \(per.name)" }
            emit(indent, withTrailing(text, decl.trivia))
        case .draw(let name, let lines, let closing):
            emit(indent, "draw \(name.name) {")
            block(lines, closing, indent, trailing: decl.trivia)
        case .clawback(let lines, let closing):
            emit(indent, "clawback {")
            block(lines, closing, indent, trailing: decl.trivia)
        case .holdback(let share, let target, let release):
            emit(indent, withTrailing("holdback \(expr(share, indent)) of \(target.name) release \(release.name)", decl.trivia))
        }
    }

    /// A block's lines and closing brace; a comment after the declaration goes after the brace,
    /// where it was read from (on the opening line it moved into the block on the next pass).
    mutating func block(_ lines: [BlockLine], _ closing: [String], _ indent: Int, suffix: String = "", trailing: Trivia? = nil) {
        for (index, line) in lines.enumerated() {
            leading(line.trivia, indent + 1, first: index == 0)
            var text = line.keyword.name
            for slot in line.shape {
                switch slot {
                case .expr(let i): text += " " + expr(line.exprs[i], indent + 1)
                case .word(let i): text += " " + line.words[i].name
                case .to: text += " to"
                }
            }
            emit(indent + 1, withTrailing(text, line.trivia))
        }
        for comment in closing { emit(indent + 1, comment) }
        emit(indent, trailing.map { withTrailing("}" + suffix, $0) } ?? "}" + suffix)
    }

    func roundText(_ clause: RoundClause?) -> String {
        guard let clause else { return "" }
        return " round \(clause.mode.name)" + (clause.digits.map { " " + $0.0 } ?? "")
    }

    func expr(_ node: ExprNode, _ indent: Int) -> String {
        switch node {
        case .number(let t, _), .percent(let t, _), .date(let t, _), .month(let t, _), .quarter(let t, _),
            .string(let t, _):
            return t
        case .money(let amount, let code, _): return "\(amount) \(code.name)"
        case .bool(let b, _): return b ? "true" : "false"
        case .name(let i): return i.name
        case .member(let a, let b): return "\(a.name).\(b.name)"
        case .call(let f, let args, _): return "\(f.name)(" + args.map { expr($0, indent) }.joined(separator: ", ") + ")"
        case .negate(let a, _): return "-" + expr(a, indent)
        case .not(let a, _): return "not " + expr(a, indent)
        case .binary(let op, let a, let b, _): return "\(expr(a, indent)) \(op.rawValue) \(expr(b, indent))"
        case .inList(let a, let items, _):
            return "\(expr(a, indent)) in [" + items.map { expr($0, indent) }.joined(separator: ", ") + "]"
        case .inRange(let a, let lower, let upper, _):
            if lower == upper { return "\(expr(a, indent)) in \(expr(lower, indent))" }
            return "\(expr(a, indent)) in \(expr(lower, indent)) to \(expr(upper, indent))"
        case .when(let a, let c, _): return "\(expr(a, indent)) when \(expr(c, indent))"
        case .ifThen(let c, let a, let b, _): return "if \(expr(c, indent)) then \(expr(a, indent)) else \(expr(b, indent))"
        case .paren(let a, _): return "(" + expr(a, indent) + ")"
        case .match(let subject, let arms, _):
            let pad = String(repeating: "  ", count: indent + 1)
            let heads = arms.map { arm in
                arm.patterns.isEmpty ? "else" : arm.patterns.map { expr($0, indent + 1) }.joined(separator: ", ")
            }
            let width = heads.map(\.count).max() ?? 0
            var text = "match \(expr(subject, indent)) {\n"
            for (index, arm) in arms.enumerated() {
                if comments { for comment in arm.trivia.leading { text += pad + comment + "\n" } }
                let line = heads[index].padding(width) + " => " + expr(arm.result, indent + 1)
                text += pad + (comments ? withTrailing(line, arm.trivia) : line) + "\n"
            }
            return text + String(repeating: "  ", count: indent) + "}"
        }
    }
}

func quote(_ text: String) -> String { planStringLiteral(text) }

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
