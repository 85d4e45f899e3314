import SQLPlanner
import SQLValues
import Synchronization

/// What a running query reports as it goes: facts with values, no words. Its watchers put
/// them into words — the workbench's timeline, `\\why` and jobs pane, SHOW JOBS, `weir -f`.
public enum QueryEvent: Sendable {
    /// Rows a source handed to the operators.
    case read(rows: Int)
    /// Rows a job's sink was given (the "after" rows of a changelog).
    case wrote(rows: Int)
    /// The query's watermark moved (microseconds of event time).
    case watermark(Int64)
    /// Where each split of the source is.
    case splits([SplitState])
    /// Records behind the end of each partition, by "topic-partition".
    case lag([String: Int64])
    /// The kind of windows the query aggregates in (once, as it is built).
    case windowShape(WindowShape)
    /// The window aggregate's state after a batch or a watermark: groups of open windows, the
    /// earliest end among them, rows dropped as late so far.
    case windows(open: Int, nextEnd: Int64?, lateRows: Int64)
    /// A checkpoint was taken; the input waited this long for it.
    case checkpointTaken(pauseMs: Double)
    /// Something its owner should know (where reading starts, a broker that went away).
    case note(String)

    // Per-row detail, sent only when an observer `wantsTimeline`:
    /// Rows' event times as their source read them.
    case eventTimes([TimelineEvent])
    /// A row dropped as late, at its event time.
    case lateRow(time: Int64)
    /// The windows open now (the whole list), and those that just fired.
    case windowSpans(open: [WindowSpan], fired: [WindowSpan])
    /// A replay paces the query: event times come ahead of their rows, each released as the
    /// pacer lets its row through (`eventReleased`).
    case replayStarted
    case eventReleased
}

/// Watches a query or a job: told each `QueryEvent` on the thread that made it (a query's
/// sources may run on threads of their own), so it must be quick and thread-safe.
public protocol QueryObserver: AnyObject, Sendable {
    /// Whether it wants the per-row detail, which costs the query to gather.
    var wantsTimeline: Bool { get }
    func observe(_ event: QueryEvent)
}

/// The observers of one query, as its sources and operators hold them.
package final class QueryReporter: Sendable {
    let observers: [any QueryObserver]
    /// Whether anyone wants per-row detail: senders check this before gathering it.
    let wantsTimeline: Bool

    package init(_ observers: [any QueryObserver]) {
        self.observers = observers
        wantsTimeline = observers.contains { $0.wantsTimeline }
    }

    package func report(_ event: QueryEvent) {
        for observer in observers { observer.observe(event) }
    }
}

/// Hands a query's notes to a closure (the CLI prints them; the workbench shows them).
package final class NoteForwarder: QueryObserver {
    let forward: @Sendable (String) -> Void
    package var wantsTimeline: Bool { false }

    package init(_ forward: @escaping @Sendable (String) -> Void) {
        self.forward = forward
    }

    package func observe(_ event: QueryEvent) {
        if case let .note(text) = event { forward(text) }
    }
}

/// What a query or job has done so far, folded from its events: what SHOW JOBS, `\\why`,
/// the jobs pane and `weir -f` read.
public final class QueryProgress: QueryObserver {
    private let state = Mutex(Snapshot())
    public var wantsTimeline: Bool { false }

    package init() {}

    public func observe(_ event: QueryEvent) {
        state.withLock { $0.apply(event) }
    }

    public var snapshot: Snapshot { state.withLock { $0 } }

    public struct Snapshot: Sendable {
        public var rowsIn: Int64 = 0
        public var rowsOut: Int64 = 0
        /// Microseconds of event time; nil before the first watermark.
        public var watermark: Int64?
        /// Records behind the end of each partition, by "topic-partition".
        public var lag: [String: Int64] = [:]
        /// The newest notes.
        public var notes: [String] = []
        public var checkpoints = 0
        /// The longest pause a checkpoint made, in milliseconds.
        public var longestCheckpointMs: Double = 0
        /// The source's splits (Kafka partitions, files, fed splits) and their watermarks.
        public var splits: [SplitState] = []
        /// Groups of open windows, the earliest end among them, and rows dropped as late.
        public var openWindows = 0
        public var nextWindowEnd: Int64?
        public var lateRows: Int64 = 0
        /// The query's windows (tumbling, hopping, cumulating, session); nil without a window.
        public var window: WindowShape?
        private var inputEnded = false

        public init() {}

        /// The snapshot after `event` (per-row detail is not kept here).
        public mutating func apply(_ event: QueryEvent) {
            switch event {
            case let .read(rows): rowsIn += Int64(rows)
            case let .wrote(rows): rowsOut += Int64(rows)
            case let .watermark(time):
                // The final watermark (the input ended) is no time of day: none is shown after it.
                if time == Int64.max {
                    watermark = nil
                    inputEnded = true
                } else if !inputEnded {
                    watermark = max(watermark ?? Int64.min, time)
                }
            case let .splits(states): splits = states
            case let .lag(partitions): lag = partitions
            case let .windowShape(shape): if window == nil { window = shape }
            case let .windows(open, nextEnd, late):
                openWindows = open
                nextWindowEnd = nextEnd
                lateRows = late
            case let .checkpointTaken(pause):
                checkpoints += 1
                longestCheckpointMs = max(longestCheckpointMs, pause)
            case let .note(text):
                notes.append(text)
                // A job that runs for days keeps its newest notes, not every one.
                if notes.count > 200 { notes.removeFirst(notes.count - 100) }
            case .eventTimes, .lateRow, .windowSpans, .replayStarted, .eventReleased:
                break
            }
        }
    }
}

/// A source's event times on their way to the timeline: gathered and reported a batch at a
/// time, or one at a time in a replay (the pacer shows an event as it lets its row through).
/// Costs nothing per row unless an observer wants the timeline.
package struct EventTimeRecorder {
    private let reporter: QueryReporter?
    private let column: Int?
    private let batchSize: Int
    private var pending: [TimelineEvent] = []

    package init(reporter: QueryReporter?, table: CatalogTable, replaying: Bool) {
        let kept = reporter?.wantsTimeline == true ? reporter : nil
        self.reporter = kept
        column = kept == nil ? nil : table.watermark?.column
        batchSize = replaying ? 1 : 256
    }

    package mutating func record(_ row: Row, split: Int, offset: Int64) {
        guard let column, let time = row[column].timestampMicros else { return }
        pending.append(TimelineEvent(split: split, offset: offset, time: time, late: false))
        if pending.count >= batchSize { flush() }
    }

    package mutating func flush() {
        guard !pending.isEmpty else { return }
        reporter?.report(.eventTimes(pending))
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

    public init(split: Int, offset: Int64, time: Int64, late: Bool) {
        self.split = split
        self.offset = offset
        self.time = time
        self.late = late
    }
}

/// A window as a query holds it: [start, end), how many groups (keys) it holds, its running
/// aggregate, and a session's key (sessions are per key).
public struct WindowSpan: Sendable, Equatable {
    public var start: Int64
    public var end: Int64
    public var groups: Int
    public var aggregate: WindowAggregate?
    public var key: [Value]?
}

/// A window's first aggregate as it stands: its call as written ("SUM(amount)") and its
/// value — the one group's, or the groups' total where adding them up means something
/// (COUNT and SUM: `summed`). Nil on a span whose groups are too many to add up each time.
public struct WindowAggregate: Sendable, Equatable {
    public var call: String
    public var value: Value
    public var summed: Bool
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

    /// The [start, end) windows an event at `time` belongs to (sessions: none can be said).
    public func windows(containing time: Int64) -> [(start: Int64, end: Int64)] { spec.windows(for: time) }

    public static func == (a: WindowShape, b: WindowShape) -> Bool {
        a.spec.description == b.spec.description && a.spec.offset == b.spec.offset
    }
}

/// One split of a source as `\\why` sees it.
public struct SplitState: Sendable, Equatable {
    public var name: String
    /// Microseconds of event time; nil before its first record.
    public var watermark: Int64?
    public var idle: Bool
    public var ended: Bool

    public init(name: String, watermark: Int64?, idle: Bool, ended: Bool) {
        self.name = name
        self.watermark = watermark
        self.idle = idle
        self.ended = ended
    }
}
