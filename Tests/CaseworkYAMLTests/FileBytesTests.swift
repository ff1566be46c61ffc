import Foundation
import Testing
@testable import CaseworkYAML

/// `FileBytes.read` fills its array straight from the file, with no zero fill first: every byte it returns must be the
/// file's, whatever the size (empty, under a page, and over glibc's 128 KB threshold for allocations of their own).
@Suite("Whole files read into memory")
struct FileBytesTests {
    private func scratch(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("casework-filebytes-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test(arguments: [0, 1, 4_095, 4_097, 200_003])
    func returnsExactlyTheFilesBytes(size: Int) throws {
        // No zero bytes, so a byte left unwritten (zero from a fresh page, or stale from reused memory) is seen.
        var state: UInt32 = 2_463_534_242
        let bytes = (0..<size).map { _ -> UInt8 in
            state ^= state << 13
            state ^= state >> 17
            state ^= state << 5
            return UInt8(state % 255) + 1
        }
        let path = try scratch(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try FileBytes.read(path, limit: .max).get() == bytes)
    }

    @Test func refusesAFileOverTheLimitAndReportsAMissingOne() throws {
        let path = try scratch(Array(repeating: 7, count: 10))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: YAMLError.fileTooLarge(file: path, bytes: 10, limit: 9)) { try FileBytes.read(path, limit: 9).get() }
        guard case .failure(.unreadable(let file, _)) = FileBytes.read(path + "-missing", limit: .max) else {
            Issue.record("a missing file must be unreadable")
            return
        }
        #expect(file == path + "-missing")
    }
}
