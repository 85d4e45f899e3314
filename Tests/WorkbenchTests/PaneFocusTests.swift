import Foundation
import StreamSQL
import TerminalKit
import Testing

@testable import Workbench

/// Every pane on screen takes the focus in turn (Tab, Shift-Tab) and does its own work with
/// the keys: the catalog acts on the entry picked, the topic pane shows a picked record whole.
/// A key a pane has no use for goes to the input, as typing does.
@Suite struct PaneFocusTests {
    let screens = WorkbenchScreenTests()

    func workbenchWithATail() -> Workbench {
        let workbench = Workbench(engine: Engine())
        screens.type(workbench, "CREATE TABLE clicks (k STRING, n INT) WITH ('connector' = 'datagen');\r")
        var tail = TopicTail(topic: "payment_msg")
        tail.add(TopicPaneTests.records)
        workbench.model.tail = tail
        return workbench
    }

    @Test func tabVisitsThePanesOnScreenAndTheCatalogActsOnItsPick() throws {
        let workbench = workbenchWithATail()
        var visited: [SessionModel.Focus] = []
        for _ in 0..<4 {
            screens.type(workbench, "\t")
            visited.append(workbench.model.focus)
        }
        #expect(visited == [.results, .topic, .catalog, .input])
        // Below 80 columns the catalog is not drawn, and Tab passes it by.
        workbench.model.screenWidth = 70
        screens.type(workbench, "\t\t\t")
        #expect(workbench.model.focus == .input)
        workbench.model.screenWidth = 100
        screens.type(workbench, "\u{1b}[Z") // Shift-Tab goes back
        #expect(workbench.model.focus == .catalog)

        screens.type(workbench, "\u{1b}[B") // Down picks the first entry: the table
        #expect(workbench.model.catalogPick == .table("clicks"))
        try screens.expectScreen(workbench, "catalog-pick-100x30", width: 100, height: 30)
        screens.type(workbench, "\r") // Enter describes it
        #expect(workbench.model.results.rowsText.map { $0.prefix(2) } == [["k", "STRING"], ["n", "INT"]])
        #expect(workbench.model.focus == .catalog)
        screens.type(workbench, "\u{1b}") // Esc drops the pick, the focus stays
        #expect(workbench.model.catalogPick == nil && workbench.model.focus == .catalog)
        screens.type(workbench, "s") // a key the catalog has no use for: the input takes it
        #expect(workbench.model.focus == .input && workbench.model.editor.text == "s")
        #expect(CatalogPane.Entry.quoted("my table") == "`my table`" && CatalogPane.Entry.quoted("t_1") == "t_1")
    }

    @Test func theTopicPanePicksARecordAndShowsItWhole() throws {
        let workbench = workbenchWithATail()
        screens.type(workbench, "\t\t")
        #expect(workbench.model.focus == .topic)
        screens.type(workbench, "\u{1b}[A\u{1b}[A") // Up twice: the record before the newest
        let picked = try #require(workbench.model.tail?.selected)
        let records = TopicPaneTests.records
        #expect(picked == RecordPosition(partition: records[4].partition, offset: records[4].offset))
        try screens.expectScreen(workbench, "topic-pick-100x30", width: 100, height: 30)
        screens.type(workbench, "\r")
        #expect(workbench.model.overlays.last == .record(picked))
        try screens.expectScreen(workbench, "topic-record-100x30", width: 100, height: 30)
        screens.type(workbench, "\u{1b}") // Esc closes the record, then drops the pick
        #expect(workbench.model.overlays.isEmpty && workbench.model.tail?.selected == picked)
        screens.type(workbench, "\u{1b}")
        #expect(workbench.model.tail?.selected == nil && workbench.model.focus == .topic)
        // p pauses the tail through \pause, which needs the broker this workbench has not.
        screens.type(workbench, "p")
        #expect(workbench.model.messages.last?.contains("\\pause needs a broker") == true)
    }

    @Test func theTopicPaneShowsFieldsAsColumnsSearchesAndCountsWhatItLetGo() throws {
        let workbench = workbenchWithATail()
        screens.type(workbench, "\t\tc")
        #expect(workbench.model.tail?.columns == true)
        let text = WorkbenchView.render(workbench.model, width: 100, height: 30).grid.text
        #expect(text.contains("p  offset  time          key  province  payAmount"), "\(text)")
        #expect(text.contains("0  0       00:00:00.000  k0   北京      0"), "\(text)")
        #expect(text.contains("1  2       00:00:07.500       hangzhou  12500"), "\(text)")
        try screens.expectScreen(workbench, "topic-columns-100x30", width: 100, height: 30)
        screens.type(workbench, "/") // a search is a filter typed in the input
        #expect(workbench.model.focus == .input && workbench.model.editor.text == "\\filter ")
        screens.type(workbench, "payAmount > 5000\r")
        #expect(workbench.model.tail?.shown.count == 3)

        var long = TopicTail(topic: "busy")
        long.add(
            (0..<12_001).map { TailEntry(partition: 0, offset: Int64($0), timestamp: 0, key: nil, value: "{}") })
        #expect(long.entries.count == 10_000 && long.dropped == 2_001)
        workbench.model.tail = long
        let title = WorkbenchView.render(workbench.model, width: 100, height: 30).grid.text
        #expect(title.contains("the oldest 2,001 not kept"), "\(title)")
    }

    /// On a small screen with the timeline open there is no room for the tail: the results' title says
    /// so, and Tab to the topic shows it in the results' place.
    @Test func aTailWithoutRoomSaysWhereItWent() throws {
        let workbench = workbenchWithATail()
        workbench.model.timeline.visible = true
        workbench.model.timeline.snapshot = TimelineSnapshot()
        workbench.model.screenWidth = 80
        let small = WorkbenchView.render(workbench.model, width: 80, height: 18).grid.text
        #expect(small.contains("topic payment_msg hidden: Tab to it"), "\(small)")
        screens.type(workbench, "\t\t\t") // results, timeline, topic
        #expect(workbench.model.focus == .topic)
        let shown = WorkbenchView.render(workbench.model, width: 80, height: 18).grid.text
        #expect(shown.contains("Topic payment_msg") && shown.contains("│p1 2 00:00:07.500"), "\(shown)")
    }

    @Test func aRecordShownWholeListsItsHeaders() {
        let workbench = Workbench(engine: Engine())
        var tail = TopicTail(topic: "traced")
        tail.add([
            TailEntry(
                partition: 0, offset: 7, timestamp: 1_704_067_200_000, key: "k", value: #"{"a": 1}"#,
                headers: [("trace-id", "abc123"), ("empty", nil)])
        ])
        workbench.model.tail = tail
        screens.type(workbench, "\t\t\u{1b}[A\r")
        let text = WorkbenchView.render(workbench.model, width: 100, height: 30).grid.text
        #expect(text.contains("header trace-id: abc123") && text.contains("header empty: (no value)"), "\(text)")
        #expect(text.contains("\"a\": 1"))
    }

    /// The catalog shows how fast each topic grows, as a sparkline of its newest rates.
    @Test func theCatalogDrawsEachTopicsRate() {
        var model = SessionModel()
        let start = ContinuousClock.now
        for (seconds, count) in [(0, 100), (2, 140), (4, 200)] as [(Int, Int64)] {
            let topics = [TopicSummary(name: "payment_msg", partitions: 3, messages: count)]
            model.noteRates(topics, at: start + .seconds(seconds))
            model.topics = topics
        }
        #expect(model.topicRates["payment_msg"] == [20, 30])
        let text = WorkbenchView.render(model, width: 100, height: 30).grid.text
        #expect(text.contains("payment_msg 3p 200") && text.contains("▆█ 30/s"), "\(text)")
    }

    /// A click focuses the pane under it (where the last frame drew it).
    @Test func aClickFocusesThePaneUnderIt() throws {
        let workbench = workbenchWithATail()
        let frame = WorkbenchView.render(workbench.model, width: 100, height: 30)
        workbench.model.paneAreas = frame.panes
        #expect(Set(frame.panes.map(\.focus)) == [.results, .topic, .catalog, .input])
        for focus in [SessionModel.Focus.catalog, .topic, .results, .input] {
            let area = try #require(frame.panes.first { $0.focus == focus }?.area)
            workbench.handle(.click(x: area.x + area.width / 2, y: area.y + area.height / 2))
            #expect(workbench.model.focus == focus)
        }
        workbench.handle(.click(x: 0, y: 29)) // the status bar: no pane, the focus stays
        #expect(workbench.model.focus == .input)
    }
}
