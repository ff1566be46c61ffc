@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkExpressions
import CaseworkTestSupport
@testable import CaseworkTime
import Foundation
import Testing

/// The indexed decision path (``CompiledPolicy/decide(_:)``) against the reference evaluator (``ReferencePolicy``):
/// every decision identical when read, allowed, matched rules, redactions, reasons and the whole trace, over the policy
/// benchmark's 100,000 requests, the shipped policy with its personas, and a policy of more rules than one word holds;
/// each request's verdict (``CompiledPolicy/verdict(_:)``, what the engine's door reads) against its decision; and the
/// verdicts on the questions of one actor about one case made in one pass against each question decided alone.
@Suite("Access decisions: the fast path agrees with the reference")
struct PolicyFastPathTests {
    /// Decides each request `generate` gives with both, and returns how many it gave and the first few disagreements.
    ///
    /// Every request's verdict must say what its decision says (allowed, redactions). Every `batchEvery`th request is
    /// also answered in one pass with the questions a fire asks (``CompiledPolicy/verdicts(_:asking:)``), its own action
    /// and resource among them at a varying place, and in one pass with each group the engine asks and the policy
    /// resolved ahead (``Engine/frequentQuestionGroups``): each verdict must say what the decision of that question on
    /// its own says.
    static func compare(
        _ fast: CompiledPolicy, _ reference: ReferencePolicy, batchEvery: Int = 1, _ generate: ((AccessRequest) -> Void) -> Void
    ) -> (count: Int, disagreements: [String]) {
        var count = 0
        var disagreements: [String] = []
        generate { request in
            count += 1
            let expected = reference.decide(request)
            let decided = ReferencePolicy.Decision(fast.decide(request))
            if decided != expected && disagreements.count < 5 {
                disagreements.append("\(request.actor) \(request.attributes) \(request.action) \(request.resource) \(request.grants.map(\.level)):\n  fast \(decided)\n  reference \(expected)")
            }
            if fast.verdict(request) != Self.verdict(of: fast.decide(request)) && disagreements.count < 5 {
                disagreements.append("verdict of \(request.actor) \(request.attributes) \(request.action) \(request.resource) \(request.grants.map(\.level)): \(fast.verdict(request))")
            }
            guard count % batchEvery == 0 else { return }
            var questions = [AccessQuestion("edit", on: "case"), AccessQuestion("view", on: "case.fields"), AccessQuestion("grant", on: "case"),
                             AccessQuestion("view", on: "case.state")]
            questions.insert(AccessQuestion(request.action, on: request.resource), at: count % (questions.count + 1))
            for group in [questions] + Engine.frequentQuestionGroups {
                let verdicts = fast.verdicts(request, asking: group)
                if verdicts.count != group.count && disagreements.count < 5 { disagreements.append("\(verdicts.count) verdicts on \(group.count) questions") }
                for (question, answer) in zip(group, verdicts) {
                    var alone = request
                    alone.action = question.action
                    alone.resource = question.resource
                    if answer != Self.verdict(of: fast.decide(alone)) && disagreements.count < 5 {
                        disagreements.append("batched \(question) for \(request.actor) \(request.attributes) \(request.grants.map(\.level)):\n  batched \(answer)\n  alone \(fast.decide(alone).trace)")
                    }
                }
            }
        }
        return (count, disagreements)
    }

    /// What `decision` says that a verdict says too.
    static func verdict(of decision: AccessDecision) -> AccessVerdict {
        AccessVerdict(allowed: decision.allowed, redactions: decision.redactions)
    }

    static let shippedReport = try! Validator.validate(paths: ["Workflows", "Policies"].map { RepositoryPaths.root.appendingPathComponent($0).path })
    static let shipped = try! DefinitionCatalog(shippedReport).policies["send-portal"]!

    @Test func theBenchmarkWorkloadIsDecidedAsTheReferenceDecidesIt() throws {
        let report = Validator.validate(sources: PolicyWorkload.sources)
        let fast = try #require(try DefinitionCatalog(report).policies["bench-portal"])
        let result = Self.compare(fast, ReferencePolicy("bench-portal", of: report), batchEvery: 5) { PolicyWorkload.forEachRequest(count: 100_000, $0) }
        #expect(result.count == 100_000)
        #expect(result.disagreements.isEmpty, "\(result.disagreements.joined(separator: "\n"))")
    }

    @Test func theBenchmarkWorkloadOnTheShippedPolicyIsDecidedAsTheReferenceDecidesIt() throws {
        let workflow = try #require(Self.shippedReport.definitions.workflows.first { $0.id.value == "ehcp-needs-assessment" })
        let result = Self.compare(Self.shipped, ReferencePolicy("send-portal", of: Self.shippedReport)) { body in
            PolicyWorkload.forEachRequest(count: 20_000, workflow: workflow.id.value, states: workflow.states.map(\.name.value),
                                          fields: ["child.date_of_birth": .date(CalendarDate("2012-03-02")!)], body)
        }
        #expect(result.count == 20_000)
        #expect(result.disagreements.isEmpty, "\(result.disagreements.joined(separator: "\n"))")
    }

    /// Each persona of the shipped policy, with its own grant, another's or none, doing every action the policy knows
    /// (and some it does not) to every path it can name (and some it cannot), on cases in each state, with the child's
    /// date of birth recorded or not, on days either side of the young person's rights passing, with and without the
    /// second factor, grants limited to sections or not.
    @Test func theShippedPolicysPersonasAreDecidedAsTheReferenceDecidesThem() throws {
        let definition = Self.shipped.definition
        #expect(definition.personas.count >= 8)
        let workflows = Self.shippedReport.definitions.workflows.filter { $0.policyName == "send-portal" }
        let actions = definition.knownActions + ["all", "delete", "VIEW"]
        let resources = Self.shipped.paths.resourceNames + Self.shipped.paths.fieldPaths.map { "case.fields.\($0)" } + ["ehcp.Z", "case.state.x", ""]
        var random = SeededGenerator(seed: 16)
        func pick<T>(_ options: [T]) -> T { options[Int(random.next() % UInt64(options.count))] }
        let result = Self.compare(Self.shipped, ReferencePolicy("send-portal", of: Self.shippedReport)) { body in
            for (index, persona) in definition.personas.enumerated() {
                let actor = persona.organisation.map { CaseActor.organisation($0.value, role: persona.role.value) }
                    ?? CaseActor(role: persona.role.value, id: "persona-\(index + 1)")
                for action in actions {
                    for resource in resources {
                        let workflow = pick(workflows)
                        var attributes = persona.attributes
                        if random.next() % 5 == 0 { attributes["second_factor_verified"] = random.next() % 3 == 0 ? nil : .bool(random.next() % 2 == 0) }
                        var grants = persona.grant.map { [AccessGrant(to: actor.principal, level: $0.level.value, sections: $0.sections?.map(\.value))] } ?? []
                        switch random.next() % 6 {
                        case 0: grants = []
                        case 1: grants.append(AccessGrant(to: .person("someone-else"), level: pick(["full", "limited", "none"])))
                        case 2: grants = [AccessGrant(to: actor.principal, level: pick(["full", "limited"]), sections: [pick(["ehcp.A", "case.state", "case", "ehcp"])])]
                        case 3: grants = grants.map { AccessGrant(to: $0.to, level: $0.level, sections: $0.sections, until: CalendarDate("2025-01-01")) }
                        default: break
                        }
                        var fields: [String: ExpressionValue] = [:]
                        if random.next() % 4 != 0 { fields["child.date_of_birth"] = .date(CalendarDate(pick(["2009-09-01", "2015-03-02", "2007-01-31"]))!) }
                        body(AccessRequest(
                            actor: actor, attributes: attributes, action: action, resource: resource, caseID: "c-\(index)", workflow: workflow.id.value,
                            state: pick(workflow.states).name.value, fields: fields, grants: grants,
                            at: CalendarDate(pick(["2025-11-25", "2026-06-26", "2026-06-27"]))!.start().addingTimeInterval(Double(random.next() % 86_400))
                        ))
                    }
                }
            }
        }
        #expect(result.count > 5_000)
        #expect(result.disagreements.isEmpty, "\(result.disagreements.joined(separator: "\n"))")
    }

    /// A policy of 150 rules, so the rule sets span three words: allows and denies on actions, sections and conditions
    /// over the actor, the grant and the case, some undecidable, with redactions, decided on generated requests.
    @Test func aPolicyOfMoreRulesThanOneWordHoldsIsDecidedAsTheReferenceDecidesIt() throws {
        let sections = ["A", "B", "C", "D", "E", "F", "G", "K"]
        let conditions = ["actor.relationship == \"parent\"", "grant.level == \"full\"", "grant.level != \"none\" and case.state == \"done\"",
                          "actor.second_factor_verified", "not actor.second_factor_verified", "has(actor.relationship)", "actor.relationship in [\"carer\", \"professional\"]"]
        // The benchmark policy's declarations (actor, levels, resources), with rules of its own.
        var text = PolicyWorkload.policyText.components(separatedBy: "rules:\n")[0].replacingOccurrences(of: "bench-portal", with: "many-rules") + "rules:\n"
        for number in 0..<150 {
            let effect = number % 7 == 3 ? "deny" : "allow"
            let actions = ["[all]", "[view]", "[view, comment]", "[edit, submit]"][number % 4]
            let on = number % 5 == 0 ? "" : ", on: [\(["ehcp.\(sections[number % sections.count])", "case.state", "case", "ehcp"][number % 4])]"
            let redact = effect == "allow" && number % 6 == 1 ? ", redact: [\(["case.address", "ehcp.K"][number % 2])]" : ""
            text += "  - { id: rule-\(number), \(effect): \(actions)\(on), when: '\(conditions[number % conditions.count])'\(redact) }\n"
        }
        let report = Validator.validate(sources: [(file: "many-rules.yaml", text: text), (file: "bench-case.yaml", text: PolicyWorkload.workflow.replacingOccurrences(of: "bench-portal", with: "many-rules"))])
        #expect(!report.hasErrors, "\(report.diagnostics)")
        let fast = try #require(try DefinitionCatalog(report).policies["many-rules"])
        #expect(fast.definition.rules.count == 150)
        let result = Self.compare(fast, ReferencePolicy("many-rules", of: report)) { body in
            PolicyWorkload.forEachRequest(count: 3_000) { request in
                var request = request
                if request.caseID.hasSuffix("7") { request.attributes["relationship"] = nil }
                body(request)
            }
        }
        #expect(result.disagreements.isEmpty, "\(result.disagreements.joined(separator: "\n"))")
    }

    @Test func aRuleSetHoldsExactlyTheRulesPutInIt() {
        let positions = [0, 1, 63, 64, 65, 127, 128, 200]
        let mask = RuleMask(positions)
        #expect(mask.positions == positions)
        #expect((0..<260).filter(mask.contains) == positions)
        #expect((mask & RuleMask([1, 64, 129, 200])).positions == [1, 64, 200])
        #expect(mask.subtracting(RuleMask([0, 128])).positions == [1, 63, 64, 65, 127, 200])
        #expect(RuleMask().isEmpty && !mask.isEmpty && (mask & RuleMask([2, 66])).isEmpty)
        #expect((RuleMask([1, 64]) | RuleMask([0, 130])).positions == [0, 1, 64, 130])
        #expect((mask | RuleMask()).positions == positions && (RuleMask() | mask).positions == positions)
        #expect(Array(RuleMask([130])) == [130] && Array(RuleMask()) == [])
    }

    /// The set operations test the words after the first apart, only when there are some: each gives the same rules
    /// whichever side has further words, none, or empty ones.
    @Test func aRuleSetsFurtherWordsAreCombinedWhicheverSideHasThem() {
        let small = RuleMask([0, 5, 63])
        let large = RuleMask([5, 64, 130])
        #expect(small.subtracting(large).positions == [0, 63] && large.subtracting(small).positions == [64, 130])
        #expect((small | large).positions == [0, 5, 63, 64, 130] && (large | small).positions == [0, 5, 63, 64, 130])
        #expect((small & large).positions == [5] && (large & small).positions == [5])
        #expect(RuleMask([70, 200]).subtracting(RuleMask([70, 200])).isEmpty, "further words that are all zero hold nothing")
        #expect(!RuleMask([200]).isEmpty && (RuleMask([200]) | RuleMask([1])).positions == [1, 200])
        #expect(RuleMask([200]).subtracting(RuleMask([64])).positions == [200] && RuleMask([64]).subtracting(RuleMask([200])).positions == [64])
    }

    /// Every path the policy can name has its coverage worked out, and nothing else has one: what decides that a
    /// request names something the policy does not know.
    @Test func theIndexKnowsExactlyThePathsAndActionsThePolicyKnows() {
        let policy = Self.shipped
        for path in policy.paths.resourceNames + policy.paths.fieldPaths.map({ "case.fields.\($0)" }) + ["ehcp.Z", "case.fields.nothing", "", "case."] {
            #expect((policy.index.coverage(of: path) != nil) == policy.paths.isKnown(path), "\(path)")
        }
        #expect(Set(policy.index.actions.keys) == Set(policy.definition.knownActions))
    }

    /// The index finds an action or a resource by binary search over its sorted names, each kept once: it finds exactly
    /// what a dictionary of the same names finds, a name written in another Unicode form included.
    @Test func sortedNamesFindWhatADictionaryFinds() {
        let policy = Self.shipped
        let names = policy.paths.resourceNames + policy.definition.knownActions + ["caf\u{E9}", "Z", "", "Z", "case", "cafe\u{301}"]
        var dictionary: [String: Int] = [:]
        for name in names where dictionary[name] == nil { dictionary[name] = dictionary.count }
        let sorted = SortedNames(sorting: names) { dictionary[$0]! }
        #expect(sorted.keys == dictionary.keys.sorted())
        for name in Array(dictionary.keys) + ["cafe\u{301}", "ehcp.Z", "a", "zzzz", "case.", " case", "CASE"] {
            #expect(sorted[name] == dictionary[name], "\(name)")
        }
        #expect(SortedNames<Int>(sorting: []) { _ in 0 }["view"] == nil)
    }

    /// A request keeps its parts in one box shared by its copies: changing a part of one copy leaves every other as it was.
    @Test func changingACopyOfARequestLeavesTheOthersAsTheyWere() {
        let request = PolicyTests.request(PolicyTests.parentB, relationship: "parent", resource: "ehcp", grants: [])
        var changed = request
        changed.resource = "case"
        changed.attributes["relationship"] = .string("carer")
        changed.grants.append(AccessGrant(to: .person("parent-b"), level: "full"))
        #expect(request.resource == "ehcp" && request.attributes["relationship"] == .string("parent") && request.grants.isEmpty)
        #expect(changed.resource == "case" && changed.attributes["relationship"] == .string("carer") && changed.grants.count == 1)
        #expect(changed.action == request.action && changed.caseID == request.caseID)
    }

    /// A decision's lazily rendered parts read the same however often they are read, and a part set by a caller stays set.
    @Test func aDecisionsPartsReadTheSameEachTimeAndCanBeSet() {
        let request = PolicyTests.request(PolicyTests.parentB, relationship: "parent", resource: "ehcp",
                                          grants: [AccessGrant(to: .person("parent-b"), level: "limited")])
        var decision = Self.shipped.decide(request)
        #expect(decision == Self.shipped.decide(request))
        #expect(decision.trace == decision.trace && decision.reasons == decision.reasons)
        #expect(decision.matched == ["limited-access"] && decision.redact == ["ehcp.K"])
        decision.reasons = ["changed"]
        decision.matched = []
        #expect(decision.reasons == ["changed"] && decision.matched.isEmpty)
        #expect(decision != Self.shipped.decide(request))
    }
}
