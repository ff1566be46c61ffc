@testable import CaseworkDefinitions
@testable import CaseworkExpressions
@testable import CaseworkStore
import CaseworkTestSupport
@testable import CaseworkTime
import Foundation

/// Random stored values for the format property tests (`AuditFormatTests`, `StoredRowFormatTests`): hostile text
/// everywhere (keys included), every value kind, extreme numbers, every record part, each optional part nil or present.
struct RecordGenerator {
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
    mutating func maybe<T>(_ make: (inout RecordGenerator) -> T) -> T? { chance() ? make(&self) : nil }

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
            let json = String(decoding: StoredJSON.encoderBytes(["participants": roles]), as: UTF8.self)
            return try? StoredJSON.decode(RecordChange.self, from: Data(json.utf8))
        default:
            return RecordChange(
                state: maybe { $0.text() }, workflowVersion: maybe { Int($0.random.next() % 10) }, definitionSnapshot: maybe { $0.text() },
                setFields: values(), clearedFields: chance() ? [] : [text(), text()], participants: maybe { $0.participants() },
                forms: maybe { $0.forms() }, deadlines: maybe { $0.deadlines() }, grants: maybe { $0.grants() }, noticesSent: maybe { $0.notices() })
        }
    }

    mutating func list<T>(upTo count: UInt64, _ make: (inout RecordGenerator) -> T) -> [T] {
        (0..<Int(random.next() % count)).map { _ in make(&self) }
    }

    mutating func participants() -> CaseParticipants {
        var participants: [String: [String]] = [:]
        for _ in 0..<Int(random.next() % 3) { participants[text()] = list(upTo: 3) { $0.text() } }
        return CaseParticipants(participants)
    }

    mutating func forms() -> [FormInstance] {
        list(upTo: 3) { generator in
            FormInstance(id: generator.text(), form: generator.text(), formVersion: Int(generator.random.next() % 5), recipientRole: generator.text(),
                         recipientID: generator.maybe { $0.text() }, status: generator.pick([.shared, .submitted, .accepted, .rejected]),
                         fields: generator.values(), dueOn: generator.day(), submissions: Int(generator.random.next() % 4),
                         informationRequired: generator.maybe { $0.text() })
        }
    }

    mutating func deadlines() -> [DeadlineRecord] { list(upTo: 3) { $0.deadline() } }

    mutating func grants() -> [AccessGrant] {
        list(upTo: 3) { generator in
            AccessGrant(to: generator.chance() ? .person(generator.principalID()) : .organisation(generator.principalID()), level: generator.text(),
                        sections: generator.maybe { [$0.text(), $0.text()] }, from: generator.maybe { $0.day() }, until: generator.maybe { $0.day() },
                        grantedBy: generator.maybe { $0.text() }, reason: generator.maybe { $0.text() })
        }
    }

    /// A principal's id: ASCII letters, digits, `-`, `_` and `.`, as a principal read back must be.
    mutating func principalID() -> String {
        (0..<1 + Int(random.next() % 3)).map { _ in pick(["jo", "Kim", "hillside-primary", "a.b_c", "0", "Z9"]) }.joined()
    }

    mutating func notices() -> [NoticeSent] {
        list(upTo: 3) { NoticeSent(message: $0.text(), sentBy: $0.text(), route: $0.text(), sentOn: $0.day()) }
    }

    mutating func actor() -> CaseActor {
        switch random.next() % 4 {
        case 0: return .operator(text())
        case 1: return CaseActor(role: text(), id: text())
        case 2: return .organisation(text(), role: text())
        default: return CaseActor(role: text(), id: text(), organisation: text())
        }
    }

    /// An instant to the millisecond, as the engine records them, or (`anyFraction`) also any finite instant whose
    /// milliseconds fit an integer (as an event's hash needs), sub-millisecond fractions included.
    mutating func instant(anyFraction: Bool = false) -> Date {
        guard anyFraction, chance() else { return Date(timeIntervalSince1970: Double(Int64(bitPattern: random.next()) % 4_000_000_000_000) / 1000) }
        let seconds = double()
        return Date(timeIntervalSince1970: abs(seconds) < 9e15 ? seconds : seconds.truncatingRemainder(dividingBy: 9e15))
    }

    mutating func record() -> CaseRecord {
        CaseRecord(
            id: text(), workflow: text(), workflowVersion: pick([0, 1, Int.max, Int.min, Int(random.next() % 20)]), state: text(),
            revision: Int(random.next() % 1000), fields: values(), participants: participants(), forms: forms(),
            openedAt: instant(anyFraction: true), updatedAt: instant(anyFraction: true), auditHead: text(), deadlines: deadlines(), grants: grants(),
            definitionSnapshot: maybe { $0.text() }, noticesSent: notices())
    }

    mutating func message() -> OutboxMessage {
        let owed = chance()
        var message = OutboxMessage(
            id: text(), caseID: text(), createdAt: instant(anyFraction: true), recipientRole: text(), recipientID: maybe { $0.text() },
            template: text(), subject: text(), body: text(), channel: owed ? .other : .portal,
            owedReason: owed ? pick([.noParticipant, .noPortalAccess]) : nil)
        message.claimedBy = maybe { $0.text() }
        message.leaseUntil = maybe { $0.instant(anyFraction: true) }
        message.attempts = pick([0, 1, Int.max, Int(random.next() % 10)])
        message.deliveredAt = maybe { $0.instant(anyFraction: true) }
        return message
    }

    mutating func idempotencyRecord() -> IdempotencyRecord {
        IdempotencyRecord(key: text(), caseID: text(), request: text(), state: text(), revision: pick([0, -1, Int.max, Int(random.next() % 1000)]))
    }

    mutating func event(previousHash: String, anyFraction: Bool = false) -> AuditEvent {
        AuditEvent(
            caseID: text(), sequence: Int(random.next() % 1000), at: instant(anyFraction: anyFraction), actor: actor(), action: text(),
            subject: maybe { $0.text() }, fromState: maybe { $0.text() }, toState: text(), revision: Int(random.next() % 1000), input: values(),
            change: change(), previousHash: previousHash, effectiveOn: maybe { $0.day() },
            via: maybe { Intermediary($0.pick(Intermediary.Kind.allCases), name: $0.text()) })
    }
}
