import Foundation
import Testing

@testable import KafkaProtocol

/// Short, hostile and damaged input gives errors, never a trap or a huge allocation.
@Suite struct RobustnessTests {
    @Test(arguments: allMessageTypes.map { String(describing: $0) })
    func everyTruncationIsAnError(messageName: String) throws {
        let type = try #require(allMessageTypes.first { String(describing: $0) == messageName })
        try truncations(type)
    }

    private func truncations<Message: RandomMessage>(_: Message.Type) throws {
        for version in [Message.validVersions.lowerBound, Message.validVersions.upperBound] {
            var random = TestRandom(seed: 11)
            let bytes = Message.random(version: version, using: &random).encoded(version: version)
            for length in 0..<bytes.count {
                #expect(throws: ProtocolError.self, "\(Message.self) v\(version) cut to \(length)") {
                    _ = try Message.decode(Array(bytes[0..<length]), version: version)
                }
            }
        }
    }

    @Test(arguments: allMessageTypes.map { String(describing: $0) })
    func bitFlipsNeverCrash(messageName: String) throws {
        let type = try #require(allMessageTypes.first { String(describing: $0) == messageName })
        flips(type)
    }

    private func flips<Message: RandomMessage>(_: Message.Type) {
        var random = TestRandom(seed: 5)
        for version in Message.validVersions {
            let bytes = Message.random(version: version, using: &random).encoded(version: version)
            guard !bytes.isEmpty else { continue }
            for _ in 0..<40 {
                var damaged = bytes
                let index = Int(random.next() % UInt64(damaged.count))
                damaged[index] ^= UInt8(1) << UInt8(random.next() % 8)
                if let decoded = try? Message.decode(damaged, version: version) {
                    _ = decoded.encoded(version: version) // whatever decodes must encode again
                }
            }
        }
    }

    @Test func hostileLengthsAreRefusedBeforeAllocating() {
        // A string claiming 30,000 bytes in a 6-byte input.
        var reader = ByteReader([0x75, 0x30, 0x61, 0x62, 0x63, 0x64])
        _ = reader.readString(compact: false)
        #expect(reader.error == .invalidLength(offset: 0, length: 30000))
        // An array claiming two billion elements.
        var arrayReader = ByteReader([0x7F, 0xFF, 0xFF, 0xFF, 0x00])
        let elements = arrayReader.readArray(compact: false) { $0.readInt32() }
        #expect(elements.isEmpty)
        #expect(arrayReader.error != nil)
        // A varint that never ends.
        var varintReader = ByteReader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        _ = varintReader.readUnsignedVarint()
        #expect(varintReader.error == .malformedVarint(offset: 0))
        // Errors are sticky: later reads return zero and do not move.
        #expect(varintReader.readInt32() == 0)
    }

    @Test func frameDecoderEnforcesTheCap() throws {
        var decoder = FrameDecoder(maxFrameSize: 1024)
        decoder.feed([0x00, 0x10, 0x00, 0x00])
        #expect(throws: ProtocolError.exceedsLimit(what: "frame", size: 1_048_576, limit: 1024)) {
            _ = try decoder.nextFrame()
        }
        var negative = FrameDecoder()
        negative.feed([0xFF, 0xFF, 0xFF, 0xFF])
        #expect(throws: ProtocolError.self) { _ = try negative.nextFrame() }
        #expect(DecodingLimits.default.maxFrameSize == 100 * 1024 * 1024)
    }

    @Test func framesSurviveAnyChunking() throws {
        var random = TestRandom(seed: 3)
        var stream: [UInt8] = []
        var expected: [[UInt8]] = []
        for (index, type) in allMessageTypes.enumerated() where index % 3 == 0 {
            let frame = encodedFrame(type, random: &random)
            expected.append(frame)
            stream += withUnsafeBytes(of: Int32(frame.count).bigEndian, Array.init) + frame
        }
        // One byte at a time.
        var byteByByte = FrameDecoder()
        var frames: [[UInt8]] = []
        for byte in stream {
            byteByByte.feed(CollectionOfOne(byte))
            while let frame = try byteByByte.nextFrame() { frames.append(frame) }
        }
        #expect(frames == expected)
        // Random chunks, several rounds.
        for round in 0..<20 {
            var decoder = FrameDecoder()
            var chunked: [[UInt8]] = []
            var position = 0
            while position < stream.count {
                let size = min(Int(random.next() % 300) + 1, stream.count - position)
                decoder.feed(stream[position..<position + size])
                position += size
                while let frame = try decoder.nextFrame() { chunked.append(frame) }
            }
            #expect(chunked == expected, "round \(round)")
            #expect(decoder.bufferedCount == 0)
        }
    }

    private func encodedFrame(_ type: any RandomMessage.Type, random: inout TestRandom) -> [UInt8] {
        func encode<Message: RandomMessage>(_: Message.Type) -> [UInt8] {
            Message.random(version: Message.validVersions.upperBound, using: &random)
                .encoded(version: Message.validVersions.upperBound)
        }
        return encode(type)
    }
}
