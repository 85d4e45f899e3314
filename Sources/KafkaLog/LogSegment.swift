import Foundation
import KafkaProtocol

/// One segment of a partition's log: `<base>.log` holding record batches back to back
/// exactly as produced (with their offsets assigned), and the sparse `<base>.index` and
/// `<base>.timeindex` beside it (see `OffsetIndex`, `TimeIndex`). `<base>` is the first
/// offset the segment may hold, 20 digits with leading zeros, as in Kafka.
///
/// Concurrency: owned by a `PartitionLog` and used only under its lock.
final class LogSegment {
    let baseOffset: Int64
    let folder: String
    private let log: LogFile
    private let offsetIndexFile: LogFile
    private let timeIndexFile: LogFile
    private var offsetIndex = OffsetIndex()
    private var timeIndex = TimeIndex()
    private let indexIntervalBytes: Int
    private var bytesSinceIndexEntry = 0
    /// The offset after the last batch (the segment's share of the log end offset).
    private(set) var nextOffset: Int64
    /// The largest record timestamp in the segment (-1 when empty): retention by time uses it.
    private(set) var largestTimestamp: Int64 = -1
    /// When the segment was created (or, for one found on disk, last modified): `segment.ms` counts from it.
    let createdAt: Date
    /// Whether bytes were appended since the last sync.
    private(set) var isDirty = false

    var size: Int { log.size }
    var isEmpty: Bool { log.size == 0 }

    static func fileName(_ baseOffset: Int64, _ suffix: String) -> String {
        let digits = String(baseOffset)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + suffix
    }

    /// Creates a new, empty segment.
    init(creatingIn folder: String, baseOffset: Int64, indexIntervalBytes: Int) throws(LogError) {
        self.folder = folder
        self.baseOffset = baseOffset
        self.indexIntervalBytes = indexIntervalBytes
        log = try LogFile(path: folder + "/" + Self.fileName(baseOffset, ".log"), create: true)
        offsetIndexFile = try LogFile(path: folder + "/" + Self.fileName(baseOffset, ".index"), create: true)
        timeIndexFile = try LogFile(path: folder + "/" + Self.fileName(baseOffset, ".timeindex"), create: true)
        try log.truncate(to: 0)
        try offsetIndexFile.truncate(to: 0)
        try timeIndexFile.truncate(to: 0)
        nextOffset = baseOffset
        createdAt = Date()
        syncFolder(containing: log.path)
    }

    /// Opens a segment found on disk. With `recover`, every batch is read and its CRC checked,
    /// a damaged or torn tail is cut off, and the indexes are rebuilt; without, the indexes are
    /// loaded and rebuilt only if missing or damaged, and batch headers give the next offset.
    ///
    /// - Returns: the segment, and how many bytes recovery cut from the end of the `.log`.
    static func open(
        in folder: String, baseOffset: Int64, indexIntervalBytes: Int, recover: Bool
    ) throws(LogError) -> (LogSegment, Int) {
        let segment = try LogSegment(openingIn: folder, baseOffset: baseOffset, indexIntervalBytes: indexIntervalBytes)
        let cut = try segment.load(recover: recover)
        return (segment, cut)
    }

    private init(openingIn folder: String, baseOffset: Int64, indexIntervalBytes: Int) throws(LogError) {
        self.folder = folder
        self.baseOffset = baseOffset
        self.indexIntervalBytes = indexIntervalBytes
        let logPath = folder + "/" + Self.fileName(baseOffset, ".log")
        log = try LogFile(path: logPath, create: false)
        offsetIndexFile = try LogFile(path: folder + "/" + Self.fileName(baseOffset, ".index"), create: true)
        timeIndexFile = try LogFile(path: folder + "/" + Self.fileName(baseOffset, ".timeindex"), create: true)
        nextOffset = baseOffset
        let attributes = try? FileManager.default.attributesOfItem(atPath: logPath)
        createdAt = attributes?[.modificationDate] as? Date ?? Date()
    }

    /// Loads or rebuilds the indexes; returns the bytes cut from a damaged tail.
    private func load(recover: Bool) throws(LogError) -> Int {
        if !recover,
            let offsets = OffsetIndex.decode(
                try offsetIndexFile.read(at: 0, count: offsetIndexFile.size), logSize: log.size),
            let last = try lastBatch(scanningFrom: offsets.positions.last.map(Int.init) ?? 0)
        {
            let relativeEnd = last.header.lastOffset + 1 - baseOffset
            if let times = TimeIndex.decode(
                try timeIndexFile.read(at: 0, count: timeIndexFile.size), segmentRelativeEnd: relativeEnd)
            {
                offsetIndex = offsets
                timeIndex = times
                nextOffset = last.header.lastOffset + 1
                largestTimestamp = max(times.lastTimestamp ?? -1, last.header.maxTimestamp)
                bytesSinceIndexEntry = log.size - (offsets.positions.last.map(Int.init) ?? 0)
                return 0
            }
        }
        return try rebuild(checkingChecksums: recover)
    }

    /// Reads every batch from the start, rebuilding both indexes; stops at the first batch
    /// that is cut short or (with `checkingChecksums`) damaged, and cuts the file there.
    private func rebuild(checkingChecksums: Bool) throws(LogError) -> Int {
        offsetIndex = OffsetIndex()
        timeIndex = TimeIndex()
        bytesSinceIndexEntry = 0
        largestTimestamp = -1
        nextOffset = baseOffset
        var offsetEntries: [UInt8] = [], timeEntries: [UInt8] = []
        var position = 0
        while position < log.size {
            guard let header = try header(at: position), header.totalSize <= log.size - position,
                header.baseOffset >= nextOffset, header.lastOffset - baseOffset <= Int64(Int32.max)
            else { break }
            if checkingChecksums {
                let bytes = try log.read(at: position, count: header.totalSize)
                guard bytes.count == header.totalSize, Self.checksumMatches(bytes) else { break }
            }
            indexEntries(for: header, at: position, offsets: &offsetEntries, times: &timeEntries)
            nextOffset = header.lastOffset + 1
            position += header.totalSize
        }
        let cut = log.size - position
        if cut > 0 { try log.truncate(to: position) }
        try offsetIndexFile.truncate(to: 0)
        try offsetIndexFile.append(offsetEntries)
        try timeIndexFile.truncate(to: 0)
        try timeIndexFile.append(timeEntries)
        return cut
    }

    /// Appends one batch whose offsets are already assigned (starting at `nextOffset`).
    func append(_ batch: [UInt8], header: RecordBatchHeader) throws(LogError) {
        let position = log.size
        try log.append(batch)
        isDirty = true
        var offsetEntries: [UInt8] = [], timeEntries: [UInt8] = []
        indexEntries(for: header, at: position, offsets: &offsetEntries, times: &timeEntries)
        if !offsetEntries.isEmpty { try offsetIndexFile.append(offsetEntries) }
        if !timeEntries.isEmpty { try timeIndexFile.append(timeEntries) }
        nextOffset = header.lastOffset + 1
    }

    /// Adds index entries for a batch at `position` when `index.interval.bytes` have passed.
    private func indexEntries(
        for header: RecordBatchHeader, at position: Int, offsets: inout [UInt8], times: inout [UInt8]
    ) {
        largestTimestamp = max(largestTimestamp, header.maxTimestamp)
        bytesSinceIndexEntry += header.totalSize
        guard bytesSinceIndexEntry >= indexIntervalBytes || offsetIndex.isEmpty else { return }
        bytesSinceIndexEntry = 0
        let relative = Int32(header.lastOffset - baseOffset)
        offsets += offsetIndex.append(relativeOffset: relative, position: Int32(position))
        if largestTimestamp > (timeIndex.lastTimestamp ?? Int64.min) {
            times += timeIndex.append(timestamp: largestTimestamp, relativeOffset: relative)
        }
    }

    // MARK: Reading

    /// The header of the batch at `position`, or nil at the end (or a torn header).
    func header(at position: Int) throws(LogError) -> RecordBatchHeader? {
        let bytes = try log.read(at: position, count: RecordBatchHeader.size)
        guard bytes.count == RecordBatchHeader.size else { return nil }
        return try? RecordBatchHeader.read(bytes, at: 0)
    }

    private func lastBatch(scanningFrom start: Int) throws(LogError) -> (position: Int, header: RecordBatchHeader)? {
        var position = start
        var last: (Int, RecordBatchHeader)?
        while position < log.size, let header = try header(at: position), header.totalSize <= log.size - position {
            last = (position, header)
            position += header.totalSize
        }
        guard position == log.size else { return nil } // a torn tail: needs the recovery path
        if last == nil, log.size == 0 { return nil }
        return last
    }

    /// The position of the batch holding `offset` (or the first batch after it), or nil when
    /// the segment has nothing at or after it.
    func position(of offset: Int64) throws(LogError) -> (position: Int, header: RecordBatchHeader)? {
        var position = offsetIndex.startPosition(for: Int32(clamping: offset - baseOffset))
        while position < log.size, let header = try header(at: position) {
            if header.lastOffset >= offset { return (position, header) }
            position += header.totalSize
        }
        return nil
    }

    /// Whole batches starting with the one that holds `offset`, up to `maxBytes` (at least one
    /// batch, however large, so a client always progresses) and only those starting below
    /// `endOffset` (the high watermark).
    func read(from offset: Int64, maxBytes: Int, endOffset: Int64) throws(LogError) -> [UInt8] {
        guard let (start, first) = try position(of: offset), first.baseOffset < endOffset else { return [] }
        var end = start + first.totalSize
        while end < log.size, let header = try header(at: end), header.baseOffset < endOffset,
            end + header.totalSize - start <= maxBytes
        {
            end += header.totalSize
        }
        return try log.read(at: start, count: end - start)
    }

    /// Every batch header from the start (or from `offset`), in order.
    func headers(from offset: Int64? = nil) throws(LogError) -> [(position: Int, header: RecordBatchHeader)] {
        var position = 0
        if let offset {
            guard let (found, _) = try self.position(of: offset) else { return [] }
            position = found
        }
        var result: [(Int, RecordBatchHeader)] = []
        while position < log.size, let header = try header(at: position) {
            result.append((position, header))
            position += header.totalSize
        }
        return result
    }

    /// The whole batch at `position`.
    func batch(at position: Int, header: RecordBatchHeader) throws(LogError) -> [UInt8] {
        try log.read(at: position, count: header.totalSize)
    }

    /// A relative offset to start a search by timestamp from (see `TimeIndex`).
    func offsetBefore(timestamp: Int64) -> Int64? {
        let relative = timeIndex.relativeOffsetBefore(timestamp: timestamp)
        return relative < 0 ? nil : baseOffset + Int64(relative)
    }

    // MARK: Changing

    /// Cuts the segment so that it ends before `offset` (which must be in it).
    func truncate(before offset: Int64) throws(LogError) {
        guard let (position, _) = try position(of: offset) else { return }
        try log.truncate(to: position)
        offsetIndex.truncate(atPosition: position)
        timeIndex.truncate(atRelativeOffset: Int32(clamping: offset - baseOffset))
        try offsetIndexFile.truncate(to: 0)
        try offsetIndexFile.append(offsetIndex.bytes)
        try timeIndexFile.truncate(to: 0)
        try timeIndexFile.append(timeIndex.bytes)
        nextOffset = offset
        bytesSinceIndexEntry = 0
        isDirty = true
    }

    /// The data file, when written since it was last taken, for the caller to sync outside
    /// the partition's lock (fdatasync can take milliseconds, and appends must not wait for
    /// it). Only the `.log` is synced this way: recovery rebuilds damaged indexes from it.
    func takeDirtyDataFile() -> LogFile? {
        guard isDirty else { return nil }
        isDirty = false
        return log
    }

    /// After a failed sync of the file `takeDirtyDataFile` gave: it must be synced again.
    func markDirty() {
        isDirty = true
    }

    /// Syncs the data file and both indexes (when the segment is rolled: it is never written again).
    func sync() throws(LogError) {
        guard isDirty else { return }
        try log.sync()
        try offsetIndexFile.sync()
        try timeIndexFile.sync()
        isDirty = false
    }

    /// Removes the segment's files.
    func delete() {
        for suffix in [".log", ".index", ".timeindex"] {
            unlink(folder + "/" + Self.fileName(baseOffset, suffix))
        }
    }

    /// Whether a whole encoded batch's CRC-32C matches its header.
    static func checksumMatches(_ batch: [UInt8]) -> Bool {
        guard batch.count >= RecordBatchHeader.size else { return false }
        let stored = UInt32(bitPattern: readInt32(batch, 17))
        let computed = batch.withUnsafeBufferPointer {
            CRC32C.checksum(UnsafeBufferPointer(rebasing: $0[RecordBatchHeader.crcStart...]))
        }
        return stored == computed
    }
}
