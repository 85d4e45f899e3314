import Foundation
import KafkaClient

extension DemoStream {
    /// Writes the data set to `topic` (its own by default) at `rate` messages a second (0: as
    /// fast as the producer takes them) until `count` are written, `shouldStop` says so, or the
    /// task is cancelled; returns how many were written. `weir demo` and the workbench's
    /// `\demo` both run this.
    public func write(to producer: KafkaProducer, topic: String? = nil, rate: Double? = nil, count: Int? = nil,
                      shouldStop: @Sendable () -> Bool = { false }) async throws -> Int {
        let topic = topic ?? self.topic
        let rate = rate ?? defaultRate
        let limit = count ?? defaultCount
        var generator = generator()
        let started = ContinuousClock.now
        var written = 0
        while limit.map({ written < $0 }) ?? true, !shouldStop(), !Task.isCancelled {
            if rate > 0 {
                // Keep to the rate: wait until the next message is due (flushing what is queued meanwhile).
                let due = started + .milliseconds(Int64(Double(written) * 1000 / rate))
                if due > .now {
                    try await producer.flush()
                    try await Task.sleep(until: min(due, .now + .milliseconds(200)), clock: .continuous)
                    continue
                }
            }
            let message = generator.next()
            try await producer.enqueue(ProducerRecord(topic: topic, key: message.key.map { Array($0.utf8) }, value: Array(message.value.utf8)))
            written += 1
        }
        try await producer.flush()
        return written
    }
}
