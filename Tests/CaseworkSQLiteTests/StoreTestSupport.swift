import Casework
import Foundation

/// A directory of its own for one test, removed when the test's value goes.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("casework-sqlite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// A path inside the directory.
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// Records with every field set, at whole-millisecond instants as the engine makes them.
enum Sample {
    static let opened = Date(timeIntervalSince1970: 1_757_000_000.123)

    static func instant(_ offsetMilliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(1_757_000_000_123 + offsetMilliseconds) / 1000)
    }

    static func record(_ id: String = "case-1", revision: Int = 1, state: String = "requested") -> CaseRecord {
        CaseRecord(
            id: id, workflow: "ehc-needs-assessment", workflowVersion: 3, state: state, revision: revision,
            fields: [
                "requested_on": .date(CalendarDate(year: 2025, month: 9, day: 1)!),
                "weeks_waited": .int(4),
                "score": .decimal(Decimal(string: "2.5")!),
                "evidence_complete": .bool(true),
                "requested_by": .string("parent — Zoë"),
                "deadline": .datetime(instant(86_400_000)),
                "notice": .duration(Casework.StatutoryDuration(count: 6, unit: .weeks)),
                "schools": .list([.string("hillside-primary"), .string("oak")]),
            ],
            participants: ["school": "hillside-primary", "health": "nhs-north"],
            forms: [
                FormInstance(
                    id: "professional-advice-1", form: "professional-advice", formVersion: 2, recipientRole: "health",
                    recipientID: "nhs-north", status: .rejected, fields: ["summary": .string("needs more")],
                    dueOn: CalendarDate(year: 2025, month: 10, day: 13)!, submissions: 1, informationRequired: "the OT report"
                )
            ],
            openedAt: opened, updatedAt: instant(Int64(revision) * 1000), auditHead: String(repeating: "a", count: 64)
        )
    }

    static func event(_ caseID: String = "case-1", sequence: Int, previous: String = AuditEvent.genesisHash) -> AuditEvent {
        AuditEvent(
            caseID: caseID, sequence: sequence, at: instant(Int64(sequence) * 1000), actor: CaseActor(role: "officer", id: "sam"),
            action: sequence == 1 ? "opened" : "fired", subject: sequence == 1 ? nil : "agree_to_assess",
            fromState: sequence == 1 ? nil : "requested", toState: "assessing", revision: sequence,
            input: ["reason": .string("meets the test")], previousHash: previous
        )
    }

    static func message(_ id: String, caseID: String = "case-1", at offset: Int64 = 0) -> OutboxMessage {
        OutboxMessage(
            id: id, caseID: caseID, createdAt: instant(offset), recipientRole: "parent", recipientID: offset.isMultiple(of: 2) ? "p-1" : nil,
            template: "assessment_agreed", subject: "We will assess", body: "Dear parent,\nwe will carry out an assessment."
        )
    }

    /// A change opening `id` with one event, the given messages and an optional key.
    static func opening(_ id: String = "case-1", messages: [String] = [], key: String? = nil) -> CaseChange {
        let record = record(id)
        return CaseChange(
            record: record, expectedRevision: nil, events: [event(id, sequence: 1)],
            outbox: messages.enumerated().map { message($1, caseID: id, at: Int64($0)) },
            idempotency: key.map { IdempotencyRecord(key: $0, caseID: id, request: "open", state: record.state, revision: 1) }
        )
    }

    /// A change moving `id` from `revision` to `revision + 1`, with one event and the given messages.
    static func advancing(_ id: String = "case-1", from revision: Int, messages: [String] = [], key: String? = nil) -> CaseChange {
        let record = record(id, revision: revision + 1, state: "state-\(revision + 1)")
        return CaseChange(
            record: record, expectedRevision: revision, events: [event(id, sequence: revision + 1)],
            outbox: messages.map { message($0, caseID: id, at: Int64(revision)) },
            idempotency: key.map { IdempotencyRecord(key: $0, caseID: id, request: "fire next", state: record.state, revision: revision + 1) }
        )
    }
}
