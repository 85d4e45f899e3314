/// The record formats' WITH options, by format: what a table with `'format' = 'json'` (or
/// `value.format`, `key.format`, whose options then take a `value.` or `key.` prefix) may
/// say besides its connector's options.
package enum FormatOptions {
    package static let byFormat: [String: [OptionSpec]] = [
        "json": [
            OptionSpec("json.ignore-parse-errors", legacyNames: ["format.ignore-parse-errors"]),
            OptionSpec("json.fail-on-missing-field", legacyNames: ["format.fail-on-missing-field"]),
            OptionSpec("json.timestamp-format.standard"), OptionSpec("json.map-null-key.mode"),
            OptionSpec("json.map-null-key.literal"),
            OptionSpec("json.encode.decimal-as-plain-number"),
        ],
        "csv": [
            OptionSpec("csv.field-delimiter", legacyNames: ["format.field-delimiter"]),
            OptionSpec("csv.quote-character"),
            OptionSpec("csv.disable-quote-character"), OptionSpec("csv.ignore-parse-errors"),
            OptionSpec("csv.allow-comments"),
            OptionSpec("csv.array-element-delimiter"), OptionSpec("csv.escape-character"),
            OptionSpec("csv.null-literal"),
        ],
        "raw": [
            OptionSpec(
                "raw.charset", supported: ["utf-8", "utf8"], reason: "the raw format reads and writes UTF-8 text only"),
            OptionSpec(
                "raw.endianness", supported: ["big-endian"],
                reason: "the raw format holds text or bytes here, written as they are"),
        ],
        "debezium-json": [
            OptionSpec("debezium-json.schema-include"), OptionSpec("debezium-json.ignore-parse-errors"),
            OptionSpec("debezium-json.timestamp-format.standard"), OptionSpec("debezium-json.map-null-key.mode"),
            OptionSpec("debezium-json.map-null-key.literal"),
            OptionSpec("debezium-json.encode.decimal-as-plain-number"),
        ],
    ]

    /// The formats, for completion.
    package static var names: [String] { byFormat.keys.sorted() }

    /// Whether a format's records are changes (rows taken back as well as given).
    package static func isChangelog(_ format: String?) -> Bool { format == "debezium-json" }

    /// Legacy key → current key, for every format.
    static let legacyNames: [String: String] = {
        var names = ["format.type": "format"]
        for spec in byFormat.values.joined() { for legacy in spec.legacyNames { names[legacy] = spec.key } }
        return names
    }()
}
