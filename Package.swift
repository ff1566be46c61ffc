// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Casework",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Casework", targets: ["Casework"]),
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
        .target(name: "CaseworkYAML", dependencies: ["CYAML"]),
        .target(name: "Casework", dependencies: ["CaseworkYAML"]),
        .target(name: "CaseworkCommandLine", dependencies: ["Casework"]),
        .executableTarget(name: "CaseworkTool", dependencies: ["CaseworkCommandLine"]),
        .executableTarget(name: "CaseworkBench", dependencies: ["Casework", "CaseworkYAML", "CYAML"]),
        .testTarget(name: "CaseworkYAMLTests", dependencies: ["CaseworkYAML"]),
        .testTarget(
            name: "CaseworkTests",
            dependencies: ["Casework", "CaseworkCommandLine"],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
