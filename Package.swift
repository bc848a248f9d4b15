// swift-tools-version:6.1
// Tally: a prepaid credits and wallet engine. Zero package dependencies: the toolchain plus the
// system libraries sqlite3, libcurl and libcrypto.
import PackageDescription

/// Links with `--as-needed` ahead of every library (see Sources/CTallyCurl/as-needed.cfg), so the
/// `-lcurl` from libcurl's pkg-config file leaves no `NEEDED libcurl.so.4`: `tally serve` maps
/// libcurl and the ~29 libraries it needs only once it delivers a webhook.
let asNeeded: [LinkerSetting] = [
    .unsafeFlags(["-Xclang-linker", "--config=\(Context.packageDirectory)/Sources/CTallyCurl/as-needed.cfg"],
                 .when(platforms: [.linux])),
]

let package = Package(
    name: "Tally",
    // Linux only (epoll, Glibc, /proc): SwiftPM cannot name Linux in `platforms`, and naming an
    // Apple platform here would claim a build that does not exist, so the field is left out.
    products: [
        .library(name: "TallyEngine", targets: ["TallyEngine"]),
        .executable(name: "tally", targets: ["tally"]),
    ],
    targets: [
        // C system libraries
        .systemLibrary(
            name: "CTallySQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // libcurl: its headers and the typed shims (no `link` in the module map). libcurl.so.4 is
        // opened on the first webhook delivery by CTallyCurlLoader, not linked, so it costs an idle
        // server no memory; the `-lcurl` SwiftPM adds from pkg-config is dropped by `--as-needed`
        // (see `asNeeded` below) since nothing references a libcurl symbol directly.
        .systemLibrary(
            name: "CTallyCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(
            name: "CTallyCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),

        // Library layers, bottom up
        .target(name: "TallyCore"),
        // The only libcrypto user: digests, MACs, random bytes and constant-time comparison.
        .target(name: "TallyCrypto", dependencies: ["CTallyCrypto"]),
        // The operating system's clock and threads, as every layer reads and runs them.
        .target(name: "TallySystem"),
        .target(name: "TallyStore", dependencies: ["TallyCore", "TallySystem", "CTallySQLite"]),
        .target(name: "TallyEngine", dependencies: ["TallyCore", "TallyStore", "TallyWebhooks", "TallyCrypto", "TallySystem"]),
        .target(name: "TallyHTTP", dependencies: ["TallySystem"]),
        // dlopen()s libcurl.so.4 and fills the function table CTallyCurl's shims call through.
        .target(
            name: "CTallyCurlLoader", dependencies: ["CTallyCurl"], publicHeadersPath: ".",
            cSettings: [.headerSearchPath("../CTallyCurl")]),
        // Webhook delivery: the only libcurl user.
        .target(name: "TallyWebhooks", dependencies: ["TallyCore", "CTallyCurl", "CTallyCurlLoader", "TallyCrypto", "TallySystem"]),
        // Seeded randomness for simulations, property tests and the load generators.
        .target(name: "TallyTesting", dependencies: ["TallyCore"]),
        // Test support: a fault-injecting SQLite VFS (power loss, I/O errors) and the harness that
        // drives the engine through its schedules in child processes (RELIABILITY.md).
        .target(name: "CTallyFaultVFS", dependencies: ["CTallySQLite"]),
        .target(
            name: "TallyFaultHarness",
            dependencies: ["CTallyFaultVFS", "TallyEngine", "TallyStore", "TallyCore", "TallyTesting"]),
        .target(name: "TallyServer", dependencies: ["TallyEngine", "TallyHTTP", "TallyCore", "TallyCrypto", "TallySystem"]),

        // Executable
        .executableTarget(
            name: "tally", dependencies: ["TallyTesting", "TallyEngine", "TallyStore", "TallyCore", "TallyServer", "TallySystem"],
            linkerSettings: asNeeded),
        // The fault harness's child and soak runner; not a product.
        .executableTarget(name: "tally-faults", dependencies: ["TallyFaultHarness", "TallyTesting"], linkerSettings: asNeeded),

        // Tests
        .testTarget(name: "TallyCoreTests", dependencies: ["TallyTesting", "TallyCore"]),
        .testTarget(name: "TallySystemTests", dependencies: ["TallySystem"]),
        .testTarget(name: "TallyStoreTests", dependencies: ["TallyTesting", "TallyStore", "TallyCore"]),
        .testTarget(name: "TallyEngineTests", dependencies: ["TallyTesting", "TallyEngine", "TallyStore", "TallyCore", "TallySystem"]),
        .testTarget(name: "TallyHTTPTests", dependencies: ["TallyHTTP", "TallyTesting"]),
        .testTarget(name: "TallyServerTests", dependencies: ["TallyTesting", "TallyServer", "TallyEngine", "TallyHTTP", "TallyStore", "TallyCore"]),
        .testTarget(name: "TallyWebhooksTests", dependencies: ["TallyTesting", "TallyWebhooks", "TallyCore", "CTallyCurl"]),
        .testTarget(
            name: "TallyFaultTests", dependencies: ["TallyFaultHarness", "CTallyFaultVFS", "CTallySQLite", "TallyTesting"]),
        .testTarget(name: "TallyCLITests", dependencies: ["TallyTesting", "TallyEngine", "TallyStore", "TallyCore"]),
    ]
)

for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .swiftLanguageMode(.v6),
        .enableUpcomingFeature("ExistentialAny"),
    ]
}
