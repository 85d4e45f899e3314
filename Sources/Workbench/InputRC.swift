import Foundation

/// What the workbench takes from readline's settings file (`$INPUTRC`, else `~/.inputrc`):
/// `set editing-mode vi` turns on vi keys, as it does in every readline program.
public enum InputRC {
    public static func wantsViKeys(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        let path = environment["INPUTRC"] ?? (environment["HOME"].map { $0 + "/.inputrc" } ?? "")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return false }
        return editingMode(in: text) == "vi"
    }

    /// The last `set editing-mode …` of the file (comments and other settings skipped).
    static func editingMode(in text: String) -> String? {
        var mode: String?
        for line in text.split(whereSeparator: \.isNewline) {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { $0.lowercased() }
            if words.count >= 3, words[0] == "set", words[1] == "editing-mode" { mode = words[2] }
        }
        return mode
    }
}
