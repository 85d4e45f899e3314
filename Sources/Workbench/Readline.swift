import CReadline
import Foundation

/// GNU readline, driven by the workbench. Readline keeps one line, one history and one set
/// of keymaps per process and usually owns the terminal; here it owns neither the keyboard
/// nor the screen. Curses reads the keys, the workbench hands readline each key's bytes
/// through `rl_getc_function` (callback mode: `rl_callback_read_char` per byte), and reads
/// back the line and the cursor to draw them in the input pane. Readline never writes to the
/// terminal. It still reads the user's inputrc, so `set editing-mode vi`, key bindings and
/// settings apply as they do in bash.
///
/// Several editors may live in one process (the tests make many, on several threads). Every
/// call takes one lock, and the editor that used readline last owns it: another one parks
/// the owner's line and loads its own (mode, history, line, cursor) before its keys.
enum Readline {
    /// Recursive: a test may hold readline across many calls (`holding`).
    private static let lock = NSRecursiveLock()
    // Everything below is guarded by `lock`.
    nonisolated(unsafe) private static var ready = false
    nonisolated(unsafe) private static weak var owner: InputEditor?
    /// The bytes of the keys being fed, and the next one readline reads.
    nonisolated(unsafe) private static var pending: [UInt8] = []
    nonisolated(unsafe) private static var next = 0
    nonisolated(unsafe) private static var choosesVi = false

    /// Runs `body` with readline loaded with `editor`'s line.
    static func with<T>(_ editor: InputEditor, _ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        if !ready { setUp() }
        if owner !== editor {
            owner?.parked = currentLine()
            owner = editor
            load(editor)
        }
        return body()
    }

    /// Keeps readline for the caller's thread while `body` runs: parking an editor keeps its
    /// line, cursor, mode and place in the history, but not an unfinished search, a pending
    /// Meta prefix or the undo list, and all editors share one kill ring — so a test of those
    /// keeps other editors out meanwhile.
    static func holding<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Whether the init file (`$INPUTRC`, `~/.inputrc`, `/etc/inputrc`) asks for vi keys.
    static var initFileChoosesVi: Bool {
        lock.lock()
        defer { lock.unlock() }
        if !ready { setUp() }
        return choosesVi
    }

    /// Feeds the bytes of one key; readline may call back (a line accepted, a completion).
    static func feed(_ bytes: [UInt8]) {
        pending = bytes
        next = 0
        // Reading past the bytes would be end of input to readline, so it is asked for
        // exactly as many reads as there are bytes (a key sequence spans several calls). A
        // call may read none (a macro's text is readline's own input): never loop forever.
        var callsWithoutARead = 0
        while next < pending.count, callsWithoutARead < 64 {
            let before = next
            rl_callback_read_char()
            callsWithoutARead = next == before ? callsWithoutARead + 1 : 0
        }
        pending = []
    }

    /// The line, the cursor and the mode, as an editor parks them.
    static func currentLine() -> InputEditor.Parked {
        InputEditor.Parked(
            text: String(cString: weir_rl_buffer()), point: Int(weir_rl_point()),
            viCommandMode: weir_rl_vi_command_mode() != 0,
            historyPosition: Int(where_history()), draft: weir_rl_draft().map { String(cString: $0) })
    }

    /// Starts a new empty line, in insert mode, with the history as `editor` has it.
    static func resetLine(_ editor: InputEditor) {
        rl_callback_sigcleanup()
        rl_replace_line("", 1)
        clear_history()
        for entry in editor.historyEntries { add_history(entry) }
        rl_callback_handler_remove()
        rl_callback_handler_install("", lineAccepted)
    }

    private static func load(_ editor: InputEditor) {
        _ = editor.vi ? rl_vi_editing_mode(1, 0) : rl_emacs_editing_mode(1, 0)
        resetLine(editor)
        let parked = editor.parked
        if let draft = parked.draft, parked.historyPosition < editor.historyEntries.count {
            // Back where Up had taken it, with the line being written kept for Down.
            rl_replace_line(draft, 1)
            rl_maybe_save_line()
            history_set_pos(Int32(parked.historyPosition))
        }
        rl_replace_line(parked.text, 1)
        if parked.viCommandMode { _ = rl_vi_movement_mode(1, 0x1B) }
        weir_rl_set_point(Int32(parked.point))
    }

    private static func setUp() {
        ready = true
        weir_rl_use_utf8()
        weir_rl_configure(
            { _ in
                guard Readline.next < Readline.pending.count else { return EOF }
                Readline.next += 1
                return Int32(Readline.pending[Readline.next - 1])
            },
            // An Esc with nothing after it is Esc itself, not the start of an arrow key.
            { Readline.next < Readline.pending.count ? 1 : 0 },
            { text, _, _ in
                weir_rl_completion_over()
                guard let text, let editor = Readline.owner else { return nil }
                let (replacement, matches) = TabCompletion.complete(String(cString: text), from: editor.completionWords)
                editor.offered = matches
                guard let replacement else { return nil }
                return Readline.cStringArray([replacement] + (matches.count > 1 ? matches : []))
            },
            // Words for completion: SQL names, and option keys with their dots and dashes.
            " \t\n\"'`()[]{},;=<>+*/%|&!:"
        )
        choosesVi = weir_rl_vi_editing() != 0
        // The bell would go to stderr, which is the workbench's log file.
        rl_variable_bind("bell-style", "none")
    }

    /// A line readline accepted by a binding of its own (Ctrl-O, a user's inputrc macro);
    /// the workbench's Enter does not come here.
    private static let lineAccepted: @convention(c) (UnsafeMutablePointer<CChar>?) -> Void = { line in
        guard let line else { return }
        Readline.owner?.accepted.append(String(cString: line))
        free(line)
    }

    /// A NULL-terminated array of C strings allocated with malloc, which readline frees.
    private static func cStringArray(_ strings: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
        let array = malloc(MemoryLayout<UnsafeMutablePointer<CChar>?>.stride * (strings.count + 1))!
            .assumingMemoryBound(to: UnsafeMutablePointer<CChar>?.self)
        for (index, string) in strings.enumerated() { array[index] = strdup(string) }
        array[strings.count] = nil
        return array
    }
}

/// Tab's matches for the word before the cursor.
enum TabCompletion {
    /// What replaces `prefix` (nil: no match) and the matches. One match is completed; several
    /// are completed to what they share. Keywords keep the case the user typed them in.
    static func complete(_ prefix: String, from words: [String]) -> (String?, [String]) {
        guard !prefix.isEmpty else { return (nil, []) }
        let lowered = prefix.lowercased()
        var seen = Set<String>()
        let matches = words.filter {
            $0.lowercased().hasPrefix(lowered) && $0.count > prefix.count && seen.insert($0).inserted
        }
        guard let first = matches.first else { return (nil, []) }
        let keepLowercase = prefix == lowered && first == first.uppercased()
        var shared = Array(keepLowercase ? first.lowercased() : first)
        for match in matches.dropFirst() {
            let candidate = Array(keepLowercase ? match.lowercased() : match)
            var length = 0
            while length < min(shared.count, candidate.count),
                String(shared[length]).lowercased() == String(candidate[length]).lowercased()
            { length += 1 }
            shared = Array(shared.prefix(length))
        }
        return (prefix + String(shared.dropFirst(prefix.count)), matches)
    }
}
