// libFuzzer target: `casework serve --auth FILE`, the file that says which services may call and as whom, and which
// identity providers' tokens are accepted (`ServiceAuthFile.read`, the YAML loader underneath, each issuer's JWKS file
// read from beside it). The input is read as `auth.yaml` in a directory of this process's own that holds the bearer
// token target's JWKS as `fuzz-keys.json`, so issuers that name it reach the key reader. The seeds
// (Fuzz/corpus/auth-file) are the auth files the API and bearer-token targets use, and one of every key a service and
// an issuer may have. A file that reads is held to what the server relies on (`AuthFileCheck`, shared with
// FuzzRegressionTests).
import CaseworkAPIScript
import FuzzSupport

let authPath = APIScript.fuzzAuthPath("auth-file") { directory in try TokenScript.write(into: directory) }

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    checkInput(data, size) { (bytes) throws(AuthFileCheck.Fault) in try AuthFileCheck.check(bytes, path: authPath, catalog: Shipped.catalog) }
}

runFuzzer(fuzz)
