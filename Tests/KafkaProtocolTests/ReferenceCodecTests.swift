import Foundation
import Testing

@testable import KafkaProtocol

#if canImport(Glibc)
    import Glibc
#endif

/// Weir's own snappy and LZ4 against the reference C libraries (libsnappy,
/// liblz4), loaded at run time: each side must read what the other writes.
/// `.ci/run` installs them (libsnappy1v5, liblz4-1).
@Suite struct ReferenceCodecTests {
    static let inputs: [[UInt8]] = {
        var random = TestRandom(seed: 99)
        let json = (0..<3000).map { "{\"word\":\"w\($0 % 97)\",\"count\":\($0)}\n" }.joined()
        return [
            [1, 2, 3],
            Array(json.utf8),
            (0..<150_000).map { _ in UInt8(truncatingIfNeeded: random.next() % 7) },
            (0..<70_000).map { _ in UInt8(truncatingIfNeeded: random.next()) },
        ]
    }()

    struct Snappy {
        typealias Compress =
            @convention(c) (UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<Int>?) ->
            Int32
        typealias Uncompress = Compress
        typealias MaxLength = @convention(c) (Int) -> Int
        let compress: Compress
        let uncompress: Uncompress
        let maxLength: MaxLength

        init() throws {
            let library = try #require(
                dlopen("libsnappy.so.1", RTLD_NOW), "libsnappy.so.1 missing: apt-get install libsnappy1v5")
            compress = unsafeBitCast(try #require(dlsym(library, "snappy_compress")), to: Compress.self)
            uncompress = unsafeBitCast(try #require(dlsym(library, "snappy_uncompress")), to: Uncompress.self)
            maxLength = unsafeBitCast(try #require(dlsym(library, "snappy_max_compressed_length")), to: MaxLength.self)
        }
    }

    @Test func snappyAgreesWithLibsnappy() throws {
        let reference = try Snappy()
        for input in Self.inputs {
            // libsnappy → Weir
            var compressed = [UInt8](repeating: 0, count: reference.maxLength(input.count))
            var compressedLength = compressed.count
            #expect(reference.compress(input, input.count, &compressed, &compressedLength) == 0)
            let theirs = Array(compressed[0..<compressedLength])
            #expect(try CompressionCodec.snappy.decompress(theirs) == input)
            // Weir → libsnappy
            let ours = KafkaProtocol.Snappy.compressRaw(input[...])
            var restored = [UInt8](repeating: 0, count: input.count + 1)
            var restoredLength = restored.count
            #expect(reference.uncompress(ours, ours.count, &restored, &restoredLength) == 0)
            #expect(Array(restored[0..<restoredLength]) == input)
        }
    }

    struct LZ4 {
        typealias CompressFrame =
            @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeRawPointer?, Int, UnsafeRawPointer?) -> Int
        typealias IsError = @convention(c) (Int) -> UInt32
        typealias CreateContext = @convention(c) (UnsafeMutablePointer<OpaquePointer?>?, UInt32) -> Int
        typealias FreeContext = @convention(c) (OpaquePointer?) -> Int
        typealias Decompress =
            @convention(c) (
                OpaquePointer?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int>?,
                UnsafeRawPointer?, UnsafeMutablePointer<Int>?, UnsafeRawPointer?
            ) -> Int
        let compressFrame: CompressFrame
        let isError: IsError
        let createContext: CreateContext
        let freeContext: FreeContext
        let decompress: Decompress

        init() throws {
            let library = try #require(dlopen("liblz4.so.1", RTLD_NOW), "liblz4.so.1 missing: apt-get install liblz4-1")
            compressFrame = unsafeBitCast(try #require(dlsym(library, "LZ4F_compressFrame")), to: CompressFrame.self)
            isError = unsafeBitCast(try #require(dlsym(library, "LZ4F_isError")), to: IsError.self)
            createContext = unsafeBitCast(
                try #require(dlsym(library, "LZ4F_createDecompressionContext")), to: CreateContext.self)
            freeContext = unsafeBitCast(
                try #require(dlsym(library, "LZ4F_freeDecompressionContext")), to: FreeContext.self)
            decompress = unsafeBitCast(try #require(dlsym(library, "LZ4F_decompress")), to: Decompress.self)
        }

        /// Decompresses a whole frame with liblz4.
        func decompressFrame(_ frame: [UInt8], expectedSize: Int) -> [UInt8]? {
            var context: OpaquePointer?
            guard isError(createContext(&context, 100)) == 0 else { return nil }
            defer { _ = freeContext(context) }
            var output = [UInt8](repeating: 0, count: expectedSize + 64)
            var outputSize = output.count
            var inputSize = frame.count
            let result = frame.withUnsafeBytes { source in
                output.withUnsafeMutableBytes { destination in
                    decompress(context, destination.baseAddress, &outputSize, source.baseAddress, &inputSize, nil)
                }
            }
            guard isError(result) == 0, inputSize == frame.count else { return nil }
            return Array(output[0..<outputSize])
        }
    }

    @Test func lz4AgreesWithLiblz4() throws {
        let reference = try LZ4()
        for input in Self.inputs {
            // liblz4 (default frame: linked blocks, content checksum) → Weir
            var frame = [UInt8](repeating: 0, count: input.count + input.count / 100 + 1024)
            let size = input.withUnsafeBytes { source in
                frame.withUnsafeMutableBytes { destination in
                    reference.compressFrame(
                        destination.baseAddress, destination.count, source.baseAddress, source.count, nil)
                }
            }
            #expect(reference.isError(size) == 0)
            #expect(try CompressionCodec.lz4.decompress(frame[0..<size]) == input)
            // Weir → liblz4
            let ours = try CompressionCodec.lz4.compress(input)
            #expect(reference.decompressFrame(ours, expectedSize: input.count) == input)
        }
    }
}
