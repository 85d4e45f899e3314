/// A SQL type as written in DDL, CAST and function signatures (Flink's type names).
public indirect enum DataType: Sendable, Hashable, CustomStringConvertible {
    case boolean
    case tinyint, smallint, int, bigint
    case float, double
    case decimal(precision: Int, scale: Int)
    /// CHAR(n).
    case char(Int)
    /// VARCHAR(n); STRING is VARCHAR of the largest length.
    case varchar(Int)
    case binary(Int)
    case varbinary(Int)
    case date
    /// TIME(p): p digits of fractional seconds.
    case time(Int)
    /// TIMESTAMP(p): a date and time without a time zone.
    case timestamp(Int)
    /// TIMESTAMP_LTZ(p) (TIMESTAMP(p) WITH LOCAL TIME ZONE): an instant.
    case timestampLTZ(Int)
    case array(DataType)
    case map(DataType, DataType)
    case multiset(DataType)
    case row([RowField])
    /// An interval of days to seconds (its values count microseconds), or of years to
    /// months (its values count months): what `INTERVAL '5' SECOND` and `ts - ts` are.
    case interval(yearToMonth: Bool)
    /// The type of NULL before it meets another type.
    case null

    public struct RowField: Sendable, Hashable {
        public var name: String
        public var type: DataType

        public init(name: String, type: DataType) {
            self.name = name
            self.type = type
        }
    }

    /// Flink's length of STRING and BYTES.
    public static let maxLength = Int(Int32.max)
    public static let string = DataType.varchar(maxLength)
    public static let bytes = DataType.varbinary(maxLength)

    /// The number types (integers, FLOAT, DOUBLE, DECIMAL).
    public var isNumeric: Bool {
        switch self {
        case .tinyint, .smallint, .int, .bigint, .float, .double, .decimal: true
        default: false
        }
    }

    /// As Flink prints it (DESCRIBE, EXPLAIN, error messages).
    public var description: String {
        switch self {
        case .boolean: return "BOOLEAN"
        case .tinyint: return "TINYINT"
        case .smallint: return "SMALLINT"
        case .int: return "INT"
        case .bigint: return "BIGINT"
        case .float: return "FLOAT"
        case .double: return "DOUBLE"
        case let .decimal(precision, scale): return "DECIMAL(\(precision), \(scale))"
        case let .char(length): return "CHAR(\(length))"
        case let .varchar(length): return length == Self.maxLength ? "STRING" : "VARCHAR(\(length))"
        case let .binary(length): return "BINARY(\(length))"
        case let .varbinary(length): return length == Self.maxLength ? "BYTES" : "VARBINARY(\(length))"
        case .date: return "DATE"
        case let .time(precision): return "TIME(\(precision))"
        case let .timestamp(precision): return "TIMESTAMP(\(precision))"
        case let .timestampLTZ(precision): return "TIMESTAMP_LTZ(\(precision))"
        case let .array(element): return "ARRAY<\(element)>"
        case let .map(key, value): return "MAP<\(key), \(value)>"
        case let .multiset(element): return "MULTISET<\(element)>"
        case let .row(fields): return "ROW<" + fields.map { "`\($0.name)` \($0.type)" }.joined(separator: ", ") + ">"
        case let .interval(yearToMonth): return yearToMonth ? "INTERVAL YEAR TO MONTH" : "INTERVAL DAY TO SECOND(3)"
        case .null: return "NULL"
        }
    }
}
