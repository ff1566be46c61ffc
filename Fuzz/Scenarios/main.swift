// libFuzzer target: `casework test`'s scenario reader on one `*.test.yaml` file's text: decoded, checked against
// the shipped definitions, and run when it checks cleanly.
import CaseworkEngine
import CaseworkScenarios
import Foundation
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = ScenarioSuite.run(sources: [(file: "fuzz.test.yaml", text: text)], catalog: Shipped.catalog)
    return 0
}

// What every input shares is made first, then libFuzzer's driver runs (`runFuzzer`, Fuzz/Support).
_ = Shipped.catalog
runFuzzer(fuzz)
