import Foundation
import SQLPlanner
import SQLSyntax
import SQLValues

/// VAR_POP, VAR_SAMP, STDDEV_POP and STDDEV_SAMP. Of DOUBLEs from Welford's running mean and
/// sum of squared differences, as Flink computes them; of integers and DECIMALs by Calcite's
/// reduction in the argument's arithmetic, (SUM(x²) − SUM(x)² / COUNT) / COUNT (or COUNT − 1,
/// and NULL for one value); the standard deviations the square root in the result's type.
final class VarianceColumn: AggregateColumn {
    /// One group's running sums, in the arithmetic of the values that came.
    struct Sums {
        var count: Int64 = 0
        var integerSum: Int64 = 0
        var integerSquares: Int64 = 0
        /// DOUBLEs: the mean so far, and the sum of squared differences from it.
        var mean: Double = 0
        var squaredDifferences: Double = 0
        var decimalSum = Decimal()
        var decimalSquares = Decimal()
    }

    private let population: Bool
    private let root: Bool
    @exclusivity(unchecked) private var sums: [Sums] = []

    override init(_ call: AggregateCall, retracting: Bool) {
        (population, root) =
            if case let .variance(population, root) = call.kind { (population, root) } else { (true, false) }
        super.init(call, retracting: retracting)
    }

    override func appendGroup() { sums.append(Sums()) }
    override func reset(_ group: Int) { sums[group] = Sums() }

    override func add(_ value: Value, to group: Int) {
        if value.isNull { return }
        Self.add(value, sign: 1, to: &sums[group])
    }

    override func retract(_ value: Value, from group: Int) {
        guard retracting, !value.isNull else { return }
        Self.add(value, sign: -1, to: &sums[group])
    }

    /// `sign` -1 takes a value back.
    private static func add(_ value: Value, sign: Int64, to sums: inout Sums) {
        sums.count += sign
        switch value {
        case let .integer(number):
            sums.integerSum &+= sign &* number
            sums.integerSquares &+= sign &* number &* number
        case let .double(number):
            // Welford's update; `count` already counts this value (or no longer counts one taken back).
            guard sums.count > 0 else {
                (sums.mean, sums.squaredDifferences) = (0, 0)
                return
            }
            let delta = number - sums.mean
            sums.mean += Double(sign) * delta / Double(sums.count)
            sums.squaredDifferences += Double(sign) * delta * (number - sums.mean)
        case let .decimal(number):
            sums.decimalSum += Decimal(sign) * number
            sums.decimalSquares += Decimal(sign) * number * number
        default:
            break
        }
    }

    /// Chan's combination of two groups' running sums (two sessions becoming one).
    override func merge(_ source: Int, into target: Int) {
        let (a, b) = (sums[target], sums[source])
        var merged = a
        merged.count = a.count + b.count
        merged.integerSum = a.integerSum &+ b.integerSum
        merged.integerSquares = a.integerSquares &+ b.integerSquares
        merged.decimalSum = a.decimalSum + b.decimalSum
        merged.decimalSquares = a.decimalSquares + b.decimalSquares
        if merged.count > 0 {
            let delta = b.mean - a.mean
            merged.mean = a.mean + delta * Double(b.count) / Double(merged.count)
            merged.squaredDifferences =
                a.squaredDifferences + b.squaredDifferences + delta * delta * Double(a.count) * Double(b.count)
                / Double(merged.count)
        }
        sums[target] = merged
    }

    override func result(of group: Int) -> Value {
        let sums = sums[group]
        let divisor = population ? sums.count : sums.count - 1
        guard sums.count > 0, divisor > 0 else { return .null }
        switch call.resultType {
        case .double, .float:
            let variance = max(0, sums.squaredDifferences) / Double(divisor)
            return .double(root ? variance.squareRoot() : variance)
        case .decimal:
            let variance =
                (sums.decimalSquares - sums.decimalSum * sums.decimalSum / Decimal(sums.count)) / Decimal(divisor)
            return .decimal(root ? Decimal(Double(truncating: variance as NSNumber).squareRoot()) : variance)
        default:
            let variance = (sums.integerSquares &- sums.integerSum &* sums.integerSum / sums.count) / divisor
            return .integer(root ? Int64(Double(variance).squareRoot()) : variance)
        }
    }

    override func saved(_ group: Int) -> Value {
        let sums = sums[group]
        return .row([
            .integer(sums.count), .integer(sums.integerSum), .integer(sums.integerSquares), .double(sums.mean),
            .double(sums.squaredDifferences), .decimal(sums.decimalSum), .decimal(sums.decimalSquares),
        ])
    }

    override func restore(_ state: Value, into group: Int) throws(SQLError) {
        guard case let .row(parts) = state, parts.count == 7, case let .integer(count) = parts[0],
            case let .integer(integerSum) = parts[1], case let .integer(integerSquares) = parts[2],
            case let .double(mean) = parts[3], case let .double(squaredDifferences) = parts[4],
            case let .decimal(decimalSum) = parts[5], case let .decimal(decimalSquares) = parts[6]
        else { throw unreadable(state) }
        sums[group] = Sums(
            count: count, integerSum: integerSum, integerSquares: integerSquares, mean: mean,
            squaredDifferences: squaredDifferences, decimalSum: decimalSum, decimalSquares: decimalSquares)
    }
}
