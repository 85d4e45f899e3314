/// Types as Flink writes them: `INT`, `VARCHAR(20)`, `DECIMAL(10, 2)`, `TIMESTAMP(3)`,
/// `TIMESTAMP(3) WITH LOCAL TIME ZONE`, `TIMESTAMP_LTZ(3)`, `ARRAY<INT>`, `INT ARRAY`,
/// `MAP<STRING, INT>`, `ROW<name STRING, age INT>`, `ROW(name STRING)`.
extension Parser {
    mutating func dataType() throws(SQLError) -> DataType {
        var type = try baseType()
        // Postfix collection forms: `INT ARRAY`, `INT MULTISET`.
        while true {
            if accept("ARRAY") {
                type = .array(type)
            } else if accept("MULTISET") {
                type = .multiset(type)
            } else {
                return type
            }
        }
    }

    /// A type inside `<...>` or a ROW, where NOT NULL may follow each part.
    private mutating func nestedType() throws(SQLError) -> DataType {
        let type = try dataType()
        if !accept("NOT", "NULL") { _ = accept("NULL") }
        return type
    }

    private mutating func baseType() throws(SQLError) -> DataType {
        guard current.kind == .word else { throw unexpected("a type (INT, STRING, DOUBLE, TIMESTAMP(3), ...)") }
        let token = advance()
        switch token.upper {
        case "BOOLEAN", "BOOL": return .boolean
        case "TINYINT": return .tinyint
        case "SMALLINT": return .smallint
        case "INT", "INTEGER": return .int
        case "BIGINT": return .bigint
        case "FLOAT", "REAL": return .float
        case "DOUBLE":
            _ = accept("PRECISION")
            return .double
        case "DECIMAL", "DEC", "NUMERIC":
            guard accept(symbol: "(") else { return .decimal(precision: 10, scale: 0) }
            let precision = try integer("the precision")
            let scale = accept(symbol: ",") ? try integer("the scale") : 0
            try expect(symbol: ")", "after the precision")
            guard (1...38).contains(precision), (0...precision).contains(scale) else {
                throw SQLError(
                    .plan,
                    "DECIMAL(\(precision), \(scale)): the precision must be 1 to 38 and the scale 0 to the precision",
                    at: token.range.union(previousRange))
            }
            return .decimal(precision: precision, scale: scale)
        case "STRING": return .string
        case "BYTES": return .bytes
        case "CHAR", "CHARACTER":
            if accept("VARYING") { return .varchar(try optionalLength(default: DataType.maxLength)) }
            return .char(try optionalLength(default: 1))
        // VARCHAR and VARBINARY without a length are STRING and BYTES, as Flink reads them
        // (CAST(x AS VARCHAR) keeps the whole text); CHAR and BINARY are one long.
        case "VARCHAR": return .varchar(try optionalLength(default: DataType.maxLength))
        case "BINARY": return .binary(try optionalLength(default: 1))
        case "VARBINARY": return .varbinary(try optionalLength(default: DataType.maxLength))
        case "DATE": return .date
        case "TIME":
            let precision = try optionalLength(default: 0, upTo: 9)
            _ = accept("WITHOUT", "TIME", "ZONE")
            return .time(precision)
        case "TIMESTAMP":
            let precision = try optionalLength(default: 6, upTo: 9)
            if accept("WITH", "LOCAL", "TIME", "ZONE") { return .timestampLTZ(precision) }
            if current.isKeyword("WITH"), peek().isKeyword("TIME") {
                throw SQLError(
                    .unsupported,
                    "TIMESTAMP WITH TIME ZONE: Flink has TIMESTAMP (no zone) and TIMESTAMP_LTZ (an instant)",
                    at: current.range)
            }
            _ = accept("WITHOUT", "TIME", "ZONE")
            return .timestamp(precision)
        case "TIMESTAMP_LTZ": return .timestampLTZ(try optionalLength(default: 6, upTo: 9))
        case "ARRAY", "MULTISET":
            try expect(symbol: "<", "after \(token.upper) (as in \(token.upper)<INT>)")
            let element = try nestedType()
            try expect(symbol: ">", "after the element type")
            return token.upper == "ARRAY" ? .array(element) : .multiset(element)
        case "MAP":
            try expect(symbol: "<", "after MAP (as in MAP<STRING, INT>)")
            let key = try nestedType()
            try expect(symbol: ",", "between the key and value types")
            let value = try nestedType()
            try expect(symbol: ">", "after the value type")
            return .map(key, value)
        case "ROW":
            let closing: String
            if accept(symbol: "<") {
                closing = ">"
            } else {
                try expect(symbol: "(", "or '<' after ROW")
                closing = ")"
            }
            var fields: [DataType.RowField] = []
            if !current.isSymbol(closing) {
                repeat {
                    guard current.kind == .word || current.kind == .quotedIdentifier else {
                        throw unexpected("a field name")
                    }
                    let name = advance().text
                    let type = try nestedType()
                    if accept("COMMENT") { _ = try stringLiteral("the field's comment") }
                    fields.append(.init(name: name, type: type))
                } while accept(symbol: ",")
            }
            try expect(symbol: closing, "after the ROW fields")
            return .row(fields)
        case "NULL": return .null
        default:
            throw SQLError(
                .syntax,
                "unknown type \(token.text) (types: BOOLEAN, TINYINT, SMALLINT, INT, BIGINT, FLOAT, DOUBLE, DECIMAL(p, s), "
                    + "CHAR(n), VARCHAR(n), STRING, BYTES, DATE, TIME(p), TIMESTAMP(p), TIMESTAMP_LTZ(p), ARRAY<T>, MAP<K, V>, ROW<...>)",
                at: token.range)
        }
    }

    private mutating func integer(_ what: String) throws(SQLError) -> Int {
        guard current.kind == .integer, let value = Int(current.text) else { throw unexpected(what) }
        advance()
        return value
    }

    /// `(n)` after a type name, or the default.
    private mutating func optionalLength(
        default value: Int, upTo limit: Int = DataType.maxLength
    ) throws(SQLError) -> Int {
        guard accept(symbol: "(") else { return value }
        let start = current.range
        let length = try integer("a length")
        try expect(symbol: ")", "after the length")
        guard length >= (limit == DataType.maxLength ? 1 : 0), length <= limit else {
            throw SQLError(.plan, "\(length) is out of range (at most \(limit))", at: start)
        }
        return length
    }
}
