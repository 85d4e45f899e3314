import Foundation
import SQLPlanner
import SQLSyntax
import SQLValues

/// GROUPING SETS: each row passed on once per set, with the set's values appended (its keys,
/// NULL for those it leaves out, and flags saying which), as the same kind of change.
package final class ExpandOperator: Operator {
    let sets: [[CompiledExpression]]

    init(_ sets: [[CompiledExpression]]) {
        self.sets = sets
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        var result: [Row] = []
        result.reserveCapacity(rows.count * sets.count)
        var resultKinds: [RowKind]? = kinds == nil ? nil : []
        for (position, row) in rows.enumerated() {
            for set in sets {
                var expanded = row
                for expression in set { expanded.append(try expression.evaluate(row)) }
                result.append(expanded)
                if let kinds { resultKinds?.append(kinds[position]) }
            }
        }
        try output?.process(result, kinds: resultKinds)
    }
}

/// UNNEST: each row once per element of its collection, the element's columns appended
/// (kinds pass through with their rows).
package final class UnnestOperator: Operator {
    let collection: CompiledExpression
    let shape: UnnestShape
    let ordinality: Bool
    let outer: Bool

    init(_ collection: CompiledExpression, shape: UnnestShape, ordinality: Bool, outer: Bool) {
        self.collection = collection
        self.shape = shape
        self.ordinality = ordinality
        self.outer = outer
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        var result: [Row] = []
        var resultKinds: [RowKind]? = kinds == nil ? nil : []
        let width = shape.width + (ordinality ? 1 : 0)
        for (position, row) in rows.enumerated() {
            let elements: [[Value]]
            switch try collection.evaluate(row) {
            case let .array(items):
                elements = items.map(columns(of:))
            case let .map(entries):
                elements = entries.map { [$0.key, $0.value] }
            default:
                elements = []
            }
            if elements.isEmpty, outer {
                result.append(row + Array(repeating: .null, count: width))
                if let kinds { resultKinds?.append(kinds[position]) }
            }
            for (index, element) in elements.enumerated() {
                result.append(row + element + (ordinality ? [.integer(Int64(index + 1))] : []))
                if let kinds { resultKinds?.append(kinds[position]) }
            }
        }
        try output?.process(result, kinds: resultKinds)
    }

    /// An element's columns: a ROW's fields (NULLs for a NULL row), or the element itself.
    private func columns(of element: Value) -> [Value] {
        guard case let .fields(count) = shape else { return [element] }
        if case let .row(fields) = element, fields.count == count { return fields }
        return Array(repeating: .null, count: count)
    }
}
