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
        ("AQ", "not a usable public key: its exponent 'e' is even or 1"),
        ("Ag", "not a usable public key: its exponent 'e' is even or 1"),
    ])
    func anExponentNoProviderUsesIsRefused(_ exponent: String, _ message: String) {
        guard case .failure(let error) = Self.read(exponent: exponent) else {
            Issue.record("e = \(exponent.prefix(12)) was kept")
            return
        }
        #expect(error.message.contains(message), "\(error.message)")
        #expect(error.message.hasPrefix("key 'rsa-1'"))
    }

    /// The seed's set written to a file of its own, padded with spaces after its JSON to `size` bytes.
    static func padded(to size: Int) throws -> String {
        var data = try JSONSerialization.data(withJSONObject: ["keys": [seed()]])
        data.append(contentsOf: [UInt8](repeating: UInt8(ascii: " "), count: size - data.count))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("casework-jwks-\(UUID().uuidString).json").path
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A JWKS file is read whole into the server at start and on every SIGHUP, so one over a mebibyte is refused unread,
    /// saying its size; one of exactly that size is read.
    @Test func aFileOverAMebibyteIsRefusedUnread() throws {
        let atTheLimit = try Self.padded(to: 1 << 20)
        let over = try Self.padded(to: (1 << 20) + 1)
        defer { for path in [atTheLimit, over] { try? FileManager.default.removeItem(atPath: path) } }
        #expect(try JSONWebKeySet.load(path: atTheLimit).keys.keys.sorted() == ["rsa-1"])
        let error = #expect(throws: JSONWebKeySetError.self) { try JSONWebKeySet.load(path: over) }
        #expect(error?.message == "is 1048577 bytes, over the 1048576 a JWKS file may hold")
    }
}
