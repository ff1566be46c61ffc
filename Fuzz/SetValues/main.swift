// libFuzzer target: `--set FIELD=VALUE` parsing (`case open`, `case fire`), one assignment a line, against the fields
// of the shipped EHC needs assessment (dates, enumerations, text, a group) and a field of every other type.
import CaseworkCommandLine
import CaseworkDefinitions
import CaseworkEngine
import Foundation
import FuzzSupport

/// The fields every input is parsed against: the shipped EHC needs assessment's, and one of each other type.
enum FieldsUnderTest {
    static let fields = Shipped.catalog.workflows["ehcp-needs-assessment"]!.definition.fields + Extra.fields
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
    _ = try? FieldArguments.parse(text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init), fields: FieldsUnderTest.fields)
    return 0
}

// What every input shares is made first, then libFuzzer's driver runs (`runFuzzer`, Fuzz/Support).
_ = FieldsUnderTest.fields
runFuzzer(fuzz)
