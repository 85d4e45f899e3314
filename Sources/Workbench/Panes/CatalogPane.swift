import TerminalKit

/// The catalog beside the results (on screens 80 columns wide or more): the broker's topics,
/// the session's tables and the running jobs. With the focus, the arrows pick an entry and
/// Enter acts on it: a topic is tailed, a table described, a job's stall explained (`\why`).
enum CatalogPane: Pane {
    static let focus = SessionModel.Focus.catalog

    /// What can be picked in the catalog.
    enum Entry: Equatable {
        case topic(String), table(String), job(String)

        /// What Enter runs for it.
        var action: String {
            switch self {
            case let .topic(name): "\\tail \(name)"
            case let .table(name): "DESCRIBE \(Self.quoted(name));"
            case let .job(id): "\\why \(id)"
            }
        }

        /// A table's name as SQL reads it: backquoted unless a plain identifier.
        static func quoted(_ name: String) -> String {
            let plain =
                name.first.map { $0.isLetter || $0 == "_" } == true
                && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
            return plain ? name : "`" + name.replacingOccurrences(of: "`", with: "``") + "`"
        }
    }

    static func isShown(_ model: SessionModel) -> Bool { model.screenWidth >= 80 }

    static func entries(_ model: SessionModel) -> [Entry] {
        (model.topics ?? []).map { .topic($0.name) } + model.tables.map(Entry.table) + model.jobs.map { .job($0.id) }
    }

    static func claims(_ key: Key, _ model: SessionModel) -> Bool { key == .escape && model.catalogPick != nil }

    static func handle(_ key: Key, model: inout SessionModel) -> KeyOutcome {
        let entries = entries(model)
        switch key {
        case .up, .down:
            guard !entries.isEmpty else { return .consumed }
            let step = key == .down ? 1 : -1
            let current = model.catalogPick.flatMap { entries.firstIndex(of: $0) } ?? (step > 0 ? -1 : entries.count)
            model.catalogPick = entries[max(0, min(entries.count - 1, current + step))]
        case .escape: model.catalogPick = nil
        case .enter:
            guard let picked = model.catalogPick, entries.contains(picked) else { return .consumed }
            return .run([picked.action])
        default: return .passed
        }
        return .consumed
    }

    static func draw(_ model: SessionModel, into grid: inout CellGrid, area: Rect, focused: Bool) {
        var title = "Catalog"
        if focused { title += model.catalogPick == nil ? " (↑↓ pick)" : " (Enter)" }
        grid.box(area, title: title, style: focused ? WorkbenchView.focused : WorkbenchView.border)
        let inner = area.inner
        var row = inner.y
        let picked = focused ? model.catalogPick : nil
        func line(_ text: String, _ style: Style = .plain, entry: Entry? = nil) {
            guard row < inner.maxY else { return }
            var style = style
            if let entry, entry == picked {
                grid.fill(Rect(x: inner.x, y: row, width: inner.width, height: 1), style: Style(reverse: true))
                style.reverse = true
            }
            grid.put(text, x: inner.x, y: row, style: style, limit: inner.width)
            row += 1
        }
        if let topics = model.topics {
            line("Topics", WorkbenchView.header)
            if topics.isEmpty { line("  (none)", Style(dim: true)) }
            for topic in topics {
                line("  \(topic.name) \(topic.partitions)p \(topic.messages)", entry: .topic(topic.name))
                if let rates = model.topicRates[topic.name], rates.contains(where: { $0 > 0 }) {
                    line("    " + sparkline(rates) + " \(Int(rates.last!.rounded()))/s", Style(foreground: .green))
                }
            }
            row += row < inner.maxY ? 1 : 0
        }
        line("Tables", WorkbenchView.header)
        if model.tables.isEmpty { line("  (none)", Style(dim: true)) }
        for table in model.tables { line("  " + table, entry: .table(table)) }
        row += row < inner.maxY ? 1 : 0
        line("Jobs", WorkbenchView.header)
        if model.jobs.isEmpty { line("  (none)", Style(dim: true)) }
        for job in model.jobs {
            line("  \(job.id) \(job.status.prefix(8))", entry: .job(job.id))
            line("    \(job.rowsIn) in, \(job.rowsOut) out", Style(dim: true))
            line("    wm \(job.watermark) lag \(job.lag)", Style(dim: true))
        }
    }

    /// Rates as a row of block characters, the highest the tallest.
    static func sparkline(_ rates: [Double]) -> String {
        let blocks = Array("▁▂▃▄▅▆▇█")
        let highest = max(rates.max() ?? 0, 1e-9)
        return String(
            rates.map { blocks[min(blocks.count - 1, Int(($0 / highest * Double(blocks.count - 1)).rounded()))] })
    }
}
