import Foundation
import SQLSyntax

/// How JSON writes TIMESTAMP values (Flink's `json.timestamp-format.standard`).
package enum TimestampStandard: Sendable {
    case sql, iso8601

    package init(option: String?) throws(SQLError) {
        switch option?.uppercased() {
        case nil, "SQL": self = .sql
        case "ISO-8601": self = .iso8601
        default: throw SQLError(.plan, "json.timestamp-format.standard is 'SQL' or 'ISO-8601', not '\(option!)'")
        }
    }
}

extension JSONText {
    /// How JSON text is written: as the json format writes records, or as Flink's JSON
    /// functions (JSON_STRING, JSON_OBJECT, JSON_ARRAY) write values — doubles as BigDecimal
    /// text ("123456789.123", "1.0E+308"), a map's keys in order.
    package enum Style: Sendable {
        case format, functions
    }

    package static func value(
        _ value: Value, type: DataType, standard: TimestampStandard = .sql, style: Style = .format
    ) -> String {
        switch value {
        case .null: return "null"
        case let .boolean(flag): return flag ? "true" : "false"
        case let .double(number) where style == .functions && type != .float:
            return DecimalDigits.bigDecimalText(number)
        case .integer, .double, .decimal: return ValueFormatter.plain(value, type: type)
        case let .array(elements):
            let element: DataType = { if case let .array(inner) = type { return inner } else { return .string } }()
            return "["
                + elements.map { Self.value($0, type: element, standard: standard, style: style) }.joined(
                    separator: ",") + "]"
        case let .row(fields):
            guard case let .row(types) = type else { return "null" }
            return "{"
                + zip(fields, types).map {
                    JSONText.quote($1.name) + ":" + Self.value($0, type: $1.type, standard: standard, style: style)
                }.joined(separator: ",") + "}"
        case let .map(entries):
            // An object: keys as text.
            let (keyType, valueType): (DataType, DataType) = {
                if case let .map(key, value) = type { return (key, value) } else { return (.string, .string) }
            }()
            var members = entries.map { entry in
                let key =
                    if case let .string(name) = entry.key { name } else {
                        ValueFormatter.plain(entry.key, type: keyType)
                    }
                return (key, Self.value(entry.value, type: valueType, standard: standard, style: style))
            }
            if style == .functions { members.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) } }
            return "{" + members.map { JSONText.quote($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
        case .timestamp, .timestampLTZ:
            // Flink's JSON format: an instant (TIMESTAMP_LTZ) is written in UTC with a 'Z'.
            var text = ValueFormatter.plain(value, type: type)
            if standard == .iso8601 { text = text.replacingOccurrences(of: " ", with: "T") }
            if case .timestampLTZ = value { text += "Z" }
            return JSONText.quote(text)
        default: return JSONText.quote(ValueFormatter.plain(value, type: type))
        }
    }
}
