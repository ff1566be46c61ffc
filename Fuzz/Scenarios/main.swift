// libFuzzer target: `casework test`'s scenario reader on one `*.test.yaml` file's text: decoded, checked against
// the shipped definitions, and run when it checks cleanly.
import CLibFuzzer
import CaseworkEngine
import CaseworkScenarios
import Foundation

/// What every input is checked against, loaded once: the shipped definitions, from this file's place in the
/// repository (Fuzz/Scenarios/main.swift).
enum Shipped {
    static let catalog: DefinitionCatalog = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        do {
            return try DefinitionCatalog.load(paths: [root + "/Workflows", root + "/Policies"])
        } catch {
            fatalError("the shipped definitions do not load: \(error)")
        }
    }()
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = ScenarioSuite.run(sources: [(file: "fuzz.test.yaml", text: text)], catalog: Shipped.catalog)
    return 0
}

// SwiftPM names an executable's entry point itself, so libFuzzer's own `main` is not the one that runs: this file's
// top-level code hands the arguments to libFuzzer's driver (Fuzz/run.sh says how the targets are built). What
// every input shares is made first, so that libFuzzer's leak check does not count it against the first input.
_ = Shipped.catalog
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzz))
