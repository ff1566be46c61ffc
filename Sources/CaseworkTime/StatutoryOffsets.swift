import Foundation
import Synchronization

/// The statutory time zone's offsets from UTC, worked out a span of time at a time when first asked and then kept, so
/// that the calendar date of an instant (``CalendarDate/init(_:)``) is integer arithmetic on day numbers rather than a
/// `Calendar` computation (which took most of an access decision's time).
///
/// A span is 2^25 seconds (about 388 days), numbered from 1970 either way: an instant's span is one division by a power
/// of two and the spans are kept in an array by number, where finding an instant's year took several divisions and a
/// dictionary took hashing it. A span's offsets are the zone's offset at its first instant and at every transition in
/// it; an instant's offset is that of the last of them at or before it. Working out a span takes a few microseconds,
/// once per process.
///
/// A span inside the years summer time has followed one rule (``SummerTime``, 1996 to the end of the years time is
/// counted on) is worked out from that rule; any other span from Foundation's time zone data. Both give the same
/// offsets (`PolicyFastPathDateTests` compare every counted day's start and every change of the clocks with
/// `Calendar`'s, and `SummerTimeTests` each span's offsets with Foundation's), but the rule needs no time zone: the
/// first `TimeZone(identifier: "Europe/London")` of a process loads ICU's zone data, about half a millisecond of
/// every command that decides access or sets a deadline's alarms (docs/performance.md, Benchmarks, `cli`, session 17).
package enum StatutoryOffsets {
    /// From which instant (seconds since 1970) an offset (seconds east of UTC) applies.
    private struct Period: Sendable {
        let from: Double
        let offset: Int
    }

    /// The length of a span, in seconds.
    static let span = 33_554_432.0

    /// The instants in the years a date can be written in (``CalendarDate/supportedYears``, UTC), in seconds since 1970.
    private static let supported = Double(CalendarDate.days(year: CalendarDate.supportedYears.lowerBound, month: 1, day: 1)) * 86_400
        ..< Double(CalendarDate.days(year: CalendarDate.supportedYears.upperBound + 1, month: 1, day: 1)) * 86_400

    /// The number of the span of the first supported instant: spans are kept from it.
    private static let firstSpan = number(of: supported.lowerBound)

    /// The offsets of each span asked about, by its number less ``firstSpan``; nil for a span not yet worked out.
    private static let spans = Mutex<[[Period]?]>([])

    /// The number of the span `seconds` since 1970 falls in.
    static func number(of seconds: Double) -> Int {
        Int((seconds / span).rounded(.down))
    }

    /// The statutory zone's offset from UTC at `seconds` since 1970, in seconds; nil for an instant outside the years
    /// a date can be written in.
    static func offset(at seconds: Double) -> Int? {
        guard supported.contains(seconds) else { return nil }
        let place = number(of: seconds) - firstSpan
        // The offset is found under the lock, so the span's offsets are read where they are kept rather than copied out.
        if let offset = spans.withLock({ $0.indices.contains(place) ? $0[place].map { offset(at: seconds, in: $0) } : nil }) { return offset }
        return offset(at: seconds, in: work(place))
    }

    /// The offset of the last of `periods` that starts at or before `seconds`, or of the first.
    private static func offset(at seconds: Double, in periods: [Period]) -> Int {
        periods.last { $0.from <= seconds }?.offset ?? periods[0].offset
    }

    /// The instant (seconds since 1970) the day `day` (days since 1970) starts in the statutory zone: the one instant
    /// whose local time is that day's midnight; nil when there is none or more than one (a change of offset at
    /// midnight), which `Calendar` then decides.
    static func start(ofDay day: Int) -> Double? {
        let midnight = Double(day) * 86_400
        // An instant whose local time is midnight is within a day of it (offsets are hours), so its offset is one of
        // those in force from a day before to a day after.
        var found: [Double] = []
        for offset in offsets(from: midnight - 86_400, to: midnight + 86_400) {
            let instant = midnight - Double(offset)
            if self.offset(at: instant) == offset, !found.contains(instant) { found.append(instant) }
        }
        return found.count == 1 ? found[0] : nil
    }

    /// Every offset in force at some instant from `start` to `end` (seconds since 1970, in the years a date can be
    /// written in).
    private static func offsets(from start: Double, to end: Double) -> [Int] {
        guard let first = offset(at: start), let last = offset(at: end) else { return [] }
        var offsets = [first, last]
        for place in number(of: start) - firstSpan...number(of: end) - firstSpan {
            for period in periods(at: place) where period.from > start && period.from <= end {
                offsets.append(period.offset)
            }
        }
        return offsets
    }

    /// Whether the offsets of the span `instant` falls in are worked out by the summer-time rule (``SummerTime``), so that
    /// its calendar date needs no time zone data; false for a span reaching outside the years the rule covers, which
    /// Foundation's data (and so ICU's, loaded on first use) decides.
    package static func isWorkedOutByRule(_ instant: Date) -> Bool {
        let start = Double(number(of: instant.timeIntervalSince1970)) * span
        return SummerTime.changes(from: start, to: start + span) != nil
    }

    /// The offsets of the span kept at `place`, worked out first if they have not been.
    private static func periods(at place: Int) -> [Period] {
        spans.withLock { $0.indices.contains(place) ? $0[place] : nil } ?? work(place)
    }

    /// Works out and keeps the offsets of the span kept at `place`.
    private static func work(_ place: Int) -> [Period] {
        let start = Double(place + firstSpan) * span
        let changes = SummerTime.changes(from: start, to: start + span) ?? foundationPeriods(from: start, to: start + span)
        let periods = changes.map { Period(from: $0.from, offset: $0.offset) }
        spans.withLock { spans in
            if spans.count <= place { spans += Array(repeating: nil, count: place + 1 - spans.count) }
            spans[place] = periods
        }
        return periods
    }

    /// The offsets from `start` to `end` (seconds since 1970) as Foundation's time zone data gives them: the offset at
    /// `start` and at every transition after it and before `end`.
    static func foundationPeriods(from start: Double, to end: Double) -> [(from: Double, offset: Int)] {
        let zone = CalendarDate.statutoryTimeZone
        var periods = [(from: start, offset: zone.secondsFromGMT(for: Date(timeIntervalSince1970: start)))]
        var instant = Date(timeIntervalSince1970: start)
        while let next = zone.nextDaylightSavingTimeTransition(after: instant), next.timeIntervalSince1970 < end, next > instant {
            periods.append((next.timeIntervalSince1970, zone.secondsFromGMT(for: next)))
            instant = next
        }
        return periods
    }
}

/// UK summer time as the Summer Time Order 2002 sets it, and as it has been since 1996 (the European rule): an hour
/// ahead of Greenwich mean time from 01:00 GMT on the last Sunday of March to 01:00 GMT on the last Sunday of
/// October. ``StatutoryOffsets`` works the offsets out from it for the years it covers, so that a command needs no
/// `TimeZone` (whose first use loads ICU's zone data) to tell which day an instant falls on.
enum SummerTime {
    /// The instants (seconds since 1970) the rule is used for: from 1996-01-01 to the end of the days time is counted on
    /// (``CalendarDate/countedRange``). Earlier years followed other rules, which Foundation's data holds.
    static let covered = Double(CalendarDate.days(year: 1996, month: 1, day: 1)) * 86_400
        ..< Double(CalendarDate.countedRange.upperBound.daysSinceEpoch + 1) * 86_400

    /// The offset from GMT (seconds) at `start`, and each change of it after `start` and before `end`, with the offset
    /// from then on; nil unless the whole of `start..<end` is ``covered``.
    static func changes(from start: Double, to end: Double) -> [(from: Double, offset: Int)]? {
        guard covered.contains(start), end <= covered.upperBound else { return nil }
        let firstYear = CalendarDate(daysSinceEpoch: Int((start / 86_400).rounded(.down))).year
        let lastYear = CalendarDate(daysSinceEpoch: Int((end / 86_400).rounded(.down))).year
        var changes = [(from: start, offset: offset(at: start))]
        for year in firstYear...lastYear {
            for (instant, offset) in [(begins(year), 3_600), (ends(year), 0)] where instant > start && instant < end {
                changes.append((instant, offset))
            }
        }
        return changes
    }

    /// The offset from GMT (seconds) at `seconds` since 1970, an instant in ``covered``.
    static func offset(at seconds: Double) -> Int {
        let year = CalendarDate(daysSinceEpoch: Int((seconds / 86_400).rounded(.down))).year
        return seconds >= begins(year) && seconds < ends(year) ? 3_600 : 0
    }

    /// When summer time begins in `year`: 01:00 GMT on the last Sunday of March.
    static func begins(_ year: Int) -> Double { lastSunday(of: 3, in: year) }

    /// When summer time ends in `year`: 01:00 GMT on the last Sunday of October.
    static func ends(_ year: Int) -> Double { lastSunday(of: 10, in: year) }

    /// 01:00 GMT on the last Sunday of `month` (a month of 31 days) in `year`, in seconds since 1970.
    private static func lastSunday(of month: Int, in year: Int) -> Double {
        let last = CalendarDate(daysSinceEpoch: CalendarDate.days(year: year, month: month, day: 31))
        return Double(last.daysSinceEpoch - last.weekday % 7) * 86_400 + 3_600
    }
}
