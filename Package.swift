// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Casework",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Casework", targets: ["Casework"]),
        .library(name: "CaseworkSQLite", targets: ["CaseworkSQLite"]),
        .library(name: "CaseworkPostgres", targets: ["CaseworkPostgres"]),
        .library(name: "CaseworkStoreConformance", targets: ["CaseworkStoreConformance"]),
        .executable(name: "casework", targets: ["CaseworkTool"]),
        .executable(name: "casework-bench", targets: ["CaseworkBench"]),
    ],
    targets: [
        .systemLibrary(
            name: "CYAML",
            path: "Sources/CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            path: "Sources/CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        .systemLibrary(
            name: "CLibPQ",
            path: "Sources/CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        .systemLibrary(
            name: "CCrypto",
            path: "Sources/CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        .systemLibrary(
            name: "CMicroHTTPD",
            path: "Sources/CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"]), .brew(["libmicrohttpd"])]
        ),
        .target(name: "CaseworkYAML", dependencies: ["CYAML"]),
        .target(name: "CaseworkTime"),
        .target(name: "CaseworkDiagnostics", dependencies: ["CaseworkYAML"]),
        .target(name: "CaseworkExpressions", dependencies: ["CaseworkTime", "CaseworkDiagnostics"]),
        .target(name: "CaseworkDefinitions", dependencies: ["CaseworkTime", "CaseworkDiagnostics", "CaseworkExpressions", "CaseworkYAML", "CCrypto"]),
        .target(name: "CaseworkStore", dependencies: ["CaseworkTime", "CaseworkExpressions", "CaseworkDefinitions", "CCrypto"]),
        .target(
            name: "CaseworkEngine", dependencies: ["CaseworkTime", "CaseworkDiagnostics", "CaseworkExpressions", "CaseworkDefinitions", "CaseworkStore", "CaseworkYAML"]
        ),
        .target(name: "CaseworkDiagrams", dependencies: ["CaseworkDefinitions"]),
        .target(name: "Casework", dependencies: ["CaseworkTime", "CaseworkDiagnostics", "CaseworkExpressions", "CaseworkDefinitions", "CaseworkStore", "CaseworkEngine"]),
        .target(name: "CaseworkSQLite", dependencies: ["Casework", "CaseworkTime", "CaseworkDiagnostics", "CaseworkExpressions", "CaseworkDefinitions", "CaseworkStore", "CaseworkEngine", "CSQLite"]),
        .target(name: "CaseworkPostgres", dependencies: ["Casework", "CaseworkDefinitions", "CaseworkStore", "CLibPQ"]),
        .target(name: "CaseworkScenarios", dependencies: ["Casework", "CaseworkDefinitions", "CaseworkDiagnostics", "CaseworkEngine", "CaseworkSQLite", "CaseworkYAML"]),
        .target(name: "CaseworkHandbook", dependencies: ["CaseworkDefinitions", "CaseworkEngine", "CaseworkExpressions", "CaseworkTime", "CaseworkDiagrams", "CaseworkScenarios"]),
        .target(name: "CaseworkCommandLine",
                dependencies: ["CaseworkScenarios", "CaseworkHandbook", "Casework", "CaseworkTime", "CaseworkDiagnostics", "CaseworkExpressions", "CaseworkDefinitions", "CaseworkStore", "CaseworkEngine", "CaseworkSQLite", "CaseworkPostgres", "CaseworkDiagrams", "CaseworkServer", "CCrypto"],
                resources: [.embedInCode("Serve/openapi.yaml"), .embedInCode("Serve/Desk/desk.css"), .embedInCode("Serve/Desk/desk.js")]),
        .executableTarget(name: "CaseworkTool", dependencies: ["CaseworkCommandLine"]),
        .target(name: "CaseworkTestSupport", dependencies: ["CaseworkTime", "CaseworkExpressions", "CaseworkDefinitions", "CaseworkStore", "CCrypto"]),
        .target(name: "CaseworkAPIScript", dependencies: ["Casework", "CaseworkCommandLine", "CaseworkServer", "CaseworkTestSupport"]),
        .target(name: "CaseworkStoreConformance", dependencies: ["Casework", "CaseworkTime", "CaseworkDiagnostics", "CaseworkExpressions", "CaseworkDefinitions", "CaseworkStore", "CaseworkEngine"]),
        .executableTarget(
            name: "CaseworkBench",
            dependencies: ["Casework", "CaseworkTime", "CaseworkDiagnostics", "CaseworkExpressions", "CaseworkDefinitions", "CaseworkStore", "CaseworkEngine", "CaseworkYAML", "CYAML", "CaseworkSQLite", "CSQLite", "CaseworkTestSupport", "CaseworkCommandLine", "CaseworkPostgres"]
        ),
        .testTarget(name: "CaseworkYAMLTests", dependencies: ["CaseworkYAML", "CaseworkTestSupport"]),
        .testTarget(
            name: "CaseworkSQLiteTests", dependencies: ["CaseworkSQLite", "Casework", "CSQLite", "CaseworkTestSupport", "CaseworkStoreConformance"]
        ),
        .testTarget(name: "CaseworkPostgresTests", dependencies: ["CaseworkPostgres", "Casework", "CaseworkStoreConformance", "CaseworkSQLite", "CaseworkTestSupport"]),
        .testTarget(
            name: "CaseworkTests",
            dependencies: [
                "Casework", "CaseworkTime", "CaseworkDiagnostics", "CaseworkExpressions", "CaseworkDefinitions", "CaseworkStore", "CaseworkEngine",
                "CaseworkYAML", "CaseworkSQLite", "CaseworkCommandLine", "CaseworkScenarios", "CSQLite", "CCrypto", "CaseworkTestSupport", "CaseworkStoreConformance",
                "CaseworkDiagrams", "CaseworkHandbook", "CaseworkAPIScript",
            ],
            exclude: ["Fixtures"]
        ),
        .target(name: "CaseworkServer", dependencies: ["CMicroHTTPD"]),
        .testTarget(
            name: "CaseworkServeTests",
            dependencies: ["CaseworkServer", "CaseworkCommandLine", "Casework", "CaseworkDefinitions", "CaseworkEngine", "CaseworkSQLite", "CaseworkYAML", "CCrypto", "CaseworkTestSupport"],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)

// The libFuzzer targets (ARCHITECTURE.md, "Fuzzing"): one per front door, in Fuzz/<Name>/main.swift, declared only
// when CASEWORK_FUZZ is set, so `swift build` and `swift test` never see them. Fuzz/run.sh sets it and builds them
// with `-sanitize=fuzzer,address` into their own scratch path (.build-fuzz).
if Context.environment["CASEWORK_FUZZ"] != nil {
    let fuzzTargets: [(product: String, target: String, dependencies: [Target.Dependency])] = [
        ("fuzz-yaml", "FuzzYAML", ["CaseworkYAML"]),
        ("fuzz-expressions", "FuzzExpressions", ["CaseworkExpressions"]),
        ("fuzz-definitions", "FuzzDefinitions", ["CaseworkDefinitions"]),
        ("fuzz-decide-request", "FuzzDecideRequest", ["CaseworkEngine", "CaseworkDefinitions"]),
        ("fuzz-decide-batch", "FuzzDecideBatch", ["CaseworkCommandLine", "CaseworkEngine"]),
        ("fuzz-scenarios", "FuzzScenarios", ["CaseworkScenarios", "CaseworkEngine"]),
        ("fuzz-set-values", "FuzzSetValues", ["CaseworkCommandLine", "CaseworkEngine", "CaseworkDefinitions"]),
        ("fuzz-api", "FuzzAPI", ["CaseworkAPIScript"]),
        ("fuzz-bearer-token", "FuzzBearerToken", ["CaseworkAPIScript"]),
        ("fuzz-stored-rows", "FuzzStoredRows", ["CaseworkStoreConformance"]),
        ("fuzz-checkpoint", "FuzzCheckpoint", ["CaseworkStore"]),
        ("fuzz-jwks", "FuzzJWKS", ["CaseworkAPIScript"]),
        ("fuzz-definition-archive", "FuzzDefinitionArchive", ["CaseworkTestSupport"]),
        ("fuzz-pem-keys", "FuzzPEMKeys", ["CaseworkTestSupport"]),
        ("fuzz-auth-file", "FuzzAuthFile", ["CaseworkAPIScript"]),
    ]
    package.targets.append(.systemLibrary(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"))
    package.targets.append(.target(name: "FuzzSupport", dependencies: ["CLibFuzzer", "CaseworkEngine"], path: "Fuzz/Support"))
    for fuzz in fuzzTargets {
        package.targets.append(.executableTarget(name: fuzz.target, dependencies: ["FuzzSupport"] + fuzz.dependencies, path: "Fuzz/\(fuzz.target.dropFirst(4))"))
        package.products.append(.executable(name: fuzz.product, targets: [fuzz.target]))
    }
}
