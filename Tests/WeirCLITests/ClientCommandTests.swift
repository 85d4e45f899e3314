import Foundation
import KafkaClient
import Testing
import WeirTestSupport

/// `weir topics`, `weir produce` and `weir consume` against a real broker (Tansu).
@Suite(.serialized, .timeLimit(.minutes(2))) struct ClientCommandTests {
    /// `weir topics describe` against Weir's broker: the topic's own configs, then the
    /// broker's, then a count of those at Kafka's defaults (listed with --all).
    @Test func describeSaysWhereEachConfigComesFrom() throws {
        let broker = try WeirBrokerProcess(arguments: ["--config", "log.segment.bytes=104857600"])
        let bootstrap = ["--bootstrap", broker.bootstrap]
        let created = try runWeir(
            ["topics", "create", "configured", "--partitions", "1", "--config", "retention.ms=3600000"] + bootstrap)
        #expect(created.status == 0, "\(created.error)")
        let describe = try runWeir(["topics", "describe", "configured"] + bootstrap)
        #expect(describe.status == 0, "\(describe.error)")
        #expect(
            describe.output.contains(
                "configs (set on the topic):\n  retention.ms=3600000\nconfigs (set by the broker):\n  segment.bytes=104857600\n"
            ), "\(describe.output)")
        #expect(describe.output.contains("more configs at Kafka's defaults: --all lists them)"), "\(describe.output)")
        let all = try runWeir(["topics", "describe", "configured", "--all"] + bootstrap)
        #expect(all.output.contains("configs (Kafka's defaults):\n"), "\(all.output)")
        #expect(all.output.contains("\n  compression.type=producer\n"), "\(all.output)")
        let refused = try runWeir(
            ["topics", "create", "odd", "--partitions", "1", "--config", "no.such.config=1"] + bootstrap)
        #expect(
            refused.status != 0 && refused.error.contains("unknown topic config name: no.such.config"),
            "\(refused.error)")
    }

    @Test func topicsProduceConsumeRoundTrip() throws {
        let broker = try TansuBroker()
        let bootstrap = ["--bootstrap", broker.bootstrap]
        #expect(
            try runWeir(
                ["topics", "create", "orders", "--partitions", "3", "--config", "retention.ms=3600000"] + bootstrap
            ).status == 0)
        let list = try runWeir(["topics", "list"] + bootstrap)
        #expect(list.status == 0 && list.output.contains("orders\t3 partitions"))
        // --all: Tansu 0.6 reports a topic's own setting as a default (source DEFAULT_CONFIG).
        let describe = try runWeir(["topics", "describe", "orders", "--all"] + bootstrap)
        #expect(describe.output.split(separator: "\n").filter { $0.contains("partition ") }.count == 3)
        #expect(describe.output.contains("retention.ms=3600000"), "\(describe.output)")

        // WEIR_BOOTSTRAP instead of --bootstrap; keys split at the separator; lz4 through -X.
        let lines = (0..<30).map { "user-\($0 % 5)|{\"clicks\":\($0)}" }.joined(separator: "\n") + "\n"
        let produced = try runWeir(
            ["produce", "orders", "--key-separator", "|", "-X", "compression.type=lz4"],
            input: lines, environment: ["WEIR_BOOTSTRAP": broker.bootstrap])
        #expect(produced.status == 0, "\(produced.error)")

        let consumed = try runWeir(
            ["consume", "orders", "--from", "beginning", "--exit", "--format", "%k %s\\n"] + bootstrap)
        #expect(consumed.status == 0)
        let got = Set(consumed.output.split(separator: "\n").map(String.init))
        #expect(got == Set((0..<30).map { "user-\($0 % 5) {\"clicks\":\($0)}" }))

        // librdkafka reads the same 30 messages, each key on the partition murmur2 gives it.
        let read = try TansuBroker.runPeer("librdkafka_peer.py", ["consume", broker.bootstrap, "orders", "30"])
        #expect(read.count == 30)
        for entry in read {
            let key = try #require(entry["key"] as? String)
            #expect(
                entry["partition"] as? Int == Int(Partitioner.partition(forKey: Array(key.utf8), partitionCount: 3)))
        }

        // --count and JSON, on the partition holding user-0's six messages.
        let partition = Partitioner.partition(forKey: Array("user-0".utf8), partitionCount: 3)
        let json = try runWeir(
            [
                "consume", "orders", "--from", "beginning", "--count", "2", "--partition", "\(partition)",
                "--format", "json",
            ] + bootstrap)
        let objects = json.output.split(separator: "\n")
        #expect(objects.count == 2)
        for object in objects {
            let parsed = try #require(try JSONSerialization.jsonObject(with: Data(object.utf8)) as? [String: Any])
            #expect(parsed["topic"] as? String == "orders" && parsed["partition"] as? Int == Int(partition))
        }

        #expect(try runWeir(["topics", "delete", "orders"] + bootstrap).status == 0)
        #expect(try !runWeir(["topics", "list"] + bootstrap).output.contains("orders"))
    }

    @Test func followingStopsCleanlyOnCtrlC() throws {
        let broker = try TansuBroker()
        let bootstrap = ["--bootstrap", broker.bootstrap]
        #expect(try runWeir(["topics", "create", "live"] + bootstrap).status == 0)
        _ = try runWeir(["produce", "live"] + bootstrap, input: "old\n")

        let follower = try RunningWeir(["consume", "live", "--from", "end"] + bootstrap)
        // It reads from the end once it has its partition: a mark written until one is printed
        // says so (marks written before that are behind its start, and not printed).
        var marks = 0
        let live = try waitUntil(timeout: .seconds(30), poll: .milliseconds(1)) {
            marks += 1
            _ = try runWeir(["produce", "live"] + bootstrap, input: "mark\(marks)\n")
            return follower.wait(seconds: 1) { follower.output.contains("mark") }
        }
        #expect(live, "no mark printed: \(follower.error)")
        _ = try runWeir(["produce", "live"] + bootstrap, input: "new1\nnew2\n")
        #expect(follower.wait(seconds: 10) { follower.output.hasSuffix("new1\nnew2\n") }, "\(follower.output)")
        #expect(follower.interrupt() == 0, "weir consume ignored Ctrl-C, or failed: \(follower.error)")
        let printed = follower.output.split(separator: "\n")
        #expect(!printed.contains("old"), "only messages after --from end: \(printed)")
        #expect(printed.suffix(2) == ["new1", "new2"] && printed.dropLast(2).allSatisfy { $0.hasPrefix("mark") })
    }

    @Test func errorsAreOneClearLine() throws {
        let broker = try TansuBroker()
        let bootstrap = ["--bootstrap", broker.bootstrap]
        _ = try runWeir(["topics", "create", "dup"] + bootstrap)
        let duplicate = try runWeir(["topics", "create", "dup"] + bootstrap)
        #expect(duplicate.status != 0 && duplicate.error.contains("TOPIC_ALREADY_EXISTS"))
        let missing = try runWeir(["consume", "nosuch", "--from", "beginning", "-e"] + bootstrap)
        #expect(missing.status != 0 && missing.error.contains("unknown topic or partition: nosuch"))
        let port = try TansuBroker.freePort()
        let dead = try runWeir([
            "topics", "list", "--bootstrap", "127.0.0.1:\(port)", "-X", "socket.connection.setup.timeout.ms=1000",
        ])
        #expect(dead.status != 0 && dead.error.contains("Connection refused"))
        for result in [duplicate, missing, dead] {
            #expect(result.error.split(separator: "\n").count == 1, "\(result.error)")
        }
        let badFrom = try runWeir(["consume", "t", "--from", "yesterday"] + bootstrap)
        #expect(badFrom.status != 0 && badFrom.error.contains("--from must be beginning, end"))
        let badProperty = try runWeir(["produce", "t", "-X", "acks=some"] + bootstrap, input: "x\n")
        #expect(badProperty.status != 0 && badProperty.error.contains("acks must be"))
    }

    @Test func aClientPropertiesFileConfiguresSecurityAndXOverridesIt() throws {
        let brokerPort = try TansuBroker.freePort(), gatewayPort = try TansuBroker.freePort()
        let broker = try TansuBroker(port: brokerPort, advertisedPort: gatewayPort)
        let gateway = try SASLGateway(port: gatewayPort, targetPort: brokerPort, users: ["carol": "pass word"])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("weir-\(UUID().uuidString).properties")
        try """
        # what a Java or librdkafka client would use
        security.protocol=SASL_PLAINTEXT
        sasl.mechanism = SCRAM-SHA-256
        sasl.username=carol
        sasl.password=pass word
        """.write(to: file, atomically: true, encoding: .utf8)
        let bootstrap = ["--bootstrap", "127.0.0.1:\(gateway.port)", "-F", file.path]
        #expect(try runWeir(["topics", "create", "secured"] + bootstrap).status == 0)
        #expect(try runWeir(["produce", "secured"] + bootstrap, input: "hello\n").status == 0)
        let read = try runWeir(["consume", "secured", "--from", "beginning", "--exit"] + bootstrap)
        #expect(read.output == "hello\n", "\(read.error)")
        let refused = try runWeir(["topics", "list", "-X", "sasl.password=nope"] + bootstrap)
        #expect(refused.status == 1)
        #expect(
            refused.error.hasPrefix("Error: authentication with 127.0.0.1:\(gateway.port) failed"), "\(refused.error)")
        #expect(refused.error.split(separator: "\n").count == 1)
        _ = broker
    }

    @Test func kcatAndWeirReadEachOthersMessages() throws {
        let broker = try TansuBroker()
        let bootstrap = ["--bootstrap", broker.bootstrap]
        #expect(try runWeir(["topics", "create", "from-kcat", "--partitions", "3"] + bootstrap).status == 0)
        #expect(try runWeir(["topics", "create", "from-weir", "--partitions", "3"] + bootstrap).status == 0)
        let lines = (0..<24).map { "key-\($0)|value \($0)" }

        // kcat writes keyed messages with a header, lz4, murmur2 like the Java client; Weir reads them as written.
        let written = try Kcat.run(
            [
                "-P", "-b", broker.bootstrap, "-t", "from-kcat", "-K", "|", "-H", "source=kcat", "-z", "lz4",
                "-X", "partitioner=murmur2_random",
            ], input: lines.joined(separator: "\n") + "\n")
        #expect(written.status == 0, "\(written.error)")
        let read = try runWeir(
            ["consume", "from-kcat", "--from", "beginning", "--exit", "--format", "%p|%k|%s|%h\\n"] + bootstrap)
        let expected = Set(
            lines.map { line -> String in
                let key = line.split(separator: "|")[0]
                return "\(Partitioner.partition(forKey: Array(key.utf8), partitionCount: 3))|\(line)|source=kcat"
            })
        #expect(Set(read.output.split(separator: "\n").map(String.init)) == expected)

        // Weir writes keyed messages with zstd; kcat reads the same partitions, offsets, keys and values.
        #expect(
            try runWeir(
                ["produce", "from-weir", "--key-separator", "|", "-X", "compression.type=zstd"] + bootstrap,
                input: lines.joined(separator: "\n") + "\n"
            ).status == 0)
        let format = "%p|%o|%k|%s\\n"
        let byKcat = try Kcat.run([
            "-C", "-b", broker.bootstrap, "-t", "from-weir", "-o", "beginning", "-e", "-q", "-f", format,
        ])
        let byWeir = try runWeir(
            ["consume", "from-weir", "--from", "beginning", "--exit", "--format", format] + bootstrap)
        #expect(byKcat.status == 0, "\(byKcat.error)")
        #expect(Set(byKcat.output.split(separator: "\n")) == Set(byWeir.output.split(separator: "\n")))
        #expect(byKcat.output.split(separator: "\n").count == 24)
    }
}
