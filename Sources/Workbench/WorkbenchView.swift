import SQLPlanner
import SQLSyntax
import SQLValues
import StreamSQL
import TerminalKit

/// Draws the session into a grid: results (with messages) and the catalog side pane above,
/// the input pane, and the status bar. Pure: the same model and size give the same screen,
/// which is what the golden-screen tests compare.
/// Where a pane was drawn in a frame.
public struct PaneArea: Sendable, Equatable {
    public let focus: SessionModel.Focus
    public let area: Rect
}

public enum WorkbenchView {
    static let border = Style(foreground: .cyan)
    static let focused = Style(foreground: .yellow, bold: true)
    static let header = Style(bold: true, underline: true)
    static let changed = Style(foreground: .yellow, bold: true)
    static let status = Style(reverse: true)
    static let error = Style(foreground: .red, bold: true)

    /// The screen, where the cursor goes, how many result rows the results pane shows (what
    /// scrolling from the newest rows starts from), and where each pane is (what a click focuses).
    public static func render(
        _ model: SessionModel, width: Int, height: Int
    ) -> (grid: CellGrid, cursor: (x: Int, y: Int)?, resultRows: Int, panes: [PaneArea]) {
        var grid = CellGrid(width: width, height: height)
        guard width >= 20, height >= 8 else {
            grid.put("weir: the terminal is too small", x: 0, y: 0)
            return (grid, nil, 0, [])
        }
        var resultRows = 0
        var panes: [PaneArea] = []
        let (main, statusRow) = grid.bounds.splitBottom(1)
        drawStatus(model, into: &grid, row: statusRow.y)
        var cursor: (x: Int, y: Int)?
        if model.zoomed {
            // The focused pane takes the screen (the results when the input has the focus).
            let pane = Panes.pane(model.focus)
            if pane.focus != .input, pane.focus != .results, pane.isShown(model) {
                pane.draw(model, into: &grid, area: main, focused: true)
                panes.append(PaneArea(focus: pane.focus, area: main))
            } else {
                resultRows = ResultsPane.drawCountingRows(
                    model, into: &grid, area: main, focused: model.focus == .results)
                panes.append(PaneArea(focus: .results, area: main))
            }
        } else {
            // The input grows to show a statement whole (up to half the screen), else F5/F6's height.
            // Cut to the pane's width once: the rows size the pane and are drawn.
            let inputRows = InputPane.ScreenRows(model.editor.snapshot, width: width - 4)
            let needed = inputRows.rows.count + 2
            let inputHeight = min(max(3, model.inputHeight, min(needed, main.height / 2)), main.height - 4)
            var (upper, input) = main.splitBottom(inputHeight)
            if let tutorial = model.tutorial, upper.height >= 12 {
                let lines = wordWrap(tutorial.shown.text, to: upper.width - 4)
                let (rest, box) = upper.splitBottom(min(lines.count + 2, 7))
                upper = rest
                drawTutorial(tutorial, lines: lines, into: &grid, area: box)
            }
            var resultsArea = upper
            if width >= 80 {
                let (left, side) = upper.splitRight(min(30, width / 4))
                resultsArea = left
                CatalogPane.draw(model, into: &grid, area: side, focused: model.focus == .catalog)
                panes.append(PaneArea(focus: .catalog, area: side))
            }
            // A tail with no room of its own takes the results' place while it has the focus,
            // and the results' title says where it went otherwise.
            func drawResultsOrHiddenTail(_ area: Rect) {
                if model.tail != nil, model.focus == .topic {
                    TopicPane.draw(model, into: &grid, area: area, focused: true)
                    panes.append(PaneArea(focus: .topic, area: area))
                } else {
                    resultRows = ResultsPane.drawCountingRows(
                        model, into: &grid, area: area, focused: model.focus == .results,
                        note: model.tail.map { "topic \($0.topic) hidden: Tab to it" })
                    panes.append(PaneArea(focus: .results, area: area))
                }
            }
            if model.timeline.visible, let snapshot = model.timeline.snapshot, resultsArea.height >= 12 {
                // The timeline below the results; the topic pane (if any) below both, where there is room.
                let timelineHeight = min(resultsArea.height / 2, TimelineView.preferredHeight(snapshot))
                let (upper, bottom) = resultsArea.splitTop(resultsArea.height - timelineHeight)
                if model.tail != nil, upper.height >= 10 {
                    let (top, middle) = upper.splitTop(upper.height / 2)
                    TopicPane.draw(model, into: &grid, area: middle, focused: model.focus == .topic)
                    resultRows = ResultsPane.drawCountingRows(
                        model, into: &grid, area: top, focused: model.focus == .results)
                    panes += [PaneArea(focus: .topic, area: middle), PaneArea(focus: .results, area: top)]
                } else {
                    drawResultsOrHiddenTail(upper)
                }
                TimelinePane.draw(model, into: &grid, area: bottom, focused: model.focus == .timeline)
                panes.append(PaneArea(focus: .timeline, area: bottom))
            } else if model.tail != nil, resultsArea.height >= 10 {
                let (top, bottom) = resultsArea.splitTop(resultsArea.height / 2)
                resultRows = ResultsPane.drawCountingRows(
                    model, into: &grid, area: top, focused: model.focus == .results)
                TopicPane.draw(model, into: &grid, area: bottom, focused: model.focus == .topic)
                panes += [PaneArea(focus: .results, area: top), PaneArea(focus: .topic, area: bottom)]
            } else {
                drawResultsOrHiddenTail(resultsArea)
            }
            cursor = InputPane.drawWithCursor(
                model, inputRows, into: &grid, area: input, focused: model.focus == .input)
            panes.append(PaneArea(focus: .input, area: input))
        }
        for overlay in model.overlays {
            switch overlay {
            case .detail: ResultsPane.drawDetail(model.results, into: &grid, area: main)
            case let .record(position): TopicPane.drawRecord(position, model, into: &grid, area: main)
            case let .messages(bottom): drawMessages(model.messages, bottom: bottom, into: &grid, area: main)
            case let .why(lines): drawWhy(lines, into: &grid, area: main)
            case let .help(top): drawHelp(top: top, into: &grid, area: main)
            }
        }
        return (grid, model.overlays.isEmpty ? cursor : nil, resultRows, panes)
    }

    // MARK: Panes

    static func drawStatus(_ model: SessionModel, into grid: inout CellGrid, row: Int) {
        grid.fill(Rect(x: 0, y: row, width: grid.width, height: 1), style: status)
        let pace =
            model.results.rate > 0
            ? ", \(model.results.rate) rows/s" : model.caughtUp ? ", all read: waiting for new records" : ""
        var state = model.running ? "running\(pace) (Esc stops)" : "ready"
        if model.running, let replay = model.replay?.state {
            let pace: String
            switch replay.pace {
            case .step: pace = "stepping"
            case let .speed(speed): pace = speed == speed.rounded() ? "\(Int(speed))×" : "\(speed)×"
            }
            state =
                "replay \(replay.paused ? "paused" : pace), \(replay.released) events (F7 pause, F8 step, Esc stops)"
        }
        if let stall = model.stall { state = "waiting: \(stall) (\\why)" }
        var broker = model.brokerAddress.isEmpty ? "" : " │ broker \(model.brokerAddress)"
        if model.brokerTrouble != nil { broker += " unreachable, retrying" }
        var left = " weir\(broker) │ \(state)"
        // On a narrow screen the state matters most: the broker's address goes first (its
        // trouble stays), then the hints in parentheses.
        if DisplayWidth.of(left) > grid.width, model.brokerTrouble == nil { left = " weir │ \(state)" }
        if DisplayWidth.of(left) > grid.width, let hints = left.range(of: " (", options: .backwards) {
            left = String(left[..<hints.lowerBound])
        }
        grid.put(left, x: 0, y: row, style: status, limit: grid.width)
        // The longest reminder of the keys that fits beside the state.
        for right in ["F1 help  Tab focus  F2 view  F3 zoom  Ctrl-D quit ", "F1 help  Ctrl-D quit ", "F1 help "] {
            let rightWidth = DisplayWidth.of(right)
            if DisplayWidth.of(left) + rightWidth + 2 <= grid.width {
                grid.put(right, x: grid.width - rightWidth, y: row, style: status)
                break
            }
        }
    }

    static let helpLines = [
        "Keys",
        "  Enter, Ctrl-J   run the statement (it ends with ;), a new line",
        "  Up/Down         history (on the first/last line); Ctrl-R searches it",
        "  Ctrl-A/E/K/W/Y…  GNU readline: emacs or vi keys (\\editing-mode), ~/.inputrc",
        "  Esc, Ctrl-C     stop the running query",
        "  Tab, Shift-Tab  the next pane (after a word in the input: complete it)",
        "  PgUp/PgDn, arrows  scroll the results (arrows: focus on results)",
        "  F2, F3          view: table, changelog, append, chart (\\view); zoom the focused pane (\\zoom)",
        "  F5, F6          a smaller / larger input pane (\\input ROWS)",
        "  F7, F8          a replay: pause and resume, one event on (\\replay pause|resume|step)",
        "  Up/Down, Enter  on results: pick a row (lights its events), show it whole",
        "                  on the topic: pick a record, show it whole (p pauses)",
        "                  on the catalog: Enter tails a topic, describes a table",
        "  F1              this help (\\help);  Ctrl-D (empty input) quits (\\quit)",
        "Commands",
        "  \\help  \\quit  \\clear  \\tables  \\topics  \\groups  \\why [JOB]  \\messages",
        "  \\timeline (Tab to it: ←→ scroll, +/- zoom, f follow, ↑↓ pick an event)",
        "  \\replay [1x|10x|step] [from TIME] [to TIME] [offsets A-B]  (the last query)",
        "  \\view table|changelog|append|chart   \\zoom   \\input ROWS   \\refresh MS   \\export FILE.csv|.json",
        "  \\tail TOPIC [beginning|end|OFFSET|@MS]   \\tail stop",
        "  \\pause  \\resume  \\pretty  \\filter TEXT | field > n   (the topic pane)",
        "  \\produce TOPIC[:PARTITION] [KEY] VALUE   \\infer TOPIC (a CREATE TABLE)",
        "  \\demo payments|words|user-events|recipes|clicks [RATE [PARTITIONS]]  \\demo stop",
        "  \\tutorial   a guided lesson on watermarks and windows (\\tutorial next|stop)",
    ]

    static func drawTutorial(_ tutorial: Tutorial, lines: [String], into grid: inout CellGrid, area: Rect) {
        grid.box(area, title: tutorial.shown.title, style: Style(foreground: .magenta, bold: true))
        for (offset, line) in lines.prefix(area.inner.height).enumerated() {
            grid.put(line, x: area.inner.x + 1, y: area.inner.y + offset, limit: area.inner.width - 1)
        }
    }

    /// `\\why`'s explanation in a box over the results, a paragraph a line.
    static func drawWhy(_ lines: [String], into grid: inout CellGrid, area: Rect) {
        let width = min(area.width - 4, 90)
        let text = lines.flatMap { wordWrap($0, to: width - 4) }
        let box = Rect(
            x: area.x + (area.width - width) / 2, y: area.y + 1, width: width,
            height: min(area.height - 2, text.count + 2))
        grid.fill(box)
        grid.box(box, title: "Why no output? (Esc closes)", style: focused)
        for (offset, line) in text.prefix(box.inner.height).enumerated() {
            grid.put(line, x: box.inner.x + 1, y: box.inner.y + offset, limit: box.inner.width - 1)
        }
    }

    /// Prose broken between words into lines of at most `width` columns (a longer word is cut).
    static func wordWrap(_ text: String, to width: Int) -> [String] {
        guard width > 0 else { return [] }
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            let candidate = current.isEmpty ? String(word) : current + " " + word
            if DisplayWidth.of(candidate) <= width {
                current = candidate
                continue
            }
            if !current.isEmpty { lines.append(current) }
            current =
                DisplayWidth.of(String(word)) > width ? DisplayWidth.truncate(String(word), to: width) : String(word)
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    /// The selected row whole: each column's name and its full value, wrapped.
    /// The help's lines at `width` columns: a line too long wraps, its continuation under
    /// the description's column.
    static func helpRows(width: Int) -> [String] {
        helpLines.flatMap { line -> [String] in
            guard DisplayWidth.of(line) > width, line.hasPrefix("  ") else { return [line] }
            // The description starts after the keys' column: the first run of two spaces past the indent.
            let characters = Array(line)
            var column = 4
            for index in 3..<max(3, characters.count - 1) where characters[index] == " " && characters[index + 1] == " "
            {
                column = index
                while column < characters.count, characters[column] == " " { column += 1 }
                break
            }
            column = min(column, width / 2)
            let indent = String(repeating: " ", count: column)
            let head = String(characters.prefix(column))
            let rows = wordWrap(String(characters.dropFirst(column)), to: width - column)
            return rows.enumerated().map { ($0.offset == 0 ? head : indent) + $0.element }
        }
    }

    /// Every message of the session, wrapped, scrolled back `bottom` rows from the newest.
    static func drawMessages(_ messages: [String], bottom: Int, into grid: inout CellGrid, area: Rect) {
        let box = Rect(x: area.x + 1, y: area.y, width: area.width - 2, height: area.height)
        grid.fill(box)
        let rows = ResultsPane.messageRows(messages[...], width: box.inner.width)
        let last = max(0, rows.count - min(bottom, max(0, rows.count - box.inner.height)))
        let shown = rows[max(0, last - box.inner.height)..<last]
        grid.box(
            box, title: "Messages, \(shown.endIndex) of \(rows.count) rows (↑↓ PgUp PgDn Home End scroll, Esc closes)",
            style: focused)
        for (offset, row) in shown.enumerated() {
            grid.put(
                row.text, x: box.inner.x, y: box.inner.y + offset, style: row.error ? error : .plain,
                limit: box.inner.width)
        }
    }

    static func drawHelp(top: Int, into grid: inout CellGrid, area: Rect) {
        let width = min(area.width - 4, helpLines.map { DisplayWidth.of($0) }.max()! + 4)
        let height = min(area.height - 2, helpLines.count + 2)
        let box = Rect(
            x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width: width, height: height)
        grid.fill(box)
        let lines = helpRows(width: box.inner.width - 1)
        let scrolls = lines.count > box.inner.height
        grid.box(box, title: scrolls ? "Help (↑↓ scroll, F1 or Esc closes)" : "Help (F1 or Esc closes)", style: focused)
        let first = max(0, min(top, lines.count - box.inner.height))
        for (offset, line) in lines.dropFirst(first).prefix(box.inner.height).enumerated() {
            grid.put(
                line, x: box.inner.x + 1, y: box.inner.y + offset, style: line.hasPrefix(" ") ? .plain : header,
                limit: box.inner.width - 1)
        }
    }
}

/// SQL in colour as it is typed: keywords, strings, numbers and comments, line by line.
enum SQLColours {
    static let keyword = Style(foreground: .blue, bold: true)
    static let string = Style(foreground: .green)
    static let number = Style(foreground: .yellow)
    static let comment = Style(dim: true)
    static let keywords = Set(Engine.keywords)

    /// The line's spans as SQLSyntax's lexer reads them, each with its style.
    static func spans(_ line: String) -> [(String, Style)] {
        Lexer.highlights(line).map { span in
            switch span.kind {
            case .word: (span.text, keywords.contains(span.text.uppercased()) ? keyword : .plain)
            case .string: (span.text, string)
            case .number: (span.text, number)
            case .comment: (span.text, comment)
            case .quotedIdentifier, .other: (span.text, .plain)
            }
        }
    }
}
