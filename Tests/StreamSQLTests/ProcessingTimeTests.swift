import Foundation
import SQLSyntax
import SQLValues
import StreamSQL
import Synchronization
import Testing

/// Processing time is the engine's clock: the current-time functions and windows over
/// PROCTIME() read it, so a test sets the time instead of waiting for it.
@Suite struct ProcessingTimeTests {
    @Test func currentTimeFunctionsReadTheEnginesClock() throws {
        let engine = Engine()
        // 2023-11-14 22:15:23.456 UTC.
        engine.catalog.clock = ProcessingClock { 1_700_000_123_456 }
        let result = try run(
            "SELECT CURRENT_TIMESTAMP, NOW(), PROCTIME(), CURRENT_DATE, CURRENT_TIME, UNIX_TIMESTAMP()", engine: engine)
        #expect(
            result.lines == [
                "2023-11-14 22:15:23.456|2023-11-14 22:15:23.456|2023-11-14 22:15:23.456|2023-11-14|22:15:23|1700000123"
            ])
    }

    /// A tumbling window over PROCTIME() fires when processing time passes its end: rows fed at
    /// 10.0 s and 12.5 s are counted in [10 s, 15 s), which closes when a row comes at 16 s.
    @Test func aProcessingTimeWindowClosesWhenTheClockPassesItsEnd() throws {
        let engine = Engine()
        let now = Mutex<Int64>(10_000)
        engine.catalog.clock = ProcessingClock { now.withLock { $0 } }
        try run(
            "CREATE TABLE clicks (k STRING, pt AS PROCTIME()) WITH ('connector' = 'feed', 'format' = 'json')",
            engine: engine)
        let feed = engine.feed("clicks")
        let collector = Collector()
        let finished = DispatchSemaphore(value: 0)
        let query = Thread {
            try? engine.execute(
                script: "SELECT k, COUNT(*) FROM clicks GROUP BY TUMBLE(pt, INTERVAL '5' SECOND), k", writer: collector)
            feed.close()
            finished.signal()
        }
        query.start()
        feed.record(#"{"k":"a"}"#)
        now.withLock { $0 = 12_500 }
        feed.record(#"{"k":"a"}"#)
        feed.drain()
        #expect(collector.lines.isEmpty, "the window is open until 15 s")
        now.withLock { $0 = 16_000 }
        feed.record(#"{"k":"b"}"#)
        feed.drain()
        #expect(collector.lines == ["a|2"])
        feed.end()
        finished.wait()
    }
}
