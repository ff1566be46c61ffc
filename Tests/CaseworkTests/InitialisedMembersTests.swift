@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkExpressions
@testable import CaseworkStore
import CaseworkTime
import Foundation
import Testing

/// The values a fire makes whose initialisers session 25 rewrote so that they are not copied on the way out (their
/// optional members spelled `Optional`, nothing given a value where it is declared, every member assigned in the order
/// declared; docs/performance.md, Benchmarks): each member an initialiser does not take still starts as it did by default,
/// each member it takes holds what was given, and each value reads and writes the same bytes as before.
@Suite("Initialised members")
struct InitialisedMembersTests {
    static let at = Date(timeIntervalSince1970: 1_756_717_200.5)

    /// The keys of `value` encoded as a JSON object.
    static func keys(of value: some Encodable) throws -> Set<String> {
        let object = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(value)) as? [String: Any]
        return Set(try #require(object).keys)
    }

    @Test(arguments: [
        (NoticeChannel.portal, OwedReason?.none, String?.none),
        (.portal, nil, "person:p-1"),
        (.other, .noParticipant, nil),
        (.other, .noPortalAccess, "organisation:school-1"),
    ])
    func aNewMessageIsUnclaimedUndeliveredAndAsGiven(channel: NoticeChannel, owed: OwedReason?, recipient: String?) throws {
        let message = OutboxMessage(id: "c1/2/1", caseID: "c1", createdAt: Self.at, recipientRole: "parent", recipientID: recipient,
                                    template: "recorded", subject: "Case c1 updated", body: "We recorded week 3.", channel: channel, owedReason: owed)
        #expect(message.claimedBy == nil)
        #expect(message.leaseUntil == nil)
        #expect(message.deliveredAt == nil)
        #expect(message.attempts == 0)
        #expect(message.id == "c1/2/1" && message.caseID == "c1" && message.createdAt == Self.at && message.recipientRole == "parent")
        #expect(message.recipientID == recipient && message.template == "recorded" && message.subject == "Case c1 updated")
        #expect(message.body == "We recorded week 3." && message.channel == channel && message.owedReason == owed)
        #expect(message.isClaimable(at: Self.at) == (channel == .portal))
        // The members not set are left out of its encoded form, as before, and it reads back equal.
        var expected: Set<String> = ["id", "caseID", "createdAt", "recipientRole", "template", "subject", "body", "attempts", "channel"]
        if recipient != nil { expected.insert("recipientID") }
        if owed != nil { expected.insert("owedReason") }
        #expect(try Self.keys(of: message) == expected)
        #expect(try JSONDecoder().decode(OutboxMessage.self, from: JSONEncoder().encode(message)) == message)
    }

    /// A change made by its initialiser adds no document and records its participants in the form of today; read back
    /// from its bytes it is equal to itself.
    @Test(arguments: [
        RecordChange(),
        RecordChange(state: "closed", setFields: ["weeks_waited": .int(3)]),
        RecordChange(workflowVersion: 2, definitionSnapshot: "snap-1", clearedFields: ["old"], participants: CaseParticipants(["parent": ["person:p-1"]]),
                     grants: [AccessGrant(to: .person("p-1"), level: "full")], child: "CHILD-1",
                     links: [CaseLink(name: "plan", caseID: "c2", workflow: "ehcp", role: .opened)]),
    ])
    func aNewChangeAddsNoDocumentAndReadsBackEqual(change: RecordChange) throws {
        #expect(change.document == nil)
        let bytes = try JSONEncoder().encode(change)
        #expect(try JSONDecoder().decode(RecordChange.self, from: bytes) == change)
        #expect(!(try Self.keys(of: change)).contains("document"))
    }

    /// A change read from bytes keeps the form its participants were written in (one per role, or lists), and one
    /// without participants reads as none.
    @Test(arguments: [
        (#"{"participants":{"parent":"person:p-1"}}"#, true),
        (#"{"participants":{"parent":["person:p-1","person:p-2"]}}"#, true),
        (#"{"state":"closed"}"#, false),
    ])
    func aReadChangeWritesBackItsOwnBytes(json: String, hasParticipants: Bool) throws {
        let change = try JSONDecoder().decode(RecordChange.self, from: Data(json.utf8))
        #expect((change.participants != nil) == hasParticipants)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(String(decoding: try encoder.encode(change), as: UTF8.self) == json)
    }

    @Test func aNewCaseChangeAddsNoDocumentsOrBlobs() {
        let record = CaseRecord(id: "c1", workflow: "bench", workflowVersion: 1, state: "open", revision: 2, fields: ["weeks_waited": .int(3)],
                                participants: [:], forms: [], openedAt: Self.at, updatedAt: Self.at, auditHead: AuditEvent.genesisHash)
        let key = IdempotencyRecord(key: "b:k1", caseID: "c1", request: "fire record on c1", state: "open", revision: 2)
        let change = CaseChange(record: record, expectedRevision: 1, events: [], outbox: [], idempotency: key)
        #expect(change.documents.isEmpty)
        #expect(change.blobs.isEmpty)
        #expect(change.alarms.isEmpty)
        #expect(change.idempotency == key)
        #expect(change.expectedRevision == 1 && change.record.revision == 2 && change.events.isEmpty && change.outbox.isEmpty)
        #expect(CaseChange(record: record, expectedRevision: nil, events: [], outbox: [], idempotency: nil).idempotency == nil)
    }

    @Test func aFireRequestTakesWhatItIsGivenAndNothingElse() {
        let actor = CaseActor(role: "caseworker", id: "b")
        let plain = FireRequest(caseID: "c1", transition: "record", actor: actor)
        #expect(plain.input.isEmpty && plain.attributes.isEmpty)
        #expect(plain.expectedRevision == nil && plain.idempotencyKey == nil && plain.effectiveOn == nil)
        let day = CalendarDate("2025-09-01")!
        let full = FireRequest(caseID: "c1", transition: "record", actor: actor, input: ["weeks_waited": .int(3)], expectedRevision: 4,
                               idempotencyKey: "k1", attributes: ["relationship": .string("caseworker")], effectiveOn: day)
        #expect(full.caseID == "c1" && full.transition == "record" && full.actor == actor && full.input == ["weeks_waited": .int(3)])
        #expect(full.expectedRevision == 4 && full.idempotencyKey == "k1" && full.attributes == ["relationship": .string("caseworker")])
        #expect(full.effectiveOn == day)
    }

    @Test(arguments: [AccessGrant?.none, AccessGrant(to: .person("p-1"), level: "limited", sections: ["case.state"])])
    func aPolicyInputKeepsItsGrant(grant: AccessGrant?) {
        let request = AccessRequest(actor: CaseActor(role: "parent", id: "p-1"), attributes: [:], action: "view", resource: "case.state", caseID: "c1",
                                    workflow: "bench", state: "open", fields: [:], grants: grant.map { [$0] } ?? [], at: Self.at)
        let day = CalendarDate("2025-09-01")!
        let input = PolicyExpressionInput(request: request, grant: grant, today: day)
        #expect(input.grant == grant)
        #expect(input.today == day)
        #expect(input.now == Self.at)
        #expect(input.request.caseID == "c1")
    }
}
