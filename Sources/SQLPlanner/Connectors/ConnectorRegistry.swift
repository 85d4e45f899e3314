import SQLSyntax

/// The connectors a catalog knows, by name, in the order they are listed.
package struct ConnectorRegistry: Sendable {
    private let connectors: [any TableConnector]
    private let byName: [String: any TableConnector]
    /// Legacy key → current key, over every connector and format (`connector.type`,
    /// `connector.path`, `format.type`, ...): keys are renamed before the connector is known.
    private let legacyNames: [String: String]

    package init(_ connectors: [any TableConnector]) {
        self.connectors = connectors
        byName = Dictionary(connectors.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var names = FormatOptions.legacyNames
        names["connector.type"] = "connector"
        for connector in connectors {
            for spec in connector.options { for legacy in spec.legacyNames { names[legacy] = spec.key } }
        }
        legacyNames = names
    }

    func connector(named name: String) -> (any TableConnector)? { byName[name] }

    /// The names users see (in errors, completion).
    package var listedNames: [String] { connectors.filter(\.isListed).map(\.name) }
    /// Every name, for "did you mean".
    var allNames: [String] { connectors.map(\.name) }

    /// Every option key of every connector, for completion.
    package var optionKeys: Set<String> { Set(connectors.flatMap { $0.options.map(\.key) }) }

    /// A key as tables keep it: a legacy name as its current one.
    func canonicalKey(_ key: String) -> String {
        if key.hasPrefix("connector.properties.") {
            return "properties." + key.dropFirst("connector.properties.".count)
        }
        return legacyNames[key] ?? key
    }
}
