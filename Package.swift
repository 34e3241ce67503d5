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
        .executableTarget(name: "medstored", dependencies: ["MedStoreServer", "MedStoreCore"]),
        .executableTarget(name: "medctl", dependencies: ["MedStoreClient", "MedStoreProtocol"]),
        // The load generator behind `make bench` (bench/run.py); not installed.
        .executableTarget(name: "medstore-bench", dependencies: ["MedStoreClient", "MedStoreProtocol", "MedStoreCore"]),
        .testTarget(name: "MedStoreProtocolTests", dependencies: ["MedStoreProtocol"]),
        .testTarget(name: "MedStoreCoreTests", dependencies: ["MedStoreCore", "MedStoreTestSupport"]),
        .testTarget(name: "MedCtlTests", dependencies: ["medctl"]),
        .testTarget(name: "MedStoreServerTests", dependencies: ["MedStoreServer", "MedStoreClient", "MedStoreTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
