@testable import CaseworkDefinitions
@testable import CaseworkEngine
@testable import CaseworkStore
import CaseworkTestSupport
import Foundation
import Testing

/// What an engine checks when it starts on a store that already holds definition versions, whatever their number (the
/// stored fingerprints are read into a table made at its full size at once); the bytes a stored row or a command's
/// output is copied into (``Foundation/Data/init(utf8Of:)``); and a row encoded where its type is known to have a
/// canonical writer, which gives the bytes the runtime's own finding of that writer gives.
@Suite("Engine start and stored bytes")
struct EngineStartTests {
    /// A catalog of the one-door test workflow and policy.
    static func catalog() throws -> DefinitionCatalog {
        try DefinitionCatalog.load(sources: [(file: "door.yaml", text: OneDoorTests.workflow), (file: "portal.yaml", text: OneDoorTests.policy)])
    }

    /// A store holding `count` versions of other definitions, besides whatever `extra` adds.
    static func store(holding count: Int, _ extra: [StoredDefinition] = []) throws -> InMemoryCaseStore {
        let store = InMemoryCaseStore()
        for index in 0..<count {
            try store.record(StoredDefinition(kind: index % 2 == 0 ? "workflow" : "policy", id: "other-\(index)", version: 1 + index % 3,
                                              fingerprint: "f\(index)", content: "other \(index)"))
        }
        for definition in extra { try store.record(definition) }
        return store
    }

    @Test(arguments: [0, 1, 5, 40])
    func anEngineRecordsTheVersionsTheStoreLacksAndKeepsTheOthers(_ count: Int) throws {
        let catalog = try Self.catalog()
        let store = try Self.store(holding: count)
        _ = try Engine(catalog: catalog, store: store)
        let versions = try store.definitionVersions()
        #expect(versions.count == count + catalog.members.count)
        for member in catalog.members {
            #expect(versions.contains(member.version), "\(member.version.kind) \(member.version.id) is recorded")
        }
        // A second engine finds every version stored, with the same fingerprints, and records nothing more.
        _ = try Engine(catalog: catalog, store: store)
        #expect(try store.definitionVersions().count == count + catalog.members.count)
    }

    @Test(arguments: [0, 40])
    func aStoredVersionWithOtherContentIsRefusedAmongMany(_ count: Int) throws {
        let catalog = try Self.catalog()
        let member = try #require(catalog.members.first { $0.version.kind == "workflow" })
        let changed = StoredDefinition(kind: member.version.kind, id: member.version.id, version: member.version.version,
                                       fingerprint: "not-" + member.version.fingerprint, content: "another text")
        for recording in [true, false] {
            let store = try Self.store(holding: count, [changed])
            do throws(EngineError) {
                _ = try Engine(catalog: catalog, store: store, recordingDefinitions: recording)
                Issue.record("an engine started on a store holding \(member.version.id) with other content")
            } catch .store(.definitionChanged(let kind, let id, let version)) {
                #expect(kind == member.version.kind && id == member.version.id && version == member.version.version)
            } catch {
                Issue.record("refused otherwise: \(error)")
            }
        }
    }

    @Test(arguments: ["", "case c0", "Zoë · 𝒳 — \u{0}\n\t\"\\", String(repeating: "ab€", count: 3_000)])
    func textIsCopiedAsItsUTF8Bytes(_ text: String) {
        #expect(Data(utf8Of: text) == Data(text.utf8))
        #expect(Data(utf8Of: text).count == text.utf8.count)
    }

    @Test func textNotStoredAsUTF8IsCopiedAsItsUTF8Bytes() {
        // A string Foundation made (not Swift's own UTF-8 storage) and a slice of one.
        let made = NSString(string: "Zoë and Sam, 2025-09-01").description
        #expect(Data(utf8Of: made) == Data(made.utf8))
        let slice = String(made.dropFirst(4))
        #expect(Data(utf8Of: slice) == Data(slice.utf8))
    }

    /// `value` encoded where only `Encodable` is known of its type: the runtime finds its canonical writer, if any.
    static func encodedAsAnyEncodable<T: Encodable>(_ value: T) -> Data {
        StoredJSON.encode(value)
    }

    @Test(arguments: [UInt64(1), 2])
    func aRowEncodedWhereItsWriterIsKnownGivesTheSameBytes(seed: UInt64) {
        var generator = RecordGenerator(random: SeededGenerator(seed: seed))
        for _ in 0..<200 {
            let record = generator.record()
            let message = generator.message()
            let event = generator.event(previousHash: generator.text(), anyFraction: true)
            let key = generator.idempotencyRecord()
            #expect(StoredJSON.encode(record) == Self.encodedAsAnyEncodable(record))
            #expect(StoredJSON.encode(message) == Self.encodedAsAnyEncodable(message))
            #expect(StoredJSON.encode(event) == Self.encodedAsAnyEncodable(event))
            #expect(StoredJSON.encode(key) == Self.encodedAsAnyEncodable(key))
            #expect(StoredJSON.encode(record) == StoredJSON.encoderBytes(record))
        }
    }

    @Test func aStoredFingerprintIsFoundExactlyWhereALinearSearchFindsIt() {
        var random = SeededGenerator(seed: 7)
        let kinds = ["calendar", "form", "policy", "workflow", "Workflow", "wörkflow"]
        let ids = ["a", "b", "ehcp", "ehcp-review", "É", "z"]
        for size in [0, 1, 2, 3, 17, 64] {
            var stored: [DefinitionVersion] = []
            while stored.count < size {
                let version = DefinitionVersion(kind: kinds.randomElement(using: &random)!, id: ids.randomElement(using: &random)!,
                                                version: Int.random(in: 1...3, using: &random), fingerprint: "f\(stored.count)")
                if !stored.contains(where: { ($0.kind, $0.id, $0.version) == (version.kind, version.id, version.version) }) { stored.append(version) }
            }
            stored.sort()
            for kind in kinds {
                for id in ids {
                    for number in 0...4 {
                        let asked = DefinitionVersion(kind: kind, id: id, version: number, fingerprint: "asked")
                        let linear = stored.first { ($0.kind, $0.id, $0.version) == (kind, id, number) }?.fingerprint
                        #expect(Engine.fingerprint(of: asked, in: stored) == linear, "\(kind) \(id) \(number) among \(size)")
                    }
                }
            }
        }
    }
}
