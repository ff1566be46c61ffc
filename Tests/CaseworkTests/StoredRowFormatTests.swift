@testable import CaseworkDefinitions
@testable import CaseworkExpressions
@testable import CaseworkStore
import CaseworkTestSupport
@testable import CaseworkTime
import Foundation
import Testing

/// Every row a commit stores is written by the canonical writer, and its bytes are exactly `JSONEncoder`'s under
/// ``StoredJSON``'s settings (so stored rows, and everything that reads them, are unchanged): over random records,
/// stored audit events, outbox messages and idempotency keys full of hostile text, every value kind, extreme numbers
/// and instants with any fraction of a second, each optional part absent and present. What the writer wrote reads
/// back as the value it was written from.
@Suite("Stored row bytes")
struct StoredRowFormatTests {
    /// Checks `count` values from `make`: `StoredJSON.encode` takes the writer, whose bytes equal `JSONEncoder`'s, and
    /// what it wrote decodes to the value. Stops at the first difference, naming it.
    static func check<Row: Codable & Equatable & CanonicallyWritable>(
        _ row: Row.Type, seed: UInt64, count: Int = 1_000, _ make: (inout RecordGenerator) -> Row
    ) throws {
        var generator = RecordGenerator(random: SeededGenerator(seed: seed))
        for index in 0..<count {
            let value = make(&generator)
            var writer = CanonicalJSON()
            value.write(to: &writer)
            let reference = StoredJSON.encoderBytes(value)
            let stored = StoredJSON.encode(value)
            guard writer.bytes == Array(reference), stored == reference else {
                Issue.record("\(Row.self) seed \(seed) value \(index) differs:\nwriter  \(String(decoding: writer.bytes, as: UTF8.self))\nencoder \(String(decoding: reference, as: UTF8.self))")
                return
            }
            #expect(!stored.isEmpty)
            let decoded = try StoredJSON.decode(Row.self, from: stored)
            guard decoded == value else {
                Issue.record("\(Row.self) seed \(seed) value \(index) reads back differently: \(String(decoding: stored, as: UTF8.self))")
                return
            }
        }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func caseRecords(seed: UInt64) throws {
        try Self.check(CaseRecord.self, seed: seed) { $0.record() }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func storedAuditEvents(seed: UInt64) throws {
        try Self.check(AuditEvent.self, seed: seed) { $0.event(previousHash: $0.text(), anyFraction: true) }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func outboxMessages(seed: UInt64) throws {
        try Self.check(OutboxMessage.self, seed: seed) { $0.message() }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func idempotencyRecords(seed: UInt64) throws {
        try Self.check(IdempotencyRecord.self, seed: seed) { $0.idempotencyRecord() }
    }

    /// Each optional part of each row absent, then present: the keys the writer leaves out are the ones `JSONEncoder`
    /// leaves out.
    @Test func everyOptionalAbsentAndPresent() throws {
        let day = CalendarDate("2025-09-01")!
        let at = Date(timeIntervalSince1970: 1_756_713_600.123_456_7)
        var record = CaseRecord(id: "c", workflow: "w", workflowVersion: 1, state: "s", revision: 1, fields: [:], participants: [:], forms: [],
                                openedAt: at, updatedAt: at, auditHead: "h")
        var message = OutboxMessage(id: "m", caseID: "c", createdAt: at, recipientRole: "parent", recipientID: nil, template: "t", subject: "s", body: "b")
        var event = AuditEvent(caseID: "c", sequence: 1, at: at, actor: .operator("o"), action: "opened", subject: nil, fromState: nil, toState: "s",
                               revision: 1, input: [:], previousHash: AuditEvent.genesisHash)
        for _ in 0..<2 {
            for (written, reference) in [
                (StoredJSON.encode(record), StoredJSON.encoderBytes(record)), (StoredJSON.encode(message), StoredJSON.encoderBytes(message)),
                (StoredJSON.encode(event), StoredJSON.encoderBytes(event)),
            ] {
                #expect(String(decoding: written, as: UTF8.self) == String(decoding: reference, as: UTF8.self))
            }
            #expect(try StoredJSON.decode(CaseRecord.self, from: StoredJSON.encode(record)) == record)
            #expect(try StoredJSON.decode(OutboxMessage.self, from: StoredJSON.encode(message)) == message)
            #expect(try StoredJSON.decode(AuditEvent.self, from: StoredJSON.encode(event)) == event)
            record.definitionSnapshot = "snapshot"
            record.deadlines = [DeadlineRecord(name: "d", startedOn: day, dueOn: day)]
            message = OutboxMessage(id: "m", caseID: "c", createdAt: at, recipientRole: "parent", recipientID: "jo", template: "t", subject: "s", body: "b",
                                    channel: .other, owedReason: .noPortalAccess)
            message.claimedBy = "deliverer"
            message.leaseUntil = at
            message.deliveredAt = at
            event = AuditEvent(caseID: "c", sequence: 2, at: at, actor: .operator("o"), action: "fired", subject: "t", fromState: "s", toState: "u",
                               revision: 2, input: ["x": .datetime(at)], change: RecordChange(state: "u"), previousHash: event.hash, effectiveOn: day)
        }
    }

    /// A number is written as `JSONEncoder` writes it, whole ones without `.0` and the rest as Swift's shortest
    /// round-trip text: the writer leaves the `.0` out by its bytes.
    @Test(arguments: [
        0, -0.0, 1, -1, 10, 100, 0.5, 1.5, -2.25, 0.1, 1e-05, 1e-7, 123_456_789.0, 1e15, 1e16, 1e17, -1e16, 1.2345678901234568e+20,
        1_756_713_600, 1_756_713_600.5, 1_756_713_600.123, 1_756_713_600.123_456_7, 4_102_444_800, -2_208_988_800.25,
        Double.leastNonzeroMagnitude, Double.leastNormalMagnitude, Double.greatestFiniteMagnitude, 9_007_199_254_740_992, 9_007_199_254_740_994, 0.30000000000000004,
    ])
    func aNumberIsWrittenAsJSONEncoderWritesIt(_ value: Double) {
        var writer = CanonicalJSON()
        writer.double(value)
        let valid = writer.isValidJSON
        #expect(writer.bytes == Array(StoredJSON.encoderBytes([value]).dropFirst().dropLast()), "\(value)")
        #expect(valid)
    }

    /// An instant JSON cannot hold (infinite or NaN) is refused as `JSONEncoder` refuses it: empty bytes, which the
    /// stores turn into an error, never a row of invalid JSON.
    @Test(arguments: [Double.infinity, -Double.infinity, Double.nan])
    func aNumberJSONCannotHoldIsRefused(seconds: Double) {
        let at = Date(timeIntervalSince1970: 1_756_713_600)
        var record = CaseRecord(id: "c", workflow: "w", workflowVersion: 1, state: "s", revision: 1, fields: ["when": .datetime(Date(timeIntervalSince1970: seconds))],
                                participants: [:], forms: [], openedAt: at, updatedAt: at, auditHead: "h")
        #expect(StoredJSON.encoderBytes(record).isEmpty)
        #expect(StoredJSON.encode(record).isEmpty)
        record.fields = [:]
        record.updatedAt = Date(timeIntervalSince1970: seconds)
        #expect(StoredJSON.encode(record).isEmpty)
        #expect(!StoredJSON.encode(IdempotencyRecord(key: "k", caseID: "c", request: "r", state: "s", revision: 1)).isEmpty)
    }

    /// A value without a writer still goes through `JSONEncoder`, so `StoredJSON.encode` stays the one door for all.
    @Test func aValueWithoutAWriterIsEncodedByJSONEncoder() {
        let version = DefinitionVersion(kind: "workflow", id: "w/é", version: 3, fingerprint: "f")
        #expect(StoredJSON.encode(version) == StoredJSON.encoderBytes(version))
        #expect(String(decoding: StoredJSON.encode(version), as: UTF8.self) == #"{"fingerprint":"f","id":"w/é","kind":"workflow","version":3}"#)
    }
}
