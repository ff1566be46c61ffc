import Foundation
import EmbeddingStory

// `swift run --package-path Examples/EmbeddingSample embedding-sample [REPOSITORY]`: runs the embedding story on the
// repository's Workflows/ and Policies/ (REPOSITORY, or the checkout this package sits in) and prints what a service
// would log. Exits 1 when the story could not be told.
let repository = CommandLine.arguments.dropFirst().first.map { URL(fileURLWithPath: $0) } ?? EmbeddingStory.repository
do {
    let report = try EmbeddingStory.run(repository: repository)
    print(report.log.joined(separator: "\n"))
} catch {
    FileHandle.standardError.write(Data("embedding-sample: \(error)\n".utf8))
    exit(1)
}
