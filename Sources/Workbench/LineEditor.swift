import Foundation
import TerminalKit

/// The input pane's text: several lines, a cursor, emacs keys, and a history of submitted
/// statements (Up/Down when the cursor is on the first/last line; Ctrl-R searches back).
public struct LineEditor: Sendable, Equatable {
    // Set in this file and in its vi keys (LineEditor+Vi.swift).
    public internal(set) var lines: [[Character]] = [[]]
    public internal(set) var row = 0
    public internal(set) var column = 0
    public private(set) var history: [String] = []
    private var historyIndex: Int?
    private var draft: String = ""
    var killRing: [Character] = []
    /// vi keys (`set editing-mode vi` in inputrc, or `\\editing-mode vi`) instead of emacs keys.
    public var viKeys = false
    /// In vi keys: command mode (after Esc), where letters move and edit instead of typing.
    public internal(set) var viCommandMode = false
    /// A vi operator (d, c) waiting for its motion, and the text before the last vi change (u).
    var viPending: Character?
    var viUndo: Saved?

    /// The text and the cursor, as vi's undo keeps them.
    struct Saved: Equatable, Sendable {
        var lines: [[Character]]
        var row: Int
        var column: Int
    }

    public init(history: [String] = []) {
        self.history = history
    }

    public var text: String { lines.map { String($0) }.joined(separator: "\n") }
    public var isEmpty: Bool { lines.count == 1 && lines[0].isEmpty }

    /// A statement is complete when its text, trimmed, ends with `;` or is a `\` command.
    /// Looks only at the last lines with text: a paste of many lines checks this per line.
    public var isComplete: Bool {
        guard let last = lines.lastIndex(where: { line in line.contains { !$0.isWhitespace } }) else { return false }
        if lines[last].last(where: { !$0.isWhitespace }) == ";" { return true }
        let first = lines.firstIndex(where: { line in line.contains { !$0.isWhitespace } })!
        return first == last && lines[first].first(where: { !$0.isWhitespace }) == "\\"
    }

    public mutating func set(_ text: String) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        if lines.isEmpty { lines = [[]] }
        row = lines.count - 1
        column = lines[row].count
    }

    /// Takes the text out (submitted) and remembers it.
    public mutating func take() -> String {
        let submitted = text
        let trimmed = submitted.trimmingCharacters(in: .whitespacesAndNewlines)
        if !trimmed.isEmpty, history.last != trimmed { history.append(trimmed) }
        lines = [[]]
        row = 0
        column = 0
        historyIndex = nil
        // A new statement starts in insert mode, as readline's vi mode does.
        viCommandMode = false
        viPending = nil
        return submitted
    }

    public mutating func insert(_ text: String) {
        for character in text {
            if character == "\n" || character == "\r\n" { newline() } else { insert(character) }
        }
    }

    public mutating func insert(_ character: Character) {
        lines[row].insert(character, at: column)
        column += 1
    }

    public mutating func newline() {
        let rest = Array(lines[row][column...])
        lines[row].removeSubrange(column...)
        lines.insert(rest, at: row + 1)
        row += 1
        column = 0
    }

    /// Handles an editing key; false when the key is not an editing key.
    public mutating func handle(_ key: Key) -> Bool {
        if viKeys, viCommandMode { return handleViCommand(key) }
        switch key {
        case let .character(character): insert(character)
        case .backspace, .control("h"):
            if column > 0 {
                lines[row].remove(at: column - 1)
                column -= 1
            } else if row > 0 {
                column = lines[row - 1].count
                lines[row - 1] += lines[row]
                lines.remove(at: row)
                row -= 1
            }
        case .delete, .control("d") where !isEmpty:
            if column < lines[row].count {
                lines[row].remove(at: column)
            } else if row + 1 < lines.count {
                lines[row] += lines[row + 1]
                lines.remove(at: row + 1)
            }
        case .left, .control("b"):
            if column > 0 { column -= 1 } else if row > 0 { row -= 1; column = lines[row].count }
        case .right, .control("f"):
            if column < lines[row].count { column += 1 } else if row + 1 < lines.count { row += 1; column = 0 }
        case .home, .control("a"): column = 0
        case .end, .control("e"): column = lines[row].count
        case .control("k"):
            killRing = Array(lines[row][column...])
            lines[row].removeSubrange(column...)
        case .control("u"):
            killRing = Array(lines[row][..<column])
            lines[row].removeSubrange(..<column)
            column = 0
        case .control("w"):
            var start = column
            while start > 0, lines[row][start - 1] == " " { start -= 1 }
            while start > 0, lines[row][start - 1] != " " { start -= 1 }
            killRing = Array(lines[row][start..<column])
            lines[row].removeSubrange(start..<column)
            column = start
        case .control("y"):
            lines[row].insert(contentsOf: killRing, at: column)
            column += killRing.count
        case .up, .control("p"):
            if row > 0 { row -= 1; column = min(column, lines[row].count) } else { recall(-1) }
        case .down, .control("n"):
            if row + 1 < lines.count { row += 1; column = min(column, lines[row].count) } else { recall(1) }
        default:
            return false
        }
        return true
    }

    mutating func recall(_ step: Int) {
        guard !history.isEmpty else { return }
        if historyIndex == nil {
            guard step < 0 else { return }
            draft = text
            historyIndex = history.count
        }
        let next = historyIndex! + step
        if next >= history.count {
            historyIndex = nil
            set(draft)
        } else if next >= 0 {
            historyIndex = next
            set(history[next])
        }
    }

    /// The word being typed before the cursor (letters, digits, `_`, `.` and `-` for option keys).
    public var wordBeforeCursor: String {
        var start = column
        let line = lines[row]
        while start > 0, line[start - 1].isLetter || line[start - 1].isNumber || "_.-".contains(line[start - 1]) { start -= 1 }
        return String(line[start..<column])
    }

    /// Completes the word before the cursor from `words`: one match is completed (with a
    /// space after), several are completed to what they share; returns the matches.
    @discardableResult
    public mutating func complete(from words: [String]) -> [String] {
        let prefix = wordBeforeCursor
        guard !prefix.isEmpty else { return [] }
        let matches = words.filter { $0.lowercased().hasPrefix(prefix.lowercased()) && $0.count > prefix.count }
        guard let first = matches.first else { return [] }
        // Keywords keep the case the user typed them in.
        let lowered = prefix == prefix.lowercased() && first == first.uppercased()
        var shared = Array(lowered ? first.lowercased() : first)
        for match in matches.dropFirst() {
            let candidate = Array(lowered ? match.lowercased() : match)
            var length = 0
            while length < min(shared.count, candidate.count), String(shared[length]).lowercased() == String(candidate[length]).lowercased() { length += 1 }
            shared = Array(shared.prefix(length))
        }
        let addition = shared.dropFirst(prefix.count)
        lines[row].insert(contentsOf: addition, at: column)
        column += addition.count
        if matches.count == 1, !lines[row][column...].starts(with: [" "]) { insert(" ") }
        return matches
    }

    /// The newest history entry containing `query` (Ctrl-R).
    public func search(_ query: String) -> String? {
        guard !query.isEmpty else { return nil }
        return history.last { $0.localizedCaseInsensitiveContains(query) }
    }
}
