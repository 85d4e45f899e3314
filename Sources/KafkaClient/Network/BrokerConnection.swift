import Foundation
import KafkaNIO
import KafkaProtocol
import NIOCore
import NIOPosix
import NIOSSL
import SCRAM

/// One TCP connection to one broker, with requests pipelined on it.
///
/// `connect` negotiates API versions first; `send` then picks the highest
/// version both sides speak, encodes off the event loop, and waits for the
/// response matched by correlation id. Safe to call from any task.
public final class BrokerConnection: Sendable {
    public let address: BrokerAddress
    public let versions: ApiVersionTable
    private let channel: Channel
    private let clientId: String
    private let requestTimeoutMs: Int
    private let maxFrameSize: Int

    private init(address: BrokerAddress, channel: Channel, versions: ApiVersionTable, config: ClientConfig) throws {
        self.address = address
        self.channel = channel
        self.versions = versions
        clientId = config.clientId
        requestTimeoutMs = try config.requestTimeoutMs()
        maxFrameSize = try config.maxFrameSize()
    }

    /// Connects to `address` and asks which API versions it speaks.
    public static func connect(
        to address: BrokerAddress, config: ClientConfig,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> BrokerConnection {
        let maxFrameSize = try config.maxFrameSize()
        let name = address.description
        let security = try SecuritySettings(config: config)
        let tlsContext: NIOSSLContext?
        do {
            tlsContext = try security.tls.map { try NIOSSLContext(configuration: $0) }
        } catch {
            throw KafkaClientError.configuration("TLS: \(error)")
        }
        // SNI and hostname checks take a name; for an IP address NIOSSL checks the certificate's IP entries instead.
        let serverHostname = address.host.isIPAddress ? nil : address.host
        let bootstrap = ClientBootstrap(group: eventLoopGroup)
            .connectTimeout(.milliseconds(Int64(try config.connectTimeoutMs())))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tlsContext, serverHostname: serverHostname))
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(KafkaFrameDecoder(maxFrameSize: maxFrameSize)))
                    try channel.pipeline.syncOperations.addHandler(KafkaRequestHandler(brokerName: name))
                }
            }
        let channel: Channel
        do {
            channel = try await bootstrap.connect(host: address.host, port: address.port).get()
        } catch {
            throw KafkaClientError.connectionFailed(broker: name, reason: Self.describe(error))
        }
        do {
            let versions: ApiVersionTable
            do {
                versions = try await negotiateVersions(channel: channel, address: address, config: config)
            } catch KafkaClientError.connectionClosed {
                // The first request answered by a hang-up: often a port that expects TLS, or SASL first.
                throw KafkaClientError.connectionFailed(
                    broker: name,
                    reason:
                        "closed the connection instead of answering ApiVersions (security.protocol is \(config["security.protocol"] ?? "PLAINTEXT"); does the listener expect another?)"
                )
            }
            if let credentials = security.sasl {
                try await authenticate(
                    channel: channel, versions: versions, credentials: credentials, address: address, config: config)
            }
            return try BrokerConnection(address: address, channel: channel, versions: versions, config: config)
        } catch {
            try? await channel.close()
            throw error
        }
    }

    /// ApiVersions at the newest version this client speaks; a broker that does not
    /// know it answers UNSUPPORTED_VERSION in v0 form with its own ranges, and the
    /// request is repeated at the newest version both speak.
    private static func negotiateVersions(
        channel: Channel, address: BrokerAddress, config: ClientConfig
    ) async throws -> ApiVersionTable {
        let request = ApiVersionsRequest(clientSoftwareName: "weir", clientSoftwareVersion: "0.1.0")
        var version = ApiKey.apiVersions.validVersions.upperBound
        for _ in 0..<2 {
            let frame = try await roundTrip(channel: channel, request: request, version: version, config: config)
            if let response = try? KafkaFraming.decodeResponse(frame, as: ApiVersionsResponse.self, version: version)
                .response,
                response.errorCode == 0
            {
                return ApiVersionTable(response)
            }
            // Read the v0 form of the error to learn the broker's ApiVersions range.
            let fallback = try KafkaFraming.decodeResponse(frame, as: ApiVersionsResponse.self, version: 0).response
            guard let ours = fallback.apiKeys.first(where: { $0.apiKey == ApiKey.apiVersions.rawValue }) else { break }
            version = min(ours.maxVersion, version - 1)
        }
        throw KafkaClientError.unsupportedApi(api: .apiVersions, broker: address.description)
    }

    /// SASL after version negotiation (brokers answer ApiVersions before authentication):
    /// SaslHandshake names the mechanism, then SaslAuthenticate carries its messages.
    private static func authenticate(
        channel: Channel, versions: ApiVersionTable, credentials: SecuritySettings.SASLCredentials,
        address: BrokerAddress, config: ClientConfig
    ) async throws {
        let broker = address.description
        func exchange<Request: KafkaRequest>(_ request: Request) async throws -> Request.Response {
            guard let version = versions.version(for: Request.apiKey) else {
                throw KafkaClientError.unsupportedApi(api: Request.apiKey, broker: broker)
            }
            let frame = try await roundTrip(channel: channel, request: request, version: version, config: config)
            do {
                return try KafkaFraming.decodeResponse(frame, as: Request.Response.self, version: version).response
            } catch {
                throw KafkaClientError.protocolViolation(error, broker: broker)
            }
        }
        guard (versions.version(for: .saslHandshake) ?? 0) >= 1 else {
            throw KafkaClientError.authenticationFailed(
                broker: broker, reason: "the broker does not speak SaslHandshake v1 (Kafka 1.0 and later do)")
        }
        let handshake = try await exchange(SaslHandshakeRequest(mechanism: credentials.mechanism.rawValue))
        guard handshake.errorCode == 0 else {
            throw KafkaClientError.authenticationFailed(
                broker: broker,
                reason:
                    "\(credentials.mechanism.rawValue) is not enabled; the broker offers \(handshake.mechanisms.joined(separator: ", "))"
            )
        }
        func authenticateStep(_ bytes: [UInt8]) async throws -> [UInt8] {
            let response = try await exchange(SaslAuthenticateRequest(authBytes: bytes))
            guard response.errorCode == 0 else {
                let code = ErrorCode(code: response.errorCode)
                throw KafkaClientError.authenticationFailed(
                    broker: broker, reason: response.errorMessage ?? "\(code.name): \(code.message)")
            }
            return response.authBytes
        }
        switch credentials.mechanism {
        case .plain:
            // RFC 4616: authorization identity (empty), user, password, separated by NUL.
            _ = try await authenticateStep(
                [0] + Array(credentials.username.utf8) + [0] + Array(credentials.password.utf8))
        case .scramSHA256, .scramSHA512:
            var scram = SCRAMClient(
                hash: credentials.mechanism == .scramSHA256 ? .sha256 : .sha512,
                username: credentials.username, password: credentials.password)
            do {
                let serverFirst = try await authenticateStep(scram.firstMessage())
                let serverFinal = try await authenticateStep(try scram.finalMessage(answering: serverFirst))
                try scram.verify(serverFinal: serverFinal)
            } catch let error as SCRAMError {
                throw KafkaClientError.authenticationFailed(broker: broker, reason: error.description)
            }
        }
    }

    private static func roundTrip<Request: KafkaRequest>(
        channel: Channel, request: Request, version: Int16, config: ClientConfig
    ) async throws -> [UInt8] {
        let frame = KafkaFraming.encodeRequest(request, version: version, correlationId: 0, clientId: config.clientId)
        return try await write(
            frame, api: Request.apiKey, on: channel, expectsResponse: true,
            timeoutMs: try config.requestTimeoutMs(), broker: channel.remoteAddress?.description ?? "broker"
        ).get()
    }

    /// Hands a frame to the channel's request handler and returns its response to come.
    /// A write that fails before reaching the handler (the peer closed the connection
    /// just now) fails the response too, so no caller waits for an answer never asked for.
    private static func write(
        _ frame: [UInt8], api: ApiKey, on channel: Channel, expectsResponse: Bool, timeoutMs: Int, broker: String
    ) -> EventLoopFuture<[UInt8]> {
        let promise = channel.eventLoop.makePromise(of: [UInt8].self)
        let outbound = OutboundRequest(
            frame: frame, api: api, expectsResponse: expectsResponse, timeoutMs: timeoutMs, promise: promise)
        channel.writeAndFlush(outbound).whenFailure { _ in
            promise.fail(KafkaClientError.connectionClosed(broker: broker))
        }
        return promise.futureResult
    }

    /// The version this connection uses for `Request`, or an error naming the API.
    public func version<Request: KafkaRequest>(for _: Request.Type) throws -> Int16 {
        guard let version = versions.version(for: Request.apiKey) else {
            throw KafkaClientError.unsupportedApi(api: Request.apiKey, broker: address.description)
        }
        return version
    }

    /// Sends `request` at the negotiated version and returns the decoded response.
    /// `timeoutMs` overrides `request.timeout.ms` for requests the broker may hold
    /// on purpose (JoinGroup waits for the whole group).
    public func send<Request: KafkaRequest>(_ request: Request, timeoutMs: Int? = nil) async throws -> Request.Response
    {
        let version = try version(for: Request.self)
        return try await send(request, version: version, timeoutMs: timeoutMs)
    }

    /// Sends `request` at `version` and returns the decoded response.
    public func send<Request: KafkaRequest>(
        _ request: Request, version: Int16, timeoutMs: Int? = nil
    ) async throws -> Request.Response {
        try await dispatch(request, version: version, timeoutMs: timeoutMs).response()
    }

    /// Writes `request` now and returns its response to await later.
    ///
    /// Requests dispatched one after another from one task reach the broker in that
    /// order (the writes queue on the channel's event loop in call order), and a
    /// broker answers a connection's requests in order: this is how a producer keeps
    /// several batches of a partition in flight without reordering them.
    /// With `expectsResponse` false (Produce with acks=0) the result completes once written.
    public func dispatch<Request: KafkaRequest>(
        _ request: Request, version: Int16, timeoutMs: Int? = nil, expectsResponse: Bool = true
    ) -> PendingResponse<Request.Response> {
        let frame = KafkaFraming.encodeRequest(request, version: version, correlationId: 0, clientId: clientId)
        let broker = address.description
        let response = Self.write(
            frame, api: Request.apiKey, on: channel, expectsResponse: expectsResponse,
            timeoutMs: timeoutMs ?? requestTimeoutMs, broker: broker)
        return PendingResponse(frame: response, version: version, maxFrameSize: maxFrameSize, broker: broker)
    }

    /// Whether the connection is still open.
    public var isActive: Bool { channel.isActive }

    public func close() async {
        try? await channel.close()
    }

    /// A short reason for a failed connection ("Connection refused"), without NIO's internals.
    /// (TLS failures are reported by the request handler, which sees them first.)
    static func describe(_ error: Error) -> String {
        if let connectionError = error as? NIOConnectionError {
            if let first = connectionError.connectionErrors.first { return describe(first.error) }
            if connectionError.dnsAError != nil || connectionError.dnsAAAAError != nil {
                return "cannot resolve \(connectionError.host)"
            }
        }
        if let ioError = error as? IOError { return String(cString: strerror(ioError.errnoCode)) }
        if case ChannelError.connectTimeout = error { return "timed out connecting" }
        return "\(error)"
    }
}

/// A request on its way: the response frame to come, and how to decode it.
public struct PendingResponse<Response: KafkaResponse>: Sendable {
    let frame: EventLoopFuture<[UInt8]>
    let version: Int16
    let maxFrameSize: Int
    let broker: String

    /// Waits for the response and decodes it.
    public func response() async throws -> Response {
        let bytes = try await frame.get()
        do {
            return try KafkaFraming.decodeResponse(
                bytes, as: Response.self, version: version,
                limits: DecodingLimits(maxFrameSize: maxFrameSize)
            ).response
        } catch {
            throw KafkaClientError.protocolViolation(error, broker: broker)
        }
    }

    /// Waits until the request is written (for requests that get no response).
    public func written() async throws {
        _ = try await frame.get()
    }
}

extension String {
    /// Whether this is a literal IPv4 or IPv6 address rather than a name.
    var isIPAddress: Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, self, &v4) == 1 || inet_pton(AF_INET6, self, &v6) == 1
    }
}
