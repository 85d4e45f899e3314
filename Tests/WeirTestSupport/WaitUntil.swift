import Foundation

/// Waits until `condition` holds, checking it every `poll`; false when `timeout` passed first.
/// Tests wait on what they expect to see, never for a fixed time: this is the one loop that
/// polls.
@discardableResult
public func waitUntil(
    timeout: Duration = .seconds(10), poll: Duration = .milliseconds(10), _ condition: () throws -> Bool
) rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while try !condition() {
        if ContinuousClock.now >= deadline { return false }
        Thread.sleep(forTimeInterval: Double(poll.components.attoseconds) / 1e18 + Double(poll.components.seconds))
    }
    return true
}

/// The same from async code: the waiting suspends instead of blocking a thread of the pool.
@discardableResult
public func waitUntil(
    timeout: Duration = .seconds(10), poll: Duration = .milliseconds(10), _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: poll)
    }
    return true
}
