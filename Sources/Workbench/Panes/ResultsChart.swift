import SQLSyntax
import SQLValues
import TerminalKit

/// The results drawn rather than listed (F2's chart view): over window time, a line of points
/// per key — each window's value where its window starts — as the windows fire; without a
/// time column, a bar per key, updated in place as the changelog changes it. The value is the
/// last numeric column; the key, the columns that are neither it nor a time.
enum ResultsChart {
    /// Which columns the chart reads.
    struct Shape: Equatable {
        /// The first timestamp column (window_start, TUMBLE_START), when there is one.
        let time: Int?
        let value: Int
        let keys: [Int]
    }

    static func shape(_ columns: [Column]) -> Shape? {
        func isTime(_ type: DataType) -> Bool {
            if case .timestamp = type { return true }
            if case .timestampLTZ = type { return true }
            return false
        }
        guard let value = columns.lastIndex(where: { $0.type.isNumeric }) else { return nil }
        let time = columns.firstIndex { isTime($0.type) }
        let keys = columns.indices.filter { $0 != value && !isTime(columns[$0].type) }
        return Shape(time: time, value: value, keys: keys)
    }

    static let palette: [Color] = [.cyan, .yellow, .green, .magenta, .blue, .red, .white]

    static func draw(_ results: ResultsModel, into grid: inout CellGrid, area: Rect) {
        guard let shape = shape(results.columns) else {
            grid.put(
                "no numeric column to chart (F2 for the other views)", x: area.x, y: area.y, style: Style(dim: true))
            return
        }
        guard area.height >= 4, area.width >= 20 else { return }
        // Read from the newest row back, only as far as the chart has room for: a frame does
        // not walk the whole of 100,000 kept rows.
        let rows = results.rows
        func key(_ entry: ResultsModel.Entry) -> String {
            shape.keys.isEmpty
                ? results.columns[shape.value].name
                : shape.keys.map { ValueFormatter.plain(entry.values[$0]) }.joined(separator: " ")
        }
        if let time = shape.time {
            let integral: Bool =
                switch results.columns[shape.value].type {
                case .tinyint, .smallint, .int, .bigint: true
                default: false
                }
            drawLines(rows, time: time, value: shape.value, integral: integral, key: key, into: &grid, area: area)
        } else {
            drawBars(rows, value: shape.value, key: key, into: &grid, area: area)
        }
    }

    /// A bar per key (the newest value of each, in the order keys first came).
    private static func drawBars(
        _ rows: ResultRows, value: Int, key: (ResultsModel.Entry) -> String, into grid: inout CellGrid, area: Rect
    ) {
        // The newest value of the newest keys that fit, in the order the rows hold them.
        var newestFirst: [String] = []
        var values: [String: Value] = [:]
        for row in rows.reversed() where newestFirst.count < area.height {
            let name = key(row)
            guard values[name] == nil else { continue }
            newestFirst.append(name)
            values[name] = row.values[value]
        }
        let shown = newestFirst.reversed()
        let largest = max(1e-9, shown.map { abs(values[$0]!.doubleValue ?? 0) }.max() ?? 1)
        let labelWidth = min(16, (shown.map { DisplayWidth.of($0) }.max() ?? 1) + 1)
        for (offset, name) in shown.enumerated() {
            let y = area.y + offset
            let number = values[name]!.doubleValue ?? 0
            let text = ResultsPane.plainNumber(ValueFormatter.plain(values[name]!))
            let barSpace = max(1, area.width - labelWidth - DisplayWidth.of(text) - 2)
            let length = Int((abs(number) / largest * Double(barSpace)).rounded())
            grid.put(DisplayWidth.truncate(name, to: labelWidth - 1), x: area.x, y: y, limit: labelWidth - 1)
            let colour = palette[offset % palette.count]
            grid.put(
                String(repeating: "█", count: length), x: area.x + labelWidth, y: y, style: Style(foreground: colour))
            grid.put(text, x: area.x + labelWidth + length + 1, y: y, style: Style(dim: true))
        }
    }

    /// A line of points per key over window time: the newest windows that fit the width.
    private static func drawLines(
        _ rows: ResultRows, time: Int, value: Int, integral: Bool, key: (ResultsModel.Entry) -> String,
        into grid: inout CellGrid, area: Rect
    ) {
        let spacing = 3
        func label(_ number: Double) -> String {
            integral ? String(Int64(number)) : ResultsPane.plainNumber(ValueFormatter.plain(.double(number)))
        }
        // The newest windows that can fit the width (the plot is a little narrower: a few more are read).
        var keysNewestFirst: [String] = []
        var points: [String: [Int64: Double]] = [:]
        var times = Set<Int64>()
        for row in rows.reversed() {
            guard let at = row.values[time].timestampMicros, let number = row.values[value].doubleValue else {
                continue
            }
            if !times.contains(at), times.count > area.width / spacing { break }
            let name = key(row)
            if points[name] == nil { keysNewestFirst.append(name) }
            if points[name]?[at] == nil { points[name, default: [:]][at] = number }
            times.insert(at)
        }
        let keys = Array(keysNewestFirst.reversed())
        // A legend on the first row; the value axis down the left; the time axis at the bottom.
        var x = area.x
        for (index, name) in keys.prefix(12).enumerated() where x < area.maxX {
            let colour = palette[index % palette.count]
            x += grid.put("● ", x: x, y: area.y, style: Style(foreground: colour), limit: area.maxX - x)
            x += grid.put(name + "  ", x: x, y: area.y, limit: area.maxX - x)
        }
        let values = points.values.flatMap(\.values)
        let top = values.max() ?? 1
        let bottom = min(0, values.min() ?? 0)
        let topText = label(top)
        let gutter = min(14, max(DisplayWidth.of(topText), 2) + 1)
        let plot = Rect(x: area.x + gutter, y: area.y + 1, width: area.width - gutter, height: area.height - 2)
        guard plot.height >= 2, plot.width >= 4 else { return }
        let sorted = times.sorted().suffix(max(1, (plot.width - 1) / spacing + 1))
        grid.put(topText, x: area.x, y: plot.y, style: Style(dim: true), limit: gutter - 1)
        grid.put(label(bottom), x: area.x, y: plot.maxY - 1, style: Style(dim: true), limit: gutter - 1)
        for row in plot.y..<plot.maxY { grid[plot.x - 1, row] = Cell("│", style: Style(dim: true)) }
        let span = max(1e-9, top - bottom)
        for (column, at) in sorted.enumerated() {
            let cellX = plot.x + column * spacing
            for (index, name) in keys.enumerated() {
                guard let number = points[name]?[at] else { continue }
                let row = plot.maxY - 1 - Int(((number - bottom) / span * Double(plot.height - 1)).rounded())
                grid[cellX, row] = Cell("●", style: Style(foreground: palette[index % palette.count], bold: true))
            }
        }
        // The first and the newest window's start under the axis.
        let axisY = area.maxY - 1
        if let first = sorted.first, let last = sorted.last {
            grid.put(String(EventTimeText.format(first).suffix(8)), x: plot.x, y: axisY, style: Style(dim: true))
            let lastText = String(EventTimeText.format(last).suffix(8))
            let lastX = plot.x + (sorted.count - 1) * spacing - DisplayWidth.of(lastText) + 1
            if sorted.count > 1, lastX > plot.x + 9 {
                grid.put(lastText, x: lastX, y: axisY, style: Style(dim: true))
            }
        }
    }
}
