import CaseworkDefinitions
import CaseworkExpressions
import CaseworkStore
import Foundation

/// What an idempotency key remembers of the request it answered: what was done, and a fingerprint of the
/// whole request (operation, case, actor and every value given), so the same key with another request is
/// a conflict rather than a silent replay of the first.
///
/// Keys belong to the actor who used them: the stored key is the actor's and the caller's key together,
/// so one actor can never replay, or learn anything from, another's key.
struct IdempotentRequest: Sendable {
    /// What was done, in words (`fire make_representations on c1`); empty for a request without a key, for which nothing
    /// reads it.
    let operation: String
    /// The SHA-256 of the request's canonical JSON; worked out only when there is a key to bind it to.
    let fingerprint: String?
    /// The actor's own key: the actor and the caller's key together.
    let scopedKey: String?

    private struct Content: Encodable {
        var operation: String
        var caseID: String
        var actor: CaseActor
        var input: [String: ExpressionValue]
        var details: [String: String]
    }

    /// Describes a request; `details` holds anything else it depends on (an expected revision, a grant's level and dates).
    /// The operation's words are put together only when there is a key to remember them by: most requests have none.
    init(
        key: String?, operation: @autoclosure () -> String, caseID: String, actor: CaseActor, input: [String: ExpressionValue] = [:],
        details: @autoclosure () -> [String: String] = [:]
    ) {
        let operation = key == nil ? "" : operation()
        self.operation = operation
        fingerprint = key.map { _ in SHA256.hex(StoredJSON.encode(Content(operation: operation, caseID: caseID, actor: actor, input: input, details: details()))) }
        scopedKey = key.map { "\(actor.description) \($0)" }
    }

    /// What the store keeps in the idempotency record's `request`.
    var stored: String { "\(operation) sha256:\(fingerprint ?? "")" }

    /// The record to commit with the change this request made.
    func record(caseID: String, state: String, revision: Int) -> IdempotencyRecord? {
        scopedKey.map { IdempotencyRecord(key: $0, caseID: caseID, request: stored, state: state, revision: revision) }
    }
}
