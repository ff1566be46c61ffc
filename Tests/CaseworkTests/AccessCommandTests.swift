import Foundation
import Testing
import Casework
import CaseworkCommandLine

/// Grants recorded with the case through the engine, and the case read as each person may see it.
@Suite("casework access and case show --as")
struct AccessCommandTests {
    static func workspace() throws -> CommandWorkspace {
        let read = { (path: String) in try String(contentsOfFile: RepositoryPaths.root.appendingPathComponent(path).path, encoding: .utf8) }
        // The whole shipped set: the policy's recipients name the roles of every shipped workflow.
        let paths = ["Workflows/ehcp-needs-assessment.yaml", "Workflows/annual-review.yaml", "Workflows/tribunal-appeal.yaml",
                     "Workflows/access-request.yaml", "Workflows/plan-amendment.yaml", "Workflows/tribunal-orders.yaml", "Workflows/re-assessment.yaml", "Workflows/ceasing-to-maintain.yaml",
                     "Workflows/phase-transfer.yaml", "Workflows/council-transfer.yaml",
                     "Workflows/mediation.yaml", "Workflows/personal-budget.yaml", "Workflows/ehcp-plan.yaml",
                     "Workflows/forms/professional-advice.yaml", "Workflows/forms/review-advice.yaml", "Workflows/forms/section-a.yaml",
                     "Workflows/calendars/england-and-wales.yaml", "Workflows/calendars/send-tribunal.yaml", "Policies/send-portal.yaml"]
        return try CommandWorkspace(Dictionary(uniqueKeysWithValues: try paths.map { (URL(fileURLWithPath: $0).lastPathComponent, try read($0)) }))
    }

    static let caseworker = ["--as", "caseworker:ana", "--attribute", "relationship=caseworker", "--attribute", "second_factor_verified=true"]
    /// The opening input the shipped workflow requires: the request and the child.
    static let request = ["requested_on=2025-09-01", "requested_by=parent", "child.first_name=Sam", "child.last_name=Taylor", "child.date_of_birth=2016-02-14"]
        .flatMap { ["--set", $0] }
    static func parent(_ id: String) -> [String] { ["--as", "parent:\(id)", "--attribute", "relationship=parent", "--attribute", "second_factor_verified=true"] }

    @Test func grantsDecideWhatEachParentSees() throws {
        let space = try Self.workspace()
        #expect(space.run(["case", "open", "ehcp-needs-assessment", "--id", "c1"] + Self.request + Self.parent("parent-a")).status == .success)
        #expect(space.run(["access", "grant", "c1", "--to", "parent-a", "--level", "full", "--reason", "holds parental responsibility"] + Self.caseworker).out
                == "c1: person:parent-a has full access (revision 2)\n")
        #expect(space.run(["access", "grant", "c1", "--to", "parent-b", "--level", "limited", "--reason", "court order: no address"] + Self.caseworker).status == .success)

        let full = try JSONSerialization.jsonObject(with: Data(space.run(["case", "show", "c1", "--format", "json"] + Self.parent("parent-a")).out.utf8)) as? [String: Any]
        #expect(full?["state"] as? String == "requested")
        #expect(((full?["fields"] as? [String: Any])?["child"] as? [String: Any])?["first_name"] as? String == "Sam")

        let limitedResult = space.run(["case", "show", "c1", "--format", "json"] + Self.parent("parent-b"))
        let limited = try #require(try JSONSerialization.jsonObject(with: Data(limitedResult.out.utf8)) as? [String: Any], "\(limitedResult.err)")
        #expect(limited["state"] as? String == "requested")
        #expect(limited["deadlines"] != nil)
        #expect((limited["fields"] as? [String: Any])?.isEmpty == true, "the child's details are withheld, not blanked")
        #expect(limited["withheld"] as? [String] == ["case.fields"])
        #expect(!limitedResult.out.contains("Sam"))

        let stranger = space.run(["case", "show", "c1"] + Self.parent("parent-c"))
        #expect(stranger.status == .forbidden)
        #expect(stranger.err == "error[forbidden]: you may not do this: you have not been given access to this case\n")
        #expect(space.run(["case", "show", "no-such-case"] + Self.parent("parent-c")).err == stranger.err, "a missing case is refused the same way")

        let refused = space.run(["access", "grant", "c1", "--to", "parent-c", "--level", "full", "--reason", "x"] + Self.parent("parent-a"))
        #expect(refused.status == .forbidden, "only the service grants access")
        #expect(space.run(["access", "revoke", "c1", "--to", "parent-b", "--reason", "order lifted"] + Self.caseworker).out == "c1: person:parent-b has no grant (revision 4)\n")
        #expect(space.run(["case", "show", "c1"] + Self.parent("parent-b")).status == .forbidden)
        let history = space.run(["case", "history", "c1"]).out
        #expect(history.contains("caseworker:ana access_granted person:parent-b"))
        #expect(history.contains("caseworker:ana access_revoked person:parent-b"))
        #expect(space.run(["audit", "verify", "c1"]).status == .success)
    }

    @Test func badGrantsAreRefusedAndChangeNothing() throws {
        let space = try Self.workspace()
        _ = space.run(["case", "open", "ehcp-needs-assessment", "--id", "c1"] + Self.request + Self.parent("parent-a"))
        #expect(space.run(["access", "grant", "c1", "--to", "p", "--level", "ful", "--reason", "x"] + Self.caseworker).err
                == "error[invalid_input]: the values given cannot be used:\n  - 'level': 'ful' is not a level of policy 'send-portal'\n")
        #expect(space.run(["access", "grant", "c1", "--to", "p", "--level", "full", "--reason", "x", "--as", "caseworker:ana", "--attribute", "mood=good"]).status == .failure)
        #expect(space.run(["access", "grant", "c1", "--to", "p", "--level", "full"] + Self.caseworker).status == .usage, "a reason is required")
        #expect(space.run(["access", "revoke", "c1", "--to", "nobody", "--reason", "x"] + Self.caseworker).err == "error[blocked]: cannot do 'revoke' now:\n  - 'person:nobody' has no grant on this case\n")
        let show = try JSONSerialization.jsonObject(with: Data(space.run(["case", "show", "c1", "--format", "json"]).out.utf8)) as? [String: Any]
        #expect(show?["revision"] as? Int == 1)
    }
}

@Suite("The access-request workflow")
struct AccessRequestTests {
    static let staff: [String: ExpressionValue] = ["relationship": .string("caseworker"), "second_factor_verified": .bool(true)]
    static let family: [String: ExpressionValue] = ["relationship": .string("parent"), "second_factor_verified": .bool(true)]

    static func engine(store: any CaseStore) throws -> Engine {
        let catalog = try DefinitionCatalog.load(paths: ["Workflows", "Policies"].map { RepositoryPaths.root.appendingPathComponent($0).path })
        return try Engine(catalog: catalog, store: store, clock: ManualClock(EngineFixtures.start))
    }

    @Test func aDecidedRequestRecordsTheGrantOnTheChildsCaseInTheSameCommit() throws {
        let store = InMemoryCaseStore()
        let engine = try Self.engine(store: store)
        _ = try engine.open(workflow: "ehcp-needs-assessment", as: CaseActor(role: "parent", id: "parent-a"), caseID: "child-1", fields: [
            "requested_on": .date(CalendarDate("2025-09-01")!), "requested_by": .string("parent"),
            "child.first_name": .string("Sam"), "child.last_name": .string("Taylor"), "child.date_of_birth": .date(CalendarDate("2016-02-14")!),
        ], attributes: Self.family)
        _ = try engine.open(workflow: "access-request", as: CaseActor(role: "parent", id: "parent-b"), caseID: "request-1", fields: [
            "requester_id": .string("parent-b"), "relationship": .string("parent"), "child_case": .string("child-1"),
        ], participants: ["parent": "parent-b"], attributes: Self.family)
        let caseworker = CaseActor(role: "caseworker", id: "ana")
        let manager = CaseActor(role: "send_manager", id: "sam")
        _ = try engine.fire(FireRequest(caseID: "request-1", transition: "start_checks", actor: caseworker, attributes: Self.staff))
        let before = try EngineFixtures.Snapshot(store, caseID: "child-1")
        #expect { try engine.fire(FireRequest(caseID: "request-1", transition: "decide_access", actor: manager,
                                              input: ["granted_level": .string("limited"), "responsibility_evidence": .string("court order"), "identity_checked": .bool(true)])) } throws: {
            "\($0)".contains("Sign in with your emailed code to see SEND information.")
        }
        #expect(try EngineFixtures.Snapshot(store, caseID: "child-1") == before, "a refused grant changes neither case")
        #expect(try engine.caseRecord("request-1", as: .operator()).state == "checking")
        let decided = try engine.fire(FireRequest(caseID: "request-1", transition: "decide_access", actor: manager,
                                                  input: ["granted_level": .string("limited"), "responsibility_evidence": .string("court order"), "identity_checked": .bool(true)],
                                                  attributes: Self.staff))
        #expect(decided.record.state == "granted")
        let child = try engine.caseRecord("child-1", as: .operator())
        #expect(child.grants.map(\.to) == [.person("parent-b")])
        #expect(child.grants.first?.level == "limited")
        #expect(child.grants.first?.reason == "access request request-1")
        #expect(try engine.history("child-1", as: .operator()).last?.action == "access_granted")
        #expect(try engine.verifyAudit("child-1", as: .operator()) == .intact(events: 2))
        let view = try engine.view(caseID: "child-1", as: CaseActor(role: "parent", id: "parent-b"), attributes: ["relationship": .string("parent"), "second_factor_verified": .bool(true)])
        #expect(view.state == "requested")
        #expect(view.fields.isEmpty)
    }
}
