/// A message of Kafka's protocol: a request or response body, or a header.
///
/// Conforming types are generated from Kafka's schemas (see `Generated/`).
/// Decoding never traps: problems are recorded in the reader (see `ByteReader`).
public protocol KafkaMessage: Sendable, Equatable {
    /// The versions this message is defined for.
    static var validVersions: ClosedRange<Int16> { get }
    /// The first version encoded with compact lengths and tagged fields, if any.
    static var firstFlexibleVersion: Int16? { get }

    /// Decodes the message as written in `version`; check `reader.error` afterwards.
    init(from reader: inout ByteReader, version: Int16)
    /// Appends the message as written in `version`. Fields the version lacks are skipped.
    func write(to writer: inout ByteWriter, version: Int16)
}

/// The body of a request to a broker.
public protocol KafkaRequest: KafkaMessage {
    associatedtype Response: KafkaResponse
    static var apiKey: ApiKey { get }
}

/// The body of a broker's response.
public protocol KafkaResponse: KafkaMessage {
    static var apiKey: ApiKey { get }
}

extension KafkaMessage {
    /// Whether `version` uses the flexible encoding.
    public static func isFlexible(_ version: Int16) -> Bool {
        firstFlexibleVersion.map { version >= $0 } ?? false
    }

    /// The message encoded in `version`.
    public func encoded(version: Int16) -> [UInt8] {
        var writer = ByteWriter()
        write(to: &writer, version: version)
        return writer.bytes
    }

    /// Decodes `bytes`, which must hold exactly one message written in `version`.
    public static func decode(
        _ bytes: [UInt8], version: Int16, limits: DecodingLimits = .default
    ) throws(ProtocolError) -> Self {
        var reader = ByteReader(bytes, limits: limits)
        let message = try decode(from: &reader, version: version)
        if !reader.isAtEnd { throw .trailingBytes(offset: reader.position, count: reader.remaining) }
        return message
    }

    /// Decodes one message from `reader`, throwing the reader's first error.
    public static func decode(from reader: inout ByteReader, version: Int16) throws(ProtocolError) -> Self {
        guard validVersions.contains(version) else {
            let apiKey =
                (Self.self as? any KafkaRequest.Type)?.apiKey.rawValue
                ?? (Self.self as? any KafkaResponse.Type)?.apiKey.rawValue ?? -1
            throw .unsupportedVersion(apiKey: apiKey, version: version)
        }
        let message = Self(from: &reader, version: version)
        if let error = reader.error { throw error }
        return message
    }
}

extension ByteReader {
    /// Reads an array that may not be null in this version.
    @inlinable
    public mutating func readArray<Element>(compact: Bool, _ element: (inout ByteReader) -> Element) -> [Element] {
        readElements(readRequiredArrayCount(compact: compact), element)
    }

    /// Reads an array that may be null (count -1) in this version.
    @inlinable
    public mutating func readNullableArray<Element>(
        compact: Bool, _ element: (inout ByteReader) -> Element
    ) -> [Element]? {
        guard let count = readArrayCount(compact: compact) else { return nil }
        return readElements(count, element)
    }

    /// Reads `count` elements (already checked against the remaining bytes), stopping at the first error.
    @inlinable
    mutating func readElements<Element>(_ count: Int, _ element: (inout ByteReader) -> Element) -> [Element] {
        var elements: [Element] = []
        elements.reserveCapacity(count)
        for _ in 0..<count {
            guard error == nil else { break }
            elements.append(element(&self))
        }
        return elements
    }

    /// Reads the marker before a nullable struct: false for null (-1), true for present.
    public mutating func readStructPresence() -> Bool {
        readInt8() >= 0
    }
}

extension ByteWriter {
    public mutating func writeArray<Element>(
        _ elements: [Element], compact: Bool, _ element: (inout ByteWriter, Element) -> Void
    ) {
        writeArrayCount(elements.count, compact: compact)
        for item in elements { element(&self, item) }
    }

    public mutating func writeNullableArray<Element>(
        _ elements: [Element]?, compact: Bool, _ element: (inout ByteWriter, Element) -> Void
    ) {
        guard let elements else { return writeArrayCount(nil, compact: compact) }
        writeArray(elements, compact: compact, element)
    }
}
