import SQLSyntax

/// A table's WITH options, with Flink's legacy names (`connector.type`, `connector.path`,
/// `format.type`, ...) read as their current ones, and keys its connector and formats do
/// not take refused with the nearest valid one suggested. What is valid comes from the
/// connector's and the formats' declared options (`TableConnector.options`, `FormatOptions`).
package struct TableOptions: Sendable {
    /// Current key → value.
    package let values: [String: String]
    /// The `connector` option's value.
    package let connector: String
    /// The connector it names.
    let resolvedConnector: any TableConnector

    init(_ options: [TableOption], columns: [String], connectors: ConnectorRegistry) throws(SQLError) {
        var values: [String: String] = [:]
        var ranges: [String: SourceRange] = [:]
        for option in options {
            let key = connectors.canonicalKey(option.key)
            if values[key] != nil {
                throw SQLError(.plan, "option '\(key)' is given twice", at: option.range)
            }
            values[key] = option.value
            ranges[key] = option.range
        }
        guard let name = values["connector"] else {
            throw SQLError(
                .plan, "the table has no 'connector' option (\(connectors.listedNames.joined(separator: ", ")))",
                at: options.first?.range)
        }
        guard let connector = connectors.connector(named: name) else {
            let suggestion = Self.nearest(name, among: connectors.allNames)
            throw SQLError(
                .plan, "unknown connector '\(name)'\(suggestion.map { "; did you mean '\($0)'?" } ?? "")",
                at: ranges["connector"])
        }
        // Which keys are valid: the connector's, and its formats' (under `value.` and `key.` too).
        var specs: [String: OptionSpec] = [:]
        for spec in connector.options { specs[spec.key] = spec }
        for format in [values["format"], values["value.format"], values["key.format"]].compactMap({ $0 }) {
            for spec in FormatOptions.byFormat[format] ?? [] {
                for prefix in ["", "value.", "key."] where specs[prefix + spec.key] == nil {
                    specs[prefix + spec.key] = spec
                }
            }
        }
        for key in values.keys.sorted() where key != "connector" && specs[key] == nil {
            do throws(SQLError) {
                if try connector.accepts(option: key, columns: columns) { continue }
            } catch {
                var placed = error
                placed.range = placed.range ?? ranges[key]
                throw placed
            }
            let suggestion = Self.nearest(key, among: Array(specs.keys) + ["connector"])
            throw SQLError(
                .plan,
                "unknown option '\(key)' for the \(name) connector\(suggestion.map { "; did you mean '\($0)'?" } ?? "")",
                at: ranges[key])
        }
        // Options Flink has that Weir knows but cannot honour (or not with that value).
        for (key, value) in values {
            guard let rule = specs[key]?.unsupported, !rule.supported.contains(value.lowercased()) else { continue }
            throw SQLError(
                .unsupported, "option '\(key)' = '\(value)' is not supported: \(rule.reason)", at: ranges[key])
        }
        self.values = values
        self.connector = name
        resolvedConnector = connector
    }

    package subscript(key: String) -> String? { values[key] }

    /// `base` with `given` over it key by key (legacy names matching current ones): what a
    /// query's OPTIONS hint and CREATE TABLE … LIKE's OVERWRITING OPTIONS make of two lists.
    package static func overwriting(
        _ base: [TableOption], with given: [TableOption], connectors: ConnectorRegistry
    ) -> [TableOption] {
        let replaced = Set(given.map { connectors.canonicalKey($0.key) })
        return base.filter { !replaced.contains(connectors.canonicalKey($0.key)) } + given
    }

    /// The closest name by edit distance, when it is close enough to be a likely typo.
    package static func nearest(_ word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, editDistance(word, $0)) }.min { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
        guard let (best, distance) = scored, distance <= max(2, word.count / 3) else { return nil }
        return best
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        var previous = Array(0...b.count)
        for (i, left) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, right) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (left == right ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}

extension TableOptions {
    /// Flink's durations: `500ms`, `10 s`, `2min`, `1 h`; a bare number is milliseconds.
    package static func milliseconds(_ text: String, option: String) throws(SQLError) -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = trimmed.prefix { $0.isNumber }
        let unit = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        let scale: Int64? =
            switch unit {
            case "", "ms", "milli", "millis", "millisecond", "milliseconds": 1
            case "s", "sec", "secs", "second", "seconds": 1000
            case "min", "mins", "minute", "minutes", "m": 60_000
            case "h", "hour", "hours": 3_600_000
            case "d", "day", "days": 86_400_000
            default: nil
            }
        guard let value = Int64(digits), let scale else {
            throw SQLError(.plan, "'\(option)' is a duration like '500 ms', '10 s' or '1 min', not '\(text)'")
        }
        return value * scale
    }
}
