import DemoData
import Foundation
import StreamSQL
import Testing

/// The seeds' payment job against Apache Flink 2.3's own answers on the same 100,000 events
/// (Fixtures/flink-oracle): every window and sum, and the 67 late rows Flink drops.
@Suite struct FlinkOracleTests {
    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent(
        "flink-oracle")

    /// The input file, written once by the Swift port of the generator.
    static let input: String = {
        var text = ""
        for line in PaymentEvents(count: 100_000, seed: 42) { text += line + "\n" }
        return temporaryFile("payments-100k-42.json", [text])
    }()

    static func table(_ path: String) -> String {
        """
        CREATE TABLE payment_msg (
          createTime VARCHAR,
          rt AS TO_TIMESTAMP(createTime),
          orderId BIGINT, payAmount DOUBLE, payPlatform INT, provinceId INT,
          WATERMARK FOR rt AS rt - INTERVAL '2' SECOND
        ) WITH ('connector' = 'filesystem', 'path' = '\(path)', 'format' = 'json');
        CREATE FUNCTION province_id_to_name(id INT) RETURNS STRING AS
          CASE id WHEN 0 THEN 'beijing' WHEN 1 THEN 'shanghai' WHEN 2 THEN 'hangzhou' WHEN 3 THEN 'shenzhen'
                  WHEN 4 THEN 'jiangxi' WHEN 5 THEN 'chongqing' WHEN 6 THEN 'xizang' END;
        """
    }

    static func oracle(_ name: String) throws -> [String: Double] {
        let text = try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
        var rows: [String: Double] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ",", maxSplits: 2).map {
                $0.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
            rows[fields[0] + "|" + fields[2]] = Double(fields[1])!
        }
        return rows
    }

    static func results(_ collector: Collector) -> [String: Double] {
        var rows: [String: Double] = [:]
        for line in collector.lines {
            let fields = line.split(separator: "|").map(String.init)
            rows[fields[0] + "|" + String(fields[2].prefix(19))] = Double(fields[1])!
        }
        return rows
    }

    @Test func theSwiftGeneratorWritesWhatTheOracleScriptWrites() throws {
        let script = Self.fixtures.appendingPathComponent("gen_payments.py").path
        let output = scratchFolder.appendingPathComponent("gen-\(UUID().uuidString).json").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "20000", "7", output]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let python = try String(contentsOfFile: output, encoding: .utf8)
        let swift = PaymentEvents(count: 20000, seed: 7).map { $0 + "\n" }.joined()
        #expect(python == swift)
    }

    @Test(arguments: [
        "SELECT province_id_to_name(provinceId) AS province, SUM(payAmount) AS pay_amount, TUMBLE_START(rt, INTERVAL '5' SECOND) AS rowtime "
            + "FROM payment_msg GROUP BY TUMBLE(rt, INTERVAL '5' SECOND), provinceId",
        "SELECT province_id_to_name(provinceId) AS province, SUM(payAmount) AS pay_amount, window_start AS rowtime "
            + "FROM TABLE(TUMBLE(TABLE payment_msg, DESCRIPTOR(rt), INTERVAL '5' SECOND)) GROUP BY window_start, window_end, provinceId",
    ])
    func streamingGivesFlinksRowsAndDropsTheSameLateRows(query: String) throws {
        let result = try run(Self.table(Self.input) + query)
        let expected = try Self.oracle("oracle_tumble_100k_seed42.csv")
        let actual = Self.results(result)
        #expect(actual.count == 147 && Set(actual.keys) == Set(expected.keys))
        for (key, sum) in expected {
            #expect(abs((actual[key] ?? .nan) - sum) <= 1e-9 * abs(sum), "\(key)")
        }
        #expect(result.statistics["late rows dropped"] == 67)
    }

    @Test func batchModeDropsNothing() throws {
        let result = try run(
            "SET 'execution.runtime-mode' = 'batch';" + Self.table(Self.input) + """
                SELECT province_id_to_name(provinceId), SUM(payAmount), TUMBLE_START(rt, INTERVAL '5' SECOND)
                FROM payment_msg GROUP BY TUMBLE(rt, INTERVAL '5' SECOND), provinceId
                """)
        let expected = try Self.oracle("oracle_tumble_100k_seed42_batch.normalized.csv")
        let actual = Self.results(result)
        #expect(actual.count == 149 && Set(actual.keys) == Set(expected.keys))
        for (key, sum) in expected { #expect(abs((actual[key]! * 100).rounded() / 100 - sum) < 1e-6, "\(key)") }
        #expect(result.statistics["late rows dropped"] ?? 0 == 0)
    }
}
