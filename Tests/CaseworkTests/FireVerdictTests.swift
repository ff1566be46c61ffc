@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkExpressions
import CaseworkStore
import CaseworkTestSupport
import Foundation
import Testing

/// A fire under a policy decides its door, its result and its recipients from verdicts (``CaseAccess/verdict(_:on:)``),
/// which keep no explanation: what each lets through, refuses and withholds is what the policy's whole decision
/// (``CompiledPolicy/decide(_:)``) of the same request says, and a refused fire says exactly the decision's reasons.
@Suite("Fires under a policy: verdicts agree with decisions")
struct FireVerdictTests {
    /// A workflow under the policy benchmark's policy: a guarded self-loop that tells the parent, as the `engine`
    /// benchmark fires it.
    static let workflow = """
        workflow: fired
        version: 1
        title: Fired
        policy: bench-portal
        roles: [caseworker, parent, young_person]
        fields:
          evidence_complete: bool
          weeks_waited: int
        states:
          open: { initial: true }
          closed: { final: true }
        transitions:
          - name: record
            from: open
            to: open
            by: [caseworker, parent, young_person]
            input: { weeks_waited: required }
            when: evidence_complete
            notify: [{ to: [parent], template: recorded }]
          - name: close
            from: open
            to: closed
            by: [caseworker]
        templates:
          recorded: { subject: "Case {{ case.id }} updated", body: "Week {{ weeks_waited }} recorded." }

        """

    static let at = Date(timeIntervalSince1970: 1_756_717_200)
    static let caseworker = CaseActor(role: "caseworker", id: "b")
    static let staff: [String: ExpressionValue] = ["relationship": .string("caseworker"), "second_factor_verified": .bool(true)]

    /// Each grant given on the case: a parent at each level, a young person in full, a professional in full.
    static let grants: [(id: String, level: String)] = [("p-full", "full"), ("p-limited", "limited"), ("p-none", "none"), ("yp", "full"), ("pro", "full")]

    /// Who fires: each grantee and one with no grant, in each relationship, with and without the second factor, and the
    /// caseworker.
    static var firers: [(actor: CaseActor, attributes: [String: ExpressionValue])] {
        var firers: [(actor: CaseActor, attributes: [String: ExpressionValue])] = [(caseworker, staff)]
        for id in grants.map(\.id) + ["stranger"] {
            for relationship in ["parent", "young_person", "professional", "caseworker"] {
                for verified in [true, false] {
                    let role = relationship == "young_person" ? "young_person" : "parent"
                    firers.append((CaseActor(role: role, id: id), ["relationship": .string(relationship), "second_factor_verified": .bool(verified)]))
                }
            }
        }
        return firers
    }

    /// The benchmark's policy, and an engine on a store of its own holding case `c1` of the fired workflow, opened by
    /// the caseworker with its evidence complete.
    static func openedCase() throws -> (policy: CompiledPolicy, store: InMemoryCaseStore, engine: Engine) {
        let catalog = try DefinitionCatalog.load(sources: [(file: "fired.yaml", text: workflow)] + PolicyWorkload.sources)
        let policy = try #require(catalog.policies["bench-portal"])
        let store = InMemoryCaseStore()
        let engine = try Engine(catalog: catalog, store: store, clock: ManualClock(at))
        _ = try engine.open(workflow: "fired", as: caseworker, caseID: "c1", fields: ["evidence_complete": .bool(true)], attributes: staff)
        return (policy, store, engine)
    }

    @Test func aFireLetsInAndRefusesAsThePolicysDecisionDoesAndRefusesInItsWords() throws {
        let (policy, store, engine) = try Self.openedCase()
        for grant in Self.grants {
            _ = try engine.grantAccess(caseID: "c1", grant: AccessGrant(to: .person(grant.id), level: grant.level), as: Self.caseworker,
                                       attributes: Self.staff, reason: "decided by the SEND service")
        }
        var allowed = 0
        var refused = 0
        for (number, firer) in Self.firers.enumerated() {
            let record = try #require(try store.load(caseID: "c1"))
            let decision = policy.decide(Engine.accessRequest(record, grants: record.grants, actor: firer.actor, attributes: firer.attributes,
                                                              action: "submit", resource: "case", at: Self.at))
            let holdsGrant = record.grants.contains { $0.to == firer.actor.principal }
            let request = FireRequest(caseID: "c1", transition: "record", actor: firer.actor, input: ["weeks_waited": .int(number)], attributes: firer.attributes)
            switch Result(catching: { () throws(EngineError) in try engine.fire(request) }) {
            case .success(let result):
                #expect(decision.allowed, "\(firer) was let in, but the decision refuses: \(decision.reasons)")
                allowed += 1
                // The result shows the fields as the actor's decision on `case.fields` after the fire says.
                let after = try #require(try store.load(caseID: "c1"))
                let fields = policy.decide(Engine.accessRequest(after, grants: after.grants, actor: firer.actor, attributes: firer.attributes,
                                                                action: "view", resource: ResourcePaths.caseFields, at: Self.at))
                #expect(result.record.fields == (fields.allowed ? FieldVisibility(redactions: fields.redactions).filter(after.fields) : [:]), "\(firer)")
            case .failure(.forbidden(let reasons)):
                #expect(!decision.allowed, "\(firer) was refused, but the decision allows")
                #expect(reasons == Engine.refusalReasons(decision, holdsGrant: holdsGrant), "\(firer)")
                refused += 1
            case .failure(let error):
                Issue.record("\(firer): \(error)")
            }
        }
        #expect(allowed > 0 && refused > 0, "allowed \(allowed), refused \(refused)")
    }

    /// The recipient of a fire's notification is addressed as the policy's decision for the role's profile says: the
    /// parent, no one named and nothing in the set's `recipients:`, may not `view` the case, so the notice is owed.
    @Test func aFiresRecipientIsAddressedAsThePolicysDecisionSays() throws {
        let (policy, store, engine) = try Self.openedCase()
        let result = try engine.fire(FireRequest(caseID: "c1", transition: "record", actor: Self.caseworker, input: ["weeks_waited": .int(3)],
                                                 attributes: Self.staff))
        let after = try #require(try store.load(caseID: "c1"))
        let decision = policy.decide(Engine.accessRequest(after, grants: [], actor: CaseActor(role: "parent", id: "parent"), attributes: [:],
                                                          action: "view", resource: "case.state", at: Self.at))
        #expect(!decision.allowed)
        let message = try #require(result.notifications.first)
        #expect(message.recipientRole == "parent")
        #expect(message.channel == (decision.allowed ? .portal : .other))
    }
}

/// Every question about a known action on a declared path, and the groups the engine asks (``Engine/frequentQuestionGroups``),
/// are resolved once, when a policy is compiled: each reads as it resolves afresh, for the benchmark's policy and the
/// shipped one.
@Suite("Policies: frequent questions resolved ahead")
struct FrequentQuestionTests {
    @Test func eachFrequentQuestionResolvedAheadIsTheOneResolvedAfresh() throws {
        let bench = try #require(try DefinitionCatalog(Validator.validate(sources: PolicyWorkload.sources)).policies["bench-portal"])
        for policy in [bench, PolicyFastPathTests.shipped] {
            let everyQuestion = (policy.definition.knownActions + ["delete"]).flatMap { action in
                (policy.paths.resourceNames + [ResourcePaths.caseFields, "case.fields.child.first_name", "case.nowhere"]).map { AccessQuestion(action, on: $0) }
            }
            for asked in Engine.frequentQuestionGroups.flatMap({ $0 }) + everyQuestion {
                let ahead = policy.index.question(asked)
                let afresh = policy.index.resolve(asked)
                #expect(ahead.asked == asked)
                #expect(ahead.considered.positions == afresh.considered.positions, "\(asked)")
                #expect(ahead.coverage?.covered.positions == afresh.coverage?.covered.positions, "\(asked)")
                #expect(ahead.coverage?.hiding.positions == afresh.coverage?.hiding.positions, "\(asked)")
                #expect(ahead.coverage.map { $0.partial.map { "\($0.rule) \($0.redaction.path)" } }
                    == afresh.coverage.map { $0.partial.map { "\($0.rule) \($0.redaction.path)" } }, "\(asked)")
            }
        }
    }

    /// Each group of questions the engine asks together is found as it was resolved ahead, whether asked as the engine's
    /// own array or as an equal one built afresh, and each of its questions reads as that question resolved afresh; a
    /// group the engine does not ask is resolved when asked, question by question, in its order.
    @Test func eachFrequentGroupResolvedAheadIsItsQuestionsResolvedAfresh() throws {
        let bench = try #require(try DefinitionCatalog(Validator.validate(sources: PolicyWorkload.sources)).policies["bench-portal"])
        let other = [AccessQuestion("view", on: "case"), AccessQuestion("delete", on: "case"), AccessQuestion("view", on: "case.fields")]
        for policy in [bench, PolicyFastPathTests.shipped] {
            for group in Engine.frequentQuestionGroups + [other, Array(Engine.resultQuestions.reversed()), Engine.recipientQuestions(on: "case.deadlines")] {
                for asked in [group, group.map { AccessQuestion(String($0.action), on: String($0.resource)) }] {
                    let resolved = policy.index.questions(asked)
                    #expect(resolved.asked == group)
                    #expect(resolved.resolved.map(\.asked) == group)
                    for (ahead, question) in zip(resolved.resolved, group) {
                        let afresh = policy.index.resolve(question)
                        #expect(ahead.considered.positions == afresh.considered.positions, "\(question)")
                        #expect(ahead.coverage?.covered.positions == afresh.coverage?.covered.positions, "\(question)")
                        #expect(ahead.coverage?.hiding.positions == afresh.coverage?.hiding.positions, "\(question)")
                    }
                }
            }
            #expect(policy.index.questions(Engine.resultQuestions) === policy.index.questions(Engine.resultQuestions.map { $0 }))
        }
        #expect(Engine.recipientQuestions(on: "case.state") == Engine.stateNoticeQuestions)
        #expect(Engine.recipientQuestions(on: "case.deadlines") == [AccessQuestion("view", on: "case.deadlines"), AccessQuestion("view", on: "case.fields")])
    }
}
