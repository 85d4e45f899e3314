import Foundation
import StreamSQL
import TerminalKit
import Testing
@testable import Workbench

/// The workbench drawn into an in-memory grid while keys are replayed, compared with golden
/// screens as text (Golden/*.txt). `WEIR_GOLDEN_RECORD=1` rewrites them: read the diff.
@Suite struct WorkbenchScreenTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    func expectScreen(_ workbench: Workbench, _ name: String, width: Int = 80, height: Int = 24, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let text = WorkbenchView.render(workbench.model, width: width, height: height).grid.text + "\n"
        let path = Self.golden.appendingPathComponent(name + ".txt")
        if ProcessInfo.processInfo.environment["WEIR_GOLDEN_RECORD"] == "1" {
            try text.write(to: path, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: path, encoding: .utf8)
        #expect(text == expected, "screen \(name) differs:\n\(text)", sourceLocation: sourceLocation)
    }

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
        #expect(workbench.model.results.table.map(\.cells) == [["a", "1"], ["b", "2"]])
        feed.record(#"{"k":"a","v":3}"#)
        feed.end()
        workbench.settle()
        #expect(workbench.model.results.view == .table)
        #expect(workbench.model.results.table.map(\.cells) == [["a", "4"], ["b", "2"]])
        #expect(workbench.model.results.table[0].changed == [1], "the updated cell is marked")
        try expectScreen(workbench, "changelog-table-80x24")
        type(workbench, "\u{1b}OQ") // F2: the changes themselves
        #expect(workbench.model.results.view == .changelog)
        try expectScreen(workbench, "changelog-changes-80x24")
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

@Suite struct TerminalKitTests {
    @Test func keysFromBytes() {
        #expect(KeyDecoder.keys("a\r\u{7f}\u{1b}[A\u{1b}[B\u{1b}[5~\u{1b}[3~\u{1b}OP\u{01}\t\u{1b}") ==
                [.character("a"), .enter, .backspace, .up, .down, .pageUp, .delete, .function(1), .control("a"), .tab, .escape])
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

    @Test func lineEditing() {
        var editor = LineEditor()
        for key in KeyDecoder.keys("select one two") { _ = editor.handle(key) }
        _ = editor.handle(.control("w"))
        #expect(editor.text == "select one ")
        _ = editor.handle(.control("a"))
        _ = editor.handle(.control("k"))
        #expect(editor.isEmpty)
        _ = editor.handle(.control("y"))
        #expect(editor.text == "select one ")
        editor.newline()
        editor.insert("FROM t;")
        #expect(editor.isComplete)
        #expect(editor.take() == "select one \nFROM t;")
        editor.insert("draft")
        _ = editor.handle(.up)
        #expect(editor.text == "select one \nFROM t;")
        _ = editor.handle(.down)
        _ = editor.handle(.down)
        #expect(editor.text == "draft")
        #expect(editor.search("from") == "select one \nFROM t;")
    }
}
