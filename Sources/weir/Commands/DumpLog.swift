import ArgumentParser
import Foundation
import KafkaProtocol

/// Prints a Kafka log segment's files: the record batches of a `.log`, the entries of its
/// `.index` and `.timeindex` (as Kafka's DumpLogSegments does).
struct DumpLog: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump-log",
        abstract:
            "Print the batches and records of a Kafka .log segment file, checking every CRC, or the entries of its .index or .timeindex."
    )

    @Argument(help: "A segment file (.log, .index or .timeindex), as Kafka or Weir's broker writes it.")
    var file: String

    @Flag(name: .long, help: "Print each record's key, value and headers, not only the batches.")
    var records = false

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CommandFailure("cannot read \(file)")
        }
        if file.hasSuffix(".index") || file.hasSuffix(".timeindex") {
            return try SegmentIndexDump(path: file, bytes: [UInt8](data)).print()
        }
        let set: RecordSet
        do {
            set = try RecordSet.decode([UInt8](data))
        } catch {
            throw CommandFailure("\(file): \(error)")
        }
        for batch in set.batches {
            print(
                "baseOffset: \(batch.baseOffset) lastOffset: \(batch.lastOffset) count: \(batch.records.count)"
                    + " magic: \(batch.magic) compression: \(batch.compression)"
                    + " producerId: \(batch.producerId) isTransactional: \(batch.isTransactional)"
                    + " isControl: \(batch.isControl) maxTimestamp: \(batch.maxTimestamp)")
            guard records else { continue }
            for record in batch.records {
                let key = record.key.map { String(decoding: $0, as: UTF8.self) } ?? "null"
                let value = record.value.map { String(decoding: $0, as: UTF8.self) } ?? "null"
                let headers = record.headers.map {
                    "\($0.key)=\($0.value.map { String(decoding: $0, as: UTF8.self) } ?? "null")"
                }
                print(
                    "| offset: \(record.offset) timestamp: \(record.timestamp) key: \(key) value: \(value)"
                        + (headers.isEmpty ? "" : " headers: \(headers.joined(separator: ","))"))
            }
        }
        if set.truncatedBytes > 0 {
            print("(\(set.truncatedBytes) bytes at the end do not hold a whole batch)")
        }
    }
}

/// The entries of a segment's `.index` (relative offset, byte position: 8 bytes each) or
/// `.timeindex` (timestamp, relative offset: 12 bytes each), printed with absolute offsets
/// (the segment's base offset is its file name). Entries of an offset index are checked
/// against the `.log` beside it when there is one: each must point at the start of a batch
/// whose last offset it names.
struct SegmentIndexDump {
    let path: String
    let bytes: [UInt8]

    var isTimeIndex: Bool { path.hasSuffix(".timeindex") }
    var entrySize: Int { isTimeIndex ? 12 : 8 }

    func print() throws {
        let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
        guard let baseOffset = Int64(name) else {
            throw CommandFailure("\(path): the file name is not a segment's base offset (like 00000000000000000000)")
        }
        let log = FileManager.default.contents(
            atPath: URL(fileURLWithPath: path).deletingPathExtension().appendingPathExtension("log").path
        ).map { [UInt8]($0) }
        var reader = ByteReader(bytes)
        var problems: [String] = []
        var previous: (timestamp: Int64, offset: Int64)?
        for _ in 0..<(bytes.count / entrySize) {
            if isTimeIndex {
                let timestamp = reader.readInt64()
                let offset = baseOffset + Int64(reader.readInt32())
                Swift.print("timestamp: \(timestamp) offset: \(offset)")
                if let previous, timestamp < previous.timestamp || offset < previous.offset {
                    problems.append("timestamp \(timestamp) at offset \(offset) goes back from the entry before it")
                }
                previous = (timestamp, offset)
            } else {
                let offset = baseOffset + Int64(reader.readInt32())
                let position = Int(reader.readInt32())
                Swift.print("offset: \(offset) position: \(position)")
                if let log, let problem = Self.check(offset: offset, position: position, in: log) {
                    problems.append(problem)
                }
            }
        }
        let rest = bytes.count % entrySize
        if rest > 0 { Swift.print("(\(rest) bytes at the end do not hold a whole \(entrySize)-byte entry)") }
        for problem in problems { Swift.print("mismatch: \(problem)") }
    }

    /// Why the entry (offset, position) does not fit the log, or nil when it does.
    static func check(offset: Int64, position: Int, in log: [UInt8]) -> String? {
        guard position >= 0, position < log.count else {
            return "offset \(offset) points at byte \(position), past the log's \(log.count) bytes"
        }
        guard let header = try? RecordBatchHeader.read(log, at: position) else {
            return "offset \(offset) points at byte \(position), where no batch starts"
        }
        guard header.lastOffset == offset else {
            return "offset \(offset) points at byte \(position), a batch ending at offset \(header.lastOffset)"
        }
        return nil
    }
}
