import Foundation
import SQLConnectors
import SQLRuntime
import SQLSyntax
import SQLValues
import StreamSQL
import Testing
import WeirTestSupport

@testable import Workbench

/// The results pane's bounds: the rows it keeps, the hand-over from the query (which waits for
/// the screen), and the spool `\export` writes every row from.
@Suite struct ResultsWindowTests {
    @Test func theAppendViewKeepsTheNewestRowsAndCountsThemAll() {
        var results = ResultsModel()
        results.begin(columns: [Column(name: "n", type: .bigint)], changelog: false, capacity: 1000)
        for start in stride(from: 0, to: 5000, by: 700) {
            results.add((start..<min(5000, start + 700)).map { [.integer(Int64($0))] }, kinds: nil)
        }
        #expect(results.received == 5000)
        #expect(results.rows.count == 1000)
        #expect(results.dropped == 4000)
        #expect(results.rowsText.first == ["4000"] && results.rowsText.last == ["4999"])
        #expect(results.table.isEmpty, "an append-only result builds no table")
        #expect(ResultsPane.rowCount(results) == "5,000 rows, the newest 1,000 kept")
    }

    @Test func rowsLeavingTheFrontKeepTheScrolledViewOnTheSameRows() {
        var results = ResultsModel()
        results.begin(columns: [Column(name: "n", type: .bigint)], changelog: false, capacity: 100)
        results.add((0..<100).map { [.integer(Int64($0))] }, kinds: nil)
        results.follow = false
        results.top = 50
        results.selected = 60
        results.add((100..<110).map { [.integer(Int64($0))] }, kinds: nil)
        #expect(results.cells(results.rows[results.top]) == ["50"])
        #expect(results.cells(results.rows[results.selected!]) == ["60"])
    }

    @Test func theChangelogTableIsBoundedAndStillFindsItsRows() {
        var results = ResultsModel()
        results.begin(
            columns: [Column(name: "k", type: .string), Column(name: "n", type: .bigint)], changelog: true, capacity: 3)
        func row(_ key: String, _ count: Int64) -> Row { [.string(key), .integer(count)] }
        results.add([row("a", 1), row("b", 1), row("c", 1), row("d", 1)], kinds: [.insert, .insert, .insert, .insert])
        #expect(results.tableText == [["b", "1"], ["c", "1"], ["d", "1"]], "the oldest row went")
        #expect(results.tableDropped == 1)
        results.add([row("c", 1), row("c", 2), row("b", 1)], kinds: [.updateBefore, .updateAfter, .delete])
        #expect(results.tableText == [["c", "2"], ["d", "1"]])
        #expect(results.table[0].changed == [1])
        // A change to a row no longer kept: its update arrives as a row of its own.
        results.add([row("a", 1), row("a", 2)], kinds: [.updateBefore, .updateAfter])
        #expect(results.tableText == [["c", "2"], ["d", "1"], ["a", "2"]])
        #expect(results.log.count == 3 && results.received == 9)
    }

    @Test func aQueryWaitsForTheScreenOnceItsRowsFillTheInbox() throws {
        let inbox = Inbox(rowCapacity: 100)
        let stop = StopSignal()
        let posted = Counter()
        let writer = Thread {
            for batch in 0..<10 {
                inbox.post(rows: (0..<50).map { [.integer(Int64(batch * 50 + $0))] }, kinds: nil, stop: stop)
                posted.add()
            }
        }
        writer.start()
        // Two batches fit; the third waits until the UI takes what is there.
        try waitOrFail { posted.value == 2 && inbox.pendingRows == 100 }
        var taken = 0
        while taken < 500 {
            // The writer is never more than the inbox's capacity ahead of what was taken.
            #expect(posted.value * 50 <= taken + 100)
            #expect(inbox.pendingRows <= 100)
            for case let .rows(rows, _) in inbox.take() { taken += rows.count }
            try waitOrFail { inbox.pendingRows > 0 || posted.value == 10 }
        }
        #expect(taken == 500)
        // A stop lets a waiting writer through at once.
        inbox.post(rows: (0..<100).map { [.integer(Int64($0))] }, kinds: nil, stop: stop)
        stop.request()
        inbox.post(rows: (0..<100).map { [.integer(Int64($0))] }, kinds: nil, stop: stop)
        #expect(inbox.pendingRows == 200)
    }

    @Test func rowsSurviveTheSpoolsBinaryFormExactly() {
        let rows: [Row] = [
            [
                .null, .boolean(true), .boolean(false), .integer(-42), .double(-0.5),
                .decimal(Decimal(string: "12345.678")!),
            ],
            [
                .string("北京"), .string(""), .bytes([0, 255, 7]), .date(-3), .time(86_399_999_999), .timestamp(-1),
                .timestampLTZ(1_700_000_000_123_456),
            ],
            [
                .array([.integer(1), .null]),
                .map([Value.MapEntry(key: .string("k"), value: .row([.string(String(repeating: "x", count: 300))]))]),
            ],
        ]
        var bytes: [UInt8] = []
        let kinds: [RowKind?] = [nil, .updateBefore, .delete]
        for (row, kind) in zip(rows, kinds) { RowBinary.append(row, kind: kind, to: &bytes) }
        var read: [(Row, RowKind?)] = []
        bytes.withUnsafeBytes { buffer in
            var reader = RowBinary.Reader(buffer)
            while let next = reader.next() { read.append(next) }
            #expect(reader.atEnd)
        }
        #expect(read.map(\.0) == rows)
        #expect(read.map(\.1) == kinds)
        // Cut anywhere: the rows before the cut, and the reader waits at the cut row's start.
        for cut in [1, 5, bytes.count / 2, bytes.count - 1] {
            bytes.prefix(cut).withUnsafeBytes { buffer in
                var reader = RowBinary.Reader(buffer)
                var count = 0
                while reader.next() != nil { count += 1 }
                #expect(count < rows.count)
                #expect(reader.position <= cut)
            }
        }
    }

    @Test func anExportWritesEveryRowOrTheTableTheChangesLeave() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("weir-spool-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let columns = [Column(name: "k", type: .string), Column(name: "n", type: .bigint)]
        let spool = try ResultSpool(directory: folder, columns: columns, changelog: true)
        // 300,000 changes over three megabytes: the spool writes out in pieces and reads back across them.
        for round in 0..<1000 {
            var rows: [Row] = [], kinds: [RowKind] = []
            for key in 0..<100 {
                let name = Value.string("key-\(key)")
                if round == 0 {
                    rows.append([name, .integer(0)])
                    kinds.append(.insert)
                } else {
                    rows += [[name, .integer(Int64(round - 1))], [name, .integer(Int64(round))]]
                    kinds += [.updateBefore, .updateAfter]
                }
            }
            spool.append(rows, kinds: kinds)
        }
        spool.append([[.string("key-7"), .integer(999)]], kinds: [.delete])
        #expect(spool.counts.spooled == 100 + 999 * 200 + 1)
        let changes = folder + "/changes.csv"
        #expect(try ResultExport.write(spool, view: .changelog, json: false, to: changes) == 199_901)
        let lines = try String(contentsOfFile: changes, encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "op,k,n" && lines[1] == "+I,key-0,0" && lines.last == "-D,key-7,999")
        let table = folder + "/table.json"
        #expect(try ResultExport.write(spool, view: .table, json: true, to: table) == 99)
        let objects = try String(contentsOfFile: table, encoding: .utf8).split(separator: "\n")
        #expect(objects.first == #"{"k":"key-0","n":999}"#)
        #expect(!objects.contains { $0.contains(#""key-7""#) })
        spool.close()
        #expect(!FileManager.default.fileExists(atPath: spool.path), "closing removes the file")
    }

    /// A query through the workbench keeps `sql-client.execution.max-table-result.rows` rows,
    /// counts every row, and `\export` writes them all.
    @Test func theWorkbenchKeepsTheSettingsRowsAndExportsTheWholeStream() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("weir-export-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let workbench = Workbench(engine: Engine(), spoolDirectory: folder + "/results")
        workbench.submit("SET 'sql-client.execution.max-table-result.rows' = '500';")
        workbench.submit(
            "CREATE TABLE n (x BIGINT) WITH ('connector' = 'datagen', 'number-of-rows' = '200000', 'rows-per-second' = '10000000', 'fields.x.kind' = 'sequence', "
                + "'fields.x.start' = '1', 'fields.x.end' = '200000');")
        workbench.submit("SELECT x FROM n;")
        workbench.settle(timeout: 60)
        #expect(workbench.model.results.received == 200_000)
        #expect(workbench.model.results.rowsText.count == 500 && workbench.model.results.rowsText.last == ["200000"])
        #expect(workbench.model.results.state == "finished")
        workbench.submit("\\export \(folder)/all.csv")
        try waitOrFail(seconds: 60) {
            workbench.drainInbox()
            return workbench.model.messages.contains { $0.hasPrefix("exported") }
        }
        #expect(workbench.model.messages.contains("exported 200000 rows to \(folder)/all.csv"))
        let lines = try String(contentsOfFile: folder + "/all.csv", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 200_001 && lines[1] == "1" && lines.last == "200000")
    }

    @Test func aFailedQuerysTitleSaysFailed() throws {
        let workbench = Workbench(engine: Engine())
        workbench.submit("SELECT CAST(x AS INT) FROM (VALUES ('1'), ('x')) AS t(x);")
        workbench.settle()
        let title = WorkbenchView.render(workbench.model, width: 100, height: 30).grid.text.split(separator: "\n")[0]
        #expect(title.contains(", failed"), "\(title)")
        #expect(workbench.model.messages.contains { $0.contains("cannot cast x of type STRING to INT") })
    }
}

private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

/// Waits until `condition` holds; fails the test when `seconds` pass first.
private func waitOrFail(seconds: Double = 10, _ condition: () -> Bool) throws {
    guard waitUntil(timeout: .milliseconds(Int(seconds * 1000)), poll: .milliseconds(1), condition) else {
        throw WaitTimedOut()
    }
}

private struct WaitTimedOut: Error {}
