// libFuzzer target: `--set FIELD=VALUE` parsing (`case open`, `case fire`), one assignment a line, against the fields
// of the shipped EHC needs assessment (dates, enumerations, text, a group) and a field of every other type.
import CLibFuzzer
import CaseworkCommandLine
import CaseworkDefinitions
import CaseworkEngine
import Foundation

/// What every input is checked against, loaded once: the shipped definitions, from this file's place in the
/// repository (Fuzz/SetValues/main.swift).
enum Shipped {
    static let catalog: DefinitionCatalog = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
        do {
            return try DefinitionCatalog.load(paths: [root + "/Workflows", root + "/Policies"])
        } catch {
            fatalError("the shipped definitions do not load: \(error)")
        }
    }()
    static let fields = catalog.workflows["ehcp-needs-assessment"]!.definition.fields + Extra.fields
}

/// A field of each type the shipped workflows do not use (the fields FieldArguments.parse is given are a
/// workflow's, so any type may come).
enum Extra {
    static func field(_ name: String, _ type: FieldType) -> FieldDefinition { FieldDefinition(name: Located(name, at: .startOf("fuzz")), type: type) }
    static let fields = [
        field("flag", .bool), field("count", .int), field("hours", .decimal), field("decided_at", .datetime),
        field("days", .list(.date)), field("scores", .list(.int)), field("amounts", .list(.decimal)), field("times", .list(.datetime)),
        field("who", .list(.oneOf(["parent", "school"]))),
    ]
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? FieldArguments.parse(text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init), fields: Shipped.fields)
    return 0
}

// SwiftPM names an executable's entry point itself, so libFuzzer's own `main` is not the one that runs: this file's
// top-level code hands the arguments to libFuzzer's driver (Fuzz/run.sh says how the targets are built). What
// every input shares is made first, so that libFuzzer's leak check does not count it against the first input.
_ = Shipped.fields
var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzz))
