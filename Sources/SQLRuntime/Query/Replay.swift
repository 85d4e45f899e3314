import Foundation
import SQLSyntax
import SQLValues

/// A query run again slowly, for a lesson: its rows let through at the pace of their event
/// time (1×, 10×, …) or one at a time as someone steps, paused and resumed from another
/// thread (the workbench's keys). Optionally only a range of event time or of offsets: a
/// Kafka table is read from the range's first offset (else its beginning) to the end it has
/// when the replay starts.
public final class ReplayControl: @unchecked Sendable {
    public enum Pace: Equatable, Sendable {
        /// Event time runs this many times faster than the clock.
        case speed(Double)
        /// One row per `step()`.
        case step
    }

    /// Rows whose event time is outside are skipped (microseconds).
    public let timeRange: Range<Int64>?
    /// Offsets read on every partition of a Kafka table: [first, end).
    public let offsetRange: Range<Int64>?
    /// The longest wall-clock wait between two rows: a gap of an hour of event time is not waited out.
    public static let longestWait = 3.0

    private let condition = NSCondition()
    private var pace: Pace
    private var paused = false
    private var steps = 0
    private var released: Int64 = 0
    private var holding = false
    private var lastRelease = DispatchTime.now()
    private var lastTime: Int64?

    public init(pace: Pace, timeRange: Range<Int64>? = nil, offsetRange: Range<Int64>? = nil) {
        self.pace = pace
        self.timeRange = timeRange
        self.offsetRange = offsetRange
    }

    public struct State: Equatable, Sendable {
        public var pace: Pace
        public var paused: Bool
        /// Rows let through so far.
        public var released: Int64
        /// Whether a row waits to be let through (a paused or stepped replay that has read ahead).
        public var holding: Bool
    }

    public var state: State {
        condition.lock()
        defer { condition.unlock() }
        return State(pace: pace, paused: paused, released: released, holding: holding)
    }

    public func pause() { change { $0.paused = true } }
    public func resume() { change { $0.paused = false } }
    public func set(_ pace: Pace) { change { $0.pace = pace } }

    /// Lets `count` more rows through (in step mode, or while paused).
    public func step(_ count: Int = 1) { change { $0.steps += count } }

    private func change(_ body: (ReplayControl) -> Void) {
        condition.lock()
        body(self)
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until the row at event time `time` may go; false when the query was stopped.
    /// Waits in short slices so that a stop, a pause or a step is seen at once.
    func admit(_ time: Int64?, stop: StopSignal) -> Bool {
        condition.lock()
        holding = true
        defer {
            holding = false
            condition.unlock()
        }
        while true {
            if stop.isRequested { return false }
            if steps > 0 {
                steps -= 1
                return release(time)
            }
            if !paused, case let .speed(speed) = pace {
                let gap = max(0, time.flatMap { time in lastTime.map { time - $0 } } ?? 0)
                let wait = min(Self.longestWait, Double(gap) / 1e6 / max(speed, 0.001))
                let due = lastRelease.uptimeNanoseconds + UInt64(wait * 1e9)
                let now = DispatchTime.now().uptimeNanoseconds
                if now >= due { return release(time) }
                _ = condition.wait(until: Date().addingTimeInterval(min(0.05, Double(due - now) / 1e9)))
                continue
            }
            _ = condition.wait(until: Date().addingTimeInterval(0.05))
        }
    }

    private func release(_ time: Int64?) -> Bool {
        released += 1
        lastRelease = .now()
        if let time { lastTime = max(lastTime ?? time, time) }
        return true
    }
}

/// Between a source and the rest of a replayed query: lets rows through one at a time as the
/// replay's pace allows, and skips those outside its time range. Watermarks pass as they come,
/// after the rows before them.
package final class ReplayPacer: Operator {
    let control: ReplayControl
    let timeColumn: Int?
    let stop: StopSignal
    /// Where the timeline's events wait for their rows to be let through.
    let reporter: QueryReporter?
    private(set) var skipped: Int64 = 0

    init(_ control: ReplayControl, timeColumn: Int?, stop: StopSignal, reporter: QueryReporter?) {
        self.control = control
        self.timeColumn = timeColumn
        self.stop = stop
        self.reporter = reporter?.wantsTimeline == true ? reporter : nil
        self.reporter?.report(.replayStarted)
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        for (index, row) in rows.enumerated() {
            let time = timeColumn.flatMap { row[$0].timestampMicros }
            if let range = control.timeRange, let time, !range.contains(time) {
                skipped += 1
                reporter?.report(.eventReleased)
                continue
            }
            guard control.admit(time, stop: stop) else { return }
            if time != nil { reporter?.report(.eventReleased) }
            try output?.process([row], kinds: kinds.map { [$0[index]] })
        }
    }

    override var statistics: [String: Int64] { ["rows outside the replayed range": skipped] }
}
