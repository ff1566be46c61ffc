// libFuzzer target: `casework decide REQUEST.json`'s reader (the library's AccessRequestReader, which a service
// answering over HTTP uses too) on the shipped definitions and portal policy, then the decision.
import CaseworkEngine
import Foundation
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    // As `read(path:)` does: a request over the limit is refused before it is parsed.
    guard size <= AccessRequestReader.maxRequestBytes else { return 0 }
    if case .success(let request) = Shipped.reader.parse(Data(UnsafeBufferPointer(start: data, count: size))) {
        _ = Shipped.reader.policy.decide(request)
    }
    return 0
}

// What every input shares is made first, then libFuzzer's driver runs (`runFuzzer`, Fuzz/Support).
_ = Shipped.reader
runFuzzer(fuzz)
