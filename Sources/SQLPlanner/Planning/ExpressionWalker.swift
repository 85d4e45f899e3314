import SQLSyntax
import SQLValues

/// Walks an expression tree (used to find aggregates and window functions).
package enum ExpressionWalker {
    static func visit(_ expression: SQLSyntax.Expression, _ body: (SQLSyntax.Expression) -> Void) {
        body(expression)
        for child in children(expression) { visit(child, body) }
    }

    static func children(_ expression: SQLSyntax.Expression) -> [SQLSyntax.Expression] {
        switch expression.kind {
        case .column, .literal, .subquery, .exists: return []
        case let .inSubquery(operand, _, _): return [operand]
        case let .unary(_, operand): return [operand]
        case let .binary(_, left, right): return [left, right]
        case let .function(call): return call.arguments.compactMap(\.expression)
        case let .cast(operand, _, _): return [operand]
        case let .caseWhen(operand, branches, otherwise):
            return (operand.map { [$0] } ?? []) + branches.flatMap { [$0.condition, $0.result] }
                + (otherwise.map { [$0] } ?? [])
        case let .isPredicate(operand, _, _): return [operand]
        case let .inList(operand, list, _): return [operand] + list
        case let .between(operand, low, high, _): return [operand, low, high]
        case let .like(operand, pattern, escape, _, _): return [operand, pattern] + (escape.map { [$0] } ?? [])
        case let .extract(_, operand), let .floorCeil(_, operand, _): return [operand]
        case let .timestampAdd(_, a, b), let .timestampDiff(_, a, b): return [a, b]
        case let .trim(_, characters, value): return (characters.map { [$0] } ?? []) + [value]
        case let .substring(value, from, length): return [value, from] + (length.map { [$0] } ?? [])
        case let .position(a, b), let .element(a, b): return [a, b]
        case let .jsonValue(call): return call.operands
        case let .jsonConstructor(call): return call.operands
        case let .field(value, _): return [value]
        case let .constructor(_, elements): return elements
        }
    }

    /// The expression with every node `transform` returns a replacement for replaced (children first not visited for replaced nodes).
    static func rewrite(
        _ expression: SQLSyntax.Expression, _ transform: (SQLSyntax.Expression) -> SQLSyntax.Expression?
    ) -> SQLSyntax.Expression {
        if let replaced = transform(expression) { return replaced }
        var result = expression
        func go(_ child: SQLSyntax.Expression) -> SQLSyntax.Expression { rewrite(child, transform) }
        switch expression.kind {
        case .column, .literal, .subquery, .exists: break
        case let .inSubquery(operand, nested, negated): result.kind = .inSubquery(go(operand), nested, negated: negated)
        case let .unary(operation, operand): result.kind = .unary(operation, go(operand))
        case let .binary(operation, left, right): result.kind = .binary(operation, go(left), go(right))
        case var .function(call):
            call.arguments = call.arguments.map { argument in
                var argument = argument
                if case let .expression(value) = argument.value { argument.value = .expression(go(value)) }
                return argument
            }
            result.kind = .function(call)
        case let .cast(operand, type, isTry): result.kind = .cast(go(operand), type, isTry: isTry)
        case let .caseWhen(operand, branches, otherwise):
            result.kind = .caseWhen(
                operand: operand.map(go),
                branches: branches.map { WhenClause(condition: go($0.condition), result: go($0.result)) },
                otherwise: otherwise.map(go))
        case let .isPredicate(operand, test, negated): result.kind = .isPredicate(go(operand), test, negated: negated)
        case let .inList(operand, list, negated): result.kind = .inList(go(operand), list.map(go), negated: negated)
        case let .between(operand, low, high, negated):
            result.kind = .between(go(operand), low: go(low), high: go(high), negated: negated)
        case let .like(operand, pattern, escape, negated, similar):
            result.kind = .like(
                go(operand), pattern: go(pattern), escape: escape.map(go), negated: negated, similar: similar)
        case let .extract(unit, operand): result.kind = .extract(unit, go(operand))
        case let .floorCeil(ceil, operand, unit): result.kind = .floorCeil(ceil: ceil, go(operand), to: unit)
        case let .timestampAdd(unit, a, b): result.kind = .timestampAdd(unit, go(a), go(b))
        case let .timestampDiff(unit, a, b): result.kind = .timestampDiff(unit, go(a), go(b))
        case let .trim(side, characters, value): result.kind = .trim(side, characters: characters.map(go), go(value))
        case let .substring(value, from, length):
            result.kind = .substring(go(value), from: go(from), length: length.map(go))
        case let .position(a, b): result.kind = .position(go(a), in: go(b))
        case let .jsonValue(call): result.kind = .jsonValue(call.map(go))
        case var .jsonConstructor(call):
            call.operands = call.operands.map(go)
            result.kind = .jsonConstructor(call)
        case let .element(a, b): result.kind = .element(go(a), go(b))
        case let .field(value, field): result.kind = .field(go(value), field)
        case let .constructor(kind, elements): result.kind = .constructor(kind, elements.map(go))
        }
        return result
    }
}
