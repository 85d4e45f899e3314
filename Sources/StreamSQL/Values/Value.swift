import Foundation
import SQLSyntax

/// One SQL value at run time. Integers of every width are `Int64`, FLOAT and DOUBLE are
/// `Double`; date and time values count from the Unix epoch in UTC (TIMESTAMP has no zone:
/// its fields are read as if it were UTC, which is how Flink aligns windows on it).
public enum Value: Sendable, Hashable, Codable {
    case null
    case boolean(Bool)
    case integer(Int64)
    case double(Double)
    case decimal(Decimal)
    case string(String)
    case bytes([UInt8])
    /// Days since 1970-01-01.
    case date(Int32)
    /// Microseconds since midnight.
    case time(Int64)
    /// TIMESTAMP: microseconds since 1970-01-01 00:00:00, no zone.
    case timestamp(Int64)
    /// TIMESTAMP_LTZ: microseconds since the epoch (an instant).
    case timestampLTZ(Int64)
    case array([Value])
    case map([MapEntry])
    case row([Value])

    public struct MapEntry: Sendable, Hashable, Codable {
        public var key: Value
        public var value: Value

        public init(key: Value, value: Value) {
            self.key = key
            self.value = value
        }
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The value as a Swift `Bool` for WHERE and CASE: NULL is not true.
    public var isTrue: Bool {
        if case let .boolean(value) = self { return value }
        return false
    }

    /// Any numeric value as a Double (for DOUBLE arithmetic and comparisons).
    public var doubleValue: Double? {
        switch self {
        case let .integer(value): return Double(value)
        case let .double(value): return value
        case let .decimal(value): return NSDecimalNumber(decimal: value).doubleValue
        default: return nil
        }
    }

    /// The microseconds of a TIMESTAMP or TIMESTAMP_LTZ.
    public var timestampMicros: Int64? {
        switch self {
        case let .timestamp(value), let .timestampLTZ(value): return value
        default: return nil
        }
    }
}

/// A row: values in the order of its schema's columns.
public typealias Row = [Value]
