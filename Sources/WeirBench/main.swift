import Foundation
import KafkaProtocol

#if canImport(Glibc)
    import Glibc
#endif

// Weir's benchmarks. Run in release mode:
//   swift run -c release WeirBench [protocol] [json [FILE]]
// Each figure is the best of several timed rounds of about half a second.
// Figures and how to read them: BENCHMARKS.md.

/// Runs `body` (which processes `unitsPerCall` units) repeatedly; returns the best units per second.
func measure(
    unitsPerCall: Int, rounds: Int = 5, roundSeconds: Double = 0.5, _ body: () throws -> Void
) rethrows -> Double {
    var best = 0.0
    for _ in 0..<rounds {
        var calls = 0
        let start = DispatchTime.now().uptimeNanoseconds
        var elapsed = 0.0
        repeat {
            try body()
            calls += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < roundSeconds
        best = max(best, Double(calls * unitsPerCall) / elapsed)
    }
    return best
}

func format(_ value: Double, _ unit: String) -> String {
    if value >= 1e9 { return String(format: "%.2f G%@", value / 1e9, unit) }
    if value >= 1e6 { return String(format: "%.2f M%@", value / 1e6, unit) }
    return String(format: "%.0f %@", value, unit)
}

func row(_ name: String, _ figures: String) {
    print(name.padding(toLength: 44, withPad: " ", startingAt: 0) + figures)
}

/// 100-byte JSON-like values, as the payments demo writes, with a small key.
func sampleRecords(count: Int) -> [Record] {
    (0..<count).map { index in
        var value =
            "{\"createTime\":\"2026-11-23 12:00:\(String(format: "%02d", index % 60))\",\"orderId\":\(1_000_000 + index),\"payAmount\":\(index * 37 % 99991)}"
        value = value.padding(toLength: 100, withPad: " ", startingAt: 0)
        return Record(
            timestamp: 1_795_000_000_000 + Int64(index), key: Array("k\(index % 16)".utf8), value: Array(value.utf8))
    }
}

func benchmarkBatches() throws {
    let recordsPerBatch = 1000
    let records = sampleRecords(count: recordsPerBatch)
    print("Record batches: \(recordsPerBatch) records of 100-byte values per batch, one core")
    for codec in [CompressionCodec.none, .lz4, .zstd, .snappy, .gzip] {
        let batch = RecordBatch(records: records, compression: codec)
        let bytes = try batch.encoded()
        let decodeRate = try measure(unitsPerCall: recordsPerBatch) {
            let decoded = try RecordBatch.decodeV2(bytes, at: 0)
            precondition(decoded?.records.count == recordsPerBatch)
        }
        let encodeRate = try measure(unitsPerCall: recordsPerBatch) {
            _ = try batch.encoded()
        }
        let bytesPerRecord = Double(bytes.count) / Double(recordsPerBatch)
        let uncompressedPerRecord = Double(try RecordBatch(records: records).encoded().count) / Double(recordsPerBatch)
        row(
            "  decode \(codec)",
            "\(format(decodeRate, "records/s"))  \(format(decodeRate * uncompressedPerRecord, "B/s")) of records"
                + (codec == .none ? String(format: "  (goal 10M/s: %.2fx)", decodeRate / 10e6) : ""))
        row(
            "  encode \(codec)",
            "\(format(encodeRate, "records/s"))  \(format(encodeRate * uncompressedPerRecord, "B/s")) of records"
                + (codec == .none
                    ? ""
                    : String(format: "  (%.0f%% of uncompressed size)", 100 * bytesPerRecord / uncompressedPerRecord)))
    }
}

func benchmarkCRC() {
    var generator = SystemRandomNumberGenerator()
    let buffer = (0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
    let small = Array(buffer[0..<(16 * 1024)])
    print("CRC-32C (hardware instruction: \(CRC32C.isHardwareAccelerated ? "yes" : "no"))")
    var sink: UInt32 = 0
    let large = measure(unitsPerCall: buffer.count) { sink ^= CRC32C.checksum(buffer) }
    row("  1 MiB buffers", "\(format(large, "B/s"))" + String(format: "  (goal 5 GB/s: %.2fx)", large / 5e9))
    let batchSized = measure(unitsPerCall: small.count) { sink ^= CRC32C.checksum(small) }
    row("  16 KiB buffers", format(batchSized, "B/s"))
    let portable = measure(unitsPerCall: buffer.count) { sink ^= CRC32C.portableChecksum(buffer) }
    row("  1 MiB, portable slicing-by-8", format(portable, "B/s"))
    if sink == 0x1234_5678 { print("") } // keep the work observable
}

/// The system liblz4, loaded at run time, as the anchor for Weir's own LZ4.
struct SystemLZ4 {
    typealias Compress = @convention(c) (UnsafePointer<UInt8>?, UnsafeMutablePointer<UInt8>?, Int32, Int32) -> Int32
    typealias Decompress = @convention(c) (UnsafePointer<UInt8>?, UnsafeMutablePointer<UInt8>?, Int32, Int32) -> Int32
    let compress: Compress
    let decompress: Decompress

    init?() {
        guard let library = dlopen("liblz4.so.1", RTLD_NOW),
            let compress = dlsym(library, "LZ4_compress_default"),
            let decompress = dlsym(library, "LZ4_decompress_safe")
        else { return nil }
        self.compress = unsafeBitCast(compress, to: Compress.self)
        self.decompress = unsafeBitCast(decompress, to: Decompress.self)
    }
}

func benchmarkLZ4Anchor() throws {
    guard let system = SystemLZ4() else {
        print("LZ4 anchor: liblz4.so.1 not found (install liblz4-1); skipped")
        return
    }
    // The same uncompressed bytes a 1000-record batch compresses.
    var plainWriter = ByteWriter()
    try RecordBatch(records: sampleRecords(count: 1000)).write(to: &plainWriter)
    let plain = Array(plainWriter.bytes.dropFirst(RecordBatchHeader.size))
    let framed = CompressionCodec.lz4
    let ours = try framed.compress(plain)
    var systemOutput = [UInt8](repeating: 0, count: plain.count + plain.count / 255 + 64)
    let systemSize = Int(
        plain.withUnsafeBufferPointer { source in
            systemOutput.withUnsafeMutableBufferPointer { destination in
                system.compress(
                    source.baseAddress, destination.baseAddress, Int32(source.count), Int32(destination.count))
            }
        })
    let systemBlock = Array(systemOutput[0..<systemSize])
    var restored = [UInt8](repeating: 0, count: plain.count)
    print("LZ4 beside the system liblz4 (\(plain.count) bytes of batch records)")
    let ourCompress = try measure(unitsPerCall: plain.count) { _ = try framed.compress(plain) }
    let theirCompress = measure(unitsPerCall: plain.count) {
        _ = plain.withUnsafeBufferPointer { source in
            systemOutput.withUnsafeMutableBufferPointer { destination in
                system.compress(
                    source.baseAddress, destination.baseAddress, Int32(source.count), Int32(destination.count))
            }
        }
    }
    let ourDecompress = try measure(unitsPerCall: plain.count) { _ = try framed.decompress(ours) }
    let theirDecompress = measure(unitsPerCall: plain.count) {
        _ = systemBlock.withUnsafeBufferPointer { source in
            restored.withUnsafeMutableBufferPointer { destination in
                system.decompress(
                    source.baseAddress, destination.baseAddress, Int32(source.count), Int32(destination.count))
            }
        }
    }
    row(
        "  compress: Weir / liblz4",
        "\(format(ourCompress, "B/s")) / \(format(theirCompress, "B/s"))"
            + String(format: "  ratio %.2f; sizes %d / %d", ourCompress / theirCompress, ours.count, systemSize))
    row(
        "  decompress: Weir / liblz4",
        "\(format(ourDecompress, "B/s")) / \(format(theirDecompress, "B/s"))"
            + String(format: "  ratio %.2f", ourDecompress / theirDecompress))
}

func benchmarkMessages() throws {
    // A Fetch response with 8 partitions of 64 KiB records each: what a consumer decodes per poll.
    let batch = try RecordBatch(records: sampleRecords(count: 500)).encoded()
    var response = FetchResponse()
    response.responses = [
        FetchResponse.FetchableTopicResponse(
            topic: "payment_msg",
            partitions: (0..<8).map {
                FetchResponse.FetchableTopicResponse.PartitionData(
                    partitionIndex: Int32($0), highWatermark: 500, records: batch)
            }
        )
    ]
    let frame = response.encoded(version: 16)
    let rate = try measure(unitsPerCall: frame.count) { _ = try FetchResponse.decode(frame, version: 16) }
    print("Messages")
    row("  FetchResponse v16 decode (8×\(batch.count / 1024) KiB)", format(rate, "B/s"))
    let metadata = MetadataResponse(
        brokers: [MetadataResponse.MetadataResponseBroker(nodeId: 1, host: "127.0.0.1", port: 9092)],
        topics: (0..<100).map { topicIndex in
            MetadataResponse.MetadataResponseTopic(
                name: "topic-\(topicIndex)",
                partitions: (0..<12).map {
                    MetadataResponse.MetadataResponseTopic.MetadataResponsePartition(
                        partitionIndex: Int32($0), leaderId: 1, replicaNodes: [1], isrNodes: [1])
                })
        })
    let metadataFrame = metadata.encoded(version: 12)
    let metadataRate = try measure(unitsPerCall: 1) { _ = try MetadataResponse.decode(metadataFrame, version: 12) }
    row("  MetadataResponse v12 decode (100×12)", format(metadataRate, "responses/s"))
}

let suites = CommandLine.arguments.dropFirst()
if suites.isEmpty || suites.contains("protocol") {
    try benchmarkBatches()
    benchmarkCRC()
    try benchmarkLZ4Anchor()
    try benchmarkMessages()
}
if suites.contains("json") {
    // The file after "json", or the 1,000,000 payment events scripts/bench-json.sh writes.
    let arguments = Array(suites)
    let position = arguments.firstIndex(of: "json")!
    let file = position + 1 < arguments.count ? arguments[position + 1] : "/tmp/weir-payments-1000000-42.json"
    try benchmarkJSONExtraction(file: file)
}
