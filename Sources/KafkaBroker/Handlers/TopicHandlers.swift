import KafkaLog
import KafkaProtocol

/// CreateTopics, DeleteTopics, CreatePartitions, DescribeConfigs, AlterConfigs and
/// IncrementalAlterConfigs.
extension Broker {
    /// Config resource types (DescribeConfigs, AlterConfigs).
    enum ResourceType {
        static let topic: Int8 = 2
        static let broker: Int8 = 4
    }

    func createTopics(_ request: CreateTopicsRequest, version: Int16) -> CreateTopicsResponse {
        CreateTopicsResponse(
            topics: request.topics.map { wanted in
                var result = CreateTopicsResponse.CreatableTopicResult(name: wanted.name)
                // Partitions from the explicit assignment when given, else the count (-1: the default).
                let partitions =
                    !wanted.assignments.isEmpty
                    ? Int32(wanted.assignments.count)
                    : wanted.numPartitions == -1 ? config.defaultPartitions : wanted.numPartitions
                var configs: [String: String] = [:]
                for entry in wanted.configs { configs[entry.name] = entry.value }
                do throws(BrokerError) {
                    let topic = try topics.create(
                        wanted.name, partitions: partitions, replicationFactor: wanted.replicationFactor,
                        configs: configs, validateOnly: request.validateOnly)
                    result.topicId = request.validateOnly ? .zero : topic.id
                    result.numPartitions = partitions
                    result.replicationFactor = 1
                    if version >= 5 {
                        result.configs = topics.effectiveConfigs(topic).sorted { $0.key < $1.key }.map {
                            CreateTopicsResponse.CreatableTopicResult.CreatableTopicConfigs(
                                name: $0.key, value: $0.value, configSource: configs[$0.key] == nil ? 5 : 1)
                        }
                    }
                    if !request.validateOnly {
                        logger.info("created topic \(wanted.name) with \(partitions) partition(s)")
                    }
                } catch {
                    result.errorCode = error.code.code
                    result.errorMessage = error.message
                }
                return result
            })
    }

    func deleteTopics(_ request: DeleteTopicsRequest, version: Int16) -> DeleteTopicsResponse {
        let wanted: [(name: String?, id: KafkaUUID)] =
            version >= 6
            ? request.topics.map { ($0.name ?? topics.topic(id: $0.topicId)?.name, $0.topicId) }
            : request.topicNames.map { ($0, .zero) }
        return DeleteTopicsResponse(
            responses: wanted.map { entry in
                var result = DeleteTopicsResponse.DeletableTopicResult(name: entry.name, topicId: entry.id)
                guard let name = entry.name else {
                    result.errorCode = ErrorCode.unknownTopicId.code
                    return result
                }
                result.topicId = topics.topic(name)?.id ?? entry.id
                do throws(BrokerError) {
                    try topics.delete(name)
                    logger.info("deleted topic \(name)")
                } catch {
                    result.errorCode = error.code.code
                    result.errorMessage = error.message
                }
                return result
            })
    }

    func createPartitions(_ request: CreatePartitionsRequest) -> CreatePartitionsResponse {
        CreatePartitionsResponse(
            results: request.topics.map { wanted in
                var result = CreatePartitionsResponse.CreatePartitionsTopicResult(name: wanted.name)
                do throws(BrokerError) {
                    try topics.addPartitions(wanted.name, total: wanted.count, validateOnly: request.validateOnly)
                } catch {
                    result.errorCode = error.code.code
                    result.errorMessage = error.message
                }
                return result
            })
    }

    /// A topic's configs (defaults marked as such) or a few of the broker's own.
    func describeConfigs(_ request: DescribeConfigsRequest, version: Int16) -> DescribeConfigsResponse {
        DescribeConfigsResponse(
            results: request.resources.map { resource in
                var result = DescribeConfigsResponse.DescribeConfigsResult(
                    resourceType: resource.resourceType, resourceName: resource.resourceName)
                let entries: [(name: String, value: String, isDefault: Bool)]
                switch resource.resourceType {
                case ResourceType.topic:
                    guard let topic = topics.topic(resource.resourceName) else {
                        result.errorCode = ErrorCode.unknownTopicOrPartition.code
                        result.errorMessage = "no topic \(resource.resourceName)"
                        return result
                    }
                    entries = topics.effectiveConfigs(topic).map { ($0.key, $0.value, topic.configs[$0.key] == nil) }
                case ResourceType.broker:
                    entries = [
                        ("broker.id", "\(config.nodeId)", false),
                        ("auto.create.topics.enable", "\(config.autoCreateTopics)", false),
                        ("num.partitions", "\(config.defaultPartitions)", false),
                        ("socket.request.max.bytes", "\(config.maxRequestBytes)", false),
                        ("log.flush.policy", config.flush.description, false),
                    ]
                default:
                    result.errorCode = ErrorCode.invalidRequest.code
                    result.errorMessage = "resource type \(resource.resourceType) is not described"
                    return result
                }
                let keys = resource.configurationKeys.map(Set.init)
                result.configs = entries.filter { keys?.contains($0.name) ?? true }.sorted { $0.name < $1.name }.map {
                    // Config sources: 1 dynamic topic config, 5 default.
                    DescribeConfigsResponse.DescribeConfigsResult.DescribeConfigsResourceResult(
                        name: $0.name, value: $0.value, readOnly: resource.resourceType == ResourceType.broker,
                        isDefault: $0.isDefault, configSource: $0.isDefault ? 5 : 1)
                }
                return result
            })
    }

    func alterConfigs(_ request: AlterConfigsRequest) -> AlterConfigsResponse {
        AlterConfigsResponse(
            responses: request.resources.map { resource in
                var result = AlterConfigsResponse.AlterConfigsResourceResponse(
                    resourceType: resource.resourceType, resourceName: resource.resourceName)
                guard resource.resourceType == ResourceType.topic else {
                    result.errorCode = ErrorCode.invalidRequest.code
                    result.errorMessage = "only topic configs can be altered"
                    return result
                }
                var changes: [String: String?] = [:]
                for entry in resource.configs { changes[entry.name] = entry.value }
                do throws(BrokerError) {
                    try topics.alterConfigs(
                        resource.resourceName, changes, replacing: true, validateOnly: request.validateOnly)
                } catch {
                    result.errorCode = error.code.code
                    result.errorMessage = error.message
                }
                return result
            })
    }

    /// Operations: 0 set, 1 delete (back to the default); append and subtract (2, 3) act on
    /// comma-separated list values.
    func incrementalAlterConfigs(_ request: IncrementalAlterConfigsRequest) -> IncrementalAlterConfigsResponse {
        IncrementalAlterConfigsResponse(
            responses: request.resources.map { resource in
                var result = IncrementalAlterConfigsResponse.AlterConfigsResourceResponse(
                    resourceType: resource.resourceType,
                    resourceName: resource.resourceName)
                guard resource.resourceType == ResourceType.topic, let topic = topics.topic(resource.resourceName)
                else {
                    result.errorCode =
                        (resource.resourceType == ResourceType.topic
                        ? ErrorCode.unknownTopicOrPartition : .invalidRequest).code
                    return result
                }
                var changes: [String: String?] = [:]
                for entry in resource.configs {
                    let current = topic.configs[entry.name].map { $0.split(separator: ",").map(String.init) } ?? []
                    switch entry.configOperation {
                    case 0: changes[entry.name] = entry.value
                    case 1: changes[entry.name] = .some(nil)
                    case 2: changes[entry.name] = (current + [entry.value ?? ""]).joined(separator: ",")
                    case 3: changes[entry.name] = current.filter { $0 != entry.value }.joined(separator: ",")
                    default:
                        result.errorCode = ErrorCode.invalidRequest.code
                        result.errorMessage = "unknown config operation \(entry.configOperation)"
                        return result
                    }
                }
                do throws(BrokerError) {
                    try topics.alterConfigs(
                        resource.resourceName, changes, replacing: false, validateOnly: request.validateOnly)
                } catch {
                    result.errorCode = error.code.code
                    result.errorMessage = error.message
                }
                return result
            })
    }
}
