import SQLSyntax
import SQLValues

/// The functions over arrays and maps (and the text functions that make them), as Flink
/// defines them; each takes evaluated arguments, none of them NULL unless said.
package enum CollectionFunctions {
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
        let parts = elements.compactMap { element -> String? in
            element.isNull ? replacement : ValueFormatter.plain(element)
        }
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
        // An empty text has no parts (Flink's SPLIT('', ',') is an empty array).
        if string.isEmpty { return .array([]) }
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
        if string.isEmpty { return .map([]) }
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
}
