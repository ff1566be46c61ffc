import CaseworkCommandLine
import Foundation

/// What `casework serve` relies on of a JWKS file it has read, whatever the file's bytes: the `jwks` fuzz target
/// (Fuzz/JWKS) and `FuzzRegressionTests` hold arbitrary bytes to it. The file comes from an identity provider, outside
/// the council, and is read at start and on every SIGHUP (`IssuerKeyFile`).
///
/// - Reading it (``JSONWebKeySet/read(_:)``) gives a set of keys or a one-line error, never a trap.
/// - Reading the same bytes again gives the same keys: what the server trusts does not depend on when it looked.
/// - Every key kept is one the same checks accept again (``JSONWebKey/isUsable``), under its own `kid`.
/// - No made-up signature (of the length an algorithm reads, or of another) verifies under any key, with either
///   algorithm: a key the set keeps never lets a token through that its provider did not sign.
package enum JWKSCheck {
    /// A JWKS read in a way the server's trust forbids.
    package struct Fault: Error, CustomStringConvertible {
        /// What went wrong.
        package let description: String
    }

    /// What a token's signature would cover.
    static let message = Array("eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbmEifQ".utf8)

    /// Signatures nobody made: of the length each algorithm reads (64 bytes for ES256, the modulus's for RS256), and of others.
    static let madeUp: [[UInt8]] = [[UInt8](repeating: 0, count: 64), [UInt8](repeating: 0xff, count: 64), (0..<256).map { UInt8($0) },
                                    [UInt8](repeating: 1, count: 512), [], [0]]

    /// Holds `bytes`, read as a JWKS file, to the promises above; the first broken one is thrown.
    package static func check(_ bytes: [UInt8]) throws(Fault) {
        let data = Data(bytes)
        guard let set = try? JSONWebKeySet.read(data) else { return }
        guard let again = try? JSONWebKeySet.read(data), again.keys.keys.sorted() == set.keys.keys.sorted() else {
            throw Fault(description: "the same JWKS read twice gave other keys")
        }
        for (kid, key) in set.keys.sorted(by: { $0.key < $1.key }) {
            guard key.id == kid, key.isUsable else { throw Fault(description: "key '\(kid)' was kept, but is not a usable public key") }
            for algorithm in JWTAlgorithm.allCases {
                for signature in madeUp where key.verifies(signature, over: message, algorithm: algorithm) {
                    throw Fault(description: "a made-up signature of \(signature.count) bytes verified under key '\(kid)' with \(algorithm.rawValue)")
                }
            }
        }
    }
}
