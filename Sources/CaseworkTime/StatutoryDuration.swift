/// The unit of a statutory time limit.
public enum DurationUnit: String, Sendable, Hashable, CaseIterable {
    /// Calendar days.
    case days
    /// Weeks of seven calendar days.
    case weeks
    /// Calendar months.
    case months
    /// Calendar years.
    case years
    /// Working days of the workflow's calendar.
    case workingDays = "working days"
}

/// A length of time in plain words, as policy staff write it: `6 weeks`, `15 working days`.
///
/// A count of calendar or working units, counted on a workflow's calendar, not an amount of
/// seconds; named `StatutoryDuration` so that `import Casework` never hides Swift's `Duration`
/// (`.milliseconds(1)`) from a service that embeds the library.
public struct StatutoryDuration: Sendable, Hashable, CustomStringConvertible {
    /// How many units.
    public var count: Int
    /// Which unit.
    public var unit: DurationUnit

    /// The largest count accepted, so date arithmetic can never overflow.
    public static let maximumCount = 10_000

    /// Creates a duration.
    public init(count: Int, unit: DurationUnit) {
        self.count = count
        self.unit = unit
    }

    /// The duration as it would be written: `6 weeks`, `1 working day`.
    public var description: String {
        let word: String
        switch unit {
        case .days: word = count == 1 ? "day" : "days"
        case .weeks: word = count == 1 ? "week" : "weeks"
        case .months: word = count == 1 ? "month" : "months"
        case .years: word = count == 1 ? "year" : "years"
        case .workingDays: word = count == 1 ? "working day" : "working days"
        }
        return "\(count) \(word)"
    }

    /// Why a text is not a duration.
    public enum ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// Nothing was written.
        case empty
        /// The first word is not a whole number.
        case notANumber(String)
        /// The number is zero, or too large.
        case outOfRange(Int)
        /// The unit is missing or unknown.
        case unknownUnit(String)
        /// `before`/`after` was written where it is not allowed, or something trails the unit.
        case unexpectedWords(String)

        /// The reason, in words.
        public var description: String {
            switch self {
            case .empty: "nothing was written"
            case .notANumber(let word): "'\(word)' is not a whole number"
            case .outOfRange(let count): "\(count) is not between 1 and \(StatutoryDuration.maximumCount)"
            case .unknownUnit(let word): word.isEmpty ? "the unit is missing" : "'\(word)' is not a unit (days, weeks, months, years, working days)"
            case .unexpectedWords(let words): "unexpected '\(words)' after the unit"
            }
        }
    }

    /// Parses `N unit`, where unit is day(s), week(s), month(s), year(s) or working day(s).
    public static func parse(_ text: String) -> Result<StatutoryDuration, ParseError> {
        do throws(ParseError) {
            let (duration, rest) = try parseWords(text.split(whereSeparator: { $0 == " " || $0 == "\t" }))
            guard rest.isEmpty else { return .failure(.unexpectedWords(rest.joined(separator: " "))) }
            return .success(duration)
        } catch {
            return .failure(error)
        }
    }

    /// Parses the leading `N unit` of `words`, returning the words left over. It throws rather than returning a
    /// `Result`: a `Result` of this tuple is built from its mangled name on first use, which asks the runtime whether
    /// ``ParseError`` is an `Error` (a scan of every conformance record).
    static func parseWords(_ words: [Substring]) throws(ParseError) -> (StatutoryDuration, ArraySlice<Substring>) {
        guard let first = words.first else { throw .empty }
        guard first.allSatisfy(\.isASCII), first.allSatisfy(\.isNumber), let count = Int(first) else {
            throw .notANumber(String(first))
        }
        guard (1...maximumCount).contains(count) else { throw .outOfRange(count) }
        var rest = words.dropFirst()
        guard let unitWord = rest.popFirst()?.lowercased() else { throw .unknownUnit("") }
        let unit: DurationUnit
        switch unitWord {
        case "day", "days": unit = .days
        case "week", "weeks": unit = .weeks
        case "month", "months": unit = .months
        case "year", "years": unit = .years
        case "working":
            guard let next = rest.popFirst()?.lowercased(), next == "day" || next == "days" else {
                throw .unknownUnit("working")
            }
            unit = .workingDays
        default:
            throw .unknownUnit(unitWord)
        }
        return (StatutoryDuration(count: count, unit: unit), rest)
    }
}

/// A duration before or after a moment: `1 week before` (a reminder before a deadline).
public struct RelativeDuration: Sendable, Hashable, CustomStringConvertible {
    /// Which side of the moment.
    public enum Direction: String, Sendable, Hashable {
        /// Earlier than the moment.
        case before
        /// Later than the moment.
        case after
    }

    /// How long.
    public var duration: StatutoryDuration
    /// Before or after.
    public var direction: Direction

    /// Creates a relative duration.
    public init(duration: StatutoryDuration, direction: Direction) {
        self.duration = duration
        self.direction = direction
    }

    /// As written: `1 week before`.
    public var description: String { "\(duration) \(direction.rawValue)" }

    /// Parses `N unit before` or `N unit after`.
    public static func parse(_ text: String) -> Result<RelativeDuration, StatutoryDuration.ParseError> {
        do throws(StatutoryDuration.ParseError) {
            let (duration, rest) = try StatutoryDuration.parseWords(text.split(whereSeparator: { $0 == " " || $0 == "\t" }))
            guard rest.count == 1, let direction = Direction(rawValue: rest.first!.lowercased()) else {
                return .failure(.unexpectedWords(rest.isEmpty ? "(nothing; write 'before' or 'after')" : rest.joined(separator: " ")))
            }
            return .success(RelativeDuration(duration: duration, direction: direction))
        } catch {
            return .failure(error)
        }
    }
}
