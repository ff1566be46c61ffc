import CaseworkSQLite
import CaseworkStoreConformance
import Foundation
import Synchronization
import Testing

@testable import Casework

/// Many callers of one service firing at once, on cases of their own and on cases they share, with the group
/// committer gathering their commits: every fire a caller was told landed is stored once, with that caller's own audit
/// event; every other caller was refused as a conflict (never told of another's failure); every chain verifies.
@Suite("Group commit: concurrent callers of one service")
struct GroupCommitTests {
    /// A workflow whose one transition leaves the case where it was, so a case can be fired on without end.
    static let workflow = """
        workflow: ledger
        version: 1
        title: Ledger
        roles: [caseworker]
        fields:
          note: text
        states:
          open: { initial: true, title: Open }
          closed: { title: Closed, final: true }
        transitions:
          - name: note
            from: open
            to: open
            by: [caseworker]
            input: { note: required }
          - name: close
            from: open
            to: closed
            by: [caseworker]

        """

    enum Store: String, CaseIterable, CustomTestStringConvertible {
        case memory, sqlite
        var testDescription: String { rawValue }
    }

    /// One fire a caller made: by whom, on which case, and what it was told.
    struct Fire: Sendable {
        let caller: String
        let caseID: String
        let answer: Result<ChangeResult, EngineError>
    }

    @Test(arguments: Store.allCases)
    func everyCallerGetsItsOwnAnswerAndItsOwnEvent(store kind: Store) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-group-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store: any CaseStore = switch kind {
        case .memory: InMemoryCaseStore()
        case .sqlite: try SQLiteCaseStore(path: directory.appendingPathComponent("store.sqlite").path)
        }
        let catalog = try DefinitionCatalog.load(sources: [(file: "ledger.yaml", text: Self.workflow)])
        let service = try await CaseService(catalog: catalog, driver: store.driver, clock: ManualClock(Date(timeIntervalSince1970: 1_756_717_200)))
        let callers = 8
        let cases = (0..<callers).map { "own-\($0)" } + ["shared-a", "shared-b"]
        for id in cases { _ = try await service.open(workflow: "ledger", as: CaseActor(role: "caseworker", id: "opener"), caseID: id) }
        let fires = try await withThrowingTaskGroup(of: [Fire].self) { group in
            for caller in 0..<callers {
                group.addTask {
                    var made: [Fire] = []
                    for round in 0..<12 {
                        let caseID = round % 3 == 0 ? "own-\(caller)" : (round % 3 == 1 ? "shared-a" : "shared-b")
                        let name = "cw-\(caller)-\(round)"
                        let answer: Result<ChangeResult, EngineError>
                        do throws(EngineError) {
                            answer = .success(try await service.fire(FireRequest(caseID: caseID, transition: "note", actor: CaseActor(role: "caseworker", id: name),
                                                                                 input: ["note": .string(name)])))
                        } catch {
                            answer = .failure(error)
                        }
                        made.append(Fire(caller: name, caseID: caseID, answer: answer))
                    }
                    return made
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        for fire in fires {
            if case .failure(let error) = fire.answer { #expect(error.code == .conflict, "\(fire.caller) on \(fire.caseID): \(error)") }
        }
        for id in cases {
            let events = try store.history(caseID: id).dropFirst()
            let landed = fires.filter { $0.caseID == id }.compactMap { fire in (try? fire.answer.get()).map { (fire.caller, $0) } }
            #expect(events.map(\.actor.id).sorted() == landed.map(\.0).sorted(), "case \(id): one event for each fire its caller was told landed, and no other")
            for event in events { #expect(event.input["note"] == .string(event.actor.id), "case \(id): the event of \(event.actor.id) holds its own input") }
            for (caller, result) in landed {
                let own = events.first { $0.actor.id == caller }
                #expect(own?.hash == result.record.auditHead, "case \(id): \(caller) was handed the head of its own event")
                #expect(own?.revision == result.record.revision, "case \(id): \(caller) was handed the revision its event made")
            }
            let verification = try await service.verifyAudit(id, as: .operator())
            #expect(verification == .intact(events: events.count + 1), "case \(id)")
        }
        #expect(fires.filter { $0.caseID.hasPrefix("own-") }.allSatisfy { (try? $0.answer.get()) != nil }, "a fire on a caller's own case always lands")
    }

    /// More callers wait than one batch holds (``GroupCommitter/largestBatch``): the driver writes them in two batches,
    /// and each caller is still answered with its own result, its own refusal, its own event. Two of them are pinned to
    /// one revision of one case, so the batch holds a group the store refuses: that caller alone is refused.
    @Test func callersPastOneBatchAreWrittenInTwoAndEachIsAnsweredAlone() async throws {
        let failing = FailingStore(wrapping: InMemoryCaseStore())
        let catalog = try DefinitionCatalog.load(sources: [(file: "ledger.yaml", text: Self.workflow)])
        let service = try await CaseService(catalog: catalog, driver: failing.driver, clock: ManualClock(Date(timeIntervalSince1970: 1_756_717_200)))
        let own = (0..<(GroupCommitter.largestBatch + 10)).map { "own-\($0)" }
        let opener = CaseActor(role: "caseworker", id: "opener")
        for id in ["plug", "shared"] + own { _ = try await service.open(workflow: "ledger", as: opener, caseID: id) }
        let note = { @Sendable (caseID: String, caller: String, pinned: Int?) async -> Result<ChangeResult, EngineError> in
            do throws(EngineError) {
                return .success(try await service.fire(FireRequest(caseID: caseID, transition: "note", actor: CaseActor(role: "caseworker", id: caller),
                                                                   input: ["note": .string(caller)], expectedRevision: pinned)))
            } catch {
                return .failure(error)
            }
        }
        failing.holdNextCommit()
        let plug = Task { await note("plug", "cw-plug", nil) }
        while !failing.isHoldingCommit { try await Task.sleep(for: .milliseconds(1)) }
        let callers = own.map { ($0, "cw-\($0)") } + [("shared", "cw-shared-1"), ("shared", "cw-shared-2")]
        let tasks = callers.map { (caseID, caller) in Task { await note(caseID, caller, caseID == "shared" ? 1 : nil) } }
        while service.committer.waitingCount < callers.count { try await Task.sleep(for: .milliseconds(1)) }
        let batchesBefore = service.committer.batchCount
        failing.releaseCommit()
        #expect((try? await plug.value.get()) != nil, "the held fire lands")
        var answers: [Result<ChangeResult, EngineError>] = []
        for task in tasks { answers.append(await task.value) }
        #expect(service.committer.batchCount - batchesBefore == 2, "\(callers.count) waiting callers are written in two batches")
        for ((caseID, caller), answer) in zip(callers, answers) where caseID != "shared" {
            let events = try failing.inner.history(caseID: caseID)
            #expect(events.map(\.actor.id) == ["opener", caller], "case \(caseID): its caller's fire, once")
            #expect((try? answer.get())?.record.auditHead == events.last?.hash, "case \(caseID): its caller was handed its own event's head")
        }
        let shared = Array(answers.suffix(2))
        let landed = shared.compactMap { try? $0.get() }
        #expect(landed.count == 1, "of two callers pinned to one revision, one lands")
        for case .failure(let error) in shared { #expect(error.code == .conflict, "the other is refused as a conflict, alone") }
        let sharedEvents = try failing.inner.history(caseID: "shared")
        #expect(sharedEvents.count == 2 && sharedEvents.last?.hash == landed.first?.record.auditHead, "the shared case holds the winner's event")
    }
}
