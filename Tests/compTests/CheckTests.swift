import Foundation
import Testing

@Suite struct CheckAndFormat {
    let cli = CLI()

    @Test func everyPlanInPlansChecks() throws {
        let examples = CLI.root.appendingPathComponent("Plans/examples").path
        let files = try FileManager.default.contentsOfDirectory(atPath: examples).filter { $0.hasSuffix(".plan") }.sorted()
        #expect(files.count >= 17)
        let result = try cli.run(["check"] + files.map { examples + "/" + $0 })
        #expect(result.status == 0, "\(result.stderr)")
        let format = try cli.run(["fmt", "--check"] + files.map { examples + "/" + $0 })
        #expect(format.status == 0, "\(format.stderr)")
    }

    /// With several files, `--param` is overridden where it is declared, as `comp run` does: a
    /// what-if run can be checked first. Only a name no file declares is an error, in each.
    @Test func aParameterOfSeveralPlansIsCheckedAsARunTakesIt() throws {
        let examples = CLI.root.appendingPathComponent("Plans/examples").path
        let files = [examples + "/ae-standard.plan", examples + "/parameters.plan"]
        var result = try cli.run(["check"] + files + ["--param", "base_rate=4%"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr == "")
        result = try cli.run(["check"] + files + ["--param", "nope=4%"])
        #expect(result.status == 65)
        #expect(result.stderr == files.map { "\($0): error: no parameter 'nope' to override [#plan.unknownParameter]\n" }.joined())
    }

    /// A read-only plan is not formatted (it had been replaced, its mode kept): 73, as for any
    /// output that cannot be written (it had been 65, bad input), untouched.
    @Test func fmtLeavesAReadOnlyFileAlone() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = directory.appendingPathComponent("locked.plan").path
        let text = "plan \"X\" {\n    currency USD\n  period month\n}\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: plan))
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: plan)
        let result = try cli.run(["fmt", plan])
        #expect(result.status == 73)
        #expect(result.stderr == "\(plan): error: the file is read-only; not formatted (make it writable first)\n")
        // Beside a file with a syntax error, bad input wins: 65.
        let broken = directory.appendingPathComponent("broken.plan").path
        try Data("plan \"X\" {\n  currency\n".utf8).write(to: URL(fileURLWithPath: broken))
        #expect(try cli.run(["fmt", plan, broken]).status == 65)
        #expect(try String(contentsOfFile: plan, encoding: .utf8) == text)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: plan)
        #expect(try cli.run(["fmt", plan]).status == 0)
        #expect(try String(contentsOfFile: plan, encoding: .utf8) == "plan \"X\" {\n  currency USD\n  period month\n}\n")
    }

    /// A data file given to `comp fmt` (or `--check`) gets the one error `comp check` gives it, and
    /// is left as it is: it had got a syntax error on its header and one per accented name.
    @Test func fmtRefusesADataFileAsCheckDoes() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let roster = directory.appendingPathComponent("roster.csv").path
        let text = "rep,name,plan,start\nR1,Zoë,AE-STD,2026-01-01\nR2,José,AE-STD,2026-01-01\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: roster))
        let expected =
            "\(roster):1:1: error: '\(roster)' is not a plan file: its first line (rep,name,plan,start) looks like a data file's header; "
            + "a plan file starts with 'plan', 'library' or 'use' [#plan.notAPlanFile]\n"
        #expect(try cli.run(["check", roster]).stderr == expected)
        for arguments in [["fmt", roster], ["fmt", "--check", roster]] {
            let result = try cli.run(arguments)
            #expect(result.status == 65)
            #expect(result.stderr == expected)
        }
        #expect(try String(contentsOfFile: roster, encoding: .utf8) == text)
    }

    /// A plan saved with a byte order mark (Windows editors do) is read, and an error on its
    /// first line is at the column an editor shows, quoted without the mark.
    @Test func aByteOrderMarkDoesNotShiftLineOneColumns() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = directory.appendingPathComponent("bom.plan").path
        try Data("\u{FEFF}plan \"X\" { currency USDD\n  period month\n}\n".utf8).write(to: URL(fileURLWithPath: plan))
        let result = try cli.run(["check", plan])
        #expect(result.status == 65)
        #expect(
            result.stderr == """
                \(plan):1:21: error: 'USDD' is not an ISO 4217 currency code [#plan.unknownCurrency]
                 1 | plan "X" { currency USDD
                   |                     ^~~~
                    = hint: did you mean `USD`?

                """)
    }

    /// A plan currency that is not one is one error: the plan's USD amounts are not then held
    /// against the code the checker guesses (`XAU` had given five more errors about XAF), nor is an
    /// amount in another currency added to a measure (`+ 5 EUR` had been a mismatch with XAF). A
    /// code of no currency gets no guess shown: gold is not a misspelt CFA franc.
    @Test func anUnknownPlanCurrencyIsOneError() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let example = try String(contentsOfFile: aeStandard, encoding: .utf8)
        for (code, guess, what): (String, String?, String) in [
            ("XAU", nil, "is an ISO 4217 code of no currency (a metal, a unit of account or a test code): a plan pays in a currency"),
            ("EURO", "EUR", "is not an ISO 4217 currency code"),
        ] {
            let plan = directory.appendingPathComponent("\(code).plan").path
            var text = example.replacingOccurrences(of: "currency USD", with: "currency \(code)")
            guard let end = text.lastIndex(of: "}") else { Issue.record("no closing brace"); return }
            text.insert(contentsOf: "  component extra = bookings * 1% + 5 EUR\n", at: end)
            try Data(text.utf8).write(to: URL(fileURLWithPath: plan))
            let result = try cli.run(["check", plan])
            #expect(result.status == 65)
            let errors = result.stderr.split(separator: "\n").filter { $0.contains(": error: ") }
            #expect(errors == ["\(plan):3:12: error: '\(code)' \(what) [#plan.unknownCurrency]"], "\(result.stderr)")
            if let guess {
                #expect(result.stderr.contains("= hint: did you mean `\(guess)`?"), "\(result.stderr)")
            } else {
                #expect(!result.stderr.contains("did you mean"), "\(result.stderr)")
            }
        }
    }

    /// Beside a plan currency that is no currency, a transaction amount added to money is still a
    /// mismatch (with its fx hint): only mismatches with the code the hint guesses are left unsaid.
    @Test func aTransactionAmountMismatchIsSaidBesideAnUnknownPlanCurrency() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = directory.appendingPathComponent("p.plan").path
        try Data(
            "plan \"P\" {\n  currency EURO\n  period month\n  credit sales {\n    amount txn.amount + 5 EUR\n  }\n}\n".utf8
        ).write(to: URL(fileURLWithPath: plan))
        let result = try cli.run(["check", plan])
        #expect(result.status == 65)
        let errors = result.stderr.split(separator: "\n").filter { $0.contains(": error: ") }
        #expect(
            errors == [
                "\(plan):2:12: error: 'EURO' is not an ISO 4217 currency code [#plan.unknownCurrency]",
                "\(plan):5:12: error: currency mismatch: cannot add money (txn.currency) and money (EUR) [#plan.currencyMismatch]",
            ], "\(result.stderr)")
        #expect(result.stderr.contains("= hint: convert transaction amounts with fx(txn.amount)"), "\(result.stderr)")
    }

    /// An invisible character in a plan id is refused, and shown: the roster's plan column
    /// refuses it, so the plan could never have a payee (it had checked, and its run's warning
    /// printed the two ids alike).
    @Test func anInvisibleCharacterInAPlanIDIsRefused() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (scalar, code) in [("\u{200B}", "U+200B"), ("\u{FEFF}", "U+FEFF")] {
            let plan = directory.appendingPathComponent("hidden.plan").path
            try Data("plan \"AE\(scalar)-STD\" {\n  currency USD\n  period month\n}\n".utf8).write(to: URL(fileURLWithPath: plan))
            let result = try cli.run(["check", plan])
            #expect(result.status == 65)
            let errors = result.stderr.split(separator: "\n").filter { $0.contains(": error: ") }
            #expect(
                errors == [
                    "\(plan):1:6: error: 'AE<\(code)>-STD' is not a valid plan id; expected an id without invisible characters such as \(code), "
                        + "which prints as nothing (the roster's plan column, which names the plan, refuses them) [#plan.invalidValue]"
                ], "\(result.stderr)")
            #expect(result.stderr.contains("= hint: delete the \(code)"), "\(result.stderr)")
        }
    }

    /// A plan id longer than the roster's plan column holds (256 bytes) is refused: no roster row
    /// could name the plan (it had checked, and every roster row naming it was refused). 256
    /// bytes pass.
    @Test func aPlanIDLongerThanTheRosterHoldsIsRefused() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = directory.appendingPathComponent("long.plan").path
        for (length, status) in [(257, Int32(65)), (256, Int32(0))] {
            try Data("plan \"\(String(repeating: "A", count: length))\" {\n  currency USD\n  period month\n}\n".utf8).write(to: URL(fileURLWithPath: plan))
            let result = try cli.run(["check", plan])
            #expect(result.status == status, "\(result.stderr)")
            let errors = result.stderr.split(separator: "\n").filter { $0.contains(": error: ") }
            #expect(
                errors == (length == 257 ? [
                    "\(plan):1:6: error: '\(String(repeating: "A", count: 40))…' is not a valid plan id; expected an id of at most 256 bytes, not 257 "
                        + "(the roster's plan column, which names the plan, holds no longer one) [#plan.invalidValue]"
                ] : []), "\(result.stderr)")
        }
    }

    @Test func aBrokenPlanGetsEveryErrorWithCaretsAndExits65() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = directory.appendingPathComponent("broken.plan").path
        try Data(
            """
            plan "X" {
              currency USD
              period month
              credit sales { amount fx(txn.amount) }
              measure bookings = sum(sales)
              component a = bookingz * 5%
              component b = bookings + 5%
            }

            """.utf8
        ).write(to: URL(fileURLWithPath: plan))
        let result = try cli.run(["check", plan])
        #expect(result.status == 65)
        let errors = result.stderr.split(separator: "\n").filter { $0.contains(": error: ") }
        #expect(errors.count == 2)
        #expect(errors.first?.hasPrefix(plan + ":6:17: error: ") == true)
        #expect(result.stderr.contains("did you mean `bookings`?"))
        #expect(result.stderr.contains(" 6 |   component a = bookingz * 5%"))
        #expect(errors.last?.hasPrefix(plan + ":7:") == true)
    }

    @Test func fmtMakesAFileCanonicalAndIsIdempotent() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = directory.appendingPathComponent("messy.plan").path
        try Data("plan \"X\" {\ncurrency   USD\n     period month\n}\n".utf8).write(to: URL(fileURLWithPath: plan))
        #expect(try cli.run(["fmt", "--check", plan]).status != 0)
        #expect(try cli.run(["fmt", plan]).status == 0)
        let once = try String(contentsOfFile: plan, encoding: .utf8)
        #expect(once == "plan \"X\" {\n  currency USD\n  period month\n}\n")
        #expect(try cli.run(["fmt", "--check", plan]).status == 0)
        #expect(try cli.run(["fmt", plan]).status == 0)
        #expect(try String(contentsOfFile: plan, encoding: .utf8) == once)
    }

    /// A directory is its plan files, as `comp run --plans DIR` reads it: `check` takes its .plan
    /// and .xml files, `fmt` its .plan files, in name order; one with none is an error (it had been
    /// "cannot read 'DIR': a directory, not a file").
    @Test func checkAndFmtTakeADirectoryOfPlans() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plans = directory.appendingPathComponent("plans")
        try FileManager.default.createDirectory(at: plans.appendingPathComponent("nested.plan"), withIntermediateDirectories: true)
        let good = "plan \"A\" {\n  currency USD\n  period month\n}\n"
        try Data(good.utf8).write(to: plans.appendingPathComponent("a.plan"))
        try Data("plan \"B\" {\ncurrency   USD\n     period month\n}\n".utf8).write(to: plans.appendingPathComponent("b.plan"))
        try Data("plan \"C\" {\n  currency USD\n  perod month\n}\n".utf8).write(to: plans.appendingPathComponent("c.plan"))
        try Data("not a plan".utf8).write(to: plans.appendingPathComponent("notes.txt"))
        let path = plans.path
        var result = try cli.run(["check", path])
        #expect(result.status == 65)
        let errors = result.stderr.split(separator: "\n").filter { $0.contains(": error: ") }
        #expect(errors == ["\(path)/c.plan:3:3: error: unknown declaration 'perod' [#plan.unknownDeclaration]"], "\(result.stderr)")
        // fmt leaves the broken file alone, rewrites the messy one, and says nothing of the rest.
        result = try cli.run(["fmt", "--check", path])
        #expect(result.status == 65)
        #expect(result.stderr.contains("\(path)/b.plan"), "\(result.stderr)")
        #expect(!result.stderr.contains("a.plan") && !result.stderr.contains("notes.txt"), "\(result.stderr)")
        result = try cli.run(["fmt", path])
        #expect(try String(contentsOf: plans.appendingPathComponent("b.plan"), encoding: .utf8) == good.replacingOccurrences(of: "\"A\"", with: "\"B\""))
        try FileManager.default.removeItem(at: plans.appendingPathComponent("c.plan"))
        #expect(try cli.run(["check", path]).status == 0)
        #expect(try cli.run(["fmt", "--check", path]).status == 0)
        // A directory with no plan in it.
        let empty = directory.appendingPathComponent("empty").path
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        result = try cli.run(["check", empty])
        #expect(result.status == 65)
        #expect(result.stderr == "\(empty): error: no plan files in this directory (.plan or .xml); give a plan file or a directory of them\n")
        result = try cli.run(["fmt", empty])
        #expect(result.status == 65)
        #expect(result.stderr == "\(empty): error: no .plan files in this directory; give a plan file or a directory of them\n")
    }

    /// fmt through a symbolic link rewrites the file it points to (the link stays a link) and
    /// keeps the file's mode.
    @Test func fmtFollowsLinksAndKeepsTheMode() throws {
        let directory = try cli.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = directory.appendingPathComponent("real.plan").path
        let link = directory.appendingPathComponent("link.plan").path
        try Data("plan \"X\" {\ncurrency   USD\n     period month\n}\n".utf8).write(to: URL(fileURLWithPath: plan))
        #expect(chmod(plan, 0o600) == 0)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "real.plan")
        #expect(try cli.run(["fmt", link]).status == 0)
        #expect(try String(contentsOfFile: plan, encoding: .utf8) == "plan \"X\" {\n  currency USD\n  period month\n}\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "real.plan")
        #expect((try FileManager.default.attributesOfItem(atPath: plan)[.posixPermissions] as? Int) == 0o600)
    }
}
