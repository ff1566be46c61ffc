import Casework
import CaseworkPostgres
import Foundation
import Synchronization
import Testing

/// Issue 14's tests of several `casework` processes on one PostgreSQL database, as application servers, tickers and
/// deliverers would share it: firing, ticking and claiming at once (here), and processes killed or the server
/// restarted under them (`PostgresKillTests.swift`). One at a time, since each runs several processes of its own.
@Suite("PostgreSQL: processes through the command line", .serialized)
struct PostgresProcessTests {
    /// Workflow `id`: the two roles, the date field and the two states every workflow here has, a `finish`
    /// transition, then `rest` (more transitions, then any other keys).
    static func workflow(_ id: String, _ rest: String) -> String {
        """
        workflow: \(id)
        version: 1
        title: \(id)
        roles: [caseworker, send_manager]
        fields: { requested_on: date }
        states:
          open: { initial: true }
          done: { final: true }
        transitions:
          - { name: finish, from: open, to: done, by: [caseworker] }

        """ + rest
    }

    /// A case that counts notes; each note tells the SEND manager (a portal message, no one being named), so a fire
    /// writes its record, an audit event, an outbox message and its idempotency key in one commit.
    static let counter = workflow("counter", """
          - { name: note, from: open, to: open, by: [caseworker], notify: [{ to: [send_manager], template: noted }] }
        templates:
          noted: { subject: "noted on {{ case.id }}", body: "a note" }

        """)

    /// The day every ticking case was requested, and the moment the tickers run: nine weeks on, each `remind_N`
    /// (due at ten weeks) owes its reminder (two weeks before) and each `breach_N` (due at six weeks) is breached.
    static let requested = CalendarDate(year: 2025, month: 9, day: 1)!
    static let tickAt = "2025-11-03"

    /// A workflow with `pairs` deadlines of each kind.
    static func ticking(pairs: Int) -> String {
        var text = workflow("ticking", """
            messages: { reminder: reminded, breach: breached }
            templates:
              reminded: { subject: "reminder {{ deadline.title }}", body: "due {{ deadline.due_on }}" }
              breached: { subject: "breach {{ deadline.title }}", body: "was due {{ deadline.due_on }}" }
            deadlines:

            """)
        for pair in 0..<pairs {
            text += "  - { name: remind_\(pair), from: requested_on, due: 10 weeks, until: [done], remind: [2 weeks before] }\n"
            text += "  - { name: breach_\(pair), from: requested_on, due: 6 weeks, until: [done], on_breach: { notify: [send_manager] } }\n"
        }
        return text
    }

    /// The case's revision and its audit events, read from the store.
    static func revisionAndEvents(_ store: PostgresCaseStore, _ caseID: String) throws -> (revision: Int, events: [AuditEvent]) {
        (try #require(try store.load(caseID: caseID)).revision, try store.history(caseID: caseID))
    }

    @Test func fourProcessesFiringOnSharedAndOwnCasesLoseNoUpdate() throws {
        guard let server = TestServer.usable("the PostgreSQL multi-process firing test") else { return }
        let store = try CommandLineStore(on: server, files: ["counter.yaml": Self.counter])
        defer { store.remove() }
        let common = store.common
        let cases = ["shared"] + (0..<4).map { "own-\($0)" }
        for id in cases {
            let opened = try CaseworkProcess.run(["case", "open", "counter", "--id", id, "--set", "requested_on=2025-09-01"] + common)
            #expect(opened.status == 0, "\(opened)")
        }
        // Four processes at once, each firing eight times, every other time on the shared case.
        let rounds = 8
        let fired = try CaseworkProcess.concurrently(4) { worker in
            try (0..<rounds).map { round -> (caseID: String, outcome: CaseworkProcess.Outcome) in
                let caseID = round.isMultiple(of: 2) ? "shared" : "own-\(worker)"
                return (caseID, try CaseworkProcess.run(["case", "fire", caseID, "note", "--as", "caseworker:ana"] + common))
            }
        }.flatMap { $0 }
        let reader = try PostgresCaseStore(conninfo: store.database.conninfo, options: .init(access: .readOnly))
        for caseID in cases {
            let outcomes = fired.filter { $0.caseID == caseID }.map(\.outcome)
            let successes = outcomes.filter { $0.status == 0 }
            for outcome in outcomes where outcome.status != 0 {
                #expect(outcome.status == 4 && outcome.err.hasPrefix("error[conflict]"), "a fire that did not commit was told of the conflict: \(outcome)")
            }
            #expect(caseID == "shared" || successes.count == rounds / 2, "a process alone on its case never conflicts: \(outcomes)")
            let stored = try Self.revisionAndEvents(reader, caseID)
            #expect(stored.revision == 1 + successes.count, "every fire that said it committed is there, and only those, on \(caseID): \(outcomes)")
            #expect(stored.events.count == stored.revision)
            let revisions = successes.compactMap { $0.out.firstMatch(of: /\(revision (\d+)\)/).map { Int($0.1)! } }
            #expect(revisions.sorted() == Array(2...(1 + successes.count)), "each success names its own revision, none twice: \(revisions)")
            #expect(try reader.outbox(caseID: caseID).count == successes.count, "each committed note wrote its one message")
        }
        print("firing test: \(fired.count) fires, \(fired.filter { $0.outcome.status == 4 }.count) lost to a conflict")
        let verified = try CaseworkProcess.run(["audit", "verify"] + common)
        #expect(verified.status == 0 && verified.out == "5 cases, every chain intact\n", "\(verified)")
    }

    /// Opens `caseCount` ticking cases (`t0`, `t1`, …) through the library, requested on ``requested``, each with
    /// `pairs` reminders and `pairs` breaches due at ``tickAt``; their ids. (Through the command line each would cost a
    /// process.)
    static func seedTicking(_ store: CommandLineStore, cases caseCount: Int, pairs: Int) throws -> [String] {
        let seeding = try PostgresCaseStore(conninfo: store.database.conninfo)
        let engine = try Engine(catalog: DefinitionCatalog.load(paths: [store.definitions.path]), store: seeding, clock: ManualClock(requested.start()))
        let caseIDs = (0..<caseCount).map { "t\($0)" }
        for id in caseIDs {
            _ = try engine.open(workflow: "ticking", as: ana, caseID: id, fields: ["requested_on": .date(requested)],
                                participants: ["caseworker": "ana", "send_manager": "sam"])
        }
        let tickAt = try #require(CalendarDate(tickAt)).start()
        #expect(try seeding.dueAlarms(at: tickAt, limit: 100_000).count == caseCount * pairs * 2, "every item is due at the moment the tickers run")
        return caseIDs
    }

    /// Every item due on `caseIDs` (`case/deadline/kind`).
    static func dueItems(_ caseIDs: [String], pairs: Int) -> Set<String> {
        Set(caseIDs.flatMap { id in (0..<pairs).flatMap { ["\(id)/remind_\($0)/reminder", "\(id)/breach_\($0)/breach"] } })
    }

    /// Checks from the store that each item due on `caseIDs` was audited and sent exactly once, that a further tick
    /// finds nothing due, and that every chain verifies.
    static func checkTicked(_ caseIDs: [String], pairs: Int, _ store: CommandLineStore) throws {
        let reader = try PostgresCaseStore(conninfo: store.database.conninfo, options: .init(access: .readOnly))
        var events: [String: Int] = [:], messages: [String: Int] = [:]
        for id in caseIDs {
            for event in try reader.history(caseID: id) where event.action.hasPrefix("deadline_") {
                events["\(id)/\(event.subject ?? "")/\(event.action)", default: 0] += 1
            }
            for message in try reader.outbox(caseID: id) {
                messages["\(id)/\(message.subject.split(separator: " ").last ?? "")/\(message.template)", default: 0] += 1
            }
        }
        let steps = ["reminder": "deadline_reminder", "breach": "deadline_breached"]
        let expected = Set(dueItems(caseIDs, pairs: pairs).map { item in
            let parts = item.split(separator: "/")
            return "\(parts[0])/\(parts[1])/\(steps[String(parts[2])]!)"
        })
        #expect(Set(events.keys) == expected && events.values.allSatisfy { $0 == 1 }, "each reminder and breach is audited exactly once")
        #expect(Set(messages.keys) == expected && messages.values.allSatisfy { $0 == 1 }, "each reminder and breach notice is in the outbox exactly once")
        let again = try CaseworkProcess.run(["tick", "--at", tickAt] + store.common)
        #expect(again.status == 0 && again.out == "nothing due\n", "\(again)")
        let verified = try CaseworkProcess.run(["audit", "verify"] + store.common)
        #expect(verified.status == 0 && verified.out == "\(caseIDs.count) cases, every chain intact\n", "\(verified)")
    }

    @Test func threeTickersApplyEachOfTenThousandDueItemsOnce() throws {
        guard let server = TestServer.usable("the PostgreSQL multi-process tick test") else { return }
        let pairs = 10
        let store = try CommandLineStore(on: server, files: ["ticking.yaml": Self.ticking(pairs: pairs)])
        defer { store.remove() }
        let caseIDs = try Self.seedTicking(store, cases: 500, pairs: pairs)
        let ticks = try CaseworkProcess.concurrently(3) { _ in
            try CaseworkProcess.run(["tick", "--at", Self.tickAt, "--format", "json"] + store.common, timeout: 600)
        }
        var reported: [String: Int] = [:]
        print("tick test: the tickers applied \(ticks.map { $0.out.components(separatedBy: "\"case\"").count - 1 }) items")
        for tick in ticks {
            #expect(tick.status == 0, "\(tick.err)")
            let actions = try #require(try JSONSerialization.jsonObject(with: Data(tick.out.utf8)) as? [[String: Any]], "\(tick)")
            for action in actions { reported["\(action["case"]!)/\(action["deadline"]!)/\(action["kind"]!)", default: 0] += 1 }
        }
        #expect(Set(reported.keys) == Self.dueItems(caseIDs, pairs: pairs) && reported.values.allSatisfy { $0 == 1 },
                "the three tickers together report each of the 10,000 items once")
        try Self.checkTicked(caseIDs, pairs: pairs, store)
    }

    @Test func fourDeliverersClaimingTheOutboxDeliverEachMessageOncePerLease() throws {
        guard let server = TestServer.usable("the PostgreSQL multi-process outbox test") else { return }
        let store = try CommandLineStore(on: server, files: ["counter.yaml": Self.counter])
        defer { store.remove() }
        let seeding = try PostgresCaseStore(conninfo: store.database.conninfo)
        let engine = try Engine(catalog: DefinitionCatalog.load(paths: [store.definitions.path]), store: seeding)
        let actor = CaseActor(role: "caseworker", id: "ana")
        for index in 0..<4 {
            _ = try engine.open(workflow: "counter", as: actor, caseID: "o\(index)", fields: ["requested_on": .date(Self.requested)])
            for _ in 0..<50 { _ = try engine.fire(FireRequest(caseID: "o\(index)", transition: "note", actor: actor)) }
        }
        let waiting = try seeding.outbox(caseID: nil)
        #expect(waiting.count == 200)
        // A deliverer that claims ten for a lease of one second and stops; past the lease, they are claimable again.
        let stalled = try CaseworkProcess.run(["outbox", "claim", "--as", "mailer:stalled", "--limit", "10", "--lease", "1", "--format", "json"] + store.common)
        let stalledIDs = try #require(try JSONSerialization.jsonObject(with: Data(stalled.out.utf8)) as? [[String: Any]], "\(stalled)").map { "\($0["id"]!)" }
        #expect(stalledIDs.count == 10)
        Thread.sleep(forTimeInterval: 1.2)

        // Four deliverers at once, each claiming seven at a time and acknowledging what it claimed, until none is left
        // (or a command fails). What each did is checked here, on the test's own thread.
        let rounds = try CaseworkProcess.concurrently(4) { worker in
            var done: [(claim: CaseworkProcess.Outcome, ids: [String], ack: CaseworkProcess.Outcome?)] = []
            while true {
                let claim = try CaseworkProcess.run(["outbox", "claim", "--as", "mailer:deliverer-\(worker)", "--limit", "7", "--format", "json"] + store.common)
                let ids = (try? JSONSerialization.jsonObject(with: Data(claim.out.utf8)) as? [[String: Any]])?.map { "\($0["id"]!)" }
                guard claim.status == 0, let ids, !ids.isEmpty else { return done + [(claim, ids ?? [], nil)] }
                done.append((claim, ids, try CaseworkProcess.run(["outbox", "ack"] + ids + ["--as", "mailer:deliverer-\(worker)"] + store.common)))
            }
        }
        for round in rounds.flatMap({ $0 }) {
            #expect(round.claim.status == 0, "\(round.claim)")
            if let ack = round.ack { #expect(ack.status == 0 && ack.out == "acknowledged \(round.ids.count) of \(round.ids.count)\n", "\(ack)") }
        }
        let claimed = rounds.map { $0.flatMap(\.ids) }
        let all = claimed.flatMap { $0 }
        #expect(all.count == waiting.count && Set(all) == Set(waiting.map(\.id)), "every message was claimed by exactly one of the four, once")
        let late = try CaseworkProcess.run(["outbox", "ack"] + stalledIDs + ["--as", "mailer:stalled"] + store.common)
        #expect(late.status == 1 && late.out == "acknowledged 0 of 10\n", "a claim past its lease acknowledges nothing: \(late)")
        let delivered = try seeding.outbox(caseID: nil)
        for message in delivered {
            let claimer = claimed.firstIndex { $0.contains(message.id) }.map { "deliverer-\($0)" }
            let attempts = stalledIDs.contains(message.id) ? 2 : 1
            #expect(message.deliveredAt != nil && message.claimedBy == claimer && message.attempts == attempts, "\(message.id): \(message)")
        }
    }
}
