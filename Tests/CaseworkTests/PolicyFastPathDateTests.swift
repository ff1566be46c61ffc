import CaseworkTestSupport
@testable import CaseworkTime
import Foundation
import Testing

/// The day of an instant in the statutory zone, and the instant a day starts there, worked out from offsets kept by span
/// of time (what every access decision and every deadline's alarms do), against `Calendar` working them out each time:
/// the same day for instants all over the accepted years, either side of every change of the clocks and of every
/// span's start, and the same start for every day time is counted on.
@Suite("Statutory days from kept offsets")
struct PolicyFastPathDateTests {
    /// The day of `instant` in the statutory zone, as `Calendar` gives it.
    static func calendarDay(_ instant: Date) -> CalendarDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = CalendarDate.statutoryTimeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        return CalendarDate(year: parts.year!, month: parts.month!, day: parts.day!)!
    }

    /// The instant `day` starts in the statutory zone, as `Calendar` gives it.
    static func calendarStart(_ day: CalendarDate, in calendar: Calendar) -> Date {
        calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))!
    }

    @Test func everyCountedDayStartsWhereCalendarSays() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = CalendarDate.statutoryTimeZone
        var day = CalendarDate.countedRange.lowerBound
        var mismatches: [String] = []
        var notMidnightUTC = 0
        while day <= CalendarDate.countedRange.upperBound {
            let start = day.start()
            if start != Self.calendarStart(day, in: calendar) { mismatches.append("\(day): \(start)") }
            if start.timeIntervalSince1970 != Double(day.daysSinceEpoch) * 86_400 { notMidnightUTC += 1 }
            day = day.adding(days: 1)
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
        #expect(notMidnightUTC > 50_000, "summer days start an hour before midnight UTC")
    }

    @Test func everyChangeOfTheClocksGivesTheSameDays() {
        var instant = CalendarDate(year: 1900, month: 1, day: 1)!.start()
        let end = CalendarDate(year: 2200, month: 1, day: 1)!.start()
        var transitions = 0
        while let next = CalendarDate.statutoryTimeZone.nextDaylightSavingTimeTransition(after: instant), next < end {
            transitions += 1
            for offset in [-86_400.0, -3_601, -3_600, -1, -0.5, 0, 0.5, 1, 3_599, 3_600, 3_601, 86_400] {
                let near = next.addingTimeInterval(offset)
                #expect(CalendarDate(near) == Self.calendarDay(near), "\(near)")
            }
            instant = next
        }
        #expect(transitions > 400)
    }

    /// Either side of the start of every span the offsets are kept by, where one span's offsets end and the next's begin.
    @Test func everyStartOfASpanGivesTheSameDays() {
        let first = StatutoryOffsets.number(of: Double(CalendarDate(year: 1800, month: 1, day: 1)!.daysSinceEpoch) * 86_400)
        let last = StatutoryOffsets.number(of: Double(CalendarDate(year: 2300, month: 1, day: 1)!.daysSinceEpoch) * 86_400)
        for number in first...last {
            let start = Double(number) * StatutoryOffsets.span
            #expect(StatutoryOffsets.number(of: start) == number && StatutoryOffsets.number(of: start - 0.5) == number - 1)
            for offset in [-86_400.0, -3_600, -1, -0.5, 0, 0.5, 1, 3_600, 86_400] {
                let near = Date(timeIntervalSince1970: start + offset)
                #expect(CalendarDate(near) == Self.calendarDay(near), "\(near)")
            }
        }
    }

    @Test(arguments: [1, 2, 3])
    func instantsAllOverTheYearsGiveTheSameDays(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let first = Double(CalendarDate(year: 1800, month: 1, day: 1)!.daysSinceEpoch) * 86_400
        let last = Double(CalendarDate(year: 2300, month: 1, day: 1)!.daysSinceEpoch) * 86_400
        for _ in 0..<5_000 {
            let instant = Date(timeIntervalSince1970: first + Double(random.next() % UInt64(last - first)) + Double(random.next() % 1_000) / 1_000)
            #expect(CalendarDate(instant) == Self.calendarDay(instant), "\(instant)")
        }
        for day in [CalendarDate(year: 1999, month: 12, day: 31)!, CalendarDate(year: 2025, month: 12, day: 31)!, CalendarDate(year: 2026, month: 3, day: 29)!] {
            for hour in 0..<48 {
                let instant = Date(timeIntervalSince1970: Double(day.daysSinceEpoch) * 86_400 + Double(hour) * 1_800)
                #expect(CalendarDate(instant) == Self.calendarDay(instant), "\(instant)")
            }
        }
    }
}
