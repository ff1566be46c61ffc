import CaseworkCommandLine
@testable import CaseworkDefinitions
@testable import CaseworkEngine
@testable import CaseworkExpressions
import CaseworkSQLite
@testable import CaseworkStore
@testable import CaseworkTime
import Foundation
import Testing

/// The world the access matrix runs in: the shipped definitions, the people who may try to reach a case, the
/// operations they may try, the expected outcome of each (as a table), and the case every cell starts from.
enum Matrix {
    // MARK: Definitions

    static let definitionFiles = [
        "Workflows/ehcp-needs-assessment.yaml", "Workflows/annual-review.yaml", "Workflows/tribunal-appeal.yaml",
        "Workflows/access-request.yaml", "Workflows/plan-amendment.yaml", "Workflows/tribunal-orders.yaml", "Workflows/re-assessment.yaml", "Workflows/ceasing-to-maintain.yaml",
        "Workflows/phase-transfer.yaml", "Workflows/council-transfer.yaml",
        "Workflows/mediation.yaml", "Workflows/personal-budget.yaml", "Workflows/ehcp-plan.yaml",
        "Workflows/forms/professional-advice.yaml", "Workflows/forms/review-advice.yaml", "Workflows/forms/section-a.yaml",
        "Workflows/calendars/england-and-wales.yaml", "Workflows/calendars/send-tribunal.yaml", "Policies/send-portal.yaml",
    ]

    /// The shipped set, loaded once.
    static let catalog = try! DefinitionCatalog.load(paths: ["Workflows", "Policies"].map { RepositoryPaths.root.appendingPathComponent($0).path })

    /// A command-line workspace holding the whole shipped set.
    static func workspace() throws -> CommandWorkspace {
        let read = { (path: String) in try String(contentsOfFile: RepositoryPaths.root.appendingPathComponent(path).path, encoding: .utf8) }
        return try CommandWorkspace(Dictionary(uniqueKeysWithValues: try definitionFiles.map { (URL(fileURLWithPath: $0).lastPathComponent, try read($0)) }))
    }

    // MARK: People

    static let fullParentID = "parent-jo-ashby"
    static let limitedParentID = "parent-lee-brook"
    static let noneParentID = "parent-max-crane"
    static let youngPersonID = "yp-zara-finch"
    static let strangerID = "parent-kim-stranger"
    static let caseworkerID = "cw-ana-dunn"
    static let managerID = "sm-sam-ellis"
    static let school = "hillside-primary"
    static let otherSchool = "oakfield-academy"
    static let health = "nhs-community-trust"
    static let psychology = "county-ep-service"
    static let socialCare = "county-social-care"
    /// The organisation whose id a parent also uses.
    static let sharedID = "hill"

    /// Every person's and organisation's id on the case: what someone who may not see who is involved must never be shown.
    static let everyID = [fullParentID, limitedParentID, noneParentID, youngPersonID, caseworkerID, managerID, school, otherSchool, health, psychology, socialCare]

    static let caseworker = CaseActor(role: "caseworker", id: caseworkerID)
    static let manager = CaseActor(role: "send_manager", id: managerID)
    static let fullParent = CaseActor(role: "parent", id: fullParentID)

    static func attributes(_ relationship: String, secondFactor: Bool? = true) -> [String: ExpressionValue] {
        var attributes: [String: ExpressionValue] = ["relationship": .string(relationship)]
        if let secondFactor { attributes["second_factor_verified"] = .bool(secondFactor) }
        return attributes
    }

    static let staff = attributes("caseworker")

    /// The grants the SEND service has recorded on every case of the matrix.
    static let grants: [(Principal, String)] = [
        (.person(fullParentID), "full"), (.person(limitedParentID), "limited"), (.person(noneParentID), "none"), (.person(youngPersonID), "full"),
        (.organisation(school), "full"), (.organisation(health), "full"), (.organisation(psychology), "full"), (.organisation(socialCare), "full"),
        // The organisation 'hill': a parent whose person id is also 'hill' must never inherit this grant.
        (.organisation(sharedID), "full"),
    ]

    // MARK: What is secret

    /// Distinctive values in the cases' fields (and their forms of writing in letters), and the advice a professional gave.
    static let fieldSecrets = ["Zebedee", "Quillfeather", "Moonrise", "Xylophone", "Kumquat", "Wisteria Walk", "2009-10-15", "15 October 2009"]
    /// The content of health's advice form: for those the policy lets `view` `advice_form` (staff and professionals with a grant).
    static let adviceSecret = "Okapi"
    /// What tells a refused person where a case is: its state (name and title), its workflow (id and title).
    static let caseShape = ["draft_issued", "Draft plan issued", "not_assessing", "ehcp-needs-assessment", "EHC needs assessment"]

    /// The exit status cli.md gives each refusal code.
    static func exitStatus(_ code: RefusalCode) -> CaseworkCommandLine.ExitStatus {
        switch code {
        case .blocked, .invalidInput: .failure
        case .forbidden, .notFound: .forbidden
        case .conflict: .conflict
        case .definitionError: .definitionError
        case .unavailable: .unavailable
        }
    }

    /// The strings `text` contains out of `secrets`.
    static func leaks(_ text: String, _ secrets: [String]) -> [String] {
        secrets.filter { text.localizedCaseInsensitiveContains($0) }
    }

    // MARK: Time

    /// The child of the matrix case is born on 15 October 2009: they turn 16 in the school year 2025-26, so their rights pass
    /// to them after the last Friday of June 2026, Friday 26 June 2026 (`school_leaving_date`). "Before" is that Friday
    /// itself (the policy's `today <= school_leaving_date(...)`: the parent still decides on the day), "after" the Saturday.
    static let matrixBirthDate = "2009-10-15"
    static let leavingDate = CalendarDate("2026-06-26")!
    /// For the command line, which runs on the system clock: a child born in 2016, whose rights pass in June 2032, so the
    /// command-line rows are the "before" column for years to come.
    static let commandLineBirthDate = "2016-02-14"

    // MARK: The case every cell starts from

    static let mainCase = "c1"
    static let declinedCase = "c2"
    static let missingCase = "c-missing"
    static let workflow = "ehcp-needs-assessment"

    static func date(_ text: String) -> ExpressionValue { .date(CalendarDate(text)!) }

    /// The participants of the matrix cases, with `persona` playing their own role, so that what is sent to that role is sent to them.
    static func participants(for persona: Persona) -> [String: String] {
        var participants = [
            "parent": fullParentID, "young_person": youngPersonID, "school": "organisation:\(school)", "health": "organisation:\(health)",
            "educational_psychology": "organisation:\(psychology)", "social_care": "organisation:\(socialCare)",
            "caseworker": caseworkerID, "send_manager": managerID,
        ]
        switch persona {
        case .fullParent, .limitedParent, .noneParent, .stranger, .sharedID, .noSecondFactor, .secondFactorMissing:
            participants["parent"] = persona.actor.id
        case .school, .schoolStaff, .schoolWithoutGrant:
            participants["school"] = persona.actor.principal.description
        case .youngStranger:
            participants["young_person"] = persona.actor.id
        case .youngPerson, .caseworker, .operator:
            break
        }
        return participants
    }

    /// Two cases of the shipped needs assessment, both with every grant of ``grants``:
    /// - `c1`, in `draft_issued`: advice asked of four services (the school's form `professional-advice-4` is shared, health's
    ///   `professional-advice-2` submitted), a draft plan sent, the `representations` clock running;
    /// - `c2`, in `not_assessing`, with the panel's reasons.
    /// The family, the school and the services are told at each step, as the workflow says.
    static func setUp(_ engine: Engine, for persona: Persona, birthDate: String = matrixBirthDate) throws {
        let participants = participants(for: persona)
        for caseID in [mainCase, declinedCase] {
            _ = try engine.open(workflow: workflow, as: fullParent, caseID: caseID, fields: [
                "requested_on": date("2026-01-05"), "requested_by": .string("parent"), "decisions_by": .string("parent"),
                "child.first_name": .string("Zebedee"), "child.last_name": .string("Quillfeather"), "child.date_of_birth": date(birthDate), "child.address": .string("7 Wisteria Walk"),
                "current_setting": .string("Moonrise Academy, 4 Lantern Row"), "request_summary": .string("Xylophone lessons are the only calm hour"),
            ], participants: CaseParticipants(participants.mapValues { [$0] }), attributes: attributes("parent"))
            for (principal, level) in grants {
                _ = try engine.grantAccess(caseID: caseID, grant: AccessGrant(to: principal, level: level), as: caseworker, attributes: staff,
                                           reason: "decided by the SEND service")
            }
            try fire(engine, caseID, "acknowledge_request", caseworker)
        }
        try fire(engine, mainCase, "record_evidence", caseworker, ["evidence_complete": .bool(true)])
        try fire(engine, mainCase, "agree_to_assess", manager, ["assessment_decision_on": date("2026-02-10"), "advice_requested_on": date("2026-02-10")])
        _ = try engine.submitForm(caseID: mainCase, instance: "professional-advice-2", as: .organisation(health, role: "health"),
                                  fields: ["summary_of_needs": .string("Okapi plan: a quiet room and two therapy sessions a week")],
                                  attributes: attributes("professional"))
        try fire(engine, mainCase, "complete_assessment", caseworker)  // the advice is overdue, so the panel may go on
        try fire(engine, mainCase, "agree_to_issue", manager, ["issue_decision_on": date("2026-04-01")])
        try fire(engine, mainCase, "issue_draft_plan", caseworker, ["draft_issued_on": date("2026-06-20")])
        try fire(engine, declinedCase, "decline_to_assess", manager, [
            "assessment_decision_on": date("2026-02-10"), "assessment_decision_sent_on": date("2026-02-10"),
            "assessment_decision_reasons": .string("Kumquat panel: needs met within SEN support"),
            "mediation_adviser_contact": .string("the mediation adviser"), "mediation_contact": .string("the SEND team"),
        ])
    }

    static func fire(_ engine: Engine, _ caseID: String, _ transition: String, _ actor: CaseActor, _ input: [String: ExpressionValue] = [:]) throws {
        _ = try engine.fire(FireRequest(caseID: caseID, transition: transition, actor: actor, input: input, attributes: staff))
    }

    /// A new in-memory engine at `era`'s instant, with the matrix cases set up for `persona`.
    static func world(_ persona: Persona, _ era: Era) throws -> (engine: Engine, store: InMemoryCaseStore) {
        let store = InMemoryCaseStore()
        let engine = try Engine(catalog: catalog, store: store, clock: ManualClock(era.instant))
        try setUp(engine, for: persona)
        return (engine, store)
    }
}

/// Before and after the young person's rights pass to them: two clocks.
enum Era: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case before, after

    var instant: Date {
        let day = self == .before ? Matrix.leavingDate : Matrix.leavingDate.adding(days: 1)
        return day.start().addingTimeInterval(9 * 3600)
    }

    var testDescription: String { rawValue }
}

/// Everyone who might try to reach a case.
enum Persona: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case fullParent, limitedParent, noneParent, youngPerson, school, schoolStaff, schoolWithoutGrant, stranger, youngStranger
    case noSecondFactor, secondFactorMissing, sharedID, caseworker, `operator`

    var testDescription: String { rawValue }

    var actor: CaseActor {
        switch self {
        case .fullParent, .noSecondFactor, .secondFactorMissing: CaseActor(role: "parent", id: Matrix.fullParentID)
        case .limitedParent: CaseActor(role: "parent", id: Matrix.limitedParentID)
        case .noneParent: CaseActor(role: "parent", id: Matrix.noneParentID)
        case .youngPerson: CaseActor(role: "young_person", id: Matrix.youngPersonID)
        case .school: .organisation(Matrix.school, role: "school")
        case .schoolStaff: CaseActor(role: "school", id: "sam-senco", organisation: Matrix.school)
        case .schoolWithoutGrant: .organisation(Matrix.otherSchool, role: "school")
        case .stranger: CaseActor(role: "parent", id: Matrix.strangerID)
        case .youngStranger: CaseActor(role: "young_person", id: "yp-ola-stranger")
        case .sharedID: CaseActor(role: "parent", id: Matrix.sharedID)
        case .caseworker: Matrix.caseworker
        case .operator: .operator("matrix")
        }
    }

    var attributes: [String: ExpressionValue] {
        switch self {
        case .fullParent, .limitedParent, .noneParent, .stranger, .sharedID: Matrix.attributes("parent")
        case .noSecondFactor: Matrix.attributes("parent", secondFactor: false)
        case .secondFactorMissing: Matrix.attributes("parent", secondFactor: nil)
        case .youngPerson, .youngStranger: Matrix.attributes("young_person")
        case .school, .schoolStaff, .schoolWithoutGrant: Matrix.attributes("professional")
        case .caseworker: Matrix.staff
        case .operator: [:]
        }
    }

    /// `--as … --attribute …` for the command line; nothing for the operator.
    var commandLine: [String] {
        guard self != .operator else { return [] }
        return ["--as", actor.description] + attributes.sorted { $0.key < $1.key }.flatMap { name, value -> [String] in
            switch value {
            case .string(let text): ["--attribute", "\(name)=\(text)"]
            case .bool(let flag): ["--attribute", "\(name)=\(flag)"]
            default: []
            }
        }
    }

    /// Whether the policy lets this person see the case's fields (`view` on `case.fields`): only they may ever be shown a field's value.
    func mayReadFields(_ era: Era) -> Bool {
        switch self {
        case .fullParent, .caseworker, .operator: true
        case .youngPerson: era == .after
        default: false
        }
    }

    /// Whether the policy lets this person know the case is there at all (`view` on `case.state`).
    func maySeeTheCase(_ era: Era) -> Bool {
        Expectations.outcome(self, .view, era) == .allowed
    }

    /// The ids this person may be shown: their own (and their organisation's); staff and the operator see everyone.
    var ownIDs: [String] {
        switch self {
        case .school, .schoolStaff: [Matrix.school]
        case .schoolWithoutGrant: [Matrix.otherSchool]
        default: [actor.id]
        }
    }

    /// What must never appear in anything this person receives: every field value, other people's ids, and the advice
    /// unless the policy lets them `view` `advice_form` (professionals with a grant). Empty for those who may see fields.
    func forbiddenStrings(_ era: Era) -> [String] {
        guard !mayReadFields(era) else { return [] }
        let advice = self == .school || self == .schoolStaff ? [] : [Matrix.adviceSecret]
        return Matrix.fieldSecrets + advice + Matrix.everyID.filter { !ownIDs.contains($0) }
    }
}

/// The operations that read or change a case.
enum Operation: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case open, fireFamily, fireStaff, record, view, history, transitions, outbox, verify, list
    case grant, revoke, excuse, formSubmit, formAccept, formReject, definition, timeline

    var testDescription: String { rawValue }

    /// Reads and changes of an existing case (everything but opening a new one and listing).
    static let onACase: [Operation] = allCases.filter { $0 != .open && $0 != .list }

    /// Runs the operation as `persona` on `caseID`; the value returned, printed, or the refusal.
    func perform(_ engine: Engine, as persona: Persona, on caseID: String = Matrix.mainCase) -> Result<String, EngineError> {
        let actor = persona.actor
        let attributes = persona.attributes
        func run(_ body: () throws(EngineError) -> String) -> Result<String, EngineError> {
            do { return .success(try body()) } catch { return .failure(error) }
        }
        switch self {
        case .open:
            return run { () throws(EngineError) in
                String(describing: try engine.open(workflow: Matrix.workflow, as: actor, caseID: "c-new", fields: [
                    "requested_on": Matrix.date("2026-06-01"), "requested_by": .string("parent"), "child.first_name": .string("Newt"),
                    "child.last_name": .string("Ormsby"), "child.date_of_birth": Matrix.date("2015-05-05"),
                ], attributes: attributes))
            }
        case .fireFamily:
            return run { () throws(EngineError) in
                String(describing: try engine.fire(FireRequest(caseID: caseID, transition: "make_representations", actor: actor,
                                                               input: ["meeting_requested": .bool(true)], attributes: attributes)))
            }
        case .fireStaff:
            return run { () throws(EngineError) in
                String(describing: try engine.fire(FireRequest(caseID: caseID, transition: "revise_draft_plan", actor: actor, attributes: attributes)))
            }
        case .record: return run { () throws(EngineError) in String(describing: try engine.caseRecord(caseID, as: actor, attributes: attributes)) }
        case .view: return run { () throws(EngineError) in String(describing: try engine.view(caseID: caseID, as: actor, attributes: attributes)) }
        case .history: return run { () throws(EngineError) in String(describing: try engine.history(caseID, as: actor, attributes: attributes)) }
        case .transitions:
            return run { () throws(EngineError) in String(describing: try engine.availableTransitions(caseID: caseID, as: actor, attributes: attributes)) }
        case .outbox: return run { () throws(EngineError) in String(describing: try engine.outbox(caseID: caseID, as: actor, attributes: attributes)) }
        case .verify: return run { () throws(EngineError) in String(describing: try engine.verifyAudit(caseID, as: actor, attributes: attributes)) }
        case .list:
            return run { () throws(EngineError) in
                let listed = try engine.cases(visibleTo: actor, attributes: attributes)
                guard listed.contains(where: { $0.id == caseID }) else { throw .forbidden(reasons: ["(not listed) \(listed)"]) }
                return String(describing: listed)
            }
        case .grant:
            return run { () throws(EngineError) in
                String(describing: try engine.grantAccess(caseID: caseID, grant: AccessGrant(to: .person("new-person-zz"), level: "limited"), as: actor,
                                                          attributes: attributes, reason: "matrix"))
            }
        case .revoke:
            return run { () throws(EngineError) in
                String(describing: try engine.revokeAccess(caseID: caseID, to: .person(Matrix.limitedParentID), as: actor, attributes: attributes, reason: "matrix"))
            }
        case .excuse:
            return run { () throws(EngineError) in
                String(describing: try engine.excuseDeadline(caseID: caseID, deadline: "final_plan", as: actor, reason: "matrix",
                                                             exception: "reg-13-3-circumstances", attributes: attributes))
            }
        case .formSubmit:
            return run { () throws(EngineError) in
                String(describing: try engine.submitForm(caseID: caseID, instance: "professional-advice-4", as: actor,
                                                         fields: ["summary_of_needs": .string("school advice")], attributes: attributes))
            }
        case .formAccept:
            return run { () throws(EngineError) in
                String(describing: try engine.acceptForm(caseID: caseID, instance: "professional-advice-2", as: actor, attributes: attributes))
            }
        case .formReject:
            return run { () throws(EngineError) in
                String(describing: try engine.rejectForm(caseID: caseID, instance: "professional-advice-2", as: actor, informationRequired: "more",
                                                         attributes: attributes))
            }
        case .definition:
            return run { () throws(EngineError) in
                String(describing: try engine.workflowDefinition(ofCase: caseID, as: actor, attributes: attributes).id.value)
            }
        case .timeline:
            return run { () throws(EngineError) in String(describing: try engine.timeline(caseID: caseID, as: actor, attributes: attributes)) }
        }
    }

    /// The same operation on the command line, when it has one (`case show --as` is ``view``; ``record`` and ``definition`` have none).
    func commandLine(on caseID: String = Matrix.mainCase) -> [String]? {
        switch self {
        case .open:
            return ["case", "open", Matrix.workflow, "--id", "c-new"] + ["requested_on=2026-06-01", "requested_by=parent", "child.first_name=Newt",
                                                                         "child.last_name=Ormsby", "child.date_of_birth=2015-05-05"].flatMap { ["--set", $0] }
        case .fireFamily: return ["case", "fire", caseID, "make_representations", "--set", "meeting_requested=true"]
        case .fireStaff: return ["case", "fire", caseID, "revise_draft_plan"]
        case .record, .definition: return nil
        case .view: return ["case", "show", caseID, "--format", "json"]
        case .history: return ["case", "history", caseID, "--format", "json"]
        case .transitions: return ["case", "transitions", caseID]
        case .outbox: return ["outbox", "list", "--case", caseID, "--format", "json"]
        case .verify: return ["audit", "verify", caseID]
        case .list: return ["case", "list"]
        case .grant: return ["access", "grant", caseID, "--to", "person:new-person-zz", "--level", "limited", "--reason", "matrix"]
        case .revoke: return ["access", "revoke", caseID, "--to", "person:\(Matrix.limitedParentID)", "--reason", "matrix"]
        case .excuse: return ["deadline", "excuse", caseID, "final_plan", "--exception", "reg-13-3-circumstances", "--reason", "matrix"]
        case .formSubmit: return ["form", "submit", caseID, "professional-advice-4", "--set", "summary_of_needs=school advice"]
        case .formAccept: return ["form", "accept", caseID, "professional-advice-2"]
        case .formReject: return ["form", "reject", caseID, "professional-advice-2", "--reason", "more"]
        case .timeline: return ["case", "timeline", caseID, "--format", "json"]
        }
    }
}

/// What each cell should give: allowed, or refused with a code.
enum Outcome: Hashable, Sendable, CustomStringConvertible {
    case allowed
    case refused(RefusalCode)

    init(_ result: Result<String, EngineError>) {
        switch result {
        case .success: self = .allowed
        case .failure(let error): self = .refused(error.code)
        }
    }

    var description: String {
        switch self {
        case .allowed: "allowed"
        case .refused(let code): code.rawValue
        }
    }
}
