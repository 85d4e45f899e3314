/// Function calls: the special forms with their own syntax (CAST, EXTRACT, TRIM, the JSON
/// functions, ...), ordinary calls with their arguments, and OVER clauses.
extension Parser {
    mutating func specialCall(_ name: QualifiedName) throws(SQLError) -> Expression {
        let start = name.range
        switch name.parts.count == 1 ? name.name.uppercased() : "" {
        case "EXTRACT":
            advance()
            let unit = try timeUnit("a time unit (YEAR, MONTH, DAY, HOUR, ...)")
            try expect("FROM", "after the unit in EXTRACT")
            let value = try expression()
            try expect(symbol: ")", "after EXTRACT(...)")
            return Expression(.extract(unit, value), range: start.union(previousRange))
        case "FLOOR", "CEIL", "CEILING":
            advance()
            let value = try expression()
            let unit = accept("TO") ? try timeUnit("a time unit after TO") : nil
            try expect(symbol: ")", "after \(name.name.uppercased())(...)")
            return Expression(
                .floorCeil(ceil: !name.name.uppercased().hasPrefix("FLOOR"), value, to: unit),
                range: start.union(previousRange))
        case "TIMESTAMPADD", "TIMESTAMPDIFF":
            advance()
            let unit = try timeUnit("a time unit as the first argument")
            try expect(symbol: ",", "after the unit")
            let first = try expression()
            try expect(symbol: ",", "between the arguments")
            let second = try expression()
            try expect(symbol: ")", "after the arguments")
            let kind: Expression.Kind =
                name.name.uppercased() == "TIMESTAMPADD"
                ? .timestampAdd(unit, first, second) : .timestampDiff(unit, first, second)
            return Expression(kind, range: start.union(previousRange))
        case "TRIM"
        where peek().isKeyword("BOTH") || peek().isKeyword("LEADING") || peek().isKeyword("TRAILING")
            || !peek(2).isSymbol(")"):
            advance()
            var side = TrimSide.both
            if current.kind == .word, let given = TrimSide(rawValue: current.upper) {
                side = given
                advance()
            }
            var characters: Expression?
            if !current.isKeyword("FROM") { characters = try expression() }
            if accept("FROM") {
                let value = try expression()
                try expect(symbol: ")", "after TRIM(...)")
                return Expression(.trim(side, characters: characters, value), range: start.union(previousRange))
            }
            // TRIM(x) with a longer expression: no FROM, so the "characters" were the value.
            try expect(symbol: ")", "after TRIM(...)")
            guard let value = characters else { throw unexpected("the string to trim") }
            return Expression(.trim(side, characters: nil, value), range: start.union(previousRange))
        case "SUBSTRING", "SUBSTR":
            let save = index
            advance()
            let value = try expression()
            if accept("FROM") {
                let from = try expression()
                let length = accept("FOR") ? try expression() : nil
                try expect(symbol: ")", "after SUBSTRING(...)")
                return Expression(.substring(value, from: from, length: length), range: start.union(previousRange))
            }
            index = save
        case "JSON_QUERY":
            // JSON_QUERY(doc, path [WITH [CONDITIONAL | UNCONDITIONAL] [ARRAY] WRAPPER | WITHOUT [ARRAY] WRAPPER]):
            // the function JSON_QUERY(doc, path, 'WITH WRAPPER' | 'WITH CONDITIONAL WRAPPER' | 'WITHOUT WRAPPER').
            advance()
            let document = try expression()
            try expect(symbol: ",", "between JSON_QUERY's document and path")
            let path = try expression()
            var operands = [document, path]
            if current.isKeyword("WITH") || current.isKeyword("WITHOUT") {
                let with = advance().upper == "WITH"
                var conditional = false
                if accept("CONDITIONAL") { conditional = true } else { _ = accept("UNCONDITIONAL") }
                _ = accept("ARRAY")
                try expect("WRAPPER", "in JSON_QUERY's wrapper clause")
                let mode = with ? (conditional ? "WITH CONDITIONAL WRAPPER" : "WITH WRAPPER") : "WITHOUT WRAPPER"
                operands.append(Expression(.literal(.string(mode)), range: previousRange))
            }
            try expect(symbol: ")", "after the arguments of JSON_QUERY")
            let call = FunctionCall(
                name: name, arguments: operands.map { FunctionArgument(value: .expression($0)) },
                range: start.union(previousRange))
            return Expression(.function(call), range: call.range)
        case "OVERLAY":
            // OVERLAY(s PLACING r FROM start [FOR length]): the function OVERLAY(s, r, start[, length]).
            let save = index
            advance()
            let value = try expression()
            if accept("PLACING") {
                let replacement = try expression()
                try expect("FROM", "after OVERLAY(... PLACING ...")
                var operands = [value, replacement, try expression()]
                if accept("FOR") { operands.append(try expression()) }
                try expect(symbol: ")", "after OVERLAY(...)")
                let call = FunctionCall(
                    name: name, arguments: operands.map { FunctionArgument(value: .expression($0)) },
                    range: start.union(previousRange))
                return Expression(.function(call), range: call.range)
            }
            index = save
        case "JSON_OBJECT", "JSON_ARRAY":
            let object = name.name.uppercased() == "JSON_OBJECT"
            advance()
            var call = JSONConstructor(object: object, operands: [], absentOnNull: !object)
            func onNull(_ parser: inout Parser) -> Bool {
                guard parser.current.isKeyword("NULL") || parser.current.isKeyword("ABSENT"),
                    parser.peek().isKeyword("ON"),
                    parser.peek(2).isKeyword("NULL")
                else { return false }
                call.absentOnNull = parser.current.isKeyword("ABSENT")
                for _ in 0..<3 { parser.advance() }
                return true
            }
            if !current.isSymbol(")"), !onNull(&self) {
                repeat {
                    if object {
                        _ = accept("KEY")
                        call.operands.append(try additive())
                        try expect("VALUE", "after a key of JSON_OBJECT ('key' VALUE value)")
                    }
                    call.operands.append(try expression())
                } while accept(symbol: ",")
                _ = onNull(&self)
            }
            try expect(symbol: ")", "after the arguments of \(object ? "JSON_OBJECT" : "JSON_ARRAY")")
            return Expression(.jsonConstructor(call), range: start.union(previousRange))
        case "JSON_VALUE":
            advance()
            let document = try expression()
            try expect(symbol: ",", "between JSON_VALUE's document and path")
            var call = JSONValueCall(document: document, path: try expression())
            if accept("RETURNING") { call.returning = try dataType() }
            var seen: Set<String> = []
            // `NULL | ERROR | DEFAULT value` then ON EMPTY or ON ERROR, each at most once.
            while current.isKeyword("NULL") || current.isKeyword("ERROR") || current.isKeyword("DEFAULT") {
                let fallback: JSONValueCall.Fallback
                if accept("NULL") {
                    fallback = .null
                } else if accept("ERROR") {
                    fallback = .error
                } else {
                    advance()
                    fallback = .value(try additive())
                }
                try expect("ON", "after NULL, ERROR or DEFAULT in JSON_VALUE")
                guard current.isKeyword("EMPTY") || current.isKeyword("ERROR"), !seen.contains(current.upper) else {
                    throw unexpected(
                        seen.isEmpty
                            ? "EMPTY or ERROR"
                            : seen.contains("EMPTY") ? "ERROR" : "')' (ON ERROR comes after ON EMPTY)")
                }
                if current.isKeyword("EMPTY") {
                    guard !seen.contains("ERROR") else { throw unexpected("')' (ON EMPTY comes before ON ERROR)") }
                    call.onEmpty = fallback
                } else {
                    call.onError = fallback
                }
                seen.insert(current.upper)
                advance()
            }
            try expect(symbol: ")", "after the arguments of JSON_VALUE")
            return Expression(.jsonValue(call), range: start.union(previousRange))
        case "POSITION":
            let save = index
            advance()
            let needle = try additive()
            if accept("IN") {
                let haystack = try expression()
                try expect(symbol: ")", "after POSITION(...)")
                return Expression(.position(needle, in: haystack), range: start.union(previousRange))
            }
            index = save
        default:
            break
        }
        let call = try functionCall(name: name)
        var result = Expression(.function(call), range: call.range)
        result.range = call.range
        return result
    }

    /// `name(args)` where the current token is `(`: arguments may be `*`, `DISTINCT x`, and for
    /// table-valued functions `TABLE t`, `DESCRIPTOR(c)` and `name => value`.
    mutating func functionCall(name: QualifiedName) throws(SQLError) -> FunctionCall {
        try expect(symbol: "(", "after the function name")
        var call = FunctionCall(name: name, arguments: [], range: name.range)
        if accept(symbol: "*") {
            call.star = true
        } else if !current.isSymbol(")") {
            call.distinct = accept("DISTINCT")
            if !call.distinct { _ = accept("ALL") }
            repeat { call.arguments.append(try functionArgument()) } while accept(symbol: ",")
        }
        try expect(symbol: ")", "after the arguments of \(name)")
        // FILTER only when a parenthesis follows: `COUNT(*) filter` may be an alias.
        if current.isKeyword("FILTER"), peek().isSymbol("(") {
            advance()
            try expect(symbol: "(", "after FILTER")
            try expect("WHERE", "in FILTER (WHERE …)")
            call.filter = try expression()
            try expect(symbol: ")", "to close FILTER (WHERE …)")
        }
        if accept("OVER") {
            if current.isSymbol("(") {
                call.over = try overClause()
            } else {
                var named = OverClause()
                named.named = try identifier("a window: (PARTITION BY … ORDER BY …) or the name of one in WINDOW")
                call.over = named
            }
        }
        call.range = name.range.union(previousRange)
        return call
    }

    /// `(PARTITION BY a, b ORDER BY c DESC)` after OVER.
    mutating func overClause() throws(SQLError) -> OverClause {
        try expect(symbol: "(", "after OVER")
        var clause = OverClause()
        if accept("PARTITION") {
            try expect("BY", "after PARTITION")
            repeat { clause.partitionBy.append(try expression()) } while accept(symbol: ",")
        }
        if accept("ORDER") {
            try expect("BY", "after ORDER")
            repeat { clause.orderBy.append(try orderItem()) } while accept(symbol: ",")
        }
        if current.isKeyword("ROWS") || current.isKeyword("RANGE") {
            let unit: WindowFrame.Unit = advance().text.uppercased() == "ROWS" ? .rows : .range
            // `BETWEEN x PRECEDING AND CURRENT ROW`, or `x PRECEDING` alone; x: UNBOUNDED, a count, an interval.
            let between = accept("BETWEEN")
            var preceding: Expression?
            if !accept("UNBOUNDED") { preceding = try additive() }
            try expect("PRECEDING", "after the frame's start (UNBOUNDED, a number of rows or an INTERVAL)")
            if between {
                try expect("AND", "after the frame's start")
                try expect("CURRENT", "(a frame ends at the CURRENT ROW)")
                try expect("ROW", "after CURRENT")
            }
            clause.frame = WindowFrame(unit: unit, preceding: preceding)
        }
        try expect(symbol: ")", "to close OVER (...)")
        return clause
    }

    private mutating func functionArgument() throws(SQLError) -> FunctionArgument {
        var argumentName: Identifier?
        if current.kind == .word || current.kind == .quotedIdentifier, peek().isSymbol("=>") {
            argumentName = try anyName("an argument name")
            advance()
        }
        if accept("TABLE") {
            let table = try qualifiedName("a table name after TABLE")
            var partitionBy: [Identifier] = []
            if accept("PARTITION") {
                // One column, or several in parentheses: a bare comma goes on to the next argument.
                try expect("BY", "after PARTITION")
                if accept(symbol: "(") {
                    repeat { partitionBy.append(try identifier("a column to partition by")) } while accept(symbol: ",")
                    try expect(symbol: ")", "to close PARTITION BY (...)")
                } else {
                    partitionBy.append(try identifier("a column to partition by"))
                }
            }
            return FunctionArgument(
                name: argumentName, value: .table(.table(table, alias: nil), partitionBy: partitionBy))
        }
        if current.isKeyword("DESCRIPTOR"), peek().isSymbol("(") {
            advance()
            return FunctionArgument(name: argumentName, value: .descriptor(try identifierList("column")))
        }
        return FunctionArgument(name: argumentName, value: .expression(try expression()))
    }
}
