import Foundation
import KafkaClient
import Testing
import WeirTestSupport

/// SQL over Kafka topics end to end: `weir -f` against `weir broker`, with data written by
/// kafka-python (the seeds' producer) and results read back with kcat.
@Suite(.serialized, .loadSensitive, .timeLimit(.minutes(5))) struct KafkaSQLTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let oracleFolder = repository.appendingPathComponent("Tests/StreamSQLTests/Fixtures/flink-oracle")

    /// This process's folder for scripts, removed when it exits.
    static let scripts: String = {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("weir-sql-scripts-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        atexit {
            try? FileManager.default.removeItem(
                atPath: FileManager.default.temporaryDirectory.appendingPathComponent("weir-sql-scripts-\(getpid())")
                    .path)
        }
        return folder
    }()

    static func script(_ text: String) -> String {
        let path = scripts + "/job-\(UUID().uuidString).sql"
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    /// Seed 001's DDL and query as the seed writes them (legacy options, zookeeper, a Python
    /// UDF as SQL), fed the Flink oracle's 100,000 events by kafka-python: the `results`
    /// topic, read by kcat, holds Flink's windows with Flink's sums.
    @Test func seed001PaymentWindowsMatchFlink() async throws {
        let broker = try WeirBrokerProcess()
        for topic in ["payment_msg", "results"] {
            #expect(try runWeir(["topics", "create", topic, "--bootstrap", broker.bootstrap]).status == 0)
        }
        let job = Self.script(
            """
            CREATE TABLE payment_msg(
                createTime VARCHAR,
                rt as TO_TIMESTAMP(createTime),
                orderId BIGINT,
                payAmount DOUBLE,
                payPlatform INT,
                provinceId INT,
                WATERMARK FOR rt as rt - INTERVAL '2' SECOND
            ) WITH (
              'connector.type' = 'kafka',
              'connector.version' = 'universal',
              'connector.topic' = 'payment_msg',
              'connector.properties.bootstrap.servers' = '\(broker.bootstrap)',
              'connector.properties.zookeeper.connect' = 'localhost:2181',
              'connector.properties.group.id' = 'test_3',
              'connector.startup-mode' = 'latest-offset',
              'format.type' = 'json'
            );
            CREATE TABLE es_sink (
            province VARCHAR,
            pay_amount DOUBLE,
            rowtime TIMESTAMP(3)
            ) with (
              'connector.type' = 'kafka',
              'connector.version' = 'universal',
              'connector.topic' = 'results',
              'connector.properties.bootstrap.servers' = '\(broker.bootstrap)',
              'connector.properties.zookeeper.connect' = 'localhost:2181',
              'connector.properties.group.id' = 'test_3',
              'connector.startup-mode' = 'latest-offset',
              'format.type' = 'json'
            );
            CREATE FUNCTION province_id_to_name(id INT) RETURNS STRING AS
              CASE id WHEN 0 THEN 'beijing' WHEN 1 THEN 'shanghai' WHEN 2 THEN 'hangzhou' WHEN 3 THEN 'shenzhen'
                      WHEN 4 THEN 'jiangxi' WHEN 5 THEN 'chongqing' WHEN 6 THEN 'xizang' END;
            insert into es_sink
            select province_id_to_name(provinceId) as province, sum(payAmount) as pay_amount, tumble_start(rt, interval '5' second) as rowtime
            from payment_msg
            group by tumble(rt, interval '5' second), provinceId;
            """)
        let weir = try RunningWeir(["-f", job])
        // latest-offset: produce only once the job has found where the topic ends.
        #expect(weir.wait(seconds: 30) { weir.error.contains("reading payment_msg") }, "\(weir.error)")
        #expect(weir.error.contains("zookeeper.connect is ignored"))

        // The oracle's input, and one event an hour later whose watermark fires every window of it.
        let input = FileManager.default.temporaryDirectory.appendingPathComponent(
            "weir-payments-\(UUID().uuidString).json"
        ).path
        defer { try? FileManager.default.removeItem(atPath: input) }
        let generated = try await ChildProcess.run(
            "/usr/bin/env",
            [
                "python3", Self.oracleFolder.appendingPathComponent("gen_payments.py").path,
                "100000", "42", input,
            ])
        #expect(generated.status == 0)
        let closing =
            #"{"createTime": "2024-01-01 02:00:00", "orderId": 0, "payAmount": 1.0, "payPlatform": 0, "provinceId": 0}"#
        let appender = try FileHandle(forWritingTo: URL(fileURLWithPath: input))
        appender.seekToEndOfFile()
        appender.write(Data((closing + "\n").utf8))
        try appender.close()
        let sent = try await TansuBroker.runPeer("seed_payments.py", [broker.bootstrap, "payment_msg", input])
        #expect(sent.first?["sent"] as? Int == 100_001)

        let oracle = try Self.oracle()
        var results: [String: Double] = [:]
        try await waitUntil(timeout: .seconds(60), poll: .milliseconds(300)) {
            let read = try await Kcat.runDebian([
                "-b", broker.bootstrap, "-C", "-t", "results", "-o", "beginning", "-e", "-q",
            ])
            results = [:]
            for line in read.output.split(separator: "\n") {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                results["\(object["province"]!)|\(object["rowtime"]!)"] = object["pay_amount"] as? Double
            }
            return results.count >= oracle.count
        }
        #expect(results.count == oracle.count, "\(weir.error)")
        for (key, expected) in oracle {
            let actual = try #require(results[key], "window \(key) missing")
            #expect(abs(actual - expected) <= 1e-9 * abs(expected), "\(key): \(actual) vs Flink's \(expected)")
        }
        #expect(weir.interrupt() == 0)
        #expect(weir.error.contains("stopped: 100001 rows in, \(oracle.count) rows out"), "\(weir.error)")
    }

    /// Flink's rows for the 100,000 events: "province|rowtime" → sum.
    static func oracle() throws -> [String: Double] {
        let text = try String(
            contentsOf: oracleFolder.appendingPathComponent("oracle_tumble_100k_seed42.csv"), encoding: .utf8)
        var rows: [String: Double] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ",", maxSplits: 2).map {
                $0.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
            rows[fields[0] + "|" + fields[2]] = Double(fields[1])!
        }
        return rows
    }

    /// One partition without data holds every window back (its watermark is the smallest);
    /// with `scan.watermark.idle-timeout` it stops doing so once it has been quiet that long.
    @Test(arguments: [false, true])
    func anEmptyPartitionHoldsWindowsBackUntilIdle(idleTimeout: Bool) async throws {
        let broker = try WeirBrokerProcess()
        #expect(
            try runWeir(["topics", "create", "clicks", "--partitions", "2", "--bootstrap", broker.bootstrap]).status
                == 0)
        let events = (0..<20).map {
            #"{"user":"u\#($0 % 3)","ts":"2024-01-01 00:00:\#(String(format: "%02d", $0 * 2))"}"#
        }
        let produced = try await Kcat.runDebian(
            ["-b", broker.bootstrap, "-P", "-t", "clicks", "-p", "0"], input: events.joined(separator: "\n") + "\n")
        #expect(produced.status == 0, "\(produced.error)")
        let query = Self.script(
            """
            CREATE TABLE clicks (user_name STRING METADATA FROM 'topic' VIRTUAL, `user` STRING, ts STRING,
              part INT METADATA FROM 'partition', rt AS TO_TIMESTAMP(ts), WATERMARK FOR rt AS rt)
            WITH ('connector' = 'kafka', 'topic' = 'clicks', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset'
                  \(idleTimeout ? ", 'scan.watermark.idle-timeout' = '1 s'" : ""));
            SELECT `user`, COUNT(*) AS clicks, MAX(part) AS part, TUMBLE_START(rt, INTERVAL '10' SECOND) AS window_start
            FROM clicks GROUP BY TUMBLE(rt, INTERVAL '10' SECOND), `user`;
            """)
        let weir = try RunningWeir(["-f", query, "--format", "csv", "--bootstrap", broker.bootstrap])
        #expect(weir.wait(seconds: 30) { weir.error.contains("reading clicks (2 partitions)") }, "\(weir.error)")
        let fired = weir.wait(seconds: 4) { weir.output.split(separator: "\n").count > 1 }
        #expect(fired == idleTimeout, "\(weir.output)")
        if idleTimeout {
            // Windows [0, 10) … [20, 30) fired (the watermark is at 38 s); [30, 40) is open.
            let rows = weir.output.split(separator: "\n").dropFirst().map(String.init)
            #expect(weir.wait(seconds: 5) { weir.output.split(separator: "\n").count == 10 })
            #expect(rows.allSatisfy { $0.contains(",0,2024-01-01 00:00:") }, "\(rows)")
            #expect(
                Set(weir.output.split(separator: "\n").dropFirst().map { String($0.split(separator: ",")[3]) })
                    == ["2024-01-01 00:00:00", "2024-01-01 00:00:10", "2024-01-01 00:00:20"])
        }
        #expect(weir.interrupt() == 0)
    }

    /// One record into partition 0 of `topic`, written by kcat.
    static func produce(_ json: String, to topic: String, on broker: WeirBrokerProcess) async throws {
        let produced = try await Kcat.runDebian(
            ["-b", broker.bootstrap, "-P", "-t", topic, "-p", "0"], input: json + "\n")
        #expect(produced.status == 0, "\(produced.error)")
    }

    /// A union of two topics, neither of which ends: both sources run at once, so rows of
    /// each show as they come (one after the other, the first would hold the second back forever).
    @Test func aUnionOfTwoTopicsShowsBothAsTheyGrow() async throws {
        let broker = try WeirBrokerProcess()
        for topic in ["left_side", "right_side"] {
            #expect(try runWeir(["topics", "create", topic, "--bootstrap", broker.bootstrap]).status == 0)
        }
        func produce(_ topic: String, _ n: Int) async throws {
            try await Self.produce(#"{"n": \#(n)}"#, to: topic, on: broker)
        }
        try await produce("left_side", 1)
        try await produce("right_side", 2)
        let query = Self.script(
            """
            CREATE TABLE l (n INT) WITH ('connector' = 'kafka', 'topic' = 'left_side', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset');
            CREATE TABLE r (n INT) WITH ('connector' = 'kafka', 'topic' = 'right_side', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset');
            SELECT 'left' AS side, n FROM l UNION ALL SELECT 'right' AS side, n FROM r;
            """)
        let weir = try RunningWeir(["-f", query, "--format", "csv", "--bootstrap", broker.bootstrap])
        #expect(
            weir.wait(seconds: 30) { weir.output.contains("left,1") && weir.output.contains("right,2") },
            "\(weir.output)\n\(weir.error)")
        try await produce("right_side", 3)
        try await produce("left_side", 4)
        #expect(
            weir.wait(seconds: 15) { weir.output.contains("right,3") && weir.output.contains("left,4") },
            "\(weir.output)\n\(weir.error)")
        #expect(weir.interrupt() == 0)
    }

    /// A join of two topics that never end: each pair shows once its later row arrives,
    /// whichever side that is.
    @Test func aJoinOfTwoTopicsPairsRowsAsTheyCome() async throws {
        let broker = try WeirBrokerProcess()
        for topic in ["orders_j", "provinces_j"] {
            #expect(try runWeir(["topics", "create", topic, "--bootstrap", broker.bootstrap]).status == 0)
        }
        func produce(_ topic: String, _ json: String) async throws {
            try await Self.produce(json, to: topic, on: broker)
        }
        try await produce("provinces_j", #"{"id": 0, "name": "beijing"}"#)
        try await produce("orders_j", #"{"id": 1, "province": 0}"#)
        let query = Self.script(
            """
            CREATE TABLE orders (id INT, province INT) WITH ('connector' = 'kafka', 'topic' = 'orders_j', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset');
            CREATE TABLE provinces (id INT, name STRING) WITH ('connector' = 'kafka', 'topic' = 'provinces_j', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset');
            SELECT o.id, p.name FROM orders AS o JOIN provinces AS p ON o.province = p.id;
            """)
        let weir = try RunningWeir(["-f", query, "--format", "csv", "--bootstrap", broker.bootstrap])
        #expect(weir.wait(seconds: 30) { weir.output.contains("1,beijing") }, "\(weir.output)\n\(weir.error)")
        // An order before its province, then the province.
        try await produce("orders_j", #"{"id": 2, "province": 1}"#)
        try await produce("provinces_j", #"{"id": 1, "name": "shanghai"}"#)
        #expect(weir.wait(seconds: 15) { weir.output.contains("2,shanghai") }, "\(weir.output)\n\(weir.error)")
        #expect(weir.output.split(separator: "\n").count == 3, "a header and two pairs: \(weir.output)\n\(weir.error)")
        #expect(weir.interrupt() == 0)
    }

    /// `weir demo` writes the seeds' data sets; the Kafka demos run on them as README says.
    @Test func demoGeneratorsAndKafkaDemos() async throws {
        let broker = try WeirBrokerProcess()
        let bootstrap = ["--bootstrap", broker.bootstrap]
        #expect(try runWeir(["demo", "user-events"] + bootstrap).status == 0)
        let tumble = try await ChildProcess.run(
            try weirBinary().path, ["-f", "demos/kafka-user-events.sql", "--format", "csv"] + bootstrap,
            directory: Self.repository)
        #expect(tumble.status == 0, "\(tumble.error)")
        #expect(
            tumble.output
                == "a,max_b,hour_start\na,3,2013-01-01 00:00:00\nb,2,2013-01-01 00:00:00\na,5,2013-01-01 01:00:00\nb,4,2013-01-01 01:00:00\n"
        )

        #expect(try runWeir(["demo", "payments", "--count", "50", "--rate", "0"] + bootstrap).status == 0)
        let payments = try runWeir(["consume", "payment_msg", "--from", "beginning", "--count", "50"] + bootstrap)
        let events = try payments.output.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        #expect(events.count == 50)
        for event in events {
            #expect(Set(event.keys) == ["createTime", "orderId", "payAmount", "payPlatform", "provinceId"])
            #expect((0...6).contains(event["provinceId"] as! Int) && (0...1).contains(event["payPlatform"] as! Int))
            #expect((0..<100_000).contains(event["payAmount"] as! Double))
        }
        #expect(Set(events.map { $0["orderId"] as! Int }).count == 50)

        #expect(try runWeir(["demo", "recipes", "--count", "30", "--rate", "0"] + bootstrap).status == 0)
        let pipeline = try RunningWeir(
            ["-f", Self.repository.appendingPathComponent("demos/kafka-recipes.sql").path] + bootstrap)
        var alerts: [[String: Any]] = []
        try await waitUntil(timeout: .seconds(30), poll: .milliseconds(300)) {
            let read = try await Kcat.runDebian([
                "-b", broker.bootstrap, "-C", "-t", "calorie_alerts", "-o", "beginning", "-e", "-q",
            ])
            alerts = try read.output.split(separator: "\n").map {
                try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
            }
            return !alerts.isEmpty
        }
        #expect(!alerts.isEmpty, "\(pipeline.error)")
        for alert in alerts {
            let calories = alert["calories"] as! Int
            #expect(calories > 300 && (alert["alert"] as! String).hasSuffix("has \(calories) calories"))
        }
        #expect(pipeline.interrupt() == 0)
    }

    /// Where reading starts and ends, metadata columns, key fields and topic patterns, on
    /// records kafka-python wrote (keys key-<n>, header seq=<n>, timestamps 1700000000000 + n).
    @Test func startupAndBoundedModesMetadataKeysAndPatterns() async throws {
        let broker = try WeirBrokerProcess()
        #expect(
            try runWeir(["topics", "create", "events", "--partitions", "2", "--bootstrap", broker.bootstrap]).status
                == 0)
        let written = try await TansuBroker.runPeer(
            "kafka_python_peer.py", ["produce", broker.bootstrap, "events", "none", "20"])
        #expect(written.count == 20)
        var placeOf: [Int: (partition: Int, offset: Int)] = [:]
        for entry in written {
            let n = Int((entry["key"] as! String).dropFirst(4))!
            placeOf[n] = (entry["partition"] as! Int, entry["offset"] as! Int)
        }
        func query(
            _ options: String, _ select: String = "SELECT n, k, `partition`, `offset`, ts, tp, h FROM events",
            bounded: String = "'scan.bounded.mode' = 'latest-offset'"
        ) throws -> [[String]] {
            let script = Self.script(
                """
                CREATE TABLE events (k STRING, n INT, `from` STRING, `partition` INT METADATA, `offset` BIGINT METADATA,
                  ts TIMESTAMP_LTZ(3) METADATA FROM 'timestamp', tp STRING METADATA FROM 'topic' VIRTUAL,
                  h MAP<STRING, BYTES> METADATA FROM 'headers')
                WITH ('connector' = 'kafka', 'key.format' = 'raw', 'key.fields' = 'k', 'value.format' = 'json',
                      'value.fields-include' = 'EXCEPT_KEY', \(bounded), \(options));
                \(select);
                """)
            let result = try runWeir(["-f", script, "--format", "csv", "--bootstrap", broker.bootstrap])
            #expect(result.status == 0, "\(result.error)")
            return result.output.split(separator: "\n").dropFirst().map {
                $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            }
        }
        // Everything, with each record's place, time, topic and key.
        let all = try query("'topic' = 'events', 'scan.startup.mode' = 'earliest-offset'")
        #expect(all.count == 20)
        for row in all {
            let n = Int(row[0])!
            #expect(row[1] == "key-\(n)")
            #expect(Int(row[2]) == placeOf[n]?.partition && Int(row[3]) == placeOf[n]?.offset, "\(row)")
            // CSV prints a time without its zero fraction, as Flink's CSV format does.
            #expect(
                row[4] == "2023-11-14 22:13:20" + (n == 0 ? "" : ".\(String(format: "%03d", n))") && row[5] == "events",
                "\(row)")
            #expect(
                row[6] == "{seq=\(Array("\(n)".utf8).map { String(format: "%02x", $0) }.joined())}",
                "headers as BYTES, in hex: \(row[6])")
        }
        // From a time: records stamped at or after it.
        let late = try query(
            "'topic' = 'events', 'scan.startup.mode' = 'timestamp', 'scan.startup.timestamp-millis' = '1700000000010'")
        #expect(Set(late.map { Int($0[0])! }) == Set(10..<20))
        // From given offsets: the rest of each partition.
        let specific = try query(
            "'topic' = 'events', 'scan.startup.mode' = 'specific-offsets', 'scan.startup.specific-offsets' = 'partition:0,offset:2;partition:1,offset:3'"
        )
        #expect(
            Set(specific.map { Int($0[0])! })
                == Set(placeOf.filter { $0.value.offset >= ($0.value.partition == 0 ? 2 : 3) }.keys))
        // Up to a time: each partition's records before it.
        let early = try query(
            "'topic' = 'events', 'scan.startup.mode' = 'earliest-offset'",
            bounded: "'scan.bounded.mode' = 'timestamp', 'scan.bounded.timestamp-millis' = '1700000000005'")
        #expect(Set(early.map { Int($0[0])! }) == Set(0..<5))
        // A pattern matching two topics.
        #expect(try runWeir(["topics", "create", "events-b", "--bootstrap", broker.bootstrap]).status == 0)
        #expect(
            try runWeir(
                ["produce", "events-b", "--key-separator", "|", "--bootstrap", broker.bootstrap],
                input: #"key-100|{"n":100,"from":"weir"}"# + "\n"
            ).status == 0)
        let both = try query(
            "'topic-pattern' = 'events.*', 'scan.startup.mode' = 'earliest-offset'",
            "SELECT tp, COUNT(*) FROM events GROUP BY tp")
        #expect(Set(both.map { $0.joined(separator: ",") }).isSuperset(of: ["+I,events-b,1"]), "\(both)")
        #expect(both.contains { $0.count == 3 && $0[1] == "events" && $0[2] == "20" }, "\(both)")
    }

    /// A GROUP BY's changelog written to a plain kafka topic as Debezium change events (every
    /// update a delete of the old row and a create of the new, as Flink writes them), read by
    /// kcat, and read back by Weir as a changelog that folds to the final counts.
    @Test func debeziumChangelogThroughATopic() async throws {
        let broker = try WeirBrokerProcess()
        #expect(try runWeir(["topics", "create", "words", "--bootstrap", broker.bootstrap]).status == 0)
        let kinds = ["tea", "milk", "jam"]
        let words: [String] = (0..<3000).map { (number: Int) -> String in
            if number % 3 == 0 { return kinds[0] }
            return number % 7 == 0 ? kinds[2] : kinds[1]
        }
        #expect(
            try runWeir(
                ["produce", "words", "--bootstrap", broker.bootstrap], input: words.joined(separator: "\n") + "\n"
            ).status == 0)
        let write = Self.script(
            """
            CREATE TABLE words (w STRING) WITH ('connector' = 'kafka', 'topic' = 'words', 'format' = 'raw',
              'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset');
            CREATE TABLE counts (w STRING, c BIGINT) WITH ('connector' = 'kafka', 'topic' = 'counts', 'format' = 'debezium-json', 'sink.partitioner' = 'fixed');
            INSERT INTO counts SELECT w, COUNT(*) FROM words GROUP BY w;
            """)
        let written = try runWeir(["-f", write, "--bootstrap", broker.bootstrap])
        #expect(written.status == 0, "\(written.error)")
        let raw = try await Kcat.runDebian([
            "-b", broker.bootstrap, "-C", "-t", "counts", "-o", "beginning", "-e", "-q",
        ])
        #expect(
            raw.output.contains(#""op":"c""#) && raw.output.contains(#"{"before":{"w":"tea","c":"#),
            "\(raw.output.prefix(300))")
        let read = try runWeir([
            "-f",
            Self.script(
                """
                CREATE TABLE counts (w STRING, c BIGINT) WITH ('connector' = 'kafka', 'topic' = 'counts', 'format' = 'debezium-json',
                  'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset');
                SELECT w, c FROM counts;
                """), "--format", "csv", "--bootstrap", broker.bootstrap,
        ])
        #expect(read.status == 0, "\(read.error)")
        var table: [String: String] = [:]
        for line in read.output.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",").map(String.init)
            if fields[0] == "+I" || fields[0] == "+U" { table[fields[1]] = fields[2] } else { table[fields[1]] = nil }
        }
        var expected: [String: String] = [:]
        for word in Set(words) { expected[word] = String(words.filter { $0 == word }.count) }
        #expect(table == expected, "\(read.output.suffix(300))")
    }

    /// A partition added while a query runs is found and read from its beginning.
    @Test func newPartitionsArePickedUp() async throws {
        let broker = try WeirBrokerProcess()
        #expect(try runWeir(["topics", "create", "grow", "--bootstrap", broker.bootstrap]).status == 0)
        let script = Self.script(
            """
            CREATE TABLE grow (line STRING, p INT METADATA FROM 'partition')
            WITH ('connector' = 'kafka', 'topic' = 'grow', 'format' = 'raw', 'scan.startup.mode' = 'earliest-offset',
                  'scan.topic-partition-discovery.interval' = '300 ms');
            SELECT line, p FROM grow;
            """)
        let weir = try RunningWeir(["-f", script, "--format", "csv", "--bootstrap", broker.bootstrap])
        #expect(weir.wait(seconds: 20) { weir.error.contains("reading grow (1 partition)") }, "\(weir.error)")
        let cluster = try KafkaCluster(config: ClientConfig(["bootstrap.servers": broker.bootstrap]))
        try await KafkaAdmin(cluster: cluster).createPartitions("grow", totalCount: 2)
        await cluster.close()
        #expect(
            try await Kcat.runDebian(["-b", broker.bootstrap, "-P", "-t", "grow", "-p", "1"], input: "late\n").status
                == 0)
        #expect(weir.wait(seconds: 10) { weir.output.contains("late,1") }, "\(weir.output) \(weir.error)")
        #expect(weir.interrupt() == 0)
    }
}
