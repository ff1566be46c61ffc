import CaseworkDefinitions
import CaseworkYAML
import Foundation

/// An identity provider's public signing keys, read from a JWKS file (RFC 7517: `{"keys": [...]}`) and found by `kid`.
///
/// Each key is a signing key (`use` absent or `sig`; keys with `use: enc` are passed over) with a `kid` no other key
/// has, and either `kty: RSA` with `n` and `e` (a modulus of 2048 to 8192 bits, an exponent of at most 32) or `kty: EC` with `crv: P-256`, `x`
/// and `y`; an `alg`, when given, is the one its type checks (RS256 or ES256). A key holding private parts (`d`) is
/// refused, as is a file that names a member twice, and anything else: a JWKS the server cannot use whole stops it at
/// start.
package struct JSONWebKeySet: Sendable {
    /// The keys, by `kid`.
    package var keys: [String: JSONWebKey]

    /// Reads the JWKS file at `path`; the error is one line naming what is wrong.
    static func load(path: String) throws(JSONWebKeySetError) -> JSONWebKeySet {
        switch FileBytes.read(path, limit: maximumFileBytes) {
        case .success(let bytes): return try read(Data(bytes))
        case .failure(.fileTooLarge(_, let bytes, _)):
            throw JSONWebKeySetError("is \(bytes) bytes, over the \(maximumFileBytes) a JWKS file may hold")
        case .failure: throw JSONWebKeySetError("cannot be read")
        }
    }

    /// The most bytes a JWKS file may hold: a provider's set of a few keys is a few kilobytes. The file is read at start
    /// and on every SIGHUP, into the server's memory; a larger one is refused unread, by the reader every definition
    /// file goes through (``FileBytes``), where before session 34 any size was read whole.
    static let maximumFileBytes = 1 << 20

    /// Reads a JWKS file's bytes (the `jwks` fuzz target reads them here too); the error is one line naming what is wrong.
    package static func read(_ data: Data) throws(JSONWebKeySetError) -> JSONWebKeySet {
        // Read as every JSON document from outside is (``ReceivedJSON``): a key that names a member twice (two `use`s,
        // two `n`s) is refused, never read as whichever came last.
        let document: Any
        switch ReceivedJSON.read(data, field: "") {
        case .success(let read): document = read
        case .failure(let refusal) where refusal.problems.contains { !$0.field.isEmpty }:
            throw JSONWebKeySetError("names a member more than once (\(refusal.problems.map(\.field).joined(separator: ", ")))")
        case .failure: throw JSONWebKeySetError("is not a JSON object")
        }
        guard let root = document as? [String: Any] else { throw JSONWebKeySetError("is not a JSON object") }
        guard let entries = root["keys"] as? [Any] else { throw JSONWebKeySetError("has no 'keys' list") }
        var keys: [String: JSONWebKey] = [:]
        for (index, entry) in entries.enumerated() {
            guard let object = entry as? [String: Any] else { throw JSONWebKeySetError("key \(index + 1) is not an object") }
            guard let key = try read(object, index: index) else { continue }
            guard keys[key.id] == nil else { throw JSONWebKeySetError("two keys have the kid '\(key.id)'") }
            keys[key.id] = key
        }
        guard !keys.isEmpty else { throw JSONWebKeySetError("holds no signing key") }
        return JSONWebKeySet(keys: keys)
    }

    /// The signing key `object` describes, or nil for an encryption key.
    private static func read(_ object: [String: Any], index: Int) throws(JSONWebKeySetError) -> JSONWebKey? {
        let use = object["use"]
        if let use, use as? String != "sig" {
            if use as? String == "enc" { return nil }
            throw JSONWebKeySetError("key \(index + 1)'s 'use' is neither 'sig' nor 'enc'")
        }
        guard let id = object["kid"] as? String, !id.isEmpty else { throw JSONWebKeySetError("key \(index + 1) has no 'kid'") }
        let named = "key '\(id)'"
        guard object["d"] == nil else { throw JSONWebKeySetError("\(named) holds a private key; publish only the public key") }
        let material: JSONWebKey.Material
        switch object["kty"] as? String {
        case "RSA":
            let modulus = try number(object, "n", of: named)
            let exponent = try number(object, "e", of: named)
            // The modulus's length, like the rest of what makes a sound key, is ``RSAPublicKeyCheck``'s to decide, when
            // the key is made below.
            // libcrypto keeps an exponent of any size with a modulus of signing length; every check would then cost as
            // much as a private-key operation. Signing keys use 65537 (`AQAB`); Go's crypto/rsa refuses any above 2^31 - 1.
            guard exponent.drop(while: { $0 == 0 }).count <= 4 else {
                throw JSONWebKeySetError("\(named)'s exponent 'e' is over 32 bits; an RSA signing key's is small, such as 65537 (AQAB)")
            }
            material = .rsa(modulus: modulus, exponent: exponent)
        case "EC":
            guard object["crv"] as? String == "P-256" else { throw JSONWebKeySetError("\(named) is an EC key not on P-256") }
            let x = try number(object, "x", of: named)
            let y = try number(object, "y", of: named)
            guard x.count == 32, y.count == 32 else { throw JSONWebKeySetError("\(named)'s x and y are not 32 bytes each") }
            material = .p256(x: x, y: y)
        default:
            throw JSONWebKeySetError("\(named) has kty '\(object["kty"] ?? "")'; only RSA and EC (P-256) signing keys are used")
        }
        if let algorithm = object["alg"] {
            guard algorithm as? String == material.algorithm.rawValue else {
                throw JSONWebKeySetError("\(named) is for '\(algorithm)'; an \(object["kty"] ?? "") key here checks \(material.algorithm.rawValue) only")
            }
        }
        do throws(JSONWebKey.Unusable) {
            return try JSONWebKey(id: id, material: material)
        } catch {
            throw JSONWebKeySetError("\(named) is not a usable public key: \(error.reason)")
        }
    }

    /// The bytes of the base64url member `name` of `object`.
    private static func number(_ object: [String: Any], _ name: String, of key: String) throws(JSONWebKeySetError) -> [UInt8] {
        guard let text = object[name] as? String, let bytes = Base64URL.decode(text), !bytes.isEmpty else {
            throw JSONWebKeySetError("\(key)'s '\(name)' is not unpadded base64url")
        }
        return bytes
    }
}

/// Why a JWKS file cannot be used: one line, said after the file's name.
package struct JSONWebKeySetError: Error, Sendable {
    /// What is wrong.
    package var message: String

    init(_ message: String) { self.message = message }
}
