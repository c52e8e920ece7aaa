import CompDiagnostics
import PlanLanguage
import PlanModel
import Testing

@Suite("Plan language details")
struct LanguageTests {
    static let header = "plan \"T\" {\n  currency USD\n  period month\n"

    func check(_ body: String) -> PlanCheckResult {
        PlanChecker.check(source: SourceFile(path: "t.plan", text: Self.header + body + "}\n"))
    }

    @Test("diagnostics render in the swiftc layout with a hint")
    func rendering() {
        let result = check("  credit sales {\n    amount fx(txn.amount)\n  }\n  measure bookings = sum(sales)\n  let a = bookingz * 2\n")
        let expected = """
            t.plan:8:11: error: unknown name 'bookingz' [#plan.unknownName]
             8 |   let a = bookingz * 2
               |           ^~~~~~~~
                = hint: did you mean `bookings`?

            """
        #expect(result.rendered() == expected)
    }

    /// An input table holds a number per rep and period: one declared as text, a date or a
    /// condition is refused where it is declared (its values had been read as numbers, compared
    /// as nothing, and the plan paid 0 without a word); count, rate and money check.
    @Test("input tables are numbers")
    func inputTablesAreNumbers() {
        let body = "  credit sales {\n    amount fx(txn.amount)\n  }\n  measure bookings = sum(sales)\n"
        for type in ["text", "date", "bool"] {
            let result = check(body + "  input score from \"mbo.csv\" column \"score\": \(type)\n  component c = bookings * 1%\n")
            #expect(
                result.diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" } == [
                    "8:46: '\(type)' is not a valid input type; expected count, rate or money: an input table holds a number per rep and period"
                ], "\(result.rendered())")
        }
        for (type, use) in [("count", "score * 10 USD"), ("rate", "score * 10 USD"), ("money", "score")] {
            let result = check(body + "  input score from \"mbo.csv\" column \"score\": \(type)\n  component c = bookings * 1% + \(use)\n")
            #expect(result.diagnostics.filter { $0.severity == .error }.isEmpty, "\(result.rendered())")
        }
    }

    /// Both ends of a date range are read: two bad dates are two errors (the second had been said
    /// only once the first was corrected).
    @Test("both bad dates of a range are said")
    func bothEndsOfADateRangeAreRead() {
        let result = check(
            "  effective 2027-02-29 to 2028-13-01\n  credit sales {\n    amount fx(txn.amount)\n  }\n  measure bookings = sum(sales)\n"
                + "  component bounty = spiff {\n    window 2027-04-31 to 2027-13\n    pay 100 USD per deal\n  }\n")
        #expect(
            result.diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" } == [
                "4:13: '2027-02-29' is not a calendar date", "4:27: '2028-13-01' is not a calendar date",
                "10:12: '2027-04-31' is not a calendar date", "10:26: '2027-13' is not a month (01 to 12)",
            ])
    }

    /// `round` with no mode on its line is said at its end, and the next line is the declaration
    /// it is: its own errors are said too (its first word had been taken for the mode, and the
    /// declaration lost; at a block's end `round` had been an unknown declaration).
    @Test("round without a mode does not take the next line")
    func roundWithoutAMode() {
        let result = check(
            "  credit sales {\n    amount fx(txn.amount)\n  }\n  measure b = sum(sales) round\n  component i = b * 5% + 1 EUR\n"
                + "  measure c = sum(sales) round\n")
        #expect(result.diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" } == [
            "7:31: expected a rounding mode, found 'component' on line 8",
            "8:17: currency mismatch: cannot add money (USD) and money (EUR)",
            "9:31: expected a rounding mode, found '}' on line 10",
        ], "\(result.rendered())")
        #expect(result.diagnostics.first?.hint == "write the mode and the digits after 'round' on its line: round half_even 2")
        // The mode on the next line after `round` is still the mode.
        #expect(check("  credit sales {\n    amount fx(txn.amount)\n  }\n  measure b = sum(sales)\n    round half_even 2\n  component c = b * 1%\n")
            .diagnostics.isEmpty)
        #expect(check("  credit sales {\n    amount fx(txn.amount)\n  }\n  measure b = sum(sales) round\n    half_even 2\n  component c = b * 1%\n")
            .diagnostics.isEmpty)
        // `floor` starting the next line is the declaration.
        let floor = check("  credit sales {\n    amount fx(txn.amount)\n  }\n  measure b = sum(sales)\n  component c = b * 2% round\n  floor total at 0 USD per period\n")
        #expect(floor.diagnostics.map(\.message) == ["expected a rounding mode, found 'floor' on line 9"], "\(floor.rendered())")
    }

    /// A tier or match arm starting with a negative value continues the line above (newlines
    /// separate nothing): the error says so, and how to write it.
    @Test("a line starting with a minus gets a hint")
    func leadingMinus() {
        let result = check(
            "  credit sales {\n    amount fx(txn.amount)\n  }\n  measure bookings = sum(sales)\n  table t retroactive on amount {\n"
                + "    up to -1000 USD : 1%\n    -1000 USD to 0 USD : 2%\n    0 USD and above : 3%\n  }\n  component c = t(bookings)\n")
        #expect(result.diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message) | \($0.hint ?? "-")" } == [
            "10:15: expected an expression, found 'to' | a line that starts with '-' continues the line above as a subtraction; "
                + "to start it with a negative value, write it in brackets: (-1000 USD)"
        ], "\(result.rendered())")
        // Written so, it checks.
        let fixed = check(
            "  credit sales {\n    amount fx(txn.amount)\n  }\n  measure bookings = sum(sales)\n  table t retroactive on amount {\n"
                + "    up to -1000 USD : 1%\n    (-1000 USD) to 0 USD : 2%\n    0 USD and above : 3%\n  }\n  component c = t(bookings)\n")
        #expect(fixed.diagnostics.isEmpty, "\(fixed.rendered())")
        // A table's first row continues nothing: no such hint.
        let first = check(
            "  credit sales {\n    amount fx(txn.amount)\n  }\n  measure bookings = sum(sales)\n  table t retroactive on amount {\n"
                + "    -1000 USD to 0 USD 2%\n    0 USD and above : 3%\n  }\n  component c = t(bookings)\n")
        #expect(first.diagnostics.map { "\($0.message) | \($0.hint ?? "-")" } == ["expected ':', found percentage 2% | -"], "\(first.rendered())")
    }

    /// `override` and `graduated` are names where nothing but an operator or the line's end
    /// follows them (a `let override`): `component c = override` had read the next declaration
    /// as the override's rate.
    @Test("a let named override or graduated can be a component's value")
    func overrideAsAName() {
        let result = check(
            "  credit sales {\n    amount fx(txn.amount)\n  }\n  measure bookings = sum(sales)\n  let override = bookings * 2%\n"
                + "  let graduated = bookings * 1%\n  component c = override\n  component d = graduated round half_even 2\n"
                + "  component e = override * 2 + graduated\n  component f = override - graduated\n  cap total at 5000 USD per period\n")
        #expect(result.diagnostics.isEmpty, "\(result.rendered())")
    }

    @Test("the same tier table is explicit about its mode")
    func modes() throws {
        for mode in ["marginal", "retroactive", "per_transaction", "interpolated"] {
            let result = check("  table t \(mode) on amount {\n    up to 100 USD : 1%\n    100 USD and above : 2%\n  }\n")
            #expect(result.diagnostics.map(\.id.rawValue) == ["plan.unusedDefinition"], "\(mode)")
        }
    }

    /// A bare number where money is meant says how to write it, and a parameter declared as one
    /// says where to fix it.
    @Test("a bare number where money is meant says how to write it")
    func bareNumbersForMoneyHaveHints() {
        let result = check(
            "  param spiff_amt = 150\n  credit sales {\n    amount fx(txn.amount)\n  }\n  measure ytd = sum(sales) over ytd\n"
                + "  component kicker = 1500 USD when ytd > 500000\n  component push = spiff {\n    window 2027-03 to 2027-03\n    pay spiff_amt per unit\n  }\n"
                + "  floor kicker at 500 per period\n")
        #expect(result.diagnostics.map { "\($0.location.line) \($0.hint ?? "-")" } == [
            "9 write the amount with its currency: 500000 USD",
            "12 parameter 'spiff_amt' is declared as 150, a count: declare it with its currency, param spiff_amt = 150 USD",
            "14 write the amount with its currency: 500 USD",
        ], "\(result.rendered())")
    }

    /// Near misses get the word meant: a function other languages name otherwise, digits in
    /// quotes, a misspelt `boundary` (read as meant, so the table is still checked).
    @Test("near misses get the word meant")
    func nearMissesHaveHints() {
        let result = check(
            "  credit sales {\n    amount fx(txn.amount)\n  }\n  measure bookings = sum(sales) round half_even \"2\"\n"
                + "  let m = maximum(bookings, 0 USD)\n  table t retroactive on amount boundry lower {\n    up to 1000 USD : 5%\n"
                + "    1000 USD and above : 8\n  }\n  component a = t(bookings)\n")
        #expect(result.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.hint ?? "-")" } == [
            "7:49 write the digits without quotes: round half_even 2",
            "8:11 did you mean `max`?",
            "9:33 did you mean `boundary`?",
            "11:26 write '8%' for 8 percent, or '800%' if that is meant",
        ], "\(result.rendered())")
    }

    /// A plan id is one line (`"AE\nX"` had forged a line in every summary); a carriage return
    /// alone inside a string is a lone one; a text value is shown as the language writes it, so
    /// it reads back (`"a\", x = \"b"` had shown as `"a", x = "b"`).
    @Test("plan ids hold no control character; text values are shown escaped")
    func controlCharactersInPlanStrings() throws {
        let id = PlanChecker.check(source: SourceFile(path: "t.plan", text: "plan \"AE\\nX\" {\n  currency USD\n  period month\n}\n"))
        #expect(id.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.id)" } == ["1:6 plan.invalidValue"])
        let carriageReturn = PlanChecker.check(
            source: SourceFile(path: "t.plan", text: Self.header + "  param p = \"a\rb\"\n  component c = 1 USD when p == \"z\"\n}\n"))
        #expect(carriageReturn.diagnostics.map { "\($0.location.line):\($0.location.column) \($0.id)" } == ["4:15 plan.loneCarriageReturn"])
        let plan = try #require(check("  param p = \"a\\\", x = \\\"b\\n\"\n  component c = 1 USD when p == \"z\"\n").plan)
        #expect(plan.parameters[0].value.description == "\"a\\\", x = \\\"b\\n\"")
    }

    /// A declared attribute nothing reads is still the plan's: the data is checked against it (a
    /// required column must be in the header, each value must read as its type). It had been left
    /// out of the model, and so checked nothing.
    @Test("an attribute the plan declares is in its model even when nothing reads it")
    func declaredAttributesAreKept() throws {
        let result = check(
            "  attribute txn.units: count\n  attribute rep.region: text optional\n  attribute txn.boost: rate\n"
                + "  credit sales {\n    amount fx(txn.amount)\n    where txn.boost > 0%\n  }\n"
                + "  measure bookings = sum(sales)\n")
        #expect(result.diagnostics.isEmpty)
        let plan = try #require(result.plan)
        let declared = plan.attributes.filter { !$0.builtIn }.map { "\($0.scope.rawValue).\($0.name) \($0.type) \($0.optional)" }
        #expect(declared == ["txn.units count false", "rep.region text true", "txn.boost rate false"])
    }

    @Test("a division directly under a rounding is rounded once, by that rule")
    func divisionRounding() throws {
        let plan = try #require(check("  let x = round(10 USD / 3, 2, half_up)\n").plan)
        guard case .round(let inner, let rule) = plan.derived[0].expr.kind, case .divide(_, _, let divisionRule) = inner.kind else {
            Issue.record("unexpected shape")
            return
        }
        #expect(rule == divisionRule)
        #expect(divisionRule.digits == 2 && divisionRule.mode == .halfUp)
    }

    @Test("rate + money is a type error; money + money in two currencies is a currency mismatch")
    func typeErrors() {
        #expect(check("  let a = 5% + 10 USD\n").diagnostics.map(\.id.rawValue) == ["plan.typeMismatch"])
        #expect(check("  let a = 5 EUR + 10 USD\n").diagnostics.map(\.id.rawValue) == ["plan.currencyMismatch"])
        #expect(check("  let a = 5 USD * 10%\n").diagnostics.isEmpty)
    }

    @Test("the plan model is Sendable and value-typed")
    func sendable() throws {
        func requireSendable<T: Sendable>(_ value: T) -> T { value }
        let plan = try #require(check("  credit sales {\n    amount fx(txn.amount)\n  }\n  measure b = sum(sales)\n").plan)
        let copy = requireSendable(plan)
        #expect(copy == plan)
        #expect(copy.creditRules[0].recipients.map(\.kind) == [.rep])
    }

    @Test("edit-distance hints pick the closest name")
    func hints() {
        let result = check("  param spiff_rate = 150 USD\n  let a = spif_rate * 2\n")
        #expect(result.diagnostics.first { $0.id.rawValue == "plan.unknownName" }?.hint == "did you mean `spiff_rate`?")
    }

    /// An undeclared column is told to be declared as the type it is compared with: `text` had
    /// been suggested for `rep.tier >= 2`, which the comparison then refused.
    @Test("an undeclared attribute's hint names the type it is compared with", arguments: [
        ("rep.tier >= 2", "count"), ("rep.ratio < 0.5", "rate"), ("txn.discount > 5%", "rate"),
        ("txn.list_price >= 100 USD", "money"), ("txn.signed in 2027-01-01 to 2027-06-30", "date"),
        ("txn.partner == true", "bool"), ("not txn.flagged", "bool"), ("txn.signed in 2027-01", "date"),
        ("txn.list_price + 5 USD > 0 USD", "money"),
    ])
    func undeclaredAttributeHint(condition: String, type: String) throws {
        let result = check("  credit sales {\n    where \(condition)\n    amount fx(txn.amount)\n  }\n")
        let name = try #require(condition.split(separator: " ").first { $0.contains(".") })
        #expect(result.diagnostics.map(\.id.rawValue) == ["plan.unknownAttribute"])
        #expect(result.diagnostics.first?.hint == "declare extra columns with 'attribute \(name): \(type)'")
    }

    /// Any other column is a text attribute (FORMATS.md): read as text where text is meant, a
    /// column the data must then have; in arithmetic or an ordering it is said, with how to
    /// declare it as a number; a misspelt known attribute is said with the one meant.
    @Test("an undeclared column is text where text is meant")
    func undeclaredColumnsAreText() throws {
        let result = check(
            "  credit sales {\n    where txn.segment == \"SMB\" and rep.team in [\"A\", \"B\"] and txn.channel != rep.team\n"
                + "    amount fx(txn.amount)\n  }\n  measure bookings = sum(sales)\n  component c = match rep.segment {\n"
                + "    \"ENT\" => bookings * 2%\n    else  => bookings * 1%\n  }\n")
        #expect(result.diagnostics.isEmpty, "\(result.rendered())")
        let plan = try #require(result.plan)
        #expect(plan.attributes.filter { !$0.builtIn }.map { "\($0.scope.rawValue).\($0.name): \($0.type) \($0.optional)" }.sorted() == [
            "rep.segment: text false", "rep.team: text false", "txn.channel: text false", "txn.segment: text false",
        ])
        let numeric = check("  credit sales {\n    where txn.units * 2 > 4 and txn.prodcut == \"X\"\n    amount fx(txn.amount)\n  }\n")
        #expect(numeric.diagnostics.map { "\($0.message) | \($0.hint ?? "-")" } == [
            "unknown attribute 'txn.units' | declare it as a number: 'attribute txn.units: rate' (or money, count)",
            "unknown attribute 'txn.prodcut' | did you mean `product`? (or, if it is another column, declare extra columns with "
                + "'attribute txn.prodcut: text')",
        ])
        // Where a condition, a number or an amount is meant, an undeclared column is not text: said
        // with the type wanted. Columns read as text are not what a later one is taken to
        // misspell, and a text use is only checked against text attributes (`account` is no
        // misspelt `amount`).
        let typed = check(
            "  credit sales {\n    where rep.tier1 == \"A\" or rep.tier2 == \"B\" or txn.account == \"ACME\"\n    amount fx(txn.amount)\n"
                + "    weight txn.split_pct\n  }\n  measure b = sum(sales)\n  component c = if rep.eligible then b * 2% else 0 USD\n")
        #expect(typed.diagnostics.map { "\($0.message) | \($0.hint ?? "-")" } == [
            "unknown attribute 'txn.split_pct' | declare extra columns with 'attribute txn.split_pct: rate'",
            "unknown attribute 'rep.eligible' | declare extra columns with 'attribute rep.eligible: bool'",
        ], "\(typed.rendered())")
        // Beside a text parameter too, as beside the literal it holds (it had been "unknown
        // attribute 'rep.region'" while `rep.region != "EMEA"` was read).
        let parameter = check(
            "  param wanted = \"EMEA\"\n  credit sales {\n    where rep.region != wanted and wanted == txn.zone\n    amount fx(txn.amount)\n  }\n"
                + "  measure b = sum(sales)\n")
        #expect(parameter.diagnostics.isEmpty, "\(parameter.rendered())")
        #expect(try #require(parameter.plan).attributes.filter { !$0.builtIn }.map { "\($0.scope.rawValue).\($0.name): \($0.type)" }.sorted() == [
            "rep.region: text", "txn.zone: text",
        ])
    }
}
