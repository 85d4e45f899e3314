import Foundation
import KafkaBroker
import KafkaProtocol
import Logging
import Synchronization

// A seeded mutation fuzzer over the broker's request handling: request frames captured from
// real clients and built for every served API and version are mutated and handed to
// `Broker.handle`. A trap anywhere in decoding or handling ends the process with a crash
// (the test that runs this sees it); afterwards the broker must still serve a well-formed
// request and every stored batch must pass its CRC.
//
//   WeirFuzz [--iterations N] [--seed S] [--fixtures DIR]
//
// It runs as a process of its own (the test suite starts it with `nice`): a crash then
// fails one test instead of the whole run, and the fuzzer's load does not starve the
// other tests' brokers.

struct Options {
    var iterations = 1_000_000
    var seed: UInt64 = 0x5EED_CAFE
    var fixtures: String?

    init(_ arguments: [String]) {
        var rest = arguments.dropFirst()
        while let flag = rest.popFirst() {
            let value = rest.popFirst() ?? ""
            switch flag {
            case "--iterations": iterations = Int(value) ?? iterations
            case "--seed": seed = UInt64(value) ?? seed
            case "--fixtures": fixtures = value
            default:
                FileHandle.standardError.write(
                    Data("usage: WeirFuzz [--iterations N] [--seed S] [--fixtures DIR]\n".utf8))
                exit(2)
            }
        }
    }
}

/// Request frames to start from.
func seeds(fixtures: String?) throws -> [[UInt8]] {
    var seeds: [[UInt8]] = []
    if let fixtures {
        for name in try FileManager.default.contentsOfDirectory(atPath: fixtures).sorted()
        where name.hasSuffix("request.bin") {
            seeds.append([UInt8](try Data(contentsOf: URL(fileURLWithPath: fixtures + "/" + name))))
        }
    }
    for (api, versions) in Broker.supportedVersions {
        for version in versions { seeds.append(RequestMutator.frame(defaultsOf: api.requestType, version: version)) }
    }
    let batch = try RecordBatch(
        records: (0..<3).map { Record(timestamp: 1_700_000_000_000 + $0, key: [1], value: [2, 3]) },
        compression: .lz4, producerId: 1000, producerEpoch: 0, baseSequence: 0
    ).encoded()
    seeds.append(
        RequestMutator.frame(
            ProduceRequest(
                acks: -1, timeoutMs: 100,
                topicData: [
                    .init(name: "fuzz", partitionData: [.init(index: 0, records: batch)])
                ]), version: 9))
    seeds.append(
        RequestMutator.frame(
            FetchRequest(
                maxWaitMs: 5, minBytes: 1,
                topics: [
                    .init(topic: "fuzz", partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 4096)])
                ]), version: 12))
    seeds.append(
        RequestMutator.frame(
            JoinGroupRequest(
                groupId: "g", sessionTimeoutMs: 6000, rebalanceTimeoutMs: 10, memberId: "",
                protocolType: "consumer",
                protocols: [
                    .init(name: "range", metadata: [0, 1, 0, 0, 0, 1, 0, 4, 102, 117, 122, 122, 0, 0, 0, 0])
                ]), version: 5))
    seeds.append(
        RequestMutator.frame(
            CreateTopicsRequest(topics: [
                .init(
                    name: "fuzz-made", numPartitions: 2, replicationFactor: 1,
                    configs: [.init(name: "retention.ms", value: "1000")])
            ]), version: 5))
    seeds.append(
        RequestMutator.frame(
            InitProducerIdRequest(transactionalId: "fuzz-txn", transactionTimeoutMs: 60_000), version: 4))
    seeds.append(
        RequestMutator.frame(
            AddPartitionsToTxnRequest(
                v3AndBelowTransactionalId: "fuzz-txn", v3AndBelowProducerId: 1000,
                v3AndBelowProducerEpoch: 0, v3AndBelowTopics: [.init(name: "fuzz", partitions: [0])]),
            version: 3))
    seeds.append(
        RequestMutator.frame(
            EndTxnRequest(transactionalId: "fuzz-txn", producerId: 1000, producerEpoch: 0, committed: true), version: 3)
    )
    // The formats before Kafka 0.11: a gzip message set of magic 1 in Produce v2.
    var legacy = ByteWriter()
    try LegacyMessageSet.write(
        RecordBatch(
            records: (0..<3).map { Record(timestamp: 1_700_000_000_000 + $0, key: [1], value: [2, 3]) },
            compression: .gzip), magic: 1, to: &legacy)
    seeds.append(
        RequestMutator.frame(
            ProduceRequest(
                acks: 1, timeoutMs: 100,
                topicData: [.init(name: "fuzz", partitionData: [.init(index: 0, records: legacy.bytes)])]),
            version: 2))
    // A fetch session opened, then an incremental request forgetting a partition.
    seeds.append(
        RequestMutator.frame(
            FetchRequest(
                maxWaitMs: 5, minBytes: 1, sessionId: 0, sessionEpoch: 0,
                topics: [
                    .init(topic: "fuzz", partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 4096)])
                ]),
            version: 12))
    seeds.append(
        RequestMutator.frame(
            FetchRequest(
                maxWaitMs: 5, minBytes: 1, sessionId: 1, sessionEpoch: 1,
                forgottenTopicsData: [.init(topic: "fuzz", partitions: [0])]), version: 12))
    // KIP-848: a member joining by names and a pattern, holding a partition.
    seeds.append(
        RequestMutator.frame(
            ConsumerGroupHeartbeatRequest(
                groupId: "g848", memberId: "m", memberEpoch: 0, rebalanceTimeoutMs: 1000,
                subscribedTopicNames: ["fuzz"], subscribedTopicRegex: "^fu.*", serverAssignor: "uniform",
                topicPartitions: [.init(topicId: KafkaUUID(high: 1, low: 2), partitions: [0])]), version: 1))
    seeds.append(RequestMutator.frame(SaslHandshakeRequest(mechanism: "SCRAM-SHA-256"), version: 1))
    seeds.append(
        RequestMutator.frame(SaslAuthenticateRequest(authBytes: Array("n,,n=fuzzer,r=abcdefgh".utf8)), version: 2))
    seeds.append(
        RequestMutator.frame(
            SaslAuthenticateRequest(authBytes: [0] + Array("fuzzer".utf8) + [0] + Array("secret".utf8)), version: 2))
    return seeds
}

/// Fetch, JoinGroup and SyncGroup may wait as long as the (mutated) request says: the
/// fuzzer gives them 2 ms and moves on, leaving them to finish on their own.
func handleBounded(_ broker: Broker, _ frame: [UInt8], _ session: Session) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let once = ResumeOnce(continuation)
        Task {
            if case let .respondLater(answer) = await broker.handle(frame, session: session) { _ = await answer() }
            once.resume()
        }
        Task {
            try? await Task.sleep(nanoseconds: 2_000_000)
            once.resume()
        }
    }
}

/// A continuation resumed by whichever of two tasks comes first.
final class ResumeOnce: Sendable {
    private let continuation: Mutex<CheckedContinuation<Void, Never>?>

    init(_ continuation: CheckedContinuation<Void, Never>) { self.continuation = Mutex(continuation) }

    func resume() {
        let pending = continuation.withLock { held in
            defer { held = nil }
            return held
        }
        pending?.resume()
    }
}

/// One stream of `iterations` mutated requests against `broker` (and, one in sixteen,
/// against `secure`, which has SASL users); returns how they ended.
func fuzz(broker: Broker, secure: Broker, seeds: [[UInt8]], iterations: Int, seed: UInt64) async -> [String: Int] {
    var random = SeededRandom(state: seed)
    var session = broker.startSession(clientHost: "/fuzz")
    var secureSession = secure.startSession(clientHost: "/fuzz")
    var outcomes: [String: Int] = [:]
    let waiting: Set<Int16> = [ApiKey.fetch.rawValue, ApiKey.joinGroup.rawValue, ApiKey.syncGroup.rawValue]
    for iteration in 0..<iterations {
        let frame = RequestMutator.mutate(
            seeds.randomElement(using: &random)!, splicing: seeds.randomElement(using: &random)!, using: &random)
        let useSecure = iteration % 16 == 0
        let target = useSecure ? secure : broker
        let apiKey = frame.count >= 2 ? Int16(frame[0]) << 8 | Int16(frame[1]) : -1
        // Creating thousands of partitions would only fill the disk; such requests are still decoded.
        if RequestMutator.asksForManyPartitions(frame) {
            outcomes["skipped (many partitions)", default: 0] += 1
            continue
        }
        if waiting.contains(apiKey) {
            await handleBounded(target, frame, useSecure ? secureSession : session)
            outcomes["bounded wait", default: 0] += 1
            continue
        }
        switch await target.handle(frame, session: useSecure ? secureSession : session) {
        case .respond: outcomes["answered", default: 0] += 1
        case let .respondLater(answer):
            _ = await answer()
            outcomes["answered", default: 0] += 1
        case .noResponse: outcomes["no response", default: 0] += 1
        case .close:
            outcomes["closed", default: 0] += 1
            // The connection would be gone: the next request comes on a new one.
            if useSecure {
                secureSession = secure.startSession(clientHost: "/fuzz")
            } else {
                session = broker.startSession(clientHost: "/fuzz")
            }
        }
    }
    return outcomes
}

/// Every `.log` segment under `folder`, read whole with every CRC checked; the problems found.
func scanSegments(_ folder: String) -> [String] {
    var problems: [String] = []
    for partition in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
        let path = folder + "/" + partition
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter({ $0.hasSuffix(".log") }
        ) {
            let bytes = [UInt8](FileManager.default.contents(atPath: path + "/" + name) ?? Data())
            do {
                let set = try RecordSet.decode(bytes)
                if set.truncatedBytes > 0 {
                    problems.append("\(partition)/\(name) ends with \(set.truncatedBytes) bytes of a partial batch")
                }
            } catch {
                problems.append("\(partition)/\(name): \(error)")
            }
        }
    }
    return problems
}

func run() async throws -> Int32 {
    let options = Options(CommandLine.arguments)
    // tmpfs when there is one: the fuzzer makes topics and syncs often.
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let folder = base + "/weir-fuzz-\(UUID().uuidString)"
    defer {
        try? FileManager.default.removeItem(atPath: folder)
        try? FileManager.default.removeItem(atPath: folder + "-secure")
    }
    let quiet = Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() })
    var config = BrokerConfig(dataDirectory: folder)
    config.initialRebalanceDelayMs = 0
    config.flush = .operatingSystem
    let broker = try Broker(config: config, logger: quiet)
    var secureConfig = BrokerConfig(dataDirectory: folder + "-secure")
    secureConfig.flush = .operatingSystem
    secureConfig.users = ["fuzzer": "secret"]
    let secure = try Broker(config: secureConfig, logger: quiet)
    _ = await broker.handle(
        RequestMutator.frame(
            CreateTopicsRequest(topics: [.init(name: "fuzz", numPartitions: 2, replicationFactor: 1)]), version: 5),
        session: broker.startSession(clientHost: "/setup"))

    let seeds = try seeds(fixtures: options.fixtures)
    let started = ContinuousClock.now
    // Two streams of mutations (one per core here), on the same brokers, as connections would be.
    let streams = 2
    let outcomes = await withTaskGroup(of: [String: Int].self) { group in
        for stream in 0..<streams {
            group.addTask {
                await fuzz(
                    broker: broker, secure: secure, seeds: seeds, iterations: options.iterations / streams,
                    seed: options.seed &+ UInt64(stream))
            }
        }
        var total: [String: Int] = [:]
        for await counts in group { total.merge(counts, uniquingKeysWith: +) }
        return total
    }
    print(
        "fuzz: \(options.iterations) mutated requests from \(seeds.count) seeds (seed \(options.seed)) in \(ContinuousClock.now - started)"
    )
    print(
        "fuzz outcomes: " + outcomes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))

    var problems: [String] = []
    if (outcomes["answered"] ?? 0) < options.iterations / 20 { problems.append("too few mutants reached a handler") }
    // Still serving: a topic made now takes a record.
    let fresh = broker.startSession(clientHost: "/after")
    _ = await broker.handle(
        RequestMutator.frame(
            CreateTopicsRequest(topics: [.init(name: "after-fuzz", numPartitions: 1, replicationFactor: 1)]), version: 5
        ),
        session: fresh)
    let record = try RecordBatch(records: [Record(timestamp: 1, key: nil, value: Array("after".utf8))]).encoded()
    let produced = await broker.handle(
        RequestMutator.frame(
            ProduceRequest(
                acks: 1, timeoutMs: 100,
                topicData: [
                    .init(name: "after-fuzz", partitionData: [.init(index: 0, records: record)])
                ]), version: 9), session: fresh)
    if case let .respond(bytes) = produced,
        let (_, response) = try? KafkaFraming.decodeResponse(
            Array(bytes.dropFirst(4)), as: ProduceResponse.self, version: 9),
        response.responses.first?.partitionResponses.first?.errorCode == 0
    {
        print("fuzz: the broker still serves")
    } else {
        problems.append("a well-formed Produce after fuzzing was not accepted")
    }
    broker.shutdown()
    secure.shutdown()
    problems += scanSegments(folder)
    for problem in problems { print("fuzz problem: \(problem)") }
    return problems.isEmpty ? 0 : 1
}

exit(try await run())
