import Foundation
import WeirTestSupport

/// `weir -f` running while a test watches it: stdout and stderr go to files that can be
/// read as they grow; `interrupt()` is Ctrl-C.
final class RunningWeir: @unchecked Sendable {
    let process = Process()
    let outputPath: String
    let errorPath: String

    init(_ arguments: [String]) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("weir-run-\(UUID().uuidString)").path
        outputPath = base + ".out"
        errorPath = base + ".err"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        process.executableURL = try weirBinary()
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: outputPath)
        try? FileManager.default.removeItem(atPath: errorPath)
    }

    var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    var error: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    /// Polls until `condition` holds (true) or `seconds` pass (false).
    func wait(seconds: Double, until condition: () -> Bool) -> Bool {
        waitUntil(timeout: .milliseconds(Int(seconds * 1000)), poll: .milliseconds(50), condition)
    }

    /// Ctrl-C, then the exit status (nil if it did not exit within 20 s).
    func interrupt() -> Int32? {
        kill(process.processIdentifier, SIGINT)
        guard wait(seconds: 20, until: { !process.isRunning }) else { return nil }
        return process.terminationStatus
    }
}
