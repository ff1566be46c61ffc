import Foundation

/// The library's async front: every command and read of the engine, over a ``CaseStoreDriver``, for services that
/// run on Swift concurrency (an HTTP server, a queue worker).
///
/// Each call is decided by the synchronous ``Engine`` against what the service read from the driver for it (the
/// engine never awaits and never touches the driver), then its writes go to the driver in one commit under the
/// case's revision. When another process changed the case in between, the commit is refused and the service
/// decides the command again on the case as it now is, up to ``conflictRetries`` times; a caller who pinned a
/// revision (`expectedRevision`) then gets the conflict, because the case is no longer at it. Errors are ``EngineError`` throughout; a
/// driver's ``StoreError`` arrives as ``EngineError/store(_:)`` with its refusal code.
public final class CaseService: Sendable {
    /// How many times a command is decided again after a concurrent change to its case.
    public static let conflictRetries = 5
    /// How many rounds of reading a single decision may take before the service gives up (a decision that keeps
    /// asking for more is a bug, not a workload).
    static let readRounds = 16

    /// The current definitions.
    public var catalog: DefinitionCatalog { template.catalog }

    /// Today in the statutory zone by this service's clock: the day a case's days left are counted from in every
    /// answer, so a reader that shows a case counts from the clock the engine decides by, not the machine's.
    public var today: CalendarDate { CalendarDate(clock.now()) }

    /// The store.
    public let driver: any CaseStoreDriver
    private let clock: any EngineClock
    /// Writes the commits of callers arriving together in one batch.
    package let committer: GroupCommitter
    /// The engine every command's engine is made from: the catalog, the default calendar and the loaded definition sets.
    private let template: Engine
    /// What the actors of this service's commands acted through (``through(_:)``), recorded in every audit event their
    /// commands write; nil when they reach it directly.
    public let via: Intermediary?

    /// A service over `driver` that records every current definition version and the current snapshot in it first
    /// (refusing, as ``Engine`` does, a definition whose content changed under the same version).
    public init(
        catalog: DefinitionCatalog, driver: any CaseStoreDriver, clock: any EngineClock = SystemClock(), calendar: any WorkingDayCalendar = WeekdayCalendar()
    ) async throws(EngineError) {
        self.driver = driver
        self.clock = clock
        committer = GroupCommitter(driver: driver)
        let definitions = try catalog.stored
        do throws(StoreError) {
            for definition in definitions.sorted(by: { ($0.kind, $0.id) < ($1.kind, $1.id) }) { try await driver.record(definition) }
            try await driver.record(catalog.snapshot)
        } catch {
            throw .store(error)
        }
        let definitionSets = SharedDefinitionSets()
        definitionSets.withLock { $0.currentRecorded = true }
        template = Engine(serving: catalog, store: StagedCaseStore(answers: [:], capabilities: driver.capabilities), clock: clock, calendar: calendar,
                          definitionSets: definitionSets)
        via = nil
    }

    private init(sharing service: CaseService, via: Intermediary?) {
        driver = service.driver
        clock = service.clock
        committer = service.committer
        template = service.template
        self.via = via
    }

    /// This service (the same driver, clock, definitions and batched commits) for actors who reach it through `via`: the
    /// service token or identity provider a server let the request in by. Every audit event their commands write records
    /// it (``Engine/through(_:)``); who they are, and so what they may do, is unchanged. Cheap: nothing is copied.
    public func through(_ via: Intermediary?) -> CaseService {
        CaseService(sharing: self, via: via)
    }

    // MARK: Commands

    /// Opens a case (``Engine/open(workflow:as:caseID:fields:participants:idempotencyKey:attributes:child:)``), for
    /// `child` when given (its record read as any other, to decide `open` on it with its grants); without a `caseID`
    /// the service picks one, once, so a retried decision opens the same case.
    public func open(
        workflow: String, as actor: CaseActor, caseID: String? = nil, fields: [String: ExpressionValue] = [:], participants: CaseParticipants = [:],
        idempotencyKey: String? = nil, attributes: [String: ExpressionValue] = [:], child: String? = nil
    ) async throws(EngineError) -> ChangeResult {
        let id = caseID ?? UUID().uuidString.lowercased()
        return try await decide { (engine) throws(EngineError) in
            try engine.open(workflow: workflow, as: actor, caseID: id, fields: fields, participants: participants, idempotencyKey: idempotencyKey,
                            attributes: attributes, child: child)
        }
    }

    /// Fires a transition (``Engine/fire(_:)``), decided again after a concurrent change unless the request pins a revision.
    public func fire(_ request: FireRequest) async throws(EngineError) -> ChangeResult {
        try await decide { (engine) throws(EngineError) in try engine.fire(request) }
    }

    /// Submits a shared form (``Engine/submitForm(caseID:instance:as:fields:expectedRevision:idempotencyKey:attributes:)``).
    public func submitForm(
        caseID: String, instance: String, as actor: CaseActor, fields: [String: ExpressionValue], expectedRevision: Int? = nil, idempotencyKey: String? = nil,
        attributes: [String: ExpressionValue] = [:]
    ) async throws(EngineError) -> ChangeResult {
        try await decide { (engine) throws(EngineError) in
            try engine.submitForm(caseID: caseID, instance: instance, as: actor, fields: fields, expectedRevision: expectedRevision,
                                  idempotencyKey: idempotencyKey, attributes: attributes)
        }
    }

    /// The case's submitted forms `actor` may accept or return now (``Engine/formsWaiting(caseID:as:attributes:)``).
    public func formsWaiting(caseID: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]) async throws(EngineError) -> [FormInstance] {
        try await decide { (engine) throws(EngineError) in try engine.formsWaiting(caseID: caseID, as: actor, attributes: attributes) }
    }

    /// Accepts a submitted form (``Engine/acceptForm(caseID:instance:as:expectedRevision:idempotencyKey:attributes:)``).
    public func acceptForm(
        caseID: String, instance: String, as actor: CaseActor, expectedRevision: Int? = nil, idempotencyKey: String? = nil,
        attributes: [String: ExpressionValue] = [:]
    ) async throws(EngineError) -> ChangeResult {
        try await decide { (engine) throws(EngineError) in
            try engine.acceptForm(caseID: caseID, instance: instance, as: actor, expectedRevision: expectedRevision, idempotencyKey: idempotencyKey,
                                  attributes: attributes)
        }
    }

    /// Returns a submitted form for more information (``Engine/rejectForm(caseID:instance:as:informationRequired:expectedRevision:idempotencyKey:attributes:)``).
    public func rejectForm(
        caseID: String, instance: String, as actor: CaseActor, informationRequired: String, expectedRevision: Int? = nil, idempotencyKey: String? = nil,
        attributes: [String: ExpressionValue] = [:]
    ) async throws(EngineError) -> ChangeResult {
        try await decide { (engine) throws(EngineError) in
            try engine.rejectForm(caseID: caseID, instance: instance, as: actor, informationRequired: informationRequired,
                                  expectedRevision: expectedRevision, idempotencyKey: idempotencyKey, attributes: attributes)
        }
    }

    /// Gives or replaces a grant (``Engine/grantAccess(caseID:grant:as:attributes:reason:idempotencyKey:)``).
    public func grantAccess(
        caseID: String, grant: AccessGrant, as actor: CaseActor, attributes: [String: ExpressionValue] = [:], reason: String, idempotencyKey: String? = nil
    ) async throws(EngineError) -> ChangeResult {
        try await decide { (engine) throws(EngineError) in
            try engine.grantAccess(caseID: caseID, grant: grant, as: actor, attributes: attributes, reason: reason, idempotencyKey: idempotencyKey)
        }
    }

    /// Removes a grant (``Engine/revokeAccess(caseID:to:as:attributes:reason:idempotencyKey:)``).
    public func revokeAccess(
        caseID: String, to grantee: Principal, as actor: CaseActor, attributes: [String: ExpressionValue] = [:], reason: String, idempotencyKey: String? = nil
    ) async throws(EngineError) -> ChangeResult {
        try await decide { (engine) throws(EngineError) in
            try engine.revokeAccess(caseID: caseID, to: grantee, as: actor, attributes: attributes, reason: reason, idempotencyKey: idempotencyKey)
        }
    }

    /// Names one more participant in a role (``Engine/addParticipant(caseID:role:principal:as:attributes:reason:idempotencyKey:)``).
    public func addParticipant(
        caseID: String, role: String, principal: Principal, as actor: CaseActor, attributes: [String: ExpressionValue] = [:], reason: String,
        idempotencyKey: String? = nil
    ) async throws(EngineError) -> ChangeResult {
        try await decide { (engine) throws(EngineError) in
            try engine.addParticipant(caseID: caseID, role: role, principal: principal, as: actor, attributes: attributes, reason: reason,
                                      idempotencyKey: idempotencyKey)
        }
    }

    /// Removes a participant from a role (``Engine/removeParticipant(caseID:role:principal:as:attributes:reason:idempotencyKey:)``).
    public func removeParticipant(
        caseID: String, role: String, principal: Principal, as actor: CaseActor, attributes: [String: ExpressionValue] = [:], reason: String,
        idempotencyKey: String? = nil
    ) async throws(EngineError) -> ChangeResult {
        try await decide { (engine) throws(EngineError) in
            try engine.removeParticipant(caseID: caseID, role: role, principal: principal, as: actor, attributes: attributes, reason: reason,
                                         idempotencyKey: idempotencyKey)
        }
    }

    /// Records that a notice owed by another route was sent
    /// (``Engine/recordNoticeSent(caseID:message:sentBy:route:sentOn:as:attributes:idempotencyKey:)``).
    public func recordNoticeSent(
        caseID: String, message: String, sentBy: String, route: String, sentOn: CalendarDate, as actor: CaseActor,
        attributes: [String: ExpressionValue] = [:], idempotencyKey: String? = nil
    ) async throws(EngineError) -> ChangeResult {
        try await decide { (engine) throws(EngineError) in
            try engine.recordNoticeSent(caseID: caseID, message: message, sentBy: sentBy, route: route, sentOn: sentOn, as: actor,
                                        attributes: attributes, idempotencyKey: idempotencyKey)
        }
    }

    /// Pauses a running deadline under an exception (``Engine/pauseDeadline(caseID:deadline:as:reason:exception:attributes:)``).
    public func pauseDeadline(
        caseID: String, deadline: String, as actor: CaseActor, reason: String, exception: String? = nil, attributes: [String: ExpressionValue] = [:]
    ) async throws(EngineError) -> ChangeResult {
        try await decide { (engine) throws(EngineError) in
            try engine.pauseDeadline(caseID: caseID, deadline: deadline, as: actor, reason: reason, exception: exception, attributes: attributes)
        }
    }

    /// Resumes a paused deadline (``Engine/resumeDeadline(caseID:deadline:as:reason:attributes:)``).
    public func resumeDeadline(
        caseID: String, deadline: String, as actor: CaseActor, reason: String, attributes: [String: ExpressionValue] = [:]
    ) async throws(EngineError) -> ChangeResult {
        try await decide { (engine) throws(EngineError) in
            try engine.resumeDeadline(caseID: caseID, deadline: deadline, as: actor, reason: reason, attributes: attributes)
        }
    }

    /// Excuses a deadline under an exception (``Engine/excuseDeadline(caseID:deadline:as:reason:exception:attributes:)``).
    public func excuseDeadline(
        caseID: String, deadline: String, as actor: CaseActor, reason: String, exception: String? = nil, attributes: [String: ExpressionValue] = [:]
    ) async throws(EngineError) -> ChangeResult {
        try await decide { (engine) throws(EngineError) in
            try engine.excuseDeadline(caseID: caseID, deadline: deadline, as: actor, reason: reason, exception: exception, attributes: attributes)
        }
    }

    /// Moves a case to another version of its workflow (``Engine/migrate(caseID:to:mapping:as:dryRun:)``); the operator only.
    public func migrate(
        caseID: String, to version: Int, mapping: MigrationMapping = MigrationMapping(), as actor: CaseActor, dryRun: Bool = false
    ) async throws(EngineError) -> MigrationPlan {
        try await decide { (engine) throws(EngineError) in
            try engine.migrate(caseID: caseID, to: version, mapping: mapping, as: actor, dryRun: dryRun)
        }
    }

    /// Applies every reminder and breach due now, as ``Engine/tick(limit:)`` does: the due index is read in pages
    /// (at most `limit` alarms), and each action is decided and committed on its own, so several services ticking
    /// one store at once each apply a different action and none is applied twice.
    public func tick(limit: Int = PageRequest.largestLimit) async throws(EngineError) -> [TickAction] {
        let now = Engine.millisecondPrecision(clock.now())
        var due: [DeadlineAlarm] = []
        var request = PageRequest(limit: limit)
        if let problem = request.problem { throw .invalidInput([InputProblem(field: "limit", message: problem)]) }
        repeat {
            let page = try await storeCall { () async throws(StoreError) in try await driver.dueAlarms(at: now, page: request) }
            due += page.items
            request = PageRequest(after: page.next, limit: min(PageRequest.largestLimit, limit - due.count))
        } while request.after != nil && due.count < limit
        var seen = Set<String>()
        var actions: [TickAction] = []
        for alarm in due where seen.insert(alarm.caseID).inserted {
            while true {
                let next = try await decide(at: now) { (engine) throws(EngineError) in try engine.tickCase(alarm.caseID, now: now, actions: 1) }
                guard !next.isEmpty else { break }
                actions += next
            }
        }
        return actions
    }

    /// Claims up to `limit` undelivered notifications for a deliverer, with a lease (``Engine/claimNotifications(claimer:limit:lease:)``).
    public func claimNotifications(claimer: String, limit: Int = 100, lease: TimeInterval = 300) async throws(EngineError) -> [OutboxMessage] {
        let claim = try Engine.outboxClaim(claimer: claimer, limit: limit, now: clock.now(), lease: lease)
        return try await storeCall { () async throws(StoreError) in try await CommitGate.write { () async throws(StoreError) in try await driver.claimOutbox(claim) } }
    }

    /// Marks claimed notifications delivered; returns how many were the claimer's to mark.
    public func acknowledgeNotifications(_ ids: [String], claimer: String) async throws(EngineError) -> Int {
        let now = clock.now()
        return try await storeCall { () async throws(StoreError) in
            try await CommitGate.write { () async throws(StoreError) in try await driver.acknowledgeOutbox(ids: ids, claimer: claimer, at: now) }
        }
    }

    /// Adds a version of a document (``Engine/addDocument(caseID:_:as:attributes:expectedRevision:)``): through the
    /// same door and commit as on the engine, decided again after a concurrent change unless a revision is pinned.
    public func addDocument(
        caseID: String, _ upload: DocumentUpload, as actor: CaseActor, attributes: [String: ExpressionValue] = [:], expectedRevision: Int? = nil
    ) async throws(EngineError) -> DocumentView {
        try await decide { (engine) throws(EngineError) in
            try engine.addDocument(caseID: caseID, upload, as: actor, attributes: attributes, expectedRevision: expectedRevision)
        }
    }

    /// Withdraws a document as its next version (``Engine/withdrawDocument(caseID:kind:reason:as:attributes:expectedRevision:)``):
    /// through the same door and commit as on the engine, decided again after a concurrent change unless a revision is pinned.
    public func withdrawDocument(
        caseID: String, kind: String, reason: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:], expectedRevision: Int? = nil
    ) async throws(EngineError) -> DocumentView {
        try await decide { (engine) throws(EngineError) in
            try engine.withdrawDocument(caseID: caseID, kind: kind, reason: reason, as: actor, attributes: attributes, expectedRevision: expectedRevision)
        }
    }

    // MARK: Reads

    /// The latest version of each document the actor may see any part of (``Engine/documents(caseID:as:attributes:)``).
    public func documents(caseID: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]) async throws(EngineError) -> [DocumentView] {
        try await decide { (engine) throws(EngineError) in try engine.documents(caseID: caseID, as: actor, attributes: attributes) }
    }

    /// One version of a document as the actor may see it (``Engine/document(caseID:kind:version:as:attributes:)``).
    public func document(
        caseID: String, kind: String, version: Int? = nil, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]
    ) async throws(EngineError) -> DocumentView {
        try await decide { (engine) throws(EngineError) in try engine.document(caseID: caseID, kind: kind, version: version, as: actor, attributes: attributes) }
    }

    /// The bytes of one part of a document version, hashed again first
    /// (``Engine/documentContent(caseID:kind:version:section:as:attributes:)``).
    public func documentContent(
        caseID: String, kind: String, version: Int? = nil, section: String? = nil, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]
    ) async throws(EngineError) -> [UInt8] {
        try await decide { (engine) throws(EngineError) in
            try engine.documentContent(caseID: caseID, kind: kind, version: version, section: section, as: actor, attributes: attributes)
        }
    }

    /// The case as `actor` may see it (``Engine/caseRecord(_:as:attributes:)``).
    public func caseRecord(_ id: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]) async throws(EngineError) -> CaseRecord {
        try await decide { (engine) throws(EngineError) in try engine.caseRecord(id, as: actor, attributes: attributes) }
    }

    /// The case's fields, forms and deadlines as `actor` may see them (``Engine/view(caseID:as:attributes:)``).
    public func view(caseID: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]) async throws(EngineError) -> CaseView {
        try await decide { (engine) throws(EngineError) in try engine.view(caseID: caseID, as: actor, attributes: attributes) }
    }

    /// Every transition with what blocks it for `actor` now (``Engine/availableTransitions(caseID:as:attributes:)``).
    public func availableTransitions(
        caseID: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]
    ) async throws(EngineError) -> [TransitionAvailability] {
        try await decide { (engine) throws(EngineError) in try engine.availableTransitions(caseID: caseID, as: actor, attributes: attributes) }
    }

    /// The case's story as `actor` may follow it (``Engine/timeline(caseID:as:attributes:)``).
    public func timeline(caseID: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]) async throws(EngineError) -> CaseTimeline {
        try await decide { (engine) throws(EngineError) in try engine.timeline(caseID: caseID, as: actor, attributes: attributes) }
    }

    /// Every case of the child `id` the actor may see, their stages and messages merged in date order
    /// (``Engine/childTimeline(_:as:attributes:)``): empty for a viewer admitted to the child who may see none of its cases,
    /// refused as for a missing child for anyone not admitted.
    public func childTimeline(_ id: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]) async throws(EngineError) -> ChildTimeline {
        try await decide { (engine) throws(EngineError) in try engine.childTimeline(id, as: actor, attributes: attributes) }
    }

    /// The workflow version the case runs on, for a caller about to fire (``Engine/workflowDefinition(ofCase:as:attributes:)``).
    public func workflowDefinition(
        ofCase caseID: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]
    ) async throws(EngineError) -> WorkflowDefinition {
        try await decide { (engine) throws(EngineError) in try engine.workflowDefinition(ofCase: caseID, as: actor, attributes: attributes) }
    }

    /// The form of a form instance, for the organisation about to submit it (``Engine/formDefinition(caseID:instance:as:attributes:)``).
    public func formDefinition(
        caseID: String, instance: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]
    ) async throws(EngineError) -> FormDefinition {
        try await decide { (engine) throws(EngineError) in try engine.formDefinition(caseID: caseID, instance: instance, as: actor, attributes: attributes) }
    }

    /// Every stored definition version and snapshot with its open cases (``Engine/definitionUsage(as:)``); the operator only.
    public func definitionUsage(as actor: CaseActor) async throws(EngineError) -> DefinitionUsage {
        try await decide { (engine) throws(EngineError) in try engine.definitionUsage(as: actor) }
    }

    /// Every case id the store knows of, by record or by audit events (``Engine/auditedCaseIDs(as:)``); the operator only.
    public func auditedCaseIDs(as actor: CaseActor) async throws(EngineError) -> [String] {
        try await decide { (engine) throws(EngineError) in try engine.auditedCaseIDs(as: actor) }
    }

    /// How each time limit fared over a period (``Engine/timelinessReport(from:to:workflow:as:attributes:)``).
    public func timelinessReport(
        from: CalendarDate, to: CalendarDate, workflow: String? = nil, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]
    ) async throws(EngineError) -> TimelinessReport {
        try await decide { (engine) throws(EngineError) in try engine.timelinessReport(from: from, to: to, workflow: workflow, as: actor, attributes: attributes) }
    }

    /// How many of the case's audit events came through each service or identity provider (``Engine/auditIntermediaries(_:as:attributes:)``).
    public func auditIntermediaries(_ id: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]) async throws(EngineError) -> [Intermediary: Int] {
        try await decide { (engine) throws(EngineError) in try engine.auditIntermediaries(id, as: actor, attributes: attributes) }
    }

    /// Walks, replays and compares the case's audit chain (``Engine/verifyAudit(_:as:attributes:)``).
    public func verifyAudit(_ id: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]) async throws(EngineError) -> AuditVerification {
        try await decide { (engine) throws(EngineError) in try engine.verifyAudit(id, as: actor, attributes: attributes) }
    }

    /// One page of the cases `actor` may see, by id (``Engine/cases(visibleTo:attributes:)``): up to `page.limit`
    /// of them, reading the store's ids page by page until the page is full or the list ends.
    ///
    /// The next cursor always sits just after a case the actor may see, never after one they may not, so a token
    /// handed to a client carries no case the policy refuses them (a cursor is a readable key). The price: listing
    /// for someone who sees few of many cases reads many ids, each decided by the one door.
    public func cases(
        visibleTo actor: CaseActor, attributes: [String: ExpressionValue] = [:], page: PageRequest = PageRequest()
    ) async throws(EngineError) -> Page<CaseSummary> {
        if let problem = page.problem { throw .invalidInput([InputProblem(field: "limit", message: problem)]) }
        for _ in 0..<Self.conflictRetries {
            var shown: [CaseSummary] = []
            var after = page.after
            while true {
                let from = after
                let ids = try await storeCall { () async throws(StoreError) in try await driver.caseIDs(page: PageRequest(after: from, limit: page.limit)) }
                let visible = try await decide(staged: [.caseIDs: .ids(ids.items)]) { (engine) throws(EngineError) in
                    try engine.cases(visibleTo: actor, attributes: attributes)
                }
                let wanted = page.limit - shown.count
                guard visible.count >= wanted, let last = visible.prefix(wanted).last, let end = ids.items.firstIndex(of: last.id) else {
                    shown += visible
                    guard let next = ids.next else { return Page(items: shown, next: nil) }
                    after = next
                    continue
                }
                shown += visible.prefix(wanted)
                if end == ids.items.count - 1 { return Page(items: shown, next: ids.next) }
                let exact = try await storeCall { () async throws(StoreError) in try await driver.caseIDs(page: PageRequest(after: from, limit: end + 1)) }
                if exact.items.last == last.id { return Page(items: shown, next: exact.next) }
                break
            }
        }
        throw .store(.busy("cases kept being opened while the list was read; try again"))
    }

    /// One page of the case's audit history, cut to what `actor` may see (``Engine/history(_:as:attributes:)``).
    public func history(
        _ id: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:], page: PageRequest = PageRequest()
    ) async throws(EngineError) -> Page<AuditEvent> {
        try await paged(page, read: { (request) async throws(StoreError) in try await self.driver.history(caseID: id, page: request) },
                        staged: { .events($0) }, as: .history(id)) { (engine) throws(EngineError) in
            try engine.history(id, as: actor, attributes: attributes)
        }
    }

    /// One page of the case's notifications as `actor` may see them (``Engine/outbox(caseID:as:attributes:)``): fewer
    /// than the page read when some are addressed to others.
    public func outbox(
        caseID: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:], page: PageRequest = PageRequest()
    ) async throws(EngineError) -> Page<OutboxMessage> {
        try await paged(page, read: { (request) async throws(StoreError) in try await self.driver.outbox(caseID: caseID, page: request) },
                        staged: { .messages($0) }, as: .outbox(caseID)) { (engine) throws(EngineError) in
            try engine.outbox(caseID: caseID, as: actor, attributes: attributes)
        }
    }

    /// The case's notices owed by another route, each with its sending once recorded (``Engine/owedNotices(caseID:as:attributes:outstanding:)``).
    public func owedNotices(
        caseID: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:], outstanding: Bool = false
    ) async throws(EngineError) -> [OwedNotice] {
        try await decide { (engine) throws(EngineError) in
            try engine.owedNotices(caseID: caseID, as: actor, attributes: attributes, outstanding: outstanding)
        }
    }

    /// One page of every case's notifications, for the operator and the deliverers it runs (``Engine/outbox(as:)``).
    public func outbox(as actor: CaseActor, page: PageRequest = PageRequest()) async throws(EngineError) -> Page<OutboxMessage> {
        try await paged(page, read: { (request) async throws(StoreError) in try await self.driver.outbox(caseID: nil, page: request) },
                        staged: { .messages($0) }, as: .outbox(nil)) { (engine) throws(EngineError) in
            try engine.outbox(as: actor)
        }
    }

    // MARK: Deciding

    /// Reads one page from the driver, then lets the engine decide what of it `actor` sees, the page standing in for the whole list.
    private func paged<Item: Sendable>(
        _ page: PageRequest, read: @Sendable (PageRequest) async throws(StoreError) -> Page<Item>, staged: (([Item]) -> StagedCaseStore.Answer),
        as list: StagedCaseStore.Read, _ body: @Sendable (Engine) throws(EngineError) -> [Item]
    ) async throws(EngineError) -> Page<Item> {
        if let problem = page.problem { throw .invalidInput([InputProblem(field: "limit", message: problem)]) }
        let read = try await storeCall { () async throws(StoreError) in try await read(page) }
        let shown = try await decide(staged: [list: staged(read.items)], body)
        return Page(items: shown, next: read.next)
    }

    /// Decides `body` with an engine over a stage of what has been read, reading what the engine missed and deciding
    /// again until it misses nothing; then applies its writes, unless the caller's ``CommitGate`` is closed. A commit
    /// refused for a concurrent change starts over on fresh reads: the engine decides the command again on the case as
    /// it now is (a pinned revision then refuses it as a conflict, an idempotency key then finds the earlier result).
    private func decide<T: Sendable>(
        at instant: Date? = nil, staged: [StagedCaseStore.Read: StagedCaseStore.Answer] = [:],
        _ body: (Engine) throws(EngineError) -> T
    ) async throws(EngineError) -> T {
        var conflicts = 0
        while true {
            let now = instant ?? Engine.millisecondPrecision(clock.now())
            let (value, writes) = try await decideOnReads(staged: staged, at: now, body)
            do throws(StoreError) {
                if !writes.isEmpty { try await CommitGate.write { () async throws(StoreError) in try await apply(writes) } }
                return value
            } catch where error.isConcurrentChange && conflicts < Self.conflictRetries {
                conflicts += 1
            } catch {
                throw .store(error)
            }
        }
    }

    /// One decision at `now`: decided against what has been read, reading what the engine missed, until a decision
    /// misses nothing; its value (or refusal) and the writes it made.
    private func decideOnReads<T: Sendable>(
        staged: [StagedCaseStore.Read: StagedCaseStore.Answer], at now: Date, _ body: (Engine) throws(EngineError) -> T
    ) async throws(EngineError) -> (T, [StagedCaseStore.Write]) {
        var answers = staged
        for _ in 0..<Self.readRounds {
            let stage = StagedCaseStore(answers: answers, capabilities: driver.capabilities)
            let result: Result<T, EngineError>
            do throws(EngineError) {
                result = .success(try body(Engine(deciding: template, on: stage, at: now, via: via)))
            } catch {
                result = .failure(error)
            }
            let misses = stage.misses
            guard misses.isEmpty else {
                for read in misses { answers[read] = try await fetch(read) }
                continue
            }
            return (try result.get(), stage.writes)
        }
        throw .store(.busy("a decision kept asking the store for more; nothing was changed"))
    }

    /// Applies a decision's writes to the driver in order: definitions first as the engine made them, then its commit,
    /// written with the commits of other callers arriving at the same time (``GroupCommitter``).
    private func apply(_ writes: [StagedCaseStore.Write]) async throws(StoreError) {
        for write in writes {
            switch write {
            case .definition(let definition): try await driver.record(definition)
            case .definitionSnapshot(let snapshot): try await driver.record(snapshot)
            case .commit(let changes): try await committer.commit(changes)
            }
        }
    }

    /// Reads what a decision missed from the driver; a whole list is read page by page.
    private func fetch(_ read: StagedCaseStore.Read) async throws(EngineError) -> StagedCaseStore.Answer {
        try await storeCall { () async throws(StoreError) -> StagedCaseStore.Answer in
            switch read {
            case .record(let id): return .record(try await driver.load(caseID: id))
            case .idempotency(let key): return .idempotency(try await driver.idempotencyRecord(key: key))
            case .definition(let kind, let id, let version): return .definition(try await driver.definition(kind: kind, id: id, version: version))
            case .definitionSnapshot(let fingerprint): return .definitionSnapshot(try await driver.snapshot(fingerprint: fingerprint))
            case .caseSnapshot(let id): return .caseSnapshot(try await driver.snapshot(caseID: id))
            case .history(let id): return .events(try await Self.all { (request) async throws(StoreError) in try await driver.history(caseID: id, page: request) })
            case .outbox(let id): return .messages(try await Self.all { (request) async throws(StoreError) in try await driver.outbox(caseID: id, page: request) })
            case .caseIDs: return .ids(try await Self.all { (request) async throws(StoreError) in try await driver.caseIDs(page: request) })
            case .auditedCaseIDs: return .ids(try await driver.auditedCaseIDs())
            case .due(let now, let limit): return .alarms(try await driver.dueAlarms(at: now, page: PageRequest(limit: limit)).items)
            case .snapshots: return .snapshots(try await driver.snapshots())
            case .definitionVersions: return .versions(try await driver.definitionVersions())
            case .child(let id): return .child(try await driver.child(id: id))
            case .childCaseIDs(let id): return .ids(try await driver.caseIDs(childID: id))
            case .documents(let id): return .documents(try await driver.documentVersions(caseID: id))
            case .blob(let hash): return .blob(try await driver.blob(sha256: hash))
            }
        }
    }

    /// Every item of a paged list.
    private static func all<Item: Sendable>(_ read: (PageRequest) async throws(StoreError) -> Page<Item>) async throws(StoreError) -> [Item] {
        var items: [Item] = []
        var request = PageRequest(limit: 1_000)
        while true {
            let page = try await read(request)
            items += page.items
            guard let next = page.next else { return items }
            request.after = next
        }
    }

    /// A driver call, its error answered as the engine's.
    private func storeCall<T: Sendable>(_ call: () async throws(StoreError) -> T) async throws(EngineError) -> T {
        do {
            return try await call()
        } catch {
            throw .store(error)
        }
    }
}
