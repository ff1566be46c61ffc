import CaseworkDefinitions
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// A message a change sends, rendered for its recipient and decided by the case's guard, before it has its id.
struct PendingMessage: Sendable {
    /// The role it is for.
    var role: String
    /// Who plays the role on the case, when the case names someone. `Optional` is spelled out here and below: a `T?`
    /// stored property starts as nil before the initialiser runs, and assigning it there made the initialiser copy the
    /// whole message and destroy the first (docs/performance.md, Benchmarks, session 25).
    var recipientID: Optional<String>
    /// The template or step it came from.
    var template: String
    /// Its subject.
    var subject: String
    /// Its body.
    var body: String
    /// How it reaches the recipient.
    var channel: NoticeChannel
    /// Why it is owed by another route, when it is.
    var owedReason: Optional<OwedReason>

    /// A message rendered for `address`.
    init(_ address: NoticeAddress, template: String, subject: String, body: String) {
        self.role = address.role
        self.recipientID = address.recipientID
        self.template = template
        self.subject = subject
        self.body = body
        self.channel = address.channel
        self.owedReason = address.owedReason
    }
}

/// Where one notice goes: to whom, on which channel, why it is owed when it is, and which fields it may show.
struct NoticeAddress: Sendable {
    /// The role it is for.
    var role: String
    /// The participant it is for; nil when the case names no one for the role.
    var recipientID: String?
    /// The portal, or another route.
    var channel: NoticeChannel
    /// Why it is owed by another route; nil on the portal.
    var owedReason: OwedReason?
    /// The fields its text may show: what the policy lets this recipient see, on either channel.
    var fields: FieldVisibility
}

/// One case's change as a step decided it: the record as it will be after the change (its revision, time and
/// audit head still to be assigned), what to audit and what to send. Every kind of change (opening, firing, a
/// form step, a grant, a deadline action, a tick) is decided into this value and committed by ``Engine/commit(_:actor:attributes:request:at:)``,
/// the one place that numbers revisions, appends the audit event, writes the outbox and the due-time index.
struct DecidedChange: Sendable {
    /// The case before the change; nil when the change opens it.
    var before: CaseRecord?
    /// The case after the change.
    var after: CaseRecord
    /// The workflow version the case runs on, for its alarms: the one reference the command took
    /// (``Engine/workflow(for:in:)``), so copying the change retains it once instead of every part of its definition.
    var workflow: PlannedWorkflow
    /// The calendars of the definition set the case runs on, for its alarms.
    var calendars: [String: WorkingCalendar]
    /// What happened, for the audit (`opened`, `fired`, `form_submitted`, `access_granted`, `deadline_breached`, …).
    var action: String
    /// What it happened to: the transition, form instance, grantee or deadline.
    var subject: String?
    /// The values given.
    var input: [String: ExpressionValue]
    /// The messages to send, in order.
    var messages: [PendingMessage] = []
    /// The day the step took effect, when it was recorded after the fact.
    var effectiveOn: CalendarDate? = nil
    /// Every field path the step may have set or cleared, each once, when it knows them (a transition: its input and
    /// its `set:` fields), so the audit compares only those (``RecordChange/between(_:_:fieldsTouched:given:)``); nil compares
    /// every field.
    var fieldsTouched: [String]? = nil
    /// The document version the change adds and the bytes of its new part (``Engine/addDocument(caseID:_:as:attributes:expectedRevision:)``);
    /// no bytes for a withdrawal (``Engine/withdrawDocument(caseID:kind:reason:as:attributes:expectedRevision:)``).
    var document: (change: DocumentChange, blob: DocumentBlob?)? = nil
    /// Who the audit names as acting, when not the actor who committed the step: the engine's own actor for a linked
    /// case's `report:` on the case that opened it. Such an event records no ``Engine/via``: that names what the
    /// committing actor came through, and the engine came through nothing.
    var actor: CaseActor? = nil
}

extension CaseRecord {
    /// The record a decided change holds once its record after the change has been moved out for committing
    /// (``Engine/commit(_:actor:attributes:request:at:basis:)``): one shared, empty record, so putting it in its place
    /// costs a count instead of the record's copy.
    static let vacated = CaseRecord(id: "", workflow: "", workflowVersion: 0, state: "", revision: 0, fields: [:], participants: [:], forms: [],
                                    openedAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0), auditHead: "")
}

extension Engine {
    /// Commits decided changes to one or several cases together, all or none: each gets the next revision, an audit
    /// event that records what it changed, what the actor came through (``via``) and links to the case's chain, its messages with stable ids
    /// (`CASE/REVISION/N`) and its pending alarms, and the first carries the request's idempotency record. When a
    /// concurrent request with the same key committed first, returns that request's result instead. `basis` is what the
    /// door worked out for the actor's change to the first change's case, when the caller has it and the change keeps
    /// the case's definition set (a fire): the result is decided with it (``changeResult(_:notifications:replayed:actor:attributes:basis:)``).
    func commit(
        _ changes: consuming [DecidedChange], actor: CaseActor, attributes: [String: ExpressionValue], request: IdempotentRequest?, at now: Date,
        basis: AccessBasis? = nil
    ) throws(EngineError) -> ChangeResult {
        var committed: [CaseChange] = []
        committed.reserveCapacity(changes.count)
        // Each decided change is moved out of the batch, in order (the batch reversed, then taken from its end): reading
        // one where the batch keeps it copies it whole, and a `for` over them copies every one.
        changes.reverse()
        while var change = changes.popLast() {
            let isFirst = committed.isEmpty
            // The record before the change is taken out of it once, not copied: nothing reads it from the change again.
            let before = change.before.take()
            let previous = before?.revision ?? 0
            guard previous < Int.max else {
                throw .definitionError("case '\(change.after.id)' has reached the highest revision a case can have; it cannot change again")
            }
            // The record after the change is moved out of it, not copied: a copy would share the change's box, so
            // numbering it below would copy every part into a box of its own, and the change's box would be freed whole.
            var next = CaseRecord.vacated
            swap(&next, &change.after)
            next.revision = previous + 1
            next.updatedAt = now
            // Moved into the event (taken out of its optional), not copied: nothing reads it afterwards.
            var recorded: RecordChange? = RecordChange.between(before, next, fieldsTouched: change.fieldsTouched, given: change.input)
            recorded?.document = change.document?.change
            let event = AuditEvent(caseID: next.id, sequence: next.revision, at: now, actor: change.actor ?? actor, action: change.action,
                                   subject: change.subject, fromState: before?.state, toState: next.state, revision: next.revision,
                                   input: change.input, change: recorded.take(), previousHash: before?.auditHead ?? AuditEvent.genesisHash,
                                   effectiveOn: change.effectiveOn, via: change.actor == nil ? via : nil)
            next.auditHead = event.hash
            let id = next.id
            let revision = next.revision
            // Each message read where the change keeps it, over its places (an array made at its size): `enumerated()`
            // copied each message whole and grew the array from empty.
            let outbox = change.messages.indices.map { offset in
                OutboxMessage(id: Self.messageID(caseID: id, revision: revision, number: offset + 1), caseID: id, createdAt: now,
                              recipientRole: change.messages[offset].role, recipientID: change.messages[offset].recipientID,
                              template: change.messages[offset].template, subject: change.messages[offset].subject, body: change.messages[offset].body,
                              channel: change.messages[offset].channel, owedReason: change.messages[offset].owedReason)
            }
            let idempotency = isFirst ? request?.record(caseID: id, state: next.state, revision: revision) : nil
            let pending = alarms(for: next, workflow: change.workflow, calendars: change.calendars)
            // Worked out before the change is made, and no closure holds the record, so the change is where it is last read.
            // Made in the batch and completed there, so it is not copied into it.
            committed.append(CaseChange(record: next, expectedRevision: before?.revision, events: [event], outbox: outbox,
                                        idempotency: idempotency, alarms: pending))
            if let document = change.document {
                let last = committed.count - 1
                committed[last].documents = [DocumentVersion(caseID: committed[last].record.id, change: document.change, addedBy: actor, at: now,
                                                             revision: committed[last].record.revision)]
                committed[last].blobs = document.blob.map { [$0] } ?? []
            }
        }
        do {
            try store.commit(all: committed)
        } catch {
            if let request, let replay = try? replay(request, actor: actor, attributes: attributes) { return replay }
            throw .store(error)
        }
        guard !committed.isEmpty else { throw .definitionError("a change must change at least one case") }
        // The first change is moved out of the batch (to its end, then removed), so its record moves into the result
        // instead of being copied.
        committed.swapAt(0, committed.count - 1)
        let first = committed.removeLast()
        return try changeResult(first.record, notifications: first.outbox, replayed: false, actor: actor, attributes: attributes, basis: basis)
    }

    /// The id of a change's `number`-th message, `CASE/REVISION/N` in decimal: the text `"\(caseID)/\(revision)/\(number)"`
    /// gives, written once at its length. The interpolation cost about 1,100 instructions a message (its buffer, each
    /// piece appended, each number's `description` through the protocol); every committed message has an id.
    static func messageID(caseID: String, revision: Int, number: Int) -> String {
        guard revision >= 0, number >= 0 else { return "\(caseID)/\(revision)/\(number)" }
        let written = caseID.utf8.withContiguousStorageIfAvailable { id in
            let revisionDigits = decimalDigits(revision)
            let numberDigits = decimalDigits(number)
            let length = id.count + 1 + revisionDigits + 1 + numberDigits
            return String(unsafeUninitializedCapacity: length) { buffer in
                _ = buffer.initialize(from: id)
                buffer[id.count] = UInt8(ascii: "/")
                writeDecimal(revision, digits: revisionDigits, endingAt: id.count + 1 + revisionDigits, in: buffer)
                buffer[id.count + 1 + revisionDigits] = UInt8(ascii: "/")
                writeDecimal(number, digits: numberDigits, endingAt: length, in: buffer)
                return length
            }
        }
        return written ?? "\(caseID)/\(revision)/\(number)"
    }

    /// How many decimal digits `value` (not negative) has: 1 for 0.
    private static func decimalDigits(_ value: Int) -> Int {
        var digits = 1
        var rest = value / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        return digits
    }

    /// Writes `value` (not negative, `digits` long) in decimal into `buffer`, its last digit before `end`.
    private static func writeDecimal(_ value: Int, digits: Int, endingAt end: Int, in buffer: UnsafeMutableBufferPointer<UInt8>) {
        var rest = value
        for place in stride(from: end - 1, through: end - digits, by: -1) {
            buffer[place] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
    }

    /// The earlier result of the same request under the actor's idempotency key, or nil when the key is new (or none was given).
    /// The key is looked up only after the actor was let through the door; the same key with a different request is a conflict.
    func replay(_ request: IdempotentRequest, actor: CaseActor, attributes: [String: ExpressionValue]) throws(EngineError) -> ChangeResult? {
        guard let key = request.scopedKey else { return nil }
        guard let earlier = try storeCall({ () throws(StoreError) in try store.idempotencyRecord(key: key) }) else { return nil }
        guard earlier.request == request.stored else {
            let first = earlier.request.components(separatedBy: " sha256:").first ?? earlier.request
            throw .idempotencyKeyReused(key: String(key.dropFirst(actor.description.count + 1)), firstRequest: first)
        }
        guard var record = try loadRecord(earlier.caseID) else { throw .caseNotFound(earlier.caseID) }
        record.state = earlier.state
        record.revision = earlier.revision
        return try changeResult(record, notifications: [], replayed: true, actor: actor, attributes: attributes)
    }

    /// The one place that decides who receives a notice to `role` on `record`, and how: one address for each
    /// participant of the role, through the portal when the case's guard lets them `view` `resource` (decided with the
    /// policy's `recipients:` profile for the role), otherwise owed by another route because the policy does not let
    /// them see the case. A role with no participant is addressed as a whole: through the portal when the guard lets
    /// the role see the case (staff, or any role of a workflow without a policy), otherwise owed because no one is named
    /// yet, unless `owedWhenUnnamed` is false: a role the case may not have at all (`if_named:`), or a courtesy such as
    /// a reminder, owes nothing to no one. Every other notice is recorded; none is dropped.
    func addresses(
        _ record: CaseRecord, role: String, guardedBy accessGuard: AccessGuard, resource: String, owedWhenUnnamed: Bool = true
    ) -> [NoticeAddress] {
        let named = record.participants[role]
        // A child's grants reach its cases' notices as they reach its cases. A child that cannot be read gives none
        // here: the notice is then owed by another route (recorded, never dropped), the safe way to fail.
        let childGrants = (try? childGrants(of: record)) ?? []
        guard !named.isEmpty else {
            let access = recipientAccess(record, guardedBy: accessGuard, role: role, participant: nil, resource: resource, childGrants: childGrants)
            guard access.receives || owedWhenUnnamed else { return [] }
            return [NoticeAddress(role: role, recipientID: nil, channel: access.receives ? .portal : .other,
                                  owedReason: access.receives ? nil : .noParticipant, fields: access.fields)]
        }
        return named.map { participant in
            let access = recipientAccess(record, guardedBy: accessGuard, role: role, participant: participant, resource: resource, childGrants: childGrants)
            return NoticeAddress(role: role, recipientID: participant, channel: access.receives ? .portal : .other,
                                 owedReason: access.receives ? nil : .noPortalAccess, fields: access.fields)
        }
    }

    /// One of the engine's own messages to whoever plays each of `roles` on `record`, to each address
    /// ``addresses(_:role:guardedBy:resource:)`` gives for `resource`: rendered from the template the form's `messages:` (for form messages), else the
    /// workflow's, names, with `values` (its `form.*` or `deadline.*` placeholders) and the fields each recipient may
    /// see, exactly as a transition's notifications are; in the neutral form when no template is named.
    /// `step` is what the outbox records as the message's template: the step that sent it. A message about a form
    /// `instance` goes, in the instance's role, only to the participant the instance was shared with.
    func messages(
        _ message: EngineMessage, to roles: [String], values: [String: ExpressionValue], step: String, form: FormDefinition? = nil,
        on record: CaseRecord, workflow: PlannedWorkflow, guardedBy accessGuard: AccessGuard, resource: String, instance: FormInstance? = nil
    ) -> [PendingMessage] {
        let name = form?.messages[message] ?? workflow.definition.messages[message]
        let template = name.flatMap { workflow.template(named: $0.value) }
        let builtins = TemplateValues(workflow: workflow, values: values)
        // A reminder is a courtesy, not a statutory notice: a role no one plays on the case is owed none. A breach
        // notice is the council's record of its own failure and is kept for every role it names.
        return roles.flatMap { role in
            addresses(record, role: role, guardedBy: accessGuard, resource: resource, owedWhenUnnamed: message != .reminder).filter { address in
                guard let instance, instance.recipientRole == role, let shared = instance.recipientID else { return true }
                return address.recipientID == shared
            }.map { address in
                let (subject, body) = template.map {
                    (TemplateRenderer.render($0.subject, record: record, builtins: builtins, showing: address.fields),
                     TemplateRenderer.render($0.body, record: record, builtins: builtins, showing: address.fields))
                } ?? TemplateRenderer.neutral(message, record: record, builtins: builtins)
                return PendingMessage(address, template: step, subject: subject, body: body)
            }
        }
    }
}
