import ArgumentParser
import DemoData
import Foundation
import KafkaClient

/// `weir demo NAME`: writes one of the seeds' data sets into its topic, live.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Write a demo data set into a topic: payments, words, user-events, recipes or clicks.",
        discussion: """
            payments     seed 001's payment events to payment_msg (20/s)
            words        lines of words to words (5/s)
            user-events  seed 000's six {a, b, c, time} events to user
            recipes      recipe pages as raw HTML to raw_recipes (2/s), for seed 004's pipeline
            clicks       per-user clicks {user, url, ts} to clicks (50/s), for seed 003's top-10
            Event times are the current time (user-events keeps the seed's own), so windows fire as you watch. \
            Runs until --count messages are written or Ctrl-C.
            """
    )

    @OptionGroup var client: ClientOptions
    @Argument(help: "The data set.") var name: String
    @Option(help: "How many messages (default: until Ctrl-C; user-events: the seed's 6).") var count: Int?
    @Option(help: "Messages per second (0: as fast as possible).") var rate: Double?
    @Option(help: "The topic (default: the one the seed uses).") var topic: String?

    func run() async throws {
        guard let stream = DemoStream(rawValue: name) else {
            throw CommandFailure("no demo '\(name)': \(DemoStream.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let topic = self.topic ?? stream.topic
        let rate = self.rate ?? stream.defaultRate
        let count = self.count ?? stream.defaultCount
        let signals = TerminationSignals()
        let outcome = try await client.withCluster { cluster in
            let producer = try KafkaProducer(cluster: cluster)
            FileHandle.standardError.write(
                Data("writing \(stream.rawValue) to \(topic)\(rate > 0 ? " at \(rate)/s" : ""); Ctrl-C stops\n".utf8))
            return try await stream.write(
                to: producer, topic: topic, rate: rate, count: count, shouldStop: { signals.isRequested })
        }
        let delivered = outcome.written - outcome.undelivered
        FileHandle.standardError.write(Data("wrote \(delivered) messages to \(topic)\n".utf8))
        if outcome.undelivered > 0 {
            throw CommandFailure(
                "\(outcome.undelivered) messages were not delivered (the broker did not take them before the stop)")
        }
    }
}
