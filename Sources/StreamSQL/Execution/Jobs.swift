import Foundation
import SQLSyntax

/// What a running query has done so far, written by its thread (sources, sinks) and read by
/// anyone (SHOW JOBS, the workbench's side pane).
public final class JobProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var rowsIn: Int64 = 0
    private var rowsOut: Int64 = 0
    private var watermark = Int64.min
    private var lag: [String: Int64] = [:]
    private var notes: [String] = []
    private var checkpoints = 0
    private var longestCheckpointMs: Double = 0
    private var splits: [SplitState] = []
    private var openWindows = 0
    private var nextWindowEnd: Int64?
    private var lateRows: Int64 = 0
    private var events: [TimelineEvent] = []
    private var spans: [WindowSpan] = []
    private var fired: [WindowSpan] = []
    private var shape: WindowShape?
    /// Events kept for the timeline: the newest.
    static let eventLimit = 4000
    /// Called with each note as it is made (the CLI prints them); set before the job starts.
    var onNote: (@Sendable (String) -> Void)?
    /// Whether the query keeps what a timeline draws (events, window spans with their running
    /// aggregates): the workbench's queries do; `weir -f` does not pay for it.
    let keepsTimeline: Bool

    init(keepsTimeline: Bool = false) {
        self.keepsTimeline = keepsTimeline
    }

    func read(_ count: Int) {
        lock.lock()
        rowsIn += Int64(count)
        lock.unlock()
    }

    func wrote(_ count: Int) {
        lock.lock()
        rowsOut += Int64(count)
        lock.unlock()
    }

    func watermark(_ time: Int64) {
        lock.lock()
        watermark = max(watermark, time)
        lock.unlock()
    }

    func update(lag: [String: Int64]) {
        lock.lock()
        self.lag = lag
        lock.unlock()
    }

    /// Where each split of the source is (what `\\why` explains).
    func splits(_ states: [SplitState]) {
        lock.lock()
        splits = states
        lock.unlock()
    }

    /// In a replay, events wait here until the pacer lets their rows through (a source reads
    /// ahead of the pace), so the timeline shows what the query has been given.
    private var held: [TimelineEvent] = []
    private var heldStart = 0
    var holdsEvents = false

    /// Rows' event times as their source read them, a batch at a time (the timeline pane plots these).
    func events(_ batch: [TimelineEvent]) {
        guard keepsTimeline, !batch.isEmpty else { return }
        lock.lock()
        if holdsEvents {
            held.append(contentsOf: batch)
            lock.unlock()
            return
        }
        events.append(contentsOf: batch.suffix(Self.eventLimit))
        trimEvents()
        lock.unlock()
    }

    /// The pacer let a row with an event time through: its event shows.
    func releaseEvent() {
        guard keepsTimeline else { return }
        lock.lock()
        defer { lock.unlock() }
        guard heldStart < held.count else { return }
        events.append(held[heldStart])
        heldStart += 1
        trimEvents()
        // Drop what was released once it is most of the array.
        if heldStart > 4096, heldStart * 2 > held.count {
            held.removeFirst(heldStart)
            heldStart = 0
        }
    }

    /// Keeps the newest events (called with the lock held; trims in steps, not per event).
    private func trimEvents() {
        if events.count > Self.eventLimit + 500 { events.removeFirst(events.count - Self.eventLimit) }
    }

    /// A row dropped as late (the timeline marks where it would have landed).
    func late(time: Int64) {
        guard keepsTimeline else { return }
        lock.lock()
        events.append(TimelineEvent(split: -1, offset: -1, time: time, late: true))
        trimEvents()
        lock.unlock()
    }

    /// The open windows now, and windows that just fired.
    func windowSpans(open: [WindowSpan], fired newlyFired: [WindowSpan]) {
        lock.lock()
        spans = open
        fired.append(contentsOf: newlyFired)
        if fired.count > 200 { fired.removeFirst(fired.count - 100) }
        lock.unlock()
    }

    /// The kind of windows the query aggregates in (set when it is planned).
    func window(_ spec: WindowSpec) {
        if case .assigned = spec.kind { return }
        lock.lock()
        if shape == nil { shape = WindowShape(spec: spec) }
        lock.unlock()
    }

    /// The window operator's state after a batch or a watermark.
    func windows(open: Int, nextEnd: Int64?, late: Int64) {
        lock.lock()
        openWindows = open
        nextWindowEnd = nextEnd
        lateRows = late
        lock.unlock()
    }

    /// A checkpoint was taken; the job's input waited `milliseconds` for it.
    func checkpointTaken(milliseconds: Double) {
        lock.lock()
        checkpoints += 1
        longestCheckpointMs = max(longestCheckpointMs, milliseconds)
        lock.unlock()
    }

    /// Something the job wants its owner to know (where it started reading, a topic it waits for).
    func note(_ text: String) {
        lock.lock()
        notes.append(text)
        // A job that runs for days keeps its newest notes, not every one.
        if notes.count > 200 { notes.removeFirst(notes.count - 100) }
        lock.unlock()
        onNote?(text)
    }

    public struct Snapshot: Sendable {
        public var rowsIn: Int64
        public var rowsOut: Int64
        /// Microseconds of event time; nil before the first watermark.
        public var watermark: Int64?
        /// Records behind the end of each partition, by "topic-partition".
        public var lag: [String: Int64]
        public var notes: [String]
        public var checkpoints: Int
        /// The longest pause a checkpoint made, in milliseconds.
        public var longestCheckpointMs: Double
        /// The source's splits (Kafka partitions, files, fed splits) and their watermarks.
        public var splits: [SplitState]
        /// Windows open in the window aggregate, the earliest end among them, and rows dropped as late.
        public var openWindows: Int
        public var nextWindowEnd: Int64?
        public var lateRows: Int64
        /// The newest rows' event times by split, and late rows (split -1).
        public var events: [TimelineEvent]
        /// Windows open now (with how many groups each holds), and the latest fired ones.
        public var openSpans: [WindowSpan]
        public var firedSpans: [WindowSpan]
        /// The query's windows (tumbling, hopping, cumulating, session); nil without a window.
        public var window: WindowShape?
    }

    public var snapshot: Snapshot {
        lock.lock()
        defer { lock.unlock() }
        return Snapshot(rowsIn: rowsIn, rowsOut: rowsOut, watermark: watermark == Int64.min || watermark == Int64.max ? nil : watermark,
                        lag: lag, notes: notes, checkpoints: checkpoints, longestCheckpointMs: longestCheckpointMs,
                        splits: splits, openWindows: openWindows, nextWindowEnd: nextWindowEnd, lateRows: lateRows,
                        events: events, openSpans: spans, firedSpans: fired, window: shape)
    }
}

/// A source's event times on their way to the timeline: gathered and handed over a batch at a
/// time, or each before its row in a replay (the pacer shows an event as it lets its row
/// through). Costs nothing per row unless the query keeps a timeline.
struct TimelineRecorder {
    private let progress: JobProgress?
    private let column: Int?
    private let batchSize: Int
    private var pending: [TimelineEvent] = []

    init(progress: JobProgress?, table: CatalogTable) {
        let kept = progress?.keepsTimeline == true ? progress : nil
        self.progress = kept
        column = kept == nil ? nil : table.watermark?.column
        batchSize = kept?.holdsEvents == true ? 1 : 256
    }

    mutating func record(_ row: Row, split: Int, offset: Int64) {
        guard let column, let time = row[column].timestampMicros else { return }
        pending.append(TimelineEvent(split: split, offset: offset, time: time, late: false))
        if pending.count >= batchSize { flush() }
    }

    mutating func flush() {
        guard !pending.isEmpty else { return }
        progress?.events(pending)
        pending.removeAll(keepingCapacity: true)
    }
}

/// A row on the timeline: its split, its position there (a Kafka offset, the nth record fed
/// to the split) and event time (microseconds); or a late row (split and offset -1).
public struct TimelineEvent: Sendable, Equatable {
    public var split: Int
    public var offset: Int64
    public var time: Int64
    public var late: Bool
}

/// A window as the timeline draws it: [start, end), how many groups (keys) it holds, and its
/// running aggregate in words ("SUM 1250.5", "3 keys, COUNT 7"); a session's key, since
/// sessions are per key.
public struct WindowSpan: Sendable, Equatable {
    public var start: Int64
    public var end: Int64
    public var groups: Int
    public var aggregate: String = ""
    public var key: String?
}

/// The windows a query aggregates in, as the timeline needs them: their kind and sizes, and
/// which windows an event time falls into.
public struct WindowShape: Sendable, Equatable {
    public enum Kind: String, Sendable { case tumble, hop, cumulate, session }
    let spec: WindowSpec

    public var kind: Kind {
        switch spec.kind {
        case .tumble: return .tumble
        case .hop: return .hop
        case .cumulate: return .cumulate
        case .session, .assigned: return .session
        }
    }

    /// The longest window (a session's gap), microseconds.
    public var size: Int64 {
        switch spec.kind {
        case let .tumble(size), let .hop(size, _), let .cumulate(_, size): return size
        case let .session(gap): return gap
        case .assigned: return 0
        }
    }

    /// The distance between the windows' boundaries: a tumbling window's size, a hopping one's
    /// slide, a cumulating one's step, a session's gap.
    public var step: Int64 {
        switch spec.kind {
        case let .tumble(size): return size
        case let .hop(_, slide): return slide
        case let .cumulate(step, _): return step
        case let .session(gap): return gap
        case .assigned: return 0
        }
    }

    /// In words, for the pane's title: "tumbling 5 s", "hopping 10 s every 5 s".
    public var description: String {
        func duration(_ micros: Int64) -> String { IntervalText.describe(micros) }
        switch spec.kind {
        case let .tumble(size): return "tumbling \(duration(size))"
        case let .hop(size, slide): return "hopping \(duration(size)) every \(duration(slide)), stacked"
        case let .cumulate(step, size): return "cumulating \(duration(size)) by \(duration(step)), growing from one start"
        case let .session(gap): return "sessions per key, closed by a \(duration(gap)) gap"
        case .assigned: return "windows"
        }
    }

    /// The [start, end) windows an event at `time` belongs to (sessions: none can be said).
    public func windows(containing time: Int64) -> [(start: Int64, end: Int64)] { spec.windows(for: time) }

    public static func == (a: WindowShape, b: WindowShape) -> Bool { a.spec.description == b.spec.description && a.spec.offset == b.spec.offset }
}

/// One split of a source as `\\why` sees it.
public struct SplitState: Sendable, Equatable {
    public var name: String
    /// Microseconds of event time; nil before its first record.
    public var watermark: Int64?
    public var idle: Bool
    public var ended: Bool
}

/// Counts the rows a job's sink is given (the "after" rows of a changelog).
final class OutputCounter: Operator {
    let progress: JobProgress

    init(progress: JobProgress, sink: Operator) {
        self.progress = progress
        super.init()
        output = sink
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        progress.wrote(kinds?.count { $0 != .updateBefore } ?? rows.count)
        try output?.process(rows, kinds: kinds)
    }
}

/// A continuous INSERT INTO (or a statement set) running in the background on threads of
/// its own: known by an id, stopped by STOP JOB, listed by SHOW JOBS.
public final class Job: @unchecked Sendable {
    public enum Status: Sendable, Equatable {
        case running, finished, stopped
        case failed(String)

        public var text: String {
            switch self {
            case .running: return "RUNNING"
            case .finished: return "FINISHED"
            case .stopped: return "CANCELED"
            case let .failed(message): return "FAILED: \(message)"
            }
        }
    }

    public let id: String
    /// `SET 'pipeline.name'` when given, else the statement.
    public let name: String
    public let statement: String
    public let progress: JobProgress
    let stop: StopSignal
    private let lock = NSLock()
    private var state = Status.running
    private var remaining = 0
    private let finished = DispatchGroup()

    init(id: String, name: String, statement: String, progress: JobProgress, stop: StopSignal) {
        self.id = id
        self.name = name
        self.statement = statement
        self.progress = progress
        self.stop = stop
    }

    public var status: Status {
        lock.lock()
        defer { lock.unlock() }
        return state
    }

    /// Runs each part (one per INSERT) on a thread of its own; the last part to end sets the status.
    func start(_ parts: [QueryExecution]) {
        remaining = parts.count
        for part in parts {
            finished.enter()
            let thread = Thread { [self] in
                var failure: SQLError?
                do throws(SQLError) {
                    try part.run()
                } catch {
                    failure = error
                    stop.request() // one part failing stops the others
                }
                lock.lock()
                if case .running = state, let failure { state = .failed(failure.description) }
                remaining -= 1
                if remaining == 0, case .running = state { state = stop.isRequested ? .stopped : .finished }
                lock.unlock()
                finished.leave()
            }
            thread.name = "weir job \(id)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    public func requestStop() { stop.request() }

    /// Blocks until every part has ended.
    public func wait() {
        finished.wait()
    }
}

/// The session's background jobs.
public final class JobRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var jobs: [Job] = []
    private var counter = 0

    func add(name: String, statement: String, progress: JobProgress, stop: StopSignal) -> Job {
        lock.lock()
        defer { lock.unlock() }
        counter += 1
        let id = String(format: "%08x", UInt32(truncatingIfNeeded: UInt64(Date().timeIntervalSince1970 * 1000) &* 2_654_435_761 &+ UInt64(counter)))
        let job = Job(id: id, name: name, statement: statement, progress: progress, stop: stop)
        jobs.append(job)
        return job
    }

    public var all: [Job] {
        lock.lock()
        defer { lock.unlock() }
        return jobs
    }

    public func job(_ id: String) -> Job? { all.first { $0.id == id || $0.name == id } }

    /// Asks every running job to stop (Ctrl-C in `weir -f`).
    public func stopAll() {
        for job in all { job.requestStop() }
    }

    /// Blocks until every job has ended.
    public func waitForAll() {
        for job in all { job.wait() }
    }
}
