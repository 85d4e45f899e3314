import SQLRuntime
import SQLValues
import StreamSQL
import TerminalKit

/// The workbench's teaching tools: a result row's window, `\replay`, and the guided
/// `\tutorial`'s progress (the timeline's keys are `TimelinePane`'s).
extension Workbench {
    /// The window [start, end) of a result row: its first two timestamps, start before end
    /// (window_start and window_end, or TUMBLE_START and TUMBLE_END, wherever they are).
    static func window(of cells: [String]) -> Range<Int64>? {
        let times = cells.compactMap(EventTimeText.micros)
        guard times.count >= 2, times[0] < times[1] else { return nil }
        return times[0]..<times[1]
    }

    /// `\\replay [1x|10x|Nx|step] [from TIME] [to TIME] [offsets A-B]` reruns the last query
    /// paced; `\\replay pause|resume|step [N]` steers the one running.
    func replayCommand(_ arguments: CommandArguments) {
        let words = Array(arguments.words.dropFirst())
        if let control = model.replay, model.running, let first = words.first,
            ["pause", "resume", "step"].contains(first)
        {
            switch first {
            case "pause": control.pause()
            case "resume": control.resume()
            default: control.step(words.count > 1 ? Int(words[1]) ?? 1 : 1)
            }
            return
        }
        guard let query = model.lastQuery else { return model.note("\\replay reruns the last query: run one first") }
        let request: ReplayRequest
        do {
            request = try ReplayRequest(words)
        } catch {
            return model.note("error: \(error.message)\n" + ReplayRequest.usage)
        }
        if model.running { stopRunning() }
        let control = ReplayControl(pace: request.pace, timeRange: request.timeRange, offsetRange: request.offsetRange)
        model.replay = control
        model.note("replaying \(request.description): F7 pauses and resumes, F8 steps one event, Esc stops")
        run(query, replay: control)
    }

    /// Moves the lesson on past the steps now done, and offers the next step's input.
    func checkTutorial(_ progress: QueryProgress.Snapshot?) {
        guard model.tutorial != nil else { return }
        let completed = model.tutorial!.advance(model: model, progress: progress)
        guard !completed.isEmpty else { return }
        for title in completed { model.note("✓ tutorial: \(title)") }
        offerTutorialInput(progress)
    }

    /// The current step's text to type, in the input (unless the user is typing something).
    func offerTutorialInput(_ progress: QueryProgress.Snapshot?) {
        guard let tutorial = model.tutorial, model.editor.isEmpty,
            let text = tutorial.input(model: model, progress: progress)
        else { return }
        model.editor.set(text)
    }
}
