import SQLSyntax

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
