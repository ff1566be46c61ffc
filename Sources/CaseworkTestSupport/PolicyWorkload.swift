import CaseworkDefinitions
import CaseworkExpressions
import CaseworkTime

/// The policy benchmark's workload, shared by `casework-bench` (`policy`, `decide-batch`) and the tests that prove the
/// fast decision path agrees with the reference one on exactly what the benchmark measures: a portal policy of 19
/// rules, a workflow that names it, a generator of requests with a fixed seed, and the same answers written by hand.
public enum PolicyWorkload {
    /// The grant levels the policy declares, which the generated grants use in turn.
    public static let levels = ["full", "limited", "none"]

    /// A policy of twenty-odd rules: the portal's rules plus per-section rules for professionals and parents.
    public static var policyText: String {
        var text = """
            policy: bench-portal
            version: 1
            title: Benchmark portal
            actor:
              second_factor_verified: bool
              relationship: { one_of: [parent, carer, young_person, professional, caseworker] }
            levels: [full, limited, none]
            resources:
              case: [state, deadlines, address, fields]
              ehcp: [A, B, C, D, E, F, G, H1, H2, I, J, K]
              advice_form: [content]
            rules:
              - { id: no-second-factor, deny: [all], when: not actor.second_factor_verified, reason: "Sign in with your emailed code." }
              - { id: withdrawn, deny: [all], when: grant.level == "none" }
              - { id: caseworkers, allow: [all], when: actor.relationship == "caseworker" }
              - { id: parents-full, allow: [view, comment], on: [case, ehcp], when: 'actor.relationship in ["parent", "carer"] and grant.level == "full"' }
              - { id: limited, allow: [view], on: [case.state, case.deadlines, ehcp], when: grant.level == "limited", redact: [case.address, ehcp.K] }
              - { id: professionals, allow: [view, submit], on: [advice_form, case.state], when: actor.relationship == "professional" and grant.level == "full" }

            """
        for section in ["A", "B", "C", "D", "E", "F", "G", "H1", "H2", "I", "J", "K"] {
            text += "  - { id: professional-section-\(section.lowercased()), allow: [view], on: [ehcp.\(section)], when: actor.relationship == \"professional\" and grant.level == \"full\" and case.state != \"requested\" }\n"
        }
        text += "  - { id: young-person, allow: [view, comment, submit], on: [case, ehcp], when: actor.relationship == \"young_person\" and grant.level == \"full\" }\n"
        return text
    }

    /// A workflow of three states that names the policy.
    public static let workflow = """
        workflow: bench-case
        version: 1
        title: Bench
        policy: bench-portal
        roles: [parent, young_person, caseworker, health]
        states:
          requested: { initial: true }
          assessing: {}
          done: { final: true }
        transitions:
          - { name: start, from: requested, to: assessing, by: caseworker }
          - { name: finish, from: assessing, to: done, by: caseworker }

        """

    /// The two definition files, as `DefinitionCatalog.load(sources:)` and `Validator.validate(sources:)` take them.
    public static let sources = [(file: "bench-portal.yaml", text: policyText), (file: "bench-case.yaml", text: workflow)]

    /// The states of ``workflow``, which the generated cases are in by turns.
    public static let states = ["requested", "assessing", "done"]

    /// The same answers as the policy, written by hand: allow or deny, and the redactions.
    public static func handWritten(_ request: AccessRequest) -> (Bool, [String]) {
        guard case .bool(true)? = request.attributes["second_factor_verified"], case .string(let relationship)? = request.attributes["relationship"] else {
            return (false, [])
        }
        let grant = request.grants.first { $0.to == request.principal }
        if grant?.level == "none" { return (false, []) }
        func on(_ entries: [String]) -> Bool { entries.contains { request.resource == $0 || request.resource.hasPrefix($0 + ".") } }
        var allowed = relationship == "caseworker"
        var redact: [String] = []
        let level = grant?.level
        if ["parent", "carer"].contains(relationship), level == "full", ["view", "comment"].contains(request.action), on(["case", "ehcp"]) { allowed = true }
        if level == "limited", request.action == "view", on(["case.state", "case.deadlines", "ehcp"]) {
            allowed = true
            redact += ["case.address", "ehcp.K"].filter { $0.hasPrefix(request.resource + ".") || $0 == request.resource || request.resource.hasPrefix($0 + ".") }
        }
        if relationship == "professional", level == "full" {
            if ["view", "submit"].contains(request.action), on(["advice_form", "case.state"]) { allowed = true }
            if request.action == "view", request.resource.hasPrefix("ehcp."), request.state != "requested" { allowed = true }
        }
        if relationship == "young_person", level == "full", ["view", "comment", "submit"].contains(request.action), on(["case", "ehcp"]) { allowed = true }
        if !allowed { return (false, []) }
        if redact.contains(where: { request.resource == $0 || request.resource.hasPrefix($0 + ".") }) { return (false, []) }
        return (true, redact.sorted())
    }

    /// The generated workload, one request at a time so a caller need not hold it all: `count` requests by 2,000
    /// actors (parents' accounts with each relationship in turn) on 5,000 cases of `workflow` in `states`, each case
    /// with three grants at the three levels, for the portal's actions and resources, with a fixed seed.
    public static func forEachRequest(
        count: Int, workflow: String = "bench-case", states: [String] = states, fields: [String: ExpressionValue] = [:],
        _ body: (AccessRequest) throws -> Void
    ) rethrows {
        var random = SeededGenerator(seed: 42)
        let relationships = ["parent", "carer", "young_person", "professional", "caseworker"]
        let resources = ["case", "case.state", "case.deadlines", "case.address", "ehcp", "advice_form"]
            + ["A", "B", "C", "D", "E", "F", "G", "H1", "H2", "I", "J", "K"].map { "ehcp.\($0)" }
        let actors = (0..<2_000).map { index in (CaseActor(role: "parent", id: "actor-\(index)"), relationships[index % relationships.count]) }
        let cases = (0..<5_000).map { index in
            (id: "case-\(index)", state: states[index % states.count],
             grants: (0..<3).map { offset in AccessGrant(to: .person("actor-\((index * 7 + offset * 13) % 2_000)"), level: levels[(index + offset) % 3]) })
        }
        let at = CalendarDate("2025-11-25")!.start()
        for _ in 0..<count {
            let (actor, relationship) = actors[Int(random.next() % UInt64(actors.count))]
            let subject = cases[Int(random.next() % UInt64(cases.count))]
            try body(AccessRequest(actor: actor, attributes: ["second_factor_verified": .bool(random.next() % 10 != 0), "relationship": .string(relationship)],
                                   action: ["view", "comment", "submit", "edit"][Int(random.next() % 4)], resource: resources[Int(random.next() % UInt64(resources.count))],
                                   caseID: subject.id, workflow: workflow, state: subject.state, fields: fields, grants: subject.grants, at: at))
        }
    }
}
