@testable import CaseworkCommandLine
@testable import CaseworkDefinitions
@testable import CaseworkEngine
@testable import CaseworkExpressions
@testable import CaseworkStore
@testable import CaseworkTime
import Foundation
import Testing

/// A small assessment bound to a portal policy with four grant levels, and one case told day by day.
enum TimelineFixtures {
    static let workflow = """
        workflow: assessment
        version: 1
        title: EHC needs assessment
        policy: timeline-portal
        roles: [parent, caseworker, send_manager, health, school]
        fields:
          requested_on: date
          decision_notes: text
          progress_note: text
          child: { first_name: string }
        states:
          requested: { initial: true, title: Request received }
          deciding: { title: Deciding whether to assess }
          assessing: { title: Gathering advice }
          decided: { title: Decided after the assessment, final: true }
          not_assessing: { title: Decided not to assess, final: true }
        transitions:
          - name: start_deciding
            title: Start deciding
            from: requested
            to: deciding
            by: [caseworker]
            notify: [{ to: [parent], template: deciding }]
          - name: agree_to_assess
            title: Agree to assess
            from: deciding
            to: assessing
            by: [caseworker]
            input: { decision_notes: required }
            start_forms: [{ form: advice, for: [health, school] }]
            notify: [{ to: [parent], template: agreed }]
          - name: refuse_to_assess
            title: Decide not to assess
            from: deciding
            to: not_assessing
            by: [caseworker]
            input: { decision_notes: required }
          - name: record_progress
            title: Record progress
            from: assessing
            to: assessing
            by: [caseworker]
            input: { progress_note: required }
          - name: finish
            title: Decide after the assessment
            from: assessing
            to: decided
            by: [caseworker]
        templates:
          deciding:
            subject: "We are deciding whether to assess"
            body: "We received the request about {{ child.first_name }} on {{ requested_on }}."
          agreed:
            subject: "We will assess {{ child.first_name }}'s needs"
            body: "The panel's notes: {{ decision_notes }}"
        \(EngineFixtures.messageTemplates)\(EngineFixtures.messages)
        exceptions:
          reg-10-4-a: { cites: "Regs 10(4)(a)", applies_to: [decide], effect: pause }
          reg-10-4-d: { cites: "Regs 10(4)(d)", applies_to: [decide], effect: excuse }
        deadlines:
          - { name: decide, title: Decide whether to assess, from: requested_on, due: 6 weeks, until: [assessing, not_assessing], on_breach: { notify: [send_manager] } }
          - { name: assess, title: Finish the assessment, from: { entered: assessing }, due: 10 weeks, until: [decided] }

        """

    static let policy = """
        policy: timeline-portal
        version: 1
        title: Timeline portal
        actor:
          second_factor_verified: bool
          relationship: { one_of: [parent, professional, caseworker] }
        levels: [full, limited, status]
        resources:
          case: [state, deadlines, fields]
          advice_form: [content]
        rules:
          - { id: second-factor, deny: [all], when: not actor.second_factor_verified, reason: "Sign in with your emailed code." }
          - { id: staff, allow: [all], when: actor.relationship == "caseworker" }
          - { id: parents, allow: [view, submit], on: [case], when: actor.relationship == "parent" and grant.level == "full" }
          - { id: limited, allow: [view], on: [case.state, case.deadlines], when: grant.level == "limited" }
          - { id: status-only, allow: [view], on: [case.state], when: grant.level == "status" }
          - { id: professionals, allow: [submit, view], on: [advice_form], when: actor.relationship == "professional" and grant.level == "full" }
          - { id: professionals-progress, allow: [view], on: [case.state], when: actor.relationship == "professional" and grant.level == "full" }
        recipients:
          parent: { relationship: parent, second_factor_verified: "true" }
          health: { relationship: professional, second_factor_verified: "true" }
          school: { relationship: professional, second_factor_verified: "true" }
          caseworker: { relationship: caseworker, second_factor_verified: "true" }
          send_manager: { relationship: caseworker, second_factor_verified: "true" }

        """

    static let files = ["assessment.yaml": workflow, "advice.yaml": EngineFixtures.form, "timeline-portal.yaml": policy]

    static let staff: [String: ExpressionValue] = ["relationship": .string("caseworker"), "second_factor_verified": .bool(true)]
    static let parentAttributes: [String: ExpressionValue] = ["relationship": .string("parent"), "second_factor_verified": .bool(true)]
    static let professional: [String: ExpressionValue] = ["relationship": .string("professional"), "second_factor_verified": .bool(true)]

    static let caseworker = CaseActor(role: "caseworker", id: "cw-ana")
    static let parent = CaseActor(role: "parent", id: "parent-jo")
    static let health = CaseActor.organisation("nhs-trust", role: "health")
    static let school = CaseActor.organisation("hillside", role: "school")

    /// 9 o'clock on a day, London time.
    static func day(_ text: String) -> Date { CalendarDate(text)!.start().addingTimeInterval(9 * 3600) }

    /// An engine on a new in-memory store, with its clock at 1 September 2025.
    static func engine() throws -> (Engine, ManualClock) {
        let catalog = try DefinitionCatalog.load(sources: files.sorted { $0.key < $1.key }.map { (file: $0.key, text: $0.value) })
        let clock = ManualClock(day("2025-09-01"))
        return (try Engine(catalog: catalog, store: InMemoryCaseStore(), clock: clock), clock)
    }

    /// Case `c1`: requested on 1 September (the parent given `parentLevel`, both organisations full access), put to the
    /// decision on 2 September; the clock is left there.
    static func requested(parentLevel: String?) throws -> (Engine, ManualClock) {
        let (engine, clock) = try engine()
        _ = try engine.open(workflow: "assessment", as: caseworker, caseID: "c1", fields: [
            "requested_on": .date(CalendarDate("2025-09-01")!), "child.first_name": .string("Sam"),
        ], participants: ["parent": "parent-jo", "health": "organisation:nhs-trust", "school": "organisation:hillside"], attributes: staff)
        if let parentLevel { try grant(engine, .person("parent-jo"), parentLevel) }
        try grant(engine, .organisation("nhs-trust"), "full")
        try grant(engine, .organisation("hillside"), "full")
        clock.set(day("2025-09-02"))
        try fire(engine, "start_deciding")
        return (engine, clock)
    }

    /// The same case taken on: agreed on 20 September (advice asked of both organisations), progress noted on
    /// 25 September, read on 1 October.
    static func assessing(parentLevel: String?) throws -> Engine {
        let (engine, clock) = try requested(parentLevel: parentLevel)
        clock.set(day("2025-09-20"))
        try fire(engine, "agree_to_assess", ["decision_notes": .string("Panel agreed unanimously")])
        clock.set(day("2025-09-25"))
        try fire(engine, "record_progress", ["progress_note": .string("Called the school")])
        clock.set(day("2025-10-01"))
        return engine
    }

    static func grant(_ engine: Engine, _ to: Principal, _ level: String) throws {
        _ = try engine.grantAccess(caseID: "c1", grant: AccessGrant(to: to, level: level), as: caseworker, attributes: staff, reason: "portal")
    }

    static func fire(_ engine: Engine, _ transition: String, _ input: [String: ExpressionValue] = [:], caseID: String = "c1") throws {
        _ = try engine.fire(FireRequest(caseID: caseID, transition: transition, actor: caseworker, input: input, attributes: staff))
    }
}

/// `Engine.timeline` and `casework case timeline`: a case's progress for one viewer, in plain words, withholding what they may not see.
@Suite("Case timelines")
struct TimelineTests {
    typealias F = TimelineFixtures

    @Test func aParentWithFullAccessSeesTheirTimelineInPlainWords() throws {
        let (engine, _) = try F.requested(parentLevel: "full")
        let timeline = try engine.timeline(caseID: "c1", as: F.parent, attributes: F.parentAttributes)
        #expect(TimelineCommand.text(timeline, viewer: F.parent) == """
            EHC needs assessment for case c1
            Now: Deciding whether to assess (since 2 September 2025)
            Stages so far:
              1 September 2025  Request received
              2 September 2025  Deciding whether to assess
            What can happen next: Agree to assess; Decide not to assess
            Time limits:
              Decide whether to assess: due 13 October 2025, 41 days left
            Messages to you:
              2 September 2025  We are deciding whether to assess

            """)
        #expect(timeline.notices.map(\.body) == ["We received the request about Sam on 1 September 2025."])
        #expect(timeline.withheld.isEmpty && timeline.reasons.isEmpty && !timeline.showsEveryNotice)
    }

    @Test(arguments: [
        ("full", true, "We received the request about Sam on 1 September 2025."),
        ("limited", true, "We received the request about (withheld) on (withheld)."),
        ("status", false, "We received the request about (withheld) on (withheld)."),
    ])
    func whatAParentSeesFollowsTheirGrant(level: String, seesTimeLimits: Bool, body: String) throws {
        let (engine, _) = try F.requested(parentLevel: level)
        let timeline = try engine.timeline(caseID: "c1", as: F.parent, attributes: F.parentAttributes)
        #expect(timeline.stages.map(\.title) == ["Request received", "Deciding whether to assess"], "every level that sees the state sees its stages")
        #expect(timeline.now == CaseTimeline.Position(state: "deciding", title: "Deciding whether to assess", since: CalendarDate("2025-09-02")!, isFinal: false))
        #expect(timeline.notices.map(\.body) == [body])
        if seesTimeLimits {
            #expect(timeline.timeLimits == [CaseTimeline.TimeLimit(name: "decide", title: "Decide whether to assess", dueOn: CalendarDate("2025-10-13")!,
                                                                   status: .running(daysLeft: 41))])
            #expect(timeline.withheld.isEmpty)
        } else {
            #expect(timeline.timeLimits == nil)
            #expect(timeline.withheld == [.timeLimits])
            #expect(timeline.reasons == ["your access to this case does not include this"])
            let text = TimelineCommand.text(timeline, viewer: F.parent)
            #expect(!text.contains("Time limits:") && !text.contains("13 October"))
            #expect(text.hasSuffix("Not shown to you: time limits (your access to this case does not include this)\n"))
            #expect(TimelineCommand.json(timeline)["time_limits"] == nil, "withheld parts are left out, not blanked")
        }
    }

    @Test func noGrantAndNoSuchCaseAreTheSameRefusal() throws {
        let (engine, _) = try F.requested(parentLevel: nil)
        func refusal(_ caseID: String, _ actor: CaseActor, _ attributes: [String: ExpressionValue]) -> EngineError? {
            do {
                _ = try engine.timeline(caseID: caseID, as: actor, attributes: attributes)
                return nil
            } catch {
                return error
            }
        }
        let noGrant = try #require(refusal("c1", F.parent, F.parentAttributes))
        let missing = try #require(refusal("nope", F.parent, F.parentAttributes))
        #expect(noGrant.code == .forbidden)
        #expect(noGrant.description == "you may not do this: you have not been given access to this case")
        #expect(missing.code == noGrant.code && missing.description == noGrant.description, "a refused person learns nothing, not even whether the case exists")
        #expect(refusal("c1", F.caseworker, ["relationship": .string("caseworker"), "second_factor_verified": .bool(false)])?.description
                == "you may not do this: Sign in with your emailed code.")
        #expect(refusal("nope", .operator(), [:])?.code == .notFound, "only those who would be let in are told there is no such case")
    }

    @Test func theOperatorSeesEverythingIncludingEveryMessageAndWhomItWentTo() throws {
        let engine = try F.assessing(parentLevel: "full")
        let timeline = try engine.timeline(caseID: "c1", as: .operator())
        #expect(timeline.withheld.isEmpty && timeline.showsEveryNotice)
        #expect(timeline.stages.map(\.state) == ["requested", "deciding", "assessing"], "a step that stays in its state is not a stage")
        #expect(timeline.stages.map(\.on.description) == ["2025-09-01", "2025-09-02", "2025-09-20"])
        #expect(timeline.next == ["Record progress", "Decide after the assessment"])
        #expect(timeline.timeLimits?.map(\.status) == [.met(on: CalendarDate("2025-09-20")!), .running(daysLeft: 59)])
        #expect(timeline.notices.map { "\($0.recipientRole) \($0.recipientID ?? "-")" }
                == ["parent parent-jo", "parent parent-jo", "health organisation:nhs-trust", "school organisation:hillside"])
        #expect(try engine.timeline(caseID: "c1", as: F.caseworker, attributes: F.staff).notices.count == 4, "staff who may edit the case see every message, as in the outbox")
    }

    @Test(arguments: [(F.health, "organisation:nhs-trust"), (F.school, "organisation:hillside")])
    func aProfessionalSeesOnlyTheMessagesToTheirOrganisation(actor: CaseActor, organisation: String) throws {
        let engine = try F.assessing(parentLevel: "full")
        let timeline = try engine.timeline(caseID: "c1", as: actor, attributes: F.professional)
        #expect(timeline.notices.map(\.recipientID) == [organisation])
        #expect(timeline.notices.map(\.subject) == ["A form has been shared with you: Professional advice"])
        #expect(!timeline.showsEveryNotice)
        #expect(timeline.timeLimits == nil && timeline.withheld == [.timeLimits], "this policy shows professionals the state, not the time limits")
        let someoneElse = CaseActor(role: actor.role, id: "other-person")
        #expect(throws: EngineError.self, "a person in the same role is not the organisation") {
            try engine.timeline(caseID: "c1", as: someoneElse, attributes: F.professional)
        }
    }

    /// Everyone who may not see the case's fields, and the one who may (the control that shows the check can fail).
    static let fieldViewers: [(name: String, actor: CaseActor, attributes: [String: ExpressionValue], parentLevel: String, seesFields: Bool)] = [
        ("full parent", F.parent, F.parentAttributes, "full", true),
        ("limited parent", F.parent, F.parentAttributes, "limited", false),
        ("status-only parent", F.parent, F.parentAttributes, "status", false),
        ("health", F.health, F.professional, "full", false),
        ("school", F.school, F.professional, "full", false),
    ]

    @Test(arguments: fieldViewers)
    func noFieldValueReachesAViewerWhoMayNotSeeFields(viewer: (name: String, actor: CaseActor, attributes: [String: ExpressionValue], parentLevel: String, seesFields: Bool)) throws {
        let engine = try F.assessing(parentLevel: viewer.parentLevel)
        let timeline = try engine.timeline(caseID: "c1", as: viewer.actor, attributes: viewer.attributes)
        let text = TimelineCommand.text(timeline, viewer: viewer.actor)
        let json = JSONOutput.render(TimelineCommand.json(timeline))
        for value in ["Sam", "Panel agreed", "Called the school"] where !(viewer.seesFields && value != "Called the school") {
            #expect(!text.contains(value), "\(viewer.name) text shows '\(value)'")
            #expect(!json.contains(value), "\(viewer.name) JSON shows '\(value)'")
        }
        if viewer.seesFields {
            #expect(text.contains("We will assess Sam's needs") && json.contains("Panel agreed unanimously"), "the check above can fail")
        }
    }

    @Test func theEndOfTheProcessHasNothingNext() throws {
        let (engine, clock) = try F.requested(parentLevel: "full")
        clock.set(F.day("2025-09-10"))
        try F.fire(engine, "refuse_to_assess", ["decision_notes": .string("Needs met by the school")])
        let timeline = try engine.timeline(caseID: "c1", as: F.parent, attributes: F.parentAttributes)
        #expect(timeline.now == CaseTimeline.Position(state: "not_assessing", title: "Decided not to assess", since: CalendarDate("2025-09-10")!, isFinal: true))
        #expect(timeline.next.isEmpty)
        #expect(timeline.timeLimits?.map(\.status) == [.met(on: CalendarDate("2025-09-10")!)])
        let text = TimelineCommand.text(timeline, viewer: F.parent)
        #expect(text.contains("\nThis is the end of the process.\n") && !text.contains("What can happen next"))
        #expect(text.contains("  Decide whether to assess: met on 10 September 2025\n"))
    }

    @Test func timeLimitsCountFromTheEngineClockThroughPausesAndMisses() throws {
        let (engine, clock) = try F.requested(parentLevel: "full")
        func status() throws -> CaseTimeline.TimeLimit.Status? {
            try engine.timeline(caseID: "c1", as: F.parent, attributes: F.parentAttributes).timeLimits?.first?.status
        }
        clock.set(F.day("2025-10-13"))
        #expect(try status() == .running(daysLeft: 0))
        clock.set(F.day("2025-10-15"))
        #expect(try status() == .running(daysLeft: -2), "overdue before the miss is recorded")
        _ = try engine.tick()
        #expect(try status() == .missed(on: CalendarDate("2025-10-14")!))

        let (paused, pausedClock) = try F.requested(parentLevel: "full")
        pausedClock.set(F.day("2025-09-05"))
        _ = try paused.pauseDeadline(caseID: "c1", deadline: "decide", as: F.caseworker, reason: "school holiday", exception: "reg-10-4-a", attributes: F.staff)
        #expect(try paused.timeline(caseID: "c1", as: F.parent, attributes: F.parentAttributes).timeLimits?.first?.status
                == .paused(since: CalendarDate("2025-09-05")!))
        _ = try paused.excuseDeadline(caseID: "c1", deadline: "decide", as: F.caseworker, reason: "away", exception: "reg-10-4-d", attributes: F.staff)
        #expect(try paused.timeline(caseID: "c1", as: F.parent, attributes: F.parentAttributes).timeLimits?.first?.status == .excused)
    }

    @Test(arguments: [
        (CaseTimeline.TimeLimit.Status.running(daysLeft: 1), "due 13 October 2025, 1 day left"),
        (.running(daysLeft: 41), "due 13 October 2025, 41 days left"),
        (.running(daysLeft: 0), "due 13 October 2025, which is today"),
        (.running(daysLeft: -1), "due 13 October 2025, overdue by 1 day"),
        (.paused(since: CalendarDate("2025-09-05")!), "paused since 5 September 2025; the due date moves on when it restarts"),
        (.met(on: CalendarDate("2025-09-20")!), "met on 20 September 2025"),
        (.missed(on: CalendarDate("2025-10-14")!), "missed on 14 October 2025 (it was due 13 October 2025)"),
        (.excused, "excused (due 13 October 2025)"),
        (.lapsed, "no longer applies"),
    ])
    func eachTimeLimitStatusIsSaidInPlainWords(status: CaseTimeline.TimeLimit.Status, words: String) throws {
        let (engine, _) = try F.requested(parentLevel: "full")
        var timeline = try engine.timeline(caseID: "c1", as: F.parent, attributes: F.parentAttributes)
        timeline.timeLimits = [CaseTimeline.TimeLimit(name: "decide", title: "Decide whether to assess", dueOn: CalendarDate("2025-10-13")!, status: status)]
        #expect(TimelineCommand.text(timeline, viewer: F.parent).contains("\n  Decide whether to assess: \(words)\n"))
        let limit = try #require((TimelineCommand.json(timeline)["time_limits"] as? [[String: Any]])?.first)
        #expect(limit["status"] as? String == status.name)
    }

    @Test func textFromTheCaseIsEscapedForTheTerminal() throws {
        let (engine, _) = try F.requested(parentLevel: "full")
        var timeline = try engine.timeline(caseID: "c1", as: F.parent, attributes: F.parentAttributes)
        timeline.notices[0].subject = "Hello\u{1B}[2J\nNow: Decided"
        let text = TimelineCommand.text(timeline, viewer: F.parent)
        #expect(text.contains("  2 September 2025  Hello\\u{1b}[2J\\u{a}Now: Decided\n"))
        #expect(text.split(separator: "\n").filter { $0.hasPrefix("Now:") }.count == 1, "a message cannot forge a line")
    }

    /// Each viewer of the case on 1 October, beside the exact text and JSON they must get (`Fixtures/timeline/NAME.txt|json`).
    static let goldenViewers: [(name: String, actor: CaseActor, attributes: [String: ExpressionValue], parentLevel: String)] = [
        ("parent-full", F.parent, F.parentAttributes, "full"),
        ("parent-limited", F.parent, F.parentAttributes, "limited"),
        ("parent-status", F.parent, F.parentAttributes, "status"),
        ("health", F.health, F.professional, "full"),
        ("operator", .operator(), [:], "full"),
    ]

    @Test(arguments: goldenViewers)
    func eachViewersTimelineMatchesItsGoldenFiles(viewer: (name: String, actor: CaseActor, attributes: [String: ExpressionValue], parentLevel: String)) throws {
        let engine = try F.assessing(parentLevel: viewer.parentLevel)
        let timeline = try engine.timeline(caseID: "c1", as: viewer.actor, attributes: viewer.attributes)
        let folder = GoldenFiles.repositoryRoot.appendingPathComponent("Tests/CaseworkTests/Fixtures/timeline")
        try GoldenFiles.check(TimelineCommand.text(timeline, viewer: viewer.actor), against: folder.appendingPathComponent("\(viewer.name).txt"))
        try GoldenFiles.check(JSONOutput.render(TimelineCommand.json(timeline)), against: folder.appendingPathComponent("\(viewer.name).json"))
    }

    @Test func theCommandLineRoutesTimelineAndRefusesAsTheLibraryDoes() throws {
        let space = try CommandWorkspace(F.files)
        let today = CalendarDate(Date())
        let staff = ["--as", "caseworker:ana", "--attribute", "relationship=caseworker", "--attribute", "second_factor_verified=true"]
        let parent = ["--as", "parent:jo", "--attribute", "relationship=parent", "--attribute", "second_factor_verified=true"]
        #expect(space.run(["case", "open", "assessment", "--id", "c1", "--set", "requested_on=\(today)", "--set", "child.first_name=Sam",
                           "--participant", "parent=jo"] + staff).status == .success)
        let refused = space.run(["case", "timeline", "c1"] + parent)
        #expect(refused.status == .forbidden)
        #expect(refused.err == "error[forbidden]: you may not do this: you have not been given access to this case\n")
        #expect(space.run(["case", "timeline", "nope"] + parent).err == refused.err)
        #expect(space.run(["access", "grant", "c1", "--to", "jo", "--level", "limited", "--reason", "portal"] + staff).status == .success)
        #expect(space.run(["case", "fire", "c1", "start_deciding"] + staff).status == .success)

        let text = space.run(["case", "timeline", "c1"] + parent)
        #expect(text.status == .success, "\(text.err)")
        #expect(text.out == """
            EHC needs assessment for case c1
            Now: Deciding whether to assess (since \(today.written))
            Stages so far:
              \(today.written)  Request received
              \(today.written)  Deciding whether to assess
            What can happen next: Agree to assess; Decide not to assess
            Time limits:
              Decide whether to assess: due \(today.adding(days: 42).written), 42 days left
            Messages to you:
              \(today.written)  We are deciding whether to assess

            """)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(space.run(["case", "timeline", "c1", "--format", "json"] + parent).out.utf8)) as? [String: Any])
        #expect(json.keys.sorted() == ["all_notices", "as_of", "case", "next", "notices", "now", "reasons", "stages", "time_limits", "withheld", "workflow_title"])
        #expect((json["notices"] as? [[String: Any]])?.first?["body"] as? String == "We received the request about (withheld) on (withheld).")

        #expect(space.run(["case", "timeline"] + parent).status == .usage)
        #expect(space.run(["case", "timelin", "c1"]).err.hasPrefix("error: unknown case command 'timelin'\n  help: did you mean 'timeline'?"))
        #expect(space.run(["case", "timeline", "--help"]).out.contains("usage: casework case timeline CASE [--format text|json]"))
    }
}
