import Foundation
import Testing

@testable import KafkaProtocol

/// Frames captured from real clients (kcat, librdkafka, kafka-python) and a real
/// broker (Tansu) by Tests/capture/capture_fixtures.py decode, and re-encode to
/// exactly the same bytes.
@Suite struct CapturedFrameTests {
    struct Fixture: CustomTestStringConvertible, Sendable {
        var file: String
        var scenario: String
        var apiName: String
        var version: Int16
        var isRequest: Bool
        var testDescription: String { file }

        init?(file: String) {
            let parts = file.replacingOccurrences(of: ".bin", with: "").components(separatedBy: "--")
            guard parts.count == 5, let version = Int16(parts[3].dropFirst()) else { return nil }
            self.file = file
            scenario = parts[0]
            apiName = parts[2]
            self.version = version
            isRequest = parts[4] == "request"
        }

        var bytes: [UInt8] {
            get throws { try [UInt8](Data(contentsOf: Fixtures.directory.appendingPathComponent("frames/\(file)"))) }
        }

        var apiKey: ApiKey? { ApiKey.allCases.first { $0.name == apiName } }
    }

    static let fixtures: [Fixture] = {
        let folder = Fixtures.directory.appendingPathComponent("frames")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return files.sorted().compactMap(Fixture.init(file:))
    }()

    @Test func fixturesArePresent() {
        let apis = Set(Self.fixtures.map(\.apiName))
        for required in ["ApiVersions", "Metadata", "Produce", "Fetch", "JoinGroup"] {
            #expect(apis.contains(required), "no captured \(required) frames")
        }
        let clients = Set(Self.fixtures.map { $0.scenario.components(separatedBy: "-")[0] })
        #expect(clients.isSuperset(of: ["kcat", "librdkafka", "kafkapython"]))
    }

    @Test(arguments: fixtures)
    func decodesAndReencodesByteForByte(fixture: Fixture) throws {
        let apiKey = try #require(fixture.apiKey)
        let frame = try fixture.bytes
        if fixture.isRequest {
            let (header, reader) = try KafkaFraming.readRequestHeader(frame)
            #expect(header.requestApiKey == apiKey.rawValue && header.requestApiVersion == fixture.version)
            let headerVersion = KafkaFraming.requestHeaderVersion(apiKey, fixture.version)
            var reencoded = ByteWriter()
            header.write(to: &reencoded, version: headerVersion)
            let body = try requestBody(apiKey.requestType, reader: reader, version: fixture.version)
            reencoded.writeRawBytes(body)
            #expect(reencoded.bytes == frame)
        } else {
            let reencoded = try responseRoundTrip(apiKey.requestType, frame: frame, version: fixture.version)
            #expect(reencoded == frame)
        }
    }

    private func requestBody<Request: KafkaRequest>(
        _: Request.Type, reader: ByteReader, version: Int16
    ) throws -> [UInt8] {
        var body = reader
        let request = try Request.decode(from: &body, version: version)
        #expect(body.isAtEnd)
        return request.encoded(version: version)
    }

    private func responseRoundTrip<Request: KafkaRequest>(
        _: Request.Type, frame: [UInt8], version: Int16
    ) throws -> [UInt8] {
        let (correlationId, response) = try KafkaFraming.decodeResponse(
            frame, as: Request.Response.self, version: version)
        var writer = ByteWriter()
        ResponseHeader(correlationId: correlationId)
            .write(to: &writer, version: KafkaFraming.responseHeaderVersion(Request.apiKey, version))
        response.write(to: &writer, version: version)
        return writer.bytes
    }

    /// librdkafka wrote batches with each codec; they decode, CRC and all.
    @Test(arguments: ["none", "gzip", "snappy", "lz4", "zstd"])
    func librdkafkaBatchesDecode(codecName: String) throws {
        let codec = try #require(CompressionCodec(name: codecName))
        var produced: [Record] = []
        for fixture in Self.fixtures
        where fixture.scenario == "librdkafka-produce-\(codecName)" && fixture.isRequest
            && fixture.apiName == "Produce"
        {
            var (_, reader) = try KafkaFraming.readRequestHeader(try fixture.bytes)
            let request = try ProduceRequest.decode(from: &reader, version: fixture.version)
            for topic in request.topicData {
                for partition in topic.partitionData {
                    let set = try RecordSet.decode(try #require(partition.records))
                    for batch in set.batches {
                        #expect(batch.compression == codec)
                        #expect(batch.magic == 2)
                    }
                    produced += set.records
                }
            }
        }
        #expect(produced.count == 50, "librdkafka sent 50 records with \(codecName)")
        for (index, record) in produced.enumerated() {
            #expect(record.key.map { String(decoding: $0, as: UTF8.self) } == "k\(index)")
            let value = String(decoding: try #require(record.value), as: UTF8.self)
            #expect(value.hasPrefix("{\"n\": \(index), \"codec\": \"\(codecName)\""))
            #expect(record.headers.isEmpty == (index % 5 != 0))
        }

        // What the broker handed back in Fetch responses decodes to the same records.
        var fetched: [Record] = []
        for fixture in Self.fixtures
        where fixture.scenario == "librdkafka-consume-\(codecName)" && !fixture.isRequest
            && fixture.apiName == "Fetch"
        {
            let (_, response) = try KafkaFraming.decodeResponse(
                try fixture.bytes, as: FetchResponse.self, version: fixture.version)
            for topic in response.responses {
                for partition in topic.partitions {
                    fetched += try RecordSet.decode(partition.records ?? []).records
                }
            }
        }
        #expect(fetched.map(\.value) == produced.map(\.value))
    }

    @Test func kafkaPythonHeadersAndKeys() throws {
        var records: [Record] = []
        for fixture in Self.fixtures
        where fixture.scenario == "kafkapython-produce" && fixture.apiName == "Produce" && fixture.isRequest {
            var (_, reader) = try KafkaFraming.readRequestHeader(try fixture.bytes)
            let request = try ProduceRequest.decode(from: &reader, version: fixture.version)
            for topic in request.topicData {
                #expect(topic.name == "events")
                for partition in topic.partitionData {
                    records += try RecordSet.decode(try #require(partition.records)).records
                }
            }
        }
        #expect(records.count == 20)
        let withHeaders = records.filter { !$0.headers.isEmpty }
        #expect(withHeaders.count == 10)
        #expect(withHeaders.first?.headers.map(\.key) == ["source", "empty"])
    }

    @Test func unknownApiKeysAreRefusedCleanly() {
        // API key 71 (GetTelemetrySubscriptions), which librdkafka 2.x sends and this codec does not speak.
        let frame: [UInt8] = [0x00, 0x47, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00]
        #expect(throws: ProtocolError.unsupportedVersion(apiKey: 71, version: -1)) {
            _ = try KafkaFraming.readRequestHeader(frame)
        }
        #expect(throws: ProtocolError.truncated(offset: 0, needed: 4, remaining: 2)) {
            _ = try KafkaFraming.readRequestHeader([0, 18])
        }
        // A known API whose header is cut short.
        #expect(throws: ProtocolError.self) { _ = try KafkaFraming.readRequestHeader([0, 18, 0, 3, 0, 0]) }
    }
}
