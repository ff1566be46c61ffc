import Foundation
import Testing
@testable import CaseworkCommandLine

/// RSA public keys held to ``RSAPublicKeyCheck``, from `Fixtures/rsa-public-keys.json`: each case gets exactly its
/// refusal, and the same one every time it is asked.
///
/// The moduli: the `jwks` fuzz seed's real 2048-bit key; the modulus the fuzzer made that libcrypto's randomised check
/// kept or refused by chance (session 35, composite and not a prime power, so kept); the 2048-bit MODP prime of RFC
/// 3526; the square of a 1024-bit prime; 1093 times a 2038-bit prime q with q ≡ 1 (mod 364), so 2^(n-1) ≡ 1 (mod 1093)
/// and the base 2 hands over the factor 1093; 751 times a prime; the seed's modulus plus one; 2^2046 + 1 and
/// 2^8192 + 1; and the seed's modulus with the exponents 1, 2 and itself.
@Suite("RSA public-key check")
struct RSAPublicKeyCheckTests {
    /// One key of the fixture.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let modulus: [UInt8]
        let exponent: [UInt8]
        let refusal: String?
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        let url = Repository.root.appendingPathComponent("Tests/CaseworkServeTests/Fixtures/rsa-public-keys.json")
        let root = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return (root["cases"] as! [[String: Any]]).map { entry in
            Case(name: entry["name"] as! String, modulus: Base64URL.decode(entry["n"] as! String)!,
                 exponent: Base64URL.decode(entry["e"] as! String)!, refusal: entry["refusal"] as? String)
        }
    }()

    @Test(arguments: cases)
    func eachKeyGetsItsRefusalEveryTime(_ key: Case) {
        for _ in 0..<3 {
            #expect(RSAPublicKeyCheck.refusal(modulus: key.modulus, exponent: key.exponent)?.description == key.refusal)
        }
    }

    /// Through the JWKS reader, a refused key stops the whole set with a line naming the key and the reason (every
    /// refused case whose exponent the reader lets through to the check: one over 32 bits it refuses first).
    @Test(arguments: cases.filter { $0.refusal != nil && $0.exponent.count <= 4 })
    func aReadSetNamesTheKeyAndTheReason(_ refused: Case) throws {
        let base64URL = { (bytes: [UInt8]) in
            Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let key: [String: Any] = ["kty": "RSA", "kid": "k1", "n": base64URL(refused.modulus), "e": base64URL(refused.exponent)]
        let error = #expect(throws: JSONWebKeySetError.self) {
            try JSONWebKeySet.read(JSONSerialization.data(withJSONObject: ["keys": [key]]))
        }
        #expect(error?.message == "key 'k1' is not a usable public key: \(refused.refusal ?? "")")
    }

    /// The set session 35's fuzzing found: libcrypto's own check, drawing random Miller–Rabin bases, refused its key 7
    /// times in 2,000 and kept it otherwise, so two reads of one file could trust different keys. Read 400 times here,
    /// every read keeps it (at libcrypto's rate, 400 reads saw a refusal three times in four).
    @Test func theFuzzersSetIsReadTheSameWayEveryTime() throws {
        let url = Repository.root.appendingPathComponent("Fuzz/regressions/jwks/rsa-modulus-libcrypto-judged-by-chance.json")
        let data = try Data(contentsOf: url)
        for _ in 0..<400 {
            #expect(try JSONWebKeySet.read(data).keys.keys.sorted() == ["rsmpp5JTDq1_4o6oxDYOQRv6Hxsule5pthlCtZygYtCj1zhioJJXsa-1"])
        }
    }
}
