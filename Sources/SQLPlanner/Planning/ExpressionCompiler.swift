import Foundation
import SQLSyntax
import SQLValues

/// The columns an expression can see: a schema, with the table name or alias of each column.
package struct Scope: Sendable {
    var schema: Schema
    var qualifiers: [String?]
    /// The rows of a regular join, whose columns lost their time attributes (for the error).
    var joined = false

    package init(_ schema: Schema, qualifier: String? = nil) {
        self.schema = schema
        qualifiers = Array(repeating: qualifier, count: schema.columns.count)
    }

    init(_ schema: Schema, qualifiers: [String?]) {
        self.schema = schema
        self.qualifiers = qualifiers
    }
}

/// Resolves and types expressions against a scope. After GROUP BY, `substitutions` map the
/// printed text of grouped expressions, aggregates and window properties to the columns that
/// hold them, and any other column is an error.
package struct ExpressionCompiler {
    let catalog: Catalog
    let scope: Scope
    var substitutions: [String: Int] = [:]
    /// Whether plain columns may be used (false after GROUP BY: only substitutions).
    var columnsVisible = true
    /// What the query is doing, for error messages about plain columns after GROUP BY.
    var groupingContext = ""
    /// After GROUP BY: the columns before grouping, to tell "not grouped" from "unknown".
    var groupedInput: Schema?

    package init(catalog: Catalog, scope: Scope) {
        self.catalog = catalog
        self.scope = scope
    }

    package func compile(_ expression: SQLSyntax.Expression) throws(SQLError) -> TypedExpression {
        if !substitutions.isEmpty, let index = substitutions[expression.description] {
            let column = scope.schema.columns[index]
            return TypedExpression(.column(index), column.type, nullable: column.nullable)
        }
        let range = expression.range
        switch expression.kind {
        case let .column(qualifier, name):
            return try column(qualifier: qualifier?.name, name: name.name, range: range)
        case let .literal(literal):
            return try self.literal(literal, range: range)
        case let .unary(operation, operand):
            let typed = try compile(operand)
            switch operation {
            case .not:
                try requireBoolean(typed, operand, "NOT")
                return TypedExpression(.not(typed.expression), .boolean, nullable: typed.nullable)
            case .plus:
                return typed
            case .minus:
                guard typed.type.isNumeric || Self.isInterval(typed.type) else {
                    throw SQLError(.plan, "cannot negate a value of type \(typed.type)", at: range)
                }
                if Self.isInteger(typed.type) {
                    // 0 - x at the type's width: -(INT's least value) wraps around to itself, as in Java.
                    return TypedExpression(
                        .arithmetic(
                            .minus, .literal(.integer(0)), typed.expression,
                            result: .integer(bits: NumericKind.bits(of: typed.type))),
                        typed.type, nullable: typed.nullable)
                }
                return TypedExpression(.negate(typed.expression), typed.type, nullable: typed.nullable)
            }
        case let .binary(operation, left, right):
            return try binary(operation, left, right, range: range)
        case let .function(call):
            return try self.call(call, range: range)
        case let .cast(operand, type, isTry):
            let typed = try compile(operand)
            if typed.type.isNumeric, Self.isTemporalPoint(type) {
                // As Flink's validation: a number has no one meaning as a point in time.
                let hint =
                    if case .timestampLTZ = type { "TO_TIMESTAMP_LTZ(number, precision)" } else {
                        "TO_TIMESTAMP(FROM_UNIXTIME(seconds))"
                    }
                throw SQLError(
                    .plan, "a number cannot be cast to \(type) (seconds or milliseconds?): use \(hint)", at: range)
            }
            return TypedExpression(
                .cast(typed.expression, from: typed.type, to: type, isTry: isTry), type,
                nullable: typed.nullable || isTry)
        case let .caseWhen(operand, branches, otherwise):
            let subject = try operand.map(compile)
            var compiled: [(condition: CompiledExpression, result: CompiledExpression)] = []
            var results: [TypedExpression] = []
            for branch in branches {
                var condition = try compile(branch.condition)
                if let subject {
                    try checkComparable(subject.type, condition.type, at: branch.condition.range)
                    condition = TypedExpression(.compare(.equal, subject.expression, condition.expression), .boolean)
                } else {
                    try requireBoolean(condition, branch.condition, "WHEN")
                }
                let result = try compile(branch.result)
                compiled.append((condition.expression, result.expression))
                results.append(result)
            }
            let elseResult = try otherwise.map(compile)
            let type = try commonType((results + (elseResult.map { [$0] } ?? [])).map(\.type), at: range)
            return TypedExpression(
                .caseWhen(
                    compiled.map { ($0.condition, coerce($0.result, to: type)) },
                    otherwise: elseResult.map { coerce($0.expression, to: type) }),
                type, nullable: elseResult == nil || results.contains(where: \.nullable) || elseResult!.nullable)
        case let .isPredicate(operand, test, negated):
            let typed = try compile(operand)
            switch test {
            case .null: return TypedExpression(.isNull(typed.expression, negated: negated), .boolean, nullable: false)
            case .true:
                return TypedExpression(.isBoolean(typed.expression, true, negated: negated), .boolean, nullable: false)
            case .false:
                return TypedExpression(.isBoolean(typed.expression, false, negated: negated), .boolean, nullable: false)
            case .unknown:
                return TypedExpression(.isBoolean(typed.expression, nil, negated: negated), .boolean, nullable: false)
            }
        case let .inList(operand, list, negated):
            let typed = try compile(operand)
            var values: [CompiledExpression] = []
            for item in list {
                let candidate = try compile(item)
                try checkComparable(typed.type, candidate.type, at: item.range)
                values.append(candidate.expression)
            }
            return TypedExpression(.inList(typed.expression, values, negated: negated), .boolean)
        case let .between(operand, low, high, negated):
            let typed = try compile(operand), lower = try compile(low), upper = try compile(high)
            try checkComparable(typed.type, lower.type, at: low.range)
            try checkComparable(typed.type, upper.type, at: high.range)
            let inside = CompiledExpression.and([
                .compare(.greaterOrEqual, typed.expression, lower.expression),
                .compare(.lessOrEqual, typed.expression, upper.expression),
            ])
            return TypedExpression(negated ? .not(inside) : inside, .boolean)
        case let .like(operand, pattern, escape, negated, similar):
            let typed = try compile(operand)
            guard Self.isString(typed.type) else {
                throw SQLError(
                    .plan, "\(similar ? "SIMILAR TO" : "LIKE") needs a string, not \(typed.type)", at: operand.range)
            }
            var escapeCharacter: Character?
            if let escape {
                guard case let .literal(.string(text)) = escape.kind, text.count == 1 else {
                    throw SQLError(.plan, "ESCAPE takes one character in quotes", at: escape.range)
                }
                escapeCharacter = text.first
            }
            if similar {
                // SIMILAR TO: the pattern as an anchored regular expression, compiled once when it is a literal.
                var regex: NSRegularExpression?
                if case let .literal(.string(text)) = pattern.kind {
                    regex = BuiltinFunction.regex(nil, .string(text), similar: true, escape: escapeCharacter)
                    if regex == nil {
                        throw SQLError(.plan, "'\(text)' is not a SIMILAR TO pattern", at: pattern.range)
                    }
                } else if escapeCharacter != nil {
                    throw SQLError(.unsupported, "SIMILAR TO with ESCAPE needs its pattern as a literal", at: range)
                }
                let matches = CompiledExpression.call(
                    .regexpMatches(regex, whole: true), [typed.expression, try compile(pattern).expression])
                return TypedExpression(negated ? .not(matches) : matches, .boolean, nullable: typed.nullable)
            }
            if case let .literal(.string(text)) = pattern.kind {
                return TypedExpression(
                    .like(typed.expression, LikePattern(text, escape: escapeCharacter), negated: negated), .boolean)
            }
            let patternTyped = try compile(pattern)
            return TypedExpression(.likeDynamic(typed.expression, patternTyped.expression, negated: negated), .boolean)
        case let .extract(unit, operand):
            let typed = try compile(operand)
            guard Self.isTemporal(typed.type) else {
                throw SQLError(.plan, "EXTRACT needs a date, time or timestamp, not \(typed.type)", at: operand.range)
            }
            return TypedExpression(.call(.extract(unit), [typed.expression]), .bigint, nullable: typed.nullable)
        case let .floorCeil(ceil, operand, unit):
            let typed = try compile(operand)
            if let unit {
                guard Self.isTemporal(typed.type) else {
                    throw SQLError(
                        .plan, "\(ceil ? "CEIL" : "FLOOR")(... TO \(unit.rawValue)) needs a date or timestamp",
                        at: operand.range)
                }
                return TypedExpression(
                    .call(ceil ? .ceilTime(unit) : .floorTime(unit), [typed.expression]), typed.type,
                    nullable: typed.nullable)
            }
            guard typed.type.isNumeric else {
                throw SQLError(.plan, "\(ceil ? "CEIL" : "FLOOR") needs a number, not \(typed.type)", at: operand.range)
            }
            return TypedExpression(
                .call(ceil ? .ceilNumber : .floorNumber, [typed.expression]), Self.wholeNumberType(typed.type),
                nullable: typed.nullable)
        case let .timestampAdd(unit, amount, value):
            let count = try compile(amount), time = try compile(value)
            return TypedExpression(.call(.timestampAdd(unit), [count.expression, time.expression]), time.type)
        case let .timestampDiff(unit, from, to):
            let start = try compile(from), end = try compile(to)
            return TypedExpression(.call(.timestampDiff(unit), [start.expression, end.expression]), .int)
        case let .trim(side, characters, value):
            let text = try compile(value)
            let chosen = try characters.map(compile)
            return TypedExpression(
                .call(
                    .trim(side, characters: chosen != nil), (chosen.map { [$0.expression] } ?? []) + [text.expression]),
                .string)
        case let .substring(value, from, length):
            var arguments = [try compile(value).expression, try compile(from).expression]
            if let length { arguments.append(try compile(length).expression) }
            return TypedExpression(.call(.substring, arguments), .string)
        case let .position(needle, haystack):
            return TypedExpression(
                .call(.position, [try compile(needle).expression, try compile(haystack).expression]), .int)
        case let .jsonConstructor(call):
            var arguments: [CompiledExpression] = []
            var types: [DataType?] = []
            for (position, operand) in call.operands.enumerated() {
                let typed = try compile(operand)
                if call.object, position % 2 == 0, !Self.isString(typed.type) {
                    throw SQLError(.plan, "JSON_OBJECT's keys are strings, not \(typed.type)", at: operand.range)
                }
                arguments.append(typed.expression)
                // A JSON_OBJECT or JSON_ARRAY within goes in as JSON, not as a string of it.
                if case .jsonConstructor = operand.kind { types.append(nil) } else { types.append(typed.type) }
            }
            let function: BuiltinFunction =
                call.object
                ? .jsonObject(absentOnNull: call.absentOnNull, types: types)
                : .jsonArray(absentOnNull: call.absentOnNull, types: types)
            return TypedExpression(.call(function, arguments), .string, nullable: false)
        case let .jsonValue(call):
            let returning = call.returning ?? .string
            guard Self.isScalarForJSON(returning) else {
                throw SQLError(
                    .plan,
                    "JSON_VALUE returns a scalar type (STRING, BOOLEAN, a number, a date or time), not \(returning)",
                    at: expression.range)
            }
            var arguments = [try compile(call.document).expression, try compile(call.path).expression]
            // A default is the returned type: compiled as CAST(default AS type).
            func fallback(_ given: JSONValueCall.Fallback) throws(SQLError) -> BuiltinFunction.JSONFallback {
                switch given {
                case .null: return .null
                case .error: return .error
                case let .value(value):
                    arguments.append(
                        try compile(Expression(.cast(value, returning, isTry: false), range: value.range)).expression)
                    return .argument(arguments.count - 1)
                }
            }
            let onEmpty = try fallback(call.onEmpty), onError = try fallback(call.onError)
            return TypedExpression(
                .call(.jsonValue(returning: returning, onEmpty: onEmpty, onError: onError), arguments), returning)
        case let .element(collection, index):
            let container = try compile(collection), key = try compile(index)
            switch container.type {
            case let .array(element):
                guard key.type.isNumeric || key.type == .null else {
                    throw SQLError(.plan, "an array's index is a number (from 1), not \(key.type)", at: index.range)
                }
                return TypedExpression(
                    .call(.element, [container.expression, coerce(key.expression, to: .bigint)]), element)
            case let .map(keyType, valueType):
                try checkComparable(keyType, key.type, at: index.range)
                return TypedExpression(.call(.element, [container.expression, key.expression]), valueType)
            default:
                throw SQLError(
                    .plan, "\(collection) is a \(container.type), not an array or a map: [ ] cannot read it", at: range)
            }
        case let .field(value, field):
            if case let .column(nil, table) = value.kind,
                scope.qualifiers.contains(where: { $0 == table.name })
                    || !scope.qualifiers.contains(where: { $0 != nil })
            {
                // `t.a` read as a qualified column.
                return try column(qualifier: table.name, name: field.name, range: range)
            }
            let typed = try compile(value)
            guard case let .row(fields) = typed.type, let position = fields.firstIndex(where: { $0.name == field.name })
            else {
                throw SQLError(.plan, "\(value) has no field \(field.name)", at: field.range)
            }
            return TypedExpression(.field(typed.expression, position), fields[position].type)
        case .inSubquery:
            throw SQLError(
                .unsupported, "IN (subquery) is supported as a condition of WHERE, joined with AND: \(expression)",
                at: range)
        case let .constructor(kind, elements):
            var typed: [TypedExpression] = []
            for element in elements { typed.append(try compile(element)) }
            switch kind {
            case .row:
                let fields = typed.enumerated().map {
                    DataType.RowField(
                        name: "EXPR$\($0.offset)", type: $0.element.type == .null ? .string : $0.element.type)
                }
                return TypedExpression(.call(.makeRow, typed.map(\.expression)), .row(fields), nullable: false)
            case .array:
                let element = try commonType(typed.map(\.type), at: range)
                return TypedExpression(
                    .call(.makeArray, typed.map { coerce($0.expression, to: element) }),
                    .array(element == .null ? .string : element), nullable: false)
            case .map:
                guard typed.count % 2 == 0, !typed.isEmpty else {
                    throw SQLError(.plan, "MAP[...] takes keys and values in pairs", at: range)
                }
                let keys = stride(from: 0, to: typed.count, by: 2).map { typed[$0] },
                    values = stride(from: 1, to: typed.count, by: 2).map { typed[$0] }
                let keyType = try commonType(keys.map(\.type), at: range),
                    valueType = try commonType(values.map(\.type), at: range)
                var arguments: [CompiledExpression] = []
                for (key, value) in zip(keys, values) {
                    arguments += [coerce(key.expression, to: keyType), coerce(value.expression, to: valueType)]
                }
                return TypedExpression(
                    .call(.makeMap, arguments),
                    .map(keyType == .null ? .string : keyType, valueType == .null ? .string : valueType),
                    nullable: false)
            }
        case .subquery, .exists:
            throw SQLError(.unsupported, "\(expression) is not supported yet", at: range)
        }
    }

    // MARK: Columns and literals

    func column(qualifier: String?, name: String, range: SourceRange) throws(SQLError) -> TypedExpression {
        var candidates = scope.schema.columns.indices.filter { index in
            scope.schema.columns[index].name == name && (qualifier == nil || scope.qualifiers[index] == qualifier)
        }
        if candidates.isEmpty {
            candidates = scope.schema.columns.indices.filter { index in
                scope.schema.columns[index].name.lowercased() == name.lowercased()
                    && (qualifier == nil || scope.qualifiers[index]?.lowercased() == qualifier?.lowercased())
            }
        }
        if candidates.isEmpty, let groupedInput, groupedInput.index(of: name) != nil {
            throw SQLError(.plan, "column \(name) is neither grouped nor aggregated\(groupingContext)", at: range)
        }
        // `pos.x` where no table is called pos: the field x of the ROW column pos.
        if candidates.isEmpty, let qualifier,
            !scope.qualifiers.contains(where: { $0?.lowercased() == qualifier.lowercased() }),
            let row = try? column(qualifier: nil, name: qualifier, range: range), case let .row(fields) = row.type,
            let position = fields.firstIndex(where: { $0.name == name })
                ?? fields.firstIndex(where: { $0.name.lowercased() == name.lowercased() })
        {
            return TypedExpression(.field(row.expression, position), fields[position].type)
        }
        guard !candidates.isEmpty else {
            let all = scope.schema.names
            let suggestion = TableOptions.nearest(name, among: all)
            throw SQLError(
                .plan,
                "unknown column \(qualifier.map { "\($0)." } ?? "")\(name)"
                    + (suggestion.map { "; did you mean \($0)?" }
                        ?? (all.isEmpty ? "" : " (columns: \(all.joined(separator: ", ")))")),
                at: range)
        }
        guard candidates.count == 1 else {
            throw SQLError(.plan, "column \(name) is ambiguous: qualify it with its table", at: range)
        }
        guard columnsVisible else {
            throw SQLError(.plan, "column \(name) is neither grouped nor aggregated\(groupingContext)", at: range)
        }
        let column = scope.schema.columns[candidates[0]]
        return TypedExpression(.column(candidates[0]), column.type, nullable: column.nullable)
    }

    func literal(_ literal: Literal, range: SourceRange) throws(SQLError) -> TypedExpression {
        switch literal {
        case .null: return TypedExpression(.literal(.null), .null)
        case let .boolean(value): return TypedExpression(.literal(.boolean(value)), .boolean, nullable: false)
        case let .integer(text):
            if let value = Int32(text) {
                return TypedExpression(.literal(.integer(Int64(value))), .int, nullable: false)
            }
            if let value = Int64(text) { return TypedExpression(.literal(.integer(value)), .bigint, nullable: false) }
            guard let decimal = Decimal(string: text) else { throw SQLError(.plan, "\(text) is too large", at: range) }
            return TypedExpression(
                .literal(.decimal(decimal)), .decimal(precision: min(38, text.count), scale: 0), nullable: false)
        case let .decimal(text):
            if text.lowercased().contains("e") {
                guard let value = Double(text) else { throw SQLError(.plan, "\(text) is not a number", at: range) }
                return TypedExpression(.literal(.double(value)), .double, nullable: false)
            }
            guard let decimal = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
                throw SQLError(.plan, "\(text) is not a number", at: range)
            }
            let digits = text.filter(\.isNumber)
            let scale = text.split(separator: ".", omittingEmptySubsequences: false).last?.count ?? 0
            return TypedExpression(
                .literal(.decimal(decimal)), .decimal(precision: max(digits.count, scale, 1), scale: scale),
                nullable: false)
        case let .string(text):
            return TypedExpression(.literal(.string(text)), .char(max(text.count, 1)), nullable: false)
        case let .interval(value, from, to, negative):
            let (amount, months) = try Self.interval(value, from: from, to: to, range: range)
            return TypedExpression(
                .literal(.integer(negative ? -amount : amount)), .interval(yearToMonth: months), nullable: false)
        case let .date(text):
            guard let value = ValueParser.parse(text, as: .date) else {
                throw SQLError(.plan, "'\(text)' is not a date (yyyy-MM-dd)", at: range)
            }
            return TypedExpression(.literal(value), .date, nullable: false)
        case let .time(text):
            guard let value = ValueParser.parse(text, as: .time(0)) else {
                throw SQLError(.plan, "'\(text)' is not a time (HH:mm:ss)", at: range)
            }
            return TypedExpression(.literal(value), .time(0), nullable: false)
        case let .timestamp(text):
            guard let value = ValueParser.parse(text, as: .timestamp(3)) else {
                throw SQLError(.plan, "'\(text)' is not a timestamp (yyyy-MM-dd HH:mm:ss[.SSS])", at: range)
            }
            // TIMESTAMP(p) with p the fraction digits written, as Flink types the literal ('... 22:15:30.5' is TIMESTAMP(1)).
            let written =
                text.split(separator: ".").count > 1 ? text.split(separator: ".").last!.prefix { $0.isNumber }.count : 0
            return TypedExpression(.literal(value), .timestamp(min(written, 9)), nullable: false)
        }
    }

    /// An interval literal's amount: microseconds for day-time units, months for year-month ones.
    static func interval(
        _ text: String, from: TimeUnit, to: TimeUnit?, range: SourceRange
    ) throws(SQLError) -> (Int64, Bool) {
        let units: [TimeUnit] = [.year, .month, .day, .hour, .minute, .second]
        guard let first = units.firstIndex(of: from) else {
            throw SQLError(.plan, "INTERVAL ... \(from.rawValue) is not an interval unit", at: range)
        }
        let last = to.flatMap { units.firstIndex(of: $0) } ?? first
        let parts = text.split(whereSeparator: { ":- ".contains($0) }).map(String.init)
        guard parts.count == last - first + 1 || (parts.count == 1 && to == nil) else {
            throw SQLError(
                .plan, "'\(text)' does not match INTERVAL \(from.rawValue)\(to.map { " TO \($0.rawValue)" } ?? "")",
                at: range)
        }
        if first <= 1 {
            var months: Int64 = 0
            for (offset, part) in parts.enumerated() {
                guard let number = Int64(part) else { throw SQLError(.plan, "'\(text)' is not an interval", at: range) }
                months += units[first + offset] == .year ? number * 12 : number
            }
            return (months, true)
        }
        var micros: Int64 = 0
        for (offset, part) in parts.enumerated() {
            let unit = units[first + offset]
            guard let number = Double(part) else { throw SQLError(.plan, "'\(text)' is not an interval", at: range) }
            micros += Int64((number * Double(TimeArithmetic.fixedLength(unit)!)).rounded())
        }
        return (micros, false)
    }
}
