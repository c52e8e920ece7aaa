import CompCore
import Ledger
import PlanModel

/// A per-transaction expression (a credit rule's filter, amount and weight; a SPIFF's filter and
/// payout) compiled against the ledger's columns, so that the pass over millions of rows does not
/// walk the plan's expression tree, build strings or compare text per row.
///
/// The compilation is exact and conservative: a sub-expression that reads only one string-coded
/// column (`match txn.kind { … }`, `txn.product == "WIDGET-X"`) is evaluated once per distinct
/// value of that column, by the reference evaluator itself, and becomes a table indexed by the
/// row's code; `txn.amount`, `txn.quantity` and `txn.date` read their columns; `fx(…)` multiplies
/// by a per-(currency, month) rate; arithmetic, comparisons and logic combine those. Anything else
/// (rep attributes, reversal links, builtins over rows) stays a reference-evaluator call, so the
/// result is always what ``PlanEvaluation/eval(_:_:)`` gives (the differential tests hold both
/// to the same output).
indirect enum RowExpr: Sendable {
    /// A value that does not depend on the row.
    case constant(EvalValue)
    /// `txn.amount`.
    case amount
    /// `txn.quantity`.
    case quantity
    /// `txn.date`.
    case date
    /// A sub-expression of one string column, tabulated per code; `nil` entries (the evaluation
    /// failed for that value) fall back to `expr`, which raises the error in the row's context.
    case coded(codes: StringColumn.Codes, table: [EvalValue?], expr: Expr)
    /// `fx(x)`.
    case convert(RowExpr)
    case negate(RowExpr)
    case arithmetic(ArithmeticOperator, RowExpr, RowExpr)
    case compare(ComparisonOperator, RowExpr, RowExpr)
    case and(RowExpr, RowExpr)
    case or(RowExpr, RowExpr)
    case not(RowExpr)
    /// The reference evaluator.
    case generic(Expr)
}

/// The most distinct values a column may have for a sub-expression to be tabulated per value.
let maximumTabulatedValues = 1 << 16

extension PlanEvaluation {
    /// What a transaction-level expression reads.
    private enum RowDependency {
        /// Nothing per row (literals and parameters).
        case none
        /// One string-coded transaction column (the attribute's id).
        case column(Int)
        /// Several columns, or something that is not a coded column.
        case other
    }

    private func dependency(_ expr: Expr) -> RowDependency {
        var found: Int? = nil
        var other = false
        func visit(_ expr: Expr) {
            if other { return }
            switch expr.kind {
            case .literal, .parameter: break
            case .attribute(let id):
                let attribute = plan.attributes[id.index]
                if attribute.scope == .transaction, codedColumn(attribute.name) != nil, found == nil || found == id.index {
                    found = id.index
                } else {
                    other = true
                }
            case .input, .measure, .derived, .component, .quota, .applyTable, .applyTablePerTransaction, .convert:
                other = true
            default:
                for child in expr.children { visit(child) }
            }
        }
        visit(expr)
        if other { return .other }
        return found.map { .column($0) } ?? .none
    }

    /// The index of a plain string column in ``TransactionTable/attributes`` (not a computed attribute).
    private func codedColumn(_ name: String) -> Int? {
        switch name {
        case "id", "date", "rep", "amount", "currency", "quantity", "reverses", "is_reversal", "effective_date": return nil
        default: return transactions.attributes.firstIndex { $0.name == name }
        }
    }

    /// Whether a compiled expression reads `txn.amount` (see ``dealSized(_:row:)``).
    func readsAmount(_ expr: RowExpr) -> Bool {
        switch expr {
        case .amount: return true
        case .constant, .quantity, .date, .coded: return false
        case .convert(let operand), .negate(let operand), .not(let operand): return readsAmount(operand)
        case .arithmetic(_, let a, let b), .compare(_, let a, let b), .and(let a, let b), .or(let a, let b):
            return readsAmount(a) || readsAmount(b)
        case .generic(let source): return readsTransactionAmount(source)
        }
    }

    /// Whether an expression reads `txn.amount` anywhere in it.
    func readsTransactionAmount(_ expr: Expr) -> Bool {
        if case .attribute(let id) = expr.kind {
            let attribute = plan.attributes[id.index]
            return attribute.scope == .transaction && attribute.name == "amount"
        }
        return expr.children.contains { readsTransactionAmount($0) }
    }

    /// Compiles a transaction-level expression (see ``RowExpr``).
    func compileRow(_ expr: Expr) -> RowExpr {
        switch dependency(expr) {
        case .none:
            // Constant: evaluated once, outside any row; if that fails, the row evaluation reports it.
            if let value = try? eval(expr, Context(rep: 0, row: nil, assignmentIndex: 0)) { return .constant(value) }
            return .generic(expr)
        case .column(let attributeIndex):
            let attribute = plan.attributes[attributeIndex]
            guard let columnIndex = codedColumn(attribute.name) else { return .generic(expr) }
            let column = transactions.attributes[columnIndex]
            guard column.values.count <= maximumTabulatedValues else { return .generic(expr) }
            var table: [EvalValue?] = []
            table.reserveCapacity(column.values.count)
            for text in column.values {
                pinnedAttribute = (attributeIndex, typed(text, attribute))
                table.append(try? eval(expr, Context(rep: 0, row: nil, assignmentIndex: 0)))
            }
            pinnedAttribute = nil
            return .coded(codes: column.codes, table: table, expr: expr)
        case .other:
            break
        }
        switch expr.kind {
        case .attribute(let id) where plan.attributes[id.index].scope == .transaction:
            switch plan.attributes[id.index].name {
            case "amount": return .amount
            case "quantity": return .quantity
            case "date": return .date
            default: return .generic(expr)
            }
        case .convert(let operand, _): return .convert(compileRow(operand))
        case .negate(let operand): return .negate(compileRow(operand))
        case .arithmetic(let op, let left, let right): return .arithmetic(op, compileRow(left), compileRow(right))
        case .compare(let op, let left, let right): return .compare(op, compileRow(left), compileRow(right))
        case .and(let left, let right): return .and(compileRow(left), compileRow(right))
        case .or(let left, let right): return .or(compileRow(left), compileRow(right))
        case .not(let operand): return .not(compileRow(operand))
        default: return .generic(expr)
        }
    }

    /// Evaluates a compiled expression for `context.row`; the same value (or error) as
    /// ``eval(_:_:)`` on the expression it was compiled from.
    func evalRow(_ expr: RowExpr, _ context: Context, row: Int) throws -> EvalValue {
        switch expr {
        case .constant(let value):
            return value
        case .amount:
            // A reversal's size is its deal's where the context says so (``dealSized(_:row:)``).
            return .number(WideDecimal(value: Int128(transactions.amounts[context.deal ?? row]), scale: FixedDecimal.scale))
        case .quantity:
            return .number(WideDecimal(value: Int128(transactions.quantities[context.deal ?? row]), scale: 0))
        case .date:
            return .date(transactions.dates[row])
        case .coded(let codes, let table, let source):
            let code: Int
            switch codes {
            case .narrow(let column): code = Int(column[row])
            case .wide(let column): code = Int(column[row])
            }
            if let value = table[code] { return value }
            return try eval(source, context)
        case .convert(let operand):
            guard case .number(let amount) = try evalRow(operand, context, row: row) else { return .missing }
            // The deal's amount at the deal's rate; anything else at the row's own.
            let rate = context.deal != nil && readsAmount(operand) ? (context.deal ?? row) : row
            return .number(try convertToPlan(amount, row: rate))
        case .negate(let operand):
            guard case .number(let value) = try evalRow(operand, context, row: row) else { return .missing }
            return .number(try value.negated())
        case .arithmetic(let op, let left, let right):
            guard case .number(let a) = try evalRow(left, context, row: row), case .number(let b) = try evalRow(right, context, row: row)
            else { return .missing }
            switch op {
            case .add: return .number(try Exact.add(a, b))
            case .subtract: return .number(try Exact.subtract(a, b))
            case .multiply: return .number(try Exact.multiply(a, b))
            }
        case .compare(let op, let left, let right):
            return comparison(op, try evalRow(left, context, row: row), try evalRow(right, context, row: row))
        case .and(let left, let right):
            guard try evalRow(left, context, row: row) == .bool(true) else { return .bool(false) }
            return .bool(try evalRow(right, context, row: row) == .bool(true))
        case .or(let left, let right):
            if try evalRow(left, context, row: row) == .bool(true) { return .bool(true) }
            return .bool(try evalRow(right, context, row: row) == .bool(true))
        case .not(let operand):
            return .bool(try evalRow(operand, context, row: row) != .bool(true))
        case .generic(let source):
            return try eval(source, context)
        }
    }
}
