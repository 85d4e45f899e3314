import SQLSyntax

/// FROM a [INNER | LEFT | RIGHT | FULL] JOIN b ON …, and CROSS JOIN: a regular join. Its
/// output has the left input's columns, then the right's; like Flink's, it has no time
/// attributes (its rows come in no order of time), and both inputs must be insertions only.
extension Planner {
    func join(_ kind: JoinKind, _ leftReference: TableReference, _ rightReference: TableReference,
              condition: SQLSyntax.Expression?) throws(SQLError) -> (PlanNode, Scope) {
        let (left, leftScope) = try tableReference(leftReference)
        let (right, rightScope) = try tableReference(rightReference)
        guard left.appendOnly, right.appendOnly else {
            throw SQLError(.unsupported, "a join reads insertions only, and one of its inputs updates rows (an upsert-kafka table or a GROUP BY without a window)",
                           at: condition?.range)
        }
        let width = left.schema.columns.count
        let outer = (left: kind == .left || kind == .full, right: kind == .right || kind == .full)
        var columns = left.schema.columns + right.schema.columns
        for index in columns.indices {
            columns[index].timeAttribute = nil
            // The other side's columns of an outer side's unmatched row are NULL.
            if index < width ? outer.right : outer.left { columns[index].nullable = true }
        }
        let schema = Schema(columns)
        var scope = Scope(schema, qualifiers: leftScope.qualifiers + rightScope.qualifiers)
        scope.joined = true
        var predicate: CompiledExpression?
        var keys: (left: [Int], right: [Int]) = ([], [])
        if let condition {
            let compiler = ExpressionCompiler(catalog: catalog, scope: scope)
            let typed = try compiler.compile(condition)
            try compiler.requireBoolean(typed, condition, "ON")
            predicate = typed.expression
            // Equalities of a left and a right column of one type find the candidates by key;
            // the whole condition then decides.
            for conjunct in Self.conjuncts(typed.expression) {
                guard case let .compare(.equal, .column(a), .column(b)) = conjunct, schema.columns[a].type == schema.columns[b].type else { continue }
                if a < width, b >= width {
                    keys.left.append(a)
                    keys.right.append(b - width)
                } else if b < width, a >= width {
                    keys.left.append(b)
                    keys.right.append(a - width)
                }
            }
        }
        let label = condition.map { "Join(\(kind == .inner ? "" : kind.rawValue.replacingOccurrences(of: " JOIN", with: "") + ", ")ON \($0))" } ?? "Join(CROSS)"
        // An outer join takes back a row padded with NULLs once it has a match: a changelog.
        let node = PlanNode(.join(predicate: predicate, leftKeys: keys.left, rightKeys: keys.right, outer: outer), inputs: [left, right], schema: schema,
                            label: label, appendOnly: !outer.left && !outer.right)
        return (node, scope)
    }

    private static func conjuncts(_ expression: CompiledExpression) -> [CompiledExpression] {
        if case let .and(operands) = expression { return operands.flatMap(conjuncts) }
        return [expression]
    }
}
