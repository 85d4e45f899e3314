import Foundation
import SQLSyntax
import Testing

@testable import SQLRuntime

/// A checkpoint holds the operators' state and what the source saved of itself, which only
/// the source reads: a file whose source part does not read fails the job rather than
/// resuming the operators from one point and the source from another.
@Suite struct CheckpointFileTests {
    struct Position: Codable, Equatable {
        var offset: Int64
    }

    func folder(with source: String, format: Int = CheckpointFormat.version) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("weir-checkpoint-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let file = """
            {"format":\(format),"sequence":3,"taken":"2026-12-07T10:00:00Z","job":"job","source":\(source),"operators":{}}
            """
        try Data(file.utf8).write(to: URL(fileURLWithPath: folder + "/checkpoint-3.json"))
        return folder
    }

    @Test func theSourceReadsItsOwnPartBack() throws {
        let folder = try folder(with: #"{"offset":42}"#)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let checkpointer = try Checkpointer(folder: folder, job: "job", intervalMs: 1000, fresh: false)
        #expect(checkpointer.restored?.sequence == 3)
        #expect(try checkpointer.restoredSource(as: Position.self) == Position(offset: 42))
    }

    @Test func aSourcePartThatDoesNotReadFailsTheJob() throws {
        let folder = try folder(with: #"{"partitions":"not a position"}"#)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let checkpointer = try Checkpointer(folder: folder, job: "job", intervalMs: 1000, fresh: false)
        #expect(checkpointer.restored?.sequence == 3)
        #expect(throws: SQLError.self) { try checkpointer.restoredSource(as: Position.self) }
        do {
            _ = try checkpointer.restoredSource(as: Position.self)
        } catch {
            #expect(
                error.message.contains("does not hold this job's source position") && error.message.contains("--fresh"))
        }
    }

    /// Resuming from the startup position instead would read the input again behind the user's back.
    @Test func aFileOfAnotherFormatIsRefusedNotSkipped() throws {
        let folder = try folder(with: #"{"offset":42}"#, format: CheckpointFormat.version - 1)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        do {
            _ = try Checkpointer(folder: folder, job: "job", intervalMs: 1000, fresh: false)
            Issue.record("a checkpoint of another format was taken")
        } catch {
            #expect(error.message.contains("another version of Weir") && error.message.contains("--fresh"))
        }
        #expect(try Checkpointer(folder: folder, job: "job", intervalMs: 1000, fresh: true).restored == nil)
    }
}
