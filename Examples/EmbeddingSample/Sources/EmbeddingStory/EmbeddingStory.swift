import Foundation
import Casework
import CaseworkSQLite

/// What a service that embeds Casework does, step by step, on the repository's shipped definitions: load them, open
/// a store and an engine, open and fire a case as its people, read blockers, views and timelines, tick the statutory
/// clocks, deliver the outbox, verify the audit, and answer every refusal the way an HTTP service would.
///
/// `docs/embedding.md` explains each step; this is the code it points at, built and run by `.ci/run`.
public enum EmbeddingStory {
    /// The checkout this package sits in: this file is `Examples/EmbeddingSample/Sources/EmbeddingStory/`, five
    /// levels down, so the sample runs on the definitions it was built with when no path is given.
    public static let repository: URL = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<5 { url.deleteLastPathComponent() }
        return url
    }()

    /// What the story did: the lines a service would log, and what its test checks.
    public struct Report: Sendable {
        /// One line per step, in order.
        public var log: [String]
        /// The kind of every refusal the story provoked, in order.
        public var refusals: [RefusalCode]
        /// The state the in-memory case ended in.
        public var finalState: String
        /// How many notifications the deliverer claimed and acknowledged.
        public var delivered: Int
        /// Whether the case's audit chain replays to its record.
        public var auditIntact: Bool
    }

    /// What an HTTP service answers for a refusal: the status (the mapping `docs/reference/cli.md` and
    /// ``RefusalCode`` give) and a body. Every code is handled, so a new one fails to compile here, not in production.
    public static func response(to error: EngineError) -> (status: Int, body: String) {
        switch error.code {
        case .forbidden:
            // The policy's reasons say nothing about the case: not even whether it exists.
            return (403, "forbidden: \(error)")
        case .notFound:
            // Said only to those allowed to know the case does not exist (the operator, caseworkers).
            return (404, "not found: \(error)")
        case .conflict:
            // A stale expected revision, a concurrent change, an existing case id or a reused idempotency key:
            // read the case again and decide whether to retry.
            return (409, "conflict: \(error)")
        case .invalidInput:
            // Every problem at its field path, for the form to show next to the field.
            guard case .invalidInput(let problems) = error else { return (422, "invalid input: \(error)") }
            return (422, "invalid input: " + problems.map(\.description).joined(separator: "; "))
        case .blocked:
            // Not now: the blockers' stable codes are for the client to branch on, their messages for people.
            guard case .blocked(_, let blockers) = error else { return (409, "blocked: \(error)") }
            return (409, "blocked: " + blockers.map { "\($0.code.rawValue) (\($0.message))" }.joined(separator: "; "))
        case .definitionError:
            // The deployed definitions cannot run this: page whoever deploys them; retrying will not help.
            return (500, "definition error: \(error)")
        case .unavailable:
            // The store failed and nothing changed: the client may retry (Retry-After).
            return (503, "unavailable, retry later: \(error)")
        }
    }

    /// The case the in-memory part of the story opens.
    static let caseID = "sample-1"

    /// Runs the story on the definitions under `repository` (its `Workflows/` and `Policies/`).
    public static func run(repository: URL) throws(EngineError) -> Report {
        var log: [String] = []
        var refusals: [RefusalCode] = []
        /// Runs a step a service expects to be refused, and logs what it would answer.
        func expectRefusal(_ step: String, _ body: () throws(EngineError) -> Void) {
            do {
                try body()
                log.append("\(step): unexpectedly allowed")
            } catch {
                refusals.append(error.code)
                let answer = response(to: error)
                log.append("\(step): \(answer.status) \(answer.body)")
            }
        }

        // 1. Load and validate the definitions once, at start-up: invalid definitions are refused here, not per request.
        let catalog = try DefinitionCatalog.load(paths: ["Workflows", "Policies"].map { repository.appendingPathComponent($0).path })
        log.append("loaded \(catalog.workflows.count) workflows and \(catalog.policies.count) policies")

        // 2. An engine on an in-memory store, with a clock the story moves by hand (a service passes SystemClock()).
        let clock = ManualClock(CalendarDate("2025-09-01")!.start().addingTimeInterval(9 * 3600))
        let engine = try Engine(catalog: catalog, store: InMemoryCaseStore(), clock: clock)

        // 3. Actors come from the service's authenticated session, never from what a caller sends.
        let parent = CaseActor(role: "parent", id: "jo")
        let caseworker = CaseActor(parsing: "caseworker:ana")!
        let stranger = CaseActor(role: "parent", id: "someone-else")
        let operatorActor = CaseActor.operator("embedding-sample")
        let parentAttributes: [String: ExpressionValue] = ["relationship": .string("parent"), "second_factor_verified": .bool(true)]
        let staffAttributes: [String: ExpressionValue] = ["relationship": .string("caseworker"), "second_factor_verified": .bool(true)]

        // 4. The parent opens a case with the fields the workflow's `input:` declares; the key makes a retry safe.
        let opened = try engine.open(
            workflow: "ehcp-needs-assessment", as: parent, caseID: caseID, fields: [
                "requested_on": .date(CalendarDate("2025-09-01")!), "requested_by": .string("parent"),
                "child.first_name": .string("Sam"), "child.last_name": .string("Taylor"), "child.date_of_birth": .date(CalendarDate("2016-02-14")!),
            ], idempotencyKey: "open-\(caseID)", attributes: parentAttributes)
        log.append("\(parent) opened \(caseID): \(opened.record.state), revision \(opened.record.revision)")

        // 5. The SEND service grants the parent access, case by case.
        _ = try engine.grantAccess(caseID: caseID, grant: AccessGrant(to: parent.principal, level: "full"), as: caseworker,
                                   attributes: staffAttributes, reason: "identity checked")
        log.append("\(caseworker) granted \(parent.principal) full access")

        // 6. Reads go through the case's policy: the parent sees the case, someone else learns nothing.
        let view = try engine.view(caseID: caseID, as: parent, attributes: parentAttributes)
        log.append("\(parent) sees \(view.fields.count) fields, state \(view.state ?? "(withheld)"), withheld: \(view.withheld.isEmpty ? "nothing" : view.withheld.joined(separator: ", "))")
        expectRefusal("\(stranger) views \(caseID)") { () throws(EngineError) in
            _ = try engine.view(caseID: caseID, as: stranger, attributes: parentAttributes)
        }
        expectRefusal("\(operatorActor) reads no-such-case") { () throws(EngineError) in _ = try engine.caseRecord("no-such-case", as: operatorActor) }

        // 7. Blockers: what the caseworker could do now, and why not for the rest.
        for transition in try engine.availableTransitions(caseID: caseID, as: caseworker, attributes: staffAttributes) {
            let why = transition.blockers.map(\.code.rawValue).joined(separator: ", ")
            log.append("  \(transition.name): \(why.isEmpty ? "available" : "blocked by \(why)")")
        }

        // 8. Fire transitions, with the refusals a client must handle.
        expectRefusal("\(caseworker) records evidence too early") { () throws(EngineError) in
            _ = try engine.fire(FireRequest(caseID: caseID, transition: "record_evidence", actor: caseworker,
                                            input: ["evidence_complete": .bool(true)], attributes: staffAttributes))
        }
        let revision = try engine.caseRecord(caseID, as: caseworker, attributes: staffAttributes).revision
        let acknowledge = FireRequest(caseID: caseID, transition: "acknowledge_request", actor: caseworker, expectedRevision: revision,
                                      idempotencyKey: "ack-\(caseID)", attributes: staffAttributes)
        let acknowledged = try engine.fire(acknowledge)
        let retried = try engine.fire(acknowledge)
        log.append("\(caseworker) acknowledged: \(acknowledged.record.state); the retry was replayed: \(retried.replayed)")
        expectRefusal("\(caseworker) fires on a stale revision") { () throws(EngineError) in
            _ = try engine.fire(FireRequest(caseID: caseID, transition: "record_evidence", actor: caseworker, input: ["evidence_complete": .bool(true)],
                                            expectedRevision: revision, attributes: staffAttributes))
        }
        expectRefusal("\(caseworker) gives undeclared input") { () throws(EngineError) in
            _ = try engine.fire(FireRequest(caseID: caseID, transition: "record_evidence", actor: caseworker,
                                            input: ["evidence_completed": .bool(true)], attributes: staffAttributes))
        }
        let recorded = try engine.fire(FireRequest(caseID: caseID, transition: "record_evidence", actor: caseworker,
                                                   input: ["evidence_complete": .bool(true)], attributes: staffAttributes))
        log.append("\(caseworker) recorded the evidence: revision \(recorded.record.revision)")

        // 9. Tick: a scheduler calls this; reminders and breaches become audited changes and notifications.
        clock.set(CalendarDate("2025-10-06")!.start().addingTimeInterval(9 * 3600))
        for action in try engine.tick() { log.append("tick: \(action.kind) for '\(action.deadline)' due \(action.dueOn)") }

        // 10. Deliver the outbox: claim with a lease, send, acknowledge; an unacknowledged claim is claimed again later.
        let claimed = try engine.claimNotifications(claimer: "mailer", limit: 50, lease: 300)
        for message in claimed { log.append("send to \(message.recipientRole)\(message.recipientID.map { ":\($0)" } ?? ""): \(message.subject)") }
        let delivered = try engine.acknowledgeNotifications(claimed.map(\.id), claimer: "mailer")
        log.append("delivered \(delivered) of \(claimed.count) claimed; left to claim: \(try engine.claimNotifications(claimer: "mailer").count)")

        // 11. The parent's own account of the case, and the operator's audit check.
        let timeline = try engine.timeline(caseID: caseID, as: parent, attributes: parentAttributes)
        log.append("\(parent)'s timeline: now '\(timeline.now.title)', \(timeline.notices.count) notices, next: \(timeline.next.joined(separator: ", "))")
        let audit = try engine.verifyAudit(caseID, as: operatorActor)
        let final = try engine.caseRecord(caseID, as: operatorActor)
        log.append("audit: \(audit)")

        // 12. The same on SQLite, and a read-only store refusing a write as `unavailable`.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("embedding-sample-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        /// A store on the file; a store's own errors reach the caller as the engine's (`unavailable`, `conflict`, …).
        func sqliteStore(_ access: SQLiteCaseStore.Options.Access) throws(EngineError) -> SQLiteCaseStore {
            do throws(StoreError) { return try SQLiteCaseStore(path: path, options: SQLiteCaseStore.Options(access: access)) } catch { throw .store(error) }
        }
        let sqlite = try Engine(catalog: catalog, store: try sqliteStore(.create), clock: clock)
        let onDisk = try sqlite.open(workflow: "ehcp-needs-assessment", as: parent, caseID: caseID, fields: [
            "requested_on": .date(CalendarDate("2025-10-06")!), "requested_by": .string("parent"),
            "child.first_name": .string("Alex"), "child.last_name": .string("Taylor"), "child.date_of_birth": .date(CalendarDate("2017-05-02")!),
        ], attributes: parentAttributes)
        log.append("on SQLite: \(parent) opened \(caseID): \(onDisk.record.state)")
        let readOnly = try Engine(catalog: catalog, store: try sqliteStore(.readOnly), clock: clock, recordingDefinitions: false)
        expectRefusal("\(caseworker) acknowledges through a read-only store") { () throws(EngineError) in
            _ = try readOnly.fire(FireRequest(caseID: caseID, transition: "acknowledge_request", actor: caseworker, attributes: staffAttributes))
        }

        return Report(log: log, refusals: refusals, finalState: final.state, delivered: delivered, auditIntact: audit == .intact(events: final.revision))
    }
}
