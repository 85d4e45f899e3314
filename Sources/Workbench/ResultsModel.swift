import SQLSyntax
import SQLValues
import StreamSQL

/// What the results pane shows: a query's columns and its newest rows, as values (turned
/// into text only when a screen shows them). A changelog is kept both as the list of changes
/// (+I, -U, +U, -D) and as the table they amount to (rows updated in place, the cells that
/// changed marked); windowed results are an append-only list. Each is bounded by `capacity`
/// rows: the oldest go first, and the count of rows received says how many came in all.
public struct ResultsModel: Sendable {
    public enum View: String, Sendable, CaseIterable {
        /// `chart`: the rows drawn (`ResultsChart`): a line per key over window time, or a bar per key.
        case table, changelog, append, chart
    }

    public struct Entry: Sendable, Equatable {
        public var kind: RowKind?
        public var values: Row
        /// Cells changed by the latest update of this row (table view).
        public var changed: Set<Int> = []
    }

    /// Flink SQL client's key for the rows its result view keeps; the workbench reads it
    /// from the session's settings when a query begins.
    public static let capacitySetting = "sql-client.execution.max-table-result.rows"
    public static let defaultCapacity = 100_000

    public private(set) var columns: [Column] = []
    public var changelog = false
    public var view: View = .table
    /// The most rows a view keeps.
    public private(set) var capacity = defaultCapacity
    /// Changes (rows) received since the query began, kept or not.
    public private(set) var received = 0
    /// The changes as they came (the changelog and append views): the newest `capacity` of
    /// them from `logStart` on; the rows before it go in one step now and then, not one by one.
    private var logStorage: [Entry] = []
    private var logStart = 0
    /// The rows the changes amount to (the table view), oldest first, with the rows deleted
    /// since the last `settle` still in place (their kind `.delete`).
    private var tableStorage: [Entry] = []
    /// Rows of the table dropped to keep it within `capacity`.
    public private(set) var tableDropped = 0
    /// Each table row's number, increasing down the table: a row is found by its number
    /// with a binary search, so rows can go without renumbering the others.
    private var numbers: [Int] = []
    private var nextNumber = 0
    /// The numbers of the table's rows by their values (rows may repeat).
    private var positions: [Row: [Int]] = [:]
    /// Rows a -U marked, waiting for their +U (by number).
    private var awaitingUpdate: [Int] = []
    /// Table rows deleted and not yet removed from the arrays (`settle` removes them).
    private var deleted = 0
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
    /// Every row of the query on disk, for `\export` (nil where none could be made).
    var spool: ResultSpool?

    public init() {}

    public mutating func begin(columns: [Column], changelog: Bool, capacity: Int = defaultCapacity) {
        self.columns = columns
        self.changelog = changelog
        self.capacity = max(1, capacity)
        view = changelog ? .table : .append
        received = 0
        logStorage = []
        logStart = 0
        tableStorage = []
        tableDropped = 0
        numbers = []
        nextNumber = 0
        positions = [:]
        awaitingUpdate = []
        deleted = 0
        top = 0
        left = 0
        follow = true
        selected = nil
        rate = 0
        state = "running"
        statistics = [:]
    }

    public var columnNames: [String] { columns.map(\.name) }

    /// A row's cells as the screen shows them.
    public func cells(_ entry: Entry) -> [String] {
        entry.values.enumerated().map { index, value in
            ValueFormatter.display(value, type: index < columns.count ? columns[index].type : .string)
        }
    }

    /// Takes a batch of rows (their kinds: nil for insertions). Cheap per row: rows deleted
    /// from the table leave it at the next `settle` (the UI calls it once per frame).
    public mutating func add(_ rows: [Row], kinds: [RowKind]?) {
        received += rows.count
        for (position, values) in rows.enumerated() {
            let kind = kinds?[position]
            logStorage.append(Entry(kind: kind, values: values))
            // An append-only result has no table view: its log is all there is.
            guard changelog else { continue }
            switch kind ?? .insert {
            case .insert:
                append(values)
            case .updateBefore:
                if let number = positions[values]?.last(where: { !awaitingUpdate.contains($0) }) {
                    awaitingUpdate.append(number)
                }
            case .delete:
                if let number = positions[values]?.last(where: { !awaitingUpdate.contains($0) }),
                    let index = index(of: number)
                {
                    forget(values, number)
                    tableStorage[index].kind = .delete
                    deleted += 1
                }
            case .updateAfter:
                // The row the -U before it marked is updated in place, its changed cells noted.
                if let number = awaitingUpdate.popLast(), let index = index(of: number) {
                    let old = tableStorage[index].values
                    forget(old, number)
                    tableStorage[index] = Entry(
                        kind: nil, values: values,
                        changed: Set(values.indices.filter { $0 >= old.count || old[$0] != values[$0] }))
                    positions[values, default: []].append(number)
                } else {
                    append(values)
                }
            }
        }
        let excess = logStorage.count - logStart - capacity
        if excess > 0 {
            logStart += excess
            if view != .table { shiftUp(excess) }
            // The rows no longer kept go a sixteenth of what is kept at a time: each step moves
            // the kept rows once, and frees few enough rows to stay well inside a frame.
            if logStart >= max(1024, capacity / 16) {
                logStorage.removeFirst(logStart)
                logStart = 0
            }
        }
        if tableStorage.count - deleted > capacity { settle() }
    }

    /// Removes the rows deleted from the table, and the oldest rows past `capacity`.
    public mutating func settle() {
        if deleted > 0 {
            var removedAbove = 0
            var kept = 0
            for index in tableStorage.indices {
                if tableStorage[index].kind == .delete {
                    if kept < top { removedAbove += 1 }
                    continue
                }
                tableStorage[kept] = tableStorage[index]
                numbers[kept] = numbers[index]
                kept += 1
            }
            tableStorage.removeLast(tableStorage.count - kept)
            numbers.removeLast(numbers.count - kept)
            deleted = 0
            if view == .table, !follow { top = max(0, top - removedAbove) }
        }
        let excess = tableStorage.count - capacity
        if excess > 0 {
            for index in 0..<excess { forget(tableStorage[index].values, numbers[index]) }
            awaitingUpdate.removeAll { $0 < numbers[excess] }
            tableStorage.removeFirst(excess)
            numbers.removeFirst(excess)
            tableDropped += excess
            if view == .table { shiftUp(excess) }
        }
    }

    /// Rows went from the front of the shown view: what the user looks at stays put.
    private mutating func shiftUp(_ count: Int) {
        guard !follow else { return }
        top = max(0, top - count)
        selected = selected.map { max(0, $0 - count) }
    }

    private mutating func append(_ values: Row) {
        tableStorage.append(Entry(kind: nil, values: values))
        numbers.append(nextNumber)
        positions[values, default: []].append(nextNumber)
        nextNumber += 1
    }

    private func index(of number: Int) -> Int? {
        var low = 0, high = numbers.count
        while low < high {
            let middle = (low + high) / 2
            if numbers[middle] < number { low = middle + 1 } else { high = middle }
        }
        return low < numbers.count && numbers[low] == number ? low : nil
    }

    private mutating func forget(_ values: Row, _ number: Int) {
        positions[values]?.removeAll { $0 == number }
        if positions[values]?.isEmpty == true { positions[values] = nil }
    }

    /// The changes kept, oldest first (the changelog and append views).
    public var log: ResultRows { ResultRows(storage: logStorage, start: logStart) }

    /// The rows the changes amount to, oldest first (the table view).
    public var table: ResultRows {
        ResultRows(storage: deleted == 0 ? tableStorage : tableStorage.filter { $0.kind != .delete }, start: 0)
    }

    /// Whether the current view shows the table the changes amount to (a chart of a changelog does).
    var showsTable: Bool { view == .table || (view == .chart && changelog) }

    /// The rows of the current view.
    public var rows: ResultRows { showsTable ? table : log }

    /// The current view's rows as the screen shows them (tests; the screen formats only what it shows).
    public var rowsText: [[String]] { rows.map(cells) }
    public var tableText: [[String]] { table.map(cells) }

    /// Rows of the current view no longer kept (the oldest).
    public var dropped: Int { showsTable ? tableDropped : received - log.count }
}

/// A view's rows, numbered from 0: storage whose first `start` rows are no longer shown.
public struct ResultRows: RandomAccessCollection, Sendable {
    let storage: [ResultsModel.Entry]
    let start: Int

    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.count - start }
    public subscript(position: Int) -> ResultsModel.Entry { storage[start + position] }
}
