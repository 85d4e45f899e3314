import Foundation
import Testing
import WeirTestSupport

extension BrokerTests {
    /// The broker's request handling under a million seeded mutations of real requests:
    /// `WeirFuzz` (Sources/WeirFuzz) runs them in a process of its own at low priority, so a
    /// trap fails this test (not the whole run) and its load does not starve the other tests.
    /// `WEIR_FUZZ_ITERATIONS` and `WEIR_FUZZ_SEED` change the count and the seed.
    @Suite struct BrokerFuzzTests {
        @Test(.timeLimit(.minutes(10))) func aMillionMutatedRequestsNeverCrashTheBroker() async throws {
            let environment = ProcessInfo.processInfo.environment
            let iterations = environment["WEIR_FUZZ_ITERATIONS"] ?? "1000000"
            let seed = environment["WEIR_FUZZ_SEED"] ?? "1592642302"
            let fuzzer = try weirBinary().deletingLastPathComponent().appendingPathComponent("WeirFuzz").path
            let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("KafkaProtocolTests/Fixtures/frames").path
            let result = try await ChildProcess.run(
                "/usr/bin/nice",
                ["-n", "19", fuzzer, "--iterations", iterations, "--seed", seed, "--fixtures", fixtures],
                timeoutSeconds: 540)
            print(result.output)
            #expect(
                result.status == 0,
                "the fuzzer failed or crashed: \(result.output.suffix(2000)) \(result.error.suffix(2000))")
            #expect(result.output.contains("fuzz: the broker still serves"))
            #expect(!result.output.contains("fuzz problem"))
        }
    }
}
