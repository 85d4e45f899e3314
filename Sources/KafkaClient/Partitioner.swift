/// Chooses a partition for a record the way Kafka's Java client (and
/// librdkafka's `murmur2_random`) does, so a key lands on the same partition
/// whichever client wrote it: murmur2 of the key bytes, sign bit cleared,
/// modulo the partition count. Records without a key stick to one partition
/// until their batch is sent ("sticky" partitioning), which keeps batches full.
public enum Partitioner {
    /// Kafka's murmur2 (seed 0x9747b28c), as its Java `Utils.murmur2`.
    public static func murmur2<Bytes: Collection<UInt8>>(_ key: Bytes) -> Int32 where Bytes.Index == Int {
        let multiplier: UInt32 = 0x5BD1_E995
        let length = key.count
        var hash: UInt32 = 0x9747_B28C ^ UInt32(truncatingIfNeeded: length)
        let base = key.startIndex
        let wholeWords = length / 4
        for wordIndex in 0..<wholeWords {
            let at = base + wordIndex * 4
            var word =
                UInt32(key[at]) | UInt32(key[at + 1]) << 8 | UInt32(key[at + 2]) << 16 | UInt32(key[at + 3]) << 24
            word = word &* multiplier
            word ^= word >> 24
            word = word &* multiplier
            hash = hash &* multiplier
            hash ^= word
        }
        let tail = base + wholeWords * 4
        switch length % 4 {
        case 3:
            hash ^= UInt32(key[tail + 2]) << 16
            fallthrough
        case 2:
            hash ^= UInt32(key[tail + 1]) << 8
            fallthrough
        case 1:
            hash ^= UInt32(key[tail])
            hash = hash &* multiplier
        default:
            break
        }
        hash ^= hash >> 13
        hash = hash &* multiplier
        hash ^= hash >> 15
        return Int32(bitPattern: hash)
    }

    /// The partition for `key` among `partitionCount` partitions.
    public static func partition<Bytes: Collection<UInt8>>(forKey key: Bytes, partitionCount: Int) -> Int32
    where Bytes.Index == Int {
        Int32((Int(murmur2(key)) & 0x7FFF_FFFF) % partitionCount)
    }
}
