import Foundation
import KafkaLog
import Logging

/// Carries out the flush policy: makes appended data durable, then moves each partition's
/// high watermark so consumers see it and answers acks=all producers.
///
/// With a syncing policy a flusher thread of its own (fsync blocks, and must not block the
/// event loops or Swift's cooperative threads) waits for dirty partitions, waits out the
/// group-commit interval since its last sync, syncs every dirty partition at once and only
/// then advances their high watermarks: a consumer never reads what a crash could take
/// back. With `.operatingSystem` the high watermark follows the log end at once.
///
/// Thread safety: every method may be called from any thread.
final class Durability: @unchecked Sendable {
    let policy: FlushPolicy
    private let condition = NSCondition()
    private var dirty: [ObjectIdentifier: PartitionLog] = [:]
    private var waiters: [ObjectIdentifier: [(offset: Int64, continuation: CheckedContinuation<Void, Error>)]] = [:]
    private var stopping = false
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)
    private let visible: @Sendable (PartitionLog) -> Void
    private let logger: Logger

    /// - Parameter visible: called after a partition's high watermark moved (to wake fetches).
    init(policy: FlushPolicy, logger: Logger, visible: @escaping @Sendable (PartitionLog) -> Void) {
        self.policy = policy
        self.logger = logger
        self.visible = visible
        guard policy != .operatingSystem else { return }
        let thread = Thread { [weak self] in self?.run() }
        thread.name = "weir-flusher"
        self.thread = thread
        thread.start()
    }

    private var intervalMs: Int {
        if case let .groupCommit(interval) = policy { return interval }
        return 0
    }

    /// Called after `log` got records up to `lastOffset`.
    func appended(_ log: PartitionLog, lastOffset: Int64) {
        if policy == .operatingSystem {
            log.advanceHighWatermark(to: lastOffset + 1)
            visible(log)
            return
        }
        markDirty(log)
    }

    /// Adds `log` to the next sync. The flusher is woken only when it may be waiting for
    /// work (nothing was dirty): while it waits out the group-commit interval, appends
    /// join the coming sync without a context switch each.
    private func markDirty(_ log: PartitionLog) {
        condition.lock()
        let wasIdle = dirty.isEmpty
        dirty[ObjectIdentifier(log)] = log
        if wasIdle { condition.signal() }
        condition.unlock()
    }

    /// Returns once `offset` of `log` is durable under the policy (acks=all).
    func waitUntilDurable(_ log: PartitionLog, offset: Int64) async throws {
        guard policy != .operatingSystem, log.highWatermark <= offset else { return }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            condition.lock()
            if log.highWatermark > offset {
                condition.unlock()
                continuation.resume()
                return
            }
            waiters[ObjectIdentifier(log), default: []].append((offset, continuation))
            let wasIdle = dirty.isEmpty
            dirty[ObjectIdentifier(log)] = log
            if wasIdle { condition.signal() }
            condition.unlock()
        }
    }

    private func run() {
        var lastSync = Date.distantPast
        while true {
            condition.lock()
            while dirty.isEmpty && !stopping { condition.wait() }
            if dirty.isEmpty && stopping {
                condition.unlock()
                break
            }
            // Group commit: at most one sync per interval; what arrives meanwhile joins it.
            let due = lastSync.addingTimeInterval(Double(intervalMs) / 1000)
            while !stopping, due > Date() { _ = condition.wait(until: due) }
            let batch = Array(dirty.values)
            dirty = [:]
            condition.unlock()
            lastSync = Date()
            for log in batch { flush(log) }
        }
        finished.signal()
    }

    private func flush(_ log: PartitionLog) {
        let key = ObjectIdentifier(log)
        do {
            let durableEnd = try log.sync()
            log.advanceHighWatermark(to: durableEnd)
            visible(log)
            condition.lock()
            let pending = waiters[key] ?? []
            let (done, waiting) = (
                pending.filter { $0.offset < durableEnd }, pending.filter { $0.offset >= durableEnd }
            )
            waiters[key] = waiting.isEmpty ? nil : waiting
            condition.unlock()
            for waiter in done { waiter.continuation.resume() }
        } catch {
            logger.error("cannot sync \(log.topic)-\(log.partition): \(error)")
            condition.lock()
            let failed = waiters.removeValue(forKey: key) ?? []
            condition.unlock()
            for waiter in failed { waiter.continuation.resume(throwing: error) }
        }
    }

    /// Syncs what is left and stops the flusher (at shutdown).
    func stop(logs: [PartitionLog]) {
        if thread != nil {
            condition.lock()
            stopping = true
            condition.signal()
            condition.unlock()
            finished.wait()
        }
        for log in logs { _ = try? log.sync() }
    }
}
