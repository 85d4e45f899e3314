import CCRC32C
import CCompression

/// CRC-32C (Castagnoli), the checksum of magic-v2 record batches.
///
/// Uses the CPU's CRC32 instruction (SSE4.2 or ARMv8) in three interleaved
/// streams where there is one, slicing-by-8 tables otherwise. Thread-safe.
public enum CRC32C {
    /// The CRC of `bytes`, continuing from `crc` (0 to start).
    @inlinable
    public static func checksum<Bytes: Collection<UInt8>>(_ bytes: Bytes, continuing crc: UInt32 = 0) -> UInt32 {
        if let result = bytes.withContiguousStorageIfAvailable({ update(crc, $0) }) { return result }
        return Array(bytes).withUnsafeBufferPointer { update(crc, $0) }
    }

    @usableFromInline
    static func update(_ crc: UInt32, _ buffer: UnsafeBufferPointer<UInt8>) -> UInt32 {
        weir_crc32c_update(crc, buffer.baseAddress, buffer.count)
    }

    /// The same CRC by the portable table path, whatever the CPU (for tests and benchmarks).
    public static func portableChecksum(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBufferPointer { weir_crc32c_update_portable(crc, $0.baseAddress, $0.count) }
    }

    /// Whether `checksum` uses a CPU instruction on this machine.
    public static var isHardwareAccelerated: Bool { weir_crc32c_is_hardware_accelerated() != 0 }
}

/// Plain CRC-32 (IEEE), the checksum of legacy magic 0 and 1 messages; zlib computes it.
public enum CRC32 {
    public static func checksum<Bytes: Collection<UInt8>>(_ bytes: Bytes, continuing crc: UInt32 = 0) -> UInt32 {
        if let result = bytes.withContiguousStorageIfAvailable({ weir_crc32_ieee(crc, $0.baseAddress, $0.count) }) {
            return result
        }
        return Array(bytes).withUnsafeBufferPointer { weir_crc32_ieee(crc, $0.baseAddress, $0.count) }
    }
}
