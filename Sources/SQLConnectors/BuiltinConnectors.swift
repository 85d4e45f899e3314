import SQLPlanner
import SQLRuntime

extension ConnectorRegistry {
    /// Weir's own connectors, as `'connector' = '…'` names them. A new connector is a folder
    /// beside these and a line here. (`feed` is not among them: each engine registers its
    /// own, over its own inputs.)
    package static let builtinConnectors: [any Connector] = [
        FileSystemConnector(), DatagenConnector(), PrintConnector(), BlackholeConnector(),
        KafkaConnector(upsert: false), KafkaConnector(upsert: true),
    ]
}
