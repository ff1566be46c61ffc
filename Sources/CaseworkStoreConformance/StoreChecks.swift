import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

extension StoreConformance {
    /// The store's own promises: round trips, revision compare-and-set, atomic single- and multi-case commits,
    /// idempotency records, outbox claims and leases, definitions and snapshots, the due index, concurrency.
    static let storeChecks: [Check] = [
        Check("a committed change reads back exactly") { makeStore, expect in
            let store = try makeStore()
            let first = try Fixture.open(store, "c1")
            expect.equal(try store.load(caseID: "c1"), Fixture.record("c1", head: first.hash), "the record")
            expect.equal(try store.history(caseID: "c1"), [first], "the history")
            expect.equal(try store.outbox(caseID: "c1"), [Fixture.message("c1/1/1", case: "c1")], "the outbox")
            expect.equal(try store.load(caseID: "nope"), nil, "a missing case")
            expect.equal(try store.caseIDs(), ["c1"], "the case ids")
            let second = Fixture.event("c1", 2, previous: first.hash)
            let key = IdempotencyRecord(key: "k", caseID: "c1", request: "fire t on c1", state: "deciding", revision: 2)
            try store.commit(CaseChange(record: Fixture.record("c1", revision: 2, state: "deciding", head: second.hash), expectedRevision: 1,
                                        events: [second], outbox: [], idempotency: key))
            expect.equal(try store.load(caseID: "c1")?.revision, 2, "the revision after a change")
            expect.equal(try store.history(caseID: "c1"), [first, second], "the history after a change")
            expect.equal(try store.idempotencyRecord(key: "k"), key, "the idempotency record")
            expect.equal(try store.idempotencyRecord(key: "other"), nil, "an unknown idempotency key")
            expect.equal(AuditVerification.verify(try store.history(caseID: "c1"), record: try store.load(caseID: "c1")), .chainOnly(events: 2),
                         "the audit chain")
            expect.equal(try store.snapshot(caseID: "c1"), CaseSnapshot(record: try store.load(caseID: "c1"), events: [first, second]), "the case snapshot")
            expect.equal(try store.snapshot(caseID: "nope"), CaseSnapshot(record: nil, events: []), "a missing case's snapshot")
            expect.equal(try store.auditedCaseIDs(), ["c1"], "the audited case ids")
        },
        Check("two writers from one revision: one wins, the other conflicts") { makeStore, expect in
            let store = try makeStore()
            let first = try Fixture.open(store, "c1")
            let a = Fixture.event("c1", 2, previous: first.hash)
            try store.commit(CaseChange(record: Fixture.record("c1", revision: 2, state: "a", head: a.hash), expectedRevision: 1, events: [a], outbox: [],
                                        idempotency: nil))
            let b = AuditEvent(caseID: "c1", sequence: 2, at: Fixture.at, actor: CaseActor(role: "caseworker", id: "bo"), action: "fired", subject: "u",
                               fromState: "requested", toState: "b", revision: 2, input: [:], previousHash: first.hash)
            expect.throwsStoreError(.revisionConflict(caseID: "c1", expected: 1, actual: 2), "the second writer") {
                try store.commit(CaseChange(record: Fixture.record("c1", revision: 2, state: "b", head: b.hash), expectedRevision: 1, events: [b],
                                            outbox: [], idempotency: nil))
            }
            expect.equal(try store.load(caseID: "c1")?.state, "a", "the winner's state")
            expect.equal(try store.history(caseID: "c1").count, 2, "events after the conflict")
        },
        Check("eight concurrent writers on one case: exactly one commits") { makeStore, expect in
            let store = try makeStore()
            let first = try Fixture.open(store, "c1")
            let wins = await withTaskGroup(of: Bool.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        let next = AuditEvent(caseID: "c1", sequence: 2, at: Fixture.at, actor: CaseActor(role: "caseworker", id: "w\(writer)"),
                                              action: "fired", subject: "t", fromState: "requested", toState: "s\(writer)", revision: 2, input: [:],
                                              previousHash: first.hash)
                        do {
                            try store.commit(CaseChange(record: Fixture.record("c1", revision: 2, state: "s\(writer)", head: next.hash), expectedRevision: 1,
                                                        events: [next], outbox: [Fixture.message("c1/2/1", case: "c1")], idempotency: nil))
                            return true
                        } catch {
                            return false
                        }
                    }
                }
                var wins = 0
                for await won in group where won { wins += 1 }
                return wins
            }
            expect.equal(wins, 1, "writers that committed")
            expect.equal(try store.history(caseID: "c1").count, 2, "events")
            expect.equal(try store.outbox(caseID: "c1").count, 2, "messages")
        },
        Check("a commit that fails halfway leaves nothing behind") { makeStore, expect in
            let store = try makeStore()
            let first = try Fixture.open(store, "c1")
            let before = try Fixture.Contents(store)
            let second = Fixture.event("c1", 2, previous: first.hash)
            // The new message's id repeats an existing one, so the write fails after the case row and audit row were written.
            expect.throwsStoreError(nil, "a repeated outbox id") {
                try store.commit(CaseChange(record: Fixture.record("c1", revision: 2, state: "deciding", head: second.hash), expectedRevision: 1,
                                            events: [second], outbox: [Fixture.message("c1/2/1", case: "c1"), Fixture.message("c1/1/1", case: "c1")],
                                            idempotency: IdempotencyRecord(key: "k", caseID: "c1", request: "r", state: "deciding", revision: 2)))
            }
            expect.equal(try Fixture.Contents(store), before, "the store after a failed commit")
            expect.equal(try store.idempotencyRecord(key: "k"), nil, "the failed commit's idempotency record")
            expect.throwsStoreError(nil, "a repeated audit sequence") {
                try store.commit(CaseChange(record: Fixture.record("c1", revision: 2, head: "x"), expectedRevision: 1, events: [first], outbox: [],
                                            idempotency: nil))
            }
            expect.equal(try Fixture.Contents(store), before, "the store after a repeated audit sequence")
        },
        Check("opening twice, updating a missing case and reusing an idempotency key are refused") { makeStore, expect in
            let store = try makeStore()
            try Fixture.open(store, "c1")
            expect.throwsStoreError(.caseExists("c1"), "opening twice") { try Fixture.open(store, "c1") }
            expect.throwsStoreError(.caseNotFound("c9"), "updating a missing case") {
                try store.commit(CaseChange(record: Fixture.record("c9", revision: 2), expectedRevision: 1, events: [], outbox: [], idempotency: nil))
            }
            let key = IdempotencyRecord(key: "k", caseID: "c1", request: "r", state: "s", revision: 2)
            try store.commit(CaseChange(record: Fixture.record("c1", revision: 2), expectedRevision: 1, events: [], outbox: [], idempotency: key))
            expect.throwsStoreError(nil, "a reused idempotency key") {
                try store.commit(CaseChange(record: Fixture.record("c1", revision: 3), expectedRevision: 2, events: [], outbox: [], idempotency: key))
            }
            expect.equal(try store.load(caseID: "c1")?.revision, 2, "the revision after the refused key")
        },
        Check("a message id is unique across the store: another case's id is refused, and an acknowledgement marks one message") { makeStore, expect in
            let store = try makeStore()
            try Fixture.open(store, "c1")
            let before = try Fixture.Contents(store)
            expect.throwsStoreError(.duplicate("outbox message 'c1/1/1'"), "opening a case with another case's message id") {
                try store.commit(Fixture.opening("c2", message: "c1/1/1"))
            }
            expect.equal(try Fixture.Contents(store), before, "the store after the refused opening")
            let second = Fixture.event("c1", 2, previous: try store.load(caseID: "c1")?.auditHead ?? "")
            try Fixture.open(store, "c3")
            let afterOpen = try Fixture.Contents(store)
            expect.throwsStoreError(.duplicate("outbox message 'c3/1/1'"), "a change with another case's message id") {
                try store.commit(CaseChange(record: Fixture.record("c1", revision: 2, head: second.hash), expectedRevision: 1, events: [second],
                                            outbox: [Fixture.message("c3/1/1", case: "c1")], idempotency: nil))
            }
            expect.equal(try Fixture.Contents(store), afterOpen, "the store after the refused change")
            let claimed = try store.claimOutbox(OutboxClaim(claimer: "d", limit: 10, now: Fixture.at, lease: 600))
            expect.equal(claimed.map(\.id), ["c1/1/1", "c3/1/1"], "what a claim takes")
            expect.equal(try store.acknowledgeOutbox(ids: ["c1/1/1"], claimer: "d", at: Fixture.at), 1, "messages one id acknowledges")
        },
        Check("an event at a sequence its case already holds is refused by its name, and nothing of the change lands") { makeStore, expect in
            let store = try makeStore()
            let first = try Fixture.open(store, "c1")
            let before = try Fixture.Contents(store)
            let again = Fixture.event("c1", 1, previous: first.hash)
            expect.throwsStoreError(.duplicate("audit event 1 of case 'c1'"), "a change writing the case's first event again") {
                try store.commit(CaseChange(record: Fixture.record("c1", revision: 2, head: again.hash), expectedRevision: 1, events: [again],
                                            outbox: [Fixture.message("c1/2/1", case: "c1")], idempotency: nil))
            }
            expect.equal(try Fixture.Contents(store), before, "the store after the refused change")
        },
        Check("claims never overlap, leases expire, acknowledgements belong to the claimer") { makeStore, expect in
            let store = try makeStore()
            let first = try Fixture.open(store, "c1")
            let more = (2...5).map { Fixture.message("c1/2/\($0)", case: "c1", offset: Double($0)) }
            let second = Fixture.event("c1", 2, previous: first.hash)
            try store.commit(CaseChange(record: Fixture.record("c1", revision: 2, head: second.hash), expectedRevision: 1, events: [second], outbox: more,
                                        idempotency: nil))
            let now = Fixture.at.addingTimeInterval(100)
            let a = try store.claimOutbox(OutboxClaim(claimer: "a", limit: 3, now: now, lease: 60))
            let b = try store.claimOutbox(OutboxClaim(claimer: "b", limit: 10, now: now, lease: 60))
            expect.equal(a.map(\.id), ["c1/1/1", "c1/2/2", "c1/2/3"], "the first claim")
            expect.equal(b.map(\.id), ["c1/2/4", "c1/2/5"], "the second claim")
            expect.that(a.allSatisfy { $0.claimedBy == "a" && $0.attempts == 1 && $0.leaseUntil == now.addingTimeInterval(60) },
                        "claimed messages name their claimer, one attempt and the lease's end: \(a)")
            expect.equal(try store.acknowledgeOutbox(ids: ["c1/1/1", "c1/2/4"], claimer: "a", at: now), 1, "messages acknowledged by their claimer")
            expect.equal(try store.claimOutbox(OutboxClaim(claimer: "c", limit: 10, now: now.addingTimeInterval(30), lease: 60)).map(\.id), [],
                         "a claim while the leases hold")
            let reclaimed = try store.claimOutbox(OutboxClaim(claimer: "c", limit: 10, now: now.addingTimeInterval(61), lease: 60))
            expect.equal(reclaimed.map(\.id), ["c1/2/2", "c1/2/3", "c1/2/4", "c1/2/5"], "a claim after the leases expired (delivered ones never)")
            expect.that(reclaimed.allSatisfy { $0.attempts == 2 }, "reclaimed messages count a second attempt: \(reclaimed)")
            expect.equal(try store.outbox(caseID: "c1").first { $0.id == "c1/1/1" }?.deliveredAt, now, "the delivered message's time")
        },
        Check("a notice owed by another route is kept and listed, never claimed") { makeStore, expect in
            let store = try makeStore()
            let first = try Fixture.open(store, "c1")
            var owed = Fixture.message("c1/2/1", case: "c1", offset: 1)
            owed.channel = .other
            owed.owedReason = .noPortalAccess
            let second = Fixture.event("c1", 2, previous: first.hash)
            try store.commit(CaseChange(record: Fixture.record("c1", revision: 2, head: second.hash), expectedRevision: 1, events: [second],
                                        outbox: [owed, Fixture.message("c1/2/2", case: "c1", offset: 2)], idempotency: nil))
            let claimed = try store.claimOutbox(OutboxClaim(claimer: "a", limit: 10, now: Fixture.at.addingTimeInterval(100), lease: 60))
            expect.equal(claimed.map(\.id), ["c1/1/1", "c1/2/2"], "the portal messages only")
            expect.equal(try store.outbox(caseID: "c1").first { $0.id == "c1/2/1" }, owed, "the owed notice reads back whole, unclaimed")
        },
        Check("definition versions are kept once and never changed") { makeStore, expect in
            let store = try makeStore()
            let v1 = StoredDefinition(kind: "workflow", id: "assessment", version: 1, fingerprint: "f1", content: "workflow: assessment")
            try store.record(v1)
            try store.record(v1)
            expect.throwsStoreError(.definitionChanged(kind: "workflow", id: "assessment", version: 1), "a changed version") {
                try store.record(StoredDefinition(kind: "workflow", id: "assessment", version: 1, fingerprint: "f2", content: "changed"))
            }
            expect.equal(try store.definition(kind: "workflow", id: "assessment", version: 1), v1, "the stored version")
            expect.equal(try store.definition(kind: "workflow", id: "assessment", version: 2), nil, "a version never stored")
        },
        Check("definition snapshots are stored once, by reference to stored versions") { makeStore, expect in
            let store = try makeStore()
            let workflow = StoredDefinition(kind: "workflow", id: "w", version: 1, fingerprint: "f1", content: "workflow: w")
            let policy = StoredDefinition(kind: "policy", id: "p", version: 2, fingerprint: "f2", content: "policy: p")
            let snapshot = DefinitionSnapshot(members: [DefinitionVersion(workflow), DefinitionVersion(policy)])
            try store.record(workflow)
            expect.throwsStoreError(.snapshotIncomplete(snapshot: snapshot.fingerprint, missing: DefinitionVersion(policy)), "a snapshot missing a member") {
                try store.record(snapshot)
            }
            expect.equal(try store.snapshot(fingerprint: snapshot.fingerprint), nil, "a refused snapshot")
            try store.record(policy)
            try store.record(snapshot)
            try store.record(snapshot)
            let alone = DefinitionSnapshot(members: [DefinitionVersion(workflow)])
            try store.record(alone)
            expect.equal(try store.snapshot(fingerprint: snapshot.fingerprint), snapshot, "the stored snapshot")
            expect.equal(try store.snapshots(), [snapshot, alone], "every snapshot, in the order first stored")
            expect.equal(try store.definitionVersions(), [DefinitionVersion(policy), DefinitionVersion(workflow)], "the definition versions")
            let forged = DefinitionSnapshot(members: [DefinitionVersion(kind: "workflow", id: "w", version: 1, fingerprint: "other")])
            expect.throwsStoreError(nil, "a snapshot naming another fingerprint") { try store.record(forged) }
        },
        Check("the due-time index returns only what is due and is replaced with each change") { makeStore, expect in
            let store = try makeStore()
            let first = Fixture.event("c1", 1, previous: AuditEvent.genesisHash)
            let alarms = [
                DeadlineAlarm(caseID: "c1", deadline: "decide", kind: "reminder-0", dueAt: Fixture.at.addingTimeInterval(10)),
                DeadlineAlarm(caseID: "c1", deadline: "decide", kind: "breach", dueAt: Fixture.at.addingTimeInterval(30)),
                DeadlineAlarm(caseID: "c1", deadline: "advice", kind: "breach", dueAt: Fixture.at.addingTimeInterval(20)),
            ]
            try store.commit(CaseChange(record: Fixture.record("c1", head: first.hash), expectedRevision: nil, events: [first], outbox: [], idempotency: nil,
                                        alarms: alarms))
            expect.equal(try store.dueAlarms(at: Fixture.at, limit: 10), [], "alarms due before any is")
            expect.equal(try store.dueAlarms(at: Fixture.at.addingTimeInterval(20), limit: 10).map(\.kind), ["reminder-0", "breach"], "alarms due at 20 s")
            expect.equal(try store.dueAlarms(at: Fixture.at.addingTimeInterval(60), limit: 2).map(\.deadline), ["decide", "advice"], "the first two due")
            let second = Fixture.event("c1", 2, previous: first.hash)
            expect.throwsStoreError(nil, "a commit with a repeated outbox id") {
                try store.commit(CaseChange(record: Fixture.record("c1", revision: 2, head: second.hash), expectedRevision: 1, events: [second],
                                            outbox: [Fixture.message("x", case: "c1"), Fixture.message("x", case: "c1")], idempotency: nil, alarms: []))
            }
            expect.equal(try store.dueAlarms(at: Fixture.at.addingTimeInterval(60), limit: 10).count, 3, "alarms after a failed commit")
            try store.commit(CaseChange(record: Fixture.record("c1", revision: 2, head: second.hash), expectedRevision: 1, events: [second], outbox: [],
                                        idempotency: nil, alarms: [alarms[1]]))
            expect.equal(try store.dueAlarms(at: Fixture.at.addingTimeInterval(60), limit: 10), [alarms[1]], "alarms after a change replaced them")
        },
        Check("a case's alarms follow each change: gone after one with none, back after one with some, other cases' untouched") { makeStore, expect in
            let store = try makeStore()
            let later = Fixture.at.addingTimeInterval(60)
            func alarm(_ caseID: String, _ deadline: String) -> DeadlineAlarm {
                DeadlineAlarm(caseID: caseID, deadline: deadline, kind: "breach", dueAt: Fixture.at.addingTimeInterval(10))
            }
            var heads: [String: String] = [:]
            // Commits revision `revision` of `caseID` with `alarms`, chained to its last event.
            func change(_ caseID: String, _ revision: Int, alarms: [DeadlineAlarm]) throws {
                let event = Fixture.event(caseID, revision, previous: heads[caseID] ?? AuditEvent.genesisHash)
                heads[caseID] = event.hash
                try store.commit(CaseChange(record: Fixture.record(caseID, revision: revision, head: event.hash), expectedRevision: revision == 1 ? nil : revision - 1,
                                            events: [event], outbox: [], idempotency: nil, alarms: alarms))
            }
            try change("c1", 1, alarms: [])
            try change("c2", 1, alarms: [alarm("c2", "other")])
            expect.equal(try store.dueAlarms(at: later, limit: 10), [alarm("c2", "other")], "only the case opened with an alarm has one")
            try change("c1", 2, alarms: [])
            expect.equal(try store.dueAlarms(at: later, limit: 10), [alarm("c2", "other")], "a change with none to a case with none")
            try change("c1", 3, alarms: [alarm("c1", "decide")])
            expect.equal(Set(try store.dueAlarms(at: later, limit: 10)), [alarm("c1", "decide"), alarm("c2", "other")], "a change that starts one")
            try change("c1", 4, alarms: [])
            expect.equal(try store.dueAlarms(at: later, limit: 10), [alarm("c2", "other")], "a change that ends it")
            try change("c1", 5, alarms: [])
            try change("c1", 6, alarms: [alarm("c1", "advice")])
            expect.equal(Set(try store.dueAlarms(at: later, limit: 10)), [alarm("c1", "advice"), alarm("c2", "other")], "one started again")
            try change("c2", 2, alarms: [])
            expect.equal(try store.dueAlarms(at: later, limit: 10), [alarm("c1", "advice")], "the other case's ended")
        },
        Check("changes to several cases commit together or not at all") { makeStore, expect in
            let store = try makeStore()
            let first1 = try Fixture.open(store, "c1")
            let first2 = try Fixture.open(store, "c2")
            let next1 = Fixture.event("c1", 2, previous: first1.hash)
            let next2 = Fixture.event("c2", 2, previous: first2.hash)
            let good1 = CaseChange(record: Fixture.record("c1", revision: 2, state: "a", head: next1.hash), expectedRevision: 1, events: [next1], outbox: [],
                                   idempotency: nil)
            let stale2 = CaseChange(record: Fixture.record("c2", revision: 2, state: "b", head: next2.hash), expectedRevision: 5, events: [next2], outbox: [],
                                    idempotency: nil)
            expect.throwsStoreError(.revisionConflict(caseID: "c2", expected: 5, actual: 1), "a stale second change") { try store.commit(all: [good1, stale2]) }
            expect.equal(try store.load(caseID: "c1")?.revision, 1, "the first case when the second change failed")
            expect.equal(try store.history(caseID: "c1").count, 1, "the first case's events when the second change failed")
            var good2 = stale2
            good2.expectedRevision = 1
            try store.commit(all: [good1, good2])
            expect.equal(try store.load(caseID: "c1")?.state, "a", "the first case")
            expect.equal(try store.load(caseID: "c2")?.state, "b", "the second case")
            expect.throwsStoreError(nil, "two changes to one case in one commit") { try store.commit(all: [good1, good1]) }
        },
        Check("an event's via reads back exactly, so its chain still verifies") { makeStore, expect in
            let engine = try Fixture.engine(store: try makeStore())
            try Fixture.openCase(engine, "c1")
            let portal = Intermediary.service("citizen-portal")
            _ = try engine.through(portal).fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: Fixture.caseworker,
                                                            input: ["evidence_complete": .bool(true)]))
            _ = try engine.through(.issuer("https://idp.example/\u{e9}\"")).fire(FireRequest(caseID: "c1", transition: "agree_to_assess",
                                                                                                 actor: Fixture.caseworker, input: ["decision_notes": .string("ok")]))
            let events = try engine.store.history(caseID: "c1")
            expect.equal(events.map(\.via), [nil, portal, .issuer("https://idp.example/\u{e9}\"")], "what each event came through")
            expect.equal(events.dropFirst().map(\.actor), [Fixture.caseworker, Fixture.caseworker], "the actors, the same whichever way")
            expect.equal(try engine.verifyAudit("c1", as: .operator()), .intact(events: 3), "the audit")
        },
        Check("a step through a service names it; the linked case's report the step makes as engine:link names none") { makeStore, expect in
            let store = try makeStore()
            let engine = try Fixture.engine(store: store, linked: true)
            try Fixture.openPlan(engine, "p1")
            let portal = Intermediary.service("citizen-portal")
            _ = try engine.through(portal).fire(FireRequest(caseID: "p1", transition: "start_review", actor: Fixture.caseworker))
            _ = try engine.through(portal).fire(FireRequest(caseID: "p1.reviews-1", transition: "hold", actor: Fixture.caseworker,
                                                            input: ["held_on": .date(CalendarDate("2025-09-01")!)]))
            let review = try store.history(caseID: "p1.reviews-1")
            expect.equal(review.last?.via, portal, "the caseworker's step on the review")
            let plan = try store.history(caseID: "p1")
            expect.equal(plan.last?.actor, CaseActor.linkEngine, "the plan's step is the engine's")
            expect.equal(plan.last?.via, nil, "the engine came through nothing")
            for id in ["p1", "p1.reviews-1"] {
                expect.equal(try engine.verifyAudit(id, as: .operator()).holds, true, "\(id)'s chain holds")
            }
        },
        Check("the engine runs end to end on the store") { makeStore, expect in
            let engine = try Fixture.engine(store: try makeStore())
            try Fixture.openCase(engine, "c1")
            _ = try engine.fire(FireRequest(caseID: "c1", transition: "start_deciding", actor: Fixture.caseworker, input: ["evidence_complete": .bool(true)]))
            _ = try engine.fire(FireRequest(caseID: "c1", transition: "agree_to_assess", actor: Fixture.caseworker, input: ["decision_notes": .string("ok")]))
            _ = try engine.submitForm(caseID: "c1", instance: "advice-1", as: CaseActor.organisation("nhs-trust", role: "health"),
                                      fields: ["summary": .string("x")])
            expect.equal(try engine.caseRecord("c1", as: .operator()).forms.first?.status, .submitted, "the submitted form's status")
            expect.equal(try engine.verifyAudit("c1", as: .operator()), .intact(events: 4), "the audit")
            expect.equal(try engine.outbox(caseID: "c1", as: .operator()).count, 4, "the messages")
        },
    ]
}
