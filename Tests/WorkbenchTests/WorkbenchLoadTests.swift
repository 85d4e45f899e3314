import Foundation
import Testing
import WeirTestSupport

/// The workbench as a user exploring a big topic meets it, in a real terminal (tmux) with the
/// real binary: a `SELECT *` over two million events flows to the end in bounded memory and
/// answers keys meanwhile; every live view rides out a broker killed and started again.
@Suite(.serialized, .loadSensitive, .timeLimit(.minutes(6))) struct WorkbenchLoadTests {
    static let paymentTable = """
        CREATE TABLE payment_msg (createTime STRING, rt AS TO_TIMESTAMP(createTime), orderId BIGINT, payAmount DOUBLE, \
        payPlatform INT, provinceId INT, WATERMARK FOR rt AS rt - INTERVAL '2' SECOND) WITH ('connector' = 'kafka', \
        'topic' = 'payment_msg', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset');
        """

    /// Starts the workbench on `broker` in tmux with the payments table declared; its process
    /// id is written to `folder/pid` (the shell execs weir).
    func startWorkbench(_ tmux: Tmux, broker: WeirBrokerProcess, width: Int = 120, height: Int = 35) throws -> pid_t {
        let folder = tmux.folder
        try Self.paymentTable.write(toFile: folder + "/init.sql", atomically: true, encoding: .utf8)
        try tmux.start(
            width, height,
            "echo $$ > \(folder)/pid; exec \(try weirBinary().path) --bootstrap \(broker.bootstrap) -i \(folder)/init.sql --data \(folder)/data"
        )
        #expect(try tmux.waitFor(seconds: 20) { $0.contains("Execute statement succeeded") }, "\(tmux.shown)")
        return try #require(
            pid_t(
                String(contentsOfFile: folder + "/pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            ))
    }

    /// Waits until `payment_msg` holds `count` messages (`weir consume` ends when it has printed them).
    /// Tried again while the topic is not there yet (the demo makes it with its first message).
    func waitForMessages(_ count: Int, on broker: WeirBrokerProcess, topic: String = "payment_msg") async throws {
        let deadline = Date().addingTimeInterval(30)
        var consumed: ChildProcess.Result
        repeat {
            consumed = try await ChildProcess.run(
                try weirBinary().path,
                [
                    "consume", topic, "--from", "beginning", "--count", "\(count)",
                    "--bootstrap", broker.bootstrap,
                ], timeoutSeconds: 30)
        } while consumed.status != 0 && consumed.error.contains("unknown topic") && Date() < deadline
        #expect(consumed.status == 0, "\(consumed.error)")
    }

    /// The process's peak resident memory (VmHWM), in megabytes.
    func peakMegabytes(_ pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return nil }
        return Int(line.split(separator: " ").dropFirst().first ?? "").map { $0 / 1024 }
    }

    @Test func aSelectOverTwoMillionEventsReadsToTheEndInBoundedMemory() async throws {
        let broker = try WeirBrokerProcess()
        let produced = try await ChildProcess.run(
            try weirBinary().path,
            ["demo", "payments", "--rate", "0", "--count", "2000000", "--bootstrap", broker.bootstrap],
            timeoutSeconds: 180)
        #expect(produced.status == 0, "\(produced.error)")
        let tmux = try Tmux()
        let pid = try startWorkbench(tmux, broker: broker)
        try tmux.type("SELECT * FROM payment_msg;")
        try tmux.press("Enter")
        // While it streams, typed keys show at once (the query waits for the screen, not the reverse).
        #expect(
            try tmux.waitFor(seconds: 30) {
                $0.range(of: #"[0-9,]+ rows, the newest 100,000 kept, running"#, options: .regularExpression) != nil
            },
            "\(tmux.shown)")
        try tmux.type("-- typed while it streams")
        #expect(try tmux.waitFor(seconds: 3) { $0.contains("> -- typed while it streams") }, "\(tmux.shown)")
        try tmux.press("C-u")
        // Every event arrives; the title counts them all and says how many are kept.
        #expect(
            try tmux.waitFor(seconds: 120) { $0.contains("2,000,000 rows, the newest 100,000 kept, running") },
            "\(tmux.shown)")
        #expect(try tmux.waitFor(seconds: 10) { $0.contains("all read: waiting for new records") }, "\(tmux.shown)")
        let peak = try #require(peakMegabytes(pid))
        #expect(peak <= 600, "peak memory \(peak) MB")

        // Scrolled back to the oldest row kept, the pane says older ones are gone.
        try tmux.press("Tab")
        try tmux.press("Home")
        #expect(try tmux.waitFor(seconds: 5) { $0.contains("1,900,000 earlier rows are not kept") }, "\(tmux.shown)")
        try tmux.press("Tab")
        try tmux.press("Escape")
        #expect(
            try tmux.waitFor(seconds: 5) { $0.contains("the newest 100,000 kept, stopped") && $0.contains("│ ready") },
            "\(tmux.shown)")

        // \export writes every row, not only those kept.
        let exported = tmux.folder + "/all.csv"
        try tmux.type("\\export \(exported)")
        try tmux.press("Enter")
        #expect(try tmux.waitFor(seconds: 120) { $0.contains("exported 2000000 rows") }, "\(tmux.shown)")
        // Counted as bytes (a debug build splitting two million lines into strings takes long).
        let bytes = try Data(contentsOf: URL(fileURLWithPath: exported))
        #expect(bytes.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } == 2_000_001)
        let header = String(decoding: bytes.prefix { $0 != 0x0A }, as: UTF8.self)
        #expect(header == "createTime,rt,orderId,payAmount,payPlatform,provinceId")

        let started = Date()
        try tmux.type("\\quit")
        try tmux.press("Enter")
        waitUntil(timeout: .seconds(2)) { hasEnded(pid) }
        #expect(hasEnded(pid), "weir quit")
        #expect(Date().timeIntervalSince(started) < 3, "\\quit took \(Date().timeIntervalSince(started)) s")
    }

    @Test func aBrokerRestartIsRiddenOutByTheQueryTheTailAndTheCatalog() async throws {
        let broker = try WeirBrokerProcess()
        let demo = Process()
        demo.executableURL = try weirBinary()
        demo.arguments = ["demo", "payments", "--rate", "50", "--bootstrap", broker.bootstrap]
        let demoErrors = Pipe()
        demo.standardError = demoErrors
        demo.standardOutput = FileHandle.nullDevice
        try demo.run()
        defer { if demo.isRunning { kill(demo.processIdentifier, SIGKILL) } }

        try await waitForMessages(5, on: broker)
        let tmux = try Tmux()
        _ = try startWorkbench(tmux, broker: broker, height: 40)
        try tmux.type("\\tail payment_msg beginning")
        try tmux.press("Enter")
        try tmux.type(
            "SELECT provinceId, COUNT(*) AS n FROM payment_msg GROUP BY TUMBLE(rt, INTERVAL '1' SECOND), provinceId;")
        try tmux.press("Enter")
        #expect(
            try tmux.waitFor(seconds: 30) { $0.contains("Topic payment_msg") && Self.resultRows($0) ?? 0 > 0 },
            "\(tmux.shown)")

        broker.kill(signal: SIGKILL)
        #expect(try tmux.waitFor(seconds: 30) { $0.contains("unreachable, retrying") }, "the status bar: \(tmux.shown)")
        #expect(
            try tmux.waitFor(seconds: 30) { $0.contains("messages, broker unreachable: retrying") },
            "the topic pane: \(tmux.shown)")
        let rowsWhileDown = Self.resultRows(try tmux.screen()) ?? 0
        let messagesWhileDown = Self.tailMessages(try tmux.screen()) ?? 0

        try broker.start()
        #expect(
            try tmux.waitFor(seconds: 30) { $0.contains("answers again") && !$0.contains("unreachable, retrying") },
            "\(tmux.shown)")
        #expect(
            try tmux.waitFor(seconds: 30) {
                $0.contains("Topic payment_msg") && !$0.contains("broker unreachable: retrying")
            }, "\(tmux.shown)")
        // Both go on from where they were: more windows, more tailed records.
        #expect(
            try tmux.waitFor(seconds: 30) {
                (Self.resultRows($0) ?? 0) > rowsWhileDown && (Self.tailMessages($0) ?? 0) > messagesWhileDown
            },
            "\(tmux.shown)")
        #expect(try tmux.screen().contains("running"), "\(tmux.shown)")

        // The demo went on too, and stops at once when asked.
        kill(demo.processIdentifier, SIGINT)
        waitUntil(timeout: .seconds(5)) { !demo.isRunning }
        #expect(!demo.isRunning, "the demo stops on Ctrl-C")
        try tmux.press("Escape")
        try tmux.type("\\quit")
        try tmux.press("Enter")
    }

    /// `weir demo` stopped while its broker is down: it stops within two seconds and says how
    /// many messages did not arrive.
    @Test func aDemoStoppedWhileItsBrokerIsDownSaysWhatWasNotDelivered() async throws {
        let broker = try WeirBrokerProcess()
        let demo = Process()
        demo.executableURL = try weirBinary()
        demo.arguments = ["demo", "payments", "--rate", "50", "--bootstrap", broker.bootstrap]
        let errors = Pipe()
        demo.standardError = errors
        demo.standardOutput = FileHandle.nullDevice
        try demo.run()
        defer { if demo.isRunning { kill(demo.processIdentifier, SIGKILL) } }
        // Some messages out, then the broker gone while it goes on queueing.
        try await waitForMessages(20, on: broker)
        broker.kill(signal: SIGKILL)
        usleep(500_000)
        let asked = Date()
        kill(demo.processIdentifier, SIGTERM)
        waitUntil(timeout: .seconds(10)) { !demo.isRunning }
        let took = Date().timeIntervalSince(asked)
        #expect(!demo.isRunning)
        #expect(took < 3, "stopping took \(took) s (the final wait is 1.5 s)")
        #expect(demo.terminationStatus != 0, "not every message arrived: not a success")
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(
            said.range(of: #"[1-9][0-9]* messages were not delivered"#, options: .regularExpression) != nil, "\(said)")
    }

    /// `weir produce` fed by hand: each line goes out as it is typed, and Ctrl-C with the broker
    /// gone ends it within two seconds, saying what was written and what was not.
    @Test func produceSendsLinesAsTypedAndStopsWhileItsBrokerIsDown() async throws {
        let broker = try WeirBrokerProcess()
        let produce = Process()
        produce.executableURL = try weirBinary()
        produce.arguments = ["produce", "typed", "--bootstrap", broker.bootstrap]
        let input = Pipe(), errors = Pipe()
        produce.standardInput = input
        produce.standardError = errors
        produce.standardOutput = FileHandle.nullDevice
        try produce.run()
        defer { if produce.isRunning { kill(produce.processIdentifier, SIGKILL) } }
        // Three lines, standard input left open: they arrive without waiting for its end.
        input.fileHandleForWriting.write(Data("one\ntwo\nthree\n".utf8))
        try await waitForMessages(3, on: broker, topic: "typed")
        broker.kill(signal: SIGKILL)
        input.fileHandleForWriting.write(Data("four\nfive\n".utf8))
        usleep(300_000)
        let asked = Date()
        kill(produce.processIdentifier, SIGINT)
        waitUntil(timeout: .seconds(10)) { !produce.isRunning }
        let took = Date().timeIntervalSince(asked)
        #expect(!produce.isRunning)
        #expect(took < 3, "stopping took \(took) s (the final wait is 1.5 s)")
        #expect(produce.terminationStatus == 1, "two lines did not arrive: not a success")
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(said.contains("stopped: 3 messages written, 2 not delivered"), "\(said)")
    }

    /// The results title's count ("1,234 rows" or "2,000,000 rows, the newest 100,000 kept").
    static func resultRows(_ screen: String) -> Int? {
        guard let match = screen.firstMatch(of: /view, ([0-9,]+) rows?/) else { return nil }
        return Int(match.1.replacingOccurrences(of: ",", with: ""))
    }

    static func tailMessages(_ screen: String) -> Int? {
        guard let match = screen.firstMatch(of: /Topic payment_msg — ([0-9]+) messages/) else { return nil }
        return Int(match.1)
    }
}
