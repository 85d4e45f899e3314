import KafkaNIO
import KafkaProtocol
import NIOCore
import NIOSSL

/// One request on its way out: an encoded frame whose correlation id the handler fills in.
struct OutboundRequest {
    /// The whole frame, size prefix included, with any correlation id in bytes 8–11.
    var frame: [UInt8]
    var api: ApiKey
    /// Produce with acks=0 gets no response; its promise succeeds once written.
    var expectsResponse: Bool
    var timeoutMs: Int
    var promise: EventLoopPromise<[UInt8]>
}

/// Pipelines requests on one connection: numbers each with a correlation id,
/// matches responses back by that id, fails a request that outlives its timeout,
/// and fails everything still waiting when the connection closes.
/// Runs on the channel's event loop only.
final class KafkaRequestHandler: ChannelDuplexHandler {
    typealias InboundIn = [UInt8]
    typealias OutboundIn = OutboundRequest
    typealias OutboundOut = ByteBuffer

    private struct Waiting {
        var api: ApiKey
        var promise: EventLoopPromise<[UInt8]>
        var timeout: Scheduled<Void>
    }

    private let brokerName: String
    private var nextCorrelationId: Int32 = 1
    private var waiting: [Int32: Waiting] = [:]
    /// Correlation ids of the latest requests sent without expecting an answer (Produce with
    /// acks=0), oldest first. Kafka brokers send nothing back; some (Tansu) answer anyway, and
    /// such an answer is dropped rather than taken for a stream out of step.
    private var unanswered: [Int32] = []
    private static let unansweredKept = 256

    /// Why the connection failed, once it has: what later requests fail with.
    private var failure: KafkaClientError?

    init(brokerName: String) {
        self.brokerName = brokerName
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise writePromise: EventLoopPromise<Void>?) {
        var request = unwrapOutboundIn(data)
        // The connection already failed (a TLS handshake can fail before the first request is
        // written): the request gets that failure, not a vaguer one later.
        if let failure {
            request.promise.fail(failure)
            writePromise?.fail(failure)
            return
        }
        let correlationId = nextCorrelationId
        nextCorrelationId = nextCorrelationId == Int32.max ? 1 : nextCorrelationId + 1
        withUnsafeBytes(of: correlationId.bigEndian) { request.frame.replaceSubrange(8..<12, with: $0) }
        let buffer = context.channel.allocator.buffer(bytes: request.frame)
        if request.expectsResponse {
            let api = request.api, timeoutMs = request.timeoutMs, broker = brokerName
            // The timer fires on this handler's event loop, the only place the handler is touched.
            let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
            let timeout = context.eventLoop.scheduleTask(in: .milliseconds(Int64(timeoutMs))) {
                guard let expired = handler.value.waiting.removeValue(forKey: correlationId) else { return }
                expired.promise.fail(KafkaClientError.timedOut(api: api, broker: broker, afterMs: timeoutMs))
            }
            waiting[correlationId] = Waiting(api: request.api, promise: request.promise, timeout: timeout)
            context.write(wrapOutboundOut(buffer), promise: writePromise)
        } else {
            unanswered.append(correlationId)
            if unanswered.count > Self.unansweredKept { unanswered.removeFirst(unanswered.count - Self.unansweredKept) }
            let sent = context.eventLoop.makePromise(of: Void.self)
            sent.futureResult.map { [] as [UInt8] }.cascade(to: request.promise)
            context.write(wrapOutboundOut(buffer), promise: sent)
            writePromise?.succeed()
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        guard let correlationId = KafkaFraming.peekCorrelationId(frame),
            let request = waiting.removeValue(forKey: correlationId)
        else {
            if let correlationId = KafkaFraming.peekCorrelationId(frame),
                let index = unanswered.firstIndex(of: correlationId)
            {
                unanswered.remove(at: index) // an answer to a request that asked for none
                return
            }
            // A response to nothing we asked: the stream is out of step; drop the connection.
            context.close(promise: nil)
            return
        }
        request.timeout.cancel()
        request.promise.succeed(frame)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let closed = failure ?? KafkaClientError.connectionClosed(broker: brokerName)
        failure = closed
        failAll(closed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        let reported: KafkaClientError
        if let protocolError = error as? ProtocolError {
            reported = .protocolViolation(protocolError, broker: brokerName)
        } else if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            reported = .tlsFailed(broker: brokerName, reason: Self.describeTLS(error))
        } else {
            reported = .connectionClosed(broker: brokerName)
        }
        // The first failure is the one to report: the close that follows it says less.
        if failure == nil || failure == .connectionClosed(broker: brokerName) { failure = reported }
        failAll(failure!)
        context.close(promise: nil)
    }

    /// The common TLS failures in words, with what to check; others as NIOSSL words them.
    static func describeTLS(_ error: Error) -> String {
        let text = "\(error)"
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return "the broker's certificate is not trusted (is ssl.ca.location the CA that signed it?)"
        }
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return
                "the broker's certificate is not for this host name or address (ssl.endpoint.identification.algorithm=none skips this check)"
        }
        if text.contains("WRONG_VERSION_NUMBER") || text.contains("PACKET_LENGTH_TOO_LONG") {
            return "the broker does not speak TLS on this port (security.protocol?)"
        }
        return text
    }

    private func failAll(_ error: KafkaClientError) {
        let all = waiting
        waiting = [:]
        for request in all.values {
            request.timeout.cancel()
            request.promise.fail(error)
        }
    }
}
