import Foundation
import SQLConnectors
import SQLRuntime
import SQLValues
import StreamSQL

/// JSON field extraction on one core: the records of a file (the seeds' payment events),
/// in memory, turned into a row's values by the JSON reader alone — no file reads, no
/// batches, no operators. Two readings of the payment table: every field (createTime as a
/// string), and what the payment job reads (createTime parsed into its event time, two
/// fields skipped). Goal (issue 5): 1 GB/s per core.
func benchmarkJSONExtraction(file: String) throws {
    guard let data = FileManager.default.contents(atPath: file) else {
        print("JSON extraction: cannot read \(file) (scripts/bench-json.sh makes it)")
        return
    }
    let engine = Engine()
    try engine.execute(
        script: """
            CREATE TABLE payment_msg (
              createTime VARCHAR, orderId BIGINT, payAmount DOUBLE, payPlatform INT, provinceId INT,
              rt AS TO_TIMESTAMP(createTime), WATERMARK FOR rt AS rt - INTERVAL '2' SECOND
            ) WITH ('connector' = 'filesystem', 'path' = '\(file)', 'format' = 'json')
            """, writer: DiscardingWriter())
    let bytes = [UInt8](data)
    print("JSON field extraction (\(file), \(bytes.count >> 20) MB in memory)")
    for (name, columns) in [
        (
            "  all five fields (createTime a string)",
            ["createTime", "orderId", "payAmount", "payPlatform", "provinceId"]
        ),
        ("  the payment job's fields", ["rt", "payAmount", "provinceId"]),
    ] {
        guard let table = engine.catalog.table("payment_msg") else { fatalError("the bench's table is missing") }
        var reader = try RecordReader(table: table, reading: columns)
        var records = 0
        let rate = try bytes.withUnsafeBufferPointer { buffer in
            try measure(unitsPerCall: buffer.count, rounds: 3, roundSeconds: 1) {
                records = try reader.decode(lines: buffer).records
            }
        }
        row(
            name,
            "\(format(rate, "B/s")), \(format(rate / Double(bytes.count) * Double(records), "records/s"))"
                + String(format: "  goal 1 GB/s: %.2f×", rate / 1e9))
    }
}

/// A result writer that keeps nothing (the CREATE TABLE above says only that it succeeded).
private final class DiscardingWriter: ResultWriter {
    func message(_ text: String) {}
    func begin(columns: [Column], changelog: Bool) {}
    func rows(_ rows: [Row], kinds: [RowKind]?) {}
    func end(statistics: [String: Int64]) {}
}
