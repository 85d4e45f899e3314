import Foundation
import SQLPlanner
import SQLRuntime
import SQLSyntax

/// The filesystem connector's reading side: a file, or every file of a folder (each file a
/// split with its own watermark, combined by minimum), one record per line in JSON, CSV or
/// raw. A record that does not parse fails the query with its file and line, or is skipped
/// and counted when the format's ignore-parse-errors option is set.
package struct FileSystemSource: SourceRunner {
    let table: CatalogTable
    let files: [String]
    let format: RecordFormat
    /// Where the rows' event times and the files' watermarks go (the workbench's timeline and `\\why`).
    let reporter: QueryReporter?
    let replaying: Bool

    /// What the query reads of the table (JSON skips the other fields).
    let columns: ScanColumns

    init(
        table: CatalogTable, reporter: QueryReporter? = nil, replaying: Bool = false, columns: ScanColumns = .all,
        scriptFolder: String? = nil
    ) throws(SQLError) {
        self.table = table
        self.columns = columns
        self.reporter = reporter
        self.replaying = replaying
        guard let path = table.options["path"] else {
            throw SQLError(.plan, "the filesystem table \(table.name) needs a 'path' option")
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            // As Flink does, a relative path is read from the working directory: say which that
            // is, and where the script naming it lives when that is elsewhere.
            var tried = ""
            if !path.hasPrefix("/") {
                let here = FileManager.default.currentDirectoryPath
                tried = " (read from the working directory, \(here))"
                if let scriptFolder, scriptFolder != here {
                    tried +=
                        "; the script is in \(scriptFolder): run weir from there, or write the path from the working directory"
                }
            }
            throw SQLError(.execution, "table \(table.name): \(path) does not exist\(tried)")
        }
        var found: [String]
        if isFolder.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            found = names.filter { !$0.hasPrefix(".") && !$0.hasPrefix("_") }.sorted().map { path + "/" + $0 }
        } else {
            found = [path]
        }
        // `source.path.regex-pattern`, as Flink: the whole absolute path must match.
        if let pattern = table.options["source.path.regex-pattern"] {
            guard let expression = try? NSRegularExpression(pattern: "^(?:\(pattern))$") else {
                throw SQLError(.plan, "source.path.regex-pattern '\(pattern)' is not a regular expression")
            }
            found = found.filter { file in
                let absolute = URL(fileURLWithPath: file).standardizedFileURL.path
                return expression.firstMatch(in: absolute, range: NSRange(absolute.startIndex..., in: absolute)) != nil
            }
        }
        files = found
        format = try RecordFormat(table: table, scan: columns)
    }

    package func run(into output: Operator, stop: StopSignal) throws(SQLError) -> [String: Int64] {
        var emitter = BatchEmitter(output: output, reporter: reporter)
        var format = format
        // Splits not started yet hold the combined watermark back; finished ones no longer do.
        var splits = SplitWatermarks(splits: files.count)
        var skipped = 0
        // Event times for the timeline: a file is a split, a line number its offset.
        var timeline = EventTimeRecorder(reporter: reporter, table: table, replaying: replaying)
        func report() {
            timeline.flush()
            reporter?.report(.splits(splits.states { URL(fileURLWithPath: files[$0]).lastPathComponent }))
        }
        for (split, file) in files.enumerated() {
            guard let handle = FileHandle(forReadingAtPath: file) else {
                throw SQLError(.execution, "table \(table.name): cannot read \(file)")
            }
            defer { try? handle.close() }
            if reporter != nil { report() }
            var assembler = RowAssembler(table: table, scan: columns)
            var reader = LineReader(descriptor: handle.fileDescriptor, path: file)
            var lineNumber = 0
            while !stop.isRequested, let lines = try reader.nextLines() {
                let base = lines.baseAddress!
                var lineStart = 0
                while lineStart < lines.count {
                    lineNumber += 1
                    var row = assembler.emptyRow(from: &emitter)
                    // A JSON record of the learned shape says where its line ends; another line is
                    // found first — memchr, many bytes at a time (a byte loop was 4% of the job).
                    let read = format.isChangelog ? nil : format.decodeLine(lines, from: lineStart, into: &row)
                    let lineEnd =
                        read ?? memchr(base + lineStart, 0x0A, lines.count - lineStart).map {
                            UnsafeRawPointer(base).distance(to: $0)
                        } ?? lines.count
                    var contentEnd = lineEnd
                    if contentEnd > lineStart, base[contentEnd - 1] == 0x0D { contentEnd -= 1 }
                    defer { lineStart = lineEnd + 1 }
                    if contentEnd == lineStart { continue }
                    do throws(SQLError) {
                        // A changelog's record changes up to two rows; another's is one row. (The
                        // steps after decoding are written out in each: a local function would
                        // capture the loop's state by reference, and every row would pay for it.)
                        if format.isChangelog {
                            guard let changes = try format.decodeChanges(lines, lineStart, contentEnd, width: row.count)
                            else {
                                skipped += 1
                                continue
                            }
                            for case (var changed, let kind) in changes {
                                let moved = try assembler.complete(&changed)
                                timeline.record(changed, split: split, offset: Int64(lineNumber - 1))
                                try emitter.add(changed, kind: kind)
                                if moved {
                                    splits.advance(split, to: assembler.watermark)
                                    if let combined = splits.combined { try emitter.watermark(combined) }
                                }
                            }
                            continue
                        }
                        if read == nil, try !format.decode(lines, lineStart, contentEnd, into: &row, table: table) {
                            skipped += 1
                            continue
                        }
                        let moved = try assembler.complete(&row)
                        timeline.record(row, split: split, offset: Int64(lineNumber - 1))
                        try emitter.add(consume row)
                        if moved {
                            splits.advance(split, to: assembler.watermark)
                            if let combined = splits.combined { try emitter.watermark(combined) }
                        }
                    } catch {
                        throw SQLError(error.kind, "\(file), line \(lineNumber): \(error.message)")
                    }
                }
                if reporter != nil { report() }
            }
            if stop.isRequested { break }
            splits.end(split)
            if let combined = splits.combined { try emitter.watermark(combined) }
            if reporter != nil { report() }
        }
        if stop.isRequested { try emitter.cancel() } else { try emitter.finish() }
        return skipped > 0 ? ["records skipped (parse errors)": Int64(skipped)] : [:]
    }
}
