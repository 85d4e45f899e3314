import Foundation
import KafkaClient
import Testing
import WeirTestSupport

/// Jobs over Kafka: checkpoints that survive `kill -9`, changelogs into upsert-kafka, SHOW
/// JOBS and STOP JOB, a sink that cannot write. (Part of the one serialized suite.)
extension KafkaSQLTests {
    /// A checkpointed job killed with SIGKILL at random points, and started again on the same
    /// `--data` each time, ends with Flink's windows: none lost, none with another value (a
    /// window written again after a restart has the same value).
    @Test func aCheckpointedJobSurvivesKillNine() async throws {
        let broker = try WeirBrokerProcess()
        for topic in ["payments", "windows"] {
            #expect(try runWeir(["topics", "create", topic, "--bootstrap", broker.bootstrap]).status == 0)
        }
        let input = FileManager.default.temporaryDirectory.appendingPathComponent(
            "weir-payments-\(UUID().uuidString).json"
        ).path
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("weir-jobs-\(UUID().uuidString)").path
        defer {
            try? FileManager.default.removeItem(atPath: input)
            try? FileManager.default.removeItem(atPath: data)
        }
        #expect(
            try await ChildProcess.run(
                "/usr/bin/env",
                [
                    "python3", Self.oracleFolder.appendingPathComponent("gen_payments.py").path,
                    "100000", "42", input,
                ]
            ).status == 0)
        var lines = try String(contentsOfFile: input, encoding: .utf8).split(separator: "\n").map(String.init)
        lines.append(
            #"{"createTime": "2024-01-01 02:00:00", "orderId": 0, "payAmount": 1.0, "payPlatform": 0, "provinceId": 0}"#
        )
        let job = Self.script(
            """
            SET 'execution.checkpointing.interval' = '100 ms';
            SET 'pipeline.name' = 'payments-5s';
            CREATE TABLE payments (createTime STRING, rt AS TO_TIMESTAMP(createTime), orderId BIGINT, payAmount DOUBLE,
              payPlatform INT, provinceId INT, WATERMARK FOR rt AS rt - INTERVAL '2' SECOND)
            WITH ('connector' = 'kafka', 'topic' = 'payments', 'format' = 'json', 'scan.startup.mode' = 'earliest-offset',
                  'properties.group.id' = 'payments-job');
            CREATE TABLE windows (province STRING, pay_amount DOUBLE, rowtime TIMESTAMP(3))
            WITH ('connector' = 'kafka', 'topic' = 'windows', 'format' = 'json');
            CREATE FUNCTION province_id_to_name(id INT) RETURNS STRING AS
              CASE id WHEN 0 THEN 'beijing' WHEN 1 THEN 'shanghai' WHEN 2 THEN 'hangzhou' WHEN 3 THEN 'shenzhen'
                      WHEN 4 THEN 'jiangxi' WHEN 5 THEN 'chongqing' WHEN 6 THEN 'xizang' END;
            INSERT INTO windows
            SELECT province_id_to_name(provinceId), SUM(payAmount), TUMBLE_START(rt, INTERVAL '5' SECOND)
            FROM payments GROUP BY TUMBLE(rt, INTERVAL '5' SECOND), provinceId;
            """)
        let arguments = ["-f", job, "--bootstrap", broker.bootstrap, "--data", data]
        // The events arrive in six parts, one before each run, so every kill lands while the job has work.
        let parts = 6
        let size = (lines.count + parts - 1) / parts
        var kills: [Double] = []
        for run in 0..<parts {
            let chunk = lines[(run * size)..<min(lines.count, (run + 1) * size)].joined(separator: "\n") + "\n"
            #expect(try runWeir(["produce", "payments", "--bootstrap", broker.bootstrap], input: chunk).status == 0)
            let checkpointed = (FileManager.default.enumerator(atPath: data)?.allObjects as? [String] ?? [])
                .contains { $0.hasSuffix(".json") && $0.contains("checkpoint-") }
            let weir = try RunningWeir(arguments)
            if checkpointed {
                #expect(
                    weir.wait(seconds: 20) { weir.error.contains("resuming from checkpoint") },
                    "run \(run): \(weir.error)")
            }
            if run == parts - 1 { break }
            let delay = Double.random(in: 0.2...1.0)
            kills.append(delay)
            usleep(UInt32(delay * 1_000_000))
            kill(weir.process.processIdentifier, SIGKILL)
            _ = weir.wait(seconds: 10) { !weir.process.isRunning }
        }
        // The last run goes on until every window is out.
        let last = try RunningWeir(arguments)
        let oracle = try Self.oracle()
        var values: [String: [Double]] = [:]
        try await waitUntil(timeout: .seconds(60), poll: .milliseconds(300)) {
            let read = try await Kcat.runDebian([
                "-b", broker.bootstrap, "-C", "-t", "windows", "-o", "beginning", "-e", "-q",
            ])
            values = [:]
            for line in read.output.split(separator: "\n") {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
                values["\(object["province"]!)|\(object["rowtime"]!)", default: []].append(
                    object["pay_amount"] as! Double)
            }
            return values.count >= oracle.count
        }
        #expect(Set(values.keys) == Set(oracle.keys), "killed after \(kills) s: \(last.error)")
        for (key, expected) in oracle {
            for actual in values[key] ?? [] {
                #expect(
                    abs(actual - expected) <= 1e-9 * abs(expected),
                    "\(key): \(actual) vs Flink's \(expected) (killed after \(kills) s)")
            }
        }
        // The checkpoints also committed the job's offsets to its group: nothing left to read.
        var lag = ""
        try waitUntil(timeout: .seconds(5), poll: .milliseconds(100)) {
            lag = try runWeir(["groups", "describe", "payments-job", "--bootstrap", broker.bootstrap]).output
            return lag.contains("total lag 0")
        }
        #expect(lag.contains("payments\t0\t100001\t100001\t0"), "\(lag)")
        #expect(last.interrupt() == 0)
    }

    /// A GROUP BY without a window is a changelog: written to upsert-kafka it leaves each
    /// key's latest row as the key's last message; read back by an upsert-kafka table, the
    /// messages are a changelog again (+I, -U/+U, and -D for a tombstone).
    @Test func nonWindowedCountsThroughUpsertKafka() async throws {
        let broker = try WeirBrokerProcess()
        #expect(
            try runWeir(["topics", "create", "clicks", "--partitions", "2", "--bootstrap", broker.bootstrap]).status
                == 0)
        #expect(try runWeir(["topics", "create", "counts", "--bootstrap", broker.bootstrap]).status == 0)
        let users = ["ana", "bo", "cy", "ana", "ana", "bo", "dee", "cy", "ana"]
        let events = users.enumerated().map { #"{"user":"\#($1)","url":"/page/\#($0)"}"# }
        #expect(
            try await Kcat.runDebian(
                ["-b", broker.bootstrap, "-P", "-t", "clicks"], input: events.joined(separator: "\n") + "\n"
            ).status == 0)
        let job = Self.script(
            """
            CREATE TABLE clicks (`user` STRING, url STRING) WITH ('connector' = 'kafka', 'topic' = 'clicks', 'format' = 'json',
              'scan.startup.mode' = 'earliest-offset');
            CREATE TABLE counts (`user` STRING, clicks BIGINT, last_url STRING, PRIMARY KEY (`user`) NOT ENFORCED)
            WITH ('connector' = 'upsert-kafka', 'topic' = 'counts', 'key.format' = 'json', 'value.format' = 'json');
            INSERT INTO counts SELECT `user`, COUNT(*), LAST_VALUE(url) FROM clicks GROUP BY `user`;
            """)
        let weir = try RunningWeir(["-f", job, "--bootstrap", broker.bootstrap])
        let expected = ["ana": 4, "bo": 2, "cy": 2, "dee": 1]
        var latest: [String: Int] = [:]
        try await waitUntil(timeout: .seconds(30), poll: .milliseconds(200)) {
            let read = try await Kcat.runDebian([
                "-b", broker.bootstrap, "-C", "-t", "counts", "-o", "beginning", "-e", "-q", "-f", "%k\t%s\n",
            ])
            latest = [:]
            for line in read.output.split(separator: "\n") {
                let parts = line.split(separator: "\t").map(String.init)
                let key = try JSONSerialization.jsonObject(with: Data(parts[0].utf8)) as! [String: Any]
                let value = try JSONSerialization.jsonObject(with: Data(parts[1].utf8)) as! [String: Any]
                #expect(key.count == 1, "the message key is the primary key: \(parts[0])")
                latest[key["user"] as! String] = value["clicks"] as? Int
            }
            return latest == expected
        }
        #expect(latest == expected, "\(weir.error)")
        #expect(weir.interrupt() == 0)

        // A tombstone for dee, then the topic read as a changelog.
        #expect(
            try await Kcat.runDebian(
                ["-b", broker.bootstrap, "-P", "-t", "counts", "-K", "|", "-Z"],
                input: #"{"user":"dee"}|"# + "\n"
            ).status == 0)
        let query = Self.script(
            """
            CREATE TABLE counts (`user` STRING, clicks BIGINT, last_url STRING, PRIMARY KEY (`user`) NOT ENFORCED)
            WITH ('connector' = 'upsert-kafka', 'topic' = 'counts', 'key.format' = 'json', 'value.format' = 'json',
                  'scan.bounded.mode' = 'latest-offset');
            SELECT `user`, clicks FROM counts;
            """)
        let read = try runWeir(["-f", query, "--format", "csv", "--bootstrap", broker.bootstrap])
        #expect(read.status == 0, "\(read.error)")
        var table: [String: String] = [:]
        var operations: [String: Int] = [:]
        for line in read.output.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",").map(String.init)
            operations[fields[0], default: 0] += 1
            switch fields[0] {
            case "+I", "+U": table[fields[1]] = fields[2]
            case "-D": table[fields[1]] = nil
            default: #expect(table[fields[1]] == fields[2], "-U retracts the row shown: \(line)")
            }
        }
        #expect(table == ["ana": "4", "bo": "2", "cy": "2"], "\(read.output)")
        #expect(operations["-D"] == 1 && operations["+I"] == 4 && operations["-U"] == operations["+U"], "\(operations)")

        // The changelog aggregated: each update and the tombstone take their old rows back.
        let grouped = try runWeir([
            "-f",
            Self.script(
                """
                CREATE TABLE counts (`user` STRING, clicks BIGINT, last_url STRING, PRIMARY KEY (`user`) NOT ENFORCED)
                WITH ('connector' = 'upsert-kafka', 'topic' = 'counts', 'key.format' = 'json', 'value.format' = 'json',
                      'scan.bounded.mode' = 'latest-offset');
                SELECT clicks, COUNT(*) AS users, MAX(`user`) AS last_user FROM counts GROUP BY clicks;
                """), "--format", "csv", "--bootstrap", broker.bootstrap,
        ])
        #expect(grouped.status == 0, "\(grouped.error)")
        var groups: [String: String] = [:]
        for line in grouped.output.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",", maxSplits: 2).map(String.init)
            switch fields[0] {
            case "+I", "+U": groups[fields[1]] = fields[2]
            case "-D": groups[fields[1]] = nil
            default: #expect(groups[fields[1]] == fields[2], "-U retracts the row shown: \(line)")
            }
        }
        #expect(groups == ["2": "2,cy", "4": "1,ana"], "\(grouped.output)")
    }

    /// SHOW JOBS lists a running job with its counts; STOP JOB (by id or pipeline name) stops it.
    @Test func showAndStopJobs() async throws {
        let broker = try WeirBrokerProcess()
        #expect(try runWeir(["topics", "create", "lines", "--bootstrap", broker.bootstrap]).status == 0)
        #expect(
            try runWeir(["produce", "lines", "--bootstrap", broker.bootstrap], input: "one\ntwo\nthree\n").status == 0)
        let script = Self.script(
            """
            CREATE TABLE lines (line STRING) WITH ('connector' = 'kafka', 'topic' = 'lines', 'format' = 'raw', 'scan.startup.mode' = 'earliest-offset');
            CREATE TABLE shouted (line STRING) WITH ('connector' = 'kafka', 'topic' = 'shouted', 'format' = 'raw');
            SET 'pipeline.name' = 'shout';
            INSERT INTO shouted SELECT UPPER(line) FROM lines;
            SELECT * FROM shouted LIMIT 3;
            SHOW JOBS;
            STOP JOB 'shout';
            SHOW JOBS;
            """)
        let result = try runWeir(["-f", script, "--format", "csv", "--bootstrap", broker.bootstrap])
        #expect(result.status == 0, "\(result.error)")
        let lines = result.output.split(separator: "\n").map(String.init)
        let listings = lines.filter {
            $0.contains(",shout") || $0.hasSuffix("INSERT INTO shouted SELECT UPPER(line) FROM lines")
        }
        #expect(listings.count == 2, "\(result.output)")
        // The SELECT of the job's output ended once the job had written the three lines.
        #expect(
            listings.first?.contains(",RUNNING,3,3,") == true, "the job read and wrote the three lines: \(listings)")
        #expect(listings.last?.contains(",CANCELED,") == true, "\(listings)")
        #expect(result.error.contains("stopped: 3 rows in, 3 rows out"), "\(result.error)")
        let shouted = try await Kcat.runDebian([
            "-b", broker.bootstrap, "-C", "-t", "shouted", "-o", "beginning", "-e", "-q",
        ])
        #expect(shouted.output == "ONE\nTWO\nTHREE\n")
    }

    /// Rows reach the sink's producer without the query waiting for it (`ProducerFeed`): a
    /// failure to queue them — here a topic the broker will not create — still fails the job
    /// with the reason, and the rows before it are written in order.
    @Test func aSinkThatCannotWriteFailsItsJob() async throws {
        let broker = try WeirBrokerProcess(arguments: ["--config", "auto.create.topics.enable=false"])
        #expect(try runWeir(["topics", "create", "numbers", "--bootstrap", broker.bootstrap]).status == 0)
        #expect(try runWeir(["topics", "create", "copies", "--bootstrap", broker.bootstrap]).status == 0)
        let numbers = (1...3000).map(String.init).joined(separator: "\n") + "\n"
        #expect(try runWeir(["produce", "numbers", "--bootstrap", broker.bootstrap], input: numbers).status == 0)
        let copy = Self.script(
            """
            CREATE TABLE numbers (n STRING) WITH ('connector' = 'kafka', 'topic' = 'numbers', 'format' = 'raw',
              'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset');
            CREATE TABLE copies (n STRING) WITH ('connector' = 'kafka', 'topic' = 'copies', 'format' = 'raw', 'sink.partitioner' = 'fixed');
            INSERT INTO copies SELECT n FROM numbers;
            """)
        let copied = try runWeir(["-f", copy, "--bootstrap", broker.bootstrap])
        #expect(copied.status == 0, "\(copied.error)")
        let written = try await Kcat.runDebian([
            "-b", broker.bootstrap, "-C", "-t", "copies", "-o", "beginning", "-e", "-q",
        ])
        #expect(written.output == numbers)
        let lost = Self.script(
            """
            CREATE TABLE numbers (n STRING) WITH ('connector' = 'kafka', 'topic' = 'numbers', 'format' = 'raw',
              'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset');
            CREATE TABLE nowhere (n STRING) WITH ('connector' = 'kafka', 'topic' = 'nowhere', 'format' = 'raw');
            INSERT INTO nowhere SELECT n FROM numbers;
            """)
        let failed = try runWeir(["-f", lost, "--bootstrap", broker.bootstrap])
        #expect(failed.status != 0)
        #expect(failed.error.contains("kafka:") && failed.error.contains("nowhere"), "\(failed.error)")
    }
}
