// swift-tools-version:6.1
import PackageDescription

// Dependencies point one way, down the pipeline (see docs/architecture.md):
//   CompCore, CompDiagnostics  (leaves)
//   Ledger      -> CompCore, CompDiagnostics
//   SampleData  -> CompCore
//   PlanModel   -> CompCore, CompDiagnostics       (the narrow waist both front ends produce)
//   PlanLanguage -> PlanModel, CompCore, CompDiagnostics
//   RunResults  -> CompCore                         (what a run produces)
//   Store       -> RunResults, CompCore, GRDB       (the only SQLite user)
//   Engine      -> PlanModel, Ledger, RunResults, CompCore, CompDiagnostics
//   PlanXML     -> PlanLanguage, PlanModel, CLibXML2, CompDiagnostics
//                  (the only libxml2 user; lowers XML through the language's checker)
//   Runner      -> PlanLanguage, PlanXML, Ledger, Engine, Store (one run, end to end; the CLI calls it)
//   comp        -> everything above + ArgumentParser (thin CLI)
// A module that imports something not listed here fails to build.

let swift6: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "comp",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "comp", targets: ["comp"]),
        .library(name: "CompCore", targets: ["CompCore"]),
        .library(name: "CompDiagnostics", targets: ["CompDiagnostics"]),
        .library(name: "Ledger", targets: ["Ledger"]),
        .library(name: "PlanModel", targets: ["PlanModel"]),
        .library(name: "PlanLanguage", targets: ["PlanLanguage"]),
        .library(name: "RunResults", targets: ["RunResults"]),
        .library(name: "Store", targets: ["Store"]),
        .library(name: "Engine", targets: ["Engine"]),
        .library(name: "Runner", targets: ["Runner"]),
        .library(name: "PlanXML", targets: ["PlanXML"]),
        .library(name: "SampleData", targets: ["SampleData"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
    ],
    targets: [
        // MARK: - Libraries
        .target(name: "CompCore", swiftSettings: swift6),
        .target(name: "CompDiagnostics", dependencies: ["CompCore"], swiftSettings: swift6),
        .target(name: "Ledger", dependencies: ["CompCore", "CompDiagnostics", "CompCShims"], swiftSettings: swift6),
        .target(name: "SampleData", dependencies: ["CompCore"], swiftSettings: swift6),
        .target(name: "PlanModel", dependencies: ["CompCore", "CompDiagnostics"], swiftSettings: swift6),
        .target(name: "PlanLanguage", dependencies: ["PlanModel", "CompCore", "CompDiagnostics"], swiftSettings: swift6),
        // Evaluates plans over the ledger (the only Dispatch user besides the loader's scan).
        .target(
            name: "Engine",
            dependencies: ["PlanModel", "Ledger", "RunResults", "CompCore", "CompDiagnostics", "CompCShims"],
            swiftSettings: swift6
        ),
        // Orchestrates a run: plans checked, data loaded, plans evaluated, results stored.
        .target(
            name: "Runner",
            dependencies: [
                "PlanLanguage", "PlanXML", "PlanModel", "Ledger", "Engine", "Store", "RunResults", "CompCore", "CompDiagnostics",
            ],
            swiftSettings: swift6
        ),
        // What a run produces (payout lines, measures, traces, rejects): written by the engine,
        // persisted by Store, read by exports and reports.
        .target(name: "RunResults", dependencies: ["CompCore"], swiftSettings: swift6),
        // SQLite results through GRDB: the only module that sees SQLite.
        .target(
            name: "Store",
            dependencies: [
                "RunResults", "CompCore", "CompCShims", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: swift6
        ),

        // XML plans through libxml2: the only module that sees libxml2.
        .target(
            name: "PlanXML", dependencies: ["PlanLanguage", "PlanModel", "CLibXML2", "CompDiagnostics"], swiftSettings: swift6),

        // MARK: - C shims
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        // SIMD helpers for the CSV scanner (SSE2, portable fallback) and SHA-256 with the x86 SHA
        // extensions (used when the CPU has them).
        .target(name: "CompCShims"),

        // MARK: - Executables
        .executableTarget(
            name: "comp",
            dependencies: [
                "CompCore", "CompDiagnostics", "Ledger", "SampleData", "PlanModel", "PlanLanguage", "PlanXML", "RunResults", "Store",
                "Engine", "Runner",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swift6
        ),

        // MARK: - Tests
        .testTarget(
            name: "CompCoreTests",
            dependencies: ["CompCore", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: swift6
        ),
        .testTarget(name: "CompDiagnosticsTests", dependencies: ["CompDiagnostics"], swiftSettings: swift6),
        .testTarget(
            name: "LedgerTests",
            dependencies: ["Ledger", "CompCore", "CompDiagnostics", "SampleData"],
            swiftSettings: swift6
        ),
        .testTarget(
            name: "PlanLanguageTests",
            dependencies: ["PlanLanguage", "PlanModel", "CompCore", "CompDiagnostics"],
            exclude: ["Fixtures", "Snapshots"],  // read through #filePath, not bundled
            swiftSettings: swift6
        ),
        .testTarget(
            name: "PlanXMLTests", dependencies: ["PlanXML", "PlanLanguage", "PlanModel", "CompDiagnostics"],
            swiftSettings: swift6),
        .testTarget(
            name: "EngineTests",
            dependencies: ["Engine", "PlanLanguage", "PlanModel", "Ledger", "RunResults", "CompCore", "SampleData"],
            swiftSettings: swift6
        ),
        .testTarget(
            name: "StoreTests",
            dependencies: ["Store", "RunResults", "CompCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swift6
        ),
        .testTarget(name: "SampleDataTests", dependencies: ["SampleData", "Ledger", "CompCore"], swiftSettings: swift6),
        .testTarget(
            name: "compTests",
            dependencies: ["comp", "Store", "RunResults", "CompCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swift6),
    ]
)
