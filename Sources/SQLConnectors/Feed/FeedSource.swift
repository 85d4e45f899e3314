import Foundation
import SQLPlanner
import SQLRuntime
import SQLSyntax
import SQLValues
import Synchronization

/// Records, watermarks and idleness handed to a running query one at a time: the input of
/// a table with `'connector' = 'feed'`. Tests and lessons use it to show what a window does
/// with each row: push, then `drain()` to wait until the query has handled everything
/// pushed so far (its output for those rows is then written).
///
/// ```swift
/// let feed = engine.feed("events")          // before the query starts
/// feed.record(#"{"k":"x","ts":"2024-01-01 00:00:01"}"#, split: 0)
/// feed.idle(split: 1)
/// feed.drain()
/// feed.end()
/// ```
public final class Feed: @unchecked Sendable {
    package enum Item {
        case record(String, split: Int)
        case watermark(Int64, split: Int)
        case idle(split: Int)
        case end
    }

    private let condition = NSCondition()
    private var queue: [Item] = []
    private var pushed = 0
    private var handled = 0
    private var closed = false

    public init() {}

    /// One record in the table's format, read by split `split`.
    public func record(_ text: String, split: Int = 0) { push(.record(text, split: split)) }

    /// The split promises no row earlier than `micros` (microseconds, as TIMESTAMP values are) will follow.
    public func watermark(_ micros: Int64, split: Int = 0) { push(.watermark(micros, split: split)) }

    /// The split has nothing for now: it stops holding the watermark back until its next record.
    public func idle(split: Int) { push(.idle(split: split)) }

    /// The input ends: a final watermark fires every open window and the query finishes.
    public func end() { push(.end) }

    /// Waits until the query has handled everything pushed so far (or has stopped).
    public func drain() {
        condition.lock()
        while handled < pushed, !closed { condition.wait() }
        condition.unlock()
    }

    private func push(_ item: Item) {
        condition.lock()
        queue.append(item)
        pushed += 1
        condition.broadcast()
        condition.unlock()
    }

    /// The next item; nil when `stop` was requested first.
    func next(stop: StopSignal) -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty {
            if stop.isRequested { return nil }
            _ = condition.wait(until: Date().addingTimeInterval(0.05))
        }
        return queue.removeFirst()
    }

    func finishedItem() {
        condition.lock()
        handled += 1
        condition.broadcast()
        condition.unlock()
    }

    /// The query no longer reads (it ended, failed — perhaps before it began — or was
    /// stopped): nobody waits for it.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}

/// The feeds of one engine's `feed` tables, by table name: handed out by `Engine.feed(_:)`
/// on the caller's thread, read by the query's.
package final class FeedInputs: Sendable {
    private let feeds = Mutex<[String: Feed]>([:])

    package init() {}

    /// A fresh input for `table`, replacing any before it.
    package func fresh(for table: String) -> Feed {
        let feed = Feed()
        feeds.withLock { $0[table] = feed }
        return feed
    }

    /// The feed of `table`: the one handed out last, or a fresh one (whose records nobody
    /// pushes: the query then runs until stopped).
    func feed(for table: String) -> Feed {
        feeds.withLock { feeds in
            if let feed = feeds[table] { return feed }
            let feed = Feed()
            feeds[table] = feed
            return feed
        }
    }
}

/// Reads a table's records from its `Feed`, each split with its own watermark.
package struct FeedSource: SourceRunner {
    let table: CatalogTable
    let feed: Feed
    let format: RecordFormat
    let reporter: QueryReporter?
    let replaying: Bool
    /// Splits known from the start (`'splits' = 'N'`): one that has had no row yet holds the
    /// watermark back, as an empty Kafka partition does.
    let declaredSplits: Int

    init(table: CatalogTable, feed: Feed, reporter: QueryReporter? = nil, replaying: Bool = false) throws(SQLError) {
        self.table = table
        self.feed = feed
        self.reporter = reporter
        self.replaying = replaying
        format = try RecordFormat(table: table)
        let text = table.options["splits"] ?? "1"
        guard let splits = Int(text), splits >= 1 else {
            throw SQLError(.plan, "option 'splits' must be a positive number, not '\(text)'")
        }
        declaredSplits = splits
    }

    package func run(into output: Operator, stop: StopSignal) throws(SQLError) -> [String: Int64] {
        defer { feed.close() }
        var emitter = BatchEmitter(output: output, reporter: reporter)
        var format = format
        var splits = SplitWatermarks(splits: declaredSplits)
        var assemblers: [Int: RowAssembler] = [:]
        var skipped: Int64 = 0
        var number = 0
        // Each split's records are numbered from 0, like a partition's offsets.
        var positions: [Int: Int64] = [:]
        var timeline = EventTimeRecorder(reporter: reporter, table: table, replaying: replaying)
        func combine() throws(SQLError) {
            if let combined = splits.combined { try emitter.watermark(combined) }
        }
        while let item = feed.next(stop: stop) {
            number += 1
            switch item {
            case let .record(text, split):
                var assembler = assemblers[split] ?? RowAssembler(table: table)
                var row = assembler.emptyRow(from: &emitter)
                let bytes = Array(text.utf8)
                do throws(SQLError) {
                    // A changelog format's record may change two rows; another's is one row.
                    let changes: [(row: Row, kind: RowKind)]? = try bytes.withUnsafeBufferPointer {
                        buffer throws(SQLError) in
                        if format.isChangelog {
                            return try format.decodeChanges(buffer, 0, buffer.count, width: row.count)
                        }
                        return try format.decode(buffer, 0, buffer.count, into: &row, table: table)
                            ? [(row, .insert)] : nil
                    }
                    if let changes {
                        for case (var changed, let kind) in changes {
                            let moved = try assembler.complete(&changed)
                            splits.active(split)
                            timeline.record(changed, split: split, offset: positions[split, default: 0])
                            try emitter.add(changed, kind: kind)
                            if moved { splits.advance(split, to: assembler.watermark) }
                        }
                        assemblers[split] = assembler
                        // Fed by hand, one at a time: each shows at once.
                        timeline.flush()
                        positions[split, default: 0] += 1
                        try combine()
                    } else {
                        skipped += 1
                    }
                } catch {
                    throw SQLError(error.kind, "fed record \(number) (split \(split)): \(error.message)")
                }
            case let .watermark(time, split):
                splits.advance(split, to: time)
                try combine()
            case let .idle(split):
                splits.markIdle(split)
                try combine()
            case .end:
                try emitter.finish()
                feed.finishedItem()
                return skipped > 0 ? ["records skipped (parse errors)": skipped] : [:]
            }
            try emitter.flush()
            reporter?.report(.splits(splits.states { "split \($0)" }))
            feed.finishedItem()
        }
        try emitter.cancel() // stopped before the feed ended
        return skipped > 0 ? ["records skipped (parse errors)": skipped] : [:]
    }
}
