import Testing

@testable import KafkaProtocol

@Suite struct ChecksumTests {
    /// Published CRC-32C check values (RFC 3720 appendix B.4 and the "123456789" check).
    @Test func crc32cKnownVectors() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
        #expect(CRC32C.checksum([]) == 0)
        #expect(CRC32C.portableChecksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    @Test func hardwareAndPortablePathsAgree() {
        var random = TestRandom(seed: 17)
        // Lengths around the interleaved path's 3 × 4096-byte rounds, and odd alignments.
        for length in [0, 1, 7, 8, 9, 63, 4095, 12_287, 12_288, 12_289, 40_000, 100_003] {
            let bytes = (0..<length + 3).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            for start in 0..<3 {
                let slice = Array(bytes[start..<start + length])
                #expect(CRC32C.checksum(slice) == CRC32C.portableChecksum(slice), "length \(length) at \(start)")
            }
        }
    }

    @Test func crc32cContinues() {
        let bytes = Array("The quick brown fox jumps over the lazy dog".utf8)
        let whole = CRC32C.checksum(bytes)
        for split in 0...bytes.count {
            #expect(CRC32C.checksum(bytes[split...], continuing: CRC32C.checksum(bytes[..<split])) == whole)
        }
    }

    @Test func crc32IEEEForLegacyMessages() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}

@Suite struct ErrorCodeTests {
    @Test func namesCodesAndRetriability() {
        #expect(ErrorCode(code: 6) == .notLeaderOrFollower)
        #expect(ErrorCode.notLeaderOrFollower.name == "NOT_LEADER_OR_FOLLOWER")
        #expect(ErrorCode.notLeaderOrFollower.isRetriable)
        #expect(ErrorCode(code: 3).isRetriable)
        #expect(!ErrorCode.topicAlreadyExists.isRetriable)
        #expect(!ErrorCode.none.isRetriable && ErrorCode.none.code == 0)
        #expect(ErrorCode(code: -1) == .unknownServerError)
        #expect(ErrorCode(code: 999) == .unknown(999) && ErrorCode(code: 999).code == 999)
        for code in Int16(-1)...127 { #expect(ErrorCode(code: code).code == code) }
        #expect(!ErrorCode.offsetOutOfRange.message.isEmpty)
    }
}
