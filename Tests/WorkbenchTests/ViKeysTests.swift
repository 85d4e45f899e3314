import Foundation
import StreamSQL
import TerminalKit
import Testing

@testable import Workbench

/// vi keys in the input: readline's vi mode (the init file's `set editing-mode vi` is
/// checked under tmux, WorkbenchTmuxTests).
@Suite struct ViKeysTests {
    func editor(_ text: String, keys: String) -> InputEditor {
        let editor = InputEditor()
        // An operator waiting for its motion and the undo list are not parked: other
        // tests' editors wait.
        Readline.holding {
            editor.viKeys = true
            editor.insert(text)
            for key in KeyDecoder.keys(keys) { editor.handle(key) }
        }
        return editor
    }

    @Test func motionsAndEdits() {
        // Esc, back to the start, a word on, delete a word: the cursor on what follows.
        #expect(editor("SELECT amount FROM t", keys: "\u{1b}0wdw").text == "SELECT FROM t")
        #expect(editor("SELECT amount FROM t", keys: "\u{1b}0wcwpay\u{1b}").text == "SELECT pay FROM t")
        #expect(
            editor("SELECT amount FROM t", keys: "\u{1b}bD").text == "SELECT amount ",
            "b from a word's start: the word before")
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
        let editor = InputEditor(history: ["SELECT 1;", "SELECT 2;"])
        editor.viKeys = true
        _ = editor.enterViCommandMode()
        editor.handle(.character("k"))
        #expect(editor.text == "SELECT 2;")
        editor.handle(.character("k"))
        #expect(editor.text == "SELECT 1;")
        editor.handle(.character("j"))
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
        #expect(workbench.model.results.rowsText == [["1"]])
        #expect(!workbench.model.editor.viCommandMode, "a new statement starts inserting")
    }

    @Test func escInCommandModeStopsTheRunningQuery() {
        let engine = Engine()
        let workbench = Workbench(engine: engine, viKeys: true)
        for key in KeyDecoder.keys("CREATE TABLE t (k STRING) WITH ('connector' = 'feed', 'format' = 'json');\r") {
            workbench.handle(key)
        }
        workbench.settle()
        _ = engine.feed("t")
        for key in KeyDecoder.keys("SELECT k FROM t;\r\u{1b}") { workbench.handle(key) }
        #expect(workbench.model.editor.viCommandMode && workbench.model.running, "the first Esc: command mode")
        workbench.handle(.escape)
        workbench.settle()
        #expect(!workbench.model.running, "the second stops the query")
    }
}
