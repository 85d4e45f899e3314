import Foundation
import SQLSyntax

/// Text to values of a type: CAST from STRING, and the fields of CSV and JSON records.
public enum ValueParser {
    public static func parse(_ text: String, as type: DataType) -> Value? {
        switch type {
        case .varchar, .char: return .string(text)
        case .boolean:
            switch text.lowercased() {
            case "true", "1": return .boolean(true)
            case "false", "0": return .boolean(false)
            default: return nil
            }
        case .tinyint, .smallint, .int, .bigint:
            if let value = Int64(text.trimmingCharacters(in: .whitespaces)) {
                return fits(value, type) ? .integer(value) : nil
            }
            // JSON numbers like 3.0 into an integer column: only when whole.
            if let double = Double(text), double.rounded() == double, abs(double) < 9.2e18 {
                return fits(Int64(double), type) ? .integer(Int64(double)) : nil
            }
            return nil
        case .float, .double:
            return Double(text.trimmingCharacters(in: .whitespaces)).map(Value.double)
        case let .decimal(_, scale):
            guard
                let decimal = Decimal(
                    string: text.trimmingCharacters(in: .whitespaces), locale: Locale(identifier: "en_US_POSIX"))
            else { return nil }
            var input = decimal, rounded = Decimal()
            NSDecimalRound(&rounded, &input, scale, .plain)
            return .decimal(rounded)
        case .date:
            guard let micros = CivilTime.parseTimestamp(Array(text.utf8)) else { return nil }
            return .date(Int32(micros / CivilTime.microsPerDay))
        case .time:
            let bytes = Array(("1970-01-01 " + text).utf8)
            return CivilTime.parseTimestamp(bytes).map(Value.time)
        case .timestamp:
            return CivilTime.parseTimestamp(Array(text.utf8)).map(Value.timestamp)
                ?? isoInstant(text).map(Value.timestamp)
        case .timestampLTZ:
            return isoInstant(text).map(Value.timestampLTZ)
                ?? CivilTime.parseTimestamp(Array(text.utf8)).map(Value.timestampLTZ)
        case .binary, .varbinary:
            return .bytes(Array(text.utf8))
        case .array, .map, .row, .multiset:
            var bytes = Array(text.utf8)
            return bytes.withUnsafeMutableBufferPointer { buffer in
                var scanner = JSONScanner(UnsafeBufferPointer(buffer))
                return scanner.node()?.value(as: type)
            }
        case .interval, .null:
            return nil
        }
    }

    /// `2024-01-01T00:00:00Z`, `...+08:00`, `...Z` with a fraction.
    static func isoInstant(_ text: String) -> Int64? {
        var body = Substring(text)
        var offset: Int64 = 0
        if body.hasSuffix("Z") {
            body = body.dropLast()
        } else if body.count > 6, let sign = body.dropLast(5).last, sign == "+" || sign == "-",
            let hours = Int64(body.suffix(5).prefix(2)), let minutes = Int64(body.suffix(2))
        {
            offset = (hours * 3600 + minutes * 60) * (sign == "+" ? 1 : -1)
            body = body.dropLast(6)
        } else {
            return nil
        }
        guard let local = CivilTime.parseTimestamp(Array(body.utf8)) else { return nil }
        return local - offset * CivilTime.microsPerSecond
    }

    package static func fits(_ value: Int64, _ type: DataType) -> Bool {
        integerRange(type)?.contains(value) ?? true
    }

    /// The values of TINYINT, SMALLINT, INT and BIGINT (nil for other types).
    package static func integerRange(_ type: DataType) -> ClosedRange<Int64>? {
        switch type {
        case .tinyint: return -128...127
        case .smallint: return -32768...32767
        case .int: return Int64(Int32.min)...Int64(Int32.max)
        case .bigint: return Int64.min...Int64.max
        default: return nil
        }
    }
}

/// Values to text as Flink shows them.
public enum ValueFormatter {
    /// The text of a value without quotes (CSV fields, CONCAT, CAST to STRING): doubles as
    /// Java prints them (`1.0E7`, `801136.8400000001`), timestamps with their fraction only
    /// when there is one.
    public static func plain(_ value: Value, type: DataType? = nil) -> String {
        switch value {
        case .null: return ""
        case let .boolean(flag): return flag ? "true" : "false"
        case let .integer(number): return String(number)
        case let .double(number): return javaDouble(number, isFloat: type == .float)
        case let .decimal(number):
            if case let .decimal(_, scale) = type { return decimalText(number, scale: scale) }
            return "\(number)"
        case let .string(text): return text
        case let .bytes(bytes): return hex(bytes)
        case let .date(days): return CivilTime.formatDate(Int64(days))
        case let .time(micros): return CivilTime.formatTime(micros, precision: fractionDigits(micros))
        case let .timestamp(micros), let .timestampLTZ(micros):
            return CivilTime.formatTimestamp(micros, precision: fractionDigits(micros % CivilTime.microsPerSecond))
        case let .array(elements): return "[" + elements.map { plain($0) }.joined(separator: ", ") + "]"
        case let .map(entries):
            return "{" + entries.map { plain($0.key) + "=" + plain($0.value) }.joined(separator: ", ") + "}"
        case let .row(fields): return "(" + fields.map { plain($0) }.joined(separator: ", ") + ")"
        }
    }

    /// The text of CAST(value AS STRING), as Flink casts: a TIMESTAMP(p) or TIME(p) with
    /// exactly p fraction digits, booleans in capitals, collections with their elements cast.
    public static func castText(_ value: Value, type: DataType) -> String {
        switch (value, type) {
        case (.null, _): return "NULL"
        case let (.boolean(flag), _): return flag ? "TRUE" : "FALSE"
        case let (.timestamp(micros), .timestamp(precision)), let (.timestampLTZ(micros), .timestampLTZ(precision)),
            let (.timestamp(micros), .timestampLTZ(precision)), let (.timestampLTZ(micros), .timestamp(precision)):
            return CivilTime.formatTimestamp(micros, precision: precision)
        case let (.time(micros), .time(precision)):
            return CivilTime.formatTime(micros, precision: precision)
        case let (.array(elements), .array(element)), let (.array(elements), .multiset(element)):
            return "[" + elements.map { castText($0, type: element) }.joined(separator: ", ") + "]"
        case let (.map(entries), .map(key, element)):
            return "{"
                + entries.map { castText($0.key, type: key) + "=" + castText($0.value, type: element) }.joined(
                    separator: ", ") + "}"
        case let (.row(fields), .row(types)):
            return "(" + zip(fields, types).map { castText($0, type: $1.type) }.joined(separator: ", ") + ")"
        default: return plain(value, type: type)
        }
    }

    /// Bytes as two hexadecimal digits each (BYTES values, hashes, HEX).
    package static func hex(_ bytes: some Sequence<UInt8>, uppercase: Bool = false) -> String {
        let digits = Array((uppercase ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// As the results table shows a value: NULL spelled out, timestamps at their precision.
    public static func display(_ value: Value, type: DataType) -> String {
        switch (value, type) {
        case (.null, _): return "NULL"
        case let (.boolean(flag), _): return flag ? "TRUE" : "FALSE"
        case let (.timestamp(micros), .timestamp(precision)), let (.timestampLTZ(micros), .timestampLTZ(precision)):
            return CivilTime.formatTimestamp(micros, precision: precision)
        default: return plain(value, type: type)
        }
    }

    /// 0, 3 or 6 fractional digits: as many as the value needs, in steps of milliseconds.
    static func fractionDigits(_ micros: Int64) -> Int {
        let fraction = abs(micros) % CivilTime.microsPerSecond
        if fraction == 0 { return 0 }
        return fraction % 1000 == 0 ? 3 : 6
    }

    /// A decimal with exactly `scale` fractional digits (rounded half up, as Flink does).
    static func decimalText(_ value: Decimal, scale: Int) -> String {
        var input = value, rounded = Decimal()
        NSDecimalRound(&rounded, &input, scale, .plain)
        var text = "\(rounded)" // plain digits, never an exponent
        guard scale > 0 else { return text }
        var digits = 0
        if let point = text.firstIndex(of: ".") {
            digits = text.distance(from: point, to: text.endIndex) - 1
        } else {
            text += "."
        }
        return text + String(repeating: "0", count: max(0, scale - digits))
    }

    /// Java's `Double.toString`: plain notation from 10^-3 to 10^7, scientific outside, the
    /// shortest digits that read back as the same double.
    package static func javaDouble(_ value: Double, isFloat: Bool = false) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        if isFloat {
            // A double beyond FLOAT's range (or below its smallest value) as a FLOAT.
            let single = Float(value)
            if single.isInfinite { return single < 0 ? "-Infinity" : "Infinity" }
            if single == 0 { return single.sign == .minus ? "-0.0" : "0.0" }
        }
        let magnitude = abs(value)
        let shortest = isFloat ? "\(Float(value))" : "\(value)"
        if magnitude >= 1e-3 && magnitude < 1e7 {
            return shortest // Swift prints these plainly already ("1.5", "100.0")
        }
        // Scientific, as Java writes it ("d.dddE±n"): the shortest form's significant digits
        // and where its point falls, read from its bytes (Foundation's string splitting was ~8× slower).
        var bytes = Array(shortest.utf8)[...]
        var exponent = 0
        if let marker = bytes.firstIndex(where: { $0 | 0x20 == 0x65 }) {
            exponent = Int(String(decoding: bytes[(marker + 1)...], as: UTF8.self)) ?? 0
            bytes = bytes[..<marker]
        }
        var digits: [UInt8] = []
        var wholeDigits = 0
        var seenPoint = false
        for byte in bytes {
            if byte == 0x2E {
                seenPoint = true
            } else if byte >= 0x30, byte <= 0x39 {
                // Zeros before the first significant digit: after the point each one moves the exponent.
                if digits.isEmpty, byte == 0x30 {
                    if seenPoint { exponent -= 1 }
                    continue
                }
                digits.append(byte)
                if !seenPoint { wholeDigits += 1 }
            }
        }
        exponent += wholeDigits - 1
        guard !digits.isEmpty else { return shortest }
        while digits.count > 1, digits.last == 0x30 { digits.removeLast() }
        var text: [UInt8] = value < 0 ? [0x2D] : []
        text.append(digits[0])
        text.append(0x2E)
        if digits.count > 1 { text += digits[1...] } else { text.append(0x30) }
        return String(decoding: text, as: UTF8.self) + "E" + String(exponent)
    }
}
