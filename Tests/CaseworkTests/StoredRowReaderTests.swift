@testable import CaseworkDefinitions
@testable import CaseworkExpressions
import CaseworkSQLite
@testable import CaseworkStore
import CaseworkTestSupport
@testable import CaseworkTime
import Foundation
import Testing

/// Stored case records and idempotency keys are read back by the canonical reader (`StoredJSON.decode`), which must read exactly what
/// `JSONDecoder` reads, to the same value: over random records full of hostile text, the rows of a store written before
/// the writer, every valid way of writing a row `JSONDecoder` accepts (whitespace, member order, escapes, unknown and
/// `null` members, the older shapes), and every truncation and many flipped bytes of written rows, where the reader
/// either refuses with its typed failure or reads what `JSONDecoder` reads.
@Suite("Stored row reader")
struct StoredRowReaderTests {
    /// A row read from `bytes` by the reader and by `JSONDecoder`: both, or neither.
    enum Outcome<Row: Equatable>: Equatable {
        case read(Row)
        case refused
    }

    /// The reader's outcome for `bytes`; a refusal is always its typed failure, with an offset inside the bytes.
    static func reader<Row: CanonicallyReadable & Equatable>(_ bytes: Data, as row: Row.Type) -> Outcome<Row> {
        do throws(CanonicalJSONReader.Failure) {
            return .read(try CanonicalJSONReader.read(Row.self, from: bytes))
        } catch {
            #expect(error.offset >= 0 && error.offset <= bytes.count, "\(error)")
            return .refused
        }
    }

    /// `JSONDecoder`'s outcome for `bytes`.
    static func decoder<Row: Decodable & Equatable>(_ bytes: Data, as row: Row.Type) -> Outcome<Row> {
        guard let value = try? StoredJSON.decoderValue(Row.self, from: bytes) else { return .refused }
        return .read(value)
    }

    /// Checks `count` rows from `make`: each reads, through the reader and through `StoredJSON.decode`, as the value it
    /// was written from and as `JSONDecoder` reads it.
    static func checkGenerated<Row: CanonicallyReadable & CanonicallyWritable & Codable & Equatable>(
        seed: UInt64, count: Int = 1_000, _ make: (inout RecordGenerator) -> Row
    ) throws {
        var generator = RecordGenerator(random: SeededGenerator(seed: seed))
        for index in 0..<count {
            let row = make(&generator)
            let bytes = StoredJSON.encode(row)
            let read = Self.reader(bytes, as: Row.self)
            guard read == .read(row), read == Self.decoder(bytes, as: Row.self), try StoredJSON.decode(Row.self, from: bytes) == row else {
                Issue.record("\(Row.self) seed \(seed) row \(index) reads differently: \(String(decoding: bytes, as: UTF8.self))")
                return
            }
        }
    }

    /// Every truncation of `rows` written rows from `make`, and 400 of each one's bytes replaced by bytes that matter to
    /// JSON: the reader never accepts what `JSONDecoder` refuses nor reads a different value, and refuses only what
    /// `JSONDecoder` refuses.
    static func checkDamaged<Row: CanonicallyReadable & CanonicallyWritable & Codable & Equatable>(
        seed: UInt64, rows: Int, _ make: (inout RecordGenerator) -> Row
    ) {
        var generator = RecordGenerator(random: SeededGenerator(seed: seed))
        let replacements: [UInt8] = Array("\"\\{}[],:0123456789-+.eEtfnu ".utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xC3, 0xFF]
        var accepted = 0
        for _ in 0..<rows {
            let bytes = Array(StoredJSON.encode(make(&generator)))
            var variants: [[UInt8]] = (0..<bytes.count).map { Array(bytes[..<$0]) }
            for _ in 0..<400 {
                var flipped = bytes
                flipped[Int(generator.random.next() % UInt64(bytes.count))] = generator.pick(replacements)
                variants.append(flipped)
            }
            for variant in variants {
                let data = Data(variant)
                let (read, decoded) = (Self.reader(data, as: Row.self), Self.decoder(data, as: Row.self))
                if read != .refused { accepted += 1 }
                guard read == decoded else {
                    Issue.record("reader \(read == .refused ? "refuses" : "reads"), JSONDecoder \(decoded == .refused ? "refuses" : "reads"): \(String(decoding: variant, as: UTF8.self))")
                    return
                }
            }
        }
        // Some replacements keep the row valid (a digit for a digit, a letter inside a string): both read those alike.
        #expect(accepted > 0)
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func generatedRecordsReadAsJSONDecoderReadsThem(seed: UInt64) throws {
        try Self.checkGenerated(seed: seed) { $0.record() }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func generatedIdempotencyRecordsReadAsJSONDecoderReadsThem(seed: UInt64) throws {
        try Self.checkGenerated(seed: seed) { $0.idempotencyRecord() }
    }

    @Test(arguments: [UInt64(4), 5])
    func damagedRecordsAgreeWithJSONDecoder(seed: UInt64) {
        Self.checkDamaged(seed: seed, rows: 12) { $0.record() }
    }

    @Test(arguments: [UInt64(6), 7])
    func damagedIdempotencyRecordsAgreeWithJSONDecoder(seed: UInt64) {
        Self.checkDamaged(seed: seed, rows: 40) { $0.idempotencyRecord() }
    }

    /// Valid JSON written otherwise than the writer writes it, and the shapes of earlier versions, read as `JSONDecoder`
    /// reads them.
    @Test(arguments: [
        // Whitespace everywhere, members in another order, an unknown member (skipped), escapes, integers with an
        // exponent or a fraction of zero.
        #" { "workflowVersion" : 1e0 , "id" : "c\u0031" , "workflow" : "w\/x", "state":"s","revision":2.0,"fields":{ "a" : { "int" : -7 } , "b":{"list":[ {"string":"\ud83d\ude00\n"} ]}},"participants":{},"forms":[],"openedAt":1.5,"updatedAt":2e3,"auditHead":"h","deadlines":[],"grants":[],"later":{"x":[1,2,{"y":null}]} } "#,
        // `null` for the optional members, participants in the older one-per-role form, a clock of the first format.
        #"{"auditHead":"h","deadlines":[{"dueOn":"2025-10-01","name":"d","pausedDays":0,"pausedOn":null,"remindersSent":[1],"startedOn":"2025-09-01","status":"met_late"}],"definitionSnapshot":null,"fields":{},"forms":[{"dueOn":"2025-09-10","fields":{"x":{"decimal":"2.50"}},"form":"f","formVersion":1,"id":"f-1","informationRequired":null,"recipientRole":"health","status":"rejected","submissions":3}],"grants":[{"level":"full","to":"organisation:hillside","until":null}],"id":"c","noticesSent":null,"openedAt":0,"participants":{"parent":"jo","school":["organisation:a","organisation:b"]},"revision":1,"state":"s","updatedAt":-0.25,"workflow":"w","workflowVersion":1}"#,
        // Every value kind, and a key in a value that it does not know.
        #"{"auditHead":"","deadlines":[],"fields":{"b":{"bool":true},"d":{"date":"2024-02-29"},"t":{"datetime":1756713600.123},"u":{"duration":"6 weeks"},"x":{"int":1,"note":"ignored"}},"forms":[],"grants":[],"id":"c","noticesSent":[{"message":"c/1/1","route":"post","sentBy":"sam","sentOn":"2025-01-02"}],"openedAt":1,"participants":{},"revision":9223372036854775807,"state":"s","updatedAt":1,"workflow":"w","workflowVersion":-9223372036854775808}"#,
    ])
    func otherValidSpellingsReadAsJSONDecoderReadsThem(json: String) throws {
        let data = Data(json.utf8)
        let decoded = Self.decoder(data, as: CaseRecord.self)
        #expect(decoded != .refused)
        #expect(Self.reader(data, as: CaseRecord.self) == decoded)
    }

    /// What `JSONDecoder` refuses, the reader refuses too, each with its typed failure: not JSON, a wrong type, a
    /// required member missing, a value with two type keys, an unknown status, a number out of range or with a
    /// fraction where an integer is wanted, a lone surrogate, a control character, bytes after the document.
    @Test(arguments: [
        "", "{", "[]", "null", #"{"id":"c"}"#,
        #"{"auditHead":"h","deadlines":[],"fields":{"a":{"int":1,"bool":true}},"forms":[],"grants":[],"id":"c","openedAt":0,"participants":{},"revision":1,"state":"s","updatedAt":0,"workflow":"w","workflowVersion":1}"#,
        #"{"auditHead":"h","deadlines":[],"fields":{"a":{}},"forms":[],"grants":[],"id":"c","openedAt":0,"participants":{},"revision":1,"state":"s","updatedAt":0,"workflow":"w","workflowVersion":1}"#,
        #"{"auditHead":"h","deadlines":[],"fields":{},"forms":[],"grants":[],"id":"c","openedAt":0,"participants":{},"revision":9223372036854775808,"state":"s","updatedAt":0,"workflow":"w","workflowVersion":1}"#,
        #"{"auditHead":"h","deadlines":[],"fields":{},"forms":[],"grants":[],"id":"c","openedAt":0,"participants":{},"revision":1,"state":"s","updatedAt":1e999,"workflow":"w","workflowVersion":1}"#,
        #"{"auditHead":"h","deadlines":[],"fields":{},"forms":[],"grants":[],"id":"c","openedAt":0,"participants":{},"revision":1.5,"state":"s","updatedAt":0,"workflow":"w","workflowVersion":1}"#,
        #"{"auditHead":"h","deadlines":[],"fields":{},"forms":[],"grants":[],"id":"\ud800","openedAt":0,"participants":{},"revision":1,"state":"s","updatedAt":0,"workflow":"w","workflowVersion":1}"#,
        "{\"auditHead\":\"h\u{1}\",\"deadlines\":[],\"fields\":{},\"forms\":[],\"grants\":[],\"id\":\"c\",\"openedAt\":0,\"participants\":{},\"revision\":1,\"state\":\"s\",\"updatedAt\":0,\"workflow\":\"w\",\"workflowVersion\":1}",
        #"{"auditHead":"h","deadlines":[{"dueOn":"2025-10-01","name":"d","pausedDays":0,"remindersSent":[],"startedOn":"2025-09-01","status":"late"}],"fields":{},"forms":[],"grants":[],"id":"c","openedAt":0,"participants":{},"revision":1,"state":"s","updatedAt":0,"workflow":"w","workflowVersion":1}"#,
        #"{"auditHead":"h","deadlines":[],"fields":{},"forms":[],"grants":[{"level":"full","to":"x:y"}],"id":"c","openedAt":0,"participants":{},"revision":1,"state":"s","updatedAt":0,"workflow":"w","workflowVersion":1}"#,
        #"{"auditHead":"h","deadlines":[],"fields":{"d":{"date":"2025-02-30"}},"forms":[],"grants":[],"id":"c","openedAt":0,"participants":{"p":[1]},"revision":1,"state":"s","updatedAt":0,"workflow":"w","workflowVersion":1}"#,
        #"{"auditHead":"h","deadlines":[],"fields":{},"forms":[],"grants":[],"id":"c","openedAt":0,"participants":{},"revision":1,"state":"s","updatedAt":0,"workflow":"w","workflowVersion":1} x"#,
        #"{"auditHead":"h","deadlines":[],"fields":{},"forms":[],"grants":[],"id":"c","openedAt":01,"participants":{},"revision":1,"state":"s","updatedAt":0,"workflow":"w","workflowVersion":1}"#,
    ])
    func whatJSONDecoderRefusesTheReaderRefuses(json: String) {
        let data = Data(json.utf8)
        #expect(Self.decoder(data, as: CaseRecord.self) == .refused)
        #expect(Self.reader(data, as: CaseRecord.self) == .refused)
    }

    /// A key written twice: valid JSON the writer never writes, which the reader refuses rather than pick one of the two.
    @Test(arguments: [
        #"{"auditHead":"h","deadlines":[],"fields":{},"forms":[],"grants":[],"id":"c","id":"d","openedAt":0,"participants":{},"revision":1,"state":"s","updatedAt":0,"workflow":"w","workflowVersion":1}"#,
        #"{"auditHead":"h","deadlines":[],"fields":{"a":{"int":1},"a":{"int":2}},"forms":[],"grants":[],"id":"c","openedAt":0,"participants":{},"revision":1,"state":"s","updatedAt":0,"workflow":"w","workflowVersion":1}"#,
    ])
    func validJSONTheWriterNeverWritesIsRefused(json: String) {
        #expect(Self.reader(Data(json.utf8), as: CaseRecord.self) == .refused)
    }

    /// Nesting deeper than the reader allows is refused with its failure, never a crash.
    @Test func deepNestingIsRefused() {
        let depth = CanonicalJSONReader.maximumDepth + 10
        let value = String(repeating: #"{"list":["#, count: depth) + String(repeating: "]}", count: depth)
        let json = #"{"auditHead":"h","deadlines":[],"fields":{"a":"# + value + #"},"forms":[],"grants":[],"id":"c","openedAt":0,"participants":{},"revision":1,"state":"s","updatedAt":0,"workflow":"w","workflowVersion":1}"#
        #expect(Self.reader(Data(json.utf8), as: CaseRecord.self) == .refused)
    }

    /// The case records of a store written before the canonical writer read as `JSONDecoder` reads them.
    @Test func aStoreWrittenBeforeTheWriterReadsAsBefore() throws {
        let database = try SQLiteDatabase(path: RepositoryPaths.fixture("audit/pre-writer-store.sqlite"), flags: .readOnly)
        let rows = try database.withConnection { connection in try connection.rows("SELECT record FROM cases") { $0.string(at: 0) ?? "" } }
        #expect(!rows.isEmpty)
        for row in rows {
            let data = Data(row.utf8)
            #expect(Self.decoder(data, as: CaseRecord.self) != .refused)
            #expect(Self.reader(data, as: CaseRecord.self) == Self.decoder(data, as: CaseRecord.self))
        }
    }
}
