/// One record's bytes inside a magic-v2 batch (before any compression):
///
/// ```
/// length          varint   bytes of everything below
/// attributes      int8     0 (unused)
/// timestampDelta  varlong  against the batch's base timestamp
/// offsetDelta     varint   against the batch's base offset
/// key             varint length (-1: null), then the bytes
/// value           varint length (-1: null), then the bytes
/// headers         varint count, then each: varint length + UTF-8 key, varint length (-1: null) + value
/// ```
///
/// Shared by `RecordBatch` (re-encoding decoded batches) and
/// `RecordBatchBuilder` (producers), so there is one writer of this layout.
enum RecordEncoding {
    /// Writes one record, its length first. The size is computed before anything is
    /// written, so the writer appends each byte exactly once.
    @inline(__always)
    static func write(
        to writer: inout ByteWriter, timestampDelta: Int64, offsetDelta: Int32,
        key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?, headers: [RecordHeader]
    ) {
        var size = 1 + ByteWriter.varintSize(timestampDelta) + ByteWriter.varintSize(Int64(offsetDelta))
        size += sizeWithLength(key?.count) + sizeWithLength(value?.count) + ByteWriter.varintSize(Int64(headers.count))
        for header in headers {
            let keyLength = header.key.utf8.count
            size += ByteWriter.varintSize(Int64(keyLength)) + keyLength + sizeWithLength(header.value?.count)
        }
        writer.reserveCapacity(ByteWriter.varintSize(Int64(size)) + size)
        writer.writeVarint(Int32(size))
        writer.writeInt8(0)
        writer.writeVarlong(timestampDelta)
        writer.writeVarint(offsetDelta)
        writeWithLength(key, to: &writer)
        writeWithLength(value, to: &writer)
        writer.writeVarint(Int32(headers.count))
        for header in headers {
            var key = header.key
            key.withUTF8 { utf8 in
                writer.writeVarint(Int32(utf8.count))
                writer.writeRawBytes(UnsafeRawBufferPointer(utf8))
            }
            if let headerValue = header.value {
                headerValue.withUnsafeBytes { writeWithLength($0, to: &writer) }
            } else {
                writer.writeVarint(-1)
            }
        }
    }

    @inline(__always)
    private static func sizeWithLength(_ count: Int?) -> Int {
        guard let count else { return 1 }
        return ByteWriter.varintSize(Int64(count)) + count
    }

    @inline(__always)
    private static func writeWithLength(_ bytes: UnsafeRawBufferPointer?, to writer: inout ByteWriter) {
        guard let bytes else { return writer.writeVarint(-1) }
        writer.writeVarint(Int32(bytes.count))
        writer.writeRawBytes(bytes)
    }
}

extension Optional where Wrapped == ArraySlice<UInt8> {
    /// Runs `body` with the bytes, or with nil for a null slice.
    @inline(__always)
    func withOptionalBytes<Result>(_ body: (UnsafeRawBufferPointer?) -> Result) -> Result {
        guard let self else { return body(nil) }
        return self.withUnsafeBytes { body($0) }
    }
}
