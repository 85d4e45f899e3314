import KafkaClient
import Synchronization

/// A clock for the Kafka client that moves only when a test says so: `advance(by:)` wakes the
/// sleepers whose time has come. A 60-second timeout then takes the real time its attempts
/// take, not 60 seconds, and nothing gives up before the test has moved the clock past it.
public final class ManualClock: Sendable {
    private struct Sleeper {
        let id: Int
        let until: Duration
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Duration.zero
        var nextId = 0
        var sleepers: [Sleeper] = []
    }

    private let state = Mutex(State())

    public init() {}

    /// The clock for `ClientConfig.clock`.
    public var clientClock: ClientClock {
        ClientClock(now: { [self] in now }, sleep: { [self] duration in try await sleep(for: duration) })
    }

    public var now: Duration { state.withLock { $0.now } }

    /// How many tasks sleep on this clock now.
    public var sleeping: Int { state.withLock { $0.sleepers.count } }

    /// Moves the clock on, waking every sleeper whose time has come.
    public func advance(by duration: Duration) {
        let due = state.withLock { state -> [Sleeper] in
            state.now += duration
            let now = state.now
            let due = state.sleepers.filter { $0.until <= now }
            state.sleepers.removeAll { $0.until <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    private func sleep(for duration: Duration) async throws {
        let id = state.withLock { state -> Int in
            state.nextId += 1
            return state.nextId
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { state -> Bool in
                    if duration <= .zero || Task.isCancelled { return true }
                    state.sleepers.append(Sleeper(id: id, until: state.now + duration, continuation: continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
            try Task.checkCancellation()
        } onCancel: {
            let cancelled = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
    }
}
