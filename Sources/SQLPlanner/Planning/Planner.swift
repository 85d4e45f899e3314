import SQLSyntax
import SQLValues

/// Turns queries into plans: resolves names against the catalog, types expressions, and
/// places filters, projections, windows and aggregates. Explains what is wrong with a query
/// in terms of the query (a window on a column that is not a time attribute, a column that
/// is neither grouped nor aggregated).
package struct Planner {
    let catalog: Catalog
    /// Queries named in WITH clauses, visible to the query being planned.
    var named: [String: PlanNode] = [:]

    package init(catalog: Catalog) {
        self.catalog = catalog
    }

    package func plan(_ query: Query) throws(SQLError) -> PlanNode {
        var planner = self
        for entry in query.with { planner.named[entry.name.name] = try planner.plan(entry.query) }
        var node = try planner.body(query.body)
        if !query.orderBy.isEmpty {
            let compiler = ExpressionCompiler(catalog: catalog, scope: Scope(node.schema))
            var keys: [(expression: CompiledExpression, descending: Bool, nullsFirst: Bool)] = []
            var texts: [String] = []
            // ORDER BY expressions over the query's input (an aggregate, a column not selected):
            // selected too, as hidden columns at the end, and projected away after the sort.
            var hidden: [SQLSyntax.Expression] = []
            let width = node.schema.columns.count
            for item in query.orderBy {
                var compiled: CompiledExpression
                if case let .literal(.integer(text)) = item.expression.kind, let ordinal = Int(text) {
                    guard ordinal >= 1, ordinal <= node.schema.columns.count else {
                        throw SQLError(
                            .plan, "ORDER BY \(ordinal): the query has \(node.schema.columns.count) columns",
                            at: item.expression.range)
                    }
                    compiled = .column(ordinal - 1)
                } else {
                    do throws(SQLError) {
                        compiled = try compiler.compile(item.expression).expression
                    } catch {
                        guard case let .select(select) = query.body else { throw error }
                        if let position = Self.selected(item.expression, in: select) {
                            compiled = .column(position)
                        } else if !select.distinct {
                            compiled = .column(width + hidden.count)
                            hidden.append(item.expression)
                        } else {
                            throw SQLError(
                                .plan,
                                "ORDER BY \(item.expression) in a SELECT DISTINCT: it must be one of the selected columns",
                                at: item.expression.range)
                        }
                    }
                }
                keys.append((compiled, item.descending, item.nullsFirst ?? !item.descending))
                texts.append(item.expression.description + (item.descending ? " DESC" : ""))
            }
            if case var .select(select) = query.body, !hidden.isEmpty {
                for (index, expression) in hidden.enumerated() {
                    select.items.append(
                        .expression(expression, alias: Identifier("$order\(index)", range: expression.range)))
                }
                node = try planner.body(.select(select))
            }
            guard node.bounded else {
                throw SQLError(
                    .unsupported,
                    "ORDER BY on an unbounded input never ends: bound the source (number-of-rows, scan.bounded.mode, a file) or drop the ORDER BY",
                    at: query.orderBy[0].expression.range)
            }
            // The sort holds every row to the end, a changelog folded: it gives insertions only.
            node = PlanNode(
                .sort(keys), inputs: [node], schema: node.schema, label: "Sort(\(texts.joined(separator: ", ")))",
                appendOnly: true)
            if !hidden.isEmpty {
                let schema = Schema(Array(node.schema.columns.prefix(width)))
                node = PlanNode(
                    .project((0..<width).map { .column($0) }, texts: schema.names), inputs: [node], schema: schema,
                    label: "Project(\(schema.names.joined(separator: ", ")))")
            }
        }
        if query.limit != nil || query.offset != nil {
            let count = try Self.constantInteger(query.limit, default: Int.max, what: "LIMIT")
            let offset = try Self.constantInteger(query.offset, default: 0, what: "OFFSET")
            if !node.appendOnly {
                // The first rows of a changelog are those of the table it amounts to, once it has ended.
                guard node.bounded else {
                    throw SQLError(
                        .unsupported,
                        "LIMIT over an updating query that never ends: add ORDER BY ... with a ROW_NUMBER() Top-N, or bound the source",
                        at: query.limit?.range ?? query.offset?.range)
                }
                node = PlanNode(.sort([]), inputs: [node], schema: node.schema, label: "Sort()", appendOnly: true)
            }
            node = PlanNode(
                .limit(count: count, offset: offset), inputs: [node], schema: node.schema,
                label: "Limit(\(count == Int.max ? "all" : String(count))\(offset > 0 ? ", offset \(offset)" : ""))",
                bounded: node.bounded || count != Int.max)
        }
        return node
    }

    /// The position of `expression` among the select list's columns, when it is written
    /// there (and no `*` comes before it, which would move the positions).
    static func selected(_ expression: SQLSyntax.Expression, in select: Select) -> Int? {
        for (position, item) in select.items.enumerated() {
            guard case let .expression(value, _) = item else { return nil }
            if value.description == expression.description { return position }
        }
        return nil
    }

    static func constantInteger(
        _ expression: SQLSyntax.Expression?, default value: Int, what: String
    ) throws(SQLError) -> Int {
        guard let expression else { return value }
        guard case let .literal(.integer(text)) = expression.kind, let number = Int(text), number >= 0 else {
            throw SQLError(.plan, "\(what) takes a whole number", at: expression.range)
        }
        return number
    }

    func body(_ body: QueryBody) throws(SQLError) -> PlanNode {
        switch body {
        case let .select(select):
            return try self.select(select)
        case let .nested(query):
            return try plan(query)
        case let .values(rows):
            let compiler = ExpressionCompiler(catalog: catalog, scope: Scope(Schema([])))
            var typedRows: [[TypedExpression]] = []
            for row in rows {
                var typed: [TypedExpression] = []
                for value in row { typed.append(try compiler.compile(value)) }
                typedRows.append(typed)
            }
            var columns: [Column] = []
            for position in typedRows[0].indices {
                let type = try compiler.commonType(typedRows.map { $0[position].type }, at: rows[0][position].range)
                columns.append(
                    Column(
                        name: "EXPR$\(position)", type: type == .null ? .string : type,
                        nullable: typedRows.contains { $0[position].nullable }))
            }
            var values: [Row] = []
            for row in typedRows {
                var evaluated: Row = []
                for (position, cell) in row.enumerated() {
                    evaluated.append(try compiler.coerce(cell.expression, to: columns[position].type).evaluate([]))
                }
                values.append(evaluated)
            }
            return PlanNode(
                .values(values), inputs: [], schema: Schema(columns), label: "Values(\(values.count) rows)",
                appendOnly: true, bounded: true)
        case let .setOperation(operation, all, left, right):
            let a = try self.body(left), b = try self.body(right)
            guard a.schema.columns.count == b.schema.columns.count else {
                throw SQLError(
                    .plan,
                    "\(operation.rawValue) of \(a.schema.columns.count) and \(b.schema.columns.count) columns: both sides need the same number"
                )
            }
            guard operation == .union else {
                // Counted to the end of both inputs: for tables that end.
                guard a.bounded, b.bounded else {
                    throw SQLError(
                        .unsupported,
                        "\(operation.rawValue) of inputs that never end is not supported (its rows come when both have ended)"
                    )
                }
                return PlanNode(
                    .setOperation(operation == .intersect ? .intersect : .except, all: all), inputs: [a, b],
                    schema: a.schema,
                    label: "\(operation.rawValue)\(all ? " ALL" : "")", appendOnly: true)
            }
            let union = PlanNode(.union, inputs: [a, b], schema: a.schema, label: "Union")
            return all
                ? union : PlanNode(.distinct, inputs: [union], schema: a.schema, label: "Distinct", appendOnly: false)
        }
    }

    // MARK: SELECT

    /// The select list with each `OVER w` replaced by the window the WINDOW clause names w.
    static func namingWindows(_ select: Select) throws(SQLError) -> [SelectItem] {
        var failure: SQLError?
        let items = select.items.map { item -> SelectItem in
            guard case let .expression(value, alias) = item else { return item }
            let rewritten = ExpressionWalker.rewrite(value) { node in
                guard case var .function(call) = node.kind, let name = call.over?.named else { return nil }
                guard let window = select.windows.first(where: { $0.name.name.lowercased() == name.name.lowercased() })
                else {
                    failure = failure ?? SQLError(.plan, "no window \(name.name) in the WINDOW clause", at: name.range)
                    return nil
                }
                call.over = window.window
                return SQLSyntax.Expression(.function(call), range: node.range)
            }
            return .expression(rewritten, alias: alias)
        }
        if let failure { throw failure }
        return items
    }

    /// Where a select item is written, for an error about the select list.
    static func range(of item: SelectItem?) -> SourceRange? {
        switch item {
        case let .expression(expression, _)?: return expression.range
        case let .wildcard(_, range)?: return range
        case nil: return nil
        }
    }

    func select(_ select: Select) throws(SQLError) -> PlanNode {
        var select = select
        select.items = try Self.namingWindows(select)
        var from = select.from
        // `x IN (SELECT …)` and `EXISTS (SELECT …)` conditions of the WHERE become semi joins after the FROM.
        var (filter, memberships) = select.filter.map(Self.splitMemberships) ?? (nil, [])
        // `FROM a, b WHERE …` (or CROSS JOIN): the WHERE is the join's condition, as Flink's
        // planner makes it — keyed by its equalities, an interval join by its time bounds.
        if case let .join(.cross, left, right, nil, _)? = from, let condition = filter {
            from = .join(.inner, left, right, condition: condition)
            filter = nil
        }
        var (node, scope) =
            try from.map(tableReference) ?? (
                PlanNode(
                    .values([[]]), inputs: [], schema: Schema([]), label: "Values(1 row)",
                    appendOnly: true, bounded: true), Scope(Schema([]))
            )
        for membership in memberships {
            node = try subqueryJoin(node, scope: scope, membership)
            // A row comes out when its match does, in no order of time: as after a regular join, no time attributes.
            scope.schema = node.schema
            scope.joined = true
        }
        if let joined = try scalarSubqueries(&select.items, &filter, input: node, scope: scope) {
            (node, scope) = joined
        }
        if let filter {
            let compiler = ExpressionCompiler(catalog: catalog, scope: scope)
            let predicate = try compiler.compile(filter)
            try compiler.requireBoolean(predicate, filter, "WHERE")
            // `WHERE rn <= N` over a ROW_NUMBER's number: the numbering keeps the top N alone.
            if let (column, limit) = Self.rankLimit(predicate.expression),
                let limited = Self.limitingRanks(node, column: column, to: limit)
            {
                node = limited
            }
            node = PlanNode(
                .filter(predicate.expression, text: filter.description), inputs: [node], schema: node.schema,
                label: "Filter(\(filter))")
        }
        let grouped =
            !select.groupBy.isEmpty
            || select.items.contains { item in
                if case let .expression(value, _) = item { return containsAggregate(value) }
                return false
            } || select.having != nil
        if grouped {
            if let numbered = select.items.first(where: { Self.windowFunction($0) != nil }),
                let call = Self.windowFunction(numbered)
            {
                throw SQLError(
                    .unsupported,
                    "\(call.name) OVER (...) in a grouped query: GROUP BY in a subquery and number its rows outside",
                    at: call.range)
            }
            return try aggregate(select, input: node, scope: scope)
        }
        if case let .assignWindows(spec) = node.kind, case .session = spec.kind {
            throw SQLError(
                .unsupported,
                "SESSION as a table-valued function is supported in a window aggregation only "
                    + "(GROUP BY window_start, window_end and its PARTITION BY columns), as in Flink",
                at: Self.range(of: select.items.first))
        }
        var items = select.items
        if let aggregated = try overAggregates(&items, input: node, scope: scope) { (node, scope) = aggregated }
        if let numbered = try rowNumbers(&items, input: node, scope: scope) { (node, scope) = numbered }
        node = try project(
            items, input: node, scope: scope, compiler: ExpressionCompiler(catalog: catalog, scope: scope))
        if select.distinct {
            node = PlanNode(.distinct, inputs: [node], schema: node.schema, label: "Distinct", appendOnly: false)
        }
        return node
    }

    /// A select item that is a window function call (`ROW_NUMBER() OVER (...)`).
    static func windowFunction(_ item: SelectItem) -> FunctionCall? {
        if case let .expression(value, _) = item, case let .function(call) = value.kind, call.over != nil {
            return call
        }
        return nil
    }

    /// The select list as a projection (wildcards expanded, names from aliases or columns).
    func project(
        _ items: [SelectItem], input: PlanNode, scope: Scope, compiler: ExpressionCompiler
    ) throws(SQLError) -> PlanNode {
        var expressions: [CompiledExpression] = []
        var columns: [Column] = []
        var texts: [String] = []
        for item in items {
            switch item {
            case let .wildcard(qualifier, range):
                // Columns the planner adds (`$rownum`) are not the query's.
                let indexes = scope.schema.columns.indices.filter {
                    (qualifier == nil || scope.qualifiers[$0] == qualifier!.name)
                        && !scope.schema.columns[$0].name.hasPrefix("$")
                }
                guard !indexes.isEmpty else {
                    throw SQLError(.plan, "no table \(qualifier?.name ?? "") to expand *", at: range)
                }
                guard compiler.columnsVisible else {
                    throw SQLError(.plan, "* cannot be used in a grouped query", at: range)
                }
                for index in indexes {
                    expressions.append(.column(index))
                    columns.append(scope.schema.columns[index])
                    texts.append(scope.schema.columns[index].name)
                }
            case let .expression(value, alias):
                let typed = try compiler.compile(value)
                var column = Column(
                    name: alias?.name ?? Self.defaultName(value, position: columns.count), type: typed.type,
                    nullable: typed.nullable)
                if case let .column(index) = typed.expression {
                    column.timeAttribute = scope.schema.columns[index].timeAttribute
                }
                if column.type == .null { column.type = .string }
                if case .char = column.type, !isLiteral(value) { column.type = .string }
                expressions.append(typed.expression)
                columns.append(column)
                texts.append(value.description + (alias.map { " AS \($0.name)" } ?? ""))
            }
        }
        // A projection that only passes its input through is left out.
        if expressions.count == input.schema.columns.count,
            expressions.enumerated().allSatisfy({ position, expression in
                if case let .column(index) = expression {
                    return index == position && columns[position].name == input.schema.columns[position].name
                }
                return false
            })
        {
            return input
        }
        return PlanNode(
            .project(expressions, texts: texts), inputs: [input], schema: Schema(columns),
            label: "Project(\(texts.joined(separator: ", ")))")
    }

    private func isLiteral(_ value: SQLSyntax.Expression) -> Bool {
        if case .literal = value.kind { return true }
        return false
    }

    /// Flink's names for unnamed select items: the column's own name, else EXPR$n.
    static func defaultName(_ expression: SQLSyntax.Expression, position: Int) -> String {
        switch expression.kind {
        case let .column(_, name): return name.name
        case let .field(_, field): return field.name
        default: return "EXPR$\(position)"
        }
    }

    func containsAggregate(_ expression: SQLSyntax.Expression) -> Bool {
        var found = false
        ExpressionWalker.visit(expression) { node in
            // An aggregate OVER a window is not a GROUP BY's.
            if case let .function(call) = node.kind, call.over == nil, catalog.isAggregate(call.name.name) {
                found = true
            }
        }
        return found
    }

    // MARK: FROM

    func tableReference(_ reference: TableReference) throws(SQLError) -> (PlanNode, Scope) {
        switch reference {
        case let .table(name, hints, alias):
            let qualifier = alias?.name ?? name.name
            if !hints.isEmpty, named[name.name] != nil || catalog.view(name.name) != nil {
                throw SQLError(
                    .plan,
                    "an OPTIONS hint applies to a table, and \(name) is a \(named[name.name] != nil ? "WITH query" : "view")",
                    at: hints[0].range)
            }
            if let query = named[name.name] { return (query, Scope(query.schema, qualifier: qualifier)) }
            if let view = catalog.view(name.name) {
                let node = try Planner(catalog: catalog).plan(view.definition.query)
                var schema = node.schema
                for (position, column) in view.definition.columns.enumerated() where position < schema.columns.count {
                    schema.columns[position].name = column.name
                }
                let renamed = PlanNode(
                    .project(schema.columns.indices.map { .column($0) }, texts: schema.names), inputs: [node],
                    schema: schema,
                    label: "View(\(view.definition.name))")
                return (renamed, Scope(schema, qualifier: qualifier))
            }
            guard let table = try catalog.table(name.name)?.overridden(by: hints, catalog: catalog) else {
                let suggestion = TableOptions.nearest(name.name, among: catalog.tableNames)
                throw SQLError(
                    .plan,
                    "unknown table \(name)\(suggestion.map { "; did you mean \($0)?" } ?? (catalog.tableNames.isEmpty ? " (there are no tables yet: CREATE TABLE first)" : ""))",
                    at: name.range)
            }
            let node = PlanNode(
                .scan(table), inputs: [], schema: table.schema,
                label: "Scan(\(table.name), \(table.options.connector))",
                appendOnly: !table.isChangelog, bounded: table.isBounded)
            return (node, Scope(table.schema, qualifier: qualifier))
        case let .subquery(query, alias, columns, range):
            var node = try plan(query)
            if !columns.isEmpty {
                guard columns.count == node.schema.columns.count else {
                    throw SQLError(
                        .plan, "\(columns.count) column names for a query of \(node.schema.columns.count) columns",
                        at: range)
                }
                var schema = node.schema
                for (position, column) in columns.enumerated() { schema.columns[position].name = column.name }
                node = PlanNode(
                    .project(schema.columns.indices.map { .column($0) }, texts: schema.names), inputs: [node],
                    schema: schema,
                    label: "Rename(\(schema.names.joined(separator: ", ")))")
            }
            return (node, Scope(node.schema, qualifier: alias?.name))
        case let .tableFunction(call, alias):
            let node = try windowFunction(call)
            return (node, Scope(node.schema, qualifier: alias?.name))
        case let .join(kind, left, right, condition, using) where !using.isEmpty:
            if case .unnest = right { throw SQLError(.plan, "UNNEST is joined ON TRUE, not USING", at: using[0].range) }
            return try joinUsing(kind, left, right, columns: using)
        case let .join(kind, left, right, condition, _):
            if case .unnest = right { return try unnestJoin(kind, left, right, condition: condition) }
            if case .temporal = right { return try temporalJoin(kind, left, right, condition: condition) }
            return try join(kind, left, right, condition: condition)
        case let .temporal(_, _, asOf, _):
            throw SQLError(
                .plan, "FOR SYSTEM_TIME AS OF belongs on the right of a JOIN (a temporal join)", at: asOf.range)
        case let .unnest(_, _, _, _, range):
            // Alone in FROM: the UNNEST of a constant, over one row of no columns.
            let one = TableReference.subquery(Query(body: .values([[]])), alias: nil, columns: [], range: range)
            return try unnestJoin(.cross, one, reference, condition: nil)
        }
    }
}
