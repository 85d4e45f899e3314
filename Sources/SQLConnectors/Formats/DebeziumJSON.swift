import SQLSyntax
import SQLValues

/// Debezium's JSON change events, Flink's `debezium-json` format: a record says how a row of
/// a database table changed — `{"before": {...}, "after": {...}, "op": "c" | "r" | "u" | "d"}`
/// (inside `{"schema": ..., "payload": ...}` with `debezium-json.schema-include`). Read, a
/// create or a snapshot read is an insertion of `after`, an update takes `before` back (-U)
/// and gives `after` (+U), a delete takes `before` back (-D): the table is a changelog.
/// Written, as Flink writes it: an insertion or an update's new row as a create, a row taken
/// back as a delete.
package enum DebeziumJSON {
    /// The changes of one record into rows of `width` columns: each field named in `byName`
    /// goes to its column (`columns[position]`: where in the row, of what type); empty for a
    /// record with nothing to apply (a tombstone's `null`).
    static func changes(
        _ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, byName: [String: Int],
        columns: [(index: Int, name: [UInt8], type: DataType)], width: Int, schemaInclude: Bool
    ) throws(SQLError) -> [(row: Row, kind: RowKind)] {
        var scanner = JSONScanner(bytes, from: start, to: end)
        guard let node = scanner.node() else { throw SQLError(.execution, "not a JSON record") }
        scanner.skipSpace()
        guard scanner.index == scanner.end else { throw SQLError(.execution, "malformed JSON: text after the record") }
        if case .null = node { return [] }
        guard case var .object(members) = node else { throw SQLError(.execution, "a Debezium record is a JSON object") }
        if schemaInclude {
            guard case let .object(payload)? = members.first(where: { $0.0 == "payload" })?.1 else {
                throw SQLError(.execution, "no \"payload\" in the record (debezium-json.schema-include is true)")
            }
            members = payload
        } else if members.contains(where: { $0.0 == "schema" }), members.contains(where: { $0.0 == "payload" }) {
            throw SQLError(
                .execution, "the record has a \"schema\" and a \"payload\": set 'debezium-json.schema-include' = 'true'"
            )
        }
        func member(_ name: String) -> JSONNode? { members.first { $0.0 == name }?.1 }
        guard case let .string(op)? = member("op") else {
            throw SQLError(.execution, "a Debezium record needs an \"op\"")
        }
        func row(_ name: String) throws(SQLError) -> Row {
            guard case let .object(fields)? = member(name) else {
                throw SQLError(
                    .execution,
                    "the \"\(name)\" of a Debezium \"\(op)\" record is missing or not an object"
                        + (name == "before" && op == "u" ? " (a Postgres table needs REPLICA IDENTITY FULL)" : ""))
            }
            var row = Row(repeating: .null, count: width)
            for (field, value) in fields {
                guard let position = byName[field] else { continue }
                let column = columns[position]
                guard let converted = value.value(as: column.type) else {
                    throw SQLError(.execution, "field \"\(field)\" of \"\(name)\" is not a \(column.type)")
                }
                row[column.index] = converted
            }
            return row
        }
        switch op {
        case "c", "r": return [(try row("after"), .insert)]
        case "u": return [(try row("before"), .updateBefore), (try row("after"), .updateAfter)]
        case "d": return [(try row("before"), .delete)]
        default: throw SQLError(.execution, "unknown Debezium op \"\(op)\" (c, r, u, d)")
        }
    }

    /// One change as a Debezium record (without a schema).
    static func record(_ fields: String, kind: RowKind) -> String {
        switch kind {
        case .insert, .updateAfter: #"{"before":null,"after":"# + fields + #","op":"c"}"#
        case .updateBefore, .delete: #"{"before":"# + fields + #","after":null,"op":"d"}"#
        }
    }
}
