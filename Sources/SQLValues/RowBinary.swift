import Foundation

/// Rows in a compact binary form, for rows kept on disk rather than in memory (the
/// workbench's spool of a query's results): a row is its kind, its value count and each
/// value as a tag byte and its payload, little-endian, lengths as LEB128. Writing is a few
/// stores per value — no text, no allocation per row — so a stream can be spooled as fast
/// as it arrives; reading gives back the same values.
public enum RowBinary {
    private enum Tag: UInt8 {
        case null, falseValue, trueValue, integer, double, decimal, string, bytes, date, time, timestamp, timestampLTZ
        case array, map, row
    }

    /// Appends `row` (with its changelog kind) to `buffer`.
    public static func append(_ row: Row, kind: RowKind?, to buffer: inout [UInt8]) {
        buffer.append(kind.map(code) ?? 0)
        appendLength(row.count, to: &buffer)
        for value in row { append(value, to: &buffer) }
    }

    public static func append(_ value: Value, to buffer: inout [UInt8]) {
        switch value {
        case .null: buffer.append(Tag.null.rawValue)
        case let .boolean(flag): buffer.append(flag ? Tag.trueValue.rawValue : Tag.falseValue.rawValue)
        case let .integer(number):
            buffer.append(Tag.integer.rawValue)
            appendWord(UInt64(bitPattern: number), to: &buffer)
        case let .double(number):
            buffer.append(Tag.double.rawValue)
            appendWord(number.bitPattern, to: &buffer)
        case let .decimal(number):
            buffer.append(Tag.decimal.rawValue)
            appendText(number.description, to: &buffer)
        case let .string(text):
            buffer.append(Tag.string.rawValue)
            appendText(text, to: &buffer)
        case let .bytes(bytes):
            buffer.append(Tag.bytes.rawValue)
            appendLength(bytes.count, to: &buffer)
            buffer.append(contentsOf: bytes)
        case let .date(days):
            buffer.append(Tag.date.rawValue)
            appendWord(UInt64(UInt32(bitPattern: days)), to: &buffer)
        case let .time(micros):
            buffer.append(Tag.time.rawValue)
            appendWord(UInt64(bitPattern: micros), to: &buffer)
        case let .timestamp(micros):
            buffer.append(Tag.timestamp.rawValue)
            appendWord(UInt64(bitPattern: micros), to: &buffer)
        case let .timestampLTZ(micros):
            buffer.append(Tag.timestampLTZ.rawValue)
            appendWord(UInt64(bitPattern: micros), to: &buffer)
        case let .array(values), let .row(values):
            if case .array = value { buffer.append(Tag.array.rawValue) } else { buffer.append(Tag.row.rawValue) }
            appendLength(values.count, to: &buffer)
            for element in values { append(element, to: &buffer) }
        case let .map(entries):
            buffer.append(Tag.map.rawValue)
            appendLength(entries.count, to: &buffer)
            for entry in entries {
                append(entry.key, to: &buffer)
                append(entry.value, to: &buffer)
            }
        }
    }

    /// Reads rows one after another from bytes `append` wrote.
    public struct Reader {
        private let bytes: UnsafeRawBufferPointer
        public private(set) var position = 0

        public init(_ bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
        }

        public var atEnd: Bool { position >= bytes.count }

        /// The next row and its kind; nil at the end, or where the bytes stop in the middle of
        /// a row (a spool read while it is written) — the position then stays at that row.
        public mutating func next() -> (row: Row, kind: RowKind?)? {
            let start = position
            guard let kindCode = byte(), let count = length() else {
                position = start
                return nil
            }
            var row: Row = []
            row.reserveCapacity(count)
            for _ in 0..<count {
                guard let value = value() else {
                    position = start
                    return nil
                }
                row.append(value)
            }
            return (row, RowBinary.kind(kindCode))
        }

        private mutating func byte() -> UInt8? {
            guard position < bytes.count else { return nil }
            defer { position += 1 }
            return bytes[position]
        }

        private mutating func word() -> UInt64? {
            guard position + 8 <= bytes.count else { return nil }
            defer { position += 8 }
            return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self))
        }

        private mutating func length() -> Int? {
            var result = 0, shift = 0
            while let next = byte() {
                result |= Int(next & 0x7F) << shift
                if next & 0x80 == 0 { return result }
                shift += 7
                if shift > 56 { return nil }
            }
            return nil
        }

        private mutating func raw() -> UnsafeRawBufferPointer? {
            guard let count = length(), position + count <= bytes.count else { return nil }
            defer { position += count }
            return UnsafeRawBufferPointer(rebasing: bytes[position..<position + count])
        }

        private mutating func value() -> Value? {
            guard let code = byte(), let tag = Tag(rawValue: code) else { return nil }
            switch tag {
            case .null: return .null
            case .falseValue: return .boolean(false)
            case .trueValue: return .boolean(true)
            case .integer: return word().map { .integer(Int64(bitPattern: $0)) }
            case .double: return word().map { .double(Double(bitPattern: $0)) }
            case .decimal:
                return raw().flatMap { Decimal(string: String(decoding: $0, as: UTF8.self)) }.map { .decimal($0) }
            case .string: return raw().map { .string(String(decoding: $0, as: UTF8.self)) }
            case .bytes: return raw().map { .bytes(Array($0)) }
            case .date: return word().map { .date(Int32(bitPattern: UInt32(truncatingIfNeeded: $0))) }
            case .time: return word().map { .time(Int64(bitPattern: $0)) }
            case .timestamp: return word().map { .timestamp(Int64(bitPattern: $0)) }
            case .timestampLTZ: return word().map { .timestampLTZ(Int64(bitPattern: $0)) }
            case .array, .row:
                guard let count = length() else { return nil }
                var values: [Value] = []
                for _ in 0..<count {
                    guard let element = value() else { return nil }
                    values.append(element)
                }
                return tag == .array ? .array(values) : .row(values)
            case .map:
                guard let count = length() else { return nil }
                var entries: [Value.MapEntry] = []
                for _ in 0..<count {
                    guard let key = value(), let element = value() else { return nil }
                    entries.append(Value.MapEntry(key: key, value: element))
                }
                return .map(entries)
            }
        }
    }

    private static func code(_ kind: RowKind) -> UInt8 {
        switch kind {
        case .insert: 1
        case .updateBefore: 2
        case .updateAfter: 3
        case .delete: 4
        }
    }

    private static func kind(_ code: UInt8) -> RowKind? {
        switch code {
        case 1: .insert
        case 2: .updateBefore
        case 3: .updateAfter
        case 4: .delete
        default: nil
        }
    }

    @inline(__always)
    private static func appendWord(_ word: UInt64, to buffer: inout [UInt8]) {
        withUnsafeBytes(of: word.littleEndian) { buffer.append(contentsOf: $0) }
    }

    @inline(__always)
    private static func appendLength(_ count: Int, to buffer: inout [UInt8]) {
        var rest = UInt(count)
        while rest >= 0x80 {
            buffer.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        buffer.append(UInt8(rest))
    }

    private static func appendText(_ text: String, to buffer: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            appendLength(utf8.count, to: &buffer)
            buffer.append(contentsOf: utf8)
        }
    }
}
