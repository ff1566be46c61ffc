import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkExpressions
import CaseworkStore
import CaseworkYAML
import Foundation

/// How a case's names move to a newer workflow version: states and field paths of the case's version, each to its
/// name in the target version. A name not mapped moves to itself, when the target has it.
public struct MigrationMapping: Sendable, Hashable {
    /// Old state → new state.
    public var states: [String: String]
    /// Old field path → new field path (dotted, as in `--set`).
    public var fields: [String: String]

    /// Creates a mapping; empty maps every name to itself.
    public init(states: [String: String] = [:], fields: [String: String] = [:]) {
        self.states = states
        self.fields = fields
    }

    /// Reads a map file: a YAML (or JSON) mapping with optional `states:` and `fields:`, each a mapping of old names to
    /// new names. Every problem is reported (`invalid_input`), each with its line and column in `file`.
    public static func parse(_ text: String, file: String) throws(EngineError) -> MigrationMapping {
        let loaded = YAMLLoader.load(Array(text.utf8), file: file)
        var problems = loaded.errors.map { InputProblem(field: "map", message: "\(Diagnostic($0).range): \(Diagnostic($0).message)") }
        var mapping = MigrationMapping()
        for pair in loaded.root?.mapping ?? [] {
            guard pair.key.name == "states" || pair.key.name == "fields" else {
                problems.append(InputProblem(field: "map", message: "\(pair.key.range): unknown key '\(pair.key.name)'; a map file has 'states' and 'fields'"))
                continue
            }
            guard let entries = pair.value.mapping else {
                problems.append(InputProblem(field: pair.key.name, message: "\(pair.value.range): needs a mapping of old names to new names"))
                continue
            }
            var names: [String: String] = [:]
            for entry in entries {
                guard let target = entry.value.scalar, !target.isNull else {
                    problems.append(InputProblem(field: "\(pair.key.name).\(entry.key.name)", message: "\(entry.value.range): needs the new name"))
                    continue
                }
                names[entry.key.name] = target.value
            }
            if pair.key.name == "states" { mapping.states = names } else { mapping.fields = names }
        }
        guard problems.isEmpty else { throw .invalidInput(problems) }
        return mapping
    }
}

/// One field whose value moves to another path in a migration.
public struct FieldMove: Sendable, Hashable {
    /// The path in the case's version.
    public var from: String
    /// The path in the target version.
    public var to: String

    /// Creates a move.
    public init(from: String, to: String) {
        self.from = from
        self.to = to
    }
}

/// What moving a case to a newer workflow version changes: carried out, or for a dry run only described.
public struct MigrationPlan: Sendable, Hashable {
    /// The case.
    public var caseID: String
    /// Its workflow.
    public var workflow: String
    /// The workflow version it runs on before.
    public var fromVersion: Int
    /// The workflow version it runs on after.
    public var toVersion: Int
    /// The definition snapshot it runs on before; nil for a record from before snapshots.
    public var fromSnapshot: String?
    /// The definition snapshot it runs on after: the current one.
    public var toSnapshot: String
    /// Its state before.
    public var fromState: String
    /// Its state after.
    public var toState: String
    /// The set fields whose path changes.
    public var movedFields: [FieldMove]
    /// True when the migration was committed; false for a dry run.
    public var applied: Bool
    /// The case's revision after (unchanged by a dry run).
    public var revision: Int
}

/// Moving a case to the current version of its workflow, and what each stored definition version is used by.
extension Engine {
    /// Moves a case to `version` of its workflow, which must be the current catalog's, with `mapping` for renamed
    /// states and fields, and pins it to the current definition snapshot.
    ///
    /// The operator only: moving a case changes every rule it runs under, which no access policy action describes.
    /// Refused with every problem listed (`invalid_input`), changing nothing, when the case's state or a set field has
    /// no target, a field's type differs, a mapped name does not exist, or a running deadline or an unfinished form
    /// would be left without its definition. A dry run returns the plan and changes nothing; a real one is one audited
    /// change (`migrated`, with both versions and both snapshot fingerprints) under the case's revision check.
    public func migrate(caseID: String, to version: Int, mapping: MigrationMapping = MigrationMapping(), as actor: CaseActor, dryRun: Bool = false) throws(EngineError) -> MigrationPlan {
        guard actor.isOperator else { throw .forbidden(reasons: ["only the operator moves a case to another version of its workflow"]) }
        let admitted = try admit(caseID, actor: actor, attributes: [:], action: "edit", resource: "case")
        let record = admitted.record
        let source = admitted.workflow.definition
        guard let loaded = catalog.workflows[record.workflow] else {
            throw .definitionError("workflow '\(record.workflow)' is not in the current definitions, so case '\(caseID)' cannot move")
        }
        // The case will run on the target from now on, so it is taken as the engine runs it: planned, never an outline.
        let planned = try loaded.planned()
        let target = planned.definition
        guard record.definitionSnapshot != catalog.snapshot.fingerprint else {
            throw .blocked(transition: "migrate", blockers: [TransitionBlocker(.nothingToChange, "case '\(caseID)' already runs on the current definitions")])
        }
        var problems: [InputProblem] = []
        if version != target.version || version < record.workflowVersion {
            problems.append(InputProblem(field: "to", message: version < record.workflowVersion
                ? "case '\(caseID)' runs on version \(record.workflowVersion); a case never moves back"
                : "the current version of workflow '\(target.id.value)' is \(target.version); a case moves only to it"))
        }
        let (state, stateProblems) = Self.migratedState(record.state, mapping: mapping, from: source, to: target)
        let (fields, moves, fieldProblems) = Self.migratedFields(record.fields, mapping: mapping, from: source, to: target)
        problems += stateProblems + fieldProblems + Self.orphans(record, target: target, forms: catalog.forms)
        guard problems.isEmpty else { throw .invalidInput(problems) }

        var next = record
        next.state = state
        next.fields = fields
        next.workflowVersion = target.version
        next.definitionSnapshot = dryRun ? catalog.snapshot.fingerprint : try pinnedSnapshot()
        var plan = MigrationPlan(caseID: caseID, workflow: record.workflow, fromVersion: record.workflowVersion, toVersion: target.version,
                                 fromSnapshot: record.definitionSnapshot, toSnapshot: catalog.snapshot.fingerprint, fromState: record.state,
                                 toState: state, movedFields: moves, applied: false, revision: record.revision)
        if dryRun { return plan }
        var input: [String: ExpressionValue] = [
            "from_version": .int(record.workflowVersion), "to_version": .int(target.version),
            "from_snapshot": .string(record.definitionSnapshot ?? "none"), "to_snapshot": .string(catalog.snapshot.fingerprint),
            "from_state": .string(record.state), "to_state": .string(state),
        ]
        if !moves.isEmpty { input["moved_fields"] = .list(moves.map { .string("\($0.from) -> \($0.to)") }) }
        let decided = DecidedChange(before: record, after: next, workflow: planned, calendars: catalog.calendars, action: "migrated",
                                    subject: "\(record.workflow) \(record.workflowVersion) -> \(target.version)", input: input)
        let result = try commit([decided], actor: actor, attributes: [:], request: nil, at: admitted.access.at)
        plan.applied = true
        plan.revision = result.record.revision
        return plan
    }

    /// The case's state in the target version, or the problem that it has none; and any mapped state that does not exist.
    private static func migratedState(
        _ state: String, mapping: MigrationMapping, from source: WorkflowDefinition, to target: WorkflowDefinition
    ) -> (String, [InputProblem]) {
        let sourceStates = Set(source.states.map(\.name.value))
        let targetStates = Set(target.states.map(\.name.value))
        var problems: [InputProblem] = []
        for (old, new) in mapping.states.sorted(by: { $0.key < $1.key }) {
            if !sourceStates.contains(old) { problems.append(InputProblem(field: "states.\(old)", message: "is not a state of version \(source.version)")) }
            if !targetStates.contains(new) { problems.append(InputProblem(field: "states.\(old)", message: "'\(new)' is not a state of version \(target.version)")) }
        }
        let moved = mapping.states[state] ?? state
        if mapping.states[state] == nil, !targetStates.contains(moved) {
            problems.append(InputProblem(field: "states.\(state)", message: "the case's state has no target in version \(target.version); map it under 'states:'"))
        }
        return (moved, problems)
    }

    /// The case's fields at their paths in the target version, the paths that change, and every field with no target or
    /// another type there; and any mapped path that does not exist.
    private static func migratedFields(
        _ fields: [String: ExpressionValue], mapping: MigrationMapping, from source: WorkflowDefinition, to target: WorkflowDefinition
    ) -> ([String: ExpressionValue], [FieldMove], [InputProblem]) {
        let sourceTypes = FieldValues.types(of: source.fields)
        let targetTypes = FieldValues.types(of: target.fields)
        var problems: [InputProblem] = []
        for (old, new) in mapping.fields.sorted(by: { $0.key < $1.key }) {
            if sourceTypes[old] == nil { problems.append(InputProblem(field: "fields.\(old)", message: "is not a field of version \(source.version)")) }
            if targetTypes[new] == nil { problems.append(InputProblem(field: "fields.\(old)", message: "'\(new)' is not a field of version \(target.version)")) }
        }
        var moved: [String: ExpressionValue] = [:]
        var moves: [FieldMove] = []
        var claimedBy: [String: String] = [:]
        for (path, value) in fields.sorted(by: { $0.key < $1.key }) {
            let newPath = mapping.fields[path] ?? path
            guard let newType = targetTypes[newPath] else {
                if mapping.fields[path] == nil {
                    problems.append(InputProblem(field: "fields.\(path)", message: "has no field in version \(target.version); map it under 'fields:'"))
                }
                continue
            }
            if let oldType = sourceTypes[path], oldType != newType, !Self.sameEnumeration(oldType, newType, holding: value) {
                problems.append(InputProblem(field: "fields.\(path)", message: "is \(oldType) in version \(source.version) but '\(newPath)' is \(newType) in version \(target.version)"))
            }
            if let other = claimedBy[newPath] {
                problems.append(InputProblem(field: "fields.\(path)", message: "moves to '\(newPath)', where '\(other)' moves too"))
            }
            claimedBy[newPath] = path
            moved[newPath] = value
            if newPath != path { moves.append(FieldMove(from: path, to: newPath)) }
        }
        return (moved, moves, problems)
    }

    /// Whether two `one_of` types accept the value the case holds, so a value list that changed still takes it.
    private static func sameEnumeration(_ old: FieldType, _ new: FieldType, holding value: ExpressionValue) -> Bool {
        guard case .oneOf = old, case .oneOf = new else { return false }
        return FieldValues.problem(with: value, for: new) == nil
    }

    /// The running or paused deadlines and unfinished forms of the case that the target set would leave without a definition.
    private static func orphans(_ record: CaseRecord, target: WorkflowDefinition, forms: [String: LoadedForm]) -> [InputProblem] {
        let deadlines = Set(target.deadlines.map(\.name.value))
        var problems = record.deadlines.filter { [.running, .paused].contains($0.status) && !deadlines.contains($0.name) }.map {
            InputProblem(field: "deadlines.\($0.name)", message: "is \($0.status.rawValue) but version \(target.version) has no deadline '\($0.name)'")
        }
        problems += record.forms.filter { $0.status != .accepted && forms[$0.form] == nil }.map {
            InputProblem(field: "forms.\($0.id)", message: "is \($0.status.rawValue) but form '\($0.form)' is not in the current definitions")
        }
        return problems
    }
}

/// How many open cases use one stored definition version.
public struct DefinitionVersionUsage: Sendable, Hashable {
    /// The version.
    public var version: DefinitionVersion
    /// Open cases (not in a final state) that use it: for a workflow, the cases on that version; for a form, calendar or
    /// policy, the cases whose workflow starts or names it in the set they run on.
    public var openCases: Int
}

/// How many open cases run on one stored snapshot.
public struct SnapshotUsage: Sendable, Hashable {
    /// The snapshot.
    public var snapshot: DefinitionSnapshot
    /// Open cases pinned to it.
    public var openCases: Int
    /// Whether it is the engine's current set.
    public var isCurrent: Bool
}

/// Which definition versions and snapshots the store holds and what the open cases run on.
public struct DefinitionUsage: Sendable, Hashable {
    /// Every stored definition version, sorted, with its open cases.
    public var versions: [DefinitionVersionUsage]
    /// Every stored snapshot, in the order first stored, with its open cases.
    public var snapshots: [SnapshotUsage]
    /// The current set's snapshot fingerprint (stored once a case is opened or migrated on it).
    public var current: String
    /// Open cases from before snapshots, which run on their workflow version with the current set.
    public var unpinnedOpenCases: Int
}

extension Engine {
    /// Every stored definition version and snapshot, with how many open cases (not in a final state) use each. The
    /// operator only: it reads every case.
    public func definitionUsage(as actor: CaseActor) throws(EngineError) -> DefinitionUsage {
        guard actor.isOperator else { throw .forbidden(reasons: ["only the operator may read what every case runs on"]) }
        var bySnapshot: [String: Int] = [:]
        var byVersion: [DefinitionVersion: Int] = [:]
        var unpinned = 0
        for id in try storeCall({ () throws(StoreError) in try store.caseIDs() }) {
            guard let record = try loadRecord(id) else { continue }
            let definitions = try definitions(for: record)
            guard let workflow = definitions.workflows[record.workflow]?.definition,
                workflow.states.first(where: { $0.name.value == record.state })?.isFinal != true
            else { continue }
            if let pinned = record.definitionSnapshot { bySnapshot[pinned, default: 0] += 1 } else { unpinned += 1 }
            for member in Self.used(by: workflow, in: definitions.snapshot) { byVersion[member, default: 0] += 1 }
        }
        let versions = try storeCall { () throws(StoreError) in try store.definitionVersions() }
        let snapshots = try storeCall { () throws(StoreError) in try store.snapshots() }
        return DefinitionUsage(
            versions: versions.map { DefinitionVersionUsage(version: $0, openCases: byVersion[$0] ?? 0) },
            snapshots: snapshots.map { SnapshotUsage(snapshot: $0, openCases: bySnapshot[$0.fingerprint] ?? 0, isCurrent: $0.fingerprint == catalog.snapshot.fingerprint) },
            current: catalog.snapshot.fingerprint, unpinnedOpenCases: unpinned
        )
    }

    /// The members of `snapshot` a case of `workflow` uses: the workflow, the forms it starts, the calendars it and its
    /// deadlines name, and its policy. A calendar reached only through another's `extends` is not counted.
    private static func used(by workflow: WorkflowDefinition, in snapshot: DefinitionSnapshot) -> [DefinitionVersion] {
        var names: [(kind: String, id: String)] = [("workflow", workflow.id.value)]
        names += workflow.transitions.flatMap(\.startForms).map { ("form", $0.form.value) }
        names += ([workflow.calendar] + workflow.deadlines.map(\.calendar)).compactMap { $0.map { ("calendar", $0.value) } }
        if let policy = workflow.policyName { names.append(("policy", policy)) }
        var seen = Set<DefinitionVersion>()
        return names.compactMap { snapshot.member(kind: $0.kind, id: $0.id) }.filter { seen.insert($0).inserted }
    }
}
