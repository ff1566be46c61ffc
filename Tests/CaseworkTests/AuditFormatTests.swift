@testable import CaseworkDefinitions
@testable import CaseworkExpressions
@testable import CaseworkStore
import CaseworkSQLite
import CaseworkTestSupport
@testable import CaseworkTime
import Foundation
import Testing

/// The canonical writer hashes exactly what `JSONEncoder` hashed: its bytes equal the encoder's over random events
/// full of hostile text and every value kind, and chains written before the writer existed (checked-in fixtures and
/// an SQLite store) still verify.
@Suite("Audit event canonical bytes")
struct AuditFormatTests {
    /// The reference: what the hash covered before the writer, encoded by `JSONEncoder` under ``StoredJSON``'s settings.
    struct EncoderReference: Encodable {
        let event: AuditEvent

        private enum CodingKeys: String, CodingKey {
            case caseID, sequence, atMilliseconds, actor, action, subject, fromState, toState, revision, input, change, previousHash, effectiveOn, via
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(event.caseID, forKey: .caseID)
            try container.encode(event.sequence, forKey: .sequence)
            try container.encode(Int64((event.at.timeIntervalSince1970 * 1000).rounded()), forKey: .atMilliseconds)
            try container.encode(event.actor, forKey: .actor)
            try container.encode(event.action, forKey: .action)
            try container.encodeIfPresent(event.subject, forKey: .subject)
            try container.encodeIfPresent(event.fromState, forKey: .fromState)
            try container.encode(event.toState, forKey: .toState)
            try container.encode(event.revision, forKey: .revision)
            try container.encode(event.input, forKey: .input)
            try container.encodeIfPresent(event.change, forKey: .change)
            try container.encode(event.previousHash, forKey: .previousHash)
            try container.encodeIfPresent(event.effectiveOn, forKey: .effectiveOn)
            try container.encodeIfPresent(event.via, forKey: .via)
        }

        static func bytes(_ event: AuditEvent) -> [UInt8] { Array(StoredJSON.encode(EncoderReference(event: event))) }
    }

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func writerBytesEqualTheEncoders(seed: UInt64) {
        var generator = RecordGenerator(random: SeededGenerator(seed: seed))
        var previous = AuditEvent.genesisHash
        for index in 0..<2_500 {
            let event = generator.event(previousHash: previous)
            let written = event.canonicalBytes
            let reference = EncoderReference.bytes(event)
            guard written == reference else {
                Issue.record("seed \(seed) event \(index) differs:\nwriter  \(String(decoding: written, as: UTF8.self))\nencoder \(String(decoding: reference, as: UTF8.self))")
                return
            }
            #expect(event.hash == SHA256.hex(reference))
            previous = event.hash
        }
    }

    @Test(arguments: [
        ExpressionValue.string("q\"b\\s/ \u{0}\u{1f}\u{7f} é e\u{301} \u{212B} 😀 \u{2028}"), .int(Int.min), .int(Int.max), .int(0), .decimal(Decimal(string: "-0.001")!),
        .datetime(Date(timeIntervalSince1970: 1e16)), .datetime(Date(timeIntervalSince1970: -0.0)), .datetime(Date(timeIntervalSince1970: .leastNonzeroMagnitude)),
        .datetime(Date(timeIntervalSince1970: 1756713600)), .list([]), .list([.bool(true), .list([.bool(false)])]),
        .duration(StatutoryDuration(count: 1, unit: .workingDays)), .date(CalendarDate("0999-01-02")!),
    ])
    func eachValueKindIsWrittenAsTheEncoderWritesIt(value: ExpressionValue) {
        var writer = CanonicalJSON()
        (["k": value, "\u{212B}": value, "ÿ": value, "item10": value, "item9": value, "K": value] as [String: ExpressionValue]).write(to: &writer)
        let reference = StoredJSON.encoderBytes(["k": value, "\u{212B}": value, "ÿ": value, "item10": value, "item9": value, "K": value])
        #expect(String(decoding: writer.bytes, as: UTF8.self) == String(decoding: reference, as: UTF8.self))
        #expect(writer.bytes == Array(reference))
    }

    /// The writer grows the storage it writes into as it goes: from its smallest room, a value many times larger (long
    /// strings with escapes, integers of every length and sign) comes out byte for byte as the encoder writes it.
    @Test func aValueManyTimesTheWritersRoomIsWrittenAsTheEncoderWritesIt() {
        var values: [String: ExpressionValue] = [:]
        for index in 0..<300 {
            let magnitude = Int.max >> (index % 64)
            values["k\(index)"] = index % 3 == 0 ? .string(String(repeating: "a\"\\\n/é\u{1}", count: index)) : .int(index % 2 == 0 ? -magnitude : magnitude)
        }
        var writer = CanonicalJSON(capacity: 0)
        values.write(to: &writer)
        let reference = Array(StoredJSON.encoderBytes(values))
        #expect(reference.count > 10_000)
        #expect(writer.bytes == reference)
    }

    /// The writer looks for bytes to escape eight at a time: each byte that must be escaped (and its neighbours that must
    /// not: space, DEL, a byte above 0x7F) at every place of strings up to three words long, alone and beside another,
    /// comes out as the encoder writes it.
    @Test(arguments: ["\u{0}", "\u{1f}", "\"", "\\", " ", "!", "#", "[", "]", "\u{7f}", "é", "\u{2028}"])
    func aByteToEscapeIsFoundAtEveryPlace(special: String) {
        for length in 0..<24 {
            for place in 0...length {
                for text in [String(repeating: "a", count: place) + special + String(repeating: "b", count: length - place),
                             String(repeating: "\u{1}", count: place) + special + String(repeating: "/", count: length - place)] {
                    var writer = CanonicalJSON()
                    writer.string(text)
                    let reference = Array(StoredJSON.encoderBytes([text]).dropFirst().dropLast())
                    guard writer.bytes == reference else {
                        Issue.record("\(text.debugDescription): writer \(String(decoding: writer.bytes, as: UTF8.self)), encoder \(String(decoding: reference, as: UTF8.self))")
                        return
                    }
                }
            }
        }
    }

    /// A key of one character, which Swift may keep as a single scalar rather than as bytes, is written as any other.
    @Test func aOneCharacterKeyIsWritten() {
        var writer = CanonicalJSON()
        writer.object { writer in
            writer.member("a", 1)
            writer.member("b", true)
        }
        #expect(String(decoding: writer.bytes, as: UTF8.self) == #"{"a":1,"b":true}"#)
    }

    /// The events of a fixture file (one stored event per line), split into chains where a sequence starts again at 1.
    static func chains(_ file: String) throws -> [[AuditEvent]] {
        let text = try String(contentsOfFile: RepositoryPaths.fixture("audit/\(file)"), encoding: .utf8)
        var chains: [[AuditEvent]] = []
        for line in text.split(separator: "\n") {
            let event = try StoredJSON.decode(AuditEvent.self, from: Data(line.utf8))
            if event.sequence == 1 || chains.isEmpty { chains.append([]) }
            chains[chains.count - 1].append(event)
        }
        return chains
    }

    @Test(arguments: ["engine-run-seed1.jsonl", "engine-run-seed2.jsonl", "demo-ehcna.jsonl", "hostile-chains.jsonl"])
    func chainsWrittenBeforeTheWriterStillVerify(file: String) throws {
        let chains = try Self.chains(file)
        #expect(chains.count >= 1)
        for chain in chains {
            for event in chain {
                #expect(event.computedHash == event.hash, "\(file): \(event.caseID) event \(event.sequence)")
                #expect(String(decoding: event.canonicalBytes, as: UTF8.self) == String(decoding: EncoderReference.bytes(event), as: UTF8.self))
            }
            #expect(AuditVerification.verify(chain, record: nil) == .recordMissing(events: chain.count), "\(file): \(chain.first?.caseID ?? "")")
            if chain.first?.action == "opened", file != "hostile-chains.jsonl" {
                #expect((try? CaseReplay.rebuild(chain).get()) != nil, "\(file): \(chain.first?.caseID ?? "") replays")
            }
        }
    }

    @Test func aFixtureEventWithOneChangedByteNoLongerVerifies() throws {
        var chain = try #require(try Self.chains("demo-ehcna.jsonl").first)
        chain[4].input["tampered"] = .bool(true)
        #expect(AuditVerification.verify(chain, record: nil) == .broken(sequence: 5, reason: "its content does not match its hash"))
    }

    @Test func anSQLiteStoreWrittenBeforeTheWriterStillVerifies() throws {
        let workspace = try CommandWorkspace(["bench.yaml": try String(contentsOfFile: RepositoryPaths.fixture("audit/pre-writer-store.yaml"), encoding: .utf8)])
        try FileManager.default.copyItem(atPath: RepositoryPaths.fixture("audit/pre-writer-store.sqlite"), toPath: workspace.database)
        let result = workspace.run(["audit", "verify"])
        #expect(result.status == .success, "\(result.err)")
        #expect(result.out == "case c1: 5 events, chain intact, record replays\n")
    }

    @Test func theReferencePagesExampleIsAStoredEventsCanonicalBytesAndHash() throws {
        let page = try String(contentsOf: RepositoryPaths.root.appendingPathComponent("docs/reference/audit-format.md"), encoding: .utf8)
        let example = try #require(page.firstMatch(of: /<!-- example: canonical bytes -->\n```json\n(.+)\n```\n\nIts SHA-256, and so its `hash`, is\n`([0-9a-f]{64})`/))
        let store = try SQLiteCaseStore(path: RepositoryPaths.fixture("audit/pre-writer-store.sqlite"), options: .init(access: .readOnly))
        let event = try #require(try store.history(caseID: "c1").first { $0.sequence == 2 })
        #expect(String(decoding: event.canonicalBytes, as: UTF8.self) == String(example.output.1))
        #expect(SHA256.hex(String(example.output.1)) == String(example.output.2))
        #expect(event.hash == String(example.output.2))
    }
}
