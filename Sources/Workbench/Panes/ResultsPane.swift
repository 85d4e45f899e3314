import TerminalKit

/// The results of the latest query as a table (or its changelog), with the newest messages
/// at its bottom. With the focus, the arrows pick a row (which lights its window on the
/// timeline and its records in the topic pane), Enter shows it whole, ← → move the columns.
enum ResultsPane: Pane {
    static let focus = SessionModel.Focus.results

    static func isShown(_ model: SessionModel) -> Bool { true }

    static func handle(_ key: Key, model: inout SessionModel) -> KeyOutcome {
        switch key {
        case .up: select(-1, in: &model)
        case .down: select(1, in: &model)
        case .enter: if model.results.selected != nil { model.show(.detail) }
        case .left: model.results.left = max(0, model.results.left - 1)
        case .right: model.results.left = min(max(0, model.results.columns.count - 1), model.results.left + 1)
        case .home:
            model.results.follow = false
            model.results.top = 0
        case .end: model.results.follow = true
        case .escape: break
        default: return .passed
        }
        return .consumed
    }

    /// Moves the selected row (the newest one first), which stops following new rows.
    static func select(_ step: Int, in model: inout SessionModel) {
        let rows = model.results.rows
        guard !rows.isEmpty else { return }
        let current = model.results.selected ?? rows.count
        model.results.selected = max(0, min(rows.count - 1, current + step))
        model.results.follow = false
        model.results.top = max(0, model.results.selected! - 5)
        // Its window lights up on the timeline, and its records in the topic pane.
        model.timeline.lit = Workbench.window(of: model.results.cells(rows[model.results.selected!]))
    }

    static func draw(_ model: SessionModel, into grid: inout CellGrid, area: Rect, focused: Bool) {
        _ = drawCountingRows(model, into: &grid, area: area, focused: focused)
    }

    /// Returns how many rows of the table it shows.
    @discardableResult
    static func drawCountingRows(
        _ model: SessionModel, into grid: inout CellGrid, area: Rect, focused: Bool
    ) -> Int {
        let results = model.results
        let title =
            results.columns.isEmpty
            ? "Results"
            : "Results — \(results.view.rawValue) view, \(rowCount(results))\(results.state.isEmpty ? "" : ", " + results.state)"
        grid.box(area, title: title, style: focused ? WorkbenchView.focused : WorkbenchView.border)
        let inner = area.inner
        guard !inner.isEmpty else { return 0 }
        // The newest messages, wrapped to the pane, take its bottom (all of it when there are no rows).
        let wrapped = model.messages.suffix(inner.height).flatMap { wrap($0, to: inner.width) }
        let messageRows = results.columns.isEmpty ? inner.height : min(4, max(1, inner.height / 4))
        let (tableArea, messageArea) = inner.splitBottom(min(messageRows, wrapped.count))
        for (offset, line) in wrapped.suffix(messageArea.height).enumerated() {
            let style = line.error ? WorkbenchView.error : Style.plain
            grid.put(line.text, x: messageArea.x, y: messageArea.y + offset, style: style, limit: messageArea.width)
        }
        guard !results.columns.isEmpty, tableArea.height >= 2 else { return 0 }
        drawTable(results, into: &grid, area: tableArea)
        return tableArea.height - 1
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
                DisplayWidth.truncate(headers[column.index], to: column.width), x: column.x, y: area.y,
                style: WorkbenchView.header,
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
                var style = changedCell ? WorkbenchView.changed : Style.plain
                style.reverse = isSelected
                grid.put(
                    DisplayWidth.truncate(values[column.index], to: column.width), x: column.x, y: tableTop + offset,
                    style: style, limit: column.width)
            }
        }
    }

    /// The picked row whole, over the panes: each column's name and its value, wrapped.
    static func drawDetail(_ results: ResultsModel, into grid: inout CellGrid, area: Rect) {
        guard let selected = results.selected, selected < results.rows.count else { return }
        let entry = results.rows[selected]
        let names = (results.view == .changelog ? ["op"] : []) + results.columnNames
        let values = (results.view == .changelog ? [entry.kind?.rawValue ?? "+I"] : []) + results.cells(entry)
        let box = Rect(x: area.x + 2, y: area.y + 1, width: area.width - 4, height: area.height - 2)
        grid.fill(box)
        grid.box(box, title: "Row \(selected + 1) of \(results.rows.count) (Esc closes)", style: WorkbenchView.focused)
        let inner = box.inner
        let nameWidth = min(24, names.map { DisplayWidth.of($0) }.max() ?? 0)
        var row = inner.y
        for (name, value) in zip(names, values) {
            guard row < inner.maxY else { break }
            grid.put(DisplayWidth.truncate(name, to: nameWidth), x: inner.x + 1, y: row, style: WorkbenchView.header)
            for line in wrap(value, to: max(1, inner.width - nameWidth - 3)) {
                guard row < inner.maxY else { break }
                grid.put(line.text, x: inner.x + nameWidth + 3, y: row)
                row += 1
            }
        }
    }
}
