/// Swift spellings of schema names.
enum Naming {
    private static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "func", "import", "init", "inout",
        "internal", "let", "operator", "private", "protocol", "public", "static", "struct", "subscript",
        "typealias", "var", "break", "case", "continue", "default", "defer", "do", "else", "fallthrough",
        "for", "guard", "if", "in", "repeat", "return", "switch", "where", "while", "as", "is", "nil",
        "self", "super", "throw", "throws", "true", "false", "try", "Type", "Self", "any", "some",
    ]

    /// "ThrottleTimeMs" → "throttleTimeMs", "ISRNodes" → "isrNodes".
    static func property(_ schemaName: String) -> String {
        let characters = Array(schemaName)
        var leadingUppercase = 0
        while leadingUppercase < characters.count, characters[leadingUppercase].isUppercase { leadingUppercase += 1 }
        let lowered: String
        if leadingUppercase <= 1 || leadingUppercase == characters.count {
            lowered =
                String(characters.prefix(max(leadingUppercase, 1))).lowercased()
                + String(characters.dropFirst(max(leadingUppercase, 1)))
        } else {
            // Keep the last capital of an acronym for the next word.
            lowered =
                String(characters.prefix(leadingUppercase - 1)).lowercased()
                + String(characters.dropFirst(leadingUppercase - 1))
        }
        return escaped(lowered)
    }

    static func escaped(_ identifier: String) -> String {
        keywords.contains(identifier) ? "`\(identifier)`" : identifier
    }

    /// "ProduceRequest" → "produce", the case name in `ApiKey`.
    static func apiCase(_ messageName: String) -> String {
        var base = messageName
        for suffix in ["Request", "Response"] where base.hasSuffix(suffix) {
            base.removeLast(suffix.count)
        }
        return property(base)
    }

    /// Text safe inside a doc comment line.
    static func docLine(_ text: String) -> String {
        text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "  ", with: " ")
    }

    static func stringLiteral(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
