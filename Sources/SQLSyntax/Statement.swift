/// A name as written, with where it was written (for error carets).
public struct Identifier: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var range: SourceRange

    public init(_ name: String, range: SourceRange) {
        self.name = name
        self.range = range
    }

    public var description: String { name }
}

/// A possibly qualified name: `payments`, `db.payments`, `catalog.db.payments`.
public struct QualifiedName: Sendable, Hashable, CustomStringConvertible {
    public var parts: [Identifier]

    public init(_ parts: [Identifier]) {
        self.parts = parts
    }

    /// The last part: the object's own name.
    public var name: String { parts.last?.name ?? "" }
    public var range: SourceRange { parts.first!.range.union(parts.last!.range) }
    public var description: String { parts.map(\.name).joined(separator: ".") }
}

/// One statement of a script.
public indirect enum Statement: Sendable, Equatable {
    case createTable(CreateTable)
    case dropTable(name: QualifiedName, ifExists: Bool, temporary: Bool)
    /// `ALTER TABLE name SET ('key' = 'value', ...)` or `ALTER TABLE name RESET ('key', ...)`:
    /// the table's options changed (Flink's syntax); queries planned after it see them.
    case alterTableOptions(name: QualifiedName, set: [TableOption], reset: [String])
    case createView(CreateView)
    case dropView(name: QualifiedName, ifExists: Bool, temporary: Bool)
    case createFunction(CreateFunction)
    case dropFunction(name: QualifiedName, ifExists: Bool, temporary: Bool)
    case showTables
    case showViews
    case showFunctions
    case showJobs
    /// SHOW CREATE TABLE / SHOW CREATE VIEW: the statement that makes it, as SQL.
    case showCreate(QualifiedName, view: Bool)
    /// DESCRIBE / DESC.
    case describe(QualifiedName)
    /// EXPLAIN [PLAN FOR] statement.
    case explain(Statement)
    /// SET (list every setting), or SET 'key' = 'value'.
    case set(key: String?, value: String?)
    /// RESET (every setting), or RESET 'key'.
    case reset(key: String?)
    case insert(Insert)
    case query(Query)
    /// STOP JOB 'id'.
    case stopJob(id: String)
    /// EXECUTE STATEMENT SET BEGIN insert; ... END.
    case statementSet([Insert])
}

/// CREATE [TEMPORARY] TABLE [IF NOT EXISTS] name (columns, watermark, primary key) [COMMENT '...'] WITH (options).
public struct CreateTable: Sendable, Equatable {
    public var name: QualifiedName
    public var ifNotExists: Bool
    public var temporary: Bool
    public var columns: [ColumnDefinition]
    public var watermark: WatermarkDefinition?
    public var primaryKey: PrimaryKey?
    public var comment: String?
    public var partitionedBy: [Identifier]
    public var options: [TableOption]
    /// `LIKE source [(INCLUDING | EXCLUDING | OVERWRITING) (ALL | OPTIONS | ...) ...]`: the
    /// source table's definition merged in (done by the engine, which knows the source).
    public var like: LikeClause?
    /// `AS query` (CREATE TABLE AS SELECT): the table takes the query's columns and is filled
    /// by it (done by the engine, which plans the query).
    public var query: Query?

    public init(
        name: QualifiedName, ifNotExists: Bool = false, temporary: Bool = false, columns: [ColumnDefinition] = [],
        watermark: WatermarkDefinition? = nil, primaryKey: PrimaryKey? = nil, comment: String? = nil,
        partitionedBy: [Identifier] = [], options: [TableOption] = []
    ) {
        self.name = name
        self.ifNotExists = ifNotExists
        self.temporary = temporary
        self.columns = columns
        self.watermark = watermark
        self.primaryKey = primaryKey
        self.comment = comment
        self.partitionedBy = partitionedBy
        self.options = options
    }
}

/// CREATE TABLE's LIKE clause: the table whose definition is merged in, and how each part
/// is (Flink's defaults: INCLUDING ALL, OVERWRITING OPTIONS).
public struct LikeClause: Sendable, Equatable {
    public enum Strategy: String, Sendable, Equatable {
        case including = "INCLUDING", excluding = "EXCLUDING", overwriting = "OVERWRITING"
    }

    public enum Part: String, Sendable, Equatable, CaseIterable {
        case constraints = "CONSTRAINTS", generated = "GENERATED", metadata = "METADATA", options = "OPTIONS"
        case partitions = "PARTITIONS", watermarks = "WATERMARKS"
    }

    public var source: QualifiedName
    /// The strategy of each part, after the clause's options (in order: a later one wins).
    public var strategies: [Part: Strategy]

    public init(source: QualifiedName, strategies: [Part: Strategy] = [:]) {
        self.source = source
        self.strategies = strategies
    }

    public func strategy(_ part: Part) -> Strategy {
        strategies[part] ?? (part == .options ? .overwriting : .including)
    }
}

/// One column of a table.
public struct ColumnDefinition: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Stored in (and read from) the connector's records.
        case physical(DataType, nullable: Bool)
        /// `name AS expression`: computed from the other columns of the row.
        case computed(Expression)
        /// `name TYPE METADATA [FROM 'key'] [VIRTUAL]`: the connector's metadata (a record's
        /// timestamp, partition, offset, ...). Virtual columns are read but never written.
        case metadata(DataType, key: String?, virtual: Bool)
    }

    public var name: Identifier
    public var kind: Kind
    public var comment: String?

    public init(name: Identifier, kind: Kind, comment: String? = nil) {
        self.name = name
        self.kind = kind
        self.comment = comment
    }
}

/// `WATERMARK FOR column AS expression`.
public struct WatermarkDefinition: Sendable, Equatable {
    public var column: Identifier
    public var expression: Expression

    public init(column: Identifier, expression: Expression) {
        self.column = column
        self.expression = expression
    }
}

/// `PRIMARY KEY (a, b) NOT ENFORCED` (Flink accepts only NOT ENFORCED).
public struct PrimaryKey: Sendable, Equatable {
    public var columns: [Identifier]
    public var range: SourceRange

    public init(columns: [Identifier], range: SourceRange) {
        self.columns = columns
        self.range = range
    }
}

/// `'key' = 'value'` in a WITH clause.
public struct TableOption: Sendable, Equatable {
    public var key: String
    public var value: String
    public var range: SourceRange

    public init(key: String, value: String, range: SourceRange) {
        self.key = key
        self.value = value
        self.range = range
    }
}

/// CREATE [TEMPORARY] VIEW [IF NOT EXISTS] name [(columns)] AS query.
public struct CreateView: Sendable, Equatable {
    public var name: QualifiedName
    public var ifNotExists: Bool
    public var temporary: Bool
    public var columns: [Identifier]
    public var query: Query

    public init(
        name: QualifiedName, ifNotExists: Bool = false, temporary: Bool = false, columns: [Identifier] = [],
        query: Query
    ) {
        self.name = name
        self.ifNotExists = ifNotExists
        self.temporary = temporary
        self.columns = columns
        self.query = query
    }
}

/// A function defined in SQL (Weir's form of the seeds' Python UDFs):
/// `CREATE [TEMPORARY] FUNCTION name(param TYPE, ...) RETURNS TYPE AS expression`.
public struct CreateFunction: Sendable, Equatable {
    public struct Parameter: Sendable, Equatable {
        public var name: Identifier
        public var type: DataType

        public init(name: Identifier, type: DataType) {
            self.name = name
            self.type = type
        }
    }

    public var name: QualifiedName
    public var ifNotExists: Bool
    public var temporary: Bool
    public var parameters: [Parameter]
    public var returnType: DataType
    public var body: Expression

    public init(
        name: QualifiedName, ifNotExists: Bool = false, temporary: Bool = false, parameters: [Parameter],
        returnType: DataType, body: Expression
    ) {
        self.name = name
        self.ifNotExists = ifNotExists
        self.temporary = temporary
        self.parameters = parameters
        self.returnType = returnType
        self.body = body
    }
}

/// INSERT INTO|OVERWRITE table [(columns)] query.
public struct Insert: Sendable, Equatable {
    public var table: QualifiedName
    /// A `/*+ OPTIONS(...) */` hint after the table's name.
    public var options: [TableOption]
    public var columns: [Identifier]
    public var overwrite: Bool
    public var query: Query

    public init(
        table: QualifiedName, options: [TableOption] = [], columns: [Identifier] = [], overwrite: Bool = false,
        query: Query
    ) {
        self.table = table
        self.options = options
        self.columns = columns
        self.overwrite = overwrite
        self.query = query
    }
}
