import Testing

/// Tests that time what they wait for (how soon a client gives up, a TLS refusal) and the
/// heavy end-to-end tests (whole pipelines of processes) must not overlap: on two cores the
/// second would stretch the first's timings. A test or suite marked `.loadSensitive` runs
/// only while no other marked test does.
public struct LoadSensitive: TestTrait, SuiteTrait, TestScoping {
    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        // One slot per test case; the suite itself does not hold it (its tests wait for it).
        guard testCase != nil else { return try await function() }
        await ExclusiveSlot.shared.acquire()
        do {
            try await function()
        } catch {
            await ExclusiveSlot.shared.release()
            throw error
        }
        await ExclusiveSlot.shared.release()
    }
}

extension Trait where Self == LoadSensitive {
    public static var loadSensitive: Self { LoadSensitive() }
}

/// A one-at-a-time slot, in arrival order.
actor ExclusiveSlot {
    static let shared = ExclusiveSlot()
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func acquire() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}
