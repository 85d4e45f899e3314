import Foundation
import SQLPlanner
import SQLSyntax
import SQLValues

/// Aggregates OVER a window of rows. With event time, rows wait until the watermark passes
/// them and then go through in order of time; a row no later than the last its partition
/// sent through is late: dropped and counted (Flink's rule). With processing time, rows go
/// through as they come. Each row comes out once, with
/// the aggregates of its partition's frame appended: the rows before it (all, the last N, or
/// those of the last interval) and, for RANGE frames, the rows of the same time.
package final class OverAggregateOperator: Operator, StatefulOperator {
    let partition: [CompiledExpression]
    let timeColumn: Int
    let eventTime: Bool
    let frame: OverFrame
    let aggregates: [AggregateCall]

    /// A row waiting for the watermark: its time, arrival number (ties keep their order) and partition.
    private struct Waiting: Codable {
        var time: Int64
        var order: Int
        var key: Row
        var row: Row
    }

    /// A row of a bounded frame: its time and the aggregates' arguments.
    private struct FrameRow: Codable {
        var time: Int64
        var arguments: [Value]
    }

    private var pending: [Waiting] = []
    private var arrivals = 0
    private var watermark = Int64.min
    /// Per partition, the time of the last rows sent through.
    private var released: [Row: Int64] = [:]
    private var lateRows: Int64 = 0
    /// Per partition: its group in `columns`, the running aggregates of its frame (able to take
    /// values back for a bounded frame), and the rows still in a bounded frame.
    private var running: [Row: Int] = [:]
    private var history: [Row: [FrameRow]] = [:]
    private let columns: AggregateColumns
    /// One group's aggregates, computed afresh for a frame in batch mode.
    private let scratch: AggregateColumns

    /// Batch mode: a bounded frame's aggregates computed afresh for each row, as Flink's batch
    /// operator does (streaming keeps them running, taking back the rows that leave).
    let recomputesFrames: Bool

    init(
        partition: [CompiledExpression], timeColumn: Int, eventTime: Bool, frame: OverFrame,
        aggregates: [AggregateCall],
        recomputesFrames: Bool = false
    ) {
        self.recomputesFrames = recomputesFrames
        self.partition = partition
        self.timeColumn = timeColumn
        self.eventTime = eventTime
        self.frame = frame
        self.aggregates = aggregates
        let bounded =
            switch frame {
            case .unboundedRows, .unboundedRange: false
            case .rows, .range: true
            }
        columns = AggregateColumns(aggregates, retracting: bounded)
        scratch = AggregateColumns(aggregates)
    }

    override var statistics: [String: Int64] { ["late rows dropped": lateRows] }

    private struct SavedState: Codable {
        package struct Partition: Codable {
            var key: Row
            var released: Int64?
            /// The running aggregates' state, as `AggregateColumns.saved` gives it.
            var running: [Value]?
            var history: [FrameRow]?
        }

        var pending: [Waiting]
        var arrivals: Int
        var watermark: Int64
        var lateRows: Int64
        var partitions: [Partition]
    }

    package func saveState(_ encoder: JSONEncoder) throws -> Data {
        let keys = Set(released.keys).union(running.keys).union(history.keys)
        return try encoder.encode(
            SavedState(
                pending: pending, arrivals: arrivals, watermark: watermark, lateRows: lateRows,
                partitions: keys.map {
                    .init(
                        key: $0, released: released[$0], running: running[$0].map(columns.saved),
                        history: history[$0])
                }))
    }

    package func restoreState(_ data: Data, _ decoder: JSONDecoder) throws {
        let saved = try decoder.decode(SavedState.self, from: data)
        (pending, arrivals, watermark, lateRows) = (saved.pending, saved.arrivals, saved.watermark, saved.lateRows)
        for group in running.values { columns.release(group) }
        (released, running, history) = ([:], [:], [:])
        for partition in saved.partitions {
            released[partition.key] = partition.released
            if let state = partition.running { running[partition.key] = try columns.restoredGroup(state) }
            history[partition.key] = partition.history
        }
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        if let kinds, kinds.contains(where: { $0 != .insert }) {
            throw SQLError(.unsupported, "an OVER aggregate reads insertions only, and its input updates rows")
        }
        var result: [Row] = []
        for row in rows {
            let key = try partition.map { (expression) throws(SQLError) in try expression.evaluate(row) }
            guard eventTime else {
                // Processing time: each row goes through as it comes, on its own.
                try results(for: [Waiting(time: 0, order: 0, key: key, row: row)], into: &result)
                continue
            }
            guard let time = row[timeColumn].timestampMicros else { continue }
            if let last = released[key], time <= last {
                lateRows += 1
                continue
            }
            pending.append(Waiting(time: time, order: arrivals, key: key, row: row))
            arrivals += 1
        }
        if !result.isEmpty { try output?.process(result, kinds: nil) }
    }

    override func watermark(_ time: Int64) throws(SQLError) {
        if eventTime, time > watermark {
            watermark = time
            let split = pending.partition { $0.time <= time }
            let due = pending[split...].sorted { ($0.time, $0.order) < ($1.time, $1.order) }
            pending.removeSubrange(split...)
            try release(due)
        }
        try output?.watermark(time)
    }

    /// Rows in order of time. With a RANGE frame the rows of one partition and one time
    /// (peers) go through together: each sees all of them.
    private func release(_ rows: [Waiting]) throws(SQLError) {
        guard !rows.isEmpty else { return }
        var result: [Row] = []
        result.reserveCapacity(rows.count)
        var index = 0
        while index < rows.count {
            // The rows of this time, by partition in the order partitions first appear.
            var end = index + 1
            while end < rows.count, rows[end].time == rows[index].time { end += 1 }
            var keys: [Row] = []
            var groups: [Row: [Waiting]] = [:]
            for entry in rows[index..<end] {
                if groups[entry.key] == nil { keys.append(entry.key) }
                groups[entry.key, default: []].append(entry)
            }
            for key in keys {
                released[key] = rows[index].time
                if frame.includesPeers {
                    try results(for: groups[key]!, into: &result)
                } else {
                    for entry in groups[key]! { try results(for: [entry], into: &result) }
                }
            }
            index = end
        }
        try output?.process(result, kinds: nil)
    }

    /// Rows of one partition and time (one row, unless they are RANGE peers), each with its frame's aggregates.
    private func results(for peers: [Waiting], into result: inout [Row]) throws(SQLError) {
        let key = peers[0].key
        func arguments(_ row: Row) throws(SQLError) -> [Value] { try AggregateColumns.arguments(aggregates, of: row) }
        switch frame {
        case .unboundedRows, .unboundedRange:
            let group = partitionGroup(key, [])
            if case .unboundedRange = frame {
                for peer in peers { columns.add(try arguments(peer.row), to: group) }
                let values = columns.results(of: group)
                for peer in peers { result.append(peer.row + values) }
            } else {
                for peer in peers {
                    columns.add(try arguments(peer.row), to: group)
                    var row = peer.row
                    columns.appendResults(of: group, to: &row)
                    result.append(row)
                }
            }
        case let .rows(count):
            // A running frame, as Flink's: the row leaving it taken back first, then the new one
            // added (the order changes a DOUBLE sum's last digits).
            var kept = history[key] ?? []
            if recomputesFrames {
                for peer in peers {
                    kept.append(FrameRow(time: peer.time, arguments: try arguments(peer.row)))
                    if kept.count > count + 1 { kept.removeFirst(kept.count - count - 1) }
                    result.append(peer.row + freshResults(kept))
                }
                history[key] = kept
                return
            }
            let group = partitionGroup(key, kept)
            for peer in peers {
                if kept.count > count {
                    columns.retract(kept[0].arguments, from: group)
                    kept.removeFirst()
                }
                let added = FrameRow(time: peer.time, arguments: try arguments(peer.row))
                columns.add(added.arguments, to: group)
                kept.append(added)
                var row = peer.row
                columns.appendResults(of: group, to: &row)
                result.append(row)
            }
            history[key] = kept
        case let .range(span):
            // The rows past the interval taken back first, then this time's rows added, as Flink's.
            var kept = history[key] ?? []
            if recomputesFrames {
                for peer in peers { kept.append(FrameRow(time: peer.time, arguments: try arguments(peer.row))) }
                let time = peers[0].time
                kept.removeAll { $0.time < time - span }
                let values = freshResults(kept)
                for peer in peers { result.append(peer.row + values) }
                history[key] = kept
                return
            }
            let group = partitionGroup(key, kept)
            let time = peers[0].time
            while let oldest = kept.first, oldest.time < time - span {
                columns.retract(oldest.arguments, from: group)
                kept.removeFirst()
            }
            for peer in peers {
                let added = FrameRow(time: peer.time, arguments: try arguments(peer.row))
                columns.add(added.arguments, to: group)
                kept.append(added)
            }
            let values = columns.results(of: group)
            for peer in peers { result.append(peer.row + values) }
            history[key] = kept
        }
    }

    /// The aggregates over the rows of a bounded frame, computed afresh (batch mode).
    private func freshResults(_ rows: [FrameRow]) -> [Value] {
        let group = scratch.newGroup()
        defer { scratch.release(group) }
        for row in rows { scratch.add(row.arguments, to: group) }
        return scratch.results(of: group)
    }

    /// A partition's group of running aggregates; a new one holds the rows of its frame (`kept`,
    /// none but from a checkpoint that saved the rows without the aggregates).
    private func partitionGroup(_ key: Row, _ kept: [FrameRow]) -> Int {
        if let group = running[key] { return group }
        let group = columns.newGroup()
        for row in kept { columns.add(row.arguments, to: group) }
        running[key] = group
        return group
    }
}
