import StreamSQL
import TerminalKit

/// The timeline pane (`\timeline`): event time runs left to right; one lane per source split
/// with its rows (•) and its watermark (|); late rows (×) where they would have landed;
/// open windows as spans that fill, fired ones faint; the combined watermark (▲) on the axis.
enum TimelineView {
    static let eventStyle = Style(foreground: .cyan, bold: true)
    static let watermarkStyle = Style(foreground: .yellow, bold: true)
    static let lateStyle = Style(foreground: .red, bold: true)
    static let openStyle = Style(foreground: .green, bold: true)
    static let firedStyle = Style(dim: true)

    static func draw(_ snapshot: JobProgress.Snapshot, into grid: inout CellGrid, area: Rect) {
        grid.box(area, title: "Timeline — event time →  (\\timeline closes)", style: WorkbenchView.border)
        let inner = area.inner
        let labelWidth = min(14, max(6, (snapshot.splits.map { DisplayWidth.of($0.name) }.max() ?? 4) + 1))
        let plot = Rect(x: inner.x + labelWidth, y: inner.y, width: inner.width - labelWidth, height: inner.height)
        guard plot.width >= 10, inner.height >= 4 else { return }
        // The scale: about three windows across the pane, ending a window past the watermark.
        let size = (snapshot.openSpans.first ?? snapshot.firedSpans.last).map { $0.end - $0.start } ?? 5_000_000
        let latest = snapshot.events.last?.time ?? snapshot.watermark ?? 0
        let reference = max(snapshot.watermark ?? latest, latest)
        let scale = max(1000, size * 3 / Int64(plot.width))
        let end = reference + size / 2
        let start = end - scale * Int64(plot.width)
        func column(_ time: Int64) -> Int? {
            guard time >= start, time < end else { return nil }
            return plot.x + Int((time - start) / scale)
        }
        var row = inner.y
        // One lane per split.
        for (split, state) in snapshot.splits.enumerated() where row < inner.maxY - 3 {
            grid.put(DisplayWidth.truncate(state.name, to: labelWidth - 1), x: inner.x, y: row, style: state.idle ? Style(dim: true) : .plain)
            grid.put(String(repeating: "·", count: plot.width), x: plot.x, y: row, style: Style(dim: true))
            for event in snapshot.events where event.split == split { if let x = column(event.time) { grid[x, row] = Cell("•", style: eventStyle) } }
            if let watermark = state.watermark, let x = column(watermark) { grid[x, row] = Cell("|", style: watermarkStyle) }
            if state.idle { grid.put(" idle ", x: plot.maxX - 6, y: row, style: Style(dim: true)) }
            row += 1
        }
        // Late rows, where their windows were.
        grid.put("late", x: inner.x, y: row, style: lateStyle)
        for event in snapshot.events where event.late { if let x = column(event.time) { grid[x, row] = Cell("×", style: lateStyle) } }
        row += 1
        // Windows: fired ones faint, open ones bold, each [start, end).
        grid.put("windows", x: inner.x, y: row)
        for (spans, style) in [(snapshot.firedSpans, firedStyle), (snapshot.openSpans, openStyle)] {
            for span in spans {
                let from = max(plot.x, column(span.start) ?? (span.start < start ? plot.x : plot.maxX))
                let to = min(plot.maxX - 1, column(span.end) ?? (span.end >= end ? plot.maxX - 1 : plot.x))
                guard from <= to else { continue }
                for x in from...to { grid[x, row] = Cell(style == openStyle ? "═" : "─", style: style) }
                if column(span.start) != nil { grid[from, row] = Cell("[", style: style) }
                if column(span.end) != nil { grid[to, row] = Cell(")", style: style) }
                let label = "\(span.groups)"
                if style == openStyle, to - from > label.count + 2 { grid.put(label, x: from + 1, y: row, style: style) }
            }
        }
        row += 1
        // The axis: the combined watermark (▲, named below it) and the times at both ends.
        guard row < inner.maxY else { return }
        let left = CivilClock.time(start / 1000), right = CivilClock.time(end / 1000)
        var taken: [Range<Int>] = []
        if let watermark = snapshot.watermark, let x = column(watermark) {
            grid[x, row] = Cell("▲", style: watermarkStyle)
            let label = "watermark \(CivilClock.time(watermark / 1000))"
            let labelX = min(max(plot.x, x - DisplayWidth.of(label) / 2), plot.maxX - DisplayWidth.of(label))
            if row + 1 < inner.maxY { grid.put(label, x: labelX, y: row + 1, style: watermarkStyle) }
            taken.append((x - 1)..<(x + 2))
        }
        for (text, x) in [(left, plot.x), (right, plot.maxX - DisplayWidth.of(right))] where !taken.contains(where: { $0.overlaps(x..<(x + DisplayWidth.of(text))) }) {
            grid.put(text, x: x, y: row, style: Style(dim: true))
        }
    }
}
