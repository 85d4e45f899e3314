import SQLSyntax
import SQLValues

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
            case let (a?, b?):
                return (SQLSyntax.Expression(.binary(.and, a, b), range: condition.range), leftFound + rightFound)
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
    func subqueryJoin(_ input: PlanNode, scope: Scope, _ membership: SQLSyntax.Expression) throws(SQLError) -> PlanNode
    {
        if case let .exists(nested, negated) = membership.kind {
            return try existsJoin(input, scope: scope, nested, negated: negated, at: membership.range)
        }
        guard case let .inSubquery(operand, nested, negated) = membership.kind else { return input }
        let values = try plan(nested)
        guard values.schema.columns.count == 1 else {
            throw SQLError(
                .plan, "the subquery of IN gives \(values.schema.columns.count) columns: it needs exactly one",
                at: membership.range)
        }
        guard input.appendOnly, values.appendOnly else {
            throw SQLError(
                .unsupported, "IN (subquery) reads insertions only, and one of its inputs updates rows",
                at: membership.range)
        }
        let compiler = ExpressionCompiler(catalog: catalog, scope: scope)
        let left = try compiler.compile(operand)
        try compiler.checkComparable(left.type, values.schema.columns[0].type, at: operand.range)
        // x = y over the input's row followed by the subquery's one column.
        let predicate = CompiledExpression.compare(.equal, left.expression, .column(input.schema.columns.count))
        var keys: (left: [Int], right: [Int]) = ([], [])
        if case let .column(index) = left.expression, input.schema.columns[index].type == values.schema.columns[0].type
        {
            keys = ([index], [0])
        }
        // NOT IN: an anti join that follows SQL's NULLs.
        return filteringJoin(
            input, values, predicate: predicate, keys: keys, negated ? .notIn(operand: left.expression) : .semi,
            label: "\(negated ? "AntiJoin" : "SemiJoin")(\(membership))")
    }

    /// `EXISTS (SELECT … FROM t WHERE t.a = outer.b AND …)`: the rows of `input` for which the
    /// subquery has a row, each once — a semi join whose condition is the subquery's WHERE,
    /// read with the outer query's columns beside the subquery's (keyed by the columns it
    /// equates across the two). NOT EXISTS: an anti join, whose result is a changelog.
    func existsJoin(
        _ input: PlanNode, scope: Scope, _ nested: Query, negated: Bool, at range: SourceRange
    ) throws(SQLError) -> PlanNode {
        guard nested.with.isEmpty, nested.orderBy.isEmpty, nested.limit == nil, case let .select(select) = nested.body,
            let from = select.from,
            select.groupBy.isEmpty, select.having == nil
        else {
            throw SQLError(
                .unsupported, "EXISTS takes a plain SELECT … FROM … [WHERE …] (no grouping, ordering or WITH)",
                at: range)
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
        return filteringJoin(
            input, inner, predicate: predicate, keys: keys, negated ? .anti : .semi,
            label: negated ? "AntiJoin(NOT EXISTS (\(nested)))" : "SemiJoin(EXISTS (\(nested)))")
    }

    /// The join node that filters `input` by `other`'s rows: the input's columns, without time
    /// attributes (a row comes out when its match does, in no order of time, as after a
    /// regular join); an anti join's result is a changelog (rows taken back as matches come).
    private func filteringJoin(
        _ input: PlanNode, _ other: PlanNode, predicate: CompiledExpression?, keys: (left: [Int], right: [Int]),
        _ filtering: FilteringJoin, label: String
    ) -> PlanNode {
        var columns = input.schema.columns
        for index in columns.indices { columns[index].timeAttribute = nil }
        return PlanNode(
            .join(
                predicate: predicate, leftKeys: keys.left, rightKeys: keys.right, outer: (false, false), expiry: nil,
                filtering: filtering),
            inputs: [input, other], schema: Schema(columns), label: label, appendOnly: filtering.emitsMatched)
    }
}

extension Planner {
    /// Scalar subqueries — `(SELECT one value …)` in the select list or the WHERE — that do
    /// not refer to the outer query: each planned alone (one column, at most one row: a second
    /// fails the query, as in Flink), joined to the outer rows, and replaced by a reference to
    /// its column. An aggregate without GROUP BY always gives its one row: an inner join; any
    /// other subquery a LEFT JOIN ON TRUE, so that no row gives NULL.
    func scalarSubqueries(
        _ items: inout [SelectItem], _ filter: inout SQLSyntax.Expression?, input: PlanNode,
        scope: Scope
    ) throws(SQLError) -> (PlanNode, Scope)? {
        var found: [(query: Query, range: SourceRange)] = []
        func collect(_ expression: SQLSyntax.Expression) {
            ExpressionWalker.visit(expression) { node in
                if case let .subquery(query) = node.kind, !found.contains(where: { $0.range == node.range }) {
                    found.append((query, node.range))
                }
            }
        }
        for item in items { if case let .expression(value, _) = item { collect(value) } }
        if let filter { collect(filter) }
        guard !found.isEmpty else { return nil }
        var (node, scope) = (input, scope)
        for (index, subquery) in found.enumerated() {
            let values: PlanNode
            do throws(SQLError) {
                values = try Planner(catalog: catalog).plan(subquery.query)
            } catch  where error.message.hasPrefix("unknown column") {
                throw SQLError(
                    .unsupported,
                    "a scalar subquery that reads the outer query's columns (correlated) is not supported: "
                        + "join a GROUP BY of it instead (\(error.message))", at: subquery.range)
            }
            guard values.schema.columns.count == 1 else {
                throw SQLError(
                    .plan, "a scalar subquery gives one column, and this one \(values.schema.columns.count)",
                    at: subquery.range)
            }
            guard node.appendOnly, values.appendOnly else {
                throw SQLError(
                    .unsupported,
                    "a scalar subquery over rows that update (an aggregate in streaming mode) is not supported: "
                        + "SET 'execution.runtime-mode' = 'batch', or join the subquery", at: subquery.range)
            }
            let single = PlanNode(.atMostOneRow, inputs: [values], schema: values.schema, label: "AtMostOneRow")
            let alwaysOne: Bool = {
                guard case let .select(inner) = subquery.query.body, inner.groupBy.isEmpty, inner.having == nil,
                    subquery.query.limit == nil,
                    case let .expression(value, _)? = inner.items.first
                else { return false }
                return containsAggregate(value)
            }()
            var column = values.schema.columns[0]
            column.name = "$scalar\(index)"
            column.nullable = true
            column.timeAttribute = nil
            var columns = node.schema.columns.map { column -> Column in
                var plain = column
                plain.timeAttribute = nil
                return plain
            }
            columns.append(column)
            let joined = PlanNode(
                .join(
                    predicate: nil, leftKeys: [], rightKeys: [], outer: (left: !alwaysOne, right: false), expiry: nil),
                inputs: [node, single], schema: Schema(columns),
                label: "Join(\(alwaysOne ? "" : "LEFT ")scalar subquery)",
                appendOnly: alwaysOne)
            node = joined
            scope = Scope(Schema(columns), qualifiers: scope.qualifiers + [nil])
            scope.joined = true
            let placeholder = Self.placeholder(column.name, at: subquery.range)
            func replace(_ expression: SQLSyntax.Expression) -> SQLSyntax.Expression {
                ExpressionWalker.rewrite(expression) { candidate in
                    if case .subquery = candidate.kind, candidate.range == subquery.range { return placeholder }
                    return nil
                }
            }
            items = items.enumerated().map { position, item in
                guard case let .expression(value, alias) = item else { return item }
                let rewritten = replace(value)
                return .expression(
                    rewritten,
                    alias: alias ?? (rewritten == value ? nil : Self.implicitAlias(value, position: position)))
            }
            filter = filter.map(replace)
        }
        return (node, scope)
    }
}
