@testable import CaseworkDefinitions
@testable import CaseworkEngine
@testable import CaseworkExpressions
import CaseworkSQLite
@testable import CaseworkStore
import CaseworkTestSupport
@testable import CaseworkTime
import Foundation
import Testing

/// The record is the replay of its history: for randomised runs over every shipped workflow (transitions with
/// generated input, form steps, grants, deadline pauses and excuses, ticks as time passes), replaying each case's
/// events from the first rebuilds its stored record exactly, on both stores.
@Suite("Replaying a history rebuilds the record")
struct ReplayPropertyTests {
    enum StoreKind: String, CaseIterable, Sendable {
        case memory, sqlite

        func make() throws -> any CaseStore {
            switch self {
            case .memory: return InMemoryCaseStore()
            case .sqlite:
                let path = FileManager.default.temporaryDirectory.appendingPathComponent("casework-replay-\(UUID().uuidString).sqlite").path
                return try SQLiteCaseStore(path: path)
            }
        }
    }

    static let catalog: DefinitionCatalog = {
        do {
            return try DefinitionCatalog.load(paths: ["Workflows", "Policies"].map { RepositoryPaths.root.appendingPathComponent($0).path })
        } catch {
            fatalError("the shipped definitions must load: \(error)")
        }
    }()

    /// A value of `type`, near `today` for dates.
    static func value(of type: FieldType, today: CalendarDate, random: inout SeededGenerator) -> ExpressionValue? {
        switch type {
        case .bool: return .bool(random.next() % 2 == 0)
        case .int: return .int(Int(random.next() % 40))
        case .decimal: return .decimal(Decimal(Int(random.next() % 400)) / 10)
        case .string, .text: return .string(["Sam", "agreed", "see the report", "Hillside Primary"][Int(random.next() % 4)])
        case .date: return .date(today.adding(days: -Int(random.next() % 10)))
        case .datetime: return .datetime(today.start())
        case .oneOf(let words): return words.isEmpty ? nil : .string(words[Int(random.next() % UInt64(words.count))])
        case .list(let element): return value(of: element, today: today, random: &random).map { .list([$0]) }
        case .record: return nil
        }
    }

    /// One random step on case `caseID`; errors that are refusals are part of the run (they must change nothing).
    static func step(_ engine: Engine, _ caseID: String, clock: ManualClock, random: inout SeededGenerator) throws {
        let operatorActor = CaseActor.operator("replay")
        let record = try engine.caseRecord(caseID, as: operatorActor)
        let workflow = try engine.workflowDefinition(ofCase: caseID, as: operatorActor)
        let today = CalendarDate(clock.now())
        let types = FieldValues.types(of: workflow.fields)
        do {
            switch random.next() % 10 {
            case 0...4:
                let open = try engine.availableTransitions(caseID: caseID, as: operatorActor)
                    .filter { $0.blockers.allSatisfy { $0.code == .missingInput } }
                guard !open.isEmpty, let transition = workflow.transitions.first(where: { $0.name.value == open[Int(random.next() % UInt64(open.count))].name }) else { return }
                var input: [String: ExpressionValue] = [:]
                for field in transition.input where field.isRequired || random.next() % 2 == 0 {
                    if let type = types[field.field.value], let value = value(of: type, today: today, random: &random) { input[field.field.value] = value }
                }
                _ = try engine.fire(FireRequest(caseID: caseID, transition: transition.name.value, actor: operatorActor, input: input))
            case 5:
                guard let form = record.forms.randomElement(using: &random), let definition = engine.catalog.forms[form.form]?.definition else { return }
                switch form.status {
                case .shared, .rejected:
                    var answers: [String: ExpressionValue] = [:]
                    for (path, type) in FieldValues.flatten(definition.fields) where random.next() % 2 == 0 {
                        if let value = value(of: type, today: today, random: &random) { answers[path] = value }
                    }
                    _ = try engine.submitForm(caseID: caseID, instance: form.id, as: operatorActor, fields: answers)
                case .submitted:
                    if random.next() % 2 == 0 {
                        _ = try engine.acceptForm(caseID: caseID, instance: form.id, as: operatorActor)
                    } else {
                        _ = try engine.rejectForm(caseID: caseID, instance: form.id, as: operatorActor, informationRequired: "more detail")
                    }
                case .accepted: return
                }
            case 6:
                let principal: Principal = random.next() % 2 == 0 ? .person("parent-\(random.next() % 3)") : .organisation("school-\(random.next() % 2)")
                // Half of these steps name or remove someone, so that every seed changes participants whatever the
                // shipped workflows offer the walk (a new step in one of them moves every later draw).
                switch random.next() % 4 {
                case 0, 3:
                    let role = principal.description.hasPrefix("person") ? "parent" : "school"
                    if record.participants.participant(principal, as: role) == nil {
                        _ = try engine.addParticipant(caseID: caseID, role: role, principal: principal, as: operatorActor, attributes: [:], reason: "named")
                    } else {
                        _ = try engine.removeParticipant(caseID: caseID, role: role, principal: principal, as: operatorActor, attributes: [:], reason: "left")
                    }
                    return
                case 1:
                    guard let owed = try engine.owedNotices(caseID: caseID, as: operatorActor, outstanding: true).randomElement(using: &random) else { return }
                    _ = try engine.recordNoticeSent(caseID: caseID, message: owed.message.id, sentBy: "ana", route: "post", sentOn: today, as: operatorActor,
                                                    attributes: [:])
                    return
                default: break
                }
                if random.next() % 4 == 0 {
                    _ = try engine.revokeAccess(caseID: caseID, to: principal, as: operatorActor, attributes: [:], reason: "review")
                } else {
                    let level = ["full", "limited", "none"][Int(random.next() % 3)]
                    _ = try engine.grantAccess(caseID: caseID, grant: AccessGrant(to: principal, level: level, until: random.next() % 2 == 0 ? today.adding(days: 90) : nil),
                                               as: operatorActor, attributes: [:], reason: "decided")
                }
            case 7:
                guard let clockRecord = record.deadlines.randomElement(using: &random) else { return }
                // The exception the workflow declares for this clock with each effect, when it declares one.
                let exceptions = engine.catalog.workflows[record.workflow]?.definition.exceptions ?? []
                func cited(_ effect: ExceptionEffect) -> String? {
                    exceptions.first { $0.effect == effect && $0.appliesTo.contains { $0.value == clockRecord.name } }?.code.value
                }
                switch random.next() % 3 {
                case 0: _ = try engine.pauseDeadline(caseID: caseID, deadline: clockRecord.name, as: operatorActor, reason: "setting closed", exception: cited(.pause))
                case 1: _ = try engine.resumeDeadline(caseID: caseID, deadline: clockRecord.name, as: operatorActor, reason: "reopened")
                default: _ = try engine.excuseDeadline(caseID: caseID, deadline: clockRecord.name, as: operatorActor, reason: "away", exception: cited(.excuse))
                }
            default:
                clock.advance(by: Double(random.next() % 20 + 1) * 86_400)
                _ = try engine.tick()
            }
        } catch {
            guard [RefusalCode.blocked, .invalidInput, .conflict].contains(error.code) else { throw error }
        }
    }

    static let openings: [String: [String: ExpressionValue]] = [
        "ehcp-needs-assessment": ["requested_on": .date(CalendarDate("2025-09-01")!), "requested_by": .string("parent"),
                                  "child.first_name": .string("Sam"), "child.last_name": .string("Taylor"), "child.date_of_birth": .date(CalendarDate("2016-02-14")!),
                                  "child.address": .string("12 Secret Lane")],
        "annual-review": ["child.first_name": .string("Sam"), "child.last_name": .string("Taylor"), "child.date_of_birth": .date(CalendarDate("2012-05-01")!)],
        "ehcp-plan": ["child.first_name": .string("Sam"), "child.last_name": .string("Taylor"), "child.date_of_birth": .date(CalendarDate("2012-05-01")!),
                      "plan_issued_on": .date(CalendarDate("2024-09-01")!)],
        "tribunal-appeal": ["child.first_name": .string("Sam"), "child.last_name": .string("Taylor"), "child.date_of_birth": .date(CalendarDate("2014-01-20")!),
                            "decision_type": .string("refusal_to_assess"), "decision_letter_on": .date(CalendarDate("2025-08-20")!), "decision_case": .string("c-0")],
        "access-request": ["requester_id": .string("parent-1"), "relationship": .string("parent"), "child_case": .string("c-0")],
        "plan-amendment": ["child.first_name": .string("Sam"), "child.last_name": .string("Taylor"), "child.date_of_birth": .date(CalendarDate("2012-05-01")!),
                           "plan_case": .string("c-0"), "amending_after": .string("review")],
        "tribunal-orders": ["child.first_name": .string("Sam"), "child.last_name": .string("Taylor"), "child.date_of_birth": .date(CalendarDate("2014-01-20")!),
                            "appeal_case": .string("c-0")],
        "re-assessment": ["child.first_name": .string("Sam"), "child.last_name": .string("Taylor"), "child.date_of_birth": .date(CalendarDate("2014-01-20")!),
                          "plan_case": .string("c-0"), "requested_by": .string("parent"), "requested_on": .date(CalendarDate("2025-08-20")!)],
        "ceasing-to-maintain": ["child.first_name": .string("Sam"), "child.last_name": .string("Taylor"), "child.date_of_birth": .date(CalendarDate("2012-05-01")!),
                                "plan_case": .string("c-0")],
        "phase-transfer": ["child.first_name": .string("Sam"), "child.last_name": .string("Taylor"), "child.date_of_birth": .date(CalendarDate("2015-02-14")!),
                           "plan_case": .string("c-0"), "transfer_kind": .string("school_phase"), "transfer_on": .date(CalendarDate("2026-09-01")!),
                           "current_institution": .string("Hillside Primary")],
        "council-transfer": ["child.first_name": .string("Sam"), "child.last_name": .string("Taylor"), "child.date_of_birth": .date(CalendarDate("2014-01-20")!),
                             "plan_case": .string("c-0"), "transfer": .string("from_another_authority")],
        "mediation": ["child.first_name": .string("Sam"), "child.last_name": .string("Taylor"), "child.date_of_birth": .date(CalendarDate("2014-01-20")!),
                      "decision_type": .string("refusal_to_assess"), "decision_letter_on": .date(CalendarDate("2025-08-20")!), "decision_case": .string("c-0"),
                      "mediation_adviser_contact": .string("County Mediation"), "mediation_contact": .string("SEND team")],
        "personal-budget": ["child.first_name": .string("Sam"), "child.last_name": .string("Taylor"), "child.date_of_birth": .date(CalendarDate("2014-01-20")!),
                            "plan_case": .string("c-0"), "requested_on": .date(CalendarDate("2025-08-20")!), "request_stage": .string("review"),
                            "direct_payments_requested": .bool(true)],
    ]

    @Test(arguments: StoreKind.allCases, [UInt64(1), 2, 3])
    func replayingEveryChainRebuildsItsRecord(store kind: StoreKind, seed: UInt64) throws {
        let clock = ManualClock(CalendarDate("2025-09-01")!.start().addingTimeInterval(9 * 3600))
        let engine = try Engine(catalog: Self.catalog, store: try kind.make(), clock: clock)
        var random = SeededGenerator(seed: seed)
        let workflows = Self.catalog.workflows.keys.sorted()
        #expect(Set(workflows) == Set(Self.openings.keys), "every shipped workflow is driven")
        var caseIDs: [String] = []
        for (index, workflow) in workflows.enumerated() {
            let id = "c-\(index)"
            _ = try engine.open(workflow: workflow, as: .operator("replay"), caseID: id, fields: Self.openings[workflow] ?? [:],
                                participants: CaseParticipants(entries: [("school", "organisation:school-0"), ("parent", "parent-0"), ("parent", "parent-1")].filter { role, _ in
                                    Self.catalog.workflows[workflow]?.definition.roles.contains { $0.value == role } ?? false
                                }))
            caseIDs.append(id)
        }
        // 50 random steps per case (400 over the 8 workflows this was written for), so each case is driven as far
        // whatever the number of shipped workflows.
        for _ in 0..<(50 * caseIDs.count) {
            try Self.step(engine, caseIDs[Int(random.next() % UInt64(caseIDs.count))], clock: clock, random: &random)
        }
        var events = 0
        var actions: Set<String> = []
        // Every case in the store: those opened here and the linked cases their steps opened.
        for id in try engine.caseIDs(as: .operator()) {
            let verification = try engine.verifyAudit(id, as: .operator())
            #expect(verification.holds, "\(kind) seed \(seed) case \(id): \(verification)")
            guard case .intact(let count) = verification else {
                Issue.record("\(id) was not replayed: \(verification)")
                continue
            }
            events += count
            let history = try engine.history(id, as: .operator())
            actions.formUnion(history.map(\.action))
            #expect(try CaseReplay.rebuild(history).get() == engine.caseRecord(id, as: .operator()))
        }
        #expect(actions.isSuperset(of: ["participant_added", "participant_removed", "notice_sent"]), "the run changed participants and sent owed notices: \(actions)")
        print("replay \(kind) seed \(seed): \(events) events over \(caseIDs.count) cases")
        #expect(events > 40, "the run did something: \(events) events")
    }
}
