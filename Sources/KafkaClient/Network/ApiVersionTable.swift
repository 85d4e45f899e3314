import KafkaProtocol

/// Which version of each API to use with one broker: the highest both sides speak.
public struct ApiVersionTable: Sendable {
    /// What the broker said it supports.
    public let brokerRanges: [Int16: ClosedRange<Int16>]

    /// The versions this client speaks. Fetch stops at 12 and the rest at their
    /// schema's newest: from Fetch 13 on topics are named by id only, which the
    /// consumer does not resolve yet.
    static func clientRange(_ api: ApiKey) -> ClosedRange<Int16> {
        switch api {
        case .fetch: return 4...12
        case .produce: return 3...api.validVersions.upperBound // v3 is the first with record batches (magic 2)
        default: return api.validVersions
        }
    }

    public init(brokerRanges: [Int16: ClosedRange<Int16>]) {
        self.brokerRanges = brokerRanges
    }

    init(_ response: ApiVersionsResponse) {
        var ranges: [Int16: ClosedRange<Int16>] = [:]
        for entry in response.apiKeys where entry.minVersion <= entry.maxVersion {
            ranges[entry.apiKey] = entry.minVersion...entry.maxVersion
        }
        self.init(brokerRanges: ranges)
    }

    /// The version to send, or nil if there is none in common.
    public func version(for api: ApiKey) -> Int16? {
        guard let broker = brokerRanges[api.rawValue] else { return nil }
        let client = Self.clientRange(api)
        let chosen = min(client.upperBound, broker.upperBound)
        return chosen >= max(client.lowerBound, broker.lowerBound) ? chosen : nil
    }
}
