import CaseworkCommandLine
@testable import CaseworkDefinitions
@testable import CaseworkEngine
@testable import CaseworkExpressions
import CaseworkSQLite
@testable import CaseworkStore
@testable import CaseworkTime
import Foundation
import Testing

/// The one door, tried as an attacker and an auditor would: every read and change passes the case's
/// policy after identity, a refused person learns nothing, input is only what a step declares, keys
/// belong to their actor and their request, and every refusal carries a code a caller can branch on.
@Suite("One door: every read and change through the policy")
struct OneDoorTests {
    static let workflow = """
        workflow: door
        version: 1
        title: Door
        policy: portal
        roles: [parent, caseworker, school]
        input: { requested_on: required, child.first_name: optional, child.address: optional }
        fields:
          requested_on: date
          decision_reasons: text
          parent_comment: text
          child: { first_name: string, address: string }
        states:
          open: { initial: true, title: Request received }
          deciding: { title: Deciding }
          closed: { title: Closed, final: true }
        transitions:
          - name: comment
            from: [open, deciding]
            to: deciding
            by: [parent]
            input: { parent_comment: required }
            notify: [{ to: [parent, school], template: commented }]
          - name: decide
            from: deciding
            to: closed
            by: [caseworker]
            input: { decision_reasons: required }
        templates:
          commented: { subject: "Case {{ case.id }}: a comment", body: "About {{ child.first_name }}: {{ parent_comment }}" }

        """

    static let policy = """
        policy: portal
        version: 1
        title: Portal
        actor:
          second_factor_verified: bool
          relationship: { one_of: [parent, professional, caseworker] }
        levels: [full, limited, none]
        resources:
          case: [state, deadlines, fields]
          advice_form: [content]
        rules:
          - { id: second-factor, deny: [all], when: not actor.second_factor_verified, reason: "Sign in with your emailed code." }
          - { id: withdrawn, deny: [all], when: grant.level == "none", reason: "Your access to this case has been withdrawn." }
          - { id: staff, allow: [all], when: actor.relationship == "caseworker" }
          - { id: families-open, allow: [open], on: [case], when: actor.relationship == "parent" }
          - { id: parents, allow: [view, submit], on: [case], when: actor.relationship == "parent" and grant.level == "full" }
          - { id: limited, allow: [view], on: [case.state, case.deadlines], when: grant.level == "limited" }
          - { id: professionals, allow: [view], on: [case.state], when: actor.relationship == "professional" and grant.level == "full" }
        recipients:
          parent: { relationship: parent, second_factor_verified: "true" }
          school: { relationship: professional, second_factor_verified: "true" }
          caseworker: { relationship: caseworker, second_factor_verified: "true" }

        """

    static let staff: [String: ExpressionValue] = ["relationship": .string("caseworker"), "second_factor_verified": .bool(true)]
    static let family: [String: ExpressionValue] = ["relationship": .string("parent"), "second_factor_verified": .bool(true)]
    static let professional: [String: ExpressionValue] = ["relationship": .string("professional"), "second_factor_verified": .bool(true)]
    static let caseworker = CaseActor(role: "caseworker", id: "ana")
    static let fullParent = CaseActor(role: "parent", id: "jo")
    static let limitedParent = CaseActor(role: "parent", id: "lee")
    static let noneParent = CaseActor(role: "parent", id: "max")
    static let stranger = CaseActor(role: "parent", id: "stranger")

    static func engine(store: any CaseStore = InMemoryCaseStore()) throws -> Engine {
        let catalog = try DefinitionCatalog.load(sources: [(file: "door.yaml", text: workflow), (file: "portal.yaml", text: policy)])
        return try Engine(catalog: catalog, store: store, clock: ManualClock(EngineFixtures.start))
    }

    /// Case `c1`, opened by the full parent, with grants for the three parents and the school `hill`.
    static func openCase(_ engine: Engine) throws {
        _ = try engine.open(workflow: "door", as: fullParent, caseID: "c1", fields: [
            "requested_on": .date(CalendarDate("2025-09-01")!), "child.first_name": .string("Sam"), "child.address": .string("12 Secret Lane"),
        ], participants: ["parent": "jo", "school": "organisation:hill"], attributes: family)
        for (principal, level) in [(Principal.person("jo"), "full"), (.person("lee"), "limited"), (.person("max"), "none"), (.organisation("hill"), "full")] {
            _ = try engine.grantAccess(caseID: "c1", grant: AccessGrant(to: principal, level: level), as: caseworker, attributes: staff, reason: "decided")
        }
    }

    /// Every way of reading a case, by one actor.
    static func reads(_ engine: Engine, _ caseID: String, as actor: CaseActor, _ attributes: [String: ExpressionValue]) -> [String: Result<String, EngineError>] {
        func run(_ body: () throws(EngineError) -> String) -> Result<String, EngineError> {
            do { return .success(try body()) } catch { return .failure(error) }
        }
        return [
            "record": run { () throws(EngineError) in "\(try engine.caseRecord(caseID, as: actor, attributes: attributes))" },
            "view": run { () throws(EngineError) in "\(try engine.view(caseID: caseID, as: actor, attributes: attributes))" },
            "history": run { () throws(EngineError) in "\(try engine.history(caseID, as: actor, attributes: attributes))" },
            "transitions": run { () throws(EngineError) in "\(try engine.availableTransitions(caseID: caseID, as: actor, attributes: attributes))" },
            "outbox": run { () throws(EngineError) in "\(try engine.outbox(caseID: caseID, as: actor, attributes: attributes))" },
            "verify": run { () throws(EngineError) in "\(try engine.verifyAudit(caseID, as: actor, attributes: attributes))" },
        ]
    }

    @Test func aParentMayNotSetFieldsTheirStepDoesNotDeclare() throws {
        let store = InMemoryCaseStore()
        let engine = try Self.engine(store: store)
        try Self.openCase(engine)
        let before = try EngineFixtures.Snapshot(store, caseID: "c1")
        #expect {
            try engine.fire(FireRequest(caseID: "c1", transition: "comment", actor: Self.fullParent, input: [
                "parent_comment": .string("ok"), "decision_reasons": .string("edited by parent"), "child.first_name": .string("Other"),
            ], attributes: Self.family))
        } throws: { error in
            guard case EngineError.invalidInput(let problems) = error else { return false }
            return problems.map(\.field) == ["child.first_name", "decision_reasons"] && (error as? EngineError)?.code == .invalidInput
        }
        #expect(try EngineFixtures.Snapshot(store, caseID: "c1") == before)
        #expect {
            try engine.open(workflow: "door", as: Self.fullParent, caseID: "c2", fields: [
                "requested_on": .date(CalendarDate("2025-09-01")!), "decision_reasons": .string("decided already"),
            ], attributes: Self.family)
        } throws: { error in
            guard case EngineError.invalidInput(let problems) = error else { return false }
            return problems.map(\.field) == ["decision_reasons"]
        }
        #expect { try engine.open(workflow: "door", as: Self.fullParent, caseID: "c3", attributes: Self.family) } throws: { error in
            guard case EngineError.invalidInput(let problems) = error else { return false }
            return problems.map(\.field) == ["requested_on"]
        }
    }

    @Test(arguments: [("none", noneParent), ("stranger", stranger)])
    func aRefusedPersonLearnsNothingNotEvenWhetherTheCaseExists(label: String, actor: CaseActor) throws {
        let engine = try Self.engine()
        try Self.openCase(engine)
        let existing = Self.reads(engine, "c1", as: actor, Self.family)
        let missing = Self.reads(engine, "no-such-case", as: actor, Self.family)
        for (read, result) in existing {
            guard case .failure(let error) = result else {
                Issue.record("\(label) could \(read) the case")
                continue
            }
            #expect(error.code == .forbidden, "\(label) \(read)")
            let text = "\(error)"
            for secret in ["Sam", "open", "Request received", "door", "revision"] {
                #expect(!text.contains(secret), "\(label) \(read) refusal shows '\(secret)': \(text)")
            }
            if label == "stranger", case .failure(let other)? = missing[read] {
                #expect("\(other)" == text, "a missing case is refused exactly as a case that is not theirs (\(read))")
            }
        }
        #expect(try engine.cases(visibleTo: actor, attributes: Self.family).isEmpty)
        #expect(throws: EngineError.self) {
            try engine.fire(FireRequest(caseID: "c1", transition: "comment", actor: actor, input: ["parent_comment": .string("x")], attributes: Self.family))
        }
    }

    @Test func onlyThoseLetInAreToldACaseDoesNotExist() throws {
        let engine = try Self.engine()
        #expect { try engine.view(caseID: "nope", as: Self.caseworker, attributes: Self.staff) } throws: { ($0 as? EngineError)?.code == .notFound }
        #expect { try engine.view(caseID: "nope", as: .operator(), attributes: [:]) } throws: { ($0 as? EngineError)?.code == .notFound }
        #expect { try engine.view(caseID: "nope", as: Self.stranger, attributes: Self.family) } throws: { ($0 as? EngineError)?.code == .forbidden }
        #expect { try engine.view(caseID: "nope", as: Self.stranger, attributes: ["relationship": .string("parent")]) } throws: { error in
            "\(error)" == "you may not do this: Sign in with your emailed code."
        }
    }

    @Test func blockersShowTheStateOnlyToThoseWhoMaySeeIt() throws {
        let engine = try Self.engine()
        try Self.openCase(engine)
        let full = try engine.availableTransitions(caseID: "c1", as: Self.fullParent, attributes: Self.family)
        #expect(full.first { $0.name == "decide" }?.blockers.first?.message == "case is in 'open', not 'deciding'")
        let limited = try engine.availableTransitions(caseID: "c1", as: Self.limitedParent, attributes: Self.family)
        #expect(limited.allSatisfy { !$0.blockers.isEmpty }, "a limited parent may not act")
    }

    @Test func keysBelongToTheirActorAndTheirRequest() throws {
        let store = InMemoryCaseStore()
        let engine = try Self.engine(store: store)
        try Self.openCase(engine)
        let first = try engine.fire(FireRequest(caseID: "c1", transition: "comment", actor: Self.fullParent, input: ["parent_comment": .string("a")],
                                                idempotencyKey: "k1", attributes: Self.family))
        #expect(!first.replayed)
        let again = try engine.fire(FireRequest(caseID: "c1", transition: "comment", actor: Self.fullParent, input: ["parent_comment": .string("a")],
                                                idempotencyKey: "k1", attributes: Self.family))
        #expect(again.replayed)
        let before = try EngineFixtures.Snapshot(store, caseID: "c1")
        #expect {
            try engine.fire(FireRequest(caseID: "c1", transition: "comment", actor: Self.fullParent, input: ["parent_comment": .string("b")],
                                        idempotencyKey: "k1", attributes: Self.family))
        } throws: { ($0 as? EngineError)?.code == .conflict }
        #expect(try EngineFixtures.Snapshot(store, caseID: "c1") == before, "the same key with another request changes nothing")
        #expect {
            try engine.fire(FireRequest(caseID: "c1", transition: "comment", actor: Self.noneParent, input: ["parent_comment": .string("a")],
                                        idempotencyKey: "k1", attributes: Self.family))
        } throws: { ($0 as? EngineError)?.code == .forbidden }
        let other = try engine.fire(FireRequest(caseID: "c1", transition: "decide", actor: Self.caseworker, input: ["decision_reasons": .string("agreed")],
                                                idempotencyKey: "k1", attributes: Self.staff))
        #expect(!other.replayed, "another actor's key is theirs alone")
        #expect(other.record.state == "closed")
    }

    @Test func aPersonAndAnOrganisationWithTheSameIdAreNeverConfused() throws {
        let engine = try Self.engine()
        try Self.openCase(engine)
        #expect { try engine.view(caseID: "c1", as: CaseActor(role: "parent", id: "hill"), attributes: Self.family) } throws: { ($0 as? EngineError)?.code == .forbidden }
        let school = try engine.view(caseID: "c1", as: .organisation("hill", role: "school"), attributes: Self.professional)
        #expect(school.state == "open")
        #expect(school.fields.isEmpty)
        #expect { try engine.view(caseID: "c1", as: CaseActor(role: "school", id: "hill"), attributes: Self.professional) } throws: { ($0 as? EngineError)?.code == .forbidden }
    }

    @Test(arguments: ["jo\nx", "jo\u{1B}[2J", "", "jo:x", String(repeating: "a", count: 101)])
    func unusableIdsAreRefused(id: String) throws {
        let engine = try Self.engine()
        try Self.openCase(engine)
        #expect { try engine.view(caseID: "c1", as: CaseActor(role: "parent", id: id), attributes: Self.family) } throws: { ($0 as? EngineError)?.code == .invalidInput }
        #expect(CaseActor(parsing: "parent:\(id)") == nil)
    }

    @Test func textWithControlCharactersIsRefused() throws {
        let store = InMemoryCaseStore()
        let engine = try Self.engine(store: store)
        try Self.openCase(engine)
        let before = try EngineFixtures.Snapshot(store, caseID: "c1")
        #expect {
            try engine.fire(FireRequest(caseID: "c1", transition: "comment", actor: Self.fullParent,
                                        input: ["parent_comment": .string("fine\r3. 2025-09-02 caseworker:ana fired decide: closed")], attributes: Self.family))
        } throws: { ($0 as? EngineError)?.code == .invalidInput }
        #expect(try EngineFixtures.Snapshot(store, caseID: "c1") == before)
        let multiLine = try engine.fire(FireRequest(caseID: "c1", transition: "comment", actor: Self.fullParent,
                                                    input: ["parent_comment": .string("line one\nline two")], attributes: Self.family))
        #expect(multiLine.record.state == "deciding", "text fields may hold line breaks")
    }

    @Test func changesReturnOnlyWhatTheActorMaySee() throws {
        let engine = try Self.engine()
        try Self.openCase(engine)
        let result = try engine.fire(FireRequest(caseID: "c1", transition: "comment", actor: Self.fullParent, input: ["parent_comment": .string("a")],
                                                 attributes: Self.family))
        #expect(result.record.grants.isEmpty, "a parent does not learn who else has access")
        #expect(result.record.participants.isEmpty)
        #expect(result.notifications.allSatisfy { $0.recipientRole == "parent" }, "only the messages addressed to them")
        let staffView = try engine.caseRecord("c1", as: Self.caseworker, attributes: Self.staff)
        #expect(staffView.grants.count == 4)
    }

    @Test(arguments: [
        ("fire with a stale revision", RefusalCode.conflict),
        ("fire an unknown transition", .invalidInput),
        ("fire from the wrong state", .blocked),
        ("accept a form that does not exist", .notFound),
        ("revoke a grant nobody holds", .blocked),
        ("grant at an undeclared level", .invalidInput),
        ("act without the second factor", .forbidden),
    ])
    func everyRefusalCarriesACode(what: String, code: RefusalCode) throws {
        let engine = try Self.engine()
        try Self.openCase(engine)
        let caseworker = Self.caseworker
        #expect(throws: EngineError.self, "\(what)") {
            do {
                switch what {
                case "fire with a stale revision":
                    _ = try engine.fire(FireRequest(caseID: "c1", transition: "comment", actor: Self.fullParent, input: ["parent_comment": .string("a")],
                                                    expectedRevision: 1, attributes: Self.family))
                case "fire an unknown transition": _ = try engine.fire(FireRequest(caseID: "c1", transition: "comentt", actor: caseworker, attributes: Self.staff))
                case "fire from the wrong state":
                    _ = try engine.fire(FireRequest(caseID: "c1", transition: "decide", actor: caseworker, input: ["decision_reasons": .string("x")], attributes: Self.staff))
                case "accept a form that does not exist": _ = try engine.acceptForm(caseID: "c1", instance: "advice-9", as: caseworker, attributes: Self.staff)
                case "revoke a grant nobody holds":
                    _ = try engine.revokeAccess(caseID: "c1", to: .person("nobody"), as: caseworker, attributes: Self.staff, reason: "x")
                case "grant at an undeclared level":
                    _ = try engine.grantAccess(caseID: "c1", grant: AccessGrant(to: .person("x"), level: "ful"), as: caseworker, attributes: Self.staff, reason: "x")
                default: _ = try engine.view(caseID: "c1", as: caseworker, attributes: ["relationship": .string("caseworker"), "second_factor_verified": .bool(false)])
                }
            } catch {
                #expect((error as? EngineError)?.code == code, "\(what): \(error)")
                throw error
            }
        }
    }

    @Test func grantsAreDecidedByTheCasesOwnPolicyWhenTheSetHoldsSeveral() throws {
        let other = Self.policy.replacingOccurrences(of: "policy: portal", with: "policy: other")
            .replacingOccurrences(of: "levels: [full, limited, none]", with: "levels: [full, limited, none, observer]")
        let second = Self.workflow.replacingOccurrences(of: "workflow: door", with: "workflow: other-door").replacingOccurrences(of: "policy: portal", with: "policy: other")
        let catalog = try DefinitionCatalog.load(sources: [(file: "door.yaml", text: Self.workflow), (file: "portal.yaml", text: Self.policy),
                                                          (file: "other-door.yaml", text: second), (file: "other.yaml", text: other)])
        let engine = try Engine(catalog: catalog, store: InMemoryCaseStore(), clock: ManualClock(EngineFixtures.start))
        _ = try engine.open(workflow: "other-door", as: Self.caseworker, caseID: "o1", fields: ["requested_on": .date(CalendarDate("2025-09-01")!)], attributes: Self.staff)
        let granted = try engine.grantAccess(caseID: "o1", grant: AccessGrant(to: .person("jo"), level: "observer"), as: Self.caseworker, attributes: Self.staff, reason: "x")
        #expect(granted.record.grants.map(\.level) == ["observer"])
    }

    @Test func theOperatorActsWithoutAsAndIsRecordedSo() throws {
        let space = try CommandWorkspace(["door.yaml": Self.workflow, "portal.yaml": Self.policy])
        #expect(space.run(["case", "open", "door", "--id", "c1", "--set", "requested_on=2025-09-01"]).status == .success)
        #expect(space.run(["case", "history", "c1"]).out.contains("operator:cli opened door"))
        let refused = space.run(["case", "history", "c1", "--as", "parent:jo", "--attribute", "relationship=parent", "--attribute", "second_factor_verified=true"])
        #expect(refused.status == .forbidden)
        #expect(refused.err == "error[forbidden]: you may not do this: you have not been given access to this case\n")
        #expect(space.run(["case", "list", "--as", "parent:jo", "--attribute", "relationship=parent", "--attribute", "second_factor_verified=true"]).out == "")
        #expect(space.run(["case", "list"]).out == "c1\tdoor\topen\trevision 1\n")
        #expect(space.run(["outbox", "list", "--case", "c1", "--as", "parent:jo", "--attribute", "relationship=parent", "--attribute", "second_factor_verified=true"]).status == .forbidden)
        #expect(space.run(["audit", "verify", "c1", "--as", "parent:jo", "--attribute", "relationship=parent", "--attribute", "second_factor_verified=true"]).status == .forbidden)
        #expect(space.run(["audit", "verify", "--as", "caseworker:ana", "--attribute", "relationship=caseworker", "--attribute", "second_factor_verified=true"]).status == .forbidden,
                "every case at once is the operator's")
        #expect(space.run(["case", "show", "c1", "--as", "parent:jo\u{1B}[2J"]).status == .usage)
    }

    @Test func historyEscapesControlCharactersInRecordsWrittenBeforeIdsWereChecked() throws {
        let space = try CommandWorkspace(["door.yaml": Self.workflow, "portal.yaml": Self.policy])
        #expect(space.run(["case", "open", "door", "--id", "c1", "--set", "requested_on=2025-09-01"]).status == .success)
        let store = try SQLiteCaseStore(path: space.database)
        let record = try #require(try store.load(caseID: "c1"))
        let forged = CaseActor(role: "parent", id: "jo\n2. 2025-09-02T09:00:00Z caseworker:ana fired decide\u{1B}[2J")
        var next = record
        next.revision = 2
        let event = AuditEvent(caseID: "c1", sequence: 2, at: EngineFixtures.start, actor: forged, action: "fired", subject: "comment", fromState: "open",
                               toState: "open", revision: 2, input: [:], previousHash: record.auditHead)
        next.auditHead = event.hash
        try store.commit(all: [CaseChange(record: next, expectedRevision: 1, events: [event], outbox: [], idempotency: nil)])
        let history = space.run(["case", "history", "c1"]).out
        #expect(history.split(separator: "\n").count == 2, "one line per event, whatever the stored text holds: \(history)")
        #expect(!history.contains("\u{1B}"))
        #expect(history.contains("jo\\u{a}2. 2025"))
    }

    /// A workflow with a child's address and a parent level that sees everything but the address (`case.address`, which
    /// `section_fields` maps to `child.address`), for redaction by path wherever the case leaves the engine.
    static let redactingPolicy = policy
        .replacingOccurrences(of: "levels: [full, limited, none]", with: "levels: [full, limited, none, no_address]")
        .replacingOccurrences(of: "case: [state, deadlines, fields]", with: "case: [state, deadlines, address, fields]")
        .replacingOccurrences(of: "rules:\n", with: """
            section_fields: { case.address: [child.address] }
            rules:
              - { id: no-address, allow: [view, submit, grant], on: [case], when: actor.relationship == "parent" and grant.level == "no_address", redact: [case.address] }

            """)
    static let addressTemplate = workflow.replacingOccurrences(of: "About {{ child.first_name }}: {{ parent_comment }}",
                                                               with: "About {{ child.first_name }} at {{ child.address }}: {{ parent_comment }}")

    @Test func aRedactionHidesItsPathWhereverTheCaseLeavesTheEngine() throws {
        let catalog = try DefinitionCatalog.load(sources: [(file: "door.yaml", text: Self.addressTemplate), (file: "portal.yaml", text: Self.redactingPolicy)])
        let engine = try Engine(catalog: catalog, store: InMemoryCaseStore(), clock: ManualClock(EngineFixtures.start))
        let parent = CaseActor(role: "parent", id: "kim")
        _ = try engine.open(workflow: "door", as: Self.caseworker, caseID: "c1", fields: [
            "requested_on": .date(CalendarDate("2025-09-01")!), "child.first_name": .string("Sam"), "child.address": .string("12 Secret Lane"),
        ], participants: ["parent": "kim"], attributes: Self.staff)
        _ = try engine.grantAccess(caseID: "c1", grant: AccessGrant(to: .person("kim"), level: "no_address"), as: Self.caseworker, attributes: Self.staff, reason: "court order")
        let view = try engine.view(caseID: "c1", as: parent, attributes: Self.family)
        #expect(view.fields["child.first_name"] == .string("Sam"))
        #expect(view.fields["child.address"] == nil)
        #expect(view.withheld.contains("case.address"))
        let fired = try engine.fire(FireRequest(caseID: "c1", transition: "comment", actor: parent, input: ["parent_comment": .string("hello")], attributes: Self.family))
        #expect(fired.record.fields["child.address"] == nil, "the change's result withholds it too")
        let message = try #require(fired.notifications.first { $0.recipientRole == "parent" })
        #expect(message.body == "About Sam at (withheld): hello")
        let history = try engine.history("c1", as: parent, attributes: Self.family)
        #expect(history.first?.change?.setFields["child.first_name"] == .string("Sam"), "the history shows what may be seen")
        let everything = "\(view) \(fired) \(try engine.timeline(caseID: "c1", as: parent, attributes: Self.family)) \(history)"
        #expect(!everything.contains("Secret Lane"))
    }

    @Test func grantsTakeAKeyBoundToTheirRequest() throws {
        let space = try CommandWorkspace(["door.yaml": Self.workflow, "portal.yaml": Self.policy])
        #expect(space.run(["case", "open", "door", "--id", "c1", "--set", "requested_on=2025-09-01"]).status == .success)
        let staff = ["--as", "caseworker:ana", "--attribute", "relationship=caseworker", "--attribute", "second_factor_verified=true"]
        let grant = ["access", "grant", "c1", "--to", "jo", "--level", "full", "--reason", "checked", "--key", "g1"] + staff
        #expect(space.run(grant).out == "c1: person:jo has full access (revision 2)\n")
        #expect(space.run(grant).out == "c1: person:jo has full access (revision 2) (already done with this key; nothing changed)\n")
        let other = space.run(["access", "grant", "c1", "--to", "jo", "--level", "limited", "--reason", "checked", "--key", "g1"] + staff)
        #expect(other.status == .conflict)
        #expect(other.err.hasPrefix("error[conflict]: key 'g1' was already used for a different request"))
        #expect(space.run(["case", "history", "c1"]).out.split(separator: "\n").count == 2, "nothing changed")
    }

    @Test func aRefusedOpeningWritesNothingAtAll() throws {
        let store = InMemoryCaseStore()
        let engine = try Self.engine(store: store)
        #expect(throws: EngineError.self) {
            try engine.open(workflow: "door", as: Self.stranger, caseID: "c9", fields: ["requested_on": .date(CalendarDate("2025-09-01")!)],
                            attributes: ["relationship": .string("parent"), "second_factor_verified": .bool(false)])
        }
        #expect(try store.snapshots().isEmpty, "not even the definition snapshot a case would have pinned")
        #expect(try store.caseIDs().isEmpty)
        _ = try engine.open(workflow: "door", as: Self.fullParent, caseID: "c1", fields: ["requested_on": .date(CalendarDate("2025-09-01")!)],
                            attributes: Self.family)
        #expect(try store.snapshots().count == 1, "an opened case pins the set it runs on")
    }
}
