import SQLRuntime
import SQLValues
import StreamSQL

/// What `\replay` was asked for: a pace (`10x`, `1x`, `step`), and optionally a range of event
/// time (`from 2024-01-01T00:00:05 to 2024-01-01T00:01:00`) or of offsets (`offsets 100-200`).
struct ReplayRequest {
    static let usage =
        "\\replay [1x|10x|Nx|step] [from TIME] [to TIME] [offsets FIRST-END]   (TIME like 2024-01-01T00:00:05)"

    var pace = ReplayControl.Pace.speed(10)
    var from: Int64?
    var to: Int64?
    var offsetRange: Range<Int64>?

    struct Failure: Error { let message: String }

    init(_ words: [String]) throws(Failure) {
        var index = 0
        func next(_ what: String) throws(Failure) -> String {
            index += 1
            guard index < words.count else { throw Failure(message: "\\replay: \(what) needs a value") }
            return words[index]
        }
        func time(_ text: String) throws(Failure) -> Int64 {
            guard let micros = EventTimeText.micros(text.replacingOccurrences(of: "T", with: " ")) else {
                throw Failure(message: "\\replay: '\(text)' is not a time (2024-01-01T00:00:05)")
            }
            return micros
        }
        while index < words.count {
            let word = words[index].lowercased()
            switch word {
            case "step": pace = .step
            case "from": from = try time(try next("from"))
            case "to": to = try time(try next("to"))
            case "offsets":
                let text = try next("offsets")
                let bounds = text.split(separator: "-").map { Int64($0) }
                guard bounds.count == 2, let first = bounds[0], let end = bounds[1], first >= 0, first < end else {
                    throw Failure(message: "\\replay: offsets FIRST-END, like 0-100 (END not included)")
                }
                offsetRange = first..<end
            default:
                guard word.hasSuffix("x") || word.hasSuffix("×"), let speed = Double(word.dropLast()), speed > 0 else {
                    throw Failure(message: "\\replay: unknown '\(words[index])'")
                }
                pace = .speed(speed)
            }
            index += 1
        }
        if let from, let to, from >= to { throw Failure(message: "\\replay: 'from' must be before 'to'") }
    }

    var timeRange: Range<Int64>? {
        guard from != nil || to != nil else { return nil }
        return (from ?? .min)..<(to ?? .max)
    }

    var description: String {
        var text: String
        switch pace {
        case .step: text = "one event at a time"
        case let .speed(speed): text = "at \(speed == speed.rounded() ? String(Int(speed)) : String(speed))× event time"
        }
        if let from { text += " from \(CivilClock.time(from / 1000))" }
        if let to { text += " to \(CivilClock.time(to / 1000))" }
        if let offsetRange { text += ", offsets \(offsetRange.lowerBound) to \(offsetRange.upperBound - 1)" }
        return text
    }
}
