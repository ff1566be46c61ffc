import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// The definitions of the document checks: a plan case under a policy whose `ehcp` resource has sections, where a
/// limited grant sees the plan without section K, and a decision letter seen whole.
enum DocumentFixture {
    static let workflow = """
        workflow: plan
        version: 1
        title: Plan
        policy: portal
        roles: [parent, caseworker]
        fields:
          requested_on: date
        states:
          drafting: { initial: true, title: Drafting }
          issued: { title: Issued, final: true }
        transitions:
          - { name: issue, from: drafting, to: issued, by: [caseworker] }
        documents:
          draft_plan: { title: Draft EHC plan, sections: ehcp, types: [application/pdf, text/markdown], max_bytes: 64 bytes }
          decision_letter: { title: Decision letter, types: [application/pdf] }

        """

    static let policy = """
        policy: portal
        version: 1
        title: Portal
        actor:
          relationship: { one_of: [parent, caseworker] }
        levels: [full, limited, none]
        resources:
          case: [state]
          ehcp: [A, B, K]
          document: [decision_letter]
        rules:
          - { id: staff, allow: [all], when: actor.relationship == "caseworker" }
          - { id: full, allow: [view, submit], on: [case, ehcp, document], when: actor.relationship == "parent" and grant.level == "full" }
          - { id: limited, allow: [view], on: [case.state, ehcp], redact: [ehcp.K], when: actor.relationship == "parent" and grant.level == "limited" }
        recipients:
          parent: { relationship: parent }
          caseworker: { relationship: caseworker }

        """

    static let staff: [String: ExpressionValue] = ["relationship": .string("caseworker")]
    static let family: [String: ExpressionValue] = ["relationship": .string("parent")]
    static let caseworker = CaseActor(role: "caseworker", id: "cw-ana")
    static let limited = CaseActor(role: "parent", id: "parent-lee")
    static let stranger = CaseActor(role: "parent", id: "parent-sam")

    /// An engine on `store` with the plan workflow under its policy.
    static func engine(store: any CaseStore) throws -> Engine {
        try Engine(catalog: try DefinitionCatalog.load(sources: [(file: "plan.yaml", text: workflow), (file: "portal.yaml", text: policy)]),
                   store: store, clock: ManualClock(Fixture.at))
    }

    /// Opens case `id` and gives `limited` a limited grant on it.
    static func openCase(_ engine: Engine, _ id: String) throws {
        _ = try engine.open(workflow: "plan", as: caseworker, caseID: id, fields: ["requested_on": .date(CalendarDate("2025-09-01")!)], attributes: staff)
        _ = try engine.grantAccess(caseID: id, grant: AccessGrant(to: .person(limited.id), level: "limited"), as: caseworker, attributes: staff,
                                   reason: "court order")
    }

    /// A plan with sections A and K added in two versions, and a decision letter.
    static func plan(_ engine: Engine, _ id: String) throws {
        _ = try engine.addDocument(caseID: id, DocumentUpload(kind: "draft_plan", section: "A", mediaType: "text/markdown", bytes: Array("views".utf8)),
                                   as: caseworker, attributes: staff)
        _ = try engine.addDocument(caseID: id, DocumentUpload(kind: "draft_plan", section: "K", mediaType: "text/markdown", bytes: Array("advice".utf8),
                                                              reason: "advice received"), as: caseworker, attributes: staff)
        _ = try engine.addDocument(caseID: id, DocumentUpload(kind: "decision_letter", mediaType: "application/pdf", bytes: Array("%PDF-1.7 letter".utf8)),
                                   as: caseworker, attributes: staff)
    }

    /// A fresh store from `makeStore` with case c1 opened and planned (``plan(_:_:)``), and an engine on it.
    static func planned(_ makeStore: () throws -> any CaseStore) throws -> (any CaseStore, Engine) {
        let store = try makeStore()
        let engine = try engine(store: store)
        try openCase(engine, "c1")
        try plan(engine, "c1")
        return (store, engine)
    }

}

extension StoreConformance {
    /// Documents: versions, their bytes by hash and their audit event written together; read through the door part by
    /// part; refused uploads writing nothing; archives carrying them.
    static let documentChecks: [Check] = [
        Check("document versions are written with their audit event, carry unchanged sections forward, and store their bytes by hash") { makeStore, expect in
            let (store, engine) = try DocumentFixture.planned(makeStore)
            let versions = try store.documentVersions(caseID: "c1")
            expect.equal(versions.map { "\($0.kind)/\($0.version)" }, ["decision_letter/1", "draft_plan/1", "draft_plan/2"], "the versions, by kind and number")
            let second = versions.first { $0.kind == "draft_plan" && $0.version == 2 }
            expect.equal(second?.change.parts.map { $0.section ?? "whole" }, ["A", "K"], "version 2 holds A, carried forward, and K")
            expect.equal(second?.change.parts.first?.sha256, SHA256.hex(Array("views".utf8)), "section A's hash")
            expect.equal(second?.change.bytes, 11, "version 2's size, both parts")
            expect.equal(second?.change.reason, "advice received", "the reason")
            expect.equal(try store.blob(sha256: SHA256.hex(Array("advice".utf8)))?.bytes, Array("advice".utf8), "section K's bytes, by hash")
            expect.equal(try store.blob(sha256: String(repeating: "0", count: 64)), nil, "bytes under a hash never stored")
            let events = try store.history(caseID: "c1").filter { $0.action == "document_added" }
            expect.equal(events.map { $0.change?.document }, versions.sorted { $0.revision < $1.revision }.map { Optional($0.change) },
                         "each version's audit event carries it, part hashes and all")
            expect.equal(versions.map(\.revision).sorted(), events.map(\.revision), "each version names the revision whose event records it")
            expect.equal(try engine.verifyAudit("c1", as: .operator("check")), .intact(events: 5), "the chain with document events verifies and replays")
            expect.equal(try engine.documentProblems("c1", as: .operator("check")), [], "the stored documents are what the chain records")
            expect.equal(try engine.documentContent(caseID: "c1", kind: "draft_plan", version: 1, section: "A", as: DocumentFixture.caseworker,
                                                    attributes: DocumentFixture.staff), Array("views".utf8), "section A of version 1")
        },
        Check("a limited reader gets the plan without section K, neither its bytes nor its hash, by every read") { makeStore, expect in
            let (store, engine) = try DocumentFixture.planned(makeStore)
            let reader = DocumentFixture.limited, family = DocumentFixture.family
            let shown = try engine.document(caseID: "c1", kind: "draft_plan", as: reader, attributes: family)
            expect.equal(shown.parts.map(\.withheld), [false, true], "A shown, K withheld")
            expect.equal(shown.parts.last?.sha256, nil, "no hash of K")
            expect.equal(shown.parts.last?.bytes, nil, "no size of K")
            expect.equal(shown.bytes, nil, "no total that would tell K's size")
            expect.equal(shown.addedBy, nil, "who added it, only for those who decide access")
            expect.equal(try engine.documents(caseID: "c1", as: reader, attributes: family).map(\.kind), ["draft_plan"],
                         "the list leaves out the letter the reader may not see")
            expect.equal(try engine.documentContent(caseID: "c1", kind: "draft_plan", section: "A", as: reader, attributes: family), Array("views".utf8),
                         "section A's bytes")
            expect.that(refusalText { _ = try engine.documentContent(caseID: "c1", kind: "draft_plan", section: "K", as: reader, attributes: family) }?
                .hasPrefix("forbidden") == true, "section K's bytes are refused")
            let staffView = try engine.document(caseID: "c1", kind: "draft_plan", as: DocumentFixture.caseworker, attributes: DocumentFixture.staff)
            expect.equal(staffView.parts.map(\.withheld), [false, false], "the caseworker sees both")
            expect.equal(staffView.addedBy, "caseworker:cw-ana", "and who added it")
        },
        Check("a person with no grant is refused every document request exactly as for a case that does not exist") { makeStore, expect in
            let (store, engine) = try DocumentFixture.planned(makeStore)
            let stranger = DocumentFixture.stranger, family = DocumentFixture.family
            let requests: [(String, (String) throws -> Void)] = [
                ("list", { _ = try engine.documents(caseID: $0, as: stranger, attributes: family) }),
                ("show", { _ = try engine.document(caseID: $0, kind: "draft_plan", as: stranger, attributes: family) }),
                ("show an unknown kind", { _ = try engine.document(caseID: $0, kind: "nothing", as: stranger, attributes: family) }),
                ("get", { _ = try engine.documentContent(caseID: $0, kind: "decision_letter", as: stranger, attributes: family) }),
                ("add", { _ = try engine.addDocument(caseID: $0, DocumentUpload(kind: "decision_letter", mediaType: "application/pdf", bytes: [1]),
                                                     as: stranger, attributes: family) }),
            ]
            for (name, request) in requests {
                let existing = refusalText { try request("c1") }
                expect.that(existing?.hasPrefix("forbidden") == true, "\(name) is refused: \(existing ?? "allowed")")
                expect.equal(existing, refusalText { try request("missing") }, "\(name) on c1 and on a missing case")
            }
        },
        Check("an upload too large, of a type not allowed, of an unknown section or kind changes nothing") { makeStore, expect in
            let (store, engine) = try DocumentFixture.planned(makeStore)
            let before = try Fixture.Contents(store)
            let versions = try store.documentVersions(caseID: "c1")
            let uploads: [(String, DocumentUpload)] = [
                ("oversized", DocumentUpload(kind: "draft_plan", section: "B", mediaType: "text/markdown", bytes: Array(repeating: 65, count: 65))),
                ("over the limit with the parts carried forward", DocumentUpload(kind: "draft_plan", section: "B", mediaType: "text/markdown",
                                                                                 bytes: Array(repeating: 65, count: 60))),
                ("wrong type", DocumentUpload(kind: "decision_letter", mediaType: "text/html", bytes: Array("<p>".utf8))),
                ("unknown section", DocumentUpload(kind: "draft_plan", section: "Z", mediaType: "text/markdown", bytes: [65])),
                ("section of a kind seen whole", DocumentUpload(kind: "decision_letter", section: "A", mediaType: "application/pdf", bytes: [65])),
                ("unknown kind", DocumentUpload(kind: "minutes", mediaType: "application/pdf", bytes: [65])),
                ("empty", DocumentUpload(kind: "decision_letter", mediaType: "application/pdf", bytes: [])),
            ]
            for (name, upload) in uploads {
                let refusal = refusalText {
                    _ = try engine.addDocument(caseID: "c1", upload, as: DocumentFixture.caseworker, attributes: DocumentFixture.staff)
                }
                expect.that(refusal?.hasPrefix("invalid_input") == true, "\(name): \(refusal ?? "accepted")")
            }
            expect.that(try Fixture.Contents(store) == before, "the cases, events, outbox and alarms are unchanged")
            expect.equal(try store.documentVersions(caseID: "c1"), versions, "the versions are unchanged")
            expect.equal(try store.blob(sha256: SHA256.hex(Array(repeating: 65, count: 65))), nil, "the refused bytes were not stored")
        },
        Check("a version already stored is refused as a duplicate and its change writes nothing") { makeStore, expect in
            let store = try makeStore()
            let first = try Fixture.open(store, "c1")
            let change = DocumentChange(kind: "letter", version: 1, mediaType: "application/pdf", bytes: 1,
                                        parts: [DocumentPart(section: nil, sha256: DocumentBlob(bytes: [7]).sha256, bytes: 1)], reason: nil)
            func adding(_ revision: Int, previous: String) -> CaseChange {
                let event = Fixture.event("c1", revision, previous: previous)
                var commit = CaseChange(record: Fixture.record("c1", revision: revision, head: event.hash), expectedRevision: revision - 1, events: [event],
                                        outbox: [], idempotency: nil)
                commit.documents = [DocumentVersion(caseID: "c1", change: change, addedBy: Fixture.caseworker, at: Fixture.at, revision: revision)]
                commit.blobs = [DocumentBlob(bytes: [7])]
                return commit
            }
            let added = adding(2, previous: first.hash)
            try store.commit(added)
            expect.throwsStoreError(.duplicate("version 1 of document 'letter' of case 'c1'"), "the same version again") {
                try store.commit(adding(3, previous: added.events[0].hash))
            }
            expect.equal(try store.load(caseID: "c1")?.revision, 2, "the refused change left the case as it was")
            expect.equal(try store.history(caseID: "c1").count, 2, "and its history")
            expect.equal(try store.documentVersions(caseID: "c1").count, 1, "and its documents")
        },
        Check("a withdrawal is a new version with no parts and its audit event; earlier versions stay readable, saying so") { makeStore, expect in
            let (store, engine) = try DocumentFixture.planned(makeStore)
            let staff = DocumentFixture.staff, caseworker = DocumentFixture.caseworker
            let blobs = try store.archive(caseID: "c1")?.blobs
            let withdrawn = try engine.withdrawDocument(caseID: "c1", kind: "draft_plan", reason: "  sent in error  ", as: caseworker, attributes: staff)
            expect.equal(withdrawn.version, 3, "the withdrawal is version 3")
            expect.equal(withdrawn.withdrawnIn, 3, "and says it withdraws the document")
            expect.equal(withdrawn.parts, [], "it holds no part")
            expect.equal(withdrawn.reason, "sent in error", "why, trimmed")
            let stored = try store.documentVersions(caseID: "c1").filter { $0.kind == "draft_plan" }
            expect.equal(stored.map(\.version), [1, 2, 3], "nothing deleted: versions 1 and 2 stay beside the withdrawal")
            expect.equal(stored.last?.change.withdrawn, true, "the stored withdrawal reads back as one")
            expect.equal(stored.last?.addedBy, caseworker, "who withdrew it")
            expect.equal(stored.last?.change.parts, [], "with no parts")
            expect.equal(try store.archive(caseID: "c1")?.blobs, blobs, "no bytes stored for it")
            let event = try store.history(caseID: "c1").last
            expect.equal(event?.action, "document_withdrawn", "its audit event")
            expect.equal(event?.change?.document, stored.last?.change, "which records the withdrawal as the version stores it")
            expect.equal(try engine.verifyAudit("c1", as: .operator("check")), .intact(events: 6), "the chain verifies and replays")
            expect.equal(try engine.documentProblems("c1", as: .operator("check")), [], "the stored documents are what the chain records")
            let older = try engine.document(caseID: "c1", kind: "draft_plan", version: 2, as: DocumentFixture.limited, attributes: DocumentFixture.family)
            expect.equal(older.withdrawnIn, 3, "an earlier version says the document was withdrawn")
            expect.equal(older.parts.map(\.withheld), [false, true], "and is still shown as the policy lets its reader see it")
            expect.equal(try engine.documentContent(caseID: "c1", kind: "draft_plan", version: 2, section: "A", as: caseworker, attributes: staff),
                         Array("views".utf8), "an earlier version's bytes stay readable")
            let current = refusalText { _ = try engine.documentContent(caseID: "c1", kind: "draft_plan", section: "A", as: caseworker, attributes: staff) }
            expect.that(current?.hasPrefix("invalid_input") == true && current?.contains("withdrawn") == true, "no content is served as current: \(current ?? "served")")
            let listed = try engine.documents(caseID: "c1", as: DocumentFixture.limited, attributes: DocumentFixture.family)
            expect.equal(listed.map { "\($0.kind)/\($0.version)/\($0.isWithdrawal)" }, ["draft_plan/3/true"], "the list shows it as withdrawn to its reader")
            expect.equal(try engine.document(caseID: "c1", kind: "decision_letter", as: caseworker, attributes: staff).withdrawnIn, nil,
                         "another document stays current")
        },
        Check("a withdrawal refused (not allowed, already withdrawn, unknown document, no reason) changes nothing") { makeStore, expect in
            let (store, engine) = try DocumentFixture.planned(makeStore)
            let staff = DocumentFixture.staff, family = DocumentFixture.family, caseworker = DocumentFixture.caseworker
            _ = try engine.withdrawDocument(caseID: "c1", kind: "decision_letter", reason: "replaced", as: caseworker, attributes: staff)
            let before = try Fixture.Contents(store)
            let versions = try store.documentVersions(caseID: "c1")
            func withdraw(_ caseID: String, _ kind: String, _ reason: String = "error", as actor: CaseActor, _ attributes: [String: ExpressionValue]) -> String? {
                refusalText { _ = try engine.withdrawDocument(caseID: caseID, kind: kind, reason: reason, as: actor, attributes: attributes) }
            }
            let stranger = withdraw("c1", "draft_plan", as: DocumentFixture.stranger, family)
            expect.that(stranger?.hasPrefix("forbidden") == true, "a person with no grant is refused: \(stranger ?? "allowed")")
            expect.equal(stranger, withdraw("missing", "draft_plan", as: DocumentFixture.stranger, family), "exactly as on a missing case")
            let limited = withdraw("c1", "draft_plan", as: DocumentFixture.limited, family)
            expect.that(limited?.hasPrefix("forbidden") == true, "a reader who may not add is refused: \(limited ?? "allowed")")
            let again = withdraw("c1", "decision_letter", as: caseworker, staff)
            expect.that(again?.hasPrefix("invalid_input") == true && again?.contains("already withdrawn by version 2") == true, "already withdrawn: \(again ?? "allowed")")
            let unknown = withdraw("c1", "minutes", as: caseworker, staff)
            let shown = refusalText { _ = try engine.document(caseID: "c1", kind: "minutes", as: caseworker, attributes: staff) }
            expect.that(unknown?.hasPrefix("invalid_input") == true, "an unknown kind: \(unknown ?? "allowed")")
            expect.equal(unknown, shown, "refused as showing it is")
            let stale = refusalText {
                _ = try engine.withdrawDocument(caseID: "c1", kind: "draft_plan", reason: "error", as: caseworker, attributes: staff, expectedRevision: 1)
            }
            expect.that(stale?.hasPrefix("conflict") == true, "a stale revision: \(stale ?? "allowed")")
            for reason in ["", "  ", "bad\u{7}"] {
                let refused = withdraw("c1", "draft_plan", reason, as: caseworker, staff)
                expect.that(refused?.hasPrefix("invalid_input") == true, "reason \(reason.debugDescription): \(refused ?? "allowed")")
            }
            expect.that(try Fixture.Contents(store) == before, "the cases, events, outbox and alarms are unchanged")
            expect.equal(try store.documentVersions(caseID: "c1"), versions, "the versions are unchanged")
        },
        Check("an archived case carries its documents and their bytes, and restores into a fresh store exactly") { makeStore, expect in
            let (source, _) = try DocumentFixture.planned(makeStore)
            guard let archive = try source.archive(caseID: "c1") else { return expect.record("no archive of c1") }
            expect.equal(archive.documents, try source.documentVersions(caseID: "c1"), "the archive's versions")
            expect.equal(archive.blobs.map(\.sha256), ["advice", "views", "%PDF-1.7 letter"].map { SHA256.hex(Array($0.utf8)) }.sorted(),
                         "the archive's bytes, each once")
            let target = try makeStore()
            try target.restore(archive)
            expect.equal(try target.archive(caseID: "c1"), archive, "the restored case reads back as archived")
            let restored = try DocumentFixture.engine(store: target)
            expect.equal(try restored.documentContent(caseID: "c1", kind: "draft_plan", section: "K", as: DocumentFixture.caseworker,
                                                      attributes: DocumentFixture.staff), Array("advice".utf8), "section K from the restored store")
            var damaged = archive
            damaged.blobs[0].bytes.append(0)
            let fresh = try makeStore()
            expect.throwsStoreError(nil, "an archive with damaged bytes") { try fresh.restore(damaged) }
            expect.equal(try fresh.load(caseID: "c1"), nil, "restores nothing")
        },
    ]
}
