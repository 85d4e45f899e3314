/// Expressions, by precedence from loosest to tightest:
///
/// ```
/// OR  <  AND  <  NOT  <  comparison, IS, IN, BETWEEN, LIKE  <  + - ||  <  * / %  <  unary - +
///     <  x[i], x.field  <  literals, names, calls, CASE, CAST, (...)
/// ```
extension Parser {
    mutating func expression() throws(SQLError) -> Expression {
        try disjunction()
    }

    private mutating func disjunction() throws(SQLError) -> Expression {
        var left = try conjunction()
        while accept("OR") {
            let right = try conjunction()
            left = Expression(.binary(.or, left, right), range: left.range.union(right.range))
        }
        return left
    }

    private mutating func conjunction() throws(SQLError) -> Expression {
        var left = try negation()
        while accept("AND") {
            let right = try negation()
            left = Expression(.binary(.and, left, right), range: left.range.union(right.range))
        }
        return left
    }

    private mutating func negation() throws(SQLError) -> Expression {
        guard current.isKeyword("NOT"), !peek().isKeyword("EXISTS") else { return try comparison() }
        let start = advance().range
        let operand = try negation()
        return Expression(.unary(.not, operand), range: start.union(operand.range))
    }

    private static let comparisons: [String: BinaryOperator] = [
        "=": .equal, "<>": .notEqual, "!=": .notEqual, "<": .less, "<=": .lessOrEqual, ">": .greater,
        ">=": .greaterOrEqual,
    ]

    private mutating func comparison() throws(SQLError) -> Expression {
        var left = try additive()
        while true {
            if current.kind == .symbol, let operation = Self.comparisons[current.text] {
                advance()
                let right = try additive()
                left = Expression(.binary(operation, left, right), range: left.range.union(right.range))
                continue
            }
            if accept("IS") {
                let negated = accept("NOT")
                if accept("DISTINCT") {
                    try expect("FROM", "after IS DISTINCT")
                    let right = try additive()
                    left = Expression(
                        .binary(negated ? .isNotDistinctFrom : .isDistinctFrom, left, right),
                        range: left.range.union(right.range))
                    continue
                }
                if current.isKeyword("JSON") {
                    // x IS [NOT] JSON [VALUE | SCALAR | ARRAY | OBJECT]: the function IS_JSON(x, 'KIND').
                    let jsonRange = advance().range
                    var kind = "VALUE"
                    if current.kind == .word, ["VALUE", "SCALAR", "ARRAY", "OBJECT"].contains(current.upper) {
                        kind = advance().upper
                    }
                    let name = QualifiedName([Identifier("IS_JSON", range: jsonRange)])
                    let arguments = [left, Expression(.literal(.string(kind)), range: previousRange)].map {
                        FunctionArgument(value: .expression($0))
                    }
                    let range = left.range.union(previousRange)
                    left = Expression(
                        .function(FunctionCall(name: name, arguments: arguments, range: range)), range: range)
                    if negated { left = Expression(.unary(.not, left), range: range) }
                    continue
                }
                guard current.kind == .word, let test = IsTest(rawValue: current.upper) else {
                    throw unexpected(
                        "NULL, TRUE, FALSE, UNKNOWN, JSON or DISTINCT FROM after IS\(negated ? " NOT" : "")")
                }
                advance()
                left = Expression(.isPredicate(left, test, negated: negated), range: left.range.union(previousRange))
                continue
            }
            // [NOT] IN / BETWEEN / LIKE / SIMILAR TO
            let negated =
                current.isKeyword("NOT")
                && (peek().isKeyword("IN") || peek().isKeyword("BETWEEN") || peek().isKeyword("LIKE")
                    || peek().isKeyword("SIMILAR"))
            if negated { advance() }
            if accept("IN") {
                try expect(symbol: "(", "after IN")
                if current.isKeyword("SELECT") || current.isKeyword("WITH") {
                    let nested = try query()
                    try expect(symbol: ")", "after the subquery")
                    left = Expression(
                        .inSubquery(left, nested, negated: negated), range: left.range.union(previousRange))
                    continue
                }
                var values = [try expression()]
                while accept(symbol: ",") { values.append(try expression()) }
                try expect(symbol: ")", "after the IN list")
                left = Expression(.inList(left, values, negated: negated), range: left.range.union(previousRange))
            } else if accept("BETWEEN") {
                _ = accept("SYMMETRIC") || accept("ASYMMETRIC")
                let low = try additive()
                try expect("AND", "between the bounds of BETWEEN")
                let high = try additive()
                left = Expression(
                    .between(left, low: low, high: high, negated: negated), range: left.range.union(high.range))
            } else if current.isKeyword("LIKE") || current.isKeyword("SIMILAR") {
                let similar = advance().isKeyword("SIMILAR")
                if similar { try expect("TO", "after SIMILAR") }
                let pattern = try additive()
                let escape = accept("ESCAPE") ? try additive() : nil
                left = Expression(
                    .like(left, pattern: pattern, escape: escape, negated: negated, similar: similar),
                    range: left.range.union(previousRange))
            } else {
                if negated { throw unexpected("IN, BETWEEN or LIKE after NOT") }
                return left
            }
        }
    }

    mutating func additive() throws(SQLError) -> Expression {
        var left = try multiplicative()
        while current.isSymbol("+") || current.isSymbol("-") || current.isSymbol("||") {
            let operation: BinaryOperator = current.text == "+" ? .plus : current.text == "-" ? .minus : .concat
            advance()
            let right = try multiplicative()
            left = Expression(.binary(operation, left, right), range: left.range.union(right.range))
        }
        return left
    }

    private mutating func multiplicative() throws(SQLError) -> Expression {
        var left = try unary()
        while current.isSymbol("*") || current.isSymbol("/") || current.isSymbol("%") {
            let operation: BinaryOperator = current.text == "*" ? .multiply : current.text == "/" ? .divide : .modulo
            advance()
            let right = try unary()
            left = Expression(.binary(operation, left, right), range: left.range.union(right.range))
        }
        return left
    }

    private mutating func unary() throws(SQLError) -> Expression {
        if current.isSymbol("-") || current.isSymbol("+") {
            let start = current.range
            let operation: UnaryOperator = advance().text == "-" ? .minus : .plus
            let operand = try unary()
            return Expression(.unary(operation, operand), range: start.union(operand.range))
        }
        return try postfix()
    }

    private mutating func postfix() throws(SQLError) -> Expression {
        var value = try primary()
        while true {
            if accept(symbol: "[") {
                let subscriptIndex = try expression()
                try expect(symbol: "]", "after the subscript")
                value = Expression(.element(value, subscriptIndex), range: value.range.union(previousRange))
            } else if current.isSymbol("."), peek().kind == .word || peek().kind == .quotedIdentifier {
                advance()
                let field = try anyName("a field name")
                value = Expression(.field(value, field), range: value.range.union(field.range))
            } else {
                return value
            }
        }
    }

    /// A name where keywords are harmless (after a dot).
    mutating func anyName(_ what: String) throws(SQLError) -> Identifier {
        guard current.kind == .word || current.kind == .quotedIdentifier else { throw unexpected(what) }
        if current.kind == .word, Lexer.isDigit(current.text.utf8.first ?? 0) {
            throw SQLError(.syntax, "'\(current.text)' is neither a number nor a name", at: current.range)
        }
        let token = advance()
        return Identifier(token.text, range: token.range)
    }

    /// Functions Flink lets you call without parentheses.
    static let niladicFunctions: Set<String> = [
        "CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME", "LOCALTIMESTAMP", "LOCALTIME", "CURRENT_ROW_TIMESTAMP",
    ]

    private mutating func primary() throws(SQLError) -> Expression {
        let token = current
        let start = token.range
        switch token.kind {
        case .integer:
            advance()
            return Expression(.literal(.integer(token.text)), range: start)
        case .decimal:
            advance()
            return Expression(.literal(.decimal(token.text)), range: start)
        case .string:
            advance()
            return Expression(.literal(.string(token.text)), range: start)
        case .quotedIdentifier:
            return try columnOrCall()
        case .symbol where token.text == "(":
            advance()
            if current.isKeyword("SELECT") || current.isKeyword("WITH") {
                let nested = try query()
                try expect(symbol: ")", "after the subquery")
                return Expression(.subquery(nested), range: start.union(previousRange))
            }
            var inner = try expression()
            try expect(symbol: ")", "to close the parenthesis")
            inner.range = start.union(previousRange)
            return inner
        case .word:
            break
        default:
            throw unexpected("an expression")
        }
        switch token.upper {
        case "NULL":
            advance()
            return Expression(.literal(.null), range: start)
        case "TRUE", "FALSE":
            advance()
            return Expression(.literal(.boolean(token.upper == "TRUE")), range: start)
        case "DATE", "TIME",
            "TIMESTAMP" where peek().kind == .string:
            advance()
            let text = advance().text
            let literal: Literal =
                token.upper == "DATE" ? .date(text) : token.upper == "TIME" ? .time(text) : .timestamp(text)
            return Expression(.literal(literal), range: start.union(previousRange))
        case "INTERVAL":
            return try interval()
        case "CASE":
            return try caseExpression()
        case "CAST", "TRY_CAST":
            advance()
            try expect(symbol: "(", "after \(token.upper)")
            let value = try expression()
            try expect("AS", "and a type inside \(token.upper)(...)")
            let type = try dataType()
            try expect(symbol: ")", "after the type")
            return Expression(.cast(value, type, isTry: token.upper == "TRY_CAST"), range: start.union(previousRange))
        case "EXISTS":
            advance()
            try expect(symbol: "(", "after EXISTS")
            let nested = try query()
            try expect(symbol: ")", "after the subquery")
            return Expression(.exists(nested, negated: false), range: start.union(previousRange))
        case "NOT" where peek().isKeyword("EXISTS"):
            advance()
            var inner = try primary()
            if case let .exists(nested, _) = inner.kind {
                inner = Expression(.exists(nested, negated: true), range: start.union(inner.range))
            }
            return inner
        case "ARRAY",
            "MAP" where peek().isSymbol("["):
            advance()
            advance()
            var elements: [Expression] = []
            if !current.isSymbol("]") {
                repeat { elements.append(try expression()) } while accept(symbol: ",")
            }
            try expect(symbol: "]", "after the \(token.upper) elements")
            return Expression(
                .constructor(token.upper == "ARRAY" ? .array : .map, elements), range: start.union(previousRange))
        case "ROW" where peek().isSymbol("("):
            advance()
            advance()
            var elements: [Expression] = []
            if !current.isSymbol(")") {
                repeat { elements.append(try expression()) } while accept(symbol: ",")
            }
            try expect(symbol: ")", "after the ROW fields")
            return Expression(.constructor(.row, elements), range: start.union(previousRange))
        default:
            break
        }
        if Self.niladicFunctions.contains(token.upper), !peek().isSymbol("(") {
            advance()
            let name = QualifiedName([Identifier(token.upper, range: start)])
            return Expression(.function(FunctionCall(name: name, arguments: [], range: start)), range: start)
        }
        // LEFT(s, n) and RIGHT(s, n): functions, though the words are reserved for joins.
        if token.isKeyword("LEFT") || token.isKeyword("RIGHT"), peek().isSymbol("(") {
            advance()
            let call = try functionCall(name: QualifiedName([Identifier(token.upper, range: start)]))
            return Expression(.function(call), range: call.range)
        }
        if Self.reserved.contains(token.upper) {
            throw SQLError(.syntax, "expected an expression, found the keyword \(token.upper)", at: start)
        }
        return try columnOrCall()
    }

    /// `a`, `t.a`, or a call `f(...)` with its special forms (EXTRACT, FLOOR ... TO, TRIM, ...).
    private mutating func columnOrCall() throws(SQLError) -> Expression {
        let first = try anyName("a column or function name")
        if current.isSymbol("(") {
            return try specialCall(QualifiedName([first]))
        }
        if current.isSymbol("."), peek().kind == .word || peek().kind == .quotedIdentifier, peek(2).isSymbol("(") {
            advance()
            let second = try anyName("a function name")
            return try specialCall(QualifiedName([first, second]))
        }
        if current.isSymbol("."), peek().kind == .word || peek().kind == .quotedIdentifier {
            advance()
            let name = try anyName("a column name")
            return Expression(.column(qualifier: first, name: name), range: first.range.union(name.range))
        }
        return Expression(.column(qualifier: nil, name: first), range: first.range)
    }

    mutating func timeUnit(_ what: String) throws(SQLError) -> TimeUnit {
        guard current.kind == .word, let unit = TimeUnit(word: current.text) else { throw unexpected(what) }
        advance()
        return unit
    }

    /// INTERVAL [-]'value' unit [(precision)] [TO unit [(precision)]]; a number without quotes is accepted too.
    private mutating func interval() throws(SQLError) -> Expression {
        let start = try expect("INTERVAL").range
        let negative = accept(symbol: "-")
        if !negative { _ = accept(symbol: "+") }
        guard current.kind == .string || current.kind == .integer || current.kind == .decimal else {
            throw unexpected("the interval's value in quotes, as in INTERVAL '5' SECOND")
        }
        let value = advance().text
        let from = try timeUnit("a unit after the interval's value (SECOND, MINUTE, HOUR, DAY, ...)")
        try skipPrecision()
        var to: TimeUnit?
        if accept("TO") {
            to = try timeUnit("a unit after TO")
            try skipPrecision()
        }
        return Expression(
            .literal(.interval(value: value, from: from, to: to, negative: negative)), range: start.union(previousRange)
        )
    }

    /// An interval unit's precision, `SECOND(3)`: accepted and not needed.
    private mutating func skipPrecision() throws(SQLError) {
        guard current.isSymbol("("), peek().kind == .integer else { return }
        advance()
        advance()
        if accept(symbol: ",") {
            guard current.kind == .integer else { throw unexpected("a precision") }
            advance()
        }
        try expect(symbol: ")", "after the precision")
    }

    private mutating func caseExpression() throws(SQLError) -> Expression {
        let start = try expect("CASE").range
        let operand = current.isKeyword("WHEN") ? nil : try expression()
        var branches: [WhenClause] = []
        while accept("WHEN") {
            let condition = try expression()
            try expect("THEN", "after the WHEN condition")
            branches.append(WhenClause(condition: condition, result: try expression()))
        }
        guard !branches.isEmpty else { throw unexpected("WHEN after CASE") }
        let otherwise = accept("ELSE") ? try expression() : nil
        try expect("END", "to close the CASE")
        return Expression(
            .caseWhen(operand: operand, branches: branches, otherwise: otherwise), range: start.union(previousRange))
    }
}
