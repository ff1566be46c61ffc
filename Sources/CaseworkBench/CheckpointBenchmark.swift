import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkSQLite
import CaseworkStore
import CaseworkTime
import Foundation

/// Issue 11's benchmark: sign a checkpoint of 100,000 audit events (10,000 cases × 10) on SQLite and check the store
/// against it, beside the floor both stand on: reading every case and its history through the store.
enum CheckpointBenchmark {
    static let cases = 10_000
    static let eventsPerCase = 10

    static func run() {
        do {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-checkpoint-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let store = try SQLiteCaseStore(path: directory.appendingPathComponent("cases.sqlite").path)
            let filling = DispatchTime.now().uptimeNanoseconds
            try fill(store)
            let filled = Double(DispatchTime.now().uptimeNanoseconds - filling) / 1e9
            let key = try Ed25519PrivateKey.generate()

            let read = try Measure.bestThrowing(repetitions: 3) { () -> Int in
                var events = 0
                for id in try store.caseIDs() {
                    _ = try store.load(caseID: id)
                    events += try store.history(caseID: id).count
                }
                return events
            }
            let made = try Measure.bestThrowing(repetitions: 3) {
                try AuditCheckpoint.make(heads: AuditCheckpoint.heads(in: store), at: Date(), signingKey: key).text
            }
            let checked = try Measure.bestThrowing(repetitions: 3) { () -> CheckpointReport in
                let verified = try AuditCheckpoint.parse(text: made.result).verify(publicKey: key.publicKey)
                return try CheckpointReport.check(store, against: ["bench": verified])
            }
            guard read.result == cases * eventsPerCase, checked.result.cases == cases, checked.result.violations.isEmpty else {
                throw TickBenchmark.BenchError.unexpected("read \(read.result) events; checked \(checked.result.cases) cases, \(checked.result.violations.count) violations")
            }
            print("checkpoint: \(cases) cases × \(eventsPerCase) events = \(read.result) events, SQLite (filled in \(Measure.format(filled)) s)")
            print("  read every case and history (floor)   \(Measure.format(read.seconds * 1000)) ms")
            print("  checkpoint: read, walk chains, sign    \(Measure.format(made.seconds * 1000)) ms  (\(Measure.format(made.seconds / read.seconds, decimals: 2))x floor)")
            print("  verify: signature + every event        \(Measure.format(checked.seconds * 1000)) ms  (\(Measure.format(checked.seconds / read.seconds, decimals: 2))x floor)")
            print("  checkpoint file                        \(made.result.utf8.count / 1024) KiB")
        } catch {
            print("checkpoint: benchmark failed: \(error)")
        }
    }

    /// Commits the cases straight through the store, a thousand to a transaction, each opened with its ten chained events.
    static func fill(_ store: SQLiteCaseStore) throws {
        let operatorActor = CaseActor.operator("bench")
        let start = Date(timeIntervalSince1970: 1_756_717_200)
        for batch in stride(from: 0, to: cases, by: 1_000) {
            var changes: [CaseChange] = []
            for index in batch..<min(batch + 1_000, cases) {
                let id = "case-\(index)"
                var events: [AuditEvent] = []
                for sequence in 1...eventsPerCase {
                    events.append(AuditEvent(
                        caseID: id, sequence: sequence, at: start.addingTimeInterval(Double(sequence * 60)), actor: operatorActor,
                        action: sequence == 1 ? "opened" : "fired", subject: sequence == 1 ? nil : "step", fromState: sequence == 1 ? nil : "open",
                        toState: "open", revision: sequence, input: ["note": .string("event \(sequence)")],
                        previousHash: events.last?.hash ?? AuditEvent.genesisHash
                    ))
                }
                let record = CaseRecord(id: id, workflow: "bench", workflowVersion: 1, state: "open", revision: eventsPerCase, fields: [:], participants: [:],
                                        forms: [], openedAt: start, updatedAt: start, auditHead: events[eventsPerCase - 1].hash)
                changes.append(CaseChange(record: record, expectedRevision: nil, events: events, outbox: [], idempotency: nil))
            }
            try store.commit(all: changes)
        }
    }
}
