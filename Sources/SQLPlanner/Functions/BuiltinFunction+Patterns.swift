import Foundation
import SQLSyntax
import SQLValues

extension BuiltinFunction {
    /// The regular expression compiled from a literal pattern, or else from the row's
    /// `pattern` (a SIMILAR TO pattern when `similar`); nil when it is not one.
    static func regex(
        _ compiled: NSRegularExpression?, _ pattern: Value, similar: Bool = false, escape: Character? = nil
    ) -> NSRegularExpression? {
        if let compiled { return compiled }
        guard case let .string(text) = pattern else { return nil }
        return similar
            ? try? JavaRegex.compile(similarPattern(text, escape: escape), options: [.dotMatchesLineSeparators])
            : try? JavaRegex.compile(text)
    }

    /// A SIMILAR TO pattern as an anchored regular expression: `%` any text, `_` one
    /// character, `| * + ? {m,n} ( ) [ ]` as in regular expressions, every other character
    /// itself (`.`, `^`, `$` and `\` too), and the ESCAPE character making the next one literal.
    static func similarPattern(_ pattern: String, escape: Character? = nil) -> String {
        var regex = "^(?:"
        var escaped = false
        for character in pattern {
            if escaped {
                regex += NSRegularExpression.escapedPattern(for: String(character))
                escaped = false
                continue
            }
            switch character {
            case escape: escaped = true
            case "%": regex += ".*"
            case "_": regex += "."
            case "|", "*", "+", "?", "{", "}", "(", ")", "[", "]", ",": regex.append(character)
            default: regex += NSRegularExpression.escapedPattern(for: String(character))
            }
        }
        return regex + ")$"
    }
}
