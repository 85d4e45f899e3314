import Foundation

/// Writes the tables that span messages: `ApiKey` and `ErrorCode`.
enum TableEmitter {
    static func apiKeys(_ messages: [MessageSpec]) -> String {
        let requests = messages.filter { $0.kind == "request" }.sorted { ($0.apiKey ?? 0) < ($1.apiKey ?? 0) }
        var lines = [MessageEmitter.header, "", "// swiftlint:disable all", ""]
        lines.append("/// The Kafka APIs this codec speaks, with the versions their schemas define.")
        lines.append("public enum ApiKey: Int16, CaseIterable, Sendable, CustomStringConvertible {")
        for request in requests {
            lines.append("    case \(Naming.apiCase(request.name)) = \(request.apiKey ?? 0)")
        }
        lines.append("")
        lines.append("    /// Kafka's name for the API, as in its schemas (\"Produce\", \"ApiVersions\").")
        lines.append("    public var name: String {")
        lines.append("        switch self {")
        for request in requests {
            lines.append(
                "        case .\(Naming.apiCase(request.name)): return \"\(request.name.dropLast("Request".count))\"")
        }
        lines.append("        }")
        lines.append("    }")
        lines.append("")
        lines.append("    public var description: String { name }")
        lines.append("")
        lines.append("    /// The versions a peer may speak.")
        lines.append("    public var validVersions: ClosedRange<Int16> {")
        lines.append("        switch self {")
        for request in requests {
            let range = request.validVersions
            lines.append(
                "        case .\(Naming.apiCase(request.name)): return \(range.low)...\(range.high ?? range.low)")
        }
        lines.append("        }")
        lines.append("    }")
        lines.append("")
        lines.append("    /// The first version that uses the flexible encoding, or nil if none does.")
        lines.append("    public var firstFlexibleVersion: Int16? {")
        lines.append("        switch self {")
        for request in requests {
            let flexible = request.flexibleVersions
            lines.append(
                "        case .\(Naming.apiCase(request.name)): return \(flexible.isEmpty ? "nil" : String(flexible.low))"
            )
        }
        lines.append("        }")
        lines.append("    }")
        lines.append("")
        lines.append("    /// The request type for this API.")
        lines.append("    public var requestType: any KafkaRequest.Type {")
        lines.append("        switch self {")
        for request in requests {
            lines.append("        case .\(Naming.apiCase(request.name)): return \(request.name).self")
        }
        lines.append("        }")
        lines.append("    }")
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// One error code: code, NAME, retriable (0/1), and what it means, from ErrorCodes.tsv.
    struct ErrorCodeRow {
        var code: Int
        var name: String
        var retriable: Bool
        var message: String
    }

    static func loadErrorCodes(_ url: URL) throws -> [ErrorCodeRow] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").compactMap { row in
            if row.hasPrefix("#") || row.trimmingCharacters(in: .whitespaces).isEmpty { return nil }
            let columns = row.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard columns.count == 4, let code = Int(columns[0]) else {
                throw GeneratorError.badSchema("ErrorCodes.tsv: bad row '\(row)'")
            }
            return ErrorCodeRow(code: code, name: columns[1], retriable: columns[2] == "1", message: columns[3])
        }
    }

    static func errorCodes(_ rows: [ErrorCodeRow]) -> String {
        func caseName(_ name: String) -> String {
            let words = name.lowercased().split(separator: "_")
            let joined = words.enumerated().map { $0.offset == 0 ? String($0.element) : $0.element.capitalized }
                .joined()
            return Naming.escaped(joined)
        }
        var lines = [
            MessageEmitter.header, "// Source: Sources/ProtocolGenerator/ErrorCodes.tsv", "",
            "// swiftlint:disable all", "",
        ]
        lines.append("/// The error codes Kafka puts in its responses.")
        lines.append("///")
        lines.append("/// A code the table does not list is kept as `.unknown(code)` rather than lost.")
        lines.append("public enum ErrorCode: Sendable, Hashable, CustomStringConvertible {")
        for row in rows {
            lines.append("    /// \(row.message)")
            lines.append("    case \(caseName(row.name))")
        }
        lines.append("    /// A code this table does not know.")
        lines.append("    case unknown(Int16)")
        lines.append("")
        lines.append("    public init(code: Int16) {")
        lines.append("        switch code {")
        for row in rows { lines.append("        case \(row.code): self = .\(caseName(row.name))") }
        lines.append("        default: self = .unknown(code)")
        lines.append("        }")
        lines.append("    }")
        lines.append("")
        lines.append("    /// The number on the wire.")
        lines.append("    public var code: Int16 {")
        lines.append("        switch self {")
        for row in rows { lines.append("        case .\(caseName(row.name)): return \(row.code)") }
        lines.append("        case let .unknown(code): return code")
        lines.append("        }")
        lines.append("    }")
        lines.append("")
        lines.append("    /// Kafka's name for the error (\"NOT_LEADER_OR_FOLLOWER\").")
        lines.append("    public var name: String {")
        lines.append("        switch self {")
        for row in rows { lines.append("        case .\(caseName(row.name)): return \"\(row.name)\"") }
        lines.append("        case let .unknown(code): return \"UNKNOWN_CODE_\\(code)\"")
        lines.append("        }")
        lines.append("    }")
        lines.append("")
        lines.append("    /// What the error means, in a sentence.")
        lines.append("    public var message: String {")
        lines.append("        switch self {")
        for row in rows {
            lines.append("        case .\(caseName(row.name)): return \(Naming.stringLiteral(row.message))")
        }
        lines.append("        case let .unknown(code): return \"An error code this client does not know (\\(code)).\"")
        lines.append("        }")
        lines.append("    }")
        lines.append("")
        lines.append(
            "    /// Whether the same request may succeed if sent again (after a metadata refresh or a pause).")
        lines.append("    public var isRetriable: Bool {")
        lines.append("        switch self {")
        let retriable = rows.filter(\.retriable).map { "." + caseName($0.name) }
        var chunk: [String] = []
        var caseLines: [String] = []
        for name in retriable {
            chunk.append(name)
            if chunk.count == 4 {
                caseLines.append(chunk.joined(separator: ", "))
                chunk = []
            }
        }
        if !chunk.isEmpty { caseLines.append(chunk.joined(separator: ", ")) }
        for (index, caseLine) in caseLines.enumerated() {
            let prefix = index == 0 ? "        case " : "             "
            lines.append(prefix + caseLine + (index == caseLines.count - 1 ? ":" : ","))
        }
        lines.append("            return true")
        lines.append("        default:")
        lines.append("            return false")
        lines.append("        }")
        lines.append("    }")
        lines.append("")
        lines.append("    public var description: String { \"\\(name) (\\(code)): \\(message)\" }")
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}
