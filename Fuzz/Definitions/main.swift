// libFuzzer target: the definition decoders and checks, on one file's text as `casework validate` reads it: YAML,
// then structure (workflow, form, calendar or policy), then meaning.
import CLibFuzzer
import CaseworkDefinitions
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = Validator.validate(sources: [(file: "fuzz.yaml", text: text)])
    return 0
}

// SwiftPM names an executable's entry point itself, so libFuzzer's own `main` is not the one that runs: this file's
// top-level code hands the arguments to libFuzzer's driver (Fuzz/run.sh says how the targets are built).
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzz))
