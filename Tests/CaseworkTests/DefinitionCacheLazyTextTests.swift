@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkStore
import CaseworkTestSupport
import Foundation
import Testing

/// A hit on the definition cache makes no definition file's text until it is read (issue 16): `decide` reads none,
/// an engine reads only the texts of the versions its store lacks (to record them), and a text read is the file's
/// text exactly. A request reader works out a workflow's field types only when a request names it. The cache's
/// directory and entries are the user's alone.
@Suite("the definition cache: texts made on first use")
struct DefinitionCacheLazyTextTests {
    typealias Space = DefinitionCacheTests.Space

    /// The kinds and ids of the definitions of `catalog` whose text has been made, sorted.
    static func made(_ catalog: DefinitionCatalog) -> [String] {
        catalog.members.filter { $0.text.isMade }.map { "\($0.version.kind) \($0.version.id)" }.sorted()
    }

    /// A hit makes no text when it loads, and deciding a request makes none either; a miss has every text made (it
    /// parsed them). Read, each text is the file's, as a fresh load's is.
    @Test func aHitMakesNoTextUntilOneIsRead() throws {
        let space = try Space()
        let miss = try space.load()
        #expect(Self.made(miss).count == miss.members.count)
        let hit = try space.load()
        #expect(hit.members.count > 10)
        #expect(Self.made(hit).isEmpty)
        let request = space.root.appendingPathComponent("request.json")
        try Data(DefinitionCacheTests.decideRequest.utf8).write(to: request)
        let policy = try #require(hit.policies["send-portal"])
        let reader = AccessRequestReader(policy: policy, catalog: hit)
        #expect(policy.decide(try reader.read(path: request.path)).allowed)
        #expect(Self.made(hit).isEmpty)
        #expect(reader.fieldTypes.workedOut == ["ehcp-needs-assessment"])
        #expect(reader.fieldTypes["ehcp-needs-assessment"] == FieldValues.types(of: try #require(hit.workflows["ehcp-needs-assessment"]).outline.fields))
        #expect(reader.fieldTypes["no-such-workflow"].isEmpty)
        let fresh = try DefinitionCatalog.load(paths: space.paths)
        #expect(try DefinitionCacheTests.summary(hit) == DefinitionCacheTests.summary(fresh))
        #expect(Self.made(hit).count == hit.members.count)
        let workflow = try #require(hit.workflows["ehcp-needs-assessment"])
        #expect(try workflow.content == space.text("Workflows/ehcp-needs-assessment.yaml"))
    }

    /// An engine records, with their texts, the versions its store lacks, and only compares the fingerprints of those
    /// it holds: on a store that holds every version, an engine on a hit (and a case it opens) makes no text.
    @Test func anEngineMakesOnlyTheTextsItsStoreLacks() throws {
        let space = try Space()
        _ = try space.load()
        let store = InMemoryCaseStore()
        let first = try space.load()
        _ = try Engine(catalog: first, store: store)
        #expect(Self.made(first).count == first.members.count)
        let recorded = try store.definitionVersions()
        #expect(recorded.count == first.members.count)
        for member in first.members {
            let stored = try #require(try store.definition(kind: member.version.kind, id: member.version.id, version: member.version.version))
            #expect(try stored == member.stored)
        }
        let second = try space.load()
        let engine = try Engine(catalog: second, store: store)
        _ = try engine.open(workflow: "ehcp-needs-assessment", as: .operator(), fields: DefinitionCacheLazyDecodingTests.assessmentFields)
        #expect(Self.made(second).isEmpty)
    }

    /// A hit keeps no file's bytes: a text is read from its file again when first asked for, and only if the file still
    /// holds the bytes the set was validated with. A file rewritten, or removed, after the load is refused with an error
    /// that names it, never read as other text than the catalog's: by the workflow's and the form's `content`, by the
    /// catalog's `stored`, and by an engine that would record the texts its store lacks (which then records none). The
    /// refusal is kept; a new load of the changed files is a miss, whose texts are the new bytes.
    @Test(arguments: [(file: "Workflows/ehcp-needs-assessment.yaml", removed: false), (file: "Workflows/ehcp-needs-assessment.yaml", removed: true),
                      (file: "Workflows/forms/section-a.yaml", removed: false)])
    func aTextWhoseFileChangedAfterTheLoadIsRefused(_ change: (file: String, removed: Bool)) throws {
        let space = try Space()
        _ = try space.load()
        let hit = try space.load()
        #expect(Self.made(hit).isEmpty)
        let original = try space.text(change.file)
        let path = space.root.appendingPathComponent(change.file).path
        if change.removed {
            try FileManager.default.removeItem(atPath: path)
        } else {
            try space.write(change.file, original.replacingOccurrences(of: "title:", with: "title: ", options: [], range: original.range(of: "title:")))
        }
        func refusal(_ read: () throws -> Void) -> String? {
            do {
                try read()
                return nil
            } catch {
                return "\(error)"
            }
        }
        let content: () throws -> Void = change.file.contains("forms/")
            ? { _ = try #require(hit.forms["section-a"]).content }
            : { _ = try #require(hit.workflows["ehcp-needs-assessment"]).content }
        let refused = try #require(refusal(content))
        #expect(refused.contains("definition file '\(path)' changed after the definitions were loaded"), "\(refused)")
        #expect(refusal(content) == refused)
        #expect(refusal { _ = try hit.stored } == refused)
        let store = InMemoryCaseStore()
        let engine = refusal { _ = try Engine(catalog: hit, store: store) }
        #expect(engine?.contains("changed after the definitions were loaded") == true, "\(engine ?? "none")")
        #expect(try store.definitionVersions().isEmpty)
        if change.removed { return }
        let again = try space.load()
        #expect(space.entries.count == 2)
        let changed = try space.text(change.file)
        #expect(try again.stored.contains { $0.content == changed })
        try space.write(change.file, original)
        #expect(refusal(content) == refused)
        #expect(try space.load().stored.contains { $0.content == original })
    }

    /// A miss parsed the bytes it read, and its texts are those bytes, whatever happens to the file afterwards.
    @Test func aMissKeepsTheTextsItParsed() throws {
        let space = try Space()
        let miss = try space.load()
        let original = try space.text("Workflows/ehcp-needs-assessment.yaml")
        try space.write("Workflows/ehcp-needs-assessment.yaml", original + "# changed\n")
        #expect(try #require(miss.workflows["ehcp-needs-assessment"]).content == original)
    }

    /// The key a hit makes from the files hashed in one reused buffer is the key a miss makes from the bytes it parsed.
    @Test func hashedAndReadFilesMakeTheSameKey() throws {
        let space = try Space()
        let digests = try Validator.digests(paths: space.paths)
        let files = try Validator.read(paths: space.paths)
        #expect(digests.map(\.file) == files.map(\.file))
        #expect(digests.count == DefinitionCacheTests.fileCount)
        let key = try #require(space.cache.key(for: digests))
        #expect(space.cache.key(for: files) == key)
    }

    /// The directory an entry is written to is the user's alone, and so is the entry (a reader maps it: only a file
    /// replaced by rename, never changed in place by another, is safe to map).
    @Test func theDirectoryAndItsEntriesAreTheUsersAlone() throws {
        let space = try Space()
        _ = try space.load()
        func permissions(_ path: String) throws -> Int {
            try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
        }
        #expect(try permissions(space.directory) == 0o700)
        let entry = try #require(space.entries.first)
        #expect(try permissions(space.directory + "/" + entry) == 0o600)
    }
}
