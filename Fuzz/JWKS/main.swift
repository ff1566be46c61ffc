// libFuzzer target: an identity provider's JWKS file, as `casework serve` reads the file an issuer of its auth file
// names, at start and again on SIGHUP (`JSONWebKeySet.read`, then libcrypto's key built from each key's numbers).
// The seeds (Fuzz/corpus/jwks) hold a real RSA key and a real P-256 key, so inputs near them reach libcrypto. A set
// that reads is held to what the server relies on (`JWKSCheck`, shared with FuzzRegressionTests).
import CaseworkAPIScript
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    checkInput(data, size, JWKSCheck.check)
}

runFuzzer(fuzz)
