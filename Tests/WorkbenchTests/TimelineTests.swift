import Foundation
import Synchronization
import TerminalKit
import Testing
import WeirTestSupport

@testable import SQLConnectors
@testable import SQLRuntime
@testable import SQLValues
@testable import StreamSQL
@testable import Workbench

/// The timeline pane over rows and watermarks fed by hand: each window kind drawn its own
/// way (golden screens), a late event, an idle split, and the keys that move the axis, pick an
/// event, and light up a result row's window.
@Suite struct TimelineTests {
    let screens = WorkbenchScreenTests()

    /// A workbench running `query` over `clicks` (a fed table of `splits` splits, event time
    /// `rt` from `ts`), fed `events` (split, second of 2024-01-01 00:00, key) in order, with
    /// the timeline open.
    func running(
        _ query: String, splits: Int = 2, _ events: [(split: Int, second: Int, key: String)],
        then extra: (Feed) -> Void = { _ in }
    ) -> (Workbench, Feed) {
        let engine = Engine()
        let workbench = Workbench(engine: engine)
        screens.type(
            workbench,
            "CREATE TABLE clicks (k STRING, ts STRING, rt AS TO_TIMESTAMP(ts), WATERMARK FOR rt AS rt) "
                + "WITH ('connector' = 'feed', 'format' = 'json', 'splits' = '\(splits)');\r")
        let feed = engine.feed("clicks")
        for key in KeyDecoder.keys(query + "\r") { workbench.handle(key) }
        for event in events {
            feed.record(
                #"{"k":"\#(event.key)","ts":"2024-01-01 00:00:\#(String(format: "%02d", event.second))"}"#,
                split: event.split)
        }
        extra(feed)
        feed.drain()
        for key in KeyDecoder.keys("\\timeline\r") { workbench.handle(key) }
        workbench.drainInbox()
        return (workbench, feed)
    }

    /// Keys while the query runs (no waiting for it to end), then its updates.
    func press(_ workbench: Workbench, _ text: String) {
        for key in KeyDecoder.keys(text) { workbench.handle(key) }
        workbench.drainInbox()
    }

    func finish(_ workbench: Workbench, _ feed: Feed) {
        feed.end()
        workbench.settle()
    }

    static let tumbleEvents = [
        (0, 1, "a"), (1, 2, "a"), (0, 4, "a"), (0, 7, "a"), (1, 6, "a"), (0, 11, "a"), (1, 12, "a"), (1, 3, "a"),
    ]

    @Test func tumblingWindowsWithALateEvent() throws {
        let (workbench, feed) = running(
            "SELECT k, COUNT(*) FROM clicks GROUP BY TUMBLE(rt, INTERVAL '5' SECOND), k;", Self.tumbleEvents)
        let timeline = try #require(workbench.model.timeline.snapshot)
        #expect(
            timeline.events.filter(\.late).count == 1 && timeline.firedSpans.count == 2 && timeline.openSpans.count == 1
        )
        #expect(timeline.window?.kind == .tumble)
        // The running aggregate of the open window [10 s, 15 s): two rows so far.
        #expect(timeline.openSpans.first.map(TimelineView.aggregateText) == "COUNT(*) 2")
        #expect(timeline.firedSpans.map(TimelineView.aggregateText) == ["COUNT(*) 3", "COUNT(*) 2"])
        try screens.expectScreen(workbench, "timeline-tumble-100x30", width: 100, height: 30)
        finish(workbench, feed)
    }

    @Test func hoppingWindowsAreStackedWhereTheyOverlap() throws {
        let events = [(0, 1, "a"), (1, 2, "b"), (0, 5, "a"), (1, 8, "a"), (0, 9, "b"), (1, 10, "a")]
        let (workbench, feed) = running(
            "SELECT k, SUM(1) FROM clicks GROUP BY HOP(rt, INTERVAL '2' SECOND, INTERVAL '6' SECOND), k;", events)
        let timeline = try #require(workbench.model.timeline.snapshot)
        #expect(timeline.window?.kind == .hop)
        // Every time falls in three windows: open ones overlap.
        let open = timeline.openSpans
        #expect(open.count >= 3)
        #expect(zip(open, open.dropFirst()).allSatisfy { $0.end > $1.start })
        #expect(open.contains { $0.groups == 2 && TimelineView.aggregateText($0).hasPrefix("2 keys, Σ SUM(1)") })
        try screens.expectScreen(workbench, "timeline-hop-100x30", width: 100, height: 30)
        finish(workbench, feed)
    }

    @Test func cumulatingWindowsShareTheirStart() throws {
        let events = [(0, 1, "a"), (1, 2, "a"), (0, 3, "a"), (1, 5, "a"), (0, 7, "a")]
        let (workbench, feed) = running(
            """
            SELECT window_start, window_end, COUNT(*) FROM TABLE(CUMULATE(TABLE clicks, DESCRIPTOR(rt), INTERVAL '2' SECOND, INTERVAL '8' SECOND)) GROUP BY window_start, window_end;
            """, events)
        let timeline = try #require(workbench.model.timeline.snapshot)
        #expect(timeline.window?.kind == .cumulate)
        #expect(Set(timeline.openSpans.map(\.start)).count == 1, "open cumulating windows start together")
        #expect(timeline.firedSpans.map { $0.end - $0.start } == [2_000_000, 4_000_000])
        try screens.expectScreen(workbench, "timeline-cumulate-100x30", width: 100, height: 30)
        finish(workbench, feed)
    }

    @Test func sessionsArePerKeyWithTheirGaps() throws {
        let events = [(0, 1, "a"), (1, 2, "b"), (0, 3, "a"), (1, 9, "a"), (0, 10, "b"), (1, 16, "a")]
        let (workbench, feed) = running(
            "SELECT k, COUNT(*) FROM clicks GROUP BY SESSION(rt, INTERVAL '3' SECOND), k;", events)
        let timeline = try #require(workbench.model.timeline.snapshot)
        #expect(timeline.window?.kind == .session)
        // The watermark is at 10 s (split 0's): a's first session [1 s, 6 s) and b's [2 s, 5 s) are closed.
        #expect(
            timeline.firedSpans.map { "\($0.key.map(TimelineView.keyText) ?? "?") \(TimelineView.aggregateText($0))" }
                .sorted()
                == ["a COUNT(*) 2", "b COUNT(*) 1"])
        #expect(timeline.openSpans.map { $0.key.map(TimelineView.keyText) } == ["a", "b", "a"])
        try screens.expectScreen(workbench, "timeline-session-100x30", width: 100, height: 30)
        finish(workbench, feed)
    }

    @Test func anIdleSplitIsMarkedAndStopsHoldingTheWatermark() throws {
        let events = [(0, 1, "a"), (1, 2, "a"), (0, 6, "a"), (1, 7, "a")]
        let (workbench, feed) = running(
            "SELECT k, COUNT(*) FROM clicks GROUP BY TUMBLE(rt, INTERVAL '5' SECOND), k;", splits: 3, events
        ) { feed in
            feed.idle(split: 2)
        }
        let timeline = try #require(workbench.model.timeline.snapshot)
        #expect(timeline.splits.map(\.idle) == [false, false, true])
        #expect(timeline.watermark == 6_000_000 + CivilTime.days(year: 2024, month: 1, day: 1) * 86_400_000_000)
        try screens.expectScreen(workbench, "timeline-idle-100x30", width: 100, height: 30)
        finish(workbench, feed)
    }

    @Test func keysScrollZoomFollowAndPickAnEvent() throws {
        let (workbench, feed) = running(
            "SELECT k, COUNT(*) FROM clicks GROUP BY TUMBLE(rt, INTERVAL '5' SECOND), k;", Self.tumbleEvents)
        press(workbench, "\t\t")
        #expect(workbench.model.focus == .timeline)
        // F3 zooms the focused pane: the timeline takes the screen.
        press(workbench, "\u{1b}OR")
        #expect(
            WorkbenchView.render(workbench.model, width: 100, height: 30).grid.text.hasPrefix(
                "┌─ Timeline — tumbling 5 s"))
        press(workbench, "\u{1b}OR")
        #expect(!workbench.model.zoomed)
        press(workbench, "\u{1b}[D") // Left: a quarter of the pane back
        let snapshot = try #require(workbench.model.timeline.snapshot)
        #expect(!workbench.model.timeline.following)
        press(workbench, "f")
        #expect(workbench.model.timeline.following)
        press(workbench, "+")
        #expect(workbench.model.timeline.zoom == -1)
        #expect(TimelineView.span(snapshot, zoom: -1) == 7_500_000)
        press(workbench, "-")
        // Up picks the newest event in event time: split 1's record at 00:00:12, its fourth (offset 3)…
        press(workbench, "\u{1b}[A")
        #expect(workbench.model.timeline.selected == EventPosition(split: 1, offset: 2))
        press(workbench, "\u{1b}[A")
        #expect(workbench.model.timeline.selected == EventPosition(split: 0, offset: 3))
        let line = try #require(TimelineView.pickedLine(workbench.model.timeline, snapshot))
        #expect(line == "◉ split 0 offset 3 at 00:00:11.000 → [00:00:10.000, 00:00:15.000) open")
        try screens.expectScreen(workbench, "timeline-picked-100x30", width: 100, height: 30)
        press(workbench, "\u{1b}")
        #expect(
            workbench.model.timeline.selected == nil && workbench.model.running, "Esc unpicks first; the query runs on")
        finish(workbench, feed)
    }

    @Test func aPickedResultRowLightsUpItsWindow() throws {
        let (workbench, feed) = running(
            "SELECT k, COUNT(*) AS n, window_start, window_end FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(rt), INTERVAL '5' SECOND)) GROUP BY k, window_start, window_end;",
            Self.tumbleEvents)
        press(workbench, "\t\u{1b}[A") // results, the newest row: [5 s, 10 s)
        let day = CivilTime.days(year: 2024, month: 1, day: 1) * 86_400_000_000
        #expect(workbench.model.timeline.lit == (day + 5_000_000)..<(day + 10_000_000))
        try screens.expectScreen(workbench, "timeline-lit-100x30", width: 100, height: 30)
        finish(workbench, feed)
    }

    /// The chart view of a windowed query: a line of points per key over window start.
    @Test func windowsAreChartedAsALinePerKey() throws {
        let (workbench, feed) = running(
            "SELECT k, COUNT(*) AS n, window_start FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(rt), INTERVAL '5' SECOND)) GROUP BY k, window_start, window_end;",
            Self.tumbleEvents)
        press(workbench, "\u{1b}OQ") // F2: append → chart
        #expect(workbench.model.results.view == .chart)
        #expect(ResultsChart.shape(workbench.model.results.columns) == ResultsChart.Shape(time: 2, value: 1, keys: [0]))
        let text = WorkbenchView.render(workbench.model, width: 100, height: 30).grid.text
        #expect(text.contains("● a"), "\(text)")
        try screens.expectScreen(workbench, "chart-lines-100x30", width: 100, height: 30)
        finish(workbench, feed)
    }

    /// A row with its window's start only: the window is as long as the query's, and the
    /// timeline goes to it.
    @Test func aRowWithItsStartOnlyLightsItsWindowToo() throws {
        let (workbench, feed) = running(
            "SELECT TUMBLE_START(rt, INTERVAL '5' SECOND) AS ws, COUNT(*) AS n FROM clicks GROUP BY TUMBLE(rt, INTERVAL '5' SECOND);",
            Self.tumbleEvents)
        press(workbench, "\t\u{1b}[A")
        let day = CivilTime.days(year: 2024, month: 1, day: 1) * 86_400_000_000
        #expect(workbench.model.timeline.lit == (day + 5_000_000)..<(day + 10_000_000))
        #expect(workbench.model.timeline.center == day + 7_500_000 && !workbench.model.timeline.following)
        finish(workbench, feed)
    }

    /// The topic pane lights the records of the picked row's window whose JSON agrees with the
    /// row's key columns.
    @Test func theTopicPaneLightsTheRecordsThatFedTheRow() {
        let timeline = TimelineObserver()
        timeline.observe(
            .splits([
                SplitState(name: "clicks-0", watermark: nil, idle: false, ended: false),
                SplitState(name: "clicks-1", watermark: nil, idle: false, ended: false),
            ]))
        timeline.observe(
            .eventTimes([
                TimelineEvent(split: 0, offset: 0, time: 1_000_000, late: false),
                TimelineEvent(split: 1, offset: 0, time: 2_000_000, late: false),
                TimelineEvent(split: 0, offset: 1, time: 3_000_000, late: false),
                TimelineEvent(split: 1, offset: 1, time: 6_000_000, late: false),
            ]))
        var model = SessionModel()
        model.timeline.snapshot = timeline.snapshot
        model.timeline.lit = 0..<5_000_000
        var pane = TopicTail(topic: "clicks")
        pane.add([
            TailEntry(partition: 0, offset: 0, timestamp: 0, key: nil, value: #"{"k":"a"}"#),
            TailEntry(partition: 1, offset: 0, timestamp: 0, key: nil, value: #"{"k":"b"}"#),
            TailEntry(partition: 0, offset: 1, timestamp: 0, key: nil, value: #"{"k":"a"}"#),
            TailEntry(partition: 1, offset: 1, timestamp: 0, key: nil, value: #"{"k":"a"}"#),
        ])
        model.tail = pane
        model.results.begin(
            columns: [
                Column(name: "k", type: .string), Column(name: "n", type: .bigint),
                Column(name: "window_start", type: .timestamp(3)), Column(name: "window_end", type: .timestamp(3)),
            ],
            changelog: false)
        model.results.add([[.string("a"), .integer(2), .timestamp(0), .timestamp(5_000_000)]], kinds: nil)
        model.results.selected = 0
        #expect(
            TopicPane.litRecords(model) == [
                RecordPosition(partition: 0, offset: 0), RecordPosition(partition: 0, offset: 1),
            ])
        #expect(Workbench.window(of: model.results.cells(model.results.rows[0])) == 0..<5_000_000)
    }

    /// A late event far behind the time axis: pointed to at the left edge with its time and
    /// how far behind the watermark it came.
    @Test func aLateEventFarBehindSaysWhenItWas() {
        let timeline = TimelineObserver()
        timeline.observe(.splits([SplitState(name: "clicks-0", watermark: 90_000_000, idle: false, ended: false)]))
        timeline.observe(.watermark(90_000_000))
        timeline.observe(
            .eventTimes([
                TimelineEvent(split: 0, offset: 0, time: 88_000_000, late: false),
                TimelineEvent(split: 0, offset: 1, time: 90_000_000, late: false),
                TimelineEvent(split: 0, offset: 2, time: 30_000_000, late: true),
            ]))
        var state = TimelineState()
        state.visible = true
        state.snapshot = timeline.snapshot
        var grid = CellGrid(width: 80, height: 12)
        TimelineView.draw(state, into: &grid, area: grid.bounds, focused: false)
        #expect(grid.text.contains("◂× 00:30.000, 60 s behind"), "\(grid.text)")
    }

    /// A split that stopped while another ran ahead: `\why` names it in a box over the
    /// results, and after two seconds without output the status bar says it too.
    @Test func aSplitLeftBehindIsNamedByWhyAndTheStatusBar() throws {
        let events = [(0, 1, "a"), (1, 2, "a"), (1, 3, "a"), (0, 20, "a")]
        let (workbench, feed) = running(
            "SELECT k, COUNT(*) FROM clicks GROUP BY TUMBLE(rt, INTERVAL '5' SECOND), k;", events)
        let snapshot = try #require(workbench.model.timeline.snapshot)
        #expect(WhyExplainer.headline(snapshot.progress) == "split 1 holds the watermark back at 00:00:03.000")
        press(workbench, "\\why\r")
        let why = try #require(workbench.model.why)
        #expect(
            why.contains(
                "split 1 holds it back at 00:00:03.000 UTC; split 0 is at 00:00:20.000 UTC (17 s ahead). "
                    + "An idle timeout lets a split that stopped writing go; a lagging one catches up as it is read."),
            "\(why)")
        try screens.expectScreen(workbench, "why-100x30", width: 100, height: 30)
        press(workbench, "\u{1b}")
        #expect(workbench.model.why == nil && workbench.model.running, "Esc closes the box; the query runs on")
        // The status bar names what holds the watermark once it has been held for two seconds:
        // the workbench's clock is moved on by three.
        let skew = Mutex(Duration.zero)
        workbench.now = { ContinuousClock.now + skew.withLock { $0 } }
        workbench.drainInbox()
        skew.withLock { $0 += .seconds(3) }
        workbench.drainInbox()
        let status =
            WorkbenchView.render(workbench.model, width: 120, height: 30).grid.text.split(separator: "\n").last ?? ""
        #expect(status.contains("waiting: split 1 holds the watermark back at 00:00:03.000 (\\why)"), "\(status)")
        finish(workbench, feed)
    }
}

/// The results' table view over a long changelog: a GROUP BY's counts (+I for a new key,
/// -U/+U for each further row, -D now and then) end as the table the changes amount to.
@Suite struct ChangelogTableTests {
    @Test func manyKeysUpdatedAndDeletedEndAsTheirTable() {
        var random = SystemRandomNumberGenerator()
        var counts: [String: Int] = [:]
        var order: [String] = []
        var model = ResultsModel()
        model.begin(columns: [Column(name: "k", type: .string), Column(name: "n", type: .bigint)], changelog: true)
        for _ in 0..<20_000 {
            let key = "k\(Int.random(in: 0..<2_000, using: &random))"
            if let count = counts[key] {
                if Int.random(in: 0..<20, using: &random) == 0 {
                    model.add([[.string(key), .integer(Int64(count))]], kinds: [.delete])
                    counts[key] = nil
                    order.removeAll { $0 == key }
                } else {
                    model.add(
                        [[.string(key), .integer(Int64(count))], [.string(key), .integer(Int64(count + 1))]],
                        kinds: [.updateBefore, .updateAfter])
                    counts[key] = count + 1
                }
            } else {
                model.add([[.string(key), .integer(1)]], kinds: [.insert])
                counts[key] = 1
                order.append(key)
            }
        }
        #expect(model.tableText == order.map { [$0, "\(counts[$0]!)"] })
        #expect(model.table.allSatisfy { $0.kind == nil })
    }
}
