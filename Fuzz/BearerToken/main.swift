// libFuzzer target: what a bearer token says, past its signature. Each input is a token's header JSON, a line
// break and its claims JSON; `TokenScript` (Sources/CaseworkAPIScript) signs them with an identity provider's key
// the API trusts and sends the token to read, fire on and list a case the operator opened, as an `APIScript` with the
// same faults (500 or more, JSON that does not read, a refusal that changed the store). Every other fuzzed token
// would stop at its signature. `CASEWORK_FUZZ_TRACE=1` prints each request's answer.
import CaseworkAPIScript
import Foundation
import FuzzSupport

/// The auth file and the provider's JWKS (`TokenScript.write`), written once to a directory of their own.
enum Setup {
    static let authPath: String = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-fuzz-token-\(getpid())")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return try TokenScript.write(into: directory)
        } catch {
            fatalError("the fuzz target's auth file cannot be written: \(error)")
        }
    }()

    static let tracing = ProcessInfo.processInfo.environment["CASEWORK_FUZZ_TRACE"] != nil
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let script = TokenScript.script(Array(UnsafeBufferPointer(start: data, count: size)))
    let tracing = Setup.tracing
    if let fault = APIScript.runWaiting(script, catalog: Shipped.catalog, authPath: Setup.authPath, observe: { if tracing { print($0.line()) } }) {
        fatalError(fault.description)
    }
    return 0
}

// What every input shares is made first, then libFuzzer's driver runs (`runFuzzer`, Fuzz/Support).
_ = Shipped.catalog
_ = Setup.authPath
runFuzzer(fuzz)
