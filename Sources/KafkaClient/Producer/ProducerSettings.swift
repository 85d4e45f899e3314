import KafkaProtocol

/// A producer's settings, by the Java client's and librdkafka's property names.
struct ProducerSettings: Sendable {
    /// `linger.ms` (default 5): how long a batch waits for more records before it is sent.
    var lingerMs: Int
    /// `batch.size` (bytes, default 1,000,000): a batch this full is sent at once.
    var batchSize: Int
    /// `acks`: 0, 1 or -1 (all, the default).
    var acks: Int16
    /// `compression.type` (or librdkafka's `compression.codec`).
    var compression: CompressionCodec
    /// `retries` (default: no limit but the delivery timeout).
    var retries: Int
    /// `retry.backoff.ms` (100), doubling per attempt up to `retry.backoff.max.ms` (1000).
    var retryBackoffMs: Int
    var retryBackoffMaxMs: Int
    /// `delivery.timeout.ms` (or librdkafka's `message.timeout.ms`; default 120 s): a batch
    /// not acknowledged this long after it was sealed fails with its last error.
    var deliveryTimeoutMs: Int
    /// `request.timeout.ms`: also the broker's wait for acks=all.
    var requestTimeoutMs: Int
    /// `max.in.flight.requests.per.connection` (default 5): unanswered batches per partition.
    var maxInFlight: Int
    /// `enable.idempotence`: on by default with acks=all, as in the Java client.
    var idempotent: Bool

    init(config: ClientConfig) throws(KafkaClientError) {
        lingerMs = max(try config.integer("linger.ms", default: 5), 0)
        batchSize = max(try config.integer("batch.size", default: 1_000_000), 1)
        switch config["acks"] ?? config["request.required.acks"] ?? "all" {
        case "all", "-1": acks = -1
        case "0": acks = 0
        case "1": acks = 1
        case let other: throw .configuration("acks must be all, -1, 0 or 1, not '\(other)'")
        }
        let codecName = config["compression.type"] ?? config["compression.codec"] ?? "none"
        guard let codec = CompressionCodec(name: codecName) else {
            throw .configuration("compression.type must be none, gzip, snappy, lz4 or zstd, not '\(codecName)'")
        }
        compression = codec
        retries = try config.integer("retries", default: Int(Int32.max))
        retryBackoffMs = try config.integer("retry.backoff.ms", default: 100)
        retryBackoffMaxMs = max(try config.integer("retry.backoff.max.ms", default: 1_000), retryBackoffMs)
        deliveryTimeoutMs = try config.integer(
            "delivery.timeout.ms", default: try config.integer("message.timeout.ms", default: 120_000))
        requestTimeoutMs = try config.requestTimeoutMs()
        maxInFlight = max(try config.integer("max.in.flight.requests.per.connection", default: 5), 1)
        switch config["enable.idempotence"] {
        case nil:
            idempotent = acks == -1
        case "true":
            guard acks == -1 else { throw .configuration("enable.idempotence=true needs acks=all") }
            guard maxInFlight <= 5 else {
                throw .configuration("enable.idempotence=true allows at most 5 max.in.flight.requests.per.connection")
            }
            idempotent = true
        case "false":
            idempotent = false
        case let other?:
            throw .configuration("enable.idempotence must be true or false, not '\(other)'")
        }
        if idempotent { maxInFlight = min(maxInFlight, 5) }
    }

    /// The pause before attempt `attempt` (1 for the first retry).
    func backoffNanoseconds(attempt: Int) -> UInt64 {
        let milliseconds = min(retryBackoffMs << min(max(attempt - 1, 0), 16), retryBackoffMaxMs)
        return UInt64(milliseconds) * 1_000_000
    }
}
