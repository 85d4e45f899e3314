import Foundation
import SQLConnectors
import SQLValues
import StreamSQL
import Synchronization

/// Every row a query sent to the results pane, kept on disk in `RowBinary` form while the
/// pane keeps only the newest in memory: `\export` writes the whole stream from here.
/// Written on the query's thread (a buffer, written out a megabyte at a time), read by an
/// export on a thread of its own; the file goes when the spool is closed (an export that
/// holds the spool reads on: the file is unlinked then, and its descriptor closed with the
/// last reference).
final class ResultSpool: Sendable {
    let columns: [Column]
    let changelog: Bool
    let path: String
    /// The spool stops growing here (an endless stream would fill the disk); `\export` then
    /// writes the rows it holds and says how many came after.
    let limitBytes: Int
    private let descriptor: Int32
    private struct State {
        var closed = false
        var buffer: [UInt8] = []
        var written = 0
        var spooledRows = 0
        var droppedRows = 0

        /// Writes out what is buffered.
        mutating func writeBuffer(to descriptor: Int32) {
            var offset = 0
            buffer.withUnsafeBytes { bytes in
                while offset < bytes.count {
                    let count = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                    if count < 0, errno == EINTR { continue }
                    guard count > 0 else { break } // a full disk: the rest is lost, counted as dropped below
                    offset += count
                }
            }
            written += offset
            buffer.removeAll(keepingCapacity: true)
        }
    }
    private let state: Mutex<State>

    init(directory: String, columns: [Column], changelog: Bool, limitBytes: Int = 1 << 30) throws {
        self.columns = columns
        self.changelog = changelog
        self.limitBytes = limitBytes
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = (directory as NSString).appendingPathComponent(
            "results-\(getpid())-\(UUID().uuidString.prefix(8)).spool")
        descriptor = open(path, O_CREAT | O_TRUNC | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SpoolError("cannot write \(path): \(String(cString: strerror(errno)))") }
        var fresh = State()
        fresh.buffer.reserveCapacity(1 << 20)
        state = Mutex(fresh)
    }

    deinit {
        close()
        _ = Glibc.close(descriptor)
    }

    func append(_ rows: [Row], kinds: [RowKind]?) {
        state.withLock { state in
            guard !state.closed else { return }
            guard state.written + state.buffer.count < limitBytes else {
                state.droppedRows += rows.count
                return
            }
            for (position, row) in rows.enumerated() {
                RowBinary.append(row, kind: kinds?[position], to: &state.buffer)
            }
            state.spooledRows += rows.count
            if state.buffer.count >= 1 << 20 { state.writeBuffer(to: descriptor) }
        }
    }

    /// Rows in the spool, and rows that arrived after it was full.
    var counts: (spooled: Int, dropped: Int) {
        state.withLock { ($0.spooledRows, $0.droppedRows) }
    }

    /// Calls `body` with each spooled row in order, reading the file a few megabytes at a time.
    func forEachRow(_ body: (Row, RowKind?) throws -> Void) throws {
        let end = state.withLock { state in
            if !state.closed { state.writeBuffer(to: descriptor) }
            return state.written
        }
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4 << 20)
        var offset = 0
        while offset < end {
            let count = chunk.withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress!, min($0.count, end - offset), off_t(offset))
            }
            guard count > 0 else { break }
            offset += count
            pending.append(contentsOf: chunk[0..<count])
            var consumed = 0
            try pending.withUnsafeBytes { bytes in
                var rows = RowBinary.Reader(bytes)
                while let (row, kind) = rows.next() { try body(row, kind) }
                consumed = rows.position
            }
            pending.removeFirst(consumed)
        }
    }

    /// Stops writing and removes the file (a reader holding the spool reads on).
    func close() {
        state.withLock { state in
            guard !state.closed else { return }
            state.closed = true
            state.buffer = []
            unlink(path)
        }
    }
}

struct SpoolError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension ResultSpool {
    /// Removes the spools of workbenches that are gone (a process killed before it could).
    static func removeAbandoned(in directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix("results-") && name.hasSuffix(".spool") {
            let fields = name.split(separator: "-")
            guard fields.count >= 3, let pid = pid_t(fields[1]), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            unlink((directory as NSString).appendingPathComponent(name))
        }
    }
}

/// `\export`: a spool's rows into a CSV or JSON-lines file, as `weir -f` writes them.
enum ResultExport {
    /// Writes the changes (append and changelog views) or the rows they amount to (table
    /// view); returns how many rows it wrote.
    static func write(_ spool: ResultSpool, view: ResultsModel.View, json: Bool, to path: String) throws -> Int {
        guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path)
        else {
            throw SpoolError(String(cString: strerror(errno)))
        }
        defer { try? file.close() }
        let columns = spool.columns
        let changes = view == .changelog
        var text = json ? "" : ResultLines.csvHeader(columns, changelog: changes)
        var count = 0
        func line(_ row: Row, _ kind: RowKind?) throws {
            text +=
                json
                ? ResultLines.json(row, kind: kind, columns: columns, changelog: changes)
                : ResultLines.csv(row, kind: kind, columns: columns, changelog: changes)
            count += 1
            if text.utf8.count >= 1 << 20 {
                try file.write(contentsOf: Data(text.utf8))
                text = ""
            }
        }
        if view == .table || view == .chart, spool.changelog {
            // The changes folded into the rows they leave: +I and +U add a row, -U and -D take one away.
            var live: [Row: Int] = [:]
            var order: [Row] = []
            try spool.forEachRow { row, kind in
                switch kind ?? .insert {
                case .insert, .updateAfter:
                    if live[row] == nil { order.append(row) }
                    live[row, default: 0] += 1
                case .updateBefore, .delete:
                    if let held = live[row] { live[row] = held > 1 ? held - 1 : 0 }
                }
            }
            var seen: Set<Row> = []
            for row in order where seen.insert(row).inserted {
                for _ in 0..<(live[row] ?? 0) { try line(row, nil) }
            }
        } else {
            try spool.forEachRow { row, kind in try line(row, kind) }
        }
        try file.write(contentsOf: Data(text.utf8))
        return count
    }
}
