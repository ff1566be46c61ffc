import Testing
@testable import CaseworkYAML

/// ``YAMLLoader/load(text:file:limits:)`` reads a string's UTF-8 in place; it must load exactly what loading a copy of
/// those bytes loads: the same errors at the same places, and the same tree.
@Suite("YAML loader: text read in place")
struct YAMLLoaderTextTests {
    @Test(arguments: [
        "workflow: demo\nstates:\n  requested: { initial: true }\n",
        "a: 1\nb: 2\na: 3\n",
        "title: \"Écoles et collèges\"\nwhen: 'x == \"é\"'\n",
        "a: [1, {b: c}]\nd: &anchor e\nf: *anchor\n",
        "a: 1\n\u{0}b: 2\n",
        "- just\n- a list\n",
        "",
        "a: [unclosed\n",
        "a: 1\n---\nb: 2\n",
        "k: !!foreign x\n",
    ])
    func agreesWithLoadingACopyOfTheBytes(text: String) {
        let copied = YAMLLoader.load(Array(text.utf8), file: "t.yaml")
        let inPlace = YAMLLoader.load(text: text, file: "t.yaml")
        #expect(inPlace.errors == copied.errors)
        #expect(inPlace.root?.canonicalBytes == copied.root?.canonicalBytes)
        #expect(inPlace.root?.range == copied.root?.range)
    }

    @Test func aTextOverTheSizeLimitIsRefusedAsItsBytesAre() {
        let limits = YAMLLimits(maxFileBytes: 8, maxDepth: 64, maxScalarBytes: 1_000, maxNodes: 1_000, maxAliases: 10)
        let text = "title: long enough\n"
        #expect(YAMLLoader.load(text: text, file: "t.yaml", limits: limits).errors == YAMLLoader.load(Array(text.utf8), file: "t.yaml", limits: limits).errors)
        #expect(YAMLLoader.load(text: text, file: "t.yaml", limits: limits).errors == [.fileTooLarge(file: "t.yaml", bytes: text.utf8.count, limit: 8)])
    }
}
