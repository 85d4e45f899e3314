import Foundation

/// Regular expressions as Flink's (Java's java.util.regex) read them, on ICU's engine: the
/// class shorthands `\w \W \d \D \s \S` match ASCII only in Java (ICU's match any script's
/// letters and digits), so they are spelled out as ASCII classes before ICU compiles them.
package enum JavaRegex {
    static func compile(_ pattern: String, options: NSRegularExpression.Options = []) throws -> NSRegularExpression {
        try NSRegularExpression(pattern: translate(pattern), options: options)
    }

    /// The pattern with Java's ASCII class shorthands written out (inside [...] too).
    static func translate(_ pattern: String) -> String {
        let inside: [Character: String] = ["w": "a-zA-Z0-9_", "d": "0-9", "s": " \\t\\n\\x0B\\f\\r"]
        var result = ""
        var characters = pattern.makeIterator()
        var inClass = false
        while let character = characters.next() {
            if character == "\\" {
                guard let next = characters.next() else {
                    result.append(character)
                    break
                }
                let lower = Character(next.lowercased())
                if let members = inside[lower] {
                    let negated = next != lower
                    if inClass {
                        // A negated shorthand inside a class has no spelled-out form: ICU's is kept.
                        result += negated ? "\\\(next)" : members
                    } else {
                        result += negated ? "[^\(members)]" : "[\(members)]"
                    }
                } else {
                    result.append(character)
                    result.append(next)
                }
                continue
            }
            if character == "[" { inClass = true } else if character == "]" { inClass = false }
            result.append(character)
        }
        return result
    }
}
