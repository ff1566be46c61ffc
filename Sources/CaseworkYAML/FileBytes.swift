#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole file into memory, refusing one over a size limit before reading it: definition files, and the files
/// `casework document add` stores; or maps one read-only for as long as it is kept (the definition cache's entry).
package enum FileBytes {
    /// Reads the whole file at `path`, or why it could not be read: refused unread when it is over `limit` bytes.
    package static func read(_ path: String, limit: Int) -> Result<[UInt8], YAMLError> {
        withOpened(path, limit: limit) { handle, size in
            // Read straight into the array's fresh storage: filling it with zeros first was one more pass over every byte
            // of every definition file and of the definition cache's entry, in every command.
            var read = 0
            let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
                read = size == 0 ? 0 : fread(buffer.baseAddress, 1, size, handle)
                initialized = read
            }
            guard read == size else { return .failure(.unreadable(file: path, reason: "read \(read) of \(size) bytes")) }
            return .success(bytes)
        }
    }

    /// A buffer files are read into one after another (``read(_:limit:into:_:)``): grown to the largest file read and
    /// freed once, so reading many files to hash them touches the pages of the largest, not fresh pages for every file.
    package struct ReusedBuffer: ~Copyable {
        /// The buffer's first byte.
        fileprivate var base: UnsafeMutablePointer<UInt8>
        /// How many bytes it has room for.
        fileprivate var capacity: Int

        /// An empty buffer (room is made for the first file read).
        package init() {
            capacity = 0
            base = .allocate(capacity: 1)
        }

        deinit {
            base.deallocate()
        }

        /// Makes room for at least `size` bytes (what was in it is not kept).
        fileprivate mutating func reserve(_ size: Int) {
            guard size > capacity else { return }
            base.deallocate()
            capacity = max(size, 2 * capacity)
            base = .allocate(capacity: capacity)
        }
    }

    /// Calls `body` with the whole file at `path` read into `buffer` (its bytes valid only inside `body`), and returns
    /// what it returns; or why the file could not be read: refused unread when it is over `limit` bytes.
    package static func read<T>(
        _ path: String, limit: Int, into buffer: inout ReusedBuffer, _ body: (UnsafeBufferPointer<UInt8>) -> T
    ) -> Result<T, YAMLError> {
        withOpened(path, limit: limit) { handle, size in
            buffer.reserve(size)
            let read = size == 0 ? 0 : fread(buffer.base, 1, size, handle)
            guard read == size else { return .failure(.unreadable(file: path, reason: "read \(read) of \(size) bytes")) }
            return .success(body(UnsafeBufferPointer(start: buffer.base, count: size)))
        }
    }

    /// Calls `body` with the file at `path` opened for reading and its size, refused unopened or over `limit` bytes.
    private static func withOpened<T>(
        _ path: String, limit: Int, _ body: (UnsafeMutablePointer<FILE>, Int) -> Result<T, YAMLError>
    ) -> Result<T, YAMLError> {
        guard let handle = fopen(path, "rb") else {
            return .failure(.unreadable(file: path, reason: String(cString: strerror(errno))))
        }
        defer { fclose(handle) }
        var info = stat()
        guard fstat(fileno(handle), &info) == 0 else {
            return .failure(.unreadable(file: path, reason: String(cString: strerror(errno))))
        }
        let size = Int(info.st_size)
        if size > limit {
            return .failure(.fileTooLarge(file: path, bytes: size, limit: limit))
        }
        return body(handle, size)
    }

    /// The whole file at `path` mapped read-only into memory, for as long as the result is kept; nil when the file
    /// cannot be opened or read. Where the file cannot be mapped (an empty file, a file system that does not map), it is
    /// read into memory of the result's own instead, so its reader sees the same bytes either way.
    ///
    /// For a file read whole and kept (the definition cache's entry, whose regions are read in place): its pages are the
    /// page cache's own, with no buffer to allocate and fill, so none of them is a fresh page of this process. The
    /// mapping is only as steady as the file: one truncated in place while mapped makes reading its lost pages fault
    /// (`SIGBUS`), so map only a file that is replaced by rename, never rewritten in place (a rename, or removing the
    /// file, leaves a mapping of the old file whole).
    ///
    /// With `ownerOnly`, a file that is not a regular file of the process's effective user, or that its group or others
    /// may write, is treated as unreadable (nil): for a file whose bytes are trusted because only the user could have
    /// written them. The test is made on the opened file itself, so a file swapped in after it is not the one read.
    package static func mapped(_ path: String, ownerOnly: Bool = false) -> ReadOnlyBytes? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        if ownerOnly, !isTheUsersAlone(mode: UInt32(info.st_mode), owner: UInt32(info.st_uid), user: UInt32(geteuid())) { return nil }
        let size = Int(info.st_size)
        // Not `MAP_POPULATE`: a warm command reads only the entry's index and at most the region it uses, and filling the
        // page table for all of it cost more page faults after start than the pages read take (session 23, `dec12`:
        // a warm `decide` 16 fewer without it, a `case show` 12).
        if size > 0, let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED {
            return ReadOnlyBytes(mapped: UnsafeRawBufferPointer(start: address, count: size))
        }
        return readAll(descriptor, size: size)
    }

    /// Whether a file of `mode` owned by `owner` is a regular file that only `user` may write: owned by `user`, and
    /// neither its group nor others may write it.
    package static func isTheUsersAlone(mode: UInt32, owner: UInt32, user: UInt32) -> Bool {
        mode & UInt32(S_IFMT) == UInt32(S_IFREG) && owner == user && mode & 0o022 == 0
    }

    /// The `size` bytes of the open file `descriptor` from its start, or nil when they cannot all be read.
    private static func readAll(_ descriptor: Int32, size: Int) -> ReadOnlyBytes? {
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: max(size, 1), alignment: 16)
        var done = 0
        while done < size {
            let count = pread(descriptor, memory.baseAddress! + done, size - done, off_t(done))
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                memory.deallocate()
                return nil
            }
            done += count
        }
        return ReadOnlyBytes(allocated: memory, count: size)
    }
}

/// A file's bytes held read-only for as long as this is kept (``FileBytes/mapped(_:ownerOnly:)``): mapped, and
/// unmapped when the last reference goes, or read into memory of its own and freed then. Whatever reads them later
/// (a definition cache's region, read when first used) keeps this alive with it.
///
/// `@unchecked Sendable`: the bytes are never written after it is made (a read-only mapping, or memory filled once
/// before it is handed out), and the memory is released only in `deinit`, when no reference to it is left.
package final class ReadOnlyBytes: @unchecked Sendable {
    /// The bytes.
    package let buffer: UnsafeRawBufferPointer
    /// The memory to free, for bytes read rather than mapped.
    private let allocated: UnsafeMutableRawBufferPointer?

    fileprivate init(mapped: UnsafeRawBufferPointer) {
        buffer = mapped
        allocated = nil
    }

    fileprivate init(allocated memory: UnsafeMutableRawBufferPointer, count: Int) {
        buffer = UnsafeRawBufferPointer(rebasing: memory[0..<count])
        allocated = memory
    }

    /// A copy of `bytes`, held as a file read into memory is (for an archive built in memory).
    package convenience init(copying bytes: [UInt8]) {
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        memory.copyBytes(from: bytes)
        self.init(allocated: memory, count: bytes.count)
    }

    deinit {
        if let allocated {
            allocated.deallocate()
        } else if let base = buffer.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), buffer.count)
        }
    }
}
