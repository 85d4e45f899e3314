import Foundation
import KafkaProtocol
import Testing
import WeirTestSupport

/// Runs `weir` with `arguments` (and `input` on stdin); returns its exit status, stdout and stderr.
func runWeir(
    _ arguments: [String], input: String = "", environment: [String: String] = [:], timeoutSeconds: Double = 60
) throws
    -> (status: Int32, output: String, error: String)
{
    let result = try ChildProcess.run(
        try weirBinary().path, arguments, input: input, environment: environment,
        timeoutSeconds: timeoutSeconds)
    return (result.status, result.output, result.error)
}

@Suite struct DumpLogTests {
    func segment() throws -> (URL, [UInt8]) {
        let first = RecordBatch(
            records: [
                Record(timestamp: 1000, key: Array("k1".utf8), value: Array("{\"a\":1}".utf8)),
                Record(
                    timestamp: 1001, key: nil, value: Array("{\"a\":2}".utf8),
                    headers: [RecordHeader(key: "h", value: Array("x".utf8))]),
            ], baseOffset: 0)
        let second = RecordBatch(
            records: [Record(timestamp: 1002, key: nil, value: nil)], baseOffset: 2, compression: .lz4)
        let bytes = try first.encoded() + second.encoded()
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("weir-dump-\(UUID().uuidString).log")
        try Data(bytes).write(to: url)
        return (url, bytes)
    }

    @Test func printsBatchesAndRecords() throws {
        let (url, _) = try segment()
        defer { try? FileManager.default.removeItem(at: url) }
        let result = try runWeir(["dump-log", url.path, "--records"])
        #expect(result.status == 0)
        let lines = result.output.split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        #expect(lines[0].hasPrefix("baseOffset: 0 lastOffset: 1 count: 2 magic: 2 compression: none"))
        #expect(lines[1] == "| offset: 0 timestamp: 1000 key: k1 value: {\"a\":1}")
        #expect(lines[2] == "| offset: 1 timestamp: 1001 key: null value: {\"a\":2} headers: h=x")
        #expect(lines[3].hasPrefix("baseOffset: 2 lastOffset: 2 count: 1 magic: 2 compression: lz4"))
        #expect(lines[4] == "| offset: 2 timestamp: 1002 key: null value: null")
    }

    @Test func aCorruptSegmentGivesOneClearError() throws {
        let (url, bytes) = try segment()
        defer { try? FileManager.default.removeItem(at: url) }
        var damaged = bytes
        damaged[40] ^= 0x10 // inside the first batch's CRC'd region
        try Data(damaged).write(to: url)
        let result = try runWeir(["dump-log", url.path])
        #expect(result.status != 0)
        #expect(result.error.contains("record batch at byte 0 has CRC"))
        #expect(result.error.split(separator: "\n").count <= 3)
    }

    /// A segment's indexes, as Kafka's DumpLogSegments prints them: absolute offsets (the
    /// base offset is the file name), each offset-index entry checked against the `.log`.
    @Test func printsTheIndexesOfASegment() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("weir-dump-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let (url, bytes) = try segment()
        defer { try? FileManager.default.removeItem(at: url) }
        let secondBatchAt = Int32(try #require(try RecordBatchHeader.read(bytes, at: 0)).totalSize)
        // Offsets 100... : the same batches as a segment whose base offset is 100.
        var log = bytes
        for position in [0, Int(secondBatchAt)] {
            let base = try #require(try RecordBatchHeader.read(log, at: position)).baseOffset + 100
            withUnsafeBytes(of: base.bigEndian) { log.replaceSubrange(position..<(position + 8), with: $0) }
        }
        let base = folder.appendingPathComponent("00000000000000000100")
        try Data(log).write(to: base.appendingPathExtension("log"))
        var index = ByteWriter()
        for (relative, position) in [(1, 0), (2, secondBatchAt), (2, 7)] as [(Int32, Int32)] {
            index.writeInt32(relative)
            index.writeInt32(position)
        }
        try Data(index.bytes).write(to: base.appendingPathExtension("index"))
        var timeIndex = ByteWriter()
        for (timestamp, relative) in [(1001, 1), (1002, 2)] as [(Int64, Int32)] {
            timeIndex.writeInt64(timestamp)
            timeIndex.writeInt32(relative)
        }
        try Data(timeIndex.bytes + [0, 0, 0, 0]).write(to: base.appendingPathExtension("timeindex"))

        let offsets = try runWeir(["dump-log", base.appendingPathExtension("index").path])
        #expect(offsets.status == 0, "\(offsets.error)")
        #expect(
            offsets.output.split(separator: "\n") == [
                "offset: 101 position: 0", "offset: 102 position: \(secondBatchAt)", "offset: 102 position: 7",
                "mismatch: offset 102 points at byte 7, where no batch starts",
            ])
        let times = try runWeir(["dump-log", base.appendingPathExtension("timeindex").path])
        #expect(times.status == 0, "\(times.error)")
        #expect(
            times.output.split(separator: "\n") == [
                "timestamp: 1001 offset: 101", "timestamp: 1002 offset: 102",
                "(4 bytes at the end do not hold a whole 12-byte entry)",
            ])
    }

    @Test func aTornTailIsReportedNotFatal() throws {
        let (url, bytes) = try segment()
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(bytes.dropLast(5)).write(to: url)
        let result = try runWeir(["dump-log", url.path])
        #expect(result.status == 0)
        #expect(result.output.contains("bytes at the end do not hold a whole batch"))
    }
}

/// `weir -e` and `weir -f` as a user runs them.
@Suite struct SQLCommandTests {
    @Test func statementsPrintTheirResultsInEachFormat() throws {
        let query = "SELECT n, s FROM (VALUES (1, 'a'), (2, '北京')) AS t(n, s)"
        let csv = try runWeir(["-e", query, "--format", "csv"])
        #expect(csv.status == 0)
        #expect(csv.output == "n,s\n1,a\n2,北京\n")
        let json = try runWeir(["-e", query, "--format", "json"])
        #expect(json.output == "{\"n\":1,\"s\":\"a\"}\n{\"n\":2,\"s\":\"北京\"}\n")
        let table = try runWeir(["-e", query, "--format", "table"])
        #expect(
            table.output.contains("| n | s    |") && table.output.contains("| 2 | 北京 |")
                && table.output.contains("2 rows in set"))
    }

    /// EXPLAIN's plan and SHOW CREATE TABLE's DDL are one cell of several lines: the table
    /// shows each line whole, indented as it is, inside the border.
    @Test func textOfSeveralLinesKeepsTheTableWhole() throws {
        let table = try runWeir([
            "-e",
            "CREATE TABLE t (a INT) WITH ('connector' = 'datagen'); EXPLAIN SELECT a, COUNT(*) FROM t GROUP BY a; SHOW CREATE TABLE t;",
            "--format", "table",
        ])
        #expect(table.status == 0)
        let lines = table.output.split(separator: "\n").filter { $0.hasPrefix("|") || $0.hasPrefix("+") }
        #expect(!lines.isEmpty)
        for line in lines { #expect(line.hasSuffix("|") || line.hasSuffix("+"), "a broken border: \(line)") }
        #expect(lines.contains { $0.hasPrefix("|   Scan(t, datagen) → [a: INT]") }, "\(table.output)")
        #expect(lines.contains { $0.hasPrefix("|   'connector' = 'datagen'") }, "\(table.output)")
        // Each line is as wide as a border (its characters are all one column wide).
        let borders = lines.filter { $0.hasPrefix("+") }.map(\.count)
        for line in lines { #expect(borders.contains(line.count), "\(line)") }
    }

    /// A script names a file by a path relative to its own folder, and runs from elsewhere:
    /// the error says which path was tried and where the script lives.
    @Test func aRelativePathNotFoundSaysWhereTheScriptIs() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("weir-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("{\"n\": 1}\n".utf8).write(to: folder.appendingPathComponent("numbers.json"))
        let script = folder.appendingPathComponent("demo.sql")
        try Data(
            "CREATE TABLE numbers (n INT) WITH ('connector' = 'filesystem', 'path' = 'numbers.json', 'format' = 'json');\nSELECT n FROM numbers;\n"
                .utf8
        ).write(to: script)
        let result = try runWeir(["-f", script.path, "--format", "csv"])
        #expect(result.status != 0)
        #expect(
            result.error.contains("numbers.json does not exist (read from the working directory, "), "\(result.error)")
        #expect(result.error.contains("the script is in \(folder.standardizedFileURL.path)"), "\(result.error)")
    }

    @Test func aFailingStatementPrintsItsPlaceAndExitsNonZero() throws {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("weir-\(UUID().uuidString).sql")
        try Data("SELECT 1;\nSELECT amount FROM nowhere;\nSELECT 2;\n".utf8).write(to: script)
        let result = try runWeir(["-f", script.path, "--format", "csv"])
        #expect(result.status != 0)
        #expect(result.output == "EXPR$0\n1\n", "statements before the failing one ran, those after did not")
        #expect(result.error.contains("line 2, column 20: planning error: unknown table nowhere"))
        #expect(result.error.contains("                   ^^^^^^^"))
    }

    @Test func aStatementSetFeedsPrintAndFileSinksFromARawFile() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("weir-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("hello world\nsecond, line\n".utf8).write(to: folder.appendingPathComponent("lines.txt"))
        let script = """
            CREATE TABLE lines (line STRING) WITH ('connector' = 'filesystem', 'path' = '\(folder.path)/lines.txt', 'format' = 'raw');
            CREATE TABLE shown (line STRING, n INT) WITH ('connector' = 'print');
            CREATE TABLE lengths (line STRING, n INT) WITH ('connector' = 'filesystem', 'path' = '\(folder.path)/out.csv', 'format' = 'csv');
            EXECUTE STATEMENT SET BEGIN
              INSERT INTO shown SELECT line, CHAR_LENGTH(line) FROM lines;
              INSERT INTO lengths SELECT UPPER(line), CHAR_LENGTH(line) FROM lines;
            END;
            """
        let result = try runWeir(["-e", script])
        #expect(result.status == 0, "\(result.error)")
        #expect(result.output.contains("+I[hello world, 11]\n+I[second, line, 12]\n"), "\(result.output)")
        let written = try String(contentsOf: folder.appendingPathComponent("out.csv"), encoding: .utf8)
        #expect(written == "HELLO WORLD,11\n\"SECOND, LINE\",12\n")
    }

    @Test func ctrlCStopsARunningQueryCleanly() throws {
        let query = try RunningWeir([
            "-e",
            "CREATE TABLE ticks (n BIGINT) WITH ('connector' = 'datagen', 'rows-per-second' = '20'); SELECT n FROM ticks;",
            "--format", "csv",
        ])
        // Rows come as they are made; the query runs on until stopped.
        #expect(query.wait(seconds: 20) { query.output.split(separator: "\n").count > 5 }, "\(query.error)")
        #expect(query.process.isRunning, "an unbounded datagen query runs until stopped")
        #expect(query.interrupt() == 0, "weir -e ignored Ctrl-C, or failed: \(query.error)")
        let printed = query.output
        let lines = printed.split(separator: "\n")
        #expect(lines.first == "n" && lines.count > 5, "the rows before Ctrl-C are printed: \(printed)")
    }
}

/// The demos in `demos/` run as their README says, from the repository's folder.
@Suite struct DemoTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func seed000TumbleAndSeed003WordCount() throws {
        let tumble = try ChildProcess.run(
            try weirBinary().path, ["-f", "demos/user-events-tumble.sql", "--format", "csv"], directory: Self.repository
        )
        #expect(tumble.status == 0, "\(tumble.error)")
        #expect(
            tumble.output
                == "a,max_b,hour_start\na,3,2013-01-01 00:00:00\nb,2,2013-01-01 00:00:00\na,5,2013-01-01 01:00:00\nb,4,2013-01-01 01:00:00\n"
        )
        let words = try ChildProcess.run(
            try weirBinary().path, ["-f", "demos/word-count.sql", "--format", "csv"], directory: Self.repository)
        #expect(words.output == "word,n\nweir,3\nflink,2\nwindow,2\nkafka,1\nstream,1\nwatermark,1\n")
    }
}
