import Foundation
import Testing
@testable import Casework

/// Withdrawing a document through the async service, in memory and on SQLite: stored and read back as through the
/// engine, and refused as the engine refuses, leaving the store as it was.
@Suite("Case service: document withdrawal")
struct CaseServiceDocumentWithdrawTests {
    typealias Base = CaseServiceDocumentTests

    @Test(arguments: ServiceStoreKind.allCases)
    func aDocumentWithdrawnThroughTheServiceReadsAsTheEngineReadsIt(kind: ServiceStoreKind) async throws {
        let space = try ServiceStoreSpace(kind)
        let engine = try Base.opened(space.store)
        let service = try await CaseService(catalog: try Base.catalog(), driver: space.store.driver, clock: ManualClock(Base.at))
        _ = try await service.addDocument(caseID: "c1", DocumentUpload(kind: "advice_report", mediaType: "text/plain", bytes: Array("Health.\n".utf8),
                                                                       sharedWith: ["city-health"]),
                                          as: Base.caseworker, attributes: Base.staff)
        let withdrawn = try await service.withdrawDocument(caseID: "c1", kind: "advice_report", reason: "report replaced", as: Base.caseworker,
                                                           attributes: Base.staff, expectedRevision: 5)
        #expect(withdrawn.version == 2 && withdrawn.isWithdrawal && withdrawn.parts.isEmpty)
        #expect(withdrawn.sharedWith == ["city-health"], "whom it was given to is kept, so the organisation learns it was withdrawn")
        #expect(try engine.document(caseID: "c1", kind: "advice_report", as: Base.caseworker, attributes: Base.staff) == withdrawn)
        let health = try await service.document(caseID: "c1", kind: "advice_report", version: 1, as: Base.health, attributes: Base.professional)
        #expect(health.withdrawnIn == 2, "the organisation it was given to reads the earlier version, saying it was withdrawn")
        #expect(try await service.documents(caseID: "c1", as: Base.health, attributes: Base.professional).map(\.isWithdrawal) == [true])

        let before = try space.store.documentVersions(caseID: "c1")
        await #expect(throws: EngineError.self) {
            _ = try await service.withdrawDocument(caseID: "c1", kind: "advice_report", reason: "again", as: Base.caseworker, attributes: Base.staff)
        }
        await #expect(throws: EngineError.self) {
            _ = try await service.withdrawDocument(caseID: "c1", kind: "advice_report", reason: "no", as: Base.health, attributes: Base.professional)
        }
        #expect(try space.store.documentVersions(caseID: "c1") == before)
        #expect(try engine.documentProblems("c1", as: .operator("check")).isEmpty)
    }
}
