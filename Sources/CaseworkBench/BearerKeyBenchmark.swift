import CaseworkCommandLine
import CaseworkTestSupport
import Foundation

/// The identity provider's keys behind `casework serve`'s bearer JWTs: reading a JWKS of a 2048-bit RSA key and a
/// P-256 key (each key checked and built into libcrypto's key once, as it is read), and one token signature's check
/// with each key, beside the floor that check stands on: libcrypto verifying the same signature with its own key. It
/// also prints libcrypto's own public-key check of the RSA key, which until session 36 ran inside every RS256
/// verification.
enum BearerKeyBenchmark {
    static let verifications = 2_000
    static let publicChecks = 100

    static func run() {
        let rsa = TestSigningKey(.rsa, id: "rsa-1")
        let p256 = TestSigningKey(.p256, id: "ec-1")
        guard let data = try? JSONSerialization.data(withJSONObject: ["keys": [rsa.jwk, p256.jwk]]) else {
            print("bearer-keys: benchmark failed: the JWKS could not be written")
            return
        }
        let message = Array("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbmEifQ".utf8)
        let read = Measure.best(repetitions: 20) { try? JSONWebKeySet.read(data) }
        guard let set = read.result, let rsaKey = set.keys["rsa-1"], let ecKey = set.keys["ec-1"] else {
            print("bearer-keys: benchmark failed: the JWKS of a new RSA key and P-256 key was not read whole")
            return
        }
        print("bearer-keys: a JWKS of a 2048-bit RSA key and a P-256 key; \(verifications) signature checks a figure")
        print("  read the JWKS, each key checked and built once \(Measure.format(read.seconds * 1e6)) µs")
        let cases: [(String, JSONWebKey, TestSigningKey, JWTAlgorithm)] = [("RS256", rsaKey, rsa, .rs256), ("ES256", ecKey, p256, .es256)]
        for (name, key, signer, algorithm) in cases {
            let signature = signer.sign(message)
            let native = signer.signInLibcryptosForm(message)
            let checked = Measure.best(repetitions: 5) {
                (0..<verifications).allSatisfy { _ in key.verifies(signature, over: message, algorithm: algorithm) }
            }
            let floor = Measure.best(repetitions: 5) {
                (0..<verifications).allSatisfy { _ in signer.verifiesInLibcryptosForm(native, over: message) }
            }
            guard checked.result, floor.result else {
                print("  \(name): FAILED: a good signature did not verify")
                continue
            }
            let each = checked.seconds / Double(verifications)
            let floorEach = floor.seconds / Double(verifications)
            print("  \(name) signature check                    \(Measure.format(each * 1e6)) µs   floor (libcrypto, key built once) \(Measure.format(floorEach * 1e6)) µs   floor/check \(Measure.format(floorEach / each, decimals: 2))")
        }
        let publicCheck = Measure.best(repetitions: 3) { (0..<publicChecks).filter { _ in rsa.passesLibcryptosPublicCheck }.count }
        print("  libcrypto's EVP_PKEY_public_check of the RSA key \(Measure.format(publicCheck.seconds / Double(publicChecks) * 1e6)) µs (\(publicCheck.result) of \(publicChecks) passed; before session 36 every RS256 check ran it)")
    }
}
