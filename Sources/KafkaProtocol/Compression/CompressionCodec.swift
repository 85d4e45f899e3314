import CCompression

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The compression a record batch's attributes name (bits 0–2).
///
/// gzip uses the system zlib; snappy and LZ4 are implemented in this module;
/// zstd is loaded from libzstd.so.1 at run time, so the package builds without
/// zstd headers and a machine without the library gets a clear error naming
/// the package to install.
public enum CompressionCodec: Int8, Sendable, CaseIterable, CustomStringConvertible {
    case none = 0
    case gzip = 1
    case snappy = 2
    case lz4 = 3
    case zstd = 4

    /// The name Kafka's `compression.type` property uses.
    public var description: String {
        switch self {
        case .none: return "none"
        case .gzip: return "gzip"
        case .snappy: return "snappy"
        case .lz4: return "lz4"
        case .zstd: return "zstd"
        }
    }

    /// Reads a `compression.type` value ("lz4", "zstd", ...).
    public init?(name: String) {
        guard let codec = Self.allCases.first(where: { $0.description == name.lowercased() }) else { return nil }
        self = codec
    }

    /// Compresses `input` the way Kafka's clients do for this codec (snappy with
    /// the xerial framing Java clients write, LZ4 in the frame format).
    public func compress<Input: Collection<UInt8>>(_ input: Input) throws(CompressionError) -> [UInt8] {
        switch self {
        case .none: return Array(input)
        case .gzip: return try callC(input) { weir_gzip_compress($0, $1, 6, $2, $3) }
        case .zstd:
            try Self.requireZstd()
            return try callC(input) { weir_zstd_compress($0, $1, 3, $2, $3) }
        case .snappy: return Snappy.compressFramed(Array(input))
        case .lz4: return withContiguousBytes(input) { LZ4Frame.compress($0) }
        }
    }

    /// Decompresses `input`, refusing to produce more than `limit` bytes.
    public func decompress<Input: Collection<UInt8>>(
        _ input: Input, limit: Int = DecodingLimits.default.maxDecompressedSize
    ) throws(CompressionError) -> [UInt8] {
        switch self {
        case .none: return Array(input)
        case .gzip: return try callC(input) { weir_gzip_decompress($0, $1, limit, $2, $3) }
        case .zstd:
            try Self.requireZstd()
            return try callC(input) { weir_zstd_decompress($0, $1, limit, $2, $3) }
        case .snappy: return try Snappy.decompressAnyFraming(Array(input), limit: limit)
        case .lz4:
            return try withContiguousBytes(input) { bytes in
                Result { () throws(CompressionError) in try LZ4Frame.decompress(bytes, limit: limit) }
            }.get()
        }
    }

    /// Runs `body` over the input's bytes, copying them only if they are not contiguous.
    private func withContiguousBytes<Input: Collection<UInt8>, Output>(
        _ input: Input, _ body: (UnsafeRawBufferPointer) -> Output
    ) -> Output {
        if let result = input.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) { return result }
        return Array(input).withUnsafeBytes(body)
    }

    private static func requireZstd() throws(CompressionError) {
        if weir_zstd_load() == 0 {
            throw .unavailable(codec: .zstd, reason: String(cString: weir_zstd_load_error()))
        }
    }

    /// Runs one of the C helpers, which return a malloc'd buffer, and copies the result out.
    private func callC<Input: Collection<UInt8>>(
        _ input: Input,
        _ body: (
            UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>, UnsafeMutablePointer<Int>
        )
            -> weir_codec_status
    ) throws(CompressionError) -> [UInt8] {
        var output: UnsafeMutablePointer<UInt8>? = nil
        var outputLength = 0
        let contiguous = input.withContiguousStorageIfAvailable { buffer in
            body(buffer.baseAddress, buffer.count, &output, &outputLength)
        }
        let status =
            contiguous
            ?? Array(input).withUnsafeBufferPointer { buffer in
                body(buffer.baseAddress, buffer.count, &output, &outputLength)
            }
        switch status {
        case weir_codec_ok:
            defer { free(output) }
            return Array(UnsafeBufferPointer(start: output, count: outputLength))
        case weir_codec_too_large: throw .exceedsLimit(codec: self)
        case weir_codec_unavailable: throw .unavailable(codec: self, reason: "library not loaded")
        case weir_codec_out_of_memory: throw .corrupt(codec: self, reason: "the codec ran out of memory")
        default: throw .corrupt(codec: self, reason: "the compressed data is damaged")
        }
    }
}

/// Why a block could not be compressed or decompressed.
public enum CompressionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The attributes name a codec number Kafka does not define.
    case unknownCodec(Int8)
    /// The codec's library is not installed; `reason` says which package provides it.
    case unavailable(codec: CompressionCodec, reason: String)
    /// The input is not valid for the codec.
    case corrupt(codec: CompressionCodec, reason: String)
    /// The output would be larger than the decompression limit.
    case exceedsLimit(codec: CompressionCodec)

    public var description: String {
        switch self {
        case let .unknownCodec(number): return "unknown compression codec \(number)"
        case let .unavailable(codec, reason): return "\(codec) is unavailable: \(reason)"
        case let .corrupt(codec, reason): return "\(codec) data is corrupt: \(reason)"
        case let .exceedsLimit(codec): return "\(codec) data inflates past the decompression limit"
        }
    }
}
