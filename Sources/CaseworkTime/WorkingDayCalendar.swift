/// Which days count as working days, for `N working days` and `working_days_between`.
public protocol WorkingDayCalendar: Sendable {
    /// Whether `date` is a working day.
    func isWorkingDay(_ date: CalendarDate) -> Bool
    /// The end of a period that runs `duration` from `start`, after any rules that move a period's end; fails,
    /// rather than answer with another date, when the period cannot be counted (``StatutoryTimeError``).
    func due(from start: CalendarDate, after duration: StatutoryDuration) throws(StatutoryTimeError) -> CalendarDate
    /// A due date worked out another way (a deadline's `due_on:`), moved by the rules that move a period's end, so
    /// a date expression falls due on the day a counted period ending there would; fails as `due` does.
    func rolled(_ end: CalendarDate) throws(StatutoryTimeError) -> CalendarDate
}

extension WorkingDayCalendar {
    /// The end of a period by the counting rules alone: no rule moves it.
    public func due(from start: CalendarDate, after duration: StatutoryDuration) throws(StatutoryTimeError) -> CalendarDate {
        try TimeArithmetic.moved(start, by: duration, sign: 1, calendar: self)
    }

    /// The date itself: no rule moves it.
    public func rolled(_ end: CalendarDate) throws(StatutoryTimeError) -> CalendarDate { end }
}

/// Monday to Friday, no holidays: the calendar used until a workflow names one with bank holidays.
public struct WeekdayCalendar: WorkingDayCalendar {
    /// Creates the calendar.
    public init() {}

    /// Monday to Friday.
    public func isWorkingDay(_ date: CalendarDate) -> Bool { date.weekday <= 5 }
}
