import Foundation
import Testing
@testable import CaseworkCommandLine

/// The small text files an operator names (a migration map, an audit key, a TLS certificate: the last in
/// `ServeCommandTests`) are read whole only up to a mebibyte, and only as UTF-8: a larger file is refused unread, and
/// bytes that are not UTF-8 are refused, never read with replacement characters.
@Suite("Operator text files")
struct OperatorTextFileTests {
    /// A fresh folder holding `at-the-limit` (exactly the limit, of `a`s), `over` (one byte more) and `latin-1`
    /// (text with a byte that is not UTF-8).
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("casework-operator-files-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(repeating: UInt8(ascii: "a"), count: OperatorTextFile.maximumBytes).write(to: folder.appendingPathComponent("at-the-limit"))
        try Data(repeating: UInt8(ascii: "a"), count: OperatorTextFile.maximumBytes + 1).write(to: folder.appendingPathComponent("over"))
        try Data(Array("states:\n  r".utf8) + [0xE9] + Array("quested: requested\n".utf8)).write(to: folder.appendingPathComponent("latin-1"))
        try Data().write(to: folder.appendingPathComponent("store.sqlite"))
        return folder
    }

    @Test func aFileIsReadUpToTheLimitAndOnlyAsUTF8() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = { (name: String) in folder.appendingPathComponent(name).path }
        #expect(try OperatorTextFile.read(path("at-the-limit")).get().utf8.count == OperatorTextFile.maximumBytes)
        #expect(OperatorTextFile.read(path("over")) == .failure(.tooLarge(bytes: OperatorTextFile.maximumBytes + 1)))
        #expect(OperatorTextFile.read(path("latin-1")) == .failure(.notUTF8))
        #expect(OperatorTextFile.read(path("missing")) == .failure(.unreadable))
        #expect(OperatorTextFile.read(folder.path) == .failure(.unreadable))
    }

    @Test(arguments: [
        (["case", "migrate", "c1", "--to", "8", "--map", "FOLDER/over"], "error: the map file 'FOLDER/over' is 1048577 bytes, over the 1048576 this file may hold\n"),
        (["case", "migrate", "c1", "--to", "8", "--map", "FOLDER/latin-1"], "error: the map file 'FOLDER/latin-1' is not UTF-8 text\n"),
        (["audit", "checkpoint", "--db", "FOLDER/store.sqlite", "--key", "FOLDER/over"],
         "error: the key 'FOLDER/over' is 1048577 bytes, over the 1048576 this file may hold\n"),
        (["audit", "checkpoint", "--db", "FOLDER/store.sqlite", "--key", "FOLDER/latin-1"], "error: the key 'FOLDER/latin-1' is not UTF-8 text\n"),
    ])
    func aFileOverTheLimitOrNotUTF8IsAUsageErrorNamingIt(arguments: [String], expected: String) throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = runCasework(arguments.map { $0.replacingOccurrences(of: "FOLDER", with: folder.path) })
        #expect(result.status == .usage)
        #expect(result.err.hasPrefix(expected.replacingOccurrences(of: "FOLDER", with: folder.path)), "\(result.err)")
        #expect(result.out.isEmpty)
    }
}
