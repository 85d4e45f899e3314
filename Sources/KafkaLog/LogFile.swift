#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One open file of a log, with the POSIX calls the log needs: positional reads,
/// appends, truncation and syncing. Not thread-safe: its owner (a segment, under
/// its partition's lock) serialises access.
final class LogFile {
    let path: String
    private let descriptor: Int32
    /// Bytes in the file, as this object has written or found them.
    private(set) var size: Int

    /// Opens `path` for reading and appending, creating it when `create` is set.
    init(path: String, create: Bool) throws(LogError) {
        self.path = path
        let flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0)
        descriptor = open(path, flags, 0o644)
        guard descriptor >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let error = errno
            close(descriptor)
            throw .io(operation: "stat", path: path, errno: error)
        }
        size = Int(status.st_size)
    }

    deinit { close(descriptor) }

    /// Appends `bytes` at the end of the file.
    func append(_ bytes: UnsafeRawBufferPointer) throws(LogError) {
        var written = 0
        while written < bytes.count {
            let result = pwrite(descriptor, bytes.baseAddress! + written, bytes.count - written, off_t(size + written))
            if result < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "write", path: path, errno: errno)
            }
            written += result
        }
        size += written
    }

    func append(_ bytes: [UInt8]) throws(LogError) {
        // withUnsafeBytes rethrows untyped errors: carry the LogError out as a value.
        let failure: LogError? = bytes.withUnsafeBytes { raw in
            do throws(LogError) { try append(raw) } catch { return error }
            return nil
        }
        if let failure { throw failure }
    }

    /// Reads `count` bytes at `position` (fewer at the end of the file).
    func read(at position: Int, count: Int) throws(LogError) -> [UInt8] {
        let wanted = max(0, min(count, size - position))
        guard wanted > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: wanted)
        var done = 0
        let failure: Int32? = bytes.withUnsafeMutableBytes { buffer in
            while done < wanted {
                let result = pread(descriptor, buffer.baseAddress! + done, wanted - done, off_t(position + done))
                if result < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if result == 0 { break }
                done += result
            }
            return nil
        }
        if let failure { throw .io(operation: "read", path: path, errno: failure) }
        if done < wanted { bytes.removeSubrange(done...) }
        return bytes
    }

    /// Cuts the file to `length` bytes.
    func truncate(to length: Int) throws(LogError) {
        guard ftruncate(descriptor, off_t(length)) == 0 else {
            throw .io(operation: "truncate", path: path, errno: errno)
        }
        size = length
    }

    /// Makes what was written durable (data, not necessarily metadata).
    func sync() throws(LogError) {
        guard fdatasync(descriptor) == 0 else { throw .io(operation: "sync", path: path, errno: errno) }
    }
}

/// What can go wrong in the log, with enough context for one line.
public enum LogError: Error, Sendable, Equatable, CustomStringConvertible {
    case io(operation: String, path: String, errno: Int32)
    /// The requested offset is outside the log: below its start or beyond its end.
    case offsetOutOfRange(requested: Int64, logStart: Int64, logEnd: Int64)
    /// A batch is damaged (bad CRC, impossible lengths) and was not stored.
    case corruptBatch(String)
    /// A batch is larger than `max.message.bytes`.
    case batchTooLarge(size: Int, limit: Int)
    /// A configuration value is not valid.
    case invalidConfig(String)
    /// An idempotent producer's batch does not follow its previous one.
    case outOfOrderSequence(expected: Int32, received: Int32)
    /// An idempotent producer writes with an epoch older than the partition has seen (it was fenced).
    case staleProducerEpoch(current: Int16)
    /// An idempotent producer continues a sequence the partition has no record of.
    case unknownProducer

    public var description: String {
        switch self {
        case let .io(operation, path, code): return "\(operation) \(path): \(String(cString: strerror(code)))"
        case let .offsetOutOfRange(requested, logStart, logEnd):
            return "offset \(requested) is outside the log [\(logStart), \(logEnd))"
        case let .corruptBatch(reason): return "corrupt record batch: \(reason)"
        case let .batchTooLarge(size, limit):
            return "a record batch of \(size) bytes is larger than max.message.bytes (\(limit))"
        case let .invalidConfig(reason): return "invalid configuration: \(reason)"
        case let .outOfOrderSequence(expected, received):
            return "out-of-order sequence number \(received), expected \(expected)"
        case let .staleProducerEpoch(current): return "producer epoch is older than \(current)"
        case .unknownProducer: return "unknown producer id"
        }
    }
}

/// Writes a whole file so that a crash leaves either the old or the new content:
/// a temporary file is written and synced, renamed over the old one, and the folder synced.
public func writeAtomically(_ bytes: [UInt8], to path: String) throws(LogError) {
    let temporary = path + ".tmp"
    let file = try LogFile(path: temporary, create: true)
    try file.truncate(to: 0)
    try file.append(bytes)
    try file.sync()
    guard rename(temporary, path) == 0 else { throw .io(operation: "rename", path: path, errno: errno) }
    syncFolder(containing: path)
}

/// fsyncs a folder so that a file created, renamed or removed in it survives a crash.
func syncFolder(containing path: String) {
    let folder = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    let descriptor = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard descriptor >= 0 else { return }
    fsync(descriptor)
    close(descriptor)
}
