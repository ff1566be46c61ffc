// libFuzzer target: a PEM key file, as `casework audit checkpoint --key` reads the council's private key and
// `casework audit verify --checkpoints` the public key a checkpoint names (`Ed25519PrivateKey(pem:)`,
// `Ed25519PublicKey(pem:)`, libcrypto's PEM readers underneath). The seeds (Fuzz/corpus/pem-keys) hold a real key
// pair, an EC key of the wrong algorithm, and private keys encrypted under the empty passphrase and under another
// with 2^26 key-derivation rounds. A key that reads is held to what a checkpoint's trust relies on (`PEMKeyCheck`,
// shared with FuzzRegressionTests).
import CaseworkTestSupport
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    checkInput(data, size, PEMKeyCheck.check)
}

runFuzzer(fuzz)
