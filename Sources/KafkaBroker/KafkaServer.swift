import Foundation
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
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(KafkaFrameDecoder(maxFrameSize: maxRequestBytes)))
                    return try NIOAsyncChannel<[UInt8], ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        broker.setAdvertised(host: config.host, port: serverChannel.channel.localAddress?.port ?? config.port)
    }

    /// Serves connections until the task is cancelled or `stop` is called; then syncs the logs.
    /// Everything runs on the broker's own threads (`BrokerExecutor`), whatever else the
    /// process keeps busy.
    public func run() async throws {
        let broker = self.broker, logger = self.logger, serverChannel = self.serverChannel
        try await withTaskExecutorPreference(BrokerExecutor.shared) {
            try await withThrowingDiscardingTaskGroup { tasks in
                tasks.addTask { await broker.runMaintenance() }
                try await serverChannel.executeThenClose { connections in
                    for try await connection in connections {
                        tasks.addTask { await Self.serve(connection, broker: broker, logger: logger) }
                    }
                }
                tasks.cancelAll()
            }
        }
        broker.shutdown()
    }

    /// Stops accepting connections; `run` then returns after syncing.
    public func stop() async {
        try? await serverChannel.channel.close()
    }

    /// An answer to write, in the order the requests came.
    private enum Answer: Sendable {
        case ready([UInt8])
        case pending(Task<[UInt8], Never>)
    }

    /// Serves one connection: a reader handles each request in order (as Kafka brokers do)
    /// and a writer sends the answers in the same order; an answer that waits (acks=all
    /// until durable) does not hold up the requests behind it, so a client that pipelines
    /// them (librdkafka does) keeps its batches flowing while a sync is under way.
    private static func serve(_ connection: NIOAsyncChannel<[UInt8], ByteBuffer>, broker: Broker, logger: Logger) async
    {
        let peer = connection.channel.remoteAddress?.ipAddress ?? "?"
        do {
            try await connection.executeThenClose { inbound, outbound in
                let session = broker.startSession(clientHost: "/" + peer)
                let (answers, queue) = AsyncStream.makeStream(of: Answer.self)
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask {
                        for await answer in answers {
                            switch answer {
                            case let .ready(bytes): try await outbound.write(ByteBuffer(bytes: bytes))
                            case let .pending(task): try await outbound.write(ByteBuffer(bytes: await task.value))
                            }
                        }
                    }
                    reading: for try await frame in inbound {
                        switch await broker.handle(frame, session: session) {
                        case let .respond(bytes):
                            queue.yield(.ready(bytes))
                        case let .respondLater(answer):
                            queue.yield(.pending(Task(executorPreference: BrokerExecutor.shared) { await answer() }))
                        case .noResponse:
                            continue
                        case let .close(reason):
                            logger.warning("closing the connection from \(peer): \(reason)")
                            break reading
                        }
                    }
                    // The answers already owed are written before the connection closes.
                    queue.finish()
                    try await tasks.waitForAll()
                }
            }
        } catch let error as ChannelError where error == .ioOnClosedChannel || error == .eof {
            // The client went away with a request in progress: an ordinary goodbye.
            logger.debug("the connection from \(peer) closed: \(error)")
        } catch let error as IOError where error.errnoCode == ECONNRESET || error.errnoCode == EPIPE {
            // A client that exits without closing its sockets (kafka-python's producers do) resets them.
            logger.debug("the connection from \(peer) was reset: \(error)")
        } catch {
            logger.warning("closing the connection from \(peer): \(error)")
        }
    }
}
