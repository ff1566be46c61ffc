@testable import Casework
@testable import CaseworkDefinitions
@testable import CaseworkEngine
@testable import CaseworkExpressions
@testable import CaseworkStore
@testable import CaseworkTime
import Foundation
import Testing

/// What an actor came through (`via`): recorded in every audit event a change made through a service or an identity
/// provider writes, covered by the hash, absent (and the bytes unchanged) for a step taken directly, and never part of
/// who the actor is.
@Suite("Audit: what the actor came through")
struct AuditViaTests {
    static let portal = Intermediary.service("citizen-portal")

    /// Case `c1` opened and granted directly, then commented on by the parent through the portal.
    static func caseThroughThePortal(_ engine: Engine) throws {
        try OneDoorTests.openCase(engine)
        _ = try engine.through(portal).fire(FireRequest(caseID: "c1", transition: "comment", actor: OneDoorTests.fullParent,
                                                         input: ["parent_comment": .string("through the portal")], attributes: OneDoorTests.family))
    }

    @Test func aChangeThroughAServiceRecordsItAndTheChainAndRecordHold() throws {
        let store = InMemoryCaseStore()
        let engine = try OneDoorTests.engine(store: store)
        try Self.caseThroughThePortal(engine)
        let events = try store.history(caseID: "c1")
        #expect(events.map(\.via) == [nil, nil, nil, nil, nil, Self.portal])
        #expect(events.last?.actor == OneDoorTests.fullParent, "the actor is the parent, not the service")
        let last = try #require(events.last)
        #expect(String(decoding: last.canonicalBytes, as: UTF8.self).hasSuffix(#","via":{"kind":"service","name":"citizen-portal"}}"#))
        #expect(try engine.verifyAudit("c1", as: .operator()) == .intact(events: 6))
        let stored = try StoredJSON.decode(AuditEvent.self, from: StoredJSON.encode(last))
        #expect(stored == last && stored.computedHash == last.hash, "the stored event reads back with its via")
    }

    @Test func anEventWithoutViaHasTheBytesItHadBeforeViaExisted() throws {
        let store = InMemoryCaseStore()
        try OneDoorTests.openCase(try OneDoorTests.engine(store: store))
        for event in try store.history(caseID: "c1") {
            #expect(!String(decoding: event.canonicalBytes, as: UTF8.self).contains("via"))
            #expect(event.canonicalBytes == AuditFormatTests.EncoderReference.bytes(event))
        }
    }

    /// Each way of altering what an event says it came through: another service, the service made an issuer, none.
    @Test(arguments: [Intermediary.service("another-portal"), .issuer("citizen-portal"), nil])
    func alteringTheViaOfAnEventBreaksTheChainThere(altered: Intermediary?) throws {
        let store = InMemoryCaseStore()
        let engine = try OneDoorTests.engine(store: store)
        try Self.caseThroughThePortal(engine)
        var events = try store.history(caseID: "c1")
        events[5].via = altered
        #expect(AuditVerification.verify(events, record: try store.load(caseID: "c1")) == .broken(sequence: 6, reason: "its content does not match its hash"))
    }

    @Test func aViaAddedToAnEventWrittenDirectlyBreaksTheChain() throws {
        let store = InMemoryCaseStore()
        try OneDoorTests.openCase(try OneDoorTests.engine(store: store))
        var events = try store.history(caseID: "c1")
        events[2].via = Self.portal
        #expect(AuditVerification.verify(events, record: try store.load(caseID: "c1")).chainBreak?.sequence == 3)
    }

    @Test func thePersonIsTheSameActorWhicheverWayTheyCameIn() throws {
        let store = InMemoryCaseStore()
        let engine = try OneDoorTests.engine(store: store)
        try OneDoorTests.openCase(engine)
        let request = FireRequest(caseID: "c1", transition: "comment", actor: OneDoorTests.fullParent, input: ["parent_comment": .string("a")],
                                  idempotencyKey: "k1", attributes: OneDoorTests.family)
        #expect(!(try engine.through(Self.portal).fire(request).replayed))
        #expect(try engine.through(.issuer("https://idp.example/")).fire(request).replayed, "the same key of the same person, whichever way")
        #expect(try engine.fire(request).replayed)
        #expect(try store.history(caseID: "c1").count == 6)
    }

    @Test func anEngineThroughAServiceSharesEverythingButTheVia() throws {
        let engine = try OneDoorTests.engine()
        let through = engine.through(Self.portal)
        #expect(engine.via == nil && through.via == Self.portal)
        #expect(through.catalog.snapshot == engine.catalog.snapshot && through.store as AnyObject === engine.store as AnyObject)
        #expect(through.through(nil).via == nil)
    }

    @Test func theAsyncServiceRecordsWhatItsCallersCameThrough() async throws {
        let store = InMemoryCaseStore()
        try OneDoorTests.openCase(try OneDoorTests.engine(store: store))
        let service = try await CaseService(catalog: try OneDoorTests.engine().catalog, driver: store.driver, clock: ManualClock(EngineFixtures.start))
        let issuer = Intermediary.issuer("https://idp.example/")
        _ = try await service.through(issuer).fire(FireRequest(caseID: "c1", transition: "comment", actor: OneDoorTests.fullParent,
                                                               input: ["parent_comment": .string("a")], attributes: OneDoorTests.family))
        _ = try await service.fire(FireRequest(caseID: "c1", transition: "decide", actor: OneDoorTests.caseworker,
                                               input: ["decision_reasons": .string("agreed")], attributes: OneDoorTests.staff))
        #expect(service.via == nil && service.through(issuer).via == issuer)
        let events = try store.history(caseID: "c1")
        #expect(events.suffix(2).map(\.via) == [issuer, nil])
        #expect(try OneDoorTests.engine(store: store).verifyAudit("c1", as: .operator()) == .intact(events: 7))
    }

    @Test func aChildEventThroughAServiceRecordsIt() throws {
        let store = InMemoryCaseStore()
        let engine = try OneDoorTests.engine(store: store)
        _ = try engine.through(Self.portal).addChild(id: "k1", as: .operator(), reason: "referral")
        let events = try store.childSnapshot(childID: "k1").events
        #expect(events.map(\.via) == [Self.portal])
        #expect(try engine.verifyChildAudit("k1", as: .operator()) == .intact(events: 1))
        var altered = events
        altered[0].via = nil
        #expect(AuditVerification.verify(child: altered, record: try store.child(id: "k1")).chainBreak?.sequence == 1)
    }
}
