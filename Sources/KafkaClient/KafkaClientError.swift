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
    /// The TLS handshake failed (an untrusted certificate, a wrong host name, ...).
    case tlsFailed(broker: String, reason: String)
    /// SASL authentication was refused, or the broker could not prove it knows the password.
    case authenticationFailed(broker: String, reason: String)
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
        case let .tlsFailed(broker, reason): return "TLS with \(broker) failed: \(reason)"
        case let .authenticationFailed(broker, reason): return "authentication with \(broker) failed: \(reason)"
        case let .groupDidNotSettle(group, afterMs, lastError):
            return "group \(group) did not settle within \(afterMs) ms"
                + (lastError == .none ? "" : " (the coordinator kept answering \(lastError.name))")
        case .closed: return "the client is closed"
        }
    }

    /// A refusal of this client's settings or credentials (TLS, SASL, configuration),
    /// which trying again, or another broker of the cluster, will not change.
    public var isRefusal: Bool {
        switch self {
        case .tlsFailed, .authenticationFailed, .configuration: return true
        default: return false
        }
    }

    /// A failure of one request that says nothing about the next: its connection closed
    /// under it, or the broker answered a retriable error code.
    var failedInPassing: Bool {
        switch self {
        case .connectionClosed: return true
        case let .broker(code, _): return code.isRetriable
        default: return false
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
