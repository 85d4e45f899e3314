import Foundation

/// A throwaway CA and certificates made with the `openssl` command for one test:
/// a server certificate for the names given, and a client certificate for mutual TLS.
public struct TestCertificates: Sendable {
    public let folder: URL
    public var ca: String { folder.appendingPathComponent("ca.pem").path }
    public var serverCertificate: String { folder.appendingPathComponent("server.pem").path }
    public var serverKey: String { folder.appendingPathComponent("server.key").path }
    public var clientCertificate: String { folder.appendingPathComponent("client.pem").path }
    public var clientKey: String { folder.appendingPathComponent("client.key").path }

    /// This test process's folder for certificates, removed when the process exits.
    static let scratch: String = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("weir-tls-tests-\(getpid())").path
        atexit {
            try? FileManager.default.removeItem(
                atPath: FileManager.default.temporaryDirectory.appendingPathComponent("weir-tls-tests-\(getpid())").path
            )
        }
        return folder
    }()

    /// - Parameter serverNames: subjectAltName entries, e.g. `["DNS:localhost", "IP:127.0.0.1"]`.
    public init(serverNames: [String]) throws {
        folder = URL(fileURLWithPath: TestCertificates.scratch).appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let names = serverNames.joined(separator: ",")
        try "subjectAltName=\(names)\n".write(
            to: folder.appendingPathComponent("server.ext"), atomically: true, encoding: .utf8)
        let steps = [
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                "-subj", "/CN=weir test CA",
            ],
            [
                "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj",
                "/CN=weir test broker",
            ],
            [
                "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
                "server.pem",
                "-days", "2", "-extfile", "server.ext",
            ],
            [
                "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "client.key", "-out", "client.csr", "-subj",
                "/CN=weir test client",
            ],
            [
                "x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
                "client.pem", "-days", "2",
            ],
        ]
        for step in steps { try run("/usr/bin/openssl", step, in: folder) }
    }
}

/// OpenSSL (through `socat`) terminating TLS on 127.0.0.1 in front of a broker:
/// a real TLS server nobody here wrote.
public final class TLSTerminator: @unchecked Sendable {
    public let port: Int
    private let process: Process

    /// - Parameter requireClientCertificate: mutual TLS, clients must present a certificate signed by the CA.
    public init(
        port: Int, targetPort: Int, certificates: TestCertificates, requireClientCertificate: Bool = false
    ) throws {
        self.port = port
        let verify = requireClientCertificate ? "verify=1,cafile=\(certificates.ca)" : "verify=0"
        process = try launch(
            "/usr/bin/socat",
            [
                "OPENSSL-LISTEN:\(port),bind=127.0.0.1,reuseaddr,fork,cert=\(certificates.serverCertificate),key=\(certificates.serverKey),\(verify)",
                "TCP:127.0.0.1:\(targetPort)",
            ])
        try waitUntilListening(port, or: process, name: "socat")
    }

    deinit { terminate(process) }
}

/// `Peers/sasl_gateway.py`: SASL (PLAIN, SCRAM-SHA-256/512, the SCRAM side by the `scramp`
/// library) in front of a broker that has none.
public final class SASLGateway: @unchecked Sendable {
    public let port: Int
    private let process: Process

    public init(port: Int, targetPort: Int, users: [String: String]) throws {
        self.port = port
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Peers/sasl_gateway.py"
        ).path
        process = try launch(
            TansuBroker.python(), [script, "\(port)", "\(targetPort)"] + users.map { "\($0.key):\($0.value)" })
        try waitUntilListening(port, or: process, name: "sasl_gateway.py")
    }

    deinit { terminate(process) }
}

private func run(_ executable: String, _ arguments: [String], in folder: URL) throws {
    let result = try ChildProcess.run(executable, arguments, directory: folder, timeoutSeconds: 30)
    guard result.status == 0 else {
        throw TestSetupError("\(executable) \(arguments.joined(separator: " ")) failed: \(result.error.suffix(300))")
    }
}

private func launch(_ executable: String, _ arguments: [String]) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

private func waitUntilListening(_ port: Int, or process: Process, name: String) throws {
    waitUntil(timeout: .seconds(10), poll: .milliseconds(50)) {
        TansuBroker.canConnect(port: port) || !process.isRunning
    }
    if TansuBroker.canConnect(port: port) { return }
    guard process.isRunning else { throw TestSetupError("\(name) exited before listening on \(port)") }
    terminate(process)
    throw TestSetupError("\(name) did not start listening on \(port)")
}

private func terminate(_ process: Process) {
    guard process.isRunning else { return }
    kill(process.processIdentifier, SIGKILL)
    waitUntil(timeout: .seconds(5)) { !process.isRunning }
}
