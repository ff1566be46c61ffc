@testable import CaseworkDefinitions
import Testing

/// The two textual forms of a document kind: sizes (`max_bytes`) and media types (`types:`).
@Suite("Document kinds: sizes and media types")
struct DocumentTermsTests {
    @Test(arguments: [
        ("1", 1), ("64 bytes", 64), ("2 KB", 2_048), ("10 MB", 10_485_760), ("100 MB", 104_857_600), ("  3   KB ", 3_072),
    ])
    func sizesRead(text: String, bytes: Int) throws {
        #expect(try DocumentTerms.byteSize(text).get() == bytes)
    }

    @Test(arguments: ["0", "-1", "101 MB", "104857601", "10 megabytes", "10 mb", "1.5 MB", "MB", "", "10 MB extra", "9223372036854775807 MB", "١٠"])
    func sizesRefused(text: String) {
        #expect(throws: DocumentTerms.SizeProblem.self) { try DocumentTerms.byteSize(text).get() }
    }

    @Test(arguments: [
        ("application/pdf", true), ("text/markdown", true), ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", true),
        ("image/svg+xml", true), ("PDF", false), ("application/PDF", false), ("text/plain; charset=utf-8", false), ("text/", false), ("/pdf", false),
        ("a/b/c", false), (".pdf", false), ("text/-plain", false), ("téxt/plain", false),
    ])
    func mediaTypes(text: String, accepted: Bool) {
        #expect(DocumentTerms.isMediaType(text) == accepted)
    }
}
