import Foundation
import StreamSQL
import TerminalKit
import Testing
import WeirTestSupport

@testable import Workbench

/// `\replay` in the workbench: the last query again, one event per F8, ending with the rows of
/// the normal run; the status bar tells where the replay is.
@Suite struct ReplayScreenTests {
    let screens = WorkbenchScreenTests()

    @Test func steppingWithF8GivesTheRowsOfTheNormalRun() throws {
        let lines = (0..<12).map {
            #"{"k":"\#(["a", "b", "c"][$0 % 3])","ts":"2024-01-01 00:00:\#(String(format: "%02d", $0 * 2))"}"#
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "weir-replay-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("clicks.json").path
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let workbench = Workbench(engine: Engine())
        screens.type(
            workbench,
            "CREATE TABLE clicks (k STRING, ts STRING, rt AS TO_TIMESTAMP(ts), WATERMARK FOR rt AS rt) WITH ('connector' = 'filesystem', 'path' = '\(path)', 'format' = 'json');\r"
        )
        screens.type(
            workbench,
            "SELECT k, COUNT(*) AS n, window_start FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(rt), INTERVAL '5' SECOND)) GROUP BY k, window_start, window_end;\r"
        )
        let normal = workbench.model.results.rowsText
        #expect(normal.count == 12)

        for key in KeyDecoder.keys("\\replay step\r") { workbench.handle(key) }
        workbench.drainInbox()
        #expect(workbench.model.running && workbench.model.replay?.state.pace == .step)
        // Five events: the first window [0 s, 5 s) is not closed until an event of 6 s or later.
        for _ in 0..<3 { workbench.handle(.function(8)) }
        waitUntil(timeout: .seconds(5)) { workbench.model.replay?.state.released ?? 0 >= 3 }
        workbench.drainInbox()
        #expect(workbench.model.results.rows.isEmpty, "no window has closed after three events")
        // The timeline shows the events let through, not those the file source read ahead.
        for key in KeyDecoder.keys("\\timeline\r") { workbench.handle(key) }
        workbench.drainInbox()
        #expect(workbench.model.timeline.snapshot?.events.map(\.offset) == [0, 1, 2])
        #expect(workbench.model.timeline.snapshot?.splits.map(\.name) == ["clicks.json"])
        let status =
            WorkbenchView.render(workbench.model, width: 100, height: 30).grid.text.split(separator: "\n").last ?? ""
        #expect(status.contains("replay stepping, 3 events"))
        for key in KeyDecoder.keys(String(repeating: "\u{1b}[19~", count: lines.count - 3)) { workbench.handle(key) }
        workbench.settle()
        #expect(!workbench.model.running && workbench.model.replay == nil)
        #expect(workbench.model.results.rowsText == normal)
    }

    @Test func badRequestsAreExplained() {
        #expect(throws: ReplayRequest.Failure.self) { try ReplayRequest(["fast"]) }
        #expect(throws: ReplayRequest.Failure.self) { try ReplayRequest(["offsets", "9-3"]) }
        #expect(throws: ReplayRequest.Failure.self) {
            try ReplayRequest(["from", "2024-01-01T00:00:09", "to", "2024-01-01T00:00:01"])
        }
        let request = try? ReplayRequest(["1x", "from", "2024-01-01T00:00:05", "offsets", "10-20"])
        #expect(request?.pace == .speed(1) && request?.offsetRange == 10..<20)
        #expect(request?.description == "at 1× event time from 00:00:05.000, offsets 10 to 19")
        let workbench = Workbench(engine: Engine())
        for key in KeyDecoder.keys("\\replay\r") { workbench.handle(key) }
        #expect(workbench.model.messages.last == "\\replay reruns the last query: run one first")
    }
}

/// A replay of a query over a Kafka table reads the topic as it is now, whatever the table's
/// startup mode: here offsets 2 to 5 of a topic the table would read from its end.
/// (Five minutes: the limit counts the wait for the load-sensitive slot.)
@Suite(.serialized, .loadSensitive, .timeLimit(.minutes(5))) struct KafkaReplayTests {
    @Test func anOffsetRangeOfATopicIsReplayedToItsEnd() throws {
        let broker = try WeirBrokerProcess()
        let producer = Process()
        producer.executableURL = try weirBinary()
        producer.arguments = ["produce", "clicks", "--bootstrap", broker.bootstrap]
        let input = Pipe()
        producer.standardInput = input
        producer.standardOutput = FileHandle.nullDevice
        try producer.run()
        let lines = (0..<10).map { #"{"n":\#($0),"ts":"2024-01-01 00:00:0\#($0)"}"# }
        input.fileHandleForWriting.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        try input.fileHandleForWriting.close()
        producer.waitUntilExit()
        #expect(producer.terminationStatus == 0)

        let workbench = Workbench(engine: Engine())
        let screens = WorkbenchScreenTests()
        screens.type(
            workbench,
            """
            CREATE TABLE clicks (n INT, ts STRING, rt AS TO_TIMESTAMP(ts), WATERMARK FOR rt AS rt) WITH ('connector' = 'kafka', 'topic' = 'clicks', \
            'properties.bootstrap.servers' = '\(broker.bootstrap)', 'scan.startup.mode' = 'latest-offset', 'format' = 'json');\r
            """)
        // Read from the end, the query waits for new records; the replay reads offsets 2 to 5 and ends.
        for key in KeyDecoder.keys("SELECT n FROM clicks;\r\\replay 1000x offsets 2-6\r") { workbench.handle(key) }
        workbench.settle(timeout: 60)
        #expect(!workbench.model.running)
        #expect(workbench.model.results.rowsText == [["2"], ["3"], ["4"], ["5"]])
    }
}
