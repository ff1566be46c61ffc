@testable import CaseworkDefinitions
@testable import CaseworkEngine
@testable import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import CaseworkYAML
import Foundation
import Testing

/// The replacements made so that a warm command asks the Swift runtime fewer first-time questions (session 22,
/// `meta11`; session 23, `dec12`) keep what they replaced: a kept outcome is what its step made or threw, a case record
/// read through the overload chosen at compile time is the record the general decoder reads, a file hashed for the
/// cache's key is its bytes' SHA-256 or, unread, leaves the set without a key, slots read by index are the values read
/// by name, and a condition thrown is the condition returned.
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

    /// A file's digest is its bytes' SHA-256, or nil when it cannot be read (here: over the size limit, refused
    /// unread); a set with such a file has no key, so it is loaded in full, and its readable files keep their digests.
    @Test func aFileThatCannotBeReadHasNoDigestAndItsSetNoKey() throws {
        let space = try DefinitionCacheTests.Space()
        let files = try Validator.read(paths: space.paths)
        let largest = try #require(files.compactMap { try? $0.bytes.get().count }.max())
        let all = try Validator.digests(paths: space.paths)
        #expect(all.map(\.sha256) == files.map { file in (try? file.bytes.get()).map { SHA256.hex($0) } })
        #expect(all.allSatisfy { $0.sha256 != nil })
        #expect(space.cache.key(for: all) != nil)
        let limits = YAMLLimits(maxFileBytes: largest - 1, maxDepth: 64, maxScalarBytes: 1 << 20, maxNodes: 1 << 20, maxAliases: 64)
        let limited = try Validator.digests(paths: space.paths, limits: limits)
        #expect(limited.map(\.file) == all.map(\.file))
        for (digest, whole) in zip(limited, all) {
            #expect(digest.sha256 == nil || digest.sha256 == whole.sha256)
        }
        #expect(limited.filter { $0.sha256 == nil }.count == files.filter { (try? $0.bytes.get().count) == largest }.count)
        #expect(space.cache.key(for: limited) == nil)
        let unread = files.map { file in
            Validator.FileBytes(file: file.file, bytes: (try? file.bytes.get().count) == largest ? .failure(.unreadable(file: file.file, reason: "gone")) : file.bytes)
        }
        #expect(space.cache.key(for: unread) == nil)
        #expect(space.cache.key(for: files) == space.cache.key(for: all))
    }

    /// Slots read by searching the declarations by index (a name declared alone, by path from either of two tables,
    /// redeclared from one table to the other and to a name of its own, or not declared) hold what reading by name gives.
    @Test func slotsFoundByIndexHoldWhatTheNamesHold() {
        var names = ExpressionNames<ExpressionNamesBuilderTests.Input>()
        names.declare("alone", .string) { _ in .string("alone") }
        names.declare(fields: [("amount", .decimal), ("child.name", .string), ("moved", .string)], under: "case.", from: { $0.fields })
        names.declare(fields: [("moved", .string), ("note", .string)], under: "case.", from: { input in
            input.fields.reduce(into: [:]) { $0[$1.key] = .string("second \($1.key)") }
        })
        names.declare("case.note", .string) { _ in .string("own note") }
        var slots = names.slots()
        for name in ["case.note", "alone", "case.amount", "undeclared", "case.moved", "case.child.name"] { _ = slots.slot(of: name) }
        let reader = names.slotReader(slots)
        let input = ExpressionNamesBuilderTests.Input(fields: ["amount": .int(2), "child.name": .string("Sam"), "moved": .string("m"), "note": .string("n")])
        let byName = names.values(for: input)
        #expect(reader.context(for: input).slots == slots.names.map { byName[$0] })
        #expect(byName["case.moved"] == .string("second moved"))
        #expect(byName["case.note"] == .string("own note"))
        #expect(byName["case.amount"] == .decimal(2))
    }

    /// Whether a condition holds, thrown (`holds(in:)`, what a policy's rules are decided with), is what
    /// `evaluateCondition` returns: true, false, an unset name, a value that is not a bool.
    @Test func aConditionHoldsAsItEvaluates() throws {
        var names = ExpressionNames<ExpressionNamesBuilderTests.Input>()
        names.declare(fields: [("n", .int)], from: { $0.fields })
        var slots = names.slots()
        let texts = ["n > 1", "n < 1", "n"]
        let compiled = try texts.map { text in
            CompiledExpression(try ExpressionChecker.compile(text, in: names.environment).get(), slots: &slots)
        }
        let reader = names.slotReader(slots)
        for fields in [["n": ExpressionValue.int(2)], [:]] {
            let context = reader.context(for: ExpressionNamesBuilderTests.Input(fields: fields))
            for expression in compiled {
                let thrown: Result<Bool, EvaluationError>
                do throws(EvaluationError) {
                    thrown = .success(try expression.holds(in: context))
                } catch {
                    thrown = .failure(error)
                }
                #expect(thrown == expression.evaluateCondition(context))
            }
        }
        #expect(throws: EvaluationError.wrongValueType(name: "n", expected: "bool")) {
            try compiled[2].holds(in: reader.context(for: ExpressionNamesBuilderTests.Input(fields: ["n": .int(2)])))
        }
        #expect(throws: EvaluationError.unset("n")) { try compiled[0].holds(in: reader.context(for: ExpressionNamesBuilderTests.Input(fields: [:]))) }
    }

    /// A located value is still equal to, and hashes as, any other of the same value wherever it was written, and
    /// differs from one of another value, now that `Hashable` is asked of its value only where it is compared or hashed
    /// (session 26, `cli15`: a list of reminders read from the cache no longer asks whether `RelativeDuration` is
    /// `Hashable`); a value that is not `Hashable` can be located.
    @Test func aLocatedValueComparesAndHashesItsValueOnly() {
        let here = SourceRange(file: "a.yaml", at: SourceMark(line: 1, column: 1, offset: 0))
        let there = SourceRange(file: "b.yaml", start: SourceMark(line: 9, column: 3, offset: 80), end: SourceMark(line: 9, column: 9, offset: 86))
        let reminders = [RelativeDuration(duration: StatutoryDuration(count: 2, unit: .weeks), direction: .before)]
        let written = reminders.map { Located($0, at: here) }, moved = reminders.map { Located($0, at: there) }
        #expect(written == moved)
        #expect(Set(written + moved).count == 1)
        #expect(Located(6, at: here).hashValue == Located(6, at: there).hashValue)
        #expect(Located(6, at: here) != Located(7, at: here))
        struct Opaque: Sendable {}
        #expect(Located(Opaque(), at: there).range == there)
    }

    /// `type` read by the general `StoredJSON.decode`, which asks the runtime whether it has a canonical reader.
    private static func generally<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try StoredJSON.decode(type, from: data)
    }
}
