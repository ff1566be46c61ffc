import CaseworkExpressions
import CaseworkTime
import Foundation

/// Stores an ``ExpressionValue`` as JSON that says its own type, so a stored case reads back exactly.
///
/// `{"date":"2025-09-01"}`, `{"int":7}`, `{"decimal":"2.5"}`, `{"list":[...]}`. Decimals are
/// strings so no binary floating point ever touches them.
extension ExpressionValue: Codable {
    private enum Key: String, CodingKey {
        case bool, int, decimal, string, date, datetime, duration, list
    }

    /// Decodes the tagged form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        guard let key = container.allKeys.first, container.allKeys.count == 1 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a value has exactly one type key"))
        }
        switch key {
        case .bool: self = .bool(try container.decode(Bool.self, forKey: key))
        case .int: self = .int(try container.decode(Int.self, forKey: key))
        case .string: self = .string(try container.decode(String.self, forKey: key))
        case .list: self = .list(try container.decode([ExpressionValue].self, forKey: key))
        case .decimal:
            let text = try container.decode(String.self, forKey: key)
            guard let value = Self.decimal(storedText: text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not a decimal: \(text)")
            }
            self = .decimal(value)
        case .date:
            let text = try container.decode(String.self, forKey: key)
            guard let value = CalendarDate(text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not a date: \(text)")
            }
            self = .date(value)
        case .datetime:
            self = .datetime(Date(timeIntervalSince1970: try container.decode(Double.self, forKey: key)))
        case .duration:
            let text = try container.decode(String.self, forKey: key)
            guard let value = Self.duration(storedText: text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not a duration: \(text)")
            }
            self = .duration(value)
        }
    }

    /// Encodes the tagged form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        switch self {
        case .bool(let value): try container.encode(value, forKey: .bool)
        case .int(let value): try container.encode(value, forKey: .int)
        case .decimal(let value): try container.encode(Self.storedText(value), forKey: .decimal)
        case .string(let value): try container.encode(value, forKey: .string)
        case .date(let value): try container.encode(value.description, forKey: .date)
        case .datetime(let value): try container.encode(value.timeIntervalSince1970, forKey: .datetime)
        case .duration(let value): try container.encode(value.description, forKey: .duration)
        case .list(let values): try container.encode(values, forKey: .list)
        }
    }

    /// A decimal as it is stored: its exact digits in the POSIX locale (`2.5`, `-0.001`).
    static func storedText(_ value: Decimal) -> String {
        NSDecimalNumber(decimal: value).description(withLocale: Locale(identifier: "en_US_POSIX"))
    }

    /// The decimal stored as `text` (``storedText(_:)``), or nil: what both readers of stored values accept.
    static func decimal(storedText text: String) -> Decimal? {
        Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }

    /// The duration stored as `text` (`6 weeks`), or nil: what both readers of stored values accept.
    static func duration(storedText text: String) -> StatutoryDuration? {
        guard case .success(let value) = StatutoryDuration.parse(text) else { return nil }
        return value
    }

    /// The value as plain JSON for people and tools: dates as `YYYY-MM-DD` strings, decimals as numbers.
    public var plainJSON: Any {
        switch self {
        case .bool(let value): value
        case .int(let value): value
        case .decimal(let value): NSDecimalNumber(decimal: value)
        case .string(let value): value
        case .date(let value): value.description
        case .datetime(let value): value.formatted(.iso8601)
        case .duration(let value): value.description
        case .list(let values): values.map(\.plainJSON)
        }
    }
}

extension Data {
    /// The UTF-8 bytes of `text`, copied in one piece.
    ///
    /// `Data(text.utf8)` gives the same bytes through `Data`'s generic initialiser, which first asks the runtime
    /// whether the sequence is `ContiguousBytes`; the first such question about a type makes the runtime look through
    /// the process's conformance records (0.25 million instructions, 40 % of a warm `case show`'s reading of its case).
    /// Copying from the string's own UTF-8 storage asks nothing.
    package init(utf8Of text: String) {
        var text = text
        self = text.withUTF8 { Data(buffer: $0) }
    }
}

/// One JSON encoder and decoder configuration for everything the engine stores, so bytes are stable (sorted keys).
package enum StoredJSON {
    /// Encodes `value` with sorted keys, no escaped slashes and dates as seconds since 1970: the bytes every store
    /// keeps. A ``CanonicallyWritable`` value (every row a commit writes: records, audit events, outbox messages,
    /// idempotency keys) is written by ``CanonicalJSON``, which writes the same bytes in a fraction of the time; any
    /// other value by `JSONEncoder` (``encoderBytes(_:)``). Empty for what JSON cannot hold (an infinite or NaN number).
    package static func encode<T: Encodable>(_ value: T) -> Data {
        guard let writable = value as? any CanonicallyWritable else { return encoderBytes(value) }
        return canonicalBytes(writable)
    }

    /// ``encode(_:)`` of a value whose type is known, where it is encoded, to have a canonical writer: the same bytes,
    /// without asking the runtime whether the type has one. The first such question about a type makes the runtime
    /// look through the process's conformance records (0.1–0.25 million instructions), which a fire paid for the
    /// kinds of row it wrote (0.76 million in all).
    package static func encode<T: Encodable & CanonicallyWritable>(_ value: T) -> Data {
        canonicalBytes(value)
    }

    /// `value`'s bytes as its canonical writer writes them; empty for what JSON cannot hold.
    private static func canonicalBytes(_ value: some CanonicallyWritable) -> Data {
        var writer = CanonicalJSON(capacity: 2048)
        value.write(to: &writer)
        return writer.isValidJSON ? writer.bytes.withUnsafeBufferPointer { Data(buffer: $0) } : Data()
    }

    /// `value` encoded by `JSONEncoder` under the stored settings: what ``encode(_:)`` writes for a value without a
    /// canonical writer, and the reference the writer's bytes are tested against. Empty for what JSON cannot hold.
    package static func encoderBytes<T: Encodable>(_ value: T) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .secondsSince1970
        // Every stored type encodes only strings, numbers, booleans, arrays and objects, which fail only for an
        // infinite or NaN number.
        return (try? encoder.encode(value)) ?? Data()
    }

    /// Decodes what ``encode(_:)`` wrote. A ``CanonicallyReadable`` value (a case record) is read by
    /// ``CanonicalJSONReader``, which reads what `JSONDecoder` reads to the same value in a fraction of the time, and
    /// refuses anything else with a ``CanonicalJSONReader/Failure``; any other value by `JSONDecoder`
    /// (``decoderValue(_:from:)``).
    package static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        guard let readable = type as? any CanonicallyReadable.Type else { return try decoderValue(type, from: data) }
        // The reader reads the type it was asked for, so the value is a `T`.
        guard let value = try CanonicalJSONReader.read(readable, from: data) as? T else { return try decoderValue(type, from: data) }
        return value
    }

    /// Decodes what ``encode(_:)`` wrote for a type known to have a canonical reader: the overload chosen at compile time
    /// where the row's type is known (a case record read by a store), read by ``CanonicalJSONReader`` as the general
    /// one reads it, without asking the runtime whether `T` is ``CanonicallyReadable`` (the first such question in a
    /// process scans every conformance record).
    package static func decode<T: Decodable & CanonicallyReadable>(_ type: T.Type, from data: Data) throws -> T {
        try CanonicalJSONReader.read(type, from: data)
    }

    /// `data` decoded by `JSONDecoder` under the stored settings: what ``decode(_:from:)`` reads a value without a
    /// canonical reader with, and the reference the reader is tested against.
    package static func decoderValue<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return try decoder.decode(type, from: data)
    }
}
