import Foundation
import SQLPlanner
import SQLSyntax
import SQLValues
import Synchronization

/// A plan turned into operators, and run: each source pushes into its chain on this
/// thread, one after another (a union waits for all of its inputs to end).
package final class QueryExecution: @unchecked Sendable {
    let catalog: Catalog
    let stop: StopSignal
    private(set) var sources: [(runner: SourceRunner, entry: Operator)] = []
    private(set) var operators: [Operator] = []
    /// Whether a source never ends by itself (a Kafka topic): then several run at once.
    private var unbounded = false
    /// What the sources counted as they ran.
    private var sourceStatistics: [String: Int64] = [:]

    /// `SET 'execution.runtime-mode' = 'batch'`: sources hold their watermarks back to the
    /// end, so windows fire once every row is in and no row is late.
    let batch: Bool

    /// Where a background job's counts go (nil for a query someone watches).
    /// Where its sources and operators report (nil: nobody watches).
    let reporter: QueryReporter?
    /// Saves the job's state now and then; set before `build` (sources take it up).
    package var checkpointer: Checkpointer? {
        didSet { checkpointer?.execution = self }
    }

    /// Set for a replay: each source's rows go through a pacer.
    let replay: ReplayControl?

    package init(catalog: Catalog, stop: StopSignal, reporter: QueryReporter? = nil, replay: ReplayControl? = nil) {
        self.catalog = catalog
        self.stop = stop
        self.reporter = reporter
        self.replay = replay
        batch = catalog.setting("execution.runtime-mode", default: "streaming").lowercased() == "batch"
    }

    /// Builds the operators of `node` feeding `downstream`; returns the node's own operator.
    /// `wanted`: the node's columns read downstream (nil: all), which tells the scans below
    /// the fields their formats may skip.
    @discardableResult
    package func build(
        _ node: PlanNode, into downstream: Operator, wanted: Set<Int>? = nil
    ) throws(SQLError) -> Operator {
        func chain(_ step: Operator) throws(SQLError) -> Operator {
            step.output = downstream
            operators.append(step)
            try build(node.inputs[0], into: step, wanted: node.columnsRead(fromInput: 0, wanted: wanted))
            return step
        }
        /// An operator of several inputs: each input's operators feed the entry it gives for that input.
        func gather(_ step: MultiInputOperator) throws(SQLError) -> Operator {
            step.output = downstream
            operators.append(step)
            for (position, input) in node.inputs.enumerated() {
                let inputEntry = step.input(position)
                operators.append(inputEntry)
                try build(input, into: inputEntry, wanted: node.columnsRead(fromInput: position, wanted: wanted))
            }
            return step
        }
        switch node.kind {
        case let .scan(table):
            if batch, !node.bounded {
                throw SQLError(
                    .plan,
                    "batch mode needs bounded tables, and \(table.name) (\(table.options.connector)) is not: "
                        + "SET 'execution.runtime-mode' = 'streaming'")
            }
            var entry = downstream
            if batch {
                entry = EndOfInputWatermarks()
                entry.output = downstream
                operators.append(entry)
            }
            if checkpointer != nil, !sources.isEmpty {
                throw SQLError(
                    .unsupported,
                    "checkpoints are taken for an INSERT that reads one Kafka table; this one reads several")
            }
            if let replay {
                let pacer = ReplayPacer(replay, timeColumn: table.watermark?.column, stop: stop, reporter: reporter)
                pacer.output = entry
                operators.append(pacer)
                entry = pacer
            }
            if !node.bounded { unbounded = true }
            let columns = ScanColumns(table: table, queryReads: wanted)
            sources.append((try source(for: table, columns: columns), entry))
            return downstream
        case let .values(rows):
            sources.append((ValuesSource(rows: rows), downstream))
            return downstream
        case let .project(expressions, _):
            return try chain(ProjectOperator(expressions))
        case let .filter(predicate, _):
            return try chain(FilterOperator(predicate))
        case let .expand(sets):
            return try chain(ExpandOperator(sets))
        case let .unnest(collection, shape, ordinality, outer):
            return try chain(UnnestOperator(collection, shape: shape, ordinality: ordinality, outer: outer))
        case let .assignWindows(spec):
            reportShape(of: spec)
            return try chain(WindowAssignOperator(spec))
        case let .windowAggregate(spec, keys, aggregates, eventTime):
            if case .session = spec.kind {
                for aggregate in aggregates {
                    if case let .native(function) = aggregate.kind, function.merge == nil {
                        throw SQLError(
                            .plan,
                            "\(function.name) cannot be used in a SESSION window: it was registered without a merge function"
                        )
                    }
                }
            }
            var ltz = false
            if case .timestampLTZ = node.schema.columns[node.schema.columns.count - 1].type { ltz = true }
            let window = WindowAggregateOperator(
                spec: spec, keys: keys, aggregates: aggregates, eventTime: eventTime, ltz: ltz, clock: catalog.clock)
            window.reporter = reporter
            reportShape(of: spec)
            return try chain(window)
        case let .aggregate(keys, aggregates):
            let retracting = !node.inputs[0].appendOnly
            if retracting {
                for aggregate in aggregates {
                    if case let .native(function) = aggregate.kind, function.retract == nil {
                        throw SQLError(
                            .plan,
                            "\(function.name) cannot aggregate a changelog (its input updates rows): it was registered without a retract function"
                        )
                    }
                }
            }
            return try chain(
                GroupAggregateOperator(
                    keys: keys, aggregates: aggregates, emitAtEnd: batch, retracting: retracting,
                    timeToLive: try StateTimeToLive(settings: catalog.settings, clock: catalog.clock)))
        case let .sort(keys):
            return try chain(SortOperator(keys))
        case let .overAggregate(partition, timeColumn, eventTime, frame, aggregates):
            return try chain(
                OverAggregateOperator(
                    partition: partition, timeColumn: timeColumn, eventTime: eventTime, frame: frame,
                    aggregates: aggregates,
                    recomputesFrames: batch))
        case let .rowNumber(partition, order, windowEnd, limit, numbering):
            // The planner made the numbering a changelog when it is updated (see Planner+TopN).
            return try chain(
                RowNumberOperator(
                    partition: partition, order: order, windowEnd: windowEnd, limit: limit,
                    updating: !node.appendOnly, retracting: !node.inputs[0].appendOnly,
                    timeToLive: try StateTimeToLive(settings: catalog.settings, clock: catalog.clock),
                    numbering: numbering))
        case let .limit(count, offset):
            return try chain(LimitOperator(count: count, offset: offset, stop: stop))
        case .atMostOneRow:
            return try chain(AtMostOneRowOperator())
        case .distinct:
            return try chain(
                DistinctOperator(
                    retracting: !node.inputs[0].appendOnly,
                    timeToLive: try StateTimeToLive(settings: catalog.settings, clock: catalog.clock))
            )
        case let .join(predicate, leftKeys, rightKeys, outer, expiry, filtering):
            let widths = (node.inputs[0].schema.columns.count, node.inputs[1].schema.columns.count)
            let timeToLive = try StateTimeToLive(settings: catalog.settings, clock: catalog.clock)
            if let filtering {
                return try gather(
                    FilteringJoinOperator(
                        predicate: predicate, leftKeys: leftKeys, rightKeys: rightKeys, filtering: filtering,
                        widths: widths, timeToLive: timeToLive))
            }
            if let expiry {
                // Rows leave by event time: no TTL.
                return try gather(
                    TimeBoundJoinOperator(
                        predicate: predicate, leftKeys: leftKeys, rightKeys: rightKeys, outer: outer, expiry: expiry,
                        widths: widths))
            }
            return try gather(
                RegularJoinOperator(
                    predicate: predicate, leftKeys: leftKeys, rightKeys: rightKeys, outer: outer, widths: widths,
                    timeToLive: timeToLive))
        case let .temporalJoin(predicate, leftKeys, rightKeys, leftTime, versionTime, outer):
            return try gather(
                TemporalJoinOperator(
                    predicate: predicate, leftKeys: leftKeys, rightKeys: rightKeys, leftTime: leftTime,
                    versionTime: versionTime, outer: outer, rightWidth: node.inputs[1].schema.columns.count))
        case .union:
            let union = UnionOperator(inputs: node.inputs.count)
            return try gather(union)
        case let .setOperation(operation, all):
            return try gather(SetOperationOperator(operation, all: all))
        }

    }

    /// Sinks write out what they hold (called by the checkpointer).
    /// The kind of windows the query aggregates in, for its watchers.
    private func reportShape(of spec: WindowSpec) {
        if case .assigned = spec.kind { return }
        reporter?.report(.windowShape(WindowShape(spec: spec)))
    }

    /// The scanned table's source, from its connector.
    private func source(for table: CatalogTable, columns: ScanColumns) throws(SQLError) -> SourceRunner {
        let connector = try table.runningConnector()
        if checkpointer != nil, !connector.checkpointsSources {
            throw SQLError(
                .unsupported,
                "checkpoints are taken for Kafka sources; \(table.name) is a \(table.options.connector) table")
        }
        let context = SourceContext(
            catalog: catalog, reporter: reporter, checkpointer: checkpointer, replay: replay, columns: columns)
        guard let source = try connector.source(for: table, in: context) else {
            throw SQLError(
                .plan, "the \(table.options.connector) connector only writes: table \(table.name) cannot be read")
        }
        return source
    }

    func prepareCheckpoint() throws(SQLError) {
        for (_, entry) in sources { try entry.prepareCheckpoint() }
    }

    /// Runs every source to its end (or until stopped). Several bounded sources run one
    /// after another on this thread (the same rows in the same order every run); when one
    /// never ends, they all run at once, each on a thread of its own, taking turns to push
    /// into the operators — a union of two topics shows both as they grow.
    package func run() throws(SQLError) {
        guard unbounded, sources.count > 1 else {
            for (runner, entry) in sources {
                sourceStatistics.merge(try runner.run(into: entry, stop: stop), uniquingKeysWith: +)
            }
            return
        }
        try runTogether()
    }

    private func runTogether() throws(SQLError) {
        let turns = Turns()
        let done = DispatchGroup()
        // A source that fails stops the others (the user's stop stops them all, as the parent).
        let failed = StopSignal(parent: stop)
        let results = SourceResults()
        for (runner, entry) in sources {
            let source = UncheckedSource(runner: runner, entry: TakingTurns(entry, turns: turns))
            done.enter()
            let thread = Thread {
                do throws(SQLError) {
                    results.add(try source.runner.run(into: source.entry, stop: failed))
                } catch {
                    results.fail(error)
                    failed.request()
                }
                done.leave()
            }
            thread.name = "weir source"
            thread.stackSize = 8 << 20
            thread.start()
        }
        done.wait()
        if let failure = results.failure { throw failure }
        sourceStatistics.merge(results.statistics, uniquingKeysWith: +)
    }

    /// What the sources and operators counted (records skipped, late rows, open windows), summed by name.
    package var statistics: [String: Int64] {
        var totals = sourceStatistics
        for step in operators {
            totals.merge(step.statistics, uniquingKeysWith: +)
        }
        return totals
    }
}

/// The entry of one source's operators when sources run on threads of their own: every call
/// takes the query's one lock, so the operators (shared downstream of a union) see one
/// source at a time.
package final class TakingTurns: Operator {
    private let turns: Turns

    init(_ entry: Operator, turns: Turns) {
        self.turns = turns
        super.init()
        output = entry
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        try turns.take { () throws(SQLError) in try output?.process(rows, kinds: kinds) }
    }

    override func watermark(_ time: Int64) throws(SQLError) {
        try turns.take { () throws(SQLError) in try output?.watermark(time) }
    }

    override func finish() throws(SQLError) {
        try turns.take { () throws(SQLError) in try output?.finish() }
    }

    override func close() throws(SQLError) {
        try turns.take { () throws(SQLError) in try output?.close() }
    }

    override func prepareCheckpoint() throws(SQLError) {
        try turns.take { () throws(SQLError) in try output?.prepareCheckpoint() }
    }
}

/// The query's one lock, which each source's thread takes for every call into the operators.
final class Turns: Sendable {
    private let mutex = Mutex(())

    func take(_ body: () throws(SQLError) -> Void) throws(SQLError) {
        try mutex.withLock { _ throws(SQLError) in try body() }
    }
}

/// A source handed to its thread (it runs there alone; its entry takes turns).
private struct UncheckedSource: @unchecked Sendable {
    let runner: SourceRunner
    let entry: Operator
}

/// What sources on threads of their own counted, and the first error among them.
private final class SourceResults: Sendable {
    private let results = Mutex((counts: [String: Int64](), firstFailure: SQLError?.none))

    func add(_ statistics: [String: Int64]) {
        results.withLock { $0.counts.merge(statistics, uniquingKeysWith: +) }
    }

    func fail(_ error: SQLError) {
        results.withLock { $0.firstFailure = $0.firstFailure ?? error }
    }

    var statistics: [String: Int64] { results.withLock { $0.counts } }

    var failure: SQLError? { results.withLock { $0.firstFailure } }
}

/// Lets only the final watermark through (batch mode).
package final class EndOfInputWatermarks: Operator {
    override func watermark(_ time: Int64) throws(SQLError) {
        if time == Int64.max { try output?.watermark(time) }
    }
}
