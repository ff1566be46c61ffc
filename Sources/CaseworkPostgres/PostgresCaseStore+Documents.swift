import CaseworkDefinitions
import CaseworkStore
import Foundation

/// The SQL of documents: versions in `document_versions`, bytes in `blobs` by SHA-256 (schema version 3). Bytes travel
/// as `bytea` in its hexadecimal text form (`\x…`), the form the server writes them in.
enum PostgresDocumentSQL {
    /// Adds one version; the key (case, kind, version) is taken when the version exists.
    static let insertVersion = "INSERT INTO document_versions (case_id, kind, version, revision, document) VALUES ($1, $2, $3, $4, $5)"
    /// Stores bytes under their hash once; bytes already stored are left as they are.
    static let insertBlob = "INSERT INTO blobs (sha256, bytes) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING"
    /// A case's versions, by kind and version. (case)
    static let caseVersions = "SELECT document FROM document_versions WHERE case_id = $1 ORDER BY kind, version"
    /// The bytes a case's versions name, each once, by hash. (case)
    static let caseBlobs = """
        SELECT sha256, bytes FROM blobs WHERE sha256 IN (
            SELECT part ->> 'sha256' FROM document_versions, jsonb_array_elements(document::jsonb -> 'change' -> 'parts') AS part
            WHERE case_id = $1)
        ORDER BY sha256
        """
    /// The bytes stored under a hash. (sha256)
    static let blob = "SELECT sha256, bytes FROM blobs WHERE sha256 = $1"
}

extension PostgresCaseStore {
    /// The case's document versions, by kind and version.
    public func documentVersions(caseID: String) throws(StoreError) -> [DocumentVersion] {
        let rows = try pool.read { (db: PostgresConnection) throws(StoreError) in try db.query(PostgresDocumentSQL.caseVersions, [caseID]) }
        return try Self.documents(from: rows, caseID: caseID)
    }

    /// The bytes stored under `sha256`, as stored.
    public func blob(sha256: String) throws(StoreError) -> DocumentBlob? {
        let rows = try pool.read { (db: PostgresConnection) throws(StoreError) in try db.query(PostgresDocumentSQL.blob, [sha256]) }
        return try rows.first.map { (row: [String?]) throws(StoreError) in try Self.blob(row, caseID: nil) }
    }

    /// Decodes version rows of `caseID`.
    static func documents(from rows: [[String?]], caseID: String) throws(StoreError) -> [DocumentVersion] {
        try rows.map { (row: [String?]) throws(StoreError) in try decode(DocumentVersion.self, row.first ?? nil, caseID: caseID, "a document version") }
    }

    /// A blob row (`sha256`, `bytes` as `\x` and hexadecimal digits); a row that does not read is damage to `caseID`, or to the store.
    static func blob(_ row: [String?], caseID: String?) throws(StoreError) -> DocumentBlob {
        guard row.count == 2, let hash = row[0], let text = row[1], let bytes = bytes(fromHex: text) else {
            let detail = "stored document bytes do not read back"
            throw caseID.map { .corruptRecord(caseID: $0, detail: detail) } ?? .failed(detail)
        }
        return DocumentBlob(sha256: hash, bytes: bytes)
    }

    /// The statements that write a change's document versions and the bytes they name, after its other rows.
    static func documentStatements(_ change: CaseChange) throws(StoreError) -> [(PostgresStatement, StatementMeaning)] {
        var statements: [(PostgresStatement, StatementMeaning)] = []
        for document in change.documents {
            let what = "version \(document.version) of document '\(document.kind)' of case '\(document.caseID)'"
            statements.append((PostgresStatement(PostgresDocumentSQL.insertVersion,
                                                 [document.caseID, document.kind, "\(document.version)", "\(document.revision)", try json(document, what)]),
                               .ifTaken(.duplicate(what))))
        }
        for blob in change.blobs {
            statements.append((PostgresStatement(PostgresDocumentSQL.insertBlob, [blob.sha256, hex(blob.bytes)]), .plain))
        }
        return statements
    }

    /// `bytes` in `bytea`'s hexadecimal input form.
    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = [UInt8(ascii: "\\"), UInt8(ascii: "x")]
        text.reserveCapacity(2 + bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes of `bytea`'s hexadecimal output form, or nil when `text` is not one.
    private static func bytes(fromHex text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 2, utf8[0] == UInt8(ascii: "\\"), utf8[1] == UInt8(ascii: "x"), utf8.count % 2 == 0 else { return nil }
        func value(_ digit: UInt8) -> UInt8? {
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity((utf8.count - 2) / 2)
        var index = 2
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }
}
