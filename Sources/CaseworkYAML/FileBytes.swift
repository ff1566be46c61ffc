#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole file into memory, refusing one over a size limit before reading it: definition files, and the files
/// `casework document add` stores; or maps one read-only for the length of a call (the definition cache's entry).
package enum FileBytes {
    /// Reads the whole file at `path`, or why it could not be read: refused unread when it is over `limit` bytes.
    package static func read(_ path: String, limit: Int) -> Result<[UInt8], YAMLError> {
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
        // Read straight into the array's fresh storage: filling it with zeros first was one more pass over every byte of
        // every definition file and of the definition cache's entry, in every command.
        var read = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            read = size == 0 ? 0 : fread(buffer.baseAddress, 1, size, handle)
            initialized = read
        }
        guard read == size else {
            return .failure(.unreadable(file: path, reason: "read \(read) of \(size) bytes"))
        }
        return .success(bytes)
    }

    /// Calls `body` with the whole file at `path` mapped read-only into memory, and returns what it returns; nil when
    /// the file cannot be opened or read. Where the file cannot be mapped (an empty file, a file system that does not
    /// map), it is read into a buffer instead (``read(_:limit:)``, no limit), so `body` sees the same bytes either way.
    ///
    /// For a file read whole once and then let go (the definition cache's entry): its pages are the page cache's own,
    /// with no buffer to allocate and fill, so none of them is a fresh page of this process. The bytes are valid only
    /// inside `body`, which must copy what it keeps. The mapping is only as steady as the file: one truncated in place
    /// while mapped makes reading its lost pages fault (`SIGBUS`), so map only a file that is replaced by rename,
    /// never rewritten in place (a rename, or removing the file, leaves a mapping of the old file whole).
    ///
    /// With `ownerOnly`, a file that is not a regular file of the process's effective user, or that its group or others
    /// may write, is treated as unreadable (nil, `body` not called): for a file whose bytes are trusted because only
    /// the user could have written them. The test is made on the opened file itself, so a file swapped in after it is
    /// not the one read.
    package static func withMapped<T>(_ path: String, ownerOnly: Bool = false, _ body: (UnsafeRawBufferPointer) -> T) -> T? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return nil }
        if ownerOnly, !isTheUsersAlone(mode: UInt32(info.st_mode), owner: UInt32(info.st_uid), user: UInt32(geteuid())) { return nil }
        let size = Int(info.st_size)
        #if os(Linux)
            // The whole file is read (its checksum), so its page table entries are filled at once, not one fault a page.
            let flags = MAP_PRIVATE | MAP_POPULATE
        #else
            let flags = MAP_PRIVATE
        #endif
        if size > 0, let address = mmap(nil, size, PROT_READ, flags, descriptor, 0), address != MAP_FAILED {
            defer { munmap(address, size) }
            return body(UnsafeRawBufferPointer(start: address, count: size))
        }
        guard let bytes = readAll(descriptor, size: size) else { return nil }
        return bytes.withUnsafeBytes(body)
    }

    /// Whether a file of `mode` owned by `owner` is a regular file that only `user` may write: owned by `user`, and
    /// neither its group nor others may write it.
    package static func isTheUsersAlone(mode: UInt32, owner: UInt32, user: UInt32) -> Bool {
        mode & UInt32(S_IFMT) == UInt32(S_IFREG) && owner == user && mode & 0o022 == 0
    }

    /// The `size` bytes of the open file `descriptor` from its start, or nil when they cannot all be read.
    private static func readAll(_ descriptor: Int32, size: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        while done < size {
            let count = bytes.withUnsafeMutableBytes { buffer in pread(descriptor, buffer.baseAddress! + done, size - done, off_t(done)) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return nil }
            done += count
        }
        return bytes
    }
}
