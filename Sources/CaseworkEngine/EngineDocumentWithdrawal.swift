import CaseworkDefinitions
import CaseworkExpressions
import CaseworkStore
import Foundation

/// Withdrawing a document (a draft plan sent in error, a report replaced) as a new version that records who withdrew
/// it, when and why, through the one commit path: nothing is deleted, every earlier version stays readable, saying the
/// document was withdrawn (``DocumentView/withdrawnIn``).
extension Engine {
    /// Withdraws the document `kind` of the case as its next version: one with no parts, carrying `reason` and whom the
    /// document was given to, committed with the audit event `document_withdrawn` whose change records it as
    /// `document_added`'s records an addition. Needs what adding the whole document needs: `submit` on the kind's
    /// resource, decided about the document, and on every section of a sectioned kind. After the door: a document the
    /// case does not hold is refused as ``document(caseID:kind:version:as:attributes:)`` refuses it, one already withdrawn
    /// is refused naming the withdrawal, and a reason must be given; a refusal changes nothing.
    public func withdrawDocument(
        caseID: String, kind name: String, reason: String, as actor: CaseActor, attributes: [String: ExpressionValue] = [:], expectedRevision: Int? = nil
    ) throws(EngineError) -> DocumentView {
        let resource = try documentResource(caseID: caseID, kind: name, section: nil)
        let versions = try storeCall { () throws(StoreError) in try store.documentVersions(caseID: caseID) }.filter { $0.kind == name }
        let facts = versions.last.map(Self.facts(of:)) ?? DocumentFacts(kind: name, sharedWith: [])
        let admitted = try admit(caseID, actor: actor, attributes: attributes, action: "submit", resource: resource, document: facts)
        let kind = try Self.kind(name, of: admitted)
        let sections = Self.sections(of: kind, in: admitted)
        try Self.requireWhole(kind, sections: sections, access: admitted.access, doing: "withdraw")
        if let expectedRevision, expectedRevision != admitted.record.revision {
            throw .revisionMismatch(caseID: caseID, expected: expectedRevision, actual: admitted.record.revision)
        }
        guard let latest = versions.last else {
            throw .invalidInput([InputProblem(field: "kind", message: "the case holds no document '\(name)' yet")])
        }
        guard !latest.isWithdrawal else {
            throw .invalidInput([InputProblem(field: "kind", message: "document '\(name)' was already withdrawn by version \(latest.version)")])
        }
        let said = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if said.isEmpty { throw .invalidInput([InputProblem(field: "reason", message: "say why the document is withdrawn")]) }
        if let problem = FieldValues.controlCharacterProblem(said, allowingLineBreaks: true) {
            throw .invalidInput([InputProblem(field: "reason", message: problem)])
        }
        let change = DocumentChange(kind: kind.name.value, version: latest.version + 1, mediaType: latest.change.mediaType, bytes: 0, parts: [], reason: said,
                                    sharedWith: latest.change.sharedWith, withdrawn: true)
        return try commitVersion(change, blob: nil, action: "document_withdrawn", of: kind, sections: sections, in: admitted, actor: actor, attributes: attributes)
    }
}
