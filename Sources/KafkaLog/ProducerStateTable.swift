import KafkaProtocol

/// What a partition knows of each idempotent producer that wrote to it: its epoch and
/// its last five batches' sequence numbers and offsets. An idempotent producer numbers
/// the records it sends to each partition 0, 1, 2, ... (wrapping after Int32.max); a batch
/// sent again after a lost acknowledgement carries the same numbers, and is recognised
/// here instead of being written twice.
///
/// A plain value, checked and updated under its partition's lock; rebuilt from the batch
/// headers of the log when it is opened (so it survives restarts with the data).
public struct ProducerStateTable: Sendable {
    struct Batch: Sendable {
        var firstSequence: Int32
        var lastSequence: Int32
        var baseOffset: Int64
        var lastOffset: Int64
    }

    struct Producer: Sendable {
        var epoch: Int16
        /// Oldest first; at most `remembered`.
        var batches: [Batch]
        /// The largest timestamp of its latest batch.
        var lastTimestamp: Int64 = -1
    }

    /// An idempotent producer as DescribeProducers reports it.
    public struct ActiveProducer: Sendable, Equatable {
        public var producerId: Int64
        public var epoch: Int16
        public var lastSequence: Int32
        public var lastTimestamp: Int64
    }

    /// How many recent batches per producer are remembered for duplicate detection; Kafka's
    /// clients keep at most this many in flight with idempotence on.
    static let remembered = 5

    private var producers: [Int64: Producer] = [:]

    public init() {}

    /// What to do with a batch.
    public enum Verdict: Sendable, Equatable {
        /// Not idempotent, or the next batch in sequence: append it.
        case append
        /// Already in the log: answer with where it was written, write nothing.
        case duplicate(baseOffset: Int64, lastOffset: Int64)
        /// A gap or a step back in the sequence.
        case outOfOrder(expected: Int32, received: Int32)
        /// An older epoch of a producer that has since been re-initialised (fenced).
        case staleEpoch(current: Int16)
        /// A producer the partition has no state for, continuing mid-sequence.
        case unknownProducer
    }

    public func check(_ header: RecordBatchHeader) -> Verdict {
        guard header.producerId >= 0, header.baseSequence >= 0 else { return .append }
        guard let producer = producers[header.producerId] else {
            return header.baseSequence == 0 ? .append : .unknownProducer
        }
        if header.producerEpoch < producer.epoch { return .staleEpoch(current: producer.epoch) }
        if header.producerEpoch > producer.epoch {
            // A new epoch starts its sequence again.
            return header.baseSequence == 0 ? .append : .outOfOrder(expected: 0, received: header.baseSequence)
        }
        let last = Self.lastSequence(of: header)
        if let seen = producer.batches.first(where: {
            $0.firstSequence == header.baseSequence && $0.lastSequence == last
        }) {
            return .duplicate(baseOffset: seen.baseOffset, lastOffset: seen.lastOffset)
        }
        let expected = producer.batches.last.map { Self.next(after: $0.lastSequence) } ?? 0
        return header.baseSequence == expected
            ? .append : .outOfOrder(expected: expected, received: header.baseSequence)
    }

    /// Notes a batch that was appended at `baseOffset`.
    public mutating func record(_ header: RecordBatchHeader, baseOffset: Int64) {
        guard header.producerId >= 0, header.baseSequence >= 0 else { return }
        let batch = Batch(
            firstSequence: header.baseSequence, lastSequence: Self.lastSequence(of: header),
            baseOffset: baseOffset, lastOffset: baseOffset + Int64(header.lastOffsetDelta))
        if var producer = producers[header.producerId], producer.epoch == header.producerEpoch {
            producer.batches.append(batch)
            if producer.batches.count > Self.remembered { producer.batches.removeFirst() }
            producer.lastTimestamp = header.maxTimestamp
            producers[header.producerId] = producer
        } else {
            producers[header.producerId] = Producer(
                epoch: header.producerEpoch, batches: [batch], lastTimestamp: header.maxTimestamp)
        }
    }

    /// Every producer the partition has state for, by id.
    public var activeProducers: [ActiveProducer] {
        producers.keys.sorted().map { id in
            let producer = producers[id]!
            return ActiveProducer(
                producerId: id, epoch: producer.epoch, lastSequence: producer.batches.last?.lastSequence ?? -1,
                lastTimestamp: producer.lastTimestamp)
        }
    }

    /// The highest producer id seen, so a restarted broker gives out only new ones.
    public var largestProducerId: Int64 { producers.keys.max() ?? -1 }

    static func lastSequence(of header: RecordBatchHeader) -> Int32 {
        let last = Int64(header.baseSequence) + Int64(header.lastOffsetDelta)
        return last > Int64(Int32.max) ? Int32(last - Int64(Int32.max) - 1) : Int32(last)
    }

    static func next(after sequence: Int32) -> Int32 { sequence == Int32.max ? 0 : sequence + 1 }
}
