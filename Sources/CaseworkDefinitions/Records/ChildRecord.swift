import CaseworkExpressions
import CaseworkTime
import Foundation

/// A child whose cases the council keeps: identity fields, the people with a relationship to the child, and the grants
/// given for the child, which cover every case that belongs to it (the portals' "authenticate once, then see each of
/// your children's cases").
///
/// Kept by the store beside the cases, with its own audit chain (``revision`` and ``auditHead`` as a case's). A case
/// names its child when it is opened (``CaseRecord/child``); the child record does not list its cases, so opening one
/// never changes the child.
public struct ChildRecord: Sendable, Hashable, Codable {
    /// The council's id for the child (``Identifier`` rules).
    public var id: String
    /// Identity fields by dotted path (`first_name`, `date_of_birth`, `upn`), typed like a workflow's fields.
    public var fields: [String: ExpressionValue]
    /// The people with a relationship to the child, in the order recorded.
    public var people: [ChildPerson]
    /// The grants given for the child; each covers every case of the child that has no grant of its own for the same
    /// principal (``CaseRecord/grants`` win, being more specific).
    public var grants: [AccessGrant]
    /// How many changes the record has had; every change raises it by one.
    public var revision: Int
    /// When the record was added.
    public var createdAt: Date
    /// When it last changed.
    public var updatedAt: Date
    /// The hash of the latest event of the child's audit chain.
    public var auditHead: String

    /// Creates a child record.
    public init(
        id: String, fields: [String: ExpressionValue] = [:], people: [ChildPerson] = [], grants: [AccessGrant] = [], revision: Int,
        createdAt: Date, updatedAt: Date, auditHead: String
    ) {
        self.id = id
        self.fields = fields
        self.people = people
        self.grants = grants
        self.revision = revision
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.auditHead = auditHead
    }

    /// Why a stored record cannot be handed to the engine (its revision at the largest value), or nil.
    public var counterAtLimit: String? {
        revision == Int.max ? "its revision is at the largest value a revision can have" : nil
    }
}

/// A person with a relationship to a child: who, how related, whether they hold parental responsibility, and for which days.
public struct ChildPerson: Sendable, Hashable, Codable {
    /// The person (or organisation, for a corporate parent).
    public var principal: Principal
    /// The relationship, in the council's words (`mother`, `foster_carer`).
    public var relationship: String
    /// Whether they hold parental responsibility (Children Act 1989 s.3).
    public var parentalResponsibility: Bool
    /// The first day the relationship holds, when known.
    public var from: CalendarDate?
    /// The last day it holds, when it has ended.
    public var until: CalendarDate?

    /// Creates a person.
    public init(principal: Principal, relationship: String, parentalResponsibility: Bool, from: CalendarDate? = nil, until: CalendarDate? = nil) {
        self.principal = principal
        self.relationship = relationship
        self.parentalResponsibility = parentalResponsibility
        self.from = from
        self.until = until
    }
}

extension ChildPerson: CanonicallyWritable {
    /// `{"from","parentalResponsibility","principal","relationship","until"}`, `from` and `until` when set.
    package func write(to writer: inout CanonicalJSON) {
        writer.object { writer in
            writer.member("from", from)
            writer.member("parentalResponsibility", parentalResponsibility)
            writer.member("principal", principal)
            writer.member("relationship", relationship)
            writer.member("until", until)
        }
    }
}

extension ChildRecord: CanonicallyWritable {
    /// The record as stored: `{"auditHead","createdAt","fields","grants","id","people","revision","updatedAt"}`, times as
    /// seconds since 1970.
    package func write(to writer: inout CanonicalJSON) {
        writer.object { writer in
            writer.member("auditHead", auditHead)
            writer.member("createdAt", createdAt)
            writer.member("fields", fields)
            writer.member("grants", grants)
            writer.member("id", id)
            writer.member("people", people)
            writer.member("revision", revision)
            writer.member("updatedAt", updatedAt)
        }
    }
}
