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
    /// Where each row of `table` is, by its cells (rows may repeat): a -U or -D finds its row
    /// without a scan of the table.
    private var positions: [[String]: [Int]] = [:]
    /// Rows a -U marked, waiting for their +U.
    private var awaitingUpdate: [Int] = []
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
    /// Rows the pane showed in the last frame: scrolling up from the newest starts there.
    public var page = 10

    public init() {}

    public mutating func begin(columns: [String], changelog: Bool) {
        self.columns = columns
        self.changelog = changelog
        view = changelog ? .table : .append
        log = []
        table = []
        positions = [:]
        awaitingUpdate = []
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
                append(cells)
            case .updateBefore:
                if let index = positions[cells]?.last(where: { table[$0].kind != .updateBefore }) {
                    table[index].kind = .updateBefore
                    awaitingUpdate.append(index)
                }
            case .delete:
                if let index = positions[cells]?.last(where: { table[$0].kind != .updateBefore }) {
                    table.remove(at: index)
                    positions[cells]!.removeAll { $0 == index }
                    if positions[cells]!.isEmpty { positions[cells] = nil }
                    // Rows after it moved up one (their cells are not hashed again).
                    for slot in positions.indices {
                        for entry in positions.values[slot].indices where positions.values[slot][entry] > index { positions.values[slot][entry] -= 1 }
                    }
                    awaitingUpdate = awaitingUpdate.map { $0 > index ? $0 - 1 : $0 }
                }
            case .updateAfter:
                // The row the -U before it marked is updated in place, its changed cells noted.
                if let index = awaitingUpdate.popLast() {
                    let old = table[index].cells
                    positions[old]?.removeAll { $0 == index }
                    if positions[old]?.isEmpty == true { positions[old] = nil }
                    table[index] = Entry(kind: nil, cells: cells, changed: Set(cells.indices.filter { $0 >= old.count || old[$0] != cells[$0] }))
                    positions[cells, default: []].append(index)
                    positions[cells]!.sort()
                } else {
                    append(cells)
                }
            }
        }
        // Keep memory bounded on endless streams: the newest 100,000 changes.
        if log.count > 120_000 { log.removeFirst(log.count - 100_000) }
    }

    private mutating func append(_ cells: [String]) {
        table.append(Entry(kind: nil, cells: cells))
        positions[cells, default: []].append(table.count - 1)
    }

    /// The rows of the current view.
    public var rows: [Entry] { view == .table ? table : log }
}
