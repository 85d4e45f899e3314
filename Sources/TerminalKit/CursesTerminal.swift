import CCurses
import Foundation

/// The real terminal, through ncurses: raw keys, the screen drawn from a `CellGrid` by
/// writing only the cells that changed since the last frame. `NO_COLOR` turns colours off
/// (bold and reverse stay). `end()` restores the terminal; call it on every way out.
public final class CursesTerminal {
    private var previous: CellGrid?
    private let colors: Bool
    private var pairs: [Int: Int16] = [:]
    private var ended = false
    /// Bytes the last `draw` wrote (changed cells only), for the rendering benchmark.
    public private(set) var cellsWritten = 0

    public init() {
        setlocale(LC_ALL, "")
        CrashRestore.install()
        initscr()
        raw()
        noecho()
        nonl()
        keypad(weir_standard_screen(), true)
        mousemask(weir_wheel_up() | weir_wheel_down() | weir_button1_pressed(), nil)
        // A press is a click at once: no wait to tell it from a double click.
        mouseinterval(0)
        set_escdelay(25)
        curs_set(1)
        colors = ProcessInfo.processInfo.environment["NO_COLOR"] == nil && has_colors()
        if colors {
            start_color()
            use_default_colors()
        }
    }

    deinit { end() }

    /// Restores the terminal (idempotent).
    public func end() {
        guard !ended else { return }
        ended = true
        endwin()
        CrashRestore.uninstall()
    }

    public var size: (width: Int, height: Int) { (Int(weir_curses_columns()), Int(weir_curses_lines())) }

    /// Draws the cells that differ from the last frame, then puts the cursor at `cursor`.
    public func draw(_ grid: CellGrid, cursor: (x: Int, y: Int)?) {
        let changed = grid.changes(since: previous)
        if previous == nil || previous!.width != grid.width || previous!.height != grid.height { clear() }
        for index in changed {
            let cell = grid.cells[index]
            if cell.text.isEmpty { continue } // the right half of a wide character
            let x = index % grid.width, y = index / grid.width
            attrset(Int32(bitPattern: attributes(cell.style)))
            _ = mvaddstr(Int32(y), Int32(x), cell.text)
        }
        attrset(0)
        cellsWritten = changed.count
        if let cursor {
            curs_set(1)
            move(Int32(cursor.y), Int32(cursor.x))
        } else {
            curs_set(0)
        }
        refresh()
        previous = grid
    }

    /// Forget the last frame: the next `draw` writes everything (after a resize).
    public func invalidate() { previous = nil }

    private func attributes(_ style: Style) -> UInt32 {
        var value: UInt32 = 0
        if style.bold { value |= weir_attribute_bold() }
        if style.reverse { value |= weir_attribute_reverse() }
        if style.dim { value |= weir_attribute_dim() }
        if style.underline { value |= weir_attribute_underline() }
        if colors, style.foreground != .standard || style.background != .standard {
            value |= weir_color_pair(pair(style.foreground, style.background))
        }
        return value
    }

    private func pair(_ foreground: Color, _ background: Color) -> Int16 {
        let key = (foreground.rawValue + 1) * 16 + (background.rawValue + 1)
        if let known = pairs[key] { return known }
        let number = Int16(pairs.count + 1)
        init_pair(number, Int16(foreground.rawValue), Int16(background.rawValue))
        pairs[key] = number
        return number
    }

    /// The next key, waiting at most `timeoutMs` (nil: none came).
    public func readKey(timeoutMs: Int) -> Key? {
        timeout(Int32(timeoutMs))
        var character: wint_t = 0
        let kind = get_wch(&character)
        if kind == ERR { return nil }
        if kind == KEY_CODE_YES {
            switch Int32(character) {
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_HOME: return .home
            case KEY_END: return .end
            case KEY_PPAGE: return .pageUp
            case KEY_NPAGE: return .pageDown
            case KEY_BACKSPACE: return .backspace
            case KEY_DC: return .delete
            case KEY_BTAB: return .backTab
            case KEY_ENTER: return .enter
            case KEY_RESIZE: return .resize
            case KEY_MOUSE:
                var event = MEVENT()
                guard getmouse(&event) == OK else { return nil }
                if event.bstate & weir_wheel_up() != 0 { return .wheelUp }
                if event.bstate & weir_wheel_down() != 0 { return .wheelDown }
                if event.bstate & weir_button1_pressed() != 0 { return .click(x: Int(event.x), y: Int(event.y)) }
                return nil
            default:
                let functionBase = KEY_F0
                if Int32(character) > functionBase, Int32(character) <= functionBase + 12 {
                    return .function(Int(Int32(character) - functionBase))
                }
                return nil
            }
        }
        guard let scalar = Unicode.Scalar(UInt32(character)) else { return nil }
        switch scalar.value {
        case 0x0D, 0x0A: return .enter
        case 0x09: return .tab
        case 0x7F, 0x08: return .backspace
        case 0x1B: return .escape
        case 0x01...0x1A: return .control(Character(Unicode.Scalar(scalar.value + 0x60)!))
        default: return .character(Character(scalar))
        }
    }
}

/// A crash (a trap, a bad access, an abort) while curses owns the terminal would leave it raw,
/// without echo and on the alternate screen. Before the process dies, these handlers put
/// back the modes saved before curses started and leave the alternate screen, using only
/// calls a signal handler may make (tcsetattr, write); then the handler that was there before
/// (Swift's backtracer, which prints where it crashed) gets the signal.
enum CrashRestore {
    nonisolated(unsafe) static var saved = termios()
    nonisolated(unsafe) static var installed = false
    nonisolated(unsafe) static var previous: [Int32: sigaction] = [:]
    static let signals: [Int32] = [SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP]

    static func install() {
        guard isatty(STDIN_FILENO) == 1, tcgetattr(STDIN_FILENO, &saved) == 0 else { return }
        for signal in signals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { number in
                if CrashRestore.installed {
                    _ = tcsetattr(STDIN_FILENO, TCSANOW, &CrashRestore.saved)
                    // Leave the alternate screen, show the cursor, reset attributes.
                    let reset: StaticString = "\u{1b}[?1049l\u{1b}[?25h\u{1b}[0m\r\n"
                    _ = write(STDOUT_FILENO, reset.utf8Start, reset.utf8CodeUnitCount)
                }
                // The handler from before (read-only here: the table was filled before any signal).
                if var earlier = CrashRestore.previous[number] {
                    sigaction(number, &earlier, nil)
                } else {
                    Foundation.signal(number, SIG_DFL)
                }
                raise(number)
            }
            var earlier = sigaction()
            sigaction(signal, &action, &earlier)
            previous[signal] = earlier
        }
        installed = true
    }

    static func uninstall() {
        guard installed else { return }
        installed = false
        for (signal, earlier) in previous {
            var action = earlier
            sigaction(signal, &action, nil)
        }
    }
}
