import KafkaNIO
import Logging
import NIOCore
import NIOPosix

/// The broker on the network: a SwiftNIO server on `host:port`, each connection served
/// in order (one request at a time, as Kafka brokers do), responses written as they are
/// ready. A connection that sends a frame over `socket.request.max.bytes`, an unreadable
/// request or an API this broker does not serve is closed with a log line; every other
/// connection goes on.
public final class KafkaServer: Sendable {
    public let broker: Broker
    private let serverChannel: NIOAsyncChannel<NIOAsyncChannel<[UInt8], ByteBuffer>, Never>
    private let logger: Logger

    /// The port bound (useful when the configuration asked for 0, any free port).
    public var port: Int { serverChannel.channel.localAddress?.port ?? 0 }
    public var host: String { broker.config.host }

    /// Opens the data folder (recovering it), then binds the listening socket.
    public init(config: BrokerConfig, logger: Logger = Logger(label: "weir.broker")) async throws {
        self.logger = logger
        broker = try Broker(config: config, logger: logger)
        let maxRequestBytes = config.maxRequestBytes
        serverChannel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: config.host, port: config.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(KafkaFrameDecoder(maxFrameSize: maxRequestBytes)))
                    return try NIOAsyncChannel<[UInt8], ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        broker.setAdvertised(host: config.host, port: serverChannel.channel.localAddress?.port ?? config.port)
    }

    /// Serves connections until the task is cancelled or `stop` is called; then syncs the logs.
    public func run() async throws {
        let broker = self.broker, logger = self.logger
        try await withThrowingDiscardingTaskGroup { tasks in
            tasks.addTask { await broker.runMaintenance() }
            try await serverChannel.executeThenClose { connections in
                for try await connection in connections {
                    tasks.addTask { await Self.serve(connection, broker: broker, logger: logger) }
                }
            }
            tasks.cancelAll()
        }
        broker.shutdown()
    }

    /// Stops accepting connections; `run` then returns after syncing.
    public func stop() async {
        try? await serverChannel.channel.close()
    }

    private static func serve(_ connection: NIOAsyncChannel<[UInt8], ByteBuffer>, broker: Broker, logger: Logger) async {
        let peer = connection.channel.remoteAddress?.ipAddress ?? "?"
        do {
            try await connection.executeThenClose { inbound, outbound in
                let session = broker.startSession(clientHost: "/" + peer)
                for try await frame in inbound {
                    switch await broker.handle(frame, session: session) {
                    case let .respond(bytes):
                        try await outbound.write(ByteBuffer(bytes: bytes))
                    case .noResponse:
                        continue
                    case let .close(reason):
                        logger.warning("closing the connection from \(peer): \(reason)")
                        return
                    }
                }
            }
        } catch let error as ChannelError where error == .ioOnClosedChannel || error == .eof {
            // The client went away with a request in progress: an ordinary goodbye.
            logger.debug("the connection from \(peer) closed: \(error)")
        } catch {
            logger.warning("closing the connection from \(peer): \(error)")
        }
    }
}
