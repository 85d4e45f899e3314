import Foundation
import KafkaProtocol
import Testing
import WeirTestSupport

extension BrokerTests {
    /// Weir's broker as real clients nobody here wrote use it: librdkafka (confluent-kafka's
    /// current one, and Debian's 2.0.2 under kcat), kafka-python and aiokafka. Each test
    /// starts `weir broker` on a free port with an empty data folder.
    @Suite(.serialized, .timeLimit(.minutes(3))) struct BrokerInteropTests {
        /// The Python clients, by the name `broker_checks.py` knows them and their peer script.
        enum Client: String, CaseIterable, CustomTestStringConvertible {
            case librdkafka, kafkaPython = "kafka-python", aiokafka

            var testDescription: String { rawValue }
            var peerScript: String {
                switch self {
                case .librdkafka: return "librdkafka_peer.py"
                case .kafkaPython: return "kafka_python_peer.py"
                case .aiokafka: return "aiokafka_peer.py"
                }
            }
            /// Who reads what this client wrote: another client, so the stored batches are
            /// shown to be what every client expects, not only what their writer does.
            var reader: Client {
                switch self {
                case .librdkafka: return .kafkaPython
                case .kafkaPython: return .aiokafka
                case .aiokafka: return .librdkafka
                }
            }
        }

        /// New topics get three partitions, and groups form at once (Kafka's 3 s initial delay
        /// only slows tests down).
        static func startBroker() throws -> WeirBrokerProcess {
            try WeirBrokerProcess(arguments: [
                "--config", "num.partitions=3", "--config", "group.initial.rebalance.delay.ms=0",
            ])
        }

        static func check(_ arguments: [String]) async throws -> [String: Any] {
            let lines = try await TansuBroker.runPeer("broker_checks.py", arguments)
            return try #require(lines.last)
        }

        static let produceCases = Client.allCases.flatMap { client in CompressionCodec.allCases.map { (client, $0) } }

        /// Keys, values, headers and timestamps over three partitions, with every codec: each
        /// client's batches, stored as written, read back whole by another client.
        @Test(arguments: produceCases)
        func whatOneClientWritesAnotherReads(writer: Client, codec: CompressionCodec) async throws {
            let broker = try Self.startBroker()
            let topic = "written-by-\(writer.rawValue)-\(codec)"
            let count = 30
            let written = try await TansuBroker.runPeer(
                writer.peerScript, ["produce", broker.bootstrap, topic, codec.description, "\(count)"])
            #expect(written.count == count)
            var placed: [String: (Int, Int)] = [:]
            for entry in written {
                placed[entry["key"] as! String] = (entry["partition"] as! Int, entry["offset"] as! Int)
            }
            #expect(Set(placed.values.map(\.0)).count > 1, "records spread over the partitions")

            let read = try await TansuBroker.runPeer(
                writer.reader.peerScript, ["consume", broker.bootstrap, topic, "\(count)"])
            #expect(read.count == count)
            for entry in read {
                let key = try #require(entry["key"] as? String)
                let index = try #require(Int(key.dropFirst(4)))
                let (partition, offset) = try #require(placed[key])
                #expect(entry["partition"] as? Int == partition && entry["offset"] as? Int == offset, "\(key)")
                #expect(entry["timestamp"] as? Int == 1_700_000_000_000 + index)
                #expect((entry["headers"] as? [[String]]) == [["seq", "\(index)"]])
                let value = try #require(entry["value"] as? String)
                #expect(value.contains("\"n\": \(index)") || value.contains("\"n\":\(index)"), "\(value)")
            }
        }

        /// Debian's kcat (librdkafka 2.0.2, which misreads default-valued tagged fields in
        /// ApiVersions) connects, produces keys and headers, and reads every codec's batches.
        @Test func debiansKcatProducesAndReadsEveryCodec() async throws {
            let broker = try Self.startBroker()
            let lines = (0..<12).map { "user-\($0 % 4):{\"clicks\":\($0)}" }.joined(separator: "\n") + "\n"
            let produced = try await Kcat.runDebian(
                ["-b", broker.bootstrap, "-P", "-t", "kcat-in", "-K", ":", "-H", "source=kcat"], input: lines)
            #expect(produced.status == 0, "\(produced.error)")
            let consumed = try await Kcat.runDebian([
                "-b", broker.bootstrap, "-C", "-t", "kcat-in", "-e", "-q", "-f", "%k=%s %h\n",
            ])
            #expect(consumed.status == 0, "\(consumed.error)")
            #expect(
                Set(consumed.output.split(separator: "\n").map(String.init))
                    == Set((0..<12).map { "user-\($0 % 4)={\"clicks\":\($0)} source=kcat" }))

            for codec in CompressionCodec.allCases {
                let topic = "for-kcat-\(codec)"
                _ = try await TansuBroker.runPeer(
                    "librdkafka_peer.py", ["produce", broker.bootstrap, topic, codec.description, "20"])
                let read = try await Kcat.runDebian([
                    "-b", broker.bootstrap, "-C", "-t", topic, "-e", "-q", "-f", "%k %T\n",
                ])
                #expect(read.status == 0, "\(codec): \(read.error)")
                #expect(
                    Set(read.output.split(separator: "\n").map(String.init))
                        == Set((0..<20).map { "key-\($0) \(1_700_000_000_000 + $0)" }), "\(codec)")
            }
            let metadata = try await Kcat.runDebian(["-b", broker.bootstrap, "-L", "-t", "for-kcat-none"])
            #expect(metadata.output.contains("topic \"for-kcat-none\" with 3 partitions"), "\(metadata.output)")
        }

        /// The batches stored for partition 0 of `topic`, read from its segment files.
        static func storedBatches(
            _ broker: WeirBrokerProcess, _ topic: String, partition: Int = 0
        ) throws -> [RecordBatch] {
            let folder = "\(broker.dataDirectory)/\(topic)-\(partition)"
            let segments = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".log") }
            return try segments.sorted().flatMap { name in
                try RecordSet.decode([UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(name)")))).batches
            }
        }

        /// Debian's kcat (librdkafka 2.0.2) takes which codecs a broker accepts from the Produce
        /// versions it offers (v2 for the magic-1 era's codecs): each codec asked for is the one stored.
        @Test func debiansKcatCompressesWhatItWrites() async throws {
            let broker = try Self.startBroker()
            let lines = (0..<200).map { "line \($0) of a text that compresses well" }.joined(separator: "\n") + "\n"
            for codec in CompressionCodec.allCases where codec != .none {
                let topic = "kcat-\(codec)"
                let produced = try await Kcat.runDebian(
                    ["-b", broker.bootstrap, "-P", "-t", topic, "-p", "0", "-z", codec.description], input: lines)
                #expect(
                    produced.status == 0 && !produced.error.contains("not compressing"), "\(codec): \(produced.error)")
                let stored = try Self.storedBatches(broker, topic)
                // librdkafka writes a batch plain when compressing does not make it smaller (a
                // batch of a record or two, cut off by linger.ms on a busy machine).
                #expect(stored.contains { $0.compression == codec }, "\(codec)")
                #expect(
                    stored.filter { $0.records.count >= 20 }.allSatisfy { $0.compression == codec },
                    "\(codec): \(stored.map { ($0.records.count, $0.compression) })")
                #expect(stored.flatMap(\.records).count == 200, "\(codec)")
            }
        }

        static let pinnedCases: [(String, CompressionCodec)] = [
            ("0.9", .none), ("0.9", .gzip), ("0.10", .none), ("0.10", .gzip), ("0.10", .snappy), ("0.10", .lz4),
        ]

        /// kafka-python pinned to Kafka 0.9 or 0.10, as deployments of the seeds' era pin it
        /// (Produce v1–v2 with message sets of magic 0 and 1, Fetch v1–v3, JoinGroup v0). What it
        /// writes is stored as magic-2 batches with its codec and read whole by today's librdkafka;
        /// what librdkafka writes (with headers) it reads down-converted, in a group that commits.
        @Test(arguments: pinnedCases)
        func clientsPinnedToKafka09And010(version: String, codec: CompressionCodec) async throws {
            let broker = try Self.startBroker()
            let topic = "pinned-\(version)-\(codec)"
            let count = 30
            let pinned = ["--api-version", version]
            let stamped = version != "0.9"
            let written = try await TansuBroker.runPeer(
                "kafka_python_peer.py", pinned + ["produce", broker.bootstrap, topic, codec.description, "\(count)"])
            #expect(written.count == count)
            let read = try await TansuBroker.runPeer(
                "librdkafka_peer.py", ["consume", broker.bootstrap, topic, "\(count)"])
            #expect(Set(read.compactMap { $0["key"] as? String }) == Set((0..<count).map { "key-\($0)" }))
            for entry in read {
                let index = try #require(Int((entry["key"] as! String).dropFirst(4)))
                #expect(entry["timestamp"] as? Int == (stamped ? 1_700_000_000_000 + index : -1))
            }
            for partition in 0..<3 {
                let stored = try Self.storedBatches(broker, topic, partition: partition)
                #expect(stored.allSatisfy { $0.magic == 2 && $0.compression == codec }, "partition \(partition)")
            }

            let modern = "\(topic)-from-librdkafka"
            let placed = try await TansuBroker.runPeer(
                "librdkafka_peer.py", ["produce", broker.bootstrap, modern, codec.description, "\(count)"])
            var lines = try await TansuBroker.runPeer(
                "kafka_python_peer.py", pinned + ["consume-group", broker.bootstrap, modern, "old-readers", "\(count)"])
            let committed = try #require(lines.popLast()?["committed"] as? [[Int]])
            #expect(lines.count == count)
            for entry in lines {
                let key = try #require(entry["key"] as? String)
                let index = try #require(Int(key.dropFirst(4)))
                let origin = try #require(placed.first { $0["key"] as? String == key })
                #expect(entry["partition"] as? Int == origin["partition"] as? Int)
                #expect(entry["offset"] as? Int == origin["offset"] as? Int)
                #expect(
                    stamped ? entry["timestamp"] as? Int == 1_700_000_000_000 + index : entry["timestamp"] is NSNull)
                #expect((entry["value"] as? String)?.contains("\"n\": \(index)") == true, "\(entry)")
            }
            var ends: [Int: Int] = [:]
            for entry in placed { ends[entry["partition"] as! Int, default: 0] += 1 }
            #expect(Dictionary(uniqueKeysWithValues: committed.map { ($0[0], $0[1]) }) == ends)
        }

        /// Each client's idempotent producer: one record per offset, in order, no gaps.
        @Test(arguments: Client.allCases)
        func idempotentProducers(client: Client) async throws {
            let broker = try Self.startBroker()
            let result = try await Self.check(["idempotent", client.rawValue, broker.bootstrap, "idempotent", "200"])
            #expect(result["error"] is NSNull)
            #expect(result["offsets"] as? [Int] == Array(0..<200))
            let read = try await Kcat.runDebian([
                "-b", broker.bootstrap, "-C", "-t", "idempotent", "-p", "0", "-e", "-q", "-f", "%o:%s\n",
            ])
            #expect(read.output.split(separator: "\n").map(String.init) == (0..<200).map { "\($0):idempotent-\($0)" })
        }

        /// ListOffsets by timestamp is record-granular: the first record at or after the time,
        /// nothing after the last one.
        @Test(arguments: Client.allCases)
        func offsetsByTimestamp(client: Client) async throws {
            let broker = try WeirBrokerProcess(arguments: ["--config", "num.partitions=1"])
            // 20 records with timestamps 1700000000000 + i, in batches of several records each.
            _ = try await TansuBroker.runPeer(
                "librdkafka_peer.py", ["produce", broker.bootstrap, "timed", "lz4", "20"])
            let found = try await Self.check([
                "times", client.rawValue, broker.bootstrap, "timed", "1700000000007", "1600000000000", "1700000000019",
                "1800000000000",
            ])
            #expect(found["1700000000007"] as? Int == 7)
            #expect(found["1600000000000"] as? Int == 0)
            #expect(found["1700000000019"] as? Int == 19)
            #expect(found["1800000000000"] is NSNull)
        }

        /// ListOffsets v7: librdkafka's AdminClient asks for the record with the largest
        /// timestamp (the first of two with it), beside the earliest and latest offsets.
        @Test func theRecordWithTheLargestTimestamp() async throws {
            let broker = try WeirBrokerProcess(arguments: ["--config", "num.partitions=1"])
            let found = try await Self.check([
                "max-timestamp", Client.librdkafka.rawValue, broker.bootstrap, "stamped",
                "1700000000005", "1700000000009", "1700000000003", "1700000000009", "1700000000001",
            ])
            let max = found["max"] as? [String: Any]
            #expect(max?["offset"] as? Int == 1 && max?["timestamp"] as? Int == 1_700_000_000_009, "\(found)")
            #expect((found["earliest"] as? [String: Any])?["offset"] as? Int == 0)
            #expect((found["latest"] as? [String: Any])?["offset"] as? Int == 5)
        }

        /// Two members share a topic's partitions without overlap, commit, and when one leaves
        /// the other takes everything; a member starting later resumes from the commits.
        @Test(arguments: Client.allCases)
        func consumerGroupOfTwo(client: Client) async throws {
            let broker = try WeirBrokerProcess(arguments: [
                "--config", "num.partitions=4", "--config", "group.initial.rebalance.delay.ms=0",
            ])
            _ = try await TansuBroker.runPeer(
                "librdkafka_peer.py", ["produce", broker.bootstrap, "shared", "none", "40"])
            let group = "readers-\(client.rawValue)"
            let result = try await Self.check(["group", client.rawValue, broker.bootstrap, "shared", group, "40"])
            let first = try #require(result["first"] as? [[Int]])
            #expect(first.count == 2 && !first[0].isEmpty && !first[1].isEmpty)
            #expect(Set(first[0]).isDisjoint(with: first[1]) && Set(first[0] + first[1]) == [0, 1, 2, 3])
            #expect(result["after_leave"] as? [Int] == [0, 1, 2, 3])
            #expect(result["distinct"] as? Int == 40)

            let more = try await TansuBroker.runPeer(
                "librdkafka_peer.py", ["produce", broker.bootstrap, "shared", "none", "10"])
            let resumed = try await Self.check(["resume", client.rawValue, broker.bootstrap, "shared", group, "10"])
            let expected = more.map { [$0["partition"] as! Int, $0["offset"] as! Int] }.sorted {
                $0.lexicographicallyPrecedes($1)
            }
            #expect(
                resumed["offsets"] as? [[Int]] == expected,
                "only the records after the commits (made in \(result["commit_attempts"] ?? "?") attempt(s))")
        }

        /// Every pair of the four client stacks — librdkafka, kafka-python, aiokafka and Weir's
        /// own (`weir consume --group`) — in one group: the two split the partitions between
        /// them, read every record and commit; when the second leaves, the first takes every
        /// partition; a member of the second kind then resumes from the group's commits.
        @Test(arguments: [
            ("librdkafka", "kafka-python"), ("librdkafka", "aiokafka"), ("librdkafka", "weir"),
            ("kafka-python", "aiokafka"), ("kafka-python", "weir"), ("aiokafka", "weir"),
        ])
        func mixedClientsShareOneGroup(first: String, second: String) async throws {
            let broker = try WeirBrokerProcess(arguments: [
                "--config", "num.partitions=4", "--config", "group.initial.rebalance.delay.ms=0",
            ])
            _ = try await TansuBroker.runPeer(
                "librdkafka_peer.py", ["produce", broker.bootstrap, "shared", "none", "40"])
            let group = "\(first)-with-\(second)"
            let result = try await Self.check(["group", "\(first)+\(second)", broker.bootstrap, "shared", group, "40"])
            let split = try #require(result["first"] as? [[Int]])
            #expect(split.count == 2 && !split[0].isEmpty && !split[1].isEmpty, "\(result)")
            #expect(Set(split[0]).isDisjoint(with: split[1]) && Set(split[0] + split[1]) == [0, 1, 2, 3], "\(split)")
            #expect(result["after_leave"] as? [Int] == [0, 1, 2, 3])
            #expect(result["distinct"] as? Int == 40)

            let more = try await TansuBroker.runPeer(
                "librdkafka_peer.py", ["produce", broker.bootstrap, "shared", "none", "10"])
            let resumed = try await Self.check(["resume", second, broker.bootstrap, "shared", group, "10"])
            let expected = more.map { [$0["partition"] as! Int, $0["offset"] as! Int] }.sorted {
                $0.lexicographicallyPrecedes($1)
            }
            #expect(resumed["offsets"] as? [[Int]] == expected, "only the records after the group's commits")
        }

        /// The consumer protocol of KIP-848 (`group.protocol=consumer`: the broker assigns, members
        /// only heartbeat), with librdkafka and with Weir's own client (`weir consume --group`):
        /// two members split the partitions, commit with their member epochs, the survivor takes
        /// all, a later member resumes from the commits; the
        /// group is described as a consumer-protocol group (ConsumerGroupDescribe) with the
        /// uniform assignor. A classic group on the same topic works beside it.
        @Test func consumerProtocolGroupsBesideClassicOnes() async throws {
            let broker = try WeirBrokerProcess(arguments: [
                "--config", "num.partitions=4", "--config", "group.initial.rebalance.delay.ms=0",
                "--config", "group.consumer.heartbeat.interval.ms=500",
            ])
            _ = try await TansuBroker.runPeer(
                "librdkafka_peer.py", ["produce", broker.bootstrap, "shared", "none", "40"])
            for (client, type, assignor) in [
                ("librdkafka-consumer", "CONSUMER", "uniform"), ("librdkafka", "CLASSIC", "range"),
                ("weir-consumer+librdkafka-consumer", "CONSUMER", "uniform"),
            ] {
                let group = "readers-\(client)"
                let result = try await Self.check(["group", client, broker.bootstrap, "shared", group, "40"])
                let split = try #require(result["first"] as? [[Int]])
                #expect(split.count == 2 && !split[0].isEmpty && !split[1].isEmpty, "\(client): \(result)")
                #expect(Set(split[0]).isDisjoint(with: split[1]) && Set(split[0] + split[1]) == [0, 1, 2, 3])
                #expect(result["after_leave"] as? [Int] == [0, 1, 2, 3], "\(client)")
                #expect(result["distinct"] as? Int == 40)
                let described = try #require(result["described"] as? [String: Any])
                #expect(described["type"] as? String == type && described["assignor"] as? String == assignor)
                #expect(described["state"] as? String == "STABLE", "\(described)")
                #expect((described["members"] as? [[Int]]).map { Set($0.flatMap { $0 }) } == [0, 1, 2, 3])
            }
            let more = try await TansuBroker.runPeer(
                "librdkafka_peer.py", ["produce", broker.bootstrap, "shared", "none", "10"])
            let expected = more.map { [$0["partition"] as! Int, $0["offset"] as! Int] }.sorted {
                $0.lexicographicallyPrecedes($1)
            }
            for (client, group) in [
                ("librdkafka-consumer", "readers-librdkafka-consumer"),
                ("weir-consumer", "readers-weir-consumer+librdkafka-consumer"),
            ] {
                let resumed = try await Self.check(["resume", client, broker.bootstrap, "shared", group, "10"])
                #expect(resumed["offsets"] as? [[Int]] == expected, "\(client): only the records after the commits")
            }
            // A subscription by pattern (SubscribedTopicRegex): the topics it matches, whole.
            for topic in ["rx-a", "rx-b", "not-rx"] {
                _ = try await TansuBroker.runPeer(
                    "librdkafka_peer.py", ["produce", broker.bootstrap, topic, "none", "8"])
            }
            let matched = try await Self.check(["pattern", "librdkafka-consumer", broker.bootstrap, "^rx-.*", "16"])
            #expect(matched["topics"] as? [String] == ["rx-a", "rx-b"] && matched["read"] as? Int == 16, "\(matched)")
            // `weir groups list` tells the two kinds apart (ListGroups v5's group type).
            let listed = try await ChildProcess.run(
                try weirBinary().path, ["groups", "list", "--bootstrap", broker.bootstrap])
            let lines = Set(listed.output.split(separator: "\n").map(String.init))
            #expect(lines.contains("readers-librdkafka-consumer\tEmpty\tconsumer\tconsumer"), "\(listed.output)")
            #expect(lines.contains("readers-librdkafka\tEmpty\tconsumer\tclassic"), "\(listed.output)")
        }

        /// What kafka-transactions.sh shows, asked by kafka-python's admin client: an open
        /// transaction listed and described (state, producer, partitions, start), each
        /// partition's producers (epoch, last sequence, the open transaction's first offset),
        /// and the transaction listed as CompleteCommit once committed.
        @Test func adminToolsSeeProducersAndTransactions() async throws {
            let broker = try Self.startBroker()
            let lines = try await TansuBroker.runPeer("txn_admin_checks.py", [broker.bootstrap, "viewed"])
            let result = try #require(lines.last)
            func transactions(_ key: String) -> [[String: Any]] {
                (result[key] as? [String: [[String: Any]]])?.values.flatMap { $0 } ?? []
            }
            let open = transactions("listed_open")
            #expect(open.count == 1 && open[0]["transactional_id"] as? String == "viewed-txn", "\(result)")
            #expect(open.first?["state"] as? String == "Ongoing")
            #expect(transactions("ongoing_only").count == 1)
            let producerId = try #require(open.first?["producer_id"] as? Int)
            let described = try #require((result["described"] as? [String: [String: Any]])?["viewed-txn"])
            #expect(described["state"] as? String == "Ongoing" && described["producer_id"] as? Int == producerId)
            #expect(described["transaction_timeout_ms"] as? Int == 60_000)
            #expect((described["transaction_start_time_ms"] as? Int ?? 0) > 1_700_000_000_000)
            #expect(
                (described["topic_partitions"] as? [[String: Any]])?.map { "\($0["topic"]!)-\($0["partition"]!)" }
                    == ["viewed-0"])
            let producers = try #require(result["producers"] as? [String: [String: [[String: Any]]]])
            let transactional = try #require(producers["viewed-0"]?["active_producers"]?.first)
            #expect(transactional["producer_id"] as? Int == producerId && transactional["last_sequence"] as? Int == 2)
            #expect(transactional["current_transaction_start_offset"] as? Int == 0)
            let idempotent = try #require(producers["viewed-1"]?["active_producers"]?.first)
            #expect(
                idempotent["last_sequence"] as? Int == 4 && idempotent["current_transaction_start_offset"] as? Int == -1
            )
            #expect(transactions("listed_after").first?["state"] as? String == "CompleteCommit", "\(result)")
        }

        /// kafka-python keeps an incremental fetch session (KIP-227) when the broker offers one:
        /// after the first full answer, each answer lists only the partitions that changed (here
        /// only partition 0 gets new records), and nothing when nothing did; no answer is refused.
        @Test func kafkaPythonKeepsAnIncrementalFetchSession() async throws {
            let broker = try Self.startBroker()
            _ = try await TansuBroker.runPeer(
                "librdkafka_peer.py", ["produce", broker.bootstrap, "sessions", "none", "30"])
            let result = try await Self.check(["fetch-session", "kafka-python", broker.bootstrap, "sessions", "30"])
            #expect(result["read"] as? Int == 40, "\(result)")
            #expect(result["created"] as? Int == 1)
            let incremental = try #require(result["incremental"] as? [Int])
            #expect(!incremental.isEmpty && incremental.allSatisfy { $0 <= 1 }, "\(incremental)")
            #expect(incremental.contains(0), "an idle fetch lists no partition")
            #expect((result["refused"] as? [String])?.isEmpty == true, "\(result)")
        }

        /// A 1 MB message goes through; one over `max.message.bytes` is refused by the broker.
        @Test(arguments: Client.allCases)
        func largeMessages(client: Client) async throws {
            let broker = try Self.startBroker()
            let fits = try await Self.check(["large", client.rawValue, broker.bootstrap, "large", "1000000"])
            #expect(fits["error"] is NSNull)
            #expect(fits["read"] as? Int == 1_000_000)
            let tooLarge = try await Self.check(["large", client.rawValue, broker.bootstrap, "too-large", "1100000"])
            #expect(
                ["MSG_SIZE_TOO_LARGE", "MessageSizeTooLargeError"].contains(tooLarge["error"] as? String ?? ""),
                "\(tooLarge)")
        }

        /// A read past the end is OFFSET_OUT_OF_RANGE, which each client answers with its
        /// `auto.offset.reset` (earliest here).
        @Test(arguments: Client.allCases)
        func outOfRangeFetchResetsTheClient(client: Client) async throws {
            let broker = try WeirBrokerProcess(arguments: ["--config", "num.partitions=1"])
            _ = try await TansuBroker.runPeer(
                "librdkafka_peer.py", ["produce", broker.bootstrap, "short", "none", "5"])
            let result = try await Self.check(["out-of-range", client.rawValue, broker.bootstrap, "short", "1000"])
            #expect(result["first_offset"] as? Int == 0)
        }

        /// With users configured, each client gets in with PLAIN, SCRAM-SHA-256 and
        /// SCRAM-SHA-512, a wrong password does not, and a client without SASL is turned away.
        @Test(arguments: Client.allCases)
        func saslUsers(client: Client) async throws {
            let broker = try WeirBrokerProcess(arguments: ["--user", "alice:secret", "--config", "num.partitions=1"])
            for mechanism in ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] {
                let result = try await Self.check([
                    "sasl", client.rawValue, broker.bootstrap, "in-\(mechanism)", mechanism, "alice", "secret",
                ])
                #expect(result["values"] as? [String] == ["sasl-0", "sasl-1", "sasl-2"], "\(mechanism): \(result)")
            }
            let refused = try await Self.check([
                "sasl", client.rawValue, broker.bootstrap, "kept-out", "SCRAM-SHA-256", "alice", "guess",
            ])
            #expect(refused["error"] is String, "\(refused)")
            #expect(
                broker.log().contains("authentication failed") && broker.log().contains("invalid username or password"))
            let anonymous = try await Kcat.runDebian(["-b", broker.bootstrap, "-L", "-m", "3"], timeoutSeconds: 20)
            #expect(anonymous.status != 0 || !anonymous.output.contains("topic \""), "\(anonymous.output)")
        }

        /// Seed 000's kafka-python script, run twice: the second run deletes the topic and
        /// makes it anew, and each reads back exactly the six events it wrote.
        @Test func theSeedsKafkaPythonScriptRunsAgainAndAgain() async throws {
            let broker = try Self.startBroker()
            for _ in 0..<2 {
                let read = try await TansuBroker.runPeer("seed_user_events.py", [broker.bootstrap])
                #expect(read.map { $0["offset"] as? Int } == Array(0..<6))
                #expect(read.compactMap { ($0["value"] as? [String: Any])?["b"] as? Int } == [1, 2, 3, 4, 4, 5])
            }
        }

        /// Topic admin: create with a config, grow, describe, delete.
        @Test(arguments: Client.allCases)
        func topicAdmin(client: Client) async throws {
            let broker = try Self.startBroker()
            let result = try await Self.check(["admin", client.rawValue, broker.bootstrap, "managed"])
            #expect((result["after_create"] as? [String])?.contains("managed") == true)
            #expect(result["partitions"] as? Int == 5)
            #expect((result["retention"] as? String)?.contains("3600000") == true)
            #expect((result["after_delete"] as? [String])?.contains("managed") == false)
            #expect(
                !FileManager.default.fileExists(atPath: broker.dataDirectory + "/managed-0"),
                "the partition folders are gone")
        }

        /// Every topic config Kafka defines, each with its real source, as kafka-python's
        /// admin client reads them with synonyms: the topic's own, the broker's `--config` (given
        /// in Kafka's own units: hours), Kafka's defaults; a name Kafka does not know is refused.
        @Test func describedConfigsAreEveryTopicConfigWithItsSource() async throws {
            let broker = try WeirBrokerProcess(arguments: [
                "--config", "log.retention.hours=48", "--config", "log.segment.bytes=104857600",
            ])
            let result = try await Self.check(["configs", "kafka-python", broker.bootstrap, "described"])
            let configs = try #require(result["configs"] as? [String: [String: Any]])
            #expect(configs.count >= 30, "\(configs.keys.sorted())")
            func entry(_ name: String) -> (String?, String?, [[String]]) {
                (
                    configs[name]?["value"] as? String, configs[name]?["source"] as? String,
                    configs[name]?["synonyms"] as? [[String]] ?? []
                )
            }
            let retention = entry("retention.ms")
            #expect(retention.0 == "3600000" && retention.1 == "DYNAMIC_TOPIC_CONFIG")
            #expect(
                retention.2 == [
                    ["retention.ms", "3600000", "DYNAMIC_TOPIC_CONFIG"],
                    ["log.retention.hours", "48", "STATIC_BROKER_CONFIG"],
                    ["log.retention.ms", "604800000", "DEFAULT_CONFIG"],
                ], "\(retention.2)")
            let segment = entry("segment.bytes")
            #expect(segment.0 == "104857600" && segment.1 == "STATIC_BROKER_CONFIG")
            for (name, value) in [
                ("compression.type", "producer"), ("min.insync.replicas", "1"), ("cleanup.policy", "delete"),
                ("message.downconversion.enable", "true"), ("max.message.bytes", "1048588"),
            ] {
                #expect(entry(name).0 == value && entry(name).1 == "DEFAULT_CONFIG", "\(name): \(entry(name))")
            }
            #expect((result["unknown_name_error"] as? String)?.contains("no.such.config") == true, "\(result)")
        }
    }
}
