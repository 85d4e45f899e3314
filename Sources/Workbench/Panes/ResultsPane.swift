import SQLRuntime
import SQLSyntax
import SQLValues
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
        // Its window lights up on the timeline, and its records in the topic pane; the
        // timeline goes to it.
        let cells = model.results.cells(rows[model.results.selected!])
        model.timeline.lit = Workbench.window(of: cells) ?? windowFromStart(cells, model.timeline.snapshot?.window)
        if let lit = model.timeline.lit, model.timeline.visible {
            model.timeline.center = lit.lowerBound + (lit.upperBound - lit.lowerBound) / 2
        }
    }

    /// A row with its window's start only (TUMBLE_START without TUMBLE_END): the window is as
    /// long as the query's tumbling or hopping windows.
    static func windowFromStart(_ cells: [String], _ shape: WindowShape?) -> Range<Int64>? {
        guard let shape, shape.kind == .tumble || shape.kind == .hop,
            let start = cells.lazy.compactMap(EventTimeText.micros).first
        else { return nil }
        return start..<(start + shape.size)
    }

    static func draw(_ model: SessionModel, into grid: inout CellGrid, area: Rect, focused: Bool) {
        _ = drawCountingRows(model, into: &grid, area: area, focused: focused)
    }

    /// Returns how many rows of the table it shows.
    @discardableResult
    static func drawCountingRows(
        _ model: SessionModel, into grid: inout CellGrid, area: Rect, focused: Bool, note: String? = nil
    ) -> Int {
        let results = model.results
        var title = "Results"
        if !results.columns.isEmpty {
            title += " — \(results.view.rawValue) view, \(rowCount(results))"
            if !results.state.isEmpty { title += ", " + results.state }
            if let watermark = model.watermark { title += ", watermark \(watermark)" }
        }
        if let note { title += " · " + note }
        grid.box(area, title: title, style: focused ? WorkbenchView.focused : WorkbenchView.border)
        let inner = area.inner
        guard !inner.isEmpty else { return 0 }
        // The newest messages, wrapped to the pane, take its bottom (all of it when there are no
        // rows). Beside rows they take a quarter of it (four rows at most) — but the latest
        // statement's error is shown from its first line, up to half the pane.
        let messages = model.messages.suffix(inner.height)
        let wrapped = messageRows(messages, width: inner.width)
        var rows = results.columns.isEmpty ? inner.height : min(4, max(1, inner.height / 4))
        var shown = wrapped.suffix(rows)
        if !results.columns.isEmpty, let error = latestError(messages) {
            let block = messageRows(messages[error...], width: inner.width)
            rows = max(rows, min(block.count, max(4, inner.height / 2)))
            shown = block.count > rows ? block.prefix(rows) : wrapped.suffix(rows)
        }
        let (tableArea, messageArea) = inner.splitBottom(min(rows, wrapped.count))
        for (offset, line) in shown.suffix(messageArea.height).enumerated() {
            let style = line.error ? WorkbenchView.error : Style.plain
            grid.put(line.text, x: messageArea.x, y: messageArea.y + offset, style: style, limit: messageArea.width)
        }
        guard !results.columns.isEmpty, tableArea.height >= 2 else { return 0 }
        if results.view == .chart {
            ResultsChart.draw(results, into: &grid, area: tableArea)
            return tableArea.height - 1
        }
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

    /// Where the latest statement's error starts among `messages`, when the error is the last
    /// thing said (its description, then maybe its SQL line and the carets under it).
    static func latestError(_ messages: ArraySlice<String>) -> Int? {
        guard let start = messages.lastIndex(where: isErrorLine) else { return nil }
        let after = messages.distance(from: start, to: messages.endIndex) - 1
        return after == 0 || (after <= 4 && isCaretLine(messages.last!)) ? start : nil
    }

    static func isErrorLine(_ message: String) -> Bool { message.hasPrefix("error") || message.hasPrefix("line ") }

    /// Whether `message` is the carets under an error's SQL line.
    static func isCaretLine(_ message: String) -> Bool {
        let marks = message.drop { $0 == " " }
        return !marks.isEmpty && marks.allSatisfy { $0 == "^" }
    }

    /// Messages as rows of the message area at `width` columns: text wrapped at spaces (errors
    /// keep their colour on every row); an error's SQL line and the carets under it cut to the
    /// same stretch around the carets, so that they still point at the right characters.
    static func messageRows(_ messages: ArraySlice<String>, width: Int) -> [(text: String, error: Bool)] {
        var rows: [(text: String, error: Bool)] = []
        var index = messages.startIndex
        while index < messages.endIndex {
            let message = messages[index]
            let next = messages.index(after: index)
            if next < messages.endIndex, isCaretLine(messages[next]), DisplayWidth.of(message) > width {
                let (line, carets) = window(message, carets: messages[next], width: width)
                rows += [(line, false), (carets, false)]
                index = messages.index(after: next)
                continue
            }
            rows += wrap(message, to: width)
            index = next
        }
        return rows
    }

    /// A stretch of `line` at most `width` wide that holds the carets' columns, with the carets
    /// moved the same way; "…" marks where the line was cut.
    static func window(_ line: String, carets: String, width: Int) -> (String, String) {
        let characters = Array(line)
        let marks = Array(carets)
        guard width > 2, characters.count > width, let first = marks.firstIndex(of: "^") else { return (line, carets) }
        // A third of the width before the carets, for the text leading to them.
        let start = max(0, min(first - width / 3, characters.count - width))
        let end = min(characters.count, start + width)
        var text = Array(characters[start..<end])
        if start > 0 { text[0] = "…" }
        if end < characters.count { text[text.count - 1] = "…" }
        return (String(text), String(marks.dropFirst(start).prefix(width)))
    }

    /// A message cut into rows of at most `width` columns, at spaces where there is one
    /// (errors keep their colour on every row).
    static func wrap(_ message: String, to width: Int) -> [(text: String, error: Bool)] {
        let isError = isErrorLine(message)
        guard width > 0, DisplayWidth.of(message) > width else { return [(message, isError)] }
        var rows: [(String, Bool)] = []
        var current: [Character] = []
        var used = 0
        for character in message {
            let size = DisplayWidth.of(character)
            if used + size > width {
                // Back to the last space, when the row has one past its first third.
                if let space = current.lastIndex(of: " "), space > width / 3 {
                    rows.append((String(current[..<space]), isError))
                    current = Array(current[(space + 1)...])
                } else {
                    rows.append((String(current), isError))
                    current = []
                }
                used = current.reduce(0) { $0 + DisplayWidth.of($1) }
            }
            current.append(character)
            used += size
        }
        if !current.isEmpty { rows.append((String(current), isError)) }
        return rows
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
        // Only the rows on screen are turned into text: a cell of several lines (a plan, a
        // table's DDL) as its lines, the row as tall as its tallest cell.
        func lines(_ row: ResultsModel.Entry) -> [[Substring]] {
            ((showKinds ? [row.kind?.rawValue ?? "+I"] : []) + results.cells(row)).map {
                $0.split(separator: "\n", omittingEmptySubsequences: false)
            }
        }
        func height(_ cells: [[Substring]]) -> Int { cells.map(\.count).max() ?? 1 }
        var shown: [ResultsModel.Entry] = []
        var shownCells: [[[Substring]]] = []
        var used = 0
        if results.follow {
            // The newest rows that fit, counting each row's height, from the newest back.
            first = rows.count
            while first > 0 {
                let cells = lines(rows[first - 1])
                if used + height(cells) > visibleCount, used > 0 { break }
                used += height(cells)
                first -= 1
                shown.append(rows[first])
                shownCells.append(cells)
            }
            shown.reverse()
            shownCells.reverse()
        } else {
            for row in rows[min(first, rows.count)...] {
                guard used < visibleCount else { break }
                let cells = lines(row)
                shown.append(row)
                shownCells.append(cells)
                used += height(cells)
            }
        }
        // Numbers right-aligned, and DOUBLEs in one notation within a column: Flink's text
        // switches to 1.99E7 from ten million, which the table writes out in full.
        let numeric = headers.indices.map { index in
            index >= (showKinds ? 1 : 0) && results.columns[index - (showKinds ? 1 : 0)].type.isNumeric
        }
        for (row, cells) in shownCells.enumerated() {
            for index in cells.indices where numeric[index] && cells[index].count == 1 {
                shownCells[row][index] = [Substring(Self.plainNumber(String(cells[index][0])))]
            }
        }
        // Columns fitted to the header and the rows on screen, each at most 40 wide (a cell of
        // several lines as wide as the pane).
        var widths = headers.map { DisplayWidth.of($0) }
        for cells in shownCells {
            for (index, cell) in cells.enumerated() where index < widths.count {
                let widest = cell.map { DisplayWidth.of(String($0)) }.max() ?? 0
                widths[index] = max(widths[index], min(cell.count > 1 ? area.width : 40, widest))
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
            let title = DisplayWidth.truncate(headers[column.index], to: column.width)
            let indent = numeric[column.index] ? max(0, column.width - DisplayWidth.of(title)) : 0
            grid.put(title, x: column.x + indent, y: area.y, style: WorkbenchView.header, limit: column.width - indent)
        }
        var y = tableTop
        for (offset, entry) in shown.enumerated() {
            let values = shownCells[offset]
            let rowHeight = min(height(values), area.maxY - y)
            guard rowHeight > 0 else { break }
            let isSelected = results.selected == first + offset && !results.follow
            if isSelected {
                grid.fill(Rect(x: area.x, y: y, width: area.width, height: rowHeight), style: Style(reverse: true))
            }
            for column in drawn where column.index < values.count {
                let changedCell = results.view == .table && entry.changed.contains(column.index - (showKinds ? 1 : 0))
                var style = changedCell ? WorkbenchView.changed : Style.plain
                style.reverse = isSelected
                for (line, text) in values[column.index].prefix(rowHeight).enumerated() {
                    let fitted = DisplayWidth.truncate(String(text), to: column.width)
                    let indent = numeric[column.index] ? max(0, column.width - DisplayWidth.of(fitted)) : 0
                    grid.put(fitted, x: column.x + indent, y: y + line, style: style, limit: column.width - indent)
                }
            }
            y += rowHeight
        }
    }

    /// A number's text without an exponent (1.99E7 as 19900000.0, 1.5E-5 as 0.000015), for
    /// exponents under 20; other text as it is.
    static func plainNumber(_ text: String) -> String {
        guard let e = text.firstIndex(where: { $0 == "E" || $0 == "e" }),
            let exponent = Int(text[text.index(after: e)...]),
            abs(exponent) < 20
        else { return text }
        var mantissa = Substring(text[..<e])
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa = mantissa.dropFirst() }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ $0.allSatisfy(\.isNumber) }), !parts[0].isEmpty else {
            return text
        }
        let digits = Array(parts[0] + (parts.count == 2 ? parts[1] : ""))
        let point = parts[0].count + exponent
        var whole: String
        var fraction: String
        if point <= 0 {
            whole = "0"
            fraction = String(repeating: "0", count: -point) + String(digits)
        } else if point >= digits.count {
            whole = String(digits) + String(repeating: "0", count: point - digits.count)
            fraction = ""
        } else {
            whole = String(digits[..<point])
            fraction = String(digits[point...])
        }
        whole = String(whole.drop { $0 == "0" })
        if whole.isEmpty { whole = "0" }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return (negative ? "-" : "") + whole + "." + (fraction.isEmpty ? "0" : fraction)
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
