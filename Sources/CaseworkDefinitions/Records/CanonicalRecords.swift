import CaseworkTime
import Foundation

// The canonical bytes of the case record and of the record parts an audit event carries: each writes the members its
// `Encodable` form encodes, optional ones only when present, in sorted key order (the order each list of members below
// is written in).

extension CaseRecord: CanonicallyWritable {
    /// The record as stored: `{"auditHead","child" (when present),"deadlines","definitionSnapshot" (when present),"fields","forms","grants","id",
    /// "links" (when any),"noticesSent","openedAt","participants","revision","state","updatedAt","workflow","workflowVersion"}`, times as
    /// seconds since 1970.
    package func write(to writer: inout CanonicalJSON) {
        writer.object { writer in
            writer.member("auditHead", auditHead)
            writer.member("child", child)
            writer.member("deadlines", deadlines)
            writer.member("definitionSnapshot", definitionSnapshot)
            writer.member("fields", fields)
            writer.member("forms", forms)
            writer.member("grants", grants)
            writer.member("id", id)
            writer.member("links", links.isEmpty ? nil : links)
            writer.member("noticesSent", noticesSent)
            writer.member("openedAt", openedAt)
            writer.member("participants", participants)
            writer.member("revision", revision)
            writer.member("state", state)
            writer.member("updatedAt", updatedAt)
            writer.member("workflow", workflow)
            writer.member("workflowVersion", workflowVersion)
        }
    }
}

extension CaseActor: CanonicallyWritable {
    /// `{"id","operator" (only when true),"organisation" (when present),"role"}`.
    package func write(to writer: inout CanonicalJSON) {
        writer.object { writer in
            writer.member("id", id)
            writer.member("operator", isOperator ? true : nil)
            writer.member("organisation", organisation)
            writer.member("role", role)
        }
    }
}

extension Intermediary: CanonicallyWritable {
    /// `{"kind","name"}`, as its `Encodable` form writes it.
    package func write(to writer: inout CanonicalJSON) {
        writer.object { writer in
            writer.member("kind", kind.rawValue)
            writer.member("name", name)
        }
    }
}

extension Principal: CanonicallyWritable {
    /// A person as the bare id, an organisation as `organisation:ID`, as its `Encodable` form writes them.
    package func write(to writer: inout CanonicalJSON) {
        switch self {
        case .person(let id): writer.string(id)
        case .organisation: writer.string(description)
        }
    }
}

extension AccessGrant: CanonicallyWritable {
    /// `{"from","grantedBy","level","reason","sections","to","until"}`, the optional ones when present.
    package func write(to writer: inout CanonicalJSON) {
        writer.object { writer in
            writer.member("from", from)
            writer.member("grantedBy", grantedBy)
            writer.member("level", level)
            writer.member("reason", reason)
            writer.member("sections", sections)
            writer.member("to", to)
            writer.member("until", until)
        }
    }
}

extension FormInstance: CanonicallyWritable {
    /// `{"dueOn","fields","form","formVersion","id","informationRequired","recipientID","recipientRole","status","submissions"}`.
    package func write(to writer: inout CanonicalJSON) {
        writer.object { writer in
            writer.member("dueOn", dueOn)
            writer.member("fields", fields)
            writer.member("form", form)
            writer.member("formVersion", formVersion)
            writer.member("id", id)
            writer.member("informationRequired", informationRequired)
            writer.member("recipientID", recipientID)
            writer.member("recipientRole", recipientRole)
            writer.member("status", status.rawValue)
            writer.member("submissions", submissions)
        }
    }
}

extension DeadlineRecord: CanonicallyWritable {
    /// The keys of the first stored format, and the later ones (`exception`, `remindersSkipped`, `closedOn`,
    /// `earlier`) only when set, as its `Encodable` form writes them.
    package func write(to writer: inout CanonicalJSON) {
        writer.object { writer in
            writer.member("breachedOn", breachedOn)
            writer.member("closedOn", closedOn)
            writer.member("dueOn", dueOn)
            writer.member("earlier", earlier.isEmpty ? nil : earlier)
            writer.member("exception", exception)
            writer.member("metOn", metOn)
            writer.member("name", name)
            writer.member("pausedDays", pausedDays)
            writer.member("pausedOn", pausedOn)
            writer.member("reason", reason)
            writer.member("remindersSent", remindersSent)
            writer.member("remindersSkipped", remindersSkipped.isEmpty ? nil : remindersSkipped)
            writer.member("startedOn", startedOn)
            writer.member("status", status.rawValue)
        }
    }
}

extension CaseLink: CanonicallyWritable {
    /// `{"case","name","role","workflow"}`.
    package func write(to writer: inout CanonicalJSON) {
        writer.object { writer in
            writer.member("case", caseID)
            writer.member("name", name)
            writer.member("role", role.rawValue)
            writer.member("workflow", workflow)
        }
    }
}

extension NoticeSent: CanonicallyWritable {
    /// `{"message","route","sentBy","sentOn"}`.
    package func write(to writer: inout CanonicalJSON) {
        writer.object { writer in
            writer.member("message", message)
            writer.member("route", route)
            writer.member("sentBy", sentBy)
            writer.member("sentOn", sentOn)
        }
    }
}

extension CaseParticipants: CanonicallyWritable {
    /// `{"ROLE":["PRINCIPAL",…]}`, roles sorted.
    package func write(to writer: inout CanonicalJSON) { byRole.write(to: &writer) }
}
