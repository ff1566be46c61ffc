import Foundation
import Testing
@testable import CaseworkYAML

/// `FileBytes.read` fills its array straight from the file, with no zero fill first: every byte it returns must be the
/// file's, whatever the size (empty, under a page, and over glibc's 128 KB threshold for allocations of their own).
/// `FileBytes.withMapped` shows the same bytes from a mapping (an empty file, which cannot be mapped, read instead),
/// and a file renamed over or removed while mapped leaves the mapping whole: why the definition cache, whose entries
/// are only ever replaced by rename, may map them.
@Suite("Whole files read into memory or mapped")
struct FileBytesTests {
    private func scratch(_ bytes: [UInt8]) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("casework-filebytes-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// `size` bytes, none of them zero, so a byte left unwritten (zero from a fresh page, or stale from reused memory) is seen.
    private func noisy(_ size: Int, seed: UInt32 = 2_463_534_242) -> [UInt8] {
        var state = seed
        return (0..<size).map { _ -> UInt8 in
            state ^= state << 13
            state ^= state >> 17
            state ^= state << 5
            return UInt8(state % 255) + 1
        }
    }

    @Test(arguments: [0, 1, 4_095, 4_097, 200_003])
    func returnsExactlyTheFilesBytes(size: Int) throws {
        let bytes = noisy(size)
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

    @Test(arguments: [0, 1, 4_095, 4_096, 4_097, 200_003])
    func mapsExactlyTheFilesBytes(size: Int) throws {
        let bytes = noisy(size)
        let path = try scratch(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(FileBytes.withMapped(path) { Array($0) } == bytes)
    }

    @Test func mapsNothingOfAMissingFile() {
        var called = false
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("casework-filebytes-missing-\(UUID().uuidString)").path
        #expect(FileBytes.withMapped(path) { _ in called = true } == nil)
        #expect(!called)
    }

    /// What the definition cache relies on: while one process has an entry mapped, another replaces it (a temporary file
    /// renamed over it) or removes it; the mapping still reads the old bytes, every one of them.
    @Test func aMappingOutlivesARenameOverTheFileAndItsRemoval() throws {
        let old = noisy(300_000)
        let path = try scratch(old)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let seen = FileBytes.withMapped(path) { mapped -> [UInt8] in
            let replacement = try? scratch(noisy(10, seed: 7))
            if let replacement { rename(replacement, path) }
            let afterRename = Array(mapped)
            unlink(path)
            return afterRename == Array(mapped) ? afterRename : []
        }
        #expect(seen == old)
    }
}
