import Foundation
import StreamSQL
import TerminalKit
import Testing
@testable import Workbench

/// vi keys in the input, as readline's vi mode has them, and `set editing-mode vi` read
/// from inputrc.
@Suite struct ViKeysTests {
    func editor(_ text: String, keys: String) -> LineEditor {
        var editor = LineEditor()
        editor.viKeys = true
        editor.insert(text)
        for key in KeyDecoder.keys(keys) {
            if key == .escape { _ = editor.enterViCommandMode() } else { _ = editor.handle(key) }
        }
        return editor
    }

    @Test func motionsAndEdits() {
        // Esc, back to the start, a word on, delete a word: the cursor on what follows.
        #expect(editor("SELECT amount FROM t", keys: "\u{1b}0wdw").text == "SELECT FROM t")
        #expect(editor("SELECT amount FROM t", keys: "\u{1b}0wcwpay\u{1b}").text == "SELECT pay FROM t")
        #expect(editor("SELECT amount FROM t", keys: "\u{1b}bD").text == "SELECT amount ", "b from a word's start: the word before")
        #expect(editor("SELECT amount FROM t", keys: "\u{1b}ddiSHOW TABLES;").text == "SHOW TABLES;")
        #expect(editor("abc", keys: "\u{1b}xxu").text == "ab", "u undoes the last change")
        #expect(editor("abc", keys: "\u{1b}0xp").text == "bac", "p puts what x took after the cursor")
        #expect(editor("abc", keys: "\u{1b}0A;").text == "abc;")
        #expect(editor("abc", keys: "\u{1b}0Ix").text == "xabc")
        #expect(editor("one two three", keys: "\u{1b}0eaX").text == "oneX two three")
        #expect(editor("one two", keys: "\u{1b}$bcbX").text == "Xtwo", "cb changes back to the word before's start")
        // Letters in command mode never type.
        #expect(editor("abc", keys: "\u{1b}zqv").text == "abc")
        #expect(editor("abc", keys: "\u{1b}").viCommandMode)
    }

    @Test func historyWithKAndJ() {
        var editor = LineEditor(history: ["SELECT 1;", "SELECT 2;"])
        editor.viKeys = true
        _ = editor.enterViCommandMode()
        _ = editor.handle(.character("k"))
        #expect(editor.text == "SELECT 2;")
        _ = editor.handle(.character("k"))
        #expect(editor.text == "SELECT 1;")
        _ = editor.handle(.character("j"))
        #expect(editor.text == "SELECT 2;")
    }

    @Test func inTheWorkbenchEscIsCommandModeThenStop() {
        let workbench = Workbench(engine: Engine(), viKeys: true)
        for key in KeyDecoder.keys("SELECT 1 AS one\u{1b}") { workbench.handle(key) }
        #expect(workbench.model.editor.viCommandMode)
        let title = WorkbenchView.render(workbench.model, width: 80, height: 24).grid.text
        #expect(title.contains("SQL [vi command]"))
        for key in KeyDecoder.keys("A;\r") { workbench.handle(key) }
        workbench.settle()
        #expect(workbench.model.results.rows.map(\.cells) == [["1"]])
        #expect(!workbench.model.editor.viCommandMode, "a new statement starts inserting")
    }

    @Test func escInCommandModeStopsTheRunningQuery() {
        let engine = Engine()
        let workbench = Workbench(engine: engine, viKeys: true)
        for key in KeyDecoder.keys("CREATE TABLE t (k STRING) WITH ('connector' = 'feed', 'format' = 'json');\r") { workbench.handle(key) }
        workbench.settle()
        _ = engine.feed("t")
        for key in KeyDecoder.keys("SELECT k FROM t;\r\u{1b}") { workbench.handle(key) }
        #expect(workbench.model.editor.viCommandMode && workbench.model.running, "the first Esc: command mode")
        workbench.handle(.escape)
        workbench.settle()
        #expect(!workbench.model.running, "the second stops the query")
    }

    @Test func inputrcChoosesTheKeys() throws {
        #expect(InputRC.editingMode(in: "# mine\nset bell-style none\nset editing-mode vi\n") == "vi")
        #expect(InputRC.editingMode(in: "set editing-mode vi\nset editing-mode emacs") == "emacs")
        #expect(InputRC.editingMode(in: "") == nil)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("inputrc-\(UUID().uuidString)").path
        try "set editing-mode vi\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(InputRC.wantsViKeys(environment: ["INPUTRC": path]))
        #expect(!InputRC.wantsViKeys(environment: ["INPUTRC": path + ".missing"]))
    }
}
