@testable import CaseworkDefinitions
@testable import CaseworkEngine
@testable import CaseworkTime
import Foundation
import Testing

/// Issue 10 on the policy side: which paths and actions a policy knows, redaction by path, principals, and
/// reasons a parent can read.
@Suite("Policy paths, redactions, principals and reasons")
struct PolicyPathTests {
    /// A small set: a workflow with address fields, and a policy that redacts by section and by field.
    static let workflow = """
        workflow: family-case
        version: 1
        title: Family case
        policy: family-portal
        roles: [parent, caseworker]
        fields:
          address: { line1: string, postcode: string }
          child:
            first_name: string
            date_of_birth: date
            address: string
          parent: { address: string }
        states:
          open: { initial: true }
          closed: { final: true }
        transitions:
          - { name: close, from: open, to: closed, by: caseworker }

        """

    static func policy(rules: String, sectionFields: String = "section_fields: { case.address: [address, child.address, parent.address] }") -> String {
        """
        policy: family-portal
        version: 1
        actor:
          relationship: { one_of: [parent, caseworker] }
        levels: [full, limited]
        \(sectionFields)
        resources:
          case: [state, deadlines, address, fields]
          ehcp: [A, K]
        rules:
        \(rules)
        """
    }

    static func compile(_ policyText: String) throws -> CompiledPolicy {
        let catalog = try DefinitionCatalog.load(sources: [(file: "family-case.yaml", text: workflow), (file: "family-portal.yaml", text: policyText)])
        return try #require(catalog.policies["family-portal"])
    }

    static let limited = """
          - { id: limited, allow: [view], on: [case], when: grant.level == "limited", redact: [case.address] }
          - { id: caseworkers, allow: [all], when: actor.relationship == "caseworker" }
        """

    static func request(_ action: String = "view", _ resource: String, relationship: String = "parent", level: String = "limited",
                        principal: Principal? = nil, grantTo: Principal = .person("p1")) -> AccessRequest {
        AccessRequest(actor: CaseActor(role: "parent", id: "p1"), principal: principal, attributes: ["relationship": .string(relationship)], action: action,
                      resource: resource, caseID: "c1", workflow: "family-case", state: "open", fields: [:],
                      grants: [AccessGrant(to: grantTo, level: level)], at: CalendarDate("2025-11-25")!.start())
    }

    // MARK: Which paths and actions exist

    @Test(arguments: [
        ("case", true), ("ehcp", true), ("case.state", true), ("ehcp.K", true), ("case.address", true), ("case.fields", true),
        ("case.fields.child", true), ("case.fields.child.address", true), ("case.fields.address.line1", true),
        ("ehcp.Z", false), ("case.state.x", false), ("VIEW", false), ("delete", false), ("", false), ("case.fields.child.adress", false),
        ("case.fields.child.address.x", false), ("case.", false), ("ehcp.K.x", false), ("advice_form", false),
    ])
    func knownPaths(path: String, known: Bool) throws {
        let policy = try Self.compile(Self.policy(rules: Self.limited))
        #expect(policy.paths.isKnown(path) == known)
        let caseworker = policy.decide(Self.request("view", path, relationship: "caseworker", level: "full"))
        #expect(caseworker.allowed == known, "allow: [all] with no 'on' covers exactly the known paths: \(caseworker.reasons)")
        #expect(policy.problems(in: Self.request("view", path)).map(\.field) == (known ? [] : ["resource"]))
    }

    @Test(arguments: ["delete", "", "VIEW", "all", "view ", "Open"])
    func allMeansEveryKnownActionNeverAnArbitraryString(action: String) throws {
        let policy = try Self.compile(Self.policy(rules: Self.limited))
        let decision = policy.decide(Self.request(action, "case.state", relationship: "caseworker"))
        #expect(!decision.allowed)
        #expect(decision.matched.isEmpty)
        #expect(decision.reasons.count == 1 && decision.reasons[0].contains("is not an action of policy 'family-portal'"))
        #expect(decision.trace.count == 2 && decision.trace.allSatisfy { !$0.matched })
        #expect(policy.problems(in: Self.request(action, "case.state")).map(\.field) == ["action"])
    }

    @Test(arguments: ["view", "comment", "submit", "edit", "open", "grant"])
    func builtInActionsAreKnownToEveryPolicy(action: String) throws {
        let policy = try Self.compile(Self.policy(rules: Self.limited))
        #expect(policy.decide(Self.request(action, "case", relationship: "caseworker")).allowed)
    }

    // MARK: Redaction by path

    @Test(arguments: [
        // (redaction, section_fields mapped?, field, hidden)
        ("case.fields.child.address", true, "child.address", true),
        ("case.fields.child.address", true, "child.address.line1", true),
        ("case.fields.child.address", true, "child.first_name", false),
        ("case.fields.child.address", true, "child.addressee", false),
        ("case.fields", true, "child.first_name", true),
        ("case", true, "address.line1", true),
        ("case.address", true, "child.address", true),
        ("case.address", true, "parent.address", true),
        ("case.address", true, "address.postcode", true),
        ("case.address", true, "child.first_name", false),
        ("case.address", false, "address", true),
        ("case.address", false, "address.line1", true),
        ("case.address", false, "child.address", false),
        ("case.state", true, "address", false),
        ("ehcp.K", true, "address", false),
    ])
    func aRedactionHidesItsPathAndEverythingUnderIt(path: String, mapped: Bool, field: String, hidden: Bool) throws {
        let policy = try Self.compile(Self.policy(rules: Self.limited, sectionFields: mapped ? "section_fields: { case.address: [address, child.address, parent.address] }" : ""))
        let redaction = policy.paths.redaction(of: path)
        #expect(redaction.hides(field: field) == hidden)
        #expect(redaction.hides(resource: "case.fields.\(field)") == hidden)
        #expect(RedactionSet([redaction]).hides(field: field) == hidden)
    }

    @Test func aSectionRedactionIsCarriedByEveryDecisionOnTheCaseOrItsFields() throws {
        let policy = try Self.compile(Self.policy(rules: Self.limited))
        for resource in ["case", "case.fields", "case.fields.child"] {
            let decision = policy.decide(Self.request("view", resource))
            #expect(decision.allowed, "\(resource): \(decision.reasons)")
            #expect(decision.redact == ["case.address"], "\(resource)")
            #expect(decision.redactions.hides(field: "child.address"))
            #expect(!decision.redactions.hides(field: "child.first_name"))
        }
        for resource in ["case.address", "case.fields.child.address", "case.fields.address", "case.fields.address.line1", "case.fields.parent.address"] {
            let decision = policy.decide(Self.request("view", resource))
            #expect(!decision.allowed, "\(resource) is hidden by the redaction")
            #expect(decision.matched == ["limited"], "the rule whose redaction refused it")
            #expect(decision.reasons == [CompiledPolicy.notIncluded])
        }
        #expect(policy.decide(Self.request("view", "case.fields.child.first_name")).redact.isEmpty, "nothing under it is redacted")
    }

    /// Before: a redaction was applied only when the requested resource and the redaction covered each other,
    /// so `case.address` was ignored for a request on `case.fields`, and a rule naming `case.fields` kept nothing back.
    @Test(arguments: [
        """
          - { id: fields, allow: [view], on: [case.fields], when: grant.level == "limited", redact: [case.address] }
        """,
        """
          - { id: fields, allow: [view], on: [case.fields], when: grant.level == "limited" }
          - { id: limited, allow: [view], on: [case], when: grant.level == "limited", redact: [case.address] }
        """,
        """
          - { id: fields, allow: [view], on: [case.fields], when: grant.level == "limited", redact: [case.fields.child.address, case.fields.parent] }
        """,
    ])
    func aRedactionIsAppliedWhenTheAllowNamesCaseFields(rules: String) throws {
        let policy = try Self.compile(Self.policy(rules: rules))
        let decision = policy.decide(Self.request("view", "case.fields"))
        #expect(decision.allowed)
        #expect(!decision.redact.isEmpty)
        #expect(decision.redactions.hides(field: "child.address"))
        #expect(decision.redactions.hides(field: "parent.address"))
        #expect(!decision.redactions.hides(field: "child.first_name"))
    }

    @Test func grantSectionsWithholdTheOtherPartsAsRedactions() throws {
        let policy = try Self.compile(Self.policy(rules: """
              - { id: full, allow: [view], on: [case], when: grant.level == "full" }
            """))
        var request = Self.request("view", "case", level: "full")
        request.grants = [AccessGrant(to: .person("p1"), level: "full", sections: ["case.state", "case.deadlines"])]
        let decision = policy.decide(request)
        #expect(decision.allowed)
        #expect(decision.redact == ["case.address", "case.fields"])
        #expect(decision.redactions.hides(field: "child.first_name"))
        request.resource = "case.fields.child"
        #expect(!policy.decide(request).allowed)
    }

    // MARK: Principals

    @Test(arguments: [
        ("p1", Principal.person("p1")), ("person:p1", .person("p1")), ("organisation:hill", .organisation("hill")),
        ("parent-a.b_c", .person("parent-a.b_c")),
    ])
    func principalsReadFromText(text: String, principal: Principal) throws {
        #expect(try Principal(parsing: text) == principal)
        #expect(try Principal(parsing: principal.description) == principal)
        let decoded = try JSONDecoder().decode([Principal].self, from: Data("[\"\(text)\"]".utf8))
        #expect(decoded == [principal])
        let encoded = try JSONEncoder().encode(principal)
        let written = if case .person(let id) = principal { id } else { principal.description }
        #expect(String(decoding: encoded, as: UTF8.self) == "\"\(written)\"", "a person is written as the bare id, as grants were first written")
    }

    @Test(arguments: ["", "person:", "team:x", "organisation:a b", "p\u{7}1", "p\n1", "a/b", "p1:x:y", "café\u{0}", "Zoë", "jо"])
    func textThatIsNoPrincipalIsRefused(text: String) {
        #expect(throws: Principal.ParseError.self) { try Principal(parsing: text) }
    }

    @Test func aGrantToAnOrganisationAppliesToThoseActingForIt() throws {
        let policy = try Self.compile(Self.policy(rules: """
              - { id: full, allow: [view], on: [case], when: grant.level == "full" }
            """))
        let forHill = Self.request("view", "case.state", level: "full", principal: .organisation("hill"), grantTo: .organisation("hill"))
        #expect(policy.decide(forHill).allowed)
        #expect(!policy.decide(Self.request("view", "case.state", level: "full", grantTo: .organisation("hill"))).allowed, "the person alone has no grant")
        #expect(policy.decide(Self.request("view", "case.state", level: "full", grantTo: .person("p1"))).allowed, "person:p1 is p1")
        #expect(policy.decide(Self.request("view", "case.state", level: "full", grantTo: .person("p1"))).allowed, "a bare id is a person")
        #expect(!policy.decide(Self.request("view", "case.state", level: "full", principal: .organisation("hill"), grantTo: .person("hill"))).allowed,
                "a bare id is a person, not the organisation")
        let problems = policy.problems(in: Self.request("view", "case.state", grantTo: .person("team:x")))
        #expect(problems.map(\.field) == ["grants[0].to"])
    }

    // MARK: Titles and reasons

    @Test func aPolicyWithoutATitleValidates() throws {
        let report = Validator.validate(sources: [(file: "family-case.yaml", text: Self.workflow), (file: "family-portal.yaml", text: Self.policy(rules: Self.limited))])
        #expect(report.diagnostics.isEmpty, "\(report.diagnostics)")
        #expect(report.definitions.policies.first?.title == nil)
    }

    @Test(arguments: [
        ("No access until {grant.until}.", "No access until 1 September 2025."),
        ("From {grant.until + 1 day}, {actor.relationship}.", "From 2 September 2025, parent."),
        ("{grant.level}", "limited"),
        ("Born {case.child.date_of_birth}.", "Born \(CompiledPolicy.unknownValue)."),
        ("No placeholders.", "No placeholders."),
    ])
    func reasonsShowValuesAsLettersWriteThem(reason: String, shown: String) throws {
        let policy = try Self.compile(Self.policy(rules: """
              - { id: stop, deny: [view], when: grant.level == "limited", reason: "\(reason)" }
            """))
        var request = Self.request("view", "case")
        request.grants = [AccessGrant(to: .person("p1"), level: "limited", until: CalendarDate("2025-09-01"))]
        request.at = CalendarDate("2025-08-01")!.start()
        let decision = policy.decide(request)
        #expect(decision.reasons == [shown])
        #expect(decision.matched == ["stop"])
    }

    @Test(arguments: [
        ("From {grant.until.", ReasonText.ParseError.unclosed(offset: 5)),
        ("Closed } now", .strayClose(offset: 7)),
        ("Empty {  } here", .empty(offset: 6)),
        ("Nested {a {b}}", .nestedOpen(offset: 10)),
        ("Template {{ grant.until }}", .nestedOpen(offset: 10)),
    ])
    func aReasonWhosePlaceholdersCannotBeReadIsAnError(reason: String, problem: ReasonText.ParseError) {
        let text = ReasonText(reason, at: .startOf("x"))
        #expect(text.problem == problem)
        #expect(text.parts == [.literal(reason)], "shown as written, never half-rendered")
        let report = Validator.validate(sources: [(file: "family-case.yaml", text: Self.workflow), (file: "family-portal.yaml", text: Self.policy(rules: """
              - { id: stop, deny: [view], reason: "\(reason)" }
            """))])
        #expect(report.diagnostics.map(\.code.rawValue) == ["CW0238"])
    }

    @Test(arguments: [
        ("section_fields: { case.fields: [address] }", "CW0103"),
        ("section_fields: { case.state: [address] }", "CW0103"),
        ("section_fields: { ehcp.K: [address] }", "CW0103"),
        ("section_fields: { case.adress: [address] }", "CW0225"),
        ("section_fields: { case.address: [child.adress] }", "CW0236"),
        ("section_fields: { case.address: [child.address.line1] }", "CW0236"),
        ("section_fields: { case.address: child }", nil),
        ("section_fields: [case.address]", "CW0103"),
    ] as [(String, String?)])
    func sectionFieldsMapASectionOfTheCaseToFieldsThatExist(sectionFields: String, code: String?) {
        let report = Validator.validate(sources: [(file: "family-case.yaml", text: Self.workflow),
                                                  (file: "family-portal.yaml", text: Self.policy(rules: Self.limited, sectionFields: sectionFields))])
        #expect(report.diagnostics.map(\.code.rawValue) == (code.map { [$0] } ?? []), "\(report.diagnostics)")
    }

    @Test func fallbackReasonsNameNoCouncil() throws {
        let policy = try Self.compile(Self.policy(rules: """
              - { id: stop, deny: [edit], when: grant.level == "limited" }
              - { id: full, allow: [view], on: [case], when: grant.level == "full" }
            """))
        let reasons = [
            policy.decide(Self.request("edit", "case")).reasons,
            policy.decide(Self.request("view", "case", grantTo: .person("someone-else"))).reasons,
            policy.decide(Self.request("view", "case")).reasons,
        ]
        #expect(reasons == [[CompiledPolicy.notAllowed], [CompiledPolicy.noAccess], [CompiledPolicy.notIncluded]])
        #expect(!reasons.joined().joined().contains("SEND"))
    }
}
