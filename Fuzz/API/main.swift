// libFuzzer target: `casework serve`'s HTTP API and case desk, in process (`APIService.answer`, what the server
// answers once libmicrohttpd has read a request), on the shipped definitions over a fresh in-memory store for each
// input. Each input is an `APIScript` (Sources/CaseworkAPIScript): up to eight requests separated by a line `%%`.
// Besides a crash or a leak, it stops on what the API must never do: answer 500, answer JSON that does not read, or
// change the store while refusing a request. `CASEWORK_FUZZ_TRACE=1` prints each request's answer, to see what a
// seed reaches.
import CaseworkAPIScript
import FuzzSupport

/// The auth file (`APIScript.authFile`), written once.
let authPath = APIScript.fuzzAuthPath("api") { try APIScript.write(into: $0) }

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    APIScript.fuzz(Array(UnsafeBufferPointer(start: data, count: size)), catalog: Shipped.catalog, authPath: authPath)
}

// What every input shares is made first, then libFuzzer's driver runs (`runFuzzer`, Fuzz/Support).
_ = Shipped.catalog
runFuzzer(fuzz)
