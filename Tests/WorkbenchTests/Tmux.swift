import Foundation
import WeirTestSupport

/// A tmux session running a command in a terminal of a given size: keys typed, the screen read.
/// Each on a tmux server of its own (`-L`), ended with it: a server left by a crashed run
/// cannot take the next run's sessions.
final class Tmux {
    let session = "weir-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    /// A folder of the test's own (weir's --data, stty's files), removed with the session.
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("weir-tmux-\(UUID().uuidString)").path

    init() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        try ChildProcess.run("/usr/bin/tmux", ["-L", session] + arguments, timeoutSeconds: 20).output
    }

    /// Starts the session. Its output goes nowhere: the tmux server it forks would hold a
    /// pipe open (and a reader waiting for its end) for as long as it lives.
    func start(_ width: Int, _ height: Int, _ command: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/tmux")
        process.arguments = [
            "-L", session, "new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)", "sh", "-c", command,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        waitUntil(timeout: .seconds(5)) { !process.isRunning }
    }

    func screen() throws -> String { try run(["capture-pane", "-t", session, "-p"]) }

    /// The screen for a failure message.
    var shown: String { (try? screen()) ?? "" }

    /// Types `text` literally (a `;` escaped: tmux would read a trailing one as its own separator).
    func type(_ text: String) throws {
        try run(["send-keys", "-t", session, "-l", "--", text.replacingOccurrences(of: ";", with: "\\;")])
    }

    func press(_ key: String) throws { try run(["send-keys", "-t", session, key]) }

    func waitFor(seconds: Double, _ condition: (String) -> Bool) throws -> Bool {
        try waitUntil(timeout: .milliseconds(Int(seconds * 1000)), poll: .milliseconds(100)) { condition(try screen()) }
    }

    deinit {
        _ = try? run(["kill-server"])
        try? FileManager.default.removeItem(atPath: folder)
    }
}
