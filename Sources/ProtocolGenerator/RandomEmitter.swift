/// Writes, for the test target, a `random(version:using:)` for every generated
/// struct: values for exactly the fields present in that version, null only
/// where that version allows it, so encode → decode must give the value back.
struct RandomEmitter {
    let message: MessageSpec
    private var lines: [String] = []

    init(message: MessageSpec) {
        self.message = message
    }

    mutating func emit() -> String {
        lines = []
        emitStruct(path: message.name, fields: message.fields, scope: message.validVersions, topLevel: true)
        for common in message.commonStructs {
            emitStruct(
                path: "\(message.name).\(common.name)", fields: common.fields,
                scope: message.validVersions, topLevel: false)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private mutating func emitStruct(path: String, fields: [FieldSpec], scope: VersionRange, topLevel: Bool) {
        lines.append("")
        lines.append("extension \(path)\(topLevel ? ": RandomMessage" : "") {")
        lines.append("    static func random(version: Int16, using random: inout TestRandom) -> Self {")
        lines.append("        var value = Self()")
        for field in fields {
            let present = field.versions.intersection(scope)
            guard !present.isEmpty else { continue }
            let test = condition(present, within: scope)
            let assignment =
                "value.\(Naming.property(field.name)) = \(randomExpression(field, scope: scope, path: path))"
            if let test {
                lines.append("        if \(test) { \(assignment) }")
            } else {
                lines.append("        \(assignment)")
            }
        }
        lines.append("        return value")
        lines.append("    }")
        lines.append("}")
        for field in fields {
            guard let nested = field.fields, case let .structure(name) = elementType(field.type) else { continue }
            emitStruct(
                path: "\(path).\(name)", fields: nested, scope: field.versions.intersection(scope), topLevel: false)
        }
    }

    private func elementType(_ type: FieldType) -> FieldType {
        if case let .array(element) = type { return elementType(element) }
        return type
    }

    private func condition(_ range: VersionRange, within scope: VersionRange) -> String? {
        let overlap = range.intersection(scope)
        var parts: [String] = []
        if overlap.low > scope.low { parts.append("version >= \(overlap.low)") }
        if let high = overlap.high, scope.high.map({ high < $0 }) ?? true { parts.append("version <= \(high)") }
        return parts.isEmpty ? nil : parts.joined(separator: " && ")
    }

    private func typePath(_ name: String, from path: String) -> String {
        if message.commonStructs.contains(where: { $0.name == name }) { return "\(message.name).\(name)" }
        return "\(path).\(name)"
    }

    private func randomExpression(_ field: FieldSpec, scope: VersionRange, path: String) -> String {
        let present = field.versions.intersection(scope)
        let nullable = field.nullableVersions.intersection(present)
        let value = elementRandom(field.type, path: path)
        if nullable.isEmpty { return value }
        let test = condition(nullable, within: present).map { "\($0) && " } ?? ""
        return "(\(test)random.oneIn(4) ? nil : \(value))"
    }

    private func elementRandom(_ type: FieldType, path: String) -> String {
        switch type {
        case .bool: return "random.bool()"
        case .int8: return "random.integer(Int8.self)"
        case .int16: return "random.integer(Int16.self)"
        case .uint16: return "random.integer(UInt16.self)"
        case .int32: return "random.integer(Int32.self)"
        case .uint32: return "random.integer(UInt32.self)"
        case .int64: return "random.integer(Int64.self)"
        case .float64: return "random.double()"
        case .uuid: return "random.uuid()"
        case .string: return "random.string()"
        case .bytes, .records: return "random.bytes()"
        case let .structure(name):
            return "\(typePath(name, from: path)).random(version: version, using: &random)"
        case let .array(element):
            return "random.array { random in \(elementRandom(element, path: path)) }"
        }
    }
}
