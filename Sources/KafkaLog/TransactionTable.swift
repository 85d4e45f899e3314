import KafkaProtocol

/// A transaction that was aborted in this partition: a consumer reading committed data
/// skips its producer's transactional batches from `firstOffset` to its ABORT marker at
/// `lastOffset`. (Fetch responses carry these as `aborted_transactions`.)
public struct AbortedTransaction: Sendable, Equatable {
    public var producerId: Int64
    public var firstOffset: Int64
    public var lastOffset: Int64
}

/// The transactions of one partition: those still open (written to, not yet ended by a
/// COMMIT or ABORT marker) and those aborted. The first offset of the oldest open one is
/// where the last stable offset stops: a `read_committed` consumer reads no further.
///
/// A plain value, updated under its partition's lock as batches are appended, and rebuilt
/// from the log's batches when the log is opened. (Kafka also keeps the aborted ranges in a
/// `.txnindex` file per segment; Weir derives them from the log and writes no such file.)
public struct TransactionTable: Sendable {
    /// Producer id → first offset of its open transaction.
    private(set) var open: [Int64: Int64] = [:]
    /// In the order their markers were written (so by `lastOffset`).
    private(set) var aborted: [AbortedTransaction] = []

    public init() {}

    /// Notes a transactional batch appended at `header.baseOffset`; `marker` is the kind of
    /// a control batch's marker (nil for data).
    mutating func record(_ header: RecordBatchHeader, marker: ControlRecord.Kind?) {
        guard header.attributes.isTransactional else { return }
        if header.attributes.isControl {
            guard let first = open.removeValue(forKey: header.producerId) else { return }
            if marker == .abort {
                aborted.append(
                    AbortedTransaction(producerId: header.producerId, firstOffset: first, lastOffset: header.baseOffset)
                )
            }
        } else if open[header.producerId] == nil {
            open[header.producerId] = header.baseOffset
        }
    }

    /// The first offset of the oldest open transaction, if any.
    var firstOpenOffset: Int64? { open.values.min() }

    /// The producers with an open transaction here.
    var openProducers: [Int64] { Array(open.keys) }

    /// Aborted transactions that hold records in `range`.
    func aborted(overlapping range: ClosedRange<Int64>) -> [AbortedTransaction] {
        aborted.filter { $0.lastOffset >= range.lowerBound && $0.firstOffset <= range.upperBound }
    }

    /// Forgets aborted transactions wholly before the log start (retention, DeleteRecords).
    mutating func forget(before logStart: Int64) {
        aborted.removeAll { $0.lastOffset < logStart }
    }

    /// The marker kind of a control batch, read from its first record's key.
    static func markerKind(of batch: [UInt8]) -> ControlRecord.Kind? {
        guard let decoded = try? RecordBatch.decodeV2(batch, at: 0) else { return nil }
        return ControlRecord(key: decoded.records.first?.key)?.kind
    }
}
