import CaseworkDefinitions
import Foundation

/// How a notice reaches its recipient.
public enum NoticeChannel: String, Sendable, Hashable, Codable, CaseIterable {
    /// Through the portal: a deliverer claims it, sends it and acknowledges it.
    case portal
    /// By another route (post, email outside the portal): owed, a work item for staff, who record when they sent it.
    case other
}

/// Why a notice is owed by another route rather than delivered through the portal. Worded neutrally, naming no one,
/// so it tells staff nothing they cannot already see.
public enum OwedReason: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// The case names no one for the recipient's role yet.
    case noParticipant = "no_participant"
    /// The access policy does not let the recipient see the case through the portal.
    case noPortalAccess = "no_portal_access"

    /// The reason in plain words.
    public var description: String {
        switch self {
        case .noParticipant: "no one is named for this role on the case yet"
        case .noPortalAccess: "the access policy does not let this recipient see the case through the portal"
        }
    }
}

/// A rendered notification, written in the same commit as the change that caused it: delivered through the portal,
/// or owed by another route.
///
/// A deliverer claims portal messages for a lease, sends them and acknowledges them.
/// A message whose lease runs out unacknowledged can be claimed again, so
/// delivery is at least once; the stable `id` lets the receiving side drop repeats. A message owed by another route
/// (``channel`` `.other`) is never claimed: staff send it and record that they did.
///
/// Its optional members spell `Optional` out: a `T?` stored property starts as nil before the initialiser runs, and
/// assigning it there made the initialiser copy the whole message and destroy the first (docs/performance.md, Benchmarks,
/// session 25). Its initialiser assigns the members in the order they are declared, for the same reason.
public struct OutboxMessage: Sendable, Hashable, Codable {
    /// Stable id: `CASE/REVISION/N`; unique across the store, which refuses a message whose id any case holds.
    public var id: String
    /// The case.
    public var caseID: String
    /// When it was written.
    public var createdAt: Date
    /// The role it is for.
    public var recipientRole: String
    /// The person or organisation it is for, when the case names one for the role.
    public var recipientID: Optional<String>
    /// The template it was rendered from.
    public var template: String
    /// The rendered subject.
    public var subject: String
    /// The rendered body.
    public var body: String
    /// Who holds the current claim, if anyone.
    public var claimedBy: Optional<String>
    /// When the current claim runs out.
    public var leaseUntil: Optional<Date>
    /// How many times it has been claimed.
    public var attempts: Int
    /// When delivery was acknowledged.
    public var deliveredAt: Optional<Date>
    /// How it reaches its recipient; `.portal` for messages written before notices could be owed.
    public var channel: NoticeChannel
    /// Why it is owed by another route; nil for a portal message.
    public var owedReason: Optional<OwedReason>

    /// Creates an unclaimed message, through the portal unless `channel` says otherwise.
    public init(
        id: String, caseID: String, createdAt: Date, recipientRole: String, recipientID: String?, template: String, subject: String, body: String,
        channel: NoticeChannel = .portal, owedReason: OwedReason? = nil
    ) {
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
        self.channel = channel
        self.owedReason = owedReason
    }

    /// Whether a claim at `now` may take it: a portal message, undelivered, and unclaimed or with its lease run out.
    public func isClaimable(at now: Date) -> Bool {
        channel == .portal && deliveredAt == nil && (leaseUntil.map { $0 <= now } ?? true)
    }

    private enum CodingKeys: String, CodingKey {
        case id, caseID, createdAt, recipientRole, recipientID, template, subject, body, claimedBy, leaseUntil, attempts, deliveredAt, channel, owedReason
    }

    /// Reads a message; one written before notices could be owed has no channel and is a portal message.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        caseID = try container.decode(String.self, forKey: .caseID)
        createdAt = try container.decode(Date.self, forKey: .createdAt)
        recipientRole = try container.decode(String.self, forKey: .recipientRole)
        recipientID = try container.decodeIfPresent(String.self, forKey: .recipientID)
        template = try container.decode(String.self, forKey: .template)
        subject = try container.decode(String.self, forKey: .subject)
        body = try container.decode(String.self, forKey: .body)
        claimedBy = try container.decodeIfPresent(String.self, forKey: .claimedBy)
        leaseUntil = try container.decodeIfPresent(Date.self, forKey: .leaseUntil)
        attempts = try container.decode(Int.self, forKey: .attempts)
        deliveredAt = try container.decodeIfPresent(Date.self, forKey: .deliveredAt)
        channel = try container.decodeIfPresent(NoticeChannel.self, forKey: .channel) ?? .portal
        owedReason = try container.decodeIfPresent(OwedReason.self, forKey: .owedReason)
        guard (channel == .other) == (owedReason != nil) else {
            throw DecodingError.dataCorruptedError(forKey: .owedReason, in: container,
                                                   debugDescription: "a message owed by another route carries its reason, and only such a message does")
        }
    }
}

extension OutboxMessage: CanonicallyWritable {
    /// The message as stored, what its `Encodable` form writes: `{"attempts","body","caseID","channel","claimedBy",
    /// "createdAt","deliveredAt","id","leaseUntil","owedReason","recipientID","recipientRole","subject","template"}`,
    /// the optional ones when present, times as seconds since 1970.
    package func write(to writer: inout CanonicalJSON) {
        writer.object { writer in
            writer.member("attempts", attempts)
            writer.member("body", body)
            writer.member("caseID", caseID)
            writer.member("channel", channel.rawValue)
            writer.member("claimedBy", claimedBy)
            writer.member("createdAt", createdAt)
            writer.member("deliveredAt", deliveredAt)
            writer.member("id", id)
            writer.member("leaseUntil", leaseUntil)
            writer.member("owedReason", owedReason?.rawValue)
            writer.member("recipientID", recipientID)
            writer.member("recipientRole", recipientRole)
            writer.member("subject", subject)
            writer.member("template", template)
        }
    }
}
