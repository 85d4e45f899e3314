import SQLPlanner

/// Words to complete as a user types: SQL keywords and types, function names, the session's
/// tables, views and their columns, and the WITH option keys of every connector and format.
extension Engine {
    public var completionWords: [String] {
        var words = Set(Self.keywords)
        words.formUnion(BuiltinFunction.names)
        words.formUnion(ExpressionCompiler.aggregateNames)
        words.formUnion(ExpressionCompiler.windowFunctionNames)
        words.formUnion(catalog.functionNames)
        words.formUnion(catalog.tableNames)
        for table in catalog.tables.values { words.formUnion(table.schema.columns.map(\.name)) }
        for view in catalog.views.values { words.formUnion(view.schema.columns.map(\.name)) }
        words.formUnion(catalog.connectors.optionKeys)
        words.formUnion(FormatOptions.byFormat.values.joined().map(\.key))
        // The two keys every table has, and the values they take.
        words.formUnion(["connector", "format"])
        words.formUnion(catalog.connectors.listedNames)
        words.formUnion(FormatOptions.names)
        return words.sorted()
    }

    public static let keywords = [
        "SELECT", "FROM", "WHERE", "GROUP", "BY", "HAVING", "ORDER", "LIMIT", "OFFSET", "INSERT", "INTO", "CREATE",
        "TABLE", "VIEW",
        "FUNCTION", "TEMPORARY", "DROP", "IF", "EXISTS", "SHOW", "TABLES", "VIEWS", "FUNCTIONS", "JOBS", "STOP", "JOB",
        "DESCRIBE",
        "EXPLAIN", "SET", "RESET", "WITH", "WATERMARK", "FOR", "AS", "INTERVAL", "SECOND", "MINUTE", "HOUR", "DAY",
        "DESCRIPTOR",
        "PRIMARY", "KEY", "NOT", "ENFORCED", "METADATA", "VIRTUAL", "RETURNS", "CASE", "WHEN", "THEN", "ELSE", "END",
        "CAST",
        "TRY_CAST", "DISTINCT", "UNION", "ALL", "VALUES", "AND", "OR", "NULL", "IS", "IN", "BETWEEN", "LIKE", "EXECUTE",
        "STATEMENT",
        "BEGIN", "OVER", "PARTITION", "ROW_NUMBER", "RANK", "DENSE_RANK", "FILTER", "GROUPING", "SETS", "ROLLUP",
        "CUBE", "RETURNING", "EMPTY", "ERROR", "DEFAULT", "ASC", "DESC", "TRUE", "FALSE", "STRING", "VARCHAR", "CHAR",
        "BOOLEAN", "TINYINT",
        "SMALLINT", "INT", "INTEGER", "BIGINT", "FLOAT", "DOUBLE", "DECIMAL", "DATE", "TIME", "TIMESTAMP",
        "TIMESTAMP_LTZ", "BYTES",
        "ARRAY", "MAP", "ROW", "JOIN", "INNER", "LEFT", "RIGHT", "FULL", "OUTER", "CROSS", "ON", "SIMILAR", "TO",
        "ESCAPE",
        "TUMBLE", "HOP", "CUMULATE", "SESSION", "UNNEST", "ORDINALITY", "SYSTEM_TIME", "OF", "INCLUDING", "EXCLUDING",
        "OVERWRITING",
    ]
}
