import Foundation

/// How every JSON document from outside is read (a `decide` request, a line of a batch, an API body, a bearer token's
/// parts): as strict JSON (RFC 8259, UTF-8, ``CanonicalJSONReader``) in which no object names a member twice, into the
/// values `JSONSerialization` would give (`[String: Any]`, `[Any]`, `String`, `NSNull`, a boolean as an `NSNumber`), but
/// each number as its text (``Number``), so that no digit is lost on the way in.
///
/// RFC 8259 leaves an object that names a member twice to each reader: Foundation's `JSONSerialization` keeps the last
/// value, other readers the first or an error. A front door that picked one would act on a request that its sender, or
/// a gateway that checked it on the way, may have read as the other (`"level": "limited", "level": "full"` in a grant),
/// so the document is refused instead, each repeated member named at its path. Names compare as Swift's strings
/// compare, as the dictionaries the document is read into compare them: two spellings of one name that differ only in
/// Unicode normalisation are the same member named twice.
///
/// `JSONSerialization` reads every number with a fraction as a `Double`, so a decimal amount of `1234.56` became
/// 1234.5599999999997952 on its way to a `decimal` field; a ``Number`` keeps `1234.56`, and ``FieldValues/fromJSON(_:as:)``
/// reads it exactly, as `--set` reads the same text.
package enum ReceivedJSON {
    /// A JSON number as it was written, read by the field it is for (``FieldValues/fromJSON(_:as:)``).
    package struct Number: Sendable, Hashable, CustomStringConvertible {
        /// The number's text, as RFC 8259's grammar allows it (`-12`, `1234.56`, `1e3`).
        package let text: String

        /// The text.
        package var description: String { text }
    }

    /// Why a document is refused: each problem at its path.
    package struct Refusal: Error, Sendable {
        /// That the document is not strict JSON (at the field it was for), or each member named more than once, sorted.
        package let problems: [InputProblem]
    }

    /// The document `data` holds, or what is wrong with it: that it is not strict JSON (at `field`, with the byte
    /// where reading stopped), or each member named more than once, at its path (`action`, `grants[1].level`,
    /// `case.fields.child.first_name`), sorted.
    package static func read(_ data: Data, field: String) -> Result<Any, Refusal> {
        var repeated = Set<String>()
        let value: Any
        do {
            value = try CanonicalJSONReader.read(data) { (reader: inout CanonicalJSONReader) throws(CanonicalJSONReader.Failure) -> Any in
                try Self.value(&reader, at: "", repeated: &repeated)
            }
        } catch {
            return .failure(Refusal(problems: [InputProblem(field: field, message: "is not JSON (\(error))")]))
        }
        guard repeated.isEmpty else { return .failure(Refusal(problems: repeated.sorted().map { InputProblem(field: $0, message: repeatedMessage) })) }
        return .success(value)
    }

    /// What is wrong with `data` as a document from outside (``read(_:field:)``); none when it may be read.
    package static func problems(in data: Data, field: String) -> [InputProblem] {
        guard case .failure(let refusal) = read(data, field: field) else { return [] }
        return refusal.problems
    }

    /// What a member named twice is told.
    static let repeatedMessage = "is written more than once; write each key once, so that the document says one thing"

    /// Reads the value at `reader`, whose path is `path` (empty: the document), adding the path of every member named
    /// twice in an object within it to `repeated`.
    private static func value(
        _ reader: inout CanonicalJSONReader, at path: String, repeated: inout Set<String>
    ) throws(CanonicalJSONReader.Failure) -> Any {
        if try reader.peekIsObject() {
            var object: [String: Any] = [:]
            try reader.object { (reader: inout CanonicalJSONReader, name: String) throws(CanonicalJSONReader.Failure) in
                let member = path.isEmpty ? name : "\(path).\(name)"
                let read = try value(&reader, at: member, repeated: &repeated)
                if object.updateValue(read, forKey: name) != nil { repeated.insert(member) }
            }
            return object
        }
        if try reader.peekIsArray() {
            var list: [Any] = []
            try reader.array { (reader: inout CanonicalJSONReader) throws(CanonicalJSONReader.Failure) in
                list.append(try value(&reader, at: "\(path)[\(list.count)]", repeated: &repeated))
            }
            return list
        }
        if try reader.peekIsString() { return try reader.string() }
        if try reader.null() { return NSNull() }
        if try reader.peekIsBool() { return NSNumber(value: try reader.bool()) }
        return Number(text: try reader.numberText())
    }
}
