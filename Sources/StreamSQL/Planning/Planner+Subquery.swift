import SQLSyntax

/// Subqueries in a WHERE, joined by AND at its top: `x [NOT] IN (SELECT y …)` and
/// `[NOT] EXISTS (SELECT … WHERE t.a = outer.b …)`, planned as joins that only filter the
/// outer rows (`FilteringJoin`): semi joins, or anti joins whose result is a changelog.
extension Planner {
    /// The WHERE without its `x IN (SELECT …)` and `[NOT] EXISTS (SELECT …)` conditions
    /// (joined by AND at the top), and those.
    static func splitMemberships(_ condition: SQLSyntax.Expression) -> (SQLSyntax.Expression?, [SQLSyntax.Expression]) {
        switch condition.kind {
        case .inSubquery, .exists:
            return (nil, [condition])
        case let .binary(.and, left, right):
            let (leftRest, leftFound) = splitMemberships(left), (rightRest, rightFound) = splitMemberships(right)
            switch (leftRest, rightRest) {
            case let (a?, b?): return (SQLSyntax.Expression(.binary(.and, a, b), range: condition.range), leftFound + rightFound)
            case let (a?, nil): return (a, leftFound + rightFound)
            case let (nil, b?): return (b, leftFound + rightFound)
            case (nil, nil): return (nil, leftFound + rightFound)
            }
        default:
            return (condition, [])
        }
    }

    /// `x IN (SELECT y …)`: the rows of `input` with a match among the subquery's, each once
    /// (a semi join, keyed by x when it is a column); `x NOT IN (…)`: an anti join with SQL's
    /// NULLs; `[NOT] EXISTS`: see `existsJoin`.
    func subqueryJoin(_ input: PlanNode, scope: Scope, _ membership: SQLSyntax.Expression) throws(SQLError) -> PlanNode {
        if case let .exists(nested, negated) = membership.kind { return try existsJoin(input, scope: scope, nested, negated: negated, at: membership.range) }
        guard case let .inSubquery(operand, nested, negated) = membership.kind else { return input }
        let values = try plan(nested)
        guard values.schema.columns.count == 1 else {
            throw SQLError(.plan, "the subquery of IN gives \(values.schema.columns.count) columns: it needs exactly one", at: membership.range)
        }
        guard input.appendOnly, values.appendOnly else {
            throw SQLError(.unsupported, "IN (subquery) reads insertions only, and one of its inputs updates rows", at: membership.range)
        }
        let compiler = ExpressionCompiler(catalog: catalog, scope: scope)
        let left = try compiler.compile(operand)
        try compiler.checkComparable(left.type, values.schema.columns[0].type, at: operand.range)
        // x = y over the input's row followed by the subquery's one column.
        let predicate = CompiledExpression.compare(.equal, left.expression, .column(input.schema.columns.count))
        var keys: (left: [Int], right: [Int]) = ([], [])
        if case let .column(index) = left.expression, input.schema.columns[index].type == values.schema.columns[0].type { keys = ([index], [0]) }
        // NOT IN: an anti join that follows SQL's NULLs.
        return filteringJoin(input, values, predicate: predicate, keys: keys, negated ? .notIn(operand: left.expression) : .semi,
                             label: "\(negated ? "AntiJoin" : "SemiJoin")(\(membership))")
    }

    /// `EXISTS (SELECT … FROM t WHERE t.a = outer.b AND …)`: the rows of `input` for which the
    /// subquery has a row, each once — a semi join whose condition is the subquery's WHERE,
    /// read with the outer query's columns beside the subquery's (keyed by the columns it
    /// equates across the two). NOT EXISTS: an anti join, whose result is a changelog.
    func existsJoin(_ input: PlanNode, scope: Scope, _ nested: Query, negated: Bool, at range: SourceRange) throws(SQLError) -> PlanNode {
        guard nested.with.isEmpty, nested.orderBy.isEmpty, nested.limit == nil, case let .select(select) = nested.body, let from = select.from,
              select.groupBy.isEmpty, select.having == nil else {
            throw SQLError(.unsupported, "EXISTS takes a plain SELECT … FROM … [WHERE …] (no grouping, ordering or WITH)", at: range)
        }
        let (inner, innerScope) = try tableReference(from)
        guard input.appendOnly, inner.appendOnly else {
            throw SQLError(.unsupported, "EXISTS reads insertions only, and one of its inputs updates rows", at: range)
        }
        let width = input.schema.columns.count
        let columns = input.schema.columns + inner.schema.columns
        let joined = Scope(Schema(columns), qualifiers: scope.qualifiers + innerScope.qualifiers)
        var predicate: CompiledExpression?
        var keys: (left: [Int], right: [Int]) = ([], [])
        if let condition = select.filter {
            let compiler = ExpressionCompiler(catalog: catalog, scope: joined)
            let typed = try compiler.compile(condition)
            try compiler.requireBoolean(typed, condition, "WHERE")
            predicate = typed.expression
            keys = Self.equatedColumns(Self.conjuncts(typed.expression), columns: columns, width: width)
        }
        return filteringJoin(input, inner, predicate: predicate, keys: keys, negated ? .anti : .semi,
                             label: negated ? "AntiJoin(NOT EXISTS (\(nested)))" : "SemiJoin(EXISTS (\(nested)))")
    }

    /// The join node that filters `input` by `other`'s rows: the input's columns, without time
    /// attributes (a row comes out when its match does, in no order of time, as after a
    /// regular join); an anti join's result is a changelog (rows taken back as matches come).
    private func filteringJoin(_ input: PlanNode, _ other: PlanNode, predicate: CompiledExpression?, keys: (left: [Int], right: [Int]),
                               _ filtering: FilteringJoin, label: String) -> PlanNode {
        var columns = input.schema.columns
        for index in columns.indices { columns[index].timeAttribute = nil }
        return PlanNode(.join(predicate: predicate, leftKeys: keys.left, rightKeys: keys.right, outer: (false, false), expiry: nil, filtering: filtering),
                        inputs: [input, other], schema: Schema(columns), label: label, appendOnly: filtering.emitsMatched)
    }
}
