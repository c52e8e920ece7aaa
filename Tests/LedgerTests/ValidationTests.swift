import CompCore
import Foundation
import Ledger
import Testing

/// One bad input and exactly the messages it must produce.
struct BadCase: Sendable, CustomTestStringConvertible {
    let name: String
    let file: String
    let text: String
    let expected: [String]
    var testDescription: String { name }
}

let header = "id,date,rep,amount,currency,product,kind,quantity,region,reverses\n"

let badCases: [BadCase] = [
    BadCase(
        name: "bad decimal", file: "transactions.csv", text: header + "T1,2027-01-05,R1,\"12,50\",USD,P,new,1,NA,\n",
        expected: ["transactions.csv:2:4: amount \"12,50\" is not a plain decimal (like 1234.56 or -80); write it as 12.50 (a decimal point, not a comma)"]),
    BadCase(
        name: "too many fraction digits", file: "transactions.csv", text: header + "T1,2027-01-05,R1,1.1234567,USD,P,new,1,NA,\n",
        expected: ["transactions.csv:2:4: amount \"1.1234567\" has 7 fraction digits; at most 6 are allowed"]),
    BadCase(
        name: "amount out of range", file: "transactions.csv", text: header + "T1,2027-01-05,R1,99999999999999,USD,P,new,1,NA,\n",
        expected: ["transactions.csv:2:4: amount \"99999999999999\" is out of range (at most ±9223372036854.775807)"]),
    BadCase(
        name: "bad date", file: "transactions.csv", text: header + "T1,2027-02-29,R1,1,USD,P,new,1,NA,\n",
        expected: ["transactions.csv:2:2: date \"2027-02-29\" is not a valid date; February 2027 has 28 days"]),
    BadCase(
        name: "missing required column", file: "transactions.csv", text: "id,date,rep,currency\nT1,2027-01-05,R1,USD\n",
        expected: ["transactions.csv:1:1: missing required column \"amount\" in the header"]),
    BadCase(
        name: "missing required value", file: "transactions.csv", text: header + ",2027-01-05,R1,1,USD,P,new,1,NA,\n",
        expected: ["transactions.csv:2:1: id is empty; it is required"]),
    BadCase(
        name: "duplicate transaction id", file: "transactions.csv",
        text: header + "T2,2027-01-05,R1,1,USD,P,new,1,NA,\nT1,2027-01-05,R1,1,USD,P,new,1,NA,\nT2,2027-01-06,R1,2,USD,P,new,1,NA,\n",
        expected: ["transactions.csv:4:1: duplicate transaction id \"T2\" (first on line 2)"]),
    BadCase(
        name: "transaction for an unknown rep", file: "transactions.csv", text: header + "T1,2027-01-05,R9,1,USD,P,new,1,NA,\n",
        expected: ["transactions.csv:2:3: rep \"R9\" is not on the roster"]),
    BadCase(
        name: "quota for an unknown rep", file: "quotas.csv", text: "rep,period,amount\nR1,2027-01,100\nR7,2027-01,100\n",
        expected: ["quotas.csv:3:1: rep \"R7\" is not on the roster"]),
    // A rep with a control or invisible character breaks the ids' rule, as in the other files (it
    // had been "not on the roster").
    BadCase(
        name: "quota for a rep with a control character", file: "quotas.csv",
        text: "rep,period,amount\nR1,2027-01,100\n\"R\t1\",2027-02,5\nR\u{200B}1,2027-03,5\n\(String(repeating: "X", count: 70))\u{1B},2027-04,5\n",
        expected: [
            "quotas.csv:3:1: rep holds a control character (a NUL, tab, line break, escape or bidirectional control); ids must be printable",
            "quotas.csv:4:1: rep holds an invisible character (U+200B), which prints as nothing: it reads the same as the id without it but is another id; ids must be printable: delete it",
            // Past the length a message quotes, still found.
            "quotas.csv:5:1: rep holds a control character (a NUL, tab, line break, escape or bidirectional control); ids must be printable",
        ]),
    BadCase(
        name: "split for an unknown rep", file: "splits.csv", text: "txn,rep,share\nT2,R1,0.5\nT2,R8,0.5\n",
        // The other row is not used, and says why (not that the shares add up to 0.5): T2 is
        // credited to no one until the rejected row is corrected. The cause is listed first:
        // a deal of a million split rows had listed a million follow-on errors before it.
        expected: [
            "splits.csv:3:2: rep \"R8\" is not on the roster",
            "splits.csv:2:1: transaction \"T2\" has a rejected split row (line 3): its other rows are not used until that row is corrected",
        ]),
    // A row rejected for its amount that also reverses an id the ledger does not hold gets both
    // errors at once (the reversal had been checked only once the amount was corrected); one
    // reversing an accepted deal or a rejected row gets only its own error.
    BadCase(
        name: "a rejected row reversing an unknown id", file: "transactions.csv",
        text: header + "T1,2027-01-05,R1,10,USD,P,new,1,NA,\nT2,2027-01-06,R1,x,USD,P,new,1,NA,T404\n"
            + "T3,2027-01-06,R1,y,USD,P,new,1,NA,T1\nT4,2027-01-06,R1,z,USD,P,new,1,NA,T3\n",
        expected: [
            "transactions.csv:3:4: amount \"x\" is not a plain decimal (like 1234.56 or -80)",
            "transactions.csv:3:10: reverses \"T404\", which is not an accepted transaction in this ledger",
            "transactions.csv:4:4: amount \"y\" is not a plain decimal (like 1234.56 or -80)",
            "transactions.csv:5:4: amount \"z\" is not a plain decimal (like 1234.56 or -80)",
        ]),
    // A row rejected for its shape has no id known: a rejected row reversing it is not told it
    // reverses nothing (T2's target T3 has a field too few).
    BadCase(
        name: "a rejected row reversing a row rejected for its shape", file: "transactions.csv",
        text: header + "T1,2027-01-05,R1,10,USD,P,new,1,NA,\nT2,2027-01-06,R1,q,USD,P,new,1,NA,T3\nT3,2027-01-06,R1,5,USD,P,new,1,NA\n",
        expected: [
            "transactions.csv:3:4: amount \"q\" is not a plain decimal (like 1234.56 or -80)",
            "transactions.csv:4:10: the row has 9 fields; the header has 10: \"reverses\" has no field (a comma too few, or a line cut short)",
        ]),
    // An id that matches nothing because it is no id (a tab, the CR of a `\r\r\n` line end) says
    // so; it had been "not on the roster" or "not an accepted transaction".
    BadCase(
        name: "a rep or a reversal with a control character", file: "transactions.csv",
        text: header + "T1,2027-01-05,R1,1,USD,P,new,1,NA,\nT2,2027-01-05,R\t1,1,USD,P,new,1,NA,\nT3,2027-01-06,R1,-1,USD,P,new,-1,NA,T1\r\r\n",
        expected: [
            "transactions.csv:3:3: rep holds a control character (a NUL, tab, line break, escape or bidirectional control); ids must be printable",
            "transactions.csv:4:10: reverses holds a control character (a NUL, tab, line break, escape or bidirectional control); ids must be printable",
        ]),
    // A C1 control (U+009B, the 8-bit CSI) or a bidirectional override (U+202E, which shows
    // `T2<U+202E>DSU 00.1` as `T2 1.00 USD`) in an id is a control character too.
    BadCase(
        name: "ids with a C1 control or a bidirectional override", file: "transactions.csv",
        text: header + "T\u{9B}1,2027-01-05,R1,1,USD,P,new,1,NA,\nT2\u{202E}DSU,2027-01-05,R1,1,USD,P,new,1,NA,\nT3 é,2027-01-05,R1,1,USD,P,new,1,NA,\n",
        expected: [
            "transactions.csv:2:1: id holds a control character (a NUL, tab, line break, escape or bidirectional control); ids must be printable",
            "transactions.csv:3:1: id holds a control character (a NUL, tab, line break, escape or bidirectional control); ids must be printable",
        ]),
    // A quoted column name over two lines is said as what it is (it had been "binary data?").
    BadCase(
        name: "a column name over two lines", file: "transactions.csv",
        text: "id,date,rep,amount,currency,\"deal\nnote\"\nT1,2027-01-05,R1,1,USD,x\n",
        expected: ["transactions.csv:1:6: column name 6 holds a line break inside its quotes; a column name is one line of text: join its lines"]),
    // A row rejected for another field says its id's control or invisible character too (found
    // after the scan among accepted rows' ids, it had gone unsaid on a rejected row).
    BadCase(
        name: "an unprintable id on a row with another problem", file: "transactions.csv",
        text: header + "T\t1,2027-01-05,R1,5x,USD,P,new,1,NA,\nT\u{200B}2,2027-02-30,R1,1,USD,P,new,1,NA,\nT\u{1B}3,2027-01-05,R1,1,usd,P,new,1,NA,\n",
        expected: [
            "transactions.csv:2:1: id holds a control character (a NUL, tab, line break, escape or bidirectional control); ids must be printable",
            "transactions.csv:2:4: amount \"5x\" is not a plain decimal (like 1234.56 or -80)",
            "transactions.csv:3:1: id holds an invisible character (U+200B), which prints as nothing: it reads the same as the id without it but is another id; ids must be printable: delete it",
            "transactions.csv:3:2: date \"2027-02-30\" is not a valid date; February 2027 has 28 days",
            "transactions.csv:4:1: id holds a control character (a NUL, tab, line break, escape or bidirectional control); ids must be printable",
            "transactions.csv:4:5: currency \"usd\" is not an ISO 4217 code; write it in upper case: USD",
        ]),
    // The roster's plan column is printed in run summaries: an id's rules.
    BadCase(
        name: "a plan name with an escape sequence", file: "roster.csv",
        text: "rep,name,plan,start\nR1,Ana,AE-STD,2026-01-01\nR2,Ben,\"X\u{1B}]0;owned\u{07}\",2026-01-01\n",
        expected: ["roster.csv:3:3: plan holds a control character (a NUL, tab, line break, escape or bidirectional control); ids must be printable"]),
    // A value shortened for a message is cut at a character's start (its first bytes had shown
    // as U+FFFD, a character the file does not hold).
    BadCase(
        name: "a long value is shortened at a character", file: "transactions.csv",
        text: header + "T1,2027-01-05,R" + String(repeating: "é", count: 40) + ",1,USD,P,new,1,NA,\n",
        expected: ["transactions.csv:2:3: rep \"R" + String(repeating: "é", count: 29) + "…\" is not on the roster"]),
    BadCase(
        name: "reversal of an unknown transaction", file: "transactions.csv",
        text: header + "T1,2027-01-05,R1,1,USD,P,new,1,NA,\nT2,2027-01-06,R1,-1,USD,P,new,-1,NA,T0\n",
        expected: ["transactions.csv:3:10: reverses \"T0\", which is not an accepted transaction in this ledger"]),
    // A rep (or manager) whose roster row is rejected for its shape is still known by id when the
    // id was read whole: its transactions, quotas, splits and reports are not rejected a second
    // time as "not on the roster" (they had been, where a bad date had not).
    BadCase(
        name: "roster rows of the wrong shape keep their reps known", file: "roster.csv",
        text: "rep,name,manager,plan,start,end,currency,target_incentive\n"
            + "M1,Mia Manager,,MGR,2026-01-01,,USD,50000,\n"
            + "R1,Rossi, Nils,M1,AE-STD,2026-01-01,,USD,24000.00\n"
            + "R2,Ana \"Silva\",M1,AE-STD,2026-01-01,2027-06-30,USD,\n"
            + "R2,Ana Silva,M1,AE-STD,2027-07-01,,USD,30000\n",
        expected: [
            "roster.csv:2:9: the row has 9 fields; the header has 8, the last \"target_incentive\": a value holding a comma must be quoted "
                + "(\"1,000\"), or a comma is too many",
            "roster.csv:3:9: the row has 9 fields; the header has 8, the last \"target_incentive\": a value holding a comma must be quoted "
                + "(\"1,000\"), or a comma is too many",
            "roster.csv:4:2: a quote (\") inside an unquoted field; quote the whole field and double inner quotes (\"\")",
        ]),
    BadCase(
        name: "overlapping roster rows", file: "roster.csv",
        text: "rep,name,plan,start,end\nR1,A,AE-STD,2026-01-01,2027-03-31\nR2,B,AE-STD,2026-01-01,\nR1,A,AE-STD,2027-03-01,\n",
        expected: ["roster.csv:4:4: roster rows for rep \"R1\" overlap: 2027-03-01…open overlaps 2026-01-01…2027-03-31 on line 2"]),
    BadCase(
        name: "a negative target incentive, quoted as written", file: "roster.csv",
        text: "rep,name,plan,start,target_incentive\nR1,A,AE-STD,2026-01-01,-1200.50\nR2,B,AE-STD,2026-01-01,\n",
        expected: ["roster.csv:2:5: target_incentive \"-1200.50\" is negative"]),
    BadCase(
        name: "split shares not adding to one", file: "splits.csv", text: "txn,rep,share\nT2,R1,0.5\nT2,R2,0.4\n",
        expected: [
            "splits.csv:2:3: split shares of transaction \"T2\" add up to 0.9, not 1",
            "splits.csv:3:3: split shares of transaction \"T2\" add up to 0.9, not 1",
        ]),
    BadCase(
        name: "currency-month without an fx rate", file: "transactions.csv", text: header + "T1,2027-03-05,R1,10,EUR,P,new,1,NA,\n",
        expected: ["transactions.csv:2:5: no fx rate for EUR in 2027-03; add a row \"EUR,2027-03,<USD per EUR>\" to fx.csv"]),
    BadCase(
        name: "header that is not CSV", file: "transactions.csv", text: "\"id,date\n",
        expected: ["transactions.csv:1:1: the header is not CSV: a quoted field is never closed (missing \")"]),
    BadCase(
        name: "binary header", file: "transactions.csv", text: "\u{7F}ELF\u{02}\u{01}\u{00}\u{00},x\n",
        expected: ["transactions.csv:1:1: the header is not CSV: field 1 holds a control character or bytes that are not UTF-8 (binary data?)"]),
    BadCase(
        name: "empty file", file: "roster.csv", text: "",
        // Without the roster, the files whose rows name reps are not checked: every row had been
        // "not on the roster", burying the one error to correct.
        expected: [
            "transactions.csv: warning: not checked, because roster.csv could not be read",
            "quotas.csv: warning: not checked, because roster.csv could not be read",
            "splits.csv: warning: not checked, because roster.csv could not be read",
            "roster.csv:1:1: the file is empty; it needs a header row",
        ]),
    BadCase(
        name: "wrong field count", file: "transactions.csv", text: header + "T1,2027-01-05,R1,1,USD\n",
        expected: [
            "transactions.csv:2:6: the row has 5 fields; the header has 10: \"product\", \"kind\", \"quantity\", \"region\" and \"reverses\" "
                + "have no field (a comma too few, or a line cut short)"
        ]),
    BadCase(
        name: "stray quote", file: "transactions.csv", text: header + "T1,2027-01-05,R1,1,USD,Wid\"get,new,1,NA,\n",
        expected: [
            "transactions.csv:2:6: a quote (\") inside an unquoted field; quote the whole field and double inner quotes (\"\")"
        ]),
    BadCase(
        name: "unknown currency", file: "transactions.csv", text: header + "T1,2027-01-05,R1,1,usd,P,new,1,NA,\n",
        expected: ["transactions.csv:2:5: currency \"usd\" is not an ISO 4217 code; write it in upper case: USD"]),
    BadCase(
        name: "spaces around values", file: "transactions.csv", text: header + "T1, 2027-01-05,R1, 1,USD ,P,new,1,NA,\n",
        expected: [
            "transactions.csv:2:2: date \" 2027-01-05\" is not a valid date; write YYYY-MM-DD; remove the spaces around it",
            "transactions.csv:2:4: amount \" 1\" is not a plain decimal (like 1234.56 or -80); remove the spaces around it",
            "transactions.csv:2:5: currency \"USD \" is not an ISO 4217 code (three upper-case letters, e.g. USD); remove the spaces around it",
        ]),
    BadCase(
        name: "three capitals that are no currency", file: "transactions.csv", text: header + "T1,2027-01-05,R1,1,XYZ,P,new,1,NA,\n",
        expected: ["transactions.csv:2:5: currency \"XYZ\" is not an ISO 4217 currency (e.g. USD, EUR, JPY; codes of metals, funds and tests, such as XAU or XTS, are not)"]),
    BadCase(
        name: "fractional quantity", file: "transactions.csv", text: header + "T1,2027-01-05,R1,1,USD,P,new,2.5,NA,\n",
        expected: ["transactions.csv:2:8: quantity \"2.5\" is not a whole number"]),
    BadCase(
        // Exports write rep ids byte for byte: a spreadsheet may run "=1+2" as a formula.
        name: "rep ids a spreadsheet reads as formulas (warnings, once per rep)", file: "roster.csv",
        text: "rep,name,plan,start,end\nR1,A,AE-STD,2026-01-01,\nR2,B,AE-STD,2026-01-01,\n=1+2,C,AE-STD,2026-01-01,2026-06-30\n"
            + "=1+2,C,AE-STD,2026-07-01,\n@SUM(A1),D,AE-STD,2026-01-01,\nR-5,E,AE-STD,2026-01-01,\n",
        expected: [
            "roster.csv:4:1: warning: rep \"=1+2\" starts with \"=\": a spreadsheet opening an export (payouts.csv) may run it as a formula; exports write ids as they are, so give the rep an id that starts with a letter or digit",
            "roster.csv:6:1: warning: rep \"@SUM(A1)\" starts with \"@\": a spreadsheet opening an export (payouts.csv) may run it as a formula; exports write ids as they are, so give the rep an id that starts with a letter or digit",
        ]),
    BadCase(
        name: "unknown manager", file: "roster.csv", text: "rep,name,manager,plan,start\nR1,A,M9,AE-STD,2026-01-01\nR2,B,,AE-STD,2026-01-01\n",
        expected: ["roster.csv:2:3: manager \"M9\" is not a rep on the roster"]),
    BadCase(
        name: "manager cycle", file: "roster.csv",
        text: "rep,name,manager,plan,start\nR1,A,R2,AE-STD,2026-01-01\nR2,B,R1,AE-STD,2026-01-01\n",
        expected: ["roster.csv:3:3: managers form a cycle: R1 → R2 → R1"]),
    BadCase(
        name: "end before start", file: "roster.csv", text: "rep,name,plan,start,end\nR1,A,AE-STD,2026-01-01,2025-12-31\nR2,B,AE-STD,2026-01-01,\n",
        expected: ["roster.csv:2:5: end 2025-12-31 is before start 2026-01-01"]),
    BadCase(
        name: "bad quota period", file: "quotas.csv", text: "rep,period,amount\nR1,2027-13,100\nR2,27-Q1,5\n",
        expected: [
            "quotas.csv:2:2: period \"2027-13\" is not a period; write YYYY (year), YYYY-Qn (quarter) or YYYY-MM (month)",
            "quotas.csv:3:2: period \"27-Q1\" is not a period; write YYYY (year), YYYY-Qn (quarter) or YYYY-MM (month)",
        ]),
    BadCase(
        // Every later row names the first (a duplicate leaves the first row in the index).
        name: "duplicate quota", file: "quotas.csv", text: "rep,period,amount\nR1,2027-01,100\nR1,2027-01,200\nR1,2027-01,300\n",
        expected: [
            "quotas.csv:3:2: second quota for rep \"R1\", period 2027-01 (first on line 2)",
            "quotas.csv:4:2: second quota for rep \"R1\", period 2027-01 (first on line 2)",
        ]),
    BadCase(
        name: "fx period must be a month", file: "fx.csv", text: "currency,period,rate\nEUR,2027-01,1.08\nGBP,2027-Q1,1.3\n",
        expected: ["fx.csv:3:2: period \"2027-Q1\" is not a month; write YYYY-MM"]),
    BadCase(
        name: "non-positive fx rate", file: "fx.csv", text: "currency,period,rate\nEUR,2027-01,-0.000\n",
        // The rejected fx row comes before the transactions it leaves without a rate (a month's
        // million rows had hidden it), and before the split rows of those transactions. The rate
        // is quoted as written (it had read "0").
        expected: [
            "fx.csv:2:3: rate \"-0.000\" must be greater than zero",
            "transactions.csv:3:5: no fx rate for EUR in 2027-01: its row in fx.csv (line 2) was rejected; correct that row",
            "splits.csv:2:1: transaction \"T2\" is not an accepted transaction in transactions.csv",
            "splits.csv:3:1: transaction \"T2\" is not an accepted transaction in transactions.csv",
        ]),
    BadCase(
        name: "split share out of range", file: "splits.csv", text: "txn,rep,share\nT2,R1,1.5\n",
        expected: ["splits.csv:2:3: share \"1.5\" must be greater than 0 and at most 1"]),
    BadCase(
        name: "duplicate column", file: "quotas.csv", text: "rep,period,amount,rep\nR1,2027-01,100,R1\n",
        expected: ["quotas.csv:1:4: column \"rep\" appears twice in the header (first as field 1)"]),
    BadCase(
        name: "invalid UTF-8 value", file: "roster.csv",
        text: "rep,name,plan,start\nR1,A,AE-STD,2026-01-01\nR2,B\u{FFFD},AE-STD,2026-01-01\n".replacingOccurrences(of: "\u{FFFD}", with: "\u{01}"),
        expected: []),
    BadCase(
        name: "control characters in ids", file: "transactions.csv",
        text: header + "T\u{0}1,2027-01-05,R1,1,USD,P,new,1,NA,\nT2,2027-01-05,R1,1,USD,P,new,1,NA,\n\"T\n3\",2027-01-06,R1,1,USD,P,new,1,NA,\n"
            + "T4\u{7F},2027-01-06,R1,1,USD,P,new,1,NA,\nT5,2027-01-07,R1,-1,USD,P,new,1,NA,T\u{0}1\n",
        expected: [
            "transactions.csv:2:1: id holds a control character (a NUL, tab, line break, escape or bidirectional control); ids must be printable",
            "transactions.csv:4:1: id holds a control character (a NUL, tab, line break, escape or bidirectional control); ids must be printable",
            "transactions.csv:6:1: id holds a control character (a NUL, tab, line break, escape or bidirectional control); ids must be printable",
            // A reversal naming no id (a NUL in it) says so, not that the transaction is unknown.
            "transactions.csv:7:10: reverses holds a control character (a NUL, tab, line break, escape or bidirectional control); ids must be printable",
        ]),
    BadCase(
        name: "reversals past their deal, and one dated before it (warnings)", file: "transactions.csv",
        text: header + "T1,2027-01-10,R1,100,USD,P,new,1,NA,\nT2,2027-01-12,R1,-60,USD,P,new,-1,NA,T1\n"
            + "T3,2027-01-13,R1,-60,USD,P,new,-1,NA,T1\nT4,2027-01-05,R1,-50,EUR,P,new,-1,NA,T1\n",
        expected: [
            "transactions.csv:4:10: warning: reversals of \"T1\" add up to -120 USD, more than the deal's 100 USD",
            "transactions.csv:5:5: warning: this reversal of T1 is in EUR and the deal in USD: it is valued in its own currency and month, so it may not take back what the deal paid; write it in the deal's currency",
            "transactions.csv:5:10: warning: reverses \"T1\", dated 2027-01-10, later than this reversal",
        ]),
    BadCase(
        // -9223372036854.775807 × 2 and × 3: exact, not clamped to the Int64 range (each reversal
        // past the deal says where the sum is).
        name: "reversals adding up past what an Int64 holds (warnings)", file: "transactions.csv",
        text: header + "A1,2027-01-10,R1,100,USD,P,new,1,NA,\nA2,2027-01-11,R1,-9223372036854.775807,USD,P,new,-1,NA,A1\n"
            + "A3,2027-01-12,R1,-9223372036854.775807,USD,P,new,-1,NA,A1\nA4,2027-01-13,R1,-9223372036854.775807,USD,P,new,-1,NA,A1\n",
        expected: [
            "transactions.csv:3:10: warning: reversals of \"A1\" add up to -9223372036854.775807 USD, more than the deal's 100 USD",
            "transactions.csv:4:10: warning: reversals of \"A1\" add up to -18446744073709.551614 USD, more than the deal's 100 USD",
            "transactions.csv:5:10: warning: reversals of \"A1\" add up to -27670116110564.327421 USD, more than the deal's 100 USD",
        ]),
    BadCase(
        name: "a duplicate of a row rejected for another field", file: "transactions.csv",
        // Every later T1 names line 2, the first (the third had named the second).
        text: header + "T1,2027-01-10,R1,1e2,USD,P,new,1,NA,\nT1,2027-01-11,R1,100,USD,P,new,1,NA,\n"
            + "T2,2027-01-10,R1,100,USD,P,new,1,NA,\nT2,2027-01-11,R1,abc,USD,P,new,1,NA,\nT1,2027-01-12,R1,100,USD,P,new,1,NA,\n",
        expected: [
            "transactions.csv:2:4: amount \"1e2\" is not a plain decimal (like 1234.56 or -80)",
            "transactions.csv:3:1: duplicate transaction id \"T1\" (first on line 2)",
            "transactions.csv:5:1: duplicate transaction id \"T2\" (first on line 4)",
            "transactions.csv:5:4: amount \"abc\" is not a plain decimal (like 1234.56 or -80)",
            "transactions.csv:6:1: duplicate transaction id \"T1\" (first on line 2)",
        ]),
    BadCase(
        // The first T1 accepted, the next two rejected for their amounts: both name line 2.
        name: "duplicates of an accepted row rejected for another field", file: "transactions.csv",
        text: header + "T1,2027-01-10,R1,100,USD,P,new,1,NA,\nT1,2027-01-11,R1,abc,USD,P,new,1,NA,\nT1,2027-01-12,R1,1e2,USD,P,new,1,NA,\n",
        expected: [
            "transactions.csv:3:1: duplicate transaction id \"T1\" (first on line 2)",
            "transactions.csv:3:4: amount \"abc\" is not a plain decimal (like 1234.56 or -80)",
            "transactions.csv:4:1: duplicate transaction id \"T1\" (first on line 2)",
            "transactions.csv:4:4: amount \"1e2\" is not a plain decimal (like 1234.56 or -80)",
        ]),
    BadCase(
        name: "a reversal with its deal's sign (warning)", file: "transactions.csv",
        text: header + "T1,2027-01-10,R1,100,USD,P,new,1,NA,\nT2,2027-01-12,R1,500,USD,P,new,-1,NA,T1\n",
        expected: ["transactions.csv:3:10: warning: this reversal of T1 (500) has the sign of its deal (100): it adds to the deal instead of taking it back"]),
    BadCase(
        // A per-unit SPIFF counts the reversal's own quantity: +3 pays the units a second time.
        name: "a reversal's quantity with its deal's sign (warning)", file: "transactions.csv",
        text: header + "T1,2027-01-10,R1,100,USD,P,new,3,NA,\nT2,2027-01-12,R1,-100,USD,P,new,3,NA,T1\n"
            + "T3,2027-01-13,R1,100,USD,P,new,0,NA,\nT4,2027-01-14,R1,-100,USD,P,new,2,NA,T3\n",
        expected: [
            "transactions.csv:3:8: warning: this reversal of T1 has quantity 3, the sign of its deal's (3): a per-unit SPIFF pays those units again instead of taking them back; write it as -3"
        ]),
    BadCase(
        name: "the most negative amount (out of the documented range)", file: "transactions.csv",
        text: header + "T1,2027-01-10,R1,-9223372036854.775808,USD,P,new,1,NA,\n",
        expected: ["transactions.csv:2:4: amount \"-9223372036854.775808\" is out of range (at most ±9223372036854.775807)"]),
    BadCase(
        name: "an fx rate for the base currency", file: "fx.csv",
        text: "currency,period,rate\nUSD,2027-01,1\nUSD,2027-02,2\nEUR,2027-01,1.083689\n",
        expected: [
            "fx.csv:2:1: warning: USD is the base currency, which converts at 1; this row is not needed",
            "fx.csv:3:3: USD is the base currency, which converts at 1, not 2; remove the row",
        ]),
    BadCase(
        name: "rep ids that read the same in other Unicode characters (warning)", file: "roster.csv",
        text: "rep,name,plan,start\nM1,Mia,MGR,2026-01-01\nR1,A,AE-STD,2026-01-01\nR2,B,AE-STD,2026-01-01\nJos\u{E9},C,AE-STD,2026-01-01\nJose\u{301},D,AE-STD,2026-01-01\n",
        expected: [
            "roster.csv:6:1: warning: rep \"Jose\u{301}\" reads the same as the rep on line 5 but is written with other Unicode characters (such as an accent composed in one and added in the other); they are two reps: write the id the same way in every file"
        ]),
    BadCase(
        name: "a reversal booked by another rep (warning)", file: "transactions.csv",
        text: header + "T1,2027-01-10,R1,100,USD,P,new,1,NA,\nT2,2027-01-12,R2,-100,USD,P,new,-1,NA,T1\n",
        expected: ["transactions.csv:3:10: warning: reverses \"T1\", a deal of rep \"R1\": this row's rep is charged, or under 'charge original_period' the deal's"]),
    BadCase(
        name: "a quota of 0 (warning)", file: "quotas.csv", text: "rep,period,amount\nR1,2027-01,0\nR2,2027-01,100\n",
        expected: ["quotas.csv:2:3: warning: a quota of 0: a plan that divides by it (attainment) stops the run at this rep and period, and a comparison with it (bookings >= quota) holds for any bookings of 0 or more"]),
    BadCase(
        name: "quantity out of range", file: "transactions.csv", text: header + "T1,2027-01-05,R1,1,USD,P,new,1000000000,NA,\n",
        expected: ["transactions.csv:2:8: quantity \"1000000000\" is out of range (at most ±999,999,999)"]),
    BadCase(
        name: "lines ended by CR alone", file: "quotas.csv", text: "rep,period,amount\rR1,2027-01,100\r",
        expected: ["quotas.csv:1:1: the header is not CSV: lines end with a carriage return alone; save the file with LF or CRLF line ends"]),
    BadCase(
        // Files joined with `cat`: the second file's header is one error, not one per field (its
        // "reverses" had also named a deal not in the ledger).
        name: "the header repeated in transactions.csv", file: "transactions.csv",
        text: header + "T1,2027-01-05,R1,1,USD,P,new,1,NA,\n" + header + "\u{FEFF}" + header + "T2,2027-01-05,R1,1,USD,P,new,1,NA,\n",
        expected: [
            "transactions.csv:3:1: the row repeats the header, as files joined one after the other leave it; remove it",
            "transactions.csv:4:1: the row repeats the header, as files joined one after the other leave it; remove it",
        ]),
    BadCase(
        name: "the header repeated in quotas.csv", file: "quotas.csv", text: "rep,period,amount\nR1,2027-01,100\n Rep , Period,amount\n",
        expected: ["quotas.csv:3:1: the row repeats the header, as files joined one after the other leave it; remove it"]),
    BadCase(
        // The ledger's EUR deal gets no "no fx rate" error of its own: the file is the one error.
        name: "fx.csv lines ended by CR alone", file: "fx.csv", text: "currency,period,rate\rEUR,2027-01,1.083689\r",
        expected: ["fx.csv:1:1: the header is not CSV: lines end with a carriage return alone; save the file with LF or CRLF line ends"]),
    BadCase(
        name: "control character in a roster id", file: "roster.csv",
        text: "rep,name,plan,start\nR1,A,AE-STD,2026-01-01\nR2,B,AE-STD,2026-01-01\nR\u{0}3,C,AE-STD,2026-01-01\n",
        expected: ["roster.csv:4:1: rep holds a control character (a NUL, tab, line break, escape or bidirectional control); ids must be printable"]),
    BadCase(
        // A trailing comma in the header: the file is read, the unnamed column's values are not.
        name: "a column with no name (warning)", file: "transactions.csv",
        text: "id,date,rep,amount,currency,product,kind,quantity,region,reverses,\nT1,2027-01-05,R1,1,USD,P,new,1,NA,,\nT2,2027-01-05,R1,1,USD,P,new,1,NA,,x\n",
        expected: ["transactions.csv:1:11: warning: column 11 has no name in the header, so its values are not read; name it, or remove it"]),
    BadCase(
        name: "text after closing quote", file: "transactions.csv", text: header + "T1,2027-01-05,R1,\"1\"0,USD,P,new,1,NA,\n",
        expected: ["transactions.csv:2:4: text after a closing quote; a quoted field must end at a comma or line end"]),
    BadCase(
        // T8 and T8 with a zero-width space print the same: two deals, paid twice, had passed.
        name: "invisible characters in ids and values", file: "transactions.csv",
        text: header + "T8\u{200B},2027-01-05,R1,1,USD,P,new,1,NA,\nT8,2027-01-05,R1,1,USD,P,new,1,NA,\n"
            + "T9,2027-01-05,R1\u{FEFF},1,USD,P,new,1,NA,\nT10,2027-01-05,R1,1\u{A0},USD,P,new,1,NA,\nT11,2027-01-05,R1,1,US\u{AD}D,P,new,1,NA,\n",
        expected: [
            "transactions.csv:2:1: id holds an invisible character (U+200B), which prints as nothing: it reads the same as the id without "
                + "it but is another id; ids must be printable: delete it",
            "transactions.csv:4:3: rep holds an invisible character (U+FEFF), which prints as nothing: it reads the same as the id without "
                + "it but is another id; ids must be printable: delete it",
            "transactions.csv:5:4: amount \"1\u{A0}\" is not a plain decimal (like 1234.56 or -80); remove the spaces around it (one is a "
                + "no-break space, U+00A0)",
            "transactions.csv:6:5: currency \"US\u{AD}D\" is not an ISO 4217 code (three upper-case letters, e.g. USD); it holds an "
                + "invisible character (U+00AD), which prints as nothing: delete it",
        ]),
    BadCase(
        // Quoted line breaks around a value are named, each kind (a "\r\n" had been told of one
        // space, U+000A).
        name: "line breaks around a value", file: "transactions.csv",
        text: header + "T1,2027-01-05,R1,\"1\r\n\",USD,P,new,1,NA,\nT2,2027-01-05,R1,1,\"\u{A0}USD\n\",P,new,1,NA,\n"
            + "T3,2027-01-05,R1,\"\n1\",USD,P,new,1,NA,\n",
        expected: [
            "transactions.csv:2:4: amount \"1\\r\\n\" is not a plain decimal (like 1234.56 or -80); remove the spaces and line breaks around "
                + "it (among them: a carriage return, U+000D; a line feed, U+000A)",
            "transactions.csv:4:5: currency \"\u{A0}USD\\n\" is not an ISO 4217 code (three upper-case letters, e.g. USD); remove the spaces "
                + "and line breaks around it (among them: a no-break space, U+00A0; a line feed, U+000A)",
            "transactions.csv:6:4: amount \"\\n1\" is not a plain decimal (like 1234.56 or -80); remove the spaces and line breaks around "
                + "it (one is a line feed, U+000A)",
        ]),
    BadCase(
        // "T1 " beside "T1" had been two transactions, the deal paid twice; a no-break space is a
        // space too, at either end (not inside); and the roster's ids alike (a plan "AE-STD "
        // is no plan of the run: its rep had been left unpaid without a word).
        name: "ids with spaces around them", file: "transactions.csv",
        text: header + "T1,2027-01-05,R1,1,USD,P,new,1,NA,\nT1 ,2027-01-05,R1,1,USD,P,new,1,NA,\n\u{A0}T1,2027-01-05,R1,1,USD,P,new,1,NA,\n"
            + "T1\u{A0}B,2027-01-05,R1,1,USD,P,new,1,NA,\nT\u{E9}\u{A0},2027-01-05,R1,1,USD,P,new,1,NA,\n",
        expected: [
            "transactions.csv:3:1: id \"T1 \" has spaces around it, so it is another id than the same without them; remove the spaces around it",
            "transactions.csv:4:1: id \"\u{A0}T1\" has spaces around it, so it is another id than the same without them; remove the spaces "
                + "around it (one is a no-break space, U+00A0)",
            "transactions.csv:6:1: id \"T\u{E9}\u{A0}\" has spaces around it, so it is another id than the same without them; remove the spaces "
                + "around it (one is a no-break space, U+00A0)",
        ]),
    BadCase(
        name: "roster ids with spaces around them", file: "roster.csv",
        text: "rep,name,manager,plan,start\nM1,Mia,,MGR,2026-01-01\nR1,Nils,M1,AE-STD ,2026-01-01\nR2 ,Ana,M1,AE-STD,2026-01-01\n",
        expected: [
            "transactions.csv:3:3: rep \"R2\" is not on the roster",
            "roster.csv:3:4: plan \"AE-STD \" has spaces around it, so it is another id than the same without them; remove the spaces around it",
            "roster.csv:4:1: rep \"R2 \" has spaces around it, so it is another id than the same without them; remove the spaces around it",
            "quotas.csv:4:1: rep \"R2\" is not on the roster",
            "splits.csv:3:2: rep \"R2\" is not on the roster",
            "splits.csv:2:1: transaction \"T2\" is not an accepted transaction in transactions.csv",
            "splits.csv:3:1: transaction \"T2\" is not an accepted transaction in transactions.csv",
        ]),
    BadCase(
        // A no-break space or a zero-width space at a column name's end is taken off, as blanks
        // are: `kind` had been an extra column, and kind empty on every row (a plan filtering on
        // it paid nothing), `reverses` too (no reversal reversed), without a word.
        name: "column names with other spaces around them", file: "transactions.csv",
        text: "id,date,rep,\"amount\u{A0}\",currency,product,kind\u{A0},quantity,region,\u{200B}reverses\n"
            + "T1,2027-01-05,R1,1,USD,P,new,1,NA,\nT2,2027-01-06,R1,-1,USD,P,new,-1,NA,T1\nT2,2027-01-06,R1,-1,USD,P,new,-1,NA,T1\n",
        // Read by name: the second T2 is a duplicate (so `id` is the id), a reversal of T1 is
        // checked as one (so `reverses` is read), and no column is missing.
        expected: ["transactions.csv:4:1: duplicate transaction id \"T2\" (first on line 3)"]),
    BadCase(
        name: "column names with an invisible character inside", file: "transactions.csv",
        text: "id,date,rep,am\u{200B}ount,currency,product,ki\u{200D}nd,quantity,region,reverses\nT1,2027-01-05,R1,1,USD,P,new,1,NA,\n",
        expected: [
            "transactions.csv:1:4: missing required column \"amount\" in the header (field 4 is \"amount\" with a zero-width space (U+200B) "
                + "inside; remove it)"
        ]),
    BadCase(
        name: "an optional column name with an invisible character inside (warning)", file: "transactions.csv",
        text: "id,date,rep,amount,currency,product,ki\u{200D}nd\u{200D},quantity,region,reverses\nT1,2027-01-05,R1,1,USD,P,new,1,NA,\n",
        expected: [
            "transactions.csv:1:7: warning: column \"kind\" has a zero-width joiner (U+200D) inside, so it is not the column \"kind\": it is "
                + "read as an extra column, and kind is empty on every row; remove it"
        ]),
    BadCase(
        // Each written as a spreadsheet shows it, with how to write it plainly.
        name: "numbers as a spreadsheet shows them", file: "transactions.csv",
        text: header + "T1,2027-01-05,R1,\"$1,234.56\",USD,P,new,1,NA,\nT2,2027-01-05,R1,(100.00),USD,P,new,1,NA,\n"
            + "T3,2027-01-05,R1,1.23457E+11,USD,P,new,1,NA,\nT4,2027-01-05,R1,\"1.234,56\",USD,P,new,1,NA,\n"
            + "T5,2027-01-05,R1,12%,USD,P,new,1,NA,\nT6,2027-01-05,R1,\"1,234\",USD,P,new,1,NA,\nT7,2027-01-05,R1,472.4100000000,USD,P,new,1,NA,\n",
        expected: [
            "transactions.csv:2:4: amount \"$1,234.56\" is not a plain decimal (like 1234.56 or -80); write it as 1234.56 (no currency symbol, "
                + "no thousands separators)",
            "transactions.csv:3:4: amount \"(100.00)\" is not a plain decimal (like 1234.56 or -80); write it as -100.00 (a minus sign for "
                + "the parentheses)",
            "transactions.csv:4:4: amount \"1.23457E+11\" is not a plain decimal (like 1234.56 or -80); it is in scientific notation, as a "
                + "spreadsheet shows a long number, and may have lost digits: format the column as a number with its decimals in the "
                + "spreadsheet and save it again",
            "transactions.csv:5:4: amount \"1.234,56\" is not a plain decimal (like 1234.56 or -80); write it as 1234.56 (a decimal point, "
                + "not a comma)",
            "transactions.csv:6:4: amount \"12%\" is not a plain decimal (like 1234.56 or -80); write a percentage as a decimal (50% is 0.5)",
            "transactions.csv:7:4: amount \"1,234\" is not a plain decimal (like 1234.56 or -80); write it as 1234 (no thousands separators; "
                + "or, if the comma is a decimal comma, 1.234)",
        ]),
    BadCase(
        // A workbook named .csv (its zip bytes had been "a quote inside an unquoted field").
        name: "a workbook named .csv", file: "roster.csv", text: "PK\u{03}\u{04}\u{14}\u{00}\u{06}\u{00}[Content_Types].xml",
        expected: [
            "transactions.csv: warning: not checked, because roster.csv could not be read",
            "quotas.csv: warning: not checked, because roster.csv could not be read",
            "splits.csv: warning: not checked, because roster.csv could not be read",
            "roster.csv:1:1: the file is a zip archive, as an Excel workbook (.xlsx) or an OpenDocument sheet (.ods) is, not CSV text; open "
                + "it and save the sheet as \"CSV UTF-8\"",
        ]),
    BadCase(
        // Every name quoted, semicolons between them (it had been "text after a closing quote").
        name: "a quoted semicolon-separated header", file: "fx.csv", text: "\"currency\";\"period\";\"rate\"\n\"EUR\";\"2027-01\";\"1,08\"\n",
        expected: [
            "fx.csv:1:1: the header's names are quoted and separated by ';': the file looks semicolon-separated; save it comma-separated (CSV)"
        ]),
    BadCase(
        // Excel's `sep=,` line, and a report's title, above the header: one error saying where the
        // header is (every required column had been said to be missing).
        name: "lines above the header", file: "quotas.csv", text: "sep=,\nrep,period,amount\nR1,2027-01,10000\n",
        expected: ["quotas.csv:1:1: line 1 is Excel's \"sep=\" line, not the header; the header is on line 2: remove the lines above it"]),
    BadCase(
        name: "a title above the header", file: "quotas.csv", text: "\nQuotas FY2027 (exported 2026-12-01)\n\n\"Rep\", Period ,amount\nR1,2027-01,10000\n",
        expected: ["quotas.csv:2:1: line 2 is not the header; the header is on line 4: remove the lines above it"]),
    BadCase(
        // A spreadsheet's cleared rows, as wide as the others: one error each, as a shorter row
        // of commas has (each required column had been said to be empty).
        name: "rows of commas as wide as the header", file: "transactions.csv",
        text: header + "T1,2027-01-05,R1,1,USD,P,new,1,NA,\n,,,,,,,,,\n\"\",,,,,,,,,\n",
        expected: [
            "transactions.csv:3:1: the row is empty but for its commas; remove it",
            "transactions.csv:4:1: the row is empty but for its commas; remove it",
        ]),
    BadCase(
        // Said as what they are (a row of one field, the character unnamed, had been said).
        name: "a DOS end-of-file mark and a row of NULs", file: "transactions.csv",
        text: header + "T1,2027-01-05,R1,1,USD,P,new,1,NA,\n\u{0}\u{0}\u{0}\n\u{1A}",
        expected: [
            "transactions.csv:3:2: the row has 1 field; the header has 10: the row is NUL bytes (U+0000) alone (binary data?); remove it",
            "transactions.csv:4:2: the row has 1 field; the header has 10: the row is a Ctrl-Z (U+001A), the end-of-file mark of old DOS files; remove it",
        ]),
    BadCase(
        // Ids another system writes in other capitals: said with the roster's spelling (a rep "not
        // on the roster" that the roster showed in capitals had been all there was).
        name: "a rep id in other capitals", file: "transactions.csv", text: header + "T1,2027-01-05,r1,1,USD,P,new,1,NA,\n",
        expected: [
            "transactions.csv:2:3: rep \"r1\" is not on the roster; the roster's \"R1\" differs from it only in case (ids are matched "
                + "exactly): write the id the same way in every file"
        ]),
    BadCase(
        name: "roster reps whose ids differ only in case (warning)", file: "roster.csv",
        text: Minimal.roster + "r1,Nils Rossi,M1,AE-STD,2026-01-01,,USD,\n",
        expected: [
            "roster.csv:6:1: warning: rep \"r1\" differs from the rep \"R1\" on line 3 only in case; they are two reps: if they are one, "
                + "write the id the same way in every file"
        ]),
    BadCase(
        // Valid CSV, wider than read here (it had been "the header is not CSV").
        name: "a header of more than 1024 columns", file: "fx.csv",
        text: "currency,period,rate" + String(repeating: ",x", count: 1_100) + "\n",
        expected: ["fx.csv:1:1: the header has more than 1024 columns, more than a data file may have; remove the columns no plan reads"]),
    BadCase(
        name: "a roster row of commas", file: "roster.csv",
        text: Minimal.roster + ",,,,,,,\n",
        expected: ["roster.csv:6:1: the row is empty but for its commas; remove it"]),
    BadCase(
        name: "transaction ids that read the same (warning)", file: "transactions.csv",
        // Of such a pair one id is not in composed form: found whichever comes first, also beside an
        // ASCII id (a K and a Kelvin sign), and between two uncomposed spellings.
        text: header + "TJos\u{E9},2027-01-05,R1,1,USD,P,new,1,NA,\nTJose\u{301},2027-01-05,R1,1,USD,P,new,1,NA,\n"
            + "\u{212A}1,2027-01-05,R1,1,USD,P,new,1,NA,\nK1,2027-01-05,R1,1,USD,P,new,1,NA,\n"
            + "\u{1E0B}\u{323},2027-01-05,R1,1,USD,P,new,1,NA,\nd\u{323}\u{307},2027-01-05,R1,1,USD,P,new,1,NA,\n",
        expected: [
            "transactions.csv:3:1: warning: transaction id \"TJose\u{301}\" reads the same as the id on line 2 but is written with other "
                + "Unicode characters (such as an accent composed in one and added in the other); they are two transactions, both credited: "
                + "if they are one deal, delete one",
            "transactions.csv:5:1: warning: transaction id \"K1\" reads the same as the id on line 4 but is written with other "
                + "Unicode characters (such as an accent composed in one and added in the other); they are two transactions, both credited: "
                + "if they are one deal, delete one",
            "transactions.csv:7:1: warning: transaction id \"d\u{323}\u{307}\" reads the same as the id on line 6 but is written with other "
                + "Unicode characters (such as an accent composed in one and added in the other); they are two transactions, both credited: "
                + "if they are one deal, delete one",
        ]),
]

@Suite struct Validation {
    @Test(arguments: badCases)
    func reportsExactMessage(_ bad: BadCase) throws {
        var files = Minimal.with(bad.file, bad.text)
        // splits.csv refers to T2 of the minimal ledger; cases that replace the ledger drop it.
        if bad.file == "transactions.csv" { files["splits.csv"] = nil }
        let directory = try DataDirectory(files)
        let (load, messages) = directory.load()
        #expect(messages == bad.expected)
        #expect(load.errorCount == bad.expected.filter { !$0.contains(": warning: ") }.count)
        // Nothing lost: every row read is accepted or rejected.
        for file in load.reconciliation.files { #expect(file.rowsRead == file.accepted + file.rejected) }
    }

    /// A file saved as UTF-16 (Excel's "Unicode Text") is said to be one, with the encoding to
    /// save it in: every byte of it had been "a control character or bytes that are not UTF-8
    /// (binary data?)".
    @Test func aUTF16FileIsSaidToBeOne() throws {
        var files = Minimal.files.mapValues { Array($0.utf8) }
        files["splits.csv"] = nil
        files["transactions.csv"] = [0xFF, 0xFE] + Minimal.transactions.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        files["roster.csv"] = Minimal.roster.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let (load, messages) = try DataDirectory(bytes: files).load()
        // Both said at once.
        #expect(messages == [
            "quotas.csv: warning: not checked, because roster.csv could not be read",
            "transactions.csv:1:1: the file is UTF-16 text (little-endian), not UTF-8, as Excel's \"Unicode Text\" saves it; save it as \"CSV UTF-8\"",
            "roster.csv:1:1: the file is UTF-16 text (big-endian), not UTF-8, as Excel's \"Unicode Text\" saves it; save it as \"CSV UTF-8\"",
        ])
        #expect(load.errorCount == 2)
        files["roster.csv"] = Array(Minimal.roster.utf8)
        let (_, ledgerMessages) = try DataDirectory(bytes: files).load()
        // A Latin-1 é in a column name is text in another encoding, not binary data.
        var latin1 = files
        latin1["transactions.csv"] = Array("id,date,rep,amount,currency,product,kind,quantity,r".utf8) + [0xE9]
            + Array("gion,reverses\nT1,2027-01-05,R1,1,USD,P,new,1,NA,\n".utf8)
        #expect(try DataDirectory(bytes: latin1).load().1 == ["transactions.csv:1:9: column name 9 is not valid UTF-8; save the file as UTF-8"])
        #expect(ledgerMessages == [
            "transactions.csv:1:1: the file is UTF-16 text (little-endian), not UTF-8, as Excel's \"Unicode Text\" saves it; save it as \"CSV UTF-8\""
        ])
    }

    /// A quote that is never closed makes its record one line long, and the rows after it are
    /// read: it had swallowed the rest of the file, rows the reconciliation never saw.
    @Test func anUnclosedQuoteLosesNoRowAfterIt() throws {
        var text = header + "T1,2027-01-05,R1,1,USD,\"Acme 5in,new,1,NA,\n"
        for index in 2...2_000 { text += "T\(index),2027-01-05,R1,1,USD,P,new,1,NA,\n" }
        for ending in ["", "a closing \" much later,new,1,NA,\n"] {
            var files = Minimal.ledgerOnly(text + ending)
            files["splits.csv"] = nil
            let (load, messages) = try DataDirectory(files).load()
            let expected = ending.isEmpty
                ? "transactions.csv:2:6: a quoted field is never closed (missing \")"
                : "transactions.csv:2:6: text after a closing quote; a quoted field must end at a comma or line end"
            #expect(messages.first == expected)
            let file = load.reconciliation.files[0]
            #expect(file.rowsRead == file.accepted + file.rejected)
            // Closed much later, the quote ran the record over 2,000 lines: it is taken to be its
            // first line, and the lines after it are rows (the last one, with 4 fields, rejected).
            #expect(file.rowsRead == (ending.isEmpty ? 2_000 : 2_001))
            #expect(file.accepted == 1_999)
        }
    }

    /// Two well-formed records holding record-shaped lines in a quoted field are one record each,
    /// as RFC 4180 reads them, rejected for that field with a warning of what it holds: an id
    /// over several lines, and a record over two lines that ends the file without a line end.
    /// The lines inside had been read as rows of their own (T3 credited from inside an id):
    /// read = 3 and 2, not 5 and 3.
    @Test func quotedIdsAndLastRecordsAreOneRecordEach() throws {
        let head = "id,date,rep,amount,currency\n"
        let cases: [(String, [String], [String], Int)] = [
            (head + "T1,2027-01-01,R1,1.00,USD\n\"T2\nT3,2027-01-03,R1,3.00,USD\nT4\",2027-01-04,R1,4.00,USD\nT5,2027-01-05,R1,5.00,USD\n",
             ["transactions.csv:3:1: id holds a control character (a NUL, tab, line break, escape or bidirectional control); ids must be printable",
              "transactions.csv:3:1: warning: id is a quoted text holding 1 line shaped like records; if a closing quote is missing, those rows were read as this text"],
             ["T1", "T5"], 3),
            (head + "T1,2027-01-01,R1,1.00,USD\nT2,2027-01-02,R1,\"2\nT3,2027-01-03,R1,3.00,USD\",USD",
             ["transactions.csv:3:4: amount \"2\\nT3,2027-01-03,R1,3.00,USD\" is not a plain decimal (like 1234.56 or -80)",
              "transactions.csv:3:4: warning: amount is a quoted text holding 1 line shaped like records; if a closing quote is missing, those rows were read as this text"],
             ["T1"], 2),
        ]
        for (ledger, expected, ids, read) in cases {
            var files = Minimal.ledgerOnly(ledger)
            files["splits.csv"] = nil
            let (load, messages) = try DataDirectory(files).load()
            #expect(messages == expected)
            #expect((0..<load.data.transactions.count).map { load.data.transactions.ids[$0] } == ids)
            let file = try #require(load.reconciliation.files.first { $0.file.hasSuffix("transactions.csv") })
            #expect(file.rowsRead == read)
            #expect(file.rowsRead == file.accepted + file.rejected)
        }
    }

    /// A header that almost names a required column says what it holds: a ';'-separated file (one
    /// error, not one per column), a name in capitals, a byte order mark inside a name (a second
    /// one: the first is skipped).
    @Test(arguments: [
        ("id;date;rep;amount;currency\nT1;2027-01-05;R1;10;USD\n",
         "transactions.csv:1:1: the header is one field holding ';': the file looks semicolon-separated; save it comma-separated (CSV)"),
        ("ID,date,rep,amount,currency\nT1,2027-01-05,R1,10,USD\n",
         "transactions.csv:1:1: missing required column \"id\" in the header (field 1 is \"ID\"; names are matched exactly, in lower case)"),
        // Said at the field that holds it.
        ("id,date,Rep,amount,currency\nT1,2027-01-05,R1,10,USD\n",
         "transactions.csv:1:3: missing required column \"rep\" in the header (field 3 is \"Rep\"; names are matched exactly, in lower case)"),
        ("\u{FEFF}\u{FEFF}id,date,rep,amount,currency\nT1,2027-01-05,R1,10,USD\n",
         "transactions.csv:1:1: missing required column \"id\" in the header (field 1 is \"id\" with a byte order mark (U+FEFF) inside; "
            + "save the file as UTF-8 without it)"),
    ])
    func aHeaderThatAlmostNamesAColumnSaysWhat(_ ledger: String, _ message: String) throws {
        var files = Minimal.ledgerOnly(ledger)
        files["splits.csv"] = nil
        let (load, messages) = try DataDirectory(files).load()
        #expect(messages == [message])
        #expect(load.unusableFiles.count == 1)
    }

    /// An optional column written in another case is another column: said with a warning (the
    /// rows are valid, but `Reverses` no longer reverses and a filter on `kind` takes nothing),
    /// the rows kept, `Kind` kept as an extra column and `reverses` read as absent.
    @Test func anOptionalColumnInAnotherCaseIsAWarning() throws {
        var files = Minimal.ledgerOnly(
            "id,date,rep,amount,currency,Kind,quantity,Reverses\nT1,2027-01-05,R1,10,USD,new,1,\nT2,2027-01-06,R1,-10,USD,new,-1,T1\n")
        files["splits.csv"] = nil
        files["quotas.csv"] = "rep,period,amount,Measure\nR1,2027-01,100,\n"
        let (load, messages) = try DataDirectory(files).load()
        #expect(messages == [
            "transactions.csv:1:6: warning: column \"Kind\" is not the column \"kind\" (names are matched exactly, in lower case): it is read as an extra column, and kind is empty on every row; rename it \"kind\"",
            "transactions.csv:1:8: warning: column \"Reverses\" is not the column \"reverses\" (names are matched exactly, in lower case): it is read as an extra column, and reverses is empty on every row; rename it \"reverses\"",
            "quotas.csv:1:4: warning: column \"Measure\" is not the column \"measure\" (names are matched exactly, in lower case): it is read as an extra column, and measure is empty on every row; rename it \"measure\"",
        ])
        let transactions = load.data.transactions
        #expect(transactions.count == 2)
        #expect(transactions.reversals.rows.isEmpty)
        #expect(transactions.attribute("kind") == nil)
        #expect(transactions.attribute("Kind").map { column in (0..<2).map { column[$0] } } == ["new", "new"])
        #expect(load.unusableFiles.isEmpty)
    }

    /// A rep kept known from a roster row rejected for its shape follows an id's rules: one with
    /// a bidirectional override stays unknown, and its transaction is rejected saying why (it had
    /// been accepted, the override stored with the run).
    @Test func aShapeRejectedRosterRowsIDWithAControlCharacterStaysUnknown() throws {
        var files = Minimal.ledgerOnly("id,date,rep,amount,currency\nT1,2027-01-05,R1,10,USD\nT2,2027-01-06,R\u{202E}9,20,USD\n")
        files["roster.csv"] = "rep,name,plan,start\nR1,Ana,AE-STD,2026-01-01\nR\u{202E}9,Zed,AE-STD,2026-01-01,\nR2,Ben,AE-STD,2026-01-01\n"
        let (load, messages) = try DataDirectory(files).load()
        #expect(messages == [
            "transactions.csv:3:3: rep holds a control character (a NUL, tab, line break, escape or bidirectional control); ids must be printable",
            "roster.csv:3:5: the row has 5 fields; the header has 4, the last \"start\": a value holding a comma must be quoted (\"1,000\"), "
                + "or a comma is too many",
        ])
        #expect(load.data.transactions.count == 1)
    }

    /// Blank lines before the header are skipped like any other (the empty first line had been
    /// read as a header naming no column: the file refused with six messages at 1:1); lines keep
    /// their numbers. A file of blank lines is empty.
    @Test func blankLinesBeforeTheHeaderAreSkipped() throws {
        var files = Minimal.ledgerOnly("\n\nid,date,rep,amount,currency\nT1,2027-01-05,R1,10,USD\nT2,2027-01-05,R1,1x,USD\n")
        let (load, messages) = try DataDirectory(files).load()
        #expect(messages == ["transactions.csv:5:4: amount \"1x\" is not a plain decimal (like 1234.56 or -80)"])
        #expect(load.data.transactions.count == 1)
        files["transactions.csv"] = "\n\r\n\n"
        #expect(try DataDirectory(files).load().1 == ["transactions.csv:1:1: the file is empty; it needs a header row"])
        files["transactions.csv"] = "\n\nid,date,rep\n"
        #expect(try DataDirectory(files).load().1.first == "transactions.csv:3:1: missing required column \"amount\" in the header")
    }

    /// A stray quote after a closing one (`"USD"X"`) had opened a quoted run that swallowed every
    /// row up to the next quote in the file: T2 and T3 were neither accepted nor rejected (read 1
    /// of 4). A quoted field that runs a row over several lines and leaves it with the wrong number
    /// of fields likewise: the row is its first line, the lines after it are rows. In roster.csv
    /// too, where the swallowed reps then looked unknown. A well-formed record (T8, its amount
    /// over three lines) is one record, rejected, with a warning of the row-shaped line inside.
    @Test func aStrayQuoteSwallowsNoRow() throws {
        let ledger = "id,date,rep,amount,currency\n"
            + "T1,2027-01-05,R1,10,\"USD\"X\"\nT2,2027-01-06,R1,20,USD\nT3,2027-01-07,R1,30,\"USD\"\nT4,2027-01-08,R1,40,USD\n"
            + "T5,2027-01-09,R1,\"50,USD\nT6,2027-01-10,R1,60,USD\nT7,2027-01-11,R1,70,US\"\n"
            + "T8,2027-01-12,R1,\"80\nT9,2027-01-13,R1,90,USD\nT10,2027-01-14,R1,100\",USD\n"
        var files = Minimal.ledgerOnly(ledger)
        files["splits.csv"] = nil
        files["roster.csv"] = "rep,name,plan,start\nR1,Ana,AE-STD,2026-01-01\nR9,\"Nine,AE-STD,2026-01-01\nR2,Ben,AE-STD,2026-01-01\nR3,\"Cy, Jr\",AE-STD,2026-01-01\n"
        let (load, messages) = try DataDirectory(files).load()
        #expect(messages == [
            "transactions.csv:2:5: text after a closing quote; a quoted field must end at a comma or line end",
            "transactions.csv:6:1: a quoted field opened on this line runs on over 3 lines, and the row then has 4 fields, not the header's 5: "
                + "close the quote on this line (a quote inside a quoted field is written \"\"); the lines after it are read as rows of their own",
            "transactions.csv:8:5: a quote (\") inside an unquoted field; quote the whole field and double inner quotes (\"\")",
            "transactions.csv:9:4: amount \"80\\nT9,2027-01-13,R1,90,USD\\nT10,2027-01-14,R1,100\" is not a plain decimal (like 1234.56 or -80)",
            "transactions.csv:9:4: warning: amount is a quoted text holding 1 line shaped like records; if a closing quote is missing, those rows were read as this text",
            "roster.csv:3:2: text after a closing quote; a quoted field must end at a comma or line end",
        ])
        #expect((0..<load.data.transactions.count).map { load.data.transactions.ids[$0] } == ["T2", "T3", "T4", "T6"])
        // R9's row is rejected; its id, before the quote, was read whole: R9 is known.
        #expect(load.data.roster.repIDs.sorted() == ["R1", "R2", "R3", "R9"])
        #expect(load.data.roster.rows.map { load.data.roster.repIDs[Int($0.rep)] } == ["R1", "R2", "R3"])
        for file in load.reconciliation.files where file.present {
            #expect(file.rowsRead == file.accepted + file.rejected)
        }
        #expect(load.reconciliation.files.first { $0.file.hasSuffix("transactions.csv") }.map { ($0.rowsRead, $0.rejected) } ?? (0, 0) == (8, 4))
    }

    /// A quote left open and closed rows later is valid CSV: the rows between are the field's
    /// text. A warning says so when they look like records.
    @Test func rowsInsideAQuotedFieldAreWarnedAbout() throws {
        var text = header + "T1,2027-01-05,R1,1,USD,\"Acme 5in\n"
        for index in 2...4 { text += "T\(index),2027-01-05,R1,1,USD,P,new,1,NA,\n" }
        text += "Bolt 3in\",new,1,NA,\nT9,2027-01-06,R1,1,USD,\"two\nlines, of text\",new,1,NA,\n"
        var files = Minimal.ledgerOnly(text)
        files["splits.csv"] = nil
        let (load, messages) = try DataDirectory(files).load()
        #expect(messages == [
            "transactions.csv:2:6: warning: product is a quoted text holding 3 lines shaped like records; "
                + "if a closing quote is missing, those rows were read as this text"
        ])
        #expect(load.errorCount == 0)
        #expect(load.data.transactions.count == 2)
        // The row whose inch mark closed the quote is one too: its line holds the end of the text
        // and the rest of that row (T2's 5,000 had been taken into T1's product without a word).
        var inch = Minimal.ledgerOnly(
            header + "T1,2027-01-05,R1,1000,USD,\"Deluxe stand,new,1,NA,\nT2,2027-01-06,R1,5000,USD,Monitor 27\",new,1,NA,\n"
                + "T3,2027-01-07,R1,100,USD,Cable,new,1,NA,\n")
        inch["splits.csv"] = nil
        let swallowed = try DataDirectory(inch).load()
        #expect(swallowed.1 == [
            "transactions.csv:2:6: warning: product is a quoted text holding 1 line shaped like records; "
                + "if a closing quote is missing, those rows were read as this text"
        ])
        #expect(swallowed.0.data.transactions.count == 2)
        // Text over lines in the first column ends with its quote before any comma: no warning.
        var first = Minimal.ledgerOnly(
            "product,id,date,rep,amount,currency,kind,quantity,region,reverses\n\"Two\nlines\",T1,2027-01-05,R1,1,USD,new,1,NA,\n")
        first["splits.csv"] = nil
        #expect(try DataDirectory(first).load().1 == [])
        // The small files are read the same way: a roster name left open took two reps' rows.
        var roster = Minimal.files
        roster["splits.csv"] = nil
        roster["roster.csv"] = "rep,name,plan,start\nR1,\"Ana,AE-STD,2026-01-01\nR2,Ben,AE-STD,2026-01-01\nR3,Cy\",AE-STD,2026-01-01\n"
        let rosterLoad = try DataDirectory(roster).load()
        #expect(rosterLoad.1.contains(
            "roster.csv:2:2: warning: name is a quoted text holding 2 lines shaped like records; "
                + "if a closing quote is missing, those rows were read as this text"))
        // Valid text over lines, its last line holding commas: no warning, and a row rejected for
        // a later field is not cut at its first line (its second had been read as a row).
        var valid = Minimal.ledgerOnly(
            "id,description,date,rep,amount,currency\nT1,\"Widget\nblue, large\",2027-01-05,R1,100,XXX\nT2,\"A\nb, c, d\",2027-01-05,R1,1,USD\n")
        valid["splits.csv"] = nil
        let validLoad = try DataDirectory(valid).load()
        #expect(validLoad.1 == [
            "transactions.csv:2:6: currency \"XXX\" is not an ISO 4217 currency (e.g. USD, EUR, JPY; codes of metals, funds and tests, "
                + "such as XAU or XTS, are not)"
        ])
        #expect(validLoad.0.reconciliation.files.first { $0.file.hasSuffix("transactions.csv") }.map { ($0.rowsRead, $0.rejected) } ?? (0, 0) == (2, 1))
        // A line with more commas than a record has could not have been one: no warning.
        var prose = Minimal.ledgerOnly(header + "T1,2027-01-05,R1,1,USD,\"a\nb,c,d,e,f,g,h,i,j,k,l,m\",new,1,NA,\n")
        prose["splits.csv"] = nil
        #expect(try DataDirectory(prose).load().1 == [])
    }

    /// A rep id written with a decomposed accent where the roster composes it is not on the
    /// roster, and the message names the roster's spelling (it had looked like the same id).
    @Test func aRepThatReadsLikeARosterRepNamesIt() throws {
        var files = Minimal.files
        files["splits.csv"] = nil
        files["roster.csv"] = "rep,name,plan,start\nR1,A,AE-STD,2026-01-01\nR2,B,AE-STD,2026-01-01\nJos\u{E9},C,AE-STD,2026-01-01\n"
        files["quotas.csv"] = "rep,period,amount\nR1,2027-01,100\nJose\u{301},2027-01,100\n"
        let (_, messages) = try DataDirectory(files).load()
        #expect(messages == [
            "quotas.csv:3:1: rep \"Jose\u{301}\" is not on the roster; the roster's \"Jos\u{E9}\" reads the same but is written with other "
                + "Unicode characters (such as an accent composed in one and added in the other): write the id the same way in every file"
        ])
    }

    /// Ids in fullwidth letters (U+FF00 block, led by the byte 0xEF like U+FEFF) are ids; one with
    /// a zero-width no-break space or a C1 control among them is not.
    @Test func fullwidthIdsAreIds() throws {
        var files = Minimal.ledgerOnly(
            header + "\u{FF34}\u{FF38}\u{FF10}\u{FF11},2027-01-05,R1,1,USD,P,new,1,NA,\n\u{FF34}\u{FEFF}\u{FF12},2027-01-05,R1,1,USD,P,new,1,NA,\n"
                + "\u{FF34}\u{85}\u{FF13},2027-01-05,R1,1,USD,P,new,1,NA,\n")
        files["splits.csv"] = nil
        let (load, messages) = try DataDirectory(files).load()
        #expect(messages == [
            "transactions.csv:3:1: id holds an invisible character (U+FEFF), which prints as nothing: it reads the same as the id without "
                + "it but is another id; ids must be printable: delete it",
            "transactions.csv:4:1: id holds a control character (a NUL, tab, line break, escape or bidirectional control); ids must be printable",
        ])
        #expect(load.data.transactions.count == 1)
        #expect(load.data.transactions.ids[0] == "\u{FF34}\u{FF38}\u{FF10}\u{FF11}")
    }

    /// Row shapes said for what they are: a trailing comma on the header only leaves its unnamed
    /// column empty in every row (each row had been a field too few); a row separated by `;`, a
    /// row of commas, a carriage return inside quotes (text, not a line end).
    @Test func rowShapesAreSaidForWhatTheyAre() throws {
        var files = Minimal.ledgerOnly(
            "id,date,rep,amount,currency,product,kind,quantity,region,reverses,\nT1,2027-01-05,R1,1,USD,P,new,1,NA,\n"
                + "T2;2027-01-05;R1;1;USD;P;new;1;NA;\n,,,,,,,,,,,\nT3,2027-01-05,R1,1,USD,\"GADGET\rS\",new,1\n")
        files["splits.csv"] = nil
        let (load, messages) = try DataDirectory(files).load()
        #expect(messages == [
            "transactions.csv:1:11: warning: column 11 has no name in the header, so its values are not read; name it, or remove it",
            "transactions.csv:3:2: the row has 1 field; the header has 11: the row looks separated by ';', not commas; save the file "
                + "comma-separated (CSV)",
            "transactions.csv:4:12: the row has 12 fields; the header has 11: the row is empty but for its commas; remove it",
            "transactions.csv:5:9: the row has 8 fields; the header has 11: \"region\", \"reverses\" and column 11 (no name) have no field "
                + "(a comma too few, or a line cut short)",
        ])
        #expect((0..<load.data.transactions.count).map { load.data.transactions.ids[$0] } == ["T1"])
    }

    /// Lines that end with a carriage return alone (a file saved so after some point) are one
    /// row to CSV: the row's error says why, and how many lines it took.
    @Test func aRowOverLoneCarriageReturnsSaysWhy() throws {
        var files = Minimal.ledgerOnly(
            header + "T1,2027-01-05,R1,1,USD,P,new,1,NA,\rT2,2027-01-06,R1,2,USD,P,new,1,NA,\rT3,2027-01-07,R1,3,USD,P,new,1,NA,\n"
                + "T4,2027-01-08,R1,4,USD,P,new,1,NA,\n")
        files["splits.csv"] = nil
        files["quotas.csv"] = "rep,period,amount\nR1,2027-01,100\rR2,2027-01,100\nR2,2027-02\r"
        let (load, messages) = try DataDirectory(files).load()
        let why = { (lines: Int) in
            "; the row holds \(lines - 1) carriage return\(lines == 2 ? "" : "s") not followed by a line feed, a line end of old Mac files "
                + "but not of CSV: its \(lines) lines were read as this one row (save the file with LF or CRLF line ends)"
        }
        #expect(messages == [
            "transactions.csv:2:1: the row has 28 fields; the header has 10" + why(3),
            "quotas.csv:2:1: the row has 5 fields; the header has 3" + why(2),
            // A carriage return ending the file ends its line: no more is said.
            "quotas.csv:3:3: the row has 2 fields; the header has 3: \"amount\" has no field (a comma too few, or a line cut short)",
        ])
        #expect(load.data.transactions.count == 1)
    }

    /// A and B swap places in July: A reports to B until June, B to A from July. On no date do
    /// the managers form a cycle, so every row is kept (joining all rows whatever their dates had
    /// refused B's July row). C and D do form one from July, when D's row under C starts: that row
    /// is the one rejected; E → F → G → E holds from the start and is refused as before.
    @Test func managerCyclesAreJudgedDateByDate() throws {
        var files = Minimal.files
        files["roster.csv"] = "rep,name,manager,plan,start,end\n"
            + "A,Ana,B,AE-STD,2026-01-01,2027-06-30\nA,Ana,,AE-STD,2027-07-01,\nB,Ben,,AE-STD,2026-01-01,2027-06-30\nB,Ben,A,AE-STD,2027-07-01,\n"
            + "C,Cy,D,AE-STD,2026-01-01,\nD,Dee,,AE-STD,2026-01-01,2027-06-30\nD,Dee,C,AE-STD,2027-07-01,\n"
            + "E,Eve,F,AE-STD,2026-01-01,\nF,Fay,G,AE-STD,2026-01-01,\nG,Gus,E,AE-STD,2026-01-01,\n"
            + "R1,Ray,,AE-STD,2026-01-01,\nR2,Rob,,AE-STD,2026-01-01,\n"
        files["splits.csv"] = nil
        let (load, messages) = try DataDirectory(files).load()
        #expect(messages == [
            "roster.csv:8:3: managers form a cycle: C → D → C",
            "roster.csv:11:3: managers form a cycle: E → F → G → E",
        ])
        #expect(load.data.roster.rows.count == 10)
        #expect(load.reconciliation.files.first { $0.file.hasSuffix("roster.csv") }.map { ($0.rowsRead, $0.rejected) } ?? (0, 0) == (12, 2))
    }

    /// Files joined with `cat` leave the second one's byte order mark at the start of a row: the
    /// row is rejected, saying so (the ledger's had been accepted with an id of "\u{FEFF}T2", which
    /// no reversal could name; the roster's rep was unknown to the ledger, invisibly).
    @Test func aByteOrderMarkStartingARowIsRejected() throws {
        var files = Minimal.ledgerOnly(
            header + "T1,2027-01-05,R1,1,USD,P,new,1,NA,\n\u{FEFF}T2,2027-01-06,R1,2,USD,P,new,1,NA,\n\u{FEFF},2027-01-07,R1,3,USD,P,new,1,NA,\n")
        files["splits.csv"] = nil
        files["roster.csv"] = "rep,name,plan,start\nR1,Ana,AE-STD,2026-01-01\n\u{FEFF}R2,Ben,AE-STD,2026-01-01\n"
        let (load, messages) = try DataDirectory(files).load()
        let text = "the row starts with a byte order mark (U+FEFF), as files joined one after the other leave it; remove it"
        #expect(messages == [
            "transactions.csv:3:1: " + text, "transactions.csv:4:1: " + text, "transactions.csv:4:1: id is empty; it is required",
            "roster.csv:3:1: " + text, "quotas.csv:4:1: rep \"R2\" is not on the roster",
        ])
        #expect(load.data.transactions.count == 1)
        #expect(load.data.roster.repIDs == ["R1"])
        #expect(load.reconciliation.files.filter(\.present).map { [$0.rowsRead, $0.accepted, $0.rejected] }.prefix(2) == [[3, 1, 2], [2, 1, 1]])
        // The rejected row's amount is read and counted with its currency.
        #expect(load.reconciliation.rejectedWithoutCurrency == 0)
        #expect(load.reconciliation.currencyTotals.map { "\($0.currency.code) \($0.rejectedRows) \($0.rejectedAmount.formatted(fractionDigits: 2))" } == ["USD 2 5.00"])
    }

    /// A ring of 1,005 reps, each managed by the next, is one cycle, refused at one row whatever
    /// the order of the rows in the file (a walk cut short at 1,000 levels had let it through, and
    /// a depth limit then rejected rows by the hundred depending on their order). A chain 1,200
    /// levels deep without a loop is no cycle (roll-ups refuse more than 256 levels when a plan
    /// follows it).
    @Test func aLongManagerRingIsOneCycleInAnyOrder() throws {
        var lines: [String] = []
        for index in 0..<1005 { lines.append("X\(index),Rep,X\((index + 1) % 1005),AE-STD,2026-01-01\n") }
        for reversed in [false, true] {
            var files = Minimal.files
            files["roster.csv"] = "rep,name,manager,plan,start\n" + (reversed ? lines.reversed() : lines).joined()
                + "R1,Ana,,AE-STD,2026-01-01\nR2,Ben,,AE-STD,2026-01-01\n"
            files["splits.csv"] = nil
            let (load, messages) = try DataDirectory(files).load()
            #expect(messages.count == 1, "\(reversed)")
            // Said from the first rep in roster order.
            let first = reversed ? "X1004 → X0 → X1" : "X0 → X1 → X2"
            #expect(messages.first?.contains(": managers form a cycle: " + first) ?? false, "\(reversed)")
            // Said by its first 20 reps and its length.
            #expect(messages.first?.hasSuffix(" → … (1005 reps in all) → " + first.prefix(while: { $0 != " " })) ?? false, "\(messages)")
            #expect(load.data.roster.rows.count == 1006)
        }
        var chain = "rep,name,manager,plan,start\nX0,Top,,AE-STD,2026-01-01\n"
        for index in 1..<1200 { chain += "X\(index),Rep,X\(index - 1),AE-STD,2026-01-01\n" }
        var files = Minimal.files
        files["roster.csv"] = chain + "R1,Ana,,AE-STD,2026-01-01\nR2,Ben,,AE-STD,2026-01-01\n"
        files["splits.csv"] = nil
        #expect(try DataDirectory(files).load().1 == [])
    }

    /// A hostile roster: 2,000 reps in a ring whose rows start on 2,000 different days, each
    /// day's chain running down the reps before it (2 million steps to follow them all; the
    /// budget is set to 100,000 here, 20 million in a run, where 10,000 such reps take 0.6 s to
    /// refuse). The check stops at its budget and refuses the roster, saying why.
    @Test func aRosterTooLongToCheckForCyclesIsRefused() throws {
        var roster = "rep,name,manager,plan,start\n"
        let start = try #require(CivilDate(year: 2000, month: 1, day: 1))
        for index in 0..<2_000 {
            roster += "X\(index),Rep,X\((index + 1_999) % 2_000),AE-STD,\(start.adding(days: index))\n"
        }
        var files = Minimal.files
        files["roster.csv"] = roster + "R1,Ana,,AE-STD,2026-01-01\nR2,Ben,,AE-STD,2026-01-01\n"
        files["splits.csv"] = nil
        var options = LedgerLoadOptions(threads: 2)
        options.managerChainSteps = 100_000
        let (_, messages) = try DataDirectory(files).load(options)
        #expect(messages == [
            "roster.csv:1:3: the manager chains are too long to check for cycles (more than 100000 steps over the roster's dates): "
                + "check the manager column"
        ])
        // Refused as a whole: a cycle found before the budget ran out is not said (which ones were
        // found depended on the order of the rows).
        var withPair = files
        withPair["roster.csv"] = roster + "A,Al,B,AE-STD,1999-01-01\nB,Bo,A,AE-STD,1999-01-01\nR1,Ana,,AE-STD,2026-01-01\nR2,Ben,,AE-STD,2026-01-01\n"
        #expect(try DataDirectory(withPair).load(options).1 == messages)
        // With room enough, the same ring is one cycle, closed on its last day by X1999's row.
        options.managerChainSteps = 20_000_000
        let (_, whole) = try DataDirectory(files).load(options)
        #expect(whole.count == 1 && whole[0].hasPrefix("roster.csv:2001:3: managers form a cycle: X0 → X1999 → X1998 → "), "\(whole)")
    }

    /// A rejected row keeps its quoted text whole, as RFC 4180 reads it: the record-shaped line
    /// inside had been read as a row of its own and credited (3 rows read for a file of 1), and
    /// the text's last line rejected as another. A warning says what the text holds.
    @Test func aRowRejectedBeforeItsTextKeepsTheText() throws {
        var files = Minimal.ledgerOnly(header + "T1,2027-05-21,R1,12O.00,USD,\"Bundle of:\nX9,2027-05-21,R1,100,USD,P,new,1,,\nend of list\",new,1,,\n")
        files["splits.csv"] = nil
        let (load, messages) = try DataDirectory(files).load()
        #expect(messages == [
            "transactions.csv:2:4: amount \"12O.00\" is not a plain decimal (like 1234.56 or -80)",
            "transactions.csv:2:6: warning: product is a quoted text holding 1 line shaped like records; if a closing quote is missing, those rows were read as this text",
        ])
        #expect(load.data.transactions.count == 0)
        #expect(load.reconciliation.files.first { $0.file.hasSuffix("transactions.csv") }.map { ($0.rowsRead, $0.rejected) } ?? (0, 0) == (1, 1))
    }

    @Test func invalidUTF8IsRejected() throws {
        var roster = Array("rep,name,plan,start\nR1,A,AE-STD,2026-01-01\nR2,B".utf8)
        roster += [0xFF, 0xFE]
        roster += Array(",AE-STD,2026-01-01\n".utf8)
        var files = Minimal.files.mapValues { Array($0.utf8) }
        files["roster.csv"] = roster
        let directory = try DataDirectory(bytes: files)
        let (_, messages) = directory.load()
        #expect(messages.first == "roster.csv:3:2: name is not valid UTF-8; save the file as UTF-8")
    }

    @Test func missingDirectoryNamesEveryRequiredFile() {
        let load = LedgerLoader.load(directory: "/nonexistent/comp-data")
        let messages = load.diagnostics.map(\.description)
        #expect(messages.count == 3)
        #expect(messages[0].hasPrefix("/nonexistent/comp-data/transactions.csv: file not found"))
        #expect(messages[1].hasPrefix("/nonexistent/comp-data/roster.csv: file not found"))
        #expect(messages[2].hasPrefix("/nonexistent/comp-data/quotas.csv: file not found"))
    }

    @Test func listsEveryErrorAndCountsRejectedAmounts() throws {
        var text = header
        for index in 1...250 { text += "T\(index),2027-01-05,R1,x\(index),USD,P,new,1,NA,\n" }
        text += "T999,2027-01-05,R1,5.5,USD,P,new,1,NA,\n"
        let files = Minimal.ledgerOnly(text)
        let directory = try DataDirectory(files)
        let (load, messages) = directory.load()
        #expect(load.errorCount == 250)
        #expect(messages.count == 250)
        #expect(messages[249] == "transactions.csv:251:4: amount \"x250\" is not a plain decimal (like 1234.56 or -80)")
        let file = load.reconciliation.files[0]
        #expect((file.rowsRead, file.accepted, file.rejected) == (251, 1, 250))
        #expect(load.reconciliation.rejectedWithoutCurrency == 250)
    }

    @Test func crlfBomAndBlankLines() throws {
        let text = "\u{FEFF}" + header.replacingOccurrences(of: "\n", with: "\r\n")
            + "T1,2027-01-05,R1,1,USD,P,new,1,NA,\r\n\r\nT2,2027-01-06,R1,2,USD,\"P\r\nQ\",new,1,NA,\r\n"
        let directory = try DataDirectory(Minimal.with("transactions.csv", text))
        let (load, messages) = directory.load()
        #expect(messages == [])
        #expect(load.data.transactions.count == 2)
        #expect(load.data.transactions.attribute("product")?[1] == "P\r\nQ")
        #expect(load.data.transactions.attribute("region")?[1] == "NA")
        #expect(load.data.transactions.line(of: 1) == 4)
    }

    @Test func randomBytesNeverCrash() throws {
        var generator = SplitMix(seed: 42)
        for round in 0..<40 {
            var bytes = Array(header.utf8)
            let length = Int(generator.next() % 4000)
            let alphabet = Array("T1,2027-01-05R\"\n\r.-9EURSD \u{00}".utf8) + [0xFF, 0xC3]
            for _ in 0..<length {
                bytes.append(round % 2 == 0 ? alphabet[Int(generator.next() % UInt64(alphabet.count))] : UInt8(truncatingIfNeeded: generator.next()))
            }
            var files = Minimal.files.mapValues { Array($0.utf8) }
            files["transactions.csv"] = bytes
            let directory = try DataDirectory(bytes: files)
            let (load, _) = directory.load()
            for file in load.reconciliation.files { #expect(file.rowsRead == file.accepted + file.rejected) }
        }
    }
}

/// A tiny deterministic generator for randomized tests.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Data files must be regular files: a device such as /dev/zero never ends, and a pipe with no
/// writer never answers. Either is refused at once, first among the diagnostics.
@Suite struct NotRegularFiles {
    @Test func aDeviceAPipeAndADirectoryAreRefused() throws {
        let directory = try DataDirectory(Minimal.files)
        let transactions = directory.path + "/transactions.csv"
        try FileManager.default.removeItem(atPath: transactions)
        try FileManager.default.createSymbolicLink(atPath: transactions, withDestinationPath: "/dev/zero")
        let refusal = "cannot read the file: not a regular file (a directory, device or pipe); give a file"
        var (load, lines) = directory.load()
        #expect(lines.first == "transactions.csv: \(refusal)")
        // splits.csv names transactions that were never read: those are the other errors.
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("splits.csv:") }, "\(lines)")

        try FileManager.default.removeItem(atPath: transactions)
        #expect(mkfifo(transactions, 0o600) == 0)
        (load, lines) = directory.load()
        #expect(lines.first == "transactions.csv: \(refusal)")

        // An unreadable fx.csv is the one error (its rows in EUR do not each say they lack a rate).
        try FileManager.default.removeItem(atPath: transactions)
        try Data(Minimal.transactions.utf8).write(to: URL(fileURLWithPath: transactions))
        try FileManager.default.removeItem(atPath: directory.path + "/fx.csv")
        try FileManager.default.createDirectory(atPath: directory.path + "/fx.csv", withIntermediateDirectories: false)
        (load, lines) = directory.load()
        #expect(lines == ["fx.csv: \(refusal)"])
        #expect(load.errorCount == 1)
    }
}

/// Millions of bad rows keep only the first problems in memory (all are counted), and a long
/// chain of reversals whose first deal is rejected is rejected down to its end.
@Suite struct ManyProblems {
    /// 3,000 rows with one field each, cut into many chunks; 5 are kept: lines 2–6, the first.
    @Test func onlyTheFirstProblemsAreKeptAndAllAreCounted() throws {
        var text = header
        for _ in 0..<3_000 { text += "x\n" }
        let directory = try DataDirectory(Minimal.ledgerOnly(text))
        let (load, lines) = directory.load(LedgerLoadOptions(threads: 2, storedDiagnosticLimit: 5, chunkBytes: 1))
        #expect(load.errorCount == 3_000)
        #expect(lines == (2...6).map {
            "transactions.csv:\($0):2: the row has 1 field; the header has 10: \"date\", \"rep\", \"amount\", \"currency\", \"product\" and 4 more "
                + "have no field (a comma too few, or a line cut short)"
        })
    }

    /// Once the first problems kept are each a row's own, rows refused for their shape later are
    /// only counted, their messages never built: the counts, and the problems listed, are those
    /// kept with room for all (junk lines, a quote that never closes, a bad amount and a warning
    /// among them, on one thread and on several).
    @Test(arguments: [1, 3])
    func rowsPastTheProblemsKeptAreCountedAlike(threads: Int) throws {
        var text = header
        // Enough rows that a chunk refuses more than it keeps and cuts back (past 4,096 more).
        for index in 0..<20_000 {
            switch index % 500 {
            case 7: text += "T\(index),2027-01-05,R1,1e3,USD,P,new,1,NA,\n"  // a bad amount
            case 8: text += "T\(index),2027-01-05,R1,10,USD,\"P\nnew,1,NA,\n"  // a quote across lines
            case 9: text += "T\(index),2027-01-05,R1,10,USD,P,new,1,NA,\n"  // accepted
            default: text += index % 3 == 0 ? "x\n" : "a,\"b\"c,d\n"  // too few fields; a stray quote
            }
        }
        text += "T9999,2027-01-05,R1,10,USD,\"P\n"  // a quote never closed, at the end
        let directory = try DataDirectory(Minimal.ledgerOnly(text))
        let (all, _) = directory.load(LedgerLoadOptions(threads: threads, storedDiagnosticLimit: 1_000_000, chunkBytes: 4096))
        for limit in [1, 5, 40] {
            let (few, lines) = directory.load(LedgerLoadOptions(threads: threads, storedDiagnosticLimit: limit, chunkBytes: 4096))
            #expect(few.errorCount == all.errorCount)
            #expect(few.warningCount == all.warningCount)
            #expect(few.reconciliation == all.reconciliation)
            #expect(lines.count == limit)
            #expect(few.listed(limit: limit).map(\.description) == all.listed(limit: limit).map(\.description), "limit \(limit)")
        }
        #expect(all.errorCount > 19_000)
        #expect(all.data.transactions.count == 40)
    }

    /// A row's field-count message is made once per shape of row and used again for the rows of
    /// the same shape: rows of other shapes in between (fields too few, too many, separated by
    /// semicolons, commas only) each get their own, on one thread and in many chunks alike.
    @Test(arguments: [1, 3])
    func fieldCountMessagesFollowEachRowsShape(threads: Int) throws {
        let shapes = ["x", "a,b", "a;b;c;d;e;f;g;h;i;j", ",,,", "1,2,3,4,5,6,7,8,9,10,11"]
        var text = header
        for index in 0..<2_000 { text += shapes[index % 7 % shapes.count] + "\n" }
        let directory = try DataDirectory(Minimal.ledgerOnly(text))
        let (load, lines) = directory.load(LedgerLoadOptions(threads: threads, storedDiagnosticLimit: 2_000, chunkBytes: 4096))
        let few = "; the header has 10: "
        let expected = [
            "the row has 1 field\(few)\"date\", \"rep\", \"amount\", \"currency\", \"product\" and 4 more have no field (a comma too few, or a line cut short)",
            "the row has 2 fields\(few)\"rep\", \"amount\", \"currency\", \"product\", \"kind\" and 3 more have no field (a comma too few, or a line cut short)",
            "the row has 1 field\(few)the row looks separated by ';', not commas; save the file comma-separated (CSV)",
            "the row has 4 fields\(few)the row is empty but for its commas; remove it",
            "the row has 11 fields; the header has 10, the last \"reverses\": a value holding a comma must be quoted (\"1,000\"), or a comma is too many",
        ]
        #expect(load.errorCount == 2_000)
        #expect(lines.count == 2_000)
        for (index, line) in lines.enumerated() {
            let message = expected[index % 7 % shapes.count]
            #expect(line.hasPrefix("transactions.csv:\(index + 2):") && line.hasSuffix(message), "\(line)")
        }
    }

    /// A rejected fx row leaves 3,000 EUR rows of its month without a rate, and a split row
    /// rejected last leaves its deal's three other rows unused: the causes are kept and listed
    /// first, whatever the limit, then the rows they refused (the causes had come after them).
    @Test func theRowToCorrectIsListedBeforeTheRowsItRefused() throws {
        var ledger = header
        for number in 1...3_000 { ledger += "T\(number),2027-01-05,R1,10,EUR,P,new,1,NA,\n" }
        ledger += "S1,2027-01-05,R1,10,USD,P,new,1,NA,\n"
        let splits = "txn,rep,share\nS1,R1,0.25\nS1,R2,0.25\nS1,M1,0.25\nS1,R404,0.25\n"
        var files = Minimal.ledgerOnly(ledger)
        files["fx.csv"] = "currency,period,rate\nEUR,2027-01,-1\n"
        files["splits.csv"] = splits
        let directory = try DataDirectory(files)
        let (load, lines) = directory.load(LedgerLoadOptions(threads: 2, storedDiagnosticLimit: 3, chunkBytes: 4096))
        #expect(load.errorCount == 3_000 + 3 + 1 + 1)
        #expect(lines == [
            "splits.csv:5:2: rep \"R404\" is not on the roster",
            "fx.csv:2:3: rate \"-1\" must be greater than zero",
            "transactions.csv:2:5: no fx rate for EUR in 2027-01: its row in fx.csv (line 2) was rejected; correct that row",
        ])
        #expect(load.listed(limit: 2).map(\.id.rawValue) == ["data.unknownRep", "data.nonPositiveValue"])
    }

    /// An fx row rejected with its currency or month written loosely (`eur`, ` 2027-02`) is still
    /// the row its transactions name; one whose currency and month cannot be read at all (a rate
    /// written `1,08`, a field too many) is named as a rejected row that may hold the rate. Either
    /// way the fx rows are listed first, the transactions they refused after them (the ledger's
    /// errors had said "add a row" that was there, and pushed the fx.csv errors out of the list).
    @Test func aLooselyWrittenFxRowIsTheRowItsTransactionsName() throws {
        var ledger = header
        // Months 2, 3, 1, 2, 3, …; in March every other row is in GBP.
        for number in 1...150 { ledger += "T\(number),2027-0\(number % 3 + 1)-05,R1,10,\(number % 3 == 2 && number % 2 == 1 ? "GBP" : "EUR"),P,new,1,NA,\n" }
        var files = Minimal.ledgerOnly(ledger)
        files["fx.csv"] = "currency,period,rate\neur,2027-01,1.08\nEUR, 2027-02,1.07\nEUR,2027-03,1.09\nGBP,2027-03,1,27\n"
        let directory = try DataDirectory(files)
        let (load, lines) = directory.load(LedgerLoadOptions(threads: 2, storedDiagnosticLimit: 7))
        #expect(load.errorCount == 3 + 100 + 25)
        #expect(lines == [
            "fx.csv:2:1: currency \"eur\" is not an ISO 4217 code; write it in upper case: EUR",
            "fx.csv:3:2: period \" 2027-02\" is not a month; write YYYY-MM; remove the spaces around it",
            "fx.csv:5:4: the row has 4 fields; the header has 3, the last \"rate\": a value holding a comma must be quoted (\"1,000\"), or a comma is too many",
            "transactions.csv:2:5: no fx rate for EUR in 2027-02: its row in fx.csv (line 3) was rejected; correct that row",
            "transactions.csv:4:5: no fx rate for EUR in 2027-01: its row in fx.csv (line 2) was rejected; correct that row",
            "transactions.csv:5:5: no fx rate for EUR in 2027-02: its row in fx.csv (line 3) was rejected; correct that row",
            "transactions.csv:6:5: no fx rate for GBP in 2027-03: a rejected row of fx.csv (line 5) may be it; correct that row, "
                + "or add a row \"GBP,2027-03,<USD per GBP>\" to fx.csv",
        ])
        #expect(load.data.transactions.count == 25)
        // A row whose currency can be read but not its month is named for that currency only; a
        // repeated header is no rate's row.
        var yen = Minimal.ledgerOnly(header + "T1,2027-01-05,R1,10,JPY,P,new,1,NA,\nT2,2027-01-05,R1,10,CHF,P,new,1,NA,\n")
        yen["fx.csv"] = "currency,period,rate\nJPY,2027-13,0.0067\ncurrency,period,rate\n"
        let (_, yenLines) = try DataDirectory(yen).load()
        #expect(yenLines == [
            "transactions.csv:3:5: no fx rate for CHF in 2027-01; add a row \"CHF,2027-01,<USD per CHF>\" to fx.csv",
            "fx.csv:2:2: period \"2027-13\" is not a month; write YYYY-MM",
            "fx.csv:3:1: the row repeats the header, as files joined one after the other leave it; remove it",
            "transactions.csv:2:5: no fx rate for JPY in 2027-01: a rejected row of fx.csv for JPY (line 2) may be it; correct that row, "
                + "or add a row \"JPY,2027-01,<USD per JPY>\" to fx.csv",
        ])
    }

    /// With a fiscal year starting in February (named by the year it ends in), 9999-11-05 is in
    /// fiscal 10000, which no period label names: the row is rejected saying so, while 9999-01-31
    /// (fiscal 9999) and every date of a calendar-year ledger are read.
    @Test func aDateInAFiscalYearPast9999IsRejectedForIt() throws {
        let ledger = header + "T1,9999-01-31,R1,10,USD,P,new,1,NA,\nT2,9999-11-05,R1,10,USD,P,new,1,NA,\nT3,9999-11-05,R1,10,USD,P,new,1,NA,\n"
        let directory = try DataDirectory(Minimal.ledgerOnly(ledger))
        var options = LedgerLoadOptions(threads: 1)
        options.fiscalCalendar = try #require(FiscalCalendar(startMonth: 2))
        let (load, lines) = directory.load(options)
        #expect(load.data.transactions.count == 1)
        let message = "is in fiscal year 10000, which periods cannot name (fiscal years run from 0 to 9999 here); "
            + "correct the date, or start the fiscal year in January"
        #expect(lines == ["transactions.csv:3:2: date \"9999-11-05\" \(message)", "transactions.csv:4:2: date \"9999-11-05\" \(message)"])
        let (calendarYear, calendarLines) = directory.load(LedgerLoadOptions(threads: 1))
        #expect(calendarYear.data.transactions.count == 3)
        #expect(calendarLines.isEmpty)
    }

    /// A split row naming a transaction rejected for its fx row follows from that error; one
    /// naming an id found nowhere (a typo) is an error of its own, listed with the causes.
    @Test func aSplitRowOfARejectedTransactionFollowsAndATypoDoesNot() throws {
        var files = Minimal.with("fx.csv", "currency,period,rate\nEUR,2027-01,0\n")
        files["splits.csv"] = "txn,rep,share\nT2,R1,0.5\nT2,R2,0.5\nTYPO,R1,1\n"
        let directory = try DataDirectory(files)
        let (_, lines) = directory.load()
        #expect(lines == [
            "splits.csv:4:1: transaction \"TYPO\" is not an accepted transaction in transactions.csv",
            "fx.csv:2:3: rate \"0\" must be greater than zero",
            "transactions.csv:3:5: no fx rate for EUR in 2027-01: its row in fx.csv (line 2) was rejected; correct that row",
            "splits.csv:2:1: transaction \"T2\" is not an accepted transaction in transactions.csv",
            "splits.csv:3:1: transaction \"T2\" is not an accepted transaction in transactions.csv",
        ])
    }

    /// T1 and T2 reverse each other; T3 → T4 → T5 → T3 is a cycle of three; T7 reverses T6, an
    /// ordinary deal. The five rows on cycles are rejected, each naming its target; T6 and T7 stay.
    @Test func reversalCyclesAreRejected() throws {
        var text = header
        for (id, target) in [(1, 2), (2, 1), (3, 4), (4, 5), (5, 3), (6, 0), (7, 6)] {
            text += "T\(id),2027-01-05,R1,\(target == 0 ? "10,USD,P,new,1" : "-10,USD,P,new,-1"),NA,\(target == 0 ? "" : "T\(target)")\n"
        }
        let directory = try DataDirectory(Minimal.ledgerOnly(text))
        let (load, lines) = directory.load()
        let cycle = "which leads back to this transaction through"
        #expect(
            lines == [
                "transactions.csv:2:10: reverses \"T2\", \(cycle) 2 reversals (a cycle); a reversal cancels an earlier deal",
                "transactions.csv:3:10: reverses \"T1\", \(cycle) 2 reversals (a cycle); a reversal cancels an earlier deal",
                "transactions.csv:4:10: reverses \"T4\", \(cycle) 3 reversals (a cycle); a reversal cancels an earlier deal",
                "transactions.csv:5:10: reverses \"T5\", \(cycle) 3 reversals (a cycle); a reversal cancels an earlier deal",
                "transactions.csv:6:10: reverses \"T3\", \(cycle) 3 reversals (a cycle); a reversal cancels an earlier deal",
            ])
        #expect(load.data.transactions.count == 2)
    }

    /// Problems found across rows are kept first by line, though they are found by kind: T9 on
    /// line 3 reverses an unknown id, and T1 on lines 5–7 repeats line 2's id (ids unsorted).
    @Test func problemsAcrossRowsAreKeptInLineOrder() throws {
        var text = header
        text += "T1,2027-01-05,R1,10,USD,P,new,1,NA,\n"
        text += "T9,2027-01-05,R1,-10,USD,P,new,1,NA,T404\n"
        text += "T5,2027-01-05,R1,10,USD,P,new,1,NA,\n"
        for _ in 0..<3 { text += "T1,2027-01-05,R1,10,USD,P,new,1,NA,\n" }
        let directory = try DataDirectory(Minimal.ledgerOnly(text))
        var (load, lines) = directory.load(LedgerLoadOptions(threads: 2, storedDiagnosticLimit: 1))
        #expect(load.errorCount == 4)
        #expect(lines == ["transactions.csv:3:10: reverses \"T404\", which is not an accepted transaction in this ledger"])
        (load, lines) = directory.load(LedgerLoadOptions(threads: 2, storedDiagnosticLimit: 2))
        #expect(lines.map { $0.prefix(20) } == ["transactions.csv:3:1", "transactions.csv:5:1"])
    }

    /// T1 has a bad amount, so it is rejected; T2 reverses T1, T3 reverses T2, … T400 reverses
    /// T399, written last first in the file. Each reversal's deal is rejected, so each is rejected,
    /// and listed after the row that caused it.
    @Test func aChainOfReversalsOfARejectedDealIsRejectedToItsEnd() throws {
        var text = header
        for index in stride(from: 400, through: 2, by: -1) {
            text += "T\(index),2027-01-05,R1,-1,USD,P,new,1,NA,T\(index - 1)\n"
        }
        text += "T1,2027-01-05,R1,bad,USD,P,new,1,NA,\n"
        let directory = try DataDirectory(Minimal.ledgerOnly(text))
        let (load, lines) = directory.load()
        #expect(load.errorCount == 400)
        #expect(load.data.transactions.count == 0)
        // The cause first (it had been listed after the 399 reversals it refused), then those.
        #expect(lines.first == "transactions.csv:401:4: amount \"bad\" is not a plain decimal (like 1234.56 or -80)")
        #expect(lines[1] == "transactions.csv:2:10: reverses \"T399\", which is not an accepted transaction in this ledger")
        #expect(lines.last == "transactions.csv:400:10: reverses \"T1\", which is not an accepted transaction in this ledger")
        for file in load.reconciliation.files { #expect(file.rowsRead == file.accepted + file.rejected) }
    }
}
