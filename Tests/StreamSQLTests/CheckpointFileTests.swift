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

    func folder(with source: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("weir-checkpoint-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let file = """
            {"format":1,"sequence":3,"taken":"2026-12-07T10:00:00Z","job":"job","source":\(source),"operators":{}}
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
}
