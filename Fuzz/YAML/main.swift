// libFuzzer target: the YAML loader, as every definition and scenario file is read.
import CaseworkYAML
import Foundation
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let result = YAMLLoader.load(Array(UnsafeBufferPointer(start: data, count: size)), file: "fuzz.yaml")
    _ = result.root?.canonicalBytes
    return 0
}

// What every input shares is made first, then libFuzzer's driver runs (`runFuzzer`, Fuzz/Support).
runFuzzer(fuzz)
