import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation
import Synchronization

/// One workflow version ready to run: its definition, compiled guards and content fingerprint.
///
/// Its definition (``WorkflowSource``) is decoded and what its expressions compile to (``WorkflowPlan``) is planned
/// when it is loaded, or, for a workflow of a set a definition cache knew to be clean, read with its checked expressions
/// from the entry and planned when it is first run (``DefinitionCatalog/load(paths:cache:)``): a command that runs one
/// workflow reads and plans that one, not every workflow of the set.
public struct LoadedWorkflow: Sendable {
    /// Its definition, decoded already or on first use: one reference shared by every copy.
    let source: WorkflowSource
    /// The definition.
    public var definition: WorkflowDefinition { source.definition }
    /// What the set's other definitions and requests need of the workflow (its identity, roles, fields, states, links,
    /// documents, policy and calendar), read without decoding the rest of a workflow decoded on first use.
    var outline: WorkflowDefinition { source.outline }
    /// Each declared field path's type, worked out once for checking input.
    public var fieldTypes: [String: FieldType] { plan.planned.fieldTypes }
    /// The names its expressions read: how the engine values them for a case.
    public var names: ExpressionNames<CaseExpressionInput> { plan.planned.names }
    /// Fills the slots its guards, `set:` values and deadline expressions are planned into (``context(for:calendar:)``).
    var reader: ExpressionNames<CaseExpressionInput>.SlotReader { plan.planned.reader }
    /// The identity of those slots, which its expressions and contexts share.
    var layout: WorkflowSlotLayout { plan.planned.layout }
    /// Compiled guards by transition name, evaluated against ``context(for:calendar:)``.
    public var guards: [String: WorkflowExpression] { plan.planned.guards }
    /// Compiled `set:` expressions by transition name, in file order, evaluated against ``context(for:calendar:)``.
    public var assignments: [String: [(field: String, value: WorkflowExpression)]] { plan.planned.assignments }
    /// Compiled deadline conditions (`when:`) by deadline name, evaluated against ``context(for:calendar:)``.
    public var deadlineConditions: [String: WorkflowExpression] { plan.planned.deadlineConditions }
    /// Compiled deadline due dates (`due_on:`) by deadline name, evaluated against ``context(for:calendar:)``.
    public var deadlineDueDates: [String: WorkflowExpression] { plan.planned.deadlineDueDates }
    /// Compiled `open:` field values by transition name and then link, in file order.
    var openings: [String: [String: [(field: String, value: WorkflowExpression)]]] { plan.planned.openings }
    /// Compiled `report:` input values by transition name, in file order.
    var reports: [String: [(field: String, value: WorkflowExpression)]] { plan.planned.reports }
    /// The content fingerprint.
    public let fingerprint: String
    /// The file's text, kept so the store can run cases on this version later. On a definition cache's hit it is read
    /// from the file when first asked for, and refused when the file no longer holds the bytes the catalog was loaded
    /// from (``DefinitionText``).
    public var content: String {
        get throws(EngineError) { try Self.content(of: text) }
    }
    /// The file's text, made when first read (``DefinitionText``).
    let text: DefinitionText
    /// What its expressions compile to, planned already or on first use: one reference shared by every copy.
    let plan: WorkflowPlan

    /// The text `text` holds, or the engine's error for one read from a file that changed since the catalog was loaded.
    static func content(of text: DefinitionText) throws(EngineError) -> String {
        do {
            return try text.text()
        } catch {
            throw .definitionError(error.description)
        }
    }
}

/// One form version ready to run.
public struct LoadedForm: Sendable {
    /// The definition.
    public let definition: FormDefinition
    /// The content fingerprint.
    public let fingerprint: String
    /// The file's text (read from the file when first asked for on a definition cache's hit, and refused when the
    /// file no longer holds the bytes the catalog was loaded from, as ``LoadedWorkflow/content``).
    public var content: String {
        get throws(EngineError) { try LoadedWorkflow.content(of: text) }
    }
    /// The file's text, made when first read (``DefinitionText``).
    let text: DefinitionText
}

/// One definition of a catalog as the store keeps it: its version and its text, made only when the store needs it
/// (a version the store lacks is recorded with its text; one it holds is only compared by fingerprint).
package struct CatalogMember: Sendable {
    /// The definition's kind, id, version and fingerprint.
    package let version: DefinitionVersion
    /// The file's text, made when first read.
    let text: DefinitionText

    /// What the store records of it, its text made now (refused when it is read from a file that no longer holds the
    /// bytes the catalog was loaded from: ``LoadedWorkflow/content``).
    package var stored: StoredDefinition {
        get throws(EngineError) {
            StoredDefinition(kind: version.kind, id: version.id, version: version.version, fingerprint: version.fingerprint,
                             content: try LoadedWorkflow.content(of: text))
        }
    }
}

/// The definitions an engine runs: the current version of each, checked and compiled, built only from a set with no errors.
public struct DefinitionCatalog: Sendable {
    /// The current workflows by id.
    public let workflows: [String: LoadedWorkflow]
    /// The current forms by id.
    public let forms: [String: LoadedForm]
    /// The calendars by id, each merged with the calendars it extends.
    public let calendars: [String: WorkingCalendar]
    /// The access policies by id, compiled.
    public let policies: [String: CompiledPolicy]
    /// The set's child definition, which types child records' identity fields and the `child.*` names of workflows that
    /// read the child record; nil when the set has none (child records then hold their fields as given).
    public let child: ChildDefinition?
    /// Every definition in the set (workflows, forms, calendars, policies and the child definition) as the store keeps
    /// it, so no content can change without a new version; each one's text made only when asked for.
    package let members: [CatalogMember]
    /// What the store keeps of every definition in the set, every text made now (``members`` makes only those asked
    /// for); refused when a text is read from a file that no longer holds the bytes the catalog was loaded from.
    package var stored: [StoredDefinition] {
        get throws(EngineError) {
            var stored: [StoredDefinition] = []
            for member in members { stored.append(try member.stored) }
            return stored
        }
    }
    /// The whole set as one pinned value: every definition's kind, id, version and fingerprint, and their fingerprint.
    /// A case opened on this catalog keeps this snapshot (``CaseRecord/definitionSnapshot``).
    public let snapshot: DefinitionSnapshot

    /// Builds a catalog from a validation report, refusing one with errors.
    public init(_ report: ValidationReport) throws(EngineError) {
        try self.init(report, whenAKeptRegionFails: {})
    }

    /// Builds a catalog from a validation report, refusing one with errors; for a report of a set known to be clean
    /// (``ValidationReport/workflowsUnchecked``), `failed` is called when a workflow's kept region, first used, does not
    /// read or plan (the workflow is refused: ``LoadedWorkflow/planned()``), so the entry it came from is discarded.
    package init(_ report: ValidationReport, whenAKeptRegionFails failed: @escaping @Sendable () -> Void) throws(EngineError) {
        guard !report.hasErrors else { throw .invalidDefinitions(report.diagnostics) }
        var workflows: [String: LoadedWorkflow] = [:]
        for workflow in report.definitions.workflows {
            let (fingerprint, text) = (report.fingerprints[workflow.file] ?? "", Self.text(of: workflow.file, in: report))
            if report.workflowsUnchecked {
                let source = WorkflowSource(outline: workflow, region: report.keptWorkflows[workflow.file], whenItFails: failed)
                workflows[workflow.id.value] = LoadedWorkflow(deferring: source, fingerprint: fingerprint, text: text, whenItFails: failed)
            } else {
                workflows[workflow.id.value] = try LoadedWorkflow(workflow, checked: report.workflowExpressions[workflow.id.value], fingerprint: fingerprint, text: text)
            }
        }
        var forms: [String: LoadedForm] = [:]
        for form in report.definitions.forms {
            forms[form.id.value] = LoadedForm(definition: form, fingerprint: report.fingerprints[form.file] ?? "", text: Self.text(of: form.file, in: report))
        }
        self.workflows = workflows
        self.forms = forms
        self.calendars = report.definitions.workingCalendars
        var policies: [String: CompiledPolicy] = [:]
        for policy in report.definitions.policies {
            policies[policy.id.value] = try CompiledPolicy(policy, checked: report.policyExpressions[policy.id.value], in: report.definitions)
        }
        self.policies = policies
        child = report.definitions.child
        func member(_ kind: String, _ id: Located<String>, _ version: Int, _ file: String) -> CatalogMember {
            CatalogMember(version: DefinitionVersion(kind: kind, id: id.value, version: version, fingerprint: report.fingerprints[file] ?? ""),
                          text: Self.text(of: file, in: report))
        }
        let otherDefinitions = report.definitions.calendars.map { member("calendar", $0.id, $0.version, $0.file) }
            + report.definitions.policies.map { member("policy", $0.id, $0.version, $0.file) }
            + report.definitions.children.map { member("child", $0.id, $0.version, $0.file) }
        members = workflows.values.map {
            CatalogMember(version: DefinitionVersion(kind: "workflow", id: $0.outline.id.value, version: $0.outline.version, fingerprint: $0.fingerprint), text: $0.text)
        } + forms.values.map {
            CatalogMember(version: DefinitionVersion(kind: "form", id: $0.definition.id.value, version: $0.definition.version, fingerprint: $0.fingerprint), text: $0.text)
        } + otherDefinitions
        snapshot = DefinitionSnapshot(members: members.map(\.version))
    }

    /// The text of `file` in `report`, shared with the report (made once, when first read); empty when it has none.
    private static func text(of file: String, in report: ValidationReport) -> DefinitionText {
        report.texts[file] ?? DefinitionText("")
    }

    /// Loads and checks the definition files under `paths`.
    public static func load(paths: [String]) throws(EngineError) -> DefinitionCatalog {
        let report: ValidationReport
        do {
            report = try Validator.validate(paths: paths, fingerprints: true)
        } catch {
            throw .unreadableDefinitions(error)
        }
        return try DefinitionCatalog(report)
    }

    /// Loads the definition files under `paths` as ``load(paths:)`` does, asking `cache` (nil: none) whether exactly
    /// these files, byte for byte, were validated cleanly by this build before. On a hit the kept set stands for the
    /// files' decoding (each workflow as its outline; no YAML is loaded) and only what the catalog is built from is redone
    /// (``Validator/validate(_:known:limits:)``), each workflow's whole definition and checked expressions read from the
    /// entry when it is first run (``LoadedWorkflow``); on a miss the files are validated in full and, when clean,
    /// remembered. Either way the catalog is the one a fresh load gives. A hit's workflow whose kept region does not
    /// read or plan when first used is refused, and the entry is discarded, so the next command validates the files in full.
    package static func load(paths: [String], cache: DefinitionCache?) throws(EngineError) -> DefinitionCatalog {
        guard let cache else { return try load(paths: paths) }
        // The files are hashed for the key without keeping their bytes (a hit reads a file again only for a text
        // asked for); a miss reads them again, to parse, and keys the entry by the bytes it parsed, so what an entry
        // holds is always what the validation made of the bytes its key names, even when a file changes between the
        // two reads.
        let digests: [Validator.FileDigest]
        do {
            digests = try Validator.digests(paths: paths)
        } catch {
            throw .unreadableDefinitions(error)
        }
        if let key = cache.key(for: digests), let known = cache.entry(for: key, files: digests.map(\.file)) {
            let report = Validator.validate(digests, known: known)
            if !report.hasErrors { return try DefinitionCatalog(report, whenAKeptRegionFails: { cache.discard(key) }) }
        }
        let files: [Validator.FileBytes]
        do {
            files = try Validator.read(paths: paths)
        } catch {
            throw .unreadableDefinitions(error)
        }
        let key = cache.key(for: files)
        let report = Validator.validate(files)
        let catalog = try DefinitionCatalog(report)
        if let key, let known = report.known { cache.store(known, files: report.files, for: key) }
        return catalog
    }

    /// Checks and compiles definitions given as text, each named by the file path diagnostics should show.
    public static func load(sources: [(file: String, text: String)]) throws(EngineError) -> DefinitionCatalog {
        try DefinitionCatalog(Validator.validate(sources: sources, fingerprints: true))
    }
}
