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
                        result.configs = topics.describedConfigs(topic).map {
                            CreateTopicsResponse.CreatableTopicResult.CreatableTopicConfigs(
                                name: $0.name, value: $0.value, configSource: $0.source.rawValue)
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
    /// A topic's configs, every one Kafka defines, each with its source (the topic's own, the
    /// broker's setting, Kafka's default) and, when asked, its synonyms: the same value as
    /// each level would give it, from the topic's own down to the default. The broker's
    /// describes the settings it was started with, read-only.
    func describeConfigs(_ request: DescribeConfigsRequest, version: Int16) -> DescribeConfigsResponse {
        typealias Entry = DescribeConfigsResponse.DescribeConfigsResult.DescribeConfigsResourceResult
        return DescribeConfigsResponse(
            results: request.resources.map { resource in
                var result = DescribeConfigsResponse.DescribeConfigsResult(
                    resourceType: resource.resourceType, resourceName: resource.resourceName)
                var entries: [Entry]
                switch resource.resourceType {
                case ResourceType.topic:
                    guard let topic = topics.topic(resource.resourceName) else {
                        result.errorCode = ErrorCode.unknownTopicOrPartition.code
                        result.errorMessage = "no topic \(resource.resourceName)"
                        return result
                    }
                    entries = topics.describedConfigs(topic).map { described in
                        var entry = Entry(
                            name: described.name, value: described.value, readOnly: false,
                            isDefault: described.source == .kafkaDefault, configSource: described.source.rawValue,
                            configType: described.definition?.type ?? 0)
                        if request.includeSynonyms { entry.synonyms = synonyms(of: described, in: topic) }
                        return entry
                    }
                case ResourceType.broker:
                    entries = [
                        ("broker.id", "\(config.nodeId)", Int8(3)),
                        ("auto.create.topics.enable", "\(config.autoCreateTopics)", 1),
                        ("num.partitions", "\(config.defaultPartitions)", 3),
                        ("socket.request.max.bytes", "\(config.maxRequestBytes)", 3),
                        ("log.flush.policy", config.flush.description, 2),
                    ].map {
                        // Source 4: a static broker setting (from the command line).
                        Entry(
                            name: $0.0, value: $0.1, readOnly: true, isDefault: false, configSource: 4, configType: $0.2
                        )
                    }
                default:
                    result.errorCode = ErrorCode.invalidRequest.code
                    result.errorMessage = "resource type \(resource.resourceType) is not described"
                    return result
                }
                let keys = resource.configurationKeys.map(Set.init)
                result.configs = entries.filter { keys?.contains($0.name) ?? true }.sorted { $0.name < $1.name }
                return result
            })
    }

    /// The values each level gives a topic config, most specific first, as Kafka lists them.
    private func synonyms(
        of described: DescribedConfig, in topic: Topic
    ) -> [DescribeConfigsResponse.DescribeConfigsResult.DescribeConfigsResourceResult.DescribeConfigsSynonym] {
        typealias Synonym =
            DescribeConfigsResponse.DescribeConfigsResult.DescribeConfigsResourceResult.DescribeConfigsSynonym
        var synonyms: [Synonym] = []
        if let own = topic.configs[described.name] {
            synonyms.append(Synonym(name: described.name, value: own, source: DescribedConfig.Source.topic.rawValue))
        }
        guard let definition = described.definition else { return synonyms }
        if let setting = config.topicDefaultSettings[definition.name] {
            synonyms.append(
                Synonym(name: setting.name, value: setting.value, source: DescribedConfig.Source.broker.rawValue))
        }
        synonyms.append(
            Synonym(
                name: definition.brokerSetting, value: definition.kafkaDefault,
                source: DescribedConfig.Source.kafkaDefault.rawValue))
        return synonyms
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
