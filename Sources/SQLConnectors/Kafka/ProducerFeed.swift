import Foundation
import KafkaClient
import SQLSyntax

/// Records on their way from a query to a Kafka producer: the query's thread hands them over
/// and goes on, and one task queues them with the producer in the order they came.
///
/// Why: queueing takes microseconds, but each hand-over from the query's thread took 0.35–0.5
/// ms — most likely waiting for a thread of Swift's shared pool, which the consumers'
/// fetches keep busy: 0.3–0.4 s of the payment job over 10 million events from a topic, for
/// 810 hand-overs of its 1,400 result rows. Bounded: past `limit` records not yet queued, the
/// query waits, so that a fast query cannot pile rows up in memory ahead of its producer.
package final class ProducerFeed: @unchecked Sendable {
    private let producer: KafkaProducer
    private let limit: Int
    /// Guards everything below; the query's thread waits on it when the feed is full or
    /// when it needs everything queued (at a flush).
    private let condition = NSCondition()
    private var pending: [[ProducerRecord]] = []
    private var pendingRecords = 0
    /// Whether a task is queueing (there is at most one: it takes all that is pending, in order).
    private var queueing = false
    private var failure: (any Error)?

    init(producer: KafkaProducer, limit: Int = 100_000) {
        self.producer = producer
        self.limit = limit
    }

    /// Hands `records` over; throws a failure of records handed over before.
    func send(_ records: [ProducerRecord]) throws(SQLError) {
        condition.lock()
        defer { condition.unlock() }
        while pendingRecords >= limit, failure == nil { condition.wait() }
        try throwFailure()
        pending.append(records)
        pendingRecords += records.count
        guard !queueing else { return }
        queueing = true
        Task { await self.queue() }
    }

    /// Waits until everything handed over is queued with the producer; throws what failed.
    func drained() throws(SQLError) {
        condition.lock()
        defer { condition.unlock() }
        while queueing { condition.wait() }
        try throwFailure()
    }

    private func throwFailure() throws(SQLError) {
        if let failure {
            self.failure = nil
            throw SQLError(.execution, "kafka: \(failure)")
        }
    }

    private func queue() async {
        while let batches = take() {
            var queued = 0
            var error: (any Error)?
            for records in batches {
                do {
                    try await producer.enqueue(contentsOf: records)
                } catch let failed {
                    error = error ?? failed
                }
                queued += records.count
            }
            done(queued, error)
        }
    }

    /// What is pending, taken out; nil when nothing is (the task then ends).
    private func take() -> [[ProducerRecord]]? {
        condition.lock()
        defer { condition.unlock() }
        guard !pending.isEmpty else {
            queueing = false
            condition.broadcast()
            return nil
        }
        defer { pending = [] }
        return pending
    }

    private func done(_ queued: Int, _ error: (any Error)?) {
        condition.lock()
        defer { condition.unlock() }
        pendingRecords -= queued
        failure = failure ?? error
        condition.broadcast()
    }
}
