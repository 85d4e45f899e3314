import Foundation
import SQLSyntax

extension CompiledExpression {
    /// The expression's value for `row`. SQL's three-valued logic: NULL in, NULL out, except
    /// where SQL says otherwise (AND/OR, IS NULL, CASE, COALESCE).
    func evaluate(_ row: Row) throws(SQLError) -> Value {
        switch self {
        case let .column(index):
            return row[index]
        case let .literal(value):
            return value
        case let .negate(operand):
            switch try operand.evaluate(row) {
            case let .integer(value): return .integer(0 &- value)
            case let .double(value): return .double(-value)
            case let .decimal(value): return .decimal(-value)
            default: return .null
            }
        case let .arithmetic(operation, left, right, kind):
            return try Self.arithmetic(operation, try left.evaluate(row), try right.evaluate(row), kind)
        case let .compare(operation, left, right):
            let a = try left.evaluate(row), b = try right.evaluate(row)
            switch operation {
            case .distinctFrom: return .boolean(!Self.same(a, b))
            case .notDistinctFrom: return .boolean(Self.same(a, b))
            default: break
            }
            guard let order = Self.compare(a, b) else { return .null }
            switch operation {
            case .equal: return .boolean(order == 0)
            case .notEqual: return .boolean(order != 0)
            case .less: return .boolean(order < 0)
            case .lessOrEqual: return .boolean(order <= 0)
            case .greater: return .boolean(order > 0)
            case .greaterOrEqual: return .boolean(order >= 0)
            default: return .null
            }
        case let .concat(left, right):
            let a = try left.evaluate(row), b = try right.evaluate(row)
            if a.isNull || b.isNull { return .null }
            return .string(ValueFormatter.plain(a) + ValueFormatter.plain(b))
        case let .and(operands):
            var sawNull = false
            for operand in operands {
                switch try operand.evaluate(row) {
                case .boolean(false): return .boolean(false)
                case .null: sawNull = true
                default: break
                }
            }
            return sawNull ? .null : .boolean(true)
        case let .or(operands):
            var sawNull = false
            for operand in operands {
                switch try operand.evaluate(row) {
                case .boolean(true): return .boolean(true)
                case .null: sawNull = true
                default: break
                }
            }
            return sawNull ? .null : .boolean(false)
        case let .not(operand):
            if case let .boolean(value) = try operand.evaluate(row) { return .boolean(!value) }
            return .null
        case let .isNull(operand, negated):
            return .boolean(try operand.evaluate(row).isNull != negated)
        case let .isBoolean(operand, expected, negated):
            let value = try operand.evaluate(row)
            let matches: Bool
            if let expected { matches = value == .boolean(expected) } else { matches = value.isNull }
            return .boolean(matches != negated)
        case let .inList(operand, list, negated):
            let value = try operand.evaluate(row)
            if value.isNull { return .null }
            var sawNull = false
            for candidate in list {
                let other = try candidate.evaluate(row)
                if other.isNull { sawNull = true } else if Self.compare(value, other) == 0 { return .boolean(!negated) }
            }
            return sawNull ? .null : .boolean(negated)
        case let .like(operand, pattern, negated):
            guard case let .string(text) = try operand.evaluate(row) else { return .null }
            return .boolean(pattern.matches(text) != negated)
        case let .likeDynamic(operand, patternExpression, negated):
            guard case let .string(text) = try operand.evaluate(row), case let .string(pattern) = try patternExpression.evaluate(row) else { return .null }
            return .boolean(LikePattern(pattern).matches(text) != negated)
        case let .caseWhen(branches, otherwise):
            for branch in branches where try branch.condition.evaluate(row).isTrue { return try branch.result.evaluate(row) }
            return try otherwise?.evaluate(row) ?? .null
        case let .cast(operand, from, to, isTry):
            let value = try operand.evaluate(row)
            if let converted = Casting.cast(value, from: from, to: to) { return converted }
            if isTry { return .null }
            throw SQLError(.execution, "cannot cast \(ValueFormatter.display(value, type: from)) of type \(from) to \(to) (TRY_CAST gives NULL instead)")
        case let .call(.toTimestamp(format), arguments) where arguments.count == 1:
            return BuiltinFunction.toTimestamp(try arguments[0].evaluate(row), format: format)
        case let .call(function, arguments):
            var values: [Value] = []
            values.reserveCapacity(arguments.count)
            for argument in arguments { values.append(try argument.evaluate(row)) }
            return try function.apply(values)
        case let .field(value, position):
            guard case let .row(fields) = try value.evaluate(row), position < fields.count else { return .null }
            return fields[position]
        case let .shiftTime(time, interval, subtract, months):
            let base = try time.evaluate(row)
            guard case let .integer(amount) = try interval.evaluate(row), let micros = TimeArithmetic.micros(of: base) else { return .null }
            let signed = subtract ? -amount : amount
            return TimeArithmetic.rebuild(months ? TimeArithmetic.addMonths(signed, to: micros) : micros + signed, like: base)
        }
    }

    static func arithmetic(_ operation: ArithmeticOperator, _ a: Value, _ b: Value, _ kind: NumericKind) throws(SQLError) -> Value {
        if a.isNull || b.isNull { return .null }
        switch kind {
        case .integer:
            guard case let .integer(x) = a, case let .integer(y) = b else { return .null }
            switch operation {
            case .plus: return .integer(x &+ y)
            case .minus: return .integer(x &- y)
            case .multiply: return .integer(x &* y)
            case .divide:
                guard y != 0 else { throw SQLError(.execution, "division by zero") }
                return .integer(x / y)
            case .modulo:
                guard y != 0 else { throw SQLError(.execution, "division by zero") }
                return .integer(x % y)
            }
        case .double:
            guard let x = a.doubleValue, let y = b.doubleValue else { return .null }
            switch operation {
            case .plus: return .double(x + y)
            case .minus: return .double(x - y)
            case .multiply: return .double(x * y)
            case .divide: return .double(x / y)
            case .modulo: return .double(fmod(x, y))
            }
        case .decimal:
            guard let x = decimal(a), let y = decimal(b) else { return .null }
            switch operation {
            case .plus: return .decimal(x + y)
            case .minus: return .decimal(x - y)
            case .multiply: return .decimal(x * y)
            case .divide:
                guard y != 0 else { throw SQLError(.execution, "division by zero") }
                return .decimal(x / y)
            case .modulo:
                guard y != 0 else { throw SQLError(.execution, "division by zero") }
                let quotient = NSDecimalNumber(decimal: x / y).int64Value
                return .decimal(x - Decimal(quotient) * y)
            }
        }
    }

    static func decimal(_ value: Value) -> Decimal? {
        switch value {
        case let .integer(number): return Decimal(number)
        case let .decimal(number): return number
        case let .double(number): return Decimal(number)
        default: return nil
        }
    }

    /// Three-way comparison of two values of comparable types; nil when either is NULL or
    /// they cannot be compared.
    static func compare(_ a: Value, _ b: Value) -> Int? {
        switch (a, b) {
        case (.null, _), (_, .null): return nil
        case let (.integer(x), .integer(y)): return x < y ? -1 : x == y ? 0 : 1
        case let (.string(x), .string(y)): return x < y ? -1 : x == y ? 0 : 1
        case let (.boolean(x), .boolean(y)): return x == y ? 0 : (!x ? -1 : 1)
        case let (.date(x), .date(y)): return x < y ? -1 : x == y ? 0 : 1
        case let (.time(x), .time(y)): return x < y ? -1 : x == y ? 0 : 1
        case let (.timestamp(x), .timestamp(y)), let (.timestampLTZ(x), .timestampLTZ(y)),
             let (.timestamp(x), .timestampLTZ(y)), let (.timestampLTZ(x), .timestamp(y)):
            return x < y ? -1 : x == y ? 0 : 1
        case (.decimal, _), (_, .decimal):
            guard let x = decimal(a), let y = decimal(b) else { return nil }
            return x < y ? -1 : x == y ? 0 : 1
        default:
            guard let x = a.doubleValue, let y = b.doubleValue else {
                return a == b ? 0 : nil
            }
            return x < y ? -1 : x == y ? 0 : 1
        }
    }

    /// IS NOT DISTINCT FROM: NULLs are the same as each other.
    static func same(_ a: Value, _ b: Value) -> Bool {
        if a.isNull || b.isNull { return a.isNull && b.isNull }
        return compare(a, b) == 0
    }
}

/// CAST between types, as Flink converts (nil when the value does not convert).
enum Casting {
    static func cast(_ value: Value, from: DataType, to: DataType) -> Value? {
        if value.isNull { return .null }
        switch to {
        case .varchar, .char:
            if case let .char(length) = to { return .string(ValueFormatter.plain(value, type: from).padding(toLength: length, withPad: " ", startingAt: 0)) }
            if case .boolean = value { return .string(ValueFormatter.plain(value).uppercased()) }
            return .string(ValueFormatter.plain(value, type: from))
        case .boolean:
            switch value {
            case .boolean: return value
            case let .integer(number): return .boolean(number != 0)
            case let .string(text): return ValueParser.parse(text, as: .boolean)
            default: return nil
            }
        case .tinyint, .smallint, .int, .bigint:
            switch value {
            case let .integer(number): return ValueParser.fits(number, to) ? .integer(number) : nil
            case let .double(number):
                guard number.isFinite, abs(number) < 9.2e18 else { return nil }
                return .integer(Int64(number.rounded(.towardZero)))
            case let .decimal(number): return .integer(NSDecimalNumber(decimal: number).int64Value)
            case let .boolean(flag): return .integer(flag ? 1 : 0)
            case let .string(text): return ValueParser.parse(text, as: to)
            default: return nil
            }
        case .float, .double:
            if case let .string(text) = value { return ValueParser.parse(text, as: to) }
            if case let .boolean(flag) = value { return .double(flag ? 1 : 0) }
            return value.doubleValue.map(Value.double)
        case let .decimal(_, scale):
            var number: Decimal
            switch value {
            case let .string(text): return ValueParser.parse(text, as: to)
            case let .integer(integer): number = Decimal(integer)
            case let .double(double): number = Decimal(double)
            case let .decimal(decimal): number = decimal
            default: return nil
            }
            var rounded = Decimal()
            NSDecimalRound(&rounded, &number, scale, .plain)
            return .decimal(rounded)
        case .timestamp, .timestampLTZ:
            let micros: Int64
            switch value {
            case let .string(text): return ValueParser.parse(text, as: to)
            case let .timestamp(time), let .timestampLTZ(time): micros = time
            case let .date(days): micros = Int64(days) * CivilTime.microsPerDay
            case let .integer(seconds): return .timestampLTZ(seconds * CivilTime.microsPerSecond)
            default: return nil
            }
            if case .timestamp = to { return .timestamp(micros) }
            return .timestampLTZ(micros)
        case .date:
            switch value {
            case let .string(text): return ValueParser.parse(text, as: .date)
            case let .timestamp(micros), let .timestampLTZ(micros):
                return .date(Int32(TimeArithmetic.fields(micros).days))
            case .date: return value
            default: return nil
            }
        case .time:
            switch value {
            case let .string(text): return ValueParser.parse(text, as: to)
            case let .timestamp(micros), let .timestampLTZ(micros): return .time(TimeArithmetic.fields(micros).ofDay)
            case .time: return value
            default: return nil
            }
        case .binary, .varbinary:
            if case let .string(text) = value { return .bytes(Array(text.utf8)) }
            if case .bytes = value { return value }
            return nil
        default:
            return from == to ? value : nil
        }
    }
}
