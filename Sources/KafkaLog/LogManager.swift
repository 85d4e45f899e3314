import Foundation

/// The partition logs under one data folder, laid out as Kafka's log directory:
///
/// ```
/// DATA/
///   log-start-offset-checkpoint        first readable offset per partition (Checkpoint format)
///   orders-0/00000000000000000000.log  one folder per partition, segments in each
///   orders-0/00000000000000000000.index
///   orders-0/00000000000000000000.timeindex
///   orders-1/...
/// ```
///
/// Topic definitions (partition counts, configs) are the broker's business and kept
/// beside these (`TopicStore`). Thread safety: every method may be called from any thread.
public final class LogManager: @unchecked Sendable {
    public let root: String
    private let lock = NSLock()
    private var logs: [String: [Int32: PartitionLog]] = [:]
    private var checkpointedStarts: [String: Int64] = [:]

    /// Opens every partition folder found in `root` (creating `root` if needed), recovering
    /// each one's newest segment. `configs` gives each topic's log settings (defaults otherwise).
    public init(root: String, configs: [String: LogConfig] = [:]) throws(LogError) {
        self.root = root
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            throw .io(operation: "mkdir", path: root, errno: EIO)
        }
        let starts =
            (try? LogFile(path: root + "/log-start-offset-checkpoint", create: false))
            .flatMap { try? $0.read(at: 0, count: $0.size) }
            .flatMap(Checkpoint.decode) ?? [:]
        checkpointedStarts = starts
        for name in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
            guard let dash = name.lastIndex(of: "-"), let partition = Int32(name[name.index(after: dash)...]) else {
                continue
            }
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root + "/" + name, isDirectory: &isFolder), isFolder.boolValue
            else { continue }
            let topic = String(name[..<dash])
            let log = try PartitionLog(
                opening: root + "/" + name, topic: topic, partition: partition,
                config: configs[topic] ?? LogConfig(), logStartOffset: starts["\(topic) \(partition)"])
            logs[topic, default: [:]][partition] = log
        }
    }

    private func locked<Result>(_ body: () throws(LogError) -> Result) throws(LogError) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// The topics that have partition folders.
    public var topics: [String] { (try? locked { logs.keys.sorted() }) ?? [] }

    public func log(topic: String, partition: Int32) -> PartitionLog? {
        try? locked { logs[topic]?[partition] }
    }

    public func partitions(of topic: String) -> [PartitionLog] {
        (try? locked { (logs[topic] ?? [:]).sorted { $0.key < $1.key }.map(\.value) }) ?? []
    }

    /// Every partition log.
    public var allLogs: [PartitionLog] { (try? locked { logs.values.flatMap(\.values) }) ?? [] }

    /// Creates the partition logs `partitions` of `topic` that do not exist yet.
    public func createPartitions(topic: String, _ partitions: Range<Int32>, config: LogConfig) throws(LogError) {
        try locked { () throws(LogError) in
            for partition in partitions where logs[topic]?[partition] == nil {
                logs[topic, default: [:]][partition] = try PartitionLog(
                    creatingIn: root, topic: topic, partition: partition, config: config)
            }
        }
    }

    /// Deletes every partition of `topic`, files included.
    public func deleteTopic(_ topic: String) {
        let removed = (try? locked { logs.removeValue(forKey: topic) ?? [:] }) ?? [:]
        for log in removed.values { log.deleteFolder() }
        try? checkpointLogStartOffsets()
    }

    /// Records each partition's log start offset in `log-start-offset-checkpoint` when any
    /// changed since the last time (after DeleteRecords and retention).
    public func checkpointLogStartOffsets() throws(LogError) {
        let current = Dictionary(
            uniqueKeysWithValues: allLogs.map { ("\($0.topic) \($0.partition)", $0.logStartOffset) })
        let changed = try locked { () throws(LogError) -> Bool in
            guard current != checkpointedStarts else { return false }
            checkpointedStarts = current
            return true
        }
        if changed { try writeAtomically(Checkpoint.encode(current), to: root + "/log-start-offset-checkpoint") }
    }
}
