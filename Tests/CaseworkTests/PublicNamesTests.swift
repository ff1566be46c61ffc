import Foundation
import Testing

/// No public type of the library's modules shadows a name of the standard library, Foundation or Synchronization:
/// a service imports them into the same files as `import Casework`, where a shadowing `Duration`, `Actor` or `Clock`
/// once broke `.milliseconds(1)`, `isolated (any Actor)?` and `Clock` (issue 12).
@Suite("Public names")
struct PublicNamesTests {
    /// Top-level names of Swift, Foundation and Synchronization that a library type could plausibly take.
    static let standardNames: Set<String> = [
        "Actor", "AnyActor", "Array", "AsyncSequence", "AsyncStream", "Atomic", "Bool", "Bundle", "Calendar", "CancellationError",
        "Character", "CharacterSet", "Clock", "Codable", "Collection", "ContinuousClock", "Data", "Date", "DateComponents",
        "DateInterval", "Decimal", "Decoder", "Dictionary", "Double", "Duration", "Encoder", "Error", "Executor", "Expression",
        "FileHandle", "FileManager", "Float", "FormatStyle", "GlobalActor", "Hasher", "Host", "IndexPath", "IndexSet",
        "InstantProtocol", "Int", "JSONDecoder", "JSONEncoder", "KeyPath", "Locale", "MainActor", "Measurement", "Mirror",
        "Mutex", "Never", "Notification", "NotificationCenter", "Operation", "OperationQueue", "Optional", "Pipe", "Predicate",
        "Process", "ProcessInfo", "Progress", "Range", "Result", "RunLoop", "Scanner", "Sequence", "Set", "SortDescriptor",
        "Stream", "String", "Substring", "SuspendingClock", "Task", "TaskGroup", "TaskPriority", "Thread", "TimeZone", "Timer",
        "URL", "URLComponents", "URLRequest", "URLSession", "UUID", "Unicode", "Unit",
    ]

    /// The public top-level types declared under `Sources/` (the C shims have none).
    static func publicTypeNames() throws -> Set<String> {
        let sources = RepositoryPaths.root.appendingPathComponent("Sources")
        let pattern = try Regex(#"(?m)^public (?:final )?(?:struct|enum|class|protocol|actor|typealias) ([A-Za-z_][A-Za-z0-9_]*)"#)
        var names: Set<String> = []
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let file = files?.nextObject() as? URL {
            guard file.pathExtension == "swift" else { continue }
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in text.matches(of: pattern) {
                if let name = match.output[1].substring { names.insert(String(name)) }
            }
        }
        return names
    }

    @Test func noPublicTypeShadowsTheStandardLibrary() throws {
        let names = try Self.publicTypeNames()
        #expect(names.isSuperset(of: ["CaseActor", "StatutoryDuration", "EngineClock", "Engine", "SQLiteCaseStore"]), "the scan finds the library's types")
        #expect(names.intersection(Self.standardNames).sorted() == [])
    }
}
