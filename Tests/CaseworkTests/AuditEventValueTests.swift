@testable import CaseworkDefinitions
import CaseworkExpressions
@testable import CaseworkStore
import CaseworkTime
import Foundation
import Testing

/// An audit event is a value: a copy never sees a change made to the original or the original one made to the copy,
/// however deep the change (one input value, one part of what it changed). Equality and hashing are those of its
/// members, member by member, and it is stored, and hashed, as the same bytes it always was.
@Suite("Audit event values")
struct AuditEventValueTests {
    static let day = CalendarDate("2025-09-01")!
    static let at = Date(timeIntervalSince1970: 1_756_713_600.25)

    /// An event with every member present: input of every value kind, a change with every part, a day it took effect
    /// and what the actor came through.
    static func rich() -> AuditEvent {
        var clock = DeadlineRecord(name: "assessment", startedOn: day, dueOn: CalendarDate("2025-10-13")!)
        clock.remindersSent = [0]
        var change = RecordChange(
            state: "assessing", workflowVersion: 3, definitionSnapshot: "snap-9f",
            setFields: ["child.name": .string("Ada \"A\" / Lovelace"), "weeks": .int(6)], clearedFields: ["old.note"],
            participants: CaseParticipants(["parent": ["person:p-1"]]),
            forms: [FormInstance(id: "school-advice-1", form: "school-advice", formVersion: 1, recipientRole: "school", recipientID: nil,
                                 status: .shared, fields: [:], dueOn: CalendarDate("2025-09-29")!, submissions: 0, informationRequired: nil)],
            deadlines: [clock], grants: [AccessGrant(to: .person("p-1"), level: "full")],
            noticesSent: [NoticeSent(message: "CASE-1/3/1", sentBy: "officer-1", route: "post", sentOn: day)], child: "CHILD-1",
            links: [CaseLink(name: "plan", caseID: "CASE-2", workflow: "ehcp", role: .opened)])
        change.document = DocumentChange(kind: "plan", version: 2, mediaType: "application/pdf", bytes: 10,
                                         parts: [DocumentPart(section: "A", sha256: String(repeating: "c", count: 64), bytes: 10)], reason: "redrafted")
        return AuditEvent(
            caseID: "CASE-1", sequence: 7, at: at, actor: CaseActor(role: "caseworker", id: "ana", organisation: "la-1"), action: "fired",
            subject: "start_assessment", fromState: "requested", toState: "assessing", revision: 7,
            input: [
                "note": .string("line\nbreak \u{1} é"), "weeks": .int(-6), "cost": .decimal(Decimal(string: "1234.50")!), "urgent": .bool(false),
                "received": .date(day), "at": .datetime(at), "window": .duration(StatutoryDuration(count: 6, unit: .weeks)),
                "needs": .list([.string("speech"), .int(2)]),
            ],
            change: change, previousHash: String(repeating: "a", count: 64), effectiveOn: CalendarDate("2025-08-29")!,
            via: Intermediary(.service, name: "portal"))
    }

    /// A first event as written before changes were recorded (format 1): no subject, no state before, no change.
    static func bare() -> AuditEvent {
        AuditEvent(caseID: "CASE-2", sequence: 1, at: at, actor: CaseActor(role: "caseworker", id: "bo"), action: "opened", subject: nil,
                   fromState: nil, toState: "requested", revision: 1, input: [:], previousHash: AuditEvent.genesisHash)
    }

    /// The stored bytes of ``rich()`` as `main` wrote them before the event kept its members in a shared box.
    static let richJSON = #"""
        {"action":"fired","actor":{"id":"ana","organisation":"la-1","role":"caseworker"},"at":1756713600.25,"caseID":"CASE-1","change":{"child":"CHILD-1","clearedFields":["old.note"],"deadlines":[{"dueOn":"2025-10-13","name":"assessment","pausedDays":0,"remindersSent":[0],"startedOn":"2025-09-01","status":"running"}],"definitionSnapshot":"snap-9f","document":{"bytes":10,"kind":"plan","mediaType":"application/pdf","parts":[{"bytes":10,"section":"A","sha256":"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"}],"reason":"redrafted","version":2},"forms":[{"dueOn":"2025-09-29","fields":{},"form":"school-advice","formVersion":1,"id":"school-advice-1","recipientRole":"school","status":"shared","submissions":0}],"grants":[{"level":"full","to":"p-1"}],"links":[{"case":"CASE-2","name":"plan","role":"opened","workflow":"ehcp"}],"noticesSent":[{"message":"CASE-1/3/1","route":"post","sentBy":"officer-1","sentOn":"2025-09-01"}],"participants":{"parent":["person:p-1"]},"setFields":{"child.name":{"string":"Ada \"A\" / Lovelace"},"weeks":{"int":6}},"state":"assessing","workflowVersion":3},"effectiveOn":"2025-08-29","fromState":"requested","hash":"735808382416aad2e140dcb715db2b7aed65f189f5ce56845f8026889894985c","input":{"at":{"datetime":1756713600.25},"cost":{"decimal":"1234.5"},"needs":{"list":[{"string":"speech"},{"int":2}]},"note":{"string":"line\nbreak \u0001 é"},"received":{"date":"2025-09-01"},"urgent":{"bool":false},"weeks":{"int":-6},"window":{"duration":"6 weeks"}},"previousHash":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","revision":7,"sequence":7,"subject":"start_assessment","toState":"assessing","via":{"kind":"service","name":"portal"}}
        """#

    /// The hash of ``rich()`` and of ``bare()`` as `main` computed them.
    static let richHash = "735808382416aad2e140dcb715db2b7aed65f189f5ce56845f8026889894985c"
    static let bareHash = "4141e4a43d5a51aed66eb220158f4f49835723876976c14ffa722f7901e922ae"

    /// The stored bytes of ``bare()`` as `main` wrote them.
    static let bareJSON = #"""
        {"action":"opened","actor":{"id":"bo","role":"caseworker"},"at":1756713600.25,"caseID":"CASE-2","hash":"4141e4a43d5a51aed66eb220158f4f49835723876976c14ffa722f7901e922ae","input":{},"previousHash":"0000000000000000000000000000000000000000000000000000000000000000","revision":1,"sequence":1,"toState":"requested"}
        """#

    /// The text `"\(bare())"` made on `main`, every member by name.
    static let bareText = #"""
        AuditEvent(caseID: "CASE-2", sequence: 1, at: 2025-09-01 08:00:00 +0000, actor: caseworker:bo, action: "opened", subject: nil, fromState: nil, toState: "requested", revision: 1, input: [:], change: nil, previousHash: "0000000000000000000000000000000000000000000000000000000000000000", hash: "4141e4a43d5a51aed66eb220158f4f49835723876976c14ffa722f7901e922ae", effectiveOn: nil, via: nil)
        """#

    /// Every member, compared one by one: what `==` must agree with.
    static func sameMembers(_ a: AuditEvent, _ b: AuditEvent) -> Bool {
        a.caseID == b.caseID && a.sequence == b.sequence && a.at == b.at && a.actor == b.actor && a.action == b.action && a.subject == b.subject
            && a.fromState == b.fromState && a.toState == b.toState && a.revision == b.revision && a.input == b.input && a.change == b.change
            && a.previousHash == b.previousHash && a.hash == b.hash && a.effectiveOn == b.effectiveOn && a.via == b.via
    }

    /// The hash of every member combined in declaration order: what a synthesized `Hashable` hashed, so sets and
    /// dictionaries of events hash as they did.
    static func memberHash(_ event: AuditEvent) -> Int {
        var hasher = Hasher()
        hasher.combine(event.caseID)
        hasher.combine(event.sequence)
        hasher.combine(event.at)
        hasher.combine(event.actor)
        hasher.combine(event.action)
        hasher.combine(event.subject)
        hasher.combine(event.fromState)
        hasher.combine(event.toState)
        hasher.combine(event.revision)
        hasher.combine(event.input)
        hasher.combine(event.change)
        hasher.combine(event.previousHash)
        hasher.combine(event.hash)
        hasher.combine(event.effectiveOn)
        hasher.combine(event.via)
        return hasher.finalize()
    }

    /// One change to every mutable member, the nested ones made in place through the event.
    static let changes: [(name: String, change: @Sendable (inout AuditEvent) -> Void)] = [
        ("caseID", { $0.caseID = "CASE-9" }),
        ("sequence", { $0.sequence += 1 }),
        ("at", { $0.at = $0.at.addingTimeInterval(1) }),
        ("actor", { $0.actor.id = "bo" }),
        ("action", { $0.action = "form_submitted" }),
        ("subject", { $0.subject = nil }),
        ("fromState", { $0.fromState = "other" }),
        ("toState", { $0.toState = "deciding" }),
        ("revision", { $0.revision += 1 }),
        ("input set", { $0.input["note"] = .string("never said") }),
        ("input added", { $0.input["new"] = .bool(true) }),
        ("input removed", { $0.input.removeValue(forKey: "needs") }),
        ("change state", { $0.change?.state = "closed" }),
        ("change field", { $0.change?.setFields["weeks"] = .int(7) }),
        ("change clock", { $0.change?.deadlines?[0].status = .met }),
        ("change removed", { $0.change = nil }),
        ("previousHash", { $0.previousHash = String(repeating: "f", count: 64) }),
        ("hash", { $0.hash = String(repeating: "e", count: 64) }),
        ("effectiveOn", { $0.effectiveOn = nil }),
        ("via", { $0.via = Intermediary(.issuer, name: "idp") }),
    ]

    @Test func storedBytesAndHashesAreUnchanged() throws {
        for (event, json, hash) in [(Self.rich(), Self.richJSON, Self.richHash), (Self.bare(), Self.bareJSON, Self.bareHash)] {
            #expect(event.hash == hash)
            #expect(event.computedHash == hash)
            #expect(SHA256.hex(event.canonicalBytes) == hash)
            #expect(String(decoding: StoredJSON.encoderBytes(event), as: UTF8.self) == json)
            #expect(String(decoding: StoredJSON.encode(event), as: UTF8.self) == json)
            let read = try StoredJSON.decode(AuditEvent.self, from: Data(json.utf8))
            #expect(read == event && Self.sameMembers(read, event))
            #expect(read.computedHash == hash)
        }
        #expect(Self.rich().format == 2 && Self.bare().format == 1)
    }

    @Test func aChangedCopyLeavesTheOriginal() {
        for (name, change) in Self.changes {
            let original = Self.rich()
            let before = StoredJSON.encode(original)
            var copy = original
            change(&copy)
            #expect(StoredJSON.encode(original) == before, "\(name)")
            #expect(Self.sameMembers(original, Self.rich()), "\(name)")
            #expect(original.computedHash == original.hash, "\(name)")
            #expect(copy != original, "\(name)")
        }
    }

    @Test func aChangedOriginalLeavesTheCopy() {
        for (name, change) in Self.changes {
            var original = Self.rich()
            let copy = original
            let before = StoredJSON.encode(copy)
            change(&original)
            #expect(StoredJSON.encode(copy) == before, "\(name)")
            #expect(Self.sameMembers(copy, Self.rich()), "\(name)")
            #expect(copy.computedHash == copy.hash, "\(name)")
            #expect(copy != original, "\(name)")
        }
    }

    /// Any change to what the hash covers is seen by it; a changed `hash` is what the hash no longer matches.
    @Test func aChangeBreaksTheHash() {
        for (name, change) in Self.changes {
            var event = Self.rich()
            change(&event)
            #expect(event.computedHash != event.hash, "\(name)")
        }
    }

    @Test func equalityAndHashAreTheMembers() {
        let rich = Self.rich()
        #expect(rich == Self.rich())
        #expect(rich.hashValue == Self.rich().hashValue)
        #expect(rich.hashValue == Self.memberHash(rich))
        #expect(Self.bare().hashValue == Self.memberHash(Self.bare()))
        for (name, change) in Self.changes {
            var changed = rich
            change(&changed)
            #expect((changed == rich) == Self.sameMembers(changed, rich), "\(name)")
            #expect(changed.hashValue == Self.memberHash(changed), "\(name)")
            // Made equal again member by member, through a different path than the copy it came from.
            var rebuilt = Self.rich()
            for member in [\AuditEvent.caseID, \.action, \.toState, \.previousHash, \.hash] { rebuilt[keyPath: member] = changed[keyPath: member] }
            for member in [\AuditEvent.subject, \.fromState] { rebuilt[keyPath: member] = changed[keyPath: member] }
            rebuilt.sequence = changed.sequence
            rebuilt.at = changed.at
            rebuilt.actor = changed.actor
            rebuilt.revision = changed.revision
            rebuilt.input = changed.input
            rebuilt.change = changed.change
            rebuilt.effectiveOn = changed.effectiveOn
            rebuilt.via = changed.via
            #expect(rebuilt == changed && Self.sameMembers(rebuilt, changed), "\(name)")
            #expect(rebuilt.hashValue == changed.hashValue, "\(name)")
            #expect(Set([rebuilt, changed, rich]).count == 2, "\(name)")
        }
    }

    /// Reflection shows the event's members, in the order they are declared, and its text every one of them.
    @Test func reflectionShowsTheMembers() {
        let event = Self.rich()
        let labels = Mirror(reflecting: event).children.map(\.label)
        #expect(labels == [
            "caseID", "sequence", "at", "actor", "action", "subject", "fromState", "toState", "revision", "input", "change", "previousHash", "hash",
            "effectiveOn", "via",
        ])
        let text = "\(event)"
        #expect(text.hasPrefix(#"AuditEvent(caseID: "CASE-1", sequence: 7, at: "#))
        #expect(text.contains(#"subject: Optional("start_assessment"), fromState: Optional("requested"), toState: "assessing", revision: 7, input: ["#))
        #expect(text.contains("previousHash: \"\(String(repeating: "a", count: 64))\", hash: \"\(event.hash)\""))
        #expect(text.contains("Ada") && text.contains("CHILD-1") && text.contains("portal") && text.contains("speech"))
        #expect(!text.contains("Storage"))
        #expect("\(Self.bare())" == Self.bareText)
    }
}
