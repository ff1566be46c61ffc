import Casework
import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTime

/// `casework due START DURATION [--calendar NAME]` and `casework calendar NAME --year YYYY`: calendars for policy staff.
enum CalendarCommands {

    /// Loads the calendars of the definition set, or the error to print.
    private static func calendars(_ parsed: ParsedArguments) throws(EngineError) -> [String: WorkingCalendar] {
        try DefinitionCatalog.load(paths: parsed.values["--definitions"] ?? ValidateCommand.defaultPaths()).calendars
    }

    private static func lookup(_ name: String, in calendars: [String: WorkingCalendar]) throws(EngineError) -> WorkingCalendar {
        if let calendar = calendars[name] { return calendar }
        let hint = NameSuggester.suggest(name, from: calendars.keys.sorted()).map { "; did you mean '\($0)'?" } ?? ""
        throw .invalidInput([InputProblem(field: "calendar", message: "no calendar '\(name)'\(hint)")])
    }

    /// Prints the due date of a period: the counting rules, then the calendar's roll rules.
    static func due(_ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: CommandTable["due"].spec)
        guard parsed.positionals.count >= 2 else { throw UsageError("expected START DURATION, such as: casework due 2025-09-01 6 weeks") }
        let startText = parsed.positionals[0]
        let durationText = parsed.positionals.dropFirst().joined(separator: " ")
        let calendarName = try parsed.single("--calendar")
        return EngineRun.run(console: console) { () throws(EngineError) in
            guard let start = CalendarDate(startText) else {
                throw .invalidInput([InputProblem(field: "START", message: "'\(startText)' is not a date as YYYY-MM-DD")])
            }
            if let problem = start.acceptanceProblem { throw .invalidInput([InputProblem(field: "START", message: problem)]) }
            let duration: StatutoryDuration
            switch StatutoryDuration.parse(durationText) {
            case .success(let parsed): duration = parsed
            case .failure(let error): throw .invalidInput([InputProblem(field: "DURATION", message: "'\(durationText)' is not a duration: \(error)")])
            }
            let calendar: any WorkingDayCalendar = try calendarName.map { (name) throws(EngineError) in try lookup(name, in: calendars(parsed)) } ?? WeekdayCalendar()
            let due: CalendarDate
            do {
                due = try calendar.due(from: start, after: duration)
            } catch {
                throw .invalidInput([InputProblem(field: "DURATION", message: "no due date: \(error)")])
            }
            console.out("\(due)\n")
            return .success
        }
    }

    /// Lists a year's bank holidays that fall on weekdays, after substitution: `YYYY-MM-DD name`.
    static func calendar(_ arguments: [String], console: some Console) throws(UsageError) -> ExitStatus {
        let parsed = try ParsedArguments(arguments, spec: CommandTable["calendar"].spec)
        guard parsed.positionals.count == 1 else { throw UsageError("name one calendar, such as: casework calendar england-and-wales --year 2027") }
        guard let yearText = try parsed.single("--year") else { throw UsageError("say which year", help: "add --year YYYY") }
        let years = CalendarDate.countedRange.lowerBound.year...CalendarDate.countedRange.upperBound.year
        guard let year = Int(yearText), years.contains(year) else {
            throw UsageError("--year needs a year from \(years.lowerBound) to \(years.upperBound), found '\(yearText)'")
        }
        return EngineRun.run(console: console) { () throws(EngineError) in
            let calendar = try lookup(parsed.positionals[0], in: calendars(parsed))
            for (date, name) in calendar.holidays(in: year) where date.weekday <= 5 {
                console.out("\(date) \(name)\n")
            }
            return .success
        }
    }
}
