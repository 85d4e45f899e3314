/// A query: a select, a union of selects, or a VALUES list, with ORDER BY and LIMIT, and
/// the named queries of a WITH clause it may use.
public struct Query: Sendable, Equatable {
    public var with: [NamedQuery]
    public var body: QueryBody
    public var orderBy: [OrderItem]
    public var limit: Expression?
    public var offset: Expression?

    public init(
        with: [NamedQuery] = [], body: QueryBody, orderBy: [OrderItem] = [], limit: Expression? = nil,
        offset: Expression? = nil
    ) {
        self.with = with
        self.body = body
        self.orderBy = orderBy
        self.limit = limit
        self.offset = offset
    }
}

/// `name AS (query)` in a WITH clause.
public struct NamedQuery: Sendable, Equatable {
    public var name: Identifier
    public var query: Query

    public init(name: Identifier, query: Query) {
        self.name = name
        self.query = query
    }
}

public indirect enum QueryBody: Sendable, Equatable {
    case select(Select)
    /// UNION [ALL] (INTERSECT and EXCEPT parse too, for a clear "not supported").
    case setOperation(SetOperator, all: Bool, QueryBody, QueryBody)
    /// A parenthesised query with its own ORDER BY / LIMIT.
    case nested(Query)
    /// VALUES (row), (row), ...
    case values([[Expression]])
}

public enum SetOperator: String, Sendable, Equatable {
    case union = "UNION", intersect = "INTERSECT", except = "EXCEPT"
}

public struct Select: Sendable, Equatable {
    public var distinct: Bool
    public var items: [SelectItem]
    public var from: TableReference?
    public var filter: Expression?
    public var groupBy: [Expression]
    /// `GROUP BY GROUPING SETS (...)`, `ROLLUP (...)`, `CUBE (...)`: the sets of keys, each
    /// aggregated as its own GROUP BY (`groupBy` then lists every key once). nil: one set.
    public var groupingSets: [[Expression]]?
    public var having: Expression?
    /// `WINDOW w AS (PARTITION BY … ORDER BY …)`: windows the select list names (`OVER w`).
    public var windows: [NamedWindow] = []
    public var range: SourceRange

    public init(
        distinct: Bool = false, items: [SelectItem], from: TableReference? = nil, filter: Expression? = nil,
        groupBy: [Expression] = [], having: Expression? = nil, range: SourceRange
    ) {
        self.distinct = distinct
        self.items = items
        self.from = from
        self.filter = filter
        self.groupBy = groupBy
        self.having = having
        self.range = range
    }
}

/// `name AS (window)` in a WINDOW clause.
public struct NamedWindow: Sendable, Equatable {
    public var name: Identifier
    public var window: OverClause

    public init(name: Identifier, window: OverClause) {
        self.name = name
        self.window = window
    }
}

public enum SelectItem: Sendable, Equatable {
    case expression(Expression, alias: Identifier?)
    /// `*` or `t.*`.
    case wildcard(qualifier: Identifier?, range: SourceRange)
}

public struct OrderItem: Sendable, Equatable {
    public var expression: Expression
    public var descending: Bool
    /// NULLS FIRST (true), NULLS LAST (false), or the default.
    public var nullsFirst: Bool?

    public init(expression: Expression, descending: Bool = false, nullsFirst: Bool? = nil) {
        self.expression = expression
        self.descending = descending
        self.nullsFirst = nullsFirst
    }
}

/// What FROM reads.
public indirect enum TableReference: Sendable, Equatable {
    /// A table or view by name; `options`: a `/*+ OPTIONS(...) */` hint after the name, over
    /// the table's own options for this query.
    case table(QualifiedName, options: [TableOption] = [], alias: Identifier?)
    /// `(query) AS name(c1, c2)`: the column names are optional.
    case subquery(Query, alias: Identifier?, columns: [Identifier], range: SourceRange)
    /// `TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL '5' SECOND))`: a table-valued function.
    case tableFunction(FunctionCall, alias: Identifier?)
    /// `UNNEST(array or map) [WITH ORDINALITY] AS name(c1, ...)`: a row per element, usually
    /// joined to the rows of the table whose column it unnests (`FROM t CROSS JOIN UNNEST(t.tags)`).
    case unnest(Expression, ordinality: Bool, alias: Identifier?, columns: [Identifier], range: SourceRange)
    /// `versioned FOR SYSTEM_TIME AS OF o.time [AS r]`: a table's rows as they were at the
    /// time of each row joined to it (a temporal join).
    case temporal(QualifiedName, options: [TableOption], asOf: Expression, alias: Identifier?)
    /// `a JOIN b ON condition`, or `a JOIN b USING (c, ...)`: the columns both sides name
    /// alike, equated and given once.
    case join(JoinKind, TableReference, TableReference, condition: Expression?, using: [Identifier] = [])
}

public enum JoinKind: String, Sendable, Equatable {
    case inner = "JOIN", left = "LEFT JOIN", right = "RIGHT JOIN", full = "FULL JOIN", cross = "CROSS JOIN"
}

/// A function call: `f(a, b)`, `COUNT(DISTINCT x)`, `COUNT(*)`, and the arguments of
/// table-valued functions, which may be named (`SIZE => INTERVAL '1' MINUTE`), tables
/// (`TABLE t`) or column descriptors (`DESCRIPTOR(ts)`).
public struct FunctionCall: Sendable, Equatable {
    public var name: QualifiedName
    public var arguments: [FunctionArgument]
    public var distinct: Bool
    /// `COUNT(*)`.
    public var star: Bool
    /// `FILTER (WHERE condition)` after an aggregate: only rows that satisfy it are aggregated.
    public var filter: Expression?
    /// `OVER (PARTITION BY ... ORDER BY ...)`: the call is a window function (ROW_NUMBER).
    public var over: OverClause?
    public var range: SourceRange

    public init(
        name: QualifiedName, arguments: [FunctionArgument], distinct: Bool = false, star: Bool = false,
        filter: Expression? = nil, over: OverClause? = nil, range: SourceRange
    ) {
        self.name = name
        self.arguments = arguments
        self.distinct = distinct
        self.star = star
        self.filter = filter
        self.over = over
        self.range = range
    }
}

/// The window of a window function: which rows are numbered together, and in what order.
public struct OverClause: Sendable, Equatable {
    public var partitionBy: [Expression]
    public var orderBy: [OrderItem]
    /// `ROWS|RANGE BETWEEN … PRECEDING AND CURRENT ROW` (nil: not written).
    public var frame: WindowFrame?
    /// `OVER w`: the window the SELECT's WINDOW clause names (the other fields empty).
    public var named: Identifier?

    public init(partitionBy: [Expression] = [], orderBy: [OrderItem] = [], frame: WindowFrame? = nil) {
        self.partitionBy = partitionBy
        self.orderBy = orderBy
        self.frame = frame
    }
}

/// The rows an OVER aggregate sees: up to the current row, from `preceding` rows (ROWS) or
/// that much time (RANGE, an interval) before it; nil: UNBOUNDED PRECEDING.
public struct WindowFrame: Sendable, Equatable {
    public enum Unit: String, Sendable {
        case rows = "ROWS", range = "RANGE"
    }

    public var unit: Unit
    public var preceding: Expression?

    public init(unit: Unit, preceding: Expression?) {
        self.unit = unit
        self.preceding = preceding
    }
}

public struct FunctionArgument: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case expression(Expression)
        /// `TABLE name [PARTITION BY a, b]` as a table-valued function's input (SESSION's
        /// PARTITION BY: sessions per key).
        case table(TableReference, partitionBy: [Identifier])
        /// `DESCRIPTOR(a, b)`: columns named for a table-valued function.
        case descriptor([Identifier])
    }

    /// `name => value`.
    public var name: Identifier?
    public var value: Value

    public init(name: Identifier? = nil, value: Value) {
        self.name = name
        self.value = value
    }

    /// The argument's expression, when it is one.
    public var expression: Expression? {
        if case let .expression(expression) = value { return expression }
        return nil
    }
}
