import SQLSyntax
import SQLValues

/// Aggregates OVER a window of rows: `SUM(x) OVER (PARTITION BY k ORDER BY rt ROWS BETWEEN
/// 10 PRECEDING AND CURRENT ROW)` and RANGE frames of an interval or UNBOUNDED (the default).
/// Each input row comes out once, with the aggregates of its partition's rows up to it.
/// As in Flink, ORDER BY is one time attribute, ascending, and every OVER aggregate of a
/// SELECT has the same window.
extension Planner {
    /// The OVER aggregates of the select list, replaced there by references to the columns
    /// they add; nil when there are none.
    func overAggregates(
        _ items: inout [SelectItem], input: PlanNode, scope: Scope
    ) throws(SQLError) -> (PlanNode, Scope)? {
        // OVER aggregates anywhere in the select list (alone, or inside an expression: `qty - LAG(qty) OVER w`).
        var calls: [(call: FunctionCall, position: Int)] = []
        for (position, item) in items.enumerated() {
            guard case let .expression(value, _) = item else { continue }
            ExpressionWalker.visit(value) { node in
                if case let .function(call) = node.kind, call.over != nil, catalog.isAggregate(call.name.name) {
                    calls.append((call, position))
                }
            }
        }
        if let lead = calls.first(where: { $0.call.name.name.uppercased() == "LEAD" }) {
            throw Self.leadIsNotStreaming(at: lead.call.range)
        }
        guard let first = calls.first?.call, let over = first.over else { return nil }
        // A window as written: the text from OVER on.
        let shape = { (call: FunctionCall) -> String in
            let text = SQLSyntax.Expression(.function(call), range: call.range).description
            return text.range(of: " OVER (").map { String(text[$0.lowerBound...].dropFirst()) } ?? text
        }
        for (call, _) in calls.dropFirst() where shape(call) != shape(first) {
            throw SQLError(
                .unsupported, "every OVER aggregate of a SELECT needs the same window (as in Flink)", at: call.range)
        }
        let compiler = ExpressionCompiler(catalog: catalog, scope: scope)
        guard over.orderBy.count == 1, !over.orderBy[0].descending,
            case let .column(timeColumn) = try compiler.compile(over.orderBy[0].expression).expression,
            let attribute = scope.schema.columns[timeColumn].timeAttribute
        else {
            throw SQLError(
                .plan,
                "an OVER aggregate is ordered by one time attribute, ascending (ORDER BY rowtime or a PROCTIME() column)",
                at: over.orderBy.first?.expression.range ?? first.range)
        }
        guard input.appendOnly else {
            throw SQLError(
                .unsupported, "an OVER aggregate reads insertions only, and its input updates rows", at: first.range)
        }
        var partition: [CompiledExpression] = []
        for key in over.partitionBy { partition.append(try compiler.compile(key).expression) }
        let frame: OverFrame
        switch (over.frame?.unit, over.frame?.preceding) {
        case (nil, _), (.range?, nil): frame = .unboundedRange
        case (.rows?, nil): frame = .unboundedRows
        case let (.rows?, count?):
            guard case let .literal(.integer(text)) = count.kind, let rows = Int(text), rows >= 0 else {
                throw SQLError(.plan, "ROWS takes a number of rows before the current one", at: count.range)
            }
            frame = .rows(rows)
        case let (.range?, interval?):
            frame = .range(try Self.intervalMicros(interval, catalog: catalog, what: "RANGE"))
        }
        var aggregates: [AggregateCall] = []
        var columns = input.schema.columns
        for (index, (call, position)) in calls.enumerated() {
            let aggregate = try aggregateCall(
                call, name: call.name.name.uppercased(), compiler: compiler, range: call.range)
            aggregates.append(aggregate)
            let name = "$over\(index)"
            columns.append(Column(name: name, type: aggregate.resultType, nullable: !aggregate.isCount))
            guard case let .expression(value, alias) = items[position] else { continue }
            // The call, found by its place in the text, becomes a reference to the column it adds.
            let rewritten = ExpressionWalker.rewrite(value) { node in
                guard case let .function(found) = node.kind, found.over != nil, found.range == call.range else {
                    return nil
                }
                return Self.placeholder(name, at: node.range)
            }
            items[position] = .expression(rewritten, alias: alias ?? Self.implicitAlias(value, position: position))
        }
        let node = PlanNode(
            .overAggregate(
                partition: partition, timeColumn: timeColumn, eventTime: attribute == .rowtime, frame: frame,
                aggregates: aggregates),
            inputs: [input], schema: Schema(columns),
            label:
                "OverAggregate(\(shape(first)); \(aggregates.map { $0.text.components(separatedBy: " OVER (")[0] }.joined(separator: ", ")))"
        )
        return (
            node, Scope(Schema(columns), qualifiers: scope.qualifiers + Array(repeating: nil, count: aggregates.count))
        )
    }
}
