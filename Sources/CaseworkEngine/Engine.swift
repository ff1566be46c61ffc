import CaseworkDefinitions
import CaseworkDiagnostics
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation
import Synchronization

/// A request to fire a transition on a case.
public struct FireRequest: Sendable {
    /// The case.
    public var caseID: String
    /// The transition's name.
    public var transition: String
    /// Who is firing it.
    public var actor: CaseActor
    /// Field values the actor gives, by dotted path.
    public var input: [String: ExpressionValue]
    /// The revision the caller last saw; a change since then refuses the fire. `Optional` is spelled out here and
    /// below: a `T?` stored property starts as nil before the initialiser runs, and assigning it there made the
    /// initialiser copy the whole request and destroy the first (docs/performance.md, Benchmarks, session 25).
    public var expectedRevision: Optional<Int>
    /// A key that makes a retried request return the first result instead of firing twice.
    public var idempotencyKey: Optional<String>
    /// The actor's attributes for the workflow's access policy (`second_factor_verified`, `relationship`).
    public var attributes: [String: ExpressionValue]
    /// The day the step took effect, when it is recorded after the fact (a decision taken last Tuesday, recorded
    /// today): guards, `today` and every clock it starts or meets count from it. Nil means today. It may not be in
    /// the future or before the case was opened; the audit keeps it beside the time it was recorded.
    public var effectiveOn: Optional<CalendarDate>

    /// Creates a request.
    public init(
        caseID: String, transition: String, actor: CaseActor, input: [String: ExpressionValue] = [:], expectedRevision: Int? = nil,
        idempotencyKey: String? = nil, attributes: [String: ExpressionValue] = [:], effectiveOn: CalendarDate? = nil
    ) {
        self.caseID = caseID
        self.transition = transition
        self.actor = actor
        self.input = input
        self.expectedRevision = expectedRevision
        self.idempotencyKey = idempotencyKey
        self.attributes = attributes
        self.effectiveOn = effectiveOn
    }
}

/// What a change produced.
public struct ChangeResult: Sendable {
    /// The case after the change.
    public var record: CaseRecord
    /// True when an idempotency key matched an earlier change, so nothing was done now.
    public var replayed: Bool
    /// The notifications the change wrote (empty when replayed).
    public var notifications: [OutboxMessage]
}

/// One case in a list: enough to find it, as the listing actor may see it.
public struct CaseSummary: Sendable, Hashable {
    /// The case's id.
    public var id: String
    /// Its workflow.
    public var workflow: String
    /// Its state.
    public var state: String
    /// Its revision.
    public var revision: Int
    /// Why its record cannot be read, when it cannot (listed for the operator only; the other parts are then empty).
    public var damage: String? = nil
    /// The child record it belongs to, when it belongs to one: shown to whoever may see the case, as its
    /// ``CaseView/child`` is.
    public var child: String? = nil
}

/// A transition as seen by one actor now: whether it can fire, and if not, why not.
public struct TransitionAvailability: Sendable {
    /// The transition's name.
    public var name: String
    /// Its title.
    public var title: String
    /// Why it cannot fire now; empty when it can.
    public var blockers: [TransitionBlocker]
    /// The state the case is in after it fires: the state it names, or the case's state for a step that stays.
    public var to: String
    /// Whether it leaves the case in its state (`stays: true`).
    public var stays: Bool
}

/// The interpreter services embed: opens cases, fires transitions, runs form cycles, writes audit and outbox, through a ``CaseStore``.
///
/// Every change is computed from a loaded case, checked completely, then
/// committed once with a revision check; when anything refuses, nothing is
/// written. Time comes from the injected ``EngineClock``. The engine holds no
/// mutable case state of its own, so one instance serves many threads.
public final class Engine: Sendable {
    /// The current definitions.
    public let catalog: DefinitionCatalog
    /// Where cases live.
    public let store: any CaseStore
    private let clock: any EngineClock
    /// The working-day calendar for deadlines and expressions in workflows that name none.
    let defaultCalendar: any WorkingDayCalendar
    /// The definition sets of cases on other snapshots than the current one, loaded once each (``definitions(for:)``).
    package let definitionSets: SharedDefinitionSets
    /// What every actor of this engine's changes acted through (``through(_:)``), recorded in each audit event it
    /// writes for them; nil for an engine the actors reach directly (the command line, a program embedding it).
    public let via: Intermediary?

    /// Creates an engine and records every current definition version the store does not hold yet, so cases started on
    /// them can always be run again; with `recordingDefinitions: false` (an engine that only reads, on a read-only
    /// store) it only compares them with the versions the store holds, writing nothing.
    ///
    /// Either way it refuses (``StoreError/definitionChanged(kind:id:version:)``) when a definition's
    /// content changed but its `version` did not, before any change is made.
    public init(
        catalog: DefinitionCatalog, store: any CaseStore, clock: any EngineClock = SystemClock(), calendar: any WorkingDayCalendar = WeekdayCalendar(),
        recordingDefinitions: Bool = true
    ) throws(EngineError) {
        self.catalog = catalog
        self.store = store
        self.clock = clock
        self.defaultCalendar = calendar
        self.definitionSets = SharedDefinitionSets()
        self.via = nil
        var lacking: [CatalogMember] = []
        do throws(StoreError) {
            // Every stored version's fingerprint in one read (no texts): a definition already stored is compared, and only
            // one the store lacks is recorded (each record is a write transaction, which a version already there does
            // not need; `record` checks again under the write lock, so one stored meanwhile by another process is compared there).
            // Only a version the store lacks has its text made (``CatalogMember``): comparing needs the fingerprint alone.
            // A text read from a file that changed since the catalog was loaded is refused (``CatalogMember/stored``).
            // Every text is made before any is recorded, so a refused one records none.
            // Looked up by binary search in the versions sorted here (whatever order a store's collation gave them), not
            // in a table keyed by version: the first such table of a process makes the runtime instantiate its storage
            // type and look up the key's `Hashable` conformance, which cost a warm `case show` more than reading the rows.
            let stored = try store.definitionVersions().sorted()
            for member in catalog.members.sorted(by: { ($0.version.kind, $0.version.id) < ($1.version.kind, $1.version.id) }) {
                let definition = member.version
                if let fingerprint = Self.fingerprint(of: definition, in: stored) {
                    guard fingerprint == definition.fingerprint else {
                        throw .definitionChanged(kind: definition.kind, id: definition.id, version: definition.version)
                    }
                } else if recordingDefinitions {
                    lacking.append(member)
                }
            }
        } catch {
            throw .store(error)
        }
        var texts: [StoredDefinition] = []
        for member in lacking { texts.append(try member.stored) }
        do throws(StoreError) {
            for text in texts { try store.record(text) }
        } catch {
            throw .store(error)
        }
    }

    /// The fingerprint `stored` (sorted) holds for the kind, id and version of `definition`, or nil when it holds none.
    static func fingerprint(of definition: DefinitionVersion, in stored: [DefinitionVersion]) -> String? {
        var low = 0
        var high = stored.count
        while low < high {
            let middle = (low + high) / 2
            let candidate = stored[middle]
            if (candidate.kind, candidate.id, candidate.version) < (definition.kind, definition.id, definition.version) {
                low = middle + 1
            } else {
                high = middle
            }
        }
        guard low < stored.count else { return nil }
        let found = stored[low]
        return (found.kind, found.id, found.version) == (definition.kind, definition.id, definition.version) ? found.fingerprint : nil
    }

    /// An engine that touches no store when made, for a ``CaseService``, which records the current definitions in its
    /// driver itself and makes one engine per command from this one.
    package init(
        serving catalog: DefinitionCatalog, store: any CaseStore, clock: any EngineClock, calendar: any WorkingDayCalendar,
        definitionSets: SharedDefinitionSets, via: Intermediary? = nil
    ) {
        self.catalog = catalog
        self.store = store
        self.clock = clock
        self.defaultCalendar = calendar
        self.definitionSets = definitionSets
        self.via = via
    }

    /// An engine that decides one command of a ``CaseService`` against `store` (what the service read for it) at one
    /// instant, sharing the definition sets `template` has loaded, its actors acting through `via`.
    package convenience init(deciding template: Engine, on store: any CaseStore, at instant: Date, via: Intermediary?) {
        self.init(serving: template.catalog, store: store, clock: FixedClock(instant: instant), calendar: template.defaultCalendar,
                  definitionSets: template.definitionSets, via: via)
    }

    /// This engine (the same definitions, store, clock and calendar) for actors who reach it through `via`: a service
    /// that calls for the people it signed in, or the identity provider that signed a person's token. Every audit event
    /// it writes for them records `via`; who they are, and so what they may do, is unchanged.
    public func through(_ via: Intermediary?) -> Engine {
        Engine(serving: catalog, store: store, clock: clock, calendar: defaultCalendar, definitionSets: definitionSets, via: via)
    }

    // MARK: Reading

    /// The case as stored, for the engine's own steps only: every caller-facing read goes through ``admit``.
    func loadRecord(_ id: String) throws(EngineError) -> CaseRecord? {
        try storeCall { () throws(StoreError) in try store.load(caseID: id) }
    }

    /// The whole case as `actor` may see it: fields they may not see are left out, and grants and
    /// participants (who else is involved) only for those who may change access; its linked cases only those the
    /// actor may see (``visibleLinks(of:to:attributes:)``). Needs `view` on `case`.
    public func caseRecord(_ id: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> CaseRecord {
        let access = try admit(id, actor: actor, attributes: attributes, action: "view", resource: "case").access
        var shown = access.visibleRecord(editsCase: access.editsCase)
        shown.links = visibleLinks(of: shown, to: actor, attributes: attributes)
        return shown
    }

    /// The cases `actor` may see (`view` on `case.state`), sorted by id, each with its workflow, state, revision and
    /// child record.
    public func cases(visibleTo actor: CaseActor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> [CaseSummary] {
        guard actor.problems.isEmpty else { throw .invalidInput(actor.problems) }
        var summaries: [CaseSummary] = []
        for id in try storeCall({ () throws(StoreError) in try store.caseIDs() }) {
            do {
                let admitted = try admit(id, actor: actor, attributes: attributes, action: "view", resource: "case.state")
                summaries.append(CaseSummary(id: id, workflow: admitted.record.workflow, state: admitted.record.state, revision: admitted.record.revision,
                                             child: admitted.record.child))
            } catch .store(.corruptRecord(_, let detail)) where actor.isOperator {
                // A record that cannot be read is that case's finding, shown to the operator; the others still list.
                summaries.append(CaseSummary(id: id, workflow: "", state: "", revision: 0, damage: detail))
            } catch {
                continue
            }
        }
        return summaries
    }

    /// The notifications of one case as `actor` may see them: every message for those who may `edit` the case,
    /// otherwise only the messages addressed to the actor. Needs `view` on `case.state`.
    public func outbox(caseID: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> [OutboxMessage] {
        let admitted = try admit(caseID, actor: actor, attributes: attributes, action: "view", resource: "case.state")
        return admitted.access.visibleMessages(try storeCall { () throws(StoreError) in try store.outbox(caseID: caseID) }, editsCase: admitted.access.editsCase)
    }

    /// Every notification in the store, for the operator and the deliverers it runs.
    public func outbox(as actor: CaseActor) throws(EngineError) -> [OutboxMessage] {
        guard actor.isOperator else { throw .forbidden(reasons: ["only the operator may list every case's notifications; name a case"]) }
        return try storeCall { () throws(StoreError) in try store.outbox(caseID: nil) }
    }

    /// The case's audit history, oldest first, with each event's input and recorded change cut to the fields `actor` may
    /// see (a view: an event cut this way no longer matches its hash; `verifyAudit` reads the events whole).
    ///
    /// Needs `view` on `case` and `grant` on `case`: events name everyone involved in the case and every access
    /// decision, which only those who decide access may know (an estranged parent must not learn the other parent's
    /// id). Everyone else follows the case through ``timeline(caseID:as:attributes:)``.
    public func history(_ id: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> [AuditEvent] {
        let admitted = try admit(id, actor: actor, attributes: attributes, action: "view", resource: "case")
        guard admitted.access.allows("grant", on: "case") else {
            throw .forbidden(reasons: ["the case's history names everyone involved in it; follow the case with its timeline"])
        }
        let events = try storeCall { () throws(StoreError) in try store.history(caseID: id) }
        let visibility = admitted.access.fieldVisibility
        guard !actor.isOperator else { return events }
        return events.map { event in
            var shown = event
            if event.action == "fired" || event.action == "opened" { shown.input = visibility.filter(event.input) }
            shown.change?.setFields = visibility.filter(event.change?.setFields ?? [:])
            shown.change?.clearedFields = (event.change?.clearedFields ?? []).filter(visibility.shows)
            return shown
        }
    }

    /// Walks the case's audit chain, replays it and compares what it rebuilds with the stored record, reading both in
    /// one consistent snapshot (so a concurrent writer never causes a false report). Needs `view` on `case`; the
    /// operator is also told of a case whose record is gone but whose events remain.
    public func verifyAudit(_ id: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> AuditVerification {
        if !actor.isOperator { _ = try admit(id, actor: actor, attributes: attributes, action: "view", resource: "case") }
        let snapshot = try storeCall { () throws(StoreError) in try store.snapshot(caseID: id) }
        if snapshot.record == nil, snapshot.events.isEmpty { throw .caseNotFound(id) }
        return AuditVerification.verify(snapshot.events, record: snapshot.record)
    }

    /// How many of the case's audit events came through each service or identity provider (``AuditEvent/via``), so an
    /// audit check can say what the chain it verified covers; events of steps taken directly are not counted. Needs
    /// `view` on `case`, as ``verifyAudit(_:as:attributes:)`` does.
    public func auditIntermediaries(_ id: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> [Intermediary: Int] {
        if !actor.isOperator { _ = try admit(id, actor: actor, attributes: attributes, action: "view", resource: "case") }
        let events = try storeCall { () throws(StoreError) in try store.history(caseID: id) }
        return events.reduce(into: [:]) { counts, event in
            if let via = event.via { counts[via, default: 0] += 1 }
        }
    }

    /// Every case the store knows of, by record or by audit events, for the operator: how a removed record is noticed.
    public func auditedCaseIDs(as actor: CaseActor) throws(EngineError) -> [String] {
        guard actor.isOperator else { throw .forbidden(reasons: ["only the operator may verify every case at once"]) }
        let withRecords = try storeCall { () throws(StoreError) in try store.caseIDs() }
        let withEvents = try storeCall { () throws(StoreError) in try store.auditedCaseIDs() }
        return Array(Set(withRecords).union(withEvents)).sorted()
    }

    /// Every case id in the store, for the operator.
    public func caseIDs(as actor: CaseActor) throws(EngineError) -> [String] {
        guard actor.isOperator else { throw .forbidden(reasons: ["only the operator may list every case; list the cases you may see instead"]) }
        return try storeCall { () throws(StoreError) in try store.caseIDs() }
    }

    /// The definition of the workflow version a case runs on, for a caller about to fire one of its transitions
    /// (to read its input's types). Needs `submit` on `case`.
    public func workflowDefinition(ofCase caseID: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> WorkflowDefinition {
        try admit(caseID, actor: actor, attributes: attributes, action: "submit", resource: "case").workflow.definition
    }

    /// The workflow version a case runs on, as the engine runs it (its definition and plan, taken once for the
    /// command: ``LoadedWorkflow/planned()``), from the whole definition set it runs on (``definitions(for:)``).
    func workflow(for record: CaseRecord) throws(EngineError) -> PlannedWorkflow {
        try workflow(for: record, in: try definitions(for: record))
    }

    /// The workflow version `record` runs on, from `definitions`, the set it runs on that the caller has just looked up.
    /// The set is lent, not copied: each part of it would be retained and released.
    func workflow(for record: CaseRecord, in definitions: borrowing DefinitionCatalog) throws(EngineError) -> PlannedWorkflow {
        // The version is the outline's: what the set knows of the workflow without decoding the rest of it.
        guard let loaded = definitions.workflows[record.workflow], loaded.outline.version == record.workflowVersion else {
            throw .definitionError("case '\(record.id)' runs on workflow '\(record.workflow)' version \(record.workflowVersion), which its definitions do not hold")
        }
        return try loaded.planned()
    }

    /// Every transition of the case's workflow, with what blocks each for `actor` now. Needs `view` on `case.state`.
    public func availableTransitions(caseID: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> [TransitionAvailability] {
        let admitted = try admit(caseID, actor: actor, attributes: attributes, action: "view", resource: "case.state")
        let now = admitted.access.at
        let linked = linkedSnapshot()
        return admitted.workflow.transitions.map { planned in
            TransitionAvailability(name: planned.definition.name.value, title: planned.definition.title,
                                   blockers: blockers(planned, admitted: admitted, input: [:], proposed: admitted.record, linked: linked,
                                                      today: CalendarDate(now), now: now),
                                   to: planned.definition.to.state(after: admitted.record.state), stays: planned.definition.to.named == nil)
        }
    }

    // MARK: Opening

    /// Opens a case of `workflow` in its initial state, with initial field values.
    ///
    /// The actor must hold one of the workflow's roles and, under a policy, be allowed `open` on `case`
    /// (decided on the case as it would be, with no grants). Opening with the id of an existing case is a
    /// conflict for those who may see that case, and the same refusal as any other otherwise. A case opened for a
    /// `child` belongs to that child record for good; the actor must also be allowed `open` on `child`
    /// (``admitOpening(forChild:proposed:accessGuard:actor:attributes:at:)``).
    public func open(
        workflow id: String, as actor: CaseActor, caseID: String? = nil, fields: [String: ExpressionValue] = [:],
        participants: CaseParticipants = [:], idempotencyKey: String? = nil, attributes: [String: ExpressionValue] = [:], child: String? = nil
    ) throws(EngineError) -> ChangeResult {
        guard actor.problems.isEmpty else { throw .invalidInput(actor.problems) }
        guard catalog.workflows[id] != nil else {
            throw .unknownWorkflow(id, suggestion: NameSuggester.suggest(id, from: catalog.workflows.keys.sorted()))
        }
        let caseID = caseID ?? UUID().uuidString.lowercased()
        guard Identifier.isUsable(caseID) else { throw .invalidCaseID(caseID) }
        let now = Self.millisecondPrecision(clockNow())
        var details = Dictionary(uniqueKeysWithValues: participants.byRole.map { ("participants.\($0.key)", $0.value.joined(separator: ",")) })
        if let child { details["child"] = child }
        let request = IdempotentRequest(key: idempotencyKey, operation: "open \(id) as \(caseID)", caseID: caseID, actor: actor, input: fields,
                                        details: details)
        let opening = try decideOpening(workflow: id, as: actor, caseID: caseID, fields: fields, participants: participants, attributes: attributes, child: child,
                                        at: now) { () throws(EngineError) in
            if let replay = try replay(request, actor: actor, attributes: attributes) { return replay }
            if try loadRecord(caseID) != nil {
                _ = try admit(caseID, actor: actor, attributes: attributes, action: "view", resource: "case.state")
                throw .store(.caseExists(caseID))
            }
            return nil
        }
        switch opening {
        case .replayed(let result): return result
        case .decided(let change): return try commit([change], actor: actor, attributes: attributes, request: request, at: now)
        }
    }

    /// What deciding an opening came to: the earlier result of the same request, or the case's opening change.
    enum Opening {
        /// The request was made before; this is its result.
        case replayed(ChangeResult)
        /// The opening, checked completely and not yet committed.
        case decided(DecidedChange)
    }

    /// The opening of a case of workflow `id` as `caseID` by `actor`, checked completely (the actor's role and the
    /// door's `open`, the child's, the fields and participants) and not yet committed: the one path `open` and a
    /// transition's `open:` share. `before`, run once the actor was let through the door and before the input is
    /// checked, returns an earlier result of the same request, or nil to go on.
    ///
    /// `childFromLink` says the child is not the actor's choice but the one the fired case already belongs to (a
    /// transition's `open:`): the actor, let through that case's door, is then not asked for `open` on the child, which
    /// guards attaching a case to a child someone names, not a linked case following its case to the same child.
    func decideOpening(
        workflow id: String, as actor: CaseActor, caseID: String, fields: [String: ExpressionValue], participants: CaseParticipants,
        attributes: [String: ExpressionValue], child: String?, childFromLink: Bool = false, at now: Date,
        before: () throws(EngineError) -> ChangeResult? = { nil }
    ) throws(EngineError) -> Opening {
        guard let loaded = catalog.workflows[id] else {
            throw .unknownWorkflow(id, suggestion: NameSuggester.suggest(id, from: catalog.workflows.keys.sorted()))
        }
        let workflow = try loaded.planned()
        let definition = workflow.definition
        guard let initial = definition.states.first(where: \.isInitial) else { throw .invalidDefinitions([]) }
        let accessGuard = try accessGuard(for: workflow, in: catalog)
        let proposed = CaseRecord(id: caseID, workflow: id, workflowVersion: definition.version, state: initial.name.value, revision: 1,
                                  fields: fields, participants: participants, forms: [], openedAt: now, updatedAt: now, auditHead: AuditEvent.genesisHash,
                                  definitionSnapshot: catalog.snapshot.fingerprint, child: child)
        if !actor.isOperator {
            guard definition.roles.contains(where: { $0.value == actor.role }) else {
                throw .forbidden(reasons: ["'\(actor.role)' is not a role of workflow '\(id)'"])
            }
            let access = CaseAccess(record: proposed, accessGuard: accessGuard, actor: actor, attributes: attributes, at: now)
            if let decision = access.decision("open", on: "case"), !decision.allowed { throw .forbidden(reasons: decision.reasons) }
        }
        if let child, !childFromLink { try admitOpening(forChild: child, proposed: proposed, accessGuard: accessGuard, actor: actor, attributes: attributes, at: now) }
        if let earlier = try before() { return .replayed(earlier) }
        var problems = definition.openingInput.map { Self.inputProblems(fields, types: workflow.fieldTypes, declared: $0, step: "opening workflow '\(id)'") }
            ?? FieldValues.check(fields, types: workflow.fieldTypes)
        for field in definition.openingInput ?? [] where field.isRequired && fields[field.field.value] == nil {
            problems.append(InputProblem(field: field.field.value, message: "must be given to open a case of workflow '\(id)'"))
        }
        let roles = Set(definition.roles.map(\.value))
        var named: Set<String> = []
        for (role, participant) in participants.entries {
            if !roles.contains(role) { problems.append(InputProblem(field: "participants.\(role)", message: "not a role of workflow '\(id)'")) }
            if let principal = Principal.parsed(participant) {
                if !named.insert("\(role) \(principal)").inserted {
                    problems.append(InputProblem(field: "participants.\(role)", message: "'\(participant)' is named twice in this role"))
                }
            } else {
                problems.append(InputProblem(field: "participants.\(role)", message: "'\(participant)' is not a person's id or 'organisation:ID'"))
            }
        }
        guard problems.isEmpty else { throw .invalidInput(problems) }
        // Only a case that will be opened pins the current set, so a refused request writes nothing at all.
        var record = proposed
        record.definitionSnapshot = try pinnedSnapshot()
        try advanceDeadlines(&record, previous: nil, fired: nil, workflow: workflow, calendars: catalog.calendars, actor: actor, linked: linkedSnapshot(),
                             today: CalendarDate(now), now: now)
        return .decided(DecidedChange(before: nil, after: record, workflow: workflow, calendars: catalog.calendars, action: "opened", subject: id, input: fields))
    }

    // MARK: Firing

    /// Fires a transition: through the door (`submit` on `case`), then resolve, check input against
    /// the transition's declared `input:`, state, role and guard, apply effects, audit, render
    /// notifications, commit once. Any refusal leaves everything as it was.
    public func fire(_ request: FireRequest) throws(EngineError) -> ChangeResult {
        let admitted = try admit(request.caseID, actor: request.actor, attributes: request.attributes, action: "submit", resource: "case")
        let idempotent = IdempotentRequest(key: request.idempotencyKey, operation: "fire \(request.transition) on \(request.caseID)",
                                           caseID: request.caseID, actor: request.actor, input: request.input,
                                           details: request.expectedRevision.map { ["expected_revision": String($0)] } ?? [:])
        if let replay = try replay(idempotent, actor: request.actor, attributes: request.attributes) { return replay }
        // Read in place: a copy of the whole record for two of its values would cost a count for each of its parts.
        if let expected = request.expectedRevision, expected != admitted.access.record.revision {
            throw .revisionMismatch(caseID: request.caseID, expected: expected, actual: admitted.access.record.revision)
        }
        let changes = try decideFiring(request.transition, on: admitted, input: request.input, effectiveOn: request.effectiveOn, attributes: request.attributes)
        return try commit(changes, actor: request.actor, attributes: request.attributes, request: idempotent, at: admitted.access.at,
                          basis: admitted.access.basis)
    }

    /// The changes firing `name` on the admitted case with `input` makes, checked completely and not yet committed: the
    /// fired case's own, a `grant:`'s on the case it names, each case `open:` opens, and the `report:` to the case that
    /// opened this one; one step, all or nothing. The one path a person's fire and a linked case's report share.
    func decideFiring(
        _ name: String, on admitted: AdmittedCase, input: [String: ExpressionValue], effectiveOn: CalendarDate?, attributes: [String: ExpressionValue]
    ) throws(EngineError) -> [DecidedChange] {
        // The case as stored is read below where the admission keeps it (`admitted.access.record`): a local copy would retain and
        // release every part of it.
        let actor = admitted.access.actor
        // The definition is read in place through the command's one reference: a local copy of it would retain and
        // release every part of it (see docs/performance.md, Benchmarks, `engine`).
        let workflow = admitted.workflow
        // The transition is one reference to its plan, and its definition is read in place there: a copy of the
        // definition would retain and release every part of it.
        guard let planned = workflow.transition(named: name) else {
            throw .unknownTransition(name, workflow: workflow.definition.id.value,
                                     suggestion: NameSuggester.suggest(name, from: workflow.definition.transitions.map(\.name.value)))
        }
        let problems = Self.inputProblems(input, types: workflow.fieldTypes, declared: planned.definition.input, step: "transition '\(planned.definition.name.value)'")
        guard problems.isEmpty else { throw .invalidInput(problems) }
        let now = admitted.access.at
        let today = try Self.effectiveDay(effectiveOn, recordedAt: now, openedAt: admitted.access.record.openedAt)
        var next = admitted.access.record
        // Each value is set in place: `merge` goes through a generic sequence of its pairs to do the same.
        for (path, value) in input { next.fields[path] = value }
        let linked = linkedSnapshot()
        let blockers = blockers(planned, admitted: admitted, input: input, proposed: next, linked: linked, today: today, now: now)
        guard blockers.isEmpty else { throw .blocked(transition: planned.definition.name.value, blockers: blockers) }

        let assigned = try assignedValues(planned, workflow: workflow, calendars: admitted.definitions.calendars, record: next, actor: actor,
                                          linked: linked, today: today, now: now)
        for (path, value) in assigned { next.fields[path] = value }
        // Given all its declared input (each value checked above to be declared input), the step sets exactly the
        // paths its plan lists; otherwise those it was given and those it set.
        let fieldsTouched = input.count == planned.inputPaths ? planned.fieldsTouched : Array(input.keys) + assigned.keys.filter { input[$0] == nil }
        // A step that stays (`stays: true`) leaves the state as it was: its clocks neither restart nor stop.
        next.state = planned.definition.to.state(after: admitted.access.record.state)
        for start in planned.definition.startForms {
            guard let form = admitted.definitions.forms[start.form.value] else { continue }
            // One instance for each participant of the role (two professionals asked for advice get one each), or one
            // for the role when the case names no one yet.
            for role in start.recipients {
                let named = admitted.access.record.participants[role.value]
                for participant in named.isEmpty ? [nil] : named.map(Optional.some) {
                    let number = next.forms.filter { $0.form == form.definition.id.value }.count + 1
                    let formCalendar = workflow.definition.calendar.flatMap { admitted.definitions.calendars[$0.value] } ?? defaultCalendar
                    let due: CalendarDate
                    do {
                        due = try formCalendar.due(from: today, after: form.definition.due.value)
                    } catch {
                        throw .definitionError("form '\(form.definition.id.value)' cannot be counted from \(today): \(error)")
                    }
                    next.forms.append(FormInstance(
                        id: "\(form.definition.id.value)-\(number)", form: form.definition.id.value, formVersion: form.definition.version,
                        recipientRole: role.value, recipientID: participant, status: .shared, fields: [:],
                        dueOn: due, submissions: 0, informationRequired: nil
                    ))
                }
            }
        }
        try advanceDeadlines(&next, previous: admitted.access.record, fired: planned.definition.name.value, workflow: workflow, calendars: admitted.definitions.calendars,
                             actor: actor, linked: linked, today: today, now: now)
        // Asked only of a transition that opens cases: passing its definition copies it whole.
        let opened = planned.definition.open.isEmpty ? [] : try openings(
            planned.definition, from: &next, workflow: workflow, calendars: admitted.definitions.calendars, actor: actor, attributes: attributes,
            linked: linked, today: today, now: now)
        let accessGuard = admitted.access.accessGuard
        var messages = try notifications(for: planned, workflow: workflow, calendars: admitted.definitions.calendars, guardedBy: accessGuard, record: next,
                                         actor: actor, linked: linked, today: today, now: now)
        // Only a step that started forms has their notices to add after its own: asking for none still built two arrays.
        if next.forms.count > admitted.access.record.forms.count {
            messages += formNotices(new: Array(next.forms.dropFirst(admitted.access.record.forms.count)), record: next, workflow: workflow,
                                    forms: admitted.definitions.forms, guardedBy: accessGuard)
        }
        // The steps below read the case after the step from its change, so the change is where `next` is last used.
        var changes = [DecidedChange(before: admitted.access.record, after: next, workflow: workflow, calendars: admitted.definitions.calendars,
                                     action: "fired", subject: planned.definition.name.value, input: input, messages: messages, effectiveOn: effectiveOn,
                                     fieldsTouched: fieldsTouched)]
        if let grant = planned.definition.grant {
            changes.append(try grantChange(grant, transition: planned.definition.name.value, request: changes[0].after, actor: actor, attributes: attributes))
        }
        changes += opened
        if let report = planned.definition.report {
            changes += try reportChanges(report, transition: planned.definition.name.value, from: changes[0].after, workflow: workflow,
                                         calendars: admitted.definitions.calendars, actor: actor, linked: linked, today: today, now: now)
        }
        return changes
    }

    /// The day a step takes effect: `effectiveOn` when the step is recorded after the fact, otherwise the day it is
    /// recorded. A day after the recording (the future) or before the case was opened is refused.
    static func effectiveDay(_ effectiveOn: CalendarDate?, recordedAt now: Date, openedAt: Date) throws(EngineError) -> CalendarDate {
        let today = CalendarDate(now)
        guard let effectiveOn else { return today }
        if effectiveOn > today {
            throw .invalidInput([InputProblem(field: "effective_on", message: "\(effectiveOn) is in the future: a step is recorded on or after the day it happened")])
        }
        let opened = CalendarDate(openedAt)
        if effectiveOn < opened {
            throw .invalidInput([InputProblem(field: "effective_on", message: "\(effectiveOn) is before the case was opened on \(opened)")])
        }
        return effectiveOn
    }

    /// The problems of values given to a step that declares `declared` as its input: a field the workflow does not have
    /// (with did-you-mean), a field the step does not take, or a value of the wrong type. Every problem is listed.
    /// `step` is worded only when there is a problem to word: a fire that has none builds no text.
    static func inputProblems(
        _ input: [String: ExpressionValue], types: [String: FieldType], declared: [InputField], step: @autoclosure () -> String
    ) -> [InputProblem] {
        var problems: [InputProblem] = []
        // Each path's type is looked up once: the problem ``FieldValues/check(_:at:types:)`` would find, from that type.
        func check(_ path: String, _ value: ExpressionValue) {
            guard let type = types[path] else {
                problems.append(FieldValues.undeclared(path, types: types))
                return
            }
            if !declared.contains(where: { $0.field.value == path }) {
                let takes = declared.isEmpty ? "it takes no input" : "it takes \(declared.map(\.field.value).joined(separator: ", "))"
                problems.append(InputProblem(field: path, message: "is not an input of \(step()) (\(takes))"))
            } else if let message = FieldValues.problem(with: value, for: type) {
                problems.append(InputProblem(field: path, message: message))
            }
        }
        // One value (a fire's usual input) is checked where it lies; several in order of path, so problems read the same
        // every time.
        if input.count < 2 {
            for (path, value) in input { check(path, value) }
        } else {
            for (path, value) in input.sorted(by: { $0.key < $1.key }) { check(path, value) }
        }
        return problems
    }

    /// The change a `grant:` effect makes to the case it names: the grant recorded and audited there,
    /// authorised by that case's own access policy. Committed with the firing change, all or nothing.
    private func grantChange(
        _ effect: GrantEffect, transition: String, request: CaseRecord, actor: CaseActor, attributes: [String: ExpressionValue]
    ) throws(EngineError) -> DecidedChange {
        func blocked(_ message: String) -> EngineError {
            .blocked(transition: transition, blockers: [TransitionBlocker(.valueUndecided, "cannot grant access: \(message)")])
        }
        func text(_ field: Located<String>) throws(EngineError) -> String {
            guard case .string(let value)? = request.fields[field.value], !value.isEmpty else { throw blocked("'\(field.value)' is not set") }
            return value
        }
        let targetID = try text(effect.caseField)
        guard let grantee = Principal.parsed(try text(effect.toField)) else { throw blocked("'\(effect.toField.value)' is not a person's id or 'organisation:ID'") }
        let level = try text(effect.levelField)
        let admitted = try admit(targetID, actor: actor, attributes: attributes, action: "grant", resource: "case")
        let target = admitted.record
        guard case .policy(let policy) = admitted.access.accessGuard else {
            throw .definitionError("workflow '\(admitted.workflow.definition.id.value)' of case '\(targetID)' has no access policy, so access to it cannot be granted")
        }
        guard policy.definition.levels.contains(where: { $0.value == level }) else { throw blocked("'\(level)' is not a level of policy '\(policy.definition.id.value)'") }
        var next = target
        let reason = "access request \(request.id)"
        next.grants.removeAll { $0.to == grantee }
        next.grants.append(AccessGrant(to: grantee, level: level, grantedBy: actor.description, reason: reason))
        return DecidedChange(before: target, after: next, workflow: admitted.workflow, calendars: admitted.definitions.calendars, action: "access_granted", subject: grantee.description,
                             input: ["to": .string(grantee.description), "level": .string(level), "reason": .string(reason)])
    }

    /// Everything that stops `transition` for `actor` on `record` with `input`: the one path that
    /// "can it fire", "why not" and "fire" share. `proposed` is the case with `input` applied, which the guard sees;
    /// `input` holds only the transition's declared input (a fire checks it first: ``inputProblems(_:types:declared:step:)``).
    private func blockers(
        _ planned: PlannedTransition, admitted: AdmittedCase, input: [String: ExpressionValue], proposed: CaseRecord, linked: LinkedCaseSnapshot,
        today: CalendarDate, now: Date
    ) -> [TransitionBlocker] {
        let state = admitted.access.record.state
        let actor = admitted.access.actor
        // The engine's own actor fires only what names it, and answers to no policy: the person whose step reported was let through their own door.
        let isEngine = actor == CaseActor.linkEngine
        var blockers: [TransitionBlocker] = []
        if !planned.definition.from.contains(where: { $0.value == state }) {
            let from = planned.definition.from.map { "'\($0.value)'" }.joined(separator: " or ")
            blockers.append(TransitionBlocker(.wrongState, admitted.access.allows("view", on: "case.state")
                ? "case is in '\(state)', not \(from)" : "this cannot be done at the case's present stage"))
        }
        if !actor.isOperator, !planned.definition.by.contains(where: { isEngine ? $0.value == LinkDefinition.engineActor : $0.value == actor.role }) {
            let roles = planned.definition.by.map(\.value).joined(separator: " or ")
            blockers.append(TransitionBlocker(.roleNotAllowed, "only \(roles) may do this"))
        }
        if blockers.isEmpty, !isEngine, !admitted.access.allows("submit", on: "case"), let decision = admitted.access.decision("submit", on: "case") {
            blockers.append(TransitionBlocker(.policyDenied, decision.reasons.joined(separator: "; ")))
        }
        // Given as many values as its declared input has paths (each value checked first to be declared input, by a fire),
        // the step was given every one of them, so no required one is missing: nothing to look up.
        if input.count != planned.inputPaths {
            for field in planned.definition.input where field.isRequired && input[field.field.value] == nil && blockers.isEmpty {
                blockers.append(TransitionBlocker(.missingInput, "'\(field.field.value)' must be given"))
            }
        }
        if blockers.isEmpty, let guardExpression = planned.guardExpression, let text = planned.definition.when?.text {
            let context = evaluationContext(proposed, workflow: admitted.workflow, calendars: admitted.definitions.calendars, actor: actor, linked: linked,
                                            today: today, now: now)
            switch guardExpression.evaluateCondition(context) {
            case .success(true): break
            case .success(false): blockers.append(TransitionBlocker(.guardFalse, "guard '\(Self.oneLine(text))' is false"))
            case .failure(let error): blockers.append(TransitionBlocker(.guardUndecided, "guard '\(Self.oneLine(text))' cannot be decided: \(error)"))
            }
        }
        return blockers
    }

    /// The values the transition's `set:` expressions give, evaluated on the case with the input applied.
    private func assignedValues(
        _ planned: PlannedTransition, workflow: PlannedWorkflow, calendars: [String: WorkingCalendar], record: CaseRecord, actor: CaseActor,
        linked: LinkedCaseSnapshot, today: CalendarDate, now: Date
    ) throws(EngineError) -> [String: ExpressionValue] {
        guard !planned.assignments.isEmpty else { return [:] }
        let context = evaluationContext(record, workflow: workflow, calendars: calendars, actor: actor, linked: linked, today: today, now: now)
        var values: [String: ExpressionValue] = [:]
        for (field, expression) in planned.assignments {
            switch expression.evaluate(context) {
            case .success(let value): values[field] = value
            case .failure(let error):
                throw .blocked(transition: planned.definition.name.value, blockers: [TransitionBlocker(.valueUndecided, "cannot set '\(field)': \(error)")])
            }
        }
        return values
    }

    // MARK: Notifications

    /// The notices `transition` declares (`notify:`), one for each address of each recipient role, of those whose
    /// condition (`when:`) holds on the case after the step; a condition that cannot be decided refuses the step.
    private func notifications(
        for planned: PlannedTransition, workflow loaded: PlannedWorkflow, calendars: [String: WorkingCalendar], guardedBy accessGuard: AccessGuard,
        record: CaseRecord, actor: CaseActor, linked: LinkedCaseSnapshot, today: CalendarDate, now: Date
    ) throws(EngineError) -> [PendingMessage] {
        let builtins = TemplateValues(workflow: loaded)
        let conditions = planned.notifyConditions
        let context = conditions.map { _ in evaluationContext(record, workflow: loaded, calendars: calendars, actor: actor, linked: linked, today: today, now: now) }
        var messages: [PendingMessage] = []
        // Each notice is read by place where the definition keeps it (a `for` over the notices would copy each whole), and
        // its template is the planned one at the place found when the workflow was planned: one reference.
        for position in planned.definition.notify.indices {
            if let condition = conditions?[position], let context {
                switch condition.evaluate(context) {
                case .success(let value): if value != .bool(true) { continue }
                case .failure(let error):
                    throw .blocked(transition: planned.definition.name.value, blockers: [TransitionBlocker(.valueUndecided, "cannot decide whom to tell: \(error)")])
                }
            }
            guard let place = planned.notifyTemplates[position] else { continue }
            let template = loaded.templates[place]
            for recipient in planned.definition.notify[position].recipients {
                for address in addresses(record, role: recipient.value, guardedBy: accessGuard, resource: "case.state",
                                         owedWhenUnnamed: !planned.definition.notify[position].ifNamed.contains { $0.value == recipient.value }) {
                    messages.append(PendingMessage(address, template: template.name,
                                                   subject: TemplateRenderer.render(template.subject, record: record, builtins: builtins, showing: address.fields),
                                                   body: TemplateRenderer.render(template.body, record: record, builtins: builtins, showing: address.fields)))
                }
            }
        }
        return messages
    }

    /// The `form_shared` message of each new instance, to the organisation it was shared with.
    private func formNotices(
        new instances: [FormInstance], record: CaseRecord, workflow: PlannedWorkflow, forms: [String: LoadedForm], guardedBy accessGuard: AccessGuard
    ) -> [PendingMessage] {
        instances.flatMap { instance -> [PendingMessage] in
            guard let form = forms[instance.form]?.definition else { return [] }
            return messages(.formShared, to: [instance.recipientRole], values: Self.formValues(instance, form: form), step: EngineMessage.formShared.rawValue,
                            form: form, on: record, workflow: workflow, guardedBy: accessGuard, resource: Self.formResource(form), instance: instance)
        }
    }

    /// The `form.*` placeholders every form message fills.
    static func formValues(_ instance: FormInstance, form: FormDefinition) -> [String: ExpressionValue] {
        ["form.title": .string(form.title), "form.instance": .string(instance.id), "form.due_on": .date(instance.dueOn)]
    }

    // MARK: Outbox

    /// Claims undelivered notifications for a deliverer, for `lease` seconds: a lease that is not above 0 and at most
    /// ``OutboxClaim/longestLease`` is refused (`invalid_input` on `lease`) and nothing is claimed.
    public func claimNotifications(claimer: String, limit: Int = 100, lease: TimeInterval = 300) throws(EngineError) -> [OutboxMessage] {
        let claim = try Self.outboxClaim(claimer: claimer, limit: limit, now: Self.millisecondPrecision(clock.now()), lease: lease)
        return try storeCall { () throws(StoreError) in try store.claimOutbox(claim) }
    }

    /// A claim of the outbox, refused as `invalid_input` when `lease` is not one a claim may hold
    /// (``OutboxClaim/isUsableLease(_:)``): the engine's and the service's claims are made here.
    package static func outboxClaim(claimer: String, limit: Int, now: Date, lease: TimeInterval) throws(EngineError) -> OutboxClaim {
        guard OutboxClaim.isUsableLease(lease) else { throw .invalidInput([InputProblem(field: "lease", message: "must be \(OutboxClaim.leaseRule)")]) }
        return OutboxClaim(claimer: claimer, limit: limit, now: now, lease: lease)
    }

    /// Acknowledges delivered notifications; returns how many were acknowledged.
    public func acknowledgeNotifications(_ ids: [String], claimer: String) throws(EngineError) -> Int {
        let now = Self.millisecondPrecision(clock.now())
        return try storeCall { () throws(StoreError) in try store.acknowledgeOutbox(ids: ids, claimer: claimer, at: now) }
    }

    func clockNow() -> Date { clock.now() }

    func storeCall<T>(_ body: () throws(StoreError) -> T) throws(EngineError) -> T {
        do { return try body() } catch { throw .store(error) }
    }

    /// Instants as the store keeps them: whole milliseconds, so a stored event hashes the same when read back.
    package static func millisecondPrecision(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}
