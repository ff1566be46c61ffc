// libFuzzer target: `casework decide --batch`'s line reader on the shipped definitions and portal policy. The
// input is fed in two blocks, split where its first byte says, so that lines cross a block's end as they do in a
// long batch.
import CLibFuzzer
import CaseworkCommandLine
import CaseworkEngine
import Foundation

/// What every input is checked against, loaded once: the shipped definitions, from this file's place in the
/// repository (Fuzz/DecideBatch/main.swift).
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
    let input = UnsafeBufferPointer(start: data, count: size)
    let split = size == 0 ? 0 : Int(input[0]) % (size + 1)
    var batch = DecideBatch.Batch(reader: Shipped.reader)
    batch.feed(input[0..<split])
    _ = batch.take()
    batch.feed(input[split..<size])
    batch.finish()
    _ = batch.take()
    return 0
}

// SwiftPM names an executable's entry point itself, so libFuzzer's own `main` is not the one that runs: this file's
// top-level code hands the arguments to libFuzzer's driver (Fuzz/run.sh says how the targets are built). What
// every input shares is made first, so that libFuzzer's leak check does not count it against the first input.
_ = Shipped.reader
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzz))
