import Foundation
import KafkaClient
import Testing
import WeirTestSupport

/// `weir consume --group` and `weir groups` against a real broker (Tansu).
@Suite(.serialized, .loadSensitive, .timeLimit(.minutes(5))) struct GroupCommandTests {
    @Test func groupConsumeCommitsWhatItPrintedAndGroupsDescribeShowsTheLag() throws {
        let broker = try TansuBroker()
        let bootstrap = ["--bootstrap", broker.bootstrap]
        // A short session: Tansu holds a new group's first join for half of it.
        let member = ["-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500"]
        #expect(try runWeir(["topics", "create", "lagged", "--partitions", "2"] + bootstrap).status == 0)
        // One batch per message (batch.size=1): Tansu's log end is only right at batch boundaries.
        let oneByOne = ["-X", "batch.size=1"]
        #expect(
            try runWeir(["produce", "lagged", "--partition", "0"] + oneByOne + bootstrap, input: "a\nb\nc\nd\ne\nf\n")
                .status == 0)
        #expect(
            try runWeir(["produce", "lagged", "--partition", "1"] + oneByOne + bootstrap, input: "g\nh\ni\nj\n").status
                == 0)

        // Five of the ten, committed at close: exactly those five, not the whole fetched batch.
        let first = try runWeir(
            ["consume", "lagged", "--group", "readers", "--from", "beginning", "--count", "5"] + member + bootstrap)
        #expect(first.status == 0, "\(first.error)")
        #expect(first.output.split(separator: "\n").count == 5)

        let list = try runWeir(["groups", "list"] + bootstrap)
        #expect(
            list.status == 0 && list.output.split(separator: "\n").contains { $0.hasPrefix("readers\t") },
            "\(list.output)")
        let describe = try runWeir(["groups", "describe", "readers"] + bootstrap)
        #expect(describe.status == 0, "\(describe.error)")
        #expect(describe.output.contains("total lag 5"), "\(describe.output)")
        let committedRows = describe.output.split(separator: "\n").filter { $0.hasPrefix("lagged\t") }
        let committed = committedRows.compactMap { Int($0.split(separator: "\t")[2]) }.reduce(0, +)
        #expect(committed == 5, "\(describe.output)")

        // The group goes on where it stopped: the other five, none twice.
        let second = try runWeir(["consume", "lagged", "--group", "readers", "--exit"] + member + bootstrap)
        #expect(second.status == 0, "\(second.error)")
        let all = Set((first.output + second.output).split(separator: "\n").map(String.init))
        #expect(all == Set(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]))
        #expect(second.output.split(separator: "\n").count == 5)
        #expect(try runWeir(["groups", "describe", "readers"] + bootstrap).output.contains("total lag 0"))

        // Misuse is one clear line.
        let bad = try runWeir(["consume", "lagged", "--group", "readers", "--partition", "0"] + bootstrap)
        #expect(bad.status != 0 && bad.error.contains("--partition and --group"), "\(bad.error)")
    }

    @Test func aKilledMembersPartitionsMoveToTheSurvivorAfterItsSessionTimeout() async throws {
        let broker = try TansuBroker()
        let setup = try KafkaCluster(config: broker.config)
        try await KafkaAdmin(cluster: setup).createTopic("work", partitions: 4)
        let groupSettings = [
            "session.timeout.ms": "6000", "heartbeat.interval.ms": "300", "fetch.max.wait.ms": "200",
            "max.poll.interval.ms": "10000",
        ]

        // One member in another process, as a user would run it.
        let other = Process()
        other.executableURL = try weirBinary()
        other.arguments =
            ["consume", "work", "--group", "workers", "--bootstrap", broker.bootstrap]
            + groupSettings.flatMap { ["-X", "\($0.key)=\($0.value)"] }
        other.standardOutput = FileHandle.nullDevice
        other.standardError = FileHandle.nullDevice
        try other.run()
        defer { if other.isRunning { kill(other.processIdentifier, SIGKILL) } }

        var config = broker.config
        config["group.id"] = "workers"
        for (key, value) in groupSettings { config[key] = value }
        let cluster = try KafkaCluster(config: config)
        let survivor = try KafkaConsumer(cluster: cluster)
        try await survivor.subscribe(topics: ["work"])

        // Both members hold two partitions each.
        var deadline = Date().addingTimeInterval(30)
        while await survivor.assignment.count != 2, Date() < deadline { _ = try await survivor.poll() }
        #expect(await survivor.assignment.count == 2)

        // The other member dies without leaving; after its session timeout the survivor has all four.
        kill(other.processIdentifier, SIGKILL)
        let killed = Date()
        deadline = killed.addingTimeInterval(30)
        while await survivor.assignment.count != 4, Date() < deadline { _ = try await survivor.poll() }
        #expect(await survivor.assignment.count == 4)
        let waited = Date().timeIntervalSince(killed)
        #expect(waited < 6 + 10, "took \(waited) s")
        await survivor.close()
        await cluster.close()
        await setup.close()
    }
}
