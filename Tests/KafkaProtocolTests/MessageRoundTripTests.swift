import Foundation
import Testing

@testable import KafkaProtocol

/// Every generated message, every version: random values survive encode → decode,
/// and re-encoding the decoded value gives the same bytes.
@Suite struct MessageRoundTripTests {
    static let seedsPerVersion: UInt64 = 24

    @Test(arguments: allMessageTypes.map { String(describing: $0) })
    func roundTripsEveryVersion(messageName: String) throws {
        let type = try #require(allMessageTypes.first { String(describing: $0) == messageName })
        for version in type.validVersions {
            for seed in 0..<Self.seedsPerVersion {
                try checkRoundTrip(type, version: version, seed: seed)
            }
        }
    }

    /// Seeds that once failed, kept so they keep being checked: "MessageName version seed" per line.
    @Test func regressionSeeds() throws {
        let url = Fixtures.directory.appendingPathComponent("regression-seeds.txt")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") && !$0.isEmpty }
        #expect(!lines.isEmpty)
        for line in lines {
            let parts = line.split(separator: " ")
            let type = try #require(allMessageTypes.first { String(describing: $0) == parts[0] })
            try checkRoundTrip(type, version: try #require(Int16(parts[1])), seed: try #require(UInt64(parts[2])))
        }
    }

    private func checkRoundTrip(_ type: any RandomMessage.Type, version: Int16, seed: UInt64) throws {
        try roundTrip(type, version: version, seed: seed)
    }

    private func roundTrip<Message: RandomMessage>(_: Message.Type, version: Int16, seed: UInt64) throws {
        var random = TestRandom(seed: seed &* 7919 &+ UInt64(version))
        let original = Message.random(version: version, using: &random)
        let bytes = original.encoded(version: version)
        let decoded: Message
        do {
            decoded = try Message.decode(bytes, version: version)
        } catch {
            Issue.record(
                "\(Message.self) v\(version) seed \(seed): decode failed: \(error) (add '\(Message.self) \(version) \(seed)' to regression-seeds.txt)"
            )
            return
        }
        #expect(decoded == original, "\(Message.self) v\(version) seed \(seed)")
        #expect(
            decoded.encoded(version: version) == bytes, "\(Message.self) v\(version) seed \(seed): re-encoding differs")
    }

    @Test func everyApiIsGenerated() {
        #expect(ApiKey.allCases.count == 36)
        for apiKey in ApiKey.allCases {
            #expect(apiKey.requestType.apiKey == apiKey)
            #expect(apiKey.requestType.validVersions == apiKey.validVersions)
        }
    }

    @Test func fieldsAppearOnlyInTheirVersions() throws {
        // FetchRequest.ReplicaId exists in 0–14; from 15 the replica state is a tagged field.
        var request = FetchRequest(replicaId: 7, maxWaitMs: 500, minBytes: 1, rackId: "rack-a")
        let v14 = try FetchRequest.decode(request.encoded(version: 14), version: 14)
        #expect(v14.replicaId == 7 && v14.rackId == "rack-a")
        let v15 = try FetchRequest.decode(request.encoded(version: 15), version: 15)
        #expect(v15.replicaId == -1, "absent in v15, so it reads back as its default")
        // RackId arrived in v11: absent before.
        request.rackId = "rack-b"
        #expect(try FetchRequest.decode(request.encoded(version: 10), version: 10).rackId == "")
        // A tagged field with its default value is not written at all.
        let plain = FetchRequest().encoded(version: 12)
        let tagged = FetchRequest(clusterId: "cluster-1").encoded(version: 12)
        #expect(tagged.count == plain.count + 1 + 1 + 1 + "cluster-1".utf8.count)
        #expect(try FetchRequest.decode(tagged, version: 12).clusterId == "cluster-1")
    }

    @Test func unknownTaggedFieldsAreKept() throws {
        var response = ApiVersionsResponse(errorCode: 0, throttleTimeMs: 5)
        response.unknownTaggedFields = [TaggedField(tag: 42, data: [1, 2, 3])]
        let bytes = response.encoded(version: 3)
        let decoded = try ApiVersionsResponse.decode(bytes, version: 3)
        #expect(decoded.unknownTaggedFields == [TaggedField(tag: 42, data: [1, 2, 3])])
        #expect(decoded.encoded(version: 3) == bytes)
    }

    @Test func headersFollowTheApiVersion() throws {
        let request = MetadataRequest(topics: [MetadataRequest.MetadataRequestTopic(name: "payments")])
        for version in MetadataRequest.validVersions {
            let frame = KafkaFraming.encodeRequest(request, version: version, correlationId: 99, clientId: "weir")
            let (header, reader) = try KafkaFraming.readRequestHeader(Array(frame.dropFirst(4)))
            #expect(header.requestApiKey == 3 && header.requestApiVersion == version && header.correlationId == 99)
            #expect(header.clientId == "weir")
            var body = reader
            let decoded = try MetadataRequest.decode(from: &body, version: version)
            #expect(body.isAtEnd)
            #expect(
                decoded.topics?.first?.name == "payments" || version == 0 && decoded.topics?.first?.name == "payments")
        }
        #expect(KafkaFraming.responseHeaderVersion(.apiVersions, 3) == 0, "ApiVersions responses always use header v0")
        #expect(KafkaFraming.responseHeaderVersion(.metadata, 9) == 1)
        #expect(KafkaFraming.requestHeaderVersion(.metadata, 8) == 1)
        #expect(KafkaFraming.requestHeaderVersion(.metadata, 9) == 2)
    }
}
