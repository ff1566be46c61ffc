import Casework
import CaseworkDefinitions
import CaseworkEngine
import CaseworkServer

/// The document routes: a case's documents added, read and withdrawn, each part as the policy lets the caller see it, as
/// `casework document add|list|show|get|withdraw` do, through the same ``CaseService`` calls and the same JSON.
enum DocumentRoutes {
    /// `GET /v1/cases/{case}/documents`: the latest version of each document the caller may see any part of, as
    /// `document list --format json` prints them.
    static func list(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let caller = try api.caller(call)
        _ = try APIBody.query(call.request, allowed: [])
        let documents = try await api.engine { () async throws(EngineError) in
            try await api.cases.documents(caseID: call.parameter("case"), as: caller.actor, attributes: caller.attributes)
        }
        return APIService.json(documents.map(DocumentCommand.json))
    }

    /// `POST /v1/cases/{case}/documents/{kind}?section=X&reason=TEXT`: the body is the file, its media type the
    /// request's `Content-Type` (as `--type`, parameters such as `charset` left off), with `If-Match` as
    /// `--expect-revision` is for a fire; 201 with the version as `document add --format json` prints it.
    static func add(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let caller = try api.caller(call)
        let caseID = call.parameter("case"), kind = call.parameter("kind")
        let query = try APIBody.query(call.request, allowed: ["section", "reason"])
        let expected = try CaseRoutes.expectedRevision(call.request)
        guard let declared = call.request.header("Content-Type"),
              let mediaType = declared.split(separator: ";", omittingEmptySubsequences: false).first?.trimmingCharacters(in: .whitespaces).lowercased(),
              !mediaType.isEmpty else {
            throw .invalid([InputProblem(field: "header.Content-Type", message: "must name the file's media type once, such as text/markdown")])
        }
        let section = try nonEmpty(query, "section")
        let upload = DocumentUpload(kind: kind, section: section, mediaType: mediaType, bytes: call.request.body, reason: query["reason"])
        let added = try await api.engine { () async throws(EngineError) in
            try await api.cases(for: caller).addDocument(caseID: caseID, upload, as: caller.actor, attributes: caller.attributes, expectedRevision: expected)
        }
        return APIService.json(DocumentCommand.json(added), status: 201,
                               headers: [("Location", "/v1/cases/\(caseID)/documents/\(kind)?version=\(added.version)")])
    }

    /// `POST /v1/cases/{case}/documents/{kind}/withdraw`: `{"reason"}`, needed as `document withdraw --reason` needs it,
    /// with `If-Match` as for an addition; 201 with the withdrawal, the document's new version, as `document withdraw
    /// --format json` prints it.
    static func withdraw(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let caller = try api.caller(call)
        let caseID = call.parameter("case"), kind = call.parameter("kind")
        let body = try APIBody.object(call.request, allowed: ["reason"])
        let reason = try APIBody.reason(body)
        let expected = try CaseRoutes.expectedRevision(call.request)
        let withdrawn = try await api.engine { () async throws(EngineError) in
            try await api.cases(for: caller).withdrawDocument(caseID: caseID, kind: kind, reason: reason, as: caller.actor, attributes: caller.attributes,
                                                              expectedRevision: expected)
        }
        return APIService.json(DocumentCommand.json(withdrawn), status: 201,
                               headers: [("Location", "/v1/cases/\(caseID)/documents/\(kind)?version=\(withdrawn.version)")])
    }

    /// `GET /v1/cases/{case}/documents/{kind}?version=N`: one version (the latest without `version`), each part shown
    /// or named as withheld, as `document show --format json` prints it.
    static func show(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let caller = try api.caller(call)
        let query = try APIBody.query(call.request, allowed: ["version"])
        let version = try versionNumber(query)
        let document = try await api.engine { () async throws(EngineError) in
            try await api.cases.document(caseID: call.parameter("case"), kind: call.parameter("kind"), version: version, as: caller.actor,
                                         attributes: caller.attributes)
        }
        return APIService.json(DocumentCommand.json(document))
    }

    /// `GET /v1/cases/{case}/documents/{kind}/content?version=N&section=X`: the bytes of one part the caller may see
    /// (the whole document without `section`), hashed again first, as `document get` writes them; a withheld part is
    /// 403 as any refusal. Sent as an attachment, sandboxed and never sniffed, so a stored page cannot run as the API's own.
    static func content(_ api: APIService, _ call: APICall) async throws(APIProblem) -> HTTPResponse {
        let caller = try api.caller(call)
        let caseID = call.parameter("case"), kind = call.parameter("kind")
        let query = try APIBody.query(call.request, allowed: ["version", "section"])
        let version = try versionNumber(query)
        let section = try nonEmpty(query, "section")
        // The version is pinned first, so the bytes and the media type are of the same version when another is added meanwhile.
        let (bytes, document) = try await api.engine { () async throws(EngineError) in
            let document = try await api.cases.document(caseID: caseID, kind: kind, version: version, as: caller.actor, attributes: caller.attributes)
            let bytes = try await api.cases.documentContent(caseID: caseID, kind: kind, version: document.version, section: section, as: caller.actor,
                                                           attributes: caller.attributes)
            return (bytes, document)
        }
        return HTTPResponse(status: 200, headers: [
            ("Content-Type", document.mediaType), ("Content-Disposition", "attachment"), ("X-Content-Type-Options", "nosniff"),
            ("Content-Security-Policy", "sandbox"),
        ], body: bytes)
    }

    /// `version`, a whole number from 1, or nil for the latest.
    private static func versionNumber(_ query: [String: String]) throws(APIProblem) -> Int? {
        guard let text = query["version"] else { return nil }
        guard text.allSatisfy(\.isASCII), let number = Int(text), number >= 1 else {
            throw .invalid([InputProblem(field: "query.version", message: "must be a version, a whole number from 1")])
        }
        return number
    }

    /// The argument `name` when given, refused when given empty.
    private static func nonEmpty(_ query: [String: String], _ name: String) throws(APIProblem) -> String? {
        guard let value = query[name] else { return nil }
        guard !value.isEmpty else { throw .invalid([InputProblem(field: "query.\(name)", message: "must not be empty")]) }
        return value
    }
}
