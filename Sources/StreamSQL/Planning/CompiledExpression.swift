import Foundation
import SQLSyntax

/// An expression ready to run: names resolved to column positions, functions to built-ins,
/// and its result type known. Evaluated row by row by `evaluate(_:)`.
indirect enum CompiledExpression: Sendable {
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

enum ArithmeticOperator: Sendable {
    case plus, minus, multiply, divide, modulo
}

enum ComparisonOperator: Sendable {
    case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual, distinctFrom, notDistinctFrom
}

/// How arithmetic is carried out, from the operands' types.
enum NumericKind: Sendable {
    case integer, double, decimal
}

/// A LIKE pattern compiled once: `%` any run, `_` any one character.
struct LikePattern: Sendable {
    enum Part: Sendable, Equatable {
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
            guard text.count - start >= characters.count, Array(text[start..<(start + characters.count)]) == characters else { return false }
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
struct TypedExpression: Sendable {
    var expression: CompiledExpression
    var type: DataType
    var nullable: Bool

    init(_ expression: CompiledExpression, _ type: DataType, nullable: Bool = true) {
        self.expression = expression
        self.type = type
        self.nullable = nullable
    }
}
