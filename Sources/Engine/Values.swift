import CompCore
import PlanModel

/// A value during evaluation. Money, rates and counts are all exact decimals here (the checker
/// has already kept them apart); `missing` is an optional attribute with no value (an empty
/// `target_incentive`), which makes a cap or floor not apply.
enum EvalValue: Sendable, Hashable {
    case number(WideDecimal)
    case date(CivilDate)
    case text(String)
    case bool(Bool)
    case missing

    static let zero = EvalValue.number(.zero)

    init(_ value: Value) {
        switch value {
        case .money(let money): self = .number(WideDecimal(money.amount))
        case .rate(let rate): self = .number(WideDecimal(rate.value))
        case .count(let count): self = .number(WideDecimal(count))
        case .date(let date): self = .date(date)
        case .text(let text): self = .text(text)
        case .bool(let flag): self = .bool(flag)
        }
    }
}

/// A runtime failure, naming the rep, period and rule so a payroll admin can act on it.
public struct EvaluationError: Error, Sendable, CustomStringConvertible {
    /// Rep id, when the failure is about one payee.
    public let rep: String?
    /// Period label, when the failure is about one period.
    public let period: String?
    /// Component, measure or rule being evaluated.
    public let what: String?
    /// What went wrong.
    public let message: String
    /// Where the rule is written (`file:line:col`).
    public let source: String?
    /// The failures of later payees of the same run, in payee order (a run lists every payee
    /// that failed, up to a limit, not only the first).
    public var others: [EvaluationError] = []
    /// Whether more payees failed than this and ``others`` list (the run stopped listing).
    public var listStopped = false
    /// Later payees whose failures read as this payee's but for the rep (or but for the numbers
    /// in the messages too): said on one line under this one's, not a line each.
    public var alikePayees = AlikePayees()
    /// Payees that failed in all, when the listing groups them (``PayeeFailureList``).
    var failedPayees: Int? = nil
    /// What the listing counts in its last line (`payees`; `credits` for split conflicts).
    var listedKind = "payees"
    /// The same payee's failures in its later periods, each different from the ones before (a
    /// rep's quotas of 0 in March and in June are both said in one run).
    public var laterPeriods: [EvaluationError] = []
    /// Later periods that failed with this very failure (a value missing in every month).
    public var samePeriods: [String] = []
    /// Later periods that overflowed in the same place, with other numbers (a cap's amount past
    /// the range in every month, each another): one line, not one a period.
    public var alikePeriods: [String] = []
    /// Later periods whose failure this one already names (the later periods missing a quota),
    /// and the measure whose quota they miss: only the same failure there is not said again.
    var coveredPeriods: Set<String> = []
    var missingQuota: String? = nil
    /// For a failure whose words name its own month (a missing fx rate), what is the same in
    /// every period it fails in: failures with equal keys are one line.
    var foldKey: String? = nil

    init(rep: String?, period: String?, what: String?, message: String, source: String?) {
        self.rep = rep
        self.period = period
        self.what = what
        self.message = message
        self.source = source
    }

    /// The first of `failures` (in payee order), with the rest as ``others``; `complete` false
    /// when there may be more than those listed.
    init(listing failures: [EvaluationError], complete: Bool) {
        self = failures[0]
        others = Array(failures.dropFirst())
        listStopped = !complete
    }

    /// This failure, one line.
    var line: String { line(naming: rep) }

    /// This failure, one line, naming `rep` (nil: no rep, for comparing payees' failures).
    func line(naming rep: String?) -> String {
        var context: [String] = []
        if let rep { context.append("rep \(rep)") }
        if let period { context.append(period) }
        var text = context.isEmpty ? "" : context.joined(separator: ", ") + ": "
        if let what { text += "\(what): " }
        text += message
        // Named, not as a range: the periods need not follow one another (a rep off the plan for
        // months in between).
        switch samePeriods.count {
        case 0: break
        case 1...5: text += " (the same in \(Self.naming(samePeriods)))"
        default: text += " (the same in \(samePeriods.count) later periods: \(Self.naming(samePeriods)))"
        }
        switch alikePeriods.count {
        case 0: break
        case 1...5: text += " (likewise, with other amounts, in \(Self.naming(alikePeriods)))"
        default: text += " (likewise, with other amounts, in \(alikePeriods.count) later periods: \(Self.naming(alikePeriods)))"
        }
        if let source { text = "\(source): " + text }
        return text
    }

    /// Periods named one by one: all of up to five, else the first three and the last
    /// (`2027-02, 2027-07, 2027-08, …, 2027-12`).
    static func naming(_ periods: [String]) -> String {
        guard periods.count > 5, let last = periods.last else { return periods.joined(separator: ", ") }
        return periods.prefix(3).joined(separator: ", ") + ", …, " + last
    }

    /// This payee's failures, a line each: the first, then its later periods', then the later
    /// payees that failed alike.
    var payeeLines: [String] {
        var lines = [line] + laterPeriods.map(\.line)
        if let alike = alikePayees.line { lines.append(alike) }
        return lines
    }

    /// This payee's failures without its rep: equal for payees that failed the same way.
    var payeeText: String { ([line(naming: nil)] + laterPeriods.map { $0.line(naming: nil) }).joined(separator: "\n") }

    /// What payees that failed alike share: each failure's place, period, value and periods as
    /// they are, and its message but for the numbers in it (each quota's quotas.csv line).
    var payeeShape: String {
        ([self] + laterPeriods).map { failure in
            [failure.source ?? "", failure.period ?? "", failure.what ?? "", Self.shape(failure.message),
             failure.samePeriods.joined(separator: ","), failure.alikePeriods.joined(separator: ",")].joined(separator: "\u{1}")
        }.joined(separator: "\n")
    }

    /// Takes in a failure of the same payee in a later period: said on a line of its own, added
    /// to an identical earlier one's periods, or left out where an earlier one names its period.
    mutating func addLater(_ failure: EvaluationError) {
        if let period = failure.period, let measure = failure.missingQuota {
            let covers = { (known: EvaluationError) in known.missingQuota == measure && known.coveredPeriods.contains(period) }
            if covers(self) || laterPeriods.contains(where: covers) { return }
        }
        func same(_ other: EvaluationError) -> Bool {
            guard other.what == failure.what && other.source == failure.source else { return false }
            if let key = failure.foldKey, other.foldKey == key { return true }
            return other.message == failure.message
        }
        // A period said already (restated by a later period's clawback, it failed again) is not
        // said twice.
        func adding(_ period: String?, to known: inout EvaluationError) {
            guard let period, period != known.period, !known.samePeriods.contains(period), !known.alikePeriods.contains(period) else { return }
            known.samePeriods.append(period)
        }
        // The same overflow but for its numbers (digits masked). Other failures keep a line each:
        // their numbers say what to correct (the quotas.csv line of each quota of 0).
        let shape = Self.isOverflow(failure.message) ? Self.shape(failure.message) : nil
        func alike(_ other: EvaluationError) -> Bool {
            shape != nil && other.what == failure.what && other.source == failure.source && Self.shape(other.message) == shape
        }
        func addingAlike(_ period: String?, to known: inout EvaluationError) {
            guard let period, period != known.period, !known.samePeriods.contains(period), !known.alikePeriods.contains(period) else { return }
            known.alikePeriods.append(period)
        }
        if same(self) {
            adding(failure.period, to: &self)
        } else if let index = laterPeriods.firstIndex(where: same) {
            adding(failure.period, to: &laterPeriods[index])
        } else if alike(self) {
            addingAlike(failure.period, to: &self)
        } else if let index = laterPeriods.firstIndex(where: alike) {
            addingAlike(failure.period, to: &laterPeriods[index])
        } else {
            laterPeriods.append(failure)
        }
    }

    /// Whether `message` says a value went past what exact arithmetic or storage holds.
    static func isOverflow(_ message: String) -> Bool {
        message.hasPrefix("arithmetic overflow") || message.contains("does not fit the stored range")
    }

    /// `message` with every run of digits (and the points and separators inside it) as one `#`.
    static func shape(_ message: String) -> String {
        var out = ""
        var inNumber = false
        for character in message {
            if character.isASCII && character.isNumber {
                if !inNumber { out.append("#") }
                inNumber = true
            } else if inNumber && (character == "." || character == ",") {
                continue
            } else {
                inNumber = false
                out.append(character)
            }
        }
        return out
    }

    /// Every failure, a line each; with several payees, a last line counts them.
    public var description: String {
        // The payees the lines name: each listed one and those said alike under it.
        let listedCount = ([self] + others).reduce(0) { $0 + 1 + $1.alikePayees.count }
        let count = failedPayees ?? listedCount
        guard count > 1 || listStopped else { return payeeLines.joined(separator: "\n") }
        let tail: String
        if listStopped, let failedPayees {
            // A failure of the run itself (not of a payee) ended it, listed last.
            tail = "\(grouped(failedPayees)) \(listedKind) failed before the last error stopped the run; there may be more"
        } else if listStopped {
            tail = "the first \(listedCount) \(listedKind) that failed are listed; there may be more"
        } else if count > listedCount {
            tail = "\(grouped(count)) \(listedKind) failed; \(grouped(count - listedCount)) of them otherwise than listed "
                + "(only the first \(others.count + 1) different failures are)"
        } else {
            tail = "\(grouped(count)) \(listedKind) failed"
        }
        return (payeeLines + others.flatMap(\.payeeLines) + [tail]).joined(separator: "\n")
    }
}

/// Later payees of a run that failed as an earlier one did: how many, and their reps (the first
/// three and the last), so that a plan failing for every payee is said in two lines.
public struct AlikePayees: Sendable {
    /// How many payees.
    public private(set) var count = 0
    /// The first three payees' reps.
    public private(set) var first: [String] = []
    /// The last payee's rep (past the first three).
    public private(set) var last: String? = nil
    /// Whether some failed with other numbers (another quotas.csv line, another amount).
    public private(set) var otherNumbers = false

    mutating func add(rep: String?, sameText: Bool) {
        count += 1
        otherNumbers = otherNumbers || !sameText
        let rep = rep ?? "?"
        if first.count < 3 { first.append(rep) } else { last = rep }
    }

    /// The line said under the first payee's failures; nil for none.
    var line: String? {
        guard count > 0 else { return nil }
        var reps = first
        if let last { reps.append(count > 4 ? "…, " + last : last) }
        let more = count == 1 ? "1 more payee" : "\(grouped(count)) more payees"
        return "  " + (otherNumbers ? "likewise, with other numbers, for " : "the same for ") + more + ": " + reps.joined(separator: ", ")
    }
}

/// A run's failing payees, in payee order, a failure each unless it reads as an earlier one's
/// (but for the rep, or but for the numbers in its message, in the same periods and places):
/// those are counted under it. At most
/// ``PlanEvaluation/listedPayeeFailures`` different failures are kept; every payee is counted.
struct PayeeFailureList {
    private(set) var listed: [EvaluationError] = []
    /// Each listed failure's ``EvaluationError/payeeShape``, and its index in ``listed``.
    private var byShape: [String: Int] = [:]
    /// Each listed failure's ``EvaluationError/payeeText`` (a later payee with the same is "the same").
    private var texts: [String] = []
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func add(_ failure: EvaluationError) {
        count += 1
        let text = failure.payeeText
        let shape = failure.payeeShape
        if let index = byShape[shape] {
            listed[index].alikePayees.add(rep: failure.rep, sameText: texts[index] == text)
        } else if listed.count < PlanEvaluation.listedPayeeFailures {
            byShape[shape] = listed.count
            listed.append(failure)
            texts.append(text)
        }
    }

    /// The run's error: every listed failure, and how many payees failed.
    var error: EvaluationError {
        var error = EvaluationError(listing: listed, complete: true)
        error.failedPayees = count
        return error
    }

    /// The run's error when `stop`, a failure of the run itself, ended it after these payees'.
    func error(endedBy stop: EvaluationError) -> EvaluationError {
        var error = EvaluationError(listing: listed + [stop], complete: false)
        error.failedPayees = count
        return error
    }
}

/// Exact arithmetic on wide decimals, with the scale kept in bounds: a product whose exact value
/// would not fit (128 bits, 30 fraction digits) is carried to the most fraction digits that fit,
/// at least 18 (``WideDecimal/multipliedCarried(by:)``): an fx rate, two weights and a split share
/// on a ten-digit amount had stopped the run as an overflow, although every value fits.
enum Exact {
    /// `a + b`, exactly; carried (``WideDecimal/addingCarried(_:)``) only when the exact sum does
    /// not fit, as after carried products of different scales.
    static func add(_ a: WideDecimal, _ b: WideDecimal) throws -> WideDecimal { try a.addingCarried(b) }

    static func subtract(_ a: WideDecimal, _ b: WideDecimal) throws -> WideDecimal { try a.addingCarried(b.negated()) }
    @inline(__always)
    static func multiply(_ a: WideDecimal, _ b: WideDecimal) throws -> WideDecimal {
        // Two factors of 64 bits whose scales fit (an amount, a rate, a weight): the widening
        // multiply, in place; crediting makes two products per row.
        let scale = a.scale &+ b.scale
        if scale <= WideDecimal.maxScale, let x = Int64(exactly: a.value), let y = Int64(exactly: b.value) {
            return WideDecimal(value: WideDecimal.fullProduct(x, y), scale: scale)
        }
        return try multiplyWide(a, b)
    }

    static func multiplyWide(_ a: WideDecimal, _ b: WideDecimal) throws -> WideDecimal {
        // Trailing zeros are trimmed (an Int128 division each) only when the scales would not fit.
        if a.scale + b.scale <= WideDecimal.maxScale, let product = try? a.multiplied(by: b) { return product }
        let (x, y) = (trim(a), trim(b))
        if x.scale + y.scale <= WideDecimal.maxScale, let product = try? x.multiplied(by: y) { return product }
        return try x.multipliedCarried(by: y)
    }

    /// Drops trailing zero fraction digits (exactly), keeping scales small.
    static func trim(_ value: WideDecimal) -> WideDecimal {
        var v = value.value
        var s = value.scale
        while s > 0 && v % 10 == 0 {
            v /= 10
            s -= 1
        }
        return WideDecimal(value: v, scale: s)
    }

    static func round(_ value: WideDecimal, _ rule: RoundingRule) -> WideDecimal {
        let rounded = value.rounded(toFractionDigits: rule.digits, rule.mode)
        // Keep exactly `digits` digits so equal values compare and print alike.
        return (try? rounded.rescaled(to: rule.digits)) ?? rounded
    }

    static func toFixed(_ value: WideDecimal) throws -> FixedDecimal {
        try value.fixed(rounding: .halfEven)
    }
}
