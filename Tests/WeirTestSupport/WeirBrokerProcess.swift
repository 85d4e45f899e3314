import Foundation

/// The built `weir` executable, found next to the test bundle.
public func weirBinary() throws -> URL {
    var folder = Bundle.main.bundleURL
    for _ in 0..<4 {
        let candidate = folder.appendingPathComponent("weir")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        folder = folder.deletingLastPathComponent()
    }
    throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "weir binary near \(Bundle.main.bundleURL.path)"])
}

/// `weir broker` as a separate process, as a user runs it: on 127.0.0.1 at a free port
/// with a temporary data folder (removed when the value goes away, unless kept). It can
/// be killed (SIGKILL, for crash tests) and started again on the same port and data.
public final class WeirBrokerProcess: @unchecked Sendable {
    public let port: Int
    public let dataDirectory: String
    public let extraArguments: [String]
    private var process: Process?
    private let ownsData: Bool
    /// Where the broker's log lines go (stderr), for a failing test to show.
    public let logPath: String

    public var bootstrap: String { "127.0.0.1:\(port)" }

    public init(dataDirectory: String? = nil, arguments: [String] = []) throws {
        port = try TansuBroker.freePort()
        ownsData = dataDirectory == nil
        self.dataDirectory =
            dataDirectory
            ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("weir-broker-\(UUID().uuidString)").path
        logPath = self.dataDirectory + ".log"
        extraArguments = arguments
        try start()
    }

    deinit {
        kill(signal: SIGKILL)
        if ownsData {
            try? FileManager.default.removeItem(atPath: dataDirectory)
            try? FileManager.default.removeItem(atPath: logPath)
        }
    }

    public var isRunning: Bool { process?.isRunning ?? false }

    /// Starts the broker (again) and waits until it accepts connections (at most 20 s).
    public func start() throws {
        let process = Process()
        process.executableURL = try weirBinary()
        process.arguments = ["broker", "--listen", "127.0.0.1:\(port)", "--data", dataDirectory] + extraArguments
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        log.seekToEndOfFile()
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        waitUntil(timeout: .seconds(20), poll: .milliseconds(50)) {
            TansuBroker.canConnect(port: port) || !process.isRunning
        }
        if process.isRunning, TansuBroker.canConnect(port: port) { return }
        kill(signal: SIGKILL)
        throw TestSetupError("weir broker did not start on \(port): \(self.log())")
    }

    /// Sends `signal` and waits (by polling, at most 10 s) until the process is gone.
    public func kill(signal: Int32 = SIGTERM) {
        guard let process, process.isRunning else { return }
        Foundation.kill(process.processIdentifier, signal)
        waitUntil(timeout: .seconds(10)) { !process.isRunning }
    }

    /// What the broker logged so far.
    public func log() -> String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }
}
