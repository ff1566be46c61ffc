import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkExpressions
import CaseworkSQLite
import CaseworkStore
import Foundation
import Testing

/// The child definition (`child:` file): validated with the set, one per set, typing the identity fields `child add`
/// and `child set` accept, and the `child.*` names a workflow reads when it says `child: from_record`.
@Suite("Child definitions")
struct ChildDefinitionTests {
    static let child = """
        child: send-child
        version: 1
        fields:
          first_name: string
          date_of_birth: date
          in_care: bool

        """

    /// A workflow that reads the child record: its end at 25 is worked out from the child's date of birth.
    static let ceasing = """
        workflow: ceasing
        version: 1
        title: Ceasing
        roles: [caseworker]
        child: from_record
        fields:
          ended_on: date
        states:
          open: { initial: true, title: Open }
          ended: { final: true, title: Ended }
        transitions:
          - name: end_at_25
            from: open
            to: ended
            by: caseworker
            when: has(child.date_of_birth) and age_on(today) >= 25
            set: { ended_on: today }

        """

    /// The same workflow without the opt-in, with a `child` field of its own, as the shipped workflows have.
    static let ownChildField = """
        workflow: assessment
        version: 1
        title: Assessment
        roles: [caseworker]
        fields:
          child: { date_of_birth: date }
        states:
          open: { initial: true, title: Open }
          done: { final: true, title: Done }
        transitions:
          - { name: finish, from: open, to: done, by: caseworker, when: has(child.date_of_birth) }

        """

    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var files: [(file: String, text: String)]
        var codes: [String]
    }

    /// The validator's cases: each set and the codes of its errors, in order.
    static let cases: [Case] = [
        Case(description: "a child definition alone", files: [("child.yaml", child)], codes: []),
        Case(description: "a workflow reading the child record beside the definition", files: [("child.yaml", child), ("ceasing.yaml", ceasing)], codes: []),
        Case(description: "a workflow with its own child field and no opt-in, with a child definition", files: [("child.yaml", child), ("a.yaml", ownChildField)], codes: []),
        Case(description: "a second child definition", files: [("child.yaml", child), ("other.yaml", child.replacingOccurrences(of: "send-child", with: "other-child"))],
             codes: ["CW0259"]),
        Case(description: "a second child definition with the same id", files: [("child.yaml", child), ("other.yaml", child)], codes: ["CW0200", "CW0259"]),
        Case(description: "reading the child record with no child definition", files: [("ceasing.yaml", ceasing)],
             codes: ["CW0260", "CW0312"]),
        Case(description: "reading the child record and a child field of its own",
             files: [("child.yaml", child), ("ceasing.yaml", ceasing.replacingOccurrences(of: "  ended_on: date\n", with: "  ended_on: date\n  child: { first_name: string }\n"))],
             codes: ["CW0261"]),
        Case(description: "an unknown child name", files: [("child.yaml", child), ("ceasing.yaml", ceasing.replacingOccurrences(of: "has(child.date_of_birth)", with: "has(child.date_of_brith)"))],
             codes: ["CW0302"]),
        Case(description: "a child name compared with another type", files: [("child.yaml", child), ("ceasing.yaml", ceasing.replacingOccurrences(of: "age_on(today) >= 25", with: "child.in_care == 1"))],
             codes: ["CW0301"]),
        Case(description: "child names without the opt-in are the workflow's own fields", files: [("child.yaml", child), ("ceasing.yaml", ceasing.replacingOccurrences(of: "child: from_record\n", with: ""))],
             codes: ["CW0302", "CW0312"]),
        Case(description: "a misspelt opt-in", files: [("child.yaml", child), ("ceasing.yaml", ceasing.replacingOccurrences(of: "child: from_record", with: "child: true"))],
             codes: ["CW0103", "CW0302", "CW0312"]),
        Case(description: "a child definition without fields or version", files: [("child.yaml", "child: send-child\ntitle: Child\n")], codes: ["CW0102", "CW0102"]),
        Case(description: "a child field of an unknown type", files: [("child.yaml", child.replacingOccurrences(of: "in_care: bool", with: "in_care: boolean"))], codes: ["CW0107"]),
        Case(description: "a child definition with an unknown key", files: [("child.yaml", child + "roles: [parent]\n")], codes: ["CW0101"]),
    ]

    @Test(arguments: cases)
    func validation(_ test: Case) {
        let report = Validator.validate(sources: test.files)
        #expect(report.diagnostics.filter { $0.severity == .error }.map(\.code.rawValue) == test.codes, "\(report.diagnostics.map(\.message))")
    }

    static let start = Date(timeIntervalSince1970: 1_756_717_200)
    static let caseworker = CaseActor(role: "caseworker", id: "ana")

    /// A store of each kind: in memory, and a fresh SQLite file.
    static func store(onSQLite: Bool, in directory: URL) throws -> any CaseStore {
        guard onSQLite else { return InMemoryCaseStore() }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try SQLiteCaseStore(path: directory.appendingPathComponent("cases.sqlite").path)
    }

    static func engine(_ files: [(file: String, text: String)], store: any CaseStore) throws -> Engine {
        try Engine(catalog: try DefinitionCatalog.load(sources: files), store: store, clock: ManualClock(start))
    }

    static func temporary() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("casework-child-definition-\(UUID().uuidString)")
    }

    /// Refused fields, each with the field the problem names: nothing is written, not the record, not its chain.
    static let refusedFields: [(fields: [String: ExpressionValue], field: String)] = [
        (["last_name": .string("Reid")], "last_name"),
        (["date_of_birth": .string("10/03/2002")], "date_of_birth"),
        (["date_of_birth": .string("2002-02-30")], "date_of_birth"),
        (["date_of_birth": .int(2002)], "date_of_birth"),
        (["in_care": .string("yes")], "in_care"),
        (["first_name": .int(7)], "first_name"),
    ]

    @Test(arguments: [false, true])
    func addAndSetCheckEachFieldAndChangeNothingOnError(onSQLite: Bool) throws {
        let directory = Self.temporary()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Self.store(onSQLite: onSQLite, in: directory)
        let engine = try Self.engine([("child.yaml", Self.child)], store: store)
        for (fields, field) in Self.refusedFields {
            #expect(throws: EngineError.self) { try engine.addChild(id: "k1", fields: fields, as: .operator()) }
            do {
                _ = try engine.addChild(id: "k1", fields: fields, as: .operator())
            } catch {
                guard case .invalidInput(let problems) = error else { throw error }
                #expect(problems.map(\.field) == [field])
            }
            #expect(try store.child(id: "k1") == nil)
        }
        let added = try engine.addChild(id: "k1", fields: ["first_name": .string("Sam"), "date_of_birth": .string("2002-03-10"), "in_care": .bool(false)], as: .operator())
        #expect(added.fields == ["first_name": .string("Sam"), "date_of_birth": .date(CalendarDate(year: 2002, month: 3, day: 10)!), "in_care": .bool(false)])
        for (fields, field) in Self.refusedFields {
            do {
                _ = try engine.changeChild(id: "k1", setting: fields, as: .operator())
                Issue.record("\(fields) was accepted")
            } catch {
                guard case .invalidInput(let problems) = error else { throw error }
                #expect(problems.map(\.field) == [field])
            }
            let stored = try #require(try store.child(id: "k1"))
            #expect(stored.revision == 1)
            #expect(stored.fields == added.fields)
        }
        let changed = try engine.changeChild(id: "k1", setting: ["in_care": .string("true")], as: .operator())
        #expect(changed.fields["in_care"] == .bool(true))
        #expect(try engine.verifyChildAudit("k1", as: .operator()) == .intact(events: 2))
    }

    @Test(arguments: [false, true])
    func withoutAChildDefinitionFieldsAreKeptAsGiven(onSQLite: Bool) throws {
        let directory = Self.temporary()
        defer { try? FileManager.default.removeItem(at: directory) }
        let engine = try Self.engine([("a.yaml", Self.ownChildField)], store: try Self.store(onSQLite: onSQLite, in: directory))
        let fields: [String: ExpressionValue] = ["last_name": .string("Reid"), "date_of_birth": .string("10/03/2002")]
        #expect(try engine.addChild(id: "k1", fields: fields, as: .operator()).fields == fields)
    }

    /// `child.*` in a workflow that opts in: the child's date of birth decides the end at 25; a case of no child, or of
    /// a child with no date of birth, has `child.date_of_birth` unset and the step is refused; a record kept from before
    /// the child definition (the date as text) reads as the date it says.
    @Test(arguments: [false, true])
    func aWorkflowThatOptsInReadsTheChildRecord(onSQLite: Bool) throws {
        let directory = Self.temporary()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Self.store(onSQLite: onSQLite, in: directory)
        // Added before the set had a child definition: the date of birth is stored as text.
        let before = try Self.engine([("a.yaml", Self.ownChildField)], store: store)
        _ = try before.addChild(id: "old", fields: ["date_of_birth": .string("2000-05-01")], as: .operator())
        let engine = try Self.engine([("child.yaml", Self.child), ("ceasing.yaml", Self.ceasing)], store: store)
        _ = try engine.addChild(id: "k25", fields: ["date_of_birth": .string("2000-08-31")], as: .operator())
        _ = try engine.addChild(id: "k24", fields: ["date_of_birth": .string("2000-09-02")], as: .operator())
        _ = try engine.addChild(id: "unknown-age", fields: ["first_name": .string("Alex")], as: .operator())
        let expected: [(caseID: String, child: String?, ends: Bool)] = [
            ("c25", "k25", true), ("c24", "k24", false), ("c-unknown-age", "unknown-age", false), ("c-none", nil, false), ("c-old", "old", true),
        ]
        for (caseID, child, ends) in expected {
            _ = try engine.open(workflow: "ceasing", as: Self.caseworker, caseID: caseID, child: child)
            let request = FireRequest(caseID: caseID, transition: "end_at_25", actor: Self.caseworker)
            if ends {
                let result = try engine.fire(request)
                #expect(result.record.state == "ended", "\(caseID)")
                #expect(result.record.fields["ended_on"] == .date(CalendarDate(Self.start)))
            } else {
                #expect(throws: EngineError.self, "\(caseID)") { try engine.fire(request) }
                #expect(try store.load(caseID: caseID)?.state == "open")
            }
        }
    }

    /// A case opened on a set without a child definition keeps that set: after the child definition (and a workflow
    /// reading it) is added, the old case still runs on the set it was pinned to, and the new set's snapshot holds the
    /// child definition as one of its members.
    @Test func anOldCaseKeepsTheSetItWasPinnedTo() throws {
        let store = InMemoryCaseStore()
        let old = try Self.engine([("a.yaml", Self.ownChildField)], store: store)
        let opened = try old.open(workflow: "assessment", as: Self.caseworker, caseID: "a1", fields: ["child.date_of_birth": .date(CalendarDate(year: 2010, month: 1, day: 1)!)])
        #expect(old.catalog.snapshot.member(kind: "child", id: "send-child") == nil)
        let raised = Self.ownChildField.replacingOccurrences(of: "version: 1", with: "version: 2")
        let engine = try Self.engine([("child.yaml", Self.child), ("a.yaml", raised), ("ceasing.yaml", Self.ceasing)], store: store)
        #expect(engine.catalog.snapshot.member(kind: "child", id: "send-child")?.version == 1)
        #expect(engine.catalog.snapshot.fingerprint != opened.record.definitionSnapshot)
        let fired = try engine.fire(FireRequest(caseID: "a1", transition: "finish", actor: Self.caseworker))
        #expect(fired.record.state == "done")
        #expect(fired.record.definitionSnapshot == opened.record.definitionSnapshot)
    }

    /// Stored fields that do not fit the definition are read as stored and listed as misfits, never changed.
    @Test func misfitsAreListedNotChanged() {
        let declared = FieldValues.types(of: Validator.validate(sources: [("child.yaml", Self.child)]).definitions.child?.fields ?? [])
        let stored: [String: ExpressionValue] = ["date_of_birth": .string("10/03/2002"), "upn": .string("A1"), "first_name": .string("Sam"), "in_care": .string("true")]
        #expect(ChildFields.misfits(stored, declared: declared).map(\.field) == ["date_of_birth", "upn"])
        let typed = ChildFields.typed(stored, declared: declared)
        #expect(typed["date_of_birth"] == .string("10/03/2002"))
        #expect(typed["in_care"] == .bool(true))
        #expect(typed["upn"] == .string("A1"))
    }
}
