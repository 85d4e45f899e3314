import TerminalKit

/// The input: GNU readline's line editor (emacs or vi keys, history, Ctrl-R), Tab completing
/// the word before the cursor, Enter running a whole statement or starting a new line.
enum InputPane: Pane {
    static let focus = SessionModel.Focus.input

    static func isShown(_ model: SessionModel) -> Bool { true }

    /// While readline asks for something (Ctrl-R's search) every editing key is readline's;
    /// Tab after a word completes it; Esc in vi insert mode is vi's.
    static func claims(_ key: Key, _ model: SessionModel) -> Bool {
        if model.editor.isAsking, isEditingKey(key) { return true }
        switch key {
        case .tab: return !model.editor.wordBeforeCursor.isEmpty
        case .escape: return model.editor.viKeys && !model.editor.viCommandMode
        default: return false
        }
    }

    /// Keys readline has a meaning for; the function keys, paging, the mouse and Ctrl-C (stop
    /// the query, or drop the input and the search) stay the workbench's.
    static func isEditingKey(_ key: Key) -> Bool { key != .control("c") && InputEditor.bytes(of: key) != nil }

    static func handle(_ key: Key, model: inout SessionModel) -> KeyOutcome {
        var statements: [String] = []
        if model.editor.isAsking, isEditingKey(key) {
            // Enter ends the search and runs what it found once that is a whole statement.
            guard key == .enter else {
                model.editor.handle(key)
                return .consumed
            }
            model.editor.endSearch()
            return model.editor.isComplete ? .run([model.editor.take()]) : .consumed
        }
        switch key {
        case .tab:
            let words = model.completionWords + (model.topics?.map(\.name) ?? [])
            let matches = model.editor.complete(from: words)
            if matches.count > 1 {
                model.note(matches.prefix(30).joined(separator: "  ") + (matches.count > 30 ? "  …" : ""))
            }
            return .consumed
        case .escape:
            // Vi's command mode; in emacs keys, readline's Meta prefix (Esc then b is Meta-b).
            if !model.editor.enterViCommandMode() { model.editor.handle(key) }
            return .consumed
        case .enter:
            if model.editor.isComplete { statements.append(model.editor.take()) } else { model.editor.newline() }
        case .control("j"): model.editor.newline()
        default: model.editor.handle(key)
        }
        // A line readline accepted by a binding of its own (Ctrl-O, an inputrc macro).
        while let line = model.editor.takeAccepted() { statements.append(line) }
        return statements.isEmpty ? .consumed : .run(statements)
    }

    static func draw(_ model: SessionModel, into grid: inout CellGrid, area: Rect, focused: Bool) {
        let rows = ScreenRows(model.editor.snapshot, width: area.width - 4)
        _ = drawWithCursor(model, rows, into: &grid, area: area, focused: focused)
    }

    /// Draws the input; returns where the cursor goes. A line wider than the pane wraps onto
    /// the rows below it, so every character typed stays in view; the rows around the cursor's
    /// are shown when the statement is taller than the pane.
    /// `layout` is the statement cut to the pane's width (`ScreenRows` at `area.width - 4`):
    /// the frame makes it once, to size the pane and to draw it.
    static func drawWithCursor(
        _ model: SessionModel, _ layout: ScreenRows, into grid: inout CellGrid, area: Rect, focused: Bool
    ) -> (x: Int, y: Int)? {
        let editor = layout.editor
        let mode = !model.editor.viKeys ? "" : editor.viCommandMode ? " [vi command]" : " [vi insert]"
        let title = editor.prompt ?? "SQL\(mode) — Enter runs a statement ending in ;  (\\help)"
        grid.box(area, title: title, style: focused ? WorkbenchView.focused : WorkbenchView.border)
        let inner = area.inner
        guard !inner.isEmpty, inner.width > 2 else { return nil }
        // Keep the cursor's row in view.
        let first = max(0, layout.cursor.row - inner.height + 1)
        for (offset, row) in layout.rows.dropFirst(first).prefix(inner.height).enumerated() {
            let y = inner.y + offset
            var x =
                inner.x
                + grid.put(
                    row.startsLine && row.line == 0 ? "> " : row.startsLine ? "  " : "↪ ", x: inner.x, y: y,
                    style: row.startsLine ? .plain : Style(dim: true), limit: inner.width)
            for (text, style) in row.spans where x < inner.maxX {
                x += grid.put(text, x: x, y: y, style: style, limit: inner.maxX - x)
            }
        }
        return (min(inner.maxX - 1, inner.x + 2 + layout.cursor.column), inner.y + layout.cursor.row - first)
    }

    /// The statement's lines cut into screen rows of `width` columns (coloured as SQL), and the
    /// cursor's place among them.
    struct ScreenRows {
        struct Row {
            /// The statement's line this row shows (part of).
            let line: Int
            /// Whether it is the first row of its line (the others continue it).
            let startsLine: Bool
            var spans: [(String, Style)] = []
        }

        /// What readline holds: the text, the cursor, the prompt.
        let editor: InputEditor.Snapshot
        private(set) var rows: [Row] = []
        private(set) var cursor = (row: 0, column: 0)

        init(_ editor: InputEditor.Snapshot, width: Int) {
            self.editor = editor
            let width = max(1, width)
            for (index, line) in editor.lines.enumerated() {
                var row = Row(line: index, startsLine: true)
                var used = 0
                var characters = 0
                let cursorHere = index == editor.row
                func cursorCheck() {
                    if cursorHere, characters == editor.column { cursor = (rows.count, used) }
                }
                for (text, style) in SQLColours.spans(String(line)) {
                    var piece = ""
                    for character in text {
                        cursorCheck()
                        let size = DisplayWidth.of(character)
                        if used + size > width {
                            if !piece.isEmpty { row.spans.append((piece, style)) }
                            rows.append(row)
                            (row, piece, used) = (Row(line: index, startsLine: false), "", 0)
                            cursorCheck()
                        }
                        piece.append(character)
                        used += size
                        characters += 1
                    }
                    if !piece.isEmpty { row.spans.append((piece, style)) }
                }
                if cursorHere, characters == editor.column {
                    // The cursor after the line's last character: on a row of its own when that one is full.
                    if used >= width {
                        rows.append(row)
                        row = Row(line: index, startsLine: false)
                        used = 0
                    }
                    cursor = (rows.count, used)
                }
                rows.append(row)
            }
        }
    }
}
