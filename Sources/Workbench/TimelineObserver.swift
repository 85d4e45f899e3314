import SQLRuntime
import StreamSQL
import Synchronization

/// What the timeline draws of a query: its progress (watermark, splits, windows, late rows)
/// and the per-row detail — the newest rows' event times, the open windows and those that
/// fired. Progress fields read through (`snapshot.watermark`).
@dynamicMemberLookup
public struct TimelineSnapshot: Sendable {
    public var progress = QueryProgress.Snapshot()
    /// The newest rows' event times by split, and late rows (split -1).
    public var events: [TimelineEvent] = []
    /// Windows open now (with how many groups each holds), and the latest fired ones.
    public var openSpans: [WindowSpan] = []
    public var firedSpans: [WindowSpan] = []

    public init() {}

    public subscript<Field>(dynamicMember field: KeyPath<QueryProgress.Snapshot, Field>) -> Field {
        progress[keyPath: field]
    }
}

/// Watches a query for the timeline: folds its events into a `TimelineSnapshot`, keeping the
/// newest events and windows. The engine attaches one to each query and job the workbench runs
/// (`Engine.makeObserver`).
public final class TimelineObserver: QueryObserver {
    /// Events kept: the newest.
    static let eventLimit = 4000

    private struct State {
        var snapshot = TimelineSnapshot()
        /// In a replay, events wait here until the pacer lets their rows through (a source
        /// reads ahead of the pace), so the timeline shows what the query has been given.
        var replaying = false
        var held: [TimelineEvent] = []
        var heldStart = 0
    }

    private let state = Mutex(State())
    public var wantsTimeline: Bool { true }

    public init() {}

    public var snapshot: TimelineSnapshot { state.withLock { $0.snapshot } }

    public func observe(_ event: QueryEvent) {
        state.withLock { state in
            state.snapshot.progress.apply(event)
            switch event {
            case let .eventTimes(batch):
                if state.replaying {
                    state.held.append(contentsOf: batch)
                } else {
                    state.snapshot.events.append(contentsOf: batch.suffix(Self.eventLimit))
                    Self.trim(&state.snapshot.events)
                }
            case .replayStarted:
                state.replaying = true
            case .eventReleased:
                guard state.heldStart < state.held.count else { return }
                state.snapshot.events.append(state.held[state.heldStart])
                state.heldStart += 1
                Self.trim(&state.snapshot.events)
                // Drop what was released once it is most of the array.
                if state.heldStart > 4096, state.heldStart * 2 > state.held.count {
                    state.held.removeFirst(state.heldStart)
                    state.heldStart = 0
                }
            case let .lateRow(time):
                state.snapshot.events.append(TimelineEvent(split: -1, offset: -1, time: time, late: true))
                Self.trim(&state.snapshot.events)
            case let .windowSpans(open, fired):
                state.snapshot.openSpans = open
                state.snapshot.firedSpans.append(contentsOf: fired)
                if state.snapshot.firedSpans.count > 200 {
                    state.snapshot.firedSpans.removeFirst(state.snapshot.firedSpans.count - 100)
                }
            default:
                break
            }
        }
    }

    /// Keeps the newest events (in steps, not per event).
    private static func trim(_ events: inout [TimelineEvent]) {
        if events.count > eventLimit + 500 { events.removeFirst(events.count - eventLimit) }
    }
}
