import Foundation

/// A topic's log settings, by Kafka's topic config names (`TopicConfigCatalog` lists them
/// all; those this broker does not act on are kept and described but do not change the log).
public struct LogConfig: Sendable, Equatable {
    /// `segment.bytes` (default 1 GiB): a segment this large is rolled.
    public var segmentBytes = 1 << 30
    /// `segment.ms` (default 7 days): a segment this old is rolled.
    public var segmentMs: Int64 = 7 * 24 * 3_600_000
    /// `retention.ms` (default 7 days; -1: keep forever): older segments are deleted.
    public var retentionMs: Int64 = 7 * 24 * 3_600_000
    /// `retention.bytes` (default -1: no limit): the oldest segments go while the log is larger.
    public var retentionBytes: Int64 = -1
    /// `index.interval.bytes` (default 4096): bytes between index entries.
    public var indexIntervalBytes = 4096
    /// `max.message.bytes` (default 1 MiB + 12, as Kafka): the largest batch accepted.
    public var maxMessageBytes = 1_048_588
    /// `message.timestamp.type`: CreateTime (default, the producer's) or LogAppendTime (the broker's).
    public var logAppendTime = false
    /// `message.downconversion.enable` (default true): whether readers of Fetch v0–v3 get the
    /// records down-converted to the message formats they know, or an UNSUPPORTED_VERSION error.
    public var downConversionEnabled = true

    public init() {}

    /// Applies topic configs over the defaults; a malformed value of a known name is an error.
    public init(_ configs: [String: String]) throws(LogError) {
        func integer(_ name: String) throws(LogError) -> Int64? {
            guard let text = configs[name] else { return nil }
            guard let value = Int64(text) else { throw .invalidConfig("\(name) must be an integer, not '\(text)'") }
            return value
        }
        if let value = try integer("segment.bytes") {
            guard value >= 14 else { throw .invalidConfig("segment.bytes must be at least 14") }
            segmentBytes = Int(min(value, Int64(Int32.max)))
        }
        if let value = try integer("segment.ms") {
            guard value >= 1 else { throw .invalidConfig("segment.ms must be positive") }
            segmentMs = value
        }
        if let value = try integer("retention.ms") { retentionMs = value }
        if let value = try integer("retention.bytes") { retentionBytes = value }
        if let value = try integer("index.interval.bytes") {
            guard value >= 0 else { throw .invalidConfig("index.interval.bytes must not be negative") }
            indexIntervalBytes = Int(value)
        }
        if let value = try integer("max.message.bytes") {
            guard value >= 0 else { throw .invalidConfig("max.message.bytes must not be negative") }
            maxMessageBytes = Int(value)
        }
        switch configs["message.downconversion.enable"] {
        case nil, "true": downConversionEnabled = true
        case "false": downConversionEnabled = false
        case let other?: throw .invalidConfig("message.downconversion.enable must be true or false, not '\(other)'")
        }
        switch configs["message.timestamp.type"] {
        case nil, "CreateTime": logAppendTime = false
        case "LogAppendTime": logAppendTime = true
        case let other?:
            throw .invalidConfig("message.timestamp.type must be CreateTime or LogAppendTime, not '\(other)'")
        }
        // cleanup.policy=compact is accepted but the log is not compacted: it keeps every
        // record, which readers of a compacted topic handle (compaction only saves space).
        if let policy = configs["cleanup.policy"],
            !policy.split(separator: ",").allSatisfy({
                ["delete", "compact"].contains($0.trimmingCharacters(in: .whitespaces))
            })
        {
            throw .invalidConfig("cleanup.policy must be delete and/or compact, not '\(policy)'")
        }
    }
}
