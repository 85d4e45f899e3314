import Foundation

/// A set of protocol versions as Kafka's schemas write them: "none", "N", "N-M" or "N+".
struct VersionRange: Equatable {
    var low: Int
    /// nil means open-ended ("N+").
    var high: Int?

    static let none = VersionRange(low: 1, high: 0)

    var isEmpty: Bool { if let high { return high < low } else { return false } }

    init(low: Int, high: Int?) {
        self.low = low
        self.high = high
    }

    init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "none" {
            self = .none
        } else if trimmed.hasSuffix("+"), let low = Int(trimmed.dropLast()) {
            self.init(low: low, high: nil)
        } else if let dash = trimmed.firstIndex(of: "-"),
            let low = Int(trimmed[..<dash]), let high = Int(trimmed[trimmed.index(after: dash)...])
        {
            self.init(low: low, high: high)
        } else if let single = Int(trimmed) {
            self.init(low: single, high: single)
        } else {
            throw GeneratorError.badSchema("cannot read version range '\(text)'")
        }
    }

    func contains(_ version: Int) -> Bool {
        !isEmpty && version >= low && (high.map { version <= $0 } ?? true)
    }

    func intersection(_ other: VersionRange) -> VersionRange {
        if isEmpty || other.isEmpty { return .none }
        let newHigh: Int?
        switch (high, other.high) {
        case let (a?, b?): newHigh = min(a, b)
        case let (a?, nil): newHigh = a
        case let (nil, b?): newHigh = b
        case (nil, nil): newHigh = nil
        }
        let result = VersionRange(low: max(low, other.low), high: newHigh)
        return result.isEmpty ? .none : result
    }

    var text: String {
        if isEmpty { return "none" }
        guard let high else { return "\(low)+" }
        return high == low ? "\(low)" : "\(low)-\(high)"
    }
}

/// A field's type in a schema.
indirect enum FieldType: Equatable {
    case bool, int8, int16, uint16, int32, uint32, int64, float64, uuid, string, bytes, records
    case structure(String)
    case array(FieldType)

    init(parsing text: String) {
        if text.hasPrefix("[]") {
            self = .array(FieldType(parsing: String(text.dropFirst(2))))
            return
        }
        switch text {
        case "bool": self = .bool
        case "int8": self = .int8
        case "int16": self = .int16
        case "uint16": self = .uint16
        case "int32": self = .int32
        case "uint32": self = .uint32
        case "int64": self = .int64
        case "float64": self = .float64
        case "uuid": self = .uuid
        case "string": self = .string
        case "bytes": self = .bytes
        case "records": self = .records
        default: self = .structure(text)
        }
    }

    var isStruct: Bool { if case .structure = self { return true } else { return false } }
    var isArray: Bool { if case .array = self { return true } else { return false } }
}

struct FieldSpec {
    var name: String
    var type: FieldType
    var versions: VersionRange
    var nullableVersions: VersionRange
    var taggedVersions: VersionRange
    var tag: Int?
    var defaultValue: String?
    /// A field-level override of the message's flexible versions (RequestHeader.ClientId).
    var flexibleVersions: VersionRange?
    var about: String?
    /// For a field whose type is a struct or array of structs defined inline.
    var fields: [FieldSpec]?
}

struct StructSpec {
    var name: String
    var fields: [FieldSpec]
}

struct MessageSpec {
    var name: String
    var kind: String // request, response, header
    var apiKey: Int?
    var validVersions: VersionRange
    var flexibleVersions: VersionRange
    var fields: [FieldSpec]
    var commonStructs: [StructSpec]
    var sourceFile: String
}

enum GeneratorError: Error, CustomStringConvertible {
    case badSchema(String)
    var description: String {
        switch self {
        case let .badSchema(message): return message
        }
    }
}

enum SchemaLoader {
    /// Reads one of Kafka's message schema files (JSON with `//` line comments).
    static func load(_ url: URL) throws -> MessageSpec {
        let text = try String(contentsOf: url, encoding: .utf8)
        let json = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }
            .joined(separator: "\n")
        guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw GeneratorError.badSchema("\(url.lastPathComponent): not a JSON object")
        }
        return MessageSpec(
            name: try string(object, "name"),
            kind: try string(object, "type"),
            apiKey: object["apiKey"] as? Int,
            validVersions: try VersionRange(parsing: string(object, "validVersions")),
            flexibleVersions: try VersionRange(parsing: string(object, "flexibleVersions")),
            fields: try fields(object["fields"]),
            commonStructs: try (object["commonStructs"] as? [[String: Any]] ?? []).map {
                StructSpec(name: try string($0, "name"), fields: try fields($0["fields"]))
            },
            sourceFile: url.lastPathComponent
        )
    }

    private static func string(_ object: [String: Any], _ key: String) throws -> String {
        guard let value = object[key] as? String else {
            throw GeneratorError.badSchema("missing '\(key)' in \(object["name"] ?? "?")")
        }
        return value
    }

    private static func fields(_ value: Any?) throws -> [FieldSpec] {
        guard let list = value as? [[String: Any]] else { return [] }
        return try list.map { field in
            let defaultValue: String?
            switch field["default"] {
            case let text as String: defaultValue = text
            case let number as Int: defaultValue = String(number)
            case let flag as Bool: defaultValue = flag ? "true" : "false"
            default: defaultValue = nil
            }
            return FieldSpec(
                name: try string(field, "name"),
                type: FieldType(parsing: try string(field, "type")),
                versions: try VersionRange(parsing: string(field, "versions")),
                nullableVersions: try (field["nullableVersions"] as? String).map(VersionRange.init(parsing:)) ?? .none,
                taggedVersions: try (field["taggedVersions"] as? String).map(VersionRange.init(parsing:)) ?? .none,
                tag: field["tag"] as? Int,
                defaultValue: defaultValue,
                flexibleVersions: try (field["flexibleVersions"] as? String).map(VersionRange.init(parsing:)),
                about: field["about"] as? String,
                fields: field["fields"] != nil ? try fields(field["fields"]) : nil
            )
        }
    }
}
