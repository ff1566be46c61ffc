// libFuzzer target: `casework serve`'s HTTP API and case desk, in process (`APIService.answer`, what the server
// answers once libmicrohttpd has read a request), on the shipped definitions over a fresh in-memory store for each
// input. Each input is an `APIScript` (Sources/CaseworkAPIScript): up to eight requests separated by a line `%%`.
// Besides a crash or a leak, it stops on what the API must never do: answer 500, answer JSON that does not read, or
// change the store while refusing a request. `CASEWORK_FUZZ_TRACE=1` prints each request's answer, to see what a
// seed reaches.
import CaseworkAPIScript
import Foundation
import FuzzSupport

/// The auth file (`APIScript.authFile`), written once to a directory of its own.
enum Setup {
    static let authPath: String = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("casework-fuzz-api-\(getpid())")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let path = directory.appendingPathComponent("auth.yaml").path
            try APIScript.authFile.write(toFile: path, atomically: true, encoding: .utf8)
            return path
        } catch {
            fatalError("the fuzz target's auth file cannot be written: \(error)")
        }
    }()

    static let tracing = ProcessInfo.processInfo.environment["CASEWORK_FUZZ_TRACE"] != nil
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let script = Array(UnsafeBufferPointer(start: data, count: size))
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
