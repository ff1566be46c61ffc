import Foundation
import Testing
@testable import Casework

/// The shipped Section A form (`Workflows/forms/section-a.yaml`, `into_document: { kind: draft_plan, section: A }`): the
/// parent's accepted answers become Section A of the draft plan in the same change as the acceptance, through the engine
/// and through the async service alike, and a refused acceptance adds nothing.
@Suite("Section A: a form accepted into the plan")
struct SectionAFormTests {
    typealias Kind = CaseServiceDocumentTests.Kind
    typealias Space = CaseServiceDocumentTests.Space

    static let parent = CaseActor(role: "parent", id: "jo")
    static let answers: [String: ExpressionValue] = [
        "about_me": .string("Sam loves trains and drawing."), "aspirations": .string("To go to the local secondary school with his friends."),
    ]

    /// Case c1 of the needs assessment gathering advice, with Section A asked of parent `jo` (full grant) and section K of
    /// the draft plan already added; the form instance's id.
    static func asked(_ store: any CaseStore) throws -> (Engine, String) {
        let engine = try CaseServiceDocumentTests.opened(store, participants: ["parent": "jo"])
        let staff = CaseServiceDocumentTests.staff
        let caseworker = CaseServiceDocumentTests.caseworker
        _ = try engine.grantAccess(caseID: "c1", grant: AccessGrant(to: .person("jo"), level: "full"), as: caseworker, attributes: staff, reason: "mother")
        let day = ExpressionValue.date(CalendarDate("2025-09-01")!)
        for (transition, input) in [("acknowledge_request", [:]), ("record_evidence", ["evidence_complete": .bool(true)]),
                                    ("agree_to_assess", ["assessment_decision_on": day, "advice_requested_on": day]),
                                    ("ask_for_section_a", [:])] as [(String, [String: ExpressionValue])] {
            let actor = transition == "agree_to_assess" ? CaseActor(role: "send_manager", id: "sam") : caseworker
            _ = try engine.fire(FireRequest(caseID: "c1", transition: transition, actor: actor, input: input, attributes: staff))
        }
        _ = try engine.addDocument(caseID: "c1", DocumentUpload(kind: "draft_plan", section: "K", mediaType: "text/markdown", bytes: Array("Advice.\n".utf8),
                                                                 sharedWith: ["hillside-primary"]),
                                   as: caseworker, attributes: staff)
        let instance = try #require(try store.load(caseID: "c1")?.forms.first { $0.form == "section-a" })
        #expect(instance.recipientID == "jo")
        return (engine, instance.id)
    }

    @Test(arguments: Kind.allCases)
    func acceptingSectionAAddsItToTheDraftPlanInTheSameChange(kind: Kind) async throws {
        let space = try Space(kind)
        let (engine, instance) = try Self.asked(space.store)
        let service = try await CaseService(catalog: try CaseServiceDocumentTests.catalog(), driver: space.store.driver, clock: ManualClock(CaseServiceDocumentTests.at))
        _ = try await service.submitForm(caseID: "c1", instance: instance, as: Self.parent, fields: Self.answers, attributes: CaseServiceDocumentTests.family)
        #expect(try space.store.documentVersions(caseID: "c1").count == 1, "submitting adds nothing")
        let accepted = try await service.acceptForm(caseID: "c1", instance: instance, as: CaseServiceDocumentTests.caseworker,
                                                    attributes: CaseServiceDocumentTests.staff)

        let versions = try space.store.documentVersions(caseID: "c1")
        let version = try #require(versions.last)
        #expect(versions.count == 2 && version.kind == "draft_plan" && version.version == 2)
        #expect(version.change.parts.map(\.section) == ["A", "K"], "section K of the version before is carried into it")
        #expect(version.change.sharedWith == ["hillside-primary"], "given to whom the plan was given")
        #expect(version.change.reason == "form \(instance) accepted" && version.revision == accepted.record.revision)
        let events = try space.store.snapshot(caseID: "c1").events
        let last = try #require(events.last)
        #expect(last.action == "form_accepted" && last.change?.document == version.change, "the acceptance's own audit event records the version")
        #expect(try engine.documentProblems("c1", as: .operator()).isEmpty)

        let text = String(decoding: try engine.documentContent(caseID: "c1", kind: "draft_plan", section: "A", as: Self.parent,
                                                                attributes: CaseServiceDocumentTests.family), as: UTF8.self)
        #expect(text == """
            # Section A, your views, interests and aspirations

            ## about_me

            Sam loves trains and drawing.

            ## aspirations

            To go to the local secondary school with his friends.

            """)
        let limited = try engine.document(caseID: "c1", kind: "draft_plan", as: CaseServiceDocumentTests.limited, attributes: CaseServiceDocumentTests.family)
        #expect(limited.parts.map(\.withheld) == [false, true], "the limited parent sees the family's Section A, not the advice")
    }

    @Test(arguments: Kind.allCases)
    func aRefusedAcceptanceAddsNoVersion(kind: Kind) async throws {
        let space = try Space(kind)
        let (engine, instance) = try Self.asked(space.store)
        _ = try engine.submitForm(caseID: "c1", instance: instance, as: Self.parent, fields: Self.answers, attributes: CaseServiceDocumentTests.family)
        #expect(throws: EngineError.self) {
            try engine.acceptForm(caseID: "c1", instance: instance, as: Self.parent, attributes: CaseServiceDocumentTests.family)
        }
        #expect(try space.store.documentVersions(caseID: "c1").count == 1)
        #expect(try space.store.load(caseID: "c1")?.forms.first { $0.id == instance }?.status == .submitted)
    }
}
