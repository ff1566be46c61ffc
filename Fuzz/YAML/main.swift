// libFuzzer target: the YAML loader, as every definition and scenario file is read.
import CLibFuzzer
import CaseworkYAML
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let result = YAMLLoader.load(Array(UnsafeBufferPointer(start: data, count: size)), file: "fuzz.yaml")
    _ = result.root?.canonicalBytes
    return 0
}

// SwiftPM names an executable's entry point itself, so libFuzzer's own `main` is not the one that runs: this file's
// top-level code hands the arguments to libFuzzer's driver (Fuzz/run.sh says how the targets are built).
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzz))
