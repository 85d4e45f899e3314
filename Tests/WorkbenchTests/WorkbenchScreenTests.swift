import Foundation
import SQLRuntime
import SQLSyntax
import SQLValues
import StreamSQL
import TerminalKit
import Testing

@testable import Workbench

/// The workbench drawn into an in-memory grid while keys are replayed, compared with golden
/// screens (Golden/*.txt: the text, then a letter per cell for its style, and the letters'
/// legend). `WEIR_GOLDEN_RECORD=1` rewrites them: read the diff.
@Suite struct WorkbenchScreenTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    func expectScreen(
        _ workbench: Workbench, _ name: String, width: Int = 80, height: Int = 24,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let text = Self.golden(WorkbenchView.render(workbench.model, width: width, height: height).grid)
        let path = Self.golden.appendingPathComponent(name + ".txt")
        if ProcessInfo.processInfo.environment["WEIR_GOLDEN_RECORD"] == "1" {
            try text.write(to: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: path, encoding: .utf8)
        #expect(text == expected, "screen \(name) differs:\n\(text)", sourceLocation: sourceLocation)
    }

    /// A golden screen: its text, then its styles (a letter per cell, and a legend).
    static func golden(_ grid: CellGrid) -> String { grid.text + "\n--- styles\n" + grid.styleText + "\n" }

    func type(_ workbench: Workbench, _ text: String) {
        for key in KeyDecoder.keys(text) { workbench.handle(key) }
        workbench.settle()
    }

    @Test func firstScreenAndHelpAt80x24() throws {
        let workbench = Workbench(engine: Engine())
        try expectScreen(workbench, "first-80x24")
        type(workbench, "\u{1b}OP") // F1
        try expectScreen(workbench, "help-80x24")
        type(workbench, "\u{1b}")
        #expect(!workbench.model.helpVisible)
    }

    /// Commands are one table; the help lists each of them, and each needing a broker says so
    /// in a workbench without one.
    @Test func everyCommandIsInTheHelpAndThoseNeedingABrokerSaySo() throws {
        let help = WorkbenchView.helpLines.joined(separator: "\n")
        for command in Workbench.commands {
            #expect(help.contains("\\" + command.names[0]), "\\help does not list \\\(command.names[0])")
        }
        let workbench = Workbench(engine: Engine())
        for command in Workbench.commands where command.needsBroker {
            workbench.model.messages = []
            for key in KeyDecoder.keys("\\\(command.names[0])\r") { workbench.handle(key) }
            workbench.drainInbox()
            #expect(
                workbench.model.messages.contains { $0.contains("needs a broker") },
                "\\\(command.names[0]): \(workbench.model.messages)")
        }
        workbench.model.messages = []
        for key in KeyDecoder.keys("\\nonsense\r") { workbench.handle(key) }
        #expect(workbench.model.messages.contains { $0.contains("unknown command \\nonsense") })
    }

    /// Boxes over the panes stack: the top one takes keys first; `\\why`'s lets typing through,
    /// the help takes every key; Esc closes the top one only.
    @Test func overlaysStackAndTakeKeysTopFirst() {
        let workbench = Workbench(engine: Engine())
        workbench.model.show(.why(["split 0 has had no record"]))
        type(workbench, "SEL")
        #expect(workbench.model.editor.lines == ["SEL"], "typing goes past the explanation")
        type(workbench, "\u{1b}OP") // F1
        #expect(workbench.model.overlays.map(\.kind) == [.why, .help])
        type(workbench, "q")
        #expect(workbench.model.editor.lines == ["SEL"], "the help takes every key: \(workbench.model.editor.lines)")
        #expect(workbench.model.overlays.map(\.kind) == [.why])
        type(workbench, "\u{1b}")
        #expect(workbench.model.overlays.isEmpty && workbench.model.why == nil)
    }

    @Test func aQueryWithWideCharactersKeepsColumnsAligned() throws {
        let workbench = Workbench(engine: Engine())
        type(workbench, "SELECT city, n FROM (VALUES ('北京', 1), ('hangzhou', 22), ('上海市', 333)) AS t(city, n);\r")
        #expect(workbench.model.results.rows.count == 3)
        try expectScreen(workbench, "wide-values-100x30", width: 100, height: 30)
        try expectScreen(workbench, "wide-values-80x24")
    }

    @Test func aChangelogIsATableUpdatedInPlaceOrTheListOfChanges() throws {
        let engine = Engine()
        let workbench = Workbench(engine: engine)
        type(workbench, "CREATE TABLE t (k STRING, v INT) WITH ('connector' = 'feed', 'format' = 'json');\r")
        let feed = engine.feed("t")
        for key in KeyDecoder.keys("SELECT k, SUM(v) AS total FROM t GROUP BY k;\r") { workbench.handle(key) }
        feed.record(#"{"k":"a","v":1}"#)
        feed.record(#"{"k":"b","v":2}"#)
        feed.drain() // the query has written what these rows gave
        workbench.drainInbox()
        #expect(workbench.model.results.tableText == [["a", "1"], ["b", "2"]])
        feed.record(#"{"k":"a","v":3}"#)
        feed.end()
        workbench.settle()
        #expect(workbench.model.results.view == .table)
        #expect(workbench.model.results.tableText == [["a", "4"], ["b", "2"]])
        #expect(workbench.model.results.table[0].changed == [1], "the updated cell is marked")
        try expectScreen(workbench, "changelog-table-80x24")
        type(workbench, "\u{1b}OQ") // F2: the changes themselves
        #expect(workbench.model.results.view == .changelog)
        try expectScreen(workbench, "changelog-changes-80x24")
    }

    @Test func typedSQLIsColouredAndAPasteOfTenThousandLinesGoesThrough() throws {
        let spans = SQLColours.spans("SELECT 'it''s', 42 FROM t -- note")
        #expect(spans.first { $0.0 == "SELECT" }?.1 == SQLColours.keyword)
        #expect(spans.first { $0.0 == "'it''s'" }?.1 == SQLColours.string)
        #expect(spans.first { $0.0 == "42" }?.1 == SQLColours.number)
        #expect(spans.last?.0 == "-- note" && spans.last?.1 == SQLColours.comment)
        #expect(spans.first { $0.0 == "t" }?.1 == .plain)
        let workbench = Workbench(engine: Engine())
        let paste = (0..<10_000).map { "-- line \($0)" }.joined(separator: "\n")
        for key in KeyDecoder.keys(paste) { workbench.handle(key) }
        #expect(workbench.model.editor.lines.count == 10_000)
        let screen = WorkbenchView.render(workbench.model, width: 80, height: 24).grid.text
        #expect(screen.contains("-- line 9999"), "the cursor's line stays in view")
    }

    /// `\why` explains a stalled window: a split with no record, then how far the next window is, then late rows.
    @Test func whyExplainsWhatHoldsAWindowBack() throws {
        let engine = Engine()
        let workbench = Workbench(engine: engine)
        type(
            workbench,
            "CREATE TABLE clicks (k STRING, ts STRING, rt AS TO_TIMESTAMP(ts), WATERMARK FOR rt AS rt) WITH ('connector' = 'feed', 'format' = 'json', 'splits' = '2');\r"
        )
        let feed = engine.feed("clicks")
        for key in KeyDecoder.keys("SELECT k, COUNT(*) FROM clicks GROUP BY TUMBLE(rt, INTERVAL '5' SECOND), k;\r") {
            workbench.handle(key)
        }
        feed.record(#"{"k":"a","ts":"2024-01-01 00:00:01"}"#, split: 0)
        feed.record(#"{"k":"a","ts":"2024-01-01 00:00:09"}"#, split: 0)
        feed.drain()
        func why() -> String {
            let before = workbench.model.messages.count
            // A command: answered at once, while the query runs.
            for key in KeyDecoder.keys("\\why\r") { workbench.handle(key) }
            return workbench.model.messages[before...].joined(separator: "\n")
        }
        let stalled = why()
        #expect(stalled.contains("There is no watermark yet"), "\(stalled)")
        #expect(stalled.contains("split 1 has had no record: it holds the watermark back"), "\(stalled)")
        #expect(stalled.contains("scan.watermark.idle-timeout"), "\(stalled)")

        feed.idle(split: 1)
        feed.record(#"{"k":"b","ts":"2024-01-01 00:00:02"}"#, split: 0) // its window fired at 9 s: late
        feed.drain()
        let moving = why()
        #expect(moving.contains("The watermark is at 00:00:09.000 UTC"), "\(moving)")
        #expect(moving.contains("Idle, not counted: split 1."), "\(moving)")
        #expect(
            moving.contains(
                "The next window ends at 00:00:10.000 UTC: it fires when the watermark reaches 00:00:09.999 UTC, 0.999 s of event time from now."
            ), "\(moving)")
        #expect(moving.contains("1 row was late"), "\(moving)")
        feed.end()
        workbench.settle()
        #expect(why().contains("nothing is running"))
    }

    @Test func tabCompletesKeywordsTablesAndColumns() throws {
        let workbench = Workbench(engine: Engine())
        type(workbench, "CREATE TABLE payment_msg (provinceId INT, payAmount DOUBLE) WITH ('connector' = 'datagen');\r")
        type(workbench, "sel\t")
        #expect(workbench.model.editor.text == "select ")
        type(workbench, "provinceI\tFROM paym\t")
        #expect(workbench.model.editor.text == "select provinceId FROM payment_msg ")
        type(workbench, "WHERE pay\t")
        #expect(workbench.model.editor.text.hasSuffix("WHERE pay"), "payAmount and payment_msg share only 'pay'")
        #expect(workbench.model.messages.last?.contains("payAmount") == true)
    }

    @Test func aRowPickedOnTheResultsIsShownWhole() throws {
        let workbench = Workbench(engine: Engine())
        let long = String(repeating: "a long value that does not fit ", count: 4)
        type(workbench, "SELECT k, v FROM (VALUES ('one', 'short'), ('two', '\(long)')) AS t(k, v);\r")
        type(workbench, "\t\u{1b}[A\r") // Tab to the results, Up picks the newest row, Enter shows it
        #expect(workbench.model.results.selected == 1 && workbench.model.detailVisible)
        try expectScreen(workbench, "detail-80x24")
        type(workbench, "\u{1b}")
        #expect(!workbench.model.detailVisible)
    }

    @Test func errorsShowTheirCaretAndTheInputStays() throws {
        let workbench = Workbench(engine: Engine())
        type(workbench, "SELECT amount\rFROM nowhere;\r")
        #expect(workbench.model.messages.contains { $0.contains("unknown table nowhere") })
        #expect(workbench.model.messages.contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("^") })
        try expectScreen(workbench, "error-80x24")
        // The statement is in the history: Up brings it back.
        type(workbench, "\u{1b}[A")
        #expect(workbench.model.editor.text == "SELECT amount\nFROM nowhere;")
    }
}

@Suite struct TopicPaneTests {
    static let records: [TailEntry] = (0..<6).map { (index: Int) -> TailEntry in
        let province: String = ["北京", "shanghai", "hangzhou"][index % 3]
        let value: String = "{\"province\": \"" + province + "\", \"payAmount\": " + String(index * 2500) + "}"
        let timestamp: Int64 = 1_704_067_200_000 + Int64(index) * 1500
        return TailEntry(
            partition: Int32(index % 2), offset: Int64(index / 2), timestamp: timestamp, key: index == 0 ? "k0" : nil,
            value: value)
    }

    @Test func filtersBySubstringOrField() {
        #expect(Self.records.filter { TailFilter("payAmount > 5000").matches($0) }.count == 3)
        #expect(Self.records.filter { TailFilter("payAmount <= 2500").matches($0) }.count == 2)
        #expect(Self.records.filter { TailFilter("province = 北京").matches($0) }.count == 2)
        #expect(Self.records.filter { TailFilter("SHANGHAI").matches($0) }.count == 2)
        #expect(TailFilter("payAmount > 5000") == .field(name: "payAmount", operation: ">", value: "5000"))
    }

    @Test func thePaneBesideTheResults() throws {
        var model = SessionModel()
        var pane = TopicTail(topic: "payment_msg")
        pane.add(Self.records)
        pane.filter = TailFilter("payAmount >= 5000")
        model.tail = pane
        let text = WorkbenchScreenTests.golden(WorkbenchView.render(model, width: 100, height: 30).grid)
        let path = WorkbenchScreenTests.golden.appendingPathComponent("topic-pane-100x30.txt")
        if ProcessInfo.processInfo.environment["WEIR_GOLDEN_RECORD"] == "1" {
            try text.write(to: path, atomically: true, encoding: .utf8)
        } else {
            #expect(text == (try String(contentsOf: path, encoding: .utf8)), "\(text)")
        }
        model.tail?.pretty = true
        let pretty = WorkbenchView.render(model, width: 100, height: 30).grid.text
        #expect(pretty.contains("  \"payAmount\": 12500"), "\(pretty)")
        #expect(
            JSONColours.pretty(#"{"a":{"b":[1,2]},"s":"x, {y}"}"#) == [
                "{", "  \"a\": {", "    \"b\": [", "      1,", "      2", "    ]", "  },", "  \"s\": \"x, {y}\"", "}",
            ])
        let spans = JSONColours.spans(#"{"a": "x", "n": -1.5, "ok": true}"#)
        #expect(spans.first { $0.0 == "\"a\"" }?.1 == JSONColours.name)
        #expect(spans.first { $0.0 == "\"x\"" }?.1 == JSONColours.string)
        #expect(spans.first { $0.0 == "-1.5" }?.1 == JSONColours.number)
        #expect(spans.first { $0.0 == "true" }?.1 == JSONColours.literal)
    }
}

/// `\infer`: a table from sampled JSON records, which then runs.
@Suite struct TableInferenceTests {
    @Test func theSeedsRecordsGiveTablesThatRun() throws {
        let payments = [
            #"{"createTime": "2024-01-01 00:00:01", "orderId": 1, "payAmount": 27860.12, "payPlatform": 0, "provinceId": 3}"#,
            #"{"createTime": "2024-01-01 00:00:02", "orderId": 2, "payAmount": 100, "payPlatform": 1, "provinceId": 6}"#,
        ]
        let ddl = try #require(TableInference.createTable(topic: "payment_msg", samples: payments))
        #expect(
            ddl == """
                CREATE TABLE payment_msg (
                  createTime STRING,
                  rt AS TO_TIMESTAMP(createTime),
                  orderId BIGINT,
                  payAmount DOUBLE,
                  payPlatform BIGINT,
                  provinceId BIGINT,
                  WATERMARK FOR rt AS rt - INTERVAL '2' SECOND
                ) WITH ('connector' = 'kafka', 'topic' = 'payment_msg', 'format' = 'json',
                  'scan.startup.mode' = 'earliest-offset');
                """)
        let events = [
            #"{"a": "a", "b": 1, "c": 1, "time": "2013-01-01T00:14:13Z"}"#,
            #"{"a": "b", "b": 2, "c": 2, "time": "2013-01-01T00:24:13Z", "ok": true}"#,
        ]
        let userDDL = try #require(TableInference.createTable(topic: "user", samples: events))
        #expect(
            userDDL.contains("`time` TIMESTAMP_LTZ(3)")
                && userDDL.contains("WATERMARK FOR `time` AS `time` - INTERVAL '2' SECOND"), "\(userDDL)")
        #expect(userDDL.contains("ok BOOLEAN"), "\(userDDL)")
        let clicks = [#"{"user": "u1", "ts": 1700000000123, "tags": ["x"]}"#]
        let clickDDL = try #require(TableInference.createTable(topic: "clicks", samples: clicks))
        #expect(
            clickDDL.contains("`user` STRING") && clickDDL.contains("rt AS TO_TIMESTAMP_LTZ(ts, 3)")
                && clickDDL.contains("tags STRING"), "\(clickDDL)")
        #expect(TableInference.createTable(topic: "raw", samples: ["plain text"]) == nil)
        // Each DDL is accepted by the engine as it is.
        let engine = Engine()
        for statement in [ddl, userDDL, clickDDL] {
            do throws(SQLError) {
                try engine.execute(script: statement, writer: Silent())
            } catch {
                Issue.record("\(error.rendered(in: statement))")
            }
        }
    }

    final class Silent: ResultWriter {
        func begin(columns: [Column], changelog: Bool) {}
        func rows(_ rows: [Row], kinds: [RowKind]?) {}
        func end(statistics: [String: Int64]) {}
        func message(_ text: String) {}
    }
}

@Suite struct TerminalKitTests {
    @Test func keysFromBytes() {
        #expect(
            KeyDecoder.keys("a\r\u{7f}\u{1b}[A\u{1b}[B\u{1b}[5~\u{1b}[3~\u{1b}OP\u{01}\t\u{1b}") == [
                .character("a"), .enter, .backspace, .up, .down, .pageUp, .delete, .function(1), .control("a"), .tab,
                .escape,
            ])
    }

    @Test func wideCharactersTakeTwoCellsAndAreNeverCutInHalf() {
        var grid = CellGrid(width: 6, height: 1)
        let used = grid.put("a北京b", x: 0, y: 0)
        #expect(used == 6 && grid.text == "a北京b")
        var narrow = CellGrid(width: 4, height: 1)
        #expect(narrow.put("a北京", x: 0, y: 0) == 3)
        #expect(narrow.text == "a北")
        #expect(DisplayWidth.truncate("上海市hangzhou", to: 7) == "上海市…")
    }

    @Test func onlyChangedCellsAreRedrawn() {
        var first = CellGrid(width: 10, height: 2)
        first.put("hello", x: 0, y: 0)
        var second = first
        second.put("J", x: 0, y: 1)
        #expect(second.changes(since: first) == [10])
        #expect(second.changes(since: nil).count == 20)
    }
}
