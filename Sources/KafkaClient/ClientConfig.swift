import Foundation

/// Client settings by the property names librdkafka and the Java client use,
/// so a user's existing `client.properties` works unchanged.
///
/// Unknown names are kept (a later component may read them) rather than refused.
public struct ClientConfig: Sendable {
    public private(set) var properties: [String: String]
    /// The time the client's retries, backoffs and timeouts wait by.
    public var clock = ClientClock.continuous

    public init(_ properties: [String: String] = [:]) {
        self.properties = properties
    }

    public subscript(name: String) -> String? {
        get { properties[name] }
        set { properties[name] = newValue }
    }

    /// Reads `key=value` lines, as in a Java `client.properties` (`#` and `!` start comments).
    public static func parse(propertiesFile text: String) -> ClientConfig {
        var properties: [String: String] = [:]
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#"), !line.hasPrefix("!"),
                let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" })
            else { continue }
            let key = line[..<separator].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: separator)...].trimmingCharacters(in: .whitespaces)
            properties[key] = value
        }
        return ClientConfig(properties)
    }

    func integer(_ name: String, default fallback: Int) throws(KafkaClientError) -> Int {
        guard let text = properties[name] else { return fallback }
        guard let value = Int(text) else { throw .configuration("\(name) must be an integer, not '\(text)'") }
        return value
    }

    // MARK: Common properties

    /// `bootstrap.servers`: comma-separated `host:port` pairs.
    public func bootstrapServers() throws(KafkaClientError) -> [BrokerAddress] {
        guard let list = properties["bootstrap.servers"], !list.isEmpty else {
            throw .configuration("bootstrap.servers is not set")
        }
        var addresses: [BrokerAddress] = []
        for entry in list.split(separator: ",") {
            guard let address = BrokerAddress(String(entry).trimmingCharacters(in: .whitespaces)) else {
                throw .configuration("bootstrap.servers entry '\(entry)' is not host:port")
            }
            addresses.append(address)
        }
        return addresses
    }

    public var clientId: String { properties["client.id"] ?? "weir" }

    /// `request.timeout.ms` (default 30 s): how long a request may wait for its response.
    public func requestTimeoutMs() throws(KafkaClientError) -> Int {
        try integer("request.timeout.ms", default: 30_000)
    }

    /// `socket.connection.setup.timeout.ms` (default 10 s): how long connecting to a broker may take.
    public func connectTimeoutMs() throws(KafkaClientError) -> Int {
        try integer("socket.connection.setup.timeout.ms", default: 10_000)
    }

    /// `message.max.bytes`-like cap on frames this client accepts (default 100 MiB).
    public func maxFrameSize() throws(KafkaClientError) -> Int {
        try integer("receive.message.max.bytes", default: 100 * 1024 * 1024)
    }
}

/// A broker's `host:port`.
public struct BrokerAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses "host:port", "[v6]:port" or a bare host (port 9092).
    public init?(_ text: String) {
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard rest.isEmpty || rest.hasPrefix(":"), let port = rest.isEmpty ? 9092 : Int(rest.dropFirst()) else {
                return nil
            }
            self.port = port
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            guard let port = Int(text[text.index(after: colon)...]) else { return nil }
            self.port = port
        } else {
            host = text
            port = 9092
        }
        guard !host.isEmpty, (1...65535).contains(port) else { return nil }
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
