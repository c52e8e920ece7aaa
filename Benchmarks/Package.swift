// swift-tools-version:6.1
import PackageDescription

// Benchmarks are their own package so the main build and CI stay fast.
// Run: cd Benchmarks && swift run -c release LedgerLoad --help
let package = Package(
    name: "comp-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "comp", path: "../")
    ],
    targets: [
        .executableTarget(
            name: "LedgerLoad",
            dependencies: [
                .product(name: "Ledger", package: "comp"),
                .product(name: "SampleData", package: "comp"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        )
    ]
)
