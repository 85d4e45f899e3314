import TerminalKit

/// vi keys for the input, as readline's vi mode has them: typing inserts; Esc goes to
/// command mode, where h/l/0/$/w/b/e move, x/X/D/C/S/dd/cc/dw/cw/db/cb/d$/c$ delete or
/// change, p/P put what was deleted, i/a/I/A go back to inserting, k/j walk the history,
/// and u undoes the last change.
extension LineEditor {
    /// Esc in vi keys: command mode, the cursor on the character before it (as vi does).
    /// False when already there (the workbench then stops a running query).
    public mutating func enterViCommandMode() -> Bool {
        guard viKeys, !viCommandMode else { return false }
        viCommandMode = true
        viPending = nil
        column = max(0, column - 1)
        return true
    }

    mutating func handleViCommand(_ key: Key) -> Bool {
        guard case let .character(character) = key else {
            // Arrows, Home/End, Backspace keep their meaning.
            switch key {
            case .left, .right, .home, .end, .up, .down: return moveLike(key)
            case .backspace: return moveLike(.left)
            default: return false
            }
        }
        if let operation = viPending {
            viPending = nil
            return apply(operation, motion: character)
        }
        let line = lines[row]
        switch character {
        case "h": column = max(0, column - 1)
        case "l": column = min(max(0, line.count - 1), column + 1)
        case "0", "^": column = character == "0" ? 0 : (line.firstIndex { !$0.isWhitespace } ?? 0)
        case "$": column = max(0, line.count - 1)
        case "w": column = min(max(0, line.count - 1), nextWordStart(from: column))
        case "b": column = previousWordStart(from: column)
        case "e": column = wordEnd(from: column)
        case "k": recall(-1); column = 0
        case "j": recall(1); column = 0
        case "i": viCommandMode = false
        case "a": viCommandMode = false; column = min(line.count, column + 1)
        case "I": viCommandMode = false; column = 0
        case "A": viCommandMode = false; column = line.count
        case "x":
            guard column < line.count else { return true }
            remember()
            killRing = [lines[row].remove(at: column)]
            column = min(column, max(0, lines[row].count - 1))
        case "X":
            guard column > 0 else { return true }
            remember()
            killRing = [lines[row].remove(at: column - 1)]
            column -= 1
        case "D": return apply("d", motion: "$")
        case "C": return apply("c", motion: "$")
        case "S": return apply("c", motion: "c")
        case "d", "c": viPending = character
        case "p", "P":
            guard !killRing.isEmpty else { return true }
            remember()
            let at = character == "p" ? min(line.count, column + 1) : column
            lines[row].insert(contentsOf: killRing, at: at)
            column = at + killRing.count - 1
        case "u":
            guard let saved = viUndo else { return true }
            viUndo = Saved(lines: lines, row: row, column: column)
            (lines, row, column) = (saved.lines, saved.row, saved.column)
        default:
            return true // other letters do nothing in command mode (they never type)
        }
        return true
    }

    /// `d` or `c` with a motion: the text from the cursor to where the motion goes (the whole
    /// line for dd and cc) is deleted into the kill ring; `c` then inserts.
    private mutating func apply(_ operation: Character, motion: Character) -> Bool {
        let line = lines[row]
        let range: Range<Int>
        switch motion {
        case operation: range = 0..<line.count // dd, cc
        case "$": range = min(column, line.count)..<line.count
        case "0": range = 0..<column
        // cw changes to the word's end, keeping the space after it (vi's old exception).
        case "w" where operation == "c" && column < line.count && !line[column].isWhitespace:
            range = column..<min(line.count, wordEnd(from: column - 1) + 1)
        case "w": range = column..<min(line.count, nextWordStart(from: column))
        case "e": range = column..<min(line.count, wordEnd(from: column) + 1)
        case "b": range = previousWordStart(from: column)..<column
        case "h": range = max(0, column - 1)..<column
        case "l": range = column..<min(line.count, column + 1)
        default: return true // not a motion: the operator is dropped
        }
        remember()
        killRing = Array(line[range])
        lines[row].removeSubrange(range)
        column = range.lowerBound
        if operation == "c" {
            viCommandMode = false
        } else {
            column = min(column, max(0, lines[row].count - 1))
        }
        return true
    }

    private mutating func remember() { viUndo = Saved(lines: lines, row: row, column: column) }

    private mutating func moveLike(_ key: Key) -> Bool {
        viCommandMode = false
        defer { viCommandMode = true }
        return handle(key)
    }

    private func isWord(_ character: Character) -> Bool { character.isLetter || character.isNumber || character == "_" }

    private func nextWordStart(from start: Int) -> Int {
        let line = lines[row]
        var index = start
        guard index < line.count else { return line.count }
        let inWord = isWord(line[index])
        while index < line.count, !line[index].isWhitespace, isWord(line[index]) == inWord { index += 1 }
        while index < line.count, line[index].isWhitespace { index += 1 }
        return index
    }

    private func previousWordStart(from start: Int) -> Int {
        let line = lines[row]
        var index = min(start, line.count)
        while index > 0, line[index - 1].isWhitespace { index -= 1 }
        guard index > 0 else { return 0 }
        let inWord = isWord(line[index - 1])
        while index > 0, !line[index - 1].isWhitespace, isWord(line[index - 1]) == inWord { index -= 1 }
        return index
    }

    private func wordEnd(from start: Int) -> Int {
        let line = lines[row]
        var index = start + 1
        while index < line.count, line[index].isWhitespace { index += 1 }
        guard index < line.count else { return max(0, line.count - 1) }
        let inWord = isWord(line[index])
        while index + 1 < line.count, !line[index + 1].isWhitespace, isWord(line[index + 1]) == inWord { index += 1 }
        return index
    }
}
