import Foundation
import SQLPlanner
import SQLSyntax
import SQLValues

/// What an operator of several inputs (a union, a join) passes on: the smallest of its
/// inputs' watermarks, and its own end once every input has ended (closed if one was).
package struct InputEnds {
    private var watermarks: [Int64]
    private var emitted = Int64.min
    private var finished = 0
    private var closed = 0

    init(inputs: Int) {
        watermarks = Array(repeating: Int64.min, count: inputs)
    }

    /// An input's watermark; the combined one when it moved, for the output.
    mutating func watermark(_ time: Int64, from input: Int) -> Int64? {
        watermarks[input] = max(watermarks[input], time)
        let combined = watermarks.min()!
        guard combined > emitted else { return nil }
        emitted = combined
        return combined
    }

    /// An input ended (finished or closed); once all have, whether the output closes (true) or finishes (false).
    mutating func end(closing: Bool) -> Bool? {
        if closing { closed += 1 } else { finished += 1 }
        guard finished + closed == watermarks.count else { return nil }
        return closed > 0
    }
}

/// An operator of several inputs (a union, a join). Each input feeds it through a port that
/// says which input it is; the output's watermark is the smallest of the inputs' (`InputEnds`),
/// and the output ends when every input has.
package class MultiInputOperator: Operator {
    private var ends: InputEnds

    init(inputs: Int) {
        ends = InputEnds(inputs: inputs)
    }

    /// The operator input `position` feeds.
    final func input(_ position: Int) -> Operator { InputPort(target: self, position: position) }

    /// Rows of one input; passed on as they are unless the operator says otherwise.
    func process(_ rows: [Row], kinds: [RowKind]?, from input: Int) throws(SQLError) {
        try output?.process(rows, kinds: kinds)
    }

    /// The inputs' combined watermark moved to `time`.
    func combinedWatermark(_ time: Int64) throws(SQLError) {
        try output?.watermark(time)
    }

    fileprivate final func watermark(_ time: Int64, from input: Int) throws(SQLError) {
        if let combined = ends.watermark(time, from: input) { try combinedWatermark(combined) }
    }

    /// Every input ended (before the output is finished): what an operator holds to the end goes now.
    func inputsEnded() throws(SQLError) {}

    fileprivate final func end(closing: Bool) throws(SQLError) {
        guard let close = ends.end(closing: closing) else { return }
        if close {
            try output?.close()
        } else {
            try inputsEnded()
            try output?.finish()
        }
    }
}

/// Several inputs into one output.
package final class UnionOperator: MultiInputOperator {}

/// INTERSECT and EXCEPT, with or without ALL: each input's rows counted (a changelog's
/// taken-back rows too), the result given once both have ended — a row as many times as the
/// operation leaves it (INTERSECT ALL: the fewer of its two counts; EXCEPT ALL: the left's
/// less the right's; without ALL once, when there is any), in the order the left gave them.
package final class SetOperationOperator: MultiInputOperator {
    let operation: SetOperation
    let all: Bool
    private var counts: [Row: (left: Int, right: Int)] = [:]
    private var order: [Row] = []

    init(_ operation: SetOperation, all: Bool) {
        self.operation = operation
        self.all = all
        super.init(inputs: 2)
    }

    override func process(_ rows: [Row], kinds: [RowKind]?, from input: Int) throws(SQLError) {
        for (position, row) in rows.enumerated() {
            let kind = kinds?[position] ?? .insert
            let change = kind == .insert || kind == .updateAfter ? 1 : -1
            var count = counts[row] ?? (0, 0)
            if input == 0 {
                if count.left == 0, count.right == 0, counts[row] == nil { order.append(row) }
                count.left += change
            } else {
                count.right += change
            }
            counts[row] = count
        }
    }

    override func combinedWatermark(_ time: Int64) throws(SQLError) {}

    override func inputsEnded() throws(SQLError) {
        var result: [Row] = []
        for row in order {
            guard let count = counts[row] else { continue }
            let times: Int
            switch (operation, all) {
            case (.intersect, true): times = max(0, min(count.left, count.right))
            case (.intersect, false): times = count.left > 0 && count.right > 0 ? 1 : 0
            case (.except, true): times = max(0, count.left - count.right)
            case (.except, false): times = count.left > 0 && count.right <= 0 ? 1 : 0
            }
            for _ in 0..<times { result.append(row) }
        }
        counts = [:]
        order = []
        if !result.isEmpty { try output?.process(result, kinds: nil) }
    }
}

/// One input of a `MultiInputOperator`: what arrives goes to it, with the input's position.
private final class InputPort: Operator {
    unowned let target: MultiInputOperator
    let position: Int

    init(target: MultiInputOperator, position: Int) {
        self.target = target
        self.position = position
    }

    override func process(_ rows: [Row], kinds: [RowKind]?) throws(SQLError) {
        try target.process(rows, kinds: kinds, from: position)
    }
    override func watermark(_ time: Int64) throws(SQLError) { try target.watermark(time, from: position) }
    override func finish() throws(SQLError) { try target.end(closing: false) }
    override func close() throws(SQLError) { try target.end(closing: true) }
    override func prepareCheckpoint() throws(SQLError) { try target.prepareCheckpoint() }
}
