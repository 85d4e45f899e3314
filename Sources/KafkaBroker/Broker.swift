import Foundation
import KafkaLog
import KafkaProtocol
import Logging
import NIOConcurrencyHelpers
import SCRAM

/// One client connection's state, kept by the server for the broker.
package final class Session: @unchecked Sendable {
    let clientHost: String
    /// Set once SASL succeeded (or at once when the broker has no users).
    var authenticated: Bool
    var saslMechanism: String?
    var scram: SCRAMServer?
    /// Whether the SCRAM client-first message was answered (the next one is client-final).
    var scramStarted = false

    init(clientHost: String, authenticated: Bool) {
        self.clientHost = clientHost
        self.authenticated = authenticated
    }
}

/// A request whose body cannot be decoded, and what to do about it.
struct UnreadableRequest: Error {
    var outcome: Outcome
}

/// What to do after a request.
package enum Outcome: Sendable {
    case respond([UInt8])
    /// The answer, once `answer` returns: the connection goes on reading (and handling) the
    /// requests after this one meanwhile, and still writes the answers in request order.
    case respondLater(answer: @Sendable () async -> [UInt8])
    /// Produce with acks=0: nothing is sent back.
    case noResponse
    /// A malformed or unexpected request: close this connection (the broker serves the rest on).
    case close(reason: String)
}

/// The broker's request handling, independent of the network: a frame in, a frame (or
/// nothing, or "close") out. Handlers live in `Handlers/`, one file per area.
///
/// Thread safety: `handle` may be called concurrently from any number of connections;
/// each connection calls it for one request at a time, in order, as Kafka brokers do.
public final class Broker: Sendable {
    let config: BrokerConfig
    let topics: TopicStore
    let durability: Durability
    let watch: PartitionWatch
    let groups: GroupCoordinator
    let transactions: TransactionCoordinator
    /// Incremental fetch sessions (KIP-227) of the clients that open them.
    let fetchSessions = FetchSessions()
    let logger: Logger
    let clusterId: String
    /// SCRAM credentials of the configured users, per mechanism (derived once: PBKDF2 is slow on purpose).
    let scramCredentials: [SCRAMHash: [String: SCRAMServer.Credential]]
    private let producerIds: NIOLockedValueBox<Int64>
    private let advertised: NIOLockedValueBox<(host: String, port: Int32)>

    public init(config: BrokerConfig, logger: Logger = Logger(label: "weir.broker")) throws {
        self.config = config
        self.logger = logger
        topics = try TopicStore(dataDirectory: config.dataDirectory, defaults: config.topicDefaults)
        let watch = PartitionWatch()
        self.watch = watch
        durability = Durability(policy: config.flush, logger: logger) { watch.changed($0) }
        clusterId = try Self.loadClusterId(config.dataDirectory)
        let largest = max(
            topics.logs.allLogs.map(\.largestProducerId).max() ?? -1,
            TransactionCoordinator.largestSavedProducerId(dataDirectory: config.dataDirectory))
        producerIds = NIOLockedValueBox(max(largest + 1, 1000))
        advertised = NIOLockedValueBox(
            (config.advertisedHost ?? config.host, Int32(config.advertisedPort ?? config.port)))
        groups = try GroupCoordinator(config: config, topics: topics, durability: durability, logger: logger)
        // Idempotent and transactional producers draw ids from the one counter.
        let producerIds = producerIds
        transactions = try TransactionCoordinator(
            dataDirectory: config.dataDirectory, topics: topics, durability: durability, groups: groups, logger: logger,
            newProducerId: { Self.next(producerIds) })
        scramCredentials = try Self.deriveCredentials(config.users)
        let recovered = topics.logs.allLogs.filter { $0.recoveredBytes > 0 }
        for log in recovered {
            logger.warning(
                "recovery cut \(log.recoveredBytes) damaged bytes from the end of \(log.topic)-\(log.partition)")
        }
    }

    /// `meta.properties` as Kafka writes it; the cluster id is made on first start.
    private static func loadClusterId(_ folder: String) throws -> String {
        let path = folder + "/meta.properties"
        if let text = try? String(contentsOfFile: path, encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("cluster.id=") })
        {
            return String(line.dropFirst("cluster.id=".count))
        }
        let id = String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(22))
        try writeAtomically(Array("version=1\ncluster.id=\(id)\nnode.id=1\n".utf8), to: path)
        return id
    }

    /// Where clients are told the broker is (after the server bound its port).
    var advertisedAddress: (host: String, port: Int32) { advertised.withLockedValue { $0 } }

    func setAdvertised(host: String, port: Int) {
        advertised.withLockedValue { $0 = (config.advertisedHost ?? host, Int32(config.advertisedPort ?? port)) }
    }

    func nextProducerId() -> Int64 { Self.next(producerIds) }

    private static func next(_ producerIds: NIOLockedValueBox<Int64>) -> Int64 {
        producerIds.withLockedValue { id in
            defer { id += 1 }
            return id
        }
    }

    package func startSession(clientHost: String) -> Session {
        Session(clientHost: clientHost, authenticated: config.users.isEmpty)
    }

    /// Background upkeep: retention every `log.retention.check.interval.ms`, group sessions.
    func runMaintenance() async {
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await self.groups.runSessionTimeouts() }
            tasks.addTask { await self.transactions.runTimeouts() }
            tasks.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: UInt64(self.config.retentionCheckIntervalMs) * 1_000_000)
                    self.applyRetention()
                }
            }
        }
    }

    func applyRetention() {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var moved = false
        for log in topics.logs.allLogs where log.applyRetention(now: now) { moved = true }
        if moved { try? topics.logs.checkpointLogStartOffsets() }
    }

    /// Syncs everything and stops the flusher.
    public func shutdown() {
        durability.stop(logs: topics.logs.allLogs)
        try? topics.logs.checkpointLogStartOffsets()
    }

    // MARK: Versions

    /// The versions served per API. Within each schema's range; chosen where the semantics
    /// are implemented (Produce stops before v10's leader discovery, Fetch at v16, ...).
    package static let supportedVersions: [ApiKey: ClosedRange<Int16>] = [
        .produce: 0...9, .fetch: 0...16, .listOffsets: 0...9, .metadata: 0...12,
        .offsetCommit: 2...9, .offsetFetch: 1...9, .findCoordinator: 0...4, .joinGroup: 0...9,
        .heartbeat: 0...4, .leaveGroup: 0...5, .syncGroup: 0...5, .describeGroups: 0...5,
        .listGroups: 0...5, .saslHandshake: 0...1, .apiVersions: 0...4, .createTopics: 0...7,
        .deleteTopics: 0...6, .deleteRecords: 0...2, .initProducerId: 0...4, .describeConfigs: 0...4,
        .alterConfigs: 0...2, .saslAuthenticate: 0...2, .createPartitions: 0...3,
        .incrementalAlterConfigs: 0...1, .offsetDelete: 0...0, .describeCluster: 0...1,
        // Transactions as clients drive them (v4+ of AddPartitionsToTxn and v4+ of EndTxn are
        // for brokers and for transactions "version 2", which this broker does not offer).
        .addPartitionsToTxn: 0...3, .addOffsetsToTxn: 0...3, .endTxn: 0...3, .txnOffsetCommit: 0...3,
        // The consumer protocol of KIP-848 (group.protocol=consumer), the broker assigning.
        .consumerGroupHeartbeat: 0...1, .consumerGroupDescribe: 0...0,
        // What admin tools read of producers and transactions (kafka-transactions.sh's commands).
        .describeProducers: 0...0, .describeTransactions: 0...0, .listTransactions: 0...1,
    ]

    // MARK: Dispatch

    /// Handles one request frame (without its size prefix).
    package func handle(_ frame: [UInt8], session: Session) async -> Outcome {
        let header: RequestHeader
        var reader: ByteReader
        do {
            (header, reader) = try KafkaFraming.readRequestHeader(frame)
        } catch {
            return .close(reason: "unreadable request header: \(error)")
        }
        guard let api = ApiKey(rawValue: header.requestApiKey), let range = Self.supportedVersions[api] else {
            return .close(reason: "unsupported API key \(header.requestApiKey)")
        }
        let version = header.requestApiVersion
        if api == .apiVersions {
            return .respond(apiVersions(header: header))
        }
        guard range.contains(version) else {
            return .close(reason: "\(api) version \(version) is not served (\(range.lowerBound)...\(range.upperBound))")
        }
        if !session.authenticated, api != .saslHandshake, api != .saslAuthenticate {
            return .close(reason: "\(api) before SASL authentication")
        }
        switch api {
        case .produce: return await serveProduce(&reader, header)
        case .fetch: return await serve(FetchRequest.self, &reader, header) { await self.fetch($0, version: $1) }
        case .listOffsets:
            return await serve(ListOffsetsRequest.self, &reader, header) { self.listOffsets($0, version: $1) }
        case .metadata: return await serve(MetadataRequest.self, &reader, header) { self.metadata($0, version: $1) }
        case .createTopics:
            return await serve(CreateTopicsRequest.self, &reader, header) { self.createTopics($0, version: $1) }
        case .deleteTopics:
            return await serve(DeleteTopicsRequest.self, &reader, header) { self.deleteTopics($0, version: $1) }
        case .createPartitions:
            return await serve(CreatePartitionsRequest.self, &reader, header) { request, _ in
                self.createPartitions(request)
            }
        case .deleteRecords:
            return await serve(DeleteRecordsRequest.self, &reader, header) { request, _ in self.deleteRecords(request) }
        case .describeConfigs:
            return await serve(DescribeConfigsRequest.self, &reader, header) { self.describeConfigs($0, version: $1) }
        case .alterConfigs:
            return await serve(AlterConfigsRequest.self, &reader, header) { request, _ in self.alterConfigs(request) }
        case .incrementalAlterConfigs:
            return await serve(IncrementalAlterConfigsRequest.self, &reader, header) { request, _ in
                self.incrementalAlterConfigs(request)
            }
        case .describeCluster:
            return await serve(DescribeClusterRequest.self, &reader, header) { _, _ in self.describeCluster() }
        case .initProducerId:
            return await serve(InitProducerIdRequest.self, &reader, header) { request, _ in
                await self.initProducerId(request)
            }
        case .addPartitionsToTxn:
            return await serve(AddPartitionsToTxnRequest.self, &reader, header) {
                await self.transactions.addPartitions($0, version: $1)
            }
        case .addOffsetsToTxn:
            return await serve(AddOffsetsToTxnRequest.self, &reader, header) {
                await self.transactions.addOffsets($0, version: $1)
            }
        case .txnOffsetCommit:
            return await serve(TxnOffsetCommitRequest.self, &reader, header) {
                await self.transactions.commitOffsets($0, version: $1)
            }
        case .endTxn:
            return await serve(EndTxnRequest.self, &reader, header) {
                await self.transactions.endTransaction($0, version: $1)
            }
        case .findCoordinator:
            return await serve(FindCoordinatorRequest.self, &reader, header) { self.findCoordinator($0, version: $1) }
        case .joinGroup:
            return await serve(JoinGroupRequest.self, &reader, header) { request, version in
                await self.groups.join(
                    request, version: version, clientId: header.clientId ?? "", clientHost: session.clientHost)
            }
        case .describeProducers:
            return await serve(DescribeProducersRequest.self, &reader, header) { request, _ in
                self.describeProducers(request)
            }
        case .describeTransactions:
            return await serve(DescribeTransactionsRequest.self, &reader, header) { request, _ in
                await self.transactions.describe(request)
            }
        case .listTransactions:
            return await serve(ListTransactionsRequest.self, &reader, header) { request, _ in
                await self.transactions.list(request)
            }
        case .consumerGroupHeartbeat:
            return await serve(ConsumerGroupHeartbeatRequest.self, &reader, header) { request, _ in
                await self.groups.consumerHeartbeat(
                    request, clientId: header.clientId ?? "", clientHost: session.clientHost)
            }
        case .consumerGroupDescribe:
            return await serve(ConsumerGroupDescribeRequest.self, &reader, header) { request, _ in
                await self.groups.consumerDescribe(request)
            }
        case .syncGroup:
            return await serve(SyncGroupRequest.self, &reader, header) { await self.groups.sync($0, version: $1) }
        case .heartbeat:
            return await serve(HeartbeatRequest.self, &reader, header) { request, _ in
                await self.groups.heartbeat(request)
            }
        case .leaveGroup:
            return await serve(LeaveGroupRequest.self, &reader, header) { await self.groups.leave($0, version: $1) }
        case .offsetCommit:
            return await serve(OffsetCommitRequest.self, &reader, header) { request, _ in
                await self.groups.commit(request)
            }
        case .offsetFetch:
            return await serve(OffsetFetchRequest.self, &reader, header) {
                await self.groups.fetchOffsets($0, version: $1)
            }
        case .listGroups:
            return await serve(ListGroupsRequest.self, &reader, header) { request, _ in await self.groups.list(request)
            }
        case .describeGroups:
            return await serve(DescribeGroupsRequest.self, &reader, header) { request, _ in
                await self.groups.describe(request)
            }
        case .offsetDelete:
            return await serve(OffsetDeleteRequest.self, &reader, header) { request, _ in
                await self.groups.deleteOffsets(request)
            }
        case .saslHandshake:
            return await serve(SaslHandshakeRequest.self, &reader, header) { request, _ in
                self.saslHandshake(request, session: session)
            }
        case .saslAuthenticate:
            return await serve(SaslAuthenticateRequest.self, &reader, header) { request, _ in
                self.saslAuthenticate(request, session: session)
            }
        default:
            return .close(reason: "unsupported API \(api)")
        }
    }

    /// Decodes a request body, runs its handler and frames the response.
    private func serve<Request: KafkaRequest>(
        _: Request.Type, _ reader: inout ByteReader, _ header: RequestHeader,
        _ handler: (Request, Int16) async -> Request.Response
    ) async -> Outcome {
        let request: Request
        switch decodeBody(Request.self, &reader, header) {
        case let .success(decoded): request = decoded
        case let .failure(unreadable): return unreadable.outcome
        }
        let response = await handler(request, header.requestApiVersion)
        return .respond(
            KafkaFraming.encodeResponse(
                response, version: header.requestApiVersion, correlationId: header.correlationId))
    }

    /// Produce is served like the others, except that acks=0 gets no response.
    private func serveProduce(_ reader: inout ByteReader, _ header: RequestHeader) async -> Outcome {
        let request: ProduceRequest
        switch decodeBody(ProduceRequest.self, &reader, header) {
        case let .success(decoded): request = decoded
        case let .failure(unreadable): return unreadable.outcome
        }
        let appended = await produce(request, version: header.requestApiVersion)
        guard request.acks != 0 else { return .noResponse }
        let (version, correlationId) = (header.requestApiVersion, header.correlationId)
        guard !appended.durableWaits.isEmpty else {
            return .respond(
                KafkaFraming.encodeResponse(appended.response, version: version, correlationId: correlationId))
        }
        return .respondLater {
            KafkaFraming.encodeResponse(await self.answer(appended), version: version, correlationId: correlationId)
        }
    }

    /// The request body, or the outcome for one that cannot be read. Bytes after a whole
    /// body are ignored, as Kafka's brokers do: librdkafka's admin client sends Metadata v12
    /// with three extra bytes, and Kafka serves it.
    private func decodeBody<Request: KafkaRequest>(
        _: Request.Type, _ reader: inout ByteReader, _ header: RequestHeader
    )
        -> Result<Request, UnreadableRequest>
    {
        do {
            let request = try Request.decode(from: &reader, version: header.requestApiVersion)
            if !reader.isAtEnd {
                logger.debug(
                    "\(Request.apiKey) v\(header.requestApiVersion) request has \(reader.remaining) bytes after its body (ignored)"
                )
            }
            return .success(request)
        } catch {
            return .failure(
                UnreadableRequest(
                    outcome: .close(
                        reason: "malformed \(Request.apiKey) v\(header.requestApiVersion) request: \(error)")))
        }
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }
}
