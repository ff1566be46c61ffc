// libFuzzer target: `casework decide REQUEST.json`'s reader (the library's AccessRequestReader, which a service
// answering over HTTP uses too) on the shipped definitions and portal policy, then the decision.
import CLibFuzzer
import CaseworkEngine
import Foundation

/// What every input is checked against, loaded once: the shipped definitions, from this file's place in the
/// repository (Fuzz/DecideRequest/main.swift).
enum Shipped {
    static let catalog: DefinitionCatalog = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        do {
            return try DefinitionCatalog.load(paths: [root + "/Workflows", root + "/Policies"])
        } catch {
            fatalError("the shipped definitions do not load: \(error)")
        }
    }()
    static let reader = AccessRequestReader(policy: catalog.policies["send-portal"]!, catalog: catalog)
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    // As `read(path:)` does: a request over the limit is refused before it is parsed.
    guard size <= AccessRequestReader.maxRequestBytes else { return 0 }
    if case .success(let request) = Shipped.reader.parse(Data(UnsafeBufferPointer(start: data, count: size))) {
        _ = Shipped.reader.policy.decide(request)
    }
    return 0
}

// SwiftPM names an executable's entry point itself, so libFuzzer's own `main` is not the one that runs: this file's
// top-level code hands the arguments to libFuzzer's driver (Fuzz/run.sh says how the targets are built). What
// every input shares is made first, so that libFuzzer's leak check does not count it against the first input.
_ = Shipped.reader
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzz))
