/// A key press, as the workbench understands it.
public enum Key: Sendable, Equatable {
    case character(Character)
    /// Ctrl and a letter (`control("a")` is Ctrl-A).
    case control(Character)
    case enter, tab, backTab, backspace, delete, escape
    case up, down, left, right, home, end, pageUp, pageDown
    case function(Int)
    case wheelUp, wheelDown
    /// The first button pressed at a cell of the screen (column, row from 0).
    case click(x: Int, y: Int)
    /// The terminal changed size.
    case resize
}

/// Turns bytes as a terminal sends them (UTF-8 text, control bytes and escape sequences)
/// into keys: how tests replay typing, and how pasted text is read.
public enum KeyDecoder {
    /// xterm's `ESC [ n ~` numbers of the function keys.
    static let functionNumbers = [
        "11": 1, "12": 2, "13": 3, "14": 4, "15": 5, "17": 6, "18": 7, "19": 8, "20": 9, "21": 10, "23": 11, "24": 12,
    ]
    public static func keys(_ text: String) -> [Key] {
        var keys: [Key] = []
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            switch scalar.value {
            case 0x0D, 0x0A: keys.append(.enter)
            case 0x09: keys.append(.tab)
            case 0x7F, 0x08: keys.append(.backspace)
            case 0x1B:
                // CSI and SS3 sequences: arrows, Home/End, PageUp/Down, Delete, F1–F4.
                if index + 1 < scalars.count, scalars[index] == "[" || scalars[index] == "O" {
                    var end = index + 1
                    while end < scalars.count, !(0x40...0x7E).contains(scalars[end].value) { end += 1 }
                    guard end < scalars.count else {
                        keys.append(.escape)
                        continue
                    }
                    let body = String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
                    let final = scalars[end]
                    index = end + 1
                    switch (final, body) {
                    case ("A", _): keys.append(.up)
                    case ("B", _): keys.append(.down)
                    case ("C", _): keys.append(.right)
                    case ("D", _): keys.append(.left)
                    case ("H", _): keys.append(.home)
                    case ("F", _): keys.append(.end)
                    case ("Z", _): keys.append(.backTab)
                    case ("P", _): keys.append(.function(1))
                    case ("Q", _): keys.append(.function(2))
                    case ("R", _): keys.append(.function(3))
                    case ("S", _): keys.append(.function(4))
                    case ("~", "3"): keys.append(.delete)
                    case ("~", "5"): keys.append(.pageUp)
                    case ("~", "6"): keys.append(.pageDown)
                    case ("~", "1"), ("~", "7"): keys.append(.home)
                    case ("~", "4"), ("~", "8"): keys.append(.end)
                    case let ("~", number) where Self.functionNumbers[number] != nil:
                        keys.append(.function(Self.functionNumbers[number]!))
                    default: break
                    }
                } else {
                    keys.append(.escape)
                }
            case 0x01...0x1A:
                keys.append(.control(Character(Unicode.Scalar(scalar.value + 0x60)!)))
            default:
                keys.append(.character(Character(scalar)))
            }
        }
        return keys
    }
}
