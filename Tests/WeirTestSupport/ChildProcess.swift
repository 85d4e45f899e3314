import Foundation

/// Runs a program to completion for a test: feeds `input` on stdin, collects stdout
/// and stderr, and kills it if it outlives `timeoutSeconds`, so a program that hangs
/// fails its test instead of stalling the suite. Waits by polling: Foundation's
/// `waitUntilExit` spins its run loop on Linux.
public enum ChildProcess {
    public struct Result: Sendable {
        public let status: Int32
        public let output: String
        public let error: String
    }

    public static func run(
        _ executable: String, _ arguments: [String], input: String? = nil, environment: [String: String] = [:],
        directory: URL? = nil, timeoutSeconds: Double = 60
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let directory { process.currentDirectoryURL = directory }
        let output = Pipe(), error = Pipe()
        let stdin = input == nil ? nil : Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = stdin ?? FileHandle.nullDevice
        try process.run()
        // The timeout holds the pid, not the process: a process (and its pipes' descriptors)
        // kept alive until the timeout fires adds up to thousands of descriptors in a suite
        // that polls a program many times a second.
        let pid = process.processIdentifier
        let ended = HandOff<Bool>()
        let timeout = DispatchWorkItem { if ended.value != true { kill(pid, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeoutSeconds, execute: timeout)
        defer {
            ended.value = true
            timeout.cancel()
        }
        if let input, let stdin {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        // Read both pipes at once: a child blocked on a full stderr would never close stdout.
        let errorData = HandOff<Data>()
        let errorReader = Thread { errorData.value = error.fileHandleForReading.readDataToEndOfFile() }
        errorReader.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        // The child closes stderr when it ends, as it did stdout.
        waitUntil(timeout: .seconds(60), poll: .milliseconds(1)) { errorData.value != nil }
        try? output.fileHandleForReading.close()
        try? error.fileHandleForReading.close()
        waitUntil(timeout: .seconds(30)) { !process.isRunning }
        return Result(
            status: process.isRunning ? -1 : process.terminationStatus,
            output: String(decoding: outputData, as: UTF8.self),
            error: String(decoding: errorData.value ?? Data(), as: UTF8.self))
    }
}

/// A value handed from one thread to another once.
private final class HandOff<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value?

    var value: Value? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

/// Runs blocking work (a child process, a polling wait) on a thread of its own and awaits
/// it. A test that blocks inside an async context holds one of Swift's cooperative threads
/// (one per core) for as long as it blocks, and the brokers and clients of every other test
/// running meanwhile wait for a thread; under such starvation their timings fail.
public func offCooperativePool<Value>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
    let box: Carried<Value> = try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { Carried(try work()) }) }
        thread.start()
    }
    return box.value
}

/// A value carried from the worker thread to the awaiting task (which alone uses it after).
private struct Carried<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

extension ChildProcess {
    /// `run`, awaited without holding a cooperative thread.
    public static func run(
        _ executable: String, _ arguments: [String], input: String? = nil, environment: [String: String] = [:],
        directory: URL? = nil, timeoutSeconds: Double = 60
    ) async throws -> Result {
        try await offCooperativePool {
            try run(
                executable, arguments, input: input, environment: environment, directory: directory,
                timeoutSeconds: timeoutSeconds) as Result
        }
    }
}

/// Whether the process `pid` has ended: gone, or a zombie its parent has not reaped yet (a
/// tmux server started from a thread that blocks SIGCHLD never reaps its panes' processes).
public func hasEnded(_ pid: pid_t) -> Bool {
    guard kill(pid, 0) == 0 else { return true }
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let afterName = stat.range(of: ") ", options: .backwards)
    else { return false }
    return stat[afterName.upperBound...].hasPrefix("Z")
}
