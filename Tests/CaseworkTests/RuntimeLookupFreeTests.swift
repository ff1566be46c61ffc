@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkStore
import Foundation
import Testing

/// The replacements made so that a warm command asks the Swift runtime fewer first-time questions (session 22,
/// `meta11`) keep what they replaced: a kept outcome is what its step made or threw, and a case record read through the
/// overload chosen at compile time is the record the general decoder reads.
@Suite("Runtime look-ups: the replacements keep their results")
struct RuntimeLookupFreeTests {
    @Test func anOutcomeKeepsTheValueItsStepMade() throws {
        let outcome = EngineOutcome { () throws(EngineError) in 42 }
        #expect(try outcome.get() == 42)
        guard case .made(42) = outcome else {
            Issue.record("expected the value made")
            return
        }
    }

    @Test func anOutcomeKeepsTheErrorItsStepThrew() {
        let outcome = EngineOutcome { () throws(EngineError) -> Int in throw .definitionError("no tree") }
        guard case .failed(.definitionError(let detail)) = outcome else {
            Issue.record("expected the error thrown")
            return
        }
        #expect(detail == "no tree")
        #expect(throws: EngineError.self) { try outcome.get() }
    }

    @Test func aCaseRecordReadByItsOwnOverloadIsTheGeneralReadersRecord() throws {
        let at = Date(timeIntervalSince1970: 1_700_000_000)
        let record = CaseRecord(id: "c1", workflow: "w", workflowVersion: 1, state: "open", revision: 2, fields: ["n": .int(3), "s": .string("a\"b")],
                                participants: [:], forms: [], openedAt: at, updatedAt: at, auditHead: AuditEvent.genesisHash)
        let data = StoredJSON.encode(record)
        let known: CaseRecord = try StoredJSON.decode(CaseRecord.self, from: data)
        #expect(known == (try Self.generally(CaseRecord.self, from: data)))
        #expect(known == record)
        #expect(throws: CanonicalJSONReader.Failure.self) { try StoredJSON.decode(CaseRecord.self, from: Data("{".utf8)) }
    }

    /// `type` read by the general `StoredJSON.decode`, which asks the runtime whether it has a canonical reader.
    private static func generally<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try StoredJSON.decode(type, from: data)
    }
}
