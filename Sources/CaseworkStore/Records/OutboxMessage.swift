import Foundation

/// A rendered notification waiting to be delivered, written in the same commit as the change that caused it.
///
/// A deliverer claims messages for a lease, sends them and acknowledges them.
/// A message whose lease runs out unacknowledged can be claimed again, so
/// delivery is at least once; the stable `id` lets the receiving side drop repeats.
public struct OutboxMessage: Sendable, Hashable, Codable {
    /// Stable id: `CASE/REVISION/N`.
    public var id: String
    /// The case.
    public var caseID: String
    /// When it was written.
    public var createdAt: Date
    /// The role it is for.
    public var recipientRole: String
    /// The person or organisation it is for, when the case names one for the role.
    public var recipientID: String?
    /// The template it was rendered from.
    public var template: String
    /// The rendered subject.
    public var subject: String
    /// The rendered body.
    public var body: String
    /// Who holds the current claim, if anyone.
    public var claimedBy: String?
    /// When the current claim runs out.
    public var leaseUntil: Date?
    /// How many times it has been claimed.
    public var attempts: Int
    /// When delivery was acknowledged.
    public var deliveredAt: Date?

    /// Creates an unclaimed message.
    public init(id: String, caseID: String, createdAt: Date, recipientRole: String, recipientID: String?, template: String, subject: String, body: String) {
        self.id = id
        self.caseID = caseID
        self.createdAt = createdAt
        self.recipientRole = recipientRole
        self.recipientID = recipientID
        self.template = template
        self.subject = subject
        self.body = body
        self.claimedBy = nil
        self.leaseUntil = nil
        self.attempts = 0
        self.deliveredAt = nil
    }

    /// Whether a claim at `now` may take it: undelivered, and unclaimed or with its lease run out.
    public func isClaimable(at now: Date) -> Bool {
        deliveredAt == nil && (leaseUntil.map { $0 <= now } ?? true)
    }
}
