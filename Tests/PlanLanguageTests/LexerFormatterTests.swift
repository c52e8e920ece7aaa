import CompDiagnostics
@testable import PlanLanguage
import Testing

@Suite("Lexer and formatter")
struct LexerFormatterTests {
    func kinds(_ text: String) -> [TokenKind] {
        Lexer.tokenize(Array(text.utf8)).tokens.map(\.kind).dropLast()
    }

    @Test("dates, months and quarters are literals; spaced minus is subtraction")
    func periods() {
        #expect(kinds("2027-03-01 2027-03 2027-Q1") == [.date, .month, .quarter])
        #expect(kinds("2027 - 03") == [.integer, .minus, .integer])
        #expect(kinds("12.5% 0.5 150") == [.percent, .decimal, .integer])
        #expect(kinds("a->b=>c==d!=e<=f>=g") == [.identifier, .arrow, .identifier, .fatArrow, .identifier, .equal,
                                                   .identifier, .notEqual, .identifier, .lessEqual, .identifier,
                                                   .greaterEqual, .identifier])
    }

    @Test("tokens carry byte offsets; columns count characters")
    func offsets() {
        let text = "let é = \"ü\" # c"
        let (tokens, comments, problems) = Lexer.tokenize(Array(text.utf8))
        #expect(tokens[0].range == SourceRange(start: 0, end: 3))
        #expect(problems.count == 1)  // 'é' is not an identifier character
        #expect(tokens[2].range.start == 7)
        #expect(comments.map(\.range) == [SourceRange(start: 14, end: 17)])
        let source = SourceFile(path: "x", text: text)
        #expect(source.location(of: tokens[3].range.start).column == 9)
    }

    @Test("a money literal needs its currency on the same line")
    func moneyLiteral() {
        let header = "plan \"T\" {\n  currency USD\n  period month\n"
        let sameLine = PlanChecker.check(source: SourceFile(path: "t", text: header + "  param p = 150 USD\n  let x = p\n}\n"))
        #expect(sameLine.diagnostics.isEmpty)
        let split = PlanChecker.check(source: SourceFile(path: "t", text: header + "  param p = 150\n  USD\n}\n"))
        #expect(split.diagnostics.map(\.id.rawValue).contains("plan.unknownDeclaration"))
    }

    static let messy = """
        # top comment
        use   "x.plan"   # trailing use
        plan "M"   "Messy" {   # header comment
        currency    USD
            period month


          credit sales { amount fx( txn.amount )*match txn.kind { "new","upsell"=>100% # arm
          else=>0% }
          where txn.kind in["a","b"]and not(txn.region=="X")
          to managers 2 levels
          # closing comment in block
          }
          measure bookings=sum(sales)over ytd round half_up 2
          let a=if bookings>0 USD then 1 else 2*3%  # tail
          table t retroactive on amount boundary lower{
          up to 5 USD:1%
          # row comment
          5 USD and above : 2% if a>1%
          }
          component c "C"=t(bookings)+(bookings-1 USD)*-2 when a==1 round floor
          # final
        }
        # after
        """

    @Test("the canonical layout (golden)")
    func canonicalLayout() throws {
        let formatted = try #require(PlanFormatter.format(SourceFile(path: "messy.plan", text: Self.messy)).text)
        if let problem = snapshotMismatch(formatted, named: "messy.formatted.plan.txt") { Issue.record(Comment(rawValue: problem)) }
        #expect(PlanFormatter.format(SourceFile(path: "messy.plan", text: formatted)).text == formatted)
    }

    /// A comment after a one-line block's closing brace stays after the brace: it had moved to the
    /// opening line, then into the block, one step per pass.
    @Test("a comment after a block's closing brace stays there")
    func commentAfterClosingBrace() throws {
        let text = "plan \"W\" {\n  currency USD\n  period month\n  credit sales { amount fx(txn.amount) } # c3\n  measure b = sum(sales)\n}\n"
        let once = try #require(PlanFormatter.format(SourceFile(path: "w.plan", text: text)).text)
        #expect(once == "plan \"W\" {\n  currency USD\n  period month\n  credit sales {\n    amount fx(txn.amount)\n  }  # c3\n  measure b = sum(sales)\n}\n")
        #expect(PlanFormatter.format(SourceFile(path: "w.plan", text: once)).text == once)
    }

    /// Comments between the lines of an expression written over several stay with it, before it
    /// (they had moved onto the next declaration, its blank line lost); in a table row and a
    /// match arm too. A comment after the expression's end stays at the end of its line.
    @Test("comments inside a multi-line expression stay with it")
    func commentsInsideAnExpression() throws {
        let text = """
            plan "C" {
              currency USD
              period month
              credit sales {
                amount fx(txn.amount)
                weight match txn.kind {
                  "new" => 100%
                  "renewal" =>    # half, per policy
                    50%
                  else => 0%
                }
              }
              measure bookings = sum(sales)
              measure deals = count(sales)
              table t marginal on amount {
                up to 1000 USD   # first band
                  : 3%
                1000 USD and above : 5%
              }
              component commission = t(bookings)  # base rate, per comp committee 2027-01
                + 100 USD * deals                 # per-deal kicker

              # the cap below was approved by finance
              cap total at 5000 USD per period
            }

            """
        let once = try #require(PlanFormatter.format(SourceFile(path: "c.plan", text: text)).text)
        #expect(once == """
            plan "C" {
              currency USD
              period month
              credit sales {
                amount fx(txn.amount)
                weight match txn.kind {
                  "new"     => 100%
                  # half, per policy
                  "renewal" => 50%
                  else      => 0%
                }
              }
              measure bookings = sum(sales)
              measure deals = count(sales)
              table t marginal on amount {
                # first band
                up to 1000 USD     : 3%
                1000 USD and above : 5%
              }
              # base rate, per comp committee 2027-01
              component commission = t(bookings) + 100 USD * deals  # per-deal kicker

              # the cap below was approved by finance
              cap total at 5000 USD per period
            }

            """)
        #expect(PlanFormatter.format(SourceFile(path: "c.plan", text: once)).text == once)
    }

    /// `quota(` starting a continuation line is the function, not a quota declaration.
    @Test("an expression may continue on a line that starts with quota(")
    func quotaCallOnAContinuationLine() {
        let text = "plan \"Q\" {\n  currency USD\n  period month\n  credit s { amount fx(txn.amount) }\n  measure b = sum(s)\n"
            + "  quota b per month\n  let a = b /\n    quota(b) round half_even 6\n  component c = b * a\n}\n"
        let result = PlanChecker.check(source: SourceFile(path: "q.plan", text: text))
        #expect(result.diagnostics.isEmpty, "\(result.rendered())")
    }

    @Test("a file with syntax errors is not formatted")
    func syntaxErrors() {
        let result = PlanFormatter.format(SourceFile(path: "bad.plan", text: "plan \"X\" {\n  let = 3\n}\n"))
        #expect(result.text == nil)
        #expect(result.diagnostics.map(\.id.rawValue) == ["plan.expected"])
    }
}
