import Foundation
import KafkaProtocol

/// A TCP connection that sends whatever bytes a test gives it: well-formed requests, or
/// frames no client would send. For tests of what a broker does with them.
///
/// The socket blocks, so every call runs on a queue of its own: a test waiting for an
/// answer must not hold one of Swift's few cooperative threads, which a broker in the
/// same process needs to answer.
public final class RawKafkaSocket: @unchecked Sendable {
    private let descriptor: Int32
    private var decoder = FrameDecoder()
    private let queue = DispatchQueue(label: "raw-kafka-socket")
    /// When the last `send` finished and the last frame arrived, taken on the socket's own
    /// queue: timings that do not depend on when the test's task next gets a thread.
    public private(set) var lastSentAt = ContinuousClock.now
    public private(set) var lastReceivedAt = ContinuousClock.now

    public init(port: Int, timeoutSeconds: Int = 10) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestSetupError("socket: errno \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            throw TestSetupError("connect to \(port): errno \(errno)")
        }
    }

    deinit { close(descriptor) }

    private func offThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Swift.Result { try body() }) }
        }
    }

    public func send(_ bytes: [UInt8]) async throws {
        try await offThread { try self.sendBlocking(bytes) }
    }

    /// The next frame (without its size), or nil when the peer closed the connection.
    /// Throws when nothing arrives within the timeout.
    public func readFrame() async throws -> [UInt8]? {
        try await offThread { try self.readFrameBlocking() }
    }

    private func sendBlocking(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            guard count > 0 else { throw TestSetupError("send: errno \(errno)") }
            sent += count
        }
        lastSentAt = .now
    }

    private func readFrameBlocking() throws -> [UInt8]? {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let frame = try decoder.nextFrame() {
                lastReceivedAt = .now
                return frame
            }
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { return nil }
            if count < 0 {
                if errno == ECONNRESET { return nil }
                throw TestSetupError("no answer within the timeout (errno \(errno))")
            }
            decoder.feed(chunk[..<count])
        }
    }

    /// Whether the peer closed the connection: reads (and drops) frames until it does, or
    /// until nothing arrives within the timeout (false).
    public func closedByPeer() async -> Bool {
        while true {
            do {
                if try await readFrame() == nil { return true }
            } catch {
                return false
            }
        }
    }

    /// Sends `request` and decodes the answer.
    public func roundTrip<Request: KafkaRequest>(
        _ request: Request, version: Int16, correlationId: Int32 = 7
    ) async throws -> Request.Response {
        try await send(
            KafkaFraming.encodeRequest(request, version: version, correlationId: correlationId, clientId: "raw-test"))
        guard let frame = try await readFrame() else {
            throw TestSetupError("the broker closed the connection instead of answering")
        }
        let (id, response) = try KafkaFraming.decodeResponse(frame, as: Request.Response.self, version: version)
        guard id == correlationId else {
            throw TestSetupError("answer to correlation id \(id), expected \(correlationId)")
        }
        return response
    }
}
