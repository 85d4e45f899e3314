import Foundation
import Testing

@testable import KafkaProtocol

@Suite struct RecordBatchTests {
    static func sampleRecords(count: Int, seed: UInt64) -> [Record] {
        var random = TestRandom(seed: seed)
        return (0..<count).map { index in
            Record(
                timestamp: 1_700_000_000_000 + Int64(index * 17),
                key: random.oneIn(5) ? nil : Array("key-\(index % 7)".utf8),
                value: random.oneIn(9)
                    ? nil : Array("{\"orderId\":\(index),\"payAmount\":\(random.next() % 10000)}".utf8),
                headers: random.oneIn(3)
                    ? [
                        RecordHeader(key: "trace", value: random.bytes()),
                        RecordHeader(key: "nil", value: nil as [UInt8]?),
                    ] : []
            )
        }
    }

    @Test(arguments: CompressionCodec.allCases)
    func roundTripsWithEachCodec(codec: CompressionCodec) throws {
        let records = Self.sampleRecords(count: 300, seed: UInt64(codec.rawValue))
        let batch = RecordBatch(
            records: records, baseOffset: 1000, compression: codec,
            producerId: 42, producerEpoch: 3, baseSequence: 77)
        let bytes = try batch.encoded()
        let decoded = try #require(try RecordBatch.decodeV2(bytes, at: 0))
        #expect(decoded == batch)
        #expect(decoded.records.first?.offset == 1000 && decoded.lastOffset == 1299)
        #expect(decoded.producerId == 42 && decoded.producerEpoch == 3 && decoded.baseSequence == 77)
        #expect(try decoded.encoded() == bytes || codec != .none)
    }

    /// The consumer's views of batches read the records that decoding reads: every codec,
    /// null keys and values, headers, a legacy message, records before a start offset left
    /// out; a cut tail is left off and damage is an error, as in `RecordSet.decode`.
    @Test func viewsReadWhatDecodingReads() throws {
        var bytes: [UInt8] = []
        for (index, codec) in CompressionCodec.allCases.enumerated() {
            bytes += try RecordBatch(
                records: Self.sampleRecords(count: 50, seed: UInt64(10 + index)), baseOffset: Int64(index * 50),
                compression: codec
            ).encoded()
        }
        bytes += LegacyEncoder.message(offset: 500, magic: 1, timestamp: 5, key: Array("k".utf8), value: nil)
        let decoded = try RecordSet.decode(bytes).batches.flatMap(\.records)
        let views = try RecordSet.decodeViews(bytes)
        #expect(views.count == CompressionCodec.allCases.count + 1)
        #expect(views.flatMap(\.records) == decoded)
        var offsets: [Int64] = [], keys: [[UInt8]?] = [], values: [[UInt8]?] = [], headers: [[RecordHeader]] = []
        for view in views {
            view.forEachRecord(from: 120) { record in
                offsets.append(record.offset)
                keys.append(record.keyRange.map { Array(record.bytes[$0]) })
                values.append(record.valueRange.map { Array(record.bytes[$0]) })
                headers.append(record.headers)
            }
        }
        let expected = decoded.filter { $0.offset >= 120 }
        #expect(offsets == expected.map(\.offset) && headers == expected.map(\.headers))
        #expect(
            keys == expected.map { $0.key.map { Array($0) } } && values == expected.map { $0.value.map { Array($0) } })
        #expect(try RecordSet.decodeViews(Array(bytes.dropLast(3))).count == views.count - 1)
        var damaged = bytes
        damaged[100] ^= 0x10
        #expect(throws: ProtocolError.self) { _ = try RecordSet.decodeViews(damaged) }
    }

    @Test func headerReadsWithoutTheRecords() throws {
        let batch = RecordBatch(records: Self.sampleRecords(count: 5, seed: 1), baseOffset: 50)
        let bytes = try batch.encoded()
        let header = try #require(try RecordBatchHeader.read(bytes, at: 0))
        #expect(header.totalSize == bytes.count && header.recordCount == 5 && header.lastOffset == 54)
        #expect(header.crc == CRC32C.checksum(bytes[21...]))
    }

    @Test func corruptionIsDetected() throws {
        let bytes = try RecordBatch(records: Self.sampleRecords(count: 20, seed: 2)).encoded()
        // Any flipped bit in the CRC'd region is a checksum mismatch.
        var random = TestRandom(seed: 9)
        for _ in 0..<200 {
            var damaged = bytes
            let index =
                RecordBatchHeader.crcStart + Int(random.next() % UInt64(bytes.count - RecordBatchHeader.crcStart))
            damaged[index] ^= 1 << UInt8(random.next() % 8)
            #expect(throws: ProtocolError.self) { _ = try RecordBatch.decodeV2(damaged, at: 0) }
        }
        // The leader epoch is outside the CRC: stamping it keeps the batch valid.
        var stamped = bytes
        stamped.replaceSubrange(12..<16, with: [0, 0, 0, 9])
        #expect(try RecordBatch.decodeV2(stamped, at: 0)?.partitionLeaderEpoch == 9)
    }

    @Test func aTruncatedTailIsNotAnError() throws {
        let first = try RecordBatch(records: Self.sampleRecords(count: 10, seed: 3), baseOffset: 0).encoded()
        let second = try RecordBatch(records: Self.sampleRecords(count: 10, seed: 4), baseOffset: 10).encoded()
        let whole = first + second
        for cut in stride(from: first.count, to: whole.count, by: 7) {
            let set = try RecordSet.decode(Array(whole[0..<cut]))
            #expect(set.batches.count == 1 && set.truncatedBytes == cut - first.count)
        }
        #expect(try RecordSet.decode(whole).records.count == 20)
    }

    @Test func damagedRecordsInsideAValidCRC() throws {
        // A batch whose CRC is right but whose records lie about their lengths.
        var batch = RecordBatch(records: Self.sampleRecords(count: 3, seed: 5))
        batch.records[1].value = Array(repeating: 0x41, count: 10)[...]
        var bytes = try batch.encoded()
        bytes[RecordBatchHeader.size] = 0x7F // first record's length varint: 63, more than is there
        let crc = CRC32C.checksum(bytes[21...])
        withUnsafeBytes(of: crc.bigEndian) { for index in 0..<4 { bytes[17 + index] = $0[index] } }
        #expect(throws: ProtocolError.self) { _ = try RecordBatch.decodeV2(bytes, at: 0) }
    }

    @Test func logAppendTimeReplacesRecordTimestamps() throws {
        var batch = RecordBatch(records: Self.sampleRecords(count: 4, seed: 6))
        batch.attributes = RecordBatchAttributes(timestampType: .logAppendTime)
        batch.maxTimestamp = 1_800_000_000_000
        let decoded = try #require(try RecordBatch.decodeV2(try batch.encoded(), at: 0))
        #expect(decoded.records.allSatisfy { $0.timestamp == 1_800_000_000_000 })
    }

    @Test func controlBatchesAreMarkedAndSkipped() throws {
        let marker = Record(
            timestamp: 5, key: ControlRecord.markerKey(.commit),
            value: ControlRecord.markerValue(coordinatorEpoch: 2))
        let control = try RecordBatch(
            records: [marker], baseOffset: 3, producerId: 9, producerEpoch: 0,
            isTransactional: true, isControl: true
        ).encoded()
        let data = try RecordBatch(
            records: Self.sampleRecords(count: 3, seed: 7), baseOffset: 0, producerId: 9,
            producerEpoch: 0, baseSequence: 0, isTransactional: true
        ).encoded()
        let set = try RecordSet.decode(data + control)
        #expect(set.batches.count == 2 && set.batches[1].isControl && set.batches[1].isTransactional)
        #expect(ControlRecord(key: set.batches[1].records[0].key)?.kind == .commit)
        #expect(set.records.count == 3, "control records are not handed to applications")
    }

    // MARK: Legacy message sets

    @Test func readsMagicZeroAndOne() throws {
        let messages = [
            LegacyEncoder.message(offset: 0, magic: 0, timestamp: nil, key: Array("a".utf8), value: Array("zero".utf8)),
            LegacyEncoder.message(
                offset: 1, magic: 1, timestamp: 1_500_000_000_000, key: nil, value: Array("one".utf8)),
        ]
        let set = try RecordSet.decode(messages.flatMap { $0 })
        #expect(set.batches.map(\.magic) == [0, 1])
        #expect(set.records.map(\.offset) == [0, 1])
        #expect(set.records[0].timestamp == -1 && set.records[1].timestamp == 1_500_000_000_000)
        #expect(set.records[1].key == nil && set.records[1].value.map { Array($0) } == Array("one".utf8))
    }

    @Test(arguments: [CompressionCodec.gzip, .snappy, .lz4])
    func readsCompressedLegacyWrappers(codec: CompressionCodec) throws {
        // Magic 1: inner offsets are relative; the wrapper holds the last absolute offset.
        let inner = (0..<5).flatMap { index in
            LegacyEncoder.message(
                offset: Int64(index), magic: 1, timestamp: 1000 + Int64(index), key: nil,
                value: Array("m\(index)".utf8))
        }
        let wrapper = LegacyEncoder.message(
            offset: 104, magic: 1, timestamp: 1004, key: nil,
            value: try codec.compress(inner), attributes: codec.rawValue)
        let batch = try #require(try RecordSet.decode(wrapper).batches.first)
        #expect(batch.records.map(\.offset) == [100, 101, 102, 103, 104])
        #expect(batch.records.map { String(decoding: $0.value!, as: UTF8.self) } == ["m0", "m1", "m2", "m3", "m4"])
        #expect(batch.compression == codec)
    }

    static let writtenLegacyCases: [(Int8, CompressionCodec)] = [0, 1].flatMap { magic in
        CompressionCodec.allCases.map { (Int8(magic), $0) }
    }

    /// What a broker hands a Fetch v0–v3 reader: a batch's records as messages of magic 0 or 1,
    /// read back whole — offsets with a compaction gap, keys, values, timestamps (magic 1) —
    /// with the codecs the old formats cannot carry written plain.
    @Test(arguments: writtenLegacyCases)
    func writesMagicZeroAndOne(magic: Int8, codec: CompressionCodec) throws {
        let records = [100, 101, 103].map { offset in
            Record(
                offset: Int64(offset), timestamp: 1_600_000_000_000 + Int64(offset), key: Array("k\(offset)".utf8)[...],
                value: offset == 101 ? nil : Array("v\(offset)".utf8)[...],
                headers: [RecordHeader(key: "dropped", value: [1])])
        }
        let batch = RecordBatch(
            baseOffset: 100, attributes: RecordBatchAttributes(compression: codec), lastOffsetDelta: 3,
            baseTimestamp: 1_600_000_000_100, maxTimestamp: 1_600_000_000_103, records: records)
        var writer = ByteWriter()
        try LegacyMessageSet.write(batch, magic: magic, to: &writer)
        let read = try RecordSet.decode(writer.bytes)
        #expect(read.truncatedBytes == 0)
        #expect(read.batches.allSatisfy { $0.magic == magic })
        let carried: CompressionCodec = codec == .zstd || (codec == .lz4 && magic == 0) ? .none : codec
        #expect(read.batches.map(\.compression) == (carried == .none ? [.none, .none, .none] : [carried]))
        #expect(read.records.map(\.offset) == [100, 101, 103])
        #expect(read.records.map { $0.key.map { String(decoding: $0, as: UTF8.self) } } == ["k100", "k101", "k103"])
        #expect(read.records.map { $0.value.map { String(decoding: $0, as: UTF8.self) } } == ["v100", nil, "v103"])
        #expect(read.records.map(\.timestamp) == (magic == 1 ? records.map(\.timestamp) : [-1, -1, -1]))
        #expect(read.records.allSatisfy { $0.headers.isEmpty })
    }

    @Test func legacyCRCIsChecked() throws {
        var message = LegacyEncoder.message(offset: 0, magic: 1, timestamp: 1, key: nil, value: Array("x".utf8))
        message[message.count - 1] ^= 0xFF
        #expect(throws: ProtocolError.self) { _ = try RecordSet.decode(message) }
    }
}

/// Writes legacy messages for the tests, field by field, apart from `LegacyMessageSet.write`.
enum LegacyEncoder {
    static func message(
        offset: Int64, magic: Int8, timestamp: Int64?, key: [UInt8]?, value: [UInt8]?,
        attributes: Int8 = 0
    ) -> [UInt8] {
        var body = ByteWriter()
        body.writeInt8(magic)
        body.writeInt8(attributes)
        if magic == 1 { body.writeInt64(timestamp ?? -1) }
        body.writeNullableBytes(key, compact: false)
        body.writeNullableBytes(value, compact: false)
        var message = ByteWriter()
        message.writeInt64(offset)
        message.writeInt32(Int32(4 + body.count))
        message.writeUInt32(CRC32.checksum(body.bytes))
        message.writeRawBytes(body.bytes)
        return message.bytes
    }
}

/// Message sets written by kafka-python's legacy builder (Tests/capture/legacy_fixtures.py).
@Suite struct LegacyFixtureTests {
    @Test(arguments: ["magic0-none", "magic0-gzip", "magic1-none", "magic1-gzip"])
    func readsWhatKafkaPythonWrote(name: String) throws {
        let url = Fixtures.directory.appendingPathComponent("legacy/\(name).bin")
        let set = try RecordSet.decode([UInt8](try Data(contentsOf: url)))
        let records = set.records
        if name == "magic1-gzip" {
            // A producer leaves the wrapper's offset at 0 for the broker to fill in with the
            // absolute offset of the last inner message; inner offsets count back from it.
            #expect(records.map(\.offset) == [-4, -3, -2, -1, 0])
            var stamped = [UInt8](try Data(contentsOf: url))
            withUnsafeBytes(of: Int64(104).bigEndian) { stamped.replaceSubrange(0..<8, with: $0) }
            #expect(try RecordSet.decode(stamped).records.map(\.offset) == [100, 101, 102, 103, 104])
        } else {
            #expect(records.map(\.offset) == [0, 1, 2, 3, 4])
        }
        #expect(records.map { String(decoding: $0.key!, as: UTF8.self) } == ["k0", "k1", "k2", "k3", "k4"])
        #expect(records.map { String(decoding: $0.value!, as: UTF8.self) } == ["v0", "v1", "v2", "v3", "v4"])
        let magic: Int8 = name.hasPrefix("magic0") ? 0 : 1
        #expect(set.batches.allSatisfy { $0.magic == magic })
        #expect(
            records.map(\.timestamp) == (magic == 1 ? (0..<5).map { 1_600_000_000_000 + $0 } : [-1, -1, -1, -1, -1]))
        #expect(set.batches.count == (name.hasSuffix("gzip") ? 1 : 5))
        #expect(set.truncatedBytes == 0)
    }
}
