import Foundation
import KafkaClient
import SQLRuntime
import SQLSyntax
import SQLValues
import StreamSQL
import Synchronization
import Testing
import WeirTestSupport

/// Replays: a query run again paced by event time, or stepped one row at a time. Stepping
/// through a query gives the rows a normal run gives; nothing passes until stepped; a time
/// range keeps only its rows.
@Suite struct ReplayTests {
    /// Forty events over 20 s of event time, on two keys, some out of order and one late.
    static let events: [String] =
        (0..<40).map { index in
            let second = index / 2 + (index % 7 == 3 ? -2 : 0)
            return
                #"{"k":"\#(index % 2 == 0 ? "a" : "b")","v":\#(index),"ts":"2024-01-01 00:00:\#(String(format: "%02d", max(0, second)))"}"#
        } + [#"{"k":"a","v":100,"ts":"2024-01-01 00:00:01"}"#]

    static func script(_ path: String) -> String {
        """
        CREATE TABLE events (k STRING, v INT, ts STRING, rt AS TO_TIMESTAMP(ts), WATERMARK FOR rt AS rt - INTERVAL '1' SECOND)
          WITH ('connector' = 'filesystem', 'path' = '\(path)', 'format' = 'json');
        SELECT k, COUNT(*) AS n, SUM(v) AS total, window_start FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(rt), INTERVAL '5' SECOND))
          GROUP BY k, window_start, window_end;
        """
    }

    /// Runs the script with `replay` on a thread of its own; returns the collector once done.
    func replayed(_ replay: ReplayControl, path: String, driving: (ReplayControl) -> Void) throws -> Collector {
        let collector = Collector()
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var failure: SQLError?
        let script = Self.script(path)
        Thread.detachNewThread {
            do throws(SQLError) { try Engine().execute(script: script, writer: collector, replay: replay) } catch {
                failure = error
            }
            done.signal()
        }
        driving(replay)
        #expect(done.wait(timeout: .now() + 60) == .success, "the replay ends")
        if let failure { throw failure }
        return collector
    }

    /// A replay of a topic of three partitions lets their records through side by side, as
    /// they were written: stepping through the first seconds of every partition moves the
    /// combined watermark and fires the first window — not the whole of partition 0 first.
    @Test func aTopicsPartitionsAreReplayedSideBySide() async throws {
        let broker = try WeirBrokerProcess()
        let cluster = try KafkaCluster(config: ClientConfig(["bootstrap.servers": broker.bootstrap, "linger.ms": "0"]))
        try await KafkaAdmin(cluster: cluster).createTopic("clicks", partitions: 3)
        let producer = try KafkaProducer(cluster: cluster)
        for second in 0..<30 {
            for partition in Int32(0)..<3 {
                let value = #"{"k":"p\#(partition)","ts":"2024-01-01 00:00:\#(String(format: "%02d", second))"}"#
                _ = try await producer.send(
                    ProducerRecord(topic: "clicks", value: Array(value.utf8), partition: partition))
            }
        }
        await cluster.close()
        let script = """
            CREATE TABLE clicks (k STRING, ts STRING, rt AS TO_TIMESTAMP(ts), WATERMARK FOR rt AS rt)
              WITH ('connector' = 'kafka', 'topic' = 'clicks', 'properties.bootstrap.servers' = '\(broker.bootstrap)',
                    'format' = 'json', 'scan.startup.mode' = 'earliest-offset');
            SELECT window_start, COUNT(*) AS n FROM TABLE(TUMBLE(TABLE clicks, DESCRIPTOR(rt), INTERVAL '5' SECOND))
              GROUP BY window_start, window_end;
            """
        let control = ReplayControl(pace: .step)
        let collector = Collector()
        let engine = Engine()
        let stop = StopSignal()
        let done = Mutex(false)
        Thread.detachNewThread {
            try? engine.execute(script: script, writer: collector, stop: stop, replay: control)
            done.withLock { $0 = true }
        }
        // Waits suspend rather than block: the query's Kafka client needs Swift's few pool threads.
        // Thirty records: ten seconds of every partition when they go side by side (all of
        // partition 0, and no watermark from the others, when not).
        #expect(await waitUntil(timeout: .seconds(20)) { () async in control.state.holding })
        control.step(30)
        #expect(
            await waitUntil(timeout: .seconds(20)) { () async in
                control.state.released == 30 && control.state.holding
            })
        let fired = collector.rows.map { $0.map { ValueFormatter.plain($0) } }
        stop.request()
        #expect(await waitUntil(timeout: .seconds(20)) { () async in done.withLock { $0 } })
        #expect(fired.first == ["2024-01-01 00:00:00", "15"], "\(fired)")
    }

    @Test func steppingGivesTheRowsOfANormalRun() throws {
        let path = temporaryFile("events.json", Self.events)
        let normal = try run(Self.script(path))
        #expect(normal.rows.count >= 8 && normal.statistics["late rows dropped"] == 1)
        let stepped = try replayed(ReplayControl(pace: .step), path: path) { control in
            // Nothing passes before a step: the first row waits at the gate.
            waitUntil(timeout: .seconds(5)) { control.state.holding }
            #expect(control.state.released == 0)
            control.step(5)
            waitUntil(timeout: .seconds(2)) { control.state.released >= 5 }
            #expect(control.state.released == 5)
            // Then one at a time to the end.
            while control.state.released < Int64(Self.events.count) {
                let released = control.state.released
                control.step()
                waitUntil(timeout: .seconds(2), poll: .milliseconds(1)) { control.state.released > released }
            }
        }
        #expect(stepped.lines == normal.lines)
        #expect(stepped.statistics["late rows dropped"] == 1)
    }

    @Test func pacedByEventTime() throws {
        let path = temporaryFile("events.json", Self.events)
        let normal = try run(Self.script(path))
        let started = Date()
        // 20 s of event time at 100×: at least a fifth of a second.
        let paced = try replayed(ReplayControl(pace: .speed(100)), path: path) { _ in }
        #expect(Date().timeIntervalSince(started) >= 0.18)
        #expect(paced.lines == normal.lines)
    }

    @Test func pausedUntilResumed() throws {
        let path = temporaryFile("events.json", Self.events)
        let control = ReplayControl(pace: .speed(1000))
        control.pause()
        let collector = try replayed(control, path: path) { control in
            waitUntil(timeout: .seconds(5)) { control.state.holding }
            #expect(control.state.released == 0 && control.state.paused)
            control.step()
            waitUntil(timeout: .seconds(2)) { control.state.released >= 1 }
            #expect(control.state.released == 1, "a step while paused lets one row through")
            control.resume()
        }
        #expect(collector.rows.count >= 8)
    }

    @Test func aTimeRangeKeepsOnlyItsRows() throws {
        let path = temporaryFile("events.json", Self.events)
        let day = Int64(19_723) * 86_400_000_000 // 2024-01-01
        let control = ReplayControl(pace: .speed(1_000_000), timeRange: (day + 5_000_000)..<(day + 10_000_000))
        let collector = try replayed(control, path: path) { _ in }
        #expect(Set(collector.lines.map { $0.split(separator: "|")[3] }) == ["2024-01-01 00:00:05.000"])
        #expect(collector.statistics["rows outside the replayed range"] ?? 0 > 0)
    }
}
