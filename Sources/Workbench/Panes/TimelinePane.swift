import SQLRuntime
import TerminalKit

/// The timeline (`\timeline`): the running query's events by split against event time, its
/// watermark and windows (drawn by `TimelineView`). With the focus, ← → scroll the time axis,
/// + and - zoom, f (or End) follows, ↑ ↓ pick an event and Esc drops the pick.
enum TimelinePane: Pane {
    static let focus = SessionModel.Focus.timeline

    static func isShown(_ model: SessionModel) -> Bool { model.timeline.visible && model.timeline.snapshot != nil }

    static func claims(_ key: Key, _ model: SessionModel) -> Bool {
        key == .escape && model.timeline.selected != nil
    }

    static func handle(_ key: Key, model: inout SessionModel) -> KeyOutcome {
        guard let snapshot = model.timeline.snapshot else { return .passed }
        let span = TimelineView.span(snapshot, zoom: model.timeline.zoom)
        switch key {
        case .left, .right:
            let center = TimelineView.center(model.timeline, snapshot)
            model.timeline.center = center + (key == .left ? -span / 4 : span / 4)
        case .character("+"), .character("="):
            model.timeline.zoom = max(-8, model.timeline.zoom - 1)
        case .character("-"):
            model.timeline.zoom = min(8, model.timeline.zoom + 1)
        case .character("f"), .end:
            model.timeline.center = nil
            model.timeline.selected = nil
        case .up, .down:
            pickEvent(key == .down ? 1 : -1, snapshot, in: &model)
        case .escape:
            model.timeline.selected = nil
        default:
            return .passed
        }
        return .consumed
    }

    /// Picks the next (or previous) event in event time and brings it into view.
    private static func pickEvent(_ step: Int, _ snapshot: TimelineSnapshot, in model: inout SessionModel) {
        let events = snapshot.events.filter { !$0.late }.sorted {
            ($0.time, $0.split, $0.offset) < ($1.time, $1.split, $1.offset)
        }
        guard !events.isEmpty else { return model.note("no events on the timeline yet") }
        let current = model.timeline.selected.flatMap { picked in
            events.firstIndex { $0.split == picked.split && $0.offset == picked.offset }
        }
        // The first pick starts from the newest event going back, or the oldest going forward.
        let index = current.map { max(0, min(events.count - 1, $0 + step)) } ?? (step < 0 ? events.count - 1 : 0)
        let event = events[index]
        model.timeline.selected = EventPosition(split: event.split, offset: event.offset)
        let span = TimelineView.span(snapshot, zoom: model.timeline.zoom)
        if abs(event.time - TimelineView.center(model.timeline, snapshot)) > span * 2 / 5 {
            model.timeline.center = event.time
        }
    }

    static func draw(_ model: SessionModel, into grid: inout CellGrid, area: Rect, focused: Bool) {
        TimelineView.draw(model.timeline, into: &grid, area: area, focused: focused)
    }
}
