import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A TCP proxy on 127.0.0.1 in front of a broker, which can misbehave on purpose:
/// lose the response to a Produce request after the broker has handled it (so a
/// producer must retry a batch the broker already wrote), or go down and come
/// back (an outage the broker's data survives, unlike restarting Tansu's memory
/// storage). Start the broker advertising the proxy's port, so clients reach the
/// broker only through it.
public final class FaultyProxy: @unchecked Sendable {
    public let port: Int
    let targetPort: Int
    private let server: Channel
    private let state = NIOLockedValueBox(State())

    struct State {
        var down = false
        var produceResponsesToLose = 0
        var lostProduceResponses = 0
        /// Connections turned away while down (a client retrying knocks again).
        var refusedConnections = 0
        var open: [ObjectIdentifier: Channel] = [:]
    }

    /// Listens on a free port and forwards to `targetPort`; or on `port` when given.
    public init(targetPort: Int, port: Int? = nil) throws {
        self.targetPort = targetPort
        let box = state
        let target = targetPort
        server = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { client in
                let down = box.withLockedValue { state in
                    if state.down { state.refusedConnections += 1 }
                    return state.down
                }
                guard !down else { return client.close() }
                box.withLockedValue { $0.open[ObjectIdentifier(client)] = client }
                client.closeFuture.whenComplete { _ in
                    _ = box.withLockedValue { $0.open.removeValue(forKey: ObjectIdentifier(client)) }
                }
                return ClientBootstrap(group: client.eventLoop)
                    .channelInitializer { backend in
                        backend.pipeline.addHandler(ResponseRelay(client: client, state: box))
                    }
                    .connect(host: "127.0.0.1", port: target)
                    .flatMap { backend in
                        box.withLockedValue { $0.open[ObjectIdentifier(backend)] = backend }
                        backend.closeFuture.whenComplete { _ in
                            _ = box.withLockedValue { $0.open.removeValue(forKey: ObjectIdentifier(backend)) }
                            client.close(promise: nil)
                        }
                        client.closeFuture.whenComplete { _ in backend.close(promise: nil) }
                        return client.pipeline.addHandler(RequestRelay(backend: backend, state: box))
                    }
            }
            .bind(host: "127.0.0.1", port: port ?? 0).wait()
        self.port = server.localAddress!.port!
    }

    deinit { try? server.close().wait() }

    /// The next `count` Produce responses are not passed on: the connection is cut instead.
    public func loseProduceResponses(_ count: Int = 1) {
        state.withLockedValue { $0.produceResponsesToLose += count }
    }

    /// How many Produce responses were lost so far.
    public var lostProduceResponses: Int { state.withLockedValue { $0.lostProduceResponses } }
    public var refusedConnections: Int { state.withLockedValue { $0.refusedConnections } }

    /// Down: every connection is cut and new ones are closed at once. Up: forwarding again.
    public func setDown(_ down: Bool) {
        let channels = state.withLockedValue { state -> [Channel] in
            state.down = down
            return down ? Array(state.open.values) : []
        }
        for channel in channels { channel.close(promise: nil) }
    }
}

/// Kafka frames out of a byte stream: a 4-byte size, then that many bytes.
struct FrameSplitter {
    private var pending: [UInt8] = []

    mutating func feed(_ buffer: ByteBuffer) -> [[UInt8]] {
        pending += buffer.readableBytesView
        var frames: [[UInt8]] = []
        while pending.count >= 4 {
            let size = Int(pending[0]) << 24 | Int(pending[1]) << 16 | Int(pending[2]) << 8 | Int(pending[3])
            guard pending.count >= 4 + size else { break }
            frames.append(Array(pending[0..<4 + size]))
            pending.removeFirst(4 + size)
        }
        return frames
    }
}

/// Client to broker: passes requests on and notes the correlation ids of Produce requests.
final class RequestRelay: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let backend: Channel
    let state: NIOLockedValueBox<FaultyProxy.State>
    private var splitter = FrameSplitter()

    init(backend: Channel, state: NIOLockedValueBox<FaultyProxy.State>) {
        self.backend = backend
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        for frame in splitter.feed(unwrapInboundIn(data)) {
            let apiKey = Int16(frame[4]) << 8 | Int16(frame[5])
            if apiKey == 0 {
                ProduceLedger.shared.note(correlation: Array(frame[8..<12]), on: ObjectIdentifier(backend))
            }
            backend.writeAndFlush(backend.allocator.buffer(bytes: frame), promise: nil)
        }
    }
}

/// Broker to client: passes responses on, except a Produce response the proxy was told to lose.
final class ResponseRelay: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let client: Channel
    let state: NIOLockedValueBox<FaultyProxy.State>
    private var splitter = FrameSplitter()

    init(client: Channel, state: NIOLockedValueBox<FaultyProxy.State>) {
        self.client = client
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        for frame in splitter.feed(unwrapInboundIn(data)) {
            let isProduce = ProduceLedger.shared.take(
                correlation: Array(frame[4..<8]), on: ObjectIdentifier(context.channel))
            let lose =
                isProduce
                && state.withLockedValue { state in
                    guard state.produceResponsesToLose > 0 else { return false }
                    state.produceResponsesToLose -= 1
                    state.lostProduceResponses += 1
                    return true
                }
            if lose {
                // The broker has written the batch; the client never hears so.
                client.close(promise: nil)
                context.close(promise: nil)
                return
            }
            client.writeAndFlush(client.allocator.buffer(bytes: frame), promise: nil)
        }
    }
}

/// Which correlation ids on which backend connection are Produce requests.
final class ProduceLedger: @unchecked Sendable {
    static let shared = ProduceLedger()
    private let entries = NIOLockedValueBox<Set<String>>([])

    func note(correlation: [UInt8], on connection: ObjectIdentifier) {
        _ = entries.withLockedValue { $0.insert("\(connection.hashValue)/\(correlation)") }
    }

    func take(correlation: [UInt8], on connection: ObjectIdentifier) -> Bool {
        entries.withLockedValue { $0.remove("\(connection.hashValue)/\(correlation)") != nil }
    }
}
