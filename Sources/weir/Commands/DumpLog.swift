import ArgumentParser
import Foundation
import KafkaProtocol

/// Prints the record batches of a Kafka log segment (`00000000000000000000.log`).
struct DumpLog: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump-log",
        abstract: "Print the batches and records of a Kafka .log segment file, checking every CRC."
    )

    @Argument(help: "A segment file, as Kafka or Weir's broker writes it.")
    var file: String

    @Flag(name: .long, help: "Print each record's key, value and headers, not only the batches.")
    var records = false

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CommandFailure("cannot read \(file)")
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
