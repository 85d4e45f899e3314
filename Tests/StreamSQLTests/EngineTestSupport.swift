import Foundation
import SQLRuntime
import SQLSyntax
import SQLValues
import StreamSQL
import Testing

/// Collects what statements return, for assertions.
final class Collector: ResultWriter, @unchecked Sendable {
    var columns: [Column] = []
    var rows: [Row] = []
    var kinds: [RowKind] = []
    var messages: [String] = []
    var statistics: [String: Int64] = [:]
    var changelog = false

    func begin(columns: [Column], changelog: Bool) {
        self.columns = columns
        self.changelog = changelog
        rows = []
        kinds = []
    }

    func rows(_ rows: [Row], kinds: [RowKind]?) {
        self.rows += rows
        self.kinds += kinds ?? Array(repeating: .insert, count: rows.count)
    }

    func end(statistics: [String: Int64]) { self.statistics = statistics }
    func message(_ text: String) { messages.append(text) }

    /// The table a changelog ends as, sorted: each -D (or -U) takes back the row it names;
    /// a take-back of a row not there is recorded as an issue.
    var finalTable: [String] {
        var table: [String] = []
        for (line, kind) in zip(lines, kinds) {
            guard kind == .delete || kind == .updateBefore else {
                table.append(line)
                continue
            }
            guard let index = table.firstIndex(of: line) else {
                Issue.record("\(kind.rawValue) \(line) takes back a row that is not there")
                continue
            }
            table.remove(at: index)
        }
        return table.sorted()
    }

    /// Rows as text, one per row, cells joined by `|` (NULL spelled out), in order.
    var lines: [String] {
        rows.map { row in
            row.enumerated().map { ValueFormatter.display($1, type: columns[$0].type) }.joined(separator: "|")
        }
    }
}

/// Runs a script on a fresh engine; returns what the last statement returned.
@discardableResult
func run(_ script: String, engine: Engine = Engine()) throws(SQLError) -> Collector {
    let collector = Collector()
    try engine.execute(script: script, writer: collector)
    return collector
}

/// This test process's folder for files, removed when the process exits.
let scratchFolder: URL = {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("weir-sql-tests-\(getpid())")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    atexit {
        try? FileManager.default.removeItem(
            at: FileManager.default.temporaryDirectory.appendingPathComponent("weir-sql-tests-\(getpid())"))
    }
    return folder
}()

/// A file in a fresh folder (of the scratch folder) with `lines`.
/// The error `script` fails with in a fresh engine; nil when it does not fail.
func failure(_ script: String) -> SQLError? {
    do {
        try run(script)
        return nil
    } catch {
        return error
    }
}

func temporaryFile(_ name: String, _ lines: [String]) -> String {
    let folder = scratchFolder.appendingPathComponent(UUID().uuidString)
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let path = folder.appendingPathComponent(name).path
    _ = FileManager.default.createFile(atPath: path, contents: Data(lines.joined(separator: "\n").utf8))
    return path
}
