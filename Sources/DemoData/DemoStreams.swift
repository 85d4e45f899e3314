import Foundation
import SQLValues

/// One message of a demo data set.
public struct DemoMessage: Sendable {
    public var key: String?
    public var value: String
}

/// The seeds' data sets as live streams for `weir demo` and the workbench's `\demo`: each
/// names its topic, and makes message after message with event times of now (so windows
/// fire in real time) unless the data set has fixed times of its own (user-events).
public enum DemoStream: String, CaseIterable, Sendable {
    /// Seed 001: `{createTime, orderId, payAmount, payPlatform, provinceId}`, payAmount uniform
    /// below 100,000, platform 0 nine times in ten, province 0…6.
    case payments
    /// Seed 003's word count, as lines of words.
    case words
    /// Seed 000: `{a, b, c, time}`, first its six events, then more of the same shape.
    case userEvents = "user-events"
    /// Seed 004: recipe pages as raw HTML (key "raw") for the raw → parsed → calorie alert pipeline.
    case recipes
    /// Seed 003's per-user clicks: `{user, url, ts}`.
    case clicks

    /// The topic the seed writes.
    public var topic: String {
        switch self {
        case .payments: return "payment_msg"
        case .words: return "words"
        case .userEvents: return "user"
        case .recipes: return "raw_recipes"
        case .clicks: return "clicks"
        }
    }

    /// Messages per second when none is given: slow enough to watch windows fill.
    public var defaultRate: Double {
        switch self {
        case .payments: return 20
        case .words: return 5
        case .userEvents: return 0
        case .recipes: return 2
        case .clicks: return 50
        }
    }

    /// How many messages when no count is given (nil: until stopped).
    public var defaultCount: Int? { self == .userEvents ? 6 : nil }

    public func generator(seed: UInt64 = UInt64(Date().timeIntervalSince1970 * 1000)) -> DemoGenerator {
        DemoGenerator(stream: self, seed: seed)
    }
}

/// Makes a demo stream's messages, one per `next(now:)`.
public struct DemoGenerator: Sendable {
    public let stream: DemoStream
    private var random: SplitMix
    private var index = 0
    /// Order ids count up from the first message's second, as the seed's producer does.
    private var firstOrderId: Int64?

    init(stream: DemoStream, seed: UInt64) {
        self.stream = stream
        random = SplitMix(seed: seed)
    }

    /// The next message, stamped with `now` where the data set uses the current time.
    public mutating func next(now: Date = Date()) -> DemoMessage {
        defer { index += 1 }
        let seconds = Int64(now.timeIntervalSince1970)
        let stamp = CivilTime.formatTimestamp(seconds * 1_000_000, precision: 0)
        switch stream {
        case .payments:
            let amount = Double(random.below(10_000_000)) / 100
            let platform = random.below(10) < 9 ? 0 : 1
            let province = random.below(7)
            if firstOrderId == nil { firstOrderId = seconds }
            return DemoMessage(
                key: nil,
                value: "{\"createTime\": \"\(stamp)\", \"orderId\": \(firstOrderId! + Int64(index) + 1), "
                    + "\"payAmount\": \(amount), \"payPlatform\": \(platform), \"provinceId\": \(province)}")
        case .words:
            let count = 3 + Int(random.below(6))
            let line = (0..<count).map { _ in Self.words[Int(random.below(UInt64(Self.words.count)))] }.joined(
                separator: " ")
            return DemoMessage(key: nil, value: line)
        case .userEvents:
            if index < Self.userEvents.count { return DemoMessage(key: nil, value: Self.userEvents[index]) }
            // More of the same shape: ten minutes apart from the last of the six.
            let time = 1_357_003_453 + Int64(index - Self.userEvents.count + 1) * 600
            let text =
                CivilTime.formatTimestamp(time * 1_000_000, precision: 0).replacingOccurrences(of: " ", with: "T") + "Z"
            let a = random.below(2) == 0 ? "a" : "b"
            return DemoMessage(
                key: nil,
                value:
                    "{\"a\": \"\(a)\", \"b\": \(1 + random.below(9)), \"c\": \(1 + random.below(9)), \"time\": \"\(text)\"}"
            )
        case .recipes:
            let (name, base) = Self.recipes[Int(random.below(UInt64(Self.recipes.count)))]
            let calories = base + Int(random.below(120)) - 60
            return DemoMessage(
                key: "raw",
                value: "<html><head><title>\(name) | Allrecipes</title></head><body>"
                    + "<h1 class=\"headline recipe-title\">\(name)</h1><span class=\"recipe-servings\">\(2 + random.below(6)) servings</span>"
                    + "<span class=\"calorie-count\"><span>\(calories)</span> cals</span>"
                    + "<ul class=\"ingredients\"><li>\(Self.words[Int(random.below(UInt64(Self.words.count)))])</li></ul></body></html>"
            )
        case .clicks:
            // A few users click much more than the rest, so a top-N has a shape.
            let user = random.below(4) == 0 ? random.below(5) : random.below(100)
            let millis = Int64(now.timeIntervalSince1970 * 1000)
            return DemoMessage(
                key: "user_\(user)",
                value: "{\"user\": \"user_\(user)\", \"url\": \"/product/\(random.below(40))\", "
                    + "\"ts\": \"\(CivilTime.formatTimestamp(millis * 1000, precision: 3))\"}")
        }
    }

    static let userEvents = [
        #"{"a": "a", "b": 1, "c": 1, "time": "2013-01-01T00:14:13Z"}"#,
        #"{"a": "b", "b": 2, "c": 2, "time": "2013-01-01T00:24:13Z"}"#,
        #"{"a": "a", "b": 3, "c": 3, "time": "2013-01-01T00:34:13Z"}"#,
        #"{"a": "a", "b": 4, "c": 4, "time": "2013-01-01T01:14:13Z"}"#,
        #"{"a": "b", "b": 4, "c": 5, "time": "2013-01-01T01:24:13Z"}"#,
        #"{"a": "a", "b": 5, "c": 2, "time": "2013-01-01T01:34:13Z"}"#,
    ]

    static let words = [
        "flink", "kafka", "weir", "stream", "window", "watermark", "table", "query", "event", "time",
        "state", "topic", "offset", "partition", "broker", "join",
    ]

    static let recipes: [(String, Int)] = [
        ("California Coleslaw", 240), ("Holiday Chicken Salad", 280), ("Cran-Broccoli Salad", 180),
        ("Pasta Salad", 320),
        ("Greek Salad", 210), ("Potato Salad", 350), ("Waldorf Salad", 260), ("Taco Salad", 420),
    ]
}

/// SplitMix64: a small, fast generator with a seed (so a demo can be replayed).
struct SplitMix: Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: UInt64) -> UInt64 { next().multipliedFullWidth(by: bound).high }
}
