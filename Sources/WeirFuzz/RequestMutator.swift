import KafkaBroker
import KafkaProtocol

/// SplitMix64: small, fast and reproducible from its seed.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Turns well-formed request frames into the damaged, odd and hostile ones a broker must
/// survive: bit flips, interesting values over lengths and counts, cuts, insertions,
/// duplicated runs, splices of two requests, and other versions of the same API.
enum RequestMutator {
    static let interestingBytes: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0xFE, 0x10, 0x40]
    static let interestingInts: [Int32] = [0, -1, 1, 2, 16, 255, 0x7FFF, Int32.max, Int32.min, 1 << 20]

    /// One to four mutations of `seed`. Bytes 0-3 (API key and version) are kept nine times
    /// in ten, so most mutants reach a handler instead of the unknown-API refusal.
    static func mutate(_ seed: [UInt8], splicing other: [UInt8], using random: inout SeededRandom) -> [UInt8] {
        var bytes = seed
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            let low = bytes.count > 8 && Int.random(in: 0..<10, using: &random) > 0 ? 4 : 0
            guard bytes.count > low else {
                bytes.append(UInt8.random(in: 0...255, using: &random))
                continue
            }
            let position = Int.random(in: low..<bytes.count, using: &random)
            switch Int.random(in: 0..<9, using: &random) {
            case 0:
                bytes[position] ^= 1 << UInt8.random(in: 0..<8, using: &random)
            case 1:
                bytes[position] = interestingBytes.randomElement(using: &random)!
            case 2:
                let value = interestingInts.randomElement(using: &random)!.bigEndian
                withUnsafeBytes(of: value) { raw in
                    for index in 0..<min(4, bytes.count - position) { bytes[position + index] = raw[index] }
                }
            case 3:
                bytes.removeLast(bytes.count - position)
            case 4:
                let noise = (0..<Int.random(in: 1...8, using: &random)).map { _ in
                    UInt8.random(in: 0...255, using: &random)
                }
                bytes.insert(contentsOf: noise, at: position)
            case 5:
                bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...16, using: &random)))
            case 6:
                let end = min(bytes.count, position + Int.random(in: 1...32, using: &random))
                bytes.insert(
                    contentsOf: bytes[position..<end], at: Int.random(in: position...bytes.count, using: &random))
            case 7:
                guard !other.isEmpty else { continue }
                let cut = Int.random(in: 0..<other.count, using: &random)
                bytes = Array(bytes[..<position]) + other[cut...]
            default:
                if bytes.count >= 4 {
                    bytes[2] = 0
                    bytes[3] = UInt8.random(in: 0...17, using: &random)
                }
            }
        }
        return bytes
    }

    /// A request frame (without its size prefix).
    static func frame<Request: KafkaRequest>(_ request: Request, version: Int16) -> [UInt8] {
        Array(KafkaFraming.encodeRequest(request, version: version, correlationId: 1, clientId: "fuzz").dropFirst(4))
    }

    /// `type` with every field at its default, as `version` encodes it.
    static func frame(defaultsOf type: any KafkaRequest.Type, version: Int16) -> [UInt8] {
        func encode<Request: KafkaRequest>(_: Request.Type) -> [UInt8] {
            var empty = ByteReader([])
            return frame(Request(from: &empty, version: version), version: version)
        }
        return encode(type)
    }

    /// Whether a CreateTopics or CreatePartitions frame asks for more than 16 partitions.
    static func asksForManyPartitions(_ frame: [UInt8]) -> Bool {
        guard let (header, reader) = try? KafkaFraming.readRequestHeader(frame) else { return false }
        var body = reader
        if header.requestApiKey == ApiKey.createTopics.rawValue {
            let request = CreateTopicsRequest(from: &body, version: header.requestApiVersion)
            return request.topics.contains { $0.numPartitions > 16 || $0.assignments.count > 16 }
        }
        if header.requestApiKey == ApiKey.createPartitions.rawValue {
            let request = CreatePartitionsRequest(from: &body, version: header.requestApiVersion)
            return request.topics.contains { $0.count > 16 }
        }
        return false
    }
}
