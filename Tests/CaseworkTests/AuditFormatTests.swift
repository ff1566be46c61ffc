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
            case caseID, sequence, atMilliseconds, actor, action, subject, fromState, toState, revision, input, change, previousHash, effectiveOn
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
        }

        static func bytes(_ event: AuditEvent) -> [UInt8] { Array(StoredJSON.encode(EncoderReference(event: event))) }
    }

    /// Random events: hostile text everywhere (keys included), every value kind, extreme numbers, every record part.
    struct EventGenerator {
        var random: SeededGenerator

        static let pieces = [
            "", "a", "Sam", "\"", "\\", "/", "</script>", "\u{0}", "\u{1}", "\u{7}", "\u{8}", "\t", "\n", "\u{b}", "\u{c}", "\r", "\u{e}", "\u{1a}",
            "\u{1b}", "\u{1f}", " ", "\u{7f}", "\u{80}", "é", "e\u{301}", "Å", "\u{212B}", "ÿ", "😀", "👩‍👩‍👧", "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{FFFF}",
            "\u{10FFFF}", "中文", "Z", "_", "0", "9", "10", "A", "item", ":", "{}", "[1]", "\\u0041", "%s", "null", "true",
        ]

        mutating func pick<T>(_ values: [T]) -> T { values[Int(random.next() % UInt64(values.count))] }
        mutating func chance() -> Bool { random.next() % 2 == 0 }

        mutating func text() -> String { (0..<Int(random.next() % 5)).map { _ in pick(Self.pieces) }.joined() }

        mutating func double() -> Double {
            switch random.next() % 6 {
            case 0: return pick([0, -0.0, 1, -1.5, 0.1, 1e16, 1e-5, .leastNonzeroMagnitude, 1.7976931348623157e308, 1e15, 9_007_199_254_740_994, 100, 1756713600.123])
            case 1: return Double(Int64(bitPattern: random.next()) >> 11)
            case 2: return Double(bitPattern: random.next() & 0x7FEF_FFFF_FFFF_FFFF)
            case 3: return -Double(bitPattern: random.next() & 0x7FEF_FFFF_FFFF_FFFF)
            default: return Double(Int64(bitPattern: random.next()) % 4_000_000_000_000) / 1000
            }
        }

        mutating func decimal() -> Decimal {
            let text = pick(["2.5", "-0.001", "123456789.123456789", "0", "1e20", "0.1", "-7", "99999999999999999999999999999999999999", "1e-30", "3.14159"])
            let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))!
            return chance() ? value : value * Decimal(Int(random.next() % 1000) - 500)
        }

        mutating func value(depth: Int = 0) -> ExpressionValue {
            switch random.next() % (depth > 2 ? 7 : 8) {
            case 0: return .bool(chance())
            case 1: return .int(pick([0, -1, 1, Int.max, Int.min, Int(Int64(bitPattern: random.next())), Int(random.next() % 100)]))
            case 2: return .decimal(decimal())
            case 3: return .string(text())
            case 4: return .date(CalendarDate(year: 1900 + Int(random.next() % 300), month: 1 + Int(random.next() % 12), day: 1 + Int(random.next() % 28))!)
            case 5: return .datetime(Date(timeIntervalSince1970: double()))
            case 6: return .duration(StatutoryDuration(count: 1 + Int(random.next() % 50), unit: pick([.days, .weeks, .months, .years, .workingDays])))
            default: return .list((0..<Int(random.next() % 4)).map { _ in value(depth: depth + 1) })
            }
        }

        mutating func values() -> [String: ExpressionValue] {
            var result: [String: ExpressionValue] = [:]
            for _ in 0..<Int(random.next() % 6) { result[text()] = value() }
            return result
        }

        mutating func day() -> CalendarDate { CalendarDate("2025-09-01")!.adding(days: Int(random.next() % 4000) - 2000) }
        mutating func maybe<T>(_ make: (inout EventGenerator) -> T) -> T? { chance() ? make(&self) : nil }

        mutating func deadline(depth: Int = 0) -> DeadlineRecord {
            var record = DeadlineRecord(name: text(), startedOn: day(), dueOn: day())
            record.status = pick([.running, .paused, .met, .metLate, .breached, .excused, .lapsed, .closed])
            record.pausedOn = maybe { $0.day() }
            record.pausedDays = Int(random.next() % 40)
            record.remindersSent = (0..<Int(random.next() % 3)).map { _ in Int(random.next() % 5) }
            record.metOn = maybe { $0.day() }
            record.breachedOn = maybe { $0.day() }
            record.reason = maybe { $0.text() }
            record.exception = maybe { $0.text() }
            record.remindersSkipped = (0..<Int(random.next() % 3)).map { _ in Int(random.next() % 5) }
            record.closedOn = maybe { $0.day() }
            record.earlier = depth > 0 ? [] : (0..<Int(random.next() % 2)).map { _ in deadline(depth: 1) }
            return record
        }

        mutating func change() -> RecordChange? {
            switch random.next() % 5 {
            case 0: return nil
            case 1:
                var roles: [String: String] = [:]
                for _ in 0..<Int(random.next() % 3) { roles[text()] = text() }
                let json = String(decoding: StoredJSON.encode(["participants": roles]), as: UTF8.self)
                return try? StoredJSON.decode(RecordChange.self, from: Data(json.utf8))
            default:
                var participants: [String: [String]] = [:]
                for _ in 0..<Int(random.next() % 3) { participants[text()] = (0..<Int(random.next() % 3)).map { _ in text() } }
                return RecordChange(
                    state: maybe { $0.text() }, workflowVersion: maybe { Int($0.random.next() % 10) }, definitionSnapshot: maybe { $0.text() },
                    setFields: values(), clearedFields: chance() ? [] : [text(), text()], participants: maybe { _ in CaseParticipants(participants) },
                    forms: maybe { generator in
                        (0..<Int(generator.random.next() % 3)).map { _ in
                            FormInstance(id: generator.text(), form: generator.text(), formVersion: Int(generator.random.next() % 5), recipientRole: generator.text(),
                                         recipientID: generator.maybe { $0.text() }, status: generator.pick([.shared, .submitted, .accepted, .rejected]),
                                         fields: generator.values(), dueOn: generator.day(), submissions: Int(generator.random.next() % 4),
                                         informationRequired: generator.maybe { $0.text() })
                        }
                    },
                    deadlines: maybe { generator in (0..<Int(generator.random.next() % 3)).map { _ in generator.deadline() } },
                    grants: maybe { generator in
                        (0..<Int(generator.random.next() % 3)).map { _ in
                            AccessGrant(to: generator.chance() ? .person(generator.text()) : .organisation(generator.text()), level: generator.text(),
                                        sections: generator.maybe { [$0.text(), $0.text()] }, from: generator.maybe { $0.day() }, until: generator.maybe { $0.day() },
                                        grantedBy: generator.maybe { $0.text() }, reason: generator.maybe { $0.text() })
                        }
                    },
                    noticesSent: maybe { generator in
                        [NoticeSent(message: generator.text(), sentBy: generator.text(), route: generator.text(), sentOn: generator.day())]
                    })
            }
        }

        mutating func actor() -> CaseActor {
            switch random.next() % 4 {
            case 0: return .operator(text())
            case 1: return CaseActor(role: text(), id: text())
            case 2: return .organisation(text(), role: text())
            default: return CaseActor(role: text(), id: text(), organisation: text())
            }
        }

        mutating func event(previousHash: String) -> AuditEvent {
            AuditEvent(
                caseID: text(), sequence: Int(random.next() % 1000), at: Date(timeIntervalSince1970: Double(Int64(bitPattern: random.next()) % 4_000_000_000_000) / 1000), actor: actor(), action: text(),
                subject: maybe { $0.text() }, fromState: maybe { $0.text() }, toState: text(), revision: Int(random.next() % 1000), input: values(),
                change: change(), previousHash: previousHash, effectiveOn: maybe { $0.day() })
        }
    }

    @Test(arguments: [UInt64(1), 2, 3, 4])
    func writerBytesEqualTheEncoders(seed: UInt64) {
        var generator = EventGenerator(random: SeededGenerator(seed: seed))
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
        let reference = StoredJSON.encode(["k": value, "\u{212B}": value, "ÿ": value, "item10": value, "item9": value, "K": value])
        #expect(String(decoding: writer.bytes, as: UTF8.self) == String(decoding: reference, as: UTF8.self))
        #expect(writer.bytes == Array(reference))
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
