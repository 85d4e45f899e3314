import KafkaProtocol

/// One transactional id as the transaction coordinator keeps it, as a plain value: which
/// producer id and epoch own it, and what its transaction under way has touched. The
/// coordinator (an actor) feeds it requests and performs what they lead to (markers,
/// offsets, saving).
///
/// ```
///   Empty ──AddPartitionsToTxn / AddOffsetsToTxn──▶ Ongoing ──EndTxn(commit|abort)──▶ Empty
///     ▲                                                │ InitProducerId again, or the timeout:
///     └──────────────── aborted, epoch + 1 ◀───────────┘ the owner is fenced
/// ```
struct TransactionalProducer: Codable, Sendable, Equatable {
    /// A partition, as saved.
    struct Partition: Codable, Hashable, Sendable, Comparable {
        var topic: String
        var partition: Int32

        static func < (lhs: Partition, rhs: Partition) -> Bool {
            lhs.topic != rhs.topic ? lhs.topic < rhs.topic : lhs.partition < rhs.partition
        }
    }

    /// An offset committed inside the transaction (TxnOffsetCommit): applied when it commits.
    struct PendingOffset: Codable, Sendable, Equatable {
        var group: String
        var topic: String
        var partition: Int32
        var offset: Int64
        var leaderEpoch: Int32
        var metadata: String?
    }

    var transactionalId: String
    var producerId: Int64
    var epoch: Int16
    var timeoutMs: Int32
    var ongoing = false
    /// When the transaction under way began (ms since 1970).
    var startedMs: Int64 = 0
    var partitions: Set<Partition> = []
    var groups: Set<String> = []
    var pendingOffsets: [PendingOffset] = []
    /// How its last transaction ended: "CompleteCommit" or "CompleteAbort" (nil before any).
    var lastOutcome: String?

    /// Checks that a request comes from the current owner.
    func check(producerId: Int64, epoch requested: Int16) -> ErrorCode {
        guard producerId == self.producerId else { return .invalidProducerIdMapping }
        if requested < epoch { return .producerFenced }
        return requested == epoch ? .none : .invalidProducerEpoch
    }

    /// AddPartitionsToTxn and AddOffsetsToTxn begin the transaction if none is under way.
    mutating func begin(now: Int64) {
        guard !ongoing else { return }
        ongoing = true
        startedMs = now
    }

    /// Ends the transaction (its markers written, its offsets applied or dropped).
    mutating func finish(committed: Bool) {
        lastOutcome = committed ? "CompleteCommit" : "CompleteAbort"
        ongoing = false
        partitions = []
        groups = []
        pendingOffsets = []
    }

    /// InitProducerId again, or a timeout: a new epoch fences the previous owner. When the
    /// epoch would overflow, the id is replaced (`newProducerId` gives one).
    mutating func bumpEpoch(newProducerId: () -> Int64) {
        if epoch >= Int16.max - 1 {
            producerId = newProducerId()
            epoch = 0
        } else {
            epoch += 1
        }
    }

    /// Its state by Kafka's names (ListTransactions, DescribeTransactions).
    var state: String { ongoing ? "Ongoing" : lastOutcome ?? "Empty" }

    func hasTimedOut(now: Int64) -> Bool {
        ongoing && now - startedMs > Int64(timeoutMs)
    }
}
