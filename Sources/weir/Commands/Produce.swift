import ArgumentParser
import Foundation
import KafkaClient

/// `weir produce T`: one message per line of standard input.
struct Produce: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write one message per line of standard input to a topic.",
        discussion: "Producer properties go through -X, e.g. -X compression.type=lz4 -X acks=1 -X linger.ms=10."
    )
    @OptionGroup var client: ClientOptions
    @Argument(help: "The topic.") var topic: String
    @Option(help: "Split each line at the first occurrence of this string into key and value.") var keySeparator: String?
    @Option(help: "Write every message to this partition instead of choosing by key.") var partition: Int32?

    func run() async throws {
        let cluster = try client.cluster()
        try await reportingFailures {
            let producer = try KafkaProducer(cluster: cluster)
            while let line = readLine(strippingNewline: true) {
                var key: [UInt8]?
                var value = Array(line.utf8)
                if let keySeparator, let range = line.range(of: keySeparator) {
                    key = Array(line[..<range.lowerBound].utf8)
                    value = Array(line[range.upperBound...].utf8)
                }
                try await producer.enqueue(ProducerRecord(topic: topic, key: key, value: value, partition: partition))
            }
            try await producer.flush()
        }
        await cluster.close()
    }
}
