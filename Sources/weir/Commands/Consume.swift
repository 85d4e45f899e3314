import ArgumentParser
import Foundation
import KafkaClient
import KafkaProtocol

/// `weir consume T`: print a topic's messages.
struct Consume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a topic's messages.",
        discussion: """
            --format takes kcat's tokens: %t topic, %p partition, %o offset, %k key, %s value, \
            %T timestamp (ms), %h headers (k=v,...), %K key length, %S value length, %% a percent sign, \
            \\n newline, \\t tab. The default is "%s\\n". --format json prints one JSON object per message.
            """
    )
    @OptionGroup var client: ClientOptions
    @Argument(help: "The topic.") var topic: String
    @Option(
        help: """
            Where to start: beginning, end (the default), an OFFSET, or @EPOCH_MS (the first message at or after that time). \
            With --group: where to start in partitions the group has not committed (beginning or end).
            """)
    var from: String?
    @Option(help: "Stop after this many messages.") var count: Int?
    @Option(help: "Read only this partition.") var partition: Int32?
    @Option(
        help: "Read as a member of this consumer group: share the partitions with its other members and commit offsets."
    )
    var group: String?
    @Option(help: "Output format: a kcat-like format string, or json.") var format: String = "%s\\n"
    @Flag(
        name: [.customShort("e"), .customLong("exit")],
        help: "Exit at the end of every partition instead of waiting for more.")
    var exitAtEnd = false

    func validate() throws {
        if let count, count < 0 { throw ValidationError("--count must not be negative") }
        let start = try startSpec()
        if group != nil {
            if partition != nil {
                throw ValidationError("--partition and --group exclude each other: the group assigns partitions")
            }
            if start != .earliest, start != .latest {
                throw ValidationError("with --group, --from is beginning or end")
            }
        }
    }

    func startSpec() throws -> OffsetSpec {
        let from = self.from ?? "end"
        switch from {
        case "beginning", "earliest": return .earliest
        case "end", "latest": return .latest
        default:
            if from.hasPrefix("@"), let milliseconds = Int64(from.dropFirst()) { return .timestamp(milliseconds) }
            if let offset = Int64(from), offset >= 0 { return .offset(offset) }
            throw ValidationError("--from must be beginning, end, an offset or @EPOCH_MS, not '\(from)'")
        }
    }

    func run() async throws {
        let formatter = try MessageFormatter(format)
        let stop = TerminationSignals()
        // Read once: the options are property wrappers, too slow to consult per message.
        let count = self.count, exitAtEnd = self.exitAtEnd
        var client = self.client
        if let group {
            client.properties.append("group.id=\(group)")
            if from != nil {
                client.properties.append("auto.offset.reset=\(try startSpec() == .earliest ? "earliest" : "latest")")
            }
        }
        try await client.withCluster { cluster in
            let consumer = try KafkaConsumer(cluster: cluster)
            if group != nil {
                try await consumer.subscribe(topics: [topic])
            } else {
                try await consumer.assign(topic: topic, partitions: partition.map { [$0] }, from: try startSpec())
            }
            var printed = 0
            var output = OutputBuffer()
            // Ctrl-C ends the loop at the next poll (within fetch.max.wait.ms); what was read is printed.
            while !stop.isRequested, count.map({ printed < $0 }) ?? true {
                // With --exit, stop once every partition is read up to its high watermark.
                if exitAtEnd, await consumer.isAtEnd { break }
                // Each record is written from its batch's bytes; past --count, each partition's
                // first unwritten record is where it goes back to (so a group commits only what was printed).
                var unprinted: [TopicPartition: Int64] = [:]
                for fetched in try await consumer.pollBatches() {
                    let topicName = Array(fetched.topic.utf8)
                    fetched.forEachRecord { record in
                        if let count, printed >= count {
                            let target = TopicPartition(topic: fetched.topic, partition: fetched.partition)
                            if unprinted[target] == nil { unprinted[target] = record.offset }
                            return
                        }
                        formatter.write(record, topic: topicName, partition: fetched.partition, to: &output)
                        printed += 1
                    }
                }
                for (target, offset) in unprinted {
                    try await consumer.seek(topic: target.topic, partition: target.partition, to: .offset(offset))
                }
                output.flush() // once per poll, so a follower sees messages as they come
            }
            output.flush()
            await consumer.close() // a group member commits what was printed and leaves
        }
    }
}
