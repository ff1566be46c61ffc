import CSQLite
import CaseworkCommandLine
@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkSQLite
@testable import CaseworkStore
import CaseworkTestSupport
import Foundation
import Synchronization
import Testing

/// An insider with the SQLite file edits it, as an auditor would fear, and `casework audit verify` must notice. The
/// hash chain and the replay catch every edit that leaves the chain and the record disagreeing; a history rewritten
/// consistently end to end, or a case removed with all its events, is beyond them (signed checkpoints are for that),
/// and the suite says so rather than pretend.
@Suite("Tampering with the store is detected")
struct AuditTamperingTests {
    /// A way to tamper, and whether the chain and replay alone must catch it.
    struct Tampering: Sendable, CustomStringConvertible {
        var description: String
        var detectedWithoutCheckpoints: Bool
        var sql: @Sendable (_ events: [AuditEvent], _ record: CaseRecord) -> [String]
    }

    /// The case `c1` after opening, a grant and two comments: six events.
    static func workspace() throws -> CommandWorkspace {
        let space = try CommandWorkspace(["door.yaml": OneDoorTests.workflow, "portal.yaml": OneDoorTests.policy])
        let staff = ["--as", "caseworker:ana", "--attribute", "relationship=caseworker", "--attribute", "second_factor_verified=true"]
        let parent = ["--as", "parent:jo", "--attribute", "relationship=parent", "--attribute", "second_factor_verified=true"]
        let steps: [[String]] = [
            ["case", "open", "door", "--id", "c1", "--set", "requested_on=2025-09-01", "--set", "child.first_name=Sam"],
            ["access", "grant", "c1", "--to", "jo", "--level", "full", "--reason", "checked"] + staff,
            ["access", "grant", "c1", "--to", "lee", "--level", "none", "--reason", "court order"] + staff,
            ["case", "fire", "c1", "comment", "--set", "parent_comment=first"] + parent,
            ["case", "fire", "c1", "comment", "--set", "parent_comment=second"] + parent,
            ["case", "open", "door", "--id", "c2", "--set", "requested_on=2025-09-02"],
        ]
        for step in steps {
            let result = space.run(step)
            guard result.status == .success else { throw CocoaError(.featureUnsupported, userInfo: ["step": step, "err": result.err]) }
        }
        return space
    }

    static func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    static func json<T: Encodable>(_ value: T) -> String { String(decoding: StoredJSON.encode(value), as: UTF8.self) }

    /// Rewrites events `from` onward so that every hash and link holds again, and the record's head with them.
    static func rechained(_ events: [AuditEvent], record: CaseRecord) -> [String] {
        var previous = AuditEvent.genesisHash
        var statements: [String] = []
        for var event in events {
            event.previousHash = previous
            event.hash = event.computedHash
            previous = event.hash
            statements.append("UPDATE audit_events SET hash = \(quoted(event.hash)), event = \(quoted(json(event))) WHERE case_id = 'c1' AND sequence = \(event.sequence)")
        }
        var head = record
        head.auditHead = previous
        statements.append("UPDATE cases SET record = \(quoted(json(head))) WHERE id = 'c1'")
        return statements
    }

    static let tamperings: [Tampering] = [
        Tampering(description: "the record's state edited", detectedWithoutCheckpoints: true) { _, record in
            var edited = record
            edited.state = "closed"
            return ["UPDATE cases SET state = 'closed', record = \(quoted(json(edited))) WHERE id = 'c1'"]
        },
        Tampering(description: "a field of the record edited", detectedWithoutCheckpoints: true) { _, record in
            var edited = record
            edited.fields["child.first_name"] = .string("Alex")
            return ["UPDATE cases SET record = \(quoted(json(edited))) WHERE id = 'c1'"]
        },
        Tampering(description: "a grant's level edited (none to full)", detectedWithoutCheckpoints: true) { _, record in
            var edited = record
            edited.grants = edited.grants.map { grant in
                var raised = grant
                raised.level = "full"
                return raised
            }
            return ["UPDATE cases SET record = \(quoted(json(edited))) WHERE id = 'c1'"]
        },
        Tampering(description: "an event's content edited", detectedWithoutCheckpoints: true) { events, _ in
            var event = events[3]
            event.input["parent_comment"] = .string("never said")
            return ["UPDATE audit_events SET event = \(quoted(json(event))) WHERE case_id = 'c1' AND sequence = 4"]
        },
        Tampering(description: "an event's actor rewritten", detectedWithoutCheckpoints: true) { events, _ in
            var event = events[1]
            event.actor = CaseActor(role: "send_manager", id: "sam")
            return ["UPDATE audit_events SET event = \(quoted(json(event))) WHERE case_id = 'c1' AND sequence = 2"]
        },
        Tampering(description: "the last event deleted", detectedWithoutCheckpoints: true) { _, _ in
            ["DELETE FROM audit_events WHERE case_id = 'c1' AND sequence = 5"]
        },
        Tampering(description: "a middle event deleted", detectedWithoutCheckpoints: true) { _, _ in
            ["DELETE FROM audit_events WHERE case_id = 'c1' AND sequence = 3"]
        },
        Tampering(description: "two events reordered", detectedWithoutCheckpoints: true) { _, _ in
            ["UPDATE audit_events SET sequence = 99 WHERE case_id = 'c1' AND sequence = 4",
             "UPDATE audit_events SET sequence = 4 WHERE case_id = 'c1' AND sequence = 5",
             "UPDATE audit_events SET sequence = 5 WHERE case_id = 'c1' AND sequence = 99"]
        },
        Tampering(description: "a forged event inserted at the end", detectedWithoutCheckpoints: true) { events, _ in
            let last = events[events.count - 1]
            let forged = AuditEvent(caseID: "c1", sequence: last.sequence + 1, at: last.at, actor: CaseActor(role: "caseworker", id: "ana"), action: "fired",
                                    subject: "decide", fromState: "deciding", toState: "closed", revision: last.revision + 1, input: [:],
                                    change: RecordChange(state: "closed"), previousHash: last.hash)
            return ["INSERT INTO audit_events (case_id, sequence, hash, event) VALUES ('c1', \(forged.sequence), \(quoted(forged.hash)), \(quoted(json(forged))))"]
        },
        Tampering(description: "an event back-dated and every later hash recomputed", detectedWithoutCheckpoints: false) { events, record in
            var edited = events
            edited[2].at = edited[2].at.addingTimeInterval(-86_400 * 30)
            return rechained(edited, record: record)
        },
        Tampering(description: "the record removed, its events left", detectedWithoutCheckpoints: true) { _, _ in
            ["DELETE FROM cases WHERE id = 'c1'"]
        },
        Tampering(description: "an input rewritten and the whole chain recomputed", detectedWithoutCheckpoints: false) { events, record in
            var edited = events
            edited[3].input["parent_comment"] = .string("never said")
            return rechained(edited, record: record)
        },
        Tampering(description: "the case removed with all its events", detectedWithoutCheckpoints: false) { _, _ in
            ["DELETE FROM audit_events WHERE case_id = 'c1'", "DELETE FROM cases WHERE id = 'c1'", "DELETE FROM deadline_alarms WHERE case_id = 'c1'"]
        },
    ]

    @Test func eachTamperingIsDetectedOrDocumentedAsBeyondTheChain() throws {
        var detected = 0
        var mustDetect = 0
        for tampering in Self.tamperings {
            let space = try Self.workspace()
            #expect(space.run(["audit", "verify"]).status == .success, "\(tampering): the store starts intact")
            let store = try SQLiteCaseStore(path: space.database)
            let record = try #require(try store.load(caseID: "c1"))
            let events = try store.history(caseID: "c1")
            #expect(events.count == 5)
            var db: OpaquePointer?
            #expect(sqlite3_open(space.database, &db) == SQLITE_OK)
            for statement in ["PRAGMA foreign_keys = OFF", "DROP TRIGGER audit_events_no_update", "DROP TRIGGER audit_events_no_delete"]
                + tampering.sql(events, record)
            {
                #expect(sqlite3_exec(db, statement, nil, nil, nil) == SQLITE_OK, "\(tampering): \(String(cString: sqlite3_errmsg(db)))")
            }
            sqlite3_close(db)
            let verified = space.run(["audit", "verify"])
            let caught = verified.status != .success
            if caught { detected += 1 }
            if tampering.detectedWithoutCheckpoints {
                mustDetect += 1
                #expect(caught, "\(tampering) went unnoticed: \(verified.out)")
                #expect(verified.out.contains("case c1:"), "\(tampering): the report names the case: \(verified.out)")
                #expect(!verified.out.contains("case c2:"), "\(tampering): the untouched case is not reported: \(verified.out)")
            } else {
                #expect(!caught, "\(tampering): a consistent rewrite is beyond the chain alone; if this now fails, the threat model changed: \(verified.out)")
            }
        }
        print("audit verify without checkpoints detected \(detected) of \(Self.tamperings.count) tamperings (all \(mustDetect) it must; the other \(Self.tamperings.count - mustDetect) need signed checkpoints)")
        #expect(detected == mustDetect)
    }

    /// `audit verify` run again and again while eight processes write to the same file never reports a break that
    /// is not there: it reads each case's record and history in one snapshot.
    @Test func verifyingWhileOthersWriteNeverCriesWolf() throws {
        let space = try CommandWorkspace(["door.yaml": OneDoorTests.workflow, "portal.yaml": OneDoorTests.policy])
        let parent = ["--as", "parent:jo", "--attribute", "relationship=parent", "--attribute", "second_factor_verified=true"]
        let staff = ["--as", "caseworker:ana", "--attribute", "relationship=caseworker", "--attribute", "second_factor_verified=true"]
        for index in 1...8 {
            #expect(space.run(["case", "open", "door", "--id", "c\(index)", "--set", "requested_on=2025-09-01"]).status == .success)
            #expect(space.run(["access", "grant", "c\(index)", "--to", "jo", "--level", "full", "--reason", "checked"] + staff).status == .success)
        }
        let binary = try CaseCommandTests.executable()
        let writing = Mutex(8)
        let fires = Mutex(0)
        let writers = (1...8).map { index in
            Thread {
                for round in 1...25 {
                    let arguments = ["case", "fire", "c\(index)", "comment", "--set", "parent_comment=round \(round)"] + parent
                        + ["--db", space.database, "--definitions", space.definitions]
                    guard let process = try? Spawn.start([binary.path] + arguments, out: "/dev/null") else { continue }
                    if Spawn.wait(process).status == 0 { fires.withLock { $0 += 1 } }
                }
                writing.withLock { $0 -= 1 }
            }
        }
        writers.forEach { $0.start() }
        // The verifier is the library behind `audit verify`, on its own connection to the file, so a run costs
        // milliseconds and a thousand of them overlap the writers.
        let engine = try Engine(catalog: try DefinitionCatalog.load(paths: [space.definitions]), store: try SQLiteCaseStore(path: space.database))
        var falseReports: [String] = []
        var runs = 0
        while runs < 1_000 || writing.withLock({ $0 }) > 0 {
            for id in try engine.auditedCaseIDs(as: .operator()) {
                let verification = try engine.verifyAudit(id, as: .operator())
                if !verification.holds { falseReports.append("\(id): \(verification)") }
            }
            runs += 1
        }
        print("audit verify of every case ran \(runs) times while 8 processes fired \(fires.withLock { $0 }) times: \(falseReports.count) false reports")
        #expect(falseReports.isEmpty, "\(falseReports.prefix(3))")
        #expect(fires.withLock { $0 } == 200, "every writer's fires went through")
        #expect(space.run(["audit", "verify"]).status == .success)
    }
}
