import SQLSyntax
import SQLValues

/// JSON_QUERY, JSON_EXISTS and IS_JSON over JSON text, with Flink's defaults (no clauses):
/// JSON_QUERY gives an object or array as compact JSON text, NULL for anything else or an
/// error; JSON_EXISTS is false on an error.
package enum JSONFunctions {
    /// JSON_QUERY: the array or object at the path as JSON text; with a wrapper (`WITH
    /// WRAPPER`) the value in an array always, `WITH CONDITIONAL WRAPPER` a scalar in one.
    static func query(_ document: Value, _ path: Value, wrapper: Value = .string("WITHOUT WRAPPER")) -> Value {
        guard case let .string(text) = document, case let .string(where_) = path,
            case let .node(node, _) = JSONPath.locate(where_, in: text)
        else { return .null }
        let structured: Bool =
            switch node {
            case .array, .object: true
            default: false
            }
        switch wrapper {
        case .string("WITH WRAPPER"): return .string("[" + node.jsonText + "]")
        case .string("WITH CONDITIONAL WRAPPER"): return .string(structured ? node.jsonText : "[" + node.jsonText + "]")
        default: return structured ? .string(node.jsonText) : .null
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
        var members: [(key: String, value: String)] = []
        for pair in stride(from: 0, to: arguments.count - 1, by: 2) {
            guard case let .string(key) = arguments[pair] else {
                throw SQLError(.execution, "JSON_OBJECT's key \(pair / 2 + 1) is NULL")
            }
            let value = arguments[pair + 1]
            if value.isNull, absentOnNull { continue }
            members.append((key, member(value, type: types[pair + 1])))
        }
        // Flink writes an object's members in the order of their keys.
        members.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        return .string("{" + members.map { JSONText.quote($0.key) + ":" + $0.value }.joined(separator: ",") + "}")
    }

    static func array(_ arguments: [Value], absentOnNull: Bool, types: [DataType?]) -> Value {
        let elements = arguments.indices.filter { !(absentOnNull && arguments[$0].isNull) }.map {
            member(arguments[$0], type: types[$0])
        }
        return .string("[" + elements.joined(separator: ",") + "]")
    }

    /// A value as JSON, as the json format writes it (a JSON text argument as it is).
    private static func member(_ value: Value, type: DataType?) -> String {
        guard let type else { return value.isNull ? "null" : ValueFormatter.plain(value) }
        return JSONText.value(value, type: type, style: .functions)
    }

    /// `text IS JSON [VALUE | SCALAR | ARRAY | OBJECT]`: whether the text is JSON of that kind (NULL is not).
    static func isJSON(_ document: Value, kind: Value = .string("VALUE")) -> Value {
        guard case let .string(text) = document else { return .boolean(false) }
        guard case let .node(node, _) = JSONPath.locate("$", in: text) else { return .boolean(false) }
        switch kind {
        case .string("OBJECT"): if case .object = node { return .boolean(true) } else { return .boolean(false) }
        case .string("ARRAY"): if case .array = node { return .boolean(true) } else { return .boolean(false) }
        case .string("SCALAR"):
            switch node {
            case .object, .array: return .boolean(false)
            default: return .boolean(true)
            }
        default: return .boolean(true)
        }
    }
}

extension JSONPath.Located {
    var isNode: Bool {
        if case .node = self { return true }
        return false
    }
}

extension JSONNode {
    /// The node as compact JSON text (numbers as written, an object's members by key).
    var jsonText: String {
        switch self {
        case .null: "null"
        case let .boolean(value): value ? "true" : "false"
        case let .number(text): text
        case let .string(text): JSONText.quote(text)
        case let .array(elements): "[" + elements.map(\.jsonText).joined(separator: ",") + "]"
        // Members in the order of their keys, as Flink's JSON functions write objects.
        case let .object(members):
            "{"
                + members.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }.map {
                    JSONText.quote($0.0) + ":" + $0.1.jsonText
                }.joined(separator: ",") + "}"
        }
    }
}
