import Foundation
import KafkaLog
import NIOCore
import NIOPosix

/// Lets a long-poll Fetch sleep until one of its partitions has something new (its high
/// watermark moved) or its wait is over. Each partition has a change counter; a fetch
/// notes the counters before it reads, and waiting returns at once if any moved since, so
/// no change between the read and the wait is missed.
///
/// Thread safety: every method may be called from any thread.
final class PartitionWatch: @unchecked Sendable {
    private let lock = NSLock()
    private var versions: [ObjectIdentifier: UInt64] = [:]
    private var waiters: [UInt64: Waiter] = [:]
    private var nextWaiter: UInt64 = 0
    private let timers = MultiThreadedEventLoopGroup.singleton

    private struct Waiter {
        var logs: Set<ObjectIdentifier>
        var continuation: CheckedContinuation<Void, Never>
        var timer: Scheduled<Void>?
    }

    func version(of log: PartitionLog) -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return versions[ObjectIdentifier(log)] ?? 0
    }

    /// Wakes the fetches waiting on `log`.
    func changed(_ log: PartitionLog) {
        let key = ObjectIdentifier(log)
        lock.lock()
        versions[key, default: 0] &+= 1
        let woken = waiters.filter { $0.value.logs.contains(key) }
        for id in woken.keys { waiters[id] = nil }
        lock.unlock()
        for waiter in woken.values {
            waiter.timer?.cancel()
            waiter.continuation.resume()
        }
    }

    /// Waits until a partition of `seen` changed after its noted version, or `milliseconds` passed.
    func wait(for seen: [(PartitionLog, UInt64)], milliseconds: Int64) async {
        guard milliseconds > 0 else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if seen.contains(where: { versions[ObjectIdentifier($0.0)] ?? 0 != $0.1 }) {
                lock.unlock()
                continuation.resume()
                return
            }
            let id = nextWaiter
            nextWaiter += 1
            waiters[id] = Waiter(logs: Set(seen.map { ObjectIdentifier($0.0) }), continuation: continuation, timer: nil)
            let timer = timers.next().scheduleTask(in: .milliseconds(milliseconds)) { [weak self] () -> Void in
                self?.expire(id)
            }
            waiters[id]?.timer = timer
            lock.unlock()
        }
    }

    private func expire(_ id: UInt64) {
        lock.lock()
        let waiter = waiters.removeValue(forKey: id)
        lock.unlock()
        waiter?.continuation.resume()
    }
}
