import Foundation
import Testing
import WeirTestSupport

/// `weir` as a person runs it, in a real terminal (tmux): the embedded broker starts, a
/// windowed query over a topic fills the results pane, the screen survives a resize to
/// 80×24, and quitting leaves the terminal as it was.
@Suite(.serialized, .loadSensitive, .timeLimit(.minutes(5))) struct WorkbenchTmuxTests {
    @Test func paymentsWindowsLiveResizeAndARestoredTerminal() async throws {
        let weir = try weirBinary().path
        let tmux = try Tmux()
        let folder = tmux.folder
        let shell =
            "stty -a > \(folder)/before; \(weir) --data \(folder)/data; echo $? > \(folder)/exit; stty -a > \(folder)/after.partial; mv \(folder)/after.partial \(folder)/after; sleep 60"
        try tmux.start(100, 30, shell)
        #expect(try tmux.waitFor(seconds: 20) { $0.contains("broker 127.0.0.1:") }, "\(tmux.shown)")
        // Seed 001's events into the embedded broker, and the topic followed in its pane.
        try tmux.type("\\demo payments 100")
        try tmux.press("Enter")
        try tmux.type("\\tail payment_msg beginning")
        try tmux.press("Enter")
        #expect(
            try tmux.waitFor(seconds: 15) { $0.contains("Topic payment_msg") && $0.contains("\"createTime\"") },
            "\(tmux.shown)")
        // Tab to the topic pane (past the results), Up picks the newest record, Enter shows it whole.
        for key in ["Tab", "Tab"] { try tmux.press(key) }
        #expect(try tmux.waitFor(seconds: 10) { $0.contains("(↑↓ pick, / search") }, "\(tmux.shown)")
        for key in ["Up", "Enter"] { try tmux.press(key) }
        #expect(
            try tmux.waitFor(seconds: 10) { $0.contains("Record p") && $0.contains("  \"createTime\": ") },
            "\(tmux.shown)")
        try tmux.press("Escape")
        #expect(
            try tmux.waitFor(seconds: 5) { !$0.contains("Record p") && $0.contains("End follows") }, "\(tmux.shown)")
        try tmux.press("Escape")
        #expect(try tmux.waitFor(seconds: 5) { $0.contains("p pause)") }, "\(tmux.shown)")
        // On past the catalog, back to the input.
        try tmux.press("Tab")
        #expect(try tmux.waitFor(seconds: 5) { $0.contains("Catalog (↑↓ pick)") }, "\(tmux.shown)")
        try tmux.press("Tab")
        #expect(try tmux.waitFor(seconds: 5) { !$0.contains("Catalog (↑↓ pick)") }, "\(tmux.shown)")

        // The table, inferred from the topic's records into the input, then run as it is.
        try tmux.type("\\infer payment_msg")
        try tmux.press("Enter")
        #expect(
            try tmux.waitFor(seconds: 10) { $0.contains("is in the input") && $0.contains("earliest-offset") },
            "\(tmux.shown)")
        try tmux.press("Enter")
        #expect(
            try tmux.waitFor(seconds: 10) { $0.contains("payment_msg") && $0.contains("Execute statement succeeded") },
            "\(tmux.shown)")
        try tmux.type(
            "SELECT provinceId, SUM(payAmount) AS pay, TUMBLE_START(rt, INTERVAL '5' SECOND) AS ws FROM payment_msg GROUP BY TUMBLE(rt, INTERVAL '5' SECOND), provinceId;"
        )
        try tmux.press("Enter")
        // Windows close as the watermark passes them: rows appear within seconds.
        let filled = try tmux.waitFor(seconds: 60) { screen in
            screen.split(separator: "\n").filter {
                // Numbers right-aligned under their headers, DOUBLEs written out in full.
                $0.range(of: #"│ *[0-6] +[0-9.]+ +20\d\d-"#, options: .regularExpression) != nil
            }.count >= 7
        }
        #expect(filled, "\(tmux.shown)")
        // Running — or, on a loaded machine where the demo's events come slowly, waiting for the watermark.
        #expect(
            try tmux.waitFor(seconds: 10) {
                ($0.contains("│ running") && $0.contains("(Esc stops)")) || $0.contains("│ waiting: ")
            }, "\(tmux.shown)")

        // 80×24: every line fits, the input and the status bar are still there.
        try tmux.run(["resize-window", "-t", tmux.session, "-x", "80", "-y", "24"])
        #expect(
            try tmux.waitFor(seconds: 5) { screen in
                let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
                return lines.count >= 24 && screen.contains("F1 help") && screen.contains("┌─ SQL")
            }, "\(tmux.shown)")
        let narrow = try tmux.screen().split(separator: "\n")
        #expect(narrow.allSatisfy { $0.count <= 80 }, "\(narrow)")

        try tmux.press("Escape")
        #expect(try tmux.waitFor(seconds: 10) { $0.contains("│ ready") }, "\(tmux.shown)")
        try tmux.type("\\demo stop")
        try tmux.press("Enter")
        try tmux.press("C-d")
        let exitFile = folder + "/exit"
        waitUntil(timeout: .seconds(10), poll: .milliseconds(100)) { FileManager.default.fileExists(atPath: exitFile) }
        #expect(
            (try? String(contentsOfFile: exitFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                == "0")
        waitUntil(timeout: .seconds(5), poll: .milliseconds(100)) {
            FileManager.default.fileExists(atPath: folder + "/after")
        }
        // The modes (all but the first line, which has the size we changed) are as they were.
        let before = try String(contentsOfFile: folder + "/before", encoding: .utf8).split(separator: "\n").dropFirst()
        let after = try String(contentsOfFile: folder + "/after", encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(!before.isEmpty && Array(before) == Array(after), "the terminal's modes were not restored")
    }

    /// The guided lesson, as a student takes it: each step's input is ready, Enter runs it,
    /// and the lesson moves on when the demo, the table, the window's first rows, the
    /// timeline, a dropped late event and a stalled query have happened — and ends when the
    /// idle timeout has made the stalled windows fire.
    @Test func theTutorialsFirstSteps() async throws {
        let tmux = try Tmux()
        let folder = tmux.folder
        try tmux.start(100, 30, "\(try weirBinary().path) --data \(folder)/data; sleep 60")
        #expect(try tmux.waitFor(seconds: 20) { $0.contains("broker 127.0.0.1:") }, "\(tmux.shown)")
        try tmux.type("\\tutorial")
        try tmux.press("Enter")
        #expect(
            try tmux.waitFor(seconds: 5) { $0.contains("step 1 of 9") && $0.contains("> \\demo payments 20 3") },
            "\(tmux.shown)")
        try tmux.press("Enter")
        #expect(
            try tmux.waitFor(seconds: 10) { $0.contains("step 2 of 9") && $0.contains("WATERMARK FOR rt") },
            "\(tmux.shown)")
        try tmux.press("Enter")
        #expect(
            try tmux.waitFor(seconds: 10) { $0.contains("step 3 of 9") && $0.contains("SELECT window_start") },
            "\(tmux.shown)")
        try tmux.press("Enter")
        // The first window closes once the watermark (2 s behind) passes its end.
        #expect(
            try tmux.waitFor(seconds: 40) { $0.contains("step 4 of 9") && $0.contains("> \\timeline") }, "\(tmux.shown)"
        )
        try tmux.press("Enter")
        #expect(
            try tmux.waitFor(seconds: 10) {
                $0.contains("step 5 of 9") && $0.contains("Timeline — tumbling 5 s")
                    && $0.contains("> \\produce payment_msg:0")
            },
            "\(tmux.shown)")
        try tmux.press("Enter")
        #expect(try tmux.waitFor(seconds: 20) { $0.contains("step 6 of 9") && $0.contains("1 late") }, "\(tmux.shown)")
        try tmux.press("Enter") // \demo stop: done once the query is seen waiting
        #expect(try tmux.waitFor(seconds: 20) { $0.contains("step 7 of 9") }, "\(tmux.shown)")
        try tmux.press("Enter") // a payment 20 s ahead, to partition 0 only
        #expect(try tmux.waitFor(seconds: 10) { $0.contains("step 8 of 9") && $0.contains("> \\why") }, "\(tmux.shown)")
        try tmux.press("Enter")
        #expect(
            try tmux.waitFor(seconds: 10) { $0.contains("step 9 of 9") && $0.contains("ALTER TABLE payments SET") },
            "\(tmux.shown)")
        // The fix: \why's box closed, the running query stopped, the idle timeout set, the query
        // run again — and its windows fire.
        try tmux.press("Escape")
        #expect(try tmux.waitFor(seconds: 10) { !$0.contains("Why no output?") }, "\(tmux.shown)")
        try tmux.press("Escape")
        #expect(try tmux.waitFor(seconds: 10) { $0.contains("│ ready") }, "\(tmux.shown)")
        try tmux.press("Enter")
        #expect(try tmux.waitFor(seconds: 60) { $0.contains("Tutorial — done") }, "\(tmux.shown)")
        try tmux.press("Escape")
        #expect(try tmux.waitFor(seconds: 10) { $0.contains("│ ready") }, "\(tmux.shown)")
        try tmux.press("C-c")
        try tmux.press("C-d")
        #expect(try tmux.waitFor(seconds: 10) { !$0.contains("Tutorial — done") }, "weir quits: \(tmux.shown)")
    }

    /// `NO_COLOR` leaves attributes (reverse, bold) but no colour; the mouse wheel scrolls
    /// the results; SIGTERM (a `kill` from another terminal) ends the workbench with the
    /// terminal as it was, cursor shown.
    @Test func noColourMouseWheelAndSIGTERM() async throws {
        let tmux = try Tmux()
        let folder = tmux.folder
        let shell =
            "stty -a > \(folder)/before; NO_COLOR=1 \(try weirBinary().path) --data \(folder)/data; echo $? > \(folder)/exit; stty -a > \(folder)/after.partial; mv \(folder)/after.partial \(folder)/after; sleep 60"
        try tmux.start(100, 30, shell)
        #expect(try tmux.waitFor(seconds: 20) { $0.contains("broker 127.0.0.1:") }, "\(tmux.shown)")
        // Every SGR sequence on screen: attributes only.
        let styled = try tmux.run(["capture-pane", "-t", tmux.session, "-p", "-e"])
        let parameters = styled.matches(of: /\x1b\[([0-9;]*)m/).flatMap {
            $0.1.split(separator: ";").compactMap { Int($0) }
        }
        #expect(parameters.contains(7), "the status bar is reversed")
        // 39 and 49 are the terminal's own colours (no colour).
        let colours = parameters.filter { ((30...49).contains($0) && $0 != 39 && $0 != 49) || (90...107).contains($0) }
        #expect(colours.isEmpty, "colours under NO_COLOR: \(colours)")

        // The mouse wheel scrolls the results: xterm's wheel-up report, twice, is six rows up.
        try tmux.type(
            "CREATE TABLE n (x INT) WITH ('connector' = 'datagen', 'number-of-rows' = '100', 'fields.x.kind' = 'sequence', "
                + "'fields.x.start' = '1', 'fields.x.end' = '100');")
        try tmux.press("Enter")
        try tmux.type("SELECT x FROM n;")
        try tmux.press("Enter")
        #expect(try tmux.waitFor(seconds: 10) { $0.contains("100 rows, finished") }, "\(tmux.shown)")
        func firstRow() throws -> Int? {
            try tmux.screen().split(separator: "\n").dropFirst(2).first.flatMap {
                Int($0.dropFirst().drop { $0 == " " }.prefix { $0.isNumber })
            }
        }
        let newest = try #require(try firstRow())
        try tmux.type("\u{1b}[M`++\u{1b}[M`++")
        #expect(try tmux.waitFor(seconds: 5) { _ in (try? firstRow()) == newest - 6 }, "\(tmux.shown)")

        let terminate = Process()
        terminate.executableURL = URL(fileURLWithPath: "/usr/bin/pkill")
        // The shell's children: weir, not the shell that then checks the terminal.
        let shellProcess = try tmux.run(["display-message", "-t", tmux.session, "-p", "#{pane_pid}"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        terminate.arguments = ["-TERM", "-P", shellProcess]
        try terminate.run()
        terminate.waitUntilExit()
        waitUntil(timeout: .seconds(10), poll: .milliseconds(100)) {
            FileManager.default.fileExists(atPath: folder + "/after")
        }
        #expect(FileManager.default.fileExists(atPath: folder + "/after"), "weir ended on SIGTERM: \(tmux.shown)")
        // The modes: all but the first line (speed and size).
        let before = try String(contentsOfFile: folder + "/before", encoding: .utf8).split(separator: "\n").dropFirst()
        let after = try String(contentsOfFile: folder + "/after", encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(
            !before.isEmpty && Array(before) == Array(after),
            "the terminal's modes were not restored:\n\(before)\n\(after)")
        #expect(
            try tmux.run(["display-message", "-t", tmux.session, "-p", "#{cursor_flag}"]).trimmingCharacters(
                in: .whitespacesAndNewlines) == "1",
            "the cursor is shown again")
    }

    /// The input is GNU readline's and reads the user's inputrc (vi keys and a macro here).
    /// Then a crash (a SIGSEGV from outside) still leaves the terminal's modes as they were
    /// and the cursor shown: the handlers put them back before the process dies.
    @Test func inputrcBindingsThenACrashStillRestoresTheTerminal() async throws {
        let tmux = try Tmux()
        let folder = tmux.folder
        // Under `$if weir`, as a user scopes settings to one program.
        try "$if weir\nset editing-mode vi\nset keymap vi-insert\n\"\\C-t\": \"SELECT 40 + 2 AS answer;\"\n$endif\n"
            .write(toFile: folder + "/inputrc", atomically: true, encoding: .utf8)
        // Without Swift's backtracer (which would get the signal after Weir's handler and write
        // every thread's stack to the log, slowly in a debug build): the default, death.
        try tmux.start(
            100, 30,
            "stty -a > \(folder)/before; INPUTRC=\(folder)/inputrc SWIFT_BACKTRACE=enable=no \(try weirBinary().path) --data \(folder)/data; "
                + "echo $? > \(folder)/exit; stty -a > \(folder)/after.partial; mv \(folder)/after.partial \(folder)/after; sleep 60"
        )
        #expect(try tmux.waitFor(seconds: 20) { $0.contains("broker 127.0.0.1:") }, "\(tmux.shown)")
        #expect(try tmux.screen().contains("SQL [vi insert]"), "\(tmux.shown)")
        try tmux.press("C-t")
        #expect(
            try tmux.waitFor(seconds: 5) { $0.contains("> SELECT 40 + 2 AS answer;") },
            "the macro typed its text: \(tmux.shown)")
        try tmux.press("Escape")
        #expect(try tmux.waitFor(seconds: 5) { $0.contains("SQL [vi command]") }, "\(tmux.shown)")
        try tmux.press("Enter")
        #expect(
            try tmux.waitFor(seconds: 10) { $0.contains("1 row, finished") && $0.contains("│    42 ") }, "\(tmux.shown)"
        )
        let crash = Process()
        crash.executableURL = URL(fileURLWithPath: "/usr/bin/pkill")
        crash.arguments = [
            "-SEGV", "-P",
            try tmux.run(["display-message", "-t", tmux.session, "-p", "#{pane_pid}"]).trimmingCharacters(
                in: .whitespacesAndNewlines),
        ]
        try crash.run()
        crash.waitUntilExit()
        waitUntil(timeout: .seconds(10), poll: .milliseconds(100)) {
            FileManager.default.fileExists(atPath: folder + "/after")
        }
        let status = try String(contentsOfFile: folder + "/exit", encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines)
        #expect(status == "139", "weir died of the signal (128 + 11)")
        // The modes: all but the first line (speed and size).
        let before = try String(contentsOfFile: folder + "/before", encoding: .utf8).split(separator: "\n").dropFirst()
        let after = try String(contentsOfFile: folder + "/after", encoding: .utf8).split(separator: "\n").dropFirst()
        #expect(
            !before.isEmpty && Array(before) == Array(after),
            "the terminal's modes were not restored:\n\(before)\n\(after)")
        #expect(
            try tmux.run(["display-message", "-t", tmux.session, "-p", "#{cursor_flag}"]).trimmingCharacters(
                in: .whitespacesAndNewlines) == "1")
        #expect(
            try tmux.run(["display-message", "-t", tmux.session, "-p", "#{alternate_on}"]).trimmingCharacters(
                in: .whitespacesAndNewlines) == "0",
            "back from the alternate screen")
    }
}
