import KafkaProtocol

/// Drops the batches of aborted transactions from a fetched partition, as a
/// `read_committed` consumer must: the broker returns every batch up to the last
/// stable offset and lists the aborted transactions among them, and the consumer
/// filters (brokers never do).
///
/// Walk the batches in offset order: a transaction becomes "aborted" once the
/// walk reaches its first offset, and stops being so at its producer's ABORT
/// marker. Between the two, that producer's transactional batches are skipped.
struct AbortedTransactionFilter {
    /// Not yet reached, by first offset (ascending).
    private var pending: [(producerId: Int64, firstOffset: Int64)]
    private var aborting: Set<Int64> = []

    init(_ aborted: [(producerId: Int64, firstOffset: Int64)]) {
        pending = aborted.sorted { $0.firstOffset < $1.firstOffset }
    }

    /// Whether the batch's records are to be handed out.
    mutating func admits(_ batch: RecordBatch) -> Bool {
        admits(lastOffset: batch.lastOffset, attributes: batch.attributes, producerId: batch.producerId) {
            batch.records.first?.key
        }
    }

    mutating func admits(_ batch: RecordBatchView) -> Bool {
        admits(lastOffset: batch.lastOffset, attributes: batch.attributes, producerId: batch.producerId) {
            batch.firstKey?[...]
        }
    }

    /// `firstKey`: a control batch's marker, asked for only of control batches.
    private mutating func admits(
        lastOffset: Int64, attributes: RecordBatchAttributes, producerId: Int64,
        firstKey: () -> ArraySlice<UInt8>?
    ) -> Bool {
        while let next = pending.first, next.firstOffset <= lastOffset {
            aborting.insert(next.producerId)
            pending.removeFirst()
        }
        if attributes.isControl {
            if ControlRecord(key: firstKey())?.kind == .abort { aborting.remove(producerId) }
            return false
        }
        return !(attributes.isTransactional && aborting.contains(producerId))
    }
}
