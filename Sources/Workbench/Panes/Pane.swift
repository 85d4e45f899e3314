import TerminalKit

/// What a pane did with a key.
enum KeyOutcome: Equatable {
    /// It used the key.
    case consumed
    /// It has no use for the key: the input takes it (and the focus).
    case passed
    /// Statements or `\commands` to run, as if typed and entered.
    case run([String])
}

/// A region of the workbench screen: it draws itself into a rectangle (pure: the model and
/// the rectangle give the cells) and, while it has the focus, takes the keys the workbench
/// does not keep for itself (function keys, Tab, Esc, Ctrl-D, an overlay's keys).
///
/// Panes keep their state in the `SessionModel` (the input's editor, the results, the tail,
/// the catalog's pick, the timeline), so a pane is a kind of behaviour, not an object.
protocol Pane {
    /// The focus that sends keys to this pane.
    static var focus: SessionModel.Focus { get }

    /// Whether the pane is on screen for `model` (Tab skips it when not).
    static func isShown(_ model: SessionModel) -> Bool

    /// Whether the pane takes `key` before the workbench's own keys do (Tab completing a
    /// word, Esc dropping a pick, paging through its own lines).
    static func claims(_ key: Key, _ model: SessionModel) -> Bool

    static func handle(_ key: Key, model: inout SessionModel) -> KeyOutcome

    static func draw(_ model: SessionModel, into grid: inout CellGrid, area: Rect, focused: Bool)
}

extension Pane {
    static func claims(_ key: Key, _ model: SessionModel) -> Bool { false }
}

/// The workbench's panes, in the order Tab visits them.
enum Panes {
    static let all: [any Pane.Type] = [
        InputPane.self, ResultsPane.self, TimelinePane.self, TopicPane.self, CatalogPane.self,
    ]

    static func pane(_ focus: SessionModel.Focus) -> any Pane.Type {
        all.first { $0.focus == focus } ?? InputPane.self
    }

    /// The focus Tab (`step` 1) or Shift-Tab (-1) moves to: the next pane on screen.
    static func nextFocus(after focus: SessionModel.Focus, step: Int, in model: SessionModel) -> SessionModel.Focus {
        var ring: [SessionModel.Focus] = []
        for pane in all where pane.isShown(model) { ring.append(pane.focus) }
        let index = ring.firstIndex(of: focus) ?? 0
        return ring[(index + step + ring.count) % ring.count]
    }
}
