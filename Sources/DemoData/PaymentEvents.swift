import SQLValues

/// The seed 001 payment events, bit for bit as `shared/flink-oracle/gen_payments.py` writes
/// them (its docstring gives the algorithm): SplitMix64, five draws per event, whole-second
/// event times at `rate` events per second from `start`, with a share out of order by 1-2 s
/// and a few 3-10 s behind (late for a 2-second watermark bound). One JSON object per line:
///
/// ```
/// {"createTime": "2024-01-01 00:00:00", "orderId": 1, "payAmount": 27860.12, "payPlatform": 0, "provinceId": 0}
/// ```
public struct PaymentEvents: Sequence, IteratorProtocol {
    public let count: Int
    public let rate: Int
    /// Seconds since the epoch of the first event (UTC).
    public let start: Int64
    public let outOfOrderBasisPoints: UInt64
    public let lateBasisPoints: UInt64
    private var random: SplitMix
    private var index = 0
    private var cachedSecond: Int64 = .min
    private var cachedText = ""

    /// 2024-01-01 00:00:00 UTC, the generator's default start.
    public static let defaultStart: Int64 = 1_704_067_200

    public init(
        count: Int, seed: UInt64, rate: Int = 1000, start: Int64 = defaultStart, outOfOrderBasisPoints: UInt64 = 500,
        lateBasisPoints: UInt64 = 10
    ) {
        self.count = count
        self.rate = rate
        self.start = start
        self.outOfOrderBasisPoints = outOfOrderBasisPoints
        self.lateBasisPoints = lateBasisPoints
        random = SplitMix(seed: seed)
    }

    private mutating func nextRandom() -> UInt64 { random.next() }

    /// The high word of the 128-bit product: a uniform draw below `bound`.
    private mutating func below(_ bound: UInt64) -> UInt64 { random.below(bound) }

    /// The next event's JSON line (without the newline).
    public mutating func next() -> String? {
        guard index < count else { return nil }
        let kind = below(10000)
        let jitter = nextRandom()
        let cents = 1 + below(10_000_000)
        let platform = below(10) < 9 ? 0 : 1
        let province = below(7)
        var time = start + Int64(index / rate)
        if kind < lateBasisPoints {
            time -= 3 + Int64(jitter % 8)
        } else if kind < lateBasisPoints + outOfOrderBasisPoints {
            time -= 1 + Int64(jitter % 2)
        }
        index += 1
        if time != cachedSecond {
            cachedSecond = time
            cachedText = Self.format(time)
        }
        let fraction = cents % 100
        return
            "{\"createTime\": \"\(cachedText)\", \"orderId\": \(index), \"payAmount\": \(cents / 100).\(fraction < 10 ? "0" : "")\(fraction), "
            + "\"payPlatform\": \(platform), \"provinceId\": \(province)}"
    }

    /// `yyyy-MM-dd HH:mm:ss` of seconds since the epoch, UTC.
    static func format(_ seconds: Int64) -> String {
        CivilTime.formatTimestamp(seconds * 1_000_000, precision: 0)
    }
}
