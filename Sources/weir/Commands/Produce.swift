import ArgumentParser
import Foundation
import KafkaClient
import Synchronization

/// `weir produce T`: one message per line of standard input.
struct Produce: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write one message per line of standard input to a topic.",
        discussion: "Producer properties go through -X, e.g. -X compression.type=lz4 -X acks=1 -X linger.ms=10."
    )
    @OptionGroup var client: ClientOptions
    @Argument(help: "The topic.") var topic: String
    @Option(help: "Split each line at the first occurrence of this string into key and value.") var keySeparator:
        String?
    @Option(help: "Write every message to this partition instead of choosing by key.") var partition: Int32?

    func run() async throws {
        // Read once: the options are property wrappers, too slow to consult per line.
        let separator = keySeparator.map { Array($0.utf8) }
        let topic = self.topic, partition = self.partition
        let signals = TerminationSignals()
        let queued = QueuedCount()
        try await client.withCluster { cluster in
            let producer = try KafkaProducer(cluster: cluster)
            // Ctrl-C or SIGTERM while standard input is open (or the broker away): what is queued
            // gets a moment to go out, then the command ends and says what did not.
            signals.onRequest {
                Task {
                    let undelivered = await producer.flush(within: .milliseconds(1500))
                    let written = max(0, queued.value - undelivered)
                    FileHandle.standardError.write(
                        Data(
                            ("stopped: \(written) messages written"
                                + (undelivered > 0
                                    ? ", \(undelivered) not delivered (the broker did not take them)" : "") + "\n").utf8
                        ))
                    Foundation.exit(undelivered > 0 ? 1 : 130)
                }
            }
            var lines = LineReader(FileHandle.standardInput)
            var chunk = ProducerRecords(topic: topic, reservingRecords: Self.chunkSize, bytes: Self.chunkSize * 128)
            while true {
                // Before waiting for more input, what was read goes out (lines typed by hand too).
                if !lines.hasBufferedLine, chunk.count > 0 {
                    try await producer.enqueue(chunk)
                    queued.add(chunk.count)
                    chunk = ProducerRecords(topic: topic, reservingRecords: Self.chunkSize, bytes: Self.chunkSize * 128)
                }
                guard let line = lines.next() else { break }
                if let separator, let split = line.firstRange(of: separator) {
                    chunk.append(key: line[..<split.lowerBound], value: line[split.upperBound...], partition: partition)
                } else {
                    chunk.append(key: nil, value: line, partition: partition)
                }
                if chunk.count == Self.chunkSize {
                    try await producer.enqueue(chunk)
                    queued.add(chunk.count)
                    chunk = ProducerRecords(topic: topic, reservingRecords: Self.chunkSize, bytes: Self.chunkSize * 128)
                }
            }
            try await producer.enqueue(chunk)
            queued.add(chunk.count)
            try await producer.flush()
        }
        withExtendedLifetime(signals) {}
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

    /// Whether `next` has a whole line without reading (else it may wait for input).
    var hasBufferedLine: Bool { atEnd || Self.firstNewline(in: buffer, from: start) != nil }

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
            buffer.removeFirst(start)
            start = 0
            // One read: what the input has now (a pipe or a terminal gives lines as they come).
            let old = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: 1 << 20))
            var count = 0
            repeat {
                count = buffer.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress! + old, 1 << 20) }
            } while count < 0 && errno == EINTR
            buffer.removeLast((1 << 20) - max(count, 0))
            if count <= 0 { atEnd = true }
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

/// Messages handed to the producer so far (read by the signal's handler on another thread).
final class QueuedCount: Sendable {
    private let count = Atomic<Int>(0)

    func add(_ more: Int) { count.add(more, ordering: .relaxed) }
    var value: Int { count.load(ordering: .relaxed) }
}
