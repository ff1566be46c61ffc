import Foundation
import Testing
@testable import CaseworkYAML

/// `FileBytes.read` fills its array straight from the file, with no zero fill first: every byte it returns must be the
/// file's, whatever the size (empty, under a page, and over glibc's 128 KB threshold for allocations of their own).
/// `FileBytes.mapped` shows the same bytes from a mapping (an empty file, which cannot be mapped, read instead),
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

    /// Files read one after another into one reused buffer, larger and smaller in turn, each show exactly their own
    /// bytes (none of an earlier, larger file's left over), and a file over the limit or missing is refused.
    @Test func aReusedBufferShowsEachFilesOwnBytes() throws {
        let sizes = [4_097, 0, 200_003, 1, 70_000, 4_095, 200_003]
        let files = try sizes.enumerated().map { index, size in (bytes: noisy(size, seed: UInt32(index + 1) * 7_919), path: try scratch(noisy(size, seed: UInt32(index + 1) * 7_919))) }
        defer { for file in files { try? FileManager.default.removeItem(atPath: file.path) } }
        var buffer = FileBytes.ReusedBuffer()
        for file in files {
            #expect(try FileBytes.read(file.path, limit: .max, into: &buffer) { Array($0) }.get() == file.bytes)
        }
        let large = try #require(files.last)
        #expect(throws: YAMLError.fileTooLarge(file: large.path, bytes: 200_003, limit: 9)) {
            try FileBytes.read(large.path, limit: 9, into: &buffer) { _ in Issue.record("a file over the limit must not be read") }.get()
        }
        guard case .failure(.unreadable(let file, _)) = FileBytes.read(large.path + "-missing", limit: .max, into: &buffer, { _ in }) else {
            Issue.record("a missing file must be unreadable")
            return
        }
        #expect(file == large.path + "-missing")
        #expect(try FileBytes.read(files[0].path, limit: .max, into: &buffer) { Array($0) }.get() == files[0].bytes)
    }

    @Test(arguments: [0, 1, 4_095, 4_096, 4_097, 200_003])
    func mapsExactlyTheFilesBytes(size: Int) throws {
        let bytes = noisy(size)
        let path = try scratch(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(FileBytes.mapped(path).map { Array($0.buffer) } == bytes)
    }

    @Test func mapsNothingOfAMissingFile() {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("casework-filebytes-missing-\(UUID().uuidString)").path
        #expect(FileBytes.mapped(path) == nil)
    }

    /// The definition cache trusts what an entry holds as validated, so it maps only a regular file of the user's that no
    /// one else may write; a file others may write is not read at all.
    @Test func ownerOnlyRefusesAFileOthersMayWrite() throws {
        let bytes = noisy(5_000)
        let path = try scratch(bytes)
        defer { try? FileManager.default.removeItem(atPath: path) }
        chmod(path, 0o600)
        #expect(FileBytes.mapped(path, ownerOnly: true).map { Array($0.buffer) } == bytes)
        for mode: mode_t in [0o620, 0o602, 0o666] {
            chmod(path, mode)
            #expect(FileBytes.mapped(path, ownerOnly: true) == nil, "mode \(String(mode, radix: 8))")
            #expect(FileBytes.mapped(path).map { Array($0.buffer) } == bytes, "mode \(String(mode, radix: 8)) without ownerOnly")
        }
    }

    @Test(arguments: [
        (UInt32(S_IFREG) | 0o600, UInt32(1000), UInt32(1000), true),
        (UInt32(S_IFREG) | 0o644, 1000, 1000, true),
        (UInt32(S_IFREG) | 0o600, 1001, 1000, false),
        (UInt32(S_IFREG) | 0o600, 0, 1000, false),
        (UInt32(S_IFREG) | 0o660, 1000, 1000, false),
        (UInt32(S_IFREG) | 0o606, 1000, 1000, false),
        (UInt32(S_IFDIR) | 0o700, 1000, 1000, false),
        (UInt32(S_IFIFO) | 0o600, 1000, 1000, false),
    ])
    func theUsersAloneIsARegularFileTheUserOwnsThatOnlyTheUserMayWrite(mode: UInt32, owner: UInt32, user: UInt32, alone: Bool) {
        #expect(FileBytes.isTheUsersAlone(mode: mode, owner: owner, user: user) == alone)
    }

    /// What the definition cache relies on: while one process has an entry mapped, another replaces it (a temporary file
    /// renamed over it) or removes it; the mapping still reads the old bytes, every one of them.
    @Test func aMappingOutlivesARenameOverTheFileAndItsRemoval() throws {
        let old = noisy(300_000)
        let path = try scratch(old)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let mapped = try #require(FileBytes.mapped(path))
        let replacement = try scratch(noisy(10, seed: 7))
        rename(replacement, path)
        let afterRename = Array(mapped.buffer)
        unlink(path)
        #expect(afterRename == old)
        #expect(Array(mapped.buffer) == old)
    }
}
