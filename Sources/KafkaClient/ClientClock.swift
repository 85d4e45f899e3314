/// The time the client waits by: its retries and backoffs, a producer's linger and delivery
/// timeout, a consumer's poll wait and auto-commit interval, a group's join timeout and
/// heartbeats. `.continuous` is the system's monotonic clock; a test gives a clock it moves
/// on by hand (`ManualClock` in WeirTestSupport), so that a 30-second timeout takes no
/// 30 seconds. A request's own timeout on the wire stays the event loop's.
public struct ClientClock: Sendable {
    /// The time since an origin of the clock's choosing; never goes back.
    public let now: @Sendable () -> Duration
    /// Returns once `duration` has passed on this clock (throws when the task is cancelled).
    public let sleep: @Sendable (Duration) async throws -> Void

    public init(now: @escaping @Sendable () -> Duration, sleep: @escaping @Sendable (Duration) async throws -> Void) {
        self.now = now
        self.sleep = sleep
    }

    public static let continuous: ClientClock = {
        let origin = ContinuousClock.now
        return ClientClock(now: { ContinuousClock.now - origin }, sleep: { try await Task.sleep(for: $0) })
    }()

    /// Sleeps for `milliseconds`.
    func sleep(milliseconds: Int) async throws { try await sleep(.milliseconds(milliseconds)) }
}
