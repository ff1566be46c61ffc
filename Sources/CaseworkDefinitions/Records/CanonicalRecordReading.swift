import CaseworkExpressions
import CaseworkTime
import Foundation

// The case record and its parts read back from a stored row by the ``CanonicalJSONReader``: each reads exactly what its
// `Decodable` form reads (the members it requires, the optional ones absent or `null`, members it does not know
// skipped), so a row reads to the same value either way; `StoredRowReaderTests` checks that over generated records.

/// The failure a shape reports about a value it read.
private typealias Failure = CanonicalJSONReader.Failure

extension CaseRecord: CanonicallyReadable {
    /// Reads a record; one written before notices owed were recorded as sent has none.
    package init(reading reader: inout CanonicalJSONReader) throws(CanonicalJSONReader.Failure) {
        var id: String?, workflow: String?, workflowVersion: Int?, state: String?, revision: Int?
        var fields: [String: ExpressionValue]?, participants: CaseParticipants?, forms: [FormInstance]?
        var openedAt: Date?, updatedAt: Date?, auditHead: String?, deadlines: [DeadlineRecord]?, grants: [AccessGrant]?
        var definitionSnapshot: String??, noticesSent: [NoticeSent]??, child: String??, links: [CaseLink]?
        try reader.object { (reader: inout CanonicalJSONReader, key: String) throws(Failure) in
            switch key {
            case "auditHead": try reader.member(&auditHead, key) { (reader) throws(Failure) in try reader.string() }
            case "child": try reader.member(&child, key) { (reader) throws(Failure) in try reader.optional { (reader) throws(Failure) in try reader.string() } }
            case "deadlines": try reader.member(&deadlines, key) { (reader) throws(Failure) in try reader.list(DeadlineRecord.init(reading:)) }
            case "definitionSnapshot":
                try reader.member(&definitionSnapshot, key) { (reader) throws(Failure) in try reader.optional { (reader) throws(Failure) in try reader.string() } }
            case "fields": try reader.member(&fields, key) { (reader) throws(Failure) in try reader.dictionary(ExpressionValue.init(reading:)) }
            case "forms": try reader.member(&forms, key) { (reader) throws(Failure) in try reader.list(FormInstance.init(reading:)) }
            case "grants": try reader.member(&grants, key) { (reader) throws(Failure) in try reader.list(AccessGrant.init(reading:)) }
            case "id": try reader.member(&id, key) { (reader) throws(Failure) in try reader.string() }
            case "links": try reader.member(&links, key) { (reader) throws(Failure) in try reader.list(CaseLink.init(reading:)) }
            case "noticesSent":
                try reader.member(&noticesSent, key) { (reader) throws(Failure) in try reader.optional { (reader) throws(Failure) in try reader.list(NoticeSent.init(reading:)) } }
            case "openedAt": try reader.member(&openedAt, key) { (reader) throws(Failure) in try reader.instant() }
            case "participants": try reader.member(&participants, key, CaseParticipants.init(reading:))
            case "revision": try reader.member(&revision, key) { (reader) throws(Failure) in try reader.integer() }
            case "state": try reader.member(&state, key) { (reader) throws(Failure) in try reader.string() }
            case "updatedAt": try reader.member(&updatedAt, key) { (reader) throws(Failure) in try reader.instant() }
            case "workflow": try reader.member(&workflow, key) { (reader) throws(Failure) in try reader.string() }
            case "workflowVersion": try reader.member(&workflowVersion, key) { (reader) throws(Failure) in try reader.integer() }
            default: try reader.skipValue()
            }
        }
        self.init(
            id: try reader.required(id, "id"), workflow: try reader.required(workflow, "workflow"),
            workflowVersion: try reader.required(workflowVersion, "workflowVersion"), state: try reader.required(state, "state"),
            revision: try reader.required(revision, "revision"), fields: try reader.required(fields, "fields"),
            participants: try reader.required(participants, "participants"), forms: try reader.required(forms, "forms"),
            openedAt: try reader.required(openedAt, "openedAt"), updatedAt: try reader.required(updatedAt, "updatedAt"),
            auditHead: try reader.required(auditHead, "auditHead"), deadlines: try reader.required(deadlines, "deadlines"),
            grants: try reader.required(grants, "grants"), definitionSnapshot: definitionSnapshot ?? nil, noticesSent: (noticesSent ?? nil) ?? [],
            child: child ?? nil)
        self.links = links ?? []
    }
}

extension CaseLink: CanonicallyReadable {
    /// Reads `{"case","name","role","workflow"}`.
    package init(reading reader: inout CanonicalJSONReader) throws(CanonicalJSONReader.Failure) {
        var caseID: String?, name: String?, role: CaseLinkRole?, workflow: String?
        try reader.object { (reader: inout CanonicalJSONReader, key: String) throws(Failure) in
            switch key {
            case "case": try reader.member(&caseID, key) { (reader) throws(Failure) in try reader.string() }
            case "name": try reader.member(&name, key) { (reader) throws(Failure) in try reader.string() }
            case "role": try reader.member(&role, key) { (reader) throws(Failure) in try reader.converted(CaseLinkRole.init(rawValue:), "not a link role") }
            case "workflow": try reader.member(&workflow, key) { (reader) throws(Failure) in try reader.string() }
            default: try reader.skipValue()
            }
        }
        self.init(name: try reader.required(name, "name"), caseID: try reader.required(caseID, "case"), workflow: try reader.required(workflow, "workflow"),
                  role: try reader.required(role, "role"))
    }
}

extension ExpressionValue: CanonicallyReadable {
    /// Reads the tagged form (`{"int":7}`, `{"decimal":"2.5"}`): exactly one type key, members it does not know skipped.
    package init(reading reader: inout CanonicalJSONReader) throws(CanonicalJSONReader.Failure) {
        var value: ExpressionValue?
        try reader.object { (reader: inout CanonicalJSONReader, key: String) throws(Failure) in
            let read: ((inout CanonicalJSONReader) throws(Failure) -> ExpressionValue)?
            switch key {
            case "bool": read = { (reader) throws(Failure) in .bool(try reader.bool()) }
            case "int": read = { (reader) throws(Failure) in .int(try reader.integer()) }
            case "string": read = { (reader) throws(Failure) in .string(try reader.string()) }
            case "list": read = { (reader) throws(Failure) in .list(try reader.list(ExpressionValue.init(reading:))) }
            case "decimal": read = { (reader) throws(Failure) in .decimal(try reader.converted(ExpressionValue.decimal(storedText:), "not a decimal")) }
            case "date": read = { (reader) throws(Failure) in .date(try reader.day()) }
            case "datetime": read = { (reader) throws(Failure) in .datetime(try reader.instant()) }
            case "duration": read = { (reader) throws(Failure) in .duration(try reader.converted(ExpressionValue.duration(storedText:), "not a duration")) }
            default: read = nil
            }
            guard let read else { return try reader.skipValue() }
            guard value == nil else { throw reader.failure("a value has exactly one type key") }
            value = try read(&reader)
        }
        guard let value else { throw reader.failure("a value has exactly one type key") }
        self = value
    }
}

extension CaseParticipants: CanonicallyReadable {
    /// Reads `{"ROLE": ["PRINCIPAL", …]}`, or the older `{"ROLE": "PRINCIPAL"}` of one participant per role.
    package init(reading reader: inout CanonicalJSONReader) throws(CanonicalJSONReader.Failure) {
        let lists = try reader.dictionary { (reader) throws(Failure) -> [String] in
            if try reader.peekIsString() { return [try reader.string()] }
            return try reader.list { (reader) throws(Failure) in try reader.string() }
        }
        self.init(lists)
    }
}

extension FormInstance: CanonicallyReadable {
    /// Reads `{"dueOn","fields","form","formVersion","id","informationRequired","recipientID","recipientRole","status","submissions"}`.
    package init(reading reader: inout CanonicalJSONReader) throws(CanonicalJSONReader.Failure) {
        var id: String?, form: String?, formVersion: Int?, recipientRole: String?, recipientID: String??, status: FormStatus?
        var fields: [String: ExpressionValue]?, dueOn: CalendarDate?, submissions: Int?, informationRequired: String??
        try reader.object { (reader: inout CanonicalJSONReader, key: String) throws(Failure) in
            switch key {
            case "dueOn": try reader.member(&dueOn, key) { (reader) throws(Failure) in try reader.day() }
            case "fields": try reader.member(&fields, key) { (reader) throws(Failure) in try reader.dictionary(ExpressionValue.init(reading:)) }
            case "form": try reader.member(&form, key) { (reader) throws(Failure) in try reader.string() }
            case "formVersion": try reader.member(&formVersion, key) { (reader) throws(Failure) in try reader.integer() }
            case "id": try reader.member(&id, key) { (reader) throws(Failure) in try reader.string() }
            case "informationRequired": try reader.member(&informationRequired, key) { (reader) throws(Failure) in try reader.optionalString() }
            case "recipientID": try reader.member(&recipientID, key) { (reader) throws(Failure) in try reader.optionalString() }
            case "recipientRole": try reader.member(&recipientRole, key) { (reader) throws(Failure) in try reader.string() }
            case "status": try reader.member(&status, key) { (reader) throws(Failure) in try reader.converted(FormStatus.init(rawValue:), "not a form status") }
            case "submissions": try reader.member(&submissions, key) { (reader) throws(Failure) in try reader.integer() }
            default: try reader.skipValue()
            }
        }
        self.init(
            id: try reader.required(id, "id"), form: try reader.required(form, "form"), formVersion: try reader.required(formVersion, "formVersion"),
            recipientRole: try reader.required(recipientRole, "recipientRole"), recipientID: recipientID ?? nil,
            status: try reader.required(status, "status"), fields: try reader.required(fields, "fields"), dueOn: try reader.required(dueOn, "dueOn"),
            submissions: try reader.required(submissions, "submissions"), informationRequired: informationRequired ?? nil)
    }
}

extension DeadlineRecord: CanonicallyReadable {
    /// Reads a clock; the keys added after the first stored format (`exception`, `remindersSkipped`, `closedOn`,
    /// `earlier`) may be absent.
    package init(reading reader: inout CanonicalJSONReader) throws(CanonicalJSONReader.Failure) {
        var name: String?, status: DeadlineStatus?, startedOn: CalendarDate?, dueOn: CalendarDate?, pausedOn: CalendarDate??
        var pausedDays: Int?, remindersSent: [Int]?, metOn: CalendarDate??, breachedOn: CalendarDate??, reason: String??
        var exception: String??, remindersSkipped: [Int]??, closedOn: CalendarDate??, earlier: [DeadlineRecord]??
        try reader.object { (reader: inout CanonicalJSONReader, key: String) throws(Failure) in
            switch key {
            case "breachedOn": try reader.member(&breachedOn, key) { (reader) throws(Failure) in try reader.optionalDay() }
            case "closedOn": try reader.member(&closedOn, key) { (reader) throws(Failure) in try reader.optionalDay() }
            case "dueOn": try reader.member(&dueOn, key) { (reader) throws(Failure) in try reader.day() }
            case "earlier":
                try reader.member(&earlier, key) { (reader) throws(Failure) in try reader.optional { (reader) throws(Failure) in try reader.list(DeadlineRecord.init(reading:)) } }
            case "exception": try reader.member(&exception, key) { (reader) throws(Failure) in try reader.optionalString() }
            case "metOn": try reader.member(&metOn, key) { (reader) throws(Failure) in try reader.optionalDay() }
            case "name": try reader.member(&name, key) { (reader) throws(Failure) in try reader.string() }
            case "pausedDays": try reader.member(&pausedDays, key) { (reader) throws(Failure) in try reader.integer() }
            case "pausedOn": try reader.member(&pausedOn, key) { (reader) throws(Failure) in try reader.optionalDay() }
            case "reason": try reader.member(&reason, key) { (reader) throws(Failure) in try reader.optionalString() }
            case "remindersSent": try reader.member(&remindersSent, key) { (reader) throws(Failure) in try reader.list { (reader) throws(Failure) in try reader.integer() } }
            case "remindersSkipped":
                try reader.member(&remindersSkipped, key) { (reader) throws(Failure) in
                    try reader.optional { (reader) throws(Failure) in try reader.list { (reader) throws(Failure) in try reader.integer() } }
                }
            case "startedOn": try reader.member(&startedOn, key) { (reader) throws(Failure) in try reader.day() }
            case "status": try reader.member(&status, key) { (reader) throws(Failure) in try reader.converted(DeadlineStatus.init(rawValue:), "not a deadline status") }
            default: try reader.skipValue()
            }
        }
        self.init(name: try reader.required(name, "name"), startedOn: try reader.required(startedOn, "startedOn"), dueOn: try reader.required(dueOn, "dueOn"))
        self.status = try reader.required(status, "status")
        self.pausedOn = pausedOn ?? nil
        self.pausedDays = try reader.required(pausedDays, "pausedDays")
        self.remindersSent = try reader.required(remindersSent, "remindersSent")
        self.metOn = metOn ?? nil
        self.breachedOn = breachedOn ?? nil
        self.reason = reason ?? nil
        self.exception = exception ?? nil
        self.remindersSkipped = (remindersSkipped ?? nil) ?? []
        self.closedOn = closedOn ?? nil
        self.earlier = (earlier ?? nil) ?? []
    }
}

extension AccessGrant: CanonicallyReadable {
    /// Reads `{"from","grantedBy","level","reason","sections","to","until"}`, the optional ones absent or `null`.
    package init(reading reader: inout CanonicalJSONReader) throws(CanonicalJSONReader.Failure) {
        var to: Principal?, level: String?, sections: [String]??, from: CalendarDate??, until: CalendarDate??
        var grantedBy: String??, reason: String??
        try reader.object { (reader: inout CanonicalJSONReader, key: String) throws(Failure) in
            switch key {
            case "from": try reader.member(&from, key) { (reader) throws(Failure) in try reader.optionalDay() }
            case "grantedBy": try reader.member(&grantedBy, key) { (reader) throws(Failure) in try reader.optionalString() }
            case "level": try reader.member(&level, key) { (reader) throws(Failure) in try reader.string() }
            case "reason": try reader.member(&reason, key) { (reader) throws(Failure) in try reader.optionalString() }
            case "sections":
                try reader.member(&sections, key) { (reader) throws(Failure) in
                    try reader.optional { (reader) throws(Failure) in try reader.list { (reader) throws(Failure) in try reader.string() } }
                }
            case "to": try reader.member(&to, key) { (reader) throws(Failure) in try reader.converted(Principal.parsed, "not a principal") }
            case "until": try reader.member(&until, key) { (reader) throws(Failure) in try reader.optionalDay() }
            default: try reader.skipValue()
            }
        }
        self.init(
            to: try reader.required(to, "to"), level: try reader.required(level, "level"), sections: sections ?? nil, from: from ?? nil,
            until: until ?? nil, grantedBy: grantedBy ?? nil, reason: reason ?? nil)
    }
}

extension NoticeSent: CanonicallyReadable {
    /// Reads `{"message","route","sentBy","sentOn"}`.
    package init(reading reader: inout CanonicalJSONReader) throws(CanonicalJSONReader.Failure) {
        var message: String?, route: String?, sentBy: String?, sentOn: CalendarDate?
        try reader.object { (reader: inout CanonicalJSONReader, key: String) throws(Failure) in
            switch key {
            case "message": try reader.member(&message, key) { (reader) throws(Failure) in try reader.string() }
            case "route": try reader.member(&route, key) { (reader) throws(Failure) in try reader.string() }
            case "sentBy": try reader.member(&sentBy, key) { (reader) throws(Failure) in try reader.string() }
            case "sentOn": try reader.member(&sentOn, key) { (reader) throws(Failure) in try reader.day() }
            default: try reader.skipValue()
            }
        }
        self.init(
            message: try reader.required(message, "message"), sentBy: try reader.required(sentBy, "sentBy"), route: try reader.required(route, "route"),
            sentOn: try reader.required(sentOn, "sentOn"))
    }
}

extension CanonicalJSONReader {
    /// Reads a string and converts it with `convert`; text it refuses is a failure saying `what` it is not.
    package mutating func converted<Value>(_ convert: (String) -> Value?, _ what: String) throws(Failure) -> Value {
        let text = try string()
        guard let value = convert(text) else { throw failure("\(what): \(text)") }
        return value
    }

    /// Reads a day as `YYYY-MM-DD`.
    package mutating func day() throws(Failure) -> CalendarDate { try converted(CalendarDate.init, "not a date") }

    /// Reads an instant as seconds since 1970, as `.secondsSince1970` decodes a `Date`.
    package mutating func instant() throws(Failure) -> Date { Date(timeIntervalSince1970: try double()) }

    /// Reads a string, or `null` as nil.
    package mutating func optionalString() throws(Failure) -> String? { try optional { (reader) throws(Failure) in try reader.string() } }

    /// Reads a day, or `null` as nil.
    package mutating func optionalDay() throws(Failure) -> CalendarDate? { try optional { (reader) throws(Failure) in try reader.day() } }
}
