import Foundation
import StreamSQL
import TerminalKit
import Testing

@testable import Workbench

/// The input pane's editor: GNU readline's keys, with Enter, Up and Down as the workbench
/// has them, and several editors in one process keeping their own lines.
@Suite struct InputEditorTests {
    @Test func lineEditing() {
        // Undo and a search in progress are not parked: other tests' editors wait.
        Readline.holding(editLines)
    }

    func editLines() {
        let editor = InputEditor()
        for key in KeyDecoder.keys("select one two") { editor.handle(key) }
        editor.handle(.control("w"))
        #expect(editor.text == "select one ")
        editor.handle(.control("a"))
        editor.handle(.control("k"))
        #expect(editor.isEmpty)
        editor.handle(.control("y"))
        #expect(editor.text == "select one ")
        editor.newline()
        editor.insert("FROM t;")
        #expect(editor.isComplete)
        #expect(editor.take() == "select one \nFROM t;")
        editor.insert("draft")
        editor.handle(.up)
        #expect(editor.text == "select one \nFROM t;")
        editor.handle(.down)
        editor.handle(.down)
        #expect(editor.text == "draft")
        // Readline's own keys: Meta-b a word back, Ctrl-_ undoes, Ctrl-R searches the history.
        for key in KeyDecoder.keys("\u{1B}bnew \u{17}") { editor.handle(key) }
        #expect(editor.text == "draft")
        editor.handle(.character("\u{1F}"))
        #expect(editor.text == "new draft")
        for key in KeyDecoder.keys("\u{12}FROM") { editor.handle(key) }
        #expect(editor.isAsking && editor.snapshot.prompt == "(reverse-i-search)`FROM': ")
        editor.endSearch()
        #expect(!editor.isAsking && editor.text == "select one \nFROM t;")
    }

    @Test func upAndDownMoveBetweenTheStatementsLines() {
        let editor = InputEditor(history: ["SELECT 1;"])
        editor.insert("SELECT a,\n  bé\nFROM t")
        editor.handle(.up)
        #expect(editor.snapshot.row == 1 && editor.snapshot.column == 4)
        editor.handle(.up)
        #expect(editor.snapshot.row == 0 && editor.snapshot.column == 4)
        editor.handle(.up)
        #expect(editor.text == "SELECT 1;", "from the first line, Up is the history")
        editor.handle(.down)
        #expect(editor.text == "SELECT a,\n  bé\nFROM t")
    }

    @Test func ctrlRInTheWorkbenchFindsAStatementAndEnterRunsIt() {
        let workbench = Workbench(engine: Engine())
        // A search in progress is not parked: other tests' editors wait.
        Readline.holding {
            for key in KeyDecoder.keys("SELECT 7 AS seven;\rSELECT 8 AS eight;\r") { workbench.handle(key) }
            workbench.settle()
            for key in KeyDecoder.keys("\u{12}seven") { workbench.handle(key) }
            let screen = WorkbenchView.render(workbench.model, width: 80, height: 24).grid.text
            #expect(screen.contains("(reverse-i-search)`seven'"), "the search shows in the input's title")
            workbench.handle(.enter)
            workbench.settle()
            #expect(workbench.model.results.rowsText == [["7"]])
            #expect(workbench.model.editor.isEmpty)
            // Ctrl-C drops a search and its line.
            for key in KeyDecoder.keys("\u{12}eight") { workbench.handle(key) }
            workbench.handle(.control("c"))
            #expect(!workbench.model.editor.isAsking && workbench.model.editor.isEmpty)
        }
    }

    @Test func lineKeysKeepToTheCursorsLineInAStatementOfSeveral() {
        // The kill ring is readline's, one for the process: other tests' editors wait.
        Readline.holding(editWithinLines)
    }

    func editWithinLines() {
        let editor = InputEditor()
        editor.insert("SELECT a,\n  b\nFROM t")
        editor.handle(.up)
        editor.handle(.control("e"))
        editor.insert(" AS c")
        #expect(editor.text == "SELECT a,\n  b AS c\nFROM t")
        editor.handle(.home)
        editor.handle(.control("k"))
        #expect(editor.text == "SELECT a,\n\nFROM t")
        editor.handle(.control("y"))
        #expect(editor.text == "SELECT a,\n  b AS c\nFROM t", "what Ctrl-K killed is in readline's kill ring")
        editor.handle(.control("u"))
        #expect(editor.text == "SELECT a,\n\nFROM t")
        // In one line, they are readline's own.
        let single = InputEditor()
        single.insert("SELECT 1")
        single.handle(.control("a"))
        single.handle(.control("k"))
        #expect(single.isEmpty)
    }

    @Test func charactersOfSeveralBytesAreWholeCharacters() {
        let editor = InputEditor()
        for key in KeyDecoder.keys("'北京é'") { editor.handle(key) }
        for key in [Key.left, .backspace, .left, .control("d")] { editor.handle(key) }
        #expect(editor.text == "'北'")
        #expect(editor.snapshot.cursor == 2)
    }

    @Test func editorsOnSeveralThreadsKeepTheirOwnLines() async {
        // Readline is one per process: each editor parks its line when another takes it.
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<4 {
                group.addTask {
                    let editor = InputEditor(history: ["SELECT \(index);"])
                    var expected = ""
                    for round in 0..<200 {
                        editor.handle(.character(Character(String(round % 10))))
                        expected += String(round % 10)
                        if round % 50 == 49 {
                            editor.handle(.up)
                            guard editor.text == "SELECT \(index);" else { return false }
                            editor.handle(.down)
                        }
                        guard editor.text == expected else { return false }
                    }
                    return editor.take() == expected && editor.history == ["SELECT \(index);", expected]
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results == [true, true, true, true])
    }
}
