import Foundation
import SQLSyntax

/// Flink's trigonometric and angle functions: one DOUBLE in, one out.
enum MathFunction: String, Sendable, CaseIterable {
    case sin = "SIN", cos = "COS", tan = "TAN", cot = "COT", asin = "ASIN", acos = "ACOS", atan = "ATAN"
    case sinh = "SINH", cosh = "COSH", tanh = "TANH", degrees = "DEGREES", radians = "RADIANS"

    func apply(_ x: Double) -> Double {
        switch self {
        case .sin: Foundation.sin(x)
        case .cos: Foundation.cos(x)
        case .tan: Foundation.tan(x)
        case .cot: 1 / Foundation.tan(x)
        case .asin: Foundation.asin(x)
        case .acos: Foundation.acos(x)
        case .atan: Foundation.atan(x)
        case .sinh: Foundation.sinh(x)
        case .cosh: Foundation.cosh(x)
        case .tanh: Foundation.tanh(x)
        case .degrees: x * 180 / Double.pi
        case .radians: x * Double.pi / 180
        }
    }
}

/// The functions over arrays and maps (and the text functions that make them), as Flink
/// defines them; each takes evaluated arguments, none of them NULL unless said.
enum CollectionFunctions {
    /// CARDINALITY: the number of elements or entries.
    static func cardinality(_ collection: Value) -> Value {
        switch collection {
        case let .array(elements): .integer(Int64(elements.count))
        case let .map(entries): .integer(Int64(entries.count))
        default: .null
        }
    }

    /// ELEMENT: the one element of an array, NULL for none; more than one is an error.
    static func soleElement(_ collection: Value) throws(SQLError) -> Value {
        guard case let .array(elements) = collection else { return .null }
        guard elements.count <= 1 else {
            throw SQLError(.execution, "ELEMENT takes an array of at most one element, not \(elements.count)")
        }
        return elements.first ?? .null
    }

    /// ARRAY_CONTAINS: whether an element equals the value (a NULL value finds a NULL element).
    static func contains(_ collection: Value, _ needle: Value) -> Value {
        guard case let .array(elements) = collection else { return .null }
        if needle.isNull { return .boolean(elements.contains { $0.isNull }) }
        return .boolean(elements.contains { !$0.isNull && CompiledExpression.compare($0, needle) == 0 })
    }

    /// ARRAY_JOIN: the elements as text between delimiters; NULL elements left out, or
    /// written as `nullReplacement`.
    static func join(_ collection: Value, _ delimiter: Value, nullReplacement: Value?) -> Value {
        guard case let .array(elements) = collection, case let .string(separator) = delimiter else { return .null }
        let replacement: String? = if case let .string(text)? = nullReplacement { text } else { nil }
        let parts = elements.compactMap { element -> String? in element.isNull ? replacement : ValueFormatter.plain(element) }
        return .string(parts.joined(separator: separator))
    }

    /// ARRAY_DISTINCT: the elements without repeats, in the order they first come.
    static func distinct(_ collection: Value) -> Value {
        guard case let .array(elements) = collection else { return .null }
        var seen = Set<Value>()
        return .array(elements.filter { seen.insert($0).inserted })
    }

    /// MAP_KEYS and MAP_VALUES.
    static func mapPart(_ collection: Value, keys: Bool) -> Value {
        guard case let .map(entries) = collection else { return .null }
        return .array(entries.map { keys ? $0.key : $0.value })
    }

    /// SPLIT: the text cut at each delimiter (empty parts kept); an empty delimiter cuts
    /// between characters.
    static func split(_ text: Value, _ delimiter: Value) -> Value {
        guard case let .string(string) = text, case let .string(separator) = delimiter else { return .null }
        if separator.isEmpty { return .array(string.map { .string(String($0)) }) }
        return .array(string.components(separatedBy: separator).map(Value.string))
    }

    /// STR_TO_MAP: `k1=v1,k2=v2` as a map (`,` and `=` unless given; taken as plain text,
    /// not as Flink's regular expressions); a pair without the key-value delimiter maps to NULL.
    static func stringToMap(_ text: Value, _ listDelimiter: Value?, _ keyValueDelimiter: Value?) -> Value {
        guard case let .string(string) = text else { return .null }
        var pairs = ",", assignment = "="
        if case let .string(given)? = listDelimiter { pairs = given }
        if case let .string(given)? = keyValueDelimiter { assignment = given }
        guard !pairs.isEmpty, !assignment.isEmpty else { return .null }
        var entries: [Value.MapEntry] = []
        for pair in string.components(separatedBy: pairs) {
            let key: String, value: Value
            if let range = pair.range(of: assignment) {
                (key, value) = (String(pair[..<range.lowerBound]), .string(String(pair[range.upperBound...])))
            } else {
                (key, value) = (pair, .null)
            }
            // A later pair of a key replaces an earlier one.
            entries.removeAll { $0.key == .string(key) }
            entries.append(Value.MapEntry(key: .string(key), value: value))
        }
        return .map(entries)
    }

    /// HEX: an integer's 64-bit two's complement in hexadecimal, or a string's UTF-8 bytes;
    /// upper-case digits, as Flink's.
    static func hex(_ value: Value) -> Value {
        switch value {
        case let .integer(number): return .string(String(UInt64(bitPattern: number), radix: 16, uppercase: true))
        case let .string(text): return .string(text.utf8.map { String(format: "%02X", $0) }.joined())
        default: return .null
        }
    }

    /// BIN: an integer's 64-bit two's complement in binary.
    static func binary(_ value: Value) -> Value {
        guard case let .integer(number) = value else { return .null }
        return .string(String(UInt64(bitPattern: number), radix: 2))
    }
}

/// JSON_QUERY, JSON_EXISTS and IS_JSON over JSON text, with Flink's defaults (no clauses):
/// JSON_QUERY gives an object or array as compact JSON text, NULL for anything else or an
/// error; JSON_EXISTS is false on an error.
enum JSONFunctions {
    static func query(_ document: Value, _ path: Value) -> Value {
        guard case let .string(text) = document, case let .string(where_) = path,
              case let .node(node, _) = JSONPath.locate(where_, in: text) else { return .null }
        switch node {
        case .array, .object: return .string(node.jsonText)
        default: return .null
        }
    }

    static func exists(_ document: Value, _ path: Value) -> Value {
        guard case let .string(text) = document, case let .string(where_) = path else { return .null }
        if case .node = JSONPath.locate(where_, in: text) { return .boolean(true) }
        return .boolean(false)
    }

    /// JSON_OBJECT of keys and values in turn (a NULL key is an error); `types`: each
    /// argument's, nil for one that is JSON text already (a constructor within).
    static func object(_ arguments: [Value], absentOnNull: Bool, types: [DataType?]) throws(SQLError) -> Value {
        var members: [String] = []
        for pair in stride(from: 0, to: arguments.count - 1, by: 2) {
            guard case let .string(key) = arguments[pair] else { throw SQLError(.execution, "JSON_OBJECT's key \(pair / 2 + 1) is NULL") }
            let value = arguments[pair + 1]
            if value.isNull, absentOnNull { continue }
            members.append(JSONText.quote(key) + ":" + member(value, type: types[pair + 1]))
        }
        return .string("{" + members.joined(separator: ",") + "}")
    }

    static func array(_ arguments: [Value], absentOnNull: Bool, types: [DataType?]) -> Value {
        let elements = arguments.indices.filter { !(absentOnNull && arguments[$0].isNull) }.map { member(arguments[$0], type: types[$0]) }
        return .string("[" + elements.joined(separator: ",") + "]")
    }

    /// A value as JSON, as the json format writes it (a JSON text argument as it is).
    private static func member(_ value: Value, type: DataType?) -> String {
        guard let type else { return value.isNull ? "null" : ValueFormatter.plain(value) }
        return RecordWriter.jsonValue(value, type: type)
    }

    static func isJSON(_ document: Value) -> Value {
        guard case let .string(text) = document else { return .null }
        return .boolean(JSONPath.locate("$", in: text).isNode)
    }
}

extension JSONPath.Located {
    var isNode: Bool {
        if case .node = self { return true }
        return false
    }
}

extension JSONNode {
    /// The node as compact JSON text (numbers as written).
    var jsonText: String {
        switch self {
        case .null: "null"
        case let .boolean(value): value ? "true" : "false"
        case let .number(text): text
        case let .string(text): JSONText.quote(text)
        case let .array(elements): "[" + elements.map(\.jsonText).joined(separator: ",") + "]"
        case let .object(members): "{" + members.map { JSONText.quote($0.0) + ":" + $0.1.jsonText }.joined(separator: ",") + "}"
        }
    }
}
