import CaseworkDefinitions
import CaseworkExpressions
import CaseworkStore
import CaseworkTime
import Foundation

/// A notice owed by another route, with its sending when staff have recorded one.
public struct OwedNotice: Sendable, Hashable {
    /// The notice as the outbox holds it (``OutboxMessage/channel`` is `.other`).
    public var message: OutboxMessage
    /// When, how and by whom it was sent; nil while it is still owed.
    public var sent: NoticeSent?
}

/// Who takes part in a case, changed over its life, and the notices owed by another route: the work staff do outside
/// the portal, recorded with the case and audited.
extension Engine {
    /// Names `principal` as one more participant in `role` (a second parent, another professional), if the case's policy
    /// lets `actor` `grant` on `case`: who is involved in a case is decided, and seen, by those who decide access to it.
    /// Audited as `participant_added`; refused, changing nothing, when they already take part in that role.
    public func addParticipant(
        caseID: String, role: String, principal: Principal, as actor: CaseActor, attributes: [String: ExpressionValue], reason: String,
        idempotencyKey: String? = nil
    ) throws(EngineError) -> ChangeResult {
        try changeParticipants(caseID: caseID, role: role, principal: principal, actor: actor, attributes: attributes, reason: reason,
                               action: "participant_added", idempotencyKey: idempotencyKey) { (participants) throws(EngineError) in
            guard participants.participant(principal, as: role) == nil else {
                throw .blocked(transition: "add participant", blockers: [TransitionBlocker(.nothingToChange, "'\(principal)' already takes part as \(role)")])
            }
            participants.add(principal, as: role)
        }
    }

    /// Removes `principal` from `role`'s participants, under the same rule as ``addParticipant(caseID:role:principal:as:attributes:reason:idempotencyKey:)``.
    /// Audited as `participant_removed`; refused, changing nothing, when they do not take part in that role. Their form
    /// instances and the notices already written to them stay as they were.
    public func removeParticipant(
        caseID: String, role: String, principal: Principal, as actor: CaseActor, attributes: [String: ExpressionValue], reason: String,
        idempotencyKey: String? = nil
    ) throws(EngineError) -> ChangeResult {
        try changeParticipants(caseID: caseID, role: role, principal: principal, actor: actor, attributes: attributes, reason: reason,
                               action: "participant_removed", idempotencyKey: idempotencyKey) { (participants) throws(EngineError) in
            guard participants.participant(principal, as: role) != nil else {
                throw .blocked(transition: "remove participant", blockers: [TransitionBlocker(.nothingToChange, "'\(principal)' does not take part as \(role)")])
            }
            participants.remove(principal, from: role)
        }
    }

    private func changeParticipants(
        caseID: String, role: String, principal: Principal, actor: CaseActor, attributes: [String: ExpressionValue], reason: String, action: String,
        idempotencyKey: String?, _ change: (inout CaseParticipants) throws(EngineError) -> Void
    ) throws(EngineError) -> ChangeResult {
        let admitted = try admit(caseID, actor: actor, attributes: attributes, action: "grant", resource: "case")
        if case .rolesOnly = admitted.access.accessGuard, !actor.isOperator {
            throw .forbidden(reasons: ["workflow '\(admitted.workflow.definition.id.value)' has no access policy, so only the operator may change who takes part in its cases"])
        }
        let trimmed = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        let input: [String: ExpressionValue] = ["role": .string(role), "principal": .string(principal.description), "reason": .string(trimmed)]
        let request = IdempotentRequest(key: idempotencyKey, operation: "\(action) \(principal) as \(role) on \(caseID)", caseID: caseID, actor: actor, input: input)
        if let replay = try replay(request, actor: actor, attributes: attributes) { return replay }
        var problems: [InputProblem] = []
        if !admitted.workflow.definition.roles.contains(where: { $0.value == role }) {
            problems.append(InputProblem(field: "role", message: "not a role of workflow '\(admitted.workflow.definition.id.value)'"))
        }
        if trimmed.isEmpty { problems.append(InputProblem(field: "reason", message: "say why who takes part changes")) }
        if let problem = FieldValues.controlCharacterProblem(trimmed, allowingLineBreaks: true) { problems.append(InputProblem(field: "reason", message: problem)) }
        guard problems.isEmpty else { throw .invalidInput(problems) }
        var next = admitted.record
        try change(&next.participants)
        let decided = DecidedChange(before: admitted.record, after: next, workflow: admitted.workflow, calendars: admitted.definitions.calendars,
                                    action: action, subject: principal.description, input: input)
        return try commit([decided], actor: actor, attributes: attributes, request: request, at: admitted.access.at)
    }

    /// Records that the owed notice `messageID` was sent by another route: by whom, how and on which day. Needs `edit`
    /// on `case` (those who may edit a case read every notice of it). Refused, changing nothing, for a message of
    /// another case or one sent through the portal, one already recorded as sent, or a day after today or before the
    /// notice was written. Audited as `notice_sent`.
    public func recordNoticeSent(
        caseID: String, message messageID: String, sentBy: String, route: String, sentOn: CalendarDate, as actor: CaseActor,
        attributes: [String: ExpressionValue], idempotencyKey: String? = nil
    ) throws(EngineError) -> ChangeResult {
        let admitted = try admit(caseID, actor: actor, attributes: attributes, action: "edit", resource: "case")
        let by = sentBy.trimmingCharacters(in: .whitespacesAndNewlines)
        let how = route.trimmingCharacters(in: .whitespacesAndNewlines)
        let input: [String: ExpressionValue] = ["message": .string(messageID), "sent_by": .string(by), "route": .string(how), "sent_on": .date(sentOn)]
        let request = IdempotentRequest(key: idempotencyKey, operation: "notice_sent \(messageID) on \(caseID)", caseID: caseID, actor: actor, input: input)
        if let replay = try replay(request, actor: actor, attributes: attributes) { return replay }
        var problems: [InputProblem] = []
        for (field, text) in [("sent_by", by), ("route", how)] {
            if text.isEmpty { problems.append(InputProblem(field: field, message: "must be given")) }
            if let problem = FieldValues.controlCharacterProblem(text, allowingLineBreaks: false) { problems.append(InputProblem(field: field, message: problem)) }
        }
        let messages = try storeCall { () throws(StoreError) in try store.outbox(caseID: caseID) }
        let today = CalendarDate(admitted.access.at)
        if let message = messages.first(where: { $0.id == messageID }) {
            if message.channel != .other {
                problems.append(InputProblem(field: "message", message: "'\(messageID)' goes through the portal; only a notice owed by another route is recorded as sent"))
            } else if sentOn < CalendarDate(message.createdAt) {
                problems.append(InputProblem(field: "sent_on", message: "\(sentOn) is before the notice was written (\(CalendarDate(message.createdAt)))"))
            }
        } else {
            problems.append(InputProblem(field: "message", message: "case '\(caseID)' has no notice '\(messageID)'"))
        }
        if sentOn > today { problems.append(InputProblem(field: "sent_on", message: "\(sentOn) is after today (\(today))")) }
        guard problems.isEmpty else { throw .invalidInput(problems) }
        if let earlier = admitted.record.noticesSent.first(where: { $0.message == messageID }) {
            throw .blocked(transition: "record notice sent",
                           blockers: [TransitionBlocker(.nothingToChange, "'\(messageID)' was already recorded as sent on \(earlier.sentOn) by \(earlier.route)")])
        }
        var next = admitted.record
        next.noticesSent.append(NoticeSent(message: messageID, sentBy: by, route: how, sentOn: sentOn))
        let decided = DecidedChange(before: admitted.record, after: next, workflow: admitted.workflow, calendars: admitted.definitions.calendars,
                                    action: "notice_sent", subject: messageID, input: input)
        return try commit([decided], actor: actor, attributes: attributes, request: request, at: admitted.access.at)
    }

    /// The notices of one case owed by another route, oldest first, each with its sending once recorded; `outstanding`
    /// keeps only those not yet sent. Needs `view` on `case.state` and `edit` on `case`: they are work for staff.
    public func owedNotices(
        caseID: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:], outstanding: Bool = false
    ) throws(EngineError) -> [OwedNotice] {
        let admitted = try admit(caseID, actor: actor, attributes: attributes, action: "view", resource: "case.state")
        guard admitted.access.editsCase else {
            throw .forbidden(reasons: ["notices owed by another route are work for those who may edit the case"])
        }
        let messages = try storeCall { () throws(StoreError) in try store.outbox(caseID: caseID) }
        return Self.owed(messages, record: admitted.record, outstanding: outstanding)
    }

    /// The notices still owed by another route on every case `actor` may edit, by case id then oldest first: the work
    /// list staff send from. Cases the actor may not edit are left out, not refused.
    public func owedNotices(as actor: CaseActor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> [OwedNotice] {
        var owed: [OwedNotice] = []
        for summary in try cases(visibleTo: actor, attributes: attributes) where summary.damage == nil {
            do {
                owed += try owedNotices(caseID: summary.id, as: actor, attributes: attributes, outstanding: true)
            } catch .forbidden {
                continue
            }
        }
        return owed
    }

    /// The owed messages among `messages`, each with its sending from `record`.
    private static func owed(_ messages: [OutboxMessage], record: CaseRecord, outstanding: Bool) -> [OwedNotice] {
        messages.filter { $0.channel == .other }.compactMap { message in
            let sent = record.noticesSent.first { $0.message == message.id }
            return outstanding && sent != nil ? nil : OwedNotice(message: message, sent: sent)
        }
    }
}
