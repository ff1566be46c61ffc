import Foundation
import Testing
@testable import Casework

/// The async service tried as an attacker would: it answers every read and change exactly as the engine's one door
/// does, a refused command writes nothing, and no page cursor it hands out names a case the reader may not see.
@Suite("Case service: the engine's door, over a driver")
struct CaseServiceTests {
    /// Cases c1…c7 opened by the caseworker; the parent `jo` holds a full grant on c2 and c5 only.
    static func store() throws -> InMemoryCaseStore {
        let store = InMemoryCaseStore()
        let engine = try OneDoorTests.engine(store: store)
        for index in 1...7 {
            _ = try engine.open(workflow: "door", as: OneDoorTests.caseworker, caseID: "c\(index)", fields: [
                "requested_on": .date(CalendarDate("2025-09-01")!), "child.first_name": .string("Sam"), "child.address": .string("12 Secret Lane"),
            ], participants: ["parent": "jo"], attributes: OneDoorTests.staff)
        }
        for id in ["c2", "c5"] {
            _ = try engine.grantAccess(caseID: id, grant: AccessGrant(to: .person("jo"), level: "full"), as: OneDoorTests.caseworker,
                                       attributes: OneDoorTests.staff, reason: "identity checked")
        }
        return store
    }

    static func service(_ store: InMemoryCaseStore) async throws -> CaseService {
        try await CaseService(catalog: try OneDoorTests.engine(store: InMemoryCaseStore()).catalog, driver: store.driver,
                              clock: ManualClock(EngineFixtures.start))
    }

    @Test(arguments: [1, 2, 3, 10])
    func aCursorNeverNamesACaseTheReaderMayNotSee(pageSize: Int) async throws {
        let service = try await Self.service(try Self.store())
        var seen: [String] = []
        var tokens: [String] = []
        var request = PageRequest(limit: pageSize)
        repeat {
            let page = try await service.cases(visibleTo: OneDoorTests.fullParent, attributes: OneDoorTests.family, page: request)
            #expect(page.items.count <= pageSize)
            seen += page.items.map(\.id)
            if let next = page.next { tokens.append(next.token) }
            request.after = page.next
        } while request.after != nil
        #expect(seen == ["c2", "c5"])
        let hidden = Set(["c1", "c3", "c4", "c6", "c7"].map { PageCursor(key: [$0]).token })
        #expect(tokens.allSatisfy { !hidden.contains($0) }, "cursors \(tokens)")
        let stranger = try await service.cases(visibleTo: OneDoorTests.stranger, attributes: OneDoorTests.family, page: PageRequest(limit: 2))
        #expect(stranger.items.isEmpty && stranger.next == nil)
    }

    @Test(arguments: [OneDoorTests.stranger, OneDoorTests.fullParent])
    func everyReadIsAnsweredAsTheEngineAnswersIt(actor: CaseActor) async throws {
        let store = try Self.store()
        let engine = try OneDoorTests.engine(store: store)
        let service = try await Self.service(store)
        let attributes = OneDoorTests.family
        for caseID in ["c1", "c2", "nope"] {
            let expected = OneDoorTests.reads(engine, caseID, as: actor, attributes)
            var actual: [String: Result<String, EngineError>] = [:]
            actual["record"] = await Self.run { () async throws(EngineError) in "\(try await service.caseRecord(caseID, as: actor, attributes: attributes))" }
            actual["view"] = await Self.run { () async throws(EngineError) in "\(try await service.view(caseID: caseID, as: actor, attributes: attributes))" }
            actual["history"] = await Self.run { () async throws(EngineError) in
                "\(try await service.history(caseID, as: actor, attributes: attributes, page: PageRequest(limit: 1_000)).items)"
            }
            actual["transitions"] = await Self.run { () async throws(EngineError) in
                "\(try await service.availableTransitions(caseID: caseID, as: actor, attributes: attributes))"
            }
            actual["outbox"] = await Self.run { () async throws(EngineError) in
                "\(try await service.outbox(caseID: caseID, as: actor, attributes: attributes, page: PageRequest(limit: 1_000)).items)"
            }
            actual["verify"] = await Self.run { () async throws(EngineError) in "\(try await service.verifyAudit(caseID, as: actor, attributes: attributes))" }
            for (read, answer) in expected {
                #expect("\(actual[read].map(Self.describe) ?? "missing")" == Self.describe(answer), "\(read) of \(caseID) as \(actor)")
            }
        }
    }

    @Test func aRefusedCommandWritesNothing() async throws {
        let store = try Self.store()
        let service = try await Self.service(store)
        let before = try EngineFixtures.Snapshot(store, caseID: "c1")
        await #expect(throws: EngineError.self) {
            try await service.fire(FireRequest(caseID: "c1", transition: "comment", actor: OneDoorTests.fullParent, input: ["parent_comment": .string("hi")],
                                               attributes: OneDoorTests.family))
        }
        await #expect(throws: EngineError.self) {
            try await service.grantAccess(caseID: "c1", grant: AccessGrant(to: .person("jo"), level: "full"), as: OneDoorTests.fullParent,
                                          attributes: OneDoorTests.family, reason: "let myself in")
        }
        #expect(try EngineFixtures.Snapshot(store, caseID: "c1") == before)
        let allowed = try await service.fire(FireRequest(caseID: "c2", transition: "comment", actor: OneDoorTests.fullParent,
                                                          input: ["parent_comment": .string("hi")], attributes: OneDoorTests.family))
        #expect(allowed.record.state == "deciding")
        #expect(allowed.record.grants.isEmpty && allowed.record.participants.isEmpty, "a change result names no one else to a parent")
    }

    @Test func aPageLimitOutOfRangeIsInvalidInput() async throws {
        let service = try await Self.service(try Self.store())
        for limit in [0, PageRequest.largestLimit + 1] {
            await #expect { try await service.cases(visibleTo: .operator(), page: PageRequest(limit: limit)) } throws: { error in
                (error as? EngineError)?.code == .invalidInput
            }
        }
    }

    @Test func participantsAndOwedNoticesGoThroughTheServiceAsThroughTheEngine() async throws {
        let store = try Self.store()
        let service = try await Self.service(store)
        let before = try EngineFixtures.Snapshot(store, caseID: "c2")
        await #expect(throws: EngineError.self, "a parent may not name another") {
            try await service.addParticipant(caseID: "c2", role: "parent", principal: .person("kim"), as: OneDoorTests.fullParent,
                                             attributes: OneDoorTests.family, reason: "my partner")
        }
        #expect(try EngineFixtures.Snapshot(store, caseID: "c2") == before)
        let added = try await service.addParticipant(caseID: "c2", role: "parent", principal: .person("kim"), as: OneDoorTests.caseworker,
                                                     attributes: OneDoorTests.staff, reason: "holds parental responsibility")
        #expect(added.record.participants["parent"] == ["jo", "person:kim"])
        let fired = try await service.fire(FireRequest(caseID: "c2", transition: "comment", actor: OneDoorTests.fullParent,
                                                       input: ["parent_comment": .string("hi")], attributes: OneDoorTests.family))
        #expect(fired.notifications.allSatisfy { $0.recipientID == "jo" }, "the parent who acted reads only their own: \(fired.notifications)")
        let owed = try await service.owedNotices(caseID: "c2", as: OneDoorTests.caseworker, attributes: OneDoorTests.staff, outstanding: true)
        #expect(owed.contains { $0.message.recipientID == "person:kim" && $0.message.owedReason == .noPortalAccess }, "kim has no grant: owed by another route")
        let kim = try #require(owed.first { $0.message.recipientID == "person:kim" })
        let sent = try await service.recordNoticeSent(caseID: "c2", message: kim.message.id, sentBy: "ana", route: "email", sentOn: CalendarDate(EngineFixtures.start),
                                                      as: OneDoorTests.caseworker, attributes: OneDoorTests.staff)
        #expect(sent.record.noticesSent.map(\.message) == [kim.message.id])
        let removed = try await service.removeParticipant(caseID: "c2", role: "parent", principal: .person("kim"), as: OneDoorTests.caseworker,
                                                          attributes: OneDoorTests.staff, reason: "named in error")
        #expect(removed.record.participants["parent"] == ["jo"])
        #expect(try await service.verifyAudit("c2", as: .operator()) == .intact(events: removed.record.revision))
    }

    @Test func theOperatorsReadsAreTheOperatorsOnly() async throws {
        let service = try await Self.service(try Self.store())
        for caseID in ["c2", "c5", "c2"] {
            _ = try await service.fire(FireRequest(caseID: caseID, transition: "comment", actor: OneDoorTests.fullParent,
                                                   input: ["parent_comment": .string("hi")], attributes: OneDoorTests.family))
        }
        var ids: [String] = []
        var request = PageRequest(limit: 2)
        repeat {
            let page = try await service.outbox(as: .operator(), page: request)
            ids += page.items.map(\.id)
            request.after = page.next
        } while request.after != nil
        // Each comment notifies two: one through the portal, one owed by another route to a recipient the portal cannot reach.
        #expect(ids == ["c2/3/1", "c2/3/2", "c5/3/1", "c5/3/2", "c2/4/1", "c2/4/2"])
        #expect(try await service.auditedCaseIDs(as: .operator()) == (1...7).map { "c\($0)" })
        #expect(try await service.definitionUsage(as: .operator()).snapshots.count == 1)
        let parent = OneDoorTests.fullParent
        for read in ["outbox", "audited", "usage"] {
            await #expect(Comment(rawValue: read)) { () async throws in
                switch read {
                case "outbox": _ = try await service.outbox(as: parent, page: PageRequest())
                case "audited": _ = try await service.auditedCaseIDs(as: parent)
                default: _ = try await service.definitionUsage(as: parent)
                }
            } throws: { error in
                (error as? EngineError)?.code == .forbidden
            }
        }
        let workflow = try await service.workflowDefinition(ofCase: "c2", as: parent, attributes: OneDoorTests.family)
        #expect(workflow.id.value == "door")
    }

    static func run(_ body: () async throws(EngineError) -> String) async -> Result<String, EngineError> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    /// An answer as text: the value, or the refusal's code and words.
    static func describe(_ answer: Result<String, EngineError>) -> String {
        switch answer {
        case .success(let text): "ok \(text)"
        case .failure(let error): "\(error.code) \(error)"
        }
    }
}
