/// A double's decimal digits, worked on as Java's BigDecimal works on them: Flink rounds
/// DOUBLEs with `BigDecimal.valueOf(d).setScale(n, HALF_UP)` and its JSON functions write them
/// as `new BigDecimal(Double.toString(d))`. Working on the digits (not on `d * 10^n`) rounds
/// 2.675 to 2.68 as Flink does, and cannot overflow.
package enum DecimalDigits {
    /// The digits of the shortest text of `value` (Java's Double.toString has the same digits
    /// for all but a few values): significant digits without leading zeros, and where the
    /// decimal point falls among them (`point` digits before it; ≤ 0 for 0.00ddd).
    package struct Digits {
        var negative: Bool
        var digits: [UInt8]
        var point: Int
        /// Digits written after the point in the text (trailing zeros included): BigDecimal's scale.
        var scale: Int
    }

    static func digits(of value: Double) -> Digits {
        var text = Array(ValueFormatter.javaDouble(value, isFloat: false).utf8)[...]
        let negative = text.first == 0x2D
        if negative { text = text.dropFirst() }
        var exponent = 0
        if let marker = text.firstIndex(where: { $0 == 0x45 || $0 == 0x65 }) {
            exponent = Int(String(decoding: text[(marker + 1)...], as: UTF8.self)) ?? 0
            text = text[..<marker]
        }
        var digits: [UInt8] = []
        var point = 0
        var afterPoint = 0
        var seenPoint = false
        for byte in text {
            if byte == 0x2E {
                seenPoint = true
                continue
            }
            digits.append(byte - 0x30)
            if seenPoint { afterPoint += 1 } else { point += 1 }
        }
        let scale = afterPoint - exponent
        point += exponent
        while digits.count > 1, digits.first == 0 {
            digits.removeFirst()
            point -= 1
        }
        return Digits(negative: negative, digits: digits, point: point, scale: scale)
    }

    /// `value` rounded half up (away from zero at .5) to `places` decimal places, as
    /// BigDecimal.setScale(places, HALF_UP).doubleValue(); zero is never negative.
    package static func roundHalfUp(_ value: Double, places: Int) -> Double {
        guard value.isFinite else { return value }
        if value == 0 { return 0 }
        let parts = digits(of: value)
        let keep = parts.point + places
        if keep >= parts.digits.count { return value }
        if keep < 0 { return 0 }
        var kept = Array(parts.digits[..<keep])
        var point = parts.point
        if parts.digits[keep] >= 5 {
            var index = kept.count - 1
            while index >= 0, kept[index] == 9 {
                kept[index] = 0
                index -= 1
            }
            if index >= 0 {
                kept[index] += 1
            } else {
                kept.insert(1, at: 0)
                point += 1
            }
        }
        guard kept.contains(where: { $0 != 0 }) else { return 0 }
        let text =
            (parts.negative ? "-0." : "0.") + String(decoding: kept.map { $0 + 0x30 }, as: UTF8.self) + "e\(point)"
        return Double(text) ?? value
    }

    /// `new BigDecimal(Double.toString(value)).toString()`: plain digits while the exponent is
    /// small ("123456789.123", "0.0"), else scientific with a signed exponent ("1.0E+308").
    static func bigDecimalText(_ value: Double) -> String {
        guard value.isFinite else { return ValueFormatter.javaDouble(value, isFloat: false) }
        var parts = digits(of: value)
        // BigDecimal keeps the text's digits, trailing zeros too: "100.0" is 1000 with scale 1.
        let written = parts.point + parts.scale
        while parts.digits.count < written { parts.digits.append(0) }
        let unscaled = parts.digits.allSatisfy { $0 == 0 } ? [UInt8(0)] : parts.digits
        let negative = parts.negative && unscaled != [0]
        let adjusted = -parts.scale + (unscaled.count - 1)
        let text = String(decoding: unscaled.map { $0 + 0x30 }, as: UTF8.self)
        var result = negative ? "-" : ""
        if parts.scale >= 0, adjusted >= -6 {
            if parts.scale == 0 { return result + text }
            if unscaled.count > parts.scale {
                let cut = text.index(text.startIndex, offsetBy: unscaled.count - parts.scale)
                return result + text[..<cut] + "." + text[cut...]
            }
            return result + "0." + String(repeating: "0", count: parts.scale - unscaled.count) + text
        }
        result += String(text.prefix(1))
        if text.count > 1 { result += "." + text.dropFirst() }
        return result + "E" + (adjusted > 0 ? "+" : "") + String(adjusted)
    }
}
