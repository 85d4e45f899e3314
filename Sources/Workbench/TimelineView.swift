import SQLPlanner
import SQLRuntime
import SQLValues
import StreamSQL
import TerminalKit

/// Where an event sits in its source: the split (a Kafka partition) and its offset there.
public struct EventPosition: Hashable, Sendable {
    public var split: Int
    public var offset: Int64

    public init(split: Int, offset: Int64) {
        self.split = split
        self.offset = offset
    }
}

/// The timeline pane as the user set it: shown or not, the running query's latest progress,
/// the time axis (zoom, and where it is when not following), the picked event, and the window
/// of the picked result row (whose events light up).
public struct TimelineState: Sendable {
    public var visible = false
    public var snapshot: TimelineSnapshot?
    /// The pane spans about three windows times 2^zoom.
    public var zoom = 0
    /// The event time at the pane's centre; nil follows the watermark.
    public var center: Int64?
    /// The picked event: the windows it belongs to are named under the axis.
    public var selected: EventPosition?
    /// The window [start, end) of the picked result row.
    public var lit: Range<Int64>?

    public var following: Bool { center == nil }
}

/// The timeline pane (`\timeline`): event time runs left to right. One lane per source split
/// with its events (•) and its own watermark (|), the combined watermark as a line (┊) and
/// a mark on the axis (▲); late events (×) where they would have landed; windows as spans
/// `[ … )` with their running aggregate, filled up to the watermark while open, faint once
/// fired. Windows that overlap (hopping, cumulating, sessions of different keys) are stacked
/// on rows of their own, so an overlap or a gap can be seen.
enum TimelineView {
    static let eventStyle = Style(foreground: .cyan, bold: true)
    static let watermarkStyle = Style(foreground: .yellow, bold: true)
    static let lateStyle = Style(foreground: .red, bold: true)
    static let openStyle = Style(foreground: .green, bold: true)
    static let waitingStyle = Style(foreground: .green)
    static let firedStyle = Style(dim: true)
    static let litStyle = Style(foreground: .magenta, bold: true)
    static let pickedStyle = Style(foreground: .magenta, bold: true, reverse: true)
    /// At most this many rows of stacked windows.
    static let windowRowLimit = 4

    // MARK: The time axis

    /// The length of one window (a session's gap) in microseconds.
    static func windowSize(_ snapshot: TimelineSnapshot) -> Int64 {
        if let size = snapshot.window?.size, size > 0 { return size }
        return (snapshot.openSpans.first ?? snapshot.firedSpans.last).map { $0.end - $0.start } ?? 5_000_000
    }

    /// The event time the pane spans at `zoom`.
    static func span(_ snapshot: TimelineSnapshot, zoom: Int) -> Int64 {
        let size = windowSize(snapshot)
        let base: Int64
        switch snapshot.window?.kind {
        case .session?: base = size * 6
        case .cumulate?: base = size * 3 / 2
        default: base = size * 3
        }
        return zoom >= 0 ? base << Int64(min(zoom, 20)) : max(1000, base >> Int64(min(-zoom, 20)))
    }

    /// The centre of the pane: where the user put it, or (following) so that the watermark —
    /// what makes windows fire — sits a third of the pane from the right edge, the events just
    /// ahead of it in view (before there is a watermark, the latest event).
    static func center(_ state: TimelineState, _ snapshot: TimelineSnapshot) -> Int64 {
        if let center = state.center { return center }
        let reference = snapshot.watermark ?? snapshot.events.last(where: { !$0.late })?.time ?? 0
        return reference - span(snapshot, zoom: state.zoom) / 6
    }

    /// The distance between labelled ticks: the windows' own rhythm, doubled until labels fit.
    static func tick(_ snapshot: TimelineSnapshot, scale: Int64) -> Int64 {
        var tick = max(snapshot.window?.step ?? windowSize(snapshot), 1000)
        // A label is 8 columns (HH:mm:ss), 12 with milliseconds; and a space between two.
        while tick / scale < 13 { tick *= 2 }
        return tick
    }

    /// Rows of the pane a snapshot needs (the workbench gives it at most half the results area).
    static func preferredHeight(_ snapshot: TimelineSnapshot) -> Int {
        let windowRows: Int
        switch snapshot.window?.kind {
        case .tumble?, nil: windowRows = 1
        default: windowRows = windowRowLimit
        }
        // The late row, the axis, its labels, the watermark in words, the picked event; the border.
        return snapshot.splits.count + windowRows + 5 + 2
    }

    // MARK: Words

    /// The windows' kind in words, for the pane's title: "tumbling 5 s", "hopping 10 s every 5 s".
    static func describe(_ shape: WindowShape) -> String {
        let size = IntervalText.describe(shape.size), step = IntervalText.describe(shape.step)
        switch shape.kind {
        case .tumble: return "tumbling \(size)"
        case .hop: return "hopping \(size) every \(step), stacked"
        case .cumulate: return "cumulating \(size) by \(step), growing from one start"
        case .session: return "sessions per key, closed by a \(size) gap"
        }
    }

    /// A session's key as its values, comma-separated.
    static func keyText(_ key: [Value]) -> String { key.map { ValueFormatter.plain($0) }.joined(separator: ",") }

    /// A window's running aggregate in words: "SUM(amount) 1250.5" for one key; "3 keys, Σ
    /// COUNT(*) 7" where the keys' values add up; else how many keys.
    static func aggregateText(_ span: WindowSpan) -> String {
        guard let aggregate = span.aggregate else { return span.groups == 1 ? "" : "\(span.groups) keys" }
        guard aggregate.summed else { return "\(aggregate.call) \(ValueFormatter.plain(aggregate.value))" }
        let total = aggregate.value.doubleValue ?? 0
        let text = total == total.rounded() && abs(total) < 1e15 ? String(Int64(total)) : String(format: "%.2f", total)
        return "\(span.groups) keys, Σ \(aggregate.call) \(text)"
    }

    // MARK: Drawing

    static func draw(_ state: TimelineState, into grid: inout CellGrid, area: Rect, focused: Bool) {
        guard let snapshot = state.snapshot else { return }
        let kind = snapshot.window.map(describe) ?? "event time →"
        let mode = state.following ? "following" : "scrolled (f follows)"
        grid.box(
            area, title: "Timeline — \(kind) · \(mode)", style: focused ? WorkbenchView.focused : WorkbenchView.border)
        let inner = area.inner
        // Each lane's label: its split, and its own watermark (minutes, seconds, milliseconds).
        let labels = snapshot.splits.map { lane in
            lane.name + (lane.watermark.map { " " + String(CivilClock.time($0 / 1000).suffix(9)) } ?? "")
        }
        let labelWidth = min(26, max(9, (labels.map { DisplayWidth.of($0) }.max() ?? 4) + 1))
        let plot = Rect(x: inner.x + labelWidth, y: inner.y, width: inner.width - labelWidth, height: inner.height)
        guard plot.width >= 10, inner.height >= 4 else { return }
        let span = span(snapshot, zoom: state.zoom)
        let scale = max(1, span / Int64(plot.width))
        let start = center(state, snapshot) - scale * Int64(plot.width) / 2
        let end = start + scale * Int64(plot.width)
        func column(_ time: Int64) -> Int? {
            guard time >= start, time < end else { return nil }
            return plot.x + Int((time - start) / scale)
        }
        let combined = snapshot.watermark.flatMap(column)
        let rows = plan(
            height: inner.height, splits: snapshot.splits.count,
            windowRows: snapshot.window?.kind == .tumble || snapshot.window == nil ? 1 : windowRowLimit,
            picked: focused || state.selected != nil)
        var row = inner.y

        // One lane per split.
        for (split, lane) in snapshot.splits.enumerated().prefix(rows.lanes) {
            grid.put(
                DisplayWidth.truncate(labels[split], to: labelWidth - 1), x: inner.x, y: row,
                style: lane.idle ? Style(dim: true) : .plain)
            grid.put(String(repeating: "·", count: plot.width), x: plot.x, y: row, style: Style(dim: true))
            for event in snapshot.events where event.split == split {
                guard let x = column(event.time) else { continue }
                let position = EventPosition(split: split, offset: event.offset)
                if position == state.selected {
                    grid[x, row] = Cell("◉", style: pickedStyle)
                } else if grid[x, row].style != pickedStyle {
                    let lit = state.lit?.contains(event.time) == true
                    grid[x, row] = Cell(lit ? "◆" : "•", style: lit ? litStyle : eventStyle)
                }
            }
            // The watermarks over the events: on whole-second data the watermark falls on an
            // event's column, and it is what the lesson asks to watch.
            if let combined { grid[combined, row] = Cell("┊", style: watermarkStyle) }
            if let watermark = lane.watermark, let x = column(watermark) {
                grid[x, row] = Cell("|", style: watermarkStyle)
            }
            if lane.idle { grid.put(" idle ", x: plot.maxX - 6, y: row, style: Style(dim: true)) }
            row += 1
        }
        if rows.lanes < snapshot.splits.count {
            grid.put(
                "+\(snapshot.splits.count - rows.lanes) more", x: plot.maxX - 8, y: row - 1, style: Style(dim: true))
        }

        // Late events, where their windows were.
        if rows.late {
            grid.put(
                "late \(snapshot.lateRows)", x: inner.x, y: row,
                style: snapshot.lateRows > 0 ? lateStyle : Style(dim: true), limit: labelWidth - 1)
            for event in snapshot.events where event.late {
                if let x = column(event.time) { grid[x, row] = Cell("×", style: lateStyle) }
            }
            // Late events far behind (the usual case: their windows fired long ago) point left,
            // with the newest one's time and how far behind the watermark it came.
            if let behind = snapshot.events.last(where: { $0.late && $0.time < start }) {
                var label = "◂× " + String(CivilClock.time(behind.time / 1000).suffix(9))
                if let watermark = snapshot.watermark, watermark > behind.time {
                    label += ", \(WhyExplainer.seconds(watermark - behind.time)) behind"
                }
                grid.put(label, x: plot.x, y: row, style: lateStyle, limit: plot.width)
            }
            row += 1
        }

        // Windows, stacked where they overlap.
        if rows.windows > 0 {
            grid.put("windows", x: inner.x, y: row)
            drawWindows(
                snapshot, state, into: &grid, rows: row..<(row + rows.windows), plot: plot, column: column,
                range: start..<end, watermark: combined)
            row += rows.windows
        }

        // The axis: ticks at the windows' rhythm, the combined watermark (▲).
        let tick = tick(snapshot, scale: scale)
        var ticks: [(x: Int, time: Int64)] = []
        var mark = start - ((start % tick) + tick) % tick
        while mark < end {
            if let x = column(mark) { ticks.append((x, mark)) }
            mark += tick
        }
        if rows.axis {
            grid.put(String(repeating: "─", count: plot.width), x: plot.x, y: row, style: Style(dim: true))
            for (x, _) in ticks { grid[x, row] = Cell("┴", style: Style(dim: true)) }
            if let combined {
                grid[combined, row] = Cell("▲", style: watermarkStyle)
            } else if let watermark = snapshot.watermark {
                // Off the pane: which way it is.
                if watermark < start {
                    grid.put("◂▲", x: plot.x, y: row, style: watermarkStyle)
                } else {
                    grid.put("▲▸", x: plot.maxX - 2, y: row, style: watermarkStyle)
                }
            }
            row += 1
        }
        if rows.labels {
            var free = plot.x
            for (x, time) in ticks {
                let label =
                    tick % 1_000_000 == 0
                    ? String(CivilClock.time(time / 1000).prefix(8)) : CivilClock.time(time / 1000)
                let labelX = x - DisplayWidth.of(label) / 2
                guard labelX >= free, labelX + DisplayWidth.of(label) <= plot.maxX else { continue }
                grid.put(label, x: labelX, y: row, style: Style(dim: true))
                free = labelX + DisplayWidth.of(label) + 1
            }
            row += 1
        }
        // The combined watermark and what it waits for, in words.
        if rows.facts {
            var facts: [String] = []
            if let watermark = snapshot.watermark {
                facts.append("▲ watermark \(CivilClock.time(watermark / 1000))")
            } else {
                facts.append("no watermark yet")
            }
            if let next = snapshot.nextWindowEnd {
                facts.append("next fires at \(CivilClock.time((next - 1000) / 1000))")
            }
            facts.append("\(snapshot.openWindows) open")
            if snapshot.lateRows > 0 { facts.append("\(snapshot.lateRows) late") }
            grid.put(facts.joined(separator: " · "), x: inner.x, y: row, style: watermarkStyle, limit: inner.width)
            row += 1
        }
        guard rows.picked else { return }
        if let line = pickedLine(state, snapshot) {
            grid.put(line, x: inner.x, y: row, style: litStyle, limit: inner.width)
        } else if focused {
            grid.put(
                "←→ scroll  +/- zoom  f follow  ↑↓ pick an event  Esc unpick", x: inner.x, y: row,
                style: Style(dim: true), limit: inner.width)
        }
    }

    /// The rows the pane has room for.
    struct Rows: Equatable {
        var lanes = 0, windows = 0
        var late = false, axis = false, labels = false, facts = false, picked = false
    }

    /// Which rows fit in `height`, the most needed first: every lane (keeping three rows for
    /// what follows), a row of windows, the axis, the watermark in words, the late events, the
    /// axis labels, the picked event (when it is wanted), then more rows of stacked windows.
    static func plan(height: Int, splits: Int, windowRows: Int, picked: Bool) -> Rows {
        var rows = Rows()
        var left = height
        rows.lanes = max(0, min(splits, left - 3))
        left -= rows.lanes
        func take() -> Bool {
            guard left > 0 else { return false }
            left -= 1
            return true
        }
        rows.windows = take() ? 1 : 0
        rows.axis = take()
        rows.facts = take()
        rows.late = take()
        rows.labels = take()
        if picked { rows.picked = take() }
        while rows.windows < windowRows, take() { rows.windows += 1 }
        return rows
    }

    /// Fired and open windows on up to `rows.count` rows: each window on the first row where
    /// it does not touch another.
    private static func drawWindows(
        _ snapshot: TimelineSnapshot, _ state: TimelineState, into grid: inout CellGrid, rows: Range<Int>,
        plot: Rect, column: (Int64) -> Int?, range: Range<Int64>, watermark: Int?
    ) {
        // Open windows are placed first: when rows run out, the fired ones give way.
        func visible(_ spans: [WindowSpan]) -> [WindowSpan] {
            spans.filter { $0.end > range.lowerBound && $0.start < range.upperBound }.sorted {
                ($0.start, $0.end) < ($1.start, $1.end)
            }
        }
        let spans = visible(snapshot.openSpans).map { ($0, false) } + visible(snapshot.firedSpans).map { ($0, true) }
        var taken = Array(repeating: [ClosedRange<Int>](), count: rows.count)
        for (span, fired) in spans {
            // A window takes the columns from its start's up to (not including) its end's, so
            // windows that touch in time sit side by side.
            let from = column(span.start) ?? plot.x
            let to = column(span.end).map { $0 - 1 } ?? plot.maxX - 1
            guard from <= to, let slot = taken.firstIndex(where: { $0.allSatisfy { !$0.overlaps(from...to) } }) else {
                continue
            }
            taken[slot].append(from...to)
            let y = rows.lowerBound + slot
            let lit = state.lit == span.start..<span.end
            for x in from...to {
                if fired {
                    grid[x, y] = Cell("─", style: lit ? litStyle : firedStyle)
                } else {
                    // An open window fills up to the watermark: the rest is what it still waits for.
                    let filled = watermark.map { x <= $0 } ?? false
                    grid[x, y] = Cell(filled ? "═" : "─", style: lit ? litStyle : filled ? openStyle : waitingStyle)
                }
            }
            let style = lit ? litStyle : fired ? firedStyle : openStyle
            if column(span.start) != nil { grid[from, y] = Cell("[", style: style) }
            if column(span.end) != nil { grid[to, y] = Cell(")", style: style) }
            var label = span.key.map { "\(keyText($0)): " } ?? ""
            label += (fired ? "✓ " : "") + aggregateText(span)
            if to - from - 1 >= 3 {
                grid.put(DisplayWidth.truncate(label, to: to - from - 1), x: from + 1, y: y, style: style)
            }
        }
    }

    /// The picked event in words: where it is, when, and the windows it belongs to.
    static func pickedLine(_ state: TimelineState, _ snapshot: TimelineSnapshot) -> String? {
        guard let picked = state.selected,
            let event = snapshot.events.last(where: {
                !$0.late && $0.split == picked.split && $0.offset == picked.offset
            })
        else { return nil }
        let split = picked.split < snapshot.splits.count ? snapshot.splits[picked.split].name : "split \(picked.split)"
        var windows: [(start: Int64, end: Int64)] = snapshot.window?.windows(containing: event.time) ?? []
        if windows.isEmpty {
            // Sessions: the spans that cover it.
            windows = (snapshot.openSpans + snapshot.firedSpans).filter {
                $0.start <= event.time && event.time < $0.end
            }.map { ($0.start, $0.end) }
        }
        let named = windows.prefix(3).map { window -> String in
            let state = window.end - 1000 <= (snapshot.watermark ?? .min) ? "fired" : "open"
            return "[\(CivilClock.time(window.start / 1000)), \(CivilClock.time(window.end / 1000))) \(state)"
        }
        return "◉ \(split) offset \(event.offset) at \(CivilClock.time(event.time / 1000)) → "
            + (named.isEmpty ? "in no window yet" : named.joined(separator: ", ") + (windows.count > 3 ? " …" : ""))
    }
}
