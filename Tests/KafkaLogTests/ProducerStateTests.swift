import Foundation
import KafkaProtocol
import Testing

@testable import KafkaLog

/// Idempotent producers' sequence numbers, checked where batches are appended.
@Suite struct ProducerStateTests {
    func idempotentBatch(producer: Int64 = 7, epoch: Int16 = 0, sequence: Int32, count: Int = 2) -> [UInt8] {
        var builder = RecordBatchBuilder()
        for index in 0..<count {
            builder.append(timestamp: 1, key: nil as [UInt8]?, value: Array("s\(Int(sequence) + index)".utf8))
        }
        return try! builder.seal(producerId: producer, producerEpoch: epoch, baseSequence: sequence)
    }

    @Test func aRetriedBatchIsAnsweredWithItsFirstOffsetsAndNotWrittenAgain() throws {
        let root = temporaryFolder()
        var log: PartitionLog? = try PartitionLog(creatingIn: root, topic: "t", partition: 0, config: LogConfig())
        try append(idempotentBatch(sequence: 0), to: log!)
        let second = try append(idempotentBatch(sequence: 2), to: log!)
        let retry = try append(idempotentBatch(sequence: 2), to: log!)
        #expect(retry.duplicate && retry.baseOffset == second.baseOffset && retry.lastOffset == second.lastOffset)
        #expect(log!.logEndOffset == 4)

        // A gap, a stale epoch and a stranger mid-sequence are refused.
        #expect(throws: LogError.outOfOrderSequence(expected: 4, received: 6)) {
            try append(idempotentBatch(sequence: 6), to: log!)
        }
        #expect(throws: LogError.unknownProducer) { try append(idempotentBatch(producer: 99, sequence: 5), to: log!) }
        try append(idempotentBatch(epoch: 1, sequence: 0), to: log!) // a new epoch starts again at 0
        #expect(throws: LogError.staleProducerEpoch(current: 1)) {
            try append(idempotentBatch(epoch: 0, sequence: 4), to: log!)
        }
        #expect(log!.logEndOffset == 6)

        // The state comes back from the log after a restart: the retry is still recognised.
        _ = try log!.sync()
        log = nil
        let reopened = try PartitionLog(
            opening: root + "/t-0", topic: "t", partition: 0, config: LogConfig(), logStartOffset: nil)
        #expect(try append(idempotentBatch(epoch: 1, sequence: 0), to: reopened).duplicate)
        #expect(try append(idempotentBatch(epoch: 1, sequence: 2), to: reopened).baseOffset == 6)
        #expect(reopened.largestProducerId == 7)
    }

    @Test func sequencesWrapAfterInt32Max() {
        var table = ProducerStateTable()
        let near = try! RecordBatchHeader.read(idempotentBatch(sequence: Int32.max - 1, count: 3), at: 0)!
        var first = try! RecordBatchHeader.read(idempotentBatch(sequence: 0), at: 0)!
        first.baseSequence = 0
        table.record(first, baseOffset: 0)
        #expect(ProducerStateTable.lastSequence(of: near) == 0) // Int32.max - 1, Int32.max, then 0
        #expect(ProducerStateTable.next(after: Int32.max) == 0)
    }
}
