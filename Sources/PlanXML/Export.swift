import CompCore
import CompDiagnostics
import PlanLanguage

/// Writes XML plans: canonical and deterministic (fixed element order and attribute order,
/// two-space indentation, UTF-8, escaped text), so XML → plan → XML gives the same bytes.
extension XMLPlans {
    /// The outcome of exporting a plan file.
    public struct ExportResult: Sendable {
        /// The XML document; `nil` when the plan does not check or is a library.
        public let xml: String?
        /// The plan's diagnostics (and why it could not be exported).
        public let result: PlanCheckResult
    }

    /// Checks the plan file at `path` and writes it as XML. Comments are not carried over. With
    /// `outputPath`, `<use>` paths are rewritten relative to where the XML will be written, so
    /// they still name the same libraries.
    public static func export(path: String, outputPath: String? = nil) -> ExportResult {
        let checked = PlanChecker.check(path: path)
        guard !checked.hasErrors, let source = checked.sources.first else { return ExportResult(xml: nil, result: checked) }
        let (syntax, _) = PlanSyntax.parse(source)
        guard let syntax, !syntax.isLibrary else {
            let diagnostic = Diagnostic(
                .error, id: "xml.libraryExport",
                message: "a library has no plan to export; export the plan that uses it (its <use> keeps the library)",
                location: SourceLocation(file: path, line: 0, column: 0))
            return ExportResult(xml: nil, result: PlanCheckResult(plan: nil, diagnostics: checked.diagnostics + [diagnostic], sources: checked.sources))
        }
        var relocated = syntax
        if let outputPath {
            relocated.uses = syntax.uses.map { relocate($0, from: path, to: outputPath) }
        }
        // The libraries' parameters, for a table of the plan whose values are theirs.
        var libraryParameters: [String: String] = [:]
        for library in checked.sources.dropFirst() {
            guard let parsed = PlanSyntax.parse(library).0 else { continue }
            for case .param(let name, let value) in parsed.declarations { libraryParameters[name] = parameterValue(value.text()) }
        }
        return ExportResult(xml: export(relocated, libraryParameters: libraryParameters), result: checked)
    }

    /// A parameter's value as the schema's `literal` takes it: negations of a negation cancel out
    /// (`- -5%` is `5%`; the plan language reads it so, and the schema takes one sign).
    static func parameterValue(_ text: String) -> String {
        // Signs and brackets around one value: `- -5%`, `-(-5%)`, `-(base)`.
        var rest = Substring(text)
        var negations = 0
        var opened = 0
        while let first = rest.first, first == "-" || first == " " || first == "(" {
            if first == "-" { negations += 1 }
            if first == "(" { opened += 1 }
            rest = rest.dropFirst()
        }
        for _ in 0..<opened {
            while rest.last == " " { rest = rest.dropLast() }
            guard rest.last == ")" else { return text }
            rest = rest.dropLast()
        }
        while rest.last == " " { rest = rest.dropLast() }
        // One value: no operator or bracket left in it (`-(5% - 1%)` stays as it is).
        guard negations > 1 || opened > 0, !rest.isEmpty, !rest.contains(where: { "+*/()-".contains($0) }) else { return text }
        return (negations % 2 == 1 ? "-" : "") + rest
    }

    /// `use`, written relative to `from`'s directory, made relative to `to`'s directory.
    static func relocate(_ use: String, from: String, to: String) -> String {
        if use.hasPrefix("/") { return use }
        let target = FileBytes.components(FilePaths.directory(of: from) + "/" + use)
        let directory = FileBytes.components(FilePaths.directory(of: to))
        var common = 0
        // Every directory the two share, never the file's own name (an XML written beside its
        // plan had named the folder they share from its parent, `../relt/lib/l.plan`).
        while common < min(target.count - 1, directory.count) && target[common] == directory[common] { common += 1 }
        return (Array(repeating: "..", count: directory.count - common) + target[common...]).joined(separator: "/")
    }

    /// The XML document for a parsed plan; `libraryParameters` are the values of the parameters
    /// of the libraries it uses (a table whose values are parameters pays amounts or rates).
    public static func export(_ plan: PlanSyntax, libraryParameters: [String: String] = [:]) -> String {
        var out = XMLTextWriter()
        out.line(0, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        out.open(0, "plan", [("id", plan.name), ("name", plan.displayName)])
        for use in plan.uses { out.empty(1, "use", [("path", use)]) }

        var settings: [String: String] = [:]
        var effective: (String, String?)?
        for declaration in plan.declarations {
            switch declaration {
            case .setting(let name, let value):
                guard let value else { continue }
                settings[name] = value.stringValue ?? value.text()
            case .effective(let from, let to):
                effective = (from.text(), to?.text())
            default:
                break
            }
        }
        out.empty(
            1, "header",
            [
                ("currency", settings["currency"]), ("period", settings["period"]), ("fiscal-year-start", settings["fiscal_year_start"].map(Lowering.integerText)),
                ("version", settings["version"]), ("rounding", settings["rounding"]), ("effective-from", effective?.0),
                ("effective-to", effective?.1),
            ])
        // Whole numbers as the schema's canonical form (`02` is `2`): importing the XML and
        // exporting it again gives the same bytes.
        func rounding(_ rule: PlanSyntax.Rounding?) -> [(String, String?)] { [("round", rule?.mode), ("digits", rule?.digits.map(Lowering.integerText))] }
        // The parameters' values, for a table whose values are parameters (money or rates).
        var parameters = libraryParameters
        for case .param(let name, let value) in plan.declarations { parameters[name] = Self.parameterValue(value.text()) }

        // The schema's order: each group of kinds in source order within the group. Measures,
        // quotas and lets form one group, so the measures export keeps the text plan's row order.
        let order: [Set<String>] = [
            ["param"], ["attribute"], ["input"], ["credit"], ["measure", "quota", "let"], ["table"], ["component"], ["limit"], ["draw"],
            ["clawback"], ["holdback"],
        ]
        for kinds in order {
            for declaration in plan.declarations where kinds.contains(declaration.kindName) {
                switch declaration {
                case .setting, .effective:
                    break
                case .param(let name, let value):
                    out.empty(1, "param", [("name", name), ("value", Self.parameterValue(value.text()))])
                case .attribute(let scope, let name, let type, let optional):
                    out.empty(1, "attribute", [("scope", scope), ("name", name), ("type", type), ("optional", optional ? "true" : nil)])
                case .input(let name, let file, let column, let type):
                    out.empty(1, "input", [("name", name), ("file", file), ("column", column), ("type", type)])
                case .credit(let name, let lines):
                    out.open(1, "credit", [("name", name)])
                    for keyword in ["where", "amount", "weight"] {
                        for line in lines where line.keyword == keyword {
                            if let expression = line.expressions.first { out.text(2, keyword, [], expression) }
                        }
                    }
                    for line in lines where line.keyword == "to" {
                        let words = line.words
                        let recipient = words.first ?? "rep"
                        out.empty(
                            2, "to",
                            [
                                ("recipient", recipient), ("overlay", recipient == "splits" && words.contains("overlay") ? "true" : nil),
                                ("levels", recipient == "managers" && words.count > 1 ? Lowering.integerText(words[1]) : nil),
                            ])
                    }
                    out.close(1, "credit")
                case .measure(let name, let aggregation, let credit, let window, let rule):
                    out.empty(1, "measure", [("name", name), ("aggregate", aggregation), ("credit", credit), ("over", window)] + rounding(rule))
                case .quota(let measure, let per, let prorate):
                    out.empty(1, "quota", [("measure", measure), ("per", per), ("prorate", prorate)])
                case .letValue(let name, let value, let rule):
                    out.text(1, "let", [("name", name)] + rounding(rule), value)
                case .table(let name, let mode, let basis, let boundary, let tiers):
                    out.open(1, "table", [("name", name), ("mode", mode), ("on", basis), ("boundary", boundary)])
                    // An amount is written with its currency ("1500 USD"); a parameter's name says
                    // nothing, so the table's other values decide (a table pays rates or amounts).
                    // Bracketed or negated (`(0 USD)`, `-(100 USD)`) or a parameter holding one
                    // (`small`, declared `100 USD`): an amount too (they had been written as rates,
                    // which the schema refuses, or read back as rates).
                    func isAmount(_ text: String) -> Bool {
                        var value = Self.parameterValue(text)
                        if value.hasPrefix("-") { value.removeFirst() }
                        // (A parameter may name another: `param top = base`.)
                        for _ in 0..<8 {
                            guard let declared = parameters[value] else { break }
                            value = declared.hasPrefix("-") ? String(declared.dropFirst()) : declared
                        }
                        let parts = value.split(separator: " ")
                        return parts.count == 2 && parts[1].count == 3 && parts[1].allSatisfy { $0.isASCII && $0.isUppercase }
                    }
                    let isMoney = tiers.contains { isAmount($0.value.text()) || ($0.endValue.map { isAmount($0.text()) } ?? false) }
                    for tier in tiers {
                        // One value each, as the schema takes it: `(3%)` is `3%`, `- -1%` is `1%`.
                        let value = Self.parameterValue(tier.value.text())
                        let attributes: [(String, String?)] = [
                            ("from", tier.lower.map { Self.parameterValue($0.text()) }),
                            ("to", tier.upper.map { Self.parameterValue($0.text()) }),
                            (isMoney ? "amount" : "rate", value),
                            (isMoney ? "end-amount" : "end-rate", tier.endValue.map { Self.parameterValue($0.text()) }),
                        ]
                        if let gate = tier.gate {
                            out.open(2, "tier", attributes)
                            out.text(3, "if", [], gate)
                            out.close(2, "tier")
                        } else {
                            out.empty(2, "tier", attributes)
                        }
                    }
                    out.close(1, "table")
                case .component(let name, let displayName, let body, let rule):
                    out.open(1, "component", [("name", name), ("display-name", displayName)] + rounding(rule))
                    component(body, &out)
                    out.close(1, "component")
                case .limit(let kind, let target, let amount, let per):
                    out.text(1, kind, [("target", target), ("per", per)], amount)
                case .draw(let name, let lines):
                    func first(_ keyword: String) -> PlanSyntax.Line? { lines.first { $0.keyword == keyword } }
                    let periods = first("periods")?.expressions.map { $0.text() } ?? []
                    out.open(
                        1, "draw",
                        [
                            ("name", name), ("type", first("type")?.words.first), ("from", periods.first),
                            ("to", periods.count > 1 ? periods[1] : nil), ("recovery-start", first("recovery_start")?.expressions.first?.text()),
                        ])
                    if let amount = first("amount")?.expressions.first { out.text(2, "amount", [], amount) }
                    if let limit = first("recovery_max")?.expressions.first { out.text(2, "recovery-max", [], limit) }
                    out.close(1, "draw")
                case .clawback(let lines):
                    func first(_ keyword: String) -> PlanSyntax.Line? { lines.first { $0.keyword == keyword } }
                    out.empty(
                        1, "clawback",
                        [
                            ("charge", first("charge")?.words.first),
                            ("share", first("share")?.expressions.first.map { Self.parameterValue($0.text()) }),
                            ("window-days", first("window")?.expressions.first.map { Lowering.integerText(Self.parameterValue($0.text())) }),
                        ])
                case .holdback(let share, let target, let release):
                    out.empty(1, "holdback", [("share", Self.parameterValue(share.text())), ("target", target), ("release", release)])
                }
            }
        }
        out.close(0, "plan")
        return out.text
    }

    static func component(_ body: PlanSyntax.Body, _ out: inout XMLTextWriter) {
        switch body {
        case .formula(let expression):
            out.text(2, "formula", [], expression)
        case .spiff(let lines):
            let window = lines.first { $0.keyword == "window" }
            let bounds = window?.expressions.map { $0.text() } ?? []
            let words = window?.words ?? []
            out.open(
                2, "spiff",
                [("from", bounds.first), ("to", bounds.count > 1 ? bounds[1] : nil), ("by", words.count > 1 ? words[1] : nil)])
            for line in lines where line.keyword == "where" {
                if let expression = line.expressions.first { out.text(3, "where", [], expression) }
            }
            for line in lines where line.keyword == "pay" {
                let words = line.words
                if words.first == "table", words.count > 1 {
                    out.empty(3, "pay-by-count", [("table", words[1])])
                } else if let amount = line.expressions.first {
                    let name = words.first == "of" ? "pay-of-amount" : words.last == "deal" ? "pay-per-deal" : "pay-per-unit"
                    out.text(3, name, [], amount)
                }
            }
            out.close(2, "spiff")
        case .override(let rate, let credit, let levels, let threshold):
            out.open(2, "override", [("credit", credit), ("levels", levels.map(Lowering.integerText))])
            out.text(3, "rate", [], rate)
            if let threshold { out.text(3, "when", [], threshold) }
            out.close(2, "override")
        case .graduated(let value, let floor, let amount, let step, let ceiling):
            out.open(2, "graduated", [])
            out.text(3, "value", [], value)
            out.text(3, "above", [], floor)
            out.text(3, "pays", [], amount)
            out.text(3, "per", [], step)
            if let ceiling { out.text(3, "up-to", [], ceiling) }
            out.close(2, "graduated")
        }
    }
}

extension PlanSyntax.Declaration {
    /// The schema's group for the declaration.
    var kindName: String {
        switch self {
        case .setting: return "setting"
        case .effective: return "effective"
        case .param: return "param"
        case .attribute: return "attribute"
        case .input: return "input"
        case .credit: return "credit"
        case .measure: return "measure"
        case .letValue: return "let"
        case .quota: return "quota"
        case .table: return "table"
        case .component: return "component"
        case .limit: return "limit"
        case .draw: return "draw"
        case .clawback: return "clawback"
        case .holdback: return "holdback"
        }
    }
}

/// Builds XML text line by line with escaping.
struct XMLTextWriter {
    var text = ""

    mutating func line(_ depth: Int, _ content: String) {
        text += String(repeating: "  ", count: depth) + content + "\n"
    }

    func tag(_ name: String, _ attributes: [(String, String?)]) -> String {
        var out = "<" + name
        for (key, value) in attributes {
            guard let value else { continue }
            out += " \(key)=\"\(Self.escapeAttribute(value))\""
        }
        return out
    }

    mutating func open(_ depth: Int, _ name: String, _ attributes: [(String, String?)]) {
        line(depth, tag(name, attributes) + ">")
    }

    mutating func close(_ depth: Int, _ name: String) { line(depth, "</\(name)>") }

    mutating func empty(_ depth: Int, _ name: String, _ attributes: [(String, String?)]) {
        line(depth, tag(name, attributes) + "/>")
    }

    /// An element whose text is an expression (multi-line `match` expressions are indented under it).
    mutating func text(_ depth: Int, _ name: String, _ attributes: [(String, String?)], _ expression: PlanExpression) {
        line(depth, tag(name, attributes) + ">" + Self.escapeText(expression.text(indent: depth)) + "</\(name)>")
    }

    /// Escapes `&` and `<` (and the `>` of `]]>`); other `>` stay readable (`bookings >= quota`).
    static func escapeText(_ value: String) -> String {
        var out = ""
        for c in value {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">" where out.hasSuffix("]]"): out += "&gt;"
            default: out.append(c)
            }
        }
        return out
    }

    static func escapeAttribute(_ value: String) -> String {
        var out = ""
        for c in value {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case "\"": out += "&quot;"
            case "\n": out += "&#10;"
            case "\t": out += "&#9;"
            case "\r": out += "&#13;"
            default: out.append(c)
            }
        }
        return out
    }
}
