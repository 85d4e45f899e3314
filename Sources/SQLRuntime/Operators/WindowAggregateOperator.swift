import Foundation
import SQLPlanner
import SQLSyntax
import SQLValues

/// GROUP BY a window: keeps the aggregates per window and key, adds each row to the windows
/// it falls into, and when the watermark completes a window (`WindowSpec.isComplete`: end -
/// 1 ms ≤ watermark) emits one row per key of the window and forgets it. A row whose windows have all fired
/// already is late: it is dropped and counted (Flink's rule).
package final class WindowAggregateOperator: Operator, StatefulOperator {
    /// Processing time, for windows over it.
    let clock: ProcessingClock
    let spec: WindowSpec
    let keys: [CompiledExpression]
    let aggregates: [AggregateCall]
    let eventTime: Bool
    let ltz: Bool
    private var currentWatermark = Int64.min
    /// Window end → the window's start and its groups.
    private var windows: [Int64: OpenWindow] = [:]
    /// Sessions per key: sorted, non-overlapping [start, end), each with its group in `sessionAggregates`.
    private var sessions: [Row: [Session]] = [:]
    private let sessionAggregates: AggregateColumns
    private(set) var lateRows: Int64 = 0
    /// Where the window state is reported (what `\\why` explains, what the timeline draws).
    var reporter: QueryReporter?

    /// The keys and the aggregates' arguments as plain columns, when they all are (the usual
    /// GROUP BY): read straight from the row, without evaluating expressions per row.
    private let keyColumns: [Int]?
    private let argumentColumns: [Int?]?
    /// The key and argument columns when all are plain.
    private struct PlainColumns {
        let keys: [Int]
        let arguments: [Int?]
    }

    init(
        spec: WindowSpec, keys: [CompiledExpression], aggregates: [AggregateCall], eventTime: Bool, ltz: Bool,
        clock: ProcessingClock = .wall
    ) {
        self.clock = clock
        self.spec = spec
        self.keys = keys
        self.aggregates = aggregates
        self.eventTime = eventTime
        self.ltz = ltz
        func column(_ expression: CompiledExpression) -> Int? {
            if case let .column(index) = expression { index } else { nil }
        }
        let keyColumns = keys.compactMap(column)
        self.keyColumns = keyColumns.count == keys.count ? keyColumns : nil
        let argumentsArePlain = aggregates.allSatisfy { $0.argument.map { column($0) != nil } ?? true }
        argumentColumns = argumentsArePlain ? aggregates.map { $0.argument.flatMap(column) } : nil
        sessionAggregates = AggregateColumns(aggregates)
    }

    /// A window's table before its first row.
    private func emptyGroups() -> GroupTable {
        GroupTable(keyWidth: keys.count, aggregates: AggregateColumns(aggregates))
    }

    private struct Session {
        var start: Int64
        var end: Int64
        var group: Int
    }

    /// A window not fired yet: its start and its groups.
    private struct OpenWindow {
        let start: Int64
        var groups: GroupTable

        init(start: Int64, groups: GroupTable) {
            self.start = start
            self.groups = groups
        }
    }

    private struct SavedWindow: Codable {
        var end: Int64
        var key: Row
        var start: Int64
        /// The aggregates' state, as `AggregateColumns.saved` gives it.
        var state: [Value]
    }

    private struct SavedState: Codable {
        var watermark: Int64
        var lateRows: Int64
        var windows: [SavedWindow]
        /// Sessions as windows: per key, each session's start, end and aggregates' state.
        var sessions: [SavedWindow]
    }

    package func saveState(_ encoder: JSONEncoder) throws -> Data {
        var saved = SavedState(watermark: currentWatermark, lateRows: lateRows, windows: [], sessions: [])
        for (end, window) in windows {
            for (group, key) in window.groups.keys.enumerated() {
                saved.windows.append(
                    SavedWindow(end: end, key: key, start: window.start, state: window.groups.aggregates.saved(group)))
            }
        }
        for (key, list) in sessions {
            for session in list {
                saved.sessions.append(
                    SavedWindow(
                        end: session.end, key: key, start: session.start,
                        state: sessionAggregates.saved(session.group)))
            }
        }
        return try encoder.encode(saved)
    }

    package func restoreState(_ data: Data, _ decoder: JSONDecoder) throws {
        let saved = try decoder.decode(SavedState.self, from: data)
        currentWatermark = saved.watermark
        lateRows = saved.lateRows
        windows = [:]
        for window in saved.windows {
            // In place: a copy of the window taken out would be copied again for every key.
            let group = windows[window.end, default: OpenWindow(start: window.start, groups: emptyGroups())].groups
                .group(of: window.key)
            // A saved key is new to the table: its group is fresh.
            try windows[window.end]!.groups.aggregates.restore(window.state, into: group)
        }
        sessions = [:]
        for session in saved.sessions {
            let group = try sessionAggregates.restoredGroup(session.state)
            sessions[session.key, default: []].append(Session(start: session.start, end: session.end, group: group))
        }
        for key in sessions.keys { sessions[key]!.sort { $0.start < $1.start } }
    }

    override var statistics: [String: Int64] { ["late rows dropped": lateRows] }

    /// Groups of open windows and open sessions.
    private var openGroups: Int {
        windows.values.reduce(0) { $0 + $1.groups.count } + sessions.values.reduce(0) { $0 + $1.count }
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        if let kinds, kinds.contains(where: { $0 == .updateBefore || $0 == .delete }) {
            throw SQLError(
                .unsupported,
                "a window aggregates insertions only, and its input updates rows (an upsert-kafka table or a GROUP BY without a window)"
            )
        }
        let now = clock.micros
        try add(rows, now: now)
        if !eventTime { try fire(upTo: now) }
        report()
    }

    /// Adds each row to its windows (or session), or counts it late.
    private func add(_ rows: [Row], now: Int64) throws(SQLError) {
        let currentWatermark = currentWatermark
        // Scratch arrays overwritten row after row: a key is copied only when a new group stores it.
        var key = Row(repeating: .null, count: keys.count)
        var values = [Value](repeating: .null, count: aggregates.count)
        // The window rows are going to, out of the map while this batch runs: rows in order of
        // time mostly go to the same window, and a local value is updated without the checks
        // a class's property gets on each access.
        var open: (end: Int64, window: OpenWindow)?
        // The rows of plain columns found their groups in the open window, waiting to be added
        // all at once: one call per aggregate for the run, not one per row.
        var run = GroupedRows()
        defer {
            if let open {
                addRun(rows, &run, to: open.window.groups)
                windows[open.end] = open.window
            }
        }
        // Keys and arguments of plain columns are read from the row where they are needed;
        // sessions and computed ones go through the scratch arrays.
        let scratch =
            keyColumns == nil || argumentColumns == nil || { if case .session = spec.kind { true } else { false } }()
        // Read once per batch: a class's properties read per row cost a retain and a release each.
        let plain = keyColumns.flatMap { keys in argumentColumns.map { PlainColumns(keys: keys, arguments: $0) } }
        for (position, row) in rows.enumerated() {
            if scratch {
                if let keyColumns {
                    for (index, column) in keyColumns.enumerated() { key[index] = row[column] }
                } else {
                    for (index, expression) in keys.enumerated() { key[index] = try expression.evaluate(row) }
                }
                if let argumentColumns {
                    for (index, column) in argumentColumns.enumerated() {
                        values[index] = column.map { row[$0] } ?? .null
                    }
                } else {
                    for (index, aggregate) in aggregates.enumerated() {
                        values[index] = try aggregate.argument?.evaluate(row) ?? .null
                    }
                }
            }
            let time: Int64
            if case let .assigned(startColumn, endColumn) = spec.kind {
                guard let start = row[startColumn].timestampMicros, let end = row[endColumn].timestampMicros else {
                    continue
                }
                if eventTime, WindowSpec.isComplete(end: end, at: currentWatermark) {
                    noteLate(end - 1000)
                    continue
                }
                add(
                    row, at: position, of: rows, values, key: key, start: start, end: end, plain: plain, to: &open, &run
                )
                continue
            }
            if eventTime {
                // A NULL time is in no window.
                guard let eventTime = row[spec.timeColumn].timestampMicros else { continue }
                time = eventTime
            } else {
                time = now
            }
            if case let .session(gap) = spec.kind {
                if eventTime, WindowSpec.isComplete(end: time + gap, at: currentWatermark) {
                    noteLate(time)
                    continue
                }
                addToSession(values, key: key, time: time, gap: gap)
                continue
            }
            if case let .tumble(size) = spec.kind {
                // The common case, without a list of windows per row.
                let start = time - WindowSpec.floorMod(time - spec.offset, size)
                if eventTime, WindowSpec.isComplete(end: start + size, at: currentWatermark) {
                    noteLate(time)
                    continue
                }
                add(
                    row, at: position, of: rows, values, key: key, start: start, end: start + size, plain: plain,
                    to: &open, &run)
                continue
            }
            var assigned = false
            for window in spec.windows(for: time)
            where !eventTime || !WindowSpec.isComplete(end: window.end, at: currentWatermark) {
                add(
                    row, at: position, of: rows, values, key: key, start: window.start, end: window.end, plain: plain,
                    to: &open, &run)
                assigned = true
            }
            if !assigned { noteLate(time) }
        }
    }

    private func noteLate(_ time: Int64) {
        lateRows += 1
        if reporter?.wantsTimeline == true { reporter?.report(.lateRow(time: time)) }
    }

    private func report(fired: [WindowSpan] = []) {
        guard let reporter else { return }
        let sessionEnd = sessions.values.lazy.compactMap { $0.first?.end }.min()
        let nextEnd = [windows.keys.min(), sessionEnd].compactMap { $0 }.min()
        reporter.report(.windows(open: openGroups, nextEnd: nextEnd, lateRows: lateRows))
        guard reporter.wantsTimeline else { return }
        var spans: [WindowSpan] = []
        for (end, window) in windows {
            if let span = span(start: window.start, end: end, window.groups) { spans.append(span) }
        }
        // Sessions are per key: the timeline shows at most a few hundred.
        for (key, list) in sessions.prefix(200) { spans += list.map { sessionSpan(key, $0) } }
        reporter.report(.windowSpans(open: spans.sorted { ($0.start, $0.end) < ($1.start, $1.end) }, fired: fired))
    }

    private func span(start: Int64, end: Int64, _ groups: GroupTable) -> WindowSpan? {
        guard groups.count > 0 else { return nil }
        // Summing every key's aggregate costs a pass over the keys: past a thousand, the count alone.
        let aggregate = groups.count > 1000 ? nil : runningAggregate(groups.aggregates, (0..<groups.count))
        return WindowSpan(start: start, end: end, groups: groups.count, aggregate: aggregate)
    }

    private func sessionSpan(_ key: Row, _ session: Session) -> WindowSpan {
        WindowSpan(
            start: session.start, end: session.end, groups: 1,
            aggregate: runningAggregate(sessionAggregates, [session.group]), key: key)
    }

    /// A window's first aggregate as it stands, for the timeline: its value with one group;
    /// with several, the total where adding them up means something (else none).
    private func runningAggregate(
        _ columns: AggregateColumns, _ groups: some Collection<Int>
    ) -> WindowAggregate? {
        guard let call = aggregates.first, let column = columns.columns.first else { return nil }
        if groups.count == 1 {
            return WindowAggregate(call: call.text, value: column.result(of: groups.first!), summed: false)
        }
        switch call.kind {
        case .count, .sum:
            var total = 0.0
            for group in groups { total += column.result(of: group).doubleValue ?? 0 }
            return WindowAggregate(call: call.text, value: .double(total), summed: true)
        default:
            return nil
        }
    }

    /// Adds `row` (at `position` of `rows`) to the window [start, end), which becomes the `open` one
    /// (the one before goes back to the map, its run of rows added). A row of plain columns
    /// joins the `run`; another is added at once.
    @inline(__always)
    private func add(
        _ row: Row, at position: Int, of rows: [Row], _ values: [Value], key: Row, start: Int64, end: Int64,
        plain: PlainColumns?,
        to open: inout (end: Int64, window: OpenWindow)?, _ run: inout GroupedRows
    ) {
        if open?.end != end {
            if let open {
                addRun(rows, &run, to: open.window.groups)
                windows[open.end] = open.window
            }
            open = (end, windows.removeValue(forKey: end) ?? OpenWindow(start: start, groups: emptyGroups()))
        }
        if let plain {
            run.append(position, group: open!.window.groups.group(ofColumns: plain.keys, in: row))
        } else {
            let group = open!.window.groups.group(of: key)
            open!.window.groups.add(values, to: group)
        }
    }

    /// Adds the rows of a run to their groups (the aggregates' arguments read from plain columns).
    private func addRun(_ rows: [Row], _ run: inout GroupedRows, to groups: GroupTable) {
        guard !run.groups.isEmpty, let argumentColumns else { return }
        groups.add(rows, run, columns: argumentColumns)
        run.removeAll()
    }

    /// Adds a row to its key's session: the earliest session it touches grows to hold it, and
    /// every later one it touches merges into that one, in order of time (so that FIRST_VALUE,
    /// LAST_VALUE and LISTAGG keep the order rows came in); a row touching none starts one.
    private func addToSession(_ values: [Value], key: Row, time: Int64, gap: Int64) {
        var start = time
        var end = time + gap
        var target: Int?
        var kept: [Session] = []
        for existing in sessions[key] ?? [] {
            guard existing.start < end && start < existing.end else {
                kept.append(existing)
                continue
            }
            start = min(start, existing.start)
            end = max(end, existing.end)
            if let target {
                sessionAggregates.merge(existing.group, into: target)
                sessionAggregates.release(existing.group)
            } else {
                target = existing.group
            }
        }
        let group = target ?? sessionAggregates.newGroup()
        sessionAggregates.add(values, to: group)
        kept.append(Session(start: start, end: end, group: group))
        sessions[key] = kept.sorted { $0.start < $1.start }
    }

    override func watermark(_ time: Int64) throws(SQLError) {
        guard eventTime, time > currentWatermark else {
            try output?.watermark(time)
            return
        }
        currentWatermark = time
        // The windows this watermark closes, for the timeline (read before they are emitted and forgotten).
        var firing: [WindowSpan] = []
        if reporter?.wantsTimeline == true {
            firing = windows.filter { WindowSpec.isComplete(end: $0.key, at: time) }.compactMap {
                span(start: $0.value.start, end: $0.key, $0.value.groups)
            }
            for (key, list) in sessions {
                firing += list.filter { WindowSpec.isComplete(end: $0.end, at: time) }.map { sessionSpan(key, $0) }
            }
        }
        try fire(upTo: time)
        report(fired: firing)
        try output?.watermark(time)
    }

    /// Emits the windows whose end - 1 ms is at or before `time`, oldest first.
    private func fire(upTo time: Int64) throws(SQLError) {
        var result: [Row] = []
        let due = windows.keys.filter { WindowSpec.isComplete(end: $0, at: time) }.sorted()
        for end in due {
            let window = windows.removeValue(forKey: end)!
            let keys = window.groups.keys
            // Keys in order, so a window's rows come out the same way every run.
            for group in keys.indices.sorted(by: { Self.precedes(keys[$0], keys[$1]) }) {
                result.append(output(keys[group], window.groups.aggregates, group, start: window.start, end: end))
            }
        }
        if case .session = spec.kind {
            for (key, list) in sessions.sorted(by: { Self.precedes($0.key, $1.key) }) {
                let closed = list.filter { WindowSpec.isComplete(end: $0.end, at: time) }
                guard !closed.isEmpty else { continue }
                for session in closed {
                    result.append(output(key, sessionAggregates, session.group, start: session.start, end: session.end))
                    sessionAggregates.release(session.group)
                }
                let open = list.filter { !WindowSpec.isComplete(end: $0.end, at: time) }
                sessions[key] = open.isEmpty ? nil : open
            }
        }
        if !result.isEmpty { try output?.process(result, kinds: nil) }
    }

    /// Rows compared column by column (NULL first): the order keys are emitted in.
    static func precedes(_ a: Row, _ b: Row) -> Bool {
        for (x, y) in zip(a, b) {
            if x.isNull != y.isNull { return x.isNull }
            if let order = CompiledExpression.compare(x, y), order != 0 { return order < 0 }
        }
        return false
    }

    private func output(_ key: Row, _ columns: AggregateColumns, _ group: Int, start: Int64, end: Int64) -> Row {
        var row = key
        columns.appendResults(of: group, to: &row)
        row.append(ltz ? .timestampLTZ(start) : .timestamp(start))
        row.append(ltz ? .timestampLTZ(end) : .timestamp(end))
        row.append(ltz ? .timestampLTZ(end - 1000) : .timestamp(end - 1000))
        return row
    }

    override func finish() throws(SQLError) {
        // The input ended: a final watermark fires every open window.
        if eventTime { currentWatermark = Int64.max }
        try fire(upTo: Int64.max)
        try output?.finish()
    }
}

extension WindowSpec {
    /// Flink's firing rule: a window [start, end) is complete — fired, and late for any row
    /// still to come — once the watermark reaches its last millisecond, end - 1 ms. (Here, in
    /// the runtime, so that the per-row late check inlines.)
    @inline(__always)
    static func isComplete(end: Int64, at watermark: Int64) -> Bool { end - 1000 <= watermark }
}
