import CaseworkTestSupport
import CaseworkTime
import Foundation
import Testing

/// `Date(iso8601:)` reads `YYYY-MM-DDTHH:MM:SSZ` itself and everything else through Foundation's `.iso8601` strategy:
/// whatever it reads directly must be the instant Foundation reads, and what Foundation refuses it refuses.
@Suite("ISO 8601 instants read as Foundation reads them")
struct ISO8601InstantTests {
    static func foundation(_ text: String) -> Date? { try? Date(text, strategy: .iso8601) }

    static func text(_ day: CalendarDate, _ hour: Int, _ minute: Int, _ second: Int) -> String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(day)T\(two(hour)):\(two(minute)):\(two(second))Z"
    }

    @Test func everyCountedDayAtItsEdgesReadsAsFoundationReadsIt() {
        var day = CalendarDate.countedRange.lowerBound
        var mismatches: [String] = []
        while day <= CalendarDate.countedRange.upperBound {
            for (hour, minute, second) in [(0, 0, 0), (23, 59, 59), (12, 30, 1)] {
                let text = Self.text(day, hour, minute, second)
                if Date(iso8601: text) != Self.foundation(text) { mismatches.append(text) }
            }
            day = day.adding(days: 1)
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    @Test(arguments: [1, 2])
    func randomTimesReadAsFoundationReadsThem(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        for _ in 0..<20_000 {
            let day = CalendarDate(daysSinceEpoch: CalendarDate.countedRange.lowerBound.daysSinceEpoch
                + Int(random.next() % UInt64(CalendarDate.countedRange.upperBound.daysSinceEpoch - CalendarDate.countedRange.lowerBound.daysSinceEpoch + 1)))
            let text = Self.text(day, Int(random.next() % 24), Int(random.next() % 60), Int(random.next() % 60))
            #expect(Date(iso8601: text) == Self.foundation(text), "\(text)")
        }
    }

    /// Texts the direct reading does not take, each read (or refused) as Foundation reads it: other forms, values
    /// Foundation rolls over, days outside the counted range, and text that is not a date at all.
    @Test(arguments: [
        "2025-11-25T10:00:00+01:00", "2025-11-25T10:00:00.250Z", "2025-11-25T24:00:00Z", "2025-11-25T23:60:00Z", "2025-11-25T23:59:60Z",
        "2025-11-31T10:00:00Z", "1900-02-29T00:00:00Z", "2025-02-29T12:00:00Z", "1799-12-31T23:59:59Z", "2300-01-01T00:00:00Z",
        "0001-01-01T00:00:00Z", "1582-10-10T00:00:00Z", "2025-11-25t10:00:00z", "2025-11-25 10:00:00Z", "2025-11-25T10:00:00",
        "2025-11-25", "", "not a date", "２０２５-11-25T10:00:00Z", "2025-1a-25T10:00:00Z", "2025-11-25T10:00:00ZZ",
    ])
    func otherTextsReadAsFoundationReadsThem(text: String) {
        #expect(Date(iso8601: text) == Self.foundation(text))
    }

    @Test func theCanonicalFormIsTheInstantItNames() {
        #expect(Date(iso8601: "2025-11-25T10:00:00Z")?.timeIntervalSince1970 == 1_764_064_800)
        #expect(Date(iso8601: "1970-01-01T00:00:00Z")?.timeIntervalSince1970 == 0)
    }
}
