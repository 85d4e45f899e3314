/// Requests and responses as they travel: a 4-byte big-endian size, a header,
/// then the body.
///
/// A request uses RequestHeader v2 when its API version is flexible and v1
/// otherwise; a response uses ResponseHeader v1 when flexible and v0
/// otherwise — except ApiVersions, whose response always uses v0 so a client
/// can read it before it knows what the broker speaks.
public enum KafkaFraming {
    /// The request header version for `version` of `apiKey`.
    public static func requestHeaderVersion(_ apiKey: ApiKey, _ version: Int16) -> Int16 {
        apiKey.firstFlexibleVersion.map { version >= $0 } ?? false ? 2 : 1
    }

    /// The response header version for `version` of `apiKey`.
    public static func responseHeaderVersion(_ apiKey: ApiKey, _ version: Int16) -> Int16 {
        if apiKey == .apiVersions { return 0 }
        return apiKey.firstFlexibleVersion.map { version >= $0 } ?? false ? 1 : 0
    }

    /// A whole request frame, size prefix included.
    public static func encodeRequest<Request: KafkaRequest>(
        _ request: Request, version: Int16, correlationId: Int32, clientId: String?
    ) -> [UInt8] {
        let header = RequestHeader(
            requestApiKey: Request.apiKey.rawValue, requestApiVersion: version,
            correlationId: correlationId, clientId: clientId
        )
        var writer = ByteWriter(capacity: 64)
        writer.writeInt32(0)
        header.write(to: &writer, version: requestHeaderVersion(Request.apiKey, version))
        request.write(to: &writer, version: version)
        writer.setInt32(Int32(writer.count - 4), at: 0)
        return writer.bytes
    }

    /// A whole response frame, size prefix included.
    public static func encodeResponse<Response: KafkaResponse>(
        _ response: Response, version: Int16, correlationId: Int32
    ) -> [UInt8] {
        var writer = ByteWriter(capacity: 64)
        writer.writeInt32(0)
        ResponseHeader(correlationId: correlationId)
            .write(to: &writer, version: responseHeaderVersion(Response.apiKey, version))
        response.write(to: &writer, version: version)
        writer.setInt32(Int32(writer.count - 4), at: 0)
        return writer.bytes
    }

    /// Reads a request frame's header (the frame without its size prefix) and
    /// leaves `reader` at the start of the body. The broker calls this, then
    /// decodes the body with the type `header.requestApiKey` names.
    ///
    /// Throws `.unsupportedVersion` for an API key this codec does not know; the
    /// header's correlation id is still in the error's frame for the caller to answer.
    public static func readRequestHeader(_ frame: [UInt8]) throws(ProtocolError) -> (RequestHeader, ByteReader) {
        var reader = ByteReader(frame)
        // The API key and version sit in bytes 0–3 and decide the header's own version.
        guard let keyAndVersion = reader.getInt32(at: 0) else {
            throw .truncated(offset: 0, needed: 4, remaining: frame.count)
        }
        let apiKeyValue = Int16(truncatingIfNeeded: keyAndVersion >> 16)
        guard let apiKey = ApiKey(rawValue: apiKeyValue) else {
            throw .unsupportedVersion(apiKey: apiKeyValue, version: -1)
        }
        let version = Int16(truncatingIfNeeded: keyAndVersion)
        let header = try RequestHeader.decode(from: &reader, version: requestHeaderVersion(apiKey, version))
        return (header, reader)
    }

    /// Decodes a response frame (without its size prefix): its correlation id and body.
    public static func decodeResponse<Response: KafkaResponse>(
        _ frame: [UInt8], as _: Response.Type, version: Int16, limits: DecodingLimits = .default
    ) throws(ProtocolError) -> (correlationId: Int32, response: Response) {
        var reader = ByteReader(frame, limits: limits)
        let header = try ResponseHeader.decode(from: &reader, version: responseHeaderVersion(Response.apiKey, version))
        let response = try Response.decode(from: &reader, version: version)
        if !reader.isAtEnd { throw .trailingBytes(offset: reader.position, count: reader.remaining) }
        return (header.correlationId, response)
    }

    /// The correlation id at the start of a response frame, to match it to its request before decoding.
    public static func peekCorrelationId(_ frame: [UInt8]) -> Int32? {
        ByteReader(frame).getInt32(at: 0)
    }
}

/// Splits a byte stream into frames by their 4-byte size prefix.
///
/// Feed it bytes as they arrive, in any chunking; `nextFrame()` returns each
/// complete frame (without the prefix). A size that is negative or above the
/// frame cap is an error before anything is allocated for it.
public struct FrameDecoder: Sendable {
    public let maxFrameSize: Int
    private var buffer: [UInt8] = []
    private var readIndex = 0

    public init(maxFrameSize: Int = DecodingLimits.default.maxFrameSize) {
        self.maxFrameSize = maxFrameSize
    }

    /// Bytes received but not yet returned as frames.
    public var bufferedCount: Int { buffer.count - readIndex }

    public mutating func feed<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        if readIndex > 0, readIndex >= buffer.count / 2 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete frame, or nil if more bytes are needed.
    public mutating func nextFrame() throws(ProtocolError) -> [UInt8]? {
        guard buffer.count - readIndex >= 4 else { return nil }
        let size = Int(
            Int32(bigEndian: buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: readIndex, as: Int32.self) }))
        try Self.checkSize(size, at: readIndex, maxFrameSize: maxFrameSize)
        guard buffer.count - readIndex - 4 >= size else { return nil }
        let frame = Array(buffer[(readIndex + 4)..<(readIndex + 4 + size)])
        readIndex += 4 + size
        return frame
    }

    /// Checks a frame's size prefix before anything is allocated for it. Every
    /// reader of Kafka frames (this one, and the network handlers) calls this.
    public static func checkSize(_ size: Int, at offset: Int = 0, maxFrameSize: Int) throws(ProtocolError) {
        guard size >= 0 else { throw .invalidLength(offset: offset, length: Int64(size)) }
        guard size <= maxFrameSize else {
            throw .exceedsLimit(what: "frame", size: Int64(size), limit: Int64(maxFrameSize))
        }
    }
}
