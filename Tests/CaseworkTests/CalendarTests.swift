import Foundation
import Testing
import Casework
import CaseworkCommandLine

/// The shipped calendars against GOV.UK's lists and the counting and roll rules, through `casework due` and `casework calendar`.
@Suite("Calendars and due dates")
struct CalendarTests {
    static let definitions = RepositoryPaths.root.appendingPathComponent("Workflows").path
    static let policies = RepositoryPaths.root.appendingPathComponent("Policies").path

    static func holidays(_ year: Int, _ calendar: String = "england-and-wales") -> String {
        runCasework(["calendar", calendar, "--year", "\(year)", "--definitions", definitions, "--definitions", policies]).out
    }

    static func due(_ start: String, _ duration: String, calendar: String? = nil) -> String {
        let extra = calendar.map { ["--calendar", $0] } ?? []
        return runCasework(["due", start] + duration.split(separator: " ").map(String.init) + extra + ["--definitions", definitions, "--definitions", policies]).out
    }

    @Test(arguments: [
        (2021, ["2021-01-01", "2021-04-02", "2021-04-05", "2021-05-03", "2021-05-31", "2021-08-30", "2021-12-27", "2021-12-28"]),
        (2022, ["2022-01-03", "2022-04-15", "2022-04-18", "2022-05-02", "2022-06-02", "2022-06-03", "2022-08-29", "2022-09-19", "2022-12-26", "2022-12-27"]),
        (2023, ["2023-01-02", "2023-04-07", "2023-04-10", "2023-05-01", "2023-05-08", "2023-05-29", "2023-08-28", "2023-12-25", "2023-12-26"]),
        (2027, ["2027-01-01", "2027-03-26", "2027-03-29", "2027-05-03", "2027-05-31", "2027-08-30", "2027-12-27", "2027-12-28"]),
        (2020, ["2020-01-01", "2020-04-10", "2020-04-13", "2020-05-08", "2020-05-25", "2020-08-31", "2020-12-25", "2020-12-28"]),
        (2011, ["2011-01-03", "2011-04-22", "2011-04-25", "2011-04-29", "2011-05-02", "2011-05-30", "2011-08-29", "2011-12-26", "2011-12-27"]),
        (2002, ["2002-01-01", "2002-03-29", "2002-04-01", "2002-05-06", "2002-06-03", "2002-06-04", "2002-08-26", "2002-12-25", "2002-12-26"]),
        (2000, ["2000-01-03", "2000-04-21", "2000-04-24", "2000-05-01", "2000-05-29", "2000-08-28", "2000-12-25", "2000-12-26"]),
        (2100, ["2100-01-01", "2100-03-26", "2100-03-29", "2100-05-03", "2100-05-31", "2100-08-30", "2100-12-27", "2100-12-28"]),
        (2012, ["2012-01-02", "2012-04-06", "2012-04-09", "2012-05-07", "2012-06-04", "2012-06-05", "2012-08-27", "2012-12-25", "2012-12-26"]),
    ])
    func bankHolidaysMatchGOVUK(year: Int, expected: [String]) {
        let dates = Self.holidays(year).split(separator: "\n").map { String($0.prefix(10)) }
        #expect(dates == expected)
    }

    @Test func holidaysAreListedWithTheirNamesAndSubstitutes() {
        #expect(Self.holidays(2022).contains("2022-12-27 Christmas Day (substitute day)\n"))
        #expect(Self.holidays(2020).contains("2020-05-08 Early May bank holiday (VE Day)\n"))
        #expect(!Self.holidays(2020).contains("2020-05-04"), "the one-off change replaces the rule's date")
    }

    /// Due dates in any year come out alike: each year's holidays are worked out when first asked about. 2 working
    /// days from just before Christmas skip the bank holidays (and any weekend) in every year, each answer checked
    /// against a build that worked out 1900–2200 when a calendar was made.
    @Test(arguments: [
        ("1950-12-22", "1950-12-28"), ("1999-12-23", "1999-12-29"), ("2000-12-22", "2000-12-28"),
        ("2100-12-23", "2100-12-29"), ("2101-12-23", "2101-12-29"), ("2150-12-23", "2150-12-29"),
    ])
    func yearsOutsideThePrecomputedOnesCountAlike(start: String, expected: String) {
        let due = Self.due(start, "2 working days", calendar: "england-and-wales")
        #expect(due.hasPrefix(expected), "\(due)")
    }

    @Test(arguments: [(2000, "2000-04-23"), (2011, "2011-04-24"), (2019, "2019-04-21"), (2024, "2024-03-31"), (2025, "2025-04-20"), (2038, "2038-04-25"), (2100, "2100-03-28")])
    func easterSunday(year: Int, expected: String) {
        #expect(Easter.sunday(in: year).description == expected)
    }

    @Test(arguments: [
        ("2025-09-01", "6 weeks", nil as String?, "2025-10-13"),
        ("2025-01-31", "1 month", nil, "2025-02-28"),
        ("2024-01-31", "1 month", nil, "2024-02-29"),
        ("2024-02-29", "1 year", nil, "2025-02-28"),
        ("2025-09-01", "15 days", nil, "2025-09-16"),
        ("2025-04-17", "1 working day", "england-and-wales", "2025-04-22"),
        ("2025-12-18", "15 working days", "england-and-wales", "2026-01-13"),
        ("2021-12-24", "1 working day", "england-and-wales", "2021-12-29"),
        ("2025-10-27", "2 months", "send-tribunal", "2026-01-02"),
        ("2025-06-15", "2 months", "send-tribunal", "2025-09-01"),
        ("2026-06-30", "2 months", "send-tribunal", "2026-09-01"),
        ("2025-05-22", "2 months", "send-tribunal", "2025-07-22"),
        ("2025-04-20", "2 months", "send-tribunal", "2025-06-20"),
        ("2025-09-27", "2 months", "send-tribunal", "2025-11-27"),
        ("2025-04-26", "2 months", "send-tribunal", "2025-06-26"),
        ("2025-03-29", "2 months", "send-tribunal", "2025-05-29"),
        ("2025-06-28", "1 month", "send-tribunal", "2025-07-28"),
        ("2025-03-31", "2 months", "send-tribunal", "2025-06-02"),
    ])
    func dueDatesFollowTheCountingAndRollRules(start: String, duration: String, calendar: String?, expected: String) {
        #expect(Self.due(start, duration, calendar: calendar) == expected + "\n")
    }

    @Test func badInputIsAClearError() {
        let definitions = Self.definitions
        #expect(runCasework(["due", "2025-02-30", "6", "weeks", "--definitions", definitions, "--definitions", Self.policies]).err == "error[invalid_input]: the values given cannot be used:\n  - 'START': '2025-02-30' is not a date as YYYY-MM-DD\n")
        #expect(runCasework(["due", "2025-02-01", "6", "fortnights"]).status == .failure)
        let unknown = runCasework(["due", "2025-02-01", "6", "weeks", "--calendar", "england-and-wale", "--definitions", definitions, "--definitions", Self.policies])
        #expect(unknown.err.contains("no calendar 'england-and-wale'; did you mean 'england-and-wales'?"))
        #expect(runCasework(["calendar", "england-and-wales", "--definitions", definitions, "--definitions", Self.policies]).status == .usage)
    }
}
