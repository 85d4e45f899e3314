import SQLPlanner
import SQLSyntax
import SQLValues
import StreamSQL
import TerminalKit

/// Draws the session into a grid: results (with messages) and the catalog side pane above,
/// the input pane, and the status bar. Pure: the same model and size give the same screen,
/// which is what the golden-screen tests compare.
public enum WorkbenchView {
    static let border = Style(foreground: .cyan)
    static let focused = Style(foreground: .yellow, bold: true)
    static let header = Style(bold: true, underline: true)
    static let changed = Style(foreground: .yellow, bold: true)
    static let status = Style(reverse: true)
    static let error = Style(foreground: .red, bold: true)

    /// The screen, and where the cursor goes.
    /// The screen, where the cursor goes, and how many result rows the results pane shows
    /// (what scrolling from the newest rows starts from).
    public static func render(
        _ model: SessionModel, width: Int, height: Int
    ) -> (grid: CellGrid, cursor: (x: Int, y: Int)?, resultRows: Int) {
        var grid = CellGrid(width: width, height: height)
        guard width >= 20, height >= 8 else {
            grid.put("weir: the terminal is too small", x: 0, y: 0)
            return (grid, nil, 0)
        }
        var resultRows = 0
        let (main, statusRow) = grid.bounds.splitBottom(1)
        drawStatus(model, into: &grid, row: statusRow.y)
        var cursor: (x: Int, y: Int)?
        if model.zoomed {
            // The focused pane takes the screen: the timeline when it has the focus, else the results.
            if model.focus == .timeline, model.timeline.visible, model.timeline.snapshot != nil {
                TimelineView.draw(model.timeline, into: &grid, area: main, focused: true)
            } else {
                resultRows = drawResults(model, into: &grid, area: main)
            }
        } else {
            var (upper, input) = main.splitBottom(min(max(3, model.inputHeight), main.height - 4))
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
                drawSide(model, into: &grid, area: side)
            }
            if model.timeline.visible, let snapshot = model.timeline.snapshot, resultsArea.height >= 12 {
                // The timeline below the results; the topic pane (if any) below both, where there is room.
                let timelineHeight = min(resultsArea.height / 2, TimelineView.preferredHeight(snapshot))
                var (upper, bottom) = resultsArea.splitTop(resultsArea.height - timelineHeight)
                if let tail = model.tail, upper.height >= 10 {
                    let (top, middle) = upper.splitTop(upper.height / 2)
                    upper = top
                    drawTopic(tail, lit: litRecords(model), into: &grid, area: middle)
                }
                resultRows = drawResults(model, into: &grid, area: upper)
                TimelineView.draw(model.timeline, into: &grid, area: bottom, focused: model.focus == .timeline)
            } else if let tail = model.tail, resultsArea.height >= 10 {
                let (top, bottom) = resultsArea.splitTop(resultsArea.height / 2)
                resultRows = drawResults(model, into: &grid, area: top)
                drawTopic(tail, lit: [], into: &grid, area: bottom)
            } else {
                resultRows = drawResults(model, into: &grid, area: resultsArea)
            }
            cursor = drawInput(model, into: &grid, area: input)
        }
        for overlay in model.overlays {
            switch overlay {
            case .detail: drawDetail(model.results, into: &grid, area: main)
            case let .why(lines): drawWhy(lines, into: &grid, area: main)
            case let .help(top): drawHelp(top: top, into: &grid, area: main)
            }
        }
        return (grid, model.overlays.isEmpty ? cursor : nil, resultRows)
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
        let left = " weir\(broker) │ \(state)"
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

    static func drawSide(_ model: SessionModel, into grid: inout CellGrid, area: Rect) {
        grid.box(area, title: "Catalog", style: border)
        let inner = area.inner
        var row = inner.y
        func line(_ text: String, _ style: Style = .plain) {
            guard row < inner.maxY else { return }
            grid.put(text, x: inner.x, y: row, style: style, limit: inner.width)
            row += 1
        }
        if let topics = model.topics {
            line("Topics", header)
            if topics.isEmpty { line("  (none)", Style(dim: true)) }
            for topic in topics { line("  \(topic.name) \(topic.partitions)p \(topic.messages)") }
            row += row < inner.maxY ? 1 : 0
        }
        line("Tables", header)
        if model.tables.isEmpty { line("  (none)", Style(dim: true)) }
        for table in model.tables { line("  " + table) }
        row += row < inner.maxY ? 1 : 0
        line("Jobs", header)
        if model.jobs.isEmpty { line("  (none)", Style(dim: true)) }
        for job in model.jobs {
            line("  \(job.id) \(job.status.prefix(8))")
            line("    \(job.rowsIn) in, \(job.rowsOut) out", Style(dim: true))
            line("    wm \(job.watermark) lag \(job.lag)", Style(dim: true))
        }
    }

    /// "3 rows", or, once the oldest rows are no longer kept, how many came and how many are kept.
    static func rowCount(_ results: ResultsModel) -> String {
        let kept = results.rows.count
        let all = kept + results.dropped
        if results.dropped == 0 { return "\(grouped(kept)) row\(kept == 1 ? "" : "s")" }
        return "\(grouped(all)) rows, the newest \(grouped(kept)) kept"
    }

    /// 1234567 as 1,234,567.
    static func grouped(_ count: Int) -> String {
        let digits = Array(String(count))
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0, digit != "-", digits[index - 1] != "-" { text.append(",") }
            text.append(digit)
        }
        return text
    }

    /// Returns how many rows of the table it shows.
    @discardableResult
    static func drawResults(_ model: SessionModel, into grid: inout CellGrid, area: Rect) -> Int {
        let results = model.results
        let title =
            results.columns.isEmpty
            ? "Results"
            : "Results — \(results.view.rawValue) view, \(rowCount(results))\(results.state.isEmpty ? "" : ", " + results.state)"
        grid.box(area, title: title, style: model.focus == .results ? focused : border)
        let inner = area.inner
        guard !inner.isEmpty else { return 0 }
        // The newest messages, wrapped to the pane, take its bottom (all of it when there are no rows).
        let wrapped = model.messages.suffix(inner.height).flatMap { wrap($0, to: inner.width) }
        let messageRows = results.columns.isEmpty ? inner.height : min(4, max(1, inner.height / 4))
        let (tableArea, messageArea) = inner.splitBottom(min(messageRows, wrapped.count))
        for (offset, line) in wrapped.suffix(messageArea.height).enumerated() {
            let style = line.error ? error : Style.plain
            grid.put(line.text, x: messageArea.x, y: messageArea.y + offset, style: style, limit: messageArea.width)
        }
        guard !results.columns.isEmpty, tableArea.height >= 2 else { return 0 }
        drawTable(results, into: &grid, area: tableArea)
        return tableArea.height - 1
    }

    /// The tailed records that fed the picked result row: in its window's time (the timeline's
    /// events, by partition and offset), and, where the record has a JSON field named like one
    /// of the row's columns, with the row's value there (its key).
    static func litRecords(_ model: SessionModel) -> Set<RecordPosition> {
        guard let window = model.timeline.lit, let snapshot = model.timeline.snapshot, let tail = model.tail else {
            return []
        }
        var partitionOf: [Int: Int32] = [:]
        for (split, lane) in snapshot.splits.enumerated() where lane.name.hasPrefix(tail.topic + "-") {
            if let partition = Int32(lane.name.dropFirst(tail.topic.count + 1)) { partitionOf[split] = partition }
        }
        var inWindow: Set<RecordPosition> = []
        for event in snapshot.events where !event.late && window.contains(event.time) {
            if let partition = partitionOf[event.split] {
                inWindow.insert(RecordPosition(partition: partition, offset: event.offset))
            }
        }
        let rows = model.results.rows
        let row = model.results.selected.flatMap { $0 < rows.count ? model.results.cells(rows[$0]) : nil } ?? []
        let keys = zip(model.results.columnNames, row).map {
            (name: $0.0, filter: TailFilter.field(name: $0.0, operation: "=", value: $0.1))
        }
        var lit: Set<RecordPosition> = []
        for entry in tail.entries {
            let position = RecordPosition(partition: entry.partition, offset: entry.offset)
            guard inWindow.contains(position) else { continue }
            // Parsed once per record: a field the record does not have does not count against it.
            let object = TailFilter.object(entry) ?? [:]
            if keys.allSatisfy({ key in object[key.name].map { key.filter.matches($0) } ?? true }) {
                lit.insert(position)
            }
        }
        return lit
    }

    static func drawTopic(_ pane: TopicPane, lit: Set<RecordPosition>, into grid: inout CellGrid, area: Rect) {
        let shown = pane.shown
        var title = "Topic \(pane.topic) — \(shown.count) messages"
        if let filter = pane.filter {
            switch filter {
            case let .contains(text): title += ", containing \(text)"
            case let .field(name, operation, value): title += ", \(name) \(operation) \(value)"
            }
        }
        if pane.paused { title += ", paused" }
        if pane.waitingForBroker { title += ", broker unreachable: retrying" }
        if !lit.isEmpty { title += ", ◆ \(lit.count) fed the picked row" }
        grid.box(area, title: title, style: border)
        let inner = area.inner
        guard !inner.isEmpty else { return }
        if pane.pretty {
            // The newest records that fit, each a header line and its value indented.
            var lines: [(text: String, header: Bool)] = []
            for entry in shown.reversed() {
                let time = entry.timestamp > 0 ? CivilClock.time(entry.timestamp) : "-"
                let block =
                    [("p\(entry.partition) \(entry.offset) \(time) \(entry.key ?? "")", true)]
                    + JSONColours.pretty(entry.value).map { ("  " + $0, false) }
                lines.insert(contentsOf: block, at: 0)
                if lines.count >= inner.height { break }
            }
            for (offset, line) in lines.suffix(inner.height).enumerated() {
                if line.header {
                    grid.put(line.text, x: inner.x, y: inner.y + offset, style: Style(dim: true), limit: inner.width)
                    continue
                }
                var x = inner.x
                for (text, style) in JSONColours.spans(line.text, anyText: true) where x < inner.maxX {
                    x += grid.put(text, x: x, y: inner.y + offset, style: style, limit: inner.maxX - x)
                }
            }
            return
        }
        // The newest records; with records lit, the newest that ends with the last lit one.
        var last = shown.count
        if !lit.isEmpty,
            let index = shown.lastIndex(where: {
                lit.contains(RecordPosition(partition: $0.partition, offset: $0.offset))
            })
        {
            last = min(shown.count, index + 2)
        }
        for (offset, entry) in shown[..<last].suffix(inner.height).enumerated() {
            let y = inner.y + offset
            let time = entry.timestamp > 0 ? String(CivilClock.time(entry.timestamp)) : "-"
            var x = inner.x
            let isLit = lit.contains(RecordPosition(partition: entry.partition, offset: entry.offset))
            let mark = lit.isEmpty ? "" : isLit ? "◆" : " "
            x += grid.put(
                "\(mark)p\(entry.partition) \(entry.offset) \(time) ", x: x, y: y,
                style: isLit ? TimelineView.litStyle : Style(dim: true), limit: inner.maxX - x)
            if let key = entry.key, x < inner.maxX {
                x += grid.put(key + " ", x: x, y: y, style: Style(bold: true), limit: inner.maxX - x)
            }
            for (text, style) in JSONColours.spans(entry.value) where x < inner.maxX {
                x += grid.put(text, x: x, y: y, style: style, limit: inner.maxX - x)
            }
        }
    }

    /// A message cut into lines of at most `width` columns (errors keep their colour on every line).
    static func wrap(_ message: String, to width: Int) -> [(text: String, error: Bool)] {
        let isError = message.hasPrefix("error") || message.hasPrefix("line ")
        guard width > 0, DisplayWidth.of(message) > width else { return [(message, isError)] }
        var lines: [(String, Bool)] = []
        var current = ""
        var used = 0
        for character in message {
            let size = DisplayWidth.of(character)
            if used + size > width {
                lines.append((current, isError))
                current = ""
                used = 0
            }
            current.append(character)
            used += size
        }
        if !current.isEmpty { lines.append((current, isError)) }
        return lines
    }

    static func drawTable(_ results: ResultsModel, into grid: inout CellGrid, area: Rect) {
        let rows = results.rows
        let showKinds = results.view == .changelog
        let headers = (showKinds ? ["op"] : []) + results.columnNames
        var visibleCount = area.height - 1
        var first = results.follow ? max(0, rows.count - visibleCount) : min(results.top, max(0, rows.count - 1))
        if let selected = results.selected, !results.follow {
            // Keep the selected row on screen.
            first = min(max(first, selected - visibleCount + 1), selected)
        }
        // Scrolled back to the oldest row kept, with older ones gone: a line says so.
        var tableTop = area.y + 1
        if first == 0, !results.follow, results.dropped > 0, visibleCount > 1 {
            let notice =
                "… \(grouped(results.dropped)) earlier rows are not kept (the newest \(grouped(rows.count)) are); \\export FILE writes them all"
            grid.put(notice, x: area.x, y: tableTop, style: Style(dim: true), limit: area.width)
            tableTop += 1
            visibleCount -= 1
        }
        let shown = rows.count > first ? Array(rows[first..<min(rows.count, first + visibleCount)]) : []
        // Only the rows on screen are turned into text.
        let shownCells = shown.map { (showKinds ? [$0.kind?.rawValue ?? "+I"] : []) + results.cells($0) }
        // Columns fitted to the header and the rows on screen, each at most 40 wide.
        var widths = headers.map { DisplayWidth.of($0) }
        for cells in shownCells {
            for (index, cell) in cells.enumerated() where index < widths.count {
                widths[index] = max(widths[index], min(40, DisplayWidth.of(cell)))
            }
        }
        var x = area.x
        var drawn: [(index: Int, x: Int, width: Int)] = []
        for index in results.left..<widths.count {
            guard x < area.maxX else { break }
            let width = min(widths[index], area.maxX - x)
            drawn.append((index, x, width))
            x += widths[index] + 2
        }
        for column in drawn {
            grid.put(
                DisplayWidth.truncate(headers[column.index], to: column.width), x: column.x, y: area.y, style: header,
                limit: column.width)
        }
        for (offset, entry) in shown.enumerated() {
            let values = shownCells[offset]
            let isSelected = results.selected == first + offset && !results.follow
            if isSelected {
                grid.fill(
                    Rect(x: area.x, y: tableTop + offset, width: area.width, height: 1), style: Style(reverse: true))
            }
            for column in drawn where column.index < values.count {
                let changedCell = results.view == .table && entry.changed.contains(column.index - (showKinds ? 1 : 0))
                var style = changedCell ? changed : Style.plain
                style.reverse = isSelected
                grid.put(
                    DisplayWidth.truncate(values[column.index], to: column.width), x: column.x, y: tableTop + offset,
                    style: style, limit: column.width)
            }
        }
    }

    static func drawInput(_ model: SessionModel, into grid: inout CellGrid, area: Rect) -> (x: Int, y: Int)? {
        let editor = model.editor.snapshot
        let mode = !model.editor.viKeys ? "" : editor.viCommandMode ? " [vi command]" : " [vi insert]"
        let title = editor.prompt ?? "SQL\(mode) — Enter runs a statement ending in ;  (\\help)"
        grid.box(area, title: title, style: model.focus == .input ? focused : border)
        let inner = area.inner
        guard !inner.isEmpty else { return nil }
        let lines = editor.lines
        let row = editor.row
        // Keep the cursor's line in view.
        let firstLine = max(0, row - inner.height + 1)
        for (offset, line) in lines.dropFirst(firstLine).prefix(inner.height).enumerated() {
            let prompt = firstLine + offset == 0 ? "> " : "  "
            var x = inner.x + grid.put(prompt, x: inner.x, y: inner.y + offset, limit: inner.width)
            for (text, style) in SQLColours.spans(String(line)) where x < inner.maxX {
                x += grid.put(text, x: x, y: inner.y + offset, style: style, limit: inner.maxX - x)
            }
        }
        let column = DisplayWidth.of(String(lines[row].prefix(editor.column)))
        return (min(inner.maxX - 1, inner.x + 2 + column), inner.y + row - firstLine)
    }

    static let helpLines = [
        "Keys",
        "  Enter, Ctrl-J   run the statement (it ends with ;), a new line",
        "  Up/Down         history (on the first/last line); Ctrl-R searches it",
        "  Ctrl-A/E/K/W/Y…  GNU readline: emacs or vi keys (\\editing-mode), ~/.inputrc",
        "  Esc, Ctrl-C     stop the running query",
        "  Tab, Shift-Tab  focus input / results; Tab after a word completes it",
        "  PgUp/PgDn, arrows  scroll the results (arrows: focus on results)",
        "  F2, F3          view: table, changelog, append; zoom the focused pane",
        "  F5, F6          a smaller / larger input pane",
        "  F7, F8          a replay: pause and resume, one event on",
        "  Up/Down, Enter  on results: pick a row (lights its events), show it whole",
        "  F1              this help;  Ctrl-D (empty input) quits",
        "Commands",
        "  \\help  \\quit  \\clear  \\tables  \\topics  \\groups  \\why [JOB]",
        "  \\timeline (Tab to it: ←→ scroll, +/- zoom, f follow, ↑↓ pick an event)",
        "  \\replay [1x|10x|step] [from TIME] [to TIME] [offsets A-B]  (the last query)",
        "  \\view table|changelog|append   \\refresh MS   \\export FILE.csv|.json",
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
    static func drawDetail(_ results: ResultsModel, into grid: inout CellGrid, area: Rect) {
        guard let selected = results.selected, selected < results.rows.count else { return }
        let entry = results.rows[selected]
        let names = (results.view == .changelog ? ["op"] : []) + results.columnNames
        let values = (results.view == .changelog ? [entry.kind?.rawValue ?? "+I"] : []) + results.cells(entry)
        let box = Rect(x: area.x + 2, y: area.y + 1, width: area.width - 4, height: area.height - 2)
        grid.fill(box)
        grid.box(box, title: "Row \(selected + 1) of \(results.rows.count) (Esc closes)", style: focused)
        let inner = box.inner
        let nameWidth = min(24, names.map { DisplayWidth.of($0) }.max() ?? 0)
        var row = inner.y
        for (name, value) in zip(names, values) {
            guard row < inner.maxY else { break }
            grid.put(DisplayWidth.truncate(name, to: nameWidth), x: inner.x + 1, y: row, style: header)
            for line in wrap(value, to: max(1, inner.width - nameWidth - 3)) {
                guard row < inner.maxY else { break }
                grid.put(line.text, x: inner.x + nameWidth + 3, y: row)
                row += 1
            }
        }
    }

    static func drawHelp(top: Int, into grid: inout CellGrid, area: Rect) {
        let width = min(area.width - 4, helpLines.map { DisplayWidth.of($0) }.max()! + 4)
        let height = min(area.height - 2, helpLines.count + 2)
        let box = Rect(
            x: area.x + (area.width - width) / 2, y: area.y + (area.height - height) / 2, width: width, height: height)
        grid.fill(box)
        let scrolls = helpLines.count > box.inner.height
        grid.box(box, title: scrolls ? "Help (↑↓ scroll, F1 or Esc closes)" : "Help (F1 or Esc closes)", style: focused)
        let first = max(0, min(top, helpLines.count - box.inner.height))
        for (offset, line) in helpLines.dropFirst(first).prefix(box.inner.height).enumerated() {
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
