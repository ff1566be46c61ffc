import CaseworkDefinitions
import CaseworkExpressions
import CaseworkStore
import Foundation

/// A document to add to a case: the bytes of the whole document, or of one section of a sectioned one.
public struct DocumentUpload: Sendable, Hashable {
    /// The document kind, as the case's workflow declares it.
    public var kind: String
    /// The section the bytes are, for a sectioned kind; nil for the whole document.
    public var section: String?
    /// The bytes' media type, which must be on the kind's allow-list.
    public var mediaType: String
    /// The bytes.
    public var bytes: [UInt8]
    /// Why it is added, when the person says.
    public var reason: String?
    /// The organisations (ids) the document is given to from this version on; nil keeps those of the latest version
    /// (none for a first version), an empty list gives it to none.
    public var sharedWith: [String]?

    /// Creates an upload.
    public init(kind: String, section: String? = nil, mediaType: String, bytes: [UInt8], reason: String? = nil, sharedWith: [String]? = nil) {
        self.sharedWith = sharedWith
        self.kind = kind
        self.section = section
        self.mediaType = mediaType
        self.bytes = bytes
        self.reason = reason
    }
}

/// One version of a document as one viewer may see it: every part the version has, each shown (with its size and hash)
/// or named as withheld with neither, so equal texts cannot be told apart by a hash the viewer may not see.
public struct DocumentView: Sendable, Hashable {
    /// One part as the viewer may see it.
    public struct Part: Sendable, Hashable {
        /// The section, or nil for the whole document.
        public var section: String?
        /// Its SHA-256, or nil when withheld.
        public var sha256: String?
        /// Its size in bytes, or nil when withheld.
        public var bytes: Int?
        /// Whether the viewer may not see it.
        public var withheld: Bool { sha256 == nil }
    }

    /// The case.
    public var caseID: String
    /// The document kind.
    public var kind: String
    /// The kind's title.
    public var title: String
    /// The version's number.
    public var version: Int
    /// The media type.
    public var mediaType: String
    /// The whole version's size, only when no part is withheld (a total would tell the size of a withheld part).
    public var bytes: Int?
    /// The role of who added it.
    public var addedByRole: String
    /// Who added it, only for those who may see who takes part in the case (`grant` on `case`), as for the history.
    public var addedBy: String?
    /// When.
    public var at: Date
    /// Why, when the person said.
    public var reason: String?
    /// Every part, in section order.
    public var parts: [Part]
    /// The organisations the document is given to (as its latest version records), only for those who may see who takes
    /// part in the case (`grant` on `case`), as ``addedBy`` is.
    public var sharedWith: [String]?
    /// The version that withdrew the document, when its latest version is a withdrawal: every version's view says so,
    /// an earlier one's included, so a reader of the record knows it is no longer current; nil while it is current.
    public var withdrawnIn: Int?

    /// Whether this version is the withdrawal itself, which holds no part.
    public var isWithdrawal: Bool { withdrawnIn == version }
}

/// Documents: added as a case change through the one commit path, read through the door, part by part.
///
/// A document kind's resource (``DocumentKindDefinition/resource``) is what the policy decides on: `submit` to add,
/// `view` to read; for a sectioned kind each section is decided on its own (`ehcp.K`). The resource is worked out from
/// the stored case before the door, as a form's is (``documentResource(caseID:kind:section:)``): a refused person learns
/// nothing, not even whether the case or the document exists.
///
/// Which organisations a document was given to (``DocumentUpload/sharedWith``, recorded on each version) is decided by
/// the policy like everything else: every decision about a document is made with its ``DocumentFacts`` (the latest
/// version's), which the policy reads as `document.kind` and `document.shared_with`.
extension Engine {
    /// Adds a version of `upload.kind` to the case: needs `submit` on the kind's resource (on the section's, for a section;
    /// on every section, for a whole sectioned document). The type allow-list and the size limit are checked before
    /// anything is written; the version, its bytes (each stored once by hash) and the audit event `document_added`
    /// carrying each part's hash are committed together.
    public func addDocument(
        caseID: String, _ upload: DocumentUpload, as actor: CaseActor, attributes: [String: ExpressionValue] = [:], expectedRevision: Int? = nil
    ) throws(EngineError) -> DocumentView {
        let resource = try documentResource(caseID: caseID, kind: upload.kind, section: upload.section)
        let versions = try storeCall { () throws(StoreError) in try store.documentVersions(caseID: caseID) }.filter { $0.kind == upload.kind }
        let sharedWith = upload.sharedWith ?? versions.last?.change.sharedWith ?? []
        let admitted = try admit(caseID, actor: actor, attributes: attributes, action: "submit", resource: resource,
                                 document: DocumentFacts(kind: upload.kind, sharedWith: sharedWith))
        let kind = try Self.kind(upload.kind, of: admitted)
        let sections = Self.sections(of: kind, in: admitted)
        if let expectedRevision, expectedRevision != admitted.record.revision {
            throw .revisionMismatch(caseID: caseID, expected: expectedRevision, actual: admitted.record.revision)
        }
        if upload.section == nil { try Self.requireWhole(kind, sections: sections, access: admitted.access, doing: "add") }
        let (change, blob) = try Self.nextVersion(of: kind, sections: sections, after: versions, adding: upload, sharedWith: sharedWith)
        return try commitVersion(change, blob: blob, action: "document_added", of: kind, sections: sections, in: admitted, actor: actor, attributes: attributes)
    }

    /// Commits `change` (with `blob`, its bytes, when it holds any) as the next version of `kind` on the admitted case,
    /// with the audit event `action`, through the one commit path; the version as the actor now sees it. The one way a
    /// document's version is written, whether it adds content or withdraws it.
    func commitVersion(
        _ change: DocumentChange, blob: DocumentBlob?, action: String, of kind: DocumentKindDefinition, sections: [String], in admitted: AdmittedCase,
        actor: CaseActor, attributes: [String: ExpressionValue]
    ) throws(EngineError) -> DocumentView {
        var decided = DecidedChange(before: admitted.record, after: admitted.record, workflow: admitted.workflow,
                                    calendars: admitted.definitions.calendars, action: action, subject: kind.name.value, input: [:])
        decided.document = (change, blob)
        let result = try commit([decided], actor: actor, attributes: attributes, request: nil, at: admitted.access.at)
        let version = DocumentVersion(caseID: admitted.record.id, change: change, addedBy: actor, at: admitted.access.at, revision: result.record.revision)
        return Self.view(version, latest: version, kind: kind, sections: sections, access: admitted.access)
    }

    /// Refuses, for a sectioned kind, an actor who may not `submit` every section: adding or withdrawing the whole
    /// document changes every section, so it needs what adding each section would.
    static func requireWhole(_ kind: DocumentKindDefinition, sections: [String], access: CaseAccess, doing verb: String) throws(EngineError) {
        guard kind.sections != nil else { return }
        for section in sections where !access.allows("submit", on: "\(kind.resource).\(section)") {
            throw .forbidden(reasons: ["you may not \(verb) the whole of '\(kind.name.value)', which holds section \(section)"])
        }
    }

    /// The version of `kind` that adds `upload` after `versions` (the kind's, oldest first), given to `sharedWith`, and
    /// the bytes it adds: the one way a version is made, whether a person adds it or a form's acceptance does
    /// (``Engine/formDocument(_:answers:form:admitted:instance:)``). The upload is checked first (``check(_:kind:sections:)``);
    /// a section's version carries the latest version's other sections, and the whole must stay within `max_bytes`.
    static func nextVersion(
        of kind: DocumentKindDefinition, sections: [String], after versions: [DocumentVersion], adding upload: DocumentUpload, sharedWith: [String]
    ) throws(EngineError) -> (DocumentChange, DocumentBlob) {
        try check(upload, kind: kind, sections: sections)
        let blob = DocumentBlob(bytes: upload.bytes)
        let added = DocumentPart(section: upload.section, sha256: blob.sha256, bytes: upload.bytes.count)
        var parts = [added]
        if let section = upload.section, let latest = versions.last {
            parts += latest.change.parts.filter { $0.section != nil && $0.section != section }
            parts.sort { (sections.firstIndex(of: $0.section ?? "") ?? .max, $0.section ?? "") < (sections.firstIndex(of: $1.section ?? "") ?? .max, $1.section ?? "") }
        }
        let total = parts.reduce(0) { $0 + $1.bytes }
        guard total <= kind.maxBytes else {
            throw .invalidInput([InputProblem(field: "file", message: "version \(versions.count + 1) of '\(kind.name.value)' would be \(total) bytes, over its limit of \(kind.maxBytes) bytes (max_bytes)")])
        }
        let reason = upload.reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        let change = DocumentChange(kind: kind.name.value, version: (versions.last?.version ?? 0) + 1, mediaType: upload.mediaType, bytes: total, parts: parts,
                                    reason: reason?.isEmpty == false ? reason : nil, sharedWith: sharedWith.isEmpty ? nil : sharedWith)
        return (change, blob)
    }

    /// The version an accepted form instance adds to the document its form names (`into_document:`): its answers
    /// written as Markdown (the form's title, then each declared field that has an answer, in the form's order), given
    /// to whom the latest version was, with the reason naming the instance.
    func formDocument(
        _ target: FormDocumentTarget, answers: [String: ExpressionValue], form: FormDefinition, admitted: AdmittedCase, instance: String
    ) throws(EngineError) -> (DocumentChange, DocumentBlob) {
        guard let kind = admitted.workflow.definition.documents.first(where: { $0.name.value == target.kind.value }) else {
            throw .definitionError("form '\(form.id.value)' is accepted into document kind '\(target.kind.value)', which workflow '\(admitted.record.workflow)' does not declare")
        }
        let caseID = admitted.record.id
        let versions = try storeCall { () throws(StoreError) in try store.documentVersions(caseID: caseID) }.filter { $0.kind == kind.name.value }
        var text = "# \(form.title)\n"
        for (path, _) in FieldValues.flatten(form.fields) {
            guard let value = answers[path] else { continue }
            text += "\n## \(path)\n\n\(TemplateRenderer.format(value))\n"
        }
        let upload = DocumentUpload(kind: kind.name.value, section: target.section?.value, mediaType: FormDocumentTarget.mediaType, bytes: Array(text.utf8),
                                    reason: "form \(instance) accepted")
        return try Self.nextVersion(of: kind, sections: Self.sections(of: kind, in: admitted), after: versions, adding: upload,
                                    sharedWith: versions.last?.change.sharedWith ?? [])
    }

    /// The latest version of each document of the case the actor may see any part of, by kind. Needs `view` on
    /// `case.state` (seeing that the case exists), then `view` on each kind's resource (any of its sections), decided
    /// about that document. A withdrawn document is listed as its withdrawal (no parts, ``DocumentView/withdrawnIn``)
    /// to those who may see any part of the version it withdrew.
    public func documents(caseID: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> [DocumentView] {
        let admitted = try admit(caseID, actor: actor, attributes: attributes, action: "view", resource: "case.state")
        let versions = try storeCall { () throws(StoreError) in try store.documentVersions(caseID: caseID) }
        var latest: [String: DocumentVersion] = [:], content: [String: DocumentVersion] = [:]
        for version in versions where (latest[version.kind]?.version ?? 0) < version.version {
            latest[version.kind] = version
            if !version.isWithdrawal { content[version.kind] = version }
        }
        return admitted.workflow.definition.documents.compactMap { kind in
            guard let version = latest[kind.name.value], let seen = content[kind.name.value] else { return nil }
            let access = admitted.access.about(Self.facts(of: version))
            let sections = Self.sections(of: kind, in: admitted)
            guard !Self.view(seen, latest: version, kind: kind, sections: sections, access: access).parts.allSatisfy(\.withheld) else { return nil }
            return Self.view(version, latest: version, kind: kind, sections: sections, access: access)
        }
    }

    /// One version of a document (the latest without `version`), as the actor may see it. Needs `view` on the kind's resource.
    public func document(
        caseID: String, kind name: String, version number: Int? = nil, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]
    ) throws(EngineError) -> DocumentView {
        let (admitted, kind, version, latest) = try documentVersion(caseID: caseID, kind: name, version: number, actor: actor, attributes: attributes)
        return Self.view(version, latest: latest, kind: kind, sections: Self.sections(of: kind, in: admitted), access: admitted.access)
    }

    /// The bytes of one part of a version (the latest without `version`): a section, or the whole document. Needs `view`
    /// on the part; the bytes are hashed again and refused as damaged when they no longer match the hash recorded. A
    /// withdrawal holds no bytes: asking for it (for the latest of a withdrawn document) is refused, naming the versions
    /// before it, which stay readable.
    public func documentContent(
        caseID: String, kind name: String, version number: Int? = nil, section: String? = nil, as actor: CaseActor,
        attributes: [String: ExpressionValue] = [:]
    ) throws(EngineError) -> [UInt8] {
        let (admitted, kind, version, latest) = try documentVersion(caseID: caseID, kind: name, version: number, actor: actor, attributes: attributes)
        guard !version.isWithdrawal else {
            let earlier = version.version > 1 ? "; versions 1 to \(version.version - 1) stay readable by number" : ""
            throw .invalidInput([InputProblem(field: "version", message: "document '\(kind.name.value)' was withdrawn by version \(version.version), which holds no content\(earlier)")])
        }
        let shown = Self.view(version, latest: latest, kind: kind, sections: Self.sections(of: kind, in: admitted), access: admitted.access)
        guard let part = shown.parts.first(where: { $0.section == section }) else {
            let named = version.change.parts.map { $0.section.map { "section \($0)" } ?? "the whole document" }.joined(separator: ", ")
            throw .invalidInput([InputProblem(field: "section", message: "version \(version.version) of '\(kind.name.value)' holds \(named)")])
        }
        guard let hash = part.sha256 else {
            throw .forbidden(reasons: ["\(section.map { "section \($0)" } ?? "the whole document") of '\(kind.name.value)' is withheld from you"])
        }
        guard let blob = try storeCall({ () throws(StoreError) in try store.blob(sha256: hash) }), blob.isIntact else {
            throw .store(.corruptRecord(caseID: caseID, detail: "the stored bytes of version \(version.version) of document '\(kind.name.value)' do not match the hash its audit event recorded"))
        }
        return blob.bytes
    }

    /// What is wrong with the case's stored documents, measured against its audit chain: every `document_added` event
    /// must have its version stored exactly as the event records it and every stored version its event, and every part's
    /// bytes must be held and still hash to the hash recorded; empty when all is well. Needs what ``verifyAudit(_:as:attributes:)``
    /// needs. The events are read first, and only versions their revisions reach are compared, so a document added
    /// meanwhile is never reported.
    public func documentProblems(_ id: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:]) throws(EngineError) -> [String] {
        if !actor.isOperator { _ = try admit(id, actor: actor, attributes: attributes, action: "view", resource: "case") }
        let events = try storeCall { () throws(StoreError) in try store.snapshot(caseID: id) }.events
        let reached = events.last?.revision ?? 0
        let stored = try storeCall { () throws(StoreError) in try store.documentVersions(caseID: id) }.filter { $0.revision <= reached }
        var problems: [String] = []
        var recorded: [String: DocumentChange] = [:]
        for event in events {
            guard let change = event.change?.document else { continue }
            recorded["\(change.kind)/\(change.version)"] = change
            guard let version = stored.first(where: { $0.kind == change.kind && $0.version == change.version }) else {
                problems.append("version \(change.version) of document '\(change.kind)', added by event \(event.sequence), is not stored")
                continue
            }
            if version.change != change || version.revision != event.revision {
                problems.append("version \(change.version) of document '\(change.kind)' is not stored as event \(event.sequence) records it")
            }
        }
        for version in stored where recorded["\(version.kind)/\(version.version)"] == nil {
            problems.append("version \(version.version) of document '\(version.kind)' is stored, but no audit event added it")
        }
        var checked = Set<String>()
        for part in stored.flatMap(\.change.parts) where checked.insert(part.sha256).inserted {
            let blob = try storeCall { () throws(StoreError) in try store.blob(sha256: part.sha256) }
            if blob == nil { problems.append("the document bytes \(part.sha256) are not stored") }
            if let blob, !blob.isIntact { problems.append("the document bytes stored as \(part.sha256) no longer have that hash") }
        }
        return problems
    }

    /// The case let through the door with `view` on the kind's resource, decided about the document (as its latest
    /// version gives it; a document not held is given to none), the kind, the version asked for, and the latest.
    func documentVersion(
        caseID: String, kind name: String, version number: Int?, actor: CaseActor, attributes: [String: ExpressionValue]
    ) throws(EngineError) -> (AdmittedCase, DocumentKindDefinition, DocumentVersion, DocumentVersion) {
        let resource = try documentResource(caseID: caseID, kind: name, section: nil)
        let versions = try storeCall { () throws(StoreError) in try store.documentVersions(caseID: caseID) }.filter { $0.kind == name }
        let facts = versions.last.map(Self.facts(of:)) ?? DocumentFacts(kind: name, sharedWith: [])
        let admitted = try admit(caseID, actor: actor, attributes: attributes, action: "view", resource: resource, document: facts)
        let kind = try Self.kind(name, of: admitted)
        guard let latest = versions.last, let version = number.map({ number in versions.first { $0.version == number } }) ?? versions.last else {
            let message = number.map { "document '\(name)' has no version \($0)" } ?? "the case holds no document '\(name)' yet"
            throw .invalidInput([InputProblem(field: number == nil ? "kind" : "version", message: message)])
        }
        return (admitted, kind, version, latest)
    }

    /// What the policy reads about the document whose latest version is `latest`.
    static func facts(of latest: DocumentVersion) -> DocumentFacts {
        DocumentFacts(kind: latest.kind, sharedWith: latest.change.sharedWith ?? [])
    }

    /// The policy resource a request about `kind` (and `section`) of the stored case is decided on: the section's
    /// (`ehcp.A`), or the kind's when no section is asked for or the section is not one the policy declares (the upload is
    /// then refused as invalid after the door). A missing case is asked about as the current definitions declare the kind,
    /// so it is refused as a case holding it would be; a kind no definition declares is asked about as `case`.
    func documentResource(caseID: String, kind name: String, section: String?) throws(EngineError) -> String {
        let record = try loadRecord(caseID)
        let definitions = try record.map { (record: CaseRecord) throws(EngineError) in try self.definitions(for: record) } ?? catalog
        let workflows = record.flatMap { definitions.workflows[$0.workflow].map { [$0] } } ?? definitions.workflows.keys.sorted().compactMap { definitions.workflows[$0] }
        guard let kind = workflows.lazy.compactMap({ $0.outline.documents.first { $0.name.value == name } }).first else {
            return ResourcePaths.caseResource
        }
        guard let section, kind.sections != nil else { return kind.resource }
        let declared = definitions.policies.values.contains { policy in
            policy.definition.resources.contains { $0.name.value == kind.resource && $0.sections.contains { $0.value == section } }
        }
        return declared ? "\(kind.resource).\(section)" : kind.resource
    }

    /// The kind `name` of the admitted case's workflow, or `invalid_input` naming the kinds it has.
    static func kind(_ name: String, of admitted: AdmittedCase) throws(EngineError) -> DocumentKindDefinition {
        let kinds = admitted.workflow.definition.documents
        guard let kind = kinds.first(where: { $0.name.value == name }) else {
            let known = kinds.map { "'\($0.name.value)'" }.joined(separator: ", ")
            throw .invalidInput([InputProblem(field: "kind", message: "workflow '\(admitted.record.workflow)' has no document kind '\(name)'"
                                              + (known.isEmpty ? "" : "; it has \(known)"))])
        }
        return kind
    }

    /// The sections a sectioned kind's parts are addressed by, in the policy's order; empty for a kind seen whole, and
    /// for a workflow without a policy, whose sections are whatever is added.
    static func sections(of kind: DocumentKindDefinition, in admitted: AdmittedCase) -> [String] {
        guard kind.sections != nil, case .policy(let policy) = admitted.access.accessGuard else { return [] }
        return policy.definition.resources.first { $0.name.value == kind.resource }?.sections.map(\.value) ?? []
    }

    /// Refuses an upload that is empty, of a type the kind does not allow, too large, for a section the kind does not
    /// have, or with a reason holding control characters: before anything is read or written.
    private static func check(_ upload: DocumentUpload, kind: DocumentKindDefinition, sections: [String]) throws(EngineError) {
        var problems: [InputProblem] = []
        if upload.bytes.isEmpty { problems.append(InputProblem(field: "file", message: "the file is empty")) }
        if upload.bytes.count > kind.maxBytes {
            problems.append(InputProblem(field: "file", message: "the file is \(upload.bytes.count) bytes, over the limit of \(kind.maxBytes) bytes for '\(kind.name.value)' (max_bytes)"))
        }
        if !kind.allows(mediaType: upload.mediaType) {
            problems.append(InputProblem(field: "type", message: "'\(kind.name.value)' takes \(kind.types.map(\.value).joined(separator: ", ")), not '\(upload.mediaType)'"))
        }
        switch (upload.section, kind.sections) {
        case (let section?, nil):
            problems.append(InputProblem(field: "section", message: "'\(kind.name.value)' is not addressed by sections, so '\(section)' cannot be added on its own"))
        case (let section?, _?) where !sections.isEmpty && !sections.contains(section):
            problems.append(InputProblem(field: "section", message: "'\(kind.name.value)' has sections \(sections.joined(separator: ", ")), not '\(section)'"))
        case (let section?, _?) where sections.isEmpty && (!(1...64).contains(section.utf8.count) || section.contains(where: { !($0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_")) })):
            problems.append(InputProblem(field: "section", message: "a section is 1 to 64 ASCII letters, digits and '_', such as 'A' or 'H1'"))
        default: break
        }
        if let reason = upload.reason, let problem = FieldValues.controlCharacterProblem(reason, allowingLineBreaks: true) {
            problems.append(InputProblem(field: "reason", message: problem))
        }
        for organisation in upload.sharedWith ?? [] where !Identifier.isUsable(organisation) {
            problems.append(InputProblem(field: "shared_with", message: "'\(organisation)' is not an organisation's id: 1 to 100 ASCII letters, digits, '-', '_' or '.'"))
        }
        if let shared = upload.sharedWith, Set(shared).count != shared.count {
            problems.append(InputProblem(field: "shared_with", message: "an organisation is named more than once"))
        }
        guard problems.isEmpty else { throw .invalidInput(problems) }
    }

    /// `version` as `access` (decided about the document) lets its actor see it: each section part shown when they may
    /// `view` the section, a whole part of a sectioned kind only when they may view every section, a whole part of a kind
    /// seen whole as admitted. Whom the document is given to is the `latest` version's.
    static func view(_ version: DocumentVersion, latest: DocumentVersion, kind: DocumentKindDefinition, sections: [String], access: CaseAccess) -> DocumentView {
        var wholeAllowed: Bool?
        let parts = version.change.parts.map { part -> DocumentView.Part in
            let shown: Bool
            switch (part.section, kind.sections) {
            case (let section?, _): shown = access.allows("view", on: "\(kind.resource).\(section)")
            case (nil, _?):
                if wholeAllowed == nil { wholeAllowed = access.allows("view", on: kind.resource) && sections.allSatisfy { access.allows("view", on: "\(kind.resource).\($0)") } }
                shown = wholeAllowed ?? false
            case (nil, nil): shown = access.allows("view", on: kind.resource)
            }
            return DocumentView.Part(section: part.section, sha256: shown ? part.sha256 : nil, bytes: shown ? part.bytes : nil)
        }
        let seesPeople = access.allows("grant", on: "case")
        return DocumentView(caseID: version.caseID, kind: kind.name.value, title: kind.title, version: version.version, mediaType: version.change.mediaType,
                            bytes: parts.contains(where: \.withheld) ? nil : version.change.bytes, addedByRole: version.addedBy.role,
                            addedBy: seesPeople ? version.addedBy.description : nil, at: version.at, reason: version.change.reason, parts: parts,
                            sharedWith: seesPeople ? latest.change.sharedWith ?? [] : nil, withdrawnIn: latest.isWithdrawal ? latest.version : nil)
    }
}
