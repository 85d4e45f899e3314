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
    /// The literals one after the other: literal `i` is `storage[starts[i] ..< starts[i + 1]]`.
    /// There is one literal more than there are values.
    private let storage: UnsafeMutablePointer<UInt8>
    private let starts: UnsafeMutablePointer<Int>
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
        let literalBytes = (end - start) - spans.reduce(0) { $0 + ($1.end - $1.start) }
        storage = .allocate(capacity: max(literalBytes, 1))
        starts = .allocate(capacity: spans.count + 2)
        positions = .allocate(capacity: max(spans.count, 1))
        var written = 0
        var from = start
        func literal(upTo to: Int, _ index: Int) {
            starts[index] = written
            for offset in from..<to { storage[written + offset - from] = bytes[offset] }
            written += to - from
        }
        for (index, span) in spans.enumerated() {
            literal(upTo: span.start, index)
            positions[index] = span.position
            from = span.end
        }
        literal(upTo: end, spans.count)
        starts[spans.count + 1] = written
    }

    deinit {
        storage.deallocate()
        starts.deallocate()
        positions.deallocate()
    }

    /// The column position of value `index` (-1: a field of no column).
    @inline(__always)
    func position(ofValue index: Int) -> Int { positions[index] }

    /// Whether literal `index` is at `at` of `bytes` (before `end`); moves `at` past it if so.
    @inline(__always)
    func matchLiteral(_ index: Int, _ bytes: UnsafeBufferPointer<UInt8>, at: inout Int, end: Int) -> Bool {
        let from = starts[index]
        let count = starts[index + 1] - from
        guard count <= end - at, let base = bytes.baseAddress else { return false }
        // Eight bytes at a time: literals are a field name and a few marks, a call to memcmp costs more.
        let mine = UnsafeRawPointer(storage + from)
        let theirs = UnsafeRawPointer(base + at)
        var offset = 0
        while offset + 8 <= count {
            guard mine.loadUnaligned(fromByteOffset: offset, as: UInt64.self) == theirs.loadUnaligned(fromByteOffset: offset, as: UInt64.self) else { return false }
            offset += 8
        }
        while offset < count {
            guard mine.load(fromByteOffset: offset, as: UInt8.self) == theirs.load(fromByteOffset: offset, as: UInt8.self) else { return false }
            offset += 1
        }
        at += count
        return true
    }
}
