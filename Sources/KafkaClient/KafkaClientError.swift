import KafkaProtocol

/// What can go wrong talking to Kafka, each case with enough context for one clear line.
public enum KafkaClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A property is missing or malformed.
    case configuration(String)
    /// The TCP connection could not be made within the connect timeout.
    case connectionFailed(broker: String, reason: String)
    /// The connection closed while requests were waiting.
    case connectionClosed(broker: String)
    /// A request got no response within `request.timeout.ms`.
    case timedOut(api: ApiKey, broker: String, afterMs: Int)
    /// The broker speaks no version of an API that this client also speaks.
    case unsupportedApi(api: ApiKey, broker: String)
    /// The broker answered with an error code.
    case broker(ErrorCode, context: String)
    /// Bytes from the broker could not be decoded.
    case protocolViolation(ProtocolError, broker: String)
    /// None of the bootstrap servers answered; why, for each.
    case noBrokerAvailable([String])
    /// The topic or partition is not in the cluster's metadata.
    case unknownTopicOrPartition(String)
    /// A consumer group kept rebalancing and never gave this member an assignment.
    case groupDidNotSettle(group: String, afterMs: Int, lastError: ErrorCode)
    /// The client was closed.
    case closed

    public var description: String {
        switch self {
        case let .configuration(message): return "configuration: \(message)"
        case let .connectionFailed(broker, reason): return "cannot connect to \(broker): \(reason)"
        case let .connectionClosed(broker): return "connection to \(broker) closed"
        case let .timedOut(api, broker, afterMs): return "\(api) request to \(broker) timed out after \(afterMs) ms"
        case let .unsupportedApi(api, broker): return "\(broker) does not support any \(api) version this client speaks"
        case let .broker(code, context): return "\(context): \(code.name): \(code.message)"
        case let .protocolViolation(error, broker): return "bad response from \(broker): \(error)"
        case let .noBrokerAvailable(failures): return "no broker reachable: \(failures.joined(separator: "; "))"
        case let .unknownTopicOrPartition(name): return "unknown topic or partition: \(name)"
        case let .groupDidNotSettle(group, afterMs, lastError):
            return "group \(group) did not settle within \(afterMs) ms" + (lastError == .none ? "" : " (the coordinator kept answering \(lastError.name))")
        case .closed: return "the client is closed"
        }
    }

    /// Whether retrying after a metadata refresh or a pause may help.
    public var isRetriable: Bool {
        switch self {
        case .connectionClosed, .timedOut, .connectionFailed, .noBrokerAvailable: return true
        case let .broker(code, _): return code.isRetriable
        default: return false
        }
    }
}
