import SQLSyntax
import SQLValues

/// Temporal joins: `FROM orders o [LEFT] JOIN rates FOR SYSTEM_TIME AS OF o.order_time AS r
/// ON o.currency = r.currency` — each left row joined with the right table's row of its key
/// as it was at the left row's time. The right table is versioned: it declares a PRIMARY KEY
/// (which ON must equate) and, as of an event time, a rowtime — each of its rows is a version
/// of its key, valid from its time until the next version's (a deletion ends it). As of a
/// processing time, the right table's latest rows are used. The output holds insertions only,
/// and the left side's time attributes stay (a window may follow), as in Flink.
extension Planner {
    func temporalJoin(
        _ kind: JoinKind, _ leftReference: TableReference, _ temporal: TableReference,
        condition: SQLSyntax.Expression?
    ) throws(SQLError) -> (PlanNode, Scope) {
        guard case let .temporal(name, options, asOf, alias) = temporal else { return try tableReference(temporal) }
        guard kind == .inner || kind == .left, let condition else {
            throw SQLError(
                .unsupported,
                "a temporal join is a JOIN or a LEFT JOIN with an ON condition (FOR SYSTEM_TIME AS OF belongs on its right)",
                at: asOf.range)
        }
        let (left, leftScope) = try tableReference(leftReference)
        let (right, rightScope) = try tableReference(.table(name, options: options, alias: alias))
        guard left.appendOnly else {
            throw SQLError(.unsupported, "a temporal join's left side must hold insertions only", at: asOf.range)
        }
        guard
            case let .column(leftTime) = try ExpressionCompiler(catalog: catalog, scope: leftScope).compile(asOf)
                .expression,
            let attribute = left.schema.columns[leftTime].timeAttribute
        else {
            throw SQLError(
                .plan,
                "FOR SYSTEM_TIME AS OF takes a time attribute of the left side (its rowtime or a PROCTIME() column)",
                at: asOf.range)
        }
        guard let table = catalog.table(name.name), let key = table.definition.primaryKey?.columns, !key.isEmpty else {
            throw SQLError(
                .plan, "\(name) is joined as a versioned table and needs a PRIMARY KEY (... ) NOT ENFORCED",
                at: name.range)
        }
        var versionTime: Int?
        if attribute == .rowtime {
            versionTime = right.schema.columns.firstIndex { $0.timeAttribute == .rowtime }
            guard versionTime != nil else {
                throw SQLError(
                    .plan,
                    "\(name) is joined as of an event time and needs one of its own (a WATERMARK): its rows' versions",
                    at: name.range)
            }
        }
        let width = left.schema.columns.count
        var columns = left.schema.columns + right.schema.columns
        for index in width..<columns.count {
            columns[index].timeAttribute = nil
            if kind == .left { columns[index].nullable = true }
        }
        if attribute == .proctime {
            // As of processing time, a row's time is when it is joined; none stays an event time.
            for index in 0..<width where columns[index].timeAttribute == .rowtime { columns[index].timeAttribute = nil }
        }
        let scope = Scope(Schema(columns), qualifiers: leftScope.qualifiers + rightScope.qualifiers)
        let compiler = ExpressionCompiler(catalog: catalog, scope: scope)
        let typed = try compiler.compile(condition)
        try compiler.requireBoolean(typed, condition, "ON")
        let equated = Self.equatedColumns(Self.conjuncts(typed.expression), columns: columns, width: width)
        var leftKeys: [Int] = [], rightKeys: [Int] = []
        for column in key {
            guard let index = right.schema.index(of: column.name), let position = equated.right.firstIndex(of: index)
            else {
                throw SQLError(
                    .plan,
                    "a temporal join's ON equates the versioned table's PRIMARY KEY (\(key.map(\.name).joined(separator: ", "))) "
                        + "with the left side's columns", at: condition.range)
            }
            leftKeys.append(equated.left[position])
            rightKeys.append(index)
        }
        let asOfText = attribute == .rowtime ? "event time \(columns[leftTime].name)" : "processing time"
        let node = PlanNode(
            .temporalJoin(
                predicate: typed.expression, leftKeys: leftKeys, rightKeys: rightKeys,
                leftTime: attribute == .rowtime ? leftTime : nil,
                versionTime: versionTime, outer: kind == .left),
            inputs: [left, right], schema: Schema(columns),
            label: "TemporalJoin(\(kind == .left ? "LEFT, " : "")ON \(condition); \(name) as of \(asOfText))",
            appendOnly: true)
        return (node, scope)
    }
}
