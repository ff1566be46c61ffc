import Foundation

extension CalendarDate {
    /// The time zone statutory days are counted in: English SEND law runs on UK civil time.
    public static let statutoryTimeZone = TimeZone(identifier: "Europe/London") ?? .gmt

    /// The calendar date of `instant` in the statutory zone, from its offsets kept by span of time.
    public init(_ instant: Date) {
        guard let offset = StatutoryOffsets.offset(at: instant.timeIntervalSince1970) else {
            self.init(instant, byCalendarIn: Self.statutoryTimeZone)
            return
        }
        self.init(daysSinceEpoch: Int(((instant.timeIntervalSince1970 + Double(offset)) / 86_400).rounded(.down)))
    }

    /// The calendar date of `instant` in `timeZone` (in the statutory zone, as ``init(_:)`` gives it).
    public init(_ instant: Date, in timeZone: TimeZone) {
        if timeZone == Self.statutoryTimeZone {
            self.init(instant)
        } else {
            self.init(instant, byCalendarIn: timeZone)
        }
    }

    /// The calendar date of `instant` in `timeZone`, as `Calendar` works it out.
    private init(_ instant: Date, byCalendarIn timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: instant)
        self = CalendarDate(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1) ?? CalendarDate(daysSinceEpoch: 0)
    }
}

extension CalendarDate {
    /// The instant this day starts in the statutory zone (for the days time is counted on, from its offsets kept by span
    /// of time: making a `Calendar` loads the system's time zone through ICU, a third of a millisecond of a command that
    /// sets a deadline's alarms). It names no `TimeZone`, so a day counted on needs none (``StatutoryOffsets``).
    public func start() -> Date {
        if Self.countedRange.contains(self), let seconds = StatutoryOffsets.start(ofDay: daysSinceEpoch) {
            return Date(timeIntervalSince1970: seconds)
        }
        return start(byCalendarIn: Self.statutoryTimeZone)
    }

    /// The instant this day starts in `timeZone` (in the statutory zone, as ``start()`` gives it).
    public func start(in timeZone: TimeZone) -> Date {
        timeZone == Self.statutoryTimeZone ? start() : start(byCalendarIn: timeZone)
    }

    /// The instant this day starts in `timeZone`, as `Calendar` works it out.
    private func start(byCalendarIn timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(year: year, month: month, day: day)
        return calendar.date(from: components) ?? Date(timeIntervalSince1970: Double(daysSinceEpoch) * 86_400)
    }
}
