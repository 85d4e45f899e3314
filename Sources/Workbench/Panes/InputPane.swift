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
        _ = drawWithCursor(model, into: &grid, area: area, focused: focused)
    }

    /// Draws the input; returns where the cursor goes.
    static func drawWithCursor(
        _ model: SessionModel, into grid: inout CellGrid, area: Rect, focused: Bool
    ) -> (x: Int, y: Int)? {
        let editor = model.editor.snapshot
        let mode = !model.editor.viKeys ? "" : editor.viCommandMode ? " [vi command]" : " [vi insert]"
        let title = editor.prompt ?? "SQL\(mode) — Enter runs a statement ending in ;  (\\help)"
        grid.box(area, title: title, style: focused ? WorkbenchView.focused : WorkbenchView.border)
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
}
