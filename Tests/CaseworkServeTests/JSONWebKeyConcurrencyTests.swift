import CaseworkTestSupport
import Foundation
import Testing
@testable import CaseworkCommandLine

/// A JWKS key holds libcrypto's key, built once when it is read (``LibcryptoPublicKey``), and `casework serve` checks
/// tokens with it from all its threads at once: every good signature verifies and every altered one does not, however
/// many threads share the key, and a copy of the key keeps libcrypto's key alive after the set it came from is gone.
@Suite("JWKS keys shared between threads")
struct JSONWebKeyConcurrencyTests {
    static let message = Array("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbmEifQ".utf8)

    /// The keys of a JWKS holding `signers`' public keys, read as the server reads it.
    static func keys(_ signers: [TestSigningKey]) throws -> [String: JSONWebKey] {
        let data = try JSONSerialization.data(withJSONObject: ["keys": signers.map(\.jwk)])
        return try JSONWebKeySet.read(data).keys
    }

    /// `signature` with one bit of its byte at `index` turned over.
    static func altered(_ signature: [UInt8], at index: Int) -> [UInt8] {
        var changed = signature
        changed[index % changed.count] ^= 0x01
        return changed
    }

    @Test func oneKeyChecksTokensFromManyThreadsAtOnce() async throws {
        let rsa = TestSigningKey(.rsa, id: "rsa-1")
        let p256 = TestSigningKey(.p256, id: "ec-1")
        let keys = try Self.keys([rsa, p256])
        let cases: [(key: JSONWebKey, algorithm: JWTAlgorithm, signature: [UInt8])] = [
            (try #require(keys["rsa-1"]), .rs256, rsa.sign(Self.message)),
            (try #require(keys["ec-1"]), .es256, p256.sign(Self.message)),
        ]
        let wrongAnswers = await withTaskGroup(of: Int.self) { group in
            for task in 0..<16 {
                group.addTask {
                    var wrong = 0
                    for round in 0..<60 {
                        for (key, algorithm, signature) in cases {
                            if !key.verifies(signature, over: Self.message, algorithm: algorithm) { wrong += 1 }
                            if key.verifies(Self.altered(signature, at: task * 61 + round), over: Self.message, algorithm: algorithm) { wrong += 1 }
                        }
                    }
                    return wrong
                }
            }
            return await group.reduce(0, +)
        }
        #expect(wrongAnswers == 0)
    }

    @Test func aCopyOfAKeyOutlivesItsSet() throws {
        let rsa = TestSigningKey(.rsa, id: "rsa-1")
        var keys: [String: JSONWebKey]? = try Self.keys([rsa])
        let kept = try #require(keys?["rsa-1"])
        keys = nil
        #expect(kept.verifies(rsa.sign(Self.message), over: Self.message, algorithm: .rs256))
        #expect(!kept.verifies(rsa.sign(Self.message), over: Self.message, algorithm: .es256))
    }
}
