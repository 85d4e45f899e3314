import Foundation

// Usage: ProtocolGenerator [SCHEMA_DIR] [PACKAGE_ROOT]
// Reads Kafka's message schemas and writes Sources/KafkaProtocol/Generated/*.swift
// and Tests/KafkaProtocolTests/Generated/RandomMessages.swift. The output is
// committed; rerun this after changing the schemas or the generator:
//   swift run ProtocolGenerator ../shared/kafka-protocol/messages .

let arguments = CommandLine.arguments
let schemaDirectory = URL(fileURLWithPath: arguments.count > 1 ? arguments[1] : "../shared/kafka-protocol/messages")
let packageRoot = URL(fileURLWithPath: arguments.count > 2 ? arguments[2] : ".")
let outputDirectory = packageRoot.appendingPathComponent("Sources/KafkaProtocol/Generated")
let testOutput = packageRoot.appendingPathComponent("Tests/KafkaProtocolTests/Generated/RandomMessages.swift")
let errorTable = packageRoot.appendingPathComponent("Sources/ProtocolGenerator/ErrorCodes.tsv")

do {
    let files = try FileManager.default.contentsOfDirectory(at: schemaDirectory, includingPropertiesForKeys: nil)
        .filter { $0.pathExtension == "json" }
        .sorted { $0.lastPathComponent < $1.lastPathComponent }
    let messages = try files.map(SchemaLoader.load)
    try FileManager.default.createDirectory(at: outputDirectory, withIntermediateDirectories: true)
    // Start clean so a removed schema leaves no stale file behind.
    for stale in try FileManager.default.contentsOfDirectory(at: outputDirectory, includingPropertiesForKeys: nil)
    where stale.pathExtension == "swift" {
        try FileManager.default.removeItem(at: stale)
    }
    var randomSource = MessageEmitter.header + "\n\n// swiftlint:disable all\n\n@testable import KafkaProtocol\n"
    for message in messages {
        var emitter = MessageEmitter(message: message)
        try emitter.emit().write(
            to: outputDirectory.appendingPathComponent("\(message.name).swift"),
            atomically: true, encoding: .utf8)
        var random = RandomEmitter(message: message)
        randomSource += random.emit()
    }
    randomSource += "\n/// Every generated message type, for tests that sweep them all.\n"
    randomSource += "let allMessageTypes: [any RandomMessage.Type] = [\n"
    randomSource += messages.map { "    \($0.name).self," }.joined(separator: "\n") + "\n]\n"
    try FileManager.default.createDirectory(
        at: testOutput.deletingLastPathComponent(), withIntermediateDirectories: true)
    try randomSource.write(to: testOutput, atomically: true, encoding: .utf8)
    try TableEmitter.apiKeys(messages).write(
        to: outputDirectory.appendingPathComponent("ApiKey.swift"),
        atomically: true, encoding: .utf8)
    let errors = try TableEmitter.loadErrorCodes(errorTable)
    try TableEmitter.errorCodes(errors).write(
        to: outputDirectory.appendingPathComponent("ErrorCode.swift"),
        atomically: true, encoding: .utf8)
    print(
        "wrote \(messages.count) messages, ApiKey.swift (\(messages.filter { $0.kind == "request" }.count) APIs), "
            + "ErrorCode.swift (\(errors.count) codes)")
} catch {
    FileHandle.standardError.write(Data("ProtocolGenerator: \(error)\n".utf8))
    exit(1)
}
