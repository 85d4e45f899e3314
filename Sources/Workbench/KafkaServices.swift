import DemoData
import Foundation
import KafkaClient
import KafkaProtocol
import Synchronization

/// What the workbench does with Kafka directly (not through SQL): the topics list with
/// message counts, tailing a topic, producing a message, listing groups, and running a demo
/// generator. Everything runs in tasks of its own and posts its results to the inbox, so no
/// frame ever waits on the network.
final class KafkaServices: Sendable {
    let bootstrap: String
    private let inbox: Inbox
    private struct State {
        var cluster: KafkaCluster?
        var tail: Task<Void, Never>?
        var demo: Task<Void, Never>?
        var paused = false
    }
    private let state = Mutex(State())

    init(bootstrap: String, inbox: Inbox) {
        self.bootstrap = bootstrap
        self.inbox = inbox
    }

    private func connection() throws -> KafkaCluster {
        try state.withLock { state in
            if let cluster = state.cluster { return cluster }
            let made = try KafkaCluster(
                config: ClientConfig(["bootstrap.servers": bootstrap, "request.timeout.ms": "5000"]))
            state.cluster = made
            return made
        }
    }

    /// Drops the connection after a failure: the next call connects anew.
    private func reconnect() {
        let old = state.withLock { state in
            defer { state.cluster = nil }
            return state.cluster
        }
        if let old { Task { await old.close() } }
    }

    /// Posts the topics (not internal ones) with partitions and message counts, and whether
    /// the broker answers: this runs every two seconds, so it is also the workbench's look at
    /// the broker (the status bar says when it is unreachable, and when it is back).
    func refreshTopics() {
        Task {
            do {
                let admin = KafkaAdmin(cluster: try connection())
                let topics = try await admin.listTopics().filter { !$0.isInternal && !$0.name.hasPrefix("__") }
                let partitions = topics.flatMap { topic in
                    topic.partitions.map { TopicPartition(topic: topic.name, partition: $0.partition) }
                }
                let earliest = try await admin.listOffsets(partitions, spec: .earliest)
                let latest = try await admin.listOffsets(partitions, spec: .latest)
                let summaries = topics.map { topic in
                    let messages = topic.partitions.reduce(Int64(0)) { total, partition in
                        let key = TopicPartition(topic: topic.name, partition: partition.partition)
                        return total + max(0, (latest[key] ?? 0) - (earliest[key] ?? 0))
                    }
                    return TopicSummary(name: topic.name, partitions: topic.partitions.count, messages: messages)
                }
                inbox.post(.topics(summaries.sorted { $0.name < $1.name }))
                inbox.post(.broker(unreachable: nil))
            } catch {
                reconnect()
                inbox.post(.broker(unreachable: "\(error)"))
            }
        }
    }

    /// Follows `topic` from `start`, posting records as they come, until `stopTail`. A broker
    /// that goes away is waited for (retried with a growing pause, up to five seconds), and the
    /// tail goes on after the last record it showed; both are said in the messages.
    func startTail(_ topic: String, from start: OffsetSpec) {
        stopTail()
        state.withLock { $0.paused = false }
        let inbox = self.inbox
        let task = Task {
            // The next offset of each partition after what was shown (where a retry resumes).
            var next: [Int32: Int64] = [:]
            var failures = 0
            var troubled = false
            while !Task.isCancelled {
                do {
                    let consumer = try KafkaConsumer(cluster: try connection())
                    try await consumer.assign(topic: topic, from: start)
                    for (partition, offset) in next {
                        try await consumer.seek(topic: topic, partition: partition, to: .offset(offset))
                    }
                    if troubled {
                        let places = next.sorted { $0.key < $1.key }.map { "p\($0.key) offset \($0.value)" }.joined(
                            separator: ", ")
                        inbox.post(
                            .message(
                                "tail \(topic): the broker answers again; resumed\(places.isEmpty ? "" : " at " + places)"
                            ))
                        inbox.post(.tailWaiting(false))
                        troubled = false
                    } else if failures == 0 {
                        inbox.post(
                            .message("tailing \(topic) (\\pause, \\filter TEXT or \\filter field > n, \\tail stop)"))
                    }
                    failures = 0
                    while !Task.isCancelled {
                        if isPaused {
                            try await Task.sleep(nanoseconds: 100_000_000)
                            continue
                        }
                        let records = try await consumer.poll()
                        // The consumer retries a broker that went away for a while before it gives up.
                        let outage = await consumer.outage
                        if (outage != nil) != troubled {
                            inbox.post(
                                .message(
                                    outage.map { "tail \(topic): the broker does not answer (\($0)); retrying" }
                                        ?? "tail \(topic): the broker answers again"))
                            troubled = outage != nil
                            inbox.post(.tailWaiting(troubled))
                        }
                        guard !records.isEmpty else { continue }
                        for record in records { next[record.partition] = record.offset + 1 }
                        inbox.post(
                            .tail(
                                records.map { record in
                                    TailEntry(
                                        partition: record.partition, offset: record.offset, timestamp: record.timestamp,
                                        key: record.key.map { String(decoding: $0, as: UTF8.self) },
                                        value: record.value.map { String(decoding: $0, as: UTF8.self) } ?? "(null)",
                                        headers: record.headers.map { header in
                                            (header.key, header.value.map { String(decoding: $0, as: UTF8.self) })
                                        })
                                }))
                    }
                } catch is CancellationError {
                    return
                } catch {
                    guard !Task.isCancelled else { return }
                    if case KafkaClientError.unknownTopicOrPartition = error, failures == 0, !troubled {
                        inbox.post(.message("error: tail \(topic): no such topic"))
                        return
                    }
                    failures += 1
                    if !troubled {
                        troubled = true
                        inbox.post(.tailWaiting(true))
                        inbox.post(.message("tail \(topic): the broker does not answer (\(error)); retrying"))
                    }
                    reconnect()
                    let pause = min(5.0, 0.25 * Double(1 << min(failures - 1, 5)))
                    try? await Task.sleep(nanoseconds: UInt64(pause * 1e9))
                }
            }
        }
        state.withLock { $0.tail = task }
    }

    func stopTail() {
        state.withLock { state in
            state.tail?.cancel()
            state.tail = nil
        }
    }

    var isPaused: Bool { state.withLock { $0.paused } }

    func setPaused(_ value: Bool) {
        state.withLock { $0.paused = value }
    }

    func produce(topic: String, partition: Int32? = nil, key: String?, value: String) {
        Task {
            do {
                let producer = try KafkaProducer(cluster: try connection())
                let written = try await producer.send(
                    ProducerRecord(
                        topic: topic, key: key.map { Array($0.utf8) }, value: Array(value.utf8), partition: partition))
                inbox.post(.message("produced to \(topic) partition \(written.partition) offset \(written.offset)"))
                refreshTopics()
            } catch {
                inbox.post(.message("error: produce to \(topic): \(error)"))
            }
        }
    }

    /// Reads up to `count` records from the beginning of `topic` and posts the DDL inferred from them.
    func infer(_ topic: String, count: Int = 200) {
        Task {
            do {
                let consumer = try KafkaConsumer(cluster: try connection())
                try await consumer.assign(topic: topic, from: .earliest)
                var samples: [String] = []
                let deadline = ContinuousClock.now + .seconds(3)
                while samples.count < count, ContinuousClock.now < deadline {
                    let records = try await consumer.poll()
                    if records.isEmpty, !samples.isEmpty { break }
                    samples += records.compactMap { $0.value.map { String(decoding: $0, as: UTF8.self) } }
                }
                await consumer.close()
                guard let ddl = TableInference.createTable(topic: topic, samples: Array(samples.prefix(count))) else {
                    return inbox.post(
                        .message(
                            "error: \(topic): \(samples.isEmpty ? "no records to sample" : "its records are not JSON objects")"
                        ))
                }
                inbox.post(.input(ddl))
                inbox.post(
                    .message(
                        "\\infer \(topic): a table from \(min(samples.count, count)) records is in the input — read it, edit it, Enter runs it"
                    ))
            } catch {
                inbox.post(.message("error: infer \(topic): \(error)"))
            }
        }
    }

    func listGroups() {
        Task {
            do {
                let admin = KafkaAdmin(cluster: try connection())
                let groups = try await admin.listGroups()
                var lines = groups.isEmpty ? ["no consumer groups"] : []
                for group in groups.sorted(by: { $0.groupId < $1.groupId }) {
                    let lags = (try? await admin.groupLag(group.groupId)) ?? []
                    lines.append(
                        "group \(group.groupId) \(group.state.isEmpty ? "" : "(\(group.state)) ")lag \(lags.reduce(0) { $0 + $1.lag })"
                            + lags.map { " \($0.partition.topic)-\($0.partition.partition):\($0.lag)" }.joined())
                }
                inbox.post(.message(lines.joined(separator: "\n")))
            } catch {
                inbox.post(.message("error: groups: \(error)"))
            }
        }
    }

    /// Writes a demo data set into its topic until `stopDemo` (or `count` messages).
    /// Writes the demo's messages; with `partitions`, its topic is made first with that many
    /// (if it is not there yet), so a lesson can show partitions.
    func startDemo(_ stream: DemoStream, rate: Double?, count: Int?, partitions: Int32? = nil) {
        stopDemo()
        let inbox = self.inbox
        let task = Task {
            do {
                if let partitions {
                    do {
                        try await KafkaAdmin(cluster: try connection()).createTopic(
                            stream.topic, partitions: partitions)
                    } catch KafkaClientError.broker(.topicAlreadyExists, _) {
                        inbox.post(
                            .message(
                                "demo \(stream.rawValue): \(stream.topic) is there already (its partitions stay as they are)"
                            ))
                    }
                }
                let producer = try KafkaProducer(cluster: try connection())
                let shown = rate ?? stream.defaultRate
                inbox.post(
                    .message(
                        "demo \(stream.rawValue): writing to \(stream.topic)\(shown > 0 ? " at \(Int(shown))/s" : "") (\\demo stop)"
                    ))
                let outcome = try await stream.write(to: producer, rate: rate, count: count)
                inbox.post(
                    .message(
                        "demo \(stream.rawValue): wrote \(outcome.written - outcome.undelivered) messages to \(stream.topic)"
                            + (outcome.undelivered > 0 ? "; \(outcome.undelivered) were not delivered" : "")))
            } catch is CancellationError {
            } catch {
                inbox.post(.message("error: demo \(stream.rawValue): \(error)"))
            }
        }
        state.withLock { $0.demo = task }
    }

    /// Stops the running demo; false when none was running.
    @discardableResult
    func stopDemo() -> Bool {
        state.withLock { state in
            defer { state.demo = nil }
            state.demo?.cancel()
            return state.demo != nil
        }
    }

    func close() {
        stopTail()
        stopDemo()
    }
}

/// A topic in the side pane.
public struct TopicSummary: Sendable, Equatable {
    public var name: String
    public var partitions: Int
    public var messages: Int64
}

/// A record in the topic pane.
public struct TailEntry: Sendable, Equatable {
    public var partition: Int32
    public var offset: Int64
    public var timestamp: Int64
    public var key: String?
    public var value: String
    /// The record's headers, their values as text (nil: a header without a value).
    public var headers: [(key: String, value: String?)] = []

    public init(
        partition: Int32, offset: Int64, timestamp: Int64, key: String?, value: String,
        headers: [(key: String, value: String?)] = []
    ) {
        (self.partition, self.offset, self.timestamp, self.key, self.value) = (partition, offset, timestamp, key, value)
        self.headers = headers
    }

    public static func == (a: TailEntry, b: TailEntry) -> Bool {
        (a.partition, a.offset, a.timestamp, a.key, a.value) == (b.partition, b.offset, b.timestamp, b.key, b.value)
            && a.headers.map(\.key) == b.headers.map(\.key) && a.headers.map(\.value) == b.headers.map(\.value)
    }
}
