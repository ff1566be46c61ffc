// swift-tools-version: 6.0
import PackageDescription

// A service's view of Casework: this package depends on the repository by path, as an embedding service would
// depend on a release, and uses only the library's public API (docs/embedding.md walks through it).
let package = Package(
    name: "EmbeddingSample",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Casework", path: "../.."),
    ],
    targets: [
        .target(
            name: "EmbeddingStory",
            dependencies: [
                .product(name: "Casework", package: "Casework"),
                .product(name: "CaseworkSQLite", package: "Casework"),
            ]
        ),
        .executableTarget(name: "embedding-sample", dependencies: ["EmbeddingStory"]),
        .testTarget(
            name: "EmbeddingSampleTests",
            dependencies: ["EmbeddingStory", .product(name: "Casework", package: "Casework")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
