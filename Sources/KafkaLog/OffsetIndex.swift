/// A segment's sparse offset index, format-identical to Kafka's `.index` file:
///
/// ```
/// entry (8 bytes, big-endian): int32 relativeOffset   offset − segment base offset
///                              int32 position         byte position of a batch in the .log
/// ```
///
/// An entry is written after every `index.interval.bytes` of appended batches; its offset
/// is the last offset of the batch that starts at its position. Entries ascend in both
/// fields. Kafka preallocates and memory-maps these files and trims them when the segment
/// rolls; Weir keeps the entries in memory and writes each one as it is made, so the file is
/// always in the trimmed form. A length that is not a multiple of 8, or entries that do not
/// ascend or point past the log, mean damage: the index is rebuilt from the `.log`.
///
/// Concurrency: owned by one segment, used under its partition's lock.
struct OffsetIndex {
    static let entrySize = 8
    private(set) var relativeOffsets: [Int32] = []
    private(set) var positions: [Int32] = []

    var isEmpty: Bool { positions.isEmpty }
    var count: Int { positions.count }

    /// Decodes index file bytes; nil when they cannot be a valid index of a log `logSize` long.
    static func decode(_ bytes: [UInt8], logSize: Int) -> OffsetIndex? {
        guard bytes.count % entrySize == 0 else { return nil }
        var index = OffsetIndex()
        for start in stride(from: 0, to: bytes.count, by: entrySize) {
            let relative = readInt32(bytes, start), position = readInt32(bytes, start + 4)
            guard relative >= (index.relativeOffsets.last ?? -1), position > (index.positions.last ?? -1),
                Int(position) < logSize
            else {
                return nil
            }
            index.relativeOffsets.append(relative)
            index.positions.append(position)
        }
        return index
    }

    /// Adds an entry and returns its bytes for the file.
    mutating func append(relativeOffset: Int32, position: Int32) -> [UInt8] {
        relativeOffsets.append(relativeOffset)
        positions.append(position)
        return bigEndianBytes(relativeOffset) + bigEndianBytes(position)
    }

    /// The position to start scanning from for `relativeOffset`: that of the greatest entry
    /// at or below it (the batch there ends at or before the target, so the target is in it
    /// or after it), else the start of the segment. O(log n).
    func startPosition(for relativeOffset: Int32) -> Int {
        var low = 0, high = relativeOffsets.count // first entry with offset > target
        while low < high {
            let middle = (low + high) / 2
            if relativeOffsets[middle] <= relativeOffset { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? 0 : Int(positions[low - 1])
    }

    /// Drops the entries at or after `position` (the log was cut there).
    mutating func truncate(atPosition position: Int) {
        while let last = positions.last, Int(last) >= position {
            positions.removeLast()
            relativeOffsets.removeLast()
        }
    }

    /// The whole index as file bytes.
    var bytes: [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(count * Self.entrySize)
        for entry in 0..<count { result += bigEndianBytes(relativeOffsets[entry]) + bigEndianBytes(positions[entry]) }
        return result
    }
}

/// A segment's sparse time index, format-identical to Kafka's `.timeindex` file:
///
/// ```
/// entry (12 bytes, big-endian): int64 timestamp        the largest timestamp up to the offset
///                               int32 relativeOffset   offset − segment base offset
/// ```
///
/// An entry (T, O) says no record at or before O has a timestamp above T, so records with
/// timestamps above T come after O. Timestamps never decrease. Written like the offset
/// index (every `index.interval.bytes`, when the largest timestamp has grown).
struct TimeIndex {
    static let entrySize = 12
    private(set) var timestamps: [Int64] = []
    private(set) var relativeOffsets: [Int32] = []

    var count: Int { timestamps.count }
    var lastTimestamp: Int64? { timestamps.last }

    static func decode(_ bytes: [UInt8], segmentRelativeEnd: Int64) -> TimeIndex? {
        guard bytes.count % entrySize == 0 else { return nil }
        var index = TimeIndex()
        for start in stride(from: 0, to: bytes.count, by: entrySize) {
            let timestamp = readInt64(bytes, start), relative = readInt32(bytes, start + 8)
            guard timestamp >= (index.timestamps.last ?? Int64.min), relative >= (index.relativeOffsets.last ?? -1),
                Int64(relative) < segmentRelativeEnd
            else { return nil }
            index.timestamps.append(timestamp)
            index.relativeOffsets.append(relative)
        }
        return index
    }

    mutating func append(timestamp: Int64, relativeOffset: Int32) -> [UInt8] {
        timestamps.append(timestamp)
        relativeOffsets.append(relativeOffset)
        return bigEndianBytes(timestamp) + bigEndianBytes(relativeOffset)
    }

    /// The relative offset after which the first record with a timestamp at or after
    /// `timestamp` can be: the offset of the last entry whose timestamp is below it, or -1
    /// (search from the segment's start). O(log n).
    func relativeOffsetBefore(timestamp: Int64) -> Int32 {
        var low = 0, high = timestamps.count // first entry with timestamp >= target
        while low < high {
            let middle = (low + high) / 2
            if timestamps[middle] < timestamp { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? -1 : relativeOffsets[low - 1]
    }

    mutating func truncate(atRelativeOffset relative: Int32) {
        while let last = relativeOffsets.last, last >= relative {
            relativeOffsets.removeLast()
            timestamps.removeLast()
        }
    }

    var bytes: [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(count * Self.entrySize)
        for entry in 0..<count { result += bigEndianBytes(timestamps[entry]) + bigEndianBytes(relativeOffsets[entry]) }
        return result
    }
}

@inline(__always)
func readInt32(_ bytes: [UInt8], _ start: Int) -> Int32 {
    Int32(
        bitPattern: UInt32(bytes[start]) << 24 | UInt32(bytes[start + 1]) << 16 | UInt32(bytes[start + 2]) << 8
            | UInt32(bytes[start + 3]))
}

@inline(__always)
func readInt64(_ bytes: [UInt8], _ start: Int) -> Int64 {
    Int64(readInt32(bytes, start)) << 32 | Int64(UInt32(bitPattern: readInt32(bytes, start + 4)))
}

@inline(__always)
func bigEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.bigEndian) { Array($0) }
}
