import Foundation
import SQLPlanner
import SQLRuntime
import SQLSyntax
import SQLValues

/// Flink's datagen connector: `rows-per-second` (default 10000), `number-of-rows` (else
/// unbounded), and per field `fields.<f>.kind` = random (default) or sequence, with `min`,
/// `max` (numbers), `length` (strings), `start`, `end` (sequences, which bound the table),
/// and `max-past` (timestamps: up to that many milliseconds before now).
package struct DatagenSource: SourceRunner {
    package enum Generator {
        case sequence(start: Int64, end: Int64)
        case random(min: Double, max: Double, length: Int, maxPastMs: Int64)
    }

    let table: CatalogTable
    let rowsPerSecond: Double
    let numberOfRows: Int64?
    let generators: [(index: Int, type: DataType, generator: Generator)]

    init(table: CatalogTable) throws(SQLError) {
        self.table = table
        let options = table.options
        rowsPerSecond = Double(options["rows-per-second"] ?? "10000") ?? 10000
        var count = options["number-of-rows"].flatMap { Int64($0) }
        var generators: [(Int, DataType, Generator)] = []
        for index in table.physical {
            let column = table.schema.columns[index]
            let prefix = "fields.\(column.name)."
            func number(_ key: String) throws(SQLError) -> Double? {
                guard let text = options[prefix + key] else { return nil }
                guard let value = Double(text) else {
                    throw SQLError(.plan, "option '\(prefix + key)' must be a number, not '\(text)'")
                }
                return value
            }
            let kind = options[prefix + "kind"] ?? "random"
            switch kind {
            case "sequence":
                guard let start = try number("start"), let end = try number("end"), end >= start else {
                    throw SQLError(.plan, "a sequence field needs '\(prefix)start' and '\(prefix)end' (end ≥ start)")
                }
                generators.append((index, column.type, .sequence(start: Int64(start), end: Int64(end))))
                let length = Int64(end - start) + 1
                count = min(count ?? length, length)
            case "random":
                let defaults: (Double, Double) = {
                    switch column.type {
                    case .tinyint: return (-128, 127)
                    case .smallint: return (-32768, 32767)
                    case .int: return (Double(Int32.min), Double(Int32.max))
                    default: return (-1e9, 1e9)
                    }
                }()
                generators.append(
                    (
                        index, column.type,
                        .random(
                            min: try number("min") ?? defaults.0, max: try number("max") ?? defaults.1,
                            length: Int(try number("length") ?? 100), maxPastMs: Int64(try number("max-past") ?? 0))
                    ))
            default:
                throw SQLError(.plan, "'\(prefix)kind' is sequence or random, not '\(kind)'")
            }
        }
        numberOfRows = count
        self.generators = generators
    }

    package func run(into output: Operator, stop: StopSignal) throws(SQLError) -> [String: Int64] {
        var emitter = BatchEmitter(output: output)
        var assembler = RowAssembler(table: table)
        var random = SystemRandomNumberGenerator()
        let started = Date()
        var produced: Int64 = 0
        let letters = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        while numberOfRows.map({ produced < $0 }) ?? true, !stop.isRequested {
            // Keep to rows-per-second: wait until this row is due.
            let due = Double(produced) / rowsPerSecond
            let elapsed = Date().timeIntervalSince(started)
            if due > elapsed {
                try emitter.flush()
                Thread.sleep(forTimeInterval: min(due - elapsed, 0.1))
                continue
            }
            var row = assembler.emptyRow(from: &emitter)
            for (index, type, generator) in generators {
                switch generator {
                case let .sequence(start, _):
                    row[index] = Self.number(Double(start + produced), type)
                case let .random(low, high, length, maxPast):
                    switch type {
                    case .varchar, .char:
                        row[index] = .string(String((0..<length).map { _ in letters.randomElement(using: &random)! }))
                    case .boolean:
                        row[index] = .boolean(Bool.random(using: &random))
                    case .timestamp, .timestampLTZ:
                        // Now, or up to max-past milliseconds before it.
                        let now = Int64(Date().timeIntervalSince1970 * 1000)
                        let micros = (now - (maxPast > 0 ? Int64.random(in: 0...maxPast, using: &random) : 0)) * 1000
                        if case .timestamp = type {
                            row[index] = .timestamp(micros)
                        } else {
                            row[index] = .timestampLTZ(micros)
                        }
                    case .tinyint, .smallint, .int, .bigint:
                        // Every integer from min to max alike, both included (as Flink's).
                        let range = ValueParser.integerRange(type) ?? Int64.min...Int64.max
                        let lowest = Self.clamped(low.rounded(.up), to: range),
                            highest = Self.clamped(high.rounded(.down), to: range)
                        row[index] =
                            lowest <= highest ? .integer(Int64.random(in: lowest...highest, using: &random)) : .null
                    default:
                        let value = low + Double.random(in: 0...1, using: &random) * (high - low)
                        row[index] = Self.number(value, type)
                    }
                }
            }
            let moved = try assembler.complete(&row)
            try emitter.add(row)
            if moved { try emitter.watermark(assembler.watermark) }
            produced += 1
        }
        if stop.isRequested { try emitter.cancel() } else { try emitter.finish() }
        return [:]
    }

    /// `value` as an integer of `range` (its nearest end when outside it).
    private static func clamped(_ value: Double, to range: ClosedRange<Int64>) -> Int64 {
        if value <= Double(range.lowerBound) { return range.lowerBound }
        if value >= Double(range.upperBound) { return range.upperBound }
        return Int64(value)
    }

    static func number(_ value: Double, _ type: DataType) -> Value {
        switch type {
        case .tinyint, .smallint, .int, .bigint: return .integer(Int64(value.rounded(.towardZero)))
        case .decimal(_, let scale):
            var input = Decimal(value), output = Decimal()
            NSDecimalRound(&output, &input, scale, .plain)
            return .decimal(output)
        case .varchar, .char: return .string(String(Int64(value)))
        default: return .double(value)
        }
    }
}
