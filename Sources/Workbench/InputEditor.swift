import CReadline
import Foundation
import TerminalKit

/// The input pane's editor: GNU readline (Readline.swift) with the workbench's rules on top.
/// Enter submits once the statement ends with `;` (or is a `\` command) and starts a new line
/// otherwise; Up/Down move between the statement's lines and reach the history from its
/// first and last line; the history holds whole statements, lines and all. Every key
/// readline knows — emacs or vi keys, Ctrl-R, Meta keys, the user's inputrc bindings — is
/// readline's.
public final class InputEditor: @unchecked Sendable {
    /// What the pane draws.
    public struct Snapshot: Sendable, Equatable {
        public let text: String
        /// The cursor, in characters from the start of `text`.
        public let cursor: Int
        /// Readline's prompt while it asks for something: a history search, a numeric argument.
        public let prompt: String?
        public let viCommandMode: Bool
        public let lines: [Substring]
        /// The cursor's line and column (in characters).
        public let row: Int
        public let column: Int

        init(text: String, cursor: Int, prompt: String?, viCommandMode: Bool) {
            self.text = text
            self.cursor = cursor
            self.prompt = prompt
            self.viCommandMode = viCommandMode
            lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let before = text.prefix(cursor).split(separator: "\n", omittingEmptySubsequences: false)
            row = before.count - 1
            column = before.last?.count ?? 0
        }
    }

    /// An editor's line while another one has readline.
    struct Parked: Sendable {
        var text = ""
        /// In bytes, as readline counts.
        var point = 0
        var viCommandMode = false
        /// Where Up and Down had taken it in the history, and the line being written then.
        var historyPosition = 0
        var draft: String?
    }

    // Guarded by Readline's lock (read and written inside `Readline.with`).
    var parked = Parked()
    var historyEntries: [String]
    var vi = false
    var completionWords: [String] = []
    /// The matches of the last Tab.
    var offered: [String] = []
    /// Lines readline accepted by a binding of its own, oldest first.
    var accepted: [String] = []

    public init(history: [String] = []) {
        historyEntries = history
    }

    /// Whether the init file asks for vi keys (`set editing-mode vi`).
    public static var initFileChoosesVi: Bool { Readline.initFileChoosesVi }

    /// vi keys instead of emacs keys (`\editing-mode vi`).
    public var viKeys: Bool {
        get { Readline.with(self) { vi } }
        set {
            Readline.with(self) {
                vi = newValue
                _ = newValue ? rl_vi_editing_mode(1, 0) : rl_emacs_editing_mode(1, 0)
            }
        }
    }

    public var history: [String] { Readline.with(self) { historyEntries } }

    public var snapshot: Snapshot {
        Readline.with(self) {
            let prompt = String(cString: weir_rl_prompt())
            let bytes = Self.lineBytes
            return Snapshot(
                text: String(decoding: bytes, as: UTF8.self),
                cursor: String(decoding: bytes.prefix(Int(weir_rl_point())), as: UTF8.self).count,
                prompt: prompt.isEmpty ? nil : prompt,
                viCommandMode: weir_rl_vi_command_mode() != 0)
        }
    }

    public var text: String { snapshot.text }
    public var lines: [Substring] { snapshot.lines }
    public var isEmpty: Bool { Readline.with(self) { weir_rl_end() == 0 } }
    public var viCommandMode: Bool { Readline.with(self) { weir_rl_vi_command_mode() != 0 } }
    /// Readline is asking for something (a history search): its keys are all readline's.
    public var isAsking: Bool { Readline.with(self) { weir_rl_in_search() != 0 || weir_rl_prompt().pointee != 0 } }

    /// A statement is complete when its text, trimmed, ends with `;` or is a one-line `\`
    /// command. Looks from the end: a paste of many lines checks this once per line.
    public var isComplete: Bool {
        Readline.with(self) {
            let bytes = Self.lineBytes
            let blank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
            guard let last = bytes.lastIndex(where: { !blank($0) }) else { return false }
            if bytes[last] == UInt8(ascii: ";") { return true }
            let first = bytes.firstIndex(where: { !blank($0) })!
            return bytes[first] == UInt8(ascii: "\\") && !bytes[first...last].contains(0x0A)
        }
    }

    /// The word being typed before the cursor (letters, digits, `_`, `.` and `-` for option keys).
    public var wordBeforeCursor: String {
        let snapshot = snapshot
        let before = snapshot.text.prefix(snapshot.cursor)
        return String(before.reversed().prefix { $0.isLetter || $0.isNumber || "_.-".contains($0) }.reversed())
    }

    /// Hands a key to readline (Up/Down first move between the statement's lines); false
    /// for keys readline has no bytes for (function keys, paging, the mouse).
    @discardableResult
    public func handle(_ key: Key) -> Bool {
        if key == .up || key == .down, moveLine(key == .up ? -1 : 1) { return true }
        if editWithinLine(key) { return true }
        guard let bytes = Self.bytes(of: key) else { return false }
        Readline.with(self) { Readline.feed(bytes) }
        return true
    }

    public func insert(_ text: String) {
        Readline.with(self) { _ = rl_insert_text(text) }
    }

    public func newline() { insert("\n") }

    /// Replaces the text, the cursor at its end.
    public func set(_ text: String) {
        Readline.with(self) {
            rl_replace_line(text, 1)
            weir_rl_set_point(weir_rl_end())
        }
    }

    /// Takes the text out (submitted) and remembers it in the history.
    public func take() -> String {
        Readline.with(self) {
            let submitted = String(cString: weir_rl_buffer())
            remember(submitted)
            Readline.resetLine(self)
            return submitted
        }
    }

    /// Empties the line (Ctrl-C), without remembering it.
    public func clear() {
        Readline.with(self) { Readline.resetLine(self) }
    }

    /// Completes the word before the cursor from `words` (Tab); returns the matches.
    @discardableResult
    public func complete(from words: [String]) -> [String] {
        Readline.with(self) {
            completionWords = words
            offered = []
            Readline.feed([0x09])
            return offered
        }
    }

    /// Esc in vi keys' insert mode: command mode, as readline has it. False otherwise (the
    /// workbench then stops a running query).
    public func enterViCommandMode() -> Bool {
        Readline.with(self) {
            guard vi, weir_rl_vi_command_mode() == 0 else { return false }
            Readline.feed([0x1B])
            return true
        }
    }

    /// Ends a history search, leaving the line found.
    public func endSearch() {
        Readline.with(self) {
            guard weir_rl_in_search() != 0 else { return }
            Readline.feed([0x1B])
        }
    }

    /// The next line readline accepted by a binding of its own, if any.
    public func takeAccepted() -> String? {
        Readline.with(self) {
            guard !accepted.isEmpty else { return nil }
            let line = accepted.removeFirst()
            remember(line)
            return line
        }
    }

    /// A submitted statement in the history (unless blank or the same as the last).
    private func remember(_ statement: String) {
        let trimmed = statement.trimmingCharacters(in: .whitespacesAndNewlines)
        if !trimmed.isEmpty, historyEntries.last != trimmed { historyEntries.append(trimmed) }
    }

    /// The line of the statement the cursor is on: where it starts and ends (bytes).
    private static func cursorLine(_ bytes: UnsafeBufferPointer<UInt8>, point: Int) -> Range<Int> {
        let start = bytes[..<point].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        return start..<(bytes[point...].firstIndex(of: 0x0A) ?? bytes.count)
    }

    /// Moves the cursor to the line above or below, at the same column where it can; false
    /// on the first (last) line, where Up (Down) is readline's history.
    private func moveLine(_ step: Int) -> Bool {
        Readline.with(self) {
            guard weir_rl_in_search() == 0 else { return false }
            let bytes = Self.lineBytes
            let point = Int(weir_rl_point())
            let current = Self.cursorLine(bytes, point: point)
            let column = String(
                decoding: UnsafeBufferPointer(rebasing: bytes[current.lowerBound..<point]), as: UTF8.self
            ).count
            // Any point of the line above (its last byte) or below (its first) finds that line.
            guard step < 0 ? current.lowerBound > 0 : current.upperBound < bytes.count else { return false }
            let target = Self.cursorLine(bytes, point: step < 0 ? current.lowerBound - 1 : current.upperBound + 1)
            let line = String(decoding: UnsafeBufferPointer(rebasing: bytes[target]), as: UTF8.self)
            weir_rl_set_point(Int32(target.lowerBound + line.prefix(column).utf8.count))
            return true
        }
    }

    /// Readline's line, as bytes (valid until readline runs again).
    private static var lineBytes: UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(
            start: UnsafeRawPointer(weir_rl_buffer()!).assumingMemoryBound(to: UInt8.self), count: Int(weir_rl_end()))
    }

    /// In a statement of several lines, the keys about "the line" keep to the cursor's line,
    /// as in an editor (readline's line is the whole statement): Home/End and Ctrl-A/Ctrl-E
    /// go to its start and end, Ctrl-K and Ctrl-U kill to them (into readline's kill ring,
    /// for Ctrl-Y). False for every other key, and in one line, vi command mode or a search.
    private func editWithinLine(_ key: Key) -> Bool {
        guard [.home, .end, .control("a"), .control("e"), .control("k"), .control("u")].contains(key) else {
            return false
        }
        return Readline.with(self) {
            guard weir_rl_in_search() == 0, weir_rl_vi_command_mode() == 0 else { return false }
            let bytes = Self.lineBytes
            guard bytes.contains(0x0A) else { return false }
            let point = Int(weir_rl_point())
            let line = Self.cursorLine(bytes, point: point)
            switch key {
            case .home, .control("a"): weir_rl_set_point(Int32(line.lowerBound))
            case .end, .control("e"): weir_rl_set_point(Int32(line.upperBound))
            case .control("k"): _ = rl_kill_text(Int32(point), Int32(line.upperBound))
            default: _ = rl_kill_text(Int32(line.lowerBound), Int32(point))
            }
            return true
        }
    }

    /// The bytes a terminal sends for `key` (xterm's sequences, which readline binds).
    static func bytes(of key: Key) -> [UInt8]? {
        switch key {
        case let .character(character): return Array(String(character).utf8)
        case let .control(letter):
            guard let ascii = letter.asciiValue, (0x61...0x7A).contains(ascii) else { return nil }
            return [ascii - 0x60]
        case .enter: return [0x0D]
        case .tab: return [0x09]
        case .backTab: return Array("\u{1B}[Z".utf8)
        case .backspace: return [0x7F]
        case .delete: return Array("\u{1B}[3~".utf8)
        case .escape: return [0x1B]
        case .up: return Array("\u{1B}[A".utf8)
        case .down: return Array("\u{1B}[B".utf8)
        case .right: return Array("\u{1B}[C".utf8)
        case .left: return Array("\u{1B}[D".utf8)
        case .home: return Array("\u{1B}[H".utf8)
        case .end: return Array("\u{1B}[F".utf8)
        case .pageUp, .pageDown, .function, .wheelUp, .wheelDown, .click, .resize: return nil
        }
    }
}
