import Foundation
import KafkaProtocol
import Testing

@testable import KafkaLog

/// This test process's folder for logs, removed when the process exits.
let logScratch: String = {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("weir-log-tests-\(getpid())").path
    atexit {
        try? FileManager.default.removeItem(
            atPath: FileManager.default.temporaryDirectory.appendingPathComponent("weir-log-tests-\(getpid())").path)
    }
    return folder
}()

/// A fresh folder for one test.
func temporaryFolder() -> String {
    let path = logScratch + "/" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A producer's batch of `count` records with values "v<first>"..., timestamps from `timestamp`.
func batch(
    _ first: Int, count: Int = 1, timestamp: Int64 = 1_000, compression: CompressionCodec = .none, valueSize: Int = 0
) -> [UInt8] {
    var builder = RecordBatchBuilder()
    for index in first..<first + count {
        let value = Array("v\(index)".utf8) + [UInt8](repeating: 0x2E, count: valueSize)
        builder.append(timestamp: timestamp + Int64(index), key: nil as [UInt8]?, value: value)
    }
    return try! builder.seal(compression: compression)
}

@discardableResult
func append(_ bytes: [UInt8], to log: PartitionLog, now: Int64 = 5_000) throws -> AppendResult {
    try log.append(
        bytes, headers: try PartitionLog.validate(bytes, maxMessageBytes: log.logConfig.maxMessageBytes), now: now)
}

/// Every record value readable from `offset` to the end, reading `maxBytes` at a time.
func values(_ log: PartitionLog, from offset: Int64, maxBytes: Int = 1 << 20) throws -> [String] {
    var result: [String] = []
    var next = offset
    while next < log.highWatermark {
        let read = try log.read(from: next, maxBytes: maxBytes)
        let set = try RecordSet.decode(read.records)
        #expect(!set.batches.isEmpty, "no progress at \(next)")
        for batch in set.batches {
            for record in batch.records where record.offset >= next {
                result.append(String(decoding: record.value ?? [], as: UTF8.self).prefix { $0 != "." }.description)
            }
            next = batch.nextOffset
        }
    }
    return result
}

@Suite struct PartitionLogTests {
    func smallSegments() throws -> LogConfig {
        try LogConfig(["segment.bytes": "1000", "index.interval.bytes": "150"])
    }

    @Test func appendsGetConsecutiveOffsetsAcrossSegmentsAndReadBack() throws {
        let root = temporaryFolder()
        let log = try PartitionLog(creatingIn: root, topic: "orders", partition: 2, config: try smallSegments())
        for first in stride(from: 0, to: 60, by: 3) {
            let result = try append(batch(first, count: 3, valueSize: 20), to: log)
            #expect(result.baseOffset == Int64(first) && result.lastOffset == Int64(first + 2))
        }
        #expect(log.logEndOffset == 60)
        #expect(log.segmentCount > 3, "1000-byte segments must roll")
        log.advanceHighWatermark(to: log.logEndOffset)
        // From every offset, in small and large reads, the rest of the log in order.
        for start in [0, 1, 2, 3, 29, 30, 44, 59] {
            #expect(try values(log, from: Int64(start), maxBytes: 100).first == "v\(start)")
            #expect(try values(log, from: Int64(start)) == (start..<60).map { "v\($0)" })
        }
        // Kafka's file names and index layouts.
        let names = try FileManager.default.contentsOfDirectory(atPath: root + "/orders-2").sorted()
        #expect(
            names.contains("00000000000000000000.log") && names.contains("00000000000000000000.index")
                && names.contains("00000000000000000000.timeindex"))
        for name in names where name.hasSuffix(".index") {
            #expect(try Data(contentsOf: URL(fileURLWithPath: root + "/orders-2/" + name)).count % 8 == 0)
        }
    }

    @Test func readsStopAtTheHighWatermarkAndOutsideTheLogAreOutOfRange() throws {
        let log = try PartitionLog(creatingIn: temporaryFolder(), topic: "t", partition: 0, config: LogConfig())
        try append(batch(0, count: 2), to: log)
        #expect(
            try log.read(from: 0, maxBytes: 1000).records.isEmpty, "nothing is visible before the high watermark moves")
        log.advanceHighWatermark(to: 2)
        #expect(try RecordSet.decode(log.read(from: 0, maxBytes: 1000).records).records.count == 2)
        #expect(try log.read(from: 2, maxBytes: 1000).records.isEmpty, "the log end is a valid position")
        #expect(throws: LogError.offsetOutOfRange(requested: 3, logStart: 0, logEnd: 2)) {
            try log.read(from: 3, maxBytes: 1000)
        }
        #expect(throws: LogError.self) { try log.read(from: -1, maxBytes: 1000) }
    }

    @Test func aBatchLargerThanTheReadLimitIsStillReturnedWhole() throws {
        let log = try PartitionLog(creatingIn: temporaryFolder(), topic: "t", partition: 0, config: LogConfig())
        try append(batch(0, count: 1, valueSize: 5_000), to: log)
        log.advanceHighWatermark(to: 1)
        let read = try log.read(from: 0, maxBytes: 100)
        #expect(try RecordSet.decode(read.records).records.count == 1)
    }

    @Test func reopeningKeepsEverythingAndRebuildsLostOrDamagedIndexes() throws {
        let root = temporaryFolder()
        var log: PartitionLog? = try PartitionLog(
            creatingIn: root, topic: "t", partition: 0, config: try smallSegments())
        for first in stride(from: 0, to: 40, by: 2) { try append(batch(first, count: 2, valueSize: 30), to: log!) }
        _ = try log!.sync()
        log = nil
        let folder = root + "/t-0"
        let indexes = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".index") }
            .sorted()
        try FileManager.default.removeItem(atPath: folder + "/" + indexes[0]) // lost
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: folder + "/" + indexes[1])) // damaged: not a multiple of 8
        let reopened = try PartitionLog(
            opening: folder, topic: "t", partition: 0, config: try smallSegments(), logStartOffset: nil)
        #expect(reopened.logEndOffset == 40 && reopened.highWatermark == 40 && reopened.recoveredBytes == 0)
        #expect(try values(reopened, from: 7, maxBytes: 150) == (7..<40).map { "v\($0)" })
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + indexes[1])).count % 8 == 0)
    }

    /// Writes 10 batches of 2 records and closes the log; returns the folder and where each batch starts.
    func tenBatches() throws -> (folder: String, starts: [Int]) {
        let root = temporaryFolder()
        let log = try PartitionLog(creatingIn: root, topic: "t", partition: 0, config: LogConfig())
        var starts: [Int] = [], position = 0
        for first in stride(from: 0, to: 20, by: 2) {
            let bytes = batch(first, count: 2)
            try append(bytes, to: log)
            starts.append(position)
            position += bytes.count
        }
        _ = try log.sync()
        return (root + "/t-0", starts + [position])
    }

    @Test func recoveryCutsATornTailAndKeepsEveryIntactBatch() throws {
        let (folder, starts) = try tenBatches()
        let file = folder + "/00000000000000000000.log"
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: file))
        let torn = (starts[9] + starts[10]) / 2 // the last batch half written
        try handle.truncate(atOffset: UInt64(torn))
        try handle.close()
        let log = try PartitionLog(opening: folder, topic: "t", partition: 0, config: LogConfig(), logStartOffset: nil)
        #expect(log.logEndOffset == 18)
        #expect(log.recoveredBytes == torn - starts[9])
        #expect(try values(log, from: 0) == (0..<18).map { "v\($0)" })
        // Appending continues right after the last intact batch.
        #expect(try append(batch(18, count: 2), to: log).baseOffset == 18)
    }

    @Test func recoveryCutsFromTheFirstDamagedBatch() throws {
        let (folder, starts) = try tenBatches()
        let url = URL(fileURLWithPath: folder + "/00000000000000000000.log")
        var bytes = try Data(contentsOf: url)
        bytes[starts[7] + RecordBatchHeader.size + 2] ^= 0xFF // inside batch 7's records: its CRC no longer matches
        try bytes.write(to: url)
        let log = try PartitionLog(opening: folder, topic: "t", partition: 0, config: LogConfig(), logStartOffset: nil)
        #expect(log.logEndOffset == 14)
        #expect(log.recoveredBytes == starts[10] - starts[7])
        #expect(try values(log, from: 0) == (0..<14).map { "v\($0)" })
        // What remains passes a CRC scan.
        let remaining = try Data(contentsOf: url)
        #expect(remaining.count == starts[7])
        #expect(try RecordSet.decode(Array(remaining)).batches.count == 7)
    }

    @Test func badBatchesAreRefusedAndNothingIsStored() throws {
        let log = try PartitionLog(
            creatingIn: temporaryFolder(), topic: "t", partition: 0, config: try LogConfig(["max.message.bytes": "500"])
        )
        var damaged = batch(0, count: 2)
        damaged[damaged.count - 1] ^= 1
        #expect(throws: LogError.self) { try PartitionLog.validate(damaged, maxMessageBytes: 500) }
        #expect(throws: LogError.batchTooLarge(size: batch(0, valueSize: 600).count, limit: 500)) {
            try PartitionLog.validate(batch(0, valueSize: 600), maxMessageBytes: 500)
        }
        #expect(throws: LogError.self) { try PartitionLog.validate(Array(batch(0).dropLast(3)), maxMessageBytes: 500) }
        #expect(throws: LogError.self) { try PartitionLog.validate([], maxMessageBytes: 500) }
        #expect(log.logEndOffset == 0)
    }

    @Test func offsetsByTimestampAreRecordGranularEvenInsideCompressedBatches() throws {
        let log = try PartitionLog(creatingIn: temporaryFolder(), topic: "t", partition: 0, config: try smallSegments())
        // Timestamps 1000 + offset, ten records per lz4 batch.
        for first in stride(from: 0, to: 50, by: 10) {
            try append(batch(first, count: 10, compression: .lz4, valueSize: 10), to: log)
        }
        log.advanceHighWatermark(to: 50)
        #expect(try log.offset(forTimestamp: 0)?.offset == 0)
        #expect(try log.offset(forTimestamp: 1_013)! == (13, 1_013))
        #expect(try log.offset(forTimestamp: 1_049)?.offset == 49)
        #expect(try log.offset(forTimestamp: 1_050) == nil)
    }

    @Test func deleteRecordsAndRetentionMoveTheLogStart() throws {
        let root = temporaryFolder()
        let log = try PartitionLog(creatingIn: root, topic: "t", partition: 0, config: try smallSegments())
        for first in stride(from: 0, to: 40, by: 2) { try append(batch(first, count: 2, valueSize: 30), to: log) }
        log.advanceHighWatermark(to: 40)
        let segments = log.segmentCount
        #expect(try log.deleteRecords(before: 13) == 13)
        #expect(try values(log, from: 13) == (13..<40).map { "v\($0)" })
        #expect(throws: LogError.self) { try log.read(from: 12, maxBytes: 100) }
        #expect(try log.deleteRecords(before: 30) == 30)
        #expect(log.segmentCount < segments, "segments wholly before the start are deleted")
        #expect(try values(log, from: 30) == (30..<40).map { "v\($0)" })
        #expect(throws: LogError.self) { try log.deleteRecords(before: 41) }

    }

    @Test func retentionDeletesTheOldestSegmentsByTimeAndSize() throws {
        let log = try PartitionLog(creatingIn: temporaryFolder(), topic: "t", partition: 0, config: try smallSegments())
        for first in stride(from: 0, to: 80, by: 2) { try append(batch(first, count: 2, valueSize: 30), to: log) }
        log.advanceHighWatermark(to: 80)
        let segments = log.segmentCount
        #expect(segments >= 4)
        // By size: the oldest segments go while the rest is at least retention.bytes.
        log.updateConfig(try LogConfig(["segment.bytes": "1000", "retention.bytes": "1500"]))
        #expect(log.applyRetention(now: 10_000))
        #expect(log.segmentCount < segments && log.sizeInBytes >= 1500)
        #expect(try values(log, from: log.logStartOffset) == (Int(log.logStartOffset)..<80).map { "v\($0)" })
        // By time: record timestamps are 1000 + offset; everything is past one second at t=1,000,000,
        // but the active segment stays.
        log.updateConfig(try LogConfig(["segment.bytes": "1000", "retention.ms": "1000"]))
        #expect(log.applyRetention(now: 1_000_000))
        #expect(log.segmentCount == 1)
        #expect(try values(log, from: log.logStartOffset).last == "v79")
        #expect(!log.applyRetention(now: 1_000_000), "nothing more to delete")
    }

    @Test func theLogStartSurvivesARestartThroughTheCheckpoint() throws {
        let root = temporaryFolder()
        var manager: LogManager? = try LogManager(root: root)
        try manager!.createPartitions(topic: "orders", 0..<2, config: try smallSegments())
        let log = manager!.log(topic: "orders", partition: 1)!
        for first in stride(from: 0, to: 20, by: 2) { try append(batch(first, count: 2, valueSize: 30), to: log) }
        log.advanceHighWatermark(to: 20)
        _ = try log.deleteRecords(before: 7)
        _ = try log.sync()
        try manager!.checkpointLogStartOffsets()
        manager = nil
        let reopened = try LogManager(root: root, configs: ["orders": try smallSegments()])
        #expect(reopened.topics == ["orders"] && reopened.partitions(of: "orders").count == 2)
        #expect(reopened.log(topic: "orders", partition: 1)!.logStartOffset == 7)
        #expect(try values(reopened.log(topic: "orders", partition: 1)!, from: 7) == (7..<20).map { "v\($0)" })
        reopened.deleteTopic("orders")
        #expect(!FileManager.default.fileExists(atPath: root + "/orders-0"))
    }

    @Test func logAppendTimeTopicsStampTheBrokersTime() throws {
        let log = try PartitionLog(
            creatingIn: temporaryFolder(), topic: "t", partition: 0,
            config: try LogConfig(["message.timestamp.type": "LogAppendTime"]))
        #expect(try append(batch(0, count: 3, timestamp: 5), to: log, now: 77_000).logAppendTime == 77_000)
        log.advanceHighWatermark(to: 3)
        let read = try RecordSet.decode(log.read(from: 0, maxBytes: 1000).records) // the CRC was recomputed
        #expect(read.records.map(\.timestamp) == [77_000, 77_000, 77_000])
    }

    @Test func checkpointsUseKafkasTextLayout() {
        let bytes = Checkpoint.encode(["orders 0": 15, "a-b 3": 7])
        #expect(String(decoding: bytes, as: UTF8.self) == "0\n2\na-b 3 7\norders 0 15\n")
        #expect(Checkpoint.decode(bytes) == ["orders 0": 15, "a-b 3": 7])
        #expect(Checkpoint.decode(Array("1\n0\n".utf8)) == nil)
    }
}
