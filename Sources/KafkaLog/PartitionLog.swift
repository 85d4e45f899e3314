import Foundation
import KafkaProtocol

/// What an append did.
public struct AppendResult: Sendable, Equatable {
    /// The offset given to the first record.
    public var baseOffset: Int64
    /// The offset of the last record appended.
    public var lastOffset: Int64
    /// The broker's time when the topic uses LogAppendTime, else -1.
    public var logAppendTime: Int64
    /// The batches were already in the log (an idempotent producer's retry): nothing was
    /// written, and the offsets are where they were written before.
    public var duplicate = false
}

/// What a read returned.
public struct ReadResult: Sendable {
    /// Whole record batches, as stored.
    public var records: [UInt8]
    public var highWatermark: Int64
    /// Where committed reads stop: the first offset of the oldest open transaction, or the high watermark.
    public var lastStableOffset: Int64
    public var logStartOffset: Int64
    public var logEndOffset: Int64
    /// For committed reads: the aborted transactions among the records returned.
    public var abortedTransactions: [AbortedTransaction] = []
}

/// Which records a read may return.
public enum IsolationLevel: Sendable {
    /// Up to the high watermark, aborted transactions included (`read_uncommitted`).
    case uncommitted
    /// Up to the last stable offset, with the aborted transactions listed (`read_committed`).
    case committed
}

/// One partition's log: its segments in a folder `<topic>-<partition>`, the offsets that
/// bound it, and the operations on it.
///
/// Offsets: `logStartOffset` is the first offset still readable (moved by retention and
/// DeleteRecords); `logEndOffset` is the offset the next record will get; the
/// `highWatermark` is how far consumers may read — the broker advances it once appended
/// data is durable under its flush policy.
///
/// Thread safety: every method may be called from any thread; one lock serialises them
/// (appends and reads are short: page-cache writes and reads).
public final class PartitionLog: @unchecked Sendable {
    public let topic: String
    public let partition: Int32
    public let folder: String
    private let lock = NSLock()
    private var config: LogConfig
    private var segments: [LogSegment]
    private var _logStartOffset: Int64
    private var _highWatermark: Int64
    private var producers = ProducerStateTable()
    private var transactions = TransactionTable()
    /// Bytes cut from a torn or damaged tail when the log was opened.
    public let recoveredBytes: Int

    public static func folderName(topic: String, partition: Int32) -> String { "\(topic)-\(partition)" }

    /// Creates an empty partition log in `root/<topic>-<partition>`.
    public init(creatingIn root: String, topic: String, partition: Int32, config: LogConfig) throws(LogError) {
        self.topic = topic
        self.partition = partition
        self.config = config
        folder = root + "/" + Self.folderName(topic: topic, partition: partition)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw .io(operation: "mkdir", path: folder, errno: EIO)
        }
        syncFolder(containing: folder)
        segments = [try LogSegment(creatingIn: folder, baseOffset: 0, indexIntervalBytes: config.indexIntervalBytes)]
        _logStartOffset = 0
        _highWatermark = 0
        recoveredBytes = 0
    }

    /// Opens the partition log in `folder`: every segment's indexes are loaded (rebuilt if
    /// missing or damaged), and the newest segment — the one a crash can leave torn — is read
    /// whole with every CRC checked, its damaged tail cut off. The high watermark starts at
    /// the log end: what survived recovery is durable.
    public init(
        opening folder: String, topic: String, partition: Int32, config: LogConfig, logStartOffset: Int64?
    ) throws(LogError) {
        self.topic = topic
        self.partition = partition
        self.config = config
        self.folder = folder
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let bases = names.filter { $0.hasSuffix(".log") }.compactMap { Int64($0.dropLast(4)) }.sorted()
        var opened: [LogSegment] = []
        var cut = 0
        for (position, base) in bases.enumerated() {
            let (segment, removed) = try LogSegment.open(
                in: folder, baseOffset: base, indexIntervalBytes: config.indexIntervalBytes,
                recover: position == bases.count - 1)
            opened.append(segment)
            cut += removed
        }
        if opened.isEmpty {
            opened = [
                try LogSegment(
                    creatingIn: folder, baseOffset: logStartOffset ?? 0, indexIntervalBytes: config.indexIntervalBytes)
            ]
        }
        segments = opened
        recoveredBytes = cut
        let end = opened.last!.nextOffset
        _logStartOffset = min(max(logStartOffset ?? opened[0].baseOffset, opened[0].baseOffset), end)
        _highWatermark = end
        for segment in opened {
            for (position, header) in try segment.headers() {
                producers.record(header, baseOffset: header.baseOffset)
                if header.attributes.isTransactional {
                    let marker =
                        header.attributes.isControl
                        ? TransactionTable.markerKind(of: try segment.batch(at: position, header: header)) : nil
                    transactions.record(header, marker: marker)
                }
            }
        }
        transactions.forget(before: _logStartOffset)
    }

    private func locked<Result>(_ body: () throws(LogError) -> Result) throws(LogError) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    private func locked<Result>(_ body: () -> Result) -> Result {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    public var logEndOffset: Int64 { locked { segments.last!.nextOffset } }
    public var logStartOffset: Int64 { locked { _logStartOffset } }
    public var highWatermark: Int64 { locked { _highWatermark } }
    /// How far `read_committed` consumers may read: the first offset of the oldest open
    /// transaction, or the high watermark when none is open.
    public var lastStableOffset: Int64 { locked { stableOffset } }
    /// The producers with a transaction open in this partition.
    public var producersWithOpenTransactions: [Int64] { locked { transactions.openProducers } }

    /// The producers this partition has state for, each with the first offset of its open
    /// transaction here (-1 when none), as DescribeProducers reports them.
    public var activeProducers: [(producer: ProducerStateTable.ActiveProducer, openTransactionStart: Int64)] {
        locked { producers.activeProducers.map { ($0, transactions.open[$0.producerId] ?? -1) } }
    }

    private var stableOffset: Int64 { min(_highWatermark, transactions.firstOpenOffset ?? .max) }
    public var sizeInBytes: Int { locked { segments.reduce(0) { $0 + $1.size } } }
    public var segmentCount: Int { locked { segments.count } }
    public var logConfig: LogConfig { locked { config } }
    /// The highest idempotent producer id found in this log.
    public var largestProducerId: Int64 { locked { producers.largestProducerId } }

    public func updateConfig(_ newConfig: LogConfig) { locked { config = newConfig } }

    // MARK: Appending

    /// Checks a Produce request's records for one partition without storing anything: each
    /// batch whole, magic 2, its CRC right, within `max.message.bytes`, its record count
    /// matching its offset span. Returns the batches' headers, in order.
    public static func validate(_ records: [UInt8], maxMessageBytes: Int) throws(LogError) -> [RecordBatchHeader] {
        var headers: [RecordBatchHeader] = []
        var position = 0
        while position < records.count {
            let header: RecordBatchHeader?
            do {
                header = try RecordBatchHeader.read(records, at: position)
            } catch {
                throw .corruptBatch("\(error)")
            }
            guard let header, header.totalSize <= records.count - position else {
                throw .corruptBatch("a batch is cut short at byte \(position) of \(records.count)")
            }
            guard header.totalSize <= maxMessageBytes else {
                throw .batchTooLarge(size: header.totalSize, limit: maxMessageBytes)
            }
            guard header.recordCount > 0, header.lastOffsetDelta == header.recordCount - 1 else {
                throw .corruptBatch(
                    "\(header.recordCount) records but an offset span of \(Int(header.lastOffsetDelta) + 1)")
            }
            let crcOK =
                records.withUnsafeBufferPointer {
                    CRC32C.checksum(
                        UnsafeBufferPointer(
                            rebasing: $0[(position + RecordBatchHeader.crcStart)..<(position + header.totalSize)]))
                } == header.crc
            guard crcOK else { throw .corruptBatch("CRC mismatch in the batch at byte \(position)") }
            headers.append(header)
            position += header.totalSize
        }
        guard !headers.isEmpty else { throw .corruptBatch("no record batch") }
        return headers
    }

    /// Appends validated batches (see `validate`), giving them the next offsets.
    /// `now` (ms) is the append time for LogAppendTime topics and segment rolls.
    ///
    /// Batches of idempotent producers are checked against their sequence numbers first:
    /// a retry of batches already in the log writes nothing and answers where they are
    /// (`duplicate`); a gap, a stale epoch or an unknown producer is refused and nothing is
    /// written.
    public func append(_ records: [UInt8], headers: [RecordBatchHeader], now: Int64) throws(LogError) -> AppendResult {
        try locked { () throws(LogError) -> AppendResult in
            var check = producers
            var duplicates: [(Int64, Int64)] = []
            for header in headers {
                switch check.check(header) {
                // So that a second batch of the request is checked after the first.
                case .append: check.record(header, baseOffset: 0)
                case let .duplicate(base, last): duplicates.append((base, last))
                case let .outOfOrder(expected, received):
                    throw .outOfOrderSequence(expected: expected, received: received)
                case let .staleEpoch(current): throw .staleProducerEpoch(current: current)
                case .unknownProducer: throw .unknownProducer
                }
            }
            if !duplicates.isEmpty {
                guard duplicates.count == headers.count else {
                    throw .corruptBatch("a request mixes new batches with retried ones")
                }
                return AppendResult(
                    baseOffset: duplicates[0].0, lastOffset: duplicates.last!.1, logAppendTime: -1, duplicate: true)
            }
            var result = AppendResult(
                baseOffset: segments.last!.nextOffset, lastOffset: -1, logAppendTime: config.logAppendTime ? now : -1)
            var position = 0
            for var header in headers {
                var batch = Array(records[position..<(position + header.totalSize)])
                position += header.totalSize
                let base = segments.last!.nextOffset
                withUnsafeBytes(of: base.bigEndian) { batch.replaceSubrange(0..<8, with: $0) }
                withUnsafeBytes(of: Int32(0).bigEndian) { batch.replaceSubrange(12..<16, with: $0) } // leader epoch
                header.baseOffset = base
                if config.logAppendTime {
                    header.maxTimestamp = now
                    header.attributes = RecordBatchAttributes(rawValue: header.attributes.rawValue | 0x08)
                    withUnsafeBytes(of: header.attributes.rawValue.bigEndian) {
                        batch.replaceSubrange(21..<23, with: $0)
                    }
                    withUnsafeBytes(of: now.bigEndian) { batch.replaceSubrange(35..<43, with: $0) }
                    RecordBatchHeader.updateChecksum(of: &batch)
                }
                try rollIfNeeded(adding: header, now: now)
                try segments.last!.append(batch, header: header)
                producers.record(header, baseOffset: base)
                if header.attributes.isTransactional {
                    transactions.record(
                        header, marker: header.attributes.isControl ? TransactionTable.markerKind(of: batch) : nil)
                }
                result.lastOffset = header.lastOffset
            }
            return result
        }
    }

    /// Starts a new segment when the active one is full, old, or cannot index the batch's offsets.
    private func rollIfNeeded(adding header: RecordBatchHeader, now: Int64) throws(LogError) {
        let active = segments.last!
        guard !active.isEmpty else { return }
        let full = active.size + header.totalSize > config.segmentBytes
        let old = Int64(Date().timeIntervalSince(active.createdAt) * 1000) >= config.segmentMs
        let offsetsOverflow = header.lastOffset - active.baseOffset > Int64(Int32.max)
        guard full || old || offsetsOverflow else { return }
        try active.sync() // a rolled segment is never written again: make it durable now
        segments.append(
            try LogSegment(
                creatingIn: folder, baseOffset: active.nextOffset, indexIntervalBytes: config.indexIntervalBytes))
    }

    // MARK: Durability

    /// Syncs every segment written since the last sync; returns the log end offset that is
    /// now durable. Called by the broker's flusher (or after each batch with `flush=always`).
    ///
    /// The files are synced outside the partition's lock, so appends go on meanwhile; what
    /// was appended before the sync began is durable when it returns (a file stays open
    /// while its segment object lives, even if retention deletes the segment meanwhile).
    public func sync() throws(LogError) -> Int64 {
        let (dirty, end) = locked { () -> ([(LogSegment, LogFile)], Int64) in
            (
                segments.compactMap { segment in segment.takeDirtyDataFile().map { (segment, $0) } },
                segments.last!.nextOffset
            )
        }
        for (index, (_, file)) in dirty.enumerated() {
            do throws(LogError) {
                try file.sync()
            } catch {
                locked { for (segment, _) in dirty[index...] { segment.markDirty() } }
                throw error
            }
        }
        return end
    }

    /// Lets consumers read up to `offset` (never backwards, never past the log end).
    public func advanceHighWatermark(to offset: Int64) {
        locked { _highWatermark = max(_highWatermark, min(offset, segments.last!.nextOffset)) }
    }

    // MARK: Reading

    /// Whole batches from the one holding `offset`, up to `maxBytes` (at least one batch),
    /// none starting at or after `limit` (the high watermark unless told otherwise, the last
    /// stable offset for committed reads). An offset below the log start or above the log
    /// end is out of range.
    public func read(
        from offset: Int64, maxBytes: Int, limit: Int64? = nil, isolation: IsolationLevel = .uncommitted
    ) throws(LogError) -> ReadResult {
        try locked { () throws(LogError) -> ReadResult in
            let end = segments.last!.nextOffset
            guard offset >= _logStartOffset, offset <= end else {
                throw .offsetOutOfRange(requested: offset, logStart: _logStartOffset, logEnd: end)
            }
            let stable = stableOffset
            let bound = min(limit ?? _highWatermark, isolation == .committed ? stable : _highWatermark)
            var records: [UInt8] = []
            if offset < bound {
                var index = segmentIndex(containing: offset)
                while index < segments.count, records.isEmpty {
                    records = try segments[index].read(from: offset, maxBytes: maxBytes, endOffset: bound)
                    index += 1
                }
            }
            var result = ReadResult(
                records: records, highWatermark: _highWatermark, lastStableOffset: stable,
                logStartOffset: _logStartOffset, logEndOffset: end)
            if isolation == .committed, !records.isEmpty, let last = Self.lastOffset(in: records) {
                result.abortedTransactions = transactions.aborted(overlapping: offset...last)
            }
            return result
        }
    }

    /// The last offset of the last whole batch in `records`.
    private static func lastOffset(in records: [UInt8]) -> Int64? {
        var position = 0
        var last: Int64?
        while let header = try? RecordBatchHeader.read(records, at: position),
            header.totalSize <= records.count - position
        {
            last = header.lastOffset
            position += header.totalSize
        }
        return last
    }

    /// The last segment whose base offset is at or below `offset`.
    private func segmentIndex(containing offset: Int64) -> Int {
        var low = 0, high = segments.count
        while low < high {
            let middle = (low + high) / 2
            if segments[middle].baseOffset <= offset { low = middle + 1 } else { high = middle }
        }
        return max(low - 1, 0)
    }

    /// The first record whose timestamp is at or after `timestamp` (ms): its offset and
    /// timestamp; nil when there is none. Record-granular: a batch is opened to find the record.
    public func offset(forTimestamp timestamp: Int64) throws(LogError) -> (offset: Int64, timestamp: Int64)? {
        try locked { () throws(LogError) -> (offset: Int64, timestamp: Int64)? in
            for segment in segments where segment.largestTimestamp >= timestamp {
                let start = max(segment.offsetBefore(timestamp: timestamp) ?? segment.baseOffset, _logStartOffset)
                for (position, header) in try segment.headers(from: start)
                where header.maxTimestamp >= timestamp && !header.attributes.isControl {
                    if header.lastOffset < _logStartOffset || header.baseOffset >= _highWatermark { continue }
                    let bytes = try segment.batch(at: position, header: header)
                    guard let batch = try? RecordBatch.decodeV2(bytes, at: 0) else { continue }
                    for record in batch.records where record.offset >= _logStartOffset && record.timestamp >= timestamp
                    {
                        return (record.offset, record.timestamp)
                    }
                }
            }
            return nil
        }
    }

    /// The readable record with the largest timestamp (the first of them, on a tie): its offset
    /// and timestamp, as ListOffsets' MAX_TIMESTAMP (-3) answers; nil for an empty log.
    public func maxTimestampRecord() throws(LogError) -> (offset: Int64, timestamp: Int64)? {
        try locked { () throws(LogError) -> (offset: Int64, timestamp: Int64)? in
            var best: (offset: Int64, timestamp: Int64)?
            for segment in segments where segment.largestTimestamp > (best?.timestamp ?? -1) {
                for (position, header) in try segment.headers(from: max(segment.baseOffset, _logStartOffset))
                where header.maxTimestamp > (best?.timestamp ?? -1) && !header.attributes.isControl {
                    if header.lastOffset < _logStartOffset || header.baseOffset >= _highWatermark { continue }
                    let bytes = try segment.batch(at: position, header: header)
                    guard let batch = try? RecordBatch.decodeV2(bytes, at: 0) else { continue }
                    for record in batch.records
                    where record.offset >= _logStartOffset && record.offset < _highWatermark
                        && record.timestamp > (best?.timestamp ?? -1)
                    {
                        best = (record.offset, record.timestamp)
                    }
                }
            }
            return best
        }
    }

    /// Every batch header of the log, in order (for rebuilding producer state at start-up).
    public func batchHeaders() throws(LogError) -> [RecordBatchHeader] {
        try locked { () throws(LogError) -> [RecordBatchHeader] in
            var all: [RecordBatchHeader] = []
            for segment in segments { all += try segment.headers().map(\.header) }
            return all
        }
    }

    // MARK: Removing

    /// DeleteRecords: makes `offset` the first readable offset (-1: the high watermark) and
    /// deletes the segments wholly before it. Returns the new log start offset.
    public func deleteRecords(before offset: Int64) throws(LogError) -> Int64 {
        try locked { () throws(LogError) -> Int64 in
            let target = offset < 0 ? _highWatermark : offset
            guard target <= _highWatermark else {
                throw .offsetOutOfRange(requested: target, logStart: _logStartOffset, logEnd: _highWatermark)
            }
            _logStartOffset = max(_logStartOffset, target)
            dropSegments { $0.nextOffset <= _logStartOffset }
            transactions.forget(before: _logStartOffset)
            return _logStartOffset
        }
    }

    /// Deletes segments past `retention.ms` or beyond `retention.bytes` (never the active one).
    /// Returns whether the log start moved.
    @discardableResult
    public func applyRetention(now: Int64) -> Bool {
        locked {
            let before = _logStartOffset
            var size = Int64(segments.reduce(0) { $0 + $1.size })
            dropSegments { segment in
                // Records without timestamps (written by producers of magic 0): the segment's
                // age is when it stopped being written, the next segment's creation (as Kafka
                // falls back to the file's modification time).
                let newest =
                    segment.largestTimestamp >= 0
                    ? segment.largestTimestamp
                    : segments.count > 1 ? Int64(segments[1].createdAt.timeIntervalSince1970 * 1000) : Int64.max
                let expired = config.retentionMs >= 0 && newest < now - config.retentionMs
                let oversize = config.retentionBytes >= 0 && size - Int64(segment.size) >= config.retentionBytes
                if expired || oversize { size -= Int64(segment.size) }
                return expired || oversize
            }
            transactions.forget(before: _logStartOffset)
            return _logStartOffset != before
        }
    }

    /// Deletes leading segments (oldest first, never the active one) while `shouldDrop` says so.
    private func dropSegments(while shouldDrop: (LogSegment) -> Bool) {
        while segments.count > 1, shouldDrop(segments[0]) {
            let gone = segments.removeFirst()
            gone.delete()
            _logStartOffset = max(_logStartOffset, segments[0].baseOffset)
        }
        syncFolder(containing: folder + "/x")
    }

    /// Removes the whole partition's folder (DeleteTopics). The log must not be used after.
    public func deleteFolder() {
        locked {
            for segment in segments { segment.delete() }
            try? FileManager.default.removeItem(atPath: folder)
        }
        syncFolder(containing: folder)
    }
}
