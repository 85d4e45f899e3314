import Foundation
import SQLValues
import StreamSQL
import TerminalKit

/// The records of the tailed topic (`\\tail`), newest last, JSON coloured (or pretty with
/// `\\pretty`). With the focus, the arrows pick a record, Enter shows it whole, End (or Esc)
/// follows the newest again, and p pauses or resumes the tail.
enum TopicPane: Pane {
    static let focus = SessionModel.Focus.topic

    static func isShown(_ model: SessionModel) -> Bool { model.tail != nil }

    static func claims(_ key: Key, _ model: SessionModel) -> Bool {
        switch key {
        case .pageUp, .pageDown: true
        case .escape: model.tail?.selected != nil
        default: false
        }
    }

    static func handle(_ key: Key, model: inout SessionModel) -> KeyOutcome {
        guard let tail = model.tail else { return .passed }
        switch key {
        case .up: pick(-1, in: &model)
        case .down: pick(1, in: &model)
        case .pageUp: pick(-10, in: &model)
        case .pageDown: pick(10, in: &model)
        case .end, .escape: model.tail?.selected = nil
        case .enter: if let picked = tail.selected { model.show(.record(picked)) }
        case .character("p"): return .run([tail.paused ? "\\resume" : "\\pause"])
        case .character("c"): model.tail?.columns.toggle()
        case .character("/"):
            // A search is a filter typed in the input.
            model.editor.set("\\filter ")
            model.focus = .input
        default: return .passed
        }
        return .consumed
    }

    /// Moves the picked record by `step` (the newest first), among the records the filter shows.
    static func pick(_ step: Int, in model: inout SessionModel) {
        guard let shown = model.tail?.shown, !shown.isEmpty else { return }
        let current =
            model.tail?.selected.flatMap { picked in
                shown.lastIndex { $0.partition == picked.partition && $0.offset == picked.offset }
            } ?? shown.count
        let index = max(0, min(shown.count - 1, current + step))
        model.tail?.selected = RecordPosition(partition: shown[index].partition, offset: shown[index].offset)
    }

    static func draw(_ model: SessionModel, into grid: inout CellGrid, area: Rect, focused: Bool) {
        guard let tail = model.tail else { return }
        draw(tail, lit: model.timeline.visible ? litRecords(model) : [], into: &grid, area: area, focused: focused)
    }

    /// The picked record whole, over the panes: where it is, its key, and its value pretty.
    static func drawRecord(_ position: RecordPosition, _ model: SessionModel, into grid: inout CellGrid, area: Rect) {
        guard
            let entry = model.tail?.entries.last(where: {
                $0.partition == position.partition && $0.offset == position.offset
            })
        else { return }
        let box = Rect(x: area.x + 2, y: area.y + 1, width: area.width - 4, height: area.height - 2)
        grid.fill(box, style: .plain)
        grid.box(
            box, title: "Record p\(entry.partition) offset \(entry.offset) (Esc closes)", style: WorkbenchView.focused)
        let inner = box.inner
        let time = entry.timestamp > 0 ? CivilClock.timestamp(entry.timestamp) + " UTC" : "no timestamp"
        var lines: [(text: String, style: Style)] = [
            ("time \(time)", Style(dim: true)), ("key  \(entry.key ?? "(none)")", Style(bold: true)),
        ]
        for header in entry.headers {
            lines.append(("header \(header.key): \(header.value ?? "(no value)")", Style(dim: true)))
        }
        let heading = lines.count
        lines += JSONColours.pretty(entry.value).map { ($0, .plain) }
        for (offset, line) in lines.prefix(inner.height).enumerated() {
            var x = inner.x
            if offset < heading {
                grid.put(line.text, x: x, y: inner.y + offset, style: line.style, limit: inner.width)
                continue
            }
            for (text, style) in JSONColours.spans(line.text, anyText: true) where x < inner.maxX {
                x += grid.put(text, x: x, y: inner.y + offset, style: style, limit: inner.maxX - x)
            }
        }
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

    /// The tail's records, newest last, with the records `lit` (that fed the picked result row)
    /// marked, and the picked record (with the focus) reversed.
    static func draw(
        _ pane: TopicTail, lit: Set<RecordPosition>, into grid: inout CellGrid, area: Rect, focused: Bool
    ) {
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
        if pane.dropped > 0 { title += ", the oldest \(ResultsPane.grouped(pane.dropped)) not kept" }
        if focused {
            title +=
                pane.selected == nil ? " (↑↓ pick, / search, c columns, p pause)" : " (Enter shows it, End follows)"
        }
        grid.box(area, title: title, style: focused ? WorkbenchView.focused : WorkbenchView.border)
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
        if pane.columns {
            return drawColumns(pane, shown, into: &grid, area: inner)
        }
        // The newest records; with one picked, those around it; with records lit, the newest
        // that ends with the last lit one.
        var last = shown.count
        if let picked = pane.selected,
            let index = shown.lastIndex(where: { $0.partition == picked.partition && $0.offset == picked.offset })
        {
            last = min(shown.count, max(index + 1, index + inner.height / 2))
        } else if !lit.isEmpty,
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
            let position = RecordPosition(partition: entry.partition, offset: entry.offset)
            let isLit = lit.contains(position)
            if position == pane.selected {
                grid.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: Style(reverse: true))
            }
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

    /// The newest records as a table of their top-level JSON fields (in the order the records
    /// write them), after the partition, offset, time and key; the picked record reversed.
    static func drawColumns(_ pane: TopicTail, _ shown: [TailEntry], into grid: inout CellGrid, area inner: Rect) {
        guard inner.height >= 2 else { return }
        var last = shown.count
        if let picked = pane.selected,
            let index = shown.lastIndex(where: { $0.partition == picked.partition && $0.offset == picked.offset })
        {
            last = min(shown.count, max(index + 1, index + inner.height / 2))
        }
        let rows = Array(shown[..<last].suffix(inner.height - 1))
        var names: [String] = []
        for entry in rows {
            for name in TableInference.fieldNames(in: entry.value) where !names.contains(name) { names.append(name) }
        }
        let objects = rows.map { TailFilter.object($0) ?? [:] }
        let keyed = rows.contains { $0.key != nil }
        let headers = ["p", "offset", "time"] + (keyed ? ["key"] : []) + names
        let cells: [[String]] = zip(rows, objects).map { entry, object in
            let time = entry.timestamp > 0 ? String(CivilClock.time(entry.timestamp)) : "-"
            return ["\(entry.partition)", "\(entry.offset)", time] + (keyed ? [entry.key ?? ""] : [])
                + names.map { object[$0].map(text) ?? "" }
        }
        var widths = headers.map { DisplayWidth.of($0) }
        for row in cells {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], min(30, DisplayWidth.of(cell))) }
        }
        func put(_ values: [String], y: Int, style: Style) {
            var x = inner.x
            for (index, value) in values.enumerated() where x < inner.maxX {
                grid.put(
                    DisplayWidth.truncate(value, to: widths[index]), x: x, y: y, style: style, limit: inner.maxX - x)
                x += widths[index] + 2
            }
        }
        put(headers, y: inner.y, style: WorkbenchView.header)
        for (offset, row) in cells.enumerated() {
            let entry = rows[offset]
            let picked = pane.selected == RecordPosition(partition: entry.partition, offset: entry.offset)
            if picked {
                grid.fill(
                    Rect(x: inner.x, y: inner.y + 1 + offset, width: inner.width, height: 1),
                    style: Style(reverse: true))
            }
            put(row, y: inner.y + 1 + offset, style: picked ? Style(reverse: true) : .plain)
        }
    }

    /// A JSON value as a cell: strings as they are, numbers and literals as written, the rest as JSON.
    private static func text(_ value: Any) -> String {
        switch value {
        case let string as String: return string
        case let number as NSNumber:
            if TableInference.kind(of: number) == .boolean { return number.boolValue ? "true" : "false" }
            return number.stringValue
        case is NSNull: return "null"
        default:
            guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else {
                return ""
            }
            return String(decoding: data, as: UTF8.self)
        }
    }
}
