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

    static func compress(_ input: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count + input.count / 255 + 32)
        appendLittleEndian(magic, to: &output)
        let flags: UInt8 = 0x60 // version 01, independent blocks, no checksums, no content size
        let blockDescriptor: UInt8 = 0x40 // 64 KiB maximum block size
        output += [flags, blockDescriptor, headerChecksum([flags, blockDescriptor][...])]
        var start = 0
        var table = [Int32](repeating: 0, count: 1 << 12)
        while start < input.count {
            let end = min(start + blockSize, input.count)
            let sizeIndex = output.count
            output += [0, 0, 0, 0]
            let compressedSize = input.withUnsafeBufferPointer { source in
                LZ4Block.compress(UnsafeBufferPointer(rebasing: source[start..<end]), table: &table, into: &output)
            }
            if compressedSize >= end - start {
                // Incompressible: store the block as it is.
                output.removeLast(compressedSize)
                output += input[start..<end]
                setLittleEndian(UInt32(end - start) | 0x8000_0000, in: &output, at: sizeIndex)
            } else {
                setLittleEndian(UInt32(compressedSize), in: &output, at: sizeIndex)
            }
            start = end
        }
        appendLittleEndian(0, to: &output) // end mark
        return output
    }

    static func decompress(_ input: [UInt8], limit: Int) throws(CompressionError) -> [UInt8] {
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
        guard checksum == headerChecksum(input[4..<position]) || checksum == headerChecksum(input[0..<position]) else {
            throw corrupt("header checksum mismatch")
        }
        guard !hasDictionary else { throw corrupt("frames with a dictionary are not supported") }
        position += 1

        var output: [UInt8] = []
        output.reserveCapacity(contentSize ?? min(limit, input.count * 4))
        while true {
            guard input.count >= position + 4 else { throw corrupt("truncated block header") }
            let header = readLittleEndian(input, at: position)
            position += 4
            if header == 0 { break }
            let stored = header & 0x8000_0000 != 0
            let size = Int(header & 0x7FFF_FFFF)
            guard size <= maxBlockSize, size <= input.count - position else { throw corrupt("block size out of range") }
            if stored {
                guard output.count + size <= limit else { throw .exceedsLimit(codec: .lz4) }
                output += input[position..<position + size]
            } else {
                let before = output.count
                let room = min(maxBlockSize, limit - before)
                output += repeatElement(0, count: room)
                let produced = input.withUnsafeBufferPointer { source in
                    output.withUnsafeMutableBufferPointer { destination in
                        LZ4Block.decompress(UnsafeBufferPointer(rebasing: source[position..<position + size]),
                                            into: destination, at: before)
                    }
                }
                guard let produced else {
                    throw output.count - before == maxBlockSize ? corrupt("invalid block") : .exceedsLimit(codec: .lz4)
                }
                output.removeLast(room - produced)
            }
            position += size
            if hasBlockChecksums { position += 4 }
        }
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

    private static func readLittleEndian(_ bytes: [UInt8], at index: Int) -> UInt32 {
        UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2]) << 16 | UInt32(bytes[index + 3]) << 24
    }

    private static func appendLittleEndian(_ value: UInt32, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func setLittleEndian(_ value: UInt32, in bytes: inout [UInt8], at index: Int) {
        for byteIndex in 0..<4 { bytes[index + byteIndex] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(byteIndex))) }
    }
}

/// The LZ4 block format: sequences of [token][literal length…][literals][offset LE16][match length…].
enum LZ4Block {
    private static let minMatch = 4
    /// The last five bytes of a block are always literals, and no match starts in its last twelve.
    private static let lastLiterals = 5
    private static let matchStartLimit = 12

    /// Compresses one block, appending to `output`; returns the compressed size.
    static func compress(_ source: UnsafeBufferPointer<UInt8>, table: inout [Int32], into output: inout [UInt8]) -> Int {
        let before = output.count
        let count = source.count
        var anchor = 0
        if count > matchStartLimit {
            for slot in table.indices { table[slot] = -1 }
            let base = UnsafeRawPointer(source.baseAddress!)
            let matchEndLimit = count - lastLiterals
            var index = 0
            while index + matchStartLimit < count {
                let word = base.loadUnaligned(fromByteOffset: index, as: UInt32.self)
                let slot = Int((word &* 2_654_435_761) >> 20)
                let candidate = Int(table[slot])
                table[slot] = Int32(index)
                guard candidate >= 0, index - candidate <= 65535,
                      base.loadUnaligned(fromByteOffset: candidate, as: UInt32.self) == word else {
                    index += 1
                    continue
                }
                var matchLength = minMatch
                while index + matchLength < matchEndLimit, source[candidate + matchLength] == source[index + matchLength] {
                    matchLength += 1
                }
                appendSequence(source, literalsFrom: anchor, to: index, offset: index - candidate,
                               matchLength: matchLength, output: &output)
                index += matchLength
                anchor = index
            }
        }
        appendSequence(source, literalsFrom: anchor, to: count, offset: 0, matchLength: 0, output: &output)
        return output.count - before
    }

    private static func appendSequence(
        _ source: UnsafeBufferPointer<UInt8>, literalsFrom start: Int, to end: Int,
        offset: Int, matchLength: Int, output: inout [UInt8]
    ) {
        let literalLength = end - start
        let matchCode = matchLength == 0 ? 0 : matchLength - minMatch
        output.append(UInt8(min(literalLength, 15) << 4 | min(matchCode, 15)))
        if literalLength >= 15 { appendLengthTail(literalLength - 15, to: &output) }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: source[start..<end]))
        guard matchLength > 0 else { return }
        output.append(UInt8(offset & 0xFF))
        output.append(UInt8(offset >> 8))
        if matchCode >= 15 { appendLengthTail(matchCode - 15, to: &output) }
    }

    private static func appendLengthTail(_ value: Int, to output: inout [UInt8]) {
        var remaining = value
        while remaining >= 255 {
            output.append(255)
            remaining -= 255
        }
        output.append(UInt8(remaining))
    }

    /// Decodes one block into `output` starting at `start`; matches may reach back to
    /// the beginning of `output` (earlier blocks of a linked frame). Returns the bytes
    /// produced, or nil if the block is invalid or does not fit.
    static func decompress(_ source: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>, at start: Int) -> Int? {
        guard let sourceBase = source.baseAddress, let outputBase = output.baseAddress else {
            return source.isEmpty ? 0 : nil
        }
        let inputEnd = source.count
        let outputEnd = output.count
        var input = 0
        var written = start
        while input < inputEnd {
            let token = sourceBase[input]
            input += 1
            var literalLength = Int(token >> 4)
            if literalLength == 15 {
                while true {
                    guard input < inputEnd else { return nil }
                    let byte = sourceBase[input]
                    input += 1
                    literalLength += Int(byte)
                    if byte != 255 { break }
                }
            }
            guard literalLength <= inputEnd - input, literalLength <= outputEnd - written else { return nil }
            (outputBase + written).update(from: sourceBase + input, count: literalLength)
            input += literalLength
            written += literalLength
            if input == inputEnd { break } // the last sequence has no match
            guard input + 2 <= inputEnd else { return nil }
            let offset = Int(sourceBase[input]) | Int(sourceBase[input + 1]) << 8
            input += 2
            var matchLength = Int(token & 15)
            if matchLength == 15 {
                while true {
                    guard input < inputEnd else { return nil }
                    let byte = sourceBase[input]
                    input += 1
                    matchLength += Int(byte)
                    if byte != 255 { break }
                }
            }
            matchLength += minMatch
            guard offset > 0, offset <= written, matchLength <= outputEnd - written else { return nil }
            let from = outputBase + written - offset
            let to = outputBase + written
            if offset >= matchLength {
                to.update(from: from, count: matchLength)
            } else {
                for index in 0..<matchLength { to[index] = from[index] }
            }
            written += matchLength
        }
        return written - start
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
            func lane(_ at: Int) -> UInt32 { UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: at, as: UInt32.self)) }
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
