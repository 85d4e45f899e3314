import SQLSyntax

/// A table's WITH options, with Flink's legacy names (`connector.type`, `connector.path`,
/// `format.type`, ...) read as their current ones, and unknown keys refused with the
/// nearest valid one suggested.
struct TableOptions: Sendable {
    /// Current key → value.
    let values: [String: String]
    let connector: String

    /// Legacy key → current key.
    static let legacyNames: [String: String] = [
        "connector.type": "connector", "connector.path": "path", "format.type": "format",
        "connector.topic": "topic", "connector.startup-mode": "scan.startup.mode",
        "format.field-delimiter": "csv.field-delimiter", "format.ignore-parse-errors": "json.ignore-parse-errors",
        "format.fail-on-missing-field": "json.fail-on-missing-field",
    ]

    static let formatKeys: [String: [String]] = [
        "json": ["json.ignore-parse-errors", "json.fail-on-missing-field", "json.timestamp-format.standard",
                 "json.map-null-key.mode", "json.map-null-key.literal", "json.encode.decimal-as-plain-number"],
        "csv": ["csv.field-delimiter", "csv.quote-character", "csv.disable-quote-character", "csv.ignore-parse-errors",
                "csv.allow-comments", "csv.array-element-delimiter", "csv.escape-character", "csv.null-literal"],
        "raw": ["raw.charset", "raw.endianness"],
        "debezium-json": ["debezium-json.schema-include", "debezium-json.ignore-parse-errors", "debezium-json.timestamp-format.standard",
                          "debezium-json.map-null-key.mode", "debezium-json.map-null-key.literal", "debezium-json.encode.decimal-as-plain-number"],
    ]

    static let connectorKeys: [String: [String]] = [
        "filesystem": ["path", "format", "source.monitor-interval", "sink.rolling-policy.file-size", "partition.default-name",
                       "source.path.regex-pattern"],
        "datagen": ["rows-per-second", "number-of-rows", "scan.parallelism"],
        "print": ["print-identifier", "standard-error", "sink.parallelism"],
        "blackhole": [],
        "feed": ["format", "splits"],
        "kafka": ["topic", "topic-pattern", "properties.bootstrap.servers", "properties.group.id", "scan.startup.mode",
                  "scan.startup.timestamp-millis", "scan.startup.specific-offsets", "scan.bounded.mode",
                  "scan.bounded.timestamp-millis", "scan.bounded.specific-offsets", "format", "key.format", "key.fields",
                  "value.format", "value.fields-include", "sink.partitioner", "scan.watermark.idle-timeout", "connector.version",
                  "scan.topic-partition-discovery.interval", "key.fields-prefix", "sink.delivery-guarantee", "sink.parallelism",
                  "update-mode"],
        "upsert-kafka": ["topic", "properties.bootstrap.servers", "key.format", "value.format", "value.fields-include",
                         "sink.buffer-flush.max-rows", "sink.buffer-flush.interval", "scan.bounded.mode", "scan.bounded.timestamp-millis",
                         "scan.bounded.specific-offsets", "scan.watermark.idle-timeout", "key.fields-prefix", "sink.parallelism"],
    ]

    init(_ options: [TableOption], columns: [String]) throws(SQLError) {
        var values: [String: String] = [:]
        var ranges: [String: SourceRange] = [:]
        for option in options {
            var key = Self.canonicalKey(option.key)
            if key.hasPrefix("connector.properties.") { key = "properties." + key.dropFirst("connector.properties.".count) }
            if values[key] != nil {
                throw SQLError(.plan, "option '\(key)' is given twice", at: option.range)
            }
            values[key] = option.value
            ranges[key] = option.range
        }
        guard let connector = values["connector"] else {
            throw SQLError(.plan, "the table has no 'connector' option (filesystem, datagen, print, blackhole, kafka, upsert-kafka)",
                           at: options.first?.range)
        }
        guard let known = Self.connectorKeys[connector] else {
            let suggestion = Self.nearest(connector, among: Array(Self.connectorKeys.keys))
            throw SQLError(.plan, "unknown connector '\(connector)'\(suggestion.map { "; did you mean '\($0)'?" } ?? "")", at: ranges["connector"])
        }
        // Which keys are valid: the connector's, its formats', field generators' and client properties.
        var valid = Set(known + ["connector"])
        for format in [values["format"], values["value.format"], values["key.format"]].compactMap({ $0 }) {
            valid.formUnion(Self.formatKeys[format] ?? [])
            valid.formUnion((Self.formatKeys[format] ?? []).map { "value." + $0 })
            valid.formUnion((Self.formatKeys[format] ?? []).map { "key." + $0 })
        }
        for (key, _) in values where !valid.contains(key) {
            if key.hasPrefix("properties.") && (connector == "kafka" || connector == "upsert-kafka") { continue }
            // datagen's `fields.<column>.<setting>`, for a column of the table and a setting datagen has.
            let fieldSettings = ["kind", "min", "max", "max-past", "length", "start", "end"]
            if connector == "datagen", key.hasPrefix("fields."), let column = columns.first(where: { key.hasPrefix("fields.\($0).") }) {
                let setting = String(key.dropFirst("fields.\(column).".count))
                if fieldSettings.contains(setting) { continue }
                let suggestion = Self.nearest(setting, among: fieldSettings).map { "fields.\(column).\($0)" }
                throw SQLError(.plan, "unknown option '\(key)' for the datagen connector\(suggestion.map { "; did you mean '\($0)'?" } ?? " (\(fieldSettings.joined(separator: ", ")))")",
                               at: ranges[key])
            }
            let suggestion = Self.nearest(key, among: Array(valid))
            throw SQLError(.plan, "unknown option '\(key)' for the \(connector) connector\(suggestion.map { "; did you mean '\($0)'?" } ?? "")",
                           at: ranges[key])
        }
        // Options Flink has that Weir knows but cannot honour (or not with that value): refused by
        // name, so a table never reads or writes differently from Flink's without a word.
        for (key, value) in values {
            let bare = key.hasPrefix("value.") ? String(key.dropFirst(6)) : key.hasPrefix("key.") && !key.hasPrefix("key.fields") && key != "key.format" ? String(key.dropFirst(4)) : key
            guard let rule = Self.notHonoured[bare], !rule.values.contains(value.lowercased()) else { continue }
            throw SQLError(.unsupported, "option '\(key)' = '\(value)' is not supported: \(rule.reason)", at: ranges[key])
        }
        self.values = values
        self.connector = connector
    }

    /// Options Weir accepts only with some values (lowercased; none for some), and why.
    static let notHonoured: [String: (values: Set<String>, reason: String)] = [
        "source.monitor-interval": ([], "Weir reads the files in the path once, when the query starts; it does not watch it for new ones"),
        "sink.rolling-policy.file-size": ([], "Weir's filesystem sink writes one file (the path, or path/part-0.<format>) and does not roll it"),
        "partition.default-name": ([], "partitioned filesystem tables (PARTITIONED BY) are not supported"),
        "raw.charset": (["utf-8", "utf8"], "the raw format reads and writes UTF-8 text only"),
        "raw.endianness": (["big-endian"], "the raw format holds text or bytes here, written as they are"),
        "sink.delivery-guarantee": (["at-least-once", "none"], "exactly-once needs transactions, which Weir's producer does not write (at-least-once or none)"),
        "key.fields-prefix": ([""], "key fields named with a prefix are not supported yet: name the key's columns as its fields"),
    ]

    subscript(key: String) -> String? { values[key] }

    /// A key as this table keeps it: a legacy name (`connector.topic`) as its current one.
    static func canonicalKey(_ key: String) -> String { legacyNames[key] ?? key }

    /// `base` with `given` over it key by key (legacy names matching current ones): what a
    /// query's OPTIONS hint and CREATE TABLE … LIKE's OVERWRITING OPTIONS make of two lists.
    static func overwriting(_ base: [TableOption], with given: [TableOption]) -> [TableOption] {
        let replaced = Set(given.map { canonicalKey($0.key) })
        return base.filter { !replaced.contains(canonicalKey($0.key)) } + given
    }

    /// The closest name by edit distance, when it is close enough to be a likely typo.
    static func nearest(_ word: String, among candidates: [String]) -> String? {
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
