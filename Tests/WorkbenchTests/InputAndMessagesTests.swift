import Foundation
import SQLRuntime
import StreamSQL
import TerminalKit
import Testing
import WeirTestSupport

@testable import Workbench

/// What a newcomer types stays in view, and what went wrong stays on screen: a line longer
/// than the input wraps with the cursor following it, a statement of many lines grows the
/// input, an error's message is shown whole beside results, and its carets stay under the
/// characters they point at when the statement's line is wider than the pane.
@Suite struct InputAndMessagesTests {
    let screens = WorkbenchScreenTests()

    static let longStatement =
        "SELECT provinceId, COUNT(*) AS payments, SUM(payAmount) AS total FROM payment_msg WHERE payPlatform = 1 GROUP BY provinceId;"

    @Test func aLineWiderThanTheInputWrapsAndTheCursorFollows() throws {
        let workbench = Workbench(engine: Engine())
        let typed = String(Self.longStatement.dropLast()) // no ';': nothing runs
        screens.type(workbench, typed)
        let frame = WorkbenchView.render(workbench.model, width: 80, height: 24)
        let lines = frame.grid.text.split(separator: "\n").map(String.init)
        // Every character typed is on screen, in order, over the input's rows.
        let inputRows = lines.filter { $0.hasPrefix("│> ") || $0.hasPrefix("│↪ ") }
        let shown = inputRows.map { String($0.dropFirst(3).dropLast()).trimmingCharacters(in: .whitespaces) }
            .joined()
        #expect(shown.replacingOccurrences(of: " ", with: "") == typed.replacingOccurrences(of: " ", with: ""))
        #expect(inputRows.count == 2)
        // The cursor is after the last character, on the second row.
        let cursor = try #require(frame.cursor)
        let row = lines[cursor.y]
        #expect(row.hasPrefix("│↪ "))
        #expect(Array(row)[cursor.x - 1] == "d", "the character before the cursor is the last typed")
        try screens.expectScreen(workbench, "long-input-80x24")
    }

    @Test func aStatementOfManyLinesGrowsTheInput() throws {
        let workbench = Workbench(engine: Engine())
        let statement = (1...8).map { "  column_\($0) INT," }.joined(separator: "\n")
        screens.type(workbench, "CREATE TABLE t (\n" + statement.replacingOccurrences(of: "\n", with: "\n"))
        // Ctrl-J starts new lines; the text above went in with newlines already.
        let text = WorkbenchView.render(workbench.model, width: 80, height: 24).grid.text
        for number in 1...8 {
            #expect(text.contains("column_\(number) INT,"), "line \(number) of 9 is hidden:\n\(text)")
        }
        #expect(text.contains("> CREATE TABLE t ("))
    }

    @Test func anErrorBesideResultsIsShownWholeWithItsCaretInPlace() throws {
        let workbench = Workbench(engine: Engine())
        screens.type(workbench, "SELECT n FROM (VALUES (1), (2), (3)) AS t(n);\r")
        #expect(workbench.model.results.rows.count == 3)
        let create =
            "CREATE TABLE payments (orderId BIGINT, payAmount DOUBLE) WITH ('connector' = 'datagen', 'rows-per-second' = '5', 'number-of-rowz' = '10');"
        screens.type(workbench, create + "\r")
        let text = WorkbenchView.render(workbench.model, width: 80, height: 24).grid.text
        #expect(text.contains("number-of-rowz"), "\(text)")
        #expect(text.contains("did you mean"), "the error's message scrolled away:\n\(text)")
        // The carets sit under the option's name.
        let lines = text.split(separator: "\n").map { Array($0) }
        let caretRow = try #require(lines.firstIndex { String($0).contains("^^^") })
        let column = try #require(lines[caretRow].firstIndex(of: "^"))
        let above = String(lines[caretRow - 1][column...])
        #expect(above.hasPrefix("'number-of-rowz'"), "carets under '\(above)'")
        try screens.expectScreen(workbench, "error-beside-results-80x24")
    }

    @Test func aWindowOfALongLineKeepsTheCaretsUnderTheirCharacters() {
        let line = "  " + String(repeating: "abcdefghij", count: 15) + " target here"
        let start = line.distance(from: line.startIndex, to: line.range(of: "target")!.lowerBound)
        let carets = String(repeating: " ", count: start) + "^^^^^^"
        let (text, moved) = ResultsPane.window(line, carets: carets, width: 60)
        #expect(text.count <= 60 && moved.count <= 60)
        let at = Array(moved).firstIndex(of: "^")!
        #expect(String(Array(text)[at...]).hasPrefix("target"))
        #expect(text.hasPrefix("…"))
    }

    @Test func aPlanIsShownAsItsLines() throws {
        let workbench = Workbench(engine: Engine())
        screens.type(workbench, "CREATE TABLE t (a INT) WITH ('connector' = 'datagen');\r")
        screens.type(workbench, "EXPLAIN SELECT a, COUNT(*) FROM t GROUP BY a;\r")
        let text = WorkbenchView.render(workbench.model, width: 100, height: 30).grid.text
        #expect(text.contains("│GroupAggregate(key a, COUNT(*))"), "\(text)")
        #expect(text.contains("│  Scan(t, datagen) → [a: INT]"), "\(text)")
        try screens.expectScreen(workbench, "explain-100x30", width: 100, height: 30)
    }

    /// Tab completes topic names where a table goes; the error that follows says how to make the table.
    @Test func anUnknownTableThatIsATopicPointsToInfer() throws {
        let workbench = Workbench(engine: Engine())
        workbench.model.topics = [TopicSummary(name: "payment_msg", partitions: 1, messages: 10)]
        screens.type(workbench, "SELECT * FROM payment_msg;\r")
        let error = try #require(workbench.model.messages.first { $0.contains("unknown table") })
        #expect(error.contains("payment_msg is a topic: \\infer payment_msg writes a CREATE TABLE for it"), "\(error)")
        screens.type(workbench, "SELECT * FROM elsewhere;\r")
        #expect(
            workbench.model.messages.last { $0.contains("unknown table elsewhere") }?.contains("is a topic") == false)
    }

    /// Flink writes a DOUBLE of ten million or more as 1.99E7; the table view writes a column's
    /// numbers out in one notation, right-aligned (`-f`, CSV and JSON keep Flink's text).
    @Test func numbersAreAlignedInOneNotation() throws {
        #expect(ResultsPane.plainNumber("1.99E7") == "19900000.0")
        #expect(ResultsPane.plainNumber("-1.5E-5") == "-0.000015")
        #expect(ResultsPane.plainNumber("1.2345678912E9") == "1234567891.2")
        #expect(ResultsPane.plainNumber("12.5") == "12.5" && ResultsPane.plainNumber("1.0E300") == "1.0E300")
        let workbench = Workbench(engine: Engine())
        screens.type(
            workbench, "SELECT x FROM (VALUES (CAST(19900000.0 AS DOUBLE)), (CAST(12.5 AS DOUBLE))) AS t(x);\r")
        #expect(workbench.model.results.rowsText.map(\.first) == ["1.99E7", "12.5"])
        let lines = WorkbenchView.render(workbench.model, width: 80, height: 24).grid.text.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("│19900000.0 ") }, "\(lines.joined(separator: "\n"))")
        #expect(lines.contains { $0.hasPrefix("│      12.5 ") }, "\(lines.joined(separator: "\n"))")
    }

    @Test func countsSayOneOrMany() {
        #expect(statisticText(1, "late rows dropped") == "1 late row dropped")
        #expect(statisticText(3, "late rows dropped") == "3 late rows dropped")
        #expect(statisticText(1, "rows kept by joins") == "1 row kept by joins")
        #expect(ResultsPane.rowCount(ResultsModel()) == "0 rows")
    }

    /// Terminals take F-keys for themselves: each F-key action has a command too, named in the help.
    @Test func everyFunctionKeyHasACommand() {
        let workbench = Workbench(engine: Engine())
        screens.type(workbench, "\\zoom\r")
        #expect(workbench.model.zoomed)
        screens.type(workbench, "\\zoom\r\\input 8\r")
        #expect(!workbench.model.zoomed && workbench.model.inputHeight == 8)
        screens.type(workbench, "\\input 99\r")
        #expect(workbench.model.inputHeight == 8 && workbench.model.messages.last == "\\input ROWS (3 to 20)")
        let help = WorkbenchView.helpLines.joined(separator: "\n")
        for command in ["\\view", "\\zoom", "\\input ROWS", "\\replay pause|resume|step", "\\help", "\\quit"] {
            #expect(help.contains(command), "the help does not name \(command)")
        }
    }

    /// Commands say what they did; a stop is followed by "stopped"; F2 says why it does nothing.
    @Test func commandsConfirmWhatTheyDid() throws {
        let workbench = Workbench(engine: Engine())
        screens.type(workbench, "\\pretty\r")
        #expect(workbench.model.messages.last?.contains("\\tail TOPIC first") == true)
        var tail = TopicTail(topic: "payment_msg")
        tail.add(TopicPaneTests.records)
        workbench.model.tail = tail
        screens.type(workbench, "\\pretty\r")
        #expect(workbench.model.messages.last == "the topic pane indents JSON values")
        screens.type(workbench, "\\filter payAmount > 5000\r")
        #expect(
            workbench.model.messages.last == "the topic pane shows the records where payAmount > 5000: 3 of 6 so far")
        screens.type(workbench, "SELECT s FROM (VALUES ('x')) AS t(s);\r")
        screens.type(workbench, "\u{1b}OQ") // F2
        #expect(workbench.model.messages.last?.hasPrefix("F2: these results only ever append rows") == true)
        screens.type(workbench, "CREATE TABLE g (n INT) WITH ('connector' = 'datagen', 'rows-per-second' = '10');\r")
        for key in KeyDecoder.keys("SELECT n FROM g;\r") { workbench.handle(key) }
        #expect(
            waitUntil {
                _ = workbench.drainInbox()
                return workbench.model.results.rows.count > 0
            })
        workbench.handle(.escape)
        workbench.settle()
        let said = workbench.model.messages.suffix(3)
        #expect(said.contains("stopping…") && said.last == "stopped", "\(said)")
    }

    /// F2 goes on to a chart: a bar per key for a GROUP BY (updated in place), nothing for
    /// results without a number.
    @Test func aGroupByIsChartedAsABarPerKey() throws {
        let workbench = Workbench(engine: Engine())
        screens.type(
            workbench, "SELECT k, SUM(v) AS total FROM (VALUES ('a', 1), ('b', 5), ('a', 3)) AS t(k, v) GROUP BY k;\r")
        #expect(workbench.model.results.view == .table)
        screens.type(workbench, "\u{1b}OQ\u{1b}OQ") // F2 twice: the changes, then the chart
        #expect(workbench.model.results.view == .chart)
        let lines = WorkbenchView.render(workbench.model, width: 80, height: 24).grid.text.split(separator: "\n")
        let a = try #require(lines.first { $0.hasPrefix("│a ") })
        let b = try #require(lines.first { $0.hasPrefix("│b ") })
        // b (5) has the longest bar; a's (4) is four fifths of it.
        let barA = a.filter { $0 == "█" }.count
        let barB = b.filter { $0 == "█" }.count
        #expect(barB > barA && abs(Double(barA) / Double(barB) - 0.8) < 0.05, "\(a)\n\(b)")
        #expect(a.contains(" 4") && b.contains(" 5"))
        try screens.expectScreen(workbench, "chart-bars-80x24")
        screens.type(workbench, "\u{1b}OQ") // and round to the table again
        #expect(workbench.model.results.view == .table)
    }

    /// `\replay` reruns the last query that ran, not one that failed.
    @Test func aFailedQueryIsNotTheOneReplayed() {
        let workbench = Workbench(engine: Engine())
        screens.type(workbench, "SELECT n FROM (VALUES (1)) AS t(n);\r")
        #expect(workbench.model.lastQuery == "SELECT n FROM (VALUES (1)) AS t(n);")
        screens.type(workbench, "SELECT nope FROM nowhere;\r")
        #expect(workbench.model.lastQuery == "SELECT n FROM (VALUES (1)) AS t(n);")
        screens.type(workbench, "CREATE TABLE broken (x INT) WITH ('connector' = 'nothing');\r")
        #expect(workbench.model.lastQuery == "SELECT n FROM (VALUES (1)) AS t(n);")
    }

    /// The message area shows the newest messages; `\\messages` shows them all, scrolling back.
    @Test func everyMessageCanBeScrolledBackTo() {
        let workbench = Workbench(engine: Engine())
        for number in 0..<100 { workbench.model.note("message number \(number)") }
        screens.type(workbench, "\\messages\r")
        #expect(workbench.model.overlays.last == .messages(bottom: 0))
        func screen() -> String { WorkbenchView.render(workbench.model, width: 80, height: 24).grid.text }
        #expect(screen().contains("> \\messages") && !screen().contains("message number 0\n"))
        screens.type(workbench, "\u{1b}[H") // Home: the oldest
        #expect(screen().contains("message number 0 "), "\(screen())")
        screens.type(workbench, "\u{1b}[F") // End: the newest again
        #expect(screen().contains("> \\messages"))
        screens.type(workbench, "\u{1b}")
        #expect(workbench.model.overlays.isEmpty)
    }

    /// At 60 columns the status bar keeps the state whole: the broker's address and the hints go first.
    @Test func aNarrowStatusBarKeepsTheState() {
        var model = SessionModel()
        model.brokerAddress = "127.0.0.1:9094"
        model.running = true
        model.results.rate = 12_345
        let status = WorkbenchView.render(model, width: 60, height: 20).grid.text.split(separator: "\n").last ?? ""
        #expect(status.hasPrefix(" weir │ running, 12345 rows/s"), "\(status)")
        let wide = WorkbenchView.render(model, width: 120, height: 30).grid.text.split(separator: "\n").last ?? ""
        #expect(wide.contains("broker 127.0.0.1:9094") && wide.contains("(Esc stops)") && wide.contains("F1 help"))
    }
}
