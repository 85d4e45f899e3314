import Foundation
import Testing

@testable import KafkaProtocol

@Suite struct CompressionTests {
    static func inputs() -> [[UInt8]] {
        var random = TestRandom(seed: 21)
        let json = (0..<2000).map { "{\"orderId\":\($0),\"payAmount\":\($0 * 37 % 9973).5,\"provinceId\":\($0 % 7)}\n" }
            .joined()
        return [
            [],
            [7],
            Array("abcd".utf8),
            Array(json.utf8),
            (0..<200_000).map { _ in UInt8(truncatingIfNeeded: random.next()) }, // incompressible
            [UInt8](repeating: 0x61, count: 300_000), // long runs, overlapping copies
            Array(String(repeating: "ab", count: 40_000).utf8),
        ]
    }

    @Test(arguments: [CompressionCodec.none, .gzip, .snappy, .lz4, .zstd])
    func roundTrips(codec: CompressionCodec) throws {
        for input in Self.inputs() {
            let compressed = try codec.compress(input)
            #expect(try codec.decompress(compressed) == input, "\(codec) of \(input.count) bytes")
        }
        let json = Self.inputs()[3]
        if codec != .none { #expect(try codec.compress(json).count < json.count / 3, "\(codec) should shrink JSON") }
    }

    @Test(arguments: [CompressionCodec.gzip, .snappy, .lz4, .zstd])
    func damagedInputIsAnErrorNotACrash(codec: CompressionCodec) throws {
        let compressed = try codec.compress(Self.inputs()[3])
        var random = TestRandom(seed: 8)
        for _ in 0..<200 {
            var damaged = compressed
            let index = Int(random.next() % UInt64(damaged.count))
            damaged[index] ^= UInt8(truncatingIfNeeded: random.next() | 1)
            _ = try? codec.decompress(damaged) // may succeed with other bytes; must not trap
        }
        for length in stride(from: 0, to: compressed.count - 1, by: max(1, compressed.count / 50)) {
            #expect(throws: CompressionError.self) { _ = try codec.decompress(compressed[0..<length]) }
        }
        #expect(throws: CompressionError.self) { _ = try codec.decompress([0xDE, 0xAD, 0xBE, 0xEF, 0, 1, 2, 3, 4, 5]) }
    }

    @Test(arguments: [CompressionCodec.gzip, .snappy, .lz4, .zstd])
    func decompressionRespectsItsLimit(codec: CompressionCodec) throws {
        let bomb = try codec.compress([UInt8](repeating: 0, count: 4_000_000))
        #expect(throws: CompressionError.exceedsLimit(codec: codec)) {
            _ = try codec.decompress(bomb, limit: 1_000_000)
        }
    }

    @Test func snappyReadsRawAndXerialFraming() throws {
        let input = Array(String(repeating: "payment_msg ", count: 9000).utf8)
        let framed = Snappy.compressFramed(input)
        #expect(Array(framed.prefix(8)) == Snappy.xerialMagic)
        let raw = Snappy.compressRaw(input[...])
        #expect(try CompressionCodec.snappy.decompress(framed) == input)
        #expect(try CompressionCodec.snappy.decompress(raw) == input)
    }

    @Test func lz4ReadsLinkedBlocksAndChecksums() throws {
        // A hand-built frame: linked blocks (flag bit 5 clear), content checksum, content size;
        // the second block's match reaches back into the first block.
        let first = Array("0123456789abcdef0123456789abcdef".utf8)
        var frame: [UInt8] = [0x04, 0x22, 0x4D, 0x18]
        let flags: UInt8 = 0x40 | 0x08 | 0x04 // version 1, content size, content checksum
        var descriptor: [UInt8] = [flags, 0x40]
        withUnsafeBytes(of: UInt64(first.count + 16).littleEndian) { descriptor += $0 }
        frame += descriptor + [UInt8((XXHash32.hash(descriptor[...]) >> 8) & 0xFF)]
        frame += [UInt8(first.count) | 0, 0, 0, 0x80] + first // stored block
        // Block 2: no literals, match of 16 at offset 32 (token 0x0C: match 12+4), then an empty last sequence.
        let block2: [UInt8] = [0x0C, 32, 0, 0x00]
        frame += [UInt8(block2.count), 0, 0, 0] + block2
        frame += [0, 0, 0, 0]
        let expected = first + Array(first[0..<16])
        withUnsafeBytes(of: XXHash32.hash(expected[...]).littleEndian) { frame += $0 }
        #expect(try CompressionCodec.lz4.decompress(frame) == expected)
        frame[frame.count - 1] ^= 1
        #expect(throws: CompressionError.self) { _ = try CompressionCodec.lz4.decompress(frame) }
    }

    @Test func xxHash32MatchesPublishedValues() {
        #expect(XXHash32.hash([][...]) == 0x02CC_5D05)
        #expect(XXHash32.hash(Array("a".utf8)[...]) == 0x550D_7456)
        #expect(XXHash32.hash(Array("abc".utf8)[...]) == 0x32D1_53FF)
        #expect(XXHash32.hash(Array("Nobody inspects the spammish repetition".utf8)[...]) == 0xE229_3B2F)
    }

    @Test func codecNamesMatchKafkaProperties() {
        #expect(CompressionCodec(name: "ZSTD") == .zstd)
        #expect(CompressionCodec(name: "brotli") == nil)
        #expect(CompressionCodec.allCases.map(\.description) == ["none", "gzip", "snappy", "lz4", "zstd"])
    }
}
