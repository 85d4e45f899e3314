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
    @Option(help: """
        Where to start: beginning, end (the default), an OFFSET, or @EPOCH_MS (the first message at or after that time). \
        With --group: where to start in partitions the group has not committed (beginning or end).
        """)
    var from: String?
    @Option(help: "Stop after this many messages.") var count: Int?
    @Option(help: "Read only this partition.") var partition: Int32?
    @Option(help: "Read as a member of this consumer group: share the partitions with its other members and commit offsets.")
    var group: String?
    @Option(help: "Output format: a kcat-like format string, or json.") var format: String = "%s\\n"
    @Flag(name: [.customShort("e"), .customLong("exit")], help: "Exit at the end of every partition instead of waiting for more.")
    var exitAtEnd = false

    func validate() throws {
        if let count, count < 0 { throw ValidationError("--count must not be negative") }
        let start = try startSpec()
        if group != nil {
            if partition != nil { throw ValidationError("--partition and --group exclude each other: the group assigns partitions") }
            if start != .earliest, start != .latest { throw ValidationError("with --group, --from is beginning or end") }
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
        let stop = StopSignal()
        var client = self.client
        if let group {
            client.properties.append("group.id=\(group)")
            if from != nil { client.properties.append("auto.offset.reset=\(try startSpec() == .earliest ? "earliest" : "latest")") }
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
                let records = try await consumer.poll()
                for (index, record) in records.enumerated() {
                    if let count, printed >= count {
                        try await Self.giveBack(records[index...], to: consumer)
                        break
                    }
                    formatter.write(record, to: &output)
                    printed += 1
                }
                output.flush() // once per poll, so a follower sees messages as they come
            }
            output.flush()
            await consumer.close() // a group member commits what was printed and leaves
        }
    }
}

extension Consume {
    /// Moves each partition back to its first record that was read but not printed, so
    /// the group's commit at close covers only what was printed.
    static func giveBack(_ unprinted: ArraySlice<ConsumerRecord>, to consumer: KafkaConsumer) async throws {
        var first: [TopicPartition: Int64] = [:]
        for record in unprinted {
            let target = TopicPartition(topic: record.topic, partition: record.partition)
            first[target] = min(first[target] ?? record.offset, record.offset)
        }
        for (target, offset) in first {
            try await consumer.seek(topic: target.topic, partition: target.partition, to: .offset(offset))
        }
    }
}

/// Renders messages with a kcat-like format string, or as JSON lines.
struct MessageFormatter {
    private enum Piece { case text(String), topic, partition, offset, key, value, timestamp, headers, keyLength, valueLength }
    private let pieces: [Piece]
    private let json: Bool

    init(_ format: String) throws {
        json = format == "json"
        var pieces: [Piece] = []
        var text = ""
        var characters = format.makeIterator()
        while let character = characters.next() {
            switch character {
            case "%":
                guard let token = characters.next() else { throw ValidationError("--format ends with a lone %") }
                let piece: Piece?
                switch token {
                case "t": piece = .topic
                case "p": piece = .partition
                case "o": piece = .offset
                case "k": piece = .key
                case "s": piece = .value
                case "T": piece = .timestamp
                case "h": piece = .headers
                case "K": piece = .keyLength
                case "S": piece = .valueLength
                case "%": text.append("%"); piece = nil
                default: throw ValidationError("--format: unknown token %\(token)")
                }
                if let piece {
                    if !text.isEmpty { pieces.append(.text(text)); text = "" }
                    pieces.append(piece)
                }
            case "\\":
                switch characters.next() {
                case "n": text.append("\n")
                case "t": text.append("\t")
                case "\\": text.append("\\")
                case let other?: text.append("\\"); text.append(other)
                case nil: text.append("\\")
                }
            default:
                text.append(character)
            }
        }
        if !text.isEmpty { pieces.append(.text(text)) }
        self.pieces = pieces
    }

    func write(_ record: ConsumerRecord, to output: inout OutputBuffer) {
        var line = ""
        if json {
            line = jsonLine(record) + "\n"
        } else {
            for piece in pieces {
                switch piece {
                case let .text(text): line += text
                case .topic: line += record.topic
                case .partition: line += String(record.partition)
                case .offset: line += String(record.offset)
                case .key: line += record.key.map { String(decoding: $0, as: UTF8.self) } ?? ""
                case .value: line += record.value.map { String(decoding: $0, as: UTF8.self) } ?? ""
                case .timestamp: line += String(record.timestamp)
                case .headers:
                    line += record.headers.map { "\($0.key)=\($0.value.map { String(decoding: $0, as: UTF8.self) } ?? "")" }
                        .joined(separator: ",")
                case .keyLength: line += String(record.key?.count ?? -1)
                case .valueLength: line += String(record.value?.count ?? -1)
                }
            }
        }
        output.append(line)
    }

    private func jsonLine(_ record: ConsumerRecord) -> String {
        func quoted(_ bytes: ArraySlice<UInt8>?) -> String {
            guard let bytes else { return "null" }
            return jsonString(String(decoding: bytes, as: UTF8.self))
        }
        let headers = record.headers.map { "[\(jsonString($0.key)),\(quoted($0.value))]" }.joined(separator: ",")
        return "{\"topic\":\(jsonString(record.topic)),\"partition\":\(record.partition),\"offset\":\(record.offset),"
            + "\"timestamp\":\(record.timestamp),\"key\":\(quoted(record.key)),\"value\":\(quoted(record.value)),"
            + "\"headers\":[\(headers)]}"
    }

    private func jsonString(_ text: String) -> String {
        var escaped = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            case _ where scalar.value < 0x20: escaped += String(format: "\\u%04x", scalar.value)
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped + "\""
    }
}

/// Standard output gathered into large writes (one system call per flush, not per message).
struct OutputBuffer {
    private var bytes: [UInt8] = []

    mutating func append(_ text: String) {
        bytes.append(contentsOf: text.utf8)
        if bytes.count >= 1 << 16 { flush() }
    }

    mutating func flush() {
        guard !bytes.isEmpty else { return }
        FileHandle.standardOutput.write(Data(bytes))
        bytes.removeAll(keepingCapacity: true)
    }
}
