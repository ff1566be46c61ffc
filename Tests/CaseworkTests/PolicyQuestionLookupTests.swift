@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkExpressions
import CaseworkTestSupport
import Foundation
import Testing

/// A question of the groups the engine asks most often (``Engine/frequentQuestionGroups``: a fire's door, a change's
/// result, a notice's recipient) is found among them before the table of every question is searched
/// (``PolicyIndex/question(_:)``): each is the very question its group resolved, and every question, frequent or not,
/// asked with names of the engine's own storage or built afresh, resolves as it resolves from the rules.
@Suite("Policies: a question found among the frequent ones first")
struct PolicyQuestionLookupTests {
    /// The benchmark's policy and the shipped one.
    static let policies: [(name: String, policy: CompiledPolicy)] = [
        ("bench-portal", try! DefinitionCatalog(Validator.validate(sources: PolicyWorkload.sources)).policies["bench-portal"]!),
        ("send-portal", PolicyFastPathTests.shipped),
    ]

    /// Whether `question` reads as `expected`: the same question, the same rules considered and the same coverage.
    static func same(_ question: PolicyIndex.Question, _ expected: PolicyIndex.Question) -> Bool {
        question.asked == expected.asked && question.considered.positions == expected.considered.positions
            && question.coverage?.covered.positions == expected.coverage?.covered.positions
            && question.coverage?.hiding.positions == expected.coverage?.hiding.positions
            && question.coverage.map { $0.partial.map { "\($0.rule) \($0.redaction.path)" } }
            == expected.coverage.map { $0.partial.map { "\($0.rule) \($0.redaction.path)" } }
    }

    @Test(arguments: [0, 1])
    func eachFrequentQuestionIsTheOneItsGroupResolved(policy place: Int) {
        let policy = Self.policies[place].policy
        for group in Engine.frequentQuestionGroups {
            let resolved = policy.index.questions(group)
            for (asked, ahead) in zip(group, resolved.resolved) {
                // Names of the engine's own storage, and equal names built afresh (not sharing it).
                for question in [asked, AccessQuestion(String(Array(asked.action)), on: String(Array(asked.resource)))] {
                    #expect(policy.index.question(question) === ahead, "\(Self.policies[place].name): \(question)")
                    #expect(Self.same(policy.index.question(question), policy.index.resolve(question)), "\(Self.policies[place].name): \(question)")
                }
            }
        }
    }

    /// Questions near the frequent ones (the same action on another resource, another action on the same resource, a
    /// resource under `case.fields`, names the policy does not know) and every known action on every declared path:
    /// each resolves as it resolves from the rules, and a decision made on it is the reference's.
    @Test(arguments: [0, 1])
    func everyOtherQuestionResolvesAsTheRulesResolveIt(policy place: Int) {
        let policy = Self.policies[place].policy
        let frequent = Engine.frequentQuestionGroups.flatMap { $0 }
        var asked = frequent.flatMap { question in
            [AccessQuestion(question.action, on: question.resource + ".x"), AccessQuestion(question.action + "s", on: question.resource),
             AccessQuestion(question.action, on: "case.fields.child.first_name"), AccessQuestion("delete", on: question.resource),
             AccessQuestion(question.resource, on: question.action)]
        }
        asked += (policy.definition.knownActions + ["delete"]).flatMap { action in
            (policy.paths.resourceNames + [ResourcePaths.caseFields, "case.nowhere"]).map { AccessQuestion(action, on: $0) }
        }
        var frequentSeen = 0
        for question in asked {
            #expect(Self.same(policy.index.question(question), policy.index.resolve(question)), "\(Self.policies[place].name): \(question)")
            if frequent.contains(question) { frequentSeen += 1 }
        }
        #expect(asked.count > 40 && frequentSeen > 0, "\(asked.count) asked, \(frequentSeen) of them frequent")
    }

    /// The benchmark's workload, asked about the frequent questions only (its actors and cases, each request's action
    /// and resource replaced by one of them in turn): every decision (its matched rules, reasons and trace) and verdict is
    /// the reference policy's.
    @Test func theWorkloadAskedTheFrequentQuestionsIsDecidedAsTheReferenceDecidesIt() throws {
        let report = Validator.validate(sources: PolicyWorkload.sources)
        let fast = try #require(try DefinitionCatalog(report).policies["bench-portal"])
        let frequent = Engine.frequentQuestionGroups.flatMap { $0 }
        var turn = 0
        var allowed = 0
        let result = PolicyFastPathTests.compare(fast, ReferencePolicy("bench-portal", of: report), batchEvery: 7) { body in
            PolicyWorkload.forEachRequest(count: 3_000) { request in
                var asked = request
                asked.action = frequent[turn % frequent.count].action
                asked.resource = frequent[turn % frequent.count].resource
                turn += 1
                if fast.verdict(asked).allowed { allowed += 1 }
                body(asked)
            }
        }
        #expect(result.count == 3_000)
        #expect(result.disagreements.isEmpty, "\(result.disagreements.joined(separator: "\n"))")
        #expect(allowed > 100 && allowed < 2_900, "both ways: \(allowed) of 3,000 allowed")
    }
}
