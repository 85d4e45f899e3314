import Foundation
import KafkaClient

/// What a demo writer did: messages queued, and how many of them did not reach the broker
/// (still queued or given up when it stopped).
public struct DemoOutcome: Sendable, Equatable {
    public var written: Int
    public var undelivered: Int
}

extension DemoStream {
    /// Writes the data set to `topic` (its own by default) at `rate` messages a second (0: as
    /// fast as the producer takes them) until `count` are written, `shouldStop` says so, or the
    /// task is cancelled. `weir demo` and the workbench's `\demo` both run this.
    ///
    /// Nothing here waits for the broker: messages go out as the producer's linger sends them,
    /// so a stop is seen at once even while the broker is away (the producer retries meanwhile).
    /// Stopping waits at most `finalWait` for what is queued, then says what did not arrive.
    public func write(
        to producer: KafkaProducer, topic: String? = nil, rate: Double? = nil, count: Int? = nil,
        finalWait: Duration = .milliseconds(1500), shouldStop: @Sendable () -> Bool = { false }
    ) async throws -> DemoOutcome {
        let topic = topic ?? self.topic
        let rate = rate ?? defaultRate
        let limit = count ?? defaultCount
        var generator = generator()
        let started = ContinuousClock.now
        var written = 0
        while limit.map({ written < $0 }) ?? true, !shouldStop(), !Task.isCancelled {
            if rate > 0 {
                // Keep to the rate: wait until the next message is due, a fifth of a second at most
                // so that a stop is seen.
                let due = started + .milliseconds(Int64(Double(written) * 1000 / rate))
                if due > .now {
                    try? await Task.sleep(until: min(due, .now + .milliseconds(200)), clock: .continuous)
                    continue
                }
            }
            let message = generator.next()
            try await producer.enqueue(
                ProducerRecord(topic: topic, key: message.key.map { Array($0.utf8) }, value: Array(message.value.utf8)))
            written += 1
        }
        if limit.map({ written >= $0 }) ?? false, !shouldStop(), !Task.isCancelled {
            // Every message was asked for and nothing said stop: wait for all of them (and their errors).
            try await producer.flush()
            return DemoOutcome(written: written, undelivered: 0)
        }
        return DemoOutcome(written: written, undelivered: await producer.flush(within: finalWait))
    }
}
