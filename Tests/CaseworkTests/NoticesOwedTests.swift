@testable import CaseworkDefinitions
@testable import CaseworkEngine
@testable import CaseworkExpressions
@testable import CaseworkStore
import CaseworkTime
import Foundation
import Testing

/// Every notice a definition declares is recorded for each recipient it names: through the portal where the policy lets
/// them see the case, otherwise owed by another route with its reason; and who takes part is data, changed through the policy.
@Suite("Notices owed and participants as data")
struct NoticesOwedTests {
    static let staff = PolicyEnforcementTests.staff
    static let caseworker = EngineFixtures.caseworker

    /// A case with two parents who live apart, one with full access, one limited, and a third person named as a parent
    /// whom the service has given no access.
    static func threeParents(_ store: any CaseStore) throws -> Engine {
        let engine = try PolicyEnforcementTests.engine(store: store)
        _ = try engine.open(workflow: "assessment", as: caseworker, caseID: "c1", fields: [
            "requested_on": .date(CalendarDate("2025-09-01")!), "child.first_name": .string("Sam"), "requested_by": .string("parent"),
        ], participants: ["parent": "jo", "parent": "kim", "parent": "lee", "health": "organisation:nhs-trust"], attributes: staff)
        _ = try engine.grantAccess(caseID: "c1", grant: AccessGrant(to: .person("jo"), level: "full"), as: caseworker, attributes: staff, reason: "parent")
        _ = try engine.grantAccess(caseID: "c1", grant: AccessGrant(to: .person("kim"), level: "limited"), as: caseworker, attributes: staff, reason: "parent")
        return engine
    }

    @Test func twoParentsAreEachNotifiedAndEachSeesOnlyWhatThePolicyLetsThem() throws {
        let engine = try Self.threeParents(InMemoryCaseStore())
        let fired = try engine.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: Self.caseworker, input: ["evidence_complete": .bool(true)],
                                                attributes: Self.staff))
        let toParents = fired.notifications.filter { $0.recipientRole == "parent" }
        #expect(toParents.map(\.recipientID) == ["jo", "kim", "lee"], "one message for each person named as a parent")
        #expect(toParents.map(\.channel) == [.portal, .portal, .other])
        #expect(toParents.map(\.body) == [
            "We received the request about Sam on 1 September 2025.",
            "We received the request about (withheld) on (withheld).",
            "We received the request about (withheld) on (withheld).",
        ])
        #expect(Set(fired.notifications.map(\.id)).count == fired.notifications.count, "each has its own id")
    }

    @Test func aNoticeToSomeoneThePolicyRefusesIsOwedWithItsReasonAndShowsNoWithheldField() throws {
        let store = InMemoryCaseStore()
        let engine = try Self.threeParents(store)
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: Self.caseworker, input: ["evidence_complete": .bool(true)],
                                        attributes: Self.staff))
        let owed = try #require(try store.outbox(caseID: "c1").first { $0.recipientID == "lee" })
        #expect(owed.channel == .other)
        #expect(owed.owedReason == .noPortalAccess)
        #expect(!(owed.subject + owed.body).contains("Sam") && !(owed.subject + owed.body).contains("2025"), "no field the policy withholds from them")
        #expect(try store.claimOutbox(OutboxClaim(claimer: "mailer", limit: 100, now: EngineFixtures.start, lease: 60)).allSatisfy { $0.channel == .portal },
                "a deliverer never claims a notice owed by another route")
        let work = try engine.owedNotices(caseID: "c1", as: Self.caseworker, attributes: Self.staff)
        #expect(work.map(\.message.id) == [owed.id])
        #expect(throws: EngineError.self, "the parents do not see staff's work list") {
            try engine.owedNotices(caseID: "c1", as: CaseActor(role: "parent", id: "jo"), attributes: ["relationship": .string("parent"), "second_factor_verified": .bool(true)])
        }
    }

    @Test func aRoleWithNoOneNamedIsOwedBecauseNoOneIsNamed() throws {
        let store = InMemoryCaseStore()
        let engine = try PolicyEnforcementTests.engine(store: store)
        try EngineFixtures.openCase(engine, as: Self.caseworker, attributes: Self.staff)
        let fired = try engine.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: Self.caseworker, input: ["evidence_complete": .bool(true)],
                                                attributes: Self.staff))
        #expect(fired.notifications.map(\.owedReason) == [.noParticipant])
        #expect(fired.notifications.map(\.recipientID) == [nil])
        #expect(OwedReason.noParticipant.description == "no one is named for this role on the case yet")
    }

    @Test func sendingAnOwedNoticeIsRecordedAuditedAndLeavesTheWorkList() throws {
        let store = InMemoryCaseStore()
        let engine = try Self.threeParents(store)
        _ = try engine.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: Self.caseworker, input: ["evidence_complete": .bool(true)],
                                        attributes: Self.staff))
        let owed = try #require(try engine.owedNotices(as: Self.caseworker, attributes: Self.staff).first)
        let day = CalendarDate(EngineFixtures.start)
        let before = try EngineFixtures.Snapshot(store, caseID: "c1")
        for (message, on) in [("c1/1/1", day), (owed.message.id, day.adding(days: 1)), ("c1/nope", day)] {
            #expect(throws: EngineError.self, "\(message) on \(on)") {
                try engine.recordNoticeSent(caseID: "c1", message: message, sentBy: "ana", route: "post", sentOn: on, as: Self.caseworker, attributes: Self.staff)
            }
        }
        #expect(try EngineFixtures.Snapshot(store, caseID: "c1") == before, "a refused recording changes nothing")
        let recorded = try engine.recordNoticeSent(caseID: "c1", message: owed.message.id, sentBy: "ana", route: "post", sentOn: day, as: Self.caseworker,
                                                   attributes: Self.staff)
        #expect(recorded.record.noticesSent == [NoticeSent(message: owed.message.id, sentBy: "ana", route: "post", sentOn: day)])
        #expect(try store.history(caseID: "c1").last?.action == "notice_sent")
        #expect(try engine.owedNotices(as: Self.caseworker, attributes: Self.staff).isEmpty)
        #expect(try engine.owedNotices(caseID: "c1", as: Self.caseworker, attributes: Self.staff).map(\.sent?.route) == ["post"])
        #expect(throws: EngineError.self, "recorded once") {
            try engine.recordNoticeSent(caseID: "c1", message: owed.message.id, sentBy: "ana", route: "post", sentOn: day, as: Self.caseworker, attributes: Self.staff)
        }
        #expect(try engine.verifyAudit("c1", as: .operator()) == .intact(events: recorded.record.revision))
    }

    @Test(arguments: ["add", "remove"])
    func changingWhoTakesPartIsRefusedToThoseThePolicyDoesNotAllowAndChangesNothing(_ change: String) throws {
        let store = InMemoryCaseStore()
        let engine = try Self.threeParents(store)
        let parent = CaseActor(role: "parent", id: "jo")
        let family: [String: ExpressionValue] = ["relationship": .string("parent"), "second_factor_verified": .bool(true)]
        let before = try EngineFixtures.Snapshot(store, caseID: "c1")
        #expect(throws: EngineError.self) {
            if change == "add" {
                try engine.addParticipant(caseID: "c1", role: "parent", principal: .person("max"), as: parent, attributes: family, reason: "my partner")
            } else {
                try engine.removeParticipant(caseID: "c1", role: "parent", principal: .person("kim"), as: parent, attributes: family, reason: "estranged")
            }
        }
        #expect(try EngineFixtures.Snapshot(store, caseID: "c1") == before)
    }

    @Test func participantsAreAddedAndRemovedThroughThePolicyAuditedAndReplayed() throws {
        let store = InMemoryCaseStore()
        let engine = try Self.threeParents(store)
        let added = try engine.addParticipant(caseID: "c1", role: "school", principal: .organisation("oak"), as: Self.caseworker, attributes: Self.staff,
                                              reason: "dual placement")
        #expect(added.record.participants["school"] == ["organisation:oak"])
        let removed = try engine.removeParticipant(caseID: "c1", role: "parent", principal: .person("lee"), as: Self.caseworker, attributes: Self.staff,
                                                   reason: "named in error")
        #expect(removed.record.participants["parent"] == ["jo", "kim"])
        #expect(try store.history(caseID: "c1").suffix(2).map(\.action) == ["participant_added", "participant_removed"])
        #expect(try engine.verifyAudit("c1", as: .operator()) == .intact(events: removed.record.revision), "the replay rebuilds the participants")
        for (role, principal) in [("parent", Principal.person("jo")), ("nobody", .person("x"))] {
            #expect(throws: EngineError.self, "\(role) \(principal)") {
                try engine.addParticipant(caseID: "c1", role: role, principal: principal, as: Self.caseworker, attributes: Self.staff, reason: "again")
            }
        }
        let fired = try engine.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: Self.caseworker, input: ["evidence_complete": .bool(true)],
                                                attributes: Self.staff))
        #expect(fired.notifications.filter { $0.recipientRole == "parent" }.map(\.recipientID) == ["jo", "kim"], "lee is no longer told")
    }

    @Test func oneRoleNamingTheSamePrincipalTwiceIsRefusedAtOpening() throws {
        let engine = try PolicyEnforcementTests.engine(store: InMemoryCaseStore())
        #expect {
            try engine.open(workflow: "assessment", as: Self.caseworker, caseID: "c1", fields: [
                "requested_on": .date(CalendarDate("2025-09-01")!), "child.first_name": .string("Sam"), "requested_by": .string("parent"),
            ], participants: ["parent": "jo", "parent": "person:jo"], attributes: Self.staff)
        } throws: { error in
            guard case EngineError.invalidInput(let problems) = error else { return false }
            return problems.map(\.message) == ["'person:jo' is named twice in this role"]
        }
    }

    /// Records and audit events written when a role had one participant still read, and old events hash as they did.
    @Test func oneParticipantPerRoleStillReadsAndHashesAsBefore() throws {
        let old = Data(#"{"participants":{"school":"organisation:hill"},"state":"open"}"#.utf8)
        let change = try StoredJSON.decode(RecordChange.self, from: old)
        #expect(change.participants == ["school": "organisation:hill"])
        #expect(String(decoding: StoredJSON.encode(change), as: UTF8.self) == String(decoding: old, as: UTF8.self), "written back byte for byte")
        let event = AuditEvent(caseID: "c1", sequence: 1, at: EngineFixtures.start, actor: Self.caseworker, action: "opened", subject: "assessment",
                               fromState: nil, toState: "open", revision: 1, input: [:], change: change, previousHash: AuditEvent.genesisHash)
        let read = try StoredJSON.decode(AuditEvent.self, from: StoredJSON.encode(event))
        #expect(read.computedHash == event.hash)
        let twoParents = CaseParticipants(entries: [("parent", "jo"), ("parent", "kim")])
        #expect(String(decoding: StoredJSON.encode(RecordChange(participants: twoParents)), as: UTF8.self) == #"{"participants":{"parent":["jo","kim"]}}"#)
        #expect(throws: (any Error).self, "a role's value is a principal or a list of them") {
            try StoredJSON.decode(CaseParticipants.self, from: Data(#"{"parent":3}"#.utf8))
        }
        let message = Data(#"{"id":"c1/1/1","caseID":"c1","createdAt":0,"recipientRole":"parent","template":"t","subject":"s","body":"b","attempts":0}"#.utf8)
        #expect(try StoredJSON.decode(OutboxMessage.self, from: message).channel == .portal, "a message written before channels is a portal message")
        #expect(throws: (any Error).self, "an owed message without its reason is malformed") {
            try StoredJSON.decode(OutboxMessage.self, from: Data(String(decoding: message, as: UTF8.self).replacingOccurrences(of: "}", with: #","channel":"other"}"#).utf8))
        }
    }
}
