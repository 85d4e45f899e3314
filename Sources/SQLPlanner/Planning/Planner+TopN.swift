import SQLSyntax
import SQLValues

/// ROW_NUMBER() OVER (…): the Window Top-N, the continuously updated Top-N, and the
/// `WHERE rn <= N` around them pushed into the numbering.
extension Planner {
    /// `ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...)` in the select list: the rows of
    /// FROM and WHERE numbered per partition (Flink's Top-N, with `WHERE rownum <= N` around
    /// it). The item becomes a reference to the number's column.
    func rowNumbers(_ items: inout [SelectItem], input: PlanNode, scope: Scope) throws(SQLError) -> (PlanNode, Scope)? {
        var found: (call: FunctionCall, over: OverClause)?
        for (position, item) in items.enumerated() {
            guard let call = Self.windowFunction(item), case let .expression(value, alias) = item else { continue }
            guard found == nil else {
                throw SQLError(.unsupported, "one ROW_NUMBER() OVER (...) per SELECT is supported", at: call.range)
            }
            guard ExpressionCompiler.rankingFunctionNames.contains(call.name.name.uppercased()), call.arguments.isEmpty
            else {
                throw SQLError(
                    .unsupported,
                    "\(call.name) OVER (...) is not supported yet (ROW_NUMBER(), RANK() and DENSE_RANK() are, for Top-N)",
                    at: call.range)
            }
            guard !call.over!.orderBy.isEmpty else {
                throw SQLError(
                    .plan, "\(call.name.name.uppercased())() needs ORDER BY in its OVER (...)", at: call.range)
            }
            found = (call, call.over!)
            items[position] = .expression(
                Self.placeholder("$rownum", at: value.range),
                alias: alias ?? Self.implicitAlias(value, position: position))
        }
        guard let (call, over) = found else { return nil }
        let compiler = ExpressionCompiler(catalog: catalog, scope: scope)
        var partition: [CompiledExpression] = []
        var windowEnd: Int?
        for key in over.partitionBy {
            let compiled = try compiler.compile(key)
            if case let .column(index) = compiled.expression,
                scope.schema.columns[index].name.lowercased() == "window_end"
            {
                windowEnd = partition.count
            }
            partition.append(compiled.expression)
        }
        var order: [(expression: CompiledExpression, descending: Bool, nullsFirst: Bool)] = []
        for item in over.orderBy {
            // Flink's default: NULLs first when ascending, last when descending.
            order.append(
                (try compiler.compile(item.expression).expression, item.descending, item.nullsFirst ?? !item.descending)
            )
        }
        let schema = Schema(input.schema.columns + [Column(name: "$rownum", type: .bigint, nullable: false)])
        let text = SQLSyntax.Expression(.function(call), range: call.range).description
        // Over an input that never ends, without windows to complete, the numbers are updated
        // as rows come: a changelog (a continuously updated Top-N). Over a changelog too,
        // whose rows taken back renumber the rest.
        let updating = (!input.bounded || !input.appendOnly) && windowEnd == nil
        let numbering: RowNumbering =
            switch call.name.name.uppercased() {
            case "RANK": .rank
            case "DENSE_RANK": .denseRank
            default: .rowNumber
            }
        guard numbering == .rowNumber || !updating else {
            throw SQLError(
                .unsupported,
                "\(call.name.name.uppercased())() numbers the rows of a window (a Window Top-N) or of a bounded input; "
                    + "over rows that never end or are updated, ROW_NUMBER() does", at: call.range)
        }
        let label =
            !input.appendOnly
            ? "RowNumber(\(text), updated as rows come and go)"
            : updating ? "RowNumber(\(text), updated as rows come)" : "RowNumber(\(text))"
        let node = PlanNode(
            .rowNumber(partition: partition, order: order, windowEnd: windowEnd, numbering: numbering), inputs: [input],
            schema: schema,
            label: label, appendOnly: !updating)
        return (node, Scope(schema, qualifiers: scope.qualifiers + [nil]))
    }

    /// The column and the largest number a `rn <= N` (`rn < N`, `rn = 1`) conjunct allows.
    static func rankLimit(_ predicate: CompiledExpression) -> (column: Int, limit: Int)? {
        for conjunct in conjuncts(predicate) {
            switch conjunct {
            case let .compare(.lessOrEqual, .column(column), .literal(.integer(limit))),
                let .compare(.greaterOrEqual, .literal(.integer(limit)), .column(column)):
                return (column, Int(clamping: limit))
            case let .compare(.less, .column(column), .literal(.integer(limit))),
                let .compare(.greater, .literal(.integer(limit)), .column(column)):
                return (column, Int(clamping: limit) - 1)
            case let .compare(.equal, .column(column), .literal(.integer(1))),
                let .compare(.equal, .literal(.integer(1)), .column(column)):
                return (column, 1)
            default:
                continue
            }
        }
        return nil
    }

    /// The plan with its ROW_NUMBER limited to `limit` rows a partition, when `column` is that
    /// number (through projections); nil when it is not.
    static func limitingRanks(_ node: PlanNode, column: Int, to limit: Int) -> PlanNode? {
        switch node.kind {
        case let .project(expressions, texts):
            guard case let .column(inner) = expressions[column],
                let input = limitingRanks(node.inputs[0], column: inner, to: limit)
            else { return nil }
            return PlanNode(
                .project(expressions, texts: texts), inputs: [input], schema: node.schema, label: node.label,
                appendOnly: node.appendOnly,
                bounded: node.bounded)
        case let .rowNumber(partition, order, windowEnd, existing, numbering):
            guard column == node.schema.columns.count - 1, limit >= 0 else { return nil }
            let kept = min(limit, existing ?? .max)
            return PlanNode(
                .rowNumber(partition: partition, order: order, windowEnd: windowEnd, limit: kept, numbering: numbering),
                inputs: node.inputs,
                schema: node.schema,
                label: node.label
                    + (numbering == .rowNumber
                        ? ", the top \(kept) of each partition kept"
                        : ", the rows ranked up to \(kept) kept"),
                appendOnly: node.appendOnly, bounded: node.bounded)
        default:
            return nil
        }
    }
}
