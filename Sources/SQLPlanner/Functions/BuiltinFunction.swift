import Foundation
import SQLSyntax
import SQLValues

/// The scalar functions Weir knows, by their Flink names. The planner resolves a call's
/// name and argument types to one of these (and its result type); `apply` computes it.
package enum BuiltinFunction: Sendable {
    // Time.
    case toTimestamp(format: String?)
    case toTimestampLTZ(precision: Int)
    case dateFormat(String)
    case fromUnixtime(format: String)
    case unixTimestamp(format: String?)
    /// The current-time functions read their engine's processing clock.
    case currentTimestamp(ProcessingClock)
    /// CURRENT_DATE, CURRENT_TIME / LOCALTIME (UTC, as the timestamps).
    case currentDate(ProcessingClock), currentTime(ProcessingClock)
    case toDate(format: String?)
    case proctime(ProcessingClock)
    case extract(TimeUnit)
    case floorTime(TimeUnit)
    case ceilTime(TimeUnit)
    case timestampAdd(TimeUnit)
    case timestampDiff(TimeUnit)
    // Strings.
    case upper, lower, charLength, concat, concatWs, substring, replace, initcap, overlay
    case trim(TrimSide, characters: Bool)
    case regexpExtract(NSRegularExpression?)
    /// REGEXP (a match anywhere in the text) and SIMILAR TO (`whole`: the text matches whole;
    /// the pattern already translated to a regular expression).
    case regexpMatches(NSRegularExpression?, whole: Bool)
    case regexpReplace(NSRegularExpression?)
    /// `a[i]` (an array's element, from 1) and `m[k]` (a map's value).
    case element
    /// ARRAY[...], MAP[k, v, ...], ROW(...) from their elements.
    case makeArray, makeMap, makeRow
    case splitIndex
    case lpad, rpad, repeatText, reverse, left, right, ascii, chr, toBase64, fromBase64, uuid
    /// MD5, SHA1, SHA2 of a string's UTF-8 bytes, as lowercase hexadecimal digits.
    case digest(HashFunction)
    case position
    /// JSON_VALUE: the value at a path as `returning`; when the path finds none, or fails,
    /// what its ON EMPTY and ON ERROR clauses say.
    case jsonValue(returning: DataType, onEmpty: JSONFallback, onError: JSONFallback)
    /// JSON_QUERY, JSON_EXISTS, IS_JSON, JSON_STRING.
    case jsonQuery, jsonExists, isJSON
    case jsonString(DataType)
    /// JSON_OBJECT and JSON_ARRAY; `types`: each argument's (nil: JSON text already).
    case jsonObject(absentOnNull: Bool, types: [DataType?])
    case jsonArray(absentOnNull: Bool, types: [DataType?])
    // Collections.
    case cardinality, soleElement, arrayContains, arrayJoin, arrayDistinct, mapKeys, mapValues, split, stringToMap
    // Numbers.
    /// ABS, wrapping around at its type's width as Java's Math.abs does (ABS of INT's least value is itself).
    case abs(bits: Int)
    /// ROUND at its type's width for integers (ROUND(2147483647, -1) wraps, as Java's int does).
    case round(bits: Int)
    case mod, power, sqrt, ln, exp
    case math(MathFunction)
    case atan2, euler, hex, binary
    /// RAND() and RAND_INTEGER(bound): uniformly in [0, 1) and [0, bound).
    case random, randomInteger
    case floorNumber, ceilNumber
    case sign, log10, log2, logarithm, truncate, pi
    /// GREATEST and LEAST of values of one type (NULL when any is).
    case greatest, least
    // Conditionals.
    case coalesce, ifThenElse, nullIf
    /// A function defined in SQL: its body, with its parameters as columns 0..<n.
    case sqlFunction(name: String, body: CompiledExpression)
    /// A function written in Swift and registered on the engine.
    case native(NativeScalarFunction)

    /// NULL, a failure of the query, or the default at an argument's position.
    package enum JSONFallback: Sendable {
        case null
        case error
        case argument(Int)
    }

    package static let names: [String] =
        [
            "TO_TIMESTAMP", "TO_TIMESTAMP_LTZ", "DATE_FORMAT", "FROM_UNIXTIME", "UNIX_TIMESTAMP", "CURRENT_TIMESTAMP",
            "NOW",
            "LOCALTIMESTAMP", "PROCTIME", "EXTRACT", "YEAR", "MONTH", "DAYOFMONTH", "HOUR", "MINUTE", "SECOND",
            "TIMESTAMPADD",
            "TIMESTAMPDIFF", "UPPER", "LOWER", "CHAR_LENGTH", "CHARACTER_LENGTH", "CONCAT", "CONCAT_WS", "SUBSTRING",
            "SUBSTR",
            "REPLACE", "INITCAP", "TRIM", "LTRIM", "RTRIM", "REGEXP", "REGEXP_EXTRACT", "REGEXP_REPLACE", "SPLIT_INDEX",
            "POSITION", "JSON_VALUE", "ABS", "ROUND",
            "MOD", "POWER", "SQRT", "LN", "EXP", "FLOOR", "CEIL", "COALESCE", "IF", "NULLIF", "CURRENT_DATE",
            "CURRENT_TIME", "LOCALTIME",
            "TO_DATE", "LPAD", "RPAD", "REPEAT", "REVERSE", "LEFT", "RIGHT", "ASCII", "CHR", "TO_BASE64", "FROM_BASE64",
            "UUID", "SIGN",
            "LOG10", "LOG2", "LOG", "TRUNCATE", "PI", "GREATEST", "LEAST", "MD5", "SHA1", "SHA256", "SHA384", "SHA512",
            "SHA2",
            "JSON_QUERY", "JSON_EXISTS", "IS_JSON", "CARDINALITY", "ELEMENT", "ARRAY_CONTAINS", "ARRAY_JOIN",
            "ARRAY_DISTINCT", "MAP_KEYS",
            "MAP_VALUES", "SPLIT", "STR_TO_MAP", "INSTR", "LOCATE", "OVERLAY", "HEX", "BIN", "ATAN2", "E", "RAND",
            "RAND_INTEGER", "JSON_STRING", "JSON_OBJECT", "JSON_ARRAY",
        ] + MathFunction.allCases.map(\.rawValue)
}

extension BuiltinFunction {
    /// TO_TIMESTAMP(text [, format]): the event time of most streaming tables, computed once
    /// per row — called straight from `evaluate`, without an argument array.
    package static func toTimestamp(_ argument: Value, format: String?) -> Value {
        guard case let .string(text) = argument else { return .null }
        if let format, format != "yyyy-MM-dd HH:mm:ss" {
            return TimeFormat(format).parse(text).map(Value.timestamp) ?? .null
        }
        // Straight from the string's UTF-8 storage: no copy per row.
        let parsed =
            text.utf8.withContiguousStorageIfAvailable {
                CivilTime.parseSecondsTimestamp($0) ?? CivilTime.parseTimestamp($0)
            }
            ?? CivilTime.parseTimestamp(Array(text.utf8))
        return parsed.map(Value.timestamp) ?? .null
    }

    /// A whole-number argument (a count, a place) as an Int, held to a range no loop or shift
    /// can overflow on: NULL or NaN is 0.
    static func whole(_ value: Value) -> Int {
        switch value {
        case let .integer(number): return Int(max(-1_000_000, min(1_000_000, number)))
        default:
            guard let number = value.doubleValue, number.isFinite else { return 0 }
            return Int(max(-1_000_000, min(1_000_000, number)))
        }
    }

    /// INITCAP as Flink's: each word's first letter in capitals and its others small, where a
    /// word is a run of letters and digits; only ASCII letters change case.
    static func initcap(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        var startsWord = true
        for scalar in text.unicodeScalars {
            let isWordCharacter = scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
            if scalar.isASCII, scalar.properties.isAlphabetic {
                let letter = Character(scalar)
                result.append(startsWord ? letter.uppercased() : letter.lowercased())
            } else {
                result.unicodeScalars.append(scalar)
            }
            startsWord = !isWordCharacter
        }
        return result
    }

    /// The function applied to evaluated arguments. Flink's rule: a NULL argument gives
    /// NULL, except for the conditionals and CONCAT_WS, which look at each argument.
    func apply(_ arguments: [Value]) throws(SQLError) -> Value {
        switch self {
        case .coalesce:
            return arguments.first { !$0.isNull } ?? .null
        case .ifThenElse:
            return arguments[0].isTrue ? arguments[1] : arguments[2]
        case .nullIf:
            return arguments[0] == arguments[1] ? .null : arguments[0]
        case .concatWs:
            guard case let .string(separator) = arguments[0] else { return .null }
            return .string(
                arguments.dropFirst().compactMap { if case let .string(text) = $0 { return text } else { return nil } }
                    .joined(separator: separator))
        case let .jsonObject(absentOnNull, types):
            return try JSONFunctions.object(arguments, absentOnNull: absentOnNull, types: types)
        case let .jsonArray(absentOnNull, types):
            return JSONFunctions.array(arguments, absentOnNull: absentOnNull, types: types)
        case let .currentTimestamp(clock), let .proctime(clock):
            return .timestampLTZ(clock.micros)
        case let .currentDate(clock):
            return .date(Int32(CivilTime.split(clock.micros).days))
        case let .currentTime(clock):
            // TIME(0), as Flink's: whole seconds.
            let micros = clock.micros
            let ofDay = micros - CivilTime.split(micros).days * CivilTime.microsPerDay
            return .time(ofDay - ofDay % CivilTime.microsPerSecond)
        case let .toDate(format):
            guard case let .string(text) = arguments[0] else { return .null }
            guard let format else { return ValueParser.parse(text, as: .date) ?? .null }
            return TimeFormat(format).parse(text).map { .date(Int32(CivilTime.split($0).days)) } ?? .null
        case let .sqlFunction(_, body):
            return try body.evaluate(arguments)
        case let .native(function):
            return try function.call(arguments)
        default:
            break
        }
        switch self {
        // Constructors keep their NULL elements.
        case .makeArray: return .array(arguments)
        case .makeRow: return .row(arguments)
        // `NULL IS JSON` is false, not NULL.
        case .isJSON:
            return JSONFunctions.isJSON(arguments[0], kind: arguments.count > 1 ? arguments[1] : .string("VALUE"))
        case .makeMap:
            return .map(
                stride(from: 0, to: arguments.count - 1, by: 2).map {
                    Value.MapEntry(key: arguments[$0], value: arguments[$0 + 1])
                })
        default: break
        }
        if arguments.contains(where: \.isNull) { return .null }
        switch self {
        case let .toTimestamp(format):
            return Self.toTimestamp(arguments[0], format: format)
        case let .toTimestampLTZ(precision):
            guard let number = arguments[0].doubleValue else { return .null }
            // Seconds (precision 0) or milliseconds (3) since the epoch; an instant outside
            // the years 0000 to 9999 is NULL, as in Flink.
            let micros = precision == 0 ? number.rounded(.towardZero) * 1_000_000 : (number * 1000).rounded(.towardZero)
            guard micros.isFinite, micros >= -62_167_219_200_000_000, micros <= 253_402_300_799_999_999 else {
                return .null
            }
            return .timestampLTZ(Int64(micros))
        case let .dateFormat(format):
            guard let micros = arguments[0].timestampMicros else {
                if case let .string(text) = arguments[0], let micros = CivilTime.parseTimestamp(Array(text.utf8)) {
                    return .string(TimeFormat(format).format(micros))
                }
                return .null
            }
            return .string(TimeFormat(format).format(micros))
        case let .fromUnixtime(format):
            guard case let .integer(seconds) = arguments[0] else { return .null }
            return .string(TimeFormat(format).format(seconds * 1_000_000))
        case let .unixTimestamp(format):
            guard case let .string(text) = arguments[0] else { return .null }
            let micros = format.map { TimeFormat($0).parse(text) } ?? CivilTime.parseTimestamp(Array(text.utf8))
            return micros.map { .integer($0 / 1_000_000) } ?? .null
        case let .extract(unit):
            return TimeArithmetic.extract(unit, from: arguments[0]).map(Value.integer) ?? .null
        case let .floorTime(unit):
            return TimeArithmetic.truncate(arguments[0], to: unit, ceil: false)
        case let .ceilTime(unit):
            return TimeArithmetic.truncate(arguments[0], to: unit, ceil: true)
        case let .timestampAdd(unit):
            guard case let .integer(amount) = arguments[0] else { return .null }
            return TimeArithmetic.add(amount, unit, to: arguments[1])
        case let .timestampDiff(unit):
            return TimeArithmetic.difference(unit, from: arguments[0], to: arguments[1]).map(Value.integer) ?? .null
        case .upper:
            guard case let .string(text) = arguments[0] else { return .null }
            return .string(text.uppercased())
        case .lower:
            guard case let .string(text) = arguments[0] else { return .null }
            return .string(text.lowercased())
        case .initcap:
            guard case let .string(text) = arguments[0] else { return .null }
            return .string(Self.initcap(text))
        case .charLength:
            guard case let .string(text) = arguments[0] else { return .null }
            return .integer(Int64(text.count))
        case .concat:
            return .string(
                arguments.map {
                    if case let .string(text) = $0 { return text } else { return ValueFormatter.plain($0) }
                }.joined())
        case .substring:
            guard case let .string(text) = arguments[0], case let .integer(start) = arguments[1] else { return .null }
            let characters = Array(text)
            // 1-based; a negative start counts from the end (nothing when it reaches before the
            // first character), as Flink's; 0 is the first character.
            if start < 0, -Int(start) > characters.count { return .string("") }
            let from = start < 0 ? characters.count + Int(start) : max(Int(start) - 1, 0)
            var length = characters.count - max(from, 0)
            if arguments.count > 2 {
                guard case let .integer(given) = arguments[2], given >= 0 else { return .null }
                length = Int(given) + min(from, 0)
            }
            let lower = max(from, 0)
            let upper = min(characters.count, lower + max(length, 0))
            return .string(lower < upper ? String(characters[lower..<upper]) : "")
        case .replace:
            guard case let .string(text) = arguments[0], case let .string(target) = arguments[1],
                case let .string(with) = arguments[2]
            else { return .null }
            return .string(target.isEmpty ? text : text.replacingOccurrences(of: target, with: with))
        case let .trim(side, characters):
            guard case let .string(text) = arguments[characters ? 1 : 0] else { return .null }
            var set = Set(" ")
            if characters, case let .string(chosen) = arguments[0] { set = Set(chosen) }
            var slice = Substring(text)
            if side != .trailing { while let first = slice.first, set.contains(first) { slice.removeFirst() } }
            if side != .leading { while let last = slice.last, set.contains(last) { slice.removeLast() } }
            return .string(String(slice))
        case let .regexpExtract(compiled):
            guard case let .string(text) = arguments[0], let regex = Self.regex(compiled, arguments[1]) else {
                return .null
            }
            // Without a group, the whole match (Flink's default index is 0).
            let group = arguments.count > 2 ? Self.whole(arguments[2]) : 0
            guard group >= 0 else { return .null }
            let range = NSRange(text.startIndex..., in: text)
            guard let match = regex.firstMatch(in: text, range: range), group <= match.numberOfRanges - 1 || group == 0,
                let matched = Range(match.range(at: group), in: text)
            else { return .null }
            return .string(String(text[matched]))
        case let .regexpMatches(compiled, whole):
            guard case let .string(text) = arguments[0], let regex = Self.regex(compiled, arguments[1], similar: whole)
            else { return .null }
            return .boolean(regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil)
        case .element:
            switch (arguments[0], arguments[1]) {
            case let (.array(elements), .integer(index)):
                return index >= 1 && index <= elements.count ? elements[Int(index) - 1] : .null
            case let (.map(entries), key):
                return entries.last { CompiledExpression.compare($0.key, key) == 0 }?.value ?? .null
            default:
                return .null
            }
        case let .regexpReplace(compiled):
            guard case let .string(text) = arguments[0], case let .string(replacement) = arguments[2],
                let regex = Self.regex(compiled, arguments[1])
            else { return .null }
            // The replacement is taken as written: Flink's REGEXP_REPLACE has no $1 group references.
            return .string(
                regex.stringByReplacingMatches(
                    in: text, range: NSRange(text.startIndex..., in: text),
                    withTemplate: NSRegularExpression.escapedTemplate(for: replacement)))
        case .splitIndex:
            guard case let .string(text) = arguments[0], case let .string(separator) = arguments[1],
                case let .integer(index) = arguments[2],
                !separator.isEmpty
            else { return .null }
            // An empty string has no parts.
            let parts = text.isEmpty ? [] : text.components(separatedBy: separator)
            return index >= 0 && index < parts.count ? .string(parts[Int(index)]) : .null
        case .position:
            guard case let .string(needle) = arguments[0], case let .string(haystack) = arguments[1] else {
                return .null
            }
            var from = haystack.startIndex
            if arguments.count > 2 {
                guard !arguments[2].isNull else { return .null }
                let start = Self.whole(arguments[2])
                guard start >= 1, start <= haystack.count else { return .integer(0) }
                from = haystack.index(haystack.startIndex, offsetBy: start - 1)
            }
            guard !needle.isEmpty else {
                return .integer(Int64(haystack.distance(from: haystack.startIndex, to: from) + 1))
            }
            guard let found = haystack.range(of: needle, range: from..<haystack.endIndex) else { return .integer(0) }
            return .integer(Int64(haystack.distance(from: haystack.startIndex, to: found.lowerBound) + 1))
        case .overlay:
            // OVERLAY(text PLACING replacement FROM start [FOR length]): `length` characters from
            // `start` replaced (the replacement's length by default).
            guard case let .string(text) = arguments[0], case let .string(replacement) = arguments[1],
                !arguments[2].isNull
            else { return .null }
            let characters = Array(text)
            let start = max(1, Self.whole(arguments[2]))
            // As Flink's: a start past the text's end leaves the text as it is.
            guard start <= characters.count else { return .string(text) }
            let length =
                arguments.count > 3 ? (arguments[3].isNull ? nil : Self.whole(arguments[3])) : replacement.count
            guard let length else { return .null }
            let head = characters.prefix(min(characters.count, start - 1))
            let tailStart = min(characters.count, max(0, start - 1 + max(0, length)))
            return .string(String(head) + replacement + String(characters[tailStart...]))
        case let .jsonValue(returning, onEmpty, onError):
            guard case let .string(document) = arguments[0], case let .string(path) = arguments[1] else { return .null }
            func fall(back fallback: JSONFallback, _ message: String) throws(SQLError) -> Value {
                switch fallback {
                case .null: return .null
                case .error: throw SQLError(.execution, "JSON_VALUE: \(message)")
                case let .argument(position): return arguments[position]
                }
            }
            switch JSONPath.lookup(path, in: document) {
            case .empty:
                return try fall(back: onEmpty, "no value at '\(path)'")
            case let .failure(reason):
                return try fall(back: onError, reason)
            case let .found(node):
                guard let value = node.value(as: returning) else {
                    return try fall(back: onError, "the value at '\(path)' is not a \(returning)")
                }
                return value
            }
        case .lpad, .rpad:
            // Padded (or cut) to `length` characters; NULL for a negative length or an empty pad, as Flink's.
            guard case let .string(text) = arguments[0], case let .integer(length) = arguments[1],
                case let .string(pad) = arguments[2],
                length >= 0
            else { return .null }
            let characters = Array(text)
            if characters.count >= length { return .string(String(characters.prefix(Int(length)))) }
            guard !pad.isEmpty else { return .null }
            let filler = String(
                Array(repeating: pad, count: (Int(length) - characters.count) / pad.count + 1).joined().prefix(
                    Int(length) - characters.count))
            if case .lpad = self { return .string(filler + text) }
            return .string(text + filler)
        case .repeatText:
            guard case let .string(text) = arguments[0], case let .integer(count) = arguments[1] else { return .null }
            return .string(count > 0 ? String(repeating: text, count: Int(count)) : "")
        case .reverse:
            guard case let .string(text) = arguments[0] else { return .null }
            return .string(String(text.reversed()))
        case .left, .right:
            guard case let .string(text) = arguments[0], case let .integer(count) = arguments[1] else { return .null }
            guard count > 0 else { return .string("") }
            if case .left = self { return .string(String(text.prefix(Int(count)))) }
            return .string(String(text.suffix(Int(count))))
        case .ascii:
            // Flink's: the first byte of the UTF-8 text, as a Java byte (é gives -61).
            guard case let .string(text) = arguments[0] else { return .null }
            return .integer(text.utf8.first.map { Int64(Int8(bitPattern: $0)) } ?? 0)
        case .chr:
            // Flink's: the character of the code modulo 256; nothing for a negative code.
            guard case let .integer(code) = arguments[0] else { return .null }
            guard code >= 0 else { return .string("") }
            return .string(String(Character(Unicode.Scalar(UInt8(code % 256)))))
        case .toBase64:
            guard case let .string(text) = arguments[0] else { return .null }
            return .string(Data(text.utf8).base64EncodedString())
        case .fromBase64:
            guard case let .string(text) = arguments[0], let data = Data(base64Encoded: text) else { return .null }
            return .string(String(decoding: data, as: UTF8.self))
        case .uuid:
            return .string(UUID().uuidString.lowercased())
        case .random:
            return .double(Double.random(in: 0..<1))
        case .euler:
            return .double(M_E)
        case .stringToMap:
            return CollectionFunctions.stringToMap(
                arguments[0], arguments.count > 1 ? arguments[1] : nil, arguments.count > 2 ? arguments[2] : nil)
        case .arrayJoin:
            return CollectionFunctions.join(
                arguments[0], arguments[1], nullReplacement: arguments.count > 2 ? arguments[2] : nil)
        case .arrayContains:
            return CollectionFunctions.contains(arguments[0], arguments[1])
        case .cardinality:
            return CollectionFunctions.cardinality(arguments[0])
        case .soleElement:
            return try CollectionFunctions.soleElement(arguments[0])
        case .arrayDistinct:
            return CollectionFunctions.distinct(arguments[0])
        case .mapKeys, .mapValues:
            return CollectionFunctions.mapPart(
                arguments[0], keys: { if case .mapKeys = self { true } else { false } }())
        case .split:
            return CollectionFunctions.split(arguments[0], arguments[1])
        case .hex:
            return RadixText.hex(arguments[0])
        case .binary:
            return RadixText.binary(arguments[0])
        case let .math(function):
            return arguments[0].doubleValue.map { .double(function.apply($0)) } ?? .null
        case .atan2:
            guard let y = arguments[0].doubleValue, let x = arguments[1].doubleValue else { return .null }
            return .double(Foundation.atan2(y, x))
        case .randomInteger:
            guard case let .integer(bound) = arguments[0], bound > 0 else { return .null }
            return .integer(Int64.random(in: 0..<bound))
        case .jsonQuery:
            return JSONFunctions.query(
                arguments[0], arguments[1], wrapper: arguments.count > 2 ? arguments[2] : .string("WITHOUT WRAPPER"))
        case .jsonExists:
            return JSONFunctions.exists(arguments[0], arguments[1])
        case .isJSON:
            return JSONFunctions.isJSON(arguments[0], kind: arguments.count > 1 ? arguments[1] : .string("VALUE"))
        case let .jsonString(type):
            return .string(JSONText.value(arguments[0], type: type, style: .functions))
        case let .digest(kind):
            guard case let .string(text) = arguments[0] else { return .null }
            return .string(kind.hex(of: Array(text.utf8)))
        case .sign:
            switch arguments[0] {
            case let .integer(value): return .integer(value.signum())
            // ±0.0 and NaN as they are (Math.signum).
            case let .double(value): return .double(value > 0 ? 1 : value < 0 ? -1 : value)
            case let .decimal(value): return .decimal(value > 0 ? 1 : value < 0 ? -1 : 0)
            default: return .null
            }
        case .log10:
            return arguments[0].doubleValue.map { .double(Foundation.log10($0)) } ?? .null
        case .log2:
            // As Flink computes it: ln(x) / ln(2) (log2 itself differs in the last digit at times).
            return arguments[0].doubleValue.map { .double(log($0) / log(2.0)) } ?? .null
        case .logarithm:
            // LOG(x) is the natural logarithm; LOG(base, x) another base's.
            guard let last = arguments[arguments.count - 1].doubleValue else { return .null }
            if arguments.count == 1 { return .double(log(last)) }
            guard let base = arguments[0].doubleValue else { return .null }
            return .double(log(last) / log(base))
        case .truncate:
            let places = arguments.count > 1 ? Self.whole(arguments[1]) : 0
            switch arguments[0] {
            case let .integer(value):
                guard places < 0 else { return .integer(value) }
                let factor = Int64(pow(10.0, Double(min(-places, 18))))
                return .integer(value / factor * factor)
            case let .double(value):
                let factor = pow(10.0, Double(places))
                return .double((value * factor).rounded(.towardZero) / factor)
            case let .decimal(value):
                // Toward zero: the magnitude rounded down, the sign put back.
                var magnitude = value < 0 ? -value : value, output = Decimal()
                NSDecimalRound(&output, &magnitude, places, .down)
                return .decimal(value < 0 ? -output : output)
            default:
                return .null
            }
        case .pi:
            return .double(Double.pi)
        case .greatest, .least:
            var best: Value?
            for argument in arguments {
                guard !argument.isNull else { return .null }
                guard let current = best, let order = CompiledExpression.compare(argument, current) else {
                    best = best ?? argument
                    continue
                }
                if case .greatest = self, order > 0 { best = argument }
                if case .least = self, order < 0 { best = argument }
            }
            return best ?? .null
        case let .abs(bits):
            switch arguments[0] {
            case let .integer(value):
                return .integer(NumericKind.wrap(value == .min ? value : Swift.abs(value), bits: bits))
            case let .double(value): return .double(Swift.abs(value))
            case let .decimal(value): return .decimal(value < 0 ? -value : value)
            default: return .null
            }
        case let .round(bits):
            let places = arguments.count > 1 ? Self.whole(arguments[1]) : 0
            switch arguments[0] {
            case let .integer(value):
                guard places < 0 else { return .integer(value) }
                guard places > -19 else { return .integer(0) }
                var factor: Int64 = 1
                for _ in 0..<(-places) { factor &*= 10 }
                let half = value >= 0 ? factor / 2 : -(factor / 2)
                return .integer(NumericKind.wrap((value &+ half) / factor &* factor, bits: bits))
            case let .double(value):
                return .double(DecimalDigits.roundHalfUp(value, places: places))
            case let .decimal(value):
                var input = value, output = Decimal()
                NSDecimalRound(&output, &input, places, .plain)
                return .decimal(output)
            default: return .null
            }
        case .mod:
            switch (arguments[0], arguments[1]) {
            case let (.integer(a), .integer(b)): return b == 0 ? .null : .integer(a % b)
            default:
                guard let a = arguments[0].doubleValue, let b = arguments[1].doubleValue else { return .null }
                return .double(fmod(a, b))
            }
        case .power:
            guard let a = arguments[0].doubleValue, let b = arguments[1].doubleValue else { return .null }
            return .double(pow(a, b))
        case .sqrt:
            return arguments[0].doubleValue.map { .double(Foundation.sqrt($0)) } ?? .null
        case .ln:
            return arguments[0].doubleValue.map { .double(log($0)) } ?? .null
        case .exp:
            return arguments[0].doubleValue.map { .double(Foundation.exp($0)) } ?? .null
        case .floorNumber, .ceilNumber:
            let up = { if case .ceilNumber = self { return true } else { return false } }()
            switch arguments[0] {
            case let .integer(value): return .integer(value)
            case let .double(value): return .double(up ? value.rounded(.up) : value.rounded(.down))
            case let .decimal(value):
                var input = value, output = Decimal()
                NSDecimalRound(&output, &input, 0, up ? .up : .down)
                return .decimal(output)
            default: return .null
            }
        default:
            return .null
        }
    }
}

extension BuiltinFunction {
}
