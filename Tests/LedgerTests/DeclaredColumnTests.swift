import CompDiagnostics
import Foundation
import Ledger
import Testing

/// Columns a plan declares with a type are checked as that type when the data is loaded: a value
/// the plan could not read rejects its row at its file, line and field (it had been read as "no
/// value", and the row quietly left out of the credits with a wrong reason).
@Suite struct DeclaredColumns {
    func options(_ columns: [DeclaredColumn]) -> LedgerLoadOptions {
        var options = LedgerLoadOptions(threads: 2)
        options.declaredColumns = columns
        return options
    }

    @Test func badValuesOfADeclaredTransactionColumnRejectTheirRows() throws {
        let ledger = """
            id,date,rep,amount,currency,boost,units,signed,flag
            T1,2027-01-05,R1,100,USD,1.5,3,2027-01-01,true
            T2,2027-01-05,R1,100,USD,1e2,3,2027-01-01,true
            T3,2027-01-05,R1,100,USD,"1,5",2.5,2027-02-30,yes
            T4,2027-01-05,R1,100,USD,,,,
            T5,2027-01-05,R1,100,USD,1.1234567,-4,2027-01-01,false

            """
        let columns = [
            DeclaredColumn(file: .transactions, name: "boost", kind: .rate, optional: false, declaredBy: "plan P"),
            DeclaredColumn(file: .transactions, name: "units", kind: .count, optional: true, declaredBy: "plan P"),
            DeclaredColumn(file: .transactions, name: "signed", kind: .date, optional: true, declaredBy: "plan P"),
            DeclaredColumn(file: .transactions, name: "flag", kind: .bool, optional: true, declaredBy: "plan Q"),
        ]
        let directory = try DataDirectory(Minimal.ledgerOnly(ledger))
        let (load, messages) = directory.load(options(columns))
        #expect(messages == [
            "transactions.csv:3:6: boost \"1e2\" is not a plain decimal (like 1234.56 or -80)",
            "transactions.csv:4:6: boost \"1,5\" is not a plain decimal (like 1234.56 or -80); write it as 1.5 (a decimal point, not a comma)",
            "transactions.csv:4:7: units \"2.5\" is not a whole number; plan P reads it as a count (attribute txn.units: count optional)",
            "transactions.csv:4:8: signed \"2027-02-30\" is not a valid date; February 2027 has 28 days",
            "transactions.csv:4:9: flag \"yes\" is not true or false",
            "transactions.csv:5:6: boost is empty; plan P reads it (attribute txn.boost: rate): fill it in, or declare it optional",
            "transactions.csv:6:6: boost \"1.1234567\" has 7 fraction digits; at most 6 are allowed",
        ])
        // T1 and T5's other columns are fine; only T1 is accepted (T5's boost is not).
        #expect(load.data.transactions.count == 1)
        let file = try #require(load.reconciliation.files.first { $0.file.hasSuffix("transactions.csv") })
        #expect(file.rowsRead == 5)
        #expect(file.rejected == 4)
        // Without the declarations the same file loads whole: the loader knows no plan.
        #expect(directory.load().0.data.transactions.count == 5)
        // Declared columns are kept and checked also when the caller keeps no other column.
        var keepingNone = options(columns)
        keepingNone.transactionAttributes = []
        let (narrow, narrowMessages) = directory.load(keepingNone)
        #expect(narrowMessages == messages)
        #expect(narrow.data.transactions.attributes.map(\.name) == ["boost", "units", "signed", "flag"])
    }

    /// An empty text is the value "", not a missing one, also without `optional`: rejecting it
    /// would refuse rows of reps on plans that never read the column (the sample's managers have
    /// no region), and change the row numbers stored runs were made with.
    @Test func anEmptyDeclaredTextIsTheEmptyText() throws {
        let ledger = "id,date,rep,amount,currency,segment\nT1,2027-01-05,R1,100,USD,\nT2,2027-01-05,R1,100,USD,A\n"
        let directory = try DataDirectory(Minimal.ledgerOnly(ledger))
        let (load, messages) = directory.load(options([
            DeclaredColumn(file: .transactions, name: "segment", kind: .text, optional: false, declaredBy: "plan P")
        ]))
        #expect(messages.isEmpty)
        #expect(load.data.transactions.count == 2)
    }

    @Test func aDeclaredColumnMissingFromTheHeaderIsAnErrorUnlessOptional() throws {
        let directory = try DataDirectory(Minimal.ledgerOnly(Minimal.transactions))
        let (_, messages) = directory.load(options([
            DeclaredColumn(file: .transactions, name: "boost", kind: .rate, optional: false, declaredBy: "plan P"),
            DeclaredColumn(file: .transactions, name: "segment", kind: .text, optional: true, declaredBy: "plan P"),
            DeclaredColumn(file: .roster, name: "tier", kind: .count, optional: false, declaredBy: "plan P"),
        ]))
        #expect(messages == [
            "transactions.csv:1:1: missing column \"boost\" in the header; plan P reads it (attribute txn.boost: rate): add it, or declare it optional",
            "roster.csv:1:1: missing column \"tier\" in the header; plan P reads it (attribute rep.tier: count): add it, or declare it optional",
        ])
    }

    @Test func badValuesOfADeclaredRosterColumnRejectTheRosterRow() throws {
        let roster = "rep,name,plan,start,tier,bonus_rate\nR1,Ana,AE-STD,2026-01-01,abc,5%\nR2,Ben,AE-STD,2026-01-01,2,0.05\n"
            + "R3,Cy,AE-STD,2026-01-01,99999999999999999999,0.05\nR4,Di,AE-STD,2026-01-01, 2,0.05\nR5,Ed,AE-STD,2026-01-01,0000000001,0.05\n"
        let directory = try DataDirectory(["roster.csv": roster, "transactions.csv": "id,date,rep,amount,currency\n", "quotas.csv": "rep,period,amount\n"])
        let (load, messages) = directory.load(options([
            DeclaredColumn(file: .roster, name: "tier", kind: .count, optional: false, declaredBy: "plan AE-STD"),
            DeclaredColumn(file: .roster, name: "bonus_rate", kind: .rate, optional: false, declaredBy: "plan AE-STD"),
        ]))
        #expect(messages == [
            "roster.csv:2:5: tier \"abc\" is not a whole number; plan AE-STD reads it as a count (attribute rep.tier: count)",
            "roster.csv:2:6: bonus_rate \"5%\" is not a plain decimal (like 1234.56 or -80); write a percentage as a decimal (50% is 0.5)",
            // Whole, but too large: the size is wrong, not the shape; a space is pointed out.
            "roster.csv:4:5: tier \"99999999999999999999\" is out of range (at most ±999,999,999); plan AE-STD reads it as a count (attribute rep.tier: count)",
            "roster.csv:5:5: tier \" 2\" is not a whole number; plan AE-STD reads it as a count (attribute rep.tier: count); remove the spaces around it",
        ])
        // Leading zeros take no room: 0000000001 is 1.
        #expect(load.data.roster.rows.map(\.line) == [3, 6])
    }

    /// A rep's value is read by the plan of its roster row only: a column one plan requires, or
    /// types, does not reject the rows of another plan's reps (a manager on MGR with an empty
    /// `bounty` had stopped the run of T14, which never pays the manager).
    @Test func aDeclarationChecksTheRowsOfItsOwnPlanOnly() throws {
        let roster = "rep,name,plan,start,bounty\nR1,Ana,T14,2026-01-01,\nM1,Mo,MGR,2026-01-01,\nR2,Ben,T14,2026-01-01,12.50\n"
            + "M2,Max,MGR,2026-01-01,lots\nR3,Cy,T14,2026-01-01,lots\nO1,Oz,OTHER,2026-01-01,7x\n"
        let directory = try DataDirectory(["roster.csv": roster, "transactions.csv": "id,date,rep,amount,currency\n", "quotas.csv": "rep,period,amount\n"])
        let (load, messages) = directory.load(options([
            DeclaredColumn(file: .roster, name: "bounty", kind: .money, optional: false, declaredBy: "plan T14", plan: "T14"),
            DeclaredColumn(file: .roster, name: "bounty", kind: .money, optional: true, declaredBy: "plan MGR", plan: "MGR"),
        ]))
        #expect(messages == [
            "roster.csv:2:5: bounty is empty; plan T14 reads it (attribute rep.bounty: money): fill it in, or declare it optional",
            "roster.csv:5:5: bounty \"lots\" is not a plain decimal (like 1234.56 or -80)",
            "roster.csv:6:5: bounty \"lots\" is not a plain decimal (like 1234.56 or -80)",
        ])
        // M1 (empty, MGR's own declaration is optional), R2, and O1 (no plan of the run reads it).
        #expect(load.data.roster.rows.map(\.line) == [3, 4, 7])
    }

    /// The declarations are recorded with a run, for `comp explain` to read the ledger the same way.
    @Test func recordedDeclarationsReadBack() {
        let columns = [
            DeclaredColumn(file: .transactions, name: "boost", kind: .rate, optional: false, declaredBy: "the run's plans"),
            DeclaredColumn(file: .roster, name: "tier.x", kind: .count, optional: true, declaredBy: "the run's plans"),
        ]
        let line = DeclaredColumn.recorded(columns)
        #expect(line == "transactions.boost:rate;roster.tier.x:count?")
        #expect(DeclaredColumn.parse(recorded: line) == columns)
        #expect(DeclaredColumn.parse(recorded: "") == [])
        #expect(DeclaredColumn.parse(recorded: "nonsense;transactions.a:weird") == [])
        // A roster column names its plan, percent-encoded (an id may hold `;`, `@` or `%`).
        let planned = [
            DeclaredColumn(file: .roster, name: "tier", kind: .count, optional: false, declaredBy: "plan AE;1@x%", plan: "AE;1@x%"),
            DeclaredColumn(file: .roster, name: "bounty", kind: .money, optional: true, declaredBy: "plan Ärger", plan: "Ärger"),
        ]
        let plannedLine = DeclaredColumn.recorded(planned)
        #expect(plannedLine == "roster.tier:count@AE%3B1%40x%25;roster.bounty:money?@%C3%84rger")
        #expect(DeclaredColumn.parse(recorded: plannedLine) == planned)
        #expect(DeclaredColumn.parse(recorded: "roster.tier:count@%4") == [])
    }
}
