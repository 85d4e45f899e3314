import KafkaProtocol

/// A topic's partition, as a key: by name, and by id where the request named it so (two ids
/// no topic has both read as no name, and must not be taken for each other).
struct TopicPartitionKey: Hashable {
    var topic: String
    var topicId: KafkaUUID = .zero
    var partition: Int32
}

/// A partition a fetch reads, and from where.
struct FetchTarget: Sendable, Hashable {
    var topic: String
    /// As the request named it (Fetch v13+), answered with it.
    var topicId: KafkaUUID = .zero
    var partition: Int32
    var offset: Int64
    var maxBytes: Int32
}

/// Incremental fetch sessions (KIP-227, Fetch v7+): a client that opens one sends, after its
/// first full request, only the partitions whose fetch offset changed (and those to forget);
/// the broker remembers the rest and answers only partitions with records, an error, or a
/// moved high watermark, last stable offset or log start. At most `capacity` sessions
/// (Kafka's `max.incremental.fetch.session.cache.slots`) of at most 10,000 partitions; when
/// full, the least recently used is evicted if idle for two minutes, else the new client
/// fetches without a session. Ids are random.
actor FetchSessions {
    /// What a partition's last answer in a session said, so an unchanged one is left out.
    struct Sent: Sendable, Equatable {
        var highWatermark: Int64
        var lastStableOffset: Int64
        var logStartOffset: Int64
    }

    struct Session {
        var epoch: Int32
        /// In the order the client first named them (answers keep that order), and where each is.
        var targets: [FetchTarget] = []
        var index: [TopicPartitionKey: Int] = [:]
        var sent: [String: [Int32: Sent]] = [:]
        var lastUsed: ContinuousClock.Instant

        init(epoch: Int32, targets: [FetchTarget], lastUsed: ContinuousClock.Instant) {
            self.epoch = epoch
            self.lastUsed = lastUsed
            for target in targets { upsert(target) }
        }

        mutating func upsert(_ target: FetchTarget) {
            let key = TopicPartitionKey(topic: target.topic, topicId: target.topicId, partition: target.partition)
            if let at = index[key] {
                targets[at] = target
            } else {
                index[key] = targets.count
                targets.append(target)
            }
        }

        mutating func forget(_ keys: Set<TopicPartitionKey>) {
            guard !keys.isEmpty else { return }
            targets.removeAll {
                keys.contains(TopicPartitionKey(topic: $0.topic, topicId: $0.topicId, partition: $0.partition))
            }
            index = [:]
            for (at, target) in targets.enumerated() {
                index[TopicPartitionKey(topic: target.topic, topicId: target.topicId, partition: target.partition)] = at
            }
            for key in keys { sent[key.topic]?[key.partition] = nil }
        }
    }

    /// What a request reads: its targets, and the session it belongs to (0: none).
    struct Plan: Sendable {
        var targets: [FetchTarget]
        var sessionId: Int32
        /// Whether the answer lists only what changed (an incremental request).
        var incremental: Bool
    }

    private let capacity: Int
    /// The most partitions one session keeps (a request naming more is answered without a session).
    static let maxPartitions = 10_000
    /// The most partitions all sessions keep together.
    static let maxTotalPartitions = 200_000
    /// A session unused this long may be evicted for a new one (Kafka's own wait).
    static let evictableAfter = Duration.seconds(120)
    private var sessions: [Int32: Session] = [:]

    init(capacity: Int = 1000) {
        self.capacity = capacity
    }

    private var totalPartitions: Int { sessions.values.reduce(0) { $0 + $1.targets.count } }

    /// The partitions a request names, in its order.
    static func targets(of request: FetchRequest) -> [FetchTarget] {
        request.topics.flatMap { topic in
            topic.partitions.map {
                FetchTarget(
                    topic: topic.topic, topicId: topic.topicId, partition: $0.partition, offset: $0.fetchOffset,
                    maxBytes: $0.partitionMaxBytes)
            }
        }
    }

    /// Whether a request touches the sessions at all (most clients never open one: those
    /// requests are planned without a hop to this actor).
    nonisolated static func usesSessions(_ request: FetchRequest) -> Bool {
        !(request.sessionId == 0 && request.sessionEpoch == -1)
    }

    /// Reads a request's session fields: a plan, or the error to answer with.
    func plan(_ request: FetchRequest) -> Result<Plan, BrokerError> {
        let named = Self.targets(of: request)
        let now = ContinuousClock.now
        switch (request.sessionId, request.sessionEpoch) {
        case (0, -1): // no session: a full request
            return .success(Plan(targets: named, sessionId: 0, incremental: false))
        case (let id, -1): // closes its session, then a full request without one
            sessions[id] = nil
            return .success(Plan(targets: named, sessionId: 0, incremental: false))
        case (let id, 0): // a new session (closing the one named, if any)
            if id != 0 { sessions[id] = nil }
            if sessions.count >= capacity,
                let oldest = sessions.min(by: { $0.value.lastUsed < $1.value.lastUsed }),
                now - oldest.value.lastUsed > Self.evictableAfter
            {
                sessions[oldest.key] = nil
            }
            // Full, or too many partitions: answered in full without a session (id 0), as Kafka does.
            guard sessions.count < capacity, named.count <= Self.maxPartitions,
                totalPartitions + named.count <= Self.maxTotalPartitions
            else {
                return .success(Plan(targets: named, sessionId: 0, incremental: false))
            }
            // Random ids: another client cannot guess one to advance or close it.
            var newId = Int32.random(in: 1...Int32.max)
            while sessions[newId] != nil { newId = Int32.random(in: 1...Int32.max) }
            sessions[newId] = Session(epoch: 1, targets: named, lastUsed: now)
            return .success(Plan(targets: named, sessionId: newId, incremental: false))
        case (let id, let epoch):
            guard var session = sessions[id] else {
                return .failure(BrokerError(.fetchSessionIdNotFound, "no fetch session \(id)"))
            }
            guard epoch == session.epoch else {
                return .failure(
                    BrokerError(.invalidFetchSessionEpoch, "session \(id) expects epoch \(session.epoch), not \(epoch)")
                )
            }
            session.forget(
                Set(
                    request.forgottenTopicsData.flatMap { topic in
                        topic.partitions.map {
                            TopicPartitionKey(topic: topic.topic, topicId: topic.topicId, partition: $0)
                        }
                    }))
            for target in named { session.upsert(target) }
            sessions[id] = nil // out while the others are counted; back below if it still fits
            guard session.targets.count <= Self.maxPartitions,
                totalPartitions + session.targets.count <= Self.maxTotalPartitions
            else {
                return .failure(
                    BrokerError(
                        .invalidRequest,
                        "a fetch session holds at most \(Self.maxPartitions) partitions (and all together \(Self.maxTotalPartitions))"
                    ))
            }
            session.epoch = epoch == Int32.max ? 1 : epoch + 1
            session.lastUsed = now
            sessions[id] = session
            return .success(Plan(targets: session.targets, sessionId: id, incremental: true))
        }
    }

    /// The answer's partitions for a session: all of them after a new session's full request;
    /// otherwise those with records or an error, or whose marks moved since they were last sent.
    func filter(
        _ responses: [FetchResponse.FetchableTopicResponse], for plan: Plan
    ) -> [FetchResponse.FetchableTopicResponse] {
        guard plan.sessionId != 0, var session = sessions[plan.sessionId] else { return responses }
        var kept: [FetchResponse.FetchableTopicResponse] = []
        for var topic in responses {
            topic.partitions = topic.partitions.filter { data in
                let now = Sent(
                    highWatermark: data.highWatermark, lastStableOffset: data.lastStableOffset,
                    logStartOffset: data.logStartOffset)
                let before = session.sent[topic.topic]?[data.partitionIndex]
                session.sent[topic.topic, default: [:]][data.partitionIndex] = now
                return !plan.incremental || data.errorCode != 0 || !(data.records ?? []).isEmpty || before != now
            }
            if !topic.partitions.isEmpty { kept.append(topic) }
        }
        sessions[plan.sessionId] = session
        return kept
    }
}
