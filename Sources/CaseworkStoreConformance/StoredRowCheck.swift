import CaseworkDefinitions
import CaseworkStore
import Foundation

/// What every store promises of the bytes it reads back as a row, whatever those bytes are: the `stored-rows` fuzz
/// target (Fuzz/StoredRows) and `FuzzRegressionTests` hold arbitrary bytes to it. A store file can be damaged, edited
/// by hand or handed over from elsewhere (`casework store check`, `store copy`), so a row is outside input too.
///
/// For every kind of row a store keeps (a case's record, an audit event, an outbox message, an idempotency key, a
/// document version, a child's record and a child's audit event):
/// - reading it as the stores do (``StoredJSON/decode(_:from:)``) gives a value or an error, never a trap;
/// - for a kind read by ``CanonicalJSONReader`` (the fast reader, written by hand), a row it reads is read to the same
///   value by `JSONDecoder` (``StoredJSON/decoderValue(_:from:)``), the reference it stands in for;
/// - a row that reads is written back (``StoredJSON/encode(_:)``, as the next change to it writes it) as bytes that
///   read to the same value and are written again byte for byte: a value is never changed by being stored again.
package enum StoredRowCheck {
    /// A row read in a way a store's promises forbid, named by its kind.
    package struct Fault: Error, CustomStringConvertible {
        /// What went wrong, and with which kind of row.
        package let description: String
    }

    /// Holds `bytes`, read as each kind of row, to the promises above; the first broken one is thrown.
    package static func check(_ bytes: [UInt8]) throws(Fault) {
        let data = Data(bytes)
        try readAlike(CaseRecord.self, data, "a case record")
        try readAlike(IdempotencyRecord.self, data, "an idempotency record")
        try rewritten(AuditEvent.self, data, "an audit event")
        try rewritten(OutboxMessage.self, data, "an outbox message")
        try rewritten(DocumentVersion.self, data, "a document version")
        try rewritten(ChildRecord.self, data, "a child record")
        try rewritten(ChildAuditEvent.self, data, "a child's audit event")
    }

    /// The fast reader and `JSONDecoder` agree on every row the fast reader reads; then ``rewritten(_:_:_:)``.
    private static func readAlike<Row: Codable & Equatable & CanonicallyReadable>(_ type: Row.Type, _ data: Data, _ kind: String) throws(Fault) {
        if let read = try? CanonicalJSONReader.read(Row.self, from: data) {
            guard let reference = try? StoredJSON.decoderValue(Row.self, from: data) else {
                throw Fault(description: "\(kind): the canonical reader read a row that JSONDecoder refuses, as \(read)")
            }
            guard reference == read else {
                throw Fault(description: "\(kind): the canonical reader read \(read), JSONDecoder \(reference)")
            }
        }
        try rewritten(type, data, kind)
    }

    /// A row that reads is written back as bytes that read to the same value and are written again unchanged.
    private static func rewritten<Row: Codable & Equatable>(_ type: Row.Type, _ data: Data, _ kind: String) throws(Fault) {
        guard let value = try? StoredJSON.decode(Row.self, from: data) else { return }
        let written = StoredJSON.encode(value)
        guard let again = try? StoredJSON.decode(Row.self, from: written) else {
            throw Fault(description: "\(kind): \(value) reads, but is written as bytes that do not read: \(String(decoding: written, as: UTF8.self))")
        }
        guard again == value else {
            throw Fault(description: "\(kind): \(value) is written as \(String(decoding: written, as: UTF8.self)), which reads as \(again)")
        }
        let writtenAgain = StoredJSON.encode(again)
        guard writtenAgain == written else {
            throw Fault(description: "\(kind): written as \(String(decoding: written, as: UTF8.self)), then as \(String(decoding: writtenAgain, as: UTF8.self))")
        }
    }
}
