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
        // Read once: the options are property wrappers, too slow to consult per line.
        let separator = keySeparator.map { Array($0.utf8) }
        let topic = self.topic, partition = self.partition
        try await client.withCluster { cluster in
            let producer = try KafkaProducer(cluster: cluster)
            var lines = LineReader(FileHandle.standardInput)
            var chunk = ProducerRecords(topic: topic, reservingRecords: Self.chunkSize, bytes: Self.chunkSize * 128)
            while let line = lines.next() {
                if let separator, let split = line.firstRange(of: separator) {
                    chunk.append(key: line[..<split.lowerBound], value: line[split.upperBound...], partition: partition)
                } else {
                    chunk.append(key: nil, value: line, partition: partition)
                }
                if chunk.count == Self.chunkSize {
                    try await producer.enqueue(chunk)
                    chunk = ProducerRecords(topic: topic, reservingRecords: Self.chunkSize, bytes: Self.chunkSize * 128)
                }
            }
            try await producer.enqueue(chunk)
            try await producer.flush()
        }
    }

    /// Messages handed to the producer at once: one allocation per chunk, none per message.
    static let chunkSize = 1000
}

/// Lines of a file read in 1 MiB blocks, as byte slices without their newline.
struct LineReader {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false

    init(_ handle: FileHandle) {
        self.handle = handle
    }

    mutating func next() -> ArraySlice<UInt8>? {
        while true {
            if let newline = Self.firstNewline(in: buffer, from: start) {
                var end = newline
                if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = buffer[start..<end]
                start = newline + 1
                return line
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                let line = buffer[start...]
                start = buffer.count
                return line
            }
            let block = handle.readData(ofLength: 1 << 20)
            if block.isEmpty { atEnd = true }
            buffer.removeFirst(start)
            start = 0
            buffer.append(contentsOf: block)
        }
    }

    /// memchr: the C library's vectorised scan.
    private static func firstNewline(in buffer: [UInt8], from start: Int) -> Int? {
        guard start < buffer.count else { return nil }
        return buffer.withUnsafeBytes { bytes in
            memchr(bytes.baseAddress! + start, Int32(UInt8(ascii: "\n")), bytes.count - start)
                .map { bytes.baseAddress!.distance(to: UnsafeRawPointer($0)) }
        }
    }
}
