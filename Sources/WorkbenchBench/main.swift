import Foundation
import SQLValues
import StreamSQL
import TerminalKit
import Workbench

// The workbench's drawing costs, without a terminal (run: scripts/bench-workbench.sh):
// a full 200×60 frame of results, what an update changes, and how long a key takes to
// show while a query streams rows in at full speed.

func milliseconds(_ start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6
}

// 1. A full frame: 1,000 rows of five columns (one of them Chinese), drawn at 200×60.
var model = SessionModel()
let windowColumns = [
    Column(name: "province", type: .string), Column(name: "pay_amount", type: .double),
    Column(name: "window_start", type: .timestamp(3)), Column(name: "window_end", type: .timestamp(3)),
    Column(name: "orders", type: .bigint),
]
func windowRow(_ index: Int) -> Row {
    let minute: Int64 = 60_000_000
    return [
        .string(["北京", "shanghai", "hangzhou", "深圳"][index % 4]), .double(Double(index) * 1234.5678),
        .timestamp(Int64(index % 60) * 1_000_000), .timestamp(minute), .integer(Int64(index)),
    ]
}
model.results.begin(columns: windowColumns, changelog: false)
model.results.add((0..<1000).map(windowRow), kinds: nil)
model.tables = ["payment_msg", "results"]
var frames = 0
let started = DispatchTime.now()
var last = CellGrid(width: 200, height: 60)
while milliseconds(started) < 2000 {
    last = WorkbenchView.render(model, width: 200, height: 60).grid
    frames += 1
}
let frameMs = milliseconds(started) / Double(frames)
print(String(format: "full 200×60 frame of results: %.3f ms (%d frames; goal ≤ 2 ms)", frameMs, frames))

// 2. An update: one more window's row arrives (the view follows the newest rows).
model.results.add([windowRow(1001)], kinds: nil)
let next = WorkbenchView.render(model, width: 200, height: 60).grid
let changed = next.changes(since: last)
let bytes = changed.reduce(0) { $0 + max(1, next.cells[$1].text.utf8.count) }
print(
    "one new row at 200×60: \(changed.count) of \(200 * 60) cells change, about \(bytes) bytes of text (plus cursor moves)"
)
let same = WorkbenchView.render(model, width: 200, height: 60).grid
print("an unchanged frame: \(same.changes(since: next).count) cells to write")

// 3. Key echo while a query streams: the UI's work between a key and its frame.
let engine = Engine()
let workbench = Workbench(engine: engine)
workbench.submit(
    "CREATE TABLE numbers (n BIGINT, s STRING) WITH ('connector' = 'datagen', 'rows-per-second' = '2000000');")
workbench.settle()
workbench.submit("SELECT n, s FROM numbers;")
usleep(300_000)
var latencies: [Double] = []
for index in 0..<400 {
    let start = DispatchTime.now()
    workbench.handle(.character(Character(String(index % 10))))
    workbench.drainInbox()
    _ = WorkbenchView.render(workbench.model, width: 120, height: 40)
    latencies.append(milliseconds(start))
    usleep(10_000)
}
latencies.sort()
let streamed = workbench.model.results.received
print(
    String(
        format:
            "key to frame while a query streams (%d rows shown so far): p50 %.2f ms, p99 %.2f ms (goal: p99 ≤ 16 ms)",
        streamed, latencies[latencies.count / 2], latencies[latencies.count * 99 / 100]))
workbench.handle(.escape)
workbench.settle()

// 3b. A changelog of many keys: 10,000 keys, each updated ten times (-U/+U pairs), applied to
// the table view (each -U finds its row by its cells).
var changes = ResultsModel()
changes.begin(columns: [Column(name: "k", type: .string), Column(name: "n", type: .bigint)], changelog: true)
let changelogStarted = DispatchTime.now()
for key in 0..<10_000 { changes.add([[.string("k\(key)"), .integer(1)]], kinds: [.insert]) }
for round in 1...10 {
    for key in 0..<10_000 {
        changes.add(
            [[.string("k\(key)"), .integer(Int64(round))], [.string("k\(key)"), .integer(Int64(round + 1))]],
            kinds: [.updateBefore, .updateAfter])
    }
}
print(
    String(
        format: "changelog table view: 10,000 keys, 100,000 updates applied in %.0f ms (%.2f µs per change)",
        milliseconds(changelogStarted), milliseconds(changelogStarted) * 1000 / 210_000))
// Then every key deleted, newest first (an outer join's padded rows taken back look like this).
let deletesStarted = DispatchTime.now()
for key in (0..<10_000).reversed() { changes.add([[.string("k\(key)"), .integer(11)]], kinds: [.delete]) }
print(
    String(
        format: "changelog table view: 10,000 deletes applied in %.0f ms (%d rows left)", milliseconds(deletesStarted),
        changes.table.count))

// 4. A frame with the timeline open: four partitions, 4,000 events kept for it, hopping
// windows stacked (what a lesson shows), drawn at 200×60.
let lesson = Engine()
let teacher = Workbench(engine: lesson)
teacher.submit(
    "CREATE TABLE clicks (k STRING, ts STRING, rt AS TO_TIMESTAMP(ts), WATERMARK FOR rt AS rt - INTERVAL '2' SECOND) "
        + "WITH ('connector' = 'feed', 'format' = 'json', 'splits' = '4');")
teacher.settle()
let feed = lesson.feed("clicks")
teacher.submit("SELECT k, COUNT(*) FROM clicks GROUP BY HOP(rt, INTERVAL '2' SECOND, INTERVAL '10' SECOND), k;")
for index in 0..<4000 {
    let millis = index * 25
    feed.record(
        #"{"k":"k\#(index % 7)","ts":"2024-01-01 00:\#(String(format: "%02d", millis / 60_000)):\#(String(format: "%02d", millis / 1000 % 60)).\#(String(format: "%03d", millis % 1000))"}"#,
        split: index % 4)
}
feed.drain()
for key in KeyDecoder.keys("\\timeline\r") { teacher.handle(key) }
teacher.drainInbox()
var timelineFrames = 0
let timelineStarted = DispatchTime.now()
while milliseconds(timelineStarted) < 2000 {
    _ = WorkbenchView.render(teacher.model, width: 200, height: 60)
    timelineFrames += 1
}
print(
    String(
        format: "full 200×60 frame with the timeline (4 lanes, %d events, %d open windows): %.3f ms (goal ≤ 2 ms)",
        teacher.model.timeline.snapshot?.events.count ?? 0, teacher.model.timeline.snapshot?.openSpans.count ?? 0,
        milliseconds(timelineStarted) / Double(timelineFrames)))
feed.end()
teacher.settle()
