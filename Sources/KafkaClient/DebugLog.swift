import Foundation

/// librdkafka's `debug` property: a comma-separated list of contexts whose steps
/// are written to standard error (`cgrp` group membership, `msg` producer
/// batches and retries, `all`). For diagnosing a client against a broker that
/// misbehaves; off by default.
struct DebugLog: Sendable {
    enum Context: String, Sendable {
        case consumerGroup = "cgrp"
        case producer = "msg"
        case consumer = "fetch"
    }

    private let enabled: Set<String>

    init(config: ClientConfig) {
        enabled = Set((config["debug"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }

    func isOn(_ context: Context) -> Bool { enabled.contains(context.rawValue) || enabled.contains("all") }

    func callAsFunction(_ context: Context, _ message: @autoclosure () -> String) {
        guard isOn(context) else { return }
        FileHandle.standardError.write(Data("weir \(context.rawValue): \(message())\n".utf8))
    }
}
