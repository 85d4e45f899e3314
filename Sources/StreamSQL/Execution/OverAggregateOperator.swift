import Foundation
import SQLSyntax

/// Aggregates OVER a window of rows. With event time, rows wait until the watermark passes
/// them and then go through in order of time; a row no later than the last its partition
/// sent through is late: dropped and counted (Flink's rule). With processing time, rows go
/// through as they come. Each row comes out once, with
/// the aggregates of its partition's frame appended: the rows before it (all, the last N, or
/// those of the last interval) and, for RANGE frames, the rows of the same time.
final class OverAggregateOperator: Operator, StatefulOperator {
    let partition: [CompiledExpression]
    let timeColumn: Int
    let eventTime: Bool
    let frame: OverFrame
    let aggregates: [AggregateCall]

    /// Rows waiting for the watermark: time, arrival number (ties keep their order), row.
    private var pending: [(time: Int64, order: Int, row: Row)] = []
    private var arrivals = 0
    private var watermark = Int64.min
    /// Per partition, the time of the last rows sent through.
    private var released: [Row: Int64] = [:]
    private var lateRows: Int64 = 0
    /// Per partition: the running accumulators (unbounded frames), or the rows still in the
    /// frame as (time, arguments) (bounded ones).
    private var running: [Row: [Accumulator]] = [:]
    private var history: [Row: [(time: Int64, arguments: [Value])]] = [:]

    init(partition: [CompiledExpression], timeColumn: Int, eventTime: Bool, frame: OverFrame, aggregates: [AggregateCall]) {
        self.partition = partition
        self.timeColumn = timeColumn
        self.eventTime = eventTime
        self.frame = frame
        self.aggregates = aggregates
    }

    override var statistics: [String: Int64] { ["late rows dropped": lateRows] }

    private struct SavedState: Codable {
        struct Pending: Codable { var time: Int64; var order: Int; var row: Row }
        struct Partition: Codable {
            var key: Row
            var released: Int64?
            var running: [Accumulator]?
            var history: [Int64]?
            var arguments: [[Value]]?
        }

        var pending: [Pending]
        var arrivals: Int
        var watermark: Int64
        var lateRows: Int64
        var partitions: [Partition]
    }

    func saveState(_ encoder: JSONEncoder) throws -> Data {
        let keys = Set(released.keys).union(running.keys).union(history.keys)
        return try encoder.encode(SavedState(
            pending: pending.map { .init(time: $0.time, order: $0.order, row: $0.row) }, arrivals: arrivals, watermark: watermark,
            lateRows: lateRows,
            partitions: keys.map { key in
                .init(key: key, released: released[key], running: running[key], history: history[key]?.map(\.time),
                      arguments: history[key]?.map(\.arguments))
            }))
    }

    func restoreState(_ data: Data, _ decoder: JSONDecoder) throws {
        let saved = try decoder.decode(SavedState.self, from: data)
        pending = saved.pending.map { ($0.time, $0.order, $0.row) }
        arrivals = saved.arrivals
        watermark = saved.watermark
        lateRows = saved.lateRows
        (released, running, history) = ([:], [:], [:])
        for partition in saved.partitions {
            released[partition.key] = partition.released
            running[partition.key] = partition.running
            if let times = partition.history, let arguments = partition.arguments {
                history[partition.key] = Array(zip(times, arguments)).map { (time: $0.0, arguments: $0.1) }
            }
        }
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        if let kinds, kinds.contains(where: { $0 != .insert }) {
            throw SQLError(.unsupported, "an OVER aggregate reads insertions only, and its input updates rows")
        }
        guard eventTime else {
            let now = Int64(Date().timeIntervalSince1970 * 1_000_000)
            try emit(rows.enumerated().map { (now, $0.offset, $0.element) })
            return
        }
        for row in rows {
            guard let time = row[timeColumn].timestampMicros else { continue }
            let key = try partition.map { (expression) throws(SQLError) in try expression.evaluate(row) }
            if let last = released[key], time <= last {
                lateRows += 1
                continue
            }
            pending.append((time, arrivals, row))
            arrivals += 1
        }
    }

    override func watermark(_ time: Int64) throws(SQLError) {
        if eventTime, time > watermark {
            watermark = time
            let due = pending.filter { $0.time <= time }
            pending.removeAll { $0.time <= time }
            try emit(due.sorted { ($0.time, $0.order) < ($1.time, $1.order) })
        }
        try output?.watermark(time)
    }

    /// Rows in order of time. With a RANGE frame the rows of one partition and one time
    /// (peers) go through together: each sees all of them.
    private func emit(_ rows: [(time: Int64, order: Int, row: Row)]) throws(SQLError) {
        guard !rows.isEmpty else { return }
        var result: [Row] = []
        result.reserveCapacity(rows.count)
        var index = 0
        while index < rows.count {
            // The rows of this time, by partition in the order partitions first appear.
            var end = index + 1
            while end < rows.count, rows[end].time == rows[index].time { end += 1 }
            var keys: [Row] = []
            var groups: [Row: [(time: Int64, order: Int, row: Row)]] = [:]
            for entry in rows[index..<end] {
                let key = try partition.map { (expression) throws(SQLError) in try expression.evaluate(entry.row) }
                if groups[key] == nil { keys.append(key) }
                groups[key, default: []].append(entry)
            }
            for key in keys {
                if eventTime { released[key] = rows[index].time }
                // Processing times are each row's own: rows of one batch are not peers.
                if frame.includesPeers, eventTime {
                    try results(for: groups[key]!, key: key, into: &result)
                } else {
                    for entry in groups[key]! { try results(for: [entry], key: key, into: &result) }
                }
            }
            index = end
        }
        try output?.process(result, kinds: nil)
    }

    private func results(for peers: [(time: Int64, order: Int, row: Row)], key: Row, into result: inout [Row]) throws(SQLError) {
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
            var kept = history[key] ?? []
            for peer in peers {
                kept.append((peer.time, try arguments(peer.row)))
                if kept.count > count + 1 { kept.removeFirst(kept.count - count - 1) }
                result.append(peer.row + frameResults(kept))
            }
            history[key] = kept
        case let .range(span):
            var kept = history[key] ?? []
            for peer in peers { kept.append((peer.time, try arguments(peer.row))) }
            let time = peers[0].time
            kept.removeAll { $0.time < time - span }
            let values = frameResults(kept)
            for peer in peers { result.append(peer.row + values) }
            history[key] = kept
        }
    }

    /// The aggregates over the rows of a bounded frame, computed afresh.
    private func frameResults(_ rows: [(time: Int64, arguments: [Value])]) -> [Value] {
        var accumulators = aggregates.map { Accumulator($0) }
        for row in rows { Accumulator.add(row.arguments, to: &accumulators, aggregates) }
        return aggregates.indices.map { accumulators[$0].result(aggregates[$0]) }
    }
}
