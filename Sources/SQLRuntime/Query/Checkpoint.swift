import Foundation
import SQLSyntax

/// Operators whose state a checkpoint saves and a restarted job restores: aggregations and
/// their open windows, OVER aggregates' frames and waiting rows, ROW_NUMBER's ranked rows,
/// DISTINCT's rows seen, a LIMIT's count.
package protocol StatefulOperator: AnyObject {
    func saveState(_ encoder: JSONEncoder) throws -> Data
    func restoreState(_ data: Data, _ decoder: JSONDecoder) throws
}

/// One checkpoint on disk: the source's position and every stateful operator's state, taken
/// at the same point of the input (between two polls, on the query's thread). `Source` is
/// what the job's source saves of itself (a Kafka source: each partition's next offset and
/// watermark); the rest is the runtime's.
package struct CheckpointFile<Source: Codable>: Codable {
    var format = CheckpointFormat.version
    var sequence: Int
    var taken: Date
    /// The job's name (`pipeline.name` or its statement), to refuse another job's files.
    var job: String
    var source: Source
    /// State by the operator's position in the query's operator list.
    var operators: [String: Data]
}

package enum CheckpointFormat {
    /// 2: aggregates save their state by kind (`AggregateColumn.saved`).
    static let version = 2
}

/// A checkpoint file read without its source's part, which only the source can read.
private struct Unread: Codable {}

/// The checkpoint a job resumes from.
package struct RestoredCheckpoint {
    fileprivate let file: CheckpointFile<Unread>
    /// The file as read, for the source to read its own part from.
    fileprivate let data: Data

    package var sequence: Int { file.sequence }
}

/// Takes a job part's checkpoints every `interval` and finds the latest one at start. Files
/// are written to a temporary name, synced, then renamed over (atomic on POSIX file
/// systems), so a crash at any moment leaves the previous checkpoint whole; the two newest
/// are kept.
package final class Checkpointer: @unchecked Sendable {
    let folder: String
    let job: String
    let intervalMs: Int64
    private(set) var sequence = 0
    private var lastTaken = DispatchTime.now()
    /// What the job resumes from, if a checkpoint was found.
    package let restored: RestoredCheckpoint?
    /// Its source part, once read.
    private var decodedSource: Any?
    weak var execution: QueryExecution?

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    package init(folder: String, job: String, intervalMs: Int64, fresh: Bool) throws(SQLError) {
        self.folder = folder
        self.job = job
        self.intervalMs = intervalMs
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw SQLError(.execution, "cannot create the checkpoint folder \(folder): \(error.localizedDescription)")
        }
        if fresh {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            where name.hasPrefix("checkpoint-") {
                try? FileManager.default.removeItem(atPath: folder + "/" + name)
            }
            restored = nil
        } else {
            restored = try Self.latest(in: folder, job: job)
            sequence = restored?.sequence ?? 0
        }
    }

    /// The newest checkpoint that reads back whole (an unreadable one is skipped: the one
    /// before it is still there).
    static func latest(in folder: String, job: String) throws(SQLError) -> RestoredCheckpoint? {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasPrefix("checkpoint-") && $0.hasSuffix(".json") }
            .sorted { (Int($0.dropFirst(11).dropLast(5)) ?? 0) > (Int($1.dropFirst(11).dropLast(5)) ?? 0) }
        for name in names {
            guard let data = FileManager.default.contents(atPath: folder + "/" + name),
                let file = try? decoder.decode(CheckpointFile<Unread>.self, from: data)
            else { continue }
            // Resuming from the startup position instead would read the input again behind the user's back.
            guard file.format == CheckpointFormat.version else {
                throw SQLError(
                    .execution,
                    "\(folder)/\(name) was written by another version of Weir (checkpoint format \(file.format), this one reads \(CheckpointFormat.version)); use --fresh or another --data"
                )
            }
            guard file.job == job else {
                throw SQLError(
                    .execution,
                    "\(folder) holds checkpoints of another job (\(file.job)); use --fresh or another --data")
            }
            return RestoredCheckpoint(file: file, data: data)
        }
        return nil
    }

    /// What the source saved of itself in the checkpoint resumed from; nil when there is none.
    /// A checkpoint whose source part does not read as a `Source` fails the job: resuming
    /// its operators without the source's position would count rows twice or not at all.
    package func restoredSource<Source: Codable>(as type: Source.Type) throws(SQLError) -> Source? {
        guard let restored else { return nil }
        if let decoded = decodedSource as? Source { return decoded }
        do {
            let source = try Self.decoder.decode(CheckpointFile<Source>.self, from: restored.data).source
            decodedSource = source
            return source
        } catch {
            throw SQLError(
                .execution,
                "checkpoint \(restored.sequence) in \(folder) does not hold this job's source position (\(error)); use --fresh"
            )
        }
    }

    package var isDue: Bool { lastTaken.elapsedMilliseconds >= intervalMs }

    /// Saves `source` with the operators' state. The sinks are flushed first: what they were
    /// given before this point is on the broker before the checkpoint says it was read.
    package func take<Source: Codable>(source: Source) throws(SQLError) {
        guard let execution else { return }
        let started = DispatchTime.now()
        defer {
            execution.reporter?.report(
                .checkpointTaken(
                    pauseMs: Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e6))
        }
        try execution.prepareCheckpoint()
        var operators: [String: Data] = [:]
        do {
            for (position, step) in execution.operators.enumerated() {
                if let stateful = step as? StatefulOperator {
                    operators["\(position)"] = try stateful.saveState(Self.encoder)
                }
            }
        } catch {
            throw SQLError(.execution, "cannot save the operators' state: \(error)")
        }
        sequence += 1
        let file = CheckpointFile(sequence: sequence, taken: Date(), job: job, source: source, operators: operators)
        let path = folder + "/checkpoint-\(sequence).json"
        do {
            let data = try Self.encoder.encode(file)
            try Self.writeDurably(data, to: path)
        } catch {
            throw SQLError(.execution, "cannot write checkpoint \(path): \(error)")
        }
        try? FileManager.default.removeItem(atPath: folder + "/checkpoint-\(sequence - 2).json")
        lastTaken = .now()
    }

    /// Puts each operator's saved state back (before the job runs).
    package func restoreOperators(_ execution: QueryExecution) throws(SQLError) {
        guard let restored else { return }
        do {
            for (position, step) in execution.operators.enumerated() {
                guard let stateful = step as? StatefulOperator, let data = restored.file.operators["\(position)"] else {
                    continue
                }
                try stateful.restoreState(data, Self.decoder)
            }
        } catch {
            throw SQLError(
                .execution,
                "checkpoint \(restored.sequence) in \(folder) does not fit this job's operators (\(error)); use --fresh"
            )
        }
    }

    static func writeDurably(_ data: Data, to path: String) throws {
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteUnknown) }
        var written = 0
        let ok = data.withUnsafeBytes { buffer -> Bool in
            while written < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if count <= 0 { return false }
                written += count
            }
            return fsync(descriptor) == 0
        }
        close(descriptor)
        guard ok, rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        let folder = open((path as NSString).deletingLastPathComponent, O_RDONLY)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }

    /// A folder name for a job: its pipeline name when given (made safe), else a hash of its statement.
    package static func folderName(for name: String, named: Bool) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        guard named else { return "job-" + hex }
        let safe = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }.prefix(48))
        return safe + "-" + String(hex.prefix(8))
    }
}
