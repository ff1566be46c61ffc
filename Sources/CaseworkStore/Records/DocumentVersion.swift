import CaseworkDefinitions
import Foundation

/// One part of a document version: a section of a sectioned document (`A`, `K`), or the whole document, with the SHA-256
/// of its bytes, by which the bytes are stored (``DocumentBlob``) and proved (the audit event carries it).
public struct DocumentPart: Sendable, Hashable, Codable {
    /// The section the part is, for a document addressed by sections; nil for the whole document.
    public var section: String?
    /// The SHA-256 of the part's bytes, 64 lower-case hexadecimal characters.
    public var sha256: String
    /// How many bytes it has.
    public var bytes: Int

    /// Creates a part.
    public init(section: String?, sha256: String, bytes: Int) {
        self.section = section
        self.sha256 = sha256
        self.bytes = bytes
    }
}

/// What adding a document version did, as the audit event records it in its `change` (`document`): the kind, the
/// version's number, its media type and size, why, and each part's hash, so the chain proves the bytes as they were.
/// A withdrawal (``withdrawn``) is a version too: it holds no part, so nothing is served as the document's current
/// content, and every earlier version stays stored as it was.
public struct DocumentChange: Sendable, Hashable, Codable {
    /// The document kind, as the workflow declares it.
    public var kind: String
    /// The version's number, from 1.
    public var version: Int
    /// The media type of every part.
    public var mediaType: String
    /// The bytes of all its parts together.
    public var bytes: Int
    /// Every part of the version, the unchanged ones included, in section order.
    public var parts: [DocumentPart]
    /// Why it was added, when the person said.
    public var reason: String?
    /// The organisations (their ids) the service gives the document to with this version, which the policy reads as
    /// `document.shared_with`; nil (absent from a version stored before sharing existed) means given to none.
    public var sharedWith: [String]?
    /// True when the version withdraws the document (`document_withdrawn`: sent in error, replaced): it has no parts,
    /// and its reason says why; nil (absent from every other version) for a version that adds content.
    public var withdrawn: Bool?

    /// Creates a change.
    public init(
        kind: String, version: Int, mediaType: String, bytes: Int, parts: [DocumentPart], reason: String?, sharedWith: [String]? = nil, withdrawn: Bool? = nil
    ) {
        self.sharedWith = sharedWith
        self.withdrawn = withdrawn
        self.kind = kind
        self.version = version
        self.mediaType = mediaType
        self.bytes = bytes
        self.parts = parts
        self.reason = reason
    }
}

/// One version of one document of a case, as stored: a document is `(case, kind)`, and every addition is a new
/// version, numbered from 1; nothing is replaced or deleted.
public struct DocumentVersion: Sendable, Hashable, Codable {
    /// The case it belongs to.
    public var caseID: String
    /// What was added: kind, number, type, size, parts and reason.
    public var change: DocumentChange
    /// Who added it.
    public var addedBy: CaseActor
    /// When.
    public var at: Date
    /// The case's revision that added it, whose audit event records it.
    public var revision: Int

    /// Creates a version.
    public init(caseID: String, change: DocumentChange, addedBy: CaseActor, at: Date, revision: Int) {
        self.caseID = caseID
        self.change = change
        self.addedBy = addedBy
        self.at = at
        self.revision = revision
    }

    /// The document kind.
    public var kind: String { change.kind }
    /// The version's number.
    public var version: Int { change.version }
    /// Whether the version withdraws the document.
    public var isWithdrawal: Bool { change.withdrawn == true }
}

/// The bytes of a document part, stored once by their SHA-256 whatever number of versions and cases name them.
public struct DocumentBlob: Sendable, Hashable {
    /// The SHA-256 of ``bytes``, 64 lower-case hexadecimal characters.
    public var sha256: String
    /// The bytes.
    public var bytes: [UInt8]

    /// The blob of `bytes`, named by their hash.
    public init(bytes: [UInt8]) {
        self.sha256 = SHA256.hex(bytes)
        self.bytes = bytes
    }

    /// A blob read back from a store under `sha256`; ``isIntact`` says whether the bytes still have that hash.
    public init(sha256: String, bytes: [UInt8]) {
        self.sha256 = sha256
        self.bytes = bytes
    }

    /// Whether the bytes still hash to the name they are stored under: a damaged blob is never handed out as a document.
    public var isIntact: Bool { SHA256.hex(bytes) == sha256 }
}

extension DocumentPart: CanonicallyWritable {
    /// `{"bytes","section","sha256"}`, `section` only for a section.
    package func write(to writer: inout CanonicalJSON) {
        writer.object { writer in
            writer.member("bytes", bytes)
            writer.member("section", section)
            writer.member("sha256", sha256)
        }
    }
}

extension DocumentChange: CanonicallyWritable {
    /// `{"bytes","kind","mediaType","parts","reason","sharedWith","version","withdrawn"}`, `reason`, `sharedWith` and
    /// `withdrawn` only when given.
    package func write(to writer: inout CanonicalJSON) {
        writer.object { writer in
            writer.member("bytes", bytes)
            writer.member("kind", kind)
            writer.member("mediaType", mediaType)
            writer.member("parts", parts)
            writer.member("reason", reason)
            writer.member("sharedWith", sharedWith)
            writer.member("version", version)
            writer.member("withdrawn", withdrawn)
        }
    }
}
