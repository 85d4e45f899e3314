import SQLValues

/// What lies between the values of a JSON record — `{"createTime": `, `, "orderId": `, …,
/// `}` — and which column each value belongs to, learned from a record the general reader
/// decoded; and the reader of records of that shape.
///
/// Why: the records of one producer are written by one serializer, so they share these bytes
/// record after record. The next record is then read by comparing each stretch of bytes at
/// once and parsing only the values, instead of finding quotes, colons and commas and
/// matching every field name (that was a third of the JSON reader's time on the seeds'
/// payments). Where a byte differs the shape does not apply, and the general reader takes the
/// whole record: a record is read the same way whichever path reads it.
///
/// Immutable once made; a class so that the memory is freed with the last format using it,
/// read through its `reader`, a view of plain pointers into that memory.
package final class JSONRecordShape: @unchecked Sendable {
    /// A stretch of bytes between values: its first word in `words`, its length in bytes and
    /// the mask of its last word.
    fileprivate struct Literal {
        var firstWord: Int
        var count: Int
        var lastMask: UInt64
    }

    /// The literal before a value, and what is done with the value.
    fileprivate struct Step {
        var literal: Literal
        var plan: FieldPlan
        /// The value's column among the format's columns; -1 for a field that is no column's.
        var position: Int
    }

    /// How a record read by the shape came out.
    package enum Outcome {
        /// Read whole: the position after the shape's last literal.
        case read(end: Int)
        /// Value `value` at `at` is not in a plain form (an escape, an exponent, a value of a
        /// type read only the general way): the caller reads it, then resumes at `value + 1`.
        case notPlain(value: Int, at: Int)
        /// The record is not of this shape (or a value is not its column's type).
        case differs
    }

    /// The shape's reader: valid while this shape lives.
    let reader: Reader

    /// A value of a decoded record: its column position (or -1) and where its bytes are.
    package struct ValueSpan {
        var position: Int
        var start: Int
        var end: Int
    }

    /// The shape of the record `bytes[start..<end]` whose values lie at `spans`, in order;
    /// `plans` says what is done with each column's value.
    init(_ bytes: UnsafeBufferPointer<UInt8>, start: Int, end: Int, spans: [ValueSpan], plans: [FieldPlan]) {
        var ranges: [Range<Int>] = []
        var from = start
        for span in spans {
            ranges.append(from..<span.start)
            from = span.end
        }
        ranges.append(from..<end)
        let wordCount = ranges.reduce(0) { $0 + ($1.count + 7) / 8 }
        let words = UnsafeMutablePointer<UInt64>.allocate(capacity: max(wordCount, 1))
        words.initialize(repeating: 0, count: max(wordCount, 1))
        var literals: [Literal] = []
        var word = 0
        for range in ranges {
            let raw = UnsafeMutableRawPointer(words + word)
            for (offset, byte) in bytes[range].enumerated() {
                raw.storeBytes(of: byte, toByteOffset: offset, as: UInt8.self)
            }
            // The mask keeps the literal's bytes of its last word, whatever the byte order.
            var mask: UInt64 = 0
            withUnsafeMutableBytes(of: &mask) { mask in
                for byte in 0..<((range.count - 1) % 8 + 1) { mask[byte] = 0xFF }
            }
            literals.append(Literal(firstWord: word, count: range.count, lastMask: mask))
            word += (range.count + 7) / 8
        }
        let steps = UnsafeMutablePointer<Step>.allocate(capacity: max(spans.count, 1))
        for (index, span) in spans.enumerated() {
            let plan = span.position >= 0 ? plans[span.position] : FieldPlan.unread
            (steps + index).initialize(to: Step(literal: literals[index], plan: plan, position: span.position))
        }
        reader = Reader(
            words: words, steps: steps, closing: literals[spans.count], valueCount: spans.count,
            columnsSeen: Set(spans.lazy.map(\.position).filter { $0 >= 0 }).count)
    }

    deinit {
        reader.words.deallocate()
        reader.steps.deinitialize(count: reader.valueCount)
        reader.steps.deallocate()
    }
}

extension JSONRecordShape {
    /// Reads records of the shape. Plain pointers, copied without reference counting: a
    /// reader kept beside its shape cost a retain and a release per record (6%).
    package struct Reader {
        /// The literals as 8-byte words, each literal starting a word of its own (its last word
        /// padded with zeros): a literal is compared a word at a time, its last word under a mask.
        fileprivate let words: UnsafeMutablePointer<UInt64>
        fileprivate let steps: UnsafeMutablePointer<Step>
        /// The literal after the last value (`}`, and any spaces around it).
        fileprivate let closing: Literal
        let valueCount: Int
        /// How many of the values are a column's (for json.fail-on-missing-field).
        let columnsSeen: Int

        /// The column position of value `index` (-1: a field of no column).
        func position(ofValue index: Int) -> Int { steps[index].position }

        /// Reads a record of this shape from value `first` on (0: the whole record from its `{`),
        /// starting at `start`, before `end`: each literal compared, each value read in its plain
        /// form into `values` at its plan's target. `bytes` may go on past `end` (words are loaded
        /// across it where the buffer has them).
        ///
        /// A function of its own, not inlined, with its helpers inlined by force (`@inline(always)`):
        /// how fast this loop runs once depended on what the optimizer made of its callers, and
        /// moved by 20% with edits to unrelated files.
        @inline(never)
        func read(
            _ bytes: UnsafeBufferPointer<UInt8>, from first: Int, at start: Int, end: Int,
            into values: UnsafeMutableBufferPointer<Value>, dates: inout DateMemo
        ) -> Outcome {
            guard let base = bytes.baseAddress, let row = values.baseAddress else { return .differs }
            let limit = bytes.count
            var at = start
            var value = first
            while value < valueCount {
                let step = steps + value
                guard match(step.pointee.literal, base, at: &at, end: end, limit: limit) else { return .differs }
                let target = step.pointee.plan.target
                switch step.pointee.plan.reading {
                case .skipped:
                    guard let next = PlainJSON.skip(base, at, end) else { return .notPlain(value: value, at: at) }
                    at = next
                case .double:
                    guard let (number, next) = PlainJSON.decimal(base, at, end) else {
                        return .notPlain(value: value, at: at)
                    }
                    values.put(.double(number), at: target)
                    at = next
                case .integer:
                    guard let (number, next) = PlainJSON.integer(base, at, end) else {
                        return .notPlain(value: value, at: at)
                    }
                    // Out of the column's range: the general reader says so.
                    guard number >= step.pointee.plan.minimum, number <= step.pointee.plan.maximum else {
                        return .notPlain(value: value, at: at)
                    }
                    values.put(.integer(number), at: target)
                    at = next
                case .eventTime:
                    // The seeds' form, `"yyyy-MM-dd HH:mm:ss"`, at its fixed length.
                    guard at &+ 20 < end, base[at] == 0x22, base[at &+ 20] == 0x22,
                        let micros = dates.parseSecondsTimestamp(base + (at &+ 1))
                    else { return .notPlain(value: value, at: at) }
                    values.put(.timestamp(micros), at: target)
                    at &+= 21
                case .string:
                    // Apart, in a call: a String made in this loop slowed it for every record.
                    guard let next = Self.readPlainString(base, at, end, into: row + target) else {
                        return .notPlain(value: value, at: at)
                    }
                    at = next
                case .other:
                    return .notPlain(value: value, at: at)
                }
                value &+= 1
            }
            guard match(closing, base, at: &at, end: end, limit: limit) else { return .differs }
            return .read(end: at)
        }

        /// Whether `literal` is at `at` (before `end`; the buffer holds `limit` bytes); moves `at`
        /// past it if so.
        @inline(always)
        private func match(
            _ literal: Literal, _ base: UnsafePointer<UInt8>, at: inout Int, end: Int, limit: Int
        ) -> Bool {
            let count = literal.count
            guard count <= end &- at else { return false }
            let theirs = UnsafeRawPointer(base + at)
            let ours = words + literal.firstWord
            if count <= 16, at &+ 16 <= limit {
                // Most literals (`, "orderId": `) are one or two words: compared without a loop,
                // the last under its mask.
                let first = theirs.loadUnaligned(as: UInt64.self)
                if count <= 8 {
                    guard first & literal.lastMask == ours[0] else { return false }
                } else {
                    guard first == ours[0],
                        theirs.loadUnaligned(fromByteOffset: 8, as: UInt64.self) & literal.lastMask == ours[1]
                    else { return false }
                }
                at &+= count
                return true
            }
            let wholeWords = count &>> 3
            var word = 0
            while word < wholeWords {
                guard theirs.loadUnaligned(fromByteOffset: word &<< 3, as: UInt64.self) == ours[word] else {
                    return false
                }
                word &+= 1
            }
            if count & 7 != 0 {
                // The last part word: eight bytes loaded where the buffer has them (the bytes past
                // the literal are masked off), byte by byte at the buffer's very end.
                let offset = wholeWords &<< 3
                if at &+ offset &+ 8 <= limit {
                    guard theirs.loadUnaligned(fromByteOffset: offset, as: UInt64.self) & literal.lastMask == ours[word]
                    else { return false }
                } else {
                    guard Self.tailWord(theirs + offset, count: count &- offset) == ours[word] else { return false }
                }
            }
            at &+= count
            return true
        }

        /// The `count` (< 8) bytes at `bytes` as a word padded with zeros.
        @inline(never)
        private static func tailWord(_ bytes: UnsafeRawPointer, count: Int) -> UInt64 {
            var word: UInt64 = 0
            withUnsafeMutableBytes(of: &word) { word in
                for byte in 0..<count { word[byte] = bytes.load(fromByteOffset: byte, as: UInt8.self) }
            }
            return word
        }

        @inline(never)
        private static func readPlainString(
            _ base: UnsafePointer<UInt8>, _ at: Int, _ end: Int, into slot: UnsafeMutablePointer<Value>
        ) -> Int? {
            guard let (text, next) = PlainJSON.string(base, at, end) else { return nil }
            slot.pointee = .string(text)
            return next
        }
    }
}
