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

    /// Whether the value holds no reference (a number, a time, NULL): writing over it then
    /// needs no release, which `Row.empty()` uses to skip the call that would check.
    @inlinable @inline(__always)
    public var holdsNoReference: Bool {
        switch self {
        case .null, .boolean, .integer, .double, .decimal, .date, .time, .timestamp, .timestampLTZ: true
        case .string, .bytes, .array, .map, .row: false
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
        // Through the decimal's digits: the nearest double, as Java's BigDecimal.doubleValue
        // (NSDecimalNumber's doubleValue can be a few units off in the last place).
        case let .decimal(value): return Double(value.description) ?? NSDecimalNumber(decimal: value).doubleValue
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

/// Values in checkpoints: a short tag and the payload, `["i", 42]`, `["s", "beijing"]` —
/// compact, and quick to write for thousands of open windows.
extension Value {
    private enum Tag: String, Codable {
        case null = "n", boolean = "b", integer = "i", double = "f", decimal = "d", string = "s", bytes = "x"
        case date = "D", time = "T", timestamp = "t", timestampLTZ = "l", array = "a", map = "m", row = "r"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.unkeyedContainer()
        switch self {
        case .null: try container.encode(Tag.null)
        case let .boolean(value):
            try container.encode(Tag.boolean)
            try container.encode(value)
        case let .integer(value):
            try container.encode(Tag.integer)
            try container.encode(value)
        case let .double(value):
            try container.encode(Tag.double)
            try container.encode(value)
        case let .decimal(value):
            try container.encode(Tag.decimal)
            try container.encode(value.description)
        case let .string(value):
            try container.encode(Tag.string)
            try container.encode(value)
        case let .bytes(value):
            try container.encode(Tag.bytes)
            try container.encode(Data(value).base64EncodedString())
        case let .date(value):
            try container.encode(Tag.date)
            try container.encode(value)
        case let .time(value):
            try container.encode(Tag.time)
            try container.encode(value)
        case let .timestamp(value):
            try container.encode(Tag.timestamp)
            try container.encode(value)
        case let .timestampLTZ(value):
            try container.encode(Tag.timestampLTZ)
            try container.encode(value)
        case let .array(values):
            try container.encode(Tag.array)
            try container.encode(values)
        case let .map(entries):
            try container.encode(Tag.map)
            try container.encode(entries)
        case let .row(values):
            try container.encode(Tag.row)
            try container.encode(values)
        }
    }

    public init(from decoder: Decoder) throws {
        var container = try decoder.unkeyedContainer()
        switch try container.decode(Tag.self) {
        case .null: self = .null
        case .boolean: self = .boolean(try container.decode(Bool.self))
        case .integer: self = .integer(try container.decode(Int64.self))
        case .double: self = .double(try container.decode(Double.self))
        case .decimal:
            let text = try container.decode(String.self)
            guard let value = Decimal(string: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a decimal: \(text)")
            }
            self = .decimal(value)
        case .string: self = .string(try container.decode(String.self))
        case .bytes:
            let text = try container.decode(String.self)
            guard let data = Data(base64Encoded: text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not base64")
            }
            self = .bytes(Array(data))
        case .date: self = .date(try container.decode(Int32.self))
        case .time: self = .time(try container.decode(Int64.self))
        case .timestamp: self = .timestamp(try container.decode(Int64.self))
        case .timestampLTZ: self = .timestampLTZ(try container.decode(Int64.self))
        case .array: self = .array(try container.decode([Value].self))
        case .map: self = .map(try container.decode([MapEntry].self))
        case .row: self = .row(try container.decode([Value].self))
        }
    }
}

extension Array where Element == Value {
    /// Sets every value to NULL in place. Values that hold no reference are written over
    /// without the call that releases what a value holds (a call per value, and most
    /// values of a record are numbers and times).
    @inlinable
    public mutating func empty() {
        withUnsafeMutableBufferPointer { values in
            for index in values.indices { values.put(.null, at: index) }
        }
    }
}

extension UnsafeMutableBufferPointer where Element == Value {
    /// Writes `value` at `index`; over a value that holds no reference, without the call
    /// that releases what a value holds (most values of a record are numbers and times).
    @inlinable @inline(__always)
    public func put(_ value: Value, at index: Int) {
        if self[index].holdsNoReference {
            (baseAddress! + index).initialize(to: value)
        } else {
            self[index] = value
        }
    }
}
