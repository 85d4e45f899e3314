import SQLPlanner
import SQLSyntax
import SQLValues

/// An aggregate a program registered (`NativeAggregateFunction`): its state is a `Value`.
final class NativeColumn: AggregateColumn {
    private let function: NativeAggregateFunction
    @exclusivity(unchecked) private var states: [Value] = []

    override init(_ call: AggregateCall, retracting: Bool) {
        guard case let .native(function) = call.kind else { preconditionFailure("not a native aggregate") }
        self.function = function
        super.init(call, retracting: retracting)
    }

    override func appendGroup() { states.append(function.initial) }
    override func reset(_ group: Int) { states[group] = function.initial }

    override func add(_ value: Value, to group: Int) {
        if !value.isNull { function.add(&states[group], value) }
    }

    override func retract(_ value: Value, from group: Int) {
        if retracting, !value.isNull { function.retract?(&states[group], value) }
    }

    override func merge(_ source: Int, into target: Int) {
        if let merge = function.merge { states[target] = merge(states[target], states[source]) }
    }

    override func result(of group: Int) -> Value { function.result(states[group]) }
    override func saved(_ group: Int) -> Value { states[group] }
    override func restore(_ state: Value, into group: Int) throws(SQLError) { states[group] = state }
}
