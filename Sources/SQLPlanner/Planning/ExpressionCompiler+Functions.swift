import Foundation
import SQLSyntax
import SQLValues

/// Function calls: built-ins by name, and functions defined with CREATE FUNCTION.
extension ExpressionCompiler {
    package static let aggregateNames: Set<String> = [
        "COUNT", "SUM", "AVG", "MIN", "MAX", "FIRST_VALUE", "LAST_VALUE", "LISTAGG",
        "STDDEV_POP", "STDDEV_SAMP", "VAR_POP", "VAR_SAMP", "LAG", "LEAD",
    ]
    /// The numbering functions of a Top-N (`… OVER (PARTITION BY … ORDER BY …)`).
    package static let rankingFunctionNames: Set<String> = ["ROW_NUMBER", "RANK", "DENSE_RANK"]

    /// The positions of the built-ins' string parameters: a number or a time given there is
    /// an error naming the argument (as Flink's validation says), not a NULL at run time.
    static let stringParameters: [String: [Int]] = [
        "UPPER": [0], "LOWER": [0], "INITCAP": [0], "CHAR_LENGTH": [0], "CHARACTER_LENGTH": [0], "SUBSTRING": [0],
        "SUBSTR": [0],
        "REPLACE": [0, 1, 2], "TRIM": [0], "LTRIM": [0], "RTRIM": [0], "REGEXP_EXTRACT": [0], "REGEXP": [0],
        "REGEXP_REPLACE": [0],
        "SPLIT_INDEX": [0, 1], "LPAD": [0, 2], "RPAD": [0, 2], "REPEAT": [0], "LEFT": [0], "RIGHT": [0], "REVERSE": [0],
        "TO_BASE64": [0], "FROM_BASE64": [0], "ASCII": [0], "MD5": [0], "SHA1": [0], "SHA256": [0], "SHA384": [0],
        "SHA512": [0],
        "SHA2": [0], "POSITION": [0, 1], "LOCATE": [0, 1], "INSTR": [0, 1], "JSON_QUERY": [0, 1],
        "JSON_EXISTS": [0, 1], "IS_JSON": [0],
        "SPLIT": [0, 1], "STR_TO_MAP": [0, 1, 2],
    ]

    package static let windowFunctionNames: Set<String> = [
        "TUMBLE", "HOP", "SESSION", "CUMULATE", "TUMBLE_START", "TUMBLE_END", "TUMBLE_ROWTIME", "TUMBLE_PROCTIME",
        "HOP_START", "HOP_END", "HOP_ROWTIME", "HOP_PROCTIME", "SESSION_START", "SESSION_END", "SESSION_ROWTIME",
        "SESSION_PROCTIME",
    ]

    func call(_ call: FunctionCall, range: SourceRange) throws(SQLError) -> TypedExpression {
        let name = call.name.name.uppercased()
        if call.over != nil {
            throw SQLError(
                .plan,
                "\(name) OVER (...) belongs directly in a select list; for a Top-N: SELECT * FROM (SELECT ..., "
                    + "ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...) AS rownum FROM t) WHERE rownum <= 10",
                at: range)
        }
        if catalog.isAggregate(name) {
            throw SQLError(
                .plan,
                "aggregate \(name) is not allowed here (aggregates belong in the select list or HAVING of a grouped query)",
                at: range)
        }
        if Self.windowFunctionNames.contains(name) {
            throw SQLError(
                .plan,
                name.contains("_")
                    ? "\(name) needs the same window in GROUP BY (GROUP BY \(name.split(separator: "_")[0])(...))"
                    : "\(name)(...) belongs in GROUP BY (or use the table-valued form in FROM: TABLE(\(name)(TABLE t, DESCRIPTOR(ts), ...)))",
                at: range)
        }
        var arguments: [TypedExpression] = []
        for argument in call.arguments {
            guard let expression = argument.expression else {
                throw SQLError(.plan, "\(name) takes values, not TABLE or DESCRIPTOR arguments", at: range)
            }
            arguments.append(try compile(expression))
        }
        if let defined = catalog.function(call.name.name) {
            return try sqlFunction(defined, arguments, range: range)
        }
        if let native = catalog.nativeScalar(call.name.name) {
            guard arguments.count == native.parameters.count else {
                throw SQLError(
                    .plan, "\(native.name) takes \(native.parameters.count) argument(s), not \(arguments.count)",
                    at: range)
            }
            let casted = zip(arguments, native.parameters).map { argument, parameter -> CompiledExpression in
                argument.type == parameter
                    ? argument.expression : .cast(argument.expression, from: argument.type, to: parameter, isTry: true)
            }
            return TypedExpression(.call(.native(native), casted), native.returns)
        }
        func expect(_ counts: ClosedRange<Int>) throws(SQLError) {
            guard counts.contains(arguments.count) else {
                let count =
                    counts.lowerBound == counts.upperBound
                    ? "\(counts.lowerBound)" : "\(counts.lowerBound) to \(counts.upperBound)"
                throw SQLError(
                    .plan,
                    "\(name) takes \(count) argument\(counts.upperBound == 1 ? "" : "s"), not \(arguments.count)",
                    at: range)
            }
        }
        func constantString(_ position: Int) throws(SQLError) -> String {
            guard case let .literal(.string(text)) = call.arguments[position].expression?.kind else {
                throw SQLError(
                    .unsupported, "\(name)'s argument \(position + 1) must be a constant string here", at: range)
            }
            return text
        }
        for position in Self.stringParameters[name] ?? [] where position < arguments.count {
            let type = arguments[position].type
            guard Self.isString(type) || type == .null else {
                throw SQLError(
                    .plan, "\(name) takes a string as argument \(position + 1), not \(type) (CAST it AS STRING)",
                    at: call.arguments[position].expression?.range ?? range)
            }
        }
        let values = arguments.map(\.expression)
        let nullable = arguments.contains(where: \.nullable)
        switch name {
        case "TO_TIMESTAMP":
            try expect(1...2)
            return TypedExpression(
                .call(.toTimestamp(format: arguments.count > 1 ? try constantString(1) : nil), [values[0]]),
                .timestamp(3))
        case "TO_TIMESTAMP_LTZ":
            try expect(1...2)
            var precision = 3
            if arguments.count > 1 {
                guard case let .literal(.integer(text))? = call.arguments[1].expression?.kind, let given = Int(text),
                    given == 0 || given == 3
                else {
                    throw SQLError(.plan, "TO_TIMESTAMP_LTZ's precision is 0 (seconds) or 3 (milliseconds)", at: range)
                }
                precision = given
            }
            return TypedExpression(
                .call(.toTimestampLTZ(precision: precision), [values[0]]), .timestampLTZ(3), nullable: nullable)
        case "DATE_FORMAT":
            try expect(2...2)
            return TypedExpression(.call(.dateFormat(try constantString(1)), [values[0]]), .string, nullable: nullable)
        case "FROM_UNIXTIME":
            try expect(1...2)
            return TypedExpression(
                .call(
                    .fromUnixtime(format: arguments.count > 1 ? try constantString(1) : "yyyy-MM-dd HH:mm:ss"),
                    [values[0]]), .string, nullable: nullable)
        case "UNIX_TIMESTAMP":
            try expect(0...2)
            if arguments.isEmpty {
                return TypedExpression(
                    .call(.extract(.epoch), [.call(.currentTimestamp(catalog.clock), [])]), .bigint, nullable: false)
            }
            return TypedExpression(
                .call(.unixTimestamp(format: arguments.count > 1 ? try constantString(1) : nil), [values[0]]), .bigint)
        case "CURRENT_TIMESTAMP", "NOW", "LOCALTIMESTAMP", "CURRENT_ROW_TIMESTAMP":
            try expect(0...0)
            return TypedExpression(
                .call(.currentTimestamp(catalog.clock), []),
                name == "LOCALTIMESTAMP" ? .timestamp(3) : .timestampLTZ(3),
                nullable: false)
        case "CURRENT_DATE":
            try expect(0...0)
            return TypedExpression(.call(.currentDate(catalog.clock), []), .date, nullable: false)
        case "CURRENT_TIME", "LOCALTIME":
            try expect(0...0)
            return TypedExpression(.call(.currentTime(catalog.clock), []), .time(0), nullable: false)
        case "TO_DATE":
            try expect(1...2)
            return TypedExpression(
                .call(.toDate(format: arguments.count > 1 ? try constantString(1) : nil), [values[0]]), .date)
        case "LPAD", "RPAD":
            try expect(3...3)
            return TypedExpression(.call(name == "LPAD" ? .lpad : .rpad, values), .string)
        case "REPEAT", "LEFT", "RIGHT":
            try expect(2...2)
            return TypedExpression(
                .call(name == "REPEAT" ? .repeatText : name == "LEFT" ? .left : .right, values), .string,
                nullable: nullable)
        case "REVERSE", "TO_BASE64":
            try expect(1...1)
            return TypedExpression(.call(name == "REVERSE" ? .reverse : .toBase64, values), .string, nullable: nullable)
        case "MD5", "SHA1", "SHA256", "SHA384", "SHA512":
            try expect(1...1)
            let function: HashFunction =
                switch name {
                case "MD5": .md5
                case "SHA1": .sha1
                case "SHA256": .sha256
                case "SHA384": .sha384
                default: .sha512
                }
            return TypedExpression(.call(.digest(function), [values[0]]), .string, nullable: nullable)
        case "SHA2":
            try expect(2...2)
            guard case let .literal(.integer(text)) = call.arguments[1].expression?.kind, let bits = Int64(text) else {
                throw SQLError(
                    .unsupported, "SHA2's length must be a constant number of bits (256, 384 or 512)", at: range)
            }
            guard let function = HashFunction(sha2Bits: bits) else {
                throw SQLError(.unsupported, "SHA2 of \(bits) bits is not supported: 256, 384 and 512 are", at: range)
            }
            return TypedExpression(.call(.digest(function), [values[0]]), .string, nullable: nullable)
        case "JSON_QUERY", "JSON_EXISTS":
            try expect(name == "JSON_QUERY" ? 2...3 : 2...2)
            return name == "JSON_QUERY"
                ? TypedExpression(.call(.jsonQuery, values), .string)
                : TypedExpression(.call(.jsonExists, values), .boolean, nullable: nullable)
        case "JSON_STRING":
            try expect(1...1)
            return TypedExpression(.call(.jsonString(arguments[0].type), values), .string, nullable: nullable)
        case "IS_JSON":
            try expect(1...2)
            // IS JSON's test is never NULL: a NULL is not JSON.
            return TypedExpression(.call(.isJSON, values), .boolean, nullable: false)
        case "CARDINALITY", "ELEMENT", "ARRAY_DISTINCT", "MAP_KEYS", "MAP_VALUES":
            try expect(1...1)
            switch (name, arguments[0].type) {
            case ("CARDINALITY", .array), ("CARDINALITY", .map), ("CARDINALITY", .multiset), ("CARDINALITY", .null):
                return TypedExpression(.call(.cardinality, values), .int, nullable: nullable)
            case let ("ELEMENT", .array(element)):
                return TypedExpression(.call(.soleElement, values), element)
            case ("ARRAY_DISTINCT", .array):
                return TypedExpression(.call(.arrayDistinct, values), arguments[0].type, nullable: nullable)
            case let ("MAP_KEYS", .map(key, _)):
                return TypedExpression(.call(.mapKeys, values), .array(key), nullable: nullable)
            case let ("MAP_VALUES", .map(_, value)):
                return TypedExpression(.call(.mapValues, values), .array(value), nullable: nullable)
            default:
                let wanted = name.hasPrefix("MAP") ? "a MAP" : name == "CARDINALITY" ? "an ARRAY or a MAP" : "an ARRAY"
                throw SQLError(.plan, "\(name) takes \(wanted), not \(arguments[0].type)", at: range)
            }
        case "ARRAY_CONTAINS":
            try expect(2...2)
            guard case .array = arguments[0].type else {
                throw SQLError(.plan, "ARRAY_CONTAINS takes an ARRAY first, not \(arguments[0].type)", at: range)
            }
            return TypedExpression(.call(.arrayContains, values), .boolean)
        case "ARRAY_JOIN":
            try expect(2...3)
            guard case .array = arguments[0].type else {
                throw SQLError(.plan, "ARRAY_JOIN takes an ARRAY first, not \(arguments[0].type)", at: range)
            }
            return TypedExpression(.call(.arrayJoin, values), .string)
        case "SPLIT":
            try expect(2...2)
            return TypedExpression(.call(.split, values), .array(.string), nullable: nullable)
        case "STR_TO_MAP":
            try expect(1...3)
            return TypedExpression(.call(.stringToMap, values), .map(.string, .string), nullable: nullable)
        case "INSTR":
            // INSTR(text, part) is POSITION(part IN text).
            try expect(2...2)
            return TypedExpression(.call(.position, [values[1], values[0]]), .int, nullable: nullable)
        case "HEX", "BIN":
            try expect(1...1)
            guard name == "HEX" || ValueParser.integerRange(arguments[0].type) != nil || arguments[0].type == .null
            else {
                throw SQLError(.plan, "BIN takes an integer, not \(arguments[0].type)", at: range)
            }
            return TypedExpression(.call(name == "HEX" ? .hex : .binary, values), .string, nullable: nullable)
        case "ATAN2":
            try expect(2...2)
            return TypedExpression(.call(.atan2, values), .double, nullable: nullable)
        case "E":
            try expect(0...0)
            return TypedExpression(.call(.euler, []), .double, nullable: false)
        case "RAND", "RAND_INTEGER":
            // A seed would make each call site's sequence repeatable: not kept yet.
            try expect(name == "RAND" ? 0...0 : 1...1)
            return name == "RAND"
                ? TypedExpression(.call(.random, []), .double, nullable: false)
                : TypedExpression(.call(.randomInteger, values), .int, nullable: nullable)
        case _ where MathFunction(rawValue: name) != nil:
            try expect(1...1)
            return TypedExpression(.call(.math(MathFunction(rawValue: name)!), values), .double, nullable: nullable)
        case "FROM_BASE64":
            try expect(1...1)
            return TypedExpression(.call(.fromBase64, values), .string)
        case "ASCII":
            try expect(1...1)
            return TypedExpression(.call(.ascii, values), .int, nullable: nullable)
        case "CHR":
            try expect(1...1)
            return TypedExpression(.call(.chr, values), .string)
        case "UUID":
            try expect(0...0)
            return TypedExpression(.call(.uuid, []), .string, nullable: false)
        case "PI":
            try expect(0...0)
            return TypedExpression(.call(.pi, []), .double, nullable: false)
        case "SIGN":
            try expect(1...1)
            guard arguments[0].type.isNumeric else {
                throw SQLError(.plan, "SIGN needs a number, not \(arguments[0].type)", at: range)
            }
            return TypedExpression(.call(.sign, values), arguments[0].type, nullable: nullable)
        case "LOG10", "LOG2":
            try expect(1...1)
            return TypedExpression(.call(name == "LOG10" ? .log10 : .log2, values), .double, nullable: nullable)
        case "LOG":
            try expect(1...2)
            return TypedExpression(.call(.logarithm, values), .double, nullable: nullable)
        case "GREATEST", "LEAST":
            try expect(1...255)
            let type = try commonType(arguments.map(\.type), at: range)
            return TypedExpression(
                .call(name == "GREATEST" ? .greatest : .least, values.map { coerce($0, to: type) }), type,
                nullable: nullable)
        case "PROCTIME":
            try expect(0...0)
            return TypedExpression(.call(.proctime(catalog.clock), []), .timestampLTZ(3), nullable: false)
        case "YEAR", "QUARTER", "MONTH", "WEEK", "DAYOFMONTH", "DAYOFYEAR", "DAYOFWEEK", "HOUR", "MINUTE", "SECOND":
            try expect(1...1)
            let unit: TimeUnit = [
                "YEAR": .year, "QUARTER": .quarter, "MONTH": .month, "WEEK": .week, "DAYOFMONTH": .day,
                "DAYOFYEAR": .dayOfYear,
                "DAYOFWEEK": .dayOfWeek, "HOUR": .hour, "MINUTE": .minute, "SECOND": .second,
            ][name]!
            return TypedExpression(.call(.extract(unit), values), .bigint, nullable: nullable)
        case "UPPER", "LOWER", "INITCAP":
            try expect(1...1)
            return TypedExpression(
                .call(name == "UPPER" ? .upper : name == "LOWER" ? .lower : .initcap, values), .string,
                nullable: nullable)
        case "CHAR_LENGTH", "CHARACTER_LENGTH":
            try expect(1...1)
            return TypedExpression(.call(.charLength, values), .int, nullable: nullable)
        case "CONCAT":
            try expect(1...255)
            return TypedExpression(.call(.concat, values), .string, nullable: nullable)
        case "CONCAT_WS":
            try expect(2...255)
            return TypedExpression(.call(.concatWs, values), .string)
        case "SUBSTRING", "SUBSTR":
            try expect(2...3)
            return TypedExpression(.call(.substring, values), .string, nullable: nullable)
        case "REPLACE":
            try expect(3...3)
            return TypedExpression(.call(.replace, values), .string, nullable: nullable)
        case "TRIM", "LTRIM", "RTRIM":
            try expect(name == "TRIM" ? 1...1 : 1...2)
            let side: TrimSide = name == "LTRIM" ? .leading : name == "RTRIM" ? .trailing : .both
            // LTRIM(text, characters): the trim takes the characters first.
            if values.count == 2 {
                return TypedExpression(
                    .call(.trim(side, characters: true), [values[1], values[0]]), .string, nullable: nullable)
            }
            return TypedExpression(.call(.trim(side, characters: false), values), .string, nullable: nullable)
        case "OVERLAY":
            try expect(3...4)
            return TypedExpression(.call(.overlay, values), .string, nullable: nullable)
        case "REGEXP_EXTRACT", "REGEXP", "REGEXP_REPLACE":
            try expect(name == "REGEXP_EXTRACT" ? 2...3 : name == "REGEXP" ? 2...2 : 3...3)
            // A literal pattern is compiled once, here (and its mistake reported here); another per row.
            var regex: NSRegularExpression?
            if case let .literal(.string(pattern))? = call.arguments[1].expression?.kind {
                do { regex = try JavaRegex.compile(pattern) } catch {
                    throw SQLError(.plan, "'\(pattern)' is not a regular expression", at: range)
                }
            }
            switch name {
            case "REGEXP":
                return TypedExpression(.call(.regexpMatches(regex, whole: false), values), .boolean, nullable: nullable)
            case "REGEXP_REPLACE":
                return TypedExpression(.call(.regexpReplace(regex), values), .string, nullable: nullable)
            default: return TypedExpression(.call(.regexpExtract(regex), values), .string)
            }
        case "SPLIT_INDEX":
            try expect(3...3)
            return TypedExpression(.call(.splitIndex, values), .string)
        case "POSITION", "LOCATE":
            // LOCATE(needle, text, from): the first place at or after `from`.
            try expect(name == "LOCATE" ? 2...3 : 2...2)
            return TypedExpression(.call(.position, values), .int, nullable: nullable)
        case "ABS":
            try expect(1...1)
            return TypedExpression(
                .call(.abs(bits: NumericKind.bits(of: arguments[0].type)), values), arguments[0].type,
                nullable: nullable)
        case "ROUND", "TRUNCATE":
            try expect(1...2)
            guard arguments[0].type.isNumeric else {
                throw SQLError(.plan, "\(name) needs a number, not \(arguments[0].type)", at: range)
            }
            // A DECIMAL keeps the places asked for (a constant), at most its own.
            var type = arguments[0].type
            if case let .decimal(precision, scale) = type {
                var places = 0
                if arguments.count > 1, case let .literal(.integer(text))? = call.arguments[1].expression?.kind {
                    places = Int(text) ?? 0
                }
                type = .decimal(precision: precision, scale: max(0, min(scale, places)))
            }
            return TypedExpression(
                .call(name == "ROUND" ? .round(bits: NumericKind.bits(of: type)) : .truncate, values), type,
                nullable: nullable)
        case "MOD":
            try expect(2...2)
            return TypedExpression(
                .call(.mod, values), Self.arithmeticType(arguments[0].type, arguments[1].type, .modulo).1)
        case "POWER", "SQRT", "LN", "EXP":
            try expect(name == "POWER" ? 2...2 : 1...1)
            let function: BuiltinFunction = ["POWER": .power, "SQRT": .sqrt, "LN": .ln, "EXP": .exp][name]!
            return TypedExpression(.call(function, values), .double, nullable: nullable)
        case "FLOOR", "CEIL", "CEILING":
            try expect(1...1)
            return TypedExpression(
                .call(name == "FLOOR" ? .floorNumber : .ceilNumber, values), Self.wholeNumberType(arguments[0].type),
                nullable: nullable)
        case "COALESCE":
            try expect(1...255)
            let type = try commonType(arguments.map(\.type), at: range)
            return TypedExpression(
                .call(.coalesce, values.map { coerce($0, to: type) }), type, nullable: arguments.allSatisfy(\.nullable))
        case "IF":
            try expect(3...3)
            try requireBoolean(arguments[0], call.arguments[0].expression!, "IF")
            let type = try commonType([arguments[1].type, arguments[2].type], at: range)
            return TypedExpression(
                .call(.ifThenElse, [values[0], coerce(values[1], to: type), coerce(values[2], to: type)]), type)
        case "NULLIF":
            try expect(2...2)
            return TypedExpression(.call(.nullIf, values), arguments[0].type)
        default:
            let known = BuiltinFunction.names + catalog.functionNames + Array(Self.aggregateNames)
            let suggestion = TableOptions.nearest(name, among: known)
            throw SQLError(
                .plan, "unknown function \(call.name)\(suggestion.map { "; did you mean \($0)?" } ?? "")",
                at: call.name.range)
        }
    }

    /// FLOOR and CEIL of a DECIMAL(p, s) are DECIMAL(p - s + 1, 0); other numbers keep their type.
    static func wholeNumberType(_ type: DataType) -> DataType {
        if case let .decimal(precision, scale) = type {
            return .decimal(precision: max(1, precision - scale + 1), scale: 0)
        }
        return type
    }

    /// A CREATE FUNCTION body, with its arguments cast to the declared parameter types.
    func sqlFunction(
        _ function: CreateFunction, _ arguments: [TypedExpression], range: SourceRange
    ) throws(SQLError) -> TypedExpression {
        guard arguments.count == function.parameters.count else {
            throw SQLError(
                .plan, "\(function.name) takes \(function.parameters.count) argument(s), not \(arguments.count)",
                at: range)
        }
        let parameters = Schema(function.parameters.map { Column(name: $0.name.name, type: $0.type) })
        let body = try ExpressionCompiler(catalog: catalog, scope: Scope(parameters)).compile(function.body)
        let casted = zip(arguments, function.parameters).map { argument, parameter -> CompiledExpression in
            argument.type == parameter.type
                ? argument.expression : .cast(argument.expression, from: argument.type, to: parameter.type, isTry: true)
        }
        let result =
            body.type == function.returnType
            ? body.expression : .cast(body.expression, from: body.type, to: function.returnType, isTry: true)
        return TypedExpression(.call(.sqlFunction(name: function.name.name, body: result), casted), function.returnType)
    }
}
