/// Snappy, raw and in the xerial framing that Kafka's Java client writes.
///
/// Raw format: the uncompressed length as an unsigned varint, then elements
/// whose tag byte's low two bits say what follows: 00 a literal, 01 a copy with
/// an 11-bit offset and length 4–11, 10 a copy with a 16-bit offset, 11 a copy
/// with a 32-bit offset. Xerial framing: an 8-byte magic, two big-endian int32s
/// (version, compatible version), then blocks of [int32 length][raw snappy].
enum Snappy {
    static let xerialMagic: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00]
    /// Xerial's default block size; the Java client uses it.
    static let xerialBlockSize = 32 * 1024

    // MARK: Framing

    static func compressFramed(_ input: [UInt8]) -> [UInt8] {
        var output = xerialMagic
        output += [0, 0, 0, 1, 0, 0, 0, 1]
        var start = 0
        repeat {
            let end = min(start + xerialBlockSize, input.count)
            let block = compressRaw(input[start..<end])
            withUnsafeBytes(of: Int32(block.count).bigEndian) { output.append(contentsOf: $0) }
            output += block
            start = end
        } while start < input.count
        return output
    }

    /// Decompresses xerial-framed snappy (Java clients) or raw snappy (librdkafka).
    static func decompressAnyFraming(_ input: [UInt8], limit: Int) throws(CompressionError) -> [UInt8] {
        guard input.count >= 16, Array(input[0..<8]) == xerialMagic else {
            return try decompressRaw(input[...], limit: limit)
        }
        var output: [UInt8] = []
        var position = 16
        while position < input.count {
            guard position + 4 <= input.count else { throw .corrupt(codec: .snappy, reason: "truncated block length") }
            let length = Int(
                UInt32(input[position]) << 24 | UInt32(input[position + 1]) << 16
                    | UInt32(input[position + 2]) << 8 | UInt32(input[position + 3]))
            position += 4
            guard length <= input.count - position else { throw .corrupt(codec: .snappy, reason: "truncated block") }
            output += try decompressRaw(input[position..<position + length], limit: limit - output.count)
            position += length
        }
        return output
    }

    // MARK: Raw format

    /// The uncompressed length a raw block announces, or nil if its preamble is malformed.
    static func uncompressedLength(_ input: ArraySlice<UInt8>) -> (length: Int, preambleSize: Int)? {
        var value = 0
        var shift = 0
        var index = input.startIndex
        while index < input.endIndex, shift <= 28 {
            let byte = input[index]
            value |= Int(byte & 0x7F) << shift
            index += 1
            if byte & 0x80 == 0 { return (value, index - input.startIndex) }
            shift += 7
        }
        return nil
    }

    static func decompressRaw(_ input: ArraySlice<UInt8>, limit: Int) throws(CompressionError) -> [UInt8] {
        guard let (length, preamble) = uncompressedLength(input) else {
            throw .corrupt(codec: .snappy, reason: "bad length preamble")
        }
        guard length <= limit else { throw .exceedsLimit(codec: .snappy) }
        var output = [UInt8](repeating: 0, count: length)
        let ok = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                decode(source: UnsafeBufferPointer(rebasing: source[preamble...]), into: destination)
            }
        }
        guard ok else { throw .corrupt(codec: .snappy, reason: "invalid element or length mismatch") }
        return output
    }

    /// Decodes elements into a buffer of exactly the announced size; false on any inconsistency.
    private static func decode(
        source: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>
    ) -> Bool {
        var input = 0
        var written = 0
        let inputEnd = source.count
        while input < inputEnd {
            let tag = source[input]
            input += 1
            switch tag & 3 {
            case 0: // literal
                var length = Int(tag >> 2) + 1
                if length > 60 {
                    let extraBytes = length - 60
                    guard input + extraBytes <= inputEnd else { return false }
                    length = 0
                    for byteIndex in 0..<extraBytes { length |= Int(source[input + byteIndex]) << (8 * byteIndex) }
                    length += 1
                    input += extraBytes
                }
                guard length <= inputEnd - input, length <= output.count - written else { return false }
                output.baseAddress!.advanced(by: written).update(
                    from: source.baseAddress!.advanced(by: input), count: length)
                input += length
                written += length
                continue
            case 1:
                guard input < inputEnd else { return false }
                let length = Int((tag >> 2) & 7) + 4
                let offset = Int(tag >> 5) << 8 | Int(source[input])
                input += 1
                guard copy(offset: offset, length: length, output: output, written: &written) else { return false }
            case 2:
                guard input + 2 <= inputEnd else { return false }
                let length = Int(tag >> 2) + 1
                let offset = Int(source[input]) | Int(source[input + 1]) << 8
                input += 2
                guard copy(offset: offset, length: length, output: output, written: &written) else { return false }
            default:
                guard input + 4 <= inputEnd else { return false }
                let length = Int(tag >> 2) + 1
                var offset = 0
                for byteIndex in 0..<4 { offset |= Int(source[input + byteIndex]) << (8 * byteIndex) }
                input += 4
                guard copy(offset: offset, length: length, output: output, written: &written) else { return false }
            }
        }
        return written == output.count
    }

    @inline(__always)
    private static func copy(
        offset: Int, length: Int, output: UnsafeMutableBufferPointer<UInt8>, written: inout Int
    ) -> Bool {
        guard offset > 0, offset <= written, length <= output.count - written else { return false }
        let base = output.baseAddress!
        if offset >= length {
            base.advanced(by: written).update(from: base.advanced(by: written - offset), count: length)
        } else {
            // Overlapping copy: the pattern repeats, so go byte by byte.
            for index in 0..<length { base[written + index] = base[written - offset + index] }
        }
        written += length
        return true
    }

    /// Greedy LZ77 with a hash of four bytes, in independent 64 KiB fragments.
    static func compressRaw(_ input: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(32 + input.count + input.count / 6)
        var length = input.count
        while length >= 0x80 {
            output.append(UInt8(length & 0x7F) | 0x80)
            length >>= 7
        }
        output.append(UInt8(length))
        input.withUnsafeBufferPointer { source in
            var table = [Int32](repeating: -1, count: 1 << 14)
            var fragmentStart = 0
            while fragmentStart < source.count {
                let fragmentEnd = min(fragmentStart + 65536, source.count)
                for index in table.indices { table[index] = -1 }
                compressFragment(source, start: fragmentStart, end: fragmentEnd, table: &table, output: &output)
                fragmentStart = fragmentEnd
            }
        }
        return output
    }

    @inline(__always)
    private static func load32(_ source: UnsafeBufferPointer<UInt8>, _ index: Int) -> UInt32 {
        UnsafeRawPointer(source.baseAddress!).loadUnaligned(fromByteOffset: index, as: UInt32.self)
    }

    private static func compressFragment(
        _ source: UnsafeBufferPointer<UInt8>, start: Int, end: Int, table: inout [Int32], output: inout [UInt8]
    ) {
        var literalStart = start
        var index = start
        while index + 4 <= end {
            let word = load32(source, index)
            let slot = Int((word &* 0x1E35_A7BD) >> 18)
            let candidate = Int(table[slot])
            table[slot] = Int32(index)
            guard candidate >= start, load32(source, candidate) == word else {
                index += 1
                continue
            }
            var matchLength = 4
            while index + matchLength < end, source[candidate + matchLength] == source[index + matchLength] {
                matchLength += 1
            }
            emitLiteral(source, from: literalStart, to: index, output: &output)
            emitCopy(offset: index - candidate, length: matchLength, output: &output)
            index += matchLength
            literalStart = index
        }
        emitLiteral(source, from: literalStart, to: end, output: &output)
    }

    private static func emitLiteral(
        _ source: UnsafeBufferPointer<UInt8>, from start: Int, to end: Int, output: inout [UInt8]
    ) {
        let length = end - start
        guard length > 0 else { return }
        let stored = length - 1
        if stored < 60 {
            output.append(UInt8(stored << 2))
        } else if stored < 1 << 8 {
            output.append(60 << 2)
            output.append(UInt8(stored))
        } else if stored < 1 << 16 {
            output.append(61 << 2)
            output.append(UInt8(stored & 0xFF))
            output.append(UInt8(stored >> 8))
        } else {
            output.append(62 << 2)
            output.append(UInt8(stored & 0xFF))
            output.append(UInt8((stored >> 8) & 0xFF))
            output.append(UInt8(stored >> 16))
        }
        output.append(contentsOf: UnsafeBufferPointer(rebasing: source[start..<end]))
    }

    private static func emitCopy(offset: Int, length: Int, output: inout [UInt8]) {
        var remaining = length
        // Copies of 64 bytes with a two-byte offset, keeping at least 4 for the last one.
        while remaining >= 68 {
            output.append(UInt8((63 << 2) | 2))
            output.append(UInt8(offset & 0xFF))
            output.append(UInt8(offset >> 8))
            remaining -= 64
        }
        if remaining > 64 {
            output.append(UInt8((59 << 2) | 2))
            output.append(UInt8(offset & 0xFF))
            output.append(UInt8(offset >> 8))
            remaining -= 60
        }
        if remaining < 12, offset < 2048 {
            output.append(UInt8(((offset >> 8) << 5) | ((remaining - 4) << 2) | 1))
            output.append(UInt8(offset & 0xFF))
        } else {
            output.append(UInt8(((remaining - 1) << 2) | 2))
            output.append(UInt8(offset & 0xFF))
            output.append(UInt8(offset >> 8))
        }
    }
}
