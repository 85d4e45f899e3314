import Foundation

/// `\infer TOPIC`: a CREATE TABLE for a topic of JSON records, from a sample — each field's
/// type, and the field that looks like the event time made the table's rowtime with a
/// WATERMARK. The DDL goes into the input for the user to read and edit before running it.
public enum TableInference {
    enum Kind: Equatable {
        case boolean, integer, double, string, timestampText, isoInstant, epochMillis, nested
    }

    /// The DDL for `topic` from `samples` (the records' values); nil when none is a JSON object.
    public static func createTable(topic: String, samples: [String]) -> String? {
        var order: [String] = []
        var kinds: [String: Kind] = [:]
        var objects = 0
        for sample in samples {
            guard let data = sample.data(using: .utf8),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else { continue }
            objects += 1
            // Field order as the record spells it (JSONSerialization's dictionary has none).
            for name in fieldNames(in: sample) where object[name] != nil && !order.contains(name) { order.append(name) }
            for (name, value) in object {
                let kind = self.kind(of: value)
                kinds[name] = kinds[name].map { merge($0, kind) } ?? kind
            }
        }
        guard objects > 0 else { return nil }
        // The event time: a timestamp-looking field, preferring names that say so.
        let timeNames = ["createtime", "event_time", "eventtime", "ts", "time", "timestamp", "rowtime", "created_at"]
        let candidates = order.filter { [.timestampText, .isoInstant, .epochMillis].contains(kinds[$0]) }
        let timeField = candidates.first { timeNames.contains($0.lowercased()) } ?? candidates.first
        var columns: [String] = []
        var rowtime: String?
        for name in order {
            let quoted = quote(name)
            switch kinds[name]! {
            case .boolean: columns.append("\(quoted) BOOLEAN")
            case .integer: columns.append("\(quoted) BIGINT")
            case .double: columns.append("\(quoted) DOUBLE")
            case .string, .nested: columns.append("\(quoted) STRING")
            case .isoInstant:
                columns.append("\(quoted) TIMESTAMP_LTZ(3)")
                if name == timeField { rowtime = quoted }
            case .timestampText:
                columns.append("\(quoted) STRING")
                if name == timeField {
                    columns.append("rt AS TO_TIMESTAMP(\(quoted))")
                    rowtime = "rt"
                }
            case .epochMillis:
                columns.append("\(quoted) BIGINT")
                if name == timeField {
                    columns.append("rt AS TO_TIMESTAMP_LTZ(\(quoted), 3)")
                    rowtime = "rt"
                }
            }
        }
        if let rowtime { columns.append("WATERMARK FOR \(rowtime) AS \(rowtime) - INTERVAL '2' SECOND") }
        let name = topic.replacingOccurrences(of: "[^A-Za-z0-9_]", with: "_", options: .regularExpression)
        // ISO 8601 instants ('2013-01-01T00:14:13Z') read as TIMESTAMP_LTZ under the json format's ISO standard.
        let standard = kinds.values.contains(.isoInstant) ? ",\n  'json.timestamp-format.standard' = 'ISO-8601'" : ""
        return "CREATE TABLE \(name) (\n  " + columns.joined(separator: ",\n  ")
            + "\n) WITH ('connector' = 'kafka', 'topic' = '\(topic)', "
            + "'format' = 'json',\n  'scan.startup.mode' = 'earliest-offset'\(standard));"
    }

    static func kind(of value: Any) -> Kind {
        if let number = value as? NSNumber {
            // true and false come as a boolean subclass of NSNumber (1 and 0 as plain NSNumbers).
            if String(describing: type(of: number)).contains("Boolean") { return .boolean }
            let double = number.doubleValue
            if double == double.rounded(), !String(describing: number).contains(".") {
                // Milliseconds since the epoch between 2001 and 2286.
                return (1_000_000_000_000...9_999_999_999_999).contains(Int64(double)) ? .epochMillis : .integer
            }
            return .double
        }
        if let text = value as? String {
            if text.range(
                of: #"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$"#,
                options: .regularExpression) != nil
            {
                return .isoInstant
            }
            if text.range(of: #"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$"#, options: .regularExpression) != nil {
                return .timestampText
            }
            return .string
        }
        if value is [Any] || value is [String: Any] { return .nested }
        return .string
    }

    /// Two samples of one field: the type that holds both.
    static func merge(_ a: Kind, _ b: Kind) -> Kind {
        if a == b { return a }
        switch (a, b) {
        case (.integer, .double), (.double, .integer), (.epochMillis, .double), (.double, .epochMillis): return .double
        case (.integer, .epochMillis), (.epochMillis, .integer): return .integer
        default: return .string
        }
    }

    /// The top-level field names of a JSON object, in the order written.
    static func fieldNames(in text: String) -> [String] {
        var names: [String] = []
        var depth = 0
        var index = text.startIndex
        var inString = false
        var current = ""
        var escaped = false
        while index < text.endIndex {
            let character = text[index]
            if inString {
                if escaped {
                    escaped = false
                    current.append(character)
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    inString = false
                    // A name is a string at depth 1 followed by a colon.
                    var next = text.index(after: index)
                    while next < text.endIndex, text[next].isWhitespace { next = text.index(after: next) }
                    if depth == 1, next < text.endIndex, text[next] == ":" { names.append(current) }
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                inString = true
                current = ""
            } else if character == "{" || character == "[" {
                depth += 1
            } else if character == "}" || character == "]" {
                depth -= 1
            }
            index = text.index(after: index)
        }
        return names
    }

    static func quote(_ name: String) -> String {
        let plain = name.range(of: "^[A-Za-z_][A-Za-z0-9_]*$", options: .regularExpression) != nil
        let reserved = [
            "user", "time", "timestamp", "date", "value", "key", "partition", "offset", "table", "order", "group",
            "from", "select",
        ]
        return plain && !reserved.contains(name.lowercased())
            ? name : "`" + name.replacingOccurrences(of: "`", with: "``") + "`"
    }
}
