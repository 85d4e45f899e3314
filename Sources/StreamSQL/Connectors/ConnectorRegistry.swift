import SQLSyntax

/// The connectors a catalog knows, by name, in the order they are listed.
struct ConnectorRegistry: Sendable {
    private let connectors: [any Connector]
    private let byName: [String: any Connector]
    /// Legacy key → current key, over every connector and format (`connector.type`,
    /// `connector.path`, `format.type`, ...): keys are renamed before the connector is known.
    private let legacyNames: [String: String]

    init(_ connectors: [any Connector]) {
        self.connectors = connectors
        byName = Dictionary(connectors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var names = FormatOptions.legacyNames
        names["connector.type"] = "connector"
        for connector in connectors {
            for spec in connector.options { for legacy in spec.legacyNames { names[legacy] = spec.key } }
        }
        legacyNames = names
    }

    /// Weir's own connectors.
    static let builtin = ConnectorRegistry(builtinConnectors)

    static let builtinConnectors: [any Connector] = [
        FileSystemConnector(), DatagenConnector(), PrintConnector(), BlackholeConnector(), FeedConnector(),
        KafkaConnector(upsert: false), KafkaConnector(upsert: true),
    ]

    func connector(named name: String) -> (any Connector)? { byName[name] }

    /// The names users see (in errors, completion).
    var listedNames: [String] { connectors.filter(\.isListed).map(\.name) }
    /// Every name, for "did you mean".
    var allNames: [String] { connectors.map(\.name) }

    /// Every option key of every connector, for completion.
    var optionKeys: Set<String> { Set(connectors.flatMap { $0.options.map(\.key) }) }

    /// A key as tables keep it: a legacy name as its current one.
    func canonicalKey(_ key: String) -> String {
        if key.hasPrefix("connector.properties.") { return "properties." + key.dropFirst("connector.properties.".count) }
        return legacyNames[key] ?? key
    }
}
