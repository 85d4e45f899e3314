import Foundation
import KafkaClient
import SQLRuntime
import SQLSyntax

/// A Kafka source's polls, made by a task of their own and handed to the query's thread
/// through a bounded buffer: the consumer fetches the next batch while the query works on the
/// last, and waits (suspended, holding no thread) once `depth` batches are waiting. The
/// query's thread takes them in order, waking at least every 50 ms to see a stop. One batch
/// ahead is enough: with two, the extra fetching competed with the query for the cores and
/// the payment job from a topic took 10–15% longer (BENCHMARKS.md).
final class PollFeed: Sendable {
    private struct State {
        var batches: [KafkaSource.PolledBatch] = []
        var failure: (any Error)?
        var stopped = false
        /// The polling task, suspended while the buffer is full.
        var roomWaiter: CheckedContinuation<Void, Never>?
    }

    private let depth: Int
    private let condition = NSCondition()
    private nonisolated(unsafe) var state = State()
    private nonisolated(unsafe) var task: Task<Void, Never>?

    init(consumer: KafkaConsumer, depth: Int = 1) {
        self.depth = depth
        task = Task { [self] in
            while await room() {
                do {
                    let batch = try await Self.poll(consumer)
                    put(batch)
                } catch {
                    fail(error)
                    return
                }
            }
        }
    }

    /// The next batch, in the order they were polled; nil once `stop` is requested first.
    func next(stop: StopSignal) throws(SQLError) -> KafkaSource.PolledBatch? {
        condition.lock()
        defer { condition.unlock() }
        while state.batches.isEmpty {
            if let failure = state.failure { throw SQLError(.execution, "kafka: \(failure)") }
            if stop.isRequested { return nil }
            _ = condition.wait(until: Date().addingTimeInterval(0.05))
        }
        let batch = state.batches.removeFirst()
        state.roomWaiter?.resume()
        state.roomWaiter = nil
        return batch
    }

    /// Stops polling (the batch being fetched is dropped). It does not wait for the poll under
    /// way: during an outage that poll may be connecting for seconds, and a stop (Ctrl-C, STOP
    /// JOB) must not; closing the consumer under it makes it end with an error nobody reads.
    func stop() {
        condition.lock()
        state.stopped = true
        state.roomWaiter?.resume()
        state.roomWaiter = nil
        condition.unlock()
        task?.cancel()
    }

    /// Waits, suspended, until the buffer has room; false once stopped.
    private func room() async -> Bool {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            condition.lock()
            if state.stopped || state.batches.count < depth {
                waiter.resume()
            } else {
                state.roomWaiter = waiter
            }
            condition.unlock()
        }
        return !isStopped
    }

    private var isStopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return state.stopped
    }

    private func put(_ batch: KafkaSource.PolledBatch) {
        condition.lock()
        state.batches.append(batch)
        condition.broadcast()
        condition.unlock()
    }

    private func fail(_ error: any Error) {
        condition.lock()
        if !state.stopped { state.failure = error }
        condition.broadcast()
        condition.unlock()
    }

    private static func poll(_ consumer: KafkaConsumer) async throws -> KafkaSource.PolledBatch {
        let records = try await consumer.pollBatches()
        var positions: [TopicPartition: Int64] = [:]
        for partition in await consumer.assignment {
            positions[partition] = await consumer.position(topic: partition.topic, partition: partition.partition)
        }
        return KafkaSource.PolledBatch(records: records, positions: positions, outage: await consumer.outage)
    }
}
