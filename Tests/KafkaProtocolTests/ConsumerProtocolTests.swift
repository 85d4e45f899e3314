import KafkaProtocol
import Testing

/// The consumer protocol's subscription and assignment bytes, and the batch builder producers use.
@Suite struct ConsumerProtocolTests {
    @Test func subscriptionsRoundTripInEveryVersion() throws {
        for version: Int16 in 0...3 {
            var subscription = ConsumerProtocolSubscription(
                version: version, topics: ["a", "payments"], userData: [1, 2])
            if version >= 1 { subscription.ownedPartitions = [TopicPartitions(topic: "a", partitions: [0, 3])] }
            if version >= 2 { subscription.generationId = 7 }
            if version >= 3 { subscription.rackId = "rack-1" }
            #expect(try ConsumerProtocolSubscription.decode(subscription.encoded()) == subscription)
        }
    }

    @Test func theBytesAreKafkasLayout() {
        // version 0, one topic "t", null user data: written out by hand from the layout.
        let bytes = ConsumerProtocolSubscription(version: 0, topics: ["t"]).encoded()
        #expect(bytes == [0, 0, 0, 0, 0, 1, 0, 1, UInt8(ascii: "t"), 0xFF, 0xFF, 0xFF, 0xFF])
        let assignment = ConsumerProtocolAssignment(
            version: 0, assignedPartitions: [TopicPartitions(topic: "t", partitions: [2])])
        #expect(
            assignment.encoded() == [
                0, 0, 0, 0, 0, 1, 0, 1, UInt8(ascii: "t"), 0, 0, 0, 1, 0, 0, 0, 2, 0xFF, 0xFF, 0xFF, 0xFF,
            ])
    }

    @Test func newerVersionsWithTrailingFieldsStillDecode() throws {
        // A peer speaking a later version may append fields this reader does not know.
        let bytes = ConsumerProtocolSubscription(version: 3, topics: ["x"], rackId: "r").encoded() + [9, 9, 9]
        #expect(try ConsumerProtocolSubscription.decode(bytes).topics == ["x"])
    }

    @Test func anEmptyAssignmentIsNoPartitionsAndDamageIsAnError() throws {
        #expect(try ConsumerProtocolAssignment.decode([]).assignedPartitions.isEmpty)
        let bytes = ConsumerProtocolAssignment(assignedPartitions: [TopicPartitions(topic: "t", partitions: [1, 2])])
            .encoded()
        for cut in 1..<bytes.count - 4 {
            #expect(throws: ProtocolError.self) { try ConsumerProtocolAssignment.decode(Array(bytes[..<cut])) }
        }
    }

    @Test func theBuilderWritesWhatRecordBatchWrites() throws {
        let records = (0..<50).map { index in
            Record(
                timestamp: 1_700_000_000_000 + Int64(index * 3), key: index % 7 == 0 ? nil : Array("k\(index)".utf8),
                value: index % 11 == 0 ? nil : Array(repeating: UInt8(index), count: index * 5),
                headers: index % 5 == 0 ? [RecordHeader(key: "h", value: Array("v\(index)".utf8))] : [])
        }
        for codec in CompressionCodec.allCases {
            var builder = RecordBatchBuilder(capacity: 64)
            for record in records {
                builder.append(
                    timestamp: record.timestamp, key: record.key, value: record.value, headers: record.headers)
            }
            let built = try builder.seal(compression: codec, producerId: 42, producerEpoch: 3, baseSequence: 100)
            #expect(builder.isEmpty)
            let decoded = try #require(try RecordBatch.decodeV2(built, at: 0))
            #expect(decoded.records == RecordBatch(records: records).records, "\(codec)")
            #expect(decoded.producerId == 42 && decoded.producerEpoch == 3 && decoded.baseSequence == 100)
            #expect(decoded.compression == codec && decoded.lastOffsetDelta == 49)
            #expect(decoded.maxTimestamp == 1_700_000_000_000 + 49 * 3)
            if codec == .none {
                let reference = try RecordBatch(records: records, producerId: 42, producerEpoch: 3, baseSequence: 100)
                    .encoded()
                #expect(built == reference, "the builder and RecordBatch must write the same bytes")
            }
        }
    }

    @Test func restampingRenumbersAndKeepsTheChecksumValid() throws {
        var builder = RecordBatchBuilder()
        builder.append(timestamp: 5, key: nil as [UInt8]?, value: Array("v".utf8))
        var batch = try builder.seal(producerId: 1, producerEpoch: 0, baseSequence: 9)
        RecordBatchHeader.restamp(&batch, producerId: 77, producerEpoch: 2, baseSequence: 0)
        let decoded = try #require(try RecordBatch.decodeV2(batch, at: 0)) // CRC is checked here
        #expect(decoded.producerId == 77 && decoded.producerEpoch == 2 && decoded.baseSequence == 0)
    }
}
