import CaseworkTime

// The canonical bytes of the record parts an audit event carries: each writes the members its `Encodable` form
// encodes, optional ones only when present, in sorted key order (the order each `member` list below is written in).

extension CaseActor: CanonicallyWritable {
    /// `{"id","operator" (only when true),"organisation" (when present),"role"}`.
    package func write(to writer: inout CanonicalJSON) {
        writer.object { writer in
            writer.member("id")
            writer.string(id)
            if isOperator {
                writer.member("operator")
                writer.bool(true)
            }
            if let organisation {
                writer.member("organisation")
                writer.string(organisation)
            }
            writer.member("role")
            writer.string(role)
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
            if let from {
                writer.member("from")
                writer.string(from.description)
            }
            if let grantedBy {
                writer.member("grantedBy")
                writer.string(grantedBy)
            }
            writer.member("level")
            writer.string(level)
            if let reason {
                writer.member("reason")
                writer.string(reason)
            }
            if let sections {
                writer.member("sections")
                writer.array(sections)
            }
            writer.member("to")
            to.write(to: &writer)
            if let until {
                writer.member("until")
                writer.string(until.description)
            }
        }
    }
}

extension FormInstance: CanonicallyWritable {
    /// `{"dueOn","fields","form","formVersion","id","informationRequired","recipientID","recipientRole","status","submissions"}`.
    package func write(to writer: inout CanonicalJSON) {
        writer.object { writer in
            writer.member("dueOn")
            writer.string(dueOn.description)
            writer.member("fields")
            writer.values(fields)
            writer.member("form")
            writer.string(form)
            writer.member("formVersion")
            writer.integer(formVersion)
            writer.member("id")
            writer.string(id)
            if let informationRequired {
                writer.member("informationRequired")
                writer.string(informationRequired)
            }
            if let recipientID {
                writer.member("recipientID")
                writer.string(recipientID)
            }
            writer.member("recipientRole")
            writer.string(recipientRole)
            writer.member("status")
            writer.string(status.rawValue)
            writer.member("submissions")
            writer.integer(submissions)
        }
    }
}

extension DeadlineRecord: CanonicallyWritable {
    /// The keys of the first stored format, and the later ones (`exception`, `remindersSkipped`, `closedOn`,
    /// `earlier`) only when set, as its `Encodable` form writes them.
    package func write(to writer: inout CanonicalJSON) {
        writer.object { writer in
            if let breachedOn {
                writer.member("breachedOn")
                writer.string(breachedOn.description)
            }
            if let closedOn {
                writer.member("closedOn")
                writer.string(closedOn.description)
            }
            writer.member("dueOn")
            writer.string(dueOn.description)
            if !earlier.isEmpty {
                writer.member("earlier")
                writer.array(earlier) { $1.write(to: &$0) }
            }
            if let exception {
                writer.member("exception")
                writer.string(exception)
            }
            if let metOn {
                writer.member("metOn")
                writer.string(metOn.description)
            }
            writer.member("name")
            writer.string(name)
            writer.member("pausedDays")
            writer.integer(pausedDays)
            if let pausedOn {
                writer.member("pausedOn")
                writer.string(pausedOn.description)
            }
            if let reason {
                writer.member("reason")
                writer.string(reason)
            }
            writer.member("remindersSent")
            writer.array(remindersSent)
            if !remindersSkipped.isEmpty {
                writer.member("remindersSkipped")
                writer.array(remindersSkipped)
            }
            writer.member("startedOn")
            writer.string(startedOn.description)
            writer.member("status")
            writer.string(status.rawValue)
        }
    }
}

extension NoticeSent: CanonicallyWritable {
    /// `{"message","route","sentBy","sentOn"}`.
    package func write(to writer: inout CanonicalJSON) {
        writer.object { writer in
            writer.member("message")
            writer.string(message)
            writer.member("route")
            writer.string(route)
            writer.member("sentBy")
            writer.string(sentBy)
            writer.member("sentOn")
            writer.string(sentOn.description)
        }
    }
}

extension CaseParticipants: CanonicallyWritable {
    /// `{"ROLE":["PRINCIPAL",…]}`, roles sorted.
    package func write(to writer: inout CanonicalJSON) {
        writer.object(byRole) { $0.array($1) }
    }
}
