// libFuzzer target: what a bearer token says, past its signature. Each input is a token's header JSON, a line
// break and its claims JSON; `TokenScript` (Sources/CaseworkAPIScript) signs them with an identity provider's key
// the API trusts and sends the token to read, fire on and list a case the operator opened, as an `APIScript` with the
// same faults (500 or more, JSON that does not read, a refusal that changed the store). Every other fuzzed token
// would stop at its signature. `CASEWORK_FUZZ_TRACE=1` prints each request's answer.
import CaseworkAPIScript
import FuzzSupport

/// The auth file and the provider's JWKS (`TokenScript.write`), written once.
let authPath = APIScript.fuzzAuthPath("token", write: TokenScript.write(into:))

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    APIScript.fuzz(TokenScript.script(Array(UnsafeBufferPointer(start: data, count: size))), catalog: Shipped.catalog, authPath: authPath)
}

// What every input shares is made first, then libFuzzer's driver runs (`runFuzzer`, Fuzz/Support).
_ = Shipped.catalog
runFuzzer(fuzz)
