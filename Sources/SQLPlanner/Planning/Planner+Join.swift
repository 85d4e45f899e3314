import SQLSyntax
import SQLValues

/// FROM a [INNER | LEFT | RIGHT | FULL] JOIN b ON …, CROSS JOIN, and `FROM a, b WHERE …`
/// (the WHERE becomes the join's condition). Its output has the left input's columns, then
/// the right's; both inputs must be insertions only.
///
/// A regular join's rows come in no order of time: like Flink's, its output has no time
/// attributes. When the condition bounds one input's event time by the other's
/// (`l.t BETWEEN r.t - INTERVAL '1' HOUR AND r.t`, or two comparisons), it is an interval
/// join: rows are dropped once no row to come can pair with them, the two event times stay
/// time attributes (a window can follow), and outer rows are emitted when they expire. When
/// both inputs come from window functions and the condition equates their window_start and
/// window_end, it is a window join: rows are dropped when their window ends (outer ones
/// emitted then), and the window_time columns stay time attributes.
extension Planner {
    func join(
        _ kind: JoinKind, _ leftReference: TableReference, _ rightReference: TableReference,
        condition: SQLSyntax.Expression?
    ) throws(SQLError) -> (PlanNode, Scope) {
        let (left, leftScope) = try tableReference(leftReference)
        let (right, rightScope) = try tableReference(rightReference)
        guard left.appendOnly, right.appendOnly else {
            throw SQLError(
                .unsupported,
                "a join reads insertions only, and one of its inputs updates rows (an upsert-kafka table or a GROUP BY without a window)",
                at: condition?.range)
        }
        let width = left.schema.columns.count
        let outer = (left: kind == .left || kind == .full, right: kind == .right || kind == .full)
        var columns = left.schema.columns + right.schema.columns
        // The other side's columns of an outer side's unmatched row are NULL.
        for index in columns.indices where index < width ? outer.right : outer.left { columns[index].nullable = true }
        let qualifiers = leftScope.qualifiers + rightScope.qualifiers
        var predicate: CompiledExpression?
        var keys: (left: [Int], right: [Int]) = ([], [])
        var expiry: JoinExpiry?
        if let condition {
            let compiler = ExpressionCompiler(catalog: catalog, scope: Scope(Schema(columns), qualifiers: qualifiers))
            let typed = try compiler.compile(condition)
            try compiler.requireBoolean(typed, condition, "ON")
            predicate = typed.expression
            let conjuncts = Self.conjuncts(typed.expression)
            keys = Self.equatedColumns(conjuncts, columns: columns, width: width)
            expiry = Self.intervalBounds(conjuncts, columns: columns, width: width)
            // A window join needs windows on both sides: rows that come when their window closes.
            // Columns named window_start and window_end from elsewhere (a GROUP BY of them) join as any.
            if expiry == nil, Self.isWindowed(left), Self.isWindowed(right) {
                expiry = Self.sameWindows(conjuncts, columns: columns, width: width)
            }
        }
        // The event times that stay time attributes: an interval join's bounded ones, a window join's window_time.
        var times: Set<Int> = []
        switch expiry {
        case let .interval(leftTime, rightTime, _, _)?: times = [leftTime, width + rightTime]
        case .window?:
            times = Set(
                columns.indices.filter {
                    columns[$0].name.lowercased() == "window_time" && columns[$0].timeAttribute == .rowtime
                })
        case nil: break
        }
        for index in columns.indices where !times.contains(index) { columns[index].timeAttribute = nil }
        var scope = Scope(Schema(columns), qualifiers: qualifiers)
        scope.joined = true
        let side =
            kind == .inner || kind == .cross ? "" : kind.rawValue.replacingOccurrences(of: " JOIN", with: "") + ", "
        let label: String
        switch (expiry, condition) {
        case let (.interval(leftTime, rightTime, lower, upper)?, condition?):
            label =
                "IntervalJoin(\(side)ON \(condition); \(columns[leftTime].name) - \(columns[width + rightTime].name) in "
                + "[\(IntervalText.describe(lower)), \(IntervalText.describe(upper))])"
        case let (.window?, condition?):
            label = "WindowJoin(\(side)ON \(condition))"
        default:
            label = condition.map { "Join(\(side)ON \($0))" } ?? "Join(CROSS)"
        }
        // A regular outer join takes back a row padded with NULLs once it has a match: a
        // changelog. Interval and window joins pad a row only when it expires unmatched.
        let node = PlanNode(
            .join(predicate: predicate, leftKeys: keys.left, rightKeys: keys.right, outer: outer, expiry: expiry),
            inputs: [left, right], schema: scope.schema, label: label,
            appendOnly: expiry != nil || (!outer.left && !outer.right))
        return (node, scope)
    }

    /// The columns that equalities among the conjuncts equate across the two sides (one type
    /// each): they find a row's candidates by key; the whole condition then decides.
    static func equatedColumns(
        _ conjuncts: [CompiledExpression], columns: [Column], width: Int
    ) -> (left: [Int], right: [Int]) {
        var keys: (left: [Int], right: [Int]) = ([], [])
        for conjunct in conjuncts {
            guard case let .compare(.equal, .column(a), .column(b)) = conjunct, columns[a].type == columns[b].type
            else { continue }
            if a < width, b >= width {
                keys.left.append(a)
                keys.right.append(b - width)
            } else if b < width, a >= width {
                keys.left.append(b)
                keys.right.append(a - width)
            }
        }
        return keys
    }

    static func conjuncts(_ expression: CompiledExpression) -> [CompiledExpression] {
        if case let .and(operands) = expression { return operands.flatMap(conjuncts) }
        return [expression]
    }

    /// The bounds `lower <= l.t - r.t <= upper` that the conjuncts put between a left and a
    /// right event time (rowtime attributes), when they give both; nil otherwise. A strict
    /// comparison moves its bound by one microsecond.
    static func intervalBounds(_ conjuncts: [CompiledExpression], columns: [Column], width: Int) -> JoinExpiry? {
        var times: (left: Int, right: Int)?
        var lower: Int64?, upper: Int64?
        for conjunct in conjuncts {
            guard case let .compare(comparison, a, b) = conjunct, let first = timeTerm(a), let second = timeTerm(b)
            else { continue }
            // first.column + first.shift (op) second.column + second.shift, as left - right (op) constant.
            let leftTime: Int, rightTime: Int, bound: Int64
            var op = comparison
            if first.column < width, second.column >= width {
                (leftTime, rightTime, bound) = (first.column, second.column - width, second.shift - first.shift)
            } else if second.column < width, first.column >= width {
                (leftTime, rightTime, bound) = (second.column, first.column - width, first.shift - second.shift)
                switch comparison {
                case .less: op = .greater
                case .lessOrEqual: op = .greaterOrEqual
                case .greater: op = .less
                case .greaterOrEqual: op = .lessOrEqual
                default: break
                }
            } else {
                continue
            }
            guard columns[leftTime].timeAttribute == .rowtime, columns[width + rightTime].timeAttribute == .rowtime
            else { continue }
            if let times, times != (leftTime, rightTime) { continue }
            switch op {
            case .greaterOrEqual: lower = max(lower ?? .min, bound)
            case .greater: lower = max(lower ?? .min, bound + 1)
            case .lessOrEqual: upper = min(upper ?? .max, bound)
            case .less: upper = min(upper ?? .max, bound - 1)
            case .equal:
                lower = max(lower ?? .min, bound)
                upper = min(upper ?? .max, bound)
            default: continue
            }
            times = (leftTime, rightTime)
        }
        guard let times, let lower, let upper, lower <= upper else { return nil }
        return .interval(leftTime: times.left, rightTime: times.right, lower: lower, upper: upper)
    }

    /// Whether a node's rows come from a window (a window aggregate or a window function),
    /// through projections and filters.
    static func isWindowed(_ node: PlanNode) -> Bool {
        switch node.kind {
        case .windowAggregate, .assignWindows: return true
        case .project, .filter: return isWindowed(node.inputs[0])
        default: return false
        }
    }

    /// A window join's condition: each side's window_start and window_end (columns of a window
    /// function's output) equated with the other's.
    static func sameWindows(_ conjuncts: [CompiledExpression], columns: [Column], width: Int) -> JoinExpiry? {
        var equated: [String: (left: Int, right: Int)] = [:]
        for conjunct in conjuncts {
            guard case let .compare(.equal, .column(a), .column(b)) = conjunct else { continue }
            let (left, right) = a < width ? (a, b) : (b, a)
            guard left < width, right >= width else { continue }
            let name = columns[left].name.lowercased()
            guard name == "window_start" || name == "window_end", columns[right].name.lowercased() == name else {
                continue
            }
            equated[name] = (left, right - width)
        }
        guard equated["window_start"] != nil, let ends = equated["window_end"] else { return nil }
        return .window(leftEnd: ends.left, rightEnd: ends.right)
    }

    /// A column, or a column plus or minus a day-to-second interval, as (column, microseconds added).
    private static func timeTerm(_ expression: CompiledExpression) -> (column: Int, shift: Int64)? {
        switch expression {
        case let .column(column): return (column, 0)
        case let .shiftTime(.column(column), .literal(.integer(amount)), subtract, months: false):
            return (column, subtract ? -amount : amount)
        default: return nil
        }
    }
}

extension Planner {
    /// `a JOIN b USING (c, ...)`: the join ON a.c = b.c ..., then its columns with each USING
    /// column once (first, unqualified: the left's, the right's for a RIGHT JOIN, either's for
    /// a FULL JOIN), as Flink gives them to `SELECT *`.
    func joinUsing(
        _ kind: JoinKind, _ leftReference: TableReference, _ rightReference: TableReference,
        columns: [Identifier]
    ) throws(SQLError) -> (PlanNode, Scope) {
        let (_, leftScope) = try tableReference(leftReference)
        let (_, rightScope) = try tableReference(rightReference)
        // Each side's one column of the name, and the qualifier that names it there.
        func find(
            _ name: Identifier, in scope: Scope, side: String
        ) throws(SQLError) -> (index: Int, qualifier: String?) {
            let found = scope.schema.columns.indices.filter {
                scope.schema.columns[$0].name.lowercased() == name.name.lowercased()
            }
            guard found.count == 1 else {
                throw SQLError(
                    .plan,
                    found.isEmpty
                        ? "USING (\(name.name)): the \(side) side has no column \(name.name)"
                        : "USING (\(name.name)): the \(side) side has \(found.count) columns of that name",
                    at: name.range)
            }
            return (found[0], scope.qualifiers[found[0]])
        }
        var conjuncts: [SQLSyntax.Expression] = []
        var pairs: [(left: Int, right: Int)] = []
        for name in columns {
            let left = try find(name, in: leftScope, side: "left"),
                right = try find(name, in: rightScope, side: "right")
            guard let leftQualifier = left.qualifier, let rightQualifier = right.qualifier,
                leftQualifier.lowercased() != rightQualifier.lowercased()
            else {
                throw SQLError(
                    .plan, "USING (\(name.name)) needs each side named (FROM a JOIN b USING ..., or aliases)",
                    at: name.range)
            }
            let range = name.range
            func reference(_ qualifier: String, _ index: Int, _ scope: Scope) -> SQLSyntax.Expression {
                SQLSyntax.Expression(
                    .column(
                        qualifier: Identifier(qualifier, range: range),
                        name: Identifier(scope.schema.columns[index].name, range: range)), range: range)
            }
            conjuncts.append(
                SQLSyntax.Expression(
                    .binary(
                        .equal, reference(leftQualifier, left.index, leftScope),
                        reference(rightQualifier, right.index, rightScope)), range: range))
            pairs.append((left.index, right.index))
        }
        let condition = conjuncts.dropFirst().reduce(conjuncts[0]) {
            SQLSyntax.Expression(.binary(.and, $0, $1), range: $1.range)
        }
        let (node, scope) = try join(kind, leftReference, rightReference, condition: condition)
        let width = leftScope.schema.columns.count
        var expressions: [CompiledExpression] = []
        var outputColumns: [Column] = []
        var qualifiers: [String?] = []
        for pair in pairs {
            let left = CompiledExpression.column(pair.left), right = CompiledExpression.column(width + pair.right)
            switch kind {
            case .right: expressions.append(right)
            case .full: expressions.append(.call(.coalesce, [left, right]))
            default: expressions.append(left)
            }
            var column = node.schema.columns[kind == .right ? width + pair.right : pair.left]
            column.nullable =
                kind == .full
                ? node.schema.columns[pair.left].nullable && node.schema.columns[width + pair.right].nullable
                : column.nullable
            outputColumns.append(column)
            qualifiers.append(nil)
        }
        let used = Set(pairs.map(\.left) + pairs.map { width + $0.right })
        for index in node.schema.columns.indices where !used.contains(index) {
            expressions.append(.column(index))
            outputColumns.append(node.schema.columns[index])
            qualifiers.append(scope.qualifiers[index])
        }
        let schema = Schema(outputColumns)
        let projected = PlanNode(
            .project(expressions, texts: schema.names), inputs: [node], schema: schema,
            label: "Project(USING \(columns.map(\.name).joined(separator: ", ")))")
        var result = Scope(schema, qualifiers: qualifiers)
        result.joined = scope.joined
        return (projected, result)
    }
}
