import Casework
import CaseworkPostgres
import CaseworkTestSupport
import Foundation
import Synchronization
import Testing

/// Issue 14's kill and restart tests: `casework case fire` killed with SIGKILL at random moments, and the server
/// restarted (`pg_ctl restart -m fast`) under a run of fires. Afterwards every fire that reported success is there,
/// none is half applied (the record replays from its audit, and each note's message is there with its event), and a
/// retry under the same idempotency key applies a lost fire once and replays a landed one, never applying it twice.
extension PostgresProcessTests {
    /// Who fires every note here.
    static let ana = CaseActor(role: "caseworker", id: "ana")

    /// The server the restart tests restart: their own, so that no other suite's test is cut short, and one for them
    /// all, since the suite runs one test at a time. Stopped at exit.
    static let restartable = TestServer.start()

    /// Checks the case `caseID` against `keys` fired on it, every one of them retried first under its own key:
    /// each key's note is there exactly once, whatever its fire reported, and every reported success before that.
    /// Returns the keys that had landed before their retries.
    @discardableResult
    static func checkFires(_ keys: [String], succeeded: [String], on caseID: String, _ store: CommandLineStore) throws -> Set<String> {
        let reader = try PostgresCaseStore(conninfo: store.database.conninfo, options: .init(access: .readOnly))
        // The engine keeps a key as its actor's: "caseworker:ana KEY".
        let landed = try Set(keys.filter { try reader.idempotencyRecord(key: "\(ana) \($0)") != nil })
        #expect(landed.isSuperset(of: succeeded), "every fire that reported success is there: missing \(Set(succeeded).subtracting(landed).sorted())")
        let before = try Self.revisionAndEvents(reader, caseID)
        #expect(before.revision == 1 + landed.count && before.events.count == before.revision, "a note for each key that landed, and no other")
        #expect(try reader.outbox(caseID: caseID).count == landed.count, "each landed note has its message: nothing is half applied")
        for key in keys where !succeeded.contains(key) {
            let retried = try CaseworkProcess.run(["case", "fire", caseID, "note", "--as", "\(ana)", "--key", key] + store.common, timeout: 60)
            let replayed = retried.out.hasSuffix("(already done with this key; nothing changed)\n")
            #expect(retried.status == 0 && replayed == landed.contains(key), "a retry of \(key) replays a landed fire and applies a lost one: \(retried)")
        }
        let after = try Self.revisionAndEvents(reader, caseID)
        #expect(after.revision == 1 + keys.count && after.events.count == after.revision, "after the retries, each key's note exactly once")
        let verified = try CaseworkProcess.run(["audit", "verify", caseID] + store.common)
        #expect(verified.status == 0 && verified.out == "case \(caseID): \(after.revision) events, chain intact, record replays\n", "\(verified)")
        return landed
    }

    @Test func firesKilledAtRandomMomentsLeaveNoHalfChange() throws {
        guard let server = TestServer.usable("the PostgreSQL kill test") else { return }
        try Self.killFires(on: server, restarting: false)
    }

    @Test func firesKilledAtRandomMomentsAcrossAServerRestartLeaveNoHalfChange() throws {
        guard let server = TestServer.usable(Self.restartable, "the PostgreSQL kill test with a restart") else { return }
        try Self.killFires(on: server, restarting: true)
    }

    /// One process at a time fires on one case, each killed at a random moment, until 50 are killed; when
    /// `restarting`, the server restarts (`pg_ctl restart -m fast`) after the 20th kill, while the fires go on.
    static func killFires(on server: TestServer, restarting: Bool) throws {
        let store = try CommandLineStore(on: server, files: ["counter.yaml": Self.counter])
        defer { store.remove() }
        let opened = try CaseworkProcess.run(["case", "open", "counter", "--id", "k1", "--set", "requested_on=2025-09-01"] + store.common)
        #expect(opened.status == 0, "\(opened)")
        // How long a fire takes here (the middle of three), so that kills land from its start to its end: most of a
        // fire is the process starting and reading its definitions, its commit comes last, so the moments are drawn
        // from the whole span and, as often again, from its last half.
        var keys: [String] = [], succeeded: [String] = [], killed: [String] = [], unavailable: [String] = [], conflicted: [String] = []
        var spans: [TimeInterval] = []
        for _ in 0..<3 {
            let key = "k-\(keys.count)", began = Date()
            let fire = try CaseworkProcess.run(["case", "fire", "k1", "note", "--as", "\(ana)", "--key", key] + store.common)
            spans.append(Date().timeIntervalSince(began))
            #expect(fire.status == 0, "\(fire)")
            keys.append(key)
            succeeded.append(key)
        }
        // The span is measured on a machine whose load changes: a fire that finished before its kill shortens it, a
        // kill lengthens it a little, so the kills keep landing inside fires however busy the machine becomes.
        var span = spans.sorted()[1]
        let restart = restarting ? Restart(server, after: 20) : nil
        var random = SeededGenerator(seed: 14)
        while killed.count < 50 || restart?.finished == false, keys.count < 300 {
            let key = "k-\(keys.count)", afterRestart = restart?.finished ?? false
            keys.append(key)
            let fire = try CaseworkProcess(["case", "fire", "k1", "note", "--as", "\(ana)", "--key", key] + store.common)
            Thread.sleep(forTimeInterval: Double.random(in: (keys.count.isMultiple(of: 2) ? 0 : span / 2)...(span * 1.1), using: &random))
            fire.kill()
            let outcome = fire.wait(timeout: 60)
            if outcome.signal == SIGKILL {
                killed.append(key)
                restart?.count()
                span *= 1.05
            } else if outcome.status == 0 {
                span *= 0.85
                #expect(outcome.out.hasPrefix("k1: open (revision "), "\(outcome)")
                succeeded.append(key)
            } else if outcome.status == 4 {
                // A killed client does not stop its server process at once: the fire killed just before this one may
                // still commit after this one has read the case, which then meets a newer revision and changes nothing.
                conflicted.append(key)
                #expect(outcome.err.hasPrefix("error[conflict]"), "a fire that met the killed one's late commit says so: \(outcome)")
            } else if restarting, !afterRestart, outcome.status == 6 {
                unavailable.append(key)
                #expect(outcome.err.hasPrefix("error[unavailable]"), "a fire the restart stopped says so: \(outcome)")
            } else {
                Issue.record("\(key): a fire alone on its case succeeds, is killed, meets the killed one's late commit, or (while the server restarts) is told it is unavailable: \(outcome)")
            }
        }
        #expect(killed.count >= 50, "50 fires killed (of \(keys.count))")
        #expect(restart.map { $0.finished && $0.failure == nil } ?? true, "the server restarted mid-run: \(restart?.failure ?? "")")
        let landed = try checkFires(keys, succeeded: succeeded, on: "k1", store)
        #expect(landed.isDisjoint(with: conflicted), "a fire refused for a conflict changed nothing: \(landed.intersection(conflicted).sorted())")
        print("kill test\(restarting ? " with a restart" : ""): \(keys.count) fires, \(killed.count) killed (\(landed.intersection(killed).count) after their commit), "
              + "\(unavailable.count) told the server was unavailable (\(landed.intersection(unavailable).count) of those had landed), "
              + "\(conflicted.count) met a killed fire's late commit")
    }

    /// A server restart from a thread of its own, once `count()` has been called `after` times.
    final class Restart: Sendable {
        private let counted = Atomic<Int>(0)
        private let done = Atomic<Bool>(false)
        private let failed = Mutex<String?>(nil)

        init(_ server: TestServer, after: Int) {
            Thread { [self] in
                while counted.load(ordering: .relaxed) < after { Thread.sleep(forTimeInterval: 0.005) }
                do { try server.restart() } catch { failed.withLock { $0 = "\(error)" } }
                done.store(true, ordering: .relaxed)
            }.start()
        }

        /// One more of what the restart waits for.
        func count() { counted.add(1, ordering: .relaxed) }
        /// Whether the server has restarted (and listens again).
        var finished: Bool { done.load(ordering: .relaxed) }
        /// Why the restart failed, if it did.
        var failure: String? { failed.withLock { $0 } }
    }

    @Test func firesAcrossAServerRestartFailClearlyAndCarryOn() throws {
        guard let server = TestServer.usable(Self.restartable, "the PostgreSQL restart test") else { return }
        let store = try CommandLineStore(on: server, files: ["counter.yaml": Self.counter])
        defer { store.remove() }
        for id in ["r0", "r1"] {
            let opened = try CaseworkProcess.run(["case", "open", "counter", "--id", id, "--set", "requested_on=2025-09-01"] + store.common)
            #expect(opened.status == 0, "\(opened)")
        }
        // An engine in this process, open across the restart, as a long-running service's would be.
        let service = try PostgresCaseStore(conninfo: store.database.conninfo)
        let engine = try Engine(catalog: DefinitionCatalog.load(paths: [store.definitions.path]), store: service)
        let ana = Self.ana
        _ = try engine.fire(FireRequest(caseID: "r0", transition: "note", actor: ana, idempotencyKey: "engine-before"))

        // Two processes firing in turn on their own cases; after eight fires, the server restarts under them; each goes
        // on until it has fired five times on the server restarted.
        let restart = Restart(server, after: 8)
        let fired = try CaseworkProcess.concurrently(2) { worker in
            var results: [(key: String, afterRestart: Bool, outcome: CaseworkProcess.Outcome)] = []
            while results.filter(\.afterRestart).count < 5, results.count < 200 {
                let key = "r\(worker)-\(results.count)", after = restart.finished
                let outcome = try CaseworkProcess.run(["case", "fire", "r\(worker)", "note", "--as", "\(ana)", "--key", key] + store.common, timeout: 60)
                restart.count()
                results.append((key, after, outcome))
            }
            return results
        }
        #expect(restart.finished && restart.failure == nil, "the server restarts: \(restart.failure ?? "")")
        var unavailable: [String] = []
        for (key, after, outcome) in fired.joined() {
            // Nothing but the command's own words on its standard error: one line naming the refusal, or none.
            if outcome.status == 6 {
                unavailable.append(key)
                #expect(outcome.err.hasPrefix("error[unavailable]") && outcome.err.filter { $0 == "\n" }.count == 1,
                        "a fire the restart stopped says so, and only that: \(outcome)")
            } else {
                #expect(outcome.status == 0 && outcome.err.isEmpty, "\(key): a fire either succeeds or says the server is unavailable: \(outcome)")
            }
            #expect(!after || outcome.status == 0, "\(key): once the server is back, every fire succeeds: \(outcome)")
        }
        let again = try engine.fire(FireRequest(caseID: "r0", transition: "note", actor: ana, idempotencyKey: "engine-after"))
        #expect(!again.replayed, "the engine open across the restart reconnects and carries on")

        var landed = Set<String>()
        for (worker, results) in fired.enumerated() {
            let keys = results.map(\.key) + (worker == 0 ? ["engine-before", "engine-after"] : [])
            let succeeded = results.filter { $0.outcome.status == 0 }.map(\.key) + (worker == 0 ? ["engine-before", "engine-after"] : [])
            landed.formUnion(try Self.checkFires(keys, succeeded: succeeded, on: "r\(worker)", store))
        }
        print("restart test: \(unavailable.count) of \(fired.joined().count) fires were told the server was unavailable "
              + "(\(landed.intersection(unavailable).count) of those had landed)")
    }

    @Test func aTickCutShortByAServerRestartFailsClearlyAndTheNextFinishesIt() throws {
        guard let server = TestServer.usable(Self.restartable, "the PostgreSQL tick restart test") else { return }
        let pairs = 10
        let store = try CommandLineStore(on: server, files: ["ticking.yaml": Self.ticking(pairs: pairs)])
        defer { store.remove() }
        let caseIDs = try Self.seedTicking(store, cases: 25, pairs: pairs)
        // The server restarts half a second into a tick of 500 items, most likely between two of its statements.
        let tick = try CaseworkProcess(["tick", "--at", Self.tickAt] + store.common)
        Thread.sleep(forTimeInterval: 0.5)
        try server.restart()
        let cut = tick.wait(timeout: 300)
        let lines = cut.err.split(separator: "\n", omittingEmptySubsequences: false)
        if cut.status == 6 {
            #expect(lines.count == 2 && lines[0].hasPrefix("error[unavailable]: ") && lines[1].isEmpty, "the tick says only that the server is unavailable: \(cut)")
        } else {
            #expect(cut.status == 0 && cut.err.isEmpty, "a tick either carries on or says the server is unavailable: \(cut)")
        }
        let rest = try CaseworkProcess.run(["tick", "--at", Self.tickAt] + store.common, timeout: 300)
        #expect(rest.status == 0, "the next tick applies what is left: \(rest)")
        print("tick restart test: the cut tick \(cut.status == 0 ? "carried on" : "stopped"), the next applied \(rest.out.split(separator: "\n").count) lines")
        try Self.checkTicked(caseIDs, pairs: pairs, store)
    }
}
