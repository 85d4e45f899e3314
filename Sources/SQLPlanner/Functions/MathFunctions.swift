import Foundation
import SQLValues

/// Flink's trigonometric and angle functions: one DOUBLE in, one out.
package enum MathFunction: String, Sendable, CaseIterable {
    case sin = "SIN", cos = "COS", tan = "TAN", cot = "COT", asin = "ASIN", acos = "ACOS", atan = "ATAN"
    case sinh = "SINH", cosh = "COSH", tanh = "TANH", degrees = "DEGREES", radians = "RADIANS"

    func apply(_ x: Double) -> Double {
        switch self {
        case .sin: Foundation.sin(x)
        case .cos: Foundation.cos(x)
        case .tan: Foundation.tan(x)
        case .cot: 1 / Foundation.tan(x)
        case .asin: Foundation.asin(x)
        case .acos: Foundation.acos(x)
        case .atan: Foundation.atan(x)
        case .sinh: Foundation.sinh(x)
        case .cosh: Foundation.cosh(x)
        case .tanh: Foundation.tanh(x)
        // Java's Math.toDegrees and toRadians: one multiplication by a constant (not * π / 180,
        // which rounds twice).
        case .degrees: x * 57.29577951308232
        case .radians: x * 0.017453292519943295
        }
    }
}

/// HEX and BIN: a 64-bit integer's two's complement in base 16 or 2 (HEX of a string: its
/// UTF-8 bytes), as Flink writes them.
package enum RadixText {
    /// HEX: an integer's 64-bit two's complement in hexadecimal, or a string's UTF-8 bytes;
    /// upper-case digits, as Flink's.
    static func hex(_ value: Value) -> Value {
        switch value {
        case let .integer(number): return .string(String(UInt64(bitPattern: number), radix: 16, uppercase: true))
        case let .string(text): return .string(ValueFormatter.hex(text.utf8, uppercase: true))
        default: return .null
        }
    }

    /// BIN: an integer's 64-bit two's complement in binary.
    static func binary(_ value: Value) -> Value {
        guard case let .integer(number) = value else { return .null }
        return .string(String(UInt64(bitPattern: number), radix: 2))
    }
}
