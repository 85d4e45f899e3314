import ArgumentParser
import Foundation
import KafkaBroker
import Logging

/// `weir broker`: the embedded Kafka-compatible broker alone, in the foreground.
struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run Weir's Kafka-compatible broker in the foreground (Ctrl-C stops it cleanly).",
        discussion: """
            Any Kafka client can use it: kcat, librdkafka, kafka-python, aiokafka, the Java client. \
            Data is kept in Kafka's own on-disk layout under --data. It listens on 127.0.0.1 unless \
            told otherwise.
            """
    )

    @Option(name: .long, help: "HOST:PORT to listen on (port 0: any free port).")
    var listen = "127.0.0.1:9092"

    @Option(name: .long, help: "The data folder (created if missing).")
    var data = BrokerCommand.defaultDataDirectory

    @Option(name: .long, help: "HOST:PORT clients are told to connect to, when not the listening address.")
    var advertise: String?

    @Option(
        name: .long,
        help: "When data is synced: always (every batch), group[:MS] (group commit, the default, 2 ms), or os.")
    var flush = "group"

    @Option(
        name: .customLong("config"), parsing: .singleValue,
        help:
            "A broker or topic-default setting, KEY=VALUE (num.partitions, auto.create.topics.enable, retention.ms, ...). Repeatable."
    )
    var settings: [String] = []

    @Option(
        name: .long, parsing: .singleValue, help: "A SASL user, NAME:PASSWORD (PLAIN, SCRAM-SHA-256/512). Repeatable.")
    var user: [String] = []

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel = "info"

    static var defaultDataDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_DATA_HOME"] ?? ((environment["HOME"] ?? NSTemporaryDirectory()) + "/.local/share")
        return base + "/weir/broker"
    }

    func run() async throws {
        var config = BrokerConfig(dataDirectory: data)
        (config.host, config.port) = try Self.address(listen, option: "--listen")
        if let advertise {
            let (host, port) = try Self.address(advertise, option: "--advertise")
            config.advertisedHost = host
            config.advertisedPort = port
        }
        guard let policy = FlushPolicy(flush) else {
            throw CommandFailure("--flush must be always, group, group:MS or os, not '\(flush)'")
        }
        config.flush = policy
        for entry in user {
            guard let colon = entry.firstIndex(of: ":") else {
                throw CommandFailure("--user must be NAME:PASSWORD, not '\(entry)'")
            }
            config.users[String(entry[..<colon])] = String(entry[entry.index(after: colon)...])
        }
        for setting in settings {
            guard let equals = setting.firstIndex(of: "=") else {
                throw CommandFailure("--config must be KEY=VALUE, not '\(setting)'")
            }
            try config.apply(key: String(setting[..<equals]), value: String(setting[setting.index(after: equals)...]))
        }
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw CommandFailure("unknown --log-level '\(logLevel)'")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }

        let server: KafkaServer
        do {
            server = try await KafkaServer(config: config)
        } catch {
            throw CommandFailure("cannot start the broker: \(error)")
        }
        // Scripts wait for this line (and read the port from it when --listen asked for port 0).
        let banner = "weir broker listening on \(server.host):\(server.port), data in \(data), flush \(policy)\n"
        FileHandle.standardOutput.write(Data(banner.utf8))
        let signals = TerminationSignals()
        let stopper = Task {
            while !signals.isRequested { try? await Task.sleep(nanoseconds: 50_000_000) }
            await server.stop()
        }
        try await server.run()
        stopper.cancel()
    }

    static func address(_ text: String, option: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw CommandFailure("\(option) must be HOST:PORT, not '\(text)'")
        }
        return (String(text[..<colon]), port)
    }
}
