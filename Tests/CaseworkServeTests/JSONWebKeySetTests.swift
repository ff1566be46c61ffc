import Foundation
import Testing
@testable import CaseworkCommandLine

/// A JWKS file's RSA keys, read as `casework serve` reads them: the exponents an identity provider uses are kept, and
/// one libcrypto would load but no provider uses (over 32 bits, which made every check cost a private-key operation)
/// is refused with a line saying why.
@Suite("JWKS RSA exponents")
struct JSONWebKeySetTests {
    /// The `jwks` fuzz target's seed key: a real 2048-bit RSA public key.
    static func seed() -> [String: Any] {
        let url = Repository.root.appendingPathComponent("Fuzz/corpus/jwks/one-rsa-key-without-use-or-alg.json")
        let root = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return (root["keys"] as! [[String: Any]])[0]
    }

    static func read(exponent: String) -> Result<[String], JSONWebKeySetError> {
        var key = seed()
        key["e"] = exponent
        let data = try! JSONSerialization.data(withJSONObject: ["keys": [key]])
        do throws(JSONWebKeySetError) {
            return .success(try JSONWebKeySet.read(data).keys.keys.sorted())
        } catch {
            return .failure(error)
        }
    }

    @Test(arguments: ["AQAB", "Aw", "AAEAAQ", "f____w"])
    func anExponentOfUpTo32BitsIsKept(_ exponent: String) throws {
        #expect(try Self.read(exponent: exponent).get() == ["rsa-1"])
    }

    @Test(arguments: [
        ("AQAAAAE", "over 32 bits"),
        (String(repeating: "_", count: 800), "over 32 bits"),
        ("AQ", "not a public key libcrypto accepts"),
        ("Ag", "not a public key libcrypto accepts"),
    ])
    func anExponentNoProviderUsesIsRefused(_ exponent: String, _ message: String) {
        guard case .failure(let error) = Self.read(exponent: exponent) else {
            Issue.record("e = \(exponent.prefix(12)) was kept")
            return
        }
        #expect(error.message.contains(message), "\(error.message)")
        #expect(error.message.hasPrefix("key 'rsa-1'"))
    }
}
