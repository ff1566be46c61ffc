@testable import CaseworkTime
import Foundation
import Testing

/// The statutory zone's offsets worked out from the UK's summer-time rule (``SummerTime``), which spares a command
/// loading ICU's zone data, against Foundation's time zone data: the same offsets, span by span, wherever the rule is used.
@Suite("Summer time by rule")
struct SummerTimeTests {
    /// Every span the offsets are kept by, inside the years the rule covers, has the offsets Foundation gives it.
    @Test func everyCoveredSpanHasFoundationsOffsets() {
        let first = StatutoryOffsets.number(of: SummerTime.covered.lowerBound)
        let last = StatutoryOffsets.number(of: SummerTime.covered.upperBound)
        var covered = 0
        for number in first...last {
            let start = Double(number) * StatutoryOffsets.span
            guard let byRule = SummerTime.changes(from: start, to: start + StatutoryOffsets.span) else { continue }
            covered += 1
            let fromFoundation = StatutoryOffsets.foundationPeriods(from: start, to: start + StatutoryOffsets.span)
            #expect(byRule.map(\.from) == fromFoundation.map(\.from) && byRule.map(\.offset) == fromFoundation.map(\.offset),
                    "span \(number): \(byRule) against \(fromFoundation)")
        }
        #expect(covered > 280, "1996 to 2299 is about 285 spans")
    }

    /// Either side of each change of the clocks the rule names, the offset is Foundation's.
    @Test func eachChangeOfTheClocksFallsWhereFoundationPutsIt() {
        let zone = CalendarDate.statutoryTimeZone
        for year in [1996, 2002, 2025, 2026, 2037, 2038, 2100, 2299] {
            for change in [SummerTime.begins(year), SummerTime.ends(year)] {
                for offset in [-3_600.0, -1, 0, 1, 3_600] {
                    let instant = change + offset
                    #expect(SummerTime.offset(at: instant) == zone.secondsFromGMT(for: Date(timeIntervalSince1970: instant)), "\(year) \(instant)")
                }
            }
        }
        // 2026: summer time from 29 March to 25 October, 01:00 GMT.
        #expect(SummerTime.begins(2026) == Double(CalendarDate(year: 2026, month: 3, day: 29)!.daysSinceEpoch) * 86_400 + 3_600)
        #expect(SummerTime.ends(2026) == Double(CalendarDate(year: 2026, month: 10, day: 25)!.daysSinceEpoch) * 86_400 + 3_600)
    }

    /// A span that reaches outside the covered years is left to Foundation's data (earlier years followed other rules).
    @Test func spansOutsideTheCoveredYearsAreNotWorkedOutByRule() {
        let before = SummerTime.covered.lowerBound
        #expect(SummerTime.changes(from: before - 1, to: before + StatutoryOffsets.span) == nil)
        #expect(SummerTime.changes(from: Double(CalendarDate(year: 1980, month: 1, day: 1)!.daysSinceEpoch) * 86_400, to: before) == nil)
        #expect(SummerTime.changes(from: SummerTime.covered.upperBound - 10, to: SummerTime.covered.upperBound + 10) == nil)
    }

    /// An instant's span is worked out by rule only when the whole span lies in the covered years: not 1970, not the span
    /// the rule's first instant falls in (it begins in 1995), not past the counted days; the years since are.
    @Test func anInstantIsWorkedOutByRuleOnlyInsideTheCoveredSpans() {
        #expect(!StatutoryOffsets.isWorkedOutByRule(Date(timeIntervalSince1970: 0)))
        #expect(!StatutoryOffsets.isWorkedOutByRule(Date(timeIntervalSince1970: SummerTime.covered.lowerBound)))
        #expect(!StatutoryOffsets.isWorkedOutByRule(Date(timeIntervalSince1970: SummerTime.covered.upperBound)))
        for year in [2000, 2025, 2026, 2100] {
            #expect(StatutoryOffsets.isWorkedOutByRule(CalendarDate(year: year, month: 6, day: 1)!.start()), "\(year)")
        }
    }
}
