// libFuzzer target: the definition decoders and checks, on one file's text as `casework validate` reads it: YAML,
// then structure (workflow, form, calendar or policy), then meaning.
import CaseworkDefinitions
import Foundation
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = Validator.validate(sources: [(file: "fuzz.yaml", text: text)])
    return 0
}

// What every input shares is made first, then libFuzzer's driver runs (`runFuzzer`, Fuzz/Support).
runFuzzer(fuzz)
