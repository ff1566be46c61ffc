import CaseworkDefinitions
import CaseworkStore
import Foundation

/// The SQL of documents: versions in `document_versions`, bytes in `blobs` by SHA-256 (schema version 5).
enum DocumentSQL {
    /// Whether the file has the document tables: a store at an older schema version, read without migrating, has none
    /// and so holds no documents.
    static let hasTables = "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'document_versions'"
    /// Adds one version; the key (case, kind, version) is taken when the version exists.
    static let insertVersion = "INSERT INTO document_versions (case_id, kind, version, revision, document) VALUES (?, ?, ?, ?, ?)"
    /// Stores bytes under their hash once; bytes already stored are left as they are.
    static let insertBlob = "INSERT INTO blobs (sha256, bytes) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING"
    /// A case's versions, by kind and version.
    static let caseVersions = "SELECT document FROM document_versions WHERE case_id = ? ORDER BY kind, version"
    /// The bytes stored under a hash.
    static let blob = "SELECT bytes FROM blobs WHERE sha256 = ?"
}

/// A case's document rows read in one transaction: the versions' JSON and, for an archive, the bytes they name.
struct DocumentRows: Sendable {
    /// Each version's stored JSON.
    var versions: [String?] = []
    /// The bytes the versions name, by hash, each once.
    var blobs: [DocumentBlob] = []
}

extension SQLiteCaseStore {
    /// The case's document versions, by kind and version.
    public func documentVersions(caseID: String) throws(StoreError) -> [DocumentVersion] {
        let rows = try read { (db: SQLiteConnection) throws(StoreError) in try Self.documentRows(caseID, withBlobs: false, in: db) }
        return try documents(from: rows, caseID: caseID)
    }

    /// The bytes stored under `sha256`, as stored.
    public func blob(sha256: String) throws(StoreError) -> DocumentBlob? {
        let bytes = try read { (db: SQLiteConnection) throws(StoreError) -> [Data?] in
            guard try Self.hasDocumentTables(db) else { return [] }
            return try db.query(DocumentSQL.blob, [sha256]) { $0.data(at: 0) }
        }
        guard let first = bytes.first else { return nil }
        return DocumentBlob(sha256: sha256, bytes: Array(first ?? Data()))
    }

    /// The versions' rows of a case, with the bytes they name when `withBlobs`, inside an open transaction.
    static func documentRows(_ caseID: String, withBlobs: Bool, in db: SQLiteConnection) throws(StoreError) -> DocumentRows {
        guard try hasDocumentTables(db) else { return DocumentRows() }
        var rows = DocumentRows(versions: try db.query(DocumentSQL.caseVersions, [caseID]) { $0.string(at: 0) })
        guard withBlobs else { return rows }
        var hashes = Set<String>()
        for text in rows.versions {
            guard let text, let version = try? StoredJSON.decode(DocumentVersion.self, from: Data(utf8Of: text)) else { continue }
            hashes.formUnion(version.change.parts.map(\.sha256))
        }
        for hash in hashes.sorted() {
            if let bytes = try db.query(DocumentSQL.blob, [hash], { $0.data(at: 0) }).first {
                rows.blobs.append(DocumentBlob(sha256: hash, bytes: Array(bytes ?? Data())))
            }
        }
        return rows
    }

    /// Decodes the versions' rows.
    func documents(from rows: DocumentRows, caseID: String) throws(StoreError) -> [DocumentVersion] {
        try rows.versions.map { (text: String?) throws(StoreError) in try decode(DocumentVersion.self, text, "a document version of case '\(caseID)'") }
    }

    /// The rows of `documents`, encoded before the transaction opens.
    func documentColumns(_ documents: [DocumentVersion]) throws(StoreError) -> [[any SQLiteBindable]] {
        try documents.map { (document: DocumentVersion) throws(StoreError) -> [any SQLiteBindable] in
            [document.caseID, document.kind, document.version, document.revision,
             try json(document, "version \(document.version) of document '\(document.kind)' of case '\(document.caseID)'")]
        }
    }

    /// Writes a change's document versions and the bytes they name inside its transaction; a version already stored is a duplicate.
    static func writeDocuments(_ change: CaseChange, columns: [[any SQLiteBindable]], to db: SQLiteConnection) throws(StoreError) {
        for (document, row) in zip(change.documents, columns) {
            try db.change(DocumentSQL.insertVersion, row,
                          ifTaken: .duplicate("version \(document.version) of document '\(document.kind)' of case '\(document.caseID)'"))
        }
        for blob in change.blobs { try db.change(DocumentSQL.insertBlob, [blob.sha256, Data(blob.bytes)]) }
    }

    /// For ``check()``: every document version decoded, and every stored blob hashed again, inside its read transaction.
    static func checkDocuments(_ db: SQLiteConnection, into report: inout SQLiteStoreReport) {
        guard (try? hasDocumentTables(db)) == true else { return }
        var versions: [String?] = []
        var blobs: [(String?, Data?)] = []
        do {
            versions = try db.query("SELECT document FROM document_versions ORDER BY case_id, kind, version", []) { $0.string(at: 0) }
            blobs = try db.query("SELECT sha256, bytes FROM blobs ORDER BY sha256", []) { ($0.string(at: 0), $0.data(at: 1)) }
        } catch {
            report.problems.append("cannot read every document row: \(error)")
        }
        for text in versions where (try? StoredJSON.decode(DocumentVersion.self, from: Data(utf8Of: text ?? ""))) == nil {
            report.problems.append("a document version cannot be read back")
        }
        for (hash, bytes) in blobs where !DocumentBlob(sha256: hash ?? "", bytes: Array(bytes ?? Data())).isIntact {
            report.problems.append("the document bytes stored as \(hash ?? "?") no longer have that hash")
        }
        report.documents = versions.count
        report.blobs = blobs.count
    }

    private static func hasDocumentTables(_ db: SQLiteConnection) throws(StoreError) -> Bool {
        let count: Int?? = try db.query(DocumentSQL.hasTables, []) { $0.int(at: 0) }.first
        return (count.flatMap { $0 } ?? 0) > 0
    }
}
