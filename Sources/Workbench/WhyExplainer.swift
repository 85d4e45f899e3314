import SQLRuntime
import StreamSQL

/// `\why`: the state of a windowed query in words — which split holds the watermark back,
/// how far the watermark is from the next window end, how many rows were late — and what
/// to change. Reads a `QueryProgress` snapshot; times are event time, shown in UTC.
public enum WhyExplainer {
    public static func explain(_ progress: QueryProgress.Snapshot) -> [String] {
        var lines: [String] = []
        let active = progress.splits.filter { !$0.idle && !$0.ended }
        let empty = active.filter { $0.watermark == nil }
        let watermark = progress.watermark
        if progress.splits.isEmpty, progress.nextWindowEnd == nil, progress.openWindows == 0 {
            return [
                "Nothing to explain yet: no split has reported and no window is open (does the query have a window, and has a record arrived?)."
            ]
        }
        // The watermark, and who holds it.
        if let watermark {
            lines.append("The watermark is at \(time(watermark)): the smallest of the active splits' watermarks.")
        } else {
            lines.append("There is no watermark yet, so no window can fire.")
        }
        if !empty.isEmpty {
            let names = empty.map(\.name).joined(separator: ", ")
            lines.append(
                "\(names) \(empty.count == 1 ? "has" : "have") had no record: \(empty.count == 1 ? "it holds" : "they hold") the watermark back. "
                    + "Write to \(empty.count == 1 ? "it" : "them"), or set 'scan.watermark.idle-timeout' = '5 s' so a quiet split stops counting."
            )
        } else if let (slowest, low, fastest, high) = spread(active) {
            let holding = holdingBack(active, slowest: slowest, nextEnd: progress.nextWindowEnd)
            let who =
                holding.count == 1
                ? "\(slowest.name) holds it back at \(time(low))"
                : "\(holding.map(\.name).joined(separator: ", ")) hold it back (the slowest at \(time(low)))"
            lines.append(
                "\(who); \(fastest.name) is at \(time(high)) (\(seconds(high - low)) ahead). "
                    + "An idle timeout lets a split that stopped writing go; a lagging one catches up as it is read.")
        }
        let idle = progress.splits.filter(\.idle)
        if !idle.isEmpty { lines.append("Idle, not counted: \(idle.map(\.name).joined(separator: ", ")).") }
        // The next window.
        if let end = progress.nextWindowEnd {
            let fires = end - 1000
            if let watermark {
                lines.append(
                    "The next window ends at \(time(end)): it fires when the watermark reaches \(time(fires)), \(seconds(max(0, fires - watermark))) of event time from now."
                )
            } else {
                lines.append(
                    "The next window ends at \(time(end)): it fires once the watermark reaches \(time(fires)).")
            }
            lines.append("\(progress.openWindows) window\(progress.openWindows == 1 ? "" : "s") (per key) open.")
        } else if progress.openWindows == 0 {
            lines.append("No window is open: no record has fallen in one yet.")
        }
        if progress.lateRows > 0 {
            lines.append(
                "\(progress.lateRows) row\(progress.lateRows == 1 ? " was" : "s were") late — \(progress.lateRows == 1 ? "its" : "their") windows had fired — and dropped. "
                    + "A larger bound (WATERMARK FOR rt AS rt - INTERVAL '5' SECOND) waits longer for stragglers.")
        }
        return lines
    }

    /// The reason in one line, for the status bar when no window has fired for a while: who
    /// holds the watermark back, or how far it is from the next window's end.
    public static func headline(_ progress: QueryProgress.Snapshot) -> String? {
        let active = progress.splits.filter { !$0.idle && !$0.ended }
        let empty = active.filter { $0.watermark == nil }
        if !empty.isEmpty {
            return
                "\(empty.map(\.name).joined(separator: ", ")) had no record: the watermark waits for \(empty.count == 1 ? "it" : "them")"
        }
        guard let watermark = progress.watermark else { return progress.openWindows > 0 ? "no watermark yet" : nil }
        if let (slowest, low, _, high) = spread(active), let end = progress.nextWindowEnd, high >= end - 1000 {
            // Another split is past the next window's end: the ones short of it are why it has not fired.
            let holding = holdingBack(active, slowest: slowest, nextEnd: end)
            return holding.count == 1
                ? "\(slowest.name) holds the watermark back at \(CivilClock.time(low / 1000))"
                : "\(holding.map(\.name).joined(separator: ", ")) hold the watermark back (the slowest at \(CivilClock.time(low / 1000)))"
        }
        guard let end = progress.nextWindowEnd else { return nil }
        return
            "the next window fires when the watermark reaches \(CivilClock.time((end - 1000) / 1000)), \(seconds(max(0, end - 1000 - watermark))) away"
    }

    /// The splits the next window waits for: every one whose watermark is short of its end
    /// (all of them must move on for it to fire) — or, not knowing the end, the slowest.
    static func holdingBack(_ active: [SplitState], slowest: SplitState, nextEnd: Int64?) -> [SplitState] {
        guard let nextEnd else { return [slowest] }
        let short = active.filter { ($0.watermark ?? .min) < nextEnd - 1000 }
        return short.isEmpty ? [slowest] : short.sorted { ($0.watermark ?? .min) < ($1.watermark ?? .min) }
    }

    /// The active splits' slowest and fastest watermarks, when they differ.
    static func spread(_ active: [SplitState]) -> (slowest: SplitState, low: Int64, fastest: SplitState, high: Int64)? {
        guard active.count > 1, let slowest = active.min(by: { ($0.watermark ?? .min) < ($1.watermark ?? .min) }),
            let fastest = active.max(by: { ($0.watermark ?? .min) < ($1.watermark ?? .min) }),
            let low = slowest.watermark, let high = fastest.watermark, high > low
        else { return nil }
        return (slowest, low, fastest, high)
    }

    static func time(_ micros: Int64) -> String {
        CivilClock.time(micros / 1000) + " UTC"
    }

    static func seconds(_ micros: Int64) -> String {
        let value = Double(micros) / 1_000_000
        return value == value.rounded() ? "\(Int(value)) s" : String(format: "%.3f s", value)
    }
}
