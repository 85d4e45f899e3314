import Foundation
import KafkaClient
import KafkaProtocol
import SQLPlanner
import SQLRuntime
import SQLSyntax
import SQLValues

/// Reads a kafka table: each partition is a split with its own watermark (the query's is
/// the smallest of the active ones), records decoded by the key and value formats, metadata
/// columns filled from the record. Unbounded unless `scan.bounded.mode` names an end; new
/// partitions (and topics matching `topic-pattern`) are picked up as they appear and read
/// from their beginning.
package struct KafkaSource: SourceRunner {
    let settings: KafkaTable
    let valueFormat: RecordFormat
    /// What the query reads of the table's values (JSON skips the other fields).
    let scan: ScanColumns
    let keyFormat: RecordFormat?
    let reporter: QueryReporter?
    let replaying: Bool
    let checkpointer: Checkpointer?

    init(
        table: CatalogTable, catalog: Catalog, reporter: QueryReporter?, checkpointer: Checkpointer?,
        replay: ReplayControl? = nil,
        columns: ScanColumns = .all
    ) throws(SQLError) {
        self.checkpointer = checkpointer
        var settings = try KafkaTable(table: table, catalog: catalog)
        if let replay {
            // A replay reads what the topic holds now: from the range's first offset (else the
            // beginning) to the end it has at the start, whatever the table's startup mode.
            settings.start = replay.offsetRange.map { .every($0.lowerBound) } ?? .earliest
            settings.end = replay.offsetRange.map { .every($0.upperBound) } ?? .latest
        }
        self.settings = settings
        let prefix = table.options["value.format"] != nil ? "value." : ""
        // An upsert table keeps whole rows per key: every field is read.
        scan = settings.upsert ? .all : columns.decoded(by: settings.valueColumns)
        valueFormat = try RecordFormat(
            table: table, columns: settings.valueColumns, format: settings.valueFormat, optionPrefix: prefix, scan: scan
        )
        if let format = settings.keyFormat {
            keyFormat = try RecordFormat(
                table: table, columns: settings.keyColumns, format: format, optionPrefix: "key.")
        } else {
            keyFormat = nil
        }
        self.reporter = reporter
        replaying = replay != nil
    }

    var table: CatalogTable { settings.table }

    package func run(into output: Operator, stop: StopSignal) throws(SQLError) -> [String: Int64] {
        var config = settings.client
        // Short fetch waits keep Ctrl-C, STOP JOB and idle detection prompt.
        if config["fetch.max.wait.ms"] == nil { config["fetch.max.wait.ms"] = "100" }
        // Fetches of 2 MB a partition rather than the consumer's 1 MB: each poll costs the
        // broker and the client a round of work whatever its size, and the query waits for
        // it (the payment job from a 4-partition topic: 4.35 → 3.9 s over 10 million events,
        // peak memory 66 → 107 MB; 4 MB was 3.8 s and 182 MB).
        if config["max.partition.fetch.bytes"] == nil { config["max.partition.fetch.bytes"] = "2097152" }
        if replaying {
            // A replay lets rows through at the pace of their event time: each poll brings the
            // next batch of every partition (a broker gives at least one whatever the limit), so
            // the partitions go forward side by side, as they were written — not the whole of
            // partition 0 first, holding the combined watermark back until the others' turn.
            config["max.partition.fetch.bytes"] = "1"
        }
        let cluster: KafkaCluster
        let consumer: KafkaConsumer
        do {
            cluster = try KafkaCluster(config: config)
            consumer = try KafkaConsumer(cluster: cluster)
        } catch {
            throw SQLError(.execution, "table \(table.name): \(error)")
        }
        defer {
            try? awaitClient {
                await consumer.close()
                await cluster.close()
            }
        }
        let admin = KafkaAdmin(cluster: cluster)

        var reader = PartitionReader(source: self, output: output)
        try reader.discover(admin: admin, consumer: consumer, first: true)
        if !reader.partitions.isEmpty { reporter?.report(.note("reading \(reader.describeStart())")) }
        var lastDiscovery = DispatchTime.now()
        var warnedAboutCommits = false
        // The next polls are under way while this one's records go through the operators:
        // fetching (on the client's threads) overlaps with the query's work on its own.
        let feed = PollFeed(consumer: consumer)
        defer { feed.stop() }
        var outage: String?
        while !stop.isRequested {
            if reader.finished { break }
            guard let batch = try feed.next(stop: stop) else { break }
            if batch.outage != outage {
                // The consumer retries a broker that went away; whoever watches hears of it both ways.
                if let reason = batch.outage {
                    reporter?.report(.note("\(table.name): the broker does not answer (\(reason)); retrying"))
                } else {
                    reporter?.report(.note("\(table.name): the broker answers again; reading on where it was"))
                }
                outage = batch.outage
            }
            reader.positions.merge(batch.positions) { $1 }
            try reader.absorb(batch.records)
            try reader.checkIdle()
            if reader.bounded { try reader.checkEnds() }
            // A topic not created yet is looked for often; known ones for new partitions now and then.
            if lastDiscovery.elapsedMilliseconds >= (reader.partitions.isEmpty ? 500 : settings.discoveryIntervalMs) {
                let known = reader.partitions.count
                // A topic created after the job started is read from its beginning. A broker that
                // does not answer now is the consumer's to wait for (it says so): the next round looks again.
                do throws(SQLError) {
                    try reader.discover(admin: admin, consumer: consumer, first: false)
                } catch  where outage != nil || known > 0 {
                }
                if known == 0, !reader.partitions.isEmpty {
                    reporter?.report(.note("reading \(reader.describeStart())"))
                }
                lastDiscovery = .now()
            }
            reader.report(consumer: consumer)
            if let checkpointer, checkpointer.isDue {
                try reader.emitter.flush()
                let state = reader.state()
                try checkpointer.take(source: state)
                if let failure = commitToGroup(state, admin: admin), !warnedAboutCommits {
                    warnedAboutCommits = true // said once, not at every checkpoint
                    reporter?.report(.note(failure))
                }
            }
        }
        if reader.finished {
            try reader.emitter.finish()
        } else {
            // Stopped: open windows stay open (a resumed job fills them), as Flink's cancel does.
            try reader.emitter.cancel()
        }
        return reader.skipped > 0 ? ["records skipped (parse errors)": reader.skipped] : [:]
    }

    /// As Flink does on each completed checkpoint: the group's committed offsets follow the
    /// job (for `group-offsets` starts and `weir groups describe` lag). Weir reads partitions
    /// it assigned itself, so it commits as a non-member; a group with active members
    /// refuses that, and the job goes on (its own checkpoints are what it resumes from).
    private func commitToGroup(_ state: KafkaSourceState, admin: KafkaAdmin) -> String? {
        guard let group = settings.groupId else { return nil }
        var offsets: [TopicPartition: Int64] = [:]
        for partition in state.partitions {
            offsets[TopicPartition(topic: partition.topic, partition: partition.partition)] = partition.nextOffset
        }
        do {
            try awaitClient { [offsets] in try await admin.commitGroupOffsets(group, offsets: offsets) }
            return nil
        } catch {
            return "offsets not committed to group \(group): \(error.message)"
        }
    }

    /// One poll's records, and each partition's position right after it (what a checkpoint
    /// records once these records are through: the consumer itself may be a poll ahead).
    package struct PolledBatch: Sendable {
        let records: [FetchedRecords]
        let positions: [TopicPartition: Int64]
        /// Why the consumer's polls fail now (it retries), nil while they work.
        let outage: String?
    }
}

/// Where a Kafka source was: the next offset and the watermark of each partition.
package struct KafkaSourceState: Codable, Equatable {
    package struct Partition: Codable, Equatable {
        var topic: String
        var partition: Int32
        var nextOffset: Int64
        var watermark: Int64
    }

    var partitions: [Partition]
    /// An upsert-kafka source's latest row per key (to emit updates and deletes after a restart).
    var upserted: [Row]?
}

/// The running state of a Kafka read: partitions as splits, their
/// watermarks, where each starts and (when bounded) ends.
private struct PartitionReader {
    let source: KafkaSource
    var emitter: BatchEmitter
    var splitOf: [TopicPartition: Int] = [:]
    var partitions: [TopicPartition] = []
    let assembler: RowAssembler
    /// The source's formats, as variables: a format keeps what it learns between records.
    var valueFormat: RecordFormat
    var keyFormat: RecordFormat?
    /// Whether there is a key format. Asked per record: `keyFormat != nil` copied the whole
    /// optional format (a retain and a release of each of its references) every time.
    let readsKeys: Bool
    /// Each partition's own watermark (from its rows' event times).
    var watermarks: [Int64] = []
    var splits = SplitWatermarks(splits: 0)
    var lastRecordAt: [DispatchTime] = []
    /// Where each partition's reading ends (exclusive), when bounded.
    var ends: [TopicPartition: Int64] = [:]
    var done: Set<TopicPartition> = []
    var skipped: Int64 = 0
    var starts: [TopicPartition: Int64] = [:]
    /// Where each partition's reading is, as of the records absorbed so far.
    var positions: [TopicPartition: Int64] = [:]
    /// upsert-kafka: the latest row of each key (its PRIMARY KEY values), so a new value is
    /// an update (-U old, +U new) and a tombstone a delete, as Flink's changelog gives them.
    var upserted: [Row: Row] = [:]

    init(source: KafkaSource, output: Operator) {
        self.source = source
        emitter = BatchEmitter(output: output, reporter: source.reporter)
        assembler = RowAssembler(table: source.settings.table, scan: source.scan)
        valueFormat = source.valueFormat
        keyFormat = source.keyFormat
        readsKeys = source.keyFormat != nil
    }

    var settings: KafkaTable { source.settings }
    var bounded: Bool { settings.end != .unbounded }
    var finished: Bool { bounded && !partitions.isEmpty && done.count == partitions.count }

    /// Finds the topics' partitions; new ones are assigned (the first time from the startup
    /// mode, later from their beginning, as Flink reads partitions that appear).
    mutating func discover(admin: KafkaAdmin, consumer: KafkaConsumer, first: Bool) throws(SQLError) {
        let settings = self.settings
        let metadata: [TopicMetadata] = try awaitClient {
            if let pattern = settings.topicPattern {
                return try await admin.listTopics().filter { topic in
                    let range = NSRange(topic.name.startIndex..., in: topic.name)
                    return pattern.firstMatch(in: topic.name, range: range) != nil
                }
            }
            var found: [TopicMetadata] = []
            for name in settings.topics {
                do {
                    found.append(try await admin.describeTopic(name))
                } catch KafkaClientError.unknownTopicOrPartition {
                    continue // not created yet: picked up when it is
                }
            }
            return found
        }
        let fresh = metadata.flatMap { topic in
            topic.partitions.map { TopicPartition(topic: topic.name, partition: $0.partition) }
        }
        .filter { splitOf[$0] == nil }.sorted()
        guard !fresh.isEmpty else {
            if first, settings.topicPattern == nil, metadata.isEmpty {
                source.reporter?.report(
                    .note("waiting for topic \(settings.topics.joined(separator: ", ")) to be created"))
            }
            return
        }
        let start: KafkaTable.Start = first ? settings.start : .earliest
        var offsets = try startOffsets(fresh, start, admin: admin)
        // A job resuming from a checkpoint starts where it was; partitions new since start at their beginning.
        var resumedWatermarks: [TopicPartition: Int64] = [:]
        if let restored = try source.checkpointer?.restoredSource(as: KafkaSourceState.self) {
            if first {
                for row in restored.upserted ?? [] { upserted[settings.keyColumns.map { row[$0] }] = row }
            }
            let earliest = try awaitClient { try await admin.listOffsets(fresh, spec: .earliest) }
            offsets = earliest
            for saved in restored.partitions {
                let partition = TopicPartition(topic: saved.topic, partition: saved.partition)
                guard offsets[partition] != nil else { continue }
                offsets[partition] = max(saved.nextOffset, earliest[partition] ?? 0)
                resumedWatermarks[partition] = saved.watermark
            }
        }
        var endOffsets: [TopicPartition: Int64] = [:]
        switch settings.end {
        case .unbounded: break
        case .latest: endOffsets = try awaitClient { try await admin.listOffsets(fresh, spec: .latest) }
        case let .timestamp(millis):
            let byTime = try awaitClient { try await admin.listOffsets(fresh, spec: .timestamp(millis)) }
            let latest = try awaitClient { try await admin.listOffsets(fresh, spec: .latest) }
            for partition in fresh {
                endOffsets[partition] = (byTime[partition] ?? -1) >= 0 ? byTime[partition]! : latest[partition] ?? 0
            }
        case let .specific(map):
            for partition in fresh { endOffsets[partition] = map[partition.partition] ?? Int64.max }
        case let .every(offset):
            let latest = try awaitClient { try await admin.listOffsets(fresh, spec: .latest) }
            for partition in fresh { endOffsets[partition] = min(offset, latest[partition] ?? 0) }
        }
        for partition in fresh {
            splitOf[partition] = partitions.count
            partitions.append(partition)
            splits.grow(to: partitions.count)
            watermarks.append(resumedWatermarks[partition] ?? Int64.min)
            if let watermark = resumedWatermarks[partition] { splits.advance(partitions.count - 1, to: watermark) }
            lastRecordAt.append(.now())
            starts[partition] = offsets[partition]
            if let end = endOffsets[partition] {
                ends[partition] = end
                if offsets[partition]! >= end {
                    done.insert(partition)
                    splits.end(splitOf[partition]!)
                    continue
                }
            }
            let offset = offsets[partition]!
            try awaitClient {
                try await consumer.seek(topic: partition.topic, partition: partition.partition, to: .offset(offset))
            }
        }
    }

    private func startOffsets(
        _ partitions: [TopicPartition], _ start: KafkaTable.Start, admin: KafkaAdmin
    ) throws(SQLError) -> [TopicPartition: Int64] {
        switch start {
        case .earliest: return try awaitClient { try await admin.listOffsets(partitions, spec: .earliest) }
        case .latest: return try awaitClient { try await admin.listOffsets(partitions, spec: .latest) }
        case let .timestamp(millis):
            let byTime = try awaitClient { try await admin.listOffsets(partitions, spec: .timestamp(millis)) }
            let latest = try awaitClient { try await admin.listOffsets(partitions, spec: .latest) }
            return Dictionary(
                uniqueKeysWithValues: partitions.map { ($0, (byTime[$0] ?? -1) >= 0 ? byTime[$0]! : latest[$0] ?? 0) })
        case let .specific(map):
            let earliest = try awaitClient { try await admin.listOffsets(partitions, spec: .earliest) }
            return Dictionary(uniqueKeysWithValues: partitions.map { ($0, map[$0.partition] ?? earliest[$0] ?? 0) })
        case let .every(offset):
            let earliest = try awaitClient { try await admin.listOffsets(partitions, spec: .earliest) }
            return Dictionary(uniqueKeysWithValues: partitions.map { ($0, max(offset, earliest[$0] ?? 0)) })
        case .groupOffsets:
            let group = settings.groupId!
            let committed = try awaitClient { try await admin.groupLag(group) }
            let reset = settings.client["auto.offset.reset"] ?? "earliest"
            let fallback = try awaitClient {
                try await admin.listOffsets(partitions, spec: reset == "latest" ? .latest : .earliest)
            }
            var offsets: [TopicPartition: Int64] = [:]
            for partition in partitions {
                offsets[partition] =
                    committed.first { $0.partition == partition }?.committed ?? fallback[partition] ?? 0
            }
            return offsets
        }
    }

    /// Where each partition is, for a checkpoint: the next offset to read and its watermark.
    func state() -> KafkaSourceState {
        var saved: [KafkaSourceState.Partition] = []
        for (split, partition) in partitions.enumerated() {
            saved.append(
                .init(
                    topic: partition.topic, partition: partition.partition,
                    nextOffset: positions[partition] ?? starts[partition] ?? 0, watermark: watermarks[split]))
        }
        return KafkaSourceState(partitions: saved, upserted: settings.upsert ? Array(upserted.values) : nil)
    }

    func describeStart() -> String {
        let names = Set(partitions.map(\.topic)).sorted().joined(separator: ", ")
        if let restored = source.checkpointer?.restored {
            return
                "\(Set(partitions.map(\.topic)).sorted().joined(separator: ", ")) (\(Self.count(partitions.count))) from checkpoint \(restored.sequence)"
        }
        let place: String =
            switch settings.start {
            case .earliest: "from the earliest offsets"
            case .latest: "from the latest offsets"
            case .groupOffsets: "from group \(settings.groupId ?? "")'s offsets"
            case let .timestamp(millis): "from timestamp \(millis)"
            case .specific: "from the given offsets"
            case let .every(offset): "from offset \(offset)"
            }
        return
            "\(names.isEmpty ? settings.topics.joined(separator: ", ") : names) (\(Self.count(partitions.count))) \(place)"
    }

    static func count(_ partitions: Int) -> String { partitions == 1 ? "1 partition" : "\(partitions) partitions" }

    mutating func absorb(_ fetched: [FetchedRecords]) throws(SQLError) {
        guard !fetched.isEmpty else { return }
        let table = settings.table
        // A local copy: `assembler.emptyRow(from: &emitter)` on the property would copy the
        // assembler (a retain and release of each of its references) per record, to keep the
        // read of one stored property apart from the write of another.
        let assembler = self.assembler
        let now = DispatchTime.now()
        var timeline = EventTimeRecorder(reporter: source.reporter, table: table, replaying: source.replaying)
        defer { timeline.flush() }
        // A partition's records are read where they lie in the fetched batches: its split is
        // looked up once per poll, and no record is copied out of its batch.
        for partition in fetched {
            let target = TopicPartition(topic: partition.topic, partition: partition.partition)
            guard !done.contains(target), let split = splitOf[target] else { continue }
            lastRecordAt[split] = now
            let end = ends[target] ?? Int64.max
            try partition.forEachRecord { (record: RecordView) throws(SQLError) in
                guard record.offset < end else { return }
                do throws(SQLError) {
                    if settings.upsert {
                        try upsert(record, of: partition, split: split)
                        return
                    }
                    if valueFormat.isChangelog {
                        try applyChanges(record, of: partition, split: split, timeline: &timeline)
                        return
                    }
                    var row = assembler.emptyRow(from: &emitter)
                    guard try decode(record, into: &row) else {
                        skipped += 1
                        return
                    }
                    for (index, key) in table.metadata {
                        row[index] = metadataValue(key, record, of: partition, type: table.schema.columns[index].type)
                    }
                    let moved = try assembler.complete(&row, watermark: &watermarks[split])
                    splits.active(split)
                    timeline.record(row, split: split, offset: record.offset)
                    try emitter.add(consume row)
                    if moved {
                        splits.advance(split, to: watermarks[split])
                        if let combined = splits.combined { try emitter.watermark(combined) }
                    }
                } catch {
                    throw SQLError(
                        error.kind,
                        "\(partition.topic) partition \(partition.partition) offset \(record.offset): \(error.message)")
                }
            }
        }
        try emitter.flush()
    }

    /// A changelog format's record (debezium-json): the rows its value changes, each with its
    /// kind; a tombstone (no value) changes nothing.
    private mutating func applyChanges(
        _ record: RecordView, of partition: FetchedRecords, split: Int, timeline: inout EventTimeRecorder
    ) throws(SQLError) {
        let table = settings.table
        guard let value = record.valueRange else { return }
        guard
            let changes = try valueFormat.decodeChanges(
                record.bytes, value.lowerBound, value.upperBound, width: table.schema.columns.count)
        else {
            skipped += 1
            return
        }
        for var (row, kind) in changes {
            for (index, key) in table.metadata {
                row[index] = metadataValue(key, record, of: partition, type: table.schema.columns[index].type)
            }
            let moved = try assembler.complete(&row, watermark: &watermarks[split])
            splits.active(split)
            timeline.record(row, split: split, offset: record.offset)
            try emitter.add(row, kind: kind)
            if moved {
                splits.advance(split, to: watermarks[split])
                if let combined = splits.combined { try emitter.watermark(combined) }
            }
        }
    }

    /// An upsert-kafka record: the key names the row, the value is its new state (none: deleted).
    private mutating func upsert(_ record: RecordView, of partition: FetchedRecords, split: Int) throws(SQLError) {
        let table = settings.table
        var row = Array(repeating: Value.null, count: table.schema.columns.count)
        guard readsKeys, let key = record.keyRange else {
            skipped += 1 // a message without a key names no row
            return
        }
        guard try keyFormat!.decode(record.bytes, key.lowerBound, key.upperBound, into: &row, table: table) else {
            skipped += 1
            return
        }
        let keyValues = settings.keyColumns.map { row[$0] }
        guard let value = record.valueRange else {
            if let previous = upserted.removeValue(forKey: keyValues) { try emitter.add(previous, kind: .delete) }
            return
        }
        guard try valueFormat.decode(record.bytes, value.lowerBound, value.upperBound, into: &row, table: table) else {
            skipped += 1
            return
        }
        for (index, key) in table.metadata {
            row[index] = metadataValue(key, record, of: partition, type: table.schema.columns[index].type)
        }
        let moved = try assembler.complete(&row, watermark: &watermarks[split])
        splits.active(split)
        if let previous = upserted[keyValues] {
            guard previous != row else { return }
            try emitter.add(previous, kind: .updateBefore)
            try emitter.add(row, kind: .updateAfter)
        } else {
            try emitter.add(row, kind: .insert)
        }
        upserted[keyValues] = row
        if moved {
            splits.advance(split, to: watermarks[split])
            if let combined = splits.combined { try emitter.watermark(combined) }
        }
    }

    /// False when the record is skipped (an ignore-parse-errors format).
    /// Reads the record's key and value where they lie in the fetched batch.
    private mutating func decode(_ record: RecordView, into row: inout Row) throws(SQLError) -> Bool {
        if readsKeys, let key = record.keyRange {
            guard try keyFormat!.decode(record.bytes, key.lowerBound, key.upperBound, into: &row, table: settings.table)
            else { return false }
        }
        guard let value = record.valueRange else {
            // A tombstone: nothing to read for a plain kafka table (upsert-kafka reads it as a delete).
            return false
        }
        return try valueFormat.decode(
            record.bytes, value.lowerBound, value.upperBound, into: &row, table: settings.table)
    }

    private func metadataValue(_ key: String, _ record: RecordView, of fetched: FetchedRecords, type: DataType) -> Value
    {
        switch key {
        case "timestamp":
            if case .timestamp = type { return .timestamp(record.timestamp * 1000) }
            return .timestampLTZ(record.timestamp * 1000)
        case "timestamp-type": return .string("CreateTime")
        case "partition": return .integer(Int64(fetched.partition))
        case "offset": return .integer(record.offset)
        case "topic": return .string(fetched.topic)
        case "headers":
            return .map(
                record.headers.map {
                    Value.MapEntry(key: .string($0.key), value: $0.value.map { .bytes(Array($0)) } ?? .null)
                })
        default: return .null // leader-epoch: not kept by the consumer
        }
    }

    /// Partitions quiet for longer than the idle timeout stop holding the watermark back.
    /// They go idle in the order they fell quiet, each moving the watermark as it does: had
    /// the check run at every moment, the first to fall quiet would have released the others
    /// before they fell quiet too (and with all idle, the watermark stays where it got to).
    mutating func checkIdle() throws(SQLError) {
        guard let timeout = settings.idleTimeoutMs else { return }
        let quiet = partitions.indices.filter { !splits.isIdle($0) && lastRecordAt[$0].elapsedMilliseconds >= timeout }
            .sorted { lastRecordAt[$0] < lastRecordAt[$1] }
        for split in quiet {
            splits.markIdle(split)
            if let combined = splits.combined { try emitter.watermark(combined) }
        }
    }

    /// A bounded read ends each partition at its end offset.
    mutating func checkEnds() throws(SQLError) {
        for partition in partitions where !done.contains(partition) {
            guard let end = ends[partition] else { continue }
            let position = positions[partition] ?? starts[partition] ?? 0
            if position >= end {
                done.insert(partition)
                splits.end(splitOf[partition]!)
                if let combined = splits.combined { try emitter.watermark(combined) }
            }
        }
    }

    /// Per-partition lag and the watermark, for SHOW JOBS.
    func report(consumer: KafkaConsumer) {
        guard let reporter = source.reporter else { return }
        let partitions = self.partitions
        let absorbed = partitions.map { positions[$0] ?? starts[$0] ?? 0 }
        let lags: [String: Int64] =
            (try? awaitClient {
                var lags: [String: Int64] = [:]
                for (index, partition) in partitions.enumerated() {
                    let position = absorbed[index]
                    let end =
                        await consumer.highWatermark(topic: partition.topic, partition: partition.partition) ?? position
                    lags["\(partition.topic)-\(partition.partition)"] = max(0, end - position)
                }
                return lags
            }) ?? [:]
        reporter.report(.lag(lags))
        reporter.report(.splits(splits.states { "\(partitions[$0].topic)-\(partitions[$0].partition)" }))
    }
}
