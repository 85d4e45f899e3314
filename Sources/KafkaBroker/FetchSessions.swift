import KafkaProtocol

/// A topic's partition, as a key.
struct TopicPartitionKey: Hashable {
    var topic: String
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
/// moved high watermark, last stable offset or log start. Sessions are kept least recently
/// used first, at most `capacity` (Kafka's `max.incremental.fetch.session.cache.slots`).
actor FetchSessions {
    /// What a partition's last answer in a session said, so an unchanged one is left out.
    struct Sent: Sendable, Equatable {
        var highWatermark: Int64
        var lastStableOffset: Int64
        var logStartOffset: Int64
    }

    struct Session {
        var epoch: Int32
        /// In the order the client first named them (answers keep that order).
        var targets: [FetchTarget]
        var sent: [String: [Int32: Sent]] = [:]
        var lastUsed: UInt64
    }

    /// What a request reads: its targets, and the session it belongs to (0: none).
    struct Plan: Sendable {
        var targets: [FetchTarget]
        var sessionId: Int32
        /// Whether the answer lists only what changed (an incremental request).
        var incremental: Bool
    }

    private let capacity: Int
    private var sessions: [Int32: Session] = [:]
    private var nextId: Int32 = 1
    private var clock: UInt64 = 0

    init(capacity: Int = 1000) {
        self.capacity = capacity
    }

    /// Reads a request's session fields: a plan, or the error to answer with.
    func plan(_ request: FetchRequest) -> Result<Plan, BrokerError> {
        let named = request.topics.flatMap { topic in
            topic.partitions.map {
                FetchTarget(
                    topic: topic.topic, topicId: topic.topicId, partition: $0.partition, offset: $0.fetchOffset,
                    maxBytes: $0.partitionMaxBytes)
            }
        }
        clock += 1
        switch (request.sessionId, request.sessionEpoch) {
        case (0, -1): // no session: a full request
            return .success(Plan(targets: named, sessionId: 0, incremental: false))
        case (let id, -1): // closes its session, then a full request without one
            sessions[id] = nil
            return .success(Plan(targets: named, sessionId: 0, incremental: false))
        case (let id, 0): // a new session (closing the one named, if any)
            if id != 0 { sessions[id] = nil }
            if sessions.count >= capacity, let oldest = sessions.min(by: { $0.value.lastUsed < $1.value.lastUsed }) {
                sessions[oldest.key] = nil
            }
            let newId = nextId
            nextId = nextId == Int32.max ? 1 : nextId + 1
            sessions[newId] = Session(epoch: 1, targets: named, lastUsed: clock)
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
            let forgotten = Set(
                request.forgottenTopicsData.flatMap { topic in
                    topic.partitions.map { TopicPartitionKey(topic: topic.topic, partition: $0) }
                })
            session.targets.removeAll {
                forgotten.contains(TopicPartitionKey(topic: $0.topic, partition: $0.partition))
            }
            for target in named {
                if let index = session.targets.firstIndex(where: {
                    $0.topic == target.topic && $0.partition == target.partition
                }) {
                    session.targets[index] = target
                } else {
                    session.targets.append(target)
                }
            }
            for key in forgotten { session.sent[key.topic]?[key.partition] = nil }
            session.epoch = epoch == Int32.max ? 1 : epoch + 1
            session.lastUsed = clock
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
