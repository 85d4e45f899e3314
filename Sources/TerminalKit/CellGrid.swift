/// The eight basic terminal colours, and the terminal's own.
public enum Color: Int, Sendable, Equatable {
    case standard = -1, black = 0, red, green, yellow, blue, magenta, cyan, white
}

/// How a cell is drawn.
public struct Style: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var foreground: Color
    public var background: Color
    public var bold: Bool
    public var reverse: Bool
    public var dim: Bool
    public var underline: Bool

    public init(
        foreground: Color = .standard, background: Color = .standard, bold: Bool = false, reverse: Bool = false,
        dim: Bool = false, underline: Bool = false
    ) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.reverse = reverse
        self.dim = dim
        self.underline = underline
    }

    public static let plain = Style()

    public func hash(into hasher: inout Hasher) {
        hasher.combine(foreground.rawValue)
        hasher.combine(background.rawValue)
        hasher.combine(bold)
        hasher.combine(reverse)
        hasher.combine(dim)
        hasher.combine(underline)
    }

    /// "cyan bold", "reverse", "plain": what a golden screen's style legend says.
    public var description: String {
        var words: [String] = []
        if foreground != .standard { words.append("\(foreground)") }
        if background != .standard { words.append("on \(background)") }
        if bold { words.append("bold") }
        if dim { words.append("dim") }
        if underline { words.append("underline") }
        if reverse { words.append("reverse") }
        return words.isEmpty ? "plain" : words.joined(separator: " ")
    }
}

/// One terminal cell: a character of width one or two, or the right half of a wide one
/// (an empty `text`), and its style.
public struct Cell: Sendable, Equatable {
    public var text: String
    public var style: Style

    public init(_ text: String = " ", style: Style = .plain) {
        self.text = text
        self.style = style
    }

    public static let blank = Cell()
}

/// A screen's worth of cells that components draw into. The terminal backend writes only
/// the cells that changed since the last frame; tests read the grid back as text.
public struct CellGrid: Sendable, Equatable {
    public private(set) var width: Int
    public private(set) var height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public var bounds: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            cells[y * width + x] = newValue
        }
    }

    /// Writes `text` from column `x` of row `y`, clipped to `limit` columns (and to the grid);
    /// returns the columns used. A wide character that does not fit whole is left out.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = .plain, limit: Int? = nil) -> Int {
        guard y >= 0, y < height else { return 0 }
        let end = min(width, x + (limit ?? width))
        var column = x
        for character in text {
            // Control characters (tabs, line breaks in values) are shown as a space.
            let shown: Character =
                character.unicodeScalars.first.map { $0.value < 0x20 || $0.value == 0x7F } == true ? " " : character
            let size = DisplayWidth.of(shown)
            if size == 0 { continue }
            guard column + size <= end else { break }
            if column >= 0 {
                self[column, y] = Cell(String(shown), style: style)
                if size == 2 { self[column + 1, y] = Cell("", style: style) }
            }
            column += size
        }
        return column - x
    }

    /// Fills a rectangle with blanks of `style`.
    public mutating func fill(_ area: Rect, style: Style = .plain) {
        for row in max(0, area.y)..<min(height, area.maxY) {
            for column in max(0, area.x)..<min(width, area.maxX) { self[column, row] = Cell(" ", style: style) }
        }
    }

    /// A box around `area` with a title in its top edge.
    public mutating func box(_ area: Rect, title: String = "", style: Style = .plain, titleStyle: Style? = nil) {
        guard area.width >= 2, area.height >= 2 else { return }
        for column in area.x..<area.maxX {
            self[column, area.y] = Cell("─", style: style)
            self[column, area.maxY - 1] = Cell("─", style: style)
        }
        for row in area.y..<area.maxY {
            self[area.x, row] = Cell("│", style: style)
            self[area.maxX - 1, row] = Cell("│", style: style)
        }
        self[area.x, area.y] = Cell("┌", style: style)
        self[area.maxX - 1, area.y] = Cell("┐", style: style)
        self[area.x, area.maxY - 1] = Cell("└", style: style)
        self[area.maxX - 1, area.maxY - 1] = Cell("┘", style: style)
        if !title.isEmpty, area.width > 4 {
            put(" " + title + " ", x: area.x + 2, y: area.y, style: titleStyle ?? style, limit: area.width - 4)
        }
    }

    /// The grid as text, a line per row without trailing blanks: what golden tests compare.
    public var text: String {
        (0..<height).map { row -> String in
            var line = ""
            for column in 0..<width { line += self[column, row].text }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }

    /// The cells' styles as text, for golden screens: a letter per cell (`.` plain) on each row
    /// (trailing plain cells left out), then what each letter stands for — so that a test
    /// fails when a highlight is lost, not only when text moves.
    public var styleText: String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        var letters: [Style: Character] = [.plain: "."]
        var order: [Style] = []
        var rows: [String] = []
        for row in 0..<height {
            var line = ""
            for column in 0..<width {
                let style = self[column, row].style
                if letters[style] == nil {
                    letters[style] = order.count < alphabet.count ? alphabet[order.count] : "?"
                    order.append(style)
                }
                line.append(letters[style]!)
            }
            while line.hasSuffix(".") { line.removeLast() }
            rows.append(line)
        }
        return (rows + order.map { "\(letters[$0]!): \($0.description)" }).joined(separator: "\n")
    }

    /// The positions whose cell differs from `previous` (all of them when the size changed).
    public func changes(since previous: CellGrid?) -> [Int] {
        guard let previous, previous.width == width, previous.height == height else { return Array(cells.indices) }
        return cells.indices.filter { cells[$0] != previous.cells[$0] }
    }
}
