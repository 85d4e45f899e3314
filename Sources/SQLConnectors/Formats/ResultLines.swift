import Foundation
import SQLValues

/// A query's rows as lines of text for programs: CSV with a header, or one JSON object a
/// row; a changelog's rows lead with their kind (`op`). `weir -e`/`-f` print these, and the
/// workbench's `\export` writes them, so both give the same file for the same rows.
public enum ResultLines {
    public static func csvHeader(_ columns: [Column], changelog: Bool) -> String {
        ((changelog ? ["op"] : []) + columns.map(\.name)).map(csvField).joined(separator: ",") + "\n"
    }

    public static func csv(_ row: Row, kind: RowKind?, columns: [Column], changelog: Bool) -> String {
        let fields = row.enumerated().map { csvField(ValueFormatter.plain($1, type: columns[$0].type)) }
        return ((changelog ? [(kind ?? .insert).rawValue] : []) + fields).joined(separator: ",") + "\n"
    }

    public static func json(_ row: Row, kind: RowKind?, columns: [Column], changelog: Bool) -> String {
        var members = changelog ? ["\"op\":\"\((kind ?? .insert).rawValue)\""] : []
        for (index, value) in row.enumerated() {
            members.append(JSONText.quote(columns[index].name) + ":" + JSONText.value(value, type: columns[index].type))
        }
        return "{" + members.joined(separator: ",") + "}\n"
    }

    private static func csvField(_ text: String) -> String { RecordWriter.csvField(text, delimiter: ",") }
}
