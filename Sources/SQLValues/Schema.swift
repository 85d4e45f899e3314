import SQLSyntax

/// How a column carries time: an event-time attribute (declared by a WATERMARK), on which
/// windows may be defined and which keeps its role through projections and windows; or
/// processing time (`PROCTIME()`).
public enum TimeAttribute: Sendable, Equatable {
    case rowtime
    case proctime
}

/// A column of a table or of a plan node's output.
public struct Column: Sendable, Equatable {
    public var name: String
    public var type: DataType
    public var nullable: Bool
    public var timeAttribute: TimeAttribute?

    public init(name: String, type: DataType, nullable: Bool = true, timeAttribute: TimeAttribute? = nil) {
        self.name = name
        self.type = type
        self.nullable = nullable
        self.timeAttribute = timeAttribute
    }

    /// As DESCRIBE shows the type: `TIMESTAMP(3) *ROWTIME*`, `INT NOT NULL`.
    public var typeDescription: String {
        var text = type.description + (nullable ? "" : " NOT NULL")
        if timeAttribute == .rowtime { text += " *ROWTIME*" }
        if timeAttribute == .proctime { text += " *PROCTIME*" }
        return text
    }
}

/// The columns of a row, by position.
public struct Schema: Sendable, Equatable {
    public var columns: [Column]

    public init(_ columns: [Column]) {
        self.columns = columns
    }

    public var names: [String] { columns.map(\.name) }

    /// The column named `name` (exactly, as Flink's identifiers are case-sensitive; failing
    /// that, ignoring case when that finds one column only).
    public func index(of name: String) -> Int? {
        if let exact = columns.firstIndex(where: { $0.name == name }) { return exact }
        let matches = columns.indices.filter { columns[$0].name.lowercased() == name.lowercased() }
        return matches.count == 1 ? matches[0] : nil
    }
}
