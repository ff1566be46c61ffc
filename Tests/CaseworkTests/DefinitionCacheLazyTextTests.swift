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
        #expect(DefinitionCacheTests.summary(hit) == DefinitionCacheTests.summary(fresh))
        #expect(Self.made(hit).count == hit.members.count)
        let workflow = try #require(hit.workflows["ehcp-needs-assessment"])
        #expect(workflow.content == (try space.text("Workflows/ehcp-needs-assessment.yaml")))
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
            #expect(stored == member.stored)
        }
        let second = try space.load()
        let engine = try Engine(catalog: second, store: store)
        _ = try engine.open(workflow: "ehcp-needs-assessment", as: .operator(), fields: DefinitionCacheLazyDecodingTests.assessmentFields)
        #expect(Self.made(second).isEmpty)
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
