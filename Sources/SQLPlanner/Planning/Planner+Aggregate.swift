import SQLSyntax
import SQLValues

/// Grouped queries: GROUP BY with group windows (TUMBLE, HOP, SESSION and their _START,
/// _END, _ROWTIME), with the windows of a table-valued function (window_start, window_end),
/// or without windows (a changelog); aggregates in the select list and HAVING.
extension Planner {
    static let groupWindows: Set<String> = ["TUMBLE", "HOP", "SESSION"]

    /// The window table-valued function whose rows `node` gives, through WHERE clauses between
    /// it and its GROUP BY (they keep its columns where they are).
    static func windowFunction(under node: PlanNode) -> WindowSpec? {
        switch node.kind {
        case let .assignWindows(spec): return spec
        case .filter: return windowFunction(under: node.inputs[0])
        default: return nil
        }
    }

    func aggregate(_ select: Select, input given: PlanNode, scope: Scope) throws(SQLError) -> PlanNode {
        var input = given
        let compiler = ExpressionCompiler(catalog: catalog, scope: scope)
        var window: (spec: WindowSpec, name: String, arguments: String, eventTime: Bool)?
        var keyExpressions: [SQLSyntax.Expression] = []
        for item in select.groupBy {
            if case let .function(call) = item.kind, Self.groupWindows.contains(call.name.name.uppercased()) {
                guard window == nil else {
                    throw SQLError(.plan, "a query groups by one window at most", at: item.range)
                }
                window = try groupWindow(call, scope: scope)
            } else {
                keyExpressions.append(item)
            }
        }
        // Windows from a window table-valued function: GROUP BY window_start, window_end, ...
        var assignedWindow: (start: Int, end: Int, time: Int)?
        var sessionFunction = false
        let windowFunction = Self.windowFunction(under: input)
        if window == nil, let spec = windowFunction, case .session = spec.kind {
            // SESSION's: sessions per key of its PARTITION BY, which the GROUP BY names besides
            // window_start and window_end, as Flink requires.
            let windowColumns: Set<String> = ["window_start", "window_end"]
            let named = keyExpressions.compactMap { key -> String? in
                if case let .column(_, name) = key.kind { name.name.lowercased() } else { nil }
            }
            let partitions = spec.partitionBy.map { input.schema.columns[$0].name.lowercased() }
            guard windowColumns.isSubset(of: named), keyExpressions.count == named.count,
                Set(named).subtracting(windowColumns) == Set(partitions)
            else {
                throw SQLError(
                    .plan,
                    "SESSION as a table-valued function feeds a window aggregation: GROUP BY window_start, window_end"
                        + (partitions.isEmpty
                            ? ""
                            : ", " + spec.partitionBy.map { input.schema.columns[$0].name }.joined(separator: ", "))
                        + " (its PARTITION BY columns, and no others)", at: select.groupBy.first?.range)
            }
            keyExpressions.removeAll {
                if case let .column(_, name) = $0.kind {
                    return windowColumns.contains(name.name.lowercased())
                } else {
                    return false
                }
            }
            let eventTime = input.schema.columns[spec.timeColumn].timeAttribute == .rowtime
            window = (WindowSpec(kind: spec.kind, timeColumn: spec.timeColumn), "SESSION", "", eventTime)
            sessionFunction = true
        } else if window == nil, windowFunction != nil {
            let names = input.schema.names
            let start = names.lastIndex(of: "window_start"), end = names.lastIndex(of: "window_end"),
                time = names.lastIndex(of: "window_time")
            let groupsByBoth = [start, end].allSatisfy { index in
                keyExpressions.contains {
                    if case let .column(_, name) = $0.kind { return name.name == names[index!] } else { return false }
                }
            }
            if let start, let end, let time, groupsByBoth {
                assignedWindow = (start, end, time)
                keyExpressions.removeAll {
                    if case let .column(_, name) = $0.kind {
                        return name.name == "window_start" || name.name == "window_end"
                    } else {
                        return false
                    }
                }
            }
        }

        // Keys.
        var keys: [CompiledExpression] = []
        var columns: [Column] = []
        var substitutions: [String: Int] = [:]
        for (position, key) in keyExpressions.enumerated() {
            let typed = try compiler.compile(key)
            keys.append(typed.expression)
            var column = Column(
                name: Self.defaultName(key, position: position), type: typed.type, nullable: typed.nullable)
            if case .char = column.type { column.type = .string }
            columns.append(column)
            substitutions[key.description] = columns.count - 1
        }
        // GROUPING SETS: each row expanded once per set, grouped by every key (NULL where its set
        // leaves the key out) and by which keys those are — one flag a key, GROUPING()'s answer.
        if let given = select.groupingSets {
            // A window (TUMBLE(...) in GROUP BY, or a table function's window_start and window_end)
            // is in every set, as Flink requires: the sets are of the other keys, per window.
            let windowParts = Set(
                select.groupBy.filter { key in
                    if case let .function(call) = key.kind, Self.groupWindows.contains(call.name.name.uppercased()) {
                        return true
                    }
                    if assignedWindow != nil, case let .column(_, name) = key.kind {
                        return ["window_start", "window_end"].contains(name.name.lowercased())
                    }
                    return false
                }.map(\.description))
            guard given.allSatisfy({ windowParts.isSubset(of: Set($0.map(\.description))) }) else {
                throw SQLError(
                    .plan,
                    "every grouping set keeps the window (\(windowParts.sorted().joined(separator: ", "))), as in Flink",
                    at: select.groupBy.first?.range)
            }
            let sets = given.map { $0.filter { !windowParts.contains($0.description) } }
            let names = keyExpressions.map(\.description)
            let expansions = sets.map { set -> [CompiledExpression] in
                let present = Set(set.map(\.description))
                return keys.indices.map { present.contains(names[$0]) ? keys[$0] : .literal(.null) }
                    + keys.indices.map { .literal(.integer(present.contains(names[$0]) ? 0 : 1)) }
            }
            let width = input.schema.columns.count
            columns =
                columns.map { column in
                    var nullable = column
                    nullable.nullable = true
                    return nullable
                } + keyExpressions.indices.map { Column(name: "$grouping\($0)", type: .int, nullable: false) }
            let setsText = sets.map { "(" + $0.map(\.description).joined(separator: ", ") + ")" }.joined(
                separator: ", ")
            input = PlanNode(
                .expand(expansions), inputs: [input], schema: Schema(input.schema.columns + columns),
                label: "Expand(GROUPING SETS (\(setsText)))")
            keys = columns.indices.map { .column(width + $0) }
            for position in keyExpressions.indices {
                substitutions["$grouping\(position)"] = keyExpressions.count + position
            }
        }

        // Aggregates, and window properties, found in the select list and HAVING.
        var aggregates: [AggregateCall] = []
        var aggregateColumns: [String: Int] = [:]
        var rewritten: [SelectItem] = []
        var failure: SQLError?
        func replace(_ expression: SQLSyntax.Expression) -> SQLSyntax.Expression {
            ExpressionWalker.rewrite(expression) { node in
                guard failure == nil, case let .function(call) = node.kind else { return nil }
                let name = call.name.name.uppercased()
                if name == "GROUPING" {
                    // GROUPING(a, b): a bit a key, 1 where the row's grouping set leaves the key out.
                    var result: SQLSyntax.Expression?
                    for argument in call.arguments {
                        guard let key = argument.expression,
                            let position = keyExpressions.firstIndex(where: { $0.description == key.description })
                        else {
                            failure = SQLError(.plan, "GROUPING takes keys of the GROUP BY", at: node.range)
                            return nil
                        }
                        let bit =
                            select.groupingSets == nil
                            ? SQLSyntax.Expression(.literal(.integer("0")), range: node.range)
                            : Self.placeholder("$grouping\(position)", at: node.range)
                        result =
                            result.map {
                                SQLSyntax.Expression(
                                    .binary(
                                        .plus,
                                        SQLSyntax.Expression(
                                            .binary(
                                                .multiply, $0,
                                                SQLSyntax.Expression(.literal(.integer("2")), range: node.range)),
                                            range: node.range), bit), range: node.range)
                            } ?? bit
                    }
                    if result == nil {
                        failure = SQLError(.plan, "GROUPING takes keys of the GROUP BY", at: node.range)
                    }
                    return result
                }
                if call.over != nil {
                    failure = SQLError(
                        .unsupported,
                        "\(call.name) OVER (...) in a grouped query: GROUP BY in a subquery and aggregate over its rows outside",
                        at: node.range)
                    return nil
                }
                if catalog.isAggregate(name) {
                    let text = node.description.uppercased()
                    if aggregateColumns[text] == nil {
                        do throws(SQLError) {
                            aggregates.append(
                                try aggregateCall(call, name: name, compiler: compiler, range: node.range))
                            aggregateColumns[text] = aggregates.count - 1
                        } catch {
                            failure = error
                            return nil
                        }
                    }
                    return Self.placeholder("$agg\(aggregateColumns[text]!)", at: node.range)
                }
                if let window, name.hasPrefix(window.name + "_") {
                    let arguments = call.arguments.compactMap(\.expression).map(\.description).joined(separator: ", ")
                    guard arguments.uppercased() == window.arguments.uppercased() else {
                        failure = SQLError(
                            .plan,
                            "\(name)(\(arguments)) does not match the window in GROUP BY: \(window.name)(\(window.arguments))",
                            at: node.range)
                        return nil
                    }
                    switch name.dropFirst(window.name.count + 1) {
                    case "START": return Self.placeholder("$window_start", at: node.range)
                    case "END": return Self.placeholder("$window_end", at: node.range)
                    case "ROWTIME", "PROCTIME": return Self.placeholder("$window_time", at: node.range)
                    default: return nil
                    }
                }
                if ExpressionCompiler.windowFunctionNames.contains(name), window == nil {
                    failure = SQLError(
                        .plan, "\(name) needs the window \(name.split(separator: "_")[0])(...) in GROUP BY",
                        at: node.range)
                }
                return nil
            }
        }
        for item in select.items {
            switch item {
            case let .expression(value, alias):
                let replaced = replace(value)
                rewritten.append(
                    .expression(replaced, alias: alias ?? Self.implicitAlias(value, position: rewritten.count)))
            case .wildcard:
                rewritten.append(item)
            }
        }
        let having = select.having.map(replace)
        if let failure { throw failure }

        // The node and its output columns: keys, aggregates, then the window's start, end and time.
        for (position, aggregate) in aggregates.enumerated() {
            columns.append(
                Column(
                    name: "EXPR$\(keyExpressions.count + position)", type: aggregate.resultType,
                    nullable: !aggregate.isCount))
            substitutions["$agg\(position)"] = columns.count - 1
        }
        if window != nil || assignedWindow != nil, !input.appendOnly {
            // As in Flink: a window's result is final when it fires, so its rows cannot be taken back.
            throw SQLError(
                .unsupported,
                "a window aggregates insertions only, and its input updates rows (an upsert-kafka table, "
                    + "a GROUP BY without a window, an outer join): aggregate it without a window",
                at: select.groupBy.first?.range)
        }
        let node: PlanNode
        let aggregateText = (keys.indices.map { "key \(columns[$0].name)" } + aggregates.map(\.text)).joined(
            separator: ", ")
        if let window {
            let timeType = input.schema.columns[window.spec.timeColumn].type
            columns.append(Column(name: "window_start", type: Self.windowBoundType(timeType), nullable: false))
            columns.append(Column(name: "window_end", type: Self.windowBoundType(timeType), nullable: false))
            columns.append(
                Column(
                    name: "window_time", type: timeType, nullable: false,
                    timeAttribute: window.eventTime ? .rowtime : .proctime))
            node = PlanNode(
                .windowAggregate(window.spec, keys: keys, aggregates: aggregates, eventTime: window.eventTime),
                inputs: [input],
                schema: Schema(columns),
                label:
                    "WindowAggregate(\(window.spec.description) on \(input.schema.columns[window.spec.timeColumn].name); \(aggregateText))"
            )
        } else if let assignedWindow {
            let eventTime = input.schema.columns[assignedWindow.time].timeAttribute == .rowtime
            columns.append(input.schema.columns[assignedWindow.start])
            columns.append(input.schema.columns[assignedWindow.end])
            columns.append(input.schema.columns[assignedWindow.time])
            let spec = WindowSpec(
                kind: .assigned(start: assignedWindow.start, end: assignedWindow.end), timeColumn: assignedWindow.time)
            node = PlanNode(
                .windowAggregate(spec, keys: keys, aggregates: aggregates, eventTime: eventTime), inputs: [input],
                schema: Schema(columns),
                label: "WindowAggregate(by window_start, window_end; \(aggregateText))")
            // The TVF's columns may also be named as they are.
            substitutions["window_start"] = columns.count - 3
            substitutions["window_end"] = columns.count - 2
            substitutions["window_time"] = columns.count - 1
        } else {
            // In batch mode the groups are emitted once, final, at the end: insertions only.
            let batch = catalog.setting("execution.runtime-mode", default: "streaming").lowercased() == "batch"
            node = PlanNode(
                .aggregate(keys: keys, aggregates: aggregates), inputs: [input], schema: Schema(columns),
                label: "GroupAggregate(\(aggregateText)\(input.appendOnly ? "" : "; taking back updated rows"))",
                appendOnly: batch)
        }
        if sessionFunction {
            // The table function's columns by their names.
            substitutions["window_start"] = columns.count - 3
            substitutions["window_end"] = columns.count - 2
            substitutions["window_time"] = columns.count - 1
        }
        if window != nil || assignedWindow != nil {
            // A window's start, end and time are the node's last three columns.
            substitutions["$window_start"] = columns.count - 3
            substitutions["$window_end"] = columns.count - 2
            substitutions["$window_time"] = columns.count - 1
        }

        var after = ExpressionCompiler(catalog: catalog, scope: Scope(node.schema))
        after.substitutions = substitutions
        after.columnsVisible = false
        after.groupedInput = scope.schema
        after.groupingContext =
            keyExpressions.isEmpty && window == nil && assignedWindow == nil
            ? " (the query aggregates every row into one: add it to GROUP BY or aggregate it)"
            : " (add it to GROUP BY or wrap it in an aggregate such as MAX)"
        var result = node
        if let having {
            let predicate = try after.compile(having)
            try after.requireBoolean(predicate, having, "HAVING")
            result = PlanNode(
                .filter(predicate.expression, text: select.having!.description), inputs: [result],
                schema: result.schema,
                label: "Filter(HAVING \(select.having!))")
        }
        result = try project(rewritten, input: result, scope: Scope(result.schema), compiler: after)
        if select.distinct {
            result = PlanNode(.distinct, inputs: [result], schema: result.schema, label: "Distinct", appendOnly: false)
        }
        return result
    }

    static func placeholder(_ name: String, at range: SourceRange) -> SQLSyntax.Expression {
        SQLSyntax.Expression(.column(qualifier: nil, name: Identifier(name, range: range)), range: range)
    }

    /// Select items keep the name Flink gives them even after their expression is rewritten.
    static func implicitAlias(_ expression: SQLSyntax.Expression, position: Int) -> Identifier? {
        let name = defaultName(expression, position: position)
        return Identifier(name, range: expression.range)
    }

    /// TUMBLE(ts, size), HOP(ts, slide, size), SESSION(ts, gap) in GROUP BY.
    func groupWindow(
        _ call: FunctionCall, scope: Scope
    ) throws(SQLError) -> (spec: WindowSpec, name: String, arguments: String, eventTime: Bool) {
        let name = call.name.name.uppercased()
        let expected = name == "HOP" ? 3 : 2
        let arguments = call.arguments.compactMap(\.expression)
        guard arguments.count == expected || arguments.count == expected + 1 else {
            let shape =
                name == "HOP" ? "HOP(time, slide, size)" : "\(name)(time, \(name == "SESSION" ? "gap" : "size"))"
            throw SQLError(.plan, "\(shape) takes \(expected) arguments", at: call.range)
        }
        guard case let .column(qualifier, column) = arguments[0].kind else {
            throw SQLError(.plan, "\(name)'s first argument is a time column", at: arguments[0].range)
        }
        let timeColumn = try self.timeColumn(column, qualifier: qualifier, in: scope, window: name)
        let first = try Self.intervalMicros(arguments[1], catalog: catalog, what: "\(name)'s interval")
        let kind: WindowSpec.Kind
        switch name {
        case "TUMBLE": kind = .tumble(size: first)
        case "HOP":
            let size = try Self.intervalMicros(arguments[2], catalog: catalog, what: "HOP's size")
            kind = .hop(size: size, slide: first)
        default: kind = .session(gap: first)
        }
        let offset =
            arguments.count > expected
            ? try Self.intervalMicros(arguments[expected], catalog: catalog, what: "\(name)'s offset") : 0
        let eventTime = scope.schema.columns[timeColumn].timeAttribute == .rowtime
        return (
            WindowSpec(kind: kind, timeColumn: timeColumn, offset: offset), name,
            arguments.map(\.description).joined(separator: ", "), eventTime
        )
    }

    func aggregateCall(
        _ call: FunctionCall, name: String, compiler: ExpressionCompiler, range: SourceRange
    ) throws(SQLError) -> AggregateCall {
        let text = SQLSyntax.Expression(.function(call), range: range).description
        // FILTER (WHERE c): the argument becomes NULL on the other rows, which aggregates skip.
        var filter: CompiledExpression?
        if let condition = call.filter {
            guard !containsAggregate(condition) else {
                throw SQLError(.plan, "aggregates cannot be nested", at: condition.range)
            }
            let compiled = try compiler.compile(condition)
            guard case .boolean = compiled.type else {
                throw SQLError(.plan, "FILTER needs a condition, not \(compiled.type)", at: condition.range)
            }
            filter = compiled.expression
        }
        if call.star {
            guard name == "COUNT" else {
                throw SQLError(.plan, "\(name)(*) is not an aggregate: only COUNT(*) is", at: range)
            }
            return AggregateCall(
                kind: .count, argument: filter.map { .caseWhen([($0, .literal(.integer(1)))], otherwise: nil) },
                distinct: false,
                resultType: .bigint, text: text)
        }
        let values = call.arguments.compactMap(\.expression)
        guard !values.isEmpty else { throw SQLError(.plan, "\(name) needs an argument", at: range) }
        for value in values where containsAggregate(value) {
            throw SQLError(.plan, "aggregates cannot be nested", at: value.range)
        }
        var argument = try compiler.compile(values[0])
        if let filter { argument.expression = .caseWhen([(filter, argument.expression)], otherwise: nil) }
        func numeric() throws(SQLError) {
            guard argument.type.isNumeric else {
                throw SQLError(.plan, "\(name) needs a number, not \(argument.type)", at: values[0].range)
            }
        }
        let kind: AggregateCall.Kind
        var type = argument.type
        switch name {
        case "COUNT":
            kind = .count
            type = .bigint
        case "SUM":
            try numeric()
            kind = .sum
            if case let .decimal(_, scale) = type { type = .decimal(precision: 38, scale: scale) }
        case "AVG":
            try numeric()
            kind = .avg
            if case let .decimal(_, scale) = type { type = .decimal(precision: 38, scale: max(scale, 6)) }
        case "MIN", "MAX":
            kind = name == "MIN" ? .min : .max
        case "FIRST_VALUE", "LAST_VALUE":
            kind = name == "FIRST_VALUE" ? .firstValue : .lastValue
        case "STDDEV_POP", "STDDEV_SAMP", "VAR_POP", "VAR_SAMP":
            try numeric()
            kind = .variance(population: name.hasSuffix("_POP"), root: name.hasPrefix("STDDEV"))
            // As AVG's (Flink's): an integer argument gives an integer.
            if case let .decimal(_, scale) = type { type = .decimal(precision: 38, scale: max(scale, 6)) }
        case "LAG", "LEAD":
            guard call.over != nil else {
                throw SQLError(
                    .plan,
                    "\(name) is a window function: \(name)(value [, offset [, default]]) OVER (PARTITION BY ... ORDER BY rowtime)",
                    at: range)
            }
            guard name == "LAG" else { throw Self.leadIsNotStreaming(at: range) }
            guard values.count <= 3 else {
                throw SQLError(
                    .plan, "LAG takes a value, an offset and a default, not \(values.count) arguments", at: range)
            }
            var offset = 1
            if values.count > 1 {
                guard case let .literal(.integer(text)) = values[1].kind, let given = Int(text), given >= 0,
                    given <= 10_000
                else {
                    throw SQLError(.plan, "LAG's offset is a number of rows back (0 to 10000)", at: values[1].range)
                }
                offset = given
            }
            if values.count > 2 {
                let fallback = try compiler.compile(values[2])
                let typed =
                    fallback.type == argument.type || fallback.type == .null
                    ? fallback.expression
                    : .cast(fallback.expression, from: fallback.type, to: argument.type, isTry: true)
                argument.expression = .call(.makeRow, [argument.expression, typed])
            }
            kind = .lag(offset: offset, hasDefault: values.count > 2)
        case "LISTAGG":
            var separator = ","
            if values.count > 1 {
                guard case let .literal(.string(given)) = values[1].kind else {
                    throw SQLError(.plan, "LISTAGG's separator must be a constant string", at: values[1].range)
                }
                separator = given
            }
            kind = .listagg(separator: separator)
            type = .string
        default:
            guard let native = catalog.nativeAggregate(name) else {
                throw SQLError(.unsupported, "\(name) is not supported yet", at: range)
            }
            guard values.count == 1 else {
                throw SQLError(.plan, "\(native.name) takes 1 argument, not \(values.count)", at: range)
            }
            kind = .native(native)
            type = native.returns
            let cast: CompiledExpression =
                argument.type == native.parameter
                ? argument.expression
                : .cast(argument.expression, from: argument.type, to: native.parameter, isTry: true)
            return AggregateCall(kind: kind, argument: cast, distinct: call.distinct, resultType: type, text: text)
        }
        if case .char = type { type = .string }
        return AggregateCall(
            kind: kind, argument: argument.expression, distinct: call.distinct, resultType: type, text: text)
    }
}

extension Planner {
    /// LEAD OVER (...) would hold every row back until the rows after it came.
    static func leadIsNotStreaming(at range: SourceRange) -> SQLError {
        SQLError(
            .unsupported,
            "LEAD needs rows that have not come yet: a streaming query has LAG only (as Flink's); "
                + "LAG over the opposite order, or a self-join, gives the next row", at: range)
    }
}

extension AggregateCall {
    var isCount: Bool {
        if case .count = kind { return true }
        return false
    }
}
