import CaseworkDefinitions
import CaseworkEngine
import CaseworkScenarios
import CaseworkTime
import CaseworkYAML
import Foundation
import Testing

/// Every statutory clock of every shipped workflow is tried by the shipped scenarios on both of its boundary days: the
/// last day it is in time and the day after, when it is late. A clock is off by a day far more often than by a week
/// (a "within" read as "before", working days across a bank holiday), and only these two days show it.
///
/// Read from the scenario files as written, so the check is exact about what they claim: within one scenario, the
/// clock's due day is the one an expectation last stated for it (`{ status: running, due: 2026-03-30 }`, at or before
/// the step); a step on that day expecting `running` or `met` shows the last day in time, and a step on the next day
/// expecting `breached`, `met_late` or (for a window) `closed` shows the day after. `casework test` proves each claim
/// true (`ScenarioTests`); this test proves the claims are made.
@Suite("The shipped clocks' boundary days")
struct ShippedClockBoundaryTests {
    /// The statuses that say a clock was still in time on the step's day.
    static let inTime: Set = ["running", "met"]
    /// The statuses that say a clock was late on the step's day: a duty breached or met late, a window closed.
    static let late: Set = ["breached", "met_late", "closed"]

    /// The boundary days the shipped scenarios show, as `workflow/clock`.
    struct Shown {
        /// Clocks shown in time on their due day.
        var lastDayInTime: Set<String> = []
        /// Clocks shown late on the day after their due day.
        var dayAfterLate: Set<String> = []
    }

    /// Reads every shipped scenario file and collects the boundary days its expectations state.
    static func shown() throws -> Shown {
        var shown = Shown()
        for file in try DefinitionFiles.discover(ScenarioTests.definitions, scenarios: true) {
            let root = try #require(YAMLLoader.loadWithText(path: file).0.root, "\(file) reads as YAML")
            let (decoded, problems) = root.withView { ScenarioDecoder.decode($0, file: file) }
            #expect(problems.isEmpty, "\(file): \(problems)")
            for scenario in decoded.scenarios {
                var day = scenario.today.value
                var due: [String: CalendarDate] = [:]
                for step in scenario.steps {
                    day = step.on?.value ?? day
                    // A step on a linked case (`case: reviews-1`) states that case's clocks.
                    var workflow = scenario.workflow.value
                    if let path = step.linkedCase?.value, let start = ShippedDefinitionsTests.catalog.workflows[workflow],
                        case .success(let linked) = ScenarioLinks.workflow(of: path, from: start, in: ShippedDefinitionsTests.catalog) {
                        workflow = linked.definition.id.value
                    }
                    for expected in step.expect?.deadlines ?? [] {
                        let clock = "\(workflow)/\(expected.name.value)"
                        if let stated = expected.due?.value { due[clock] = stated }
                        guard let status = expected.status?.value, let dueOn = due[clock] else { continue }
                        if day == dueOn, inTime.contains(status) { shown.lastDayInTime.insert(clock) }
                        if day == dueOn.adding(days: 1), late.contains(status) { shown.dayAfterLate.insert(clock) }
                    }
                }
            }
        }
        return shown
    }

    @Test func everyShippedClockIsShownOnItsLastDayInTimeAndTheDayAfter() throws {
        let shown = try Self.shown()
        let clocks = ShippedDefinitionsTests.catalog.workflows.flatMap { workflow, loaded in
            loaded.definition.deadlines.map { "\(workflow)/\($0.name.value)" }
        }.sorted()
        #expect(clocks.count > 60)
        let noLastDay = clocks.filter { !shown.lastDayInTime.contains($0) }
        let noDayAfter = clocks.filter { !shown.dayAfterLate.contains($0) }
        #expect(noLastDay.isEmpty, "no scenario shows these clocks in time on their due day: \(noLastDay)")
        #expect(noDayAfter.isEmpty, "no scenario shows these clocks late on the day after their due day: \(noDayAfter)")
    }
}
