/// Queries: WITH, SELECT, set operations, FROM with joins and table-valued functions,
/// ORDER BY, LIMIT.
extension Parser {
    mutating func query() throws(SQLError) -> Query {
        var named: [NamedQuery] = []
        if accept("WITH") {
            repeat {
                let name = try identifier("the name of a WITH query")
                try expect("AS", "after the WITH query's name")
                try expect(symbol: "(", "before the WITH query")
                named.append(NamedQuery(name: name, query: try query()))
                try expect(symbol: ")", "after the WITH query")
            } while accept(symbol: ",")
        }
        var result = Query(with: named, body: try queryBody())
        if accept("ORDER") {
            try expect("BY", "after ORDER")
            repeat { result.orderBy.append(try orderItem()) } while accept(symbol: ",")
        }
        if accept("LIMIT") { result.limit = try expression() }
        if accept("OFFSET") {
            result.offset = try expression()
            _ = accept("ROWS") || accept("ROW")
        }
        if accept("FETCH") {
            guard accept("FIRST") || accept("NEXT") else { throw unexpected("FIRST or NEXT after FETCH") }
            result.limit = try expression()
            guard accept("ROWS") || accept("ROW") else { throw unexpected("ROWS") }
            try expect("ONLY", "after FETCH FIRST n ROWS")
        }
        return result
    }

    /// Set operations, left to right (INTERSECT binds tighter than UNION and EXCEPT).
    mutating func queryBody() throws(SQLError) -> QueryBody {
        var left = try intersection()
        while current.isKeyword("UNION") || current.isKeyword("EXCEPT") {
            let operation = SetOperator(rawValue: advance().upper)!
            let all = accept("ALL")
            if !all { _ = accept("DISTINCT") }
            left = .setOperation(operation, all: all, left, try intersection())
        }
        return left
    }

    mutating func intersection() throws(SQLError) -> QueryBody {
        var left = try queryTerm()
        while accept("INTERSECT") {
            let all = accept("ALL")
            if !all { _ = accept("DISTINCT") }
            left = .setOperation(.intersect, all: all, left, try queryTerm())
        }
        return left
    }

    mutating func queryTerm() throws(SQLError) -> QueryBody {
        if current.isSymbol("(") {
            advance()
            let nested = try query()
            try expect(symbol: ")", "after the query in parentheses")
            return .nested(nested)
        }
        if accept("VALUES") {
            var rows: [[Expression]] = []
            repeat {
                let start = current.range
                if accept("ROW") {}
                try expect(symbol: "(", "before a row of VALUES")
                var row = [try expression()]
                while accept(symbol: ",") { row.append(try expression()) }
                try expect(symbol: ")", "after a row of VALUES")
                if let width = rows.first?.count, width != row.count {
                    throw SQLError(
                        .syntax, "every row of VALUES needs \(width) values, this one has \(row.count)",
                        at: start.union(previousRange))
                }
                rows.append(row)
            } while accept(symbol: ",")
            return .values(rows)
        }
        return .select(try select())
    }

    /// One element of GROUP BY as the sets of keys it stands for, and whether it was a
    /// grouping construct: `e` ([[e]]), `()` ([[]]), `ROLLUP (a, b)` ((a, b), (a), ()),
    /// `CUBE (a, b)` (every subset), `GROUPING SETS (element, ...)` (each element's sets).
    private mutating func groupingElement() throws(SQLError) -> (sets: [[Expression]], grouping: Bool) {
        if current.isSymbol("("), peek().isSymbol(")") {
            advance()
            advance()
            return ([[]], true)
        }
        if current.isKeyword("GROUPING"), peek().isKeyword("SETS") {
            advance()
            advance()
            try expect(symbol: "(", "after GROUPING SETS")
            var sets: [[Expression]] = []
            repeat {
                if current.isSymbol("("), !peek().isSymbol(")"), !peek().isKeyword("SELECT") {
                    // `(a, b)`: one set of several keys.
                    advance()
                    var set: [Expression] = []
                    repeat { set.append(try expression()) } while accept(symbol: ",")
                    try expect(symbol: ")", "after a grouping set")
                    sets.append(set)
                } else {
                    sets += try groupingElement().sets
                }
            } while accept(symbol: ",")
            try expect(symbol: ")", "after the grouping sets")
            return (sets, true)
        }
        if current.kind == .word, current.upper == "ROLLUP" || current.upper == "CUBE", peek().isSymbol("(") {
            let cube = current.upper == "CUBE"
            advance()
            advance()
            var keys: [Expression] = []
            repeat { keys.append(try expression()) } while accept(symbol: ",")
            try expect(symbol: ")", "after the \(cube ? "CUBE" : "ROLLUP") keys")
            if !cube { return ((0...keys.count).reversed().map { Array(keys.prefix($0)) }, true) }
            // Every subset, the keys kept in order, larger sets first: (a, b), (a), (b), ().
            var subsets: [[Expression]] = []
            for size in (0...keys.count).reversed() {
                for mask in (0..<(1 << keys.count)).reversed() where mask.nonzeroBitCount == size {
                    subsets.append(keys.indices.filter { mask & (1 << (keys.count - 1 - $0)) != 0 }.map { keys[$0] })
                }
            }
            return (subsets, true)
        }
        return ([[try expression()]], false)
    }

    mutating func select() throws(SQLError) -> Select {
        let start = try expect("SELECT", "(or VALUES, WITH, or a query in parentheses)").range
        // Query hints (`/*+ BROADCAST(t) */`, join strategies) are advice to an optimizer Weir
        // does not have: skipped, as comments were before hints were read.
        if accept(symbol: "/*+") {
            while !accept(symbol: "*/") {
                guard current.kind != .end else { throw unexpected("*/ to close the hint") }
                advance()
            }
        }
        let distinct = accept("DISTINCT")
        if !distinct { _ = accept("ALL") }
        var items: [SelectItem] = []
        repeat { items.append(try selectItem()) } while accept(symbol: ",")
        var select = Select(distinct: distinct, items: items, range: start)
        if accept("FROM") { select.from = try tableReference() }
        if accept("WHERE") { select.filter = try expression() }
        if accept("GROUP") {
            try expect("BY", "after GROUP")
            var sets: [[Expression]] = [[]]
            var grouping = false
            repeat {
                let (element, isSets) = try groupingElement()
                grouping = grouping || isSets
                // Several elements: every combination of one set of each (`a, ROLLUP (b)`: (a, b), (a)).
                sets = sets.flatMap { prefix in element.map { prefix + $0 } }
            } while accept(symbol: ",")
            for set in sets {
                for key in set where !select.groupBy.contains(where: { $0.description == key.description }) {
                    select.groupBy.append(key)
                }
            }
            if grouping { select.groupingSets = sets }
        }
        if accept("HAVING") { select.having = try expression() }
        if accept("WINDOW") {
            repeat {
                let name = try identifier("a window name")
                try expect("AS", "after the window's name")
                select.windows.append(NamedWindow(name: name, window: try overClause()))
            } while accept(symbol: ",")
        }
        select.range = start.union(previousRange)
        return select
    }

    mutating func selectItem() throws(SQLError) -> SelectItem {
        if current.isSymbol("*") {
            return .wildcard(qualifier: nil, range: advance().range)
        }
        if atName, peek().isSymbol("."), peek(2).isSymbol("*") {
            let qualifier = try identifier("a table name")
            advance()
            let star = advance().range
            return .wildcard(qualifier: qualifier, range: qualifier.range.union(star))
        }
        if current.isKeyword("FROM") { throw unexpected("an expression (the select list is empty or ends with ',')") }
        let value = try expression()
        return .expression(value, alias: try alias())
    }

    /// `AS name`, or a bare name that is not a keyword.
    mutating func alias() throws(SQLError) -> Identifier? {
        if accept("AS") { return try identifier("a name after AS") }
        if current.kind == .string {
            // Flink accepts 'alias' in quotes only after AS; say so rather than "expected ,".
            throw SQLError(
                .syntax, "write AS before an alias, and give it without quotes or in back-quotes", at: current.range)
        }
        return atName ? try identifier("an alias") : nil
    }

    mutating func orderItem() throws(SQLError) -> OrderItem {
        var item = OrderItem(expression: try expression())
        if accept("DESC") { item.descending = true } else { _ = accept("ASC") }
        if accept("NULLS") {
            if accept("FIRST") {
                item.nullsFirst = true
            } else {
                try expect("LAST", "or FIRST after NULLS")
                item.nullsFirst = false
            }
        }
        return item
    }

    // MARK: FROM

    mutating func tableReference() throws(SQLError) -> TableReference {
        var left = try tablePrimary()
        while true {
            if accept(symbol: ",") {
                left = .join(.cross, left, try tablePrimary(), condition: nil)
                continue
            }
            let kind: JoinKind
            if accept("CROSS", "JOIN") {
                left = .join(.cross, left, try tablePrimary(), condition: nil)
                continue
            } else if accept("JOIN") || accept("INNER", "JOIN") {
                kind = .inner
            } else if accept("LEFT") {
                _ = accept("OUTER")
                try expect("JOIN", "after LEFT")
                kind = .left
            } else if accept("RIGHT") {
                _ = accept("OUTER")
                try expect("JOIN", "after RIGHT")
                kind = .right
            } else if accept("FULL") {
                _ = accept("OUTER")
                try expect("JOIN", "after FULL")
                kind = .full
            } else {
                return left
            }
            let right = try tablePrimary()
            if accept("USING") {
                left = .join(kind, left, right, condition: nil, using: try identifierList("a column USING names"))
                continue
            }
            try expect("ON", "or USING and the join condition")
            left = .join(kind, left, right, condition: try expression())
        }
    }

    mutating func tablePrimary() throws(SQLError) -> TableReference {
        if current.isSymbol("(") {
            let start = advance().range
            if current.isKeyword("SELECT") || current.isKeyword("WITH") || current.isKeyword("VALUES")
                || current.isSymbol("(")
            {
                let nested = try query()
                try expect(symbol: ")", "after the subquery")
                let range = start.union(previousRange)
                let name = try alias()
                let columns = name != nil && current.isSymbol("(") ? try identifierList("column alias") : []
                return .subquery(nested, alias: name, columns: columns, range: range)
            }
            let nested = try tableReference()
            try expect(symbol: ")", "after the joined tables")
            return nested
        }
        if accept("TABLE") {
            try expect(symbol: "(", "after TABLE (a table-valued function: TABLE(TUMBLE(...)))")
            let call = try functionCall(
                name: try qualifiedName("a table-valued function (TUMBLE, HOP, CUMULATE, SESSION)"))
            try expect(symbol: ")", "after the table-valued function")
            return .tableFunction(call, alias: try alias())
        }
        if current.isKeyword("UNNEST") {
            let start = advance().range
            try expect(symbol: "(", "after UNNEST")
            let collection = try expression()
            try expect(symbol: ")", "after UNNEST's array or map")
            let ordinality = accept("WITH", "ORDINALITY")
            let range = start.union(previousRange)
            let name = try alias()
            let columns = name != nil && current.isSymbol("(") ? try identifierList("column alias") : []
            return .unnest(collection, ordinality: ordinality, alias: name, columns: columns, range: range)
        }
        if accept("LATERAL") {
            throw SQLError(.unsupported, "LATERAL tables are not supported yet", at: previousRange)
        }
        let name = try qualifiedName("a table name or a subquery in parentheses")
        let options = try tableHints()
        if accept("FOR", "SYSTEM_TIME") {
            try expect("AS", "after FOR SYSTEM_TIME")
            try expect("OF", "after FOR SYSTEM_TIME AS")
            let time = try expression()
            return .temporal(name, options: options, asOf: time, alias: try alias())
        }
        return .table(name, options: options, alias: try alias())
    }
}
