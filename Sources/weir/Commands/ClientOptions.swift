import ArgumentParser
import Foundation
import KafkaClient

/// Options every command that talks to Kafka takes.
struct ClientOptions: ParsableArguments {
    @Option(help: "Bootstrap servers, host:port[,host:port...] (default: $WEIR_BOOTSTRAP, else 127.0.0.1:9092).")
    var bootstrap: String?

    @Option(
        name: .customShort("X"),
        help: ArgumentHelp(
            "A client property, key=value, by its librdkafka/Java name (repeatable).", valueName: "key=value"))
    var properties: [String] = []

    @Option(
        name: [.customShort("F"), .customLong("config-file")],
        help: ArgumentHelp(
            "A client.properties file (key=value lines); -X and --bootstrap override it.", valueName: "file"))
    var configFile: String?

    /// The client configuration these options describe.
    func config() throws -> ClientConfig {
        var config = ClientConfig()
        if let configFile {
            guard let text = try? String(contentsOfFile: configFile, encoding: .utf8) else {
                throw CommandFailure("cannot read the config file \(configFile)")
            }
            config = ClientConfig.parse(propertiesFile: text)
        }
        for property in properties {
            guard let equals = property.firstIndex(of: "=") else {
                throw CommandFailure("-X \(property): expected key=value")
            }
            config[String(property[..<equals])] = String(property[property.index(after: equals)...])
        }
        if let bootstrap {
            config["bootstrap.servers"] = bootstrap
        } else if config["bootstrap.servers"] == nil {
            config["bootstrap.servers"] = ProcessInfo.processInfo.environment["WEIR_BOOTSTRAP"] ?? "127.0.0.1:9092"
        }
        return config
    }

    /// Runs `body` with a cluster for these options and closes it after, whatever happens;
    /// client errors become one clear line.
    func withCluster<Result>(_ body: (KafkaCluster) async throws -> Result) async throws -> Result {
        let cluster = try await reportingFailures { try KafkaCluster(config: try config()) }
        do {
            let result = try await reportingFailures { try await body(cluster) }
            await cluster.close()
            return result
        } catch {
            await cluster.close()
            throw error
        }
    }
}

/// Runs a command's body, turning client errors into one clear line and exit status 1.
func reportingFailures<Result>(_ body: () async throws -> Result) async throws -> Result {
    do {
        return try await body()
    } catch let error as KafkaClientError {
        throw CommandFailure("\(error)")
    }
}
