import KafkaProtocol

/// ApiVersions, Metadata, DescribeCluster and FindCoordinator: what a client asks first.
extension Broker {
    /// ApiVersions. A version this broker does not serve (a newer client) is answered with
    /// UNSUPPORTED_VERSION in a v0 body that lists the ranges, so the client can retry with
    /// one it shares; the body of such a request is not read (its layout is unknown).
    func apiVersions(header: RequestHeader) -> [UInt8] {
        let served = Self.supportedVersions[.apiVersions]!
        var response = ApiVersionsResponse(
            apiKeys: Self.supportedVersions.sorted { $0.key.rawValue < $1.key.rawValue }.map {
                ApiVersionsResponse.ApiVersion(
                    apiKey: $0.key.rawValue, minVersion: $0.value.lowerBound, maxVersion: $0.value.upperBound)
            })
        let version = header.requestApiVersion
        guard served.contains(version) else {
            response.errorCode = ErrorCode.unsupportedVersion.code
            return KafkaFraming.encodeResponse(response, version: 0, correlationId: header.correlationId)
        }
        // The request's client name and version (v3+) are not used; a malformed body is tolerated
        // here as Kafka does, since this is what a client sends before it knows anything.
        return KafkaFraming.encodeResponse(response, version: version, correlationId: header.correlationId)
    }

    func metadata(_ request: MetadataRequest, version: Int16) -> MetadataResponse {
        let (host, port) = advertisedAddress
        var response = MetadataResponse(
            brokers: [MetadataResponse.MetadataResponseBroker(nodeId: config.nodeId, host: host, port: port)],
            clusterId: clusterId, controllerId: config.nodeId)
        // v0: an empty list means every topic; v1+: null does.
        let requested: [String]?
        if let list = request.topics, !(version == 0 && list.isEmpty) {
            requested = list.map { $0.name ?? topics.topic(id: $0.topicId)?.name ?? "" }
        } else {
            requested = nil
        }
        let autoCreate = config.autoCreateTopics && (version < 4 || request.allowAutoTopicCreation)
        let names = requested ?? topics.all.map(\.name)
        response.topics = names.map { name in
            if topics.topic(name) == nil, autoCreate, requested != nil {
                do throws(BrokerError) {
                    try topics.create(name, partitions: config.defaultPartitions)
                    logger.info("created topic \(name) with \(config.defaultPartitions) partition(s) on first use")
                } catch {
                    return MetadataResponse.MetadataResponseTopic(errorCode: error.code.code, name: name)
                }
            }
            guard let topic = topics.topic(name) else {
                let code: ErrorCode =
                    (try? TopicStore.checkName(name)) == nil ? .invalidTopicException : .unknownTopicOrPartition
                return MetadataResponse.MetadataResponseTopic(errorCode: code.code, name: name)
            }
            return MetadataResponse.MetadataResponseTopic(
                name: topic.name, topicId: topic.id, isInternal: topic.isInternal,
                partitions: (0..<topic.partitionCount).map {
                    MetadataResponse.MetadataResponseTopic.MetadataResponsePartition(
                        partitionIndex: $0, leaderId: config.nodeId, leaderEpoch: 0,
                        replicaNodes: [config.nodeId], isrNodes: [config.nodeId])
                })
        }
        return response
    }

    func describeCluster() -> DescribeClusterResponse {
        let (host, port) = advertisedAddress
        return DescribeClusterResponse(
            clusterId: clusterId, controllerId: config.nodeId,
            brokers: [DescribeClusterResponse.DescribeClusterBroker(brokerId: config.nodeId, host: host, port: port)])
    }

    /// This single broker coordinates every group (and transaction).
    func findCoordinator(_ request: FindCoordinatorRequest, version: Int16) -> FindCoordinatorResponse {
        let (host, port) = advertisedAddress
        if version >= 4 {
            return FindCoordinatorResponse(
                coordinators: request.coordinatorKeys.map {
                    FindCoordinatorResponse.Coordinator(key: $0, nodeId: config.nodeId, host: host, port: port)
                })
        }
        return FindCoordinatorResponse(nodeId: config.nodeId, host: host, port: port)
    }
}
