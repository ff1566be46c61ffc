@testable import CaseworkDefinitions
@testable import CaseworkEngine
@testable import CaseworkExpressions
@testable import CaseworkStore
@testable import CaseworkTime
import Foundation
import Testing

/// Every name the checker accepts in a shipped workflow or policy is valued at run time with a value of exactly its
/// type whenever the case or request holds the data, and is unset only when it does not: the names are typed and
/// valued in one place (`ExpressionNames`), and these tests fail if either side gains a name the other lacks.
///
/// Each name is compiled as an expression on its own against the checker's environment and evaluated against the
/// context by name the workflow's names build (the engine's slot context agrees with it: `GuardContextTests`) or the
/// one `CompiledPolicy.decide` (for policies) builds, `today` and `now` included.
@Suite("One environment: every name typed and valued together")
struct ExpressionNamesTests {
    /// The repository's definitions, loaded as the catalog.
    struct Shipped: Sendable {
        let catalog: DefinitionCatalog
    }

    static let today = CalendarDate("2025-11-25")!
    static let now = today.start().addingTimeInterval(10 * 3_600)

    static let shipped = Result { () throws -> Shipped in
        let catalog = try DefinitionCatalog.load(paths: ["Workflows", "Policies"].map { RepositoryPaths.root.appendingPathComponent($0).path })
        return Shipped(catalog: catalog)
    }

    /// One name of one definition, as a test argument.
    struct Name: Sendable, CustomTestStringConvertible {
        let definition: String
        let name: String
        var testDescription: String { "\(definition): \(name)" }
    }

    /// Every name the checker accepts in `environment`: its names and the language's own.
    static func names(of definition: String, _ environment: ExpressionEnvironment) -> [Name] {
        (Array(environment.names.keys) + Array(ExpressionEnvironment.builtins.keys)).sorted().map { Name(definition: definition, name: $0) }
    }

    static let workflowNames: [Name] = ((try? shipped.get())?.catalog.workflows.values.sorted { $0.definition.id.value < $1.definition.id.value } ?? [])
        .flatMap { names(of: $0.definition.id.value, $0.names.environment) }

    static let policyNames: [Name] = ((try? shipped.get())?.catalog.policies.values.sorted { $0.definition.id.value < $1.definition.id.value } ?? [])
        .flatMap { names(of: $0.definition.id.value, $0.names.environment) }

    /// Whether `value` is exactly of `type`: a decimal is not a whole number, an enumeration's word is one of its values.
    static func conforms(_ value: ExpressionValue, to type: ExpressionType) -> Bool {
        switch (type, value) {
        case (.bool, .bool), (.int, .int), (.decimal, .decimal), (.string, .string), (.date, .date), (.datetime, .datetime), (.duration, .duration):
            true
        case (.enumeration(let domain), .string(let word)): domain.values.contains(word)
        case (.list(let element), .list(let items)): items.allSatisfy { conforms($0, to: element) }
        default: false
        }
    }

    /// A value the data could hold for a name of `type`. A decimal is given as a whole number, as input may give it
    /// (`FieldValues` accepts one), so the test also sees that it reads as a decimal.
    static func sample(_ type: ExpressionType) -> ExpressionValue {
        switch type {
        case .bool: .bool(true)
        case .int: .int(3)
        case .decimal: .int(2)
        case .string: .string("some text")
        case .date: .date(CalendarDate("2010-05-04")!)
        case .datetime: .datetime(now)
        case .duration: .duration(StatutoryDuration(count: 2, unit: .weeks))
        case .enumeration(let domain): .string(domain.values[0])
        case .list(let element): .list([sample(element)])
        case .emptyList: .list([])
        }
    }

    /// `name` compiled on its own against `environment` and evaluated against `context`.
    static func evaluate(_ name: String, in environment: ExpressionEnvironment, _ context: EvaluationContext) throws -> (ExpressionType, Result<ExpressionValue, EvaluationError>) {
        let checked = try ExpressionChecker.compile(name, in: environment).get()
        return (checked.type, CompiledExpression(checked).evaluate(context))
    }

    // MARK: Workflows

    /// A case of `workflow` holding every piece of data its names read (or none of it, with `empty`), and who acts:
    /// a person in the workflow's first role, or the operator, who plays none of its roles; with, unless `empty`, one
    /// linked case through each link, holding every field its `linked.LINK.latest.` names read.
    static func input(for workflow: LoadedWorkflow, empty: Bool) -> (record: CaseRecord, actor: CaseActor, linked: [String: [CaseRecord]]) {
        let definition = workflow.definition
        let environment = workflow.names.environment
        var fields: [String: ExpressionValue] = [:]
        var forms: [FormInstance] = []
        if !empty {
            for (path, _) in FieldValues.flatten(definition.fields) {
                if let type = environment.names[path] { fields[path] = sample(type) }
            }
            for (index, start) in definition.transitions.flatMap(\.startForms).enumerated() {
                forms.append(FormInstance(id: "\(start.form.value)-\(index + 1)", form: start.form.value, formVersion: 1, recipientRole: definition.roles[0].value,
                                          recipientID: nil, status: index % 2 == 0 ? .submitted : .accepted, fields: [:], dueOn: today, submissions: 1,
                                          informationRequired: nil))
            }
        }
        var record = CaseRecord(id: "case-1", workflow: definition.id.value, workflowVersion: definition.version,
                                state: definition.states.last?.name.value ?? "", revision: 3, fields: fields, participants: [:], forms: forms,
                                openedAt: today.start(), updatedAt: now, auditHead: "")
        var linked: [String: [CaseRecord]] = [:]
        for link in definition.links where !empty {
            let prefix = "linked.\(link.name.value).latest."
            var linkedFields: [String: ExpressionValue] = [:]
            for (name, type) in environment.names where name.hasPrefix(prefix) && name != prefix + "state" {
                linkedFields[String(name.dropFirst(prefix.count))] = sample(type)
            }
            let id = "case-1.\(link.name.value)-1"
            guard case .string(let state)? = environment.names[prefix + "state"].map(sample) else { continue }
            linked[link.name.value] = [CaseRecord(id: id, workflow: link.workflow.value, workflowVersion: 1, state: state, revision: 1, fields: linkedFields,
                                                  participants: [:], forms: [], openedAt: today.start(), updatedAt: now, auditHead: "")]
            record.links.append(CaseLink(name: link.name.value, caseID: id, workflow: link.workflow.value, role: .opened))
        }
        return (record, empty ? .operator() : CaseActor(role: definition.roles[0].value, id: "jo"), linked)
    }

    /// The fields of the child record a case of `workflow` belongs to, holding every `child.` name it reads from the
    /// record (a workflow that says `child: from_record`), or none of them, with `empty` (a case of no child).
    static func childInput(for workflow: LoadedWorkflow, empty: Bool) -> [String: ExpressionValue] {
        guard !empty, workflow.definition.childFromRecord != nil else { return [:] }
        var fields: [String: ExpressionValue] = [:]
        for (name, type) in workflow.names.environment.names where name.hasPrefix("child.") { fields[String(name.dropFirst("child.".count))] = sample(type) }
        return fields
    }

    /// The names whose data an empty case lacks: its fields, the role of the operator, who plays none, the newest
    /// linked case's state and fields, while the case has opened none, and the child record's fields, for a case of no child.
    static func absentFromEmptyCase(_ workflow: LoadedWorkflow) -> Set<String> {
        Set(FieldValues.flatten(workflow.definition.fields).map(\.path)).union(["actor.role"])
            .union(workflow.names.environment.names.keys.filter { $0.hasPrefix("linked.") && $0.contains(".latest.") })
            .union(workflow.definition.childFromRecord == nil ? [] : workflow.names.environment.names.keys.filter { $0.hasPrefix("child.") })
    }

    @Test func theShippedDefinitionsLoadAndHaveNames() throws {
        let shipped = try Self.shipped.get()
        #expect(shipped.catalog.workflows.count >= 4)
        #expect(!shipped.catalog.policies.isEmpty)
        #expect(Self.workflowNames.count > 100)
        #expect(Self.policyNames.count > 20)
    }

    @Test(arguments: workflowNames)
    func aWorkflowNameHasAValueOfItsTypeWhenTheCaseHoldsIt(_ name: Name) throws {
        let shipped = try Self.shipped.get()
        let workflow = try #require(shipped.catalog.workflows[name.definition])
        let environment = workflow.names.environment
        for empty in [false, true] {
            let (record, actor, linked) = Self.input(for: workflow, empty: empty)
            let context = workflow.names.context(for: CaseExpressionInput(record: record, actor: actor, today: Self.today, now: Self.now, linked: linked,
                                                                           child: Self.childInput(for: workflow, empty: empty)))
            let (type, result) = try Self.evaluate(name.name, in: environment, context)
            if empty && Self.absentFromEmptyCase(workflow).contains(name.name) {
                #expect(result == .failure(.unset(name.name)), "'\(name.name)' is unset when the case does not hold it")
            } else {
                let value = try #require(try? result.get(), "'\(name.name)' has a value \(empty ? "even on an empty case" : "when the case holds it")")
                #expect(Self.conforms(value, to: type), "'\(name.name)' is typed \(type) but valued \(value)")
            }
        }
    }

    static let workflowIDs = ((try? shipped.get())?.catalog.workflows.keys.sorted() ?? [])

    @Test(arguments: workflowIDs)
    func aWorkflowValuesNoNameItDoesNotType(_ id: String) throws {
        let shipped = try Self.shipped.get()
        let workflow = try #require(shipped.catalog.workflows[id])
        let (record, actor, linked) = Self.input(for: workflow, empty: false)
        let context = workflow.names.context(for: CaseExpressionInput(record: record, actor: actor, today: Self.today, now: Self.now, linked: linked,
                                                                       child: Self.childInput(for: workflow, empty: false)))
        #expect(Set(context.values.keys).subtracting(workflow.names.environment.names.keys).isEmpty)
        #expect(!context.values.isEmpty)
    }

    // MARK: Policies

    /// A request holding every piece of data `policy`'s names read (or none of it, with `empty`): an actor in a
    /// workflow role acting for an organisation, every attribute, a grant with every part that holds today, every case
    /// field, and a document given to an organisation; or a stranger in no role acting for themselves, with no
    /// attributes, grant, fields or document.
    static func input(for policy: CompiledPolicy, in catalog: DefinitionCatalog, empty: Bool) -> PolicyExpressionInput {
        let environment = policy.names.environment
        let workflow = catalog.workflows.values.sorted { $0.definition.id.value < $1.definition.id.value }[0].definition
        var attributes: [String: ExpressionValue] = [:]
        var fields: [String: ExpressionValue] = [:]
        if !empty {
            for (path, _) in FieldValues.flatten(policy.definition.actorAttributes) {
                if let type = environment.names["actor.\(path)"] { attributes[path] = sample(type) }
            }
            for workflow in catalog.workflows.values {
                for (path, _) in FieldValues.flatten(workflow.definition.fields) {
                    if let type = environment.names["case.\(path)"] { fields[path] = sample(type) }
                }
            }
        }
        let actor = empty ? CaseActor(role: "stranger", id: "jo") : CaseActor(role: workflow.roles[0].value, id: "jo", organisation: "hill")
        let grant = AccessGrant(to: actor.principal, level: policy.definition.levels[0].value, sections: ["case.state"],
                                from: CalendarDate("2025-01-01"), until: CalendarDate("2026-01-01"))
        let request = AccessRequest(actor: actor, attributes: attributes, action: "view", resource: "case", caseID: "case-1",
                                    workflow: workflow.id.value, state: workflow.states[0].name.value, fields: fields, grants: empty ? [] : [grant], at: now,
                                    document: empty ? nil : DocumentFacts(kind: "draft_plan", sharedWith: ["hill"]))
        return PolicyExpressionInput(request: request, grant: empty ? nil : grant, today: today)
    }

    /// The names whose data an empty request lacks: the organisation, attributes, grant, case fields and document, and
    /// the role of a stranger, which is none of the workflows'.
    static func absentFromEmptyRequest(_ name: String) -> Bool {
        name.hasPrefix("grant.") || name.hasPrefix("document.") || (name.hasPrefix("actor.") && name != "actor.id")
            || (name.hasPrefix("case.") && !["case.id", "case.workflow", "case.state"].contains(name))
    }

    @Test(arguments: policyNames)
    func aPolicyNameHasAValueOfItsTypeWhenTheRequestHoldsIt(_ name: Name) throws {
        let shipped = try Self.shipped.get()
        let policy = try #require(shipped.catalog.policies[name.definition])
        let environment = policy.names.environment
        for empty in [false, true] {
            let context = policy.names.context(for: Self.input(for: policy, in: shipped.catalog, empty: empty))
            let (type, result) = try Self.evaluate(name.name, in: environment, context)
            if empty && Self.absentFromEmptyRequest(name.name) {
                #expect(result == .failure(.unset(name.name)), "'\(name.name)' is unset when the request does not hold it")
            } else {
                let value = try #require(try? result.get(), "'\(name.name)' has a value \(empty ? "even on an empty request" : "when the request holds it")")
                #expect(Self.conforms(value, to: type), "'\(name.name)' is typed \(type) but valued \(value)")
            }
        }
    }

    @Test func aPolicyValuesNoNameItDoesNotType() throws {
        let shipped = try Self.shipped.get()
        for policy in shipped.catalog.policies.values {
            let context = policy.names.context(for: Self.input(for: policy, in: shipped.catalog, empty: false))
            #expect(Set(context.values.keys).subtracting(policy.names.environment.names.keys).isEmpty, "policy '\(policy.definition.id.value)'")
            #expect(!context.values.isEmpty)
        }
    }
}

/// The builder itself: declaring a name gives it a type and a value together, a later declaration replaces an earlier
/// one whole, and the language's own names cannot be declared again.
@Suite("Expression names")
struct ExpressionNamesBuilderTests {
    struct Input: ExpressionInput {
        var fields: [String: ExpressionValue]
        var today = CalendarDate("2025-11-25")!
        var now = Date(timeIntervalSince1970: 1_764_064_800)
    }

    static func names() -> ExpressionNames<Input> {
        var names = ExpressionNames<Input>()
        names.declare(fields: [("amount", .decimal), ("child.name", .string), ("amounts", .list(.decimal)), ("case.id", .string)], from: { $0.fields })
        names.declare("case.id", .int) { _ in .int(7) }
        names.declare("today", .bool) { _ in .bool(true) }
        return names
    }

    @Test(arguments: [
        ("amount", ExpressionValue.int(2), ExpressionValue.decimal(2)),
        ("amounts", .list([.int(1), .decimal(1.5)]), .list([.decimal(1), .decimal(1.5)])),
        ("child.name", .string("Sam"), .string("Sam")),
    ])
    func aFieldIsReadAsItsDeclaredType(path: String, stored: ExpressionValue, read: ExpressionValue) {
        #expect(Self.names().values(for: Input(fields: [path: stored]))[path] == read)
    }

    @Test func undeclaredDataIsNotValuedAndALaterDeclarationReplacesTypeAndValue() {
        let names = Self.names()
        let values = names.values(for: Input(fields: ["undeclared": .int(1), "case.id": .string("from the fields")]))
        #expect(values == ["case.id": .int(7)])
        #expect(names.environment.names["case.id"] == .int)
    }

    /// Slots read from a dictionary of a few entries, searched by comparing keys, and from a larger one, looked up:
    /// the same values as reading by name, a key written in another Unicode form (`é` as one code point or as `e` and
    /// an accent) found either way, as a dictionary finds it.
    @Test(arguments: 0...8)
    func slotsHoldWhatTheNamesHoldForADictionaryOfAnySize(entries: Int) {
        var names = ExpressionNames<Input>()
        let declared = ["amount", "caf\u{E9}", "child.name", "note", "score", "size", "tag", "weight"]
        names.declare(fields: declared.map { ($0, ExpressionType.string) }, from: { $0.fields })
        var slots = names.slots()
        for name in declared { _ = slots.slot(of: name) }
        _ = slots.slot(of: "undeclared")
        let reader = names.slotReader(slots)
        let written = ["amount", "cafe\u{301}", "child.name", "note", "other", "score", "size", "tag", "weight"]
        let input = Input(fields: Dictionary(uniqueKeysWithValues: written.prefix(entries).map { ($0, ExpressionValue.string("value of \($0)")) }))
        let byName = names.values(for: input)
        #expect(reader.context(for: input).slots == slots.names.map { byName[$0] })
        #expect(reader.context(for: input).slots.compactMap { $0 }.count == entries - (entries > 4 ? 1 : 0), "the four entries before 'other' and all but it after")
    }

    @Test func theLanguagesOwnNamesCannotBeDeclaredAgain() {
        let names = Self.names()
        #expect(names.types["today"] == nil)
        let context = names.context(for: Input(fields: [:]))
        #expect(context.values["today"] == nil)
        #expect(context.today == CalendarDate("2025-11-25")!)
    }
}

/// The engine runs the validation stage's checked expressions and compiles none again: one missing from the report
/// (which only a bug could cause, since the catalog refuses a report with errors) stops the catalog with a
/// definition error instead of being skipped.
@Suite("Expressions are compiled once")
struct ExpressionsCompiledOnceTests {
    static func report() throws -> ValidationReport {
        try Validator.validate(paths: ["Workflows", "Policies"].map { RepositoryPaths.root.appendingPathComponent($0).path }, fingerprints: true)
    }

    @Test func theShippedReportLoads() throws {
        let catalog = try DefinitionCatalog(try Self.report())
        #expect(catalog.workflows["annual-review"]?.assignments.isEmpty == false)
        #expect(catalog.workflows["annual-review"]?.guards.isEmpty == false)
    }

    @Test(arguments: ["guard", "set", "condition", "reason"])
    func aCheckedExpressionMissingFromTheReportIsADefinitionError(_ part: String) throws {
        var report = try Self.report()
        switch part {
        case "guard":
            let name = try #require(report.workflowExpressions["annual-review"]?.guards.keys.sorted().first)
            report.workflowExpressions["annual-review"]?.guards[name] = nil
        case "set":
            let name = try #require(report.workflowExpressions["annual-review"]?.assignments.keys.sorted().first)
            report.workflowExpressions["annual-review"]?.assignments[name] = [:]
        case "condition":
            report.policyExpressions["send-portal"]?.conditions["young-person-before-sixteen"] = nil
        default:
            report.policyExpressions["send-portal"]?.reasons["young-person-before-sixteen"] = [:]
        }
        do {
            _ = try DefinitionCatalog(report)
            Issue.record("a catalog was built without the \(part)")
        } catch {
            guard case .definitionError(let message) = error else {
                Issue.record("expected a definition error, got \(error)")
                return
            }
            #expect(message.contains("was not checked"), "\(message)")
        }
    }
}
