import Foundation
import SQLSyntax

/// A JSON value, for JSON_VALUE and nested columns (ROW, ARRAY, MAP).
package indirect enum JSONNode: Sendable, Equatable {
    case null
    case boolean(Bool)
    /// The number as written.
    case number(String)
    case string(String)
    case array([JSONNode])
    case object([(String, JSONNode)])

    package static func == (lhs: JSONNode, rhs: JSONNode) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.boolean(a), .boolean(b)): return a == b
        case let (.number(a), .number(b)), let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// The node as a SQL value of `type` (nil when it does not fit).
    package func value(as type: DataType) -> Value? {
        switch self {
        case .null: return .null
        case let .string(text): return ValueParser.parse(text, as: type)
        case let .number(text): return ValueParser.parse(text, as: type)
        case let .boolean(flag):
            if case .boolean = type { return .boolean(flag) }
            if case .varchar = type { return .string(flag ? "true" : "false") }
            return nil
        case let .array(elements):
            switch type {
            case let .array(element), let .multiset(element):
                var values: [Value] = []
                for node in elements {
                    guard let value = node.value(as: element) else { return nil }
                    values.append(value)
                }
                return .array(values)
            case .varchar: return .string(render())
            default: return nil
            }
        case let .object(members):
            switch type {
            case let .row(fields):
                var values: [Value] = []
                for field in fields {
                    let node = members.first { $0.0 == field.name }?.1 ?? .null
                    guard let value = node.value(as: field.type) else { return nil }
                    values.append(value)
                }
                return .row(values)
            case let .map(keyType, valueType):
                var entries: [Value.MapEntry] = []
                for (key, node) in members {
                    guard let keyValue = ValueParser.parse(key, as: keyType), let value = node.value(as: valueType)
                    else { return nil }
                    entries.append(.init(key: keyValue, value: value))
                }
                return .map(entries)
            case .varchar: return .string(render())
            default: return nil
            }
        }
    }

    /// Compact JSON text of the node.
    func render() -> String {
        switch self {
        case .null: return "null"
        case let .boolean(flag): return flag ? "true" : "false"
        case let .number(text): return text
        case let .string(text): return JSONText.quote(text)
        case let .array(elements): return "[" + elements.map { $0.render() }.joined(separator: ",") + "]"
        case let .object(members):
            return "{" + members.map { JSONText.quote($0.0) + ":" + $0.1.render() }.joined(separator: ",") + "}"
        }
    }
}

/// Reads JSON text byte by byte. Never traps: malformed input ends in `nil`.
package struct JSONScanner {
    package let bytes: UnsafeBufferPointer<UInt8>
    package var index: Int
    package let end: Int

    package init(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        index = start
        self.end = end ?? bytes.count
    }

    package mutating func skipSpace() {
        while index < end {
            let byte = bytes[index]
            guard byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D else { return }
            index += 1
        }
    }

    package mutating func consume(_ byte: UInt8) -> Bool {
        skipSpace()
        guard index < end, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// A string's contents after its opening quote (already consumed); nil if malformed.
    package mutating func string() -> String? {
        let start = index
        // Fast path: no escapes.
        while index < end {
            let byte = bytes[index]
            if byte == 0x22 {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == 0x5C { break }
            index += 1
        }
        var content = Array(bytes[start..<index])
        while index < end {
            let byte = bytes[index]
            index += 1
            if byte == 0x22 { return String(decoding: content, as: UTF8.self) }
            guard byte == 0x5C else {
                content.append(byte)
                continue
            }
            guard index < end else { return nil }
            let escape = bytes[index]
            index += 1
            switch escape {
            case 0x22, 0x5C, 0x2F: content.append(escape)
            case 0x62: content.append(0x08)
            case 0x66: content.append(0x0C)
            case 0x6E: content.append(0x0A)
            case 0x72: content.append(0x0D)
            case 0x74: content.append(0x09)
            case 0x75:
                guard var scalar = hex4() else { return nil }
                if (0xD800..<0xDC00).contains(scalar), index + 6 <= end, bytes[index] == 0x5C, bytes[index + 1] == 0x75
                {
                    index += 2
                    guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                content.append(contentsOf: Array(String(UnicodeScalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8))
            default: return nil
            }
        }
        return nil
    }

    private mutating func hex4() -> UInt32? {
        guard index + 4 <= end else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            index += 1
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x41...0x46: digit = byte - 0x41 + 10
            case 0x61...0x66: digit = byte - 0x61 + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// A plain integer (`-123`: digits only, no fraction or exponent, within Int64) straight
    /// from the bytes; nil for anything else, with the position unchanged.
    package mutating func plainInteger() -> Int64? {
        guard let base = bytes.baseAddress, let (value, next) = PlainJSON.integer(base, index, end) else { return nil }
        index = next
        return value
    }

    /// A plain decimal (`-12.345`: at most 15 digits, no exponent), exact (`PlainJSON.decimal`);
    /// nil for anything else, with the position unchanged, for the general path to read.
    package mutating func plainDecimal() -> Double? {
        guard let base = bytes.baseAddress, let (value, next) = PlainJSON.decimal(base, index, end) else { return nil }
        index = next
        return value
    }

    package mutating func numberText() -> String? {
        let start = index
        guard skipNumber() else { return nil }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    /// Moves past a number's characters; false if there are none.
    private mutating func skipNumber() -> Bool {
        let start = index
        if index < end, bytes[index] == 0x2D { index += 1 }
        while index < end {
            let byte = bytes[index]
            guard
                (byte >= 0x30 && byte <= 0x39) || byte == 0x2E || byte == 0x65 || byte == 0x45 || byte == 0x2B
                    || byte == 0x2D
            else { break }
            index += 1
        }
        return index > start
    }

    /// A whole value, parsed.
    package mutating func node(depth: Int = 0) -> JSONNode? {
        skipSpace()
        guard index < end, depth < 64 else { return nil }
        switch bytes[index] {
        case 0x22:
            index += 1
            return string().map(JSONNode.string)
        case 0x7B:
            index += 1
            var members: [(String, JSONNode)] = []
            if consume(0x7D) { return .object(members) }
            repeat {
                guard consume(0x22), let key = string(), consume(0x3A), let value = node(depth: depth + 1) else {
                    return nil
                }
                members.append((key, value))
            } while consume(0x2C)
            return consume(0x7D) ? .object(members) : nil
        case 0x5B:
            index += 1
            var elements: [JSONNode] = []
            if consume(0x5D) { return .array(elements) }
            repeat {
                guard let value = node(depth: depth + 1) else { return nil }
                elements.append(value)
            } while consume(0x2C)
            return consume(0x5D) ? .array(elements) : nil
        case 0x74: return literal("true", .boolean(true))
        case 0x66: return literal("false", .boolean(false))
        case 0x6E: return literal("null", .null)
        default: return numberText().map(JSONNode.number)
        }
    }

    private mutating func literal(_ word: StaticString, _ node: JSONNode) -> JSONNode? {
        let length = word.utf8CodeUnitCount
        guard index + length <= end else { return nil }
        for offset in 0..<length where bytes[index + offset] != word.utf8Start[offset] { return nil }
        index += length
        return node
    }

    /// Skips a whole value without building it (a record's fields the table does not
    /// declare); false where `node` would fail.
    package mutating func skipValue(depth: Int = 0) -> Bool {
        skipSpace()
        guard index < end, depth < 64 else { return false }
        switch bytes[index] {
        case 0x22:
            index += 1
            return skipString()
        case 0x7B:
            index += 1
            if consume(0x7D) { return true }
            repeat {
                guard consume(0x22), skipString(), consume(0x3A), skipValue(depth: depth + 1) else { return false }
            } while consume(0x2C)
            return consume(0x7D)
        case 0x5B:
            index += 1
            if consume(0x5D) { return true }
            repeat {
                guard skipValue(depth: depth + 1) else { return false }
            } while consume(0x2C)
            return consume(0x5D)
        case 0x74: return literal("true", .null) != nil
        case 0x66: return literal("false", .null) != nil
        case 0x6E: return literal("null", .null) != nil
        default: return skipNumber()
        }
    }

    /// Moves past a string's contents and closing quote (the opening one consumed), checking its escapes.
    private mutating func skipString() -> Bool {
        while index < end {
            let byte = bytes[index]
            index += 1
            if byte == 0x22 { return true }
            guard byte == 0x5C else { continue }
            guard index < end else { return false }
            let escape = bytes[index]
            index += 1
            switch escape {
            case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: continue
            case 0x75: guard hex4() != nil else { return false }
            default: return false
            }
        }
        return false
    }
}

package enum JSONText {
    package static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case let control where control.value < 0x20: result += String(format: "\\u%04x", control.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}

/// JSON_VALUE's paths: `$`, `$.a.b`, `$.a[0]`, `$['a b']` (lax mode: a missing step gives NULL).
/// SQL/JSON paths as JSON_VALUE reads them: `$`, then `.name`, `['name']` or `[index]`
/// steps, after an optional mode. In `strict` mode (the default, as in Flink) a step that
/// finds nothing, or a value that is not a scalar, is an error; in `lax` mode it is an empty
/// result. A JSON null is an empty result in both.
package enum JSONPath {
    package enum Outcome: Equatable {
        case found(JSONNode)
        case empty
        case failure(String)
    }

    /// Where a path leads: a node, nowhere (in lax or strict mode), or a malformed document or path.
    package enum Located {
        case node(JSONNode, lax: Bool)
        case missing(lax: Bool)
        case failure(String)
    }

    /// JSON_VALUE's reading: a scalar, or empty (NULL, or nothing in lax mode).
    package static func lookup(_ path: String, in document: String) -> Outcome {
        switch locate(path, in: document) {
        case let .failure(reason): return .failure(reason)
        case let .missing(lax): return lax ? .empty : .failure("no value at '\(path)' (strict mode)")
        case let .node(node, lax):
            switch node {
            case .null: return .empty
            case .array, .object: return lax ? .empty : .failure("the value at '\(path)' is not a scalar (strict mode)")
            case .boolean, .number, .string: return .found(node)
            }
        }
    }

    /// The node at `path` of `document`, whatever it is (JSON_QUERY and JSON_EXISTS read objects and arrays too).
    package static func locate(_ path: String, in document: String) -> Located {
        let parsed: JSONNode? = Array(document.utf8).withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            guard let node = scanner.node() else { return nil }
            scanner.skipSpace()
            return scanner.index == scanner.end ? node : nil
        }
        guard var node = parsed else { return .failure("not valid JSON") }
        var characters = Substring(path.trimmingCharacters(in: .whitespaces))
        var lax = false
        for mode in ["lax", "strict"] where characters.lowercased().hasPrefix(mode + " ") {
            lax = mode == "lax"
            characters = characters.dropFirst(mode.count).drop { $0 == " " }
        }
        guard characters.first == "$" else { return .failure("the path '\(path)' does not start with $") }
        characters = characters.dropFirst()
        let missing = Located.missing(lax: lax)
        while let first = characters.first {
            if first == ".", characters.dropFirst().first == "[" {
                characters = characters.dropFirst() // `$.["a.b"]`: the bracket names the member
            } else if first == "." {
                characters = characters.dropFirst()
                let name = characters.prefix { $0 != "." && $0 != "[" }
                guard !name.isEmpty else { return .failure("a '.' with no name in the path '\(path)'") }
                characters = characters.dropFirst(name.count)
                guard case let .object(members) = node, let found = members.first(where: { $0.0 == name })?.1 else {
                    return missing
                }
                node = found
            } else if first == "[" {
                guard let close = characters.firstIndex(of: "]") else {
                    return .failure("a '[' with no ']' in the path '\(path)'")
                }
                let inside = characters[characters.index(after: characters.startIndex)..<close].trimmingCharacters(
                    in: .whitespaces)
                characters = characters[characters.index(after: close)...]
                if inside.hasPrefix("'") || inside.hasPrefix("\"") {
                    let name = String(inside.dropFirst().dropLast())
                    guard case let .object(members) = node, let found = members.first(where: { $0.0 == name })?.1 else {
                        return missing
                    }
                    node = found
                } else {
                    guard let position = Int(inside) else {
                        return .failure("'[\(inside)]' in the path '\(path)' is not an index or a quoted name")
                    }
                    guard case let .array(elements) = node, position >= 0, position < elements.count else {
                        return missing
                    }
                    node = elements[position]
                }
            } else {
                return .failure("unexpected '\(first)' in the path '\(path)'")
            }
        }
        return .node(node, lax: lax)
    }
}
