import SQLSyntax
import SQLValues

/// UNNEST: a row per element of an array (its fields as columns when the elements are
/// ROWs) or per entry of a map (key and value), joined to the row it came from:
/// `FROM t CROSS JOIN UNNEST(t.tags) AS x(tag)`, `FROM t, UNNEST(...)`, and `LEFT JOIN
/// UNNEST(...) ON TRUE`, which keeps a row whose collection is empty or NULL (its element
/// columns NULL). Alone in FROM it unnests a constant: `FROM UNNEST(ARRAY[1, 2]) AS t(n)`.
/// The row's columns keep their time attributes (the elements come with their row), so a
/// window may follow.
extension Planner {
    /// `left` joined (`kind`) to the UNNEST of one of its columns, with the join's condition.
    func unnestJoin(
        _ kind: JoinKind, _ leftReference: TableReference, _ unnest: TableReference,
        condition: SQLSyntax.Expression?
    ) throws(SQLError) -> (PlanNode, Scope) {
        guard case let .unnest(collection, ordinality, alias, names, range) = unnest else {
            return try tableReference(unnest)
        }
        let outer: Bool
        switch kind {
        case .cross, .inner: outer = false
        case .left:
            guard condition == nil || Self.isTrue(condition!) else {
                throw SQLError(
                    .unsupported, "LEFT JOIN UNNEST(...) takes ON TRUE (each row with its own elements)",
                    at: condition?.range ?? range)
            }
            outer = true
        case .right, .full:
            throw SQLError(
                .unsupported,
                "\(kind.rawValue) UNNEST(...) is not supported: UNNEST belongs on the right of a CROSS, INNER or LEFT join",
                at: range)
        }
        let (left, leftScope) = try tableReference(leftReference)
        let compiled = try ExpressionCompiler(catalog: catalog, scope: leftScope).compile(collection)
        let shape: UnnestShape
        var added: [Column]
        switch compiled.type {
        case let .array(.row(fields)), let .multiset(.row(fields)):
            shape = .fields(fields.count)
            added = fields.map { Column(name: $0.name, type: $0.type) }
        case let .array(element), let .multiset(element):
            shape = .element
            added = [Column(name: "f0", type: element)]
        case let .map(key, value):
            shape = .entry
            added = [Column(name: "key", type: key), Column(name: "value", type: value)]
        default:
            throw SQLError(
                .plan, "UNNEST takes an ARRAY, a MAP or a MULTISET, not \(compiled.type)", at: collection.range)
        }
        if ordinality { added.append(Column(name: "ordinality", type: .int, nullable: false)) }
        if !names.isEmpty {
            guard names.count == added.count else {
                throw SQLError(
                    .plan,
                    "\(names.count) column names for UNNEST's \(added.count) columns (\(added.map(\.name).joined(separator: ", ")))",
                    at: range)
            }
            for (position, name) in names.enumerated() { added[position].name = name.name }
        }
        let schema = Schema(left.schema.columns + added)
        let text =
            "UNNEST(\(collection))" + (ordinality ? " WITH ORDINALITY" : "") + (alias.map { " AS \($0.name)" } ?? "")
            + "(" + added.map(\.name).joined(separator: ", ") + ")"
        var node = PlanNode(
            .unnest(compiled.expression, shape, ordinality: ordinality, outer: outer), inputs: [left], schema: schema,
            label: "Unnest(\(text)\(outer ? ", keeping rows without elements" : ""))")
        let scope = Scope(schema, qualifiers: leftScope.qualifiers + Array(repeating: alias?.name, count: added.count))
        if let condition, !outer, !Self.isTrue(condition) {
            let compiler = ExpressionCompiler(catalog: catalog, scope: scope)
            let predicate = try compiler.compile(condition)
            try compiler.requireBoolean(predicate, condition, "ON")
            node = PlanNode(
                .filter(predicate.expression, text: condition.description), inputs: [node], schema: schema,
                label: "Filter(\(condition))")
        }
        return (node, scope)
    }

    private static func isTrue(_ condition: SQLSyntax.Expression) -> Bool {
        if case .literal(.boolean(true)) = condition.kind { return true }
        return false
    }
}

/// What each element of an UNNEST adds to its row.
package enum UnnestShape: Sendable {
    /// An element of an array or multiset: one column.
    case element
    /// A ROW element: its fields, one column each.
    case fields(Int)
    /// A map's entry: its key and value.
    case entry

    package var width: Int {
        switch self {
        case .element: 1
        case let .fields(count): count
        case .entry: 2
        }
    }
}
