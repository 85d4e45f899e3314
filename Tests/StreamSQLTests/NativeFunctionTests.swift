import Foundation
import SQLPlanner
import SQLSyntax
import StreamSQL
import Testing

/// Functions written in Swift and registered on an engine, used from SQL.
@Suite struct NativeFunctionTests {
    struct Refused: Error, CustomStringConvertible {
        var description: String { "negative ids have no province" }
    }

    static func engine() -> Engine {
        let engine = Engine()
        engine.register(
            NativeScalarFunction("province_name", parameters: [.int], returns: .string) { arguments in
                guard case let .integer(id) = arguments[0] else { return .string("unknown") }
                if id < 0 { throw Refused() }
                return .string(["beijing", "shanghai", "hangzhou"][Int(id) % 3])
            })
        // The product of the values, with a merge so it also works in session windows, and a
        // retract so that it aggregates changelogs (a value taken back divides it out).
        engine.register(
            NativeAggregateFunction(
                "product", parameter: .double, returns: .double, initial: .double(1),
                add: { state, value in state = .double(state.doubleValue! * value.doubleValue!) },
                merge: { a, b in .double(a.doubleValue! * b.doubleValue!) },
                retract: { state, value in state = .double(state.doubleValue! / value.doubleValue!) }))
        engine.register(
            NativeAggregateFunction(
                "spread", parameter: .bigint, returns: .bigint, initial: .null,
                add: { state, value in
                    guard case let .integer(number) = value else { return }
                    if case let .row(bounds) = state, case let .integer(low) = bounds[0],
                        case let .integer(high) = bounds[1]
                    {
                        state = .row([.integer(min(low, number)), .integer(max(high, number))])
                    } else {
                        state = .row([.integer(number), .integer(number)])
                    }
                },
                result: { state in
                    guard case let .row(bounds) = state, case let .integer(low) = bounds[0],
                        case let .integer(high) = bounds[1]
                    else { return .null }
                    return .integer(high - low)
                }))
        return engine
    }

    static let eventsFile = temporaryFile(
        "events.json",
        [
            #"{"k":"x","v":2,"ts":"2024-01-01 00:00:01"}"#, #"{"k":"x","v":3,"ts":"2024-01-01 00:00:02"}"#,
            #"{"k":"y","v":7,"ts":"2024-01-01 00:00:03"}"#, #"{"k":"x","v":5,"ts":"2024-01-01 00:00:06"}"#,
            #"{"k":"y","v":null,"ts":"2024-01-01 00:00:07"}"#,
        ])

    static let events = """
        CREATE TABLE events (k STRING, v INT, ts STRING, rt AS TO_TIMESTAMP(ts), WATERMARK FOR rt AS rt)
        WITH ('connector' = 'filesystem', 'path' = '\(eventsFile)', 'format' = 'json');
        """

    @Test func scalarFunctionWithCastArgumentsAndNull() throws {
        let result = try run(
            "SELECT province_name(1), province_name(CAST(4 AS BIGINT)), province_name(NULL)", engine: Self.engine())
        #expect(result.lines == ["shanghai|shanghai|unknown"])
    }

    @Test func aThrowingFunctionFailsTheQueryWithItsName() {
        #expect {
            try run("SELECT province_name(-1)", engine: Self.engine())
        } throws: { error in
            "\(error)".contains("function province_name failed: negative ids have no province")
        }
    }

    /// Over a changelog an aggregate takes values back with its retract function; one
    /// registered without it is refused there, with the reason.
    @Test func aggregatesOverAChangelogNeedRetract() throws {
        let engine = Self.engine()
        try run(Self.events, engine: engine)
        let products = try run(
            "SELECT product(total) FROM (SELECT k, SUM(v) AS total FROM events GROUP BY k)", engine: engine)
        #expect(products.finalTable == ["70.0"]) // x: 2 + 3 + 5, y: 7
        #expect(products.kinds.contains(.updateBefore))
        #expect {
            try run("SELECT spread(total) FROM (SELECT k, SUM(v) AS total FROM events GROUP BY k)", engine: engine)
        } throws: { error in
            "\(error)".contains(
                "spread cannot aggregate a changelog (its input updates rows): it was registered without a retract function"
            )
        }
    }

    @Test func aggregatesInWindowsGroupsAndSessions() throws {
        let engine = Self.engine()
        try run(Self.events, engine: engine)
        let windows = try run(
            """
            SELECT k, product(v), spread(v), TUMBLE_START(rt, INTERVAL '5' SECOND) FROM events
            GROUP BY TUMBLE(rt, INTERVAL '5' SECOND), k
            """, engine: engine)
        #expect(
            windows.lines.sorted() == [
                "x|5.0|0|2024-01-01 00:00:05.000", "x|6.0|1|2024-01-01 00:00:00.000",
                "y|1.0|NULL|2024-01-01 00:00:05.000", "y|7.0|0|2024-01-01 00:00:00.000",
            ])
        let sessions = try run(
            """
            SELECT k, product(v) FROM events GROUP BY SESSION(rt, INTERVAL '5' SECOND), k
            """, engine: engine)
        #expect(sessions.lines.sorted() == ["x|30.0", "y|7.0"])
        #expect {
            try run("SELECT spread(v) FROM events GROUP BY SESSION(rt, INTERVAL '3' SECOND)", engine: engine)
        } throws: { error in
            "\(error)".contains("spread cannot be used in a SESSION window")
        }
        let functions = try run("SHOW FUNCTIONS", engine: engine).lines
        #expect(functions.contains("province_name") && functions.contains("product"))
    }
}
