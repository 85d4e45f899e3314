import StreamSQL

/// What the results pane shows: a query's columns and rows as text. A changelog is kept both
/// as the list of changes (+I, -U, +U, -D) and as the table they amount to (rows updated in
/// place, the cells that changed marked); windowed results are an append-only list.
public struct ResultsModel: Sendable {
    public enum View: String, Sendable, CaseIterable {
        case table, changelog, append
    }

    public struct Entry: Sendable, Equatable {
        public var kind: RowKind?
        public var cells: [String]
        /// Cells changed by the latest update of this row (table view).
        public var changed: Set<Int> = []
    }

    public var columns: [String] = []
    public var changelog = false
    public var view: View = .table
    /// Every row as it came (the changelog and append views).
    public private(set) var log: [Entry] = []
    /// The rows the changes amount to (the table view).
    public private(set) var table: [Entry] = []
    public var state = ""
    public var statistics: [String: Int64] = [:]
    /// The first row shown, and the first column (horizontal scroll).
    public var top = 0
    public var left = 0
    /// Keep showing the newest rows as they come, until the user scrolls up.
    public var follow = true
    /// The row picked with the arrow keys (results focus); Enter shows it whole.
    public var selected: Int?
    /// Rows per second arriving now (while a query runs).
    public var rate = 0

    public init() {}

    public mutating func begin(columns: [String], changelog: Bool) {
        self.columns = columns
        self.changelog = changelog
        view = changelog ? .table : .append
        log = []
        table = []
        top = 0
        left = 0
        follow = true
        selected = nil
        rate = 0
        state = "running"
        statistics = [:]
    }

    public mutating func add(_ rows: [[String]], kinds: [RowKind]?) {
        for (position, cells) in rows.enumerated() {
            let kind = kinds?[position]
            log.append(Entry(kind: kind, cells: cells))
            switch kind ?? .insert {
            case .insert:
                table.append(Entry(kind: nil, cells: cells))
            case .updateBefore, .delete:
                if let index = table.lastIndex(where: { $0.cells == cells }) {
                    if kind == .delete { table.remove(at: index) } else { table[index].kind = .updateBefore }
                }
            case .updateAfter:
                // The row the -U before it marked is updated in place, its changed cells noted.
                if let index = table.lastIndex(where: { $0.kind == .updateBefore }) {
                    let old = table[index].cells
                    table[index] = Entry(kind: nil, cells: cells, changed: Set(cells.indices.filter { $0 >= old.count || old[$0] != cells[$0] }))
                } else {
                    table.append(Entry(kind: nil, cells: cells))
                }
            }
        }
        // Keep memory bounded on endless streams: the newest 100,000 changes.
        if log.count > 120_000 { log.removeFirst(log.count - 100_000) }
    }

    /// The rows of the current view.
    public var rows: [Entry] { view == .table ? table : log }
}
