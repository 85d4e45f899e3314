// swift-tools-version:6.0
import PackageDescription

// Weir: a terminal workbench for streaming SQL over Kafka.
// Module map and dependency rules: docs/ARCHITECTURE.md.
let package = Package(
    name: "weir",
    platforms: [.macOS(.v15)], // Synchronization's Mutex
    products: [
        .executable(name: "weir", targets: ["weir"]),
        .library(name: "KafkaProtocol", targets: ["KafkaProtocol"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // CRC-32C with the CPU's instruction where there is one, slicing-by-8 otherwise.
        .target(name: "CCRC32C", cSettings: [.unsafeFlags(["-O3"])]),
        // zlib (linked; its headers are on every machine) and zstd (loaded at run time).
        .target(
            name: "CCompression",
            linkerSettings: [.linkedLibrary("z"), .linkedLibrary("dl")]
        ),
        // The Kafka wire codec: no I/O, no dependencies beyond the two C helpers.
        .target(name: "KafkaProtocol", dependencies: ["CCRC32C", "CCompression"]),
        // What the client and the broker share on SwiftNIO: the Kafka frame decoder.
        .target(name: "KafkaNIO", dependencies: ["KafkaProtocol", .product(name: "NIOCore", package: "swift-nio")]),
        // SCRAM (RFC 5802), both sides: the client's and the broker's. HMAC, SHA-2 and PBKDF2 from swift-crypto.
        .target(
            name: "SCRAM",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // Connections, metadata, producer, consumer, groups and admin over SwiftNIO;
        // TLS through swift-nio-ssl, SCRAM from the SCRAM module.
        .target(
            name: "KafkaClient",
            dependencies: [
                "KafkaProtocol", "KafkaNIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                "SCRAM",
            ]
        ),
        // The broker's storage: segmented logs in Kafka's on-disk format, indexes, recovery,
        // retention. No networking; used by KafkaBroker.
        .target(name: "KafkaLog", dependencies: ["KafkaProtocol"]),
        // The embedded Kafka-compatible broker: the NIO server, request handlers, durability,
        // the group and transaction coordinators. Storage is KafkaLog's.
        .target(
            name: "KafkaBroker",
            dependencies: [
                "KafkaProtocol", "KafkaLog", "KafkaNIO",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                "SCRAM",
            ]
        ),
        // The SQL front end's first stage: lexer, syntax tree and parser for Weir's Flink SQL,
        // with errors that name line and column. No I/O, no dependencies.
        .target(name: "SQLSyntax"),
        // The streaming SQL engine, in five modules with one-way arrows (docs/ARCHITECTURE.md):
        // values: Value, rows and schemas, civil time, decimals, JSON text. No I/O.
        .target(name: "SQLValues", dependencies: ["SQLSyntax"]),
        // planner: the catalog, functions, and planning into a physical plan; connectors as
        // the catalog knows them (their options, what their tables are).
        .target(
            name: "SQLPlanner",
            dependencies: ["SQLSyntax", "SQLValues", .product(name: "Crypto", package: "swift-crypto")]),
        // runtime: operators and their state, checkpoints, query execution and its events;
        // what a connector makes to run (sources, sinks).
        .target(name: "SQLRuntime", dependencies: ["SQLSyntax", "SQLValues", "SQLPlanner"]),
        // connectors: each connector and format. The only part of the engine that speaks Kafka.
        .target(
            name: "SQLConnectors",
            dependencies: ["SQLSyntax", "SQLValues", "SQLPlanner", "SQLRuntime", "KafkaClient", "KafkaProtocol"]),
        // The engine's facade: statements run against a session's catalog, jobs, completion.
        .target(
            name: "StreamSQL", dependencies: ["SQLSyntax", "SQLValues", "SQLPlanner", "SQLRuntime", "SQLConnectors"]),
        // The seeds' data sets as generators: the oracle's payment file, and the live streams
        // of `weir demo` (payments, words, user events, recipes, clicks).
        .target(name: "DemoData", dependencies: ["SQLValues", "KafkaClient"]),
        // ncurses with wide characters (Debian: libncurses-dev).
        .systemLibrary(name: "CCurses", path: "Sources/CCurses"),
        // The terminal toolkit: cells, styles, keys, geometry, and the curses backend that
        // draws only changed cells. Knows nothing of SQL or Kafka.
        .target(name: "TerminalKit", dependencies: ["CCurses"]),
        // GNU readline (Debian: libreadline-dev), the workbench's line editor.
        .systemLibrary(name: "CReadline", path: "Sources/CReadline"),
        // The workbench: session model, panes and the controller that runs statements off the UI loop.
        .target(
            name: "Workbench",
            dependencies: [
                "TerminalKit", "CReadline", "StreamSQL", "SQLSyntax", "SQLValues", "SQLPlanner", "SQLRuntime",
                "SQLConnectors", "KafkaClient", "KafkaProtocol", "DemoData",
            ]),
        // Writes Sources/KafkaProtocol/Generated from Kafka's message schemas.
        .executableTarget(name: "ProtocolGenerator", exclude: ["ErrorCodes.tsv"]),
        .executableTarget(
            name: "weir",
            dependencies: [
                "KafkaProtocol",
                "KafkaClient",
                "KafkaBroker",
                "SQLSyntax",
                "SQLValues",
                "SQLRuntime",
                "SQLConnectors",
                "StreamSQL",
                "DemoData",
                "TerminalKit",
                "Workbench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["CommitStamp"]
        ),
        // Stamps the commit a build comes from into `weir` (for `weir --version`).
        .plugin(name: "CommitStamp", capability: .buildTool()),
        .executableTarget(
            name: "WeirBench", dependencies: ["KafkaProtocol", "StreamSQL", "SQLValues", "SQLRuntime", "SQLConnectors"]),
        // The workbench's frame, update and key-echo costs (scripts/bench-workbench.sh).
        .executableTarget(
            name: "WorkbenchBench", dependencies: ["Workbench", "TerminalKit", "StreamSQL", "SQLValues"]),
        // The broker's mutation fuzzer (run by KafkaBrokerTests in a process of its own).
        .executableTarget(
            name: "WeirFuzz",
            dependencies: ["KafkaBroker", "KafkaProtocol", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "KafkaProtocolTests",
            dependencies: ["KafkaProtocol"],
            resources: [.copy("Fixtures")]
        ),
        // The log on disk: segments, indexes, recovery from torn and corrupt tails, retention.
        .testTarget(name: "KafkaLogTests", dependencies: ["KafkaLog", "KafkaProtocol"]),
        // Test helpers: the Tansu broker harness, a fault-injecting proxy, the peer scripts' runner.
        .target(
            name: "WeirTestSupport",
            dependencies: [
                "KafkaClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tests/WeirTestSupport",
            exclude: ["Peers"]
        ),
        // The client against Tansu, a Kafka-compatible broker nobody here wrote.
        .testTarget(name: "KafkaClientTests", dependencies: ["KafkaClient", "SCRAM", "WeirTestSupport"]),
        // The broker with real clients (kcat, confluent-kafka, kafka-python, aiokafka), its
        // protocol edge cases, crash recovery and a mutation fuzzer.
        .testTarget(
            name: "KafkaBrokerTests",
            dependencies: [
                "KafkaBroker", "KafkaLog", "KafkaClient", "KafkaProtocol", "WeirTestSupport", "weir", "WeirFuzz",
            ]
        ),
        // The SQL parser: every statement form, expressions and their precedence, error places.
        .testTarget(name: "SQLSyntaxTests", dependencies: ["SQLSyntax"]),
        // The engine: statements, functions, windows and watermarks, formats, and Flink's own
        // answers for the seeds' payment window (Fixtures/flink-oracle).
        .testTarget(
            name: "StreamSQLTests",
            dependencies: [
                "StreamSQL", "SQLSyntax", "SQLValues", "SQLPlanner", "SQLRuntime", "SQLConnectors", "DemoData",
                "WeirTestSupport", "KafkaClient",
            ], resources: [.copy("Fixtures")]),
        // The workbench: golden screens from replayed keys, the terminal toolkit, and `weir` under tmux.
        .testTarget(
            name: "WorkbenchTests",
            dependencies: [
                "Workbench", "TerminalKit", "StreamSQL", "SQLSyntax", "SQLValues", "SQLRuntime", "SQLConnectors",
                "WeirTestSupport", "weir",
            ],
            exclude: ["Golden"]),
        // Runs the built `weir` binary as a user would.
        .testTarget(name: "WeirCLITests", dependencies: ["KafkaProtocol", "KafkaClient", "WeirTestSupport", "weir"]),
    ]
)
