/// What lies between the values of a JSON record — `{"createTime": `, `, "orderId": `, …,
/// `}` — and which column each value belongs to, learned from a record the general reader
/// decoded.
///
/// Why: the records of one producer are written by one serializer, so they share these bytes
/// record after record. The next record is then read by comparing each stretch of bytes at
/// once and parsing only the values, instead of finding quotes, colons and commas and
/// matching every field name (that was a third of the JSON reader's time on the seeds'
/// payments). Where a byte differs the shape does not apply, and the general reader takes the
/// whole record: a record is read the same way whichever path reads it.
///
/// Immutable once made; a class so that the bytes are freed with the last reader using them.
final class JSONRecordShape: @unchecked Sendable {
    /// The literals as 8-byte words, each literal starting a word of its own (its last word
    /// padded with zeros): a literal is compared a word at a time, its last word under a mask.
    private let words: UnsafeMutablePointer<UInt64>
    /// Per literal: its first word, its length in bytes and the mask of its last word.
    private let literals: UnsafeMutablePointer<(firstWord: Int, count: Int, lastMask: UInt64)>
    /// Per value, the position of its column among the format's columns, or -1 for a field
    /// that is no column's.
    private let positions: UnsafeMutablePointer<Int>
    let valueCount: Int
    /// How many of the values are a column's (for json.fail-on-missing-field).
    let columnsSeen: Int

    /// A value of a decoded record: its column position (or -1) and where its bytes are.
    struct ValueSpan {
        var position: Int
        var start: Int
        var end: Int
    }

    /// The shape of the record `bytes[start..<end]` whose values lie at `spans`, in order.
    init(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int, spans: [ValueSpan]) {
        valueCount = spans.count
        columnsSeen = Set(spans.lazy.map(\.position).filter { $0 >= 0 }).count
        var ranges: [Range<Int>] = []
        var from = start
        for span in spans {
            ranges.append(from..<span.start)
            from = span.end
        }
        ranges.append(from..<end)
        let wordCount = ranges.reduce(0) { $0 + ($1.count + 7) / 8 }
        words = .allocate(capacity: max(wordCount, 1))
        words.initialize(repeating: 0, count: max(wordCount, 1))
        literals = .allocate(capacity: ranges.count)
        positions = .allocate(capacity: max(spans.count, 1))
        var word = 0
        for (index, range) in ranges.enumerated() {
            let raw = UnsafeMutableRawPointer(words + word)
            for (offset, byte) in bytes[range].enumerated() { raw.storeBytes(of: byte, toByteOffset: offset, as: UInt8.self) }
            // The mask keeps the literal's bytes of its last word, whatever the byte order.
            var mask: UInt64 = 0
            withUnsafeMutableBytes(of: &mask) { mask in for byte in 0..<((range.count - 1) % 8 + 1) { mask[byte] = 0xFF } }
            literals[index] = (word, range.count, mask)
            word += (range.count + 7) / 8
        }
        for (index, span) in spans.enumerated() { positions[index] = span.position }
    }

    deinit {
        words.deallocate()
        literals.deallocate()
        positions.deallocate()
    }

    /// The column position of value `index` (-1: a field of no column).
    @inline(__always)
    func position(ofValue index: Int) -> Int { positions[index] }

    /// Whether literal `index` is at `at` of `bytes` (before `end`); moves `at` past it if so.
    @inline(__always)
    func matchLiteral(_ index: Int, _ bytes: UnsafeBufferPointer<UInt8>, at: inout Int, end: Int) -> Bool {
        let literal = literals[index]
        let count = literal.count
        guard count <= end - at, let base = bytes.baseAddress else { return false }
        let theirs = UnsafeRawPointer(base + at)
        let wholeWords = count / 8
        var word = 0
        while word < wholeWords {
            guard theirs.loadUnaligned(fromByteOffset: word * 8, as: UInt64.self) == words[literal.firstWord + word] else { return false }
            word += 1
        }
        if count % 8 != 0 {
            // The last part word: eight bytes loaded where the buffer has them (the bytes past
            // the literal are masked off), byte by byte at the buffer's very end.
            let offset = wholeWords * 8
            let expected = words[literal.firstWord + word]
            if at + offset + 8 <= bytes.count {
                guard theirs.loadUnaligned(fromByteOffset: offset, as: UInt64.self) & literal.lastMask == expected else { return false }
            } else {
                var actual: UInt64 = 0
                withUnsafeMutableBytes(of: &actual) { actual in
                    for byte in offset..<count { actual[byte - offset] = theirs.load(fromByteOffset: byte, as: UInt8.self) }
                }
                guard actual == expected else { return false }
            }
        }
        at += count
        return true
    }
}
