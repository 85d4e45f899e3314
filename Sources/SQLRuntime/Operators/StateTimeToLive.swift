import Foundation
import SQLPlanner
import SQLSyntax
import SQLValues

/// Flink's `table.exec.state.ttl`: the state of a key not written for this long (processing
/// time) is dropped, so that a job over keys that come and go does not grow without end. It
/// applies where state otherwise lives forever: GROUP BY without a window, SELECT DISTINCT,
/// regular joins (and IN / EXISTS), a continuously updated Top-N's partitions. What is
/// dropped is forgotten, as in Flink: a key that
/// comes back starts afresh, a dropped join row pairs no more, and an outer row emitted
/// padded with NULLs stays so. Times are not checkpointed: restored state counts as written
/// when it was restored.
package struct StateTimeToLive {
    static let option = "table.exec.state.ttl"

    let milliseconds: Int64
    /// The engine's processing time.
    let clock: ProcessingClock
    private var nextSweep = Int64.min

    init(milliseconds: Int64, clock: ProcessingClock) {
        self.milliseconds = milliseconds
        self.clock = clock
    }

    /// The TTL a session's settings ask for; nil when unset or 0 (state kept for ever).
    init?(settings: [String: String], clock: ProcessingClock) throws(SQLError) {
        guard let text = settings[Self.option] else { return nil }
        let milliseconds = try TableOptions.milliseconds(text, option: Self.option)
        guard milliseconds > 0 else { return nil }
        self.init(milliseconds: milliseconds, clock: clock)
    }

    /// The time now, for stamping what a batch writes, and whether to look for expired state
    /// now: a look costs a pass over the state, so it is taken at most every quarter of the
    /// TTL (and at least every second).
    mutating func tick() -> (now: Int64, sweep: Bool) {
        let now = clock.milliseconds()
        guard now >= nextSweep else { return (now, false) }
        nextSweep = now + max(1, min(milliseconds / 4, 1000))
        return (now, true)
    }

    /// Whether state last written at `written` has expired at `now`.
    func hasExpired(_ written: Int64, at now: Int64) -> Bool { written <= now - milliseconds }
}
