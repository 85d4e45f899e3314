import Foundation
import SQLPlanner
import SQLRuntime
import SQLSyntax
import SQLValues

/// The filesystem connector's writing side: records in JSON or CSV, one per line, in
/// `path` when it names a file (`out.csv`), else in `path/part-0.<format>`.
package final class FileSink: Sink {
    let handle: FileHandle
    let writer: RecordWriter
    let file: String
    private var buffer = Data()
    private var closed = false

    init(table: CatalogTable) throws(SQLError) {
        guard let path = table.options["path"] else {
            throw SQLError(.plan, "the filesystem table \(table.name) needs a 'path' option")
        }
        let format = table.options["format"] ?? ""
        var file = path
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
        if isFolder.boolValue || (!exists && !path.hasSuffix(".\(format)") && !path.hasSuffix(".txt")) {
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw SQLError(.execution, "cannot create the folder \(path): \(error.localizedDescription)")
            }
            file = path + "/part-0.\(format)"
        }
        guard FileManager.default.createFile(atPath: file, contents: nil),
            let handle = FileHandle(forWritingAtPath: file)
        else {
            throw SQLError(.execution, "cannot write \(file)")
        }
        self.handle = handle
        self.file = file
        writer = try RecordWriter(table: table)
    }

    package func write(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        if let kinds, !writer.writesChanges, kinds.contains(where: { $0 != .insert }) {
            throw SQLError(
                .plan,
                "the filesystem connector writes only insertions, and this query updates its results (a GROUP BY without a window)"
            )
        }
        for (position, row) in rows.enumerated() {
            buffer.append(contentsOf: writer.encode(row, kind: kinds?[position] ?? .insert))
        }
        if buffer.count > 1 << 16 { try flush() }
    }

    package func flush() throws(SQLError) {
        guard !buffer.isEmpty, !closed else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw SQLError(.execution, "cannot write \(file): \(error.localizedDescription)")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    package func finish() throws(SQLError) {
        try flush()
        guard !closed else { return }
        closed = true
        try? handle.close()
    }

}
