import Foundation
import SQLPlanner
import SQLSyntax
import SQLValues

/// Feeds a query: reads its input and pushes rows and watermarks into the first operator,
/// then a final watermark and `finish`. Runs on the query's thread; checks `stop` between batches.
/// Returns what it counted (records skipped, say) for the statement's report.
package protocol SourceRunner {
    func run(into output: Operator, stop: StopSignal) throws(SQLError) -> [String: Int64]
}

/// Completes a table's rows from what the connector read (physical and metadata columns):
/// computes the computed columns, and tracks the watermark of one source split.
public struct RowAssembler {
    let table: CatalogTable
    /// The table's columns: the width of its rows.
    @usableFromInline let width: Int
    @usableFromInline package internal(set) var watermark = Int64.min
    /// The usual watermark, `rt - INTERVAL …` (or `rt`): the event time's column and the
    /// delay, read straight from the row instead of evaluating the expression per row.
    @usableFromInline let delayed: (column: Int, delay: Int64)?

    /// The computed columns to evaluate: all but those the format filled already (an event
    /// time parsed from its text, `scan.parsedTimes`).
    private let computed: [(index: Int, expression: CompiledExpression)]
    @usableFromInline let hasComputed: Bool

    package init(table: CatalogTable, scan: ScanColumns = .all) {
        self.table = table
        let prefilled = Set(scan.parsedTimes.values)
        computed = table.computed.filter { !prefilled.contains($0.index) }
        hasComputed = !computed.isEmpty
        width = table.schema.columns.count
        delayed = table.watermark.flatMap { Self.fixedDelay($0.expression) }
    }

    /// The column and delay of a watermark `column - INTERVAL` (days to seconds) or `column`.
    private static func fixedDelay(_ expression: CompiledExpression) -> (column: Int, delay: Int64)? {
        switch expression {
        case let .column(column):
            return (column, 0)
        case let .shiftTime(.column(column), .literal(.integer(amount)), subtract: true, months: false):
            return (column, amount)
        default:
            return nil
        }
    }

    /// A row of the table's schema with every value NULL, reusing the emitter's spare rows.
    @inlinable
    public func emptyRow(from emitter: inout BatchEmitter) -> Row { emitter.emptyRow(width: width) }

    /// Fills the computed columns; returns whether the watermark moved (to `watermark`).
    @inlinable
    public mutating func complete(_ row: inout Row) throws(SQLError) -> Bool {
        try complete(&row, watermark: &watermark)
    }

    /// The same for a source that keeps one watermark per split and one assembler for all.
    @inlinable
    public func complete(_ row: inout Row, watermark: inout Int64) throws(SQLError) -> Bool {
        if hasComputed { try computeColumns(&row) }
        let time: Int64
        if let (column, delay) = delayed {
            guard let eventTime = row[column].timestampMicros else { return false }
            time = eventTime &- delay
        } else {
            guard let value = try evaluatedWatermark(row) else { return false }
            time = value
        }
        guard time > watermark else { return false }
        watermark = time
        return true
    }

    // Compiled expressions are evaluated out of line: `complete` is inlined into each source's
    // loop, and these are the planner's to run.
    @usableFromInline
    func computeColumns(_ row: inout Row) throws(SQLError) {
        for (index, expression) in computed { row[index] = try expression.evaluate(row) }
    }

    @usableFromInline
    func evaluatedWatermark(_ row: Row) throws(SQLError) -> Int64? {
        guard let (_, expression) = table.watermark else { return nil }
        return try expression.evaluate(row).timestampMicros
    }
}

/// The watermarks of a source's splits (files of a folder, Kafka partitions, fed splits) and
/// what they combine to: the smallest among the active splits. An idle split stops holding
/// the others back until it has a row again; an ended split no longer counts. When every
/// split is idle there is no combined watermark (it stays where it was), as in Flink.
package struct SplitWatermarks {
    private var watermarks: [Int64]
    private var idle: [Bool]

    package init(splits: Int) {
        watermarks = Array(repeating: Int64.min, count: splits)
        idle = Array(repeating: false, count: splits)
    }

    var count: Int { watermarks.count }

    /// Splits found later (a new partition) start active, holding the others back.
    package mutating func grow(to splits: Int) {
        guard splits > watermarks.count else { return }
        watermarks += Array(repeating: Int64.min, count: splits - watermarks.count)
        idle += Array(repeating: false, count: splits - idle.count)
    }

    package mutating func advance(_ split: Int, to time: Int64) {
        grow(to: split + 1)
        watermarks[split] = max(watermarks[split], time)
        idle[split] = false
    }

    /// The split had a row (its watermark may not have moved): it is active again.
    package mutating func active(_ split: Int) {
        grow(to: split + 1)
        idle[split] = false
    }

    package mutating func markIdle(_ split: Int) {
        grow(to: split + 1)
        idle[split] = true
    }

    package mutating func end(_ split: Int) {
        grow(to: split + 1)
        watermarks[split] = Int64.max
        idle[split] = false
    }

    package func isIdle(_ split: Int) -> Bool { split < idle.count && idle[split] }

    /// Each split's state, named by `name`, for a job's progress.
    package func states(_ name: (Int) -> String) -> [SplitState] {
        watermarks.indices.map { split in
            SplitState(
                name: name(split),
                watermark: watermarks[split] == Int64.min || watermarks[split] == Int64.max ? nil : watermarks[split],
                idle: idle[split], ended: watermarks[split] == Int64.max)
        }
    }

    /// The smallest watermark of the active splits; nil when all are idle (or there are none).
    package var combined: Int64? {
        var smallest: Int64?
        for split in watermarks.indices where !idle[split] {
            smallest = min(smallest ?? Int64.max, watermarks[split])
        }
        return smallest
    }
}

/// Collects a source's rows into batches, and cuts a batch wherever the watermark moves,
/// so that windows see each row against the watermark of the rows before it (Flink's
/// per-record rule, on which late rows depend).
public struct BatchEmitter {
    let output: Operator
    let reporter: QueryReporter?
    @usableFromInline var batch: [Row] = []
    @usableFromInline var spare: [Row] = []
    /// The batch's row kinds, once a row other than an insertion is in it.
    @usableFromInline var kinds: [RowKind]?
    private var emittedWatermark = Int64.min
    @usableFromInline static let batchSize = 1024

    package init(output: Operator, reporter: QueryReporter? = nil) {
        self.output = output
        self.reporter = reporter
        batch.reserveCapacity(Self.batchSize)
    }

    /// A row in; `consuming`, so that a source handing over its last use of a row gives the
    /// batch its reference without a retain and a release per row.
    @inlinable
    public mutating func add(_ row: consuming Row) throws(SQLError) {
        batch.append(row)
        kinds?.append(.insert)
        if batch.count >= Self.batchSize { try flush() }
    }

    /// A row of a changelog (an upsert source's updates and deletes).
    @inlinable
    public mutating func add(_ row: Row, kind: RowKind) throws(SQLError) {
        if kind != .insert, kinds == nil { kinds = Array(repeating: .insert, count: batch.count) }
        batch.append(row)
        kinds?.append(kind)
        if batch.count >= Self.batchSize { try flush() }
    }

    /// A row of `width` NULLs for a source to fill. Rows of batches already processed are
    /// filled again: an array no operator kept is reused in place (no allocation per row),
    /// and one an operator kept is copied on the first write, as Swift's arrays are.
    @inlinable
    public mutating func emptyRow(width: Int) -> Row {
        guard var row = spare.popLast(), row.count == width else { return Array(repeating: .null, count: width) }
        row.empty()
        return row
    }

    @usableFromInline
    package mutating func flush() throws(SQLError) {
        guard !batch.isEmpty else { return }
        let rowKinds = kinds
        kinds = nil
        reporter?.report(.read(rows: batch.count))
        try output.process(batch, kinds: rowKinds)
        // The processed rows become the spares, and the spares' emptied array the next batch.
        spare.removeAll(keepingCapacity: true)
        swap(&spare, &batch)
    }

    package mutating func watermark(_ time: Int64) throws(SQLError) {
        guard time > emittedWatermark else { return }
        try flush()
        emittedWatermark = time
        reporter?.report(.watermark(time))
        try output.watermark(time)
    }

    /// The source was stopped before its input ended (see `Operator.close`).
    package mutating func cancel() throws(SQLError) {
        try flush()
        try output.close()
    }

    /// The input ended: a final watermark fires every open window.
    package mutating func finish() throws(SQLError) {
        try flush()
        try output.watermark(Int64.max)
        try output.finish()
    }
}

/// VALUES (...), and SELECT without FROM.
package struct ValuesSource: SourceRunner {
    let rows: [Row]

    package func run(into output: Operator, stop: StopSignal) throws(SQLError) -> [String: Int64] {
        var emitter = BatchEmitter(output: output)
        for row in rows { try emitter.add(row) }
        try emitter.finish()
        return [:]
    }
}
