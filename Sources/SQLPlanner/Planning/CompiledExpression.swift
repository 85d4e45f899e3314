import Foundation
import SQLSyntax
import SQLValues

/// An expression ready to run: names resolved to column positions, functions to built-ins,
/// and its result type known. Evaluated row by row by `evaluate(_:)`.
package indirect enum CompiledExpression: Sendable {
    case column(Int)
    case literal(Value)
    case negate(CompiledExpression)
    case arithmetic(ArithmeticOperator, CompiledExpression, CompiledExpression, result: NumericKind)
    case compare(ComparisonOperator, CompiledExpression, CompiledExpression)
    case concat(CompiledExpression, CompiledExpression)
    case and([CompiledExpression])
    case or([CompiledExpression])
    case not(CompiledExpression)
    case isNull(CompiledExpression, negated: Bool)
    case isBoolean(CompiledExpression, Bool?, negated: Bool)
    case inList(CompiledExpression, [CompiledExpression], negated: Bool)
    case like(CompiledExpression, LikePattern, negated: Bool)
    case likeDynamic(CompiledExpression, CompiledExpression, negated: Bool)
    case caseWhen([(condition: CompiledExpression, result: CompiledExpression)], otherwise: CompiledExpression?)
    case cast(CompiledExpression, from: DataType, to: DataType, isTry: Bool)
    case call(BuiltinFunction, [CompiledExpression])
    /// Field `position` of a ROW value.
    case field(CompiledExpression, Int)
    /// Adds an interval (microseconds or months) to a timestamp or date.
    case shiftTime(CompiledExpression, CompiledExpression, subtract: Bool, months: Bool)
}

package enum ArithmeticOperator: Sendable {
    case plus, minus, multiply, divide, modulo
}

package enum ComparisonOperator: Sendable {
    case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual, distinctFrom, notDistinctFrom
}

/// How arithmetic is carried out, from the operands' types.
package enum NumericKind: Sendable {
    /// Integer arithmetic wrapping around at the result type's width, as Java's int and long
    /// do in Flink's generated code (INT 2147483647 + 1 is -2147483648).
    case integer(bits: Int)
    case double, decimal

    /// The width of an integer type (64 for BIGINT and anything else).
    static func bits(of type: DataType) -> Int {
        switch type {
        case .tinyint: 8
        case .smallint: 16
        case .int: 32
        default: 64
        }
    }

    /// `value` wrapped around into `bits` bits.
    static func wrap(_ value: Int64, bits: Int) -> Int64 {
        switch bits {
        case 8: Int64(Int8(truncatingIfNeeded: value))
        case 16: Int64(Int16(truncatingIfNeeded: value))
        case 32: Int64(Int32(truncatingIfNeeded: value))
        default: value
        }
    }
}

/// A LIKE pattern compiled once: `%` any run, `_` any one character.
package struct LikePattern: Sendable {
    package enum Part: Sendable, Equatable {
        case literal([Character])
        case any
        case one
    }

    let parts: [Part]

    init(_ pattern: String, escape: Character? = nil) {
        var parts: [Part] = []
        var literal: [Character] = []
        var escaped = false
        for character in pattern {
            if escaped {
                literal.append(character)
                escaped = false
            } else if character == escape {
                escaped = true
            } else if character == "%" || character == "_" {
                if !literal.isEmpty { parts.append(.literal(literal)) }
                literal = []
                parts.append(character == "%" ? .any : .one)
            } else {
                literal.append(character)
            }
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        self.parts = parts
    }

    func matches(_ text: String) -> Bool {
        Self.match(Array(text), 0, parts[...])
    }

    private static func match(_ text: [Character], _ start: Int, _ parts: ArraySlice<Part>) -> Bool {
        guard let part = parts.first else { return start == text.count }
        let rest = parts.dropFirst()
        switch part {
        case let .literal(characters):
            guard text.count - start >= characters.count, Array(text[start..<(start + characters.count)]) == characters
            else { return false }
            return match(text, start + characters.count, rest)
        case .one:
            return start < text.count && match(text, start + 1, rest)
        case .any:
            if rest.isEmpty { return true }
            for position in start...text.count where match(text, position, rest) { return true }
            return false
        }
    }
}

/// A compiled expression and what it yields.
package struct TypedExpression: Sendable {
    var expression: CompiledExpression
    var type: DataType
    var nullable: Bool

    init(_ expression: CompiledExpression, _ type: DataType, nullable: Bool = true) {
        self.expression = expression
        self.type = type
        self.nullable = nullable
    }
}
