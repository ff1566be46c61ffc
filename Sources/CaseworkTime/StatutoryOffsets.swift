import Foundation
import Synchronization

/// The statutory time zone's offsets from UTC, worked out a year at a time when first asked and then kept, so that the
/// calendar date of an instant (``CalendarDate/init(_:in:)``) is integer arithmetic on day numbers rather than a
/// `Calendar` computation (which took most of an access decision's time).
///
/// A year's offsets are the zone's offset at the year's first instant (UTC) and at every transition in the year, as
/// Foundation's time zone data gives them; an instant's offset is that of the last of them at or before it. Working out
/// a year takes a few microseconds, once per process.
enum StatutoryOffsets {
    /// From which instant (seconds since 1970) an offset (seconds east of UTC) applies.
    private struct Period: Sendable {
        let from: Double
        let offset: Int
    }

    /// The offsets of each year asked about, by year (UTC).
    private static let years = Mutex<[Int: [Period]]>([:])

    /// The statutory zone's offset from UTC at `seconds` since 1970, in seconds; nil for an instant outside the years
    /// a date can be written in.
    static func offset(at seconds: Double) -> Int? {
        guard seconds.isFinite, abs(seconds) < 400_000_000_000 else { return nil }
        let year = CalendarDate(daysSinceEpoch: Int((seconds / 86_400).rounded(.down))).year
        guard CalendarDate.supportedYears.contains(year) else { return nil }
        let periods = years.withLock { $0[year] } ?? work(year)
        return periods.last { $0.from <= seconds }?.offset ?? periods[0].offset
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
        let years = CalendarDate(daysSinceEpoch: Int((start / 86_400).rounded(.down))).year...CalendarDate(daysSinceEpoch: Int((end / 86_400).rounded(.down))).year
        for year in years {
            for period in self.years.withLock({ $0[year] }) ?? work(year) where period.from > start && period.from <= end {
                offsets.append(period.offset)
            }
        }
        return offsets
    }

    /// Works out and keeps the offsets of `year`.
    private static func work(_ year: Int) -> [Period] {
        let zone = CalendarDate.statutoryTimeZone
        let start = Double(CalendarDate.days(year: year, month: 1, day: 1)) * 86_400
        let end = Double(CalendarDate.days(year: year + 1, month: 1, day: 1)) * 86_400
        var periods = [Period(from: start, offset: zone.secondsFromGMT(for: Date(timeIntervalSince1970: start)))]
        var instant = Date(timeIntervalSince1970: start)
        while let next = zone.nextDaylightSavingTimeTransition(after: instant), next.timeIntervalSince1970 < end, next > instant {
            periods.append(Period(from: next.timeIntervalSince1970, offset: zone.secondsFromGMT(for: next)))
            instant = next
        }
        years.withLock { $0[year] = periods }
        return periods
    }
}
