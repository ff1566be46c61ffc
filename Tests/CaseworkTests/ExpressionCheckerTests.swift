import CaseworkDiagnostics
@testable import CaseworkExpressions
import Testing

@Suite("Expressions: type checking")
struct ExpressionCheckerTests {
    private func type(_ text: String) throws -> ExpressionType {
        try ExpressionChecker.compile(text, in: ExpressionFixtures.environment).get().type
    }

    private func errors(_ text: String, expecting: ExpressionType? = nil) -> [ExpressionError] {
        if case .failure(let failure) = ExpressionChecker.compile(text, in: ExpressionFixtures.environment, expecting: expecting) {
            return failure.errors
        }
        return []
    }

    @Test(arguments: [
        ("evidence_complete and weeks_waited > 6", ExpressionType.bool),
        ("requested_on + 6 weeks", .date),
        ("weeks_waited + hours", .decimal),
        ("weeks_waited - 1", .int),
        ("age_on(today)", .int),
        ("days_between(requested_on, today)", .int),
        ("working_days_between(requested_on, today)", .int),
        ("count(review_dates)", .int),
        ("any(review_dates, d, d > today)", .bool),
        ("all(review_dates, d, d > requested_on and evidence_complete)", .bool),
        ("has(decided_on)", .bool),
        ("has(child)", .bool),
        ("school_leaving_date(child.date_of_birth)", .date),
        ("school_year_end(today)", .date),
        ("case.state in ['deciding', 'assessing']", .bool),
        ("requested_by != 'school'", .bool),
        ("'school' == requested_by", .bool),
        ("forms.advice.all_accepted or today > requested_on + 6 weeks", .bool),
        ("[1, 2.5]", .list(.decimal)),
        ("weeks_waited in []", .bool),
        ("-weeks_waited", .int),
        ("now > now", .bool),
    ])
    func wellTypedExpressions(text: String, expected: ExpressionType) throws {
        #expect(try type(text) == expected)
    }

    @Test(arguments: [
        ("requested_on == 5", "CW0301", "cannot compare date 'requested_on' with int '5'", 0, 17),
        ("requsted_on < today", "CW0302", "unknown name 'requsted_on'", 0, 11),
        ("case.state == 'drafitng'", "CW0306", "'drafitng' is not a state of workflow 'test'", 14, 24),
        ("requested_by in ['parent', 'scool']", "CW0306", "'scool' is not a value of 'requested_by' (parent, young_person, school)", 27, 34),
        ("dayz_between(today, today)", "CW0303", "unknown function 'dayz_between'", 0, 12),
        ("days_between(today, 3)", "CW0304", "'days_between' takes days_between(date, date) -> int, found (date, int)", 0, 22),
        ("today + period(weeks_waited, 'fortnights') > today", "CW0304",
         "'period' takes period(int, \"days\" | \"weeks\" | \"months\" | \"years\" | \"working days\") -> duration, found (int, 'fortnights')", 8, 42),
        ("weeks_waited + evidence_complete", "CW0307", "'+' needs numbers, or a date and a duration, found int 'weeks_waited' and bool 'evidence_complete'", 0, 32),
        ("not weeks_waited", "CW0307", "'not' needs bool, found int 'weeks_waited'", 0, 16),
        ("weeks_waited and evidence_complete", "CW0307", "'and' needs bool, found int 'weeks_waited'", 0, 12),
        ("weeks_waited in 5", "CW0310", "'in' needs a list on its right, found int '5'", 16, 17),
        ("[1, 'a']", "CW0311", "a list holds values of one type: this list has int and string 'a'", 4, 7),
        ("requested_on != null", "CW0315", "there is no 'null' in expressions", 16, 20),
        ("child == 1", "CW0313", "'child' is a group of fields, not a value", 0, 5),
        ("requested_on.year > 2020", "CW0314", "'requested_on' is a date and has no part 'year'", 13, 17),
        ("requested_by < 'school'", "CW0301", "cannot compare one_of 'requested_by' with string 'school'", 0, 23),
        ("school_name < 'b'", "CW0301", "cannot compare string 'school_name' with string 'b'", 0, 17),
    ])
    func typeErrorsNameBothSidesAndPointAtTheToken(text: String, code: String, message: String, start: Int, end: Int) throws {
        let found = errors(text)
        let first = try #require(found.first, "'\(text)' should not check")
        #expect(found.count == 1, "one mistake, one error: \(found)")
        #expect(first.kind.code.rawValue == code)
        #expect(first.kind.message == message)
        #expect(first.span == ExpressionSpan(start: start, end: end))
    }

    /// A wrong call's message shows each argument's type where the checker decided one and its text where it did not; past
    /// the 64th node the checker keeps that in an array rather than a word, and the message must read the same.
    @Test(arguments: [0, 40])
    func wrongArgumentsReadTheSameFarIntoALongExpression(leadingClauses: Int) throws {
        let prefix = String(repeating: "evidence_complete and ", count: leadingClauses)
        let offset = prefix.count
        for (call, message) in [
            ("days_between(today, 3)", "'days_between' takes days_between(date, date) -> int, found (date, int)"),
            ("period(weeks_waited, 'fortnights') > period(1, 'weeks')",
             "'period' takes period(int, \"days\" | \"weeks\" | \"months\" | \"years\" | \"working days\") -> duration, found (int, 'fortnights')"),
        ] {
            let found = errors(prefix + call)
            let first = try #require(found.first, "'\(prefix + call)' should not check")
            #expect(found.count == 1, "one mistake, one error: \(found)")
            #expect(first.kind.message == message)
            #expect(first.span.start == offset)
        }
    }

    /// The checker refuses a call with any other number of arguments than its function's ``ExpressionFunction/argumentCount``,
    /// which what plans a checked call (and a definition cache's reader of kept expressions) relies on.
    @Test(arguments: ExpressionFunction.allCases)
    func aCallWithAnotherNumberOfArgumentsDoesNotCheck(function: ExpressionFunction) {
        for count in 0...4 where count != function.argumentCount {
            let call = "\(function.rawValue)(\(Array(repeating: "today", count: count).joined(separator: ", ")))"
            #expect(!errors(call).isEmpty, "'\(call)' should not check")
        }
    }

    @Test func guardsMustBeBool() throws {
        let found = errors("weeks_waited + 1", expecting: .bool)
        #expect(found.map(\.kind.code.rawValue) == ["CW0305"])
        #expect(found.first?.kind.message == "condition must be bool, found int")
    }

    @Test func independentMistakesAreAllReportedButOneMistakeOnce() {
        #expect(errors("requsted_on < today and weeks_waitd > 1").count == 2)
        #expect(errors("(requsted_on + 6 weeks) < today and not (requsted_on == today)").count == 2,
                "each misspelling once; nothing cascades from the poisoned comparisons")
    }

    @Test func ageOnNeedsADateOfBirth() {
        let bare = ExpressionEnvironment(names: ["requested_on": .date])
        guard case .failure(let failure) = ExpressionChecker.compile("age_on(today) >= 16", in: bare) else {
            Issue.record("age_on without a date of birth should not check"); return
        }
        #expect(failure.errors.map(\.kind.code.rawValue) == ["CW0312"])
    }

    @Test func suggestionsComeFromDeclaredNames() {
        let found = errors("requsted_on < today")
        #expect(found.first?.kind.help == "did you mean 'requested_on'?")
        #expect(errors("case.state == 'drafitng'").first?.kind.help == "did you mean 'drafting'?")
    }
}

@Suite("Expressions: values for fields")
struct ExpressionValueTypeTests {
    @Test func aWordOfTheFieldsOneOfIsAValueOfIt() throws {
        let checked = try ExpressionChecker.compile("'school'", in: ExpressionFixtures.environment, expecting: .enumeration(ExpressionFixtures.requestedBy)).get()
        #expect(checked.type == .enumeration(ExpressionFixtures.requestedBy))
        guard case .failure(let failure) = ExpressionChecker.compile("'scool'", in: ExpressionFixtures.environment, expecting: .enumeration(ExpressionFixtures.requestedBy)) else {
            Issue.record("a word outside the one_of must be refused"); return
        }
        #expect(failure.errors.map(\.kind.code.rawValue) == ["CW0306"])
        #expect(try ExpressionChecker.compile("weeks_waited + 1", in: ExpressionFixtures.environment, expecting: .decimal).get().type == .int, "a whole number is a decimal value")
    }
}
