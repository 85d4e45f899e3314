import Foundation
@testable import KafkaBroker
import KafkaLog
import KafkaProtocol
import Logging
import Testing

/// A seeded mutation fuzzer over the broker's request handling: frames captured from real
/// clients and built for every served API and version are mutated (bit flips, interesting
/// values, cuts, insertions, splices) and handed to `Broker.handle`, a million of them
/// (`WEIR_FUZZ_ITERATIONS` changes the count; `WEIR_FUZZ_SEED` the seed). A trap anywhere in
/// decoding or handling fails the run; afterwards the broker must still serve a
/// well-formed client and every stored batch must pass its CRC.
@Suite(.serialized) struct BrokerFuzzTests {
    /// SplitMix64: small, fast and reproducible from its seed.
    struct SeededRandom: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Request frames (without their size prefix) to start from.
    static func seeds() throws -> [[UInt8]] {
        var seeds: [[UInt8]] = []
        // Captured from kafka-python, librdkafka and Weir's client by Tests/capture.
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("KafkaProtocolTests/Fixtures/frames")
        for name in try FileManager.default.contentsOfDirectory(atPath: fixtures.path).sorted() where name.hasSuffix("request.bin") {
            seeds.append([UInt8](try Data(contentsOf: fixtures.appendingPathComponent(name))))
        }
        // Every served API at each of its versions, with default field values.
        for (api, versions) in Broker.supportedVersions {
            for version in versions { seeds.append(frame(defaultsOf: api.requestType, version: version)) }
        }
        // And a few that reach deep into the handlers.
        let batch = try RecordBatch(records: (0..<3).map { Record(timestamp: 1_700_000_000_000 + $0, key: [1], value: [2, 3]) },
                                    compression: .lz4, producerId: 1000, producerEpoch: 0, baseSequence: 0).encoded()
        seeds.append(frame(ProduceRequest(acks: -1, timeoutMs: 100, topicData: [.init(name: "fuzz", partitionData: [.init(index: 0, records: batch)])]), version: 9))
        seeds.append(frame(FetchRequest(maxWaitMs: 5, minBytes: 1, topics: [.init(topic: "fuzz", partitions: [.init(partition: 0, fetchOffset: 0, partitionMaxBytes: 4096)])]), version: 12))
        seeds.append(frame(JoinGroupRequest(groupId: "g", sessionTimeoutMs: 6000, rebalanceTimeoutMs: 10, memberId: "", protocolType: "consumer",
                                            protocols: [.init(name: "range", metadata: [0, 1, 0, 0, 0, 1, 0, 4, 102, 117, 122, 122, 0, 0, 0, 0])]), version: 5))
        seeds.append(frame(CreateTopicsRequest(topics: [.init(name: "fuzz-made", numPartitions: 2, replicationFactor: 1,
                                                              configs: [.init(name: "retention.ms", value: "1000")])]), version: 5))
        seeds.append(frame(SaslHandshakeRequest(mechanism: "SCRAM-SHA-256"), version: 1))
        seeds.append(frame(SaslAuthenticateRequest(authBytes: Array("n,,n=fuzzer,r=abcdefgh".utf8)), version: 2))
        seeds.append(frame(SaslAuthenticateRequest(authBytes: [0] + Array("fuzzer".utf8) + [0] + Array("secret".utf8)), version: 2))
        return seeds
    }

    static func frame<Request: KafkaRequest>(_ request: Request, version: Int16) -> [UInt8] {
        Array(KafkaFraming.encodeRequest(request, version: version, correlationId: 1, clientId: "fuzz").dropFirst(4))
    }

    static func frame(defaultsOf type: any KafkaRequest.Type, version: Int16) -> [UInt8] {
        func encode<Request: KafkaRequest>(_: Request.Type) -> [UInt8] {
            var empty = ByteReader([])
            return frame(Request(from: &empty, version: version), version: version)
        }
        return encode(type)
    }

    /// One to four mutations of `seed` (with a splice of `other` now and then).
    static func mutate(_ seed: [UInt8], splicing other: [UInt8], using random: inout SeededRandom) -> [UInt8] {
        var bytes = seed
        let interesting: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE, 0x10, 0x40]
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            // Bytes 0-3 are the API key and version: kept mostly, so the handlers are reached.
            let low = bytes.count > 8 && Int.random(in: 0..<10, using: &random) > 0 ? 4 : 0
            guard bytes.count > low else { bytes.append(UInt8.random(in: 0...255, using: &random)); continue }
            let position = Int.random(in: low..<bytes.count, using: &random)
            switch Int.random(in: 0..<9, using: &random) {
            case 0: bytes[position] ^= 1 << UInt8.random(in: 0..<8, using: &random)
            case 1: bytes[position] = interesting.randomElement(using: &random)!
            case 2:
                let values: [Int32] = [0, -1, 1, 2, 16, 255, 0x7FFF, Int32.max, Int32.min, 1 << 20]
                let value = values.randomElement(using: &random)!.bigEndian
                withUnsafeBytes(of: value) { raw in
                    for index in 0..<min(4, bytes.count - position) { bytes[position + index] = raw[index] }
                }
            case 3: bytes.removeLast(bytes.count - position)
            case 4: bytes.insert(contentsOf: (0..<Int.random(in: 1...8, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }, at: position)
            case 5: bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...16, using: &random)))
            case 6:
                let end = min(bytes.count, position + Int.random(in: 1...32, using: &random))
                bytes.insert(contentsOf: bytes[position..<end], at: Int.random(in: position...bytes.count, using: &random))
            case 7:
                guard !other.isEmpty else { continue }
                let cut = Int.random(in: 0..<other.count, using: &random)
                bytes = Array(bytes[..<position]) + other[cut...]
            default:
                // Another version of the same API (bytes 2-3).
                if bytes.count >= 4 { bytes[2] = 0; bytes[3] = UInt8.random(in: 0...17, using: &random) }
            }
        }
        return bytes
    }

    /// Fetch, JoinGroup and SyncGroup may wait as long as the (mutated) request says; the
    /// fuzzer waits 2 ms for them and moves on, leaving them to finish on their own.
    static func handleBounded(_ broker: Broker, _ frame: [UInt8], _ session: Session) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let once = ResumeOnce(continuation)
            Task { _ = await broker.handle(frame, session: session); once.resume() }
            Task { try? await Task.sleep(nanoseconds: 2_000_000); once.resume() }
        }
    }

    final class ResumeOnce: @unchecked Sendable {
        private let lock = NSLock()
        private var continuation: CheckedContinuation<Void, Never>?
        init(_ continuation: CheckedContinuation<Void, Never>) { self.continuation = continuation }
        func resume() {
            lock.lock()
            let pending = continuation
            continuation = nil
            lock.unlock()
            pending?.resume()
        }
    }

    @Test(.timeLimit(.minutes(10))) func aMillionMutatedRequestsNeverCrashTheBroker() async throws {
        let environment = ProcessInfo.processInfo.environment
        let iterations = environment["WEIR_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 1_000_000
        let seed = environment["WEIR_FUZZ_SEED"].flatMap(UInt64.init) ?? 0x5EED_CAFE
        // tmpfs when there is one: the fuzzer makes topics and syncs often.
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let folder = base + "/weir-fuzz-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var config = BrokerConfig(dataDirectory: folder)
        config.initialRebalanceDelayMs = 0
        config.flush = .operatingSystem
        let quiet = Logger(label: "fuzz", factory: { _ in SwiftLogNoOpLogHandler() })
        let broker = try Broker(config: config, logger: quiet)
        try broker.topics.create("fuzz", partitions: 2)
        // A second broker with SASL users, for the SASL exchanges and unauthenticated sessions.
        var secureConfig = BrokerConfig(dataDirectory: folder + "-secure")
        secureConfig.flush = .operatingSystem
        secureConfig.users = ["fuzzer": "secret"]
        let secure = try Broker(config: secureConfig, logger: quiet)
        defer { try? FileManager.default.removeItem(atPath: folder + "-secure") }

        let seeds = try Self.seeds()
        // One stream of mutations per core, on the same two brokers (as connections would be).
        let streams = 2
        let outcomes = await withTaskGroup(of: [String: Int].self) { group in
            for stream in 0..<streams {
                group.addTask {
                    await Self.fuzz(broker: broker, secure: secure, seeds: seeds, iterations: iterations / streams,
                                    seed: seed &+ UInt64(stream))
                }
            }
            var total: [String: Int] = [:]
            for await counts in group { total.merge(counts, uniquingKeysWith: +) }
            return total
        }
        print("fuzz: \(iterations) mutated requests from \(seeds.count) seeds (seed \(seed)): \(outcomes.sorted { $0.key < $1.key })")
        #expect((outcomes["answered"] ?? 0) > iterations / 20, "enough mutations get through decoding to reach the handlers")

        // Still serving, and nothing damaged was stored.
        let fresh = broker.startSession(clientHost: "/after")
        let check = try RecordBatch(records: [Record(timestamp: 1, key: nil, value: Array("after".utf8))]).encoded()
        try broker.topics.create("after-fuzz", partitions: 1)
        let produced = await broker.handle(Self.frame(ProduceRequest(acks: 1, timeoutMs: 100, topicData: [
            .init(name: "after-fuzz", partitionData: [.init(index: 0, records: check)]),
        ]), version: 9), session: fresh)
        guard case let .respond(bytes) = produced else { Issue.record("no answer after fuzzing"); return }
        let (_, response) = try KafkaFraming.decodeResponse(Array(bytes.dropFirst(4)), as: ProduceResponse.self, version: 9)
        #expect(response.responses.first?.partitionResponses.first?.errorCode == 0)
        broker.shutdown()
        secure.shutdown()
        for log in broker.topics.logs.allLogs {
            var offset = log.logStartOffset
            while offset < log.logEndOffset {
                let read = try log.read(from: offset, maxBytes: 1 << 20, limit: log.logEndOffset)
                let set = try RecordSet.decode(read.records)
                #expect(set.truncatedBytes == 0, "\(log.topic)-\(log.partition)")
                guard let last = set.batches.last else { break }
                offset = last.nextOffset
            }
        }
    }

    /// One stream of `iterations` mutated requests; returns how they ended.
    static func fuzz(broker: Broker, secure: Broker, seeds: [[UInt8]], iterations: Int, seed: UInt64) async -> [String: Int] {
        var random = SeededRandom(state: seed)
        var session = broker.startSession(clientHost: "/fuzz")
        var secureSession = secure.startSession(clientHost: "/fuzz")
        var outcomes: [String: Int] = [:]
        let waiting: Set<Int16> = [ApiKey.fetch.rawValue, ApiKey.joinGroup.rawValue, ApiKey.syncGroup.rawValue]
        for iteration in 0..<iterations {
            let frame = mutate(seeds.randomElement(using: &random)!, splicing: seeds.randomElement(using: &random)!, using: &random)
            let useSecure = iteration % 16 == 0
            let target = useSecure ? secure : broker
            let apiKey = frame.count >= 2 ? Int16(frame[0]) << 8 | Int16(frame[1]) : -1
            // Shedding creation requests for more than a few partitions keeps the run's disk use small;
            // their decoding is fuzzed all the same.
            if apiKey == ApiKey.createTopics.rawValue || apiKey == ApiKey.createPartitions.rawValue, asksForManyPartitions(frame) {
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
            case .noResponse: outcomes["no response", default: 0] += 1
            case .close:
                outcomes["closed", default: 0] += 1
                // The connection would be gone: the next request comes on a new one.
                if useSecure { secureSession = secure.startSession(clientHost: "/fuzz") } else { session = broker.startSession(clientHost: "/fuzz") }
            }
        }
        return outcomes
    }

    /// Whether a CreateTopics or CreatePartitions frame decodes to more than 16 partitions.
    static func asksForManyPartitions(_ frame: [UInt8]) -> Bool {
        guard let (header, reader) = try? KafkaFraming.readRequestHeader(frame) else { return false }
        var body = reader
        if header.requestApiKey == ApiKey.createTopics.rawValue {
            let request = CreateTopicsRequest(from: &body, version: header.requestApiVersion)
            return request.topics.contains { $0.numPartitions > 16 || $0.assignments.count > 16 }
        }
        let request = CreatePartitionsRequest(from: &body, version: header.requestApiVersion)
        return request.topics.contains { $0.count > 16 }
    }
}
