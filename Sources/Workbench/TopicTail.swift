import Foundation
import SQLValues
import StreamSQL
import TerminalKit

/// A tailed topic (what the topic pane shows): its records (the newest 10,000), a filter,
/// pause, and the record picked in the pane.
public struct TopicTail: Sendable {
    public var topic: String
    public private(set) var entries: [TailEntry] = []
    public var filter: TailFilter?
    public var paused = false
    /// JSON values indented over several lines (`\\pretty`), instead of one line each.
    public var pretty = false
    /// Whether the tail waits for a broker that does not answer (its title says so).
    public var waitingForBroker = false
    /// The record picked with the arrow keys (topic pane focus); nil follows the newest.
    public var selected: RecordPosition?
    /// JSON records shown as columns of their top-level fields (c in the pane), not as text.
    public var columns = false
    /// The oldest records let go to keep the newest 10,000.
    public private(set) var dropped = 0

    public init(topic: String) {
        self.topic = topic
    }

    public mutating func add(_ records: [TailEntry]) {
        entries.append(contentsOf: records)
        if entries.count > 12_000 {
            dropped += entries.count - 10_000
            entries.removeFirst(entries.count - 10_000)
        }
    }

    /// The records the filter lets through.
    public var shown: [TailEntry] {
        guard let filter else { return entries }
        return entries.filter { filter.matches($0) }
    }
}

/// A record of the tailed topic: its partition and offset.
public struct RecordPosition: Hashable, Sendable {
    public var partition: Int32
    public var offset: Int64
}

/// `\filter TEXT` (the value contains it) or `\filter field OP value` on a JSON value's
/// top-level field (`payAmount > 5000`, `province = beijing`).
public enum TailFilter: Sendable, Equatable {
    case contains(String)
    case field(name: String, operation: String, value: String)

    public init(_ text: String) {
        let pattern = #"^([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|!=|=|>|<)\s*(.+)$"#
        if let match = text.range(of: pattern, options: .regularExpression), match == text.startIndex..<text.endIndex {
            let scanner = text.trimmingCharacters(in: .whitespaces)
            let name = String(scanner.prefix { $0.isLetter || $0.isNumber || $0 == "_" })
            let rest = scanner.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
            let operation = ["<=", ">=", "!=", "=", "<", ">"].first { rest.hasPrefix($0) }!
            let value = rest.dropFirst(operation.count).trimmingCharacters(in: .whitespaces)
            self = .field(
                name: name, operation: operation, value: value.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
            )
        } else {
            self = .contains(text)
        }
    }

    public func matches(_ entry: TailEntry) -> Bool {
        switch self {
        case let .contains(text):
            return entry.value.localizedCaseInsensitiveContains(text)
                || (entry.key?.localizedCaseInsensitiveContains(text) ?? false)
        case let .field(name, _, _):
            guard let found = Self.object(entry)?[name] else { return false }
            return matches(found)
        }
    }

    /// A record's JSON value as an object (nil when it is not one).
    static func object(_ entry: TailEntry) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(entry.value.utf8)) as? [String: Any]
    }

    /// Whether a field's value passes this field filter: as numbers when both are, else as text.
    func matches(_ found: Any) -> Bool {
        guard case let .field(_, operation, expected) = self else { return false }
        let actualText = found is String ? found as! String : "\(found)"
        let order: Int
        if let actual = Double(actualText), let wanted = Double(expected) {
            order = actual < wanted ? -1 : actual > wanted ? 1 : 0
        } else {
            order = actualText < expected ? -1 : actualText > expected ? 1 : 0
        }
        switch operation {
        case "=": return order == 0
        case "!=": return order != 0
        case ">": return order > 0
        case ">=": return order >= 0
        case "<": return order < 0
        default: return order <= 0
        }
    }
}

/// JSON text in colours: field names, strings, numbers and literals each their own.
enum JSONColours {
    static let name = Style(foreground: .cyan)
    static let string = Style(foreground: .green)
    static let number = Style(foreground: .yellow)
    static let literal = Style(foreground: .magenta)

    /// JSON text indented, two spaces a level, one member per line; strings kept as they are.
    static func pretty(_ text: String) -> [String] {
        guard text.hasPrefix("{") || text.hasPrefix("[") else { return [text] }
        var lines: [String] = []
        var line = ""
        var depth = 0
        var inString = false
        var escaped = false
        func newline() {
            if !line.trimmingCharacters(in: .whitespaces).isEmpty { lines.append(line) }
            line = String(repeating: "  ", count: max(0, depth))
        }
        for character in text {
            if inString {
                line.append(character)
                if escaped {
                    escaped = false
                } else if character == "\\" {
                    escaped = true
                } else if character == "\"" {
                    inString = false
                }
                continue
            }
            switch character {
            case "\"":
                inString = true
                line.append(character)
            case "{", "[":
                line.append(character)
                depth += 1
                newline()
            case "}", "]":
                depth -= 1
                newline()
                line.append(character)
            case ",":
                line.append(character)
                newline()
            case ":":
                line.append(": ")
            case " ", "\n", "\t", "\r":
                continue
            default:
                line.append(character)
            }
        }
        if !line.trimmingCharacters(in: .whitespaces).isEmpty { lines.append(line) }
        return lines
    }

    /// Spans of `text` with their styles (plain text when it is not JSON-like, unless `anyText`).
    static func spans(_ text: String, anyText: Bool = false) -> [(String, Style)] {
        guard anyText || text.hasPrefix("{") || text.hasPrefix("[") else { return [(text, .plain)] }
        var spans: [(String, Style)] = []
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character == "\"" {
                var end = index + 1
                while end < characters.count, characters[end] != "\"" {
                    if characters[end] == "\\" { end += 1 }
                    end += 1
                }
                end = min(end + 1, characters.count)
                var after = end
                while after < characters.count, characters[after] == " " { after += 1 }
                let isName = after < characters.count && characters[after] == ":"
                spans.append((String(characters[index..<end]), isName ? name : string))
                index = end
            } else if character == "-" || character.isNumber {
                var end = index + 1
                while end < characters.count, characters[end].isNumber || ".eE+-".contains(characters[end]) { end += 1 }
                spans.append((String(characters[index..<end]), number))
                index = end
            } else if character.isLetter {
                var end = index + 1
                while end < characters.count, characters[end].isLetter { end += 1 }
                spans.append((String(characters[index..<end]), literal))
                index = end
            } else {
                spans.append((String(character), .plain))
                index += 1
            }
        }
        return spans
    }
}

/// Times of day for the topic pane, UTC.
enum CivilClock {
    /// `HH:mm:ss.SSS` of milliseconds since the epoch.
    static func time(_ millis: Int64) -> String { String(timestamp(millis).dropFirst(11)) }

    /// `yyyy-MM-dd HH:mm:ss.SSS` of milliseconds since the epoch.
    static func timestamp(_ millis: Int64) -> String { CivilTime.formatTimestamp(millis * 1000, precision: 3) }
}
