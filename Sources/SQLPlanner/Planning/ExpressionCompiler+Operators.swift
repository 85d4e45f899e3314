import Foundation
import SQLSyntax
import SQLValues

extension ExpressionCompiler {
    // MARK: Operators

    func binary(
        _ operation: BinaryOperator, _ left: SQLSyntax.Expression, _ right: SQLSyntax.Expression, range: SourceRange
    ) throws(SQLError) -> TypedExpression {
        let a = try compile(left), b = try compile(right)
        let nullable = a.nullable || b.nullable
        switch operation {
        case .and, .or:
            try requireBoolean(a, left, operation.rawValue)
            try requireBoolean(b, right, operation.rawValue)
            return TypedExpression(
                operation == .and ? .and([a.expression, b.expression]) : .or([a.expression, b.expression]), .boolean,
                nullable: nullable)
        case .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual, .isDistinctFrom, .isNotDistinctFrom:
            try checkComparable(a.type, b.type, at: range)
            let comparison: ComparisonOperator = [
                .equal: .equal, .notEqual: .notEqual, .less: .less, .lessOrEqual: .lessOrEqual, .greater: .greater,
                .greaterOrEqual: .greaterOrEqual, .isDistinctFrom: .distinctFrom, .isNotDistinctFrom: .notDistinctFrom,
            ][operation]!
            return TypedExpression(
                .compare(comparison, a.expression, b.expression), .boolean,
                nullable: nullable && operation != .isDistinctFrom && operation != .isNotDistinctFrom)
        case .concat:
            return TypedExpression(.concat(a.expression, b.expression), .string, nullable: nullable)
        case .plus, .minus, .multiply, .divide, .modulo:
            let arithmetic: ArithmeticOperator = [
                .plus: .plus, .minus: .minus, .multiply: .multiply, .divide: .divide, .modulo: .modulo,
            ][operation]!
            if Self.isTemporal(a.type), case let .interval(months) = b.type, operation == .plus || operation == .minus {
                return TypedExpression(
                    .shiftTime(a.expression, b.expression, subtract: operation == .minus, months: months),
                    a.type, nullable: nullable)
            }
            if case let .interval(months) = a.type, Self.isTemporal(b.type), operation == .plus {
                return TypedExpression(
                    .shiftTime(b.expression, a.expression, subtract: false, months: months), b.type, nullable: nullable)
            }
            guard a.type.isNumeric, b.type.isNumeric else {
                throw SQLError(.plan, "cannot apply \(operation.rawValue) to \(a.type) and \(b.type)", at: range)
            }
            let (kind, type) = Self.arithmeticType(a.type, b.type, operation)
            return TypedExpression(
                .arithmetic(arithmetic, a.expression, b.expression, result: kind), type,
                nullable: nullable || operation == .divide)
        }
    }

    static func arithmeticType(_ a: DataType, _ b: DataType, _ operation: BinaryOperator) -> (NumericKind, DataType) {
        if [a, b].contains(where: { $0 == .double || $0 == .float }) { return (.double, .double) }
        // An integer in decimal arithmetic counts as DECIMAL(10, 0) (INT) or DECIMAL(19, 0) (BIGINT), as in Flink.
        let integerPrecision: (DataType) -> Int = { [.tinyint: 3, .smallint: 5, .int: 10][$0] ?? 19 }
        if case let .decimal(p1, s1) = a {
            if case let .decimal(p2, s2) = b { return (.decimal, decimalResult(p1, s1, p2, s2, operation)) }
            return (.decimal, decimalResult(p1, s1, integerPrecision(b), 0, operation))
        }
        if case let .decimal(p2, s2) = b { return (.decimal, decimalResult(integerPrecision(a), 0, p2, s2, operation)) }
        let rank: (DataType) -> Int = { [.tinyint: 1, .smallint: 2, .int: 3, .bigint: 4][$0] ?? 4 }
        let type = rank(a) >= rank(b) ? a : b
        return (.integer(bits: NumericKind.bits(of: type)), type)
    }

    static func decimalResult(_ p1: Int, _ s1: Int, _ p2: Int, _ s2: Int, _ operation: BinaryOperator) -> DataType {
        switch operation {
        case .multiply: return .decimal(precision: min(38, p1 + p2), scale: min(38, s1 + s2))
        case .divide:
            let scale = max(6, s1 + p2 + 1)
            return .decimal(precision: min(38, p1 - s1 + s2 + scale), scale: min(scale, 38))
        default:
            let scale = max(s1, s2)
            return .decimal(precision: min(38, max(p1 - s1, p2 - s2) + scale + 1), scale: scale)
        }
    }

    func requireBoolean(_ typed: TypedExpression, _ source: SQLSyntax.Expression, _ context: String) throws(SQLError) {
        guard typed.type == .boolean || typed.type == .null else {
            throw SQLError(.plan, "\(context) needs a BOOLEAN, not \(typed.type)", at: source.range)
        }
    }

    func checkComparable(_ a: DataType, _ b: DataType, at range: SourceRange) throws(SQLError) {
        let families: [(DataType) -> Bool] = [
            { $0.isNumeric }, Self.isString, Self.isTemporalPoint, { $0 == .boolean }, { $0 == .date },
            {
                if case .time = $0 { return true }
                return false
            },
        ]
        if a == .null || b == .null { return }
        guard families.contains(where: { $0(a) && $0(b) }) else {
            throw SQLError(.plan, "cannot compare \(a) with \(b)", at: range)
        }
    }

    func commonType(_ types: [DataType], at range: SourceRange) throws(SQLError) -> DataType {
        let known = types.filter { $0 != .null }
        guard var result = known.first else { return .null }
        for type in known.dropFirst() where type != result {
            if Self.isString(result) && Self.isString(type) {
                result = .string
            } else if result.isNumeric && type.isNumeric {
                result = Self.arithmeticType(result, type, .plus).1
            } else if Self.isTemporalPoint(result) && Self.isTemporalPoint(type) {
                result = type
            } else if let wider = Self.sameValues(result, type) {
                result = wider
            } else {
                throw SQLError(
                    .plan, "the branches have types \(result) and \(type), which have no common type", at: range)
            }
        }
        if case .char = result, known.count > 1 { return .string }
        return result
    }

    /// The type of collections whose values need no conversion to be one type's: ARRAY<CHAR(1)>
    /// and ARRAY<STRING> are ARRAY<STRING> (strings are strings); nil when values would change.
    static func sameValues(_ a: DataType, _ b: DataType) -> DataType? {
        if a == b || b == .null { return a }
        if a == .null { return b }
        switch (a, b) {
        case _ where isString(a) && isString(b): return .string
        case let (.array(x), .array(y)): return sameValues(x, y).map { .array($0) }
        case let (.multiset(x), .multiset(y)): return sameValues(x, y).map { .multiset($0) }
        case let (.map(k1, v1), .map(k2, v2)):
            guard let key = sameValues(k1, k2), let value = sameValues(v1, v2) else { return nil }
            return .map(key, value)
        default: return nil
        }
    }

    /// A result converted to `type` when its representation differs (an integer branch of a DOUBLE CASE).
    func coerce(_ expression: CompiledExpression, to type: DataType) -> CompiledExpression {
        switch type {
        case .double, .float: return .cast(expression, from: .bigint, to: .double, isTry: true)
        case .decimal: return .cast(expression, from: .bigint, to: type, isTry: true)
        default: return expression
        }
    }

    static func isInteger(_ type: DataType) -> Bool {
        switch type {
        case .tinyint, .smallint, .int, .bigint: return true
        default: return false
        }
    }

    /// The types JSON_VALUE can return: one value, not a collection.
    static func isScalarForJSON(_ type: DataType) -> Bool {
        switch type {
        case .array, .map, .multiset, .row, .interval, .null, .binary, .varbinary: return false
        default: return true
        }
    }

    package static func isString(_ type: DataType) -> Bool {
        switch type {
        case .char, .varchar: return true
        default: return false
        }
    }

    package static func isTemporalPoint(_ type: DataType) -> Bool {
        switch type {
        case .timestamp, .timestampLTZ: return true
        default: return false
        }
    }

    static func isTemporal(_ type: DataType) -> Bool {
        switch type {
        case .timestamp, .timestampLTZ, .date: return true
        default: return false
        }
    }

    static func isInterval(_ type: DataType) -> Bool {
        if case .interval = type { return true }
        return false
    }
}
