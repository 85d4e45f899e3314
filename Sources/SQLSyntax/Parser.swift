/// A statement of a script, with the text it was parsed from.
public struct ParsedStatement: Sendable, Equatable {
    public var statement: Statement
    /// The statement's own text (without the `;`), as written.
    public var text: String
    public var range: SourceRange
}

/// A recursive-descent parser for Weir's SQL: Flink SQL's DDL, DML and queries (see the
/// README's SQL section for the scope). Errors name the line and column and what was
/// expected there. Grammar by area: this file has the machinery and the statements;
/// `Parser+Query`, `Parser+Expression` and `Parser+Type` the rest.
public struct Parser {
    var tokens: [Token]
    var index = 0
    let source: String

    init(_ source: String) throws(SQLError) {
        self.source = source
        tokens = try Lexer.tokens(source)
    }

    // MARK: Entry points

    /// Every statement of a script; statements end with `;` (the last one may omit it).
    public static func parseScript(_ source: String) throws(SQLError) -> [ParsedStatement] {
        var parser = try Parser(source)
        var statements: [ParsedStatement] = []
        while true {
            while parser.accept(symbol: ";") {}
            if parser.current.kind == .end { return statements }
            let start = parser.current.range.start
            let statement = try parser.statement()
            let end = parser.tokens[parser.index - 1].range.end
            let text = String(decoding: Array(source.utf8)[start.offset..<end.offset], as: UTF8.self)
            statements.append(ParsedStatement(statement: statement, text: text, range: SourceRange(start, end)))
            guard parser.current.kind == .end || parser.current.isSymbol(";") else {
                throw parser.unexpected("';' after the statement")
            }
        }
    }

    /// One statement (a trailing `;` is allowed).
    public static func parseStatement(_ source: String) throws(SQLError) -> Statement {
        let statements = try parseScript(source)
        guard statements.count == 1 else {
            throw SQLError(
                .syntax,
                statements.isEmpty ? "there is no statement" : "expected one statement, found \(statements.count)",
                at: statements.dropFirst().first?.range)
        }
        return statements[0].statement
    }

    /// One expression, alone (for tests and for function bodies given as text).
    public static func parseExpression(_ source: String) throws(SQLError) -> Expression {
        var parser = try Parser(source)
        let expression = try parser.expression()
        guard parser.current.kind == .end else { throw parser.unexpected("the end of the expression") }
        return expression
    }

    // MARK: Tokens

    var current: Token { tokens[index] }

    func peek(_ ahead: Int = 1) -> Token { tokens[min(index + ahead, tokens.count - 1)] }

    @discardableResult
    mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    /// The range of the token just consumed.
    var previousRange: SourceRange { tokens[max(index - 1, 0)].range }

    mutating func accept(_ keyword: String) -> Bool {
        guard current.isKeyword(keyword) else { return false }
        advance()
        return true
    }

    /// Accepts several keywords in a row, or none of them.
    mutating func accept(_ keywords: String...) -> Bool {
        for (offset, keyword) in keywords.enumerated() where !peek(offset).isKeyword(keyword) { return false }
        for _ in keywords { advance() }
        return true
    }

    mutating func accept(symbol: String) -> Bool {
        guard current.isSymbol(symbol) else { return false }
        advance()
        return true
    }

    @discardableResult
    mutating func expect(_ keyword: String, _ context: String = "") throws(SQLError) -> Token {
        guard current.isKeyword(keyword) else { throw unexpected("\(keyword)\(context.isEmpty ? "" : " \(context)")") }
        return advance()
    }

    @discardableResult
    mutating func expect(symbol: String, _ context: String = "") throws(SQLError) -> Token {
        guard current.isSymbol(symbol) else { throw unexpected("'\(symbol)'\(context.isEmpty ? "" : " \(context)")") }
        return advance()
    }

    /// "expected X, found Y" at the current token.
    func unexpected(_ expected: String) -> SQLError {
        SQLError(.syntax, "expected \(expected), found \(current)", at: current.range)
    }

    // MARK: Names

    /// Words that cannot name a table, column or alias without back-quotes: they start or
    /// end clauses, so reading them as names would make statements ambiguous.
    static let reserved: Set<String> = [
        "ALL", "AND", "AS", "BETWEEN", "BY", "CASE", "CAST", "CREATE", "CROSS", "DESCRIBE", "DISTINCT", "DROP", "ELSE",
        "END", "ESCAPE", "EXCEPT", "EXISTS", "FALSE", "FETCH", "FROM", "FULL", "GROUP", "HAVING", "IN", "INNER",
        "INSERT",
        "INTERSECT", "INTERVAL", "INTO", "IS", "JOIN", "LEFT", "LIKE", "LIMIT", "NATURAL", "NOT", "NULL", "OFFSET",
        "ON", "OR", "ORDER", "OUTER", "OVER", "RIGHT", "SELECT", "SIMILAR", "TABLE", "THEN", "TRUE", "TRY_CAST",
        "UNION",
        "UNKNOWN", "USING", "VALUES", "WHEN", "WHERE", "WINDOW", "WITH",
    ]

    /// Whether the current token can be a name.
    var atName: Bool {
        current.kind == .quotedIdentifier
            || (current.kind == .word && !Self.reserved.contains(current.upper)
                && !Lexer.isDigit(current.text.utf8.first ?? 0))
    }

    mutating func identifier(_ what: String) throws(SQLError) -> Identifier {
        guard atName else {
            if current.kind == .word, Lexer.isDigit(current.text.utf8.first ?? 0) {
                throw SQLError(.syntax, "'\(current.text)' is neither a number nor a name", at: current.range)
            }
            if current.kind == .word {
                throw SQLError(
                    .syntax,
                    "expected \(what), found the keyword \(current.upper) (write `\(current.text)` to use it as a name)",
                    at: current.range)
            }
            throw unexpected(what)
        }
        let token = advance()
        return Identifier(token.text, range: token.range)
    }

    mutating func qualifiedName(_ what: String) throws(SQLError) -> QualifiedName {
        var parts = [try identifier(what)]
        while current.isSymbol("."), peek().kind == .word || peek().kind == .quotedIdentifier {
            advance()
            parts.append(try identifier(what))
        }
        return QualifiedName(parts)
    }

    /// `(a, b, c)`.
    mutating func identifierList(_ what: String) throws(SQLError) -> [Identifier] {
        try expect(symbol: "(", "before the \(what) list")
        var names = [try identifier(what)]
        while accept(symbol: ",") { names.append(try identifier(what)) }
        try expect(symbol: ")", "after the \(what) list")
        return names
    }

    mutating func stringLiteral(_ what: String) throws(SQLError) -> String {
        guard current.kind == .string else { throw unexpected(what) }
        return advance().text
    }

    // MARK: Statements

    mutating func statement() throws(SQLError) -> Statement {
        let token = current
        guard token.kind == .word || token.isSymbol("(") else { throw unexpected("a statement") }
        switch token.upper {
        case "SELECT", "WITH", "VALUES", "": return .query(try query())
        case "CREATE": return try create()
        case "DROP": return try drop()
        case "ALTER": return try alter()
        case "SHOW":
            advance()
            if accept("TABLES") { return .showTables }
            if accept("VIEWS") { return .showViews }
            if accept("FUNCTIONS") || accept("USER", "FUNCTIONS") { return .showFunctions }
            if accept("JOBS") { return .showJobs }
            if accept("CREATE") {
                if accept("TABLE") { return .showCreate(try qualifiedName("a table name"), view: false) }
                try expect("VIEW", "after SHOW CREATE (TABLE or VIEW)")
                return .showCreate(try qualifiedName("a view name"), view: true)
            }
            throw unexpected("TABLES, VIEWS, FUNCTIONS, JOBS or CREATE after SHOW")
        case "DESCRIBE", "DESC":
            advance()
            return .describe(try qualifiedName("a table or view name"))
        case "EXPLAIN":
            advance()
            _ = accept("PLAN", "FOR")
            return .explain(try statement())
        case "SET": return try set()
        case "RESET":
            advance()
            if current.kind == .string { return .reset(key: advance().text) }
            if current.kind == .word { return .reset(key: try settingKey()) }
            return .reset(key: nil)
        case "INSERT": return .insert(try insert())
        case "STOP":
            advance()
            try expect("JOB", "after STOP")
            let id = try stringLiteral("the job id as a string ('...')")
            return .stopJob(id: id)
        case "EXECUTE":
            advance()
            try expect("STATEMENT", "after EXECUTE")
            try expect("SET", "after EXECUTE STATEMENT")
            try expect("BEGIN", "after EXECUTE STATEMENT SET")
            var inserts: [Insert] = []
            while !current.isKeyword("END") {
                inserts.append(try insert())
                try expect(symbol: ";", "after each INSERT of a statement set")
            }
            advance()
            guard !inserts.isEmpty else {
                throw SQLError(.syntax, "a statement set needs at least one INSERT", at: previousRange)
            }
            return .statementSet(inserts)
        default:
            throw SQLError(
                .syntax,
                "expected a statement (SELECT, INSERT, CREATE, DROP, SHOW, DESCRIBE, EXPLAIN, SET, RESET), found \(token)",
                at: token.range)
        }
    }

    /// SET; SET 'key' = 'value'; and the older SET key = value.
    mutating func set() throws(SQLError) -> Statement {
        advance()
        if current.kind == .end || current.isSymbol(";") { return .set(key: nil, value: nil) }
        let key = current.kind == .string ? advance().text : try settingKey()
        try expect(symbol: "=", "between the setting's key and value")
        let value: String
        switch current.kind {
        case .string, .integer, .decimal: value = advance().text
        case .word: value = try settingKey()
        default: throw unexpected("the setting's value")
        }
        return .set(key: key, value: value)
    }

    /// A dotted key or value written without quotes (`execution.runtime-mode`, `10s`): the
    /// tokens that touch each other, as written.
    mutating func settingKey() throws(SQLError) -> String {
        guard [.word, .integer, .decimal].contains(current.kind) else { throw unexpected("a setting") }
        let start = current.range.start.offset
        var end = advance().range.end.offset
        while current.range.start.offset == end, current.kind != .end, !current.isSymbol(";"), !current.isSymbol("=") {
            end = advance().range.end.offset
        }
        return String(decoding: Array(source.utf8)[start..<end], as: UTF8.self)
    }

    mutating func insert() throws(SQLError) -> Insert {
        try expect("INSERT")
        let overwrite = accept("OVERWRITE")
        if !overwrite { try expect("INTO", "after INSERT") }
        let table = try qualifiedName("a table name")
        let options = try tableHints()
        var columns: [Identifier] = []
        if current.isSymbol("("), peek().kind == .word || peek().kind == .quotedIdentifier, !peek().isKeyword("SELECT"),
            !peek().isKeyword("VALUES")
        {
            columns = try identifierList("column")
        }
        return Insert(table: table, options: options, columns: columns, overwrite: overwrite, query: try query())
    }

    mutating func create() throws(SQLError) -> Statement {
        advance()
        let temporary = accept("TEMPORARY")
        _ = temporary && accept("SYSTEM")
        if accept("TABLE") { return .createTable(try createTable(temporary: temporary)) }
        if accept("VIEW") {
            let ifNotExists = accept("IF", "NOT", "EXISTS")
            let name = try qualifiedName("a view name")
            let columns = current.isSymbol("(") ? try identifierList("column") : []
            try expect("AS", "before the view's query")
            return .createView(
                CreateView(
                    name: name, ifNotExists: ifNotExists, temporary: temporary, columns: columns, query: try query()))
        }
        if accept("FUNCTION") { return .createFunction(try createFunction(temporary: temporary)) }
        if current.isKeyword("CATALOG") || current.isKeyword("DATABASE") {
            throw SQLError(
                .unsupported, "CREATE \(current.upper): Weir has one catalog and one database", at: current.range)
        }
        throw unexpected("TABLE, VIEW or FUNCTION after CREATE")
    }

    /// `ALTER TABLE name SET (options)` or `ALTER TABLE name RESET ('key', ...)`.
    mutating func alter() throws(SQLError) -> Statement {
        advance()
        try expect("TABLE", "after ALTER (ALTER TABLE name SET (...))")
        let name = try qualifiedName("a table name")
        if accept("SET") { return .alterTableOptions(name: name, set: try options(after: "SET"), reset: []) }
        guard accept("RESET") else { throw unexpected("SET ('key' = 'value', ...) or RESET ('key', ...)") }
        try expect(symbol: "(", "after RESET")
        var keys: [String] = []
        repeat {
            keys.append(try stringLiteral("an option key in quotes"))
        } while accept(symbol: ",")
        try expect(symbol: ")", "or ',' after an option key")
        return .alterTableOptions(name: name, set: [], reset: keys)
    }

    mutating func drop() throws(SQLError) -> Statement {
        advance()
        let temporary = accept("TEMPORARY")
        _ = temporary && accept("SYSTEM")
        let kind = current
        guard kind.isKeyword("TABLE") || kind.isKeyword("VIEW") || kind.isKeyword("FUNCTION") else {
            throw unexpected("TABLE, VIEW or FUNCTION after DROP")
        }
        advance()
        let ifExists = accept("IF", "EXISTS")
        let name = try qualifiedName("a name")
        switch kind.upper {
        case "TABLE": return .dropTable(name: name, ifExists: ifExists, temporary: temporary)
        case "VIEW": return .dropView(name: name, ifExists: ifExists, temporary: temporary)
        default: return .dropFunction(name: name, ifExists: ifExists, temporary: temporary)
        }
    }

    mutating func createTable(temporary: Bool) throws(SQLError) -> CreateTable {
        let ifNotExists = accept("IF", "NOT", "EXISTS")
        var table = CreateTable(name: try qualifiedName("a table name"), ifNotExists: ifNotExists, temporary: temporary)
        // Without columns the table must be LIKE another (checked below).
        if current.isSymbol("(") { try tableElements(into: &table) }
        if accept("COMMENT") { table.comment = try stringLiteral("the table's comment") }
        if accept("PARTITIONED") {
            try expect("BY", "after PARTITIONED")
            table.partitionedBy = try identifierList("partition column")
        }
        if accept("WITH") { table.options = try options() }
        if accept("LIKE") {
            var like = LikeClause(source: try qualifiedName("the table to be LIKE"))
            if accept(symbol: "(") {
                repeat {
                    guard current.kind == .word, let strategy = LikeClause.Strategy(rawValue: current.upper) else {
                        throw unexpected("INCLUDING, EXCLUDING or OVERWRITING")
                    }
                    advance()
                    if accept("ALL") {
                        for part in LikeClause.Part.allCases { like.strategies[part] = strategy }
                    } else {
                        guard current.kind == .word, let part = LikeClause.Part(rawValue: current.upper) else {
                            throw unexpected("ALL, CONSTRAINTS, GENERATED, METADATA, OPTIONS, PARTITIONS or WATERMARKS")
                        }
                        advance()
                        like.strategies[part] = strategy
                    }
                } while accept(symbol: ",") || current.kind == .word
                try expect(symbol: ")", "after the LIKE options")
            }
            table.like = like
        } else if current.isKeyword("AS") {
            // CREATE TABLE ... AS SELECT: the columns come from the query.
            guard table.columns.isEmpty, table.watermark == nil, table.primaryKey == nil else {
                throw SQLError(
                    .unsupported, "CREATE TABLE ... AS takes its columns from the query: declare none",
                    at: current.range)
            }
            advance()
            table.query = try query()
        } else if table.columns.isEmpty {
            throw unexpected("'(' before the table's columns")
        }
        if current.isKeyword("AS") {
            throw SQLError(.unsupported, "CREATE TABLE ... AS cannot be LIKE another table too", at: current.range)
        }
        return table
    }

    /// `( column, ..., WATERMARK ..., PRIMARY KEY ... )`.
    private mutating func tableElements(into table: inout CreateTable) throws(SQLError) {
        try expect(symbol: "(", "before the table's columns")
        repeat {
            if current.isKeyword("WATERMARK") {
                let start = advance().range
                guard table.watermark == nil else {
                    throw SQLError(.syntax, "a table has at most one WATERMARK", at: start)
                }
                try expect("FOR", "after WATERMARK")
                let column = try identifier("the event-time column")
                try expect("AS", "before the watermark expression")
                table.watermark = WatermarkDefinition(column: column, expression: try expression())
            } else if current.isKeyword("PRIMARY") || current.isKeyword("CONSTRAINT") {
                let start = current.range
                if accept("CONSTRAINT") { _ = try identifier("a constraint name") }
                try expect("PRIMARY")
                try expect("KEY", "after PRIMARY")
                let columns = try identifierList("key column")
                try notEnforced()
                guard table.primaryKey == nil else {
                    throw SQLError(.syntax, "a table has at most one PRIMARY KEY", at: start)
                }
                table.primaryKey = PrimaryKey(columns: columns, range: start.union(previousRange))
            } else {
                let (column, inlineKey) = try columnDefinition()
                if let inlineKey {
                    guard table.primaryKey == nil else {
                        throw SQLError(.syntax, "a table has at most one PRIMARY KEY", at: inlineKey)
                    }
                    table.primaryKey = PrimaryKey(columns: [column.name], range: inlineKey)
                }
                table.columns.append(column)
            }
        } while accept(symbol: ",")
        try expect(symbol: ")", "or ',' after a column")
    }

    mutating func notEnforced() throws(SQLError) {
        guard accept("NOT", "ENFORCED") else {
            if current.isKeyword("ENFORCED") {
                throw SQLError(
                    .unsupported, "Flink does not check primary keys: write PRIMARY KEY (...) NOT ENFORCED",
                    at: current.range)
            }
            throw unexpected("NOT ENFORCED after the primary key (Flink does not check keys)")
        }
    }

    /// A column, and the range of an inline `PRIMARY KEY NOT ENFORCED` if it has one.
    mutating func columnDefinition() throws(SQLError) -> (ColumnDefinition, SourceRange?) {
        let name = try identifier("a column name, WATERMARK or PRIMARY KEY")
        if accept("AS") {
            let computed = try expression()
            let comment = accept("COMMENT") ? try stringLiteral("the column's comment") : nil
            return (ColumnDefinition(name: name, kind: .computed(computed), comment: comment), nil)
        }
        let type = try dataType()
        var nullable = true
        if accept("NOT", "NULL") { nullable = false } else { _ = accept("NULL") }
        var kind = ColumnDefinition.Kind.physical(type, nullable: nullable)
        if accept("METADATA") {
            let key = accept("FROM") ? try stringLiteral("the metadata key ('timestamp', 'partition', ...)") : nil
            kind = .metadata(type, key: key, virtual: accept("VIRTUAL"))
        }
        var inlineKey: SourceRange?
        if current.isKeyword("PRIMARY") {
            let start = advance().range
            try expect("KEY", "after PRIMARY")
            try notEnforced()
            inlineKey = start.union(previousRange)
        }
        let comment = accept("COMMENT") ? try stringLiteral("the column's comment") : nil
        return (ColumnDefinition(name: name, kind: kind, comment: comment), inlineKey)
    }

    /// `/*+ OPTIONS('key' = 'value', ...) */` after a table's name (none: no hint).
    mutating func tableHints() throws(SQLError) -> [TableOption] {
        guard accept(symbol: "/*+") else { return [] }
        var options: [TableOption] = []
        repeat {
            guard current.isKeyword("OPTIONS") else {
                throw SQLError(
                    .unsupported, "a table's hint is OPTIONS('key' = 'value', ...), not \(current)", at: current.range)
            }
            advance()
            options += try self.options(after: "OPTIONS")
        } while accept(symbol: ",")
        try expect(symbol: "*/", "to close the hint")
        return options
    }

    /// `( 'key' = 'value', ... )`.
    mutating func options(after keyword: String = "WITH") throws(SQLError) -> [TableOption] {
        try expect(symbol: "(", "after \(keyword)")
        var options: [TableOption] = []
        if accept(symbol: ")") { return options }
        repeat {
            let start = current.range
            let key = try stringLiteral("an option key in quotes ('connector', ...)")
            try expect(symbol: "=", "between the option's key and value")
            let value: String
            switch current.kind {
            case .string, .integer, .decimal: value = advance().text
            case .word where current.isKeyword("TRUE") || current.isKeyword("FALSE"):
                value = advance().text.lowercased()
            default: throw unexpected("the option's value in quotes")
            }
            options.append(TableOption(key: key, value: value, range: start.union(previousRange)))
        } while accept(symbol: ",")
        try expect(symbol: ")", "or ',' after an option")
        return options
    }

    /// `name(p TYPE, ...) RETURNS TYPE AS expression`; Flink's class-name form is refused with the SQL form suggested.
    mutating func createFunction(temporary: Bool) throws(SQLError) -> CreateFunction {
        let ifNotExists = accept("IF", "NOT", "EXISTS")
        let name = try qualifiedName("a function name")
        if current.isKeyword("AS"), peek().kind == .string {
            throw SQLError(
                .unsupported,
                """
                functions implemented in Java or Python classes do not run in Weir; define it in SQL, for example \
                CREATE FUNCTION \(name)(id INT) RETURNS STRING AS CASE id WHEN 0 THEN 'a' ELSE 'b' END
                """, at: current.range.union(peek().range))
        }
        try expect(symbol: "(", "before the function's parameters")
        var parameters: [CreateFunction.Parameter] = []
        if !current.isSymbol(")") {
            repeat {
                let parameter = try identifier("a parameter name")
                parameters.append(.init(name: parameter, type: try dataType()))
            } while accept(symbol: ",")
        }
        try expect(symbol: ")", "after the function's parameters")
        try expect("RETURNS", "and the result type after the parameters")
        let returnType = try dataType()
        try expect("AS", "before the function's body")
        return CreateFunction(
            name: name, ifNotExists: ifNotExists, temporary: temporary, parameters: parameters,
            returnType: returnType, body: try expression())
    }
}
