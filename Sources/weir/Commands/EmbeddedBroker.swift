import Foundation
import KafkaBroker
import Logging

/// The broker the workbench starts in-process when no `--bootstrap` is given: on 127.0.0.1,
/// at the first free port from 9092, so external producers (kcat, `weir demo`) can write to it.
enum EmbeddedBroker {
    /// Starts serving in the background; returns the server (its `port` is where it listens).
    static func start(
        dataDirectory: String, firstPort: Int = 9092, attempts: Int = 100
    ) async throws -> KafkaServer {
        var lastError: Error?
        for port in firstPort..<(firstPort + attempts) {
            var config = BrokerConfig(dataDirectory: dataDirectory)
            config.host = "127.0.0.1"
            config.port = port
            do {
                // Quiet: log lines would write over the screen.
                let server = try await KafkaServer(
                    config: config, logger: Logger(label: "weir.broker", factory: { _ in SwiftLogNoOpLogHandler() }))
                Task { try? await server.run() }
                return server
            } catch {
                lastError = error // the port is taken: try the next
            }
        }
        throw lastError ?? CocoaError(.fileWriteUnknown)
    }
}
