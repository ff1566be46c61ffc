@testable import CaseworkDefinitions
import CaseworkExpressions
import CaseworkTime
import Foundation
import Testing

/// A case record is a value: a copy never sees a change made to the original or the original one made to the copy,
/// however deep the change (a field, a clock in `deadlines`, an answer in a form), and a change to a record held once
/// is made in place. Equality and hashing are those of its parts, member by member, and the record is stored as the
/// same bytes it always was.
@Suite("Case record values")
struct CaseRecordValueTests {
    static let day = CalendarDate("2025-09-01")!
    static let at = Date(timeIntervalSince1970: 1_756_713_600.5)

    /// A record with every part present: fields of every value kind, several participants, a form with answers, a
    /// clock with an earlier run, grants, a notice sent, a child and links.
    static func rich() -> CaseRecord {
        var clock = DeadlineRecord(name: "assessment", startedOn: day, dueOn: CalendarDate("2025-10-13")!)
        clock.remindersSent = [0]
        clock.reason = "family holiday"
        var earlier = DeadlineRecord(name: "assessment", startedOn: CalendarDate("2025-01-06")!, dueOn: CalendarDate("2025-02-17")!)
        earlier.status = .met
        earlier.metOn = CalendarDate("2025-02-10")!
        clock.earlier = [earlier]
        var record = CaseRecord(
            id: "CASE-1", workflow: "ehc-needs-assessment", workflowVersion: 3, state: "assessing", revision: 7,
            fields: [
                "child.name": .string("Ada \"A\" / Lovelace"), "child.age": .int(9), "plan.cost": .decimal(Decimal(string: "1234.50")!),
                "request.urgent": .bool(true), "request.received": .date(day), "request.at": .datetime(at),
                "request.window": .duration(StatutoryDuration(count: 6, unit: .weeks)), "needs": .list([.string("speech"), .int(2)]),
            ],
            participants: CaseParticipants(["parent": ["person:p-1", "person:p-2"], "school": ["organisation:hillside-primary"]]),
            forms: [
                FormInstance(
                    id: "professional-advice-1", form: "professional-advice", formVersion: 2, recipientRole: "health", recipientID: "organisation:nhs",
                    status: .rejected, fields: ["advice.summary": .string("see report")], dueOn: CalendarDate("2025-09-29")!, submissions: 1,
                    informationRequired: "the report's date"),
                FormInstance(
                    id: "school-advice-1", form: "school-advice", formVersion: 1, recipientRole: "school", recipientID: nil, status: .shared,
                    fields: [:], dueOn: CalendarDate("2025-09-29")!, submissions: 0, informationRequired: nil),
            ],
            openedAt: at, updatedAt: at.addingTimeInterval(86_400), auditHead: "ab12cd34", deadlines: [clock],
            grants: [
                AccessGrant(to: .person("p-1"), level: "full"),
                AccessGrant(to: .organisation("hillside-primary"), level: "limited", sections: ["ehcp.A"], from: day, until: CalendarDate("2026-09-01")!,
                            grantedBy: "officer-1", reason: "school contributes"),
            ],
            definitionSnapshot: "snap-9f", noticesSent: [NoticeSent(message: "CASE-1/3/1", sentBy: "officer-1", route: "post", sentOn: day)],
            child: "CHILD-1")
        record.links = [CaseLink(name: "plan", caseID: "CASE-2", workflow: "ehcp", role: .opened)]
        return record
    }

    /// The stored bytes of ``rich()`` as `main` wrote them before the record kept its parts in a shared box.
    static let richJSON = #"""
        {"auditHead":"ab12cd34","child":"CHILD-1","deadlines":[{"dueOn":"2025-10-13","earlier":[{"dueOn":"2025-02-17","metOn":"2025-02-10","name":"assessment","pausedDays":0,"remindersSent":[],"startedOn":"2025-01-06","status":"met"}],"name":"assessment","pausedDays":0,"reason":"family holiday","remindersSent":[0],"startedOn":"2025-09-01","status":"running"}],"definitionSnapshot":"snap-9f","fields":{"child.age":{"int":9},"child.name":{"string":"Ada \"A\" / Lovelace"},"needs":{"list":[{"string":"speech"},{"int":2}]},"plan.cost":{"decimal":"1234.5"},"request.at":{"datetime":1756713600.5},"request.received":{"date":"2025-09-01"},"request.urgent":{"bool":true},"request.window":{"duration":"6 weeks"}},"forms":[{"dueOn":"2025-09-29","fields":{"advice.summary":{"string":"see report"}},"form":"professional-advice","formVersion":2,"id":"professional-advice-1","informationRequired":"the report's date","recipientID":"organisation:nhs","recipientRole":"health","status":"rejected","submissions":1},{"dueOn":"2025-09-29","fields":{},"form":"school-advice","formVersion":1,"id":"school-advice-1","recipientRole":"school","status":"shared","submissions":0}],"grants":[{"level":"full","to":"p-1"},{"from":"2025-09-01","grantedBy":"officer-1","level":"limited","reason":"school contributes","sections":["ehcp.A"],"to":"organisation:hillside-primary","until":"2026-09-01"}],"id":"CASE-1","links":[{"case":"CASE-2","name":"plan","role":"opened","workflow":"ehcp"}],"noticesSent":[{"message":"CASE-1/3/1","route":"post","sentBy":"officer-1","sentOn":"2025-09-01"}],"openedAt":1756713600.5,"participants":{"parent":["person:p-1","person:p-2"],"school":["organisation:hillside-primary"]},"revision":7,"state":"assessing","updatedAt":1756800000.5,"workflow":"ehc-needs-assessment","workflowVersion":3}
        """#

    /// Every member, compared one by one: what `==` must agree with.
    static func sameMembers(_ a: CaseRecord, _ b: CaseRecord) -> Bool {
        a.id == b.id && a.workflow == b.workflow && a.workflowVersion == b.workflowVersion && a.state == b.state && a.revision == b.revision
            && a.fields == b.fields && a.participants == b.participants && a.forms == b.forms && a.openedAt == b.openedAt
            && a.updatedAt == b.updatedAt && a.auditHead == b.auditHead && a.deadlines == b.deadlines && a.grants == b.grants
            && a.definitionSnapshot == b.definitionSnapshot && a.noticesSent == b.noticesSent && a.child == b.child && a.links == b.links
    }

    /// The hash of every member combined in declaration order: what a synthesized `Hashable` hashed, so sets and
    /// dictionaries of records hash as they did.
    static func memberHash(_ record: CaseRecord) -> Int {
        var hasher = Hasher()
        hasher.combine(record.id)
        hasher.combine(record.workflow)
        hasher.combine(record.workflowVersion)
        hasher.combine(record.state)
        hasher.combine(record.revision)
        hasher.combine(record.fields)
        hasher.combine(record.participants)
        hasher.combine(record.forms)
        hasher.combine(record.openedAt)
        hasher.combine(record.updatedAt)
        hasher.combine(record.auditHead)
        hasher.combine(record.deadlines)
        hasher.combine(record.grants)
        hasher.combine(record.definitionSnapshot)
        hasher.combine(record.noticesSent)
        hasher.combine(record.child)
        hasher.combine(record.links)
        return hasher.finalize()
    }

    /// One change to every mutable member, the nested ones made in place through the record.
    static let changes: [(name: String, change: @Sendable (inout CaseRecord) -> Void)] = [
        ("id", { $0.id = "CASE-9" }),
        ("workflow", { $0.workflow = "other" }),
        ("workflowVersion", { $0.workflowVersion += 1 }),
        ("state", { $0.state = "deciding" }),
        ("revision", { $0.revision += 1 }),
        ("fields set", { $0.fields["child.name"] = .string("Grace") }),
        ("fields added", { $0.fields["new.field"] = .int(1) }),
        ("fields removed", { $0.fields.removeValue(forKey: "needs") }),
        ("participants", { $0.participants.add(.person("p-3"), as: "parent") }),
        ("form status", { $0.forms[0].status = .accepted }),
        ("form answer", { $0.forms[1].fields["advice.summary"] = .string("attached") }),
        ("forms appended", { $0.forms.append($0.forms[0]) }),
        ("openedAt", { $0.openedAt = $0.openedAt.addingTimeInterval(1) }),
        ("updatedAt", { $0.updatedAt = $0.updatedAt.addingTimeInterval(1) }),
        ("auditHead", { $0.auditHead = "ef56" }),
        ("deadline status", { $0.deadlines[0].status = .paused }),
        ("deadline reminder", { $0.deadlines[0].remindersSent.append(1) }),
        ("deadline earlier run", { $0.deadlines[0].earlier[0].status = .breached }),
        ("deadlines removed", { $0.deadlines.removeAll() }),
        ("grant level", { $0.grants[1].level = "full" }),
        ("grant sections", { $0.grants[1].sections?.append("case.state") }),
        ("grants appended", { $0.grants.append(AccessGrant(to: .person("p-2"), level: "full")) }),
        ("definitionSnapshot", { $0.definitionSnapshot = nil }),
        ("noticesSent", { $0.noticesSent[0].route = "email" }),
        ("child", { $0.child = "CHILD-2" }),
        ("links", { $0.links[0].role = .openedBy }),
        ("links cleared", { $0.links = [] }),
    ]

    @Test func storedBytesAreUnchanged() throws {
        let record = Self.rich()
        #expect(String(decoding: StoredJSON.encoderBytes(record), as: UTF8.self) == Self.richJSON)
        #expect(String(decoding: StoredJSON.encode(record), as: UTF8.self) == Self.richJSON)
        #expect(try StoredJSON.decode(CaseRecord.self, from: Data(Self.richJSON.utf8)) == record)
        #expect(try StoredJSON.decoderValue(CaseRecord.self, from: Data(Self.richJSON.utf8)) == record)
    }

    @Test func decodingRoundTrips() throws {
        var bare = Self.rich()
        bare.links = []
        bare.child = nil
        bare.definitionSnapshot = nil
        bare.noticesSent = []
        for record in [Self.rich(), bare] {
            let bytes = StoredJSON.encode(record)
            let read = try StoredJSON.decode(CaseRecord.self, from: bytes)
            #expect(read == record && Self.sameMembers(read, record))
            #expect(StoredJSON.encode(read) == bytes)
            #expect(try StoredJSON.decoderValue(CaseRecord.self, from: bytes) == record)
        }
    }

    @Test func aChangedCopyLeavesTheOriginal() {
        for (name, change) in Self.changes {
            let original = Self.rich()
            let before = StoredJSON.encode(original)
            var copy = original
            change(&copy)
            #expect(StoredJSON.encode(original) == before, "\(name)")
            #expect(Self.sameMembers(original, Self.rich()), "\(name)")
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
            #expect(copy != original, "\(name)")
        }
    }

    @Test func equalityAndHashAreTheMembers() {
        let rich = Self.rich()
        #expect(rich == Self.rich())
        #expect(rich.hashValue == Self.rich().hashValue)
        #expect(rich.hashValue == Self.memberHash(rich))
        for (name, change) in Self.changes {
            var changed = rich
            change(&changed)
            #expect((changed == rich) == Self.sameMembers(changed, rich), "\(name)")
            #expect(changed.hashValue == Self.memberHash(changed), "\(name)")
            // Made equal again member by member, through a different path than the copy it came from.
            var rebuilt = Self.rich()
            for member in [\CaseRecord.id, \.workflow, \.state, \.auditHead] { rebuilt[keyPath: member] = changed[keyPath: member] }
            rebuilt.workflowVersion = changed.workflowVersion
            rebuilt.revision = changed.revision
            rebuilt.fields = changed.fields
            rebuilt.participants = changed.participants
            rebuilt.forms = changed.forms
            rebuilt.openedAt = changed.openedAt
            rebuilt.updatedAt = changed.updatedAt
            rebuilt.deadlines = changed.deadlines
            rebuilt.grants = changed.grants
            rebuilt.definitionSnapshot = changed.definitionSnapshot
            rebuilt.noticesSent = changed.noticesSent
            rebuilt.child = changed.child
            rebuilt.links = changed.links
            #expect(rebuilt == changed && Self.sameMembers(rebuilt, changed), "\(name)")
            #expect(rebuilt.hashValue == changed.hashValue, "\(name)")
            #expect(Set([rebuilt, changed, rich]).count == 2, "\(name)")
        }
    }

    /// Reflection shows the record's members, as it did when they were stored properties, not the box holding them: the
    /// text `"\(record)"` makes (which the access matrix searches for leaked names) has every part.
    @Test func reflectionShowsTheMembers() {
        let record = Self.rich()
        let labels = Mirror(reflecting: record).children.map(\.label)
        #expect(labels == [
            "id", "workflow", "workflowVersion", "state", "revision", "fields", "participants", "forms", "openedAt", "updatedAt", "auditHead",
            "deadlines", "grants", "definitionSnapshot", "noticesSent", "child", "links",
        ])
        let text = "\(record)"
        #expect(text.hasPrefix(#"CaseRecord(id: "CASE-1", workflow: "ehc-needs-assessment", workflowVersion: 3, state: "assessing", revision: 7, fields: ["#))
        #expect(text.contains(#"definitionSnapshot: Optional("snap-9f")"#) && text.contains(#"child: Optional("CHILD-1")"#))
        #expect(text.contains("Ada") && text.contains("professional-advice-1") && text.contains("hillside-primary") && text.contains("CASE-2"))
        #expect(!text.contains("Storage"))
    }

    /// A change to a clock or a form of a record held once is made in the record's own list, not a copy of it.
    @Test func aRecordHeldOnceChangesInPlace() {
        var record = Self.rich()
        let deadlines = record.deadlines.withUnsafeBufferPointer { $0.baseAddress }
        let forms = record.forms.withUnsafeBufferPointer { $0.baseAddress }
        record.deadlines[0].status = .met
        record.forms[0].status = .accepted
        #expect(record.deadlines.withUnsafeBufferPointer { $0.baseAddress } == deadlines)
        #expect(record.forms.withUnsafeBufferPointer { $0.baseAddress } == forms)
        #expect(record.deadlines[0].status == .met && record.forms[0].status == .accepted)
    }
}
