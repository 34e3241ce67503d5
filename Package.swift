// swift-tools-version:6.0
// medstore: object storage for clusters that hold health data.
// Only the toolchain and the system libraries sqlite3 and OpenSSL 3; no outside packages.
import PackageDescription

let package = Package(
    name: "medstore",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "MedStoreClient", targets: ["MedStoreClient"]),
        .library(name: "MedStoreProtocol", targets: ["MedStoreProtocol"]),
        .executable(name: "medstored", targets: ["medstored"]),
        .executable(name: "medctl", targets: ["medctl"]),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .target(name: "CMedStoreShims", dependencies: ["CSQLite", "COpenSSL"]),
        .target(name: "MedStoreProtocol"),
        .target(name: "MedStoreSocket", dependencies: ["MedStoreProtocol"]),
        .target(name: "MedStoreCore", dependencies: ["MedStoreProtocol", "CSQLite", "COpenSSL", "CMedStoreShims"]),
        .target(name: "MedStoreServer", dependencies: ["MedStoreProtocol", "MedStoreCore", "MedStoreSocket", "CMedStoreShims", "COpenSSL"]),
        .target(name: "MedStoreClient", dependencies: ["MedStoreProtocol", "MedStoreSocket"]),
        .target(name: "MedStoreTestSupport", dependencies: ["MedStoreServer", "MedStoreCore", "MedStoreClient"]),
        // The fuzz harnesses: parsers of hostile input and the promises they keep (Tests/Fuzz).
        .target(name: "MedStoreFuzzing", dependencies: ["MedStoreProtocol", "MedStoreCore", "MedStoreServer", "MedStoreTestSupport"]),
        .executableTarget(name: "medstored", dependencies: ["MedStoreServer", "MedStoreCore"]),
        .executableTarget(name: "medctl", dependencies: ["MedStoreClient", "MedStoreProtocol"]),
        // The load generator behind `make bench` (bench/run.py); not installed.
        .executableTarget(name: "medstore-bench", dependencies: ["MedStoreClient", "MedStoreProtocol", "MedStoreCore"]),
        // `make fuzz` builds this with -sanitize=fuzzer -DMEDSTORE_LIBFUZZER (libFuzzer entry points);
        // the normal build makes it a replay tool for saved inputs. Not installed. `Extern` is for
        // declaring libFuzzer's C driver function.
        .executableTarget(name: "medstore-fuzz", dependencies: ["MedStoreFuzzing"],
                          swiftSettings: [.enableExperimentalFeature("Extern")]),
        .testTarget(name: "MedStoreProtocolTests", dependencies: ["MedStoreProtocol"]),
        .testTarget(name: "MedStoreCoreTests", dependencies: ["MedStoreCore", "MedStoreTestSupport"]),
        .testTarget(name: "MedCtlTests", dependencies: ["medctl"]),
        .testTarget(name: "MedStoreServerTests", dependencies: ["MedStoreServer", "MedStoreClient", "MedStoreTestSupport"]),
        .testTarget(name: "MedStoreFuzzingTests", dependencies: ["MedStoreFuzzing"]),
    ],
    swiftLanguageModes: [.v6]
)
