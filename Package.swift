// swift-tools-version:6.1
// Tally: a prepaid credits and wallet engine. Zero package dependencies: the toolchain plus the
// system libraries sqlite3, libcurl and libcrypto.
import PackageDescription

let package = Package(
    name: "Tally",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "TallyEngine", targets: ["TallyEngine"]),
        .executable(name: "tally", targets: ["tally"]),
    ],
    targets: [
        // C system libraries
        .systemLibrary(
            name: "CTallySQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // libcurl's headers only (apt: libcurl4-openssl-dev); libcurl.so.4 itself is opened on the
        // first webhook delivery, not linked, so it costs an idle server no memory. No pkgConfig:
        // SwiftPM would link its `-lcurl`.
        .target(name: "CTallyCurl"),
        .systemLibrary(
            name: "CTallyCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),

        // Library layers, bottom up
        .target(name: "TallyCore"),
        .target(name: "TallyStore", dependencies: ["TallyCore", "CTallySQLite"]),
        .target(name: "TallyEngine", dependencies: ["TallyCore", "TallyStore", "TallyWebhooks", "CTallyCrypto"]),
        .target(name: "TallyHTTP"),
        // Webhook delivery: the only libcurl user.
        .target(name: "TallyWebhooks", dependencies: ["TallyCore", "CTallyCurl", "CTallyCrypto"]),
        // Seeded randomness for simulations, property tests and the load generators.
        .target(name: "TallyTesting", dependencies: ["TallyCore"]),
        .target(name: "TallyServer", dependencies: ["TallyEngine", "TallyHTTP", "TallyStore", "TallyCore", "CTallyCrypto"]),

        // Executable
        .executableTarget(name: "tally", dependencies: ["TallyTesting", "TallyEngine", "TallyStore", "TallyCore", "TallyServer"]),

        // Tests
        .testTarget(name: "TallyCoreTests", dependencies: ["TallyTesting", "TallyCore"]),
        .testTarget(name: "TallyStoreTests", dependencies: ["TallyTesting", "TallyStore", "TallyCore"]),
        .testTarget(name: "TallyEngineTests", dependencies: ["TallyTesting", "TallyEngine", "TallyStore", "TallyCore"]),
        .testTarget(name: "TallyHTTPTests", dependencies: ["TallyHTTP", "TallyTesting"]),
        .testTarget(name: "TallyServerTests", dependencies: ["TallyTesting", "TallyServer", "TallyEngine", "TallyHTTP", "TallyStore", "TallyCore"]),
        .testTarget(name: "TallyWebhooksTests", dependencies: ["TallyTesting", "TallyWebhooks", "TallyCore", "CTallyCurl"]),
        .testTarget(name: "TallyCLITests", dependencies: ["TallyTesting", "TallyEngine", "TallyStore", "TallyCore"]),
    ]
)

for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .swiftLanguageMode(.v6),
        .enableUpcomingFeature("ExistentialAny"),
    ]
}
