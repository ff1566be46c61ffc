import CaseworkSQLite
import Foundation
import Testing
@testable import Casework

/// Documents through the async service, on the shipped definitions, in memory and on SQLite: a document added through
/// the service is stored with its bytes and audit event as through the engine, and every read answers and refuses
/// exactly as the engine on the same store does (the versions and bytes being staged reads like the case itself).
@Suite("Case service: documents")
struct CaseServiceDocumentTests {
    /// Where a store under test lives.
    typealias Kind = ServiceStoreKind
    /// A store of a kind, and the directory that holds it.
    typealias Space = ServiceStoreSpace

    static let at = Date(timeIntervalSince1970: 1_756_717_200)
    static let verified: [String: ExpressionValue] = ["second_factor_verified": .bool(true)]
    static let staff = verified.merging(["relationship": .string("caseworker")]) { $1 }
    static let family = verified.merging(["relationship": .string("parent")]) { $1 }
    static let professional = verified.merging(["relationship": .string("professional")]) { $1 }
    static let caseworker = CaseActor(role: "caseworker", id: "ana")
    static let limited = CaseActor(role: "parent", id: "lee")
    static let stranger = CaseActor(role: "parent", id: "sam")
    static let school = CaseActor.organisation("hillside-primary", role: "school")
    static let health = CaseActor.organisation("city-health", role: "health")

    static func catalog() throws -> DefinitionCatalog {
        try DefinitionCatalog.load(paths: [RepositoryPaths.root.appendingPathComponent("Workflows").path,
                                           RepositoryPaths.root.appendingPathComponent("Policies").path])
    }

    /// Case c1 of the needs assessment, opened (with `participants`) and granted through the engine: a limited grant to
    /// `lee`, full grants to the school and the health service.
    static func opened(_ store: any CaseStore, participants: CaseParticipants = [:]) throws -> Engine {
        let engine = try Engine(catalog: try catalog(), store: store, clock: ManualClock(at))
        _ = try engine.open(workflow: "ehcp-needs-assessment", as: caseworker, caseID: "c1",
                            fields: ["requested_on": .date(CalendarDate("2025-09-01")!), "requested_by": .string("parent"),
                                     "child.first_name": .string("Sam"), "child.last_name": .string("Taylor"),
                                     "child.date_of_birth": .date(CalendarDate("2016-02-14")!)],
                            participants: participants, attributes: staff)
        for (to, level) in [(Principal.person("lee"), "limited"), (.organisation("hillside-primary"), "full"), (.organisation("city-health"), "full")] {
            _ = try engine.grantAccess(caseID: "c1", grant: AccessGrant(to: to, level: level), as: caseworker, attributes: staff, reason: "decided")
        }
        return engine
    }

    @Test(arguments: Kind.allCases)
    func documentsAddedThroughTheServiceAreReadAsTheEngineReadsThem(kind: Kind) async throws {
        let space = try Space(kind)
        let engine = try Self.opened(space.store)
        let service = try await CaseService(catalog: try Self.catalog(), driver: space.store.driver, clock: ManualClock(Self.at))
        let plan = try await service.addDocument(caseID: "c1", DocumentUpload(kind: "draft_plan", section: "B", mediaType: "text/markdown",
                                                                               bytes: Array("Needs.\n".utf8), sharedWith: ["hillside-primary"]),
                                                 as: Self.caseworker, attributes: Self.staff)
        #expect(plan.version == 1 && plan.sharedWith == ["hillside-primary"])
        _ = try await service.addDocument(caseID: "c1", DocumentUpload(kind: "draft_plan", section: "K", mediaType: "text/markdown", bytes: Array("Advice.\n".utf8)),
                                          as: Self.caseworker, attributes: Self.staff)
        _ = try await service.addDocument(caseID: "c1", DocumentUpload(kind: "advice_report", mediaType: "text/plain", bytes: Array("Health.\n".utf8),
                                                                       sharedWith: ["city-health"]),
                                          as: Self.caseworker, attributes: Self.staff)
        #expect(try engine.documentProblems("c1", as: Self.caseworker, attributes: Self.staff).isEmpty, "versions, bytes and audit events agree")

        let readers: [(CaseActor, [String: ExpressionValue], [String])] = [
            (Self.caseworker, Self.staff, ["draft_plan", "advice_report"]), (Self.limited, Self.family, ["draft_plan"]),
            (Self.school, Self.professional, ["draft_plan"]), (Self.health, Self.professional, ["advice_report"]),
        ]
        for (actor, attributes, kinds) in readers {
            let listed = try await service.documents(caseID: "c1", as: actor, attributes: attributes)
            #expect(listed.map(\.kind) == kinds, "\(actor)")
            #expect(listed == (try engine.documents(caseID: "c1", as: actor, attributes: attributes)), "\(actor): as the engine lists them")
            for kind in ["draft_plan", "advice_report", "final_plan"] {
                let shown = await Self.run { () async throws(EngineError) in "\(try await service.document(caseID: "c1", kind: kind, as: actor, attributes: attributes))" }
                let direct = Self.run { () throws(EngineError) in "\(try engine.document(caseID: "c1", kind: kind, as: actor, attributes: attributes))" }
                #expect(Self.describe(shown) == Self.describe(direct), "\(actor) \(kind)")
                let section = kind == "draft_plan" ? "K" : nil
                let bytes = await Self.run { () async throws(EngineError) in
                    "\(try await service.documentContent(caseID: "c1", kind: kind, section: section, as: actor, attributes: attributes))"
                }
                let directBytes = Self.run { () throws(EngineError) in
                    "\(try engine.documentContent(caseID: "c1", kind: kind, section: section, as: actor, attributes: attributes))"
                }
                #expect(Self.describe(bytes) == Self.describe(directBytes), "\(actor) \(kind) content")
            }
        }
        let withheld = await Self.run { () async throws(EngineError) in
            "\(try await service.documentContent(caseID: "c1", kind: "draft_plan", section: "K", as: Self.limited, attributes: Self.family))"
        }
        #expect(Self.describe(withheld).hasPrefix("forbidden"), "section K is withheld from the limited parent")
        let given = try await service.documentContent(caseID: "c1", kind: "draft_plan", section: "B", as: Self.school, attributes: Self.professional)
        #expect(given == Array("Needs.\n".utf8))
    }

    @Test(arguments: Kind.allCases)
    func aRefusedAdditionChangesNothingAndAStrangerLearnsNothing(kind: Kind) async throws {
        let space = try Space(kind)
        _ = try Self.opened(space.store)
        let service = try await CaseService(catalog: try Self.catalog(), driver: space.store.driver, clock: ManualClock(Self.at))
        let before = try EngineFixtures.Snapshot(space.store, caseID: "c1")
        let upload = DocumentUpload(kind: "draft_plan", section: "A", mediaType: "text/markdown", bytes: Array("Views.\n".utf8))
        for (caseID, actor, attributes) in [("c1", Self.limited, Self.family), ("c1", Self.school, Self.professional)] {
            let added = await Self.run { () async throws(EngineError) in "\(try await service.addDocument(caseID: caseID, upload, as: actor, attributes: attributes))" }
            #expect(Self.describe(added).hasPrefix("forbidden"), "\(actor)")
        }
        let wrongType = await Self.run { () async throws(EngineError) in
            var html = upload
            html.mediaType = "text/html"
            return "\(try await service.addDocument(caseID: "c1", html, as: Self.caseworker, attributes: Self.staff))"
        }
        #expect(Self.describe(wrongType).hasPrefix("invalidInput"))
        #expect(try EngineFixtures.Snapshot(space.store, caseID: "c1") == before, "nothing was written")
        #expect(try space.store.documentVersions(caseID: "c1").isEmpty)

        for read in ["list", "show", "get"] {
            func ask(_ caseID: String) async -> String {
                Self.describe(await Self.run { () async throws(EngineError) in
                    switch read {
                    case "list": "\(try await service.documents(caseID: caseID, as: Self.stranger, attributes: Self.family))"
                    case "show": "\(try await service.document(caseID: caseID, kind: "draft_plan", as: Self.stranger, attributes: Self.family))"
                    default: "\(try await service.documentContent(caseID: caseID, kind: "draft_plan", section: "A", as: Self.stranger, attributes: Self.family))"
                    }
                })
            }
            let existing = await ask("c1")
            #expect(existing.hasPrefix("forbidden"), "\(read)")
            #expect(existing == (await ask("nope")), "\(read): refused as for a case that does not exist")
        }
    }

    /// Runs an async call, keeping its refusal.
    static func run(_ body: () async throws(EngineError) -> String) async -> Result<String, EngineError> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    /// Runs a call, keeping its refusal.
    static func run(_ body: () throws(EngineError) -> String) -> Result<String, EngineError> {
        do { return .success(try body()) } catch { return .failure(error) }
    }

    /// An answer as text: the value, or the refusal's code and words.
    static func describe(_ answer: Result<String, EngineError>) -> String {
        switch answer {
        case .success(let text): "ok \(text)"
        case .failure(let error): "\(error.code) \(error)"
        }
    }
}
