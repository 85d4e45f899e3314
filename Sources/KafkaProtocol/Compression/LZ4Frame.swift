/// LZ4 in the frame format (magic 0x184D2204), which Kafka uses for codec 3.
///
/// Frame: magic, a descriptor (FLG, BD, optional content size and dictionary
/// id, then a header checksum byte), blocks of [uint32 LE size, high bit set
/// when stored uncompressed][data][optional checksum], an end mark of zero and
/// an optional content checksum. Blocks may be linked (a match may reach into
/// earlier blocks), so the decoder writes every block into one output buffer.
enum LZ4Frame {
    static let magic: UInt32 = 0x184D_2204
    static let blockSize = 64 * 1024

    static func compress(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        let blockCount = max(1, (input.count + blockSize - 1) / blockSize)
        let capacity = 7 + blockCount * (4 + LZ4Block.compressBound(blockSize)) + 4
        let table = UnsafeMutablePointer<Int32>.allocate(capacity: 4096)
        defer { table.deallocate() }
        return [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initializedCount in
            let output = buffer.baseAddress!
            var out = output
            storeLittleEndian(magic, at: out)
            let flags: UInt8 = 0x60 // version 01, independent blocks, no checksums, no content size
            let blockDescriptor: UInt8 = 0x40 // 64 KiB maximum block size
            out[4] = flags
            out[5] = blockDescriptor
            out[6] = headerChecksum([flags, blockDescriptor][...])
            out += 7
            var start = 0
            while start < input.count {
                let end = min(start + blockSize, input.count)
                let plain = UnsafeRawBufferPointer(rebasing: input[start..<end])
                let size = LZ4Block.compress(plain, into: out + 4, table: table)
                if size >= plain.count {
                    // Incompressible: store the block as it is.
                    storeLittleEndian(UInt32(plain.count) | 0x8000_0000, at: out)
                    UnsafeMutableRawPointer(out + 4).copyMemory(from: plain.baseAddress!, byteCount: plain.count)
                    out += 4 + plain.count
                } else {
                    storeLittleEndian(UInt32(size), at: out)
                    out += 4 + size
                }
                start = end
            }
            storeLittleEndian(0, at: out) // end mark
            initializedCount = out + 4 - output
        }
    }

    static func decompress(_ input: UnsafeRawBufferPointer, limit: Int) throws(CompressionError) -> [UInt8] {
        func corrupt(_ reason: String) -> CompressionError { .corrupt(codec: .lz4, reason: reason) }
        guard input.count >= 7, readLittleEndian(input, at: 0) == magic else { throw corrupt("missing frame magic") }
        let flags = input[4], blockDescriptor = input[5]
        guard flags >> 6 == 1 else { throw corrupt("unsupported frame version") }
        let hasBlockChecksums = flags & 0x10 != 0
        let hasContentSize = flags & 0x08 != 0
        let hasContentChecksum = flags & 0x04 != 0
        let hasDictionary = flags & 0x01 != 0
        let maxBlockSize: Int
        switch (blockDescriptor >> 4) & 7 {
        case 4: maxBlockSize = 64 * 1024
        case 5: maxBlockSize = 256 * 1024
        case 6: maxBlockSize = 1024 * 1024
        case 7: maxBlockSize = 4 * 1024 * 1024
        default: throw corrupt("invalid block size code")
        }
        var position = 6
        var contentSize: Int?
        if hasContentSize {
            guard input.count >= position + 8 else { throw corrupt("truncated descriptor") }
            var size: UInt64 = 0
            for byteIndex in 0..<8 { size |= UInt64(input[position + byteIndex]) << (8 * byteIndex) }
            guard size <= UInt64(limit) else { throw .exceedsLimit(codec: .lz4) }
            contentSize = Int(size)
            position += 8
        }
        if hasDictionary { position += 4 }
        guard input.count > position else { throw corrupt("truncated descriptor") }
        let checksum = input[position]
        // Kafka clients before KIP-57 hashed the magic too; accept either form.
        let descriptor = UnsafeRawBufferPointer(rebasing: input[4..<position])
        let withMagic = UnsafeRawBufferPointer(rebasing: input[0..<position])
        guard checksum == headerChecksum(Array(descriptor)[...]) || checksum == headerChecksum(Array(withMagic)[...])
        else {
            throw corrupt("header checksum mismatch")
        }
        guard !hasDictionary else { throw corrupt("frames with a dictionary are not supported") }
        position += 1
        let blocksStart = position

        // First pass over the block headers: how much room the output needs, at most.
        var needed = 0
        while true {
            guard input.count >= position + 4 else { throw corrupt("truncated block header") }
            let header = readLittleEndian(input, at: position)
            position += 4
            if header == 0 { break }
            let size = Int(header & 0x7FFF_FFFF)
            guard size <= maxBlockSize, size <= input.count - position else { throw corrupt("block size out of range") }
            needed += header & 0x8000_0000 != 0 ? size : maxBlockSize
            position += size + (hasBlockChecksums ? 4 : 0)
        }
        let capacity = min(contentSize ?? needed, needed, limit)
        var failure: CompressionError?
        let output = [UInt8](unsafeUninitializedCapacity: capacity + LZ4Block.slack) { buffer, initializedCount in
            let out = buffer.baseAddress!
            var written = 0
            position = blocksStart
            while true {
                let header = readLittleEndian(input, at: position)
                position += 4
                if header == 0 { break }
                let size = Int(header & 0x7FFF_FFFF)
                let block = UnsafeRawBufferPointer(rebasing: input[position..<position + size])
                if header & 0x8000_0000 != 0 {
                    guard size <= capacity - written else {
                        failure = .exceedsLimit(codec: .lz4)
                        break
                    }
                    UnsafeMutableRawPointer(out + written).copyMemory(from: block.baseAddress!, byteCount: size)
                    written += size
                } else {
                    guard let produced = LZ4Block.decompress(block, into: out, at: written, capacity: capacity) else {
                        failure = capacity < needed ? .exceedsLimit(codec: .lz4) : corrupt("invalid block")
                        break
                    }
                    written += produced
                }
                position += size + (hasBlockChecksums ? 4 : 0)
            }
            initializedCount = written
        }
        if let failure { throw failure }
        if hasContentChecksum {
            guard input.count >= position + 4 else { throw corrupt("truncated content checksum") }
            guard readLittleEndian(input, at: position) == XXHash32.hash(output[...]) else {
                throw corrupt("content checksum mismatch")
            }
        }
        if let contentSize, contentSize != output.count { throw corrupt("content size mismatch") }
        return output
    }

    private static func headerChecksum(_ descriptor: ArraySlice<UInt8>) -> UInt8 {
        UInt8((XXHash32.hash(descriptor) >> 8) & 0xFF)
    }

    private static func readLittleEndian(_ bytes: UnsafeRawBufferPointer, at index: Int) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt32.self))
    }

    private static func storeLittleEndian(_ value: UInt32, at pointer: UnsafeMutablePointer<UInt8>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value.littleEndian, as: UInt32.self)
    }
}

/// The LZ4 block format: sequences of [token][literal length…][literals][offset LE16][match length…].
///
/// Both directions work on raw pointers: this is the hot path of every LZ4
/// batch. Copies go eight bytes at a time and may write up to `slack` bytes
/// past the end of what they copy, so output buffers carry that much spare room.
enum LZ4Block {
    private static let minMatch = 4
    /// The last five bytes of a block are always literals, and no match starts in its last twelve.
    private static let lastLiterals = 5
    private static let matchStartLimit = 12
    /// Spare bytes an output buffer needs past its last byte for the wild copies.
    static let slack = 16

    /// The most bytes compressing `count` bytes can produce.
    static func compressBound(_ count: Int) -> Int { count + count / 255 + 16 }

    /// Compresses `source` into `output`, which has room for `compressBound(source.count)`;
    /// returns the compressed size. `table` is scratch space of 4096 entries.
    static func compress(
        _ source: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<UInt8>, table: UnsafeMutablePointer<Int32>
    ) -> Int {
        let count = source.count
        var out = output
        var anchor = 0
        if count > matchStartLimit, let base = source.baseAddress {
            table.update(repeating: -1, count: 4096)
            let matchEndLimit = count - lastLiterals
            var index = 0
            var misses = 0
            while index + matchStartLimit < count {
                let word = base.loadUnaligned(fromByteOffset: index, as: UInt32.self)
                let slot = Int((word &* 2_654_435_761) >> 20)
                let candidate = Int(table[slot])
                table[slot] = Int32(index)
                guard candidate >= 0, index - candidate <= 65535,
                    base.loadUnaligned(fromByteOffset: candidate, as: UInt32.self) == word
                else {
                    // Skip faster through data that does not compress, as liblz4 does.
                    misses += 1
                    index += 1 + (misses >> 6)
                    continue
                }
                misses = 0
                var matchLength = minMatch
                while index + matchLength + 8 <= matchEndLimit {
                    let difference =
                        base.loadUnaligned(fromByteOffset: index + matchLength, as: UInt64.self)
                        ^ base.loadUnaligned(fromByteOffset: candidate + matchLength, as: UInt64.self)
                    if difference != 0 {
                        matchLength += difference.littleEndian.trailingZeroBitCount >> 3
                        break
                    }
                    matchLength += 8
                }
                if index + matchLength + 8 > matchEndLimit {
                    while index + matchLength < matchEndLimit,
                        base.load(fromByteOffset: index + matchLength, as: UInt8.self)
                            == base.load(fromByteOffset: candidate + matchLength, as: UInt8.self)
                    {
                        matchLength += 1
                    }
                }
                out = writeSequence(
                    base, literalsFrom: anchor, to: index, offset: index - candidate,
                    matchLength: matchLength, output: out)
                index += matchLength
                anchor = index
            }
        }
        if let base = source.baseAddress ?? UnsafeRawPointer(bitPattern: 1) {
            out = writeSequence(base, literalsFrom: anchor, to: count, offset: 0, matchLength: 0, output: out)
        }
        return out - output
    }

    @inline(__always)
    private static func writeSequence(
        _ base: UnsafeRawPointer, literalsFrom start: Int, to end: Int, offset: Int, matchLength: Int,
        output: UnsafeMutablePointer<UInt8>
    ) -> UnsafeMutablePointer<UInt8> {
        var out = output
        let literalLength = end - start
        let matchCode = matchLength == 0 ? 0 : matchLength - minMatch
        out.pointee = UInt8(min(literalLength, 15) << 4 | min(matchCode, 15))
        out += 1
        if literalLength >= 15 { out = writeLengthTail(literalLength - 15, to: out) }
        if literalLength > 0 {
            UnsafeMutableRawPointer(out).copyMemory(from: base + start, byteCount: literalLength)
            out += literalLength
        }
        guard matchLength > 0 else { return out }
        out[0] = UInt8(offset & 0xFF)
        out[1] = UInt8(offset >> 8)
        out += 2
        if matchCode >= 15 { out = writeLengthTail(matchCode - 15, to: out) }
        return out
    }

    @inline(__always)
    private static func writeLengthTail(
        _ value: Int, to output: UnsafeMutablePointer<UInt8>
    ) -> UnsafeMutablePointer<UInt8> {
        var out = output
        var remaining = value
        while remaining >= 255 {
            out.pointee = 255
            out += 1
            remaining -= 255
        }
        out.pointee = UInt8(remaining)
        return out + 1
    }

    /// Decodes one block into `output[start...]`, whose capacity is `capacity` bytes
    /// plus `slack` spare ones. Matches may reach back to `output[0]` (earlier blocks
    /// of a linked frame). Returns the bytes produced, or nil if the block is invalid
    /// or would not fit.
    static func decompress(
        _ source: UnsafeRawBufferPointer, into output: UnsafeMutablePointer<UInt8>, at start: Int, capacity: Int
    ) -> Int? {
        guard let sourceBase = source.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            return source.isEmpty ? 0 : nil
        }
        let inputEnd = source.count
        var input = 0
        var written = start
        while input < inputEnd {
            let token = sourceBase[input]
            input += 1
            var literalLength = Int(token >> 4)
            if literalLength == 15 {
                guard let tail = readLengthTail(sourceBase, &input, inputEnd) else { return nil }
                literalLength += tail
            }
            guard literalLength <= inputEnd - input, literalLength <= capacity - written else { return nil }
            if literalLength <= 16, input + 16 <= inputEnd {
                // Short literals: one 16-byte copy, overrunning into the slack.
                UnsafeMutableRawPointer(output + written).copyMemory(from: sourceBase + input, byteCount: 16)
            } else {
                (output + written).update(from: sourceBase + input, count: literalLength)
            }
            input += literalLength
            written += literalLength
            if input == inputEnd { break } // the last sequence has no match
            guard input + 2 <= inputEnd else { return nil }
            let offset = Int(sourceBase[input]) | Int(sourceBase[input + 1]) << 8
            input += 2
            var matchLength = Int(token & 15)
            if matchLength == 15 {
                guard let tail = readLengthTail(sourceBase, &input, inputEnd) else { return nil }
                matchLength += tail
            }
            matchLength += minMatch
            guard offset > 0, offset <= written, matchLength <= capacity - written else { return nil }
            let from = output + written - offset
            let to = output + written
            if offset >= 16 {
                var copied = 0
                repeat {
                    UnsafeMutableRawPointer(to + copied).copyMemory(from: from + copied, byteCount: 16)
                    copied += 16
                } while copied < matchLength
            } else if offset >= 8 {
                // Eight bytes at a time; the source stays at least eight bytes behind, so it is never overwritten early.
                var copied = 0
                repeat {
                    UnsafeMutableRawPointer(to + copied).copyMemory(from: from + copied, byteCount: 8)
                    copied += 8
                } while copied < matchLength
            } else {
                for index in 0..<matchLength { to[index] = from[index] }
            }
            written += matchLength
        }
        return written - start
    }
}

extension LZ4Block {
    /// Reads the bytes that extend a length of 15: each adds its value, and 255 means another follows.
    @inline(__always)
    fileprivate static func readLengthTail(_ source: UnsafePointer<UInt8>, _ input: inout Int, _ end: Int) -> Int? {
        var total = 0
        while input < end {
            let byte = source[input]
            input += 1
            total += Int(byte)
            if byte != 255 { return total }
        }
        return nil
    }
}

/// XXH32, the checksum of LZ4 frame headers and contents.
enum XXHash32 {
    private static let prime1: UInt32 = 2_654_435_761
    private static let prime2: UInt32 = 2_246_822_519
    private static let prime3: UInt32 = 3_266_489_917
    private static let prime4: UInt32 = 668_265_263
    private static let prime5: UInt32 = 374_761_393

    static func hash(_ bytes: ArraySlice<UInt8>, seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { buffer in
            let count = buffer.count
            var index = 0
            var hash: UInt32
            func lane(_ at: Int) -> UInt32 {
                UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: at, as: UInt32.self))
            }
            func round(_ accumulator: UInt32, _ input: UInt32) -> UInt32 {
                rotateLeft(accumulator &+ input &* prime2, 13) &* prime1
            }
            if count >= 16 {
                var v1 = seed &+ prime1 &+ prime2, v2 = seed &+ prime2, v3 = seed, v4 = seed &- prime1
                while index + 16 <= count {
                    v1 = round(v1, lane(index))
                    v2 = round(v2, lane(index + 4))
                    v3 = round(v3, lane(index + 8))
                    v4 = round(v4, lane(index + 12))
                    index += 16
                }
                hash = rotateLeft(v1, 1) &+ rotateLeft(v2, 7) &+ rotateLeft(v3, 12) &+ rotateLeft(v4, 18)
            } else {
                hash = seed &+ prime5
            }
            hash = hash &+ UInt32(truncatingIfNeeded: count)
            while index + 4 <= count {
                hash = rotateLeft(hash &+ lane(index) &* prime3, 17) &* prime4
                index += 4
            }
            while index < count {
                hash = rotateLeft(hash &+ UInt32(buffer[index]) &* prime5, 11) &* prime1
                index += 1
            }
            hash ^= hash >> 15
            hash = hash &* prime2
            hash ^= hash >> 13
            hash = hash &* prime3
            hash ^= hash >> 16
            return hash
        }
    }

    @inline(__always)
    private static func rotateLeft(_ value: UInt32, _ bits: UInt32) -> UInt32 {
        (value << bits) | (value >> (32 - bits))
    }
}
