
/// Turns libxml2's schema messages into words a comp admin understands.
///
/// libxml2 writes `Element 'tier', attribute 'rate': '12.5x' is not a valid value of the atomic
/// type 'rate'.`; comp writes `attribute 'rate' of <tier>: '12.5x' is not a rate; write a
/// percentage like 12.5% or a decimal like 0.125`.
enum SchemaMessages {
    /// A translated problem: the element and attribute it is about, and the message.
    struct Translated: Hashable {
        var element: String?
        var attribute: String?
        var message: String
        /// Facet messages that a type message on the same value repeats.
        var isFacet: Bool
    }

    /// What each schema type expects, in the reader's words.
    static let typeHints: [String: (noun: String, hint: String)] = [
        "rate": ("a rate", "write a percentage like 12.5% or a decimal like 0.125, or a parameter's name"),
        "money": ("an amount of money", "write a number and a currency code, like 1500 USD, or a parameter's name"),
        "bound": ("a tier bound", "write a percentage (50%), an amount (1000 USD), a number (10) or a parameter's name"),
        "days": ("a number of days", "write digits only, like 180, or a parameter's name"),
        "date": ("a date", "write YYYY-MM-DD, like 2027-03-01"),
        "payoutPeriod": ("a payout period", "write a month (2027-03), a fiscal quarter (2027-Q1) or a fiscal year (2027)"),
        "day": ("a date, month or quarter", "write 2027-03-01, 2027-03 or 2027-Q1"),
        "literal": (
            "a value",
            "write a number (3), a percentage (5%), an amount (150 USD), a date (2027-03-01), a month (2027-03), a quarter (2027-Q1), a quoted string (\"text\"), true, false, or the name of a parameter declared before it"
        ),
        "name": ("a name", "names start with a letter or _ and hold letters, digits and _"),
        "currency": ("a currency code", "write an ISO 4217 code in capitals, like USD"),
        "digits": ("a number of digits", "write 0 to 6"),
        "monthNumber": ("a month number", "write 1 to 12 (1 is January)"),
        "levels": ("a number of levels", "write a number of levels from 1 to 32, or all"),
        "xs:boolean": ("true or false", "write true or false"),
        "xs:integer": ("a whole number", "write digits only, like 3"),
        "xs:nonNegativeInteger": ("a whole number", "write digits only, like 180"),
    ]

    /// The schema's simple types by their pattern (libxml2 names the pattern, not the type).
    static let patternTypes: [String: String] = {
        var result: [String: String] = [:]
        let schema = PlanSchema.text
        var rest = schema[...]
        while let open = rest.firstRange(of: "<xs:simpleType name=\"") {
            rest = rest[open.upperBound...]
            guard let close = rest.firstIndex(of: "\"") else { break }
            let name = String(rest[..<close])
            guard let end = rest.firstRange(of: "</xs:simpleType>") else { break }
            let body = rest[..<end.lowerBound]
            if let pattern = body.firstRange(of: "<xs:pattern value=\""), let patternEnd = body[pattern.upperBound...].firstRange(of: "\"/>") {
                let value = String(body[pattern.upperBound..<patternEnd.lowerBound])
                    .replacing("&quot;", with: "\"").replacing("&lt;", with: "<")
                    .replacing("&gt;", with: ">").replacing("&amp;", with: "&")
                result[value] = name
            }
            rest = rest[end.upperBound...]
        }
        return result
    }()

    /// The children of `<plan>`.
    static let planChildren: Set<String> = [
        "use", "header", "param", "attribute", "input", "credit", "measure", "quota", "let", "table", "component", "cap",
        "floor", "draw", "clawback", "holdback",
    ]
    /// The schema's order of the children of `<plan>`, for messages.
    static let planOrder =
        "use, header, param, attribute, input, credit, then measure, quota and let in any order, table, component, "
        + "then cap and floor in any order, draw, clawback, holdback"

    static func translate(_ raw: String) -> Translated {
        var text = raw
        if text.hasSuffix(".") { text.removeLast() }
        var element: String?
        var attribute: String?
        // "Element 'X'[, attribute 'Y']: rest"
        if text.hasPrefix("Element '"), let close = text.dropFirst(9).firstIndex(of: "'") {
            element = String(text[text.index(text.startIndex, offsetBy: 9)..<close])
            var rest = text[text.index(after: close)...]
            if rest.hasPrefix(", attribute '"), let attributeClose = rest.dropFirst(13).firstIndex(of: "'") {
                attribute = String(rest[rest.index(rest.startIndex, offsetBy: 13)..<attributeClose])
                rest = rest[rest.index(after: attributeClose)...]
            }
            if rest.hasPrefix(": ") { rest = rest.dropFirst(2) }
            text = String(rest)
        }
        let subject: String
        switch (element, attribute) {
        case (let e?, let a?): subject = "attribute '\(a)' of <\(e)>"
        case (let e?, nil): subject = "element <\(e)>"
        default: subject = "the document"
        }
        func result(_ message: String, facet: Bool = false) -> Translated {
            Translated(element: element, attribute: attribute, message: message, isFacet: facet)
        }

        if let name = between(text, "The attribute '", "' is required but missing") {
            return result("\(subject): attribute '\(name)' is required")
        }
        if let name = between(text, "The attribute '", "' is not allowed") {
            return result("element <\(element ?? "?")> has no attribute '\(name)'")
        }
        if text.hasPrefix("This element is not expected") {
            var message = "\(subject) is not expected here"
            if let expected = expectedList(text) { message += "; expected \(expected)" }
            if let element, planChildren.contains(element) {
                message += " (the children of <plan> come in this order: \(planOrder))"
            }
            return result(message)
        }
        if text.hasPrefix("Missing child element(s)") {
            return result("\(subject) is incomplete: expected \(expectedList(text) ?? "more child elements")")
        }
        if text.hasPrefix("No matching global declaration available for the validation root") {
            return result("the root element is <\(element ?? "?")>; an XML plan has <plan> as its root")
        }
        if text.hasPrefix("Character content other than whitespace is not allowed") {
            return result("\(subject) holds text; it takes only child elements and attributes")
        }
        if text.hasPrefix("Element content is not allowed") {
            return result("\(subject) holds child elements; it takes only text")
        }
        if text.hasPrefix("[facet 'enumeration']"), let value = between(text, "The value '", "' is not an element of the set"),
            let set = between(text, "{", "}")
        {
            let choices = set.replacingAll("'", with: "")
            return result("\(subject): '\(value)' is not allowed; write one of \(choices)")
        }
        if text.hasPrefix("[facet 'minInclusive']") || text.hasPrefix("[facet 'maxInclusive']") {
            let value = between(text, "The value '", "'") ?? "?"
            let bound = between(text, "allowed ('", "')") ?? "?"
            let side = text.hasPrefix("[facet 'minInclusive']") ? "at least" : "at most"
            return result("\(subject): '\(value)' is out of range; write a value \(side) \(bound)")
        }
        if text.hasPrefix("[facet 'pattern']"), let value = between(text, "The value '", "' is not accepted by the pattern '") {
            let pattern = String(text[(text.firstRange(of: "' is not accepted by the pattern '")?.upperBound ?? text.endIndex)...].dropLast())
            if let type = patternTypes[pattern] {
                if type == "expression" { return result("\(subject) is empty; write a formula in the plan language's expression syntax") }
                if let precision = precisionProblem(value, type: type) { return result("\(subject): \(precision)") }
                if let (noun, hint) = typeHints[type] { return result("\(subject): '\(value)' is not \(noun); \(hint)") }
            }
            return result("\(subject): '\(value)' is not allowed here", facet: true)
        }
        // An empty id (the schema's only length facet is a minimum of one character).
        if text.hasPrefix("[facet 'minLength']"), between(text, "The value '", "'")?.isEmpty ?? false {
            return result("\(subject) is empty; write a value")
        }
        if text.hasPrefix("[facet ") {
            return result("\(subject): \(text)", facet: true)
        }
        if let value = between(text, "'", "' is not a valid value of the "), let type = between(text, "atomic type '", "'") {
            if type == "expression" || type == "text" {
                let what = type == "expression" ? "a formula in the plan language's expression syntax" : "a value"
                return result("\(subject) is empty; write \(what)")
            }
            if let precision = precisionProblem(value, type: type) { return result("\(subject): \(precision)") }
            if let (noun, hint) = typeHints[type] {
                return result("\(subject): '\(value)' is not \(noun); \(hint)")
            }
            return result("\(subject): '\(value)' is not allowed here", facet: true)
        }
        return result("\(subject): \(text)")
    }

    /// For a number of a rate, money, bound or literal attribute, written in a form its type takes
    /// but with more fraction digits than the schema takes (4 in a percentage, 6 otherwise), what
    /// is wrong with it, in the plan language's words.
    static func precisionProblem(_ value: String, type: String) -> String? {
        // The forms each type takes: a percentage, a plain number, an amount with its currency.
        let forms: (percent: Bool, plain: Bool, amount: Bool)
        switch type {
        case "rate": forms = (true, true, false)
        case "money": forms = (false, false, true)
        case "bound", "literal": forms = (true, true, true)
        default: return nil
        }
        var number = Substring(value)
        var percent = false
        if number.hasSuffix("%") {
            guard forms.percent else { return nil }
            percent = true
            number = number.dropLast()
        } else if let blank = number.firstIndex(of: " ") {
            // An amount: digits, a blank, a currency code.
            let code = number[number.index(after: blank)...]
            guard forms.amount, code.count == 3, code.allSatisfy({ $0 >= "A" && $0 <= "Z" }) else { return nil }
            number = number[..<blank]
        } else if !forms.plain {
            return nil
        }
        if number.hasPrefix("-") { number = number.dropFirst() }
        let parts = number.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty,
            parts.allSatisfy({ $0.allSatisfy { $0 >= "0" && $0 <= "9" } })
        else { return nil }
        let allowed = percent ? 4 : 6
        guard parts[1].count > allowed else { return nil }
        return "'\(value)' has \(parts[1].count) fraction digits, at most \(allowed) are allowed\(percent ? " in a percentage" : "")"
    }

    /// `Expected is one of ( a, b )` → `one of <a>, <b>`; `Expected is ( a )` → `<a>`.
    static func expectedList(_ text: String) -> String? {
        guard let list = between(text, "( ", " )") else { return nil }
        let names = list.split(separator: ",").map { "<" + $0.trimmingCharacters() + ">" }
        if names.count == 1 { return names[0] }
        return "one of " + names.joined(separator: ", ")
    }

    /// The text between the first `start` and the next `end` after it.
    static func between(_ text: String, _ start: String, _ end: String) -> String? {
        guard let open = text.firstRange(of: start) else { return nil }
        guard let close = text[open.upperBound...].firstRange(of: end) else { return nil }
        return String(text[open.upperBound..<close.lowerBound])
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

extension StringProtocol {
    func trimmingCharacters() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
