@testable import CaseworkDefinitions
@testable import CaseworkEngine
import CaseworkStore
import CaseworkTestSupport
import Testing

/// A case access with verdicts made ahead (``CaseAccess/answer(_:)``, which the result of a change and each notice's
/// recipient use) reads each of them, through ``CaseAccess/verdict(_:on:)``, ``CaseAccess/allows(_:on:)`` and
/// ``CaseAccess/fieldVisibility``, exactly as an access that decides each question alone says, and still gives each
/// whole decision (``CaseAccess/decision(_:on:)``) as that access does.
@Suite("Case access: decisions made ahead read as decisions made alone")
struct CaseAccessAnsweredTests {
    /// The questions a fire's result and its recipients ask, with one no one asks ahead (`view` on `case.state`) and one
    /// the policy does not know.
    static let questions = [
        AccessQuestion("edit", on: "case"), AccessQuestion("view", on: ResourcePaths.caseFields), AccessQuestion("grant", on: "case"),
        AccessQuestion("submit", on: "case"), AccessQuestion("delete", on: "case"),
    ]

    @Test func answeredDecisionsReadAsDecisionsMadeAlone() throws {
        let report = Validator.validate(sources: PolicyWorkload.sources)
        let policy = try #require(try DefinitionCatalog(report).policies["bench-portal"])
        var compared = 0
        var disagreements: [String] = []
        PolicyWorkload.forEachRequest(count: 3_000) { request in
            let record = CaseRecord(id: request.caseID, workflow: request.workflow, workflowVersion: 1, state: request.state, revision: 1,
                                    fields: request.fields, participants: [:], forms: [], openedAt: request.at, updatedAt: request.at,
                                    auditHead: AuditEvent.genesisHash, grants: request.grants)
            let alone = CaseAccess(record: record, accessGuard: .policy(policy), actor: request.actor, attributes: request.attributes, at: request.at)
            var ahead = CaseAccess(record: record, accessGuard: .policy(policy), actor: request.actor, attributes: request.attributes, at: request.at)
            ahead.answer(Array(Self.questions.prefix(3)))
            for question in Self.questions + [AccessQuestion("view", on: "case.state")] {
                compared += 1
                let answered = ahead.decision(question.action, on: question.resource)
                let decided = alone.decision(question.action, on: question.resource)
                let verdict = ahead.verdict(question.action, on: question.resource)
                if answered != decided || answered?.grantUsed != decided?.grantUsed
                    || verdict != decided.map({ AccessVerdict(allowed: $0.allowed, redactions: $0.redactions) })
                    || ahead.allows(question.action, on: question.resource) != alone.allows(question.action, on: question.resource) {
                    if disagreements.count < 5 { disagreements.append("\(question) for \(request.actor) \(request.attributes) \(request.grants.map(\.level))") }
                }
            }
            if ahead.fieldVisibility != alone.fieldVisibility, disagreements.count < 5 {
                disagreements.append("field visibility for \(request.actor) \(request.attributes) \(request.grants.map(\.level))")
            }
        }
        #expect(compared == 3_000 * (Self.questions.count + 1))
        #expect(disagreements.isEmpty, "\(disagreements.joined(separator: "\n"))")
    }
}
