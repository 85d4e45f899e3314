import Foundation
import SQLSyntax
import SQLValues
import StreamSQL
import Testing

/// Formats and connectors through the engine: CSV and JSON files in and out, the JSON
/// reader's fast paths against its general one, debezium-json changelogs, datagen, lines
/// across the file reader's chunks.
@Suite struct FormatTests {
    @Test func csvFilesInAndOutWithParseErrorsCountedOrReported() throws {
        let input = temporaryFile("in.csv", ["1,apple,2.5", "2,pear,x", "3,\"kiwi, gold\",1.0"])
        let output = scratchFolder.appendingPathComponent("out-\(UUID().uuidString)").path
        let engine = Engine()
        try run(
            """
            CREATE TABLE fruit (id INT, name STRING, price DOUBLE)
              WITH ('connector' = 'filesystem', 'path' = '\(input)', 'format' = 'csv', 'csv.ignore-parse-errors' = 'true');
            CREATE TABLE cheap (name STRING, price DOUBLE) WITH ('connector' = 'filesystem', 'path' = '\(output)', 'format' = 'json');
            INSERT INTO cheap SELECT UPPER(name), price FROM fruit WHERE price < 3;
            """, engine: engine)
        let written = try String(contentsOfFile: output + "/part-0.json", encoding: .utf8)
        #expect(written == "{\"name\":\"APPLE\",\"price\":2.5}\n{\"name\":\"KIWI, GOLD\",\"price\":1.0}\n")

        try run(
            "CREATE TABLE strict (id INT, name STRING, price DOUBLE) WITH ('connector' = 'filesystem', 'path' = '\(input)', 'format' = 'csv')",
            engine: engine)
        #expect(throws: SQLError(.execution, "\(input), line 2: field 3 ('x') is not a DOUBLE")) {
            try run("SELECT * FROM strict", engine: engine)
        }
    }

    @Test func fileLinesAcrossReadsAndOneLongerThanTheBuffer() throws {
        // 100,000 lines (about 6 MB: lines cross the 4 MB reads), one 9 MB line in the middle
        // (the buffer grows for it), and a last line without a newline.
        var lines = (0..<100_000).map {
            #"{"k": \#($0 % 7), "v": \#($0), "p": "0123456789012345678901234567890123456789"}"#
        }
        lines.insert(#"{"k": 0, "v": 0, "p": "\#(String(repeating: "é", count: 4_500_000))"}"#, at: 50_000)
        let input = temporaryFile("long.json", lines)
        let result = try run(
            """
            CREATE TABLE t (k INT, v BIGINT, p STRING) WITH ('connector' = 'filesystem', 'path' = '\(input)', 'format' = 'json');
            SELECT COUNT(*), SUM(v), MAX(CHAR_LENGTH(p)) FROM t;
            """)
        #expect(result.lines.last == "100001|4999950000|4500000")
    }

    @Test func onlyTheFieldsAQueryReadsAreDecoded() throws {
        // `note` is not a number on the second line: only a query that reads it fails, as in
        // Flink (its JSON format converts the projected fields only).
        let input = temporaryFile(
            "wide.json",
            [
                #"{"ts": "2024-01-01 00:00:01", "k": "a", "v": 1, "note": 5, "extra": {"deep": [1, 2]}}"#,
                #"{"ts": "2024-01-01 00:00:0\u0032", "k": "b", "v": 2, "note": "not a number"}"#,
                #"{"ts": "2024-01-01 00:00:07", "k": "a", "v": 4, "note": 6}"#,
            ])
        let engine = Engine()
        try run(
            """
            CREATE TABLE t (ts STRING, k STRING, v INT, note INT, rt AS TO_TIMESTAMP(ts), WATERMARK FOR rt AS rt - INTERVAL '1' SECOND)
              WITH ('connector' = 'filesystem', 'path' = '\(input)', 'format' = 'json')
            """, engine: engine)
        #expect(try run("SELECT k, v FROM t WHERE v > 1", engine: engine).lines == ["b|2", "a|4"])
        #expect(
            try run("SELECT k, SUM(v) FROM t GROUP BY k, TUMBLE(rt, INTERVAL '5' SECOND)", engine: engine).lines
                .sorted() == ["a|1", "a|4", "b|2"])
        #expect(
            try run("SELECT COUNT(*) FROM (SELECT k FROM t UNION ALL SELECT k FROM t)", engine: engine).lines.last
                == "6")
        // The event time is parsed from the text's bytes when only it reads the text (an
        // escaped text the usual way), and from the string when the query reads the text too.
        #expect(
            try run("SELECT rt FROM t", engine: engine).lines == [
                "2024-01-01 00:00:01.000", "2024-01-01 00:00:02.000", "2024-01-01 00:00:07.000",
            ])
        #expect(
            try run("SELECT ts, rt FROM t WHERE k = 'b'", engine: engine).lines == [
                "2024-01-01 00:00:02|2024-01-01 00:00:02.000"
            ])
        #expect(throws: SQLError(.execution, "\(input), line 2: field \"note\" is not a INT")) {
            try run("SELECT k FROM t WHERE note > 0", engine: engine)
        }
        #expect(throws: SQLError(.execution, "\(input), line 2: field \"note\" is not a INT")) {
            try run("SELECT * FROM t", engine: engine)
        }
    }

    @Test func jsonTimestampsInEitherStandardWrittenAndReadBack() throws {
        for (standard, expected) in [
            ("SQL", #"{"t":"2024-01-02 03:04:05.678","i":"2024-01-02 03:04:05.678Z"}"#),
            ("ISO-8601", #"{"t":"2024-01-02T03:04:05.678","i":"2024-01-02T03:04:05.678Z"}"#),
        ] {
            let output = scratchFolder.appendingPathComponent("out-\(UUID().uuidString)").path
            let engine = Engine()
            try run(
                """
                CREATE TABLE times (t TIMESTAMP(3), i TIMESTAMP_LTZ(3)) WITH ('connector' = 'filesystem', 'path' = '\(output)',
                  'format' = 'json', 'json.timestamp-format.standard' = '\(standard)');
                INSERT INTO times SELECT TIMESTAMP '2024-01-02 03:04:05.678', TO_TIMESTAMP_LTZ(1704164645678, 3);
                """, engine: engine)
            let written = try String(contentsOfFile: output + "/part-0.json", encoding: .utf8)
            #expect(written == expected + "\n")
            #expect(
                try run("SELECT t, CAST(i AS STRING) FROM times", engine: engine).lines == [
                    "2024-01-02 03:04:05.678|2024-01-02 03:04:05.678"
                ])
        }
        #expect(throws: SQLError(.plan, "json.timestamp-format.standard is 'SQL' or 'ISO-8601', not 'RFC'")) {
            try run(
                """
                CREATE TABLE bad (t TIMESTAMP(3)) WITH ('connector' = 'filesystem', 'path' = '/tmp', 'format' = 'json',
                  'json.timestamp-format.standard' = 'RFC');
                INSERT INTO bad SELECT TIMESTAMP '2024-01-02 03:04:05';
                """)
        }
    }

    /// JSON numbers read on the fast path (plain decimals) equal what the general parser gives.
    @Test func jsonDecimalsReadExactly() throws {
        var generator = SystemRandomNumberGenerator()
        var texts = [
            "0.1", "2.675", "-0.000001", "123456789012.345", "999999999999999", "0.30000000000000004", "1e3", "-5",
            "100000.00", "12345.678901234567",
        ]
        for _ in 0..<500 {
            let digits = Int.random(in: 1...15, using: &generator)
            let mantissa = String((0..<digits).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
            let point = Int.random(in: 0...digits, using: &generator)
            var text =
                point == digits ? mantissa : String(mantissa.prefix(point)) + "." + String(mantissa.dropFirst(point))
            if text.hasPrefix(".") { text = "0" + text }
            texts.append(Bool.random(using: &generator) ? "-" + text : text)
        }
        let path = temporaryFile("numbers.json", texts.map { #"{"v": \#($0), "s": "\#($0)"}"# })
        let result = try run(
            """
            CREATE TABLE numbers (v DOUBLE, s STRING) WITH ('connector' = 'filesystem', 'path' = '\(path)', 'format' = 'json');
            SELECT s FROM numbers WHERE v <> CAST(s AS DOUBLE) OR v IS NULL;
            """)
        #expect(result.lines.isEmpty, "read differently: \(result.lines)")
    }

    /// Integers and event times read on their plain paths, and what those paths hand to the
    /// general reader: quoted numbers, exponents, values out of a column's range, other
    /// timestamp forms, dates that change from record to record.
    @Test func jsonPlainAndGeneralPathsAgree() throws {
        let input = temporaryFile(
            "mixed.json",
            [
                #"{"t": "2024-01-01 23:59:59", "i": 5, "b": -9223372036854775808, "d": 1.5e3}"#,
                #"{"t": "2024-01-02 00:00:00", "i": "7", "b": 9223372036854775807, "d": -0.25}"#,
                #"{"t": "2024-01-01 23:59:58", "i": -12, "b": 0, "d": 3}"#,
                #"{"t": "2024-02-29T12:00:01", "i": 0, "b": 1, "d": null}"#,
                #"{"t": "2023-02-29 12:00:00", "i": 1, "b": 2, "d": 2.5}"#,
                #"{"t": "2024-01-02 24:00:00", "i": 1, "b": 3, "d": 2.5}"#,
            ])
        let engine = Engine()
        try run(
            """
            CREATE TABLE m (t STRING, i INT, b BIGINT, d DOUBLE, rt AS TO_TIMESTAMP(t))
              WITH ('connector' = 'filesystem', 'path' = '\(input)', 'format' = 'json')
            """, engine: engine)
        #expect(
            try run("SELECT rt, i, b, d FROM m", engine: engine).lines == [
                "2024-01-01 23:59:59.000|5|-9223372036854775808|1500.0",
                "2024-01-02 00:00:00.000|7|9223372036854775807|-0.25",
                "2024-01-01 23:59:58.000|-12|0|3.0",
                "2024-02-29 12:00:01.000|0|1|NULL",
                "NULL|1|2|2.5",
                "NULL|1|3|2.5",
            ])
        for (type, value) in [
            ("INT", "3000000000"), ("TINYINT", "200"), ("SMALLINT", "-40000"), ("BIGINT", "92233720368547758070"),
        ] {
            let path = temporaryFile("range.json", [#"{"n": 1}"#, #"{"n": \#(value)}"#])
            #expect(throws: SQLError(.execution, "\(path), line 2: field \"n\" is not a \(type)")) {
                try run(
                    "CREATE TABLE r (n \(type)) WITH ('connector' = 'filesystem', 'path' = '\(path)', 'format' = 'json'); SELECT n FROM r"
                )
            }
        }
    }

    /// Records read after one of the same shape (by comparing the bytes between values) give
    /// what each gives read alone (the general reader): near-misses of the shape, values that
    /// contain the next field's text, fields missing, repeated, reordered or unknown.
    @Test func jsonRecordsOfOneShapeReadAsAlone() throws {
        let records =
            [
                #"{"s": "a", "n": 1, "d": 1.5, "x": [1, {"y": 2}]}"#,
                #"{"s": "b", "n": 2, "d": 2.5, "x": []}"#,
                #"{"s": "c\", \"n\": 9", "n": 3, "d": 3.5, "x": null}"#,
                #"{"s": "d", "n": "4", "d": 4e1, "x": {}}"#,
                #"{"s": "e", "n": 5, "d": 5.5, "x": 0}"#,
                #"{"s": "e", "n": 6, "d": 6.5, "x": 0, "s": "f"}"#,
                #"{"s": "e", "n": 7, "d": 7.5, "x": 0, "s": "g"}"#,
                #"{"s": "h", "n": 8, "d": 8.5}"#,
                #"{"s": "i", "n": 9, "d": 9.5}"#,
                #"{"n": 10, "s": "j", "d": 10.5}"#,
                #"{"n": 11, "s": "k", "d": 11.5}"#,
                #"{"s": "l","n": 12,"d": 12.5}"#,
                #"{"s": "m", "n":13, "d": 13.5}"#,
                #"{"s": "n", "n": 14, "d": 14.5 }"#,
                #"  {"s": "o", "n": 15, "d": 15.5}  "#,
                #"{"s": "p", "n": 16.0, "d": 16.5}"#,
                #"{"s": "q", "n": 17, "d": 17}"#,
                #"{"s": null, "n": null, "d": null}"#,
                #"{"s": "r", "n": 19, "d": 19.5}"#,
                #"{"s": "s", "n": 20}"#,
                #"{"s": "t", "n": 21, "d": 21.5}"#,
                #"{"s": "u", "nn": 22, "d": 22.5}"#,
                #"{"s": "v", "n": 23, "d": 23.5}"#,
                "{\"s\": \"w\tx\", \"n\": 24, \"d\": 24.5}",
                #"{"s": "y", "n": 25, "d": 25.5}x"#,
                #"{"s": "z", "n": 26, "d": 26.5}{"s": "z", "n": 26, "d": 26.5}"#,
                #"{"s": "é", "n": 27, "d": 27.5}"#,
            ] + (0..<100).map { #"{"s": "q\"\#($0)", "n": \#($0), "d": 0.5}"# }
        func read(_ lines: [String], ignoringErrors: Bool = true) throws -> [String] {
            let path = temporaryFile("shape.json", lines)
            return try run(
                """
                CREATE TABLE j (s STRING, n INT, d DOUBLE)
                  WITH ('connector' = 'filesystem', 'path' = '\(path)', 'format' = 'json', 'json.ignore-parse-errors' = '\(ignoringErrors)');
                SELECT s, n, d FROM j
                """
            ).lines
        }
        let alone = try records.flatMap { try read([$0]) }
        #expect(try read(records) == alone)
        #expect(alone.count == records.count - 2) // the two with text after the object are skipped
        #expect(alone[15] == "p|16|16.5") // as Flink, a whole number written with a point fits an INT
        #expect(alone[2] == #"c", "n": 9|3|3.5"#)
        #expect(alone[5] == "f|6|6.5" && alone[9] == "j|10|10.5")
        // A record that fails after others of its shape fails with its own line.
        let path = temporaryFile("shape-bad.json", Array(records[0..<2]) + [#"{"s": "b", "n": 2x, "d": 2.5, "x": []}"#])
        let message = failure(
            "CREATE TABLE k (s STRING, n INT) WITH ('connector' = 'filesystem', 'path' = '\(path)', 'format' = 'json'); SELECT * FROM k"
        )
        #expect(message?.message.hasPrefix("\(path), line 3: ") == true)
        // Missing fields with json.fail-on-missing-field, after records of a full shape.
        let missing = temporaryFile(
            "shape-missing.json", [#"{"s": "a", "n": 1}"#, #"{"s": "b", "n": 2}"#, #"{"s": "c"}"#])
        #expect(
            throws: SQLError(.execution, "\(missing), line 3: missing field(s) n (json.fail-on-missing-field is true)")
        ) {
            try run(
                """
                CREATE TABLE f (s STRING, n INT) WITH ('connector' = 'filesystem', 'path' = '\(missing)', 'format' = 'json',
                  'json.fail-on-missing-field' = 'true');
                SELECT * FROM f
                """)
        }
    }

    /// The values the shape's reader takes straight from the bytes (event times, numbers, a
    /// skipped field) read as the general reader reads them, plain or not: times out of range
    /// or of other forms, numbers too long to be exact, exponents, escapes, a new date.
    @Test func plainValuesReadByShapeAsAlone() throws {
        let times = [
            "2024-01-01 00:00:07", "2024-01-01 23:59:59", "2024-01-01 24:00:00", "2024-01-01 1a:00:00",
            "2024-01-01 00:60:00",
            "2024-01-01 00:00:60", "2024-01-01 00-00:00", "2024-01-02 10:11:12", "2024-01-01T00:00:01",
            "2024-01-01 00:00:01.5",
            "2024-13-01 00:00:00", "2024-02-30 00:00:00", "2024-02-29 12:00:00", "2024-01-01 00:00:0 ",
            "2024-01-01 00:00:02",
        ]
        let numbers = [
            "0", "-0", "7", "-12", "2147483647", "-2147483648", "2147483648", "1e2", "1.0", "12345678", "007", "3x",
        ]
        let decimals = [
            "0.1", "-12.5", "27860.12", "123456789012345678", "1.5E2", "-0.000001", "12.", ".5", "99999999999999.9",
            "1", "4e-1", "1.2.3",
        ]
        let skipped = [
            #"-1.5e3"#, #""a\"b""#, "true", "null", #"{"a": [1, 2]}"#, #""""#, "12", #""x""#, "[]", "-", "1", "false",
        ]
        var records: [String] = []
        for index in 0..<(times.count * numbers.count) {
            let time = times[index % times.count], number = numbers[index % numbers.count]
            let decimal = decimals[index / numbers.count % decimals.count],
                other = skipped[index / times.count % skipped.count]
            // Most records share the first shape, so that the shape's reader meets each value.
            records.append(#"{"t": "\#(time)", "x": \#(other), "n": \#(number), "d": \#(decimal)}"#)
            records.append(#"{"t": "2024-01-01 00:00:00", "x": 1, "n": 1, "d": 1.5}"#)
        }
        func read(_ lines: [String]) throws -> [String] {
            let path = temporaryFile("plain.json", lines)
            return try run(
                """
                CREATE TABLE p (t STRING, x STRING, n INT, d DOUBLE, rt AS TO_TIMESTAMP(t))
                  WITH ('connector' = 'filesystem', 'path' = '\(path)', 'format' = 'json', 'json.ignore-parse-errors' = 'true');
                SELECT rt, n, d FROM p
                """
            ).lines
        }
        let alone = try records.flatMap { try read([$0]) }
        #expect(try read(records) == alone)
        // Every record of the shape read; those with a value not of its column's type (an INT
        // overflow, `3x`, `1.2.3`) skipped.
        #expect(alone.filter { $0 == "2024-01-01 00:00:00.000|1|1.5" }.count == records.count / 2)
        #expect(alone.count < records.count && alone.count > records.count * 3 / 4)
        for row in [
            "2024-01-01 00:00:07.000|0|0.1", "2024-01-01 23:59:59.000|0|0.1", "NULL|7|0.1",
            "2024-01-02 10:11:12.000|100|0.1",
            "2024-01-01 00:00:01.500|12345678|0.1", "2024-02-29 12:00:00.000|0|-12.5",
            "2024-01-01 00:00:02.000|-2147483648|27860.12",
        ] {
            #expect(alone.contains(row), "\(row)")
        }
    }

    /// debezium-json: a GROUP BY's changelog written as Debezium change events and read back
    /// as a changelog folds to the table batch mode computes; Debezium's own records (create,
    /// snapshot read, update, delete, a schema envelope, a tombstone) read as their changes;
    /// a bad record fails with its file and line, or is skipped with ignore-parse-errors.
    @Test func debeziumChangelogsRoundTrip() throws {
        let folder = scratchFolder.appendingPathComponent(UUID().uuidString).path
        let engine = Engine()
        var generator = Seeded(7)
        let clicks = temporaryFile(
            "clicks.json", (0..<5_000).map { _ in #"{"u": "u\#(Int.random(in: 0..<9, using: &generator))"}"# })
        try run(
            """
            CREATE TABLE clicks (u STRING) WITH ('connector' = 'filesystem', 'path' = '\(clicks)', 'format' = 'json');
            CREATE TABLE counts (u STRING, c BIGINT) WITH ('connector' = 'filesystem', 'path' = '\(folder)/counts', 'format' = 'debezium-json');
            INSERT INTO counts SELECT u, COUNT(*) FROM clicks GROUP BY u
            """, engine: engine)
        let written = try String(contentsOfFile: folder + "/counts/part-0.debezium-json", encoding: .utf8)
        #expect(written.contains(#""op":"d""#) && written.hasPrefix(#"{"before":null,"after":{"u":"#))
        let readBack = try run("SELECT * FROM counts", engine: engine)
        #expect(readBack.changelog && readBack.kinds.contains(.delete))
        let batch = try run(
            "SET 'execution.runtime-mode' = 'batch'; SELECT u, COUNT(*) FROM clicks GROUP BY u", engine: engine
        ).lines.sorted()
        #expect(readBack.finalTable == batch && batch.count == 9)

        let events = temporaryFile(
            "events.json",
            [
                #"{"before": null, "after": {"id": 1, "name": "ana", "weight": 5.5}, "op": "c", "ts_ms": 1}"#,
                #"{"before": null, "after": {"id": 2, "name": "bo", "weight": 1.0}, "op": "r"}"#,
                #"{"before": {"id": 1, "name": "ana", "weight": 5.5}, "after": {"id": 1, "name": "ana", "weight": 6.0}, "op": "u"}"#,
                "null",
                #"{"before": {"id": 2, "name": "bo", "weight": 1.0}, "after": null, "op": "d"}"#,
            ])
        let table =
            "CREATE TABLE products (id INT, name STRING, weight DOUBLE) WITH ('connector' = 'filesystem', 'path' = '\(events)', 'format' = 'debezium-json');"
        let changes = try run(table + "SELECT * FROM products")
        #expect(
            zip(changes.kinds, changes.lines).map { "\($0.rawValue) \($1)" }
                == ["+I 1|ana|5.5", "+I 2|bo|1.0", "-U 1|ana|5.5", "+U 1|ana|6.0", "-D 2|bo|1.0"])
        #expect(try run(table + "SELECT COUNT(*), SUM(weight) FROM products").finalTable == ["1|6.0"])
        let enveloped = temporaryFile(
            "envelope.json", [#"{"schema": {}, "payload": {"before": null, "after": {"id": 3}, "op": "c"}}"#])
        #expect(
            try run(
                """
                CREATE TABLE e (id INT) WITH ('connector' = 'filesystem', 'path' = '\(enveloped)', 'format' = 'debezium-json', 'debezium-json.schema-include' = 'true');
                SELECT * FROM e
                """
            ).lines == ["3"])
        let bad = temporaryFile(
            "bad.json", [#"{"before": null, "after": {"id": 1}, "op": "c"}"#, #"{"after": {"id": 2}}"#])
        #expect(
            failure(
                "CREATE TABLE b (id INT) WITH ('connector' = 'filesystem', 'path' = '\(bad)', 'format' = 'debezium-json'); SELECT * FROM b"
            )?
            .message == "\(bad), line 2: a Debezium record needs an \"op\"")
        #expect(
            try run(
                """
                CREATE TABLE b (id INT) WITH ('connector' = 'filesystem', 'path' = '\(bad)', 'format' = 'debezium-json', 'debezium-json.ignore-parse-errors' = 'true');
                SELECT * FROM b
                """
            ).lines == ["1"])
        #expect(
            failure(
                "CREATE TABLE e (id INT) WITH ('connector' = 'filesystem', 'path' = '\(enveloped)', 'format' = 'debezium-json'); SELECT * FROM e"
            )?
            .message.hasSuffix("set 'debezium-json.schema-include' = 'true'") == true)
    }

    /// datagen's random integers: every value from min to max, both ends included (as
    /// Flink's), and bounds past the column's type held to its range.
    @Test func datagenIntegersCoverTheirWholeRange() throws {
        let result = try run(
            """
            CREATE TABLE g (v INT, t TINYINT) WITH ('connector' = 'datagen', 'number-of-rows' = '600', 'fields.v.min' = '1',
              'fields.v.max' = '3', 'fields.t.min' = '-1e6', 'fields.t.max' = '1e6');
            SET 'execution.runtime-mode' = 'batch';
            SELECT MIN(v), MAX(v), COUNT(DISTINCT v), MIN(t) >= -128 AND MAX(t) <= 127 FROM g
            """)
        #expect(result.lines == ["1|3|3|TRUE"])
    }

    /// Files are read in 4 MB chunks: lines cut by a chunk's end, a line longer than a chunk,
    /// CRLF and empty lines, and a last line without a newline all read whole, with their numbers.
    @Test func linesAcrossChunksReadWhole() throws {
        let long = String(repeating: "x", count: 9 << 20)
        var lines: [String] = []
        for number in 0..<60_000 {
            lines.append(
                #"{"n": \#(number), "s": "\#(String(repeating: "y", count: number % 200))"}\#(number % 3 == 0 ? "\r" : "")"#
            )
        }
        lines.insert("", at: 100)
        lines.insert(#"{"n": -1, "s": "\#(long)"}"#, at: 40_000)
        let path = temporaryFile("chunks.json", lines)
        let result = try run(
            """
            CREATE TABLE c (n INT, s STRING) WITH ('connector' = 'filesystem', 'path' = '\(path)', 'format' = 'json');
            SELECT n, CHAR_LENGTH(s) FROM c
            """
        ).lines
        #expect(result.count == 60_001)
        #expect(result.first == "0|0" && result.last == "59999|\(59_999 % 200)")
        #expect(result.contains("-1|\(9 << 20)"))
        #expect(result.filter { $0 != "-1|\(9 << 20)" }.map { Int($0.split(separator: "|")[0])! } == Array(0..<60_000))
        // The line number of an error after the long line counts every line before it.
        let bad = temporaryFile("chunks-bad.json", Array(lines[0..<50_000]) + ["{"])
        let message = failure(
            "CREATE TABLE c (n INT) WITH ('connector' = 'filesystem', 'path' = '\(bad)', 'format' = 'json'); SELECT n FROM c"
        )
        #expect(message?.message.hasPrefix("\(bad), line 50001: ") == true)
    }
}
