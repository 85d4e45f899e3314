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
    /// Per partition: the running accumulators (unbounded frames), or the rows still in the
    /// frame (bounded ones).
    private var running: [Row: [Accumulator]] = [:]
    private var history: [Row: [FrameRow]] = [:]

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
    }

    override var statistics: [String: Int64] { ["late rows dropped": lateRows] }

    private struct SavedState: Codable {
        package struct Partition: Codable {
            var key: Row
            var released: Int64?
            var running: [Accumulator]?
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
                    .init(key: $0, released: released[$0], running: running[$0], history: history[$0])
                }))
    }

    package func restoreState(_ data: Data, _ decoder: JSONDecoder) throws {
        let saved = try decoder.decode(SavedState.self, from: data)
        (pending, arrivals, watermark, lateRows) = (saved.pending, saved.arrivals, saved.watermark, saved.lateRows)
        (released, running, history) = ([:], [:], [:])
        for partition in saved.partitions {
            released[partition.key] = partition.released
            running[partition.key] = partition.running
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
        func arguments(_ row: Row) throws(SQLError) -> [Value] { try Accumulator.arguments(aggregates, of: row) }
        switch frame {
        case .unboundedRows, .unboundedRange:
            var accumulators = running[key] ?? aggregates.map { Accumulator($0) }
            if case .unboundedRange = frame {
                for peer in peers { Accumulator.add(try arguments(peer.row), to: &accumulators, aggregates) }
                let values = aggregates.indices.map { accumulators[$0].result(aggregates[$0]) }
                for peer in peers { result.append(peer.row + values) }
            } else {
                for peer in peers {
                    Accumulator.add(try arguments(peer.row), to: &accumulators, aggregates)
                    result.append(peer.row + aggregates.indices.map { accumulators[$0].result(aggregates[$0]) })
                }
            }
            running[key] = accumulators
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
            var accumulators = frameAccumulators(key, kept)
            for peer in peers {
                if kept.count > count {
                    for index in aggregates.indices {
                        accumulators[index].retract(kept[0].arguments[index], aggregates[index])
                    }
                    kept.removeFirst()
                }
                let added = FrameRow(time: peer.time, arguments: try arguments(peer.row))
                Accumulator.add(added.arguments, to: &accumulators, aggregates)
                kept.append(added)
                result.append(peer.row + aggregates.indices.map { accumulators[$0].result(aggregates[$0]) })
            }
            (history[key], running[key]) = (kept, accumulators)
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
            var accumulators = frameAccumulators(key, kept)
            let time = peers[0].time
            while let oldest = kept.first, oldest.time < time - span {
                for index in aggregates.indices {
                    accumulators[index].retract(oldest.arguments[index], aggregates[index])
                }
                kept.removeFirst()
            }
            for peer in peers {
                let added = FrameRow(time: peer.time, arguments: try arguments(peer.row))
                Accumulator.add(added.arguments, to: &accumulators, aggregates)
                kept.append(added)
            }
            let values = aggregates.indices.map { accumulators[$0].result(aggregates[$0]) }
            for peer in peers { result.append(peer.row + values) }
            (history[key], running[key]) = (kept, accumulators)
        }
    }

    /// The aggregates over the rows of a bounded frame, computed afresh (batch mode).
    private func freshResults(_ rows: [FrameRow]) -> [Value] {
        var accumulators = aggregates.map { Accumulator($0) }
        for row in rows { Accumulator.add(row.arguments, to: &accumulators, aggregates) }
        return aggregates.indices.map { accumulators[$0].result(aggregates[$0]) }
    }

    /// A bounded frame's running accumulators (able to take values back); built from its rows
    /// when a checkpoint from before they were kept is restored.
    private func frameAccumulators(_ key: Row, _ kept: [FrameRow]) -> [Accumulator] {
        if let accumulators = running[key] { return accumulators }
        var accumulators = aggregates.map { Accumulator($0, retracting: true) }
        for row in kept { Accumulator.add(row.arguments, to: &accumulators, aggregates) }
        return accumulators
    }
}
