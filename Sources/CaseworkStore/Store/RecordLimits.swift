import CaseworkDefinitions
import CaseworkTime

extension CaseRecord {
    /// Why the engine could not take another step on this record without a counter overflowing, or nil when it can.
    ///
    /// Each change adds one to `revision` (the audit sequence is the revision), a submission adds one to its
    /// form's `submissions`, and resuming a deadline adds the days it was paused, at most the span of supported
    /// calendar dates. No record reaches these limits through use (a revision of `Int.max` is 9.2 × 10¹⁸ changes),
    /// so one that has them was damaged or written by hand. Stores refuse such a record on commit and, where the
    /// data can be edited outside Casework (SQLite), on load, as ``StoreError/corruptRecord(caseID:detail:)``, so
    /// the engine never adds to a counter that would overflow and stop the process.
    public var counterAtLimit: String? {
        Self.counterAtLimit(revision: revision, forms: forms, deadlines: deadlines)
    }

    /// ``counterAtLimit`` of a record with these parts, worked out from them alone, so a caller holding the record in
    /// a collection reads the three parts in place instead of copying the whole record to ask it.
    static func counterAtLimit(revision: Int, forms: [FormInstance], deadlines: [DeadlineRecord]) -> String? {
        if revision == .max { return "its revision is \(revision), the largest there can be, so it cannot change again" }
        if let form = forms.first(where: { $0.submissions == .max }) {
            return "form '\(form.id)' has \(form.submissions) submissions, the most there can be"
        }
        if let clock = deadlines.first(where: { $0.pausedDays < 0 || $0.pausedDays > .max - CaseRecord.supportedDaySpan }) {
            return "deadline '\(clock.name)' has \(clock.pausedDays) paused days, outside what resuming can add to"
        }
        return nil
    }

    /// The most days between two supported calendar dates: the most one resume can add to a deadline's paused days.
    static let supportedDaySpan: Int = {
        let first = CalendarDate(year: CalendarDate.supportedYears.lowerBound, month: 1, day: 1)
        let last = CalendarDate(year: CalendarDate.supportedYears.upperBound, month: 12, day: 31)
        guard let first, let last else { return Int.max }
        return first.days(to: last)
    }()
}
