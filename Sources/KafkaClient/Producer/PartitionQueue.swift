import KafkaProtocol

/// Someone waiting for one record's result (`KafkaProducer.send`).
struct DeliveryWaiter {
    /// The record's position in its batch: its offset is the batch's base offset plus this.
    var index: Int32
    var timestamp: Int64
    var continuation: CheckedContinuation<RecordMetadata, Error>
}

/// A sealed batch on its way to the broker.
struct OutgoingBatch {
    var bytes: [UInt8]
    var recordCount: Int32
    var baseSequence: Int32
    var waiters: [DeliveryWaiter]
    /// Its place in the order batches were sealed (producer-wide), to put retries back in order.
    var sealNumber: Int
    /// When it was sealed, on the client's clock.
    var sealedAt: Duration
    /// Sends so far; the first is attempt 1.
    var attempts = 0
    /// Why the latest attempt failed, kept to report if the batch runs out of retries.
    var lastError: KafkaClientError?
    /// The broker refused the latest attempt for its sequence number (or did not know the producer id).
    var sequenceRefused = false

    /// Whether some of its records were queued without a waiter (their failure goes to `flush`).
    var hasUnawaitedRecords: Bool { waiters.count < Int(recordCount) }
}

/// One partition's records on their way, in order: the batch being filled, the
/// sealed batches waiting to be sent, and how many are in flight.
///
/// Order is kept by sending a partition's batches only in sealing order, on one
/// connection (which a broker answers in order), at most `max.in.flight` at a
/// time; when one fails, sending stops until the rest in flight have answered,
/// and the failed ones go back to the front of the queue in their original
/// order. With idempotence their sequence numbers are unchanged, so a batch the
/// broker already has is recognised as a duplicate instead of written twice.
struct PartitionQueue {
    var filling: RecordBatchBuilder?
    var fillingWaiters: [DeliveryWaiter] = []
    var waiting: [OutgoingBatch] = []
    var inFlight = 0
    /// Batches whose attempt failed and that are to be sent again once nothing is in flight.
    var failed: [OutgoingBatch] = []
    /// Sending is paused: a retry's backoff is running, or the leader is being looked up.
    var paused = false
    /// The leader's connection, as last looked up.
    var connection: BrokerConnection?
    /// The next batch's first sequence number (idempotence).
    var nextSequence: Int32 = 0
    /// Which producer identity the sequence numbers belong to (see `KafkaProducer.identity`).
    var identityGeneration = 0

    /// Whether a batch can be sent now.
    func canSend(maxInFlight: Int) -> Bool {
        !paused && failed.isEmpty && !waiting.isEmpty && inFlight < maxInFlight
    }

    /// Gives out the sequence numbers for a batch of `count` records. Kafka's
    /// sequences wrap from Int32.max to 0.
    mutating func takeSequence(count: Int32) -> Int32 {
        let first = nextSequence
        let room = Int32.max - nextSequence
        nextSequence = count <= room ? nextSequence + count : count - room - 1
        return first
    }

    /// Renumbers every waiting batch from sequence 0 under a new producer identity
    /// (after the broker lost the old one's state). Only when nothing is in flight.
    mutating func renumber(producerId: Int64, producerEpoch: Int16, generation: Int) {
        nextSequence = 0
        for index in waiting.indices {
            let sequence = takeSequence(count: waiting[index].recordCount)
            waiting[index].baseSequence = sequence
            RecordBatchHeader.restamp(
                &waiting[index].bytes, producerId: producerId, producerEpoch: producerEpoch, baseSequence: sequence)
        }
        identityGeneration = generation
    }
}
