@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkExpressions
import CaseworkTestSupport
import CaseworkTime
import Foundation
import Testing

/// A notice's recipient whose answers the compiled policy gives alone (``CompiledPolicy/recipientVerdicts(role:asking:)``:
/// a deny that holds on the role's `recipients:` profile, reading nothing else) is given exactly the verdicts a pass of
/// the policy over the case gives (``CompiledPolicy/verdicts(_:asking:)``), whatever the case's state, the recipient's
/// grant and who they are; and a deny that reads anything else (the case, the grant, the day, a function) is never
/// taken as known.
@Suite("Policies: a recipient's verdicts known from the compiled policy")
struct RecipientVerdictTests {
    /// A policy whose denies read the profile's attributes alone, or with the case's state, the day or the grant, and
    /// profiles that pass the second factor, fail it, or are left out (`health`).
    static let sources = [
        (file: "recipients.yaml", text: """
            policy: recipients
            version: 1
            title: Recipients
            actor:
              second_factor_verified: bool
              relationship: { one_of: [parent, professional, caseworker] }
            levels: [full, none]
            resources:
              case: [state, address, fields]
            rules:
              - { id: no-second-factor, deny: [all], when: not actor.second_factor_verified }
              - { id: withdrawn, deny: [all], when: grant.level == "none" }
              - { id: parents-until-closed, deny: [edit], when: actor.relationship == "parent" and case.state != "closed" }
              - { id: parents-in-the-past, deny: [comment], when: actor.relationship == "parent" and today < 2000-01-01 }
              - { id: professionals-named, deny: [grant], when: actor.relationship == "professional" and not has(actor.second_factor_verified) }
              - { id: no-professional-address, deny: [view], on: [case.address], when: actor.relationship == "professional" }
              - { id: caseworkers, allow: [all], when: actor.relationship == "caseworker" }
              - { id: families, allow: [view, comment, edit], on: [case], when: actor.relationship == "parent" and grant.level == "full" }
              - { id: professionals, allow: [view, grant], on: [case], when: actor.relationship == "professional" }
            recipients:
              parent: { relationship: parent, second_factor_verified: true }
              school: { relationship: professional, second_factor_verified: true }
              locked: { relationship: parent, second_factor_verified: false }
              caseworker: { relationship: caseworker, second_factor_verified: true }

            """),
        (file: "noticed.yaml", text: """
            workflow: noticed
            version: 1
            title: Noticed
            policy: recipients
            roles: [parent, school, locked, caseworker, health]
            states:
              open: { initial: true }
              closed: { final: true }
            transitions:
              - { name: close, from: open, to: closed, by: caseworker }

            """),
    ]

    static let custom = try! DefinitionCatalog(Validator.validate(sources: sources)).policies["recipients"]!

    /// The policies checked: this suite's, the benchmark's (no profiles: every recipient comes with no attributes) and the
    /// shipped one (a profile for most roles), each with states its workflows have.
    static let policies: [(name: String, policy: CompiledPolicy, states: [String])] = [
        ("recipients", custom, ["open", "closed"]),
        ("bench-portal", PolicyQuestionLookupTests.policies[0].policy, PolicyWorkload.states),
        ("send-portal", PolicyFastPathTests.shipped, ["requested", "assessing", "closed"]),
    ]

    /// Every group of questions a recipient can be asked (``Engine/recipientQuestions(on:)`` on each path the policy names)
    /// and each known action, and one it does not know, on each path alone.
    static func groups(_ policy: CompiledPolicy) -> [[AccessQuestion]] {
        let resources = policy.paths.resourceNames + [ResourcePaths.caseFields, "case.nowhere"]
        return [Engine.stateNoticeQuestions] + resources.map(Engine.recipientQuestions(on:))
            + (policy.definition.knownActions + ["delete"]).flatMap { action in resources.map { [AccessQuestion(action, on: $0)] } }
    }

    /// For every role of the policy's workflows and profiles and one it has never heard of, named or not, on cases in
    /// each state with the recipient holding a full grant, a withdrawn one, none, or someone else holding one: where the
    /// compiled policy gives the verdicts alone, they are the pass's.
    @Test(arguments: [0, 1, 2])
    func knownVerdictsAreThePasssVerdicts(policy place: Int) {
        let (name, policy, states) = Self.policies[place]
        let roles = Array(Set(policy.definition.recipients.map(\.role.value) + ["parent", "caseworker", "health", "school", "locked", "nobody"])).sorted()
        let at = CalendarDate("2025-11-25")!.start()
        var known = 0
        var unknown = 0
        var disagreements: [String] = []
        for role in roles {
            for group in Self.groups(policy) {
                guard let fast = policy.recipientVerdicts(role: role, asking: group) else {
                    unknown += 1
                    continue
                }
                known += 1
                #expect(fast.count == group.count)
                for id in [role, "p-1"] {
                    let actor = CaseActor(role: role, id: id)
                    for state in states {
                        for grants in [[], [AccessGrant(to: actor.principal, level: "full")], [AccessGrant(to: actor.principal, level: "none")],
                                       [AccessGrant(to: .person("someone"), level: "full")]] {
                            let request = AccessRequest(actor: actor, attributes: policy.recipientAttributes(of: role), action: group[0].action,
                                                        resource: group[0].resource, caseID: "c1", workflow: "noticed", state: state, fields: [:],
                                                        grants: grants, at: at)
                            let pass = policy.verdicts(request, asking: group)
                            if pass != fast && disagreements.count < 5 { disagreements.append("\(name) \(role) \(id) \(state) \(grants.map(\.level)) \(group): \(pass)") }
                        }
                    }
                }
            }
        }
        #expect(disagreements.isEmpty, "\(disagreements.joined(separator: "\n"))")
        #expect(known > 0, "\(name): no recipient's verdicts known")
        if name != "bench-portal" { #expect(unknown > 0, "\(name): every recipient's verdicts known") }
    }

    /// Which answers are known: a recipient whose profile fails the second factor, or who has no profile, is refused
    /// everything; one whose deny reads the case's state, the day, the grant or a function is not known, since the pass
    /// can allow them; and a profile's attributes are those the engine gives the recipient.
    @Test func onlyDeniesOnTheProfileAloneAreKnown() {
        let policy = Self.custom
        let refused = AccessVerdict(allowed: false, redactions: RedactionSet())
        for role in ["locked", "health", "nobody"] {
            #expect(policy.recipientVerdicts(role: role, asking: Engine.stateNoticeQuestions) == [refused, refused], "\(role)")
            #expect(policy.recipientVerdicts(role: role, asking: [AccessQuestion("edit", on: "case")]) == [refused], "\(role)")
        }
        // The parent's edit is denied only while the case is open; their comment only before 2000; the school's grant
        // only when the profile lacks the attribute (a function): none of them is known.
        #expect(policy.recipientVerdicts(role: "parent", asking: [AccessQuestion("edit", on: "case")]) == nil)
        #expect(policy.recipientVerdicts(role: "parent", asking: [AccessQuestion("comment", on: "case")]) == nil)
        #expect(policy.recipientVerdicts(role: "school", asking: [AccessQuestion("grant", on: "case")]) == nil)
        #expect(policy.recipientVerdicts(role: "parent", asking: Engine.stateNoticeQuestions) == nil)
        // The school may never view the address (a deny on its profile alone), but what it may see of the fields turns on
        // more than its profile; an action the policy does not know is refused to anyone.
        #expect(policy.recipientVerdicts(role: "school", asking: Engine.recipientQuestions(on: "case.address")) == nil)
        #expect(policy.recipientVerdicts(role: "school", asking: [AccessQuestion("view", on: "case.address")]) == [refused])
        #expect(policy.recipientVerdicts(role: "school", asking: [AccessQuestion("delete", on: "case")]) == [refused])
        #expect(policy.recipientAttributes(of: "school") == ["relationship": .string("professional"), "second_factor_verified": .bool(true)])
        #expect(policy.recipientAttributes(of: "health") == [:])
    }

    /// The recipients' denies are evaluated, when a policy is compiled, at an instant whose day the summer-time rule gives,
    /// so compiling a policy loads no time zone data: at 1970, as before, every command that compiled a policy loaded ICU's.
    @Test func theRecipientsDeniesAreEvaluatedAtAnInstantNeedingNoZoneData() {
        #expect(StatutoryOffsets.isWorkedOutByRule(CompiledPolicy.recipientsInstant))
        #expect(!StatutoryOffsets.isWorkedOutByRule(Date(timeIntervalSince1970: 0)))
    }
}
