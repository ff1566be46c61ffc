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
        var bytes = [UInt8](repeating: 0, count: size)
        let read = bytes.withUnsafeMutableBytes { fread($0.baseAddress, 1, size, handle) }
        guard read == size else {
            return .failure(.unreadable(file: path, reason: "read \(read) of \(size) bytes"))
        }
        return .success(bytes)
    }
}
