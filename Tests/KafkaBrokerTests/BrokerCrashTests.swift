import Foundation
import KafkaProtocol
import Testing
import WeirTestSupport

extension BrokerTests {
    /// The broker killed with SIGKILL mid-stream, and its last segment damaged by hand: what
    /// was acknowledged survives exactly once and in order, and recovery keeps every intact batch.
    @Suite(.serialized, .timeLimit(.minutes(3))) struct BrokerCrashTests {
        /// Every `.log` segment under `folder`, read whole with every CRC checked.
        static func scanSegments(_ folder: String) throws -> [String: [RecordBatch]] {
            var result: [String: [RecordBatch]] = [:]
            let partitions = try FileManager.default.contentsOfDirectory(atPath: folder).filter {
                !$0.hasPrefix("__") && !$0.contains(".")
            }
            for partition in partitions {
                let path = folder + "/" + partition
                guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else { continue }
                for name in names.filter({ $0.hasSuffix(".log") }).sorted() {
                    let bytes = [UInt8](FileManager.default.contents(atPath: path + "/" + name) ?? Data())
                    let set = try RecordSet.decode(bytes)
                    #expect(set.truncatedBytes == 0, "\(partition)/\(name) ends with a partial batch")
                    result[partition, default: []] += set.batches
                }
            }
            return result
        }

        @Test func acknowledgedRecordsSurviveSIGKILLExactlyOnceAndInOrder() async throws {
            let broker = try WeirBrokerProcess(arguments: ["--config", "num.partitions=2"])
            let output = broker.dataDirectory + "-producer.out"
            defer { try? FileManager.default.removeItem(atPath: output) }
            FileManager.default.createFile(atPath: output, contents: nil)
            let producer = Process()
            producer.executableURL = URL(fileURLWithPath: TansuBroker.python())
            producer.arguments = [peerScript("steady_producer.py"), broker.bootstrap, "crashing", "6"]
            producer.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            producer.standardError = FileHandle.nullDevice
            try producer.run()
            defer { if producer.isRunning { kill(producer.processIdentifier, SIGKILL) } }

            // Two crashes while the producer writes flat out, at times that differ run to run.
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<2 {
                try await Task.sleep(nanoseconds: UInt64.random(in: 1_000_000_000...2_000_000_000, using: &generator))
                try await offCooperativePool { broker.kill(signal: SIGKILL) }
                try await Task.sleep(nanoseconds: 300_000_000)
                try await offCooperativePool { try broker.start() }
            }
            await waitUntil(timeout: .seconds(120), poll: .milliseconds(100)) { !producer.isRunning }
            #expect(!producer.isRunning, "the producer finished")

            let lines = try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n")
            let done = try #require(lines.last { $0.hasPrefix("done ") }).split(separator: " ")
            let (sent, acked, failed) = (Int(done[1])!, Int(done[2])!, Int(done[3])!)
            #expect(failed == 0 && acked == sent, "\(sent) sent, \(acked) acknowledged, \(failed) failed")
            #expect(acked > 1000, "the producer kept writing through the crashes")

            // Every acknowledged value at its acknowledged offset, once; per partition in the order written.
            var acknowledged: [Int: [(offset: Int, value: Int)]] = [:]
            for line in lines where line.hasPrefix("ack ") {
                let parts = line.split(separator: " ")
                acknowledged[Int(parts[2])!, default: []].append((Int(parts[3])!, Int(parts[1].dropFirst(2))!))
            }
            let stored = try Self.scanSegments(broker.dataDirectory)
            for (partition, acks) in acknowledged {
                let records = (stored["crashing-\(partition)"] ?? []).flatMap(\.records)
                let values = records.map { Int(String(decoding: $0.value ?? [], as: UTF8.self).dropFirst(2))! }
                #expect(values.count == Set(values).count, "partition \(partition): no value twice")
                #expect(values == values.sorted(), "partition \(partition): in the order written")
                let byOffset = Dictionary(uniqueKeysWithValues: zip(records.map { Int($0.offset) }, values))
                for ack in acks {
                    #expect(byOffset[ack.offset] == ack.value, "partition \(partition) offset \(ack.offset)")
                }
                #expect(Set(values) == Set(acks.map(\.value)), "partition \(partition): exactly what was acknowledged")
            }

            // And a reader nobody here wrote sees the same.
            let read = try await Kcat.runDebian([
                "-b", broker.bootstrap, "-C", "-t", "crashing", "-e", "-q", "-f", "%s\n",
            ])
            #expect(read.output.split(separator: "\n").count == acked)
            #expect(broker.log().contains("recovery") || broker.log().contains("listening"))
        }

        @Test func recoveryCutsATornOrCorruptTailAndKeepsEveryIntactBatch() async throws {
            for damage in ["torn", "corrupt"] {
                let broker = try WeirBrokerProcess(arguments: ["--config", "num.partitions=1"])
                // Four batches of five records each (librdkafka batches what it has at each linger).
                for round in 0..<4 {
                    let lines = (0..<5).map { "r\(round)-\($0)" }.joined(separator: "\n") + "\n"
                    let produced = try await Kcat.runDebian(
                        ["-b", broker.bootstrap, "-P", "-t", "damaged", "-X", "linger.ms=50"], input: lines)
                    #expect(produced.status == 0)
                }
                try await offCooperativePool { broker.kill(signal: SIGKILL) }

                let segment = broker.dataDirectory + "/damaged-0/00000000000000000000.log"
                var bytes = [UInt8](FileManager.default.contents(atPath: segment) ?? Data())
                let batches = try RecordSet.decode(bytes).batches
                #expect(batches.count == 4)
                let lastStart = bytes.count - (try batches.last!.encoded().count)
                if damage == "torn" {
                    bytes.removeLast((bytes.count - lastStart) / 2)
                } else {
                    bytes[bytes.count - 3] ^= 0x5A
                }
                try Data(bytes).write(to: URL(fileURLWithPath: segment))
                // The index of that segment is damaged too: pointing past the cut.
                try Data(repeating: 0xEE, count: 24).write(
                    to: URL(fileURLWithPath: broker.dataDirectory + "/damaged-0/00000000000000000000.index"))

                try await offCooperativePool { try broker.start() }
                let read = try await Kcat.runDebian([
                    "-b", broker.bootstrap, "-C", "-t", "damaged", "-e", "-q", "-f", "%o:%s\n",
                ])
                let expected = (0..<15).map { "\($0):r\($0 / 5)-\($0 % 5)" }
                #expect(read.output.split(separator: "\n").map(String.init) == expected, "\(damage)")
                #expect(broker.log().contains("recovery cut"), "\(damage): recovery is logged")

                // Writing goes on where the intact log ends.
                _ = try await Kcat.runDebian(["-b", broker.bootstrap, "-P", "-t", "damaged"], input: "after\n")
                let next = try await Kcat.runDebian([
                    "-b", broker.bootstrap, "-C", "-t", "damaged", "-o", "15", "-e", "-q", "-f", "%o:%s\n",
                ])
                #expect(next.output == "15:after\n", "\(damage)")
                try await offCooperativePool { broker.kill(signal: SIGTERM) }
                _ = try Self.scanSegments(broker.dataDirectory)
            }
        }

        func peerScript(_ name: String) -> String {
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("WeirTestSupport/Peers/\(name)").path
        }
    }
}
