@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkTestSupport
@testable import CaseworkTime
import Foundation
import Testing

/// The shipped portal policy against the people in the seeds, and the properties every policy keeps.
@Suite("Access policy decisions")
struct PolicyTests {
    static let catalog = try! DefinitionCatalog.load(paths: ["Workflows", "Policies"].map { RepositoryPaths.root.appendingPathComponent($0).path })
    static let policy = catalog.policies["send-portal"]!
    static let at = CalendarDate("2025-11-25")!.start().addingTimeInterval(10 * 3600)

    static func request(
        _ actor: CaseActor, relationship: String, action: String = "view", resource: String, grants: [AccessGrant],
        secondFactor: Bool = true, born: String = "2015-03-02", at: Date = at
    ) -> AccessRequest {
        AccessRequest(actor: actor, attributes: ["second_factor_verified": .bool(secondFactor), "relationship": .string(relationship)],
                      action: action, resource: resource, caseID: "c1", workflow: "ehcp-needs-assessment", state: "gathering_advice",
                      fields: ["child.date_of_birth": .date(CalendarDate(born)!)], grants: grants, at: at)
    }

    static let parentA = CaseActor(role: "parent", id: "parent-a")
    static let parentB = CaseActor(role: "parent", id: "parent-b")

    @Test(arguments: ["case", "case.address", "ehcp", "ehcp.K"])
    func aParentWithFullAccessSeesEverything(resource: String) {
        let decision = Self.policy.decide(Self.request(Self.parentA, relationship: "parent", resource: resource, grants: [AccessGrant(to: .person("parent-a"), level: "full")]))
        #expect(decision.allowed)
        #expect(decision.matched == ["parents-with-full-access"])
        #expect(decision.redact.isEmpty)
    }

    @Test(arguments: [("case.state", true), ("case.deadlines", true), ("ehcp", true), ("ehcp.B", true), ("case.address", false), ("ehcp.K", false), ("case", false)])
    func anEstrangedParentWithLimitedAccessSeesOnlyWhatTheServiceAllows(resource: String, allowed: Bool) {
        let grants = [AccessGrant(to: .person("parent-a"), level: "full"), AccessGrant(to: .person("parent-b"), level: "limited")]
        let decision = Self.policy.decide(Self.request(Self.parentB, relationship: "parent", resource: resource, grants: grants))
        #expect(decision.allowed == allowed, "\(resource): \(decision.reasons)")
        if resource == "ehcp" { #expect(decision.redact == ["ehcp.K"]) }
        if resource == "case.address" { #expect(decision.reasons == ["your access to this case does not include this"]) }
    }

    @Test func aParentWithNoAccessSeesNothing() {
        for resource in ["case", "case.state", "ehcp", "ehcp.A"] {
            let decision = Self.policy.decide(Self.request(Self.parentB, relationship: "parent", resource: resource, grants: [AccessGrant(to: .person("parent-b"), level: "none")]))
            #expect(!decision.allowed)
            #expect(decision.matched == ["access-withdrawn"])
            #expect(decision.reasons == ["The SEND service has decided you should not have access to this case."])
        }
    }

    @Test func theYoungPersonsRightsPassAtTheEndOfTheSchoolYearTheyTurnSixteen() {
        let youngPerson = CaseActor(role: "young_person", id: "yp-1")
        let grant = [AccessGrant(to: .person("yp-1"), level: "full"), AccessGrant(to: .person("parent-a"), level: "full")]
        // Born 2009-09-01: turns 16 in school year 2025/26, so rights pass after Friday 26 June 2026.
        let before = Self.policy.decide(Self.request(youngPerson, relationship: "young_person", action: "submit", resource: "ehcp", grants: grant, born: "2009-09-01",
                                                     at: CalendarDate("2026-06-26")!.start()))
        let after = Self.policy.decide(Self.request(youngPerson, relationship: "young_person", action: "submit", resource: "ehcp", grants: grant, born: "2009-09-01",
                                                    at: CalendarDate("2026-06-27")!.start()))
        #expect(!before.allowed)
        #expect(before.matched == ["young-person-before-sixteen"])
        #expect(before.reasons == ["You can act on this case yourself from 27 June 2026."], "the young person is told the day they can act")
        #expect(after.allowed)
        #expect(after.matched == ["young-person-after-sixteen"])
        let parentBefore = Self.policy.decide(Self.request(Self.parentA, relationship: "parent", action: "submit", resource: "ehcp", grants: grant, born: "2009-09-01",
                                                           at: CalendarDate("2026-06-26")!.start()))
        let parentAfter = Self.policy.decide(Self.request(Self.parentA, relationship: "parent", action: "submit", resource: "ehcp", grants: grant, born: "2009-09-01",
                                                          at: CalendarDate("2026-06-27")!.start()))
        #expect(parentBefore.allowed)
        #expect(!parentAfter.allowed, "decisions pass to the young person")
    }

    @Test func aYoungPersonWhoseDateOfBirthIsNotRecordedIsRefusedWithoutAGuessedDate() {
        var request = Self.request(CaseActor(role: "young_person", id: "yp-1"), relationship: "young_person", action: "submit", resource: "ehcp",
                                   grants: [AccessGrant(to: .person("yp-1"), level: "full")])
        request.fields = [:]
        let decision = Self.policy.decide(request)
        #expect(!decision.allowed)
        #expect(decision.matched == ["young-person-before-sixteen"], "an undecided deny counts, to be safe")
        #expect(decision.reasons == ["You can act on this case yourself from \(CompiledPolicy.unknownValue)."])
    }

    /// `matched` on a deny names every deny that counted, in the policy's order, and the reasons are their own.
    @Test(arguments: [
        (false, "none", ["no-second-factor-no-access", "access-withdrawn"]),
        (false, "full", ["no-second-factor-no-access"]),
        (true, "none", ["access-withdrawn"]),
    ])
    func matchedOnADenyNamesTheDenyingRules(secondFactor: Bool, level: String, denies: [String]) {
        let decision = Self.policy.decide(Self.request(Self.parentA, relationship: "parent", resource: "case.state",
                                                       grants: [AccessGrant(to: .person("parent-a"), level: level)], secondFactor: secondFactor))
        #expect(!decision.allowed)
        #expect(decision.matched == denies)
        let reasons = Dictionary(uniqueKeysWithValues: Self.policy.definition.rules.map { ($0.id.value, $0.reason?.text ?? "") })
        #expect(decision.reasons == denies.map { reasons[$0]! })
        #expect(!decision.reasons.contains { $0.contains("'") }, "rule ids stay in the trace")
    }

    @Test func aProfessionalSeesOnlyCasesWhereTheirOrganisationHasAGrant() {
        let health = CaseActor.organisation("nhs-trust", role: "health")
        let granted = Self.policy.decide(Self.request(health, relationship: "professional", action: "submit", resource: "advice_form", grants: [AccessGrant(to: .organisation("nhs-trust"), level: "full")]))
        let elsewhere = Self.policy.decide(Self.request(health, relationship: "professional", action: "submit", resource: "advice_form", grants: [AccessGrant(to: .person("other-trust"), level: "full")]))
        let plan = Self.policy.decide(Self.request(health, relationship: "professional", resource: "ehcp", grants: [AccessGrant(to: .organisation("nhs-trust"), level: "full")]))
        #expect(granted.allowed)
        #expect(!elsewhere.allowed)
        #expect(elsewhere.reasons == [CompiledPolicy.noAccess])
        #expect(!plan.allowed)
    }

    @Test func nobodySeesAnythingWithoutTheSecondFactor() {
        for (actor, relationship) in [(Self.parentA, "parent"), (CaseActor(role: "caseworker", id: "ana"), "caseworker")] {
            let decision = Self.policy.decide(Self.request(actor, relationship: relationship, resource: "case.state", grants: [AccessGrant(to: actor.principal, level: "full")], secondFactor: false))
            #expect(!decision.allowed)
            #expect(decision.reasons == ["Sign in with your emailed code to see SEND information."])
        }
    }

    @Test func caseworkersNeedNoGrantAndMissingAttributesFailSafe() {
        let caseworker = CaseActor(role: "caseworker", id: "ana")
        let allowed = Self.policy.decide(Self.request(caseworker, relationship: "caseworker", action: "edit", resource: "ehcp.K", grants: []))
        #expect(allowed.allowed)
        #expect(allowed.trace.first { $0.rule == "access-withdrawn" }?.why == "it is about a grant, and you have no grant on this case")
        var unknownFactor = Self.request(caseworker, relationship: "caseworker", resource: "ehcp", grants: [])
        unknownFactor.attributes["second_factor_verified"] = nil
        let refused = Self.policy.decide(unknownFactor)
        #expect(!refused.allowed, "a deny that cannot be decided still stops an allow")
        #expect(refused.reasons == ["Sign in with your emailed code to see SEND information."], "an undecided deny that counts gives its own reason")
        #expect(refused.matched == ["no-second-factor-no-access"])
        #expect(refused.trace.first { $0.rule == "no-second-factor-no-access" }?.why.contains("cannot be decided") == true, "the detail stays in the trace")
    }

    @Test func grantsHoldOnlyBetweenTheirDatesAndForTheirSections() {
        let expired = AccessGrant(to: .person("parent-a"), level: "full", until: CalendarDate("2025-11-24"))
        #expect(!Self.policy.decide(Self.request(Self.parentA, relationship: "parent", resource: "ehcp", grants: [expired])).allowed)
        let sections = AccessGrant(to: .person("parent-a"), level: "full", sections: ["ehcp.A", "ehcp.B", "case.state"])
        let plan = Self.policy.decide(Self.request(Self.parentA, relationship: "parent", resource: "ehcp", grants: [sections]))
        #expect(plan.allowed)
        #expect(plan.redact == ["ehcp.C", "ehcp.D", "ehcp.E", "ehcp.F", "ehcp.G", "ehcp.H1", "ehcp.H2", "ehcp.I", "ehcp.J", "ehcp.K"])
        #expect(!Self.policy.decide(Self.request(Self.parentA, relationship: "parent", resource: "ehcp.F", grants: [sections])).allowed)
    }

    /// Properties over generated requests: default deny without a grant; adding a deny never turns a deny into an allow.
    @Test(arguments: [7, 8, 9])
    func defaultDenyAndMonotoneDenies(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        func pick<T>(_ options: [T]) -> T { options[Int(random.next() % UInt64(options.count))] }
        let extra = PolicyRule(id: Located("extra-deny", at: .startOf("x")), effect: .deny, actions: [Located("view", at: .startOf("x"))],
                               on: [Located("ehcp", at: .startOf("x"))], when: nil, redact: [], reason: ReasonText("extra", at: .startOf("x")))
        var stricterDefinition = Self.policy.definition
        stricterDefinition.rules.append(extra)
        // The extra rule has no expressions, so the policy's checked ones are all the stricter policy needs.
        let report = try Validator.validate(paths: ["Workflows", "Policies"].map { RepositoryPaths.root.appendingPathComponent($0).path })
        let stricter = try CompiledPolicy(stricterDefinition, checked: report.policyExpressions[stricterDefinition.id.value], in: report.definitions)
        let reference = ReferencePolicy("send-portal", of: report)
        for _ in 0..<500 {
            let relationship = pick(["parent", "carer", "young_person", "professional", "caseworker"])
            let actor = CaseActor(role: pick(["parent", "young_person", "health", "caseworker", "send_manager", "school"]), id: pick(["a", "b", "c"]))
            let level = pick(["full", "limited", "none"])
            let grants = random.next() % 3 == 0 ? [] : [AccessGrant(to: .person(pick(["a", "b", "x"])), level: level)]
            let request = Self.request(actor, relationship: relationship, action: pick(["view", "comment", "submit", "edit"]),
                                       resource: pick(["case", "case.state", "case.address", "ehcp", "ehcp.K", "advice_form"]), grants: grants,
                                       secondFactor: random.next() % 5 != 0, born: pick(["2005-01-01", "2015-03-02"]))
            let decision = Self.policy.decide(request)
            if !grants.contains(where: { $0.to == actor.principal }), relationship != "caseworker" {
                #expect(!decision.allowed, "no grant, no access: \(request.actor) \(request.action) \(request.resource)")
            }
            if !decision.allowed { #expect(!stricter.decide(request).allowed, "a deny stays a deny") }
            #expect(decision.trace.count == Self.policy.definition.rules.count, "every rule is considered and explained")
            #expect(ReferencePolicy.Decision(decision) == reference.decide(request), "the fast path decides and explains as the reference")
        }
    }
}

@Suite("casework decide")
struct DecideCommandTests {
    static let definitions = ["Workflows", "Policies"].flatMap { ["--definitions", RepositoryPaths.root.appendingPathComponent($0).path] }

    func write(_ json: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("casework-request-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: url)
        return url.path
    }

    @Test func aDecisionPrintsTheFixedJSONKeys() throws {
        let path = try write("""
            {"actor": {"id": "parent-b", "role": "parent", "second_factor_verified": true, "relationship": "parent"},
             "action": "view", "resource": "ehcp",
             "case": {"id": "c1", "workflow": "ehcp-needs-assessment", "state": "gathering_advice", "fields": {"child": {"date_of_birth": "2015-03-02"}}},
             "grants": [{"to": "parent-b", "level": "limited"}], "at": "2025-11-25T10:00:00Z"}
            """)
        let result = runCasework(["decide", path, "--format", "json"] + Self.definitions)
        #expect(result.status == .success, "\(result.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        #expect(json["decision"] as? String == "allow")
        #expect(json["matched"] as? [String] == ["limited-access"])
        #expect(json["redact"] as? [String] == ["ehcp.K"])
        #expect((json["reasons"] as? [String])?.count == 1)
        let text = runCasework(["decide", path] + Self.definitions).out
        #expect(text.hasPrefix("allow: parent:parent-b may view ehcp on case c1\n"))
        #expect(text.contains("  withheld: ehcp.K\n"))
    }

    @Test func aBadRequestIsAClearErrorAndExitsOne() throws {
        let wrongType = try write("""
            {"actor": {"id": "p", "role": "parent", "second_factor_verified": "yes"}, "action": "view", "resource": "ehcp",
             "case": {"workflow": "ehcp-needs-assessment", "state": "requested"}, "grants": [{"to": "p", "level": "ful"}]}
            """)
        let result = runCasework(["decide", wrongType] + Self.definitions)
        #expect(result.status == .failure)
        #expect(result.err.contains("'actor.second_factor_verified': expected a bool, found yes"))
        #expect(result.err.contains("'grants[0].level': 'ful' is not a level of policy 'send-portal'"))
        #expect(runCasework(["decide", "/no/such.json"] + Self.definitions).status == .failure)
        #expect(runCasework(["decide"] + Self.definitions).status == .usage)
    }
}
