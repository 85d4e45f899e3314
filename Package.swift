// swift-tools-version:6.0
import PackageDescription

// Weir: a terminal workbench for streaming SQL over Kafka.
// Module map and dependency rules: docs/ARCHITECTURE.md.
let package = Package(
    name: "weir",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "weir", targets: ["weir"]),
        .library(name: "KafkaProtocol", targets: ["KafkaProtocol"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
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
        // Connections, metadata, producer, consumer, groups and admin over SwiftNIO;
        // TLS through swift-nio-ssl, SCRAM's HMAC/SHA-2/PBKDF2 from swift-crypto.
        .target(
            name: "KafkaClient",
            dependencies: [
                "KafkaProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // The broker's storage: segmented logs in Kafka's on-disk format, indexes, recovery,
        // retention. No networking; used by KafkaBroker.
        .target(name: "KafkaLog", dependencies: ["KafkaProtocol"]),
        // Writes Sources/KafkaProtocol/Generated from Kafka's message schemas.
        .executableTarget(name: "ProtocolGenerator", exclude: ["ErrorCodes.tsv"]),
        .executableTarget(
            name: "weir",
            dependencies: [
                "KafkaProtocol",
                "KafkaClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "WeirBench", dependencies: ["KafkaProtocol"]),
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
        .testTarget(name: "KafkaClientTests", dependencies: ["KafkaClient", "WeirTestSupport"]),
        // Runs the built `weir` binary as a user would.
        .testTarget(name: "WeirCLITests", dependencies: ["KafkaProtocol", "KafkaClient", "WeirTestSupport", "weir"]),
    ]
)
