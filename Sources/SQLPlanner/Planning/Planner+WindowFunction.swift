import SQLSyntax
import SQLValues

extension Planner {
    /// TUMBLE / HOP / CUMULATE / SESSION as table-valued functions (positional or named
    /// arguments). SESSION's windows are known only as sessions close: it feeds a window
    /// aggregation (GROUP BY window_start, window_end and its PARTITION BY columns), which
    /// keeps the sessions; its rows carry no window of their own.
    func windowFunction(_ call: FunctionCall) throws(SQLError) -> PlanNode {
        let name = call.name.name.uppercased()
        let parameters: [String]
        switch name {
        case "TUMBLE": parameters = ["DATA", "TIMECOL", "SIZE", "OFFSET"]
        case "HOP": parameters = ["DATA", "TIMECOL", "SLIDE", "SIZE", "OFFSET"]
        case "CUMULATE": parameters = ["DATA", "TIMECOL", "STEP", "SIZE", "OFFSET"]
        case "SESSION": parameters = ["DATA", "TIMECOL", "GAP"]
        default:
            throw SQLError(
                .plan, "unknown table-valued function \(call.name) (TUMBLE, HOP, CUMULATE, SESSION)",
                at: call.name.range)
        }
        var arguments: [String: FunctionArgument] = [:]
        for (position, argument) in call.arguments.enumerated() {
            let key = argument.name?.name.uppercased() ?? (position < parameters.count ? parameters[position] : "?")
            guard parameters.contains(key) else {
                throw SQLError(
                    .plan, "\(name) has no argument \(key) (it takes \(parameters.joined(separator: ", ")))",
                    at: call.range)
            }
            arguments[key] = argument
        }
        guard case let .table(table, partitionNames)? = arguments["DATA"]?.value else {
            throw SQLError(.plan, "\(name)'s first argument is the input: TABLE name", at: call.range)
        }
        if !partitionNames.isEmpty, name != "SESSION" {
            throw SQLError(
                .plan, "PARTITION BY is for SESSION's input; \(name) windows every row alike",
                at: partitionNames[0].range)
        }
        let (input, scope) = try tableReference(table)
        guard case let .descriptor(columns)? = arguments["TIMECOL"]?.value, columns.count == 1 else {
            throw SQLError(.plan, "\(name)'s second argument is the time column: DESCRIPTOR(column)", at: call.range)
        }
        let timeColumn = try self.timeColumn(columns[0], in: scope, window: name)
        func interval(_ key: String) throws(SQLError) -> Int64 {
            guard let expression = arguments[key]?.expression else {
                throw SQLError(.plan, "\(name) needs \(key) (an INTERVAL)", at: call.range)
            }
            return try Self.intervalMicros(expression, catalog: catalog, what: "\(name)'s \(key)")
        }
        let kind: WindowSpec.Kind
        switch name {
        case "TUMBLE": kind = .tumble(size: try interval("SIZE"))
        case "HOP":
            let size = try interval("SIZE"), slide = try interval("SLIDE")
            kind = .hop(size: size, slide: slide)
        case "SESSION":
            kind = .session(gap: try interval("GAP"))
        default:
            let size = try interval("SIZE"), step = try interval("STEP")
            guard size % step == 0 else {
                throw SQLError(.plan, "CUMULATE's SIZE must be a whole number of STEPs", at: call.range)
            }
            kind = .cumulate(step: step, size: size)
        }
        let offset = arguments["OFFSET"] == nil ? 0 : try interval("OFFSET")
        var spec = WindowSpec(kind: kind, timeColumn: timeColumn, offset: offset)
        let compiler = ExpressionCompiler(catalog: catalog, scope: scope)
        for column in partitionNames {
            guard
                case let .column(index) = try compiler.column(qualifier: nil, name: column.name, range: column.range)
                    .expression
            else {
                throw SQLError(.internalBug, "a column did not resolve to a column", at: column.range)
            }
            spec.partitionBy.append(index)
        }
        let timeType = input.schema.columns[timeColumn].type
        let eventTime = input.schema.columns[timeColumn].timeAttribute == .rowtime
        var schema = input.schema
        schema.columns.append(Column(name: "window_start", type: Self.windowBoundType(timeType), nullable: false))
        schema.columns.append(Column(name: "window_end", type: Self.windowBoundType(timeType), nullable: false))
        schema.columns.append(
            Column(name: "window_time", type: timeType, nullable: false, timeAttribute: eventTime ? .rowtime : nil))
        let partitions =
            spec.partitionBy.isEmpty
            ? "" : " partitioned by " + spec.partitionBy.map { input.schema.columns[$0].name }.joined(separator: ", ")
        return PlanNode(
            .assignWindows(spec), inputs: [input], schema: schema,
            label: "\(spec.description) on \(input.schema.columns[timeColumn].name)\(partitions)")
    }

    static func windowBoundType(_ timeType: DataType) -> DataType {
        if case .timestampLTZ = timeType { return .timestampLTZ(3) }
        return .timestamp(3)
    }

    /// The column a window is defined on, which must be a time attribute.
    func timeColumn(
        _ identifier: Identifier, qualifier: Identifier? = nil, in scope: Scope, window: String
    ) throws(SQLError) -> Int {
        let compiler = ExpressionCompiler(catalog: catalog, scope: scope)
        guard
            case let .column(index) = try compiler.column(
                qualifier: qualifier?.name, name: identifier.name, range: identifier.range
            ).expression
        else {
            throw SQLError(.internalBug, "a column did not resolve to a column", at: identifier.range)
        }
        guard scope.schema.columns[index].timeAttribute != nil else {
            let type = scope.schema.columns[index].type
            if scope.joined {
                throw SQLError(
                    .plan,
                    """
                    \(window) needs a time attribute, and \(identifier.name) is not one here: a regular join's rows come in no \
                    order of time, so its result has no time attributes (as in Flink) — window each input before joining them
                    """, at: identifier.range)
            }
            throw SQLError(
                .plan,
                """
                \(window) needs a time attribute, and \(identifier.name) (\(type)) is not one: declare it with \
                WATERMARK FOR \(identifier.name) AS \(identifier.name) - INTERVAL '5' SECOND in the table \
                (or use a processing-time column, \(identifier.name) AS PROCTIME())
                """, at: identifier.range)
        }
        return index
    }

    static func intervalMicros(
        _ expression: SQLSyntax.Expression, catalog: Catalog, what: String
    ) throws(SQLError) -> Int64 {
        let typed = try ExpressionCompiler(catalog: catalog, scope: Scope(Schema([]))).compile(expression)
        guard case .interval(yearToMonth: false) = typed.type,
            case let .integer(micros) = try typed.expression.evaluate([]), micros > 0
        else {
            throw SQLError(
                .plan, "\(what) must be a positive interval of days to seconds (INTERVAL '5' SECOND)",
                at: expression.range)
        }
        return micros
    }
}
