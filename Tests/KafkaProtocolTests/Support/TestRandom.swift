import Foundation

@testable import KafkaProtocol

/// A seeded generator (SplitMix64), so a failing case is reproduced from its seed.
struct TestRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed &+ 0x9E37_79B9_7F4A_7C15
    }

    mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }

    mutating func integer<T: FixedWidthInteger>(_: T.Type) -> T {
        // Favour the edges, where encodings change width or sign.
        switch next() % 4 {
        case 0: return [T.min, T.max, 0, T(exactly: -1) ?? 1][Int(next() % 4)]
        default: return T(truncatingIfNeeded: next())
        }
    }

    mutating func bool() -> Bool { next() & 1 == 1 }
    mutating func oneIn(_ odds: UInt64) -> Bool { next() % odds == 0 }
    mutating func double() -> Double { Double(bitPattern: next() & 0x7FEF_FFFF_FFFF_FFFF) }
    mutating func uuid() -> KafkaUUID { KafkaUUID(high: next(), low: next()) }

    mutating func string() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz-_.0123456789é漢")
        let length = Int(next() % 12)
        return String((0..<length).map { _ in alphabet[Int(next() % UInt64(alphabet.count))] })
    }

    mutating func bytes(maxCount: Int = 24) -> [UInt8] {
        (0..<Int(next() % UInt64(maxCount + 1))).map { _ in UInt8(truncatingIfNeeded: next()) }
    }

    mutating func array<T>(_ make: (inout TestRandom) -> T) -> [T] {
        (0..<Int(next() % 4)).map { _ in make(&self) }
    }
}

/// A generated message type that can make random values for a version.
protocol RandomMessage: KafkaMessage {
    static func random(version: Int16, using random: inout TestRandom) -> Self
}

enum Fixtures {
    /// The folder of committed fixtures.
    static var directory: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    }
}
