import Foundation
import SQLSyntax
import SQLValues

extension CompiledExpression {
    /// The expression's value for `row`. SQL's three-valued logic: NULL in, NULL out, except
    /// where SQL says otherwise (AND/OR, IS NULL, CASE, COALESCE).
    package func evaluate(_ row: Row) throws(SQLError) -> Value {
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
            guard case let .string(text) = try operand.evaluate(row),
                case let .string(pattern) = try patternExpression.evaluate(row)
            else { return .null }
            return .boolean(LikePattern(pattern).matches(text) != negated)
        case let .caseWhen(branches, otherwise):
            for branch in branches where try branch.condition.evaluate(row).isTrue {
                return try branch.result.evaluate(row)
            }
            return try otherwise?.evaluate(row) ?? .null
        case let .cast(operand, from, to, isTry):
            let value = try operand.evaluate(row)
            if let converted = Casting.cast(value, from: from, to: to) { return converted }
            if isTry { return .null }
            throw SQLError(
                .execution,
                "cannot cast \(ValueFormatter.display(value, type: from)) of type \(from) to \(to) (TRY_CAST gives NULL instead)"
            )
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
            guard case let .integer(amount) = try interval.evaluate(row), let micros = TimeArithmetic.micros(of: base)
            else { return .null }
            let signed = subtract ? -amount : amount
            return TimeArithmetic.rebuild(
                months ? TimeArithmetic.addMonths(signed, to: micros) : micros + signed, like: base)
        }
    }

    static func arithmetic(
        _ operation: ArithmeticOperator, _ a: Value, _ b: Value, _ kind: NumericKind
    ) throws(SQLError) -> Value {
        if a.isNull || b.isNull { return .null }
        switch kind {
        case let .integer(bits):
            guard case let .integer(x) = a, case let .integer(y) = b else { return .null }
            switch operation {
            case .plus: return .integer(NumericKind.wrap(x &+ y, bits: bits))
            case .minus: return .integer(NumericKind.wrap(x &- y, bits: bits))
            case .multiply: return .integer(NumericKind.wrap(x &* y, bits: bits))
            case .divide:
                guard y != 0 else { throw SQLError(.execution, "division by zero") }
                return .integer(NumericKind.wrap(x.dividedReportingOverflow(by: y).partialValue, bits: bits))
            case .modulo:
                guard y != 0 else { throw SQLError(.execution, "division by zero") }
                return .integer(x.remainderReportingOverflow(dividingBy: y).partialValue)
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
    package static func compare(_ a: Value, _ b: Value) -> Int? {
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
        case (.double, .decimal), (.decimal, .double):
            // As Flink: a DECIMAL meets a DOUBLE as a DOUBLE (1.0E308 is beyond any DECIMAL).
            guard let x = a.doubleValue, let y = b.doubleValue else { return nil }
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

/// CAST between types, as Flink converts (nil when the value does not convert): integers
/// narrowed wrap around as Java's casts do, doubles to integers saturate, a DECIMAL too wide
/// for its precision is NULL, CHAR(n) and VARCHAR(n) cut (and CHAR pads) to n characters.
package enum Casting {
    static func cast(_ value: Value, from: DataType, to: DataType) -> Value? {
        if value.isNull { return .null }
        switch to {
        case .varchar, .char:
            var text: String
            if case let .bytes(bytes) = value {
                text = String(decoding: bytes, as: UTF8.self)
            } else {
                text = ValueFormatter.castText(value, type: from)
            }
            switch to {
            case .varchar where from == .double || from == .float:
                break // Flink does not cut a DOUBLE's text to a VARCHAR's length (it does CHAR's)
            case let .char(length):
                let characters = text.count
                if characters > length { text = String(text.prefix(length)) }
                if characters < length { text += String(repeating: " ", count: length - characters) }
            case let .varchar(length) where length < DataType.maxLength:
                if text.count > length { text = String(text.prefix(length)) }
            default: break
            }
            return .string(text)
        case .boolean:
            switch value {
            case .boolean: return value
            case let .integer(number): return .boolean(number != 0)
            case let .double(number): return .boolean(number != 0)
            case let .decimal(number): return .boolean(!number.isZero)
            case let .string(text): return ValueParser.parse(text, as: .boolean)
            default: return nil
            }
        case .tinyint, .smallint, .int, .bigint:
            let bits = NumericKind.bits(of: to)
            switch value {
            case let .integer(number): return .integer(NumericKind.wrap(number, bits: bits))
            case let .double(number):
                // Java's (int) and (long) of a double saturate (NaN is 0); narrower types take the int's low bits.
                return .integer(NumericKind.wrap(saturated(number, bits: max(bits, 32)), bits: bits))
            case let .decimal(number):
                // Through the whole part as a long, as Flink's DECIMAL casts.
                var whole = number, truncated = Decimal()
                NSDecimalRound(&truncated, &whole, 0, number < 0 ? .up : .down)
                let long =
                    Int64(exactly: NSDecimalNumber(decimal: truncated).doubleValue)
                    ?? NSDecimalNumber(decimal: truncated).int64Value
                return .integer(NumericKind.wrap(long, bits: bits))
            case let .boolean(flag): return .integer(flag ? 1 : 0)
            case let .string(text): return ValueParser.parse(text, as: to)
            default: return nil
            }
        case .float, .double:
            if case let .string(text) = value { return ValueParser.parse(text, as: to) }
            if case let .boolean(flag) = value { return .double(flag ? 1 : 0) }
            guard let number = value.doubleValue else { return nil }
            return .double(to == .float ? Double(Float(number)) : number)
        case let .decimal(precision, scale):
            var number: Decimal
            switch value {
            case let .string(text):
                guard case let .decimal(parsed)? = ValueParser.parse(text, as: to) else { return nil }
                number = parsed
            case let .integer(integer): number = Decimal(integer)
            case let .double(double):
                // From the double's shortest text (Decimal(double) keeps binary noise: 123456789.1230000128).
                guard double.isFinite, abs(double) < 1e38 else { return .null }
                number =
                    abs(double) < 1e-38
                    ? 0
                    : Decimal(string: ValueFormatter.javaDouble(double).replacingOccurrences(of: "E", with: "e")) ?? 0
            case let .decimal(decimal): number = decimal
            case let .boolean(flag): number = flag ? 1 : 0
            default: return nil
            }
            var rounded = Decimal()
            NSDecimalRound(&rounded, &number, scale, .plain)
            // A value with more whole digits than the type holds is NULL, as in Flink.
            return fits(rounded, precision: precision, scale: scale) ? .decimal(rounded) : .null
        case .timestamp, .timestampLTZ:
            let micros: Int64
            switch value {
            case let .string(text): return ValueParser.parse(text, as: to)
            case let .timestamp(time), let .timestampLTZ(time): micros = time
            case let .date(days): micros = Int64(days) * CivilTime.microsPerDay
            case let .time(ofDay): micros = ofDay // TIME as a timestamp: on 1970-01-01
            case let .integer(seconds):
                let (micros, overflow) = seconds.multipliedReportingOverflow(by: CivilTime.microsPerSecond)
                return overflow ? nil : .timestampLTZ(micros)
            default: return nil
            }
            // Cut to the target's precision (TIMESTAMP(0) has whole seconds).
            let precision: Int = {
                if case let .timestamp(p) = to { return p }
                if case let .timestampLTZ(p) = to { return p }
                return 6
            }()
            let cut = TimeArithmetic.truncate(micros, toDigits: precision)
            if case .timestamp = to { return .timestamp(cut) }
            return .timestampLTZ(cut)
        case .date:
            switch value {
            case let .string(text): return ValueParser.parse(text, as: .date)
            case let .timestamp(micros), let .timestampLTZ(micros):
                return .date(Int32(TimeArithmetic.fields(micros).days))
            case .date: return value
            default: return nil
            }
        case let .time(precision):
            switch value {
            case let .string(text): return ValueParser.parse(text, as: to)
            case let .timestamp(micros), let .timestampLTZ(micros):
                return .time(TimeArithmetic.truncate(TimeArithmetic.fields(micros).ofDay, toDigits: precision))
            case let .time(ofDay): return .time(TimeArithmetic.truncate(ofDay, toDigits: precision))
            default: return nil
            }
        case .binary, .varbinary:
            var bytes: [UInt8]
            switch value {
            case let .string(text): bytes = Array(text.utf8)
            case let .bytes(given): bytes = given
            default: return nil
            }
            // BINARY(n) is n bytes (zeros after), VARBINARY(n) at most n.
            switch to {
            case let .binary(length):
                if bytes.count > length { bytes = Array(bytes.prefix(length)) }
                if bytes.count < length { bytes += Array(repeating: 0, count: length - bytes.count) }
            case let .varbinary(length) where bytes.count > length:
                bytes = Array(bytes.prefix(length))
            default: break
            }
            return .bytes(bytes)
        default:
            return from == to ? value : nil
        }
    }

    /// Java's (long) or (int) of a double: NaN is 0, beyond the range the nearest end.
    static func saturated(_ number: Double, bits: Int) -> Int64 {
        guard !number.isNaN else { return 0 }
        let (low, high): (Int64, Int64) = bits == 32 ? (Int64(Int32.min), Int64(Int32.max)) : (.min, .max)
        if number <= Double(low) { return low }
        if number >= Double(high) { return high }
        return Int64(number.rounded(.towardZero))
    }

    /// Whether a DECIMAL value has at most `precision - scale` whole digits.
    static func fits(_ number: Decimal, precision: Int, scale: Int) -> Bool {
        var whole = number.magnitude, truncated = Decimal()
        NSDecimalRound(&truncated, &whole, 0, .down)
        var limit = Decimal(1)
        for _ in 0..<max(0, precision - scale) { limit *= 10 }
        return truncated < limit
    }
}
