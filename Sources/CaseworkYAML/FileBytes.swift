#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a whole file into memory, refusing one over a size limit before reading it: definition files, and the files
/// `casework document add` stores.
package enum FileBytes {
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
}
