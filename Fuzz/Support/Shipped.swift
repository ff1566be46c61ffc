// What the fuzz targets share (Fuzz/run.sh builds it with them): the shipped definitions every input is checked
// against, and the hand-over to libFuzzer's driver.
import CLibFuzzer
import CaseworkEngine
import Foundation

/// What every input is checked against, loaded once: the shipped definitions, found from this file's place in the
/// repository (Fuzz/Support/Shipped.swift). Fuzz/lsan.supp names these statics: they live for the whole run.
public enum Shipped {
    /// The shipped workflows, forms, calendars and policies.
    public static let catalog: DefinitionCatalog = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        do {
            return try DefinitionCatalog.load(paths: [root + "/Workflows", root + "/Policies"])
        } catch {
            fatalError("the shipped definitions do not load: \(error)")
        }
    }()

    /// The reader of `decide` requests for the shipped portal policy.
    public static let reader = AccessRequestReader(policy: catalog.policies["send-portal"]!, catalog: catalog)
}

/// Hands the process's arguments to libFuzzer's driver with `test`, and exits with its status. SwiftPM names an
/// executable's entry point itself, so libFuzzer's own `main` is not the one that runs; each target's top-level code
/// makes what every input shares first (so libFuzzer's leak check does not count it against the first input), then
/// calls this.
public func runFuzzer(_ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, test))
}

/// One input's bytes held to `check`, a target's shared oracle (`StoredRowCheck`, `JWKSCheck`, `DefinitionArchiveCheck`,
/// which FuzzRegressionTests runs on the seeds and regressions too): the fault it throws stops the run, with the input
/// saved, as a crash would.
public func checkInput<Fault: Error>(_ data: UnsafePointer<UInt8>?, _ size: Int, _ check: ([UInt8]) throws(Fault) -> Void) -> Int32 {
    do throws(Fault) {
        try check(Array(UnsafeBufferPointer(start: data, count: size)))
    } catch {
        fatalError("\(error)")
    }
    return 0
}
