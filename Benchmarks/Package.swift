// swift-tools-version:6.1
import PackageDescription

// Benchmarks are their own package so the main build and CI stay fast.
// Run: cd Benchmarks && swift package --allow-writing-to-package-directory benchmark
//      (ordo-one/benchmark: Benchmarks/EngineBenchmarks), or swift run -c release LedgerLoad --help
let package = Package(
    name: "comp-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "comp", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "LedgerLoad",
            dependencies: [
                .product(name: "Ledger", package: "comp"),
                .product(name: "SampleData", package: "comp"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Each stage beside a peer measured in the same run (money, ledger load, the whole run).
        .executableTarget(
            name: "EngineBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "CompCore", package: "comp"),
                .product(name: "Ledger", package: "comp"),
                .product(name: "Runner", package: "comp"),
                .product(name: "SampleData", package: "comp"),
            ],
            path: "Benchmarks/EngineBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
